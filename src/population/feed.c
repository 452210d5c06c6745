/*
 * feed.c - the household feed of specs/welfare-2026.md §1 into the columnar store: a small
 * strict JSON scanner that reads one household object at a time in place (no tree), checks
 * it field by field, and appends it to the columns; a bad record is reported and skipped.
 */
#define _DEFAULT_SOURCE /* MAP_POPULATE where the system has it */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cardless/alloc.h"
#include "cardless/time.h"
#include "population/pop_int.h"

#include "base/banned.h"

#define MONEY_MAX 1000000000000000 /* 10^15 won: above any real amount, far below INT64_MAX */

struct rd {
    const uint8_t *p, *end;
    bool line; /* JSON Lines: a newline ends the record instead of being white space */
};

struct ctx {
    const struct cl_pop_limits *lim;
    const struct cl_pop *pop; /* when set, ids are looked up ahead in its indexes */
    unsigned depth;
    /* the first problem of the current record */
    cl_err code;
    const char *msg;
    struct cl_bytes path[3]; /* e.g. members / income_monthly / earned */
    int mi;                  /* member index after path[0], -1 when none */
};

static void
set_key(struct ctx *c, int level, struct cl_bytes key)
{
    c->path[level] = key;
    for (int k = level + 1; k < 3; k++)
        c->path[k] = cl_bytes_of(NULL, 0);
    if (level == 0)
        c->mi = -1;
}

static int
fail(struct ctx *c, cl_err code, const char *msg)
{
    if (c->code == CL_OK) {
        c->code = code;
        c->msg = msg;
    }
    return -1;
}

#define BAD(c, m) fail((c), CL_ERR_INPUT, (m))

/* ---- the scanner ---- */

static inline void
ws(struct rd *r)
{
    while (r->p < r->end &&
           (*r->p == ' ' || *r->p == '\t' || *r->p == '\r' || (*r->p == '\n' && !r->line)))
        r->p++;
}

static inline bool
peek(struct rd *r, uint8_t ch)
{
    return r->p < r->end && *r->p == ch;
}

static int
hex4(const uint8_t *p, const uint8_t *end, unsigned *out)
{
    unsigned v = 0;

    if (end - p < 4)
        return -1;
    for (int k = 0; k < 4; k++) {
        uint8_t ch = p[k];

        v <<= 4;
        if (ch >= '0' && ch <= '9')
            v |= (unsigned)(ch - '0');
        else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
            v |= (unsigned)((ch | 0x20) - 'a' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Length of the UTF-8 sequence at p (RFC 3629: no overlongs, surrogates or > U+10FFFF), 0 if
 * bad. */
static size_t
utf8_seq(const uint8_t *p, const uint8_t *end)
{
    size_t n = (size_t)(end - p);
    uint8_t b = p[0];

    if (b >= 0xc2 && b <= 0xdf)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (b >= 0xe0 && b <= 0xef) {
        uint8_t lo = b == 0xe0 ? 0xa0 : 0x80, hi = b == 0xed ? 0x9f : 0xbf;

        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        uint8_t lo = b == 0xf0 ? 0x90 : 0x80, hi = b == 0xf4 ? 0x8f : 0xbf;

        return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80
                   ? 4
                   : 0;
    }
    return 0;
}

/* A JSON string (RFC 8259 §7) as the view between its quotes; *esc tells whether it holds
 * escapes (then the view is not the decoded value). */
static int
str(struct ctx *c, struct rd *r, struct cl_bytes *out, bool *esc)
{
    const uint8_t *p = r->p, *e = r->end, *s;

    *esc = false;
    if (p >= e || *p != '"')
        return BAD(c, "not a string");
    s = ++p;
    for (;;) {
        while (p < e && *p != '"' && *p != '\\' && *p >= 0x20 && *p < 0x80)
            p++;
        if (p >= e)
            return BAD(c, "bad JSON: unterminated string");
        if (*p == '"')
            break;
        if (*p < 0x20)
            return BAD(c, "bad JSON: control character in a string");
        if (*p >= 0x80) {
            size_t n = utf8_seq(p, e);

            if (n == 0)
                return fail(c, CL_ERR_ENCODING, "not UTF-8");
            p += n;
            continue;
        }
        /* a backslash */
        *esc = true;
        if (e - p < 2)
            return BAD(c, "bad JSON: unterminated string");
        switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            p += 2;
            break;
        case 'u': {
            unsigned u, lo;

            if (hex4(p + 2, e, &u) != 0)
                return BAD(c, "bad JSON: bad \\u escape");
            p += 6;
            if (u >= 0xdc00 && u <= 0xdfff)
                return fail(c, CL_ERR_ENCODING, "lone low surrogate");
            if (u >= 0xd800 && u <= 0xdbff) {
                if (e - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, e, &lo) != 0 ||
                    lo < 0xdc00 || lo > 0xdfff)
                    return fail(c, CL_ERR_ENCODING, "lone high surrogate");
                p += 6;
            }
            break;
        }
        default:
            return BAD(c, "bad JSON: bad escape");
        }
    }
    *out = cl_bytes_of(s, (size_t)(p - s));
    r->p = p + 1;
    return 0;
}

static int
lit(struct rd *r, const char *word, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return -1;
    r->p += n;
    return 0;
}

static bool
is_null(struct rd *r)
{
    return lit(r, "null", 4) == 0;
}

/* A JSON number (RFC 8259 §6), syntax only. */
static int
number(struct ctx *c, struct rd *r)
{
    const uint8_t *p = r->p, *e = r->end;

    if (p < e && *p == '-')
        p++;
    if (p >= e || *p < '0' || *p > '9')
        return BAD(c, "bad JSON: bad number");
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9')
            return BAD(c, "bad JSON: bad number");
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            return BAD(c, "bad JSON: bad number");
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    r->p = p;
    return 0;
}

static int skip(struct ctx *c, struct rd *r);

/* A member name and its length, so that matching one is a length test and a compare. */
struct key {
    const char *s;
    size_t len;
};
#define K(x)                                                                                       \
    {                                                                                              \
        x, sizeof(x) - 1                                                                           \
    }

/* n bytes of a equal to b (b holds at least n bytes). */
static inline bool
same(const uint8_t *a, const char *b, size_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;

        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
    }
    for (; n > 0; n--)
        if (*a++ != (uint8_t)*b++)
            return false;
    return true;
}

/* key == s, s NUL-terminated (keys hold no NUL: control characters are refused). */
static inline bool
name_is(struct cl_bytes key, const char *s)
{
    size_t i = 0;

    for (; i < key.len; i++)
        if (s[i] != (char)key.ptr[i])
            return false;
    return s[i] == '\0';
}

static int
boolean(struct ctx *c, struct rd *r, bool *out)
{
    if (lit(r, "true", 4) == 0)
        *out = true;
    else if (lit(r, "false", 5) == 0)
        *out = false;
    else
        return BAD(c, "not a boolean");
    return 0;
}

/* A non-negative integer amount of won. */
static int
money(struct ctx *c, struct rd *r, int64_t *out)
{
    const uint8_t *p = r->p, *e = r->end, *s;
    bool neg = false;
    int64_t v = 0;

    if (p < e && *p == '-') {
        neg = true;
        p++;
    }
    if (p >= e || *p < '0' || *p > '9')
        return BAD(c, "not an integer");
    s = p;
    while (p < e && *p >= '0' && *p <= '9') {
        if (v <= MONEY_MAX)
            v = v * 10 + (*p - '0');
        p++;
    }
    if (*s == '0' && p - s > 1)
        return BAD(c, "bad JSON: leading zero");
    if (p < e && (*p == '.' || *p == 'e' || *p == 'E'))
        return BAD(c, "not an integer");
    if (neg && v != 0)
        return BAD(c, "negative amount");
    if (v > MONEY_MAX)
        return fail(c, CL_ERR_TOO_LARGE, "amount over 10^15 won");
    r->p = p;
    *out = v;
    return 0;
}

static int
date(struct ctx *c, struct rd *r, int32_t *out)
{
    struct cl_bytes s;
    bool esc;

    if (str(c, r, &s, &esc) != 0)
        return -1;
    if (esc || cl_date_parse(s, out, NULL) != CL_OK)
        return BAD(c, "not a date");
    return 0;
}

static int
enumerated(struct ctx *c, struct rd *r, const char *const *names, unsigned n, uint8_t *out)
{
    struct cl_bytes s;
    bool esc;

    if (str(c, r, &s, &esc) != 0)
        return -1;
    for (unsigned k = 0; k < n; k++) {
        if (names[k] != NULL && name_is(s, names[k])) {
            *out = (uint8_t)k;
            return 0;
        }
    }
    return BAD(c, "unknown value");
}

