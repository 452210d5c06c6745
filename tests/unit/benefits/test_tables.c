/*
 * test_tables.c - the table-driven rule tests: every line of a tests/benefits .test file names a
 * hand-made feed, a date, a benefit and a subject, and the expected status, amount, next
 * change and check outcomes (jq.test style). Expected values are computed by hand in the
 * .test files from specs/welfare-2026.md.
 */
#include "support.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/benefits.h"
#include "cardless/population.h"
#include "cardless/time.h"

#define MAX_FEEDS 8

struct feed {
    char name[64];
    struct cl_pop pop;
};

static struct cl_benefits_rules *rules;
static struct feed feeds[MAX_FEEDS];
static size_t nfeeds;

static struct cl_pop *
feed(const char *name)
{
    char path[512];
    struct cl_error err = {0};

    for (size_t i = 0; i < nfeeds; i++)
        if (strcmp(feeds[i].name, name) == 0)
            return &feeds[i].pop;
    assert_true(nfeeds < MAX_FEEDS);
    snprintf(path, sizeof path, "%s/tests/benefits/feeds/%s", CL_SOURCE_DIR, name);
    snprintf(feeds[nfeeds].name, sizeof feeds[nfeeds].name, "%s", name);
    cl_pop_init(&feeds[nfeeds].pop);
    if (cl_pop_load_file(&feeds[nfeeds].pop, path, NULL, NULL, NULL, NULL, &err) != CL_OK)
        fail_msg("%s: %s: %s", path, err.where, err.msg);
    return &feeds[nfeeds++].pop;
}

/* The result line for (benefit, person) of household hid at date, or NULL. */
static json_t *
result(struct cl_pop *pop, const char *date, const char *ben, const char *hid, const char *pid,
       char *why, size_t whylen)
{
    struct cl_error err = {0};
    struct cl_benefits_writer *w = NULL;
    struct cl_buf out;
    int32_t at, h;
    json_t *found = NULL;

    if (cl_date_parse(cl_bytes_str(date), &at, NULL) != CL_OK) {
        snprintf(why, whylen, "bad date %s", date);
        return NULL;
    }
    h = cl_pop_find_household(pop, cl_bytes_str(hid));
    if (h < 0) {
        snprintf(why, whylen, "no household %s", hid);
        return NULL;
    }
    cl_buf_init(&out);
    if (cl_benefits_writer_new(rules, pop, at, CL_BENEFITS_ALL | CL_BENEFITS_EXPLAIN, &w, &err) !=
            CL_OK ||
        cl_benefits_writer_household(w, (size_t)h, &out, NULL, &err) != CL_OK) {
        snprintf(why, whylen, "eval: %s: %s", err.where, err.msg);
        goto done;
    }
    for (size_t i = 0; i < out.len;) {
        const uint8_t *nl = memchr(out.ptr + i, '\n', out.len - i);
        size_t n = (size_t)(nl - (out.ptr + i));
        json_t *j = json_loadb((const char *)out.ptr + i, n, 0, NULL);
        const char *b = json_string_value(json_object_get(j, "benefit"));
        const char *p = json_string_value(json_object_get(j, "person_id"));

        i += n + 1;
        if (j != NULL && b != NULL && strcmp(b, ben) == 0 &&
            ((p == NULL && strcmp(pid, "-") == 0) || (p != NULL && strcmp(p, pid) == 0))) {
            found = j;
            break;
        }
        json_decref(j);
    }
    if (found == NULL)
        snprintf(why, whylen, "no result line for %s %s", ben, pid);
done:
    cl_benefits_writer_free(w);
    cl_buf_fini(&out);
    return found;
}

static json_t *
check_named(json_t *line, const char *name)
{
    size_t i;
    json_t *c;

    json_array_foreach(json_object_get(line, "checks"), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "condition"));
        if (n != NULL && strcmp(n, name) == 0)
            return c;
    }
    return NULL;
}

/* JSON value as compact text; strings without quotes. */
static void
text_of(json_t *v, char *out, size_t n)
{
    char *s;

    if (v == NULL) {
        snprintf(out, n, "(absent)");
        return;
    }
    if (json_is_string(v)) {
        snprintf(out, n, "%s", json_string_value(v));
        return;
    }
    s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(out, n, "%s", s ? s : "?");
    free(s);
}

