/*
 * cmd_mdoc.c - `cardless mdoc issue|present|verify|request|dump|transcript` (ISO/IEC 18013-5
 * mdoc); serve-holder and read live in cmd_mdoc_session.c. `verify --status-list` (shared with
 * `read`) checks each document's MSO status reference against Status List Tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/catalog.h"
#include "cardless/codec.h"
#include "cardless/cose.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "cardless/mdoc.h"
#include "cardless/status.h"
#include "cardless/time.h"
#include "cardless/x509.h"
#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

#define N(o) CL_ARRAY_LEN(o)
#define DAY 86400

cl_err
cli_mdoc_split_elements(struct cl_arena *a, const char *list, struct cl_mdoc_sel **out, size_t *n,
                        struct cl_error *err)
{
    size_t cap = 1, k = 0;
    const char *p = list;
    struct cl_mdoc_sel *sel;

    for (const char *q = list; *q; q++)
        cap += *q == ',';
    sel = cl_arena_calloc(a, cap, sizeof *sel);
    if (sel == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "elements", "out of memory");
    while (*p) {
        const char *end = strchr(p, ','), *slash = NULL;

        if (end == NULL)
            end = p + strlen(p);
        for (const char *q = p; q < end; q++)
            if (*q == '/')
                slash = q;
        if (slash == NULL || slash == p || slash + 1 == end)
            return cl_fail(err, CL_ERR_USAGE, "elements",
                           "each element must be written NAMESPACE/ELEMENT");
        sel[k].ns = cl_bytes_of(p, (size_t)(slash - p));
        sel[k].element_id = cl_bytes_of(slash + 1, (size_t)(end - slash - 1));
        k++;
        p = *end == ',' ? end + 1 : end;
    }
    if (k == 0)
        return cl_fail(err, CL_ERR_USAGE, "elements", "no elements given");
    *out = sel;
    *n = k;
    return CL_OK;
}

/* ---- issue ---- */

