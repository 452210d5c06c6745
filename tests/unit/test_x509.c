/*
 * test_x509.c - x509 module: Annex B IACA and DS certificates made, read back and validated;
 * the ISO 18013-5 Annex D certificates; profile failures; garbage and truncated input.
 */
#include "support.h"

#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cardless/alloc.h"
#include "cardless/crypto.h"
#include "cardless/limits.h"
#include "cardless/x509.h"
#include "x509/x509_int.h"

#define T_2025_01_01 1735689600 /* 2025-01-01T00:00:00Z */
#define DAY 86400

/* Annex D validity: DS 2020-10-01..2021-10-01, IACA 2020-10-01..2029-09-29 */
#define T_2020_10_01 1601510400
#define T_2021_10_01 1633046400

/* The chain every test starts from: a KR IACA and a DS it issued, from 2025-01-01. */
static struct {
    struct cl_key *iaca_key, *ds_key;
    struct cl_x509_cert *iaca, *ds;
} fx;

static void
params_iaca(struct cl_x509_params *p)
{
    cl_x509_params_iaca(p);
    p->country = "KR";
    p->common_name = "Korea IACA";
    p->organization = "Ministry of the Interior and Safety";
    p->not_before = T_2025_01_01;
}

static void
params_ds(struct cl_x509_params *p)
{
    cl_x509_params_ds(p);
    p->country = "KR";
    p->common_name = "Korea DS 1";
    p->not_before = T_2025_01_01;
}

static void
check_ok(cl_err rc, const struct cl_error *err, const char *what)
{
    if (rc != CL_OK)
        fail_msg("%s: %s (%s: %s)", what, cl_err_name(rc), err->where, err->msg);
}

static int
setup(void **state)
{
    struct cl_error err = {0};
    struct cl_x509_params p;

    (void)state;
    check_ok(cl_key_generate(CL_CURVE_P256, &fx.iaca_key, &err), &err, "iaca key");
    check_ok(cl_key_generate(CL_CURVE_P256, &fx.ds_key, &err), &err, "ds key");
    params_iaca(&p);
    check_ok(cl_x509_iaca_make(&p, fx.iaca_key, &fx.iaca, &err), &err, "iaca");
    params_ds(&p);
    check_ok(cl_x509_ds_make(&p, fx.iaca, fx.iaca_key, fx.ds_key, &fx.ds, &err), &err, "ds");
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    cl_x509_cert_free(fx.ds);
    cl_x509_cert_free(fx.iaca);
    cl_key_free(fx.ds_key);
    cl_key_free(fx.iaca_key);
    return 0;
}

/* chain = [leaf], anchors = [anchor...]: the verdict of cl_x509_chain_verify */
static cl_err
verify1(struct cl_x509_cert *leaf, struct cl_x509_cert *a1, struct cl_x509_cert *a2, int64_t at,
        const struct cl_x509_cert **anchor, struct cl_error *err)
{
    struct cl_x509_list chain, anchors;
    cl_err rc = CL_OK;

    cl_x509_list_init(&chain);
    cl_x509_list_init(&anchors);
    if (cl_x509_list_add(&chain, leaf, err) != CL_OK ||
        (a1 != NULL && cl_x509_list_add(&anchors, a1, err) != CL_OK) ||
        (a2 != NULL && cl_x509_list_add(&anchors, a2, err) != CL_OK))
        fail_msg("list_add");
    rc = cl_x509_chain_verify(&chain, &anchors, at, anchor, err);
    cl_x509_list_fini(&chain);
    cl_x509_list_fini(&anchors);
    return rc;
}

/* ---- made certificates: the Annex B fields, read with OpenSSL itself ---- */

static const struct {
    const char *name;
    bool ds; /* row is about the DS (else the IACA) */
    int nid;
    int want; /* -1 absent, 0 present non-critical, 1 present critical */
} ext_cases[] = {
    {"IACA basicConstraints critical", false, NID_basic_constraints, 1},
    {"IACA keyUsage critical", false, NID_key_usage, 1},
    {"IACA subjectKeyIdentifier", false, NID_subject_key_identifier, 0},
    {"IACA issuerAltName", false, NID_issuer_alt_name, 0},
    {"IACA cRLDistributionPoints", false, NID_crl_distribution_points, 0},
    {"IACA no extKeyUsage", false, NID_ext_key_usage, -1},
    {"DS keyUsage critical", true, NID_key_usage, 1},
    {"DS extKeyUsage critical", true, NID_ext_key_usage, 1},
    {"DS authorityKeyIdentifier", true, NID_authority_key_identifier, 0},
    {"DS subjectKeyIdentifier", true, NID_subject_key_identifier, 0},
    {"DS issuerAltName", true, NID_issuer_alt_name, 0},
    {"DS cRLDistributionPoints", true, NID_crl_distribution_points, 0},
    {"DS no basicConstraints", true, NID_basic_constraints, -1},
};

