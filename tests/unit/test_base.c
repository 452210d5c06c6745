/* test_base.c - base: buffers, arena, errors, base64url/base64/hex, UTF-8, dates. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/time.h"

/* ---- RFC 4648 §10 vectors, from tests/vectors/rfc4648/vectors.tsv ---- */

static void
test_rfc4648_vectors(void **state)
{
    struct cl_arena a;
    struct cl_bytes file;
    const char *p, *end;
    int rows = 0;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    file = cl_test_vector(&a, "rfc4648/vectors.tsv");
    p = (const char *)file.ptr;
    end = p + file.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *t1, *t2;
        struct cl_bytes in, b64, b16, url;
        struct cl_buf out;
        struct cl_error err = {0};
        size_t ulen;

        if (nl == NULL)
            nl = end;
        if (*p == '#') {
            p = nl + 1;
            continue;
        }
        t1 = memchr(p, '\t', (size_t)(nl - p));
        assert_non_null(t1);
        t2 = memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1));
        assert_non_null(t2);
        in = cl_bytes_of(p, (size_t)(t1 - p));
        b64 = cl_bytes_of(t1 + 1, (size_t)(t2 - t1 - 1));
        b16 = cl_bytes_of(t2 + 1, (size_t)(nl - t2 - 1));
        ulen = b64.len;
        while (ulen > 0 && b64.ptr[ulen - 1] == '=')
            ulen--;
        url = cl_bytes_of(b64.ptr, ulen);

        cl_buf_init(&out);
        cl_b64_encode(&out, in);
        assert_true(cl_bytes_eq(cl_buf_bytes(&out), b64));
        cl_buf_reset(&out);
        cl_b64url_encode(&out, in);
        assert_true(cl_bytes_eq(cl_buf_bytes(&out), url));
        assert_int_equal(cl_b64url_encoded_len(in.len), url.len);
        cl_buf_reset(&out);
        cl_test_expect("b64url decode", cl_b64url_decode(&out, url, &err), CL_OK, &err);
        assert_true(cl_bytes_eq(cl_buf_bytes(&out), in));
        cl_buf_reset(&out);
        cl_test_expect("b64 decode", cl_b64_decode(&out, b64, false, &err), CL_OK, &err);
        assert_true(cl_bytes_eq(cl_buf_bytes(&out), in));
        cl_buf_reset(&out);
        cl_test_expect("hex decode", cl_hex_decode(&out, b16, false, &err), CL_OK, &err);
        assert_true(cl_bytes_eq(cl_buf_bytes(&out), in));
        cl_buf_reset(&out);
        cl_hex_encode(&out, in);
        assert_int_equal(out.len, b16.len);
        for (size_t i = 0; i < out.len; i++) /* we write lower case; RFC shows upper */
            assert_int_equal(out.ptr[i], (uint8_t)(b16.ptr[i] | (b16.ptr[i] >= 'A' ? 0x20 : 0)));
        cl_buf_fini(&out);
        rows++;
        p = nl + 1;
    }
    assert_int_equal(rows, 7);
    cl_arena_fini(&a);
}

/* ---- strict base64url ---- */

static const struct {
    const char *name;
    const char *in;
    cl_err want;
    const char *where; /* expected err.where, or NULL */
} b64url_cases[] = {
    {"empty", "", CL_OK, NULL},
    {"two chars", "Zg", CL_OK, NULL},
    {"url alphabet", "-_8", CL_OK, NULL},
    {"padding refused", "Zg==", CL_ERR_ENCODING, "offset 2"},
    {"one padding char refused", "Zm8=", CL_ERR_ENCODING, "offset 3"},
    {"space refused", "Zm 9v", CL_ERR_ENCODING, "offset 2"},
    {"newline refused", "Zm9v\n", CL_ERR_ENCODING, "offset 4"},
    {"plus is base64 not url", "ab+c", CL_ERR_ENCODING, "offset 2"},
    {"slash is base64 not url", "ab/c", CL_ERR_ENCODING, "offset 2"},
    {"length 1 mod 4", "Zm9vY", CL_ERR_ENCODING, NULL},
    {"non-zero trailing bits, 2 chars", "Zh", CL_ERR_ENCODING, NULL},
    {"non-zero trailing bits, 3 chars", "Zm9", CL_ERR_ENCODING, NULL},
    {"canonical 3 chars", "Zm8", CL_OK, NULL},
    {"NUL byte", "Zg\0v", CL_OK, NULL}, /* strlen stops at the NUL: "Zg" is valid */
    {"high byte", "Zm\xc3\xa9", CL_ERR_ENCODING, "offset 2"},
};

