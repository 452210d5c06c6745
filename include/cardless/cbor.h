/*
 * cardless/cbor.h - CBOR (RFC 8949) for signed structures: a strict decoder that keeps every
 * item's exact received bytes, and a deterministic encoder (RFC 8949 §4.2.1).
 *
 * Why the received bytes: mdoc digests, COSE signatures and tag-24 embedded CBOR are computed
 * over bytes. Verification hashes item->raw, never a re-encoding. cl_cbor_encode() copies
 * an item's raw bytes verbatim when it has them, so a decoded structure re-emitted inside a
 * new one keeps its signatures valid.
 *
 * Memory: decoded and built items live in the arena passed in; input bytes are borrowed and
 * must outlive the items (raw and definite-length string contents point into them).
 * Errors: each function returns cl_err and fills *err; decoding errors name the byte offset.
 */
#ifndef CARDLESS_CBOR_H
#define CARDLESS_CBOR_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

enum cl_cbor_type {
    CL_CBOR_UINT = 0,   /* major type 0 */
    CL_CBOR_NEGINT = 1, /* major type 1: value is -1 - v.u */
    CL_CBOR_BYTES = 2,
    CL_CBOR_TEXT = 3,
    CL_CBOR_ARRAY = 4,
    CL_CBOR_MAP = 5,
    CL_CBOR_TAG = 6,
    CL_CBOR_SIMPLE = 7, /* false (20), true (21), null (22), undefined (23), other simple */
    CL_CBOR_FLOAT = 8,  /* half, single or double precision */
};

enum cl_cbor_simple {
    CL_CBOR_FALSE = 20,
    CL_CBOR_TRUE = 21,
    CL_CBOR_NULL = 22,
    CL_CBOR_UNDEFINED = 23,
};

/* Well-known tags */
#define CL_CBOR_TAG_TDATE 0        /* RFC 3339 date-time text */
#define CL_CBOR_TAG_EPOCH 1        /* seconds since the epoch */
#define CL_CBOR_TAG_EMBEDDED 24    /* encoded CBOR data item in a byte string */
#define CL_CBOR_TAG_DAYS 100       /* RFC 8943 days since 1970-01-01 */
#define CL_CBOR_TAG_FULLDATE 1004  /* RFC 8943 full-date text "YYYY-MM-DD" */

struct cl_cbor;
struct cl_cbor_pair;

struct cl_cbor {
    uint8_t type;       /* enum cl_cbor_type */
    bool indefinite;    /* received with indefinite length (array, map, string) */
    struct cl_bytes raw; /* exact encoding as received; {NULL,0} for items built here */
    size_t offset;      /* offset of raw in the outermost decoded input, for messages */
    union {
        uint64_t u;         /* UINT; NEGINT (value = -1 - u); SIMPLE (the simple value) */
        double f;           /* FLOAT */
        struct cl_bytes str; /* BYTES, TEXT: contents (indefinite chunks joined in the arena) */
        struct {
            struct cl_cbor *item;
            size_t n, cap;
        } array;
        struct {
            struct cl_cbor_pair *pair;
            size_t n, cap;
        } map;
        struct {
            uint64_t num;
            struct cl_cbor *item;
        } tag;
    } v;
};

struct cl_cbor_pair {
    struct cl_cbor key;
    struct cl_cbor value;
};

/* ---- decoding ---- */

enum cl_cbor_flags {
    CL_CBOR_REJECT_INDEFINITE = 1,   /* refuse indefinite-length items */
    CL_CBOR_REQUIRE_DETERMINISTIC = 2, /* refuse anything but RFC 8949 §4.2.1 encoding */
};

struct cl_cbor_limits {
    size_t max_bytes; /* largest input */
    unsigned max_depth; /* deepest nesting of arrays, maps and tags */
    size_t max_items; /* most data items in the input */
    unsigned flags;   /* enum cl_cbor_flags */
};

/** The defaults from cardless/limits.h. */
CL_API struct cl_cbor_limits cl_cbor_limits_default(void);