static int
mdoc_issue(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"type", "TYPE_ID", "credential type id (data/types/TYPE_ID.json)", true},
        {"claims", "CLAIMS.json", "{\"namespace\": {\"element\": value}}", true},
        {"ds-key", "KEY.pem", "document signer private key", true},
        {"ds-cert", "DS.pem", "document signer certificate", true},
        {"chain", "IACA.pem", "certificates to add to x5chain after the DS", false, true},
        {"device-pub", "PUB.pem", "holder device public key the credential is bound to", true},
        {"valid-from", "RFC3339", "start of validity (default: now)", false},
        {"valid-days", "N", "length of validity in days (default: the type's)", false},
        {"out", "CRED.cbor", "where to write the credential", true},
        {"types", "DIR", "credential types directory (default $CL_TYPES_DIR or data/types)", false},
        {"status-uri", "URI", "status list URI to reference in the MSO", false},
        {"status-index", "N", "index in the status list", false},
        {"json", NULL, "print the result (or the problems) as JSON", false},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_catalog *cat = NULL;
    const struct cl_catalog_type *type;
    struct cl_catalog_report rep;
    struct cl_mdoc_issue_params ip;
    struct cl_mdoc_issue_elem *elems = NULL;
    struct cl_x509_list ds, chain;
    struct cl_key *ds_key = NULL, *dev = NULL, *ds_pub = NULL;
    struct cl_bytes claims_text, *x5 = NULL;
    json_t *claims = NULL;
    struct cl_buf out, vb;
    uint64_t days = 0, idx = 0;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless mdoc issue --type TYPE_ID --claims CLAIMS.json --ds-key "
                       "KEY.pem --ds-cert DS.pem [--chain IACA.pem] --device-pub PUB.pem "
                       "[--valid-from RFC3339] [--valid-days N] --out CRED.cbor\n"
                       "Issue an mdoc credential (ISO/IEC 18013-5) bound to a device key.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, N(opts), "json");
    if (cli_get(opts, N(opts), "valid-days") != NULL &&
        !cli_get_u64(opts, N(opts), "valid-days", 1, 36500, &days))
        return CLI_USAGE;
    if (cli_get(opts, N(opts), "status-index") != NULL &&
        !cli_get_u64(opts, N(opts), "status-index", 0, UINT32_MAX, &idx))
        return CLI_USAGE;
    if ((cli_get(opts, N(opts), "status-index") != NULL) !=
        (cli_get(opts, N(opts), "status-uri") != NULL))
        return cli_usage_error(argv[0], "--status-uri and --status-index go together");
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&ds);
    cl_x509_list_init(&chain);
    cl_buf_init(&out);
    cl_buf_init(&vb);
    memset(&ip, 0, sizeof ip);
    memset(&rep, 0, sizeof rep);
    if (cli_load_catalog(&a, cli_get(opts, N(opts), "types"), &cat, &err) != CL_OK)
        goto fail;
    type = cl_catalog_find(cat, cli_get(opts, N(opts), "type"));
    if (type == NULL) {
        cl_fail(&err, CL_ERR_NOT_FOUND, "type", "no credential type with this id");
        goto fail;
    }
    if (type->doctype == NULL) {
        cl_fail(&err, CL_ERR_USAGE, type->id, "this credential type has no mdoc form");
        goto fail;
    }
    if (cli_read_file(&a, cli_get(opts, N(opts), "claims"), &claims_text, &err) != CL_OK ||
        cl_jose_json_parse(&a, claims_text, NULL, "claims", &claims, &err) != CL_OK)
        goto fail;
    rc = cl_catalog_validate_mdoc_claims(&a, type, claims, &rep, &err);
    if (rc != CL_OK) {
        cli_print_problems("mdoc issue", &rep, json);
        rc = cl_err_exit_code(rc);
        goto done;
    }
    elems = cl_arena_calloc(&a, rep.nvalues + 1, sizeof *elems);
    if (elems == NULL) {
        cl_fail(&err, CL_ERR_NOMEM, "issue", "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < rep.nvalues; i++) {
        const struct cl_catalog_claim *c = rep.values[i].claim;

        cl_buf_reset(&vb);
        if (cl_catalog_value_to_cbor(&vb, c, rep.values[i].value, &err) != CL_OK) {
            cl_error_nest(&err, c->name);
            goto fail;
        }
        elems[i].ns = c->ns;
        elems[i].element_id = c->name;
        elems[i].value = cl_cbor_new_raw(&a, cl_buf_bytes(&vb));
        if (elems[i].value == NULL) {
            cl_fail(&err, CL_ERR_NOMEM, "issue", "out of memory");
            goto fail;
        }
    }
    if (cli_load_key(&a, cli_get(opts, N(opts), "ds-key"), true, &ds_key, &err) != CL_OK ||
        cli_load_key(&a, cli_get(opts, N(opts), "device-pub"), false, &dev, &err) != CL_OK ||
        cli_read_certs(&a, cli_get(opts, N(opts), "ds-cert"), &ds, &err) != CL_OK)
        goto fail;
    for (size_t i = 0; i < cli_opt(opts, N(opts), "chain")->nvalues; i++)
        if (cli_read_certs(&a, cli_opt(opts, N(opts), "chain")->values[i], &chain, &err) != CL_OK)
            goto fail;
    if (cl_x509_cert_key(ds.certs[0], &ds_pub, &err) != CL_OK)
        goto fail;
    if (!cl_key_equal_public(ds_pub, ds_key)) {
        cl_key_free(ds_pub);
        cl_fail(&err, CL_ERR_USAGE, "ds-key", "key is not the DS certificate's key");
        goto fail;
    }
    cl_key_free(ds_pub);
    {
        /* ISO 18013-5 §9.3.1: a verifier refuses an MSO signed outside the DS validity */
        int64_t nb, na, now = cl_now();

        if (cl_x509_cert_validity(ds.certs[0], &nb, &na, &err) != CL_OK)
            goto fail;
        if (now < nb || now > na) {
            cl_fail(&err, CL_ERR_EXPIRED, "ds-cert", "the DS certificate is not valid now");
            goto fail;
        }
    }
    x5 = cl_arena_calloc(&a, 1 + chain.count, sizeof *x5);
    if (x5 == NULL) {
        cl_fail(&err, CL_ERR_NOMEM, "issue", "out of memory");
        goto fail;
    }
    x5[0] = cl_x509_cert_der(ds.certs[0]);
    for (size_t i = 0; i < chain.count; i++)
        x5[1 + i] = cl_x509_cert_der(chain.certs[i]);
    ip.signed_at = cl_now();
    ip.valid_from = ip.signed_at;
    if (cli_get(opts, N(opts), "valid-from") != NULL &&
        cli_parse_time(cli_get(opts, N(opts), "valid-from"), "valid-from", &ip.valid_from, &err) !=
            CL_OK)
        goto fail;
    if (days == 0)
        days = type->validity_days != 0 ? type->validity_days : 365;
    ip.valid_until = ip.valid_from + (int64_t)days * DAY;
    ip.doctype = type->doctype;
    ip.elems = elems;
    ip.n_elems = rep.nvalues;
    ip.ds_key = ds_key;
    ip.x5chain = x5;
    ip.n_x5chain = 1 + chain.count;
    ip.device_key = dev;
    ip.status_uri = cli_get(opts, N(opts), "status-uri");
    ip.status_idx = idx;
    if (cl_mdoc_issue(&a, &ip, &out, &err) != CL_OK ||
        cli_write_file(cli_get(opts, N(opts), "out"), cl_buf_bytes(&out), 0600, &err) != CL_OK)
        goto fail;
    if (json) {
        char f[21], u[21];

        cl_rfc3339_format(ip.valid_from, f);
        cl_rfc3339_format(ip.valid_until, u);
        cli_print_json(json_pack(
            "{s:b,s:s,s:s,s:i,s:s,s:s}", "ok", 1, "out", cli_get(opts, N(opts), "out"), "docType",
            type->doctype, "elements", (json_int_t)rep.nvalues, "validFrom", f, "validUntil", u));
    } else {
        fprintf(stderr, "%s: issued %s with %zu elements\n", cli_get(opts, N(opts), "out"),
                type->doctype, rep.nvalues);
    }
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    cl_buf_fini(&out);
    cl_buf_fini(&vb);
    cl_x509_list_fini(&ds);
    cl_x509_list_fini(&chain);
    cl_arena_fini(&a);
    return rc;
}

/* ---- present ---- */

