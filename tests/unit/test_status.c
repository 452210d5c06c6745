/*
 * test_status.c - Token Status List: the draft's test vectors (decode and byte-exact
 * re-encode), the example Status List Token, JWT and CWT round trips with a key and with an
 * x5c chain to an IACA, one row per rejection built by a maker that breaks one thing on
 * purpose, bombs and broken zlib, random index allocation, the list file, the cache.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <jansson.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/cose.h"
#include "cardless/jose.h"
#include "cardless/status.h"
#include "cardless/x509.h"

#define NOW INT64_C(1800000000) /* 2027-01-15 */
#define URI "https://status.example.kr/lists/1"

static void
check_ok(cl_err rc, const struct cl_error *err, const char *what)
{
    if (rc != CL_OK)
        fail_msg("%s: %s (%s: %s)", what, cl_err_name(rc), err->where, err->msg);
}

static struct cl_bytes
zlib_of(struct cl_arena *a, const uint8_t *p, size_t n, int level)
{
    uLongf cap = compressBound((uLong)n);
    uint8_t *dst = cl_arena_alloc(a, cap);

    assert_non_null(dst);
    assert_int_equal(compress2(dst, &cap, p, (uLong)n, level), Z_OK);
    return cl_bytes_of(dst, cap);
}

/* ---- the draft's test vectors ---- */

static void
test_vectors(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_bytes text;
    json_error_t je;
    json_t *root, *vs, *v;
    size_t i;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    text = cl_test_vector(&a, "status-list/test-vectors.json");
    root = json_loadb((const char *)text.ptr, text.len, 0, &je);
    assert_non_null(root);
    vs = json_object_get(root, "vectors");
    assert_true(json_array_size(vs) >= 6);
    json_array_foreach(vs, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        unsigned bits = (unsigned)json_integer_value(json_object_get(v, "bits"));
        uint64_t size = (uint64_t)json_integer_value(json_object_get(v, "size"));
        const char *lst = json_string_value(json_object_get(v, "lst"));
        json_t *st = json_object_get(v, "statuses"), *val;
        const char *key;
        struct cl_status_list list;
        struct cl_status_table *t = NULL;
        struct cl_buf z;
        struct cl_bytes zl;
        uint64_t nonzero = 0, want_nonzero = 0;
        char *json = cl_arena_printf(&a, "{\"bits\":%u,\"lst\":\"%s\"}", bits, lst);
        char *mine;

        /* decode: the listed statuses, and zero everywhere else */
        check_ok(
            cl_status_list_decode_json(&a, cl_bytes_str(json), CL_STATUS_INFLATED_MAX, &list, &err),
            &err, name);
        assert_int_equal(list.bits, bits);
        if (list.count < size || list.count >= size + 8 / bits)
            fail_msg("%s: %llu entries, want %llu", name, (unsigned long long)list.count,
                     (unsigned long long)size);
        check_ok(cl_status_table_new(bits, size, &t, &err), &err, name);
        json_object_foreach(st, key, val)
        {
            uint64_t idx = strtoull(key, NULL, 10);
            unsigned got;

            check_ok(cl_status_list_get(&list, idx, &got, &err), &err, name);
            if (got != (unsigned)json_integer_value(val))
                fail_msg("%s: index %s: got %u, want %lld", name, key, got,
                         (long long)json_integer_value(val));
            want_nonzero += got != 0;
            check_ok(cl_status_table_set(t, idx, got, &err), &err, name);
        }
        for (uint64_t k = 0; k < list.count; k++) {
            unsigned got;

            check_ok(cl_status_list_get(&list, k, &got, &err), &err, name);
            nonzero += got != 0;
        }
        assert_int_equal(nonzero, want_nonzero);
        if (json_object_get(v, "byte_array_hex") != NULL) {
            struct cl_bytes want =
                cl_test_hex(&a, json_string_value(json_object_get(v, "byte_array_hex")));

            assert_true(cl_bytes_eq(list.lst, want));
        }
        /* encode: our level-9 ZLIB reproduces the draft's bytes exactly */
        cl_buf_init(&z);
        check_ok(cl_status_table_compress(t, &z, &err), &err, name);
        zl = cl_buf_bytes(&z);
        mine = cl_b64url_encode_arena(&a, zl);
        if (strcmp(mine, lst) != 0)
            fail_msg("%s: our lst differs from the draft's", name);
        cl_buf_fini(&z);
        cl_status_table_free(t);
    }
    json_decref(root);
    cl_arena_fini(&a);
}

