/* support.c - helpers shared by the unit tests: hex rows and vector files. */
#include "support.h"

#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"

struct cl_bytes
cl_test_hex(struct cl_arena *a, const char *hex)
{
    struct cl_buf b;
    struct cl_error err = {0};
    struct cl_bytes out;

    cl_buf_init(&b);
    if (cl_hex_decode(&b, cl_bytes_str(hex), true, &err) != CL_OK)
        fail_msg("bad hex in test row: %s: %s", err.where, err.msg);
    out = cl_arena_copy(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return out;
}

struct cl_bytes
cl_test_vector(struct cl_arena *a, const char *rel)
{
    char path[1024];
    struct cl_buf b;
    struct cl_error err = {0};
    struct cl_bytes out;

    snprintf(path, sizeof path, "%s/%s", CL_TEST_VECTORS_DIR, rel);
    cl_buf_init(&b);
    if (cl_file_read(path, (size_t)64 << 20, &b, &err) != CL_OK)
        fail_msg("cannot read vector %s: %s", rel, err.msg);
    out = cl_arena_copy(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return out;
}

bool
cl_test_vector_exists(const char *rel)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", CL_TEST_VECTORS_DIR, rel);
    f = fopen(path, "rb");
    if (f == NULL)
        return false;
    fclose(f);
    return true;
}

const char *
cl_test_tohex(struct cl_arena *a, struct cl_bytes b)
{
    struct cl_buf h;
    char *s;

    cl_buf_init(&h);
    cl_hex_encode(&h, b);
    s = cl_arena_strndup(a, cl_buf_bytes(&h));
    cl_buf_fini(&h);
    return s != NULL ? s : "(nomem)";
}
