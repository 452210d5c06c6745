/*
 * encode.c - the deterministic CBOR encoder (RFC 8949 §4.2.1): streaming heads into a
 * latching cl_buf, and trees whose map keys are sorted by their encodings at output.
 * Heads are written here rather than with libcbor's cbor_encode_* so that one function
 * decides the shortest form and the latching buffer sees every byte.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"
#include "cardless/alloc.h"
#include "cardless/cbor.h"
#include "cardless/time.h"
#include "cbor/cbor_int.h"

int
cl_cbor__bytes_cmp(struct cl_bytes x, struct cl_bytes y)
{
    size_t n = x.len < y.len ? x.len : y.len;
    int c = n > 0 ? memcmp(x.ptr, y.ptr, n) : 0;

    if (c != 0)
        return c;
    return x.len < y.len ? -1 : x.len > y.len ? 1 : 0;
}

void
cl_cbor__put_head(struct cl_buf *b, unsigned major, uint64_t arg)
{
    uint8_t h[9];
    size_t n;

    major <<= 5;
    if (arg < 24) {
        h[0] = (uint8_t)(major | arg);
        n = 1;
    } else if (arg <= 0xff) {
        h[0] = (uint8_t)(major | 24);
        n = 2;
    } else if (arg <= 0xffff) {
        h[0] = (uint8_t)(major | 25);
        n = 3;
    } else if (arg <= 0xffffffff) {
        h[0] = (uint8_t)(major | 26);
        n = 5;
    } else {
        h[0] = (uint8_t)(major | 27);
        n = 9;
    }
    for (size_t i = 1; i < n && n > 1; i++)
        h[i] = (uint8_t)(arg >> (8 * (n - 1 - i)));
    cl_buf_append(b, h, n);
}

static uint64_t
double_bits(double v)
{
    uint64_t b;

    memcpy(&b, &v, sizeof b);
    return b;
}

/* Whether the low n bits of m are zero. */
static bool
low_zero(uint64_t m, unsigned n)
{
    return n >= 64 ? m == 0 : (m & (((uint64_t)1 << n) - 1)) == 0;
}

unsigned
cl_cbor__float_width(double v)
{
    uint64_t b = double_bits(v), mant = b & (((uint64_t)1 << 52) - 1);
    int exp = (int)((b >> 52) & 0x7ff);
    int e = exp - 1023;

    if (exp == 0x7ff || (exp == 0 && mant == 0)) /* infinities, NaN, zeros */
        return 2;
    if (exp == 0) /* double subnormals are below every single */
        return 8;
    /* half: normals 2^-14..2^15 with 10 mantissa bits; subnormals down to 2^-24 */
    if (e >= -14 && e <= 15 && low_zero(mant, 42))
        return 2;
    if (e >= -24 && e < -14 && low_zero(mant, (unsigned)(42 + (-14 - e))))
        return 2;
    /* single: normals 2^-126..2^127 with 23 mantissa bits; subnormals down to 2^-149 */
    if (e >= -126 && e <= 127 && low_zero(mant, 29))
        return 4;
    if (e >= -149 && e < -126 && low_zero(mant, (unsigned)(29 + (-126 - e))))
        return 4;
    return 8;
}

uint64_t
cl_cbor__float_bits(double v, unsigned width)
{
    uint64_t b = double_bits(v), mant = b & (((uint64_t)1 << 52) - 1);
    uint64_t sign = b >> 63;
    int exp = (int)((b >> 52) & 0x7ff);
    int e = exp - 1023;

    if (width == 8)
        return b;
    if (width == 4) {
        if (exp == 0x7ff)
            return sign << 31 | 0x7f800000u | (mant != 0 ? 0x400000u | (mant >> 29) : 0);
        if (exp == 0 && mant == 0)
            return sign << 31;
        if (e >= -126)
            return sign << 31 | (uint64_t)(e + 127) << 23 | mant >> 29;
        return sign << 31 | (mant | (uint64_t)1 << 52) >> (29 + (-126 - e));
    }
    if (exp == 0x7ff)
        return mant != 0 ? 0x7e00 : (sign << 15 | 0x7c00); /* RFC 8949 §4.2.2: NaN 0x7e00 */
    if (exp == 0 && mant == 0)
        return sign << 15;
    if (e >= -14)
        return sign << 15 | (uint64_t)(e + 15) << 10 | mant >> 42;
    return sign << 15 | (mant | (uint64_t)1 << 52) >> (42 + (-14 - e));
}

