/*
 * model.c - the ISO 18013-5 data model parsed strictly: IssuerSignedItemBytes, the MSO inside
 * issuerAuth, DeviceResponse documents with DeviceSigned, the credential file, and
 * SessionTranscript. Every hashed or signed part keeps the bytes it arrived as.
 */
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/time.h"
#include "mdoc/mdoc_int.h"

#include "base/banned.h"

static const char *const type_names[] = {"unsigned integer",
                                         "negative integer",
                                         "byte string",
                                         "text string",
                                         "array",
                                         "map",
                                         "tag",
                                         "simple value",
                                         "float"};

cl_err
mdoc__field(const struct cl_cbor *map, const char *key, int type, bool required, const char *where,
            const struct cl_cbor **out, struct cl_error *err)
{
    char path[MDOC_WHERE_MAX];
    const struct cl_cbor *v = cl_cbor_map_get_text(map, key);

    *out = NULL;
    if (v == NULL) {
        if (!required)
            return CL_OK;
        return cl_fail(err, CL_ERR_MISSING, mdoc__path(path, sizeof path, where, key),
                       "required field is absent");
    }
    if (type >= 0 && v->type != (uint8_t)type)
        return cl_fail(err, CL_ERR_INPUT, mdoc__path(path, sizeof path, where, key), "must be a %s",
                       type_names[type]);
    *out = v;
    return CL_OK;
}

const char *
mdoc__str(struct cl_arena *a, struct cl_bytes s)
{
    return cl_arena_strndup(a, s);
}

cl_err
mdoc__embedded(struct cl_arena *a, const struct cl_cbor *tagged, const struct cl_cbor_limits *lim,
               int type, const char *where, const struct cl_cbor **inner, struct cl_error *err)
{
    const struct cl_cbor *bstr = cl_cbor_untag(tagged, CL_CBOR_TAG_EMBEDDED);
    cl_err rc;

    *inner = NULL;
    if (bstr == NULL || bstr->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, where, "must be #6.24(bstr .cbor ...)");
    rc = cl_cbor_decode_embedded(a, tagged, lim, inner, err);
    if (rc != CL_OK) {
        cl_error_nest(err, where);
        return rc;
    }
    if (type >= 0 && (*inner)->type != (uint8_t)type) {
        *inner = NULL;
        return cl_fail(err, CL_ERR_INPUT, where, "embedded item must be a %s", type_names[type]);
    }
    return CL_OK;
}

cl_err
mdoc__tdate(const struct cl_cbor *item, const char *where, int64_t *secs, struct cl_error *err)
{
    const struct cl_cbor *t = cl_cbor_untag(item, CL_CBOR_TAG_TDATE);
    cl_err rc;

    if (t == NULL || t->type != CL_CBOR_TEXT)
        return cl_fail(err, CL_ERR_INPUT, where, "must be a tdate (tag 0 around RFC 3339 text)");
    rc = cl_rfc3339_parse(t->v.str, secs, NULL, err);
    if (rc != CL_OK)
        cl_error_nest(err, where);
    return rc;
}

void
mdoc__put_embedded(struct cl_buf *b, struct cl_bytes x)
{
    cl_cbor_put_tag(b, CL_CBOR_TAG_EMBEDDED);
    cl_cbor_put_bytes(b, x);
}

/* ---- IssuerSignedItem ---- */

