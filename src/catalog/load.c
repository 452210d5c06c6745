/* load.c - reading credential type files (docs/types.md): strict JSON, every member checked,
 * errors naming the file and the JSON path; a directory of them in name order. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cardless/alloc.h"
#include "cardless/jose.h"
#include "catalog/catalog_int.h"

#include "base/banned.h"

#define JP_MAX 96     /* longest JSON path kept for messages */
#define NAME_MAX_ 128 /* longest id, element or field name */
#define URI_MAX 512   /* longest doctype, namespace, vct, sdjwt_path */
#define TEXT_MAX 512  /* longest display string, in bytes */

struct ld {
    struct cl_catalog *cat;
    struct cl_arena *a; /* the catalog's */
    const char *name;   /* file, for messages */
    struct cl_error *err;
};

enum claim_kind { KIND_TOP, KIND_FIELD, KIND_ITEM };

static cl_err bad(struct ld *l, cl_err code, const char *jp, const char *fmt, ...) CL_PRINTF(4, 5);

/* "file: json.path" in err->where; the file's directory goes when both do not fit. */
static cl_err
bad(struct ld *l, cl_err code, const char *jp, const char *fmt, ...)
{
    char where[CL_ERROR_WHERE_MAX], msg[CL_ERROR_MSG_MAX];
    const char *file = l->name;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (strlen(file) + 2 + strlen(jp) >= sizeof where && strrchr(file, '/') != NULL)
        file = strrchr(file, '/') + 1;
    if (jp[0] != '\0')
        snprintf(where, sizeof where, "%s: %s", file, jp);
    else
        snprintf(where, sizeof where, "%s", file);
    return cl_fail(l->err, code, where, "%s", msg);
}

static cl_err
nomem(struct ld *l)
{
    return cl_fail(l->err, CL_ERR_NOMEM, l->name, "out of memory");
}

/* Path of a member of the object at jp. */
static void
jp_member(char out[JP_MAX], const char *jp, const char *key)
{
    if (jp[0] == '\0')
        snprintf(out, JP_MAX, "%s", key);
    else
        snprintf(out, JP_MAX, "%s.%s", jp, key);
}

const char *
catalog_json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

/* Every member of obj must be in allowed (NULL-ended) or be "$comment". */
static cl_err
only_members(struct ld *l, const json_t *obj, const char *jp, const char *const *allowed)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        const char *const *k = allowed;
        char m[JP_MAX];

        if (strcmp(key, "$comment") == 0)
            continue;
        while (*k != NULL && strcmp(*k, key) != 0)
            k++;
        if (*k == NULL) {
            jp_member(m, jp, key);
            return bad(l, CL_ERR_INPUT, m, "unknown member");
        }
    }
    return CL_OK;
}

static bool
is_ident(const char *s, bool upper)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        char c = *s;

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-' || (upper && c >= 'A' && c <= 'Z')))
            return false;
    }
    return true;
}

static cl_err bad_at(struct ld *l, cl_err code, const char *jp, const char *key, const char *fmt,
                     ...) CL_PRINTF(5, 6);

/* bad() naming member key of the object at jp: paths are built only for messages */
static cl_err
bad_at(struct ld *l, cl_err code, const char *jp, const char *key, const char *fmt, ...)
{
    char m[JP_MAX], msg[CL_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    jp_member(m, jp, key);
    return bad(l, code, m, "%s", msg);
}

/* A string member copied into the catalog; absent leaves *out NULL unless required. */
static cl_err
get_str(struct ld *l, const json_t *obj, const char *key, const char *jp, bool required, size_t max,
        const char **out)
{
    const json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL)
        return required ? bad_at(l, CL_ERR_MISSING, jp, key, "required member is absent") : CL_OK;
    if (!json_is_string(v))
        return bad_at(l, CL_ERR_INPUT, jp, key, "must be a string, not %s", catalog_json_kind(v));
    if (json_string_length(v) == 0)
        return bad_at(l, CL_ERR_INPUT, jp, key, "must not be empty");
    if (json_string_length(v) > max)
        return bad_at(l, CL_ERR_TOO_LARGE, jp, key, "longer than %zu bytes", max);
    *out = cl_arena_strdup(l->a, json_string_value(v));
    return *out != NULL ? CL_OK : nomem(l);
}