/* The elements a DeviceRequest asks of docType dt; readerAuth, when present, must verify. */
static cl_err
request_selection(struct cl_arena *a, const char *path, struct cl_bytes dt,
                  const struct cl_mdoc_transcript *t, const char *reader_trust,
                  struct cl_mdoc_sel **sel, size_t *n, struct cl_error *err)
{
    struct cl_mdoc_request r;
    struct cl_bytes data;
    struct cl_x509_list roots;
    size_t total = 0, k = 0;
    cl_err rc;

    *n = 0;
    if ((rc = cli_read_file(a, path, &data, err)) != CL_OK ||
        (rc = cl_mdoc_request_parse(a, data, NULL, &r, err)) != CL_OK)
        return rc;
    cl_x509_list_init(&roots);
    if (reader_trust != NULL && (rc = cli_read_certs(a, reader_trust, &roots, err)) != CL_OK)
        goto out;
    for (size_t i = 0; i < r.n_docs; i++) {
        if (!cl_bytes_eq(r.docs[i].doctype, dt))
            continue;
        if (r.docs[i].has_reader_auth) {
            /* ISO 18013-5 §9.1.4: the reader signed the request over this session */
            rc = cl_mdoc_reader_auth_verify(a, &r.docs[i], t, reader_trust != NULL ? &roots : NULL,
                                            cl_now(), err);
            if (rc != CL_OK)
                goto out;
            fprintf(stderr, "%s: mdoc present: readerAuth verifies%s\n", CLI_PROG,
                    reader_trust != NULL ? " to a trusted reader root"
                                         : " (reader certificate not checked: no --reader-trust)");
        }
        total += r.docs[i].n_elems;
    }
    *sel = cl_arena_calloc(a, total + 1, sizeof **sel);
    if (*sel == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "request", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < r.n_docs; i++)
        if (cl_bytes_eq(r.docs[i].doctype, dt))
            for (size_t j = 0; j < r.docs[i].n_elems; j++) {
                (*sel)[k].ns = r.docs[i].elems[j].ns;
                (*sel)[k].element_id = r.docs[i].elems[j].element_id;
                k++;
            }
    *n = k;
out:
    cl_x509_list_fini(&roots);
    return rc;
}

static int
mdoc_present(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"credential", "CRED.cbor", "the credential (cardless mdoc issue --out)", true},
        {"device-key", "KEY.pem", "the holder's device private key", true},
        {"request", "DEVICEREQUEST.cbor", "disclose what this DeviceRequest asks", false},
        {"disclose", "NS/ELEMENT[,...]", "disclose exactly these elements", false},
        {"session-transcript", "ST.cbor", "SessionTranscript (array or tag-24 bytes)", true},
        {"reader-pub", "PUB.pem", "reader's ephemeral public key: device MAC, not signature",
         false},
        {"reader-trust", "ROOT.pem", "trusted reader roots for the request's readerAuth", false},
        {"out", "RESPONSE.cbor", "where to write the DeviceResponse", true},
        {"json", NULL, "print the result as JSON", false},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_mdoc_issuer_signed cred;
    struct cl_mdoc_present_params pp;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_sel *sel = NULL;
    struct cl_bytes data, doctype;
    struct cl_key *dev = NULL, *reader = NULL;
    struct cl_buf out;
    size_t n_sel = 0;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless mdoc present --credential CRED.cbor --device-key KEY.pem "
                       "(--request DEVICEREQUEST.cbor | --disclose NS/ELEMENT[,NS/ELEMENT...]) "
                       "--session-transcript ST.cbor --out RESPONSE.cbor\n"
                       "Build a DeviceResponse disclosing exactly what is asked.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, N(opts), "json");
    if ((cli_get(opts, N(opts), "request") != NULL) == (cli_get(opts, N(opts), "disclose") != NULL))
        return cli_usage_error(argv[0], "give exactly one of --request and --disclose");
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&out);
    if (cli_read_file(&a, cli_get(opts, N(opts), "credential"), &data, &err) != CL_OK ||
        cl_mdoc_credential_parse(&a, data, NULL, &doctype, &cred, &err) != CL_OK ||
        cli_load_key(&a, cli_get(opts, N(opts), "device-key"), true, &dev, &err) != CL_OK ||
        cli_read_file(&a, cli_get(opts, N(opts), "session-transcript"), &data, &err) != CL_OK ||
        cl_mdoc_transcript_read(&a, data, &t, &err) != CL_OK)
        goto fail;
    if (cli_get(opts, N(opts), "reader-pub") != NULL &&
        cli_load_key(&a, cli_get(opts, N(opts), "reader-pub"), false, &reader, &err) != CL_OK)
        goto fail;
    if (cli_get(opts, N(opts), "disclose") != NULL) {
        if (cli_mdoc_split_elements(&a, cli_get(opts, N(opts), "disclose"), &sel, &n_sel, &err) !=
            CL_OK)
            goto fail;
    } else if (request_selection(&a, cli_get(opts, N(opts), "request"), doctype, &t,
                                 cli_get(opts, N(opts), "reader-trust"), &sel, &n_sel,
                                 &err) != CL_OK) {
        goto fail;
    }
    if (n_sel == 0) {
        /* ISO 18013-5 §8.3.2.1.2.3: the document asked for is not returned */
        cl_cbor_put_map(&out, 3);
        cl_cbor_put_cstr(&out, "version");
        cl_cbor_put_cstr(&out, "1.0");
        cl_cbor_put_cstr(&out, "documentErrors");
        cl_cbor_put_array(&out, 0);
        cl_cbor_put_cstr(&out, "status");
        cl_cbor_put_uint(&out, CL_MDOC_STATUS_OK);
        fprintf(stderr, "%s: mdoc present: the request asks nothing of %.*s\n", CLI_PROG,
                (int)doctype.len, (const char *)doctype.ptr);
        if (cl_buf_check(&out, "DeviceResponse", &err) != CL_OK)
            goto fail;
    } else {
        memset(&pp, 0, sizeof pp);
        pp.doctype = doctype;
        pp.cred = &cred;
        pp.sel = sel;
        pp.n_sel = n_sel;
        pp.device_key = dev;
        pp.transcript = &t;
        pp.reader_pub = reader;
        if (cl_mdoc_present(&a, &pp, &out, &err) != CL_OK)
            goto fail;
    }
    if (cli_write_file(cli_get(opts, N(opts), "out"), cl_buf_bytes(&out), 0644, &err) != CL_OK)
        goto fail;
    if (json)
        cli_print_json(json_pack("{s:b,s:s,s:i,s:s}", "ok", 1, "out", cli_get(opts, N(opts), "out"),
                                 "requested", (json_int_t)n_sel, "deviceAuth",
                                 reader != NULL ? "deviceMac" : "deviceSignature"));
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    cl_buf_fini(&out);
    cl_arena_fini(&a);
    return rc;
}