/* The draft's CBOR StatusList examples: the same lists as the JSON ones of test-vectors.json. */
static void
test_cbor_vectors(void **state)
{
    static const struct {
        const char *file, *json_name;
    } rows[] = {
        {"status-list/status_list_encoding1_cbor.hex", "compressed-byte-array-example-1bit"},
        {"status-list/status_list_encoding2_cbor.hex", "compressed-byte-array-example-2bit"},
        {"status-list/status_list_encoding4_cbor.hex", "4-bit"},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_bytes text = {NULL, 0};
    json_error_t je;
    json_t *root;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    text = cl_test_vector(&a, "status-list/test-vectors.json");
    root = json_loadb((const char *)text.ptr, text.len, 0, &je);
    assert_non_null(root);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_bytes hex = cl_test_vector(&a, rows[i].file);
        struct cl_status_list cl, jl;
        json_t *v, *vs = json_object_get(root, "vectors");
        size_t k;
        char *json = NULL;

        json_array_foreach(vs, k, v)
        {
            if (strcmp(json_string_value(json_object_get(v, "name")), rows[i].json_name) == 0)
                json = cl_arena_printf(&a, "{\"bits\":%d,\"lst\":\"%s\"}",
                                       (int)json_integer_value(json_object_get(v, "bits")),
                                       json_string_value(json_object_get(v, "lst")));
        }
        assert_non_null(json);
        check_ok(cl_status_list_decode_cbor(&a, cl_test_hex(&a, (const char *)hex.ptr),
                                            CL_STATUS_INFLATED_MAX, &cl, &err),
                 &err, rows[i].file);
        check_ok(
            cl_status_list_decode_json(&a, cl_bytes_str(json), CL_STATUS_INFLATED_MAX, &jl, &err),
            &err, rows[i].json_name);
        assert_int_equal(cl.bits, jl.bits);
        assert_true(cl_bytes_eq(cl.lst, jl.lst));
    }
    cl_test_expect("cbor bits 3",
                   cl_status_list_decode_cbor(&a,
                                              cl_test_hex(&a, "a2 64 62697473 03 63 6c7374 41 00"),
                                              100, &(struct cl_status_list){0}, &err),
                   CL_ERR_INPUT, &err);
    cl_error_clear(&err);
    cl_test_expect("cbor lst text",
                   cl_status_list_decode_cbor(&a,
                                              cl_test_hex(&a, "a2 64 62697473 01 63 6c7374 61 00"),
                                              100, &(struct cl_status_list){0}, &err),
                   CL_ERR_INPUT, &err);
    cl_error_clear(&err);
    cl_test_expect("cbor no lst",
                   cl_status_list_decode_cbor(&a, cl_test_hex(&a, "a1 64 62697473 01"), 100,
                                              &(struct cl_status_list){0}, &err),
                   CL_ERR_MISSING, &err);
    cl_error_clear(&err);
    cl_test_expect("cbor truncated",
                   cl_status_list_decode_cbor(&a, cl_test_hex(&a, "a2 64 62697473"), 100,
                                              &(struct cl_status_list){0}, &err),
                   CL_ERR_TRUNCATED, &err);
    json_decref(root);
    cl_arena_fini(&a);
}

/* The draft's example Status List Tokens (JWT and CWT), verified with the example key of the
 * draft's generator (src/util.py, kid 12): every status, every claim, then the refusals. */
static void
test_draft_examples(void **state)
{
    static const unsigned want[16] = {1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1};
    static const char uri[] = "https://example.com/statuslists/1";
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_bytes tok[2], hex;
    struct cl_status_trust trust = {0};
    struct cl_status_token t;
    struct cl_key *key = NULL, *other = NULL;
    const int64_t iat = 1686920170;
    unsigned v;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    tok[0] = cl_test_vector(&a, "status-list/status_list_jwt_example.txt");
    hex = cl_test_vector(&a, "status-list/status_list_cwt_example.hex");
    tok[1] = cl_test_hex(&a, (const char *)hex.ptr);
    check_ok(cl_jwk_parse(cl_test_vector(&a, "status-list/draft-example-key.pub.jwk.json"), NULL, 0,
                          &key, &err),
             &err, "key");
    check_ok(cl_key_generate(CL_CURVE_P256, &other, &err), &err, "other key");
    assert_int_equal(cl_status_token_format(tok[0]), CL_STATUS_JWT);
    assert_int_equal(cl_status_token_format(tok[1]), CL_STATUS_CWT);
    for (int f = 0; f < 2; f++) {
        const char *name = f == 0 ? "draft jwt example" : "draft cwt example";

        trust.key = key;
        check_ok(cl_status_token_parse_verify(&a, tok[f], &trust, uri, iat + 60, NULL, &t, &err),
                 &err, name);
        assert_int_equal(t.format, f == 0 ? CL_STATUS_JWT : CL_STATUS_CWT);
        assert_string_equal(t.sub, uri);
        assert_int_equal(t.iat, iat);
        assert_int_equal(t.exp, 2291720170);
        assert_int_equal(t.ttl, 43200);
        assert_int_equal(t.list.bits, 1);
        assert_int_equal(t.list.count, 16);
        for (unsigned i = 0; i < 16; i++) {
            check_ok(cl_status_list_get(&t.list, i, &v, &err), &err, name);
            assert_int_equal(v, want[i]);
        }
        cl_test_expect(name, cl_status_list_get(&t.list, 16, &v, &err), CL_ERR_INPUT, &err);
        cl_error_clear(&err);
        cl_test_expect(
            name,
            cl_status_token_parse_verify(&a, tok[f], &trust, uri, iat + 43200, NULL, &t, &err),
            CL_ERR_EXPIRED, &err); /* stale: iat + ttl */
        assert_string_equal(err.where, "ttl");
        cl_error_clear(&err);
        cl_test_expect(name,
                       cl_status_token_parse_verify(&a, tok[f], &trust,
                                                    "https://example.com/statuslists/2", iat + 60,
                                                    NULL, &t, &err),
                       CL_ERR_POLICY, &err);
        cl_error_clear(&err);
        trust.key = other;
        cl_test_expect(
            name, cl_status_token_parse_verify(&a, tok[f], &trust, uri, iat + 60, NULL, &t, &err),
            CL_ERR_SIGNATURE, &err);
        cl_error_clear(&err);
    }
    cl_key_free(key);
    cl_key_free(other);
    cl_arena_fini(&a);
}

/* ---- a token maker that can break one thing ---- */

struct mk {
    enum cl_status_format format;
    const char *typ; /* NULL: the right one */
    const char *sub;
    int64_t iat, exp, ttl;
    bool no_iat, no_sub, no_list;
    unsigned bits;
    struct cl_bytes zlib; /* the list as sent */
    const struct cl_bytes *x5c;
    size_t x5c_count;
};

