/*
 * cli.h - what the `cardless` commands share: option parsing, --help at every level, one-line
 * errors on stderr, --json output, exit codes (0 ok, 1 verification failed or input invalid,
 * 2 usage or I/O error).
 */
#ifndef CARDLESS_CLI_H
#define CARDLESS_CLI_H

#include <jansson.h>

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/error.h"

enum {
    CLI_OK = 0,
    CLI_INVALID = 1, /* a verification failed or input data was invalid */
    CLI_USAGE = 2,   /* usage or I/O error */
};

struct cli_opt {
    const char *name; /* "out" for --out */
    const char *arg;  /* name of the argument ("FILE"), NULL for a flag */
    const char *help; /* one line */
    bool required;
    bool repeat; /* may be given more than once: values collected in values[] */
    /* results */
    const char *value; /* last value, or "1" for a flag that was given */
    const char *values[16];
    size_t nvalues;
};

struct cli_verb {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

struct cli_noun {
    const char *name;
    const char *summary;
    const struct cli_verb *verbs;
    size_t nverbs;
};

/* The program name used in messages. */
#define CLI_PROG "cardless"

/**
 * Parse argv (argv[0] is the verb path, e.g. "key new") against opts. Prints usage and
 * returns -1 for --help (the caller exits 0); prints one error line and returns CLI_USAGE for
 * an unknown option, a missing argument or a missing required option; else CLI_OK.
 * positional, when not NULL, receives non-option arguments (up to *npositional on entry).
 */
int cli_parse(int argc, char **argv, const char *usage, struct cli_opt *opts, size_t nopts,
              const char **positional, size_t *npositional);

/** The option named name, as parsed. */
struct cli_opt *cli_opt(struct cli_opt *opts, size_t nopts, const char *name);
/** Its value or NULL. */
const char *cli_get(struct cli_opt *opts, size_t nopts, const char *name);
bool cli_flag(struct cli_opt *opts, size_t nopts, const char *name);
/** Parse an unsigned decimal option value; prints an error and returns false when bad. */
bool cli_get_u64(struct cli_opt *opts, size_t nopts, const char *name, uint64_t min, uint64_t max,
                 uint64_t *out);

/** Dispatch a noun's verbs: `cardless NOUN VERB ...`, with --help and a list of verbs. */
int cli_dispatch_verbs(const struct cli_noun *noun, int argc, char **argv);

/**
 * Report a failure: one line "cardless: <cmd>: <where>: <msg>" on stderr and, when json is
 * true, {"error": {"code", "where", "message"}} on stdout. Returns the exit code for err.
 */
int cli_fail(const char *cmd, const struct cl_error *err, bool json);
/** A usage error: one line on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Read a whole file (limit CL_LIMIT_FILE_MAX) into the arena; "-" is standard input. */
cl_err cli_read_file(struct cl_arena *a, const char *path, struct cl_bytes *out,
                     struct cl_error *err);
/** Write a file atomically; "-" is standard output. */
cl_err cli_write_file(const char *path, struct cl_bytes data, unsigned mode, struct cl_error *err);

struct cl_key;
/** Read a key file (PEM private/public, or a JWK) and tie it to the arena. */
cl_err cli_load_key(struct cl_arena *a, const char *path, bool need_private, struct cl_key **out,
                    struct cl_error *err);

struct cl_catalog;
/**
 * Load the credential types in dir (NULL: $CL_TYPES_DIR, else data/types) into a catalog
 * freed with the arena.
 */
cl_err cli_load_catalog(struct cl_arena *a, const char *dir, struct cl_catalog **out,
                        struct cl_error *err);
struct cl_catalog_report;
/**
 * Report claims that do not fit their credential type: one line "cardless: <cmd>: <path>:
 * <msg>" per problem on stderr and, when json is true, {"ok": false, "problems": [{"path",
 * "code", "message"}]} on stdout.
 */
void cli_print_problems(const char *cmd, const struct cl_catalog_report *rep, bool json);

/** Parse an RFC 3339 date-time given as option --what; a failure is nested under what. */
cl_err cli_parse_time(const char *s, const char *what, int64_t *t, struct cl_error *err);

struct cl_x509_list;
/** Append the PEM certificates of a file (at most CL_LIMIT_X509_CHAIN) to list. */
cl_err cli_read_certs(struct cl_arena *a, const char *path, struct cl_x509_list *list,
                      struct cl_error *err);

/** Print a JSON value on stdout, indented, with a newline; steals the reference. */
void cli_print_json(json_t *v);

#endif /* CARDLESS_CLI_H */
