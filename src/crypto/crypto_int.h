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
    bool priv;                      /* the key pair's private scalar is present */
    uint8_t order[CL_EC_COORD_MAX]; /* group order n, big-endian, coord_len bytes */
};

/** The curve's entry, or NULL for a value outside enum cl_curve. */
const struct cl_curve_info *cl_crypto_curve(enum cl_curve curve);

/** OpenSSL's digest name ("SHA2-256"), or NULL for an unknown algorithm. */
const char *cl_crypto_md_name(enum cl_hash_alg alg);

#endif /* CARDLESS_CRYPTO_INT_H */