double
cl_cbor__half_to_double(uint16_t h)
{
    uint64_t sign = (uint64_t)(h >> 15) << 63, mant = h & 0x3ff, b;
    unsigned exp = (h >> 10) & 0x1f;
    double v;

    if (exp == 0) { /* subnormal: mant * 2^-24, exact in a double */
        v = (double)mant / 16777216.0;
        return sign != 0 ? -v : v;
    }
    if (exp == 31)
        b = sign | (uint64_t)0x7ff << 52 | mant << 42;
    else
        b = sign | (uint64_t)(exp - 15 + 1023) << 52 | mant << 42;
    memcpy(&v, &b, sizeof v);
    return v;
}

/* ---- streaming ---- */

void
cl_cbor_put_uint(struct cl_buf *b, uint64_t v)
{
    cl_cbor__put_head(b, MT_UINT, v);
}

void
cl_cbor_put_int(struct cl_buf *b, int64_t v)
{
    if (v >= 0)
        cl_cbor__put_head(b, MT_UINT, (uint64_t)v);
    else
        cl_cbor__put_head(b, MT_NEGINT, (uint64_t)(-(v + 1))); /* -1 - v, without overflow */
}

void
cl_cbor_put_bytes(struct cl_buf *b, struct cl_bytes v)
{
    cl_cbor__put_head(b, MT_BYTES, v.len);
    cl_buf_append_bytes(b, v);
}

void
cl_cbor_put_text(struct cl_buf *b, struct cl_bytes utf8)
{
    cl_cbor__put_head(b, MT_TEXT, utf8.len);
    cl_buf_append_bytes(b, utf8);
}

void
cl_cbor_put_cstr(struct cl_buf *b, const char *utf8)
{
    cl_cbor_put_text(b, cl_bytes_str(utf8));
}

void
cl_cbor_put_array(struct cl_buf *b, uint64_t n)
{
    cl_cbor__put_head(b, MT_ARRAY, n);
}

void
cl_cbor_put_map(struct cl_buf *b, uint64_t n)
{
    cl_cbor__put_head(b, MT_MAP, n);
}

void
cl_cbor_put_tag(struct cl_buf *b, uint64_t tag)
{
    cl_cbor__put_head(b, MT_TAG, tag);
}

void
cl_cbor_put_bool(struct cl_buf *b, bool v)
{
    cl_buf_append_byte(b, v ? 0xf5 : 0xf4);
}

void
cl_cbor_put_null(struct cl_buf *b)
{
    cl_buf_append_byte(b, 0xf6);
}

void
cl_cbor_put_undefined(struct cl_buf *b)
{
    cl_buf_append_byte(b, 0xf7);
}

void
cl_cbor_put_float(struct cl_buf *b, double v)
{
    unsigned width = cl_cbor__float_width(v);
    uint64_t bits = cl_cbor__float_bits(v, width);
    uint8_t h[9];

    h[0] = width == 2 ? 0xf9 : width == 4 ? 0xfa : 0xfb;
    for (unsigned i = 0; i < width; i++)
        h[1 + i] = (uint8_t)(bits >> (8 * (width - 1 - i)));
    cl_buf_append(b, h, 1 + width);
}

void
cl_cbor_put_raw(struct cl_buf *b, struct cl_bytes encoded)
{
    cl_buf_append_bytes(b, encoded);
}

void
cl_cbor_put_fulldate(struct cl_buf *b, int32_t days)
{
    char s[11];

    cl_date_format(days, s);
    cl_cbor_put_tag(b, CL_CBOR_TAG_FULLDATE);
    cl_cbor_put_cstr(b, s);
}

void
cl_cbor_put_tdate(struct cl_buf *b, int64_t secs)
{
    char s[21];

    cl_rfc3339_format(secs, s);
    cl_cbor_put_tag(b, CL_CBOR_TAG_TDATE);
    cl_cbor_put_cstr(b, s);
}

/* ---- trees ---- */

