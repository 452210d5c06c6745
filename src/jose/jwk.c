/* jwk.c - EC keys as JWK (RFC 7517, RFC 7518 §6.2) to and from struct cl_key, and JWK
 * thumbprints (RFC 7638). */
#include <stdio.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/jose.h"
#include "jose/jose_int.h"

#include "base/banned.h"

/* RFC 7518 §6.2.1.1 */
static const struct {
    const char *name;
    enum cl_curve curve;
    size_t len; /* field size: x, y and d are exactly this long (§6.2.1.2, §6.2.2.1) */
} curves[] = {
    {"P-256", CL_CURVE_P256, 32},
    {"P-384", CL_CURVE_P384, 48},
    {"P-521", CL_CURVE_P521, 66},
};

static const char *
curve_name(enum cl_curve c)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(curves); i++)
        if (curves[i].curve == c)
            return curves[i].name;
    return NULL;
}

/* A required string member; where is "jwk.<name>". */
static cl_err
get_string(const json_t *jwk, const char *name, const json_t **out, struct cl_error *err)
{
    const json_t *v = json_object_get(jwk, name);
    char where[24];

    *out = NULL;
    if (json_is_string(v)) {
        *out = v;
        return CL_OK;
    }
    snprintf(where, sizeof where, "jwk.%s", name); /* on failure only: verifiers call this */
    if (v == NULL)
        return cl_fail(err, CL_ERR_MISSING, where, "JWK has no %s", name);
    return cl_fail(err, CL_ERR_INPUT, where, "%s is not a string", name);
}

/* A base64url coordinate of exactly len bytes, decoded into the arena. */
static cl_err
get_coord(struct cl_arena *a, const json_t *jwk, const char *name, const char *crv, size_t len,
          struct cl_bytes *out, struct cl_error *err)
{
    const json_t *v;
    char where[24];
    cl_err rc;

    if ((rc = get_string(jwk, name, &v, err)) != CL_OK)
        return rc;
    rc = cl_b64url_decode_arena(a, cl_bytes_of(json_string_value(v), json_string_length(v)), out,
                                err);
    if (rc == CL_OK && out->len == len)
        return CL_OK;
    snprintf(where, sizeof where, "jwk.%s", name); /* on failure only */
    if (rc != CL_OK) {
        cl_error_nest(err, where);
        return rc;
    }
    return cl_fail(err, CL_ERR_INPUT, where, "%s is %zu bytes, %s needs exactly %zu", name,
                   out->len, crv, len);
}

cl_err
cl_jwk_to_key(const json_t *jwk, unsigned flags, struct cl_key **out, struct cl_error *err)
{
    struct cl_arena ka;
    struct cl_bytes x = {NULL, 0}, y = {NULL, 0}, d = {NULL, 0};
    const json_t *kty, *crv;
    const char *s;
    size_t ci;
    cl_err rc;

    *out = NULL;
    /* x, y and d (SECRET) decoded into one small arena, wiped at fini */
    cl_arena_init(&ka, 512, 0, CL_ARENA_SECRET);
    if (flags & CL_JWK_REQUIRE_PRIVATE)
        flags |= CL_JWK_ALLOW_PRIVATE;
    if (!json_is_object(jwk)) {
        rc = cl_fail(err, CL_ERR_INPUT, "jwk", "JWK is not a JSON object");
        goto out;
    }
    /* RFC 7517 §4.1: kty is required; RFC 7518 §6.1 registers EC, RSA, oct */
    if ((rc = get_string(jwk, "kty", &kty, err)) != CL_OK)
        goto out;
    s = json_string_value(kty);
    if (strcmp(s, "EC") != 0) {
        if (strcmp(s, "RSA") == 0 || strcmp(s, "oct") == 0 || strcmp(s, "OKP") == 0)
            rc = cl_fail(err, CL_ERR_UNSUPPORTED, "jwk.kty",
                         "kty %s is not supported: only EC keys are", s);
        else
            rc = cl_fail(err, CL_ERR_UNSUPPORTED, "jwk.kty", "kty is not a known key type");
        goto out;
    }
    if ((rc = get_string(jwk, "crv", &crv, err)) != CL_OK)
        goto out;
    s = json_string_value(crv);
    for (ci = 0; ci < CL_ARRAY_LEN(curves); ci++)
        if (strcmp(s, curves[ci].name) == 0)
            break;
    if (ci == CL_ARRAY_LEN(curves)) {
        rc = cl_fail(err, CL_ERR_UNSUPPORTED, "jwk.crv", "crv is not P-256, P-384 or P-521");
        goto out;
    }
    if ((rc = get_coord(&ka, jwk, "x", curves[ci].name, curves[ci].len, &x, err)) != CL_OK ||
        (rc = get_coord(&ka, jwk, "y", curves[ci].name, curves[ci].len, &y, err)) != CL_OK)
        goto out;
    if (json_object_get(jwk, "d") != NULL) {
        if (!(flags & CL_JWK_ALLOW_PRIVATE)) {
            rc = cl_fail(err, CL_ERR_INPUT, "jwk.d",
                         "private key member d where a public key is expected");
            goto out;
        }
        if ((rc = get_coord(&ka, jwk, "d", curves[ci].name, curves[ci].len, &d, err)) != CL_OK)
            goto out;
    } else if (flags & CL_JWK_REQUIRE_PRIVATE) {
        rc = cl_fail(err, CL_ERR_MISSING, "jwk.d", "JWK has no private key member d");
        goto out;
    }
    rc = cl_key_from_coords(curves[ci].curve, x, y, d, out, err);
    if (rc != CL_OK)
        cl_error_nest(err, "jwk");
out:
    cl_arena_fini(&ka);
    return rc;
}

