/*
 * make.c - making certificates to the ISO/IEC 18013-5 Annex B profiles: the IACA root
 * (Table B.1) and the Document Signer (Table B.3), through one spec-driven maker.
 */
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cardless/alloc.h"
#include "x509/x509_int.h"

#include "base/banned.h"

/* Placeholders under ".invalid" (RFC 2606 §2): never resolve, so never mistaken for real. */
#define DEFAULT_ALT_URI "https://iaca.example.invalid/"
#define DEFAULT_CRL_URI "https://iaca.example.invalid/iaca.crl"

#define SERIAL_LEN 20 /* RFC 5280 §4.1.2.2 at most 20 octets; 18013-5 B.1 >= 63 random bits */

void
cl_x509_params_iaca(struct cl_x509_params *p)
{
    memset(p, 0, sizeof *p);
    p->alt_uri = DEFAULT_ALT_URI;
    p->crl_uri = DEFAULT_CRL_URI;
    p->days = 3650;
}

void
cl_x509_params_ds(struct cl_x509_params *p)
{
    memset(p, 0, sizeof *p); /* alt_uri, alt_email, crl_uri NULL: the IACA's */
    p->days = 365;
}

/* ---- checking parameters ---- */

static bool
is_country(const char *c)
{
    return c != NULL && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] == '\0';
}

/* An IA5String without spaces or controls, as a URI or e-mail address in a GeneralName. */
static bool
is_ia5_token(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) > 2048)
        return false;
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

/* Whether the subject attribute nid of x equals s (both absent counts as equal). */
static bool
attr_equals(const X509 *x, int nid, const char *s)
{
    const X509_NAME *name = X509_get_subject_name(x);
    int i = X509_NAME_get_index_by_NID(name, nid, -1);
    const ASN1_STRING *v;

    if (i < 0 || s == NULL)
        return i < 0 && s == NULL;
    v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    return (size_t)ASN1_STRING_length(v) == strlen(s) &&
           memcmp(ASN1_STRING_get0_data(v), s, strlen(s)) == 0;
}

static cl_err
check_params(const struct cl_x509_spec *spec, const struct cl_x509_cert *issuer,
             const struct cl_key *signer, const struct cl_key *subject_key, int64_t nb,
             struct cl_error *err)
{
    const struct cl_x509_params *p = spec->params;
    uint32_t max = spec->ca ? CL_X509_IACA_DAYS_MAX : CL_X509_DS_DAYS_MAX;
    int64_t inb = 0, ina = 0;
    cl_err rc;

    if (signer == NULL || subject_key == NULL || !cl_key_has_private(signer))
        return cl_fail(err, CL_ERR_USAGE, "key", "the signing key has no private half");
    if (!is_country(p->country))
        return cl_fail(err, CL_ERR_USAGE, "country", "country is not ISO 3166-1 alpha-2 (AA-ZZ)");
    if (p->common_name == NULL || p->common_name[0] == '\0')
        return cl_fail(err, CL_ERR_USAGE, "common_name", "common name is empty");
    if (p->alt_uri != NULL && !is_ia5_token(p->alt_uri))
        return cl_fail(err, CL_ERR_USAGE, "alt_uri", "URI has spaces or non-ASCII characters");
    if (p->alt_email != NULL && (!is_ia5_token(p->alt_email) || !strchr(p->alt_email, '@')))
        return cl_fail(err, CL_ERR_USAGE, "alt_email", "not an e-mail address");
    if (p->crl_uri != NULL && !is_ia5_token(p->crl_uri))
        return cl_fail(err, CL_ERR_USAGE, "crl_uri", "URI has spaces or non-ASCII characters");
    if (p->days == 0)
        return cl_fail(err, CL_ERR_USAGE, "days", "validity of zero days");
    if (!spec->check_profile)
        return CL_OK;
    /* 18013-5 Table B.1 (IACA at most 20 years), Table B.3 (DS at most 457 days) */
    if (p->days > max)
        return cl_fail(err, CL_ERR_USAGE, "days", "validity over %u days", (unsigned)max);
    if (issuer == NULL) {
        if (p->alt_uri == NULL && p->alt_email == NULL)
            return cl_fail(err, CL_ERR_USAGE, "alt_uri",
                           "an IACA needs an issuer alternative name (URI or e-mail)");
        return CL_OK;
    }
    if (!cl_x509_is_ca(issuer))
        return cl_fail(err, CL_ERR_USAGE, "iaca", "the issuer is not a CA certificate");
    if (X509_check_private_key(issuer->x509, cl_key_evp(signer)) != 1) {
        ERR_clear_error();
        return cl_fail(err, CL_ERR_USAGE, "iaca_key", "the key does not belong to the IACA");
    }
    /* 18013-5 Table B.3: DS countryName (and stateOrProvinceName) equal to the IACA's */
    if (!attr_equals(issuer->x509, NID_countryName, p->country))
        return cl_fail(err, CL_ERR_USAGE, "country", "the DS country differs from the IACA's");
    if (!attr_equals(issuer->x509, NID_stateOrProvinceName, p->state))
        return cl_fail(err, CL_ERR_USAGE, "state",
                       "the DS stateOrProvinceName differs from the IACA's");
    rc = cl_x509_cert_validity(issuer, &inb, &ina, err);
    if (rc != CL_OK)
        return rc;
    if (nb < inb || nb + (int64_t)p->days * 86400 > ina)
        return cl_fail(err, CL_ERR_USAGE, "days",
                       "the DS validity does not lie inside the IACA's validity");
    return CL_OK;
}

