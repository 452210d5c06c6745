/*
 * codec.c - base64url (RFC 4648 §5, unpadded, strict), base64 (RFC 4648 §4), hex, and the
 * UTF-8 well-formedness check (RFC 3629). Decoders name the offset of the first bad character.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"

#include "base/banned.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* value of c in the alphabet, or -1 */
static int
b64_value(uint8_t c, bool url)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == (url ? '-' : '+'))
        return 62;
    if (c == (url ? '_' : '/'))
        return 63;
    return -1;
}

static void
b64_encode(struct cl_buf *out, struct cl_bytes in, const char *alphabet, bool pad)
{
    size_t i = 0;
    size_t n = in.len;
    uint8_t *p;
    size_t outlen = n / 3 * 4 + (n % 3 == 0 ? 0 : (pad ? 4 : n % 3 + 1));

    if (n > (SIZE_MAX / 4) * 3 - 3) {
        cl_buf_set_err(out, CL_ERR_TOO_LARGE);
        return;
    }
    p = cl_buf_extend(out, outlen);
    if (p == NULL)
        return;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in.ptr[i] << 16 | (uint32_t)in.ptr[i + 1] << 8 | in.ptr[i + 2];

        *p++ = (uint8_t)alphabet[v >> 18 & 63];
        *p++ = (uint8_t)alphabet[v >> 12 & 63];
        *p++ = (uint8_t)alphabet[v >> 6 & 63];
        *p++ = (uint8_t)alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in.ptr[i] << 16;

        *p++ = (uint8_t)alphabet[v >> 18 & 63];
        *p++ = (uint8_t)alphabet[v >> 12 & 63];
        if (pad) {
            *p++ = '=';
            *p++ = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in.ptr[i] << 16 | (uint32_t)in.ptr[i + 1] << 8;

        *p++ = (uint8_t)alphabet[v >> 18 & 63];
        *p++ = (uint8_t)alphabet[v >> 12 & 63];
        *p++ = (uint8_t)alphabet[v >> 6 & 63];
        if (pad)
            *p++ = '=';
    }
}

