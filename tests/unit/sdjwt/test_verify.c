/* test_verify.c - the verifier's rejections: one table row per rule of RFC 9901 §7 and the
 * SD-JWT VC draft, each made by breaking one thing of a valid presentation (maker.h). */
#include "support.h"

#include <stdlib.h>

/* rows list only the fields they set; the rest start zero */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "maker.h"

#include "cardless/alloc.h"

/* locality (0) sits in address (1): a recursive disclosure; 2 is a claim, 3 an array element */
#define D0 "[\"c2FsdHNhbHQwMDAwMDAwMA\",\"locality\",\"Seoul\"]"
#define D1 "[\"c2FsdHNhbHQxMTExMTExMQ\",\"address\",{\"_sd\":[\"@0\"],\"country\":\"KR\"}]"
#define D2 "[\"c2FsdHNhbHQyMjIyMjIyMg\",\"given_name\",\"Gil-dong\"]"
#define D3 "[\"c2FsdHNhbHQzMzMzMzMzMw\",\"DE\"]"
#define CLEAR                                                                                      \
    "\"iss\":\"https://issuer.example\",\"iat\":1799990000,\"exp\":1900000000,"                    \
    "\"vct\":\"urn:test:1\",\"cnf\":{\"jwk\":$HOLDER},\"_sd_alg\":\"sha-256\""
#define GOOD "{" CLEAR ",\"_sd\":[\"@1\",\"@2\"],\"nationalities\":[{\"...\":\"@3\"},\"KR\"]}"
#define DISC                                                                                       \
    {                                                                                              \
        D0, D1, D2, D3                                                                             \
    }

enum knob { K_NONE, K_NO_KB_REQUIRED, K_OLD_TYP };

