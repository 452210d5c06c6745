/* bytes.c - byte views, the latching growable buffer, and whole-file reads and writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cardless/alloc.h"
#include "cardless/bytes.h"

#include "base/banned.h"

bool
cl_bytes_eq(struct cl_bytes a, struct cl_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool
cl_bytes_eq_str(struct cl_bytes a, const char *s)
{
    return cl_bytes_eq(a, cl_bytes_str(s));
}

void
cl_buf_init(struct cl_buf *b)
{
    cl_buf_init_ex(b, CL_BUF_MAX_DEFAULT, false);
}

void
cl_buf_init_ex(struct cl_buf *b, size_t max, bool secret)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->err = CL_OK;
    b->secret = secret;
}

void
cl_buf_fini(struct cl_buf *b)
{
    if (b->ptr != NULL && b->secret)
        cl_wipe(b->ptr, b->cap);
    cl_free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = CL_OK;
}

void
cl_buf_reset(struct cl_buf *b)
{
    if (b->ptr != NULL && b->secret)
        cl_wipe(b->ptr, b->len);
    b->len = 0;
    b->err = CL_OK;
}

void
cl_buf_set_err(struct cl_buf *b, cl_err code)
{
    if (b->err == CL_OK)
        b->err = code;
}

/* Make room for n more bytes plus a NUL, so cl_buf_take can always terminate. */
static bool
grow(struct cl_buf *b, size_t n)
{
    size_t need, cap;
    uint8_t *p;

    if (b->err != CL_OK)
        return false;
    if (n > b->max - b->len || b->len + n > b->max) {
        b->err = CL_ERR_TOO_LARGE;
        return false;
    }
    need = b->len + n + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap != 0 ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (b->secret) { /* never leave a copy of a secret behind in freed memory */
        p = cl_malloc(cap);
        if (p != NULL && b->ptr != NULL) {
            memcpy(p, b->ptr, b->len);
            cl_wipe(b->ptr, b->cap);
            cl_free(b->ptr);
        }
    } else {
        p = cl_realloc(b->ptr, cap);
    }
    if (p == NULL) {
        b->err = CL_ERR_NOMEM;
        return false;
    }
    b->ptr = p;
    b->cap = cap;
    return true;
}

uint8_t *
cl_buf_extend(struct cl_buf *b, size_t n)
{
    uint8_t *p;

    if (!grow(b, n))
        return NULL;
    p = b->ptr + b->len;
    b->len += n;
    return p;
}

void
cl_buf_append(struct cl_buf *b, const void *p, size_t n)
{
    uint8_t *dst;

    if (n == 0)
        return;
    dst = cl_buf_extend(b, n);
    if (dst != NULL)
        memcpy(dst, p, n);
}

void
cl_buf_append_bytes(struct cl_buf *b, struct cl_bytes v)
{
    cl_buf_append(b, v.ptr, v.len);
}

void
cl_buf_append_byte(struct cl_buf *b, uint8_t c)
{
    cl_buf_append(b, &c, 1);
}

void
cl_buf_append_str(struct cl_buf *b, const char *s)
{
    cl_buf_append(b, s, strlen(s));
}

void
cl_buf_printf(struct cl_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->err != CL_OK)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = CL_ERR_INTERNAL;
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf((char *)b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

cl_err
cl_buf_check(const struct cl_buf *b, const char *what, struct cl_error *err)
{
    switch (b->err) {
    case CL_OK:
        return CL_OK;
    case CL_ERR_NOMEM:
        return cl_fail(err, CL_ERR_NOMEM, what, "out of memory");
    case CL_ERR_TOO_LARGE:
        return cl_fail(err, CL_ERR_TOO_LARGE, what, "output larger than its limit");
    default:
        return cl_fail(err, b->err, what, "could not build output");
    }
}

uint8_t *
cl_buf_take(struct cl_buf *b, size_t *len)
{
    uint8_t *p;

    *len = 0;
    if (b->err != CL_OK)
        return NULL;
    if (b->ptr == NULL && !grow(b, 0))
        return NULL;
    b->ptr[b->len] = '\0';
    p = b->ptr;
    *len = b->len;
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

cl_err
cl_file_read(const char *path, size_t max, struct cl_buf *out, struct cl_error *err)
{
    FILE *f;
    cl_err rc = CL_OK;

    f = fopen(path, "rb");
    if (f == NULL)
        return cl_fail(err, CL_ERR_IO, path, "cannot open: %s", strerror(errno));
    for (;;) {
        uint8_t chunk[65536];
        size_t n = fread(chunk, 1, sizeof chunk, f);

        if (n > max || out->len > max - n) {
            rc = cl_fail(err, CL_ERR_TOO_LARGE, path, "file larger than %zu bytes", max);
            break;
        }
        cl_buf_append(out, chunk, n);
        if (out->err != CL_OK) {
            rc = cl_buf_check(out, path, err);
            break;
        }
        if (n < sizeof chunk) {
            if (ferror(f))
                rc = cl_fail(err, CL_ERR_IO, path, "cannot read: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    return rc;
}

cl_err
cl_file_write(const char *path, struct cl_bytes data, unsigned mode, struct cl_error *err)
{
    char tmp[4096];
    int fd, n;
    size_t off = 0;

    n = snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp)
        return cl_fail(err, CL_ERR_USAGE, path, "path too long");
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, (mode_t)mode);
    if (fd < 0)
        return cl_fail(err, CL_ERR_IO, path, "cannot create: %s", strerror(errno));
    if (fchmod(fd, (mode_t)mode) != 0)
        goto fail;
    while (off < data.len) {
        ssize_t w = write(fd, data.ptr + off, data.len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        off += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        int e = errno;

        unlink(tmp);
        return cl_fail(err, CL_ERR_IO, path, "cannot rename into place: %s", strerror(e));
    }
    return CL_OK;
fail:
    n = errno;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return cl_fail(err, CL_ERR_IO, path, "cannot write: %s", strerror(n));
}
