/* cache.c - verified, inflated lists kept by (uri, SHA-256 of the token): a relying party
 * checking many credentials against one list verifies and inflates it once. */
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/jose.h"
#include "status/status_int.h"

#include "base/banned.h"

struct entry {
    char *uri;      /* NULL: a free slot */
    uint8_t *token; /* the token bytes as given: the key beside uri */
    size_t token_len;
    const void *key, *anchors; /* the trust it was verified with (identity, not contents) */
    unsigned bits;
    uint64_t count;
    uint8_t *lst;
    int64_t iat, exp, ttl;
    uint64_t last_use; /* for least-recently-used replacement */
};

struct cl_status_cache {
    struct entry *e;
    size_t cap;
    uint64_t tick;
    struct cl_status_cache_stats st;
};

cl_err
cl_status_cache_new(size_t capacity, struct cl_status_cache **out, struct cl_error *err)
{
    struct cl_status_cache *c;

    *out = NULL;
    if (capacity == 0 || capacity > 4096)
        return cl_fail(err, CL_ERR_USAGE, "capacity", "cache capacity must be 1 to 4096 lists");
    c = cl_calloc(1, sizeof *c);
    if (c != NULL)
        c->e = cl_calloc(capacity, sizeof *c->e);
    if (c == NULL || c->e == NULL) {
        cl_free(c);
        return cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
    }
    c->cap = capacity;
    *out = c;
    return CL_OK;
}

static void
entry_clear(struct entry *e)
{
    cl_free(e->uri);
    cl_free(e->lst);
    cl_free(e->token);
    memset(e, 0, sizeof *e);
}

void
cl_status_cache_free(struct cl_status_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->cap; i++)
        entry_clear(&c->e[i]);
    cl_free(c->e);
    cl_free(c);
}

struct cl_status_cache_stats
cl_status_cache_stats(const struct cl_status_cache *c)
{
    return c->st;
}

/* The slot for uri: its current entry, else a free slot, else the least recently used. */
static struct entry *
slot_for(struct cl_status_cache *c, const char *uri)
{
    struct entry *best = &c->e[0];

    for (size_t i = 0; i < c->cap; i++) {
        if (c->e[i].uri != NULL && strcmp(c->e[i].uri, uri) == 0)
            return &c->e[i];
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (c->e[i].uri == NULL)
            return &c->e[i];
        if (c->e[i].last_use < best->last_use)
            best = &c->e[i];
    }
    return best;
}

cl_err
cl_status_cache_check(struct cl_status_cache *c, struct cl_bytes token,
                      const struct cl_status_trust *trust, const char *uri, uint64_t idx,
                      int64_t at, const struct cl_status_limits *lim, unsigned *value,
                      struct cl_error *err)
{
    struct entry *e;
    struct cl_status_list list;
    struct cl_status_token t;
    struct cl_arena a;
    bool stale;
    cl_err rc;

    if (uri == NULL || trust == NULL)
        return cl_fail(err, CL_ERR_USAGE, "uri", "a cached check needs the uri and the trust");
    if (at < 0 || at > CL_JWT_TIME_MAX || trust->leeway < 0 || trust->leeway > CL_JWT_LEEWAY_MAX)
        return cl_fail(err, CL_ERR_USAGE, "at", "verification time or leeway out of range");
    e = slot_for(c, uri);
    /* the token is public: an open comparison of its bytes is cheaper than hashing them */
    if (e->uri != NULL && strcmp(e->uri, uri) == 0 && e->token_len == token.len &&
        (token.len == 0 || memcmp(e->token, token.ptr, token.len) == 0) &&
        e->key == (const void *)trust->key && e->anchors == (const void *)trust->anchors) {
        /* a hit: the signature and sub were checked when it went in; time moves on */
        c->st.hits++;
        e->last_use = ++c->tick;
        rc = status_check_times(e->iat, e->exp, e->ttl, at, trust, &stale, err);
        if (rc != CL_OK)
            return rc;
        list.bits = e->bits;
        list.count = e->count;
        list.lst = cl_bytes_of(e->lst, (size_t)(e->count * e->bits / 8));
        return cl_status_list_get(&list, idx, value, err);
    }
    c->st.misses++;
    cl_arena_init(&a, 0, 0, 0);
    rc = cl_status_token_parse_verify(&a, token, trust, uri, at, lim, &t, err);
    if (rc == CL_OK) {
        uint8_t *lst = cl_malloc(t.list.lst.len), *tk = cl_malloc(token.len + 1);
        char *u = cl_malloc(strlen(uri) + 1);

        c->st.inflations++;
        if (lst == NULL || u == NULL || tk == NULL) {
            cl_free(lst);
            cl_free(u);
            cl_free(tk);
            rc = cl_fail(err, CL_ERR_NOMEM, NULL, "out of memory");
        } else {
            if (e->uri == NULL)
                c->st.entries++;
            entry_clear(e);
            memcpy(lst, t.list.lst.ptr, t.list.lst.len);
            memcpy(u, uri, strlen(uri) + 1);
            e->uri = u;
            e->lst = lst;
            memcpy(tk, token.ptr, token.len);
            e->token = tk;
            e->token_len = token.len;
            e->key = trust->key;
            e->anchors = trust->anchors;
            e->bits = t.list.bits;
            e->count = t.list.count;
            e->iat = t.iat;
            e->exp = t.exp;
            e->ttl = t.ttl;
            e->last_use = ++c->tick;
            rc = cl_status_list_get(&t.list, idx, value, err);
        }
    }
    cl_arena_fini(&a);
    return rc;
}
