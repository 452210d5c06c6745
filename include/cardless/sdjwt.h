/*
 * cardless/sdjwt.h - Selective Disclosure for JWTs (RFC 9901) and SD-JWT VC
 * (draft-ietf-oauth-sd-jwt-vc, "SD-JWT-based Verifiable Digital Credentials").
 *
 * Issuer: cl_sdjwt_issue() turns a claims object into an SD-JWT, making the claims named by
 * JSON pointers (RFC 6901) selectively disclosable: object properties, array elements and,
 * when both a claim and claims inside it are named, recursively. Salts are 16 random bytes,
 * "_sd" arrays are sorted (never in insertion order), decoy digests on request.
 * Holder: cl_sdjwt_present() keeps the disclosures a set of pointers needs (with the parent
 * disclosures of a nested claim) and appends a Key Binding JWT (RFC 9901 §4.3).
 * Verifier: cl_sdjwt_verify() runs every check of RFC 9901 §7.1-§7.3 over the bytes as
 * received and, for SD-JWT VC, the draft's typ/vct/cnf rules.
 *
 * Memory: allocating functions take an arena first; results live until cl_arena_fini().
 * Input bytes are borrowed and must outlive results that point into them.
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL; where
 * names the check ("disclosures[2]", "kb_jwt.sd_hash", "payload._sd[3]").
 */
#ifndef CARDLESS_SDJWT_H
#define CARDLESS_SDJWT_H

#include <jansson.h>

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/crypto.h"
#include "cardless/defs.h"
#include "cardless/error.h"
#include "cardless/jose.h"
#include "cardless/x509.h"
CL_BEGIN_DECLS

#define CL_SDJWT_SALT_LEN 16       /* random bytes per salt: 128 bits (RFC 9901 §4.2.1) */
#define CL_SDJWT_DIGEST_B64_MAX 88 /* base64url of a SHA-512 digest, with the NUL */
#define CL_SDJWT_TYP_VC "dc+sd-jwt"
#define CL_SDJWT_TYP_VC_OLD "vc+sd-jwt" /* accepted from older issuers, never written */
#define CL_SDJWT_TYP_KB "kb+jwt"

struct cl_sdjwt_limits {
    size_t max_bytes;           /* largest serialization (CL_LIMIT_JWS_BYTES) */
    size_t max_disclosures;     /* most disclosures in one SD-JWT (default 1024) */
    unsigned max_depth;         /* deepest nesting of the processed payload (default 64) */
    struct cl_json_limits json; /* for the payload, each disclosure and the KB-JWT */
};

/** The defaults above. */
CL_API struct cl_sdjwt_limits cl_sdjwt_limits_default(void);

/* ---- the serialization (RFC 9901 §4) ---- */

struct cl_sdjwt_disclosure { /* read the fields, never write them */
    struct cl_bytes encoded; /* the base64url string as received: what the digest covers */
    const char *salt;        /* element 0 of the decoded JSON array */
    const char *name;        /* element 1 of an object-property disclosure; NULL for an
                                array-element disclosure (2 elements) */
    json_t *value;           /* the last element (arena-owned; no jansson array is built
                                for the common disclosure) */
    char digest[CL_SDJWT_DIGEST_B64_MAX]; /* base64url(hash(encoded)) with the _sd_alg */
    unsigned refs;    /* times a digest in the payload referenced it (processing) */
    long parent;      /* index of the disclosure whose value holds its digest, or -1
                         for the issuer-signed payload (processing) */
    const char *path; /* JSON pointer of the claim in the processed payload
                         (processing with CL_SDJWT_PROCESS_PATHS), else NULL */
};

struct cl_sdjwt {               /* a parsed SD-JWT: read the fields, never write them */
    struct cl_bytes issuer_jwt; /* the issuer-signed JWT as received */
    struct cl_jws jws;          /* it, parsed (claims: the payload, an object; header NULL
                                   when it was a flat {alg, typ, kid}: CL_JWS_HEADER_FLAT) */
    enum cl_hash_alg sd_alg;    /* from "_sd_alg" (default sha-256) */
    struct cl_sdjwt_disclosure *disclosures; /* in the order received */
    size_t ndisclosures;
    struct cl_bytes presented; /* everything up to and including the last '~': what
                                  sd_hash covers (RFC 9901 §4.3.1) */
    struct cl_bytes kb_jwt;    /* the Key Binding JWT, empty when none */
    size_t *by_digest;         /* disclosure indices sorted by digest (lookup) */
};

/**
 * Parse "<issuer JWT>~<disclosure>~...~<disclosure>~[<KB-JWT>]" strictly: the issuer JWT a
 * compact JWS with a JSON object payload, "_sd_alg" (top level) absent or one of "sha-256",
 * "sha-384", "sha-512", each disclosure non-empty strict base64url of a JSON array of 3
 * elements (salt string, claim name string, value) or 2 (salt string, value), no disclosure
 * sent twice. Digests are computed once here over the received strings. Signatures are not
 * checked and the payload is not processed.
 * @param lim  NULL means cl_sdjwt_limits_default()
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_ENCODING, CL_ERR_DUPLICATE (a disclosure sent twice),
 *         CL_ERR_UNSUPPORTED (_sd_alg), CL_ERR_TOO_LARGE, and the codes of cl_jws_parse
 */