static const struct row {
    const char *name;
    struct mk m;
    cl_err want;
    enum knob knob;
} rows[] = {
    {"valid: nested, array and KB", {.payload = GOOD, .disc = DISC, .kb = true}, CL_OK},
    {"valid: exp after 2038 (64-bit time)",
     {.payload = "{" CLEAR ",\"nbf\":1799990000,\"_sd\":[\"@0\"],\"x\":4102444800}",
      .disc = {D2},
      .kb = true},
     CL_OK},
    {"valid: vc+sd-jwt from older issuers",
     {.header = "{\"alg\":\"ES256\",\"typ\":\"vc+sd-jwt\"}",
      .payload = GOOD,
      .disc = DISC,
      .kb = true},
     CL_OK},
    {"valid: no KB when not required", {.payload = GOOD, .disc = DISC}, CL_OK, K_NO_KB_REQUIRED},
    /* issuer JWT */
    {"alg none is never accepted",
     {.payload = GOOD, .disc = DISC, .kb = true, .none = true},
     CL_ERR_UNSUPPORTED},
    {"issuer signature does not verify",
     {.payload = GOOD, .disc = DISC, .kb = true, .break_sig = true},
     CL_ERR_SIGNATURE},
    {"issuer typ is not dc+sd-jwt",
     {.header = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", .payload = GOOD, .disc = DISC, .kb = true},
     CL_ERR_POLICY},
    {"issuer typ absent",
     {.header = "{\"alg\":\"ES256\"}", .payload = GOOD, .disc = DISC},
     CL_ERR_POLICY},
    {"vc+sd-jwt refused when only dc+sd-jwt is accepted",
     {.header = "{\"alg\":\"ES256\",\"typ\":\"vc+sd-jwt\"}",
      .payload = GOOD,
      .disc = DISC,
      .kb = true},
     CL_ERR_POLICY,
     K_OLD_TYP},
    {"_sd_alg not supported",
     {.payload = "{\"_sd_alg\":\"md5\",\"vct\":\"x\"}", .kb = true},
     CL_ERR_UNSUPPORTED},
    /* disclosure shape */
    {"disclosure is not an array",
     {.payload = GOOD, .disc = {D0, D1, D2, D3, "{\"a\":1}"}, .kb = true},
     CL_ERR_INPUT},
    {"disclosure has 4 elements",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}", .disc = {"[\"c2FsdA\",\"a\",1,2]"}, .kb = true},
     CL_ERR_INPUT},
    {"disclosure has 1 element",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}", .disc = {"[\"c2FsdA\"]"}, .kb = true},
     CL_ERR_INPUT},
    {"disclosure salt is not a string",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}", .disc = {"[7,\"a\",1]"}, .kb = true},
     CL_ERR_INPUT},
    {"disclosure claim name is not a string",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}", .disc = {"[\"c2FsdA\",7,1]"}, .kb = true},
     CL_ERR_INPUT},
    {"disclosure claim name _sd is reserved",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}", .disc = {"[\"c2FsdA\",\"_sd\",[]]"}, .kb = true},
     CL_ERR_INPUT},
    {"disclosure claim name ... is reserved",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}", .disc = {"[\"c2FsdA\",\"...\",1]"}, .kb = true},
     CL_ERR_INPUT},
    {"empty disclosure (~~)",
     {.payload = GOOD, .disc = DISC, .raw_disc = {[4] = ""}, .kb = true},
     CL_ERR_INPUT},
    {"disclosure is not base64url",
     {.payload = GOOD, .disc = DISC, .raw_disc = {[4] = "WyJ!"}, .kb = true},
     CL_ERR_ENCODING},
    /* digests */
    {"disclosed name collides with a claim in the clear",
     {.payload = "{" CLEAR ",\"given_name\":\"x\",\"_sd\":[\"@0\"]}", .disc = {D2}, .kb = true},
     CL_ERR_DUPLICATE},
    {"two disclosures with the same name at one level",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\",\"@1\"]}",
      .disc = {D2, "[\"b3RoZXJzYWx0\",\"given_name\",\"y\"]"},
      .kb = true},
     CL_ERR_DUPLICATE},
    {"a disclosure's digest appears twice in _sd",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\",\"@0\"]}", .disc = {D2}, .kb = true},
     CL_ERR_DUPLICATE},
    {"a decoy digest appears twice",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\",\"qqqq\",\"qqqq\"]}", .disc = {D2}, .kb = true},
     CL_ERR_DUPLICATE},
    {"a digest appears in the payload and inside a disclosure",
     {.payload = "{" CLEAR ",\"_sd\":[\"@1\",\"@0\"]}", .disc = {D0, D1}, .kb = true},
     CL_ERR_DUPLICATE},
    {"a disclosure is referenced by nothing",
     {.payload = GOOD, .disc = {D0, D1, D2, D3, "[\"c2FsdHg\",\"extra\",1]"}, .kb = true},
     CL_ERR_INPUT},
    {"an array-element disclosure is referenced from _sd",
     {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}", .disc = {D3}, .kb = true},
     CL_ERR_INPUT},
    {"an object-property disclosure is referenced from an array",
     {.payload = "{" CLEAR ",\"a\":[{\"...\":\"@0\"}]}", .disc = {D2}, .kb = true},
     CL_ERR_INPUT},
    {"_sd is not an array", {.payload = "{" CLEAR ",\"_sd\":\"x\"}", .kb = true}, CL_ERR_INPUT},
    {"_sd holds a number", {.payload = "{" CLEAR ",\"_sd\":[1]}", .kb = true}, CL_ERR_INPUT},
    /* times */
    {"expired (exp)",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"exp\":1700000000}", .kb = true},
     CL_ERR_EXPIRED},
    {"not yet valid (nbf)",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"nbf\":1900000000}", .kb = true},
     CL_ERR_EXPIRED},
    {"issued in the future (iat)",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"iat\":1900000000}", .kb = true},
     CL_ERR_EXPIRED},
    {"exp past year 9999",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"exp\":253402300800}", .kb = true},
     CL_ERR_INPUT},
    /* SD-JWT VC */
    {"vct missing", {.payload = "{\"cnf\":{\"jwk\":$HOLDER}}", .kb = true}, CL_ERR_MISSING},
    {"vct is not a string",
     {.payload = "{\"vct\":1,\"cnf\":{\"jwk\":$HOLDER}}", .kb = true},
     CL_ERR_INPUT},
    {"iss selectively disclosed",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"iss\",\"https://i\"]"},
      .kb = true},
     CL_ERR_POLICY},
    {"nbf selectively disclosed",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"nbf\",1700000000]"},
      .kb = true},
     CL_ERR_POLICY},
    {"exp selectively disclosed",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"exp\",1900000000]"},
      .kb = true},
     CL_ERR_POLICY},
    {"cnf selectively disclosed",
     {.payload = "{\"vct\":\"x\",\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"cnf\",{}]"},
      .kb = true},
     CL_ERR_POLICY},
    {"vct selectively disclosed",
     {.payload = "{\"cnf\":{\"jwk\":$HOLDER},\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"vct\",\"x\"]"},
      .kb = true},
     CL_ERR_POLICY},
    {"vct#integrity selectively disclosed",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"vct#integrity\",\"sha256-x\"]"},
      .kb = true},
     CL_ERR_POLICY},
    {"aka_vcts selectively disclosed",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"aka_vcts\",[]]"},
      .kb = true},
     CL_ERR_POLICY},
    {"status selectively disclosed",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"_sd\":[\"@0\"]}",
      .disc = {"[\"c2FsdA\",\"status\",{}]"},
      .kb = true},
     CL_ERR_POLICY},
    {"status holds a digest",
     {.payload = "{\"vct\":\"x\",\"cnf\":{\"jwk\":$HOLDER},\"status\":{\"_sd\":[\"@0\"]}}",
      .disc = {"[\"c2FsdA\",\"status_list\",{}]"},
      .kb = true},
     CL_ERR_POLICY},
    {"no cnf to bind a key", {.payload = "{\"vct\":\"x\"}", .kb = true}, CL_ERR_MISSING},
    /* KB-JWT */
    {"KB-JWT missing", {.payload = GOOD, .disc = DISC}, CL_ERR_MISSING},
    {"KB-JWT header members in another order",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_header = "{\"typ\":\"kb+jwt\",\"alg\":\"ES256\"}"},
     CL_OK},
    {"KB-JWT header with whitespace",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_header = " { \"alg\" : \"ES256\" ,\n\"typ\":\"kb+jwt\" } "},
     CL_OK},
    {"KB-JWT header with a kid",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_header = "{\"alg\":\"ES256\",\"typ\":\"kb+jwt\",\"kid\":\"k1\"}"},
     CL_OK},
    {"KB-JWT typ escaped",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_header = "{\"alg\":\"ES256\",\"typ\":\"kb\\u002bjwt\"}"},
     CL_OK},
    {"KB-JWT claims in another order",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"sd_hash\":\"$SDH\",\"nonce\":\"n-0S6_WzA2Mj\",\"aud\":\"https://"
                    "verifier.example\",\"iat\":$IAT}"},
     CL_OK},
    {"KB-JWT with exp",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":$IAT,\"exp\":1,\"aud\":\"https://"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\",\"sd_hash\":\"$SDH\"}"},
     CL_ERR_EXPIRED},
    {"KB-JWT aud an array",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":$IAT,\"aud\":[\"x\",\"https://"
                    "verifier.example\"],\"nonce\":\"n-0S6_WzA2Mj\",\"sd_hash\":\"$SDH\"}"},
     CL_OK},
    {"KB-JWT iat a whole real",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":1.8e9,\"aud\":\"https://"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\",\"sd_hash\":\"$SDH\"}"},
     CL_OK},
    {"KB-JWT iat a string",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":\"$IAT\",\"aud\":\"https://"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\",\"sd_hash\":\"$SDH\"}"},
     CL_ERR_INPUT},
    {"KB-JWT iat negative",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":-1,\"aud\":\"https://"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\",\"sd_hash\":\"$SDH\"}"},
     CL_ERR_INPUT},
    {"KB-JWT nonce twice",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":$IAT,\"aud\":\"https://"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\",\"nonce\":\"n-0S6_WzA2Mj\",\"sd_"
                    "hash\":\"$SDH\"}"},
     CL_ERR_DUPLICATE},
    {"KB-JWT without sd_hash",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload =
          "{\"iat\":$IAT,\"aud\":\"https://verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\"}"},
     CL_ERR_MISSING},
    {"KB-JWT nonce a number",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload =
          "{\"iat\":$IAT,\"aud\":\"https://verifier.example\",\"nonce\":7,\"sd_hash\":\"$SDH\"}"},
     CL_ERR_MISSING},
    {"KB-JWT nonce escaped",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":$IAT,\"aud\":\"https://"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2\\u004dj\",\"sd_hash\":\"$SDH\"}"},
     CL_OK},
    {"KB-JWT aud with an escaped slash",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":$IAT,\"aud\":\"https:\\/\\/"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\",\"sd_hash\":\"$SDH\"}"},
     CL_OK},
    {"KB-JWT claims with bytes after",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_payload = "{\"iat\":$IAT,\"aud\":\"https://"
                    "verifier.example\",\"nonce\":\"n-0S6_WzA2Mj\",\"sd_hash\":\"$SDH\"}x"},
     CL_ERR_INPUT},
    {"KB-JWT iat at the edge of max age",
     {.payload = GOOD, .disc = DISC, .kb = true, .kb_iat_delta = -300},
     CL_OK},
    {"KB-JWT iat one second past max age",
     {.payload = GOOD, .disc = DISC, .kb = true, .kb_iat_delta = -301},
     CL_ERR_EXPIRED},

    {"KB-JWT typ is not kb+jwt",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_header = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}"},
     CL_ERR_POLICY},
    {"KB-JWT signed by another key than cnf.jwk",
     {.payload = GOOD, .disc = DISC, .kb = true, .kb_other_key = true},
     CL_ERR_SIGNATURE},
    {"KB-JWT aud is another verifier",
     {.payload = GOOD, .disc = DISC, .kb = true, .kb_aud = "https://evil.example"},
     CL_ERR_POLICY},
    {"KB-JWT nonce is not ours",
     {.payload = GOOD, .disc = DISC, .kb = true, .kb_nonce = "old"},
     CL_ERR_POLICY},
    {"KB-JWT iat too old",
     {.payload = GOOD, .disc = DISC, .kb = true, .kb_iat_delta = -3600},
     CL_ERR_EXPIRED},
    {"KB-JWT iat in the future",
     {.payload = GOOD, .disc = DISC, .kb = true, .kb_iat_delta = 3600},
     CL_ERR_EXPIRED},
    {"KB-JWT sd_hash does not match",
     {.payload = GOOD,
      .disc = DISC,
      .kb = true,
      .kb_sd_hash = "G3I8z-cFMATAK2ep8MXWk-vnjI3X6-aahYeU9Tvzz3E"},
     CL_ERR_DIGEST},
};