static struct cl_bytes
make_token(struct cl_arena *a, const struct cl_key *key, const struct mk *m)
{
    struct cl_error err = {0};
    struct cl_bytes out = {NULL, 0};

    if (m->format == CL_STATUS_JWT) {
        struct cl_jws_header hdr = {0};
        json_t *c = json_object();
        char *payload;

        if (!m->no_sub)
            json_object_set_new(c, "sub", json_string(m->sub));
        if (!m->no_iat)
            json_object_set_new(c, "iat", json_integer(m->iat));
        if (m->exp)
            json_object_set_new(c, "exp", json_integer(m->exp));
        if (m->ttl)
            json_object_set_new(c, "ttl", json_integer(m->ttl));
        if (!m->no_list)
            json_object_set_new(c, "status_list",
                                json_pack("{s:i,s:s}", "bits", (int)m->bits, "lst",
                                          cl_b64url_encode_arena(a, m->zlib)));
        payload = json_dumps(c, JSON_COMPACT);
        hdr.typ = m->typ != NULL ? m->typ : "statuslist+jwt";
        hdr.x5c = m->x5c;
        hdr.x5c_count = m->x5c_count;
        check_ok(cl_jws_sign(a, key, &hdr, cl_bytes_str(payload), &out, &err), &err, "sign jwt");
        free(payload);
        json_decref(c);
    } else {
        struct cl_cbor *c = cl_cbor_new_map(a), *sl = cl_cbor_new_map(a), *ph = cl_cbor_new_map(a);
        struct cl_cose_create_params p = {0};
        struct cl_buf pl, msg;

        cl_buf_init(&pl);
        cl_buf_init(&msg);
        assert_int_equal(
            cl_cbor_map_put(a, sl, cl_cbor_new_cstr(a, "bits"), cl_cbor_new_uint(a, m->bits)),
            CL_OK);
        assert_int_equal(
            cl_cbor_map_put(a, sl, cl_cbor_new_cstr(a, "lst"), cl_cbor_new_bytes(a, m->zlib)),
            CL_OK);
        if (!m->no_sub)
            assert_int_equal(
                cl_cbor_map_put(a, c, cl_cbor_new_uint(a, 2), cl_cbor_new_cstr(a, m->sub)), CL_OK);
        if (!m->no_iat)
            assert_int_equal(cl_cbor_map_put(a, c, cl_cbor_new_uint(a, 6),
                                             cl_cbor_new_uint(a, (uint64_t)m->iat)),
                             CL_OK);
        if (m->exp)
            assert_int_equal(cl_cbor_map_put(a, c, cl_cbor_new_uint(a, 4),
                                             cl_cbor_new_uint(a, (uint64_t)m->exp)),
                             CL_OK);
        if (m->ttl)
            assert_int_equal(cl_cbor_map_put(a, c, cl_cbor_new_uint(a, 65534),
                                             cl_cbor_new_uint(a, (uint64_t)m->ttl)),
                             CL_OK);
        if (!m->no_list)
            assert_int_equal(cl_cbor_map_put(a, c, cl_cbor_new_uint(a, 65533), sl), CL_OK);
        assert_int_equal(
            cl_cbor_map_put(
                a, ph, cl_cbor_new_uint(a, 16),
                cl_cbor_new_cstr(a, m->typ != NULL ? m->typ : "application/statuslist+cwt")),
            CL_OK);
        check_ok(cl_cbor_encode(&pl, c, 0, &err), &err, "cwt claims");
        p.protected_h = ph;
        p.payload = cl_buf_bytes(&pl);
        p.x5chain = m->x5c;
        p.n_x5chain = m->x5c_count;
        check_ok(cl_cose_sign1_create(key, &p, &msg, &err), &err, "sign cwt");
        out = cl_arena_copy(a, cl_buf_bytes(&msg));
        cl_buf_fini(&pl);
        cl_buf_fini(&msg);
    }
    return out;
}

/* A 2-bit list of 64 entries: [5] INVALID, [9] SUSPENDED, the rest VALID. */
static struct cl_bytes
good_zlib(struct cl_arena *a)
{
    uint8_t raw[16] = {0};

    raw[5 / 4] |= 1 << (2 * (5 % 4));
    raw[9 / 4] |= 2 << (2 * (9 % 4));
    return zlib_of(a, raw, sizeof raw, 9);
}

static void
good(struct cl_arena *a, struct mk *m, enum cl_status_format f)
{
    memset(m, 0, sizeof *m);
    m->format = f;
    m->sub = URI;
    m->iat = NOW - 100;
    m->exp = NOW + 3600;
    m->ttl = 600;
    m->bits = 2;
    m->zlib = good_zlib(a);
}

static void
brk_typ(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->typ = m->format == CL_STATUS_JWT ? "JWT" : "application/cwt";
}
static void
brk_sub(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->sub = "https://status.example.kr/lists/2";
}
static void
brk_no_sub(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->no_sub = true;
}
static void
brk_no_iat(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->no_iat = true;
}
static void
brk_future_iat(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->iat = NOW + 3600;
}
static void
brk_expired(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->exp = NOW - 1;
}
static void
brk_stale(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->ttl = 50;
}
static void
brk_no_list(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->no_list = true;
}
static void
brk_bits3(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->bits = 3;
}
static void
brk_bomb(struct cl_arena *a, struct mk *m)
{
    size_t n = (size_t)64 << 20; /* 64 MiB of zeros: about 64 KiB compressed */
    uint8_t *z = calloc(n, 1);

    assert_non_null(z);
    m->zlib = zlib_of(a, z, n, 9);
    free(z);
}
static void
brk_truncated(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->zlib.len -= 3;
}
static void
brk_trailing(struct cl_arena *a, struct mk *m)
{
    uint8_t *p = cl_arena_alloc(a, m->zlib.len + 2);

    memcpy(p, m->zlib.ptr, m->zlib.len);
    p[m->zlib.len] = 0;
    p[m->zlib.len + 1] = 0;
    m->zlib = cl_bytes_of(p, m->zlib.len + 2);
}
static void
brk_raw_deflate(struct cl_arena *a, struct mk *m)
{
    (void)a;
    m->zlib.ptr += 2; /* DEFLATE without the RFC 1950 header */
    m->zlib.len -= 2;
}
static void
brk_empty(struct cl_arena *a, struct mk *m)
{
    m->zlib = zlib_of(a, (const uint8_t *)"", 0, 9);
}