static void
test_b64url_strict(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(b64url_cases); i++) {
        struct cl_buf out;
        struct cl_error err = {0};
        cl_err got;

        cl_buf_init(&out);
        out.len = 0;
        got = cl_b64url_decode(&out, cl_bytes_str(b64url_cases[i].in), &err);
        cl_test_expect(b64url_cases[i].name, got, b64url_cases[i].want, &err);
        if (got != CL_OK) {
            assert_int_equal(out.len, 0); /* nothing half-decoded is left behind */
            assert_true(err.msg[0] != '\0');
        }
        if (b64url_cases[i].where != NULL && strcmp(err.where, b64url_cases[i].where) != 0)
            fail_msg("%s: where is '%s', want '%s'", b64url_cases[i].name, err.where,
                     b64url_cases[i].where);
        /* the arena decoder's fast path answers exactly as the strict decoder */
        {
            struct cl_arena a;
            struct cl_bytes got_a;
            struct cl_error err_a = {0};

            cl_arena_init(&a, 0, 0, 0);
            assert_int_equal(
                cl_b64url_decode_arena(&a, cl_bytes_str(b64url_cases[i].in), &got_a, &err_a), got);
            if (got == CL_OK)
                assert_true(cl_bytes_eq(got_a, cl_buf_bytes(&out)));
            else
                assert_string_equal(err_a.where, err.where);
            cl_arena_fini(&a);
        }
        cl_buf_fini(&out);
    }
}

static const struct {
    const char *name;
    const char *in;
    bool skip_space;
    cl_err want;
} b64_cases[] = {
    {"padded", "Zm9vYg==", false, CL_OK},
    {"missing padding", "Zm9vYg", false, CL_ERR_ENCODING},
    {"too much padding", "Zm9vY===", false, CL_ERR_ENCODING},
    {"data after padding", "Zg==Zg==", false, CL_ERR_ENCODING},
    {"pem lines", "Zm9v\nYmFy\n", true, CL_OK},
    {"space when not allowed", "Zm9v YmFy", false, CL_ERR_ENCODING},
    {"url alphabet refused", "-_8=", false, CL_ERR_ENCODING},
    {"non-canonical", "Zh==", false, CL_ERR_ENCODING},
};

static void
test_b64_standard(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(b64_cases); i++) {
        struct cl_buf out;
        struct cl_error err = {0};

        cl_buf_init(&out);
        cl_test_expect(
            b64_cases[i].name,
            cl_b64_decode(&out, cl_bytes_str(b64_cases[i].in), b64_cases[i].skip_space, &err),
            b64_cases[i].want, &err);
        cl_buf_fini(&out);
    }
}

static void
test_b64url_roundtrip_all_lengths(void **state)
{
    uint8_t data[70];
    struct cl_arena a;

    (void)state;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 11);
    cl_arena_init(&a, 0, 0, 0);
    for (size_t n = 0; n <= sizeof data; n++) {
        char *s = cl_b64url_encode_arena(&a, cl_bytes_of(data, n));
        struct cl_bytes back;
        struct cl_error err = {0};

        assert_non_null(s);
        assert_int_equal(strlen(s), cl_b64url_encoded_len(n));
        cl_test_expect("roundtrip", cl_b64url_decode_arena(&a, cl_bytes_str(s), &back, &err), CL_OK,
                       &err);
        assert_true(cl_bytes_eq(back, cl_bytes_of(data, n)));
    }
    cl_arena_fini(&a);
}

/* ---- hex ---- */

static const struct {
    const char *name;
    const char *in;
    bool skip_space;
    cl_err want;
    const char *bytes_hex; /* canonical form of the expected output */
} hex_cases[] = {
    {"lower", "a264", false, CL_OK, "a264"},
    {"upper", "A264", false, CL_OK, "a264"},
    {"spaced row", "a2 64 6269 7473\n01", true, CL_OK, "a264626974730 1"},
    {"odd digits", "a26", false, CL_ERR_ENCODING, NULL},
    {"bad digit", "a2g4", false, CL_ERR_ENCODING, NULL},
    {"space not allowed", "a2 64", false, CL_ERR_ENCODING, NULL},
};

