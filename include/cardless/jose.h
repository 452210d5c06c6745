/*
 * cardless/jose.h - JOSE for SD-JWT and status lists: strict JSON, JWS compact serialization
 * (RFC 7515) with ES256/ES384/ES512 (RFC 7518 §3.4), EC JWKs (RFC 7517, RFC 7518 §6.2),
 * JWK thumbprints (RFC 7638) and JWT claim checks (RFC 7519 §4.1).
 *
 * Verification is over the bytes as received: cl_jws_parse() keeps the exact signing input
 * "b64(header).b64(payload)" and cl_jws_verify() checks the signature over it, never over a
 * re-encoding. JSON is parsed strictly: duplicate member names, invalid UTF-8, "\u0000",
 * trailing bytes and nesting deeper than the limit are refused.
 *
 * Memory: allocating functions take an arena first; results live until cl_arena_fini().
 * Parsed json_t trees are owned by the arena (released at fini): never json_decref() them,
 * json_incref() one to keep it longer. Input bytes are borrowed and must outlive results that
 * point into them (cl_jws.signing_input).
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL.
 */
#ifndef CARDLESS_JOSE_H
#define CARDLESS_JOSE_H

#include <jansson.h>

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/crypto.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

/* ---- strict JSON ---- */

struct cl_json_limits {
    size_t max_bytes;   /* largest JSON text */
    unsigned max_depth; /* deepest nesting of arrays and objects (top level is 1) */
};

/** The defaults from cardless/limits.h (CL_LIMIT_JSON_BYTES, CL_LIMIT_JSON_DEPTH). */
CL_API struct cl_json_limits cl_json_limits_default(void);

/**
 * Parse one JSON text strictly into a jansson tree owned by the arena. Refuses duplicate
 * member names (RFC 8259 §4 "SHOULD be unique", RFC 7515 §5.2 step 4), invalid UTF-8,
 * "\u0000", anything after the value, and input over the limits. lim NULL means the defaults.
 * Messages name the offset, never the content.
 * @param what  name of the text for messages ("header", "payload"), or NULL
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_TRUNCATED, CL_ERR_ENCODING (UTF-8), CL_ERR_DUPLICATE,
 *         CL_ERR_TOO_LARGE, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_jose_json_parse(struct cl_arena *a, struct cl_bytes text,
                                              const struct cl_json_limits *lim, const char *what,
                                              json_t **out, struct cl_error *err);

/**
 * Read one JSON string (RFC 8259 §7) for a parser's fast path: *p must point at its opening
 * quote. Strings with \u escapes, control characters or invalid UTF-8 are not taken (the
 * caller hands the text to cl_jose_json_parse, which decides). The bytes are a view of the
 * input when the string has no escapes, else an unescaped copy in the arena.
 * @param p    IN/OUT: advanced past the closing quote when the string is taken
 * @return 1 taken (*out set), 0 not taken, -1 no memory
 */
CL_API int cl_jose_json_string_simple(struct cl_arena *a, const uint8_t **p, const uint8_t *end,
                                      struct cl_bytes *out);

/* One member of a flat JSON object for cl_jose_json_flat(). */
struct cl_json_flat {
    const char *name;    /* IN: the member's name */
    bool is_int;         /* IN: an integer (RFC 8259 §6, at most 18 digits), else a string */
    bool present;        /* OUT: the member was there */
    struct cl_bytes str; /* OUT: a string member's bytes (a view of text, or unescaped in the
                            arena), not NUL-terminated */
    int64_t num;         /* OUT: an integer member's value */
};

/**
 * A parser's fast path for a small flat object such as a KB-JWT's header or claims: read text
 * when it is one JSON object whose members are all among m[0..n-1], each at most once, with
 * the type asked, strings taken by cl_jose_json_string_simple(). Anything else, valid or not
 * (another member, a duplicate, \u escapes, a real number, nesting, bytes after the object, a
 * text over lim), is not taken: the caller hands the text to cl_jose_json_parse(), which
 * decides. What this takes, cl_jose_json_parse() accepts with the same members and values.
 * m[i].present, .str and .num are written whatever the result.
 * @return 1 taken, 0 not taken, -1 no memory
 */
