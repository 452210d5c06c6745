/*
 * fuzz_mdoc_mso.c - MobileSecurityObjectBytes (#6.24(bstr .cbor MSO)) on arbitrary bytes: no
 * crash, no leak, and a parsed MSO that keeps its invariants.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cardless/mdoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    struct cl_mdoc_mso mso;
    struct cl_arena a;

    lim.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    lim.max_depth = 16;
    lim.max_items = 4096;
    cl_arena_init(&a, 4096, 1 << 22, 0);
    if (cl_mdoc_mso_parse(&a, cl_bytes_of(data, size), &lim, &mso, NULL, NULL) == CL_OK) {
        if (mso.device_key == NULL || mso.n_ns == 0 || cl_hash_len(mso.digest_alg) == 0 ||
            mso.valid_until <= mso.valid_from)
            abort();
        for (size_t i = 0; i < mso.n_ns; i++)
            for (size_t j = 0; j < mso.ns[i].n; j++)
                if (mso.ns[i].digests[j].len != cl_hash_len(mso.digest_alg))
                    abort();
    }
    cl_arena_fini(&a);
    return 0;
}
