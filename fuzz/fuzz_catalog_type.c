/* fuzz_catalog_type.c - a type file's bytes through cl_catalog_load_json; a type that loads
 * must accept a sample of valid claims built from its own schema, and each value must convert
 * to CBOR and read back as the same JSON as its SD-JWT form. */
#include <stdlib.h>
#include <string.h>

#include "cardless/catalog.h"
#include "cardless/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A valid value for c, or NULL when the schema asks for more than the harness builds. */
static json_t *
sample(const struct cl_catalog_claim *c, unsigned depth)
{
    size_t n = c->min_length != 0 ? c->min_length : 1;
    json_t *v = NULL;

    if (depth > 10 || n > 16 || (c->max_length != 0 && n > c->max_length))
        return NULL;
    switch (c->type) {
    case CL_CATALOG_TSTR: {
        char s[17];

        memset(s, '1', n);
        s[n] = '\0';
        return json_string(s);
    }
    case CL_CATALOG_UINT:
        return json_integer(7);
    case CL_CATALOG_INT:
        return json_integer(-7);
    case CL_CATALOG_BOOL:
        return json_true();
    case CL_CATALOG_FULLDATE:
        return json_string("2000-02-29");
    case CL_CATALOG_TDATE:
        return json_string("2000-02-29T23:59:59.5+09:00");
    case CL_CATALOG_BSTR: {
        uint8_t zero[16] = {0};
        struct cl_buf b;

        cl_buf_init(&b);
        cl_b64url_encode(&b, cl_bytes_of(zero, n));
        cl_buf_append_byte(&b, 0);
        if (b.err == CL_OK)
            v = json_pack("{s:s}", "$b64", (const char *)b.ptr);
        cl_buf_fini(&b);
        return v;
    }
    case CL_CATALOG_ARRAY:
        v = json_array();
        for (size_t i = 0; v != NULL && i < n; i++) {
            json_t *e = c->items != NULL ? sample(c->items, depth + 1) : json_string("x");

            if (e == NULL || json_array_append_new(v, e) != 0) {
                json_decref(v);
                return NULL;
            }
        }
        return v;
    case CL_CATALOG_MAP:
        if (c->fields == NULL)
            return json_pack("{s:i}", "k", 1);
        v = json_object();
        for (size_t i = 0; v != NULL && i < c->nfields; i++) {
            json_t *e = sample(&c->fields[i], depth + 1);

            if (e == NULL || json_object_set_new(v, c->fields[i].name, e) != 0) {
                json_decref(v);
                return NULL;
            }
        }
        return v;
    }
    return NULL;
}

/* Every sampled value converts both ways and agrees with its SD-JWT form. */
static void
check_values(struct cl_arena *a, const struct cl_catalog_report *rep)
{
    for (size_t i = 0; i < rep->nvalues; i++) {
        const struct cl_catalog_claim *c = rep->values[i].claim;
        const struct cl_cbor *item;
        json_t *back = NULL, *sd = NULL;
        struct cl_buf b;

        cl_buf_init(&b);
        if (cl_catalog_value_to_cbor(&b, c, rep->values[i].value, NULL) != CL_OK ||
            cl_cbor_decode(a, cl_buf_bytes(&b), NULL, &item, NULL) != CL_OK ||
            cl_catalog_cbor_to_json(a, c, item, &back, NULL) != CL_OK ||
            cl_catalog_value_to_sdjwt(a, c, rep->values[i].value, &sd, NULL) != CL_OK ||
            !json_equal(back, sd))
            abort();
        cl_buf_fini(&b);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_catalog_limits lim = {1 << 16, 16, 64, 6}; /* limits in the harness */
    struct cl_catalog *cat = NULL;
    const struct cl_catalog_type *t = NULL;
    struct cl_catalog_report rep;
    struct cl_arena a;
    json_t *mdoc = NULL, *flat = NULL, *wrong = NULL;
    bool complete = true;

    if (cl_catalog_new(&lim, &cat, NULL) != CL_OK)
        return 0;
    cl_arena_init(&a, 4096, 8 << 20, 0);
    if (cl_catalog_load_json(cat, cl_bytes_of(data, size), "fuzz.json", &t, NULL) != CL_OK)
        goto out;
    if (t == NULL || cl_catalog_find(cat, t->id) != t ||
        (t->doctype != NULL && cl_catalog_find_doctype(cat, t->doctype) != t) ||
        (t->vct != NULL && cl_catalog_find_vct(cat, t->vct) != t))
        abort();
    mdoc = json_object();
    flat = json_object();
    wrong = json_object();
    if (mdoc == NULL || flat == NULL || wrong == NULL)
        goto out;
    for (size_t i = 0; i < t->nclaims; i++) {
        const struct cl_catalog_claim *c = &t->claims[i];
        json_t *v = sample(c, 0), *ns;

        /* with an SD-JWT form every claim has a path of its own */
        if (t->vct != NULL && cl_catalog_type_claim_by_path(t, c->sdjwt_path) != c)
            abort();
        if (t->doctype != NULL && cl_catalog_type_element(t, c->ns, c->name) != c)
            abort();
        if (v == NULL) {
            complete = false;
            continue;
        }
        json_object_set(flat, c->sdjwt_path, v);
        json_object_set_new(wrong, c->name, json_string("x"));
        if (c->ns != NULL) {
            ns = json_object_get(mdoc, c->ns);
            if (ns == NULL) {
                ns = json_object();
                json_object_set_new(mdoc, c->ns, ns);
            }
            json_object_set(ns, c->name, v);
        }
        json_decref(v);
    }
    if (t->doctype != NULL) {
        cl_err rc = cl_catalog_validate_mdoc_claims(&a, t, mdoc, &rep, NULL);

        if (complete && rc != CL_OK)
            abort();
        if (rc == CL_OK)
            check_values(&a, &rep);
    }
    if (t->vct != NULL) {
        cl_err rc = cl_catalog_validate_sdjwt_claims(&a, t, flat, &rep, NULL);

        if (complete && rc != CL_OK)
            abort();
        if (rc == CL_OK)
            check_values(&a, &rep);
        rc = cl_catalog_validate_sdjwt_claims(&a, t, wrong, &rep, NULL); /* any verdict */
        if (rc != CL_OK && rep.nproblems == 0)
            abort();
    }
out:
    json_decref(mdoc);
    json_decref(flat);
    json_decref(wrong);
    cl_arena_fini(&a);
    cl_catalog_free(cat);
    return 0;
}
