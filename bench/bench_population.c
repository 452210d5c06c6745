/*
 * bench_population.c - the population store on one core: synthetic feed generation, feed
 * loading (MB/s, persons/s) and memory per person beyond the feed file's own size, for about
 * a million persons by default. Prints a table and appends JSON records {"name","value","unit"}.
 * Figures named "_cpu" are CPU time of the process (all the loader's threads); the loader's
 * wall time is recorded with "clock": "wall" (bench.h).
 * Usage: bench_population [--households N] [--seed S] [--feed FILE] [--keep] [--threads T]
 *                         [--json FILE] [--seconds S] [--wall] (--seconds, --wall: no effect)
 *   --threads: parts the loader reads at once (0 = one per online CPU, the default; 1 = one core)
 *   --feed names the synthetic JSON Lines file (kept with --keep, for the json-rules-engine
 *   peer in bench/peer/ to read the same people).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cardless/population.h"

#include "bench.h"

static void
record(const char *name, double value, const char *unit, enum bench_clock clock)
{
    struct bench_fig f = {name, value, unit, NULL, 0, NULL, clock};

    bench_put(&f);
}

int
main(int argc, char **argv)
{
    struct cl_pop_synth_opts o = {460000, 1, 0, false};
    const char *feed = "bench-population.jsonl";
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
        if (bench_option(argc, argv, &i))
            continue;
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
        else if (strcmp(argv[i], "--threads") == 0)
            threads = (unsigned)strtoul(argv[++i], NULL, 10);
    }
    bench_header("benchmark (synthesis on one core)");
    cl_pop_limits_default(&lim);
    lim.threads = threads;

    /* 1. synthesis */
    f = fopen(feed, "wb");
    if (f == NULL) {
        fprintf(stderr, "bench: cannot write %s\n", feed);
        return 2;
    }
    c0 = bench_cpu();
    if (cl_pop_synth_write(f, &o, &err) != CL_OK || fclose(f) != 0) {
        fprintf(stderr, "bench: synth: %s: %s\n", err.where, err.msg);
        return 2;
    }
    c1 = bench_cpu();
    stat(feed, &st);
    file_mb = (double)st.st_size / 1e6;
    record("population_synth_households_per_s_cpu", (double)o.households / (c1 - c0),
           "households/s", BENCH_CPU);
    record("population_synth_mb_per_s_cpu", file_mb / (c1 - c0), "MB/s", BENCH_CPU);

    /* 2. loading the feed file */
    rss0 = bench_peak_rss();
    cl_pop_init(&pop);
    w0 = bench_wall();
    c0 = bench_cpu();
    if (cl_pop_load_file(&pop, feed, &lim, NULL, NULL, &sum, &err) != CL_OK) {
        fprintf(stderr, "bench: load: %s: %s\n", err.where, err.msg);
        return 2;
    }
    w1 = bench_wall();
    c1 = bench_cpu();
    mem = (double)cl_pop_memory(&pop);
    record("population_persons", (double)sum.persons, "persons", BENCH_CPU);
    record("population_load_threads",
           threads != 0              ? (double)threads
           : st.st_size < (32 << 20) ? 1.0
                                     : (double)sysconf(_SC_NPROCESSORS_ONLN),
           "threads", BENCH_CPU);
    record("population_feed_bytes_per_person", (double)st.st_size / (double)sum.persons,
           "bytes/person", BENCH_CPU);
    record("population_load_seconds_wall", w1 - w0, "s", BENCH_WALL);
    record("population_load_seconds_cpu", c1 - c0, "s", BENCH_CPU);
    record("population_load_mb_per_s_cpu", file_mb / (c1 - c0), "MB/s", BENCH_CPU);
    record("population_load_persons_per_s_cpu", (double)sum.persons / (c1 - c0), "persons/s",
           BENCH_CPU);
    record("population_store_bytes_per_person", mem / (double)sum.persons, "bytes/person",
           BENCH_CPU);
    record("population_peak_rss_beyond_feed_per_person",
           (bench_peak_rss() - rss0 - (double)st.st_size) / (double)sum.persons, "bytes/person",
           BENCH_CPU);
    record("population_load_skipped_records", (double)sum.skipped, "records", BENCH_CPU);
    cl_pop_fini(&pop);
    if (!keep)
        remove(feed);

    return bench_finish();
}
