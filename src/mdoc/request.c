/*
 * request.c - DeviceRequest (ISO 18013-5 §8.3.2.1.2.1): parse with ItemsRequestBytes kept as
 * received, build one, and verify readerAuth over ReaderAuthenticationBytes (§9.1.4).
 */
#include <string.h>

#include "cardless/limits.h"
#include "mdoc/mdoc_int.h"

#include "base/banned.h"

static cl_err
parse_items(struct cl_arena *a, const struct cl_cbor *ir, const char *where,
            struct cl_mdoc_doc_request *dr, struct cl_error *err)
{
    const struct cl_cbor *dt, *ns, *ri;
    char path[MDOC_WHERE_MAX];
    size_t total = 0, k = 0;
    cl_err rc;

    if ((rc = mdoc__field(ir, "docType", CL_CBOR_TEXT, true, where, &dt, err)) != CL_OK ||
        (rc = mdoc__field(ir, "nameSpaces", CL_CBOR_MAP, true, where, &ns, err)) != CL_OK ||
        (rc = mdoc__field(ir, "requestInfo", CL_CBOR_MAP, false, where, &ri, err)) != CL_OK)
        return rc;
    dr->doctype = dt->v.str;
    if (ns->v.map.n > CL_MDOC_MAX_NAMESPACES)
        return cl_fail(err, CL_ERR_TOO_LARGE, where, "too many namespaces");
    for (size_t i = 0; i < ns->v.map.n; i++) {
        const struct cl_cbor *k1 = &ns->v.map.pair[i].key, *v = &ns->v.map.pair[i].value;

        mdoc__path(path, sizeof path, where, "nameSpaces");
        if (k1->type != CL_CBOR_TEXT || v->type != CL_CBOR_MAP || v->v.map.n == 0)
            return cl_fail(err, CL_ERR_INPUT, path,
                           "must map namespace names to non-empty maps of elements");
        if (v->v.map.n > CL_MDOC_MAX_ITEMS)
            return cl_fail(err, CL_ERR_TOO_LARGE, path, "too many elements");
        total += v->v.map.n;
    }
    dr->elems = cl_arena_calloc(a, total + 1, sizeof *dr->elems);
    if (dr->elems == NULL)
        return cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
    for (size_t i = 0; i < ns->v.map.n; i++) {
        const struct cl_cbor *v = &ns->v.map.pair[i].value;

        for (size_t j = 0; j < v->v.map.n; j++) {
            const struct cl_cbor *e = &v->v.map.pair[j].key, *r = &v->v.map.pair[j].value;
            bool retain;

            /* DataElements = {+ DataElementIdentifier => IntentToRetain (bool)} */
            if (e->type != CL_CBOR_TEXT || !cl_cbor_get_bool(r, &retain))
                return cl_fail(err, CL_ERR_INPUT,
                               mdoc__path(path, sizeof path, where, "nameSpaces"),
                               "element identifiers must map to intentToRetain booleans");
            dr->elems[k].ns = ns->v.map.pair[i].key.v.str;
            dr->elems[k].element_id = e->v.str;
            dr->elems[k].intent_to_retain = retain;
            k++;
        }
    }
    dr->n_elems = k;
    return CL_OK;
}

