/*
 * digest.c - SHA-2 (FIPS 180-4), HMAC (RFC 2104) and HKDF (RFC 5869) through OpenSSL 3's
 * EVP_Digest with digests fetched once, EVP_MAC "HMAC" and EVP_KDF "HKDF". Only EVP: the
 * deprecated SHA*_Init block functions would be ~0.2 us faster a hash but bypass providers
 * (a FIPS provider could not be enforced).
 */
#include <stdatomic.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "cardless/alloc.h"
#include "crypto/crypto_int.h"

#include "base/banned.h"

static const struct {
    enum cl_hash_alg alg;
    size_t len;
    const char *name; /* as specifications write it */
    const char *md;   /* as OpenSSL fetches it */
} hashes[] = {
    {CL_HASH_SHA256, 32, "SHA-256", "SHA2-256"},
    {CL_HASH_SHA384, 48, "SHA-384", "SHA2-384"},
    {CL_HASH_SHA512, 64, "SHA-512", "SHA2-512"},
};

static int
find(enum cl_hash_alg alg)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(hashes); i++)
        if (hashes[i].alg == alg)
            return (int)i;
    return -1;
}

size_t
cl_hash_len(enum cl_hash_alg alg)
{
    int i = find(alg);

    return i < 0 ? 0 : hashes[i].len;
}

const char *
cl_hash_name(enum cl_hash_alg alg)
{
    int i = find(alg);

    return i < 0 ? NULL : hashes[i].name;
}

const char *
cl_crypto_md_name(enum cl_hash_alg alg)
{
    int i = find(alg);

    return i < 0 ? NULL : hashes[i].md;
}

const EVP_MD *
cl_crypto_md(enum cl_hash_alg alg)
{
    static _Atomic(EVP_MD *) cache[4];
    const char *name = cl_crypto_md_name(alg);
    EVP_MD *md, *expected = NULL;

    if (name == NULL)
        return NULL;
    md = atomic_load(&cache[alg]);
    if (md != NULL)
        return md;
    md = EVP_MD_fetch(NULL, name, NULL);
    if (md == NULL)
        return NULL;
    if (!atomic_compare_exchange_strong(&cache[alg], &expected, md)) {
        EVP_MD_free(md); /* another thread fetched it first */
        md = expected;
    }
    return md; /* kept for the life of the process, like OpenSSL's own caches */
}

enum cl_hash_alg
cl_crypto_curve_hash(enum cl_curve curve)
{
    switch (curve) {
    case CL_CURVE_P384:
        return CL_HASH_SHA384;
    case CL_CURVE_P521:
        return CL_HASH_SHA512;
    default:
        return CL_HASH_SHA256;
    }
}

/*
 * Each thread's digest contexts, one per algorithm, initialised again for every hash:
 * EVP_Digest() allocates and frees a context and the provider's state each call, which costs
 * more than hashing a disclosure or an item. Freed when the thread ends; without them (no
 * memory) cl_hash() falls back to EVP_Digest().
 */
struct hash_ctxs {
    EVP_MD_CTX *ctx[4];
};

static CRYPTO_THREAD_LOCAL hash_local;
static bool hash_local_ok;
static CRYPTO_ONCE hash_once = CRYPTO_ONCE_STATIC_INIT;

static void
hash_ctxs_free(void *p)
{
    struct hash_ctxs *h = p;

    if (h == NULL)
        return;
    for (size_t i = 0; i < CL_ARRAY_LEN(h->ctx); i++)
        EVP_MD_CTX_free(h->ctx[i]);
    cl_free(h);
}

static void
hash_init(void)
{
    hash_local_ok = CRYPTO_THREAD_init_local(&hash_local, hash_ctxs_free) == 1;
}

/* The thread's context for alg, initialised for md; NULL when it cannot have one. */
static EVP_MD_CTX *
hash_ctx(enum cl_hash_alg alg, const EVP_MD *md)
{
    struct hash_ctxs *h;

    if ((unsigned)alg >= 4 || !CRYPTO_THREAD_run_once(&hash_once, hash_init) || !hash_local_ok)
        return NULL;
    h = CRYPTO_THREAD_get_local(&hash_local);
    if (h == NULL) {
        h = cl_malloc(sizeof *h);
        if (h == NULL)
            return NULL;
        memset(h, 0, sizeof *h);
        if (CRYPTO_THREAD_set_local(&hash_local, h) != 1) {
            cl_free(h);
            return NULL;
        }
    }
    if (h->ctx[alg] == NULL) {
        h->ctx[alg] = EVP_MD_CTX_new();
        if (h->ctx[alg] == NULL || EVP_DigestInit_ex2(h->ctx[alg], md, NULL) != 1) {
            EVP_MD_CTX_free(h->ctx[alg]);
            h->ctx[alg] = NULL;
            return NULL;
        }
        return h->ctx[alg];
    }
    /* the same digest again: the provider's state is reset, not reallocated */
    return EVP_DigestInit_ex2(h->ctx[alg], NULL, NULL) == 1 ? h->ctx[alg] : NULL;
}