/* ---- status: the MSO's status_list {idx, uri} against Status List Tokens (issue #4) ---- */

#define STATUS_LISTS_MAX 16 /* --status-list files one verification takes */
#define CWT_TAG 61          /* RFC 8392 §6: the optional CWT tag around the COSE_Sign1 */
#define CWT_SUB 2           /* RFC 8392 §3.1.2 */

struct cli_mdoc_status {
    const struct cl_key *key;           /* --status-key, or NULL */
    const struct cl_x509_list *anchors; /* the --trust IACA roots, for x5c / x5chain */
    int64_t leeway;                     /* --leeway: seconds of clock skew for iat/exp */
    size_t n;
    struct {
        const char *path;
        struct cl_bytes token;
        const char *sub; /* read before verification, only to pick the list for a uri */
    } lists[STATUS_LISTS_MAX];
};

/*
 * The `sub` of a Status List Token, read without verifying it: it only chooses which list a
 * document's uri refers to; cl_status_check() verifies the chosen one and compares sub again.
 */
static cl_err
status_token_sub(struct cl_arena *a, struct cl_bytes token, const char **sub, struct cl_error *err)
{
    const struct cl_cbor *payload, *v;
    cl_err rc;

    *sub = NULL;
    if (cl_status_token_format(token) == CL_STATUS_JWT) {
        struct cl_jws_opts o = cl_jws_opts_default();
        struct cl_jws jws;

        while (token.len > 0 &&
               (token.ptr[token.len - 1] == '\n' || token.ptr[token.len - 1] == '\r' ||
                token.ptr[token.len - 1] == ' '))
            token.len--;
        o.max_bytes = CL_STATUS_TOKEN_MAX;
        o.json.max_bytes = CL_STATUS_TOKEN_MAX;
        o.flags = CL_JWS_PAYLOAD_JSON;
        if ((rc = cl_jws_parse(a, token, &o, &jws, err)) != CL_OK)
            return rc;
        *sub = json_string_value(json_object_get(jws.claims, "sub"));
    } else {
        struct cl_cbor_limits lim = cl_cbor_limits_default();
        struct cl_cose_msg msg;

        lim.max_bytes = CL_STATUS_TOKEN_MAX;
        if (token.len >= 2 && token.ptr[0] == 0xd8 && token.ptr[1] == CWT_TAG)
            token = cl_bytes_of(token.ptr + 2, token.len - 2);
        if ((rc = cl_cose_decode(a, token, CL_COSE_SIGN1, 0, &lim, &msg, err)) != CL_OK)
            return rc;
        if (msg.detached)
            return cl_fail(err, CL_ERR_MISSING, "payload", "the CWT has no payload");
        if ((rc = cl_cbor_decode(a, msg.payload, &lim, &payload, err)) != CL_OK) {
            cl_error_nest(err, "payload");
            return rc;
        }
        v = payload->type == CL_CBOR_MAP ? cl_cbor_map_get_int(payload, CWT_SUB) : NULL;
        if (v != NULL && v->type == CL_CBOR_TEXT) {
            *sub = cl_arena_strndup(a, v->v.str);
            if (*sub == NULL)
                return cl_fail(err, CL_ERR_NOMEM, "sub", "out of memory");
        }
    }
    if (*sub == NULL)
        return cl_fail(err, CL_ERR_MISSING, "sub", "the status list token has no sub text");
    return CL_OK;
}

cl_err
cli_mdoc_status_load(struct cl_arena *a, const char *const *paths, size_t n, const char *key_path,
                     const struct cl_x509_list *anchors, int64_t leeway,
                     struct cli_mdoc_status **out, struct cl_error *err)
{
    struct cli_mdoc_status *st;
    struct cl_key *key = NULL;
    cl_err rc;

