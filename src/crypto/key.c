/*
 * key.c - EC keys over OpenSSL 3 EVP_PKEY: generation, import from PEM, SPKI and affine
 * coordinates (each checked to lie on a supported curve), export, comparison.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cardless/alloc.h"
#include "cardless/limits.h"
#include "crypto/crypto_int.h"

#include "base/banned.h"

static const struct cl_curve_info curves[] = {
    {CL_CURVE_P256, NID_X9_62_prime256v1, "P-256", "P-256", 32},
    {CL_CURVE_P384, NID_secp384r1, "P-384", "P-384", 48},
    {CL_CURVE_P521, NID_secp521r1, "P-521", "P-521", 66},
};

const struct cl_curve_info *
cl_crypto_curve(enum cl_curve curve)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(curves); i++)
        if (curves[i].curve == curve)
            return &curves[i];
    return NULL;
}

static const struct cl_curve_info *
curve_by_nid(int nid)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(curves); i++)
        if (curves[i].nid == nid)
            return &curves[i];
    return NULL;
}

/* ---- wrapping an EVP_PKEY ---- */

/* The group order n as coord_len big-endian bytes, for the r, s < n check in verify. */
static bool
group_order_compute(const struct cl_curve_info *ci, uint8_t *out)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name_ex(NULL, NULL, ci->nid);
    bool ok = false;

    if (g != NULL) {
        const BIGNUM *n = EC_GROUP_get0_order(g);

        ok = n != NULL && BN_bn2binpad(n, out, (int)ci->coord_len) == (int)ci->coord_len;
    }
    EC_GROUP_free(g);
    return ok;
}

/* The orders of the three curves, computed once per process: building an EC_GROUP per key
 * cost as much as the rest of importing a key. */
static uint8_t orders[4][CL_EC_COORD_MAX];
static bool orders_ok[4];
static CRYPTO_ONCE orders_once = CRYPTO_ONCE_STATIC_INIT;

static void
orders_init(void)
{
    for (int c = CL_CURVE_P256; c <= CL_CURVE_P521; c++) {
        const struct cl_curve_info *ci = cl_crypto_curve((enum cl_curve)c);

        orders_ok[c] = ci != NULL && group_order_compute(ci, orders[c]);
    }
    ERR_clear_error();
}

static bool
group_order(const struct cl_curve_info *ci, uint8_t *out)
{
    if (!CRYPTO_THREAD_run_once(&orders_once, orders_init) || !orders_ok[ci->curve])
        return false;
    memcpy(out, orders[ci->curve], ci->coord_len);
    return true;
}

/*
 * Parameter-only keys of the three curves, made once per process. A public key from its
 * coordinates is then a copy of these parameters plus the point: a fifth of the cost of
 * EVP_PKEY_fromdata(), which builds the curve from its name every time (and d2i_PUBKEY()
 * costs five times more again). Importing holder keys is per presentation, so it counts.
 */
static EVP_PKEY *templates[4];
static CRYPTO_ONCE templates_once = CRYPTO_ONCE_STATIC_INIT;

static void
templates_init(void)
{
    for (int c = CL_CURVE_P256; c <= CL_CURVE_P521; c++) {
        const struct cl_curve_info *ci = cl_crypto_curve((enum cl_curve)c);
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        OSSL_PARAM params[2];

        params[0] =
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)ci->group, 0);
        params[1] = OSSL_PARAM_construct_end();
        if (pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
            EVP_PKEY_fromdata(pc, &templates[c], EVP_PKEY_KEY_PARAMETERS, params) != 1)
            templates[c] = NULL;
        EVP_PKEY_CTX_free(pc);
    }
    ERR_clear_error();
}

