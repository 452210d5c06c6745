/* test_vectors.c - RFC 9901 and SD-JWT VC draft examples, data-driven: every published
 * presentation verifies at the example's time with the A.5 key and processes to the published
 * payload; every published disclosure hashes to its published digest. */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/crypto.h"
#include "cardless/jose.h"
#include "cardless/sdjwt.h"

/* The disclosure's array as the issuer wrote it: [salt, name, value] or [salt, value]. */
static json_t *
disclosure_array(const struct cl_sdjwt_disclosure *d)
{
    return d->name != NULL ? json_pack("[s,s,O]", d->salt, d->name, d->value)
                           : json_pack("[s,O]", d->salt, d->value);
}

static json_t *
load_json(struct cl_arena *a, const char *rel)
{
    struct cl_bytes b = cl_test_vector(a, rel);
    json_error_t je;
    json_t *j = json_loadb((const char *)b.ptr, b.len, 0, &je);

    if (j == NULL)
        fail_msg("%s: %s", rel, je.text);
    return j;
}

static struct cl_key *
example_key(struct cl_arena *a)
{
    struct cl_error err = {0};
    struct cl_key *key = NULL;

    cl_test_expect(
        "A.5 JWK",
        cl_jwk_parse(cl_test_vector(a, "rfc9901/example-issuer.pub.jwk.json"), NULL, 0, &key, &err),
        CL_OK, &err);
    cl_test_expect("A.5 key defer", cl_key_defer(a, key, &err), CL_OK, &err);
    return key;
}

/* The text of a vector file without its final newline. */
static struct cl_bytes
vector_text(struct cl_arena *a, const char *rel)
{
    struct cl_bytes b = cl_test_vector(a, rel);

    while (b.len > 0 && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r'))
        b.len--;
    return b;
}

static const struct {
    const char *name;
    const char *text;      /* the SD-JWT (+KB) */
    const char *params;    /* typ, aud, nonce, now, vc */
    const char *processed; /* expected processed payload, or NULL */
    bool kb;
} cases[] = {
    {"RFC 9901 §5 presentation", "rfc9901/sec5/sd_jwt_presentation.txt", "rfc9901/sec5/params.json",
     "rfc9901/sec5/processed_payload.json", true},
    {"RFC 9901 §5 issuance", "rfc9901/sec5/sd_jwt_issuance.txt", "rfc9901/sec5/params.json", NULL,
     false},
    {"RFC 9901 A.3 SD-JWT VC presentation", "rfc9901/a3-sd-jwt-vc-pid/sd_jwt_presentation.txt",
     "rfc9901/a3-sd-jwt-vc-pid/params.json", "rfc9901/a3-sd-jwt-vc-pid/processed_payload.json",
     true},
    {"RFC 9901 A.3 SD-JWT VC issuance", "rfc9901/a3-sd-jwt-vc-pid/sd_jwt_issuance.txt",
     "rfc9901/a3-sd-jwt-vc-pid/params.json", NULL, false},
    {"SD-JWT VC Figure 8/9 (kid, KB)", "sd-jwt-vc-draft/fig08-presentation-kb.txt",
     "sd-jwt-vc-draft/fig08-params.json", "sd-jwt-vc-draft/fig09-processed.json", true},
    {"SD-JWT VC Figure 10/11 (no KB)", "sd-jwt-vc-draft/fig10-presentation-no-kb.txt",
     "sd-jwt-vc-draft/fig10-params.json", "sd-jwt-vc-draft/fig11-processed.json", false},
    {"SD-JWT VC Figure 26/28 (PID, KB)", "sd-jwt-vc-draft/fig26-pid-presentation-kb.txt",
     "sd-jwt-vc-draft/fig26-params.json", "sd-jwt-vc-draft/fig28-processed.json", true},
};

static void
test_published_presentations(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(cases); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_sdjwt_verify_opts o;
        struct cl_sdjwt_verified v;
        json_t *params, *want = NULL;
        const char *typs[2];

        cl_arena_init(&a, 0, 0, 0);
        params = load_json(&a, cases[i].params);
        memset(&o, 0, sizeof o);
        o.issuer_key = example_key(&a);
        typs[0] = json_string_value(json_object_get(params, "typ"));
        typs[1] = NULL;
        o.typs = typs;
        o.vc = json_is_true(json_object_get(params, "vc"));
        o.require_kb = cases[i].kb;
        o.aud = cases[i].kb ? json_string_value(json_object_get(params, "aud")) : NULL;
        o.nonce = cases[i].kb ? json_string_value(json_object_get(params, "nonce")) : NULL;
        o.now = (int64_t)json_integer_value(json_object_get(params, "now"));
        cl_test_expect(cases[i].name,
                       cl_sdjwt_verify(&a, vector_text(&a, cases[i].text), &o, &v, &err), CL_OK,
                       &err);
        if (cases[i].kb && !v.key_bound)
            fail_msg("%s: not key bound", cases[i].name);
        if (cases[i].processed != NULL) {
            want = load_json(&a, cases[i].processed);
            if (!json_equal(want, v.claims)) {
                char *got = json_dumps(v.claims, JSON_SORT_KEYS);

                fail_msg("%s: processed payload differs: %s", cases[i].name, got);
            }
        }
        /* the same bytes verify as an SD-JWT with an unrelated nonce only when KB is off */
        json_decref(want);
        json_decref(params);
        cl_arena_fini(&a);
    }
}

