/*
 * cmd_benefits.c - `cardless benefits check|eval|explain|diff|synth`: benefit rules as data
 * evaluated over a household feed (specs/welfare-2026.md), results as JSON Lines, the account
 * of one person, transitions with notices, and the synthetic population.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cardless/alloc.h"
#include "cardless/benefits.h"
#include "cardless/limits.h"
#include "cardless/population.h"
#include "cardless/time.h"
#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

#define N(o) CL_ARRAY_LEN(o)

static const char *
rules_dir(struct cli_opt *opts, size_t n)
{
    const char *d = cli_get(opts, n, "rules");
    const char *env = getenv("CL_RULES_DIR");

    if (d != NULL)
        return d;
    return env != NULL && env[0] != 0 ? env : "data/benefits";
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9; /* timing only, never a decision */
}

static void
report_record(void *ctx, size_t index, struct cl_bytes id, const struct cl_error *err)
{
    char buf[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 8];

    (void)ctx;
    (void)index;
    (void)id;
    fprintf(stderr, "cardless: benefits: skipped record: %s\n", cl_error_str(err, buf, sizeof buf));
}

static int
parse_at(const char *cmd, const char *s, int32_t *at)
{
    struct cl_error err = {0};

    if (cl_date_parse(cl_bytes_str(s), at, &err) != CL_OK)
        return cli_usage_error(cmd, "--at: %s", err.msg);
    return CLI_OK;
}

static int
benefits_check(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"rules", "DIR", "rule and parameter files (default data/benefits or $CL_RULES_DIR)"},
        {"json", NULL, "print the result as JSON"},
    };
    struct cl_error err = {0};
    struct cl_benefits_rules *r = NULL;
    size_t tables, rows;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless benefits check [--rules DIR]\n"
                       "Parse and check every *.rule and *.param file under DIR.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (cl_benefits_rules_load(rules_dir(opts, N(opts)), &r, &err) != CL_OK)
        return cli_fail(argv[0], &err, cli_flag(opts, N(opts), "json"));
    cl_benefits_stats(r, &tables, &rows);
    if (cli_flag(opts, N(opts), "json")) {
        json_t *list = json_array();
        for (size_t i = 0; i < cl_benefits_count(r); i++) {
            struct cl_benefits_info in;
            cl_benefits_info(r, i, &in);
            json_array_append_new(list,
                                  json_pack("{s:s,s:s,s:s,s:s}", "id", in.id, "name_ko", in.name_ko,
                                            "name_en", in.name_en, "file", in.file));
        }
        cli_print_json(json_pack("{s:b,s:o,s:i,s:i}", "ok", 1, "benefits", list, "tables",
                                 (json_int_t)tables, "rows", (json_int_t)rows));
    } else {
        for (size_t i = 0; i < cl_benefits_count(r); i++) {
            struct cl_benefits_info in;
            cl_benefits_info(r, i, &in);
            printf("%-22s %s / %s (%s)\n", in.id, in.name_ko, in.name_en, in.file);
        }
        printf("ok: %zu benefits, %zu parameter tables, %zu rows\n", cl_benefits_count(r), tables,
               rows);
    }
    cl_benefits_rules_free(r);
    return CLI_OK;
}

static int
write_chunk(FILE *f, struct cl_buf *b, struct cl_error *err)
{
    if (b->len > 0 && fwrite(b->ptr, 1, b->len, f) != b->len)
        return cl_fail(err, CL_ERR_IO, "out", "cannot write the results");
    cl_buf_reset(b);
    return CL_OK;
}

