/*
 * test_cbor.c - the cbor module: RFC 8949 appendix A, raw spans, tag 24, dates, lookups,
 * the deterministic encoder, diagnostic notation, rejections and allocation failures.
 */
#include "support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/cbor.h"
#include "cardless/time.h"

struct ctx {
    struct cl_arena a;
    struct cl_error err;
};

static void
ctx_init(struct ctx *c)
{
    cl_arena_init(&c->a, 0, 0, 0);
    memset(&c->err, 0, sizeof c->err);
}

static cl_err
decode_hex(struct ctx *c, const char *hex, const struct cl_cbor_limits *lim,
           const struct cl_cbor **out)
{
    cl_error_clear(&c->err);
    return cl_cbor_decode(&c->a, cl_test_hex(&c->a, hex), lim, out, &c->err);
}

static struct cl_cbor_limits
limits_flags(unsigned flags)
{
    struct cl_cbor_limits l = cl_cbor_limits_default();

    l.flags = flags;
    return l;
}

static const char *
diag_str(struct ctx *c, const struct cl_cbor *item, unsigned flags)
{
    struct cl_buf b;
    const char *s;

    cl_buf_init(&b);
    assert_int_equal(cl_cbor_diag(&b, item, flags, &c->err), CL_OK);
    s = cl_arena_strndup(&c->a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return s;
}

static struct cl_bytes
encode_item(struct ctx *c, const struct cl_cbor *item, unsigned flags)
{
    struct cl_buf b;
    struct cl_bytes out;

    cl_buf_init(&b);
    cl_test_expect("encode", cl_cbor_encode(&b, item, flags, &c->err), CL_OK, &c->err);
    out = cl_arena_copy(&c->a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return out;
}

static void
expect_bytes(struct ctx *c, const char *name, struct cl_bytes got, const char *want_hex)
{
    struct cl_bytes want = cl_test_hex(&c->a, want_hex);

    if (!cl_bytes_eq(got, want))
        fail_msg("%s: got %s, want %s", name, cl_test_tohex(&c->a, got),
                 cl_test_tohex(&c->a, want));
}

/* ---- RFC 8949 appendix A ---- */

/* Rows of appendix A that are well-formed but not deterministic (RFC 8949 §4.2.1). */
static const char *const appendix_a_not_deterministic[] = {
    "fa7f800000",         "fa7fc00000",         "faff800000",
    "fb7ff0000000000000", "fb7ff8000000000000", "fbfff0000000000000",
};

static bool
expect_deterministic(const char *hex, const char *diag)
{
    if (strstr(diag, "_") != NULL) /* indefinite lengths */
        return false;
    for (size_t i = 0; i < CL_ARRAY_LEN(appendix_a_not_deterministic); i++)
        if (strcmp(hex, appendix_a_not_deterministic[i]) == 0)
            return false;
    return true;
}

static void
test_appendix_a(void **state)
{
    struct ctx c;
    struct cl_bytes file;
    char *text, *line, *save = NULL;
    unsigned rows = 0, det = 0;

    (void)state;
    ctx_init(&c);
    file = cl_test_vector(&c.a, "rfc8949/appendix_a.txt");
    text = cl_arena_strndup(&c.a, file);
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        const char *hex, *want_diag;
        struct cl_bytes in;
        const struct cl_cbor *item, *ditem;
        struct cl_cbor_limits detlim = limits_flags(CL_CBOR_REQUIRE_DETERMINISTIC);
        cl_err rc;

        assert_non_null(tab);
        *tab = '\0';
        hex = line;
        want_diag = tab + 1;
        rows++;
        in = cl_test_hex(&c.a, hex);
        cl_test_expect(hex, cl_cbor_decode(&c.a, in, NULL, &item, &c.err), CL_OK, &c.err);
        if (!cl_bytes_eq(item->raw, in) || item->offset != 0)
            fail_msg("%s: raw of the root is not the input", hex);
        /* with raw bytes the encoder gives back exactly what came in */
        expect_bytes(&c, hex, encode_item(&c, item, 0), hex);

        /* the table shows bignums by value; a generic printer shows the tag */
        if (strncmp(hex, "c249", 4) == 0)
            want_diag = "2(h'010000000000000000')";
        else if (strncmp(hex, "c349", 4) == 0)
            want_diag = "3(h'010000000000000000')";
        if (strcmp(diag_str(&c, item, 0), want_diag) != 0)
            fail_msg("%s: diag %s, want %s", hex, diag_str(&c, item, 0), want_diag);

        /* every proper prefix is truncated */
        for (size_t n = 0; n < in.len; n++) {
            const struct cl_cbor *p;
            char name[160];

            snprintf(name, sizeof name, "%s cut at %zu", hex, n);
            cl_error_clear(&c.err);
            cl_test_expect(name, cl_cbor_decode(&c.a, cl_bytes_of(in.ptr, n), NULL, &p, &c.err),
                           CL_ERR_TRUNCATED, &c.err);
            assert_null(p);
        }

        cl_error_clear(&c.err);
        rc = cl_cbor_decode(&c.a, in, &detlim, &ditem, &c.err);
        if (expect_deterministic(hex, want_diag)) {
            cl_test_expect(hex, rc, CL_OK, &c.err);
            /* definite, preferred serialization: re-encoding from the values is identical */
            expect_bytes(&c, hex, encode_item(&c, item, CL_CBOR_ENC_IGNORE_RAW), hex);
            det++;
        } else {
            struct cl_bytes again;

            cl_test_expect(hex, rc, CL_ERR_ENCODING, &c.err);
            /* re-encoding from the values gives a deterministic encoding of the same thing */
            again = encode_item(&c, item, CL_CBOR_ENC_IGNORE_RAW);
            cl_error_clear(&c.err);
            cl_test_expect(hex, cl_cbor_decode(&c.a, again, &detlim, &ditem, &c.err), CL_OK,
                           &c.err);
        }
    }
    assert_int_equal(rows, 81);
    assert_int_equal(det, 81 - 17);
    cl_arena_fini(&c.a);
}

/* ---- raw spans ---- */

static void
test_raw_spans(void **state)
{
    struct ctx c;
    const struct cl_cbor *m, *v, *x;

    (void)state;
    ctx_init(&c);
    assert_int_equal(decode_hex(&c, "a2 6161 01 6162 820203", NULL, &m), CL_OK);
    v = cl_cbor_map_get_text(m, "b");
    assert_non_null(v);
    expect_bytes(&c, "map value", v->raw, "820203");
    assert_int_equal(v->offset, 6);
    expect_bytes(&c, "array item", v->v.array.item[1].raw, "03");
    assert_int_equal(v->v.array.item[1].offset, 8);
    expect_bytes(&c, "map key", m->v.map.pair[1].key.raw, "6162");
    assert_int_equal(m->v.map.pair[1].key.offset, 4);

    /* indefinite and non-minimal encodings keep their exact bytes */
    assert_int_equal(decode_hex(&c, "9f 01 820203 9f 1804 05 ff ff", NULL, &x), CL_OK);
    assert_true(x->indefinite);
    assert_int_equal(x->v.array.n, 3);
    expect_bytes(&c, "indefinite child", x->v.array.item[2].raw, "9f180405ff");
    assert_int_equal(x->v.array.item[2].offset, 5);
    expect_bytes(&c, "non-minimal int", x->v.array.item[2].v.array.item[0].raw, "1804");
    assert_int_equal(x->v.array.item[2].v.array.item[0].v.u, 4);

    /* indefinite strings: contents joined, raw as received */
    assert_int_equal(decode_hex(&c, "82 5f 4101 420203 ff 7f 6161 6162 ff", NULL, &x), CL_OK);
    expect_bytes(&c, "joined bytes", x->v.array.item[0].v.str, "010203");
    expect_bytes(&c, "chunked raw", x->v.array.item[0].raw, "5f4101420203ff");
    assert_true(cl_cbor_is_text(&x->v.array.item[1], "ab"));
    expect_bytes(&c, "chunked text raw", x->v.array.item[1].raw, "7f61616162ff");

    /* tag raw covers head and content */
    assert_int_equal(decode_hex(&c, "81 c1 1a514b67b0", NULL, &x), CL_OK);
    expect_bytes(&c, "tag raw", x->v.array.item[0].raw, "c11a514b67b0");
    expect_bytes(&c, "tagged raw", x->v.array.item[0].v.tag.item->raw, "1a514b67b0");
    assert_int_equal(x->v.array.item[0].v.tag.item->offset, 2);

    /* decode_prefix reads one item of a sequence */
    {
        size_t used = 99;
        struct cl_bytes seq = cl_test_hex(&c.a, "820102 03");

        assert_int_equal(cl_cbor_decode_prefix(&c.a, seq, NULL, &x, &used, &c.err), CL_OK);
        assert_int_equal(used, 3);
        assert_int_equal(decode_hex(&c, "820102 03", NULL, &x), CL_ERR_INPUT);
        assert_string_equal(c.err.where, "offset 3");
    }
    cl_arena_fini(&c.a);
}

/* ---- tag 24 ---- */

static void
test_embedded(void **state)
{
    struct ctx c;
    const struct cl_cbor *outer, *inner;
    struct cl_cbor_limits det = limits_flags(CL_CBOR_REQUIRE_DETERMINISTIC);
    struct cl_cbor *built, *emb;
    /* inner: {2: "b", 1: "a"} with a non-minimal key and unsorted keys: not deterministic */
    const char *outer_hex = "82 00 d818 48 a2 1802 6162 01 6161";

    (void)state;
    ctx_init(&c);
    assert_int_equal(decode_hex(&c, outer_hex, &det, &outer), CL_OK);
    cl_test_expect("embedded",
                   cl_cbor_decode_embedded(&c.a, &outer->v.array.item[1], NULL, &inner, &c.err),
                   CL_OK, &c.err);
    expect_bytes(&c, "embedded raw", inner->raw, "a2 1802 6162 01 6161");
    assert_int_equal(inner->offset, 5);
    assert_true(cl_cbor_is_text(cl_cbor_map_get_int(inner, 2), "b"));
    assert_true(cl_cbor_is_text(cl_cbor_map_get_int(inner, 1), "a"));
    expect_bytes(&c, "outer re-encoded", encode_item(&c, outer, 0), outer_hex);
    /* the embedded item itself is refused under the deterministic flag, naming its offset */
    cl_error_clear(&c.err);
    assert_int_equal(cl_cbor_decode_embedded(&c.a, &outer->v.array.item[1], &det, &inner, &c.err),
                     CL_ERR_ENCODING);
    assert_string_equal(c.err.where, "offset 6");
    assert_null(inner);
    /* not a tag 24 */
    cl_error_clear(&c.err);
    assert_int_equal(cl_cbor_decode_embedded(&c.a, &outer->v.array.item[0], NULL, &inner, &c.err),
                     CL_ERR_INPUT);
    assert_string_equal(diag_str(&c, outer, CL_CBOR_DIAG_EXPAND_EMBEDDED),
                        "[0, 24(<<{2: \"b\", 1: \"a\"}>>)]");
    assert_string_equal(diag_str(&c, outer, 0), "[0, 24(h'a218026162016161')]");

    /* building: the embedded encoding is deterministic */
    built = cl_cbor_new_map(&c.a);
    assert_int_equal(
        cl_cbor_map_put(&c.a, built, cl_cbor_new_cstr(&c.a, "b"), cl_cbor_new_uint(&c.a, 1)),
        CL_OK);
    assert_int_equal(
        cl_cbor_map_put(&c.a, built, cl_cbor_new_cstr(&c.a, "a"), cl_cbor_new_uint(&c.a, 2)),
        CL_OK);
    emb = cl_cbor_new_embedded(&c.a, built);
    assert_non_null(emb);
    expect_bytes(&c, "new_embedded", encode_item(&c, emb, 0), "d818 47 a2 6161 02 6162 01");
    /* an embedded item that is not CBOR shows as bytes */
    assert_int_equal(decode_hex(&c, "d818 41 ff", NULL, &outer), CL_OK);
    assert_string_equal(diag_str(&c, outer, CL_CBOR_DIAG_EXPAND_EMBEDDED), "24(h'ff')");
    cl_arena_fini(&c.a);
}

/* ---- dates ---- */

static void
test_dates(void **state)
{
    static const struct {
        const char *name;
        const char *hex;
        bool tdate;
        int64_t want;
        cl_err rc;
    } rows[] = {
        {"tag 1004 full-date", "d903ec 6a 313939302d30312d3031", false, 7305, CL_OK},
        {"tag 100 days", "d864 191c89", false, 7305, CL_OK},
        {"tag 100 negative days", "d864 20", false, -1, CL_OK},
        {"tag 1004 around an int", "d903ec 01", false, 0, CL_ERR_INPUT},
        {"tag 1004 bad day", "d903ec 6a 313939302d30322d3330", false, 0, CL_ERR_INPUT},
        {"untagged full-date", "6a 313939302d30312d3031", false, 0, CL_ERR_INPUT},
        {"tag 100 out of range", "d864 1b0000000100000000", false, 0, CL_ERR_INPUT},
        {"RFC 8949 tdate", "c074323031332d30332d32315432303a30343a30305a", true, 1363896240, CL_OK},
        {"RFC 8949 epoch", "c11a514b67b0", true, 1363896240, CL_OK},
        {"tag 1 float", "c1fb41d452d9ec200000", true, 0, CL_ERR_INPUT},
        {"tag 0 around an int", "c0 01", true, 0, CL_ERR_INPUT},
        {"tag 0 bad text", "c0 63 616263", true, 0, CL_ERR_INPUT},
        {"tag 1004 as tdate", "d903ec 6a 313939302d30312d3031", true, 0, CL_ERR_INPUT},
    };
    struct ctx c;
    struct cl_buf b;

    (void)state;
    ctx_init(&c);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        const struct cl_cbor *item;
        cl_err rc;
        int64_t got;

        assert_int_equal(decode_hex(&c, rows[i].hex, NULL, &item), CL_OK);
        if (rows[i].tdate) {
            got = 77;
            rc = cl_cbor_get_tdate(item, &got, &c.err);
        } else {
            int32_t d = 77;

            rc = cl_cbor_get_fulldate(item, &d, &c.err);
            got = d;
        }
        cl_test_expect(rows[i].name, rc, rows[i].rc, &c.err);
        if (got != rows[i].want)
            fail_msg("%s: got %lld, want %lld", rows[i].name, (long long)got,
                     (long long)rows[i].want);
    }

    /* writing: RFC 8949's tdate example, and a full-date */
    cl_buf_init(&b);
    cl_cbor_put_tdate(&b, 1363896240);
    cl_cbor_put_fulldate(&b, 7305);
    assert_int_equal(cl_buf_check(&b, "dates", &c.err), CL_OK);
    expect_bytes(&c, "put dates", cl_buf_bytes(&b),
                 "c074323031332d30332d32315432303a30343a30305a d903ec6a313939302d30312d3031");
    cl_buf_fini(&b);
    cl_arena_fini(&c.a);
}

