/*
 * test_crypto.c - the crypto module against published vectors (FIPS 180 "abc", RFC 4231,
 * RFC 5869, RFC 7515 A.3, the GCM specification) and against inputs broken on purpose.
 * Test keys below were made with `openssl genpkey` / `openssl ec` for these tests only.
 */
#include "support.h"

#include <pthread.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/crypto.h"
#include "crypto/crypto_int.h"

/* ---- test keys (openssl genpkey; never used outside tests) ---- */

#define PEM_P256_PKCS8                                                                             \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgk4Olbc5vSsrZYavb\n"                           \
    "y3NeND4eVUs7i1nab9Q8fqPJUN6hRANCAARgygIu7MsNeh4aPdX0QpNV3Elt2QdH\n"                           \
    "xn65C58KHoiJXAbBxr5Vt/Y85jnLH91W5fjThonrL3wo0tcjq0d+dRMh\n"                                   \
    "-----END PRIVATE KEY-----\n"

#define PEM_P256_SEC1                                                                              \
    "-----BEGIN EC PRIVATE KEY-----\n"                                                             \
    "MHcCAQEEIJODpW3Ob0rK2WGr28tzXjQ+HlVLO4tZ2m/UPH6jyVDeoAoGCCqGSM49\n"                           \
    "AwEHoUQDQgAEYMoCLuzLDXoeGj3V9EKTVdxJbdkHR8Z+uQufCh6IiVwGwca+Vbf2\n"                           \
    "POY5yx/dVuX404aJ6y98KNLXI6tHfnUTIQ==\n"                                                       \
    "-----END EC PRIVATE KEY-----\n"

#define PEM_P256_PARAMS_SEC1                                                                       \
    "-----BEGIN EC PARAMETERS-----\n"                                                              \
    "BggqhkjOPQMBBw==\n"                                                                           \
    "-----END EC PARAMETERS-----\n"                                                                \
    "-----BEGIN EC PRIVATE KEY-----\n"                                                             \
    "MHcCAQEEILF3EtTjiY2npnQBBa2nqWYjdmPvhVRJip8PeXoXv1DQoAoGCCqGSM49\n"                           \
    "AwEHoUQDQgAEb6B0t8Ernt3YNdfTSKS60tTsdatU/fAZhMHuAiVOJUKlKk1hsWwb\n"                           \
    "5irHv42BH889r78IMl8xnBuOjeqtw0GYLg==\n"                                                       \
    "-----END EC PRIVATE KEY-----\n"

#define PEM_P256_PUB                                                                               \
    "-----BEGIN PUBLIC KEY-----\n"                                                                 \
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYMoCLuzLDXoeGj3V9EKTVdxJbdkH\n"                           \
    "R8Z+uQufCh6IiVwGwca+Vbf2POY5yx/dVuX404aJ6y98KNLXI6tHfnUTIQ==\n"                               \
    "-----END PUBLIC KEY-----\n"

#define PEM_P384_PKCS8                                                                             \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDD8TNuDBvfe4SZtLNdp\n"                           \
    "nuXNtcLS46fZ41hDkti2Vbsj1U9Paxqkkg4ml7dGEwP4jeahZANiAAQgUjpxGT5A\n"                           \
    "hAoHkkku3li+cqbE4Z5Vn+RrwWHG4leficPeu4QvD9O6AJAvcVto2z0Tv34kJ3yj\n"                           \
    "OauIW6fZeA7Jgw2x6AeI/CcTg5siw/W5zmcZxQPgOv7nhKiK+TQl9a8=\n"                                   \
    "-----END PRIVATE KEY-----\n"

#define PEM_P521_PKCS8                                                                             \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIBe/8PLNzRMAd1EA4V\n"                           \
    "ZEI6ZDAWxiCUce0rK0Ez7xYs5cbpdvmrZhhLXyTJgArL7koHqcPr8IMKuYkh4Lmx\n"                           \
    "Yg2jrbahgYkDgYYABAG/DcqrBooxhk8XnJE9ZbN+BoRPKxWCz8mTF8DzqnrW9XE9\n"                           \
    "nuopr35X0kfxcUQ4QYiD3cAoQZSaupyqmxnUI9B+EQEmqtPVEBXB7ZpXetdVLZ18\n"                           \
    "6TucImdY7bsHIZEHad+D5480Flgen5ImrmOclAAZe6NSr8ZYHgB1O3MDbk1oCMz/\n"                           \
    "hA==\n"                                                                                       \
    "-----END PRIVATE KEY-----\n"

#define PEM_P521_PUB                                                                               \
    "-----BEGIN PUBLIC KEY-----\n"                                                                 \
    "MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQBvw3KqwaKMYZPF5yRPWWzfgaETysV\n"                           \
    "gs/JkxfA86p61vVxPZ7qKa9+V9JH8XFEOEGIg93AKEGUmrqcqpsZ1CPQfhEBJqrT\n"                           \
    "1RAVwe2aV3rXVS2dfOk7nCJnWO27ByGRB2nfg+ePNBZYHp+SJq5jnJQAGXujUq/G\n"                           \
    "WB4AdTtzA25NaAjM/4Q=\n"                                                                       \
    "-----END PUBLIC KEY-----\n"

#define PEM_SECP256K1                                                                              \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQg7VpROozUOZcg68nk1o8v\n"                           \
    "b5qrUCNgWf6r43HGIbwqes2hRANCAATpB823eOSIVPKueoFH9cfjHDSIqM8gSSoP\n"                           \
    "t1kJFZVonODZOpp+J97oawmBEWEdwE96BwsHqYlBsR+aeLEYh3ow\n"                                       \
    "-----END PRIVATE KEY-----\n"

#define PEM_ED25519                                                                                \
    "-----BEGIN PRIVATE KEY-----\n"                                                                \
    "MC4CAQAwBQYDK2VwBCIEIN/MCOWv3WGU9b/xWKrLUEMOUOahvEJJFuc7Fi5ALxAz\n"                           \
    "-----END PRIVATE KEY-----\n"

#define PEM_RSA_PUB                                                                                \
    "-----BEGIN PUBLIC KEY-----\n"                                                                 \
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL4d2Hai+9TQmb7aklfhvPn79Pbr+op/\n"                           \
    "q3p3uAruTGied/4JGlQKoCvXxV/ws0J/Cauqrm5Yl4wCcbRZe5ar8L8CAwEAAQ==\n"                           \
    "-----END PUBLIC KEY-----\n"

#define PEM_P256_PKCS8_ENCRYPTED                                                                   \
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                                                      \
    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAg9u6ay8iSb1QICCAAw\n"                           \
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEIJfyLskvm4/QYapgy6R3bAEgZAa\n"                           \
    "7t8+Zd+H4QgnhN7HhtsNFQMNB8wLpdN/D//dtpvoa9MMAxGDZqJ5nfAPHmOjAo3i\n"                           \
    "EaSDIUGaaPrlrzv6S4k4IZtgbEC7adm5H+AvRVXy7wVuwn3l4qScdl/KF8lCXfRO\n"                           \
    "nldrOc1Ndr4FRDnWaIaF15mE97DIuXUiRQkgU/4smW3HqcV1yVIVoycvR16/R/I=\n"                           \
    "-----END ENCRYPTED PRIVATE KEY-----\n"

#define PEM_P256_SEC1_ENCRYPTED                                                                    \
    "-----BEGIN EC PRIVATE KEY-----\n"                                                             \
    "Proc-Type: 4,ENCRYPTED\n"                                                                     \
    "DEK-Info: AES-256-CBC,7461370BF2546AEA3F5E03F335C09A89\n"                                     \
    "\n"                                                                                           \
    "RMhWYKQcyR3YsCGsMJoWGlknze4rlbGZ0UP/YxU4w3aV8vTnml69Y6ed88+Y4eHo\n"                           \
    "FA/calwlcPvm5n2HfPvEhUMSjzHfCPy/K1b1tE7QYimOFRZOD/a3aSmKJuxAXL0O\n"                           \
    "GyFracXjmfbqlee0Ai8ZUKHlF8gzcrF8/kj54RPy5Qc=\n"                                               \
    "-----END EC PRIVATE KEY-----\n"

