/*
 * es256_bound.c - two ES256 verifications, the least a presentation's verification needs
 * (es256_bound.h).
 */
#include "es256_bound.h"

int
es256_bound_init(struct es256_bound *b, const struct cl_key *key)
{
    b->key = key;
    for (size_t i = 0; i < sizeof b->msg; i++)
        b->msg[i] = (uint8_t)i;
    return cl_ecdsa_sign(key, CL_HASH_SHA256, cl_bytes_of(b->msg, sizeof b->msg), b->sig,
                         &b->sig_len, NULL) == CL_OK
               ? 0
               : -1;
}

int
es256_bound_run(const struct es256_bound *b)
{
    for (int k = 0; k < 2; k++)
        if (cl_ecdsa_verify(b->key, CL_HASH_SHA256, cl_bytes_of(b->msg, sizeof b->msg),
                            cl_bytes_of(b->sig, b->sig_len), NULL) != CL_OK)
            return -1;
    return 0;
}