static cl_err
parse_item(struct cl_arena *a, const struct cl_cbor *tagged, const struct cl_cbor_limits *lim,
           const char *where, struct cl_mdoc_item *out, struct cl_error *err)
{
    const struct cl_cbor *m, *id, *rnd, *eid, *val;
    char path[MDOC_WHERE_MAX];
    cl_err rc;

    rc = mdoc__embedded(a, tagged, lim, CL_CBOR_MAP, where, &m, err);
    if (rc != CL_OK)
        return rc;
    if ((rc = mdoc__field(m, "digestID", CL_CBOR_UINT, true, where, &id, err)) != CL_OK ||
        (rc = mdoc__field(m, "random", CL_CBOR_BYTES, true, where, &rnd, err)) != CL_OK ||
        (rc = mdoc__field(m, "elementIdentifier", CL_CBOR_TEXT, true, where, &eid, err)) != CL_OK ||
        (rc = mdoc__field(m, "elementValue", -1, true, where, &val, err)) != CL_OK)
        return rc;
    if (m->v.map.n != 4) /* ISO 18013-5 §8.3.2.1.2.2: exactly these four fields */
        return cl_fail(err, CL_ERR_INPUT, where, "IssuerSignedItem has fields beyond the four");
    if (eid->v.str.len == 0)
        return cl_fail(err, CL_ERR_INPUT, mdoc__path(path, sizeof path, where, "elementIdentifier"),
                       "element identifier is empty");
    out->digest_id = id->v.u;
    out->random = rnd->v.str;
    out->element_id = eid->v.str;
    out->value = val;
    out->bytes = tagged->raw;
    return CL_OK;
}

/* IssuerNameSpaces = {+ NameSpace => [+ IssuerSignedItemBytes]} */
static cl_err
parse_issuer_ns(struct cl_arena *a, const struct cl_cbor *map, const struct cl_cbor_limits *lim,
                const char *where, struct cl_mdoc_issuer_signed *out, struct cl_error *err)
{
    char path[MDOC_WHERE_MAX], ipath[MDOC_WHERE_MAX];
    cl_err rc;

    if (map->v.map.n == 0)
        return cl_fail(err, CL_ERR_INPUT, where, "nameSpaces is empty");
    if (map->v.map.n > CL_MDOC_MAX_NAMESPACES)
        return cl_fail(err, CL_ERR_TOO_LARGE, where, "too many namespaces");
    out->ns = cl_arena_calloc(a, map->v.map.n, sizeof *out->ns);
    if (out->ns == NULL)
        return cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
    for (size_t i = 0; i < map->v.map.n; i++) {
        const struct cl_cbor *k = &map->v.map.pair[i].key, *v = &map->v.map.pair[i].value;
        struct cl_mdoc_ns *ns = &out->ns[i];

        if (k->type != CL_CBOR_TEXT)
            return cl_fail(err, CL_ERR_INPUT, where, "namespace name must be a text string");
        snprintf(path, sizeof path, "%s.%.*s", where, (int)k->v.str.len,
                 (const char *)k->v.str.ptr);
        if (v->type != CL_CBOR_ARRAY || v->v.array.n == 0)
            return cl_fail(err, CL_ERR_INPUT, path, "must be a non-empty array of items");
        if (v->v.array.n > CL_MDOC_MAX_ITEMS)
            return cl_fail(err, CL_ERR_TOO_LARGE, path, "too many items");
        ns->name = k->v.str;
        ns->items = cl_arena_calloc(a, v->v.array.n, sizeof *ns->items);
        if (ns->items == NULL)
            return cl_fail(err, CL_ERR_NOMEM, path, "out of memory");
        for (size_t j = 0; j < v->v.array.n; j++) {
            /* errors name NS[j]: the path is formatted only when one happens */
            rc = parse_item(a, &v->v.array.item[j], lim, "", &ns->items[j], err);
            for (size_t k2 = 0; k2 < j && rc == CL_OK; k2++)
                if (ns->items[k2].digest_id == ns->items[j].digest_id ||
                    cl_bytes_eq(ns->items[k2].element_id, ns->items[j].element_id))
                    rc = cl_fail(err, CL_ERR_DUPLICATE, "",
                                 "digestID or elementIdentifier appears twice");
            if (rc != CL_OK) {
                snprintf(ipath, sizeof ipath, "%s[%zu]", path, j);
                cl_error_nest(err, ipath);
                return rc;
            }
        }
        ns->n = v->v.array.n;
    }
    out->n_ns = map->v.map.n;
    return CL_OK;
}

