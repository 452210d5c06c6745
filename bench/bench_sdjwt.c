/*
 * bench_sdjwt.c - SD-JWT VC verification against its physical bound: one presentation with
 * 10 disclosures and a KB-JWT needs two ES256 verifications (issuer JWT, KB-JWT), so its
 * bound is `openssl speed ecdsap256` verify/s / 2, measured by bench/run.sh in the same run.
 * Also issuance and presentation. Prints a table and appends JSON records.
 * Usage: bench_sdjwt [--wall] [--openssl-verify N] [--json FILE] [--seconds S] [--case
 * verify|present|issue]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cardless/crypto.h"
#include "cardless/jose.h"
#include "cardless/sdjwt.h"

static double seconds_per_case = 1.0;

/* CPU time of this process, as `openssl speed` measures (its default is user CPU time): the
 * bound and this figure are then comparable on a shared machine where wall time includes the
 * time other processes hold the core. --wall measures wall time instead. */
static clockid_t bench_clock = CLOCK_PROCESS_CPUTIME_ID;

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(bench_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run fn until seconds_per_case passed; return operations per second. */
static double
rate(int (*fn)(void *), void *ctx)
{
    double start = now_s(), t;
    long n = 0;

    do {
        for (int i = 0; i < 16; i++) {
            if (fn(ctx) != 0) {
                fprintf(stderr, "bench: operation failed\n");
                exit(2);
            }
        }
        n += 16;
        t = now_s() - start;
    } while (t < seconds_per_case);
    return (double)n / t;
}

/* Run fa and fb in alternating slices of about 20 ms until seconds_per_case passed for each,
 * so that both see the same load on a shared machine; their rates in *ra and *rb. */
static void
rate_pair(int (*fa)(void *), int (*fb)(void *), void *ctx, double *ra, double *rb)
{
    double ta = 0, tb = 0;
    long na = 0, nb = 0;

    while (ta < seconds_per_case || tb < seconds_per_case) {
        for (int k = 0; k < 2; k++) {
            int (*fn)(void *) = k == 0 ? fa : fb;
            double start = now_s(), t;
            long n = 0;

            do {
                for (int i = 0; i < 8; i++) {
                    if (fn(ctx) != 0) {
                        fprintf(stderr, "bench: operation failed\n");
                        exit(2);
                    }
                }
                n += 8;
                t = now_s() - start;
            } while (t < 0.02);
            if (k == 0) {
                ta += t;
                na += n;
            } else {
                tb += t;
                nb += n;
            }
        }
    }
    *ra = (double)na / ta;
    *rb = (double)nb / tb;
}

#define NCLAIMS 10

struct ctx {
    struct cl_key *issuer, *holder;
    json_t *claims;
    const char *sd[NCLAIMS];
    struct cl_arena keep;
    struct cl_bytes cred, pres;
    int64_t now;
    uint8_t msg[64], sig[CL_ECDSA_RAW_MAX];
    size_t sig_len;
};

static int
op_issue(void *p)
{
    struct ctx *c = p;
    struct cl_arena a;
    struct cl_sdjwt_issue_opts io;
    struct cl_bytes out;
    cl_err rc;

    memset(&io, 0, sizeof io);
    io.issuer_key = c->issuer;
    io.sd = c->sd;
    io.nsd = NCLAIMS;
    io.vc = true;
    cl_arena_init(&a, 0, 0, 0);
    rc = cl_sdjwt_issue(&a, c->claims, &io, &out, NULL);
    cl_arena_fini(&a);
    return rc;
}

static int
op_present(void *p)
{
    struct ctx *c = p;
    struct cl_arena a;
    struct cl_sdjwt_present_opts po;
    struct cl_bytes out;
    cl_err rc;

    memset(&po, 0, sizeof po);
    po.disclose = c->sd;
    po.ndisclose = NCLAIMS;
    po.holder_key = c->holder;
    po.aud = "https://bank.example.kr";
    po.nonce = "7f3a9c1e2b";
    po.iat = c->now;
    cl_arena_init(&a, 0, 0, 0);
    rc = cl_sdjwt_present(&a, c->cred, &po, &out, NULL);
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

/* The in-process bound: the two ES256 verifications a presentation needs, with cardless's
 * own crypto (robust to a loaded machine, unlike a figure measured by another process). */
static int
op_two_es256(void *p)
{
    struct ctx *c = p;
    cl_err rc = cl_ecdsa_verify(c->issuer, CL_HASH_SHA256, cl_bytes_of(c->msg, 64),
                                cl_bytes_of(c->sig, c->sig_len), NULL);

    if (rc == CL_OK)
        rc = cl_ecdsa_verify(c->issuer, CL_HASH_SHA256, cl_bytes_of(c->msg, 64),
                             cl_bytes_of(c->sig, c->sig_len), NULL);
    return rc;
}

static json_t *records;

static void
record(const char *name, double value, const char *unit, const char *against, double other)
{
    json_t *r = json_pack("{s:s,s:f,s:s}", "name", name, "value", value, "unit", unit);

    if (against != NULL && other > 0) {
        json_object_set_new(r, "compared_with", json_string(against));
        json_object_set_new(r, "compared_value", json_real(other));
        json_object_set_new(r, "ratio", json_real(value / other));
        printf("%-40s %12.1f %-6s %-34s %10.1f %6.2f\n", name, value, unit, against, other,
               value / other);
    } else {
        printf("%-40s %12.1f %-6s\n", name, value, unit);
    }
    json_array_append_new(records, r);
}

static const char *const names[NCLAIMS] = {
    "family_name_ko",   "given_name_ko", "family_name_en",    "given_name_en", "birth_date",
    "resident_address", "issue_date",    "issuing_authority", "nationality",   "age_over_19"};

int
main(int argc, char **argv)
{
    struct ctx c;
    double ossl_verify = 0, v;
    const char *json_path = NULL, *only = NULL;
    json_t *jwk = NULL;
    struct cl_sdjwt_present_opts po;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--wall") == 0) {
            bench_clock = CLOCK_MONOTONIC;
            continue;
        }
        if (i + 1 >= argc)
            break;
        if (strcmp(argv[i], "--openssl-verify") == 0)
            ossl_verify = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--json") == 0)
            json_path = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds_per_case = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--case") == 0)
            only = argv[i + 1];
        i++; /* the option's value */
    }
    records = json_array();
    memset(&c, 0, sizeof c);
    c.now = 1800000000;
    for (size_t i = 0; i < sizeof c.msg; i++)
        c.msg[i] = (uint8_t)i;
    if (cl_key_generate(CL_CURVE_P256, &c.issuer, NULL) != CL_OK ||
        cl_ecdsa_sign(c.issuer, CL_HASH_SHA256, cl_bytes_of(c.msg, 64), c.sig, &c.sig_len, NULL) !=
            CL_OK ||
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
    {
        struct cl_sdjwt_issue_opts io;

        memset(&io, 0, sizeof io);
        io.issuer_key = c.issuer;
        io.sd = c.sd;
        io.nsd = NCLAIMS;
        io.vc = true;
        memset(&po, 0, sizeof po);
        po.disclose = c.sd;
        po.ndisclose = NCLAIMS;
        po.holder_key = c.holder;
        po.aud = "https://bank.example.kr";
        po.nonce = "7f3a9c1e2b";
        po.iat = c.now;
        if (cl_sdjwt_issue(&c.keep, c.claims, &io, &c.cred, NULL) != CL_OK ||
            cl_sdjwt_present(&c.keep, c.cred, &po, &c.pres, NULL) != CL_OK || op_verify(&c) != 0)
            return 2;
    }

    printf("%-40s %12s %-6s %-34s %10s %6s\n", "benchmark (one core)", "value", "unit",
           "compared with", "other", "ratio");
    if (only == NULL || strcmp(only, "verify") == 0) {
        double bound;

        rate_pair(op_two_es256, op_verify, &c, &bound, &v);
        record("sdjwt_verify_10_disclosures_kb", v, "ops/s",
               ossl_verify > 0 ? "2 ES256 verifications (openssl/2)" : NULL, ossl_verify / 2);
        record("sdjwt_verify_vs_cardless_2_es256", v, "ops/s", "2 cl_ecdsa_verify (in process)",
               bound);
    }
    if (only == NULL || strcmp(only, "present") == 0) {
        v = rate(op_present, &c);
        record("sdjwt_present_10_disclosures_kb", v, "ops/s", NULL, 0);
    }
    if (only == NULL || strcmp(only, "issue") == 0) {
        v = rate(op_issue, &c);
        record("sdjwt_issue_10_disclosures", v, "ops/s", NULL, 0);
    }

    if (json_path != NULL) {
        json_t *all = json_load_file(json_path, 0, NULL);
        size_t i;
        json_t *r;

        if (!json_is_array(all)) {
            json_decref(all);
            all = json_array();
        }
        json_array_foreach(records, i, r) json_array_append(all, r);
        if (json_dump_file(all, json_path, JSON_INDENT(2)) != 0)
            fprintf(stderr, "bench: cannot write %s\n", json_path);
        json_decref(all);
    }
    json_decref(records);
    json_decref(c.claims);
    cl_arena_fini(&c.keep);
    cl_key_free(c.issuer);
    cl_key_free(c.holder);
    return 0;
}