/* A public key on ci from an uncompressed point, checked to lie on the curve; NULL if not. */
static EVP_PKEY *
public_from_point(const struct cl_curve_info *ci, const uint8_t *point, size_t len)
{
    EVP_PKEY *pkey = NULL;

    if (!CRYPTO_THREAD_run_once(&templates_once, templates_init) || templates[ci->curve] == NULL)
        return NULL;
    pkey = EVP_PKEY_new();
    /*
     * SEC 1 v2 §3.2.2.1: the encoded point is decoded with EC_POINT_oct2point(), which since
     * OpenSSL 1.1.1 refuses coordinates not on the curve, and an uncompressed encoding cannot
     * name the point at infinity; on a cofactor-1 curve that is the whole check (see
     * check_pkey()). test_crypto's off-curve rows hold OpenSSL to it.
     */
    if (pkey == NULL || EVP_PKEY_copy_parameters(pkey, templates[ci->curve]) != 1 ||
        EVP_PKEY_set1_encoded_public_key(pkey, point, len) != 1)
        goto fail;
    return pkey;
fail:
    EVP_PKEY_free(pkey);
    return NULL;
}

/*
 * Each thread's scratch public keys, one per curve: a key imported from coordinates is
 * verified with the scratch key set to its point (EVP_PKEY_set1_encoded_public_key, which
 * checks the point) and the thread's verify context over it initialised again. Setting a
 * point costs a tenth of copying the curve parameters into a new EVP_PKEY; the point a
 * scratch key holds is remembered, so the import's check and the verification set it once.
 * A thread's scratch keys are freed when it ends (OpenSSL's thread-local destructor): as
 * OpenSSL requires, threads end before an explicit OPENSSL_cleanup().
 */
struct scratch {
    EVP_PKEY *pkey[4];
    EVP_PKEY_CTX *vctx[4]; /* over pkey[curve]; initialised again for each verification */
    uint8_t point[4][1 + 2 * CL_EC_COORD_MAX]; /* what pkey[curve] holds, when held[curve] */
    bool held[4];
};

static CRYPTO_THREAD_LOCAL scratch_local;
static bool scratch_local_ok;
static CRYPTO_ONCE scratch_once = CRYPTO_ONCE_STATIC_INIT;

static void
scratch_free(void *p)
{
    struct scratch *sc = p;

    if (sc == NULL)
        return;
    for (size_t i = 0; i < CL_ARRAY_LEN(sc->pkey); i++) {
        EVP_PKEY_CTX_free(sc->vctx[i]);
        EVP_PKEY_free(sc->pkey[i]);
    }
    cl_free(sc);
}

static void
scratch_init(void)
{
    scratch_local_ok = CRYPTO_THREAD_init_local(&scratch_local, scratch_free) == 1;
}

/* The thread's scratch keys, made on its first call; NULL if out of memory. */
static struct scratch *
scratch_get(void)
{
    struct scratch *sc;

    if (!CRYPTO_THREAD_run_once(&scratch_once, scratch_init) || !scratch_local_ok)
        return NULL;
    sc = CRYPTO_THREAD_get_local(&scratch_local);
    if (sc == NULL) {
        sc = cl_malloc(sizeof *sc);
        if (sc == NULL)
            return NULL;
        memset(sc, 0, sizeof *sc);
        if (CRYPTO_THREAD_set_local(&scratch_local, sc) != 1) {
            cl_free(sc);
            return NULL;
        }
    }
    return sc;
}

/* The thread's scratch key on ci set to point, or NULL (not a point on ci, or no memory). */
static EVP_PKEY *
scratch_set(struct scratch *sc, const struct cl_curve_info *ci, const uint8_t *point, size_t len)
{
    int c = ci->curve;

    if (sc == NULL || len != 1 + 2 * ci->coord_len)
        return NULL;
    if (sc->held[c] && memcmp(sc->point[c], point, len) == 0)
        return sc->pkey[c]; /* checked and set by the last call */
    sc->held[c] = false;    /* a failed set may leave the key half-changed */
    if (sc->pkey[c] == NULL)
        sc->pkey[c] = public_from_point(ci, point, len);
    else if (EVP_PKEY_set1_encoded_public_key(sc->pkey[c], point, len) != 1)
        return NULL;
    if (sc->pkey[c] == NULL)
        return NULL;
    memcpy(sc->point[c], point, len);
    sc->held[c] = true;
    return sc->pkey[c];
}

