/*
 * verify.c - the mdoc verifier (ISO 18013-5 §9.3.1): issuer data authentication, the DS chain
 * and profile, validity, every digest over the received item bytes, device authentication by
 * signature or MAC, keyAuthorizations; and the cache of validated DS chains.
 */
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/limits.h"
#include "cardless/time.h"
#include "mdoc/mdoc_int.h"

#include "base/banned.h"

/* ---- the DS chain cache ---- */

#define TRUST_SLOTS 16

struct trust_entry {
    bool used;
    uint8_t hash[32]; /* SHA-256 over (len || DER) of every x5chain certificate */
    int64_t win_from; /* intersection of the validity periods of chain and anchor */
    int64_t win_until;
    int64_t ds_nb, ds_na; /* the DS certificate's own validity */
    struct cl_key *key;   /* DS public key (a reference of the cache's own) */
    char *subject;        /* DS subject, RFC 4514, cl_malloc'd */
    char country[3];
};

struct cl_mdoc_trust {
    const struct cl_x509_list *anchors;
    struct trust_entry slot[TRUST_SLOTS];
    size_t next; /* round-robin replacement */
};

static void
entry_clear(struct trust_entry *e)
{
    cl_key_free(e->key);
    cl_free(e->subject);
    memset(e, 0, sizeof *e);
}

cl_err
cl_mdoc_trust_new(const struct cl_x509_list *anchors, struct cl_mdoc_trust **out,
                  struct cl_error *err)
{
    struct cl_mdoc_trust *t;

    *out = NULL;
    if (anchors == NULL || anchors->count == 0)
        return cl_fail(err, CL_ERR_USAGE, "trust", "no trust anchors");
    t = cl_malloc(sizeof *t);
    if (t == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "trust", "out of memory");
    memset(t, 0, sizeof *t);
    t->anchors = anchors;
    *out = t;
    return CL_OK;
}

void
cl_mdoc_trust_free(struct cl_mdoc_trust *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < TRUST_SLOTS; i++)
        entry_clear(&t->slot[i]);
    cl_free(t);
}

static cl_err
chain_hash(const struct cl_bytes *certs, size_t n, uint8_t out[32], struct cl_error *err)
{
    struct cl_buf b;
    cl_err rc;

    cl_buf_init(&b);
    for (size_t i = 0; i < n; i++) {
        uint8_t len[4] = {(uint8_t)(certs[i].len >> 24), (uint8_t)(certs[i].len >> 16),
                          (uint8_t)(certs[i].len >> 8), (uint8_t)certs[i].len};

        cl_buf_append(&b, len, sizeof len);
        cl_buf_append_bytes(&b, certs[i]);
    }
    rc = cl_buf_check(&b, "x5chain", err);
    if (rc == CL_OK)
        rc = cl_hash(CL_HASH_SHA256, cl_buf_bytes(&b), out, err);
    cl_buf_fini(&b);
    return rc;
}

/* Validate the x5chain at `at` into *e (fresh: e->key is a new reference). */
static cl_err
chain_validate(const struct cl_bytes *certs, size_t n, const struct cl_x509_list *anchors,
               int64_t at, struct trust_entry *e, struct cl_error *err)
{
    struct cl_arena a;
    struct cl_x509_list chain;
    const struct cl_x509_cert *anchor = NULL;
    const char *subject = NULL;
    int64_t nb, na;
    cl_err rc = CL_OK;

    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&chain);
    for (size_t i = 0; i < n && rc == CL_OK; i++) {
        struct cl_x509_cert *c = NULL;
        char w[32];

        snprintf(w, sizeof w, "issuerAuth.x5chain[%zu]", i);
        rc = cl_x509_cert_from_der(certs[i], &c, err);
        if (rc == CL_OK) {
            rc = cl_x509_list_add(&chain, c, err);
            cl_x509_cert_free(c);
        } else {
            cl_error_nest(err, w);
        }
    }
    if (rc != CL_OK)
        goto out;
    /* ISO 18013-5 §9.3.3: the DS certificate chains to a trusted IACA at the time of use */
    rc = cl_x509_chain_verify(&chain, anchors, at, &anchor, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuerAuth.x5chain");
        goto out;
    }
    /* Annex B Table B.3: the DS profile (key usage, extended key usage, country) */
    rc = cl_x509_ds_check(chain.certs[0], anchor, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuerAuth.x5chain");
        goto out;
    }
    if ((rc = cl_x509_cert_validity(anchor, &e->win_from, &e->win_until, err)) != CL_OK)
        goto out;
    for (size_t i = 0; i < chain.count; i++) {
        if ((rc = cl_x509_cert_validity(chain.certs[i], &nb, &na, err)) != CL_OK)
            goto out;
        if (i == 0) {
            e->ds_nb = nb;
            e->ds_na = na;
        }
        if (nb > e->win_from)
            e->win_from = nb;
        if (na < e->win_until)
            e->win_until = na;
    }
    if ((rc = cl_x509_cert_subject(&a, chain.certs[0], &subject, err)) != CL_OK)
        goto out;
    if (cl_x509_cert_country(chain.certs[0], e->country, NULL) != CL_OK)
        e->country[0] = '\0';
    e->subject = cl_malloc(strlen(subject) + 1);
    if (e->subject == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "trust", "out of memory");
        goto out;
    }
    memcpy(e->subject, subject, strlen(subject) + 1);
    rc = cl_x509_cert_key(chain.certs[0], &e->key, err);
