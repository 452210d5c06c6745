/*
 * diag.c - CBOR diagnostic notation (RFC 8949 §8, and its appendix A style): for people
 * reading what a peer sent. Text is written as JSON strings with non-ASCII as \u escapes,
 * floats as JavaScript prints them with ".0" on integral values.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/banned.h"
#include "cardless/cbor.h"
#include "cbor/cbor_int.h"

struct diag {
    struct cl_buf *b;
    unsigned flags;
    struct cl_error *err;
};

static cl_err item_diag(struct diag *g, const struct cl_cbor *item, unsigned depth);

static void
put_hex(struct cl_buf *b, struct cl_bytes s)
{
    static const char hex[] = "0123456789abcdef";

    cl_buf_append_str(b, "h'");
    for (size_t i = 0; i < s.len; i++) {
        cl_buf_append_byte(b, (uint8_t)hex[s.ptr[i] >> 4]);
        cl_buf_append_byte(b, (uint8_t)hex[s.ptr[i] & 15]);
    }
    cl_buf_append_byte(b, '\'');
}

/* A JSON string (RFC 8259 §7); the text was checked as UTF-8 when decoded or is trusted. */
static void
put_text(struct cl_buf *b, struct cl_bytes s)
{
    cl_buf_append_byte(b, '"');
    for (size_t i = 0; i < s.len;) {
        uint8_t c = s.ptr[i];
        uint32_t cp;
        size_t n;

        if (c < 0x80) {
            i++;
            if (c == '"' || c == '\\') {
                cl_buf_append_byte(b, '\\');
                cl_buf_append_byte(b, c);
            } else if (c == '\n') {
                cl_buf_append_str(b, "\\n");
            } else if (c == '\r') {
                cl_buf_append_str(b, "\\r");
            } else if (c == '\t') {
                cl_buf_append_str(b, "\\t");
            } else if (c < 0x20 || c == 0x7f) {
                cl_buf_printf(b, "\\u%04x", c);
            } else {
                cl_buf_append_byte(b, c);
            }
            continue;
        }
        n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (c < 0xc0 || n > s.len - i) { /* not UTF-8 after all: show the byte */
            cl_buf_printf(b, "\\u%04x", c);
            i++;
            continue;
        }
        cp = c & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
        for (size_t k = 1; k < n; k++)
            cp = cp << 6 | (s.ptr[i + k] & 0x3f);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            cl_buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
            cl_buf_printf(b, "\\u%04x", cp);
        }
    }
    cl_buf_append_byte(b, '"');
}

/* Whether the p digits d (d[0].d[1..] times 10^x) read back as v. */
static bool
reads_back(double v, const char *d, int p, int x)
{
    char s[48];

    snprintf(s, sizeof s, "%s%c.%se%d", v < 0 ? "-" : "", d[0], p > 1 ? d + 1 : "0", x);
    return strtod(s, NULL) == v;
}

/*
 * The fewest significant digits that read back as v (at most 17), into d (NUL-terminated)
 * with the decimal exponent of the first one; returns their count. printf rounds exact ties
 * to even (2^-24 to 16 digits gives ...062), so the digit string one unit away is tried too.
 */
static int
shortest_digits(double v, char d[24], int *x)
{
    char s[40];
    int p, k;

    for (p = 1; p <= 17; p++) {
        const char *c, *e;

        snprintf(s, sizeof s, "%.*e", p - 1, v < 0 ? -v : v);
        k = 0;
        for (c = s; *c != 'e' && *c != '\0'; c++)
            if (*c >= '0' && *c <= '9')
                d[k++] = *c;
        d[k] = '\0';
        e = strchr(s, 'e');
        *x = e != NULL ? (int)strtol(e + 1, NULL, 10) : 0;
        if (p < 17 && !reads_back(v, d, k, *x)) {
            int i = k - 1;

            while (i >= 0 && d[i] == '9') /* one unit up, carrying */
                d[i--] = '0';
            if (i < 0)
                continue; /* 99..9 + 1: no longer p digits; the next p will do */
            d[i]++;
            if (!reads_back(v, d, k, *x))
                continue;
        }
        break;
    }
    while (k > 1 && d[k - 1] == '0') /* "%.*e" pads with zeros */
        d[--k] = '\0';
    return k;
}

/*
 * The shortest decimal that reads back as v, laid out as ECMAScript's Number::toString
 * does, with ".0" added where that would read as an integer (RFC 8949 appendix A: 1.0e+300).
 */