/**
 * Decode exactly one data item filling all of `in`. Strict: well-formedness per RFC 8949
 * appendix F, valid UTF-8 in text strings, no duplicate map keys (compared by encoding), no
 * trailing bytes, limits. lim NULL means the defaults.
 * @return CL_OK, CL_ERR_TRUNCATED, CL_ERR_INPUT, CL_ERR_ENCODING (UTF-8, non-deterministic),
 *         CL_ERR_DUPLICATE, CL_ERR_TOO_LARGE, CL_ERR_NOMEM; err->where is "offset N".
 */
CL_API CL_NODISCARD cl_err cl_cbor_decode(struct cl_arena *a, struct cl_bytes in,
                                          const struct cl_cbor_limits *lim,
                                          const struct cl_cbor **out, struct cl_error *err);
/** Decode one item from the front of `in` (a CBOR sequence); *used gets its length. */
CL_API CL_NODISCARD cl_err cl_cbor_decode_prefix(struct cl_arena *a, struct cl_bytes in,
                                                 const struct cl_cbor_limits *lim,
                                                 const struct cl_cbor **out, size_t *used,
                                                 struct cl_error *err);
/**
 * Decode the item embedded in a tag 24 (#6.24(bstr .cbor T)). `item` must be that tag around
 * a byte string; the result's raw is exactly the byte string's contents as received.
 */
CL_API CL_NODISCARD cl_err cl_cbor_decode_embedded(struct cl_arena *a, const struct cl_cbor *item,
                                                   const struct cl_cbor_limits *lim,
                                                   const struct cl_cbor **out,
                                                   struct cl_error *err);

/* ---- reading items (questions; NULL or false when absent or of another type) ---- */

CL_API const struct cl_cbor *cl_cbor_map_get_text(const struct cl_cbor *map, const char *key);
CL_API const struct cl_cbor *cl_cbor_map_get_int(const struct cl_cbor *map, int64_t key);
/** An integer (UINT or NEGINT) that fits int64_t. */
CL_API bool cl_cbor_get_int(const struct cl_cbor *item, int64_t *out);
CL_API bool cl_cbor_get_uint(const struct cl_cbor *item, uint64_t *out);
CL_API bool cl_cbor_get_bool(const struct cl_cbor *item, bool *out);
CL_API bool cl_cbor_is_null(const struct cl_cbor *item);
CL_API bool cl_cbor_is_text(const struct cl_cbor *item, const char *s);
/** The item inside tag `num`, or NULL when item is not that tag. */
CL_API const struct cl_cbor *cl_cbor_untag(const struct cl_cbor *item, uint64_t num);
/** full-date: tag 1004 around "YYYY-MM-DD", or tag 100 around an integer day count. */
CL_API CL_NODISCARD cl_err cl_cbor_get_fulldate(const struct cl_cbor *item, int32_t *days,
                                                struct cl_error *err);
/** tdate: tag 0 around an RFC 3339 text, or tag 1 around an integer. Seconds since epoch. */
CL_API CL_NODISCARD cl_err cl_cbor_get_tdate(const struct cl_cbor *item, int64_t *secs,
                                             struct cl_error *err);

/* ---- streaming encoder (appends to a latching cl_buf; check cl_buf_check once) ---- */

CL_API void cl_cbor_put_uint(struct cl_buf *b, uint64_t v);
CL_API void cl_cbor_put_int(struct cl_buf *b, int64_t v);
CL_API void cl_cbor_put_bytes(struct cl_buf *b, struct cl_bytes v);
CL_API void cl_cbor_put_text(struct cl_buf *b, struct cl_bytes utf8);
CL_API void cl_cbor_put_cstr(struct cl_buf *b, const char *utf8);
CL_API void cl_cbor_put_array(struct cl_buf *b, uint64_t n);
CL_API void cl_cbor_put_map(struct cl_buf *b, uint64_t n);
CL_API void cl_cbor_put_tag(struct cl_buf *b, uint64_t tag);
CL_API void cl_cbor_put_bool(struct cl_buf *b, bool v);
CL_API void cl_cbor_put_null(struct cl_buf *b);
CL_API void cl_cbor_put_undefined(struct cl_buf *b);
/** Shortest of half/single/double that keeps the value exactly (RFC 8949 §4.2.2). */
CL_API void cl_cbor_put_float(struct cl_buf *b, double v);
/** An already encoded item, verbatim. */
CL_API void cl_cbor_put_raw(struct cl_buf *b, struct cl_bytes encoded);
/** tag 1004 "YYYY-MM-DD" */
CL_API void cl_cbor_put_fulldate(struct cl_buf *b, int32_t days);
/** tag 0 "YYYY-MM-DDTHH:MM:SSZ" */
CL_API void cl_cbor_put_tdate(struct cl_buf *b, int64_t secs);

