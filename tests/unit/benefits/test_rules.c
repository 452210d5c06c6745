/*
 * test_rules.c - the rules language: errors with file:line:column, parameter tables with a
 * gap or an overlap, type and exactness checks, the date facts (29 February, month index),
 * and the compact pass agreeing with the traced writer over a synthetic population.
 */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "benefits/benefits_int.h"
#include "cardless/alloc.h"
#include "cardless/benefits.h"
#include "cardless/population.h"
#include "cardless/time.h"

static const char params[] = "table median_income key household_size \"median\"\n"
                             "  2026-01-01 2026-12-31 1 2_564_238\n"
                             "  2026-01-01 2026-12-31 2 4_199_292\n"
                             "table t.rate \"a rate\"\n"
                             "  2026-01-01 2026-12-31 32%\n";

static const char good_rule[] = "benefit x\n"
                                "  name.ko \"엑스\" name.en \"X\" agency \"a\" legal_basis \"l\"\n"
                                "  source \"s\" apply \"p\" unit person\n"
                                "  condition old reads registry ko \"k\" en \"e\"\n"
                                "    when age >= 65\n"
                                "  amount monthly = 1_000\n";

static const struct {
    const char *name;
    const char *file; /* name given to the parser: .rule or .param */
    const char *text;
    cl_err want;
    const char *where; /* expected err.where, or NULL */
    const char *msg;   /* a substring of err.msg, or NULL */
} parse_cases[] = {
    {"a good rule", "x.rule", good_rule, CL_OK, NULL, NULL},
    {"unknown name", "x.rule",
     "benefit x\n name.ko \"k\" name.en \"e\" agency \"a\" legal_basis \"l\" source \"s\"\n"
     " apply \"p\" unit person\n condition c reads registry ko \"k\" en \"e\"\n"
     "   when agee >= 65\n",
     CL_ERR_INPUT, "x.rule:5:9", "unknown name 'agee'"},
    {"type error: number and boolean", "x.rule",
     "benefit x\n condition c reads registry ko \"k\" en \"e\" when age >= is_korean\n",
     CL_ERR_INPUT, "x.rule:2:52", "must be a number"},
    {"undeclared scope", "x.rule",
     "benefit x\n condition c reads registry ko \"k\" en \"e\" when nblss_ri <= 5\n", CL_ERR_INPUT,
     "x.rule:2:48", "scope 'financial'"},
    {"inexact fraction", "x.rule",
     "benefit x\n condition c reads registry ko \"k\" en \"e\" when age * 0.00001 >= 1\n",
     CL_ERR_INPUT, "x.rule:2:54", "finer than"},
    {"division by a name", "x.rule",
     "benefit x\n condition c reads registry ko \"k\" en \"e\" when age / age >= 1\n", CL_ERR_INPUT,
     "x.rule:2:54", "division only by"},
    {"unknown enum value", "x.rule",
     "benefit x\n condition c reads housing ko \"k\" en \"e\" when tenure == \"castle\"\n",
     CL_ERR_INPUT, "x.rule:2:57", "not a value of tenure"},
    {"unclosed string", "x.rule", "benefit x\n name.ko \"abc\n", CL_ERR_INPUT, "x.rule:2:10",
     "string not closed"},
    {"missing metadata", "x.rule",
     "benefit x\n condition c reads registry ko \"k\" en \"e\" when age >= 1\n", CL_ERR_INPUT,
     "x.rule:1:1", "lacks name.ko"},
    {"amount not whole won", "x.rule",
     "benefit x\n condition c reads registry ko \"k\" en \"e\" when age >= 1\n"
     " amount monthly = 100 * 0.5\n",
     CL_ERR_INPUT, "x.rule:3:19", "whole won"},
    {"bad character", "x.rule", "benefit x\n ~\n", CL_ERR_INPUT, "x.rule:2:2",
     "unexpected character"},
    {"not a date", "x.param", "table a \"t\"\n 2026-02-30 2026-12-31 1\n", CL_ERR_INPUT,
     "x.param:2:2", "not a calendar date"},
    {"gap between rows", "x.param",
     "table a \"t\"\n 2025-01-01 2025-12-30 1\n 2026-01-01 2026-12-31 2\n", CL_ERR_INPUT,
     "x.param:3:1", "gap after the row of line 2"},
    {"overlapping rows", "x.param",
     "table a key household_size \"t\"\n 2025-01-01 2025-12-31 1 10\n"
     " 2025-06-01 2026-12-31 1 20\n 2025-01-01 2026-12-31 2 30\n",
     CL_ERR_INPUT, "x.param:3:1", "overlaps the row of line 2"},
    {"rows of different keys may share dates", "x.param",
     "table a key nblss_tier \"t\"\n 2025-01-01 2026-12-31 seoul 1\n"
     " 2025-01-01 2026-12-31 other 2\n",
     CL_OK, NULL, NULL},
    {"unknown symbol key", "x.param",
     "table a key nblss_tier \"t\"\n 2025-01-01 2026-12-31 mars 1\n", CL_ERR_INPUT, "x.param:2:24",
     "nblss_tier value"},
    {"to before from", "x.param", "table a \"t\"\n 2026-01-01 2025-12-31 1\n", CL_ERR_INPUT,
     "x.param:2:13", "before effective_from"},
};

