/* validate.c - claims given to an issuer checked against a credential type: every problem is
 * reported (unknown, wrong type, missing, too long, bad date, bad $b64), never the values. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/time.h"
#include "catalog/catalog_int.h"

#include "base/banned.h"

#define PATH_MAX_ 256

struct path {
    char s[PATH_MAX_];
    size_t len;
};

struct vctx {
    struct cl_arena *a;
    struct cl_catalog_report *rep;
    size_t cap;
    bool oom;
};

static void problem(struct vctx *x, const struct path *p, cl_err code, const char *fmt, ...)
    CL_PRINTF(4, 5);

static void
problem(struct vctx *x, const struct path *p, cl_err code, const char *fmt, ...)
{
    struct cl_catalog_report *rep = x->rep;
    struct cl_catalog_problem *pr;
    char msg[CL_ERROR_MSG_MAX];
    va_list ap;

    if (x->oom)
        return;
    if (rep->nproblems >= CL_CATALOG_PROBLEMS_MAX) {
        rep->dropped++;
        return;
    }
    if (rep->nproblems == x->cap) {
        size_t cap = x->cap != 0 ? x->cap * 2 : 8;
        struct cl_catalog_problem *np = cl_arena_calloc(x->a, cap, sizeof *np);

        if (np == NULL) {
            x->oom = true;
            return;
        }
        if (rep->nproblems != 0)
            memcpy(np, rep->problems, rep->nproblems * sizeof *np);
        rep->problems = np;
        x->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pr = &rep->problems[rep->nproblems];
    pr->code = code;
    pr->path = cl_arena_strdup(x->a, p->s);
    pr->msg = cl_arena_strdup(x->a, msg);
    if (pr->path == NULL || pr->msg == NULL) {
        x->oom = true;
        return;
    }
    rep->nproblems++;
}

/* Append a segment; returns the old length for path_pop. Over-long paths end in "...". */
static size_t path_push(struct path *p, const char *fmt, ...) CL_PRINTF(2, 3);

static size_t
path_push(struct path *p, const char *fmt, ...)
{
    size_t old = p->len;
    va_list ap;
    int n;

    if (p->len >= sizeof p->s - 4)
        return old;
    va_start(ap, fmt);
    n = vsnprintf(p->s + p->len, sizeof p->s - p->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof p->s - p->len) {
        p->len = sizeof p->s - 4;
        memcpy(p->s + p->len, "...", 4);
    } else {
        p->len += (size_t)n;
    }
    return old;
}

static void
path_pop(struct path *p, size_t old)
{
    p->len = old;
    p->s[old] = '\0';
}

static size_t
utf8_count(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        n += ((uint8_t)s[i] & 0xc0) != 0x80;
    return n;
}

/* Whether v is {"$b64": string}, the JSON form of a bstr. */
bool
catalog_is_b64(const json_t *v)
{
    return json_is_object(v) && json_object_size(v) == 1 &&
           json_is_string(json_object_get(v, "$b64"));
}

/* Decode {"$b64": ...}: base64url (RFC 4648 §5, unpadded) first, then padded base64 (§4). */
cl_err
catalog_b64_value(struct cl_buf *out, const json_t *v)
{
    const json_t *s = json_object_get(v, "$b64");
    struct cl_bytes in = cl_bytes_of(json_string_value(s), json_string_length(s));
    size_t mark = out->len;

    if (cl_b64url_decode(out, in, NULL) == CL_OK)
        return CL_OK;
    if (out->err == CL_ERR_NOMEM)
        return CL_ERR_NOMEM;
    out->len = mark;
    return cl_b64_decode(out, in, false, NULL);
}

static void check(struct vctx *x, const struct cl_catalog_claim *c, const json_t *v, struct path *p,
                  unsigned depth);

/* Any JSON, with {"$b64"} objects checked; nesting bounded. */
static void
check_generic(struct vctx *x, const json_t *v, struct path *p, unsigned depth)
{
    const char *key;
    json_t *m;
    size_t i, old;

    if (depth > CATALOG_GENERIC_DEPTH) {
        problem(x, p, CL_ERR_TOO_LARGE, "nests deeper than %d levels", CATALOG_GENERIC_DEPTH);
        return;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, m)
        {
            old = path_push(p, "[%zu]", i);
            check_generic(x, m, p, depth + 1);
            path_pop(p, old);
        }
    } else if (catalog_is_b64(v)) {
        struct cl_buf b;

        cl_buf_init(&b);
        if (catalog_b64_value(&b, v) != CL_OK)
            problem(x, p, CL_ERR_ENCODING, "$b64 is neither base64url nor base64");
        cl_buf_fini(&b);
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, m)
        {
            old = path_push(p, ".%s", key);
            check_generic(x, m, p, depth + 1);
            path_pop(p, old);
        }
    }
}

