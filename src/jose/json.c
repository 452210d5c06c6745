/* json.c - strict JSON for JOSE on jansson: limits checked before parsing, trees owned by
 * arenas, messages naming offsets and never content; the JWS algorithm table. */
#include <string.h>

#include "cardless/codec.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "jose/jose_int.h"

#include "base/banned.h"

struct cl_json_limits
cl_json_limits_default(void)
{
    struct cl_json_limits lim;

    lim.max_bytes = CL_LIMIT_JSON_BYTES;
    lim.max_depth = CL_LIMIT_JSON_DEPTH;
    return lim;
}

static void
decref(void *p)
{
    json_decref((json_t *)p);
}

cl_err
jose_json_defer(struct cl_arena *a, json_t *j, struct cl_error *err)
{
    if (cl_arena_defer(a, decref, j) != CL_OK) {
        json_decref(j);
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    }
    return CL_OK;
}

/*
 * Nesting depth before jansson sees the text: its own limit is 2048 levels of recursion,
 * ours is the caller's. Brackets inside strings do not count.
 */
static bool
depth_ok(struct cl_bytes t, unsigned max, size_t *at)
{
    unsigned depth = 0;
    bool in_str = false, esc = false;

    for (size_t i = 0; i < t.len; i++) {
        uint8_t c = t.ptr[i];

        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) {
                *at = i;
                return false;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

/* The fast readers below take only texts json_loadb accepts, with the same values; anything
 * else, and every error, goes to json_loadb, which decides and names the offset. */

int
cl_jose_json_string_simple(struct cl_arena *a, const uint8_t **p, const uint8_t *end,
                           struct cl_bytes *out)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
    const uint8_t *start, *q;
    uint8_t *buf, *o;
    uint64_t high = 0; /* the bytes or words read, or-ed: any high bit means non-ASCII */
    bool esc = false;

    if (*p >= end || **p != '"')
        return 0;
    start = *p + 1;
    /* eight bytes at a time while none is '"', '\\' or a control character (a zero byte of
     * w ^ c means a byte c; w - 0x20 borrows into a clear high bit below 0x20) */
    for (q = start; end - q >= 8; q += 8) {
        uint64_t w, x = 0;

        memcpy(&w, q, sizeof w);
        x |= ((w ^ ones * '"') - ones) & ~(w ^ ones * '"');
        x |= ((w ^ ones * '\\') - ones) & ~(w ^ ones * '\\');
        x |= (w - ones * 0x20) & ~w;
        if ((x & highs) != 0) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            /* the lowest flagged byte is a true one (a false flag needs a borrow from a true
             * one below it): the bytes before it are plain, the loop below starts there */
            unsigned nb = (unsigned)__builtin_ctzll(x & highs) / 8;

            if (nb != 0)
                high |= w & ((UINT64_C(1) << (8 * nb)) - 1);
            q += nb;
#endif
            break; /* the bytes below say which */
        }
        high |= w;
    }
    for (; q < end && *q != '"'; q++) {
        if (*q < 0x20)
            return 0; /* control characters must be escaped (RFC 8259 §7) */
        high |= *q;
        if (*q == '\\') {
            if (q + 1 >= end)
                return 0;
            esc = true;
            q++;
            high |= *q;
        }
    }
    if (q >= end)
        return 0;
    *p = q + 1;
    /* an ASCII string (no byte over 0x7f, escapes included) is valid UTF-8 as it stands */
    if (!esc) {
        *out = cl_bytes_of(start, (size_t)(q - start));
        return (high & highs) == 0 || cl_utf8_valid(*out) ? 1 : 0;
    }
    buf = cl_arena_alloc(a, (size_t)(q - start) + 1);
    if (buf == NULL)
        return -1;
    for (o = buf; start < q; start++) {
        uint8_t c = *start;

        if (c == '\\') {
            switch (*++start) {
            case '"':
            case '\\':
            case '/':
                c = *start;
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            default: /* \u (surrogates, NUL) and invalid escapes: the full parser decides */
                return 0;
            }
        }
        *o++ = c;
    }
    *out = cl_bytes_of(buf, (size_t)(o - buf));
    return (high & highs) == 0 || cl_utf8_valid(*out) ? 1 : 0;
}

/* RFC 8259 §6 integer without fraction or exponent, at most 18 digits, no leading zeros, no
 * "-0": the numbers the fast readers take (json_loadb reads them as the same json_int_t). */
