/*
 * cardless/cose.h - COSE (RFC 9052, RFC 9053) for mdoc and CWT: COSE_Sign1 with ES256,
 * ES384, ES512; COSE_Mac0 with HMAC 256/64, 256/256, 384/384, 512/512; x5chain (RFC 9360);
 * COSE_Key for EC2 keys.
 *
 * Verification is over the bytes as received: the Sig_structure and MAC_structure embed the
 * protected header bstr exactly as it arrived, never a re-encoding of the decoded map. The
 * one exception is RFC 9052 §4.4: when the protected map is empty (received as h'' or as
 * h'a0'), body_protected is the zero-length bstr, as the COSE working group examples
 * (sign-pass-01, mac-pass-01) require. cl_cose_msg.protected_raw still holds what arrived.
 *
 * Memory: allocating functions take an arena first; results live until cl_arena_fini().
 * Input bytes are borrowed and must outlive the decoded message (its views point into them).
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL.
 * Secrets: MAC keys and private scalars are the caller's; wipe them with cl_wipe().
 */
#ifndef CARDLESS_COSE_H
#define CARDLESS_COSE_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/cbor.h"
#include "cardless/crypto.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

/* Algorithms: IANA "COSE Algorithms" registry (RFC 9053 §2.1, §3.1) */
enum cl_cose_alg {
    CL_COSE_ALG_ES256 = -7,
    CL_COSE_ALG_ES384 = -35,
    CL_COSE_ALG_ES512 = -36,
    CL_COSE_ALG_HMAC256_64 = 4, /* HMAC-SHA-256, tag truncated to 64 bits */
    CL_COSE_ALG_HMAC256 = 5,
    CL_COSE_ALG_HMAC384 = 6,
    CL_COSE_ALG_HMAC512 = 7,
};

/* Header parameter labels (RFC 9052 §3.1, RFC 9360 §2) */
#define CL_COSE_HDR_ALG 1
#define CL_COSE_HDR_CRIT 2
#define CL_COSE_HDR_CONTENT_TYPE 3
#define CL_COSE_HDR_KID 4
#define CL_COSE_HDR_IV 5
#define CL_COSE_HDR_PARTIAL_IV 6
#define CL_COSE_HDR_X5CHAIN 33

/* CBOR tags (RFC 9052 §2) */
#define CL_COSE_TAG_MAC0 17
#define CL_COSE_TAG_SIGN1 18

enum cl_cose_kind {
    CL_COSE_SIGN1 = 1,
    CL_COSE_MAC0 = 2,
};

/** A decoded COSE_Sign1 or COSE_Mac0: read the fields, never write them. */
struct cl_cose_msg {
    enum cl_cose_kind kind;
    bool tagged;                       /* received inside tag 18 (Sign1) or 17 (Mac0) */
    struct cl_bytes protected_raw;     /* protected bstr contents exactly as received */
    const struct cl_cbor *protected_h; /* decoded protected map; empty map for h'' */
    const struct cl_cbor *unprotected; /* unprotected map */
    bool detached;                     /* payload was nil: the caller supplies it */
    struct cl_bytes payload;           /* attached payload ({NULL,0} when detached) */
    struct cl_bytes signature;         /* signature (Sign1) or tag (Mac0) */
    const struct cl_cbor *item;        /* the whole decoded item, tag included */
};

enum cl_cose_flags {
    CL_COSE_ACCEPT_UNTAGGED = 1,    /* decode: also accept the bare array (mdoc IssuerAuth) */
    CL_COSE_ALG_UNPROTECTED_OK = 2, /* verify: accept alg found only in the unprotected map */
};

/* ---- decoding ---- */

/**
 * Decode a COSE_Sign1 (kind CL_COSE_SIGN1) or COSE_Mac0 strictly: the tag (unless
 * CL_COSE_ACCEPT_UNTAGGED and it is absent), an array of exactly four items, a protected
 * bstr holding a map (or empty), an unprotected map, a bstr or nil payload, a bstr
 * signature/tag. Header labels must be int or tstr and no label may appear in both maps
 * (RFC 9052 §3). crit, when present, must be in the protected map, a non-empty array of
 * labels each present in the protected map (RFC 9052 §3.1). lim NULL means the defaults.
 * @param flags  enum cl_cose_flags
 * @param out    OUT: the message, written only on success; views point into `in`
 * @return CL_OK, CL_ERR_INPUT (tag, shape, types), CL_ERR_DUPLICATE (label in both maps),
 *         CL_ERR_TRUNCATED, CL_ERR_ENCODING, CL_ERR_TOO_LARGE, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_cose_decode(struct cl_arena *a, struct cl_bytes in,
                                          enum cl_cose_kind kind, unsigned flags,
                                          const struct cl_cbor_limits *lim, struct cl_cose_msg *out,
                                          struct cl_error *err);

/* ---- header access (protected map first, then unprotected) ---- */