CL_API CL_NODISCARD cl_err cl_sdjwt_parse(struct cl_arena *a, struct cl_bytes text,
                                          const struct cl_sdjwt_limits *lim, struct cl_sdjwt *out,
                                          struct cl_error *err);

enum cl_sdjwt_process_flags {
    CL_SDJWT_PROCESS_PATHS = 1, /* record each disclosure's JSON pointer and parent (holder) */
};

/**
 * Process the payload in place (RFC 9901 §7.1 steps 3-5): replace every digest that a
 * disclosure matches by the disclosed claim or array element, drop the other digests (decoys
 * and undisclosed claims), "_sd" and the top-level "_sd_alg". Refuses: "_sd" not an array of
 * strings; a digest met twice anywhere (directly or through disclosures); an object-property
 * disclosure referenced from an array or an array-element one from "_sd"; a claim name "_sd"
 * or "..."; a disclosed name that already exists at its level; a disclosure referenced by
 * nothing. Call once per parsed SD-JWT.
 * @param out  OUT: the processed payload (sd->jws.claims, modified)
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_DUPLICATE, CL_ERR_TOO_LARGE (depth), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_sdjwt_process(struct cl_arena *a, struct cl_sdjwt *sd, unsigned flags,
                                            json_t **out, struct cl_error *err);

/* ---- issuing (RFC 9901 §4, §5) ---- */

struct cl_sdjwt_issue_opts {
    const struct cl_key *issuer_key; /* private; alg follows its curve (ES256 for P-256) */
    const char *typ;                 /* header "typ"; NULL means "dc+sd-jwt" */
    const char *kid;                 /* header "kid", or NULL */
    const struct cl_bytes *x5c;      /* DER certificates for the "x5c" header, leaf first */
    size_t x5c_count;
    const char *const *sd; /* JSON pointers of the claims to make selectively
                              disclosable ("/address/locality", "/nationalities/1") */
    size_t nsd;
    const char *const *never; /* pointers that must never be selectively disclosable
                                 (besides the SD-JWT VC ones with vc) */
    size_t nnever;
    bool vc;       /* SD-JWT VC: refuse to make iss, nbf, exp, cnf, vct, vct#integrity, aka_vcts,
                      status (or anything inside them) selectively disclosable; require vct */
    size_t decoys; /* decoy digests added to every "_sd" array made */
    enum cl_hash_alg sd_alg; /* 0 means sha-256 */
};

/**
 * Issue an SD-JWT over claims (the full payload: iss, iat, exp, vct, cnf, status, user
 * claims), which is copied, never modified. Each pointer must name an existing claim or array
 * element; pointers nested in another make recursive disclosures.
 * @param out  OUT: "<JWT>~<disclosure>~...~" as ASCII, NUL-terminated, in the arena
 * @return CL_OK, CL_ERR_POLICY (a claim that must never be selectively disclosable, named in
 *         where), CL_ERR_NOT_FOUND (a pointer names nothing), CL_ERR_INPUT (bad pointer,
 *         reserved claim name, no vct with vc), CL_ERR_CRYPTO, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_sdjwt_issue(struct cl_arena *a, const json_t *claims,
                                          const struct cl_sdjwt_issue_opts *opts,
                                          struct cl_bytes *out, struct cl_error *err);

/* ---- presenting (RFC 9901 §4.3, §6) ---- */

enum cl_sdjwt_present_flags {
    CL_SDJWT_PRESENT_EXACT = 1, /* disclose each pointer's own disclosure and its parents only,
                                   not the disclosures inside it */
};

struct cl_sdjwt_present_opts {
    const char *const *disclose; /* JSON pointers of the claims to disclose (each with
                                    everything inside it, and the parents it needs) */
    size_t ndisclose;
    const struct cl_key *holder_key; /* private; NULL: no KB-JWT (ends with "~") */
    const char *aud;                 /* KB-JWT "aud" */
    const char *nonce;               /* KB-JWT "nonce" */
    int64_t iat;                     /* KB-JWT "iat"; 0 means cl_now() */
    unsigned flags;                  /* enum cl_sdjwt_present_flags */
};

/**
 * Make a presentation from an issued SD-JWT: the issuer JWT, the disclosures needed for the
 * pointers (in the order issued), and a KB-JWT {"alg","typ":"kb+jwt"}.{"iat","aud","nonce",
 * "sd_hash"} signed with holder_key, which must match the credential's cnf.jwk when it has one.
 * @param out  OUT: the presentation, NUL-terminated, in the arena
 * @return CL_OK, CL_ERR_NOT_FOUND (a pointer names nothing), CL_ERR_POLICY (key is not the
 *         cnf key), CL_ERR_USAGE, and the codes of cl_sdjwt_parse/process
 */
