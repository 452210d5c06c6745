/* verify.c - the verifier (RFC 9901 §7.1-§7.3, SD-JWT VC draft §3): issuer signature over the
 * received JWT with an allow-listed alg, payload processing, times, SD-JWT VC rules, KB-JWT. */
#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/limits.h"
#include "sdjwt/sdjwt_int.h"

#include "base/banned.h"

static const char *const default_typs[] = {CL_SDJWT_TYP_VC, CL_SDJWT_TYP_VC_OLD, NULL};

/* The issuer key: configured, or the leaf of the "x5c" chain validated to a trust anchor. */
static cl_err
issuer_key(struct cl_arena *a, const struct cl_sdjwt *sd, const struct cl_sdjwt_verify_opts *o,
           const struct cl_key **out, struct cl_error *err)
{
    struct cl_bytes *certs = NULL;
    size_t n = 0, i;
    struct cl_x509_list chain;
    struct cl_key *key = NULL;
    cl_err rc;

    if (o->issuer_key != NULL) {
        *out = o->issuer_key;
        return CL_OK;
    }
    if (o->trust == NULL || o->trust->count == 0)
        return cl_fail(err, CL_ERR_USAGE, "issuer_key", "neither an issuer key nor trust anchors");
    rc = cl_jws_x5c(a, &sd->jws, &certs, &n, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuer_jwt.header");
        return rc == CL_ERR_MISSING
                   ? cl_fail_over(err, CL_ERR_UNTRUSTED, "issuer_jwt.header.x5c",
                                  "no x5c header: the issuer cannot be chained to a trust anchor")
                   : rc;
    }
    cl_x509_list_init(&chain);
    for (i = 0; i < n; i++) {
        struct cl_x509_cert *c = NULL;

        rc = cl_x509_cert_from_der(certs[i], &c, err);
        if (rc == CL_OK) {
            rc = cl_x509_list_add(&chain, c, err);
            cl_x509_cert_free(c);
        }
        if (rc != CL_OK) {
            char where[40];

            snprintf(where, sizeof where, "issuer_jwt.header.x5c[%zu]", i);
            cl_error_nest(err, where);
            goto out;
        }
    }
    rc = cl_x509_chain_verify(&chain, o->trust, o->now, NULL, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "issuer_jwt.header.x5c");
        goto out;
    }
    /* The leaf signs credentials: it must not be a CA. Its profile beyond that (the mdoc DS
     * extKeyUsage) is not required for SD-JWT VC issuers. */
    if (cl_x509_is_ca(chain.certs[0])) {
        rc = cl_fail(err, CL_ERR_UNTRUSTED, "issuer_jwt.header.x5c[0]",
                     "x5c leaf is a CA certificate, not a signer");
        goto out;
    }
    rc = cl_x509_cert_key(chain.certs[0], &key, err);
    if (rc == CL_OK)
        rc = cl_key_defer(a, key, err);
    if (rc == CL_OK)
        *out = key;
out:
    cl_x509_list_fini(&chain);
    return rc;
}

/* A configured JWK Set: the key named by the JWT's "kid", or, without a kid, the first key
 * whose signature verifies. */
static cl_err
keyset_verify(const struct cl_sdjwt *sd, const struct cl_sdjwt_verify_opts *o,
              const struct cl_key **out, struct cl_error *err)
{
    const char *kid = sd->jws.kid;
    cl_err rc = CL_ERR_SIGNATURE;

    for (size_t i = 0; i < o->nkeyset; i++) {
        const char *k = o->keyset_kids != NULL ? o->keyset_kids[i] : NULL;
        struct cl_error e = {0};

        if (kid != NULL && (k == NULL || strcmp(k, kid) != 0))
            continue;
        rc = cl_jws_verify(&sd->jws, o->keyset[i], o->algs, &e);
        if (rc == CL_OK) {
            *out = o->keyset[i];
            return CL_OK;
        }
        if (kid != NULL || rc == CL_ERR_UNSUPPORTED || rc == CL_ERR_POLICY) {
            /* the named key, or an alg no key would accept: that is the answer */
            cl_error_nest(&e, "issuer_jwt");
            return cl_fail(err, rc, e.where, "%s", e.msg);
        }
    }
    if (kid != NULL && rc == CL_ERR_SIGNATURE)
        return cl_fail(err, CL_ERR_UNTRUSTED, "issuer_jwt.header.kid",
                       "no key of the configured key set has this kid");
    return cl_fail(err, CL_ERR_SIGNATURE, "issuer_jwt.signature",
                   "no key of the configured key set verifies the issuer signature");
}