enum trust_kind { TRUST_KEY, TRUST_OTHER_KEY, TRUST_NONE };

static const struct {
    const char *name;
    void (*brk)(struct cl_arena *, struct mk *);
    enum trust_kind trust;
    unsigned flags;
    uint64_t idx;
    cl_err want;
    const char *where; /* err.where starts with this */
    unsigned value;    /* expected value when want is CL_OK */
} rows[] = {
    {"good, index 5 INVALID", NULL, TRUST_KEY, 0, 5, CL_OK, "", 1},
    {"good, index 9 SUSPENDED", NULL, TRUST_KEY, 0, 9, CL_OK, "", 2},
    {"good, index 63 VALID", NULL, TRUST_KEY, 0, 63, CL_OK, "", 0},
    {"index out of range", NULL, TRUST_KEY, 0, 64, CL_ERR_INPUT, "idx", 0},
    {"bad signature (other key)", NULL, TRUST_OTHER_KEY, 0, 5, CL_ERR_SIGNATURE, "", 0},
    {"no key and no anchors", NULL, TRUST_NONE, 0, 5, CL_ERR_USAGE, "trust", 0},
    {"wrong typ", brk_typ, TRUST_KEY, 0, 5, CL_ERR_POLICY, "typ", 0},
    {"sub mismatch", brk_sub, TRUST_KEY, 0, 5, CL_ERR_POLICY, "sub", 0},
    {"sub missing", brk_no_sub, TRUST_KEY, 0, 5, CL_ERR_MISSING, "sub", 0},
    {"iat missing", brk_no_iat, TRUST_KEY, 0, 5, CL_ERR_MISSING, "iat", 0},
    {"iat in the future", brk_future_iat, TRUST_KEY, 0, 5, CL_ERR_EXPIRED, "iat", 0},
    {"expired", brk_expired, TRUST_KEY, 0, 5, CL_ERR_EXPIRED, "exp", 0},
    {"ttl stale", brk_stale, TRUST_KEY, 0, 5, CL_ERR_EXPIRED, "ttl", 0},
    {"ttl stale, allowed", brk_stale, TRUST_KEY, CL_STATUS_ALLOW_STALE, 5, CL_OK, "", 1},
    {"status_list missing", brk_no_list, TRUST_KEY, 0, 5, CL_ERR_MISSING, "status_list", 0},
    {"bits 3", brk_bits3, TRUST_KEY, 0, 5, CL_ERR_INPUT, "status_list.bits", 0},
    {"zlib bomb", brk_bomb, TRUST_KEY, 0, 5, CL_ERR_TOO_LARGE, "status_list.lst", 0},
    {"truncated zlib", brk_truncated, TRUST_KEY, 0, 5, CL_ERR_TRUNCATED, "status_list.lst", 0},
    {"trailing garbage", brk_trailing, TRUST_KEY, 0, 5, CL_ERR_INPUT, "status_list.lst", 0},
    {"raw DEFLATE, no zlib header", brk_raw_deflate, TRUST_KEY, 0, 5, CL_ERR_INPUT,
     "status_list.lst", 0},
    {"empty list", brk_empty, TRUST_KEY, 0, 5, CL_ERR_INPUT, "status_list.lst", 0},
};

static void
test_rejections(void **state)
{
    static const enum cl_status_format fmts[] = {CL_STATUS_JWT, CL_STATUS_CWT};
    struct cl_key *key = NULL, *other = NULL;
    struct cl_error err = {0};

    (void)state;
    check_ok(cl_key_generate(CL_CURVE_P256, &key, &err), &err, "key");
    check_ok(cl_key_generate(CL_CURVE_P256, &other, &err), &err, "key");
    for (size_t f = 0; f < CL_ARRAY_LEN(fmts); f++) {
        for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
            struct cl_arena a;
            struct cl_status_trust trust = {0};
            struct cl_status_limits lim = cl_status_limits_default();
            struct cl_bytes tok;
            struct mk m;
            const char *name;
            unsigned value = 99;
            cl_err rc;

            cl_arena_init(&a, 0, 0, 0);
            name = cl_arena_printf(&a, "%s: %s", fmts[f] == CL_STATUS_JWT ? "jwt" : "cwt",
                                   rows[i].name);
            good(&a, &m, fmts[f]);
            if (rows[i].brk != NULL)
                rows[i].brk(&a, &m);
            tok = make_token(&a, key, &m);
            assert_int_equal(cl_status_token_format(tok), fmts[f]);
            trust.key = rows[i].trust == TRUST_KEY         ? key
                        : rows[i].trust == TRUST_OTHER_KEY ? other
                                                           : NULL;
            trust.flags = rows[i].flags;
            lim.max_inflated = 1 << 20;
            cl_error_clear(&err);
            rc = cl_status_check(&a, tok, &trust, URI, rows[i].idx, NOW, &lim, &value, NULL, &err);
            cl_test_expect(name, rc, rows[i].want, &err);
            if (rc == CL_OK && value != rows[i].value)
                fail_msg("%s: value %u, want %u", name, value, rows[i].value);
            if (rc != CL_OK && strncmp(err.where, rows[i].where, strlen(rows[i].where)) != 0)
                fail_msg("%s: where \"%s\", want \"%s\"", name, err.where, rows[i].where);
            cl_arena_fini(&a);
        }
    }
    cl_key_free(key);
    cl_key_free(other);
}

/* ---- list decoding: direct rows ---- */