/* ---- building extensions ---- */

static cl_err
crypto_fail(struct cl_error *err, const char *where, const char *what)
{
    ERR_clear_error();
    return cl_fail(err, CL_ERR_CRYPTO, where, "cannot build the %s", what);
}

/* An extension from a fixed OpenSSL configuration value (never caller text). */
static cl_err
add_conf(X509 *x, X509V3_CTX *ctx, int nid, const char *value, struct cl_error *err)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

    X509_EXTENSION_free(ext);
    return ok ? CL_OK : crypto_fail(err, OBJ_nid2sn(nid), "extension");
}

static int
push_name(GENERAL_NAMES *gens, int type, const char *value)
{
    GENERAL_NAME *gn = GENERAL_NAME_new();
    ASN1_IA5STRING *s = ASN1_IA5STRING_new();

    if (gn == NULL || s == NULL || ASN1_STRING_set(s, value, -1) != 1) {
        GENERAL_NAME_free(gn);
        ASN1_IA5STRING_free(s);
        return 0;
    }
    GENERAL_NAME_set0_value(gn, type, s);
    if (sk_GENERAL_NAME_push(gens, gn) <= 0) {
        GENERAL_NAME_free(gn);
        return 0;
    }
    return 1;
}

/* issuerAltName (RFC 5280 §4.2.1.7): the given URI / e-mail, else a copy of the issuer's. */
static cl_err
add_issuer_alt_name(X509 *x, const struct cl_x509_params *p, const struct cl_x509_cert *issuer,
                    struct cl_error *err)
{
    GENERAL_NAMES *gens;
    int ok;

    if (p->alt_uri == NULL && p->alt_email == NULL) {
        int i = issuer != NULL ? X509_get_ext_by_NID(issuer->x509, NID_issuer_alt_name, -1) : -1;

        if (i < 0)
            return issuer != NULL ? cl_fail(err, CL_ERR_USAGE, "alt_uri",
                                            "the IACA has no issuer alternative name to copy")
                                  : CL_OK;
        if (X509_add_ext(x, X509_get_ext(issuer->x509, i), -1) != 1)
            return crypto_fail(err, "issuerAltName", "extension");
        return CL_OK;
    }
    gens = GENERAL_NAMES_new();
    ok = gens != NULL && (p->alt_uri == NULL || push_name(gens, GEN_URI, p->alt_uri)) &&
         (p->alt_email == NULL || push_name(gens, GEN_EMAIL, p->alt_email)) &&
         X509_add1_ext_i2d(x, NID_issuer_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
    GENERAL_NAMES_free(gens);
    return ok ? CL_OK : crypto_fail(err, "issuerAltName", "extension");
}

/* cRLDistributionPoints (RFC 5280 §4.2.1.13): one fullName URI, else a copy of the issuer's. */
static cl_err
add_crl_dp(X509 *x, const struct cl_x509_params *p, const struct cl_x509_cert *issuer,
           struct cl_error *err)
{
    CRL_DIST_POINTS *dps = NULL;
    DIST_POINT *dp = NULL;
    int ok;