static void
put_double(struct cl_buf *b, double v)
{
    char digits[24];
    int x, k, n;

    if (v != v) {
        cl_buf_append_str(b, "NaN");
        return;
    }
    if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
        cl_buf_append_str(b, v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (v == 0) {
        uint64_t bits;

        memcpy(&bits, &v, sizeof bits);
        cl_buf_append_str(b, bits >> 63 ? "-0.0" : "0.0");
        return;
    }
    k = shortest_digits(v, digits, &x);
    if (v < 0)
        cl_buf_append_byte(b, '-');
    n = x + 1; /* the decimal point sits after n digits */
    if (k <= n && n <= 21) {
        cl_buf_append(b, digits, (size_t)k);
        for (int i = k; i < n; i++)
            cl_buf_append_byte(b, '0');
        cl_buf_append_str(b, ".0");
    } else if (n > 0 && n <= 21) {
        cl_buf_append(b, digits, (size_t)n);
        cl_buf_append_byte(b, '.');
        cl_buf_append(b, digits + n, (size_t)(k - n));
    } else if (n > -6 && n <= 0) {
        cl_buf_append_str(b, "0.");
        for (int i = n; i < 0; i++)
            cl_buf_append_byte(b, '0');
        cl_buf_append(b, digits, (size_t)k);
    } else {
        cl_buf_append_byte(b, (uint8_t)digits[0]);
        cl_buf_append_byte(b, '.');
        if (k > 1)
            cl_buf_append(b, digits + 1, (size_t)(k - 1));
        else
            cl_buf_append_byte(b, '0');
        cl_buf_printf(b, "e%c%d", n - 1 >= 0 ? '+' : '-', n - 1 >= 0 ? n - 1 : 1 - n);
    }
}

/* An indefinite-length string, chunk by chunk from its raw bytes: (_ h'0102', h'0304'). */
static void
put_chunks(struct cl_buf *b, const struct cl_cbor *item)
{
    const uint8_t *p = item->raw.ptr + 1, *end = item->raw.ptr + item->raw.len;
    bool first = true;

    if (item->raw.len < 2 || item->raw.ptr[1] == 0xff) {
        cl_buf_append_str(b, item->type == CL_CBOR_TEXT ? "\"\"_" : "''_");
        return;
    }
    cl_buf_append_str(b, "(_ ");
    while (p < end && *p != 0xff) {
        unsigned ai = *p & 0x1f;
        size_t hl = ai < 24 ? 1 : ai <= 27 ? 1 + ((size_t)1 << (ai - 24)) : 1;
        uint64_t n = ai < 24 ? ai : 0;

        if (hl > (size_t)(end - p))
            break;
        for (size_t i = 1; i < hl; i++)
            n = n << 8 | p[i];
        if (n > (uint64_t)(end - p) - hl)
            break;
        if (!first)
            cl_buf_append_str(b, ", ");
        first = false;
        if (item->type == CL_CBOR_TEXT)
            put_text(b, cl_bytes_of(p + hl, (size_t)n));
        else
            put_hex(b, cl_bytes_of(p + hl, (size_t)n));
        p += hl + (size_t)n;
    }
    cl_buf_append_byte(b, ')');
}

static void
newline(struct diag *g, unsigned depth)
{
    if (!(g->flags & CL_CBOR_DIAG_PRETTY))
        return;
    cl_buf_append_byte(g->b, '\n');
    for (unsigned i = 0; i < depth; i++)
        cl_buf_append_str(g->b, "  ");
}

static cl_err
container_diag(struct diag *g, const struct cl_cbor *item, unsigned depth)
{
    bool map = item->type == CL_CBOR_MAP;
    size_t n = map ? item->v.map.n : item->v.array.n;
    cl_err rc;

    cl_buf_append_byte(g->b, map ? '{' : '[');
    if (item->indefinite)
        cl_buf_append_str(g->b, "_ ");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            cl_buf_append_byte(g->b, ',');
        if (g->flags & CL_CBOR_DIAG_PRETTY)
            newline(g, depth + 1);
        else if (i > 0)
            cl_buf_append_byte(g->b, ' ');
        if (map) {
            if ((rc = item_diag(g, &item->v.map.pair[i].key, depth + 1)) != CL_OK)
                return rc;
            cl_buf_append_str(g->b, ": ");
            rc = item_diag(g, &item->v.map.pair[i].value, depth + 1);
        } else {
            rc = item_diag(g, &item->v.array.item[i], depth + 1);
        }
        if (rc != CL_OK)
            return rc;
    }
    if (n > 0)
        newline(g, depth);
    cl_buf_append_byte(g->b, map ? '}' : ']');
    return CL_OK;
}

