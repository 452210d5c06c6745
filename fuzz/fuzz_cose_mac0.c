/*
 * fuzz_cose_mac0.c - COSE_Mac0 decoding and verification on arbitrary bytes, and COSE_Key
 * decoding of the same bytes: no crash, no leak.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cardless/cose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int64_t algs[] = {CL_COSE_ALG_HMAC256_64, CL_COSE_ALG_HMAC256, CL_COSE_ALG_HMAC384,
                                   CL_COSE_ALG_HMAC512};
    /* the cose-wg examples' 256-bit key "our-secret" */
    static const uint8_t k[32] = {0x84, 0x9b, 0x57, 0x21, 0x9d, 0xae, 0x48, 0xde, 0x64, 0x6d, 0x07,
                                  0xdb, 0xb5, 0x33, 0x56, 0x6e, 0x97, 0x66, 0x86, 0x45, 0x7c, 0x14,
                                  0x91, 0xbe, 0x3a, 0x76, 0xdc, 0xea, 0x6c, 0x42, 0x71, 0x88};
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    struct cl_cose_verify_opts o = {0};
    struct cl_bytes detached = cl_bytes_str("This is the content.");
    struct cl_arena a;
    cl_err rc = CL_OK;
    struct cl_cose_msg m;
    struct cl_key *key = NULL;

    lim.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    lim.max_depth = 16;
    lim.max_items = 4096;
    o.algs = algs;
    o.n_algs = 4;
    o.flags = CL_COSE_ALG_UNPROTECTED_OK;
    cl_arena_init(&a, 4096, 1 << 20, 0);
    if (cl_cose_decode(&a, cl_bytes_of(data, size), CL_COSE_MAC0, CL_COSE_ACCEPT_UNTAGGED, &lim, &m,
                       NULL) == CL_OK) {
        if (m.protected_h == NULL || m.unprotected == NULL || (m.detached && m.payload.ptr))
            abort();
        o.detached = m.detached ? &detached : NULL;
        rc = cl_cose_mac0_verify(&m, cl_bytes_of(k, sizeof k), &o, NULL);
    }
    cl_arena_fini(&a);
    (void)rc; /* the verdict does not matter here, only that there is one */
    if (cl_cose_key_decode(cl_bytes_of(data, size), &key, NULL) == CL_OK && key == NULL)
        abort();
    cl_key_free(key);
    return 0;
}