/* The general parsers (no fast path for the KB-JWT) give the same answer, error and claims. */
static void
same_as_general(const char *name, struct cl_arena *a, struct cl_bytes text,
                const struct cl_sdjwt_verify_opts *o, cl_err want,
                const struct cl_sdjwt_verified *v, const struct cl_error *err)
{
    struct cl_sdjwt_verify_opts g = *o;
    struct cl_sdjwt_verified gv;
    struct cl_error gerr = {0};
    cl_err rc;

    g.flags |= CL_SDJWT_VERIFY_GENERAL;
    rc = cl_sdjwt_verify(a, text, &g, &gv, &gerr);
    if (rc != want || strcmp(gerr.where, err->where) != 0 || strcmp(gerr.msg, err->msg) != 0)
        fail_msg("%s: general path says %s at %s: %s; fast path %s at %s: %s", name,
                 cl_err_name(rc), gerr.where, gerr.msg, cl_err_name(want), err->where, err->msg);
    if (rc == CL_OK && (!json_equal(gv.claims, v->claims) || gv.key_bound != v->key_bound))
        fail_msg("%s: general path gives other claims", name);
}

static void
test_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct mk_keys k;
        struct cl_sdjwt_verify_opts o;
        struct cl_sdjwt_verified v;
        const char *only_dc[] = {"dc+sd-jwt", NULL};
        struct cl_bytes text;

        cl_arena_init(&a, 0, 0, 0);
        mk_keys_init(&a, &k);
        text = mk_make(&a, &k, &rows[i].m);
        o = mk_verify_opts(&k);
        if (rows[i].knob == K_NO_KB_REQUIRED)
            o.require_kb = false;
        if (rows[i].knob == K_OLD_TYP)
            o.typs = only_dc;
        memset(&v, 0x33, sizeof v);
        cl_test_expect(rows[i].name, cl_sdjwt_verify(&a, text, &o, &v, &err), rows[i].want, &err);
        same_as_general(rows[i].name, &a, text, &o, rows[i].want, &v, &err);
        if (rows[i].want != CL_OK && (v.claims != NULL || v.key_bound))
            fail_msg("%s: output not cleared on failure", rows[i].name);
        if (getenv("CL_TEST_VERBOSE") != NULL)
            print_message("%s -> %s: %s\n", rows[i].name, err.where, err.msg);
        if (rows[i].want != CL_OK && err.msg[0] == '\0')
            fail_msg("%s: no message", rows[i].name);
        cl_arena_fini(&a);
    }
}

