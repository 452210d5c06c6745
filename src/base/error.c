/* error.c - the one error type: record the first failure with where and why, name codes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cardless/error.h"

#include "base/banned.h"

static void fill(struct cl_error *err, cl_err code, const char *where, const char *fmt, va_list ap)
    CL_PRINTF(4, 0);

static void
fill(struct cl_error *err, cl_err code, const char *where, const char *fmt, va_list ap)
{
    err->code = code;
    if (where != NULL)
        snprintf(err->where, sizeof err->where, "%s", where);
    else
        err->where[0] = '\0';
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

cl_err
cl_fail(struct cl_error *err, cl_err code, const char *where, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err->code != CL_OK)
        return code;
    va_start(ap, fmt);
    fill(err, code, where, fmt, ap);
    va_end(ap);
    return code;
}

cl_err
cl_fail_over(struct cl_error *err, cl_err code, const char *where, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    va_start(ap, fmt);
    fill(err, code, where, fmt, ap);
    va_end(ap);
    return code;
}

void
cl_error_nest(struct cl_error *err, const char *outer)
{
    char tmp[CL_ERROR_WHERE_MAX];

    if (err == NULL || outer == NULL || outer[0] == '\0')
        return;
    if (err->where[0] == '\0')
        snprintf(tmp, sizeof tmp, "%s", outer);
    else if (err->where[0] == '[')
        snprintf(tmp, sizeof tmp, "%s%s", outer, err->where);
    else
        snprintf(tmp, sizeof tmp, "%s.%s", outer, err->where);
    memcpy(err->where, tmp, sizeof tmp);
}

void
cl_error_clear(struct cl_error *err)
{
    if (err == NULL)
        return;
    err->code = CL_OK;
    err->where[0] = '\0';
    err->msg[0] = '\0';
}

const char *
cl_err_name(cl_err code)
{
    switch (code) {
    case CL_OK:
        return "ok";
    case CL_ERR_INPUT:
        return "input";
    case CL_ERR_TRUNCATED:
        return "truncated";
    case CL_ERR_TOO_LARGE:
        return "too_large";
    case CL_ERR_ENCODING:
        return "encoding";
    case CL_ERR_UNSUPPORTED:
        return "unsupported";
    case CL_ERR_DUPLICATE:
        return "duplicate";
    case CL_ERR_MISSING:
        return "missing";
    case CL_ERR_SIGNATURE:
        return "signature";
    case CL_ERR_DIGEST:
        return "digest";
    case CL_ERR_EXPIRED:
        return "expired";
    case CL_ERR_UNTRUSTED:
        return "untrusted";
    case CL_ERR_POLICY:
        return "policy";
    case CL_ERR_REVOKED:
        return "revoked";
    case CL_ERR_USAGE:
        return "usage";
    case CL_ERR_IO:
        return "io";
    case CL_ERR_NOT_FOUND:
        return "not_found";
    case CL_ERR_NOMEM:
        return "nomem";
    case CL_ERR_CRYPTO:
        return "crypto";
    case CL_ERR_INTERNAL:
        return "internal";
    default:
        return "unknown";
    }
}

int
cl_err_exit_code(cl_err code)
{
    if (code == CL_OK)
        return 0;
    if (code >= 100 && code < 300)
        return 1;
    return 2;
}

const char *
cl_error_str(const struct cl_error *err, char *out, size_t outlen)
{
    if (outlen == 0)
        return out;
    if (err == NULL || err->code == CL_OK)
        snprintf(out, outlen, "no error");
    else if (err->where[0] != '\0')
        snprintf(out, outlen, "%s: %s", err->where, err->msg);
    else
        snprintf(out, outlen, "%s", err->msg);
    return out;
}
