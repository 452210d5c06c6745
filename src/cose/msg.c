/*
 * msg.c - strict decoding of COSE_Sign1 and COSE_Mac0 (RFC 9052 §4.2, §6.2), header access,
 * and the Sig_structure / MAC_structure built over the protected bytes as received.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cardless/limits.h"
#include "cose/cose_int.h"

#include "base/banned.h"

static const struct cose_alg_info algs[] = {
    {CL_COSE_ALG_ES256, CL_COSE_SIGN1, CL_HASH_SHA256, CL_CURVE_P256, 0, "ES256"},
    {CL_COSE_ALG_ES384, CL_COSE_SIGN1, CL_HASH_SHA384, CL_CURVE_P384, 0, "ES384"},
    {CL_COSE_ALG_ES512, CL_COSE_SIGN1, CL_HASH_SHA512, CL_CURVE_P521, 0, "ES512"},
    /* RFC 9053 §3.1: HMAC 256/64 truncates the SHA-256 tag to its first 64 bits */
    {CL_COSE_ALG_HMAC256_64, CL_COSE_MAC0, CL_HASH_SHA256, 0, 8, "HMAC 256/64"},
    {CL_COSE_ALG_HMAC256, CL_COSE_MAC0, CL_HASH_SHA256, 0, 32, "HMAC 256/256"},
    {CL_COSE_ALG_HMAC384, CL_COSE_MAC0, CL_HASH_SHA384, 0, 48, "HMAC 384/384"},
    {CL_COSE_ALG_HMAC512, CL_COSE_MAC0, CL_HASH_SHA512, 0, 64, "HMAC 512/512"},
};

const struct cose_alg_info *
cose_alg_find(int64_t alg, enum cl_cose_kind kind)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(algs); i++)
        if (algs[i].alg == alg && algs[i].kind == kind)
            return &algs[i];
    return NULL;
}

const char *
cose_kind_name(enum cl_cose_kind kind)
{
    return kind == CL_COSE_MAC0 ? "COSE_Mac0" : "COSE_Sign1";
}

static bool
is_int(const struct cl_cbor *c)
{
    return c->type == CL_CBOR_UINT || c->type == CL_CBOR_NEGINT;
}

bool
cose_label_eq(const struct cl_cbor *a, const struct cl_cbor *b)
{
    if (is_int(a) && is_int(b))
        return a->type == b->type && a->v.u == b->v.u;
    if (a->type == CL_CBOR_TEXT && b->type == CL_CBOR_TEXT)
        return cl_bytes_eq(a->v.str, b->v.str);
    return false;
}

bool
cose_map_has_label(const struct cl_cbor *map, const struct cl_cbor *key)
{
    for (size_t i = 0; i < map->v.map.n; i++)
        if (cose_label_eq(&map->v.map.pair[i].key, key))
            return true;
    return false;
}

const char *
cose_label_str(const struct cl_cbor *key, char *buf, size_t len)
{
    if (key->type == CL_CBOR_UINT)
        snprintf(buf, len, "%" PRIu64, key->v.u);
    else if (key->type == CL_CBOR_NEGINT)
        snprintf(buf, len, "-1-%" PRIu64, key->v.u);
    else if (key->type == CL_CBOR_TEXT)
        snprintf(buf, len, "\"%.*s\"", key->v.str.len > 32 ? 32 : (int)key->v.str.len,
                 (const char *)key->v.str.ptr);
    else
        snprintf(buf, len, "(not a label)");
    return buf;
}

void
cose_put_structure(struct cl_buf *b, const char *context, struct cl_bytes body_protected,
                   struct cl_bytes aad, struct cl_bytes payload)
{
    static const uint8_t none[1] = {0};

    /* an absent external_aad is the zero-length bstr (RFC 9052 §4.3) */
    cl_cbor_put_array(b, 4);
    cl_cbor_put_cstr(b, context);
    cl_cbor_put_bytes(b, body_protected.ptr != NULL ? body_protected : cl_bytes_of(none, 0));
    cl_cbor_put_bytes(b, aad.ptr != NULL ? aad : cl_bytes_of(none, 0));
    cl_cbor_put_bytes(b, payload.ptr != NULL ? payload : cl_bytes_of(none, 0));
}

