/*
 * cert.c - X.509 certificates: read from DER or PEM, lists, what a certificate says (names,
 * country, serial, validity, key, CA-ness) and PEM output.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cardless/alloc.h"
#include "cardless/limits.h"
#include "x509/x509_int.h"

#include "base/banned.h"

static cl_err
nomem(struct cl_error *err)
{
    return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
}

/* ---- the certificate object ---- */

static cl_err
cert_new(X509 *x, const uint8_t *der, size_t der_len, struct cl_x509_cert **out,
         struct cl_error *err)
{
    struct cl_x509_cert *c = cl_malloc(sizeof *c);
    uint8_t *copy = cl_malloc(der_len);

    if (c == NULL || copy == NULL) {
        cl_free(c);
        cl_free(copy);
        return nomem(err);
    }
    memcpy(copy, der, der_len);
    c->x509 = x;
    c->der = copy;
    c->der_len = der_len;
    atomic_init(&c->refs, 1u);
    *out = c;
    return CL_OK;
}

cl_err
cl_x509_cert_wrap(X509 *x, struct cl_x509_cert **out, struct cl_error *err)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    cl_err rc;

    /*
     * Parse the encoding again instead of keeping x: a certificate being built holds the
     * signer's EVP_PKEY itself (private half included) as its public key, and what we hand
     * out must be exactly what any reader of the DER sees.
     */
    X509_free(x);
    *out = NULL;
    if (n <= 0) {
        ERR_clear_error();
        return cl_fail(err, CL_ERR_CRYPTO, NULL, "cannot encode the certificate");
    }
    rc = cl_x509_cert_from_der(cl_bytes_of(der, (size_t)n), out, err);
    OPENSSL_free(der);
    return rc;
}

cl_err
cl_x509_cert_from_der(struct cl_bytes der, struct cl_x509_cert **out, struct cl_error *err)
{
    const unsigned char *p = der.ptr;
    X509 *x = NULL;
    cl_err rc;

    *out = NULL;
    if (der.len > CL_X509_DER_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, "der", "certificate over %zu bytes", CL_X509_DER_MAX);
    if (der.len == 0)
        return cl_fail(err, CL_ERR_INPUT, "der", "empty certificate");
    x = d2i_X509(NULL, &p, (long)der.len); /* der.len <= CL_X509_DER_MAX */
    ERR_clear_error();
    if (x == NULL)
        return cl_fail(err, CL_ERR_INPUT, "der", "not a DER X.509 certificate");
    if (p != der.ptr + der.len) {
        X509_free(x);
        return cl_fail(err, CL_ERR_INPUT, "der", "trailing bytes after the certificate");
    }
    rc = cert_new(x, der.ptr, der.len, out, err);
    if (rc != CL_OK)
        X509_free(x);
    return rc;
}

void
cl_x509_cert_free(struct cl_x509_cert *cert)
{
    if (cert == NULL || atomic_fetch_sub(&cert->refs, 1u) != 1u)
        return;
    X509_free(cert->x509);
    cl_free(cert->der);
    cl_free(cert);
}

struct cl_x509_cert *
cl_x509_cert_ref(struct cl_x509_cert *cert)
{
    if (cert != NULL)
        atomic_fetch_add(&cert->refs, 1u);
    return cert;
}

/* ---- lists ---- */

void
cl_x509_list_init(struct cl_x509_list *list)
{
    list->certs = NULL;
    list->count = 0;
    list->cap = 0;
}

void
cl_x509_list_fini(struct cl_x509_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        cl_x509_cert_free(list->certs[i]);
    cl_free(list->certs);
    cl_x509_list_init(list);
}

static cl_err
list_reserve(struct cl_x509_list *list, size_t more, struct cl_error *err)
{
    struct cl_x509_cert **p;
    size_t cap;

    if (more <= list->cap - list->count)
        return CL_OK;
    if (more > SIZE_MAX / 2 / sizeof *p - list->count)
        return nomem(err);
    cap = list->cap != 0 ? list->cap : 4;
    while (cap - list->count < more)
        cap *= 2;
    p = cl_realloc(list->certs, cap * sizeof *p);
    if (p == NULL)
        return nomem(err);
    list->certs = p;
    list->cap = cap;
    return CL_OK;
}