static void
test_parse_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(parse_cases); i++) {
        struct cl_benefits_rules *r = NULL;
        struct cl_error err = {0};
        cl_err rc;

        assert_int_equal(cl_benefits_rules_new(&r, &err), CL_OK);
        rc = cl_benefits_rules_add(r, "p.param", cl_bytes_str(params), &err);
        if (rc != CL_OK)
            cl_benefits_rules_free(r);
        assert_int_equal(rc, CL_OK);
        rc = cl_benefits_rules_add(r, parse_cases[i].file, cl_bytes_str(parse_cases[i].text), &err);
        cl_benefits_rules_free(r);
        cl_test_expect(parse_cases[i].name, rc, parse_cases[i].want, &err);
        if (parse_cases[i].where != NULL && strcmp(err.where, parse_cases[i].where) != 0)
            fail_msg("%s: where %s, want %s (%s)", parse_cases[i].name, err.where,
                     parse_cases[i].where, err.msg);
        if (parse_cases[i].msg != NULL && strstr(err.msg, parse_cases[i].msg) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", parse_cases[i].name, err.msg,
                     parse_cases[i].msg);
    }
}

static int32_t
day(const char *s)
{
    int32_t d = 0;
    assert_int_equal(cl_date_parse(cl_bytes_str(s), &d, NULL), CL_OK);
    return d;
}

static void
test_date_facts(void **state)
{
    static const struct {
        const char *birth, *at;
        int32_t age, month_index;
    } cases[] = {
        /* welfare-2026.md §3 examples */
        {"1961-03-01", "2026-03-01", 65, 780},
        {"1961-03-02", "2026-03-01", 64, 780},
        {"2018-03-10", "2026-03-01", 7, 96},
        {"2025-03-01", "2026-03-01", 1, 12},
        {"2025-04-30", "2026-03-01", 0, 11},
        /* 6.13: born 29 Feb, the year of age starts on 1 Mar in non-leap years */
        {"2024-02-29", "2025-02-28", 0, 12},
        {"2024-02-29", "2025-03-01", 1, 13},
        {"2024-02-29", "2028-02-29", 4, 48},
        {"2024-02-29", "2028-02-28", 3, 48},
    };
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(cases); i++) {
        int32_t b = day(cases[i].birth), at = day(cases[i].at);
        if (bn_age(b, at) != cases[i].age || bn_month_index(b, at) != cases[i].month_index)
            fail_msg("%s on %s: age %d month %d, want %d %d", cases[i].birth, cases[i].at,
                     bn_age(b, at), bn_month_index(b, at), cases[i].age, cases[i].month_index);
    }
    assert_int_equal(bn_add_years(day("2024-02-29"), 1), day("2025-03-01"));
    assert_int_equal(bn_add_years(day("2024-02-29"), 4), day("2028-02-29"));
}

static struct cl_benefits_rules *
load_rules(void)
{
    struct cl_benefits_rules *r = NULL;
    struct cl_error err = {0};
    cl_err rc = cl_benefits_rules_load(CL_SOURCE_DIR "/data/benefits", &r, &err);

    cl_test_expect("data/benefits", rc, CL_OK, &err);
    return r;
}

