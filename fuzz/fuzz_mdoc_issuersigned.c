/*
 * fuzz_mdoc_issuersigned.c - the credential file {"docType", "issuerSigned"} and a bare
 * IssuerSigned on arbitrary bytes: no crash, no leak, item bytes inside the input.
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

static void
check(const struct cl_mdoc_issuer_signed *is, const uint8_t *data, size_t size)
{
    if (!inside(is->auth_raw, data, size) || is->mso.device_key == NULL ||
        is->mso.valid_until <= is->mso.valid_from)
        abort();
    for (size_t j = 0; j < is->n_ns; j++)
        for (size_t k = 0; k < is->ns[j].n; k++)
            if (!inside(is->ns[j].items[k].bytes, data, size) || is->ns[j].items[k].value == NULL)
                abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    struct cl_mdoc_issuer_signed is;
    const struct cl_cbor *item;
    struct cl_bytes dt;
    struct cl_arena a;

    lim.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    lim.max_depth = 16;
    lim.max_items = 4096;
    cl_arena_init(&a, 4096, 1 << 22, 0);
    if (cl_mdoc_credential_parse(&a, cl_bytes_of(data, size), &lim, &dt, &is, NULL) == CL_OK)
        check(&is, data, size);
    if (cl_cbor_decode(&a, cl_bytes_of(data, size), &lim, &item, NULL) == CL_OK &&
        cl_mdoc_issuer_signed_parse(&a, item, &lim, &is, NULL) == CL_OK)
        check(&is, data, size);
    cl_arena_fini(&a);
    return 0;
}
