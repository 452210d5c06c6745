/*
 * engagement.c - DeviceEngagement (ISO/IEC 18013-5 §8.2.1.1): strict parsing that keeps the
 * received bytes, building with a TCP retrieval method, and the QR "mdoc:" URI (§8.2.2.3).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/cose.h"
#include "cardless/mdoc_session.h"

#include "base/banned.h"

#define URI_SCHEME "mdoc:"

static struct cl_cbor_limits
engagement_limits(const struct cl_cbor_limits *lim)
{
    struct cl_cbor_limits l;

    if (lim != NULL)
        return *lim;
    l = cl_cbor_limits_default();
    l.max_bytes = CL_MDOC_ENGAGEMENT_MAX;
    l.max_depth = 8;
    l.max_items = 512;
    l.flags |= CL_CBOR_REJECT_INDEFINITE; /* received bytes are embedded as they are */
    return l;
}

/* [cipher suite, EDeviceKeyBytes] (§9.1.5.1, §9.1.5.2) */
static cl_err
parse_security(const struct cl_cbor *sec, struct cl_mdoc_engagement *e, struct cl_error *err)
{
    const struct cl_cbor *inner;
    struct cl_key *key = NULL;
    uint64_t suite;
    cl_err rc;

    if (sec->type != CL_CBOR_ARRAY || sec->v.array.n != 2)
        return cl_fail(err, CL_ERR_INPUT, "DeviceEngagement.Security",
                       "Security is not an array of two items");
    if (!cl_cbor_get_uint(&sec->v.array.item[0], &suite))
        return cl_fail(err, CL_ERR_INPUT, "DeviceEngagement.Security[0]",
                       "cipher suite is not an unsigned integer");
    if (suite != CL_MDOC_CIPHER_SUITE_1)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "DeviceEngagement.Security[0]",
                       "cipher suite %" PRIu64 " is not 1", suite);
    inner = cl_cbor_untag(&sec->v.array.item[1], CL_CBOR_TAG_EMBEDDED);
    if (inner == NULL || inner->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, "DeviceEngagement.Security[1]",
                       "EDeviceKeyBytes is not #6.24(bstr)");
    rc = cl_cose_key_decode(inner->v.str, &key, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "DeviceEngagement.Security[1]");
        return rc;
    }
    if (cl_key_curve(key) != CL_CURVE_P256 || cl_key_has_private(key)) {
        rc = cl_fail(err, cl_key_has_private(key) ? CL_ERR_INPUT : CL_ERR_UNSUPPORTED,
                     "DeviceEngagement.Security[1]",
                     cl_key_has_private(key) ? "EDeviceKey carries a private key"
                                             : "EDeviceKey is not on P-256");
        cl_key_free(key);
        return rc;
    }
    cl_key_free(key);
    e->edevice_key = inner->v.str;
    return CL_OK;
}

/* [[type, version, options], ...] (§8.2.1.1); the TCP method is [-10, 1, {0: host, 1: port}] */
static cl_err
parse_methods(const struct cl_cbor *m, struct cl_mdoc_engagement *e, struct cl_error *err)
{
    char where[64];

    if (m->type != CL_CBOR_ARRAY || m->v.array.n == 0)
        return cl_fail(err, CL_ERR_INPUT, "DeviceEngagement.DeviceRetrievalMethods",
                       "DeviceRetrievalMethods is not a non-empty array");
    for (size_t i = 0; i < m->v.array.n; i++) {
        const struct cl_cbor *r = &m->v.array.item[i], *host, *port;
        int64_t type;
        uint64_t version, p;

        snprintf(where, sizeof where, "DeviceEngagement.DeviceRetrievalMethods[%zu]", i);
        if (r->type != CL_CBOR_ARRAY || r->v.array.n != 3 ||
            !cl_cbor_get_int(&r->v.array.item[0], &type) ||
            !cl_cbor_get_uint(&r->v.array.item[1], &version) ||
            r->v.array.item[2].type != CL_CBOR_MAP)
            return cl_fail(err, CL_ERR_INPUT, where,
                           "retrieval method is not [type, version, options]");
        if (type != CL_MDOC_RETRIEVAL_TCP || e->has_tcp)
            continue; /* NFC, BLE, Wi-Fi Aware: not ours to use; the first TCP one wins */
        host = cl_cbor_map_get_int(&r->v.array.item[2], 0);
        port = cl_cbor_map_get_int(&r->v.array.item[2], 1);
        if (host == NULL || host->type != CL_CBOR_TEXT || host->v.str.len == 0 ||
            host->v.str.len > CL_MDOC_HOST_MAX || memchr(host->v.str.ptr, 0, host->v.str.len))
            return cl_fail(err, CL_ERR_INPUT, where, "TCP host is not a text of 1-%d bytes",
                           CL_MDOC_HOST_MAX);
        if (port == NULL || !cl_cbor_get_uint(port, &p) || p == 0 || p > 65535)
            return cl_fail(err, CL_ERR_INPUT, where, "TCP port is not in 1-65535");
        memcpy(e->tcp_host, host->v.str.ptr, host->v.str.len);
        e->tcp_host[host->v.str.len] = '\0';
        e->tcp_port = (uint16_t)p;
        e->has_tcp = true;
    }
    e->n_methods = m->v.array.n;
    return CL_OK;
}