#define PEM_P256_EXPLICIT                                                                          \
    "-----BEGIN EC PRIVATE KEY-----\n"                                                             \
    "MIIBaAIBAQQgz3G1MC569m028Ir4ie02gbhwWzwQMqyyOJ2KwFh2jQeggfowgfcC\n"                           \
    "AQEwLAYHKoZIzj0BAQIhAP////8AAAABAAAAAAAAAAAAAAAA////////////////\n"                           \
    "MFsEIP////8AAAABAAAAAAAAAAAAAAAA///////////////8BCBaxjXYqjqT57Pr\n"                           \
    "vVV2mIa8ZR0GsMxTsPY7zjw+J9JgSwMVAMSdNgiG5wSTamZ44ROdJreBn36QBEEE\n"                           \
    "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpZP40Li/hp/m47n60p8D54W\n"                           \
    "K84zV2sxXs7LtkBoN79R9QIhAP////8AAAAA//////////+85vqtpxeehPO5ysL8\n"                           \
    "YyVRAgEBoUQDQgAEZ0BSx3AIaBlzxSfuEbvNbglukSm4VpHuPFQzk5I1hcx9hNcr\n"                           \
    "BnKRQyoWqCNYmZCGVqNJSv6Q/be16khpEZb9Rw==\n"                                                   \
    "-----END EC PRIVATE KEY-----\n"

/* DER SubjectPublicKeyInfo of PEM_P256_PKCS8's public key, and of PEM_RSA_PUB */
#define SPKI_P256                                                                                  \
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000460ca022eeccb0d7a1e1a3dd5f4429355dc"     \
    "496dd90747c67eb90b9f0a1e88895c06c1c6be55b7f63ce639cb1fdd56e5f8d38689eb2f7c28d2d723ab477e75"   \
    "1321"
#define SPKI_RSA                                                                                   \
    "305c300d06092a864886f70d0101010500034b003048024100be1dd876a2fbd4d099beda9257e1bcf9fbf4f6eb"   \
    "fa8a7fab7a77b80aee4c689e77fe091a540aa02bd7c55ff0b3427f09abaaae6e58978c0271b4597b96abf0bf02"   \
    "03010001"

/* ---- helpers ---- */

static void
expect_bytes(const char *name, struct cl_bytes got, struct cl_bytes want)
{
    if (got.len != want.len || (want.len != 0 && memcmp(got.ptr, want.ptr, want.len) != 0)) {
        struct cl_arena a;

        cl_arena_init(&a, 0, 0, 0);
        fail_msg("%s: got %s, want %s", name, cl_test_tohex(&a, got), cl_test_tohex(&a, want));
        cl_arena_fini(&a); /* not reached */
    }
}

/* The error queue must be empty after every call (ERR_clear_error at out:). */
static void
expect_no_openssl_error(const char *name)
{
    unsigned long e = ERR_peek_error();

    if (e != 0)
        fail_msg("%s: OpenSSL error queue not empty: %lx", name, e);
}

/* Value of "name = hex" in a vector file, decoded into the arena ({"", 0} when empty). */
static struct cl_bytes
kv_hex(struct cl_arena *a, struct cl_bytes text, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = (const char *)text.ptr, *end = p + text.len;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *q = p;

        if (eol == NULL)
            eol = end;
        if (*p != '#' && (size_t)(eol - p) > nlen && memcmp(p, name, nlen) == 0 &&
            (p[nlen] == ' ' || p[nlen] == '=')) {
            char *hex;

            q = p + nlen;
            while (q < eol && (*q == ' ' || *q == '='))
                q++;
            hex = cl_arena_strndup(a, cl_bytes_of(q, (size_t)(eol - q)));
            assert_non_null(hex);
            if (hex[0] == '\0')
                return cl_bytes_of("", 0);
            return cl_test_hex(a, hex);
        }
        p = eol + 1;
    }
    fail_msg("vector has no field %s", name);
    return cl_bytes_of(NULL, 0);
}

/* Value of a "name = decimal" line. */
static size_t
kv_size(struct cl_bytes text, const char *name)
{
    char key[32];
    const char *p;
    size_t v = 0;

    snprintf(key, sizeof key, "\n%s", name);
    p = strstr((const char *)text.ptr, key);
    assert_non_null(p);
    p += strlen(key);
    while (*p == ' ' || *p == '=')
        p++;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (size_t)(*p++ - '0');
    return v;
}

/* The base64url string value of "name" in a JWK text, decoded into the arena. */
static struct cl_bytes
jwk_member(struct cl_arena *a, struct cl_bytes jwk, const char *name)
{
    char key[16];
    const char *p, *q;
    struct cl_bytes out;
    struct cl_error err = {0};

    snprintf(key, sizeof key, "\"%s\":\"", name);
    p = strstr((const char *)jwk.ptr, key);
    assert_non_null(p);
    p += strlen(key);
    q = strchr(p, '"');
    assert_non_null(q);
    if (cl_b64url_decode_arena(a, cl_bytes_of(p, (size_t)(q - p)), &out, &err) != CL_OK)
        fail_msg("jwk member %s: %s", name, err.msg);
    return out;
}

static struct cl_key *
pem_key(const char *pem)
{
    struct cl_key *k = NULL;
    struct cl_error err = {0};

    if (cl_key_from_pem(cl_bytes_str(pem), &k, &err) != CL_OK)
        fail_msg("test key does not load: %s: %s", err.where, err.msg);
    return k;
}

/* ---- hashes, HMAC, HKDF ---- */

static const struct {
    const char *name;
    enum cl_hash_alg alg;
    const char *digest;
} hash_cases[] = {
    /* FIPS 180-2 Appendix B.1 / C.1 / D.1, one-block message "abc" */
    {"SHA-256 abc", CL_HASH_SHA256,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"SHA-384 abc", CL_HASH_SHA384,
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c82"
     "5a7"},
    {"SHA-512 abc", CL_HASH_SHA512,
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "bbd4"
     "54d4423643ce80e2a9ac94fa54ca49f"},
};

static void
test_hash_fips180(void **state)
{
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    for (size_t i = 0; i < CL_ARRAY_LEN(hash_cases); i++) {
        uint8_t out[CL_HASH_MAX];
        struct cl_error err = {0};
        enum cl_hash_alg alg = hash_cases[i].alg;

        cl_test_expect(hash_cases[i].name, cl_hash(alg, cl_bytes_str("abc"), out, &err), CL_OK,
                       &err);
        expect_bytes(hash_cases[i].name, cl_bytes_of(out, cl_hash_len(alg)),
                     cl_test_hex(&a, hash_cases[i].digest));
    }
    assert_int_equal(cl_hash_len(CL_HASH_SHA384), 48);
    assert_string_equal(cl_hash_name(CL_HASH_SHA512), "SHA-512");
    assert_int_equal(cl_hash_len((enum cl_hash_alg)99), 0);
    assert_null(cl_hash_name((enum cl_hash_alg)99));
    {
        uint8_t out[CL_HASH_MAX];
        struct cl_error err = {0};

        assert_int_equal(cl_hash((enum cl_hash_alg)99, cl_bytes_str("abc"), out, &err),
                         CL_ERR_UNSUPPORTED);
        /* the empty message hashes too (FIPS 180-4 allows l = 0) */
        assert_int_equal(cl_hash(CL_HASH_SHA256, cl_bytes_of(NULL, 0), out, &err), CL_OK);
    }
    /* the thread's reused contexts: algorithms and lengths interleaved (0 to 300 bytes, across
     * block boundaries) give what a fresh EVP_Digest gives */
    {
        uint8_t msg[300], out[CL_HASH_MAX], want[CL_HASH_MAX];
        unsigned int n = 0;

        for (size_t i = 0; i < sizeof msg; i++)
            msg[i] = (uint8_t)(i * 7 + 1);
        for (size_t len = 0; len <= sizeof msg; len += 13) {
            for (enum cl_hash_alg alg = CL_HASH_SHA256; alg <= CL_HASH_SHA512; alg++) {
                struct cl_error err = {0};

                cl_test_expect("reused", cl_hash(alg, cl_bytes_of(msg, len), out, &err), CL_OK,
                               &err);
                assert_int_equal(
                    EVP_Digest(msg, len, want, &n, EVP_get_digestbyname(cl_hash_name(alg)), NULL),
                    1);
                expect_bytes("reused context", cl_bytes_of(out, cl_hash_len(alg)),
                             cl_bytes_of(want, n));
            }
        }
    }
    cl_arena_fini(&a);
}

