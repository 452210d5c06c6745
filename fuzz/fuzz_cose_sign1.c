/*
 * fuzz_cose_sign1.c - COSE_Sign1 decoding, header access and verification on arbitrary
 * bytes: no crash, no leak, and a decoded message's views stay inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cardless/cose.h"

static const uint8_t vx[32] = {0xba, 0xc5, 0xb1, 0x1c, 0xad, 0x8f, 0x99, 0xf9, 0xc7, 0x2b, 0x05,
                               0xcf, 0x4b, 0x9e, 0x26, 0xd2, 0x44, 0xdc, 0x18, 0x9f, 0x74, 0x52,
                               0x28, 0x25, 0x5a, 0x21, 0x9a, 0x86, 0xd6, 0xa0, 0x9e, 0xff};
static const uint8_t vy[32] = {0x20, 0x13, 0x8b, 0xf8, 0x2d, 0xc1, 0xb6, 0xd5, 0x62, 0xbe, 0x0f,
                               0xa5, 0x4a, 0xb7, 0x80, 0x4a, 0x3a, 0x64, 0xb6, 0xd7, 0x2c, 0xcf,
                               0xed, 0x6b, 0x6f, 0xb6, 0xed, 0x28, 0xbb, 0xfc, 0x11, 0x7e};

static bool
inside(struct cl_bytes v, const uint8_t *data, size_t size)
{
    return v.ptr == NULL ||
           (v.ptr >= data && v.len <= size && v.ptr - data <= (long)(size - v.len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct cl_key *key; /* the cose-wg examples' P-256 key, made once */
    static const int64_t algs[] = {CL_COSE_ALG_ES256, CL_COSE_ALG_ES384, CL_COSE_ALG_ES512};
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    struct cl_cose_verify_opts o = {0};
    struct cl_bytes detached = cl_bytes_str("This is the content.");
    struct cl_arena a;
    cl_err rc = CL_OK;
    struct cl_cose_msg m;
    struct cl_bytes kid, *certs;
    size_t n;
    int64_t alg;

    if (key == NULL && cl_key_from_coords(CL_CURVE_P256, cl_bytes_of(vx, 32), cl_bytes_of(vy, 32),
                                          cl_bytes_of(NULL, 0), &key, NULL) != CL_OK)
        abort();
    lim.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    lim.max_depth = 16;
    lim.max_items = 4096;
    o.algs = algs;
    o.n_algs = 3;
    o.flags = CL_COSE_ALG_UNPROTECTED_OK;
    cl_arena_init(&a, 4096, 1 << 20, 0);
    if (cl_cose_decode(&a, cl_bytes_of(data, size), CL_COSE_SIGN1, CL_COSE_ACCEPT_UNTAGGED, &lim,
                       &m, NULL) == CL_OK) {
        if (!inside(m.signature, data, size) || m.protected_h == NULL ||
            m.protected_h->type != CL_CBOR_MAP || m.unprotected->type != CL_CBOR_MAP ||
            (m.detached && m.payload.ptr != NULL))
            abort();
        rc = cl_cose_header_alg(&m, CL_COSE_ALG_UNPROTECTED_OK, &alg, NULL);
        rc = cl_cose_header_kid(&m, &kid, NULL);
        if (cl_cose_header_x5chain(&a, &m, &certs, &n, NULL) == CL_OK && (n == 0 || n > 8))
            abort();
        o.detached = m.detached ? &detached : NULL;
        rc = cl_cose_sign1_verify(&m, key, &o, NULL);
    }
    cl_arena_fini(&a);
    (void)rc; /* the verdict does not matter here, only that there is one */
    return 0;
}
