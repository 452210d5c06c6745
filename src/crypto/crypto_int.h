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
    EVP_PKEY *pkey; /* an EC key on one of the curves below; never changed after creation */
    atomic_uint refs;
    enum cl_curve curve;
    size_t coord_len;
    bool priv; /* the key pair's private scalar is present */
    /* A verify context for the curve's own hash (ES256 on P-256, ...), made on first use and
     * reused: taken out with an atomic exchange while in use, so concurrent verifications with
     * one key never share it (the loser of a race makes its own). */
    _Atomic(EVP_PKEY_CTX *) vctx;
    uint8_t order[CL_EC_COORD_MAX]; /* group order n, big-endian, coord_len bytes */
};

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
