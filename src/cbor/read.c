/*
 * read.c - questions on decoded or built items: map lookups, integers, booleans, tags and
 * the dates of RFC 8943 (full-date) and RFC 8949 §3.4.1-3.4.2 (tdate, epoch).
 */
#include <string.h>

#include "base/banned.h"
#include "cardless/cbor.h"
#include "cardless/time.h"
#include "cbor/cbor_int.h"

const struct cl_cbor *
cl_cbor_map_get_text(const struct cl_cbor *map, const char *key)
{
    if (map == NULL || map->type != CL_CBOR_MAP || key == NULL)
        return NULL;
    for (size_t i = 0; i < map->v.map.n; i++)
        if (cl_cbor_is_text(&map->v.map.pair[i].key, key))
            return &map->v.map.pair[i].value;
    return NULL;
}

const struct cl_cbor *
cl_cbor_map_get_int(const struct cl_cbor *map, int64_t key)
{
    if (map == NULL || map->type != CL_CBOR_MAP)
        return NULL;
    for (size_t i = 0; i < map->v.map.n; i++) {
        int64_t k;

        if (cl_cbor_get_int(&map->v.map.pair[i].key, &k) && k == key)
            return &map->v.map.pair[i].value;
    }
    return NULL;
}

bool
cl_cbor_get_int(const struct cl_cbor *item, int64_t *out)
{
    if (item == NULL || (item->type != CL_CBOR_UINT && item->type != CL_CBOR_NEGINT) ||
        item->v.u > (uint64_t)INT64_MAX)
        return false;
    *out = item->type == CL_CBOR_UINT ? (int64_t)item->v.u : -1 - (int64_t)item->v.u;
    return true;
}

bool
cl_cbor_get_uint(const struct cl_cbor *item, uint64_t *out)
{
    if (item == NULL || item->type != CL_CBOR_UINT)
        return false;
    *out = item->v.u;
    return true;
}

bool
cl_cbor_get_bool(const struct cl_cbor *item, bool *out)
{
    if (item == NULL || item->type != CL_CBOR_SIMPLE ||
        (item->v.u != CL_CBOR_FALSE && item->v.u != CL_CBOR_TRUE))
        return false;
    *out = item->v.u == CL_CBOR_TRUE;
    return true;
}

bool
cl_cbor_is_null(const struct cl_cbor *item)
{
    return item != NULL && item->type == CL_CBOR_SIMPLE && item->v.u == CL_CBOR_NULL;
}

bool
cl_cbor_is_text(const struct cl_cbor *item, const char *s)
{
    return item != NULL && s != NULL && item->type == CL_CBOR_TEXT &&
           cl_bytes_eq(item->v.str, cl_bytes_str(s));
}

const struct cl_cbor *
cl_cbor_untag(const struct cl_cbor *item, uint64_t num)
{
    if (item == NULL || item->type != CL_CBOR_TAG || item->v.tag.num != num)
        return NULL;
    return item->v.tag.item;
}

cl_err
cl_cbor_get_fulldate(const struct cl_cbor *item, int32_t *days, struct cl_error *err)
{
    const struct cl_cbor *in;
    int64_t n;
    int32_t d;
    cl_err rc;

    *days = 0;
    if ((in = cl_cbor_untag(item, CL_CBOR_TAG_FULLDATE)) != NULL) {
        if (in->type != CL_CBOR_TEXT)
            return cl_fail(err, CL_ERR_INPUT, "full-date", "tag 1004 content is not text");
        if ((rc = cl_date_parse(in->v.str, &d, err)) != CL_OK)
            return rc;
        *days = d;
        return CL_OK;
    }
    if ((in = cl_cbor_untag(item, CL_CBOR_TAG_DAYS)) != NULL) {
        /* RFC 8943 §2: tag 100 is an integer count of days from 1970-01-01 */
        if (!cl_cbor_get_int(in, &n) || n < INT32_MIN || n > INT32_MAX)
            return cl_fail(err, CL_ERR_INPUT, "full-date",
                           "tag 100 content is not a day count in range");
        *days = (int32_t)n;
        return CL_OK;
    }
    return cl_fail(err, CL_ERR_INPUT, "full-date", "not a date (tag 1004 or tag 100)");
}

cl_err
cl_cbor_get_tdate(const struct cl_cbor *item, int64_t *secs, struct cl_error *err)
{
    const struct cl_cbor *in;
    int64_t s;
    cl_err rc;

    *secs = 0;
    if ((in = cl_cbor_untag(item, CL_CBOR_TAG_TDATE)) != NULL) {
        if (in->type != CL_CBOR_TEXT)
            return cl_fail(err, CL_ERR_INPUT, "tdate", "tag 0 content is not text");
        if ((rc = cl_rfc3339_parse(in->v.str, &s, NULL, err)) != CL_OK)
            return rc;
        *secs = s;
        return CL_OK;
    }
    if ((in = cl_cbor_untag(item, CL_CBOR_TAG_EPOCH)) != NULL) {
        /* RFC 8949 §3.4.2 also allows floats; signed structures here use integers */
        if (!cl_cbor_get_int(in, &s))
            return cl_fail(err, CL_ERR_INPUT, "tdate",
                           "tag 1 content is not an integer number of seconds");
        *secs = s;
        return CL_OK;
    }
    return cl_fail(err, CL_ERR_INPUT, "tdate", "not a date-time (tag 0 or tag 1)");
}
