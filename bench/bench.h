/*
 * bench.h - the harness every bench/ program shares: one clock policy, the timing loops, the
 * printed table and the JSON records appended to the file of --json.
 * Clock: CPU time of the process (CLOCK_PROCESS_CPUTIME_ID), as `openssl speed` counts (its
 * figures are per second of CPU time): on a shared machine wall time would compare a share of
 * a core with a whole one. --wall measures wall time instead. A figure of several threads is
 * measured with bench_wall() and recorded with .clock = BENCH_WALL ("clock": "wall" in it).
 * Records: {"name","value","unit"} and, when compared, "compared_with","compared_value","ratio",
 * then "note" and "clock" when set. Not thread-safe: one harness per process.
 */
#ifndef CARDLESS_BENCH_H
#define CARDLESS_BENCH_H

#include <stdbool.h>

#include "cardless/error.h"

enum bench_clock {
    BENCH_NOW = 0, /* bench_now(): "clock": "wall" in the record only with --wall */
    BENCH_WALL,    /* bench_wall(): "clock": "wall" */
    BENCH_CPU,     /* bench_cpu(), or not a time at all (a count, a size): no "clock" */
};

struct bench_fig {
    const char *name;       /* "name": never renamed, the figures' history is keyed by it */
    double value;           /* "value" */
    const char *unit;       /* "unit" */
    const char *against;    /* "compared_with", written only if other > 0 */
    double other;           /* "compared_value"; "ratio" is value / other */
    const char *note;       /* "note", or NULL */
    enum bench_clock clock; /* the clock the figure was measured on */
};

/**
 * Take the options every bench shares: --seconds S (time per case, default 1), --wall and
 * --json FILE (records appended to the array in FILE). Call it first for each argv[*i].
 * @return true if argv[*i] was one of them; *i is then on its value, if it has one
 */
bool bench_option(int argc, char **argv, int *i);

/* Seconds per case (--seconds). */
double bench_seconds(void);

/* The harness's clock in seconds: CPU time of the process, or wall time with --wall. */
double bench_now(void);

/* Wall time in seconds (CLOCK_MONOTONIC), whatever --wall says: for figures of several threads
 * and figures named "_wall". */
double bench_wall(void);

/* CPU time of the process in seconds, whatever --wall says: for figures named "_cpu". */
double bench_cpu(void);

/* Run fn in growing batches until bench_seconds() passed on bench_now(); operations per second.
 * A non-zero return of fn ends the program with "bench: operation failed". */
double bench_rate(int (*fn)(void *), void *ctx);

/* Run fa and fb in alternating slices of about 20 ms until bench_seconds() passed for each, so
 * that both see the same load on a shared machine; their rates in *ra and *rb. */
void bench_rate_pair(int (*fa)(void *), int (*fb)(void *), void *ctx, double *ra, double *rb);

/* Peak resident set size of this process so far, in bytes. */
double bench_peak_rss(void);

/* The value of the record called name already in the --json file (a peer measured earlier in
 * the same run), or 0 if there is none. */
double bench_previous(const char *name);

/* Print the table's header row; title names what the figures are of ("benchmark (one core)"). */
void bench_header(const char *title);

/* Print f as a table row and keep its record for bench_finish(). */
void bench_put(const struct bench_fig *f);

/* bench_put() of name, value, unit, compared with against = other when other > 0. */
void bench_record(const char *name, double value, const char *unit, const char *against,
                  double other);

/* Print "bench: what: where: message" on stderr and exit with status 2. */
_Noreturn void bench_die(const char *what, const struct cl_error *err);

/* Append the records to the --json file, if any, and free them. @return 0, or 2 if the file
 * cannot be written. */
int bench_finish(void);

#endif /* CARDLESS_BENCH_H */
