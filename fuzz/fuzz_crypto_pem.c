/*
 * fuzz_crypto_pem.c - cl_key_from_pem and cl_key_from_spki over the same bytes. Whatever
 * loads must export to a SubjectPublicKeyInfo that loads back as the same public key.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cardless/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_round_trip(const struct cl_key *k)
{
    struct cl_buf spki;
    struct cl_key *back = NULL;
    size_t n = cl_key_coord_len(k);

    if (n != 32 && n != 48 && n != 66)
        abort();
    cl_buf_init(&spki);
    if (cl_key_to_spki(k, &spki, NULL) != CL_OK ||
        cl_key_from_spki(cl_buf_bytes(&spki), &back, NULL) != CL_OK ||
        !cl_key_equal_public(k, back) || cl_key_curve(k) != cl_key_curve(back))
        abort();
    cl_key_free(back);
    cl_buf_fini(&spki);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_key *k = NULL;
    struct cl_bytes in = cl_bytes_of(data, size);

    if (cl_key_from_pem(in, &k, NULL) == CL_OK)
        check_round_trip(k);
    else if (k != NULL)
        abort(); /* outputs are written on success only */
    cl_key_free(k);
    k = NULL;
    if (cl_key_from_spki(in, &k, NULL) == CL_OK)
        check_round_trip(k);
    else if (k != NULL)
        abort();
    cl_key_free(k);
    return 0;
}
