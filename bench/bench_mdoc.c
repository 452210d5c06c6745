/*
 * bench_mdoc.c - mdoc verification against its physical bound: one DeviceResponse with one
 * document, 10 elements and a device signature holds two ECDSA P-256 verifications
 * (issuerAuth, deviceSignature), so `openssl speed ecdsap256` verify/s divided by two bounds
 * it. Trust anchors and DS chains are cached (cl_mdoc_trust). Also issue/s and present/s.
 * In CPU time, as `openssl speed` counts (bench.h).
 * The in-process bound (two cl_ecdsa_verify, alternated with the verification in the same
 * run) is printed too: robust to a shared machine, unlike a figure from another process.
 * Usage: bench_mdoc [--openssl-verify N] [--json FILE] [--seconds S] [--wall]
 *                   [--case verify|uncached|issue|present]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/crypto.h"
#include "cardless/mdoc.h"
#include "cardless/time.h"

#include "bench.h"
#include "es256_bound.h"

#define NS "kr.go.mois.resident_card.1"
#define DAY 86400

struct ctx {
    struct cl_key *iaca_key, *ds_key, *dev;
    struct cl_x509_cert *iaca, *ds;
    struct cl_x509_list anchors;
    struct cl_mdoc_trust *trust;
    struct cl_arena a; /* long-lived: elements, transcript, parsed credential */
    struct cl_mdoc_issue_elem elems[10];
    struct cl_mdoc_issue_params ip;
    struct cl_bytes ds_der, cred, resp;
    struct cl_mdoc_issuer_signed is;
    struct cl_bytes doctype;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_sel sel[10];
    int64_t at;
    struct es256_bound bound; /* the in-process bound: two ES256 verifications */
};

static int
op_issue(void *p)
{
    struct ctx *c = p;
    struct cl_arena a;
    struct cl_buf out;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&out);
    rc = cl_mdoc_issue(&a, &c->ip, &out, NULL);
    cl_buf_fini(&out);
    cl_arena_fini(&a);
    return rc;
}

/* The DeviceResponse disclosing the 10 elements, into out. */
static cl_err
present(struct ctx *c, struct cl_arena *a, struct cl_buf *out)
{
    struct cl_mdoc_present_params pp;

    memset(&pp, 0, sizeof pp);
    pp.doctype = c->doctype;
    pp.cred = &c->is;
    pp.sel = c->sel;
    pp.n_sel = 10;
    pp.device_key = c->dev;
    pp.transcript = &c->t;
    return cl_mdoc_present(a, &pp, out, NULL);
}

static int
op_present(void *p)
{
    struct cl_arena a;
    struct cl_buf out;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&out);
    rc = present(p, &a, &out);
    cl_buf_fini(&out);
    cl_arena_fini(&a);
    return rc;
}

/* Verify the response with the trust cache (cached) or from the anchors alone. */
static cl_err
verify(struct ctx *c, bool cached)
{
    struct cl_mdoc_verify_opts o;
    struct cl_mdoc_verified *v;
    struct cl_arena a;
    size_t n;
    cl_err rc;

    memset(&o, 0, sizeof o);
    if (cached)
        o.trust = c->trust;
    else
        o.anchors = &c->anchors;
    o.at = c->at;
    o.transcript = &c->t;
    cl_arena_init(&a, 16384, 0, 0);
    rc = cl_mdoc_verify(&a, c->resp, &o, &v, &n, NULL);
    if (rc == CL_OK && (n != 1 || v[0].n_claims != 10))
        rc = CL_ERR_INTERNAL;
    cl_arena_fini(&a);
    return rc;
}

static int
op_verify(void *p)
{
    return verify(p, true);
}

static int
op_verify_uncached(void *p)
{
    return verify(p, false);
}

/* Two ECDSA P-256 verifications with cardless's own crypto: what a response needs at least. */
static int
op_two_es256(void *p)
{
    return es256_bound_run(&((struct ctx *)p)->bound);
}

