/* test_jose.c - JWS, JWK, thumbprints and JWT claims: RFC vectors, round trips, and one
 * table row for every rejection. */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/crypto.h"
#include "cardless/jose.h"
#include "cardless/limits.h"

#define A3 "rfc7515-a3/"

/* The RFC 7515 A.3 key from its vector file, private (ALLOW_PRIVATE), owned by the arena. */
static struct cl_key *
a3_key(struct cl_arena *a)
{
    struct cl_error err = {0};
    struct cl_key *key = NULL;

    cl_test_expect(
        "A.3 JWK",
        cl_jwk_parse(cl_test_vector(a, A3 "key.jwk.json"), NULL, CL_JWK_ALLOW_PRIVATE, &key, &err),
        CL_OK, &err);
    cl_test_expect("A.3 key defer", cl_key_defer(a, key, &err), CL_OK, &err);
    return key;
}

static struct cl_bytes
b64url(struct cl_arena *a, struct cl_bytes in)
{
    return cl_bytes_str(cl_b64url_encode_arena(a, in));
}

/* Test-only maker: b64(header).b64(payload).b64(sig), sig computed with key over the first
 * two parts when sig is NULL, else the given bytes (t_cose style: break one thing only). */
static struct cl_bytes
make_jws(struct cl_arena *a, const struct cl_key *key, struct cl_bytes header,
         struct cl_bytes payload, const struct cl_bytes *sig)
{
    struct cl_error err = {0};
    uint8_t s[CL_ECDSA_RAW_MAX];
    size_t slen = 0;
    char *in = cl_arena_printf(a, "%s.%s", (const char *)b64url(a, header).ptr,
                               (const char *)b64url(a, payload).ptr);
    struct cl_bytes sb;

    if (sig == NULL) {
        cl_test_expect("maker sign",
                       cl_ecdsa_sign(key, CL_HASH_SHA256, cl_bytes_str(in), s, &slen, &err), CL_OK,
                       &err);
        sb = cl_bytes_of(s, slen);
    } else {
        sb = *sig;
    }
    return cl_bytes_str(cl_arena_printf(a, "%s.%s", in, (const char *)b64url(a, sb).ptr));
}

static cl_err
parse_verify(struct cl_arena *a, struct cl_bytes compact, const struct cl_jws_opts *opts,
             const struct cl_key *key, unsigned algs, struct cl_jws *jws, struct cl_error *err)
{
    cl_err rc = cl_jws_parse(a, compact, opts, jws, err);

    if (rc == CL_OK)
        rc = cl_jws_verify(jws, key, algs, err);
    return rc;
}

/* ---- RFC 7515 A.3 ---- */

static void
test_rfc7515_a3(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_jws jws;
    struct cl_jws_opts opts = cl_jws_opts_default();
    struct cl_key *key, *pub = NULL;
    struct cl_bytes compact, input;
    struct cl_jwt_check chk = {0};

    (void)state;
    cl_arena_init(&a, 0, 0, CL_ARENA_SECRET);
    key = a3_key(&a);
    compact = cl_test_vector(&a, A3 "jws.txt");
    input = cl_test_vector(&a, A3 "signing-input.txt");
    opts.flags = CL_JWS_PAYLOAD_JSON;
    cl_test_expect("A.3 verify", parse_verify(&a, compact, &opts, key, 0, &jws, &err), CL_OK, &err);
    assert_true(cl_bytes_eq(jws.signing_input, input));
    assert_true(cl_bytes_eq_str(jws.header_raw, "{\"alg\":\"ES256\"}"));
    assert_int_equal(jws.alg, CL_JOSE_ES256);
    assert_null(jws.typ);
    assert_null(jws.kid);
    assert_int_equal(jws.signature.len, 64);
    assert_true(cl_bytes_eq(b64url(&a, jws.signature), cl_test_vector(&a, A3 "signature.b64u")));
    assert_int_equal(json_integer_value(json_object_get(jws.claims, "exp")), 1300819380);

    /* the public key alone verifies too; the private JWK is refused where a public one is due */
    {
        const char *pubjwk = "{\"kty\":\"EC\",\"crv\":\"P-256\","
                             "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                             "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";
        struct cl_key *k2 = NULL;

        cl_test_expect("A.3 public", cl_jwk_parse(cl_bytes_str(pubjwk), NULL, 0, &pub, &err), CL_OK,
                       &err);
        cl_test_expect("A.3 defer", cl_key_defer(&a, pub, &err), CL_OK, &err);
        cl_test_expect("A.3 verify public", cl_jws_verify(&jws, pub, 0, &err), CL_OK, &err);
        assert_true(cl_key_equal_public(pub, key));
        cl_error_clear(&err);
        assert_int_equal(cl_jwk_parse(cl_test_vector(&a, A3 "key.jwk.json"), NULL, 0, &k2, &err),
                         CL_ERR_INPUT);
        assert_null(k2);
        assert_string_equal(err.where, "jwk.d");
    }

    /* claims of the A.1/A.3 payload: exp 1300819380 */
    cl_error_clear(&err);
    chk.now = 1300819379;
    cl_test_expect("A.3 exp-1", cl_jwt_check_claims(jws.claims, &chk, &err), CL_OK, &err);
    chk.now = 1300819380;
    assert_int_equal(cl_jwt_check_claims(jws.claims, &chk, &err), CL_ERR_EXPIRED);
    cl_arena_fini(&a);
}

