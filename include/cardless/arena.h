/*
 * cardless/arena.h - request-scoped allocation: one arena per request, verification, CLI
 * command or rules batch; everything allocated from it is released by cl_arena_fini().
 * OpenSSL and other foreign objects join an arena through cl_arena_defer().
 * Errors: allocation returns NULL on failure (no memory, or over the arena's limit) and
 * latches CL_ERR_NOMEM / CL_ERR_TOO_LARGE in a->err.
 */
#ifndef CARDLESS_ARENA_H
#define CARDLESS_ARENA_H

#include "cardless/bytes.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

enum cl_arena_flags {
    CL_ARENA_SECRET = 1, /* wipe every chunk at fini: the arena holds keys, salts, numbers */
};

struct cl_arena_chunk;
struct cl_arena_defer;

struct cl_arena {
    struct cl_arena_chunk *chunk; /* current chunk, linked to earlier ones */
    struct cl_arena_defer *defer; /* cleanups to run at fini, last registered first */
    size_t chunk_size;            /* size of ordinary chunks */
    size_t limit;                 /* total bytes the arena may hold */
    size_t used;                  /* total bytes held in chunks */
    unsigned flags;
    cl_err err; /* first allocation failure, latched */
};

/**
 * Start an arena. chunk_size 0 means 4096; limit 0 means no limit but memory itself.
 * Nothing is allocated until the first cl_arena_alloc().
 */
CL_API void cl_arena_init(struct cl_arena *a, size_t chunk_size, size_t limit, unsigned flags);
/** Run deferred cleanups (last first), release every chunk (wiped if CL_ARENA_SECRET). */
CL_API void cl_arena_fini(struct cl_arena *a);

/** n bytes aligned for any type, or NULL. n == 0 returns a valid unique pointer. */
CL_API void *cl_arena_alloc(struct cl_arena *a, size_t n);
/** n zeroed bytes, or NULL. */
CL_API void *cl_arena_zalloc(struct cl_arena *a, size_t n);
/** count * size zeroed bytes with an overflow check, or NULL. */
CL_API void *cl_arena_calloc(struct cl_arena *a, size_t count, size_t size);
/** A copy of p[0..n) followed by a NUL byte, or NULL. */
CL_API void *cl_arena_dup(struct cl_arena *a, const void *p, size_t n);
/** A NUL-terminated copy of a view. */
CL_API char *cl_arena_strndup(struct cl_arena *a, struct cl_bytes s);
CL_API char *cl_arena_strdup(struct cl_arena *a, const char *s);
CL_API char *cl_arena_printf(struct cl_arena *a, const char *fmt, ...) CL_PRINTF(2, 3);
/** A copy of the view, as a view into the arena. On failure returns {NULL, 0}. */
CL_API struct cl_bytes cl_arena_copy(struct cl_arena *a, struct cl_bytes b);

/**
 * Run fn(p) at cl_arena_fini. Returns CL_ERR_NOMEM if the record cannot be allocated, in
 * which case fn has NOT been called: free the object yourself.
 */
CL_API CL_NODISCARD cl_err cl_arena_defer(struct cl_arena *a, void (*fn)(void *), void *p);

/** The latched error reported through err, or CL_OK. */
CL_API cl_err cl_arena_check(const struct cl_arena *a, const char *what, struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_ARENA_H */