/* RFC 9052 §3: header_map = {Generic_Headers, * label => values}, label = int / tstr */
static cl_err
check_labels(const struct cl_cbor *map, const char *where, struct cl_error *err)
{
    for (size_t i = 0; i < map->v.map.n; i++) {
        const struct cl_cbor *k = &map->v.map.pair[i].key;
        int64_t v;

        if (k->type == CL_CBOR_TEXT)
            continue;
        if (!is_int(k) || !cl_cbor_get_int(k, &v))
            return cl_fail(err, CL_ERR_INPUT, where,
                           "the label of entry %zu is neither an integer nor a text string", i);
    }
    return CL_OK;
}

/* RFC 9052 §3.1: crit is protected, a non-empty array of labels, each present there */
static cl_err
check_crit(const struct cl_cose_msg *m, struct cl_error *err)
{
    const struct cl_cbor *crit = cl_cbor_map_get_int(m->protected_h, CL_COSE_HDR_CRIT);
    char lbl[48];

    if (crit == NULL) {
        if (cl_cbor_map_get_int(m->unprotected, CL_COSE_HDR_CRIT) != NULL)
            return cl_fail(err, CL_ERR_INPUT, "unprotected.crit",
                           "crit is in the unprotected map; it must be protected");
        return CL_OK;
    }
    if (crit->type != CL_CBOR_ARRAY || crit->v.array.n == 0)
        return cl_fail(err, CL_ERR_INPUT, "protected.crit",
                       "crit is not a non-empty array of labels");
    for (size_t i = 0; i < crit->v.array.n; i++) {
        const struct cl_cbor *l = &crit->v.array.item[i];
        int64_t v;

        if (l->type != CL_CBOR_TEXT && !cl_cbor_get_int(l, &v))
            return cl_fail(err, CL_ERR_INPUT, "protected.crit", "crit item %zu is not a label", i);
        if (!cose_map_has_label(m->protected_h, l))
            return cl_fail(err, CL_ERR_INPUT, "protected.crit",
                           "crit names label %s that is not in the protected map",
                           cose_label_str(l, lbl, sizeof lbl));
    }
    return CL_OK;
}

