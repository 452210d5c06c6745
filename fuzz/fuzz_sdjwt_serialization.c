/* fuzz_sdjwt_serialization.c - cl_sdjwt_parse and cl_sdjwt_process on a whole SD-JWT (the
 * issuer signature is not what is fuzzed: processing runs on whatever parses), then
 * cl_sdjwt_verify with the RFC 9901 A.5 key. */
#include <stdlib.h>
#include <string.h>

#include "cardless/sdjwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char a5_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\","
                             "\"x\":\"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ\","
                             "\"y\":\"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8\"}";

static struct cl_key *
fixed_key(void)
{
    static struct cl_key *key; /* one for the process: reachable, not leaked */

    if (key == NULL && cl_jwk_parse(cl_bytes_str(a5_jwk), NULL, 0, &key, NULL) != CL_OK)
        abort();
    return key;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_sdjwt_limits lim = cl_sdjwt_limits_default();
    struct cl_arena a;
    struct cl_sdjwt sd;
    struct cl_sdjwt_verify_opts vo;
    struct cl_sdjwt_verified v;
    json_t *claims;

    lim.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    lim.max_disclosures = 256;
    lim.json.max_bytes = 1 << 16;
    cl_arena_init(&a, 4096, 1 << 24, 0);
    if (cl_sdjwt_parse(&a, cl_bytes_of(data, size), &lim, &sd, NULL) == CL_OK) {
        if (sd.presented.len > size || sd.ndisclosures > lim.max_disclosures)
            abort();
        if (cl_sdjwt_process(&a, &sd, CL_SDJWT_PROCESS_PATHS, &claims, NULL) == CL_OK) {
            /* invariants: every disclosure used exactly once; nothing reserved left */
            for (size_t i = 0; i < sd.ndisclosures; i++)
                if (sd.disclosures[i].refs != 1 || sd.disclosures[i].path == NULL)
                    abort();
            if (json_object_get(claims, "_sd") != NULL ||
                json_object_get(claims, "_sd_alg") != NULL)
                abort();
        }
    }
    cl_arena_fini(&a);

    cl_arena_init(&a, 4096, 1 << 24, 0);
    memset(&vo, 0, sizeof vo);
    vo.issuer_key = fixed_key();
    vo.vc = size > 0 && (data[0] & 1);
    vo.now = 1748537253;
    vo.aud = "https://verifier.example.org";
    vo.nonce = "1234567890";
    vo.require_kb = size > 0 && (data[0] & 2);
    vo.lim = lim;
    if (cl_sdjwt_verify(&a, cl_bytes_of(data, size), &vo, &v, NULL) == CL_OK &&
        (v.claims == NULL || !json_is_object(v.claims)))
        abort();
    cl_arena_fini(&a);
    return 0;
}