/* A claim that must be in the clear carries no digest anywhere inside it. */
static bool
has_digests(const json_t *v, unsigned depth)
{
    const char *k;
    json_t *x;
    size_t i;

    if (depth > CL_LIMIT_JSON_DEPTH)
        return true;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x)
        {
            if (strcmp(k, "_sd") == 0 || strcmp(k, "...") == 0 || has_digests(x, depth + 1))
                return true;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
        {
            if (has_digests(x, depth + 1))
                return true;
        }
    }
    return false;
}

static const char *const vc_never[] = {"iss", "nbf",           "exp",      "cnf",
                                       "vct", "vct#integrity", "aka_vcts", "status"};

/* Whether name is one of vc_never; the first letters (a c e i n s v) sort most names out. */
static bool
is_vc_never(const char *name)
{
    switch (name[0]) {
    case 'a':
    case 'c':
    case 'e':
    case 'i':
    case 'n':
    case 's':
    case 'v':
        break;
    default:
        return false;
    }
    for (size_t k = 0; k < CL_ARRAY_LEN(vc_never); k++)
        if (strcmp(name, vc_never[k]) == 0)
            return true;
    return false;
}

static cl_err
check_vc_clear(const json_t *raw_payload, struct cl_error *err)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(vc_never); i++) {
        const json_t *v = json_object_get(raw_payload, vc_never[i]);

        if (v != NULL && has_digests(v, 1))
            return cl_fail(err, CL_ERR_POLICY, vc_never[i],
                           "claim must not hold selectively disclosable parts in an SD-JWT VC "
                           "(draft-ietf-oauth-sd-jwt-vc §3.2.2.2)");
    }
    return CL_OK;
}

static cl_err
check_vc_disclosures(const struct cl_sdjwt *sd, struct cl_error *err)
{
    for (size_t i = 0; i < sd->ndisclosures; i++) {
        const struct cl_sdjwt_disclosure *d = &sd->disclosures[i];
        char where[32];

        if (d->parent != -1 || d->name == NULL || !is_vc_never(d->name))
            continue;
        snprintf(where, sizeof where, "disclosures[%zu]", i);
        return cl_fail(err, CL_ERR_POLICY, where,
                       "\"%s\" must not be selectively disclosed in an SD-JWT VC "
                       "(draft-ietf-oauth-sd-jwt-vc §3.2.2.2)",
                       d->name);
    }
    return CL_OK;
}

/*
 * RFC 9901 §7.3 for the common KB-JWT, header {"alg","typ"} and claims {"iat","aud","nonce",
 * "sd_hash"} read by cl_jose_json_flat() instead of two jansson trees. It decides only when
 * verify_kb() would give the same answer: every check passed, or the checks before the
 * signature passed and then the signature (or the cnf key) failed, with verify_kb()'s error.
 * For any other text or any failed check it returns false and verify_kb() decides, with its
 * errors; tests/unit/sdjwt/test_verify.c runs both on each KB-JWT row.
 */
