/*
 * rules.c - the benefit rules language (docs/rules.md): lexer, parser of *.rule and *.param
 * files, type and exactness checks, and compilation of each condition and amount to bytecode.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benefits/benefits_int.h"
#include "cardless/alloc.h"
#include "cardless/time.h"

#include "base/banned.h"

#define BN_FILE_MAX ((size_t)1 << 20)
#define BN_STRING_MAX 1024
#define BN_DEPTH_MAX 48
#define BN_ROWS_MAX 4096
#define BN_NUM_MAX ((int64_t)300000000000000) /* 3e14 won: scaled it still fits int64 */

enum tok {
    T_EOF,
    T_IDENT,
    T_STRING,
    T_INT,  /* ival */
    T_FRAC, /* num/den, from 0.7 or 32% */
    T_DATE, /* ival = days */
    T_LP,
    T_RP,
    T_LB,
    T_RB,
    T_COMMA,
    T_DOT,
    T_ASSIGN,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_PLUS,
    T_MINUS,
    T_STAR,
    T_SLASH,
};

struct lex {
    const char *file;
    const uint8_t *p, *end, *line_start;
    uint32_t line;
    /* current token */
    enum tok t;
    const uint8_t *s; /* token text */
    size_t n;
    uint32_t tline, tcol;
    int64_t ival, num, den;
    char str[BN_STRING_MAX];
    size_t slen;
    struct cl_error *err;
    cl_err rc;
};

static cl_err lfail(struct lex *l, uint32_t line, uint32_t col, const char *fmt, ...)
    CL_PRINTF(4, 5);

static cl_err
lfail(struct lex *l, uint32_t line, uint32_t col, const char *fmt, ...)
{
    char where[CL_ERROR_WHERE_MAX], msg[CL_ERROR_MSG_MAX];
    va_list ap;

    if (l->rc != CL_OK)
        return l->rc;
    snprintf(where, sizeof where, "%s:%u:%u", l->file, line, col);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l->rc = cl_fail(l->err, CL_ERR_INPUT, where, "%s", msg);
    return l->rc;
}

static cl_err
lnomem(struct lex *l)
{
    if (l->rc == CL_OK)
        l->rc = cl_fail(l->err, CL_ERR_NOMEM, l->file, "out of memory");
    return l->rc;
}

static bool
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool
is_ident(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c);
}

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Read digits with single underscores between them; returns false on overflow. */
static bool
lex_digits(struct lex *l, int64_t *v, int *ndig)
{
    int64_t x = 0;
    int n = 0;

    while (l->p < l->end && (is_digit(*l->p) || *l->p == '_')) {
        if (*l->p == '_') {
            if (n == 0 || l->p + 1 >= l->end || !is_digit(l->p[1]))
                return false;
            l->p++;
            continue;
        }
        if (x > (INT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (*l->p - '0');
        n++;
        l->p++;
    }
    *v = x;
    *ndig = n;
    return true;
}

static bool
lex_date(struct lex *l)
{
    const uint8_t *p = l->p;
    int32_t days;

    if (l->end - p < 10)
        return false;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (p[i] != '-')
                return false;
        } else if (!is_digit(p[i])) {
            return false;
        }
    }
    if (l->end - p > 10 && is_ident(p[10]))
        return false;
    if (cl_date_parse(cl_bytes_of(p, 10), &days, NULL) != CL_OK) {
        lfail(l, l->tline, l->tcol, "not a calendar date");
        return true;
    }
    l->t = T_DATE;
    l->ival = days;
    l->p += 10;
    return true;
}

static void
next(struct lex *l)
{
    if (l->rc != CL_OK) {
        l->t = T_EOF;
        return;
    }
    for (;;) {
        while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\r' || *l->p == '\n')) {
            if (*l->p == '\n') {
                l->line++;
                l->line_start = l->p + 1;
            }
            l->p++;
        }
        if (l->p < l->end && *l->p == '#') {
            while (l->p < l->end && *l->p != '\n')
                l->p++;
            continue;
        }
        break;
    }
    l->s = l->p;
    l->tline = l->line;
    l->tcol = (uint32_t)(l->p - l->line_start) + 1;
    if (l->p >= l->end) {
        l->t = T_EOF;
        l->n = 0;
        return;
    }
    uint8_t c = *l->p;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        while (l->p < l->end && is_ident(*l->p))
            l->p++;
        l->t = T_IDENT;
    } else if (is_digit(c)) {
        if (lex_date(l)) {
            /* done */
        } else {
            int64_t ip, fp = 0;
            int nd, nf = 0;
            int64_t den = 1;

            if (!lex_digits(l, &ip, &nd) || ip > BN_NUM_MAX) {
                lfail(l, l->tline, l->tcol, "number too large");
                l->t = T_EOF;
                return;
            }
            if (l->p + 1 < l->end && *l->p == '.' && is_digit(l->p[1])) {
                l->p++;
                while (l->p < l->end && is_digit(*l->p)) {
                    if (nf >= 8) {
                        lfail(l, l->tline, l->tcol, "more than 8 decimal places");
                        l->t = T_EOF;
                        return;
                    }
                    fp = fp * 10 + (*l->p - '0');
                    den *= 10;
                    nf++;
                    l->p++;
                }
            }
            if (l->p < l->end && *l->p == '%') {
                l->p++;
                den *= 100;
                nf = -1;
            }
            if (l->p < l->end && is_ident(*l->p)) {
                lfail(l, l->tline, l->tcol, "a number runs into a name");
                l->t = T_EOF;
                return;
            }
            if (nf == 0) {
                l->t = T_INT;
                l->ival = ip;
            } else {
                uint64_t g;
                int64_t num;

                if (ip > INT64_MAX / den - 1) {
                    lfail(l, l->tline, l->tcol, "number too large");
                    l->t = T_EOF;
                    return;
                }
                /* value = (ip + fp/10^k) / (100 if percent) = (ip*10^k + fp) / den */
                num = ip * (nf < 0 ? den / 100 : den) + fp;
                g = gcd_u64((uint64_t)num, (uint64_t)den);
                if (g == 0)
                    g = 1;
                l->t = T_FRAC;
                l->num = num / (int64_t)g;
                l->den = den / (int64_t)g;
            }
        }
    } else if (c == '"') {
        size_t k = 0;

        l->p++;
        for (;;) {
            if (l->p >= l->end || *l->p == '\n') {
                lfail(l, l->tline, l->tcol, "string not closed on its line");
                l->t = T_EOF;
                return;
            }
            c = *l->p++;
            if (c == '"')
                break;
            if (c == '\\') {
                if (l->p >= l->end || (*l->p != '"' && *l->p != '\\')) {
                    lfail(l, l->tline, l->tcol, "only \\\" and \\\\ escapes are allowed");
                    l->t = T_EOF;
                    return;
                }
                c = *l->p++;
            }
            if (c < 0x20) {
                lfail(l, l->tline, l->tcol, "control character in a string");
                l->t = T_EOF;
                return;
            }
            if (k + 1 >= sizeof l->str) {
                lfail(l, l->tline, l->tcol, "string longer than %d bytes", BN_STRING_MAX - 1);
                l->t = T_EOF;
                return;
            }
            l->str[k++] = (char)c;
        }
        l->str[k] = 0;
        l->slen = k;
        l->t = T_STRING;
    } else {
        const uint8_t *p = l->p;
        bool two = p + 1 < l->end && p[1] == '=';

        l->p++;
        switch (c) {
        case '(':
            l->t = T_LP;
            break;
        case ')':
            l->t = T_RP;
            break;
        case '[':
            l->t = T_LB;
            break;
        case ']':
            l->t = T_RB;
            break;
        case ',':
            l->t = T_COMMA;
            break;
        case '.':
            l->t = T_DOT;
            break;
        case '+':
            l->t = T_PLUS;
            break;
        case '-':
            l->t = T_MINUS;
            break;
        case '*':
            l->t = T_STAR;
            break;
        case '/':
            l->t = T_SLASH;
            break;
        case '=':
            l->t = two ? T_EQ : T_ASSIGN;
            l->p += two;
            break;
        case '!':
            if (!two) {
                lfail(l, l->tline, l->tcol, "'!' must be followed by '='");
                l->t = T_EOF;
                return;
            }
            l->t = T_NE;
            l->p++;
            break;
        case '<':
            l->t = two ? T_LE : T_LT;
            l->p += two;
            break;
        case '>':
            l->t = two ? T_GE : T_GT;
            l->p += two;
            break;
        default:
            lfail(l, l->tline, l->tcol, "unexpected character 0x%02x", c);
            l->t = T_EOF;
            return;
        }
    }
    l->n = (size_t)(l->p - l->s);
}