static void
test_inflate(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_status_list list;
    uint8_t raw[100];
    struct cl_bytes z;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    memset(raw, 0xff, sizeof raw);
    z = zlib_of(&a, raw, sizeof raw, 1);
    /* exactly at the cap is fine, one over is a bomb */
    check_ok(cl_status_list_inflate(&a, 8, z, 100, &list, &err), &err, "cap 100");
    assert_int_equal(list.count, 100);
    cl_test_expect("cap 99", cl_status_list_inflate(&a, 8, z, 99, &list, &err), CL_ERR_TOO_LARGE,
                   &err);
    assert_int_equal(list.count, 0); /* zeroed on failure */
    cl_error_clear(&err);
    cl_test_expect("bits 0", cl_status_list_inflate(&a, 0, z, 100, &list, &err), CL_ERR_INPUT,
                   &err);
    cl_error_clear(&err);
    cl_test_expect("garbage",
                   cl_status_list_inflate(&a, 1, cl_bytes_str("hello"), 100, &list, &err),
                   CL_ERR_INPUT, &err);
    cl_error_clear(&err);
    cl_test_expect("nothing", cl_status_list_inflate(&a, 1, cl_bytes_of(NULL, 0), 100, &list, &err),
                   CL_ERR_TRUNCATED, &err);
    cl_error_clear(&err);
    cl_test_expect(
        "json bits 3",
        cl_status_list_decode_json(&a, cl_bytes_str("{\"bits\":3,\"lst\":\"eNrbuRgAAhcBXQ\"}"), 100,
                                   &list, &err),
        CL_ERR_INPUT, &err);
    cl_error_clear(&err);
    cl_test_expect(
        "json bits string",
        cl_status_list_decode_json(&a, cl_bytes_str("{\"bits\":\"1\",\"lst\":\"eNrbuRgAAhcBXQ\"}"),
                                   100, &list, &err),
        CL_ERR_INPUT, &err);
    cl_error_clear(&err);
    cl_test_expect(
        "json lst padded",
        cl_status_list_decode_json(&a, cl_bytes_str("{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ==\"}"),
                                   100, &list, &err),
        CL_ERR_ENCODING, &err);
    cl_arena_fini(&a);
}

/* ---- issuing: round trips with a key, and with an x5c chain to an IACA ---- */

struct pki {
    struct cl_key *iaca_key, *ds_key;
    struct cl_x509_cert *iaca, *ds;
};

static void
pki_make(struct pki *p)
{
    struct cl_error err = {0};
    struct cl_x509_params xp;

    memset(p, 0, sizeof *p);
    check_ok(cl_key_generate(CL_CURVE_P256, &p->iaca_key, &err), &err, "iaca key");
    check_ok(cl_key_generate(CL_CURVE_P256, &p->ds_key, &err), &err, "ds key");
    cl_x509_params_iaca(&xp);
    xp.country = "KR";
    xp.common_name = "Test IACA";
    xp.not_before = NOW - 86400;
    check_ok(cl_x509_iaca_make(&xp, p->iaca_key, &p->iaca, &err), &err, "iaca");
    cl_x509_params_ds(&xp);
    xp.country = "KR";
    xp.common_name = "Test DS";
    xp.not_before = NOW - 3600;
    check_ok(cl_x509_ds_make(&xp, p->iaca, p->iaca_key, p->ds_key, &p->ds, &err), &err, "ds");
}

static void
pki_free(struct pki *p)
{
    cl_key_free(p->iaca_key);
    cl_key_free(p->ds_key);
    cl_x509_cert_free(p->iaca);
    cl_x509_cert_free(p->ds);
}

static void
test_round_trip(void **state)
{
    static const enum cl_status_format fmts[] = {CL_STATUS_JWT, CL_STATUS_CWT};
    static const unsigned bitss[] = {1, 2, 4, 8};
    struct pki p;
    struct cl_error err = {0};
    struct cl_x509_list anchors, others;
    struct pki q;

    (void)state;
    pki_make(&p);
    pki_make(&q);
    cl_x509_list_init(&anchors);
    cl_x509_list_init(&others);
    check_ok(cl_x509_list_add(&anchors, p.iaca, &err), &err, "anchors");
    check_ok(cl_x509_list_add(&others, q.iaca, &err), &err, "anchors");
    for (size_t f = 0; f < 2; f++) {
        for (size_t b = 0; b < 4; b++) {
            struct cl_arena a;
            struct cl_status_table *t = NULL;
            struct cl_status_sign_params sp = {0};
            struct cl_status_trust trust = {0};
            struct cl_status_token tok;
            struct cl_bytes out, der = cl_x509_cert_der(p.ds);
            unsigned maxv = (1u << bitss[b]) - 1, v;
            uint64_t size = 1000;

            cl_arena_init(&a, 0, 0, 0);
            check_ok(cl_status_table_new(bitss[b], size, &t, &err), &err, "new");
            for (uint64_t k = 0; k < size; k += 7)
                check_ok(cl_status_table_set(t, k, (unsigned)(k % (maxv + 1)), &err), &err, "set");
            cl_test_expect("value too big", cl_status_table_set(t, 1, maxv + 1, &err), CL_ERR_USAGE,
                           &err);
            cl_error_clear(&err);
            sp.format = fmts[f];
            sp.uri = URI;
            sp.iss = "https://issuer.example.kr";
            sp.iat = NOW - 10;
            sp.exp = NOW + 86400;
            sp.ttl = 3600;
            sp.x5c = &der;
            sp.x5c_count = 1;
            check_ok(cl_status_token_sign(&a, t, p.ds_key, &sp, &out, &err), &err, "sign");
            assert_int_equal(cl_status_token_format(out), fmts[f]);
            /* by key */
            trust.key = p.ds_key;
            check_ok(cl_status_token_parse_verify(&a, out, &trust, URI, NOW, NULL, &tok, &err),
                     &err, "verify by key");
            assert_int_equal(tok.format, fmts[f]);
            assert_string_equal(tok.sub, URI);
            assert_string_equal(tok.iss, "https://issuer.example.kr");
            assert_int_equal(tok.iat, NOW - 10);
            assert_int_equal(tok.exp, NOW + 86400);
            assert_int_equal(tok.ttl, 3600);
            assert_false(tok.stale);
            assert_true(tok.list.count >= size);
            for (uint64_t k = 0; k < size; k++) {
                check_ok(cl_status_list_get(&tok.list, k, &v, &err), &err, "get");
                assert_int_equal(v, k % 7 == 0 ? (unsigned)(k % (maxv + 1)) : 0);
            }
            /* by x5c chained to the IACA */
            trust.key = NULL;
            trust.anchors = &anchors;
            check_ok(cl_status_token_parse_verify(&a, out, &trust, URI, NOW, NULL, &tok, &err),
                     &err, "verify by x5c");
            trust.anchors = &others;
            cl_test_expect(
                "x5c to another IACA",
                cl_status_token_parse_verify(&a, out, &trust, URI, NOW, NULL, &tok, &err),
                CL_ERR_UNTRUSTED, &err);
            cl_error_clear(&err);
            trust.anchors = &anchors;
            cl_test_expect("x5c, DS not yet valid",
                           cl_status_token_parse_verify(&a, out, &trust, URI, NOW - 86400 * 2, NULL,
                                                        &tok, &err),
                           CL_ERR_EXPIRED, &err);
            cl_error_clear(&err);
            cl_test_expect(
                "uri NULL skips the sub check",
                cl_status_token_parse_verify(&a, out, &trust, NULL, NOW, NULL, &tok, &err), CL_OK,
                &err);
            cl_status_table_free(t);
            cl_arena_fini(&a);
        }
    }
    cl_x509_list_fini(&anchors);
    cl_x509_list_fini(&others);
    pki_free(&p);
    pki_free(&q);
}

