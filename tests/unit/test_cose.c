/*
 * test_cose.c - COSE_Sign1, COSE_Mac0 and COSE_Key: the COSE working group examples
 * (tests/vectors/cose-wg), round trips, and one row per rejection built by a maker that
 * breaks one thing on purpose.
 */
#include "support.h"

#include <string.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/cose.h"

/* ---- a tiny scanner for the few string fields of the cose-wg JSON files ---- */

static const uint8_t *
skip_space(const uint8_t *p, const uint8_t *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* The value of the first member `"name": "..."`, or {NULL,0}; values hold no escapes. */
static struct cl_bytes
json_str(struct cl_bytes text, const char *name)
{
    size_t n = strlen(name);
    const uint8_t *end = text.ptr + text.len;

    for (const uint8_t *p = text.ptr; (size_t)(end - p) > n + 2; p++) {
        const uint8_t *q, *s;

        if (p[0] != '"' || memcmp(p + 1, name, n) != 0 || p[n + 1] != '"')
            continue;
        q = skip_space(p + n + 2, end);
        if (q >= end || *q != ':')
            continue;
        q = skip_space(q + 1, end);
        if (q >= end || *q != '"')
            continue;
        s = ++q;
        while (q < end && *q != '"')
            q++;
        return cl_bytes_of(s, (size_t)(q - s));
    }
    return cl_bytes_of(NULL, 0);
}

static bool
json_has_true(struct cl_bytes text, const char *member)
{
    const char *t = (const char *)text.ptr;

    return strstr(t, member) != NULL; /* files are NUL-terminated by cl_test_vector */
}

static struct cl_bytes
hex_of(struct cl_arena *a, struct cl_bytes hex)
{
    char *s;

    if (hex.ptr == NULL)
        return cl_bytes_of(NULL, 0);
    s = cl_arena_strndup(a, hex);
    assert_non_null(s);
    return cl_test_hex(a, s);
}

static struct cl_bytes
b64u_of(struct cl_arena *a, struct cl_bytes s)
{
    struct cl_bytes out = {NULL, 0};
    struct cl_error err = {0};

    if (cl_b64url_decode_arena(a, s, &out, &err) != CL_OK)
        fail_msg("bad base64url in vector: %s", err.msg);
    return out;
}

static const int64_t sign_algs[] = {CL_COSE_ALG_ES256, CL_COSE_ALG_ES384, CL_COSE_ALG_ES512};
static const int64_t mac_algs[] = {CL_COSE_ALG_HMAC256_64, CL_COSE_ALG_HMAC256, CL_COSE_ALG_HMAC384,
                                   CL_COSE_ALG_HMAC512};

#define FLAGS_LAX (CL_COSE_ACCEPT_UNTAGGED | CL_COSE_ALG_UNPROTECTED_OK)

static const struct {
    const char *file;
    enum cl_cose_kind kind;
    unsigned flags;
    bool recreate; /* our creator makes these exact headers: compare output bytes */
    cl_err want;
    const char *why;
} wg_vectors[] = {
    {"cose-wg/sign-pass-01.json", CL_COSE_SIGN1, FLAGS_LAX, false, CL_OK,
     "protected h'a0' signed as h''; alg unprotected"},
    {"cose-wg/sign-pass-02.json", CL_COSE_SIGN1, 0, true, CL_OK, "external AAD"},
    {"cose-wg/sign-pass-03.json", CL_COSE_SIGN1, CL_COSE_ACCEPT_UNTAGGED, true, CL_OK, "untagged"},
    {"cose-wg/sign-fail-01.json", CL_COSE_SIGN1, FLAGS_LAX, false, CL_ERR_INPUT, "tag 998"},
    {"cose-wg/sign-fail-02.json", CL_COSE_SIGN1, FLAGS_LAX, false, CL_ERR_SIGNATURE,
     "payload changed"},
    {"cose-wg/sign-fail-03.json", CL_COSE_SIGN1, FLAGS_LAX, false, CL_ERR_UNSUPPORTED, "alg -999"},
    {"cose-wg/sign-fail-04.json", CL_COSE_SIGN1, FLAGS_LAX, false, CL_ERR_UNSUPPORTED,
     "alg \"unknown\""},
    {"cose-wg/sign-fail-06.json", CL_COSE_SIGN1, FLAGS_LAX, false, CL_ERR_SIGNATURE,
     "protected attribute added"},
    {"cose-wg/sign-fail-07.json", CL_COSE_SIGN1, FLAGS_LAX, false, CL_ERR_SIGNATURE,
     "protected attribute removed"},
    {"cose-wg/HMac-01.json", CL_COSE_MAC0, 0, true, CL_OK, "HMAC 256/256"},
    {"cose-wg/HMac-enc-02.json", CL_COSE_MAC0, 0, true, CL_OK, "HMAC 384/384"},
    {"cose-wg/HMac-enc-03.json", CL_COSE_MAC0, 0, true, CL_OK, "HMAC 512/512"},
    {"cose-wg/HMac-enc-05.json", CL_COSE_MAC0, 0, true, CL_OK, "HMAC 256/64"},
    {"cose-wg/mac-pass-01.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_OK,
     "protected h'a0' MACed as h''; alg unprotected"},
    {"cose-wg/mac-pass-02.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_OK, "external AAD"},
    {"cose-wg/mac-pass-03.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_OK, "untagged"},
    {"cose-wg/mac-fail-01.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_ERR_INPUT, "tag 992"},
    {"cose-wg/mac-fail-02.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_ERR_SIGNATURE, "tag changed"},
    {"cose-wg/mac-fail-03.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_ERR_UNSUPPORTED, "alg -999"},
    {"cose-wg/mac-fail-04.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_ERR_UNSUPPORTED,
     "alg \"Unknown\""},
    {"cose-wg/mac-fail-06.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_ERR_SIGNATURE,
     "protected attribute added"},
    {"cose-wg/mac-fail-07.json", CL_COSE_MAC0, FLAGS_LAX, false, CL_ERR_SIGNATURE,
     "protected attribute removed"},
};

static cl_err
decode_verify(struct cl_arena *a, struct cl_bytes in, enum cl_cose_kind kind, unsigned flags,
              const struct cl_key *key, struct cl_bytes mac_key, struct cl_bytes aad,
              const struct cl_bytes *detached, struct cl_cose_msg *m, struct cl_error *err)
{
    struct cl_cose_verify_opts o;
    cl_err rc;

    memset(&o, 0, sizeof o);
    o.algs = kind == CL_COSE_SIGN1 ? sign_algs : mac_algs;
    o.n_algs = kind == CL_COSE_SIGN1 ? CL_ARRAY_LEN(sign_algs) : CL_ARRAY_LEN(mac_algs);
    o.external_aad = aad;
    o.detached = detached;
    o.flags = flags;
    rc = cl_cose_decode(a, in, kind, flags, NULL, m, err);
    if (rc != CL_OK)
        return rc;
    if (kind == CL_COSE_SIGN1)
        return cl_cose_sign1_verify(m, key, &o, err);
    return cl_cose_mac0_verify(m, mac_key, &o, err);
}

static void
test_wg_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(wg_vectors); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_cose_msg m;
        struct cl_key *pub = NULL, *priv = NULL;
        struct cl_bytes text, msg, aad, mac_key = {NULL, 0}, plaintext, tbs_want, x, y, d;
        struct cl_buf tbs, out;
        const char *name = wg_vectors[i].file;
        bool sign = wg_vectors[i].kind == CL_COSE_SIGN1;
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        cl_buf_init(&tbs);
        cl_buf_init(&out);
        text = cl_test_vector(&a, name);
        if (json_has_true(text, "\"fail\":true") != (wg_vectors[i].want != CL_OK))
            fail_msg("%s: table and file disagree on failing", name);
        msg = hex_of(&a, json_str(text, "cbor"));
        aad = hex_of(&a, json_str(text, "external"));
        plaintext = json_str(text, "plaintext");
        tbs_want = hex_of(&a, json_str(text, sign ? "ToBeSign_hex" : "ToMac_hex"));
        if (sign) {
            x = b64u_of(&a, json_str(text, "x"));
            y = b64u_of(&a, json_str(text, "y"));
            d = b64u_of(&a, json_str(text, "d"));
            assert_int_equal(
                cl_key_from_coords(CL_CURVE_P256, x, y, cl_bytes_of(NULL, 0), &pub, &err), CL_OK);
            assert_int_equal(cl_key_from_coords(CL_CURVE_P256, x, y, d, &priv, &err), CL_OK);
        } else {
            mac_key = b64u_of(&a, json_str(text, "k"));
        }

        rc = decode_verify(&a, msg, wg_vectors[i].kind, wg_vectors[i].flags, pub, mac_key, aad,
                           NULL, &m, &err);
        cl_test_expect(name, rc, wg_vectors[i].want, &err);

        if (rc == CL_OK) {
            /* the structure we sign/MAC equals the vector's intermediate byte for byte */
            assert_int_equal(cl_cose_tbs(&m, aad, NULL, &tbs, &err), CL_OK);
            if (!cl_bytes_eq(cl_buf_bytes(&tbs), tbs_want))
                fail_msg("%s: ToBeSign/ToMac %s differs", name,
                         cl_test_tohex(&a, cl_buf_bytes(&tbs)));
        }
        if (rc == CL_OK && wg_vectors[i].recreate) {
            struct cl_cose_create_params p;
            int64_t alg;
            struct cl_bytes kid;
            struct cl_cose_msg m2;

            memset(&p, 0, sizeof p);
            assert_int_equal(cl_cose_header_alg(&m, 0, &alg, &err), CL_OK);
            p.alg = alg;
            p.payload = plaintext;
            p.external_aad = aad;
            p.flags = m.tagged ? 0 : CL_COSE_UNTAGGED;
            if (cl_cose_header_kid(&m, &kid, NULL) == CL_OK)
                p.kid = kid;
            if (sign)
                rc = cl_cose_sign1_create(priv, &p, &out, &err);
            else
                rc = cl_cose_mac0_create(mac_key, &p, &out, &err);
            cl_test_expect(name, rc, CL_OK, &err);
            if (sign) {
                /* ECDSA is randomized: same bytes up to the signature, and it verifies */
                if (out.len != msg.len || memcmp(out.ptr, msg.ptr, msg.len - 64) != 0)
                    fail_msg("%s: recreated %s", name, cl_test_tohex(&a, cl_buf_bytes(&out)));
                rc = decode_verify(&a, cl_buf_bytes(&out), CL_COSE_SIGN1, wg_vectors[i].flags, pub,
                                   mac_key, aad, NULL, &m2, &err);
                cl_test_expect(name, rc, CL_OK, &err);
            } else if (!cl_bytes_eq(cl_buf_bytes(&out), msg)) {
                fail_msg("%s: recreated %s", name, cl_test_tohex(&a, cl_buf_bytes(&out)));
            }
        }
        cl_key_free(pub);
        cl_key_free(priv);
        cl_buf_fini(&tbs);
        cl_buf_fini(&out);
        cl_arena_fini(&a);
    }
}

/* ---- the maker: a Sign1 or Mac0 that breaks one thing on purpose ---- */

enum brk {
    BRK_NONE,
    BRK_NO_TAG,
    BRK_TAG_OTHER, /* the other kind's tag (17 on a Sign1, 18 on a Mac0) */
    BRK_ARRAY_3,
    BRK_ARRAY_5,
    BRK_NOT_ARRAY,
    BRK_PROT_AS_MAP,  /* protected header is a map, not a bstr */
    BRK_UNPROT_ARRAY, /* unprotected header is an array */
    BRK_PAYLOAD_TEXT, /* payload is a text string */
    BRK_PAYLOAD_NIL,  /* detached: payload nil */
    BRK_SIG_TEXT,     /* signature is a text string */
    BRK_SIG_SHORT,    /* signature one byte short */
    BRK_SIG_FLIP,     /* last signature byte flipped */
};

struct make {
    const char *prot;   /* hex of the protected bstr contents */
    const char *unprot; /* hex of the unprotected map */
    enum brk brk;
};

static struct cl_bytes
make_msg(struct cl_arena *a, enum cl_cose_kind kind, const struct make *mk,
         const struct cl_key *key, struct cl_bytes mac_key, struct cl_bytes payload,
         struct cl_bytes aad, enum cl_hash_alg hash, size_t tag_len)
{
    struct cl_bytes prot = cl_test_hex(a, mk->prot), unprot = cl_test_hex(a, mk->unprot), res;
    uint8_t sig[CL_ECDSA_RAW_MAX];
    size_t sig_len = 0;
    struct cl_buf tbs, b;
    struct cl_error err = {0};

    cl_buf_init(&tbs);
    cl_buf_init(&b);
    cl_cbor_put_array(&tbs, 4);
    cl_cbor_put_cstr(&tbs, kind == CL_COSE_SIGN1 ? "Signature1" : "MAC0");
    cl_cbor_put_bytes(&tbs, prot);
    cl_cbor_put_bytes(&tbs, aad);
    cl_cbor_put_bytes(&tbs, payload);
    assert_int_equal(cl_buf_check(&tbs, "tbs", &err), CL_OK);
    if (kind == CL_COSE_SIGN1) {
        assert_int_equal(cl_ecdsa_sign(key, hash, cl_buf_bytes(&tbs), sig, &sig_len, &err), CL_OK);
    } else {
        assert_int_equal(cl_hmac(hash, mac_key, cl_buf_bytes(&tbs), sig, &err), CL_OK);
        sig_len = tag_len;
    }
    if (mk->brk == BRK_SIG_SHORT)
        sig_len--;
    if (mk->brk == BRK_SIG_FLIP)
        sig[sig_len - 1] ^= 1;

    if (mk->brk != BRK_NO_TAG)
        cl_cbor_put_tag(&b, (kind == CL_COSE_SIGN1) != (mk->brk == BRK_TAG_OTHER)
                                ? CL_COSE_TAG_SIGN1
                                : CL_COSE_TAG_MAC0);
    if (mk->brk == BRK_NOT_ARRAY)
        cl_cbor_put_map(&b, 2);
    else
        cl_cbor_put_array(&b, mk->brk == BRK_ARRAY_3 ? 3 : mk->brk == BRK_ARRAY_5 ? 5 : 4);
    if (mk->brk == BRK_PROT_AS_MAP)
        cl_cbor_put_raw(&b, prot);
    else
        cl_cbor_put_bytes(&b, prot);
    if (mk->brk == BRK_UNPROT_ARRAY)
        cl_cbor_put_array(&b, 0);
    else
        cl_cbor_put_raw(&b, unprot);
    if (mk->brk == BRK_PAYLOAD_TEXT)
        cl_cbor_put_text(&b, payload);
    else if (mk->brk == BRK_PAYLOAD_NIL)
        cl_cbor_put_null(&b);
    else
        cl_cbor_put_bytes(&b, payload);
    if (mk->brk != BRK_ARRAY_3) {
        if (mk->brk == BRK_SIG_TEXT)
            cl_cbor_put_text(&b, cl_bytes_str("sig"));
        else
            cl_cbor_put_bytes(&b, cl_bytes_of(sig, sig_len));
    }
    if (mk->brk == BRK_ARRAY_5)
        cl_cbor_put_null(&b);
    assert_int_equal(cl_buf_check(&b, "msg", &err), CL_OK);
    res = cl_arena_copy(a, cl_buf_bytes(&b));
    cl_buf_fini(&tbs);
    cl_buf_fini(&b);
    return res;
}

static const int64_t only_es384[] = {CL_COSE_ALG_ES384};
static const int64_t crit_99[] = {99};

static const struct {
    const char *name;
    struct make mk;
    unsigned flags;
    int allow; /* 0: all ES algs, 1: only ES384 */
    bool crit_known;
    bool give_detached;
    cl_err want;
} sign1_rows[] = {
    {"valid", {"a10126", "a1044231 31", BRK_NONE}, 0, 0, false, false, CL_OK},
    {"non-deterministic protected still verifies: keys unsorted, -7 in two bytes",
     {"a2 04 423131 01 3806", "a0", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_OK},
    {"protected map with indefinite length still verifies",
     {"bf 01 26 ff", "a0", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_OK},
    {"untagged without the flag", {"a10126", "a0", BRK_NO_TAG}, 0, 0, false, false, CL_ERR_INPUT},
    {"untagged with the flag",
     {"a10126", "a0", BRK_NO_TAG},
     CL_COSE_ACCEPT_UNTAGGED,
     0,
     false,
     false,
     CL_OK},
    {"tag 17 on a Sign1", {"a10126", "a0", BRK_TAG_OTHER}, 0, 0, false, false, CL_ERR_INPUT},
    {"array of 3", {"a10126", "a0", BRK_ARRAY_3}, 0, 0, false, false, CL_ERR_INPUT},
    {"array of 5", {"a10126", "a0", BRK_ARRAY_5}, 0, 0, false, false, CL_ERR_INPUT},
    {"a map, not an array", {"a10126", "a0", BRK_NOT_ARRAY}, 0, 0, false, false, CL_ERR_INPUT},
    {"protected as a map", {"a10126", "a0", BRK_PROT_AS_MAP}, 0, 0, false, false, CL_ERR_INPUT},
    {"protected bstr holds an array", {"820126", "a0", BRK_NONE}, 0, 0, false, false, CL_ERR_INPUT},
    {"protected bstr holds trailing bytes",
     {"a1012600", "a0", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_ERR_INPUT},
    {"unprotected as an array",
     {"a10126", "a0", BRK_UNPROT_ARRAY},
     0,
     0,
     false,
     false,
     CL_ERR_INPUT},
    {"payload as text", {"a10126", "a0", BRK_PAYLOAD_TEXT}, 0, 0, false, false, CL_ERR_INPUT},
    {"signature as text", {"a10126", "a0", BRK_SIG_TEXT}, 0, 0, false, false, CL_ERR_INPUT},
    {"signature one byte short",
     {"a10126", "a0", BRK_SIG_SHORT},
     0,
     0,
     false,
     false,
     CL_ERR_SIGNATURE},
    {"signature flipped", {"a10126", "a0", BRK_SIG_FLIP}, 0, 0, false, false, CL_ERR_SIGNATURE},
    {"alg missing", {"", "a10442 3131", BRK_NONE}, 0, 0, false, false, CL_ERR_MISSING},
    {"alg only unprotected, protected required",
     {"", "a10126", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_ERR_MISSING},
    {"alg only unprotected, allowed",
     {"", "a10126", BRK_NONE},
     CL_COSE_ALG_UNPROTECTED_OK,
     0,
     false,
     false,
     CL_OK},
    {"alg as text", {"a1016545533235 36", "a0", BRK_NONE}, 0, 0, false, false, CL_ERR_UNSUPPORTED},
    {"alg as bstr", {"a10141 26", "a0", BRK_NONE}, 0, 0, false, false, CL_ERR_INPUT},
    {"alg is a MAC", {"a10105", "a0", BRK_NONE}, 0, 0, false, false, CL_ERR_UNSUPPORTED},
    {"alg not in the allow-list", {"a10126", "a0", BRK_NONE}, 0, 1, false, false, CL_ERR_POLICY},
    {"alg ES384 with a P-256 key", {"a1013822", "a0", BRK_NONE}, 0, 1, false, false, CL_ERR_POLICY},
    {"label in both buckets",
     {"a20126 044231 31", "a1044231 31", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_ERR_DUPLICATE},
    {"text label in both buckets",
     {"a20126 617801", "a1617802", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_ERR_DUPLICATE},
    {"label is a bstr", {"a20126 410101", "a0", BRK_NONE}, 0, 0, false, false, CL_ERR_INPUT},
    {"unprotected label is a float",
     {"a10126", "a1f93c00 01", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_ERR_INPUT},
    {"crit with an unknown label",
     {"a3 0126 028118 63 18 63 00", "a0", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_ERR_UNSUPPORTED},
    {"crit with a label the caller knows",
     {"a3 0126 028118 63 18 63 00", "a0", BRK_NONE},
     0,
     0,
     true,
     false,
     CL_OK},
    {"crit with a known label 4",
     {"a3 0126 028104 044231 31", "a0", BRK_NONE},
     0,
     0,
     false,
     false,
     CL_OK},
    {"crit with a text label",
     {"a3 0126 028161 78 617801", "a0", BRK_NONE},
     0,
     0,
     true,
     false,
     CL_ERR_UNSUPPORTED},
    {"crit names a label not in protected",
     {"a2 0126 028118 63", "a0", BRK_NONE},
     0,
     0,
     true,
     false,
     CL_ERR_INPUT},
    {"crit is empty", {"a2 0126 0280", "a0", BRK_NONE}, 0, 0, false, false, CL_ERR_INPUT},
    {"crit is not an array", {"a2 0126 0204", "a0", BRK_NONE}, 0, 0, false, false, CL_ERR_INPUT},
    {"crit unprotected", {"a10126", "a1028104", BRK_NONE}, 0, 0, false, false, CL_ERR_INPUT},
    {"detached, payload supplied", {"a10126", "a0", BRK_PAYLOAD_NIL}, 0, 0, false, true, CL_OK},
    {"detached, payload not supplied",
     {"a10126", "a0", BRK_PAYLOAD_NIL},
     0,
     0,
     false,
     false,
     CL_ERR_MISSING},
    {"attached, detached payload supplied too",
     {"a10126", "a0", BRK_NONE},
     0,
     0,
     false,
     true,
     CL_ERR_USAGE},
};

static struct cl_key *
vector_key(bool priv)
{
    struct cl_arena a;
    struct cl_key *k = NULL;
    struct cl_error err = {0};

    cl_arena_init(&a, 0, 0, 0);
    assert_int_equal(
        cl_key_from_coords(
            CL_CURVE_P256,
            cl_test_hex(&a, "bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff"),
            cl_test_hex(&a, "20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e"),
            priv ? cl_test_hex(&a,
                               "57c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3")
                 : cl_bytes_of(NULL, 0),
            &k, &err),
        CL_OK);
    cl_arena_fini(&a);
    return k;
}

static void
test_sign1_rows(void **state)
{
    struct cl_key *priv = vector_key(true);
    struct cl_bytes payload = cl_bytes_str("This is the content.");

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(sign1_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_cose_msg m;
        struct cl_cose_verify_opts o;
        struct cl_bytes msg;
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        msg = make_msg(&a, CL_COSE_SIGN1, &sign1_rows[i].mk, priv, cl_bytes_of(NULL, 0), payload,
                       cl_bytes_of("", 0), CL_HASH_SHA256, 0);
        memset(&o, 0, sizeof o);
        o.algs = sign1_rows[i].allow == 1 ? only_es384 : sign_algs;
        o.n_algs = sign1_rows[i].allow == 1 ? 1 : CL_ARRAY_LEN(sign_algs);
        o.flags = sign1_rows[i].flags;
        o.detached = sign1_rows[i].give_detached ? &payload : NULL;
        if (sign1_rows[i].crit_known) {
            o.crit_known = crit_99;
            o.n_crit_known = 1;
        }
        memset(&m, 0x33, sizeof m);
        rc = cl_cose_decode(&a, msg, CL_COSE_SIGN1, sign1_rows[i].flags, NULL, &m, &err);
        if (rc != CL_OK) {
            static const struct cl_cose_msg zero;

            if (memcmp(&m, &zero, sizeof m) != 0)
                fail_msg("%s: output not zeroed on failure", sign1_rows[i].name);
        } else {
            rc = cl_cose_sign1_verify(&m, priv, &o, &err);
        }
        cl_test_expect(sign1_rows[i].name, rc, sign1_rows[i].want, &err);
        if (rc != CL_OK && err.msg[0] == '\0')
            fail_msg("%s: failure without a message", sign1_rows[i].name);
        cl_arena_fini(&a);
    }
    cl_key_free(priv);
}

static const struct {
    const char *name;
    struct make mk;
    enum cl_hash_alg hash;
    size_t tag_len;
    bool wrong_key;
    cl_err want;
} mac0_rows[] = {
    {"HMAC 256/64", {"a10104", "a0", BRK_NONE}, CL_HASH_SHA256, 8, false, CL_OK},
    {"HMAC 256/64 with the full 32-byte tag",
     {"a10104", "a0", BRK_NONE},
     CL_HASH_SHA256,
     32,
     false,
     CL_ERR_SIGNATURE},
    {"HMAC 256/256 with a truncated tag",
     {"a10105", "a0", BRK_NONE},
     CL_HASH_SHA256,
     8,
     false,
     CL_ERR_SIGNATURE},
    {"HMAC 384/384", {"a10106", "a0", BRK_NONE}, CL_HASH_SHA384, 48, false, CL_OK},
    {"HMAC 512/512", {"a10107", "a0", BRK_NONE}, CL_HASH_SHA512, 64, false, CL_OK},
    {"tag flipped", {"a10105", "a0", BRK_SIG_FLIP}, CL_HASH_SHA256, 32, false, CL_ERR_SIGNATURE},
    {"wrong key", {"a10105", "a0", BRK_NONE}, CL_HASH_SHA256, 32, true, CL_ERR_SIGNATURE},
    {"alg ES256 in a Mac0",
     {"a10126", "a0", BRK_NONE},
     CL_HASH_SHA256,
     32,
     false,
     CL_ERR_UNSUPPORTED},
    {"tag 18 on a Mac0", {"a10105", "a0", BRK_TAG_OTHER}, CL_HASH_SHA256, 32, false, CL_ERR_INPUT},
    {"untagged Mac0", {"a10105", "a0", BRK_NO_TAG}, CL_HASH_SHA256, 32, false, CL_ERR_INPUT},
};

static void
test_mac0_rows(void **state)
{
    static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const uint8_t other[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11};
    struct cl_bytes payload = cl_bytes_str("payload");

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(mac0_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_cose_msg m;
        struct cl_bytes msg;
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        msg = make_msg(&a, CL_COSE_MAC0, &mac0_rows[i].mk, NULL, cl_bytes_of(key, sizeof key),
                       payload, cl_bytes_of("", 0), mac0_rows[i].hash, mac0_rows[i].tag_len);
        rc = decode_verify(&a, msg, CL_COSE_MAC0, 0, NULL,
                           cl_bytes_of(mac0_rows[i].wrong_key ? other : key, sizeof key),
                           cl_bytes_of(NULL, 0), NULL, &m, &err);
        cl_test_expect(mac0_rows[i].name, rc, mac0_rows[i].want, &err);
        cl_arena_fini(&a);
    }
}

/* ---- round trips through the creator ---- */

static const uint8_t cert_a[] = {0x30, 0x03, 0x02, 0x01, 0x01};
static const uint8_t cert_b[] = {0x30, 0x03, 0x02, 0x01, 0x02};
static const uint8_t cert_c[] = {0x30, 0x03, 0x02, 0x01, 0x03};

static const struct {
    const char *name;
    enum cl_curve curve; /* 0: Mac0 */
    int64_t alg;
    unsigned flags;
    const char *aad;
    size_t n_certs;
    const char *prot_extra;   /* hex of a map, or NULL */
    const char *unprot_extra; /* hex of a map, or NULL */
    cl_err want;
} trips[] = {
    {"ES256 attached", CL_CURVE_P256, 0, 0, NULL, 0, NULL, NULL, CL_OK},
    {"ES256 detached", CL_CURVE_P256, 0, CL_COSE_DETACHED, NULL, 0, NULL, NULL, CL_OK},
    {"ES256 AAD", CL_CURVE_P256, CL_COSE_ALG_ES256, 0, "aad", 0, NULL, NULL, CL_OK},
    {"ES256 detached AAD untagged", CL_CURVE_P256, 0, CL_COSE_DETACHED | CL_COSE_UNTAGGED, "aad", 0,
     NULL, NULL, CL_OK},
    {"ES384", CL_CURVE_P384, 0, 0, NULL, 1, NULL, NULL, CL_OK},
    {"ES512", CL_CURVE_P521, CL_COSE_ALG_ES512, 0, "x", 3, NULL, NULL, CL_OK},
    {"x5chain and kid protected", CL_CURVE_P256, 0,
     CL_COSE_KID_PROTECTED | CL_COSE_X5CHAIN_PROTECTED, NULL, 2, NULL, NULL, CL_OK},
    {"extra headers", CL_CURVE_P256, 0, 0, NULL, 1, "a1036474657874", "a1186301", CL_OK},
    {"ES384 on a P-256 key", CL_CURVE_P256, CL_COSE_ALG_ES384, 0, NULL, 0, NULL, NULL,
     CL_ERR_USAGE},
    {"alg among extra headers", CL_CURVE_P256, 0, 0, NULL, 0, "a10126", NULL, CL_ERR_USAGE},
    {"label in both extra buckets", CL_CURVE_P256, 0, 0, NULL, 0, "a10300", "a10300", CL_ERR_USAGE},
    {"kid given twice", CL_CURVE_P256, 0, 0, NULL, 0, NULL, "a10440", CL_ERR_USAGE},
    {"extra headers not a map", CL_CURVE_P256, 0, 0, NULL, 0, "80", NULL, CL_ERR_USAGE},
    {"HMAC 256/64", 0, CL_COSE_ALG_HMAC256_64, 0, "aad", 0, NULL, NULL, CL_OK},
    {"HMAC 256/256 detached", 0, CL_COSE_ALG_HMAC256, CL_COSE_DETACHED, NULL, 0, NULL, NULL, CL_OK},
    {"HMAC 512 untagged", 0, CL_COSE_ALG_HMAC512, CL_COSE_UNTAGGED, NULL, 1, NULL, NULL, CL_OK},
    {"Mac0 with ES256", 0, CL_COSE_ALG_ES256, 0, NULL, 0, NULL, NULL, CL_ERR_UNSUPPORTED},
};

static void
test_round_trips(void **state)
{
    static const uint8_t mac_key[32] = {0xaa, 0xbb};
    const struct cl_bytes certs[] = {cl_bytes_of(cert_a, sizeof cert_a),
                                     cl_bytes_of(cert_b, sizeof cert_b),
                                     cl_bytes_of(cert_c, sizeof cert_c)};
    struct cl_bytes payload = cl_bytes_str("round trip payload");

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(trips); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_cose_create_params p;
        struct cl_cose_msg m;
        struct cl_key *key = NULL;
        struct cl_buf out;
        struct cl_bytes kid, *got = NULL, aad;
        size_t n = 0;
        bool sign = trips[i].curve != 0;
        enum cl_cose_kind kind = sign ? CL_COSE_SIGN1 : CL_COSE_MAC0;
        unsigned vflags = (trips[i].flags & CL_COSE_UNTAGGED) ? CL_COSE_ACCEPT_UNTAGGED : 0;
        const char *name = trips[i].name;
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        cl_buf_init(&out);
        if (sign)
            assert_int_equal(cl_key_generate(trips[i].curve, &key, &err), CL_OK);
        aad = trips[i].aad != NULL ? cl_bytes_str(trips[i].aad) : cl_bytes_of(NULL, 0);
        memset(&p, 0, sizeof p);
        p.alg = trips[i].alg;
        p.payload = payload;
        p.external_aad = aad;
        p.flags = trips[i].flags;
        p.kid = cl_bytes_str("key-1");
        p.x5chain = certs;
        p.n_x5chain = trips[i].n_certs;
        if (trips[i].prot_extra != NULL)
            p.protected_enc = cl_test_hex(&a, trips[i].prot_extra);
        if (trips[i].unprot_extra != NULL)
            p.unprotected_enc = cl_test_hex(&a, trips[i].unprot_extra);
        cl_buf_append_str(&out, "prefix");
        if (sign)
            rc = cl_cose_sign1_create(key, &p, &out, &err);
        else
            rc = cl_cose_mac0_create(cl_bytes_of(mac_key, sizeof mac_key), &p, &out, &err);
        cl_test_expect(name, rc, trips[i].want, &err);
        if (rc != CL_OK) {
            if (out.len != 6)
                fail_msg("%s: output written on failure", name);
            goto next;
        }
        {
            struct cl_bytes msg = cl_bytes_of(out.ptr + 6, out.len - 6);
            struct cl_bytes bad_aad = cl_bytes_str("other");

            rc = decode_verify(&a, msg, kind, vflags, key, cl_bytes_of(mac_key, sizeof mac_key),
                               aad, (p.flags & CL_COSE_DETACHED) ? &payload : NULL, &m, &err);
            cl_test_expect(name, rc, CL_OK, &err);
            assert_int_equal(m.tagged, !(p.flags & CL_COSE_UNTAGGED));
            assert_int_equal(m.detached, !!(p.flags & CL_COSE_DETACHED));
            assert_int_equal(cl_cose_header_kid(&m, &kid, &err), CL_OK);
            assert_true(cl_bytes_eq_str(kid, "key-1"));
            assert_int_equal((cl_cbor_map_get_int(m.protected_h, CL_COSE_HDR_KID) != NULL),
                             !!(p.flags & CL_COSE_KID_PROTECTED));
            if (trips[i].n_certs == 0) {
                assert_int_equal(cl_cose_header_x5chain(&a, &m, &got, &n, &err), CL_ERR_NOT_FOUND);
            } else {
                assert_int_equal(cl_cose_header_x5chain(&a, &m, &got, &n, &err), CL_OK);
                assert_int_equal(n, trips[i].n_certs);
                for (size_t c = 0; c < n; c++)
                    assert_true(cl_bytes_eq(got[c], certs[c]));
                /* RFC 9360 §2: one certificate is a bare bstr */
                assert_int_equal(cl_cose_header_get(&m, CL_COSE_HDR_X5CHAIN)->type,
                                 n == 1 ? CL_CBOR_BYTES : CL_CBOR_ARRAY);
            }
            rc = decode_verify(&a, msg, kind, vflags, key, cl_bytes_of(mac_key, sizeof mac_key),
                               bad_aad, (p.flags & CL_COSE_DETACHED) ? &payload : NULL, &m, &err);
            cl_test_expect(name, rc, CL_ERR_SIGNATURE, &err);
            if (p.flags & CL_COSE_DETACHED) {
                struct cl_error e2 = {0};

                rc = decode_verify(&a, msg, kind, vflags, key, cl_bytes_of(mac_key, sizeof mac_key),
                                   aad, &bad_aad, &m, &e2);
                cl_test_expect(name, rc, CL_ERR_SIGNATURE, &e2);
            }
        }
    next:
        cl_key_free(key);
        cl_buf_fini(&out);
        cl_arena_fini(&a);
    }
}

/* ---- x5chain and other header access ---- */

static const struct {
    const char *name;
    const char *unprot;
    size_t n;
    cl_err want;
} x5_rows[] = {
    {"absent", "a0", 0, CL_ERR_NOT_FOUND},
    {"one bstr", "a1182143300102", 1, CL_OK},
    {"array of two", "a11821824130 4131", 2, CL_OK},
    {"array of one", "a118218141 30", 1, CL_OK},
    {"empty array", "a1182180", 0, CL_ERR_INPUT},
    {"array with a text", "a11821824130 6131", 0, CL_ERR_INPUT},
    {"an integer", "a1182101", 0, CL_ERR_INPUT},
    {"nine certificates", "a11821 89 4130 4130 4130 4130 4130 4130 4130 4130 4130", 0,
     CL_ERR_TOO_LARGE},
};

static void
test_x5chain(void **state)
{
    struct cl_key *priv = vector_key(true);

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(x5_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_cose_msg m;
        struct cl_bytes *certs = NULL;
        size_t n = 0;
        struct make mk = {"a10126", x5_rows[i].unprot, BRK_NONE};
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        assert_int_equal(
            cl_cose_decode(&a,
                           make_msg(&a, CL_COSE_SIGN1, &mk, priv, cl_bytes_of(NULL, 0),
                                    cl_bytes_str("p"), cl_bytes_of("", 0), CL_HASH_SHA256, 0),
                           CL_COSE_SIGN1, 0, NULL, &m, &err),
            CL_OK);
        rc = cl_cose_header_x5chain(&a, &m, &certs, &n, &err);
        cl_test_expect(x5_rows[i].name, rc, x5_rows[i].want, &err);
        assert_int_equal(n, x5_rows[i].n);
        cl_arena_fini(&a);
    }
    cl_key_free(priv);
}

/* ---- COSE_Key ---- */

#define VX "5820bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff"
#define VY "582020138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e"
#define VD "582057c92077664146e876760c9520d054aa93c3afb04e306705db6090308507b4d3"

static const struct {
    const char *name;
    const char *hex;
    bool priv;
    cl_err want;
} key_rows[] = {
    {"public EC2 P-256", "a4 0102 2001 21" VX " 22" VY, false, CL_OK},
    {"private EC2 P-256 with kid and alg", "a7 0102 024231 31 0326 2001 21" VX " 22" VY " 23" VD,
     true, CL_OK},
    {"not a map", "80", false, CL_ERR_INPUT},
    {"kty missing", "a3 2001 21" VX " 22" VY, false, CL_ERR_MISSING},
    {"kty OKP", "a4 0101 2001 21" VX " 22" VY, false, CL_ERR_UNSUPPORTED},
    {"kty as text", "a4 01634543 32 2001 21" VX " 22" VY, false, CL_ERR_UNSUPPORTED},
    {"crv missing", "a3 0102 21" VX " 22" VY, false, CL_ERR_MISSING},
    {"crv X25519", "a4 0102 2004 21" VX " 22" VY, false, CL_ERR_UNSUPPORTED},
    {"crv P-384 with 32-byte coordinates", "a4 0102 2002 21" VX " 22" VY, false, CL_ERR_INPUT},
    {"x missing", "a3 0102 2001 22" VY, false, CL_ERR_MISSING},
    {"x 31 bytes",
     "a4 0102 2001 21 581f 00000000000000000000000000000000000000000000000000000000"
     "000000 22" VY,
     false, CL_ERR_INPUT},
    {"x as text", "a4 0102 2001 21 6178 22" VY, false, CL_ERR_INPUT},
    {"compressed point (y true)", "a4 0102 2001 21" VX " 22 f5", false, CL_ERR_UNSUPPORTED},
    {"d of the wrong length", "a5 0102 2001 21" VX " 22" VY " 23 4101", false, CL_ERR_INPUT},
    {"x given twice", "a4 0102 2001 21" VX " 21" VY, false, CL_ERR_DUPLICATE},
    {"point off the curve", "a4 0102 2001 21" VX " 22" VX, false, CL_ERR_INPUT},
};

static void
test_cose_key(void **state)
{
    struct cl_key *vec = vector_key(false);

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(key_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_key *k = (struct cl_key *)&err; /* poison: must be NULL after a failure */
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        rc = cl_cose_key_decode(cl_test_hex(&a, key_rows[i].hex), &k, &err);
        cl_test_expect(key_rows[i].name, rc, key_rows[i].want, &err);
        if (rc == CL_OK) {
            assert_true(cl_key_equal_public(k, vec));
            assert_int_equal(cl_key_has_private(k), key_rows[i].priv);
        } else {
            assert_null(k);
        }
        cl_key_free(k);
        cl_arena_fini(&a);
    }
    cl_key_free(vec);
}

static void
test_cose_key_encode(void **state)
{
    static const enum cl_curve curves[] = {CL_CURVE_P256, CL_CURVE_P384, CL_CURVE_P521};
    struct cl_key *vec = vector_key(true), *pub = vector_key(false);
    struct cl_error err = {0};
    struct cl_buf b;
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    /* the vector key encodes to the bytes we expect, with and without d */
    cl_buf_init(&b);
    assert_int_equal(cl_cose_key_encode(vec, cl_bytes_of(NULL, 0), false, &b, &err), CL_OK);
    assert_true(cl_bytes_eq(cl_buf_bytes(&b), cl_test_hex(&a, "a4 0102 2001 21" VX " 22" VY)));
    cl_buf_reset(&b);
    assert_int_equal(cl_cose_key_encode(vec, cl_bytes_str("11"), true, &b, &err), CL_OK);
    assert_true(cl_bytes_eq(cl_buf_bytes(&b),
                            cl_test_hex(&a, "a6 0102 024231 31 2001 21" VX " 22" VY " 23" VD)));
    cl_buf_reset(&b);
    assert_int_equal(cl_cose_key_encode(pub, cl_bytes_of(NULL, 0), true, &b, &err), CL_ERR_USAGE);
    cl_buf_fini(&b);

    for (size_t i = 0; i < CL_ARRAY_LEN(curves); i++) {
        struct cl_key *k = NULL, *back = NULL;

        assert_int_equal(cl_key_generate(curves[i], &k, &err), CL_OK);
        cl_buf_init_ex(&b, CL_BUF_MAX_DEFAULT, true);
        assert_int_equal(cl_cose_key_encode(k, cl_bytes_of(NULL, 0), true, &b, &err), CL_OK);
        assert_int_equal(cl_cose_key_decode(cl_buf_bytes(&b), &back, &err), CL_OK);
        assert_true(cl_key_equal_public(k, back));
        assert_true(cl_key_has_private(back));
        cl_key_free(back);
        cl_key_free(k);
        cl_buf_fini(&b);
    }
    cl_key_free(vec);
    cl_key_free(pub);
    cl_arena_fini(&a);
}

/* ---- allocation failures: each one is CL_ERR_NOMEM, never a crash or a leak ---- */

static void
test_alloc_failures(void **state)
{
    struct cl_key *priv = vector_key(true);
    struct cl_bytes payload = cl_bytes_str("payload");
    unsigned long n;
    cl_err rc;

    (void)state;
    for (n = 1; n < 1000; n++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_cose_create_params p;
        struct cl_cose_msg m;
        struct cl_buf out;
        const struct cl_bytes cert = cl_bytes_of(cert_a, sizeof cert_a);

        cl_arena_init(&a, 0, 0, 0);
        cl_buf_init(&out);
        memset(&p, 0, sizeof p);
        p.payload = payload;
        p.kid = cl_bytes_str("k");
        p.x5chain = &cert;
        p.n_x5chain = 1;
        cl_alloc_fail_at(n);
        rc = cl_cose_sign1_create(priv, &p, &out, &err);
        if (rc == CL_OK)
            rc = decode_verify(&a, cl_buf_bytes(&out), CL_COSE_SIGN1, 0, priv, cl_bytes_of(NULL, 0),
                               cl_bytes_of(NULL, 0), NULL, &m, &err);
        cl_alloc_fail_at(0);
        cl_buf_fini(&out);
        cl_arena_fini(&a);
        if (rc == CL_OK)
            break;
        if (rc != CL_ERR_NOMEM && rc != CL_ERR_CRYPTO)
            fail_msg("allocation %lu: got %s (%s: %s)", n, cl_err_name(rc), err.where, err.msg);
    }
    assert_true(n > 1 && n < 1000); /* some allocations did fail */
    cl_key_free(priv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wg_vectors),      cmocka_unit_test(test_sign1_rows),
        cmocka_unit_test(test_mac0_rows),       cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_x5chain),         cmocka_unit_test(test_cose_key),
        cmocka_unit_test(test_cose_key_encode), cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
