/*
 * cbor_int.h - what the files of the cbor module share: head writing, float widths, the
 * marker of items built from an encoding, and the nesting guard of the recursive walkers.
 */
#ifndef CARDLESS_CBOR_INT_H
#define CARDLESS_CBOR_INT_H

#include "cardless/cbor.h"

/* Major types (RFC 8949 §3.1) */
enum {
    MT_UINT = 0,
    MT_NEGINT = 1,
    MT_BYTES = 2,
    MT_TEXT = 3,
    MT_ARRAY = 4,
    MT_MAP = 5,
    MT_TAG = 6,
    MT_SIMPLE = 7,
};

/*
 * offset of an item made by cl_cbor_new_raw(): its raw bytes are all it has, so the encoder
 * copies them even under CL_CBOR_ENC_IGNORE_RAW and diag decodes them first.
 */
#define CBOR_OFFSET_RAW_ONLY SIZE_MAX

/*
 * Encoding and diag walk trees recursively; decoded trees are at most max_depth deep, but
 * built ones are the caller's, so the walkers stop here instead of exhausting the stack.
 * Private functions are cl_cbor__name: bare cbor_ names belong to libcbor.
 */
#define CBOR_WALK_MAX 1000

/** Append a head with the shortest argument (RFC 8949 §4.2.1, preferred serialization). */
void cl_cbor__put_head(struct cl_buf *b, unsigned major, uint64_t arg);

/** 2, 4 or 8: the shortest IEEE 754 width that keeps v exactly (NaN: 2, as 0x7e00). */
unsigned cl_cbor__float_width(double v);
/** v in that width: its bits, right-aligned. */
uint64_t cl_cbor__float_bits(double v, unsigned width);
/** The double a half-precision value stands for (RFC 8949 appendix D). */
double cl_cbor__half_to_double(uint16_t h);

/** Whether an item was received (or built from an encoding) and has raw bytes to copy. */
static inline bool
cl_cbor__has_raw(const struct cl_cbor *item)
{
    return item->raw.ptr != NULL && item->raw.len > 0;
}

/** Bytewise lexicographic order of two encodings (RFC 8949 §4.2.1). */
int cl_cbor__bytes_cmp(struct cl_bytes x, struct cl_bytes y);

#endif /* CARDLESS_CBOR_INT_H */