cl_err
cl_cose_decode(struct cl_arena *a, struct cl_bytes in, enum cl_cose_kind kind, unsigned flags,
               const struct cl_cbor_limits *lim, struct cl_cose_msg *out, struct cl_error *err)
{
    struct cl_cose_msg m;
    const struct cl_cbor *item = NULL, *arr, *it;
    const char *name = cose_kind_name(kind);
    uint64_t tag = kind == CL_COSE_MAC0 ? CL_COSE_TAG_MAC0 : CL_COSE_TAG_SIGN1;
    char lbl[48];
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&m, 0, sizeof m);
    if (kind != CL_COSE_SIGN1 && kind != CL_COSE_MAC0)
        return cl_fail(err, CL_ERR_USAGE, NULL, "unknown COSE message kind %d", (int)kind);
    rc = cl_cbor_decode(a, in, lim, &item, err);
    if (rc != CL_OK)
        return rc;
    m.kind = kind;
    m.item = item;
    arr = item;
    if (item->type == CL_CBOR_TAG) {
        if (item->v.tag.num != tag)
            return cl_fail(err, CL_ERR_INPUT, "tag", "tag %" PRIu64 " is not %s (%" PRIu64 ")",
                           item->v.tag.num, name, tag);
        arr = item->v.tag.item;
        m.tagged = true;
    } else if (!(flags & CL_COSE_ACCEPT_UNTAGGED)) {
        return cl_fail(err, CL_ERR_INPUT, "tag", "%s tag %" PRIu64 " is missing", name, tag);
    }
    if (arr->type != CL_CBOR_ARRAY)
        return cl_fail(err, CL_ERR_INPUT, NULL, "%s is not an array", name);
    if (arr->v.array.n != 4)
        return cl_fail(err, CL_ERR_INPUT, NULL, "%s has %zu items instead of 4", name,
                       arr->v.array.n);

    it = &arr->v.array.item[0];
    if (it->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, "protected", "protected header is not a bstr");
    m.protected_raw = it->v.str;
    if (it->v.str.len == 0) { /* RFC 9052 §3: h'' is the empty map */
        struct cl_cbor *empty = cl_cbor_new_map(a);

        if (empty == NULL)
            return cl_fail(err, CL_ERR_NOMEM, "protected", "out of memory");
        m.protected_h = empty;
    } else {
        rc = cl_cbor_decode(a, it->v.str, lim, &m.protected_h, err);
        if (rc != CL_OK) {
            cl_error_nest(err, "protected");
            return rc;
        }
        if (m.protected_h->type != CL_CBOR_MAP)
            return cl_fail(err, CL_ERR_INPUT, "protected", "protected header is not a map");
    }

    it = &arr->v.array.item[1];
    if (it->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "unprotected", "unprotected header is not a map");
    m.unprotected = it;

    it = &arr->v.array.item[2];
    if (it->type == CL_CBOR_BYTES)
        m.payload = it->v.str;
    else if (cl_cbor_is_null(it))
        m.detached = true;
    else
        return cl_fail(err, CL_ERR_INPUT, "payload", "payload is neither a bstr nor nil");

    it = &arr->v.array.item[3];
    if (it->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, kind == CL_COSE_MAC0 ? "tag" : "signature",
                       "%s is not a bstr", kind == CL_COSE_MAC0 ? "tag" : "signature");
    m.signature = it->v.str;

    rc = check_labels(m.protected_h, "protected", err);
    if (rc == CL_OK)
        rc = check_labels(m.unprotected, "unprotected", err);
    if (rc != CL_OK)
        return rc;
    for (size_t i = 0; i < m.unprotected->v.map.n; i++) {
        const struct cl_cbor *k = &m.unprotected->v.map.pair[i].key;

        if (cose_map_has_label(m.protected_h, k)) /* RFC 9052 §3 */
            return cl_fail(err, CL_ERR_DUPLICATE, "unprotected",
                           "label %s is in both the protected and the unprotected map",
                           cose_label_str(k, lbl, sizeof lbl));
    }
    rc = check_crit(&m, err);
    if (rc != CL_OK)
        return rc;
    *out = m;
    return CL_OK;
}

const struct cl_cbor *
cl_cose_header_get(const struct cl_cose_msg *m, int64_t label)
{
    const struct cl_cbor *v;

    if (m == NULL || m->protected_h == NULL)
        return NULL;
    v = cl_cbor_map_get_int(m->protected_h, label);
    if (v == NULL && m->unprotected != NULL)
        v = cl_cbor_map_get_int(m->unprotected, label);
    return v;
}

cl_err
cl_cose_header_alg(const struct cl_cose_msg *m, unsigned flags, int64_t *alg, struct cl_error *err)
{
    const struct cl_cbor *v = cl_cbor_map_get_int(m->protected_h, CL_COSE_HDR_ALG);
    const char *where = "protected.alg";

    *alg = 0;
    if (v == NULL) {
        v = cl_cbor_map_get_int(m->unprotected, CL_COSE_HDR_ALG);
        where = "unprotected.alg";
        if (v == NULL)
            return cl_fail(err, CL_ERR_MISSING, "protected.alg", "alg is missing");
        if (!(flags & CL_COSE_ALG_UNPROTECTED_OK))
            return cl_fail(err, CL_ERR_MISSING, where,
                           "alg is only in the unprotected map and must be protected");
    }
    if (v->type == CL_CBOR_TEXT)
        return cl_fail(err, CL_ERR_UNSUPPORTED, where,
                       "alg is a text name; only registered integer algorithms are supported");
    if (!cl_cbor_get_int(v, alg))
        return cl_fail(err, CL_ERR_INPUT, where, "alg is neither an integer nor a text string");
    return CL_OK;
}