/* Check one expectation token against the line; returns false with why filled. */
static bool
expect_token(json_t *line, const char *tok, char *why, size_t whylen)
{
    char key[96], got[256];
    const char *eq = strchr(tok, '=');
    const char *dot;

    if (eq == NULL || (size_t)(eq - tok) >= sizeof key) {
        snprintf(why, whylen, "bad token %s", tok);
        return false;
    }
    memcpy(key, tok, (size_t)(eq - tok));
    key[eq - tok] = 0;
    if (strcmp(key, "next") == 0) {
        text_of(json_object_get(line, "next_change"), got, sizeof got);
    } else if ((dot = strchr(key, '.')) != NULL) {
        char cname[96];
        json_t *c;
        memcpy(cname, key, (size_t)(dot - key));
        cname[dot - key] = 0;
        c = check_named(line, cname);
        text_of(c ? json_object_get(c, dot + 1) : NULL, got, sizeof got);
    } else {
        json_t *c = check_named(line, key);
        text_of(c ? json_object_get(c, "outcome") : NULL, got, sizeof got);
    }
    if (strcmp(got, eq + 1) != 0) {
        snprintf(why, whylen, "%s: got %s, want %s", key, got, eq + 1);
        return false;
    }
    return true;
}

static int
run_file(const char *path, int *cases)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    int lineno = 0, failures = 0;

    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        char *tok[32], *save = NULL, *p;
        int n = 0;
        char why[512] = "";
        json_t *j;
        bool ok = true;

        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        for (p = strtok_r(line, " \t\n", &save); p != NULL && n < 32;
             p = strtok_r(NULL, " \t\n", &save))
            tok[n++] = p;
        if (n < 7) {
            print_error("%s:%d: a case needs at least 7 fields\n", path, lineno);
            failures++;
            continue;
        }
        (*cases)++;
        j = result(feed(tok[0]), tok[1], tok[2], tok[3], tok[4], why, sizeof why);
        if (j == NULL) {
            ok = false;
        } else {
            char got[256], want[256];
            text_of(json_object_get(j, "status"), got, sizeof got);
            if (strcmp(got, tok[5]) != 0) {
                snprintf(why, sizeof why, "status: got %s, want %s", got, tok[5]);
                ok = false;
            }
            if (ok) {
                json_t *amt = json_object_get(j, "amount");
                if (strcmp(tok[6], "-") == 0) {
                    snprintf(want, sizeof want, "null");
                } else {
                    char *colon = strchr(tok[6], ':');
                    snprintf(want, sizeof want, "{\"%.*s\":%s}", colon ? (int)(colon - tok[6]) : 0,
                             tok[6], colon ? colon + 1 : "");
                }
                text_of(amt, got, sizeof got);
                if (strcmp(got, want) != 0) {
                    snprintf(why, sizeof why, "amount: got %s, want %s", got, want);
                    ok = false;
                }
            }
            for (int k = 7; k < n && ok; k++)
                ok = expect_token(j, tok[k], why, sizeof why);
            json_decref(j);
        }
        if (!ok) {
            print_error("%s:%d: %s %s %s %s: %s\n", path, lineno, tok[1], tok[2], tok[3], tok[4],
                        why);
            failures++;
        }
    }
    fclose(f);
    return failures;
}

static void
test_tables(void **state)
{
    char dir[512];
    struct dirent *e;
    DIR *d;
    int failures = 0, cases = 0, files = 0;

    (void)state;
    snprintf(dir, sizeof dir, "%s/tests/benefits", CL_SOURCE_DIR);
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[1024];
        size_t n = strlen(e->d_name);

        if (n < 6 || strcmp(e->d_name + n - 5, ".test") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        failures += run_file(path, &cases);
        files++;
    }
    closedir(d);
    print_message("%d cases in %d files, %d failed\n", cases, files, failures);
    assert_true(files >= 4);
    assert_true(cases >= 75);
    if (failures != 0)
        fail_msg("%d table cases failed", failures);
}

static int
setup(void **state)
{
    char dir[512];
    struct cl_error err = {0};

    (void)state;
    snprintf(dir, sizeof dir, "%s/data/benefits", CL_SOURCE_DIR);
    if (cl_benefits_rules_load(dir, &rules, &err) != CL_OK) {
        print_error("%s: %s\n", err.where, err.msg);
        return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < nfeeds; i++)
        cl_pop_fini(&feeds[i].pop);
    cl_benefits_rules_free(rules);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