EVP_PKEY_CTX *
cl_crypto_key_scratch_verify(const struct cl_key *key)
{
    const struct cl_curve_info *ci = cl_crypto_curve(key->curve);
    struct scratch *sc = scratch_get();
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey;

    if (ci == NULL || key->point_len == 0)
        return NULL;
    pkey = scratch_set(sc, ci, key->point, key->point_len);
    if (pkey == NULL)
        goto out;
    if (sc->vctx[ci->curve] == NULL)
        sc->vctx[ci->curve] = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    /* initialising takes the key as it is now, the point just set (EVP_PKEY_verify_init(3)) */
    if (sc->vctx[ci->curve] != NULL && EVP_PKEY_verify_init(sc->vctx[ci->curve]) == 1)
        ctx = sc->vctx[ci->curve];
out:
    ERR_clear_error();
    return ctx;
}

EVP_PKEY *
cl_crypto_key_pkey(const struct cl_key *key)
{
    struct cl_key *k = (struct cl_key *)key; /* the EVP_PKEY is a cache of the point */
    EVP_PKEY *pkey = atomic_load(&k->pkey), *expected = NULL;
    const struct cl_curve_info *ci;

    if (pkey != NULL || key->point_len == 0)
        return pkey;
    ci = cl_crypto_curve(key->curve);
    pkey = ci != NULL ? public_from_point(ci, key->point, key->point_len) : NULL;
    ERR_clear_error();
    if (pkey == NULL)
        return NULL;
    if (!atomic_compare_exchange_strong(&k->pkey, &expected, pkey)) {
        EVP_PKEY_free(pkey); /* another thread built it first */
        pkey = expected;
    }
    return pkey;
}

static bool
pkey_has_private(const EVP_PKEY *pkey)
{
    BIGNUM *d = NULL;
    bool has = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 && d != NULL;

    BN_clear_free(d);
    return has;
}

/*
 * Check that pkey is an EC key on a supported named curve whose public point is valid and,
 * when it holds a private scalar, that the scalar matches the point. `where` names the input.
 */
static cl_err
check_pkey(EVP_PKEY *pkey, const char *where, const struct cl_curve_info **ci_out,
           struct cl_error *err)
{
    char group[64], enc[32];
    size_t glen = 0;
    EVP_PKEY_CTX *pc = NULL;
    const struct cl_curve_info *ci;
    int nid;
    cl_err rc;

    if (!EVP_PKEY_is_a(pkey, "EC")) {
        const char *type = EVP_PKEY_get0_type_name(pkey);

        rc = cl_fail(err, CL_ERR_UNSUPPORTED, where, "key type %s is not supported: want an EC key",
                     type != NULL ? type : "(unknown)");
        goto out;
    }
    /* RFC 5480 §2.1.1: namedCurve only; OpenSSL maps explicit parameters that match a named
     * curve to its name, so the encoding is what tells them apart */
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof enc, NULL) ==
            1 &&
        strcmp(enc, OSSL_PKEY_EC_ENCODING_EXPLICIT) == 0) {
        rc = cl_fail(err, CL_ERR_UNSUPPORTED, where,
                     "EC key with explicit curve parameters is not supported: want a named curve");
        goto out;
    }
    if (EVP_PKEY_get_group_name(pkey, group, sizeof group, &glen) != 1) {
        rc = cl_fail(err, CL_ERR_UNSUPPORTED, where,
                     "EC key with explicit curve parameters is not supported: want a named curve");
        goto out;
    }
    nid = OBJ_sn2nid(group);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(group);
    ci = curve_by_nid(nid);
    if (ci == NULL) {
        rc = cl_fail(err, CL_ERR_UNSUPPORTED, where,
                     "curve %.40s is not supported: want P-256, P-384 or P-521", group);
        goto out;
    }
    pc = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (pc == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, where, "cannot allocate a key check context");
        goto out;
    }
    /*
     * SEC 1 v2 §3.2.2.1: not the point at infinity and on the curve; the third step, n*Q = O,
     * holds for every point on a curve of cofactor 1, which P-256, P-384 and P-521 all are
     * (SEC 2 §2.4), so the quick check is the full check here at a tenth of the cost.
     */
    if (EVP_PKEY_public_check_quick(pc) != 1) {
        rc =
            cl_fail(err, CL_ERR_INPUT, where, "public point is not a valid point on %s", ci->label);
        goto out;
    }
    if (pkey_has_private(pkey) && EVP_PKEY_pairwise_check(pc) != 1) {
        rc = cl_fail(err, CL_ERR_INPUT, where,
                     "private scalar does not match the public point (or is out of range)");
        goto out;
    }
    *ci_out = ci;
    rc = CL_OK;