    *out = NULL;
    if (n == 0) {
        if (key_path != NULL)
            return cl_fail(err, CL_ERR_USAGE, "status-key", "--status-key needs --status-list");
        return CL_OK;
    }
    if (n > STATUS_LISTS_MAX)
        return cl_fail(err, CL_ERR_USAGE, "status-list", "at most %d status lists",
                       STATUS_LISTS_MAX);
    st = cl_arena_calloc(a, 1, sizeof *st);
    if (st == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "status-list", "out of memory");
    if (key_path != NULL && (rc = cli_load_key(a, key_path, false, &key, err)) != CL_OK)
        return rc;
    st->key = key;
    st->anchors = anchors;
    st->leeway = leeway;
    for (size_t i = 0; i < n; i++) {
        st->lists[i].path = paths[i];
        if ((rc = cli_read_file(a, paths[i], &st->lists[i].token, err)) != CL_OK)
            return rc;
        if ((rc = status_token_sub(a, st->lists[i].token, &st->lists[i].sub, err)) != CL_OK) {
            cl_error_nest(err, paths[i]);
            return rc;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(st->lists[k].sub, st->lists[i].sub) == 0)
                return cl_fail(err, CL_ERR_USAGE, paths[i],
                               "%s is also the sub of %s: give one list per uri", st->lists[i].sub,
                               st->lists[k].path);
    }
    st->n = n;
    *out = st;
    return CL_OK;
}

/*
 * One document's status: draft-ietf-oauth-status-list §8.3 with the MSO's status_list
 * {idx, uri} as the Referenced Token's reference (ISO/IEC 18013-5 second edition, MSO
 * "status"). *out gets {"idx", "uri", "checked", ["value", "name"]} (NULL without a
 * reference); a list that does not verify, and any entry but VALID, fail the document.
 */
