/*
 * cardless/crypto.h - the cryptography every credential rests on, over OpenSSL 3 EVP:
 * EC keys (P-256 to create; P-256, P-384, P-521 to verify), ECDSA with raw r||s (JOSE/COSE)
 * and DER signatures, SHA-2, HMAC, HKDF, ECDH, AES-256-GCM, random bytes, constant-time
 * comparison. Keys in PEM here; JWK lives in jose.h and COSE_Key in cose.h, both built on
 * cl_key_from_coords()/cl_key_coords().
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL.
 * Secrets: private keys live inside OpenSSL; derived secrets are written to caller buffers,
 * which the caller wipes with cl_wipe().
 */
#ifndef CARDLESS_CRYPTO_H
#define CARDLESS_CRYPTO_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

enum cl_hash_alg {
    CL_HASH_SHA256 = 1,
    CL_HASH_SHA384 = 2,
    CL_HASH_SHA512 = 3,
};
#define CL_HASH_MAX 64 /* largest digest, SHA-512 */

enum cl_curve {
    CL_CURVE_P256 = 1,
    CL_CURVE_P384 = 2,
    CL_CURVE_P521 = 3,
};
#define CL_EC_COORD_MAX 66 /* P-521 coordinate */
#define CL_ECDSA_RAW_MAX 132 /* r||s for P-521 */
#define CL_ECDSA_DER_MAX 141

/** Digest length in bytes (32, 48, 64), or 0 for an unknown algorithm. */
CL_API size_t cl_hash_len(enum cl_hash_alg alg);
/** "SHA-256", "SHA-384", "SHA-512"; NULL for unknown. */
CL_API const char *cl_hash_name(enum cl_hash_alg alg);

/* ---- keys ---- */

struct cl_key; /* an EC public key, or a key pair; opaque */

/** A new P-256 key pair from the system's secure random source. */
CL_API CL_NODISCARD cl_err cl_key_generate(enum cl_curve curve, struct cl_key **out,
                                           struct cl_error *err);
CL_API void cl_key_free(struct cl_key *key);
/** Another reference to the same key (cheap; both must be freed). */
CL_API struct cl_key *cl_key_ref(struct cl_key *key);
/** Free the key when the arena ends; on CL_ERR_NOMEM the key has been freed already. */
CL_API CL_NODISCARD cl_err cl_key_defer(struct cl_arena *a, struct cl_key *key,
                                        struct cl_error *err);

/**
 * Read a key from PEM: "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" (SEC 1) or "PUBLIC KEY"
 * (SubjectPublicKeyInfo). Only EC keys on a supported curve are accepted; encrypted PEM
 * is refused. Exactly one key must be present.
 */
CL_API CL_NODISCARD cl_err cl_key_from_pem(struct cl_bytes pem, struct cl_key **out,
                                           struct cl_error *err);
/** Read a DER SubjectPublicKeyInfo (e.g. from a certificate). */
CL_API CL_NODISCARD cl_err cl_key_from_spki(struct cl_bytes der, struct cl_key **out,
                                            struct cl_error *err);
/**
 * A key from its affine coordinates (big-endian, each exactly the curve's field size) and,
 * when d is not {NULL,0}, its private scalar. The point is checked to lie on the curve and,
 * with d, to match d.
 */
CL_API CL_NODISCARD cl_err cl_key_from_coords(enum cl_curve curve, struct cl_bytes x,
                                              struct cl_bytes y, struct cl_bytes d,
                                              struct cl_key **out, struct cl_error *err);

CL_API enum cl_curve cl_key_curve(const struct cl_key *key);
CL_API bool cl_key_has_private(const struct cl_key *key);
/** Field size in bytes of the key's curve: 32, 48 or 66. */
CL_API size_t cl_key_coord_len(const struct cl_key *key);
/**
 * The public point as x and y (each cl_key_coord_len bytes) and, when d is not NULL and the
 * key is private, the private scalar (SECRET: wipe it). Buffers hold CL_EC_COORD_MAX bytes.
 */
CL_API CL_NODISCARD cl_err cl_key_coords(const struct cl_key *key, uint8_t *x, uint8_t *y,
                                         uint8_t *d, struct cl_error *err);

/** Append PKCS#8 "PRIVATE KEY" PEM (SECRET: the buffer should be a secret buffer). */
CL_API CL_NODISCARD cl_err cl_key_to_pem_private(const struct cl_key *key, struct cl_buf *out,
                                                 struct cl_error *err);
/** Append "PUBLIC KEY" PEM. */
CL_API CL_NODISCARD cl_err cl_key_to_pem_public(const struct cl_key *key, struct cl_buf *out,
                                                struct cl_error *err);
/** Append the DER SubjectPublicKeyInfo. */
CL_API CL_NODISCARD cl_err cl_key_to_spki(const struct cl_key *key, struct cl_buf *out,
                                          struct cl_error *err);
/** Whether two keys have the same public point. */
CL_API bool cl_key_equal_public(const struct cl_key *a, const struct cl_key *b);