out:
    EVP_PKEY_CTX_free(pc);
    return rc;
}

/* A key on ci holding no key material yet, into *out. */
static cl_err
key_new(const struct cl_curve_info *ci, struct cl_key **out, struct cl_error *err)
{
    struct cl_key *k = cl_malloc(sizeof *k);

    if (k == NULL)
        return cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a key");
    memset(k, 0, sizeof *k);
    if (!group_order(ci, k->order)) {
        cl_free(k);
        return cl_fail(err, CL_ERR_CRYPTO, NULL, "cannot read the order of %s", ci->label);
    }
    atomic_init(&k->pkey, NULL);
    atomic_init(&k->refs, 1u);
    atomic_init(&k->vctx, NULL);
    atomic_init(&k->verifies, 0u);
    k->curve = ci->curve;
    k->coord_len = ci->coord_len;
    *out = k;
    return CL_OK;
}

/* Wrap a checked pkey; takes over the caller's reference (freed on failure). */
static cl_err
wrap(EVP_PKEY *pkey, const struct cl_curve_info *ci, bool ours, struct cl_key **out,
     struct cl_error *err)
{
    struct cl_key *k = NULL;
    cl_err rc = key_new(ci, &k, err);

    if (rc != CL_OK) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    atomic_store(&k->pkey, pkey);
    k->priv = pkey_has_private(pkey);
    /* SPKI and PEM out of this key carry the uncompressed point (SEC 1 §2.3.3), whatever
     * form it came in; set while the key is still ours alone (not for a caller's EVP_PKEY) */
    if (ours)
        (void)EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                             "uncompressed");
    *out = k;
    return CL_OK;
}

/* A public key on ci holding only its uncompressed point, already checked to lie on ci. */
static cl_err
wrap_point(const struct cl_curve_info *ci, const uint8_t *point, size_t len, struct cl_key **out,
           struct cl_error *err)
{
    struct cl_key *k = NULL;
    cl_err rc = key_new(ci, &k, err);

    if (rc != CL_OK)
        return rc;
    memcpy(k->point, point, len);
    k->point_len = len;
    *out = k;
    return CL_OK;
}

/* Check and wrap a freshly parsed pkey (reference taken over, freed on failure). */
static cl_err
check_and_wrap(EVP_PKEY *pkey, const char *where, bool ours, struct cl_key **out,
               struct cl_error *err)
{
    const struct cl_curve_info *ci = NULL;
    cl_err rc = check_pkey(pkey, where, &ci, err);

    if (rc != CL_OK) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    return wrap(pkey, ci, ours, out, err);
}

/* ---- lifetime ---- */

cl_err
cl_key_generate(enum cl_curve curve, struct cl_key **out, struct cl_error *err)
{
    const struct cl_curve_info *ci = cl_crypto_curve(curve);
    EVP_PKEY *pkey;
    cl_err rc;

    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the key");
    *out = NULL;
    if (ci == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "curve", "unknown curve");
    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", ci->group);
    if (pkey == NULL)
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "cannot generate a %s key pair", ci->label);
    else
        rc = wrap(pkey, ci, true, out, err);
    ERR_clear_error();
    return rc;
}

void
cl_key_free(struct cl_key *key)
{
    if (key == NULL)
        return;
    if (atomic_fetch_sub(&key->refs, 1u) != 1u)
        return;
    EVP_PKEY_CTX_free(atomic_exchange(&key->vctx, NULL));
    EVP_PKEY_free(atomic_exchange(&key->pkey, NULL));
    cl_wipe(key, sizeof *key);
    cl_free(key);
}