/* ---- MobileSecurityObject ---- */

static cl_err
parse_digest_alg(const struct cl_cbor *v, const char *where, enum cl_hash_alg *alg,
                 struct cl_error *err)
{
    /* ISO 18013-5 §9.1.2.5: "SHA-256", "SHA-384" or "SHA-512" */
    if (cl_cbor_is_text(v, "SHA-256"))
        *alg = CL_HASH_SHA256;
    else if (cl_cbor_is_text(v, "SHA-384"))
        *alg = CL_HASH_SHA384;
    else if (cl_cbor_is_text(v, "SHA-512"))
        *alg = CL_HASH_SHA512;
    else
        return cl_fail(err, CL_ERR_UNSUPPORTED, where,
                       "digest algorithm is not SHA-256, SHA-384 or SHA-512");
    return CL_OK;
}

static cl_err
parse_value_digests(struct cl_arena *a, const struct cl_cbor *vd, size_t dlen, const char *where,
                    struct cl_mdoc_mso *out, struct cl_error *err)
{
    char path[MDOC_WHERE_MAX];

    if (vd->v.map.n == 0 || vd->v.map.n > CL_MDOC_MAX_NAMESPACES)
        return cl_fail(err, CL_ERR_INPUT, where, "valueDigests must hold 1 to %d namespaces",
                       CL_MDOC_MAX_NAMESPACES);
    out->ns = cl_arena_calloc(a, vd->v.map.n, sizeof *out->ns);
    if (out->ns == NULL)
        return cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
    for (size_t i = 0; i < vd->v.map.n; i++) {
        const struct cl_cbor *k = &vd->v.map.pair[i].key, *v = &vd->v.map.pair[i].value;
        struct cl_mdoc_digests *d = &out->ns[i];

        if (k->type != CL_CBOR_TEXT)
            return cl_fail(err, CL_ERR_INPUT, where, "namespace name must be a text string");
        snprintf(path, sizeof path, "%s.%.*s", where, (int)k->v.str.len,
                 (const char *)k->v.str.ptr);
        if (v->type != CL_CBOR_MAP || v->v.map.n == 0)
            return cl_fail(err, CL_ERR_INPUT, path, "must be a non-empty map of digests");
        if (v->v.map.n > CL_MDOC_MAX_ITEMS * 4)
            return cl_fail(err, CL_ERR_TOO_LARGE, path, "too many digests");
        d->name = k->v.str;
        d->ids = cl_arena_calloc(a, v->v.map.n, sizeof *d->ids);
        d->digests = cl_arena_calloc(a, v->v.map.n, sizeof *d->digests);
        if (d->ids == NULL || d->digests == NULL)
            return cl_fail(err, CL_ERR_NOMEM, path, "out of memory");
        for (size_t j = 0; j < v->v.map.n; j++) {
            const struct cl_cbor *id = &v->v.map.pair[j].key, *dg = &v->v.map.pair[j].value;

            if (id->type != CL_CBOR_UINT || dg->type != CL_CBOR_BYTES || dg->v.str.len != dlen)
                return cl_fail(err, CL_ERR_INPUT, path,
                               "digest entries must be uint => bstr of the digest length");
            d->ids[j] = id->v.u;
            d->digests[j] = dg->v.str;
        }
        d->n = v->v.map.n;
    }
    out->n_ns = vd->v.map.n;
    return CL_OK;
}

static void
free_key(void *p)
{
    cl_key_free(p);
}

