/* test_population.c - the population store: fixture feeds in both forms, every kind of bad
 * record reported with its id and field and skipped, lookups, wide money, limits, allocation
 * failures, and the synthetic generator's determinism. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/population.h"
#include "cardless/time.h"

#define FIXTURES CL_SOURCE_DIR "/tests/population/"

struct reports {
    char lines[64][CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];
    size_t n;
};

static void
collect(void *ctx, size_t index, struct cl_bytes id, const struct cl_error *err)
{
    struct reports *r = ctx;

    (void)index;
    (void)id;
    if (r->n < CL_ARRAY_LEN(r->lines))
        snprintf(r->lines[r->n++], sizeof r->lines[0], "%s: %s", err->where, err->msg);
}

static void
load_path(struct cl_pop *pop, const char *path, struct reports *rep, struct cl_pop_summary *sum)
{
    struct cl_error err = {0};

    cl_pop_init(pop);
    cl_test_expect(path, cl_pop_load_file(pop, path, NULL, collect, rep, sum, &err), CL_OK, &err);
}

static int32_t
person(struct cl_pop *pop, const char *id)
{
    struct cl_error err = {0};
    int32_t i = -1;

    cl_test_expect(id, cl_pop_find_person(pop, cl_bytes_str(id), &i, &err), CL_OK, &err);
    return i;
}

static void
check_good(struct cl_pop *pop)
{
    int32_t h1 = cl_pop_find_household(pop, cl_bytes_str("H1"));
    int32_t h2 = cl_pop_find_household(pop, cl_bytes_str("H2"));
    int32_t h3 = cl_pop_find_household(pop, cl_bytes_str("H3"));
    int32_t h4 = cl_pop_find_household(pop, cl_bytes_str("H4"));
    int32_t p1 = person(pop, "P1"), p2 = person(pop, "P2"), p3 = person(pop, "P3");
    int32_t p4 = person(pop, "P4"), p6 = person(pop, "P6"), p7 = person(pop, "P7");

    assert_int_equal(pop->nh, 4);
    assert_int_equal(pop->np, 7);
    assert_true(pop->has_evaluation_date);
    assert_int_equal(pop->evaluation_date, cl_days_from_civil(2026, 3, 1));
    assert_true(h1 == 0 && h2 == 1 && h3 == 2 && h4 == 3);
    assert_int_equal(cl_pop_find_household(pop, cl_bytes_str("H999")), -1);
    assert_int_equal(cl_pop_hh_size(pop, 0), 3);
    assert_int_equal(pop->hh_head[h1], p1);
    assert_int_equal(pop->p_spouse[p1], p2);
    assert_int_equal(pop->p_spouse[p2], p1);
    assert_int_equal(pop->p_spouse[p3], -1);
    assert_int_equal(pop->p_hh[p3], h1);
    assert_int_equal(pop->p_birth[p1], cl_days_from_civil(1961, 3, 1));
    assert_int_equal(pop->p_sex[p2], CL_POP_SEX_F);
    assert_int_equal(pop->p_relation[p3], CL_POP_REL_CHILD);
    assert_int_equal(pop->p_school[p3], CL_POP_SCHOOL_ELEMENTARY);
    assert_int_equal(pop->p_birth_order[p3], 1);
    assert_int_equal(pop->p_birth_order[p1], 0);
    /* nulls: the child has no monthly income and no assets, and no consent */
    assert_false(pop->p_flags[p3] & CL_POP_P_HAS_INCOME_MONTHLY);
    assert_false(pop->p_flags[p3] & CL_POP_P_HAS_ASSETS);
    assert_true(pop->p_flags[p3] & CL_POP_P_HAS_INCOME_ANNUAL);
    assert_false(pop->p_flags[p3] & CL_POP_P_CONSENT);
    assert_true(pop->p_flags[p1] & CL_POP_P_CONSENT);
    assert_false(pop->p_flags[p7] & CL_POP_P_HAS_INCOME_ANNUAL);
    assert_true(pop->p_flags[p1] & CL_POP_P_KR);
    assert_false(pop->p_flags[p6] & CL_POP_P_KR);
    assert_int_equal(cl_pop_money(pop, pop->income_monthly[CL_POP_IM_EARNED][p1]), 2000000);
    /* amounts above INT32_MAX are exact */
    assert_true(cl_pop_money(pop, pop->assets[CL_POP_AS_HOUSING][p4]) == 5000000000);
    assert_true(cl_pop_money(pop, pop->assets[CL_POP_AS_DEBT][p4]) == 4900000000);
    assert_int_equal(cl_pop_money(pop, pop->assets[CL_POP_AS_FINANCIAL][p4]), 0);
    assert_int_equal(cl_pop_money(pop, pop->assets[CL_POP_AS_FINANCIAL][p1]), 5000000);
    /* households */
    assert_int_equal(pop->hh_parents[h2], h3);
    assert_true(pop->hh_flags[h2] & CL_POP_H_PARENTS_GIVEN);
    assert_int_equal(pop->hh_parents[h4], -1); /* H999 is not in the feed */
    assert_true(pop->hh_flags[h4] & CL_POP_H_PARENTS_GIVEN);
    assert_int_equal(pop->hh_parents[h1], -1);
    assert_false(pop->hh_flags[h1] & CL_POP_H_PARENTS_GIVEN);
    assert_int_equal(pop->hh_kind[h2], CL_POP_KIND_YOUTH_INDEPENDENT);
    assert_int_equal(pop->hh_tenure[h1], CL_POP_TENURE_MONTHLY_RENT);
    assert_int_equal(cl_pop_money(pop, pop->hh_rent[h1]), 500000);
    assert_true(pop->hh_flags[h1] & CL_POP_H_HAS_RENT);
    assert_false(pop->hh_flags[h3] & CL_POP_H_HAS_DEPOSIT);
    assert_int_equal(pop->hh_nblss_tier[h1], CL_POP_NBLSS_SEOUL);
    /* ids and text */
    assert_true(cl_bytes_eq_str(cl_pop_person_id(pop, (size_t)p7), "P7"));
    assert_true(cl_bytes_eq_str(cl_pop_household_id(pop, (size_t)h3), "H3"));
    assert_true(cl_pop_household_text(pop, (size_t)h1).ptr[0] == '{');
    assert_true(cl_pop_household_text(pop, (size_t)h1).len > 100);
    assert_int_equal(cl_pop_person_id(pop, 99).len, 0);
}

