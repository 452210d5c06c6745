/* fuzz_jose_jwk.c - cl_jwk_parse and RFC 7638 thumbprints; a parsed key written back as a
 * JWK must parse to the same key with the same thumbprint. */
#include <stdlib.h>
#include <string.h>

#include "cardless/jose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_json_limits lim = {1 << 16, 16}; /* limits in the harness: bugs, not timeouts */
    struct cl_arena a;
    struct cl_key *key = NULL, *back = NULL;
    struct cl_buf b;
    json_t *j = NULL;
    uint8_t t1[CL_JWK_THUMBPRINT_LEN], t2[CL_JWK_THUMBPRINT_LEN];
    cl_err rc;

    cl_arena_init(&a, 4096, 1 << 20, 0);
    cl_buf_init(&b);
    if (cl_jose_json_parse(&a, cl_bytes_of(data, size), &lim, "jwk", &j, NULL) == CL_OK)
        rc = cl_jwk_thumbprint(j, t1, NULL); /* any verdict will do: no crash, no leak */
    if (cl_jwk_parse(cl_bytes_of(data, size), &lim, CL_JWK_ALLOW_PRIVATE, &key, NULL) == CL_OK) {
        if (cl_jwk_write(key, false, &b, NULL) != CL_OK ||
            cl_jwk_parse(cl_buf_bytes(&b), &lim, 0, &back, NULL) != CL_OK ||
            !cl_key_equal_public(key, back))
            abort();
        /* the thumbprint of the input JWK and of the key agree */
        if (cl_jwk_thumbprint(j, t1, NULL) != CL_OK ||
            cl_jwk_thumbprint_key(key, t2, NULL) != CL_OK || memcmp(t1, t2, sizeof t1) != 0)
            abort();
    }
    cl_key_free(key);
    cl_key_free(back);
    cl_buf_fini(&b);
    cl_arena_fini(&a);
    (void)rc;
    return 0;
}