out:
    if (rc != CL_OK)
        entry_clear(e);
    cl_x509_list_fini(&chain);
    cl_arena_fini(&a);
    return rc;
}

/*
 * The DS entry for an x5chain at `at`: from the cache when the same chain validated before and
 * `at` lies inside its window (signatures and profile do not change with time), else validated
 * now. *e is a copy; when `owned` comes back true the caller must entry_clear() it.
 */
static cl_err
ds_lookup(struct cl_mdoc_trust *t, const struct cl_x509_list *anchors, const struct cl_bytes *certs,
          size_t n, int64_t at, struct trust_entry *e, bool *owned, struct cl_error *err)
{
    uint8_t h[32];
    cl_err rc;

    memset(e, 0, sizeof *e);
    *owned = false;
    if (t != NULL) {
        if ((rc = chain_hash(certs, n, h, err)) != CL_OK)
            return rc;
        for (size_t i = 0; i < TRUST_SLOTS; i++) {
            struct trust_entry *s = &t->slot[i];

            if (s->used && memcmp(s->hash, h, sizeof h) == 0 && at >= s->win_from &&
                at <= s->win_until) {
                *e = *s;
                return CL_OK;
            }
        }
        anchors = t->anchors;
    }
    rc = chain_validate(certs, n, anchors, at, e, err);
    if (rc != CL_OK)
        return rc;
    if (t != NULL) {
        struct trust_entry *s = &t->slot[t->next];

        t->next = (t->next + 1) % TRUST_SLOTS;
        entry_clear(s);
        *s = *e; /* the cache now owns key and subject; e is a borrowed copy */
        s->used = true;
        memcpy(s->hash, h, sizeof h);
        return CL_OK;
    }
    *owned = true;
    return CL_OK;
}

/* ---- per-document checks ---- */

static const struct cl_mdoc_digests *
find_ns_digests(const struct cl_mdoc_mso *mso, struct cl_bytes ns)
{
    for (size_t i = 0; i < mso->n_ns; i++)
        if (cl_bytes_eq(mso->ns[i].name, ns))
            return &mso->ns[i];
    return NULL;
}

/* Fail with code at where.NS.ELEMENT: the path is formatted only when something is wrong. */
static cl_err
item_fail(struct cl_error *err, cl_err code, const char *where, struct cl_bytes ns,
          const struct cl_mdoc_item *it, const char *why)
{
    char path[MDOC_WHERE_MAX];

    snprintf(path, sizeof path, "%s.%.*s.%.*s", where, (int)ns.len, (const char *)ns.ptr,
             (int)it->element_id.len, (const char *)it->element_id.ptr);
    return cl_fail(err, code, path, "%s", why);
}

static cl_err
check_items(struct cl_arena *a, const struct cl_mdoc_issuer_signed *is,
            const struct cl_mdoc_mso *mso, const char *where, struct cl_mdoc_verified *v,
            struct cl_error *err)
{
    size_t total = 0, k = 0, dlen = cl_hash_len(mso->digest_alg);