static bool
kb_fast(struct cl_arena *a, const struct cl_sdjwt *sd, const json_t *jwk,
        const struct cl_sdjwt_verify_opts *o, const struct cl_sdjwt_limits *lim, cl_err *rc,
        struct cl_error *err)
{
    struct cl_json_flat hm[2] = {{.name = "alg"}, {.name = "typ"}};
    struct cl_json_flat cm[4] = {
        {.name = "iat", .is_int = true}, {.name = "aud"}, {.name = "nonce"}, {.name = "sd_hash"}};
    struct cl_bytes t = sd->kb_jwt, hdr, pl;
    const uint8_t *d1, *d2;
    int64_t now = o->now, lee = o->leeway, max_age = o->kb_max_age > 0 ? o->kb_max_age : 300;
    char want[CL_SDJWT_DIGEST_B64_MAX];
    struct cl_key *hk = NULL;
    struct cl_jws j;

    if (t.len == 0 || t.len > CL_LIMIT_JWS_BYTES || jwk == NULL ||
        (d1 = memchr(t.ptr, '.', t.len)) == NULL || d1 == t.ptr ||
        (d2 = memchr(d1 + 1, '.', (size_t)(t.ptr + t.len - d1 - 1))) == NULL ||
        memchr(d2 + 1, '.', (size_t)(t.ptr + t.len - d2 - 1)) != NULL)
        return false;
    memset(&j, 0, sizeof j);
    if (cl_b64url_decode_arena(a, cl_bytes_of(t.ptr, (size_t)(d1 - t.ptr)), &hdr, NULL) != CL_OK ||
        cl_b64url_decode_arena(a, cl_bytes_of(d1 + 1, (size_t)(d2 - d1 - 1)), &pl, NULL) != CL_OK ||
        cl_b64url_decode_arena(a, cl_bytes_of(d2 + 1, (size_t)(t.ptr + t.len - d2 - 1)),
                               &j.signature, NULL) != CL_OK)
        return false;
    if (cl_jose_json_flat(a, hdr, &lim->json, hm, CL_ARRAY_LEN(hm)) != 1 || !hm[0].present ||
        !cl_bytes_eq_str(hm[1].str, CL_SDJWT_TYP_KB) ||
        cl_jose_json_flat(a, pl, &lim->json, cm, CL_ARRAY_LEN(cm)) != 1 || !cm[0].present ||
        !cm[1].present || !cm[2].present || !cm[3].present)
        return false;
    /* the checks of cl_jwt_check_claims (require_iat, max_age, aud) and verify_kb */
    if (now < 0 || now > CL_JWT_TIME_MAX || lee < 0 || lee > CL_JWT_LEEWAY_MAX || cm[0].num < 0 ||
        cm[0].num > CL_JWT_TIME_MAX || cm[0].num > now + lee || now - cm[0].num - lee > max_age ||
        (o->aud != NULL && !cl_bytes_eq_str(cm[1].str, o->aud)) ||
        (o->nonce != NULL && !cl_ct_equal(cm[2].str, cl_bytes_str(o->nonce))) ||
        sdjwt_digest_b64(sd->sd_alg, sd->presented, want, NULL) != CL_OK ||
        !cl_ct_equal(cm[3].str, cl_bytes_str(want)))
        return false;
    j.alg_name = cl_arena_strndup(a, hm[0].str);
    if (j.alg_name == NULL)
        return false;
    j.alg = cl_jose_alg_from_name(j.alg_name);
    j.signing_input = cl_bytes_of(t.ptr, (size_t)(d2 - t.ptr));
    /* from here on as verify_kb: the cnf key, then the signature */
    *rc = cl_jwk_to_key(jwk, 0, &hk, err);
    if (*rc != CL_OK) {
        cl_error_nest(err, "payload.cnf.jwk");
        return true;
    }
    *rc = cl_key_defer(a, hk, err);
    if (*rc != CL_OK)
        return true;
    *rc = cl_jws_verify(&j, hk, o->algs, err);
    if (*rc != CL_OK)
        cl_error_nest(err, "kb_jwt");
    return true;
}

