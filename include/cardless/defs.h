/*
 * cardless/defs.h - conventions shared by every public header: visibility, attributes,
 * C++ linkage. Included first by every other cardless header.
 */
#ifndef CARDLESS_DEFS_H
#define CARDLESS_DEFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define CL_API __attribute__((visibility("default")))
#define CL_NODISCARD __attribute__((warn_unused_result))
#define CL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CL_API
#define CL_NODISCARD
#define CL_PRINTF(f, a)
#endif

#ifdef __cplusplus
#define CL_BEGIN_DECLS extern "C" {
#define CL_END_DECLS }
#else
#define CL_BEGIN_DECLS
#define CL_END_DECLS
#endif

#define CL_ARRAY_LEN(x) (sizeof(x) / sizeof((x)[0]))

#endif /* CARDLESS_DEFS_H */
