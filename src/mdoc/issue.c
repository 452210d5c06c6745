/*
 * issue.c - the mdoc issuer (ISO 18013-5 §9.1.2): IssuerSignedItems with fresh randoms and
 * random digest IDs, the MobileSecurityObject, issuerAuth signed by the Document Signer, all
 * written as the credential file {"docType", "issuerSigned"}.
 */
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/time.h"
#include "mdoc/mdoc_int.h"

#include "base/banned.h"

/* digest IDs are drawn from [0, 2^31): unrelated to the order or count of the elements */
#define DIGEST_ID_RANGE ((uint64_t)1 << 31)

struct built_ns {
    const char *name;
    struct cl_cbor *items;   /* array of IssuerSignedItemBytes (raw) */
    struct cl_cbor *digests; /* map digestID => digest */
    uint64_t *ids;
    size_t n;
    size_t random_len;
};

static struct cl_cbor *
tdate(struct cl_arena *a, int64_t secs)
{
    char s[21];

    cl_rfc3339_format(secs, s);
    return cl_cbor_new_tag(a, CL_CBOR_TAG_TDATE, cl_cbor_new_cstr(a, s));
}

static cl_err
put(struct cl_arena *a, struct cl_cbor *map, const char *key, const struct cl_cbor *value,
    struct cl_error *err)
{
    if (value == NULL)
        return cl_fail(err, CL_ERR_NOMEM, key, "out of memory");
    return cl_cbor_map_put(a, map, cl_cbor_new_cstr(a, key), value) == CL_OK
               ? CL_OK
               : cl_fail(err, CL_ERR_NOMEM, key, "out of memory");
}

/* One IssuerSignedItemBytes (§8.3.2.1.2.2) appended to ns, its digest into ns->digests. */
static cl_err
build_item(struct cl_arena *a, struct built_ns *ns, const struct cl_mdoc_issue_elem *e,
           struct cl_error *err)
{
    uint8_t rnd[64], md[32];
    size_t rlen = ns->random_len;
    struct cl_cbor *item;
    struct cl_buf enc, tagged;
    uint64_t id = 0;
    bool dup;
    cl_err rc;

