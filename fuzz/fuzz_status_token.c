/* fuzz_status_token.c - cl_status_token_parse_verify on JWT and CWT Status List Tokens with a
 * fixed key (the seeds in fuzz/corpus/fuzz_status_token/ are signed by its private half), then
 * every lookup the list allows; also through the cache. */
#include <stdlib.h>
#include <string.h>

#include "cardless/jose.h"
#include "cardless/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* public half of the key that signed the seed tokens */
static const char seed_jwk[] = "{\"crv\":\"P-256\",\"kty\":\"EC\","
                               "\"x\":\"HYUT1iynvJHPVdRlRiz86hY4lhU_nNlxIHXSgPT2vJQ\","
                               "\"y\":\"zJUK7Hq8AkquO7IXahPsECanpWCRIKjJznHU_OB7so8\"}";

static struct cl_key *
fixed_key(void)
{
    static struct cl_key *key; /* one for the process: reachable, not leaked */

    if (key == NULL && cl_jwk_parse(cl_bytes_str(seed_jwk), NULL, 0, &key, NULL) != CL_OK)
        abort();
    return key;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_status_limits lim = {1 << 16, 1 << 16};
    struct cl_status_trust trust = {0};
    struct cl_status_token t;
    struct cl_status_cache *cache = NULL;
    struct cl_arena a;
    unsigned v, v2;

    trust.key = fixed_key();
    trust.flags = CL_STATUS_ALLOW_STALE;
    trust.leeway = 60;
    cl_arena_init(&a, 4096, 1 << 22, 0);
    /* at 2026-11-27T12:00:00Z: the seeds are issued a little before and valid for a day */
    if (cl_status_token_parse_verify(&a, cl_bytes_of(data, size), &trust, NULL, 1795780800, &lim,
                                     &t, NULL) == CL_OK) {
        if (t.sub == NULL || t.list.count == 0 || t.list.lst.len > lim.max_inflated ||
            (t.exp != 0 && t.exp + 60 <= 1795780800))
            abort();
        if (cl_status_cache_new(1, &cache, NULL) != CL_OK)
            abort();
        for (uint64_t i = 0; i < t.list.count && i < 4096; i++) {
            if (cl_status_list_get(&t.list, i, &v, NULL) != CL_OK ||
                cl_status_cache_check(cache, cl_bytes_of(data, size), &trust, t.sub, i, 1795780800,
                                      &lim, &v2, NULL) != CL_OK ||
                v != v2)
                abort();
        }
        if (cl_status_cache_stats(cache).inflations != 1)
            abort();
        cl_status_cache_free(cache);
    }
    cl_arena_fini(&a);
    return 0;
}