static struct cl_cbor *
new_item(struct cl_arena *a, uint8_t type)
{
    struct cl_cbor *c = cl_arena_zalloc(a, sizeof *c);

    if (c != NULL)
        c->type = type;
    return c;
}

struct cl_cbor *
cl_cbor_new_uint(struct cl_arena *a, uint64_t v)
{
    struct cl_cbor *c = new_item(a, CL_CBOR_UINT);

    if (c != NULL)
        c->v.u = v;
    return c;
}

struct cl_cbor *
cl_cbor_new_int(struct cl_arena *a, int64_t v)
{
    struct cl_cbor *c = new_item(a, v >= 0 ? CL_CBOR_UINT : CL_CBOR_NEGINT);

    if (c != NULL)
        c->v.u = v >= 0 ? (uint64_t)v : (uint64_t)(-(v + 1));
    return c;
}

static struct cl_cbor *
new_string(struct cl_arena *a, uint8_t type, struct cl_bytes v)
{
    struct cl_cbor *c = new_item(a, type);
    uint8_t *p;

    if (c == NULL)
        return NULL;
    p = cl_arena_alloc(a, v.len);
    if (p == NULL)
        return NULL;
    if (v.len > 0)
        memcpy(p, v.ptr, v.len);
    c->v.str = cl_bytes_of(p, v.len);
    return c;
}

struct cl_cbor *
cl_cbor_new_bytes(struct cl_arena *a, struct cl_bytes v)
{
    return new_string(a, CL_CBOR_BYTES, v);
}

struct cl_cbor *
cl_cbor_new_text(struct cl_arena *a, struct cl_bytes v)
{
    return new_string(a, CL_CBOR_TEXT, v);
}

struct cl_cbor *
cl_cbor_new_cstr(struct cl_arena *a, const char *s)
{
    return new_string(a, CL_CBOR_TEXT, cl_bytes_str(s));
}

struct cl_cbor *
cl_cbor_new_bool(struct cl_arena *a, bool v)
{
    struct cl_cbor *c = new_item(a, CL_CBOR_SIMPLE);

    if (c != NULL)
        c->v.u = v ? CL_CBOR_TRUE : CL_CBOR_FALSE;
    return c;
}

struct cl_cbor *
cl_cbor_new_null(struct cl_arena *a)
{
    struct cl_cbor *c = new_item(a, CL_CBOR_SIMPLE);

    if (c != NULL)
        c->v.u = CL_CBOR_NULL;
    return c;
}

struct cl_cbor *
cl_cbor_new_float(struct cl_arena *a, double v)
{
    struct cl_cbor *c = new_item(a, CL_CBOR_FLOAT);

    if (c != NULL)
        c->v.f = v;
    return c;
}

struct cl_cbor *
cl_cbor_new_tag(struct cl_arena *a, uint64_t tag, const struct cl_cbor *item)
{
    struct cl_cbor *c;

    if (item == NULL)
        return NULL;
    c = new_item(a, CL_CBOR_TAG);
    if (c != NULL) {
        c->v.tag.num = tag;
        c->v.tag.item = (struct cl_cbor *)item;
    }
    return c;
}

struct cl_cbor *
cl_cbor_new_array(struct cl_arena *a)
{
    return new_item(a, CL_CBOR_ARRAY);
}

struct cl_cbor *
cl_cbor_new_map(struct cl_arena *a)
{
    return new_item(a, CL_CBOR_MAP);
}

struct cl_cbor *
cl_cbor_new_raw(struct cl_arena *a, struct cl_bytes encoded)
{
    struct cl_cbor *c;
    struct cl_bytes copy;
    unsigned major;

    if (encoded.len == 0)
        return NULL;
    major = encoded.ptr[0] >> 5;
    c = new_item(a, major == MT_SIMPLE
                        ? ((encoded.ptr[0] & 0x1f) >= 25 && (encoded.ptr[0] & 0x1f) <= 27
                               ? CL_CBOR_FLOAT
                               : CL_CBOR_SIMPLE)
                        : (uint8_t)major);
    if (c == NULL)
        return NULL;
    copy = cl_arena_copy(a, encoded);
    if (copy.ptr == NULL)
        return NULL;
    c->raw = copy;
    c->offset = CBOR_OFFSET_RAW_ONLY;
    return c;
}

