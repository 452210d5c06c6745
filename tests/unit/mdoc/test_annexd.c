/* test_annexd.c - ISO/IEC 18013-5 Annex D vectors: the DeviceResponse (device MAC) verifies
 * inside its certificates' validity and is expired now; the DeviceRequest parses and its
 * readerAuth verifies. */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "cardless/mdoc.h"
#include "cardless/time.h"

#define D "iso18013-5-annex-d/"

struct fixture {
    struct cl_arena a;
    struct cl_x509_list anchors;
    struct cl_mdoc_transcript t;
    struct cl_key *reader;
    struct cl_bytes resp;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct cl_error err = {0};

    cl_arena_init(&f->a, 0, 0, 0);
    cl_x509_list_init(&f->anchors);
    assert_int_equal(
        cl_x509_list_read(cl_test_vector(&f->a, D "iaca-cert.pem"), 4, &f->anchors, &err), CL_OK);
    assert_int_equal(
        cl_mdoc_transcript_read(&f->a, cl_test_vector(&f->a, D "session-transcript-bytes.cbor"),
                                &f->t, &err),
        CL_OK);
    assert_int_equal(cl_key_from_pem(cl_test_vector(&f->a, D "ereader-key.pem"), &f->reader, &err),
                     CL_OK);
    f->resp = cl_test_vector(&f->a, D "device-response.cbor");
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    cl_key_free(f->reader);
    cl_x509_list_fini(&f->anchors);
    cl_arena_fini(&f->a);
    free(f);
    return 0;
}

static int64_t
at(const char *s)
{
    int64_t t = 0;

    assert_int_equal(cl_rfc3339_parse(cl_bytes_str(s), &t, NULL, NULL), CL_OK);
    return t;
}

static const struct cl_mdoc_claim *
claim(const struct cl_mdoc_verified *v, const char *elem)
{
    for (size_t i = 0; i < v->n_claims; i++)
        if (cl_bytes_eq_str(v->claims[i].element_id, elem))
            return &v->claims[i];
    return NULL;
}

static void
test_response_verifies_in_2021(void **state)
{
    struct fixture *f = *state;
    struct cl_mdoc_verify_opts o = {0};
    struct cl_mdoc_verified *v = NULL;
    struct cl_error err = {0};
    size_t n = 0;
    const struct cl_mdoc_claim *c;

    o.anchors = &f->anchors;
    o.at = at("2021-01-01T00:00:00Z");
    o.transcript = &f->t;
    o.reader_key = f->reader;
    cl_test_expect("annex d at 2021-01-01", cl_mdoc_verify(&f->a, f->resp, &o, &v, &n, &err), CL_OK,
                   &err);
    assert_int_equal(n, 1);
    assert_true(cl_bytes_eq_str(v[0].doctype, "org.iso.18013.5.1.mDL"));
    assert_int_equal(v[0].n_claims, 6);
    c = claim(&v[0], "family_name");
    assert_non_null(c);
    assert_true(cl_bytes_eq_str(c->ns, "org.iso.18013.5.1"));
    assert_true(c->value->type == CL_CBOR_TEXT && cl_bytes_eq_str(c->value->v.str, "Doe"));
    assert_non_null(claim(&v[0], "portrait"));
    assert_non_null(claim(&v[0], "driving_privileges"));
    assert_string_equal(v[0].issuer_country, "US");
    assert_int_equal(v[0].valid_from, at("2020-10-01T13:30:02Z"));
    assert_int_equal(v[0].valid_until, at("2021-10-01T13:30:02Z"));
}

static void
test_response_with_cache_and_array_transcript(void **state)
{
    struct fixture *f = *state;
    struct cl_mdoc_verify_opts o = {0};
    struct cl_mdoc_verified *v = NULL;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_trust *trust = NULL;
    struct cl_error err = {0};
    size_t n = 0;

    assert_int_equal(cl_mdoc_transcript_read(
                         &f->a, cl_test_vector(&f->a, D "session-transcript.cbor"), &t, &err),
                     CL_OK);
    assert_true(cl_bytes_eq(t.st_bytes, f->t.st_bytes)); /* rebuilt tag 24 equals the vector */
    assert_int_equal(cl_mdoc_trust_new(&f->anchors, &trust, &err), CL_OK);
    o.trust = trust;
    o.transcript = &t;
    o.reader_key = f->reader;
    for (int i = 0; i < 3; i++) { /* miss, hit, hit */
        o.at = at("2021-01-01T00:00:00Z") + i * 86400;
        cl_test_expect("cached", cl_mdoc_verify(&f->a, f->resp, &o, &v, &n, &err), CL_OK, &err);
    }
    /* outside the cached window the chain is validated again and refused */
    o.at = at("2022-01-01T00:00:00Z");
    cl_test_expect("cached, expired DS", cl_mdoc_verify(&f->a, f->resp, &o, &v, &n, &err),
                   CL_ERR_EXPIRED, &err);
    assert_null(v);
    cl_mdoc_trust_free(trust);
}