static void
test_made_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(ext_cases); i++) {
        X509 *x = ext_cases[i].ds ? fx.ds->x509 : fx.iaca->x509;
        int at = X509_get_ext_by_NID(x, ext_cases[i].nid, -1);
        int got = at < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, at));

        if (got != ext_cases[i].want)
            fail_msg("%s: got %d, want %d", ext_cases[i].name, got, ext_cases[i].want);
    }
    for (int k = 0; k < 2; k++) {
        X509 *x = k == 0 ? fx.iaca->x509 : fx.ds->x509;
        const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
        BIGNUM *bn = ASN1_INTEGER_to_BN(serial, NULL);

        assert_int_equal(X509_get_version(x), X509_VERSION_3);
        assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
        /* RFC 5280 §4.1.2.2: positive, at most 20 octets; 18013-5: >= 63 random bits */
        assert_non_null(bn);
        assert_false(BN_is_negative(bn));
        assert_int_equal(BN_num_bytes(bn), 20);
        BN_free(bn);
    }
    /* IACA: CA:TRUE pathLen 0, keyCertSign + cRLSign; DS: digitalSignature, EKU mdlDS */
    assert_int_equal(X509_get_pathlen(fx.iaca->x509), 0);
    assert_int_equal(X509_get_key_usage(fx.iaca->x509), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    assert_int_equal(X509_get_key_usage(fx.ds->x509), KU_DIGITAL_SIGNATURE);
    assert_true(cl_x509_is_ca(fx.iaca));
    assert_false(cl_x509_is_ca(fx.ds));
    assert_int_equal(X509_check_issued(fx.iaca->x509, fx.ds->x509), X509_V_OK);
}

static void
test_made_accessors(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    const char *s = NULL;
    char c[3];
    int64_t nb = 0, na = 0;
    struct cl_key *k = NULL;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    check_ok(cl_x509_cert_subject(&a, fx.ds, &s, &err), &err, "subject");
    assert_string_equal(s, "CN=Korea DS 1,C=KR");
    check_ok(cl_x509_cert_issuer(&a, fx.ds, &s, &err), &err, "issuer");
    assert_string_equal(s, "CN=Korea IACA,O=Ministry of the Interior and Safety,C=KR");
    check_ok(cl_x509_cert_common_name(&a, fx.iaca, &s, &err), &err, "cn");
    assert_string_equal(s, "Korea IACA");
    check_ok(cl_x509_cert_country(fx.ds, c, &err), &err, "country");
    assert_string_equal(c, "KR");
    check_ok(cl_x509_cert_serial_hex(&a, fx.ds, &s, &err), &err, "serial");
    assert_int_equal(strlen(s), 40);
    check_ok(cl_x509_cert_validity(fx.iaca, &nb, &na, &err), &err, "iaca validity");
    assert_true(nb == T_2025_01_01 && na == T_2025_01_01 + (int64_t)3650 * DAY);
    check_ok(cl_x509_cert_validity(fx.ds, &nb, &na, &err), &err, "ds validity");
    assert_true(nb == T_2025_01_01 && na == T_2025_01_01 + (int64_t)365 * DAY);
    check_ok(cl_x509_cert_key(fx.ds, &k, &err), &err, "key");
    assert_true(cl_key_equal_public(k, fx.ds_key));
    assert_false(cl_key_has_private(k));
    cl_key_free(k);
    check_ok(cl_x509_iaca_check(fx.iaca, &err), &err, "iaca profile");
    check_ok(cl_x509_ds_check(fx.ds, fx.iaca, &err), &err, "ds profile");
    cl_arena_fini(&a);
}

/* A UTF-8 Korean name survives, unescaped (RFC 4514 string, -esc_msb). */
static void
test_made_utf8_name(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_x509_params p;
    struct cl_x509_cert *c = NULL;
    const char *s = NULL;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    params_iaca(&p);
    p.organization = NULL;
    p.common_name = "\xed\x96\x89\xec\xa0\x95\xec\x95\x88\xec\xa0\x84\xeb\xb6\x80 IACA";
    check_ok(cl_x509_iaca_make(&p, fx.iaca_key, &c, &err), &err, "iaca");
    check_ok(cl_x509_cert_subject(&a, c, &s, &err), &err, "subject");
    assert_string_equal(s, "CN=\xed\x96\x89\xec\xa0\x95\xec\x95\x88\xec\xa0\x84\xeb\xb6\x80 "
                           "IACA,C=KR");
    cl_x509_cert_free(c);
    cl_arena_fini(&a);
}

