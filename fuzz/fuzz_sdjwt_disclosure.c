/* fuzz_sdjwt_disclosure.c - one disclosure: the input is its JSON text; the harness encodes
 * it, puts its digest in an (unsigned) payload, in "_sd" or in an array by the first byte,
 * and runs the parser and the payload processing over it. */
#include <stdlib.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/crypto.h"
#include "cardless/sdjwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_arena a;
    struct cl_sdjwt sd;
    json_t *claims;
    uint8_t h[32];
    char *enc, *dig, *payload, *text;
    bool in_array;

    if (size == 0 || size > (1 << 16))
        return 0;
    in_array = data[0] & 1;
    data++;
    size--;
    cl_arena_init(&a, 4096, 1 << 24, 0);
    enc = cl_b64url_encode_arena(&a, cl_bytes_of(data, size));
    if (enc == NULL || cl_hash(CL_HASH_SHA256, cl_bytes_str(enc), h, NULL) != CL_OK)
        abort();
    dig = cl_b64url_encode_arena(&a, cl_bytes_of(h, sizeof h));
    payload =
        cl_arena_printf(&a, in_array ? "{\"a\":[{\"...\":\"%s\"},1]}" : "{\"_sd\":[\"%s\"]}", dig);
    text = cl_arena_printf(&a, "%s.%s.c2ln~%s~",
                           cl_b64url_encode_arena(&a, cl_bytes_str("{\"alg\":\"ES256\"}")),
                           cl_b64url_encode_arena(&a, cl_bytes_str(payload)), enc);
    if (text != NULL && cl_sdjwt_parse(&a, cl_bytes_str(text), NULL, &sd, NULL) == CL_OK) {
        if (sd.ndisclosures != 1 || strcmp(sd.disclosures[0].digest, dig) != 0)
            abort();
        if (cl_sdjwt_process(&a, &sd, CL_SDJWT_PROCESS_PATHS, &claims, NULL) == CL_OK &&
            (sd.disclosures[0].refs != 1 || (sd.disclosures[0].name == NULL) != in_array))
            abort();
    }
    cl_arena_fini(&a);
    return 0;
}
