/*
 * bench_benefits.c - the eligibility engine over the synthetic population: subject-benefit
 * evaluations per second on one core and on two (households split over threads), end-to-end
 * time (feed file -> store -> pass) with peak memory per person, and the latency of
 * re-evaluating one household. The json-rules-engine peer (bench/peer/rules_engine.mjs, run
 * before this by run.sh) is read back from the JSON file for the ratio. One-core figures are
 * CPU time (bench.h); the 2-thread and end-to-end figures are wall time ("clock": "wall").
 * Usage: bench_benefits [--rules DIR] [--households N] [--e2e-households N] [--seed S]
 *                       [--feed FILE] [--json FILE] [--wall] [--profile]
 * --profile: one one-core pass only, for `valgrind --tool=callgrind --toggle-collect=bn_eval_pass`
 * (instructions per evaluation: the stable figure on a shared machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/benefits.h"
#include "cardless/population.h"
#include "cardless/time.h"

#include "bench.h"

static double peer_rate; /* json-rules-engine person-rule checks/s, when measured */

static void
record(const char *name, double value, const char *unit, bool vs_peer, enum bench_clock clock)
{
    struct bench_fig f = {name, value, unit, NULL, 0, NULL, clock};

    if (vs_peer) {
        f.against = "json-rules-engine (npm)";
        f.other = peer_rate;
    }
    bench_put(&f);
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

int
main(int argc, char **argv)
{
    const char *rules_dir = "data/benefits", *feed = "bench-benefits.jsonl";
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
    bool profile = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--profile") == 0)
            profile = true;
        if (bench_option(argc, argv, &i) || i + 1 >= argc)
            continue;
        if (strcmp(argv[i], "--rules") == 0)
            rules_dir = argv[++i];
        else if (strcmp(argv[i], "--households") == 0)
            households = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--e2e-households") == 0)
            e2e = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--feed") == 0)
            feed = argv[++i];
    }
    peer_rate = bench_previous("peer_json_rules_engine_person_rule_checks");
    if (cl_date_parse(cl_bytes_str("2026-03-01"), &at, &err) != CL_OK)
        bench_die("date", &err);
    if (cl_benefits_rules_load(rules_dir, &r, &err) != CL_OK)
        bench_die(rules_dir, &err);

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
            bench_die("synth_write", &err);
        pos = ftell(f);
        fclose(f);
        file_bytes = (double)pos;
        rss0 = bench_peak_rss();
        t0 = bench_wall();
        cl_pop_init(&pop);
        if (cl_pop_load_file(&pop, feed, NULL, NULL, NULL, &sum, &err) != CL_OK)
            bench_die("end to end: load", &err);
        tl = bench_wall();
        if (cl_benefits_results_init(&res, r, &pop, &err) != CL_OK ||
            cl_benefits_eval(r, &pop, at, 2, &res, &err) != CL_OK)
            bench_die("end to end", &err);
        t1 = bench_wall();
        record("benefits_e2e_load_seconds_wall", tl - t0, "s", false, BENCH_WALL);
        record("benefits_e2e_pass_seconds_wall", t1 - tl, "s", false, BENCH_WALL);
        record("benefits_e2e_persons", (double)pop.np, "persons", false, BENCH_CPU);
        record("benefits_e2e_seconds_wall", t1 - t0, "s", false, BENCH_WALL);
        record("benefits_e2e_seconds_per_10m_persons", (t1 - t0) * 1e7 / (double)pop.np, "s", false,
               BENCH_WALL);
        record("benefits_e2e_peak_bytes_per_person_beyond_feed",
               (bench_peak_rss() - rss0 - file_bytes) / (double)pop.np, "bytes/person", false,
               BENCH_CPU);
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
        bench_die("synth", &err);
    if (cl_benefits_results_init(&res, r, &pop, &err) != CL_OK)
        bench_die("results", &err);
    for (int rep = 0; rep < (profile ? 1 : 5); rep++) {
        t0 = bench_now();
        if (cl_benefits_eval(r, &pop, at, 1, &res, &err) != CL_OK)
            bench_die("eval", &err);
        t1 = bench_now();
        best1 = t1 - t0 < best1 ? t1 - t0 : best1;
    }
    h1 = results_hash(&res);
    if (profile) {
        printf("%zu households, %zu persons, %zu evaluations, results hash %016llx\n", pop.nh,
               pop.np, evaluations(&res), (unsigned long long)h1);
        cl_benefits_results_fini(&res);
        cl_pop_fini(&pop);
        cl_benefits_rules_free(r);
        return 0;
    }
    for (int rep = 0; rep < 5; rep++) {
        t0 = bench_wall();
        if (cl_benefits_eval(r, &pop, at, 2, &res, &err) != CL_OK)
            bench_die("eval", &err);
        t1 = bench_wall();
        best2 = t1 - t0 < best2 ? t1 - t0 : best2;
    }
    h2 = results_hash(&res);
    if (h1 != h2) {
        fprintf(stderr, "bench_benefits: 1 and 2 threads disagree\n");
        return 1;
    }
    printf("%zu households, %zu persons, %zu benefits, results hash %016llx\n", pop.nh, pop.np,
           res.nben, (unsigned long long)h1);
    record("benefits_evaluations_per_s_1core", (double)evaluations(&res) / best1, "evals/s", true,
           BENCH_NOW);
    record("benefits_evaluations_per_s_2threads", (double)evaluations(&res) / best2, "evals/s",
           true, BENCH_WALL);
    record("benefits_pass_persons_per_s_1core", (double)pop.np / best1, "persons/s", false,
           BENCH_NOW);

    /* 3. one household re-evaluated after a change: mean latency over 10,000 */
    {
        double total = 0;
        size_t n = 10000;

        t0 = bench_now();
        for (size_t i = 0; i < n; i++)
            if (cl_benefits_eval_household(r, &pop, at, (i * 7919) % pop.nh, &res, &err) != CL_OK)
                bench_die("eval_household", &err);
        total = bench_now() - t0;
        record("benefits_one_household_reeval_us", total / (double)n * 1e6, "us", false, BENCH_NOW);
    }
    cl_benefits_results_fini(&res);
    cl_pop_fini(&pop);

    cl_benefits_rules_free(r);
    return bench_finish();
}
