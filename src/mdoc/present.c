/*
 * present.c - the mdoc holder (ISO 18013-5 §8.3.2.1.2.2, §9.1.3): a DeviceResponse disclosing
 * exactly the selected elements, IssuerSignedItemBytes and issuerAuth copied verbatim, device
 * authentication by signature or MAC over DeviceAuthenticationBytes.
 */
#include <string.h>

#include "cardless/alloc.h"
#include "mdoc/mdoc_int.h"

#include "base/banned.h"

static const struct cl_mdoc_item *
find_item(const struct cl_mdoc_issuer_signed *is, struct cl_mdoc_sel s)
{
    for (size_t i = 0; i < is->n_ns; i++)
        if (cl_bytes_eq(is->ns[i].name, s.ns))
            for (size_t j = 0; j < is->ns[i].n; j++)
                if (cl_bytes_eq(is->ns[i].items[j].element_id, s.element_id))
                    return &is->ns[i].items[j];
    return NULL;
}

/* The map value under text key k in map, creating an empty map (or array) there if absent. */
static struct cl_cbor *
child(struct cl_arena *a, struct cl_cbor *map, struct cl_bytes k, bool array)
{
    for (size_t i = 0; i < map->v.map.n; i++)
        if (cl_bytes_eq(map->v.map.pair[i].key.v.str, k))
            return &map->v.map.pair[i].value;
    {
        struct cl_cbor *v = array ? cl_cbor_new_array(a) : cl_cbor_new_map(a);
        struct cl_cbor *key = cl_cbor_new_text(a, k);

        if (v == NULL || key == NULL || cl_cbor_map_put(a, map, key, v) != CL_OK)
            return NULL;
        return &map->v.map.pair[map->v.map.n - 1].value;
    }
}

static cl_err
put(struct cl_arena *a, struct cl_cbor *map, const char *key, const struct cl_cbor *value,
    struct cl_error *err)
{
    struct cl_cbor *k = cl_cbor_new_cstr(a, key);

    if (value == NULL || k == NULL || cl_cbor_map_put(a, map, k, value) != CL_OK)
        return cl_fail(err, CL_ERR_NOMEM, key, "out of memory");
    return CL_OK;
}

static struct cl_cbor *
raw_copy(struct cl_arena *a, struct cl_bytes b)
{
    struct cl_bytes c = cl_arena_copy(a, b);

    return c.ptr != NULL ? cl_cbor_new_raw(a, c) : NULL;
}

cl_err
cl_mdoc_present(struct cl_arena *a, const struct cl_mdoc_present_params *p, struct cl_buf *out,
                struct cl_error *err)
{
    static const uint8_t empty_map[] = {0xa0};
    struct cl_cbor *nsmap, *errmap, *is, *ds, *da, *doc, *resp, *docs;
    struct cl_buf dnsb, dab, auth;
    struct cl_cose_create_params cp;
    size_t disclosed = 0, missing = 0;
    uint8_t key[32];
    cl_err rc;