/* A P-384 IACA signs with ECDSA-SHA-384; the chain validates. */
static void
test_made_p384(void **state)
{
    struct cl_error err = {0};
    struct cl_x509_params p;
    struct cl_key *k = NULL;
    struct cl_x509_cert *iaca = NULL, *ds = NULL;
    const struct cl_x509_cert *anchor = NULL;

    (void)state;
    check_ok(cl_key_generate(CL_CURVE_P384, &k, &err), &err, "key");
    params_iaca(&p);
    check_ok(cl_x509_iaca_make(&p, k, &iaca, &err), &err, "iaca");
    params_ds(&p);
    check_ok(cl_x509_ds_make(&p, iaca, k, fx.ds_key, &ds, &err), &err, "ds");
    assert_int_equal(X509_get_signature_nid(ds->x509), NID_ecdsa_with_SHA384);
    check_ok(verify1(ds, iaca, NULL, T_2025_01_01 + DAY, &anchor, &err), &err, "verify");
    assert_ptr_equal(anchor, iaca);
    cl_x509_cert_free(ds);
    cl_x509_cert_free(iaca);
    cl_key_free(k);
}

/* ---- chain validation over time and anchors ---- */

static const struct {
    const char *name;
    int64_t at;
    cl_err want;
    const char *where;
} time_cases[] = {
    {"at notBefore", T_2025_01_01, CL_OK, ""},
    {"mid-year", T_2025_01_01 + 150 * DAY, CL_OK, ""},
    {"one second before notBefore", T_2025_01_01 - 1, CL_ERR_EXPIRED, "chain[1]"}, /* root first */
    {"DS expired, IACA valid", T_2025_01_01 + 366 * DAY, CL_ERR_EXPIRED, "chain[0]"},
    {"both expired", T_2025_01_01 + 3651 * (int64_t)DAY, CL_ERR_EXPIRED, "chain[1]"},
};

static void
test_chain_time(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(time_cases); i++) {
        struct cl_error err = {0};
        const struct cl_x509_cert *anchor = (const void *)&err; /* poisoned */
        cl_err rc = verify1(fx.ds, fx.iaca, NULL, time_cases[i].at, &anchor, &err);

        cl_test_expect(time_cases[i].name, rc, time_cases[i].want, &err);
        if (rc == CL_OK && anchor != fx.iaca)
            fail_msg("%s: wrong anchor returned", time_cases[i].name);
        if (rc != CL_OK && (anchor != NULL || strcmp(err.where, time_cases[i].where) != 0))
            fail_msg("%s: where %s, anchor %p", time_cases[i].name, err.where,
                     (const void *)anchor);
    }
}

static void
test_chain_anchors(void **state)
{
    struct cl_error err = {0};
    struct cl_x509_params p;
    struct cl_key *other_key = NULL;
    struct cl_x509_cert *same_name = NULL, *other = NULL;
    const struct cl_x509_cert *anchor = NULL;
    const int64_t at = T_2025_01_01 + 10 * DAY;

    (void)state;
    check_ok(cl_key_generate(CL_CURVE_P256, &other_key, &err), &err, "key");
    params_iaca(&p); /* same subject, another key: the impostor */
    check_ok(cl_x509_iaca_make(&p, other_key, &same_name, &err), &err, "same-name iaca");
    p.country = "JP";
    p.common_name = "Japan IACA";
    check_ok(cl_x509_iaca_make(&p, other_key, &other, &err), &err, "other iaca");

    cl_test_expect("same-name anchor", verify1(fx.ds, same_name, NULL, at, &anchor, &err),
                   CL_ERR_UNTRUSTED, &err);
    assert_null(anchor);
    cl_error_clear(&err);
    cl_test_expect("other anchor", verify1(fx.ds, other, NULL, at, &anchor, &err), CL_ERR_UNTRUSTED,
                   &err);
    cl_error_clear(&err);
    cl_test_expect("right one among two", verify1(fx.ds, other, fx.iaca, at, &anchor, &err), CL_OK,
                   &err);
    assert_ptr_equal(anchor, fx.iaca);
    cl_test_expect("leaf is the anchor", verify1(fx.iaca, fx.iaca, NULL, at, &anchor, &err),
                   CL_ERR_UNTRUSTED, &err);
    assert_string_equal(err.where, "chain[0]");
    cl_error_clear(&err);
    cl_test_expect("DS as anchor", verify1(fx.ds, fx.ds, NULL, at, NULL, &err), CL_ERR_UNTRUSTED,
                   &err);

    cl_x509_cert_free(same_name);
    cl_x509_cert_free(other);
    cl_key_free(other_key);
}

