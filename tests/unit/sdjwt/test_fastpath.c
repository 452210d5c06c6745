/* test_fastpath.c - the verifier's fast paths agree with the general strict decoders: each
 * disclosure row is parsed by cl_sdjwt_parse (fast path for common disclosures) and by
 * cl_jose_json_parse plus the RFC 9901 §7.1 step 3.c.ii shape rules (the reference); base64url
 * texts are decoded by cl_b64url_decode_arena (fast path) and cl_b64url_decode (reference);
 * JSON texts by cl_jose_json_parse (fast path) and json_loadb (reference); flat objects by
 * cl_jose_json_flat (the KB-JWT's fast path) and cl_jose_json_parse. The KB-JWT fast path
 * itself is compared with the general one on every row of test_verify.c. */
#include "support.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/jose.h"
#include "cardless/sdjwt.h"

/* The disclosure's array as the issuer wrote it: [salt, name, value] or [salt, value]. */
static json_t *
disclosure_array(const struct cl_sdjwt_disclosure *d)
{
    return d->name != NULL ? json_pack("[s,s,O]", d->salt, d->name, d->value)
                           : json_pack("[s,O]", d->salt, d->value);
}

static const char *const disclosures[] = {
    "[\"salt\",\"name\",\"value\"]",
    "[ \"salt\" ,\n\"name\" ,\t\"value\" ]\r\n",
    " [\"salt\",\"name\",\"value\"]",
    "[\"salt\",\"value\"]",
    "[\"salt\",\"이름\",\"서울특별시 종로구\"]",
    "[\"s\",\"n\",\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\te\"]",
    "[\"s\\\\\",\"n\\\"\",\"\"]",
    "[\"s\",\"n\",\"\\u00e9\"]",
    "[\"s\",\"n\",\"\\ud83d\\ude00\"]",
    "[\"s\",\"n\",\"\\u0000\"]",
    "[\"s\",\"n\",\"\\ud800\"]",
    "[\"s\",\"n\",\"\\x\"]",
    "[\"s\",\"n\",\"v\\",
    "[\"s\",\"n\",\"\xc3\x28\"]",
    "[\"s\",\"n\",\"\xc0\xaf\"]",
    "[\"s\",\"n\",\"\xed\xa0\x80\"]",
    "[\"s\",\"\xf4\x90\x80\x80\",\"v\"]",
    "[\"s\",\"n\",\"a\x01\"]",
    "[\"s\",\"n\",\"a\tb\"]",
    "[\"s\",\"n\",0]",
    "[\"s\",\"n\",42]",
    "[\"s\",\"n\",-7]",
    "[\"s\",\"n\",-0]",
    "[\"s\",\"n\",007]",
    "[\"s\",\"n\",-01]",
    "[\"s\",\"n\",123456789012345678]",
    "[\"s\",\"n\",-123456789012345678]",
    "[\"s\",\"n\",1234567890123456789]",
    "[\"s\",\"n\",99999999999999999999]",
    "[\"s\",\"n\",1.5]",
    "[\"s\",\"n\",1e3]",
    "[\"s\",\"n\",1E3]",
    "[\"s\",\"n\",-]",
    "[\"s\",\"n\",+1]",
    "[\"s\",\"n\",true]",
    "[\"s\",\"n\",false]",
    "[\"s\",\"n\",null]",
    "[\"s\",\"n\",tru]",
    "[\"s\",\"n\",nulll]",
    "[\"s\",\"n\",truex]",
    "[\"s\",5]",
    "[\"s\"]",
    "[]",
    "[\"s\",\"n\",\"v\",\"w\"]",
    "[\"s\",\"n\",{\"a\":1}]",
    "[\"s\",\"n\",[1,2]]",
    "[\"s\",\"n\",{\"a\":1,\"a\":2}]",
    "[\"s\",\"n\",\"v\"] x",
    "[\"s\",\"n\",\"v\"],",
    "[\"s\",\"n\",\"v\",]",
    "[\"s\" \"n\",\"v\"]",
    "[\"s\",,\"v\"]",
    "[\"s\",\"n\",\"v\"",
    "[\"s\",\"n\",\"v",
    "[1,\"n\",\"v\"]",
    "[\"s\",1,\"v\"]",
    "[\"s\",\"_sd\",\"v\"]",
    "[\"s\",\"...\",\"v\"]",
    "[\"0123456789abcdefghijkl\",\"given_name_en\",\"0123456789\\\"abcdefgh\"]",
    "[\"0123456789abcdefghijkl\",\"0123456789\x05"
    "abcdefgh\"]",
    "[\"s\", \"v\" ]",
    "[\"s\",\"n\" , 5 ]",
    "[\"s\",\"v\" x]",
    "[\"s\",\"_sd\"]",
    "[\"s\",\"...\"]",
    "[\"s\",true]",
    "[\"s\",\"n\"",
    "[\"s\",\"n\",",
    "[\"s\",\"n\",\"v\"]]",
    "[\"s\",\"\\u00e9\",\"v\"]",
    "[\"\\u0073\",\"n\",\"v\"]",
    "[\"s\",\"n\\\"\",\"v\\/\"]",
    "[\"s\",\"\xc3\x28\",\"v\"]",
    "[\"\xff\",\"n\",\"v\"]",
    "{\"s\":\"n\"}",
    "\"s\"",
    "",
    " ",
};