static bool
simple_int(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    const uint8_t *q = *p, *first;
    bool neg = false;
    int64_t v = 0;
    size_t nd = 0;

    if (q < end && *q == '-') {
        neg = true;
        q++;
    }
    first = q;
    if (q >= end || *q < '0' || *q > '9' || (*q == '0' && neg))
        return false;
    for (; q < end && *q >= '0' && *q <= '9'; q++, nd++) {
        if (nd == 18)
            return false;
        v = v * 10 + (*q - '0');
    }
    if ((nd > 1 && *first == '0') || (q < end && (*q == '.' || *q == 'e' || *q == 'E')))
        return false;
    *p = q;
    *out = neg ? -v : v;
    return true;
}

static const uint8_t *
skip_ws(const uint8_t *p, const uint8_t *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

int
cl_jose_json_flat(struct cl_arena *a, struct cl_bytes text, const struct cl_json_limits *lim,
                  struct cl_json_flat *m, size_t n)
{
    struct cl_json_limits def = cl_json_limits_default();
    const uint8_t *p = text.ptr, *end = text.ptr + text.len;
    struct cl_bytes k;
    size_t i;
    int r;

    for (i = 0; i < n; i++) {
        m[i].present = false;
        m[i].str = cl_bytes_of(NULL, 0);
        m[i].num = 0;
    }
    if (lim == NULL)
        lim = &def;
    if (text.len == 0 || text.len > lim->max_bytes || lim->max_depth < 1)
        return 0;
    p = skip_ws(p, end);
    if (p >= end || *p++ != '{')
        return 0;
    p = skip_ws(p, end);
    if (p < end && *p == '}') {
        p++;
        return skip_ws(p, end) == end ? 1 : 0;
    }
    for (;;) {
        if ((r = cl_jose_json_string_simple(a, &p, end, &k)) <= 0)
            return r;
        for (i = 0; i < n; i++)
            if (strlen(m[i].name) == k.len && memcmp(m[i].name, k.ptr, k.len) == 0)
                break;
        if (i == n || m[i].present)
            return 0; /* another member, or one met twice: json_loadb decides */
        p = skip_ws(p, end);
        if (p >= end || *p++ != ':')
            return 0;
        p = skip_ws(p, end);
        if (m[i].is_int) {
            if (!simple_int(&p, end, &m[i].num))
                return 0;
        } else if ((r = cl_jose_json_string_simple(a, &p, end, &m[i].str)) <= 0) {
            return r;
        }
        m[i].present = true;
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}')
            return skip_ws(p + 1, end) == end ? 1 : 0;
        return 0;
    }
}

/*
 * The common JSON text of a JWT (RFC 8259): objects, arrays, strings without \u escapes,
 * integers of at most 18 digits, true, false, null. Built here straight into jansson values,
 * since jansson's reader costs more than the verification around it. Anything else, and
 * every error, goes to json_loadb, which decides and names the offset: this path only ever
 * accepts texts json_loadb accepts, and builds the same tree.
 */
#if JANSSON_VERSION_HEX >= 0x020e00
#define FAST_JSON 1

struct fj {
    struct cl_arena *a;
    const uint8_t *p, *end;
    unsigned depth, max_depth;
    bool nomem; /* an allocation failed: report it, never retry with json_loadb */
};

static void
fj_ws(struct fj *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* A string's decoded bytes (in place, or in the arena when it has escapes) in *out, *n. */
static bool
fj_string(struct fj *s, const char **out, size_t *n)
{
    struct cl_bytes v;
    int r = cl_jose_json_string_simple(s->a, &s->p, s->end, &v);

    if (r < 0)
        s->nomem = true;
    if (r <= 0)
        return false;
    *out = (const char *)v.ptr;
    *n = v.len;
    return true;
}

static json_t *fj_value(struct fj *s);

/* After a member or element: 1 past a ',' (another follows), 0 past `close`, -1 otherwise. */
static int
fj_next(struct fj *s, uint8_t close)
{
    fj_ws(s);
    if (s->p < s->end && *s->p == ',') {
        s->p++;
        fj_ws(s);
        return 1;
    }
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return 0;
    }
    return -1;
}