static cl_err
get_uint(struct ld *l, const json_t *obj, const char *key, const char *jp, bool required,
         json_int_t min, json_int_t max, json_int_t def, json_int_t *out)
{
    const json_t *v = json_object_get(obj, key);

    *out = def;
    if (v == NULL)
        return required ? bad_at(l, CL_ERR_MISSING, jp, key, "required member is absent") : CL_OK;
    if (!json_is_integer(v))
        return bad_at(l, CL_ERR_INPUT, jp, key, "must be an integer, not %s", catalog_json_kind(v));
    if (json_integer_value(v) < min || json_integer_value(v) > max)
        return bad_at(l, CL_ERR_INPUT, jp, key, "must be from %lld to %lld", (long long)min,
                      (long long)max);
    *out = json_integer_value(v);
    return CL_OK;
}

static cl_err
get_bool(struct ld *l, const json_t *obj, const char *key, const char *jp, bool *out)
{
    const json_t *v = json_object_get(obj, key);

    *out = false;
    if (v == NULL)
        return CL_OK;
    if (!json_is_boolean(v))
        return bad_at(l, CL_ERR_INPUT, jp, key, "must be true or false, not %s",
                      catalog_json_kind(v));
    *out = json_is_true(v);
    return CL_OK;
}

/* {"ko": ..., "en": ...}, both required */
static cl_err
get_text(struct ld *l, const json_t *obj, const char *key, const char *jp, bool required,
         struct cl_catalog_text *out)
{
    static const char *const allowed[] = {"ko", "en", NULL};
    const json_t *v = json_object_get(obj, key), *ko, *en;
    char m[JP_MAX];
    cl_err rc;

    out->ko = out->en = NULL;
    if (v == NULL)
        return required ? bad_at(l, CL_ERR_MISSING, jp, key, "required member is absent") : CL_OK;
    if (!json_is_object(v))
        return bad_at(l, CL_ERR_INPUT, jp, key,
                      "must be an object {\"ko\": ..., \"en\": ...}, not %s", catalog_json_kind(v));
    ko = json_object_get(v, "ko");
    en = json_object_get(v, "en");
    if (json_object_size(v) == 2 && json_is_string(ko) && json_is_string(en) &&
        json_string_length(ko) - 1 < TEXT_MAX && json_string_length(en) - 1 < TEXT_MAX) {
        /* the usual case, without building a path for messages */
        out->ko = cl_arena_strdup(l->a, json_string_value(ko));
        out->en = cl_arena_strdup(l->a, json_string_value(en));
        return out->ko != NULL && out->en != NULL ? CL_OK : nomem(l);
    }
    jp_member(m, jp, key);
    if ((rc = only_members(l, v, m, allowed)) != CL_OK ||
        (rc = get_str(l, v, "ko", m, true, TEXT_MAX, &out->ko)) != CL_OK ||
        (rc = get_str(l, v, "en", m, true, TEXT_MAX, &out->en)) != CL_OK)
        return rc;
    return CL_OK;
}

static const struct {
    const char *name;
    enum cl_catalog_vtype type;
} vtypes[] = {
    {"tstr", CL_CATALOG_TSTR}, {"uint", CL_CATALOG_UINT},          {"int", CL_CATALOG_INT},
    {"bool", CL_CATALOG_BOOL}, {"full-date", CL_CATALOG_FULLDATE}, {"tdate", CL_CATALOG_TDATE},
    {"bstr", CL_CATALOG_BSTR}, {"array", CL_CATALOG_ARRAY},        {"map", CL_CATALOG_MAP},
};

/* SD-JWT VC registered claims the issuer sets itself; a type's claim must not take them
 * (draft-ietf-oauth-sd-jwt-vc §3.2.2.2, RFC 9901 §4.2.4.2 for _sd, _sd_alg, "..."). */
static const char *const reserved_claims[] = {"iss", "nbf",     "exp",           "iat",
                                              "cnf", "vct",     "vct#integrity", "status",
                                              "_sd", "_sd_alg", "...",           NULL};

