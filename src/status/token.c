/* token.c - verify a Status List Token, JWT (draft §5.1) or CWT (draft §5.2), and check it
 * as a relying party must (draft §8.3): signature, typ, sub == uri, iat, exp, ttl, list. */
#include <stdio.h>
#include <string.h>

#include "cardless/cose.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "cardless/time.h"
#include "status/status_int.h"

#include "base/banned.h"

#define TYP_JWT "statuslist+jwt"
#define TYP_JWT_LONG "application/statuslist+jwt"
#define TYP_CWT "application/statuslist+cwt"
#define COSE_HDR_TYP 16 /* RFC 9596 */
#define CWT_ISS 1       /* RFC 8392 §3.1 */
#define CWT_SUB 2
#define CWT_EXP 4
#define CWT_IAT 6
#define CWT_STATUS_LIST 65533 /* draft §12.2 */
#define CWT_TTL 65534
#define CWT_TAG 61 /* RFC 8392 §6 */

/* What a token claims before its list is read. */
struct claims {
    const char *sub, *iss;
    int64_t iat, exp, ttl;
};

/* A JWT read from a file may end in a newline: trailing ASCII whitespace is not part of it. */
static struct cl_bytes
trim_text(struct cl_bytes t)
{
    while (t.len > 0 && (t.ptr[t.len - 1] == '\n' || t.ptr[t.len - 1] == '\r' ||
                         t.ptr[t.len - 1] == ' ' || t.ptr[t.len - 1] == '\t'))
        t.len--;
    return t;
}

enum cl_status_format
cl_status_token_format(struct cl_bytes t)
{
    size_t dots = 0;

    t = trim_text(t);
    if (t.len == 0)
        return CL_STATUS_CWT;
    for (size_t i = 0; i < t.len; i++) {
        uint8_t c = t.ptr[i];

        if (c == '.')
            dots++;
        else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_'))
            return CL_STATUS_CWT; /* a CWT starts with 0xd2 (tag 18) or 0xd8 0x3d (tag 61) */
    }
    return dots == 2 ? CL_STATUS_JWT : CL_STATUS_CWT;
}

cl_err
status_check_times(int64_t iat, int64_t exp, int64_t ttl, int64_t at,
                   const struct cl_status_trust *trust, bool *stale, struct cl_error *err)
{
    char when[21];

    *stale = false;
    if (iat > at + trust->leeway) {
        cl_rfc3339_format(iat, when);
        return cl_fail(err, CL_ERR_EXPIRED, "iat", "status list token is issued in the future (%s)",
                       when);
    }
    if (exp != 0 && at >= exp + trust->leeway) {
        cl_rfc3339_format(exp, when);
        return cl_fail(err, CL_ERR_EXPIRED, "exp", "status list token expired at %s", when);
    }
    if (ttl != 0 && at >= iat + ttl) {
        if (!(trust->flags & CL_STATUS_ALLOW_STALE)) {
            cl_rfc3339_format(iat + ttl, when);
            return cl_fail(err, CL_ERR_EXPIRED, "ttl",
                           "status list token is stale since %s (iat + ttl): fetch a fresh one",
                           when);
        }
        *stale = true;
    }
    return CL_OK;
}

/* The signer's key: trust->key, else the leaf of certs chained to trust->anchors at `at`. */
static cl_err
signer_key(struct cl_arena *a, const struct cl_status_trust *trust, const struct cl_bytes *certs,
           size_t n, int64_t at, const char *what, const struct cl_key **out, struct cl_error *err)
{
    struct cl_x509_list chain;
    struct cl_key *key = NULL;
    cl_err rc = CL_OK;

    if (trust->key != NULL) {
        *out = trust->key;
        return CL_OK;
    }
    if (trust->anchors == NULL || trust->anchors->count == 0)
        return cl_fail(err, CL_ERR_USAGE, "trust", "neither a key nor trust anchors were given");
    if (n == 0)
        return cl_fail(err, CL_ERR_MISSING, what,
                       "the token carries no certificate to chain to the trust anchors");
    cl_x509_list_init(&chain);
    for (size_t i = 0; i < n && rc == CL_OK; i++) {
        struct cl_x509_cert *c = NULL;

        rc = cl_x509_cert_from_der(certs[i], &c, err);
        if (rc == CL_OK) {
            rc = cl_x509_list_add(&chain, c, err);
            cl_x509_cert_free(c);
        }
        if (rc != CL_OK) {
            char where[32];

            snprintf(where, sizeof where, "%s[%zu]", what, i);
            cl_error_nest(err, where);
        }
    }
    if (rc == CL_OK)
        rc = cl_x509_chain_verify(&chain, trust->anchors, at, NULL, err);
    if (rc == CL_OK)
        rc = cl_x509_cert_key(chain.certs[0], &key, err);
    if (rc == CL_OK)
        rc = cl_key_defer(a, key, err); /* frees the key itself on failure */
    if (rc == CL_OK)
        *out = key;
    cl_x509_list_fini(&chain);
    return rc;
}

