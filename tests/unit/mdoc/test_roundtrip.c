/* test_roundtrip.c - issue, present and verify with keys made here, and one negative case per
 * verifier check, each made by breaking one thing on purpose. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cardless/mdoc.h"
#include "cardless/time.h"

#define NS "kr.go.mois.resident_card.1"
#define DT "kr.go.mois.resident_card.1"
#define DAY 86400

static int64_t T0; /* 2025-01-01T00:00:00Z: IACA and DS notBefore */

struct world {
    struct cl_key *iaca_key, *ds_key, *dev, *reader, *other_iaca_key;
    struct cl_x509_cert *iaca, *ds, *other_iaca, *bad_ds;
    struct cl_x509_list anchors, other_anchors;
};

static struct world W;

static void
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

    assert_non_null(e);
    assert_int_equal(X509_add_ext(x, e, -1), 1);
    X509_EXTENSION_free(e);
}

/*
 * A test-only maker that breaks one thing: a document signer issued by the IACA exactly like a
 * real one (keys, identifiers, validity) but without the id-mdl-kp-mdlDS extended key usage.
 */
static struct cl_x509_cert *
make_ds_without_eku(void)
{
    struct cl_bytes der = cl_x509_cert_der(W.iaca);
    const unsigned char *p = der.ptr;
    X509 *iaca = d2i_X509(NULL, &p, (long)der.len), *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    struct cl_x509_cert *out = NULL;
    X509V3_CTX ctx;
    unsigned char *buf = NULL;
    int len;

    assert_non_null(iaca);
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 4242), 1);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"KR", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"No EKU DS", -1, -1,
                               0);
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(iaca)), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)T0));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(T0 + 365 * DAY)));
    assert_int_equal(X509_set_pubkey(x, cl_key_evp(W.ds_key)), 1);
    X509V3_set_ctx(&ctx, iaca, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature");
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
    assert_true(X509_sign(x, cl_key_evp(W.iaca_key), EVP_sha256()) > 0);
    len = i2d_X509(x, &buf);
    assert_true(len > 0);
    assert_int_equal(cl_x509_cert_from_der(cl_bytes_of(buf, (size_t)len), &out, NULL), CL_OK);
    OPENSSL_free(buf);
    X509_NAME_free(name);
    X509_free(x);
    X509_free(iaca);
    return out;
}

static int
setup(void **state)
{
    struct cl_x509_params p;
    struct cl_error err = {0};

    (void)state;
    assert_int_equal(cl_rfc3339_parse(cl_bytes_str("2025-01-01T00:00:00Z"), &T0, NULL, NULL),
                     CL_OK);
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &W.iaca_key, &err), CL_OK);
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &W.ds_key, &err), CL_OK);
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &W.dev, &err), CL_OK);
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &W.reader, &err), CL_OK);
    assert_int_equal(cl_key_generate(CL_CURVE_P256, &W.other_iaca_key, &err), CL_OK);
    cl_x509_params_iaca(&p);
    p.country = "KR";
    p.common_name = "Test IACA";
    p.not_before = T0;
    p.days = 3650;
    assert_int_equal(cl_x509_iaca_make(&p, W.iaca_key, &W.iaca, &err), CL_OK);
    p.common_name = "Other IACA";
    assert_int_equal(cl_x509_iaca_make(&p, W.other_iaca_key, &W.other_iaca, &err), CL_OK);
    cl_x509_params_ds(&p);
    p.country = "KR";
    p.common_name = "Test DS";
    p.not_before = T0;
    p.days = 365;
    assert_int_equal(cl_x509_ds_make(&p, W.iaca, W.iaca_key, W.ds_key, &W.ds, &err), CL_OK);
    cl_x509_list_init(&W.anchors);
    cl_x509_list_init(&W.other_anchors);
    assert_int_equal(cl_x509_list_add(&W.anchors, W.iaca, &err), CL_OK);
    assert_int_equal(cl_x509_list_add(&W.other_anchors, W.other_iaca, &err), CL_OK);
    W.bad_ds = make_ds_without_eku();
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    cl_x509_list_fini(&W.anchors);
    cl_x509_list_fini(&W.other_anchors);
    cl_x509_cert_free(W.iaca);
    cl_x509_cert_free(W.other_iaca);
    cl_x509_cert_free(W.ds);
    cl_x509_cert_free(W.bad_ds);
    cl_key_free(W.iaca_key);
    cl_key_free(W.other_iaca_key);
    cl_key_free(W.ds_key);
    cl_key_free(W.dev);
    cl_key_free(W.reader);
    return 0;
}

