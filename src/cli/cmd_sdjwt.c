/*
 * cmd_sdjwt.c - `cardless sdjwt issue|present|verify`: SD-JWT VC (RFC 9901 and
 * draft-ietf-oauth-sd-jwt-vc) credentials from credential types or raw claims, presentations
 * with a KB-JWT, and a strict verifier with an optional Token Status List check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/catalog.h"
#include "cardless/codec.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "cardless/sdjwt.h"
#include "cardless/status.h"
#include "cardless/time.h"
#include "cardless/x509.h"
#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

#define N(o) CL_ARRAY_LEN(o)
#define DAY 86400

/* Claims the issuer sets itself; a claims file may not set them. */
static const char *const issuer_claims[] = {"iss", "iat",    "exp", "nbf",    "vct",
                                            "cnf", "status", "_sd", "_sd_alg"};

/* Split "A,B,C" (and repeated options) into a NULL-free array of strings in the arena. */
static cl_err
split_list(struct cl_arena *a, const struct cli_opt *o, const char ***out, size_t *n,
           struct cl_error *err)
{
    size_t cap = 0, k = 0;
    const char **v;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < o->nvalues; i++) {
        cap++;
        for (const char *q = o->values[i]; *q; q++)
            cap += *q == ',';
    }
    v = cl_arena_calloc(a, cap + 1, sizeof *v);
    if (v == NULL)
        return cl_fail(err, CL_ERR_NOMEM, o->name, "out of memory");
    for (size_t i = 0; i < o->nvalues; i++) {
        const char *p = o->values[i];

        while (*p) {
            const char *end = strchr(p, ',');

            if (end == NULL)
                end = p + strlen(p);
            if (end != p) {
                v[k] = cl_arena_strndup(a, cl_bytes_of(p, (size_t)(end - p)));
                if (v[k] == NULL)
                    return cl_fail(err, CL_ERR_NOMEM, o->name, "out of memory");
                if (v[k][0] != '/')
                    return cl_fail(err, CL_ERR_USAGE, o->name,
                                   "each claim is a JSON pointer such as /address/locality");
                k++;
            }
            p = *end == ',' ? end + 1 : end;
        }
    }
    *out = v;
    *n = k;
    return CL_OK;
}

/* A file's text without trailing white space (an SD-JWT is one line). */
static cl_err
read_text(struct cl_arena *a, const char *path, struct cl_bytes *out, struct cl_error *err)
{
    cl_err rc = cli_read_file(a, path, out, err);

    while (rc == CL_OK && out->len > 0 &&
           (out->ptr[out->len - 1] == '\n' || out->ptr[out->len - 1] == '\r' ||
            out->ptr[out->len - 1] == ' ' || out->ptr[out->len - 1] == '\t'))
        out->len--;
    return rc;
}

/* Put v at JSON pointer path in obj, making the objects on the way. */
static cl_err
put_at(json_t *obj, const char *path, json_t *v, struct cl_error *err)
{
    char tok[256];
    const char *p = path;

    for (;;) {
        size_t n = 0;
        json_t *next;

        if (*p != '/')
            return cl_fail(err, CL_ERR_INPUT, path, "sdjwt_path is not a JSON pointer");
        p++;
        while (*p != '\0' && *p != '/') {
            char c = *p++;

            if (c == '~') {
                c = *p == '0' ? '~' : *p == '1' ? '/' : '\0';
                if (c == '\0')
                    return cl_fail(err, CL_ERR_INPUT, path, "bad '~' escape in a JSON pointer");
                p++;
            }
            if (n + 1 >= sizeof tok)
                return cl_fail(err, CL_ERR_TOO_LARGE, path, "JSON pointer token too long");
            tok[n++] = c;
        }
        tok[n] = '\0';
        if (*p == '\0')
            return json_object_set(obj, tok, v) == 0
                       ? CL_OK
                       : cl_fail(err, CL_ERR_NOMEM, path, "out of memory");
        next = json_object_get(obj, tok);
        if (next == NULL) {
            next = json_object();
            if (next == NULL || json_object_set_new(obj, tok, next) != 0)
                return cl_fail(err, CL_ERR_NOMEM, path, "out of memory");
        } else if (!json_is_object(next)) {
            return cl_fail(err, CL_ERR_INPUT, path, "a claim path runs through a non-object");
        }
        obj = next;
    }
}

