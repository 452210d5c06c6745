/* json.c - strict JSON for JOSE on jansson: limits checked before parsing, trees owned by
 * arenas, messages naming offsets and never content; the JWS algorithm table. */
#include <string.h>

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

cl_err
cl_jose_json_parse(struct cl_arena *a, struct cl_bytes text, const struct cl_json_limits *lim,
                   const char *what, json_t **out, struct cl_error *err)
{
    struct cl_json_limits def = cl_json_limits_default();
    json_error_t je;
    json_t *j;
    size_t at = 0;

    *out = NULL;
    if (lim == NULL)
        lim = &def;
    if (what == NULL)
        what = "json";
    if (text.len > lim->max_bytes)
        return cl_fail(err, CL_ERR_TOO_LARGE, what, "JSON text is %zu bytes, over the limit of %zu",
                       text.len, lim->max_bytes);
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
