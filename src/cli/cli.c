/* cli.c - option parsing, help, errors and files for the `cardless` commands. */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardless/catalog.h"
#include "cardless/limits.h"
#include "cardless/time.h"
#include "cardless/x509.h"

#include "base/banned.h"

static void
print_usage(FILE *f, const char *usage, const struct cli_opt *opts, size_t nopts)
{
    fprintf(f, "%s\n", usage);
    if (nopts == 0)
        return;
    fprintf(f, "\nOptions:\n");
    for (size_t i = 0; i < nopts; i++) {
        char left[64];

        snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
                 opts[i].arg ? opts[i].arg : "");
        fprintf(f, "  %-28s %s%s\n", left, opts[i].help, opts[i].required ? " (required)" : "");
    }
    fprintf(f, "  %-28s %s\n", "--help", "show this help");
}

struct cli_opt *
cli_opt(struct cli_opt *opts, size_t nopts, const char *name)
{
    for (size_t i = 0; i < nopts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return &opts[i];
    return NULL;
}

const char *
cli_get(struct cli_opt *opts, size_t nopts, const char *name)
{
    struct cli_opt *o = cli_opt(opts, nopts, name);

    return o != NULL ? o->value : NULL;
}

bool
cli_flag(struct cli_opt *opts, size_t nopts, const char *name)
{
    return cli_get(opts, nopts, name) != NULL;
}

int
cli_parse(int argc, char **argv, const char *usage, struct cli_opt *opts, size_t nopts,
          const char **positional, size_t *npositional)
{
    size_t npos = 0, maxpos = npositional != NULL ? *npositional : 0;
    const char *cmd = argv[0];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *eq;
        struct cli_opt *o = NULL;
        size_t namelen;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_usage(stdout, usage, opts, nopts);
            return -1;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (npos >= maxpos)
                return cli_usage_error(cmd, "unexpected argument '%s' (see --help)", a);
            positional[npos++] = a;
            continue;
        }
        eq = strchr(a + 2, '=');
        namelen = eq != NULL ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        for (size_t k = 0; k < nopts; k++)
            if (strlen(opts[k].name) == namelen && strncmp(opts[k].name, a + 2, namelen) == 0)
                o = &opts[k];
        if (o == NULL)
            return cli_usage_error(cmd, "unknown option '%.*s' (see --help)", (int)namelen + 2, a);
        if (o->arg == NULL) {
            if (eq != NULL)
                return cli_usage_error(cmd, "option --%s takes no value", o->name);
            o->value = "1";
            continue;
        }
        if (eq != NULL) {
            o->value = eq + 1;
        } else {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "option --%s needs %s", o->name, o->arg);
            o->value = argv[++i];
        }
        if (o->nvalues > 0 && !o->repeat)
            return cli_usage_error(cmd, "option --%s given twice", o->name);
        if (o->nvalues >= sizeof o->values / sizeof o->values[0])
            return cli_usage_error(cmd, "option --%s given too many times", o->name);
        o->values[o->nvalues++] = o->value;
    }
    for (size_t k = 0; k < nopts; k++)
        if (opts[k].required && opts[k].value == NULL)
            return cli_usage_error(cmd, "missing --%s %s (see --help)", opts[k].name,
                                   opts[k].arg ? opts[k].arg : "");
    if (npositional != NULL)
        *npositional = npos;
    return CLI_OK;
}

bool
cli_get_u64(struct cli_opt *opts, size_t nopts, const char *name, uint64_t min, uint64_t max,
            uint64_t *out)
{
    const char *s = cli_get(opts, nopts, name);
    uint64_t v = 0;

    if (s == NULL)
        return true;
    if (*s == '\0')
        goto bad;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
            goto bad;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v < min || v > max)
        goto bad;
    *out = v;
    return true;
bad:
    fprintf(stderr, "%s: --%s must be a whole number from %llu to %llu\n", CLI_PROG, name,
            (unsigned long long)min, (unsigned long long)max);
    return false;
}