cl_err
cl_jwk_parse(struct cl_bytes json, const struct cl_json_limits *lim, unsigned flags,
             struct cl_key **out, struct cl_error *err)
{
    struct cl_arena a;
    json_t *j = NULL;
    const json_t *d;
    cl_err rc;

    *out = NULL;
    cl_arena_init(&a, 1024, 0, 0);
    rc = cl_jose_json_parse(&a, json, lim, "jwk", &j, err);
    if (rc == CL_OK)
        rc = cl_jwk_to_key(j, flags, out, err);
    /* jansson frees without wiping: clear the private scalar's text first */
    d = json_object_get(j, "d");
    if (json_is_string(d))
        cl_wipe((char *)json_string_value(d), json_string_length(d));
    cl_arena_fini(&a);
    return rc;
}

/* The public members, and d when asked, in lexicographic order (RFC 7638 §3.2 for the
 * public ones): {"crv":..,"d":..,"kty":"EC","x":..,"y":..} */
cl_err
cl_jwk_write(const struct cl_key *key, bool priv, struct cl_buf *out, struct cl_error *err)
{
    uint8_t x[CL_EC_COORD_MAX], y[CL_EC_COORD_MAX], d[CL_EC_COORD_MAX];
    const char *crv;
    size_t n;
    cl_err rc;

    if (key == NULL)
        return cl_fail(err, CL_ERR_USAGE, "key", "no key");
    if (priv && !cl_key_has_private(key))
        return cl_fail(err, CL_ERR_USAGE, "key", "a private JWK needs a private key");
    crv = curve_name(cl_key_curve(key));
    n = cl_key_coord_len(key);
    if (crv == NULL || n == 0 || n > CL_EC_COORD_MAX)
        return cl_fail(err, CL_ERR_USAGE, "key", "the key's curve has no JWK name");
    if ((rc = cl_key_coords(key, x, y, priv ? d : NULL, err)) != CL_OK)
        goto out;
    cl_buf_append_str(out, "{\"crv\":\"");
    cl_buf_append_str(out, crv);
    if (priv) {
        cl_buf_append_str(out, "\",\"d\":\"");
        cl_b64url_encode(out, cl_bytes_of(d, n));
    }
    cl_buf_append_str(out, "\",\"kty\":\"EC\",\"x\":\"");
    cl_b64url_encode(out, cl_bytes_of(x, n));
    cl_buf_append_str(out, "\",\"y\":\"");
    cl_b64url_encode(out, cl_bytes_of(y, n));
    cl_buf_append_str(out, "\"}");
    rc = cl_buf_check(out, "jwk", err);
out:
    cl_wipe(d, sizeof d);
    return rc;
}