size_t
cl_b64url_encoded_len(size_t n)
{
    return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

void
cl_b64url_encode(struct cl_buf *out, struct cl_bytes in)
{
    b64_encode(out, in, b64url_alphabet, false);
}

char *
cl_b64url_encode_arena(struct cl_arena *a, struct cl_bytes in)
{
    size_t n = cl_b64url_encoded_len(in.len);
    char *s = cl_arena_alloc(a, n + 1);
    struct cl_buf b;

    if (s == NULL)
        return NULL;
    cl_buf_init_ex(&b, n + 1, false);
    cl_b64url_encode(&b, in);
    if (b.err != CL_OK) {
        cl_buf_fini(&b);
        return NULL;
    }
    if (n != 0)
        memcpy(s, b.ptr, n);
    s[n] = '\0';
    cl_buf_fini(&b);
    return s;
}

static bool
is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * The shared decoder. url: base64url alphabet, no padding allowed. Otherwise standard
 * alphabet with padding to a multiple of 4 required. Trailing bits must be zero in both
 * (RFC 4648 §3.5: a canonical encoding).
 */
/* A decoding failure at offset `at`: formats the place only when there is a failure. */
static cl_err bad_at(struct cl_error *err, size_t at, const char *fmt, ...) CL_PRINTF(3, 4);

static cl_err
bad_at(struct cl_error *err, size_t at, const char *fmt, ...)
{
    char where[40], msg[CL_ERROR_MSG_MAX];
    va_list ap;

    snprintf(where, sizeof where, "offset %zu", at);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cl_fail(err, CL_ERR_ENCODING, where, "%s", msg);
}

static cl_err
b64_decode(struct cl_buf *out, struct cl_bytes in, bool url, bool skip_space, struct cl_error *err)
{
    const char *what = url ? "base64url" : "base64";
    uint32_t acc = 0;
    unsigned nbits = 0, nchars = 0, npad = 0;
    size_t i, last = 0, nout = 0, start = out->len;
    uint8_t *dst;
    cl_err rc;

    /* room for the most this can decode to; the length is set once at the end */
    dst = cl_buf_extend(out, in.len / 4 * 3 + 3);
    if (dst == NULL)
        return cl_buf_check(out, what, err);
    for (i = 0; i < in.len; i++) {
        uint8_t c = in.ptr[i];
        int v;

        if (skip_space && is_space(c))
            continue;
        if (c == '=') {
            if (url) {
                rc = bad_at(err, i, "padding is not allowed in base64url");
                goto fail;
            }
            if (++npad > 2) {
                rc = bad_at(err, i, "too much base64 padding");
                goto fail;
            }
            continue;
        }
        if (npad != 0) {
            rc = bad_at(err, i, "%s data after padding", what);
            goto fail;
        }
        v = b64_value(c, url);
        if (v < 0) {
            if (is_space(c))
                rc = bad_at(err, i, "whitespace in %s", what);
            else if (url && (c == '+' || c == '/'))
                rc = bad_at(err, i, "'%c' is base64, not base64url", (char)c);
            else
                rc = bad_at(err, i, "character not in the %s alphabet", what);
            goto fail;
        }
        acc = acc << 6 | (uint32_t)v;
        nbits += 6;
        nchars++;
        last = i;
        if (nbits >= 8) {
            nbits -= 8;
            dst[nout++] = (uint8_t)(acc >> nbits);
            acc &= (1u << nbits) - 1;
        }
    }
    i = last;
    if (nchars % 4 == 1) {
        rc = bad_at(err, i, "%s length is not valid (1 mod 4)", what);
        goto fail;
    }
    if (acc != 0) { /* RFC 4648 §3.5: canonical encodings have zero trailing bits */
        rc = bad_at(err, i, "%s has non-zero trailing bits (not canonical)", what);
        goto fail;
    }
    if (!url && ((nchars + npad) % 4 != 0 || (npad != 0 && (nchars % 4) + npad != 4))) {
        rc = bad_at(err, i, "base64 is not padded to a multiple of 4");
        goto fail;
    }
    out->len = start + nout;
    return CL_OK;
fail:
    out->len = start;
    return rc;
}

cl_err
cl_b64url_decode(struct cl_buf *out, struct cl_bytes in, struct cl_error *err)
{
    return b64_decode(out, in, true, false, err);
}

/*
 * The fast decoder's tables: b64url_shifted[k][c] is the 6-bit value of character c already
 * shifted to its place in a group of four (18, 12, 6, 0), or B64_BAD for a character outside
 * the alphabet. OR-ing four entries gives the group's 24 bits, and a bad character anywhere
 * leaves B64_BAD set in a sticky accumulator: one test at the end instead of four a group.
 */
#define B64_BAD 0x01000000u
#define B64V(c)                                                                                    \
    ((c) >= 'A' && (c) <= 'Z'   ? (c) - 'A'                                                        \
     : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26                                                   \
     : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52                                                   \
     : (c) == '-'               ? 62                                                               \
     : (c) == '_'               ? 63                                                               \
                                : -1)
#define B64S(c, sh) (B64V(c) < 0 ? B64_BAD : (uint32_t)B64V(c) << (sh))
#define B64S4(c, sh) B64S(c, sh), B64S((c) + 1, sh), B64S((c) + 2, sh), B64S((c) + 3, sh)
#define B64S16(c, sh) B64S4(c, sh), B64S4((c) + 4, sh), B64S4((c) + 8, sh), B64S4((c) + 12, sh)
#define B64S64(c, sh)                                                                              \
    B64S16(c, sh), B64S16((c) + 16, sh), B64S16((c) + 32, sh), B64S16((c) + 48, sh)
#define B64S256(sh)                                                                                \
    {                                                                                              \
        B64S64(0, sh), B64S64(64, sh), B64S64(128, sh), B64S64(192, sh)                            \
    }

static const uint32_t b64url_shifted[4][256] = {B64S256(18), B64S256(12), B64S256(6), B64S256(0)};

/* The common case of cl_b64url_decode_arena: a valid, canonical base64url text decoded in one
 * pass straight into the arena. False when the text is not valid (the strict decoder then
 * says why) or on no memory (*nomem set: no second try that could hide the failure). */
static bool
b64url_decode_fast(struct cl_arena *a, struct cl_bytes in, struct cl_bytes *out, bool *nomem)
{
    const uint32_t *t0 = b64url_shifted[0], *t1 = b64url_shifted[1], *t2 = b64url_shifted[2],
                   *t3 = b64url_shifted[3];
    size_t full = in.len / 4, rest = in.len % 4, i, n = 0;
    const uint8_t *s = in.ptr;
    uint32_t w, bad = 0;
    uint8_t *d;

    if (rest == 1)
        return false;
    d = cl_arena_alloc(a, full * 3 + (rest != 0 ? rest - 1 : 0) + 1);
    if (d == NULL) {
        *nomem = true;
        return false;
    }
    for (i = 0; i < full; i++, s += 4) {
        w = t0[s[0]] | t1[s[1]] | t2[s[2]] | t3[s[3]];
        bad |= w;
        d[n++] = (uint8_t)(w >> 16);
        d[n++] = (uint8_t)(w >> 8);
        d[n++] = (uint8_t)w;
    }
    if (rest != 0) {
        w = t0[s[0]] | t1[s[1]] | (rest == 3 ? t2[s[2]] : 0);
        bad |= w;
        /* RFC 4648 §3.5: canonical encodings have zero trailing bits */
        if ((rest == 2 && (w & 0xffffu) != 0) || (rest == 3 && (w & 0xffu) != 0))
            return false;
        d[n++] = (uint8_t)(w >> 16);
        if (rest == 3)
            d[n++] = (uint8_t)(w >> 8);
    }
    if ((bad & B64_BAD) != 0)
        return false; /* the arena keeps the few bytes; the strict decoder says why */
    *out = cl_bytes_of(d, n);
    return true;
}

cl_err
cl_b64url_decode_arena(struct cl_arena *a, struct cl_bytes in, struct cl_bytes *out,
                       struct cl_error *err)
{
    struct cl_buf b;
    cl_err rc;

    bool nomem = false;

    *out = cl_bytes_of(NULL, 0);
    if (in.len != 0 && b64url_decode_fast(a, in, out, &nomem))
        return CL_OK;
    if (nomem)
        return cl_fail(err, CL_ERR_NOMEM, "base64url", "out of memory");
    cl_buf_init(&b);
    rc = b64_decode(&b, in, true, false, err);
    if (rc == CL_OK) {
        struct cl_bytes c = cl_arena_copy(a, cl_buf_bytes(&b));

        if (c.ptr == NULL)
            rc = cl_fail(err, CL_ERR_NOMEM, "base64url", "out of memory");
        else
            *out = c;
    }
    cl_buf_fini(&b);
    return rc;
}

void
cl_b64_encode(struct cl_buf *out, struct cl_bytes in)
{
    b64_encode(out, in, b64_alphabet, true);
}

cl_err
cl_b64_decode(struct cl_buf *out, struct cl_bytes in, bool skip_space, struct cl_error *err)
{
    return b64_decode(out, in, false, skip_space, err);
}

void
cl_hex_encode(struct cl_buf *out, struct cl_bytes in)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t *p;

    if (in.len > SIZE_MAX / 2) {
        cl_buf_set_err(out, CL_ERR_TOO_LARGE);
        return;
    }
    p = cl_buf_extend(out, in.len * 2);
    if (p == NULL)
        return;
    for (size_t i = 0; i < in.len; i++) {
        *p++ = (uint8_t)digits[in.ptr[i] >> 4];
        *p++ = (uint8_t)digits[in.ptr[i] & 15];
    }
}