    for (size_t i = 0; i < is->n_ns; i++)
        total += is->ns[i].n;
    v->claims = cl_arena_calloc(a, total + 1, sizeof *v->claims);
    if (v->claims == NULL)
        return cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
    for (size_t i = 0; i < is->n_ns; i++) {
        const struct cl_mdoc_ns *ns = &is->ns[i];
        const struct cl_mdoc_digests *d = find_ns_digests(mso, ns->name);

        for (size_t j = 0; j < ns->n; j++) {
            const struct cl_mdoc_item *it = &ns->items[j];
            uint8_t md[CL_HASH_MAX];
            char why[80];
            size_t m;
            cl_err rc;

            if (d == NULL)
                return item_fail(err, CL_ERR_DIGEST, where, ns->name, it,
                                 "namespace has no digests in the MSO valueDigests");
            /* ISO 18013-5 §9.1.2.5: random of at least 16 bytes */
            if (it->random.len < CL_MDOC_RANDOM_MIN)
                return item_fail(err, CL_ERR_INPUT, where, ns->name, it,
                                 "random is shorter than 16 bytes");
            for (m = 0; m < d->n; m++)
                if (d->ids[m] == it->digest_id)
                    break;
            if (m == d->n) {
                snprintf(why, sizeof why, "digestID %llu is not in the MSO for this namespace",
                         (unsigned long long)it->digest_id);
                return item_fail(err, CL_ERR_DIGEST, where, ns->name, it, why);
            }
            /* the digest is over IssuerSignedItemBytes exactly as received, tag 24 included */
            rc = cl_hash(mso->digest_alg, it->bytes, md, err);
            if (rc != CL_OK)
                return rc;
            if (!cl_ct_equal(cl_bytes_of(md, dlen), d->digests[m]))
                return item_fail(err, CL_ERR_DIGEST, where, ns->name, it,
                                 "item digest does not match the MSO valueDigests");
            v->claims[k].ns = ns->name;
            v->claims[k].element_id = it->element_id;
            v->claims[k].value = it->value;
            k++;
        }
    }
    v->n_claims = k;
    return CL_OK;
}

/* keyAuthorizations (ISO 18013-5 §9.1.2.4): nameSpaces [+ ns] or dataElements {ns: [+ id]} */
static bool
key_authorized(const struct cl_cbor *ka, struct cl_bytes ns, struct cl_bytes elem)
{
    const struct cl_cbor *nss, *des, *list;

    if (ka == NULL)
        return false;
    nss = cl_cbor_map_get_text(ka, "nameSpaces");
    if (nss != NULL && nss->type == CL_CBOR_ARRAY)
        for (size_t i = 0; i < nss->v.array.n; i++)
            if (nss->v.array.item[i].type == CL_CBOR_TEXT &&
                cl_bytes_eq(nss->v.array.item[i].v.str, ns))
                return true;
    des = cl_cbor_map_get_text(ka, "dataElements");
    if (des == NULL || des->type != CL_CBOR_MAP)
        return false;
    for (size_t i = 0; i < des->v.map.n; i++) {
        if (des->v.map.pair[i].key.type != CL_CBOR_TEXT ||
            !cl_bytes_eq(des->v.map.pair[i].key.v.str, ns))
            continue;
        list = &des->v.map.pair[i].value;
        if (list->type != CL_CBOR_ARRAY)
            return false;
        for (size_t j = 0; j < list->v.array.n; j++)
            if (list->v.array.item[j].type == CL_CBOR_TEXT &&
                cl_bytes_eq(list->v.array.item[j].v.str, elem))
                return true;
    }
    return false;
}

/* where.deviceSigned.deviceAuth.deviceSignature|deviceMac into path: formatted on failure only. */
static const char *
auth_path(char path[MDOC_WHERE_MAX], const char *where, const struct cl_mdoc_document *d)
{
    snprintf(path, MDOC_WHERE_MAX, "%s.deviceSigned.deviceAuth.%s", where,
             d->device_mac ? "deviceMac" : "deviceSignature");
    return path;
}

static cl_err
check_device(struct cl_arena *a, const struct cl_mdoc_document *d, const struct cl_mdoc_mso *mso,
             const struct cl_mdoc_verify_opts *o, const char *where, struct cl_mdoc_verified *v,
             struct cl_error *err)
{
    static const int64_t sig_algs[] = {CL_COSE_ALG_ES256, CL_COSE_ALG_ES384, CL_COSE_ALG_ES512};
    static const int64_t mac_algs[] = {CL_COSE_ALG_HMAC256};
    struct cl_cose_verify_opts vo;
    struct cl_buf dab;
    struct cl_bytes payload;
    char path[MDOC_WHERE_MAX];
    uint8_t key[32];
    size_t total = 0, k = 0;
    cl_err rc;

