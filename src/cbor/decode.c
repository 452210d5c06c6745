/*
 * decode.c - the strict CBOR decoder (RFC 8949): one item, every item keeping its exact
 * received bytes (raw) and offset, with an explicit stack no deeper than max_depth.
 *
 * Why not libcbor's cbor_stream_decode(): libcbor 0.8 (Debian 12) refuses well-formed simple
 * values it has no callback for: 0xf0..0xf3 (simple(16..19)) and 0xf8 nn (simple(32..255)),
 * both in RFC 8949 appendix A, so a reader built on it would reject valid input. Heads are
 * simple enough (RFC 8949 §3) that reading them here is shorter than working around it, and
 * it lets the reader see non-minimal arguments directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"
#include "cardless/alloc.h"
#include "cardless/cbor.h"
#include "cardless/codec.h"
#include "cardless/limits.h"
#include "cbor/cbor_int.h"

struct head {
    unsigned major;  /* 0..7 */
    unsigned ai;     /* additional information, 0..31 */
    uint64_t arg;    /* argument; for floats, the bits */
    bool indefinite; /* ai 31 (for major 7: the break) */
};

struct frame {
    struct cl_cbor *c; /* array, map or tag being filled */
    uint64_t want;     /* definite: child slots in all (maps: 2 per pair) */
    uint64_t have;     /* child slots handed out */
    size_t start;      /* position of c's head */
};

struct dec {
    struct cl_arena *a;
    const uint8_t *p; /* input */
    size_t len;       /* input length seen (at most max_bytes) */
    size_t full;      /* input length given, to tell truncation from size */
    size_t pos;
    size_t base; /* offset of p in the outermost input, for messages */
    struct cl_cbor_limits lim;
    size_t items;
    struct frame *stack;
    unsigned depth, cap;
    struct cl_error *err;
};

struct cl_cbor_limits
cl_cbor_limits_default(void)
{
    struct cl_cbor_limits l;

    l.max_bytes = CL_LIMIT_CBOR_BYTES;
    l.max_depth = CL_LIMIT_CBOR_DEPTH;
    l.max_items = CL_LIMIT_CBOR_ITEMS;
    l.flags = 0;
    return l;
}

static cl_err
fail_at(struct dec *d, cl_err code, size_t pos, const char *what)
{
    char where[40];

    snprintf(where, sizeof where, "offset %zu", d->base + pos);
    return cl_fail(d->err, code, where, "%s", what);
}

/* Out of input at pos: truncated, unless the input was cut at max_bytes. */
static cl_err
fail_short(struct dec *d, size_t pos, const char *what)
{
    if (d->full > d->len)
        return fail_at(d, CL_ERR_TOO_LARGE, pos, "item is longer than the byte limit");
    return fail_at(d, CL_ERR_TRUNCATED, pos, what);
}

static cl_err
fail_nomem(struct dec *d, size_t pos)
{
    cl_err code = d->a->err != CL_OK ? d->a->err : CL_ERR_NOMEM;

    return fail_at(d, code, pos,
                   code == CL_ERR_NOMEM ? "out of memory decoding CBOR"
                                        : "arena limit reached decoding CBOR");
}

static bool
deterministic(const struct dec *d)
{
    return (d->lim.flags & CL_CBOR_REQUIRE_DETERMINISTIC) != 0;
}