/* ---- lookups ---- */

static void
test_lookups(void **state)
{
    struct ctx c;
    const struct cl_cbor *m, *x;
    int64_t i;
    uint64_t u;
    bool t;

    (void)state;
    ctx_init(&c);
    /* {"a": 1, -1: h'01', 7: true, "n": null, 8: -9223372036854775808} */
    assert_int_equal(
        decode_hex(&c, "a5 6161 01 20 4101 07 f5 616e f6 08 3b7fffffffffffffff", NULL, &m), CL_OK);
    assert_true(cl_cbor_get_int(cl_cbor_map_get_text(m, "a"), &i) && i == 1);
    x = cl_cbor_map_get_int(m, -1);
    assert_non_null(x);
    assert_int_equal(x->type, CL_CBOR_BYTES);
    assert_true(cl_cbor_get_bool(cl_cbor_map_get_int(m, 7), &t) && t);
    assert_true(cl_cbor_is_null(cl_cbor_map_get_text(m, "n")));
    assert_true(cl_cbor_get_int(cl_cbor_map_get_int(m, 8), &i) && i == INT64_MIN);
    assert_null(cl_cbor_map_get_text(m, "b"));
    assert_null(cl_cbor_map_get_text(m, "an"));
    assert_null(cl_cbor_map_get_int(m, 1));
    assert_null(cl_cbor_map_get_int(x, 1));
    assert_null(cl_cbor_map_get_text(NULL, "a"));
    assert_false(cl_cbor_get_bool(x, &t));
    assert_false(cl_cbor_is_null(x));
    assert_false(cl_cbor_is_text(x, "a"));
    assert_null(cl_cbor_untag(x, 24));

    assert_int_equal(decode_hex(&c, "1bffffffffffffffff", NULL, &x), CL_OK);
    assert_false(cl_cbor_get_int(x, &i));
    assert_true(cl_cbor_get_uint(x, &u) && u == UINT64_MAX);
    assert_int_equal(decode_hex(&c, "3b8000000000000000", NULL, &x), CL_OK);
    assert_false(cl_cbor_get_int(x, &i));
    assert_false(cl_cbor_get_uint(x, &u));
    cl_arena_fini(&c.a);
}

