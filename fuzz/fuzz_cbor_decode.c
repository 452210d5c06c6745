/*
 * fuzz_cbor_decode.c - cl_cbor_decode() on arbitrary bytes, with small limits. On success:
 * the root's raw bytes are the input, encoding with raw gives the input back, diagnostic
 * notation works, and re-encoding from the values is deterministic and stable; an input the
 * deterministic mode accepts re-encodes from its values to itself (RFC 8949 §4.2.1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/arena.h"
#include "cardless/cbor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct cl_cbor *item, struct cl_bytes in, const struct cl_cbor_limits *det)
{
    struct cl_arena a;
    struct cl_buf b, c;
    const struct cl_cbor *again;
    bool is_det;

    cl_arena_init(&a, 4096, 1 << 24, 0);
    cl_buf_init(&b);
    cl_buf_init(&c);
    if (!cl_bytes_eq(item->raw, in) || item->offset != 0)
        abort();
    if (cl_cbor_encode(&b, item, 0, NULL) != CL_OK || !cl_bytes_eq(cl_buf_bytes(&b), in))
        abort();
    cl_buf_reset(&b);
    if (cl_cbor_diag(&b, item, CL_CBOR_DIAG_EXPAND_EMBEDDED | CL_CBOR_DIAG_PRETTY, NULL) != CL_OK)
        abort();
    cl_buf_reset(&b);
    /* from the values: duplicates by value (1 and 0x1801) may appear only now */
    if (cl_cbor_encode(&b, item, CL_CBOR_ENC_IGNORE_RAW, NULL) == CL_OK) {
        if (cl_cbor_decode(&a, cl_buf_bytes(&b), det, &again, NULL) != CL_OK ||
            cl_cbor_encode(&c, again, CL_CBOR_ENC_IGNORE_RAW, NULL) != CL_OK ||
            !cl_bytes_eq(cl_buf_bytes(&b), cl_buf_bytes(&c)))
            abort();
    }
    is_det = cl_cbor_decode(&a, in, det, &again, NULL) == CL_OK;
    if (is_det) {
        cl_buf_reset(&c);
        if (cl_cbor_encode(&c, again, CL_CBOR_ENC_IGNORE_RAW, NULL) != CL_OK ||
            !cl_bytes_eq(cl_buf_bytes(&c), in))
            abort();
    }
    cl_buf_fini(&c);
    cl_buf_fini(&b);
    cl_arena_fini(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_arena a;
    struct cl_cbor_limits lim = {1 << 16, 16, 4096, 0};
    struct cl_cbor_limits det = lim;
    const struct cl_cbor *item;
    struct cl_bytes in = cl_bytes_of(data, size);
    size_t used;

    det.max_depth = 16 * 2; /* the values' encoding may nest embedded items no deeper */
    det.flags = CL_CBOR_REQUIRE_DETERMINISTIC;
    cl_arena_init(&a, 4096, 1 << 24, 0); /* limits in the harness: bugs, not timeouts */
    if (cl_cbor_decode(&a, in, &lim, &item, NULL) == CL_OK)
        check(item, in, &det);
    if (cl_cbor_decode_prefix(&a, in, &lim, &item, &used, NULL) == CL_OK &&
        (used == 0 || used > size || !cl_bytes_eq(item->raw, cl_bytes_of(data, used))))
        abort();
    cl_arena_fini(&a);
    return 0;
}