cl_err
cl_mdoc_mso_parse(struct cl_arena *a, struct cl_bytes mso_bytes, const struct cl_cbor_limits *lim,
                  struct cl_mdoc_mso *out, const struct cl_cbor **item, struct cl_error *err)
{
    static const char W[] = "issuerAuth.payload";
    const struct cl_cbor *tagged, *m, *v, *dki, *dk, *vi, *st, *sl;
    struct cl_mdoc_mso mso;
    struct cl_key *key = NULL;
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&mso, 0, sizeof mso);
    rc = cl_cbor_decode(a, mso_bytes, lim, &tagged, err);
    if (rc != CL_OK) {
        cl_error_nest(err, W);
        return rc;
    }
    /* ISO 18013-5 §9.1.2.4: MobileSecurityObjectBytes = #6.24(bstr .cbor MobileSecurityObject) */
    rc = mdoc__embedded(a, tagged, lim, CL_CBOR_MAP, "MobileSecurityObjectBytes", &m, err);
    if (rc != CL_OK)
        return rc;
    if ((rc = mdoc__field(m, "version", CL_CBOR_TEXT, true, "mso", &v, err)) != CL_OK)
        return rc;
    if (!cl_cbor_is_text(v, "1.0"))
        return cl_fail(err, CL_ERR_UNSUPPORTED, "mso.version", "MSO version is not \"1.0\"");
    if ((rc = mdoc__field(m, "digestAlgorithm", CL_CBOR_TEXT, true, "mso", &v, err)) != CL_OK ||
        (rc = parse_digest_alg(v, "mso.digestAlgorithm", &mso.digest_alg, err)) != CL_OK)
        return rc;
    if ((rc = mdoc__field(m, "valueDigests", CL_CBOR_MAP, true, "mso", &v, err)) != CL_OK ||
        (rc = parse_value_digests(a, v, cl_hash_len(mso.digest_alg), "mso.valueDigests", &mso,
                                  err)) != CL_OK)
        return rc;
    if ((rc = mdoc__field(m, "deviceKeyInfo", CL_CBOR_MAP, true, "mso", &dki, err)) != CL_OK ||
        (rc = mdoc__field(dki, "deviceKey", CL_CBOR_MAP, true, "mso.deviceKeyInfo", &dk, err)) !=
            CL_OK ||
        (rc = mdoc__field(dki, "keyAuthorizations", CL_CBOR_MAP, false, "mso.deviceKeyInfo",
                          &mso.key_auth, err)) != CL_OK)
        return rc;
    rc = cl_cose_key_from_cbor(dk, &key, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "mso.deviceKeyInfo.deviceKey");
        return rc;
    }
    if (cl_arena_defer(a, free_key, key) != CL_OK) {
        cl_key_free(key);
        return cl_fail(err, CL_ERR_NOMEM, "mso", "out of memory");
    }
    if (cl_key_has_private(key))
        return cl_fail(err, CL_ERR_INPUT, "mso.deviceKeyInfo.deviceKey",
                       "device key carries a private part");
    mso.device_key = key;
    if ((rc = mdoc__field(m, "docType", CL_CBOR_TEXT, true, "mso", &v, err)) != CL_OK)
        return rc;
    mso.doctype = v->v.str;
    if ((rc = mdoc__field(m, "validityInfo", CL_CBOR_MAP, true, "mso", &vi, err)) != CL_OK)
        return rc;
    if ((rc = mdoc__field(vi, "signed", -1, true, "mso.validityInfo", &v, err)) != CL_OK ||
        (rc = mdoc__tdate(v, "mso.validityInfo.signed", &mso.signed_at, err)) != CL_OK ||
        (rc = mdoc__field(vi, "validFrom", -1, true, "mso.validityInfo", &v, err)) != CL_OK ||
        (rc = mdoc__tdate(v, "mso.validityInfo.validFrom", &mso.valid_from, err)) != CL_OK ||
        (rc = mdoc__field(vi, "validUntil", -1, true, "mso.validityInfo", &v, err)) != CL_OK ||
        (rc = mdoc__tdate(v, "mso.validityInfo.validUntil", &mso.valid_until, err)) != CL_OK ||
        (rc = mdoc__field(vi, "expectedUpdate", -1, false, "mso.validityInfo", &v, err)) != CL_OK)
        return rc;
    if (v != NULL && (rc = mdoc__tdate(v, "mso.validityInfo.expectedUpdate", &mso.expected_update,
                                       err)) != CL_OK)
        return rc;
    if (mso.valid_until <= mso.valid_from)
        return cl_fail(err, CL_ERR_INPUT, "mso.validityInfo", "validUntil is not after validFrom");
    /* draft-ietf-oauth-status-list §6.3: "status": {"status_list": {"idx": uint, "uri": tstr}} */
    if ((rc = mdoc__field(m, "status", CL_CBOR_MAP, false, "mso", &st, err)) != CL_OK)
        return rc;
    if (st != NULL) {
        const struct cl_cbor *idx, *uri;

        if ((rc = mdoc__field(st, "status_list", CL_CBOR_MAP, false, "mso.status", &sl, err)) !=
            CL_OK)
            return rc;
        if (sl != NULL) {
            if ((rc = mdoc__field(sl, "idx", CL_CBOR_UINT, true, "mso.status.status_list", &idx,
                                  err)) != CL_OK ||
                (rc = mdoc__field(sl, "uri", CL_CBOR_TEXT, true, "mso.status.status_list", &uri,
                                  err)) != CL_OK)
                return rc;
            mso.has_status = true;
            mso.status_idx = idx->v.u;
            mso.status_uri = uri->v.str;
        }
    }
    *out = mso;
    if (item != NULL)
        *item = m;
    return CL_OK;
}