enum brk {
    OK_PLAIN,
    OK_MAC,
    OK_KEYAUTH,
    OK_X5CHAIN_ARRAY,
    BRK_DS_PROFILE,
    BRK_ISSUER_SIG,
    BRK_ANCHOR,
    BRK_SIGNED_TIME,
    BRK_DOCTYPE,
    BRK_NOT_YET_VALID,
    BRK_EXPIRED,
    BRK_DIGEST,
    BRK_DIGEST_ID,
    BRK_RANDOM,
    BRK_DEVICE_SIG,
    BRK_DEVICE_MAC,
    BRK_KEYAUTH,
    BRK_NO_TRANSCRIPT,
};

static const struct {
    const char *name;
    enum brk b;
    cl_err want;
    const char *where; /* a part of err.where */
} cases[] = {
    {"device signature", OK_PLAIN, CL_OK, NULL},
    {"device MAC", OK_MAC, CL_OK, NULL},
    {"device-signed element authorised", OK_KEYAUTH, CL_OK, NULL},
    {"x5chain as an array (DS, IACA)", OK_X5CHAIN_ARRAY, CL_OK, NULL},
    {"DS without the mdlDS extended key usage", BRK_DS_PROFILE, CL_ERR_UNTRUSTED, "extKeyUsage"},
    {"issuerAuth signature", BRK_ISSUER_SIG, CL_ERR_SIGNATURE, "issuerAuth"},
    {"chain to an untrusted IACA", BRK_ANCHOR, CL_ERR_UNTRUSTED, "x5chain"},
    {"MSO signed before the DS certificate", BRK_SIGNED_TIME, CL_ERR_EXPIRED, "signed"},
    {"docType differs from the MSO", BRK_DOCTYPE, CL_ERR_POLICY, "docType"},
    {"before validFrom", BRK_NOT_YET_VALID, CL_ERR_EXPIRED, "validFrom"},
    {"after validUntil", BRK_EXPIRED, CL_ERR_EXPIRED, "validUntil"},
    {"element value tampered", BRK_DIGEST, CL_ERR_DIGEST, NS ".given_name_en"},
    {"digestID not in the MSO", BRK_DIGEST_ID, CL_ERR_DIGEST, NS},
    {"random shorter than 16 bytes", BRK_RANDOM, CL_ERR_INPUT, NS},
    {"device signature over another transcript", BRK_DEVICE_SIG, CL_ERR_SIGNATURE,
     "deviceSignature"},
    {"device MAC with another reader key", BRK_DEVICE_MAC, CL_ERR_SIGNATURE, "deviceMac"},
    {"device-signed element not authorised", BRK_KEYAUTH, CL_ERR_POLICY, "deviceSigned"},
    {"no session transcript", BRK_NO_TRANSCRIPT, CL_ERR_MISSING, "deviceAuth"},
};

static uint8_t *
find(struct cl_buf *b, const char *s)
{
    size_t n = strlen(s);

    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->ptr + i, s, n) == 0)
            return b->ptr + i;
    return NULL;
}

static struct cl_cbor *
text(struct cl_arena *a, const char *s)
{
    return cl_cbor_new_cstr(a, s);
}