/* A token without x5c, verified with anchors only: a clear "missing" error. */
static void
test_no_x5c(void **state)
{
    struct pki p;
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_x509_list anchors;
    struct cl_status_trust trust = {0};
    struct mk m;

    (void)state;
    pki_make(&p);
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&anchors);
    check_ok(cl_x509_list_add(&anchors, p.iaca, &err), &err, "anchors");
    trust.anchors = &anchors;
    for (int f = CL_STATUS_JWT; f <= CL_STATUS_CWT; f++) {
        good(&a, &m, (enum cl_status_format)f);
        cl_error_clear(&err);
        cl_test_expect("no x5c",
                       cl_status_check(&a, make_token(&a, p.ds_key, &m), &trust, URI, 5, NOW, NULL,
                                       NULL, NULL, &err),
                       CL_ERR_MISSING, &err);
    }
    cl_x509_list_fini(&anchors);
    cl_arena_fini(&a);
    pki_free(&p);
}

/* ---- allocation, the list file ---- */

static void
test_alloc(void **state)
{
    struct cl_status_table *t = NULL, *u = NULL;
    struct cl_error err = {0};
    struct cl_buf file;
    bool seen[130] = {false};
    uint64_t idx;
    unsigned v;

    (void)state;
    check_ok(cl_status_table_new(2, 130, &t, &err), &err, "new");
    for (int i = 0; i < 130; i++) {
        check_ok(cl_status_alloc_index(t, &idx, &err), &err, "alloc");
        assert_true(idx < 130);
        if (seen[idx])
            fail_msg("index %llu allocated twice", (unsigned long long)idx);
        seen[idx] = true;
        assert_true(cl_status_table_is_used(t, idx));
        if (i == 64) { /* the list file keeps the used map and the entries */
            check_ok(cl_status_table_set(t, idx, CL_STATUS_SUSPENDED, &err), &err, "set");
            cl_buf_init(&file);
            check_ok(cl_status_table_save(t, &file, &err), &err, "save");
            check_ok(cl_status_table_load(cl_buf_bytes(&file), &u, &err), &err, "load");
            cl_buf_fini(&file);
            assert_int_equal(cl_status_table_used(u), 65);
            assert_int_equal(cl_status_table_bits(u), 2);
            assert_int_equal(cl_status_table_size(u), 130);
            for (uint64_t k = 0; k < 130; k++)
                assert_int_equal(cl_status_table_is_used(u, k), cl_status_table_is_used(t, k));
            check_ok(cl_status_table_get(u, idx, &v, &err), &err, "get");
            assert_int_equal(v, CL_STATUS_SUSPENDED);
            cl_status_table_free(u);
        }
    }
    assert_int_equal(cl_status_table_used(t), 130);
    cl_test_expect("full list", cl_status_alloc_index(t, &idx, &err), CL_ERR_TOO_LARGE, &err);
    cl_status_table_free(t);
    cl_error_clear(&err);
    cl_test_expect("bits 3", cl_status_table_new(3, 10, &t, &err), CL_ERR_USAGE, &err);
    cl_error_clear(&err);
    cl_test_expect("size 0", cl_status_table_new(1, 0, &t, &err), CL_ERR_USAGE, &err);
}

/* Uniform among unused: allocate 1 of 4 free slots many times; each should be hit. */
static void
test_alloc_spread(void **state)
{
    struct cl_error err = {0};
    unsigned hits[8] = {0};

    (void)state;
    for (int round = 0; round < 400; round++) {
        struct cl_status_table *t = NULL;
        uint64_t idx;

        check_ok(cl_status_table_new(1, 8, &t, &err), &err, "new");
        for (int k = 0; k < 4; k++) /* use 4 of 8, then count where the 5th lands */
            check_ok(cl_status_alloc_index(t, &idx, &err), &err, "alloc");
        check_ok(cl_status_alloc_index(t, &idx, &err), &err, "alloc");
        hits[idx]++;
        cl_status_table_free(t);
    }
    for (int k = 0; k < 8; k++)
        if (hits[k] < 20) /* expected 50 each; below 20 is astronomically unlikely */
            fail_msg("index %d chosen %u times of 400", k, hits[k]);
}

