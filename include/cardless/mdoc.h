/*
 * cardless/mdoc.h - ISO/IEC 18013-5 mobile documents (mdoc): the data model parsed strictly
 * with every signed or hashed structure kept as the bytes received, the issuer (IssuerSigned
 * with a MobileSecurityObject signed by a Document Signer), the holder (a DeviceResponse with
 * device signature or MAC over a SessionTranscript) and the verifier (every check of
 * ISO 18013-5 §9.3.1, each failing with its own error).
 *
 * The rule this module is built around: digests and signatures are computed over the bytes
 * as received (IssuerSignedItemBytes, MobileSecurityObjectBytes, DeviceNameSpacesBytes,
 * SessionTranscript), never over a re-encoding. The holder copies IssuerSignedItemBytes and
 * issuerAuth verbatim into a DeviceResponse.
 *
 * The credential file (cardless's own holder-side format, CRED.cbor) is the CBOR map
 *     {"docType": tstr, "issuerSigned": IssuerSigned}
 * where IssuerSigned = {"nameSpaces": {ns: [+ IssuerSignedItemBytes]}, "issuerAuth": COSE_Sign1}
 * exactly as ISO 18013-5 §8.3.2.1.2.2 defines it (the same shape as a Document without
 * deviceSigned), so a DeviceResponse document is built by copying parts of it.
 *
 * Memory: allocating functions take an arena first; results live until cl_arena_fini();
 * parsed structures point into the input bytes, which must outlive them.
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL;
 * err->where names the structure, namespace and element ("documents[0].org.iso.18013.5.1
 * .family_name").
 */
#ifndef CARDLESS_MDOC_H
#define CARDLESS_MDOC_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/cbor.h"
#include "cardless/cose.h"
#include "cardless/crypto.h"
#include "cardless/defs.h"
#include "cardless/error.h"
#include "cardless/x509.h"
CL_BEGIN_DECLS

#define CL_MDOC_RANDOM_MIN 16     /* ISO 18013-5 §9.1.2.5: random at least 16 bytes */
#define CL_MDOC_RANDOM_LEN 32     /* what our issuer draws per item */
#define CL_MDOC_MAX_DOCS 16       /* most documents in a DeviceResponse / DeviceRequest */
#define CL_MDOC_MAX_NAMESPACES 64 /* most namespaces in one document */
#define CL_MDOC_MAX_ITEMS 1024    /* most elements in one namespace */

/* DocumentError / errors codes (ISO 18013-5 §8.3.2.1.2.3, Table 9) */
#define CL_MDOC_ERR_DATA_NOT_RETURNED 0
/* DeviceResponse status (ISO 18013-5 §8.3.2.1.2.3, Table 8) */
#define CL_MDOC_STATUS_OK 0
#define CL_MDOC_STATUS_GENERAL_ERROR 10
#define CL_MDOC_STATUS_CBOR_DECODING 11
#define CL_MDOC_STATUS_CBOR_VALIDATION 12

/* ---- the data model ---- */

/** One IssuerSignedItem, parsed from its IssuerSignedItemBytes (#6.24(bstr .cbor ...)). */
struct cl_mdoc_item {
    uint64_t digest_id;
    struct cl_bytes random;      /* SECRET until disclosed */
    struct cl_bytes element_id;  /* elementIdentifier (UTF-8, not NUL-terminated) */
    const struct cl_cbor *value; /* elementValue */
    struct cl_bytes bytes;       /* IssuerSignedItemBytes as received, tag 24 included: hashed */
};

/** A namespace of issuer-signed items. */
struct cl_mdoc_ns {
    struct cl_bytes name;
    struct cl_mdoc_item *items;
    size_t n;
};

/** The digests of one namespace in the MSO valueDigests. */
struct cl_mdoc_digests {
    struct cl_bytes name;
    uint64_t *ids;
    struct cl_bytes *digests;
    size_t n;
};

/** MobileSecurityObject (ISO 18013-5 §9.1.2.4). */
struct cl_mdoc_mso {
    enum cl_hash_alg digest_alg;
    struct cl_mdoc_digests *ns;
    size_t n_ns;
    struct cl_key *device_key;      /* deviceKeyInfo.deviceKey, freed with the arena */
    const struct cl_cbor *key_auth; /* deviceKeyInfo.keyAuthorizations, or NULL */
    struct cl_bytes doctype;
    int64_t signed_at, valid_from, valid_until;
    int64_t expected_update; /* 0 when absent */
    bool has_status;         /* status.status_list (draft-ietf-oauth-status-list) */
    uint64_t status_idx;
    struct cl_bytes status_uri;
};