/* The payload's user claims from a credential type: validated, converted, placed at their
 * sdjwt_path; the type's selective disclosure choices. Prints every problem found. */
static int
claims_from_type(struct cl_arena *a, const struct cl_catalog_type *type, const json_t *in,
                 json_t *payload, const char ***sd, size_t *nsd, const char ***never,
                 size_t *nnever, bool json_out, struct cl_error *err)
{
    struct cl_catalog_report rep;
    cl_err rc;
    const char **s, **nv;
    size_t ks = 0, kn = 0;

    memset(&rep, 0, sizeof rep);
    rc = cl_catalog_validate_sdjwt_claims(a, type, in, &rep, err);
    if (rc != CL_OK) {
        cli_print_problems("sdjwt issue", &rep, json_out);
        return cl_err_exit_code(rc);
    }
    s = cl_arena_calloc(a, type->nclaims + 1, sizeof *s);
    nv = cl_arena_calloc(a, type->nclaims + 1, sizeof *nv);
    if (s == NULL || nv == NULL) {
        cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
        return cli_fail("sdjwt issue", err, json_out);
    }
    for (size_t i = 0; i < type->nclaims; i++) {
        const struct cl_catalog_claim *c = &type->claims[i];

        if (c->sd == CL_CATALOG_SD_NEVER)
            nv[kn++] = c->sdjwt_path;
    }
    for (size_t i = 0; i < rep.nvalues; i++) {
        const struct cl_catalog_claim *c = rep.values[i].claim;
        json_t *v = NULL;

        rc = cl_catalog_value_to_sdjwt(a, c, rep.values[i].value, &v, err);
        if (rc == CL_OK)
            rc = put_at(payload, c->sdjwt_path, v, err);
        if (rc != CL_OK) {
            cl_error_nest(err, c->name);
            return cli_fail("sdjwt issue", err, json_out);
        }
        if (c->sd != CL_CATALOG_SD_NEVER)
            s[ks++] = c->sdjwt_path;
    }
    if (*sd == NULL) {
        *sd = s;
        *nsd = ks;
    } else {
        /* --sd overrides the type's "allowed" choices; "never" claims are refused by the
         * issuer and "always" claims (resident numbers...) stay selectively disclosable */
        const char **u = cl_arena_calloc(a, *nsd + rep.nvalues + 1, sizeof *u);
        size_t ku = *nsd;

        if (u == NULL) {
            cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
            return cli_fail("sdjwt issue", err, json_out);
        }
        memcpy(u, *sd, *nsd * sizeof *u);
        for (size_t i = 0; i < rep.nvalues; i++) {
            const struct cl_catalog_claim *c = rep.values[i].claim;
            bool have = false;

            for (size_t j = 0; j < *nsd; j++)
                have |= strcmp((*sd)[j], c->sdjwt_path) == 0;
            if (c->sd == CL_CATALOG_SD_ALWAYS && !have)
                u[ku++] = c->sdjwt_path;
        }
        *sd = u;
        *nsd = ku;
    }
    *never = nv;
    *nnever = kn;
    return CLI_OK;
}