cl_err
cl_x509_list_add(struct cl_x509_list *list, struct cl_x509_cert *cert, struct cl_error *err)
{
    cl_err rc = list_reserve(list, 1, err);

    if (rc != CL_OK)
        return rc;
    list->certs[list->count++] = cl_x509_cert_ref(cert);
    return CL_OK;
}

/* Read PEM "CERTIFICATE" blocks (RFC 7468 §5) into tmp. */
static cl_err
read_pem(struct cl_bytes data, size_t max, struct cl_x509_list *tmp, struct cl_error *err)
{
    BIO *bio = BIO_new_mem_buf(data.ptr, (int)data.len); /* data.len <= CL_LIMIT_PEM_MAX */
    cl_err rc = CL_OK;

    if (bio == NULL)
        return nomem(err);
    for (size_t i = 0; rc == CL_OK; i++) {
        char *name = NULL, *header = NULL;
        unsigned char *body = NULL;
        long len = 0;
        char where[32];
        struct cl_x509_cert *c = NULL;

        snprintf(where, sizeof where, "pem[%zu]", i);
        ERR_clear_error();
        if (PEM_read_bio(bio, &name, &header, &body, &len) != 1) {
            unsigned long e = ERR_peek_last_error();

            if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
                rc = cl_fail(err, CL_ERR_INPUT, where, "malformed PEM block");
            break; /* no further BEGIN line: the end */
        }
        if (strcmp(name, "CERTIFICATE") != 0)
            rc = cl_fail(err, CL_ERR_INPUT, where, "PEM block is not a CERTIFICATE");
        else if (header != NULL && header[0] != '\0')
            rc = cl_fail(err, CL_ERR_INPUT, where, "PEM certificate has headers");
        else if (tmp->count >= max)
            rc = cl_fail(err, CL_ERR_TOO_LARGE, where, "more than %zu certificates", max);
        else if (len < 0)
            rc = cl_fail(err, CL_ERR_INPUT, where, "malformed PEM block");
        else if ((rc = cl_x509_cert_from_der(cl_bytes_of(body, (size_t)len), &c, err)) != CL_OK)
            cl_error_nest(err, where);
        else {
            rc = cl_x509_list_add(tmp, c, err);
            cl_x509_cert_free(c);
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_free(body);
    }
    ERR_clear_error();
    BIO_free(bio);
    if (rc == CL_OK && tmp->count == 0)
        rc = cl_fail(err, CL_ERR_MISSING, "pem", "no CERTIFICATE block");
    return rc;
}

cl_err
cl_x509_list_read(struct cl_bytes data, size_t max, struct cl_x509_list *list, struct cl_error *err)
{
    struct cl_x509_list tmp;
    struct cl_x509_cert *c = NULL;
    cl_err rc;

    if (data.len > CL_LIMIT_PEM_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, NULL, "certificate data over %zu bytes",
                       CL_LIMIT_PEM_MAX);
    if (data.len == 0)
        return cl_fail(err, CL_ERR_MISSING, NULL, "no certificate: empty input");
    if (max == 0)
        return cl_fail(err, CL_ERR_USAGE, NULL, "a limit of zero certificates");
    cl_x509_list_init(&tmp);
    if (data.ptr[0] == 0x30) { /* a DER SEQUENCE; PEM starts with text */
        rc = cl_x509_cert_from_der(data, &c, err);
        if (rc == CL_OK)
            rc = cl_x509_list_add(&tmp, c, err);
        cl_x509_cert_free(c);
    } else {
        rc = read_pem(data, max, &tmp, err);
    }
    if (rc == CL_OK)
        rc = list_reserve(list, tmp.count, err);
    if (rc == CL_OK) {
        for (size_t i = 0; i < tmp.count; i++)
            list->certs[list->count++] = cl_x509_cert_ref(tmp.certs[i]);
    }
    cl_x509_list_fini(&tmp);
    return rc;
}

/* ---- what a certificate says ---- */

struct cl_bytes
cl_x509_cert_der(const struct cl_x509_cert *cert)
{
    return cl_bytes_of(cert->der, cert->der_len);
}

static cl_err
name_string(struct cl_arena *a, const X509_NAME *name, const char *what, const char **out,
            struct cl_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *mem = NULL;
    long n;
    cl_err rc = CL_OK;

    *out = NULL;
    if (bio == NULL)
        return nomem(err);
    /* RFC 4514 order and escaping, but UTF-8 kept as is (openssl -nameopt RFC2253,-esc_msb) */
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB) <
        0) {
        rc = cl_fail(err, CL_ERR_INPUT, what, "cannot print the distinguished name");
    } else {
        n = BIO_get_mem_data(bio, &mem);
        *out = cl_arena_strndup(a, cl_bytes_of(mem, n > 0 ? (size_t)n : 0));
        if (*out == NULL)
            rc = nomem(err);
    }
    ERR_clear_error();
    BIO_free(bio);
    return rc;
}