cl_err
cl_mdoc_request_parse(struct cl_arena *a, struct cl_bytes in, const struct cl_cbor_limits *lim,
                      struct cl_mdoc_request *out, struct cl_error *err)
{
    const struct cl_cbor *root, *v, *drs;
    struct cl_mdoc_request r;
    char path[MDOC_WHERE_MAX];
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&r, 0, sizeof r);
    rc = cl_cbor_decode(a, in, lim, &root, err);
    if (rc != CL_OK)
        return rc;
    if (root->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "DeviceRequest", "must be a map");
    if ((rc = mdoc__field(root, "version", CL_CBOR_TEXT, true, "DeviceRequest", &v, err)) != CL_OK)
        return rc;
    if (!cl_cbor_is_text(v, "1.0"))
        return cl_fail(err, CL_ERR_UNSUPPORTED, "DeviceRequest.version", "version is not \"1.0\"");
    r.version = v->v.str;
    if ((rc = mdoc__field(root, "docRequests", CL_CBOR_ARRAY, true, "DeviceRequest", &drs, err)) !=
        CL_OK)
        return rc;
    if (drs->v.array.n == 0 || drs->v.array.n > CL_MDOC_MAX_DOCS)
        return cl_fail(err, CL_ERR_INPUT, "DeviceRequest.docRequests",
                       "must hold 1 to %d document requests", CL_MDOC_MAX_DOCS);
    r.docs = cl_arena_calloc(a, drs->v.array.n, sizeof *r.docs);
    if (r.docs == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "DeviceRequest", "out of memory");
    for (size_t i = 0; i < drs->v.array.n; i++) {
        const struct cl_cbor *d = &drs->v.array.item[i], *irb, *ir, *ra;
        struct cl_mdoc_doc_request *dr = &r.docs[i];
        char ipath[MDOC_WHERE_MAX];

        snprintf(path, sizeof path, "docRequests[%zu]", i);
        if (d->type != CL_CBOR_MAP)
            return cl_fail(err, CL_ERR_INPUT, path, "must be a map");
        if ((rc = mdoc__field(d, "itemsRequest", CL_CBOR_TAG, true, path, &irb, err)) != CL_OK ||
            (rc = mdoc__embedded(a, irb, lim, CL_CBOR_MAP,
                                 mdoc__path(ipath, sizeof ipath, path, "itemsRequest"), &ir,
                                 err)) != CL_OK ||
            (rc = parse_items(a, ir, ipath, dr, err)) != CL_OK ||
            (rc = mdoc__field(d, "readerAuth", -1, false, path, &ra, err)) != CL_OK)
            return rc;
        dr->items_request_bytes = irb->raw;
        if (ra != NULL) {
            dr->reader_auth_raw = ra->raw;
            rc = cl_cose_decode(a, ra->raw, CL_COSE_SIGN1, CL_COSE_ACCEPT_UNTAGGED, lim,
                                &dr->reader_auth, err);
            if (rc != CL_OK) {
                cl_error_nest(err, mdoc__path(ipath, sizeof ipath, path, "readerAuth"));
                return rc;
            }
            dr->has_reader_auth = true;
        }
    }
    r.n_docs = drs->v.array.n;
    *out = r;
    return CL_OK;
}

cl_err
cl_mdoc_request_make(const char *doctype, const struct cl_mdoc_sel *sel, size_t n_sel, bool retain,
                     struct cl_buf *out, struct cl_error *err)
{
    struct cl_arena a;
    struct cl_cbor *ir, *nsmap;
    struct cl_buf irb;
    cl_err rc = CL_OK;

    if (doctype == NULL || n_sel == 0)
        return cl_fail(err, CL_ERR_USAGE, "request",
                       "a docType and at least one element are needed");
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&irb);
    ir = cl_cbor_new_map(&a);
    nsmap = cl_cbor_new_map(&a);
    if (ir == NULL || nsmap == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "request", "out of memory");
        goto out;
    }
    /* group the elements by namespace: {ns: {element: intentToRetain}} */
    for (size_t i = 0; i < n_sel && rc == CL_OK; i++) {
        struct cl_cbor *em = NULL;
        bool seen = false;

        for (size_t j = 0; j < i; j++)
            if (cl_bytes_eq(sel[j].ns, sel[i].ns))
                seen = true;
        if (seen)
            continue;
        em = cl_cbor_new_map(&a);
        if (em == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "request", "out of memory");
            break;
        }
        for (size_t j = i; j < n_sel && rc == CL_OK; j++)
            if (cl_bytes_eq(sel[j].ns, sel[i].ns))
                rc = cl_cbor_map_put(&a, em, cl_cbor_new_text(&a, sel[j].element_id),
                                     cl_cbor_new_bool(&a, retain));
        if (rc == CL_OK)
            rc = cl_cbor_map_put(&a, nsmap, cl_cbor_new_text(&a, sel[i].ns), em);
        if (rc != CL_OK)
            rc = cl_fail(err, rc, "request", "an element is named twice or memory ran out");
    }
    if (rc != CL_OK)
        goto out;
    if ((rc = cl_cbor_map_put(&a, ir, cl_cbor_new_cstr(&a, "docType"),
                              cl_cbor_new_cstr(&a, doctype))) != CL_OK ||
        (rc = cl_cbor_map_put(&a, ir, cl_cbor_new_cstr(&a, "nameSpaces"), nsmap)) != CL_OK) {
        rc = cl_fail(err, rc, "request", "out of memory");
        goto out;
    }
    rc = cl_cbor_encode(&irb, ir, 0, err);
    if (rc != CL_OK)
        goto out;
    cl_cbor_put_map(out, 2);
    cl_cbor_put_cstr(out, "version");
    cl_cbor_put_cstr(out, "1.0");
    cl_cbor_put_cstr(out, "docRequests");
    cl_cbor_put_array(out, 1);
    cl_cbor_put_map(out, 1);
    cl_cbor_put_cstr(out, "itemsRequest");
    mdoc__put_embedded(out, cl_buf_bytes(&irb));
    rc = cl_buf_check(out, "DeviceRequest", err);