static int
benefits_eval(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"rules", "DIR", "rule and parameter files (default data/benefits or $CL_RULES_DIR)"},
        {"data", "FILE", "household feed: JSON document or JSON Lines (- for stdin)", true},
        {"at", "YYYY-MM-DD", "evaluation date", true},
        {"out", "RESULTS.jsonl", "where to write one JSON line per result (- for stdout)", true},
        {"explain", NULL, "add sentences in Korean and English to every result"},
        {"all", NULL, "write not_eligible results too"},
        {"threads", "N", "threads for the evaluation pass (default 1)"},
        {"no-forecast", NULL, "leave next_change null (faster)"},
        {"json", NULL, "print the summary as JSON"},
    };
    struct cl_error err = {0};
    struct cl_benefits_rules *r = NULL;
    struct cl_benefits_results res;
    struct cl_benefits_writer *w = NULL;
    struct cl_pop pop;
    struct cl_pop_summary sum;
    struct cl_buf out;
    FILE *f = NULL;
    const char *outpath;
    uint64_t threads = 1;
    int32_t at;
    size_t lines = 0, counts[4] = {0, 0, 0, 0}, evals = 0;
    unsigned flags = 0;
    double t0, t1, t2, t3;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless benefits eval [--rules DIR] --data FILE --at YYYY-MM-DD "
                       "[--explain] [--all] --out RESULTS.jsonl\n"
                       "Evaluate every benefit for every household and person of the feed.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, N(opts), "json");
    if ((rc = parse_at(argv[0], cli_get(opts, N(opts), "at"), &at)) != CLI_OK)
        return rc;
    if (cli_get(opts, N(opts), "threads") != NULL &&
        !cli_get_u64(opts, N(opts), "threads", 1, 16, &threads))
        return CLI_USAGE;
    flags |= cli_flag(opts, N(opts), "explain") ? CL_BENEFITS_EXPLAIN : 0;
    flags |= cli_flag(opts, N(opts), "all") ? CL_BENEFITS_ALL : 0;
    flags |= cli_flag(opts, N(opts), "no-forecast") ? CL_BENEFITS_NO_FORECAST : 0;
    outpath = cli_get(opts, N(opts), "out");
    cl_pop_init(&pop);
    memset(&res, 0, sizeof res);
    cl_buf_init(&out);
    t0 = now_s();
    if (cl_benefits_rules_load(rules_dir(opts, N(opts)), &r, &err) != CL_OK ||
        cl_pop_load_file(&pop, cli_get(opts, N(opts), "data"), NULL, report_record, NULL, &sum,
                         &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    t1 = now_s();
    if (cl_benefits_results_init(&res, r, &pop, &err) != CL_OK ||
        cl_benefits_eval(r, &pop, at, (unsigned)threads, &res, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    t2 = now_s();
    for (size_t b = 0; b < res.nben; b++)
        for (size_t s = 0; s < res.nsub[b]; s++) {
            counts[res.status[b][s] & 3]++;
            evals++;
        }
    f = strcmp(outpath, "-") == 0 ? stdout : fopen(outpath, "wb");
    if (f == NULL) {
        cl_fail(&err, CL_ERR_IO, outpath, "cannot open the output file");
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (cl_benefits_writer_new(r, &pop, at, flags, &w, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    for (size_t h = 0; h < pop.nh; h++) {
        if (cl_benefits_writer_household(w, h, &out, &lines, &err) != CL_OK ||
            (out.len > (1u << 20) && write_chunk(f, &out, &err) != CL_OK)) {
            rc = cli_fail(argv[0], &err, json);
            goto done;
        }
    }
    if (write_chunk(f, &out, &err) != CL_OK || fflush(f) != 0) {
        if (err.code == CL_OK)
            cl_fail(&err, CL_ERR_IO, outpath, "cannot write the results");
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    t3 = now_s();
    if (json) {
        cli_print_json(json_pack(
            "{s:i,s:i,s:i,s:i,s:i,s:{s:i,s:i,s:i,s:i},s:i}", "records", (json_int_t)sum.records,
            "households", (json_int_t)sum.loaded, "skipped", (json_int_t)sum.skipped, "persons",
            (json_int_t)sum.persons, "evaluations", (json_int_t)evals, "status", "eligible",
            (json_int_t)counts[CL_BENEFITS_ELIGIBLE], "not_eligible",
            (json_int_t)counts[CL_BENEFITS_NOT_ELIGIBLE], "unknown_needs_consent",
            (json_int_t)counts[CL_BENEFITS_UNKNOWN_NEEDS_CONSENT], "unknown_missing_data",
            (json_int_t)counts[CL_BENEFITS_UNKNOWN_MISSING_DATA], "lines", (json_int_t)lines));
    } else {
        fprintf(stderr,
                "benefits eval: %zu records, %zu households loaded, %zu skipped, %zu persons; "
                "%zu evaluations: %zu eligible, %zu not_eligible, %zu unknown_needs_consent, "
                "%zu unknown_missing_data; %zu lines written\n",
                sum.records, sum.loaded, sum.skipped, sum.persons, evals,
                counts[CL_BENEFITS_ELIGIBLE], counts[CL_BENEFITS_NOT_ELIGIBLE],
                counts[CL_BENEFITS_UNKNOWN_NEEDS_CONSENT], counts[CL_BENEFITS_UNKNOWN_MISSING_DATA],
                lines);
        fprintf(stderr, "benefits eval: load %.3f s, pass %.3f s, write %.3f s\n", t1 - t0, t2 - t1,
                t3 - t2);
    }
    rc = sum.skipped > 0 ? CLI_INVALID : CLI_OK;
done:
    if (f != NULL && f != stdout)
        fclose(f);
    cl_benefits_writer_free(w);
    cl_buf_fini(&out);
    cl_benefits_results_fini(&res);
    cl_benefits_rules_free(r);
    cl_pop_fini(&pop);
    return rc;
}

static int
benefits_explain(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"rules", "DIR", "rule and parameter files (default data/benefits or $CL_RULES_DIR)"},
        {"data", "FILE", "household feed", true},
        {"at", "YYYY-MM-DD", "evaluation date", true},
        {"person", "ID", "the person's id", true},
    };
    struct cl_error err = {0};
    struct cl_benefits_rules *r = NULL;
    struct cl_pop pop;
    struct cl_buf out;
    int32_t at, person = -1;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless benefits explain [--rules DIR] --data FILE --at DATE "
                       "--person ID\n"
                       "The account of every benefit for one person and their household.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if ((rc = parse_at(argv[0], cli_get(opts, N(opts), "at"), &at)) != CLI_OK)
        return rc;
    cl_pop_init(&pop);
    cl_buf_init(&out);
    if (cl_benefits_rules_load(rules_dir(opts, N(opts)), &r, &err) != CL_OK ||
        cl_pop_load_file(&pop, cli_get(opts, N(opts), "data"), NULL, report_record, NULL, NULL,
                         &err) != CL_OK ||
        cl_pop_find_person(&pop, cl_bytes_str(cli_get(opts, N(opts), "person")), &person, &err) !=
            CL_OK ||
        cl_benefits_explain_person(r, &pop, at, (size_t)person, &out, &err) != CL_OK) {
        if (err.code == CL_ERR_NOT_FOUND)
            cl_error_nest(&err, "--person");
        rc = cli_fail(argv[0], &err, false);
    } else {
        fwrite(out.ptr, 1, out.len, stdout);
        rc = CLI_OK;
    }
    cl_buf_fini(&out);
    cl_benefits_rules_free(r);
    cl_pop_fini(&pop);
    return rc;
}

static int
benefits_diff(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"before", "A.jsonl", "results of the earlier pass", true},
        {"after", "B.jsonl", "results of the later pass", true},
        {"upcoming-days", "N", "also list results changing within N days (next_change)"},
        {"notified", "FILE", "notified-state: keys of transitions already notified (updated)"},
        {"rules", "DIR", "benefit names for notices (default data/benefits if present)"},
        {"out", "FILE", "write the transitions here instead of standard output"},
    };
    struct cl_error err = {0};
    struct cl_arena a;
    struct cl_bytes before, after;
    struct cl_buf out, notified;
    struct cl_benefits_rules *r = NULL;
    struct cl_benefits_diff_opts o = {-1, NULL};
    const char *npath, *outpath;
    uint64_t days = 0;
    size_t count = 0;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless benefits diff --before A.jsonl --after B.jsonl "
                       "[--upcoming-days N] [--notified FILE]\n"
                       "The transitions worth telling a citizen, one JSON line each.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (cli_get(opts, N(opts), "upcoming-days") != NULL) {
        if (!cli_get_u64(opts, N(opts), "upcoming-days", 0, 3660, &days))
            return CLI_USAGE;
        o.upcoming_days = (int)days;
    }
    npath = cli_get(opts, N(opts), "notified");
    outpath = cli_get(opts, N(opts), "out");
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&out);
    cl_buf_init(&notified);
    if (cl_benefits_rules_load(rules_dir(opts, N(opts)), &r, NULL) == CL_OK)
        o.rules = r;
    if (cli_read_file(&a, cli_get(opts, N(opts), "before"), &before, &err) != CL_OK ||
        cli_read_file(&a, cli_get(opts, N(opts), "after"), &after, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, false);
        goto done;
    }
    if (npath != NULL) {
        FILE *nf = fopen(npath, "rb");
        if (nf != NULL) {
            fclose(nf);
            if (cl_file_read(npath, CL_LIMIT_FILE_MAX, &notified, &err) != CL_OK) {
                rc = cli_fail(argv[0], &err, false);
                goto done;
            }
        }
    }
    if (cl_benefits_diff(before, after, &o, npath != NULL ? &notified : NULL, &out, &count, &err) !=
            CL_OK ||
        cli_write_file(outpath != NULL ? outpath : "-",
                       out.len > 0 ? cl_buf_bytes(&out) : cl_bytes_of("", 0), 0644,
                       &err) != CL_OK ||
        (npath != NULL &&
         cl_file_write(npath, notified.len > 0 ? cl_buf_bytes(&notified) : cl_bytes_of("", 0), 0600,
                       &err) != CL_OK)) {
        rc = cli_fail(argv[0], &err, false);
        goto done;
    }
    fprintf(stderr, "benefits diff: %zu transitions\n", count);
    rc = CLI_OK;
done:
    cl_benefits_rules_free(r);
    cl_buf_fini(&notified);
    cl_buf_fini(&out);
    cl_arena_fini(&a);
    return rc;
}

static int
benefits_synth(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"households", "N", "how many households", true},
        {"seed", "S", "seed: the same seed gives the same bytes", true},
        {"out", "FILE", "where to write the feed (- for stdout)", true},
        {"at", "YYYY-MM-DD", "evaluation_date of the header (default 2026-03-01)"},
        {"json-document", NULL, "write the JSON document form instead of JSON Lines"},
    };
    struct cl_error err = {0};
    struct cl_pop_synth_opts so;
    uint64_t n, seed;
    const char *outpath;
    FILE *f;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless benefits synth --households N --seed S --out FILE\n"
                       "Write a deterministic synthetic population feed.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (!cli_get_u64(opts, N(opts), "households", 1, 100000000, &n) ||
        !cli_get_u64(opts, N(opts), "seed", 0, UINT64_MAX, &seed))
        return CLI_USAGE;
    memset(&so, 0, sizeof so);
    so.households = (size_t)n;
    so.seed = seed;
    so.json_document = cli_flag(opts, N(opts), "json-document");
    if (cli_get(opts, N(opts), "at") != NULL &&
        (rc = parse_at(argv[0], cli_get(opts, N(opts), "at"), &so.evaluation_date)) != CLI_OK)
        return rc;
    outpath = cli_get(opts, N(opts), "out");
    f = strcmp(outpath, "-") == 0 ? stdout : fopen(outpath, "wb");
    if (f == NULL) {
        cl_fail(&err, CL_ERR_IO, outpath, "cannot open the output file");
        return cli_fail(argv[0], &err, false);
    }
    if (cl_pop_synth_write(f, &so, &err) != CL_OK) {
        if (f != stdout)
            fclose(f);
        return cli_fail(argv[0], &err, false);
    }
    if (f != stdout && fclose(f) != 0) {
        cl_fail(&err, CL_ERR_IO, outpath, "cannot write the feed");
        return cli_fail(argv[0], &err, false);
    }
    return CLI_OK;
}

static const struct cli_verb benefits_verbs[] = {
    {"check", "parse and check the rule and parameter files", benefits_check},
    {"eval", "evaluate every benefit over a household feed on a date", benefits_eval},
    {"explain", "the account of every benefit for one person", benefits_explain},
    {"diff", "transitions between two result files, with notices", benefits_diff},
    {"synth", "write a synthetic population feed", benefits_synth},
};

const struct cli_noun cli_noun_benefits = {
    "benefits", "proactive welfare eligibility: rules, evaluation, explanations, notices",
    benefits_verbs, N(benefits_verbs)};
