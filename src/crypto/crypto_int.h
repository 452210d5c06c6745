/*
 * crypto_int.h - what only the crypto module's files share: the key object behind struct
 * cl_key, the table of supported curves and the OpenSSL name of each hash.
 */
#ifndef CARDLESS_CRYPTO_INT_H
#define CARDLESS_CRYPTO_INT_H

#include <stdatomic.h>

#include <openssl/evp.h>

#include "cardless/crypto.h"

struct cl_curve_info {
    enum cl_curve curve;
    int nid;           /* OpenSSL NID of the named curve */
    const char *group; /* OpenSSL group name for OSSL_PKEY_PARAM_GROUP_NAME */
    const char *label; /* "P-256", as JOSE and COSE name it, for messages */
    size_t coord_len;  /* field size in bytes */
};

struct cl_key {
    /* An EC key on one of the curves below; never changed once set. A public key imported
     * from its coordinates starts without one (see point) and gets it on first need through
     * cl_crypto_key_pkey(): a holder's key is typically used for one verification, which the
     * thread's scratch key serves at a third of the cost of building an EVP_PKEY. */
    _Atomic(EVP_PKEY *) pkey;
    atomic_uint refs;
    enum cl_curve curve;
    size_t coord_len;
    bool priv; /* the key pair's private scalar is present */
    /* A verify context for the curve's own hash (ES256 on P-256, ...), made on first use and
     * reused: taken out with an atomic exchange while in use, so concurrent verifications with
     * one key never share it (the loser of a race makes its own). */
    _Atomic(EVP_PKEY_CTX *) vctx;
    atomic_uint verifies;           /* verifications so far, to choose scratch or cached context */
    uint8_t order[CL_EC_COORD_MAX]; /* group order n, big-endian, coord_len bytes */
    /* The uncompressed public point (SEC 1 §2.3.3) of a key imported from coordinates, already
     * checked to lie on the curve; point_len is 0 for every other key. */
    uint8_t point[1 + 2 * CL_EC_COORD_MAX];
    size_t point_len;
};

/**
 * The key's EVP_PKEY, built on first need for a key imported from coordinates (safe to call
 * from several threads: one wins, the others' copies are freed); NULL only when that build
 * fails (out of memory). Owned by the key.
 */
EVP_PKEY *cl_crypto_key_pkey(const struct cl_key *key);

/**
 * A verify context over the calling thread's scratch public key on the key's curve, set to the
 * key's point: borrowed, valid until the thread's next call, not to be freed. It has no digest
 * set: it verifies the digest it is given, whose length the caller made right (a digest only
 * adds that length check). Only for a key with a point (point_len != 0); NULL on failure.
 */
EVP_PKEY_CTX *cl_crypto_key_scratch_verify(const struct cl_key *key);

/** The curve's entry, or NULL for a value outside enum cl_curve. */
const struct cl_curve_info *cl_crypto_curve(enum cl_curve curve);

/** OpenSSL's digest name ("SHA2-256"), or NULL for an unknown algorithm. */
const char *cl_crypto_md_name(enum cl_hash_alg alg);

/**
 * The digest, fetched from the default provider once per process and kept (an implicit fetch
 * per call costs more than hashing a short message), or NULL for an unknown algorithm.
 */
const EVP_MD *cl_crypto_md(enum cl_hash_alg alg);

/** The hash that goes with the key's curve: SHA-256 for P-256, SHA-384, SHA-512. */
enum cl_hash_alg cl_crypto_curve_hash(enum cl_curve curve);

#endif /* CARDLESS_CRYPTO_INT_H */