CL_API int cl_jose_json_flat(struct cl_arena *a, struct cl_bytes text,
                             const struct cl_json_limits *lim, struct cl_json_flat *m, size_t n);

/* ---- algorithms ---- */

/* JWS "alg" values we know (RFC 7518 §3.1). A bit set of them is an allow-list. */
enum cl_jose_alg {
    CL_JOSE_ALG_UNKNOWN = 0, /* any other value, including "none" and HS* */
    CL_JOSE_ES256 = 1,       /* ECDSA P-256 SHA-256 */
    CL_JOSE_ES384 = 2,       /* ECDSA P-384 SHA-384 */
    CL_JOSE_ES512 = 4,       /* ECDSA P-521 SHA-512 */
};
#define CL_JOSE_ALGS_ALL (CL_JOSE_ES256 | CL_JOSE_ES384 | CL_JOSE_ES512)

/** "ES256", "ES384", "ES512"; NULL for anything else. */
CL_API const char *cl_jose_alg_name(enum cl_jose_alg alg);
/** The algorithm named s, or CL_JOSE_ALG_UNKNOWN. Case-sensitive (RFC 7515 §4.1.1). */
CL_API enum cl_jose_alg cl_jose_alg_from_name(const char *s);
/** The algorithm that goes with an EC key's curve (P-256 -> ES256, ...). */
CL_API enum cl_jose_alg cl_jose_alg_for_key(const struct cl_key *key);

/* ---- JWS compact serialization (RFC 7515 §7.1) ---- */

struct cl_jws_opts {
    size_t max_bytes;           /* largest compact JWS (CL_LIMIT_JWS_BYTES) */
    struct cl_json_limits json; /* for the header, and for the payload with PAYLOAD_JSON */
    unsigned flags;             /* enum cl_jws_flags */
    /* Names of "crit" extensions the caller understands and processes itself, NULL-ended;
     * NULL means none. A "crit" naming anything else is refused (RFC 7515 §4.1.11). */
    const char *const *crit;
};

enum cl_jws_flags {
    CL_JWS_PAYLOAD_JSON = 1, /* the payload must be a JSON object (a JWT claims set) */
    CL_JWS_HEADER_FLAT = 2,  /* a header of string members alg, typ and kid alone (no escapes)
                                is read without jansson: header is then NULL (no x5c, crit or
                                b64 in it) and alg_name, typ, kid are set as always */
};

/** max_bytes CL_LIMIT_JWS_BYTES, JSON defaults, no flags, no crit extensions. */
CL_API struct cl_jws_opts cl_jws_opts_default(void);

struct cl_jws {                    /* a parsed JWS: read the fields, never write them */
    struct cl_bytes signing_input; /* "b64(header).b64(payload)" as received (points into the
                                      input): what the signature covers */
    struct cl_bytes header_raw;    /* decoded protected header, the exact JSON bytes */
    json_t *header;                /* the header, an object (arena-owned); NULL only for a
                                      flat header read with CL_JWS_HEADER_FLAT */
    struct cl_bytes payload;       /* decoded payload bytes (may be empty) */
    json_t *claims;                /* the payload as an object with CL_JWS_PAYLOAD_JSON, or NULL */
    struct cl_bytes signature;     /* decoded signature */
    enum cl_jose_alg alg;          /* the "alg", or CL_JOSE_ALG_UNKNOWN */
    const char *alg_name;          /* the "alg" as received */
    const char *typ;               /* "typ", or NULL when absent */
    const char *kid;               /* "kid", or NULL when absent */
};

/**
 * Parse a compact JWS strictly: exactly three parts, strict base64url (RFC 7515 §2, no
 * padding, canonical), the header a JSON object with a string "alg", "typ"/"kid" strings when
 * present, every "crit" name understood (by us or listed in opts->crit), no "b64": false
 * (RFC 7797 unencoded payloads are refused). The signature is not checked here.
 * opts NULL means cl_jws_opts_default().
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_TRUNCATED (JSON), CL_ERR_ENCODING, CL_ERR_DUPLICATE,
 *         CL_ERR_MISSING ("alg"), CL_ERR_UNSUPPORTED (crit, b64), CL_ERR_TOO_LARGE, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_jws_parse(struct cl_arena *a, struct cl_bytes compact,
                                        const struct cl_jws_opts *opts, struct cl_jws *out,
                                        struct cl_error *err);

/**
 * Verify a parsed JWS with a public key over its received signing input.
 * @param algs  allow-list, a bit set of enum cl_jose_alg; 0 means CL_JOSE_ES256 only.
 *              "none" and HS* are never accepted for public-key verification.
 * @return CL_OK; CL_ERR_UNSUPPORTED for an alg we never accept ("none", HS*, RS*, unknown);
 *         CL_ERR_POLICY for a known alg outside algs; CL_ERR_SIGNATURE when the key's curve
 *         does not match the alg or the signature does not verify; CL_ERR_USAGE for bad algs
 */
