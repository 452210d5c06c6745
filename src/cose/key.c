/*
 * key.c - COSE_Key (RFC 9052 §7) for EC2 keys (RFC 9053 §7.1.1) to and from struct cl_key.
 */
#include <inttypes.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cose/cose_int.h"

#include "base/banned.h"

static size_t
crv_coord_len(int64_t crv, enum cl_curve *curve)
{
    switch (crv) {
    case CL_COSE_CRV_P256:
        *curve = CL_CURVE_P256;
        return 32;
    case CL_COSE_CRV_P384:
        *curve = CL_CURVE_P384;
        return 48;
    case CL_COSE_CRV_P521:
        *curve = CL_CURVE_P521;
        return 66;
    default:
        return 0;
    }
}

static cl_err
coord(const struct cl_cbor *map, int64_t label, const char *name, size_t len, bool required,
      struct cl_bytes *out, struct cl_error *err)
{
    const struct cl_cbor *v = cl_cbor_map_get_int(map, label);

    out->ptr = NULL;
    out->len = 0;
    if (v == NULL) {
        if (required)
            return cl_fail(err, CL_ERR_MISSING, name, "%s is missing", name);
        return CL_OK;
    }
    if (v->type == CL_CBOR_SIMPLE && (v->v.u == CL_CBOR_TRUE || v->v.u == CL_CBOR_FALSE) &&
        label == CL_COSE_KEY_EC2_Y)
        return cl_fail(err, CL_ERR_UNSUPPORTED, name,
                       "y is a sign bit: compressed points are not supported");
    if (v->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, name, "%s is not a bstr", name);
    if (v->v.str.len != len)
        return cl_fail(err, CL_ERR_INPUT, name, "%s is %zu bytes; the curve needs %zu", name,
                       v->v.str.len, len);
    *out = v->v.str;
    return CL_OK;
}

cl_err
cl_cose_key_from_cbor(const struct cl_cbor *map, struct cl_key **out, struct cl_error *err)
{
    const struct cl_cbor *v;
    struct cl_bytes x, y, d;
    enum cl_curve curve = CL_CURVE_P256;
    int64_t kty, crv;
    size_t len;
    cl_err rc;

    *out = NULL;
    if (map == NULL || map->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "COSE_Key", "COSE_Key is not a map");
    v = cl_cbor_map_get_int(map, CL_COSE_KEY_KTY);
    if (v == NULL)
        return cl_fail(err, CL_ERR_MISSING, "kty", "kty is missing");
    if (v->type == CL_CBOR_TEXT)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "kty",
                       "kty is a text name; only EC2 (2) is "
                       "supported");
    if (!cl_cbor_get_int(v, &kty))
        return cl_fail(err, CL_ERR_INPUT, "kty", "kty is neither an integer nor a text string");
    if (kty != CL_COSE_KTY_EC2)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "kty", "kty %" PRId64 " is not EC2 (2)", kty);
    v = cl_cbor_map_get_int(map, CL_COSE_KEY_EC2_CRV);
    if (v == NULL)
        return cl_fail(err, CL_ERR_MISSING, "crv", "crv is missing");
    if (!cl_cbor_get_int(v, &crv)) {
        if (v->type == CL_CBOR_TEXT)
            return cl_fail(err, CL_ERR_UNSUPPORTED, "crv", "crv is a text name");
        return cl_fail(err, CL_ERR_INPUT, "crv", "crv is not an integer");
    }
    len = crv_coord_len(crv, &curve);
    if (len == 0)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "crv",
                       "crv %" PRId64 " is not P-256 (1), P-384 (2) or P-521 (3)", crv);
    rc = coord(map, CL_COSE_KEY_EC2_X, "x", len, true, &x, err);
    if (rc == CL_OK)
        rc = coord(map, CL_COSE_KEY_EC2_Y, "y", len, true, &y, err);
    if (rc == CL_OK)
        rc = coord(map, CL_COSE_KEY_EC2_D, "d", len, false, &d, err);
    if (rc == CL_OK)
        rc = cl_key_from_coords(curve, x, y, d, out, err);
    return rc;
}

cl_err
cl_cose_key_decode(struct cl_bytes in, struct cl_key **out, struct cl_error *err)
{
    struct cl_arena a;
    const struct cl_cbor *map = NULL;
    cl_err rc;

    *out = NULL;
    cl_arena_init(&a, 0, 0, CL_ARENA_SECRET);
    rc = cl_cbor_decode(&a, in, NULL, &map, err);
    if (rc == CL_OK)
        rc = cl_cose_key_from_cbor(map, out, err);
    cl_arena_fini(&a);
    return rc;
}

cl_err
cl_cose_key_encode(const struct cl_key *key, struct cl_bytes kid, bool include_private,
                   struct cl_buf *out, struct cl_error *err)
{
    uint8_t x[CL_EC_COORD_MAX], y[CL_EC_COORD_MAX], d[CL_EC_COORD_MAX];
    struct cl_buf b;
    size_t len;
    int64_t crv;
    cl_err rc;

    if (key == NULL || out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no key or output was given");
    if (include_private && !cl_key_has_private(key))
        return cl_fail(err, CL_ERR_USAGE, "d", "the key has no private part");
    switch (cl_key_curve(key)) {
    case CL_CURVE_P256:
        crv = CL_COSE_CRV_P256;
        break;
    case CL_CURVE_P384:
        crv = CL_COSE_CRV_P384;
        break;
    case CL_CURVE_P521:
        crv = CL_COSE_CRV_P521;
        break;
    default:
        return cl_fail(err, CL_ERR_UNSUPPORTED, "crv", "the key's curve has no COSE name");
    }
    len = cl_key_coord_len(key);
    cl_buf_init_ex(&b, CL_BUF_MAX_DEFAULT, true);
    rc = cl_key_coords(key, x, y, include_private ? d : NULL, err);
    if (rc != CL_OK)
        goto out;
    /* deterministic order of the keys' encodings: 01, 02, 20, 21, 22, 23 */
    cl_cbor_put_map(&b, 4 + (kid.ptr != NULL) + include_private);
    cl_cbor_put_int(&b, CL_COSE_KEY_KTY);
    cl_cbor_put_int(&b, CL_COSE_KTY_EC2);
    if (kid.ptr != NULL) {
        cl_cbor_put_int(&b, CL_COSE_KEY_KID);
        cl_cbor_put_bytes(&b, kid);
    }
    cl_cbor_put_int(&b, CL_COSE_KEY_EC2_CRV);
    cl_cbor_put_int(&b, crv);
    cl_cbor_put_int(&b, CL_COSE_KEY_EC2_X);
    cl_cbor_put_bytes(&b, cl_bytes_of(x, len));
    cl_cbor_put_int(&b, CL_COSE_KEY_EC2_Y);
    cl_cbor_put_bytes(&b, cl_bytes_of(y, len));
    if (include_private) {
        cl_cbor_put_int(&b, CL_COSE_KEY_EC2_D);
        cl_cbor_put_bytes(&b, cl_bytes_of(d, len));
    }
    rc = cl_buf_check(&b, "COSE_Key", err);
    if (rc == CL_OK) {
        cl_buf_append_bytes(out, cl_buf_bytes(&b));
        rc = cl_buf_check(out, "output", err);
    }
out:
    cl_wipe(d, sizeof d);
    cl_buf_fini(&b);
    return rc;
}
