/* test_python_cases.c - the sd-jwt-python reference test specifications (converted by
 * tests/vectors/sd-jwt-python/convert.py): issue the claims with their !sd choices, present
 * what the holder chose, verify, and compare with the expected verified claims. */
#include "support.h"

#include "maker.h"

static void
test_cases(void **state)
{
    struct cl_arena keep;
    struct cl_bytes text;
    json_error_t je;
    json_t *cases, *c;
    size_t i;

    (void)state;
    cl_arena_init(&keep, 0, 0, 0);
    text = cl_test_vector(&keep, "sd-jwt-python/cases.json");
    cases = json_loadb((const char *)text.ptr, text.len, 0, &je);
    if (!json_is_array(cases) || json_array_size(cases) < 13)
        fail_msg("cases.json: %s", je.text);
    json_array_foreach(cases, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        struct cl_arena a;
        struct cl_error err = {0};
        struct mk_keys k;
        struct cl_sdjwt_issue_opts io;
        struct cl_sdjwt_present_opts po;
        struct cl_sdjwt_verify_opts vo;
        struct cl_sdjwt_verified v;
        struct cl_bytes cred, pres;
        const char *sd[32], *disc[32];
        json_t *claims, *jwk = NULL, *p;
        size_t j, nsd = 0, ndisc = 0;

        cl_arena_init(&a, 0, 0, 0);
        mk_keys_init(&a, &k);
        json_array_foreach(json_object_get(c, "sd"), j, p) sd[nsd++] = json_string_value(p);
        json_array_foreach(json_object_get(c, "disclose"), j, p) disc[ndisc++] =
            json_string_value(p);
        claims = json_deep_copy(json_object_get(c, "claims"));
        if (cl_jwk_public_json(k.holder, &jwk, &err) != CL_OK)
            fail_msg("%s: jwk", name);
        json_object_set_new(claims, "cnf", json_pack("{s:o}", "jwk", jwk));
        memset(&io, 0, sizeof io);
        io.issuer_key = k.issuer;
        io.sd = sd;
        io.nsd = nsd;
        io.decoys = 1;
        cl_test_expect(name, cl_sdjwt_issue(&a, claims, &io, &cred, &err), CL_OK, &err);
        memset(&po, 0, sizeof po);
        po.disclose = disc;
        po.ndisclose = ndisc;
        po.holder_key = k.holder;
        po.aud = "https://verifier.example";
        po.nonce = "n-0S6_WzA2Mj";
        po.iat = MK_NOW;
        po.flags = CL_SDJWT_PRESENT_EXACT;
        cl_test_expect(name, cl_sdjwt_present(&a, cred, &po, &pres, &err), CL_OK, &err);
        vo = mk_verify_opts(&k);
        vo.vc = false; /* plain SD-JWTs: no vct */
        cl_test_expect(name, cl_sdjwt_verify(&a, pres, &vo, &v, &err), CL_OK, &err);
        json_object_del(v.claims, "cnf");
        if (!json_equal(v.claims, json_object_get(c, "expect")))
            fail_msg("%s: got %s", name, json_dumps(v.claims, JSON_SORT_KEYS));
        json_decref(claims);
        cl_arena_fini(&a);
    }
    json_decref(cases);
    cl_arena_fini(&keep);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
