/* fuzz_sdjwt_kbclaims.c - the KB-JWT's header and claims as JSON texts, "HEADER\nCLAIMS": the
 * harness signs them with the holder key ("$SDH" in the claims stands for the right sd_hash,
 * "$IAT" for the time of the check) after a fixed issued SD-JWT, then verifies the
 * presentation with the fast path for the common KB-JWT and with the general parsers only
 * (CL_SDJWT_VERIFY_GENERAL): the same verdict, error and claims. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/sdjwt.h"

#include "sdjwt_cred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1800000000)

static struct cl_key *key;   /* issuer and holder, one for the process: reachable, not leaked */
static struct cl_arena keep; /* holds the credential and its sd_hash */
static struct cl_bytes cred;
static const char *sd_hash;

static void
setup(void)
{
    uint8_t h[32];

    sdjwt_cred_make(&key, &keep, &cred);
    if (cl_hash(CL_HASH_SHA256, cred, h, NULL) != CL_OK)
        abort();
    sd_hash = cl_b64url_encode_arena(&keep, cl_bytes_of(h, sizeof h));
    if (sd_hash == NULL)
        abort();
}

/* text with the first "$SDH" and "$IAT" replaced, in the arena */
static const char *
fill(struct cl_arena *a, const char *text)
{
    const char *at = strstr(text, "$SDH");

    if (at != NULL)
        text = cl_arena_printf(a, "%.*s%s%s", (int)(at - text), text, sd_hash, at + 4);
    if (text != NULL && (at = strstr(text, "$IAT")) != NULL)
        text = cl_arena_printf(a, "%.*s%lld%s", (int)(at - text), text, (long long)NOW, at + 4);
    return text;
}

/* The presentation: the credential, then b64(header).b64(claims).b64(signature). */
static struct cl_bytes
present(struct cl_arena *a, const char *hdr, const char *claims)
{
    const char *h = cl_b64url_encode_arena(a, cl_bytes_str(hdr));
    const char *c = cl_b64url_encode_arena(a, cl_bytes_str(claims));
    const char *in, *s, *out;
    uint8_t sig[CL_ECDSA_RAW_MAX];
    size_t n = 0;

    if (h == NULL || c == NULL || (in = cl_arena_printf(a, "%s.%s", h, c)) == NULL ||
        cl_ecdsa_sign(key, CL_HASH_SHA256, cl_bytes_str(in), sig, &n, NULL) != CL_OK ||
        (s = cl_b64url_encode_arena(a, cl_bytes_of(sig, n))) == NULL ||
        (out = cl_arena_printf(a, "%.*s%s.%s", (int)cred.len, (const char *)cred.ptr, in, s)) ==
            NULL)
        return cl_bytes_of(NULL, 0);
    return cl_bytes_str(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_arena a;
    struct cl_sdjwt_verify_opts vo;
    struct cl_sdjwt_verified v, g;
    struct cl_error err = {0}, gerr = {0};
    const uint8_t *nl;
    const char *hdr, *claims;
    struct cl_bytes text;
    cl_err rc;

    if (key == NULL)
        setup();
    if (size > 4096 || (nl = memchr(data, '\n', size)) == NULL)
        return 0;
    cl_arena_init(&a, 4096, 1 << 24, 0);
    hdr = cl_arena_strndup(&a, cl_bytes_of(data, (size_t)(nl - data)));
    claims = cl_arena_strndup(&a, cl_bytes_of(nl + 1, size - (size_t)(nl - data) - 1));
    if (hdr == NULL || claims == NULL || (claims = fill(&a, claims)) == NULL ||
        (text = present(&a, hdr, claims)).ptr == NULL)
        abort();
    sdjwt_cred_verify_opts(&vo, key);
    vo.now = NOW;
    vo.leeway = 60;
    rc = cl_sdjwt_verify(&a, text, &vo, &v, &err);
    vo.flags = CL_SDJWT_VERIFY_GENERAL;
    if (cl_sdjwt_verify(&a, text, &vo, &g, &gerr) != rc || strcmp(err.where, gerr.where) != 0 ||
        strcmp(err.msg, gerr.msg) != 0)
        abort();
    if (rc == CL_OK && (!v.key_bound || !g.key_bound || !json_equal(v.claims, g.claims)))
        abort();
    cl_arena_fini(&a);
    return 0;
}
