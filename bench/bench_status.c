/*
 * bench_status.c - Token Status List on one core: a 1,000,000-entry list (2 bits) verified and
 * inflated once, then O(1) lookups (against a 1,000-entry list: the rate must not depend on
 * the size), and the cache: the second check of the same token is neither verified nor
 * inflated again (counted). In CPU time (bench.h). Prints a table and appends JSON records.
 * Usage: bench_status [--json FILE] [--seconds S] [--wall]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/status.h"

#include "bench.h"

#define URI "https://status.example.kr/lists/bench"
#define AT INT64_C(1800000000)

static void
note_record(const char *name, double value, const char *unit, const char *note)
{
    struct bench_fig f = {name, value, unit, NULL, 0, note, BENCH_NOW};

    bench_put(&f);
}

/* A signed token for a list of n entries, about 1 % of them revoked or suspended. */
static struct cl_bytes
make_token(struct cl_arena *a, const struct cl_key *key, uint64_t n, enum cl_status_format f)
{
    struct cl_status_table *t = NULL;
    struct cl_status_sign_params sp = {0};
    struct cl_error err = {0};
    struct cl_bytes out;
    uint64_t x = 88172645463325252u;

    if (cl_status_table_new(2, n, &t, &err) != CL_OK)
        bench_die("table", &err);
    for (uint64_t i = 0; i < n / 100; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: a fixed pattern */
        if (cl_status_table_set(t, x % n, 1 + (unsigned)(x >> 60) % 2, &err) != CL_OK)
            bench_die("set", &err);
    }
    sp.format = f;
    sp.uri = URI;
    sp.iat = AT - 60;
    sp.exp = AT + 86400;
    sp.ttl = 3600;
    if (cl_status_token_sign(a, t, key, &sp, &out, &err) != CL_OK)
        bench_die("sign", &err);
    cl_status_table_free(t);
    return out;
}

/* Lookups per second at pseudo-random indices; *sum gets a checksum of the values read. */
static double
lookups(const struct cl_status_list *l, uint64_t *sum)
{
    double start = bench_now(), t;
    uint64_t n = 0, s = 0, x = 0x9E3779B97F4A7C15u;
    unsigned v;

    do {
        for (int i = 0; i < 4096; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (cl_status_list_get(l, x % l->count, &v, NULL) != CL_OK)
                exit(2);
            s += v;
        }
        n += 4096;
        t = bench_now() - start;
    } while (t < bench_seconds());
    *sum = s;
    return (double)n / t;
}

int
main(int argc, char **argv)
{
    struct cl_arena a, va;
    struct cl_key *key = NULL;
    struct cl_error err = {0};
    struct cl_status_trust trust = {0};
    struct cl_status_token big, small;
    struct cl_status_cache *cache = NULL;
    struct cl_status_cache_stats st;
    struct cl_bytes jwt, cwt, jwt_small;
    double t0, once_jwt, once_cwt, r_big, r_small, miss, hit;
    uint64_t sum_big, sum_small, n_hits = 0;
    unsigned v;
    char note[128];
    int rc;

    for (int i = 1; i < argc; i++)
        (void)bench_option(argc, argv, &i);
    cl_arena_init(&a, 0, 0, 0);
    if (cl_key_generate(CL_CURVE_P256, &key, &err) != CL_OK)
        bench_die("key", &err);
    trust.key = key;
    jwt = make_token(&a, key, 1000000, CL_STATUS_JWT);
    cwt = make_token(&a, key, 1000000, CL_STATUS_CWT);
    jwt_small = make_token(&a, key, 1000, CL_STATUS_JWT);
    printf("bench: status list, 1,000,000 entries of 2 bits: JWT %zu bytes, CWT %zu bytes\n",
           jwt.len, cwt.len);

    /* verify + inflate once: the whole cost a relying party pays per list */
    cl_arena_init(&va, 0, 0, 0);
    t0 = bench_now();
    if (cl_status_token_parse_verify(&va, jwt, &trust, URI, AT, NULL, &big, &err) != CL_OK)
        bench_die("verify jwt", &err);
    once_jwt = (bench_now() - t0) * 1e3;
    cl_arena_fini(&va);
    cl_arena_init(&va, 0, 0, 0);
    t0 = bench_now();
    if (cl_status_token_parse_verify(&va, cwt, &trust, URI, AT, NULL, &big, &err) != CL_OK)
        bench_die("verify cwt", &err);
    once_cwt = (bench_now() - t0) * 1e3;
    if (cl_status_token_parse_verify(&a, jwt_small, &trust, URI, AT, NULL, &small, &err) != CL_OK)
        bench_die("verify small", &err);
    note_record("status: JWT verify + inflate 1M list, once", once_jwt, "ms", NULL);
    note_record("status: CWT verify + inflate 1M list, once", once_cwt, "ms", NULL);

    /* O(1) lookups: the same rate at 1,000 and 1,000,000 entries */
    r_big = lookups(&big.list, &sum_big);
    r_small = lookups(&small.list, &sum_small);
    snprintf(note, sizeof note, "checksum %llu", (unsigned long long)sum_big);
    note_record("status: lookup in 1,000,000 entries", r_big, "lookups/s", note);
    snprintf(note, sizeof note, "ratio 1M/1k %.2f (1.00 = O(1))", r_big / r_small);
    note_record("status: lookup in 1,000 entries", r_small, "lookups/s", note);
    cl_arena_fini(&va);

    /* the cache: the first check verifies and inflates, the next ones do neither */
    if (cl_status_cache_new(4, &cache, &err) != CL_OK)
        bench_die("cache", &err);
    t0 = bench_now();
    if (cl_status_cache_check(cache, jwt, &trust, URI, 12345, AT, NULL, &v, &err) != CL_OK)
        bench_die("cache miss", &err);
    miss = (bench_now() - t0) * 1e3;
    t0 = bench_now();
    do {
        for (int i = 0; i < 64; i++, n_hits++)
            if (cl_status_cache_check(cache, jwt, &trust, URI, (n_hits * 7919) % 1000000, AT, NULL,
                                      &v, &err) != CL_OK)
                bench_die("cache hit", &err);
        hit = bench_now() - t0;
    } while (hit < bench_seconds());
    st = cl_status_cache_stats(cache);
    note_record("status: cached check, first (verify+inflate)", miss, "ms", NULL);
    snprintf(note, sizeof note, "%llu checks, %llu inflation(s), %llu hits",
             (unsigned long long)(st.hits + st.misses), (unsigned long long)st.inflations,
             (unsigned long long)st.hits);
    note_record("status: cached check, same token again", (double)n_hits / hit, "checks/s", note);
    if (st.inflations != 1) {
        fprintf(stderr, "bench_status: the cache inflated %llu times, want 1\n",
                (unsigned long long)st.inflations);
        return 1;
    }
    cl_status_cache_free(cache);

    rc = bench_finish();
    cl_key_free(key);
    cl_arena_fini(&a);
    return rc;
}