/** IssuerSigned (§8.3.2.1.2.2): the issuer's namespaces and issuerAuth. */
struct cl_mdoc_issuer_signed {
    struct cl_mdoc_ns *ns;
    size_t n_ns;
    struct cl_bytes auth_raw;       /* the issuerAuth COSE_Sign1 as received */
    struct cl_cose_msg auth;        /* decoded issuerAuth */
    struct cl_bytes mso_bytes;      /* MobileSecurityObjectBytes: the payload, tag 24 included */
    const struct cl_cbor *mso_item; /* the decoded MSO map */
    struct cl_mdoc_mso mso;         /* the MSO, parsed (not verified) */
    struct cl_bytes raw;            /* the whole IssuerSigned as received */
};

/** One Document of a DeviceResponse. */
struct cl_mdoc_document {
    struct cl_bytes doctype;
    struct cl_mdoc_issuer_signed issuer;
    bool has_device;                 /* deviceSigned present */
    struct cl_bytes device_ns_bytes; /* DeviceNameSpacesBytes as received, tag 24 included */
    const struct cl_cbor *device_ns; /* decoded DeviceNameSpaces map */
    bool device_mac;                 /* deviceAuth is deviceMac (else deviceSignature) */
    struct cl_bytes device_auth_raw; /* the COSE_Sign1 / COSE_Mac0 as received */
    struct cl_cose_msg device_auth;
    const struct cl_cbor *errors; /* errors map, or NULL */
};

/** DeviceResponse (§8.3.2.1.2.2). */
struct cl_mdoc_response {
    struct cl_bytes version;
    struct cl_mdoc_document *docs;
    size_t n_docs;
    const struct cl_cbor *document_errors; /* or NULL */
    uint64_t status;
};

/** One requested element of an ItemsRequest. */
struct cl_mdoc_req_elem {
    struct cl_bytes ns;
    struct cl_bytes element_id;
    bool intent_to_retain;
};

/** One DocRequest (§8.3.2.1.2.1). */
struct cl_mdoc_doc_request {
    struct cl_bytes doctype;
    struct cl_mdoc_req_elem *elems;
    size_t n_elems;
    struct cl_bytes items_request_bytes; /* ItemsRequestBytes as received, tag 24 included */
    bool has_reader_auth;
    struct cl_bytes reader_auth_raw;
    struct cl_cose_msg reader_auth;
};

/** DeviceRequest. */
struct cl_mdoc_request {
    struct cl_bytes version;
    struct cl_mdoc_doc_request *docs;
    size_t n_docs;
};

/* ---- parsing (strict; views point into the input) ---- */

/**
 * Parse a DeviceResponse. Every document's IssuerSignedItemBytes, MSO, issuerAuth,
 * DeviceNameSpacesBytes and deviceAuth are decoded and kept with their received bytes.
 * Nothing is verified here. lim NULL means the defaults.
 * @return CL_OK, CL_ERR_INPUT (shape, with where naming the field), CL_ERR_MISSING,
 *         CL_ERR_UNSUPPORTED (version), CBOR decoding codes, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_mdoc_response_parse(struct cl_arena *a, struct cl_bytes in,
                                                  const struct cl_cbor_limits *lim,
                                                  struct cl_mdoc_response *out,
                                                  struct cl_error *err);
/** Parse an IssuerSigned item (already decoded, with raw bytes). */
CL_API CL_NODISCARD cl_err cl_mdoc_issuer_signed_parse(struct cl_arena *a,
                                                       const struct cl_cbor *item,
                                                       const struct cl_cbor_limits *lim,
                                                       struct cl_mdoc_issuer_signed *out,
                                                       struct cl_error *err);
/** Parse the MSO inside a decoded issuerAuth (payload = #6.24(bstr .cbor MSO)). */
CL_API CL_NODISCARD cl_err cl_mdoc_mso_parse(struct cl_arena *a, struct cl_bytes mso_bytes,
                                             const struct cl_cbor_limits *lim,
                                             struct cl_mdoc_mso *out, const struct cl_cbor **item,
                                             struct cl_error *err);
/** Parse a credential file {"docType", "issuerSigned"} (see the top of this header). */
CL_API CL_NODISCARD cl_err cl_mdoc_credential_parse(struct cl_arena *a, struct cl_bytes in,
                                                    const struct cl_cbor_limits *lim,
                                                    struct cl_bytes *doctype,
                                                    struct cl_mdoc_issuer_signed *out,
                                                    struct cl_error *err);
/** Parse a DeviceRequest (version "1.0", docRequests with ItemsRequestBytes, readerAuth). */
CL_API CL_NODISCARD cl_err cl_mdoc_request_parse(struct cl_arena *a, struct cl_bytes in,
                                                 const struct cl_cbor_limits *lim,
                                                 struct cl_mdoc_request *out, struct cl_error *err);

