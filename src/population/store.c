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

void
pop_fit(struct cl_pop *pop)
{
    struct cl_pop_priv *pv = pop->priv;
    struct col hc[] = {HH_COLS(pop), {(void **)&pop->hh_first, 4}};
    struct col pc[32];
    size_t n = person_cols(pop, pc);

    /* shrinking in place cannot fail in practice; if it does, the larger columns stay */
    if (pop->nh > 0 && pop->nh + 1 < pv->cap_h && grow(hc, CL_ARRAY_LEN(hc), pop->nh + 1) == 0)
        pv->cap_h = pop->nh;
    if (pop->np > 0 && pop->np < pv->cap_p && grow(pc, n, pop->np) == 0)
        pv->cap_p = pop->np;
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
        cl_free(pv->hidx.t);
        cl_free(pv->pidx.t);
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

/*
 * Open addressing with linear probing; a slot is 0 (empty) or tag << 27 | (index + 1), the tag
 * being 5 more bits of the hash, so that 31 in 32 probes past another id are decided without
 * reading its text. Removal is only of the most recent insertions, last first (a record that
 * turns out to be a duplicate), which leaves the table exactly as before them.
 */
#define SLOT_INDEX 0x07ffffffu

static uint32_t
slot_of(uint64_t hash, size_t i)
{
    return (uint32_t)(hash >> 59) << 27 | (uint32_t)(i + 1);
}

static struct cl_bytes
id_of(const struct cl_pop *pop, const struct pop_index *x, size_t i)
{
    return x == &pop->priv->hidx ? hh_id_raw(pop, i) : p_id_raw(pop, i);
}

cl_err
pop_index_reserve(struct cl_pop *pop, struct pop_index *x, size_t more)
{
    size_t cap = x->cap < 1024 ? 1024 : x->cap;
    uint32_t *t;

    if (x->count + more > SLOT_INDEX - 1)
        return CL_ERR_TOO_LARGE;
    while ((x->count + more) * 4 > cap * 3) /* load at most 3/4 */
        cap *= 2;
    if (cap == x->cap)
        return CL_OK;
    t = cl_calloc(cap, sizeof *t);
    if (t == NULL)
        return CL_ERR_NOMEM;
    for (size_t s = 0; s < x->cap; s++) {
        uint32_t v = x->t[s];

        if (v != 0) {
            size_t j = (size_t)pop_hash(id_of(pop, x, (v & SLOT_INDEX) - 1)) & (cap - 1);

            while (t[j] != 0)
                j = (j + 1) & (cap - 1);
            t[j] = v;
        }
    }
    cl_free(x->t);
    x->t = t;
    x->cap = cap;
    return CL_OK;
}

int32_t
pop_index_add(struct cl_pop *pop, struct pop_index *x, size_t i, size_t *slot)
{
    struct cl_bytes id = id_of(pop, x, i);
    uint64_t h = pop_hash(id);
    size_t mask = x->cap - 1, s = (size_t)h & mask;
    uint32_t want = slot_of(h, i), tag = want & ~SLOT_INDEX;

    while (x->t[s] != 0) {
        uint32_t v = x->t[s];

        if ((v & ~SLOT_INDEX) == tag && cl_bytes_eq(id_of(pop, x, (v & SLOT_INDEX) - 1), id))
            return (int32_t)((v & SLOT_INDEX) - 1);
        s = (s + 1) & mask;
    }
    x->t[s] = want;
    x->count++;
    *slot = s;
    return -1;
}

void
pop_index_remove(struct pop_index *x, size_t slot)
{
    x->t[slot] = 0;
    x->count--;
}

static int32_t
find(const struct cl_pop *pop, const struct pop_index *x, struct cl_bytes id)
{
    uint64_t h = pop_hash(id);
    size_t mask, s;
    uint32_t tag = slot_of(h, 0) & ~SLOT_INDEX;

    if (x->t == NULL)
        return -1;
    mask = x->cap - 1;
    s = (size_t)h & mask;
    while (x->t[s] != 0) {
        uint32_t v = x->t[s];

        if ((v & ~SLOT_INDEX) == tag && cl_bytes_eq(id_of(pop, x, (v & SLOT_INDEX) - 1), id))
            return (int32_t)((v & SLOT_INDEX) - 1);
        s = (s + 1) & mask;
    }
    return -1;
}

int32_t
cl_pop_find_household(const struct cl_pop *pop, struct cl_bytes id)
{
    if (pop->priv == NULL)
        return -1;
    return find(pop, &pop->priv->hidx, id);
}

int32_t
pop_find_person_id(const struct cl_pop *pop, struct cl_bytes id)
{
    if (pop->priv == NULL)
        return -1;
    return find(pop, &pop->priv->pidx, id);
}

/* The person index is dropped after a load (the evaluation that follows needs the memory
 * more) and built again here, once, for lookups by id. */
static cl_err
person_index(struct cl_pop *pop)
{
    struct cl_pop_priv *pv = pop->priv;
    size_t slot;
    cl_err rc;

    if ((rc = pop_index_reserve(pop, &pv->pidx, pop->np)) != CL_OK)
        return rc;
    for (size_t i = 0; i < pop->np; i++)
        (void)pop_index_add(pop, &pv->pidx, i, &slot); /* ids are unique: checked at load */
    return CL_OK;
}

void
pop_drop_person_index(struct cl_pop *pop)
{
    cl_free(pop->priv->pidx.t);
    memset(&pop->priv->pidx, 0, sizeof pop->priv->pidx);
}

cl_err
cl_pop_find_person(struct cl_pop *pop, struct cl_bytes id, int32_t *out, struct cl_error *err)
{
    int32_t i;

    *out = -1;
    if (pop->priv != NULL && pop->np > 0 && pop->priv->pidx.t == NULL &&
        person_index(pop) != CL_OK) {
        pop_drop_person_index(pop);
        return cl_fail(err, CL_ERR_NOMEM, "person", "out of memory for the person index");
    }
    i = pop_find_person_id(pop, id);
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
           pv->cap_wide * sizeof(int64_t) + (pv->hidx.cap + pv->pidx.cap) * sizeof(uint32_t);
}