static int
sdjwt_issue(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"type", "TYPE_ID",
         "credential type id (data/types/TYPE_ID.json): vct and disclosure "
         "choices from the type"},
        {"vct", "VCT", "the vct, for claims without a credential type"},
        {"sd", "POINTER[,POINTER...]",
         "JSON pointers of the selectively disclosable claims (/address/locality, "
         "/nationalities/1)",
         false, true},
        {"claims", "CLAIMS.json", "the user claims (a type's claims file, or any JSON object)",
         true},
        {"iss", "URL", "the issuer identifier", true},
        {"issuer-key", "KEY.pem|KEY.jwk", "issuer private key", true},
        {"x5c", "CHAIN.pem", "issuer certificate chain for the x5c header, leaf first"},
        {"kid", "KID", "key id for the header \"kid\" (to pick the key from a JWK Set)"},
        {"holder-pub", "PUB.pem|PUB.jwk", "the holder's public key, bound in cnf.jwk", true},
        {"status-uri", "URI", "status list URI (status.status_list.uri)"},
        {"status-index", "N", "index in the status list (status.status_list.idx)"},
        {"valid-days", "N", "validity in days (default: the type's, else 365)"},
        {"decoys", "N", "decoy digests added to each _sd array (default 0)"},
        {"at", "RFC3339", "issuance time (default now)"},
        {"types", "DIR", "credential types directory (default $CL_TYPES_DIR or data/types)"},
        {"out", "CRED.txt", "where to write the SD-JWT VC", true},
        {"json", NULL, "print {\"out\", \"vct\", \"disclosures\"} as JSON"},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_catalog *cat = NULL;
    const struct cl_catalog_type *type = NULL;
    struct cl_key *ikey = NULL, *hkey = NULL;
    struct cl_x509_list chain;
    struct cl_sdjwt_issue_opts io;
    struct cl_bytes claims_text, cred, *x5c = NULL;
    json_t *in = NULL, *payload = NULL, *jwk = NULL;
    const char **sd = NULL, **never = NULL, *vct;
    size_t nsd = 0, nnever = 0;
    uint64_t days = 365, decoys = 0, idx = 0;
    int64_t now;
    bool json;
    const char *key;
    json_t *val;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless sdjwt issue (--type TYPE_ID | --vct VCT --sd POINTER[,...])"
                       " --claims CLAIMS.json --iss URL --issuer-key KEY.pem|KEY.jwk [--x5c "
                       "CHAIN.pem] --holder-pub PUB.pem|PUB.jwk [--status-uri URI --status-index "
                       "N] [--valid-days N] [--decoys N] --out CRED.txt\n"
                       "Issue an SD-JWT VC (typ dc+sd-jwt) bound to the holder's key.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, N(opts), "json");
    if ((cli_get(opts, N(opts), "type") == NULL) == (cli_get(opts, N(opts), "vct") == NULL))
        return cli_usage_error(argv[0], "give either --type or --vct");
    if ((cli_get(opts, N(opts), "status-index") != NULL) !=
        (cli_get(opts, N(opts), "status-uri") != NULL))
        return cli_usage_error(argv[0], "--status-uri and --status-index go together");
    if (cli_get(opts, N(opts), "status-index") != NULL &&
        !cli_get_u64(opts, N(opts), "status-index", 0, INT64_MAX, &idx))
        return CLI_USAGE;
    if (cli_get(opts, N(opts), "decoys") != NULL &&
        !cli_get_u64(opts, N(opts), "decoys", 0, 64, &decoys))
        return CLI_USAGE;
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&chain);
    now = cl_now();
    if (cli_get(opts, N(opts), "at") != NULL &&
        cli_parse_time(cli_get(opts, N(opts), "at"), "at", &now, &err) != CL_OK)
        goto fail;
    if (cli_opt(opts, N(opts), "sd")->nvalues != 0 &&
        split_list(&a, cli_opt(opts, N(opts), "sd"), &sd, &nsd, &err) != CL_OK)
        goto fail;
    if (read_text(&a, cli_get(opts, N(opts), "claims"), &claims_text, &err) != CL_OK ||
        cl_jose_json_parse(&a, claims_text, NULL, "claims", &in, &err) != CL_OK)
        goto fail;
    if (!json_is_object(in)) {
        cl_fail(&err, CL_ERR_INPUT, "claims", "claims file is not a JSON object");
        goto fail;
    }
    payload = json_object();
    if (payload == NULL) {
        cl_fail(&err, CL_ERR_NOMEM, "issue", "out of memory");
        goto fail;
    }
    if (cli_get(opts, N(opts), "type") != NULL) {
        if (cli_load_catalog(&a, cli_get(opts, N(opts), "types"), &cat, &err) != CL_OK)
            goto fail;
        type = cl_catalog_find(cat, cli_get(opts, N(opts), "type"));
        if (type == NULL) {
            cl_fail(&err, CL_ERR_NOT_FOUND, "type", "no credential type with this id");
            goto fail;
        }
        if (type->vct == NULL) {
            cl_fail(&err, CL_ERR_USAGE, type->id, "this credential type has no SD-JWT VC form");
            goto fail;
        }
        vct = type->vct;
        days = type->validity_days != 0 ? type->validity_days : 365;
        rc = claims_from_type(&a, type, in, payload, &sd, &nsd, &never, &nnever, json, &err);
        if (rc != CLI_OK)
            goto done;
    } else {
        vct = cli_get(opts, N(opts), "vct");
        json_object_foreach(in, key, val)
        {
            for (size_t i = 0; i < N(issuer_claims); i++)
                if (strcmp(key, issuer_claims[i]) == 0) {
                    cl_fail(&err, CL_ERR_INPUT, key,
                            "the issuer sets this claim; remove it from the claims file");
                    goto fail;
                }
            if (json_object_set(payload, key, val) != 0) {
                cl_fail(&err, CL_ERR_NOMEM, "issue", "out of memory");
                goto fail;
            }
        }
    }
    if (cli_get(opts, N(opts), "valid-days") != NULL &&
        !cli_get_u64(opts, N(opts), "valid-days", 1, 36500, &days)) {
        rc = CLI_USAGE;
        goto done;
    }
    if (cli_load_key(&a, cli_get(opts, N(opts), "issuer-key"), true, &ikey, &err) != CL_OK ||
        cli_load_key(&a, cli_get(opts, N(opts), "holder-pub"), false, &hkey, &err) != CL_OK ||
        cl_jwk_public_json(hkey, &jwk, &err) != CL_OK)
        goto fail;
    if (cli_get(opts, N(opts), "x5c") != NULL) {
        if (cli_read_certs(&a, cli_get(opts, N(opts), "x5c"), &chain, &err) != CL_OK)
            goto fail;
        x5c = cl_arena_calloc(&a, chain.count, sizeof *x5c);
        if (x5c == NULL) {
            cl_fail(&err, CL_ERR_NOMEM, "x5c", "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < chain.count; i++)
            x5c[i] = cl_x509_cert_der(chain.certs[i]);
    }
    /* SD-JWT VC §3.2.2: iss, iat, exp, vct, cnf (and status) in the clear */
    if (json_object_set_new(payload, "iss", json_string(cli_get(opts, N(opts), "iss"))) != 0 ||
        json_object_set_new(payload, "iat", json_integer(now)) != 0 ||
        json_object_set_new(payload, "exp", json_integer(now + (int64_t)days * DAY)) != 0 ||
        json_object_set_new(payload, "vct", json_string(vct)) != 0 ||
        json_object_set_new(payload, "cnf", json_pack("{s:O}", "jwk", jwk)) != 0 ||
        (cli_get(opts, N(opts), "status-uri") != NULL &&
         json_object_set_new(payload, "status",
                             json_pack("{s:{s:I,s:s}}", "status_list", "idx", (json_int_t)idx,
                                       "uri", cli_get(opts, N(opts), "status-uri"))) != 0)) {
        cl_fail(&err, CL_ERR_NOMEM, "issue", "out of memory");
        goto fail;
    }
    memset(&io, 0, sizeof io);
    io.issuer_key = ikey;
    io.kid = cli_get(opts, N(opts), "kid");
    io.x5c = x5c;
    io.x5c_count = chain.count;
    io.sd = sd;
    io.nsd = nsd;
    io.never = never;
    io.nnever = nnever;
    io.vc = true;
    io.decoys = (size_t)decoys;
    if (cl_sdjwt_issue(&a, payload, &io, &cred, &err) != CL_OK ||
        cli_write_file(cli_get(opts, N(opts), "out"), cred, 0644, &err) != CL_OK)
        goto fail;
    if (json)
        cli_print_json(json_pack("{s:s,s:s,s:I}", "out", cli_get(opts, N(opts), "out"), "vct", vct,
                                 "disclosures", (json_int_t)nsd));
    else if (strcmp(cli_get(opts, N(opts), "out"), "-") != 0)
        printf("%s: SD-JWT VC %s, %zu selectively disclosable claims\n",
               cli_get(opts, N(opts), "out"), vct, nsd);
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    json_decref(jwk);
    json_decref(payload);
    cl_x509_list_fini(&chain);
    cl_arena_fini(&a);
    return rc;
}

static int
sdjwt_present(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"credential", "CRED.txt", "the SD-JWT VC as issued", true},
        {"holder-key", "KEY", "the holder's private key (cnf.jwk), signs the KB-JWT", true},
        {"disclose", "POINTER[,POINTER...]",
         "JSON pointers of the claims to disclose (with what is inside them)", false, true},
        {"aud", "AUD", "the verifier (KB-JWT aud)", true},
        {"nonce", "NONCE", "the verifier's nonce (KB-JWT nonce)", true},
        {"at", "RFC3339", "KB-JWT iat (default now)"},
        {"exact", NULL,
         "disclose only each claim's own disclosure (and its parents), not the "
         "disclosures inside it"},
        {"out", "PRES.txt", "where to write the presentation", true},
        {"json", NULL, "print {\"out\", \"disclosures\"} as JSON"},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_key *hkey = NULL;
    struct cl_sdjwt_present_opts po;
    struct cl_bytes cred, pres;
    const char **ptrs = NULL;
    size_t n = 0;
    int64_t iat = 0;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless sdjwt present --credential CRED.txt --holder-key KEY "
                       "--disclose POINTER[,...] --aud AUD --nonce NONCE --out PRES.txt\n"
                       "Present only the named claims (and the parents they need), bound to the "
                       "holder key by a KB-JWT.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, N(opts), "json");
    cl_arena_init(&a, 0, 0, 0);
    if (cli_get(opts, N(opts), "at") != NULL &&
        cli_parse_time(cli_get(opts, N(opts), "at"), "at", &iat, &err) != CL_OK)
        goto fail;
    if (split_list(&a, cli_opt(opts, N(opts), "disclose"), &ptrs, &n, &err) != CL_OK ||
        read_text(&a, cli_get(opts, N(opts), "credential"), &cred, &err) != CL_OK ||
        cli_load_key(&a, cli_get(opts, N(opts), "holder-key"), true, &hkey, &err) != CL_OK)
        goto fail;
    memset(&po, 0, sizeof po);
    po.disclose = ptrs;
    po.ndisclose = n;
    po.holder_key = hkey;
    po.aud = cli_get(opts, N(opts), "aud");
    po.nonce = cli_get(opts, N(opts), "nonce");
    po.iat = iat;
    po.flags = cli_flag(opts, N(opts), "exact") ? CL_SDJWT_PRESENT_EXACT : 0;
    if (cl_sdjwt_present(&a, cred, &po, &pres, &err) != CL_OK ||
        cli_write_file(cli_get(opts, N(opts), "out"), pres, 0644, &err) != CL_OK)
        goto fail;
    if (json)
        cli_print_json(
            json_pack("{s:s,s:I}", "out", cli_get(opts, N(opts), "out"), "claims", (json_int_t)n));
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    cl_arena_fini(&a);
    return rc;
}

