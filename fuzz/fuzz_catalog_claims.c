/* fuzz_catalog_claims.c - claims JSON given to an issuer, validated against a type using
 * every element type, items and fields, in both mdoc and SD-JWT shapes; what validates must
 * convert to CBOR and read back as its SD-JWT form. */
#include <stdlib.h>
#include <string.h>

#include "cardless/catalog.h"
#include "cardless/jose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define D "\"display\":{\"ko\":\"가\",\"en\":\"A\"}"
#define C(name, type, extra) "{\"name\":\"" name "\",\"type\":\"" type "\"," D extra "}"

/* clang-format off */
static const char type_json[] =
    "{\"id\":\"f.t\",\"version\":1," D ",\"issuer\":{\"ko\":\"나\",\"en\":\"B\"},"
    "\"mdoc\":{\"doctype\":\"f.t.1\"},\"sdjwt\":{\"vct\":\"https://f.example/t\"},\"claims\":["
    C("s", "tstr", ",\"mandatory\":true,\"max_length\":8") ","
    C("n", "tstr", ",\"min_length\":6,\"max_length\":6,\"format\":\"digits\",\"sensitive\":true,"
                   "\"sd\":\"always\"") ","
    C("u", "uint", ",\"sdjwt_path\":\"/g/u\"") ","
    C("i", "int", ",\"sdjwt_path\":\"/g/i\",\"namespace\":\"f.other\"") ","
    C("b", "bool", "") ","
    C("d", "full-date", ",\"mandatory\":true") ","
    C("t", "tdate", "") ","
    C("x", "bstr", ",\"max_length\":16") ","
    C("m", "map", "") ","
    C("a", "array", ",\"max_length\":4") ","
    C("p", "array", ",\"items\":{\"type\":\"map\",\"fields\":["
        C("k", "tstr", ",\"mandatory\":true") "," C("e", "full-date", "") ","
        C("c", "array", ",\"items\":{\"type\":\"bstr\"}") "]}") ","
    C("s", "int", ",\"namespace\":\"f.other\",\"sdjwt_path\":\"/s2\"") "]}";
/* clang-format on */

static struct cl_catalog *cat;
static const struct cl_catalog_type *type;

static void
check_values(struct cl_arena *a, const struct cl_catalog_report *rep)
{
    for (size_t i = 0; i < rep->nvalues; i++) {
        const struct cl_catalog_claim *c = rep->values[i].claim;
        const struct cl_cbor *item;
        json_t *back = NULL, *sd = NULL;
        struct cl_buf b;

        cl_buf_init(&b);
        if (cl_catalog_value_to_cbor(&b, c, rep->values[i].value, NULL) != CL_OK ||
            cl_cbor_decode(a, cl_buf_bytes(&b), NULL, &item, NULL) != CL_OK ||
            cl_catalog_cbor_to_json(a, c, item, &back, NULL) != CL_OK ||
            cl_catalog_value_to_sdjwt(a, c, rep->values[i].value, &sd, NULL) != CL_OK)
            abort();
        /* a generic map's reals may come back as other reals; everything else is equal */
        if (c->type != CL_CATALOG_MAP && c->type != CL_CATALOG_ARRAY && !json_equal(back, sd))
            abort();
        cl_buf_fini(&b);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_json_limits lim = {1 << 16, 16};
    struct cl_catalog_report rep;
    struct cl_arena a;
    json_t *claims;

    if (cat == NULL) {
        if (cl_catalog_new(NULL, &cat, NULL) != CL_OK ||
            cl_catalog_load_json(cat, cl_bytes_str(type_json), "fuzz", &type, NULL) != CL_OK)
            abort();
    }
    cl_arena_init(&a, 4096, 8 << 20, 0);
    if (cl_jose_json_parse(&a, cl_bytes_of(data, size), &lim, "claims", &claims, NULL) == CL_OK) {
        if (cl_catalog_validate_mdoc_claims(&a, type, claims, &rep, NULL) == CL_OK)
            check_values(&a, &rep);
        else if (json_is_object(claims) && rep.nproblems == 0)
            abort(); /* a refusal names at least one problem */
        if (cl_catalog_validate_sdjwt_claims(&a, type, claims, &rep, NULL) == CL_OK)
            check_values(&a, &rep);
        else if (json_is_object(claims) && rep.nproblems == 0)
            abort();
    }
    cl_arena_fini(&a);
    return 0;
}