static cl_err
verify_kb(struct cl_arena *a, const struct cl_sdjwt *sd, const json_t *claims,
          const struct cl_sdjwt_verify_opts *o, const struct cl_sdjwt_limits *lim,
          struct cl_error *err)
{
    struct cl_jws_opts jo = cl_jws_opts_default();
    struct cl_jws kb;
    struct cl_jwt_check chk;
    const json_t *jwk = json_object_get(json_object_get(claims, "cnf"), "jwk");
    const json_t *aud_j;
    const char *nonce, *sd_hash;
    char want[CL_SDJWT_DIGEST_B64_MAX];
    struct cl_key *hk = NULL;
    cl_err rc;

    if (!(o->flags & CL_SDJWT_VERIFY_GENERAL) && kb_fast(a, sd, jwk, o, lim, &rc, err))
        return rc;
    jo.json = lim->json;
    jo.flags = CL_JWS_PAYLOAD_JSON;
    rc = cl_jws_parse(a, sd->kb_jwt, &jo, &kb, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "kb_jwt");
        return rc;
    }
    /* RFC 9901 §7.3 step 5: typ kb+jwt, signature with the key in cnf */
    if (kb.typ == NULL || strcmp(kb.typ, CL_SDJWT_TYP_KB) != 0)
        return cl_fail(err, CL_ERR_POLICY, "kb_jwt.header.typ", "KB-JWT typ is not \"kb+jwt\"");
    if (jwk == NULL)
        return cl_fail(err, CL_ERR_MISSING, "payload.cnf.jwk",
                       "no cnf.jwk in the credential to check the KB-JWT with");
    rc = cl_jwk_to_key(jwk, 0, &hk, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "payload.cnf.jwk");
        return rc;
    }
    rc = cl_key_defer(a, hk, err);
    if (rc != CL_OK)
        return rc;
    rc = cl_jws_verify(&kb, hk, o->algs, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "kb_jwt");
        return rc;
    }
    aud_j = json_object_get(kb.claims, "aud");
    nonce = json_string_value(json_object_get(kb.claims, "nonce"));
    sd_hash = json_string_value(json_object_get(kb.claims, "sd_hash"));
    if (aud_j == NULL)
        return cl_fail(err, CL_ERR_MISSING, "kb_jwt.aud", "KB-JWT has no aud");
    if (nonce == NULL)
        return cl_fail(err, CL_ERR_MISSING, "kb_jwt.nonce", "KB-JWT has no nonce string");
    if (sd_hash == NULL)
        return cl_fail(err, CL_ERR_MISSING, "kb_jwt.sd_hash", "KB-JWT has no sd_hash string");
    memset(&chk, 0, sizeof chk);
    chk.now = o->now;
    chk.leeway = o->leeway;
    chk.aud = o->aud;
    chk.max_age = o->kb_max_age > 0 ? o->kb_max_age : 300;
    chk.require_iat = true;
    rc = cl_jwt_check_claims(kb.claims, &chk, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "kb_jwt");
        return rc;
    }
    if (o->nonce != NULL && !cl_ct_equal(cl_bytes_str(nonce), cl_bytes_str(o->nonce)))
        return cl_fail(err, CL_ERR_POLICY, "kb_jwt.nonce", "KB-JWT nonce is not the one expected");
    rc = sdjwt_digest_b64(sd->sd_alg, sd->presented, want, err);
    if (rc != CL_OK)
        return rc;
    if (!cl_ct_equal(cl_bytes_str(sd_hash), cl_bytes_str(want)))
        return cl_fail(err, CL_ERR_DIGEST, "kb_jwt.sd_hash",
                       "sd_hash does not match the presented SD-JWT");
    return CL_OK;
}

cl_err
cl_sdjwt_verify(struct cl_arena *a, struct cl_bytes text, const struct cl_sdjwt_verify_opts *o,
                struct cl_sdjwt_verified *out, struct cl_error *err)
{
    struct cl_sdjwt_limits lim;
    struct cl_sdjwt sd;
    const struct cl_key *key = NULL;
    const char *const *typs;
    struct cl_jwt_check chk;
    json_t *claims, *vct, *iss, *st;
    bool typ_ok = false;
    cl_err rc;