/* Build a one-disclosure SD-JWT around a published disclosure so the parser computes its
 * digest from the received string (the payload does not reference it: parse only). */
static void
check_disclosure(const char *name, const char *disclosure, const char *digest,
                 const json_t *contents)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_key *key = NULL;
    struct cl_bytes jws;
    struct cl_sdjwt sd;
    char *text;

    cl_arena_init(&a, 0, 0, 0);
    cl_test_expect(name, cl_key_generate(CL_CURVE_P256, &key, &err), CL_OK, &err);
    cl_test_expect(name, cl_key_defer(&a, key, &err), CL_OK, &err);
    cl_test_expect(name, cl_jws_sign(&a, key, NULL, cl_bytes_str("{}"), &jws, &err), CL_OK, &err);
    text = cl_arena_printf(&a, "%.*s~%s~", (int)jws.len, (const char *)jws.ptr, disclosure);
    cl_test_expect(name, cl_sdjwt_parse(&a, cl_bytes_str(text), NULL, &sd, &err), CL_OK, &err);
    if (sd.ndisclosures != 1 || strcmp(sd.disclosures[0].digest, digest) != 0)
        fail_msg("%s: digest %s, want %s", name, sd.disclosures[0].digest, digest);
    if (contents != NULL) {
        json_t *got = disclosure_array(&sd.disclosures[0]);

        if (!json_equal(got, contents))
            fail_msg("%s: contents differ", name);
        json_decref(got);
    }
    cl_arena_fini(&a);
}

static void
test_disclosure_digests(void **state)
{
    struct cl_arena a;
    json_t *j, *t;
    size_t i, n = 0;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    j = load_json(&a, "rfc9901/disclosure-digests.json");
    json_array_foreach(json_object_get(j, "triples"), i, t)
    {
        char name[48];

        snprintf(name, sizeof name, "triple at line %lld",
                 (long long)json_integer_value(json_object_get(t, "line")));
        check_disclosure(name, json_string_value(json_object_get(t, "disclosure")),
                         json_string_value(json_object_get(t, "digest")),
                         json_object_get(t, "contents"));
        n++;
    }
    json_array_foreach(json_object_get(j, "encoding_variants"), i, t)
    {
        check_disclosure(json_string_value(json_object_get(t, "note")),
                         json_string_value(json_object_get(t, "disclosure")),
                         json_string_value(json_object_get(t, "sha256_b64u")),
                         json_object_get(t, "contents"));
        n++;
    }
    if (n < 87)
        fail_msg("only %zu disclosure rows", n);
    json_decref(j);
    cl_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_presentations),
        cmocka_unit_test(test_disclosure_digests),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