/* A NumericDate of a JWT claims set (present or not). */
static cl_err
jwt_time(const json_t *claims, const char *name, bool required, int64_t *out, struct cl_error *err)
{
    bool present;
    cl_err rc = cl_jwt_numeric_date(claims, name, out, &present, err);

    if (rc != CL_OK)
        return rc;
    if (required && !present)
        return cl_fail(err, CL_ERR_MISSING, name, "%s is missing", name);
    return CL_OK;
}

static cl_err
verify_jwt(struct cl_arena *a, struct cl_bytes token, const struct cl_status_trust *trust,
           int64_t at, const struct cl_status_limits *lim, struct claims *c,
           struct cl_status_list *list, struct cl_error *err)
{
    struct cl_jws_opts opts = cl_jws_opts_default();
    struct cl_jws jws;
    struct cl_bytes *certs = NULL;
    size_t n = 0;
    const struct cl_key *key;
    const json_t *j;
    cl_err rc;

    opts.max_bytes = lim->max_token;
    opts.json.max_bytes = lim->max_token;
    opts.flags = CL_JWS_PAYLOAD_JSON;
    rc = cl_jws_parse(a, token, &opts, &jws, err);
    if (rc != CL_OK)
        return rc;
    /* draft §5.1: typ MUST be statuslist+jwt; RFC 7515 §4.1.9 lets "application/" be added */
    if (jws.typ == NULL)
        return cl_fail(err, CL_ERR_MISSING, "typ", "the JWT header has no typ");
    if (strcmp(jws.typ, TYP_JWT) != 0 && strcmp(jws.typ, TYP_JWT_LONG) != 0)
        return cl_fail(err, CL_ERR_POLICY, "typ", "typ is not %s", TYP_JWT);
    if (trust->key == NULL) {
        rc = cl_jws_x5c(a, &jws, &certs, &n, err);
        if (rc == CL_ERR_MISSING) {
            n = 0;
            cl_error_clear(err);
        } else if (rc != CL_OK) {
            return rc;
        }
    }
    rc = signer_key(a, trust, certs, n, at, "x5c", &key, err);
    if (rc != CL_OK)
        return rc;
    rc = cl_jws_verify(&jws, key, CL_JOSE_ALGS_ALL, err);
    if (rc != CL_OK)
        return rc;

    j = json_object_get(jws.claims, "sub");
    if (j == NULL)
        return cl_fail(err, CL_ERR_MISSING, "sub", "sub is missing");
    if (!json_is_string(j))
        return cl_fail(err, CL_ERR_INPUT, "sub", "sub is not a string");
    c->sub = json_string_value(j);
    j = json_object_get(jws.claims, "iss");
    if (j != NULL && !json_is_string(j))
        return cl_fail(err, CL_ERR_INPUT, "iss", "iss is not a string");
    c->iss = j != NULL ? json_string_value(j) : NULL;
    if ((rc = jwt_time(jws.claims, "iat", true, &c->iat, err)) != CL_OK ||
        (rc = jwt_time(jws.claims, "exp", false, &c->exp, err)) != CL_OK)
        return rc;
    j = json_object_get(jws.claims, "ttl");
    if (j != NULL) {
        if (!json_is_integer(j) || json_integer_value(j) <= 0 ||
            json_integer_value(j) > STATUS_TTL_MAX)
            return cl_fail(err, CL_ERR_INPUT, "ttl", "ttl is not a positive number of seconds");
        c->ttl = (int64_t)json_integer_value(j);
    }
    j = json_object_get(jws.claims, "status_list");
    if (j == NULL)
        return cl_fail(err, CL_ERR_MISSING, "status_list", "status_list is missing");
    return status_list_from_json(a, j, lim->max_inflated, list, err);
}