/* ---- IssuerSigned ---- */

cl_err
cl_mdoc_issuer_signed_parse(struct cl_arena *a, const struct cl_cbor *item,
                            const struct cl_cbor_limits *lim, struct cl_mdoc_issuer_signed *out,
                            struct cl_error *err)
{
    const struct cl_cbor *ns, *auth, *payload;
    struct cl_mdoc_issuer_signed is;
    struct cl_mdoc_mso mso;
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&is, 0, sizeof is);
    if (item->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "issuerSigned", "must be a map");
    if ((rc = mdoc__field(item, "nameSpaces", CL_CBOR_MAP, false, "issuerSigned", &ns, err)) !=
            CL_OK ||
        (rc = mdoc__field(item, "issuerAuth", -1, true, "issuerSigned", &auth, err)) != CL_OK)
        return rc;
    if (ns != NULL &&
        (rc = parse_issuer_ns(a, ns, lim, "issuerSigned.nameSpaces", &is, err)) != CL_OK)
        return rc;
    if (auth == NULL) /* required above; says so to the optimizer too */
        return cl_fail(err, CL_ERR_MISSING, "issuerSigned.issuerAuth", "missing");
    is.auth_raw = auth->raw;
    /* ISO 18013-5 §9.1.2.4: IssuerAuth = COSE_Sign1, untagged in the standard's CDDL */
    rc = cl_cose_decode(a, auth->raw, CL_COSE_SIGN1, CL_COSE_ACCEPT_UNTAGGED, lim, &is.auth, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuerSigned.issuerAuth");
        return rc;
    }
    if (is.auth.detached)
        return cl_fail(err, CL_ERR_MISSING, "issuerSigned.issuerAuth.payload",
                       "issuerAuth carries no MSO payload");
    is.mso_bytes = is.auth.payload;
    rc = cl_mdoc_mso_parse(a, is.mso_bytes, lim, &mso, &payload, err);
    if (rc != CL_OK)
        return rc;
    is.mso_item = payload;
    is.mso = mso;
    is.raw = item->raw;
    *out = is;
    return CL_OK;
}

cl_err
cl_mdoc_credential_parse(struct cl_arena *a, struct cl_bytes in, const struct cl_cbor_limits *lim,
                         struct cl_bytes *doctype, struct cl_mdoc_issuer_signed *out,
                         struct cl_error *err)
{
    const struct cl_cbor *root, *dt, *is;
    cl_err rc;