struct cl_cbor *
cl_cbor_new_embedded(struct cl_arena *a, const struct cl_cbor *item)
{
    struct cl_buf b;
    struct cl_cbor *bstr = NULL;

    if (item == NULL)
        return NULL;
    cl_buf_init(&b);
    if (cl_cbor_encode(&b, item, 0, NULL) == CL_OK)
        bstr = cl_cbor_new_bytes(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return bstr != NULL ? cl_cbor_new_tag(a, CL_CBOR_TAG_EMBEDDED, bstr) : NULL;
}

static cl_err
built_fail(struct cl_arena *a)
{
    return a->err != CL_OK ? a->err : CL_ERR_NOMEM;
}

cl_err
cl_cbor_array_push(struct cl_arena *a, struct cl_cbor *array, const struct cl_cbor *item)
{
    if (array == NULL || item == NULL)
        return a->err != CL_OK ? a->err : CL_ERR_USAGE;
    if (array->type != CL_CBOR_ARRAY || cl_cbor__has_raw(array))
        return CL_ERR_USAGE;
    if (array->v.array.n == array->v.array.cap) {
        size_t ncap = array->v.array.cap == 0 ? 4 : array->v.array.cap * 2;
        struct cl_cbor *p = cl_arena_calloc(a, ncap, sizeof *p);

        if (p == NULL)
            return built_fail(a);
        if (array->v.array.n > 0)
            memcpy(p, array->v.array.item, array->v.array.n * sizeof *p);
        array->v.array.item = p;
        array->v.array.cap = ncap;
    }
    array->v.array.item[array->v.array.n++] = *item;
    return CL_OK;
}

cl_err
cl_cbor_map_put(struct cl_arena *a, struct cl_cbor *map, const struct cl_cbor *key,
                const struct cl_cbor *value)
{
    if (map == NULL || key == NULL || value == NULL)
        return a->err != CL_OK ? a->err : CL_ERR_USAGE;
    if (map->type != CL_CBOR_MAP || cl_cbor__has_raw(map))
        return CL_ERR_USAGE;
    if (map->v.map.n == map->v.map.cap) {
        size_t ncap = map->v.map.cap == 0 ? 4 : map->v.map.cap * 2;
        struct cl_cbor_pair *p = cl_arena_calloc(a, ncap, sizeof *p);

        if (p == NULL)
            return built_fail(a);
        if (map->v.map.n > 0)
            memcpy(p, map->v.map.pair, map->v.map.n * sizeof *p);
        map->v.map.pair = p;
        map->v.map.cap = ncap;
    }
    map->v.map.pair[map->v.map.n].key = *key;
    map->v.map.pair[map->v.map.n].value = *value;
    map->v.map.n++;
    return CL_OK;
}

/* ---- tree encoding ---- */

static cl_err encode(struct cl_buf *b, const struct cl_cbor *item, unsigned flags, unsigned depth,
                     struct cl_error *err);

struct enc_pair {
    size_t key, key_len; /* in the scratch buffer */
    size_t len;          /* key and value */
    struct cl_bytes kv;  /* the key's encoding, once the scratch buffer stops moving */
};

static int
cmp_pairs(const void *x, const void *y)
{
    const struct enc_pair *px = x, *py = y;

    return cl_cbor__bytes_cmp(px->kv, py->kv);
}

/*
 * A map: every pair encoded into scratch memory, then emitted in the bytewise order of the
 * key encodings (RFC 8949 §4.2.1); equal encodings are duplicate keys.
 */
static cl_err
encode_map(struct cl_buf *b, const struct cl_cbor *map, unsigned flags, unsigned depth,
           struct cl_error *err)
{
    size_t n = map->v.map.n;
    struct cl_buf tmp;
    struct enc_pair *pairs = NULL;
    cl_err rc = CL_OK;

    cl_buf_init(&tmp);
    if (n > 0 && (pairs = cl_calloc(n, sizeof *pairs)) == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory encoding a CBOR map");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        size_t at = tmp.len;

        pairs[i].key = at;
        if ((rc = encode(&tmp, &map->v.map.pair[i].key, flags, depth + 1, err)) != CL_OK)
            goto out;
        pairs[i].key_len = tmp.len - at;
        if ((rc = encode(&tmp, &map->v.map.pair[i].value, flags, depth + 1, err)) != CL_OK)
            goto out;
        pairs[i].len = tmp.len - at;
    }
    if ((rc = cl_buf_check(&tmp, "CBOR map", err)) != CL_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        pairs[i].kv = cl_bytes_of(tmp.ptr + pairs[i].key, pairs[i].key_len);
    if (n > 1)
        qsort(pairs, n, sizeof *pairs, cmp_pairs);
    for (size_t i = 1; i < n; i++) {
        if (cmp_pairs(&pairs[i - 1], &pairs[i]) == 0) {
            rc = cl_fail(err, CL_ERR_DUPLICATE, NULL, "duplicate key in a CBOR map");
            goto out;
        }
    }
    cl_cbor__put_head(b, MT_MAP, n);
    for (size_t i = 0; i < n; i++)
        cl_buf_append(b, tmp.ptr + pairs[i].key, pairs[i].len);
out:
    cl_free(pairs);
    cl_buf_fini(&tmp);
    return rc;
}

static cl_err
encode(struct cl_buf *b, const struct cl_cbor *item, unsigned flags, unsigned depth,
       struct cl_error *err)
{
    cl_err rc;

    if (item == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "NULL CBOR item");
    if (depth > CBOR_WALK_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, NULL, "CBOR item nested too deeply to encode");
    if (cl_cbor__has_raw(item) &&
        (!(flags & CL_CBOR_ENC_IGNORE_RAW) || item->offset == CBOR_OFFSET_RAW_ONLY)) {
        cl_buf_append_bytes(b, item->raw);
        return CL_OK;
    }
    switch (item->type) {
    case CL_CBOR_UINT:
    case CL_CBOR_NEGINT:
        cl_cbor__put_head(b, item->type == CL_CBOR_UINT ? MT_UINT : MT_NEGINT, item->v.u);
        return CL_OK;
    case CL_CBOR_BYTES:
    case CL_CBOR_TEXT:
        cl_cbor__put_head(b, item->type == CL_CBOR_BYTES ? MT_BYTES : MT_TEXT, item->v.str.len);
        cl_buf_append_bytes(b, item->v.str);
        return CL_OK;
    case CL_CBOR_ARRAY:
        cl_cbor__put_head(b, MT_ARRAY, item->v.array.n);
        for (size_t i = 0; i < item->v.array.n; i++)
            if ((rc = encode(b, &item->v.array.item[i], flags, depth + 1, err)) != CL_OK)
                return rc;
        return CL_OK;
    case CL_CBOR_MAP:
        return encode_map(b, item, flags, depth, err);
    case CL_CBOR_TAG:
        cl_cbor__put_head(b, MT_TAG, item->v.tag.num);
        return encode(b, item->v.tag.item, flags, depth + 1, err);
    case CL_CBOR_SIMPLE:
        /* RFC 8949 §3.3: 24..31 have no encoding */
        if (item->v.u > 255 || (item->v.u >= 24 && item->v.u < 32))
            return cl_fail(err, CL_ERR_USAGE, NULL, "simple value %u cannot be encoded",
                           (unsigned)(item->v.u & 0xffff));
        if (item->v.u < 24)
            cl_buf_append_byte(b, (uint8_t)(0xe0 | item->v.u));
        else
            cl_buf_append(b, (const uint8_t[]){0xf8, (uint8_t)item->v.u}, 2);
        return CL_OK;
    case CL_CBOR_FLOAT:
        cl_cbor_put_float(b, item->v.f);
        return CL_OK;
    default:
        return cl_fail(err, CL_ERR_USAGE, NULL, "CBOR item of unknown type %u", item->type);
    }
}

cl_err
cl_cbor_encode(struct cl_buf *b, const struct cl_cbor *item, unsigned flags, struct cl_error *err)
{
    size_t before = b->len;
    cl_err rc = encode(b, item, flags, 0, err);

    if (rc == CL_OK)
        return cl_buf_check(b, "CBOR encoding", err);
    if (b->err == CL_OK) /* drop the partial item; the buffer stays usable */
        b->len = before;
    return rc;
}