/* --issuer-key: a PEM or JWK public key, or a JWK Set {"keys": [...]} (RFC 7517 §5) whose EC
 * keys are used by their "kid" (keys of other types are skipped). */
static cl_err
load_issuer_keys(struct cl_arena *a, const char *path, struct cl_key **one,
                 const struct cl_key ***set, const char ***kids, size_t *n, struct cl_error *err)
{
    struct cl_bytes text;
    json_t *j = NULL, *keys, *k;
    size_t i, m = 0;
    cl_err rc = read_text(a, path, &text, err);

    *n = 0;
    if (rc != CL_OK)
        return rc;
    if (text.len == 0 || text.ptr[0] != '{' ||
        cl_jose_json_parse(a, text, NULL, path, &j, NULL) != CL_OK ||
        (keys = json_object_get(j, "keys")) == NULL)
        return cli_load_key(a, path, false, one, err);
    if (!json_is_array(keys) || json_array_size(keys) == 0)
        return cl_fail(err, CL_ERR_INPUT, path, "JWK Set \"keys\" is not a non-empty array");
    *set = cl_arena_calloc(a, json_array_size(keys), sizeof **set);
    *kids = cl_arena_calloc(a, json_array_size(keys), sizeof **kids);
    if (*set == NULL || *kids == NULL)
        return cl_fail(err, CL_ERR_NOMEM, path, "out of memory");
    json_array_foreach(keys, i, k)
    {
        struct cl_key *key = NULL;

        if (!json_is_object(k) || json_string_value(json_object_get(k, "kty")) == NULL ||
            strcmp(json_string_value(json_object_get(k, "kty")), "EC") != 0)
            continue;
        rc = cl_jwk_to_key(k, 0, &key, err);
        if (rc == CL_OK)
            rc = cl_key_defer(a, key, err);
        if (rc != CL_OK) {
            char where[40];

            snprintf(where, sizeof where, "keys[%zu]", i);
            cl_error_nest(err, where);
            cl_error_nest(err, path);
            return rc;
        }
        (*set)[m] = key;
        (*kids)[m] = json_string_value(json_object_get(k, "kid"));
        m++;
    }
    if (m == 0)
        return cl_fail(err, CL_ERR_UNSUPPORTED, path, "JWK Set has no EC key");
    *n = m;
    return CL_OK;
}

