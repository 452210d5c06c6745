/*
 * test_batch.c - the batch machine (batch.c) against the scalar reference (eval.c): the same
 * synthetic population evaluated by both on dates around the 2025/2026 parameter change, with
 * persons moved onto the edges (65th birthdays and the day before, 29 February births, month
 * indexes 0, 11, 12, 23, 107, 108, first birthdays), on one and two threads; every status and
 * amount of every subject and benefit must be identical. A date with no parameter row fails
 * the same way on both.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benefits/benefits_int.h"
#include "cardless/benefits.h"
#include "cardless/population.h"
#include "cardless/time.h"

static int32_t
day(const char *s)
{
    int32_t d = 0;
    struct cl_error err = {0};

    assert_int_equal(cl_date_parse(cl_bytes_str(s), &d, &err), CL_OK);
    return d;
}

static struct cl_benefits_rules *
load_rules(void)
{
    struct cl_benefits_rules *r = NULL;
    struct cl_error err = {0};

    if (cl_benefits_rules_load(CL_SOURCE_DIR "/data/benefits", &r, &err) != CL_OK)
        fail_msg("%s: %s", err.where, err.msg);
    return r;
}

/* the date d moved by y years and m months (day clamped to 28 for simplicity) */
static int32_t
shift(int32_t d, int32_t y, int32_t m)
{
    int32_t yy;
    unsigned mm, dd;
    int32_t months;

    cl_civil_from_days(d, &yy, &mm, &dd);
    months = yy * 12 + (int32_t)mm - 1 + y * 12 + m;
    return cl_days_from_civil(months / 12, (unsigned)(months % 12) + 1, dd > 28 ? 28 : dd);
}

/* move some persons' birth dates onto the edges the rules look at, for date at */
static void
edge_births(struct cl_pop *pop, int32_t at)
{
    const int32_t edges[] = {
        bn_add_years(at, -65),
        bn_add_years(at, -65) + 1,
        bn_add_years(at, -65) - 1,
        bn_add_years(at, -18),
        bn_add_years(at, -64) + 1,
        bn_add_years(at, -19),
        bn_add_years(at, -34),
        bn_add_years(at, -35) + 1,
        bn_add_years(at, -1),
        bn_add_years(at, -1) + 1,
        at,
        at - 1,
        shift(at, 0, -11),
        shift(at, 0, -12),
        shift(at, 0, -23),
        shift(at, 0, -24),
        shift(at, 0, -107),
        shift(at, 0, -108),
        day("1961-02-28"),
        day("1960-02-29"),
        day("1964-02-29"),
        day("2017-01-01"),
        day("2017-12-31"),
        day("2016-12-31"),
        day("2024-01-01"),
        day("2023-12-31"),
        day("2018-01-01"),
    };

    for (size_t i = 0; i < pop->np; i += 3)
        pop->p_birth[i] = edges[(i / 3) % CL_ARRAY_LEN(edges)];
}

/* Housing amounts absent from some households: missing data, never 0 (every other household
 * loses its deposit, every third its rent; some both). */
static void
absent_housing(struct cl_pop *pop)
{
    for (size_t h = 0; h < pop->nh; h++) {
        if (h % 2 == 0)
            pop->hh_flags[h] &= (uint8_t)~CL_POP_H_HAS_DEPOSIT;
        if (h % 3 == 0)
            pop->hh_flags[h] &= (uint8_t)~CL_POP_H_HAS_RENT;
    }
}

