/*
 * fuzz_mdoc_response.c - DeviceResponse parsing and verification on arbitrary bytes: no crash,
 * no leak, parsed views inside the input, and a verifier that never accepts a document
 * without an anchor it could chain to.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cardless/mdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
inside(struct cl_bytes v, const uint8_t *data, size_t size)
{
    return v.ptr == NULL ||
           (v.ptr >= data && v.len <= size && v.ptr - data <= (long)(size - v.len));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t st[] = {0x83, 0xf6, 0xf6, 0xf6}; /* [null, null, null] */
    static struct cl_key *iaca_key, *reader;
    static struct cl_x509_cert *iaca;
    static struct cl_x509_list anchors;
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    struct cl_mdoc_verify_opts o = {0};
    struct cl_mdoc_transcript t;
    struct cl_mdoc_response r;
    struct cl_mdoc_verified *v = NULL;
    struct cl_arena a;

    if (iaca == NULL) { /* an anchor no input can chain to: verification must always fail */
        struct cl_x509_params p;

        cl_x509_params_iaca(&p);
        p.country = "KR";
        p.common_name = "fuzz IACA";
        if (cl_key_generate(CL_CURVE_P256, &iaca_key, NULL) != CL_OK ||
            cl_key_generate(CL_CURVE_P256, &reader, NULL) != CL_OK ||
            cl_x509_iaca_make(&p, iaca_key, &iaca, NULL) != CL_OK)
            abort();
        cl_x509_list_init(&anchors);
        if (cl_x509_list_add(&anchors, iaca, NULL) != CL_OK)
            abort();
    }
    lim.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    lim.max_depth = 16;
    lim.max_items = 4096;
    cl_arena_init(&a, 4096, 1 << 22, 0);
    if (cl_mdoc_transcript_read(&a, cl_bytes_of(st, sizeof st), &t, NULL) != CL_OK)
        abort();
    if (cl_mdoc_response_parse(&a, cl_bytes_of(data, size), &lim, &r, NULL) == CL_OK) {
        for (size_t i = 0; i < r.n_docs; i++) {
            if (!inside(r.docs[i].doctype, data, size) ||
                !inside(r.docs[i].issuer.auth_raw, data, size) ||
                r.docs[i].issuer.mso.device_key == NULL)
                abort();
            for (size_t j = 0; j < r.docs[i].issuer.n_ns; j++)
                for (size_t k = 0; k < r.docs[i].issuer.ns[j].n; k++)
                    if (!inside(r.docs[i].issuer.ns[j].items[k].bytes, data, size))
                        abort();
        }
        o.anchors = &anchors;
        o.at = 1700000000;
        o.transcript = &t;
        o.reader_key = reader;
        o.lim = &lim;
        if (cl_mdoc_response_verify(&a, &r, &o, &v, NULL) == CL_OK)
            abort();
    }
    cl_arena_fini(&a);
    return 0;
}
