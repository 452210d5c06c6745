/*
 * cardless/status.h - Token Status List (draft-ietf-oauth-status-list-21, "TSL"): revoke and
 * suspend credentials of both formats. Verifier side: verify a Status List Token (JWT
 * `typ` statuslist+jwt, or CWT with COSE `typ` application/statuslist+cwt), check `sub`
 * against the credential's `uri`, `exp` and `ttl`, inflate the list under a size cap and read
 * one entry in O(1). Issuer side: a mutable table of entries with a used-index bitmap, random
 * unused index allocation, and signing as a JWT or a CWT.
 *
 * Bit order (draft §4.1): entry i lives in byte i*bits/8 at bit offset (i*bits)%8, least
 * significant bits first; the byte array is ZLIB-compressed (RFC 1950 around RFC 1951).
 *
 * Freshness (draft §8.3 step 5): `exp`, when present, must lie after the verification time
 * (CL_ERR_EXPIRED). `ttl` bounds how long a fetched token may be used: since cardless does
 * not know when a file was fetched, a token is STALE when at >= iat + ttl (the earliest it
 * can have gone stale). Stale is an error by default (CL_ERR_EXPIRED, where "ttl"): a
 * relying party holding a stale list cannot know that a newer list has not revoked the
 * credential. CL_STATUS_ALLOW_STALE turns it into a flag on the result instead.
 *
 * Memory: allocating functions take an arena first; results live until cl_arena_fini().
 * Heap objects (cl_status_table, cl_status_cache) are _new/_free.
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL.
 */
#ifndef CARDLESS_STATUS_H
#define CARDLESS_STATUS_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/crypto.h"
#include "cardless/defs.h"
#include "cardless/error.h"
#include "cardless/x509.h"
CL_BEGIN_DECLS

/* ---- status values (draft §7.1) ---- */

enum cl_status_value {
    CL_STATUS_VALID = 0x00,        /* valid, correct or legal */
    CL_STATUS_INVALID = 0x01,      /* revoked: irreversible */
    CL_STATUS_SUSPENDED = 0x02,    /* temporarily invalid: reversible */
    CL_STATUS_APP_SPECIFIC = 0x03, /* application specific (so are 0x0C..0x0F) */
};

/**
 * "VALID", "INVALID", "SUSPENDED", "APPLICATION_SPECIFIC" (0x03, 0x0C..0x0F) or "RESERVED"
 * (any other value up to 255).
 */
CL_API const char *cl_status_name(unsigned value);
/** Parse "VALID"/"INVALID"/"SUSPENDED" (case-insensitive) or a decimal 0..255. */
CL_API bool cl_status_parse_value(const char *s, unsigned *value);

/* ---- limits ---- */

#define CL_STATUS_INFLATED_MAX ((size_t)16 << 20) /* default cap on the decompressed list */
#define CL_STATUS_TOKEN_MAX ((size_t)16 << 20)    /* default largest token accepted */
#define CL_STATUS_ENTRIES_MAX ((uint64_t)1 << 24) /* most entries in a table we build */

struct cl_status_limits {
    size_t max_token;    /* largest token (JWT text or CWT bytes) */
    size_t max_inflated; /* largest decompressed list: a zlib bomb stops here */
};

/** max_token CL_STATUS_TOKEN_MAX, max_inflated CL_STATUS_INFLATED_MAX. */
CL_API struct cl_status_limits cl_status_limits_default(void);

/* ---- a decoded list (read side) ---- */

struct cl_status_list {  /* read the fields, never write them */
    unsigned bits;       /* 1, 2, 4 or 8 bits per entry */
    uint64_t count;      /* number of entries: lst.len * 8 / bits */
    struct cl_bytes lst; /* decompressed byte array, in the arena */
};

