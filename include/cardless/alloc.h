/*
 * cardless/alloc.h - the allocator every cardless module goes through, with the test hook
 * that fails allocation number N (curl's torture tests, SQLite's OOM tests).
 */
#ifndef CARDLESS_ALLOC_H
#define CARDLESS_ALLOC_H

#include "cardless/defs.h"
CL_BEGIN_DECLS

CL_API void *cl_malloc(size_t n);
CL_API void *cl_calloc(size_t count, size_t size); /* checks count * size for overflow */
CL_API void *cl_realloc(void *p, size_t n);
CL_API void cl_free(void *p);
/** Overwrite n bytes with zeros in a way the compiler keeps (OPENSSL_cleanse semantics). */
CL_API void cl_wipe(void *p, size_t n);

/**
 * Test hook: make the n-th cl_malloc/cl_calloc/cl_realloc from now fail (1 = the next one);
 * 0 turns failures off. Returns how many allocations were made since the last call.
 * Not thread safe: for tests only.
 */
CL_API unsigned long cl_alloc_fail_at(unsigned long n);

CL_END_DECLS
#endif /* CARDLESS_ALLOC_H */