static void
test_chain_limits(void **state)
{
    struct cl_error err = {0};
    struct cl_x509_list chain, anchors;

    (void)state;
    cl_x509_list_init(&chain);
    cl_x509_list_init(&anchors);
    cl_test_expect("empty chain", cl_x509_chain_verify(&chain, &anchors, 0, NULL, &err),
                   CL_ERR_USAGE, &err);
    for (int i = 0; i <= CL_LIMIT_X509_CHAIN; i++)
        check_ok(cl_x509_list_add(&chain, i == 0 ? fx.ds : fx.iaca, &err), &err, "add");
    check_ok(cl_x509_list_add(&anchors, fx.iaca, &err), &err, "add");
    cl_error_clear(&err);
    cl_test_expect("chain over the limit", cl_x509_chain_verify(&chain, &anchors, 0, NULL, &err),
                   CL_ERR_TOO_LARGE, &err);
    cl_x509_list_fini(&chain);
    cl_x509_list_fini(&anchors);
    cl_x509_list_fini(&anchors); /* safe twice */
}

/* An intermediate between anchor and leaf is refused: the IACA has pathLen 0. */
static void
test_chain_intermediate(void **state)
{
    struct cl_error err = {0};
    struct cl_x509_params p;
    struct cl_x509_spec spec = {0};
    struct cl_x509_cert *sub = NULL, *leaf = NULL;
    struct cl_x509_list chain, anchors;
    const int64_t at = T_2025_01_01 + 10 * DAY;

    (void)state;
    params_ds(&p);
    p.common_name = "Korea sub-CA";
    spec.params = &p;
    spec.basic_constraints = true;
    spec.ca = true;
    spec.key_usage = KU_KEY_CERT_SIGN | KU_CRL_SIGN;
    check_ok(cl_x509_issue(&spec, fx.iaca, fx.iaca_key, fx.ds_key, &sub, &err), &err, "sub");
    spec.basic_constraints = spec.ca = false;
    spec.key_usage = KU_DIGITAL_SIGNATURE;
    spec.eku_mdl_ds = true;
    p.common_name = "Korea DS under sub-CA";
    check_ok(cl_x509_issue(&spec, sub, fx.ds_key, fx.ds_key, &leaf, &err), &err, "leaf");
    cl_x509_list_init(&chain);
    cl_x509_list_init(&anchors);
    check_ok(cl_x509_list_add(&chain, leaf, &err), &err, "add");
    check_ok(cl_x509_list_add(&chain, sub, &err), &err, "add");
    check_ok(cl_x509_list_add(&anchors, fx.iaca, &err), &err, "add");
    cl_test_expect("pathLen 0 exceeded", cl_x509_chain_verify(&chain, &anchors, at, NULL, &err),
                   CL_ERR_UNTRUSTED, &err);
    assert_string_equal(err.where, "chain[2]"); /* leaf, sub-CA, IACA: the IACA's pathLen */
    /* anchors are roots: the sub-CA alone is no anchor (no partial chains) */
    anchors.certs[0] = sub;
    cl_error_clear(&err);
    cl_test_expect("sub-CA as anchor", cl_x509_chain_verify(&chain, &anchors, at, NULL, &err),
                   CL_ERR_UNTRUSTED, &err);
    anchors.certs[0] = fx.iaca;
    cl_x509_list_fini(&chain);
    cl_x509_list_fini(&anchors);
    cl_x509_cert_free(leaf);
    cl_x509_cert_free(sub);
}

/* ---- the DS profile: one property broken at a time ---- */

enum breakage {
    B_NONE,
    B_NO_EKU,
    B_KU_KEY_ENCIPHERMENT,
    B_KU_WITH_CERT_SIGN,
    B_NO_KU,
    B_CA,
    B_COUNTRY,
    B_STATE,
    B_IACA_AS_DS,
};

static const struct {
    const char *name;
    enum breakage brk;
    cl_err want;
    const char *where;
} ds_cases[] = {
    {"good DS", B_NONE, CL_OK, ""},
    {"no extKeyUsage", B_NO_EKU, CL_ERR_UNTRUSTED, "ds.extKeyUsage"},
    {"keyUsage keyEncipherment only", B_KU_KEY_ENCIPHERMENT, CL_ERR_UNTRUSTED, "ds.keyUsage"},
    {"keyUsage with keyCertSign", B_KU_WITH_CERT_SIGN, CL_ERR_UNTRUSTED, "ds.keyUsage"},
    {"no keyUsage", B_NO_KU, CL_ERR_UNTRUSTED, "ds.keyUsage"},
    {"CA certificate as DS", B_CA, CL_ERR_UNTRUSTED, "ds.basicConstraints"},
    {"country JP under a KR IACA", B_COUNTRY, CL_ERR_UNTRUSTED, "ds.subject.C"},
    {"stateOrProvinceName not the IACA's", B_STATE, CL_ERR_UNTRUSTED, "ds.subject.ST"},
    {"the IACA itself as DS", B_IACA_AS_DS, CL_ERR_UNTRUSTED, "ds.basicConstraints"},
};