struct cl_key *
cl_key_ref(struct cl_key *key)
{
    if (key != NULL)
        atomic_fetch_add(&key->refs, 1u);
    return key;
}

static void
defer_key_free(void *p)
{
    cl_key_free(p);
}

cl_err
cl_key_defer(struct cl_arena *a, struct cl_key *key, struct cl_error *err)
{
    if (key == NULL)
        return CL_OK;
    if (cl_arena_defer(a, defer_key_free, key) != CL_OK) {
        cl_key_free(key);
        return cl_fail(err, CL_ERR_NOMEM, NULL, "cannot register the key with the arena");
    }
    return CL_OK;
}

/* ---- PEM ---- */

/* Decode one PEM block body by its label into a pkey, or fail naming why. */
static cl_err
pem_body_to_pkey(const char *name, const unsigned char *data, long len, EVP_PKEY **pkey,
                 struct cl_error *err)
{
    const unsigned char *p = data;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;

    *pkey = NULL;
    if (strcmp(name, "PRIVATE KEY") == 0) { /* RFC 5958 OneAsymmetricKey (PKCS #8) */
        p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len);
        if (p8 == NULL || p != data + len) {
            PKCS8_PRIV_KEY_INFO_free(p8);
            return cl_fail(err, CL_ERR_INPUT, "pem", "PRIVATE KEY body is not a valid PKCS #8 key");
        }
        *pkey = EVP_PKCS82PKEY(p8);
        PKCS8_PRIV_KEY_INFO_free(p8);
        if (*pkey == NULL)
            return cl_fail(err, CL_ERR_INPUT, "pem",
                           "PRIVATE KEY body holds a key OpenSSL cannot read");
        return CL_OK;
    }
    if (strcmp(name, "EC PRIVATE KEY") == 0) { /* SEC 1 v2 §C.4 ECPrivateKey */
        *pkey = d2i_PrivateKey(EVP_PKEY_EC, NULL, &p, len);
        if (*pkey == NULL || p != data + len) {
            EVP_PKEY_free(*pkey);
            *pkey = NULL;
            return cl_fail(err, CL_ERR_INPUT, "pem",
                           "EC PRIVATE KEY body is not a valid SEC 1 ECPrivateKey");
        }
        return CL_OK;
    }
    if (strcmp(name, "PUBLIC KEY") == 0) { /* RFC 5280 §4.1.2.7 SubjectPublicKeyInfo */
        *pkey = d2i_PUBKEY(NULL, &p, len);
        if (*pkey == NULL || p != data + len) {
            EVP_PKEY_free(*pkey);
            *pkey = NULL;
            return cl_fail(err, CL_ERR_INPUT, "pem",
                           "PUBLIC KEY body is not a valid SubjectPublicKeyInfo");
        }
        return CL_OK;
    }
    if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "pem",
                       "encrypted PEM is not supported: decrypt the key first");
    return cl_fail(err, CL_ERR_UNSUPPORTED, "pem",
                   "PEM block \"%.40s\" is not an EC key: want PRIVATE KEY, EC PRIVATE KEY or "
                   "PUBLIC KEY",
                   name);
}

