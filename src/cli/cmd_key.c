/* cmd_key.c - `cardless key new|pub`: P-256 key pairs as PKCS#8 PEM, public halves as PEM or JWK.
 */
#include <stdio.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/codec.h"
#include "cardless/crypto.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

/* Read a key file: PEM (private or public) or a JWK. */
cl_err
cli_load_key(struct cl_arena *a, const char *path, bool need_private, struct cl_key **out,
             struct cl_error *err)
{
    struct cl_bytes text;
    struct cl_key *key = NULL;
    cl_err rc;
    size_t i = 0;

    rc = cli_read_file(a, path, &text, err);
    if (rc != CL_OK)
        return rc;
    while (i < text.len && (text.ptr[i] == ' ' || text.ptr[i] == '\n' || text.ptr[i] == '\r' ||
                            text.ptr[i] == '\t'))
        i++;
    if (i < text.len && text.ptr[i] == '{')
        rc = cl_jwk_parse(text, NULL, need_private ? CL_JWK_REQUIRE_PRIVATE : CL_JWK_ALLOW_PRIVATE,
                          &key, err);
    else
        rc = cl_key_from_pem(text, &key, err);
    cl_wipe((void *)text.ptr, text.len); /* the file may hold a private key */
    if (rc != CL_OK) {
        cl_error_nest(err, path);
        return rc;
    }
    if (need_private && !cl_key_has_private(key)) {
        cl_key_free(key);
        return cl_fail(err, CL_ERR_INPUT, path, "a private key is needed, this is a public key");
    }
    rc = cl_key_defer(a, key, err);
    if (rc == CL_OK)
        *out = key;
    return rc;
}

static const char *
curve_name(enum cl_curve c)
{
    switch (c) {
    case CL_CURVE_P256:
        return "P-256";
    case CL_CURVE_P384:
        return "P-384";
    case CL_CURVE_P521:
        return "P-521";
    }
    return "unknown";
}

static cl_err
thumbprint_b64(struct cl_arena *a, const struct cl_key *key, const char **out, struct cl_error *err)
{
    uint8_t tp[CL_JWK_THUMBPRINT_LEN];
    cl_err rc = cl_jwk_thumbprint_key(key, tp, err);

    if (rc != CL_OK)
        return rc;
    *out = cl_b64url_encode_arena(a, cl_bytes_of(tp, sizeof tp));
    return *out != NULL ? CL_OK : cl_fail(err, CL_ERR_NOMEM, "thumbprint", "out of memory");
}

static int
key_new(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"out", "KEY.pem", "where to write the private key (PKCS#8 PEM, mode 0600)", true},
        {"json", NULL, "print {\"out\", \"curve\", \"thumbprint\"} as JSON", false},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_key *key = NULL;
    struct cl_buf pem;
    const char *tp = NULL, *out;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless key new --out KEY.pem [--json]\n"
                       "Make a new P-256 key pair from the system's secure random source.",
                       opts, CL_ARRAY_LEN(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    out = cli_get(opts, CL_ARRAY_LEN(opts), "out");
    json = cli_flag(opts, CL_ARRAY_LEN(opts), "json");
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init_ex(&pem, CL_LIMIT_PEM_MAX, true);
    if (cl_key_generate(CL_CURVE_P256, &key, &err) != CL_OK ||
        cl_key_defer(&a, key, &err) != CL_OK || cl_key_to_pem_private(key, &pem, &err) != CL_OK ||
        cli_write_file(out, cl_buf_bytes(&pem), 0600, &err) != CL_OK ||
        thumbprint_b64(&a, key, &tp, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (json)
        cli_print_json(json_pack("{s:s,s:s,s:s}", "out", out, "curve", "P-256", "thumbprint", tp));
    else
        printf("%s: new P-256 key, JWK thumbprint %s\n", out, tp);
    rc = CLI_OK;
done:
    cl_buf_fini(&pem);
    cl_arena_fini(&a);
    return rc;
}

static int
key_pub(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"in", "KEY.pem", "a private or public key: PEM or JWK", true},
        {"jwk", NULL, "print the public key as a JWK instead of PEM", false},
        {"out", "FILE", "write to FILE instead of standard output", false},
        {"json", NULL, "print {\"curve\", \"thumbprint\", \"jwk\", \"pem\"} as JSON", false},
    };
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_key *key = NULL;
    struct cl_buf text;
    const char *out, *tp = NULL;
    bool json, jwk;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless key pub --in KEY.pem [--jwk] [--out FILE]\n"
                       "Print the public half of a key.",
                       opts, CL_ARRAY_LEN(opts), NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    out = cli_get(opts, CL_ARRAY_LEN(opts), "out");
    json = cli_flag(opts, CL_ARRAY_LEN(opts), "json");
    jwk = cli_flag(opts, CL_ARRAY_LEN(opts), "jwk");
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&text);
    if (cli_load_key(&a, cli_get(opts, CL_ARRAY_LEN(opts), "in"), false, &key, &err) != CL_OK ||
        thumbprint_b64(&a, key, &tp, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (json) {
        struct cl_buf pem;
        json_t *j = NULL;

        cl_buf_init(&pem);
        if (cl_key_to_pem_public(key, &pem, &err) != CL_OK ||
            cl_jwk_public_json(key, &j, &err) != CL_OK) {
            cl_buf_fini(&pem);
            rc = cli_fail(argv[0], &err, json);
            goto done;
        }
        cli_print_json(json_pack("{s:s,s:s,s:o,s:s%}", "curve", curve_name(cl_key_curve(key)),
                                 "thumbprint", tp, "jwk", j, "pem", (const char *)pem.ptr,
                                 pem.len));
        cl_buf_fini(&pem);
        rc = CLI_OK;
        goto done;
    }
    if (jwk) {
        if (cl_jwk_write(key, false, &text, &err) == CL_OK)
            cl_buf_append_byte(&text, '\n');
    } else if (cl_key_to_pem_public(key, &text, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (err.code != CL_OK || cl_buf_check(&text, "output", &err) != CL_OK ||
        cli_write_file(out != NULL ? out : "-", cl_buf_bytes(&text), 0644, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    rc = CLI_OK;
done:
    cl_buf_fini(&text);
    cl_arena_fini(&a);
    return rc;
}

static const struct cli_verb key_verbs[] = {
    {"new", "make a new P-256 key pair (PKCS#8 PEM, mode 0600)", key_new},
    {"pub", "print the public key of a key file as PEM or JWK", key_pub},
};

const struct cli_noun cli_noun_key = {"key",
                                      "EC keys for issuers, document signers and holder devices",
                                      key_verbs, CL_ARRAY_LEN(key_verbs)};