cl_err
cl_cose_header_kid(const struct cl_cose_msg *m, struct cl_bytes *kid, struct cl_error *err)
{
    const struct cl_cbor *v = cl_cose_header_get(m, CL_COSE_HDR_KID);

    kid->ptr = NULL;
    kid->len = 0;
    if (v == NULL)
        return cl_fail(err, CL_ERR_NOT_FOUND, "kid", "kid is absent");
    if (v->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, "kid", "kid is not a bstr");
    *kid = v->v.str;
    return CL_OK;
}

cl_err
cl_cose_header_x5chain(struct cl_arena *a, const struct cl_cose_msg *m, struct cl_bytes **certs,
                       size_t *n, struct cl_error *err)
{
    const struct cl_cbor *v = cl_cose_header_get(m, CL_COSE_HDR_X5CHAIN);
    struct cl_bytes *list;
    size_t count;

    *certs = NULL;
    *n = 0;
    if (v == NULL)
        return cl_fail(err, CL_ERR_NOT_FOUND, "x5chain", "x5chain is absent");
    if (v->type == CL_CBOR_BYTES) {
        count = 1;
    } else if (v->type == CL_CBOR_ARRAY) {
        count = v->v.array.n;
        if (count == 0)
            return cl_fail(err, CL_ERR_INPUT, "x5chain", "x5chain is an empty array");
        if (count > CL_LIMIT_X509_CHAIN)
            return cl_fail(err, CL_ERR_TOO_LARGE, "x5chain",
                           "x5chain has %zu certificates, more than %d", count,
                           CL_LIMIT_X509_CHAIN);
        for (size_t i = 0; i < count; i++)
            if (v->v.array.item[i].type != CL_CBOR_BYTES)
                return cl_fail(err, CL_ERR_INPUT, "x5chain", "x5chain item %zu is not a bstr", i);
    } else {
        return cl_fail(err, CL_ERR_INPUT, "x5chain", "x5chain is neither a bstr nor an array");
    }
    list = cl_arena_calloc(a, count, sizeof *list);
    if (list == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "x5chain", "out of memory");
    if (v->type == CL_CBOR_BYTES)
        list[0] = v->v.str;
    else
        for (size_t i = 0; i < count; i++)
            list[i] = v->v.array.item[i].v.str;
    *certs = list;
    *n = count;
    return CL_OK;
}

cl_err
cl_cose_tbs(const struct cl_cose_msg *m, struct cl_bytes external_aad,
            const struct cl_bytes *detached, struct cl_buf *out, struct cl_error *err)
{
    struct cl_bytes payload = m->payload, body = m->protected_raw;
    struct cl_buf b;
    cl_err rc;

    if (m->detached) {
        if (detached == NULL)
            return cl_fail(err, CL_ERR_MISSING, "payload",
                           "payload is detached and none was supplied");
        payload = *detached;
    } else if (detached != NULL) {
        return cl_fail(err, CL_ERR_USAGE, "payload",
                       "a detached payload was supplied for a message that carries one");
    }
    /* RFC 9052 §4.4: no protected attributes is the zero-length bstr, even when the empty
     * map arrived encoded as h'a0' (cose-wg Examples sign-pass-01, mac-pass-01) */
    if (m->protected_h->v.map.n == 0)
        body = cl_bytes_of(NULL, 0);
    cl_buf_init(&b);
    cose_put_structure(&b, m->kind == CL_COSE_MAC0 ? "MAC0" : "Signature1", body, external_aad,
                       payload);
    rc = cl_buf_check(&b, m->kind == CL_COSE_MAC0 ? "MAC_structure" : "Sig_structure", err);
    if (rc == CL_OK) {
        cl_buf_append_bytes(out, cl_buf_bytes(&b));
        rc = cl_buf_check(out, "output", err);
    }
    cl_buf_fini(&b);
    return rc;
}
