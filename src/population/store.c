/*
 * store.c - the columnar population store: columns that grow together, wide money values,
 * id views, the household and person indexes, and memory accounting.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cardless/alloc.h"
#include "population/pop_int.h"

#include "base/banned.h"

const char *const cl_pop_nblss_tier_names[CL_POP_NBLSS_COUNT] = {"seoul", "gyeonggi", "metro",
                                                                 "other"};
const char *const cl_pop_pension_tier_names[CL_POP_PENSION_COUNT] = {"large_city", "small_city",
                                                                     "rural"};
const char *const cl_pop_ca_area_names[CL_POP_CA_COUNT] = {"capital", "non_capital",
                                                           "decline_preferred", "decline_special"};
const char *const cl_pop_tenure_names[CL_POP_TENURE_COUNT] = {"own", "jeonse", "monthly_rent",
                                                              "free"};
const char *const cl_pop_kind_names[CL_POP_KIND_COUNT] = {"general", "youth_independent", "origin",
                                                          "grandparent_grandchild"};
const char *const cl_pop_relation_names[CL_POP_REL_COUNT] = {"head", "spouse", "child", "parent",
                                                             "grandchild"};
const char *const cl_pop_sex_names[CL_POP_SEX_COUNT] = {"M", "F"};
const char *const cl_pop_school_names[CL_POP_SCHOOL_COUNT] = {NULL, "elementary", "middle", "high",
                                                              "university"};
const char *const cl_pop_im_names[CL_POP_IM_COUNT] = {
    "earned", "business", "public_pension", "private_pension", "property_income", "other"};
const char *const cl_pop_ia_names[CL_POP_IA_COUNT] = {"earned", "business", "other_taxable"};
const char *const cl_pop_as_names[CL_POP_AS_COUNT] = {"housing", "general", "financial", "vehicle",
                                                      "debt"};

void
cl_pop_init(struct cl_pop *pop)
{
    memset(pop, 0, sizeof *pop);
}

/* Every household column with its element size, so that they grow and shrink together. */
#define HH_COLS(pop)                                                                               \
    {(void **)&(pop)->hh_head, 4}, {(void **)&(pop)->hh_parents, 4},                               \
        {(void **)&(pop)->hh_deposit, 4}, {(void **)&(pop)->hh_rent, 4},                           \
        {(void **)&(pop)->hh_nblss_tier, 1}, {(void **)&(pop)->hh_pension_tier, 1},                \
        {(void **)&(pop)->hh_ca_area, 1}, {(void **)&(pop)->hh_tenure, 1},                         \
        {(void **)&(pop)->hh_kind, 1}, {(void **)&(pop)->hh_flags, 1},                             \
        {(void **)&(pop)->priv->hh_off, 8}, {(void **)&(pop)->priv->hh_len, 4},                    \
    {                                                                                              \
        (void **)&(pop)->priv->hh_id, 4                                                            \
    }

struct col {
    void **p;
    size_t size;
};

static size_t
person_cols(struct cl_pop *pop, struct col *c)
{
    size_t n = 0;

    c[n++] = (struct col){(void **)&pop->p_hh, 4};
    c[n++] = (struct col){(void **)&pop->p_spouse, 4};
    c[n++] = (struct col){(void **)&pop->p_birth, 4};
    c[n++] = (struct col){(void **)&pop->p_flags, 2};
    c[n++] = (struct col){(void **)&pop->p_sex, 1};
    c[n++] = (struct col){(void **)&pop->p_relation, 1};
    c[n++] = (struct col){(void **)&pop->p_school, 1};
    c[n++] = (struct col){(void **)&pop->p_birth_order, 1};
    c[n++] = (struct col){(void **)&pop->priv->p_id, 4};
    for (size_t k = 0; k < CL_POP_IM_COUNT; k++)
        c[n++] = (struct col){(void **)&pop->income_monthly[k], 4};
    for (size_t k = 0; k < CL_POP_IA_COUNT; k++)
        c[n++] = (struct col){(void **)&pop->income_annual[k], 4};
    for (size_t k = 0; k < CL_POP_AS_COUNT; k++)
        c[n++] = (struct col){(void **)&pop->assets[k], 4};
    return n;
}

static int
grow(struct col *c, size_t n, size_t cap)
{
    for (size_t k = 0; k < n; k++) {
        void *q;

        if (cap > SIZE_MAX / c[k].size)
            return -1;
        q = cl_realloc(*c[k].p, cap * c[k].size);
        if (q == NULL)
            return -1;
        *c[k].p = q;
    }
    return 0;
}