static void
test_ds_profile(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(ds_cases); i++) {
        struct cl_error err = {0};
        struct cl_x509_params p;
        struct cl_x509_spec spec = {0};
        struct cl_x509_cert *ds = NULL;
        cl_err rc;

        params_ds(&p);
        spec.params = &p;
        spec.key_usage = KU_DIGITAL_SIGNATURE;
        spec.eku_mdl_ds = true;
        switch (ds_cases[i].brk) {
        case B_NO_EKU:
            spec.eku_mdl_ds = false;
            break;
        case B_KU_KEY_ENCIPHERMENT:
            spec.key_usage = KU_KEY_ENCIPHERMENT;
            break;
        case B_KU_WITH_CERT_SIGN:
            spec.key_usage = KU_DIGITAL_SIGNATURE | KU_KEY_CERT_SIGN;
            break;
        case B_NO_KU:
            spec.key_usage = 0;
            break;
        case B_CA:
            spec.basic_constraints = spec.ca = true;
            break;
        case B_COUNTRY:
            p.country = "JP";
            break;
        case B_STATE:
            p.state = "Seoul";
            break;
        default:
            break;
        }
        if (ds_cases[i].brk == B_IACA_AS_DS)
            ds = cl_x509_cert_ref(fx.iaca);
        else
            check_ok(cl_x509_issue(&spec, fx.iaca, fx.iaca_key, fx.ds_key, &ds, &err), &err,
                     ds_cases[i].name);
        rc = cl_x509_ds_check(ds, fx.iaca, &err);
        cl_test_expect(ds_cases[i].name, rc, ds_cases[i].want, &err);
        if (strcmp(err.where, ds_cases[i].where) != 0)
            fail_msg("%s: where \"%s\", want \"%s\"", ds_cases[i].name, err.where,
                     ds_cases[i].where);
        cl_x509_cert_free(ds);
    }
}

/* ---- making: parameters out of profile are refused by name ---- */

enum param_breakage {
    P_COUNTRY_LOWER,
    P_COUNTRY_ALPHA3,
    P_NO_CN,
    P_CN_TOO_LONG,
    P_ALT_URI_SPACE,
    P_IACA_TOO_LONG,
    P_IACA_NO_ALT,
    P_DS_TOO_LONG,
    P_DS_COUNTRY,
    P_DS_OUTLIVES_IACA,
    P_DS_WRONG_IACA_KEY,
    P_DS_BAD_EMAIL,
};

static const struct {
    const char *name;
    enum param_breakage brk;
    bool ds;
    const char *where;
} param_cases[] = {
    {"country lower case", P_COUNTRY_LOWER, false, "country"},
    {"country alpha-3", P_COUNTRY_ALPHA3, false, "country"},
    {"no common name", P_NO_CN, false, "common_name"},
    {"common name over 64", P_CN_TOO_LONG, false, "common_name"},
    {"issuerAltName URI with a space", P_ALT_URI_SPACE, false, "alt_uri"},
    {"IACA over 20 years", P_IACA_TOO_LONG, false, "days"},
    {"IACA without issuerAltName", P_IACA_NO_ALT, false, "alt_uri"},
    {"DS over 457 days", P_DS_TOO_LONG, true, "days"},
    {"DS country not the IACA's", P_DS_COUNTRY, true, "country"},
    {"DS outlives the IACA", P_DS_OUTLIVES_IACA, true, "days"},
    {"DS signed with a key not the IACA's", P_DS_WRONG_IACA_KEY, true, "iaca_key"},
    {"DS e-mail without @", P_DS_BAD_EMAIL, true, "alt_email"},
};

static void
test_make_params(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(param_cases); i++) {
        struct cl_error err = {0};
        struct cl_x509_params p;
        struct cl_x509_cert *c = (struct cl_x509_cert *)&err; /* poisoned */
        const struct cl_key *signer = fx.iaca_key;
        cl_err rc;

        if (param_cases[i].ds)
            params_ds(&p);
        else
            params_iaca(&p);
        switch (param_cases[i].brk) {
        case P_COUNTRY_LOWER:
            p.country = "kr";
            break;
        case P_COUNTRY_ALPHA3:
            p.country = "KOR";
            break;
        case P_NO_CN:
            p.common_name = "";
            break;
        case P_CN_TOO_LONG:
            p.common_name = "0123456789012345678901234567890123456789012345678901234567890123X";
            break;
        case P_ALT_URI_SPACE:
            p.alt_uri = "https://example.invalid/a b";
            break;
        case P_IACA_TOO_LONG:
            p.days = CL_X509_IACA_DAYS_MAX + 1;
            break;
        case P_IACA_NO_ALT:
            p.alt_uri = NULL;
            break;
        case P_DS_TOO_LONG:
            p.days = CL_X509_DS_DAYS_MAX + 1;
            break;
        case P_DS_COUNTRY:
            p.country = "JP";
            break;
        case P_DS_OUTLIVES_IACA:
            p.not_before = T_2025_01_01 + 3400 * (int64_t)DAY;
            break;
        case P_DS_WRONG_IACA_KEY:
            signer = fx.ds_key;
            break;
        case P_DS_BAD_EMAIL:
            p.alt_email = "nobody.example.invalid";
            break;
        }
        if (param_cases[i].ds)
            rc = cl_x509_ds_make(&p, fx.iaca, signer, fx.ds_key, &c, &err);
        else
            rc = cl_x509_iaca_make(&p, signer, &c, &err);
        cl_test_expect(param_cases[i].name, rc, CL_ERR_USAGE, &err);
        if (c != NULL || strcmp(err.where, param_cases[i].where) != 0)
            fail_msg("%s: where \"%s\", want \"%s\"", param_cases[i].name, err.where,
                     param_cases[i].where);
    }
}