/* An identifier: 1..max_id_bytes printable ASCII characters, no escapes. */
static int
ident(struct ctx *c, struct rd *r, struct cl_bytes *out)
{
    bool esc;

    if (str(c, r, out, &esc) != 0)
        return -1;
    if (out->len == 0 || out->len > c->lim->max_id_bytes)
        return BAD(c, "not an id: empty or too long");
    if (esc)
        return BAD(c, "not an id: holds an escape");
    for (size_t k = 0; k < out->len; k++)
        if (out->ptr[k] < 0x21 || out->ptr[k] > 0x7e)
            return BAD(c, "not an id: only printable ASCII without spaces");
    return 0;
}

/* A string or null, checked and dropped (names, notes). */
static int
text_or_null(struct ctx *c, struct rd *r)
{
    struct cl_bytes s;
    bool esc;

    if (is_null(r))
        return 0;
    return str(c, r, &s, &esc);
}

/* ---- records ---- */

struct tperson {
    struct cl_bytes id, spouse;
    bool has_spouse;
    int32_t birth;
    uint16_t flags;
    uint8_t sex, rel, school, bo;
    int64_t im[CL_POP_IM_COUNT], ia[CL_POP_IA_COUNT], as[CL_POP_AS_COUNT];
};

struct thh {
    struct cl_bytes id, parents;
    bool has_parents;
    uint8_t nblss, pension, ca, tenure, kind, flags;
    int64_t deposit, rent;
    unsigned n;
    struct tperson *m;
};

/* Position of key in names, -1 if absent; *hint is where the next key usually is (members
 * come in the same order record after record), so most lookups take one comparison. */
static int
key_index(struct cl_bytes key, const struct key *names, unsigned n, unsigned *hint)
{
    for (unsigned k = 0; k < n; k++) {
        if (names[k].len == key.len && same(key.ptr, names[k].s, key.len)) {
            *hint = k + 1;
            return (int)k;
        }
    }
    return -1;
}

/* The member name expected next, *hint into names, read without a copy when it is there. */
static bool
expected_key(struct rd *r, const struct key *names, unsigned n, unsigned hint, struct cl_bytes *key)
{
    const uint8_t *q = r->p + 1;
    size_t k, left = (size_t)(r->end - q);

    if (names == NULL || hint >= n)
        return false;
    k = names[hint].len;
    if (k >= left || q[k] != '"' || !same(q, names[hint].s, k))
        return false;
    *key = cl_bytes_of(q, k);
    r->p = q + k + 1;
    return true;
}

/*
 * Next member of an object: 1 with *key set and r at the value, 0 past the closing brace.
 * With names, *idx gets the key's position in them (-1 unknown); member names are compared
 * as written (an escaped name is an unknown one).
 */
static int
next_member(struct ctx *c, struct rd *r, bool *first, const struct key *names, unsigned n,
            unsigned *hint, struct cl_bytes *key, int *idx)
{
    bool esc;

    ws(r);
    if (*first) {
        *first = false;
        if (peek(r, '}')) {
            r->p++;
            c->depth--;
            return 0;
        }
    } else if (peek(r, '}')) {
        r->p++;
        c->depth--;
        return 0;
    } else if (peek(r, ',')) {
        r->p++;
        ws(r);
    } else {
        return BAD(c, "bad JSON: expected ',' or '}'");
    }
    if (!peek(r, '"'))
        return BAD(c, "bad JSON: expected a member name");
    if (expected_key(r, names, n, *hint, key)) {
        *idx = (int)(*hint)++;
    } else {
        if (str(c, r, key, &esc) != 0)
            return -1;
        *idx = names != NULL ? key_index(*key, names, n, hint) : -1;
    }
    ws(r);
    if (!peek(r, ':'))
        return BAD(c, "bad JSON: expected ':'");
    r->p++;
    ws(r);
    return 1;
}

static int
next_key(struct ctx *c, struct rd *r, bool *first, struct cl_bytes *key)
{
    unsigned hint = 0;
    int idx;

    return next_member(c, r, first, NULL, 0, &hint, key, &idx);
}

static int
obj_begin(struct ctx *c, struct rd *r)
{
    ws(r);
    if (!peek(r, '{'))
        return BAD(c, "not an object");
    if (++c->depth > c->lim->max_depth)
        return fail(c, CL_ERR_TOO_LARGE, "nested too deeply");
    r->p++;
    return 0;
}

/* Next element of an array: 1 at the element, 0 past the closing bracket. */
static int
next_elem(struct ctx *c, struct rd *r, bool *first)
{
    ws(r);
    if (peek(r, ']')) {
        r->p++;
        c->depth--;
        return 0;
    }
    if (*first) {
        *first = false;
        return 1;
    }
    if (!peek(r, ','))
        return BAD(c, "bad JSON: expected ',' or ']'");
    r->p++;
    ws(r);
    if (peek(r, ']'))
        return BAD(c, "bad JSON: trailing comma");
    return 1;
}

static int
arr_begin(struct ctx *c, struct rd *r)
{
    ws(r);
    if (!peek(r, '['))
        return BAD(c, "not an array");
    if (++c->depth > c->lim->max_depth)
        return fail(c, CL_ERR_TOO_LARGE, "nested too deeply");
    r->p++;
    return 0;
}

/* Any JSON value, checked and passed over. */
static int
skip(struct ctx *c, struct rd *r)
{
    struct cl_bytes v;
    bool first = true, esc;
    int k;

    ws(r);
    if (r->p >= r->end)
        return BAD(c, "bad JSON: value expected");
    switch (*r->p) {
    case '{':
        if (obj_begin(c, r) != 0)
            return -1;
        while ((k = next_key(c, r, &first, &v)) == 1)
            if (skip(c, r) != 0)
                return -1;
        return k;
    case '[':
        if (arr_begin(c, r) != 0)
            return -1;
        while ((k = next_elem(c, r, &first)) == 1)
            if (skip(c, r) != 0)
                return -1;
        return k;
    case '"':
        return str(c, r, &v, &esc);
    case 't':
        return lit(r, "true", 4) == 0 ? 0 : BAD(c, "bad JSON: bad literal");
    case 'f':
        return lit(r, "false", 5) == 0 ? 0 : BAD(c, "bad JSON: bad literal");
    case 'n':
        return lit(r, "null", 4) == 0 ? 0 : BAD(c, "bad JSON: bad literal");
    default:
        return number(c, r);
    }
}

/* ---- typed values ---- */

/* Seen-key bookkeeping: a repeated member is an error, a missing required one too. */
static int
seen(struct ctx *c, unsigned *mask, int k)
{
    if (*mask & (1u << k))
        return BAD(c, "duplicate field");
    *mask |= 1u << k;
    return 0;
}

static int
missing(struct ctx *c, int level, unsigned mask, unsigned required, const struct key *names)
{
    if ((required & ~mask) == 0)
        return 0;
    for (unsigned k = 0; k < 32; k++) {
        if ((required & (1u << k)) && !(mask & (1u << k))) {
            set_key(c, level, cl_bytes_of(names[k].s, names[k].len));
            return fail(c, CL_ERR_MISSING, "missing field");
        }
    }
    return 0;
}

/* An object of money members, all required: income_monthly, income_annual_2025, assets. */
static int
money_group(struct ctx *c, struct rd *r, int level, const struct key *names, unsigned n,
            int64_t *out)
{
    struct cl_bytes key;
    bool first = true;
    unsigned mask = 0, hint = 0;
    int k, i;

    if (obj_begin(c, r) != 0)
        return -1;
    while ((k = next_member(c, r, &first, names, n, &hint, &key, &i)) == 1) {
        set_key(c, level, key);
        if (i < 0) {
            if (skip(c, r) != 0)
                return -1;
            continue;
        }
        if (seen(c, &mask, i) != 0 || money(c, r, &out[i]) != 0)
            return -1;
    }
    if (k < 0)
        return -1;
    return missing(c, level, mask, (1u << n) - 1, names);
}

static const struct key person_keys[] = {K("id"),
                                         K("name"),
                                         K("birth_date"),
                                         K("sex"),
                                         K("relation"),
                                         K("spouse_id"),
                                         K("nationality"),
                                         K("disability"),
                                         K("pregnant"),
                                         K("rare_disease"),
                                         K("daycare"),
                                         K("school"),
                                         K("birth_order"),
                                         K("occupational_pension"),
                                         K("consent"),
                                         K("income_monthly"),
                                         K("income_annual_2025"),
                                         K("assets")};
