/*
 * es256_bound.h - the in-process bound of a presentation's verification: two ES256
 * verifications with cardless's own crypto, to alternate with the measured operation
 * (bench_rate_pair) so that a shared machine's drift moves both figures alike.
 */
#ifndef CARDLESS_BENCH_ES256_BOUND_H
#define CARDLESS_BENCH_ES256_BOUND_H

#include <stddef.h>
#include <stdint.h>

#include "cardless/crypto.h"

struct es256_bound {
    const struct cl_key *key; /* a P-256 key pair, borrowed */
    uint8_t msg[64];
    uint8_t sig[CL_ECDSA_RAW_MAX];
    size_t sig_len;
};

/** Sign a fixed 64-byte message with key (a P-256 key pair): 0, or -1 if it cannot. */
int es256_bound_init(struct es256_bound *b, const struct cl_key *key);

/** Verify b's signature twice: 0 when both verify. */
int es256_bound_run(const struct es256_bound *b);

#endif /* CARDLESS_BENCH_ES256_BOUND_H */
