/* test_catalog.c - credential types as data: the shipped types, one row for every type-file
 * rejection, claim validation reporting every offender, value conversion byte for byte, the
 * Annex D element values read back, and 300 generated types loaded. */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cardless/alloc.h"
#include "cardless/catalog.h"
#include "cardless/cbor.h"
#include "cardless/jose.h"

#define TYPES_DIR CL_SOURCE_DIR "/data/types"

static struct cl_catalog *
new_catalog(void)
{
    struct cl_error err = {0};
    struct cl_catalog *cat = NULL;

    cl_test_expect("catalog new", cl_catalog_new(NULL, &cat, &err), CL_OK, &err);
    return cat;
}

static struct cl_catalog *
shipped(void)
{
    struct cl_error err = {0};
    struct cl_catalog *cat = new_catalog();

    cl_test_expect("load data/types", cl_catalog_load_dir(cat, TYPES_DIR, &err), CL_OK, &err);
    return cat;
}

static json_t *
parse(struct cl_arena *a, const char *json)
{
    struct cl_error err = {0};
    json_t *j = NULL;

    cl_test_expect(json, cl_jose_json_parse(a, cl_bytes_str(json), NULL, "test", &j, &err), CL_OK,
                   &err);
    return j;
}

/* ---- the shipped types ---- */

static void
test_shipped_types(void **state)
{
    struct cl_catalog *cat = shipped();
    const struct cl_catalog_type *t;
    const struct cl_catalog_claim *c;

    (void)state;
    assert_int_equal(cl_catalog_count(cat), 5);
    /* every lookup by id, doctype and vct finds the same type */
    for (size_t i = 0; i < cl_catalog_count(cat); i++) {
        t = cl_catalog_type_at(cat, i);
        assert_ptr_equal(cl_catalog_find(cat, t->id), t);
        if (t->doctype != NULL)
            assert_ptr_equal(cl_catalog_find_doctype(cat, t->doctype), t);
        if (t->vct != NULL)
            assert_ptr_equal(cl_catalog_find_vct(cat, t->vct), t);
        assert_non_null(t->display.ko);
        assert_non_null(t->issuer.en);
        for (size_t k = 0; k < t->nclaims; k++) {
            assert_non_null(t->claims[k].display.ko);
            assert_non_null(t->claims[k].display.en);
            assert_int_equal(t->claims[k].index, k);
        }
    }
    assert_null(cl_catalog_find(cat, "kr.nothing"));
    assert_null(cl_catalog_find_doctype(cat, "kr.resident_card"));
    assert_null(cl_catalog_type_at(cat, 5));

    t = cl_catalog_find(cat, "kr.resident_card");
    assert_non_null(t);
    assert_string_equal(t->doctype, "kr.go.mois.resident_card.1");
    assert_string_equal(t->vct, "https://credentials.gov.kr/resident_card/1");
    assert_string_equal(t->display.ko, "모바일 주민등록증");
    assert_int_equal(t->validity_days, 1095);
    assert_int_equal(t->nnamespaces, 1);
    assert_string_equal(t->namespaces[0], "kr.go.mois.resident_card.1");
    c = cl_catalog_type_element(t, "kr.go.mois.resident_card.1", "resident_number_back");
    assert_non_null(c);
    assert_true(c->sensitive);
    assert_int_equal(c->sd, CL_CATALOG_SD_ALWAYS);
    assert_int_equal(c->format, CL_CATALOG_FORMAT_DIGITS);
    assert_int_equal(c->min_length, 7);
    assert_int_equal(c->max_length, 7);
    c = cl_catalog_type_claim_by_path(t, "/age_equal_or_over/19");
    assert_non_null(c);
    assert_string_equal(c->name, "age_over_19");
    assert_int_equal(c->type, CL_CATALOG_BOOL);

    t = cl_catalog_find_doctype(cat, "org.iso.18013.5.1.mDL");
    assert_non_null(t);
    assert_string_equal(t->id, "iso.mdl");
    assert_null(t->vct);
    c = cl_catalog_type_element(t, "org.iso.18013.5.1", "driving_privileges");
    assert_non_null(c);
    assert_int_equal(c->type, CL_CATALOG_ARRAY);
    assert_non_null(c->items);
    assert_int_equal(c->items->type, CL_CATALOG_MAP);
    assert_int_equal(cl_catalog_claim_field(c->items, "codes")->type, CL_CATALOG_ARRAY);
    assert_null(cl_catalog_type_element(t, "org.iso.18013.5.2", "family_name"));

    t = cl_catalog_find_vct(cat, "urn:eudi:pid:1");
    assert_non_null(t);
    assert_string_equal(t->doctype, "eu.europa.ec.eudi.pid.1");
    assert_string_equal(cl_catalog_type_claim_by_name(t, "birth_date")->sdjwt_path, "/birthdate");
    assert_string_equal(cl_catalog_type_claim_by_path(t, "/address/street_address")->name,
                        "resident_street");

    t = cl_catalog_find(cat, "kr.household_register");
    c = cl_catalog_type_claim_by_name(t, "members");
    assert_int_equal(c->items->nfields, 6);
    assert_string_equal(cl_catalog_claim_field(c->items, "relation")->display.ko,
                        "세대주와의 관계");
    assert_string_equal(cl_catalog_vtype_name(CL_CATALOG_FULLDATE), "full-date");
    assert_string_equal(cl_catalog_sd_name(CL_CATALOG_SD_NEVER), "never");
    cl_catalog_free(cat);
    cl_catalog_free(NULL);
}

/* ---- type files refused, each with the file and JSON path named ---- */

#define HEAD                                                                                       \
    "{\"id\":\"x.t\",\"version\":1,\"display\":{\"ko\":\"가\",\"en\":\"A\"},"                     \
    "\"issuer\":{\"ko\":\"나\",\"en\":\"B\"},\"mdoc\":{\"doctype\":\"x.t.1\"},"                   \
    "\"sdjwt\":{\"vct\":\"https://x.example/t\"},"
#define CLAIM(name, type)                                                                          \
    "{\"name\":\"" name "\",\"type\":\"" type "\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}"

