/*
 * arena.c - request-scoped allocation in chunks, released together, with deferred cleanups
 * for foreign objects. Secret arenas wipe every chunk before releasing it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/arena.h"

#include "base/banned.h"

#define ALIGN ((size_t)16)

struct cl_arena_chunk {
    struct cl_arena_chunk *prev;
    size_t size; /* bytes in data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct cl_arena_defer {
    struct cl_arena_defer *prev;
    void (*fn)(void *);
    void *p;
};

void
cl_arena_init(struct cl_arena *a, size_t chunk_size, size_t limit, unsigned flags)
{
    a->chunk = NULL;
    a->defer = NULL;
    a->chunk_size = chunk_size != 0 ? chunk_size : 4096;
    a->limit = limit != 0 ? limit : SIZE_MAX;
    a->used = 0;
    a->flags = flags;
    a->err = CL_OK;
}

void
cl_arena_fini(struct cl_arena *a)
{
    while (a->defer != NULL) {
        struct cl_arena_defer *d = a->defer;

        a->defer = d->prev;
        d->fn(d->p);
    }
    while (a->chunk != NULL) {
        struct cl_arena_chunk *c = a->chunk;

        a->chunk = c->prev;
        if (a->flags & CL_ARENA_SECRET)
            cl_wipe(c->data, c->size);
        cl_free(c);
    }
    a->used = 0;
    a->err = CL_OK;
}

void *
cl_arena_alloc(struct cl_arena *a, size_t n)
{
    struct cl_arena_chunk *c = a->chunk;
    size_t need, size;
    void *p;

    if (n > SIZE_MAX / 2) {
        if (a->err == CL_OK)
            a->err = CL_ERR_TOO_LARGE;
        return NULL;
    }
    need = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (need == 0)
        need = ALIGN;
    if (c == NULL || c->size - c->used < need) {
        size = need > a->chunk_size / 4 ? need : a->chunk_size;
        if (size > a->limit - a->used || a->used > a->limit) {
            if (a->err == CL_OK)
                a->err = CL_ERR_TOO_LARGE;
            return NULL;
        }
        c = cl_malloc(sizeof *c + size);
        if (c == NULL) {
            if (a->err == CL_OK)
                a->err = CL_ERR_NOMEM;
            return NULL;
        }
        c->size = size;
        c->used = 0;
        a->used += size;
        if (a->chunk != NULL && size != a->chunk_size) {
            /* a big one-off: slot it behind the current chunk so its free space stays usable */
            c->prev = a->chunk->prev;
            a->chunk->prev = c;
        } else {
            c->prev = a->chunk;
            a->chunk = c;
        }
    }
    p = c->data + c->used;
    c->used += need;
    return p;
}

void *
cl_arena_zalloc(struct cl_arena *a, size_t n)
{
    void *p = cl_arena_alloc(a, n);

    if (p != NULL)
        memset(p, 0, n);
    return p;
}

void *
cl_arena_calloc(struct cl_arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        if (a->err == CL_OK)
            a->err = CL_ERR_TOO_LARGE;
        return NULL;
    }
    return cl_arena_zalloc(a, count * size);
}

void *
cl_arena_dup(struct cl_arena *a, const void *p, size_t n)
{
    unsigned char *q;

    if (n == SIZE_MAX)
        return NULL;
    q = cl_arena_alloc(a, n + 1);
    if (q == NULL)
        return NULL;
    if (n != 0)
        memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

char *
cl_arena_strndup(struct cl_arena *a, struct cl_bytes s)
{
    return cl_arena_dup(a, s.ptr, s.len);
}

char *
cl_arena_strdup(struct cl_arena *a, const char *s)
{
    return cl_arena_dup(a, s, strlen(s));
}

char *
cl_arena_printf(struct cl_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    p = cl_arena_alloc(a, (size_t)n + 1);
    if (p == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

struct cl_bytes
cl_arena_copy(struct cl_arena *a, struct cl_bytes b)
{
    void *p = cl_arena_dup(a, b.ptr, b.len);

    return p != NULL ? cl_bytes_of(p, b.len) : cl_bytes_of(NULL, 0);
}

cl_err
cl_arena_defer(struct cl_arena *a, void (*fn)(void *), void *p)
{
    struct cl_arena_defer *d = cl_arena_alloc(a, sizeof *d);

    if (d == NULL)
        return CL_ERR_NOMEM;
    d->fn = fn;
    d->p = p;
    d->prev = a->defer;
    a->defer = d;
    return CL_OK;
}

cl_err
cl_arena_check(const struct cl_arena *a, const char *what, struct cl_error *err)
{
    if (a->err == CL_OK)
        return CL_OK;
    if (a->err == CL_ERR_TOO_LARGE)
        return cl_fail(err, CL_ERR_TOO_LARGE, what, "over the memory limit of this request");
    return cl_fail(err, a->err, what, "out of memory");
}