cl_err
cl_x509_cert_subject(struct cl_arena *a, const struct cl_x509_cert *cert, const char **out,
                     struct cl_error *err)
{
    return name_string(a, X509_get_subject_name(cert->x509), "subject", out, err);
}

cl_err
cl_x509_cert_issuer(struct cl_arena *a, const struct cl_x509_cert *cert, const char **out,
                    struct cl_error *err)
{
    return name_string(a, X509_get_issuer_name(cert->x509), "issuer", out, err);
}

cl_err
cl_x509_cert_common_name(struct cl_arena *a, const struct cl_x509_cert *cert, const char **out,
                         struct cl_error *err)
{
    const X509_NAME *name = X509_get_subject_name(cert->x509);
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    unsigned char *utf8 = NULL;
    int n;
    cl_err rc = CL_OK;

    *out = NULL;
    if (i < 0)
        return cl_fail(err, CL_ERR_MISSING, "subject.CN", "no commonName in the subject");
    n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    ERR_clear_error();
    if (n < 0)
        return cl_fail(err, CL_ERR_INPUT, "subject.CN", "commonName is not a valid string");
    if (memchr(utf8, 0, (size_t)n) != NULL)
        rc = cl_fail(err, CL_ERR_INPUT, "subject.CN", "commonName contains a NUL character");
    else if ((*out = cl_arena_strndup(a, cl_bytes_of(utf8, (size_t)n))) == NULL)
        rc = nomem(err);
    OPENSSL_free(utf8);
    return rc;
}

/* The one value of attribute nid in name: CL_ERR_MISSING if none, CL_ERR_INPUT if twice. */
static cl_err
name_attr(const X509_NAME *name, int nid, const char *where, const ASN1_STRING **out,
          struct cl_error *err)
{
    int i = X509_NAME_get_index_by_NID(name, nid, -1);

    *out = NULL;
    if (i < 0)
        return cl_fail(err, CL_ERR_MISSING, where, "attribute absent from the name");
    if (X509_NAME_get_index_by_NID(name, nid, i) >= 0)
        return cl_fail(err, CL_ERR_INPUT, where, "attribute appears twice in the name");
    *out = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    return CL_OK;
}

cl_err
cl_x509_cert_country(const struct cl_x509_cert *cert, char out[3], struct cl_error *err)
{
    const ASN1_STRING *s;
    const unsigned char *p;
    cl_err rc;

    memset(out, 0, 3);
    rc = name_attr(X509_get_subject_name(cert->x509), NID_countryName, "subject.C", &s, err);
    if (rc != CL_OK)
        return rc;
    p = ASN1_STRING_get0_data(s);
    /* X.520 countryName: PrintableString (SIZE (2)), ISO 3166 alpha-2 */
    if (ASN1_STRING_length(s) != 2 || p[0] < 'A' || p[0] > 'Z' || p[1] < 'A' || p[1] > 'Z')
        return cl_fail(err, CL_ERR_INPUT, "subject.C", "countryName is not two letters A-Z");
    out[0] = (char)p[0];
    out[1] = (char)p[1];
    return CL_OK;
}

