/*
 * bench_benefits.c - the eligibility engine over the synthetic population: subject-benefit
 * evaluations per second on one core and on two (households split over threads), end-to-end
 * time (feed file -> store -> pass) with peak memory per person, and the latency of
 * re-evaluating one household. The json-rules-engine peer (bench/peer/rules_engine.mjs, run
 * before this by run.sh) is read back from the JSON file for the ratio.
 * Usage: bench_benefits [--rules DIR] [--households N] [--e2e-households N] [--seed S]
 *                       [--feed FILE] [--json FILE]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cardless/benefits.h"
#include "cardless/population.h"
#include "cardless/time.h"

static json_t *records;
static double peer_rate; /* json-rules-engine person-rule checks/s, when measured */

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
peak_rss_bytes(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0;
}

static void
record(const char *name, double value, const char *unit, bool vs_peer)
{
    json_t *r = json_pack("{s:s,s:f,s:s}", "name", name, "value", value, "unit", unit);

    if (vs_peer && peer_rate > 0) {
        json_object_set_new(r, "compared_with", json_string("json-rules-engine (npm)"));
        json_object_set_new(r, "compared_value", json_real(peer_rate));
        json_object_set_new(r, "ratio", json_real(value / peer_rate));
        printf("%-44s %14.1f %-12s x%.0f json-rules-engine (%.0f checks/s)\n", name, value, unit,
               value / peer_rate, peer_rate);
    } else {
        printf("%-44s %14.1f %-12s\n", name, value, unit);
    }
    json_array_append_new(records, r);
}

static size_t
evaluations(const struct cl_benefits_results *res)
{
    size_t n = 0;

    for (size_t b = 0; b < res->nben; b++)
        n += res->nsub[b];
    return n;
}

/* FNV-1a over statuses and amounts: the same population gives the same hash (--verify). */
static uint64_t
results_hash(const struct cl_benefits_results *res)
{
    uint64_t h = 1469598103934665603ull;

    for (size_t b = 0; b < res->nben; b++)
        for (size_t s = 0; s < res->nsub[b]; s++) {
            h = (h ^ res->status[b][s]) * 1099511628211ull;
            if (res->amount[b] != NULL)
                h = (h ^ (uint64_t)res->amount[b][s]) * 1099511628211ull;
        }
    return h;
}

static int
fail(const char *what, const struct cl_error *err)
{
    fprintf(stderr, "bench_benefits: %s: %s: %s\n", what, err->where, err->msg);
    return 1;
}