enum {
    PK_ID,
    PK_NAME,
    PK_BIRTH,
    PK_SEX,
    PK_REL,
    PK_SPOUSE,
    PK_NAT,
    PK_DIS,
    PK_PREG,
    PK_RARE,
    PK_DAYCARE,
    PK_SCHOOL,
    PK_BO,
    PK_OCC,
    PK_CONSENT,
    PK_IM,
    PK_IA,
    PK_AS,
};
#define PERSON_REQUIRED                                                                            \
    ((1u << PK_ID) | (1u << PK_BIRTH) | (1u << PK_SEX) | (1u << PK_REL) | (1u << PK_NAT))

static int
flag_member(struct ctx *c, struct rd *r, struct tperson *p, uint16_t bit)
{
    bool b;

    if (boolean(c, r, &b) != 0)
        return -1;
    if (b)
        p->flags |= bit;
    return 0;
}

static const struct key im_keys[] = {K("earned"),          K("business"),
                                     K("public_pension"),  K("private_pension"),
                                     K("property_income"), K("other")};
static const struct key ia_keys[] = {K("earned"), K("business"), K("other_taxable")};
static const struct key as_keys[] = {K("housing"), K("general"), K("financial"), K("vehicle"),
                                     K("debt")};
static const struct key disability_keys[] = {K("registered"), K("severe")};
static const struct key consent_keys[] = {K("financial")};

/* {registered, severe} or {financial}: an object of boolean members. */
static int
flag_group(struct ctx *c, struct rd *r, struct tperson *p, const struct key *names, unsigned n,
           const uint16_t *bits)
{
    struct cl_bytes key;
    bool first = true;
    unsigned mask = 0, hint = 0;
    int k, i;

    if (obj_begin(c, r) != 0)
        return -1;
    while ((k = next_member(c, r, &first, names, n, &hint, &key, &i)) == 1) {
        set_key(c, 2, key);
        if (i < 0) {
            if (skip(c, r) != 0)
                return -1;
            continue;
        }
        if (seen(c, &mask, i) != 0 || flag_member(c, r, p, bits[i]) != 0)
            return -1;
    }
    if (k < 0)
        return -1;
    return missing(c, 2, mask, (1u << n) - 1, names);
}

static int
person_value(struct ctx *c, struct rd *r, struct tperson *p, int k)
{
    static const uint16_t dis_bits[] = {CL_POP_P_DISABLED, CL_POP_P_SEVERE};
    static const uint16_t consent_bits[] = {CL_POP_P_CONSENT};
    struct cl_bytes s;
    bool esc;
    int64_t v;

    switch (k) {
    case PK_ID:
        if (ident(c, r, &p->id) != 0)
            return -1;
        if (c->pop != NULL)
            pop_index_prefetch(&c->pop->priv->pidx, p->id);
        return 0;
    case PK_NAME:
        return text_or_null(c, r);
    case PK_BIRTH:
        return date(c, r, &p->birth);
    case PK_SEX:
        return enumerated(c, r, cl_pop_sex_names, CL_POP_SEX_COUNT, &p->sex);
    case PK_REL:
        return enumerated(c, r, cl_pop_relation_names, CL_POP_REL_COUNT, &p->rel);
    case PK_SPOUSE:
        if (is_null(r))
            return 0;
        p->has_spouse = true;
        return ident(c, r, &p->spouse);
    case PK_NAT:
        if (str(c, r, &s, &esc) != 0)
            return -1;
        if (s.len != 2 || s.ptr[0] < 'A' || s.ptr[0] > 'Z' || s.ptr[1] < 'A' || s.ptr[1] > 'Z')
            return BAD(c, "not an ISO 3166-1 alpha-2 code");
        if (s.ptr[0] == 'K' && s.ptr[1] == 'R')
            p->flags |= CL_POP_P_KR;
        return 0;
    case PK_DIS:
        return flag_group(c, r, p, disability_keys, 2, dis_bits);
    case PK_PREG:
        return flag_member(c, r, p, CL_POP_P_PREGNANT);
    case PK_RARE:
        return flag_member(c, r, p, CL_POP_P_RARE_DISEASE);
    case PK_DAYCARE:
        return flag_member(c, r, p, CL_POP_P_DAYCARE);
    case PK_SCHOOL:
        if (is_null(r))
            return 0;
        return enumerated(c, r, cl_pop_school_names, CL_POP_SCHOOL_COUNT, &p->school);
    case PK_BO:
        if (is_null(r))
            return 0;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return BAD(c, "not a positive integer");
        if (money(c, r, &v) != 0)
            return -1;
        if (v == 0)
            return BAD(c, "not a positive integer");
        p->bo = v > 255 ? 255 : (uint8_t)v;
        return 0;
    case PK_OCC:
        return flag_member(c, r, p, CL_POP_P_OCC_PENSION);
    case PK_CONSENT:
        return flag_group(c, r, p, consent_keys, 1, consent_bits);
    case PK_IM:
        if (is_null(r))
            return 0;
        p->flags |= CL_POP_P_HAS_INCOME_MONTHLY;
        return money_group(c, r, 2, im_keys, CL_POP_IM_COUNT, p->im);
    case PK_IA:
        if (is_null(r))
            return 0;
        p->flags |= CL_POP_P_HAS_INCOME_ANNUAL;
        return money_group(c, r, 2, ia_keys, CL_POP_IA_COUNT, p->ia);
    case PK_AS:
        if (is_null(r))
            return 0;
        p->flags |= CL_POP_P_HAS_ASSETS;
        return money_group(c, r, 2, as_keys, CL_POP_AS_COUNT, p->as);
    default:
        return skip(c, r);
    }
}

static int
person(struct ctx *c, struct rd *r, struct tperson *p)
{
    struct cl_bytes key;
    bool first = true;
    unsigned mask = 0, hint = 0;
    int k, i;

    memset(p, 0, sizeof *p);
    if (obj_begin(c, r) != 0)
        return -1;
    while ((k = next_member(c, r, &first, person_keys, CL_ARRAY_LEN(person_keys), &hint, &key,
                            &i)) == 1) {
        set_key(c, 1, key);
        if (i >= 0 && seen(c, &mask, i) != 0)
            return -1;
        if (person_value(c, r, p, i) != 0)
            return -1;
    }
    if (k < 0)
        return -1;
    return missing(c, 1, mask, PERSON_REQUIRED, person_keys);
}

static const struct key region_keys[] = {K("sido"), K("sigungu"), K("nblss_tier"),
                                         K("pension_tier"), K("child_allowance_area")};
static const struct key housing_keys[] = {K("tenure"), K("deposit"), K("monthly_rent")};

static int
region(struct ctx *c, struct rd *r, struct thh *h)
{
    struct cl_bytes key;
    bool first = true;
    unsigned mask = 0, hint = 0;
    int k, i, rc;

    if (obj_begin(c, r) != 0)
        return -1;
    while ((k = next_member(c, r, &first, region_keys, CL_ARRAY_LEN(region_keys), &hint, &key,
                            &i)) == 1) {
        set_key(c, 1, key);
        if (i >= 0 && seen(c, &mask, i) != 0)
            return -1;
        switch (i) {
        case 2:
            rc = enumerated(c, r, cl_pop_nblss_tier_names, CL_POP_NBLSS_COUNT, &h->nblss);
            break;
        case 3:
            rc = enumerated(c, r, cl_pop_pension_tier_names, CL_POP_PENSION_COUNT, &h->pension);
            break;
        case 4:
            rc = enumerated(c, r, cl_pop_ca_area_names, CL_POP_CA_COUNT, &h->ca);
            break;
        case 0:
        case 1:
            rc = text_or_null(c, r);
            break;
        default:
            rc = skip(c, r);
        }
        if (rc != 0)
            return -1;
    }
    if (k < 0)
        return -1;
    return missing(c, 1, mask, 0x1c, region_keys);
}

static int
housing(struct ctx *c, struct rd *r, struct thh *h)
{
    struct cl_bytes key;
    bool first = true;
    unsigned mask = 0, hint = 0;
    int k, i, rc;

    if (obj_begin(c, r) != 0)
        return -1;
    while ((k = next_member(c, r, &first, housing_keys, CL_ARRAY_LEN(housing_keys), &hint, &key,
                            &i)) == 1) {
        set_key(c, 1, key);
        if (i >= 0 && seen(c, &mask, i) != 0)
            return -1;
        switch (i) {
        case 0:
            rc = enumerated(c, r, cl_pop_tenure_names, CL_POP_TENURE_COUNT, &h->tenure);
            break;
        case 1:
            rc = 0;
            if (!is_null(r)) {
                h->flags |= CL_POP_H_HAS_DEPOSIT;
                rc = money(c, r, &h->deposit);
            }
            break;
        case 2:
            rc = 0;
            if (!is_null(r)) {
                h->flags |= CL_POP_H_HAS_RENT;
                rc = money(c, r, &h->rent);
            }
            break;
        default:
            rc = skip(c, r);
        }
        if (rc != 0)
            return -1;
    }
    if (k < 0)
        return -1;
    return missing(c, 1, mask, 0x1, housing_keys);
}

