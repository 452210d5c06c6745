/* status_int.h - what the status module's files share: bit access, time checks, the claims
 * of a token before its list is trusted. */
#ifndef CARDLESS_STATUS_INT_H
#define CARDLESS_STATUS_INT_H

#include <jansson.h>

#include "cardless/cbor.h"
#include "cardless/status.h"

#define STATUS_TTL_MAX INT64_C(315576000) /* ten years: a larger ttl is malformed */

static inline bool
status_bits_ok(uint64_t bits)
{
    return bits == 1 || bits == 2 || bits == 4 || bits == 8;
}

/* Entry idx of a byte array in draft §4.1 order: byte idx*bits/8, least significant first. */
static inline unsigned
status_bits_get(const uint8_t *lst, unsigned bits, uint64_t idx)
{
    uint64_t pos = idx * bits;

    return (unsigned)(lst[pos >> 3] >> (pos & 7)) & ((1u << bits) - 1u);
}

static inline void
status_bits_set(uint8_t *lst, unsigned bits, uint64_t idx, unsigned value)
{
    uint64_t pos = idx * bits;
    unsigned mask = ((1u << bits) - 1u) << (pos & 7);

    lst[pos >> 3] = (uint8_t)((lst[pos >> 3] & ~mask) | ((value << (pos & 7)) & mask));
}

/* exp and ttl at `at` (draft §8.3 step 5); sets *stale with CL_STATUS_ALLOW_STALE. */
cl_err status_check_times(int64_t iat, int64_t exp, int64_t ttl, int64_t at,
                          const struct cl_status_trust *trust, bool *stale, struct cl_error *err);

/* The JSON status_list object and the CBOR StatusList map to a list (inflated). */
cl_err status_list_from_json(struct cl_arena *a, const json_t *obj, size_t max,
                             struct cl_status_list *out, struct cl_error *err);
cl_err status_list_from_cbor(struct cl_arena *a, const struct cl_cbor *map, size_t max,
                             struct cl_status_list *out, struct cl_error *err);

#endif /* CARDLESS_STATUS_INT_H */