/* "/seg/seg": segments of [A-Za-z0-9_.-] (no escapes needed), first not reserved. */
static bool
path_ok(const char *p, const char **why)
{
    size_t seglen = 0;
    const char *first_end;
    char first[NAME_MAX_ + 1];

    if (p[0] != '/') {
        *why = "must be a JSON pointer starting with '/'";
        return false;
    }
    for (const char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            if (seglen == 0) {
                *why = "has an empty segment";
                return false;
            }
            seglen = 0;
            if (*s == '\0')
                break;
            continue;
        }
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-')) {
            *why = "has a character outside [A-Za-z0-9_.-] in a segment";
            return false;
        }
        seglen++;
    }
    first_end = strchr(p + 1, '/');
    seglen = first_end != NULL ? (size_t)(first_end - (p + 1)) : strlen(p + 1);
    if (seglen > NAME_MAX_) {
        *why = "has a segment that is too long";
        return false;
    }
    memcpy(first, p + 1, seglen);
    first[seglen] = '\0';
    for (const char *const *r = reserved_claims; *r != NULL; r++)
        if (strcmp(first, *r) == 0) {
            *why = "names a claim the issuer sets itself (iss, vct, cnf, status, ...)";
            return false;
        }
    return true;
}

static cl_err parse_claim(struct ld *l, const json_t *obj, const char *jp, enum claim_kind kind,
                          unsigned depth, struct cl_catalog_claim *out);

static cl_err
parse_fields(struct ld *l, const json_t *arr, const char *jp, unsigned depth,
             struct cl_catalog_claim *out)
{
    struct cl_catalog_claim *f;
    size_t n;

    if (!json_is_array(arr))
        return bad(l, CL_ERR_INPUT, jp, "must be an array of field objects, not %s",
                   catalog_json_kind(arr));
    n = json_array_size(arr);
    if (n > l->cat->lim.max_claims)
        return bad(l, CL_ERR_TOO_LARGE, jp, "more than %zu fields", l->cat->lim.max_claims);
    f = cl_arena_calloc(l->a, n != 0 ? n : 1, sizeof *f);
    if (f == NULL)
        return nomem(l);
    for (size_t i = 0; i < n; i++) {
        char m[JP_MAX];
        cl_err rc;

        snprintf(m, sizeof m, "%s[%zu]", jp, i);
        rc = parse_claim(l, json_array_get(arr, i), m, KIND_FIELD, depth + 1, &f[i]);
        if (rc != CL_OK)
            return rc;
        f[i].index = i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(f[j].name, f[i].name) == 0)
                return bad(l, CL_ERR_DUPLICATE, m, "field '%s' appears twice", f[i].name);
    }
    out->fields = f;
    out->nfields = n;
    return CL_OK;
}

static cl_err
parse_claim(struct ld *l, const json_t *obj, const char *jp, enum claim_kind kind, unsigned depth,
            struct cl_catalog_claim *out)
{
    static const char *const top[] = {
        "name",       "namespace",  "type",       "mandatory", "sensitive", "display", "sd",
        "sdjwt_path", "min_length", "max_length", "format",    "items",     "fields",  NULL};
    static const char *const field[] = {"name",    "type",  "mandatory",  "sensitive",
                                        "display", "sd",    "min_length", "max_length",
                                        "format",  "items", "fields",     NULL};
    static const char *const item[] = {"type",   "display", "min_length", "max_length",
                                       "format", "items",   "fields",     NULL};
    const char *tname = NULL, *s = NULL;
    const json_t *v;
    json_int_t n;
    char m[JP_MAX];
    cl_err rc;
    size_t i;

