/* parse.c - SD-JWT serialization and disclosures (RFC 9901 §4, §7.1 steps 1-2), the payload
 * processing of §7.1 steps 3-5 over the received disclosure strings, and shared helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/limits.h"
#include "sdjwt/sdjwt_int.h"

#include "base/banned.h"

struct cl_sdjwt_limits
cl_sdjwt_limits_default(void)
{
    struct cl_sdjwt_limits l;

    l.max_bytes = CL_LIMIT_JWS_BYTES;
    l.max_disclosures = 1024;
    l.max_depth = 64;
    l.json = cl_json_limits_default();
    return l;
}

const char *
cl_sdjwt_alg_name(enum cl_hash_alg alg)
{
    switch (alg) {
    case CL_HASH_SHA256:
        return "sha-256";
    case CL_HASH_SHA384:
        return "sha-384";
    case CL_HASH_SHA512:
        return "sha-512";
    }
    return NULL;
}

static void
decref(void *p)
{
    json_decref((json_t *)p);
}

cl_err
sdjwt_json_defer(struct cl_arena *a, json_t *j, struct cl_error *err)
{
    if (j == NULL)
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    if (cl_arena_defer(a, decref, j) != CL_OK) {
        json_decref(j);
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    }
    return CL_OK;
}

void
sdjwt_json_dump(struct cl_buf *out, const json_t *j)
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

cl_err
sdjwt_digest_b64(enum cl_hash_alg alg, struct cl_bytes in, char *out, struct cl_error *err)
{
    /* RFC 4648 §5, unpadded: encoded here into out, a digest being at most 64 bytes */
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint8_t h[CL_HASH_MAX];
    size_t n = cl_hash_len(alg), i, o = 0;
    cl_err rc = cl_hash(alg, in, h, err);

    if (rc != CL_OK)
        return rc;
    if ((4 * n + 2) / 3 >= CL_SDJWT_DIGEST_B64_MAX)
        return cl_fail(err, CL_ERR_INTERNAL, "digest", "digest too long to encode");
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)h[i] << 16 | (uint32_t)h[i + 1] << 8 | h[i + 2];

        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = abc[v & 63];
    }
    if (n - i == 1) {
        out[o++] = abc[h[i] >> 2];
        out[o++] = abc[(h[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)h[i] << 8 | h[i + 1];

        out[o++] = abc[v >> 10];
        out[o++] = abc[(v >> 4) & 63];
        out[o++] = abc[(v & 15) << 2];
    }
    out[o] = '\0';
    return CL_OK;
}

json_t *
sdjwt_child(const json_t *parent, const char *token)
{
    if (json_is_object(parent))
        return json_object_get(parent, token);
    if (json_is_array(parent)) {
        size_t i = 0;
        const char *p = token;

        /* RFC 6901 §4: decimal without leading zeros */
        if (*p == '\0' || (*p == '0' && p[1] != '\0'))
            return NULL;
        for (; *p != '\0'; p++) {
            if (*p < '0' || *p > '9' || i > (SIZE_MAX - 9) / 10)
                return NULL;
            i = i * 10 + (size_t)(*p - '0');
        }
        return json_array_get(parent, i);
    }
    return NULL;
}

json_t *
cl_sdjwt_pointer_get(const json_t *root, const char *ptr)
{
    char tok[256];
    const json_t *cur = root;

    if (ptr == NULL)
        return NULL;
    while (*ptr != '\0') {
        size_t n = 0;

        if (*ptr != '/' || cur == NULL)
            return NULL;
        ptr++;
        while (*ptr != '\0' && *ptr != '/') {
            char c = *ptr++;

            if (c == '~') {
                c = *ptr == '0' ? '~' : *ptr == '1' ? '/' : '\0';
                if (c == '\0')
                    return NULL;
                ptr++;
            }
            if (n + 1 >= sizeof tok)
                return NULL;
            tok[n++] = c;
        }
        tok[n] = '\0';
        cur = sdjwt_child(cur, tok);
    }
    return (json_t *)cur;
}

bool
cl_sdjwt_vc_never_sd(const char *ptr)
{
    /* draft-ietf-oauth-sd-jwt-vc §3.2.2.2: these claims MUST NOT be selectively disclosed,
     * nor anything inside them */
    static const char *const never[] = {"/iss", "/nbf",           "/exp",      "/cnf",
                                        "/vct", "/vct#integrity", "/aka_vcts", "/status"};

    for (size_t i = 0; i < CL_ARRAY_LEN(never); i++) {
        size_t n = strlen(never[i]);

        if (strncmp(ptr, never[i], n) == 0 && (ptr[n] == '\0' || ptr[n] == '/'))
            return true;
    }
    return false;
}

/* ---- parsing ---- */

static int
cmp_index_digest(const void *x, const void *y, void *ctx)
{
    const struct cl_sdjwt_disclosure *d = ctx;

    return strcmp(d[*(const size_t *)x].digest, d[*(const size_t *)y].digest);
}

/* qsort_r is not C11: a small insertion sort over indices is enough for max_disclosures. */
static void
sort_by_digest(size_t *idx, size_t n, const struct cl_sdjwt_disclosure *d)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;

        while (j > 0 && cmp_index_digest(&idx[j - 1], &v, (void *)d) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

/* ---- the common disclosure, decoded without a general JSON parser ---- */

/* A cursor over a disclosure's JSON text for the fast path below. */
struct scan {
    const uint8_t *p, *end;
    bool nomem; /* an allocation failed: report it, never retry with the general parser */
};

static void
scan_ws(struct scan *s)
{
    /* RFC 8259 §2: insignificant whitespace */
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* A value jansson made, noting when it could not. */
static json_t *
scan_made(struct scan *s, json_t *j)
{
    if (j == NULL)
        s->nomem = true;
    return j;
}

/* A JSON string (RFC 8259 §7) without \u escapes, as a NUL-terminated copy in the arena: NULL
 * when the string is not one the fast path takes (the general parser then decides) or on no
 * memory. */
static const char *
scan_cstring(struct cl_arena *a, struct scan *s)
{
    struct cl_bytes v;
    const char *c;
    int r = cl_jose_json_string_simple(a, &s->p, s->end, &v);

    if (r < 0)
        s->nomem = true;
    if (r <= 0)
        return NULL;
    c = cl_arena_strndup(a, v);
    if (c == NULL)
        s->nomem = true;
    return c;
}

/* A JSON string as a new jansson string; NULL as for scan_cstring. */
static json_t *
scan_string(struct cl_arena *a, struct scan *s)
{
    struct cl_bytes v;
    int r = cl_jose_json_string_simple(a, &s->p, s->end, &v);

    if (r < 0)
        s->nomem = true;
    if (r <= 0)
        return NULL;
    return scan_made(s, json_stringn_nocheck((const char *)v.ptr, v.len));
}

/* A string, literal or small integer value; NULL for anything else. */
static json_t *
scan_value(struct cl_arena *a, struct scan *s)
{
    size_t left = (size_t)(s->end - s->p), nd = 0;
    const uint8_t *q = s->p;
    bool neg = false;
    json_int_t v = 0;

    if (left == 0)
        return NULL;
    if (*q == '"')
        return scan_string(a, s);
    if (left >= 4 && memcmp(q, "true", 4) == 0) {
        s->p += 4;
        return json_true();
    }
    if (left >= 5 && memcmp(q, "false", 5) == 0) {
        s->p += 5;
        return json_false();
    }
    if (left >= 4 && memcmp(q, "null", 4) == 0) {
        s->p += 4;
        return json_null();
    }
    /* RFC 8259 §6 integers without fraction or exponent, far from overflow; "-0" and every
     * other number go to the general parser */
    if (*q == '-') {
        neg = true;
        q++;
    }
    if (q >= s->end || *q < '0' || *q > '9' || (*q == '0' && neg))
        return NULL;
    for (; q < s->end && *q >= '0' && *q <= '9'; q++, nd++) {
        if (nd == 18)
            return NULL; /* 19 digits may not fit: the general parser says */
        v = v * 10 + (*q - '0');
    }
    if ((nd > 1 && s->p[neg ? 1 : 0] == '0') ||
        (q < s->end && (*q == '.' || *q == 'e' || *q == 'E')))
        return NULL;
    s->p = q;
    return scan_made(s, json_integer(neg ? -v : v));
}

/* Past a ',' between elements (with the whitespace around it). */
static bool
scan_comma(struct scan *s)
{
    scan_ws(s);
    if (s->p >= s->end || *s->p != ',')
        return false;
    s->p++;
    scan_ws(s);
    return true;
}

/* RFC 9901 §4.2.1-4.2.2: a disclosure is ["salt", "name", value] or ["salt", value]. This
 * reads the common disclosure (string salt and name, a string, literal or small integer value,
 * no \u escapes) without building a jansson array: salt and name into the arena, the value as
 * the one jansson value the processed payload takes. It accepts only what the general strict
 * parser accepts, with the same result (tests/unit/sdjwt/test_fastpath.c). For any other text
 * it returns false and the general parser decides, with its errors. */
static bool
fast_disclosure(struct cl_arena *a, struct cl_bytes raw, const struct cl_json_limits *lim,
                struct cl_sdjwt_disclosure *d, bool *nomem)
{
    struct scan s = {raw.ptr, raw.ptr + raw.len, false};
    const char *salt, *second = NULL;
    json_t *v = NULL;

    *nomem = false;
    if (raw.len == 0 || raw.len > lim->max_bytes || lim->max_depth < 1)
        return false;
    scan_ws(&s);
    if (s.p >= s.end || *s.p++ != '[')
        return false;
    scan_ws(&s);
    if ((salt = scan_cstring(a, &s)) == NULL || !scan_comma(&s))
        goto out;
    if (s.p < s.end && *s.p == '"') {
        /* a string: the name of a 3-element disclosure, or the value of a 2-element one */
        const uint8_t *at = s.p;

        if ((second = scan_cstring(a, &s)) == NULL)
            goto out;
        if (scan_comma(&s)) {
            v = scan_value(a, &s);
        } else {
            s.p = at; /* read it again as the value */
            second = NULL;
            v = scan_value(a, &s);
        }
    } else {
        v = scan_value(a, &s);
    }
    if (v == NULL)
        goto out;
    scan_ws(&s);
    if (s.p >= s.end || *s.p++ != ']')
        goto out;
    scan_ws(&s);
    if (s.p != s.end)
        goto out; /* bytes after the array */
    /* on failure the defer has released v already */
    if (sdjwt_json_defer(a, v, NULL) != CL_OK) {
        *nomem = true;
        return false;
    }
    d->salt = salt;
    d->name = second;
    d->value = v;
    return true;
out:
    json_decref(v);
    *nomem = s.nomem;
    return false;
}

static cl_err
parse_disclosure(struct cl_arena *a, struct cl_bytes enc, const struct cl_sdjwt_limits *lim,
                 enum cl_hash_alg alg, struct cl_sdjwt_disclosure *d, struct cl_error *err)
{
    struct cl_bytes raw;
    json_t *arr, *salt;
    size_t n;
    bool nomem = false;
    cl_err rc;

    d->encoded = enc;
    d->parent = -1;
    if (enc.len == 0)
        return cl_fail(err, CL_ERR_INPUT, NULL, "empty disclosure (two '~' in a row)");
    rc = cl_b64url_decode_arena(a, enc, &raw, err);
    if (rc != CL_OK)
        return rc;
    if (fast_disclosure(a, raw, &lim->json, d, &nomem))
        goto named;
    if (nomem)
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    rc = cl_jose_json_parse(a, raw, &lim->json, "disclosure", &arr, err);
    if (rc != CL_OK)
        return rc;
    /* RFC 9901 §7.1 step 3.c.ii: a 3-element array (object property) or 2 (array element) */
    if (!json_is_array(arr))
        return cl_fail(err, CL_ERR_INPUT, NULL, "disclosure is not a JSON array");
    n = json_array_size(arr);
    if (n != 2 && n != 3)
        return cl_fail(err, CL_ERR_INPUT, NULL,
                       "disclosure has %zu elements, not 3 (property) or 2 (array element)", n);
    salt = json_array_get(arr, 0);
    if (!json_is_string(salt))
        return cl_fail(err, CL_ERR_INPUT, "salt", "disclosure salt is not a string");
    d->salt = json_string_value(salt);
    d->name = NULL;
    if (n == 3) {
        json_t *name = json_array_get(arr, 1);

        if (!json_is_string(name))
            return cl_fail(err, CL_ERR_INPUT, "name", "disclosure claim name is not a string");
        d->name = json_string_value(name);
    }
    d->value = json_array_get(arr, n - 1); /* borrowed: arr is the arena's until fini */
named:
    /* §7.1 step 3.c.ii.2: the reserved names */
    if (d->name != NULL && (strcmp(d->name, "_sd") == 0 || strcmp(d->name, "...") == 0))
        return cl_fail(err, CL_ERR_INPUT, "name", "disclosure uses the reserved claim name \"%s\"",
                       d->name);
    return sdjwt_digest_b64(alg, enc, d->digest, err);
}

cl_err
cl_sdjwt_parse(struct cl_arena *a, struct cl_bytes text, const struct cl_sdjwt_limits *lim_in,
               struct cl_sdjwt *out, struct cl_error *err)
{
    struct cl_sdjwt_limits lim = lim_in != NULL ? *lim_in : cl_sdjwt_limits_default();
    struct cl_jws_opts jo = cl_jws_opts_default();
    struct cl_sdjwt sd;
    const uint8_t *p, *end, *tilde, *last;
    size_t n = 0, i;
    json_t *alg;
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&sd, 0, sizeof sd);
    if (text.len > lim.max_bytes)
        return cl_fail(err, CL_ERR_TOO_LARGE, "sd_jwt", "SD-JWT is over %zu bytes", lim.max_bytes);
    if (text.len == 0)
        return cl_fail(err, CL_ERR_INPUT, "sd_jwt", "empty SD-JWT");
    end = text.ptr + text.len;
    tilde = memchr(text.ptr, '~', text.len);
    if (tilde == NULL)
        return cl_fail(err, CL_ERR_INPUT, "sd_jwt",
                       "no '~' after the issuer-signed JWT (RFC 9901 §4)");
    last = tilde;
    for (p = tilde; p != NULL; p = memchr(p + 1, '~', (size_t)(end - p - 1))) {
        last = p;
        n++;
    }
    n--; /* separators after the JWT minus the one that ends the last disclosure */
    if (n > lim.max_disclosures)
        return cl_fail(err, CL_ERR_TOO_LARGE, "disclosures", "more than %zu disclosures",
                       lim.max_disclosures);
    sd.issuer_jwt = cl_bytes_of(text.ptr, (size_t)(tilde - text.ptr));
    sd.presented = cl_bytes_of(text.ptr, (size_t)(last - text.ptr) + 1);
    sd.kb_jwt = cl_bytes_of(last + 1, (size_t)(end - last - 1));

    jo.max_bytes = lim.max_bytes;
    jo.json = lim.json;
    jo.flags = CL_JWS_PAYLOAD_JSON | CL_JWS_HEADER_FLAT; /* x5c headers take the general path */
    rc = cl_jws_parse(a, sd.issuer_jwt, &jo, &sd.jws, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuer_jwt");
        return rc;
    }
    /* RFC 9901 §4.1.1: _sd_alg at the top level, default sha-256 */
    sd.sd_alg = CL_HASH_SHA256;
    alg = json_object_get(sd.jws.claims, "_sd_alg");
    if (alg != NULL) {
        const char *s = json_string_value(alg);

        if (s == NULL)
            return cl_fail(err, CL_ERR_INPUT, "payload._sd_alg", "_sd_alg is not a string");
        if (strcmp(s, "sha-256") == 0)
            sd.sd_alg = CL_HASH_SHA256;
        else if (strcmp(s, "sha-384") == 0)
            sd.sd_alg = CL_HASH_SHA384;
        else if (strcmp(s, "sha-512") == 0)
            sd.sd_alg = CL_HASH_SHA512;
        else
            return cl_fail(err, CL_ERR_UNSUPPORTED, "payload._sd_alg",
                           "_sd_alg names a hash we do not support");
    }
    sd.ndisclosures = n;
    sd.disclosures = cl_arena_calloc(a, n != 0 ? n : 1, sizeof *sd.disclosures);
    sd.by_digest = cl_arena_calloc(a, n != 0 ? n : 1, sizeof *sd.by_digest);
    if (sd.disclosures == NULL || sd.by_digest == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "disclosures", "out of memory");
    p = tilde + 1;
    for (i = 0; i < n; i++) {
        const uint8_t *q = memchr(p, '~', (size_t)(end - p));
        char where[32];

        rc = parse_disclosure(a, cl_bytes_of(p, (size_t)(q - p)), &lim, sd.sd_alg,
                              &sd.disclosures[i], err);
        if (rc != CL_OK) {
            snprintf(where, sizeof where, "disclosures[%zu]", i);
            cl_error_nest(err, where);
            return rc;
        }
        sd.by_digest[i] = i;
        p = q + 1;
    }
    sort_by_digest(sd.by_digest, n, sd.disclosures);
    for (i = 1; i < n; i++)
        if (strcmp(sd.disclosures[sd.by_digest[i - 1]].digest,
                   sd.disclosures[sd.by_digest[i]].digest) == 0) {
            char where[32];

            snprintf(where, sizeof where, "disclosures[%zu]", sd.by_digest[i]);
            return cl_fail(err, CL_ERR_DUPLICATE, where,
                           "disclosure sent twice (same digest as disclosures[%zu])",
                           sd.by_digest[i - 1]);
        }
    *out = sd;
    return CL_OK;
}

/* ---- processing (RFC 9901 §7.1 steps 3-5) ---- */

struct proc {
    struct cl_arena *a;
    struct cl_sdjwt *sd;
    unsigned flags;
    unsigned max_depth;
    const char **seen; /* every digest met in the payload, to find one met twice */
    size_t nseen, capseen;
    struct cl_buf path; /* JSON pointer of the value being processed (PATHS) */
    struct cl_error *err;
};

static long
find_disclosure(const struct cl_sdjwt *sd, const char *digest)
{
    size_t lo = 0, hi = sd->ndisclosures;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(sd->disclosures[sd->by_digest[mid]].digest, digest);

        if (c == 0)
            return (long)sd->by_digest[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static cl_err
note_digest(struct proc *pr, const char *digest, const char *where)
{
    if (pr->nseen == pr->capseen) {
        size_t cap = pr->capseen != 0 ? pr->capseen * 2 : 64;
        const char **s = cl_arena_alloc(pr->a, cap * sizeof *s);

        if (s == NULL)
            return cl_fail(pr->err, CL_ERR_NOMEM, where, "out of memory");
        if (pr->nseen != 0)
            memcpy(s, pr->seen, pr->nseen * sizeof *s);
        pr->seen = s;
        pr->capseen = cap;
    }
    pr->seen[pr->nseen++] = digest;
    return CL_OK;
}

static void
path_push_token(struct cl_buf *b, const char *tok)
{
    cl_buf_append_byte(b, '/');
    for (; *tok != '\0'; tok++) {
        if (*tok == '~')
            cl_buf_append_str(b, "~0");
        else if (*tok == '/')
            cl_buf_append_str(b, "~1");
        else
            cl_buf_append_byte(b, (uint8_t)*tok);
    }
}

static cl_err process_value(struct proc *pr, json_t *v, long owner, unsigned depth);

#define WHERE_MAX 48 /* "_sd[N]", "[N]" */

static const char *
where_of(char *buf, size_t n, const char *what, size_t i)
{
    snprintf(buf, n, "%s[%zu]", what, i);
    return buf;
}

/* Take the disclosure a digest names, or -1 when none does (a decoy or undisclosed claim).
 * The digest is "_sd"[i] of an object or element i of an array (in_array); where (WHERE_MAX
 * bytes) is written only when it fails, for the caller to nest. */
static cl_err
use_digest(struct proc *pr, json_t *dj, long owner, bool in_array, size_t i, char *where, long *out)
{
    const char *digest = json_string_value(dj);
    struct cl_sdjwt_disclosure *d;
    long k;
    cl_err rc;

    *out = -1;
    if (digest == NULL) {
        rc = cl_fail(pr->err, CL_ERR_INPUT, NULL, "digest is not a string");
        goto fail;
    }
    k = find_disclosure(pr->sd, digest);
    *out = k;
    if (k < 0) {
        /* decoys and undisclosed claims: kept (the string leaves with its "_sd") to find one
         * met twice; digests of disclosures are counted by refs */
        const char *copy = cl_arena_strdup(pr->a, digest);

        rc = copy != NULL ? note_digest(pr, copy, NULL)
                          : cl_fail(pr->err, CL_ERR_NOMEM, NULL, "out of memory");
        if (rc != CL_OK)
            goto fail;
        return CL_OK;
    }
    d = &pr->sd->disclosures[k];
    if (d->refs != 0) /* the duplicate scan names it too; fail here with the disclosure */
        rc = cl_fail(pr->err, CL_ERR_DUPLICATE, NULL,
                     "digest of disclosures[%ld] appears more than once", k);
    else if (in_array && d->name != NULL)
        rc = cl_fail(pr->err, CL_ERR_INPUT, NULL,
                     "array element digest names a 3-element (object property) disclosure");
    else if (!in_array && d->name == NULL)
        rc = cl_fail(pr->err, CL_ERR_INPUT, NULL,
                     "_sd digest names a 2-element (array element) disclosure");
    else
        rc = CL_OK;
    if (rc != CL_OK)
        goto fail;
    d->refs++;
    d->parent = owner;
    return CL_OK;
fail:
    /* formatted on failure only: a verifier meets every digest */
    cl_error_nest(pr->err, where_of(where, WHERE_MAX, in_array ? "" : "_sd", i));
    return rc;
}

static cl_err
process_object(struct proc *pr, json_t *obj, long owner, unsigned depth)
{
    json_t *sdarr = json_object_get(obj, "_sd");
    const char *key;
    json_t *val;
    size_t plen = pr->path.len, i, size;
    char where[WHERE_MAX];
    cl_err rc;

    if (sdarr != NULL) {
        if (!json_is_array(sdarr))
            return cl_fail(pr->err, CL_ERR_INPUT, "_sd", "_sd is not an array");
        json_incref(sdarr);
        if (json_object_del(obj, "_sd") != 0) {
            json_decref(sdarr);
            return cl_fail(pr->err, CL_ERR_INTERNAL, "_sd", "cannot remove _sd");
        }
    }
    /* the claims in the clear first, then the disclosed ones (whose names must be new) */
    json_object_foreach(obj, key, val)
    {
        if (pr->flags & CL_SDJWT_PROCESS_PATHS)
            path_push_token(&pr->path, key);
        rc = process_value(pr, val, owner, depth + 1);
        pr->path.len = plen;
        if (rc != CL_OK) {
            cl_error_nest(pr->err, key); /* where names the path: "address._sd[0]" */
            goto out;
        }
    }
    rc = CL_OK;
    for (i = 0; sdarr != NULL && i < json_array_size(sdarr); i++) {
        struct cl_sdjwt_disclosure *d;
        long k;

        rc = use_digest(pr, json_array_get(sdarr, i), owner, false, i, where, &k);
        if (rc != CL_OK || k < 0)
            goto next;
        d = &pr->sd->disclosures[k];
        /* the value goes in first and is processed in place; §7.1 step 3.c.ii.3: the name must
         * not exist at this level (it replaced a member instead of adding one) */
        size = json_object_size(obj);
        if (json_object_set(obj, d->name, d->value) != 0) {
            rc = cl_fail(pr->err, CL_ERR_NOMEM, where_of(where, sizeof where, "_sd", i),
                         "out of memory");
            goto next;
        }
        if (json_object_size(obj) == size) {
            rc = cl_fail(pr->err, CL_ERR_DUPLICATE, where_of(where, sizeof where, "_sd", i),
                         "disclosed claim name \"%s\" already exists in the object", d->name);
            goto next;
        }
        if (pr->flags & CL_SDJWT_PROCESS_PATHS) {
            path_push_token(&pr->path, d->name);
            d->path = cl_arena_strndup(pr->a, cl_buf_bytes(&pr->path));
        }
        rc = process_value(pr, d->value, k, depth + 1);
        pr->path.len = plen;
        if (rc != CL_OK)
            cl_error_nest(pr->err, d->name);
    next:
        if (rc != CL_OK)
            break;
    }
out:
    json_decref(sdarr);
    return rc;
}

static cl_err
process_array(struct proc *pr, json_t *arr, long owner, unsigned depth)
{
    size_t plen = pr->path.len, i = 0, orig = 0;
    char where[WHERE_MAX];
    cl_err rc;

    while (i < json_array_size(arr)) {
        json_t *el = json_array_get(arr, i), *dj;
        long k;

        if (json_is_object(el) && json_object_size(el) == 1 &&
            (dj = json_object_get(el, "...")) != NULL) {
            /* RFC 9901 §4.2.4.2: {"...": digest} stands for an array element */
            rc = use_digest(pr, dj, owner, true, orig, where, &k);
            if (rc != CL_OK)
                return rc;
            orig++;
            if (k < 0) {
                if (json_array_remove(arr, i) != 0)
                    return cl_fail(pr->err, CL_ERR_INTERNAL,
                                   where_of(where, sizeof where, "", orig - 1),
                                   "cannot remove an element");
                continue;
            }
            if (pr->flags & CL_SDJWT_PROCESS_PATHS) {
                cl_buf_printf(&pr->path, "/%zu", i);
                pr->sd->disclosures[k].path = cl_arena_strndup(pr->a, cl_buf_bytes(&pr->path));
            }
            el = pr->sd->disclosures[k].value;
            rc = process_value(pr, el, k, depth + 1);
            pr->path.len = plen;
            if (rc != CL_OK || json_array_set(arr, i, el) != 0) {
                where_of(where, sizeof where, "", orig - 1);
                if (rc != CL_OK) {
                    cl_error_nest(pr->err, where);
                    return rc;
                }
                return cl_fail(pr->err, CL_ERR_NOMEM, where, "out of memory");
            }
            i++;
            continue;
        }
        orig++;
        if (pr->flags & CL_SDJWT_PROCESS_PATHS)
            cl_buf_printf(&pr->path, "/%zu", i);
        rc = process_value(pr, el, owner, depth + 1);
        pr->path.len = plen;
        if (rc != CL_OK) {
            cl_error_nest(pr->err, where_of(where, sizeof where, "", orig - 1));
            return rc;
        }
        i++;
    }
    return CL_OK;
}

static cl_err
process_value(struct proc *pr, json_t *v, long owner, unsigned depth)
{
    if (depth > pr->max_depth)
        return cl_fail(pr->err, CL_ERR_TOO_LARGE, "payload",
                       "processed payload nests deeper than %u", pr->max_depth);
    if (json_is_object(v))
        return process_object(pr, v, owner, depth);
    if (json_is_array(v))
        return process_array(pr, v, owner, depth);
    return CL_OK;
}

static int
cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

cl_err
cl_sdjwt_process(struct cl_arena *a, struct cl_sdjwt *sd, unsigned flags, json_t **out,
                 struct cl_error *err)
{
    struct proc pr;
    json_t *claims = sd->jws.claims;
    cl_err rc;
    size_t i;

    *out = NULL;
    memset(&pr, 0, sizeof pr);
    pr.a = a;
    pr.sd = sd;
    pr.flags = flags;
    pr.max_depth = cl_sdjwt_limits_default().max_depth;
    pr.err = err;
    cl_buf_init_ex(&pr.path, 1 << 16, false);
    if (!json_is_object(claims)) {
        rc = cl_fail(err, CL_ERR_INPUT, "payload", "payload is not a JSON object");
        goto out;
    }
    rc = process_object(&pr, claims, -1, 1);
    if (rc != CL_OK) {
        cl_error_nest(err, "payload");
        goto out;
    }
    if (pr.path.err != CL_OK || a->err != CL_OK) {
        rc = cl_fail(err, CL_ERR_NOMEM, "payload", "out of memory");
        goto out;
    }
    /* §7.1 step 4: a digest met more than once anywhere (decoys included) */
    if (pr.nseen > 1)
        qsort(pr.seen, pr.nseen, sizeof *pr.seen, cmp_str);
    for (i = 1; i < pr.nseen; i++)
        if (strcmp(pr.seen[i - 1], pr.seen[i]) == 0) {
            rc = cl_fail(err, CL_ERR_DUPLICATE, "payload",
                         "a digest appears more than once in the payload and disclosures");
            goto out;
        }
    /* §7.1 step 5: every disclosure referenced */
    for (i = 0; i < sd->ndisclosures; i++)
        if (sd->disclosures[i].refs == 0) {
            char where[32];

            snprintf(where, sizeof where, "disclosures[%zu]", i);
            rc = cl_fail(err, CL_ERR_INPUT, where,
                         "disclosure is referenced by no digest in the payload");
            goto out;
        }
    json_object_del(claims, "_sd_alg");
    *out = claims;
out:
    cl_buf_fini(&pr.path);
    return rc;
}