static int
setup(struct ctx *c)
{
    static const char *const names[10] = {
        "family_name_ko",   "given_name_ko", "family_name_en",    "given_name_en", "birth_date",
        "resident_address", "issue_date",    "issuing_authority", "age_over_19",   "age_over_65"};
    struct cl_x509_params p;
    struct cl_buf b;
    int64_t t0 = cl_now() - DAY;

    cl_arena_init(&c->a, 0, 0, 0);
    if (cl_key_generate(CL_CURVE_P256, &c->iaca_key, NULL) != CL_OK ||
        cl_key_generate(CL_CURVE_P256, &c->ds_key, NULL) != CL_OK ||
        cl_key_generate(CL_CURVE_P256, &c->dev, NULL) != CL_OK ||
        es256_bound_init(&c->bound, c->ds_key) != 0)
        return -1;
    cl_x509_params_iaca(&p);
    p.country = "KR";
    p.common_name = "Bench IACA";
    p.not_before = t0;
    if (cl_x509_iaca_make(&p, c->iaca_key, &c->iaca, NULL) != CL_OK)
        return -1;
    cl_x509_params_ds(&p);
    p.country = "KR";
    p.common_name = "Bench DS";
    p.not_before = t0;
    if (cl_x509_ds_make(&p, c->iaca, c->iaca_key, c->ds_key, &c->ds, NULL) != CL_OK)
        return -1;
    cl_x509_list_init(&c->anchors);
    if (cl_x509_list_add(&c->anchors, c->iaca, NULL) != CL_OK ||
        cl_mdoc_trust_new(&c->anchors, &c->trust, NULL) != CL_OK)
        return -1;
    for (int i = 0; i < 10; i++) {
        c->elems[i].ns = NS;
        c->elems[i].element_id = names[i];
        c->elems[i].value = i >= 8 ? cl_cbor_new_bool(&c->a, i == 8)
                                   : cl_cbor_new_cstr(&c->a, "a typical value of 24 bytes");
        c->sel[i].ns = cl_bytes_str(NS);
        c->sel[i].element_id = cl_bytes_str(names[i]);
    }
    c->ds_der = cl_x509_cert_der(c->ds);
    c->ip.doctype = NS;
    c->ip.elems = c->elems;
    c->ip.n_elems = 10;
    c->ip.ds_key = c->ds_key;
    c->ip.x5chain = &c->ds_der;
    c->ip.n_x5chain = 1;
    c->ip.device_key = c->dev;
    c->ip.signed_at = t0 + 60;
    c->ip.valid_from = t0 + 60;
    c->ip.valid_until = t0 + 300 * DAY;
    c->at = t0 + 2 * DAY;
    cl_buf_init(&b);
    if (cl_mdoc_issue(&c->a, &c->ip, &b, NULL) != CL_OK)
        return -1;
    c->cred = cl_arena_copy(&c->a, cl_buf_bytes(&b));
    cl_buf_reset(&b);
    if (cl_mdoc_credential_parse(&c->a, c->cred, NULL, &c->doctype, &c->is, NULL) != CL_OK ||
        cl_mdoc_transcript_make_test(cl_bytes_str("bench nonce"), &b, NULL) != CL_OK ||
        cl_mdoc_transcript_read(&c->a, cl_arena_copy(&c->a, cl_buf_bytes(&b)), &c->t, NULL) !=
            CL_OK)
        return -1;
    cl_buf_fini(&b);
    cl_buf_init(&b);
    if (present(c, &c->a, &b) != CL_OK)
        return -1;
    c->resp = cl_arena_copy(&c->a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return verify(c, true) == CL_OK && verify(c, false) == CL_OK ? 0 : -1;
}

int
main(int argc, char **argv)
{
    static struct ctx c;
    double ossl_verify = 0, v, bound;
    const char *only = NULL;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (bench_option(argc, argv, &i) || i + 1 >= argc)
            continue;
        if (strcmp(argv[i], "--openssl-verify") == 0)
            ossl_verify = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--case") == 0)
            only = argv[++i];
    }
    if (setup(&c) != 0) {
        fprintf(stderr, "bench_mdoc: setup failed\n");
        return 2;
    }
    bench_header("benchmark (one core)");
    if (only == NULL || strcmp(only, "verify") == 0) {
        bench_rate_pair(op_two_es256, op_verify, &c, &bound, &v);
        /* the bound: two ECDSA P-256 verifications per response (issuerAuth, deviceSignature) */
        bench_record("mdoc_verify_10_elements_cached", v, "ops/s",
                     ossl_verify > 0 ? "openssl ecdsap256 verify / 2" : NULL, ossl_verify / 2);
        bench_record("mdoc_verify_vs_cardless_2_es256", v, "ops/s",
                     "2 cl_ecdsa_verify (in process)", bound);
    }
    if (only == NULL || strcmp(only, "uncached") == 0) {
        v = bench_rate(op_verify_uncached, &c);
        bench_record("mdoc_verify_10_elements_uncached", v, "ops/s",
                     ossl_verify > 0 ? "openssl ecdsap256 verify / 2" : NULL, ossl_verify / 2);
    }
    if (only == NULL || strcmp(only, "issue") == 0) {
        v = bench_rate(op_issue, &c);
        bench_record("mdoc_issue_10_elements", v, "ops/s", NULL, 0);
    }
    if (only == NULL || strcmp(only, "present") == 0) {
        v = bench_rate(op_present, &c);
        bench_record("mdoc_present_10_elements", v, "ops/s", NULL, 0);
    }
    printf("(DeviceResponse of %zu bytes; verification at a time inside the cached DS window)\n",
           c.resp.len);

    rc = bench_finish();
    cl_mdoc_trust_free(c.trust);
    cl_x509_list_fini(&c.anchors);
    cl_x509_cert_free(c.iaca);
    cl_x509_cert_free(c.ds);
    cl_key_free(c.iaca_key);
    cl_key_free(c.ds_key);
    cl_key_free(c.dev);
    cl_arena_fini(&c.a);
    return rc;
}
