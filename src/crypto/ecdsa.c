/*
 * ecdsa.c - ECDSA signatures in the two forms credentials use: raw r||s, each padded to the
 * field size (JOSE RFC 7518 §3.4, COSE RFC 9053 §2.1), and DER ECDSA-Sig-Value (X.509).
 */
#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "cardless/alloc.h"
#include "crypto/crypto_int.h"

#include "base/banned.h"

#define DER_SIG_BUF 160 /* above the largest DER ECDSA-Sig-Value, 139 bytes for P-521 */

/* ---- DER <-> raw ---- */

/*
 * DER ECDSA-Sig-Value (RFC 3279 §2.2.3) to r||s of coord_len bytes each. Non-canonical DER
 * (BER lengths, extra leading zeros, trailing bytes) is refused: re-encoding must give back
 * the same bytes. `code` is the error to report (input for conversions, signature in verify).
 */
static cl_err
der_to_raw(struct cl_bytes der, size_t coord_len, uint8_t *raw, cl_err code, struct cl_error *err)
{
    const unsigned char *p = der.ptr;
    ECDSA_SIG *sig = NULL;
    unsigned char *re = NULL;
    const BIGNUM *r, *s;
    int relen;
    cl_err rc;

    if (coord_len == 0 || coord_len > CL_EC_COORD_MAX) {
        rc = cl_fail(err, CL_ERR_USAGE, NULL, "coordinate length must be 1 to %d bytes",
                     CL_EC_COORD_MAX);
        goto out;
    }
    if (der.len == 0 || der.len > CL_ECDSA_DER_MAX) {
        rc = cl_fail(err, code, "signature", "DER signature length is out of range");
        goto out;
    }
    sig = d2i_ECDSA_SIG(NULL, &p, (long)der.len);
    if (sig == NULL || p != der.ptr + der.len) {
        rc = cl_fail(err, code, "signature", "not a DER ECDSA-Sig-Value");
        goto out;
    }
    relen = i2d_ECDSA_SIG(sig, &re);
    if (relen <= 0 || (size_t)relen != der.len || memcmp(re, der.ptr, der.len) != 0) {
        rc = cl_fail(err, code, "signature", "ECDSA-Sig-Value is not canonical DER");
        goto out;
    }
    ECDSA_SIG_get0(sig, &r, &s);
    if (BN_is_negative(r) || BN_is_negative(s) || (size_t)BN_num_bytes(r) > coord_len ||
        (size_t)BN_num_bytes(s) > coord_len) {
        rc = cl_fail(err, code, "signature", "r or s does not fit the curve's field size");
        goto out;
    }
    if (BN_bn2binpad(r, raw, (int)coord_len) != (int)coord_len ||
        BN_bn2binpad(s, raw + coord_len, (int)coord_len) != (int)coord_len) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "signature", "cannot convert r and s");
        goto out;
    }
    rc = CL_OK;
out:
    if (rc != CL_OK && raw != NULL && coord_len <= CL_EC_COORD_MAX)
        memset(raw, 0, 2 * coord_len);
    ERR_clear_error();
    OPENSSL_free(re);
    ECDSA_SIG_free(sig);
    return rc;
}

/* One unsigned big-endian integer as a DER INTEGER (X.690 §8.3): minimal, non-negative. */
static size_t
der_put_uint(unsigned char *p, const uint8_t *v, size_t n)
{
    size_t k = 0, len;

    while (k + 1 < n && v[k] == 0)
        k++;
    len = n - k + (v[k] & 0x80 ? 1 : 0);
    p[0] = 0x02;
    p[1] = (unsigned char)len;
    if (v[k] & 0x80)
        p[2] = 0;
    memcpy(p + 2 + len - (n - k), v + k, n - k);
    return 2 + len;
}

/* r||s to DER into der[DER_SIG_BUF]: ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
 * (RFC 3279 §2.2.3), encoded here directly rather than through BIGNUMs. */