static void
compare(const struct cl_benefits_rules *r, const struct cl_pop *pop, int32_t at, unsigned threads,
        unsigned mode)
{
    struct cl_benefits_results a, b;
    struct cl_error err = {0};
    char d[11];
    cl_err ra, rb;

    cl_date_format(at, d);
    assert_int_equal(cl_benefits_results_init(&a, r, pop, &err), CL_OK);
    assert_int_equal(cl_benefits_results_init(&b, r, pop, &err), CL_OK);
    for (size_t bi = 0; bi < b.nben; bi++) { /* a subject the batch leaves out shows */
        memset(b.status[bi], 0xee, b.nsub[bi]);
        if (b.amount[bi] != NULL)
            memset(b.amount[bi], 0xee, b.nsub[bi] * sizeof(int32_t));
    }
    ra = bn_eval_pass(r, pop, at, threads, BN_PASS_SCALAR, &a, &err);
    rb = bn_eval_pass(r, pop, at, threads, mode, &b, &err);
    assert_int_equal(ra, CL_OK);
    assert_int_equal(rb, CL_OK);
    for (size_t bi = 0; bi < a.nben; bi++) {
        struct cl_benefits_info info;
        size_t agree = 0;

        cl_benefits_info(r, bi, &info);
        for (size_t s = 0; s < a.nsub[bi]; s++) {
            if (a.status[bi][s] != b.status[bi][s])
                fail_msg("%s %s subject %zu (%u threads): scalar %s, batch %u", d, info.id, s,
                         threads, cl_benefits_status_name(a.status[bi][s]), b.status[bi][s]);
            if (a.amount[bi] != NULL && a.amount[bi][s] != b.amount[bi][s])
                fail_msg("%s %s subject %zu: scalar amount %d, batch %d", d, info.id, s,
                         a.amount[bi][s], b.amount[bi][s]);
            agree++;
        }
        assert_int_equal(agree, a.nsub[bi]);
    }
    cl_benefits_results_fini(&a);
    cl_benefits_results_fini(&b);
}

static void
test_batch_matches_scalar(void **state)
{
    static const char *const dates[] = {"2025-12-31", "2026-01-01", "2026-03-01",
                                        "2026-02-28", "2026-06-15", "2025-01-01"};
    struct cl_benefits_rules *r = load_rules();

    (void)state;
    assert_true(bn_batch_supported(r));
    for (uint64_t seed = 1; seed <= 2; seed++) {
        for (size_t i = 0; i < CL_ARRAY_LEN(dates); i++) {
            struct cl_pop pop;
            struct cl_pop_synth_opts so = {2500, seed, 0, false};
            struct cl_error err = {0};
            int32_t at = day(dates[i]);

            cl_pop_init(&pop);
            assert_int_equal(cl_pop_synth(&pop, &so, &err), CL_OK);
            compare(r, &pop, at, 1, BN_PASS_BATCH); /* the population as generated */
            compare(r, &pop, at, 1, BN_PASS_BATCH_TABLE);
            edge_births(&pop, at); /* then with many persons on the edges */
            compare(r, &pop, at, 1, BN_PASS_BATCH);
            compare(r, &pop, at, 2, BN_PASS_BATCH_TABLE);
            absent_housing(&pop); /* and housing amounts left out of the feed */
            compare(r, &pop, at, 1, BN_PASS_BATCH);
            cl_pop_fini(&pop);
        }
    }
    cl_benefits_rules_free(r);
}

/* the hand-made edge feeds of the table tests (tests/benefits/feeds), on the dates they use */
static void
test_batch_edge_feeds(void **state)
{
    static const char *const names[] = {"children.json", "nblss.json", "pension.json",
                                        "youth.json"};
    static const char *const dates[] = {"2025-12-31", "2026-01-01", "2026-03-01",
                                        "2026-03-10", "2026-06-30", "2026-12-31"};
    struct cl_benefits_rules *r = load_rules();

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(names); i++) {
        char path[512];
        struct cl_pop pop;
        struct cl_error err = {0};

        snprintf(path, sizeof path, "%s/tests/benefits/feeds/%s", CL_SOURCE_DIR, names[i]);
        cl_pop_init(&pop);
        if (cl_pop_load_file(&pop, path, NULL, NULL, NULL, NULL, &err) != CL_OK)
            fail_msg("%s: %s: %s", path, err.where, err.msg);
        for (size_t d = 0; d < CL_ARRAY_LEN(dates); d++) {
            compare(r, &pop, day(dates[d]), 1, BN_PASS_BATCH);
            compare(r, &pop, day(dates[d]), 1, BN_PASS_BATCH_TABLE);
        }
        cl_pop_fini(&pop);
    }
    cl_benefits_rules_free(r);
}