static json_t *
fj_object(struct fj *s)
{
    json_t *obj = json_object(), *v;
    const char *k;
    size_t kn, size;
    int next;

    if (obj == NULL) {
        s->nomem = true;
        return NULL;
    }
    s->p++;
    fj_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return obj;
    }
    for (;;) {
        if (!fj_string(s, &k, &kn))
            break;
        fj_ws(s);
        if (s->p >= s->end || *s->p++ != ':')
            break;
        fj_ws(s);
        if ((v = fj_value(s)) == NULL)
            break;
        size = json_object_size(obj);
        if (json_object_setn_new_nocheck(obj, k, kn, v) != 0) {
            s->nomem = true; /* it released v */
            break;
        }
        /* RFC 7515 §5.2 step 4: a duplicate member name (it replaced a value instead of adding
         * one) is refused, by json_loadb here */
        if (json_object_size(obj) == size)
            break;
        next = fj_next(s, '}');
        if (next == 0)
            return obj;
        if (next < 0)
            break;
    }
    json_decref(obj);
    return NULL;
}

static json_t *
fj_array(struct fj *s)
{
    json_t *arr = json_array(), *v;
    int next;

    if (arr == NULL) {
        s->nomem = true;
        return NULL;
    }
    s->p++;
    fj_ws(s);
    if (s->p < s->end && *s->p == ']') {
        s->p++;
        return arr;
    }
    for (;;) {
        if ((v = fj_value(s)) == NULL)
            break;
        if (json_array_append_new(arr, v) != 0) {
            s->nomem = true; /* it released v */
            break;
        }
        next = fj_next(s, ']');
        if (next == 0)
            return arr;
        if (next < 0)
            break;
    }
    json_decref(arr);
    return NULL;
}

static json_t *
fj_value(struct fj *s)
{
    size_t left = (size_t)(s->end - s->p), nd = 0;
    const uint8_t *q = s->p;
    int64_t v = 0;
    const char *str;
    json_t *r;

    if (left == 0)
        return NULL;
    switch (*q) {
    case '"':
        if (!fj_string(s, &str, &nd))
            return NULL;
        r = json_stringn_nocheck(str, nd);
        s->nomem = s->nomem || r == NULL;
        return r;
    case '{':
    case '[':
        if (s->depth >= s->max_depth)
            return NULL;
        s->depth++;
        r = *q == '{' ? fj_object(s) : fj_array(s);
        s->depth--;
        return r;
    case 't':
        if (left < 4 || memcmp(q, "true", 4) != 0)
            return NULL;
        s->p += 4;
        return json_true();
    case 'f':
        if (left < 5 || memcmp(q, "false", 5) != 0)
            return NULL;
        s->p += 5;
        return json_false();
    case 'n':
        if (left < 4 || memcmp(q, "null", 4) != 0)
            return NULL;
        s->p += 4;
        return json_null();
    default:
        break;
    }
    /* RFC 8259 §6 integers without fraction or exponent, far from overflow; "-0", leading
     * zeros and every other number go to json_loadb */
    if (!simple_int(&s->p, s->end, &v))
        return NULL;
    r = json_integer((json_int_t)v);
    s->nomem = s->nomem || r == NULL;
    return r;
}

/* The whole text as one value, or NULL for json_loadb to decide (*nomem: out of memory). */
static json_t *
fj_parse(struct cl_arena *a, struct cl_bytes text, unsigned max_depth, bool *nomem)
{
    struct fj s = {a, text.ptr, text.ptr + text.len, 0, max_depth < 64 ? max_depth : 64, false};
    json_t *j;

    if (text.len == 0)
        return NULL;
    fj_ws(&s);
    j = fj_value(&s);
    *nomem = s.nomem;
    if (j == NULL)
        return NULL;
    fj_ws(&s);
    if (s.p != s.end) {
        json_decref(j);
        return NULL;
    }
    return j;
}
#endif