static cl_err
raw_to_der(struct cl_bytes raw, unsigned char *der, size_t *der_len, struct cl_error *err)
{
    unsigned char body[DER_SIG_BUF];
    size_t half = raw.len / 2, n, h;

    *der_len = 0;
    if (raw.len == 0 || raw.len % 2 != 0 || raw.len > CL_ECDSA_RAW_MAX)
        return cl_fail(err, CL_ERR_INPUT, "signature",
                       "raw signature must be r||s of equal halves, at most %d bytes",
                       CL_ECDSA_RAW_MAX);
    /* each INTEGER is at most 2 + 1 + 66 bytes: the body stays below 128 + 12 */
    n = der_put_uint(body, raw.ptr, half);
    n += der_put_uint(body + n, raw.ptr + half, half);
    der[0] = 0x30;
    if (n < 0x80) {
        der[1] = (unsigned char)n;
        h = 2;
    } else {
        der[1] = 0x81;
        der[2] = (unsigned char)n;
        h = 3;
    }
    if (h + n > DER_SIG_BUF)
        return cl_fail(err, CL_ERR_INTERNAL, "signature", "ECDSA-Sig-Value does not fit");
    memcpy(der + h, body, n);
    *der_len = h + n;
    return CL_OK;
}

cl_err
cl_ecdsa_raw_to_der(struct cl_bytes raw, struct cl_buf *out, struct cl_error *err)
{
    unsigned char der[DER_SIG_BUF];
    size_t n;
    cl_err rc = raw_to_der(raw, der, &n, err);

    if (rc != CL_OK)
        return rc;
    cl_buf_append(out, der, n);
    return cl_buf_check(out, "signature", err);
}

cl_err
cl_ecdsa_der_to_raw(struct cl_bytes der, size_t coord_len, uint8_t *raw, struct cl_error *err)
{
    if (raw == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the signature");
    return der_to_raw(der, coord_len, raw, CL_ERR_INPUT, err);
}

/* ---- sign ---- */

/* DER signature of msg into der[DER_SIG_BUF]. */
static cl_err
sign_der(const struct cl_key *key, enum cl_hash_alg alg, struct cl_bytes msg, unsigned char *der,
         size_t *der_len, struct cl_error *err)
{
    const char *md_name = cl_crypto_md_name(alg);
    EVP_MD_CTX *md = NULL;
    size_t n = DER_SIG_BUF;
    cl_err rc;

    *der_len = 0;
    if (md_name == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "alg", "unknown hash algorithm");
    if (!key->priv)
        return cl_fail(err, CL_ERR_USAGE, "key", "cannot sign with a public key");
    md = EVP_MD_CTX_new();
    if (md == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a digest context");
        goto out;
    }
    if (EVP_DigestSignInit_ex(md, NULL, md_name, NULL, NULL, cl_crypto_key_pkey(key), NULL) != 1 ||
        EVP_DigestSign(md, der, &n, msg.ptr, msg.len) != 1) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "key", "ECDSA signing failed");
        goto out;
    }
    *der_len = n;
    rc = CL_OK;
out:
    ERR_clear_error();
    EVP_MD_CTX_free(md);
    return rc;
}