static struct cl_bytes
b64(struct cl_arena *a, const char *s, size_t n)
{
    struct cl_buf b;
    struct cl_bytes out;

    cl_buf_init(&b);
    cl_b64url_encode(&b, cl_bytes_of(s, n));
    assert_int_equal(b.err, CL_OK);
    out = cl_arena_copy(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return out;
}

/* What the general parser and the shape rules say: CL_OK with the tree, or an error. */
static cl_err
reference(struct cl_arena *a, const char *text, json_t **tree)
{
    struct cl_json_limits lim = cl_sdjwt_limits_default().json;
    size_t n;
    const char *name;
    cl_err rc = cl_jose_json_parse(a, cl_bytes_str(text), &lim, "disclosure", tree, NULL);

    if (rc != CL_OK)
        return rc;
    if (!json_is_array(*tree))
        return CL_ERR_INPUT;
    n = json_array_size(*tree);
    if ((n != 2 && n != 3) || !json_is_string(json_array_get(*tree, 0)))
        return CL_ERR_INPUT;
    if (n == 3) {
        name = json_string_value(json_array_get(*tree, 1));
        if (name == NULL || strcmp(name, "_sd") == 0 || strcmp(name, "...") == 0)
            return CL_ERR_INPUT;
    }
    return CL_OK;
}

static void
test_disclosures(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof disclosures / sizeof disclosures[0]; i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_sdjwt sd;
        json_t *want = NULL;
        const char *hdr = "{\"alg\":\"ES256\",\"typ\":\"dc+sd-jwt\"}", *pl = "{}";
        struct cl_bytes h, p, s, d;
        uint8_t sig[64] = {1};
        const char *text;
        cl_err ref, got;

        cl_arena_init(&a, 0, 0, 0);
        h = b64(&a, hdr, strlen(hdr));
        p = b64(&a, pl, strlen(pl));
        s = b64(&a, (const char *)sig, sizeof sig);
        d = b64(&a, disclosures[i], strlen(disclosures[i]));
        text = cl_arena_printf(&a, "%.*s.%.*s.%.*s~%.*s~", (int)h.len, (const char *)h.ptr,
                               (int)p.len, (const char *)p.ptr, (int)s.len, (const char *)s.ptr,
                               (int)d.len, (const char *)d.ptr);
        assert_non_null(text);
        ref = reference(&a, disclosures[i], &want);
        got = cl_sdjwt_parse(&a, cl_bytes_str(text), NULL, &sd, &err);
        if (d.len == 0) { /* an empty disclosure is refused before any JSON */
            assert_int_not_equal(got, CL_OK);
        } else if (ref == CL_OK) {
            cl_test_expect(disclosures[i], got, CL_OK, &err);
            assert_int_equal(sd.ndisclosures, 1);
            json_t *tree = disclosure_array(&sd.disclosures[0]);

            if (!json_equal(tree, want))
                fail_msg("row %zu: the fast path built another tree than the parser", i);
            json_decref(tree);
        } else if (got == CL_OK) {
            fail_msg("row %zu: accepted, the general parser refuses it (%s)", i, cl_err_name(ref));
        } else {
            cl_test_expect(disclosures[i], got, ref, &err);
        }
        cl_arena_fini(&a);
    }
}