    memset(out, 0, sizeof *out);
    if (!json_is_object(obj))
        return bad(l, CL_ERR_INPUT, jp, "must be an object, not %s", catalog_json_kind(obj));
    if (depth > l->cat->lim.max_depth)
        return bad(l, CL_ERR_TOO_LARGE, jp, "items/fields nest deeper than %u levels",
                   l->cat->lim.max_depth);
    rc = only_members(l, obj, jp, kind == KIND_TOP ? top : kind == KIND_FIELD ? field : item);
    if (rc != CL_OK)
        return rc;
    if (kind != KIND_ITEM) {
        if ((rc = get_str(l, obj, "name", jp, true, NAME_MAX_, &out->name)) != CL_OK)
            return rc;
        if (!is_ident(out->name, true)) {
            jp_member(m, jp, "name");
            return bad(l, CL_ERR_INPUT, m, "'%s' has a character outside [A-Za-z0-9_.-]",
                       out->name);
        }
    }
    if ((rc = get_str(l, obj, "type", jp, true, 32, &tname)) != CL_OK)
        return rc;
    for (i = 0; i < CL_ARRAY_LEN(vtypes) && strcmp(vtypes[i].name, tname) != 0; i++)
        ;
    if (i == CL_ARRAY_LEN(vtypes)) {
        jp_member(m, jp, "type");
        return bad(l, CL_ERR_INPUT, m,
                   "unknown type '%s' (tstr, uint, int, bool, full-date, tdate, bstr, array, "
                   "map)",
                   tname);
    }
    out->type = vtypes[i].type;
    if ((rc = get_bool(l, obj, "mandatory", jp, &out->mandatory)) != CL_OK ||
        (rc = get_bool(l, obj, "sensitive", jp, &out->sensitive)) != CL_OK ||
        (rc = get_text(l, obj, "display", jp, kind != KIND_ITEM, &out->display)) != CL_OK)
        return rc;
    if ((rc = get_str(l, obj, "sd", jp, false, 16, &s)) != CL_OK)
        return rc;
    out->sd = CL_CATALOG_SD_ALLOWED;
    if (s != NULL) {
        if (strcmp(s, "always") == 0) {
            out->sd = CL_CATALOG_SD_ALWAYS;
        } else if (strcmp(s, "never") == 0) {
            out->sd = CL_CATALOG_SD_NEVER;
        } else if (strcmp(s, "allowed") != 0) {
            jp_member(m, jp, "sd");
            return bad(l, CL_ERR_INPUT, m, "unknown policy '%s' (always, never, allowed)", s);
        }
    }
    if (out->sensitive && out->sd == CL_CATALOG_SD_NEVER) {
        jp_member(m, jp, "sd");
        return bad(l, CL_ERR_INPUT, m, "a sensitive claim must not be \"never\" disclosable");
    }
    /* lengths: code points of tstr, bytes of bstr, items of array */
    for (int k = 0; k < 2; k++) {
        const char *key = k == 0 ? "min_length" : "max_length";

        if (json_object_get(obj, key) == NULL)
            continue;
        jp_member(m, jp, key);
        if (out->type != CL_CATALOG_TSTR && out->type != CL_CATALOG_BSTR &&
            out->type != CL_CATALOG_ARRAY)
            return bad(l, CL_ERR_INPUT, m, "only for tstr, bstr and array, not %s", tname);
        if ((rc = get_uint(l, obj, key, jp, false, k == 0 ? 0 : 1, (json_int_t)1 << 32, 0, &n)) !=
            CL_OK)
            return rc;
        if (k == 0)
            out->min_length = (size_t)n;
        else
            out->max_length = (size_t)n;
    }
    if (out->max_length != 0 && out->min_length > out->max_length) {
        jp_member(m, jp, "min_length");
        return bad(l, CL_ERR_INPUT, m, "greater than max_length");
    }
    if ((rc = get_str(l, obj, "format", jp, false, 16, &s)) != CL_OK)
        return rc;
    if (s != NULL) {
        jp_member(m, jp, "format");
        if (out->type != CL_CATALOG_TSTR)
            return bad(l, CL_ERR_INPUT, m, "only for tstr, not %s", tname);
        if (strcmp(s, "digits") != 0)
            return bad(l, CL_ERR_INPUT, m, "unknown format '%s' (digits)", s);
        out->format = CL_CATALOG_FORMAT_DIGITS;
    }
    if ((v = json_object_get(obj, "items")) != NULL) {
        struct cl_catalog_claim *it;

        jp_member(m, jp, "items");
        if (out->type != CL_CATALOG_ARRAY)
            return bad(l, CL_ERR_INPUT, m, "only for array, not %s", tname);
        it = cl_arena_zalloc(l->a, sizeof *it);
        if (it == NULL)
            return nomem(l);
        if ((rc = parse_claim(l, v, m, KIND_ITEM, depth + 1, it)) != CL_OK)
            return rc;
        out->items = it;
    }
    if ((v = json_object_get(obj, "fields")) != NULL) {
        jp_member(m, jp, "fields");
        if (out->type != CL_CATALOG_MAP)
            return bad(l, CL_ERR_INPUT, m, "only for map, not %s", tname);
        if ((rc = parse_fields(l, v, m, depth, out)) != CL_OK)
            return rc;
    }
    if (kind == KIND_TOP) {
        if ((rc = get_str(l, obj, "namespace", jp, false, URI_MAX, &out->ns)) != CL_OK ||
            (rc = get_str(l, obj, "sdjwt_path", jp, false, URI_MAX, &out->sdjwt_path)) != CL_OK)
            return rc;
        if (out->ns != NULL && !is_ident(out->ns, true)) {
            jp_member(m, jp, "namespace");
            return bad(l, CL_ERR_INPUT, m, "has a character outside [A-Za-z0-9_.-]");
        }
        if (out->sdjwt_path == NULL)
            out->sdjwt_path = cl_arena_printf(l->a, "/%s", out->name);
        if (out->sdjwt_path == NULL)
            return nomem(l);
        if (!path_ok(out->sdjwt_path, &s)) {
            jp_member(m, jp, json_object_get(obj, "sdjwt_path") != NULL ? "sdjwt_path" : "name");
            return bad(l, CL_ERR_INPUT, m, "SD-JWT claim path %s", s);
        }
    }
    return CL_OK;
}