static void
test_hex(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(hex_cases); i++) {
        struct cl_buf out, want;
        struct cl_error err = {0};
        cl_err got;

        cl_buf_init(&out);
        cl_buf_init(&want);
        got = cl_hex_decode(&out, cl_bytes_str(hex_cases[i].in), hex_cases[i].skip_space, &err);
        cl_test_expect(hex_cases[i].name, got, hex_cases[i].want, &err);
        if (hex_cases[i].bytes_hex != NULL) {
            assert_int_equal(cl_hex_decode(&want, cl_bytes_str(hex_cases[i].bytes_hex), true, &err),
                             CL_OK);
            assert_true(cl_bytes_eq(cl_buf_bytes(&out), cl_buf_bytes(&want)));
        }
        cl_buf_fini(&out);
        cl_buf_fini(&want);
    }
}

/* ---- UTF-8 ---- */

static const struct {
    const char *name;
    const char *s;
    bool valid;
} utf8_cases[] = {
    {"ascii", "hello", true},
    {"korean", "\xed\x99\x8d\xea\xb8\xb8\xeb\x8f\x99", true}, /* 홍길동 */
    {"4-byte", "\xf0\x9f\x98\x80", true},
    {"overlong slash", "\xc0\xaf", false},
    {"overlong 3-byte", "\xe0\x80\xaf", false},
    {"surrogate", "\xed\xa0\x80", false},
    {"above U+10FFFF", "\xf4\x90\x80\x80", false},
    {"truncated", "\xe1\x80", false},
    {"bare continuation", "\x80", false},
    {"5-byte form", "\xf8\x88\x80\x80\x80", false},
};

static void
test_utf8(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(utf8_cases); i++)
        if (cl_utf8_valid(cl_bytes_str(utf8_cases[i].s)) != utf8_cases[i].valid)
            fail_msg("%s: want %s", utf8_cases[i].name, utf8_cases[i].valid ? "valid" : "invalid");
}

/* ---- dates ---- */

static const struct {
    const char *name;
    const char *s;
    cl_err want;
    int32_t days;
} date_cases[] = {
    {"epoch", "1970-01-01", CL_OK, 0},
    {"day before epoch", "1969-12-31", CL_OK, -1},
    {"leap day 2024", "2024-02-29", CL_OK, 19782},
    {"y2k", "2000-01-01", CL_OK, 10957},
    {"2026-11-27", "2026-11-27", CL_OK, 20784},
    {"not a leap year", "2025-02-29", CL_ERR_INPUT, 0},
    {"1900 not leap", "1900-02-29", CL_ERR_INPUT, 0},
    {"2000 leap", "2000-02-29", CL_OK, 11016},
    {"month 13", "2024-13-01", CL_ERR_INPUT, 0},
    {"day 0", "2024-01-00", CL_ERR_INPUT, 0},
    {"slashes", "2024/01/01", CL_ERR_INPUT, 0},
    {"short", "2024-1-01", CL_ERR_INPUT, 0},
    {"trailing", "2024-01-011", CL_ERR_INPUT, 0},
    {"sign", "+024-01-01", CL_ERR_INPUT, 0},
};

static void
test_dates(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(date_cases); i++) {
        struct cl_error err = {0};
        int32_t d = 12345;
        cl_err got = cl_date_parse(cl_bytes_str(date_cases[i].s), &d, &err);

        cl_test_expect(date_cases[i].name, got, date_cases[i].want, &err);
        if (got == CL_OK) {
            char back[11];

            if (d != date_cases[i].days)
                fail_msg("%s: got day %d, want %d", date_cases[i].name, (int)d,
                         (int)date_cases[i].days);
            cl_date_format(d, back);
            assert_string_equal(back, date_cases[i].s);
        } else {
            assert_int_equal(d, 12345); /* output untouched on failure */
        }
    }
    /* every day from 1900 to 2100 survives the civil round trip */
    for (int32_t d = cl_days_from_civil(1900, 1, 1); d <= cl_days_from_civil(2100, 12, 31); d++) {
        int32_t y;
        unsigned m, dd;

        cl_civil_from_days(d, &y, &m, &dd);
        assert_true(cl_civil_valid(y, m, dd));
        assert_int_equal(cl_days_from_civil(y, m, dd), d);
    }
}