/* ---- PEM round trip ---- */

static void
test_pem_roundtrip(void **state)
{
    struct cl_error err = {0};
    struct cl_buf pem;
    struct cl_x509_list list;

    (void)state;
    cl_buf_init(&pem);
    cl_x509_list_init(&list);
    check_ok(cl_x509_cert_to_pem(fx.ds, &pem, &err), &err, "ds pem");
    cl_buf_append_str(&pem, "text between blocks is ignored\n");
    check_ok(cl_x509_cert_to_pem(fx.iaca, &pem, &err), &err, "iaca pem");
    assert_memory_equal(pem.ptr, "-----BEGIN CERTIFICATE-----\n", 28);
    check_ok(cl_x509_list_read(cl_buf_bytes(&pem), CL_LIMIT_X509_CHAIN, &list, &err), &err, "read");
    assert_int_equal(list.count, 2);
    assert_true(cl_bytes_eq(cl_x509_cert_der(list.certs[0]), cl_x509_cert_der(fx.ds)));
    assert_true(cl_bytes_eq(cl_x509_cert_der(list.certs[1]), cl_x509_cert_der(fx.iaca)));
    /* DER in, one certificate out */
    check_ok(cl_x509_list_read(cl_x509_cert_der(fx.ds), 1, &list, &err), &err, "read der");
    assert_int_equal(list.count, 3);
    assert_true(cl_bytes_eq(cl_x509_cert_der(list.certs[2]), cl_x509_cert_der(fx.ds)));
    /* over max: nothing appended */
    cl_test_expect("two blocks, max 1", cl_x509_list_read(cl_buf_bytes(&pem), 1, &list, &err),
                   CL_ERR_TOO_LARGE, &err);
    assert_int_equal(list.count, 3);
    cl_x509_list_fini(&list);
    cl_buf_fini(&pem);
}

/* ---- ISO/IEC 18013-5 Annex D certificates ---- */

struct annexd {
    struct cl_arena a;
    struct cl_x509_list iaca, ds, reader;
};

static void
annexd_load(struct annexd *d)
{
    struct cl_error err = {0};

    cl_arena_init(&d->a, 0, 0, 0);
    cl_x509_list_init(&d->iaca);
    cl_x509_list_init(&d->ds);
    cl_x509_list_init(&d->reader);
    check_ok(cl_x509_list_read(cl_test_vector(&d->a, "iso18013-5-annex-d/iaca-cert.pem"), 1,
                               &d->iaca, &err),
             &err, "iaca-cert.pem");
    check_ok(
        cl_x509_list_read(cl_test_vector(&d->a, "iso18013-5-annex-d/ds-cert.pem"), 1, &d->ds, &err),
        &err, "ds-cert.pem");
    check_ok(cl_x509_list_read(cl_test_vector(&d->a, "iso18013-5-annex-d/reader-root-cert.pem"), 1,
                               &d->reader, &err),
             &err, "reader-root-cert.pem");
}

static void
annexd_free(struct annexd *d)
{
    cl_x509_list_fini(&d->iaca);
    cl_x509_list_fini(&d->ds);
    cl_x509_list_fini(&d->reader);
    cl_arena_fini(&d->a);
}

static const struct {
    const char *name;
    int64_t at;
    bool with_reader_root; /* anchors = reader root (+ IACA unless only_reader) */
    bool only_reader;
    cl_err want;
} annexd_cases[] = {
    {"2020-10-01T00:00:00Z, the first second", T_2020_10_01, false, false, CL_OK},
    {"2021-01-01", T_2020_10_01 + 92 * DAY, false, false, CL_OK},
    {"2021-01-01 among two anchors", T_2020_10_01 + 92 * DAY, true, false, CL_OK},
    {"2021-01-01 with the reader root only", T_2020_10_01 + 92 * DAY, true, true, CL_ERR_UNTRUSTED},
    {"2020-09-30, not yet valid", T_2020_10_01 - DAY, false, false, CL_ERR_EXPIRED},
    {"2021-10-01T00:00:01Z, expired", T_2021_10_01 + 1, false, false, CL_ERR_EXPIRED},
    {"now, expired", 0, false, false, CL_ERR_EXPIRED},
};