/* The credential's status reference checked against a Status List Token. */
static cl_err
check_status(struct cl_arena *a, const json_t *status, const char *list_path,
             const struct cl_key *key, const struct cl_key *fallback,
             const struct cl_x509_list *anchors, int64_t at, int64_t leeway, const char **name,
             struct cl_error *err)
{
    const json_t *sl = json_object_get(status, "status_list");
    const json_t *jidx = json_object_get(sl, "idx");
    const char *uri = json_string_value(json_object_get(sl, "uri"));
    struct cl_status_trust trust;
    struct cl_bytes token;
    unsigned value = 0;
    cl_err rc;

    if (status == NULL)
        return cl_fail(err, CL_ERR_MISSING, "payload.status",
                       "a status list was given but the credential has no status claim");
    if (!json_is_integer(jidx) || json_integer_value(jidx) < 0 || uri == NULL)
        return cl_fail(err, CL_ERR_INPUT, "payload.status.status_list",
                       "status_list needs a non-negative integer idx and a uri string");
    rc = read_text(a, list_path, &token, err);
    if (rc != CL_OK)
        return rc;
    memset(&trust, 0, sizeof trust);
    trust.key = key;
    trust.anchors = anchors;
    trust.leeway = leeway;
    rc = cl_status_check(a, token, &trust, uri, (uint64_t)json_integer_value(jidx), at, NULL,
                         &value, name, err);
    if (rc != CL_OK && key == NULL && fallback != NULL && strstr(err->where, "x5c") != NULL) {
        /* a list without x5c: signed by the credential's issuer itself */
        cl_error_clear(err);
        trust.key = fallback;
        trust.anchors = NULL;
        rc = cl_status_check(a, token, &trust, uri, (uint64_t)json_integer_value(jidx), at, NULL,
                             &value, name, err);
    }
    if (rc != CL_OK) {
        cl_error_nest(err, "status_list");
        return rc;
    }
    if (value != CL_STATUS_VALID)
        return cl_fail(err, CL_ERR_REVOKED, "status",
                       "credential is %s in the status list (index %lld)", *name,
                       (long long)json_integer_value(jidx));
    return CL_OK;
}