cl_err
pop_reserve(struct cl_pop *pop, size_t nh, size_t np)
{
    struct cl_pop_priv *pv = pop->priv;

    if (nh + 1 > pv->cap_h) {
        size_t cap = pv->cap_h < 1024 ? 1024 : pv->cap_h + pv->cap_h / 2;
        struct col hc[] = {HH_COLS(pop), {(void **)&pop->hh_first, 4}};

        while (cap < nh + 1)
            cap += cap / 2;
        if (grow(hc, CL_ARRAY_LEN(hc), cap + 1) != 0)
            return CL_ERR_NOMEM;
        pv->cap_h = cap;
    }
    if (np > pv->cap_p) {
        size_t cap = pv->cap_p < 2048 ? 2048 : pv->cap_p + pv->cap_p / 2;
        struct col pc[32];
        size_t n = person_cols(pop, pc);

        while (cap < np)
            cap += cap / 2;
        if (grow(pc, n, cap) != 0)
            return CL_ERR_NOMEM;
        pv->cap_p = cap;
    }
    return CL_OK;
}

cl_err
pop_wide(struct cl_pop *pop, int64_t v, int32_t *out)
{
    struct cl_pop_priv *pv = pop->priv;

    if (v <= INT32_MAX) {
        *out = (int32_t)v;
        return CL_OK;
    }
    if (pop->nwide >= (size_t)INT32_MAX)
        return CL_ERR_TOO_LARGE;
    if (pop->nwide == pv->cap_wide) {
        size_t cap = pv->cap_wide < 64 ? 64 : pv->cap_wide * 2;
        int64_t *q = cl_realloc(pop->wide, cap * sizeof *q);

        if (q == NULL)
            return CL_ERR_NOMEM;
        pop->wide = q;
        pv->cap_wide = cap;
    }
    pop->wide[pop->nwide] = v;
    *out = -(int32_t)pop->nwide - 1;
    pop->nwide++;
    return CL_OK;
}

void
cl_pop_fini(struct cl_pop *pop)
{
    struct cl_pop_priv *pv = pop->priv;

    if (pv != NULL) {
        struct col hc[] = {HH_COLS(pop), {(void **)&pop->hh_first, 4}};
        struct col pc[32];
        size_t n = person_cols(pop, pc);

        for (size_t k = 0; k < CL_ARRAY_LEN(hc); k++)
            cl_free(*hc[k].p);
        for (size_t k = 0; k < n; k++)
            cl_free(*pc[k].p);
        cl_free(pv->hidx);
        cl_free(pv->pidx);
        cl_free(pv->owned);
        if (pv->mapped != NULL)
            munmap(pv->mapped, pv->mapped_len);
        cl_free(pv);
    }
    cl_free(pop->wide);
    memset(pop, 0, sizeof *pop);
}

/* FNV-1a, 64 bits: ids are short and the table is keyed by ours, not by an attacker's choice
 * of hash; a flood of colliding ids only slows the load it came with. */
uint64_t
pop_hash(struct cl_bytes id)
{
    uint64_t h = 14695981039346656037u;

    for (size_t k = 0; k < id.len; k++) {
        h ^= id.ptr[k];
        h *= 1099511628211u;
    }
    return h ^ (h >> 29);
}

struct cl_bytes
cl_pop_household_id(const struct cl_pop *pop, size_t h)
{
    if (pop->priv == NULL || h >= pop->nh)
        return cl_bytes_of(NULL, 0);
    return pop_unpack(pop, h, pop->priv->hh_id[h]);
}

struct cl_bytes
cl_pop_person_id(const struct cl_pop *pop, size_t i)
{
    if (pop->priv == NULL || i >= pop->np)
        return cl_bytes_of(NULL, 0);
    return pop_unpack(pop, (size_t)pop->p_hh[i], pop->priv->p_id[i]);
}

struct cl_bytes
cl_pop_household_text(const struct cl_pop *pop, size_t h)
{
    if (pop->priv == NULL || h >= pop->nh)
        return cl_bytes_of(NULL, 0);
    return cl_bytes_of(pop->priv->text + pop->priv->hh_off[h], pop->priv->hh_len[h]);
}

typedef struct cl_bytes (*id_of_fn)(const struct cl_pop *pop, size_t i);