static bool
is_kw(const struct lex *l, const char *kw)
{
    return l->t == T_IDENT && l->n == strlen(kw) && memcmp(l->s, kw, l->n) == 0;
}

static char *
tok_dup(struct cl_arena *a, const struct lex *l)
{
    return cl_arena_strndup(a, cl_bytes_of(l->s, l->n));
}

static bool
expect(struct lex *l, enum tok t, const char *what)
{
    if (l->t != t) {
        lfail(l, l->tline, l->tcol, "expected %s", what);
        return false;
    }
    next(l);
    return true;
}

static void
lex_init(struct lex *l, const char *file, struct cl_bytes text, struct cl_error *err)
{
    memset(l, 0, sizeof *l);
    l->file = file;
    l->p = text.ptr;
    l->end = text.ptr + text.len;
    l->line_start = l->p;
    l->line = 1;
    l->err = err;
    l->rc = CL_OK;
    next(l);
}

/* ---- domains ---- */

static const char *const eitc_type_names[] = {"single", "one_earner", "two_earner"};
static const char *const school_names[] = {"none", "elementary", "middle", "high", "university"};

const struct bn_domain_def bn_domains[BD_COUNT] = {
    [BD_NONE] = {"", NULL, 0},
    [BD_TENURE] = {"tenure", cl_pop_tenure_names, CL_POP_TENURE_COUNT},
    [BD_KIND] = {"household_kind", cl_pop_kind_names, CL_POP_KIND_COUNT},
    [BD_RELATION] = {"relation", cl_pop_relation_names, CL_POP_REL_COUNT},
    [BD_SCHOOL] = {"school", school_names, 5},
    [BD_NBLSS_TIER] = {"nblss_tier", cl_pop_nblss_tier_names, CL_POP_NBLSS_COUNT},
    [BD_PENSION_TIER] = {"pension_tier", cl_pop_pension_tier_names, CL_POP_PENSION_COUNT},
    [BD_CA_AREA] = {"child_allowance_area", cl_pop_ca_area_names, CL_POP_CA_COUNT},
    [BD_EITC_TYPE] = {"eitc_type", eitc_type_names, 3},
};

int
bn_domain_find(enum bn_domain d, const char *s, size_t n)
{
    for (unsigned i = 0; i < bn_domains[d].count; i++) {
        const char *v = bn_domains[d].values[i];
        if (v != NULL && strlen(v) == n && memcmp(v, s, n) == 0)
            return (int)i;
    }
    return -1;
}

static enum bn_domain
domain_by_name(const char *s)
{
    for (int d = 1; d < BD_COUNT; d++)
        if (strcmp(bn_domains[d].name, s) == 0)
            return (enum bn_domain)d;
    return BD_NONE;
}

const char *const bn_scope_names[BN_SCOPE_COUNT] = {"registry", "disability", "health", "education",
                                                    "housing",  "financial",  "tax"};
const char *const bn_miss_names[BN_MISS_COUNT] = {
    "consent.financial", "income_monthly",       "income_annual_2025", "assets",
    "birth_order",       "parents_household_id", "housing.deposit",    "housing.monthly_rent"};

