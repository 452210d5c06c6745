/*
 * x509_int.h - what only the x509 module's files (and its tests) share: the certificate
 * object and the profile-driven certificate maker behind cl_x509_iaca_make/cl_x509_ds_make.
 */
#ifndef CARDLESS_X509_INT_H
#define CARDLESS_X509_INT_H

#include <stdatomic.h>

#include <openssl/x509.h>

#include "cardless/x509.h"

struct cl_x509_cert {
    X509 *x509;   /* parsed form */
    uint8_t *der; /* the DER as received (or as made), cl_malloc'd */
    size_t der_len;
    atomic_uint refs;
};

/** Wrap x (ownership passes to the certificate, also on failure) with its DER encoding. */
cl_err cl_x509_cert_wrap(X509 *x, struct cl_x509_cert **out, struct cl_error *err);

/*
 * One certificate to make: the public makers fill it from the Annex B profile; tests break
 * one property on purpose (t_cose style) to show that the checks notice.
 */
struct cl_x509_spec {
    const struct cl_x509_params *params;
    bool basic_constraints; /* include basicConstraints (critical) */
    bool ca;                /* with cA TRUE and pathLen 0 */
    unsigned key_usage;     /* KU_* bits of openssl/x509v3.h; 0 omits keyUsage */
    bool eku_mdl_ds;        /* extKeyUsage critical id-mdl-kp-mdlDS */
    bool check_profile;     /* refuse parameters out of the Annex B profile */
};

/**
 * Make a certificate for subject_key signed by signer: self-signed when issuer is NULL,
 * otherwise issued by issuer (whose key signer must be).
 */
cl_err cl_x509_issue(const struct cl_x509_spec *spec, const struct cl_x509_cert *issuer,
                     const struct cl_key *signer, const struct cl_key *subject_key,
                     struct cl_x509_cert **out, struct cl_error *err);

#endif /* CARDLESS_X509_INT_H */