/* The same disclosure string sent twice: refused at parse (it cannot be referenced twice). */
static void
test_disclosure_twice(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct mk_keys k;
    struct mk m = {.payload = GOOD, .disc = DISC, .kb = false};
    struct cl_sdjwt_verify_opts o;
    struct cl_sdjwt_verified v;
    struct cl_bytes text;
    char *twice;
    const char *d2;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    mk_keys_init(&a, &k);
    text = mk_make(&a, &k, &m);
    d2 = mk_b64(&a, D2);
    twice = cl_arena_printf(&a, "%.*s%s~", (int)text.len, (const char *)text.ptr, d2);
    o = mk_verify_opts(&k);
    o.require_kb = false;
    cl_test_expect("disclosure sent twice", cl_sdjwt_verify(&a, cl_bytes_str(twice), &o, &v, &err),
                   CL_ERR_DUPLICATE, &err);
    cl_arena_fini(&a);
}

/* The processed payload: nested and array disclosures in place, no _sd, _sd_alg or "...". */
static void
test_processed(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct mk_keys k;
    struct mk m = {.payload = GOOD, .disc = DISC, .kb = true};
    struct cl_sdjwt_verify_opts o;
    struct cl_sdjwt_verified v;
    json_t *want;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    mk_keys_init(&a, &k);
    o = mk_verify_opts(&k);
    cl_test_expect("processed", cl_sdjwt_verify(&a, mk_make(&a, &k, &m), &o, &v, &err), CL_OK,
                   &err);
    want = json_pack("{s:s,s:{s:s,s:s},s:[s,s]}", "given_name", "Gil-dong", "address", "country",
                     "KR", "locality", "Seoul", "nationalities", "DE", "KR");
    json_object_set(want, "iss", json_object_get(v.claims, "iss"));
    json_object_set(want, "iat", json_object_get(v.claims, "iat"));
    json_object_set(want, "exp", json_object_get(v.claims, "exp"));
    json_object_set(want, "vct", json_object_get(v.claims, "vct"));
    json_object_set(want, "cnf", json_object_get(v.claims, "cnf"));
    if (!json_equal(want, v.claims))
        fail_msg("processed payload: %s", json_dumps(v.claims, JSON_SORT_KEYS));
    json_decref(want);
    cl_arena_fini(&a);
}