out:
    cl_buf_fini(&irb);
    cl_arena_fini(&a);
    return rc;
}

cl_err
cl_mdoc_reader_auth_verify(struct cl_arena *a, const struct cl_mdoc_doc_request *dr,
                           const struct cl_mdoc_transcript *t, const struct cl_x509_list *anchors,
                           int64_t at, struct cl_error *err)
{
    static const int64_t algs[] = {CL_COSE_ALG_ES256, CL_COSE_ALG_ES384, CL_COSE_ALG_ES512};
    struct cl_cose_verify_opts vo;
    struct cl_bytes *certs = NULL, payload;
    struct cl_x509_list chain;
    struct cl_x509_cert *leaf = NULL;
    struct cl_key *key = NULL;
    struct cl_buf inner, rab;
    size_t n = 0;
    cl_err rc;

    if (!dr->has_reader_auth)
        return cl_fail(err, CL_ERR_MISSING, "readerAuth", "the request carries no readerAuth");
    if (t == NULL)
        return cl_fail(err, CL_ERR_MISSING, "readerAuth", "a SessionTranscript is needed");
    cl_x509_list_init(&chain);
    cl_buf_init(&inner);
    cl_buf_init(&rab);
    rc = cl_cose_header_x5chain(a, &dr->reader_auth, &certs, &n, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "readerAuth");
        goto out;
    }
    for (size_t i = 0; i < n && rc == CL_OK; i++) {
        struct cl_x509_cert *c = NULL;

        rc = cl_x509_cert_from_der(certs[i], &c, err);
        if (rc == CL_OK) {
            rc = cl_x509_list_add(&chain, c, err);
            cl_x509_cert_free(c);
        }
    }
    if (rc != CL_OK) {
        cl_error_nest(err, "readerAuth.x5chain");
        goto out;
    }
    leaf = chain.certs[0];
    if ((rc = cl_x509_cert_key(leaf, &key, err)) != CL_OK)
        goto out;
    /* ISO 18013-5 §9.1.4: ReaderAuthentication = ["ReaderAuthentication", SessionTranscript,
     * ItemsRequestBytes], signed as ReaderAuthenticationBytes = #6.24(bstr .cbor it) */
    cl_cbor_put_array(&inner, 3);
    cl_cbor_put_cstr(&inner, "ReaderAuthentication");
    cl_cbor_put_raw(&inner, t->st);
    cl_cbor_put_raw(&inner, dr->items_request_bytes);
    mdoc__put_embedded(&rab, cl_buf_bytes(&inner));
    if ((rc = cl_buf_check(&rab, "ReaderAuthenticationBytes", err)) != CL_OK)
        goto out;
    payload = cl_buf_bytes(&rab);
    memset(&vo, 0, sizeof vo);
    vo.algs = algs;
    vo.n_algs = CL_ARRAY_LEN(algs);
    vo.detached = &payload;
    rc = cl_cose_sign1_verify(&dr->reader_auth, key, &vo, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "readerAuth");
        goto out;
    }
    if (anchors != NULL) {
        rc = cl_x509_chain_verify(&chain, anchors, at, NULL, err);
        if (rc != CL_OK)
            cl_error_nest(err, "readerAuth.x5chain");
    }
out:
    cl_key_free(key);
    cl_x509_list_fini(&chain);
    cl_buf_fini(&inner);
    cl_buf_fini(&rab);
    return rc;
}