CL_API CL_NODISCARD cl_err cl_jws_verify(const struct cl_jws *jws, const struct cl_key *key,
                                         unsigned algs, struct cl_error *err);

/**
 * The header's "x5c" (RFC 7515 §4.1.6): DER certificates, leaf first, decoded from standard
 * base64 into the arena. At most CL_LIMIT_X509_CHAIN certificates.
 * @return CL_OK, CL_ERR_MISSING (no x5c), CL_ERR_INPUT, CL_ERR_ENCODING, CL_ERR_TOO_LARGE,
 *         CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_jws_x5c(struct cl_arena *a, const struct cl_jws *jws,
                                      struct cl_bytes **certs, size_t *count, struct cl_error *err);

struct cl_jws_header {          /* what cl_jws_sign() puts in the protected header, in this order */
    const char *typ;            /* "typ" (e.g. "dc+sd-jwt", "statuslist+jwt"), or NULL */
    const char *kid;            /* "kid", or NULL */
    const struct cl_bytes *x5c; /* DER certificates for "x5c", leaf first, or NULL */
    size_t x5c_count;
    const json_t *extra; /* further members (borrowed), or NULL; must not contain
                            "alg", nor a member set by the fields above */
};

/**
 * Sign payload into a compact JWS. The header is {"alg":...,"typ":...,"kid":...,"x5c":[...],
 * extra members...} as compact JSON; alg follows the key's curve (ES256 for P-256).
 * hdr NULL means {"alg":...} alone.
 * @param out  OUT: the JWS as ASCII, NUL-terminated, in the arena
 * @return CL_OK, CL_ERR_USAGE (public key, bad header fields), CL_ERR_CRYPTO, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_jws_sign(struct cl_arena *a, const struct cl_key *key,
                                       const struct cl_jws_header *hdr, struct cl_bytes payload,
                                       struct cl_bytes *out, struct cl_error *err);

/**
 * Sign with a header given as exact JSON bytes, used verbatim. It must pass the header checks
 * of cl_jws_parse() with no caller extensions (so a "crit" may name only "b64"), and its "alg"
 * must match the key's curve.
 * @return as cl_jws_sign(), and CL_ERR_INPUT etc. for a header that does not parse
 */
CL_API CL_NODISCARD cl_err cl_jws_sign_raw(struct cl_arena *a, const struct cl_key *key,
                                           struct cl_bytes header_json, struct cl_bytes payload,
                                           struct cl_bytes *out, struct cl_error *err);

/* ---- JWK (RFC 7517; EC keys per RFC 7518 §6.2) ---- */

enum cl_jwk_flags {
    CL_JWK_ALLOW_PRIVATE = 1,   /* load "d" when present (otherwise a "d" is refused) */
    CL_JWK_REQUIRE_PRIVATE = 2, /* "d" must be present (implies ALLOW_PRIVATE) */
};

/**
 * An EC key from a JWK object: "kty" "EC", "crv" P-256/P-384/P-521, "x" and "y" (and "d")
 * base64url of exactly the curve's field size (RFC 7518 §6.2.1.2). The point is checked to
 * be on the curve. Other members ("kid", "use", "alg", ...) are ignored.
 * @param out  OUT: a new key; free with cl_key_free() or cl_key_defer()
 * @return CL_OK, CL_ERR_INPUT (not an object, wrong type or length, "d" not allowed),
 *         CL_ERR_MISSING, CL_ERR_UNSUPPORTED (kty, crv), CL_ERR_ENCODING, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_jwk_to_key(const json_t *jwk, unsigned flags, struct cl_key **out,
                                         struct cl_error *err);
/** The same from JSON text, parsed strictly with lim (NULL: defaults). */
CL_API CL_NODISCARD cl_err cl_jwk_parse(struct cl_bytes json, const struct cl_json_limits *lim,
                                        unsigned flags, struct cl_key **out, struct cl_error *err);