    if (o->transcript == NULL)
        return cl_fail(err, CL_ERR_MISSING, auth_path(path, where, d),
                       "a SessionTranscript is needed to check device authentication");
    if (!d->device_auth.detached) /* ISO 18013-5 §9.1.3.6: the payload is null (detached) */
        return cl_fail(err, CL_ERR_INPUT, auth_path(path, where, d),
                       "payload must be null (detached)");
    cl_buf_init(&dab);
    rc = mdoc__device_auth_bytes(o->transcript, d->doctype, d->device_ns_bytes, &dab, err);
    if (rc != CL_OK)
        goto out;
    payload = cl_buf_bytes(&dab);
    memset(&vo, 0, sizeof vo);
    vo.detached = &payload;
    if (!d->device_mac) {
        vo.algs = sig_algs;
        vo.n_algs = CL_ARRAY_LEN(sig_algs);
        rc = cl_cose_sign1_verify(&d->device_auth, mso->device_key, &vo, err);
    } else {
        if (o->reader_key == NULL || !cl_key_has_private(o->reader_key)) {
            rc = cl_fail(err, CL_ERR_MISSING, auth_path(path, where, d),
                         "the reader's ephemeral private key is needed to check a device MAC");
            goto out;
        }
        vo.algs = mac_algs;
        vo.n_algs = CL_ARRAY_LEN(mac_algs);
        rc = mdoc__emac_key(o->reader_key, mso->device_key, o->transcript, key, err);
        if (rc == CL_OK)
            rc = cl_cose_mac0_verify(&d->device_auth, cl_bytes_of(key, sizeof key), &vo, err);
        cl_wipe(key, sizeof key);
    }
    if (rc != CL_OK) {
        cl_error_nest(err, auth_path(path, where, d));
        goto out;
    }
    /* device-signed elements must be authorised by the MSO keyAuthorizations */
    for (size_t i = 0; i < d->device_ns->v.map.n; i++)
        total += d->device_ns->v.map.pair[i].value.v.map.n;
    v->device_claims = cl_arena_calloc(a, total + 1, sizeof *v->device_claims);
    if (v->device_claims == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < d->device_ns->v.map.n; i++) {
        const struct cl_cbor_pair *p = &d->device_ns->v.map.pair[i];

        for (size_t j = 0; j < p->value.v.map.n; j++) {
            const struct cl_cbor_pair *e = &p->value.v.map.pair[j];

            if (!key_authorized(mso->key_auth, p->key.v.str, e->key.v.str)) {
                snprintf(path, sizeof path, "%s.deviceSigned.%.*s.%.*s", where,
                         (int)p->key.v.str.len, (const char *)p->key.v.str.ptr,
                         (int)e->key.v.str.len, (const char *)e->key.v.str.ptr);
                rc = cl_fail(err, CL_ERR_POLICY, path,
                             "device-signed element is not in the MSO keyAuthorizations");
                goto out;
            }
            v->device_claims[k].ns = p->key.v.str;
            v->device_claims[k].element_id = e->key.v.str;
            v->device_claims[k].value = &e->value;
            k++;
        }
    }
    v->n_device_claims = k;
out:
    cl_buf_fini(&dab);
    return rc;
}

static cl_err
verify_document(struct cl_arena *a, const struct cl_mdoc_document *d,
                const struct cl_mdoc_verify_opts *o, const char *where, struct cl_mdoc_verified *v,
                struct cl_error *err)
{
    static const int64_t algs[] = {CL_COSE_ALG_ES256, CL_COSE_ALG_ES384, CL_COSE_ALG_ES512};
    const struct cl_mdoc_issuer_signed *is = &d->issuer;
    struct cl_mdoc_mso mso;
    struct cl_cose_verify_opts vo;
    struct cl_bytes *certs = NULL;
    struct trust_entry e;
    bool owned = false;
    char path[MDOC_WHERE_MAX];
    size_t n = 0;
    cl_err rc;

