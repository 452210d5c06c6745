/*
 * cardless/codec.h - text encodings of bytes: base64url (RFC 4648 §5, no padding, strict),
 * standard base64 (RFC 4648 §4, padded, for PEM bodies and JOSE x5c) and hex.
 * Decoders are strict: base64url rejects padding, whitespace, characters outside the
 * alphabet, a length of 1 mod 4 and non-zero trailing bits (non-canonical encodings).
 * Errors name the offset of the first offending character.
 */
#ifndef CARDLESS_CODEC_H
#define CARDLESS_CODEC_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

/** Encoded length of n bytes in unpadded base64url. */
CL_API size_t cl_b64url_encoded_len(size_t n);
/** Append the unpadded base64url encoding of in to out. */
CL_API void cl_b64url_encode(struct cl_buf *out, struct cl_bytes in);
/** The encoding as a NUL-terminated string in the arena, or NULL on memory failure. */
CL_API char *cl_b64url_encode_arena(struct cl_arena *a, struct cl_bytes in);
/**
 * Strict decode; appends to out.
 * @return CL_OK, CL_ERR_ENCODING (where = "offset N"), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_b64url_decode(struct cl_buf *out, struct cl_bytes in,
                                            struct cl_error *err);
/** Strict decode into the arena. */
CL_API CL_NODISCARD cl_err cl_b64url_decode_arena(struct cl_arena *a, struct cl_bytes in,
                                                  struct cl_bytes *out, struct cl_error *err);

/** Append the padded standard base64 encoding of in. */
CL_API void cl_b64_encode(struct cl_buf *out, struct cl_bytes in);
/**
 * Standard base64 with padding required. When skip_space is true, ASCII whitespace between
 * characters is ignored (PEM bodies); otherwise it is an error.
 */
CL_API CL_NODISCARD cl_err cl_b64_decode(struct cl_buf *out, struct cl_bytes in, bool skip_space,
                                         struct cl_error *err);

/** Append lower-case hex. */
CL_API void cl_hex_encode(struct cl_buf *out, struct cl_bytes in);
/**
 * Decode hex (either case). When skip_space is true, ASCII whitespace is ignored anywhere
 * (test vectors written as "a2 64 6269 7473"); an odd number of digits is an error.
 */
CL_API CL_NODISCARD cl_err cl_hex_decode(struct cl_buf *out, struct cl_bytes in, bool skip_space,
                                         struct cl_error *err);

/** Whether s is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
CL_API bool cl_utf8_valid(struct cl_bytes s);

CL_END_DECLS
#endif /* CARDLESS_CODEC_H */