    memset(out, 0, sizeof *out);
    rc = cl_cbor_decode(a, in, lim, &root, err);
    if (rc != CL_OK)
        return rc;
    if (root->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "credential", "must be a map {docType, issuerSigned}");
    if ((rc = mdoc__field(root, "docType", CL_CBOR_TEXT, true, "credential", &dt, err)) != CL_OK ||
        (rc = mdoc__field(root, "issuerSigned", CL_CBOR_MAP, true, "credential", &is, err)) !=
            CL_OK)
        return rc;
    rc = cl_mdoc_issuer_signed_parse(a, is, lim, out, err);
    if (rc == CL_OK)
        *doctype = dt->v.str;
    return rc;
}

/* ---- DeviceResponse ---- */

static cl_err
parse_device_signed(struct cl_arena *a, const struct cl_cbor *ds, const struct cl_cbor_limits *lim,
                    const char *where, struct cl_mdoc_document *d, struct cl_error *err)
{
    const struct cl_cbor *nsb, *nsm, *da, *sig, *mac;
    char path[MDOC_WHERE_MAX];
    cl_err rc;

    if ((rc = mdoc__field(ds, "nameSpaces", CL_CBOR_TAG, true, where, &nsb, err)) != CL_OK ||
        (rc = mdoc__embedded(a, nsb, lim, CL_CBOR_MAP,
                             mdoc__path(path, sizeof path, where, "nameSpaces"), &nsm, err)) !=
            CL_OK)
        return rc;
    /* DeviceNameSpaces = {* NameSpace => {+ DataElementIdentifier => DataElementValue}} */
    for (size_t i = 0; i < nsm->v.map.n; i++)
        if (nsm->v.map.pair[i].key.type != CL_CBOR_TEXT ||
            nsm->v.map.pair[i].value.type != CL_CBOR_MAP)
            return cl_fail(err, CL_ERR_INPUT, path, "must map namespaces to maps of elements");
        else
            for (size_t j = 0; j < nsm->v.map.pair[i].value.v.map.n; j++)
                if (nsm->v.map.pair[i].value.v.map.pair[j].key.type != CL_CBOR_TEXT)
                    return cl_fail(err, CL_ERR_INPUT, path,
                                   "element identifiers must be text strings");
    d->device_ns_bytes = nsb->raw;
    d->device_ns = nsm;
    if ((rc = mdoc__field(ds, "deviceAuth", CL_CBOR_MAP, true, where, &da, err)) != CL_OK)
        return rc;
    mdoc__path(path, sizeof path, where, "deviceAuth");
    if ((rc = mdoc__field(da, "deviceSignature", -1, false, path, &sig, err)) != CL_OK ||
        (rc = mdoc__field(da, "deviceMac", -1, false, path, &mac, err)) != CL_OK)
        return rc;
    if ((sig == NULL) == (mac == NULL) || da->v.map.n != 1)
        return cl_fail(err, CL_ERR_INPUT, path,
                       "must hold exactly one of deviceSignature and deviceMac");
    d->device_mac = mac != NULL;
    d->device_auth_raw = mac != NULL ? mac->raw : sig->raw;
    rc = cl_cose_decode(a, d->device_auth_raw, mac != NULL ? CL_COSE_MAC0 : CL_COSE_SIGN1,
                        CL_COSE_ACCEPT_UNTAGGED, lim, &d->device_auth, err);
    if (rc != CL_OK) {
        cl_error_nest(err, path);
        return rc;
    }
    d->has_device = true;
    return CL_OK;
}

