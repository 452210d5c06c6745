/*
 * pop_int.h - what only the population module's files share: the private part of struct
 * cl_pop (text, identifiers, indexes, capacities) and the column appenders of the loader.
 */
#ifndef CARDLESS_POP_INT_H
#define CARDLESS_POP_INT_H

#include "cardless/population.h"

/*
 * Identifiers are packed views: (offset from the household record's first byte) << 8 | length.
 * Records are at most CL_POP_RECORD_MAX bytes and ids at most 255, so a packed view fits 31
 * bits and can sit in an int32_t column (hh_parents while loading).
 */
#define CL_POP_RECORD_MAX ((size_t)1 << 23)
#define CL_POP_ID_MAX 255
#define CL_POP_INDEX_MAX (((size_t)1 << 27) - 2) /* entries an index holds: 134 M */

struct pop_index {
    uint32_t *t; /* slots, a power of two of them */
    size_t cap, count;
};

struct cl_pop_priv {
    const uint8_t *text; /* the feed: borrowed, or owned / mapped below */
    size_t text_len;
    void *owned;  /* cl_malloc'd text to free, or NULL */
    void *mapped; /* mmap'd text to unmap, or NULL */
    size_t mapped_len;
    uint64_t *hh_off; /* household record: offset of its '{' in text */
    uint32_t *hh_len; /* and its length */
    uint32_t *hh_id;  /* packed view of the household id */
    uint32_t *p_id;   /* packed view of the person id, relative to its household's record */
    size_t cap_h, cap_p, cap_wide;
    struct pop_index hidx; /* household id -> index */
    struct pop_index pidx; /* person id -> index */
};

/* store.c */
cl_err pop_reserve(struct cl_pop *pop, size_t nh, size_t np);
/* Free the person index (cl_pop_find_person builds it again when asked). */
void pop_drop_person_index(struct cl_pop *pop);
/* Release the capacity beyond what was loaded. */
void pop_fit(struct cl_pop *pop);
cl_err pop_wide(struct cl_pop *pop, int64_t v, int32_t *out);
uint64_t pop_hash(struct cl_bytes id);
/* Room for `more` insertions without rehashing (slots stay put). */
cl_err pop_index_reserve(struct cl_pop *pop, struct pop_index *x, size_t more);
/* Insert entry i (its id already stored): -1 and *slot, or the index of the entry with that id
 * (nothing inserted). */
int32_t pop_index_add(struct cl_pop *pop, struct pop_index *x, size_t i, size_t *slot);
/* Start fetching the slot where id's search begins: the record is parsed meanwhile. */
static inline void
pop_index_prefetch(const struct pop_index *x, struct cl_bytes id)
{
#if defined(__GNUC__) || defined(__clang__)
    if (x->cap > 0)
        __builtin_prefetch(&x->t[(size_t)pop_hash(id) & (x->cap - 1)]);
#else
    (void)x;
    (void)id;
#endif
}

/* Undo the latest insertions, last first. */
void pop_index_remove(struct pop_index *x, size_t slot);
int32_t pop_find_person_id(const struct cl_pop *pop, struct cl_bytes id);

static inline struct cl_bytes
pop_unpack(const struct cl_pop *pop, size_t h, uint32_t packed)
{
    const uint8_t *rec = pop->priv->text + pop->priv->hh_off[h];

    return cl_bytes_of(rec + (packed >> 8), packed & 0xff);
}

#endif /* CARDLESS_POP_INT_H */