/* Issue, present and verify, breaking one thing as `b` says. */
static cl_err
run(struct cl_arena *a, enum brk b, struct cl_mdoc_verified **v, size_t *n, struct cl_error *err)
{
    struct cl_mdoc_issue_elem elems[5];
    struct cl_mdoc_issue_params ip;
    struct cl_mdoc_present_params pp;
    struct cl_mdoc_verify_opts vo;
    struct cl_mdoc_issuer_signed cred;
    struct cl_mdoc_transcript t, t2;
    struct cl_mdoc_sel sel[3];
    struct cl_bytes x5[2] = {cl_x509_cert_der(b == BRK_DS_PROFILE ? W.bad_ds : W.ds),
                             cl_x509_cert_der(W.iaca)};
    struct cl_bytes doctype;
    struct cl_buf cb, rb, tb, tb2;
    struct cl_cbor *ka = NULL, *dns = NULL;
    struct cl_key *wrong = NULL;
    cl_err rc;

    cl_buf_init(&cb);
    cl_buf_init(&rb);
    cl_buf_init(&tb);
    cl_buf_init(&tb2);
    elems[0] = (struct cl_mdoc_issue_elem){NS, "family_name_ko", text(a, "홍")};
    elems[1] = (struct cl_mdoc_issue_elem){NS, "given_name_en", text(a, "Gildong")};
    elems[2] = (struct cl_mdoc_issue_elem){
        NS, "birth_date", cl_cbor_new_tag(a, CL_CBOR_TAG_FULLDATE, text(a, "1990-01-01"))};
    elems[3] = (struct cl_mdoc_issue_elem){NS, "age_over_19", cl_cbor_new_bool(a, true)};
    elems[4] = (struct cl_mdoc_issue_elem){NS, "age_over_65", cl_cbor_new_bool(a, false)};
    memset(&ip, 0, sizeof ip);
    ip.doctype = DT;
    ip.elems = elems;
    ip.n_elems = CL_ARRAY_LEN(elems);
    ip.ds_key = W.ds_key;
    ip.x5chain = x5;
    ip.n_x5chain = b == OK_X5CHAIN_ARRAY ? 2 : 1;
    ip.device_key = W.dev;
    ip.signed_at = b == BRK_SIGNED_TIME ? T0 - DAY : T0 + DAY;
    ip.valid_from = T0 + DAY;
    ip.valid_until = T0 + 200 * DAY;
    ip.status_uri = "https://status.example/1";
    ip.status_idx = 42;
    ip.random_len = b == BRK_RANDOM ? 8 : 0;
    if (b == OK_KEYAUTH) {
        struct cl_cbor *arr = cl_cbor_new_array(a);

        ka = cl_cbor_new_map(a);
        assert_int_equal(cl_cbor_array_push(a, arr, text(a, NS)), CL_OK);
        assert_int_equal(cl_cbor_map_put(a, ka, text(a, "nameSpaces"), arr), CL_OK);
        ip.key_auth = ka;
    }
    rc = cl_mdoc_issue(a, &ip, &cb, err);
    assert_int_equal(rc, CL_OK);
    rc = cl_mdoc_credential_parse(a, cl_arena_copy(a, cl_buf_bytes(&cb)), NULL, &doctype, &cred,
                                  err);
    assert_int_equal(rc, CL_OK);
    assert_true(cl_bytes_eq_str(doctype, DT));
    assert_int_equal(cl_mdoc_transcript_make_test(cl_bytes_str("n-1"), &tb, err), CL_OK);
    assert_int_equal(cl_mdoc_transcript_read(a, cl_arena_copy(a, cl_buf_bytes(&tb)), &t, err),
                     CL_OK);
    assert_int_equal(cl_mdoc_transcript_make_test(cl_bytes_str("n-2"), &tb2, err), CL_OK);
    assert_int_equal(cl_mdoc_transcript_read(a, cl_arena_copy(a, cl_buf_bytes(&tb2)), &t2, err),
                     CL_OK);
    sel[0] = (struct cl_mdoc_sel){cl_bytes_str(NS), cl_bytes_str("given_name_en")};
    sel[1] = (struct cl_mdoc_sel){cl_bytes_str(NS), cl_bytes_str("age_over_19")};
    sel[2] = (struct cl_mdoc_sel){cl_bytes_str(NS), cl_bytes_str("not_held")};
    memset(&pp, 0, sizeof pp);
    pp.doctype = b == BRK_DOCTYPE ? cl_bytes_str("org.example.other") : doctype;
    pp.cred = &cred;
    pp.sel = sel;
    pp.n_sel = CL_ARRAY_LEN(sel);
    pp.device_key = W.dev;
    pp.transcript = &t;
    if (b == OK_MAC || b == BRK_DEVICE_MAC)
        pp.reader_pub = W.reader;
    if (b == OK_KEYAUTH || b == BRK_KEYAUTH) {
        struct cl_cbor *inner = cl_cbor_new_map(a);

        dns = cl_cbor_new_map(a);
        assert_int_equal(cl_cbor_map_put(a, inner, text(a, "nickname"), text(a, "gd")), CL_OK);
        assert_int_equal(cl_cbor_map_put(a, dns, text(a, NS), inner), CL_OK);
        pp.device_ns = dns;
    }
    rc = cl_mdoc_present(a, &pp, &rb, err);
    assert_int_equal(rc, CL_OK);
    if (b == BRK_ISSUER_SIG) {
        struct cl_mdoc_response r;

        assert_int_equal(cl_mdoc_response_parse(a, cl_buf_bytes(&rb), NULL, &r, err), CL_OK);
        rb.ptr[r.docs[0].issuer.auth.signature.ptr - rb.ptr + 5] ^= 1;
    }
    if (b == BRK_DIGEST) {
        uint8_t *p = find(&rb, "Gildong");

        assert_non_null(p);
        p[0] = 'H';
    }
    if (b == BRK_DIGEST_ID) {
        uint8_t *p = find(&rb, "digestID");
        size_t last;

        assert_non_null(p);
        last = p[8] < 0x18 ? 8 : p[8] == 0x18 ? 9 : p[8] == 0x19 ? 10 : 12;
        p[last] ^= 1;
    }
    memset(&vo, 0, sizeof vo);
    vo.anchors = b == BRK_ANCHOR ? &W.other_anchors : &W.anchors;
    vo.at = b == BRK_NOT_YET_VALID ? T0 + DAY - 1
            : b == BRK_EXPIRED     ? T0 + 200 * DAY + 1
                                   : T0 + 30 * DAY;
    vo.transcript = b == BRK_DEVICE_SIG ? &t2 : b == BRK_NO_TRANSCRIPT ? NULL : &t;
    if (b == BRK_DEVICE_MAC) {
        assert_int_equal(cl_key_generate(CL_CURVE_P256, &wrong, err), CL_OK);
        vo.reader_key = wrong;
    } else {
        vo.reader_key = W.reader;
    }
    rc = cl_mdoc_verify(a, cl_arena_copy(a, cl_buf_bytes(&rb)), &vo, v, n, err);
    cl_key_free(wrong);
    cl_buf_fini(&cb);
    cl_buf_fini(&rb);
    cl_buf_fini(&tb);
    cl_buf_fini(&tb2);
    return rc;
}

