/*
 * verify.c - chain validation to trust anchors at a given time (OpenSSL X509_STORE) and the
 * ISO/IEC 18013-5 Annex B profile checks of a Document Signer and an IACA.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cardless/limits.h"
#include "x509/x509_int.h"

#include "base/banned.h"

static cl_err
verify_failure(X509_STORE_CTX *ctx, struct cl_error *err)
{
    int e = X509_STORE_CTX_get_error(ctx);
    char where[32];

    snprintf(where, sizeof where, "chain[%d]", X509_STORE_CTX_get_error_depth(ctx));
    switch (e) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return cl_fail(err, CL_ERR_EXPIRED, where, "certificate not yet valid at the given time");
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return cl_fail(err, CL_ERR_EXPIRED, where, "certificate expired at the given time");
    case X509_V_ERR_OUT_OF_MEM:
        return cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
    default:
        /* OpenSSL's strings are lower-case sentences: "unable to get local issuer ..." */
        return cl_fail(err, CL_ERR_UNTRUSTED, where, "%s", X509_verify_cert_error_string(e));
    }
}

cl_err
cl_x509_chain_verify(const struct cl_x509_list *chain, const struct cl_x509_list *anchors,
                     int64_t at, const struct cl_x509_cert **anchor, struct cl_error *err)
{
    X509_STORE *store = NULL;
    X509_STORE_CTX *ctx = NULL;
    STACK_OF(X509) *untrusted = NULL;
    X509_VERIFY_PARAM *vp;
    STACK_OF(X509) * built;
    X509 *top;
    cl_err rc = CL_OK;

    if (anchor != NULL)
        *anchor = NULL;
    if (chain == NULL || chain->count == 0)
        return cl_fail(err, CL_ERR_USAGE, "chain", "no certificate to validate");
    if (anchors == NULL || anchors->count == 0)
        return cl_fail(err, CL_ERR_USAGE, "anchors", "no trust anchor");
    if (chain->count > CL_LIMIT_X509_CHAIN)
        return cl_fail(err, CL_ERR_TOO_LARGE, "chain", "more than %d certificates",
                       CL_LIMIT_X509_CHAIN);
    store = X509_STORE_new();
    untrusted = sk_X509_new_null();
    ctx = X509_STORE_CTX_new();
    if (store == NULL || untrusted == NULL || ctx == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
        goto out;
    }
    /* only the caller's anchors: no default paths are loaded */
    for (size_t i = 0; i < anchors->count; i++) {
        if (X509_STORE_add_cert(store, anchors->certs[i]->x509) != 1 &&
            ERR_GET_REASON(ERR_peek_last_error()) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
            rc = cl_fail(err, CL_ERR_CRYPTO, "anchors", "cannot add a trust anchor");
            goto out;
        }
    }
    for (size_t i = 1; i < chain->count; i++) {
        if (sk_X509_push(untrusted, chain->certs[i]->x509) <= 0) { /* borrowed, not freed */
            rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
            goto out;
        }
    }
    if (X509_STORE_CTX_init(ctx, store, chain->certs[0]->x509, untrusted) != 1) {
        rc = cl_fail(err, CL_ERR_CRYPTO, "chain", "cannot start chain validation");
        goto out;
    }
    vp = X509_STORE_CTX_get0_param(ctx);
    /* set_time turns on X509_V_FLAG_USE_CHECK_TIME; anchors are roots (no PARTIAL_CHAIN) */
    X509_VERIFY_PARAM_set_time(vp, (time_t)at);
    X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT);
    X509_VERIFY_PARAM_set_depth(vp, CL_LIMIT_X509_CHAIN);
    if (X509_verify_cert(ctx) != 1) {
        rc = verify_failure(ctx, err);
        goto out;
    }
    built = X509_STORE_CTX_get0_chain(ctx);
    if (built == NULL || sk_X509_num(built) < 2) {
        rc = cl_fail(err, CL_ERR_UNTRUSTED, "chain[0]", "the leaf is itself a trust anchor");
        goto out;
    }
    top = sk_X509_value(built, sk_X509_num(built) - 1);
    for (size_t i = 0; i < anchors->count; i++) {
        if (X509_cmp(top, anchors->certs[i]->x509) == 0) {
            if (anchor != NULL)
                *anchor = anchors->certs[i];
            goto out;
        }
    }
    rc = cl_fail(err, CL_ERR_INTERNAL, "anchors", "the chain ends at an unknown anchor");
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    return rc;
}

