/* fuzz_sdjwt_kbjwt.c - the Key Binding JWT: a fixed issued SD-JWT (made once per process with
 * the RFC 7515 A.3 key as issuer and holder) followed by the input as the KB-JWT, verified
 * with key binding required, and again with the general parsers only: the same answer. */
#include <stdlib.h>
#include <string.h>

#include "cardless/sdjwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char a3_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\","
                             "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                             "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
                             "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}";

static struct cl_key *key;   /* one for the process: reachable, not leaked */
static struct cl_arena keep; /* holds the credential */
static struct cl_bytes cred;

static void
setup(void)
{
    struct cl_sdjwt_issue_opts io;
    json_t *claims, *jwk = NULL;
    static const char *const sd[] = {"/given_name", "/nationalities/0"};

    if (cl_jwk_parse(cl_bytes_str(a3_jwk), NULL, CL_JWK_ALLOW_PRIVATE, &key, NULL) != CL_OK ||
        cl_jwk_public_json(key, &jwk, NULL) != CL_OK)
        abort();
    claims = json_pack("{s:s,s:s,s:{s:o},s:s,s:[s]}", "iss", "https://i.example", "vct", "urn:x",
                       "cnf", "jwk", jwk, "given_name", "A", "nationalities", "KR");
    cl_arena_init(&keep, 0, 0, 0);
    memset(&io, 0, sizeof io);
    io.issuer_key = key;
    io.sd = sd;
    io.nsd = 2;
    io.vc = true;
    if (claims == NULL || cl_sdjwt_issue(&keep, claims, &io, &cred, NULL) != CL_OK)
        abort();
    json_decref(claims);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_arena a;
    struct cl_sdjwt_verify_opts vo;
    struct cl_sdjwt_verified v;
    struct cl_error err = {0}, gerr = {0};
    uint8_t *buf;
    cl_err rc;

    if (key == NULL)
        setup();
    if (size > (1 << 16))
        return 0;
    buf = malloc(cred.len + size + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, cred.ptr, cred.len);
    if (size != 0)
        memcpy(buf + cred.len, data, size);
    cl_arena_init(&a, 4096, 1 << 24, 0);
    memset(&vo, 0, sizeof vo);
    vo.issuer_key = key;
    vo.vc = true;
    vo.require_kb = true;
    vo.aud = "https://verifier.example";
    vo.nonce = "n";
    vo.now = 1800000000;
    vo.kb_max_age = 1 << 30;
    rc = cl_sdjwt_verify(&a, cl_bytes_of(buf, cred.len + size), &vo, &v, &err);
    if (rc == CL_OK && !v.key_bound)
        abort();
    /* the fast path for the common KB-JWT answers as the general parsers do, error included */
    vo.flags = CL_SDJWT_VERIFY_GENERAL;
    if (cl_sdjwt_verify(&a, cl_bytes_of(buf, cred.len + size), &vo, &v, &gerr) != rc ||
        strcmp(err.where, gerr.where) != 0 || strcmp(err.msg, gerr.msg) != 0)
        abort();
    cl_arena_fini(&a);
    free(buf);
    return 0;
}
