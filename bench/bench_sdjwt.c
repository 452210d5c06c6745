/*
 * bench_sdjwt.c - SD-JWT VC verification against its physical bound: one presentation with
 * 10 disclosures and a KB-JWT needs two ES256 verifications (issuer JWT, KB-JWT), so its
 * bound is `openssl speed ecdsap256` verify/s / 2, measured by bench/run.sh in the same run.
 * Also issuance and presentation. In CPU time, as `openssl speed` counts, or wall time with
 * --wall (bench.h). Prints a table and appends JSON records.
 * Usage: bench_sdjwt [--wall] [--openssl-verify N] [--json FILE] [--seconds S] [--case
 * verify|parse|present|issue]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/crypto.h"
#include "cardless/jose.h"
#include "cardless/sdjwt.h"

#include "bench.h"
#include "es256_bound.h"

#define NCLAIMS 10

struct ctx {
    struct cl_key *issuer, *holder;
    json_t *claims;
    const char *sd[NCLAIMS];
    struct cl_arena keep;
    struct cl_bytes cred, pres;
    int64_t now;
    struct es256_bound bound; /* the in-process bound: two ES256 verifications */
};

/* The credential: 10 disclosable claims, into *out. */
static cl_err
issue(struct ctx *c, struct cl_arena *a, struct cl_bytes *out)
{
    struct cl_sdjwt_issue_opts io;

    memset(&io, 0, sizeof io);
    io.issuer_key = c->issuer;
    io.sd = c->sd;
    io.nsd = NCLAIMS;
    io.vc = true;
    return cl_sdjwt_issue(a, c->claims, &io, out, NULL);
}

/* The presentation of c->cred disclosing the 10 claims, with a KB-JWT, into *out. */
static cl_err
present(struct ctx *c, struct cl_arena *a, struct cl_bytes *out)
{
    struct cl_sdjwt_present_opts po;

    memset(&po, 0, sizeof po);
    po.disclose = c->sd;
    po.ndisclose = NCLAIMS;
    po.holder_key = c->holder;
    po.aud = "https://bank.example.kr";
    po.nonce = "7f3a9c1e2b";
    po.iat = c->now;
    return cl_sdjwt_present(a, c->cred, &po, out, NULL);
}

static int
op_issue(void *p)
{
    struct cl_arena a;
    struct cl_bytes out;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    rc = issue(p, &a, &out);
    cl_arena_fini(&a);
    return rc;
}

static int
op_present(void *p)
{
    struct cl_arena a;
    struct cl_bytes out;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    rc = present(p, &a, &out);
    cl_arena_fini(&a);
    return rc;
}

static int
op_verify(void *p)
{
    struct ctx *c = p;
    struct cl_arena a;
    struct cl_sdjwt_verify_opts vo;
    struct cl_sdjwt_verified v;
    cl_err rc;

    memset(&vo, 0, sizeof vo);
    vo.issuer_key = c->issuer;
    vo.vc = true;
    vo.require_kb = true;
    vo.aud = "https://bank.example.kr";
    vo.nonce = "7f3a9c1e2b";
    vo.now = c->now;
    cl_arena_init(&a, 16384, 0, 0);
    rc = cl_sdjwt_verify(&a, c->pres, &vo, &v, NULL);
    if (rc == CL_OK && v.ndisclosures != NCLAIMS)
        rc = CL_ERR_INTERNAL;
    cl_arena_fini(&a);
    return rc;
}

/* What a verification does besides its signatures and the KB-JWT: parse (with the disclosure
 * digests) and process the payload. Its rate beside verification's says how much of a
 * verification the non-signature work takes (the share is verify/s over this). */
static int
op_parse_process(void *p)
{
    struct ctx *c = p;
    struct cl_arena a;
    struct cl_sdjwt sd;
    json_t *claims;
    cl_err rc;

    cl_arena_init(&a, 16384, 0, 0);
    rc = cl_sdjwt_parse(&a, c->pres, NULL, &sd, NULL);
    if (rc == CL_OK)
        rc = cl_sdjwt_process(&a, &sd, 0, &claims, NULL);
    if (rc == CL_OK && sd.ndisclosures != NCLAIMS)
        rc = CL_ERR_INTERNAL;
    cl_arena_fini(&a);
    return rc;
}