static void
check_length(struct vctx *x, const struct cl_catalog_claim *c, size_t n, const char *unit,
             struct path *p)
{
    if (c->max_length != 0 && n > c->max_length)
        problem(x, p, CL_ERR_TOO_LARGE, "longer than %zu %s", c->max_length, unit);
    else if (n < c->min_length)
        problem(x, p, CL_ERR_INPUT, "shorter than %zu %s", c->min_length, unit);
}

static void
check_map(struct vctx *x, const struct cl_catalog_claim *c, const json_t *v, struct path *p,
          unsigned depth)
{
    const char *key;
    json_t *m;
    size_t old;

    if (c->fields == NULL) {
        check_generic(x, v, p, depth);
        return;
    }
    json_object_foreach((json_t *)v, key, m)
    {
        const struct cl_catalog_claim *f = cl_catalog_claim_field(c, key);

        old = path_push(p, ".%s", key);
        if (f == NULL)
            problem(x, p, CL_ERR_INPUT, "unknown field of %s", c->name != NULL ? c->name : "map");
        else
            check(x, f, m, p, depth + 1);
        path_pop(p, old);
    }
    for (size_t i = 0; i < c->nfields; i++) {
        if (!c->fields[i].mandatory || json_object_get(v, c->fields[i].name) != NULL)
            continue;
        old = path_push(p, ".%s", c->fields[i].name);
        problem(x, p, CL_ERR_MISSING, "mandatory field is absent");
        path_pop(p, old);
    }
}

static void
check(struct vctx *x, const struct cl_catalog_claim *c, const json_t *v, struct path *p,
      unsigned depth)
{
    const char *want = cl_catalog_vtype_name(c->type);
    struct cl_bytes s;
    int32_t days;
    int64_t secs;
    size_t i, old;
    json_t *m;

    if (depth > CATALOG_GENERIC_DEPTH) {
        problem(x, p, CL_ERR_TOO_LARGE, "nests deeper than %d levels", CATALOG_GENERIC_DEPTH);
        return;
    }
    switch (c->type) {
    case CL_CATALOG_TSTR:
        if (!json_is_string(v))
            break;
        s = cl_bytes_of(json_string_value(v), json_string_length(v));
        if (memchr(s.ptr, 0, s.len) != NULL) {
            problem(x, p, CL_ERR_ENCODING, "contains a NUL character");
            return;
        }
        check_length(x, c, utf8_count((const char *)s.ptr, s.len), "characters", p);
        if (c->format == CL_CATALOG_FORMAT_DIGITS)
            for (i = 0; i < s.len; i++)
                if (s.ptr[i] < '0' || s.ptr[i] > '9') {
                    problem(x, p, CL_ERR_INPUT, "must hold only the digits 0-9");
                    break;
                }
        return;
    case CL_CATALOG_UINT:
        if (!json_is_integer(v))
            break;
        if (json_integer_value(v) < 0)
            problem(x, p, CL_ERR_INPUT, "must be an unsigned integer, not negative");
        return;
    case CL_CATALOG_INT:
        if (!json_is_integer(v))
            break;
        return;
    case CL_CATALOG_BOOL:
        if (!json_is_boolean(v))
            break;
        return;
    case CL_CATALOG_FULLDATE:
        if (!json_is_string(v))
            break;
        s = cl_bytes_of(json_string_value(v), json_string_length(v));
        if (cl_date_parse(s, &days, NULL) != CL_OK)
            problem(x, p, CL_ERR_INPUT, "must be a full-date \"YYYY-MM-DD\" (RFC 3339)");
        return;
    case CL_CATALOG_TDATE:
        if (!json_is_string(v))
            break;
        s = cl_bytes_of(json_string_value(v), json_string_length(v));
        if (cl_rfc3339_parse(s, &secs, NULL, NULL) != CL_OK)
            problem(x, p, CL_ERR_INPUT, "must be an RFC 3339 date-time \"YYYY-MM-DDTHH:MM:SSZ\"");
        else if (secs < -62135596800 || secs > 253402300799)
            problem(x, p, CL_ERR_INPUT, "date-time outside the years 0001-9999");
        return;
    case CL_CATALOG_BSTR: {
        struct cl_buf b;

        if (!catalog_is_b64(v)) {
            problem(x, p, CL_ERR_INPUT, "must be a byte string {\"$b64\": \"...\"}, not %s",
                    catalog_json_kind(v));
            return;
        }
        cl_buf_init(&b);
        if (catalog_b64_value(&b, v) != CL_OK)
            problem(x, p, CL_ERR_ENCODING, "$b64 is neither base64url nor base64");
        else
            check_length(x, c, b.len, "bytes", p);
        cl_buf_fini(&b);
        return;
    }
    case CL_CATALOG_ARRAY:
        if (!json_is_array(v))
            break;
        check_length(x, c, json_array_size(v), "items", p);
        json_array_foreach(v, i, m)
        {
            old = path_push(p, "[%zu]", i);
            if (c->items != NULL)
                check(x, c->items, m, p, depth + 1);
            else
                check_generic(x, m, p, depth + 1);
            path_pop(p, old);
        }
        return;
    case CL_CATALOG_MAP:
        if (!json_is_object(v) || catalog_is_b64(v))
            break;
        check_map(x, c, v, p, depth);
        return;
    }
    problem(x, p, CL_ERR_INPUT, "must be %s, not %s", want, catalog_json_kind(v));
}