/* ---- rejections ---- */

enum { DET = CL_CBOR_REQUIRE_DETERMINISTIC, NOINDEF = CL_CBOR_REJECT_INDEFINITE };

static const struct {
    const char *name;
    const char *hex;
    unsigned flags;
    cl_err want;
    const char *where; /* NULL: not checked */
} bad_rows[] = {
    {"empty input", "", 0, CL_ERR_TRUNCATED, "offset 0"},
    {"reserved ai 28 uint", "1c", 0, CL_ERR_INPUT, "offset 0"},
    {"reserved ai 29 negint", "3d", 0, CL_ERR_INPUT, NULL},
    {"reserved ai 30 bytes", "5e", 0, CL_ERR_INPUT, NULL},
    {"reserved ai 28 text", "7c", 0, CL_ERR_INPUT, NULL},
    {"reserved ai 29 array", "9d", 0, CL_ERR_INPUT, NULL},
    {"reserved ai 30 map", "be", 0, CL_ERR_INPUT, NULL},
    {"reserved ai 28 tag", "dc", 0, CL_ERR_INPUT, NULL},
    {"reserved ai 30 simple", "fe", 0, CL_ERR_INPUT, NULL},
    {"reserved ai inside array", "82 01 1e", 0, CL_ERR_INPUT, "offset 2"},
    {"break alone", "ff", 0, CL_ERR_INPUT, "offset 0"},
    {"break in definite array", "82 01 ff", 0, CL_ERR_INPUT, "offset 2"},
    {"break as tag content", "c1 ff", 0, CL_ERR_INPUT, "offset 1"},
    {"indefinite uint", "1f", 0, CL_ERR_INPUT, NULL},
    {"indefinite negint", "3f", 0, CL_ERR_INPUT, NULL},
    {"indefinite tag", "df 00", 0, CL_ERR_INPUT, NULL},
    {"text chunk in bytes", "5f 6161 ff", 0, CL_ERR_INPUT, "offset 1"},
    {"bytes chunk in text", "7f 4161 ff", 0, CL_ERR_INPUT, "offset 1"},
    {"int chunk in bytes", "5f 01 ff", 0, CL_ERR_INPUT, NULL},
    {"nested indefinite chunk", "5f 5f ff ff", 0, CL_ERR_INPUT, "offset 1"},
    {"simple 0 two-byte", "f8 00", 0, CL_ERR_INPUT, NULL},
    {"simple 24 two-byte (RFC 7049 example)", "f8 18", 0, CL_ERR_INPUT, NULL},
    {"simple 31 two-byte", "f8 1f", 0, CL_ERR_INPUT, NULL},
    {"simple 32 two-byte", "f8 20", 0, CL_OK, NULL},
    {"duplicate int key", "a2 01 02 01 03", 0, CL_ERR_DUPLICATE, "offset 3"},
    {"duplicate text key", "a2 6161 01 6161 02", 0, CL_ERR_DUPLICATE, "offset 4"},
    {"duplicate key, indefinite map", "bf 01 02 01 03 ff", 0, CL_ERR_DUPLICATE, NULL},
    {"duplicate key in a big map", "aa 00f4 01f4 02f4 03f4 04f4 05f4 06f4 07f4 08f4 03f4", 0,
     CL_ERR_DUPLICATE, "offset 19"},
    {"big map, no duplicate", "aa 00f4 01f4 02f4 03f4 04f4 05f4 06f4 07f4 08f4 09f4", 0, CL_OK,
     NULL},
    {"same value, different encodings", "a2 01 02 1801 03", 0, CL_OK, NULL},
    {"duplicate key, deterministic", "a2 01 02 01 03", DET, CL_ERR_DUPLICATE, "offset 3"},
    {"bad UTF-8", "62 c328", 0, CL_ERR_ENCODING, "offset 0"},
    {"UTF-8 surrogate", "63 eda080", 0, CL_ERR_ENCODING, NULL},
    {"UTF-8 overlong", "62 c0af", 0, CL_ERR_ENCODING, NULL},
    {"UTF-8 split over chunks", "7f 61c3 61bc ff", 0, CL_ERR_ENCODING, "offset 1"},
    {"bad UTF-8 as map key", "a1 61ff 00", 0, CL_ERR_ENCODING, "offset 1"},
    {"array of 2^60 items", "9b 1000000000000000", 0, CL_ERR_TRUNCATED, "offset 0"},
    {"map of 2^60 pairs", "bb 1000000000000000 00", 0, CL_ERR_TRUNCATED, NULL},
    {"map of 2^64-1 pairs", "bb ffffffffffffffff", 0, CL_ERR_TRUNCATED, NULL},
    {"bytes of 2^60", "5b 1000000000000000 00", 0, CL_ERR_TRUNCATED, NULL},
    {"text of 2^64-1", "7b ffffffffffffffff", 0, CL_ERR_TRUNCATED, NULL},
    {"array of 2^32-1", "9a ffffffff 00", 0, CL_ERR_TRUNCATED, NULL},
    {"chunk of 2^63", "5f 5b 8000000000000000 ff", 0, CL_ERR_TRUNCATED, NULL},
    {"trailing byte", "00 00", 0, CL_ERR_INPUT, "offset 1"},
    {"trailing break", "80 ff", 0, CL_ERR_INPUT, "offset 1"},
    {"break after map key", "bf 01 ff", 0, CL_ERR_INPUT, "offset 2"},
    {"map of one key", "a1 01", 0, CL_ERR_TRUNCATED, NULL},
    {"uint 23 in 1 byte", "17", DET, CL_OK, NULL},
    {"uint 23 in 2 bytes", "18 17", DET, CL_ERR_ENCODING, "offset 0"},
    {"uint 23 in 2 bytes, not det", "18 17", 0, CL_OK, NULL},
    {"uint 255 in 3 bytes", "19 00ff", DET, CL_ERR_ENCODING, NULL},
    {"uint 65535 in 5 bytes", "1a 0000ffff", DET, CL_ERR_ENCODING, NULL},
    {"uint 2^32-1 in 9 bytes", "1b 00000000ffffffff", DET, CL_ERR_ENCODING, NULL},
    {"negint in 2 bytes", "38 00", DET, CL_ERR_ENCODING, NULL},
    {"bytes length in 2 bytes", "58 01 00", DET, CL_ERR_ENCODING, NULL},
    {"array length in 2 bytes", "98 01 00", DET, CL_ERR_ENCODING, NULL},
    {"tag 1 in 2 bytes", "d8 01 00", DET, CL_ERR_ENCODING, NULL},
    {"nested non-minimal", "82 00 82 00 1800", DET, CL_ERR_ENCODING, "offset 4"},
    {"indefinite array, det", "9f ff", DET, CL_ERR_ENCODING, "offset 0"},
    {"indefinite bytes, det", "5f ff", DET, CL_ERR_ENCODING, NULL},
    {"indefinite map, det", "bf ff", DET, CL_ERR_ENCODING, NULL},
    {"indefinite array refused", "81 9f ff", NOINDEF, CL_ERR_ENCODING, "offset 1"},
    {"indefinite text refused", "7f ff", NOINDEF, CL_ERR_ENCODING, NULL},
    {"definite accepted", "81 80", NOINDEF, CL_OK, NULL},
    {"unsorted keys", "a2 02 00 01 00", DET, CL_ERR_ENCODING, "offset 3"},
    {"unsorted keys, not det", "a2 02 00 01 00", 0, CL_OK, NULL},
    {"text before int key", "a2 6162 00 01 00", DET, CL_ERR_ENCODING, NULL},
    {"bytewise: 1864 before 20", "a2 1864 00 20 00", DET, CL_OK, NULL},
    {"RFC 7049 length-first order", "a2 20 00 1864 00", DET, CL_ERR_ENCODING, "offset 3"},
    {"sorted keys (RFC 8949 4.2.1 order)",
     "a8 0a01 186402 2003 617a04 62616105 81186406 812007 f408", DET, CL_OK, NULL},
    {"1.5 as single", "fa 3fc00000", DET, CL_ERR_ENCODING, "offset 0"},
    {"1.5 as double", "fb 3ff8000000000000", DET, CL_ERR_ENCODING, NULL},
    {"100000.0 as double", "fb 40f86a0000000000", DET, CL_ERR_ENCODING, NULL},
    {"NaN as single", "fa 7fc00000", DET, CL_ERR_ENCODING, NULL},
    {"NaN with payload as half", "f9 7e01", DET, CL_ERR_ENCODING, NULL},
    {"NaN with payload, not det", "f9 7e01", 0, CL_OK, NULL},
    {"negative NaN as half", "f9 fe00", DET, CL_ERR_ENCODING, NULL},
    {"-0.0 half", "f9 8000", DET, CL_OK, NULL},
    {"single subnormal", "fa 00000001", DET, CL_OK, NULL},
    {"half subnormal as single", "fa 33800000", DET, CL_ERR_ENCODING, NULL},
    {"1.1 as double", "fb 3ff199999999999a", DET, CL_OK, NULL},
};