static cl_err
cwt_uint(const struct cl_cbor *map, int64_t label, const char *name, bool required, int64_t max,
         int64_t *out, struct cl_error *err)
{
    const struct cl_cbor *v = cl_cbor_map_get_int(map, label);
    uint64_t u;

    *out = 0;
    if (v == NULL)
        return required ? cl_fail(err, CL_ERR_MISSING, name, "%s is missing", name) : CL_OK;
    if (!cl_cbor_get_uint(v, &u) || u > (uint64_t)max)
        return cl_fail(err, CL_ERR_INPUT, name, "%s is not an unsigned integer in range", name);
    *out = (int64_t)u;
    return CL_OK;
}

static cl_err
cwt_text(struct cl_arena *a, const struct cl_cbor *map, int64_t label, const char *name,
         bool required, const char **out, struct cl_error *err)
{
    const struct cl_cbor *v = cl_cbor_map_get_int(map, label);

    *out = NULL;
    if (v == NULL)
        return required ? cl_fail(err, CL_ERR_MISSING, name, "%s is missing", name) : CL_OK;
    if (v->type != CL_CBOR_TEXT || memchr(v->v.str.ptr, 0, v->v.str.len) != NULL)
        return cl_fail(err, CL_ERR_INPUT, name, "%s is not a text string", name);
    *out = cl_arena_strndup(a, v->v.str);
    return *out != NULL ? CL_OK : cl_fail(err, CL_ERR_NOMEM, name, "out of memory");
}

static cl_err
verify_cwt(struct cl_arena *a, struct cl_bytes token, const struct cl_status_trust *trust,
           int64_t at, const struct cl_status_limits *lim, struct claims *c,
           struct cl_status_list *list, struct cl_error *err)
{
    static const int64_t algs[] = {CL_COSE_ALG_ES256, CL_COSE_ALG_ES384, CL_COSE_ALG_ES512};
    struct cl_cbor_limits cl = cl_cbor_limits_default();
    struct cl_cose_verify_opts vo;
    struct cl_cose_msg msg;
    const struct cl_cbor *typ, *payload;
    struct cl_bytes *certs = NULL;
    size_t n = 0;
    const struct cl_key *key;
    cl_err rc;

    if (token.len > lim->max_token)
        return cl_fail(err, CL_ERR_TOO_LARGE, "token", "status list token over %zu bytes",
                       lim->max_token);
    cl.max_bytes = lim->max_token;
    if (token.len >= 2 && token.ptr[0] == 0xd8 && token.ptr[1] == CWT_TAG) /* optional CWT tag */
        token = cl_bytes_of(token.ptr + 2, token.len - 2);
    rc = cl_cose_decode(a, token, CL_COSE_SIGN1, 0, &cl, &msg, err);
    if (rc != CL_OK)
        return rc;
    /* draft §5.2: the protected header carries typ (16) application/statuslist+cwt */
    typ = cl_cbor_map_get_int(msg.protected_h, COSE_HDR_TYP);
    if (typ == NULL)
        return cl_fail(err, CL_ERR_MISSING, "typ", "the protected header has no typ (16)");
    if (!cl_cbor_is_text(typ, TYP_CWT))
        return cl_fail(err, CL_ERR_POLICY, "typ", "typ is not %s", TYP_CWT);
    if (trust->key == NULL) {
        rc = cl_cose_header_x5chain(a, &msg, &certs, &n, err);
        if (rc == CL_ERR_NOT_FOUND) {
            n = 0;
            cl_error_clear(err);
        } else if (rc != CL_OK) {
            return rc;
        }
    }
    rc = signer_key(a, trust, certs, n, at, "x5chain", &key, err);
    if (rc != CL_OK)
        return rc;
    memset(&vo, 0, sizeof vo);
    vo.algs = algs;
    vo.n_algs = CL_ARRAY_LEN(algs);
    rc = cl_cose_sign1_verify(&msg, key, &vo, err);
    if (rc != CL_OK)
        return rc;
    if (msg.detached)
        return cl_fail(err, CL_ERR_MISSING, "payload", "the CWT has no payload");
    rc = cl_cbor_decode(a, msg.payload, &cl, &payload, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "payload");
        return rc;
    }
    if (payload->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "payload", "the CWT claims set is not a map");
    if ((rc = cwt_text(a, payload, CWT_SUB, "sub", true, &c->sub, err)) != CL_OK ||
        (rc = cwt_text(a, payload, CWT_ISS, "iss", false, &c->iss, err)) != CL_OK ||
        (rc = cwt_uint(payload, CWT_IAT, "iat", true, CL_JWT_TIME_MAX, &c->iat, err)) != CL_OK ||
        (rc = cwt_uint(payload, CWT_EXP, "exp", false, CL_JWT_TIME_MAX, &c->exp, err)) != CL_OK ||
        (rc = cwt_uint(payload, CWT_TTL, "ttl", false, STATUS_TTL_MAX, &c->ttl, err)) != CL_OK)
        return rc;
    if (cl_cbor_map_get_int(payload, CWT_TTL) != NULL && c->ttl == 0)
        return cl_fail(err, CL_ERR_INPUT, "ttl", "ttl is not a positive number of seconds");
    if (cl_cbor_map_get_int(payload, CWT_STATUS_LIST) == NULL)
        return cl_fail(err, CL_ERR_MISSING, "status_list", "status_list (65533) is missing");
    return status_list_from_cbor(a, cl_cbor_map_get_int(payload, CWT_STATUS_LIST),
                                 lim->max_inflated, list, err);
}