static const struct {
    const char *name;
    const char *json;
    cl_err want;
} load_rows[] = {
    {"not JSON", "nope", CL_ERR_INPUT},
    {"wrong format",
     "{\"format\":\"x\",\"bits\":1,\"size\":8,\"used_count\":0,\"lst\":\"AA\",\"used\":\"AA\"}",
     CL_ERR_INPUT},
    {"lst too short",
     "{\"format\":\"cardless-status-table/"
     "1\",\"bits\":2,\"size\":8,\"used_count\":0,\"lst\":\"AA\","
     "\"used\":\"AA\"}",
     CL_ERR_INPUT},
    {"used_count wrong",
     "{\"format\":\"cardless-status-table/"
     "1\",\"bits\":1,\"size\":8,\"used_count\":0,\"lst\":\"AA\","
     "\"used\":\"AQ\"}",
     CL_ERR_INPUT},
    {"used past size",
     "{\"format\":\"cardless-status-table/"
     "1\",\"bits\":1,\"size\":4,\"used_count\":1,\"lst\":\"AA\","
     "\"used\":\"EA\"}",
     CL_ERR_INPUT},
    {"missing used",
     "{\"format\":\"cardless-status-table/"
     "1\",\"bits\":1,\"size\":8,\"used_count\":0,\"lst\":\"AA\"}",
     CL_ERR_MISSING},
    {"good",
     "{\"format\":\"cardless-status-table/"
     "1\",\"bits\":1,\"size\":8,\"used_count\":1,\"lst\":\"AA\","
     "\"used\":\"AQ\"}",
     CL_OK},
};

static void
test_load(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(load_rows); i++) {
        struct cl_status_table *t = NULL;
        struct cl_error err = {0};

        cl_test_expect(load_rows[i].name,
                       cl_status_table_load(cl_bytes_str(load_rows[i].json), &t, &err),
                       load_rows[i].want, &err);
        cl_status_table_free(t);
    }
}

/* ---- the cache ---- */

static void
test_cache(void **state)
{
    struct cl_arena a;
    struct cl_key *key = NULL;
    struct cl_error err = {0};
    struct cl_status_cache *c = NULL;
    struct cl_status_cache_stats st;
    struct cl_status_trust trust = {0};
    struct mk m;
    struct cl_bytes t1, t2;
    unsigned v;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    check_ok(cl_key_generate(CL_CURVE_P256, &key, &err), &err, "key");
    check_ok(cl_status_cache_new(2, &c, &err), &err, "cache");
    trust.key = key;
    good(&a, &m, CL_STATUS_JWT);
    t1 = make_token(&a, key, &m);
    m.iat++;
    t2 = make_token(&a, key, &m);
    check_ok(cl_status_cache_check(c, t1, &trust, URI, 5, NOW, NULL, &v, &err), &err, "1st");
    assert_int_equal(v, 1);
    check_ok(cl_status_cache_check(c, t1, &trust, URI, 9, NOW, NULL, &v, &err), &err, "2nd");
    assert_int_equal(v, 2);
    st = cl_status_cache_stats(c);
    assert_int_equal(st.inflations, 1);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 1);
    /* a hit still checks time: at the ttl it is stale */
    cl_test_expect("cached, stale",
                   cl_status_cache_check(c, t1, &trust, URI, 5, NOW + 600, NULL, &v, &err),
                   CL_ERR_EXPIRED, &err);
    cl_error_clear(&err);
    cl_test_expect("cached, out of range",
                   cl_status_cache_check(c, t1, &trust, URI, 64, NOW, NULL, &v, &err), CL_ERR_INPUT,
                   &err);
    cl_error_clear(&err);
    /* another trust object is a miss: verified again, with that trust */
    {
        struct cl_key *k2 = NULL;
        struct cl_status_trust tr2 = {0};

        check_ok(cl_key_generate(CL_CURVE_P256, &k2, &err), &err, "key");
        tr2.key = k2;
        cl_test_expect("same token, another key",
                       cl_status_cache_check(c, t1, &tr2, URI, 5, NOW, NULL, &v, &err),
                       CL_ERR_SIGNATURE, &err);
        cl_error_clear(&err);
        cl_key_free(k2);
    }
    check_ok(cl_status_cache_check(c, t1, &trust, URI, 5, NOW, NULL, &v, &err), &err, "hit");
    /* a new token for the uri replaces the entry */
    check_ok(cl_status_cache_check(c, t2, &trust, URI, 5, NOW, NULL, &v, &err), &err, "new token");
    st = cl_status_cache_stats(c);
    assert_int_equal(st.inflations, 2);
    assert_int_equal(st.entries, 1);
    /* a failed verification is not cached */
    cl_test_expect("other uri",
                   cl_status_cache_check(c, t2, &trust, "https://x", 5, NOW, NULL, &v, &err),
                   CL_ERR_POLICY, &err);
    st = cl_status_cache_stats(c);
    assert_int_equal(st.entries, 1);
    cl_error_clear(&err);
    cl_test_expect("time out of range",
                   cl_status_cache_check(c, t2, &trust, URI, 5, INT64_MAX, NULL, &v, &err),
                   CL_ERR_USAGE, &err);
    cl_error_clear(&err);
    cl_test_expect("negative time",
                   cl_status_check(&a, t2, &trust, URI, 5, -1, NULL, &v, NULL, &err), CL_ERR_USAGE,
                   &err);
    cl_status_cache_free(c);
    cl_key_free(key);
    cl_arena_fini(&a);
}