/* One head at d->pos (RFC 8949 §3): initial byte and argument, checked for well-formedness. */
static cl_err
read_head(struct dec *d, struct head *h)
{
    size_t start = d->pos, n;
    uint8_t ib;

    if (d->pos >= d->len)
        return fail_short(d, start, "input ends where a data item should start");
    ib = d->p[d->pos++];
    h->major = ib >> 5;
    h->ai = ib & 0x1f;
    h->arg = h->ai;
    h->indefinite = false;
    if (h->ai < 24)
        return CL_OK;
    if (h->ai >= 28 && h->ai <= 30) /* RFC 8949 §3: reserved, not well-formed */
        return fail_at(d, CL_ERR_INPUT, start, "reserved additional information 28-30");
    if (h->ai == 31) {
        /* RFC 8949 §3.2: indefinite only for strings, arrays, maps; 0xff is the break */
        if (h->major < MT_BYTES || h->major == MT_TAG)
            return fail_at(d, CL_ERR_INPUT, start, "indefinite length on an integer or tag");
        h->indefinite = true;
        return CL_OK;
    }
    n = (size_t)1 << (h->ai - 24);
    if (n > d->len - d->pos)
        return fail_short(d, start, "input ends inside a data item head");
    h->arg = 0;
    for (size_t i = 0; i < n; i++)
        h->arg = h->arg << 8 | d->p[d->pos + i];
    d->pos += n;
    if (h->major == MT_SIMPLE) {
        /* RFC 8949 §3.3: simple values below 32 in the two-byte form are not well-formed */
        if (h->ai == 24 && h->arg < 32)
            return fail_at(d, CL_ERR_INPUT, start, "simple value below 32 in two-byte form");
        return CL_OK; /* floats: minimality is a question of value, checked by the caller */
    }
    /* RFC 8949 §4.2.1: arguments as short as possible */
    if (deterministic(d) &&
        ((h->ai == 24 && h->arg < 24) || (h->ai == 25 && h->arg <= 0xff) ||
         (h->ai == 26 && h->arg <= 0xffff) || (h->ai == 27 && h->arg <= 0xffffffff)))
        return fail_at(d, CL_ERR_ENCODING, start, "argument not in its shortest form");
    return CL_OK;
}

static cl_err
count_item(struct dec *d, size_t start)
{
    if (d->items >= d->lim.max_items)
        return fail_at(d, CL_ERR_TOO_LARGE, start, "more data items than the limit");
    d->items++;
    return CL_OK;
}

static cl_err
check_indefinite(struct dec *d, size_t start)
{
    if (deterministic(d))
        return fail_at(d, CL_ERR_ENCODING, start, "indefinite length in deterministic encoding");
    if (d->lim.flags & CL_CBOR_REJECT_INDEFINITE)
        return fail_at(d, CL_ERR_ENCODING, start, "indefinite length not accepted here");
    return CL_OK;
}

/*
 * The chunks of an indefinite-length string (RFC 8949 §3.2.3): definite strings of the same
 * major type up to a break; text chunks each valid UTF-8. Two passes: check and sum, then
 * copy the contents into one arena block.
 */
static cl_err
read_chunks(struct dec *d, struct cl_cbor *item, unsigned major)
{
    size_t first = d->pos, total = 0, at;
    uint8_t *out;
    cl_err rc;

    for (;;) {
        struct head h;
        size_t start = d->pos;

        if (d->pos >= d->len)
            return fail_short(d, start, "input ends inside an indefinite-length string");
        if (d->p[d->pos] == 0xff) {
            d->pos++;
            break;
        }
        if ((rc = read_head(d, &h)) != CL_OK)
            return rc;
        if (h.major != major)
            return fail_at(d, CL_ERR_INPUT, start,
                           "chunk of another major type in an indefinite-length string");
        if (h.indefinite)
            return fail_at(d, CL_ERR_INPUT, start,
                           "indefinite-length chunk in an indefinite-length string");
        if ((rc = count_item(d, start)) != CL_OK)
            return rc;
        if (h.arg > d->len - d->pos)
            return fail_short(d, start, "string chunk longer than the input");
        if (major == MT_TEXT && !cl_utf8_valid(cl_bytes_of(d->p + d->pos, (size_t)h.arg)))
            return fail_at(d, CL_ERR_ENCODING, start, "text string chunk is not valid UTF-8");
        d->pos += (size_t)h.arg;
        total += (size_t)h.arg; /* at most the input length: no overflow */
    }
    out = cl_arena_alloc(d->a, total);
    if (out == NULL)
        return fail_nomem(d, first);
    at = 0;
    for (size_t p = first; d->p[p] != 0xff;) {
        unsigned ai = d->p[p] & 0x1f;
        size_t hl = ai < 24 ? 1 : 1 + ((size_t)1 << (ai - 24));
        uint64_t n = ai < 24 ? ai : 0;

        for (size_t i = 1; ai >= 24 && i < hl; i++)
            n = n << 8 | d->p[p + i];
        if (n > 0)
            memcpy(out + at, d->p + p + hl, (size_t)n);
        at += (size_t)n;
        p += hl + (size_t)n;
    }
    item->v.str = cl_bytes_of(out, total);
    return CL_OK;
}