static cl_err
parse_document(struct cl_arena *a, const struct cl_cbor *m, const struct cl_cbor_limits *lim,
               const char *where, struct cl_mdoc_document *d, struct cl_error *err)
{
    const struct cl_cbor *dt, *is, *ds, *errs;
    cl_err rc;

    if (m->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, where, "document must be a map");
    if ((rc = mdoc__field(m, "docType", CL_CBOR_TEXT, true, where, &dt, err)) != CL_OK ||
        (rc = mdoc__field(m, "issuerSigned", CL_CBOR_MAP, true, where, &is, err)) != CL_OK ||
        (rc = mdoc__field(m, "deviceSigned", CL_CBOR_MAP, true, where, &ds, err)) != CL_OK ||
        (rc = mdoc__field(m, "errors", CL_CBOR_MAP, false, where, &errs, err)) != CL_OK)
        return rc;
    d->doctype = dt->v.str;
    d->errors = errs;
    rc = cl_mdoc_issuer_signed_parse(a, is, lim, &d->issuer, err);
    if (rc != CL_OK) {
        cl_error_nest(err, where);
        return rc;
    }
    rc = parse_device_signed(a, ds, lim, "deviceSigned", d, err);
    if (rc != CL_OK)
        cl_error_nest(err, where);
    return rc;
}

cl_err
cl_mdoc_response_parse(struct cl_arena *a, struct cl_bytes in, const struct cl_cbor_limits *lim,
                       struct cl_mdoc_response *out, struct cl_error *err)
{
    const struct cl_cbor *root, *v, *docs, *st;
    struct cl_mdoc_response r;
    char path[MDOC_WHERE_MAX];
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&r, 0, sizeof r);
    rc = cl_cbor_decode(a, in, lim, &root, err);
    if (rc != CL_OK)
        return rc;
    if (root->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "DeviceResponse", "must be a map");
    if ((rc = mdoc__field(root, "version", CL_CBOR_TEXT, true, "DeviceResponse", &v, err)) != CL_OK)
        return rc;
    if (!cl_cbor_is_text(v, "1.0"))
        return cl_fail(err, CL_ERR_UNSUPPORTED, "DeviceResponse.version", "version is not \"1.0\"");
    r.version = v->v.str;
    if ((rc = mdoc__field(root, "documents", CL_CBOR_ARRAY, false, "DeviceResponse", &docs, err)) !=
            CL_OK ||
        (rc = mdoc__field(root, "documentErrors", CL_CBOR_ARRAY, false, "DeviceResponse",
                          &r.document_errors, err)) != CL_OK ||
        (rc = mdoc__field(root, "status", CL_CBOR_UINT, true, "DeviceResponse", &st, err)) != CL_OK)
        return rc;
    r.status = st->v.u;
    if (docs != NULL) {
        if (docs->v.array.n > CL_MDOC_MAX_DOCS)
            return cl_fail(err, CL_ERR_TOO_LARGE, "documents", "too many documents");
        r.docs = cl_arena_calloc(a, docs->v.array.n + 1, sizeof *r.docs);
        if (r.docs == NULL)
            return cl_fail(err, CL_ERR_NOMEM, "documents", "out of memory");
        for (size_t i = 0; i < docs->v.array.n; i++) {
            snprintf(path, sizeof path, "documents[%zu]", i);
            rc = parse_document(a, &docs->v.array.item[i], lim, path, &r.docs[i], err);
            if (rc != CL_OK)
                return rc;
        }
        r.n_docs = docs->v.array.n;
    }
    *out = r;
    return CL_OK;
}

/* ---- SessionTranscript ---- */

cl_err
cl_mdoc_transcript_read(struct cl_arena *a, struct cl_bytes in, struct cl_mdoc_transcript *out,
                        struct cl_error *err)
{
    const struct cl_cbor *root, *inner;
    struct cl_buf b;
    cl_err rc;