CL_API CL_NODISCARD cl_err cl_sdjwt_present(struct cl_arena *a, struct cl_bytes credential,
                                            const struct cl_sdjwt_present_opts *opts,
                                            struct cl_bytes *out, struct cl_error *err);

/* ---- verifying (RFC 9901 §7) ---- */

struct cl_sdjwt_verify_opts {
    const struct cl_key *issuer_key;    /* the issuer's public key, or NULL with trust */
    const struct cl_x509_list *trust;   /* trust anchors (IACA roots) for an "x5c" chain */
    const struct cl_key *const *keyset; /* a configured JWK Set (RFC 7517 §5), with */
    const char *const *keyset_kids;     /* each key's "kid" (NULL entries: none) */
    size_t nkeyset;             /* the JWT's "kid" picks its key; without a kid each key is tried */
    unsigned algs;              /* allow-list (enum cl_jose_alg); 0: ES256 only */
    const char *const *typs;    /* accepted issuer "typ" values, NULL-ended; NULL:
                                   dc+sd-jwt and vc+sd-jwt */
    bool vc;                    /* SD-JWT VC rules: vct required, iss/cnf/status/... in the clear */
    bool require_kb;            /* a KB-JWT must be present and valid */
    const char *aud;            /* expected KB-JWT aud, or NULL not to check */
    const char *nonce;          /* expected KB-JWT nonce, or NULL not to check */
    int64_t now;                /* time to check at (seconds since the epoch) */
    int64_t leeway;             /* clock skew for exp/nbf/iat, 0..CL_JWT_LEEWAY_MAX */
    int64_t kb_max_age;         /* KB-JWT iat freshness window in seconds; 0 means 300 */
    struct cl_sdjwt_limits lim; /* zero: defaults */
    unsigned flags;             /* enum cl_sdjwt_verify_flags */
};

enum cl_sdjwt_verify_flags {
    CL_SDJWT_VERIFY_GENERAL = 1, /* no fast path for the common KB-JWT: the general JWS and
                                    JSON parsers only (tests compare the two) */
};

struct cl_sdjwt_verified {           /* written only on success */
    json_t *claims;                  /* processed payload (arena-owned): no _sd, _sd_alg, "..." */
    const char *vct;                 /* "vct", or NULL */
    const char *iss;                 /* "iss", or NULL */
    const json_t *status;            /* the "status" claim (borrowed from claims), or NULL */
    bool key_bound;                  /* a KB-JWT was present and verified */
    const struct cl_key *issuer_key; /* the key the issuer JWT verified with (the configured
                                        one, or the x5c leaf's, arena-owned) */
    size_t ndisclosures;
    struct cl_sdjwt sd; /* the parsed form */
};

/**
 * Verify a presentation (or an issued SD-JWT with require_kb false): parse; issuer JWT typ in
 * opts->typs, alg in the allow-list (never "none"), signature with issuer_key, a key of the
 * keyset (by "kid"), or with the
 * leaf of its "x5c" chained to trust at now (the leaf must not be a CA; the mdoc DS profile
 * is not required); process (cl_sdjwt_process); exp/nbf/iat at now; SD-JWT VC rules; then the
 * KB-JWT: typ "kb+jwt", signature with cnf.jwk, iat within kb_max_age, aud, nonce, sd_hash.
 * @return CL_OK; CL_ERR_SIGNATURE, CL_ERR_UNTRUSTED, CL_ERR_EXPIRED, CL_ERR_POLICY (typ, aud,
 *         nonce, alg), CL_ERR_DIGEST (sd_hash), CL_ERR_MISSING (vct, cnf, KB-JWT), and the
 *         codes of parse and process
 */
CL_API CL_NODISCARD cl_err cl_sdjwt_verify(struct cl_arena *a, struct cl_bytes presentation,
                                           const struct cl_sdjwt_verify_opts *opts,
                                           struct cl_sdjwt_verified *out, struct cl_error *err);

/* ---- helpers ---- */

/** "sha-256", "sha-384", "sha-512" (IANA Named Information Hash Algorithm names). */
CL_API const char *cl_sdjwt_alg_name(enum cl_hash_alg alg);

/**
 * The value at a JSON pointer (RFC 6901: "~0" is "~", "~1" is "/"; "" is the whole value),
 * borrowed, or NULL when absent or the pointer is malformed.
 */
CL_API json_t *cl_sdjwt_pointer_get(const json_t *root, const char *ptr);

/** Whether the claim named by ptr must never be selectively disclosable in an SD-JWT VC
 * (draft-ietf-oauth-sd-jwt-vc §3.2.2.2: iss, nbf, exp, cnf, vct, vct#integrity, aka_vcts (-18),
 * status and everything inside them). */
CL_API bool cl_sdjwt_vc_never_sd(const char *ptr);

CL_END_DECLS
#endif /* CARDLESS_SDJWT_H */