/* RFC 8949 §4.2.1 and §4.2.2: a float in the shortest width that keeps its value. */
static cl_err
read_float(struct dec *d, struct cl_cbor *item, const struct head *h, size_t start)
{
    unsigned width = h->ai == 25 ? 2 : h->ai == 26 ? 4 : 8;

    if (width == 2) {
        item->v.f = cl_cbor__half_to_double((uint16_t)h->arg);
    } else if (width == 4) {
        uint32_t bits = (uint32_t)h->arg;
        float f;

        memcpy(&f, &bits, sizeof f);
        item->v.f = (double)f;
    } else {
        memcpy(&item->v.f, &h->arg, sizeof item->v.f);
    }
    if (deterministic(d)) {
        if (item->v.f != item->v.f && !(width == 2 && h->arg == 0x7e00))
            return fail_at(d, CL_ERR_ENCODING, start, "NaN not encoded as 0xf97e00");
        if (cl_cbor__float_width(item->v.f) != width)
            return fail_at(d, CL_ERR_ENCODING, start, "float not in its shortest form");
    }
    return CL_OK;
}

static cl_err
push(struct dec *d, struct cl_cbor *c, uint64_t want, size_t start)
{
    if (d->depth >= d->lim.max_depth)
        return fail_at(d, CL_ERR_TOO_LARGE, start, "nesting deeper than the limit");
    if (d->depth == d->cap) {
        unsigned ncap = d->cap == 0 ? 16 : d->cap * 2;
        struct frame *s;

        if (ncap > d->lim.max_depth)
            ncap = d->lim.max_depth;
        s = cl_realloc(d->stack, (size_t)ncap * sizeof *s);
        if (s == NULL)
            return fail_at(d, CL_ERR_NOMEM, start, "out of memory decoding CBOR");
        d->stack = s;
        d->cap = ncap;
    }
    d->stack[d->depth].c = c;
    d->stack[d->depth].want = want;
    d->stack[d->depth].have = 0;
    d->stack[d->depth].start = start;
    d->depth++;
    return CL_OK;
}

static int
cmp_keys(const void *x, const void *y)
{
    const struct cl_cbor *const *kx = x, *const *ky = y;

    return cl_cbor__bytes_cmp((*kx)->raw, (*ky)->raw);
}

/*
 * Keys of a finished map: unique by encoding; under REQUIRE_DETERMINISTIC also in bytewise
 * order (RFC 8949 §4.2.1), which a linear pass checks.
 */