static const struct {
    const char *name;
    enum cl_hash_alg alg;
    const char *key_hex;
    const char *data;
    const char *mac;
} hmac_cases[] = {
    /* RFC 4231 §4.2 Test Case 1: key = 0x0b * 20, data = "Hi There" */
    {"RFC 4231 case 1 SHA-256", CL_HASH_SHA256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"RFC 4231 case 1 SHA-384", CL_HASH_SHA384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "Hi There",
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9"
     "cb6"},
    {"RFC 4231 case 1 SHA-512", CL_HASH_SHA512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "Hi There",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f"
     "4e4"
     "be9d914eeb61f1702e696c203a126854"},
    /* RFC 4231 §4.3 Test Case 2: key = "Jefe" */
    {"RFC 4231 case 2 SHA-256", CL_HASH_SHA256, "4a656665", "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
};

static void
test_hmac_rfc4231(void **state)
{
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    for (size_t i = 0; i < CL_ARRAY_LEN(hmac_cases); i++) {
        uint8_t out[CL_HASH_MAX];
        struct cl_error err = {0};
        enum cl_hash_alg alg = hmac_cases[i].alg;

        cl_test_expect(hmac_cases[i].name,
                       cl_hmac(alg, cl_test_hex(&a, hmac_cases[i].key_hex),
                               cl_bytes_str(hmac_cases[i].data), out, &err),
                       CL_OK, &err);
        expect_bytes(hmac_cases[i].name, cl_bytes_of(out, cl_hash_len(alg)),
                     cl_test_hex(&a, hmac_cases[i].mac));
    }
    cl_arena_fini(&a);
}

static void
test_hkdf_rfc5869(void **state)
{
    static const char *files[] = {"rfc5869/a1.txt", "rfc5869/a2.txt", "rfc5869/a3.txt"};
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    for (size_t i = 0; i < CL_ARRAY_LEN(files); i++) {
        struct cl_bytes v = cl_test_vector(&a, files[i]);
        struct cl_bytes ikm = kv_hex(&a, v, "ikm"), salt = kv_hex(&a, v, "salt");
        struct cl_bytes info = kv_hex(&a, v, "info"), prk = kv_hex(&a, v, "prk");
        struct cl_bytes okm = kv_hex(&a, v, "okm");
        size_t len = kv_size(v, "L");
        uint8_t out[255], mac[CL_HASH_MAX];
        struct cl_error err = {0};

        assert_int_equal(len, okm.len);
        cl_test_expect(files[i], cl_hkdf(CL_HASH_SHA256, salt, ikm, info, out, len, &err), CL_OK,
                       &err);
        expect_bytes(files[i], cl_bytes_of(out, len), okm);
        /* RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM), an empty salt being HashLen zeros */
        cl_test_expect(files[i], cl_hmac(CL_HASH_SHA256, salt, ikm, mac, &err), CL_OK, &err);
        expect_bytes(files[i], cl_bytes_of(mac, 32), prk);
    }
    {
        uint8_t out[8];
        struct cl_error err = {0};

        assert_int_equal(cl_hkdf(CL_HASH_SHA256, cl_bytes_of(NULL, 0), cl_bytes_str("k"),
                                 cl_bytes_of(NULL, 0), out, 255 * 32 + 1, &err),
                         CL_ERR_USAGE);
        assert_int_equal(cl_hkdf((enum cl_hash_alg)0, cl_bytes_of(NULL, 0), cl_bytes_str("k"),
                                 cl_bytes_of(NULL, 0), out, sizeof out, &err),
                         CL_ERR_UNSUPPORTED);
    }
    expect_no_openssl_error("hkdf");
    cl_arena_fini(&a);
}

/* ---- ECDSA ---- */

struct a3 {
    struct cl_bytes x, y, d, input, sig;
};

static struct a3
load_a3(struct cl_arena *a)
{
    struct a3 v;
    struct cl_bytes jwk = cl_test_vector(a, "rfc7515-a3/key.jwk.json");
    struct cl_bytes sig64 = cl_test_vector(a, "rfc7515-a3/signature.b64u");
    struct cl_error err = {0};

    v.x = jwk_member(a, jwk, "x");
    v.y = jwk_member(a, jwk, "y");
    v.d = jwk_member(a, jwk, "d");
    v.input = cl_test_vector(a, "rfc7515-a3/signing-input.txt");
    if (cl_b64url_decode_arena(a, sig64, &v.sig, &err) != CL_OK)
        fail_msg("signature.b64u: %s", err.msg);
    assert_int_equal(v.sig.len, 64);
    return v;
}

/* Test-only makers: a copy of sig with one thing broken. */
enum sig_break {
    BREAK_NONE,
    BREAK_FLIP_BIT,
    BREAK_SHORT,
    BREAK_LONG,
    BREAK_R_ZERO,
    BREAK_S_ZERO,
    BREAK_R_N,
    BREAK_S_N
};

static struct cl_bytes
break_sig(struct cl_arena *a, struct cl_bytes sig, const struct cl_key *key, enum sig_break how)
{
    size_t n = cl_key_coord_len(key);
    uint8_t *p = cl_arena_alloc(a, sig.len + 1);

    assert_non_null(p);
    memcpy(p, sig.ptr, sig.len);
    switch (how) {
    case BREAK_NONE:
        break;
    case BREAK_FLIP_BIT:
        p[sig.len / 3] ^= 0x10;
        break;
    case BREAK_SHORT:
        return cl_bytes_of(p, sig.len - 1);
    case BREAK_LONG:
        p[sig.len] = 0;
        return cl_bytes_of(p, sig.len + 1);
    case BREAK_R_ZERO:
        memset(p, 0, n);
        break;
    case BREAK_S_ZERO:
        memset(p + n, 0, n);
        break;
    case BREAK_R_N:
        memcpy(p, key->order, n);
        break;
    case BREAK_S_N:
        memcpy(p + n, key->order, n);
        break;
    }
    return cl_bytes_of(p, sig.len);
}

static void
test_ecdsa_rfc7515_a3(void **state)
{
    static const struct {
        const char *name;
        enum sig_break how;
        bool other_msg;
        bool other_key;
        enum cl_hash_alg alg;
        cl_err want;
    } rows[] = {
        {"RFC 7515 A.3 signature verifies", BREAK_NONE, false, false, CL_HASH_SHA256, CL_OK},
        {"one bit flipped", BREAK_FLIP_BIT, false, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"63 bytes", BREAK_SHORT, false, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"65 bytes", BREAK_LONG, false, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"r = 0", BREAK_R_ZERO, false, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"s = 0", BREAK_S_ZERO, false, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"r = n", BREAK_R_N, false, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"s = n", BREAK_S_N, false, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"other message", BREAK_NONE, true, false, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"other key", BREAK_NONE, false, true, CL_HASH_SHA256, CL_ERR_SIGNATURE},
        {"other hash", BREAK_NONE, false, false, CL_HASH_SHA384, CL_ERR_SIGNATURE},
    };
    struct cl_arena a;
    struct a3 v;
    struct cl_key *pub = NULL, *other = NULL;
    struct cl_error err = {0};

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    v = load_a3(&a);
    cl_test_expect("A.3 key",
                   cl_key_from_coords(CL_CURVE_P256, v.x, v.y, cl_bytes_of(NULL, 0), &pub, &err),
                   CL_OK, &err);
    assert_false(cl_key_has_private(pub));
    other = pem_key(PEM_P256_PUB);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_error e = {0};
        struct cl_bytes sig = break_sig(&a, v.sig, pub, rows[i].how);
        struct cl_bytes msg =
            rows[i].other_msg ? cl_bytes_str("eyJhbGciOiJFUzI1NiJ9.e30") : v.input;
        cl_err got = cl_ecdsa_verify(rows[i].other_key ? other : pub, rows[i].alg, msg, sig, &e);

        cl_test_expect(rows[i].name, got, rows[i].want, &e);
        if (got != CL_OK && (e.msg[0] == '\0' || strcmp(e.where, "signature") != 0))
            fail_msg("%s: no message naming the signature", rows[i].name);
        expect_no_openssl_error(rows[i].name);
    }
    /* the same vector through DER */
    {
        struct cl_buf der;
        uint8_t raw[CL_ECDSA_RAW_MAX];

        cl_buf_init(&der);
        cl_test_expect("raw to der", cl_ecdsa_raw_to_der(v.sig, &der, &err), CL_OK, &err);
        cl_test_expect("A.3 as DER",
                       cl_ecdsa_verify_der(pub, CL_HASH_SHA256, v.input, cl_buf_bytes(&der), &err),
                       CL_OK, &err);
        cl_test_expect("der to raw", cl_ecdsa_der_to_raw(cl_buf_bytes(&der), 32, raw, &err), CL_OK,
                       &err);
        expect_bytes("der to raw", cl_bytes_of(raw, 64), v.sig);
        cl_buf_fini(&der);
    }
    cl_key_free(other);
    cl_key_free(pub);
    cl_arena_fini(&a);
}

