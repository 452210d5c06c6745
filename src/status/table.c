/* table.c - the issuer's working list: entries, a used-index bitmap, random unused index
 * allocation (draft §12.6), the LIST.json working file and ZLIB compression. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "status/status_int.h"

#include "base/banned.h"

#define TABLE_FORMAT "cardless-status-table/1"

struct cl_status_table {
    unsigned bits;
    uint64_t size;       /* entries */
    size_t lst_len;      /* ceil(size * bits / 8) */
    uint8_t *lst;        /* entries in draft §4.1 order */
    size_t used_words;   /* ceil(size / 64) */
    uint64_t *used;      /* bit i of word i/64: index i is allocated */
    uint64_t used_count; /* popcount of used */
};

cl_err
cl_status_table_new(unsigned bits, uint64_t size, struct cl_status_table **out,
                    struct cl_error *err)
{
    struct cl_status_table *t;

    *out = NULL;
    if (!status_bits_ok(bits))
        return cl_fail(err, CL_ERR_USAGE, "bits", "bits must be 1, 2, 4 or 8");
    if (size == 0 || size > CL_STATUS_ENTRIES_MAX)
        return cl_fail(err, CL_ERR_USAGE, "size", "size must be 1 to %llu entries",
                       (unsigned long long)CL_STATUS_ENTRIES_MAX);
    t = cl_calloc(1, sizeof *t);
    if (t == NULL)
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    t->bits = bits;
    t->size = size;
    t->lst_len = (size_t)((size * bits + 7) / 8);
    t->used_words = (size_t)((size + 63) / 64);
    t->lst = cl_calloc(t->lst_len, 1);
    t->used = cl_calloc(t->used_words, sizeof *t->used);
    if (t->lst == NULL || t->used == NULL) {
        cl_status_table_free(t);
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    }
    *out = t;
    return CL_OK;
}

void
cl_status_table_free(struct cl_status_table *t)
{
    if (t == NULL)
        return;
    cl_free(t->lst);
    cl_free(t->used);
    cl_free(t);
}

unsigned
cl_status_table_bits(const struct cl_status_table *t)
{
    return t->bits;
}

uint64_t
cl_status_table_size(const struct cl_status_table *t)
{
    return t->size;
}

uint64_t
cl_status_table_used(const struct cl_status_table *t)
{
    return t->used_count;
}

bool
cl_status_table_is_used(const struct cl_status_table *t, uint64_t idx)
{
    return idx < t->size && ((t->used[idx / 64] >> (idx % 64)) & 1u);
}

cl_err
cl_status_table_set(struct cl_status_table *t, uint64_t idx, unsigned value, struct cl_error *err)
{
    if (idx >= t->size)
        return cl_fail(err, CL_ERR_USAGE, "index",
                       "index %llu is out of range: the list has %llu entries",
                       (unsigned long long)idx, (unsigned long long)t->size);
    if (value >= (1u << t->bits))
        return cl_fail(err, CL_ERR_USAGE, "value", "value %u does not fit in %u bits", value,
                       t->bits);
    status_bits_set(t->lst, t->bits, idx, value);
    return CL_OK;
}

cl_err
cl_status_table_get(const struct cl_status_table *t, uint64_t idx, unsigned *value,
                    struct cl_error *err)
{
    if (idx >= t->size)
        return cl_fail(err, CL_ERR_USAGE, "index",
                       "index %llu is out of range: the list has %llu entries",
                       (unsigned long long)idx, (unsigned long long)t->size);
    *value = status_bits_get(t->lst, t->bits, idx);
    return CL_OK;
}

/* The unused bits of word w (bits past size count as used). */
static uint64_t
free_mask(const struct cl_status_table *t, size_t w)
{
    uint64_t m = ~t->used[w];

    if (w == t->used_words - 1 && t->size % 64 != 0)
        m &= ((uint64_t)1 << (t->size % 64)) - 1;
    return m;
}