static cl_err
check_keys(struct dec *d, const struct cl_cbor *map)
{
    size_t n = map->v.map.n;
    const struct cl_cbor **keys;

    if (n < 2)
        return CL_OK;
    if (deterministic(d)) {
        for (size_t i = 1; i < n; i++) {
            const struct cl_cbor *k = &map->v.map.pair[i].key;
            int c = cl_cbor__bytes_cmp(map->v.map.pair[i - 1].key.raw, k->raw);

            if (c == 0)
                return fail_at(d, CL_ERR_DUPLICATE, k->offset - d->base, "duplicate map key");
            if (c > 0)
                return fail_at(d, CL_ERR_ENCODING, k->offset - d->base,
                               "map keys not in bytewise order of their encodings");
        }
        return CL_OK;
    }
    if (n <= 8) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (cl_cbor__bytes_cmp(map->v.map.pair[j].key.raw, map->v.map.pair[i].key.raw) == 0)
                    return fail_at(d, CL_ERR_DUPLICATE, map->v.map.pair[i].key.offset - d->base,
                                   "duplicate map key");
        return CL_OK;
    }
    keys = cl_arena_calloc(d->a, n, sizeof *keys);
    if (keys == NULL)
        return fail_nomem(d, map->offset - d->base);
    for (size_t i = 0; i < n; i++)
        keys[i] = &map->v.map.pair[i].key;
    qsort(keys, n, sizeof *keys, cmp_keys);
    for (size_t i = 1; i < n; i++) {
        if (cl_cbor__bytes_cmp(keys[i - 1]->raw, keys[i]->raw) == 0) {
            const struct cl_cbor *later =
                keys[i]->offset > keys[i - 1]->offset ? keys[i] : keys[i - 1];

            return fail_at(d, CL_ERR_DUPLICATE, later->offset - d->base, "duplicate map key");
        }
    }
    return CL_OK;
}

/* Room for one more child in an indefinite-length array or map. */
static cl_err
grow(struct dec *d, struct frame *f)
{
    struct cl_cbor *c = f->c;
    size_t need = (size_t)(c->type == CL_CBOR_MAP ? f->have / 2 : f->have) + 1;
    size_t cap = c->type == CL_CBOR_MAP ? c->v.map.cap : c->v.array.cap;
    size_t ncap,
        size = c->type == CL_CBOR_MAP ? sizeof(struct cl_cbor_pair) : sizeof(struct cl_cbor);
    void *p;

    if (need <= cap)
        return CL_OK;
    ncap = cap == 0 ? 4 : cap * 2;
    p = cl_arena_calloc(d->a, ncap, size);
    if (p == NULL)
        return fail_nomem(d, f->start);
    if (c->type == CL_CBOR_MAP) {
        if (cap > 0)
            memcpy(p, c->v.map.pair, cap * size);
        c->v.map.pair = p;
        c->v.map.cap = ncap;
    } else {
        if (cap > 0)
            memcpy(p, c->v.array.item, cap * size);
        c->v.array.item = p;
        c->v.array.cap = ncap;
    }
    return CL_OK;
}

/* The slot for child number f->have of f's container. */
static struct cl_cbor *
slot(struct frame *f)
{
    struct cl_cbor *c = f->c;

    if (c->type == CL_CBOR_TAG)
        return (struct cl_cbor *)c->v.tag.item;
    if (c->type == CL_CBOR_ARRAY)
        return &c->v.array.item[f->have];
    return f->have % 2 == 0 ? &c->v.map.pair[f->have / 2].key : &c->v.map.pair[f->have / 2].value;
}

static cl_err
close_container(struct dec *d, struct frame *f)
{
    struct cl_cbor *c = f->c;

    c->raw = cl_bytes_of(d->p + f->start, d->pos - f->start);
    if (c->type == CL_CBOR_ARRAY) {
        c->v.array.n = (size_t)f->have;
    } else if (c->type == CL_CBOR_MAP) {
        c->v.map.n = (size_t)(f->have / 2);
        return check_keys(d, c);
    }
    return CL_OK;
}

/*
 * One data item into *item. Leaves (numbers, strings, simple values) are finished here;
 * arrays, maps and tags get a frame, to be filled by the loop in decode_one().
 */
