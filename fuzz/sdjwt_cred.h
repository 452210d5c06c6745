/*
 * sdjwt_cred.h - the fixed issued SD-JWT VC the KB-JWT harnesses present: made once per
 * process with the RFC 7515 A.3 key as issuer and holder (cnf.jwk), two disclosures.
 */
#ifndef CARDLESS_FUZZ_SDJWT_CRED_H
#define CARDLESS_FUZZ_SDJWT_CRED_H

#include <stdlib.h>
#include <string.h>

#include "cardless/sdjwt.h"

static const char sdjwt_cred_a3_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\","
                                        "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                                        "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\","
                                        "\"d\":\"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI\"}";

/* The A.3 key into *key and the credential into *cred, in keep (initialised here); aborts if
 * either cannot be made. The caller keeps both for the life of the process. */
static void
sdjwt_cred_make(struct cl_key **key, struct cl_arena *keep, struct cl_bytes *cred)
{
    struct cl_sdjwt_issue_opts io;
    json_t *claims, *jwk = NULL;
    static const char *const sd[] = {"/given_name", "/nationalities/0"};

    if (cl_jwk_parse(cl_bytes_str(sdjwt_cred_a3_jwk), NULL, CL_JWK_ALLOW_PRIVATE, key, NULL) !=
            CL_OK ||
        cl_jwk_public_json(*key, &jwk, NULL) != CL_OK)
        abort();
    claims = json_pack("{s:s,s:s,s:{s:o},s:s,s:[s]}", "iss", "https://i.example", "vct", "urn:x",
                       "cnf", "jwk", jwk, "given_name", "A", "nationalities", "KR");
    cl_arena_init(keep, 0, 0, 0);
    memset(&io, 0, sizeof io);
    io.issuer_key = *key;
    io.sd = sd;
    io.nsd = 2;
    io.vc = true;
    if (claims == NULL || cl_sdjwt_issue(keep, claims, &io, cred, NULL) != CL_OK)
        abort();
    json_decref(claims);
}

/* Verification options for that credential with a KB-JWT bound to the harnesses' audience and
 * nonce; the caller sets the time and its window. */
static void
sdjwt_cred_verify_opts(struct cl_sdjwt_verify_opts *vo, struct cl_key *key)
{
    memset(vo, 0, sizeof *vo);
    vo->issuer_key = key;
    vo->vc = true;
    vo->require_kb = true;
    vo->aud = "https://verifier.example";
    vo->nonce = "n";
}

#endif /* CARDLESS_FUZZ_SDJWT_CRED_H */