static void
test_ecdsa_a3_private(void **state)
{
    struct cl_arena a;
    struct a3 v;
    struct cl_key *k = NULL;
    struct cl_error err = {0};
    uint8_t x[CL_EC_COORD_MAX], y[CL_EC_COORD_MAX], d[CL_EC_COORD_MAX];
    uint8_t sig[CL_ECDSA_RAW_MAX];
    size_t sig_len = 0;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    v = load_a3(&a);
    cl_test_expect("A.3 key with d", cl_key_from_coords(CL_CURVE_P256, v.x, v.y, v.d, &k, &err),
                   CL_OK, &err);
    assert_true(cl_key_has_private(k));
    assert_int_equal(cl_key_curve(k), CL_CURVE_P256);
    assert_int_equal(cl_key_coord_len(k), 32);
    cl_test_expect("coords", cl_key_coords(k, x, y, d, &err), CL_OK, &err);
    expect_bytes("x", cl_bytes_of(x, 32), v.x);
    expect_bytes("y", cl_bytes_of(y, 32), v.y);
    expect_bytes("d", cl_bytes_of(d, 32), v.d);
    cl_wipe(d, sizeof d);
    /* signatures are randomized: a fresh one from d must verify, and differ from the RFC's */
    cl_test_expect("sign", cl_ecdsa_sign(k, CL_HASH_SHA256, v.input, sig, &sig_len, &err), CL_OK,
                   &err);
    assert_int_equal(sig_len, 64);
    cl_test_expect("verify own",
                   cl_ecdsa_verify(k, CL_HASH_SHA256, v.input, cl_bytes_of(sig, sig_len), &err),
                   CL_OK, &err);
    cl_test_expect("verify RFC", cl_ecdsa_verify(k, CL_HASH_SHA256, v.input, v.sig, &err), CL_OK,
                   &err);
    cl_key_free(k);
    cl_arena_fini(&a);
}

static void
test_ecdsa_round_trip(void **state)
{
    static const struct {
        enum cl_curve curve;
        enum cl_hash_alg alg;
        size_t coord;
    } rows[] = {
        {CL_CURVE_P256, CL_HASH_SHA256, 32},
        {CL_CURVE_P384, CL_HASH_SHA384, 48},
        {CL_CURVE_P521, CL_HASH_SHA512, 66},
        {CL_CURVE_P256, CL_HASH_SHA512, 32},
    };
    struct cl_bytes msg = cl_bytes_str("cardless round trip");

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_key *k = NULL;
        struct cl_error err = {0};
        uint8_t sig[CL_ECDSA_RAW_MAX], raw[CL_ECDSA_RAW_MAX];
        size_t sig_len = 0;
        struct cl_buf der, der2;

        cl_buf_init(&der);
        cl_buf_init(&der2);
        cl_test_expect("generate", cl_key_generate(rows[i].curve, &k, &err), CL_OK, &err);
        assert_int_equal(cl_key_coord_len(k), rows[i].coord);
        assert_true(cl_key_has_private(k));
        cl_test_expect("sign", cl_ecdsa_sign(k, rows[i].alg, msg, sig, &sig_len, &err), CL_OK,
                       &err);
        assert_int_equal(sig_len, 2 * rows[i].coord);
        cl_test_expect("verify",
                       cl_ecdsa_verify(k, rows[i].alg, msg, cl_bytes_of(sig, sig_len), &err), CL_OK,
                       &err);
        cl_test_expect("sign der", cl_ecdsa_sign_der(k, rows[i].alg, msg, &der, &err), CL_OK, &err);
        assert_true(der.len <= CL_ECDSA_DER_MAX);
        cl_test_expect("verify der",
                       cl_ecdsa_verify_der(k, rows[i].alg, msg, cl_buf_bytes(&der), &err), CL_OK,
                       &err);
        /* DER -> raw -> DER gives the same bytes */
        cl_test_expect("der to raw",
                       cl_ecdsa_der_to_raw(cl_buf_bytes(&der), rows[i].coord, raw, &err), CL_OK,
                       &err);
        cl_test_expect("raw to der",
                       cl_ecdsa_raw_to_der(cl_bytes_of(raw, 2 * rows[i].coord), &der2, &err), CL_OK,
                       &err);
        expect_bytes("der round trip", cl_buf_bytes(&der2), cl_buf_bytes(&der));
        cl_buf_fini(&der);
        cl_buf_fini(&der2);
        cl_key_free(k);
    }
    expect_no_openssl_error("round trip");
}

/* Test-only makers of non-canonical DER from a canonical 30 len 02 rlen r 02 slen s. */
enum der_break { DER_LONG_LENGTH, DER_LEADING_ZERO, DER_TRAILING_BYTE, DER_TRUNCATED, DER_NOT_SEQ };

static struct cl_bytes
break_der(struct cl_arena *a, struct cl_bytes der, enum der_break how)
{
    uint8_t *p = cl_arena_alloc(a, der.len + 2);
    size_t rlen;

    assert_non_null(p);
    assert_true(der.len < 128 && der.ptr[0] == 0x30 && der.ptr[2] == 0x02);
    switch (how) {
    case DER_LONG_LENGTH: /* 30 81 len: BER, not DER (X.690 §10.1) */
        p[0] = 0x30;
        p[1] = 0x81;
        memcpy(p + 2, der.ptr + 1, der.len - 1);
        return cl_bytes_of(p, der.len + 1);
    case DER_LEADING_ZERO: /* r with a needless 00 (X.690 §8.3.2) */
        rlen = der.ptr[3];
        p[0] = 0x30;
        p[1] = (uint8_t)(der.ptr[1] + 1);
        p[2] = 0x02;
        p[3] = (uint8_t)(rlen + 1);
        p[4] = 0x00;
        memcpy(p + 5, der.ptr + 4, der.len - 4);
        if (der.ptr[4] & 0x80) { /* already padded once: pad with a second zero */
        }
        return cl_bytes_of(p, der.len + 1);
    case DER_TRAILING_BYTE:
        memcpy(p, der.ptr, der.len);
        p[der.len] = 0x00;
        return cl_bytes_of(p, der.len + 1);
    case DER_TRUNCATED:
        memcpy(p, der.ptr, der.len);
        return cl_bytes_of(p, der.len - 1);
    case DER_NOT_SEQ:
        memcpy(p, der.ptr, der.len);
        p[0] = 0x31;
        return cl_bytes_of(p, der.len);
    }
    return der;
}

static void
test_ecdsa_der_strict(void **state)
{
    static const struct {
        const char *name;
        enum der_break how;
    } rows[] = {
        {"long-form length", DER_LONG_LENGTH},    {"leading zero in r", DER_LEADING_ZERO},
        {"trailing byte", DER_TRAILING_BYTE},     {"truncated", DER_TRUNCATED},
        {"SET instead of SEQUENCE", DER_NOT_SEQ},
    };
    struct cl_arena a;
    struct cl_key *k = pem_key(PEM_P256_PKCS8);
    struct cl_bytes msg = cl_bytes_str("strict DER");
    struct cl_buf der;
    struct cl_error err = {0};

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&der);
    cl_test_expect("sign der", cl_ecdsa_sign_der(k, CL_HASH_SHA256, msg, &der, &err), CL_OK, &err);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_error e = {0};
        struct cl_bytes bad = break_der(&a, cl_buf_bytes(&der), rows[i].how);
        uint8_t raw[CL_ECDSA_RAW_MAX];

        cl_test_expect(rows[i].name, cl_ecdsa_verify_der(k, CL_HASH_SHA256, msg, bad, &e),
                       CL_ERR_SIGNATURE, &e);
        memset(raw, 0x33, sizeof raw);
        cl_test_expect(rows[i].name, cl_ecdsa_der_to_raw(bad, 32, raw, &e), CL_ERR_INPUT, &e);
        for (size_t j = 0; j < 64; j++)
            if (raw[j] != 0)
                fail_msg("%s: output not zeroed on failure", rows[i].name);
        expect_no_openssl_error(rows[i].name);
    }
    /* a P-384 size r||s does not fit a P-256 key */
    {
        uint8_t big[96], raw[CL_ECDSA_RAW_MAX];
        struct cl_buf der384;

        memset(big, 0x7f, sizeof big);
        cl_buf_init(&der384);
        cl_test_expect("raw to der", cl_ecdsa_raw_to_der(cl_bytes_of(big, 96), &der384, &err),
                       CL_OK, &err);
        cl_test_expect("too wide", cl_ecdsa_der_to_raw(cl_buf_bytes(&der384), 32, raw, &err),
                       CL_ERR_INPUT, &err);
        cl_buf_fini(&der384);
        assert_int_equal(cl_ecdsa_raw_to_der(cl_bytes_of(big, 63), &der384, &err), CL_ERR_INPUT);
    }
    cl_buf_fini(&der);
    cl_key_free(k);
    cl_arena_fini(&a);
}

