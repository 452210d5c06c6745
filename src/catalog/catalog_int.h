/* catalog_int.h - what the catalog's files share: the catalog object and its hash indexes. */
#ifndef CARDLESS_CATALOG_INT_H
#define CARDLESS_CATALOG_INT_H

#include "cardless/catalog.h"

/* Open addressing on the key string; at most half full, so a probe ends at an empty slot. */
struct catalog_index {
    const struct cl_catalog_type **slot;
    size_t cap; /* 0 or a power of two */
    size_t n;
};

enum catalog_key { CATALOG_KEY_ID, CATALOG_KEY_DOCTYPE, CATALOG_KEY_VCT };

struct cl_catalog {
    struct cl_arena arena; /* every type, claim and string */
    struct cl_catalog_limits lim;
    const struct cl_catalog_type **types; /* load order (cl_malloc'd) */
    size_t ntypes, cap;
    struct catalog_index idx[3]; /* by enum catalog_key */
};

const struct cl_catalog_type *catalog_index_get(const struct cl_catalog *cat, enum catalog_key k,
                                                const char *key);
/* Add t to the type list and to each index where it has a key; the keys must be absent. */
cl_err catalog_add(struct cl_catalog *cat, const struct cl_catalog_type *t, struct cl_error *err);

/* Deepest nesting the value code follows in maps and arrays without a schema. */
#define CATALOG_GENERIC_DEPTH 32

/* Whether v is {"$b64": string}, the JSON form of a bstr. */
bool catalog_is_b64(const json_t *v);
/* Decode {"$b64": ...}: base64url (RFC 4648 §5, unpadded) first, then padded base64 (§4). */
cl_err catalog_b64_value(struct cl_buf *out, const json_t *v);

/** "an object", "a string", ... for messages about a JSON value of the wrong type. */
const char *catalog_json_kind(const json_t *v);

#endif /* CARDLESS_CATALOG_INT_H */