/* cl_jose_json_parse (its fast reader for common JWT texts) against json_loadb itself: the
 * same tree, members in the same order, or a refusal by both. */
static const char *const texts[] = {
    "{}",
    "[]",
    " { } ",
    "{\"iss\":\"https://issuer.example\",\"iat\":1799990000,\"exp\":-5,\"vct\":\"urn:x\"}",
    "{\"cnf\":{\"jwk\":{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"ab\",\"y\":\"cd\"}}}",
    "{\"_sd\":[\"a\",\"b\"],\"arr\":[{\"...\":\"c\"},1,true,false,null,[],{}]}",
    "{ \"a\" : 1 ,\n\"b\"\t:\r[ 1 , 2 ] }",
    "{\"z\":1,\"a\":2,\"m\":3}",
    "{\"a\":1,\"a\":2}",
    "{\"a\":{\"b\":1,\"b\":1}}",
    "{\"a\":1,}",
    "{\"a\":1 \"b\":2}",
    "{\"a\" 1}",
    "{a:1}",
    "{\"a\":1}}",
    "{\"a\":1} x",
    "[1,2,]",
    "[,1]",
    "[1 2]",
    "{\"a\":[1,{\"b\":[true,null]}]}",
    "\"top\"",
    "42",
    "true",
    "nul",
    "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}",
    "{\"k\\n\":1}",
    "{\"\\u0041\":\"\\u00e9\\ud83d\\ude00\"}",
    "{\"a\":\"\\u0000\"}",
    "{\"a\\u0000b\":1}",
    "{\"a\":\"\\udc00\"}",
    "{\"a\":\"\\q\"}",
    "{\"a\":\"í \"}",
    "{\"À¯\":1}",
    "{\"이름\":\"홍길동\"}",
    "{\"a\":\"xy\"}",
    "{\"a\":0,\"b\":-0,\"c\":01}",
    "{\"a\":1.0}",
    "{\"a\":1e2}",
    "{\"a\":123456789012345678}",
    "{\"a\":1234567890123456789}",
    "{\"a\":9223372036854775808}",
    "{\"a\":-}",
    "{\"a\":tru}",
    "{\"a\":truee}",
    "{\"a\":\"unterminated}",
    "{\"a\":\"v\\",
    "{\"a\"",
    "{",
    "[",
    "",
    "   ",
    "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]",
    /* strings read eight bytes at a time: the special byte at each place of a word */
    "{\"abcdefghijklmnop\":\"0123456789abcdef\\\"ghij\"}",
    "{\"a\":\"0123456789abcdefghij\\\\\"}",
    "{\"a\":\"0123456789\x01"
    "abcdef\"}",
    "{\"a\":\"01234567\x1f\"}",
    "{\"a\":\"0123456\x7f"
    "89abcdefghij\"}",
    "{\"a\":\"0123456789서울abcdefgh\"}",
    "{\"a\":\"01234567\xc3\x28"
    "abcdefgh\"}",
    "{\"a\":\"01234567abcdefg\xc3\"}",
    "{\"0123456789abcdef0123456\":\"0123456789abcdef01234567\"}",
    "{\"a\":\"서울특별시 종로구\\n\"}",
    "{\"a\":\"01234567\xc3\x28"
    "abcdefgh\\n\"}",
    "{\"a\":\"0123456789abcdef",
    "{\"a\":\"0123456789abcde\\",
};