cl_err
cl_x509_cert_serial_hex(struct cl_arena *a, const struct cl_x509_cert *cert, const char **out,
                        struct cl_error *err)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert->x509), NULL);
    char *hex = NULL;
    char *s = NULL;

    *out = NULL;
    if (bn == NULL || (hex = BN_bn2hex(bn)) == NULL) {
        BN_free(bn);
        ERR_clear_error();
        return cl_fail(err, CL_ERR_INPUT, "serialNumber", "cannot read the serial number");
    }
    s = cl_arena_strdup(a, hex);
    OPENSSL_free(hex);
    BN_free(bn);
    if (s == NULL)
        return nomem(err);
    for (char *q = s; *q != '\0'; q++)
        if (*q >= 'A' && *q <= 'F')
            *q = (char)(*q - 'A' + 'a');
    *out = s;
    return CL_OK;
}

/* Seconds since the epoch of an ASN1_TIME, through ASN1_TIME_diff (no C library time zone). */
static cl_err
time_to_epoch(const ASN1_TIME *t, const char *where, int64_t *out, struct cl_error *err)
{
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    int days = 0, secs = 0;
    int ok = epoch != NULL && t != NULL && ASN1_TIME_diff(&days, &secs, epoch, t) == 1;

    ASN1_TIME_free(epoch);
    ERR_clear_error();
    if (!ok)
        return cl_fail(err, CL_ERR_INPUT, where, "time is not a valid UTCTime/GeneralizedTime");
    *out = (int64_t)days * 86400 + secs;
    return CL_OK;
}

cl_err
cl_x509_cert_validity(const struct cl_x509_cert *cert, int64_t *not_before, int64_t *not_after,
                      struct cl_error *err)
{
    int64_t nb = 0, na = 0;
    cl_err rc = time_to_epoch(X509_get0_notBefore(cert->x509), "validity.notBefore", &nb, err);

    if (rc == CL_OK)
        rc = time_to_epoch(X509_get0_notAfter(cert->x509), "validity.notAfter", &na, err);
    *not_before = rc == CL_OK ? nb : 0;
    *not_after = rc == CL_OK ? na : 0;
    return rc;
}

cl_err
cl_x509_cert_key(const struct cl_x509_cert *cert, struct cl_key **out, struct cl_error *err)
{
    EVP_PKEY *pk = X509_get0_pubkey(cert->x509);
    cl_err rc;

    *out = NULL;
    if (pk == NULL) {
        ERR_clear_error();
        return cl_fail(err, CL_ERR_INPUT, "subjectPublicKeyInfo",
                       "cannot read the certificate's public key");
    }
    rc = cl_key_from_evp(pk, out, err);
    if (rc != CL_OK)
        cl_error_nest(err, "subjectPublicKeyInfo");
    return rc;
}

bool
cl_x509_is_ca(const struct cl_x509_cert *cert)
{
    uint32_t flags = X509_get_extension_flags(cert->x509);

    if ((flags & EXFLAG_INVALID) != 0 || (flags & EXFLAG_CA) == 0)
        return false;
    return (flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(cert->x509) & KU_KEY_CERT_SIGN);
}

/* ---- writing ---- */

cl_err
cl_x509_cert_to_pem(const struct cl_x509_cert *cert, struct cl_buf *out, struct cl_error *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *mem = NULL;
    long n;
    cl_err rc = CL_OK;

    if (bio == NULL)
        return nomem(err);
    /* the DER as received, not a re-encoding */
    if (PEM_write_bio(bio, "CERTIFICATE", "", cert->der, (long)cert->der_len) <= 0) {
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "cannot write the certificate as PEM");
    } else {
        n = BIO_get_mem_data(bio, &mem);
        cl_buf_append(out, mem, n > 0 ? (size_t)n : 0);
        rc = cl_buf_check(out, "certificate PEM", err);
    }
    ERR_clear_error();
    BIO_free(bio);
    return rc;
}