    if (p->cred == NULL || p->device_key == NULL || !cl_key_has_private(p->device_key) ||
        p->transcript == NULL)
        return cl_fail(err, CL_ERR_USAGE, "present",
                       "a credential, the device private key and a SessionTranscript are needed");
    if (!cl_key_equal_public(p->device_key, p->cred->mso.device_key))
        return cl_fail(err, CL_ERR_USAGE, "device-key",
                       "device key is not the one the credential is bound to");
    cl_buf_init(&dnsb);
    cl_buf_init(&dab);
    cl_buf_init(&auth);
    nsmap = cl_cbor_new_map(a);
    errmap = cl_cbor_new_map(a);
    is = cl_cbor_new_map(a);
    ds = cl_cbor_new_map(a);
    da = cl_cbor_new_map(a);
    doc = cl_cbor_new_map(a);
    resp = cl_cbor_new_map(a);
    docs = cl_cbor_new_array(a);
    if (nsmap == NULL || errmap == NULL || is == NULL || ds == NULL || da == NULL || doc == NULL ||
        resp == NULL || docs == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "present", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < p->n_sel; i++) {
        const struct cl_mdoc_item *it = find_item(p->cred, p->sel[i]);
        struct cl_cbor *c;
        bool dup = false;

        for (size_t j = 0; j < i; j++)
            dup = dup || (cl_bytes_eq(p->sel[j].ns, p->sel[i].ns) &&
                          cl_bytes_eq(p->sel[j].element_id, p->sel[i].element_id));
        if (dup)
            continue;
        if (it != NULL) {
            /* IssuerSignedItemBytes exactly as issued: never re-encoded */
            c = child(a, nsmap, p->sel[i].ns, true);
            if (c == NULL || cl_cbor_array_push(a, c, raw_copy(a, it->bytes)) != CL_OK) {
                rc = cl_fail(err, CL_ERR_NOMEM, "present", "out of memory");
                goto out;
            }
            disclosed++;
        } else {
            /* ISO 18013-5 §8.3.2.1.2.3: Errors = {ns: {element: ErrorCode}}, 0 = not returned */
            c = child(a, errmap, p->sel[i].ns, false);
            if (c == NULL ||
                cl_cbor_map_put(a, c, cl_cbor_new_text(a, p->sel[i].element_id),
                                cl_cbor_new_uint(a, CL_MDOC_ERR_DATA_NOT_RETURNED)) != CL_OK) {
                rc = cl_fail(err, CL_ERR_NOMEM, "present", "out of memory");
                goto out;
            }
            missing++;
        }
    }
    /* DeviceNameSpacesBytes = #6.24(bstr .cbor DeviceNameSpaces), {} when nothing is
     * device-signed */
    if (p->device_ns == NULL) {
        mdoc__put_embedded(&dnsb, cl_bytes_of(empty_map, sizeof empty_map));
    } else {
        struct cl_buf tmp;

        if (p->device_ns->type != CL_CBOR_MAP) {
            rc = cl_fail(err, CL_ERR_USAGE, "device_ns", "DeviceNameSpaces must be a map");
            goto out;
        }
        cl_buf_init(&tmp);
        rc = cl_cbor_encode(&tmp, p->device_ns, 0, err);
        if (rc == CL_OK)
            mdoc__put_embedded(&dnsb, cl_buf_bytes(&tmp));
        cl_buf_fini(&tmp);
        if (rc != CL_OK)
            goto out;
    }
    if ((rc = cl_buf_check(&dnsb, "DeviceNameSpacesBytes", err)) != CL_OK ||
        (rc = mdoc__device_auth_bytes(p->transcript, p->doctype, cl_buf_bytes(&dnsb), &dab, err)) !=
            CL_OK)
        goto out;
    memset(&cp, 0, sizeof cp);
    cp.payload = cl_buf_bytes(&dab);
    cp.flags = CL_COSE_UNTAGGED | CL_COSE_DETACHED;
    if (p->reader_pub == NULL) {
        rc = cl_cose_sign1_create(p->device_key, &cp, &auth, err);
    } else {
        cp.alg = CL_COSE_ALG_HMAC256; /* ISO 18013-5 §9.1.3.5: HMAC 256/256 */
        rc = mdoc__emac_key(p->device_key, p->reader_pub, p->transcript, key, err);
        if (rc == CL_OK)
            rc = cl_cose_mac0_create(cl_bytes_of(key, sizeof key), &cp, &auth, err);
        cl_wipe(key, sizeof key);
    }
    if (rc != CL_OK)
        goto out;
    if ((rc = put(a, da, p->reader_pub == NULL ? "deviceSignature" : "deviceMac",
                  raw_copy(a, cl_buf_bytes(&auth)), err)) != CL_OK ||
        (rc = put(a, ds, "nameSpaces", raw_copy(a, cl_buf_bytes(&dnsb)), err)) != CL_OK ||
        (rc = put(a, ds, "deviceAuth", da, err)) != CL_OK)
        goto out;
    if ((disclosed > 0 && (rc = put(a, is, "nameSpaces", nsmap, err)) != CL_OK) ||
        (rc = put(a, is, "issuerAuth", raw_copy(a, p->cred->auth_raw), err)) != CL_OK ||
        (rc = put(a, doc, "docType", cl_cbor_new_text(a, p->doctype), err)) != CL_OK ||
        (rc = put(a, doc, "issuerSigned", is, err)) != CL_OK ||
        (rc = put(a, doc, "deviceSigned", ds, err)) != CL_OK ||
        (missing > 0 && (rc = put(a, doc, "errors", errmap, err)) != CL_OK))
        goto out;
    if (cl_cbor_array_push(a, docs, doc) != CL_OK) {
        rc = cl_fail(err, CL_ERR_NOMEM, "present", "out of memory");
        goto out;
    }
    if ((rc = put(a, resp, "version", cl_cbor_new_cstr(a, "1.0"), err)) != CL_OK ||
        (rc = put(a, resp, "documents", docs, err)) != CL_OK ||
        (rc = put(a, resp, "status", cl_cbor_new_uint(a, CL_MDOC_STATUS_OK), err)) != CL_OK)
        goto out;
    rc = cl_cbor_encode(out, resp, 0, err);
out:
    cl_buf_fini(&dnsb);
    cl_buf_fini(&dab);
    cl_buf_fini(&auth);
    return rc;
}