static void
test_good_jsonl(void **state)
{
    struct cl_pop pop;
    struct reports rep = {0};
    struct cl_pop_summary sum;
    struct cl_error err = {0};
    int32_t i;

    (void)state;
    load_path(&pop, FIXTURES "good.jsonl", &rep, &sum);
    assert_int_equal(rep.n, 0);
    assert_true(sum.jsonl);
    assert_int_equal(sum.records, 4);
    assert_int_equal(sum.loaded, 4);
    assert_int_equal(sum.skipped, 0);
    assert_int_equal(sum.persons, 7);
    check_good(&pop);
    assert_int_equal(cl_pop_find_person(&pop, cl_bytes_str("P0"), &i, &err), CL_ERR_NOT_FOUND);
    assert_int_equal(i, -1);
    cl_pop_fini(&pop);
    cl_pop_fini(&pop); /* safe twice */
}

static void
test_good_document(void **state)
{
    struct cl_pop pop;
    struct reports rep = {0};
    struct cl_pop_summary sum;

    (void)state;
    load_path(&pop, FIXTURES "good.json", &rep, &sum);
    assert_int_equal(rep.n, 0);
    assert_false(sum.jsonl);
    assert_int_equal(sum.loaded, 4);
    check_good(&pop);
    cl_pop_fini(&pop);
}