/* One bit flipped in a decoded part, re-encoded: the signature no longer covers it. */
static void
test_rfc7515_a3_flipped(void **state)
{
    static const struct {
        const char *name;
        int part;     /* 0 header, 1 payload, 2 signature */
        size_t byte;  /* which decoded byte */
        uint8_t mask; /* which bits */
        cl_err want;
    } rows[] = {
        {"payload first byte", 1, 0, 0x20, CL_ERR_INPUT}, /* '{' ^ 0x20 = '[': still b64, JSON? */
        {"payload exp digit", 1, 30, 0x01, CL_ERR_SIGNATURE},
        {"payload last byte", 1, 69, 0x01, CL_ERR_SIGNATURE},
        {"signature r", 2, 0, 0x01, CL_ERR_SIGNATURE},
        {"signature s", 2, 63, 0x80, CL_ERR_SIGNATURE},
        {"header alg ES256 -> ES257", 0, 12, 0x01, CL_ERR_UNSUPPORTED},
        {"header brace", 0, 0, 0x01, CL_ERR_INPUT},
    };

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_jws jws, bad;
        struct cl_jws_opts opts = cl_jws_opts_default();
        struct cl_key *key;
        struct cl_bytes parts[3], compact;
        uint8_t *p;
        cl_err got;

        cl_arena_init(&a, 0, 0, 0);
        key = a3_key(&a);
        cl_test_expect(rows[i].name,
                       cl_jws_parse(&a, cl_test_vector(&a, A3 "jws.txt"), NULL, &jws, &err), CL_OK,
                       &err);
        parts[0] = jws.header_raw;
        parts[1] = jws.payload;
        parts[2] = jws.signature;
        assert_true(rows[i].byte < parts[rows[i].part].len);
        p = cl_arena_dup(&a, parts[rows[i].part].ptr, parts[rows[i].part].len);
        p[rows[i].byte] ^= rows[i].mask;
        parts[rows[i].part].ptr = p;
        compact = make_jws(&a, key, parts[0], parts[1], &parts[2]);
        /* the payload rows parse the payload as JSON only where the row says INPUT */
        opts.flags = rows[i].want == CL_ERR_INPUT && rows[i].part == 1 ? CL_JWS_PAYLOAD_JSON : 0;
        got = parse_verify(&a, compact, &opts, key, 0, &bad, &err);
        if (got != rows[i].want)
            fail_msg("%s: got %s, want %s (%s: %s)", rows[i].name, cl_err_name(got),
                     cl_err_name(rows[i].want), err.where, err.msg);
        cl_arena_fini(&a);
    }
}

/* The signature covers the received header bytes: an equivalent re-encoding fails. */
static void
test_jws_received_bytes(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_jws jws;
    struct cl_key *key;
    struct cl_bytes sig, compact;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    key = a3_key(&a);
    cl_test_expect("parse", cl_jws_parse(&a, cl_test_vector(&a, A3 "jws.txt"), NULL, &jws, &err),
                   CL_OK, &err);
    sig = jws.signature;
    compact = make_jws(&a, key, cl_bytes_str("{\"alg\":\"ES256\" }"), jws.payload, &sig);
    assert_int_equal(parse_verify(&a, compact, NULL, key, 0, &jws, &err), CL_ERR_SIGNATURE);
    cl_arena_fini(&a);
}

/* ---- JWS rejections: one row each ---- */

enum sig_mode { SIG_GOOD, SIG_EMPTY, SIG_SHORT };

static const char *const crit_exp[] = {"exp", NULL};

