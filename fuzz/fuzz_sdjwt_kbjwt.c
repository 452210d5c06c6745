/* fuzz_sdjwt_kbjwt.c - the Key Binding JWT: a fixed issued SD-JWT (made once per process with
 * the RFC 7515 A.3 key as issuer and holder) followed by the input as the KB-JWT, verified
 * with key binding required, and again with the general parsers only: the same answer. */
#include <stdlib.h>
#include <string.h>

#include "cardless/sdjwt.h"

#include "sdjwt_cred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cl_key *key;   /* one for the process: reachable, not leaked */
static struct cl_arena keep; /* holds the credential */
static struct cl_bytes cred;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_arena a;
    struct cl_sdjwt_verify_opts vo;
    struct cl_sdjwt_verified v;
    struct cl_error err = {0}, gerr = {0};
    uint8_t *buf;
    cl_err rc;

    if (key == NULL)
        sdjwt_cred_make(&key, &keep, &cred);
    if (size > (1 << 16))
        return 0;
    buf = malloc(cred.len + size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, cred.ptr, cred.len);
    if (size != 0)
        memcpy(buf + cred.len, data, size);
    cl_arena_init(&a, 4096, 1 << 24, 0);
    sdjwt_cred_verify_opts(&vo, key);
    vo.now = 1800000000;
    vo.kb_max_age = 1 << 30;
    rc = cl_sdjwt_verify(&a, cl_bytes_of(buf, cred.len + size), &vo, &v, &err);
    if (rc == CL_OK && !v.key_bound)
        abort();
    /* the fast path for the common KB-JWT answers as the general parsers do, error included */
    vo.flags = CL_SDJWT_VERIFY_GENERAL;
    if (cl_sdjwt_verify(&a, cl_bytes_of(buf, cred.len + size), &vo, &v, &gerr) != rc ||
        strcmp(err.where, gerr.where) != 0 || strcmp(err.msg, gerr.msg) != 0)
        abort();
    cl_arena_fini(&a);
    free(buf);
    return 0;
}