/**
 * Inflate a ZLIB stream (RFC 1950) into a list, incrementally, stopping at max bytes of
 * output. The stream must end exactly at the end of zlib (no trailing bytes) and its
 * Adler-32 must match.
 * @param bits  1, 2, 4 or 8
 * @return CL_OK, CL_ERR_INPUT (bits, corrupt stream, trailing bytes), CL_ERR_TRUNCATED
 *         (stream ends early), CL_ERR_TOO_LARGE (output over max: a bomb), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_status_list_inflate(struct cl_arena *a, unsigned bits,
                                                  struct cl_bytes zlib, size_t max,
                                                  struct cl_status_list *out, struct cl_error *err);

/**
 * Decode the JSON "status_list" claim {"bits": 1|2|4|8, "lst": base64url(zlib)} given as
 * JSON text (draft §4.2); other members (aggregation_uri) are ignored.
 * @return as cl_status_list_inflate, and CL_ERR_MISSING, CL_ERR_ENCODING (base64url)
 */
CL_API CL_NODISCARD cl_err cl_status_list_decode_json(struct cl_arena *a, struct cl_bytes json,
                                                      size_t max, struct cl_status_list *out,
                                                      struct cl_error *err);

/**
 * Decode a CBOR StatusList (draft §4.3) {"bits": uint, "lst": bstr(zlib)} given as its
 * encoding (the 65533 claim of a CWT, or application/statuslist+cbor); other keys are ignored.
 * @return as cl_status_list_inflate, and CL_ERR_MISSING, CL_ERR_TRUNCATED etc. from CBOR
 */
CL_API CL_NODISCARD cl_err cl_status_list_decode_cbor(struct cl_arena *a, struct cl_bytes cbor,
                                                      size_t max, struct cl_status_list *out,
                                                      struct cl_error *err);

/**
 * The status of entry idx, in O(1).
 * @return CL_OK, CL_ERR_INPUT (where "idx": index out of range, naming the list's size)
 */
CL_API CL_NODISCARD cl_err cl_status_list_get(const struct cl_status_list *list, uint64_t idx,
                                              unsigned *value, struct cl_error *err);

/* ---- Status List Tokens (read side) ---- */

enum cl_status_format {
    CL_STATUS_JWT = 1, /* compact JWS, typ statuslist+jwt (draft §5.1) */
    CL_STATUS_CWT = 2, /* COSE_Sign1 (tag 18, optionally inside CWT tag 61), draft §5.2 */
};

enum cl_status_flags {
    CL_STATUS_ALLOW_STALE = 1, /* a token past iat + ttl is accepted; token->stale says so */
};

/** Whom to believe: a key, or x5c/x5chain certificates chained to anchors. */
struct cl_status_trust {
    const struct cl_key *key;           /* the list signer's public key, or NULL */
    const struct cl_x509_list *anchors; /* IACA roots for x5c / x5chain, or NULL */
    int64_t leeway;                     /* seconds of clock skew for iat/exp, 0..86400 */
    unsigned flags;                     /* enum cl_status_flags */
};

struct cl_status_token { /* a verified Status List Token: read the fields, never write them */
    enum cl_status_format format;
    const char *sub;  /* the list's URI (== the expected uri when one was given) */
    const char *iss;  /* issuer, or NULL when absent */
    int64_t iat;      /* issued at */
    int64_t exp;      /* expiry, or 0 when absent */
    int64_t ttl;      /* time to live in seconds, or 0 when absent */
    bool stale;       /* at >= iat + ttl (only with CL_STATUS_ALLOW_STALE) */
    uint8_t hash[32]; /* SHA-256 of the token bytes as received (the cache key) */
    struct cl_status_list list;
};

/** Which format the bytes are: CL_STATUS_JWT when they look like a compact JWS, else CWT. */
CL_API enum cl_status_format cl_status_token_format(struct cl_bytes token);