    /* a fresh random per item (§9.1.2.5) and a digest ID drawn at random, unique here */
    if ((rc = cl_random(rnd, rlen, err)) != CL_OK)
        return rc;
    do {
        if ((rc = cl_random_below(DIGEST_ID_RANGE, &id, err)) != CL_OK)
            return rc;
        dup = false;
        for (size_t i = 0; i < ns->n; i++)
            dup = dup || ns->ids[i] == id;
    } while (dup);
    item = cl_cbor_new_map(a);
    if (item == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
    if ((rc = put(a, item, "digestID", cl_cbor_new_uint(a, id), err)) != CL_OK ||
        (rc = put(a, item, "random", cl_cbor_new_bytes(a, cl_bytes_of(rnd, rlen)), err)) != CL_OK ||
        (rc = put(a, item, "elementIdentifier", cl_cbor_new_cstr(a, e->element_id), err)) !=
            CL_OK ||
        (rc = put(a, item, "elementValue", e->value, err)) != CL_OK)
        return rc;
    cl_buf_init(&enc);
    cl_buf_init(&tagged);
    rc = cl_cbor_encode(&enc, item, 0, err);
    if (rc == CL_OK) {
        mdoc__put_embedded(&tagged, cl_buf_bytes(&enc));
        rc = cl_buf_check(&tagged, e->element_id, err);
    }
    if (rc == CL_OK)
        rc = cl_hash(CL_HASH_SHA256, cl_buf_bytes(&tagged), md, err);
    if (rc == CL_OK) {
        struct cl_bytes raw = cl_arena_copy(a, cl_buf_bytes(&tagged));
        struct cl_cbor *rawitem = raw.ptr != NULL ? cl_cbor_new_raw(a, raw) : NULL;

        if (rawitem == NULL || cl_cbor_array_push(a, ns->items, rawitem) != CL_OK ||
            cl_cbor_map_put(a, ns->digests, cl_cbor_new_uint(a, id),
                            cl_cbor_new_bytes(a, cl_bytes_of(md, sizeof md))) != CL_OK)
            rc = cl_fail(err, CL_ERR_NOMEM, e->element_id, "out of memory");
        else
            ns->ids[ns->n++] = id;
    }
    cl_wipe(rnd, sizeof rnd);
    cl_buf_fini(&enc);
    cl_buf_fini(&tagged);
    return rc;
}

static cl_err
check_params(const struct cl_mdoc_issue_params *p, struct cl_error *err)
{
    if (p->doctype == NULL || p->doctype[0] == '\0')
        return cl_fail(err, CL_ERR_USAGE, "docType", "a docType is needed");
    if (p->n_elems == 0)
        return cl_fail(err, CL_ERR_USAGE, "claims", "no elements to issue");
    if (p->ds_key == NULL || !cl_key_has_private(p->ds_key))
        return cl_fail(err, CL_ERR_USAGE, "ds-key", "the DS private key is needed");
    if (p->n_x5chain == 0)
        return cl_fail(err, CL_ERR_USAGE, "ds-cert", "the DS certificate is needed");
    if (p->device_key == NULL)
        return cl_fail(err, CL_ERR_USAGE, "device-pub", "the holder's device key is needed");
    if (p->random_len > 64)
        return cl_fail(err, CL_ERR_USAGE, "random_len", "random is at most 64 bytes");
    if (p->valid_until <= p->valid_from)
        return cl_fail(err, CL_ERR_USAGE, "validity", "validUntil must be after validFrom");
    for (size_t i = 0; i < p->n_elems; i++) {
        if (p->elems[i].ns == NULL || p->elems[i].element_id == NULL || p->elems[i].value == NULL)
            return cl_fail(err, CL_ERR_USAGE, "claims", "element %zu is incomplete", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(p->elems[i].ns, p->elems[j].ns) == 0 &&
                strcmp(p->elems[i].element_id, p->elems[j].element_id) == 0)
                return cl_fail(err, CL_ERR_USAGE, p->elems[i].element_id, "element is given twice");
    }
    return CL_OK;
}

cl_err
cl_mdoc_issue(struct cl_arena *a, const struct cl_mdoc_issue_params *p, struct cl_buf *out,
              struct cl_error *err)
{
    struct built_ns *ns = NULL;
    size_t n_ns = 0;
    struct cl_cbor *mso, *vd, *dki, *vi, *nsmap, *issuer_signed, *cred;
    struct cl_buf keyenc, msoenc, payload, auth;
    struct cl_cose_create_params cp;
    cl_err rc;