size_t
cl_catalog_check_value(struct cl_arena *a, const struct cl_catalog_claim *c, const json_t *v,
                       const char *path, struct cl_catalog_report *rep)
{
    struct vctx x = {a, rep, 0, false};
    struct path p;
    size_t before = rep->nproblems + rep->dropped;

    /* the array may have been grown by an earlier call: keep appending after it */
    x.cap = rep->nproblems;
    p.len = 0;
    p.s[0] = '\0';
    path_push(&p, "%s", path != NULL ? path : "");
    if (c == NULL || v == NULL) {
        problem(&x, &p, CL_ERR_USAGE, "no claim or no value");
    } else {
        check(&x, c, v, &p, 0);
    }
    if (x.oom)
        return SIZE_MAX;
    return rep->nproblems + rep->dropped - before;
}

/* The summary in *err and the code to return. */
static cl_err
summarise(struct vctx *x, struct cl_error *err)
{
    const struct cl_catalog_report *rep = x->rep;
    size_t more;

    if (x->oom)
        return cl_fail(err, CL_ERR_NOMEM, "claims", "out of memory");
    if (rep->nproblems == 0)
        return CL_OK;
    more = rep->nproblems - 1 + rep->dropped;
    if (more == 0)
        return cl_fail(err, rep->problems[0].code, rep->problems[0].path, "%s",
                       rep->problems[0].msg);
    return cl_fail(err, rep->problems[0].code, rep->problems[0].path, "%s (and %zu more problem%s)",
                   rep->problems[0].msg, more, more == 1 ? "" : "s");
}

static bool
has_namespace(const struct cl_catalog_type *t, const char *ns)
{
    for (size_t i = 0; i < t->nnamespaces; i++)
        if (strcmp(t->namespaces[i], ns) == 0)
            return true;
    return false;
}

/* Record value v for claim c (seen[] indexed like t->claims); a second one is a problem. */
static void
take(struct vctx *x, const struct cl_catalog_claim *c, const json_t *v, const json_t **seen,
     struct path *p)
{
    if (seen[c->index] != NULL) {
        problem(x, p, CL_ERR_DUPLICATE, "claim %s is given twice", c->sdjwt_path);
        return;
    }
    seen[c->index] = v;
    check(x, c, v, p, 0);
}

static void
walk_mdoc(struct vctx *x, const struct cl_catalog_type *t, const json_t *claims,
          const json_t **seen, struct path *p)
{
    const char *ns, *name;
    json_t *elems, *v;
    size_t old, old2;

    json_object_foreach((json_t *)claims, ns, elems)
    {
        old = path_push(p, "%s", ns);
        if (!has_namespace(t, ns)) {
            problem(x, p, CL_ERR_INPUT, "unknown namespace for type %s", t->id);
        } else if (!json_is_object(elems)) {
            problem(x, p, CL_ERR_INPUT, "must be an object of data elements, not %s",
                    catalog_json_kind(elems));
        } else {
            json_object_foreach(elems, name, v)
            {
                const struct cl_catalog_claim *c = cl_catalog_type_element(t, ns, name);

                old2 = path_push(p, "/%s", name);
                if (c == NULL)
                    problem(x, p, CL_ERR_INPUT, "unknown data element of this namespace");
                else
                    take(x, c, v, seen, p);
                path_pop(p, old2);
            }
        }
        path_pop(p, old);
    }
}

/* Whether a claim's sdjwt_path lies below ptr ("/address" for "/address/street_address"). */
static bool
has_path_below(const struct cl_catalog_type *t, const char *ptr)
{
    size_t n = strlen(ptr);

    for (size_t i = 0; i < t->nclaims; i++)
        if (strncmp(t->claims[i].sdjwt_path, ptr, n) == 0 && t->claims[i].sdjwt_path[n] == '/')
            return true;
    return false;
}

/*
 * Flat SD-JWT input: at the top a key is a claim's sdjwt_path ("/address/street_address"), its
 * name, or the first segment of paths, whose object is then walked like the payload
 * ({"address": {"street_address": ...}}). prefix is the JSON pointer walked so far ("" at the
 * top).
 */