static const struct key household_keys[] = {
    K("id"),   K("region"), K("housing"), K("kind"), K("single_parent"), K("parents_household_id"),
    K("note"), K("members")};
#define HH_REQUIRED ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 7))

static int
members(struct ctx *c, struct rd *r, struct thh *h)
{
    bool first = true;
    int k;

    if (arr_begin(c, r) != 0)
        return -1;
    while ((k = next_elem(c, r, &first)) == 1) {
        if (h->n >= c->lim->max_members) {
            set_key(c, 0, cl_bytes_str("members"));
            c->mi = (int)h->n;
            return fail(c, CL_ERR_TOO_LARGE, "more members than the limit");
        }
        c->mi = (int)h->n;
        if (person(c, r, &h->m[h->n]) != 0)
            return -1;
        h->n++;
    }
    if (k < 0)
        return -1;
    c->mi = -1;
    return 0;
}

static int
household(struct ctx *c, struct rd *r, struct thh *h)
{
    struct cl_bytes key;
    bool first = true, b;
    unsigned mask = 0, hint = 0;
    int k, i, rc;

    memset(h, 0, offsetof(struct thh, m));
    c->depth = 0;
    if (obj_begin(c, r) != 0)
        return -1;
    while ((k = next_member(c, r, &first, household_keys, CL_ARRAY_LEN(household_keys), &hint, &key,
                            &i)) == 1) {
        set_key(c, 0, key);
        if (i >= 0 && seen(c, &mask, i) != 0)
            return -1;
        switch (i) {
        case 0:
            rc = ident(c, r, &h->id);
            if (rc == 0 && c->pop != NULL)
                pop_index_prefetch(&c->pop->priv->hidx, h->id);
            break;
        case 1:
            rc = region(c, r, h);
            break;
        case 2:
            rc = housing(c, r, h);
            break;
        case 3:
            rc = enumerated(c, r, cl_pop_kind_names, CL_POP_KIND_COUNT, &h->kind);
            break;
        case 4:
            rc = boolean(c, r, &b);
            if (rc == 0 && b)
                h->flags |= CL_POP_H_SINGLE_PARENT;
            break;
        case 5:
            rc = 0;
            if (!is_null(r)) {
                h->has_parents = true;
                rc = ident(c, r, &h->parents);
            }
            break;
        case 6:
            rc = text_or_null(c, r);
            break;
        case 7:
            rc = members(c, r, h);
            break;
        default:
            rc = skip(c, r);
        }
        if (rc != 0)
            return -1;
    }
    if (k < 0)
        return -1;
    return missing(c, 0, mask, HH_REQUIRED, household_keys);
}

static void
member_path(struct ctx *c, unsigned j, const char *field)
{
    set_key(c, 0, cl_bytes_str("members"));
    c->mi = (int)j;
    c->path[1] = cl_bytes_str(field);
}

/* What a household says about itself beyond each field: one head, spouses, unique ids. */
static int
household_check(struct ctx *c, struct thh *h)
{
    unsigned heads = 0;

    if (h->n == 0) {
        set_key(c, 0, cl_bytes_str("members"));
        return BAD(c, "no members");
    }
    for (unsigned j = 0; j < h->n; j++) {
        heads += h->m[j].rel == CL_POP_REL_HEAD;
        for (unsigned q = 0; q < j; q++) {
            if (cl_bytes_eq(h->m[q].id, h->m[j].id)) {
                member_path(c, j, "id");
                return fail(c, CL_ERR_DUPLICATE, "duplicate person id in the household");
            }
        }
    }
    if (heads != 1) {
        set_key(c, 0, cl_bytes_str("members"));
        return BAD(c, heads == 0 ? "no member is the head" : "more than one head");
    }
    if (h->has_parents && cl_bytes_eq(h->parents, h->id)) {
        set_key(c, 0, cl_bytes_str("parents_household_id"));
        return BAD(c, "names the household itself");
    }
    return 0;
}

/* The spouse of member j as a member position, -1 none; checked reciprocal. */
static int
spouse_of(struct ctx *c, struct thh *h, unsigned j, int *out)
{
    *out = -1;
    if (!h->m[j].has_spouse)
        return 0;
    for (unsigned q = 0; q < h->n; q++) {
        if (cl_bytes_eq(h->m[q].id, h->m[j].spouse)) {
            *out = (int)q;
            break;
        }
    }
    member_path(c, j, "spouse_id");
    if (*out < 0)
        return BAD(c, "not a member of the household");
    if ((unsigned)*out == j)
        return BAD(c, "names the person itself");
    if (!h->m[*out].has_spouse || !cl_bytes_eq(h->m[*out].spouse, h->m[j].id))
        return BAD(c, "not reciprocated by the spouse");
    c->path[0] = cl_bytes_of(NULL, 0);
    c->mi = -1;
    return 0;
}

static uint32_t
pack(const uint8_t *rec, struct cl_bytes v)
{
    return (uint32_t)(v.ptr - rec) << 8 | (uint32_t)v.len;
}

static inline int
money_col(struct cl_pop *pop, int32_t *col, size_t i, int64_t v)
{
    if (v <= INT32_MAX) {
        col[i] = (int32_t)v;
        return 0;
    }
    return pop_wide(pop, v, &col[i]) == CL_OK ? 0 : -1;
}

/*
 * Append a checked household to the columns. Returns 0, -1 for a record problem in c
 * (duplicate ids), or a cl_err (> 0) that stops the load.
 */
