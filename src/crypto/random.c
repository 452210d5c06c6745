/*
 * random.c - bytes from OpenSSL's CSPRNG (seeded by the operating system), uniform integers
 * by rejection sampling, and constant-time comparison.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "crypto/crypto_int.h"

#include "base/banned.h"

cl_err
cl_random(void *out, size_t n, struct cl_error *err)
{
    uint8_t *p = out;

    if (n == 0)
        return CL_OK;
    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the random bytes");
    while (n > 0) {
        int chunk = n > (size_t)INT_MAX ? INT_MAX : (int)n;

        /* the private DRBG: these bytes become keys, salts and nonces */
        if (RAND_priv_bytes(p, chunk) != 1) {
            ERR_clear_error();
            return cl_fail(err, CL_ERR_CRYPTO, NULL, "the random generator failed");
        }
        p += chunk;
        n -= (size_t)chunk;
    }
    return CL_OK;
}

cl_err
cl_random_below(uint64_t bound, uint64_t *out, struct cl_error *err)
{
    /* values below `min` would make x % bound favour small results: 2^64 mod bound of them */
    uint64_t min, x;

    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no place for the number");
    *out = 0;
    if (bound == 0)
        return cl_fail(err, CL_ERR_USAGE, "bound", "bound must be positive");
    min = (0 - bound) % bound;
    for (;;) {
        cl_err rc = cl_random(&x, sizeof x, err);

        if (rc != CL_OK)
            return rc;
        if (x >= min)
            break;
    }
    *out = x % bound;
    return CL_OK;
}

bool
cl_ct_equal(struct cl_bytes a, struct cl_bytes b)
{
    if (a.len != b.len)
        return false;
    if (a.len == 0)
        return true;
    return CRYPTO_memcmp(a.ptr, b.ptr, a.len) == 0;
}
