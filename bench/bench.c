/*
 * bench.c - the harness shared by the bench/ programs: clock, timing loops, table, JSON records.
 */
#include "bench.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double seconds_per_case = 1.0;
static bool wall_clock;       /* --wall */
static const char *json_path; /* --json FILE */
static json_t *records;

bool
bench_option(int argc, char **argv, int *i)
{
    if (strcmp(argv[*i], "--wall") == 0) {
        wall_clock = true;
        return true;
    }
    if (*i + 1 >= argc)
        return false;
    if (strcmp(argv[*i], "--seconds") == 0)
        seconds_per_case = strtod(argv[*i + 1], NULL);
    else if (strcmp(argv[*i], "--json") == 0)
        json_path = argv[*i + 1];
    else
        return false;
    ++*i;
    return true;
}

double
bench_seconds(void)
{
    return seconds_per_case;
}

static double
clock_s(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
bench_now(void)
{
    return clock_s(wall_clock ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID);
}

double
bench_wall(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

double
bench_cpu(void)
{
    return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static long
run(int (*fn)(void *), void *ctx, long n)
{
    for (long i = 0; i < n; i++) {
        if (fn(ctx) != 0) {
            fprintf(stderr, "bench: operation failed\n");
            exit(2);
        }
    }
    return n;
}

double
bench_rate(int (*fn)(void *), void *ctx)
{
    double start = bench_now(), last = start, t;
    long n = 0, batch = 1;

    /* batches double while shorter than 1 ms: the clock, a system call for CPU time, is then
     * read a few thousand times a second whatever the operation costs */
    do {
        n += run(fn, ctx, batch);
        t = bench_now();
        if (t - last < 1e-3 && batch < (1L << 20))
            batch *= 2;
        last = t;
    } while (t - start < seconds_per_case);
    return (double)n / (t - start);
}

void
bench_rate_pair(int (*fa)(void *), int (*fb)(void *), void *ctx, double *ra, double *rb)
{
    double ta = 0, tb = 0;
    long na = 0, nb = 0;

    while (ta < seconds_per_case || tb < seconds_per_case) {
        for (int k = 0; k < 2; k++) {
            double start = bench_now(), t;
            long n = 0;

            do {
                n += run(k == 0 ? fa : fb, ctx, 8);
                t = bench_now() - start;
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

double
bench_peak_rss(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss * 1024.0; /* kilobytes on Linux */
}

double
bench_previous(const char *name)
{
    json_t *all, *x;
    double v = 0;
    size_t i;

    if (json_path == NULL)
        return 0;
    all = json_load_file(json_path, 0, NULL);
    json_array_foreach(all, i, x)
    {
        const char *n = json_string_value(json_object_get(x, "name"));

        if (n != NULL && strcmp(n, name) == 0)
            v = json_number_value(json_object_get(x, "value"));
    }
    json_decref(all);
    return v;
}

void
bench_header(const char *title)
{
    printf("%-44s %14s %-12s %-34s %12s %6s\n", title, "value", "unit", "compared with", "other",
           "ratio");
}

void
bench_put(const struct bench_fig *f)
{
    json_t *r = json_pack("{s:s,s:f,s:s}", "name", f->name, "value", f->value, "unit", f->unit);
    bool wall = f->clock == BENCH_WALL || (f->clock == BENCH_NOW && wall_clock);

    if (records == NULL)
        records = json_array();
    printf("%-44s %14.1f %s", f->name, f->value, f->unit);
    if (f->against != NULL && f->other > 0) {
        json_object_set_new(r, "compared_with", json_string(f->against));
        json_object_set_new(r, "compared_value", json_real(f->other));
        json_object_set_new(r, "ratio", json_real(f->value / f->other));
        printf("%*s %-34s %12.1f %6.2f", (int)(strlen(f->unit) < 12 ? 12 - strlen(f->unit) : 0), "",
               f->against, f->other, f->value / f->other);
    }
    if (f->note != NULL) {
        json_object_set_new(r, "note", json_string(f->note));
        printf(" (%s)", f->note);
    }
    if (wall) {
        json_object_set_new(r, "clock", json_string("wall"));
        printf(" [wall]");
    }
    printf("\n");
    json_array_append_new(records, r);
}

void
bench_record(const char *name, double value, const char *unit, const char *against, double other)
{
    struct bench_fig f = {name, value, unit, against, other, NULL, BENCH_NOW};

    bench_put(&f);
}

_Noreturn void
bench_die(const char *what, const struct cl_error *err)
{
    fprintf(stderr, "bench: %s: %s: %s\n", what, err->where, err->msg);
    exit(2);
}

int
bench_finish(void)
{
    json_t *all, *r;
    size_t i;
    int rc = 0;

    if (json_path != NULL && records != NULL) {
        all = json_load_file(json_path, 0, NULL);
        if (!json_is_array(all)) {
            json_decref(all);
            all = json_array();
        }
        json_array_foreach(records, i, r) json_array_append(all, r);
        if (json_dump_file(all, json_path, JSON_INDENT(2)) != 0) {
            fprintf(stderr, "bench: cannot write %s\n", json_path);
            rc = 2;
        }
        json_decref(all);
    }
    json_decref(records);
    records = NULL;
    return rc;
}