static cl_err
read_item(struct dec *d, struct cl_cbor *item)
{
    size_t start = d->pos;
    struct head h = {0}; /* gcc -O3 cannot see read_head() always writes it */
    cl_err rc;

    if ((rc = read_head(d, &h)) != CL_OK)
        return rc;
    if (h.major == MT_SIMPLE && h.indefinite)
        return fail_at(d, CL_ERR_INPUT, start, "break outside an indefinite-length item");
    if ((rc = count_item(d, start)) != CL_OK)
        return rc;
    memset(item, 0, sizeof *item);
    item->offset = d->base + start;
    item->raw.ptr = d->p + start;
    item->indefinite = h.indefinite;
    if (h.indefinite && (rc = check_indefinite(d, start)) != CL_OK)
        return rc;

    switch (h.major) {
    case MT_UINT:
    case MT_NEGINT:
        item->type = h.major == MT_UINT ? CL_CBOR_UINT : CL_CBOR_NEGINT;
        item->v.u = h.arg;
        break;
    case MT_BYTES:
    case MT_TEXT:
        item->type = h.major == MT_BYTES ? CL_CBOR_BYTES : CL_CBOR_TEXT;
        if (h.indefinite) {
            if ((rc = read_chunks(d, item, h.major)) != CL_OK)
                return rc;
            break;
        }
        if (h.arg > d->len - d->pos)
            return fail_short(d, start, "string longer than the input");
        item->v.str = cl_bytes_of(d->p + d->pos, (size_t)h.arg);
        d->pos += (size_t)h.arg;
        if (h.major == MT_TEXT && !cl_utf8_valid(item->v.str))
            return fail_at(d, CL_ERR_ENCODING, start, "text string is not valid UTF-8");
        break;
    case MT_ARRAY:
    case MT_MAP: {
        bool map = h.major == MT_MAP;
        size_t rest = d->len - d->pos;

        item->type = map ? CL_CBOR_MAP : CL_CBOR_ARRAY;
        if (!h.indefinite) {
            /* each child takes a byte at least: refuse before allocating (RFC 8949 §10) */
            if (h.arg > (map ? rest / 2 : rest))
                return fail_short(d, start,
                                  map ? "map has more pairs than the input holds"
                                      : "array has more items than the input holds");
            if (h.arg > (d->lim.max_items - d->items) / (map ? 2 : 1))
                return fail_at(d, CL_ERR_TOO_LARGE, start, "more data items than the limit");
            if (h.arg > 0) {
                void *p =
                    cl_arena_calloc(d->a, (size_t)h.arg,
                                    map ? sizeof(struct cl_cbor_pair) : sizeof(struct cl_cbor));

                if (p == NULL)
                    return fail_nomem(d, start);
                if (map) {
                    item->v.map.pair = p;
                    item->v.map.cap = (size_t)h.arg;
                } else {
                    item->v.array.item = p;
                    item->v.array.cap = (size_t)h.arg;
                }
            }
        }
        return push(d, item, map ? h.arg * 2 : h.arg, start);
    }
    case MT_TAG: {
        struct cl_cbor *inner = cl_arena_zalloc(d->a, sizeof *inner);

        if (inner == NULL)
            return fail_nomem(d, start);
        item->type = CL_CBOR_TAG;
        item->v.tag.num = h.arg;
        item->v.tag.item = inner;
        return push(d, item, 1, start);
    }
    default: /* MT_SIMPLE */
        if (h.ai >= 25 && h.ai <= 27) {
            item->type = CL_CBOR_FLOAT;
            if ((rc = read_float(d, item, &h, start)) != CL_OK)
                return rc;
        } else {
            item->type = CL_CBOR_SIMPLE;
            item->v.u = h.arg;
        }
        break;
    }
    item->raw.len = d->pos - start;
    return CL_OK;
}