/**
 * Append the key as a JWK: {"crv":...,"d":...,"kty":"EC","x":...,"y":...} (members in
 * lexicographic order, no whitespace). With priv, "d" is included (SECRET: give a buffer made
 * with cl_buf_init_ex(.., true)); the key must then be private.
 * @return CL_OK, CL_ERR_USAGE (priv without a private key), CL_ERR_CRYPTO, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_jwk_write(const struct cl_key *key, bool priv, struct cl_buf *out,
                                        struct cl_error *err);
/** The public JWK as a new jansson object (the caller json_decref()s it): for "cnf", "jwk". */
CL_API CL_NODISCARD cl_err cl_jwk_public_json(const struct cl_key *key, json_t **out,
                                              struct cl_error *err);

#define CL_JWK_THUMBPRINT_LEN 32 /* SHA-256 */

/**
 * RFC 7638 thumbprint with SHA-256: the hash of the required members in lexicographic order
 * without whitespace (§3.2): EC crv,kty,x,y; RSA e,kty,n; oct k,kty. Member values must be
 * strings; other members are ignored.
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_MISSING, CL_ERR_UNSUPPORTED (kty), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_jwk_thumbprint(const json_t *jwk, uint8_t out[CL_JWK_THUMBPRINT_LEN],
                                             struct cl_error *err);
/** The thumbprint of an EC key's public JWK. */
CL_API CL_NODISCARD cl_err cl_jwk_thumbprint_key(const struct cl_key *key,
                                                 uint8_t out[CL_JWK_THUMBPRINT_LEN],
                                                 struct cl_error *err);

/* ---- JWT claims (RFC 7519 §4.1) ---- */

#define CL_JWT_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z, the largest we accept */
#define CL_JWT_LEEWAY_MAX INT64_C(86400)      /* a day of clock skew at most */

struct cl_jwt_check {
    int64_t now;      /* the time to check at, seconds since the epoch (cl_now()) */
    int64_t leeway;   /* seconds of clock skew allowed, 0..CL_JWT_LEEWAY_MAX */
    const char *aud;  /* expected audience, or NULL to skip the aud check */
    const char *iss;  /* expected issuer, or NULL to skip the iss check */
    int64_t max_age;  /* when > 0, "iat" must be present and no older than this */
    bool require_exp; /* "exp" must be present */
    bool require_iat; /* "iat" must be present */
};

/**
 * Check the time and audience claims of a JWT claims set at chk->now:
 *   exp: now < exp + leeway (RFC 7519 §4.1.4: at exp it has expired);
 *   nbf: now >= nbf - leeway (§4.1.5);
 *   iat: not after now + leeway; with max_age, not before now - max_age - leeway;
 *   aud: a string or array of strings containing chk->aud (§4.1.3); absent fails;
 *   iss: equal to chk->iss.
 * NumericDate values must be integral JSON numbers in 0..CL_JWT_TIME_MAX (an integral
 * float such as 1.7e9 is accepted; 1.5 is not).
 * @return CL_OK; CL_ERR_EXPIRED (exp, nbf, iat, max_age); CL_ERR_POLICY (aud, iss);
 *         CL_ERR_MISSING (a required claim); CL_ERR_INPUT (malformed claim or not an object);
 *         CL_ERR_USAGE (now or leeway out of range)
 */
CL_API CL_NODISCARD cl_err cl_jwt_check_claims(const json_t *claims, const struct cl_jwt_check *chk,
                                               struct cl_error *err);

/**
 * Read a NumericDate claim (RFC 7519 §2) by name.
 * @param present  OUT: whether the claim is there; *out is 0 when it is not
 * @return CL_OK (present or not), CL_ERR_INPUT (not an integral number in range)
 */
CL_API CL_NODISCARD cl_err cl_jwt_numeric_date(const json_t *claims, const char *name, int64_t *out,
                                               bool *present, struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_JOSE_H */
