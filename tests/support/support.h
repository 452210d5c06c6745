/*
 * support.h - what every unit test shares: cmocka's prerequisites, hex rows, vector files.
 * Include this first in a test: cmocka 1.1 needs <stdarg.h> <stddef.h> <setjmp.h> <stdint.h>.
 */
#ifndef CARDLESS_TEST_SUPPORT_H
#define CARDLESS_TEST_SUPPORT_H

/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/error.h"

/** Decode a hex row ("a2 64 62697473 01", spaces allowed) into the arena; fails the test on
 * bad hex. */
struct cl_bytes cl_test_hex(struct cl_arena *a, const char *hex);

/** Read tests/vectors/<rel> into the arena (NUL-terminated); fails the test when missing. */
struct cl_bytes cl_test_vector(struct cl_arena *a, const char *rel);

/** Whether tests/vectors/<rel> exists. */
bool cl_test_vector_exists(const char *rel);

/** Fail the test with the row name, the error code names and the message. */
#define cl_test_expect(name, got, want, errp)                                                      \
    do {                                                                                           \
        cl_err got_ = (got), want_ = (want);                                                       \
        if (got_ != want_)                                                                         \
            fail_msg("%s: got %s, want %s (%s: %s)", (name), cl_err_name(got_),                    \
                     cl_err_name(want_), (errp)->where, (errp)->msg);                              \
    } while (0)

/** Bytes as lower-case hex in the arena, for messages. */
const char *cl_test_tohex(struct cl_arena *a, struct cl_bytes b);

#endif /* CARDLESS_TEST_SUPPORT_H */