cl_err
cl_hash(enum cl_hash_alg alg, struct cl_bytes msg, uint8_t *out, struct cl_error *err)
{
    const EVP_MD *md = cl_crypto_md(alg);
    const uint8_t *p = msg.len != 0 ? msg.ptr : (const uint8_t *)"";
    EVP_MD_CTX *ctx;
    unsigned int n = 0;
    cl_err rc = CL_OK;
    int ok;

    if (md == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "alg", "unknown hash algorithm");
    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the digest");
    ctx = hash_ctx(alg, md);
    if (ctx != NULL)
        ok = EVP_DigestUpdate(ctx, p, msg.len) == 1 && EVP_DigestFinal_ex(ctx, out, &n) == 1;
    else
        ok = EVP_Digest(p, msg.len, out, &n, md, NULL) == 1;
    if (!ok || n != cl_hash_len(alg)) {
        memset(out, 0, cl_hash_len(alg));
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "%s failed", cl_hash_name(alg));
        ERR_clear_error(); /* only a failure leaves entries: clearing costs more than hashing */
    }
    return rc;
}

cl_err
cl_hmac(enum cl_hash_alg alg, struct cl_bytes key, struct cl_bytes msg, uint8_t *out,
        struct cl_error *err)
{
    const char *md = cl_crypto_md_name(alg);
    size_t n = 0;
    cl_err rc = CL_OK;

    if (md == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "alg", "unknown hash algorithm");
    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the MAC");
    /* an empty key is a key of zeros (RFC 2104 §2); OpenSSL wants a pointer all the same */
    if (EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key.len != 0 ? key.ptr : (const uint8_t *)"",
                  key.len, msg.len != 0 ? msg.ptr : (const uint8_t *)"", msg.len, out,
                  cl_hash_len(alg), &n) == NULL ||
        n != cl_hash_len(alg)) {
        cl_wipe(out, cl_hash_len(alg));
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "HMAC-%s failed", cl_hash_name(alg));
    }
    ERR_clear_error();
    return rc;
}

cl_err
cl_hkdf(enum cl_hash_alg alg, struct cl_bytes salt, struct cl_bytes ikm, struct cl_bytes info,
        uint8_t *out, size_t out_len, struct cl_error *err)
{
    const char *md = cl_crypto_md_name(alg);
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *ctx = NULL;
    OSSL_PARAM params[5];
    size_t np = 0;
    cl_err rc;

    if (md == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "alg", "unknown hash algorithm");
    if (out == NULL || out_len == 0)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the output key material");
    /* RFC 5869 §2.3: L <= 255*HashLen */
    if (out_len > 255 * cl_hash_len(alg))
        return cl_fail(err, CL_ERR_USAGE, "length", "HKDF output is longer than 255 blocks");

    params[np++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
    params[np++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_KEY, (void *)(ikm.len != 0 ? ikm.ptr : (const uint8_t *)""), ikm.len);
    /* RFC 5869 §2.2: an absent salt is HashLen zeros, as OpenSSL does without the parameter */
    if (salt.len != 0)
        params[np++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt.ptr, salt.len);
    if (info.len != 0)
        params[np++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info.ptr, info.len);
    params[np] = OSSL_PARAM_construct_end();

    kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    ctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    if (ctx == NULL) {
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "cannot start HKDF");
        goto out;
    }
    if (EVP_KDF_derive(ctx, out, out_len, params) != 1) {
        /* OpenSSL 3.0 caps info at 1024 bytes; anything else here is its failure */
        rc = cl_fail(err, info.len > 1024 ? CL_ERR_TOO_LARGE : CL_ERR_CRYPTO, "info",
                     "HKDF-%s derivation failed", cl_hash_name(alg));
        cl_wipe(out, out_len);
        goto out;
    }
    rc = CL_OK;
out:
    ERR_clear_error();
    EVP_KDF_CTX_free(ctx); /* clears the key material it copied */
    EVP_KDF_free(kdf);
    return rc;
}