    if ((rc = check_params(p, err)) != CL_OK)
        return rc;
    cl_buf_init(&keyenc);
    cl_buf_init(&msoenc);
    cl_buf_init(&payload);
    cl_buf_init(&auth);
    ns = cl_arena_calloc(a, p->n_elems, sizeof *ns);
    if (ns == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < p->n_elems; i++) {
        struct built_ns *b = NULL;

        for (size_t j = 0; j < n_ns && b == NULL; j++)
            if (strcmp(ns[j].name, p->elems[i].ns) == 0)
                b = &ns[j];
        if (b == NULL) {
            b = &ns[n_ns++];
            b->name = p->elems[i].ns;
            b->random_len = p->random_len != 0 ? p->random_len : CL_MDOC_RANDOM_LEN;
            b->items = cl_cbor_new_array(a);
            b->digests = cl_cbor_new_map(a);
            b->ids = cl_arena_calloc(a, p->n_elems, sizeof *b->ids);
            if (b->items == NULL || b->digests == NULL || b->ids == NULL) {
                rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
                goto out;
            }
        }
        if ((rc = build_item(a, b, &p->elems[i], err)) != CL_OK)
            goto out;
    }
    /* MobileSecurityObject (§9.1.2.4) */
    mso = cl_cbor_new_map(a);
    vd = cl_cbor_new_map(a);
    dki = cl_cbor_new_map(a);
    vi = cl_cbor_new_map(a);
    nsmap = cl_cbor_new_map(a);
    if (mso == NULL || vd == NULL || dki == NULL || vi == NULL || nsmap == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_ns; i++)
        if ((rc = put(a, vd, ns[i].name, ns[i].digests, err)) != CL_OK ||
            (rc = put(a, nsmap, ns[i].name, ns[i].items, err)) != CL_OK)
            goto out;
    if ((rc = cl_cose_key_encode(p->device_key, cl_bytes_of(NULL, 0), false, &keyenc, err)) !=
        CL_OK)
        goto out;
    if ((rc = put(a, dki, "deviceKey", cl_cbor_new_raw(a, cl_arena_copy(a, cl_buf_bytes(&keyenc))),
                  err)) != CL_OK ||
        (p->key_auth != NULL && (rc = put(a, dki, "keyAuthorizations", p->key_auth, err)) != CL_OK))
        goto out;
    if ((rc = put(a, vi, "signed", tdate(a, p->signed_at != 0 ? p->signed_at : cl_now()), err)) !=
            CL_OK ||
        (rc = put(a, vi, "validFrom", tdate(a, p->valid_from), err)) != CL_OK ||
        (rc = put(a, vi, "validUntil", tdate(a, p->valid_until), err)) != CL_OK)
        goto out;
    if ((rc = put(a, mso, "version", cl_cbor_new_cstr(a, "1.0"), err)) != CL_OK ||
        (rc = put(a, mso, "digestAlgorithm", cl_cbor_new_cstr(a, "SHA-256"), err)) != CL_OK ||
        (rc = put(a, mso, "valueDigests", vd, err)) != CL_OK ||
        (rc = put(a, mso, "deviceKeyInfo", dki, err)) != CL_OK ||
        (rc = put(a, mso, "docType", cl_cbor_new_cstr(a, p->doctype), err)) != CL_OK ||
        (rc = put(a, mso, "validityInfo", vi, err)) != CL_OK)
        goto out;
    if (p->status_uri != NULL) {
        /* draft-ietf-oauth-status-list §6.3: "status": {"status_list": {"idx", "uri"}} */
        struct cl_cbor *st = cl_cbor_new_map(a), *sl = cl_cbor_new_map(a);

        if (st == NULL || sl == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
            goto out;
        }
        if ((rc = put(a, sl, "idx", cl_cbor_new_uint(a, p->status_idx), err)) != CL_OK ||
            (rc = put(a, sl, "uri", cl_cbor_new_cstr(a, p->status_uri), err)) != CL_OK ||
            (rc = put(a, st, "status_list", sl, err)) != CL_OK ||
            (rc = put(a, mso, "status", st, err)) != CL_OK)
            goto out;
    }
    if ((rc = cl_cbor_encode(&msoenc, mso, 0, err)) != CL_OK)
        goto out;
    mdoc__put_embedded(&payload, cl_buf_bytes(&msoenc));
    if ((rc = cl_buf_check(&payload, "MobileSecurityObjectBytes", err)) != CL_OK)
        goto out;
    /* issuerAuth: COSE_Sign1 over MobileSecurityObjectBytes, x5chain unprotected (§9.1.2.4) */
    memset(&cp, 0, sizeof cp);
    cp.x5chain = p->x5chain;
    cp.n_x5chain = p->n_x5chain;
    cp.payload = cl_buf_bytes(&payload);
    cp.flags = CL_COSE_UNTAGGED;
    if ((rc = cl_cose_sign1_create(p->ds_key, &cp, &auth, err)) != CL_OK)
        goto out;
    issuer_signed = cl_cbor_new_map(a);
    cred = cl_cbor_new_map(a);
    if (issuer_signed == NULL || cred == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
        goto out;
    }
    if ((rc = put(a, issuer_signed, "nameSpaces", nsmap, err)) != CL_OK ||
        (rc = put(a, issuer_signed, "issuerAuth",
                  cl_cbor_new_raw(a, cl_arena_copy(a, cl_buf_bytes(&auth))), err)) != CL_OK ||
        (rc = put(a, cred, "docType", cl_cbor_new_cstr(a, p->doctype), err)) != CL_OK ||
        (rc = put(a, cred, "issuerSigned", issuer_signed, err)) != CL_OK)
        goto out;
    rc = cl_cbor_encode(out, cred, 0, err);
out:
    cl_buf_fini(&keyenc);
    cl_buf_fini(&msoenc);
    cl_buf_fini(&payload);
    cl_buf_fini(&auth);
    return rc;
}