/* ---- allocation failures: N = 1, 2, ... until the call succeeds, NOMEM each time ---- */

static void
test_alloc_failures(void **state)
{
    static const enum cl_status_format fmts[] = {CL_STATUS_JWT, CL_STATUS_CWT};
    struct cl_key *key = NULL;
    struct cl_error err = {0};
    struct cl_arena keep;
    struct cl_bytes tok[2];
    struct mk m;

    (void)state;
    cl_arena_init(&keep, 0, 0, 0);
    check_ok(cl_key_generate(CL_CURVE_P256, &key, &err), &err, "key");
    for (size_t f = 0; f < 2; f++) {
        good(&keep, &m, fmts[f]);
        tok[f] = make_token(&keep, key, &m);
    }
    for (size_t f = 0; f < 2; f++) {
        cl_err rc = CL_ERR_NOMEM;
        unsigned long n;

        for (n = 1; rc == CL_ERR_NOMEM && n < 100000; n++) {
            struct cl_status_trust trust = {0};
            struct cl_status_cache *c = NULL;
            struct cl_arena a;
            unsigned v;

            trust.key = key;
            cl_error_clear(&err);
            cl_arena_init(&a, 0, 0, 0);
            cl_alloc_fail_at(n);
            rc = cl_status_check(&a, tok[f], &trust, URI, 5, NOW, NULL, &v, NULL, &err);
            if (rc == CL_OK)
                rc = cl_status_cache_new(2, &c, &err);
            if (rc == CL_OK)
                rc = cl_status_cache_check(c, tok[f], &trust, URI, 5, NOW, NULL, &v, &err);
            cl_alloc_fail_at(0);
            if (rc != CL_OK && rc != CL_ERR_NOMEM)
                fail_msg("%s, allocation %lu: got %s (%s: %s)", f ? "cwt" : "jwt", n,
                         cl_err_name(rc), err.where, err.msg);
            cl_status_cache_free(c);
            cl_arena_fini(&a);
        }
        assert_int_equal(rc, CL_OK);
        assert_true(n > 10); /* the calls do allocate: the hook was reached */
        print_message("allocation failures survived: %lu\n", n - 2);
    }
    {
        cl_err rc = CL_ERR_NOMEM;
        unsigned long n;

        for (n = 1; rc == CL_ERR_NOMEM && n < 100000; n++) {
            struct cl_status_table *t = NULL, *u = NULL;
            struct cl_status_sign_params sp = {0};
            struct cl_buf file;
            struct cl_bytes out;
            struct cl_arena a;
            uint64_t idx;

            sp.format = n % 2 ? CL_STATUS_JWT : CL_STATUS_CWT;
            sp.uri = URI;
            cl_error_clear(&err);
            cl_arena_init(&a, 0, 0, 0);
            cl_buf_init(&file);
            cl_alloc_fail_at(n);
            rc = cl_status_table_new(2, 1000, &t, &err);
            if (rc == CL_OK)
                rc = cl_status_alloc_index(t, &idx, &err);
            if (rc == CL_OK)
                rc = cl_status_table_save(t, &file, &err);
            if (rc == CL_OK)
                rc = cl_status_table_load(cl_buf_bytes(&file), &u, &err);
            if (rc == CL_OK)
                rc = cl_status_token_sign(&a, u, key, &sp, &out, &err);
            cl_alloc_fail_at(0);
            if (rc != CL_OK && rc != CL_ERR_NOMEM)
                fail_msg("table, allocation %lu: got %s (%s: %s)", n, cl_err_name(rc), err.where,
                         err.msg);
            cl_buf_fini(&file);
            cl_status_table_free(t);
            cl_status_table_free(u);
            cl_arena_fini(&a);
        }
        assert_int_equal(rc, CL_OK);
        assert_true(n > 10); /* the calls do allocate: the hook was reached */
        print_message("allocation failures survived: %lu\n", n - 2);
    }
    cl_key_free(key);
    cl_arena_fini(&keep);
}

static void
test_names(void **state)
{
    unsigned v = 99;

    (void)state;
    assert_string_equal(cl_status_name(0), "VALID");
    assert_string_equal(cl_status_name(1), "INVALID");
    assert_string_equal(cl_status_name(2), "SUSPENDED");
    assert_string_equal(cl_status_name(3), "APPLICATION_SPECIFIC");
    assert_string_equal(cl_status_name(0x0d), "APPLICATION_SPECIFIC");
    assert_string_equal(cl_status_name(7), "RESERVED");
    assert_true(cl_status_parse_value("invalid", &v) && v == 1);
    assert_true(cl_status_parse_value("SUSPENDED", &v) && v == 2);
    assert_true(cl_status_parse_value("255", &v) && v == 255);
    assert_false(cl_status_parse_value("256", &v));
    assert_false(cl_status_parse_value("", &v));
    assert_false(cl_status_parse_value("-1", &v));
    assert_false(cl_status_parse_value("REVOKED", &v));
    assert_int_equal(cl_status_token_format(cl_bytes_str("eyJh.eyJz.c2ln\r\n")), CL_STATUS_JWT);
    assert_int_equal(cl_status_token_format(cl_bytes_str("eyJh.eyJz")), CL_STATUS_CWT);
    assert_int_equal(cl_status_token_format(cl_bytes_str("\xd2\x84\x43")), CL_STATUS_CWT);
    assert_int_equal(cl_status_token_format(cl_bytes_of(NULL, 0)), CL_STATUS_CWT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),          cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_draft_examples), cmocka_unit_test(test_cbor_vectors),
        cmocka_unit_test(test_inflate),        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_no_x5c),
        cmocka_unit_test(test_alloc),          cmocka_unit_test(test_alloc_spread),
        cmocka_unit_test(test_load),           cmocka_unit_test(test_cache),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
