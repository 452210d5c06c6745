/*
 * fuzz_base_b64url.c - strict base64url, base64, hex and date parsers. Strictness means
 * canonical: whatever base64url decodes must encode back to exactly the input.
 */
#include <stdlib.h>
#include <string.h>

#include "cardless/arena.h"
#include "cardless/codec.h"
#include "cardless/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_bytes in = cl_bytes_of(data, size);
    struct cl_buf out, back;
    struct cl_error err = {0};
    int64_t secs;
    int32_t days;

    cl_buf_init_ex(&out, (size_t)1 << 20, false);
    cl_buf_init(&back);
    if (cl_b64url_decode(&out, in, &err) == CL_OK) {
        cl_b64url_encode(&back, cl_buf_bytes(&out));
        if (back.err != CL_OK || !cl_bytes_eq(cl_buf_bytes(&back), in))
            abort(); /* a non-canonical encoding was accepted */
    } else if (err.msg[0] == '\0' || out.len != 0) {
        abort(); /* a rejection without a reason, or with half an output */
    }
    { /* the arena decoder (a fast path, then the strict one) answers as the strict one */
        struct cl_arena a;
        struct cl_bytes got;
        struct cl_error err_a = {0};
        cl_err rc_a;

        cl_arena_init(&a, 0, 0, 0);
        rc_a = cl_b64url_decode_arena(&a, in, &got, &err_a);
        if (rc_a != err.code || (rc_a == CL_OK && !cl_bytes_eq(got, cl_buf_bytes(&out))) ||
            (rc_a != CL_OK && strcmp(err_a.where, err.where) != 0))
            abort();
        cl_arena_fini(&a);
    }
    cl_buf_reset(&out);
    cl_buf_reset(&back);
    cl_error_clear(&err);
    if (cl_b64_decode(&out, in, false, &err) == CL_OK) {
        cl_b64_encode(&back, cl_buf_bytes(&out));
        if (back.err != CL_OK || !cl_bytes_eq(cl_buf_bytes(&back), in))
            abort();
    }
    cl_buf_reset(&out);
    cl_error_clear(&err);
    if (cl_hex_decode(&out, in, true, &err) != CL_OK && err.msg[0] == '\0')
        abort();
    cl_error_clear(&err);
    if (cl_date_parse(in, &days, &err) == CL_OK) {
        char s[11];

        cl_date_format(days, s);
        if (size != 10 || memcmp(s, data, 10) != 0)
            abort();
    }
    cl_error_clear(&err);
    if (cl_rfc3339_parse(in, &secs, NULL, &err) != CL_OK && err.msg[0] == '\0')
        abort();
    (void)cl_utf8_valid(in);
    cl_buf_fini(&out);
    cl_buf_fini(&back);
    return 0;
}
