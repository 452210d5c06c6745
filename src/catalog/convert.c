/* convert.c - claim values between the JSON given to issuers, the CBOR of mdoc elements
 * (ISO/IEC 18013-5 §7.2.1, RFC 8943, RFC 8949 §4.2.1) and the JSON of SD-JWT VC payloads and
 * verifier output. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/time.h"
#include "catalog/catalog_int.h"

#include "base/banned.h"

/* Problems of v against c, the first one reported through err. */
static cl_err
recheck(const struct cl_catalog_claim *c, const json_t *v, struct cl_error *err)
{
    struct cl_arena a;
    struct cl_catalog_report rep;
    size_t n;
    cl_err rc = CL_OK;

    memset(&rep, 0, sizeof rep);
    cl_arena_init(&a, 0, 0, 0);
    n = cl_catalog_check_value(&a, c, v, c->name != NULL ? c->name : "value", &rep);
    if (n == SIZE_MAX)
        rc = cl_fail(err, CL_ERR_NOMEM, "value", "out of memory");
    else if (rep.nproblems != 0)
        rc = cl_fail(err, rep.problems[0].code, rep.problems[0].path, "%s", rep.problems[0].msg);
    cl_arena_fini(&a);
    return rc;
}

/* RFC 8949 §4.2.1: text keys sort by their encodings, which is length first, then bytes. */
struct member {
    const char *key;
    size_t len;
    const json_t *v;
};

static int
cmp_members(const void *x, const void *y)
{
    const struct member *a = x, *b = y;

    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return memcmp(a->key, b->key, a->len);
}

static void put_value(struct cl_buf *b, const struct cl_catalog_claim *c, const json_t *v);

/* A JSON object as a CBOR map with sorted text keys; fields of c when it has them. */
static void
put_map(struct cl_buf *b, const struct cl_catalog_claim *c, const json_t *v)
{
    size_t n = json_object_size(v), i = 0;
    struct member *m;
    const char *key;
    json_t *val;

    m = cl_calloc(n != 0 ? n : 1, sizeof *m);
    if (m == NULL) {
        cl_buf_set_err(b, CL_ERR_NOMEM);
        return;
    }
    json_object_foreach((json_t *)v, key, val)
    {
        m[i].key = key;
        m[i].len = strlen(key);
        m[i++].v = val;
    }
    qsort(m, n, sizeof *m, cmp_members);
    cl_cbor_put_map(b, n);
    for (i = 0; i < n; i++) {
        cl_cbor_put_text(b, cl_bytes_of(m[i].key, m[i].len));
        put_value(b, cl_catalog_claim_field(c, m[i].key), m[i].v);
    }
    cl_free(m);
}

/* c NULL: generic JSON to CBOR ({"$b64"} as bstr, reals as floats). */
static void
put_value(struct cl_buf *b, const struct cl_catalog_claim *c, const json_t *v)
{
    struct cl_bytes s;
    int32_t days;
    int64_t secs;
    size_t i;
    json_t *m;

    if (b->err != CL_OK)
        return;
    if (c == NULL || c->type == CL_CATALOG_TSTR || c->type == CL_CATALOG_INT ||
        c->type == CL_CATALOG_BOOL || c->type == CL_CATALOG_UINT) {
        switch (json_typeof(v)) {
        case JSON_STRING:
            cl_cbor_put_text(b, cl_bytes_of(json_string_value(v), json_string_length(v)));
            return;
        case JSON_INTEGER:
            cl_cbor_put_int(b, (int64_t)json_integer_value(v));
            return;
        case JSON_REAL:
            cl_cbor_put_float(b, json_real_value(v));
            return;
        case JSON_TRUE:
        case JSON_FALSE:
            cl_cbor_put_bool(b, json_is_true(v));
            return;
        case JSON_NULL:
            cl_cbor_put_null(b);
            return;
        case JSON_ARRAY:
            cl_cbor_put_array(b, json_array_size(v));
            json_array_foreach(v, i, m) put_value(b, NULL, m);
            return;
        case JSON_OBJECT:
            break;
        }
        if (catalog_is_b64(v)) {
            struct cl_buf d;

            cl_buf_init(&d);
            if (catalog_b64_value(&d, v) != CL_OK)
                cl_buf_set_err(b, CL_ERR_ENCODING);
            else
                cl_cbor_put_bytes(b, cl_buf_bytes(&d));
            cl_buf_fini(&d);
            return;
        }
        put_map(b, NULL, v);
        return;
    }
    switch (c->type) {
    case CL_CATALOG_FULLDATE:
        s = cl_bytes_of(json_string_value(v), json_string_length(v));
        if (cl_date_parse(s, &days, NULL) != CL_OK)
            cl_buf_set_err(b, CL_ERR_INPUT);
        else
            cl_cbor_put_fulldate(b, days); /* #6.1004("YYYY-MM-DD"), RFC 8943 §3 */
        return;
    case CL_CATALOG_TDATE:
        s = cl_bytes_of(json_string_value(v), json_string_length(v));
        if (cl_rfc3339_parse(s, &secs, NULL, NULL) != CL_OK)
            cl_buf_set_err(b, CL_ERR_INPUT);
        else
            cl_cbor_put_tdate(b, secs); /* ISO 18013-5 §7.2.1: no fraction, "Z" */
        return;
    case CL_CATALOG_ARRAY:
        cl_cbor_put_array(b, json_array_size(v));
        json_array_foreach(v, i, m) put_value(b, c->items, m);
        return;
    case CL_CATALOG_MAP:
        put_map(b, c->fields != NULL ? c : NULL, v);
        return;
    default: /* BSTR */
        put_value(b, NULL, v);
        return;
    }
}

