/* fuzz_jose_jws.c - cl_jws_parse + cl_jws_verify with the RFC 7515 A.3 public key, then the
 * claim checks and x5c reader on whatever parses; the input as a flat JSON object too. */
#include <stdlib.h>
#include <string.h>

#include "cardless/jose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 7515 A.3 public key, as a JWK */
static const char a3_jwk[] = "{\"kty\":\"EC\",\"crv\":\"P-256\","
                             "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                             "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";

static struct cl_key *
fixed_key(void)
{
    static struct cl_key *key; /* one for the process: reachable, not leaked */

    if (key == NULL && cl_jwk_parse(cl_bytes_str(a3_jwk), NULL, 0, &key, NULL) != CL_OK)
        abort();
    return key;
}

static void
one(const uint8_t *data, size_t size, unsigned flags)
{
    static const char *const crit[] = {"exp", NULL};
    struct cl_arena a;
    struct cl_jws jws;
    struct cl_jws_opts opts = cl_jws_opts_default();
    struct cl_jwt_check chk = {0};
    struct cl_bytes *certs;
    size_t n;
    cl_err rc;

    opts.max_bytes = 1 << 16; /* limits in the harness: bugs, not timeouts */
    opts.json.max_bytes = 1 << 16;
    opts.flags = flags;
    opts.crit = crit;
    cl_arena_init(&a, 4096, 1 << 20, 0);
    if (cl_jws_parse(&a, cl_bytes_of(data, size), &opts, &jws, NULL) == CL_OK) {
        /* invariants: the signing input is the received prefix before the second dot */
        if (jws.signing_input.ptr != data || jws.signing_input.len >= size ||
            data[jws.signing_input.len] != '.' || !json_is_object(jws.header) ||
            jws.alg_name == NULL || ((flags & CL_JWS_PAYLOAD_JSON) && !json_is_object(jws.claims)))
            abort();
        rc = cl_jws_verify(&jws, fixed_key(), CL_JOSE_ALGS_ALL, NULL);
        chk.now = 1300819379;
        chk.leeway = 60;
        chk.aud = "rp";
        if (jws.claims != NULL)
            rc = cl_jwt_check_claims(jws.claims, &chk, NULL);
        (void)rc; /* any verdict will do: no crash, no leak */
        if (cl_jws_x5c(&a, &jws, &certs, &n, NULL) == CL_OK && (n == 0 || certs == NULL))
            abort();
    }
    cl_arena_fini(&a);
}

/* cl_jose_json_flat (a KB-JWT's members) takes only what cl_jose_json_parse accepts, with the
 * same members and values. */
static void
flat(const uint8_t *data, size_t size)
{
    struct cl_json_flat m[] = {{.name = "alg"},
                               {.name = "typ"},
                               {.name = "aud"},
                               {.name = "nonce"},
                               {.name = "sd_hash"},
                               {.name = "iat", .is_int = true},
                               {.name = "exp", .is_int = true}};
    struct cl_json_limits lim = cl_json_limits_default();
    struct cl_arena a;
    json_t *j = NULL;
    size_t present = 0;

    cl_arena_init(&a, 4096, 1 << 20, 0);
    if (cl_jose_json_flat(&a, cl_bytes_of(data, size), &lim, m, CL_ARRAY_LEN(m)) == 1) {
        if (cl_jose_json_parse(&a, cl_bytes_of(data, size), &lim, NULL, &j, NULL) != CL_OK ||
            !json_is_object(j))
            abort();
        for (size_t i = 0; i < CL_ARRAY_LEN(m); i++) {
            const json_t *v = json_object_get(j, m[i].name);

            if (!m[i].present) {
                if (v != NULL)
                    abort();
                continue;
            }
            present++;
            if (m[i].is_int ? !json_is_integer(v) || json_integer_value(v) != m[i].num
                            : !json_is_string(v) || json_string_length(v) != m[i].str.len ||
                                  memcmp(json_string_value(v), m[i].str.ptr, m[i].str.len) != 0)
                abort();
        }
        if (json_object_size(j) != present)
            abort();
    }
    cl_arena_fini(&a);
}

/* CL_JWS_HEADER_FLAT changes nothing but the header tree: the same verdict, alg, typ, kid. */
static void
same_with_flat_header(const uint8_t *data, size_t size)
{
    struct cl_jws_opts opts = cl_jws_opts_default();
    struct cl_error e1 = {0}, e2 = {0};
    struct cl_arena a;
    struct cl_jws j1, j2;
    cl_err r1, r2;

    opts.max_bytes = 1 << 16;
    opts.json.max_bytes = 1 << 16;
    opts.flags = CL_JWS_PAYLOAD_JSON;
    cl_arena_init(&a, 4096, 1 << 20, 0);
    r1 = cl_jws_parse(&a, cl_bytes_of(data, size), &opts, &j1, &e1);
    opts.flags |= CL_JWS_HEADER_FLAT;
    r2 = cl_jws_parse(&a, cl_bytes_of(data, size), &opts, &j2, &e2);
    if (r1 != r2 || strcmp(e1.where, e2.where) != 0 || strcmp(e1.msg, e2.msg) != 0)
        abort();
    if (r1 == CL_OK &&
        (j1.alg != j2.alg || strcmp(j1.alg_name, j2.alg_name) != 0 ||
         (j1.typ == NULL) != (j2.typ == NULL) || (j1.typ != NULL && strcmp(j1.typ, j2.typ)) ||
         (j1.kid == NULL) != (j2.kid == NULL) || (j1.kid != NULL && strcmp(j1.kid, j2.kid)) ||
         !cl_bytes_eq(j1.signing_input, j2.signing_input) || !json_equal(j1.claims, j2.claims)))
        abort();
    cl_arena_fini(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    flat(data, size);
    same_with_flat_header(data, size);
    one(data, size, 0);
    one(data, size, CL_JWS_PAYLOAD_JSON);
    return 0;
}
