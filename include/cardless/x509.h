/*
 * cardless/x509.h - X.509 certificates for mdoc trust (ISO/IEC 18013-5 Annex B): make an IACA
 * root and a Document Signer (DS) certificate, read certificates from PEM or DER, read their
 * names, validity and key, validate a chain to a set of trust anchors at a given time, and
 * check the Annex B DS and IACA profiles.
 * Memory: certificates are reference-counted heap objects (cl_x509_cert_free); lists own one
 * reference to each member; strings come from the caller's arena.
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL.
 * Verification failures are CL_ERR_EXPIRED (outside a validity period) or CL_ERR_UNTRUSTED (no
 * path to an anchor, a bad signature, a profile property missing); err->where names the
 * certificate ("chain[0]", "ds", "iaca") and the property ("ds.extKeyUsage").
 */
#ifndef CARDLESS_X509_H
#define CARDLESS_X509_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/crypto.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

#define CL_X509_DER_MAX ((size_t)64 << 10)   /* largest single certificate accepted, DER */
#define CL_X509_OID_MDL_DS "1.0.18013.5.1.2" /* id-mdl-kp-mdlDS, 18013-5 Annex B.1.4 */
#define CL_X509_IACA_DAYS_MAX 7305u          /* 18013-5 Table B.1: IACA validity at most 20 years */
#define CL_X509_DS_DAYS_MAX 457u             /* 18013-5 Table B.3: DS validity at most 457 days */

struct cl_x509_cert; /* one certificate, opaque; holds its DER exactly as received */

/* ---- reading ---- */

/**
 * Parse one DER certificate. The whole input must be the certificate (no trailing bytes).
 * @param der  borrowed for the call; copied
 * @return CL_OK, CL_ERR_INPUT (not a certificate, trailing bytes), CL_ERR_TOO_LARGE, NOMEM
 */
CL_API CL_NODISCARD cl_err cl_x509_cert_from_der(struct cl_bytes der, struct cl_x509_cert **out,
                                                 struct cl_error *err);
/** Drop one reference; NULL does nothing. */
CL_API void cl_x509_cert_free(struct cl_x509_cert *cert);
/** Another reference to the same certificate (cheap; both must be freed). */
CL_API struct cl_x509_cert *cl_x509_cert_ref(struct cl_x509_cert *cert);

/** A growable list of certificates: a chain (leaf first) or a set of trust anchors. */
struct cl_x509_list {
    struct cl_x509_cert **certs; /* read them, never write them */
    size_t count;
    size_t cap;
};

CL_API void cl_x509_list_init(struct cl_x509_list *list);
/** Drop every member's reference and the array; safe twice. */
CL_API void cl_x509_list_fini(struct cl_x509_list *list);
/** Append cert, taking a new reference of the list's own (the caller keeps theirs). */
CL_API CL_NODISCARD cl_err cl_x509_list_add(struct cl_x509_list *list, struct cl_x509_cert *cert,
                                            struct cl_error *err);

/**
 * Append the certificates in data to list: PEM with one or more "CERTIFICATE" blocks (text
 * between blocks is ignored, any other block type is refused), or a single DER certificate.
 * Nothing is appended on failure.
 * @param max  most certificates accepted in data (CL_LIMIT_X509_CHAIN for a chain)
 * @return CL_OK, CL_ERR_INPUT (where = "pem[i]" or "der"), CL_ERR_MISSING (no certificate),
 *         CL_ERR_TOO_LARGE (over max, or over CL_LIMIT_PEM_MAX bytes), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_x509_list_read(struct cl_bytes data, size_t max,
                                             struct cl_x509_list *list, struct cl_error *err);

/* ---- what a certificate says ---- */

/** The certificate's DER bytes, as received (borrowed: valid while cert lives). */
CL_API struct cl_bytes cl_x509_cert_der(const struct cl_x509_cert *cert);

/**
 * Subject or issuer distinguished name as an RFC 4514 string, most specific first and UTF-8
 * left unescaped ("C=KR,CN=Korea IACA"), in the arena.
 */