static const struct {
    const char *name;
    const char *s;
    cl_err want;
    int64_t secs;
} rfc3339_cases[] = {
    {"utc", "2024-01-01T00:00:00Z", CL_OK, 1704067200},
    {"lower t z", "2024-01-01t00:00:00z", CL_OK, 1704067200},
    {"fraction", "2024-01-01T00:00:00.123456789Z", CL_OK, 1704067200},
    {"offset plus", "2024-01-01T09:00:00+09:00", CL_OK, 1704067200},
    {"offset minus", "2023-12-31T19:00:00-05:00", CL_OK, 1704067200},
    {"leap second", "2016-12-31T23:59:60Z", CL_OK, 1483228799},
    {"annex d signed", "2020-10-01T13:30:02Z", CL_OK, 1601559002},
    {"no offset", "2024-01-01T00:00:00", CL_ERR_INPUT, 0},
    {"space separator", "2024-01-01 00:00:00Z", CL_ERR_INPUT, 0},
    {"hour 24", "2024-01-01T24:00:00Z", CL_ERR_INPUT, 0},
    {"empty fraction", "2024-01-01T00:00:00.Z", CL_ERR_INPUT, 0},
    {"bad offset", "2024-01-01T00:00:00+0900", CL_ERR_INPUT, 0},
    {"date only", "2024-01-01", CL_ERR_INPUT, 0},
    {"feb 30", "2024-02-30T00:00:00Z", CL_ERR_INPUT, 0},
};

static void
test_rfc3339(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(rfc3339_cases); i++) {
        struct cl_error err = {0};
        int64_t secs = 0;
        cl_err got = cl_rfc3339_parse(cl_bytes_str(rfc3339_cases[i].s), &secs, NULL, &err);

        cl_test_expect(rfc3339_cases[i].name, got, rfc3339_cases[i].want, &err);
        if (got == CL_OK && secs != rfc3339_cases[i].secs)
            fail_msg("%s: got %lld, want %lld", rfc3339_cases[i].name, (long long)secs,
                     (long long)rfc3339_cases[i].secs);
    }
    {
        char out[21];

        cl_rfc3339_format(1601559002, out);
        assert_string_equal(out, "2020-10-01T13:30:02Z");
        cl_rfc3339_format(-1, out);
        assert_string_equal(out, "1969-12-31T23:59:59Z");
    }
}

/* ---- buffers, arena, errors ---- */

static void
test_buf_latches(void **state)
{
    struct cl_buf b;
    struct cl_error err = {0};
    size_t len;
    uint8_t *p;

    (void)state;
    cl_buf_init_ex(&b, 8, true);
    cl_buf_append_str(&b, "abcdef");
    cl_buf_append_str(&b, "ghi"); /* over the limit: latches */
    cl_buf_append_str(&b, "j");   /* no-op */
    assert_int_equal(b.len, 6);
    assert_int_equal(cl_buf_check(&b, "test", &err), CL_ERR_TOO_LARGE);
    assert_null(cl_buf_take(&b, &len));
    assert_int_equal(len, 0);
    cl_buf_reset(&b);
    cl_buf_printf(&b, "%d-%s", 42, "x");
    p = cl_buf_take(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 4);
    assert_string_equal((char *)p, "42-x");
    cl_free(p);
    cl_buf_fini(&b);
    cl_buf_fini(&b); /* safe twice */
}

static void
test_arena(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    char *big;

    (void)state;
    cl_arena_init(&a, 256, 4096, CL_ARENA_SECRET);
    for (int i = 0; i < 20; i++) {
        char *s = cl_arena_printf(&a, "item %d", i);

        assert_non_null(s);
        assert_int_equal(((uintptr_t)s) % 16, 0);
    }
    big = cl_arena_alloc(&a, 1000); /* a one-off chunk */
    assert_non_null(big);
    memset(big, 1, 1000);
    assert_null(cl_arena_alloc(&a, 8000)); /* over the limit */
    assert_int_equal(cl_arena_check(&a, "arena", &err), CL_ERR_TOO_LARGE);
    assert_null(cl_arena_calloc(&a, SIZE_MAX / 2, 4));
    cl_arena_fini(&a);
    cl_arena_fini(&a);
}