    memset(&e, 0, sizeof e);
    mso = is->mso;
    rc = cl_cose_header_x5chain(a, &is->auth, &certs, &n, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuerAuth");
        goto nest;
    }
    rc = ds_lookup(o->trust, o->anchors, certs, n, o->at, &e, &owned, err);
    if (rc != CL_OK)
        goto nest;
    /* ISO 18013-5 §9.3.1 step 2: issuerAuth signed by the DS key */
    memset(&vo, 0, sizeof vo);
    vo.algs = algs;
    vo.n_algs = CL_ARRAY_LEN(algs);
    rc = cl_cose_sign1_verify(&is->auth, e.key, &vo, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuerAuth");
        goto nest;
    }
    /* §9.3.1 step 5: the MSO was signed while the DS certificate was valid */
    if (mso.signed_at < e.ds_nb || mso.signed_at > e.ds_na) {
        rc = cl_fail(err, CL_ERR_EXPIRED, "mso.validityInfo.signed",
                     "MSO signed time is outside the DS certificate's validity");
        goto nest;
    }
    /* §9.3.1 step 4: docType of the document equals the MSO's */
    if (!cl_bytes_eq(d->doctype, mso.doctype)) {
        rc =
            cl_fail(err, CL_ERR_POLICY, "docType", "document docType differs from the MSO docType");
        goto nest;
    }
    /* §9.3.1 step 5: validFrom <= now <= validUntil */
    if (o->at < mso.valid_from) {
        rc = cl_fail(err, CL_ERR_EXPIRED, "mso.validityInfo.validFrom", "MSO is not yet valid");
        goto nest;
    }
    if (o->at > mso.valid_until) {
        rc = cl_fail(err, CL_ERR_EXPIRED, "mso.validityInfo.validUntil", "MSO has expired");
        goto nest;
    }
    snprintf(path, sizeof path, "%s.issuerSigned", where);
    rc = check_items(a, is, &mso, path, v, err);
    if (rc != CL_OK)
        goto out;
    rc = check_device(a, d, &mso, o, where, v, err);
    if (rc != CL_OK)
        goto out;
    v->doctype = d->doctype;
    v->issuer_subject = cl_arena_strdup(a, e.subject);
    if (v->issuer_subject == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, where, "out of memory");
        goto out;
    }
    memcpy(v->issuer_country, e.country, sizeof v->issuer_country);
    v->signed_at = mso.signed_at;
    v->valid_from = mso.valid_from;
    v->valid_until = mso.valid_until;
    v->has_status = mso.has_status;
    v->status_idx = mso.status_idx;
    v->status_uri = mso.status_uri;
    goto out;
nest:
    cl_error_nest(err, where);
out:
    if (owned)
        entry_clear(&e);
    return rc;
}

cl_err
cl_mdoc_response_verify(struct cl_arena *a, const struct cl_mdoc_response *r,
                        const struct cl_mdoc_verify_opts *opts, struct cl_mdoc_verified **out,
                        struct cl_error *err)
{
    struct cl_mdoc_verified *v;
    char where[32];
    cl_err rc;

    *out = NULL;
    if (opts->trust == NULL && (opts->anchors == NULL || opts->anchors->count == 0))
        return cl_fail(err, CL_ERR_USAGE, "trust", "no trust anchors");
    if (r->status != CL_MDOC_STATUS_OK)
        return cl_fail(err, CL_ERR_POLICY, "DeviceResponse.status",
                       "response status is %llu, not 0 (OK)", (unsigned long long)r->status);
    if (r->n_docs == 0)
        return cl_fail(err, CL_ERR_MISSING, "DeviceResponse.documents", "no documents returned");
    v = cl_arena_calloc(a, r->n_docs, sizeof *v);
    if (v == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "DeviceResponse", "out of memory");
    for (size_t i = 0; i < r->n_docs; i++) {
        snprintf(where, sizeof where, "documents[%zu]", i);
        rc = verify_document(a, &r->docs[i], opts, where, &v[i], err);
        if (rc != CL_OK)
            return rc;
    }
    *out = v;
    return CL_OK;
}

cl_err
cl_mdoc_verify(struct cl_arena *a, struct cl_bytes response, const struct cl_mdoc_verify_opts *opts,
               struct cl_mdoc_verified **out, size_t *n, struct cl_error *err)
{
    struct cl_mdoc_response r;
    cl_err rc;

    *out = NULL;
    *n = 0;
    rc = cl_mdoc_response_parse(a, response, opts->lim, &r, err);
    if (rc != CL_OK)
        return rc;
    rc = cl_mdoc_response_verify(a, &r, opts, out, err);
    if (rc == CL_OK)
        *n = r.n_docs;
    return rc;
}
