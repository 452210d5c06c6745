/*
 * create.c - creation of COSE_Sign1 and COSE_Mac0 (RFC 9052 §4.2, §6.2): headers merged and
 * deterministically encoded, then the structure signed or MACed over those exact bytes.
 */
#include <inttypes.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cose/cose_int.h"

#include "base/banned.h"

struct hdrs {
    struct cl_arena a;
    struct cl_cbor *prot;
    struct cl_cbor *unprot;
    struct cl_buf prot_enc;
    struct cl_buf unprot_enc;
};

static cl_err
put_label(struct hdrs *h, struct cl_cbor *map, const struct cl_cbor *key,
          const struct cl_cbor *value, const char *where, struct cl_error *err)
{
    char lbl[48];
    int64_t v;

    if (key->type != CL_CBOR_TEXT && !cl_cbor_get_int(key, &v))
        return cl_fail(err, CL_ERR_USAGE, where, "a header label is neither int nor tstr");
    if (cl_cbor_get_int(key, &v) && v == CL_COSE_HDR_ALG && map == h->unprot)
        return cl_fail(err, CL_ERR_USAGE, where, "alg is set by the alg parameter");
    if (cose_map_has_label(h->prot, key) || cose_map_has_label(h->unprot, key))
        return cl_fail(err, CL_ERR_USAGE, where, "header label %s is given twice",
                       cose_label_str(key, lbl, sizeof lbl));
    if (cl_cbor_map_put(&h->a, map, key, value) != CL_OK)
        return cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
    return CL_OK;
}

static cl_err
merge(struct hdrs *h, struct cl_cbor *map, const struct cl_cbor *tree, struct cl_bytes enc,
      const char *where, struct cl_error *err)
{
    cl_err rc;

    if (tree != NULL && enc.ptr != NULL)
        return cl_fail(err, CL_ERR_USAGE, where, "headers given both as a tree and encoded");
    if (enc.ptr != NULL) {
        rc = cl_cbor_decode(&h->a, enc, NULL, &tree, err);
        if (rc != CL_OK) {
            cl_error_nest(err, where);
            return rc;
        }
    }
    if (tree == NULL)
        return CL_OK;
    if (tree->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_USAGE, where, "headers are not a map");
    for (size_t i = 0; i < tree->v.map.n; i++) {
        rc = put_label(h, map, &tree->v.map.pair[i].key, &tree->v.map.pair[i].value, where, err);
        if (rc != CL_OK)
            return rc;
    }
    return CL_OK;
}

static cl_err
put_int_label(struct hdrs *h, struct cl_cbor *map, int64_t label, const struct cl_cbor *value,
              const char *where, struct cl_error *err)
{
    struct cl_cbor *key = cl_cbor_new_int(&h->a, label);

    if (key == NULL || value == NULL)
        return cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
    return put_label(h, map, key, value, where, err);
}

static cl_err
build_headers(struct hdrs *h, int64_t alg, const struct cl_cose_create_params *p,
              struct cl_error *err)
{
    struct cl_cbor *v;
    cl_err rc;

    h->prot = cl_cbor_new_map(&h->a);
    h->unprot = cl_cbor_new_map(&h->a);
    if (h->prot == NULL || h->unprot == NULL)
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    rc = put_int_label(h, h->prot, CL_COSE_HDR_ALG, cl_cbor_new_int(&h->a, alg), "protected", err);
    if (rc == CL_OK)
        rc = merge(h, h->prot, p->protected_h, p->protected_enc, "protected", err);
    if (rc == CL_OK)
        rc = merge(h, h->unprot, p->unprotected, p->unprotected_enc, "unprotected", err);
    if (rc == CL_OK && p->kid.ptr != NULL)
        rc = put_int_label(h, (p->flags & CL_COSE_KID_PROTECTED) ? h->prot : h->unprot,
                           CL_COSE_HDR_KID, cl_cbor_new_bytes(&h->a, p->kid), "kid", err);
    if (rc == CL_OK && p->n_x5chain > 0) {
        if (p->x5chain == NULL)
            return cl_fail(err, CL_ERR_USAGE, "x5chain", "x5chain count without certificates");
        /* RFC 9360 §2: one certificate is a bstr, more are an array of bstr */
        if (p->n_x5chain == 1) {
            v = cl_cbor_new_bytes(&h->a, p->x5chain[0]);
        } else {
            v = cl_cbor_new_array(&h->a);
            for (size_t i = 0; v != NULL && i < p->n_x5chain; i++) {
                struct cl_cbor *c = cl_cbor_new_bytes(&h->a, p->x5chain[i]);

                if (c == NULL || cl_cbor_array_push(&h->a, v, c) != CL_OK)
                    v = NULL;
            }
        }
        rc = put_int_label(h, (p->flags & CL_COSE_X5CHAIN_PROTECTED) ? h->prot : h->unprot,
                           CL_COSE_HDR_X5CHAIN, v, "x5chain", err);
    }
    if (rc == CL_OK)
        rc = cl_cbor_encode(&h->prot_enc, h->prot, 0, err);
    if (rc == CL_OK)
        rc = cl_cbor_encode(&h->unprot_enc, h->unprot, 0, err);
    if (rc == CL_OK)
        rc = cl_buf_check(&h->prot_enc, "protected", err);
    if (rc == CL_OK)
        rc = cl_buf_check(&h->unprot_enc, "unprotected", err);
    return rc;
}