    if (p->crl_uri == NULL) {
        int i = issuer != NULL ? X509_get_ext_by_NID(issuer->x509, NID_crl_distribution_points, -1)
                               : -1;

        if (i < 0)
            return issuer != NULL ? cl_fail(err, CL_ERR_USAGE, "crl_uri",
                                            "the IACA has no CRL distribution point to copy")
                                  : CL_OK;
        if (X509_add_ext(x, X509_get_ext(issuer->x509, i), -1) != 1)
            return crypto_fail(err, "cRLDistributionPoints", "extension");
        return CL_OK;
    }
    dps = CRL_DIST_POINTS_new();
    dp = DIST_POINT_new();
    ok = dps != NULL && dp != NULL && (dp->distpoint = DIST_POINT_NAME_new()) != NULL &&
         (dp->distpoint->name.fullname = GENERAL_NAMES_new()) != NULL;
    if (ok) {
        dp->distpoint->type = 0; /* fullName */
        ok = push_name(dp->distpoint->name.fullname, GEN_URI, p->crl_uri) &&
             sk_DIST_POINT_push(dps, dp) > 0;
    }
    if (ok)
        dp = NULL; /* owned by dps now */
    ok = ok && X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, X509V3_ADD_DEFAULT) == 1;
    DIST_POINT_free(dp);
    CRL_DIST_POINTS_free(dps);
    return ok ? CL_OK : crypto_fail(err, "cRLDistributionPoints", "extension");
}

/* keyUsage (RFC 5280 §4.2.1.3), critical; ku holds KU_* bits, bit n of the string = 0x80 >> n */
static cl_err
add_key_usage(X509 *x, unsigned ku, struct cl_error *err)
{
    ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
    int ok = bits != NULL;

    for (int n = 0; ok && n < 8; n++)
        if (ku & (0x80u >> n))
            ok = ASN1_BIT_STRING_set_bit(bits, n, 1);
    if (ok && (ku & KU_DECIPHER_ONLY))
        ok = ASN1_BIT_STRING_set_bit(bits, 8, 1);
    ok = ok && X509_add1_ext_i2d(x, NID_key_usage, bits, 1, X509V3_ADD_DEFAULT) == 1;
    ASN1_BIT_STRING_free(bits);
    return ok ? CL_OK : crypto_fail(err, "keyUsage", "extension");
}

/* extKeyUsage critical with id-mdl-kp-mdlDS (18013-5 Table B.3) */
static cl_err
add_eku_mdl_ds(X509 *x, struct cl_error *err)
{
    EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
    ASN1_OBJECT *oid = OBJ_txt2obj(CL_X509_OID_MDL_DS, 1);
    int ok = eku != NULL && oid != NULL && sk_ASN1_OBJECT_push(eku, oid) > 0;

    if (ok)
        oid = NULL;
    ok = ok && X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 1, X509V3_ADD_DEFAULT) == 1;
    ASN1_OBJECT_free(oid);
    sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
    return ok ? CL_OK : crypto_fail(err, "extKeyUsage", "extension");
}

static cl_err
add_name_entry(X509_NAME *name, int nid, const char *value, const char *where, struct cl_error *err)
{
    if (value == NULL)
        return CL_OK;
    if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, (const unsigned char *)value, -1, -1,
                                   0) != 1) {
        ERR_clear_error();
        return cl_fail(err, CL_ERR_USAGE, where, "not valid UTF-8 or too long for the name");
    }
    return CL_OK;
}

static const EVP_MD *
md_for(const struct cl_key *key)
{
    switch (cl_key_curve(key)) {
    case CL_CURVE_P384:
        return EVP_sha384();
    case CL_CURVE_P521:
        return EVP_sha512();
    default:
        return EVP_sha256();
    }
}

static cl_err
set_serial(X509 *x, struct cl_error *err)
{
    uint8_t b[SERIAL_LEN];
    BIGNUM *bn = NULL;
    cl_err rc = cl_random(b, sizeof b, err);

    if (rc != CL_OK)
        return rc;
    b[0] = (uint8_t)((b[0] & 0x7f) | 0x40); /* positive, exactly 20 octets, 158 random bits */
    bn = BN_bin2bn(b, (int)sizeof b, NULL);
    if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
        rc = crypto_fail(err, "serialNumber", "serial number");
    BN_free(bn);
    return rc;
}

cl_err
cl_x509_issue(const struct cl_x509_spec *spec, const struct cl_x509_cert *issuer,
              const struct cl_key *signer, const struct cl_key *subject_key,
              struct cl_x509_cert **out, struct cl_error *err)
{
    const struct cl_x509_params *p = spec->params;
    int64_t nb = p->not_before != 0 ? p->not_before : (int64_t)time(NULL);
    X509 *x = NULL;
    X509_NAME *name = NULL;
    X509V3_CTX ctx;
    cl_err rc;