static int
commit(struct cl_pop *pop, struct ctx *c, struct thh *h, const uint8_t *rec, size_t rec_len,
       bool indexed)
{
    struct cl_pop_priv *pv = pop->priv;
    size_t hi = pop->nh, p0 = pop->np;
    int spouse[256];
    size_t slots[257];
    cl_err rc;

    for (unsigned j = 0; j < h->n; j++)
        if (spouse_of(c, h, j, &spouse[j]) != 0)
            return -1;
    if (p0 + h->n > c->lim->max_persons)
        return CL_ERR_TOO_LARGE;
    if ((rc = pop_reserve(pop, hi + 1, p0 + h->n)) != CL_OK)
        return rc;
    pv->hh_off[hi] = (uint64_t)(rec - pv->text);
    pv->hh_len[hi] = (uint32_t)rec_len;
    pv->hh_id[hi] = pack(rec, h->id);
    pop->hh_first[hi] = (int32_t)p0;
    pop->hh_first[hi + 1] = (int32_t)(p0 + h->n);
    pop->hh_parents[hi] = h->has_parents ? (int32_t)pack(rec, h->parents) : -1;
    if (money_col(pop, pop->hh_deposit, hi, h->deposit) != 0 ||
        money_col(pop, pop->hh_rent, hi, h->rent) != 0)
        return CL_ERR_NOMEM;
    pop->hh_nblss_tier[hi] = h->nblss;
    pop->hh_pension_tier[hi] = h->pension;
    pop->hh_ca_area[hi] = h->ca;
    pop->hh_tenure[hi] = h->tenure;
    pop->hh_kind[hi] = h->kind;
    pop->hh_flags[hi] = (uint8_t)(h->flags | (h->has_parents ? CL_POP_H_PARENTS_GIVEN : 0));
    for (unsigned j = 0; j < h->n; j++) {
        const struct tperson *p = &h->m[j];
        size_t i = p0 + j;

        pop->p_hh[i] = (int32_t)hi;
        pop->p_spouse[i] = spouse[j] < 0 ? -1 : (int32_t)(p0 + (size_t)spouse[j]);
        pop->p_birth[i] = p->birth;
        pop->p_flags[i] = p->flags;
        pop->p_sex[i] = p->sex;
        pop->p_relation[i] = p->rel;
        pop->p_school[i] = p->school;
        pop->p_birth_order[i] = p->bo;
        pv->p_id[i] = pack(rec, p->id);
        if (p->rel == CL_POP_REL_HEAD)
            pop->hh_head[hi] = (int32_t)i;
        for (int k = 0; k < CL_POP_IM_COUNT; k++)
            if (money_col(pop, pop->income_monthly[k], i, p->im[k]) != 0)
                return CL_ERR_NOMEM;
        for (int k = 0; k < CL_POP_IA_COUNT; k++)
            if (money_col(pop, pop->income_annual[k], i, p->ia[k]) != 0)
                return CL_ERR_NOMEM;
        for (int k = 0; k < CL_POP_AS_COUNT; k++)
            if (money_col(pop, pop->assets[k], i, p->as[k]) != 0)
                return CL_ERR_NOMEM;
    }
    if (!indexed) {
        pop->nh = hi + 1;
        pop->np = p0 + h->n;
        return 0;
    }
    if (hi == 4096 && rec > pv->text) {
        /* size the indexes and columns once for the whole feed, by what the first records
         * took, rather than rehash as they grow (rehashing reads every id again) */
        double ratio = (double)pv->text_len / (double)(rec - pv->text) * 1.02;
        size_t eh = (size_t)((double)hi * ratio), ep = (size_t)((double)p0 * ratio);

        if (eh > c->lim->max_households)
            eh = c->lim->max_households;
        if (ep > c->lim->max_persons)
            ep = c->lim->max_persons;
        if (ep > CL_POP_INDEX_MAX)
            ep = CL_POP_INDEX_MAX;
        if (eh > CL_POP_INDEX_MAX)
            eh = CL_POP_INDEX_MAX;
        if (eh > hi && ep > p0 &&
            ((rc = pop_index_reserve(pop, &pv->hidx, eh - hi)) != CL_OK ||
             (rc = pop_index_reserve(pop, &pv->pidx, ep - p0)) != CL_OK ||
             (rc = pop_reserve(pop, eh, ep)) != CL_OK))
            return rc;
    }
    if ((rc = pop_index_reserve(pop, &pv->hidx, 1)) != CL_OK ||
        (rc = pop_index_reserve(pop, &pv->pidx, h->n)) != CL_OK)
        return rc;
    if (pop_index_add(pop, &pv->hidx, hi, &slots[h->n]) >= 0) {
        set_key(c, 0, cl_bytes_str("id"));
        return fail(c, CL_ERR_DUPLICATE, "duplicate household id");
    }
    for (unsigned j = 0; j < h->n; j++) {
        if (pop_index_add(pop, &pv->pidx, p0 + j, &slots[j]) >= 0) {
            for (unsigned q = j; q-- > 0;)
                pop_index_remove(&pv->pidx, slots[q]);
            pop_index_remove(&pv->hidx, slots[h->n]);
            member_path(c, j, "id");
            return fail(c, CL_ERR_DUPLICATE, "person id already in another household");
        }
    }
    pop->nh = hi + 1;
    pop->np = p0 + h->n;
    return 0;
}

/* ---- the feed ---- */

void
cl_pop_limits_default(struct cl_pop_limits *lim)
{
    lim->max_record_bytes = (size_t)1 << 20;
    lim->max_depth = 8;
    lim->max_members = 64;
    lim->max_id_bytes = 64;
    lim->max_households = 100000000;
    lim->max_persons = 100000000;
    lim->threads = 0;
}

/* A report kept by a part of a parallel load until the records before its part are counted. */
struct pending {
    size_t index; /* within the part */
    struct ctx c;
    struct cl_bytes id;
};

struct loader {
    struct cl_pop *pop;
    struct cl_pop_limits lim;
    cl_pop_report_fn report;
    void *report_ctx;
    struct cl_pop_summary sum;
    bool part;            /* one part of a parallel load: no indexes, reports kept */
    struct pending *pend; /* the kept reports */
    size_t npend, cappend;
    const uint8_t *from, *to; /* the part's lines */
    cl_err rc;                /* the part's result */
    struct thh h;
    struct tperson m[256];
};

static void
put_view(char *out, size_t cap, size_t *at, struct cl_bytes v)
{
    for (size_t k = 0; k < v.len && *at + 1 < cap; k++)
        out[(*at)++] = v.ptr[k] >= 0x20 && v.ptr[k] < 0x7f ? (char)v.ptr[k] : '?';
    out[*at] = '\0';
}

/* The id of a record whose parse failed, when its top level still reads. */
static struct cl_bytes
find_id(struct loader *L, const uint8_t *s, const uint8_t *e)
{
    struct ctx c = {.lim = &L->lim, .mi = -1};
    struct rd r = {s, e, false};
    struct cl_bytes key, id = {NULL, 0};
    bool first = true;

    if (obj_begin(&c, &r) != 0)
        return id;
    while (next_key(&c, &r, &first, &key) == 1) {
        if (cl_bytes_eq_str(key, "id"))
            return ident(&c, &r, &id) == 0 ? id : cl_bytes_of(NULL, 0);
        if (skip(&c, &r) != 0)
            break;
    }
    return cl_bytes_of(NULL, 0);
}

static void
format_report(size_t index, const struct ctx *c, struct cl_bytes id, struct cl_error *e)
{
    size_t at = 0;

    memset(e, 0, sizeof *e);
    e->code = c->code;
    at = (size_t)snprintf(e->where, sizeof e->where, "households[%zu]", index);
    if (id.len > 0 && at + 6 < sizeof e->where) {
        at += (size_t)snprintf(e->where + at, sizeof e->where - at, " id \"");
        put_view(e->where, sizeof e->where, &at, id);
        at += (size_t)snprintf(e->where + at, sizeof e->where - at, "\"");
    }
    if (c->path[0].len > 0 && at + 3 < sizeof e->where) {
        at += (size_t)snprintf(e->where + at, sizeof e->where - at, ": ");
        put_view(e->where, sizeof e->where, &at, c->path[0]);
        if (c->mi >= 0 && at < sizeof e->where)
            at += (size_t)snprintf(e->where + at, sizeof e->where - at, "[%d]", c->mi);
        for (int k = 1; k < 3 && at + 1 < sizeof e->where; k++) {
            if (c->path[k].len == 0)
                break;
            e->where[at++] = '.';
            put_view(e->where, sizeof e->where, &at, c->path[k]);
        }
    }
    snprintf(e->msg, sizeof e->msg, "%s", c->msg != NULL ? c->msg : "bad record");
}

static void
report_bad(struct loader *L, struct ctx *c, struct cl_bytes id)
{
    struct cl_error e;

    L->sum.skipped++;
    if (L->report == NULL)
        return;
    if (L->part) {
        if (L->npend == L->cappend) {
            size_t cap = L->cappend < 16 ? 16 : L->cappend * 2;
            struct pending *q = cl_realloc(L->pend, cap * sizeof *q);

            if (q == NULL) {
                L->rc = CL_ERR_NOMEM;
                return;
            }
            L->pend = q;
            L->cappend = cap;
        }
        L->pend[L->npend++] = (struct pending){L->sum.records, *c, id};
        return;
    }
    format_report(L->sum.records, c, id, &e);
    L->report(L->report_ctx, L->sum.records, id, &e);
}

/*
 * One household record starting at s (its '{' or what stands there), the text ending at e.
 * *next gets where the record ends (NULL when its JSON cannot be read to its end).
 * Returns 0 (loaded or skipped and reported) or a cl_err that stops the load.
 */
static int
record(struct loader *L, const uint8_t *s, const uint8_t *e, bool line, const uint8_t **next)
{
    struct ctx c = {.lim = &L->lim, .pop = L->part ? NULL : L->pop, .mi = -1};
    struct rd r = {s, e, line};
    size_t len;
    int rc;

