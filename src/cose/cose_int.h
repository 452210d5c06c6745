/*
 * cose_int.h - what the cose module's files share: the algorithm table, header label checks
 * and the writer of the structures that are signed or MACed (RFC 9052 §4.4, §6.3).
 */
#ifndef CARDLESS_COSE_INT_H
#define CARDLESS_COSE_INT_H

#include "cardless/cose.h"

struct cose_alg_info {
    int64_t alg;
    enum cl_cose_kind kind;
    enum cl_hash_alg hash;
    enum cl_curve curve; /* Sign1 only */
    size_t tag_len;      /* Mac0 only: bytes of the (truncated) tag */
    const char *name;
};

/** The algorithm's entry when it belongs to kind, or NULL. */
const struct cose_alg_info *cose_alg_find(int64_t alg, enum cl_cose_kind kind);

/** Whether two map keys name the same header label (int or tstr). */
bool cose_label_eq(const struct cl_cbor *a, const struct cl_cbor *b);

/** Whether the map has a key naming the same label as key. */
bool cose_map_has_label(const struct cl_cbor *map, const struct cl_cbor *key);

/** The label as text for messages ("33", "\"x\"") into buf. */
const char *cose_label_str(const struct cl_cbor *key, char *buf, size_t len);

/** Append [context, body_protected, external_aad, payload] (4 bstr after the text). */
void cose_put_structure(struct cl_buf *b, const char *context, struct cl_bytes body_protected,
                        struct cl_bytes aad, struct cl_bytes payload);

/** "COSE_Sign1" or "COSE_Mac0". */
const char *cose_kind_name(enum cl_cose_kind kind);

#endif /* CARDLESS_COSE_INT_H */
