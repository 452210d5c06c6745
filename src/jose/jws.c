/* jws.c - JWS compact serialization (RFC 7515 §7.1): strict parse keeping the received
 * signing input, verification over it with an algorithm allow-list, ES256/384/512 signing. */
#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "jose/jose_int.h"

#include "base/banned.h"

struct cl_jws_opts
cl_jws_opts_default(void)
{
    struct cl_jws_opts o;

    o.max_bytes = CL_LIMIT_JWS_BYTES;
    o.json = cl_json_limits_default();
    o.flags = 0;
    o.crit = NULL;
    return o;
}

/*
 * Header Parameter names registered by RFC 7515 §4.1 and RFC 7518 §4.1/§4.6-4.8 (JWE ones
 * included): RFC 7515 §4.1.11 forbids them in "crit".
 */
static const char *const registered[] = {
    "alg",  "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty",
    "crit", "enc", "zip", "epk", "apu", "apv", "iv",  "tag",      "p2s", "p2c",
};

/* Extensions this module itself understands and processes. */
static const char *const understood[] = {
    "b64", /* RFC 7797: only "b64": true, false is refused below */
};

static bool
in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static bool
in_null_list(const char *s, const char *const *list)
{
    for (; list != NULL && *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* RFC 7515 §4.1.11 */
static cl_err
check_crit(const json_t *h, const json_t *crit, const char *const *known, struct cl_error *err)
{
    char where[48];
    size_t n;

    if (!json_is_array(crit) || (n = json_array_size(crit)) == 0)
        return cl_fail(err, CL_ERR_INPUT, "header.crit", "crit is not a non-empty array");
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(crit, i);
        const char *name = json_string_value(v);

        snprintf(where, sizeof where, "header.crit[%zu]", i);
        if (name == NULL)
            return cl_fail(err, CL_ERR_INPUT, where, "crit entry is not a string");
        for (size_t k = 0; k < i; k++)
            if (json_equal(v, json_array_get(crit, k)))
                return cl_fail(err, CL_ERR_DUPLICATE, where, "crit names a parameter twice");
        if (in_list(name, registered, CL_ARRAY_LEN(registered)))
            return cl_fail(err, CL_ERR_INPUT, where,
                           "crit names \"%.32s\", a parameter defined by RFC 7515/7518", name);
        if (json_object_get(h, name) == NULL)
            return cl_fail(err, CL_ERR_INPUT, where,
                           "crit names \"%.32s\", which is not in the header", name);
        if (!in_list(name, understood, CL_ARRAY_LEN(understood)) && !in_null_list(name, known))
            return cl_fail(err, CL_ERR_UNSUPPORTED, where,
                           "critical header parameter \"%.32s\" is not understood", name);
    }
    return CL_OK;
}

static cl_err
optional_string(const json_t *h, const char *name, const char **out, struct cl_error *err)
{
    const json_t *v = json_object_get(h, name);
    char where[32];

    *out = NULL;
    if (v == NULL)
        return CL_OK;
    if (!json_is_string(v)) {
        snprintf(where, sizeof where, "header.%s", name);
        return cl_fail(err, CL_ERR_INPUT, where, "%s is not a string", name);
    }
    *out = json_string_value(v);
    return CL_OK;
}

/* The parts of the header every use depends on: alg, typ, kid, b64, crit. */
static cl_err
check_header(const json_t *h, const char *const *known, struct cl_jws *out, struct cl_error *err)
{
    const json_t *alg = json_object_get(h, "alg"), *b64, *crit;
    cl_err rc;

    if (!json_is_object(h))
        return cl_fail(err, CL_ERR_INPUT, "header", "protected header is not a JSON object");
    if (alg == NULL) /* RFC 7515 §4.1.1: alg MUST be present */
        return cl_fail(err, CL_ERR_MISSING, "header.alg", "protected header has no alg");
    if (!json_is_string(alg))
        return cl_fail(err, CL_ERR_INPUT, "header.alg", "alg is not a string");
    out->alg_name = json_string_value(alg);
    out->alg = cl_jose_alg_from_name(out->alg_name);
    if ((rc = optional_string(h, "typ", &out->typ, err)) != CL_OK ||
        (rc = optional_string(h, "kid", &out->kid, err)) != CL_OK)
        return rc;
    b64 = json_object_get(h, "b64");
    if (b64 != NULL && !json_is_boolean(b64))
        return cl_fail(err, CL_ERR_INPUT, "header.b64", "b64 is not a boolean");
    if (json_is_false(b64)) /* RFC 7797 §3 */
        return cl_fail(err, CL_ERR_UNSUPPORTED, "header.b64",
                       "unencoded payloads (b64 false, RFC 7797) are not supported");
    crit = json_object_get(h, "crit");
    if (crit != NULL && (rc = check_crit(h, crit, known, err)) != CL_OK)
        return rc;
    return CL_OK;
}

/* A header of string members alg (required), typ and kid alone, read by cl_jose_json_flat:
 * what check_header would find in it, without a jansson tree. 1 taken, 0 not, -1 no memory. */
static int
flat_header(struct cl_arena *a, struct cl_bytes raw, const struct cl_json_limits *lim,
            struct cl_jws *out)
{
    struct cl_json_flat m[3] = {{.name = "alg"}, {.name = "typ"}, {.name = "kid"}};
    const char *v[3] = {NULL, NULL, NULL};
    int r = cl_jose_json_flat(a, raw, lim, m, CL_ARRAY_LEN(m));

    if (r <= 0 || !m[0].present)
        return r < 0 ? -1 : 0;
    for (size_t i = 0; i < CL_ARRAY_LEN(m); i++)
        if (m[i].present && (v[i] = cl_arena_strndup(a, m[i].str)) == NULL)
            return -1;
    out->alg_name = v[0];
    out->alg = cl_jose_alg_from_name(v[0]);
    out->typ = v[1];
    out->kid = v[2];
    return 1;
}

static cl_err
decode_part(struct cl_arena *a, struct cl_bytes seg, const char *what, struct cl_bytes *out,
            struct cl_error *err)
{
    cl_err rc = cl_b64url_decode_arena(a, seg, out, err);

    if (rc != CL_OK)
        cl_error_nest(err, what);
    return rc;
}

cl_err
cl_jws_parse(struct cl_arena *a, struct cl_bytes compact, const struct cl_jws_opts *opts,
             struct cl_jws *out, struct cl_error *err)
{
    struct cl_jws_opts def = cl_jws_opts_default();
    struct cl_jws j;
    struct cl_bytes hseg, pseg, sseg;
    size_t dots = 0, d1 = 0, d2 = 0;
    int r = 0;
    cl_err rc;

    memset(out, 0, sizeof *out);
    memset(&j, 0, sizeof j);
    if (opts == NULL)
        opts = &def;
    if (compact.len > opts->max_bytes)
        return cl_fail(err, CL_ERR_TOO_LARGE, "jws", "JWS is %zu bytes, over the limit of %zu",
                       compact.len, opts->max_bytes);
    for (const uint8_t *q = compact.len != 0 ? memchr(compact.ptr, '.', compact.len) : NULL;
         q != NULL; q = memchr(q + 1, '.', compact.len - (size_t)(q - compact.ptr) - 1)) {
        size_t i = (size_t)(q - compact.ptr);

        if (dots == 0)
            d1 = i;
        else if (dots == 1)
            d2 = i;
        dots++;
    }
    if (dots != 2) /* RFC 7515 §7.1; a JWE (RFC 7516 §7.1) has five parts */
        return cl_fail(err, CL_ERR_INPUT, "jws",
                       "a compact JWS has 3 parts separated by '.', this has %zu", dots + 1);
    hseg = cl_bytes_of(compact.ptr, d1);
    pseg = cl_bytes_of(compact.ptr + d1 + 1, d2 - d1 - 1);
    sseg = cl_bytes_of(compact.ptr + d2 + 1, compact.len - d2 - 1);
    if (hseg.len == 0)
        return cl_fail(err, CL_ERR_INPUT, "header", "protected header is empty");

    /* RFC 7515 §5.2 steps 2-4: decode the header and parse it as a JSON object */
    if ((rc = decode_part(a, hseg, "header", &j.header_raw, err)) != CL_OK)
        return rc;
    if (opts->flags & CL_JWS_HEADER_FLAT) {
        r = flat_header(a, j.header_raw, &opts->json, &j);
        if (r < 0)
            return cl_fail(err, CL_ERR_NOMEM, "header", "out of memory");
    }
    if (r == 0 && ((rc = cl_jose_json_parse(a, j.header_raw, &opts->json, "header", &j.header,
                                            err)) != CL_OK ||
                   (rc = check_header(j.header, opts->crit, &j, err)) != CL_OK))
        return rc;
    if ((rc = decode_part(a, pseg, "payload", &j.payload, err)) != CL_OK)
        return rc;
    if (opts->flags & CL_JWS_PAYLOAD_JSON) {
        if ((rc = cl_jose_json_parse(a, j.payload, &opts->json, "payload", &j.claims, err)) !=
            CL_OK)
            return rc;
        if (!json_is_object(j.claims))
            return cl_fail(err, CL_ERR_INPUT, "payload", "payload is not a JSON object");
    }
    if ((rc = decode_part(a, sseg, "signature", &j.signature, err)) != CL_OK)
        return rc;
    j.signing_input = cl_bytes_of(compact.ptr, d2);
    *out = j;
    return CL_OK;
}

cl_err
cl_jws_verify(const struct cl_jws *jws, const struct cl_key *key, unsigned algs,
              struct cl_error *err)
{
    enum cl_hash_alg hash;
    enum cl_curve curve;
    const char *name;
    size_t want;

    if (algs == 0)
        algs = CL_JOSE_ES256;
    if ((algs & ~(unsigned)CL_JOSE_ALGS_ALL) != 0)
        return cl_fail(err, CL_ERR_USAGE, NULL, "allow-list names an unknown algorithm");
    if (jws == NULL || key == NULL || jws->alg_name == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "no parsed JWS or no key to verify with");
    name = jws->alg_name;
    if (jws->alg == CL_JOSE_ALG_UNKNOWN) {
        /* RFC 8725 §3.1/§3.2: never "none", never a MAC where a public key is expected */
        if (strcmp(name, "none") == 0)
            return cl_fail(err, CL_ERR_UNSUPPORTED, "header.alg",
                           "alg none (an unsecured JWS) is never accepted");
        if (strncmp(name, "HS", 2) == 0)
            return cl_fail(err, CL_ERR_UNSUPPORTED, "header.alg",
                           "alg %.16s is a MAC, never accepted for public-key verification", name);
        return cl_fail(err, CL_ERR_UNSUPPORTED, "header.alg", "alg %.16s is not supported", name);
    }
    if ((algs & (unsigned)jws->alg) == 0)
        return cl_fail(err, CL_ERR_POLICY, "header.alg", "alg %s is not in the allowed list", name);
    if (!jose_alg_params(jws->alg, &hash, &curve))
        return cl_fail(err, CL_ERR_INTERNAL, "header.alg", "no parameters for alg %s", name);
    if (cl_key_curve(key) != curve) /* RFC 7518 §3.4: the alg fixes the curve */
        return cl_fail(err, CL_ERR_SIGNATURE, "key", "the key's curve does not match alg %s", name);
    want = 2 * cl_key_coord_len(key);
    if (jws->signature.len != want) /* RFC 7518 §3.4: R || S, each the field size */
        return cl_fail(err, CL_ERR_SIGNATURE, "signature", "signature is %zu bytes, %s needs %zu",
                       jws->signature.len, name, want);
    return cl_ecdsa_verify(key, hash, jws->signing_input, jws->signature, err);
}

cl_err
cl_jws_x5c(struct cl_arena *a, const struct cl_jws *jws, struct cl_bytes **certs, size_t *count,
           struct cl_error *err)
{
    const json_t *x5c = jws->header != NULL ? json_object_get(jws->header, "x5c") : NULL;
    struct cl_bytes *list;
    struct cl_buf b;
    char where[32];
    size_t n;
    cl_err rc = CL_OK;

    *certs = NULL;
    *count = 0;
    if (x5c == NULL)
        return cl_fail(err, CL_ERR_MISSING, "header.x5c", "header has no x5c");
    if (!json_is_array(x5c) || (n = json_array_size(x5c)) == 0)
        return cl_fail(err, CL_ERR_INPUT, "header.x5c", "x5c is not a non-empty array");
    if (n > CL_LIMIT_X509_CHAIN)
        return cl_fail(err, CL_ERR_TOO_LARGE, "header.x5c",
                       "x5c has %zu certificates, over the limit of %d", n, CL_LIMIT_X509_CHAIN);
    list = cl_arena_calloc(a, n, sizeof *list);
    if (list == NULL)
        return cl_arena_check(a, "x5c", err);
    cl_buf_init(&b);
    for (size_t i = 0; i < n && rc == CL_OK; i++) {
        const json_t *v = json_array_get(x5c, i);

        snprintf(where, sizeof where, "header.x5c[%zu]", i);
        cl_buf_reset(&b);
        if (!json_is_string(v)) {
            rc = cl_fail(err, CL_ERR_INPUT, where, "certificate is not a string");
            break;
        }
        /* RFC 7515 §4.1.6: base64 (not base64url) DER */
        rc =
            cl_b64_decode(&b, cl_bytes_of(json_string_value(v), json_string_length(v)), false, err);
        if (rc != CL_OK) {
            cl_error_nest(err, where);
            break;
        }
        if (b.len == 0) {
            rc = cl_fail(err, CL_ERR_INPUT, where, "certificate is empty");
            break;
        }
        list[i] = cl_arena_copy(a, cl_buf_bytes(&b));
        if (list[i].ptr == NULL)
            rc = cl_arena_check(a, "x5c", err);
    }
    cl_buf_fini(&b);
    if (rc == CL_OK) {
        *certs = list;
        *count = n;
    }
    return rc;
}

/* b64(header) "." b64(payload) "." b64(signature) into the arena (RFC 7515 §7.1) */
static cl_err
sign_finish(struct cl_arena *a, const struct cl_key *key, enum cl_jose_alg alg,
            struct cl_bytes header, struct cl_bytes payload, struct cl_bytes *out,
            struct cl_error *err)
{
    uint8_t sig[CL_ECDSA_RAW_MAX];
    size_t sig_len = 0;
    enum cl_hash_alg hash;
    enum cl_curve curve;
    struct cl_buf b;
    uint8_t *p;
    cl_err rc;

    if (!jose_alg_params(alg, &hash, &curve))
        return cl_fail(err, CL_ERR_USAGE, "key", "the key's curve has no JWS algorithm");
    cl_buf_init_ex(&b, CL_LIMIT_JWS_BYTES, false);
    cl_b64url_encode(&b, header);
    cl_buf_append_byte(&b, '.');
    cl_b64url_encode(&b, payload);
    if ((rc = cl_buf_check(&b, "jws", err)) != CL_OK)
        goto out;
    if ((rc = cl_ecdsa_sign(key, hash, cl_buf_bytes(&b), sig, &sig_len, err)) != CL_OK)
        goto out;
    cl_buf_append_byte(&b, '.');
    cl_b64url_encode(&b, cl_bytes_of(sig, sig_len));
    if ((rc = cl_buf_check(&b, "jws", err)) != CL_OK)
        goto out;
    p = cl_arena_dup(a, b.ptr, b.len);
    if (p == NULL) {
        rc = cl_arena_check(a, "jws", err);
        goto out;
    }
    *out = cl_bytes_of(p, b.len);
out:
    cl_buf_fini(&b);
    return rc;
}

static cl_err
set_string(json_t *h, const char *name, const char *value, struct cl_error *err)
{
    json_t *s;

    if (!cl_utf8_valid(cl_bytes_str(value)))
        return cl_fail(err, CL_ERR_USAGE, name, "header %s is not valid UTF-8", name);
    s = json_string(value);
    if (s == NULL || json_object_set_new(h, name, s) != 0)
        return cl_fail(err, CL_ERR_NOMEM, name, "out of memory building the header");
    return CL_OK;
}

static cl_err
set_x5c(json_t *h, const struct cl_jws_header *hdr, struct cl_error *err)
{
    json_t *arr = json_array();
    struct cl_buf b;
    cl_err rc = CL_OK;

    if (arr == NULL || json_object_set_new(h, "x5c", arr) != 0)
        return cl_fail(err, CL_ERR_NOMEM, "x5c", "out of memory building the header");
    cl_buf_init(&b);
    for (size_t i = 0; i < hdr->x5c_count && rc == CL_OK; i++) {
        json_t *s;

        cl_buf_reset(&b);
        cl_b64_encode(&b, hdr->x5c[i]); /* RFC 7515 §4.1.6: base64, not base64url */
        if ((rc = cl_buf_check(&b, "x5c", err)) != CL_OK)
            break;
        s = json_stringn((const char *)b.ptr, b.len);
        if (s == NULL || json_array_append_new(arr, s) != 0)
            rc = cl_fail(err, CL_ERR_NOMEM, "x5c", "out of memory building the header");
    }
    cl_buf_fini(&b);
    return rc;
}

static cl_err
set_extra(json_t *h, const struct cl_jws_header *hdr, struct cl_error *err)
{
    json_t *extra = (json_t *)hdr->extra; /* jansson's iteration API is not const */
    const char *name;
    json_t *v;

    if (!json_is_object(extra))
        return cl_fail(err, CL_ERR_USAGE, "extra", "extra header members are not an object");
    json_object_foreach(extra, name, v)
    {
        if (json_object_get(h, name) != NULL)
            return cl_fail(err, CL_ERR_USAGE, "extra", "extra header member \"%.32s\" is set twice",
                           name);
        if (json_object_set(h, name, v) != 0)
            return cl_fail(err, CL_ERR_NOMEM, "extra", "out of memory building the header");
    }
    return CL_OK;
}

cl_err
cl_jws_sign(struct cl_arena *a, const struct cl_key *key, const struct cl_jws_header *hdr,
            struct cl_bytes payload, struct cl_bytes *out, struct cl_error *err)
{
    enum cl_jose_alg alg;
    json_t *h = NULL;
    struct cl_buf b;
    cl_err rc;

    *out = cl_bytes_of(NULL, 0);
    cl_buf_init(&b);
    if (key == NULL || !cl_key_has_private(key)) {
        rc = cl_fail(err, CL_ERR_USAGE, "key", "signing needs a private key");
        goto out;
    }
    alg = cl_jose_alg_for_key(key);
    h = json_object();
    if (h == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "header", "out of memory building the header");
        goto out;
    }
    if ((rc = set_string(h, "alg", cl_jose_alg_name(alg) != NULL ? cl_jose_alg_name(alg) : "",
                         err)) != CL_OK)
        goto out;
    if (hdr != NULL) {
        if (hdr->x5c_count != 0 && hdr->x5c == NULL) {
            rc = cl_fail(err, CL_ERR_USAGE, "x5c", "x5c_count without certificates");
            goto out;
        }
        if ((hdr->typ != NULL && (rc = set_string(h, "typ", hdr->typ, err)) != CL_OK) ||
            (hdr->kid != NULL && (rc = set_string(h, "kid", hdr->kid, err)) != CL_OK) ||
            (hdr->x5c_count != 0 && (rc = set_x5c(h, hdr, err)) != CL_OK) ||
            (hdr->extra != NULL && (rc = set_extra(h, hdr, err)) != CL_OK))
            goto out;
    }
    jose_json_dump(&b, h);
    if ((rc = cl_buf_check(&b, "header", err)) != CL_OK)
        goto out;
    rc = sign_finish(a, key, alg, cl_buf_bytes(&b), payload, out, err);
out:
    json_decref(h);
    cl_buf_fini(&b);
    return rc;
}

cl_err
cl_jws_sign_raw(struct cl_arena *a, const struct cl_key *key, struct cl_bytes header_json,
                struct cl_bytes payload, struct cl_bytes *out, struct cl_error *err)
{
    struct cl_jws tmp;
    json_t *h = NULL;
    enum cl_jose_alg alg;
    cl_err rc;

    *out = cl_bytes_of(NULL, 0);
    memset(&tmp, 0, sizeof tmp);
    if (key == NULL || !cl_key_has_private(key))
        return cl_fail(err, CL_ERR_USAGE, "key", "signing needs a private key");
    alg = cl_jose_alg_for_key(key);
    if ((rc = cl_jose_json_parse(a, header_json, NULL, "header", &h, err)) != CL_OK ||
        (rc = check_header(h, NULL, &tmp, err)) != CL_OK)
        return rc;
    if (tmp.alg != alg || alg == CL_JOSE_ALG_UNKNOWN)
        return cl_fail(err, CL_ERR_USAGE, "header.alg", "alg does not match the key's curve");
    return sign_finish(a, key, alg, header_json, payload, out, err);
}
