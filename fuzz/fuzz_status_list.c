/* fuzz_status_list.c - status list decoding: cl_status_list_inflate on raw ZLIB (the first
 * byte picks bits), cl_status_list_decode_json and cl_status_list_decode_cbor on the whole
 * input, under a small cap so that decompression bombs stop at it. */
#include <stdlib.h>

#include "cardless/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP (1u << 16)

static void
invariants(const struct cl_status_list *l)
{
    unsigned v;

    if (l->lst.len == 0 || l->lst.len > CAP || l->count != (uint64_t)l->lst.len * 8 / l->bits ||
        cl_status_list_get(l, l->count - 1, &v, NULL) != CL_OK || v >= (1u << l->bits) ||
        cl_status_list_get(l, l->count, &v, NULL) == CL_OK)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned bits[4] = {1, 2, 4, 8};
    struct cl_arena a;
    struct cl_status_list list;

    cl_arena_init(&a, 4096, 1 << 22, 0); /* limits in the harness: bugs, not timeouts */
    if (size > 0 &&
        cl_status_list_inflate(&a, bits[data[0] & 3], cl_bytes_of(data + 1, size - 1), CAP, &list,
                               NULL) == CL_OK)
        invariants(&list);
    if (cl_status_list_decode_json(&a, cl_bytes_of(data, size), CAP, &list, NULL) == CL_OK)
        invariants(&list);
    if (cl_status_list_decode_cbor(&a, cl_bytes_of(data, size), CAP, &list, NULL) == CL_OK)
        invariants(&list);
    cl_arena_fini(&a);
    return 0;
}