/**
 * Verify a Status List Token (JWT or CWT, auto-detected) at time `at` and decode its list
 * (draft §8.3 steps 4-6):
 *   signature: with trust->key when set, else with the leaf of x5c (JWT) / x5chain (CWT)
 *     after cl_x509_chain_verify to trust->anchors at `at`; ES256/ES384/ES512 only;
 *   typ: "statuslist+jwt" (or "application/statuslist+jwt") / COSE label 16
 *     "application/statuslist+cwt";
 *   sub: present, and equal to uri when uri is not NULL (CL_ERR_POLICY, where "sub");
 *   iat: present, not after at + leeway; exp: at < exp + leeway (CL_ERR_EXPIRED, "exp");
 *   ttl: positive when present; stale as described at the top (CL_ERR_EXPIRED, "ttl");
 *   status_list: bits 1/2/4/8, lst inflated under lim->max_inflated.
 * lim NULL means cl_status_limits_default().
 * @param out  OUT: written only on success
 * @return CL_OK, CL_ERR_SIGNATURE, CL_ERR_UNTRUSTED, CL_ERR_POLICY (typ, sub, alg),
 *         CL_ERR_EXPIRED, CL_ERR_MISSING, CL_ERR_INPUT, CL_ERR_TOO_LARGE, CL_ERR_USAGE (no key
 *         and no anchors), CL_ERR_NOMEM; err->where names the check ("typ", "sub", "exp",
 *         "ttl", "signature", "status_list.bits", "status_list.lst", ...)
 */
CL_API CL_NODISCARD cl_err cl_status_token_parse_verify(struct cl_arena *a, struct cl_bytes token,
                                                        const struct cl_status_trust *trust,
                                                        const char *uri, int64_t at,
                                                        const struct cl_status_limits *lim,
                                                        struct cl_status_token *out,
                                                        struct cl_error *err);

/**
 * One call for a relying party: verify the token as cl_status_token_parse_verify and read
 * entry idx. *value gets the status (enum cl_status_value or another number), *name its
 * cl_status_name() (either may be NULL). A verified INVALID or SUSPENDED entry is CL_OK:
 * the caller decides what the value means.
 */
CL_API CL_NODISCARD cl_err cl_status_check(struct cl_arena *a, struct cl_bytes token,
                                           const struct cl_status_trust *trust, const char *uri,
                                           uint64_t idx, int64_t at,
                                           const struct cl_status_limits *lim, unsigned *value,
                                           const char **name, struct cl_error *err);

/* ---- cache: verify and inflate a list once, look up many times ----
 * Keyed by (uri, the token's bytes): the same token fetched again is neither re-verified
 * nor re-inflated (the bytes are compared openly, which is cheaper than hashing them and
 * equivalent to keying by their SHA-256, cl_status_token.hash); a new token for the same uri
 * replaces the old entry. On a hit only the time checks (exp, ttl at `at`) are repeated. An
 * entry also remembers the trust->key and trust->anchors objects it was verified with and is a
 * hit only for the same objects (identity, not contents): keep one cache per trust set-up.
 * At most `capacity` lists are kept (least recently used goes first). Not thread-safe: one
 * cache per thread, or a lock. */

struct cl_status_cache;

struct cl_status_cache_stats {
    uint64_t hits;       /* lookups served from the cache */
    uint64_t misses;     /* lookups that verified a token */
    uint64_t inflations; /* lists decompressed */
    uint64_t entries;    /* lists held now */
};

CL_API CL_NODISCARD cl_err cl_status_cache_new(size_t capacity, struct cl_status_cache **out,
                                               struct cl_error *err);
CL_API void cl_status_cache_free(struct cl_status_cache *cache);
/** Like cl_status_check, through the cache. */
CL_API CL_NODISCARD cl_err cl_status_cache_check(struct cl_status_cache *cache,
                                                 struct cl_bytes token,
                                                 const struct cl_status_trust *trust,
                                                 const char *uri, uint64_t idx, int64_t at,
                                                 const struct cl_status_limits *lim,
                                                 unsigned *value, struct cl_error *err);
CL_API struct cl_status_cache_stats cl_status_cache_stats(const struct cl_status_cache *cache);

/* ---- issuer side: a mutable table of entries ---- */

struct cl_status_table; /* bits, size, entries and a used-index bitmap; opaque */