    *out = NULL;
    rc = check_params(spec, issuer, signer, subject_key, nb, err);
    if (rc != CL_OK)
        goto out;
    x = X509_new();
    name = X509_NAME_new();
    if (x == NULL || name == NULL || X509_set_version(x, X509_VERSION_3) != 1) {
        rc = crypto_fail(err, NULL, "certificate");
        goto out;
    }
    if ((rc = set_serial(x, err)) != CL_OK)
        goto out;
    /* subject: C, ST, O, CN (18013-5 Table B.1/B.3: C and CN required, ST and O optional) */
    if ((rc = add_name_entry(name, NID_countryName, p->country, "country", err)) != CL_OK ||
        (rc = add_name_entry(name, NID_stateOrProvinceName, p->state, "state", err)) != CL_OK ||
        (rc = add_name_entry(name, NID_organizationName, p->organization, "organization", err)) !=
            CL_OK ||
        (rc = add_name_entry(name, NID_commonName, p->common_name, "common_name", err)) != CL_OK)
        goto out;
    if (X509_set_subject_name(x, name) != 1 ||
        X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer->x509) : name) != 1 ||
        ASN1_TIME_adj(X509_getm_notBefore(x), (time_t)nb, 0, 0) == NULL ||
        ASN1_TIME_adj(X509_getm_notAfter(x), (time_t)nb, (int)p->days, 0) == NULL ||
        X509_set_pubkey(x, cl_key_evp(subject_key)) != 1) {
        rc = crypto_fail(err, NULL, "certificate fields");
        goto out;
    }
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer->x509 : x, x, NULL, NULL, 0);
    if (spec->basic_constraints &&
        (rc = add_conf(x, &ctx, NID_basic_constraints,
                       spec->ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE", err)) !=
            CL_OK)
        goto out;
    if (spec->key_usage != 0 && (rc = add_key_usage(x, spec->key_usage, err)) != CL_OK)
        goto out;
    if (spec->eku_mdl_ds && (rc = add_eku_mdl_ds(x, err)) != CL_OK)
        goto out;
    if ((rc = add_conf(x, &ctx, NID_subject_key_identifier, "hash", err)) != CL_OK)
        goto out;
    if (issuer != NULL &&
        (rc = add_conf(x, &ctx, NID_authority_key_identifier, "keyid:always", err)) != CL_OK)
        goto out;
    if ((rc = add_issuer_alt_name(x, p, issuer, err)) != CL_OK ||
        (rc = add_crl_dp(x, p, issuer, err)) != CL_OK)
        goto out;
    if (X509_sign(x, cl_key_evp(signer), md_for(signer)) <= 0) {
        rc = crypto_fail(err, "signature", "certificate signature");
        goto out;
    }
    rc = cl_x509_cert_wrap(x, out, err);
    x = NULL; /* owned by *out, or freed */
out:
    ERR_clear_error();
    X509_NAME_free(name);
    X509_free(x);
    return rc;
}

cl_err
cl_x509_iaca_make(const struct cl_x509_params *p, const struct cl_key *key,
                  struct cl_x509_cert **out, struct cl_error *err)
{
    struct cl_x509_spec spec = {0};

    spec.params = p;
    spec.basic_constraints = true;
    spec.ca = true;
    spec.key_usage = KU_KEY_CERT_SIGN | KU_CRL_SIGN;
    spec.check_profile = true;
    return cl_x509_issue(&spec, NULL, key, key, out, err);
}

cl_err
cl_x509_ds_make(const struct cl_x509_params *p, const struct cl_x509_cert *iaca,
                const struct cl_key *iaca_key, const struct cl_key *ds_key,
                struct cl_x509_cert **out, struct cl_error *err)
{
    struct cl_x509_spec spec = {0};

    spec.params = p;
    spec.key_usage = KU_DIGITAL_SIGNATURE;
    spec.eku_mdl_ds = true;
    spec.check_profile = true;
    if (iaca == NULL) {
        *out = NULL;
        return cl_fail(err, CL_ERR_USAGE, "iaca", "no IACA certificate");
    }
    return cl_x509_issue(&spec, iaca, iaca_key, ds_key, out, err);
}
