/*
 * cmd_ca.c - `cardless ca init|show|verify`: a national IACA root and a Document Signer
 * following ISO/IEC 18013-5 Annex B, and checking certificates against trust anchors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cardless/crypto.h"
#include "cardless/limits.h"
#include "cardless/time.h"
#include "cardless/x509.h"
#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

/* A certificate as JSON: subject, issuer, serial, validity, CA or not. */
static json_t *
cert_json(struct cl_arena *a, const struct cl_x509_cert *c, struct cl_error *err)
{
    const char *subject, *issuer, *serial;
    int64_t nb, na;
    char nbs[21], nas[21];

    if (cl_x509_cert_subject(a, c, &subject, err) != CL_OK ||
        cl_x509_cert_issuer(a, c, &issuer, err) != CL_OK ||
        cl_x509_cert_serial_hex(a, c, &serial, err) != CL_OK ||
        cl_x509_cert_validity(c, &nb, &na, err) != CL_OK)
        return NULL;
    cl_rfc3339_format(nb, nbs);
    cl_rfc3339_format(na, nas);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "subject", subject, "issuer", issuer, "serial",
                     serial, "not_before", nbs, "not_after", nas, "ca", cl_x509_is_ca(c));
}

static void
print_cert(const char *label, json_t *j)
{
    printf("%s\n  subject    %s\n  issuer     %s\n  serial     %s\n  valid      %s .. %s\n", label,
           json_string_value(json_object_get(j, "subject")),
           json_string_value(json_object_get(j, "issuer")),
           json_string_value(json_object_get(j, "serial")),
           json_string_value(json_object_get(j, "not_before")),
           json_string_value(json_object_get(j, "not_after")));
}

static cl_err
write_pem_cert(const char *dir, const char *name, const struct cl_x509_cert *c,
               struct cl_error *err)
{
    char path[4096];
    struct cl_buf pem;
    cl_err rc;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    cl_buf_init(&pem);
    rc = cl_x509_cert_to_pem(c, &pem, err);
    if (rc == CL_OK)
        rc = cl_file_write(path, cl_buf_bytes(&pem), 0644, err);
    cl_buf_fini(&pem);
    return rc;
}

static cl_err
write_pem_key(const char *dir, const char *name, const struct cl_key *k, struct cl_error *err)
{
    char path[4096];
    struct cl_buf pem;
    cl_err rc;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    cl_buf_init_ex(&pem, CL_LIMIT_PEM_MAX, true);
    rc = cl_key_to_pem_private(k, &pem, err);
    if (rc == CL_OK)
        rc = cl_file_write(path, cl_buf_bytes(&pem), 0600, err);
    cl_buf_fini(&pem);
    return rc;
}

static bool
valid_country(const char *c)
{
    return strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
}