int
bn_table_find(const struct cl_benefits_rules *r, const char *name)
{
    for (uint32_t i = 0; i < r->ntab; i++)
        if (strcmp(r->tab[i]->name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- parameter files ---- */

static bool
frac_to_scaled(struct lex *l, int64_t num, int64_t den, int64_t *out, uint32_t *dout)
{
    if (BN_SCALE % den != 0) {
        lfail(l, l->tline, l->tcol, "fraction with denominator %lld is finer than 1/%d won",
              (long long)den, BN_SCALE);
        return false;
    }
    if (num > BN_NUM_MAX) {
        lfail(l, l->tline, l->tcol, "number too large");
        return false;
    }
    *out = num * (BN_SCALE / den);
    *dout = (uint32_t)den;
    return true;
}

static uint32_t
lcm_u32(uint32_t a, uint32_t b)
{
    return (uint32_t)((uint64_t)a / gcd_u64(a, b) * b);
}

static int
row_cmp(const void *pa, const void *pb)
{
    const struct bn_row *a = pa, *b = pb;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Rows sorted by key then date: consecutive rows of one key must touch exactly. */
static cl_err
table_check(struct bn_table *t, struct cl_error *err)
{
    char where[CL_ERROR_WHERE_MAX], a[11], b[11];

    qsort(t->rows, t->nrows, sizeof t->rows[0], row_cmp);
    for (size_t i = 1; i < t->nrows; i++) {
        const struct bn_row *p = &t->rows[i - 1], *q = &t->rows[i];

        if (p->key != q->key)
            continue;
        snprintf(where, sizeof where, "%s:%u:1", t->file, q->line);
        cl_date_format(p->to, a);
        cl_date_format(q->from, b);
        if (q->from <= p->to)
            return cl_fail(err, CL_ERR_INPUT, where,
                           "table %s: row overlaps the row of line %u (that one ends %s, this "
                           "one starts %s)",
                           t->name, p->line, a, b);
        if (q->from != p->to + 1)
            return cl_fail(err, CL_ERR_INPUT, where,
                           "table %s: gap after the row of line %u (that one ends %s, this one "
                           "starts %s)",
                           t->name, p->line, a, b);
    }
    return CL_OK;
}

static bool
parse_dotted(struct lex *l, char *out, size_t cap)
{
    size_t k = 0;

    for (;;) {
        if (l->t != T_IDENT) {
            lfail(l, l->tline, l->tcol, "expected a name");
            return false;
        }
        if (k + l->n + 2 > cap) {
            lfail(l, l->tline, l->tcol, "name too long");
            return false;
        }
        memcpy(out + k, l->s, l->n);
        k += l->n;
        out[k] = 0;
        next(l);
        if (l->t != T_DOT)
            return true;
        out[k++] = '.';
        next(l);
    }
}

cl_err
bn_parse_params(struct cl_benefits_rules *r, const char *file, struct cl_bytes text,
                struct cl_error *err)
{
    struct lex l;
    struct bn_table *t = NULL;
    char name[128];

    if (text.len > BN_FILE_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, file, "parameter file larger than 1 MiB");
    file = cl_arena_strdup(&r->arena, file);
    if (file == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
    lex_init(&l, file, text, err);
    while (l.rc == CL_OK && l.t != T_EOF) {
        if (is_kw(&l, "table")) {
            uint32_t line = l.tline, col = l.tcol;

            next(&l);
            if (!parse_dotted(&l, name, sizeof name))
                break;
            if (bn_table_find(r, name) >= 0) {
                lfail(&l, line, col, "table %s is defined twice", name);
                break;
            }
            if (r->ntab >= BN_MAX_PARAMS) {
                lfail(&l, line, col, "more than %d parameter tables", BN_MAX_PARAMS);
                break;
            }
            t = cl_arena_zalloc(&r->arena, sizeof *t);
            if (t == NULL || (t->name = cl_arena_strdup(&r->arena, name)) == NULL)
                return cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
            t->file = file;
            t->line = line;
            t->denom = 1;
            r->tab[r->ntab++] = t;
            if (is_kw(&l, "key")) {
                next(&l);
                if (l.t != T_IDENT) {
                    lfail(&l, l.tline, l.tcol, "expected the key's name");
                    break;
                }
                t->keyname = tok_dup(&r->arena, &l);
                if (t->keyname == NULL)
                    return cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
                t->keydomain = (uint8_t)domain_by_name(t->keyname);
                next(&l);
            }
            if (l.t != T_STRING) {
                lfail(&l, l.tline, l.tcol, "expected the table's title as a string");
                break;
            }
            t->title = cl_arena_strdup(&r->arena, l.str);
            next(&l);
            if (is_kw(&l, "source")) {
                next(&l);
                if (l.t != T_STRING) {
                    lfail(&l, l.tline, l.tcol, "expected the source as a string");
                    break;
                }
                t->source = cl_arena_strdup(&r->arena, l.str);
                next(&l);
            }
            if (t->title == NULL)
                return cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
            continue;
        }
        if (l.t == T_DATE) {
            struct bn_row row;
            uint32_t d;

            memset(&row, 0, sizeof row);
            if (t == NULL) {
                lfail(&l, l.tline, l.tcol, "a row before any 'table'");
                break;
            }
            row.line = l.tline;
            row.from = (int32_t)l.ival;
            next(&l);
            if (l.t != T_DATE) {
                lfail(&l, l.tline, l.tcol, "expected effective_to as YYYY-MM-DD");
                break;
            }
            row.to = (int32_t)l.ival;
            if (row.to < row.from) {
                lfail(&l, l.tline, l.tcol, "effective_to is before effective_from");
                break;
            }
            next(&l);
            if (t->keyname != NULL) {
                if (t->keydomain != BD_NONE) {
                    int code;

                    if (l.t != T_IDENT ||
                        (code = bn_domain_find(t->keydomain, (const char *)l.s, l.n)) < 0) {
                        lfail(&l, l.tline, l.tcol, "expected a %s value as the key", t->keyname);
                        break;
                    }
                    row.key = code;
                } else {
                    if (l.t != T_INT || l.ival > 1000) {
                        lfail(&l, l.tline, l.tcol, "expected an integer key 0..1000");
                        break;
                    }
                    row.key = l.ival;
                }
                next(&l);
            }
            if (l.t == T_INT) {
                if (!frac_to_scaled(&l, l.ival, 1, &row.value, &d))
                    break;
            } else if (l.t == T_FRAC) {
                if (!frac_to_scaled(&l, l.num, l.den, &row.value, &d))
                    break;
            } else {
                lfail(&l, l.tline, l.tcol, "expected the value (number, decimal or percent)");
                break;
            }
            next(&l);
            t->denom = lcm_u32(t->denom, d);
            if (t->nrows >= BN_ROWS_MAX) {
                lfail(&l, row.line, 1, "more than %d rows", BN_ROWS_MAX);
                break;
            }
            if (t->nrows == t->caprows) {
                size_t cap = t->caprows ? t->caprows * 2 : 8;
                struct bn_row *nr = cl_arena_alloc(&r->arena, cap * sizeof *nr);

                if (nr == NULL)
                    return cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
                if (t->nrows)
                    memcpy(nr, t->rows, t->nrows * sizeof *nr);
                t->rows = nr;
                t->caprows = cap;
            }
            t->rows[t->nrows++] = row;
            if (row.key > t->maxkey)
                t->maxkey = row.key;
            continue;
        }
        lfail(&l, l.tline, l.tcol, "expected 'table' or a row starting with a date");
    }
    if (l.rc == CL_OK && r->arena.err != CL_OK)
        lnomem(&l); /* a name or title could not be copied */
    if (l.rc != CL_OK)
        return l.rc;
    for (uint32_t i = 0; i < r->ntab; i++) {
        cl_err rc;

        if (r->tab[i]->file != file)
            continue;
        if (r->tab[i]->nrows == 0) {
            char where[CL_ERROR_WHERE_MAX];
            snprintf(where, sizeof where, "%s:%u:1", file, r->tab[i]->line);
            return cl_fail(err, CL_ERR_INPUT, where, "table %s has no rows", r->tab[i]->name);
        }
        rc = table_check(r->tab[i], err);
        if (rc != CL_OK)
            return rc;
    }
    return CL_OK;
}

/* ---- rule files: compiler ---- */

struct ety {
    uint8_t type, domain;
    uint32_t denom;
};

struct comp {
    struct lex *l;
    struct cl_benefits_rules *r;
    struct bn_benefit *b;
    struct bn_ins code[BN_MAX_CODE];
    uint32_t n;
    int sp, maxsp;
    int depth;
    uint16_t scopes; /* scopes read by the expression */
    uint32_t deps;
    uint8_t cmp_type, cmp_domain; /* operands of the last comparison compiled */
};

static void
emit(struct comp *c, uint8_t op, uint16_t a, int64_t k, int push)
{
    if (c->n >= BN_MAX_CODE) {
        lfail(c->l, c->l->tline, c->l->tcol, "expression too long");
        return;
    }
    c->code[c->n].op = op;
    c->code[c->n].a = a;
    c->code[c->n].k = k;
    c->n++;
    c->sp += push;
    if (c->sp > c->maxsp)
        c->maxsp = c->sp;
    if (c->maxsp > BN_MAX_STACK)
        lfail(c->l, c->l->tline, c->l->tcol, "expression nests too deeply");
}

static const char *
type_name(uint8_t t)
{
    switch (t) {
    case BT_NUM:
        return "number";
    case BT_BOOL:
        return "boolean";
    case BT_DATE:
        return "date";
    case BT_ENUM:
        return "enumeration";
    case BT_BENEFIT:
        return "benefit";
    }
    return "?";
}

static bool
den_ok(struct comp *c, uint64_t d, uint32_t line, uint32_t col)
{
    if (d == 0 || BN_SCALE % d != 0) {
        lfail(c->l, line, col,
              "not exact: the result needs a denominator of %llu, finer than 1/%d won",
              (unsigned long long)d, BN_SCALE);
        return false;
    }
    return true;
}

static struct ety expr(struct comp *c);

static struct ety
tfail(struct comp *c, uint32_t line, uint32_t col, const char *what, struct ety got, uint8_t want)
{
    struct ety e = {0, 0, 1};

    lfail(c->l, line, col, "%s must be a %s, not a %s", what, type_name(want), type_name(got.type));
    return e;
}

static int
find_let(const struct bn_benefit *b, const struct lex *l)
{
    for (uint32_t i = 0; i < b->nlets; i++)
        if (strlen(b->lets[i].name) == l->n && memcmp(b->lets[i].name, l->s, l->n) == 0)
            return (int)i;
    return -1;
}

static int
find_builtin(const char *s, size_t n)
{
    for (size_t i = 0; i < bn_nbuiltins; i++)
        if (strlen(bn_builtins[i].name) == n && memcmp(bn_builtins[i].name, s, n) == 0)
            return (int)i;
    return -1;
}

int
cl_benefits_find(const struct cl_benefits_rules *r, const char *id)
{
    for (uint32_t i = 0; i < r->nben; i++)
        if (strcmp(r->ben[i]->id, id) == 0)
            return (int)i;
    return -1;
}

static struct ety
primary(struct comp *c)
{
    struct lex *l = c->l;
    struct ety e = {0, 0, 1};
    uint32_t line = l->tline, col = l->tcol;

    if (l->rc != CL_OK)
        return e;
    if (++c->depth > BN_DEPTH_MAX) {
        lfail(l, line, col, "expression nests too deeply");
        return e;
    }
    switch (l->t) {
    case T_INT:
        emit(c, OP_CONST, 0, l->ival * BN_SCALE, 1);
        e.type = BT_NUM;
        next(l);
        break;
    case T_FRAC: {
        int64_t v;
        uint32_t d;
        if (!frac_to_scaled(l, l->num, l->den, &v, &d))
            return e;
        emit(c, OP_CONST, 0, v, 1);
        e.type = BT_NUM;
        e.denom = d;
        next(l);
        break;
    }
    case T_DATE:
        emit(c, OP_CONST, 0, l->ival, 1);
        e.type = BT_DATE;
        next(l);
        break;
    case T_LP:
        next(l);
        e = expr(c);
        expect(l, T_RP, "')'");
        break;
    case T_MINUS:
        next(l);
        e = primary(c);
        if (l->rc == CL_OK && e.type != BT_NUM)
            return tfail(c, line, col, "the operand of '-'", e, BT_NUM);
        emit(c, OP_NEG, 0, 0, 0);
        break;
    case T_IDENT: {
        int li, bi;

        if (is_kw(l, "true") || is_kw(l, "false")) {
            emit(c, OP_CONST, 0, is_kw(l, "true"), 1);
            e.type = BT_BOOL;
            next(l);
            break;
        }
        if (is_kw(l, "if")) {
            struct ety a, b2, cnd;
            next(l);
            cnd = expr(c);
            if (l->rc == CL_OK && cnd.type != BT_BOOL)
                return tfail(c, line, col, "the condition of 'if'", cnd, BT_BOOL);
            if (!is_kw(l, "then")) {
                lfail(l, l->tline, l->tcol, "expected 'then'");
                return e;
            }
            next(l);
            a = expr(c);
            if (!is_kw(l, "else")) {
                lfail(l, l->tline, l->tcol, "expected 'else'");
                return e;
            }
            next(l);
            b2 = expr(c);
            if (l->rc != CL_OK)
                return e;
            if (a.type != b2.type || a.domain != b2.domain)
                return tfail(c, line, col, "the 'else' branch", b2, a.type);
            emit(c, OP_IF, 0, 0, -2);
            e = a;
            e.denom = lcm_u32(a.denom, b2.denom);
            break;
        }
        if (is_kw(l, "param")) {
            char name[128];
            int ti;
            const struct bn_table *t;

            next(l);
            if (!expect(l, T_DOT, "'.' after param"))
                return e;
            if (!parse_dotted(l, name, sizeof name))
                return e;
            ti = bn_table_find(c->r, name);
            if (ti < 0) {
                lfail(l, line, col, "no parameter table named %s (parameter files load first)",
                      name);
                return e;
            }
            t = c->r->tab[ti];
            if (t->keyname != NULL) {
                struct ety k;
                if (!expect(l, T_LB, "'[' and a key: the table is keyed"))
                    return e;
                k = expr(c);
                if (l->rc != CL_OK)
                    return e;
                if (t->keydomain != BD_NONE && (k.type != BT_ENUM || k.domain != t->keydomain)) {
                    lfail(l, line, col, "table %s is keyed by %s", name, t->keyname);
                    return e;
                }
                if (t->keydomain == BD_NONE && k.type != BT_NUM) {
                    lfail(l, line, col, "table %s is keyed by an integer", name);
                    return e;
                }
                if (!expect(l, T_RB, "']'"))
                    return e;
                emit(c, OP_PARAMK, (uint16_t)ti, 0, 0);
            } else {
                if (l->t == T_LB) {
                    lfail(l, l->tline, l->tcol, "table %s has no key", name);
                    return e;
                }
                emit(c, OP_PARAM, (uint16_t)ti, 0, 1);
            }
            e.type = BT_NUM;
            e.denom = t->denom;
            break;
        }
        li = find_let(c->b, l);
        if (li >= 0) {
            emit(c, OP_LET, (uint16_t)li, 0, 1);
            e.type = c->b->lets[li].type;
            e.domain = c->b->lets[li].domain;
            e.denom = c->b->lets[li].denom;
            next(l);
            break;
        }
        /* built-in operators and facts */
        {
            static const struct {
                const char *name;
                uint8_t op, arity;
            } fns[] = {{"min", OP_MIN, 2},
                       {"max", OP_MAX, 2},
                       {"round_half_up", OP_ROUND, 1},
                       {"floor", OP_FLOOR, 1}};
            for (size_t i = 0; i < CL_ARRAY_LEN(fns); i++) {
                struct ety a, b2;

                if (!is_kw(l, fns[i].name))
                    continue;
                next(l);
                if (!expect(l, T_LP, "'('"))
                    return e;
                a = expr(c);
                if (l->rc == CL_OK && a.type != BT_NUM)
                    return tfail(c, line, col, "an argument", a, BT_NUM);
                e = a;
                if (fns[i].arity == 2) {
                    if (!expect(l, T_COMMA, "','"))
                        return e;
                    b2 = expr(c);
                    if (l->rc == CL_OK && b2.type != BT_NUM)
                        return tfail(c, line, col, "an argument", b2, BT_NUM);
                    e.denom = lcm_u32(a.denom, b2.denom);
                    emit(c, fns[i].op, 0, 0, -1);
                } else {
                    e.denom = 1;
                    emit(c, fns[i].op, 0, 0, 0);
                }
                expect(l, T_RP, "')'");
                c->depth--;
                return e;
            }
        }
        bi = find_builtin((const char *)l->s, l->n);
        if (bi < 0) {
            lfail(l, line, col, "unknown name '%.*s'", (int)(l->n > 64 ? 64 : l->n),
                  (const char *)l->s);
            return e;
        }
        next(l);
        {
            const struct bn_builtin *f = &bn_builtins[bi];

            if (f->arity > 0) {
                if (!expect(l, T_LP, "'(' and arguments"))
                    return e;
                for (unsigned i = 0; i < f->arity; i++) {
                    if (i > 0 && !expect(l, T_COMMA, "','"))
                        return e;
                    if (f->argt[i] == BT_BENEFIT) {
                        int target;
                        char id[64];

                        if (l->t != T_IDENT || l->n >= sizeof id) {
                            lfail(l, l->tline, l->tcol, "expected a benefit id");
                            return e;
                        }
                        memcpy(id, l->s, l->n);
                        id[l->n] = 0;
                        target = cl_benefits_find(c->r, id);
                        if (target < 0 && c->b->id != NULL && strcmp(c->b->id, id) == 0)
                            target = (int)c->r->nben; /* itself: spouse_eligible() */
                        else if (target >= 0)
                            c->deps |= 1u << target;
                        if (target < 0) {
                            lfail(l, l->tline, l->tcol,
                                  "no benefit %s (a benefit is read after its own file)", id);
                            return e;
                        }
                        emit(c, OP_CONST, 0, target, 1);
                        next(l);
                    } else {
                        struct ety a = expr(c);
                        if (l->rc == CL_OK && a.type != f->argt[i])
                            return tfail(c, line, col, "an argument", a, f->argt[i]);
                    }
                }
                if (!expect(l, T_RP, "')'"))
                    return e;
            }
            emit(c, OP_FACT, (uint16_t)bi, bn_inline_fact(f->name), 1 - (int)f->arity);
            c->scopes |= f->scopes;
            e.type = f->type;
            e.domain = f->domain;
            e.denom = f->denom ? f->denom : 1;
        }
        break;
    }
    default:
        lfail(l, line, col, "expected a value, a name or '('");
        return e;
    }
    c->depth--;
    return e;
}

static struct ety
mul(struct comp *c)
{
    struct ety a = primary(c);

    while (c->l->rc == CL_OK && (c->l->t == T_STAR || c->l->t == T_SLASH)) {
        uint32_t line = c->l->tline, col = c->l->tcol;
        bool star = c->l->t == T_STAR;
        struct ety b;

        next(c->l);
        if (a.type != BT_NUM)
            return tfail(c, line, col, "the left operand", a, BT_NUM);
        if (star) {
            b = primary(c);
            if (c->l->rc != CL_OK)
                return a;
            if (b.type != BT_NUM)
                return tfail(c, line, col, "the right operand", b, BT_NUM);
            if (!den_ok(c, (uint64_t)a.denom * b.denom, line, col))
                return a;
            a.denom = a.denom * b.denom;
            emit(c, OP_MUL, 0, 0, -1);
        } else {
            if (c->l->t != T_INT || c->l->ival == 0) {
                lfail(c->l, c->l->tline, c->l->tcol,
                      "division only by a non-zero integer literal (exact arithmetic)");
                return a;
            }
            if (!den_ok(c, (uint64_t)a.denom * (uint64_t)c->l->ival, line, col))
                return a;
            a.denom = a.denom * (uint32_t)c->l->ival;
            emit(c, OP_DIVK, 0, c->l->ival, 0);
            next(c->l);
        }
    }
    return a;
}

static struct ety
add(struct comp *c)
{
    struct ety a = mul(c);

    while (c->l->rc == CL_OK && (c->l->t == T_PLUS || c->l->t == T_MINUS)) {
        uint32_t line = c->l->tline, col = c->l->tcol;
        bool plus = c->l->t == T_PLUS;
        struct ety b;

        next(c->l);
        b = mul(c);
        if (c->l->rc != CL_OK)
            return a;
        if (a.type != BT_NUM || b.type != BT_NUM)
            return tfail(c, line, col, "an operand of '+' or '-'", a.type != BT_NUM ? a : b,
                         BT_NUM);
        a.denom = lcm_u32(a.denom, b.denom);
        emit(c, plus ? OP_ADD : OP_SUB, 0, 0, -1);
    }
    return a;
}

static struct ety
cmp(struct comp *c)
{
    struct ety a = add(c), b;
    uint32_t line = c->l->tline, col = c->l->tcol;
    uint8_t op;

    switch (c->l->t) {
    case T_LT:
        op = OP_LT;
        break;
    case T_LE:
        op = OP_LE;
        break;
    case T_GT:
        op = OP_GT;
        break;
    case T_GE:
        op = OP_GE;
        break;
    case T_EQ:
        op = OP_EQ;
        break;
    case T_NE:
        op = OP_NE;
        break;
    default:
        return a;
    }
    next(c->l);
    if (c->l->t == T_STRING) {
        int code;

        if (a.type != BT_ENUM) {
            lfail(c->l, c->l->tline, c->l->tcol, "a string compares only with an enumeration");
            return a;
        }
        code = bn_domain_find(a.domain, c->l->str, c->l->slen);
        if (code < 0) {
            lfail(c->l, c->l->tline, c->l->tcol, "\"%s\" is not a value of %s", c->l->str,
                  bn_domains[a.domain].name);
            return a;
        }
        if (op != OP_EQ && op != OP_NE) {
            lfail(c->l, line, col, "enumerations compare only with == and !=");
            return a;
        }
        emit(c, OP_CONST, 0, code, 1);
        next(c->l);
    } else {
        b = add(c);
        if (c->l->rc != CL_OK)
            return a;
        if (a.type != b.type || a.domain != b.domain)
            return tfail(c, line, col, "the right side of the comparison", b, a.type);
        if (a.type == BT_BOOL && op != OP_EQ && op != OP_NE) {
            lfail(c->l, line, col, "booleans compare only with == and !=");
            return a;
        }
    }
    emit(c, op, 0, 0, -1);
    c->cmp_type = a.type;
    c->cmp_domain = a.domain;
    a.type = BT_BOOL;
    a.domain = 0;
    a.denom = 1;
    return a;
}

static struct ety
notx(struct comp *c)
{
    if (is_kw(c->l, "not")) {
        uint32_t line = c->l->tline, col = c->l->tcol;
        struct ety a;

        next(c->l);
        a = notx(c);
        if (c->l->rc == CL_OK && a.type != BT_BOOL)
            return tfail(c, line, col, "the operand of 'not'", a, BT_BOOL);
        emit(c, OP_NOT, 0, 0, 0);
        return a;
    }
    return cmp(c);
}

static struct ety
andx(struct comp *c)
{
    struct ety a = notx(c);

    while (c->l->rc == CL_OK && is_kw(c->l, "and")) {
        uint32_t line = c->l->tline, col = c->l->tcol, j = c->n;
        struct ety b;

        next(c->l);
        emit(c, OP_ANDJ, 0, 0, 0); /* a known false decides: skip b */
        b = notx(c);
        if (c->l->rc == CL_OK)
            c->code[j].k = (int64_t)(c->n - j); /* lands after the OP_AND below */
        if (c->l->rc != CL_OK)
            return a;
        if (a.type != BT_BOOL || b.type != BT_BOOL)
            return tfail(c, line, col, "an operand of 'and'", a.type != BT_BOOL ? a : b, BT_BOOL);
        emit(c, OP_AND, 0, 0, -1);
    }
    return a;
}

static struct ety
expr(struct comp *c)
{
    struct ety a = andx(c);

    while (c->l->rc == CL_OK && is_kw(c->l, "or")) {
        uint32_t line = c->l->tline, col = c->l->tcol, j = c->n;
        struct ety b;

        next(c->l);
        emit(c, OP_ORJ, 0, 0, 0); /* a known true decides: skip b */
        b = andx(c);
        if (c->l->rc == CL_OK)
            c->code[j].k = (int64_t)(c->n - j);
        if (c->l->rc != CL_OK)
            return a;
        if (a.type != BT_BOOL || b.type != BT_BOOL)
            return tfail(c, line, col, "an operand of 'or'", a.type != BT_BOOL ? a : b, BT_BOOL);
        emit(c, OP_OR, 0, 0, -1);
    }
    return a;
}

/* Compile one expression into code (arena copy); returns its type. */
static struct ety
compile(struct comp *c, struct bn_code *out)
{
    struct ety e;

    c->n = 0;
    c->sp = c->maxsp = 0;
    c->depth = 0;
    c->scopes = 0;
    e = expr(c);
    if (c->l->rc != CL_OK)
        return e;
    out->ins = cl_arena_dup(&c->r->arena, c->code, c->n * sizeof c->code[0]);
    out->n = c->n;
    if (out->ins == NULL)
        lnomem(c->l);
    return e;
}

static bool
parse_scopes(struct comp *c, uint16_t *out)
{
    struct lex *l = c->l;

    *out = 0;
    do {
        int s = -1;

        if (l->t == T_COMMA)
            next(l);
        for (int i = 0; i < BN_SCOPE_COUNT; i++)
            if (is_kw(l, bn_scope_names[i]))
                s = i;
        if (s < 0) {
            lfail(l, l->tline, l->tcol,
                  "expected a data scope (registry, disability, health, education, housing, "
                  "financial, tax)");
            return false;
        }
        *out |= (uint16_t)(1u << s);
        next(l);
    } while (l->t == T_COMMA);
    return true;
}

static bool
check_scopes(struct comp *c, uint16_t declared, uint32_t line, uint32_t col)
{
    uint16_t undeclared = c->scopes & (uint16_t)~declared;

    for (int i = 0; i < BN_SCOPE_COUNT; i++)
        if (undeclared & (1u << i)) {
            lfail(c->l, line, col, "reads data of scope '%s' but does not declare it in 'reads'",
                  bn_scope_names[i]);
            return false;
        }
    return true;
}

static bool
meta_string(struct comp *c, const char **dst)
{
    next(c->l);
    if (c->l->t != T_STRING) {
        lfail(c->l, c->l->tline, c->l->tcol, "expected a string");
        return false;
    }
    *dst = cl_arena_strdup(&c->r->arena, c->l->str);
    next(c->l);
    return *dst != NULL || lnomem(c->l) == CL_OK;
}

cl_err
bn_parse_rule(struct cl_benefits_rules *r, const char *file, struct cl_bytes text,
              struct cl_error *err)
{
    struct lex l;
    struct comp *c;
    struct bn_benefit *b;
    cl_err rc;

    if (text.len > BN_FILE_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, file, "rule file larger than 1 MiB");
    if (r->nben >= BN_MAX_BENEFITS)
        return cl_fail(err, CL_ERR_TOO_LARGE, file, "more than %d benefits", BN_MAX_BENEFITS);
    file = cl_arena_strdup(&r->arena, file);
    b = cl_arena_zalloc(&r->arena, sizeof *b);
    c = cl_calloc(1, sizeof *c);
    if (file == NULL || b == NULL || c == NULL) {
        cl_free(c);
        return cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
    }
    b->file = file;
    lex_init(&l, file, text, err);
    c->l = &l;
    c->r = r;
    c->b = b;
    if (!is_kw(&l, "benefit")) {
        lfail(&l, l.tline, l.tcol, "a rule file starts with 'benefit <id>'");
        goto out;
    }
    next(&l);
    if (l.t != T_IDENT) {
        lfail(&l, l.tline, l.tcol, "expected the benefit id");
        goto out;
    }
    b->id = tok_dup(&r->arena, &l);
    if (b->id != NULL && cl_benefits_find(r, b->id) >= 0) {
        lfail(&l, l.tline, l.tcol, "benefit %s is defined twice", b->id);
        goto out;
    }
    next(&l);
    while (l.rc == CL_OK && l.t != T_EOF) {
        uint32_t line = l.tline, col = l.tcol;

        if (is_kw(&l, "name")) {
            next(&l);
            if (!expect(&l, T_DOT, "'.ko' or '.en'"))
                break;
            if (is_kw(&l, "ko"))
                meta_string(c, &b->name_ko);
            else if (is_kw(&l, "en"))
                meta_string(c, &b->name_en);
            else
                lfail(&l, l.tline, l.tcol, "expected 'ko' or 'en'");
        } else if (is_kw(&l, "agency")) {
            meta_string(c, &b->agency);
        } else if (is_kw(&l, "legal_basis")) {
            meta_string(c, &b->legal);
        } else if (is_kw(&l, "source")) {
            meta_string(c, &b->source);
        } else if (is_kw(&l, "apply")) {
            meta_string(c, &b->apply);
        } else if (is_kw(&l, "unit")) {
            next(&l);
            if (is_kw(&l, "person"))
                b->unit = BN_UNIT_PERSON;
            else if (is_kw(&l, "household"))
                b->unit = BN_UNIT_HOUSEHOLD;
            else if (is_kw(&l, "household_head"))
                b->unit = BN_UNIT_HEAD;
            else
                lfail(&l, l.tline, l.tcol, "expected person, household or household_head");
            next(&l);
        } else if (is_kw(&l, "let")) {
            struct bn_let *lt;
            struct ety e;

            next(&l);
            if (l.t != T_IDENT) {
                lfail(&l, l.tline, l.tcol, "expected a name");
                break;
            }
            if (find_let(b, &l) >= 0 || find_builtin((const char *)l.s, l.n) >= 0) {
                lfail(&l, l.tline, l.tcol, "'%.*s' is already defined", (int)(l.n > 64 ? 64 : l.n),
                      (const char *)l.s);
                break;
            }
            if (b->nlets >= BN_MAX_LETS) {
                lfail(&l, line, col, "more than %d lets", BN_MAX_LETS);
                break;
            }
            lt = &b->lets[b->nlets];
            lt->name = tok_dup(&r->arena, &l);
            next(&l);
            if (!expect(&l, T_ASSIGN, "'='"))
                break;
            e = compile(c, &lt->code);
            lt->type = e.type;
            lt->domain = e.domain;
            lt->denom = e.denom;
            b->deps |= c->deps;
            lt->scopes = c->scopes;
            if (l.rc == CL_OK)
                b->nlets++;
        } else if (is_kw(&l, "condition")) {
            struct bn_cond *cd;
            struct ety e;
            uint16_t scopes = 0;

            if (b->nconds >= BN_MAX_CONDS) {
                lfail(&l, line, col, "more than %d conditions", BN_MAX_CONDS);
                break;
            }
            cd = &b->conds[b->nconds];
            cd->line = line;
            cd->col = col;
            next(&l);
            if (l.t != T_IDENT) {
                lfail(&l, l.tline, l.tcol, "expected the condition's name");
                break;
            }
            cd->name = tok_dup(&r->arena, &l);
            next(&l);
            if (!is_kw(&l, "reads")) {
                lfail(&l, l.tline, l.tcol, "expected 'reads' and the data scopes");
                break;
            }
            next(&l);
            if (!parse_scopes(c, &scopes))
                break;
            cd->scopes = scopes;
            if (!is_kw(&l, "ko")) {
                lfail(&l, l.tline, l.tcol, "expected 'ko \"...\"'");
                break;
            }
            if (!meta_string(c, &cd->ko))
                break;
            if (!is_kw(&l, "en")) {
                lfail(&l, l.tline, l.tcol, "expected 'en \"...\"'");
                break;
            }
            if (!meta_string(c, &cd->en))
                break;
            if (!is_kw(&l, "when")) {
                lfail(&l, l.tline, l.tcol, "expected 'when' and the condition");
                break;
            }
            next(&l);
            {
                uint32_t eline = l.tline, ecol = l.tcol;

                e = compile(c, &cd->code);
                if (l.rc != CL_OK)
                    break;
                if (e.type != BT_BOOL) {
                    lfail(&l, eline, ecol, "a condition must be a boolean, not a %s",
                          type_name(e.type));
                    break;
                }
                for (uint32_t i = 0; i < cd->code.n; i++)
                    if (cd->code.ins[i].op == OP_LET)
                        c->scopes |= b->lets[cd->code.ins[i].a].scopes;
                if (!check_scopes(c, scopes, eline, ecol))
                    break;
                cd->top_cmp = cd->code.n > 0 && cd->code.ins[cd->code.n - 1].op >= OP_LT &&
                              cd->code.ins[cd->code.n - 1].op <= OP_NE;
                cd->cmp_type = c->cmp_type;
                cd->cmp_domain = c->cmp_domain;
            }
            b->deps |= c->deps;
            b->nconds++;
        } else if (is_kw(&l, "kind")) {
            struct ety e;
            uint16_t scopes = 0;

            if (b->nkinds >= CL_ARRAY_LEN(b->kinds)) {
                lfail(&l, line, col, "more than %zu kinds", CL_ARRAY_LEN(b->kinds));
                break;
            }
            next(&l);
            if (l.t != T_IDENT) {
                lfail(&l, l.tline, l.tcol, "expected the kind's name");
                break;
            }
            b->kinds[b->nkinds].name = tok_dup(&r->arena, &l);
            next(&l);
            if (!is_kw(&l, "reads")) {
                lfail(&l, l.tline, l.tcol, "expected 'reads' and the data scopes");
                break;
            }
            next(&l);
            if (!parse_scopes(c, &scopes))
                break;
            if (!is_kw(&l, "when")) {
                lfail(&l, l.tline, l.tcol, "expected 'when' and the condition");
                break;
            }
            next(&l);
            {
                uint32_t eline = l.tline, ecol = l.tcol;

                e = compile(c, &b->kinds[b->nkinds].code);
                if (l.rc != CL_OK)
                    break;
                if (e.type != BT_BOOL) {
                    lfail(&l, eline, ecol, "a kind's condition must be a boolean, not a %s",
                          type_name(e.type));
                    break;
                }
                if (!check_scopes(c, scopes, eline, ecol))
                    break;
            }
            b->nkinds++;
        } else if (is_kw(&l, "amount")) {
            struct ety e;
            uint16_t scopes = 0;

            next(&l);
            if (is_kw(&l, "monthly"))
                b->period = CL_BENEFITS_PERIOD_MONTHLY;
            else if (is_kw(&l, "annual"))
                b->period = CL_BENEFITS_PERIOD_ANNUAL;
            else if (is_kw(&l, "lump_sum"))
                b->period = CL_BENEFITS_PERIOD_LUMP_SUM;
            else if (is_kw(&l, "none"))
                b->period = CL_BENEFITS_PERIOD_NONE;
            else {
                lfail(&l, l.tline, l.tcol, "expected monthly, annual, lump_sum or none");
                break;
            }
            next(&l);
            if (b->period == CL_BENEFITS_PERIOD_NONE)
                continue;
            if (is_kw(&l, "reads")) {
                next(&l);
                if (!parse_scopes(c, &scopes))
                    break;
            }
            if (!expect(&l, T_ASSIGN, "'='"))
                break;
            {
                uint32_t eline = l.tline, ecol = l.tcol;

                e = compile(c, &b->amount);
                if (l.rc != CL_OK)
                    break;
                if (e.type != BT_NUM) {
                    lfail(&l, eline, ecol, "an amount must be a number, not a %s",
                          type_name(e.type));
                    break;
                }
                if (e.denom != 1) {
                    lfail(&l, eline, ecol,
                          "an amount must be whole won: wrap it in floor() or round_half_up()");
                    break;
                }
                for (uint32_t i = 0; i < b->amount.n; i++)
                    if (b->amount.ins[i].op == OP_LET)
                        c->scopes |= b->lets[b->amount.ins[i].a].scopes;
                if (!check_scopes(c, scopes, eline, ecol))
                    break;
            }
            b->amount_scopes = scopes;
            b->deps |= c->deps;
        } else {
            lfail(&l, line, col,
                  "expected name.ko, name.en, agency, legal_basis, source, apply, unit, let, "
                  "condition, kind or amount");
        }
    }
    if (l.rc == CL_OK) {
        const char *missing = b->name_ko == NULL   ? "name.ko"
                              : b->name_en == NULL ? "name.en"
                              : b->agency == NULL  ? "agency"
                              : b->legal == NULL   ? "legal_basis"
                              : b->source == NULL  ? "source"
                              : b->apply == NULL   ? "apply"
                              : b->unit == 0       ? "unit"
                              : b->nconds == 0     ? "a condition"
                                                   : NULL;
        if (missing != NULL)
            lfail(&l, 1, 1, "benefit %s lacks %s", b->id ? b->id : "?", missing);
    }
    if (l.rc == CL_OK && r->arena.err != CL_OK)
        lnomem(&l); /* a name or sentence could not be copied */
    if (l.rc == CL_OK) {
        b->index = r->nben;
        r->ben[r->nben++] = b;
    }
out:
    rc = l.rc;
    cl_free(c);
    return rc;
}

/* ---- the rule set ---- */

cl_err
cl_benefits_rules_new(struct cl_benefits_rules **out, struct cl_error *err)
{
    struct cl_benefits_rules *r = cl_calloc(1, sizeof *r);

    *out = NULL;
    if (r == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
    cl_arena_init(&r->arena, 65536, 0, 0);
    r->median_table = -1;
    *out = r;
    return CL_OK;
}

void
cl_benefits_rules_free(struct cl_benefits_rules *r)
{
    if (r == NULL)
        return;
    cl_arena_fini(&r->arena);
    cl_free(r);
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

cl_err
cl_benefits_rules_add(struct cl_benefits_rules *r, const char *name, struct cl_bytes text,
                      struct cl_error *err)
{
    if (r->finished)
        return cl_fail(err, CL_ERR_USAGE, name, "the rule set is already finished");
    if (ends_with(name, ".param"))
        return bn_parse_params(r, name, text, err);
    if (ends_with(name, ".rule"))
        return bn_parse_rule(r, name, text, err);
    return cl_fail(err, CL_ERR_USAGE, name, "not a .rule or .param file");
}

cl_err
cl_benefits_rules_finish(struct cl_benefits_rules *r, struct cl_error *err)
{
    uint32_t done = 0, n = 0, slot = 0;

    if (r->nben == 0)
        return cl_fail(err, CL_ERR_INPUT, "rules", "no benefit rules");
    for (uint32_t i = 0; i < r->ntab; i++) {
        struct bn_table *t = r->tab[i];

        t->slot = slot;
        t->nkeys = t->keyname != NULL ? (uint32_t)t->maxkey + 1 : 1;
        slot += t->nkeys;
    }
    r->nslots = slot;
    r->median_table = bn_table_find(r, "median_income");
    for (int k = 0; k < BN_ROLE_COUNT; k++)
        r->role_tab[k] = bn_table_find(r, bn_role_names[k]);
    if (r->role_tab[PR_PENSION_PROPERTY_RATE] >= 0) {
        /* pension_ri takes rate / 12 a month: exact only when 12 divides the scaled rate */
        const struct bn_table *t = r->tab[r->role_tab[PR_PENSION_PROPERTY_RATE]];

        for (size_t i = 0; i < t->nrows; i++)
            if (t->rows[i].value % 12 != 0) {
                char where[CL_ERROR_WHERE_MAX];
                snprintf(where, sizeof where, "%s:%u:1", t->file, t->rows[i].line);
                return cl_fail(err, CL_ERR_INPUT, where,
                               "%s: a twelfth of this rate is finer than 1/%d won", t->name,
                               BN_SCALE);
            }
    }
    /* dependencies first; a benefit only reads benefits of earlier files, so no cycles */
    while (n < r->nben) {
        bool progress = false;

        for (uint32_t i = 0; i < r->nben; i++) {
            if ((done >> i) & 1)
                continue;
            if ((r->ben[i]->deps & ~done) == 0) {
                r->order[n++] = i;
                done |= 1u << i;
                progress = true;
            }
        }
        if (!progress)
            return cl_fail(err, CL_ERR_INPUT, "rules", "benefits read each other in a cycle");
    }
    r->finished = true;
    return CL_OK;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

cl_err
cl_benefits_rules_load(const char *dir, struct cl_benefits_rules **out, struct cl_error *err)
{
    struct cl_benefits_rules *r = NULL;
    DIR *d = NULL;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    cl_err rc;

    *out = NULL;
    rc = cl_benefits_rules_new(&r, err);
    if (rc != CL_OK)
        return rc;
    d = opendir(dir);
    if (d == NULL) {
        rc = cl_fail(err, CL_ERR_IO, dir, "cannot open the rules directory");
        goto out;
    }
    while ((e = readdir(d)) != NULL) {
        if (!ends_with(e->d_name, ".rule") && !ends_with(e->d_name, ".param"))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = cl_realloc(names, nc * sizeof *nn);
            if (nn == NULL) {
                rc = cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
                goto out;
            }
            names = nn;
            cap = nc;
        }
        names[n] = cl_arena_printf(&r->arena, "%s/%s", dir, e->d_name);
        if (names[n] == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "rules", "out of memory");
            goto out;
        }
        n++;
    }
    if (n > 0)
        qsort(names, n, sizeof *names, name_cmp);
    /* parameters first, then rules in name order (a rule reads benefits of earlier files) */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            struct cl_buf buf;
            bool is_param = ends_with(names[i], ".param");

            if (is_param != (pass == 0))
                continue;
            cl_buf_init(&buf);
            rc = cl_file_read(names[i], BN_FILE_MAX, &buf, err);
            if (rc == CL_OK)
                rc = cl_benefits_rules_add(r, names[i], cl_buf_bytes(&buf), err);
            cl_buf_fini(&buf);
            if (rc != CL_OK)
                goto out;
        }
    }
    rc = cl_benefits_rules_finish(r, err);
out:
    if (d != NULL)
        closedir(d);
    cl_free(names);
    if (rc != CL_OK)
        cl_benefits_rules_free(r);
    else
        *out = r;
    return rc;
}

size_t
cl_benefits_count(const struct cl_benefits_rules *r)
{
    return r->nben;
}

void
cl_benefits_info(const struct cl_benefits_rules *r, size_t i, struct cl_benefits_info *out)
{
    const struct bn_benefit *b = r->ben[i];

    out->id = b->id;
    out->name_ko = b->name_ko;
    out->name_en = b->name_en;
    out->agency = b->agency;
    out->legal_basis = b->legal;
    out->source = b->source;
    out->apply = b->apply;
    out->file = b->file;
    out->unit = b->unit;
    out->period = b->period;
}

void
cl_benefits_stats(const struct cl_benefits_rules *r, size_t *tables, size_t *rows)
{
    size_t n = 0;

    for (uint32_t i = 0; i < r->ntab; i++)
        n += r->tab[i]->nrows;
    *tables = r->ntab;
    *rows = n;
}