static void
compare_json(const char *text, size_t i)
{
    struct cl_arena a;
    struct cl_json_limits lim = cl_json_limits_default();
    json_error_t je;
    json_t *ref, *got = NULL;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    ref = json_loadb(text, strlen(text), JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    rc = cl_jose_json_parse(&a, cl_bytes_str(text), &lim, "t", &got, NULL);
    if (ref == NULL) {
        if (rc == CL_OK)
            fail_msg("text %zu: accepted, json_loadb refuses it", i);
    } else {
        char *r, *g;

        if (rc != CL_OK)
            fail_msg("text %zu: refused (%s), json_loadb accepts it", i, cl_err_name(rc));
        r = json_dumps(ref, JSON_COMPACT | JSON_ENCODE_ANY);
        g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!json_equal(ref, got) || r == NULL || g == NULL || strcmp(r, g) != 0)
            fail_msg("text %zu: trees differ: %s and %s", i, r, g);
        free(r);
        free(g);
        json_decref(ref);
    }
    cl_arena_fini(&a);
}

static void
test_json(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        compare_json(texts[i], i);
}

/* Strings read a word at a time: each special byte (the closing quote, an escape, a control
 * character, a non-ASCII or invalid UTF-8 byte) at each place of the first three words. */
static void
test_json_positions(void **state)
{
    static const char *const specials[] = {"",     "\\n",      "\\\"", "\x01",         "\x1f",
                                           "\x7f", "\xc3\xa9", "\xc3", "\xed\xa0\x80", "\\u00e9"};

    (void)state;
    for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++)
        for (size_t at = 0; at < 24; at++) {
            char text[64];

            /* {"a":"xxx<special>yy"}: the string starts at offset 6 */
            snprintf(text, sizeof text, "{\"a\":\"%.*s%syy\"}", (int)at,
                     "abcdefghijklmnopqrstuvwxyz", specials[k]);
            compare_json(text, 1000 * k + at);
        }
}

/* cl_jose_json_flat (the KB-JWT's header and claims) against cl_jose_json_parse: what the
 * flat reader takes, the parser accepts with exactly those members and values. */
static const char *const flats[] = {
    "{}",
    "{\"alg\":\"ES256\",\"typ\":\"kb+jwt\"}",
    " { \"typ\" : \"kb+jwt\" ,\n\"alg\":\"ES256\" } ",
    "{\"iat\":1800000000,\"aud\":\"https://v.example\",\"nonce\":\"n\",\"sd_hash\":\"x\"}",
    "{\"iat\":-5,\"nonce\":\"a\\\"b\\\\c\\/d\\n\"}",
    "{\"iat\":0}",
    "{\"iat\":-0}",
    "{\"iat\":01}",
    "{\"iat\":1.0}",
    "{\"iat\":1e3}",
    "{\"iat\":123456789012345678}",
    "{\"iat\":1234567890123456789}",
    "{\"iat\":\"1800000000\"}",
    "{\"aud\":1}",
    "{\"aud\":[\"a\"]}",
    "{\"aud\":{}}",
    "{\"aud\":null}",
    "{\"aud\":true}",
    "{\"alg\":\"ES256\",\"alg\":\"ES256\"}",
    "{\"alg\":\"ES256\",\"kid\":\"k\"}",
    "{\"al\\u0067\":\"ES256\"}",
    "{\"alg\":\"\\u0045S256\"}",
    "{\"alg\":\"ES256\\u0000\"}",
    "{\"alg\":\"\xc3\x28\"}",
    "{\"aud\":\"서울\"}",
    "{\"alg\":\"ES256\",}",
    "{,\"alg\":\"ES256\"}",
    "{\"alg\" \"ES256\"}",
    "{\"alg\":\"ES256\"",
    "{\"alg\":\"ES256\"}x",
    "{\"alg\":\"ES256\"}}",
    "[\"alg\",\"ES256\"]",
    "\"alg\"",
    "",
    " ",
};