/* The compact pass (any thread count) and the traced writer give the same statuses. */
static void
test_pass_matches_writer(void **state)
{
    struct cl_benefits_rules *r = load_rules();
    struct cl_pop pop;
    struct cl_pop_synth_opts so = {2000, 7, 0, false};
    struct cl_benefits_results one, two;
    struct cl_benefits_writer *w = NULL;
    struct cl_error err = {0};
    struct cl_buf out;
    int32_t at = day("2026-03-01");
    size_t lines = 0, eligible = 0;

    (void)state;
    cl_pop_init(&pop);
    assert_int_equal(cl_pop_synth(&pop, &so, &err), CL_OK);
    assert_int_equal(cl_benefits_results_init(&one, r, &pop, &err), CL_OK);
    assert_int_equal(cl_benefits_results_init(&two, r, &pop, &err), CL_OK);
    assert_int_equal(cl_benefits_eval(r, &pop, at, 1, &one, &err), CL_OK);
    assert_int_equal(cl_benefits_eval(r, &pop, at, 2, &two, &err), CL_OK);
    for (size_t b = 0; b < one.nben; b++) {
        assert_memory_equal(one.status[b], two.status[b], one.nsub[b]);
        if (one.amount[b] != NULL)
            assert_memory_equal(one.amount[b], two.amount[b], one.nsub[b] * sizeof(int32_t));
        for (size_t s = 0; s < one.nsub[b]; s++)
            eligible += one.status[b][s] != CL_BENEFITS_NOT_ELIGIBLE;
    }
    /* the writer writes exactly the results that are not not_eligible */
    cl_buf_init(&out);
    assert_int_equal(cl_benefits_writer_new(r, &pop, at, CL_BENEFITS_NO_FORECAST, &w, &err), CL_OK);
    for (size_t h = 0; h < pop.nh; h++)
        assert_int_equal(cl_benefits_writer_household(w, h, &out, &lines, &err), CL_OK);
    assert_int_equal(lines, eligible);
    assert_true(eligible > 0);
    /* re-evaluating one household gives what the pass gave */
    for (size_t b = 0; b < one.nben; b++)
        memset(two.status[b], 0xff, two.nsub[b]);
    assert_int_equal(cl_benefits_eval_household(r, &pop, at, 17, &two, &err), CL_OK);
    for (int32_t p = pop.hh_first[17]; p < pop.hh_first[18]; p++)
        for (size_t b = 0; b < one.nben; b++)
            if (two.nsub[b] == pop.np)
                assert_int_equal(one.status[b][p], two.status[b][p]);
    cl_benefits_writer_free(w);
    cl_buf_fini(&out);
    cl_benefits_results_fini(&one);
    cl_benefits_results_fini(&two);
    cl_pop_fini(&pop);
    cl_benefits_rules_free(r);
}

/* A date without parameter rows is an error naming the table, not a silent zero. */
static void
test_no_row_for_date(void **state)
{
    struct cl_benefits_rules *r = load_rules();
    struct cl_pop pop;
    struct cl_pop_synth_opts so = {10, 1, 0, false};
    struct cl_benefits_results res;
    struct cl_error err = {0};

    (void)state;
    cl_pop_init(&pop);
    assert_int_equal(cl_pop_synth(&pop, &so, &err), CL_OK);
    assert_int_equal(cl_benefits_results_init(&res, r, &pop, &err), CL_OK);
    assert_int_equal(cl_benefits_eval(r, &pop, day("2031-01-01"), 1, &res, &err), CL_ERR_INPUT);
    assert_non_null(strstr(err.msg, "2031-01-01"));
    cl_benefits_results_fini(&res);
    cl_pop_fini(&pop);
    cl_benefits_rules_free(r);
}

/* Allocation N fails, for N = 1, 2, ... until loading the shipped rules succeeds: each time
 * CL_ERR_NOMEM and no leak (the sanitizers watch), never a crash. */
static void
test_alloc_failures(void **state)
{
    cl_err rc = CL_ERR_NOMEM;

    (void)state;
    for (unsigned long n = 1; rc == CL_ERR_NOMEM && n < 100000; n++) {
        struct cl_benefits_rules *r = NULL;
        struct cl_error err = {0};

        cl_alloc_fail_at(n);
        rc = cl_benefits_rules_load(CL_SOURCE_DIR "/data/benefits", &r, &err);
        cl_alloc_fail_at(0);
        if (rc != CL_OK && rc != CL_ERR_NOMEM)
            fail_msg("allocation %lu: got %s (%s: %s)", n, cl_err_name(rc), err.where, err.msg);
        cl_benefits_rules_free(r);
    }
    assert_int_equal(rc, CL_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),        cmocka_unit_test(test_date_facts),
        cmocka_unit_test(test_pass_matches_writer), cmocka_unit_test(test_no_row_for_date),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
