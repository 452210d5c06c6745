/* alloc.c - the allocator cardless goes through, with a failure-injection hook for tests. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cardless/alloc.h"

#include "base/banned.h"

/* Atomic: the feed loader allocates from several threads. Relaxed order is enough for a
 * counter that only tests read, between runs. */
static atomic_ulong alloc_count; /* allocations since the hook was last set */
static atomic_ulong alloc_fail;  /* fail the allocation with this count; 0 = never */

static bool
should_fail(void)
{
    unsigned long n = atomic_fetch_add_explicit(&alloc_count, 1, memory_order_relaxed) + 1;
    unsigned long f = atomic_load_explicit(&alloc_fail, memory_order_relaxed);

    return f != 0 && n == f;
}

void *
cl_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n != 0 ? n : 1);
}

void *
cl_calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    if (should_fail())
        return NULL;
    return calloc(count != 0 ? count : 1, size != 0 ? size : 1);
}

void *
cl_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n != 0 ? n : 1);
}

void
cl_free(void *p)
{
    free(p);
}

void
cl_wipe(void *p, size_t n)
{
    if (p != NULL && n != 0)
        OPENSSL_cleanse(p, n);
}

unsigned long
cl_alloc_fail_at(unsigned long n)
{
    unsigned long made = atomic_exchange(&alloc_count, 0);

    atomic_store(&alloc_fail, n);
    return made;
}