cl_err
cl_mdoc_engagement_parse(struct cl_arena *a, struct cl_bytes in, const struct cl_cbor_limits *lim,
                         struct cl_mdoc_engagement *out, struct cl_error *err)
{
    struct cl_cbor_limits l = engagement_limits(lim);
    struct cl_mdoc_engagement e;
    const struct cl_cbor *root, *v;
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&e, 0, sizeof e);
    if (in.len > l.max_bytes)
        return cl_fail(err, CL_ERR_TOO_LARGE, "DeviceEngagement",
                       "DeviceEngagement is larger than %zu bytes", l.max_bytes);
    rc = cl_cbor_decode(a, in, &l, &root, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "DeviceEngagement");
        return rc;
    }
    if (root->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "DeviceEngagement", "DeviceEngagement is not a map");
    for (size_t i = 0; i < root->v.map.n; i++) {
        int64_t k;

        if (!cl_cbor_get_int(&root->v.map.pair[i].key, &k))
            return cl_fail(err, CL_ERR_INPUT, "DeviceEngagement",
                           "key %zu of DeviceEngagement is not an integer", i);
    }
    v = cl_cbor_map_get_int(root, 0);
    if (v == NULL)
        return cl_fail(err, CL_ERR_MISSING, "DeviceEngagement.version", "version is missing");
    if (v->type != CL_CBOR_TEXT)
        return cl_fail(err, CL_ERR_INPUT, "DeviceEngagement.version", "version is not a tstr");
    if (v->v.str.len < 3 || memcmp(v->v.str.ptr, "1.", 2) != 0)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "DeviceEngagement.version", "version is not 1.x");
    e.version = v->v.str;
    v = cl_cbor_map_get_int(root, 1);
    if (v == NULL)
        return cl_fail(err, CL_ERR_MISSING, "DeviceEngagement.Security", "Security is missing");
    rc = parse_security(v, &e, err);
    if (rc != CL_OK)
        return rc;
    v = cl_cbor_map_get_int(root, 2);
    if (v != NULL && (rc = parse_methods(v, &e, err)) != CL_OK)
        return rc;
    e.raw = root->raw;
    *out = e;
    return CL_OK;
}

cl_err
cl_mdoc_engagement_build(const struct cl_key *edevice, const char *host, uint16_t port,
                         struct cl_buf *out, struct cl_error *err)
{
    struct cl_buf key;
    cl_err rc;

    if (edevice == NULL || cl_key_curve(edevice) != CL_CURVE_P256)
        return cl_fail(err, CL_ERR_USAGE, "EDeviceKey", "EDeviceKey is not a P-256 key");
    if (host != NULL && (strlen(host) == 0 || strlen(host) > CL_MDOC_HOST_MAX || port == 0))
        return cl_fail(err, CL_ERR_USAGE, "host", "TCP host or port is not usable");
    cl_buf_init(&key);
    rc = cl_cose_key_encode(edevice, cl_bytes_of(NULL, 0), false, &key, err);
    if (rc != CL_OK)
        goto out;
    cl_cbor_put_map(out, host != NULL ? 3 : 2);
    cl_cbor_put_uint(out, 0);
    cl_cbor_put_cstr(out, "1.0");
    cl_cbor_put_uint(out, 1);
    cl_cbor_put_array(out, 2);
    cl_cbor_put_uint(out, CL_MDOC_CIPHER_SUITE_1);
    cl_cbor_put_tag(out, CL_CBOR_TAG_EMBEDDED);
    cl_cbor_put_bytes(out, cl_buf_bytes(&key));
    if (host != NULL) {
        cl_cbor_put_uint(out, 2);
        cl_cbor_put_array(out, 1);
        cl_cbor_put_array(out, 3);
        cl_cbor_put_int(out, CL_MDOC_RETRIEVAL_TCP);
        cl_cbor_put_uint(out, 1);
        cl_cbor_put_map(out, 2);
        cl_cbor_put_uint(out, 0);
        cl_cbor_put_cstr(out, host);
        cl_cbor_put_uint(out, 1);
        cl_cbor_put_uint(out, port);
    }
    rc = cl_buf_check(out, "DeviceEngagement", err);
out:
    cl_buf_fini(&key);
    return rc;
}

void
cl_mdoc_engagement_to_uri(struct cl_buf *out, struct cl_bytes engagement)
{
    cl_buf_append_str(out, URI_SCHEME);
    cl_b64url_encode(out, engagement);
}

cl_err
cl_mdoc_engagement_from_uri(struct cl_arena *a, struct cl_bytes uri, struct cl_bytes *out,
                            struct cl_error *err)
{
    size_t n = strlen(URI_SCHEME);
    cl_err rc;

    out->ptr = NULL;
    out->len = 0;
    if (uri.len < n || memcmp(uri.ptr, URI_SCHEME, n) != 0)
        return cl_fail(err, CL_ERR_INPUT, "uri", "engagement URI does not start with \"mdoc:\"");
    if (uri.len - n > cl_b64url_encoded_len(CL_MDOC_ENGAGEMENT_MAX))
        return cl_fail(err, CL_ERR_TOO_LARGE, "uri", "engagement URI is too long");
    rc = cl_b64url_decode_arena(a, cl_bytes_of(uri.ptr + n, uri.len - n), out, err);
    if (rc != CL_OK)
        cl_error_nest(err, "uri");
    return rc;
}