int
main(int argc, char **argv)
{
    const char *rules_dir = "data/benefits", *json_path = NULL, *feed = "bench-benefits.jsonl";
    size_t households = 500000, e2e = 0;
    uint64_t seed = 1;
    struct cl_benefits_rules *r = NULL;
    struct cl_pop pop;
    struct cl_pop_synth_opts so;
    struct cl_benefits_results res;
    struct cl_error err = {0};
    int32_t at;
    double t0, t1, best1 = 1e30, best2 = 1e30;
    uint64_t h1, h2;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--rules") == 0)
            rules_dir = argv[i + 1];
        else if (strcmp(argv[i], "--households") == 0)
            households = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--e2e-households") == 0)
            e2e = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--feed") == 0)
            feed = argv[i + 1];
        else if (strcmp(argv[i], "--json") == 0)
            json_path = argv[i + 1];
    }
    records = json_array();
    if (json_path != NULL) {
        json_t *all = json_load_file(json_path, 0, NULL), *x;
        size_t i;

        json_array_foreach(all, i, x)
        {
            const char *n = json_string_value(json_object_get(x, "name"));
            if (n != NULL && strcmp(n, "peer_json_rules_engine_person_rule_checks") == 0)
                peer_rate = json_number_value(json_object_get(x, "value"));
        }
        json_decref(all);
    }
    if (cl_date_parse(cl_bytes_str("2026-03-01"), &at, &err) != CL_OK)
        return fail("date", &err);
    if (cl_benefits_rules_load(rules_dir, &r, &err) != CL_OK)
        return fail(rules_dir, &err);

    /* 1. end to end (first, so that peak memory is its own): feed file -> store -> pass, with peak
     * memory beyond the file */
    if (e2e > 0) {
        FILE *f = fopen(feed, "wb");
        struct cl_pop_summary sum;
        double rss0, file_bytes, tl;
        long pos;

        memset(&so, 0, sizeof so);
        so.households = e2e;
        so.seed = seed;
        if (f == NULL || cl_pop_synth_write(f, &so, &err) != CL_OK)
            return fail("synth_write", &err);
        pos = ftell(f);
        fclose(f);
        file_bytes = (double)pos;
        rss0 = peak_rss_bytes();
        t0 = now_s();
        cl_pop_init(&pop);
        if (cl_pop_load_file(&pop, feed, NULL, NULL, NULL, &sum, &err) != CL_OK)
            return fail("end to end: load", &err);
        tl = now_s();
        if (cl_benefits_results_init(&res, r, &pop, &err) != CL_OK ||
            cl_benefits_eval(r, &pop, at, 2, &res, &err) != CL_OK)
            return fail("end to end", &err);
        t1 = now_s();
        record("benefits_e2e_load_seconds_wall", tl - t0, "s", false);
        record("benefits_e2e_pass_seconds_wall", t1 - tl, "s", false);
        record("benefits_e2e_persons", (double)pop.np, "persons", false);
        record("benefits_e2e_seconds_wall", t1 - t0, "s", false);
        record("benefits_e2e_seconds_per_10m_persons", (t1 - t0) * 1e7 / (double)pop.np, "s",
               false);
        record("benefits_e2e_peak_bytes_per_person_beyond_feed",
               (peak_rss_bytes() - rss0 - file_bytes) / (double)pop.np, "bytes/person", false);
        cl_benefits_results_fini(&res);
        cl_pop_fini(&pop);
        remove(feed);
    }
    /* 2. the pass over an in-memory synthetic population, 1 and 2 threads, best of 5 */
    memset(&so, 0, sizeof so);
    so.households = households;
    so.seed = seed;
    cl_pop_init(&pop);
    if (cl_pop_synth(&pop, &so, &err) != CL_OK)
        return fail("synth", &err);
    if (cl_benefits_results_init(&res, r, &pop, &err) != CL_OK)
        return fail("results", &err);
    for (int rep = 0; rep < 5; rep++) {
        t0 = now_s();
        if (cl_benefits_eval(r, &pop, at, 1, &res, &err) != CL_OK)
            return fail("eval", &err);
        t1 = now_s();
        best1 = t1 - t0 < best1 ? t1 - t0 : best1;
    }
    h1 = results_hash(&res);
    for (int rep = 0; rep < 5; rep++) {
        t0 = now_s();
        if (cl_benefits_eval(r, &pop, at, 2, &res, &err) != CL_OK)
            return fail("eval", &err);
        t1 = now_s();
        best2 = t1 - t0 < best2 ? t1 - t0 : best2;
    }
    h2 = results_hash(&res);
    if (h1 != h2) {
        fprintf(stderr, "bench_benefits: 1 and 2 threads disagree\n");
        return 1;
    }
    printf("%zu households, %zu persons, %zu benefits, results hash %016llx\n", pop.nh, pop.np,
           res.nben, (unsigned long long)h1);
    record("benefits_evaluations_per_s_1core", (double)evaluations(&res) / best1, "evals/s", true);
    record("benefits_evaluations_per_s_2threads", (double)evaluations(&res) / best2, "evals/s",
           true);
    record("benefits_pass_persons_per_s_1core", (double)pop.np / best1, "persons/s", false);

    /* 3. one household re-evaluated after a change: median latency over 10,000 */
    {
        double total = 0;
        size_t n = 10000;

        t0 = now_s();
        for (size_t i = 0; i < n; i++)
            if (cl_benefits_eval_household(r, &pop, at, (i * 7919) % pop.nh, &res, &err) != CL_OK)
                return fail("eval_household", &err);
        total = now_s() - t0;
        record("benefits_one_household_reeval_us", total / (double)n * 1e6, "us", false);
    }
    cl_benefits_results_fini(&res);
    cl_pop_fini(&pop);

    cl_benefits_rules_free(r);

    if (json_path != NULL) {
        json_t *all = json_load_file(json_path, 0, NULL), *x;
        size_t i;

        if (!json_is_array(all)) {
            json_decref(all);
            all = json_array();
        }
        json_array_foreach(records, i, x) json_array_append(all, x);
        if (json_dump_file(all, json_path, JSON_INDENT(2)) != 0)
            fprintf(stderr, "bench_benefits: cannot write %s\n", json_path);
        json_decref(all);
    }
    json_decref(records);
    return 0;
}