/** The value of header `label`, or NULL when it is in neither map. */
CL_API const struct cl_cbor *cl_cose_header_get(const struct cl_cose_msg *m, int64_t label);

/**
 * The algorithm (label 1). It must be an integer in the protected map, or, with
 * CL_COSE_ALG_UNPROTECTED_OK in flags, in the unprotected one.
 * @return CL_OK, CL_ERR_MISSING (absent, or only unprotected when that is not allowed),
 *         CL_ERR_UNSUPPORTED (a text algorithm name), CL_ERR_INPUT (another type)
 */
CL_API CL_NODISCARD cl_err cl_cose_header_alg(const struct cl_cose_msg *m, unsigned flags,
                                              int64_t *alg, struct cl_error *err);

/** The key identifier (label 4, a bstr): CL_OK, CL_ERR_NOT_FOUND, CL_ERR_INPUT. */
CL_API CL_NODISCARD cl_err cl_cose_header_kid(const struct cl_cose_msg *m, struct cl_bytes *kid,
                                              struct cl_error *err);

/**
 * The DER certificates of x5chain (label 33, RFC 9360 §2): a single bstr, or an array of
 * bstr (at most CL_LIMIT_X509_CHAIN), leaf first. *certs is an array in the arena of views
 * into the message.
 * @return CL_OK, CL_ERR_NOT_FOUND, CL_ERR_INPUT, CL_ERR_TOO_LARGE, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_cose_header_x5chain(struct cl_arena *a, const struct cl_cose_msg *m,
                                                  struct cl_bytes **certs, size_t *n,
                                                  struct cl_error *err);

/* ---- verification ---- */

struct cl_cose_verify_opts {
    const int64_t *algs; /* allow-list (enum cl_cose_alg values); required */
    size_t n_algs;
    struct cl_bytes external_aad;    /* {NULL,0} for none */
    const struct cl_bytes *detached; /* the payload when the message carries nil */
    const int64_t *crit_known;       /* labels the caller processes, for crit */
    size_t n_crit_known;
    unsigned flags; /* enum cl_cose_flags */
};

/**
 * Verify a decoded COSE_Sign1 with key: alg known (ES256/384/512), in the allow-list and
 * matching the key's curve; every crit label understood (labels 1-7 and 33 are ours, the
 * rest must be in crit_known); signature exactly twice the field size; ECDSA over the
 * Sig_structure.
 * @return CL_OK, CL_ERR_MISSING (alg, detached payload), CL_ERR_UNSUPPORTED (alg, crit),
 *         CL_ERR_POLICY (alg not allowed or not the key's curve), CL_ERR_SIGNATURE,
 *         CL_ERR_USAGE (a detached payload for an attached message), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_cose_sign1_verify(const struct cl_cose_msg *m,
                                                const struct cl_key *key,
                                                const struct cl_cose_verify_opts *opts,
                                                struct cl_error *err);

/**
 * Verify a decoded COSE_Mac0 with a symmetric key (SECRET): alg one of HMAC 256/64,
 * 256/256, 384/384, 512/512 and in the allow-list; the tag of exactly the algorithm's length
 * compared in constant time. Codes as cl_cose_sign1_verify.
 */
CL_API CL_NODISCARD cl_err cl_cose_mac0_verify(const struct cl_cose_msg *m, struct cl_bytes key,
                                               const struct cl_cose_verify_opts *opts,
                                               struct cl_error *err);

/**
 * Append the structure that is signed or MACed (RFC 9052 §4.4, §6.3):
 * [context, body_protected, external_aad, payload] with context "Signature1" for Sign1 and
 * "MAC0" for Mac0. body_protected is m->protected_raw, or h'' when the map is empty.
 * payload is the attached one, or *detached when the message carries nil.
 * @return CL_OK, CL_ERR_MISSING, CL_ERR_USAGE, CL_ERR_NOMEM, CL_ERR_TOO_LARGE
 */
