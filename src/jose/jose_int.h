/* jose_int.h - what only the jose module's files share. */
#ifndef CARDLESS_JOSE_INT_H
#define CARDLESS_JOSE_INT_H

#include "cardless/jose.h"

/* Hand a jansson tree to the arena (json_decref at fini); on failure it is released now. */
cl_err jose_json_defer(struct cl_arena *a, json_t *j, struct cl_error *err);

/* The hash and curve of a known JWS alg; false for CL_JOSE_ALG_UNKNOWN. */
bool jose_alg_params(enum cl_jose_alg alg, enum cl_hash_alg *hash, enum cl_curve *curve);

/* Dump a jansson value as compact JSON into the buffer (insertion order kept). */
void jose_json_dump(struct cl_buf *out, const json_t *j);

#endif /* CARDLESS_JOSE_INT_H */