cl_err
cl_jwk_public_json(const struct cl_key *key, json_t **out, struct cl_error *err)
{
    struct cl_buf b;
    json_t *j = NULL;
    json_error_t je;
    cl_err rc;

    *out = NULL;
    cl_buf_init(&b);
    if ((rc = cl_jwk_write(key, false, &b, err)) != CL_OK)
        goto out;
    j = json_loadb((const char *)b.ptr, b.len, JSON_REJECT_DUPLICATES, &je);
    if (j == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "jwk", "out of memory building the JWK");
        goto out;
    }
    *out = j;
out:
    cl_buf_fini(&b);
    return rc;
}

/* RFC 7638 §3.2 required members, already in lexicographic order; RFC 8037 §2 for OKP */
static const struct {
    const char *kty;
    const char *members[4];
} required[] = {
    {"EC", {"crv", "kty", "x", "y"}},
    {"RSA", {"e", "kty", "n", NULL}},
    {"oct", {"k", "kty", NULL, NULL}},
    {"OKP", {"crv", "kty", "x", NULL}},
};

/* A JSON string with only the escapes JSON requires (RFC 7638 §3.3, RFC 8259 §7). */
static void
put_json_string(struct cl_buf *b, const json_t *s)
{
    const uint8_t *p = (const uint8_t *)json_string_value(s);
    size_t n = json_string_length(s);

    cl_buf_append_byte(b, '"');
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];

        if (c == '"' || c == '\\') {
            cl_buf_append_byte(b, '\\');
            cl_buf_append_byte(b, c);
        } else if (c < 0x20) {
            cl_buf_printf(b, "\\u%04x", c);
        } else {
            cl_buf_append_byte(b, c);
        }
    }
    cl_buf_append_byte(b, '"');
}

cl_err
cl_jwk_thumbprint(const json_t *jwk, uint8_t out[CL_JWK_THUMBPRINT_LEN], struct cl_error *err)
{
    const json_t *kty, *v;
    struct cl_buf b;
    size_t k;
    cl_err rc;

    if (!json_is_object(jwk))
        return cl_fail(err, CL_ERR_INPUT, "jwk", "JWK is not a JSON object");
    if ((rc = get_string(jwk, "kty", &kty, err)) != CL_OK)
        return rc;
    for (k = 0; k < CL_ARRAY_LEN(required); k++)
        if (strcmp(json_string_value(kty), required[k].kty) == 0)
            break;
    if (k == CL_ARRAY_LEN(required))
        return cl_fail(err, CL_ERR_UNSUPPORTED, "jwk.kty", "kty is not a known key type");
    cl_buf_init(&b);
    cl_buf_append_byte(&b, '{');
    for (size_t i = 0; i < 4 && required[k].members[i] != NULL; i++) {
        const char *name = required[k].members[i];

        if ((rc = get_string(jwk, name, &v, err)) != CL_OK)
            goto out;
        if (i > 0)
            cl_buf_append_byte(&b, ',');
        cl_buf_printf(&b, "\"%s\":", name);
        put_json_string(&b, v);
    }
    cl_buf_append_byte(&b, '}');
    if ((rc = cl_buf_check(&b, "jwk", err)) == CL_OK)
        rc = cl_hash(CL_HASH_SHA256, cl_buf_bytes(&b), out, err);
out:
    cl_buf_fini(&b);
    return rc;
}

cl_err
cl_jwk_thumbprint_key(const struct cl_key *key, uint8_t out[CL_JWK_THUMBPRINT_LEN],
                      struct cl_error *err)
{
    struct cl_buf b;
    cl_err rc;

    cl_buf_init(&b);
    /* the public JWK as written is already the canonical form of RFC 7638 §3.2 */
    if ((rc = cl_jwk_write(key, false, &b, err)) == CL_OK)
        rc = cl_hash(CL_HASH_SHA256, cl_buf_bytes(&b), out, err);
    cl_buf_fini(&b);
    return rc;
}