/**
 * A table of `size` entries (1..CL_STATUS_ENTRIES_MAX) of `bits` (1, 2, 4, 8), all VALID and
 * unused. @return CL_OK, CL_ERR_USAGE (bits, size), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_status_table_new(unsigned bits, uint64_t size,
                                               struct cl_status_table **out, struct cl_error *err);
CL_API void cl_status_table_free(struct cl_status_table *t);
CL_API unsigned cl_status_table_bits(const struct cl_status_table *t);
CL_API uint64_t cl_status_table_size(const struct cl_status_table *t);
/** How many indices have been allocated (marked used). */
CL_API uint64_t cl_status_table_used(const struct cl_status_table *t);
/** Whether idx has been allocated. */
CL_API bool cl_status_table_is_used(const struct cl_status_table *t, uint64_t idx);

/** Set entry idx to value. CL_ERR_USAGE when idx >= size or value does not fit in bits. */
CL_API CL_NODISCARD cl_err cl_status_table_set(struct cl_status_table *t, uint64_t idx,
                                               unsigned value, struct cl_error *err);
/** Read entry idx. CL_ERR_USAGE when idx >= size. */
CL_API CL_NODISCARD cl_err cl_status_table_get(const struct cl_status_table *t, uint64_t idx,
                                               unsigned *value, struct cl_error *err);

/**
 * Allocate an index chosen uniformly at random among the unused ones (draft §12.6: random
 * indices so that they do not link holders), and mark it used.
 * @return CL_OK, CL_ERR_TOO_LARGE (every index is used), CL_ERR_CRYPTO (random source)
 */
CL_API CL_NODISCARD cl_err cl_status_alloc_index(struct cl_status_table *t, uint64_t *idx,
                                                 struct cl_error *err);

/**
 * The table's working file (LIST.json), cardless's own format:
 *   {"format": "cardless-status-table/1", "bits": N, "size": N, "used_count": N,
 *    "lst": base64url(uncompressed byte array, draft bit order),
 *    "used": base64url(bitmap of allocated indices, same order with 1 bit per entry)}
 * Save appends it (with a newline) to out; load checks every field against the others.
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_MISSING, CL_ERR_ENCODING, CL_ERR_TOO_LARGE, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_status_table_save(const struct cl_status_table *t, struct cl_buf *out,
                                                struct cl_error *err);
CL_API CL_NODISCARD cl_err cl_status_table_load(struct cl_bytes json, struct cl_status_table **out,
                                                struct cl_error *err);

/** Append the ZLIB-compressed byte array (level 9) to out. */
CL_API CL_NODISCARD cl_err cl_status_table_compress(const struct cl_status_table *t,
                                                    struct cl_buf *out, struct cl_error *err);

/** What goes into a Status List Token besides the list. Strings are borrowed for the call. */
struct cl_status_sign_params {
    enum cl_status_format format;
    const char *uri;            /* sub: the URI the credentials reference; required */
    const char *iss;            /* iss, or NULL */
    int64_t iat;                /* issued at; 0 means cl_now() */
    int64_t exp;                /* expiry, or 0 for none */
    int64_t ttl;                /* time to live in seconds, or 0 for none */
    const struct cl_bytes *x5c; /* DER certificates, leaf first (x5c / x5chain), or NULL */
    size_t x5c_count;
};

/**
 * Sign the table as a Status List Token: a JWT (header typ statuslist+jwt, claims sub, iat,
 * exp, ttl, iss, status_list {bits, lst}) or a CWT (COSE_Sign1 tag 18, protected {1: alg,
 * 16: "application/statuslist+cwt"}, claims 2 sub, 6 iat, 4 exp, 65534 ttl, 1 iss, 65533
 * {"bits", "lst": bstr}). *out is in the arena (the JWT is NUL-terminated text).
 * @return CL_OK, CL_ERR_USAGE (no uri, public key), CL_ERR_CRYPTO, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_status_token_sign(struct cl_arena *a, const struct cl_status_table *t,
                                                const struct cl_key *key,
                                                const struct cl_status_sign_params *p,
                                                struct cl_bytes *out, struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_STATUS_H */