cl_err
cl_catalog_value_to_cbor(struct cl_buf *out, const struct cl_catalog_claim *c, const json_t *v,
                         struct cl_error *err)
{
    size_t mark;
    cl_err rc;

    if (out == NULL || c == NULL || v == NULL)
        return cl_fail(err, CL_ERR_USAGE, "value", "no buffer, claim or value");
    if ((rc = recheck(c, v, err)) != CL_OK)
        return rc;
    mark = out->len;
    put_value(out, c, v);
    if (out->err != CL_OK) {
        rc = cl_buf_check(out, c->name != NULL ? c->name : "value", err);
        if (out->len >= mark)
            out->len = mark;
        return rc;
    }
    return CL_OK;
}

/* ---- JSON for SD-JWT VC payloads ---- */

static json_t *
to_sdjwt(const struct cl_catalog_claim *c, const json_t *v, cl_err *rc)
{
    char buf[21];
    int64_t secs;
    size_t i;
    json_t *m, *out;

    if (catalog_is_b64(v) && (c == NULL || c->type == CL_CATALOG_BSTR)) {
        struct cl_buf d, e;

        cl_buf_init(&d);
        cl_buf_init(&e);
        out = NULL;
        if (catalog_b64_value(&d, v) != CL_OK) {
            *rc = CL_ERR_ENCODING;
        } else {
            cl_b64url_encode(&e, cl_buf_bytes(&d));
            cl_buf_append_byte(&e, 0);
            if (e.err != CL_OK || (out = json_string((const char *)e.ptr)) == NULL)
                *rc = CL_ERR_NOMEM;
        }
        cl_buf_fini(&d);
        cl_buf_fini(&e);
        return out;
    }
    if (c != NULL && c->type == CL_CATALOG_TDATE) {
        if (cl_rfc3339_parse(cl_bytes_of(json_string_value(v), json_string_length(v)), &secs, NULL,
                             NULL) != CL_OK) {
            *rc = CL_ERR_INPUT;
            return NULL;
        }
        cl_rfc3339_format(secs, buf);
        out = json_string(buf);
    } else if (json_is_array(v)) {
        out = json_array();
        json_array_foreach(v, i, m)
        {
            json_t *e = to_sdjwt(c != NULL ? c->items : NULL, m, rc);

            if (e == NULL || out == NULL || json_array_append_new(out, e) != 0) {
                json_decref(out);
                return NULL;
            }
        }
    } else if (json_is_object(v)) {
        const char *key;

        out = json_object();
        json_object_foreach((json_t *)v, key, m)
        {
            json_t *e = to_sdjwt(cl_catalog_claim_field(c, key), m, rc);

            if (e == NULL || out == NULL || json_object_set_new(out, key, e) != 0) {
                json_decref(out);
                return NULL;
            }
        }
    } else {
        out = json_copy((json_t *)v);
    }
    if (out == NULL && *rc == CL_OK)
        *rc = CL_ERR_NOMEM;
    return out;
}

