/*
 * bench_catalog.c - loading a catalog of 300 generated credential types (30 claims each)
 * against the bound of parsing the same files with jansson alone, and validating plus
 * converting one resident card's claims to mdoc CBOR, in CPU time (bench.h). Prints a table and
 * appends JSON records.
 * Usage: bench_catalog [--json FILE] [--seconds S] [--data DIR (data/types, for the card)]
 *                      [--wall]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cardless/alloc.h"
#include "cardless/catalog.h"
#include "cardless/jose.h"

#include "bench.h"

#define NTYPES 300

static char dir[64];
static char *texts[NTYPES];
static size_t lens[NTYPES];

static int
op_load_dir(void *p)
{
    struct cl_catalog *cat = NULL;
    struct cl_error err = {0};
    int rc = 1;

    (void)p;
    if (cl_catalog_new(NULL, &cat, &err) == CL_OK && cl_catalog_load_dir(cat, dir, &err) == CL_OK &&
        cl_catalog_count(cat) == NTYPES)
        rc = 0;
    else
        fprintf(stderr, "bench: %s: %s\n", err.where, err.msg);
    cl_catalog_free(cat);
    return rc;
}

/* the bound: jansson parses the same texts (already in memory), nothing else */
static int
op_jansson(void *p)
{
    (void)p;
    for (int i = 0; i < NTYPES; i++) {
        json_t *j = json_loadb(texts[i], lens[i], JSON_REJECT_DUPLICATES, NULL);

        if (j == NULL)
            return 1;
        json_decref(j);
    }
    return 0;
}

struct card {
    const struct cl_catalog_type *t;
    json_t *claims;
};

static int
op_card(void *p)
{
    struct card *c = p;
    struct cl_catalog_report rep;
    struct cl_arena a;
    struct cl_buf b;
    int rc = 0;

    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&b);
    if (cl_catalog_validate_mdoc_claims(&a, c->t, c->claims, &rep, NULL) != CL_OK)
        rc = 1;
    for (size_t i = 0; rc == 0 && i < rep.nvalues; i++)
        if (cl_catalog_value_to_cbor(&b, rep.values[i].claim, rep.values[i].value, NULL) != CL_OK)
            rc = 1;
    cl_buf_fini(&b);
    cl_arena_fini(&a);
    return rc;
}

static void
make_types(void)
{
    static const char *const kinds[] = {"tstr",      "uint",  "int", "bool",
                                        "full-date", "tdate", "bstr"};
    char path[128];

    snprintf(dir, sizeof dir, "/tmp/bench_catalogXXXXXX");
    if (mkdtemp(dir) == NULL)
        exit(2);
    for (int i = 0; i < NTYPES; i++) {
        struct cl_buf b;
        FILE *f;

        cl_buf_init(&b);
        cl_buf_printf(&b,
                      "{\"id\":\"gen.t%03d\",\"version\":1,\"display\":{\"ko\":\"증명서 %d\","
                      "\"en\":\"Certificate %d\"},\"issuer\":{\"ko\":\"기관\",\"en\":\"Agency\"},"
                      "\"mdoc\":{\"doctype\":\"kr.go.gen.t%03d.1\"},\"sdjwt\":{\"vct\":"
                      "\"https://credentials.gov.kr/gen/t%03d\"},\"claims\":[",
                      i, i, i, i, i);
        for (int k = 0; k < 30; k++)
            cl_buf_printf(&b,
                          "%s{\"name\":\"c%d\",\"type\":\"%s\",\"mandatory\":%s,\"display\":{"
                          "\"ko\":\"항목 %d\",\"en\":\"Item %d\"}}",
                          k != 0 ? "," : "", k, kinds[k % 7], k < 5 ? "true" : "false", k, k);
        cl_buf_append_str(&b, "]}");
        texts[i] = (char *)cl_buf_take(&b, &lens[i]);
        snprintf(path, sizeof path, "%s/t%03d.json", dir, i);
        f = fopen(path, "w");
        if (texts[i] == NULL || f == NULL)
            exit(2);
        fwrite(texts[i], 1, lens[i], f);
        fclose(f);
    }
}

static void
remove_types(void)
{
    char path[128];

    for (int i = 0; i < NTYPES; i++) {
        snprintf(path, sizeof path, "%s/t%03d.json", dir, i);
        unlink(path);
        cl_free(texts[i]);
    }
    rmdir(dir);
}

int
main(int argc, char **argv)
{
    const char *data = "data/types";
    struct cl_catalog *cat = NULL;
    struct card card;
    double v, bound;

    for (int i = 1; i < argc; i++) {
        if (bench_option(argc, argv, &i) || i + 1 >= argc)
            continue;
        if (strcmp(argv[i], "--data") == 0)
            data = argv[++i];
    }
    make_types();
    bench_header("benchmark (one core)");
    bound = bench_rate(op_jansson, NULL);
    v = bench_rate(op_load_dir, NULL);
    bench_record("catalog_load_300_types", 1e3 / v, "ms", "jansson parse only, in memory",
                 1e3 / bound);
    remove_types();

    if (cl_catalog_new(NULL, &cat, NULL) != CL_OK ||
        cl_catalog_load_dir(cat, data, NULL) != CL_OK ||
        (card.t = cl_catalog_find(cat, "kr.resident_card")) == NULL) {
        fprintf(stderr, "bench: cannot load %s (run from the repository root or give --data)\n",
                data);
        return 2;
    }
    card.claims = json_loads(
        "{\"kr.go.mois.resident_card.1\":{\"family_name_ko\":\"홍\",\"given_name_ko\":\"길동\","
        "\"birth_date\":\"1990-01-02\",\"resident_number_front\":\"900102\","
        "\"resident_number_back\":\"1234567\",\"resident_address\":\"서울특별시 종로구 세종대로 "
        "209\",\"issue_date\":\"2025-01-02\",\"issuing_authority\":\"서울특별시 종로구청장\","
        "\"portrait\":{\"$b64\":\"_9j_4AAQSkZJRgABAQ\"},\"age_over_14\":true,\"age_over_19\":true,"
        "\"age_over_65\":false}}",
        0, NULL);
    v = bench_rate(op_card, &card);
    bench_record("catalog_validate_to_cbor_resident_card", v, "ops/s", NULL, 0);
    json_decref(card.claims);
    cl_catalog_free(cat);

    return bench_finish();
}
