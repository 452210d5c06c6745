/*
 * ecdh.c - Elliptic Curve Diffie-Hellman (SEC 1 v2 §3.3.1) through EVP_PKEY_derive; the
 * shared secret is the x coordinate, as ISO 18013-5 session encryption and HPKE expect.
 */
#include <openssl/err.h>
#include <openssl/evp.h>

#include "cardless/alloc.h"
#include "crypto/crypto_int.h"

#include "base/banned.h"

cl_err
cl_ecdh(const struct cl_key *priv, const struct cl_key *peer, uint8_t *out, size_t *out_len,
        struct cl_error *err)
{
    EVP_PKEY_CTX *pc = NULL;
    EVP_PKEY *peer_pkey;
    size_t n = CL_EC_COORD_MAX;
    cl_err rc;

    if (out == NULL || out_len == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the shared secret");
    *out_len = 0;
    if (!priv->priv)
        return cl_fail(err, CL_ERR_USAGE, "key", "ECDH needs a private key");
    if (priv->curve != peer->curve)
        return cl_fail(err, CL_ERR_INPUT, "peer", "peer key is on another curve");
    peer_pkey = cl_crypto_key_pkey(peer);
    pc =
        peer_pkey != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, cl_crypto_key_pkey(priv), NULL) : NULL;
    if (pc == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a derivation context");
        goto out;
    }
    /* validate = 1: the peer's point is checked again (SEC 1 v2 §3.2.2.1) */
    if (EVP_PKEY_derive_init(pc) != 1 || EVP_PKEY_derive_set_peer_ex(pc, peer_pkey, 1) != 1) {
        rc = cl_fail(err, CL_ERR_INPUT, "peer", "peer key cannot be used for ECDH");
        goto out;
    }
    if (EVP_PKEY_derive(pc, out, &n) != 1 || n != priv->coord_len) {
        cl_wipe(out, CL_EC_COORD_MAX);
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "ECDH derivation failed");
        goto out;
    }
    *out_len = n;
    rc = CL_OK;
out:
    ERR_clear_error();
    EVP_PKEY_CTX_free(pc);
    return rc;
}
