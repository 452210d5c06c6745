/*
 * cardless/limits.h - default limits on untrusted input. Parsers take their limits as a
 * parameter so tests and fuzzers can tighten them; these are the defaults callers pass.
 */
#ifndef CARDLESS_LIMITS_H
#define CARDLESS_LIMITS_H

#define CL_LIMIT_FILE_MAX ((size_t)64 << 20)   /* largest input file the CLI reads */
#define CL_LIMIT_PEM_MAX ((size_t)1 << 20)     /* largest PEM file */
#define CL_LIMIT_CBOR_BYTES ((size_t)16 << 20) /* largest CBOR document */
#define CL_LIMIT_CBOR_DEPTH 32                 /* deepest nesting of arrays, maps and tags */
#define CL_LIMIT_CBOR_ITEMS 200000             /* most data items in one document */
#define CL_LIMIT_JSON_BYTES ((size_t)4 << 20)  /* largest JSON text (JWS payload, JWK) */
#define CL_LIMIT_JSON_DEPTH 32
#define CL_LIMIT_JWS_BYTES ((size_t)4 << 20) /* largest compact JWS */
#define CL_LIMIT_X509_CHAIN 8                /* most certificates in a chain */

#endif /* CARDLESS_LIMITS_H */