    if (L->sum.records >= L->lim.max_households)
        return CL_ERR_TOO_LARGE;
#if defined(__GNUC__) || defined(__clang__)
    /* the input streams through once: ask for the next few kilobytes ahead of the scanner */
    for (size_t k = 1024; k < 4096 && k < (size_t)(e - s); k += 64)
        __builtin_prefetch(s + k);
#endif
    if ((size_t)(e - s) > L->lim.max_record_bytes)
        r.end = s + L->lim.max_record_bytes;
    rc = household(&c, &r, &L->h);
    len = (size_t)(r.p - s);
    if (rc == 0 && line) {
        ws(&r);
        if (r.p < r.end && *r.p == '\n') {
            r.p++;
        } else if (r.p != e) {
            set_key(&c, 0, cl_bytes_of(NULL, 0));
            rc = BAD(&c, "bad JSON: more after the household object");
        }
    }
    if (rc == 0)
        rc = household_check(&c, &L->h);
    if (rc == 0) {
        rc = commit(L->pop, &c, &L->h, s, len, !L->part);
        if (rc > 0)
            return rc;
    }
    if (rc == 0) {
        *next = r.p;
        L->sum.loaded++;
        L->sum.records++;
        return 0;
    }
    /* a bad record: find its end (a JSON Lines record ends with its line) */
    if (line) {
        const uint8_t *nl = memchr(s, '\n', (size_t)(e - s));

        *next = nl != NULL ? nl + 1 : e;
        len = (size_t)((nl != NULL ? nl : e) - s);
    } else {
        struct ctx c2 = {.lim = &L->lim, .mi = -1};
        struct rd r2 = {s, e, false};

        if (skip(&c2, &r2) != 0)
            return CL_ERR_INPUT; /* the document cannot be read past this record */
        *next = r2.p;
        len = (size_t)(r2.p - s);
    }
    if (len > L->lim.max_record_bytes) {
        c.code = CL_ERR_TOO_LARGE;
        c.msg = "record larger than the limit";
        set_key(&c, 0, cl_bytes_of(NULL, 0));
    }
    if (c.path[0].len > 0 && cl_bytes_eq_str(c.path[0], "id") && c.mi < 0 && c.path[1].len == 0 &&
        c.code != CL_ERR_DUPLICATE)
        report_bad(L, &c, cl_bytes_of(NULL, 0)); /* the id itself is bad */
    else
        report_bad(L, &c, L->h.id.len > 0 ? L->h.id : find_id(L, s, s + len));
    L->sum.records++;
    return 0;
}

/* Header members: schema (required, ours) and evaluation_date. 0, or -1 with c set. */
static int
header_member(struct ctx *c, struct rd *r, struct cl_pop *pop, struct cl_bytes key, bool *schema)
{
    struct cl_bytes s;
    bool esc;

    set_key(c, 0, key);
    if (cl_bytes_eq_str(key, "schema")) {
        if (str(c, r, &s, &esc) != 0)
            return -1;
        if (!cl_bytes_eq_str(s, CL_POP_SCHEMA))
            return fail(c, CL_ERR_UNSUPPORTED, "not " CL_POP_SCHEMA);
        *schema = true;
        return 0;
    }
    if (cl_bytes_eq_str(key, "evaluation_date")) {
        pop->has_evaluation_date = true;
        return date(c, r, &pop->evaluation_date);
    }
    return skip(c, r);
}

static cl_err
feed_fail(struct ctx *c, struct cl_error *err, const char *where)
{
    char w[CL_ERROR_WHERE_MAX];
    size_t at = (size_t)snprintf(w, sizeof w, "%s", where);

    if (c->path[0].len > 0 && at + 2 < sizeof w) {
        w[at++] = '.';
        put_view(w, sizeof w, &at, c->path[0]);
    }
    return cl_fail(err, c->code != CL_OK ? c->code : CL_ERR_INPUT, w, "%s",
                   c->msg != NULL ? c->msg : "not a feed");
}

/* Does the first object of the text have a member named name at its top level? */
static bool
has_top_key(const struct cl_pop_limits *lim, const uint8_t *s, const uint8_t *e, const char *name)
{
    struct ctx c = {.lim = lim, .mi = -1};
    struct rd r = {s, e, false};
    struct cl_bytes key;
    bool first = true;

    if (obj_begin(&c, &r) != 0)
        return false;
    while (next_key(&c, &r, &first, &key) == 1) {
        if (cl_bytes_eq_str(key, name))
            return true;
        if (skip(&c, &r) != 0)
            return false;
    }
    return false;
}

static cl_err
load_document(struct loader *L, struct rd *r, struct cl_error *err)
{
    struct ctx c = {.lim = &L->lim, .mi = -1};
    struct cl_bytes key;
    bool first = true, schema = false, households = false;
    int k;

    (void)obj_begin(&c, r);
    while ((k = next_key(&c, r, &first, &key)) == 1) {
        if (!cl_bytes_eq_str(key, "households")) {
            if (header_member(&c, r, L->pop, key, &schema) != 0)
                return feed_fail(&c, err, "feed");
            continue;
        }
        bool efirst = true;
        int ke;

        households = true;
        set_key(&c, 0, key);
        if (arr_begin(&c, r) != 0)
            return feed_fail(&c, err, "feed");
        while ((ke = next_elem(&c, r, &efirst)) == 1) {
            const uint8_t *next;
            int rc = record(L, r->p, r->end, false, &next);

            if (rc != 0) {
                char w[64];

                snprintf(w, sizeof w, "households[%zu]", L->sum.records);
                if (rc == CL_ERR_INPUT)
                    return cl_fail(err, CL_ERR_INPUT, w, "bad JSON: the feed cannot be read on");
                if (rc == CL_ERR_TOO_LARGE)
                    return cl_fail(err, CL_ERR_TOO_LARGE, w,
                                   "more households or persons than "
                                   "the limits");
                return cl_fail(err, rc, w, "cannot store the household");
            }
            r->p = next;
        }
        if (ke < 0)
            return feed_fail(&c, err, "feed");
    }
    if (k < 0)
        return feed_fail(&c, err, "feed");
    ws(r);
    if (r->p != r->end)
        return cl_fail(err, CL_ERR_INPUT, "feed", "bad JSON: more after the document");
    if (!schema)
        return cl_fail(err, CL_ERR_MISSING, "feed.schema", "missing field");
    if (!households)
        return cl_fail(err, CL_ERR_MISSING, "feed.households", "missing field");
    return CL_OK;
}

/* A header line at *sp, when the first line is one: read, and *sp moved past it. */
static cl_err
lines_header(struct loader *L, const uint8_t **sp, const uint8_t *e, struct cl_error *err)
{
    struct rd line = {*sp, e, true};
    const uint8_t *nl, *le;
    struct ctx c = {.lim = &L->lim, .mi = -1};
    struct cl_bytes key;
    bool first = true, schema = false;
    int k;

    for (;;) { /* skip blank lines */
        ws(&line);
        if (line.p == e)
            return CL_OK;
        if (*line.p != '\n')
            break;
        line.p++;
    }
    nl = memchr(line.p, '\n', (size_t)(e - line.p));
    le = nl != NULL ? nl : e;
    if (!has_top_key(&L->lim, line.p, le, "schema") || has_top_key(&L->lim, line.p, le, "members"))
        return CL_OK;
    line.end = le;
    (void)obj_begin(&c, &line);
    while ((k = next_key(&c, &line, &first, &key)) == 1)
        if (header_member(&c, &line, L->pop, key, &schema) != 0)
            return feed_fail(&c, err, "header");
    if (k < 0)
        return feed_fail(&c, err, "header");
    ws(&line);
    if (line.p != le)
        return cl_fail(err, CL_ERR_INPUT, "header", "bad JSON: more after the object");
    *sp = nl != NULL ? nl + 1 : e;
    return CL_OK;
}

/* The records of [s, e), one per line; 0 or the cl_err that stops the load (err not set). */
static cl_err
lines(struct loader *L, const uint8_t *s, const uint8_t *e)
{
    while (s < e) {
        struct rd line = {s, e, true};
        const uint8_t *next;
        int rc;

        ws(&line);
        if (line.p == e)
            break;
        if (*line.p == '\n') { /* a blank line */
            s = line.p + 1;
            continue;
        }
        rc = record(L, line.p, e, true, &next);
        if (rc != 0)
            return rc;
        if (L->rc != CL_OK)
            return L->rc;
        s = next;
    }
    return CL_OK;
}

static cl_err
lines_fail(struct loader *L, cl_err rc, struct cl_error *err)
{
    char w[64];

    snprintf(w, sizeof w, "households[%zu]", L->sum.records);
    if (rc == CL_ERR_TOO_LARGE)
        return cl_fail(err, rc, w, "more households or persons than the limits");
    return cl_fail(err, rc, w, "cannot store the household");
}

static cl_err
load_lines(struct loader *L, struct rd *r, struct cl_error *err)
{
    const uint8_t *s = r->p;
    cl_err rc;

    if ((rc = lines_header(L, &s, r->end, err)) != CL_OK)
        return rc;
    rc = lines(L, s, r->end);
    return rc == CL_OK ? CL_OK : lines_fail(L, rc, err);
}

/* ---- JSON Lines on several cores ---- */