static void
test_rejections(void **state)
{
    struct ctx c;

    (void)state;
    ctx_init(&c);
    for (size_t i = 0; i < CL_ARRAY_LEN(bad_rows); i++) {
        struct cl_cbor_limits lim = limits_flags(bad_rows[i].flags);
        const struct cl_cbor *item = (const struct cl_cbor *)&c; /* poison */

        cl_test_expect(bad_rows[i].name, decode_hex(&c, bad_rows[i].hex, &lim, &item),
                       bad_rows[i].want, &c.err);
        if (bad_rows[i].want != CL_OK && item != NULL)
            fail_msg("%s: output not cleared on failure", bad_rows[i].name);
        if (bad_rows[i].where != NULL && strcmp(c.err.where, bad_rows[i].where) != 0)
            fail_msg("%s: where is \"%s\", want \"%s\" (%s)", bad_rows[i].name, c.err.where,
                     bad_rows[i].where, c.err.msg);
        if (bad_rows[i].want != CL_OK && c.err.msg[0] == '\0')
            fail_msg("%s: no message", bad_rows[i].name);
    }
    cl_arena_fini(&c.a);
}

/* Nesting, item and byte limits; a 100000-deep input fails without deep recursion. */
static void
test_limits(void **state)
{
    struct ctx c;
    const struct cl_cbor *item;
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    size_t deep = 100000;
    uint8_t *buf = malloc(deep + 1);
    static const uint8_t openers[] = {0x81, 0x9f, 0xc1, 0xa1};

    (void)state;
    ctx_init(&c);
    assert_non_null(buf);
    for (size_t k = 0; k < CL_ARRAY_LEN(openers); k++) {
        memset(buf, openers[k], deep);
        buf[deep] = 0x00;
        cl_error_clear(&c.err);
        assert_int_equal(cl_cbor_decode(&c.a, cl_bytes_of(buf, deep + 1), NULL, &item, &c.err),
                         CL_ERR_TOO_LARGE);
        assert_string_equal(c.err.where, "offset 32"); /* the 33rd level */
    }
    /* exactly max_depth levels pass, one more fails */
    memset(buf, 0x81, 32);
    buf[32] = 0x00;
    assert_int_equal(cl_cbor_decode(&c.a, cl_bytes_of(buf, 33), NULL, &item, &c.err), CL_OK);
    lim.max_depth = 31;
    cl_error_clear(&c.err);
    assert_int_equal(cl_cbor_decode(&c.a, cl_bytes_of(buf, 33), &lim, &item, &c.err),
                     CL_ERR_TOO_LARGE);
    free(buf);

    /* items: [1, 2, 3, 4] is five items */
    lim = cl_cbor_limits_default();
    lim.max_items = 5;
    assert_int_equal(decode_hex(&c, "84 01 02 03 04", &lim, &item), CL_OK);
    lim.max_items = 4;
    assert_int_equal(decode_hex(&c, "84 01 02 03 04", &lim, &item), CL_ERR_TOO_LARGE);
    assert_int_equal(decode_hex(&c, "9f 01 02 03 04 ff", &lim, &item), CL_ERR_TOO_LARGE);
    assert_int_equal(decode_hex(&c, "5f 41 01 41 02 41 03 41 04 ff", &lim, &item),
                     CL_ERR_TOO_LARGE);
    /* bytes */
    lim = cl_cbor_limits_default();
    lim.max_bytes = 4;
    assert_int_equal(decode_hex(&c, "83 01 02 03", &lim, &item), CL_OK);
    assert_int_equal(decode_hex(&c, "84 01 02 03 04", &lim, &item), CL_ERR_TOO_LARGE);
    {
        size_t used;
        struct cl_bytes seq = cl_test_hex(&c.a, "83010203 84010203 04");

        assert_int_equal(cl_cbor_decode_prefix(&c.a, seq, &lim, &item, &used, &c.err), CL_OK);
        assert_int_equal(used, 4);
        seq.ptr += 4;
        seq.len -= 4;
        assert_int_equal(cl_cbor_decode_prefix(&c.a, seq, &lim, &item, &used, &c.err),
                         CL_ERR_TOO_LARGE);
        assert_int_equal(used, 0);
    }
    cl_arena_fini(&c.a);
}

