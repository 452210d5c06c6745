/* issue.c - SD-JWT issuance (RFC 9901 §4, §5): disclosures with 128-bit salts for the claims
 * and array elements named by JSON pointers, recursive disclosures, decoys, sorted "_sd". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/limits.h"
#include "sdjwt/sdjwt_int.h"

#include "base/banned.h"

struct iss {
    struct cl_arena *a;
    const struct cl_sdjwt_issue_opts *o;
    enum cl_hash_alg alg;
    bool *matched;      /* per opts->sd pointer */
    struct cl_buf path; /* JSON pointer of the value being visited */
    struct cl_buf out;  /* "~d1~d2..." disclosures, in the order made */
    struct cl_error *err;
};

static void
push_token(struct cl_buf *b, const char *tok)
{
    cl_buf_append_byte(b, '/');
    for (; *tok != '\0'; tok++) {
        if (*tok == '~')
            cl_buf_append_str(b, "~0");
        else if (*tok == '/')
            cl_buf_append_str(b, "~1");
        else
            cl_buf_append_byte(b, (uint8_t)*tok);
    }
}

/* Whether the current path is one of the pointers to disclose (marks it matched). */
static bool
wanted(struct iss *s)
{
    bool hit = false;

    for (size_t i = 0; i < s->o->nsd; i++)
        if (strlen(s->o->sd[i]) == s->path.len &&
            memcmp(s->o->sd[i], s->path.ptr, s->path.len) == 0) {
            s->matched[i] = true;
            hit = true;
        }
    return hit;
}

/* Make a disclosure of [salt, name, value] (name NULL: [salt, value]); digest into out. */
static cl_err
make_disclosure(struct iss *s, const char *name, json_t *value, char *digest)
{
    uint8_t salt[CL_SDJWT_SALT_LEN];
    char *salt_b64;
    struct cl_buf js, enc;
    json_t *arr;
    cl_err rc;

    rc = cl_random(salt, sizeof salt, s->err);
    if (rc != CL_OK)
        return rc;
    salt_b64 = cl_b64url_encode_arena(s->a, cl_bytes_of(salt, sizeof salt));
    if (salt_b64 == NULL)
        return cl_fail(s->err, CL_ERR_NOMEM, "disclosure", "out of memory");
    arr = name != NULL ? json_pack("[s,s,O]", salt_b64, name, value)
                       : json_pack("[s,O]", salt_b64, value);
    if (arr == NULL)
        return cl_fail(s->err, CL_ERR_NOMEM, "disclosure", "out of memory");
    cl_buf_init(&js);
    cl_buf_init(&enc);
    sdjwt_json_dump(&js, arr);
    json_decref(arr);
    cl_b64url_encode(&enc, cl_buf_bytes(&js));
    rc = cl_buf_check(&enc, "disclosure", s->err);
    if (rc == CL_OK)
        rc = cl_buf_check(&js, "disclosure", s->err);
    if (rc == CL_OK)
        rc = sdjwt_digest_b64(s->alg, cl_buf_bytes(&enc), digest, s->err);
    if (rc == CL_OK) {
        cl_buf_append_bytes(&s->out, cl_buf_bytes(&enc));
        cl_buf_append_byte(&s->out, '~');
    }
    cl_buf_fini(&js);
    cl_buf_fini(&enc);
    return rc;
}

/* A decoy digest: the hash of random bytes (RFC 9901 §4.2.5). */
static cl_err
make_decoy(struct iss *s, char *digest)
{
    uint8_t r[32];
    cl_err rc = cl_random(r, sizeof r, s->err);

    if (rc == CL_OK)
        rc = sdjwt_digest_b64(s->alg, cl_bytes_of(r, sizeof r), digest, s->err);
    return rc;
}

static int
cmp_json_str(const void *x, const void *y)
{
    return strcmp(json_string_value(*(json_t *const *)x), json_string_value(*(json_t *const *)y));
}