static int
hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

cl_err
cl_hex_decode(struct cl_buf *out, struct cl_bytes in, bool skip_space, struct cl_error *err)
{
    size_t start = out->len;
    int hi = -1;
    char where[40];

    for (size_t i = 0; i < in.len; i++) {
        int v;

        if (skip_space && is_space(in.ptr[i]))
            continue;
        v = hex_value(in.ptr[i]);
        if (v < 0) {
            out->len = start;
            snprintf(where, sizeof where, "offset %zu", i);
            return cl_fail(err, CL_ERR_ENCODING, where, "not a hex digit");
        }
        if (hi < 0) {
            hi = v;
        } else {
            cl_buf_append_byte(out, (uint8_t)(hi << 4 | v));
            hi = -1;
        }
    }
    if (hi >= 0) {
        out->len = start;
        return cl_fail(err, CL_ERR_ENCODING, "hex", "odd number of hex digits");
    }
    return cl_buf_check(out, "hex", err);
}

bool
cl_utf8_valid(struct cl_bytes s)
{
    const uint8_t *p = s.ptr;
    size_t n = s.len, i = 0;

    while (i < n) {
        uint8_t c = p[i];
        size_t need;
        uint32_t cp, min;

        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            need = 1;
            cp = c & 0x1f;
            min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2;
            cp = c & 0x0f;
            min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            need = 3;
            cp = c & 0x07;
            min = 0x10000;
        } else {
            return false;
        }
        if (need > n - i - 1)
            return false;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}