static const struct {
    const char *name;
    const char *header;
    const char *payload;
    enum sig_mode sig;
    unsigned flags; /* cl_jws_opts.flags */
    const char *const *crit;
    unsigned algs;
    cl_err want;
} jws_rows[] = {
    {"baseline ES256", "{\"alg\":\"ES256\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_OK},
    {"typ and kid", "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"1\"}", "x", SIG_GOOD, 0, NULL, 0,
     CL_OK},
    {"empty payload", "{\"alg\":\"ES256\"}", "", SIG_GOOD, 0, NULL, 0, CL_OK},
    {"alg none", "{\"alg\":\"none\"}", "{}", SIG_EMPTY, 0, NULL, 0, CL_ERR_UNSUPPORTED},
    {"alg none, all algs allowed", "{\"alg\":\"none\"}", "{}", SIG_EMPTY, 0, NULL, CL_JOSE_ALGS_ALL,
     CL_ERR_UNSUPPORTED},
    {"alg HS256", "{\"alg\":\"HS256\"}", "{}", SIG_GOOD, 0, NULL, CL_JOSE_ALGS_ALL,
     CL_ERR_UNSUPPORTED},
    {"alg RS256", "{\"alg\":\"RS256\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_UNSUPPORTED},
    {"alg es256 (case)", "{\"alg\":\"es256\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_UNSUPPORTED},
    {"alg ES384 not allowed", "{\"alg\":\"ES384\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_POLICY},
    {"alg ES256 not in ES384-only list", "{\"alg\":\"ES256\"}", "{}", SIG_GOOD, 0, NULL,
     CL_JOSE_ES384, CL_ERR_POLICY},
    {"alg ES384 allowed, P-256 key", "{\"alg\":\"ES384\"}", "{}", SIG_GOOD, 0, NULL,
     CL_JOSE_ALGS_ALL, CL_ERR_SIGNATURE},
    {"unknown bit in allow-list", "{\"alg\":\"ES256\"}", "{}", SIG_GOOD, 0, NULL, 0x100,
     CL_ERR_USAGE},
    {"alg missing", "{\"typ\":\"JWT\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_MISSING},
    {"alg not a string", "{\"alg\":256}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"typ not a string", "{\"alg\":\"ES256\",\"typ\":1}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"kid not a string", "{\"alg\":\"ES256\",\"kid\":null}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_INPUT},
    {"crit not understood", "{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}", "{}", SIG_GOOD, 0,
     NULL, 0, CL_ERR_UNSUPPORTED},
    {"crit understood by caller", "{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}", "{}",
     SIG_GOOD, 0, crit_exp, 0, CL_OK},
    {"crit empty", "{\"alg\":\"ES256\",\"crit\":[]}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"crit not an array", "{\"alg\":\"ES256\",\"crit\":\"exp\",\"exp\":1}", "{}", SIG_GOOD, 0,
     crit_exp, 0, CL_ERR_INPUT},
    {"crit names alg", "{\"alg\":\"ES256\",\"crit\":[\"alg\"]}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_INPUT},
    {"crit names an absent member", "{\"alg\":\"ES256\",\"crit\":[\"exp\"]}", "{}", SIG_GOOD, 0,
     crit_exp, 0, CL_ERR_INPUT},
    {"crit names a member twice", "{\"alg\":\"ES256\",\"crit\":[\"exp\",\"exp\"],\"exp\":1}", "{}",
     SIG_GOOD, 0, crit_exp, 0, CL_ERR_DUPLICATE},
    {"crit entry not a string", "{\"alg\":\"ES256\",\"crit\":[1]}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_INPUT},
    {"crit b64 true", "{\"alg\":\"ES256\",\"b64\":true,\"crit\":[\"b64\"]}", "{}", SIG_GOOD, 0,
     NULL, 0, CL_OK},
    {"b64 false", "{\"alg\":\"ES256\",\"b64\":false,\"crit\":[\"b64\"]}", "{}", SIG_GOOD, 0, NULL,
     0, CL_ERR_UNSUPPORTED},
    {"b64 not a boolean", "{\"alg\":\"ES256\",\"b64\":0}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_INPUT},
    {"header an array", "[{\"alg\":\"ES256\"}]", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"header a string", "\"ES256\"", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"header a number", "256", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"header duplicate alg", "{\"alg\":\"ES256\",\"alg\":\"none\"}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_DUPLICATE},
    {"header not JSON", "{alg:ES256}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"header truncated JSON", "{\"alg\":\"ES256\"", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_TRUNCATED},
    {"header trailing bytes", "{\"alg\":\"ES256\"} {}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_INPUT},
    {"header invalid UTF-8", "{\"alg\":\"ES256\",\"x\":\"\xc3\x28\"}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_ENCODING},
    {"header \\u0000", "{\"alg\":\"ES256\",\"x\":\"a\\u0000\"}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_INPUT},
    {"header too deep",
     "{\"alg\":\"ES256\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]"
     "]]]]]]]]]]]]]]]]]]]]]}",
     "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_TOO_LARGE},
    {"header brackets inside strings",
     "{\"alg\":\"ES256\",\"x\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[["
     "[[[[[[[[[[[[[[\\\"[[[[[[[[[\"}",
     "{}", SIG_GOOD, 0, NULL, 0, CL_OK},
    {"payload duplicate member", "{\"alg\":\"ES256\"}", "{\"a\":1,\"a\":2}", SIG_GOOD,
     CL_JWS_PAYLOAD_JSON, NULL, 0, CL_ERR_DUPLICATE},
    {"payload duplicate nested", "{\"alg\":\"ES256\"}", "{\"a\":{\"b\":1,\"b\":1}}", SIG_GOOD,
     CL_JWS_PAYLOAD_JSON, NULL, 0, CL_ERR_DUPLICATE},
    {"payload not an object", "{\"alg\":\"ES256\"}", "[1]", SIG_GOOD, CL_JWS_PAYLOAD_JSON, NULL, 0,
     CL_ERR_INPUT},
    {"payload not JSON", "{\"alg\":\"ES256\"}", "hello", SIG_GOOD, CL_JWS_PAYLOAD_JSON, NULL, 0,
     CL_ERR_INPUT},
    {"payload not JSON, bytes wanted", "{\"alg\":\"ES256\"}", "hello", SIG_GOOD, 0, NULL, 0, CL_OK},
    {"kid, typ and alg in another order", "{\"kid\":\"k\",\"typ\":\"dc+sd-jwt\",\"alg\":\"ES256\"}",
     "{}", SIG_GOOD, 0, NULL, 0, CL_OK},
    {"alg with an escape", "{\"alg\":\"ES\\u0032\\u00356\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_OK},
    {"typ twice", "{\"alg\":\"ES256\",\"typ\":\"a\",\"typ\":\"a\"}", "{}", SIG_GOOD, 0, NULL, 0,
     CL_ERR_DUPLICATE},
    {"typ empty", "{\"alg\":\"ES256\",\"typ\":\"\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_OK},
    {"alg empty", "{\"alg\":\"\"}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_UNSUPPORTED},
    {"header empty object", "{}", "{}", SIG_GOOD, 0, NULL, 0, CL_ERR_MISSING},
    {"signature empty", "{\"alg\":\"ES256\"}", "{}", SIG_EMPTY, 0, NULL, 0, CL_ERR_SIGNATURE},
    {"signature 63 bytes", "{\"alg\":\"ES256\"}", "{}", SIG_SHORT, 0, NULL, 0, CL_ERR_SIGNATURE},
};

static void
test_jws_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(jws_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_jws jws;
        struct cl_jws_opts opts = cl_jws_opts_default();
        struct cl_key *key;
        struct cl_bytes compact, sig = cl_bytes_of(NULL, 0);
        uint8_t s[CL_ECDSA_RAW_MAX];
        size_t slen = 0;
        cl_err got;

        cl_arena_init(&a, 0, 0, 0);
        key = a3_key(&a);
        if (jws_rows[i].sig == SIG_SHORT) {
            char *in = cl_arena_printf(
                &a, "%s.%s", (const char *)b64url(&a, cl_bytes_str(jws_rows[i].header)).ptr,
                (const char *)b64url(&a, cl_bytes_str(jws_rows[i].payload)).ptr);

            cl_test_expect(jws_rows[i].name,
                           cl_ecdsa_sign(key, CL_HASH_SHA256, cl_bytes_str(in), s, &slen, &err),
                           CL_OK, &err);
            sig = cl_bytes_of(s, slen - 1);
        }
        compact =
            make_jws(&a, key, cl_bytes_str(jws_rows[i].header), cl_bytes_str(jws_rows[i].payload),
                     jws_rows[i].sig == SIG_GOOD ? NULL : &sig);
        opts.flags = jws_rows[i].flags;
        opts.crit = jws_rows[i].crit;
        memset(&jws, 0x33, sizeof jws); /* poisoned: must be zeroed on failure */
        got = parse_verify(&a, compact, &opts, key, jws_rows[i].algs, &jws, &err);
        if (got != jws_rows[i].want)
            fail_msg("%s: got %s, want %s (%s: %s)", jws_rows[i].name, cl_err_name(got),
                     cl_err_name(jws_rows[i].want), err.where, err.msg);
        if (got != CL_OK && err.msg[0] == '\0')
            fail_msg("%s: no message", jws_rows[i].name);
        /* a flat header read without jansson: the same verdict, error and header fields */
        {
            struct cl_error err2 = {0};
            struct cl_jws jws2;

            opts.flags |= CL_JWS_HEADER_FLAT;
            if (parse_verify(&a, compact, &opts, key, jws_rows[i].algs, &jws2, &err2) != got ||
                strcmp(err.where, err2.where) != 0 || strcmp(err.msg, err2.msg) != 0)
                fail_msg("%s: another answer with CL_JWS_HEADER_FLAT (%s: %s)", jws_rows[i].name,
                         err2.where, err2.msg);
            if (got == CL_OK && (jws2.alg != jws.alg || strcmp(jws2.alg_name, jws.alg_name) != 0 ||
                                 (jws2.typ == NULL) != (jws.typ == NULL) ||
                                 (jws.typ != NULL && strcmp(jws2.typ, jws.typ) != 0) ||
                                 (jws2.kid == NULL) != (jws.kid == NULL) ||
                                 (jws.kid != NULL && strcmp(jws2.kid, jws.kid) != 0)))
                fail_msg("%s: other header fields with CL_JWS_HEADER_FLAT", jws_rows[i].name);
        }
        cl_arena_fini(&a);
    }
}

/* Rows that are not three base64url parts at all. */
static const struct {
    const char *name;
    const char *compact;
    cl_err want;
} raw_rows[] = {
    {"empty", "", CL_ERR_INPUT},
    {"one part", "eyJhbGciOiJFUzI1NiJ9", CL_ERR_INPUT},
    {"two parts", "eyJhbGciOiJFUzI1NiJ9.e30", CL_ERR_INPUT},
    {"four parts", "eyJhbGciOiJFUzI1NiJ9.e30.AA.AA", CL_ERR_INPUT},
    {"five parts (JWE)", "eyJhbGciOiJFUzI1NiJ9.AA.AA.AA.AA", CL_ERR_INPUT},
    {"empty header", ".e30.AA", CL_ERR_INPUT},
    {"bad base64url in header", "eyJhbGciOiJFUzI1NiJ9*.e30.AA", CL_ERR_ENCODING},
    {"standard base64 in payload", "eyJhbGciOiJFUzI1NiJ9.e+0.AA", CL_ERR_ENCODING},
    {"padding in signature", "eyJhbGciOiJFUzI1NiJ9.e30.AA==", CL_ERR_ENCODING},
    {"whitespace in header", "eyJhbGciOiJF UzI1NiJ9.e30.AA", CL_ERR_ENCODING},
    {"length 1 mod 4 in signature", "eyJhbGciOiJFUzI1NiJ9.e30.AAAAA", CL_ERR_ENCODING},
    {"non-canonical trailing bits", "eyJhbGciOiJFUzI1NiJ9.e31.AA", CL_ERR_ENCODING},
    {"newline at the end", "eyJhbGciOiJFUzI1NiJ9.e30.AA\n", CL_ERR_ENCODING},
};

static void
test_jws_raw_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(raw_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_jws jws;
        cl_err got;

        cl_arena_init(&a, 0, 0, 0);
        got = cl_jws_parse(&a, cl_bytes_str(raw_rows[i].compact), NULL, &jws, &err);
        if (got != raw_rows[i].want)
            fail_msg("%s: got %s, want %s (%s: %s)", raw_rows[i].name, cl_err_name(got),
                     cl_err_name(raw_rows[i].want), err.where, err.msg);
        assert_null(jws.header);
        cl_arena_fini(&a);
    }
}

static void
test_jws_huge(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_jws jws;
    struct cl_jws_opts opts = cl_jws_opts_default();
    size_t n = CL_LIMIT_JWS_BYTES + 1;
    char *big;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    big = cl_arena_alloc(&a, n);
    assert_non_null(big);
    memset(big, 'A', n);
    big[20] = '.';
    big[40] = '.';
    assert_int_equal(cl_jws_parse(&a, cl_bytes_of(big, n), NULL, &jws, &err), CL_ERR_TOO_LARGE);
    assert_string_equal(err.where, "jws");
    /* a tightened limit: the A.3 JWS (202 bytes) against 201 */
    cl_error_clear(&err);
    opts.max_bytes = 201;
    assert_int_equal(cl_jws_parse(&a, cl_test_vector(&a, A3 "jws.txt"), &opts, &jws, &err),
                     CL_ERR_TOO_LARGE);
    /* a decoded header over the JSON byte limit */
    cl_error_clear(&err);
    opts = cl_jws_opts_default();
    opts.json.max_bytes = 14;
    assert_int_equal(cl_jws_parse(&a, cl_test_vector(&a, A3 "jws.txt"), &opts, &jws, &err),
                     CL_ERR_TOO_LARGE);
    assert_string_equal(err.where, "header");
    cl_arena_fini(&a);
}

/* ---- signing ---- */

static void
test_jws_sign_roundtrip(void **state)
{
    static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_key *key = NULL, *other = NULL, *k384 = NULL;
    struct cl_jws jws;
    struct cl_jws_opts opts = cl_jws_opts_default();
    struct cl_bytes cert = cl_bytes_of(der, sizeof der), compact, *certs = NULL;
    struct cl_jws_header hdr = {0};
    size_t ncerts = 0;
    json_t *extra = json_pack("{s:s}", "cty", "text/plain");

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    cl_test_expect("gen", cl_key_generate(CL_CURVE_P256, &key, &err), CL_OK, &err);
    cl_test_expect("defer", cl_key_defer(&a, key, &err), CL_OK, &err);
    cl_test_expect("gen", cl_key_generate(CL_CURVE_P256, &other, &err), CL_OK, &err);
    cl_test_expect("defer", cl_key_defer(&a, other, &err), CL_OK, &err);
    hdr.typ = "example+jwt";
    hdr.kid = "k1";
    hdr.x5c = &cert;
    hdr.x5c_count = 1;
    hdr.extra = extra;
    cl_test_expect("sign",
                   cl_jws_sign(&a, key, &hdr, cl_bytes_str("{\"iss\":\"me\"}"), &compact, &err),
                   CL_OK, &err);
    assert_int_equal(strlen((const char *)compact.ptr), compact.len);
    opts.flags = CL_JWS_PAYLOAD_JSON;
    cl_test_expect("verify", parse_verify(&a, compact, &opts, key, 0, &jws, &err), CL_OK, &err);
    assert_true(cl_bytes_eq_str(
        jws.header_raw,
        "{\"alg\":\"ES256\",\"typ\":\"example+jwt\",\"kid\":\"k1\",\"x5c\":[\"MAMCAQE=\"],"
        "\"cty\":\"text/plain\"}"));
    assert_string_equal(jws.typ, "example+jwt");
    assert_string_equal(jws.kid, "k1");
    assert_string_equal(json_string_value(json_object_get(jws.claims, "iss")), "me");
    cl_test_expect("x5c", cl_jws_x5c(&a, &jws, &certs, &ncerts, &err), CL_OK, &err);
    assert_int_equal(ncerts, 1);
    assert_true(cl_bytes_eq(certs[0], cert));
    assert_int_equal(cl_jws_verify(&jws, other, 0, &err), CL_ERR_SIGNATURE);

    /* extra repeating a member set by a field; a public key cannot sign */
    cl_error_clear(&err);
    json_object_set_new(extra, "kid", json_string("again"));
    assert_int_equal(cl_jws_sign(&a, key, &hdr, cl_bytes_str("x"), &compact, &err), CL_ERR_USAGE);
    json_decref(extra);
    cl_error_clear(&err);
    {
        struct cl_key *pub = NULL;

        cl_test_expect("pub",
                       cl_jwk_parse(cl_bytes_str("{\"kty\":\"EC\",\"crv\":\"P-256\","
                                                 "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8"
                                                 "Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_t"
                                                 "ue659LNpXW6pCyStikYjKIWI5a0\"}"),
                                    NULL, 0, &pub, &err),
                       CL_OK, &err);
        cl_test_expect("defer", cl_key_defer(&a, pub, &err), CL_OK, &err);
        assert_int_equal(cl_jws_sign(&a, pub, NULL, cl_bytes_str("x"), &compact, &err),
                         CL_ERR_USAGE);
    }

    /* ES384 with a P-384 key: refused by the default list, accepted when listed */
    cl_error_clear(&err);
    cl_test_expect("gen384", cl_key_generate(CL_CURVE_P384, &k384, &err), CL_OK, &err);
    cl_test_expect("defer", cl_key_defer(&a, k384, &err), CL_OK, &err);
    cl_test_expect("sign384", cl_jws_sign(&a, k384, NULL, cl_bytes_str("hi"), &compact, &err),
                   CL_OK, &err);
    assert_int_equal(parse_verify(&a, compact, NULL, k384, 0, &jws, &err), CL_ERR_POLICY);
    cl_error_clear(&err);
    cl_test_expect("verify384",
                   parse_verify(&a, compact, NULL, k384, CL_JOSE_ES256 | CL_JOSE_ES384, &jws, &err),
                   CL_OK, &err);
    assert_true(cl_bytes_eq_str(jws.header_raw, "{\"alg\":\"ES384\"}"));
    assert_int_equal(jws.signature.len, 96);

    /* the caller's exact header bytes */
    cl_test_expect("sign_raw",
                   cl_jws_sign_raw(&a, key, cl_bytes_str("{ \"alg\": \"ES256\", \"typ\": \"x\" }"),
                                   cl_bytes_str("p"), &compact, &err),
                   CL_OK, &err);
    cl_test_expect("verify raw", parse_verify(&a, compact, NULL, key, 0, &jws, &err), CL_OK, &err);
    assert_true(cl_bytes_eq_str(jws.header_raw, "{ \"alg\": \"ES256\", \"typ\": \"x\" }"));
    assert_int_equal(cl_jws_sign_raw(&a, key, cl_bytes_str("{\"alg\":\"ES384\"}"),
                                     cl_bytes_str("p"), &compact, &err),
                     CL_ERR_USAGE);
    cl_error_clear(&err);
    assert_int_equal(
        cl_jws_sign_raw(&a, key, cl_bytes_str("[\"ES256\"]"), cl_bytes_str("p"), &compact, &err),
        CL_ERR_INPUT);
    cl_arena_fini(&a);
}

/* ---- JWK ---- */

#define X256 "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\""
#define Y256 "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\""
#define D256 "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\""
#define A42 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"   /* 31 zero bytes */
#define A44 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" /* 33 zero bytes */

static const struct {
    const char *name;
    const char *json;
    unsigned flags;
    cl_err want;
} jwk_rows[] = {
    {"public P-256", "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256 "}", 0, CL_OK},
    {"public with kid, use, alg",
     "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256
     ",\"kid\":\"1\",\"use\":\"sig\",\"alg\":\"ES256\"}",
     0, CL_OK},
    {"private allowed", "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256 "," D256 "}",
     CL_JWK_ALLOW_PRIVATE, CL_OK},
    {"private required", "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256 "," D256 "}",
     CL_JWK_REQUIRE_PRIVATE, CL_OK},
    {"private where public expected",
     "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256 "," D256 "}", 0, CL_ERR_INPUT},
    {"private required, absent", "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256 "}",
     CL_JWK_REQUIRE_PRIVATE, CL_ERR_MISSING},
    {"d of another key",
     "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256
     ",\"d\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
     CL_JWK_ALLOW_PRIVATE, CL_ERR_INPUT},
    {"d 31 bytes", "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256 ",\"d\":\"" A42 "\"}",
     CL_JWK_ALLOW_PRIVATE, CL_ERR_INPUT},
    {"kty missing", "{\"crv\":\"P-256\"," X256 "," Y256 "}", 0, CL_ERR_MISSING},
    {"kty not a string", "{\"kty\":1,\"crv\":\"P-256\"," X256 "," Y256 "}", 0, CL_ERR_INPUT},
    {"kty RSA", "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}", 0, CL_ERR_UNSUPPORTED},
    {"kty oct", "{\"kty\":\"oct\",\"k\":\"AQAB\"}", 0, CL_ERR_UNSUPPORTED},
    {"kty unknown", "{\"kty\":\"XYZ\"}", 0, CL_ERR_UNSUPPORTED},
    {"kty lower case", "{\"kty\":\"ec\",\"crv\":\"P-256\"," X256 "," Y256 "}", 0,
     CL_ERR_UNSUPPORTED},
    {"crv missing", "{\"kty\":\"EC\"," X256 "," Y256 "}", 0, CL_ERR_MISSING},
    {"crv P-192", "{\"kty\":\"EC\",\"crv\":\"P-192\"," X256 "," Y256 "}", 0, CL_ERR_UNSUPPORTED},
    {"crv secp256k1", "{\"kty\":\"EC\",\"crv\":\"secp256k1\"," X256 "," Y256 "}", 0,
     CL_ERR_UNSUPPORTED},
    {"x missing", "{\"kty\":\"EC\",\"crv\":\"P-256\"," Y256 "}", 0, CL_ERR_MISSING},
    {"y missing", "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "}", 0, CL_ERR_MISSING},
    {"x a number", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":5," Y256 "}", 0, CL_ERR_INPUT},
    {"x 31 bytes", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A42 "\"," Y256 "}", 0,
     CL_ERR_INPUT},
    {"x 33 bytes", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" A44 "\"," Y256 "}", 0,
     CL_ERR_INPUT},
    {"x P-256 size on P-384", "{\"kty\":\"EC\",\"crv\":\"P-384\"," X256 "," Y256 "}", 0,
     CL_ERR_INPUT},
    {"x padded",
     "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9"
     "uPHvRVEU=\"," Y256 "}",
     0, CL_ERR_ENCODING},
    {"x standard base64",
     "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV7"
     "6e8Tus9uPHvRVEU\",\"y\":\"x/FEzRu9m36HLN/tue659LNpXW6pCyStikYjKIWI5a0\"}",
     0, CL_ERR_ENCODING},
    {"point not on the curve",
     "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 ",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5"
     "aA\"}",
     0, CL_ERR_INPUT},
    {"not an object", "[\"EC\"]", 0, CL_ERR_INPUT},
    {"not JSON", "kty=EC", 0, CL_ERR_INPUT},
    {"empty", "", 0, CL_ERR_TRUNCATED},
    {"duplicate x", "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," X256 "," Y256 "}", 0,
     CL_ERR_DUPLICATE},
    {"duplicate kty", "{\"kty\":\"EC\",\"kty\":\"RSA\",\"crv\":\"P-256\"," X256 "," Y256 "}", 0,
     CL_ERR_DUPLICATE},
    {"too deep",
     "{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256
     ",\"z\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
     0, CL_ERR_TOO_LARGE},
};

static void
test_jwk_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(jwk_rows); i++) {
        struct cl_error err = {0};
        struct cl_key *key = (struct cl_key *)&err; /* poisoned */
        cl_err got =
            cl_jwk_parse(cl_bytes_str(jwk_rows[i].json), NULL, jwk_rows[i].flags, &key, &err);

        if (got != jwk_rows[i].want)
            fail_msg("%s: got %s, want %s (%s: %s)", jwk_rows[i].name, cl_err_name(got),
                     cl_err_name(jwk_rows[i].want), err.where, err.msg);
        if (got == CL_OK) {
            assert_non_null(key);
            assert_int_equal(
                cl_key_has_private(key),
                (jwk_rows[i].flags & (CL_JWK_ALLOW_PRIVATE | CL_JWK_REQUIRE_PRIVATE)) != 0);
            cl_key_free(key);
        } else {
            assert_null(key);
            if (err.msg[0] == '\0' || err.where[0] == '\0')
                fail_msg("%s: no message or place", jwk_rows[i].name);
        }
    }
}

static void
test_jwk_write_roundtrip(void **state)
{
    static const enum cl_curve curves[] = {CL_CURVE_P256, CL_CURVE_P384, CL_CURVE_P521};

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(curves); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_key *key = NULL, *back = NULL, *pub = NULL;
        struct cl_buf priv, pubtext;
        uint8_t t1[CL_JWK_THUMBPRINT_LEN], t2[CL_JWK_THUMBPRINT_LEN];
        json_t *pj = NULL;

        cl_arena_init(&a, 0, 0, 0);
        cl_buf_init_ex(&priv, 4096, true);
        cl_buf_init(&pubtext);
        cl_test_expect("gen", cl_key_generate(curves[i], &key, &err), CL_OK, &err);
        cl_test_expect("write", cl_jwk_write(key, true, &priv, &err), CL_OK, &err);
        cl_test_expect("parse",
                       cl_jwk_parse(cl_buf_bytes(&priv), NULL, CL_JWK_REQUIRE_PRIVATE, &back, &err),
                       CL_OK, &err);
        assert_true(cl_key_equal_public(key, back));
        assert_true(cl_key_has_private(back));
        cl_test_expect("write pub", cl_jwk_write(back, false, &pubtext, &err), CL_OK, &err);
        assert_int_equal(
            cl_jwk_parse(cl_buf_bytes(&pubtext), NULL, CL_JWK_REQUIRE_PRIVATE, &pub, &err),
            CL_ERR_MISSING); /* no d member */
        cl_error_clear(&err);
        cl_test_expect("parse pub", cl_jwk_parse(cl_buf_bytes(&pubtext), NULL, 0, &pub, &err),
                       CL_OK, &err);
        assert_false(cl_key_has_private(pub));
        /* the thumbprint of the key equals the thumbprint of its JWK text */
        cl_test_expect("public json", cl_jwk_public_json(pub, &pj, &err), CL_OK, &err);
        cl_test_expect("thumb", cl_jwk_thumbprint(pj, t1, &err), CL_OK, &err);
        cl_test_expect("thumb key", cl_jwk_thumbprint_key(key, t2, &err), CL_OK, &err);
        assert_memory_equal(t1, t2, sizeof t1);
        assert_int_equal(cl_jwk_write(pub, true, &pubtext, &err), CL_ERR_USAGE);
        json_decref(pj);
        cl_key_free(key);
        cl_key_free(back);
        cl_key_free(pub);
        cl_buf_fini(&priv);
        cl_buf_fini(&pubtext);
        cl_arena_fini(&a);
    }
}

static void
test_rfc7638_thumbprint(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    json_t *jwk = NULL;
    uint8_t t[CL_JWK_THUMBPRINT_LEN];
    struct cl_key *key = NULL;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    cl_test_expect(
        "parse",
        cl_jose_json_parse(&a, cl_test_vector(&a, "rfc7638/jwk.json"), NULL, "jwk", &jwk, &err),
        CL_OK, &err);
    cl_test_expect("thumbprint", cl_jwk_thumbprint(jwk, t, &err), CL_OK, &err);
    assert_true(cl_bytes_eq(b64url(&a, cl_bytes_of(t, sizeof t)),
                            cl_test_vector(&a, "rfc7638/thumbprint.b64u")));
    /* an RSA JWK has a thumbprint but is not a key we load */
    assert_int_equal(cl_jwk_to_key(jwk, 0, &key, &err), CL_ERR_UNSUPPORTED);
    assert_null(key);
    /* a required member missing, and one of the wrong type */
    cl_error_clear(&err);
    json_object_del(jwk, "e");
    assert_int_equal(cl_jwk_thumbprint(jwk, t, &err), CL_ERR_MISSING);
    assert_string_equal(err.where, "jwk.e");
    cl_error_clear(&err);
    json_object_set_new(jwk, "e", json_integer(65537));
    assert_int_equal(cl_jwk_thumbprint(jwk, t, &err), CL_ERR_INPUT);
    cl_error_clear(&err);
    json_object_set_new(jwk, "kty", json_string("XYZ"));
    assert_int_equal(cl_jwk_thumbprint(jwk, t, &err), CL_ERR_UNSUPPORTED);
    cl_arena_fini(&a);
}

/* The RFC 7515 A.3 key: its EC thumbprint does not depend on member order or extra members. */
static void
test_thumbprint_ec_order(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    json_t *j1 = NULL, *j2 = NULL;
    uint8_t t1[CL_JWK_THUMBPRINT_LEN], t2[CL_JWK_THUMBPRINT_LEN], t3[CL_JWK_THUMBPRINT_LEN];

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    cl_test_expect(
        "j1", cl_jose_json_parse(&a, cl_test_vector(&a, A3 "key.jwk.json"), NULL, NULL, &j1, &err),
        CL_OK, &err);
    cl_test_expect("j2",
                   cl_jose_json_parse(&a,
                                      cl_bytes_str("{" Y256 "," X256 ",\"kid\":\"z\","
                                                   "\"crv\":\"P-256\",\"kty\":\"EC\"}"),
                                      NULL, NULL, &j2, &err),
                   CL_OK, &err);
    cl_test_expect("t1", cl_jwk_thumbprint(j1, t1, &err), CL_OK, &err);
    cl_test_expect("t2", cl_jwk_thumbprint(j2, t2, &err), CL_OK, &err);
    cl_test_expect("t3", cl_jwk_thumbprint_key(a3_key(&a), t3, &err), CL_OK, &err);
    assert_memory_equal(t1, t2, sizeof t1);
    assert_memory_equal(t1, t3, sizeof t1);
    cl_arena_fini(&a);
}

/* ---- JWT claims ---- */

static const struct {
    const char *name;
    const char *claims;
    int64_t now, leeway, max_age;
    const char *aud, *iss;
    bool require_exp;
    cl_err want;
} claim_rows[] = {
    {"exp-1", "{\"exp\":1000}", 999, 0, 0, NULL, NULL, false, CL_OK},
    {"exactly at exp", "{\"exp\":1000}", 1000, 0, 0, NULL, NULL, false, CL_ERR_EXPIRED},
    {"exp+1", "{\"exp\":1000}", 1001, 0, 0, NULL, NULL, false, CL_ERR_EXPIRED},
    {"at exp within leeway", "{\"exp\":1000}", 1000, 1, 0, NULL, NULL, false, CL_OK},
    {"at exp+leeway", "{\"exp\":1000}", 1060, 60, 0, NULL, NULL, false, CL_ERR_EXPIRED},
    {"exp+leeway-1", "{\"exp\":1000}", 1059, 60, 0, NULL, NULL, false, CL_OK},
    {"exactly at nbf", "{\"nbf\":500}", 500, 0, 0, NULL, NULL, false, CL_OK},
    {"nbf-1", "{\"nbf\":500}", 499, 0, 0, NULL, NULL, false, CL_ERR_EXPIRED},
    {"nbf-leeway", "{\"nbf\":500}", 440, 60, 0, NULL, NULL, false, CL_OK},
    {"nbf-leeway-1", "{\"nbf\":500}", 439, 60, 0, NULL, NULL, false, CL_ERR_EXPIRED},
    {"iat now", "{\"iat\":500}", 500, 0, 0, NULL, NULL, false, CL_OK},
    {"iat in the future", "{\"iat\":501}", 500, 0, 0, NULL, NULL, false, CL_ERR_EXPIRED},
    {"iat in the future within leeway", "{\"iat\":501}", 500, 1, 0, NULL, NULL, false, CL_OK},
    {"max_age edge", "{\"iat\":400}", 1000, 0, 600, NULL, NULL, false, CL_OK},
    {"max_age passed", "{\"iat\":400}", 1001, 0, 600, NULL, NULL, false, CL_ERR_EXPIRED},
    {"max_age without iat", "{}", 1000, 0, 600, NULL, NULL, false, CL_ERR_MISSING},
    {"exp required, absent", "{\"iat\":1}", 1000, 0, 0, NULL, NULL, true, CL_ERR_MISSING},
    {"no time claims", "{}", 1000, 0, 0, NULL, NULL, false, CL_OK},
    {"exp integral float", "{\"exp\":1000.0}", 999, 0, 0, NULL, NULL, false, CL_OK},
    {"exp 1e3", "{\"exp\":1e3}", 1000, 0, 0, NULL, NULL, false, CL_ERR_EXPIRED},
    {"exp fractional", "{\"exp\":1000.5}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"exp a string", "{\"exp\":\"1000\"}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"exp true", "{\"exp\":true}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"exp null", "{\"exp\":null}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"exp negative", "{\"exp\":-1}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"exp after year 9999", "{\"exp\":253402300800}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"exp year 9999", "{\"exp\":253402300799}", 999, 0, 0, NULL, NULL, false, CL_OK},
    {"exp 1e300", "{\"exp\":1e300}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"nbf fractional", "{\"nbf\":0.5}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"iat an object", "{\"iat\":{}}", 999, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"aud string match", "{\"aud\":\"rp\"}", 1, 0, 0, "rp", NULL, false, CL_OK},
    {"aud string mismatch", "{\"aud\":\"rp2\"}", 1, 0, 0, "rp", NULL, false, CL_ERR_POLICY},
    {"aud prefix is no match", "{\"aud\":\"r\"}", 1, 0, 0, "rp", NULL, false, CL_ERR_POLICY},
    {"aud array match", "{\"aud\":[\"x\",\"rp\"]}", 1, 0, 0, "rp", NULL, false, CL_OK},
    {"aud array mismatch", "{\"aud\":[\"x\",\"y\"]}", 1, 0, 0, "rp", NULL, false, CL_ERR_POLICY},
    {"aud empty array", "{\"aud\":[]}", 1, 0, 0, "rp", NULL, false, CL_ERR_POLICY},
    {"aud array with a number", "{\"aud\":[\"rp\",1]}", 1, 0, 0, "rp", NULL, false, CL_ERR_INPUT},
    {"aud an object", "{\"aud\":{\"rp\":1}}", 1, 0, 0, "rp", NULL, false, CL_ERR_INPUT},
    {"aud missing, expected", "{}", 1, 0, 0, "rp", NULL, false, CL_ERR_POLICY},
    {"aud present, not checked", "{\"aud\":\"x\"}", 1, 0, 0, NULL, NULL, false, CL_OK},
    {"aud malformed, not checked", "{\"aud\":5}", 1, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"iss match", "{\"iss\":\"me\"}", 1, 0, 0, NULL, "me", false, CL_OK},
    {"iss mismatch", "{\"iss\":\"you\"}", 1, 0, 0, NULL, "me", false, CL_ERR_POLICY},
    {"iss missing", "{}", 1, 0, 0, NULL, "me", false, CL_ERR_POLICY},
    {"iss a number", "{\"iss\":1}", 1, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"all good", "{\"iss\":\"me\",\"aud\":\"rp\",\"iat\":900,\"nbf\":900,\"exp\":1100}", 1000, 30,
     300, "rp", "me", true, CL_OK},
    {"claims an array", "[]", 1, 0, 0, NULL, NULL, false, CL_ERR_INPUT},
    {"now negative", "{}", -1, 0, 0, NULL, NULL, false, CL_ERR_USAGE},
    {"leeway negative", "{}", 1, -1, 0, NULL, NULL, false, CL_ERR_USAGE},
    {"leeway over a day", "{}", 1, 86401, 0, NULL, NULL, false, CL_ERR_USAGE},
};

static void
test_claim_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(claim_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_jwt_check chk = {0};
        json_t *c = NULL;
        cl_err got;

        cl_arena_init(&a, 0, 0, 0);
        cl_test_expect(
            claim_rows[i].name,
            cl_jose_json_parse(&a, cl_bytes_str(claim_rows[i].claims), NULL, "claims", &c, &err),
            CL_OK, &err);
        chk.now = claim_rows[i].now;
        chk.leeway = claim_rows[i].leeway;
        chk.max_age = claim_rows[i].max_age;
        chk.aud = claim_rows[i].aud;
        chk.iss = claim_rows[i].iss;
        chk.require_exp = claim_rows[i].require_exp;
        got = cl_jwt_check_claims(c, &chk, &err);
        if (got != claim_rows[i].want)
            fail_msg("%s: got %s, want %s (%s: %s)", claim_rows[i].name, cl_err_name(got),
                     cl_err_name(claim_rows[i].want), err.where, err.msg);
        cl_arena_fini(&a);
    }
}

/* ---- allocation failures: every one is CL_ERR_NOMEM, and nothing leaks ---- */

static cl_err
parse_a3(void)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_jws jws;
    struct cl_jws_opts opts = cl_jws_opts_default();
    struct cl_key *key = NULL;
    static const char jws_text[] =
        "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcG"
        "xlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxL"
        "a8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    cl_err rc;

    cl_arena_init(&a, 256, 0, 0);
    opts.flags = CL_JWS_PAYLOAD_JSON;
    rc = cl_jwk_parse(cl_bytes_str("{\"kty\":\"EC\",\"crv\":\"P-256\"," X256 "," Y256 "}"), NULL, 0,
                      &key, &err);
    if (rc == CL_OK)
        rc = parse_verify(&a, cl_bytes_str(jws_text), &opts, key, 0, &jws, &err);
    cl_key_free(key);
    cl_arena_fini(&a);
    return rc;
}

static void
test_alloc_failures(void **state)
{
    (void)state;
    for (unsigned long n = 1; n < 1000; n++) {
        cl_err rc;

        cl_alloc_fail_at(n);
        rc = parse_a3();
        cl_alloc_fail_at(0);
        if (rc == CL_OK)
            return;
        if (rc != CL_ERR_NOMEM && rc != CL_ERR_CRYPTO)
            fail_msg("allocation %lu: got %s, want nomem", n, cl_err_name(rc));
    }
    fail_msg("never succeeded");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7515_a3),          cmocka_unit_test(test_rfc7515_a3_flipped),
        cmocka_unit_test(test_jws_received_bytes),  cmocka_unit_test(test_jws_rows),
        cmocka_unit_test(test_jws_raw_rows),        cmocka_unit_test(test_jws_huge),
        cmocka_unit_test(test_jws_sign_roundtrip),  cmocka_unit_test(test_jwk_rows),
        cmocka_unit_test(test_jwk_write_roundtrip), cmocka_unit_test(test_rfc7638_thumbprint),
        cmocka_unit_test(test_thumbprint_ec_order), cmocka_unit_test(test_claim_rows),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
