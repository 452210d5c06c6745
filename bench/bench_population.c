/*
 * bench_population.c - the population store on one core: synthetic feed generation, feed
 * loading (MB/s, persons/s) and memory per person beyond the feed file's own size, for about
 * a million persons by default. Prints a table and appends JSON records {"name","value","unit"}.
 * Usage: bench_population [--households N] [--seed S] [--feed FILE] [--keep] [--threads T]
 *                         [--json FILE]
 *   --threads: parts the loader reads at once (0 = one per online CPU, the default; 1 = one core)
 *   --feed names the synthetic JSON Lines file (kept with --keep, for the json-rules-engine
 *   peer in bench/peer/ to read the same people).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cardless/population.h"

static json_t *records;

static double
now_s(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
record(const char *name, double value, const char *unit)
{
    printf("%-44s %16.1f %s\n", name, value, unit);
    json_array_append_new(records,
                          json_pack("{s:s,s:f,s:s}", "name", name, "value", value, "unit", unit));
}

static double
peak_rss_bytes(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0;
}

int
main(int argc, char **argv)
{
    struct cl_pop_synth_opts o = {460000, 1, 0, false};
    const char *feed = "bench-population.jsonl", *json_path = NULL;
    bool keep = false;
    unsigned threads = 0;
    struct cl_pop_limits lim;
    struct cl_pop pop;
    struct cl_pop_summary sum;
    struct cl_error err = {0};
    struct stat st;
    double w0, c0, w1, c1, rss0, file_mb, mem;
    FILE *f;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0)
            keep = true;
        else if (i + 1 >= argc)
            break;
        else if (strcmp(argv[i], "--households") == 0)
            o.households = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            o.seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--feed") == 0)
            feed = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            json_path = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0)
            threads = (unsigned)strtoul(argv[++i], NULL, 10);
    }
    records = json_array();
    printf("%-44s %16s %s\n", "benchmark (synthesis on one core)", "value", "unit");
    cl_pop_limits_default(&lim);
    lim.threads = threads;

    /* 1. synthesis */
    f = fopen(feed, "wb");
    if (f == NULL) {
        fprintf(stderr, "bench: cannot write %s\n", feed);
        return 2;
    }
    w0 = now_s(CLOCK_MONOTONIC);
    c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (cl_pop_synth_write(f, &o, &err) != CL_OK || fclose(f) != 0) {
        fprintf(stderr, "bench: synth: %s: %s\n", err.where, err.msg);
        return 2;
    }
    w1 = now_s(CLOCK_MONOTONIC);
    c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    stat(feed, &st);
    file_mb = (double)st.st_size / 1e6;
    record("population_synth_households_per_s_cpu", (double)o.households / (c1 - c0),
           "households/s");
    record("population_synth_mb_per_s_cpu", file_mb / (c1 - c0), "MB/s");
    (void)w0;
    (void)w1;

    /* 2. loading the feed file */
    rss0 = peak_rss_bytes();
    cl_pop_init(&pop);
    w0 = now_s(CLOCK_MONOTONIC);
    c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    if (cl_pop_load_file(&pop, feed, &lim, NULL, NULL, &sum, &err) != CL_OK) {
        fprintf(stderr, "bench: load: %s: %s\n", err.where, err.msg);
        return 2;
    }
    w1 = now_s(CLOCK_MONOTONIC);
    c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    mem = (double)cl_pop_memory(&pop);
    record("population_persons", (double)sum.persons, "persons");
    record("population_load_threads",
           threads != 0              ? (double)threads
           : st.st_size < (32 << 20) ? 1.0
                                     : (double)sysconf(_SC_NPROCESSORS_ONLN),
           "threads");
    record("population_feed_bytes_per_person", (double)st.st_size / (double)sum.persons,
           "bytes/person");
    record("population_load_seconds_wall", w1 - w0, "s");
    record("population_load_seconds_cpu", c1 - c0, "s");
    record("population_load_mb_per_s_cpu", file_mb / (c1 - c0), "MB/s");
    record("population_load_persons_per_s_cpu", (double)sum.persons / (c1 - c0), "persons/s");
    record("population_store_bytes_per_person", mem / (double)sum.persons, "bytes/person");
    record("population_peak_rss_beyond_feed_per_person",
           (peak_rss_bytes() - rss0 - (double)st.st_size) / (double)sum.persons, "bytes/person");
    record("population_load_skipped_records", (double)sum.skipped, "records");
    cl_pop_fini(&pop);
    if (!keep)
        remove(feed);

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
    return 0;
}