cl_err
cl_status_alloc_index(struct cl_status_table *t, uint64_t *idx, struct cl_error *err)
{
    uint64_t r;
    cl_err rc;

    if (t->used_count >= t->size)
        return cl_fail(err, CL_ERR_TOO_LARGE, "list", "every index of the list is allocated");
    /* Uniform among the unused: the r-th free index for r uniform in [0, free). */
    rc = cl_random_below(t->size - t->used_count, &r, err);
    if (rc != CL_OK)
        return rc;
    for (size_t w = 0; w < t->used_words; w++) {
        uint64_t m = free_mask(t, w);
        unsigned n = (unsigned)__builtin_popcountll(m);

        if (r >= n) {
            r -= n;
            continue;
        }
        while (r-- > 0)
            m &= m - 1; /* drop the lowest free bit r times */
        *idx = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(m);
        t->used[w] |= m & (~m + 1);
        t->used_count++;
        return CL_OK;
    }
    return cl_fail(err, CL_ERR_INTERNAL, "list", "used-index count does not match the bitmap");
}

/* The used bitmap as bytes, LSB first (index i in byte i/8, bit i%8). */
static void
used_bytes(const struct cl_status_table *t, uint8_t *out, size_t n)
{
    for (size_t j = 0; j < n; j++)
        out[j] = (uint8_t)(t->used[j / 8] >> (8 * (j % 8)));
}

cl_err
cl_status_table_save(const struct cl_status_table *t, struct cl_buf *out, struct cl_error *err)
{
    struct cl_buf lst, used;
    size_t n = (size_t)((t->size + 7) / 8);
    json_t *o = NULL;
    char *s = NULL;
    uint8_t *ub;
    cl_err rc;

    cl_buf_init(&lst);
    cl_buf_init(&used);
    ub = cl_malloc(n);
    if (ub == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
        goto out;
    }
    used_bytes(t, ub, n);
    cl_b64url_encode(&lst, cl_bytes_of(t->lst, t->lst_len));
    cl_b64url_encode(&used, cl_bytes_of(ub, n));
    cl_buf_append_byte(&lst, 0);
    cl_buf_append_byte(&used, 0);
    if ((rc = cl_buf_check(&lst, "lst", err)) != CL_OK ||
        (rc = cl_buf_check(&used, "used", err)) != CL_OK)
        goto out;
    o = json_pack("{s:s,s:I,s:I,s:I,s:s,s:s}", "format", TABLE_FORMAT, "bits", (json_int_t)t->bits,
                  "size", (json_int_t)t->size, "used_count", (json_int_t)t->used_count, "lst",
                  (const char *)lst.ptr, "used", (const char *)used.ptr);
    s = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (s == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
        goto out;
    }
    cl_buf_append_str(out, s);
    cl_buf_append_byte(out, '\n');
    rc = cl_buf_check(out, "list file", err);
out:
    free(s);
    json_decref(o);
    cl_free(ub);
    cl_buf_fini(&lst);
    cl_buf_fini(&used);
    return rc;
}

static cl_err
get_uint(const json_t *o, const char *name, uint64_t *out, struct cl_error *err)
{
    const json_t *j = json_object_get(o, name);

    if (j == NULL)
        return cl_fail(err, CL_ERR_MISSING, name, "%s is missing", name);
    if (!json_is_integer(j) || json_integer_value(j) < 0)
        return cl_fail(err, CL_ERR_INPUT, name, "%s is not a non-negative integer", name);
    *out = (uint64_t)json_integer_value(j);
    return CL_OK;
}

static cl_err
get_b64(struct cl_arena *a, const json_t *o, const char *name, size_t want, struct cl_bytes *out,
        struct cl_error *err)
{
    const json_t *j = json_object_get(o, name);
    cl_err rc;

