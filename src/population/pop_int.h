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
    uint32_t *hidx; /* open addressing, index + 1, 0 = empty; size a power of two */
    size_t hidx_cap;
    uint32_t *pidx;
    size_t pidx_cap;
};

/* store.c */
cl_err pop_reserve(struct cl_pop *pop, size_t nh, size_t np);
cl_err pop_wide(struct cl_pop *pop, int64_t v, int32_t *out);
uint64_t pop_hash(struct cl_bytes id);
/* Insert household h (its id set) into the index; -1 when the id is there already, 0 ok,
 * CL_ERR_NOMEM as a positive value. Same for persons. */
int pop_index_household(struct cl_pop *pop, size_t h, int32_t *dup);
int pop_index_person(struct cl_pop *pop, size_t i, int32_t *dup);
int32_t pop_find_person_id(const struct cl_pop *pop, struct cl_bytes id);

static inline struct cl_bytes
pop_unpack(const struct cl_pop *pop, size_t h, uint32_t packed)
{
    const uint8_t *rec = pop->priv->text + pop->priv->hh_off[h];

    return cl_bytes_of(rec + (packed >> 8), packed & 0xff);
}

#endif /* CARDLESS_POP_INT_H */
