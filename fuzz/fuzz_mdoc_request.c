/*
 * fuzz_mdoc_request.c - DeviceRequest parsing and readerAuth verification on arbitrary bytes:
 * no crash, no leak, parsed views inside the input.
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
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    struct cl_mdoc_transcript t;
    struct cl_mdoc_request r;
    struct cl_arena a;
    cl_err rc = CL_OK;

    lim.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    lim.max_depth = 16;
    lim.max_items = 4096;
    cl_arena_init(&a, 4096, 1 << 22, 0);
    if (cl_mdoc_transcript_read(&a, cl_bytes_of(st, sizeof st), &t, NULL) != CL_OK)
        abort();
    if (cl_mdoc_request_parse(&a, cl_bytes_of(data, size), &lim, &r, NULL) == CL_OK) {
        if (r.n_docs == 0 || r.n_docs > CL_MDOC_MAX_DOCS)
            abort();
        for (size_t i = 0; i < r.n_docs; i++) {
            if (!inside(r.docs[i].items_request_bytes, data, size))
                abort();
            for (size_t j = 0; j < r.docs[i].n_elems; j++)
                if (!inside(r.docs[i].elems[j].element_id, data, size))
                    abort();
            if (r.docs[i].has_reader_auth)
                rc = cl_mdoc_reader_auth_verify(&a, &r.docs[i], &t, NULL, 1700000000, NULL);
        }
    }
    cl_arena_fini(&a);
    (void)rc; /* the verdict does not matter here, only that there is one */
    return 0;
}
