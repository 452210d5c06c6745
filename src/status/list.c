/* list.c - the Status List itself (draft §4): status names, ZLIB inflation under a size cap,
 * the JSON and CBOR status_list encodings, O(1) entry lookup. */
#include <limits.h>
#include <strings.h>
#include <zlib.h>

#include "cardless/codec.h"
#include "cardless/jose.h"
#include "status/status_int.h"

#include "base/banned.h"

#define INFLATE_CHUNK ((size_t)64 << 10)

const char *
cl_status_name(unsigned value)
{
    switch (value) {
    case CL_STATUS_VALID:
        return "VALID";
    case CL_STATUS_INVALID:
        return "INVALID";
    case CL_STATUS_SUSPENDED:
        return "SUSPENDED";
    case CL_STATUS_APP_SPECIFIC:
    case 0x0C:
    case 0x0D:
    case 0x0E:
    case 0x0F:
        return "APPLICATION_SPECIFIC"; /* draft §7.1 */
    default:
        return "RESERVED";
    }
}

bool
cl_status_parse_value(const char *s, unsigned *value)
{
    static const char *const names[] = {"VALID", "INVALID", "SUSPENDED"};
    unsigned v = 0;
    size_t i;

    for (i = 0; i < CL_ARRAY_LEN(names); i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *value = (unsigned)i;
            return true;
        }
    }
    if (s[0] == '\0' || strlen(s) > 3)
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 255)
        return false;
    *value = v;
    return true;
}

struct cl_status_limits
cl_status_limits_default(void)
{
    struct cl_status_limits l;

    l.max_token = CL_STATUS_TOKEN_MAX;
    l.max_inflated = CL_STATUS_INFLATED_MAX;
    return l;
}

cl_err
cl_status_list_inflate(struct cl_arena *a, unsigned bits, struct cl_bytes zlib, size_t max,
                       struct cl_status_list *out, struct cl_error *err)
{
    z_stream zs;
    struct cl_buf b;
    struct cl_bytes copy;
    bool started = false;
    cl_err rc;
    int zr;

    memset(out, 0, sizeof *out);
    if (!status_bits_ok(bits))
        return cl_fail(err, CL_ERR_INPUT, "status_list.bits", "bits must be 1, 2, 4 or 8");
    if (zlib.len > UINT_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, "status_list.lst", "compressed list too large");
    if (max >= SIZE_MAX - 1)
        max = SIZE_MAX - 2;
    memset(&zs, 0, sizeof zs);
    cl_buf_init_ex(&b, max + 1, false);
    zs.next_in = (Bytef *)(uintptr_t)zlib.ptr; /* zlib does not write its input */
    zs.avail_in = (uInt)zlib.len;
    if (inflateInit(&zs) != Z_OK) { /* windowBits 15: the RFC 1950 header is required */
        rc = cl_fail(err, CL_ERR_NOMEM, "status_list.lst", "cannot start zlib");
        goto out;
    }
    started = true;
    /* Inflate in chunks into room for at most max + 1 bytes: one byte over is a bomb. */
    for (;;) {
        size_t room = max + 1 - b.len, chunk = room < INFLATE_CHUNK ? room : INFLATE_CHUNK;
        uint8_t *dst;

        if (chunk == 0) {
            rc = cl_fail(err, CL_ERR_TOO_LARGE, "status_list.lst",
                         "decompressed list is larger than %zu bytes", max);
            goto out;
        }
        dst = cl_buf_extend(&b, chunk);
        if (dst == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "status_list.lst", "out of memory");
            goto out;
        }
        zs.next_out = dst;
        zs.avail_out = (uInt)chunk;
        zr = inflate(&zs, Z_NO_FLUSH);
        b.len -= zs.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_MEM_ERROR) {
            rc = cl_fail(err, CL_ERR_NOMEM, "status_list.lst", "out of memory in zlib");
            goto out;
        }
        if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR) {
            rc = cl_fail(err, CL_ERR_INPUT, "status_list.lst",
                         "not a valid ZLIB stream (RFC 1950): %s",
                         zs.msg != NULL ? zs.msg : "corrupt data");
            goto out;
        }
        if (zs.avail_in == 0 && zs.avail_out > 0) { /* Z_OK or Z_BUF_ERROR, input used up */
            rc = cl_fail(err, CL_ERR_TRUNCATED, "status_list.lst",
                         "ZLIB stream ends before its end marker");
            goto out;
        }
    }
    if (b.len > max) {
        rc = cl_fail(err, CL_ERR_TOO_LARGE, "status_list.lst",
                     "decompressed list is larger than %zu bytes", max);
        goto out;
    }
    if (zs.avail_in != 0) {
        rc = cl_fail(err, CL_ERR_INPUT, "status_list.lst",
                     "%u bytes after the end of the ZLIB stream", zs.avail_in);
        goto out;
    }
    if (b.len == 0) {
        rc = cl_fail(err, CL_ERR_INPUT, "status_list.lst", "the status list is empty");
        goto out;
    }
    copy = cl_arena_copy(a, cl_buf_bytes(&b));
    if (copy.ptr == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "status_list.lst", "out of memory");
        goto out;
    }
    out->bits = bits;
    out->count = (uint64_t)copy.len * (8u / bits);
    out->lst = copy;
    rc = CL_OK;