/* ---- SessionTranscript ---- */

/** A SessionTranscript in both forms the standard uses. */
struct cl_mdoc_transcript {
    struct cl_bytes st;       /* SessionTranscript encoding (the array), as received */
    struct cl_bytes st_bytes; /* SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript) */
};

/**
 * Read a SessionTranscript given either as the array or as its tag-24 SessionTranscriptBytes
 * (the received bytes are kept; the other form is built around them).
 */
CL_API CL_NODISCARD cl_err cl_mdoc_transcript_read(struct cl_arena *a, struct cl_bytes in,
                                                   struct cl_mdoc_transcript *out,
                                                   struct cl_error *err);

/**
 * Build a test SessionTranscript: [null, null, ["cardless-test", nonce]] (the handover slot
 * holds an application-defined array, as ISO 18013-7 / OpenID4VP handovers do). Appends the
 * array's encoding to out.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_transcript_make_test(struct cl_bytes nonce, struct cl_buf *out,
                                                        struct cl_error *err);

/* ---- issuing ---- */

/** One element to issue: its namespace, identifier and value (a tree, encoded deterministically).
 */
struct cl_mdoc_issue_elem {
    const char *ns;
    const char *element_id;
    const struct cl_cbor *value;
};

struct cl_mdoc_issue_params {
    const char *doctype;
    const struct cl_mdoc_issue_elem *elems;
    size_t n_elems;
    const struct cl_key *ds_key;    /* DS private key */
    const struct cl_bytes *x5chain; /* DS certificate DER first, then optional IACA */
    size_t n_x5chain;
    const struct cl_key *device_key; /* holder device public key */
    int64_t signed_at;               /* 0: now */
    int64_t valid_from, valid_until; /* seconds since epoch */
    const struct cl_cbor *key_auth;  /* keyAuthorizations, or NULL */
    const char *status_uri;          /* NULL: no status reference */
    uint64_t status_idx;
    size_t random_len; /* 0: 32. Tests only: below 16 makes a non-conformant credential */
};

/**
 * Build a credential file (see the top of this header): one IssuerSignedItem per element with
 * a fresh 32-byte random, digest IDs drawn at random (unique, unrelated to order or count),
 * the MSO (version "1.0", SHA-256, valueDigests, deviceKeyInfo, docType, validityInfo as
 * tdate, optional status) as #6.24 payload of a COSE_Sign1 ES256 with x5chain in the
 * unprotected header. Appends the encoding to out.
 * @return CL_OK, CL_ERR_USAGE (missing parameters, duplicate elements, bad validity),
 *         CL_ERR_CRYPTO, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_mdoc_issue(struct cl_arena *a, const struct cl_mdoc_issue_params *p,
                                         struct cl_buf *out, struct cl_error *err);

/* ---- presenting (holder) ---- */

/** An element to disclose. */
struct cl_mdoc_sel {
    struct cl_bytes ns;
    struct cl_bytes element_id;
};

struct cl_mdoc_present_params {
    struct cl_bytes doctype;
    const struct cl_mdoc_issuer_signed *cred; /* from cl_mdoc_credential_parse */
    const struct cl_mdoc_sel *sel;            /* what to disclose */
    size_t n_sel;
    const struct cl_key *device_key; /* private */
    const struct cl_mdoc_transcript *transcript;
    const struct cl_key *reader_pub; /* EReaderKey public: deviceMac instead of deviceSignature */
    const struct cl_cbor *device_ns; /* DeviceNameSpaces to device-sign, or NULL for {} */
};

/**
 * Build a DeviceResponse with one document disclosing exactly the selected elements: their
 * IssuerSignedItemBytes and issuerAuth copied verbatim, DeviceNameSpaces (empty unless given:
 * device-signed elements must be allowed by the MSO keyAuthorizations to verify), deviceAuth
 * by deviceSignature (ES256 over DeviceAuthenticationBytes, detached) or deviceMac (HMAC
 * 256/256 with EMacKey), and an errors map {ns: {element: 0}} for elements not held.
 * A selection matching nothing still yields a response (every element in errors).
 */
CL_API CL_NODISCARD cl_err cl_mdoc_present(struct cl_arena *a,
                                           const struct cl_mdoc_present_params *p,
                                           struct cl_buf *out, struct cl_error *err);