static void
decref(void *p)
{
    json_decref((json_t *)p);
}

static cl_err
own(struct cl_arena *a, json_t *j, json_t **out, struct cl_error *err)
{
    if (cl_arena_defer(a, decref, j) != CL_OK) {
        json_decref(j);
        return cl_fail(err, CL_ERR_NOMEM, "value", "out of memory");
    }
    *out = j;
    return CL_OK;
}

cl_err
cl_catalog_value_to_sdjwt(struct cl_arena *a, const struct cl_catalog_claim *c, const json_t *v,
                          json_t **out, struct cl_error *err)
{
    cl_err rc = CL_OK;
    json_t *j;

    *out = NULL;
    if (c == NULL || v == NULL)
        return cl_fail(err, CL_ERR_USAGE, "value", "no claim or value");
    if ((rc = recheck(c, v, err)) != CL_OK)
        return rc;
    j = to_sdjwt(c, v, &rc);
    if (j == NULL)
        return cl_fail(err, rc != CL_OK ? rc : CL_ERR_NOMEM, c->name != NULL ? c->name : "value",
                       "cannot convert the value for SD-JWT");
    return own(a, j, out, err);
}

/* ---- CBOR to JSON for verifier output ---- */

struct cctx {
    struct cl_error *err;
    struct cl_arena *a;
};

static const char *
cbor_kind(const struct cl_cbor *it)
{
    static const char *const names[] = {"an unsigned integer",
                                        "a negative integer",
                                        "a byte string",
                                        "a text string",
                                        "an array",
                                        "a map",
                                        "a tag",
                                        "a simple value",
                                        "a float"};

    return it->type < CL_ARRAY_LEN(names) ? names[it->type] : "an unknown item";
}

/* Whether it is of element type c->type, as ISO 18013-5 encodes it. */
static bool
type_matches(const struct cl_catalog_claim *c, const struct cl_cbor *it)
{
    switch (c->type) {
    case CL_CATALOG_TSTR:
        return it->type == CL_CBOR_TEXT;
    case CL_CATALOG_UINT:
        return it->type == CL_CBOR_UINT;
    case CL_CATALOG_INT:
        return it->type == CL_CBOR_UINT || it->type == CL_CBOR_NEGINT;
    case CL_CATALOG_BOOL:
        return it->type == CL_CBOR_SIMPLE && (it->v.u == CL_CBOR_FALSE || it->v.u == CL_CBOR_TRUE);
    case CL_CATALOG_FULLDATE:
        return it->type == CL_CBOR_TAG &&
               (it->v.tag.num == CL_CBOR_TAG_FULLDATE || it->v.tag.num == CL_CBOR_TAG_DAYS);
    case CL_CATALOG_TDATE:
        return it->type == CL_CBOR_TAG &&
               (it->v.tag.num == CL_CBOR_TAG_TDATE || it->v.tag.num == CL_CBOR_TAG_EPOCH);
    case CL_CATALOG_BSTR:
        return it->type == CL_CBOR_BYTES;
    case CL_CATALOG_ARRAY:
        return it->type == CL_CBOR_ARRAY;
    case CL_CATALOG_MAP:
        return it->type == CL_CBOR_MAP;
    }
    return false;
}

static json_t *
jstr_b64url(struct cl_bytes b)
{
    struct cl_buf e;
    json_t *j = NULL;

    cl_buf_init(&e);
    cl_b64url_encode(&e, b);
    cl_buf_append_byte(&e, 0);
    if (e.err == CL_OK)
        j = json_string((const char *)e.ptr);
    cl_buf_fini(&e);
    return j;
}

static json_t *build(struct cctx *x, const struct cl_catalog_claim *c, const struct cl_cbor *it,
                     unsigned depth);

static json_t *
fail_null(struct cctx *x, cl_err code, const struct cl_cbor *it, const char *msg)
{
    char where[40];

    snprintf(where, sizeof where, "offset %zu", it->offset);
    cl_fail(x->err, code, where, "%s", msg);
    return NULL;
}

static json_t *
nomem_null(struct cctx *x)
{
    cl_fail(x->err, CL_ERR_NOMEM, "value", "out of memory");
    return NULL;
}

