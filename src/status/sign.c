/* sign.c - a Status List Token from the issuer's table: JWT (draft §5.1) or CWT (§5.2). */
#include <stdlib.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/cose.h"
#include "cardless/jose.h"
#include "cardless/time.h"
#include "status/status_int.h"

#include "base/banned.h"

static cl_err
sign_jwt(struct cl_arena *a, unsigned bits, struct cl_bytes zlib, const struct cl_key *key,
         const struct cl_status_sign_params *p, int64_t iat, struct cl_bytes *out,
         struct cl_error *err)
{
    struct cl_jws_header hdr;
    json_t *claims = NULL;
    char *lst, *payload = NULL;
    cl_err rc;

    lst = cl_b64url_encode_arena(a, zlib);
    claims = lst != NULL ? json_object() : NULL;
    if (claims == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
        goto out;
    }
    if ((p->iss != NULL && json_object_set_new(claims, "iss", json_string(p->iss)) != 0) ||
        json_object_set_new(claims, "sub", json_string(p->uri)) != 0 ||
        json_object_set_new(claims, "iat", json_integer((json_int_t)iat)) != 0 ||
        (p->exp != 0 &&
         json_object_set_new(claims, "exp", json_integer((json_int_t)p->exp)) != 0) ||
        (p->ttl != 0 &&
         json_object_set_new(claims, "ttl", json_integer((json_int_t)p->ttl)) != 0) ||
        json_object_set_new(claims, "status_list",
                            json_pack("{s:I,s:s}", "bits", (json_int_t)bits, "lst", lst)) != 0 ||
        (payload = json_dumps(claims, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
        rc = cl_fail(err, CL_ERR_INPUT, NULL, "cannot build the claims (uri or iss not UTF-8?)");
        goto out;
    }
    memset(&hdr, 0, sizeof hdr);
    hdr.typ = "statuslist+jwt";
    hdr.x5c = p->x5c;
    hdr.x5c_count = p->x5c_count;
    rc = cl_jws_sign(a, key, &hdr, cl_bytes_str(payload), out, err);
out:
    free(payload);
    json_decref(claims);
    return rc;
}

static cl_err
sign_cwt(struct cl_arena *a, unsigned bits, struct cl_bytes zlib, const struct cl_key *key,
         const struct cl_status_sign_params *p, int64_t iat, struct cl_bytes *out,
         struct cl_error *err)
{
    struct cl_cbor *claims = cl_cbor_new_map(a), *sl = cl_cbor_new_map(a), *ph = cl_cbor_new_map(a);
    struct cl_cose_create_params cp;
    struct cl_buf payload, msg;
    cl_err rc = CL_OK;

    cl_buf_init(&payload);
    cl_buf_init(&msg);
    if (claims == NULL || sl == NULL || ph == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
        goto out;
    }
    /* RFC 8392 §3.1 and draft §5.2 claim keys; the encoder sorts them (RFC 8949 §4.2.1) */
    if ((rc = cl_cbor_map_put(a, sl, cl_cbor_new_cstr(a, "bits"), cl_cbor_new_uint(a, bits))) ||
        (rc = cl_cbor_map_put(a, sl, cl_cbor_new_cstr(a, "lst"), cl_cbor_new_bytes(a, zlib))) ||
        (rc = cl_cbor_map_put(a, claims, cl_cbor_new_uint(a, 2), cl_cbor_new_cstr(a, p->uri))) ||
        (rc = cl_cbor_map_put(a, claims, cl_cbor_new_uint(a, 6),
                              cl_cbor_new_uint(a, (uint64_t)iat))) ||
        (rc = cl_cbor_map_put(a, claims, cl_cbor_new_uint(a, 65533), sl)) ||
        (p->iss != NULL &&
         (rc = cl_cbor_map_put(a, claims, cl_cbor_new_uint(a, 1), cl_cbor_new_cstr(a, p->iss)))) ||
        (p->exp != 0 && (rc = cl_cbor_map_put(a, claims, cl_cbor_new_uint(a, 4),
                                              cl_cbor_new_uint(a, (uint64_t)p->exp)))) ||
        (p->ttl != 0 && (rc = cl_cbor_map_put(a, claims, cl_cbor_new_uint(a, 65534),
                                              cl_cbor_new_uint(a, (uint64_t)p->ttl)))) ||
        (rc = cl_cbor_map_put(a, ph, cl_cbor_new_uint(a, 16),
                              cl_cbor_new_cstr(a, "application/statuslist+cwt")))) {
        rc = cl_fail(err, rc, NULL, "cannot build the CWT claims");
        goto out;
    }
    rc = cl_cbor_encode(&payload, claims, 0, err);
    if (rc != CL_OK)
        goto out;
    memset(&cp, 0, sizeof cp);
    cp.protected_h = ph;
    cp.x5chain = p->x5c;
    cp.n_x5chain = p->x5c_count;
    cp.payload = cl_buf_bytes(&payload);
    cp.flags = CL_COSE_X5CHAIN_PROTECTED;
    rc = cl_cose_sign1_create(key, &cp, &msg, err);
    if (rc != CL_OK)
        goto out;
    *out = cl_arena_copy(a, cl_buf_bytes(&msg));
    if (out->ptr == NULL)
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
out:
    cl_buf_fini(&payload);
    cl_buf_fini(&msg);
    return rc;
}

cl_err
cl_status_token_sign(struct cl_arena *a, const struct cl_status_table *t, const struct cl_key *key,
                     const struct cl_status_sign_params *p, struct cl_bytes *out,
                     struct cl_error *err)
{
    struct cl_buf z;
    struct cl_bytes zlib;
    int64_t iat;
    cl_err rc;

    out->ptr = NULL;
    out->len = 0;
    if (p == NULL || p->uri == NULL || p->uri[0] == '\0')
        return cl_fail(err, CL_ERR_USAGE, "uri", "a status list token needs its uri (sub)");
    if (p->exp < 0 || p->ttl < 0 || p->ttl > STATUS_TTL_MAX || p->iat < 0)
        return cl_fail(err, CL_ERR_USAGE, "ttl",
                       "iat, exp and ttl must be non-negative, ttl at "
                       "most ten years");
    if (key == NULL || !cl_key_has_private(key))
        return cl_fail(err, CL_ERR_USAGE, "key", "signing needs a private key");
    iat = p->iat != 0 ? p->iat : cl_now();
    cl_buf_init(&z);
    rc = cl_status_table_compress(t, &z, err);
    if (rc == CL_OK) {
        zlib = cl_buf_bytes(&z);
        if (p->format == CL_STATUS_CWT)
            rc = sign_cwt(a, cl_status_table_bits(t), zlib, key, p, iat, out, err);
        else if (p->format == CL_STATUS_JWT)
            rc = sign_jwt(a, cl_status_table_bits(t), zlib, key, p, iat, out, err);
        else
            rc = cl_fail(err, CL_ERR_USAGE, "format", "format must be JWT or CWT");
    }
    cl_buf_fini(&z);
    return rc;
}