static bool
pem_no_more_blocks(void)
{
    unsigned long e = ERR_peek_last_error();

    return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

cl_err
cl_key_from_pem(struct cl_bytes pem, struct cl_key **out, struct cl_error *err)
{
    BIO *bio = NULL;
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    EVP_PKEY *pkey = NULL;
    cl_err rc;

    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the key");
    *out = NULL;
    if (pem.len > CL_LIMIT_PEM_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, "pem", "PEM text is larger than %zu bytes",
                       CL_LIMIT_PEM_MAX);
    if (pem.len == 0) {
        rc = cl_fail(err, CL_ERR_INPUT, "pem", "no PEM block found");
        goto out;
    }
    bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
    if (bio == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "pem", "cannot allocate a memory BIO");
        goto out;
    }
    for (;;) { /* the key block, after any "EC PARAMETERS" (openssl ecparam -genkey) */
        if (PEM_read_bio(bio, &name, &header, &data, &len) != 1) {
            if (pem_no_more_blocks())
                rc = cl_fail(err, CL_ERR_INPUT, "pem", "no PEM key block found");
            else
                rc = cl_fail(err, CL_ERR_INPUT, "pem",
                             "malformed PEM block (bad base64, or BEGIN without END)");
            goto out;
        }
        if (strcmp(name, "EC PARAMETERS") != 0)
            break;
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(data);
        name = header = NULL;
        data = NULL;
    }
    /* RFC 1421 §4.6.1.1: "Proc-Type: 4,ENCRYPTED" marks an OpenSSL-encrypted key */
    if (header != NULL && header[0] != '\0') {
        if (strstr(header, "ENCRYPTED") != NULL)
            rc = cl_fail(err, CL_ERR_UNSUPPORTED, "pem",
                         "encrypted PEM is not supported: decrypt the key first");
        else
            rc = cl_fail(err, CL_ERR_INPUT, "pem", "unexpected headers in the PEM block");
        goto out;
    }
    rc = pem_body_to_pkey(name, data, len, &pkey, err);
    if (rc != CL_OK)
        goto out;
    /* exactly one key: whatever follows must not be another PEM block */
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_clear_free(data, (size_t)len);
    name = header = NULL;
    data = NULL;
    ERR_clear_error();
    if (PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
        rc = cl_fail(err, CL_ERR_INPUT, "pem",
                     "a second PEM block follows the key: want exactly one key");
        goto out;
    }
    if (!pem_no_more_blocks()) {
        rc = cl_fail(err, CL_ERR_INPUT, "pem", "malformed PEM block after the key");
        goto out;
    }
    rc = check_and_wrap(pkey, "pem", true, out, err);
    pkey = NULL;
out:
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    OPENSSL_free(name);
    OPENSSL_free(header);
    if (data != NULL)
        OPENSSL_clear_free(data, (size_t)len);
    BIO_free(bio);
    return rc;
}

cl_err
cl_key_from_spki(struct cl_bytes der, struct cl_key **out, struct cl_error *err)
{
    const unsigned char *p = der.ptr;
    EVP_PKEY *pkey = NULL;
    cl_err rc;

    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the key");
    *out = NULL;
    if (der.len > CL_LIMIT_PEM_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, "spki", "SubjectPublicKeyInfo is too large");
    if (der.len == 0) {
        rc = cl_fail(err, CL_ERR_INPUT, "spki", "empty SubjectPublicKeyInfo");
        goto out;
    }
    pkey = d2i_PUBKEY(NULL, &p, (long)der.len);
    if (pkey == NULL || p != der.ptr + der.len) {
        rc = cl_fail(err, CL_ERR_INPUT, "spki",
                     pkey == NULL ? "not a valid DER SubjectPublicKeyInfo"
                                  : "trailing bytes after the SubjectPublicKeyInfo");
        goto out;
    }
    rc = check_and_wrap(pkey, "spki", true, out, err);
    pkey = NULL;
out:
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    return rc;
}

/* ---- coordinates ---- */

cl_err
cl_key_from_coords(enum cl_curve curve, struct cl_bytes x, struct cl_bytes y, struct cl_bytes d,
                   struct cl_key **out, struct cl_error *err)
{
    const struct cl_curve_info *ci = cl_crypto_curve(curve);
    uint8_t point[1 + 2 * CL_EC_COORD_MAX];
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pc = NULL;
    EVP_PKEY *pkey = NULL;
    BIGNUM *dbn = NULL;
    bool priv = d.ptr != NULL || d.len != 0;
    cl_err rc;

    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the key");
    *out = NULL;
    if (ci == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "crv", "unknown curve");
    if (x.len != ci->coord_len || x.ptr == NULL)
        return cl_fail(err, CL_ERR_INPUT, "x", "x must be %zu bytes for %s", ci->coord_len,
                       ci->label);
    if (y.len != ci->coord_len || y.ptr == NULL)
        return cl_fail(err, CL_ERR_INPUT, "y", "y must be %zu bytes for %s", ci->coord_len,
                       ci->label);
    /* RFC 7518 §6.2.2.1: d is the full field size too */
    if (priv && (d.len != ci->coord_len || d.ptr == NULL))
        return cl_fail(err, CL_ERR_INPUT, "d", "d must be %zu bytes for %s", ci->coord_len,
                       ci->label);

