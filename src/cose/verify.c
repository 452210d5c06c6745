/*
 * verify.c - verification of COSE_Sign1 (ECDSA, RFC 9053 §2.1) and COSE_Mac0 (HMAC,
 * RFC 9053 §3.1) against a caller's key, algorithm allow-list and known crit labels.
 */
#include <inttypes.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cose/cose_int.h"

#include "base/banned.h"

/* RFC 9052 §3.1: labels whose meaning this module (or RFC 9052 itself) defines */
static bool
crit_label_known(const struct cl_cbor *l, const struct cl_cose_verify_opts *o)
{
    int64_t v;

    if (!cl_cbor_get_int(l, &v))
        return false; /* text labels are never ours, and crit_known holds integers */
    if ((v >= 1 && v <= 7) || v == CL_COSE_HDR_X5CHAIN)
        return true;
    for (size_t i = 0; i < o->n_crit_known; i++)
        if (o->crit_known[i] == v)
            return true;
    return false;
}

static cl_err
check_common(const struct cl_cose_msg *m, enum cl_cose_kind kind,
             const struct cl_cose_verify_opts *o, const struct cose_alg_info **info,
             struct cl_error *err)
{
    const struct cl_cbor *crit;
    int64_t alg;
    bool allowed = false;
    char lbl[48];
    cl_err rc;

    *info = NULL;
    if (m == NULL || m->protected_h == NULL || m->kind != kind)
        return cl_fail(err, CL_ERR_USAGE, NULL, "the message is not a decoded %s",
                       cose_kind_name(kind));
    if (o == NULL || o->algs == NULL || o->n_algs == 0)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no algorithm allow-list was given");
    rc = cl_cose_header_alg(m, o->flags, &alg, err);
    if (rc != CL_OK)
        return rc;
    *info = cose_alg_find(alg, kind);
    if (*info == NULL)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "alg", "alg %" PRId64 " is not supported for %s",
                       alg, cose_kind_name(kind));
    for (size_t i = 0; i < o->n_algs; i++)
        allowed |= o->algs[i] == alg;
    if (!allowed)
        return cl_fail(err, CL_ERR_POLICY, "alg", "alg %s is not in the allowed list",
                       (*info)->name);
    crit = cl_cbor_map_get_int(m->protected_h, CL_COSE_HDR_CRIT);
    for (size_t i = 0; crit != NULL && i < crit->v.array.n; i++)
        if (!crit_label_known(&crit->v.array.item[i], o))
            return cl_fail(err, CL_ERR_UNSUPPORTED, "protected.crit",
                           "crit label %s is not understood",
                           cose_label_str(&crit->v.array.item[i], lbl, sizeof lbl));
    return CL_OK;
}

cl_err
cl_cose_sign1_verify(const struct cl_cose_msg *m, const struct cl_key *key,
                     const struct cl_cose_verify_opts *opts, struct cl_error *err)
{
    const struct cose_alg_info *info;
    struct cl_buf tbs;
    size_t want;
    cl_err rc;

    rc = check_common(m, CL_COSE_SIGN1, opts, &info, err);
    if (rc != CL_OK)
        return rc;
    if (key == NULL)
        return cl_fail(err, CL_ERR_USAGE, "key", "no key was given");
    if (cl_key_curve(key) != info->curve)
        return cl_fail(err, CL_ERR_POLICY, "alg", "alg %s does not match the key's curve",
                       info->name);
    want = 2 * cl_key_coord_len(key);
    if (m->signature.len != want)
        return cl_fail(err, CL_ERR_SIGNATURE, "signature", "signature is %zu bytes; %s needs %zu",
                       m->signature.len, info->name, want);
    cl_buf_init(&tbs);
    rc = cl_cose_tbs(m, opts->external_aad, opts->detached, &tbs, err);
    if (rc == CL_OK)
        rc = cl_ecdsa_verify(key, info->hash, cl_buf_bytes(&tbs), m->signature, err);
    cl_buf_fini(&tbs);
    return rc;
}

cl_err
cl_cose_mac0_verify(const struct cl_cose_msg *m, struct cl_bytes key,
                    const struct cl_cose_verify_opts *opts, struct cl_error *err)
{
    const struct cose_alg_info *info;
    uint8_t mac[CL_HASH_MAX];
    struct cl_buf tbs;
    cl_err rc;

    rc = check_common(m, CL_COSE_MAC0, opts, &info, err);
    if (rc != CL_OK)
        return rc;
    if (key.ptr == NULL || key.len == 0)
        return cl_fail(err, CL_ERR_USAGE, "key", "the MAC key is empty");
    if (m->signature.len != info->tag_len)
        return cl_fail(err, CL_ERR_SIGNATURE, "tag", "tag is %zu bytes; %s needs %zu",
                       m->signature.len, info->name, info->tag_len);
    cl_buf_init(&tbs);
    rc = cl_cose_tbs(m, opts->external_aad, opts->detached, &tbs, err);
    if (rc == CL_OK)
        rc = cl_hmac(info->hash, key, cl_buf_bytes(&tbs), mac, err);
    if (rc == CL_OK && !cl_ct_equal(cl_bytes_of(mac, info->tag_len), m->signature))
        rc = cl_fail(err, CL_ERR_SIGNATURE, "tag", "MAC tag does not verify");
    cl_wipe(mac, sizeof mac);
    cl_buf_fini(&tbs);
    return rc;
}
