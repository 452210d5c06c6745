/* fuzz_catalog_cbor.c - element values received by a verifier (any CBOR) read back as JSON,
 * generically and against each element type; a typed success agrees with the generic one. */
#include <stdlib.h>
#include <string.h>

#include "cardless/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define D "\"display\":{\"ko\":\"가\",\"en\":\"A\"}"
#define C(name, type, extra) "{\"name\":\"" name "\",\"type\":\"" type "\"," D extra "}"

/* clang-format off */
static const char type_json[] =
    "{\"id\":\"f.t\",\"version\":1," D ",\"issuer\":{\"ko\":\"나\",\"en\":\"B\"},"
    "\"mdoc\":{\"doctype\":\"f.t.1\"},\"claims\":["
    C("s", "tstr", "") "," C("u", "uint", "") "," C("i", "int", "") "," C("b", "bool", "") ","
    C("d", "full-date", "") "," C("t", "tdate", "") "," C("x", "bstr", "") ","
    C("m", "map", "") "," C("a", "array", "") ","
    C("p", "array", ",\"items\":{\"type\":\"map\",\"fields\":["
        C("k", "tstr", "") "," C("e", "full-date", "") ","
        C("c", "array", ",\"items\":{\"type\":\"bstr\"}") "]}") "]}";
/* clang-format on */

static struct cl_catalog *cat;
static const struct cl_catalog_type *type;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_cbor_limits lim = cl_cbor_limits_default();
    const struct cl_cbor *item;
    struct cl_arena a;
    json_t *generic = NULL, *typed;

    if (cat == NULL) {
        if (cl_catalog_new(NULL, &cat, NULL) != CL_OK ||
            cl_catalog_load_json(cat, cl_bytes_str(type_json), "fuzz", &type, NULL) != CL_OK)
            abort();
    }
    lim.max_bytes = 1 << 16;
    lim.max_items = 4096;
    cl_arena_init(&a, 4096, 8 << 20, 0);
    if (cl_cbor_decode(&a, cl_bytes_of(data, size), &lim, &item, NULL) == CL_OK) {
        cl_err g = cl_catalog_cbor_to_json(&a, NULL, item, &generic, NULL);

        for (size_t i = 0; i < type->nclaims; i++) {
            typed = NULL;
            if (cl_catalog_cbor_to_json(&a, &type->claims[i], item, &typed, NULL) != CL_OK)
                continue;
            if (g != CL_OK || !json_equal(typed, generic)) /* the type only checks */
                abort();
        }
    }
    cl_arena_fini(&a);
    return 0;
}