static const struct {
    const char *name;
    const char *at;
    bool reader_key;
    bool transcript;
    cl_err want;
} neg[] = {
    {"expired now (DS certificate)", NULL, true, true, CL_ERR_EXPIRED},
    {"before the MSO validFrom", "2020-10-01T12:00:00Z", true, true, CL_ERR_EXPIRED},
    {"no reader key for the device MAC", "2021-01-01T00:00:00Z", false, true, CL_ERR_MISSING},
    {"no session transcript", "2021-01-01T00:00:00Z", true, false, CL_ERR_MISSING},
};

static void
test_response_negative(void **state)
{
    struct fixture *f = *state;

    for (size_t i = 0; i < CL_ARRAY_LEN(neg); i++) {
        struct cl_mdoc_verify_opts o = {0};
        struct cl_mdoc_verified *v = NULL;
        struct cl_error err = {0};
        size_t n = 0;

        o.anchors = &f->anchors;
        o.at = neg[i].at != NULL ? at(neg[i].at) : cl_now();
        o.transcript = neg[i].transcript ? &f->t : NULL;
        o.reader_key = neg[i].reader_key ? f->reader : NULL;
        cl_test_expect(neg[i].name, cl_mdoc_verify(&f->a, f->resp, &o, &v, &n, &err), neg[i].want,
                       &err);
        assert_null(v);
    }
}

static void
test_wrong_transcript_fails_mac(void **state)
{
    struct fixture *f = *state;
    struct cl_mdoc_verify_opts o = {0};
    struct cl_mdoc_verified *v = NULL;
    struct cl_mdoc_transcript t;
    struct cl_buf b;
    struct cl_error err = {0};
    size_t n = 0;

    cl_buf_init(&b);
    assert_int_equal(cl_mdoc_transcript_make_test(cl_bytes_str("nonce"), &b, &err), CL_OK);
    assert_int_equal(
        cl_mdoc_transcript_read(&f->a, cl_arena_copy(&f->a, cl_buf_bytes(&b)), &t, &err), CL_OK);
    o.anchors = &f->anchors;
    o.at = at("2021-01-01T00:00:00Z");
    o.transcript = &t;
    o.reader_key = f->reader;
    cl_test_expect("another transcript", cl_mdoc_verify(&f->a, f->resp, &o, &v, &n, &err),
                   CL_ERR_SIGNATURE, &err);
    assert_non_null(strstr(err.where, "deviceMac"));
    cl_buf_fini(&b);
}

static void
test_device_request(void **state)
{
    struct fixture *f = *state;
    struct cl_mdoc_request r;
    struct cl_x509_list roots;
    struct cl_error err = {0};

    cl_test_expect("parse",
                   cl_mdoc_request_parse(&f->a, cl_test_vector(&f->a, D "device-request.cbor"),
                                         NULL, &r, &err),
                   CL_OK, &err);
    assert_int_equal(r.n_docs, 1);
    assert_true(cl_bytes_eq_str(r.docs[0].doctype, "org.iso.18013.5.1.mDL"));
    assert_int_equal(r.docs[0].n_elems, 6);
    assert_true(r.docs[0].has_reader_auth);
    {
        /* ItemsRequestBytes as received: tag 24 and bstr head around the published ItemsRequest */
        struct cl_bytes irb = r.docs[0].items_request_bytes;
        struct cl_bytes ir = cl_test_vector(&f->a, D "items-request.cbor");

        assert_true(irb.len > ir.len);
        assert_memory_equal(irb.ptr + irb.len - ir.len, ir.ptr, ir.len);
    }
    cl_x509_list_init(&roots);
    assert_int_equal(
        cl_x509_list_read(cl_test_vector(&f->a, D "reader-root-cert.pem"), 4, &roots, &err), CL_OK);
    cl_test_expect("readerAuth",
                   cl_mdoc_reader_auth_verify(&f->a, &r.docs[0], &f->t, &roots,
                                              at("2021-01-01T00:00:00Z"), &err),
                   CL_OK, &err);
    cl_test_expect("readerAuth expired",
                   cl_mdoc_reader_auth_verify(&f->a, &r.docs[0], &f->t, &roots, cl_now(), &err),
                   CL_ERR_EXPIRED, &err);
    cl_x509_list_fini(&roots);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_response_verifies_in_2021, setup, teardown),
        cmocka_unit_test_setup_teardown(test_response_with_cache_and_array_transcript, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_response_negative, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_transcript_fails_mac, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_request, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