    if (j == NULL)
        return cl_fail(err, CL_ERR_MISSING, name, "%s is missing", name);
    if (!json_is_string(j))
        return cl_fail(err, CL_ERR_INPUT, name, "%s is not a string", name);
    rc = cl_b64url_decode_arena(a, cl_bytes_of(json_string_value(j), json_string_length(j)), out,
                                err);
    if (rc != CL_OK) {
        cl_error_nest(err, name);
        return rc;
    }
    if (out->len != want)
        return cl_fail(err, CL_ERR_INPUT, name, "%s has %zu bytes, the size needs %zu", name,
                       out->len, want);
    return CL_OK;
}

cl_err
cl_status_table_load(struct cl_bytes json, struct cl_status_table **out, struct cl_error *err)
{
    struct cl_json_limits jl = {CL_LIMIT_FILE_MAX, 4};
    struct cl_status_table *t = NULL;
    struct cl_arena a;
    struct cl_bytes lst, used;
    uint64_t bits = 0, size = 0, used_count = 0, count = 0;
    const json_t *fmt;
    json_t *o;
    cl_err rc;

    *out = NULL;
    cl_arena_init(&a, 0, 0, 0);
    rc = cl_jose_json_parse(&a, json, &jl, "list file", &o, err);
    if (rc != CL_OK)
        goto out;
    fmt = json_object_get(o, "format");
    if (!json_is_object(o) || !json_is_string(fmt) ||
        strcmp(json_string_value(fmt), TABLE_FORMAT) != 0) {
        rc = cl_fail(err, CL_ERR_INPUT, "format", "not a %s list file", TABLE_FORMAT);
        goto out;
    }
    if ((rc = get_uint(o, "bits", &bits, err)) != CL_OK ||
        (rc = get_uint(o, "size", &size, err)) != CL_OK ||
        (rc = get_uint(o, "used_count", &used_count, err)) != CL_OK)
        goto out;
    if (!status_bits_ok(bits) || size == 0 || size > CL_STATUS_ENTRIES_MAX) {
        rc = cl_fail(err, CL_ERR_INPUT, "size", "bits or size out of range");
        goto out;
    }
    rc = cl_status_table_new((unsigned)bits, size, &t, err);
    if (rc != CL_OK)
        goto out;
    if ((rc = get_b64(&a, o, "lst", t->lst_len, &lst, err)) != CL_OK ||
        (rc = get_b64(&a, o, "used", (size_t)((size + 7) / 8), &used, err)) != CL_OK)
        goto out;
    memcpy(t->lst, lst.ptr, lst.len);
    for (size_t j = 0; j < used.len; j++)
        t->used[j / 8] |= (uint64_t)used.ptr[j] << (8 * (j % 8));
    if (size % 64 != 0 && (t->used[t->used_words - 1] >> (size % 64)) != 0) {
        rc = cl_fail(err, CL_ERR_INPUT, "used", "used marks indices past the size");
        goto out;
    }
    for (size_t w = 0; w < t->used_words; w++)
        count += (uint64_t)__builtin_popcountll(t->used[w]);
    if (count != used_count) {
        rc = cl_fail(err, CL_ERR_INPUT, "used_count", "used_count does not match the bitmap");
        goto out;
    }
    t->used_count = count;
    *out = t;
    t = NULL;
out:
    cl_status_table_free(t);
    cl_arena_fini(&a);
    return rc;
}

cl_err
cl_status_table_compress(const struct cl_status_table *t, struct cl_buf *out, struct cl_error *err)
{
    uLongf n = compressBound((uLong)t->lst_len);
    size_t before = out->len;
    uint8_t *dst = cl_buf_extend(out, n);

    if (dst == NULL)
        return cl_buf_check(out, "compressed list", err);
    /* level 9, as the draft's examples (header 78 da) */
    if (compress2(dst, &n, t->lst, (uLong)t->lst_len, Z_BEST_COMPRESSION) != Z_OK) {
        out->len = before;
        return cl_fail(err, CL_ERR_INTERNAL, "lst", "zlib cannot compress the list");
    }
    out->len = before + n;
    return CL_OK;
}