static inline void
prefetch(const void *p)
{
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

static void *
part_main(void *arg)
{
    struct loader *L = arg;

    L->rc = lines(L, L->from, L->to);
    return NULL;
}

static int32_t
shift(int32_t v, int32_t by)
{
    return v < 0 ? v : v + by;
}

/* Money of a part: its wide amounts come after those already in the store. */
static int32_t
shift_money(int32_t v, int32_t wide_base)
{
    return v >= 0 ? v : v - wide_base;
}

/* Append part's columns to pop's, one column at a time, each freed once copied (so that the
 * peak is the store plus one column of the part), and part's wide amounts after pop's. */
static cl_err
merge(struct cl_pop *pop, struct cl_pop *part)
{
    size_t nh = pop->nh, np = pop->np, ph = part->nh, pp = part->np;
    int32_t hb = (int32_t)nh, pb = (int32_t)np, wb = (int32_t)pop->nwide;
    struct cl_pop_priv *pv = pop->priv, *qv = part->priv;
    int32_t dummy;

    if (pop_reserve(pop, nh + ph, np + pp) != CL_OK)
        return CL_ERR_NOMEM;
    for (size_t k = 0; k < part->nwide; k++)
        if (pop_wide(pop, part->wide[k], &dummy) != CL_OK)
            return CL_ERR_NOMEM;
#define COPY(dst, src, n, expr)                                                                    \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (n); i_++) {                                                      \
            (void)0;                                                                               \
            (dst)[i_] = expr((src)[i_]);                                                           \
        }                                                                                          \
        cl_free(src);                                                                              \
        (src) = NULL;                                                                              \
    } while (0)
#define SAME(v) (v)
#define PB(v) shift((v), pb)
#define HB(v) shift((v), hb)
#define WB(v) shift_money((v), wb)
    for (size_t h = 0; h < ph; h++)
        pop->hh_first[nh + h + 1] = part->hh_first[h + 1] + pb;
    cl_free(part->hh_first);
    part->hh_first = NULL;
    COPY(pop->hh_head + nh, part->hh_head, ph, PB);
    COPY(pop->hh_parents + nh, part->hh_parents, ph, SAME); /* packed ids, resolved later */
    COPY(pop->hh_deposit + nh, part->hh_deposit, ph, WB);
    COPY(pop->hh_rent + nh, part->hh_rent, ph, WB);
    COPY(pop->hh_nblss_tier + nh, part->hh_nblss_tier, ph, SAME);
    COPY(pop->hh_pension_tier + nh, part->hh_pension_tier, ph, SAME);
    COPY(pop->hh_ca_area + nh, part->hh_ca_area, ph, SAME);
    COPY(pop->hh_tenure + nh, part->hh_tenure, ph, SAME);
    COPY(pop->hh_kind + nh, part->hh_kind, ph, SAME);
    COPY(pop->hh_flags + nh, part->hh_flags, ph, SAME);
    COPY(pv->hh_off + nh, qv->hh_off, ph, SAME);
    COPY(pv->hh_len + nh, qv->hh_len, ph, SAME);
    COPY(pv->hh_id + nh, qv->hh_id, ph, SAME);
    COPY(pop->p_hh + np, part->p_hh, pp, HB);
    COPY(pop->p_spouse + np, part->p_spouse, pp, PB);
    COPY(pop->p_birth + np, part->p_birth, pp, SAME);
    COPY(pop->p_flags + np, part->p_flags, pp, SAME);
    COPY(pop->p_sex + np, part->p_sex, pp, SAME);
    COPY(pop->p_relation + np, part->p_relation, pp, SAME);
    COPY(pop->p_school + np, part->p_school, pp, SAME);
    COPY(pop->p_birth_order + np, part->p_birth_order, pp, SAME);
    COPY(pv->p_id + np, qv->p_id, pp, SAME);
    for (int k = 0; k < CL_POP_IM_COUNT; k++)
        COPY(pop->income_monthly[k] + np, part->income_monthly[k], pp, WB);
    for (int k = 0; k < CL_POP_IA_COUNT; k++)
        COPY(pop->income_annual[k] + np, part->income_annual[k], pp, WB);
    for (int k = 0; k < CL_POP_AS_COUNT; k++)
        COPY(pop->assets[k] + np, part->assets[k], pp, WB);
#undef COPY
#undef SAME
#undef PB
#undef HB
#undef WB
    pop->nh = nh + ph;
    pop->np = np + pp;
    return CL_OK;
}

/* Index every household and person of a store loaded in parts: 1 when an id repeats (the
 * parts could not see each other), 0 done, or a cl_err. */
static int
index_all(struct cl_pop *pop)
{
    struct cl_pop_priv *pv = pop->priv;
    size_t slot;
    cl_err rc;

    if ((rc = pop_index_reserve(pop, &pv->hidx, pop->nh)) != CL_OK ||
        (rc = pop_index_reserve(pop, &pv->pidx, pop->np)) != CL_OK)
        return (int)rc;
    /* ids are read from the text, cold by now: fetch the text 16 ahead, the slot 8 ahead */
    for (size_t h = 0; h < pop->nh; h++) {
        if (h + 16 < pop->nh)
            prefetch(cl_pop_household_id(pop, h + 16).ptr);
        if (h + 8 < pop->nh)
            pop_index_prefetch(&pv->hidx, cl_pop_household_id(pop, h + 8));
        if (pop_index_add(pop, &pv->hidx, h, &slot) >= 0)
            return 1;
    }
    for (size_t i = 0; i < pop->np; i++) {
        if (i + 16 < pop->np)
            prefetch(cl_pop_person_id(pop, i + 16).ptr);
        if (i + 8 < pop->np)
            pop_index_prefetch(&pv->pidx, cl_pop_person_id(pop, i + 8));
        if (pop_index_add(pop, &pv->pidx, i, &slot) >= 0)
            return 1;
    }
    return 0;
}

/*
 * JSON Lines cut into `parts` runs of whole lines, each loaded by its own thread into its own
 * columns, then appended in order, indexed, and the kept reports given in record order. When
 * an id repeats across households, *again is set: the caller loads the feed once more in one
 * run, which reports the repeat where it stands.
 */
static cl_err
load_lines_parallel(struct loader *L0, struct rd *r, unsigned parts, bool *again,
                    struct cl_error *err)
{
    struct loader *L[16] = {NULL};
    size_t recs[16] = {0}; /* records of each part */
    pthread_t tid[16];
    bool started[16] = {false};
    const uint8_t *s = r->p, *e = r->end;
    size_t base = 0;
    cl_err rc;
    int ix;

    if ((rc = lines_header(L0, &s, e, err)) != CL_OK)
        return rc;
    L[0] = L0;
    L0->part = true;
    for (unsigned k = 0; k < parts; k++) {
        const uint8_t *cut = s + (size_t)(e - s) / parts * (k + 1), *nl;

        if (k > 0) {
            L[k] = cl_calloc(1, sizeof *L[k]);
            if (L[k] == NULL || (L[k]->pop = cl_calloc(1, sizeof *L[k]->pop)) == NULL ||
                (L[k]->pop->priv = cl_calloc(1, sizeof *L[k]->pop->priv)) == NULL) {
                rc = cl_fail(err, CL_ERR_NOMEM, "population", "out of memory");
                goto out;
            }
            L[k]->pop->priv->text = L0->pop->priv->text;
            L[k]->pop->priv->text_len = L0->pop->priv->text_len;
            L[k]->lim = L0->lim;
            L[k]->report = L0->report;
            L[k]->report_ctx = L0->report_ctx;
            L[k]->part = true;
            L[k]->h.m = L[k]->m;
            if (pop_reserve(L[k]->pop, 0, 0) != CL_OK) {
                rc = cl_fail(err, CL_ERR_NOMEM, "population", "out of memory");
                goto out;
            }
            L[k]->pop->hh_first[0] = 0;
        }
        L[k]->from = k == 0 ? s : L[k - 1]->to;
        nl = k + 1 == parts || cut >= e ? NULL : memchr(cut, '\n', (size_t)(e - cut));
        L[k]->to = k + 1 == parts || nl == NULL ? e : nl + 1;
        if (L[k]->to < L[k]->from)
            L[k]->to = L[k]->from;
    }
    for (unsigned k = 1; k < parts; k++) {
        if (pthread_create(&tid[k], NULL, part_main, L[k]) != 0) {
            rc = cl_fail(err, CL_ERR_INTERNAL, "population", "cannot start a thread");
            goto out;
        }
        started[k] = true;
    }
    part_main(L0);
    rc = CL_OK;
out:
    for (unsigned k = 1; k < parts; k++)
        if (started[k])
            pthread_join(tid[k], NULL);
    for (unsigned k = 0; rc == CL_OK && k < parts; k++)
        recs[k] = L[k]->sum.records;
    for (unsigned k = 0; rc == CL_OK && k < parts; k++) {
        if (L[k]->rc != CL_OK) {
            L0->sum.records = base + L[k]->sum.records;
            rc = lines_fail(L0, L[k]->rc, err);
        }
        base += L[k]->sum.records;
    }
    for (unsigned k = 1; rc == CL_OK && k < parts; k++) {
        L0->sum.records += L[k]->sum.records;
        L0->sum.loaded += L[k]->sum.loaded;
        L0->sum.skipped += L[k]->sum.skipped;
        if (merge(L0->pop, L[k]->pop) != CL_OK)
            rc = cl_fail(err, CL_ERR_NOMEM, "population", "out of memory");
    }
    if (rc == CL_OK && (L0->pop->nh > L0->lim.max_households || L0->pop->np > L0->lim.max_persons))
        rc = cl_fail(err, CL_ERR_TOO_LARGE, "feed", "more households or persons than the limits");
    if (rc == CL_OK && (ix = index_all(L0->pop)) != 0) {
        if (ix == 1)
            *again = true;
        else
            rc = cl_fail(err, ix, "population", "out of memory");
    }
    if (rc == CL_OK && !*again && L0->report != NULL) {
        base = 0;
        for (unsigned k = 0; k < parts; k++) {
            for (size_t j = 0; j < L[k]->npend; j++) {
                struct pending *q = &L[k]->pend[j];
                struct cl_error e1;

                format_report(base + q->index, &q->c, q->id, &e1);
                L0->report(L0->report_ctx, base + q->index, q->id, &e1);
            }
            base += recs[k];
        }
    }
    for (unsigned k = 0; k < parts; k++) {
        if (L[k] == NULL)
            continue;
        cl_free(L[k]->pend);
        L[k]->pend = NULL;
        if (k > 0) {
            if (L[k]->pop != NULL) {
                cl_pop_fini(L[k]->pop);
                cl_free(L[k]->pop);
            }
            cl_free(L[k]);
        }
    }
    L0->part = false;
    return rc;
}