/**
 * Build a DeviceRequest: version "1.0", one DocRequest whose ItemsRequest asks for sel with
 * the given intentToRetain, no readerAuth. Appends the encoding to out.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_request_make(const char *doctype, const struct cl_mdoc_sel *sel,
                                                size_t n_sel, bool retain, struct cl_buf *out,
                                                struct cl_error *err);

/**
 * Verify a DocRequest's readerAuth: COSE_Sign1 (detached) over ReaderAuthenticationBytes =
 * #6.24(["ReaderAuthentication", SessionTranscript, ItemsRequestBytes]) with the key of the
 * x5chain leaf; when anchors is not NULL the chain must also validate to one of them at `at`.
 * @return CL_OK, CL_ERR_MISSING (no readerAuth), CL_ERR_SIGNATURE, CL_ERR_UNTRUSTED,
 *         CL_ERR_EXPIRED, CL_ERR_INPUT
 */
CL_API CL_NODISCARD cl_err cl_mdoc_reader_auth_verify(struct cl_arena *a,
                                                      const struct cl_mdoc_doc_request *dr,
                                                      const struct cl_mdoc_transcript *t,
                                                      const struct cl_x509_list *anchors,
                                                      int64_t at, struct cl_error *err);

/* ---- verifying ---- */

/**
 * A cache of Document Signer chain validations for one set of trust anchors. A chain (keyed
 * by SHA-256 of its DER certificates) that validated once, with the DS profile, is valid for
 * every time inside the intersection of its certificates' validity periods: signatures and
 * profile do not depend on time. So a later verification at a time inside that window reuses
 * the DS key and names instead of re-parsing and re-validating the certificates; outside the
 * window the chain is validated again. Revocation is not checked here (as in
 * cl_x509_chain_verify). Not thread-safe: one cache per thread.
 */
struct cl_mdoc_trust;

/** A cache for anchors (the list is borrowed and must outlive the cache). */
CL_API CL_NODISCARD cl_err cl_mdoc_trust_new(const struct cl_x509_list *anchors,
                                             struct cl_mdoc_trust **out, struct cl_error *err);
CL_API void cl_mdoc_trust_free(struct cl_mdoc_trust *t);

struct cl_mdoc_verify_opts {
    const struct cl_x509_list *anchors;          /* trusted IACA roots (or use trust) */
    struct cl_mdoc_trust *trust;                 /* optional cache; its anchors are used when set */
    int64_t at;                                  /* verification time, seconds since epoch */
    const struct cl_mdoc_transcript *transcript; /* required for device authentication */
    const struct cl_key *reader_key;             /* EReaderKey private, required for deviceMac */
    const struct cl_cbor_limits *lim;
};

/** One verified element. */
struct cl_mdoc_claim {
    struct cl_bytes ns;
    struct cl_bytes element_id;
    const struct cl_cbor *value;
};

/** A verified document: only elements whose digests matched. */
struct cl_mdoc_verified {
    struct cl_bytes doctype;
    const char *issuer_subject; /* DS certificate subject, RFC 4514 */
    char issuer_country[3];
    int64_t signed_at, valid_from, valid_until;
    struct cl_mdoc_claim *claims;
    size_t n_claims;
    struct cl_mdoc_claim *device_claims; /* device-signed elements, keyAuthorizations checked */
    size_t n_device_claims;
    bool has_status;
    uint64_t status_idx;
    struct cl_bytes status_uri;
};

/**
 * Verify a parsed DeviceResponse (status 0, at least one document) and each document:
 * issuerAuth signature with the DS key of its x5chain; the chain to an anchor at `at` with
 * the Annex B DS profile; MSO signed time inside the DS validity; docType equal to the MSO's;
 * validFrom <= at <= validUntil; digestAlgorithm; each item's random length and digest over
 * its received bytes under its namespace and digest ID; device signature or MAC over
 * DeviceAuthenticationBytes; keyAuthorizations for device-signed elements.
 * Stops at the first failure.
 * @param out  OUT: n_docs verified documents (array in the arena), written only on success
 * @return CL_OK, CL_ERR_SIGNATURE, CL_ERR_UNTRUSTED, CL_ERR_EXPIRED, CL_ERR_DIGEST,
 *         CL_ERR_POLICY (docType mismatch, keyAuthorizations, status), CL_ERR_UNSUPPORTED
 *         (digest algorithm), CL_ERR_INPUT (random too short), CL_ERR_MISSING (transcript,
 *         reader key), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_mdoc_response_verify(struct cl_arena *a,
                                                   const struct cl_mdoc_response *r,
                                                   const struct cl_mdoc_verify_opts *opts,
                                                   struct cl_mdoc_verified **out,
                                                   struct cl_error *err);

/** Parse and verify in one step. */
CL_API CL_NODISCARD cl_err cl_mdoc_verify(struct cl_arena *a, struct cl_bytes response,
                                          const struct cl_mdoc_verify_opts *opts,
                                          struct cl_mdoc_verified **out, size_t *n,
                                          struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_MDOC_H */
