/*
 * cardless/bytes.h - byte views and growable buffers.
 * struct cl_bytes is a borrowed view passed by value; whoever holds it never frees it.
 * struct cl_buf is a growable buffer that latches its first error (QCBOR style): after a
 * failed append every later append is a no-op, and cl_buf_err() tells once at the end.
 */
#ifndef CARDLESS_BYTES_H
#define CARDLESS_BYTES_H

#include <string.h>

#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

struct cl_bytes {
    const uint8_t *ptr;
    size_t len;
};

static inline struct cl_bytes
cl_bytes_of(const void *ptr, size_t len)
{
    struct cl_bytes b;

    b.ptr = (const uint8_t *)ptr;
    b.len = len;
    return b;
}

/** A view of a NUL-terminated string, without the NUL. */
static inline struct cl_bytes
cl_bytes_str(const char *s)
{
    return cl_bytes_of(s, s != NULL ? strlen(s) : 0);
}

/** Equal contents (not constant time: never for secrets, MACs or digests; see cl_ct_equal). */
CL_API bool cl_bytes_eq(struct cl_bytes a, struct cl_bytes b);

/** Equal to a C string. */
CL_API bool cl_bytes_eq_str(struct cl_bytes a, const char *s);

struct cl_buf {
    uint8_t *ptr;
    size_t len;
    size_t cap;
    size_t max;  /* appends past this many bytes fail with CL_ERR_TOO_LARGE */
    cl_err err;  /* first error, latched */
    bool secret; /* wipe on growth and at fini */
};

#define CL_BUF_MAX_DEFAULT ((size_t)1 << 30)

/** Start an empty buffer; nothing is allocated until the first append. */
CL_API void cl_buf_init(struct cl_buf *b);
/** Like cl_buf_init, with a size limit and secret handling. */
CL_API void cl_buf_init_ex(struct cl_buf *b, size_t max, bool secret);
/** Release the memory (wiped if secret); safe twice. */
CL_API void cl_buf_fini(struct cl_buf *b);
/** Forget the contents, keep the memory, clear the latched error. */
CL_API void cl_buf_reset(struct cl_buf *b);

CL_API void cl_buf_append(struct cl_buf *b, const void *p, size_t n);
CL_API void cl_buf_append_bytes(struct cl_buf *b, struct cl_bytes v);
CL_API void cl_buf_append_byte(struct cl_buf *b, uint8_t c);
CL_API void cl_buf_append_str(struct cl_buf *b, const char *s);
CL_API void cl_buf_printf(struct cl_buf *b, const char *fmt, ...) CL_PRINTF(2, 3);
/** Reserve n more bytes and return where they go (len grows by n), or NULL after an error. */
CL_API uint8_t *cl_buf_extend(struct cl_buf *b, size_t n);
/** Mark a failure in the buffer, as if an append had failed. */
CL_API void cl_buf_set_err(struct cl_buf *b, cl_err code);

/** The contents as a view (valid until the next append). */
static inline struct cl_bytes
cl_buf_bytes(const struct cl_buf *b)
{
    return cl_bytes_of(b->ptr, b->len);
}

/** The latched error, reported through err with `what` naming the buffer's purpose. */
CL_API cl_err cl_buf_check(const struct cl_buf *b, const char *what, struct cl_error *err);

/**
 * Take the contents out as malloc'd memory followed by a NUL (not counted in *len);
 * the buffer is reset. Returns NULL (and leaves *len 0) after a latched error.
 * The caller frees the result with cl_free().
 */
CL_API uint8_t *cl_buf_take(struct cl_buf *b, size_t *len);

/* Reading files: the whole file into a buffer, refusing files larger than max. */
CL_API CL_NODISCARD cl_err cl_file_read(const char *path, size_t max, struct cl_buf *out,
                                        struct cl_error *err);
/** Write atomically (temporary file, fsync, rename) with the given mode (0600 for keys). */
CL_API CL_NODISCARD cl_err cl_file_write(const char *path, struct cl_bytes data, unsigned mode,
                                         struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_BYTES_H */