/* a date no parameter row covers: the same error from both machines */
static void
test_batch_no_row(void **state)
{
    struct cl_benefits_rules *r = load_rules();
    struct cl_pop pop;
    struct cl_pop_synth_opts so = {300, 3, 0, false};
    struct cl_benefits_results res;
    struct cl_error ea = {0}, eb = {0};

    (void)state;
    cl_pop_init(&pop);
    assert_int_equal(cl_pop_synth(&pop, &so, &ea), CL_OK);
    assert_int_equal(cl_benefits_results_init(&res, r, &pop, &ea), CL_OK);
    assert_int_equal(bn_eval_pass(r, &pop, day("2031-01-01"), 1, BN_PASS_SCALAR, &res, &ea),
                     CL_ERR_INPUT);
    assert_int_equal(cl_benefits_eval(r, &pop, day("2031-01-01"), 2, &res, &eb), CL_ERR_INPUT);
    assert_string_equal(ea.where, eb.where);
    assert_string_equal(ea.msg, eb.msg);
    cl_benefits_results_fini(&res);
    cl_pop_fini(&pop);
    cl_benefits_rules_free(r);
}

/*
 * Amounts above INT32_MAX (the store's wide amounts): the batch machine's household sums take
 * their saturating step-by-step path. A synthetic feed with every fifth amount of some money
 * fields multiplied by 1,000 (digits appended to the text), against the scalar machine.
 */
static void
test_batch_wide_amounts(void **state)
{
    static const char *const keys[] = {
        "\"general\":", "\"financial\":", "\"other\":", "\"earned\":", "\"debt\":", "\"housing\":"};
    struct cl_benefits_rules *r = load_rules();
    struct cl_pop_synth_opts so = {1500, 7, 0, false};
    struct cl_pop pop;
    struct cl_error err = {0};
    char *text = NULL, *out;
    size_t len = 0, n = 0, seen = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    assert_non_null(f);
    assert_int_equal(cl_pop_synth_write(f, &so, &err), CL_OK);
    assert_int_equal(fclose(f), 0);
    out = malloc(len * 2 + 1);
    assert_non_null(out);
    for (size_t i = 0; i < len;) {
        size_t k = CL_ARRAY_LEN(keys);

        for (size_t j = 0; j < CL_ARRAY_LEN(keys) && k == CL_ARRAY_LEN(keys); j++)
            if (strncmp(text + i, keys[j], strlen(keys[j])) == 0)
                k = j;
        if (k == CL_ARRAY_LEN(keys)) {
            out[n++] = text[i++];
            continue;
        }
        memcpy(out + n, keys[k], strlen(keys[k]));
        n += strlen(keys[k]);
        i += strlen(keys[k]);
        while (i < len && text[i] == ' ')
            out[n++] = text[i++];
        if (i < len && text[i] >= '1' && text[i] <= '9') {
            while (i < len && text[i] >= '0' && text[i] <= '9')
                out[n++] = text[i++];
            if (seen++ % 5 == 0) { /* x 1000 */
                memcpy(out + n, "000", 3);
                n += 3;
            }
        }
    }
    cl_pop_init(&pop);
    if (cl_pop_load(&pop, cl_bytes_of((const uint8_t *)out, n), NULL, NULL, NULL, NULL, &err) !=
        CL_OK)
        fail_msg("%s: %s", err.where, err.msg);
    assert_true(pop.nwide > 0); /* the wide path is taken */
    compare(r, &pop, day("2026-03-01"), 1, BN_PASS_BATCH_TABLE);
    compare(r, &pop, day("2025-12-31"), 2, BN_PASS_BATCH_TABLE);
    cl_pop_fini(&pop);
    free(out);
    free(text);
    cl_benefits_rules_free(r);
}

/* the per-pass table against the scalar formulas, every birth date of 170 years */
static void
test_age_table(void **state)
{
    static const char *const dates[] = {"2024-02-29", "2025-02-28", "2026-03-01", "2025-12-31",
                                        "2100-03-01"};

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(dates); i++) {
        int32_t at = day(dates[i]);
        struct bn_agetab *t = bn_agetab_new(at);

        assert_non_null(t);
        for (int32_t b = at - 62000; b <= at + 1000; b++) {
            int16_t age, mi, by;
            int32_t y;
            unsigned m, d;

            bn_agetab_get(t, b, at, &age, &mi, &by);
            cl_civil_from_days(b, &y, &m, &d);
            if (age != (int16_t)bn_age(b, at) || mi != (int16_t)bn_month_index(b, at) ||
                by != (int16_t)y)
                fail_msg("on %s, born %d: %d %d %d", dates[i], b, age, mi, by);
        }
        bn_agetab_free(t);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_matches_scalar),
        cmocka_unit_test(test_batch_edge_feeds),
        cmocka_unit_test(test_batch_no_row),
        cmocka_unit_test(test_batch_wide_amounts),
        cmocka_unit_test(test_age_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
