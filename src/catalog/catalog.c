/* catalog.c - the catalog object: creation, the id/doctype/vct hash indexes, lookups of types
 * and of claims within a type, names of the enums. */
#include <string.h>

#include "cardless/alloc.h"
#include "catalog/catalog_int.h"

#include "base/banned.h"

struct cl_catalog_limits
cl_catalog_limits_default(void)
{
    struct cl_catalog_limits lim;

    lim.max_file_bytes = (size_t)1 << 20;
    lim.max_types = 10000;
    lim.max_claims = 1000;
    lim.max_depth = 8;
    return lim;
}

cl_err
cl_catalog_new(const struct cl_catalog_limits *lim, struct cl_catalog **out, struct cl_error *err)
{
    struct cl_catalog *cat;

    *out = NULL;
    cat = cl_calloc(1, sizeof *cat);
    if (cat == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "catalog", "out of memory");
    cl_arena_init(&cat->arena, 64 * 1024, 0, 0);
    cat->lim = lim != NULL ? *lim : cl_catalog_limits_default();
    *out = cat;
    return CL_OK;
}

void
cl_catalog_free(struct cl_catalog *cat)
{
    if (cat == NULL)
        return;
    for (size_t k = 0; k < CL_ARRAY_LEN(cat->idx); k++)
        cl_free(cat->idx[k].slot);
    cl_free(cat->types);
    cl_arena_fini(&cat->arena);
    cl_free(cat);
}

/* FNV-1a, 64 bits: keys are short ids and URIs of our own type files, not attacker-chosen
 * in bulk, so a keyed hash buys nothing here. */
static uint64_t
hash_str(const char *s)
{
    uint64_t h = 14695981039346656037u;

    for (; *s != '\0'; s++) {
        h ^= (uint8_t)*s;
        h *= 1099511628211u;
    }
    return h;
}

static const char *
key_of(const struct cl_catalog_type *t, enum catalog_key k)
{
    switch (k) {
    case CATALOG_KEY_ID:
        return t->id;
    case CATALOG_KEY_DOCTYPE:
        return t->doctype;
    case CATALOG_KEY_VCT:
        return t->vct;
    }
    return NULL;
}

static void
index_put(struct catalog_index *ix, enum catalog_key k, const struct cl_catalog_type *t)
{
    size_t mask = ix->cap - 1, i = (size_t)hash_str(key_of(t, k)) & mask;

    while (ix->slot[i] != NULL)
        i = (i + 1) & mask;
    ix->slot[i] = t;
    ix->n++;
}

/* Make room for one more key: at most half full after it. */
static cl_err
index_reserve(struct catalog_index *ix, enum catalog_key k, struct cl_error *err)
{
    struct catalog_index big = {NULL, 0, 0};

    if (2 * (ix->n + 1) <= ix->cap)
        return CL_OK;
    big.cap = ix->cap != 0 ? ix->cap * 2 : 64;
    big.slot = cl_calloc(big.cap, sizeof *big.slot);
    if (big.slot == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "catalog", "out of memory");
    for (size_t i = 0; i < ix->cap; i++)
        if (ix->slot[i] != NULL)
            index_put(&big, k, ix->slot[i]);
    cl_free(ix->slot);
    *ix = big;
    return CL_OK;
}

const struct cl_catalog_type *
catalog_index_get(const struct cl_catalog *cat, enum catalog_key k, const char *key)
{
    const struct catalog_index *ix;
    size_t mask, i;

    if (cat == NULL || key == NULL)
        return NULL;
    ix = &cat->idx[k];
    if (ix->cap == 0)
        return NULL;
    mask = ix->cap - 1;
    for (i = (size_t)hash_str(key) & mask; ix->slot[i] != NULL; i = (i + 1) & mask)
        if (strcmp(key_of(ix->slot[i], k), key) == 0)
            return ix->slot[i];
    return NULL;
}

