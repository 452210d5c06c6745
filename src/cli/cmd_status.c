/*
 * cmd_status.c - `cardless status new|set|alloc|sign|get|show`: the issuer's working list
 * (LIST.json, see cl_status_table_save in cardless/status.h), signed Status List Tokens as
 * JWT or CWT (draft-ietf-oauth-status-list), and the relying party's lookup.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cardless/crypto.h"
#include "cardless/limits.h"
#include "cardless/status.h"
#include "cardless/time.h"
#include "cardless/x509.h"
#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

static void
nomem(struct cl_error *err)
{
    if (err->code == CL_OK)
        cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
}

static cl_err
load_table(struct cl_arena *a, const char *path, struct cl_status_table **t, struct cl_error *err)
{
    struct cl_bytes text;
    cl_err rc = cli_read_file(a, path, &text, err);

    if (rc == CL_OK)
        rc = cl_status_table_load(text, t, err);
    if (rc != CL_OK)
        cl_error_nest(err, path);
    return rc;
}

static cl_err
save_table(const char *path, const struct cl_status_table *t, struct cl_error *err)
{
    struct cl_buf b;
    cl_err rc;

    cl_buf_init_ex(&b, CL_LIMIT_FILE_MAX, false);
    rc = cl_status_table_save(t, &b, err);
    if (rc == CL_OK)
        rc = cli_write_file(path, cl_buf_bytes(&b), 0644, err);
    cl_buf_fini(&b);
    return rc;
}

static int
status_new(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"bits", "N", "bits per entry: 1, 2, 4 or 8", true},
        {"size", "N", "number of entries (up to 16777216)", true},
        {"out", "LIST.json", "the list file to create", true},
        {"force", NULL, "overwrite an existing list file (its allocations are lost)", false},
        {"json", NULL, "print the result as JSON", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_status_table *t = NULL;
    struct cl_error err = {0};
    uint64_t bits = 0, size = 0;
    struct stat st;
    const char *out;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless status new --bits N --size N --out LIST.json\n"
                       "Create an issuer's status list: every entry VALID and unallocated.",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    out = cli_get(opts, n, "out");
    if (!cli_get_u64(opts, n, "bits", 1, 8, &bits) ||
        !cli_get_u64(opts, n, "size", 1, CL_STATUS_ENTRIES_MAX, &size))
        return CLI_USAGE;
    if (bits != 1 && bits != 2 && bits != 4 && bits != 8)
        return cli_usage_error(argv[0], "--bits must be 1, 2, 4 or 8");
    if (!cli_flag(opts, n, "force") && strcmp(out, "-") != 0 && stat(out, &st) == 0)
        return cli_usage_error(argv[0], "%s exists; --force overwrites it", out);
    if (cl_status_table_new((unsigned)bits, size, &t, &err) != CL_OK ||
        save_table(out, t, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (json)
        cli_print_json(json_pack("{s:s,s:I,s:I}", "list", out, "bits", (json_int_t)bits, "size",
                                 (json_int_t)size));
    else if (strcmp(out, "-") != 0)
        printf("%s: %llu entries of %llu bits, all VALID\n", out, (unsigned long long)size,
               (unsigned long long)bits);
    rc = CLI_OK;
done:
    cl_status_table_free(t);
    return rc;
}

static int
status_set(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"list", "LIST.json", "the list file", true},
        {"index", "I", "the entry", true},
        {"value", "V", "VALID, INVALID, SUSPENDED or a number that fits the bits", true},
        {"force", NULL, "allow changing an INVALID entry (INVALID is irreversible)", false},
        {"json", NULL, "print the result as JSON", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_status_table *t = NULL;
    struct cl_arena a;
    struct cl_error err = {0};
    const char *path;
    uint64_t idx = 0;
    unsigned value, old = 0;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless status set --list LIST.json --index I --value V\n"
                       "Set one entry: revoke (INVALID), suspend (SUSPENDED) or reinstate "
                       "(VALID).",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    path = cli_get(opts, n, "list");
    if (!cli_get_u64(opts, n, "index", 0, UINT64_MAX, &idx))
        return CLI_USAGE;
    if (!cl_status_parse_value(cli_get(opts, n, "value"), &value))
        return cli_usage_error(argv[0], "--value must be VALID, INVALID, SUSPENDED or 0..255");
    cl_arena_init(&a, 0, 0, 0);
    if (load_table(&a, path, &t, &err) != CL_OK ||
        cl_status_table_get(t, idx, &old, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    /* draft §7.1: INVALID "is irreversible" */
    if (old == CL_STATUS_INVALID && value != CL_STATUS_INVALID && !cli_flag(opts, n, "force")) {
        cl_fail(&err, CL_ERR_POLICY, "value",
                "entry %llu is INVALID, which is irreversible (--force overrides)",
                (unsigned long long)idx);
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (cl_status_table_set(t, idx, value, &err) != CL_OK || save_table(path, t, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (json)
        cli_print_json(json_pack("{s:I,s:i,s:s,s:i,s:s}", "index", (json_int_t)idx, "old", (int)old,
                                 "old_name", cl_status_name(old), "status", (int)value, "name",
                                 cl_status_name(value)));
    else
        printf("index %llu: %s -> %s\n", (unsigned long long)idx, cl_status_name(old),
               cl_status_name(value));
    rc = CLI_OK;
done:
    cl_status_table_free(t);
    cl_arena_fini(&a);
    return rc;
}

static int
status_alloc(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"list", "LIST.json", "the list file", true},
        {"json", NULL, "print {\"index\": N}", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_status_table *t = NULL;
    struct cl_arena a;
    struct cl_error err = {0};
    uint64_t idx;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless status alloc --list LIST.json\n"
                       "Print a fresh index chosen uniformly at random among the unused ones and\n"
                       "mark it used, so that indices do not link holders (draft §12.6).",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    cl_arena_init(&a, 0, 0, 0);
    if (load_table(&a, cli_get(opts, n, "list"), &t, &err) != CL_OK ||
        cl_status_alloc_index(t, &idx, &err) != CL_OK ||
        save_table(cli_get(opts, n, "list"), t, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (json)
        cli_print_json(json_pack("{s:I}", "index", (json_int_t)idx));
    else
        printf("%llu\n", (unsigned long long)idx);
    rc = CLI_OK;
done:
    cl_status_table_free(t);
    cl_arena_fini(&a);
    return rc;
}

static bool
parse_time(const char *cmd, const char *opt, const char *s, int64_t *out)
{
    struct cl_error err = {0};

    if (s == NULL)
        return true;
    if (cl_rfc3339_parse(cl_bytes_str(s), out, NULL, &err) != CL_OK) {
        cli_usage_error(cmd, "--%s must be an RFC 3339 date-time (2026-11-27T10:00:00Z)", opt);
        return false;
    }
    return true;
}

static int
status_sign(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"list", "LIST.json", "the list file", true},
        {"key", "KEY.pem", "the signer's private key (PEM or JWK)", true},
        {"uri", "URI", "where the token is published: its sub, the credentials' uri", true},
        {"format", "jwt|cwt", "statuslist+jwt or application/statuslist+cwt", true},
        {"out", "FILE", "the Status List Token", true},
        {"ttl", "S", "time to live: relying parties refetch after S seconds", false},
        {"x5c", "CERT.pem", "signer certificate chain, leaf first (x5c / x5chain)", false},
        {"valid-days", "N", "exp = iat + N days (default 1; 0: no exp)", false},
        {"iss", "URL", "issuer claim", false},
        {"iat", "RFC3339", "issued-at time (default now)", false},
        {"json", NULL, "print a summary as JSON", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_status_table *t = NULL;
    struct cl_status_sign_params sp = {0};
    struct cl_x509_list chain;
    struct cl_bytes *der = NULL, out = {NULL, 0}, text;
    struct cl_key *key = NULL;
    struct cl_arena a;
    struct cl_error err = {0};
    const char *fmt;
    uint64_t ttl = 0, days = 1;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless status sign --list LIST.json --key KEY.pem --uri URI\n"
                       "           --format jwt|cwt --out FILE [--ttl S] [--x5c CERT.pem]\n"
                       "           [--valid-days N] [--iss URL] [--iat RFC3339]\n"
                       "Sign the list as a Status List Token (draft-ietf-oauth-status-list).",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    fmt = cli_get(opts, n, "format");
    if (strcmp(fmt, "jwt") == 0)
        sp.format = CL_STATUS_JWT;
    else if (strcmp(fmt, "cwt") == 0)
        sp.format = CL_STATUS_CWT;
    else
        return cli_usage_error(argv[0], "--format must be jwt or cwt");
    if (!cli_get_u64(opts, n, "ttl", 1, 315576000, &ttl) ||
        !cli_get_u64(opts, n, "valid-days", 0, 3660, &days) ||
        !parse_time(argv[0], "iat", cli_get(opts, n, "iat"), &sp.iat))
        return CLI_USAGE;
    sp.uri = cli_get(opts, n, "uri");
    sp.iss = cli_get(opts, n, "iss");
    sp.ttl = (int64_t)ttl;
    if (sp.iat == 0)
        sp.iat = cl_now();
    sp.exp = days != 0 ? sp.iat + (int64_t)days * 86400 : 0;
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&chain);
    if (load_table(&a, cli_get(opts, n, "list"), &t, &err) != CL_OK ||
        cli_load_key(&a, cli_get(opts, n, "key"), true, &key, &err) != CL_OK)
        goto fail;
    if (cli_get(opts, n, "x5c") != NULL) {
        if (cli_read_file(&a, cli_get(opts, n, "x5c"), &text, &err) != CL_OK ||
            cl_x509_list_read(text, CL_LIMIT_X509_CHAIN, &chain, &err) != CL_OK) {
            cl_error_nest(&err, cli_get(opts, n, "x5c"));
            goto fail;
        }
        der = cl_arena_calloc(&a, chain.count, sizeof *der);
        if (der == NULL) {
            nomem(&err);
            goto fail;
        }
        for (size_t i = 0; i < chain.count; i++)
            der[i] = cl_x509_cert_der(chain.certs[i]);
        sp.x5c = der;
        sp.x5c_count = chain.count;
    }
    if (cl_status_token_sign(&a, t, key, &sp, &out, &err) != CL_OK ||
        cli_write_file(cli_get(opts, n, "out"), out, 0644, &err) != CL_OK)
        goto fail;
    if (json) {
        char iat[21], exp[21];

        cl_rfc3339_format(sp.iat, iat);
        cl_rfc3339_format(sp.exp, exp);
        cli_print_json(json_pack(
            "{s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:I}", "out", cli_get(opts, n, "out"), "format", fmt,
            "sub", sp.uri, "iat", iat, "exp", sp.exp ? json_string(exp) : json_null(), "ttl",
            sp.ttl ? json_integer(sp.ttl) : json_null(), "bits",
            (json_int_t)cl_status_table_bits(t), "size", (json_int_t)cl_status_table_size(t)));
    } else if (strcmp(cli_get(opts, n, "out"), "-") != 0) {
        printf("%s: status list token (%s, %zu bytes) for %s\n", cli_get(opts, n, "out"), fmt,
               out.len, sp.uri);
    }
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    cl_x509_list_fini(&chain);
    cl_status_table_free(t);
    cl_arena_fini(&a);
    return rc;
}

static int
status_get(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"token", "FILE", "the Status List Token (JWT or CWT, detected)", true},
        {"index", "I", "the credential's idx", true},
        {"key", "PUB.pem|PUB.jwk", "the list signer's public key", false},
        {"trust", "IACA.pem", "trusted IACA roots for the token's x5c / x5chain", false},
        {"uri", "URI", "the credential's uri: the token's sub must equal it", false},
        {"at", "RFC3339", "check at this time (default now)", false},
        {"leeway", "S", "seconds of clock skew for iat and exp (default 0)", false},
        {"allow-stale", NULL, "accept a token older than iat + ttl (reported)", false},
        {"json", NULL, "print {\"index\", \"status\", \"name\"}", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_status_trust trust = {0};
    struct cl_status_token tok;
    struct cl_x509_list anchors;
    struct cl_key *key = NULL;
    struct cl_bytes token, text;
    struct cl_arena a;
    struct cl_error err = {0};
    int64_t at = 0;
    uint64_t idx = 0, leeway = 0;
    unsigned value;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless status get --token FILE (--key PUB.pem|PUB.jwk | "
                       "--trust IACA.pem)\n"
                       "           --index I [--uri URI] [--at RFC3339] [--json]\n"
                       "Verify a Status List Token (signature, typ, sub, exp, ttl) and print the\n"
                       "status of one entry. Exit 1 when the token does not verify, is not for\n"
                       "URI, has expired or is stale, or the index is out of range.",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    if ((cli_get(opts, n, "key") == NULL) == (cli_get(opts, n, "trust") == NULL))
        return cli_usage_error(argv[0], "give exactly one of --key and --trust");
    if (!cli_get_u64(opts, n, "index", 0, UINT64_MAX, &idx) ||
        !cli_get_u64(opts, n, "leeway", 0, 86400, &leeway) ||
        !parse_time(argv[0], "at", cli_get(opts, n, "at"), &at))
        return CLI_USAGE;
    if (cli_get(opts, n, "at") == NULL)
        at = cl_now();
    trust.leeway = (int64_t)leeway;
    trust.flags = cli_flag(opts, n, "allow-stale") ? CL_STATUS_ALLOW_STALE : 0;
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&anchors);
    if (cli_get(opts, n, "key") != NULL) {
        if (cli_load_key(&a, cli_get(opts, n, "key"), false, &key, &err) != CL_OK)
            goto fail;
        trust.key = key;
    } else {
        if (cli_read_file(&a, cli_get(opts, n, "trust"), &text, &err) != CL_OK ||
            cl_x509_list_read(text, 64, &anchors, &err) != CL_OK) {
            cl_error_nest(&err, cli_get(opts, n, "trust"));
            goto fail;
        }
        trust.anchors = &anchors;
    }
    if (cli_read_file(&a, cli_get(opts, n, "token"), &token, &err) != CL_OK ||
        cl_status_token_parse_verify(&a, token, &trust, cli_get(opts, n, "uri"), at, NULL, &tok,
                                     &err) != CL_OK ||
        cl_status_list_get(&tok.list, idx, &value, &err) != CL_OK)
        goto fail;
    if (json) {
        json_t *o = json_pack("{s:I,s:i,s:s}", "index", (json_int_t)idx, "status", (int)value,
                              "name", cl_status_name(value));

        if (o != NULL) {
            json_object_set_new(o, "sub", json_string(tok.sub));
            json_object_set_new(o, "format",
                                json_string(tok.format == CL_STATUS_JWT ? "jwt" : "cwt"));
            json_object_set_new(o, "stale", json_boolean(tok.stale));
        }
        cli_print_json(o);
    } else {
        printf("%u %s\n", value, cl_status_name(value));
        if (tok.stale)
            fprintf(stderr, "%s: %s: warning: the token is stale (older than iat + ttl)\n",
                    CLI_PROG, argv[0]);
    }
    rc = CLI_OK;
    goto done;
fail:
    rc = cli_fail(argv[0], &err, json);
done:
    cl_x509_list_fini(&anchors);
    cl_arena_fini(&a);
    return rc;
}

static int
status_show(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"list", "LIST.json", "the list file", true},
        {"json", NULL, "print as JSON", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_status_table *t = NULL;
    struct cl_arena a;
    struct cl_error err = {0};
    uint64_t counts[256] = {0}, size;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless status show --list LIST.json\n"
                       "Summarise a list file: bits, size, allocated indices, entries by status.",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    cl_arena_init(&a, 0, 0, 0);
    if (load_table(&a, cli_get(opts, n, "list"), &t, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    size = cl_status_table_size(t);
    for (uint64_t i = 0; i < size; i++) {
        unsigned v = 0;

        if (cl_status_table_get(t, i, &v, NULL) == CL_OK)
            counts[v & 0xff]++;
    }
    if (json) {
        json_t *by = json_object();

        for (unsigned v = 0; v < 256; v++) {
            char k[8];

            if (counts[v] == 0)
                continue;
            snprintf(k, sizeof k, "%u", v);
            json_object_set_new(by, k, json_integer((json_int_t)counts[v]));
        }
        cli_print_json(json_pack("{s:I,s:I,s:I,s:o}", "bits", (json_int_t)cl_status_table_bits(t),
                                 "size", (json_int_t)size, "used",
                                 (json_int_t)cl_status_table_used(t), "statuses", by));
    } else {
        printf("bits %u, size %llu, allocated %llu\n", cl_status_table_bits(t),
               (unsigned long long)size, (unsigned long long)cl_status_table_used(t));
        for (unsigned v = 0; v < 256; v++)
            if (counts[v] != 0)
                printf("  %-20s %llu\n", cl_status_name(v), (unsigned long long)counts[v]);
    }
    rc = CLI_OK;
done:
    cl_status_table_free(t);
    cl_arena_fini(&a);
    return rc;
}

static const struct cli_verb status_verbs[] = {
    {"new", "create a status list file (LIST.json)", status_new},
    {"set", "set an entry: VALID, INVALID, SUSPENDED or a number", status_set},
    {"alloc", "allocate a random unused index for a new credential", status_alloc},
    {"sign", "sign the list as a Status List Token (JWT or CWT)", status_sign},
    {"get", "verify a Status List Token and print one entry's status", status_get},
    {"show", "summarise a list file", status_show},
};

const struct cli_noun cli_noun_status = {"status",
                                         "token status lists: revoke and suspend credentials",
                                         status_verbs, CL_ARRAY_LEN(status_verbs)};