    point[0] = 0x04; /* SEC 1 v2 §2.3.3, uncompressed */
    memcpy(point + 1, x.ptr, x.len);
    memcpy(point + 1 + x.len, y.ptr, y.len);
    if (!priv) { /* the common case: a holder's or a signer's public key */
        /* checked on the thread's scratch key; the key's own EVP_PKEY waits for a need */
        struct scratch *sc = scratch_get();

        if (sc == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate the thread's scratch keys");
            goto out;
        }
        if (scratch_set(sc, ci, point, 1 + 2 * ci->coord_len) == NULL) {
            rc = cl_fail(err, CL_ERR_INPUT, "x", "(x, y) is not a point on %s", ci->label);
            goto out;
        }
        rc = wrap_point(ci, point, 1 + 2 * ci->coord_len, out, err);
        goto out;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a parameter builder");
        goto out;
    }
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ci->group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                         1 + 2 * ci->coord_len) != 1) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot build the key parameters");
        goto out;
    }
    if (priv) {
        dbn = BN_secure_new();
        if (dbn == NULL || BN_bin2bn(d.ptr, (int)d.len, dbn) == NULL ||
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, dbn) != 1) {
            rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot build the key parameters");
            goto out;
        }
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) != 1) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot start the key import");
        goto out;
    }
    if (EVP_PKEY_fromdata(pc, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
        rc = cl_fail(err, CL_ERR_INPUT, "x", "(x, y) is not a point on %s", ci->label);
        goto out;
    }
    rc = check_and_wrap(pkey, priv ? "d" : "x", true, out, err);
    pkey = NULL;
out:
    ERR_clear_error();
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params); /* the private part sits in secure memory, cleared on free */
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(dbn);
    return rc;
}

enum cl_curve
cl_key_curve(const struct cl_key *key)
{
    return key->curve;
}

bool
cl_key_has_private(const struct cl_key *key)
{
    return key->priv;
}

size_t
cl_key_coord_len(const struct cl_key *key)
{
    return key->coord_len;
}

static bool
get_coord(const EVP_PKEY *pkey, const char *param, uint8_t *out, size_t len)
{
    BIGNUM *bn = NULL;
    bool ok =
        EVP_PKEY_get_bn_param(pkey, param, &bn) == 1 && BN_bn2binpad(bn, out, (int)len) == (int)len;

    BN_clear_free(bn);
    return ok;
}

cl_err
cl_key_coords(const struct cl_key *key, uint8_t *x, uint8_t *y, uint8_t *d, struct cl_error *err)
{
    size_t n = key->coord_len;
    EVP_PKEY *pkey;
    cl_err rc = CL_OK;

    if (x == NULL || y == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the coordinates");
    if (key->point_len == 1 + 2 * n) { /* 04 || x || y */
        memcpy(x, key->point + 1, n);
        memcpy(y, key->point + 1 + n, n);
        return CL_OK; /* such a key has no private part */
    }
    pkey = atomic_load(&((struct cl_key *)key)->pkey);
    if (!get_coord(pkey, OSSL_PKEY_PARAM_EC_PUB_X, x, n) ||
        !get_coord(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, y, n)) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "key", "cannot read the public point");
        goto out;
    }
    if (d != NULL && key->priv && !get_coord(pkey, OSSL_PKEY_PARAM_PRIV_KEY, d, n)) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "key", "cannot read the private scalar");
        goto out;
    }
out:
    if (rc != CL_OK) {
        memset(x, 0, n);
        memset(y, 0, n);
        if (d != NULL)
            cl_wipe(d, n);
    }
    ERR_clear_error();
    return rc;
}

/* ---- export ---- */

