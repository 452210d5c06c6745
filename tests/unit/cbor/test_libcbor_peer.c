/*
 * test_libcbor_peer.c - libcbor (Debian's, an independent implementation) as a peer: every
 * RFC 8949 Appendix A vector decodes to the same data model in libcbor and in cl_cbor.
 * ADR 0003 says why our decoder does not stand on libcbor; this is where libcbor keeps us
 * honest. Rows libcbor 0.8 refuses (simple values it has no callback for) are listed.
 */
#include "support.h"

#include <cbor.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cardless/cbor.h"

/* concatenated contents of a (possibly indefinite) libcbor string */
static void
peer_string(const cbor_item_t *it, struct cl_buf *out)
{
    if ((cbor_isa_bytestring(it) && cbor_bytestring_is_definite(it)) ||
        (cbor_isa_string(it) && cbor_string_is_definite(it))) {
        cl_buf_append(out, cbor_isa_string(it) ? cbor_string_handle(it)
                                               : cbor_bytestring_handle(it),
                      cbor_isa_string(it) ? cbor_string_length(it) : cbor_bytestring_length(it));
        return;
    }
    {
        size_t n = cbor_isa_string(it) ? cbor_string_chunk_count(it)
                                       : cbor_bytestring_chunk_count(it);
        cbor_item_t **ch = cbor_isa_string(it) ? cbor_string_chunks_handle(it)
                                               : cbor_bytestring_chunks_handle(it);

        for (size_t i = 0; i < n; i++)
            peer_string(ch[i], out);
    }
}

static bool
same(const struct cl_cbor *ours, const cbor_item_t *peer)
{
    switch (cbor_typeof(peer)) {
    case CBOR_TYPE_UINT:
        return ours->type == CL_CBOR_UINT && ours->v.u == cbor_get_int(peer);
    case CBOR_TYPE_NEGINT:
        return ours->type == CL_CBOR_NEGINT && ours->v.u == cbor_get_int(peer);
    case CBOR_TYPE_BYTESTRING:
    case CBOR_TYPE_STRING: {
        struct cl_buf b;
        bool eq;

        if (ours->type != (cbor_isa_string(peer) ? CL_CBOR_TEXT : CL_CBOR_BYTES))
            return false;
        cl_buf_init(&b);
        peer_string(peer, &b);
        eq = cl_bytes_eq(cl_buf_bytes(&b), ours->v.str);
        cl_buf_fini(&b);
        return eq;
    }
    case CBOR_TYPE_ARRAY: {
        cbor_item_t **items = cbor_array_handle(peer);

        if (ours->type != CL_CBOR_ARRAY || ours->v.array.n != cbor_array_size(peer))
            return false;
        for (size_t i = 0; i < ours->v.array.n; i++)
            if (!same(&ours->v.array.item[i], items[i]))
                return false;
        return true;
    }
    case CBOR_TYPE_MAP: {
        struct cbor_pair *pairs = cbor_map_handle(peer);

        if (ours->type != CL_CBOR_MAP || ours->v.map.n != cbor_map_size(peer))
            return false;
        for (size_t i = 0; i < ours->v.map.n; i++)
            if (!same(&ours->v.map.pair[i].key, pairs[i].key) ||
                !same(&ours->v.map.pair[i].value, pairs[i].value))
                return false;
        return true;
    }
    case CBOR_TYPE_TAG: {
        cbor_item_t *inner = cbor_tag_item(peer);
        bool eq = ours->type == CL_CBOR_TAG && ours->v.tag.num == cbor_tag_value(peer) &&
                  same(ours->v.tag.item, inner);

        cbor_decref(&inner);
        return eq;
    }
    case CBOR_TYPE_FLOAT_CTRL:
        if (cbor_float_ctrl_is_ctrl(peer))
            return ours->type == CL_CBOR_SIMPLE && ours->v.u == cbor_ctrl_value(peer);
        if (ours->type != CL_CBOR_FLOAT)
            return false;
        if (isnan(cbor_float_get_float(peer)))
            return isnan(ours->v.f);
        return ours->v.f == cbor_float_get_float(peer);
    }
    return false;
}

static void
test_appendix_a_against_libcbor(void **state)
{
    struct cl_arena a;
    struct cl_bytes file;
    const char *p, *end;
    int rows = 0, agreed = 0, peer_refused = 0;

    (void)state;
    cl_arena_init(&a, 0, 0, 0);
    file = cl_test_vector(&a, "rfc8949/appendix_a.txt");
    p = (const char *)file.ptr;
    end = p + file.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *tab;
        char hex[512];
        struct cl_bytes in;
        const struct cl_cbor *ours = NULL;
        struct cl_error err = {0};
        struct cbor_load_result res;
        cbor_item_t *peer;

        if (nl == NULL)
            nl = end;
        tab = memchr(p, '\t', (size_t)(nl - p));
        if (*p == '#' || tab == NULL || (size_t)(tab - p) >= sizeof hex) {
            p = nl + 1;
            continue;
        }
        memcpy(hex, p, (size_t)(tab - p));
        hex[tab - p] = '\0';
        in = cl_test_hex(&a, hex);
        rows++;
        cl_test_expect(hex, cl_cbor_decode(&a, in, NULL, &ours, &err), CL_OK, &err);
        peer = cbor_load(in.ptr, in.len, &res);
        if (peer == NULL) {
            peer_refused++;
            print_message("libcbor refuses %s (%.*s); cl_cbor accepts it\n", hex,
                          (int)(nl - tab - 1), tab + 1);
        } else {
            if (!same(ours, peer))
                fail_msg("%s: cl_cbor and libcbor decode different values", hex);
            agreed++;
            cbor_decref(&peer);
        }
        p = nl + 1;
    }
    assert_int_equal(rows, 81);
    /* libcbor 0.8 has no callback for simple(16) and simple(255): exactly those two differ */
    assert_int_equal(peer_refused, 2);
    assert_int_equal(agreed, rows - peer_refused);
    cl_arena_fini(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_appendix_a_against_libcbor),
    };

    return cmocka_run_group_tests_name("cbor_libcbor_peer", tests, NULL, NULL);
}