/* One complete item at d->pos into *root, iteratively: depth is bounded by max_depth. */
static cl_err
decode_one(struct dec *d, struct cl_cbor *root)
{
    struct cl_cbor *next = root;
    cl_err rc;

    for (;;) {
        if ((rc = read_item(d, next)) != CL_OK)
            return rc;
        /* find the next slot to fill, closing every container that is complete */
        for (next = NULL; next == NULL && d->depth > 0;) {
            struct frame *f = &d->stack[d->depth - 1];

            if (f->c->indefinite) {
                if (d->pos >= d->len)
                    return fail_short(d, d->pos, "input ends inside an indefinite-length item");
                if (d->p[d->pos] == 0xff) {
                    if (f->c->type == CL_CBOR_MAP && f->have % 2 != 0)
                        return fail_at(d, CL_ERR_INPUT, d->pos,
                                       "break after a map key without its value");
                    d->pos++;
                    if ((rc = close_container(d, f)) != CL_OK)
                        return rc;
                    d->depth--;
                    continue;
                }
                if ((rc = grow(d, f)) != CL_OK)
                    return rc;
            } else if (f->have == f->want) {
                if ((rc = close_container(d, f)) != CL_OK)
                    return rc;
                d->depth--;
                continue;
            }
            next = slot(f);
            f->have++;
        }
        if (next == NULL)
            return CL_OK;
    }
}

static cl_err
decode(struct cl_arena *a, struct cl_bytes in, size_t base, const struct cl_cbor_limits *lim,
       bool prefix, const struct cl_cbor **out, size_t *used, struct cl_error *err)
{
    struct dec d;
    struct cl_cbor *root;
    cl_err rc;

    *out = NULL;
    if (used != NULL)
        *used = 0;
    memset(&d, 0, sizeof d);
    d.a = a;
    d.p = in.ptr;
    d.full = in.len;
    d.len = in.len;
    d.base = base;
    d.lim = lim != NULL ? *lim : cl_cbor_limits_default();
    d.err = err;
    if (in.ptr == NULL && in.len > 0)
        return cl_fail(err, CL_ERR_USAGE, NULL, "CBOR input is NULL");
    if (in.len > d.lim.max_bytes) {
        if (!prefix)
            return fail_at(&d, CL_ERR_TOO_LARGE, 0, "CBOR input larger than the byte limit");
        d.len = d.lim.max_bytes;
    }
    root = cl_arena_zalloc(a, sizeof *root);
    if (root == NULL)
        return fail_nomem(&d, 0);
    rc = decode_one(&d, root);
    if (rc == CL_OK && !prefix && d.pos != in.len)
        rc = fail_at(&d, CL_ERR_INPUT, d.pos, "trailing bytes after the CBOR data item");
    cl_free(d.stack);
    if (rc != CL_OK)
        return rc;
    *out = root;
    if (used != NULL)
        *used = d.pos;
    return CL_OK;
}

cl_err
cl_cbor_decode(struct cl_arena *a, struct cl_bytes in, const struct cl_cbor_limits *lim,
               const struct cl_cbor **out, struct cl_error *err)
{
    return decode(a, in, 0, lim, false, out, NULL, err);
}

cl_err
cl_cbor_decode_prefix(struct cl_arena *a, struct cl_bytes in, const struct cl_cbor_limits *lim,
                      const struct cl_cbor **out, size_t *used, struct cl_error *err)
{
    return decode(a, in, 0, lim, true, out, used, err);
}

cl_err
cl_cbor_decode_embedded(struct cl_arena *a, const struct cl_cbor *item,
                        const struct cl_cbor_limits *lim, const struct cl_cbor **out,
                        struct cl_error *err)
{
    const struct cl_cbor *bstr = cl_cbor_untag(item, CL_CBOR_TAG_EMBEDDED);
    size_t base;

    *out = NULL;
    if (bstr == NULL || bstr->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, NULL, "not a tag 24 around a byte string");
    /* messages count from the outermost input: the contents start after the bstr head */
    base = bstr->offset;
    if (cl_cbor__has_raw(bstr) && !bstr->indefinite && bstr->offset != CBOR_OFFSET_RAW_ONLY)
        base += bstr->raw.len - bstr->v.str.len;
    return decode(a, bstr->v.str, base, lim, false, out, NULL, err);
}
