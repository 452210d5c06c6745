/* test_oom.c - every allocation of issue, present and verify fails in turn: each run ends in
 * CL_ERR_NOMEM (never another code, a crash or a leak) until the call succeeds. */
#include "support.h"

#include <string.h>

#include "cardless/alloc.h"
#include "cardless/mdoc.h"
#include "cardless/time.h"

#define D "iso18013-5-annex-d/"
#define NS "kr.go.mois.resident_card.1"

static struct {
    struct cl_arena a; /* vectors, made before any failure is injected */
    struct cl_x509_list anchors;
    struct cl_key *reader, *ds_key, *dev, *iaca_key;
    struct cl_x509_cert *iaca, *ds;
    struct cl_bytes resp, st, ds_der;
} F;

static int
setup(void **state)
{
    struct cl_x509_params p;

    (void)state;
    cl_arena_init(&F.a, 0, 0, 0);
    cl_x509_list_init(&F.anchors);
    assert_int_equal(
        cl_x509_list_read(cl_test_vector(&F.a, D "iaca-cert.pem"), 4, &F.anchors, NULL), CL_OK);
    assert_int_equal(cl_key_from_pem(cl_test_vector(&F.a, D "ereader-key.pem"), &F.reader, NULL),
                     CL_OK);
    F.resp = cl_test_vector(&F.a, D "device-response.cbor");
    F.st = cl_test_vector(&F.a, D "session-transcript-bytes.cbor");
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &F.iaca_key, NULL), CL_OK);
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &F.ds_key, NULL), CL_OK);
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &F.dev, NULL), CL_OK);
    cl_x509_params_iaca(&p);
    p.country = "KR";
    p.common_name = "OOM IACA";
    assert_int_equal(cl_x509_iaca_make(&p, F.iaca_key, &F.iaca, NULL), CL_OK);
    cl_x509_params_ds(&p);
    p.country = "KR";
    p.common_name = "OOM DS";
    assert_int_equal(cl_x509_ds_make(&p, F.iaca, F.iaca_key, F.ds_key, &F.ds, NULL), CL_OK);
    F.ds_der = cl_x509_cert_der(F.ds);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    cl_key_free(F.reader);
    cl_key_free(F.ds_key);
    cl_key_free(F.dev);
    cl_key_free(F.iaca_key);
    cl_x509_cert_free(F.iaca);
    cl_x509_cert_free(F.ds);
    cl_x509_list_fini(&F.anchors);
    cl_arena_fini(&F.a);
    return 0;
}

/* Annex D: transcript, trust cache, parse and verify */
static cl_err
do_verify(struct cl_error *err)
{
    struct cl_arena a;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_trust *trust = NULL;
    struct cl_mdoc_verify_opts o;
    struct cl_mdoc_verified *v;
    size_t n;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    memset(&o, 0, sizeof o);
    rc = cl_mdoc_transcript_read(&a, F.st, &t, err);
    if (rc == CL_OK)
        rc = cl_mdoc_trust_new(&F.anchors, &trust, err);
    if (rc == CL_OK) {
        o.trust = trust;
        o.transcript = &t;
        o.reader_key = F.reader;
        assert_int_equal(cl_rfc3339_parse(cl_bytes_str("2021-01-01T00:00:00Z"), &o.at, NULL, NULL),
                         CL_OK);
        rc = cl_mdoc_verify(&a, F.resp, &o, &v, &n, err);
    }
    cl_mdoc_trust_free(trust);
    cl_arena_fini(&a);
    return rc;
}

/* issue, then present from the credential */
static cl_err
do_issue_present(struct cl_error *err)
{
    struct cl_arena a;
    struct cl_mdoc_issue_elem e[2];
    struct cl_mdoc_issue_params ip;
    struct cl_mdoc_present_params pp;
    struct cl_mdoc_issuer_signed is;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_sel sel[2];
    struct cl_bytes dt;
    struct cl_buf cred, resp, st;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&cred);
    cl_buf_init(&resp);
    cl_buf_init(&st);
    e[0] = (struct cl_mdoc_issue_elem){NS, "family_name_ko", cl_cbor_new_cstr(&a, "홍")};
    e[1] = (struct cl_mdoc_issue_elem){NS, "age_over_19", cl_cbor_new_bool(&a, true)};
    if (e[0].value == NULL || e[1].value == NULL) { /* the test's own allocations */
        cl_arena_fini(&a);
        return CL_ERR_NOMEM;
    }
    memset(&ip, 0, sizeof ip);
    ip.doctype = NS;
    ip.elems = e;
    ip.n_elems = 2;
    ip.ds_key = F.ds_key;
    ip.x5chain = &F.ds_der;
    ip.n_x5chain = 1;
    ip.device_key = F.dev;
    ip.valid_from = cl_now();
    ip.valid_until = ip.valid_from + 86400;
    ip.status_uri = "https://status.example/1";
    rc = cl_mdoc_issue(&a, &ip, &cred, err);
    if (rc == CL_OK)
        rc = cl_mdoc_credential_parse(&a, cl_buf_bytes(&cred), NULL, &dt, &is, err);
    if (rc == CL_OK)
        rc = cl_mdoc_transcript_make_test(cl_bytes_str("n"), &st, err);
    if (rc == CL_OK)
        rc = cl_mdoc_transcript_read(&a, cl_buf_bytes(&st), &t, err);
    if (rc == CL_OK) {
        sel[0] = (struct cl_mdoc_sel){cl_bytes_str(NS), cl_bytes_str("age_over_19")};
        sel[1] = (struct cl_mdoc_sel){cl_bytes_str(NS), cl_bytes_str("missing")};
        memset(&pp, 0, sizeof pp);
        pp.doctype = dt;
        pp.cred = &is;
        pp.sel = sel;
        pp.n_sel = 2;
        pp.device_key = F.dev;
        pp.transcript = &t;
        rc = cl_mdoc_present(&a, &pp, &resp, err);
    }
    cl_buf_fini(&cred);
    cl_buf_fini(&resp);
    cl_buf_fini(&st);
    cl_arena_fini(&a);
    return rc;
}

static void
torture(const char *name, cl_err (*fn)(struct cl_error *))
{
    for (unsigned long n = 1;; n++) {
        struct cl_error err = {0};
        cl_err rc;

        cl_alloc_fail_at(n);
        rc = fn(&err);
        cl_alloc_fail_at(0);
        if (rc == CL_OK)
            break;
        if (rc != CL_ERR_NOMEM)
            fail_msg("%s: allocation %lu failed: got %s, want nomem (%s: %s)", name, n,
                     cl_err_name(rc), err.where, err.msg);
        if (n > 100000)
            fail_msg("%s: never succeeds", name);
    }
}

static void
test_verify_oom(void **state)
{
    (void)state;
    torture("verify", do_verify);
}

static void
test_issue_present_oom(void **state)
{
    (void)state;
    torture("issue+present", do_issue_present);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_oom),
        cmocka_unit_test(test_issue_present_oom),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