cl_err
cl_jose_json_parse(struct cl_arena *a, struct cl_bytes text, const struct cl_json_limits *lim,
                   const char *what, json_t **out, struct cl_error *err)
{
    struct cl_json_limits def = cl_json_limits_default();
    json_error_t je;
    json_t *j;
    size_t at = 0;
    bool nomem = false;

    *out = NULL;
    if (lim == NULL)
        lim = &def;
    if (what == NULL)
        what = "json";
    if (text.len > lim->max_bytes)
        return cl_fail(err, CL_ERR_TOO_LARGE, what, "JSON text is %zu bytes, over the limit of %zu",
                       text.len, lim->max_bytes);
#ifdef FAST_JSON
    /* the fast reader keeps to lim->max_depth itself: what it takes passes depth_ok */
    j = fj_parse(a, text, lim->max_depth, &nomem);
    if (nomem)
        return cl_fail(err, CL_ERR_NOMEM, what, "out of memory parsing JSON");
    if (j != NULL) {
        if (jose_json_defer(a, j, err) != CL_OK)
            return CL_ERR_NOMEM;
        *out = j;
        return CL_OK;
    }
#endif
    if (!depth_ok(text, lim->max_depth, &at))
        return cl_fail(err, CL_ERR_TOO_LARGE, what,
                       "JSON nests deeper than %u levels at offset %zu", lim->max_depth, at);
    /* RFC 7515 §5.2 step 4 and RFC 7519 §4: reject duplicate member names; no "\u0000"
     * (JSON_ALLOW_NUL not given); any value at the top so that the caller names the type */
    j = json_loadb(text.len != 0 ? (const char *)text.ptr : "", text.len,
                   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (j == NULL) {
        int pos = je.position;

        switch (json_error_code(&je)) {
        case json_error_out_of_memory:
            return cl_fail(err, CL_ERR_NOMEM, what, "out of memory parsing JSON");
        case json_error_stack_overflow:
            return cl_fail(err, CL_ERR_TOO_LARGE, what, "JSON nests too deeply");
        case json_error_duplicate_key:
            return cl_fail(err, CL_ERR_DUPLICATE, what,
                           "duplicate member name in JSON object at offset %d", pos);
        case json_error_invalid_utf8:
            return cl_fail(err, CL_ERR_ENCODING, what, "JSON is not valid UTF-8 at offset %d", pos);
        case json_error_null_character:
        case json_error_null_byte_in_key:
            return cl_fail(err, CL_ERR_INPUT, what, "JSON contains \\u0000 at offset %d", pos);
        case json_error_numeric_overflow:
            return cl_fail(err, CL_ERR_INPUT, what, "JSON number out of range at offset %d", pos);
        case json_error_end_of_input_expected:
            return cl_fail(err, CL_ERR_INPUT, what, "bytes after the JSON value at offset %d", pos);
        case json_error_premature_end_of_input:
            return cl_fail(err, CL_ERR_TRUNCATED, what, "JSON ends before its value does");
        default:
            return cl_fail(err, CL_ERR_INPUT, what, "not valid JSON at offset %d", pos);
        }
    }
    if (jose_json_defer(a, j, err) != CL_OK)
        return CL_ERR_NOMEM;
    *out = j;
    return CL_OK;
}

void
jose_json_dump(struct cl_buf *out, const json_t *j)
{
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    size_t n = json_dumpb(j, NULL, 0, flags);
    uint8_t *p;

    if (n == 0) {
        cl_buf_set_err(out, CL_ERR_NOMEM);
        return;
    }
    p = cl_buf_extend(out, n);
    if (p != NULL && json_dumpb(j, (char *)p, n, flags) != n)
        cl_buf_set_err(out, CL_ERR_INTERNAL);
}

/* RFC 7518 §3.4: each ES alg is bound to one curve and one hash */
static const struct {
    enum cl_jose_alg alg;
    const char *name;
    enum cl_hash_alg hash;
    enum cl_curve curve;
} algs[] = {
    {CL_JOSE_ES256, "ES256", CL_HASH_SHA256, CL_CURVE_P256},
    {CL_JOSE_ES384, "ES384", CL_HASH_SHA384, CL_CURVE_P384},
    {CL_JOSE_ES512, "ES512", CL_HASH_SHA512, CL_CURVE_P521},
};

const char *
cl_jose_alg_name(enum cl_jose_alg alg)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(algs); i++)
        if (algs[i].alg == alg)
            return algs[i].name;
    return NULL;
}

enum cl_jose_alg
cl_jose_alg_from_name(const char *s)
{
    if (s == NULL)
        return CL_JOSE_ALG_UNKNOWN;
    for (size_t i = 0; i < CL_ARRAY_LEN(algs); i++)
        if (strcmp(algs[i].name, s) == 0)
            return algs[i].alg;
    return CL_JOSE_ALG_UNKNOWN;
}

enum cl_jose_alg
cl_jose_alg_for_key(const struct cl_key *key)
{
    enum cl_curve c = cl_key_curve(key);

    for (size_t i = 0; i < CL_ARRAY_LEN(algs); i++)
        if (algs[i].curve == c)
            return algs[i].alg;
    return CL_JOSE_ALG_UNKNOWN;
}

bool
jose_alg_params(enum cl_jose_alg alg, enum cl_hash_alg *hash, enum cl_curve *curve)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(algs); i++) {
        if (algs[i].alg == alg) {
            *hash = algs[i].hash;
            *curve = algs[i].curve;
            return true;
        }
    }
    return false;
}