/* Whether path a is b or an ancestor of b ("/address" of "/address/street"). */
static bool
path_covers(const char *a, const char *b)
{
    size_t n = strlen(a);

    return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static cl_err
parse_type(struct ld *l, const json_t *root, struct cl_catalog_type *t)
{
    static const char *const allowed[] = {"id",   "version", "display", "issuer", "validity_days",
                                          "mdoc", "sdjwt",   "claims",  NULL};
    static const char *const mdoc_members[] = {"doctype", NULL};
    static const char *const sdjwt_members[] = {"vct", NULL};
    struct cl_catalog_claim *claims;
    const char **ns;
    const json_t *v;
    json_int_t n;
    size_t count;
    cl_err rc;

    if (!json_is_object(root))
        return bad(l, CL_ERR_INPUT, "", "a type file must hold a JSON object, not %s",
                   catalog_json_kind(root));
    if ((rc = only_members(l, root, "", allowed)) != CL_OK ||
        (rc = get_str(l, root, "id", "", true, NAME_MAX_, &t->id)) != CL_OK)
        return rc;
    if (!is_ident(t->id, false))
        return bad(l, CL_ERR_INPUT, "id", "'%s' has a character outside [a-z0-9_.-]", t->id);
    if ((rc = get_uint(l, root, "version", "", true, 1, 1000000, 1, &n)) != CL_OK)
        return rc;
    t->version = (uint32_t)n;
    if ((rc = get_uint(l, root, "validity_days", "", false, 1, 36525, 365, &n)) != CL_OK)
        return rc;
    t->validity_days = (uint32_t)n;
    if ((rc = get_text(l, root, "display", "", true, &t->display)) != CL_OK ||
        (rc = get_text(l, root, "issuer", "", true, &t->issuer)) != CL_OK)
        return rc;
    if ((v = json_object_get(root, "mdoc")) != NULL) {
        if (!json_is_object(v))
            return bad(l, CL_ERR_INPUT, "mdoc", "must be an object, not %s", catalog_json_kind(v));
        if ((rc = only_members(l, v, "mdoc", mdoc_members)) != CL_OK ||
            (rc = get_str(l, v, "doctype", "mdoc", true, URI_MAX, &t->doctype)) != CL_OK)
            return rc;
        if (!is_ident(t->doctype, true))
            return bad(l, CL_ERR_INPUT, "mdoc.doctype", "has a character outside [A-Za-z0-9_.-]");
    }
    if ((v = json_object_get(root, "sdjwt")) != NULL) {
        if (!json_is_object(v))
            return bad(l, CL_ERR_INPUT, "sdjwt", "must be an object, not %s", catalog_json_kind(v));
        if ((rc = only_members(l, v, "sdjwt", sdjwt_members)) != CL_OK ||
            (rc = get_str(l, v, "vct", "sdjwt", true, URI_MAX, &t->vct)) != CL_OK)
            return rc;
        for (const char *p = t->vct; *p != '\0'; p++)
            if ((unsigned char)*p <= 0x20 || *p == 0x7f)
                return bad(l, CL_ERR_INPUT, "sdjwt.vct", "contains a space or control character");
    }
    if (t->doctype == NULL && t->vct == NULL)
        return bad(l, CL_ERR_MISSING, "", "a type needs \"mdoc\" or \"sdjwt\" (or both)");
    v = json_object_get(root, "claims");
    if (v == NULL)
        return bad(l, CL_ERR_MISSING, "claims", "required member is absent");
    if (!json_is_array(v) || json_array_size(v) == 0)
        return bad(l, CL_ERR_INPUT, "claims", "must be a non-empty array of claim objects");
    count = json_array_size(v);
    if (count > l->cat->lim.max_claims)
        return bad(l, CL_ERR_TOO_LARGE, "claims", "more than %zu claims", l->cat->lim.max_claims);
    claims = cl_arena_calloc(l->a, count, sizeof *claims);
    ns = cl_arena_calloc(l->a, count, sizeof *ns);
    if (claims == NULL || ns == NULL)
        return nomem(l);
    for (size_t i = 0; i < count; i++) {
        struct cl_catalog_claim *c = &claims[i];
        char jp[JP_MAX];
        size_t k;

        snprintf(jp, sizeof jp, "claims[%zu]", i);
        if ((rc = parse_claim(l, json_array_get(v, i), jp, KIND_TOP, 1, c)) != CL_OK)
            return rc;
        c->index = i;
        if (c->ns == NULL)
            c->ns = t->doctype; /* the doctype's own namespace, as ISO 18013-5 does */
        if (t->doctype == NULL)
            c->ns = NULL; /* no mdoc form: namespaces mean nothing */
        for (size_t j = 0; j < i; j++) {
            const struct cl_catalog_claim *o = &claims[j];

            if (c->ns != NULL && strcmp(o->name, c->name) == 0 && strcmp(o->ns, c->ns) == 0)
                return bad(l, CL_ERR_DUPLICATE, jp, "element '%s' of namespace '%s' appears twice",
                           c->name, c->ns);
            if (t->doctype == NULL && strcmp(o->name, c->name) == 0)
                return bad(l, CL_ERR_DUPLICATE, jp, "claim '%s' appears twice", c->name);
            if (t->vct != NULL && (path_covers(o->sdjwt_path, c->sdjwt_path) ||
                                   path_covers(c->sdjwt_path, o->sdjwt_path)))
                return bad(l, CL_ERR_DUPLICATE, jp, "SD-JWT path %s overlaps claims[%zu] (%s)",
                           c->sdjwt_path, j, o->sdjwt_path);
        }
        if (c->ns == NULL)
            continue;
        for (k = 0; k < t->nnamespaces && strcmp(ns[k], c->ns) != 0; k++)
            ;
        if (k == t->nnamespaces)
            ns[t->nnamespaces++] = c->ns;
    }
    t->claims = claims;
    t->nclaims = count;
    t->namespaces = ns;
    return CL_OK;
}

cl_err
cl_catalog_load_json(struct cl_catalog *cat, struct cl_bytes text, const char *name,
                     const struct cl_catalog_type **out, struct cl_error *err)
{
    struct cl_json_limits jl = {0, 0};
    struct ld l;
    struct cl_arena tmp;
    struct cl_catalog_type *t;
    const struct cl_catalog_type *o;
    json_t *root = NULL;
    cl_err rc;

    if (out != NULL)
        *out = NULL;
    if (cat == NULL)
        return cl_fail(err, CL_ERR_USAGE, "catalog", "no catalog");
    l.cat = cat;
    l.a = &cat->arena;
    l.name = name != NULL ? name : "type";
    l.err = err;
    if (cat->ntypes >= cat->lim.max_types)
        return bad(&l, CL_ERR_TOO_LARGE, "", "the catalog already holds %zu types, its limit",
                   cat->lim.max_types);
    if (text.len > cat->lim.max_file_bytes)
        return bad(&l, CL_ERR_TOO_LARGE, "", "type file is %zu bytes, over the limit of %zu",
                   text.len, cat->lim.max_file_bytes);
    jl.max_bytes = cat->lim.max_file_bytes;
    jl.max_depth = 2 * cat->lim.max_depth + 8; /* claims[{items{fields[{...}]}}] */
    cl_arena_init(&tmp, 0, 0, 0);
    rc = cl_jose_json_parse(&tmp, text, &jl, l.name, &root, err);
    if (rc != CL_OK)
        goto out;
    t = cl_arena_zalloc(l.a, sizeof *t);
    if (t == NULL) {
        rc = nomem(&l);
        goto out;
    }
    t->source = cl_arena_strdup(l.a, l.name);
    if (t->source == NULL) {
        rc = nomem(&l);
        goto out;
    }
    if ((rc = parse_type(&l, root, t)) != CL_OK)
        goto out;
    if ((o = cl_catalog_find(cat, t->id)) != NULL) {
        rc =
            bad(&l, CL_ERR_DUPLICATE, "id", "type '%s' is already defined in %s", t->id, o->source);
        goto out;
    }
    if (t->doctype != NULL && (o = cl_catalog_find_doctype(cat, t->doctype)) != NULL) {
        rc = bad(&l, CL_ERR_DUPLICATE, "mdoc.doctype", "doctype '%s' is already used by type '%s'",
                 t->doctype, o->id);
        goto out;
    }
    if (t->vct != NULL && (o = cl_catalog_find_vct(cat, t->vct)) != NULL) {
        rc = bad(&l, CL_ERR_DUPLICATE, "sdjwt.vct", "vct '%s' is already used by type '%s'", t->vct,
                 o->id);
        goto out;
    }
    if ((rc = catalog_add(cat, t, err)) != CL_OK)
        goto out;
    if (out != NULL)
        *out = t;
out:
    cl_arena_fini(&tmp);
    return rc;
}

cl_err
cl_catalog_load_file(struct cl_catalog *cat, const char *path, const struct cl_catalog_type **out,
                     struct cl_error *err)
{
    struct cl_buf b;
    cl_err rc;

    if (out != NULL)
        *out = NULL;
    if (cat == NULL || path == NULL)
        return cl_fail(err, CL_ERR_USAGE, "catalog", "no catalog or no path");
    cl_buf_init(&b);
    rc = cl_file_read(path, cat->lim.max_file_bytes, &b, err);
    if (rc == CL_OK)
        rc = cl_catalog_load_json(cat, cl_buf_bytes(&b), path, out, err);
    cl_buf_fini(&b);
    return rc;
}

static int
cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

cl_err
cl_catalog_load_dir(struct cl_catalog *cat, const char *dir, struct cl_error *err)
{
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    cl_err rc = CL_OK;

    if (cat == NULL || dir == NULL)
        return cl_fail(err, CL_ERR_USAGE, "catalog", "no catalog or no directory");
    d = opendir(dir);
    if (d == NULL)
        return cl_fail(err, CL_ERR_IO, dir, "cannot open the type directory");
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 64;
            char **p = cl_realloc(names, ncap * sizeof *p);

            if (p == NULL) {
                rc = cl_fail(err, CL_ERR_NOMEM, dir, "out of memory");
                goto out;
            }
            names = p;
            cap = ncap;
        }
        names[n] = cl_malloc(len + 1);
        if (names[n] == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, dir, "out of memory");
            goto out;
        }
        memcpy(names[n++], e->d_name, len + 1);
    }
    if (n != 0)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && rc == CL_OK; i++) {
        struct stat st;
        char *path = cl_arena_printf(&cat->arena, "%s/%s", dir, names[i]);

        if (path == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, dir, "out of memory");
            break;
        }
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue; /* a dangling link or a directory named *.json */
        rc = cl_catalog_load_file(cat, path, NULL, err);
    }
out:
    for (size_t i = 0; i < n; i++)
        cl_free(names[i]);
    cl_free(names);
    closedir(d);
    return rc;
}