/* ---- encoder ---- */

static void
test_put_float(void **state)
{
    static const struct {
        double v;
        const char *hex;
    } rows[] = {
        {0.0, "f90000"},
        {-0.0, "f98000"},
        {1.0, "f93c00"},
        {1.5, "f93e00"},
        {-4.0, "f9c400"},
        {65504.0, "f97bff"},
        {5.960464477539063e-8, "f90001"},
        {0.00006103515625, "f90400"},
        {100000.0, "fa47c35000"},
        {65505.0, "fa477fe100"},
        {3.4028234663852886e+38, "fa7f7fffff"},
        {1.401298464324817e-45, "fa00000001"},
        {1.1, "fb3ff199999999999a"},
        {-4.1, "fbc010666666666666"},
        {1.0e+300, "fb7e37e43c8800759c"},
        {1363896240.5, "fb41d452d9ec200000"},
        {4.9406564584124654e-324, "fb0000000000000001"},
    };
    struct ctx c;
    struct cl_cbor_limits det = limits_flags(CL_CBOR_REQUIRE_DETERMINISTIC);

    (void)state;
    ctx_init(&c);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_buf b;
        const struct cl_cbor *item;

        cl_buf_init(&b);
        cl_cbor_put_float(&b, rows[i].v);
        expect_bytes(&c, rows[i].hex, cl_buf_bytes(&b), rows[i].hex);
        cl_test_expect(rows[i].hex, cl_cbor_decode(&c.a, cl_buf_bytes(&b), &det, &item, &c.err),
                       CL_OK, &c.err);
        assert_true(item->v.f == rows[i].v);
        assert_int_equal(signbit(item->v.f) != 0, signbit(rows[i].v) != 0);
        cl_buf_fini(&b);
    }
    {
        struct cl_buf b;

        cl_buf_init(&b);
        cl_cbor_put_float(&b, NAN);
        cl_cbor_put_float(&b, -NAN);
        cl_cbor_put_float(&b, INFINITY);
        cl_cbor_put_float(&b, -INFINITY);
        expect_bytes(&c, "specials", cl_buf_bytes(&b), "f97e00 f97e00 f97c00 f9fc00");
        cl_buf_fini(&b);
    }
    cl_arena_fini(&c.a);
}