CL_API CL_NODISCARD cl_err cl_cose_tbs(const struct cl_cose_msg *m, struct cl_bytes external_aad,
                                       const struct cl_bytes *detached, struct cl_buf *out,
                                       struct cl_error *err);

/* ---- creation ---- */

enum cl_cose_create_flags {
    CL_COSE_UNTAGGED = 1,          /* emit the bare array, without tag 18/17 */
    CL_COSE_DETACHED = 2,          /* emit nil as payload; the payload is still signed */
    CL_COSE_KID_PROTECTED = 4,     /* put kid in the protected map (default: unprotected) */
    CL_COSE_X5CHAIN_PROTECTED = 8, /* put x5chain in the protected map (default: unprotected) */
};

struct cl_cose_create_params {
    int64_t alg; /* enum cl_cose_alg; 0 for Sign1 means "from the key's curve" */
    /* further headers: a map tree, or a map's encoding (not both); label 1 is not allowed */
    const struct cl_cbor *protected_h;
    struct cl_bytes protected_enc;
    const struct cl_cbor *unprotected;
    struct cl_bytes unprotected_enc;
    struct cl_bytes kid;            /* label 4 when ptr is not NULL */
    const struct cl_bytes *x5chain; /* DER certificates, leaf first: label 33 */
    size_t n_x5chain;               /* 1: a bstr; more: an array of bstr */
    struct cl_bytes payload;
    struct cl_bytes external_aad;
    unsigned flags; /* enum cl_cose_create_flags */
};

/**
 * Create a COSE_Sign1 with a private key and append its encoding to out. The protected map
 * is {1: alg} merged with the further protected headers, deterministically encoded
 * (RFC 8949 §4.2.1); so is the unprotected map.
 * @return CL_OK, CL_ERR_USAGE (no private key, alg not the key's curve, a label twice or
 *         alg among the further headers, headers not a map), CL_ERR_UNSUPPORTED, CL_ERR_CRYPTO,
 *         CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_cose_sign1_create(const struct cl_key *key,
                                                const struct cl_cose_create_params *p,
                                                struct cl_buf *out, struct cl_error *err);

/** Create a COSE_Mac0 with a symmetric key (SECRET, not empty); alg must be an HMAC. */
CL_API CL_NODISCARD cl_err cl_cose_mac0_create(struct cl_bytes key,
                                               const struct cl_cose_create_params *p,
                                               struct cl_buf *out, struct cl_error *err);

/* ---- COSE_Key (RFC 9052 §7, RFC 9053 §7.1.1): EC2 on P-256, P-384, P-521 ---- */

#define CL_COSE_KEY_KTY 1
#define CL_COSE_KEY_KID 2
#define CL_COSE_KEY_ALG 3
#define CL_COSE_KEY_EC2_CRV (-1)
#define CL_COSE_KEY_EC2_X (-2)
#define CL_COSE_KEY_EC2_Y (-3)
#define CL_COSE_KEY_EC2_D (-4)
#define CL_COSE_KTY_EC2 2
#define CL_COSE_CRV_P256 1
#define CL_COSE_CRV_P384 2
#define CL_COSE_CRV_P521 3

/**
 * A key from a decoded COSE_Key map: kty 2, crv 1/2/3, x and y bstr each of the curve's
 * field size, optional d (private) of the same size. Other labels are ignored.
 * @return CL_OK, CL_ERR_INPUT (shape, types, lengths, a point off the curve),
 *         CL_ERR_MISSING, CL_ERR_UNSUPPORTED (another kty or crv, a compressed point),
 *         CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_cose_key_from_cbor(const struct cl_cbor *map, struct cl_key **out,
                                                 struct cl_error *err);
/** Like cl_cose_key_from_cbor, from the COSE_Key's encoding. */
CL_API CL_NODISCARD cl_err cl_cose_key_decode(struct cl_bytes in, struct cl_key **out,
                                              struct cl_error *err);
/**
 * Append the deterministic COSE_Key {1: 2, [2: kid,] -1: crv, -2: x, -3: y [, -4: d]}.
 * With include_private the key must be private, and out should be a secret buffer.
 * kid is left out when kid.ptr is NULL.
 */
CL_API CL_NODISCARD cl_err cl_cose_key_encode(const struct cl_key *key, struct cl_bytes kid,
                                              bool include_private, struct cl_buf *out,
                                              struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_COSE_H */