static cl_err
bio_to_buf(BIO *bio, struct cl_buf *out, const char *what, struct cl_error *err)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);

    if (n <= 0 || p == NULL)
        return cl_fail(err, CL_ERR_CRYPTO, NULL, "cannot encode the %s", what);
    cl_buf_append(out, p, (size_t)n);
    return cl_buf_check(out, what, err);
}

cl_err
cl_key_to_pem_private(const struct cl_key *key, struct cl_buf *out, struct cl_error *err)
{
    BIO *bio = NULL;
    cl_err rc;

    if (!key->priv)
        return cl_fail(err, CL_ERR_USAGE, "key", "the key has no private part");
    bio = BIO_new(BIO_s_secmem()); /* cleared when freed */
    if (bio == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a memory BIO");
        goto out;
    }
    /* RFC 5958 / RFC 7468 §10 "PRIVATE KEY", unencrypted */
    if (PEM_write_bio_PKCS8PrivateKey(bio, cl_crypto_key_pkey(key), NULL, NULL, 0, NULL, NULL) !=
        1) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "key", "cannot encode the private key as PKCS #8");
        goto out;
    }
    rc = bio_to_buf(bio, out, "private key PEM", err);
out:
    ERR_clear_error();
    BIO_free(bio);
    return rc;
}

cl_err
cl_key_to_pem_public(const struct cl_key *key, struct cl_buf *out, struct cl_error *err)
{
    EVP_PKEY *pkey = cl_crypto_key_pkey(key);
    BIO *bio = BIO_new(BIO_s_mem());
    cl_err rc;

    if (bio == NULL || pkey == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a memory BIO or the key");
        goto out;
    }
    if (PEM_write_bio_PUBKEY(bio, pkey) != 1) { /* RFC 7468 §13 "PUBLIC KEY" */
        rc = cl_fail(err, CL_ERR_CRYPTO, "key", "cannot encode the public key as PEM");
        goto out;
    }
    rc = bio_to_buf(bio, out, "public key PEM", err);
out:
    ERR_clear_error();
    BIO_free(bio);
    return rc;
}

cl_err
cl_key_to_spki(const struct cl_key *key, struct cl_buf *out, struct cl_error *err)
{
    unsigned char *der = NULL;
    EVP_PKEY *pkey = cl_crypto_key_pkey(key);
    int n = pkey != NULL ? i2d_PUBKEY(pkey, &der) : 0;
    cl_err rc;

    if (n <= 0) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "key", "cannot encode the SubjectPublicKeyInfo");
        goto out;
    }
    cl_buf_append(out, der, (size_t)n);
    rc = cl_buf_check(out, "SubjectPublicKeyInfo", err);
out:
    ERR_clear_error();
    OPENSSL_free(der);
    return rc;
}

bool
cl_key_equal_public(const struct cl_key *a, const struct cl_key *b)
{
    EVP_PKEY *pa, *pb;
    bool eq;

    if (a == NULL || b == NULL)
        return false;
    if (a == b)
        return true;
    if (a->curve != b->curve)
        return false;
    if (a->point_len != 0 && b->point_len != 0) /* both uncompressed points on one curve */
        return a->point_len == b->point_len && memcmp(a->point, b->point, a->point_len) == 0;
    pa = cl_crypto_key_pkey(a);
    pb = cl_crypto_key_pkey(b);
    eq = pa != NULL && pb != NULL && EVP_PKEY_eq(pa, pb) == 1;
    ERR_clear_error();
    return eq;
}

void *
cl_key_evp(const struct cl_key *key)
{
    return cl_crypto_key_pkey(key);
}

cl_err
cl_key_from_evp(void *evp_pkey, struct cl_key **out, struct cl_error *err)
{
    EVP_PKEY *pkey = evp_pkey;
    cl_err rc;

    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the key");
    *out = NULL;
    if (pkey == NULL)
        return cl_fail(err, CL_ERR_USAGE, "key", "no EVP_PKEY given");
    if (EVP_PKEY_up_ref(pkey) != 1) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "key", "cannot take a reference to the EVP_PKEY");
        goto out;
    }
    rc = check_and_wrap(pkey, "key", false, out, err);
out:
    ERR_clear_error();
    return rc;
}
