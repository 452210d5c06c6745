/* mdoc_int.h - what only the mdoc module's files share: field access naming where a field is. */
#ifndef CARDLESS_MDOC_INT_H
#define CARDLESS_MDOC_INT_H

#include <stdio.h>

#include "cardless/mdoc.h"

#define MDOC_WHERE_MAX 96

/* "outer.key" into buf (cut to fit). */
static inline const char *
mdoc__path(char *buf, size_t n, const char *outer, const char *key)
{
    if (outer == NULL || outer[0] == '\0')
        snprintf(buf, n, "%s", key);
    else
        snprintf(buf, n, "%s.%s", outer, key);
    return buf;
}

/*
 * The value of text key `key` in map, of CBOR type `type` (-1: any). Absent and required:
 * CL_ERR_MISSING; absent and optional: CL_OK with *out NULL; wrong type: CL_ERR_INPUT.
 */
cl_err mdoc__field(const struct cl_cbor *map, const char *key, int type, bool required,
                   const char *where, const struct cl_cbor **out, struct cl_error *err);

/* A text string as a NUL-terminated arena copy, for paths and messages (NULL on no memory). */
const char *mdoc__str(struct cl_arena *a, struct cl_bytes s);

/* Decode #6.24(bstr) whose raw encoding is `bytes` into *inner (map expected when type >= 0). */
cl_err mdoc__embedded(struct cl_arena *a, const struct cl_cbor *tagged,
                      const struct cl_cbor_limits *lim, int type, const char *where,
                      const struct cl_cbor **inner, struct cl_error *err);

/* tdate: tag 0 around RFC 3339 text (ISO 18013-5 §9.1.2.4 "tdate"). */
cl_err mdoc__tdate(const struct cl_cbor *item, const char *where, int64_t *secs,
                   struct cl_error *err);

/* Append #6.24(bstr .cbor X) around the encoding x. */
void mdoc__put_embedded(struct cl_buf *b, struct cl_bytes x);

/* DeviceAuthenticationBytes (ISO 18013-5 §9.1.3.4) into out. */
cl_err mdoc__device_auth_bytes(const struct cl_mdoc_transcript *t, struct cl_bytes doctype,
                               struct cl_bytes device_ns_bytes, struct cl_buf *out,
                               struct cl_error *err);

/* EMacKey = HKDF-SHA-256(ECDH(priv, pub), SHA-256(SessionTranscriptBytes), "EMacKey"), 32 bytes
 * (ISO 18013-5 §9.1.3.5). SECRET: the caller wipes key. */
cl_err mdoc__emac_key(const struct cl_key *priv, const struct cl_key *pub,
                      const struct cl_mdoc_transcript *t, uint8_t key[32], struct cl_error *err);

#endif /* CARDLESS_MDOC_INT_H */