static void
test_put_stream(void **state)
{
    struct ctx c;
    struct cl_buf b;

    (void)state;
    ctx_init(&c);
    cl_buf_init(&b);
    cl_cbor_put_array(&b, 13);
    cl_cbor_put_uint(&b, 0);
    cl_cbor_put_uint(&b, 24);
    cl_cbor_put_uint(&b, UINT64_MAX);
    cl_cbor_put_int(&b, -1);
    cl_cbor_put_int(&b, -1000);
    cl_cbor_put_int(&b, INT64_MIN);
    cl_cbor_put_bytes(&b, cl_bytes_of("\x01\x02", 2));
    cl_cbor_put_cstr(&b, "IETF");
    cl_cbor_put_map(&b, 0);
    cl_cbor_put_tag(&b, 1004);
    cl_cbor_put_bool(&b, true);
    cl_cbor_put_null(&b);
    cl_cbor_put_undefined(&b);
    cl_cbor_put_raw(&b, cl_bytes_of("\xf5", 1));
    assert_int_equal(cl_buf_check(&b, "stream", &c.err), CL_OK);
    expect_bytes(&c, "stream", cl_buf_bytes(&b),
                 "8d 00 1818 1bffffffffffffffff 20 3903e7 3b7fffffffffffffff 420102 6449455446 "
                 "a0 d903ec f5 f6 f7 f5");
    cl_buf_fini(&b);
    cl_arena_fini(&c.a);
}

