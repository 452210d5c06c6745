/*
 * bench_core.c - the cryptographic core against its physical bound: ES256 sign and verify,
 * SHA-256, JWS verification and CBOR decoding on one core, beside `openssl speed ecdsap256`
 * measured by bench/run.sh in the same run, in CPU time (bench.h). Prints a table and appends
 * JSON records.
 * Usage: bench_core [--openssl-sign N --openssl-verify N] [--json FILE] [--seconds S] [--wall]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/cbor.h"
#include "cardless/crypto.h"
#include "cardless/jose.h"

#include "bench.h"

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

int
main(int argc, char **argv)
{
    struct ctx c;
    double ossl_sign = 0, ossl_verify = 0;
    struct cl_arena a;
    struct cl_buf cb;
    double v;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (bench_option(argc, argv, &i) || i + 1 >= argc)
            continue;
        if (strcmp(argv[i], "--openssl-sign") == 0)
            ossl_sign = strtod(argv[++i], NULL);
        else if (strcmp(argv[i], "--openssl-verify") == 0)
            ossl_verify = strtod(argv[++i], NULL);
    }
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

    bench_header("benchmark (one core)");
    v = bench_rate(op_sign, &c);
    bench_record("es256_sign", v, "ops/s", ossl_sign > 0 ? "openssl speed ecdsap256 sign" : NULL,
                 ossl_sign);
    v = bench_rate(op_verify, &c);
    bench_record("es256_verify", v, "ops/s",
                 ossl_verify > 0 ? "openssl speed ecdsap256 verify" : NULL, ossl_verify);
    v = bench_rate(op_jws_verify, &c);
    bench_record("jws_es256_parse_verify", v, "ops/s",
                 ossl_verify > 0 ? "openssl speed ecdsap256 verify" : NULL, ossl_verify);
    v = bench_rate(op_key_import, &c);
    bench_record("p256_public_key_import", v, "ops/s", NULL, 0);
    v = bench_rate(op_sha256, &c);
    bench_record("sha256_1KiB", v * 1024 / 1e6, "MB/s", NULL, 0);
    v = bench_rate(op_cbor_decode, &c);
    bench_record("cbor_decode_10_tag24_items", v, "ops/s", NULL, 0);

    rc = bench_finish();
    cl_buf_fini(&cb);
    cl_arena_fini(&a);
    cl_key_free(c.key);
    return rc;
}