static void
walk_flat(struct vctx *x, const struct cl_catalog_type *t, const json_t *claims,
          const json_t **seen, struct path *p, const char *prefix, unsigned depth)
{
    const char *key;
    json_t *v;
    size_t old;

    json_object_foreach((json_t *)claims, key, v)
    {
        const struct cl_catalog_claim *c = NULL;
        char ptr[PATH_MAX_];
        size_t named = 0;

        old = path_push(p, depth == 0 ? "%s" : ".%s", key);
        snprintf(ptr, sizeof ptr, "%s/%s", prefix, key);
        if (depth == 0 && key[0] == '/') {
            c = cl_catalog_type_claim_by_path(t, key);
        } else if (depth == 0) {
            for (size_t i = 0; i < t->nclaims; i++)
                named += strcmp(t->claims[i].name, key) == 0;
            c = cl_catalog_type_claim_by_name(t, key);
        }
        if (c == NULL && named == 0 && key[0] != '/')
            c = cl_catalog_type_claim_by_path(t, ptr);
        if (c != NULL)
            take(x, c, v, seen, p);
        else if (named > 1)
            problem(x, p, CL_ERR_INPUT,
                    "claim name is used in several namespaces; give its sdjwt_path");
        else if (key[0] != '/' && json_is_object(v) && depth < 16 && has_path_below(t, ptr))
            walk_flat(x, t, v, seen, p, ptr, depth + 1);
        else
            problem(x, p, CL_ERR_INPUT, "unknown claim for type %s", t->id);
        path_pop(p, old);
    }
}

/* mdoc-shaped: every top-level key one of the type's namespaces (and no claim's name). */
static bool
is_mdoc_shaped(const struct cl_catalog_type *t, const json_t *claims)
{
    const char *key;
    json_t *v;

    if (t->nnamespaces == 0 || json_object_size(claims) == 0)
        return false;
    json_object_foreach((json_t *)claims, key, v)
    {
        if (!has_namespace(t, key) || cl_catalog_type_claim_by_name(t, key) != NULL)
            return false;
    }
    return true;
}

static cl_err
validate(struct cl_arena *a, const struct cl_catalog_type *t, const json_t *claims, bool sdjwt,
         struct cl_catalog_report *rep, struct cl_error *err)
{
    struct vctx x = {a, rep, 0, false};
    const json_t **seen;
    struct path p;
    bool mdoc_shape;

    memset(rep, 0, sizeof *rep);
    if (t == NULL || claims == NULL)
        return cl_fail(err, CL_ERR_USAGE, "claims", "no type or no claims");
    if (!json_is_object(claims))
        return cl_fail(err, CL_ERR_INPUT, "claims", "claims must be a JSON object, not %s",
                       catalog_json_kind(claims));
    if (!sdjwt && t->doctype == NULL)
        return cl_fail(err, CL_ERR_USAGE, t->id, "type has no mdoc form");
    if (sdjwt && t->vct == NULL)
        return cl_fail(err, CL_ERR_USAGE, t->id, "type has no SD-JWT VC form");
    seen = cl_arena_calloc(a, t->nclaims, sizeof *seen);
    rep->values = cl_arena_calloc(a, t->nclaims, sizeof *rep->values);
    if (seen == NULL || rep->values == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "claims", "out of memory");
    p.len = 0;
    p.s[0] = '\0';
    mdoc_shape = !sdjwt || is_mdoc_shaped(t, claims);
    if (mdoc_shape)
        walk_mdoc(&x, t, claims, seen, &p);
    else
        walk_flat(&x, t, claims, seen, &p, "", 0);
    for (size_t i = 0; i < t->nclaims; i++) {
        const struct cl_catalog_claim *c = &t->claims[i];

        if (seen[i] != NULL) {
            rep->values[rep->nvalues].claim = c;
            rep->values[rep->nvalues++].value = seen[i];
        } else if (c->mandatory) {
            size_t old =
                mdoc_shape ? path_push(&p, "%s/%s", c->ns, c->name) : path_push(&p, "%s", c->name);

            problem(&x, &p, CL_ERR_MISSING, "mandatory claim is absent");
            path_pop(&p, old);
        }
    }
    return summarise(&x, err);
}

cl_err
cl_catalog_validate_mdoc_claims(struct cl_arena *a, const struct cl_catalog_type *t,
                                const json_t *claims, struct cl_catalog_report *rep,
                                struct cl_error *err)
{
    return validate(a, t, claims, false, rep, err);
}

cl_err
cl_catalog_validate_sdjwt_claims(struct cl_arena *a, const struct cl_catalog_type *t,
                                 const json_t *claims, struct cl_catalog_report *rep,
                                 struct cl_error *err)
{
    return validate(a, t, claims, true, rep, err);
}