/* ---- keys ---- */

static const struct {
    const char *name;
    const char *pem;
    cl_err want;
    enum cl_curve curve;
    bool priv;
} pem_cases[] = {
    {"PKCS #8 P-256", PEM_P256_PKCS8, CL_OK, CL_CURVE_P256, true},
    {"SEC 1 P-256", PEM_P256_SEC1, CL_OK, CL_CURVE_P256, true},
    {"EC PARAMETERS then SEC 1", PEM_P256_PARAMS_SEC1, CL_OK, CL_CURVE_P256, true},
    {"SPKI P-256", PEM_P256_PUB, CL_OK, CL_CURVE_P256, false},
    {"PKCS #8 P-384", PEM_P384_PKCS8, CL_OK, CL_CURVE_P384, true},
    {"PKCS #8 P-521", PEM_P521_PKCS8, CL_OK, CL_CURVE_P521, true},
    {"SPKI P-521", PEM_P521_PUB, CL_OK, CL_CURVE_P521, false},
    {"text around the block", "a comment\n" PEM_P256_PUB "trailing text\n", CL_OK, CL_CURVE_P256,
     false},
    {"empty", "", CL_ERR_INPUT, 0, false},
    {"garbage", "this is not PEM at all", CL_ERR_INPUT, 0, false},
    {"BEGIN without END", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n",
     CL_ERR_INPUT, 0, false},
    {"truncated body",
     "-----BEGIN PUBLIC "
     "KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYMoCLuzLDXoeGj3V9EKTVdxJbdkH\n"
     "-----END PUBLIC KEY-----\n",
     CL_ERR_INPUT, 0, false},
    {"bad base64", "-----BEGIN PUBLIC KEY-----\nMFkw!!!!\n-----END PUBLIC KEY-----\n", CL_ERR_INPUT,
     0, false},
    {"RSA public key", PEM_RSA_PUB, CL_ERR_UNSUPPORTED, 0, false},
    {"Ed25519 private key", PEM_ED25519, CL_ERR_UNSUPPORTED, 0, false},
    {"secp256k1", PEM_SECP256K1, CL_ERR_UNSUPPORTED, 0, false},
    {"explicit curve parameters", PEM_P256_EXPLICIT, CL_ERR_UNSUPPORTED, 0, false},
    {"encrypted PKCS #8", PEM_P256_PKCS8_ENCRYPTED, CL_ERR_UNSUPPORTED, 0, false},
    {"encrypted SEC 1 (Proc-Type)", PEM_P256_SEC1_ENCRYPTED, CL_ERR_UNSUPPORTED, 0, false},
    {"two keys", PEM_P256_PKCS8 PEM_P384_PKCS8, CL_ERR_INPUT, 0, false},
    {"key then public key", PEM_P256_PKCS8 PEM_P256_PUB, CL_ERR_INPUT, 0, false},
    {"key then broken block", PEM_P256_PUB "-----BEGIN PUBLIC KEY-----\nMFkw\n", CL_ERR_INPUT, 0,
     false},
    {"certificate label", "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
     CL_ERR_UNSUPPORTED, 0, false},
};

static void
test_key_from_pem(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(pem_cases); i++) {
        struct cl_key *k = (struct cl_key *)&k; /* poisoned: must be NULL after a failure */
        struct cl_error err = {0};
        cl_err got = cl_key_from_pem(cl_bytes_str(pem_cases[i].pem), &k, &err);

        cl_test_expect(pem_cases[i].name, got, pem_cases[i].want, &err);
        expect_no_openssl_error(pem_cases[i].name);
        if (got != CL_OK) {
            if (k != NULL)
                fail_msg("%s: output not cleared on failure", pem_cases[i].name);
            if (err.msg[0] == '\0' || strcmp(err.where, "pem") != 0)
                fail_msg("%s: no message naming the pem", pem_cases[i].name);
            continue;
        }
        if (cl_key_curve(k) != pem_cases[i].curve || cl_key_has_private(k) != pem_cases[i].priv)
            fail_msg("%s: wrong curve or private flag", pem_cases[i].name);
        cl_key_free(k);
    }
}

static void
test_key_pem_spki_round_trip(void **state)
{
    struct cl_arena a;
    struct cl_key *k = pem_key(PEM_P256_PKCS8), *sec1 = pem_key(PEM_P256_SEC1);
    struct cl_key *pub = pem_key(PEM_P256_PUB), *k2 = NULL, *pub2 = NULL, *spki = NULL;
    struct cl_buf priv_pem, pub_pem, der;
    struct cl_error err = {0};

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init_ex(&priv_pem, CL_BUF_MAX_DEFAULT, true);
    cl_buf_init(&pub_pem);
    cl_buf_init(&der);
    assert_true(cl_key_equal_public(k, sec1));
    assert_true(cl_key_equal_public(k, pub));
    cl_test_expect("to pem private", cl_key_to_pem_private(k, &priv_pem, &err), CL_OK, &err);
    assert_true(priv_pem.len > 27 && memcmp(priv_pem.ptr, "-----BEGIN PRIVATE KEY-----", 27) == 0);
    cl_test_expect("from own pem", cl_key_from_pem(cl_buf_bytes(&priv_pem), &k2, &err), CL_OK,
                   &err);
    assert_true(cl_key_has_private(k2));
    assert_true(cl_key_equal_public(k, k2));
    cl_test_expect("to pem public", cl_key_to_pem_public(k, &pub_pem, &err), CL_OK, &err);
    expect_bytes("public pem", cl_buf_bytes(&pub_pem), cl_bytes_str(PEM_P256_PUB));
    cl_test_expect("from own public pem", cl_key_from_pem(cl_buf_bytes(&pub_pem), &pub2, &err),
                   CL_OK, &err);
    assert_false(cl_key_has_private(pub2));
    assert_int_equal(cl_key_to_pem_private(pub2, &priv_pem, &err), CL_ERR_USAGE);
    cl_test_expect("to spki", cl_key_to_spki(k, &der, &err), CL_OK, &err);
    expect_bytes("spki", cl_buf_bytes(&der), cl_test_hex(&a, SPKI_P256));
    cl_test_expect("from spki", cl_key_from_spki(cl_buf_bytes(&der), &spki, &err), CL_OK, &err);
    assert_true(cl_key_equal_public(spki, pub2));
    {
        struct cl_key *g = NULL;

        cl_test_expect("generate", cl_key_generate(CL_CURVE_P256, &g, &err), CL_OK, &err);
        assert_false(cl_key_equal_public(g, k));
        cl_key_free(g);
    }
    cl_buf_fini(&priv_pem);
    cl_buf_fini(&pub_pem);
    cl_buf_fini(&der);
    cl_key_free(spki);
    cl_key_free(pub2);
    cl_key_free(k2);
    cl_key_free(pub);
    cl_key_free(sec1);
    cl_key_free(k);
    cl_arena_fini(&a);
}

static void
test_key_from_spki(void **state)
{
    static const struct {
        const char *name;
        const char *hex;
        cl_err want;
    } rows[] = {
        {"P-256 SPKI", SPKI_P256, CL_OK},
        {"trailing byte", SPKI_P256 "00", CL_ERR_INPUT},
        {"truncated", "3059301306072a8648ce3d020106082a8648ce3d03010703420004", CL_ERR_INPUT},
        {"RSA SPKI", SPKI_RSA, CL_ERR_UNSUPPORTED},
        {"not DER", "00", CL_ERR_INPUT},
        {"point off the curve (last byte of y changed)",
         "3059301306072a8648ce3d020106082a8648ce3d0301070342000460ca022eeccb0d7a1e1a3dd5f4429355dc"
         "496dd90747c67eb90b9f0a1e88895c06c1c6be55b7f63ce639cb1fdd56e5f8d38689eb2f7c28d2d723ab477e7"
         "5"
         "1322",
         CL_ERR_INPUT},
    };
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_key *k = NULL;
        struct cl_error err = {0};

        cl_test_expect(rows[i].name, cl_key_from_spki(cl_test_hex(&a, rows[i].hex), &k, &err),
                       rows[i].want, &err);
        expect_no_openssl_error(rows[i].name);
        cl_key_free(k);
    }
    cl_arena_fini(&a);
}

