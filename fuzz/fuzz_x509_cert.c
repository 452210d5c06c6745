/*
 * fuzz_x509_cert.c - certificates from PEM (one or many blocks) or DER: parse, then read every
 * field a caller may read and validate the result as a chain. Invariants: a rejection names
 * its reason and appends nothing; an accepted certificate's DER parses again to the same bytes.
 */
#include <stdlib.h>

#include "cardless/arena.h"
#include "cardless/limits.h"
#include "cardless/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
read_fields(struct cl_arena *a, const struct cl_x509_cert *c)
{
    struct cl_error err = {0};
    const char *s;
    char country[3];
    int64_t nb, na;
    struct cl_key *key = NULL;
    struct cl_x509_cert *again = NULL;
    struct cl_bytes der = cl_x509_cert_der(c);
    unsigned fails = 0; /* rejections are fine here; crashes and leaks are not */

    fails += cl_x509_cert_subject(a, c, &s, &err) != CL_OK;
    fails += cl_x509_cert_issuer(a, c, &s, &err) != CL_OK;
    fails += cl_x509_cert_common_name(a, c, &s, &err) != CL_OK;
    fails += cl_x509_cert_country(c, country, &err) != CL_OK;
    fails += cl_x509_cert_serial_hex(a, c, &s, &err) != CL_OK;
    fails += cl_x509_cert_validity(c, &nb, &na, &err) != CL_OK;
    if (cl_x509_cert_key(c, &key, &err) == CL_OK)
        cl_key_free(key);
    (void)cl_x509_is_ca(c);
    fails += cl_x509_iaca_check(c, &err) != CL_OK;
    if (der.len > CL_X509_DER_MAX || cl_x509_cert_from_der(der, &again, &err) != CL_OK ||
        !cl_bytes_eq(cl_x509_cert_der(again), der))
        abort(); /* what was accepted once must parse again, byte for byte */
    cl_x509_cert_free(again);
    (void)fails;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_arena a;
    struct cl_x509_list list;
    struct cl_error err = {0};
    const struct cl_x509_cert *anchor = NULL;
    unsigned fails = 0;

    cl_arena_init(&a, 4096, 1 << 20, 0);
    cl_x509_list_init(&list);
    if (cl_x509_list_read(cl_bytes_of(data, size), CL_LIMIT_X509_CHAIN, &list, &err) == CL_OK) {
        if (list.count == 0 || list.count > CL_LIMIT_X509_CHAIN)
            abort();
        for (size_t i = 0; i < list.count; i++)
            read_fields(&a, list.certs[i]);
        /* the last certificate as the anchor of the others, at 2021-01-01 */
        fails += cl_x509_chain_verify(&list, &list, 1609459200, &anchor, &err) != CL_OK;
        if (list.count >= 2)
            fails += cl_x509_ds_check(list.certs[0], list.certs[list.count - 1], &err) != CL_OK;
    } else if (err.msg[0] == '\0' || list.count != 0) {
        abort(); /* a rejection without a reason, or with half an output */
    }
    cl_x509_list_fini(&list);
    cl_arena_fini(&a);
    (void)fails;
    return 0;
}