cl_err
cl_ecdsa_sign(const struct cl_key *key, enum cl_hash_alg alg, struct cl_bytes msg, uint8_t *sig,
              size_t *sig_len, struct cl_error *err)
{
    unsigned char der[DER_SIG_BUF];
    size_t der_len;
    cl_err rc;

    if (sig == NULL || sig_len == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the signature");
    *sig_len = 0;
    rc = sign_der(key, alg, msg, der, &der_len, err);
    if (rc == CL_OK)
        rc = der_to_raw(cl_bytes_of(der, der_len), key->coord_len, sig, CL_ERR_CRYPTO, err);
    if (rc == CL_OK)
        *sig_len = 2 * key->coord_len;
    return rc;
}

cl_err
cl_ecdsa_sign_der(const struct cl_key *key, enum cl_hash_alg alg, struct cl_bytes msg,
                  struct cl_buf *out, struct cl_error *err)
{
    unsigned char der[DER_SIG_BUF];
    size_t der_len;
    cl_err rc = sign_der(key, alg, msg, der, &der_len, err);

    if (rc != CL_OK)
        return rc;
    cl_buf_append(out, der, der_len);
    return cl_buf_check(out, "signature", err);
}

/* ---- verify ---- */

static bool
is_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

cl_err
cl_ecdsa_verify(const struct cl_key *key, enum cl_hash_alg alg, struct cl_bytes msg,
                struct cl_bytes sig, struct cl_error *err)
{
    const char *md_name = cl_crypto_md_name(alg);
    size_t n = key->coord_len;
    unsigned char der[DER_SIG_BUF];
    size_t der_len;
    const EVP_MD *mdp;
    uint8_t digest[CL_HASH_MAX];
    unsigned int dlen = 0;
    EVP_PKEY_CTX *ctx = NULL, *scratch;
    EVP_PKEY *pkey;
    bool cacheable, first;
    cl_err rc;

    if (md_name == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "alg", "unknown hash algorithm");
    /* RFC 7518 §3.4: exactly 2 * field size; RFC 9053 §2.1 likewise */
    if (sig.len != 2 * n || sig.ptr == NULL)
        return cl_fail(err, CL_ERR_SIGNATURE, "signature",
                       "signature must be %zu bytes (r||s) for this key", 2 * n);
    /* SEC 1 v2 §4.1.4 step 1: r and s in [1, n-1] */
    if (is_zero(sig.ptr, n) || memcmp(sig.ptr, key->order, n) >= 0)
        return cl_fail(err, CL_ERR_SIGNATURE, "signature", "r is zero or not below the order");
    if (is_zero(sig.ptr + n, n) || memcmp(sig.ptr + n, key->order, n) >= 0)
        return cl_fail(err, CL_ERR_SIGNATURE, "signature", "s is zero or not below the order");
    rc = raw_to_der(sig, der, &der_len, err);
    if (rc != CL_OK)
        return rc;
    mdp = cl_crypto_md(alg);
    dlen = (unsigned int)cl_hash_len(alg);
    if (mdp == NULL || cl_hash(alg, msg, digest, NULL) != CL_OK) {
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "cannot hash the signed message");
        goto out;
    }
    /* The key's verify context is a cache, not part of its value: taking it out is safe on a
     * const key because nothing else reads it while it is out. A key imported from its
     * coordinates is verified once, typically (a holder's key): the first time with the
     * thread's scratch key and context, from the second on as any other key. */
    cacheable = alg == cl_crypto_curve_hash(key->curve);
    first = key->point_len != 0 && atomic_fetch_add(&((struct cl_key *)key)->verifies, 1u) == 0 &&
            atomic_load(&((struct cl_key *)key)->pkey) == NULL;
    scratch = first ? cl_crypto_key_scratch_verify(key) : NULL; /* NULL: the path below */
    if (scratch != NULL) { /* no digest set on it: the digest made above is the right length */
        rc = CL_OK;
        if (EVP_PKEY_verify(scratch, der, der_len, digest, dlen) != 1)
            rc = cl_fail(err, CL_ERR_SIGNATURE, "signature", "ECDSA signature does not verify");
        goto out;
    }
    if (cacheable)
        ctx = atomic_exchange(&((struct cl_key *)key)->vctx, NULL);
    if (ctx == NULL) {
        pkey = cl_crypto_key_pkey(key);
        ctx = pkey != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL) : NULL;
        if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 ||
            EVP_PKEY_CTX_set_signature_md(ctx, mdp) != 1) {
            rc = cl_fail(err, CL_ERR_CRYPTO, "key", "cannot start ECDSA verification");
            goto out;
        }
    }
    rc = CL_OK;
    if (EVP_PKEY_verify(ctx, der, der_len, digest, dlen) != 1)
        rc = cl_fail(err, CL_ERR_SIGNATURE, "signature", "ECDSA signature does not verify");
    if (cacheable) {
        EVP_PKEY_CTX *expected = NULL;

        if (atomic_compare_exchange_strong(&((struct cl_key *)key)->vctx, &expected, ctx))
            ctx = NULL; /* back in the key for the next verification */
    }
out:
    ERR_clear_error(); /* a failed verify leaves entries behind for the next caller */
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

cl_err
cl_ecdsa_verify_der(const struct cl_key *key, enum cl_hash_alg alg, struct cl_bytes msg,
                    struct cl_bytes sig, struct cl_error *err)
{
    uint8_t raw[CL_ECDSA_RAW_MAX];
    cl_err rc = der_to_raw(sig, key->coord_len, raw, CL_ERR_SIGNATURE, err);

    if (rc != CL_OK)
        return rc;
    return cl_ecdsa_verify(key, alg, msg, cl_bytes_of(raw, 2 * key->coord_len), err);
}