static void
test_key_from_coords(void **state)
{
    enum { OK_PUB, OK_PRIV, OFF_CURVE, SHORT_X, LONG_Y, WRONG_D, ZERO_D, N_D, BAD_CURVE, P384 };
    static const struct {
        const char *name;
        int what;
        cl_err want;
        const char *where;
    } rows[] = {
        {"A.3 public", OK_PUB, CL_OK, ""},
        {"A.3 private", OK_PRIV, CL_OK, ""},
        {"y + 1: off the curve", OFF_CURVE, CL_ERR_INPUT, "x"},
        {"x of 31 bytes", SHORT_X, CL_ERR_INPUT, "x"},
        {"y of 33 bytes", LONG_Y, CL_ERR_INPUT, "y"},
        {"d of another key", WRONG_D, CL_ERR_INPUT, "d"},
        {"d = 0", ZERO_D, CL_ERR_INPUT, "d"},
        {"d = n", N_D, CL_ERR_INPUT, "d"},
        {"unknown curve", BAD_CURVE, CL_ERR_UNSUPPORTED, "crv"},
        {"P-256 point as P-384", P384, CL_ERR_INPUT, "x"},
    };
    struct cl_arena a;
    struct a3 v;
    struct cl_key *other = pem_key(PEM_P256_PKCS8);
    uint8_t ox[CL_EC_COORD_MAX], oy[CL_EC_COORD_MAX], od[CL_EC_COORD_MAX];
    struct cl_error err = {0};

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    v = load_a3(&a);
    cl_test_expect("other coords", cl_key_coords(other, ox, oy, od, &err), CL_OK, &err);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_bytes x = v.x, y = v.y, d = cl_bytes_of(NULL, 0);
        enum cl_curve curve = CL_CURVE_P256;
        uint8_t *buf = cl_arena_alloc(&a, 2 * CL_EC_COORD_MAX);
        struct cl_key *k = NULL;
        struct cl_error e = {0};

        assert_non_null(buf);
        switch (rows[i].what) {
        case OK_PRIV:
            d = v.d;
            break;
        case OFF_CURVE:
            memcpy(buf, v.y.ptr, 32);
            buf[31] ^= 1;
            y = cl_bytes_of(buf, 32);
            break;
        case SHORT_X:
            x.len = 31;
            break;
        case LONG_Y:
            memcpy(buf, v.y.ptr, 32);
            buf[32] = 0;
            y = cl_bytes_of(buf, 33);
            break;
        case WRONG_D:
            d = cl_bytes_of(od, 32);
            break;
        case ZERO_D:
            memset(buf, 0, 32);
            d = cl_bytes_of(buf, 32);
            break;
        case N_D:
            memcpy(buf, other->order, 32);
            d = cl_bytes_of(buf, 32);
            break;
        case BAD_CURVE:
            curve = (enum cl_curve)7;
            break;
        case P384:
            curve = CL_CURVE_P384;
            break;
        }
        cl_test_expect(rows[i].name, cl_key_from_coords(curve, x, y, d, &k, &e), rows[i].want, &e);
        expect_no_openssl_error(rows[i].name);
        if (rows[i].want != CL_OK && strcmp(e.where, rows[i].where) != 0)
            fail_msg("%s: where is \"%s\", want \"%s\"", rows[i].name, e.where, rows[i].where);
        cl_key_free(k);
    }
    cl_wipe(od, sizeof od);
    cl_key_free(other);
    cl_arena_fini(&a);
}

/* A public key of `k` imported from its coordinates: the form holders' keys arrive in. */
static struct cl_key *
coords_key(const struct cl_key *k)
{
    uint8_t x[CL_EC_COORD_MAX], y[CL_EC_COORD_MAX];
    size_t n = cl_key_coord_len(k);
    struct cl_key *pub = NULL;
    struct cl_error err = {0};

    cl_test_expect("coords", cl_key_coords(k, x, y, NULL, &err), CL_OK, &err);
    cl_test_expect("from coords",
                   cl_key_from_coords(cl_key_curve(k), cl_bytes_of(x, n), cl_bytes_of(y, n),
                                      cl_bytes_of(NULL, 0), &pub, &err),
                   CL_OK, &err);
    return pub;
}

/*
 * A key imported from coordinates is verified first on the thread's scratch key, set to its
 * point, then with an EVP_PKEY of its own: interleaving keys must never verify one key's
 * signature under another's point, whichever path each verification takes.
 */
static void
test_key_coords_verify_paths(void **state)
{
    static const struct {
        enum cl_curve curve;
        enum cl_hash_alg alg;
    } curves[] = {
        {CL_CURVE_P256, CL_HASH_SHA256},
        {CL_CURVE_P384, CL_HASH_SHA384},
        {CL_CURVE_P521, CL_HASH_SHA512},
    };
    struct cl_bytes msg = cl_bytes_str("cardless scratch keys");

    (void)state;
    for (size_t c = 0; c < CL_ARRAY_LEN(curves); c++) {
        struct cl_key *a = NULL, *b = NULL, *pa, *pb, *pa2, *off = NULL;
        uint8_t sa[CL_ECDSA_RAW_MAX], sb[CL_ECDSA_RAW_MAX], x[CL_EC_COORD_MAX], y[CL_EC_COORD_MAX],
            s1[CL_EC_COORD_MAX], s2[CL_EC_COORD_MAX];
        size_t la = 0, lb = 0, n, n1 = 0, n2 = 0;
        struct cl_buf pem1, pem2;
        struct cl_error err = {0};

        cl_test_expect("gen a", cl_key_generate(curves[c].curve, &a, &err), CL_OK, &err);
        cl_test_expect("gen b", cl_key_generate(curves[c].curve, &b, &err), CL_OK, &err);
        n = cl_key_coord_len(a);
        cl_test_expect("sign a", cl_ecdsa_sign(a, curves[c].alg, msg, sa, &la, &err), CL_OK, &err);
        cl_test_expect("sign b", cl_ecdsa_sign(b, curves[c].alg, msg, sb, &lb, &err), CL_OK, &err);
        pa = coords_key(a);
        pb = coords_key(b);
        assert_false(cl_key_has_private(pa));
        /* first verifications (scratch key), each right after the other key's point was set */
        assert_int_equal(cl_ecdsa_verify(pb, curves[c].alg, msg, cl_bytes_of(sa, la), &err),
                         CL_ERR_SIGNATURE);
        cl_test_expect("a first",
                       cl_ecdsa_verify(pa, curves[c].alg, msg, cl_bytes_of(sa, la), &err), CL_OK,
                       &err);
        /* later ones (the key's own EVP_PKEY and cached context) */
        cl_test_expect("a again",
                       cl_ecdsa_verify(pa, curves[c].alg, msg, cl_bytes_of(sa, la), &err), CL_OK,
                       &err);
        cl_test_expect("b second",
                       cl_ecdsa_verify(pb, curves[c].alg, msg, cl_bytes_of(sb, lb), &err), CL_OK,
                       &err);
        assert_int_equal(cl_ecdsa_verify(pa, curves[c].alg, msg, cl_bytes_of(sb, lb), &err),
                         CL_ERR_SIGNATURE);
        /* a point refused in between leaves the scratch key usable */
        cl_test_expect("coords", cl_key_coords(a, x, y, NULL, &err), CL_OK, &err);
        y[n - 1] ^= 1;
        assert_int_equal(cl_key_from_coords(curves[c].curve, cl_bytes_of(x, n), cl_bytes_of(y, n),
                                            cl_bytes_of(NULL, 0), &off, &err),
                         CL_ERR_INPUT);
        assert_null(off);
        pa2 = coords_key(a);
        assert_int_equal(cl_ecdsa_verify(pa2, curves[c].alg, msg, cl_bytes_of(sb, lb), &err),
                         CL_ERR_SIGNATURE);
        /* a SHA-256 signature under a P-384/P-521 point: another hash than the curve's own */
        if (curves[c].alg != CL_HASH_SHA256) {
            struct cl_key *pa3 = coords_key(a);

            cl_test_expect("sign sha256", cl_ecdsa_sign(a, CL_HASH_SHA256, msg, sa, &la, &err),
                           CL_OK, &err);
            cl_test_expect("other hash",
                           cl_ecdsa_verify(pa3, CL_HASH_SHA256, msg, cl_bytes_of(sa, la), &err),
                           CL_OK, &err);
            cl_key_free(pa3);
        }
        /* everything else a key does, from the point alone */
        assert_true(cl_key_equal_public(pa, a));
        assert_true(cl_key_equal_public(pa, pa2));
        assert_false(cl_key_equal_public(pa2, pb));
        cl_test_expect("coords of point key", cl_key_coords(pa2, x, y, NULL, &err), CL_OK, &err);
        cl_test_expect("coords of a", cl_key_coords(a, s1, s2, NULL, &err), CL_OK, &err);
        expect_bytes("x", cl_bytes_of(x, n), cl_bytes_of(s1, n));
        expect_bytes("y", cl_bytes_of(y, n), cl_bytes_of(s2, n));
        cl_buf_init(&pem1);
        cl_buf_init(&pem2);
        cl_test_expect("pem point key", cl_key_to_pem_public(pa2, &pem1, &err), CL_OK, &err);
        cl_test_expect("pem a", cl_key_to_pem_public(a, &pem2, &err), CL_OK, &err);
        expect_bytes("pem", cl_buf_bytes(&pem1), cl_buf_bytes(&pem2));
        cl_buf_fini(&pem1);
        cl_buf_fini(&pem2);
        cl_test_expect("ecdh a-pb", cl_ecdh(a, pb, s1, &n1, &err), CL_OK, &err);
        cl_test_expect("ecdh b-pa", cl_ecdh(b, pa2, s2, &n2, &err), CL_OK, &err);
        expect_bytes("shared secret", cl_bytes_of(s1, n1), cl_bytes_of(s2, n2));
        cl_key_free(pa2);
        cl_key_free(pb);
        cl_key_free(pa);
        cl_key_free(b);
        cl_key_free(a);
    }
    expect_no_openssl_error("coords verify paths");
}