static void
test_annexd_chain(void **state)
{
    struct annexd d;

    (void)state;
    annexd_load(&d);
    for (size_t i = 0; i < CL_ARRAY_LEN(annexd_cases); i++) {
        struct cl_error err = {0};
        const struct cl_x509_cert *anchor = NULL;
        int64_t at = annexd_cases[i].at != 0 ? annexd_cases[i].at : (int64_t)time(NULL);
        struct cl_x509_cert *a1 =
            annexd_cases[i].with_reader_root ? d.reader.certs[0] : d.iaca.certs[0];
        struct cl_x509_cert *a2 = annexd_cases[i].with_reader_root && !annexd_cases[i].only_reader
                                      ? d.iaca.certs[0]
                                      : NULL;
        cl_err rc = verify1(d.ds.certs[0], a1, a2, at, &anchor, &err);

        cl_test_expect(annexd_cases[i].name, rc, annexd_cases[i].want, &err);
        if (rc == CL_OK && anchor != d.iaca.certs[0])
            fail_msg("%s: wrong anchor", annexd_cases[i].name);
    }
    annexd_free(&d);
}

static void
test_annexd_fields(void **state)
{
    struct annexd d;
    struct cl_error err = {0};
    const char *s = NULL;
    char c[3];
    int64_t nb = 0, na = 0;

    (void)state;
    annexd_load(&d);
    check_ok(cl_x509_cert_subject(&d.a, d.ds.certs[0], &s, &err), &err, "subject");
    assert_string_equal(s, "C=US,CN=utopia ds");
    check_ok(cl_x509_cert_issuer(&d.a, d.ds.certs[0], &s, &err), &err, "issuer");
    assert_string_equal(s, "C=US,CN=utopia iaca");
    check_ok(cl_x509_cert_serial_hex(&d.a, d.ds.certs[0], &s, &err), &err, "serial");
    assert_string_equal(s, "3c4416eed784f3b413e48f56f075abfa6d87eb84");
    check_ok(cl_x509_cert_country(d.iaca.certs[0], c, &err), &err, "country");
    assert_string_equal(c, "US");
    check_ok(cl_x509_cert_validity(d.ds.certs[0], &nb, &na, &err), &err, "validity");
    assert_true(nb == T_2020_10_01 && na == T_2021_10_01);
    assert_true(cl_x509_is_ca(d.iaca.certs[0]));
    assert_true(cl_x509_is_ca(d.reader.certs[0]));
    assert_false(cl_x509_is_ca(d.ds.certs[0]));
    check_ok(cl_x509_iaca_check(d.iaca.certs[0], &err), &err, "iaca profile");
    check_ok(cl_x509_ds_check(d.ds.certs[0], d.iaca.certs[0], &err), &err, "ds profile");
    /* the reader root is a root but no IACA: no countryName, no issuerAltName */
    cl_test_expect("reader root as IACA", cl_x509_iaca_check(d.reader.certs[0], &err),
                   CL_ERR_UNTRUSTED, &err);
    assert_string_equal(err.where, "iaca.subject.C");
    cl_error_clear(&err);
    cl_test_expect("DS under the reader root",
                   cl_x509_ds_check(d.ds.certs[0], d.reader.certs[0], &err), CL_ERR_UNTRUSTED,
                   &err);
    assert_string_equal(err.where, "ds.issuer");
    annexd_free(&d);
}

/* ---- bad input ---- */

static const struct {
    const char *name;
    const char *text;
    size_t len; /* 0: strlen(text) */
    cl_err want;
} bad_cases[] = {
    {"empty", "", 0, CL_ERR_MISSING},
    {"text, no block", "hello, world\n", 0, CL_ERR_MISSING},
    {"lone SEQUENCE tag", "\x30", 0, CL_ERR_INPUT},
    {"SEQUENCE of nothing", "\x30\x00", 2, CL_ERR_INPUT},
    {"long length", "\x30\x84\xff\xff\xff\xff", 0, CL_ERR_INPUT},
    {"NUL after the tag", "\x30\x00\x00", 3, CL_ERR_INPUT},
    {"private key block", "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n", 0,
     CL_ERR_INPUT},
    {"certificate block of junk", "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
     0, CL_ERR_INPUT},
    {"bad base64", "-----BEGIN CERTIFICATE-----\nM!!A\n-----END CERTIFICATE-----\n", 0,
     CL_ERR_INPUT},
    {"no END line", "-----BEGIN CERTIFICATE-----\nMIIB\n", 0, CL_ERR_INPUT},
    {"mismatched END", "-----BEGIN CERTIFICATE-----\nMAA=\n-----END X-----\n", 0, CL_ERR_INPUT},
};