static cl_err
doc_status(struct cl_arena *a, const struct cli_mdoc_status *st, const struct cl_mdoc_verified *v,
           size_t i, int64_t at, json_t **out, struct cl_error *err)
{
    struct cl_status_trust trust;
    const char *uri, *name = NULL, *list = NULL;
    struct cl_bytes token = {0};
    char where[CL_ERROR_WHERE_MAX];
    unsigned value = 0;
    cl_err rc;

    *out = NULL;
    if (!v->has_status)
        return CL_OK;
    uri = cl_arena_strndup(a, v->status_uri);
    if (uri == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "status", "out of memory");
    *out = json_pack("{s:I,s:s,s:b}", "idx", (json_int_t)v->status_idx, "uri", uri, "checked", 0);
    if (*out == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "status", "out of memory");
    for (size_t k = 0; st != NULL && k < st->n; k++)
        if (strcmp(st->lists[k].sub, uri) == 0) {
            list = st->lists[k].path;
            token = st->lists[k].token;
        }
    snprintf(where, sizeof where, "documents[%zu].status", i);
    if (list == NULL) {
        fprintf(stderr, "%s: mdoc: %s: %.*s: status not checked (no --status-list for %s)\n",
                CLI_PROG, where, (int)v->doctype.len, (const char *)v->doctype.ptr, uri);
        return CL_OK;
    }
    memset(&trust, 0, sizeof trust);
    trust.key = st->key;
    trust.anchors = st->key == NULL ? st->anchors : NULL;
    trust.leeway = st->leeway;
    rc = cl_status_check(a, token, &trust, uri, v->status_idx, at, NULL, &value, &name, err);
    if (rc != CL_OK) {
        char inner[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

        cl_error_str(err, inner, sizeof inner);
        return cl_fail_over(err, rc, where, "%.*s: the status list %s does not verify: %s",
                            (int)v->doctype.len, (const char *)v->doctype.ptr, list, inner);
    }
    json_object_set_new(*out, "checked", json_true());
    json_object_set_new(*out, "value", json_integer(value));
    json_object_set_new(*out, "name", json_string(name));
    if (value != CL_STATUS_VALID)
        return cl_fail(err, CL_ERR_REVOKED, where, "%.*s is %s in the status list %s (index %llu)",
                       (int)v->doctype.len, (const char *)v->doctype.ptr, name, uri,
                       (unsigned long long)v->status_idx);
    return CL_OK;
}

cl_err
cli_mdoc_status_check(struct cl_arena *a, const struct cli_mdoc_status *st,
                      const struct cl_mdoc_verified *docs, size_t n, int64_t at, json_t **status,
                      struct cl_error *err)
{
    cl_err first = CL_OK;

    /* every document gets its status, the first failure is the verdict */
    for (size_t i = 0; i < n; i++) {
        struct cl_error e = {0};
        cl_err rc = doc_status(a, st, &docs[i], i, at, &status[i], &e);

        if (rc != CL_OK && first == CL_OK) {
            first = rc;
            if (err != NULL)
                *err = e;
        }
    }
    for (size_t k = 0; st != NULL && k < st->n; k++) {
        bool used = false;

        for (size_t i = 0; i < n && !used; i++)
            used = docs[i].has_status &&
                   cl_bytes_eq(docs[i].status_uri, cl_bytes_str(st->lists[k].sub));
        if (!used)
            fprintf(stderr, "%s: mdoc: %s: no document refers to its uri %s\n", CLI_PROG,
                    st->lists[k].path, st->lists[k].sub);
    }
    return first;
}

/* ---- verify ---- */

static json_t *
claims_json(struct cl_arena *a, const struct cl_mdoc_claim *c, size_t n, struct cl_error *err)
{
    json_t *root = json_object();

    for (size_t i = 0; i < n && root != NULL; i++) {
        const char *ns = cl_arena_strndup(a, c[i].ns), *el = cl_arena_strndup(a, c[i].element_id);
        json_t *nsobj, *val = NULL;

        if (ns == NULL || el == NULL ||
            cl_catalog_cbor_to_json(a, NULL, c[i].value, &val, err) != CL_OK) {
            json_decref(root);
            return NULL;
        }
        nsobj = json_object_get(root, ns);
        if (nsobj == NULL) {
            nsobj = json_object();
            json_object_set_new(root, ns, nsobj);
        }
        json_object_set(nsobj, el, val); /* val belongs to the arena: take a reference */
    }
    return root;
}

static json_t *
doc_json(struct cl_arena *a, const struct cl_mdoc_verified *v, json_t *status, bool claims_too,
         struct cl_error *err)
{
    char s[21], f[21], u[21];
    json_t *claims = claims_json(a, v->claims, v->n_claims, err), *d;

    if (claims == NULL)
        return NULL;
    cl_rfc3339_format(v->signed_at, s);
    cl_rfc3339_format(v->valid_from, f);
    cl_rfc3339_format(v->valid_until, u);
    d = json_pack("{s:s%,s:{s:s,s:s},s:{s:s,s:s,s:s},s:o}", "docType", (const char *)v->doctype.ptr,
                  v->doctype.len, "issuer", "subject", v->issuer_subject, "country",
                  v->issuer_country, "validity", "signed", s, "validFrom", f, "validUntil", u,
                  "claims", claims);
    if (d != NULL && !claims_too) /* not valid: no claims are returned as verified */
        json_object_del(d, "claims");
    if (d != NULL && claims_too && v->n_device_claims > 0) {
        json_t *dc = claims_json(a, v->device_claims, v->n_device_claims, err);

        if (dc == NULL) {
            json_decref(d);
            return NULL;
        }
        json_object_set_new(d, "deviceSignedClaims", dc);
    }
    if (d != NULL && status != NULL)
        json_object_set(d, "status", status);
    return d;
}

static int
mdoc_verify(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"response", "RESPONSE.cbor", "the DeviceResponse", true},
        {"trust", "IACA.pem", "a trusted IACA root (repeatable)", true, true},
        {"session-transcript", "ST.cbor", "SessionTranscript (array or tag-24 bytes)", true},
        {"reader-key", "EREADER.pem", "reader's ephemeral private key, to check a device MAC",
         false},
        {"at", "RFC3339", "verification time (default: now)", false},
        {"status-list", "LIST.jwt|LIST.cwt",
         "check each document's MSO status against this list (repeatable, one per uri)", false,
         true},
        {"status-key", "PUB", "the status lists' signer key (default: x5c/x5chain to --trust)",
         false},
        {"leeway", "SECONDS", "clock skew allowed for the status lists' iat/exp (default 0)",
         false},
        {"json", NULL, "print {\"valid\", \"documents\", \"errors\"} as JSON", false},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_x509_list anchors;
    struct cl_mdoc_verify_opts vo;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_verified *v = NULL;
    struct cli_mdoc_status *st = NULL;
    struct cl_key *reader = NULL;
    struct cl_bytes resp, data;
    json_t **status = NULL;
    uint64_t leeway = 0;
    size_t n = 0;
    cl_err vrc, src = CL_OK;
    json_t *docs, *errors, *outj;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless mdoc verify --response RESPONSE.cbor --trust IACA.pem "
                       "[--trust ...] --session-transcript ST.cbor [--reader-key EREADER.pem] "
                       "[--at RFC3339] [--status-list LIST.jwt|LIST.cwt [--status-list ...] "
                       "[--status-key PUB] [--leeway SECONDS]] --json\n"
                       "Verify a DeviceResponse, and with --status-list each document's status "
                       "(draft-ietf-oauth-status-list); exit 0 when valid, 1 when not.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, N(opts), "json");
    if (cli_get(opts, N(opts), "leeway") != NULL &&
        !cli_get_u64(opts, N(opts), "leeway", 0, CL_JWT_LEEWAY_MAX, &leeway))
        return CLI_USAGE;
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&anchors);
    memset(&vo, 0, sizeof vo);
    vo.at = cl_now();
    /* usage and I/O problems first: they are not verdicts */
    for (size_t i = 0; i < cli_opt(opts, N(opts), "trust")->nvalues; i++)
        if (cli_read_certs(&a, cli_opt(opts, N(opts), "trust")->values[i], &anchors, &err) != CL_OK)
            goto fail;
    if (cli_read_file(&a, cli_get(opts, N(opts), "response"), &resp, &err) != CL_OK ||
        cli_read_file(&a, cli_get(opts, N(opts), "session-transcript"), &data, &err) != CL_OK)
        goto fail;
    if (cli_get(opts, N(opts), "reader-key") != NULL &&
        cli_load_key(&a, cli_get(opts, N(opts), "reader-key"), true, &reader, &err) != CL_OK)
        goto fail;
    if (cli_get(opts, N(opts), "at") != NULL &&
        cli_parse_time(cli_get(opts, N(opts), "at"), "at", &vo.at, &err) != CL_OK)
        goto fail;
    if (cli_mdoc_status_load(&a, cli_opt(opts, N(opts), "status-list")->values,
                             cli_opt(opts, N(opts), "status-list")->nvalues,
                             cli_get(opts, N(opts), "status-key"), &anchors, (int64_t)leeway, &st,
                             &err) != CL_OK)
        goto fail;
    vrc = cl_mdoc_transcript_read(&a, data, &t, &err);
    if (vrc == CL_OK) {
        vo.anchors = &anchors;
        vo.transcript = &t;
        vo.reader_key = reader;
        vrc = cl_mdoc_verify(&a, resp, &vo, &v, &n, &err);
    }
    if (vrc == CL_OK) {
        status = cl_arena_calloc(&a, n + 1, sizeof *status);
        if (status == NULL) {
            cl_fail(&err, CL_ERR_NOMEM, "status", "out of memory");
            goto fail;
        }
        vrc = src = cli_mdoc_status_check(&a, st, v, n, vo.at, status, &err);
    }
    docs = json_array();
    errors = json_array();
    if (status != NULL) { /* the signatures verified; a status failure keeps the documents */
        for (size_t i = 0; i < n; i++) {
            json_t *d = doc_json(&a, &v[i], status[i], vrc == CL_OK, &err);

            if (d == NULL) {
                json_decref(docs);
                json_decref(errors);
                for (size_t k = 0; k < n; k++)
                    json_decref(status[k]);
                goto fail;
            }
            json_array_append_new(docs, d);
        }
        for (size_t k = 0; k < n; k++)
            json_decref(status[k]);
    }
    if (vrc != CL_OK) {
        char msg[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

        json_array_append_new(errors, json_pack("{s:s,s:s}", "code", cl_err_name(vrc), "message",
                                                cl_error_str(&err, msg, sizeof msg)));
        if (!json)
            fprintf(stderr, "%s: %s: %s\n", CLI_PROG, argv[0], msg);
    }
    outj = json_pack("{s:b,s:o,s:o}", "valid", vrc == CL_OK, "documents", docs, "errors", errors);
    if (json) {
        cli_print_json(outj);
    } else {
        if (vrc == CL_OK)
            cli_print_json(json_incref(json_object_get(outj, "documents")));
        json_decref(outj);
    }
    rc = vrc == CL_OK ? CLI_OK : cl_err_exit_code(vrc);
    if (rc == CLI_USAGE && vrc != CL_ERR_NOMEM)
        rc = CLI_INVALID; /* a verdict: the response is not valid for these inputs */
    if (src != CL_OK && src != CL_ERR_NOMEM)
        rc = CLI_INVALID; /* as sdjwt verify: a status failure is a verdict */
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    cl_x509_list_fini(&anchors);
    cl_arena_fini(&a);
    return rc;
}