/* The raw value of the subject's attribute nid, {NULL, 0} when absent. */
static struct cl_bytes
subject_attr(const X509 *x, int nid)
{
    const X509_NAME *name = X509_get_subject_name(x);
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    const ASN1_STRING *s;

    if (i < 0)
        return cl_bytes_of(NULL, 0);
    s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    return cl_bytes_of(ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
}

static bool
has_eku(X509 *x, const char *oid_text)
{
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    ASN1_OBJECT *want = OBJ_txt2obj(oid_text, 1);
    bool found = false;

    for (int i = 0; eku != NULL && want != NULL && i < sk_ASN1_OBJECT_num(eku); i++)
        if (OBJ_cmp(sk_ASN1_OBJECT_value(eku, i), want) == 0)
            found = true;
    ASN1_OBJECT_free(want);
    EXTENDED_KEY_USAGE_free(eku);
    ERR_clear_error();
    return found;
}

cl_err
cl_x509_ds_check(const struct cl_x509_cert *ds, const struct cl_x509_cert *iaca,
                 struct cl_error *err)
{
    uint32_t flags = X509_get_extension_flags(ds->x509);
    uint32_t ku = X509_get_key_usage(ds->x509);
    char ds_c[3], iaca_c[3];
    struct cl_error sub = {0};
    struct cl_bytes ds_st, iaca_st;

    /* 18013-5 Table B.3 */
    if (flags & EXFLAG_INVALID)
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds", "the DS has a malformed extension");
    if (flags & EXFLAG_CA)
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.basicConstraints",
                       "the DS is a CA certificate (cA TRUE)");
    if ((flags & EXFLAG_KUSAGE) == 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.keyUsage", "the DS has no keyUsage");
    if ((ku & KU_DIGITAL_SIGNATURE) == 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.keyUsage",
                       "the DS keyUsage lacks digitalSignature");
    if (ku & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.keyUsage",
                       "the DS keyUsage allows signing certificates or CRLs");
    if (!has_eku(ds->x509, CL_X509_OID_MDL_DS))
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.extKeyUsage",
                       "the DS extKeyUsage lacks id-mdl-kp-mdlDS (1.0.18013.5.1.2)");
    if (X509_check_issued(iaca->x509, ds->x509) != X509_V_OK) {
        ERR_clear_error();
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.issuer", "the DS was not issued by this IACA");
    }
    if (cl_x509_cert_country(ds, ds_c, &sub) != CL_OK)
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.subject.C", "the DS countryName: %s", sub.msg);
    cl_error_clear(&sub);
    if (cl_x509_cert_country(iaca, iaca_c, &sub) != CL_OK)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca.subject.C", "the IACA countryName: %s",
                       sub.msg);
    if (strcmp(ds_c, iaca_c) != 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.subject.C",
                       "the DS countryName differs from the IACA's");
    ds_st = subject_attr(ds->x509, NID_stateOrProvinceName);
    iaca_st = subject_attr(iaca->x509, NID_stateOrProvinceName);
    if (!cl_bytes_eq(ds_st, iaca_st))
        return cl_fail(err, CL_ERR_UNTRUSTED, "ds.subject.ST",
                       "the DS stateOrProvinceName differs from the IACA's");
    return CL_OK;
}

cl_err
cl_x509_iaca_check(const struct cl_x509_cert *iaca, struct cl_error *err)
{
    uint32_t flags = X509_get_extension_flags(iaca->x509);
    uint32_t ku = X509_get_key_usage(iaca->x509);
    char c[3];
    struct cl_error sub = {0};

    /* 18013-5 Table B.1 */
    if (flags & EXFLAG_INVALID)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca", "the IACA has a malformed extension");
    if ((flags & EXFLAG_CA) == 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca.basicConstraints",
                       "the IACA is not a CA certificate");
    if (X509_get_pathlen(iaca->x509) != 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca.basicConstraints",
                       "the IACA pathLenConstraint is not 0");
    if ((flags & EXFLAG_KUSAGE) == 0 || (ku & KU_KEY_CERT_SIGN) == 0 || (ku & KU_CRL_SIGN) == 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca.keyUsage",
                       "the IACA keyUsage lacks keyCertSign or cRLSign");
    if ((flags & EXFLAG_SI) == 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca.issuer", "the IACA is not self-issued");
    if (cl_x509_cert_country(iaca, c, &sub) != CL_OK)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca.subject.C", "the IACA countryName: %s",
                       sub.msg);
    if (X509_get_ext_by_NID(iaca->x509, NID_issuer_alt_name, -1) < 0)
        return cl_fail(err, CL_ERR_UNTRUSTED, "iaca.issuerAltName",
                       "the IACA has no issuerAltName");
    return CL_OK;
}