/* Two threads verifying with fresh point keys at once: each has its own scratch key. */
struct verify_thread {
    const struct cl_key *a, *b; /* key pairs */
    const uint8_t *sa, *sb;     /* their ES256 signatures over "threads" */
    size_t la, lb;
    int wrong; /* verifications that gave the wrong answer */
};

static void *
verify_thread_run(void *p)
{
    struct verify_thread *t = p;
    struct cl_bytes msg = cl_bytes_str("threads");

    for (int i = 0; i < 200; i++) {
        struct cl_key *pk = coords_key((i & 1) != 0 ? t->a : t->b);
        bool is_a = (i & 1) != 0;

        t->wrong += cl_ecdsa_verify(pk, CL_HASH_SHA256, msg, cl_bytes_of(t->sa, t->la), NULL) !=
                    (is_a ? CL_OK : CL_ERR_SIGNATURE);
        t->wrong += cl_ecdsa_verify(pk, CL_HASH_SHA256, msg, cl_bytes_of(t->sb, t->lb), NULL) !=
                    (is_a ? CL_ERR_SIGNATURE : CL_OK);
        cl_key_free(pk);
    }
    return NULL;
}

static void
test_key_coords_threads(void **state)
{
    struct cl_key *a = NULL, *b = NULL;
    uint8_t sa[CL_ECDSA_RAW_MAX], sb[CL_ECDSA_RAW_MAX];
    struct verify_thread t[2];
    pthread_t th[2];
    struct cl_error err = {0};

    (void)state;
    cl_test_expect("gen a", cl_key_generate(CL_CURVE_P256, &a, &err), CL_OK, &err);
    cl_test_expect("gen b", cl_key_generate(CL_CURVE_P256, &b, &err), CL_OK, &err);
    memset(t, 0, sizeof t);
    t[0].a = t[1].b = a; /* the threads alternate in opposite phase */
    t[0].b = t[1].a = b;
    cl_test_expect("sign a",
                   cl_ecdsa_sign(a, CL_HASH_SHA256, cl_bytes_str("threads"), sa, &t[0].la, &err),
                   CL_OK, &err);
    cl_test_expect("sign b",
                   cl_ecdsa_sign(b, CL_HASH_SHA256, cl_bytes_str("threads"), sb, &t[0].lb, &err),
                   CL_OK, &err);
    t[0].sa = t[1].sb = sa;
    t[0].sb = t[1].sa = sb;
    t[1].la = t[0].lb;
    t[1].lb = t[0].la;
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, verify_thread_run, &t[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(t[0].wrong, 0);
    assert_int_equal(t[1].wrong, 0);
    cl_key_free(b);
    cl_key_free(a);
}

static void
test_key_ref_defer_evp(void **state)
{
    struct cl_arena a;
    struct cl_key *k = pem_key(PEM_P256_PKCS8), *w = NULL;
    struct cl_error err = {0};

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    assert_ptr_equal(cl_key_ref(k), k);
    cl_key_free(k); /* one reference left */
    assert_true(cl_key_has_private(k));
    cl_test_expect("from evp", cl_key_from_evp(cl_key_evp(k), &w, &err), CL_OK, &err);
    assert_true(cl_key_equal_public(k, w));
    assert_true(cl_key_has_private(w));
    cl_key_free(w);
    assert_int_equal(cl_key_from_evp(NULL, &w, &err), CL_ERR_USAGE);
    assert_null(w);
    cl_test_expect("defer", cl_key_defer(&a, k, &err), CL_OK, &err);
    cl_arena_fini(&a); /* frees k; ASan reports a leak otherwise */
    cl_key_free(NULL);
}

/* ---- ECDH ---- */

static void
test_ecdh(void **state)
{
    struct cl_key *a = NULL, *b = NULL, *c = NULL, *pub = pem_key(PEM_P256_PUB);
    uint8_t s1[CL_EC_COORD_MAX], s2[CL_EC_COORD_MAX];
    size_t n1 = 0, n2 = 0;
    struct cl_error err = {0};

    (void)state;
    cl_test_expect("gen a", cl_key_generate(CL_CURVE_P256, &a, &err), CL_OK, &err);
    cl_test_expect("gen b", cl_key_generate(CL_CURVE_P256, &b, &err), CL_OK, &err);
    cl_test_expect("gen c", cl_key_generate(CL_CURVE_P384, &c, &err), CL_OK, &err);
    cl_test_expect("a with b", cl_ecdh(a, b, s1, &n1, &err), CL_OK, &err);
    cl_test_expect("b with a", cl_ecdh(b, a, s2, &n2, &err), CL_OK, &err);
    assert_int_equal(n1, 32);
    expect_bytes("shared secret both ways", cl_bytes_of(s1, n1), cl_bytes_of(s2, n2));
    assert_int_equal(cl_ecdh(a, c, s1, &n1, &err), CL_ERR_INPUT);
    assert_int_equal(n1, 0);
    assert_int_equal(cl_ecdh(pub, a, s1, &n1, &err), CL_ERR_USAGE);
    cl_test_expect("P-384 with itself", cl_ecdh(c, c, s1, &n1, &err), CL_OK, &err);
    assert_int_equal(n1, 48);
    cl_wipe(s1, sizeof s1);
    cl_wipe(s2, sizeof s2);
    expect_no_openssl_error("ecdh");
    cl_key_free(pub);
    cl_key_free(c);
    cl_key_free(b);
    cl_key_free(a);
}

/* ---- AES-256-GCM ---- */

static void
test_aesgcm_vectors(void **state)
{
    static const char *files[] = {"gcm-spec/tc13.txt", "gcm-spec/tc14.txt", "gcm-spec/tc15.txt",
                                  "gcm-spec/tc16.txt"};
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    for (size_t i = 0; i < CL_ARRAY_LEN(files); i++) {
        struct cl_bytes v = cl_test_vector(&a, files[i]);
        struct cl_bytes key = kv_hex(&a, v, "key"), iv = kv_hex(&a, v, "iv");
        struct cl_bytes pt = kv_hex(&a, v, "pt"), aad = kv_hex(&a, v, "aad");
        struct cl_bytes ct = kv_hex(&a, v, "ct"), tag = kv_hex(&a, v, "tag");
        struct cl_buf sealed, opened, want;
        struct cl_error err = {0};

        assert_int_equal(key.len, 32);
        assert_int_equal(iv.len, 12);
        cl_buf_init(&sealed);
        cl_buf_init(&opened);
        cl_buf_init(&want);
        cl_buf_append_bytes(&want, ct);
        cl_buf_append_bytes(&want, tag);
        cl_test_expect(files[i], cl_aes256gcm_seal(key.ptr, iv.ptr, aad, pt, &sealed, &err), CL_OK,
                       &err);
        expect_bytes(files[i], cl_buf_bytes(&sealed), cl_buf_bytes(&want));
        cl_test_expect(files[i],
                       cl_aes256gcm_open(key.ptr, iv.ptr, aad, cl_buf_bytes(&want), &opened, &err),
                       CL_OK, &err);
        expect_bytes(files[i], cl_buf_bytes(&opened), pt);
        cl_buf_fini(&sealed);
        cl_buf_fini(&opened);
        cl_buf_fini(&want);
    }
    cl_arena_fini(&a);
}

static void
test_aesgcm_tamper(void **state)
{
    enum { TAG, CT, AAD, IV, SHORT };
    static const struct {
        const char *name;
        int what;
        cl_err want;
    } rows[] = {
        {"tampered tag", TAG, CL_ERR_SIGNATURE},
        {"tampered ciphertext", CT, CL_ERR_SIGNATURE},
        {"other AAD", AAD, CL_ERR_SIGNATURE},
        {"other IV", IV, CL_ERR_SIGNATURE},
        {"shorter than the tag", SHORT, CL_ERR_TRUNCATED},
    };
    uint8_t key[32], iv[12];
    struct cl_bytes pt = cl_bytes_str("resident registration number stays secret");
    struct cl_bytes aad = cl_bytes_str("SessionTranscript");
    struct cl_buf sealed;
    struct cl_error err = {0};

    (void)state;
    cl_test_expect("key", cl_random(key, sizeof key, &err), CL_OK, &err);
    cl_test_expect("iv", cl_random(iv, sizeof iv, &err), CL_OK, &err);
    cl_buf_init(&sealed);
    cl_test_expect("seal", cl_aes256gcm_seal(key, iv, aad, pt, &sealed, &err), CL_OK, &err);
    assert_int_equal(sealed.len, pt.len + CL_GCM_TAG_LEN);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        uint8_t ct[128], iv2[12];
        struct cl_bytes in = cl_bytes_of(ct, sealed.len), aad2 = aad;
        struct cl_buf out;
        struct cl_error e = {0};

        memcpy(ct, sealed.ptr, sealed.len);
        memcpy(iv2, iv, sizeof iv);
        switch (rows[i].what) {
        case TAG:
            ct[sealed.len - 1] ^= 1;
            break;
        case CT:
            ct[0] ^= 0x80;
            break;
        case AAD:
            aad2 = cl_bytes_str("SessionTranscripT");
            break;
        case IV:
            iv2[11] ^= 1;
            break;
        case SHORT:
            in.len = CL_GCM_TAG_LEN - 1;
            break;
        }
        cl_buf_init(&out);
        cl_buf_append_str(&out, "prefix");
        cl_test_expect(rows[i].name, cl_aes256gcm_open(key, iv2, aad2, in, &out, &e), rows[i].want,
                       &e);
        /* nothing appended, the earlier contents untouched */
        expect_bytes(rows[i].name, cl_buf_bytes(&out), cl_bytes_str("prefix"));
        expect_no_openssl_error(rows[i].name);
        cl_buf_fini(&out);
    }
    {
        struct cl_buf out;

        cl_buf_init(&out);
        cl_test_expect("round trip",
                       cl_aes256gcm_open(key, iv, aad, cl_buf_bytes(&sealed), &out, &err), CL_OK,
                       &err);
        expect_bytes("round trip", cl_buf_bytes(&out), pt);
        cl_buf_fini(&out);
    }
    cl_buf_fini(&sealed);
    cl_wipe(key, sizeof key);
}