/* ---- request, dump, transcript ---- */

static int
mdoc_request(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"doctype", "DT", "the docType asked for", true},
        {"elements", "NS/ELEMENT[,...]", "the elements asked for", true},
        {"retain", NULL, "set intentToRetain", false},
        {"out", "DEVICEREQUEST.cbor", "where to write the DeviceRequest", true},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_mdoc_sel *sel = NULL;
    struct cl_buf out;
    size_t n = 0;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless mdoc request --doctype DT --elements NS/ELEMENT[,...] "
                       "[--retain] --out DEVICEREQUEST.cbor\n"
                       "Build a DeviceRequest (ISO/IEC 18013-5 §8.3.2.1.2.1), without readerAuth.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&out);
    if (cli_mdoc_split_elements(&a, cli_get(opts, N(opts), "elements"), &sel, &n, &err) != CL_OK ||
        cl_mdoc_request_make(cli_get(opts, N(opts), "doctype"), sel, n,
                             cli_flag(opts, N(opts), "retain"), &out, &err) != CL_OK ||
        cli_write_file(cli_get(opts, N(opts), "out"), cl_buf_bytes(&out), 0644, &err) != CL_OK)
        rc = cli_fail(argv[0], &err, false);
    cl_buf_fini(&out);
    cl_arena_fini(&a);
    return rc;
}

/*
 * COSE payloads are byte strings holding a tag 24 (issuerAuth's MobileSecurityObjectBytes):
 * the diagnostic notation shows them as hex, so print each decoded after the structure.
 */