static const struct {
    const char *name;
    const char *json;
    cl_err want;
    const char *where; /* expected err.where */
    const char *msg;   /* a part of err.msg */
} bad_types[] = {
    {"good", HEAD "\"claims\":[" CLAIM("a", "tstr") "}]}", CL_OK, "", ""},
    {"syntax error", HEAD "\"claims\":[" CLAIM("a", "tstr") "}]", CL_ERR_TRUNCATED,
     "data/types/x.json", "ends"},
    {"trailing comma", HEAD "\"claims\":[" CLAIM("a", "tstr") "},]}", CL_ERR_INPUT,
     "data/types/x.json", "offset"},
    {"not an object", "[1]", CL_ERR_INPUT, "data/types/x.json", "JSON object"},
    {"unknown type",
     HEAD "\"claims\":[" CLAIM("a", "tstr") "}," CLAIM("b", "tstr") "}," CLAIM(
         "c", "int") "}," CLAIM("d", "strng") "}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[3].type", "unknown type 'strng'"},
    {"unknown member", HEAD "\"claims\":[" CLAIM("a", "tstr") ",\"mandatroy\":true}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].mandatroy", "unknown member"},
    {"unknown top member", HEAD "\"colour\":1,\"claims\":[" CLAIM("a", "tstr") "}]}", CL_ERR_INPUT,
     "data/types/x.json: colour", "unknown member"},
    {"missing id", "{\"version\":1,\"display\":{\"ko\":\"a\",\"en\":\"b\"},\"claims\":[]}",
     CL_ERR_MISSING, "data/types/x.json: id", "absent"},
    {"bad id", "{\"id\":\"X T\"}", CL_ERR_INPUT, "data/types/x.json: id", "[a-z0-9_.-]"},
    {"version 0", "{\"id\":\"x\",\"version\":0}", CL_ERR_INPUT, "data/types/x.json: version",
     "from 1"},
    {"display without en", "{\"id\":\"x\",\"version\":1,\"display\":{\"ko\":\"가\"}}",
     CL_ERR_MISSING, "data/types/x.json: display.en", "absent"},
    {"neither form",
     "{\"id\":\"x\",\"version\":1,\"display\":{\"ko\":\"a\",\"en\":\"b\"},\"issuer\":{\"ko\":"
     "\"a\",\"en\":\"b\"},\"claims\":[]}",
     CL_ERR_MISSING, "data/types/x.json", "\"mdoc\" or \"sdjwt\""},
    {"no claims", HEAD "\"claims\":[]}", CL_ERR_INPUT, "data/types/x.json: claims", "non-empty"},
    {"claim without display", HEAD "\"claims\":[{\"name\":\"a\",\"type\":\"tstr\"}]}",
     CL_ERR_MISSING, "data/types/x.json: claims[0].display", "absent"},
    {"element twice", HEAD "\"claims\":[" CLAIM("a", "tstr") "}," CLAIM("a", "int") "}]}",
     CL_ERR_DUPLICATE, "data/types/x.json: claims[1]", "appears twice"},
    {"sd policy", HEAD "\"claims\":[" CLAIM("a", "tstr") ",\"sd\":\"sometimes\"}]}", CL_ERR_INPUT,
     "data/types/x.json: claims[0].sd", "unknown policy 'sometimes'"},
    {"sensitive in clear",
     HEAD "\"claims\":[" CLAIM("a", "tstr") ",\"sensitive\":true,\"sd\":"
                                            "\"never\"}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].sd", "sensitive"},
    {"reserved claim", HEAD "\"claims\":[" CLAIM("iss", "tstr") "}]}", CL_ERR_INPUT,
     "data/types/x.json: claims[0].name", "issuer sets itself"},
    {"reserved path", HEAD "\"claims\":[" CLAIM("a", "tstr") ",\"sdjwt_path\":\"/cnf/jwk\"}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].sdjwt_path", "issuer sets itself"},
    {"path not a pointer", HEAD "\"claims\":[" CLAIM("a", "tstr") ",\"sdjwt_path\":\"a\"}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].sdjwt_path", "starting with '/'"},
    {"path empty segment", HEAD "\"claims\":[" CLAIM("a", "tstr") ",\"sdjwt_path\":\"/a//b\"}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].sdjwt_path", "empty segment"},
    {"paths overlap",
     HEAD "\"claims\":[" CLAIM("a", "map") ",\"sdjwt_path\":\"/address\"}," CLAIM(
         "b", "tstr") ",\"sdjwt_path\":\"/address/street\"}]}",
     CL_ERR_DUPLICATE, "data/types/x.json: claims[1]", "overlaps claims[0]"},
    {"max_length on bool", HEAD "\"claims\":[" CLAIM("a", "bool") ",\"max_length\":3}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].max_length", "only for tstr"},
    {"min over max", HEAD "\"claims\":[" CLAIM("a", "tstr") ",\"min_length\":4,\"max_length\":3}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].min_length", "greater"},
    {"format on int", HEAD "\"claims\":[" CLAIM("a", "int") ",\"format\":\"digits\"}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].format", "only for tstr"},
    {"items on map", HEAD "\"claims\":[" CLAIM("a", "map") ",\"items\":{\"type\":\"int\"}}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].items", "only for array"},
    {"unknown item type",
     HEAD "\"claims\":[" CLAIM("a", "array") ",\"items\":{\"type\":\"map\",\"fields\":[" CLAIM(
         "f", "tstr") "}," CLAIM("g", "date") "}]}}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].items.fields[1].type", "unknown type 'date'"},
    {"field twice",
     HEAD "\"claims\":[" CLAIM("a", "map") ",\"fields\":[" CLAIM("f", "tstr") "}," CLAIM(
         "f", "int") "}]}]}",
     CL_ERR_DUPLICATE, "data/types/x.json: claims[0].fields[1]", "twice"},
    {"field with namespace",
     HEAD "\"claims\":[" CLAIM("a", "map") ",\"fields\":[" CLAIM("f", "tstr") ",\"namespace\":"
                                                                              "\"n\"}]}]}",
     CL_ERR_INPUT, "data/types/x.json: claims[0].fields[0].namespace", "unknown member"},
    {"nested too deep",
     HEAD "\"claims\":[{\"name\":\"a\",\"type\":\"array\",\"display\":{\"ko\":\"a\",\"en\":\"a\"},"
          "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":"
          "\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{"
          "\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\","
          "\"items\":{\"type\":\"int\"}}}}}}}}}}]}",
     CL_ERR_TOO_LARGE,
     "data/types/x.json: claims[0].items.items.items.items.items.items.items.items",
     "deeper than 8"},
    {"duplicate member name", "{\"id\":\"x\",\"id\":\"y\"}", CL_ERR_DUPLICATE, "data/types/x.json",
     "duplicate member"},
    {"vct with space", HEAD "\"claims\":[" CLAIM("a", "tstr") "}],\"x\":1}", CL_ERR_INPUT,
     "data/types/x.json: x", "unknown member"},
};

static void
test_bad_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(bad_types); i++) {
        struct cl_catalog *cat = new_catalog();
        struct cl_error err = {0};
        const struct cl_catalog_type *t = (const void *)1;
        cl_err rc = cl_catalog_load_json(cat, cl_bytes_str(bad_types[i].json), "data/types/x.json",
                                         &t, &err);

        cl_test_expect(bad_types[i].name, rc, bad_types[i].want, &err);
        if (rc == CL_OK) {
            assert_non_null(t);
        } else {
            assert_null(t);
            assert_int_equal(cl_catalog_count(cat), 0);
            if (strcmp(err.where, bad_types[i].where) != 0 ||
                strstr(err.msg, bad_types[i].msg) == NULL)
                fail_msg("%s: got \"%s: %s\", want where \"%s\" and \"%s\" in the message",
                         bad_types[i].name, err.where, err.msg, bad_types[i].where,
                         bad_types[i].msg);
        }
        cl_catalog_free(cat);
    }
}

/* ---- directories: duplicates across files, limits, 300 types ---- */