/* Unchecked: the loader indexes a record before it counts it in nh / np. */
static struct cl_bytes
hh_id_raw(const struct cl_pop *pop, size_t h)
{
    return pop_unpack(pop, h, pop->priv->hh_id[h]);
}

static struct cl_bytes
p_id_raw(const struct cl_pop *pop, size_t i)
{
    return pop_unpack(pop, (size_t)pop->p_hh[i], pop->priv->p_id[i]);
}

/* Put i (whose id is id) into table t of cap slots (a power of two); -1 with *dup when an equal
 * id is there already. */
static int
put(const struct cl_pop *pop, uint32_t *t, size_t cap, id_of_fn id_of, size_t i, struct cl_bytes id,
    int32_t *dup)
{
    size_t mask = cap - 1, s = (size_t)pop_hash(id) & mask;

    while (t[s] != 0) {
        if (dup != NULL && cl_bytes_eq(id_of(pop, t[s] - 1), id)) {
            *dup = (int32_t)(t[s] - 1);
            return -1;
        }
        s = (s + 1) & mask;
    }
    t[s] = (uint32_t)i + 1;
    return 0;
}

static int
index_insert(struct cl_pop *pop, uint32_t **tp, size_t *capp, size_t count, id_of_fn id_of,
             size_t i, int32_t *dup)
{
    /* count = entries already in the table; keep the load at or under 1/2 */
    if ((count + 1) * 2 > *capp) {
        size_t cap = *capp < 1024 ? 1024 : *capp * 2;
        uint32_t *t = cl_calloc(cap, sizeof *t);

        if (t == NULL)
            return (int)CL_ERR_NOMEM;
        for (size_t s = 0; s < *capp; s++)
            if ((*tp)[s] != 0)
                (void)put(pop, t, cap, id_of, (*tp)[s] - 1, id_of(pop, (*tp)[s] - 1), NULL);
        cl_free(*tp);
        *tp = t;
        *capp = cap;
    }
    return put(pop, *tp, *capp, id_of, i, id_of(pop, i), dup);
}

int
pop_index_household(struct cl_pop *pop, size_t h, int32_t *dup)
{
    return index_insert(pop, &pop->priv->hidx, &pop->priv->hidx_cap, h, hh_id_raw, h, dup);
}

int
pop_index_person(struct cl_pop *pop, size_t i, int32_t *dup)
{
    return index_insert(pop, &pop->priv->pidx, &pop->priv->pidx_cap, i, p_id_raw, i, dup);
}

static int32_t
find(const struct cl_pop *pop, const uint32_t *t, size_t cap, id_of_fn id_of, struct cl_bytes id)
{
    size_t mask, s;

    if (t == NULL || cap == 0)
        return -1;
    mask = cap - 1;
    s = (size_t)pop_hash(id) & mask;
    while (t[s] != 0) {
        if (cl_bytes_eq(id_of(pop, t[s] - 1), id))
            return (int32_t)(t[s] - 1);
        s = (s + 1) & mask;
    }
    return -1;
}

int32_t
cl_pop_find_household(const struct cl_pop *pop, struct cl_bytes id)
{
    if (pop->priv == NULL)
        return -1;
    return find(pop, pop->priv->hidx, pop->priv->hidx_cap, hh_id_raw, id);
}

int32_t
pop_find_person_id(const struct cl_pop *pop, struct cl_bytes id)
{
    if (pop->priv == NULL)
        return -1;
    return find(pop, pop->priv->pidx, pop->priv->pidx_cap, p_id_raw, id);
}

cl_err
cl_pop_find_person(struct cl_pop *pop, struct cl_bytes id, int32_t *out, struct cl_error *err)
{
    int32_t i = pop_find_person_id(pop, id);

    *out = i;
    if (i < 0)
        return cl_fail(err, CL_ERR_NOT_FOUND, "person", "no person with this id");
    return CL_OK;
}

size_t
cl_pop_memory(const struct cl_pop *pop)
{
    const struct cl_pop_priv *pv = pop->priv;
    size_t hh = 4 * 5 + 6 + 8 + 4 + 4, p = 4 * 4 + 2 + 4 + 4 * 14;

    if (pv == NULL)
        return sizeof *pop;
    return sizeof *pop + sizeof *pv + pv->cap_h * hh + pv->cap_p * p +
           pv->cap_wide * sizeof(int64_t) + (pv->hidx_cap + pv->pidx_cap) * sizeof(uint32_t);
}