out:
    if (started)
        inflateEnd(&zs);
    cl_buf_fini(&b);
    return rc;
}

cl_err
status_list_from_json(struct cl_arena *a, const json_t *obj, size_t max, struct cl_status_list *out,
                      struct cl_error *err)
{
    const json_t *jb, *jl;
    struct cl_bytes zlib;
    json_int_t bits;
    cl_err rc;

    memset(out, 0, sizeof *out);
    if (!json_is_object(obj))
        return cl_fail(err, CL_ERR_INPUT, "status_list", "status_list is not an object");
    jb = json_object_get(obj, "bits");
    jl = json_object_get(obj, "lst");
    if (jb == NULL)
        return cl_fail(err, CL_ERR_MISSING, "status_list.bits", "bits is missing");
    if (jl == NULL)
        return cl_fail(err, CL_ERR_MISSING, "status_list.lst", "lst is missing");
    bits = json_is_integer(jb) ? json_integer_value(jb) : 0;
    if (bits < 0 || !status_bits_ok((uint64_t)bits))
        return cl_fail(err, CL_ERR_INPUT, "status_list.bits", "bits must be 1, 2, 4 or 8");
    if (!json_is_string(jl))
        return cl_fail(err, CL_ERR_INPUT, "status_list.lst", "lst is not a string");
    rc = cl_b64url_decode_arena(a, cl_bytes_of(json_string_value(jl), json_string_length(jl)),
                                &zlib, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "status_list.lst");
        return rc;
    }
    return cl_status_list_inflate(a, (unsigned)bits, zlib, max, out, err);
}

cl_err
status_list_from_cbor(struct cl_arena *a, const struct cl_cbor *map, size_t max,
                      struct cl_status_list *out, struct cl_error *err)
{
    const struct cl_cbor *cb, *cl;
    uint64_t bits;

    memset(out, 0, sizeof *out);
    if (map == NULL || map->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, "status_list", "status_list is not a map");
    cb = cl_cbor_map_get_text(map, "bits");
    cl = cl_cbor_map_get_text(map, "lst");
    if (cb == NULL)
        return cl_fail(err, CL_ERR_MISSING, "status_list.bits", "bits is missing");
    if (cl == NULL)
        return cl_fail(err, CL_ERR_MISSING, "status_list.lst", "lst is missing");
    if (!cl_cbor_get_uint(cb, &bits) || !status_bits_ok(bits))
        return cl_fail(err, CL_ERR_INPUT, "status_list.bits", "bits must be 1, 2, 4 or 8");
    if (cl->type != CL_CBOR_BYTES)
        return cl_fail(err, CL_ERR_INPUT, "status_list.lst", "lst is not a byte string");
    return cl_status_list_inflate(a, (unsigned)bits, cl->v.str, max, out, err);
}

cl_err
cl_status_list_decode_json(struct cl_arena *a, struct cl_bytes json, size_t max,
                           struct cl_status_list *out, struct cl_error *err)
{
    json_t *obj;
    cl_err rc;

    memset(out, 0, sizeof *out);
    rc = cl_jose_json_parse(a, json, NULL, "status_list", &obj, err);
    if (rc != CL_OK)
        return rc;
    return status_list_from_json(a, obj, max, out, err);
}

cl_err
cl_status_list_decode_cbor(struct cl_arena *a, struct cl_bytes cbor, size_t max,
                           struct cl_status_list *out, struct cl_error *err)
{
    const struct cl_cbor *map;
    cl_err rc;

    memset(out, 0, sizeof *out);
    rc = cl_cbor_decode(a, cbor, NULL, &map, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "status_list");
        return rc;
    }
    return status_list_from_cbor(a, map, max, out, err);
}

cl_err
cl_status_list_get(const struct cl_status_list *list, uint64_t idx, unsigned *value,
                   struct cl_error *err)
{
    if (idx >= list->count)
        return cl_fail(err, CL_ERR_INPUT, "idx",
                       "index %llu is out of range: the list has %llu entries",
                       (unsigned long long)idx, (unsigned long long)list->count);
    *value = status_bits_get(list->lst.ptr, list->bits, idx);
    return CL_OK;
}
