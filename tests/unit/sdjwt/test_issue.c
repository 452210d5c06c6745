/* test_issue.c - issuance and presentation: issue -> present -> verify round trips with
 * recursive, array and decoy digests and KB-JWT; the issuer's refusals. */
#include "support.h"

#include <stdlib.h>

#include "maker.h"

#define CLAIMS                                                                                     \
    "{\"iss\":\"https://issuer.example\",\"iat\":1799990000,\"exp\":1900000000,"                   \
    "\"vct\":\"urn:test:1\",\"cnf\":{\"jwk\":$HOLDER},\"status\":{\"status_list\":{\"idx\":7,"     \
    "\"uri\":\"https://s.example/1\"}},\"given_name\":\"Gil-dong\",\"family_name\":\"Hong\","      \
    "\"age_over_19\":true,\"address\":{\"locality\":\"Seoul\",\"street\":\"Sejong-daero 1\","      \
    "\"country\":\"KR\"},\"nationalities\":[\"KR\",\"DE\"]}"

static json_t *
claims(struct cl_arena *a, const struct mk_keys *k)
{
    char *s = mk_subst(a, CLAIMS, NULL, k->holder_jwk);
    json_t *j = json_loads(s, 0, NULL);

    if (j == NULL)
        fail_msg("claims JSON");
    return j;
}

static const char *const all_sd[] = {"/given_name",      "/family_name",      "/age_over_19",
                                     "/address",         "/address/locality", "/address/street",
                                     "/nationalities/0", "/nationalities/1"};

static const struct {
    const char *name;
    const char *disclose[4];
    const char *want; /* the user claims expected after verification, as JSON */
} trips[] = {
    {"name and age only",
     {"/given_name", "/age_over_19"},
     "{\"given_name\":\"Gil-dong\",\"age_over_19\":true,\"nationalities\":[]}"},
    {"nested claim brings its parent",
     {"/address/locality"},
     "{\"address\":{\"locality\":\"Seoul\",\"country\":\"KR\"},\"nationalities\":[]}"},
    {"parent brings everything inside",
     {"/address"},
     "{\"address\":{\"locality\":\"Seoul\",\"street\":\"Sejong-daero 1\",\"country\":\"KR\"},"
     "\"nationalities\":[]}"},
    {"one array element", {"/nationalities/1"}, "{\"nationalities\":[\"DE\"]}"},
    {"nothing", {NULL}, "{\"nationalities\":[]}"},
};

static void
test_round_trips(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(trips); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct mk_keys k;
        struct cl_sdjwt_issue_opts io;
        struct cl_sdjwt_present_opts po;
        struct cl_sdjwt_verify_opts vo;
        struct cl_sdjwt_verified v;
        struct cl_bytes cred, pres;
        json_t *c, *want;
        size_t n = 0;
        const char *key;
        json_t *val;

        cl_arena_init(&a, 0, 0, 0);
        mk_keys_init(&a, &k);
        c = claims(&a, &k);
        memset(&io, 0, sizeof io);
        io.issuer_key = k.issuer;
        io.sd = all_sd;
        io.nsd = CL_ARRAY_LEN(all_sd);
        io.vc = true;
        io.decoys = 2;
        cl_test_expect(trips[i].name, cl_sdjwt_issue(&a, c, &io, &cred, &err), CL_OK, &err);
        while (n < 4 && trips[i].disclose[n] != NULL)
            n++;
        memset(&po, 0, sizeof po);
        po.disclose = trips[i].disclose;
        po.ndisclose = n;
        po.holder_key = k.holder;
        po.aud = "https://verifier.example";
        po.nonce = "n-0S6_WzA2Mj";
        po.iat = MK_NOW;
        cl_test_expect(trips[i].name, cl_sdjwt_present(&a, cred, &po, &pres, &err), CL_OK, &err);
        vo = mk_verify_opts(&k);
        cl_test_expect(trips[i].name, cl_sdjwt_verify(&a, pres, &vo, &v, &err), CL_OK, &err);
        if (!v.key_bound)
            fail_msg("%s: not key bound", trips[i].name);
        want = json_loads(trips[i].want, 0, NULL);
        /* the claims in the clear come along; compare the rest */
        json_object_foreach(v.claims, key, val)
        {
            if (strcmp(key, "iss") == 0 || strcmp(key, "iat") == 0 || strcmp(key, "exp") == 0 ||
                strcmp(key, "vct") == 0 || strcmp(key, "cnf") == 0 || strcmp(key, "status") == 0)
                json_object_set(want, key, val);
        }
        if (!json_equal(want, v.claims))
            fail_msg("%s: got %s", trips[i].name, json_dumps(v.claims, JSON_SORT_KEYS));
        json_decref(want);
        json_decref(c);
        cl_arena_fini(&a);
    }
}

/* What the issuer writes: 128-bit salts, sorted _sd with decoys, _sd_alg, the VC claims in
 * the clear; the issued SD-JWT verifies without KB and discloses everything. */