static void
test_flat(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof flats / sizeof flats[0]; i++) {
        struct cl_json_flat m[] = {{.name = "alg"},     {.name = "typ"},
                                   {.name = "aud"},     {.name = "nonce"},
                                   {.name = "sd_hash"}, {.name = "iat", .is_int = true}};
        struct cl_json_limits lim = cl_json_limits_default();
        struct cl_arena a;
        json_t *j = NULL;
        size_t present = 0;
        int r;

        cl_arena_init(&a, 0, 0, 0);
        r = cl_jose_json_flat(&a, cl_bytes_str(flats[i]), &lim, m, sizeof m / sizeof m[0]);
        assert_true(r == 0 || r == 1);
        if (r == 1) {
            if (cl_jose_json_parse(&a, cl_bytes_str(flats[i]), &lim, "t", &j, NULL) != CL_OK ||
                !json_is_object(j))
                fail_msg("flat %zu: taken, the parser refuses it", i);
            for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
                const json_t *v = json_object_get(j, m[k].name);

                if (!m[k].present) {
                    if (v != NULL)
                        fail_msg("flat %zu: %s missed", i, m[k].name);
                    continue;
                }
                present++;
                if (m[k].is_int ? !json_is_integer(v) || json_integer_value(v) != m[k].num
                                : !json_is_string(v) || json_string_length(v) != m[k].str.len ||
                                      memcmp(json_string_value(v), m[k].str.ptr, m[k].str.len))
                    fail_msg("flat %zu: %s differs", i, m[k].name);
            }
            if (json_object_size(j) != present)
                fail_msg("flat %zu: members differ", i);
        }
        cl_arena_fini(&a);
    }
}

/* base64url: both decoders give the same bytes or the same error, over a table and over
 * pseudo-random texts of alphabet and non-alphabet characters. */
static void
check_b64(const uint8_t *t, size_t n)
{
    struct cl_arena a;
    struct cl_buf ref;
    struct cl_bytes got;
    struct cl_error e1 = {0}, e2 = {0};
    cl_err r1, r2;

    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&ref);
    r1 = cl_b64url_decode(&ref, cl_bytes_of(t, n), &e1);
    r2 = cl_b64url_decode_arena(&a, cl_bytes_of(t, n), &got, &e2);
    if (r1 != r2)
        fail_msg("b64url '%.*s': %s and %s", (int)n, (const char *)t, cl_err_name(r1),
                 cl_err_name(r2));
    if (r1 == CL_OK) {
        assert_int_equal(got.len, ref.len);
        if (ref.len != 0)
            assert_memory_equal(got.ptr, ref.ptr, ref.len);
    } else {
        assert_string_equal(e1.where, e2.where);
        assert_string_equal(e1.msg, e2.msg);
    }
    cl_buf_fini(&ref);
    cl_arena_fini(&a);
}

static void
test_b64url(void **state)
{
    static const char *const rows[] = {
        "",     "A",    "AA",   "AB",    "AAA",    "AAB",      "AAAA",  "QQ",
        "QR",   "QUI",  "QUJ",  "QUJD",  "QUJDRA", "_-_-",     "+/+/",  "QUJD\n",
        "QQ==", "QUJ=", "Q UJ", "QUJD=", "////",   "\xff\xfe", "AAAAA", "eyJhbGciOiJFUzI1NiJ9",
    };
    static const char pool[] = "ABQZaz09-_+/= .\x80";
    uint32_t x = 2463534242u;

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        check_b64((const uint8_t *)rows[i], strlen(rows[i]));
    for (int k = 0; k < 4000; k++) {
        uint8_t t[16];
        size_t n;

        x ^= x << 13; /* xorshift32: a fixed sequence */
        x ^= x >> 17;
        x ^= x << 5;
        n = x % sizeof t;
        for (size_t j = 0; j < n; j++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* mostly alphabet: invalid characters now and then, at any place */
            t[j] = (uint8_t)(x % 8 != 0 ? pool[x % 10] : pool[x % (sizeof pool - 1)]);
        }
        check_b64(t, n);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disclosures), cmocka_unit_test(test_b64url),
        cmocka_unit_test(test_json),        cmocka_unit_test(test_json_positions),
        cmocka_unit_test(test_flat),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