int
cli_dispatch_verbs(const struct cli_noun *noun, int argc, char **argv)
{
    char path[128];

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        FILE *f = argc < 2 ? stderr : stdout;

        fprintf(f, "Usage: %s %s <verb> [options]\n%s\n\nVerbs:\n", CLI_PROG, noun->name,
                noun->summary);
        for (size_t i = 0; i < noun->nverbs; i++)
            fprintf(f, "  %-14s %s\n", noun->verbs[i].name, noun->verbs[i].summary);
        fprintf(f, "\nRun '%s %s <verb> --help' for the verb's options.\n", CLI_PROG, noun->name);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < noun->nverbs; i++) {
        if (strcmp(argv[1], noun->verbs[i].name) == 0) {
            snprintf(path, sizeof path, "%s %s", noun->name, noun->verbs[i].name);
            argv[1] = path;
            return noun->verbs[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "%s: %s: unknown verb '%s' (see '%s %s --help')\n", CLI_PROG, noun->name,
            argv[1], CLI_PROG, noun->name);
    return CLI_USAGE;
}

int
cli_fail(const char *cmd, const struct cl_error *err, bool json)
{
    cl_err code = err->code != CL_OK ? err->code : CL_ERR_INTERNAL;

    if (err->where[0] != '\0')
        fprintf(stderr, "%s: %s: %s: %s\n", CLI_PROG, cmd, err->where, err->msg);
    else
        fprintf(stderr, "%s: %s: %s\n", CLI_PROG, cmd, err->msg);
    if (json) {
        json_t *o = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", cl_err_name(code), "where",
                              err->where, "message", err->msg);

        if (o != NULL)
            cli_print_json(o);
    }
    return cl_err_exit_code(code);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: %s: ", CLI_PROG, cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_USAGE;
}

cl_err
cli_read_file(struct cl_arena *a, const char *path, struct cl_bytes *out, struct cl_error *err)
{
    struct cl_buf b;
    cl_err rc;

    cl_buf_init(&b);
    if (strcmp(path, "-") == 0) {
        uint8_t chunk[65536];
        size_t n;

        rc = CL_OK;
        while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
            if (b.len + n > CL_LIMIT_FILE_MAX) {
                rc = cl_fail(err, CL_ERR_TOO_LARGE, "stdin", "input larger than %zu bytes",
                             CL_LIMIT_FILE_MAX);
                break;
            }
            cl_buf_append(&b, chunk, n);
        }
        if (rc == CL_OK)
            rc = cl_buf_check(&b, "stdin", err);
    } else {
        rc = cl_file_read(path, CL_LIMIT_FILE_MAX, &b, err);
    }
    if (rc == CL_OK) {
        *out = cl_arena_copy(a, cl_buf_bytes(&b));
        if (out->ptr == NULL)
            rc = cl_fail(err, CL_ERR_NOMEM, path, "out of memory");
    }
    cl_buf_fini(&b);
    return rc;
}

cl_err
cli_write_file(const char *path, struct cl_bytes data, unsigned mode, struct cl_error *err)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data.ptr, 1, data.len, stdout) != data.len || fflush(stdout) != 0)
            return cl_fail(err, CL_ERR_IO, "stdout", "cannot write");
        return CL_OK;
    }
    return cl_file_write(path, data, mode, err);
}

void
cli_print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

    if (s != NULL) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(v);
}

static void
free_catalog(void *p)
{
    cl_catalog_free(p);
}

cl_err
cli_load_catalog(struct cl_arena *a, const char *dir, struct cl_catalog **out, struct cl_error *err)
{
    struct cl_catalog *cat = NULL;
    cl_err rc;

    if (dir == NULL)
        dir = getenv("CL_TYPES_DIR");
    if (dir == NULL)
        dir = "data/types";
    if ((rc = cl_catalog_new(NULL, &cat, err)) != CL_OK)
        return rc;
    if (cl_arena_defer(a, free_catalog, cat) != CL_OK) {
        cl_catalog_free(cat);
        return cl_fail(err, CL_ERR_NOMEM, "catalog", "out of memory");
    }
    rc = cl_catalog_load_dir(cat, dir, err);
    if (rc == CL_OK)
        *out = cat;
    return rc;
}

cl_err
cli_parse_time(const char *s, const char *what, int64_t *t, struct cl_error *err)
{
    cl_err rc = cl_rfc3339_parse(cl_bytes_str(s), t, NULL, err);

    if (rc != CL_OK)
        cl_error_nest(err, what);
    return rc;
}

cl_err
cli_read_certs(struct cl_arena *a, const char *path, struct cl_x509_list *list,
               struct cl_error *err)
{
    struct cl_bytes data;
    cl_err rc = cli_read_file(a, path, &data, err);

    if (rc == CL_OK && (rc = cl_x509_list_read(data, CL_LIMIT_X509_CHAIN, list, err)) != CL_OK)
        cl_error_nest(err, path);
    return rc;
}

void
cli_print_problems(const char *cmd, const struct cl_catalog_report *rep, bool json)
{
    /* name every offending claim, not just the first */
    for (size_t i = 0; i < rep->nproblems; i++)
        fprintf(stderr, "%s: %s: %s: %s\n", CLI_PROG, cmd, rep->problems[i].path,
                rep->problems[i].msg);
    if (json) {
        json_t *arr = json_array();

        for (size_t i = 0; i < rep->nproblems; i++)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "path", rep->problems[i].path,
                                                 "code", cl_err_name(rep->problems[i].code),
                                                 "message", rep->problems[i].msg));
        cli_print_json(json_pack("{s:b,s:o}", "ok", 0, "problems", arr));
    }
}