static void
dump_nested(struct cl_arena *a, const struct cl_cbor *c, unsigned depth, unsigned *count)
{
    if (depth > 32 || *count >= 16)
        return;
    switch (c->type) {
    case CL_CBOR_BYTES:
        if (c->v.str.len > 2 && c->v.str.ptr[0] == 0xd8 && c->v.str.ptr[1] == 0x18) {
            const struct cl_cbor *inner;
            struct cl_buf out;

            if (cl_cbor_decode(a, c->v.str, NULL, &inner, NULL) != CL_OK)
                return;
            cl_buf_init(&out);
            if (cl_cbor_diag(&out, inner, CL_CBOR_DIAG_EXPAND_EMBEDDED | CL_CBOR_DIAG_PRETTY,
                             NULL) == CL_OK) {
                printf("\n/ byte string at offset %zu holds embedded CBOR (a COSE payload such as "
                       "MobileSecurityObjectBytes): /\n",
                       c->offset);
                fwrite(out.ptr, 1, out.len, stdout);
                fputc('\n', stdout);
                (*count)++;
            }
            cl_buf_fini(&out);
            dump_nested(a, inner, depth + 1, count);
        }
        break;
    case CL_CBOR_ARRAY:
        for (size_t i = 0; i < c->v.array.n; i++)
            dump_nested(a, &c->v.array.item[i], depth + 1, count);
        break;
    case CL_CBOR_MAP:
        for (size_t i = 0; i < c->v.map.n; i++)
            dump_nested(a, &c->v.map.pair[i].value, depth + 1, count);
        break;
    case CL_CBOR_TAG:
        if (c->v.tag.num == CL_CBOR_TAG_EMBEDDED) {
            const struct cl_cbor *inner;

            if (cl_cbor_decode_embedded(a, c, NULL, &inner, NULL) == CL_OK)
                dump_nested(a, inner, depth + 1, count);
        } else {
            dump_nested(a, c->v.tag.item, depth + 1, count);
        }
        break;
    default:
        break;
    }
}

static int
mdoc_dump(int argc, char **argv)
{
    const char *pos[1];
    size_t npos = 1;
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_bytes data;
    const struct cl_cbor *item;
    struct cl_buf out;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless mdoc dump FILE.cbor\n"
                       "Print any mdoc structure in CBOR diagnostic notation, tag-24 contents "
                       "expanded.",
                       NULL, 0, pos, &npos);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    if (npos != 1)
        return cli_usage_error(argv[0], "give one FILE.cbor");
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&out);
    if (cli_read_file(&a, pos[0], &data, &err) != CL_OK ||
        cl_cbor_decode(&a, data, NULL, &item, &err) != CL_OK ||
        cl_cbor_diag(&out, item, CL_CBOR_DIAG_EXPAND_EMBEDDED | CL_CBOR_DIAG_PRETTY, &err) !=
            CL_OK) {
        rc = cli_fail(argv[0], &err, false);
    } else {
        unsigned count = 0;

        fwrite(out.ptr, 1, out.len, stdout);
        fputc('\n', stdout);
        dump_nested(&a, item, 0, &count);
    }
    cl_buf_fini(&out);
    cl_arena_fini(&a);
    return rc;
}

static int
mdoc_transcript(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"out", "ST.cbor", "where to write the SessionTranscript", true},
        {"nonce", "TEXT", "nonce to put in the handover (default: 16 random bytes)", false},
        {"bytes", NULL, "write the tag-24 SessionTranscriptBytes instead of the array", false},
    };
    struct cl_error err = {0};
    struct cl_buf st, out;
    uint8_t rnd[16];
    const char *nonce;
    int rc =
        cli_parse(argc, argv,
                  "Usage: cardless mdoc transcript --out ST.cbor [--nonce TEXT] [--bytes]\n"
                  "Write a test SessionTranscript [null, null, [\"cardless-test\", nonce]] for "
                  "presentations outside a proximity session (tests, demos).",
                  opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    nonce = cli_get(opts, N(opts), "nonce");
    cl_buf_init(&st);
    cl_buf_init(&out);
    if ((nonce == NULL && cl_random(rnd, sizeof rnd, &err) != CL_OK) ||
        cl_mdoc_transcript_make_test(
            nonce != NULL ? cl_bytes_str(nonce) : cl_bytes_of(rnd, sizeof rnd), &st, &err) != CL_OK)
        goto fail;
    if (cli_flag(opts, N(opts), "bytes")) {
        cl_cbor_put_tag(&out, CL_CBOR_TAG_EMBEDDED);
        cl_cbor_put_bytes(&out, cl_buf_bytes(&st));
    } else {
        cl_buf_append_bytes(&out, cl_buf_bytes(&st));
    }
    if (cl_buf_check(&out, "SessionTranscript", &err) != CL_OK ||
        cli_write_file(cli_get(opts, N(opts), "out"), cl_buf_bytes(&out), 0644, &err) != CL_OK)
        goto fail;
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, false);
done:
    cl_buf_fini(&st);
    cl_buf_fini(&out);
    return rc;
}

static const struct cli_verb mdoc_verbs[] = {
    {"issue", "issue a credential bound to a device key", mdoc_issue},
    {"present", "build a DeviceResponse disclosing what is asked", mdoc_present},
    {"verify", "verify a DeviceResponse", mdoc_verify},
    {"request", "build a DeviceRequest", mdoc_request},
    {"dump", "print any mdoc structure in diagnostic notation", mdoc_dump},
    {"transcript", "write a test SessionTranscript", mdoc_transcript},
    {"serve-holder", "holder end of a proximity session (loopback TCP)", cli_mdoc_serve_holder},
    {"read", "reader end of a proximity session (loopback TCP)", cli_mdoc_read},
};

const struct cli_noun cli_noun_mdoc = {
    "mdoc", "ISO/IEC 18013-5 mobile documents: issue, present, verify", mdoc_verbs, N(mdoc_verbs)};