static void
test_issued_form(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct mk_keys k;
    struct cl_sdjwt_issue_opts io;
    struct cl_sdjwt sd;
    struct cl_sdjwt_verify_opts vo;
    struct cl_sdjwt_verified v;
    struct cl_bytes cred;
    json_t *c, *sdarr;
    size_t i;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    mk_keys_init(&a, &k);
    c = claims(&a, &k);
    memset(&io, 0, sizeof io);
    io.issuer_key = k.issuer;
    io.sd = all_sd;
    io.nsd = CL_ARRAY_LEN(all_sd);
    io.vc = true;
    io.decoys = 3;
    cl_test_expect("issue", cl_sdjwt_issue(&a, c, &io, &cred, &err), CL_OK, &err);
    if (cred.ptr[cred.len - 1] != '~')
        fail_msg("an issued SD-JWT ends with '~'");
    cl_test_expect("parse", cl_sdjwt_parse(&a, cred, NULL, &sd, &err), CL_OK, &err);
    if (sd.ndisclosures != CL_ARRAY_LEN(all_sd))
        fail_msg("%zu disclosures", sd.ndisclosures);
    for (i = 0; i < sd.ndisclosures; i++)
        if (strlen(sd.disclosures[i].salt) != 22) /* base64url of 16 bytes */
            fail_msg("salt %zu is not 128 bits", i);
    if (strcmp(sd.jws.typ, "dc+sd-jwt") != 0 ||
        strcmp(json_string_value(json_object_get(sd.jws.claims, "_sd_alg")), "sha-256") != 0)
        fail_msg("typ or _sd_alg");
    sdarr = json_object_get(sd.jws.claims, "_sd");
    if (json_array_size(sdarr) != 4 + 3) /* given, family, age, address + decoys */
        fail_msg("_sd has %zu digests", json_array_size(sdarr));
    for (i = 1; i < json_array_size(sdarr); i++)
        if (strcmp(json_string_value(json_array_get(sdarr, i - 1)),
                   json_string_value(json_array_get(sdarr, i))) >= 0)
            fail_msg("_sd is not sorted");
    for (i = 0; i < 7; i++) {
        const char *clear[] = {"iss", "iat", "exp", "vct", "cnf", "status", "nationalities"};

        if (json_object_get(sd.jws.claims, clear[i]) == NULL)
            fail_msg("%s not in the clear", clear[i]);
    }
    vo = mk_verify_opts(&k);
    vo.require_kb = false;
    cl_test_expect("verify issued", cl_sdjwt_verify(&a, cred, &vo, &v, &err), CL_OK, &err);
    json_object_set_new(c, "cnf", json_deep_copy(json_object_get(c, "cnf")));
    if (!json_equal(c, v.claims))
        fail_msg("issued SD-JWT does not process to the claims: %s",
                 json_dumps(v.claims, JSON_SORT_KEYS));
    json_decref(c);
    cl_arena_fini(&a);
}

static const struct {
    const char *name;
    const char *sd;
    const char *never;
    cl_err want;
} refusals[] = {
    {"cnf must never be selectively disclosable", "/cnf", NULL, CL_ERR_POLICY},
    {"nor anything inside status", "/status/status_list/idx", NULL, CL_ERR_POLICY},
    {"nor iss", "/iss", NULL, CL_ERR_POLICY},
    {"nor vct", "/vct", NULL, CL_ERR_POLICY},
    {"nor exp", "/exp", NULL, CL_ERR_POLICY},
    {"nor what the type says never", "/family_name", "/family_name", CL_ERR_POLICY},
    {"a pointer that names nothing", "/nickname", NULL, CL_ERR_NOT_FOUND},
    {"an array index past the end", "/nationalities/2", NULL, CL_ERR_NOT_FOUND},
    {"not a JSON pointer", "given_name", NULL, CL_ERR_INPUT},
    {"iat may be selectively disclosable", "/iat", NULL, CL_OK},
};

static void
test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(refusals); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct mk_keys k;
        struct cl_sdjwt_issue_opts io;
        struct cl_bytes cred = {(const uint8_t *)"x", 1};
        json_t *c;

        cl_arena_init(&a, 0, 0, 0);
        mk_keys_init(&a, &k);
        c = claims(&a, &k);
        memset(&io, 0, sizeof io);
        io.issuer_key = k.issuer;
        io.sd = &refusals[i].sd;
        io.nsd = 1;
        io.never = &refusals[i].never;
        io.nnever = refusals[i].never != NULL ? 1 : 0;
        io.vc = true;
        cl_test_expect(refusals[i].name, cl_sdjwt_issue(&a, c, &io, &cred, &err), refusals[i].want,
                       &err);
        if (refusals[i].want != CL_OK && (cred.ptr != NULL || err.where[0] == '\0'))
            fail_msg("%s: output kept or where does not name the claim", refusals[i].name);
        json_decref(c);
        cl_arena_fini(&a);
    }
}

/* A reserved name in the claims, no vct, and a holder key that is not cnf.jwk. */
static void
test_misuse(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct mk_keys k;
    struct cl_sdjwt_issue_opts io;
    struct cl_sdjwt_present_opts po;
    struct cl_bytes cred, pres;
    json_t *c;
    const char *none[1] = {NULL};

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    mk_keys_init(&a, &k);
    memset(&io, 0, sizeof io);
    io.issuer_key = k.issuer;
    io.vc = true;
    c = json_pack("{s:s,s:[]}", "vct", "x", "_sd", "x");
    cl_test_expect("reserved _sd claim", cl_sdjwt_issue(&a, c, &io, &cred, &err), CL_ERR_INPUT,
                   &err);
    json_decref(c);
    err = (struct cl_error){0};
    c = json_pack("{s:s}", "iss", "x");
    cl_test_expect("no vct", cl_sdjwt_issue(&a, c, &io, &cred, &err), CL_ERR_INPUT, &err);
    json_decref(c);
    err = (struct cl_error){0};
    c = claims(&a, &k);
    cl_test_expect("issue", cl_sdjwt_issue(&a, c, &io, &cred, &err), CL_OK, &err);
    memset(&po, 0, sizeof po);
    po.disclose = none;
    po.holder_key = k.other;
    po.aud = "a";
    po.nonce = "n";
    cl_test_expect("holder key is not cnf", cl_sdjwt_present(&a, cred, &po, &pres, &err),
                   CL_ERR_POLICY, &err);
    json_decref(c);
    cl_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_issued_form),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_misuse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
