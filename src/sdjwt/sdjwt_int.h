/* sdjwt_int.h - what only the sdjwt module's files share. */
#ifndef CARDLESS_SDJWT_INT_H
#define CARDLESS_SDJWT_INT_H

#include "cardless/sdjwt.h"

/* Hand a jansson tree to the arena (json_decref at fini); on failure it is released now. */
cl_err sdjwt_json_defer(struct cl_arena *a, json_t *j, struct cl_error *err);

/* Append j as compact JSON (members in insertion order) to out. */
void sdjwt_json_dump(struct cl_buf *out, const json_t *j);

/* base64url(hash(in)) into out (CL_SDJWT_DIGEST_B64_MAX bytes, NUL-terminated). */
cl_err sdjwt_digest_b64(enum cl_hash_alg alg, struct cl_bytes in, char *out, struct cl_error *err);

/* The value of an object-or-array member named by one unescaped pointer token. */
json_t *sdjwt_child(const json_t *parent, const char *token);

#endif /* CARDLESS_SDJWT_INT_H */