static json_t *
build_int(struct cctx *x, const struct cl_cbor *it)
{
    char buf[32];
    json_t *j;

    if (it->type == CL_CBOR_UINT) {
        if (it->v.u <= INT64_MAX)
            j = json_integer((json_int_t)it->v.u);
        else {
            snprintf(buf, sizeof buf, "%" PRIu64, it->v.u);
            j = json_string(buf);
        }
    } else if (it->v.u <= INT64_MAX) {
        j = json_integer((json_int_t)(-1 - (int64_t)it->v.u));
    } else if (it->v.u == UINT64_MAX) {
        j = json_string("-18446744073709551616");
    } else {
        snprintf(buf, sizeof buf, "-%" PRIu64, it->v.u + 1);
        j = json_string(buf);
    }
    return j != NULL ? j : nomem_null(x);
}

static json_t *
build_key(struct cctx *x, const struct cl_cbor *k)
{
    struct cl_buf b;
    char buf[32];
    json_t *j;

    if (k->type == CL_CBOR_UINT || k->type == CL_CBOR_NEGINT) {
        j = build_int(x, k);
        if (j == NULL || json_is_string(j))
            return j;
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        json_decref(j);
        j = json_string(buf);
        return j != NULL ? j : nomem_null(x);
    }
    cl_buf_init(&b);
    if (cl_cbor_diag(&b, k, 0, x->err) != CL_OK) {
        cl_buf_fini(&b);
        return NULL;
    }
    cl_buf_append_byte(&b, 0);
    j = b.err == CL_OK ? json_string((const char *)b.ptr) : NULL;
    cl_buf_fini(&b);
    return j != NULL ? j : nomem_null(x);
}

static json_t *
build_map(struct cctx *x, const struct cl_catalog_claim *c, const struct cl_cbor *it,
          unsigned depth)
{
    json_t *obj = json_object();

    if (obj == NULL)
        return nomem_null(x);
    for (size_t i = 0; i < it->v.map.n; i++) {
        const struct cl_cbor_pair *p = &it->v.map.pair[i];
        const struct cl_catalog_claim *f = NULL;
        struct cl_bytes key;
        json_t *kj = NULL, *vj;

        if (p->key.type == CL_CBOR_TEXT) {
            key = p->key.v.str;
            if (memchr(key.ptr, 0, key.len) != NULL) {
                json_decref(obj);
                return fail_null(x, CL_ERR_INPUT, &p->key, "map key contains a NUL");
            }
        } else {
            kj = build_key(x, &p->key);
            if (kj == NULL) {
                json_decref(obj);
                return NULL;
            }
            key = cl_bytes_of(json_string_value(kj), json_string_length(kj));
        }
        if (c != NULL && c->fields != NULL) {
            for (size_t k = 0; k < c->nfields && f == NULL; k++)
                if (cl_bytes_eq_str(key, c->fields[k].name))
                    f = &c->fields[k];
        }
        if (json_object_getn(obj, (const char *)key.ptr, key.len) != NULL) {
            json_decref(kj);
            json_decref(obj);
            return fail_null(x, CL_ERR_DUPLICATE, &p->key,
                             "two map keys give the same JSON member name");
        }
        vj = build(x, f, &p->value, depth + 1);
        if (vj == NULL || json_object_setn_new(obj, (const char *)key.ptr, key.len, vj) != 0) {
            json_decref(kj);
            json_decref(obj);
            return vj == NULL ? NULL : nomem_null(x);
        }
        json_decref(kj);
    }
    return obj;
}

static json_t *
build_tag(struct cctx *x, const struct cl_catalog_claim *c, const struct cl_cbor *it,
          unsigned depth)
{
    uint64_t num = it->v.tag.num;
    struct cl_error e = {0};
    char buf[21];
    json_t *j, *inner;

    if (num == CL_CBOR_TAG_FULLDATE || num == CL_CBOR_TAG_DAYS) {
        int32_t days;

        if (cl_cbor_get_fulldate(it, &days, &e) == CL_OK) {
            cl_date_format(days, buf);
            j = json_string(buf);
            return j != NULL ? j : nomem_null(x);
        }
        if (c != NULL)
            return fail_null(x, e.code, it, e.msg);
    } else if (num == CL_CBOR_TAG_TDATE || num == CL_CBOR_TAG_EPOCH) {
        int64_t secs;

        if (cl_cbor_get_tdate(it, &secs, &e) == CL_OK) {
            cl_rfc3339_format(secs, buf);
            j = json_string(buf);
            return j != NULL ? j : nomem_null(x);
        }
        if (c != NULL)
            return fail_null(x, e.code, it, e.msg);
    } else if (num == CL_CBOR_TAG_EMBEDDED && it->v.tag.item->type == CL_CBOR_BYTES) {
        inner = jstr_b64url(it->v.tag.item->v.str);
        if (inner == NULL)
            return nomem_null(x);
        j = json_pack("{s:o}", "$cbor", inner);
        return j != NULL ? j : nomem_null(x);
    }
    inner = build(x, NULL, it->v.tag.item, depth + 1);
    if (inner == NULL)
        return NULL;
    j = json_pack("{s:I,s:o}", "$tag", (json_int_t)(num <= INT64_MAX ? num : 0), "$value", inner);
    return j != NULL ? j : nomem_null(x);
}