static void
test_encode_trees(void **state)
{
    struct ctx c;
    struct cl_arena *a;
    struct cl_cbor *m, *arr, *k100, *km1, *dup;
    const struct cl_cbor *dec;
    struct cl_buf b;

    (void)state;
    ctx_init(&c);
    a = &c.a;
    /* RFC 8949 §4.2.1: keys sorted by their encodings, whatever order they were put in */
    m = cl_cbor_new_map(a);
    k100 = cl_cbor_new_array(a);
    assert_int_equal(cl_cbor_array_push(a, k100, cl_cbor_new_uint(a, 100)), CL_OK);
    km1 = cl_cbor_new_array(a);
    assert_int_equal(cl_cbor_array_push(a, km1, cl_cbor_new_int(a, -1)), CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, cl_cbor_new_bool(a, false), cl_cbor_new_uint(a, 8)),
                     CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, km1, cl_cbor_new_uint(a, 7)), CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, k100, cl_cbor_new_uint(a, 6)), CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, cl_cbor_new_cstr(a, "aa"), cl_cbor_new_uint(a, 5)),
                     CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, cl_cbor_new_cstr(a, "z"), cl_cbor_new_uint(a, 4)),
                     CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, cl_cbor_new_int(a, -1), cl_cbor_new_uint(a, 3)), CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, cl_cbor_new_uint(a, 100), cl_cbor_new_uint(a, 2)),
                     CL_OK);
    assert_int_equal(cl_cbor_map_put(a, m, cl_cbor_new_int(a, 10), cl_cbor_new_uint(a, 1)), CL_OK);
    expect_bytes(&c, "sorted map", encode_item(&c, m, 0),
                 "a8 0a01 186402 2003 617a04 62616105 81186406 812007 f408");
    assert_string_equal(diag_str(&c, m, 0),
                        "{false: 8, [-1]: 7, [100]: 6, \"aa\": 5, \"z\": 4, -1: 3, 100: 2, 10: 1}");

    /* duplicate keys in a built map */
    dup = cl_cbor_new_map(a);
    assert_int_equal(cl_cbor_map_put(a, dup, cl_cbor_new_uint(a, 1), cl_cbor_new_null(a)), CL_OK);
    assert_int_equal(cl_cbor_map_put(a, dup, cl_cbor_new_uint(a, 1), cl_cbor_new_null(a)), CL_OK);
    cl_buf_init(&b);
    cl_cbor_put_array(&b, 1);
    assert_int_equal(cl_cbor_encode(&b, dup, 0, &c.err), CL_ERR_DUPLICATE);
    assert_int_equal(b.len, 1); /* the partial item is dropped */
    cl_buf_fini(&b);

    /* decoded items inside a built one: raw copied, or re-encoded under IGNORE_RAW */
    assert_int_equal(decode_hex(&c, "bf 1801 f94000 61 61 5f 4101 ff ff", NULL, &dec), CL_OK);
    arr = cl_cbor_new_array(a);
    assert_int_equal(cl_cbor_array_push(a, arr, dec), CL_OK);
    assert_int_equal(cl_cbor_array_push(a, arr, cl_cbor_new_raw(a, cl_test_hex(a, "1801"))), CL_OK);
    assert_int_equal(cl_cbor_array_push(a, arr, cl_cbor_new_float(a, 2.0)), CL_OK);
    assert_int_equal(cl_cbor_array_push(a, arr, cl_cbor_new_bytes(a, cl_bytes_of("", 0))), CL_OK);
    assert_int_equal(cl_cbor_array_push(a, arr, cl_cbor_new_text(a, cl_bytes_of("x", 1))), CL_OK);
    assert_int_equal(
        cl_cbor_array_push(a, arr, cl_cbor_new_tag(a, 1, cl_cbor_new_int(a, INT64_MIN))), CL_OK);
    expect_bytes(&c, "raw kept", encode_item(&c, arr, 0),
                 "86 bf1801f9400061615f4101ffff 1801 f94000 40 6178 c13b7fffffffffffffff");
    expect_bytes(&c, "raw ignored", encode_item(&c, arr, CL_CBOR_ENC_IGNORE_RAW),
                 "86 a2 01f94000 616141 01 1801 f94000 40 6178 c13b7fffffffffffffff");
    assert_string_equal(diag_str(&c, arr, 0), "[{_ 1: 2.0, \"a\": (_ h'01')}, 1, 2.0, h'', \"x\", "
                                              "1(-9223372036854775808)]");
    /* built containers refuse items from a failed constructor */
    assert_int_equal(cl_cbor_array_push(a, arr, NULL), CL_ERR_USAGE);
    assert_int_equal(cl_cbor_map_put(a, m, NULL, m), CL_ERR_USAGE);
    assert_int_equal(cl_cbor_array_push(a, m, arr), CL_ERR_USAGE);
    cl_arena_fini(&c.a);
}