cl_err
cl_status_token_parse_verify(struct cl_arena *a, struct cl_bytes token,
                             const struct cl_status_trust *trust, const char *uri, int64_t at,
                             const struct cl_status_limits *lim, struct cl_status_token *out,
                             struct cl_error *err)
{
    struct cl_status_limits dl = cl_status_limits_default();
    struct cl_status_token t;
    struct claims c;
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&t, 0, sizeof t);
    memset(&c, 0, sizeof c);
    if (lim == NULL)
        lim = &dl;
    if (trust == NULL || trust->leeway < 0 || trust->leeway > CL_JWT_LEEWAY_MAX)
        return cl_fail(err, CL_ERR_USAGE, "trust", "no trust given, or leeway out of range");
    if (at < 0 || at > CL_JWT_TIME_MAX)
        return cl_fail(err, CL_ERR_USAGE, "at", "verification time out of range");
    if (token.len > lim->max_token)
        return cl_fail(err, CL_ERR_TOO_LARGE, "token", "status list token over %zu bytes",
                       lim->max_token);
    t.format = cl_status_token_format(token);
    if (t.format == CL_STATUS_JWT) {
        token = trim_text(token);
        rc = verify_jwt(a, token, trust, at, lim, &c, &t.list, err);
    } else {
        rc = verify_cwt(a, token, trust, at, lim, &c, &t.list, err);
    }
    if (rc != CL_OK)
        return rc;
    /* draft §8.3 step 5a: sub MUST equal the uri of the Referenced Token (simple comparison) */
    if (uri != NULL && strcmp(c.sub, uri) != 0)
        return cl_fail(err, CL_ERR_POLICY, "sub",
                       "the token's sub is not the uri the credential references");
    rc = status_check_times(c.iat, c.exp, c.ttl, at, trust, &t.stale, err);
    if (rc != CL_OK)
        return rc;
    rc = cl_hash(CL_HASH_SHA256, token, t.hash, err);
    if (rc != CL_OK)
        return rc;
    t.sub = c.sub;
    t.iss = c.iss;
    t.iat = c.iat;
    t.exp = c.exp;
    t.ttl = c.ttl;
    *out = t;
    return CL_OK;
}

cl_err
cl_status_check(struct cl_arena *a, struct cl_bytes token, const struct cl_status_trust *trust,
                const char *uri, uint64_t idx, int64_t at, const struct cl_status_limits *lim,
                unsigned *value, const char **name, struct cl_error *err)
{
    struct cl_status_token t;
    unsigned v;
    cl_err rc;

    rc = cl_status_token_parse_verify(a, token, trust, uri, at, lim, &t, err);
    if (rc == CL_OK)
        rc = cl_status_list_get(&t.list, idx, &v, err);
    if (rc != CL_OK)
        return rc;
    if (value != NULL)
        *value = v;
    if (name != NULL)
        *name = cl_status_name(v);
    return CL_OK;
}