cl_err
catalog_add(struct cl_catalog *cat, const struct cl_catalog_type *t, struct cl_error *err)
{
    /* grow everything first so that a memory failure leaves the catalog as it was */
    if (cat->ntypes == cat->cap) {
        size_t cap = cat->cap != 0 ? cat->cap * 2 : 32;
        const struct cl_catalog_type **p = cl_realloc(cat->types, cap * sizeof *p);

        if (p == NULL)
            return cl_fail(err, CL_ERR_NOMEM, "catalog", "out of memory");
        cat->types = p;
        cat->cap = cap;
    }
    for (size_t k = 0; k < CL_ARRAY_LEN(cat->idx); k++)
        if (key_of(t, (enum catalog_key)k) != NULL &&
            index_reserve(&cat->idx[k], (enum catalog_key)k, err) != CL_OK)
            return CL_ERR_NOMEM;
    for (size_t k = 0; k < CL_ARRAY_LEN(cat->idx); k++)
        if (key_of(t, (enum catalog_key)k) != NULL)
            index_put(&cat->idx[k], (enum catalog_key)k, t); /* room made above */
    cat->types[cat->ntypes++] = t;
    return CL_OK;
}

size_t
cl_catalog_count(const struct cl_catalog *cat)
{
    return cat != NULL ? cat->ntypes : 0;
}

const struct cl_catalog_type *
cl_catalog_type_at(const struct cl_catalog *cat, size_t i)
{
    return cat != NULL && i < cat->ntypes ? cat->types[i] : NULL;
}

const struct cl_catalog_type *
cl_catalog_find(const struct cl_catalog *cat, const char *id)
{
    return catalog_index_get(cat, CATALOG_KEY_ID, id);
}

const struct cl_catalog_type *
cl_catalog_find_doctype(const struct cl_catalog *cat, const char *doctype)
{
    return catalog_index_get(cat, CATALOG_KEY_DOCTYPE, doctype);
}

const struct cl_catalog_type *
cl_catalog_find_vct(const struct cl_catalog *cat, const char *vct)
{
    return catalog_index_get(cat, CATALOG_KEY_VCT, vct);
}

const struct cl_catalog_claim *
cl_catalog_type_element(const struct cl_catalog_type *t, const char *ns, const char *name)
{
    if (t == NULL || ns == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < t->nclaims; i++) {
        const struct cl_catalog_claim *c = &t->claims[i];

        if (c->ns != NULL && strcmp(c->name, name) == 0 && strcmp(c->ns, ns) == 0)
            return c;
    }
    return NULL;
}

const struct cl_catalog_claim *
cl_catalog_type_claim_by_path(const struct cl_catalog_type *t, const char *path)
{
    if (t == NULL || path == NULL)
        return NULL;
    for (size_t i = 0; i < t->nclaims; i++)
        if (strcmp(t->claims[i].sdjwt_path, path) == 0)
            return &t->claims[i];
    return NULL;
}

const struct cl_catalog_claim *
cl_catalog_type_claim_by_name(const struct cl_catalog_type *t, const char *name)
{
    const struct cl_catalog_claim *found = NULL;

    if (t == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < t->nclaims; i++) {
        if (strcmp(t->claims[i].name, name) != 0)
            continue;
        if (found != NULL)
            return NULL; /* the same element name in two namespaces: ambiguous */
        found = &t->claims[i];
    }
    return found;
}

const struct cl_catalog_claim *
cl_catalog_claim_field(const struct cl_catalog_claim *c, const char *name)
{
    if (c == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < c->nfields; i++)
        if (strcmp(c->fields[i].name, name) == 0)
            return &c->fields[i];
    return NULL;
}

static const char *const vtype_names[] = {"tstr",  "uint", "int",   "bool", "full-date",
                                          "tdate", "bstr", "array", "map"};

const char *
cl_catalog_vtype_name(enum cl_catalog_vtype t)
{
    return (unsigned)t < CL_ARRAY_LEN(vtype_names) ? vtype_names[t] : "unknown";
}

const char *
cl_catalog_sd_name(enum cl_catalog_sd sd)
{
    switch (sd) {
    case CL_CATALOG_SD_ALLOWED:
        return "allowed";
    case CL_CATALOG_SD_ALWAYS:
        return "always";
    case CL_CATALOG_SD_NEVER:
        return "never";
    }
    return "unknown";
}