/**
 * The OpenSSL EVP_PKEY inside (borrowed), for modules such as x509 that need it; built on the
 * first call for a public key imported from coordinates, NULL only if that runs out of memory.
 */
CL_API void *cl_key_evp(const struct cl_key *key);
/** Wrap an EVP_PKEY (the key takes one reference of its own; the caller keeps theirs). */
CL_API CL_NODISCARD cl_err cl_key_from_evp(void *evp_pkey, struct cl_key **out,
                                           struct cl_error *err);

/* ---- ECDSA ---- */

/**
 * Sign msg with ECDSA and hash alg (ES256 = P-256 + SHA-256), writing r||s, each padded to
 * the field size, into sig (CL_ECDSA_RAW_MAX bytes) and its length into *sig_len.
 */
CL_API CL_NODISCARD cl_err cl_ecdsa_sign(const struct cl_key *key, enum cl_hash_alg alg,
                                         struct cl_bytes msg, uint8_t *sig, size_t *sig_len,
                                         struct cl_error *err);
/**
 * Verify a raw r||s signature. A length other than twice the field size, r or s of zero or
 * not below the order, and a bad signature are all CL_ERR_SIGNATURE.
 */
CL_API CL_NODISCARD cl_err cl_ecdsa_verify(const struct cl_key *key, enum cl_hash_alg alg,
                                           struct cl_bytes msg, struct cl_bytes sig,
                                           struct cl_error *err);
/** Sign producing a DER ECDSA-Sig-Value (X.509, OpenSSL tools). */
CL_API CL_NODISCARD cl_err cl_ecdsa_sign_der(const struct cl_key *key, enum cl_hash_alg alg,
                                             struct cl_bytes msg, struct cl_buf *out,
                                             struct cl_error *err);
/** Verify a DER ECDSA-Sig-Value; non-canonical DER is refused. */
CL_API CL_NODISCARD cl_err cl_ecdsa_verify_der(const struct cl_key *key, enum cl_hash_alg alg,
                                               struct cl_bytes msg, struct cl_bytes sig,
                                               struct cl_error *err);
/** Convert r||s (each coord_len bytes) to DER and back. */
CL_API CL_NODISCARD cl_err cl_ecdsa_raw_to_der(struct cl_bytes raw, struct cl_buf *out,
                                               struct cl_error *err);
CL_API CL_NODISCARD cl_err cl_ecdsa_der_to_raw(struct cl_bytes der, size_t coord_len,
                                               uint8_t *raw, struct cl_error *err);

/* ---- hashes, MACs, KDF ---- */

CL_API CL_NODISCARD cl_err cl_hash(enum cl_hash_alg alg, struct cl_bytes msg, uint8_t *out,
                                   struct cl_error *err);
/** HMAC over msg; out receives cl_hash_len(alg) bytes. */
CL_API CL_NODISCARD cl_err cl_hmac(enum cl_hash_alg alg, struct cl_bytes key,
                                   struct cl_bytes msg, uint8_t *out, struct cl_error *err);
/** HKDF (RFC 5869) extract-and-expand into out[0..out_len). */
CL_API CL_NODISCARD cl_err cl_hkdf(enum cl_hash_alg alg, struct cl_bytes salt,
                                   struct cl_bytes ikm, struct cl_bytes info, uint8_t *out,
                                   size_t out_len, struct cl_error *err);
/** ECDH shared secret (the x coordinate, field-size bytes) between priv and peer's public key. */
CL_API CL_NODISCARD cl_err cl_ecdh(const struct cl_key *priv, const struct cl_key *peer,
                                   uint8_t *out, size_t *out_len, struct cl_error *err);

/* ---- AES-256-GCM ---- */
#define CL_GCM_TAG_LEN 16
#define CL_GCM_IV_LEN 12
/** Append ciphertext||tag (pt.len + 16 bytes) to out. key is 32 bytes, iv 12 bytes. */
CL_API CL_NODISCARD cl_err cl_aes256gcm_seal(const uint8_t key[32], const uint8_t iv[12],
                                             struct cl_bytes aad, struct cl_bytes pt,
                                             struct cl_buf *out, struct cl_error *err);
/** Open ciphertext||tag; a wrong tag is CL_ERR_SIGNATURE and nothing is appended. */
CL_API CL_NODISCARD cl_err cl_aes256gcm_open(const uint8_t key[32], const uint8_t iv[12],
                                             struct cl_bytes aad, struct cl_bytes ct_tag,
                                             struct cl_buf *out, struct cl_error *err);

/* ---- random, comparison ---- */

/** n bytes from the system's cryptographically secure generator. */
CL_API CL_NODISCARD cl_err cl_random(void *out, size_t n, struct cl_error *err);
/** A uniform integer in [0, bound), bound > 0, without modulo bias. */
CL_API CL_NODISCARD cl_err cl_random_below(uint64_t bound, uint64_t *out, struct cl_error *err);
/** Equal lengths (compared openly) and equal contents (compared in constant time). */
CL_API bool cl_ct_equal(struct cl_bytes a, struct cl_bytes b);

CL_END_DECLS
#endif /* CARDLESS_CRYPTO_H */