CL_API CL_NODISCARD cl_err cl_x509_cert_subject(struct cl_arena *a, const struct cl_x509_cert *cert,
                                                const char **out, struct cl_error *err);
CL_API CL_NODISCARD cl_err cl_x509_cert_issuer(struct cl_arena *a, const struct cl_x509_cert *cert,
                                               const char **out, struct cl_error *err);
/** The subject's commonName (the first one) in UTF-8, in the arena; CL_ERR_MISSING if none. */
CL_API CL_NODISCARD cl_err cl_x509_cert_common_name(struct cl_arena *a,
                                                    const struct cl_x509_cert *cert,
                                                    const char **out, struct cl_error *err);
/**
 * The subject's countryName: two letters and a NUL into out. CL_ERR_MISSING when absent,
 * CL_ERR_INPUT when present twice or not two letters A-Z.
 */
CL_API CL_NODISCARD cl_err cl_x509_cert_country(const struct cl_x509_cert *cert, char out[3],
                                                struct cl_error *err);
/** The serial number as lower-case hex without separators, in the arena. */
CL_API CL_NODISCARD cl_err cl_x509_cert_serial_hex(struct cl_arena *a,
                                                   const struct cl_x509_cert *cert,
                                                   const char **out, struct cl_error *err);
/** notBefore and notAfter in seconds since the epoch (UTC). */
CL_API CL_NODISCARD cl_err cl_x509_cert_validity(const struct cl_x509_cert *cert,
                                                 int64_t *not_before, int64_t *not_after,
                                                 struct cl_error *err);
/** The subject public key (EC keys only, as crypto.h); the caller frees it. */
CL_API CL_NODISCARD cl_err cl_x509_cert_key(const struct cl_x509_cert *cert, struct cl_key **out,
                                            struct cl_error *err);
/**
 * Whether the certificate may issue certificates: basicConstraints cA TRUE and, when keyUsage
 * is present, keyCertSign set (RFC 5280 §4.2.1.3, §4.2.1.9).
 */
CL_API bool cl_x509_is_ca(const struct cl_x509_cert *cert);

/* ---- writing ---- */

/** Append the certificate as a PEM "CERTIFICATE" block. (Keys: cl_key_to_pem_private.) */
CL_API CL_NODISCARD cl_err cl_x509_cert_to_pem(const struct cl_x509_cert *cert, struct cl_buf *out,
                                               struct cl_error *err);

/* ---- making IACA and DS certificates (ISO/IEC 18013-5 Annex B) ---- */

/**
 * What goes into a new certificate. Start from cl_x509_params_iaca() or cl_x509_params_ds(),
 * then set the names. Strings are borrowed for the call. Both profiles need an issuer
 * alternative name (URI or e-mail) and a CRL distribution point; the defaults are
 * placeholders under the reserved ".invalid" domain (RFC 2606) that a real CA replaces.
 */
struct cl_x509_params {
    const char *country;      /* C: ISO 3166-1 alpha-2, upper case ("KR"); required */
    const char *state;        /* ST: optional (NULL); a DS must repeat its IACA's ST */
    const char *organization; /* O: optional */
    const char *common_name;  /* CN: required */
    const char *alt_uri;      /* issuerAltName URI; DS: NULL (with alt_email) copies the IACA's */
    const char *alt_email;    /* issuerAltName rfc822Name, instead of or beside alt_uri */
    const char *crl_uri;      /* cRLDistributionPoints fullName URI; DS: NULL copies the IACA's */
    int64_t not_before;       /* seconds since the epoch; 0 means now */
    uint32_t days;            /* validity length: IACA at most 7305, DS at most 457 */
};

/** IACA defaults: 3650 days from now, placeholder issuerAltName URI and CRL URI. */
CL_API void cl_x509_params_iaca(struct cl_x509_params *p);
/** DS defaults: 365 days from now, issuerAltName and CRL distribution point of the IACA. */
CL_API void cl_x509_params_ds(struct cl_x509_params *p);

