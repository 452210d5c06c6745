/* present.c - the holder's side (RFC 9901 §4.3, §6): keep the disclosures a set of JSON
 * pointers needs, with their parents, and bind the presentation to a key with a KB-JWT. */
#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/limits.h"
#include "cardless/time.h"
#include "sdjwt/sdjwt_int.h"

#include "base/banned.h"

/* Whether pointer p is q or inside q. */
static bool
inside(const char *p, const char *q)
{
    size_t n = strlen(q);

    return strncmp(p, q, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static cl_err
check_holder_key(const json_t *claims, const struct cl_key *holder, struct cl_error *err)
{
    const json_t *jwk = json_object_get(json_object_get(claims, "cnf"), "jwk");
    struct cl_key *k = NULL;
    cl_err rc;

    if (jwk == NULL)
        return CL_OK; /* nothing to compare with: the verifier decides */
    rc = cl_jwk_to_key(jwk, 0, &k, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "cnf.jwk");
        return rc;
    }
    if (!cl_key_equal_public(k, holder))
        rc = cl_fail(err, CL_ERR_POLICY, "holder_key",
                     "holder key is not the key the credential is bound to (cnf.jwk)");
    cl_key_free(k);
    return rc;
}

cl_err
cl_sdjwt_present(struct cl_arena *a, struct cl_bytes credential,
                 const struct cl_sdjwt_present_opts *o, struct cl_bytes *out, struct cl_error *err)
{
    struct cl_sdjwt sd;
    struct cl_buf b, kbp;
    json_t *claims, *kb = NULL;
    bool *keep = NULL;
    cl_err rc;
    size_t i;

    *out = cl_bytes_of(NULL, 0);
    cl_buf_init_ex(&b, CL_LIMIT_JWS_BYTES, false);
    cl_buf_init(&kbp);
    if (o == NULL || (o->holder_key != NULL &&
                      (!cl_key_has_private(o->holder_key) || o->aud == NULL || o->nonce == NULL))) {
        rc = cl_fail(err, CL_ERR_USAGE, "present",
                     "a KB-JWT needs the holder's private key, an audience and a nonce");
        goto out;
    }
    rc = cl_sdjwt_parse(a, credential, NULL, &sd, err);
    if (rc != CL_OK)
        goto out;
    if (sd.kb_jwt.len != 0) {
        rc = cl_fail(err, CL_ERR_INPUT, "kb_jwt",
                     "credential already carries a KB-JWT: give the SD-JWT as issued");
        goto out;
    }
    rc = cl_sdjwt_process(a, &sd, CL_SDJWT_PROCESS_PATHS, &claims, err);
    if (rc != CL_OK)
        goto out;
    keep = cl_arena_calloc(a, sd.ndisclosures != 0 ? sd.ndisclosures : 1, sizeof *keep);
    if (keep == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "present", "out of memory");
        goto out;
    }
    for (i = 0; i < o->ndisclose; i++) {
        const char *p = o->disclose[i];

        if (p == NULL || cl_sdjwt_pointer_get(claims, p) == NULL || p[0] == '\0') {
            rc = cl_fail(err, CL_ERR_NOT_FOUND, p != NULL ? p : "disclose",
                         "pointer names no claim in the credential");
            goto out;
        }
        /* the claim, everything inside it, and the disclosures it sits in */
        for (size_t k = 0; k < sd.ndisclosures; k++) {
            const char *dp = sd.disclosures[k].path;

            if (dp != NULL && (inside(p, dp) || /* the disclosures it sits in */
                               ((o->flags & CL_SDJWT_PRESENT_EXACT) == 0 && inside(dp, p))))
                keep[k] = true;
        }
    }
    for (i = 0; i < sd.ndisclosures; i++) /* parents of what is kept (belt and braces) */
        if (keep[i])
            for (long k = sd.disclosures[i].parent; k >= 0; k = sd.disclosures[k].parent)
                keep[k] = true;
    if (o->holder_key != NULL) {
        rc = check_holder_key(claims, o->holder_key, err);
        if (rc != CL_OK)
            goto out;
    }
    cl_buf_append_bytes(&b, sd.issuer_jwt);
    cl_buf_append_byte(&b, '~');
    for (i = 0; i < sd.ndisclosures; i++)
        if (keep[i]) {
            cl_buf_append_bytes(&b, sd.disclosures[i].encoded);
            cl_buf_append_byte(&b, '~');
        }
    if (o->holder_key != NULL) {
        struct cl_jws_header hdr;
        char sd_hash[CL_SDJWT_DIGEST_B64_MAX];
        struct cl_bytes jwt;

        rc = cl_buf_check(&b, "presentation", err);
        if (rc != CL_OK)
            goto out;
        /* RFC 9901 §4.3.1: sd_hash over the presented SD-JWT up to the last '~' */
        rc = sdjwt_digest_b64(sd.sd_alg, cl_buf_bytes(&b), sd_hash, err);
        if (rc != CL_OK)
            goto out;
        kb = json_pack("{s:I,s:s,s:s,s:s}", "iat", (json_int_t)(o->iat != 0 ? o->iat : cl_now()),
                       "aud", o->aud, "nonce", o->nonce, "sd_hash", sd_hash);
        if (kb == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "kb_jwt", "out of memory");
            goto out;
        }
        sdjwt_json_dump(&kbp, kb);
        rc = cl_buf_check(&kbp, "kb_jwt", err);
        if (rc != CL_OK)
            goto out;
        memset(&hdr, 0, sizeof hdr);
        hdr.typ = CL_SDJWT_TYP_KB;
        rc = cl_jws_sign(a, o->holder_key, &hdr, cl_buf_bytes(&kbp), &jwt, err);
        if (rc != CL_OK)
            goto out;
        cl_buf_append_bytes(&b, jwt);
    }
    rc = cl_buf_check(&b, "presentation", err);
    if (rc != CL_OK)
        goto out;
    {
        char *s = cl_arena_strndup(a, cl_buf_bytes(&b));

        if (s == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "present", "out of memory");
            goto out;
        }
        *out = cl_bytes_of(s, b.len);
    }
out:
    json_decref(kb);
    cl_buf_fini(&kbp);
    cl_buf_fini(&b);
    return rc;
}