/* ---- random, comparison ---- */

static void
test_random(void **state)
{
    static const uint64_t bounds[] = {
        1, 2, 3, 7, 10, 1000, (uint64_t)1 << 63, ((uint64_t)1 << 63) + 1, UINT64_MAX};
    uint8_t buf[64], zero[64] = {0};
    uint64_t r = 99;
    struct cl_error err = {0};

    (void)state;
    cl_test_expect("random", cl_random(buf, sizeof buf, &err), CL_OK, &err);
    assert_false(cl_ct_equal(cl_bytes_of(buf, 64), cl_bytes_of(zero, 64))); /* 2^-512 */
    cl_test_expect("random 0 bytes", cl_random(NULL, 0, &err), CL_OK, &err);
    for (size_t i = 0; i < CL_ARRAY_LEN(bounds); i++)
        for (int j = 0; j < 50; j++) {
            cl_test_expect("random_below", cl_random_below(bounds[i], &r, &err), CL_OK, &err);
            if (r >= bounds[i])
                fail_msg("random_below(%llu) gave %llu", (unsigned long long)bounds[i],
                         (unsigned long long)r);
        }
    assert_int_equal(cl_random_below(0, &r, &err), CL_ERR_USAGE);
    {
        /* every value of a small range turns up */
        unsigned seen = 0;

        for (int j = 0; j < 500; j++) {
            cl_test_expect("random_below 6", cl_random_below(6, &r, &err), CL_OK, &err);
            seen |= 1u << r;
        }
        assert_int_equal(seen, 0x3f);
    }
}

static void
test_ct_equal(void **state)
{
    (void)state;
    assert_true(cl_ct_equal(cl_bytes_str("abc"), cl_bytes_str("abc")));
    assert_false(cl_ct_equal(cl_bytes_str("abc"), cl_bytes_str("abd")));
    assert_false(cl_ct_equal(cl_bytes_str("abc"), cl_bytes_str("ab")));
    assert_true(cl_ct_equal(cl_bytes_of(NULL, 0), cl_bytes_str("")));
}

/* ---- allocation failures (curl's torture tests) ---- */

static cl_err
op_generate(void)
{
    struct cl_key *k = NULL;
    cl_err rc = cl_key_generate(CL_CURVE_P256, &k, NULL);

    cl_key_free(k);
    return rc;
}

static cl_err
op_from_pem(void)
{
    struct cl_key *k = NULL;
    cl_err rc = cl_key_from_pem(cl_bytes_str(PEM_P256_PKCS8), &k, NULL);

    cl_key_free(k);
    return rc;
}

static cl_err
op_to_spki_and_sign_der(void)
{
    struct cl_key *k = NULL;
    struct cl_buf b;
    cl_err rc = cl_key_from_pem(cl_bytes_str(PEM_P256_PKCS8), &k, NULL);

    cl_buf_init(&b);
    if (rc == CL_OK)
        rc = cl_key_to_spki(k, &b, NULL);
    if (rc == CL_OK)
        rc = cl_ecdsa_sign_der(k, CL_HASH_SHA256, cl_bytes_str("m"), &b, NULL);
    cl_buf_fini(&b);
    cl_key_free(k);
    return rc;
}

static cl_err
op_seal(void)
{
    static const uint8_t key[32], iv[12];
    struct cl_buf b;
    cl_err rc;

    cl_buf_init(&b);
    rc = cl_aes256gcm_seal(key, iv, cl_bytes_of(NULL, 0), cl_bytes_str("pt"), &b, NULL);
    cl_buf_fini(&b);
    return rc;
}

static cl_err
op_defer(void)
{
    struct cl_arena a;
    struct cl_key *k = NULL;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    rc = cl_key_from_pem(cl_bytes_str(PEM_P256_PUB), &k, NULL);
    if (rc == CL_OK)
        rc = cl_key_defer(&a, k, NULL); /* frees k itself on failure */
    cl_arena_fini(&a);
    return rc;
}

static void
test_alloc_failures(void **state)
{
    static const struct {
        const char *name;
        cl_err (*op)(void);
    } ops[] = {
        {"cl_key_generate", op_generate},
        {"cl_key_from_pem", op_from_pem},
        {"cl_key_to_spki + cl_ecdsa_sign_der", op_to_spki_and_sign_der},
        {"cl_aes256gcm_seal", op_seal},
        {"cl_key_defer", op_defer},
    };

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(ops); i++) {
        unsigned long n;

        for (n = 1; n < 100; n++) {
            cl_err rc;

            cl_alloc_fail_at(n);
            rc = ops[i].op();
            cl_alloc_fail_at(0);
            if (rc == CL_OK)
                break;
            if (rc != CL_ERR_NOMEM)
                fail_msg("%s: allocation %lu failed: got %s, want nomem", ops[i].name, n,
                         cl_err_name(rc));
        }
        if (n == 100)
            fail_msg("%s: never succeeded", ops[i].name);
        expect_no_openssl_error(ops[i].name);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_fips180),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hkdf_rfc5869),
        cmocka_unit_test(test_ecdsa_rfc7515_a3),
        cmocka_unit_test(test_ecdsa_a3_private),
        cmocka_unit_test(test_ecdsa_round_trip),
        cmocka_unit_test(test_ecdsa_der_strict),
        cmocka_unit_test(test_key_from_pem),
        cmocka_unit_test(test_key_pem_spki_round_trip),
        cmocka_unit_test(test_key_from_spki),
        cmocka_unit_test(test_key_from_coords),
        cmocka_unit_test(test_key_coords_verify_paths),
        cmocka_unit_test(test_key_coords_threads),
        cmocka_unit_test(test_key_ref_defer_evp),
        cmocka_unit_test(test_ecdh),
        cmocka_unit_test(test_aesgcm_vectors),
        cmocka_unit_test(test_aesgcm_tamper),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests_name("crypto", tests, NULL, NULL);
}