static char *
make_dir(char *tmpl)
{
    char *d = mkdtemp(tmpl);

    if (d == NULL)
        fail_msg("cannot make a temporary directory");
    return d;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void
remove_dir(const char *dir, unsigned n, const char *const *names)
{
    char path[512];

    for (unsigned i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static const char *
type_json(struct cl_arena *a, const char *id, const char *doctype, const char *vct)
{
    return cl_arena_printf(a,
                           "{\"id\":\"%s\",\"version\":1,\"display\":{\"ko\":\"가\",\"en\":\"A\"},"
                           "\"issuer\":{\"ko\":\"나\",\"en\":\"B\"},\"mdoc\":{\"doctype\":\"%s\"},"
                           "\"sdjwt\":{\"vct\":\"%s\"},\"claims\":[" CLAIM("a", "tstr") "}]}",
                           id, doctype, vct);
}

static void
test_duplicates_across_files(void **state)
{
    static const struct {
        const char *name;
        const char *second[3]; /* id, doctype, vct of b.json; a.json is x / x.1 / https://x */
        const char *where;
        const char *msg;
    } rows[] = {
        {"same id", {"x", "y.1", "https://y"}, "b.json: id", "already defined in"},
        {"same doctype", {"y", "x.1", "https://y"}, "b.json: mdoc.doctype", "used by type 'x'"},
        {"same vct", {"y", "y.1", "https://x"}, "b.json: sdjwt.vct", "used by type 'x'"},
    };
    static const char *const names[] = {"a.json", "b.json", ".hidden.json", "notes.txt"};
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    for (size_t i = 0; i < CL_ARRAY_LEN(rows); i++) {
        char tmpl[] = "/tmp/cl_catalog_dupXXXXXX";
        char *dir = make_dir(tmpl);
        struct cl_catalog *cat = new_catalog();
        struct cl_error err = {0};

        write_file(dir, "a.json", type_json(&a, "x", "x.1", "https://x"));
        write_file(dir, "b.json",
                   type_json(&a, rows[i].second[0], rows[i].second[1], rows[i].second[2]));
        write_file(dir, ".hidden.json", "not json");
        write_file(dir, "notes.txt", "not json");
        cl_test_expect(rows[i].name, cl_catalog_load_dir(cat, dir, &err), CL_ERR_DUPLICATE, &err);
        if (strstr(err.where, rows[i].where) == NULL || strstr(err.msg, rows[i].msg) == NULL)
            fail_msg("%s: got \"%s: %s\"", rows[i].name, err.where, err.msg);
        assert_int_equal(cl_catalog_count(cat), 1); /* a.json stays */
        cl_catalog_free(cat);
        remove_dir(dir, CL_ARRAY_LEN(names), names);
    }
    cl_arena_fini(&a);
}

static void
test_files_and_limits(void **state)
{
    static const char *const names[] = {"big.json"};
    struct cl_catalog_limits lim = cl_catalog_limits_default();
    struct cl_catalog *cat = NULL;
    struct cl_error err = {0};
    char tmpl[] = "/tmp/cl_catalog_bigXXXXXX";
    char *dir = make_dir(tmpl), *big;
    size_t n = ((size_t)1 << 20) + 16;
    struct cl_arena a;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    /* a file over the 1 MiB default is refused before parsing */
    big = cl_arena_alloc(&a, n + 1);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    write_file(dir, "big.json", big);
    cat = new_catalog();
    cl_test_expect("huge file", cl_catalog_load_dir(cat, dir, &err), CL_ERR_TOO_LARGE, &err);
    assert_non_null(strstr(err.where, "big.json"));
    cl_catalog_free(cat);
    remove_dir(dir, CL_ARRAY_LEN(names), names);

    /* no such directory, no such file */
    cat = new_catalog();
    cl_error_clear(&err);
    cl_test_expect("no dir", cl_catalog_load_dir(cat, "/nonexistent/types", &err), CL_ERR_IO, &err);
    cl_error_clear(&err);
    cl_test_expect("no file", cl_catalog_load_file(cat, "/nonexistent/x.json", NULL, &err),
                   CL_ERR_IO, &err);
    cl_catalog_free(cat);

    /* max_types, max_claims */
    lim.max_types = 1;
    lim.max_claims = 1;
    cl_test_expect("new", cl_catalog_new(&lim, &cat, &err), CL_OK, &err);
    cl_test_expect("one type",
                   cl_catalog_load_json(cat, cl_bytes_str(type_json(&a, "a", "a.1", "https://a")),
                                        "a", NULL, &err),
                   CL_OK, &err);
    cl_test_expect("second type",
                   cl_catalog_load_json(cat, cl_bytes_str(type_json(&a, "b", "b.1", "https://b")),
                                        "b", NULL, &err),
                   CL_ERR_TOO_LARGE, &err);
    cl_catalog_free(cat);
    lim.max_types = 10;
    cl_test_expect("new", cl_catalog_new(&lim, &cat, &err), CL_OK, &err);
    cl_error_clear(&err);
    cl_test_expect(
        "two claims",
        cl_catalog_load_json(
            cat, cl_bytes_str(HEAD "\"claims\":[" CLAIM("a", "tstr") "}," CLAIM("b", "tstr") "}]}"),
            "t", NULL, &err),
        CL_ERR_TOO_LARGE, &err);
    cl_catalog_free(cat);
    cl_arena_fini(&a);
}

#define GEN_TYPES 300

static void
test_300_types(void **state)
{
    static const char *const kinds[] = {"tstr",      "uint",  "int", "bool",
                                        "full-date", "tdate", "bstr"};
    char tmpl[] = "/tmp/cl_catalog_300XXXXXX";
    char *dir = make_dir(tmpl);
    const char *names[GEN_TYPES];
    struct cl_catalog *cat = new_catalog();
    struct cl_error err = {0};
    struct timespec t0, t1;
    struct cl_arena a;
    double ms;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    for (unsigned i = 0; i < GEN_TYPES; i++) {
        struct cl_buf b;

        /* 30 claims each, about the size of a real certificate type */
        cl_buf_init(&b);
        cl_buf_printf(&b,
                      "{\"id\":\"gen.t%03u\",\"version\":1,\"display\":{\"ko\":\"증명서 %u\","
                      "\"en\":\"Certificate %u\"},\"issuer\":{\"ko\":\"기관\",\"en\":\"Agency\"},"
                      "\"mdoc\":{\"doctype\":\"kr.go.gen.t%03u.1\"},\"sdjwt\":{\"vct\":"
                      "\"https://credentials.gov.kr/gen/t%03u\"},\"claims\":[",
                      i, i, i, i, i);
        for (unsigned k = 0; k < 30; k++)
            cl_buf_printf(&b,
                          "%s{\"name\":\"c%u\",\"type\":\"%s\",\"mandatory\":%s,\"display\":{"
                          "\"ko\":\"항목 %u\",\"en\":\"Item %u\"}}",
                          k != 0 ? "," : "", k, kinds[k % CL_ARRAY_LEN(kinds)],
                          k < 5 ? "true" : "false", k, k);
        cl_buf_append_str(&b, "]}");
        cl_buf_append_byte(&b, 0);
        assert_int_equal(b.err, CL_OK);
        names[i] = cl_arena_printf(&a, "t%03u.json", i);
        write_file(dir, names[i], (const char *)b.ptr);
        cl_buf_fini(&b);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cl_test_expect("300 types", cl_catalog_load_dir(cat, dir, &err), CL_OK, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    print_message("[ info     ] loaded %d types of 30 claims in %.1f ms (this build)\n", GEN_TYPES,
                  ms);
    assert_int_equal(cl_catalog_count(cat), GEN_TYPES);
    for (unsigned i = 0; i < GEN_TYPES; i++) {
        char id[32], doctype[64], vct[64];

        snprintf(id, sizeof id, "gen.t%03u", i);
        snprintf(doctype, sizeof doctype, "kr.go.gen.t%03u.1", i);
        snprintf(vct, sizeof vct, "https://credentials.gov.kr/gen/t%03u", i);
        assert_ptr_equal(cl_catalog_find_doctype(cat, doctype), cl_catalog_find(cat, id));
        assert_ptr_equal(cl_catalog_find_vct(cat, vct), cl_catalog_find(cat, id));
        assert_int_equal(cl_catalog_find(cat, id)->nclaims, 30);
    }
    cl_catalog_free(cat);
    remove_dir(dir, GEN_TYPES, names);
    cl_arena_fini(&a);
}

/* ---- validation ---- */

#define RC "kr.go.mois.resident_card.1"
/* a valid resident card, with a slot for one more member at the end */
#define RC_GOOD(extra)                                                                                   \
    "{\"" RC "\":{\"family_name_ko\":\"홍\",\"given_name_ko\":\"길동\",\"birth_date\":"               \
    "\"1990-01-02\",\"resident_number_front\":\"900102\",\"resident_number_back\":\"1234567\","          \
    "\"resident_address\":\"서울특별시 종로구 세종대로 209\",\"issue_date\":\"2025-01-02\"," \
    "\"issuing_authority\":\"서울특별시 종로구청장\",\"portrait\":{\"$b64\":\"_9j_4A\"},"      \
    "\"age_over_19\":true" extra "}}"

struct want_problem {
    const char *path;
    cl_err code;
};

static const struct {
    const char *name;
    const char *claims;
    bool sdjwt;
    cl_err want;
    struct want_problem problems[8]; /* in report order, ended by a NULL path */
} validate_rows[] = {
    {"valid", RC_GOOD(""), false, CL_OK, {{NULL, 0}}},
    {"valid with English name", RC_GOOD(",\"family_name_en\":\"HONG\""), false, CL_OK, {{NULL, 0}}},
    {"standard base64 portrait",
     "{\"" RC "\":{\"family_name_ko\":\"홍\",\"given_name_ko\":\"길동\",\"birth_date\":"
     "\"1990-01-02\",\"resident_number_front\":\"900102\",\"resident_number_back\":\"1234567\","
     "\"resident_address\":\"a\",\"issue_date\":\"2025-01-02\",\"issuing_authority\":\"b\","
     "\"portrait\":{\"$b64\":\"/9j/4A==\"}}}",
     false,
     CL_OK,
     {{NULL, 0}}},
    {"not an object", "[1]", false, CL_ERR_INPUT, {{NULL, 0}}},
    {"unknown element",
     RC_GOOD(",\"blood_type\":\"A\""),
     false,
     CL_ERR_INPUT,
     {{RC "/blood_type", CL_ERR_INPUT}, {NULL, 0}}},
    {"unknown namespace",
     "{\"org.iso.18013.5.1\":{\"family_name\":\"x\"}}",
     false,
     CL_ERR_INPUT,
     {{"org.iso.18013.5.1", CL_ERR_INPUT},
      {RC "/family_name_ko", CL_ERR_MISSING},
      {RC "/given_name_ko", CL_ERR_MISSING},
      {RC "/birth_date", CL_ERR_MISSING},
      {RC "/resident_number_front", CL_ERR_MISSING},
      {RC "/resident_number_back", CL_ERR_MISSING},
      {RC "/resident_address", CL_ERR_MISSING},
      {NULL, 0}}},
    {"every kind at once",
     "{\"" RC
     "\":{\"family_name_ko\":\"홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍"
     "홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍홍\",\"given_name_ko\":5,\"birth_date\":\"1990-02-30\","
     "\"resident_number_front\":\"90010\",\"resident_number_back\":\"12345a7\","
     "\"resident_address\":\"a\",\"issue_date\":\"2025-01-02\",\"issuing_authority\":\"b\","
     "\"portrait\":{\"$b64\":\"not base64!\"},\"age_over_19\":\"yes\",\"shoe_size\":270}}",
     false,
     CL_ERR_TOO_LARGE,
     {{RC "/family_name_ko", CL_ERR_TOO_LARGE},
      {RC "/given_name_ko", CL_ERR_INPUT},
      {RC "/birth_date", CL_ERR_INPUT},
      {RC "/resident_number_front", CL_ERR_INPUT},
      {RC "/resident_number_back", CL_ERR_INPUT},
      {RC "/portrait", CL_ERR_ENCODING},
      {RC "/age_over_19", CL_ERR_INPUT},
      {RC "/shoe_size", CL_ERR_INPUT}}},
    {"missing mandatory only",
     "{\"" RC "\":{\"family_name_ko\":\"홍\",\"given_name_ko\":\"길동\",\"birth_date\":"
     "\"1990-01-02\",\"resident_number_front\":\"900102\",\"resident_number_back\":\"1234567\","
     "\"resident_address\":\"a\",\"issue_date\":\"2025-01-02\"}}",
     false,
     CL_ERR_MISSING,
     {{RC "/issuing_authority", CL_ERR_MISSING}, {RC "/portrait", CL_ERR_MISSING}, {NULL, 0}}},
    {"namespace not an object",
     "{\"" RC "\":[]}",
     false,
     CL_ERR_INPUT,
     {{RC, CL_ERR_INPUT}, {RC "/family_name_ko", CL_ERR_MISSING}, {NULL, 0}}},
    /* SD-JWT input: flat by name or by sdjwt_path, or the mdoc-shaped file */
    {"sdjwt mdoc-shaped", RC_GOOD(""), true, CL_OK, {{NULL, 0}}},
    {"sdjwt flat",
     "{\"family_name_ko\":\"홍\",\"given_name_ko\":\"길동\",\"birth_date\":\"1990-01-02\","
     "\"resident_number_front\":\"900102\",\"resident_number_back\":\"1234567\","
     "\"resident_address\":\"a\",\"issue_date\":\"2025-01-02\",\"issuing_authority\":\"b\","
     "\"portrait\":{\"$b64\":\"_9j_4A\"},\"/age_equal_or_over/19\":true,\"age_over_65\":false}",
     true,
     CL_OK,
     {{NULL, 0}}},
    {"sdjwt flat problems",
     "{\"family_name_ko\":\"홍\",\"given_name_ko\":\"길동\",\"birth_date\":\"1990-01-02\","
     "\"resident_number_front\":\"900102\",\"resident_number_back\":\"1234567\","
     "\"resident_address\":\"a\",\"issue_date\":\"2025-01-02\",\"issuing_authority\":\"b\","
     "\"portrait\":{\"$b64\":\"_9j_4A\"},\"/age_equal_or_over/19\":true,\"age_over_19\":true,"
     "\"/age_equal_or_over/20\":true,\"nickname\":\"x\"}",
     true,
     CL_ERR_DUPLICATE,
     {{"age_over_19", CL_ERR_DUPLICATE},
      {"/age_equal_or_over/20", CL_ERR_INPUT},
      {"nickname", CL_ERR_INPUT},
      {NULL, 0}}},
    {"sdjwt missing",
     "{\"family_name_ko\":\"홍\"}",
     true,
     CL_ERR_MISSING,
     {{"given_name_ko", CL_ERR_MISSING}, {"birth_date", CL_ERR_MISSING}, {NULL, 0}}},
};

static void
test_validate(void **state)
{
    struct cl_catalog *cat = shipped();
    const struct cl_catalog_type *t = cl_catalog_find(cat, "kr.resident_card");

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(validate_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_catalog_report rep;
        json_t *claims;
        cl_err rc;
        size_t n = 0;

        cl_arena_init(&a, 0, 0, 0);
        claims = parse(&a, validate_rows[i].claims);
        memset(&rep, 0x33, sizeof rep);
        rc = validate_rows[i].sdjwt ? cl_catalog_validate_sdjwt_claims(&a, t, claims, &rep, &err)
                                    : cl_catalog_validate_mdoc_claims(&a, t, claims, &rep, &err);
        cl_test_expect(validate_rows[i].name, rc, validate_rows[i].want, &err);
        while (n < 8 && validate_rows[i].problems[n].path != NULL)
            n++;
        if (rc == CL_OK) {
            assert_int_equal(rep.nproblems, 0);
            assert_true(rep.nvalues >= 9);
            for (size_t k = 1; k < rep.nvalues; k++) /* in the type's order */
                assert_true(rep.values[k - 1].claim->index < rep.values[k].claim->index);
        } else if (n != 0) {
            if (rep.nproblems < n)
                fail_msg("%s: %zu problems, want at least %zu (first %s: %s)",
                         validate_rows[i].name, rep.nproblems, n, err.where, err.msg);
            for (size_t k = 0; k < n; k++) {
                const struct cl_catalog_problem *p = &rep.problems[k];

                if (strcmp(p->path, validate_rows[i].problems[k].path) != 0 ||
                    p->code != validate_rows[i].problems[k].code)
                    fail_msg("%s: problem %zu is %s (%s: %s), want %s (%s)", validate_rows[i].name,
                             k, p->path, cl_err_name(p->code), p->msg,
                             validate_rows[i].problems[k].path,
                             cl_err_name(validate_rows[i].problems[k].code));
            }
            /* the summary names the first problem; messages never carry values */
            assert_string_equal(err.where, rep.problems[0].path);
            if (rep.nproblems > 1)
                assert_non_null(strstr(err.msg, "more problem"));
            for (size_t k = 0; k < rep.nproblems; k++)
                assert_null(strstr(rep.problems[k].msg, "홍"));
        }
        cl_arena_fini(&a);
    }
    cl_catalog_free(cat);
}

static void
test_validate_nested(void **state)
{
    struct cl_catalog *cat = shipped();
    const struct cl_catalog_type *t = cl_catalog_find(cat, "kr.household_register");
    struct cl_catalog_report rep;
    struct cl_error err = {0};
    struct cl_arena a;
    json_t *claims;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    claims =
        parse(&a, "{\"kr.go.mois.household_register.1\":{\"head_of_household_name\":\"김철수\","
                  "\"address\":\"부산광역시 해운대구\",\"address_since\":\"2015-03-01\","
                  "\"issue_date\":\"2026-11-27\",\"issuing_authority\":\"해운대구청장\","
                  "\"members\":[{\"name\":\"김철수\",\"relation\":\"본인\",\"birth_date\":"
                  "\"1970-05-05\",\"resident_number_front\":\"700505\"},{\"name\":\"이영희\","
                  "\"relation\":\"배우자\",\"birth_date\":\"1972-13-01\","
                  "\"resident_number_front\":\"721301\",\"hobby\":\"x\"},{\"name\":\"김민수\","
                  "\"relation\":\"자녀\"}]}}");
    cl_test_expect("members", cl_catalog_validate_mdoc_claims(&a, t, claims, &rep, &err),
                   CL_ERR_INPUT, &err);
    assert_int_equal(rep.nproblems, 4);
    assert_string_equal(rep.problems[0].path,
                        "kr.go.mois.household_register.1/members[1].birth_date");
    assert_string_equal(rep.problems[1].path, "kr.go.mois.household_register.1/members[1].hobby");
    assert_string_equal(rep.problems[2].path,
                        "kr.go.mois.household_register.1/members[2].birth_date");
    assert_int_equal(rep.problems[2].code, CL_ERR_MISSING);
    assert_string_equal(rep.problems[3].path,
                        "kr.go.mois.household_register.1/members[2].resident_number_front");
    assert_non_null(strstr(err.msg, "(and 3 more problems)"));

    /* one value against one claim */
    memset(&rep, 0, sizeof rep);
    assert_int_equal(cl_catalog_check_value(&a, cl_catalog_type_claim_by_name(t, "members"),
                                            parse(&a, "[]"), "members", &rep),
                     1); /* min_length 1 */
    assert_int_equal(rep.problems[0].code, CL_ERR_INPUT);
    cl_arena_fini(&a);
    cl_catalog_free(cat);
}

/* EU PID claims in the shape of its SD-JWT VC payload (ARF Annex 3.01 §4.3 example) */
static void
test_validate_pid_payload(void **state)
{
    struct cl_catalog *cat = shipped();
    const struct cl_catalog_type *t = cl_catalog_find(cat, "eu.pid");
    struct cl_catalog_report rep;
    struct cl_error err = {0};
    struct cl_arena a;
    json_t *claims;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    claims = parse(&a, "{\"given_name\":\"Jean\",\"family_name\":\"Dupont\",\"birthdate\":"
                       "\"1980-05-23\",\"age_equal_or_over\":{\"18\":true,\"65\":false},"
                       "\"age_in_years\":44,\"address\":{\"street_address\":\"123 Via Appia\","
                       "\"locality\":\"Rome\",\"country\":\"IT\"},\"nationalities\":[\"FR\"],"
                       "\"sex\":5,\"place_of_birth\":{\"country\":\"DD\"},\"issuing_authority\":"
                       "\"DE\",\"issuing_country\":\"DE\",\"/date_of_expiry\":\"2030-01-01\"}");
    cl_test_expect("PID payload", cl_catalog_validate_sdjwt_claims(&a, t, claims, &rep, &err),
                   CL_OK, &err);
    assert_int_equal(rep.nvalues, 15);
    assert_string_equal(rep.values[3].claim->name, "place_of_birth");

    /* nested keys outside the type, and a path given twice */
    claims = parse(&a, "{\"given_name\":\"Jean\",\"family_name\":\"Dupont\",\"birthdate\":"
                       "\"1980-05-23\",\"age_equal_or_over\":{\"18\":true,\"21\":true},"
                       "\"address\":{\"street_address\":5,\"planet\":\"Earth\"},"
                       "\"/address/street_address\":\"x\",\"age_over_18\":true,"
                       "\"birth\":{\"x\":1}}");
    cl_test_expect("PID payload problems",
                   cl_catalog_validate_sdjwt_claims(&a, t, claims, &rep, &err), CL_ERR_INPUT, &err);
    assert_int_equal(rep.nproblems, 6 + 5); /* and 5 mandatory claims missing */
    assert_string_equal(rep.problems[0].path, "age_equal_or_over.21");
    assert_string_equal(rep.problems[1].path, "address.street_address");
    assert_string_equal(rep.problems[2].path, "address.planet");
    assert_string_equal(rep.problems[3].path, "/address/street_address");
    assert_int_equal(rep.problems[3].code, CL_ERR_DUPLICATE);
    assert_string_equal(rep.problems[4].path, "age_over_18");
    assert_int_equal(rep.problems[4].code, CL_ERR_DUPLICATE);
    assert_string_equal(rep.problems[5].path, "birth");
    assert_string_equal(rep.problems[6].path, "place_of_birth");
    assert_int_equal(rep.problems[6].code, CL_ERR_MISSING);
    cl_arena_fini(&a);
    cl_catalog_free(cat);
}

/* ---- conversions ---- */

/* clang-format off */
static const char conv_type[] =
    "{\"id\":\"t.conv\",\"version\":1,\"display\":{\"ko\":\"가\",\"en\":\"A\"},"
    "\"issuer\":{\"ko\":\"나\",\"en\":\"B\"},\"mdoc\":{\"doctype\":\"t.conv.1\"},"
    "\"sdjwt\":{\"vct\":\"https://x.example/conv\"},\"claims\":["
    "{\"name\":\"s\",\"type\":\"tstr\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"u\",\"type\":\"uint\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"i\",\"type\":\"int\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"b\",\"type\":\"bool\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"d\",\"type\":\"full-date\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"t\",\"type\":\"tdate\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"x\",\"type\":\"bstr\",\"display\":{\"ko\":\"다\",\"en\":\"C\"},\"max_length\":4},"
    "{\"name\":\"m\",\"type\":\"map\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"a\",\"type\":\"array\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"p\",\"type\":\"array\",\"display\":{\"ko\":\"다\",\"en\":\"C\"},\"items\":{\"type\":\"map\",\"fields\":["
    "{\"name\":\"vehicle_category_code\",\"type\":\"tstr\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"issue_date\",\"type\":\"full-date\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}},"
    "{\"name\":\"expiry_date\",\"type\":\"full-date\",\"display\":{\"ko\":\"다\",\"en\":\"C\"}}]}}]}";
/* clang-format on */

static const struct {
    const char *claim;
    const char *json;
    const char *hex; /* NULL: refused with `want` */
    cl_err want;
    const char *sdjwt; /* the SD-JWT VC form, compact JSON */
} conv_rows[] = {
    /* RFC 8943 §3: full-date as tag 1004 around the text */
    {"d", "\"2007-03-25\"", "d903ec 6a 323030372d30332d3235", CL_OK, "\"2007-03-25\""},
    {"d", "\"2007-02-29\"", NULL, CL_ERR_INPUT, NULL},
    {"d", "\"2007-3-25\"", NULL, CL_ERR_INPUT, NULL},
    /* ISO 18013-5 §7.2.1 tdate: tag 0, UTC, no fraction */
    {"t", "\"2020-10-01T13:30:02Z\"", "c0 74 323032302d31302d30315431333a33303a30325a", CL_OK,
     "\"2020-10-01T13:30:02Z\""},
    {"t", "\"2020-10-01T13:30:02.25+02:00\"", "c0 74 323032302d31302d30315431313a33303a30325a",
     CL_OK, "\"2020-10-01T11:30:02Z\""},
    {"t", "\"2020-10-01\"", NULL, CL_ERR_INPUT, NULL},
    {"s", "\"Doe\"", "63 446f65", CL_OK, "\"Doe\""},
    {"s", "\"홍길동\"", "69 ed998d eab8b8 eb8f99", CL_OK, "\"홍길동\""},
    {"s", "5", NULL, CL_ERR_INPUT, NULL},
    {"u", "180", "18 b4", CL_OK, "180"},
    {"u", "-1", NULL, CL_ERR_INPUT, NULL},
    {"u", "1.5", NULL, CL_ERR_INPUT, NULL},
    {"i", "-5", "24", CL_OK, "-5"},
    {"i", "4294967296", "1b 0000000100000000", CL_OK, "4294967296"},
    {"b", "true", "f5", CL_OK, "true"},
    {"b", "0", NULL, CL_ERR_INPUT, NULL},
    {"x", "{\"$b64\":\"AQID\"}", "43 010203", CL_OK, "\"AQID\""},
    {"x", "{\"$b64\":\"-_8\"}", "42 fbff", CL_OK, "\"-_8\""},
    {"x", "{\"$b64\":\"+/8=\"}", "42 fbff", CL_OK, "\"-_8\""},
    {"x", "{\"$b64\":\"\"}", "40", CL_OK, "\"\""},
    {"x", "{\"$b64\":\"AQIDBAU\"}", NULL, CL_ERR_TOO_LARGE, NULL},
    {"x", "{\"$b64\":\"A\"}", NULL, CL_ERR_ENCODING, NULL},
    {"x", "\"AQID\"", NULL, CL_ERR_INPUT, NULL},
    /* a map without fields maps JSON generically, keys in RFC 8949 §4.2.1 order */
    {"m", "{\"bb\":1,\"a\":[true,null],\"c\":{\"$b64\":\"AA\"},\"aa\":\"x\"}",
     "a4 61 61 82 f5 f6 61 63 41 00 62 6161 61 78 62 6262 01", CL_OK,
     "{\"bb\":1,\"a\":[true,null],\"c\":\"AA\",\"aa\":\"x\"}"},
    {"a", "[1,\"a\",-1]", "83 01 61 61 20", CL_OK, "[1,\"a\",-1]"},
    {"p",
     "[{\"vehicle_category_code\":\"A\",\"issue_date\":\"2018-08-09\",\"expiry_date\":"
     "\"2024-10-20\"}]",
     "81 a3 6a 69737375655f64617465 d903ec 6a 323031382d30382d3039"
     " 6b 6578706972795f64617465 d903ec 6a 323032342d31302d3230"
     " 75 76656869636c655f63617465676f72795f636f6465 61 41",
     CL_OK,
     "[{\"vehicle_category_code\":\"A\",\"issue_date\":\"2018-08-09\",\"expiry_date\":"
     "\"2024-10-20\"}]"},
    {"p", "[{\"vehicle_category_code\":\"A\",\"issue_date\":\"2018-08-32\"}]", NULL, CL_ERR_INPUT,
     NULL},
};

static void
test_value_to_cbor(void **state)
{
    struct cl_catalog *cat = new_catalog();
    const struct cl_catalog_type *t = NULL;
    struct cl_error err = {0};

    (void)state;
    cl_test_expect("conv type",
                   cl_catalog_load_json(cat, cl_bytes_str(conv_type), "conv", &t, &err), CL_OK,
                   &err);
    for (size_t i = 0; i < CL_ARRAY_LEN(conv_rows); i++) {
        const struct cl_catalog_claim *c = cl_catalog_type_claim_by_name(t, conv_rows[i].claim);
        struct cl_arena a;
        struct cl_buf b;
        json_t *v, *sd = NULL, *back = NULL;
        const struct cl_cbor *item;
        char *dump;
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        cl_buf_init(&b);
        cl_error_clear(&err);
        v = parse(&a, conv_rows[i].json);
        cl_buf_append_byte(&b, 0x99); /* appends after what is there */
        rc = cl_catalog_value_to_cbor(&b, c, v, &err);
        cl_test_expect(conv_rows[i].json, rc, conv_rows[i].hex != NULL ? CL_OK : conv_rows[i].want,
                       &err);
        if (rc != CL_OK) {
            assert_int_equal(b.len, 1);
            rc = cl_catalog_value_to_sdjwt(&a, c, v, &sd, NULL);
            assert_int_not_equal(rc, CL_OK);
            assert_null(sd);
            cl_buf_fini(&b);
            cl_arena_fini(&a);
            continue;
        }
        {
            struct cl_bytes want = cl_test_hex(&a, conv_rows[i].hex);
            struct cl_bytes got = cl_bytes_of(b.ptr + 1, b.len - 1);

            if (!cl_bytes_eq(got, want))
                fail_msg("%s: got %s, want %s", conv_rows[i].json, cl_test_tohex(&a, got),
                         cl_test_tohex(&a, want));
            /* and back: CBOR to JSON with the claim gives the SD-JWT form */
            cl_test_expect("decode", cl_cbor_decode(&a, got, NULL, &item, &err), CL_OK, &err);
            cl_test_expect("cbor_to_json", cl_catalog_cbor_to_json(&a, c, item, &back, &err), CL_OK,
                           &err);
        }
        cl_test_expect("to sdjwt", cl_catalog_value_to_sdjwt(&a, c, v, &sd, &err), CL_OK, &err);
        dump = json_dumps(sd, JSON_COMPACT | JSON_ENCODE_ANY);
        assert_non_null(dump);
        if (strcmp(dump, conv_rows[i].sdjwt) != 0)
            fail_msg("%s: SD-JWT form %s, want %s", conv_rows[i].json, dump, conv_rows[i].sdjwt);
        free(dump);
        if (!json_equal(sd, back) && strcmp(conv_rows[i].claim, "m") != 0)
            fail_msg("%s: CBOR read back differs from the SD-JWT form", conv_rows[i].json);
        cl_buf_fini(&b);
        cl_arena_fini(&a);
    }
    cl_catalog_free(cat);
}

static const struct {
    const char *name;
    const char *claim; /* NULL: generic */
    const char *hex;
    const char *json; /* NULL: refused with want */
    cl_err want;
} c2j_rows[] = {
    {"full-date", "d", "d903ec 6a 323030372d30332d3235", "\"2007-03-25\"", CL_OK},
    {"full-date generic", NULL, "d903ec 6a 323030372d30332d3235", "\"2007-03-25\"", CL_OK},
    {"days (RFC 8943 tag 100)", "d", "d8 64 19 0f9a", "\"1980-12-08\"", CL_OK},
    {"tdate", "t", "c0 74 323032302d31302d30315431333a33303a30325a", "\"2020-10-01T13:30:02Z\"",
     CL_OK},
    {"epoch", NULL, "c1 1a 5f75d9ca", "\"2020-10-01T13:29:46Z\"", CL_OK},
    {"tdate with offset normalised", "t",
     "c0 78 19 323032302d31302d30315431333a33303a30322b30323a3030", "\"2020-10-01T11:30:02Z\"",
     CL_OK},
    {"bstr", "x", "43 fbff00", "\"-_8A\"", CL_OK},
    {"text for a full-date", "d", "6a 323030372d30332d3235", NULL, CL_ERR_INPUT},
    {"negative for a uint", "u", "20", NULL, CL_ERR_INPUT},
    {"int", "i", "38 63", "-100", CL_OK},
    {"big uint", NULL, "1b ffffffffffffffff", "\"18446744073709551615\"", CL_OK},
    {"big negative", NULL, "3b ffffffffffffffff", "\"-18446744073709551616\"", CL_OK},
    {"int keys", NULL, "a2 01 61 61 20 f4", "{\"1\":\"a\",\"-1\":false}", CL_OK},
    {"colliding keys", NULL, "a2 01 00 61 31 00", NULL, CL_ERR_DUPLICATE},
    {"bstr key", NULL, "a1 41 00 f6", "{\"h'00'\":null}", CL_OK},
    {"embedded", NULL, "d818 43 a10102", "{\"$cbor\":\"oQEC\"}", CL_OK},
    {"other tag", NULL, "d8 20 63 612f62", "{\"$tag\":32,\"$value\":\"a/b\"}", CL_OK},
    {"bad full-date generic", NULL, "d903ec 01", "{\"$tag\":1004,\"$value\":1}", CL_OK},
    {"bad full-date typed", "d", "d903ec 01", NULL, CL_ERR_INPUT},
    {"undefined", NULL, "f7", "null", CL_OK},
    {"simple 16", NULL, "f0", "{\"$simple\":16}", CL_OK},
    {"float", NULL, "f9 3e00", "1.5", CL_OK},
    {"NaN", NULL, "f9 7e00", "\"NaN\"", CL_OK},
    {"-Infinity", NULL, "f9 fc00", "\"-Infinity\"", CL_OK},
    {"typed map with unknown field", "p",
     "81 a2 75 76656869636c655f63617465676f72795f636f6465"
     " 61 42 61 7a 01",
     "[{\"vehicle_category_code\":\"B\",\"z\":1}]", CL_OK},
    {"typed field mismatch", "p", "81 a1 6a 69737375655f64617465 01", NULL, CL_ERR_INPUT},
};

static void
test_cbor_to_json(void **state)
{
    struct cl_catalog *cat = new_catalog();
    const struct cl_catalog_type *t = NULL;
    struct cl_error err = {0};

    (void)state;
    cl_test_expect("conv type",
                   cl_catalog_load_json(cat, cl_bytes_str(conv_type), "conv", &t, &err), CL_OK,
                   &err);
    for (size_t i = 0; i < CL_ARRAY_LEN(c2j_rows); i++) {
        const struct cl_catalog_claim *c =
            c2j_rows[i].claim != NULL ? cl_catalog_type_claim_by_name(t, c2j_rows[i].claim) : NULL;
        const struct cl_cbor *item;
        struct cl_arena a;
        json_t *j = (json_t *)1;
        cl_err rc;

        cl_arena_init(&a, 0, 0, 0);
        cl_error_clear(&err);
        cl_test_expect(c2j_rows[i].name,
                       cl_cbor_decode(&a, cl_test_hex(&a, c2j_rows[i].hex), NULL, &item, &err),
                       CL_OK, &err);
        rc = cl_catalog_cbor_to_json(&a, c, item, &j, &err);
        cl_test_expect(c2j_rows[i].name, rc, c2j_rows[i].json != NULL ? CL_OK : c2j_rows[i].want,
                       &err);
        if (rc == CL_OK) {
            char *dump = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

            if (dump == NULL || strcmp(dump, c2j_rows[i].json) != 0)
                fail_msg("%s: got %s, want %s", c2j_rows[i].name, dump, c2j_rows[i].json);
            free(dump);
        } else {
            assert_null(j);
            if (strncmp(err.where, "offset ", 7) != 0)
                fail_msg("%s: where is \"%s\" (%s), want an offset", c2j_rows[i].name, err.where,
                         err.msg);
        }
        cl_arena_fini(&a);
    }
    cl_catalog_free(cat);
}

/*
 * ISO/IEC 18013-5 Annex D: every element value of the mDL in the published DeviceResponse
 * reads back as JSON with the iso.mdl type, and re-encodes to the same bytes where Annex D
 * encodes deterministically (it puts driving_privileges keys in its own order).
 */
static void
test_annex_d_elements(void **state)
{
    struct cl_catalog *cat = shipped();
    const struct cl_catalog_type *t = cl_catalog_find(cat, "iso.mdl");
    const struct cl_cbor *resp, *docs, *ns, *items;
    struct cl_error err = {0};
    struct cl_arena a;
    size_t checked = 0, same = 0;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    cl_test_expect("Annex D response",
                   cl_cbor_decode(&a, cl_test_vector(&a, "iso18013-5-annex-d/device-response.cbor"),
                                  NULL, &resp, &err),
                   CL_OK, &err);
    docs = cl_cbor_map_get_text(resp, "documents");
    assert_non_null(docs);
    ns = cl_cbor_map_get_text(cl_cbor_map_get_text(&docs->v.array.item[0], "issuerSigned"),
                              "nameSpaces");
    items = cl_cbor_map_get_text(ns, "org.iso.18013.5.1");
    assert_non_null(items);
    for (size_t i = 0; i < items->v.array.n; i++) {
        const struct cl_cbor *isi, *id, *val;
        const struct cl_catalog_claim *c;
        json_t *j = NULL;
        struct cl_buf b;

        cl_test_expect("embedded",
                       cl_cbor_decode_embedded(&a, &items->v.array.item[i], NULL, &isi, &err),
                       CL_OK, &err);
        id = cl_cbor_map_get_text(isi, "elementIdentifier");
        val = cl_cbor_map_get_text(isi, "elementValue");
        assert_non_null(id);
        assert_non_null(val);
        c = cl_catalog_type_element(t, "org.iso.18013.5.1", cl_arena_strndup(&a, id->v.str));
        assert_non_null(c);
        cl_test_expect(c->name, cl_catalog_cbor_to_json(&a, c, val, &j, &err), CL_OK, &err);
        checked++;
        if (c->type == CL_CATALOG_BSTR) /* JSON form of a bstr for issuers */
            j = json_pack("{s:O}", "$b64", j);
        cl_buf_init(&b);
        cl_test_expect(c->name, cl_catalog_value_to_cbor(&b, c, j, &err), CL_OK, &err);
        if (cl_bytes_eq(cl_buf_bytes(&b), val->raw))
            same++;
        else
            assert_string_equal(c->name, "driving_privileges");
        if (c->type == CL_CATALOG_BSTR)
            json_decref(j);
        if (strcmp(c->name, "issue_date") == 0)
            assert_string_equal(json_string_value(j), "2019-10-20");
        cl_buf_fini(&b);
    }
    assert_int_equal(checked, 6);
    assert_int_equal(same, 5);
    cl_arena_fini(&a);
    cl_catalog_free(cat);
}

/* Allocation failures while loading: CL_ERR_NOMEM each time, never a leak or a crash. */
static void
test_alloc_failures(void **state)
{
    struct cl_buf text;
    struct cl_error err = {0};
    cl_err rc = CL_ERR_NOMEM;

    (void)state;
    cl_buf_init(&text);
    cl_test_expect("read",
                   cl_file_read(TYPES_DIR "/kr.household_register.json", 1 << 20, &text, &err),
                   CL_OK, &err);
    for (unsigned long n = 1; rc == CL_ERR_NOMEM && n < 10000; n++) {
        struct cl_catalog *cat = NULL;

        cl_error_clear(&err);
        cl_alloc_fail_at(n);
        rc = cl_catalog_new(NULL, &cat, &err);
        if (rc == CL_OK)
            rc = cl_catalog_load_json(cat, cl_buf_bytes(&text), "hr", NULL, &err);
        cl_alloc_fail_at(0);
        if (rc != CL_OK && rc != CL_ERR_NOMEM)
            fail_msg("allocation %lu: got %s (%s: %s)", n, cl_err_name(rc), err.where, err.msg);
        cl_catalog_free(cat);
    }
    assert_int_equal(rc, CL_OK);
    cl_buf_fini(&text);
}

/* The same for validating (with problems to report) and converting claims. */
static void
test_alloc_failures_claims(void **state)
{
    struct cl_catalog *cat = shipped();
    const struct cl_catalog_type *t = cl_catalog_find(cat, "kr.household_register");
    const struct cl_catalog_claim *members = cl_catalog_type_claim_by_name(t, "members");
    struct cl_arena keep;
    json_t *bad, *good;
    cl_err rc = CL_ERR_NOMEM;

    (void)state;
    cl_arena_init(&keep, 0, 0, 0);
    bad = parse(&keep, "{\"kr.go.mois.household_register.1\":{\"x\":1,\"address\":5,"
                       "\"members\":[{\"name\":1},{\"relation\":2},{}]}}");
    good = parse(&keep, "[{\"name\":\"김철수\",\"relation\":\"본인\",\"birth_date\":"
                        "\"1970-05-05\",\"resident_number_front\":\"700505\"}]");
    for (unsigned long n = 1; rc == CL_ERR_NOMEM && n < 10000; n++) {
        struct cl_catalog_report rep;
        struct cl_error err = {0};
        const struct cl_cbor *item;
        struct cl_arena a;
        json_t *j = NULL;
        struct cl_buf b;
        cl_err v;

        cl_arena_init(&a, 0, 0, 0);
        cl_buf_init(&b);
        cl_alloc_fail_at(n);
        v = cl_catalog_validate_mdoc_claims(&a, t, bad, &rep, &err);
        rc = v == CL_ERR_NOMEM ? v : cl_catalog_value_to_cbor(&b, members, good, &err);
        if (rc == CL_OK)
            rc = cl_cbor_decode(&a, cl_buf_bytes(&b), NULL, &item, &err);
        if (rc == CL_OK)
            rc = cl_catalog_cbor_to_json(&a, members, item, &j, &err);
        if (rc == CL_OK)
            rc = cl_catalog_value_to_sdjwt(&a, members, good, &j, &err);
        cl_alloc_fail_at(0);
        if (v != CL_ERR_NOMEM && v != CL_ERR_MISSING && v != CL_ERR_INPUT)
            fail_msg("allocation %lu: validation gave %s", n, cl_err_name(v));
        if (v != CL_ERR_NOMEM && rep.nproblems != 18)
            fail_msg("allocation %lu: %zu problems, want 18", n, rep.nproblems);
        if (rc != CL_OK && rc != CL_ERR_NOMEM)
            fail_msg("allocation %lu: got %s (%s: %s)", n, cl_err_name(rc), err.where, err.msg);
        cl_buf_fini(&b);
        cl_arena_fini(&a);
    }
    assert_int_equal(rc, CL_OK);
    cl_arena_fini(&keep);
    cl_catalog_free(cat);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_types),
        cmocka_unit_test(test_bad_types),
        cmocka_unit_test(test_duplicates_across_files),
        cmocka_unit_test(test_files_and_limits),
        cmocka_unit_test(test_300_types),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_validate_nested),
        cmocka_unit_test(test_validate_pid_payload),
        cmocka_unit_test(test_value_to_cbor),
        cmocka_unit_test(test_cbor_to_json),
        cmocka_unit_test(test_annex_d_elements),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_alloc_failures_claims),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