/* ---- diagnostic notation beyond appendix A ---- */

static void
test_diag(void **state)
{
    static const struct {
        const char *hex;
        unsigned flags;
        const char *want;
    } rows[] = {
        {"5fff", 0, "''_"},
        {"7fff", 0, "\"\"_"},
        {"bfff", 0, "{_ }"},
        {"64 0a09221f", 0, "\"\\n\\t\\\"\\u001f\""},
        {"3bfffffffffffffffe", 0, "-18446744073709551615"},
        {"f8 20", 0, "simple(32)"},
        {"e0", 0, "simple(0)"},
        {"fb 3fb999999999999a", 0, "0.1"},
        {"fb 4415af1d78b58c40", 0, "100000000000000000000.0"},
        {"fb 444b1ae4d6e2ef50", 0, "1.0e+21"},
        {"fa 3eaaaaab", 0, "0.3333333432674408"},
        {"fb 3eb0c6f7a0b5ed8d", 0, "0.000001"},
        {"fb 3e7ad7f29abcaf48", 0, "1.0e-7"},
        {"fb c1d452d9ec200000", 0, "-1363896240.5"},
        {"a2 01 82 02 03 61 61 a0", CL_CBOR_DIAG_PRETTY,
         "{\n  1: [\n    2,\n    3\n  ],\n  \"a\": {}\n}"},
        {"d818 44 d818 41 00", CL_CBOR_DIAG_EXPAND_EMBEDDED, "24(<<24(<<0>>)>>)"},
    };
    struct ctx c;

    (void)state;
    ctx_init(&c);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        const struct cl_cbor *item;
        const char *got;

        cl_test_expect(rows[i].hex, decode_hex(&c, rows[i].hex, NULL, &item), CL_OK, &c.err);
        got = diag_str(&c, item, rows[i].flags);
        if (strcmp(got, rows[i].want) != 0)
            fail_msg("%s: diag %s, want %s", rows[i].hex, got, rows[i].want);
    }
    cl_arena_fini(&c.a);
}

/* ---- allocation failure at every allocation index ---- */

static void
test_alloc_failures(void **state)
{
    /* indefinite containers that grow, a map big enough to be sorted for duplicates, chunked
     * strings, tags, 20 levels of nesting (the stack grows past its first 16 frames) */
    static const char doc_hex[] = "a3 6161 9f 01 02 03 04 05 06 07 08 09 ff"
                                  "   6162 aa 00f4 01f4 02f4 03f4 04f4 05f4 06f4 07f4 08f4 09f4"
                                  "   6163 83 5f 4101 4102 ff 7f 6161 6162 ff"
                                  "        818181818181818181818181818181818181 c1 d818 42 8100";
    struct cl_arena tmp;
    struct cl_bytes doc;
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    unsigned long n;

    (void)state;
    cl_arena_init(&tmp, 0, 0, 0);
    doc = cl_test_hex(&tmp, doc_hex);
    for (n = 1;; n++) {
        struct cl_arena a;
        struct cl_error err = {0};
        const struct cl_cbor *item;
        struct cl_buf b;
        cl_err rc;

        cl_arena_init(&a, 64, 0, 0);
        cl_buf_init(&b);
        cl_alloc_fail_at(n);
        rc = cl_cbor_decode(&a, doc, &lim, &item, &err);
        if (rc == CL_OK)
            rc = cl_cbor_encode(&b, item, CL_CBOR_ENC_IGNORE_RAW, &err);
        if (rc == CL_OK)
            rc = cl_cbor_diag(&b, item, CL_CBOR_DIAG_EXPAND_EMBEDDED, &err);
        cl_alloc_fail_at(0);
        cl_buf_fini(&b);
        cl_arena_fini(&a);
        if (rc == CL_OK)
            break;
        if (rc != CL_ERR_NOMEM)
            fail_msg("allocation %lu: got %s, want nomem (%s: %s)", n, cl_err_name(rc), err.where,
                     err.msg);
        assert_true(n < 10000);
    }
    assert_true(n > 10); /* the loop did fail allocations along the way */
    cl_arena_fini(&tmp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appendix_a), cmocka_unit_test(test_raw_spans),
        cmocka_unit_test(test_embedded),   cmocka_unit_test(test_dates),
        cmocka_unit_test(test_lookups),    cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_limits),     cmocka_unit_test(test_put_float),
        cmocka_unit_test(test_put_stream), cmocka_unit_test(test_encode_trees),
        cmocka_unit_test(test_diag),       cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