/* Sort "_sd" so its order reveals nothing about the claims (RFC 9901 §4.2.4.1). */
static cl_err
sorted_sd(struct iss *s, json_t *list, json_t **out)
{
    size_t n = json_array_size(list);
    json_t **v = cl_arena_calloc(s->a, n != 0 ? n : 1, sizeof *v);
    json_t *arr = json_array();

    *out = NULL;
    if (v == NULL || arr == NULL) {
        json_decref(arr);
        return cl_fail(s->err, CL_ERR_NOMEM, "_sd", "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(list, i);
    qsort(v, n, sizeof *v, cmp_json_str);
    for (size_t i = 0; i < n; i++)
        if (json_array_append(arr, v[i]) != 0) {
            json_decref(arr);
            return cl_fail(s->err, CL_ERR_NOMEM, "_sd", "out of memory");
        }
    *out = arr;
    return CL_OK;
}

static cl_err visit(struct iss *s, json_t *v, unsigned depth);

static cl_err
visit_object(struct iss *s, json_t *obj, unsigned depth)
{
    size_t plen = s->path.len;
    json_t *digests = json_array(), *val, *sorted = NULL;
    const char *key;
    void *tmp;
    cl_err rc = CL_OK;
    char digest[CL_SDJWT_DIGEST_B64_MAX];

    if (digests == NULL)
        return cl_fail(s->err, CL_ERR_NOMEM, "claims", "out of memory");
    json_object_foreach_safe(obj, tmp, key, val)
    {
        if (strcmp(key, "_sd") == 0 || strcmp(key, "...") == 0 ||
            (depth == 1 && strcmp(key, "_sd_alg") == 0)) {
            push_token(&s->path, key);
            rc = cl_fail(s->err, CL_ERR_INPUT, NULL, "claim name \"%s\" is reserved by RFC 9901",
                         key);
            goto out;
        }
        push_token(&s->path, key);
        rc = visit(s, val, depth + 1); /* inner disclosures first: recursive disclosure */
        if (rc == CL_OK && wanted(s)) {
            rc = make_disclosure(s, key, val, digest);
            if (rc == CL_OK && json_array_append_new(digests, json_string(digest)) != 0)
                rc = cl_fail(s->err, CL_ERR_NOMEM, NULL, "out of memory");
            if (rc == CL_OK)
                json_object_del(obj, key);
        }
        if (rc != CL_OK)
            goto out;
        s->path.len = plen;
    }
    if (json_array_size(digests) != 0) {
        for (size_t i = 0; i < s->o->decoys; i++) {
            rc = make_decoy(s, digest);
            if (rc == CL_OK && json_array_append_new(digests, json_string(digest)) != 0)
                rc = cl_fail(s->err, CL_ERR_NOMEM, NULL, "out of memory");
            if (rc != CL_OK)
                goto out;
        }
        rc = sorted_sd(s, digests, &sorted);
        if (rc == CL_OK && json_object_set_new(obj, "_sd", sorted) != 0)
            rc = cl_fail(s->err, CL_ERR_NOMEM, NULL, "out of memory");
    }
out:
    if (rc != CL_OK && s->err != NULL && s->err->where[0] == '\0')
        snprintf(s->err->where, sizeof s->err->where, "%.*s", (int)s->path.len,
                 (const char *)s->path.ptr);
    s->path.len = plen;
    json_decref(digests);
    return rc;
}

static cl_err
visit_array(struct iss *s, json_t *arr, unsigned depth)
{
    size_t plen = s->path.len;
    char digest[CL_SDJWT_DIGEST_B64_MAX];
    cl_err rc;

    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *el = json_array_get(arr, i);

        cl_buf_printf(&s->path, "/%zu", i);
        rc = visit(s, el, depth + 1);
        if (rc == CL_OK && wanted(s)) {
            rc = make_disclosure(s, NULL, el, digest);
            if (rc == CL_OK && json_array_set_new(arr, i, json_pack("{s:s}", "...", digest)) != 0)
                rc = cl_fail(s->err, CL_ERR_NOMEM, NULL, "out of memory");
        }
        s->path.len = plen;
        if (rc != CL_OK)
            return rc;
    }
    return CL_OK;
}

static cl_err
visit(struct iss *s, json_t *v, unsigned depth)
{
    if (depth > CL_LIMIT_JSON_DEPTH)
        return cl_fail(s->err, CL_ERR_TOO_LARGE, "claims", "claims nest deeper than %d",
                       CL_LIMIT_JSON_DEPTH);
    if (json_is_object(v))
        return visit_object(s, v, depth);
    if (json_is_array(v))
        return visit_array(s, v, depth);
    return CL_OK;
}

/* Whether ptr is never or inside never. */
static bool
under(const char *ptr, const char *never)
{
    size_t n = strlen(never);

    return strncmp(ptr, never, n) == 0 && (ptr[n] == '\0' || ptr[n] == '/');
}

cl_err
cl_sdjwt_issue(struct cl_arena *a, const json_t *claims, const struct cl_sdjwt_issue_opts *o,
               struct cl_bytes *out, struct cl_error *err)
{
    struct iss s;
    struct cl_jws_header hdr;
    struct cl_buf payload;
    struct cl_bytes jwt;
    json_t *c = NULL;
    cl_err rc;
    size_t i;

    *out = cl_bytes_of(NULL, 0);
    memset(&s, 0, sizeof s);
    cl_buf_init_ex(&s.path, 1 << 16, false);
    cl_buf_init_ex(&s.out, CL_LIMIT_JWS_BYTES, false);
    cl_buf_init_ex(&payload, CL_LIMIT_JWS_BYTES, false);
    if (o == NULL || o->issuer_key == NULL || !cl_key_has_private(o->issuer_key) ||
        !json_is_object(claims)) {
        rc = cl_fail(err, CL_ERR_USAGE, "issue",
                     "an issuer private key and a claims object are needed");
        goto out;
    }
    s.a = a;
    s.o = o;
    s.err = err;
    s.alg = o->sd_alg != 0 ? o->sd_alg : CL_HASH_SHA256;
    if (cl_sdjwt_alg_name(s.alg) == NULL) {
        rc = cl_fail(err, CL_ERR_USAGE, "sd_alg", "unknown _sd_alg");
        goto out;
    }
    s.matched = cl_arena_calloc(a, o->nsd != 0 ? o->nsd : 1, sizeof *s.matched);
    if (s.matched == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
        goto out;
    }
    if (o->vc) {
        const char *vct = json_string_value(json_object_get(claims, "vct"));

        /* SD-JWT VC §3.2.2.1: vct REQUIRED, a string */
        if (vct == NULL || vct[0] == '\0') {
            rc = cl_fail(err, CL_ERR_INPUT, "vct", "an SD-JWT VC needs a \"vct\" string");
            goto out;
        }
    }
    for (i = 0; i < o->nsd; i++) {
        const char *p = o->sd[i];

        if (p == NULL || p[0] != '/') {
            rc = cl_fail(err, CL_ERR_INPUT, p != NULL ? p : "sd",
                         "selectively disclosable claims are JSON pointers starting with '/'");
            goto out;
        }
        if (o->vc && cl_sdjwt_vc_never_sd(p)) {
            rc = cl_fail(err, CL_ERR_POLICY, p,
                         "claim must never be selectively disclosable in an SD-JWT VC "
                         "(draft-ietf-oauth-sd-jwt-vc §3.2.2.2)");
            goto out;
        }
        for (size_t j = 0; j < o->nnever; j++)
            if (under(p, o->never[j])) {
                rc = cl_fail(err, CL_ERR_POLICY, p,
                             "claim must never be selectively disclosable (credential type "
                             "says sd \"never\" for %s)",
                             o->never[j]);
                goto out;
            }
    }
    c = json_deep_copy(claims);
    rc = sdjwt_json_defer(a, c, err);
    if (rc != CL_OK)
        goto out;
    rc = visit(&s, c, 1);
    if (rc != CL_OK)
        goto out;
    for (i = 0; i < o->nsd; i++)
        if (!s.matched[i]) {
            rc = cl_fail(err, CL_ERR_NOT_FOUND, o->sd[i], "pointer names no claim in the claims");
            goto out;
        }
    if (o->nsd != 0 &&
        json_object_set_new(c, "_sd_alg", json_string(cl_sdjwt_alg_name(s.alg))) != 0) {
        rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
        goto out;
    }
    sdjwt_json_dump(&payload, c);
    rc = cl_buf_check(&payload, "payload", err);
    if (rc != CL_OK)
        goto out;
    memset(&hdr, 0, sizeof hdr);
    hdr.typ = o->typ != NULL ? o->typ : CL_SDJWT_TYP_VC;
    hdr.kid = o->kid;
    hdr.x5c = o->x5c;
    hdr.x5c_count = o->x5c_count;
    rc = cl_jws_sign(a, o->issuer_key, &hdr, cl_buf_bytes(&payload), &jwt, err);
    if (rc != CL_OK)
        goto out;
    rc = cl_buf_check(&s.out, "disclosures", err);
    if (rc != CL_OK)
        goto out;
    {
        uint8_t *p = cl_arena_alloc(a, jwt.len + 1 + s.out.len + 1);

        if (p == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "issue", "out of memory");
            goto out;
        }
        memcpy(p, jwt.ptr, jwt.len);
        p[jwt.len] = '~';
        if (s.out.len != 0)
            memcpy(p + jwt.len + 1, s.out.ptr, s.out.len);
        p[jwt.len + 1 + s.out.len] = '\0';
        *out = cl_bytes_of(p, jwt.len + 1 + s.out.len);
    }
out:
    cl_buf_fini(&payload);
    cl_buf_fini(&s.out);
    cl_buf_fini(&s.path);
    return rc;
}