    memset(out, 0, sizeof *out);
    if (o == NULL)
        return cl_fail(err, CL_ERR_USAGE, "verify", "no options");
    lim = o->lim.max_bytes != 0 ? o->lim : cl_sdjwt_limits_default();
    rc = cl_sdjwt_parse(a, text, &lim, &sd, err);
    if (rc != CL_OK)
        return rc;
    /* RFC 9901 §7.1 step 2: the issuer JWT's typ and signature, alg allow-listed */
    typs = o->typs != NULL ? o->typs : default_typs;
    for (size_t i = 0; typs[i] != NULL && sd.jws.typ != NULL; i++)
        if (strcmp(typs[i], sd.jws.typ) == 0)
            typ_ok = true;
    if (!typ_ok)
        return cl_fail(err, CL_ERR_POLICY, "issuer_jwt.header.typ",
                       "issuer JWT typ is %s, not an accepted type (%s)",
                       sd.jws.typ != NULL ? "another value" : "absent", typs[0]);
    if (o->issuer_key == NULL && o->nkeyset != 0) {
        rc = keyset_verify(&sd, o, &key, err);
    } else {
        rc = issuer_key(a, &sd, o, &key, err);
        if (rc == CL_OK && (rc = cl_jws_verify(&sd.jws, key, o->algs, err)) != CL_OK)
            cl_error_nest(err, "issuer_jwt");
    }
    if (rc != CL_OK)
        return rc;
    if (o->vc) {
        rc = check_vc_clear(sd.jws.claims, err);
        if (rc != CL_OK) {
            cl_error_nest(err, "payload");
            return rc;
        }
    }
    rc = cl_sdjwt_process(a, &sd, 0, &claims, err);
    if (rc != CL_OK)
        return rc;
    if (o->vc) {
        rc = check_vc_disclosures(&sd, err);
        if (rc != CL_OK)
            return rc;
    }
    /* RFC 9901 §7.1 step 6 (RFC 7519 §4.1.4-6): times of the processed payload */
    memset(&chk, 0, sizeof chk);
    chk.now = o->now;
    chk.leeway = o->leeway;
    rc = cl_jwt_check_claims(claims, &chk, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "payload");
        return rc;
    }
    vct = json_object_get(claims, "vct");
    iss = json_object_get(claims, "iss");
    st = json_object_get(claims, "status");
    if (o->vc) {
        /* draft-ietf-oauth-sd-jwt-vc §3.2.2: vct REQUIRED, iss/status typed when present */
        if (vct == NULL)
            return cl_fail(err, CL_ERR_MISSING, "payload.vct", "SD-JWT VC has no vct");
        if (!json_is_string(vct))
            return cl_fail(err, CL_ERR_INPUT, "payload.vct", "vct is not a string");
        if (iss != NULL && !json_is_string(iss))
            return cl_fail(err, CL_ERR_INPUT, "payload.iss", "iss is not a string");
        if (st != NULL && !json_is_object(st))
            return cl_fail(err, CL_ERR_INPUT, "payload.status", "status is not an object");
        if (o->require_kb && json_object_get(claims, "cnf") == NULL)
            return cl_fail(err, CL_ERR_MISSING, "payload.cnf",
                           "SD-JWT VC has no cnf: it cannot be key bound");
    }
    /* RFC 9901 §7.3: the KB-JWT */
    if (sd.kb_jwt.len == 0) {
        if (o->require_kb)
            return cl_fail(err, CL_ERR_MISSING, "kb_jwt",
                           "presentation has no Key Binding JWT after the last '~'");
    } else {
        rc = verify_kb(a, &sd, claims, o, &lim, err);
        if (rc != CL_OK)
            return rc;
        out->key_bound = true;
    }
    out->claims = claims;
    out->vct = json_string_value(vct);
    out->iss = json_string_value(iss);
    out->status = st;
    out->issuer_key = key;
    out->ndisclosures = sd.ndisclosures;
    out->sd = sd;
    return CL_OK;
}
