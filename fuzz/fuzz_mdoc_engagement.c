/*
 * fuzz_mdoc_engagement.c - DeviceEngagement parsing (ISO/IEC 18013-5 §8.2.1.1) and the "mdoc:"
 * URI on arbitrary bytes: no crash, no leak; on success the raw bytes are the input, the key
 * is the one embedded, and the URI round-trips.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/mdoc_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_bytes in = cl_bytes_of(data, size), back;
    struct cl_mdoc_engagement e;
    struct cl_arena a;
    struct cl_buf uri;

    cl_arena_init(&a, 4096, 1 << 20, 0); /* limits in the harness: bugs, not timeouts */
    cl_buf_init(&uri);
    if (cl_mdoc_engagement_parse(&a, in, NULL, &e, NULL) == CL_OK) {
        if (!cl_bytes_eq(e.raw, in) || e.edevice_key.len == 0 || e.edevice_key.ptr < data ||
            e.edevice_key.ptr + e.edevice_key.len > data + size ||
            (e.has_tcp && (e.tcp_port == 0 || strlen(e.tcp_host) == 0)))
            abort();
        cl_mdoc_engagement_to_uri(&uri, in);
        if (cl_mdoc_engagement_from_uri(&a, cl_buf_bytes(&uri), &back, NULL) != CL_OK ||
            !cl_bytes_eq(back, in))
            abort();
    }
    /* the same bytes as the text a QR code scan hands over */
    if (cl_mdoc_engagement_from_uri(&a, in, &back, NULL) == CL_OK &&
        back.len > CL_MDOC_ENGAGEMENT_MAX)
        abort();
    cl_buf_fini(&uri);
    cl_arena_fini(&a);
    return 0;
}
