/*
 * bench_status.c - Token Status List on one core: a 1,000,000-entry list (2 bits) verified and
 * inflated once, then O(1) lookups (against a 1,000-entry list: the rate must not depend on
 * the size), and the cache: the second check of the same token is neither verified nor
 * inflated again (counted). Prints a table and appends JSON records like bench_core.
 * Usage: bench_status [--json FILE] [--seconds S]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cardless/status.h"

#define URI "https://status.example.kr/lists/bench"
#define AT INT64_C(1800000000)

static double seconds_per_case = 1.0;
static json_t *records;

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
record(const char *name, double value, const char *unit, const char *note)
{
    json_t *r = json_pack("{s:s,s:f,s:s}", "name", name, "value", value, "unit", unit);

    if (note != NULL)
        json_object_set_new(r, "note", json_string(note));
    printf("%-44s %16.1f %-10s %s\n", name, value, unit, note != NULL ? note : "");
    json_array_append_new(records, r);
}

static void
die(const char *what, const struct cl_error *err)
{
    fprintf(stderr, "bench_status: %s: %s: %s\n", what, err->where, err->msg);
    exit(2);
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
        die("table", &err);
    for (uint64_t i = 0; i < n / 100; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: a fixed pattern */
        if (cl_status_table_set(t, x % n, 1 + (unsigned)(x >> 60) % 2, &err) != CL_OK)
            die("set", &err);
    }
    sp.format = f;
    sp.uri = URI;
    sp.iat = AT - 60;
    sp.exp = AT + 86400;
    sp.ttl = 3600;
    if (cl_status_token_sign(a, t, key, &sp, &out, &err) != CL_OK)
        die("sign", &err);
    cl_status_table_free(t);
    return out;
}

/* Lookups per second at pseudo-random indices; *sum gets a checksum of the values read. */
static double
lookups(const struct cl_status_list *l, uint64_t *sum)
{
    double start = now_s(), t;
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
        t = now_s() - start;
    } while (t < seconds_per_case);
    *sum = s;
    return (double)n / t;
}

int
main(int argc, char **argv)
{
    const char *json_path = NULL;
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

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--json") == 0)
            json_path = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds_per_case = strtod(argv[i + 1], NULL);
    }
    records = json_array();
    cl_arena_init(&a, 0, 0, 0);
    if (cl_key_generate(CL_CURVE_P256, &key, &err) != CL_OK)
        die("key", &err);
    trust.key = key;
    jwt = make_token(&a, key, 1000000, CL_STATUS_JWT);
    cwt = make_token(&a, key, 1000000, CL_STATUS_CWT);
    jwt_small = make_token(&a, key, 1000, CL_STATUS_JWT);
    printf("bench: status list, 1,000,000 entries of 2 bits: JWT %zu bytes, CWT %zu bytes\n",
           jwt.len, cwt.len);

    /* verify + inflate once: the whole cost a relying party pays per list */
    cl_arena_init(&va, 0, 0, 0);
    t0 = now_s();
    if (cl_status_token_parse_verify(&va, jwt, &trust, URI, AT, NULL, &big, &err) != CL_OK)
        die("verify jwt", &err);
    once_jwt = (now_s() - t0) * 1e3;
    cl_arena_fini(&va);
    cl_arena_init(&va, 0, 0, 0);
    t0 = now_s();
    if (cl_status_token_parse_verify(&va, cwt, &trust, URI, AT, NULL, &big, &err) != CL_OK)
        die("verify cwt", &err);
    once_cwt = (now_s() - t0) * 1e3;
    if (cl_status_token_parse_verify(&a, jwt_small, &trust, URI, AT, NULL, &small, &err) != CL_OK)
        die("verify small", &err);
    record("status: JWT verify + inflate 1M list, once", once_jwt, "ms", NULL);
    record("status: CWT verify + inflate 1M list, once", once_cwt, "ms", NULL);

    /* O(1) lookups: the same rate at 1,000 and 1,000,000 entries */
    r_big = lookups(&big.list, &sum_big);
    r_small = lookups(&small.list, &sum_small);
    snprintf(note, sizeof note, "checksum %llu", (unsigned long long)sum_big);
    record("status: lookup in 1,000,000 entries", r_big, "lookups/s", note);
    snprintf(note, sizeof note, "ratio 1M/1k %.2f (1.00 = O(1))", r_big / r_small);
    record("status: lookup in 1,000 entries", r_small, "lookups/s", note);
    cl_arena_fini(&va);

    /* the cache: the first check verifies and inflates, the next ones do neither */
    if (cl_status_cache_new(4, &cache, &err) != CL_OK)
        die("cache", &err);
    t0 = now_s();
    if (cl_status_cache_check(cache, jwt, &trust, URI, 12345, AT, NULL, &v, &err) != CL_OK)
        die("cache miss", &err);
    miss = (now_s() - t0) * 1e3;
    t0 = now_s();
    do {
        for (int i = 0; i < 64; i++, n_hits++)
            if (cl_status_cache_check(cache, jwt, &trust, URI, (n_hits * 7919) % 1000000, AT, NULL,
                                      &v, &err) != CL_OK)
                die("cache hit", &err);
        hit = now_s() - t0;
    } while (hit < seconds_per_case);
    st = cl_status_cache_stats(cache);
    record("status: cached check, first (verify+inflate)", miss, "ms", NULL);
    snprintf(note, sizeof note, "%llu checks, %llu inflation(s), %llu hits",
             (unsigned long long)(st.hits + st.misses), (unsigned long long)st.inflations,
             (unsigned long long)st.hits);
    record("status: cached check, same token again", (double)n_hits / hit, "checks/s", note);
    if (st.inflations != 1) {
        fprintf(stderr, "bench_status: the cache inflated %llu times, want 1\n",
                (unsigned long long)st.inflations);
        return 1;
    }
    cl_status_cache_free(cache);

    if (json_path != NULL) {
        json_t *all = json_load_file(json_path, 0, NULL), *r;
        size_t i;

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
    cl_key_free(key);
    cl_arena_fini(&a);
    return 0;
}