static void
test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(cases); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_mdoc_verified *v = NULL;
        size_t n = 0;

        cl_arena_init(&a, 0, 0, 0);
        cl_test_expect(cases[i].name, run(&a, cases[i].b, &v, &n, &err), cases[i].want, &err);
        if (cases[i].want == CL_OK) {
            assert_int_equal(n, 1);
            /* exactly what was asked and held: given_name_en and age_over_19 */
            assert_int_equal(v[0].n_claims, 2);
            assert_true(v[0].has_status);
            assert_int_equal(v[0].status_idx, 42);
            assert_true(cl_bytes_eq_str(v[0].status_uri, "https://status.example/1"));
            assert_string_equal(v[0].issuer_country, "KR");
            assert_int_equal(v[0].n_device_claims, cases[i].b == OK_KEYAUTH ? 1 : 0);
        } else {
            assert_null(v);
            if (strstr(err.where, cases[i].where) == NULL)
                fail_msg("%s: where \"%s\" does not name \"%s\"", cases[i].name, err.where,
                         cases[i].where);
        }
        cl_arena_fini(&a);
    }
}

/* MSO rows: "SHA-1" is refused at the digestAlgorithm; hex rows are #6.24(<<{...}>>) */
static const struct {
    const char *name;
    const char *hex;
    cl_err want;
} mso_rows[] = {
    /* 24(<<{"version": "1.0", "digestAlgorithm": "SHA-1"}>>) */
    {"digestAlgorithm SHA-1",
     "d818 58 23 a2 6776657273696f6e 63312e30 6f646967657374416c676f726974686d 65534841 2d31",
     CL_ERR_UNSUPPORTED},
    /* 24(<<{"version": "2.0"}>>) */
    {"version 2.0", "d818 4d a1 6776657273696f6e 63322e30", CL_ERR_UNSUPPORTED},
    {"not tag 24", "a0", CL_ERR_INPUT},
};

static void
test_mso_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < CL_ARRAY_LEN(mso_rows); i++) {
        struct cl_arena a;
        struct cl_error err = {0};
        struct cl_mdoc_mso mso;

        cl_arena_init(&a, 0, 0, 0);
        cl_test_expect(
            mso_rows[i].name,
            cl_mdoc_mso_parse(&a, cl_test_hex(&a, mso_rows[i].hex), NULL, &mso, NULL, &err),
            mso_rows[i].want, &err);
        cl_arena_fini(&a);
    }
}

static void
test_request_roundtrip(void **state)
{
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_buf b;
    struct cl_mdoc_request r;
    struct cl_mdoc_sel sel[2] = {{{(const uint8_t *)NS, sizeof NS - 1}, {(const uint8_t *)"a", 1}},
                                 {{(const uint8_t *)NS, sizeof NS - 1}, {(const uint8_t *)"b", 1}}};

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&b);
    assert_int_equal(cl_mdoc_request_make(DT, sel, 2, true, &b, &err), CL_OK);
    cl_test_expect("parse", cl_mdoc_request_parse(&a, cl_buf_bytes(&b), NULL, &r, &err), CL_OK,
                   &err);
    assert_int_equal(r.n_docs, 1);
    assert_int_equal(r.docs[0].n_elems, 2);
    assert_true(r.docs[0].elems[0].intent_to_retain);
    assert_false(r.docs[0].has_reader_auth);
    cl_buf_fini(&b);
    cl_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_mso_rows),
        cmocka_unit_test(test_request_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