static int deferred_runs;

static void
count_defer(void *p)
{
    deferred_runs += *(int *)p;
}

static void
test_arena_defer_order_and_nomem(void **state)
{
    struct cl_arena a;
    int one = 1, ten = 10;

    (void)state;
    deferred_runs = 0;
    cl_arena_init(&a, 0, 0, 0);
    assert_int_equal(cl_arena_defer(&a, count_defer, &one), CL_OK);
    assert_int_equal(cl_arena_defer(&a, count_defer, &ten), CL_OK);
    cl_arena_fini(&a);
    assert_int_equal(deferred_runs, 11);

    /* allocation failure: every allocation index fails cleanly, none leaks */
    for (unsigned long n = 1;; n++) {
        char *s;

        cl_arena_init(&a, 64, 0, 0);
        cl_alloc_fail_at(n);
        s = cl_arena_strdup(&a, "a string that needs a chunk");
        if (s != NULL) {
            s = cl_arena_printf(&a, "%s and %0200d", s, 7);
        }
        cl_alloc_fail_at(0);
        if (s != NULL) {
            cl_arena_fini(&a);
            break;
        }
        assert_int_equal(a.err, CL_ERR_NOMEM);
        cl_arena_fini(&a);
        assert_true(n < 10);
    }
}

static void
test_errors(void **state)
{
    struct cl_error err = {0};
    char line[256];

    (void)state;
    assert_int_equal(cl_fail(&err, CL_ERR_SIGNATURE, "signature", "does not verify"),
                     CL_ERR_SIGNATURE);
    assert_int_equal(cl_fail(&err, CL_ERR_INPUT, "other", "second failure"), CL_ERR_INPUT);
    assert_int_equal(err.code, CL_ERR_SIGNATURE); /* the first failure wins */
    cl_error_nest(&err, "documents[0]");
    assert_string_equal(err.where, "documents[0].signature");
    assert_string_equal(cl_error_str(&err, line, sizeof line),
                        "documents[0].signature: does not verify");
    assert_int_equal(cl_fail(NULL, CL_ERR_IO, NULL, "x"), CL_ERR_IO);
    assert_string_equal(cl_err_name(CL_ERR_EXPIRED), "expired");
    assert_string_equal(cl_err_name(9999), "unknown");
    assert_int_equal(cl_err_exit_code(CL_OK), 0);
    assert_int_equal(cl_err_exit_code(CL_ERR_DIGEST), 1);
    assert_int_equal(cl_err_exit_code(CL_ERR_TRUNCATED), 1);
    assert_int_equal(cl_err_exit_code(CL_ERR_IO), 2);
    assert_int_equal(cl_err_exit_code(CL_ERR_NOMEM), 2);
    cl_error_clear(&err);
    assert_int_equal(err.code, CL_OK);
}

static void
test_files(void **state)
{
    char path[] = "/tmp/cl_test_base_XXXXXX";
    struct cl_buf b;
    struct cl_error err = {0};
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(cl_file_write(path, cl_bytes_str("secret key"), 0600, &err), CL_OK);
    cl_buf_init(&b);
    assert_int_equal(cl_file_read(path, 100, &b, &err), CL_OK);
    assert_true(cl_bytes_eq_str(cl_buf_bytes(&b), "secret key"));
    cl_buf_reset(&b);
    assert_int_equal(cl_file_read(path, 4, &b, &err), CL_ERR_TOO_LARGE);
    cl_error_clear(&err);
    assert_int_equal(cl_file_read("/nonexistent/x", 4, &b, &err), CL_ERR_IO);
    cl_buf_fini(&b);
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors),
        cmocka_unit_test(test_b64url_strict),
        cmocka_unit_test(test_b64_standard),
        cmocka_unit_test(test_b64url_roundtrip_all_lengths),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_buf_latches),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_arena_defer_order_and_nomem),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_files),
    };

    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