/* ---- trees: build items in an arena, encode deterministically ---- */

CL_API struct cl_cbor *cl_cbor_new_uint(struct cl_arena *a, uint64_t v);
CL_API struct cl_cbor *cl_cbor_new_int(struct cl_arena *a, int64_t v);
CL_API struct cl_cbor *cl_cbor_new_bytes(struct cl_arena *a, struct cl_bytes v); /* copies */
CL_API struct cl_cbor *cl_cbor_new_text(struct cl_arena *a, struct cl_bytes v);  /* copies */
CL_API struct cl_cbor *cl_cbor_new_cstr(struct cl_arena *a, const char *s);
CL_API struct cl_cbor *cl_cbor_new_bool(struct cl_arena *a, bool v);
CL_API struct cl_cbor *cl_cbor_new_null(struct cl_arena *a);
CL_API struct cl_cbor *cl_cbor_new_float(struct cl_arena *a, double v);
CL_API struct cl_cbor *cl_cbor_new_tag(struct cl_arena *a, uint64_t tag, const struct cl_cbor *item);
CL_API struct cl_cbor *cl_cbor_new_array(struct cl_arena *a);
CL_API struct cl_cbor *cl_cbor_new_map(struct cl_arena *a);
/** An item given by its encoding, emitted verbatim by cl_cbor_encode (not validated). */
CL_API struct cl_cbor *cl_cbor_new_raw(struct cl_arena *a, struct cl_bytes encoded);
/** #6.24(bstr) around the deterministic encoding of item. */
CL_API struct cl_cbor *cl_cbor_new_embedded(struct cl_arena *a, const struct cl_cbor *item);
/** Append a copy of *item (its children are shared, not copied). */
CL_API CL_NODISCARD cl_err cl_cbor_array_push(struct cl_arena *a, struct cl_cbor *array,
                                              const struct cl_cbor *item);
/** Add a key/value pair (copies of the two structs); keys are sorted at encoding. */
CL_API CL_NODISCARD cl_err cl_cbor_map_put(struct cl_arena *a, struct cl_cbor *map,
                                           const struct cl_cbor *key, const struct cl_cbor *value);

enum cl_cbor_enc_flags {
    CL_CBOR_ENC_IGNORE_RAW = 1, /* re-encode decoded items instead of copying their raw bytes */
};
/**
 * Append the deterministic encoding (RFC 8949 §4.2.1: preferred serialization, definite
 * lengths, map keys in bytewise order of their encodings) of item. Items with raw bytes are
 * copied verbatim unless CL_CBOR_ENC_IGNORE_RAW. Duplicate keys in a built map are
 * CL_ERR_DUPLICATE.
 */
CL_API CL_NODISCARD cl_err cl_cbor_encode(struct cl_buf *b, const struct cl_cbor *item,
                                          unsigned flags, struct cl_error *err);

/* ---- diagnostic notation (RFC 8949 §8), for people debugging interoperability ---- */

enum cl_cbor_diag_flags {
    CL_CBOR_DIAG_EXPAND_EMBEDDED = 1, /* show tag 24 contents decoded: 24(<<{...}>>) */
    CL_CBOR_DIAG_PRETTY = 2,          /* newlines and indentation */
};
CL_API CL_NODISCARD cl_err cl_cbor_diag(struct cl_buf *out, const struct cl_cbor *item,
                                        unsigned flags, struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_CBOR_H */