/* A failure inside a disclosed value names its path in the processed payload. */
static void
test_nested_where(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct mk_keys k;
    struct mk m = {.payload = "{" CLEAR ",\"_sd\":[\"@0\"]}",
                   .disc = {"[\"c2FsdA\",\"address\",{\"x\":[1,{\"_sd\":7}]}]"},
                   .kb = true};
    struct cl_sdjwt_verify_opts o;
    struct cl_sdjwt_verified v;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    mk_keys_init(&a, &k);
    o = mk_verify_opts(&k);
    cl_test_expect("nested", cl_sdjwt_verify(&a, mk_make(&a, &k, &m), &o, &v, &err), CL_ERR_INPUT,
                   &err);
    if (strcmp(err.where, "payload.address.x[1]._sd") != 0)
        fail_msg("where is %s", err.where);
    cl_arena_fini(&a);
}

/* Allocation N fails, for N = 1, 2, ... until verification succeeds: CL_ERR_NOMEM each time
 * (or a clean failure), never a crash or a leak (ASan checks). */
static void
test_alloc_failures(void **state)
{
    struct cl_arena keep;
    struct mk_keys k;
    struct mk m = {.payload = GOOD, .disc = DISC, .kb = true};
    struct cl_bytes text;
    unsigned long n;

    (void)state;
    cl_arena_init(&keep, 0, 0, 0);
    mk_keys_init(&keep, &k);
    text = mk_make(&keep, &k, &m);
    for (n = 1; n < 10000; n++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_sdjwt_verify_opts o = mk_verify_opts(&k);
        struct cl_sdjwt_verified v;
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        cl_alloc_fail_at(n);
        rc = cl_sdjwt_verify(&a, text, &o, &v, &err);
        cl_alloc_fail_at(0);
        cl_arena_fini(&a);
        if (rc == CL_OK)
            break;
        if (rc != CL_ERR_NOMEM && rc != CL_ERR_CRYPTO)
            fail_msg("allocation %lu failing gave %s (%s: %s)", n, cl_err_name(rc), err.where,
                     err.msg);
    }
    if (n == 10000)
        fail_msg("never succeeded");
    cl_arena_fini(&keep);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),           cmocka_unit_test(test_disclosure_twice),
        cmocka_unit_test(test_processed),      cmocka_unit_test(test_nested_where),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