static json_t *
build(struct cctx *x, const struct cl_catalog_claim *c, const struct cl_cbor *it, unsigned depth)
{
    json_t *j = NULL;

    if (depth > CATALOG_GENERIC_DEPTH)
        return fail_null(x, CL_ERR_TOO_LARGE, it, "element value nests too deeply");
    if (c != NULL && !type_matches(c, it)) {
        char msg[96];

        snprintf(msg, sizeof msg, "element value is %s, its type is %s", cbor_kind(it),
                 cl_catalog_vtype_name(c->type));
        return fail_null(x, CL_ERR_INPUT, it, msg);
    }
    switch (it->type) {
    case CL_CBOR_UINT:
    case CL_CBOR_NEGINT:
        return build_int(x, it);
    case CL_CBOR_BYTES:
        j = jstr_b64url(it->v.str);
        break;
    case CL_CBOR_TEXT:
        j = json_stringn(it->v.str.len != 0 ? (const char *)it->v.str.ptr : "", it->v.str.len);
        if (j == NULL)
            return fail_null(x, CL_ERR_ENCODING, it, "text string is not valid UTF-8");
        break;
    case CL_CBOR_ARRAY:
        j = json_array();
        if (j == NULL)
            return nomem_null(x);
        for (size_t i = 0; i < it->v.array.n; i++) {
            json_t *e = build(x, c != NULL ? c->items : NULL, &it->v.array.item[i], depth + 1);

            if (e == NULL || json_array_append_new(j, e) != 0) {
                json_decref(j);
                return e == NULL ? NULL : nomem_null(x);
            }
        }
        return j;
    case CL_CBOR_MAP:
        return build_map(x, c, it, depth);
    case CL_CBOR_TAG:
        return build_tag(x, c, it, depth);
    case CL_CBOR_SIMPLE:
        if (it->v.u == CL_CBOR_FALSE || it->v.u == CL_CBOR_TRUE)
            j = json_boolean(it->v.u == CL_CBOR_TRUE);
        else if (it->v.u == CL_CBOR_NULL || it->v.u == CL_CBOR_UNDEFINED)
            j = json_null();
        else
            j = json_pack("{s:I}", "$simple", (json_int_t)it->v.u);
        break;
    case CL_CBOR_FLOAT:
        if (isnan(it->v.f))
            j = json_string("NaN");
        else if (isinf(it->v.f))
            j = json_string(it->v.f > 0 ? "Infinity" : "-Infinity");
        else
            j = json_real(it->v.f);
        break;
    default:
        return fail_null(x, CL_ERR_INPUT, it, "unknown CBOR item");
    }
    return j != NULL ? j : nomem_null(x);
}

cl_err
cl_catalog_cbor_to_json(struct cl_arena *a, const struct cl_catalog_claim *c,
                        const struct cl_cbor *item, json_t **out, struct cl_error *err)
{
    struct cl_error local = {0};
    struct cctx x;
    json_t *j;

    *out = NULL;
    if (item == NULL)
        return cl_fail(err, CL_ERR_USAGE, "value", "no CBOR item");
    x.err = &local;
    x.a = a;
    j = build(&x, c, item, 0);
    if (j == NULL) {
        if (local.code == CL_OK)
            return cl_fail(err, CL_ERR_NOMEM, "value", "out of memory");
        return cl_fail(err, local.code, local.where, "%s", local.msg);
    }
    return own(a, j, out, err);
}