/**
 * Make a self-signed IACA root certificate (18013-5 Table B.1): v3, random positive 20-octet
 * serial, issuer = subject, basicConstraints critical cA TRUE pathLen 0, keyUsage critical
 * keyCertSign and cRLSign, subjectKeyIdentifier, issuerAltName, cRLDistributionPoints,
 * ECDSA with SHA-256 (P-256), SHA-384 (P-384) or SHA-512 (P-521).
 * @param key  the IACA key pair (private)
 * @return CL_OK, CL_ERR_USAGE (a parameter out of profile, named in where), CL_ERR_CRYPTO
 */
CL_API CL_NODISCARD cl_err cl_x509_iaca_make(const struct cl_x509_params *p,
                                             const struct cl_key *key, struct cl_x509_cert **out,
                                             struct cl_error *err);

/**
 * Make a Document Signer certificate (18013-5 Table B.3) issued by iaca: subject C equal to
 * the IACA's, keyUsage critical digitalSignature, extKeyUsage critical id-mdl-kp-mdlDS,
 * authorityKeyIdentifier (keyid), subjectKeyIdentifier, issuerAltName, cRLDistributionPoints,
 * no basicConstraints. Its validity must lie inside the IACA's.
 * @param iaca_key  the IACA's private key (must match iaca's public key)
 * @param ds_key    the DS public key (a key pair is fine; only its public half is used)
 */
CL_API CL_NODISCARD cl_err cl_x509_ds_make(const struct cl_x509_params *p,
                                           const struct cl_x509_cert *iaca,
                                           const struct cl_key *iaca_key,
                                           const struct cl_key *ds_key, struct cl_x509_cert **out,
                                           struct cl_error *err);

/* ---- validation ---- */

/**
 * Validate chain (leaf first, then intermediates in any order) to one of anchors at time
 * `at` (seconds since the epoch). Anchors are roots: a chain must end at a self-signed
 * anchor, and a leaf that is itself an anchor is refused. Signatures, validity periods,
 * basicConstraints, pathLen, keyUsage keyCertSign of issuers and critical extensions are
 * checked (OpenSSL with X509_V_FLAG_X509_STRICT); revocation is not.
 * @param chain   1 to CL_LIMIT_X509_CHAIN certificates
 * @param anchor  OUT, may be NULL: the anchor reached (borrowed from anchors)
 * @return CL_OK, CL_ERR_EXPIRED (a certificate not yet valid or expired at `at`),
 *         CL_ERR_UNTRUSTED (no path, bad signature, bad extension), CL_ERR_TOO_LARGE,
 *         CL_ERR_USAGE (empty chain or no anchors)
 */
CL_API CL_NODISCARD cl_err cl_x509_chain_verify(const struct cl_x509_list *chain,
                                                const struct cl_x509_list *anchors, int64_t at,
                                                const struct cl_x509_cert **anchor,
                                                struct cl_error *err);

/**
 * Check the Annex B Document Signer profile of ds against its IACA (signatures and time are
 * cl_x509_chain_verify's job): ds is not a CA, keyUsage is present and has digitalSignature
 * and nothing to sign certificates or CRLs, extKeyUsage has id-mdl-kp-mdlDS, ds has a
 * countryName equal to the IACA's and the same stateOrProvinceName (when either has one).
 * @return CL_OK or CL_ERR_UNTRUSTED with where naming the property ("ds.extKeyUsage")
 */
CL_API CL_NODISCARD cl_err cl_x509_ds_check(const struct cl_x509_cert *ds,
                                            const struct cl_x509_cert *iaca, struct cl_error *err);

/**
 * Check the Annex B IACA profile: basicConstraints cA TRUE with pathLen 0, keyUsage with
 * keyCertSign and cRLSign, a countryName, an issuerAltName, self-issued.
 * @return CL_OK or CL_ERR_UNTRUSTED with where naming the property ("iaca.basicConstraints")
 */
CL_API CL_NODISCARD cl_err cl_x509_iaca_check(const struct cl_x509_cert *iaca,
                                              struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_X509_H */