/* The in-process bound: the two ES256 verifications a presentation needs, with cardless's
 * own crypto (robust to a loaded machine, unlike a figure measured by another process). */
static int
op_two_es256(void *p)
{
    return es256_bound_run(&((struct ctx *)p)->bound);
}

static const char *const names[NCLAIMS] = {
    "family_name_ko",   "given_name_ko", "family_name_en",    "given_name_en", "birth_date",
    "resident_address", "issue_date",    "issuing_authority", "nationality",   "age_over_19"};

int
main(int argc, char **argv)
{
    struct ctx c;
    double ossl_verify = 0, v;
    const char *only = NULL;
    int rc;
    json_t *jwk = NULL;

    for (int i = 1; i < argc; i++) {
        if (bench_option(argc, argv, &i) || i + 1 >= argc)
            continue;
        if (strcmp(argv[i], "--openssl-verify") == 0)
            ossl_verify = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--case") == 0)
            only = argv[++i];
    }
    memset(&c, 0, sizeof c);
    c.now = 1800000000;
    if (cl_key_generate(CL_CURVE_P256, &c.issuer, NULL) != CL_OK ||
        es256_bound_init(&c.bound, c.issuer) != 0 ||
        cl_key_generate(CL_CURVE_P256, &c.holder, NULL) != CL_OK ||
        cl_jwk_public_json(c.holder, &jwk, NULL) != CL_OK)
        return 2;
    /* a resident card: iss, iat, exp, vct, cnf, status in the clear, 10 disclosable claims */
    c.claims =
        json_pack("{s:s,s:I,s:I,s:s,s:{s:o},s:{s:{s:i,s:s}}}", "iss", "https://www.mois.go.kr",
                  "iat", (json_int_t)(c.now - 86400), "exp", (json_int_t)(c.now + 86400 * 365),
                  "vct", "https://credentials.gov.kr/resident_card/1", "cnf", "jwk", jwk, "status",
                  "status_list", "idx", 4242, "uri", "https://status.mois.go.kr/1");
    cl_arena_init(&c.keep, 0, 0, 0);
    for (int i = 0; i < NCLAIMS; i++) {
        json_object_set_new(c.claims, names[i],
                            i == NCLAIMS - 1 ? json_true() : json_string("서울특별시 종로구"));
        c.sd[i] = cl_arena_printf(&c.keep, "/%s", names[i]);
    }
    if (issue(&c, &c.keep, &c.cred) != CL_OK || present(&c, &c.keep, &c.pres) != CL_OK ||
        op_verify(&c) != 0)
        return 2;

    bench_header("benchmark (one core)");
    if (only == NULL || strcmp(only, "verify") == 0) {
        double bound;

        bench_rate_pair(op_two_es256, op_verify, &c, &bound, &v);
        bench_record("sdjwt_verify_10_disclosures_kb", v, "ops/s",
                     ossl_verify > 0 ? "2 ES256 verifications (openssl/2)" : NULL, ossl_verify / 2);
        bench_record("sdjwt_verify_vs_cardless_2_es256", v, "ops/s",
                     "2 cl_ecdsa_verify (in process)", bound);
    }
    if (only == NULL || strcmp(only, "parse") == 0) {
        double verify;
        struct bench_fig f;

        bench_rate_pair(op_verify, op_parse_process, &c, &verify, &v);
        memset(&f, 0, sizeof f);
        f.name = "sdjwt_parse_process_10_disclosures";
        f.value = v;
        f.unit = "ops/s";
        f.against = "verification (ratio: runs per verification)";
        f.other = verify;
        f.note = "parse, disclosure digests, payload processing: no signature, no KB-JWT";
        bench_put(&f);
    }
    if (only == NULL || strcmp(only, "present") == 0) {
        v = bench_rate(op_present, &c);
        bench_record("sdjwt_present_10_disclosures_kb", v, "ops/s", NULL, 0);
    }
    if (only == NULL || strcmp(only, "issue") == 0) {
        v = bench_rate(op_issue, &c);
        bench_record("sdjwt_issue_10_disclosures", v, "ops/s", NULL, 0);
    }

    rc = bench_finish();
    json_decref(c.claims);
    cl_arena_fini(&c.keep);
    cl_key_free(c.issuer);
    cl_key_free(c.holder);
    return rc;
}
