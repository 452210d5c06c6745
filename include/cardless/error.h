/*
 * cardless/error.h - the one error type: a code from enum cl_err and a message naming what
 * was wrong and where. Library code fills a struct cl_error and returns the code; it never
 * prints and never exits. The CLI maps 1xx-2xx to exit 1 and everything else to exit 2.
 */
#ifndef CARDLESS_ERROR_H
#define CARDLESS_ERROR_H

#include "cardless/defs.h"
CL_BEGIN_DECLS

/* Values are ABI: append, never renumber or reuse. */
enum cl_err_code {
    CL_OK = 0,
    /* 1xx: input malformed or over a limit */
    CL_ERR_INPUT = 100,       /* malformed input, wrong type or shape */
    CL_ERR_TRUNCATED = 101,   /* input ends before the structure does */
    CL_ERR_TOO_LARGE = 102,   /* over a size, count or depth limit */
    CL_ERR_ENCODING = 103,    /* bad base64url, hex, UTF-8 or non-canonical form */
    CL_ERR_UNSUPPORTED = 104, /* well formed, but an algorithm/curve/version we do not do */
    CL_ERR_DUPLICATE = 105,   /* a key or item that must be unique appears twice */
    CL_ERR_MISSING = 106,     /* a required field is absent */
    /* 2xx: well formed but does not verify */
    CL_ERR_SIGNATURE = 200, /* a signature or MAC does not verify */
    CL_ERR_DIGEST = 201,    /* a digest does not match */
    CL_ERR_EXPIRED = 202,   /* outside its validity period (expired or not yet valid) */
    CL_ERR_UNTRUSTED = 203, /* no chain to a trust anchor, or wrong certificate profile */
    CL_ERR_POLICY = 204,    /* valid cryptographically, refused by a rule (aud, nonce, ...) */
    CL_ERR_REVOKED = 205,   /* revoked or suspended */
    /* 3xx: usage and I/O */
    CL_ERR_USAGE = 300, /* a caller passed an argument that makes no sense */
    CL_ERR_IO = 301,    /* a file or socket could not be read or written */
    CL_ERR_NOT_FOUND = 302,
    /* 4xx: memory and internal */
    CL_ERR_NOMEM = 400,
    CL_ERR_CRYPTO = 401,   /* the crypto library failed for a reason other than bad input */
    CL_ERR_INTERNAL = 402, /* a bug of ours */
};
typedef int cl_err;

#define CL_ERROR_WHERE_MAX 96
#define CL_ERROR_MSG_MAX 224

struct cl_error {
    cl_err code;
    char where[CL_ERROR_WHERE_MAX]; /* path in the input: "disclosures[3]", "offset 17" */
    char msg[CL_ERROR_MSG_MAX];     /* one lower-case sentence, problem first */
};

/**
 * Record a failure in *err (when err is not NULL and holds no earlier failure: the first
 * failure wins) and return code, so that `return cl_fail(err, ...)` reads as one step.
 * @param where  path in the input, or NULL
 * @param fmt    printf format of the message; name fields, never personal values
 */
CL_API cl_err cl_fail(struct cl_error *err, cl_err code, const char *where, const char *fmt, ...)
    CL_PRINTF(4, 5);

/** Like cl_fail but replaces whatever *err held. */
CL_API cl_err cl_fail_over(struct cl_error *err, cl_err code, const char *where, const char *fmt,
                           ...) CL_PRINTF(4, 5);

/** Prefix err->where with `outer` and a dot or bracket, as a caller nests a failure. */
CL_API void cl_error_nest(struct cl_error *err, const char *outer);

/** Reset *err to "no error". */
CL_API void cl_error_clear(struct cl_error *err);

/** Name of a code ("input", "signature", ...); "unknown" for values not in the enum. */
CL_API const char *cl_err_name(cl_err code);

/** 1 for input and verification failures (1xx, 2xx), 2 for everything else; 0 for CL_OK. */
CL_API int cl_err_exit_code(cl_err code);

/** Format "where: msg" (or "msg") into out; returns out. */
CL_API const char *cl_error_str(const struct cl_error *err, char *out, size_t outlen);

CL_END_DECLS
#endif /* CARDLESS_ERROR_H */