static int
sdjwt_verify(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"presentation", "PRES.txt", "the SD-JWT (+KB) to verify", true},
        {"issuer-key", "PUB.pem|PUB.jwk",
         "the issuer's public key, or a JWK Set {\"keys\": [...]}"},
        {"trust", "IACA.pem", "trust anchors for the issuer's x5c chain", false, true},
        {"aud", "AUD", "expected KB-JWT aud"},
        {"nonce", "NONCE", "expected KB-JWT nonce"},
        {"no-kb", NULL, "do not require a KB-JWT (one that is present is still checked)"},
        {"at", "RFC3339", "verify at this time (default now)"},
        {"leeway", "SECONDS", "clock skew allowed for exp/nbf/iat (default 0, at most 86400)"},
        {"kb-max-age", "SECONDS", "how old the KB-JWT iat may be (default 300)"},
        {"status-list", "LIST.jwt|LIST.cwt", "check the credential's status in this list"},
        {"status-key", "PUB", "the status list signer's key (default: --issuer-key / --trust)"},
        {"typ", "TYP", "accept this issuer typ instead of dc+sd-jwt/vc+sd-jwt", false, true},
        {"no-vc", NULL, "plain SD-JWT: skip the SD-JWT VC rules (vct, cnf, ...)"},
        {"json", NULL, "print {\"valid\", \"vct\", \"iss\", \"claims\", \"status\", \"errors\"}"},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_key *ikey = NULL, *skey = NULL;
    struct cl_x509_list anchors;
    struct cl_sdjwt_verify_opts vo;
    struct cl_sdjwt_verified v;
    struct cl_bytes pres;
    const char *typs[17] = {NULL}, *status = NULL, **kids = NULL;
    const struct cl_key **keyset = NULL;
    size_t nkeys = 0;
    uint64_t leeway = 0, max_age = 300;
    int64_t now;
    bool json, ok, verified;
    json_t *out, *errors;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless sdjwt verify --presentation PRES.txt (--issuer-key "
                       "PUB.pem|PUB.jwk | --trust IACA.pem) [--aud AUD --nonce NONCE] [--no-kb] "
                       "[--at RFC3339] [--leeway SECONDS] [--kb-max-age SECONDS] [--status-list "
                       "LIST.jwt|LIST.cwt [--status-key PUB]] --json\n"
                       "Verify an SD-JWT VC presentation per RFC 9901 §7; exit 0 valid, 1 not.",
                       opts, N(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, N(opts), "json");
    if ((cli_get(opts, N(opts), "issuer-key") == NULL) ==
        (cli_opt(opts, N(opts), "trust")->nvalues == 0))
        return cli_usage_error(argv[0], "give either --issuer-key or --trust");
    if ((cli_get(opts, N(opts), "leeway") != NULL &&
         !cli_get_u64(opts, N(opts), "leeway", 0, CL_JWT_LEEWAY_MAX, &leeway)) ||
        (cli_get(opts, N(opts), "kb-max-age") != NULL &&
         !cli_get_u64(opts, N(opts), "kb-max-age", 1, INT64_MAX, &max_age)))
        return CLI_USAGE;
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&anchors);
    now = cl_now();
    if (cli_get(opts, N(opts), "at") != NULL &&
        cli_parse_time(cli_get(opts, N(opts), "at"), "at", &now, &err) != CL_OK)
        goto fail;
    if (read_text(&a, cli_get(opts, N(opts), "presentation"), &pres, &err) != CL_OK)
        goto fail;
    if (cli_get(opts, N(opts), "issuer-key") != NULL &&
        load_issuer_keys(&a, cli_get(opts, N(opts), "issuer-key"), &ikey, &keyset, &kids, &nkeys,
                         &err) != CL_OK)
        goto fail;
    for (size_t i = 0; i < cli_opt(opts, N(opts), "trust")->nvalues; i++)
        if (cli_read_certs(&a, cli_opt(opts, N(opts), "trust")->values[i], &anchors, &err) != CL_OK)
            goto fail;
    if (cli_get(opts, N(opts), "status-key") != NULL &&
        cli_load_key(&a, cli_get(opts, N(opts), "status-key"), false, &skey, &err) != CL_OK)
        goto fail;
    for (size_t i = 0; i < cli_opt(opts, N(opts), "typ")->nvalues; i++)
        typs[i] = cli_opt(opts, N(opts), "typ")->values[i];
    memset(&vo, 0, sizeof vo);
    vo.issuer_key = ikey;
    vo.keyset = keyset;
    vo.keyset_kids = kids;
    vo.nkeyset = nkeys;
    vo.trust = &anchors;
    vo.typs = typs[0] != NULL ? typs : NULL;
    vo.vc = !cli_flag(opts, N(opts), "no-vc");
    vo.require_kb = !cli_flag(opts, N(opts), "no-kb");
    vo.aud = cli_get(opts, N(opts), "aud");
    vo.nonce = cli_get(opts, N(opts), "nonce");
    vo.now = now;
    vo.leeway = (int64_t)leeway;
    vo.kb_max_age = (int64_t)max_age;
    if (vo.require_kb && (vo.aud == NULL || vo.nonce == NULL)) {
        rc = cli_usage_error(argv[0], "a key-bound presentation needs --aud and --nonce "
                                      "(or --no-kb)");
        goto done;
    }
    verified = ok = cl_sdjwt_verify(&a, pres, &vo, &v, &err) == CL_OK;
    if (ok && cli_get(opts, N(opts), "status-list") != NULL) {
        ok = check_status(&a, v.status, cli_get(opts, N(opts), "status-list"),
                          skey != NULL         ? skey
                          : ikey != NULL       ? ikey
                          : anchors.count == 0 ? v.issuer_key
                                               : NULL,
                          v.issuer_key, anchors.count != 0 ? &anchors : NULL, now, (int64_t)leeway,
                          &status, &err) == CL_OK;
        if (!ok && err.code != CL_ERR_REVOKED)
            status = NULL;
    }
    errors = json_array();
    if (!ok) {
        char msg[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

        json_array_append_new(errors, json_pack("{s:s,s:s}", "code", cl_err_name(err.code),
                                                "message", cl_error_str(&err, msg, sizeof msg)));
        fprintf(stderr, "%s: %s: %s\n", CLI_PROG, argv[0], msg);
    }
    out = json_pack("{s:b,s:s?,s:s?,s:O?,s:s?,s:o}", "valid", ok, "vct", verified ? v.vct : NULL,
                    "iss", verified ? v.iss : NULL, "claims", ok ? v.claims : NULL, "status",
                    status, "errors", errors);
    if (json) {
        cli_print_json(out);
    } else {
        if (ok) {
            printf("valid: %s from %s%s%s\n", v.vct != NULL ? v.vct : "SD-JWT",
                   v.iss != NULL ? v.iss : "(no iss)", status != NULL ? ", status " : "",
                   status != NULL ? status : "");
            cli_print_json(json_incref(v.claims));
        }
        json_decref(out);
    }
    rc = ok ? CLI_OK : CLI_INVALID;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    cl_x509_list_fini(&anchors);
    cl_arena_fini(&a);
    return rc;
}

static const struct cli_verb sdjwt_verbs[] = {
    {"issue", "issue an SD-JWT VC from a credential type or raw claims", sdjwt_issue},
    {"present", "present chosen claims with a Key Binding JWT", sdjwt_present},
    {"verify", "verify a presentation (RFC 9901 §7, SD-JWT VC, status list)", sdjwt_verify},
};

const struct cli_noun cli_noun_sdjwt = {"sdjwt", "SD-JWT VC credentials: issue, present, verify",
                                        sdjwt_verbs, N(sdjwt_verbs)};