/* parents_household_id: from the packed id kept while loading to a household index. */
static void
resolve_parents(struct cl_pop *pop)
{
    for (size_t h = 0; h < pop->nh; h++) {
        if (pop->hh_flags[h] & CL_POP_H_PARENTS_GIVEN) {
            struct cl_bytes id = pop_unpack(pop, h, (uint32_t)pop->hh_parents[h]);

            pop->hh_parents[h] = cl_pop_find_household(pop, id);
        }
    }
}

cl_err
cl_pop_load(struct cl_pop *pop, struct cl_bytes text, const struct cl_pop_limits *lim,
            cl_pop_report_fn report, void *ctx, struct cl_pop_summary *sum, struct cl_error *err)
{
    struct loader *L = NULL;
    struct rd r = {text.ptr, text.ptr + text.len, false};
    cl_err rc;

    if (sum != NULL)
        memset(sum, 0, sizeof *sum);
    if (pop->priv != NULL || pop->np != 0)
        return cl_fail(err, CL_ERR_USAGE, "population", "the store is not empty");
    if (text.ptr == NULL && text.len != 0)
        return cl_fail(err, CL_ERR_USAGE, "feed", "no text");
    pop->priv = cl_calloc(1, sizeof *pop->priv);
    L = cl_calloc(1, sizeof *L);
    if (pop->priv == NULL || L == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, "population", "out of memory");
        goto out;
    }
    pop->priv->text = text.ptr;
    pop->priv->text_len = text.len;
    L->pop = pop;
    L->report = report;
    L->report_ctx = ctx;
    L->h.m = L->m;
    if (lim != NULL)
        L->lim = *lim;
    else
        cl_pop_limits_default(&L->lim);
    if (L->lim.max_record_bytes > CL_POP_RECORD_MAX)
        L->lim.max_record_bytes = CL_POP_RECORD_MAX;
    if (L->lim.max_id_bytes > CL_POP_ID_MAX)
        L->lim.max_id_bytes = CL_POP_ID_MAX;
    if (L->lim.max_members > CL_ARRAY_LEN(L->m))
        L->lim.max_members = CL_ARRAY_LEN(L->m);
    if (L->lim.max_persons > CL_POP_MAX_PERSONS)
        L->lim.max_persons = CL_POP_MAX_PERSONS;
    if (L->lim.max_depth < 4)
        L->lim.max_depth = 4; /* the feed's own shape: document, households, person, group */
    if ((rc = pop_reserve(pop, 0, 0)) != CL_OK) {
        rc = cl_fail(err, rc, "population", "out of memory");
        goto out;
    }
    pop->hh_first[0] = 0;
    if (r.end - r.p >= 3 && memcmp(r.p, "\xef\xbb\xbf", 3) == 0)
        r.p += 3; /* a byte order mark some tools write */
    ws(&r);
    if (r.p == r.end) {
        L->sum.jsonl = true;
        rc = CL_OK;
    } else if (*r.p != '{') {
        rc = cl_fail(err, CL_ERR_INPUT, "feed", "not a JSON object or JSON Lines of objects");
    } else if (has_top_key(&L->lim, r.p, r.end, "households")) {
        rc = load_document(L, &r, err);
    } else {
        unsigned parts = L->lim.threads;
        bool again = false;

        if (parts == 0) {
            long n = sysconf(_SC_NPROCESSORS_ONLN);

            parts = text.len < ((size_t)32 << 20) || n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
        }
        if (parts > 16)
            parts = 16;
        L->sum.jsonl = true;
        if (parts > 1) {
            rc = load_lines_parallel(L, &r, parts, &again, err);
            if (rc == CL_OK && again) { /* an id repeats: once more in one run, to say where */
                struct cl_pop_limits lim1 = L->lim;

                cl_free(L);
                cl_pop_fini(pop);
                lim1.threads = 1;
                return cl_pop_load(pop, text, &lim1, report, ctx, sum, err);
            }
        } else {
            rc = load_lines(L, &r, err);
        }
    }
    if (rc == CL_OK) {
        resolve_parents(pop);
        pop_drop_person_index(pop);
        pop_fit(pop);
    }
out:
    if (rc != CL_OK) {
        cl_pop_fini(pop);
    } else if (sum != NULL) {
        *sum = L->sum;
        sum->persons = pop->np;
    }
    cl_free(L);
    return rc;
}

cl_err
cl_pop_load_file(struct cl_pop *pop, const char *path, const struct cl_pop_limits *lim,
                 cl_pop_report_fn report, void *ctx, struct cl_pop_summary *sum,
                 struct cl_error *err)
{
    struct stat st;
    void *map = NULL;
    size_t len = 0;
    uint8_t *owned = NULL;
    cl_err rc;
    int fd;

    if (strcmp(path, "-") == 0) {
        struct cl_buf b;

        cl_buf_init_ex(&b, SIZE_MAX / 2, false);
        for (;;) {
            uint8_t *dst = cl_buf_extend(&b, 1 << 16);
            size_t got;

            if (dst == NULL)
                break;
            got = fread(dst, 1, 1 << 16, stdin);
            b.len -= (1 << 16) - got;
            if (got == 0)
                break;
        }
        if (ferror(stdin))
            cl_buf_set_err(&b, CL_ERR_IO);
        if ((rc = cl_buf_check(&b, "standard input", err)) != CL_OK) {
            cl_buf_fini(&b);
            return rc;
        }
        owned = cl_buf_take(&b, &len);
        if (owned == NULL)
            return cl_fail(err, CL_ERR_NOMEM, "standard input", "out of memory");
        rc = cl_pop_load(pop, cl_bytes_of(owned, len), lim, report, ctx, sum, err);
        if (rc != CL_OK)
            cl_free(owned);
        else
            pop->priv->owned = owned;
        return rc;
    }
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return cl_fail(err, CL_ERR_IO, path, "cannot open the feed");
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return cl_fail(err, CL_ERR_IO, path, "not a regular file");
    }
    len = (size_t)st.st_size;
    if (len > 0) {
#ifdef MAP_POPULATE
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
#else
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
#endif
        if (map == MAP_FAILED) {
            close(fd);
            return cl_fail(err, CL_ERR_IO, path, "cannot map the feed");
        }
        (void)posix_madvise(map, len, POSIX_MADV_SEQUENTIAL);
    }
    close(fd);
    rc = cl_pop_load(pop, cl_bytes_of(map, len), lim, report, ctx, sum, err);
    if (rc != CL_OK) {
        if (map != NULL)
            munmap(map, len);
        return rc;
    }
    pop->priv->mapped = map;
    pop->priv->mapped_len = len;
    return CL_OK;
}
