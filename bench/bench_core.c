/*
 * bench_core.c - the cryptographic core against its physical bound: ES256 sign and verify,
 * SHA-256, JWS verification and CBOR decoding on one core, beside `openssl speed ecdsap256`
 * measured by bench/run.sh in the same run. Prints a table and appends JSON records.
 * Usage: bench_core [--openssl-sign N --openssl-verify N] [--json FILE] [--seconds S]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cardless/cbor.h"
#include "cardless/crypto.h"
#include "cardless/jose.h"

static double seconds_per_case = 1.0;

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
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

struct ctx {
    struct cl_key *key;
    uint8_t x[CL_EC_COORD_MAX], y[CL_EC_COORD_MAX];
    uint8_t msg[1024];
    uint8_t sig[CL_ECDSA_RAW_MAX];
    size_t sig_len;
    struct cl_bytes jws;
    struct cl_bytes cbor;
};

static int
op_sign(void *p)
{
    struct ctx *c = p;
    uint8_t sig[CL_ECDSA_RAW_MAX];
    size_t n;

    return cl_ecdsa_sign(c->key, CL_HASH_SHA256, cl_bytes_of(c->msg, 64), sig, &n, NULL);
}

static int
op_verify(void *p)
{
    struct ctx *c = p;

    return cl_ecdsa_verify(c->key, CL_HASH_SHA256, cl_bytes_of(c->msg, 64),
                           cl_bytes_of(c->sig, c->sig_len), NULL);
}

/* importing a holder's public key from coordinates (JWK cnf, COSE_Key): once per presentation */
static int
op_key_import(void *p)
{
    struct ctx *c = p;
    struct cl_key *k = NULL;
    cl_err rc = cl_key_from_coords(CL_CURVE_P256, cl_bytes_of(c->x, 32), cl_bytes_of(c->y, 32),
                                   cl_bytes_of(NULL, 0), &k, NULL);

    cl_key_free(k);
    return rc;
}

static int
op_sha256(void *p)
{
    struct ctx *c = p;
    uint8_t d[32];

    return cl_hash(CL_HASH_SHA256, cl_bytes_of(c->msg, sizeof c->msg), d, NULL);
}

static int
op_jws_verify(void *p)
{
    struct ctx *c = p;
    struct cl_arena a;
    struct cl_jws jws;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    rc = cl_jws_parse(&a, c->jws, NULL, &jws, NULL);
    if (rc == CL_OK)
        rc = cl_jws_verify(&jws, c->key, CL_JOSE_ES256, NULL);
    cl_arena_fini(&a);
    return rc;
}

static int
op_cbor_decode(void *p)
{
    struct ctx *c = p;
    struct cl_arena a;
    const struct cl_cbor *item;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    rc = cl_cbor_decode(&a, c->cbor, NULL, &item, NULL);
    cl_arena_fini(&a);
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
        printf("%-34s %14.1f %-10s %-26s %12.1f %6.2f\n", name, value, unit, against, other,
               value / other);
    } else {
        printf("%-34s %14.1f %-10s\n", name, value, unit);
    }
    json_array_append_new(records, r);
}

int
main(int argc, char **argv)
{
    struct ctx c;
    double ossl_sign = 0, ossl_verify = 0;
    const char *json_path = NULL;
    struct cl_arena a;
    struct cl_buf cb;
    double v;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--openssl-sign") == 0)
            ossl_sign = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--openssl-verify") == 0)
            ossl_verify = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--json") == 0)
            json_path = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds_per_case = strtod(argv[i + 1], NULL);
    }
    records = json_array();
    memset(&c, 0, sizeof c);
    for (size_t i = 0; i < sizeof c.msg; i++)
        c.msg[i] = (uint8_t)i;
    if (cl_key_generate(CL_CURVE_P256, &c.key, NULL) != CL_OK ||
        cl_ecdsa_sign(c.key, CL_HASH_SHA256, cl_bytes_of(c.msg, 64), c.sig, &c.sig_len, NULL) !=
            CL_OK)
        return 2;
    if (cl_key_coords(c.key, c.x, c.y, NULL, NULL) != CL_OK)
        return 2;
    cl_arena_init(&a, 0, 0, 0);
    if (cl_jws_sign(&a, c.key, NULL, cl_bytes_str("{\"iss\":\"https://example.kr\"}"), &c.jws,
                    NULL) != CL_OK)
        return 2;
    /* a CBOR document shaped like an mdoc: a map of 10 tag-24 items of 60 bytes */
    cl_buf_init(&cb);
    cl_cbor_put_map(&cb, 10);
    for (int i = 0; i < 10; i++) {
        cl_cbor_put_uint(&cb, (uint64_t)i);
        cl_cbor_put_tag(&cb, 24);
        cl_cbor_put_bytes(&cb, cl_bytes_of(c.msg, 60));
    }
    c.cbor = cl_buf_bytes(&cb);

    printf("%-34s %14s %-10s %-26s %12s %6s\n", "benchmark (one core)", "value", "unit",
           "compared with", "other", "ratio");
    v = rate(op_sign, &c);
    record("es256_sign", v, "ops/s", ossl_sign > 0 ? "openssl speed ecdsap256 sign" : NULL,
           ossl_sign);
    v = rate(op_verify, &c);
    record("es256_verify", v, "ops/s", ossl_verify > 0 ? "openssl speed ecdsap256 verify" : NULL,
           ossl_verify);
    v = rate(op_jws_verify, &c);
    record("jws_es256_parse_verify", v, "ops/s",
           ossl_verify > 0 ? "openssl speed ecdsap256 verify" : NULL, ossl_verify);
    v = rate(op_key_import, &c);
    record("p256_public_key_import", v, "ops/s", NULL, 0);
    v = rate(op_sha256, &c);
    record("sha256_1KiB", v * 1024 / 1e6, "MB/s", NULL, 0);
    v = rate(op_cbor_decode, &c);
    record("cbor_decode_10_tag24_items", v, "ops/s", NULL, 0);

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
    cl_buf_fini(&cb);
    cl_arena_fini(&a);
    cl_key_free(c.key);
    return 0;
}