static void
test_bad_input(void **state)
{
    struct annexd d;
    struct cl_buf b;
    struct cl_bytes der;

    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(bad_cases); i++) {
        struct cl_error err = {0};
        struct cl_x509_list list;
        size_t len = bad_cases[i].len != 0 ? bad_cases[i].len : strlen(bad_cases[i].text);

        cl_x509_list_init(&list);
        cl_test_expect(bad_cases[i].name,
                       cl_x509_list_read(cl_bytes_of(bad_cases[i].text, len), 8, &list, &err),
                       bad_cases[i].want, &err);
        assert_int_equal(list.count, 0);
        cl_x509_list_fini(&list);
    }

    /* every truncation of a real certificate, and one trailing byte, fail cleanly */
    annexd_load(&d);
    der = cl_x509_cert_der(d.ds.certs[0]);
    for (size_t n = 0; n < der.len; n++) {
        struct cl_error err = {0};
        struct cl_x509_cert *c = (struct cl_x509_cert *)&err;
        cl_err rc = cl_x509_cert_from_der(cl_bytes_of(der.ptr, n), &c, &err);

        if (rc != CL_ERR_INPUT || c != NULL)
            fail_msg("truncated to %zu bytes: got %s", n, cl_err_name(rc));
    }
    cl_buf_init(&b);
    cl_buf_append_bytes(&b, der);
    cl_buf_append_byte(&b, 0);
    {
        struct cl_error err = {0};
        struct cl_x509_cert *c = NULL;

        cl_test_expect("trailing byte", cl_x509_cert_from_der(cl_buf_bytes(&b), &c, &err),
                       CL_ERR_INPUT, &err);
        assert_string_equal(err.where, "der");
    }
    /* a PEM chain of nine certificates against a limit of eight */
    cl_buf_reset(&b);
    for (int i = 0; i < 9; i++) {
        struct cl_error err = {0};

        check_ok(cl_x509_cert_to_pem(d.ds.certs[0], &b, &err), &err, "pem");
    }
    {
        struct cl_error err = {0};
        struct cl_x509_list list;

        cl_x509_list_init(&list);
        cl_test_expect("nine in PEM",
                       cl_x509_list_read(cl_buf_bytes(&b), CL_LIMIT_X509_CHAIN, &list, &err),
                       CL_ERR_TOO_LARGE, &err);
        assert_string_equal(err.where, "pem[8]");
        assert_int_equal(list.count, 0);
        cl_x509_list_fini(&list);
    }
    cl_buf_fini(&b);
    annexd_free(&d);
}

/* ---- allocation failures: CL_ERR_NOMEM each time, no leak (ASan) ---- */

static void
test_alloc_failures(void **state)
{
    struct cl_arena a;
    struct cl_bytes pem;
    unsigned long n;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    pem = cl_test_vector(&a, "iso18013-5-annex-d/iaca-cert.pem");
    for (n = 1; n < 100; n++) {
        struct cl_error err = {0};
        struct cl_x509_list list;
        cl_err rc;

        cl_x509_list_init(&list);
        cl_alloc_fail_at(n);
        rc = cl_x509_list_read(pem, 8, &list, &err);
        cl_alloc_fail_at(0);
        if (rc == CL_OK) {
            assert_int_equal(list.count, 1);
            cl_x509_list_fini(&list);
            break;
        }
        if (rc != CL_ERR_NOMEM)
            fail_msg("allocation %lu: got %s", n, cl_err_name(rc));
        assert_int_equal(list.count, 0);
        cl_x509_list_fini(&list);
    }
    assert_true(n < 100);
    for (n = 1; n < 100; n++) {
        struct cl_error err = {0};
        struct cl_x509_params p;
        struct cl_x509_cert *c = NULL;
        cl_err rc;

        params_ds(&p);
        cl_alloc_fail_at(n);
        rc = cl_x509_ds_make(&p, fx.iaca, fx.iaca_key, fx.ds_key, &c, &err);
        cl_alloc_fail_at(0);
        if (rc == CL_OK) {
            cl_x509_cert_free(c);
            break;
        }
        if (rc != CL_ERR_NOMEM || c != NULL)
            fail_msg("allocation %lu: got %s", n, cl_err_name(rc));
    }
    assert_true(n < 100);
    cl_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_made_fields),    cmocka_unit_test(test_made_accessors),
        cmocka_unit_test(test_made_utf8_name), cmocka_unit_test(test_made_p384),
        cmocka_unit_test(test_chain_time),     cmocka_unit_test(test_chain_anchors),
        cmocka_unit_test(test_chain_limits),   cmocka_unit_test(test_chain_intermediate),
        cmocka_unit_test(test_ds_profile),     cmocka_unit_test(test_make_params),
        cmocka_unit_test(test_pem_roundtrip),  cmocka_unit_test(test_annexd_chain),
        cmocka_unit_test(test_annexd_fields),  cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_alloc_failures),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