static void
hdrs_init(struct hdrs *h)
{
    memset(h, 0, sizeof *h);
    cl_arena_init(&h->a, 0, 0, 0);
    cl_buf_init(&h->prot_enc);
    cl_buf_init(&h->unprot_enc);
}

static void
hdrs_fini(struct hdrs *h)
{
    cl_buf_fini(&h->prot_enc);
    cl_buf_fini(&h->unprot_enc);
    cl_arena_fini(&h->a);
}

/* Emit the message into out once everything has succeeded. */
static cl_err
emit(struct hdrs *h, enum cl_cose_kind kind, const struct cl_cose_create_params *p,
     struct cl_bytes sig, struct cl_buf *out, struct cl_error *err)
{
    struct cl_buf msg;
    cl_err rc;

    cl_buf_init(&msg);
    if (!(p->flags & CL_COSE_UNTAGGED))
        cl_cbor_put_tag(&msg, kind == CL_COSE_MAC0 ? CL_COSE_TAG_MAC0 : CL_COSE_TAG_SIGN1);
    cl_cbor_put_array(&msg, 4);
    cl_cbor_put_bytes(&msg, cl_buf_bytes(&h->prot_enc));
    cl_cbor_put_raw(&msg, cl_buf_bytes(&h->unprot_enc));
    if (p->flags & CL_COSE_DETACHED)
        cl_cbor_put_null(&msg);
    else
        cl_cbor_put_bytes(&msg, p->payload.ptr != NULL ? p->payload : cl_bytes_of("", 0));
    cl_cbor_put_bytes(&msg, sig);
    rc = cl_buf_check(&msg, cose_kind_name(kind), err);
    if (rc == CL_OK) {
        cl_buf_append_bytes(out, cl_buf_bytes(&msg));
        rc = cl_buf_check(out, "output", err);
    }
    cl_buf_fini(&msg);
    return rc;
}

static cl_err
create(enum cl_cose_kind kind, const struct cl_key *key, struct cl_bytes mac_key,
       const struct cl_cose_create_params *p, struct cl_buf *out, struct cl_error *err)
{
    const struct cose_alg_info *info;
    uint8_t sig[CL_ECDSA_RAW_MAX > CL_HASH_MAX ? CL_ECDSA_RAW_MAX : CL_HASH_MAX];
    size_t sig_len = 0;
    int64_t alg = p != NULL ? p->alg : 0;
    struct hdrs h;
    struct cl_buf tbs;
    cl_err rc;

    if (p == NULL || out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no parameters or output were given");
    if (kind == CL_COSE_SIGN1) {
        if (key == NULL || !cl_key_has_private(key))
            return cl_fail(err, CL_ERR_USAGE, "key", "signing needs a private key");
        if (alg == 0)
            alg = cl_key_curve(key) == CL_CURVE_P384   ? CL_COSE_ALG_ES384
                  : cl_key_curve(key) == CL_CURVE_P521 ? CL_COSE_ALG_ES512
                                                       : CL_COSE_ALG_ES256;
    } else if (mac_key.ptr == NULL || mac_key.len == 0) {
        return cl_fail(err, CL_ERR_USAGE, "key", "the MAC key is empty");
    }
    info = cose_alg_find(alg, kind);
    if (info == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "alg", "alg %" PRId64 " is not supported for %s",
                       alg, cose_kind_name(kind));
    if (kind == CL_COSE_SIGN1 && cl_key_curve(key) != info->curve)
        return cl_fail(err, CL_ERR_USAGE, "alg", "alg %s does not match the key's curve",
                       info->name);

    hdrs_init(&h);
    cl_buf_init(&tbs);
    rc = build_headers(&h, alg, p, err);
    if (rc != CL_OK)
        goto out;
    cose_put_structure(&tbs, kind == CL_COSE_MAC0 ? "MAC0" : "Signature1",
                       cl_buf_bytes(&h.prot_enc), p->external_aad, p->payload);
    rc = cl_buf_check(&tbs, kind == CL_COSE_MAC0 ? "MAC_structure" : "Sig_structure", err);
    if (rc != CL_OK)
        goto out;
    if (kind == CL_COSE_SIGN1) {
        rc = cl_ecdsa_sign(key, info->hash, cl_buf_bytes(&tbs), sig, &sig_len, err);
    } else {
        rc = cl_hmac(info->hash, mac_key, cl_buf_bytes(&tbs), sig, err);
        sig_len = info->tag_len; /* RFC 9053 §3.1: HMAC 256/64 keeps the leftmost 64 bits */
    }
    if (rc == CL_OK)
        rc = emit(&h, kind, p, cl_bytes_of(sig, sig_len), out, err);
out:
    cl_wipe(sig, sizeof sig);
    cl_buf_fini(&tbs);
    hdrs_fini(&h);
    return rc;
}

cl_err
cl_cose_sign1_create(const struct cl_key *key, const struct cl_cose_create_params *p,
                     struct cl_buf *out, struct cl_error *err)
{
    return create(CL_COSE_SIGN1, key, cl_bytes_of(NULL, 0), p, out, err);
}

cl_err
cl_cose_mac0_create(struct cl_bytes key, const struct cl_cose_create_params *p, struct cl_buf *out,
                    struct cl_error *err)
{
    return create(CL_COSE_MAC0, NULL, key, p, out, err);
}