/* Every bad record is reported as bad.expected says, skipped, and the good ones load. */
static void
test_bad_records(void **state)
{
    struct cl_pop pop;
    struct reports rep = {0};
    struct cl_pop_summary sum;
    struct cl_buf want;
    struct cl_error err = {0};
    size_t n = 0;
    char *line, *save = NULL;

    (void)state;
    load_path(&pop, FIXTURES "bad.jsonl", &rep, &sum);
    cl_buf_init(&want);
    cl_test_expect("bad.expected", cl_file_read(FIXTURES "bad.expected", 1 << 20, &want, &err),
                   CL_OK, &err);
    cl_buf_append_byte(&want, 0);
    for (line = strtok_r((char *)want.ptr, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        if (n >= rep.n)
            fail_msg("missing report for: %s", line);
        if (strcmp(rep.lines[n], line) != 0)
            fail_msg("report %zu:\n got  %s\n want %s", n, rep.lines[n], line);
        n++;
    }
    assert_int_equal(n, rep.n);
    assert_int_equal(sum.skipped, n);
    assert_int_equal(sum.records, 44);
    assert_int_equal(sum.loaded, 44 - n);
    assert_int_equal(pop.nh, 44 - n);
    assert_int_equal(pop.np, 44 - n);
    /* the household after each bad one is there, and the bad ones left no trace */
    assert_true(cl_pop_find_household(&pop, cl_bytes_str("G99")) >= 0);
    assert_int_equal(cl_pop_find_household(&pop, cl_bytes_str("B18")), -1);
    assert_int_equal(cl_pop_find_household(&pop, cl_bytes_str("B19")), -1);
    assert_int_equal(pop.p_hh[person(&pop, "GP0")],
                     cl_pop_find_household(&pop, cl_bytes_str("G0")));
    cl_buf_fini(&want);
    cl_pop_fini(&pop);
}

static const struct {
    const char *name;
    const char *text;
    cl_err want;
    const char *where;
} feed_cases[] = {
    {"empty text is an empty feed", "", CL_OK, NULL},
    {"blank lines only", "\n\n  \n", CL_OK, NULL},
    {"not JSON", "hello", CL_ERR_INPUT, "feed"},
    {"an array", "[]", CL_ERR_INPUT, "feed"},
    {"wrong schema (document)", "{\"schema\":\"other/1\",\"households\":[]}", CL_ERR_UNSUPPORTED,
     "feed.schema"},
    {"wrong schema (header line)", "{\"schema\":\"other/1\"}\n", CL_ERR_UNSUPPORTED,
     "header.schema"},
    {"bad evaluation_date",
     "{\"schema\":\"cardless-welfare-citizens/1\",\"evaluation_date\":"
     "\"2026-13-01\",\"households\":[]}",
     CL_ERR_INPUT, "feed.evaluation_date"},
    {"document without schema", "{\"households\":[]}", CL_ERR_MISSING, "feed.schema"},
    {"document with an empty list",
     "{\"schema\":\"cardless-welfare-citizens/1\",\"households\":[]}", CL_OK, NULL},
    {"document broken inside a record",
     "{\"schema\":\"cardless-welfare-citizens/1\",\"households\":[{\"id\":\"H1\",\"x\":[}]}",
     CL_ERR_INPUT, "households[0]"},
    {"document with trailing text",
     "{\"schema\":\"cardless-welfare-citizens/1\",\"households\":[]} x", CL_ERR_INPUT, "feed"},
    {"document with a trailing comma",
     "{\"schema\":\"cardless-welfare-citizens/1\",\"households\":[{},]}", CL_ERR_INPUT,
     "feed.households"},
};

static void
test_feed_rows(void **state)
{
    (void)state;
    for (size_t k = 0; k < CL_ARRAY_LEN(feed_cases); k++) {
        struct cl_pop pop;
        struct cl_error err = {0};
        cl_err got;

        cl_pop_init(&pop);
        got = cl_pop_load(&pop, cl_bytes_str(feed_cases[k].text), NULL, NULL, NULL, NULL, &err);
        if (got != feed_cases[k].want)
            fail_msg("%s: got %s, want %s (%s: %s)", feed_cases[k].name, cl_err_name(got),
                     cl_err_name(feed_cases[k].want), err.where, err.msg);
        if (feed_cases[k].where != NULL && strcmp(err.where, feed_cases[k].where) != 0)
            fail_msg("%s: where %s, want %s", feed_cases[k].name, err.where, feed_cases[k].where);
        if (got != CL_OK)
            assert_int_equal(pop.np, 0);
        cl_pop_fini(&pop);
    }
}

#define HH(members)                                                                                \
    "{\"id\":\"H1\",\"region\":{\"nblss_tier\":\"other\",\"pension_tier\":\"rural\","              \
    "\"child_allowance_area\":\"decline_special\"},\"housing\":{\"tenure\":\"free\"},"             \
    "\"kind\":\"general\",\"members\":[" members "]}\n"
#define P(id, rel)                                                                                 \
    "{\"id\":\"" id "\",\"birth_date\":\"1990-01-01\",\"sex\":\"F\",\"relation\":\"" rel           \
    "\",\"nationality\":\"KR\"}"

/* Limits turn into a reported, skipped record (or a stop for whole-feed counts). */
static void
test_limits(void **state)
{
    struct cl_pop_limits lim;
    struct cl_pop pop;
    struct reports rep = {0};
    struct cl_pop_summary sum;
    struct cl_error err = {0};
    const char *two = HH(P("A", "head") "," P("B", "child"));

    (void)state;
    /* minimal records: optional fields absent */
    cl_pop_init(&pop);
    cl_test_expect("minimal", cl_pop_load(&pop, cl_bytes_str(two), NULL, collect, &rep, &sum, &err),
                   CL_OK, &err);
    assert_int_equal(sum.loaded, 1);
    assert_int_equal(pop.np, 2);
    assert_false(pop.p_flags[0] & (CL_POP_P_CONSENT | CL_POP_P_HAS_ASSETS));
    cl_pop_fini(&pop);

    cl_pop_limits_default(&lim);
    lim.max_members = 1;
    cl_pop_init(&pop);
    cl_test_expect("members", cl_pop_load(&pop, cl_bytes_str(two), &lim, collect, &rep, &sum, &err),
                   CL_OK, &err);
    assert_int_equal(sum.skipped, 1);
    assert_string_equal(rep.lines[rep.n - 1],
                        "households[0] id \"H1\": members[1]: more members than the limit");
    cl_pop_fini(&pop);

    cl_pop_limits_default(&lim);
    lim.max_record_bytes = 64;
    cl_pop_init(&pop);
    cl_test_expect("record", cl_pop_load(&pop, cl_bytes_str(two), &lim, collect, &rep, &sum, &err),
                   CL_OK, &err);
    assert_int_equal(sum.skipped, 1);
    assert_string_equal(rep.lines[rep.n - 1],
                        "households[0] id \"H1\": record larger than the limit");
    cl_pop_fini(&pop);

    cl_pop_limits_default(&lim);
    lim.max_persons = 1;
    cl_pop_init(&pop);
    assert_int_equal(cl_pop_load(&pop, cl_bytes_str(two), &lim, collect, &rep, &sum, &err),
                     CL_ERR_TOO_LARGE);
    cl_pop_fini(&pop);

    /* deep nesting in an unknown member */
    cl_pop_limits_default(&lim);
    cl_pop_init(&pop);
    cl_test_expect(
        "depth",
        cl_pop_load(&pop,
                    cl_bytes_str("{\"id\":\"H1\",\"x\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}"),
                    &lim, collect, &rep, &sum, &err),
        CL_OK, &err);
    assert_string_equal(rep.lines[rep.n - 1], "households[0] id \"H1\": x: nested too deeply");
    cl_pop_fini(&pop);

    /* a store is loaded once */
    cl_pop_init(&pop);
    cl_test_expect("once", cl_pop_load(&pop, cl_bytes_str(two), NULL, NULL, NULL, NULL, &err),
                   CL_OK, &err);
    assert_int_equal(cl_pop_load(&pop, cl_bytes_str(two), NULL, NULL, NULL, NULL, &err),
                     CL_ERR_USAGE);
    cl_pop_fini(&pop);
}

/* Strings: escapes and UTF-8 are checked in fields the store does not keep. */
static void
test_strings(void **state)
{
    static const struct {
        const char *name;
        const char *note;
        bool ok;
    } rows[] = {
        {"plain", "\"abc\"", true},
        {"escapes", "\"a\\n\\t\\\"\\\\\\/\\u00e9\"", true},
        {"surrogate pair", "\"\\ud83d\\ude00\"", true},
        {"lone high surrogate", "\"\\ud83d\"", false},
        {"lone low surrogate", "\"\\ude00\"", false},
        {"bad escape", "\"\\x\"", false},
        {"raw control", "\"a\tb\"", false},
        {"Korean", "\"\xed\x95\x9c\"", true},
        {"overlong", "\"\xc0\xaf\"", false},
        {"UTF-16 surrogate in UTF-8", "\"\xed\xa0\x80\"", false},
        {"null", "null", true},
        {"a number", "1", false},
    };

    (void)state;
    for (size_t k = 0; k < CL_ARRAY_LEN(rows); k++) {
        char text[512];
        struct cl_pop pop;
        struct cl_pop_summary sum;
        struct cl_error err = {0};

        snprintf(text, sizeof text,
                 "{\"id\":\"H1\",\"note\":%s,\"region\":{\"nblss_tier\":\"other\","
                 "\"pension_tier\":\"rural\",\"child_allowance_area\":\"capital\"},\"housing\":"
                 "{\"tenure\":\"free\"},\"kind\":\"general\",\"members\":[" P("A", "head") "]}",
                 rows[k].note);
        cl_pop_init(&pop);
        cl_test_expect(rows[k].name,
                       cl_pop_load(&pop, cl_bytes_str(text), NULL, NULL, NULL, &sum, &err), CL_OK,
                       &err);
        if ((sum.loaded == 1) != rows[k].ok)
            fail_msg("%s: loaded %zu", rows[k].name, sum.loaded);
        cl_pop_fini(&pop);
    }
}

static uint64_t
fnv(const uint8_t *p, size_t n)
{
    uint64_t h = 14695981039346656037u;

    for (size_t k = 0; k < n; k++) {
        h ^= p[k];
        h *= 1099511628211u;
    }
    return h;
}

static uint8_t *
synth_text(size_t households, uint64_t seed, bool document, size_t *len)
{
    struct cl_pop_synth_opts o = {households, seed, 0, document};
    struct cl_error err = {0};
    char *text = NULL;
    FILE *f = open_memstream(&text, len);

    assert_non_null(f);
    cl_test_expect("synth", cl_pop_synth_write(f, &o, &err), CL_OK, &err);
    fclose(f);
    return (uint8_t *)text;
}

/* Same seed, same bytes (here and on every machine: the hash is pinned); the feed reloads
 * without one error, in both forms, and cl_pop_synth makes the same store. */
static void
test_synth(void **state)
{
    size_t la, lb, lc, ld;
    uint8_t *a = synth_text(500, 42, false, &la), *b = synth_text(500, 42, false, &lb);
    uint8_t *c = synth_text(500, 43, false, &lc), *d = synth_text(500, 42, true, &ld);
    struct cl_pop pop, pop2, pop3;
    struct reports rep = {0};
    struct cl_pop_summary sum;
    struct cl_error err = {0};
    struct cl_pop_synth_opts o = {500, 42, 0, false};
    uint64_t h = fnv(a, la);

    (void)state;
    assert_true(la == lb && memcmp(a, b, la) == 0);
    assert_false(lc == la && memcmp(a, c, la) == 0);
    if (h != 0xb4ae7aead88753b5u)
        fail_msg("synth seed 42, 500 households: hash %016llx changed", (unsigned long long)h);
    cl_pop_init(&pop);
    cl_test_expect("reload", cl_pop_load(&pop, cl_bytes_of(a, la), NULL, collect, &rep, &sum, &err),
                   CL_OK, &err);
    if (rep.n > 0)
        fail_msg("synthetic feed: %s", rep.lines[0]);
    assert_int_equal(sum.loaded, 500);
    assert_true(sum.jsonl);
    cl_pop_init(&pop2);
    cl_test_expect("document",
                   cl_pop_load(&pop2, cl_bytes_of(d, ld), NULL, collect, &rep, &sum, &err), CL_OK,
                   &err);
    assert_int_equal(rep.n, 0);
    assert_false(sum.jsonl);
    assert_int_equal(pop2.np, pop.np);
    cl_pop_init(&pop3);
    cl_test_expect("direct", cl_pop_synth(&pop3, &o, &err), CL_OK, &err);
    assert_int_equal(pop3.np, pop.np);
    assert_memory_equal(pop3.p_birth, pop.p_birth, pop.np * sizeof(int32_t));
    assert_memory_equal(pop2.assets[CL_POP_AS_HOUSING], pop.assets[CL_POP_AS_HOUSING],
                        pop.np * sizeof(int32_t));
    /* roughly Korean: one-person households about a third, persons per household about 2.2 */
    {
        size_t ones = 0, old = 0, kids = 0;

        for (size_t k = 0; k < pop.nh; k++)
            ones += cl_pop_hh_size(&pop, k) == 1;
        for (size_t i = 0; i < pop.np; i++) {
            int32_t age_days = pop.evaluation_date - pop.p_birth[i];

            old += age_days >= 65 * 365;
            kids += age_days < 18 * 365;
        }
        assert_in_range(ones * 100 / pop.nh, 28, 44);
        assert_in_range(pop.np * 10 / pop.nh, 19, 26);
        assert_in_range(old * 100 / pop.np, 10, 30);
        assert_in_range(kids * 100 / pop.np, 8, 25);
    }
    cl_pop_fini(&pop);
    cl_pop_fini(&pop2);
    cl_pop_fini(&pop3);
    free(a);
    free(b);
    free(c);
    free(d);
}

/* Load text in `threads` parts; the reports as one string. */
static void
load_threads(struct cl_pop *pop, struct cl_bytes text, unsigned threads, struct reports *rep)
{
    struct cl_pop_limits lim;
    struct cl_error err = {0};

    cl_pop_limits_default(&lim);
    lim.threads = threads;
    memset(rep, 0, sizeof *rep);
    cl_pop_init(pop);
    cl_test_expect("threads", cl_pop_load(pop, text, &lim, collect, rep, NULL, &err), CL_OK, &err);
}

static void
same_store(const struct cl_pop *a, const struct cl_pop *b)
{
    assert_int_equal(a->nh, b->nh);
    assert_int_equal(a->np, b->np);
    assert_int_equal(a->nwide, b->nwide);
    assert_memory_equal(a->hh_first, b->hh_first, (a->nh + 1) * sizeof(int32_t));
    assert_memory_equal(a->hh_head, b->hh_head, a->nh * sizeof(int32_t));
    assert_memory_equal(a->hh_parents, b->hh_parents, a->nh * sizeof(int32_t));
    assert_memory_equal(a->hh_deposit, b->hh_deposit, a->nh * sizeof(int32_t));
    assert_memory_equal(a->hh_flags, b->hh_flags, a->nh);
    assert_memory_equal(a->p_hh, b->p_hh, a->np * sizeof(int32_t));
    assert_memory_equal(a->p_spouse, b->p_spouse, a->np * sizeof(int32_t));
    assert_memory_equal(a->p_birth, b->p_birth, a->np * sizeof(int32_t));
    assert_memory_equal(a->p_flags, b->p_flags, a->np * sizeof(uint16_t));
    for (int k = 0; k < CL_POP_AS_COUNT; k++)
        assert_memory_equal(a->assets[k], b->assets[k], a->np * sizeof(int32_t));
    for (int k = 0; k < CL_POP_IM_COUNT; k++)
        assert_memory_equal(a->income_monthly[k], b->income_monthly[k], a->np * sizeof(int32_t));
    if (a->nwide > 0)
        assert_memory_equal(a->wide, b->wide, a->nwide * sizeof(int64_t));
    for (size_t i = 0; i < a->np; i++)
        assert_true(cl_bytes_eq(cl_pop_person_id(a, i), cl_pop_person_id(b, i)));
}

/* Loading in parts gives the same store and the same reports, in the same order, as one run;
 * a repeated id across parts makes it load again in one run. */
static void
test_parallel(void **state)
{
    size_t len;
    uint8_t *text = synth_text(3000, 7, false, &len);
    struct cl_buf withbad, bad;
    struct cl_pop a, b;
    struct reports ra, rb;
    struct cl_error err = {0};
    int32_t i;

    (void)state;
    cl_buf_init(&withbad);
    cl_buf_append(&withbad, text, len);
    cl_buf_append_str(&withbad, "{\"id\":\"X1\",\"kind\":\"mars\"}\n[1]\n");
    cl_buf_append(&withbad, text + len / 2, 0);
    for (unsigned t = 2; t <= 5; t++) {
        load_threads(&a, cl_bytes_of(text, len), 1, &ra);
        load_threads(&b, cl_bytes_of(text, len), t, &rb);
        same_store(&a, &b);
        assert_int_equal(rb.n, 0);
        assert_int_equal(cl_pop_find_person(&b, cl_pop_person_id(&a, a.np - 1), &i, &err), CL_OK);
        assert_int_equal(i, (int32_t)a.np - 1);
        cl_pop_fini(&a);
        cl_pop_fini(&b);
        load_threads(&a, cl_buf_bytes(&withbad), 1, &ra);
        load_threads(&b, cl_buf_bytes(&withbad), t, &rb);
        same_store(&a, &b);
        assert_int_equal(ra.n, 2);
        assert_int_equal(rb.n, ra.n);
        for (size_t k = 0; k < ra.n; k++)
            assert_string_equal(ra.lines[k], rb.lines[k]);
        cl_pop_fini(&a);
        cl_pop_fini(&b);
    }
    /* bad.jsonl repeats ids across households: the parts fall back to one run */
    cl_buf_init(&bad);
    cl_test_expect("bad.jsonl", cl_file_read(FIXTURES "bad.jsonl", 1 << 20, &bad, &err), CL_OK,
                   &err);
    load_threads(&a, cl_buf_bytes(&bad), 1, &ra);
    load_threads(&b, cl_buf_bytes(&bad), 4, &rb);
    same_store(&a, &b);
    assert_int_equal(rb.n, ra.n);
    for (size_t k = 0; k < ra.n; k++)
        assert_string_equal(ra.lines[k], rb.lines[k]);
    cl_pop_fini(&a);
    cl_pop_fini(&b);
    cl_buf_fini(&bad);
    cl_buf_fini(&withbad);
    free(text);
}

/* Fail allocation 1, 2, ... until the load succeeds: NOMEM each time, nothing leaks. */
static void
test_alloc_failures(void **state)
{
    struct cl_buf text;
    struct cl_error err = {0};

    (void)state;
    cl_buf_init(&text);
    cl_test_expect("good.jsonl", cl_file_read(FIXTURES "good.jsonl", 1 << 20, &text, &err), CL_OK,
                   &err);
    for (unsigned long n = 1; n < 1000; n++) {
        struct cl_pop pop;
        cl_err rc;

        cl_pop_init(&pop);
        cl_alloc_fail_at(n);
        rc = cl_pop_load(&pop, cl_buf_bytes(&text), NULL, NULL, NULL, NULL, NULL);
        cl_alloc_fail_at(0);
        cl_pop_fini(&pop);
        if (rc == CL_OK) {
            cl_buf_fini(&text);
            return;
        }
        if (rc != CL_ERR_NOMEM)
            fail_msg("allocation %lu: got %s, want nomem", n, cl_err_name(rc));
    }
    fail_msg("never succeeded");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_jsonl),     cmocka_unit_test(test_good_document),
        cmocka_unit_test(test_bad_records),    cmocka_unit_test(test_feed_rows),
        cmocka_unit_test(test_limits),         cmocka_unit_test(test_strings),
        cmocka_unit_test(test_synth),          cmocka_unit_test(test_parallel),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