/* An item known only by its encoding (cl_cbor_new_raw, or tag 24 contents): decode, show. */
static cl_err
encoded_diag(struct diag *g, struct cl_bytes enc, unsigned depth, bool quiet)
{
    struct cl_arena a;
    const struct cl_cbor *item;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    rc = cl_cbor_decode(&a, enc, NULL, &item, quiet ? NULL : g->err);
    if (rc == CL_OK)
        rc = item_diag(g, item, depth);
    cl_arena_fini(&a);
    return rc;
}

static cl_err
item_diag(struct diag *g, const struct cl_cbor *item, unsigned depth)
{
    struct cl_buf *b = g->b;

    if (item == NULL)
        return cl_fail(g->err, CL_ERR_USAGE, NULL, "NULL CBOR item");
    if (depth > CBOR_WALK_MAX)
        return cl_fail(g->err, CL_ERR_TOO_LARGE, NULL, "CBOR item nested too deeply to show");
    if (item->offset == CBOR_OFFSET_RAW_ONLY && cl_cbor__has_raw(item))
        return encoded_diag(g, item->raw, depth, false);
    switch (item->type) {
    case CL_CBOR_UINT:
        cl_buf_printf(b, "%" PRIu64, item->v.u);
        return CL_OK;
    case CL_CBOR_NEGINT:
        if (item->v.u == UINT64_MAX)
            cl_buf_append_str(b, "-18446744073709551616");
        else
            cl_buf_printf(b, "-%" PRIu64, item->v.u + 1);
        return CL_OK;
    case CL_CBOR_BYTES:
    case CL_CBOR_TEXT:
        if (item->indefinite && cl_cbor__has_raw(item))
            put_chunks(b, item);
        else if (item->type == CL_CBOR_TEXT)
            put_text(b, item->v.str);
        else
            put_hex(b, item->v.str);
        return CL_OK;
    case CL_CBOR_ARRAY:
    case CL_CBOR_MAP:
        return container_diag(g, item, depth);
    case CL_CBOR_TAG: {
        const struct cl_cbor *in = item->v.tag.item;
        size_t mark;
        cl_err rc;

        cl_buf_printf(b, "%" PRIu64 "(", item->v.tag.num);
        mark = b->len;
        if ((g->flags & CL_CBOR_DIAG_EXPAND_EMBEDDED) && item->v.tag.num == CL_CBOR_TAG_EMBEDDED &&
            in != NULL && in->type == CL_CBOR_BYTES) {
            cl_buf_append_str(b, "<<");
            rc = encoded_diag(g, in->v.str, depth + 1, true);
            if (rc == CL_OK) {
                cl_buf_append_str(b, ">>)");
                return CL_OK;
            }
            if (b->err != CL_OK)
                return cl_buf_check(b, "CBOR diagnostic notation", g->err);
            if (rc < 100 || rc > 199) /* out of memory, too deep: not a property of the bytes */
                return cl_fail(g->err, rc, NULL, "cannot show embedded CBOR");
            b->len = mark; /* not CBOR inside: show the bytes */
        }
        if ((rc = item_diag(g, in, depth + 1)) != CL_OK)
            return rc;
        cl_buf_append_byte(b, ')');
        return CL_OK;
    }
    case CL_CBOR_SIMPLE:
        switch (item->v.u) {
        case CL_CBOR_FALSE:
            cl_buf_append_str(b, "false");
            break;
        case CL_CBOR_TRUE:
            cl_buf_append_str(b, "true");
            break;
        case CL_CBOR_NULL:
            cl_buf_append_str(b, "null");
            break;
        case CL_CBOR_UNDEFINED:
            cl_buf_append_str(b, "undefined");
            break;
        default:
            cl_buf_printf(b, "simple(%" PRIu64 ")", item->v.u);
        }
        return CL_OK;
    case CL_CBOR_FLOAT:
        put_double(b, item->v.f);
        return CL_OK;
    default:
        return cl_fail(g->err, CL_ERR_USAGE, NULL, "CBOR item of unknown type %u", item->type);
    }
}

cl_err
cl_cbor_diag(struct cl_buf *out, const struct cl_cbor *item, unsigned flags, struct cl_error *err)
{
    struct diag g;
    cl_err rc;

    g.b = out;
    g.flags = flags;
    g.err = err;
    rc = item_diag(&g, item, 0);
    if (rc != CL_OK)
        return rc;
    return cl_buf_check(out, "CBOR diagnostic notation", err);
}