    memset(out, 0, sizeof *out);
    rc = cl_cbor_decode(a, in, NULL, &root, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "SessionTranscript");
        return rc;
    }
    if (root->type == CL_CBOR_TAG) {
        rc = mdoc__embedded(a, root, NULL, CL_CBOR_ARRAY, "SessionTranscriptBytes", &inner, err);
        if (rc != CL_OK)
            return rc;
        out->st = inner->raw;
        out->st_bytes = root->raw;
        return CL_OK;
    }
    if (root->type != CL_CBOR_ARRAY)
        return cl_fail(err, CL_ERR_INPUT, "SessionTranscript",
                       "must be an array or #6.24(bstr .cbor array)");
    /* ISO 18013-5 §9.1.5.1: SessionTranscriptBytes = #6.24(bstr .cbor SessionTranscript) */
    cl_buf_init(&b);
    mdoc__put_embedded(&b, root->raw);
    if (cl_buf_check(&b, "SessionTranscriptBytes", err) != CL_OK) {
        cl_buf_fini(&b);
        return err != NULL ? err->code : CL_ERR_NOMEM;
    }
    out->st_bytes = cl_arena_copy(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    if (out->st_bytes.ptr == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "SessionTranscript", "out of memory");
    out->st = root->raw;
    return CL_OK;
}

cl_err
cl_mdoc_transcript_make_test(struct cl_bytes nonce, struct cl_buf *out, struct cl_error *err)
{
    cl_cbor_put_array(out, 3);
    cl_cbor_put_null(out); /* DeviceEngagementBytes: none (not a proximity session) */
    cl_cbor_put_null(out); /* EReaderKeyBytes: none */
    cl_cbor_put_array(out, 2);
    cl_cbor_put_cstr(out, "cardless-test");
    cl_cbor_put_bytes(out, nonce);
    return cl_buf_check(out, "SessionTranscript", err);
}

/* ---- DeviceAuthentication and EMacKey ---- */

cl_err
mdoc__device_auth_bytes(const struct cl_mdoc_transcript *t, struct cl_bytes doctype,
                        struct cl_bytes device_ns_bytes, struct cl_buf *out, struct cl_error *err)
{
    struct cl_buf inner;
    cl_err rc;

    /* ISO 18013-5 §9.1.3.4: DeviceAuthentication = ["DeviceAuthentication", SessionTranscript,
     * DocType, DeviceNameSpacesBytes]; DeviceAuthenticationBytes = #6.24(bstr .cbor it).
     * SessionTranscript and DeviceNameSpacesBytes go in as received. */
    cl_buf_init(&inner);
    cl_cbor_put_array(&inner, 4);
    cl_cbor_put_cstr(&inner, "DeviceAuthentication");
    cl_cbor_put_raw(&inner, t->st);
    cl_cbor_put_text(&inner, doctype);
    cl_cbor_put_raw(&inner, device_ns_bytes);
    rc = cl_buf_check(&inner, "DeviceAuthentication", err);
    if (rc == CL_OK) {
        mdoc__put_embedded(out, cl_buf_bytes(&inner));
        rc = cl_buf_check(out, "DeviceAuthenticationBytes", err);
    }
    cl_buf_fini(&inner);
    return rc;
}

cl_err
mdoc__emac_key(const struct cl_key *priv, const struct cl_key *pub,
               const struct cl_mdoc_transcript *t, uint8_t key[32], struct cl_error *err)
{
    uint8_t z[CL_EC_COORD_MAX], salt[32];
    size_t zlen = 0;
    cl_err rc;

    rc = cl_ecdh(priv, pub, z, &zlen, err);
    if (rc == CL_OK)
        rc = cl_hash(CL_HASH_SHA256, t->st_bytes, salt, err);
    if (rc == CL_OK)
        rc = cl_hkdf(CL_HASH_SHA256, cl_bytes_of(salt, sizeof salt), cl_bytes_of(z, zlen),
                     cl_bytes_str("EMacKey"), key, 32, err);
    cl_wipe(z, sizeof z);
    return rc;
}