static int
ca_init(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"out", "DIR", "directory for iaca.pem, iaca.key.pem, ds.pem, ds.key.pem", true},
        {"country", "CC", "ISO 3166-1 alpha-2 country code, upper case (KR)", true},
        {"name", "NAME", "common name of the IACA root", true},
        {"ds-name", "NAME", "common name of the document signer (default: NAME DS)", false},
        {"state", "ST", "stateOrProvinceName for both certificates", false},
        {"org", "ORG", "organizationName for both certificates", false},
        {"alt-uri", "URI", "issuerAlternativeName URI (a real CA sets its own)", false},
        {"crl-uri", "URI", "CRL distribution point URI (a real CA sets its own)", false},
        {"iaca-days", "N", "IACA validity in days (default 3650, at most 7305)", false},
        {"ds-days", "N", "DS validity in days (default 365, at most 457)", false},
        {"json", NULL, "print the two certificates as JSON", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_key *iaca_key = NULL, *ds_key = NULL;
    struct cl_x509_cert *iaca = NULL, *ds = NULL;
    struct cl_x509_params pi, pd;
    const char *dir, *country, *name, *ds_name;
    uint64_t iaca_days = 3650, ds_days = 365;
    json_t *ji = NULL, *jd = NULL;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless ca init --out DIR --country KR --name NAME [options]\n"
                       "Create a national IACA root and a Document Signer certificate with their\n"
                       "P-256 keys, following the ISO/IEC 18013-5 Annex B profiles.",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    dir = cli_get(opts, n, "out");
    country = cli_get(opts, n, "country");
    name = cli_get(opts, n, "name");
    json = cli_flag(opts, n, "json");
    if (!valid_country(country))
        return cli_usage_error(argv[0], "--country must be two upper-case letters (KR)");
    if (!cli_get_u64(opts, n, "iaca-days", 1, CL_X509_IACA_DAYS_MAX, &iaca_days) ||
        !cli_get_u64(opts, n, "ds-days", 1, CL_X509_DS_DAYS_MAX, &ds_days))
        return CLI_USAGE;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return cli_usage_error(argv[0], "cannot create %s: %s", dir, strerror(errno));

    cl_arena_init(&a, 0, 0, 0);
    ds_name = cli_get(opts, n, "ds-name");
    if (ds_name == NULL)
        ds_name = cl_arena_printf(&a, "%s DS", name);
    cl_x509_params_iaca(&pi);
    pi.country = country;
    pi.common_name = name;
    pi.state = cli_get(opts, n, "state");
    pi.organization = cli_get(opts, n, "org");
    if (cli_get(opts, n, "alt-uri") != NULL)
        pi.alt_uri = cli_get(opts, n, "alt-uri");
    if (cli_get(opts, n, "crl-uri") != NULL)
        pi.crl_uri = cli_get(opts, n, "crl-uri");
    pi.days = (uint32_t)iaca_days;
    cl_x509_params_ds(&pd);
    pd.country = country;
    pd.common_name = ds_name;
    pd.state = pi.state;
    pd.organization = pi.organization;
    pd.days = (uint32_t)ds_days;

    if (ds_name == NULL || cl_key_generate(CL_CURVE_P256, &iaca_key, &err) != CL_OK ||
        cl_key_defer(&a, iaca_key, &err) != CL_OK ||
        cl_key_generate(CL_CURVE_P256, &ds_key, &err) != CL_OK ||
        cl_key_defer(&a, ds_key, &err) != CL_OK ||
        cl_x509_iaca_make(&pi, iaca_key, &iaca, &err) != CL_OK ||
        cl_x509_ds_make(&pd, iaca, iaca_key, ds_key, &ds, &err) != CL_OK ||
        write_pem_key(dir, "iaca.key.pem", iaca_key, &err) != CL_OK ||
        write_pem_cert(dir, "iaca.pem", iaca, &err) != CL_OK ||
        write_pem_key(dir, "ds.key.pem", ds_key, &err) != CL_OK ||
        write_pem_cert(dir, "ds.pem", ds, &err) != CL_OK ||
        (ji = cert_json(&a, iaca, &err)) == NULL || (jd = cert_json(&a, ds, &err)) == NULL) {
        if (err.code == CL_OK)
            cl_fail(&err, CL_ERR_NOMEM, NULL, "out of memory");
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (json) {
        cli_print_json(json_pack("{s:s,s:O,s:O}", "dir", dir, "iaca", ji, "ds", jd));
    } else {
        print_cert("IACA root (iaca.pem, key iaca.key.pem)", ji);
        print_cert("Document signer (ds.pem, key ds.key.pem)", jd);
    }
    rc = CLI_OK;
done:
    json_decref(ji);
    json_decref(jd);
    cl_x509_cert_free(iaca);
    cl_x509_cert_free(ds);
    cl_arena_fini(&a);
    return rc;
}

static int
ca_show(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"in", "CERT.pem", "PEM file with one or more certificates, or one DER certificate", true},
        {"json", NULL, "print a JSON array", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_x509_list list;
    struct cl_bytes data;
    json_t *arr = NULL;
    bool json;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless ca show --in CERT.pem [--json]\n"
                       "Show the subject, issuer, serial and validity of certificates.",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&list);
    arr = json_array();
    if (cli_read_file(&a, cli_get(opts, n, "in"), &data, &err) != CL_OK ||
        cl_x509_list_read(data, 64, &list, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    for (size_t i = 0; i < list.count; i++) {
        json_t *j = cert_json(&a, list.certs[i], &err);

        if (j == NULL) {
            rc = cli_fail(argv[0], &err, json);
            goto done;
        }
        if (!json) {
            char label[32];

            snprintf(label, sizeof label, "certificate %zu", i);
            print_cert(label, j);
        }
        json_array_append_new(arr, j);
    }
    if (json) {
        cli_print_json(arr);
        arr = NULL;
    }
    rc = CLI_OK;
done:
    json_decref(arr);
    cl_x509_list_fini(&list);
    cl_arena_fini(&a);
    return rc;
}

static int
ca_verify(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"trust", "IACA.pem", "a trusted IACA root (repeatable)", true, true},
        {"cert", "DS.pem", "the document signer certificate, then any intermediates", true},
        {"at", "RFC3339", "check at this time instead of now", false},
        {"json", NULL, "print {\"valid\", \"anchor\", \"errors\"} as JSON", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_x509_list chain, anchors;
    const struct cl_x509_cert *anchor = NULL;
    struct cl_bytes data;
    const char *at_s, *anchor_subject = NULL;
    int64_t at = cl_now();
    bool json;
    cl_err vrc;
    struct cli_opt *trust;
    int rc = cli_parse(argc, argv,
                       "Usage: cardless ca verify --trust IACA.pem --cert DS.pem [--at RFC3339]\n"
                       "Validate a document signer chain to trusted IACA roots and check the\n"
                       "ISO/IEC 18013-5 Annex B DS profile.",
                       opts, n, NULL, NULL);

    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    at_s = cli_get(opts, n, "at");
    if (at_s != NULL && cl_rfc3339_parse(cl_bytes_str(at_s), &at, NULL, &err) != CL_OK)
        return cli_usage_error(argv[0], "--at: %s", err.msg);
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&chain);
    cl_x509_list_init(&anchors);
    trust = cli_opt(opts, n, "trust");
    for (size_t i = 0; i < trust->nvalues; i++) {
        if (cli_read_file(&a, trust->values[i], &data, &err) != CL_OK ||
            cl_x509_list_read(data, 64, &anchors, &err) != CL_OK) {
            rc = cli_fail(argv[0], &err, json);
            goto done;
        }
    }
    if (cli_read_file(&a, cli_get(opts, n, "cert"), &data, &err) != CL_OK ||
        cl_x509_list_read(data, CL_LIMIT_X509_CHAIN, &chain, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    vrc = cl_x509_chain_verify(&chain, &anchors, at, &anchor, &err);
    if (vrc == CL_OK)
        vrc = cl_x509_ds_check(chain.certs[0], anchor, &err);
    if (vrc == CL_OK && cl_x509_cert_subject(&a, anchor, &anchor_subject, &err) != CL_OK)
        vrc = err.code;
    if (json) {
        json_t *errors = json_array();

        if (vrc != CL_OK) {
            char line[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

            json_array_append_new(errors,
                                  json_pack("{s:s,s:s}", "code", cl_err_name(vrc), "message",
                                            cl_error_str(&err, line, sizeof line)));
        }
        cli_print_json(json_pack("{s:b,s:s?,s:o}", "valid", vrc == CL_OK, "anchor", anchor_subject,
                                 "errors", errors));
    } else if (vrc == CL_OK) {
        printf("valid: chains to %s\n", anchor_subject);
    }
    if (vrc != CL_OK) {
        if (!json)
            (void)cli_fail(argv[0], &err, false);
        else {
            char line[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

            fprintf(stderr, "%s: %s: %s\n", CLI_PROG, argv[0],
                    cl_error_str(&err, line, sizeof line));
        }
    }
    rc = vrc == CL_OK ? CLI_OK : cl_err_exit_code(vrc);
done:
    cl_x509_list_fini(&chain);
    cl_x509_list_fini(&anchors);
    cl_arena_fini(&a);
    return rc;
}

static const struct cli_verb ca_verbs[] = {
    {"init", "create an IACA root and a document signer (ISO 18013-5 Annex B)", ca_init},
    {"show", "show certificates", ca_show},
    {"verify", "validate a document signer to trusted IACA roots", ca_verify},
};

const struct cli_noun cli_noun_ca = {"ca", "IACA roots and document signer certificates", ca_verbs,
                                     CL_ARRAY_LEN(ca_verbs)};
