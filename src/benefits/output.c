/*
 * output.c - result lines with their checks (value, threshold, parameter file:row, outcome),
 * sentences in Korean and English, forecasts of the next change by time alone, and the
 * human-readable account of one person (`benefits explain`).
 */
#include <stdlib.h>
#include <string.h>

#include "benefits/benefits_int.h"
#include "cardless/alloc.h"
#include "cardless/time.h"

#include "base/banned.h"

#define S ((int64_t)BN_SCALE)
#define HORIZON_DAYS 731 /* forecasts look two years ahead */
#define CACHE_SLOTS 4096

struct pcache {
    int32_t date;
    bool used;
    struct bn_params par;
};

struct cl_benefits_writer {
    const struct cl_benefits_rules *r;
    const struct cl_pop *pop;
    int32_t at;
    unsigned flags;
    struct bn_params par;
    struct bn_ctx *c;
    struct pcache *cache; /* parameters per forecast date */
    size_t ncache;
    /* per household */
    uint8_t st0[BN_MAX_BENEFITS][BN_MAX_MEMBERS];
    int64_t amt0[BN_MAX_BENEFITS][BN_MAX_MEMBERS];
    uint16_t miss0[BN_MAX_BENEFITS][BN_MAX_MEMBERS];
    int32_t next[BN_MAX_BENEFITS][BN_MAX_MEMBERS];
};

/* ---- JSON helpers ---- */

static void
json_str(struct cl_buf *b, const char *s, size_t n)
{
    cl_buf_append_byte(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            cl_buf_append_byte(b, '\\');
            cl_buf_append_byte(b, ch);
        } else if (ch < 0x20) {
            cl_buf_printf(b, "\\u%04x", ch);
        } else {
            cl_buf_append_byte(b, ch);
        }
    }
    cl_buf_append_byte(b, '"');
}

static void
json_cstr(struct cl_buf *b, const char *s)
{
    json_str(b, s, strlen(s));
}

static void
json_bytes(struct cl_buf *b, struct cl_bytes v)
{
    json_str(b, (const char *)v.ptr, v.len);
}

static void
json_date(struct cl_buf *b, int32_t d)
{
    char s[11];

    cl_date_format(d, s);
    cl_buf_printf(b, "\"%s\"", s);
}

/* An exact number: integer won, a finite decimal, or "p/q" as a string. */
static void
put_num(struct cl_buf *b, int64_t v, bool json)
{
    int64_t ip = v / S, rem = v % S;
    int64_t p, q = S;
    uint64_t g;

    if (rem == 0) {
        cl_buf_printf(b, "%lld", (long long)ip);
        return;
    }
    p = rem < 0 ? -rem : rem;
    g = 1;
    {
        uint64_t x = (uint64_t)p, y = (uint64_t)q;
        while (y) {
            uint64_t t = x % y;
            x = y;
            y = t;
        }
        g = x;
    }
    p /= (int64_t)g;
    q /= (int64_t)g;
    if (10000 % q == 0) { /* a finite decimal of at most 4 places */
        int64_t dec = p * (10000 / q);
        int places = 4;
        while (dec % 10 == 0) {
            dec /= 10;
            places--;
        }
        /* as a JSON string: no reader should turn an exact value into binary floating point */
        cl_buf_printf(b, "%s%s%lld.%0*lld%s", json ? "\"" : "", v < 0 && ip == 0 ? "-" : "",
                      (long long)ip, places, (long long)dec, json ? "\"" : "");
        return;
    }
    /* not a finite decimal: the exact fraction */
    cl_buf_printf(b, json ? "\"%lld/%lld\"" : "%lld/%lld", (long long)(v / (int64_t)g),
                  (long long)(S / (int64_t)g));
}

/* 1234567 -> "1,234,567" */
static void
put_won(struct cl_buf *b, int64_t won)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)(won < 0 ? -won : won));

    if (won < 0)
        cl_buf_append_byte(b, '-');
    for (int i = 0; i < n; i++) {
        cl_buf_append_byte(b, (uint8_t)tmp[i]);
        if ((n - i - 1) % 3 == 0 && i != n - 1)
            cl_buf_append_byte(b, ',');
    }
}

static void
put_value(struct cl_buf *b, const struct bn_cond *cd, const struct bn_val *v, bool json)
{
    if (v->st != BN_KNOWN) {
        cl_buf_append_str(b, json ? "null" : "?");
        return;
    }
    switch (cd->cmp_type) {
    case BT_NUM:
        put_num(b, v->v, json);
        break;
    case BT_DATE:
        if (json) {
            json_date(b, (int32_t)v->v);
        } else {
            char s[11];
            cl_date_format((int32_t)v->v, s);
            cl_buf_append_str(b, s);
        }
        break;
    case BT_BOOL:
        cl_buf_append_str(b, v->v ? "true" : "false");
        break;
    case BT_ENUM: {
        const struct bn_domain_def *d = &bn_domains[cd->cmp_domain];
        const char *s =
            v->v >= 0 && (uint64_t)v->v < d->count && d->values[v->v] ? d->values[v->v] : "none";
        if (json)
            json_cstr(b, s);
        else
            cl_buf_append_str(b, s);
        break;
    }
    default:
        cl_buf_append_str(b, "null");
    }
}

static const char *
op_name(uint8_t op)
{
    switch (op) {
    case OP_LT:
        return "<";
    case OP_LE:
        return "<=";
    case OP_GT:
        return ">";
    case OP_GE:
        return ">=";
    case OP_EQ:
        return "==";
    case OP_NE:
        return "!=";
    }
    return "";
}

static const char *
outcome_name(const struct bn_val *v)
{
    if (v->st == BN_CONSENT)
        return "unknown_needs_consent";
    if (v->st == BN_MISSING)
        return "unknown_missing_data";
    return v->v ? "pass" : "fail";
}

static void
put_missing(struct cl_buf *b, uint16_t miss)
{
    bool first = true;

    cl_buf_append_byte(b, '[');
    for (int i = 0; i < BN_MISS_COUNT; i++) {
        if (!(miss & (1u << i)))
            continue;
        if (!first)
            cl_buf_append_byte(b, ',');
        json_cstr(b, bn_miss_names[i]);
        first = false;
    }
    cl_buf_append_byte(b, ']');
}

/* ---- parameters per date ---- */

static const struct bn_params *
params_at(struct cl_benefits_writer *w, int32_t d, struct bn_params *tmp)
{
    size_t h = ((uint32_t)d * 2654435761u) % CACHE_SLOTS;

    if (d == w->at)
        return &w->par;
    for (size_t k = 0; k < CACHE_SLOTS; k++) {
        struct pcache *e = &w->cache[(h + k) % CACHE_SLOTS];

        if (e->used && e->date == d)
            return &e->par;
        if (!e->used) {
            if (w->ncache >= CACHE_SLOTS / 2)
                break;
            if (bn_params_resolve(w->r, d, &e->par, NULL) != CL_OK)
                return NULL;
            e->used = true;
            e->date = d;
            w->ncache++;
            return &e->par;
        }
    }
    return bn_params_resolve(w->r, d, tmp, NULL) == CL_OK ? tmp : NULL;
}

cl_err
cl_benefits_writer_new(const struct cl_benefits_rules *r, const struct cl_pop *pop, int32_t at,
                       unsigned flags, struct cl_benefits_writer **out, struct cl_error *err)
{
    struct cl_benefits_writer *w = cl_calloc(1, sizeof *w);
    cl_err rc;

    *out = NULL;
    if (w == NULL || (w->c = cl_calloc(1, sizeof *w->c)) == NULL ||
        (w->cache = cl_calloc(CACHE_SLOTS, sizeof *w->cache)) == NULL) {
        cl_benefits_writer_free(w);
        return cl_fail(err, CL_ERR_NOMEM, "writer", "out of memory");
    }
    w->r = r;
    w->pop = pop;
    w->at = at;
    w->flags = flags;
    rc = bn_params_resolve(r, at, &w->par, err);
    if (rc != CL_OK) {
        cl_benefits_writer_free(w);
        return rc;
    }
    w->c->r = r;
    w->c->pop = pop;
    *out = w;
    return CL_OK;
}

void
cl_benefits_writer_free(struct cl_benefits_writer *w)
{
    if (w == NULL)
        return;
    if (w->cache != NULL)
        for (size_t i = 0; i < CACHE_SLOTS; i++)
            if (w->cache[i].used)
                bn_params_fini(&w->cache[i].par);
    cl_free(w->cache);
    bn_params_fini(&w->par);
    cl_free(w->c);
    cl_free(w);
}

static int
date_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/*
 * Evaluate household h at `at` (into st0/amt0/miss0), then at each date on which something
 * time-driven changes (birthdays, month starts, parameter rows starting or ending) until every
 * result has changed or the horizon ends; next[][] gets the first date of change, or 0.
 */
static cl_err
eval_with_forecast(struct cl_benefits_writer *w, uint32_t h, struct cl_error *err)
{
    struct bn_ctx *c = w->c;
    const struct cl_benefits_rules *r = w->r;
    const struct cl_pop *pop = w->pop;
    int32_t dates[512];
    size_t nd = 0;
    uint32_t n;
    int32_t y;
    unsigned m, d;
    size_t pending = 0;

    c->par = &w->par;
    c->at = w->at;
    c->trace = false;
    c->param_hole = false;
    bn_eval_household_all(c, h, false);
    if (c->hole_mask)
        return cl_fail(err, CL_ERR_INPUT, c->hole_table ? c->hole_table : "parameters",
                       "no parameter row is effective on the evaluation date");
    n = c->count < BN_MAX_MEMBERS ? c->count : BN_MAX_MEMBERS;
    memcpy(w->st0, c->st, sizeof w->st0);
    memcpy(w->amt0, c->amt, sizeof w->amt0);
    memcpy(w->miss0, c->miss, sizeof w->miss0);
    memset(w->next, 0, sizeof w->next);
    if (w->flags & CL_BENEFITS_NO_FORECAST)
        return CL_OK;
    /* candidate dates */
    cl_civil_from_days(w->at, &y, &m, &d);
    for (int k = 1; k <= 24; k++) {
        int32_t mm = (int32_t)m - 1 + k;
        dates[nd++] = cl_days_from_civil(y + mm / 12, (unsigned)(mm % 12) + 1, 1);
    }
    for (uint32_t k = 0; k < n && nd + 2 < CL_ARRAY_LEN(dates); k++) {
        int32_t b = pop->p_birth[c->first + k];
        int32_t age = bn_age(b, w->at);

        if (age < 0)
            continue;
        dates[nd++] = bn_add_years(b, age + 1);
        dates[nd++] = bn_add_years(b, age + 2);
    }
    for (uint32_t t = 0; t < r->ntab; t++)
        for (size_t j = 0; j < r->tab[t]->nrows && nd + 2 < CL_ARRAY_LEN(dates); j++) {
            const struct bn_row *row = &r->tab[t]->rows[j];
            if (row->from > w->at)
                dates[nd++] = row->from;
            if (row->to >= w->at)
                dates[nd++] = row->to + 1;
        }
    qsort(dates, nd, sizeof dates[0], date_cmp);
    for (uint32_t bi = 0; bi < r->nben; bi++)
        pending += r->ben[bi]->unit == BN_UNIT_PERSON ? n : 1;
    for (size_t i = 0; i < nd && pending > 0; i++) {
        struct bn_params tmp;
        const struct bn_params *p;

        if (dates[i] <= w->at || dates[i] > w->at + HORIZON_DAYS ||
            (i > 0 && dates[i] == dates[i - 1]))
            continue;
        memset(&tmp, 0, sizeof tmp);
        p = params_at(w, dates[i], &tmp);
        if (p == NULL)
            break;
        c->par = p;
        c->at = dates[i];
        c->param_hole = false;
        bn_eval_household_all(c, h, false);
        for (uint32_t bi = 0; bi < r->nben; bi++) {
            uint32_t ns = r->ben[bi]->unit == BN_UNIT_PERSON ? n : 1;

            for (uint32_t k = 0; k < ns; k++) {
                if (w->next[bi][k] != 0)
                    continue;
                if (c->hole_mask & (1u << bi)) {
                    w->next[bi][k] = -1; /* no parameters that far: unknown future */
                    pending--;
                } else if (c->st[bi][k] != w->st0[bi][k] || c->amt[bi][k] != w->amt0[bi][k]) {
                    w->next[bi][k] = dates[i];
                    pending--;
                }
            }
        }
        if (p == &tmp)
            bn_params_fini(&tmp);
    }
    /* leave the context on the evaluation date, as the checks expect */
    c->par = &w->par;
    c->at = w->at;
    bn_eval_household_all(c, h, false);
    return CL_OK;
}

/* Run each condition of b for person with tracing; call fn per condition. */
struct check {
    const struct bn_cond *cd;
    struct bn_val v, lhs, rhs;
    uint32_t nread;
    uint32_t read[16];
};

static void
trace_checks(struct cl_benefits_writer *w, const struct bn_benefit *b, uint32_t person,
             struct check *out)
{
    struct bn_ctx *c = w->c;

    c->trace = true;
    c->person = person;
    c->ben = b;
    for (uint32_t i = 0; i < b->nconds; i++) {
        struct check *k = &out[i];

        memset(k, 0, sizeof *k);
        k->cd = &b->conds[i];
        c->let_done = 0;
        c->nread = 0;
        k->lhs.st = k->rhs.st = BN_KNOWN;
        k->v = bn_run(c, &b->conds[i].code, b->conds[i].top_cmp ? &k->lhs : NULL, &k->rhs);
        k->nread = c->nread;
        memcpy(k->read, c->read, sizeof k->read);
    }
    c->trace = false;
}

static void
put_sources(struct cl_buf *o, const struct bn_ctx *c, const struct check *k, bool json)
{
    for (uint32_t j = 0; j < k->nread; j++) {
        const struct bn_row *row = c->par->row[k->read[j]];
        const struct bn_table *t = c->par->tab[k->read[j]];
        bool dup = false;

        for (uint32_t q = 0; q < j; q++)
            dup = dup || k->read[q] == k->read[j];
        if (dup || row == NULL)
            continue;
        if (json) {
            char tmp[400];
            snprintf(tmp, sizeof tmp, "%s:%u (%s)", t->file, row->line, t->name);
            if (o->len > 0 && o->ptr[o->len - 1] != '[')
                cl_buf_append_byte(o, ',');
            json_cstr(o, tmp);
        } else {
            cl_buf_printf(o, " [%s:%u %s]", t->file, row->line, t->name);
        }
    }
}

static void
sentence(struct cl_buf *o, const struct bn_benefit *b, uint8_t st, int64_t amt, uint16_t miss,
         const struct check *ck, bool ko)
{
    const char *per_ko = b->period == CL_BENEFITS_PERIOD_MONTHLY  ? "월 "
                         : b->period == CL_BENEFITS_PERIOD_ANNUAL ? "연 "
                                                                  : "";
    const char *per_en = b->period == CL_BENEFITS_PERIOD_MONTHLY  ? " a month"
                         : b->period == CL_BENEFITS_PERIOD_ANNUAL ? " a year"
                                                                  : "";

    switch (st) {
    case CL_BENEFITS_ELIGIBLE:
        if (ko) {
            cl_buf_printf(o, "%s: 받으실 수 있습니다", b->name_ko);
            if (b->period != CL_BENEFITS_PERIOD_NONE) {
                cl_buf_printf(o, " (%s", per_ko);
                put_won(o, amt);
                cl_buf_append_str(o, "원)");
            }
            cl_buf_append_str(o, ". 신청: ");
            cl_buf_append_str(o, b->apply);
        } else {
            cl_buf_printf(o, "You are eligible for %s", b->name_en);
            if (b->period != CL_BENEFITS_PERIOD_NONE) {
                cl_buf_append_str(o, " (");
                put_won(o, amt);
                cl_buf_printf(o, " won%s)", per_en);
            }
            cl_buf_append_str(o, ".");
        }
        break;
    case CL_BENEFITS_NOT_ELIGIBLE: {
        const char *why = "";
        for (uint32_t i = 0; i < b->nconds; i++)
            if (ck[i].v.st == BN_KNOWN && !ck[i].v.v) {
                why = ko ? ck[i].cd->ko : ck[i].cd->en;
                break;
            }
        if (ko)
            cl_buf_printf(o, "%s: 대상이 아닙니다 ('%s' 조건을 충족하지 않음).", b->name_ko, why);
        else
            cl_buf_printf(o, "Not eligible for %s: not met: %s.", b->name_en, why);
        break;
    }
    case CL_BENEFITS_UNKNOWN_NEEDS_CONSENT:
        if (ko)
            cl_buf_printf(o,
                          "%s: 금융정보 등 제공에 동의하시면 받을 수 있는지 알려드릴 수 "
                          "있습니다.",
                          b->name_ko);
        else
            cl_buf_printf(o,
                          "%s: we don't know yet - share your financial data (consent) and we "
                          "can tell you.",
                          b->name_en);
        break;
    default: {
        struct cl_buf tmp;
        cl_buf_init(&tmp);
        put_missing(&tmp, miss);
        if (ko)
            cl_buf_printf(o, "%s: 필요한 자료가 아직 없어 판단을 보류합니다 (%.*s).", b->name_ko,
                          (int)tmp.len, (const char *)tmp.ptr);
        else
            cl_buf_printf(o, "%s: we cannot decide yet, some data are missing (%.*s).", b->name_en,
                          (int)tmp.len, (const char *)tmp.ptr);
        cl_buf_fini(&tmp);
    }
    }
}

static bool
reads_fact(const struct bn_code *code, const char *name)
{
    for (uint32_t i = 0; i < code->n; i++)
        if (code->ins[i].op == OP_FACT && strcmp(bn_builtins[code->ins[i].a].name, name) == 0)
            return true;
    return false;
}

/* 교육급여: each student's amount beside the sum (welfare-2026.md 6.5) */
static void
put_students(struct cl_benefits_writer *w, struct cl_buf *o)
{
    const struct bn_ctx *c = w->c;
    int ti = w->r->role_tab[PR_EDUCATION_AMOUNT];
    bool first = true;

    cl_buf_append_str(o, ",\"students\":[");
    for (uint32_t i = c->first; ti >= 0 && i < c->first + c->count; i++) {
        uint8_t sc = w->pop->p_school[i];
        const struct bn_table *t = w->r->tab[ti];

        if (sc < CL_POP_SCHOOL_ELEMENTARY || sc > CL_POP_SCHOOL_HIGH || sc >= t->nkeys)
            continue;
        if (!first)
            cl_buf_append_byte(o, ',');
        first = false;
        cl_buf_append_str(o, "{\"person_id\":");
        json_bytes(o, cl_pop_person_id(w->pop, i));
        cl_buf_printf(o, ",\"school\":\"%s\",\"annual\":%lld}", cl_pop_school_names[sc],
                      (long long)(w->par.val[t->slot + sc] / S));
    }
    cl_buf_append_byte(o, ']');
}

static void
write_line(struct cl_benefits_writer *w, uint32_t h, uint32_t bi, uint32_t k, uint32_t person,
           struct cl_buf *o)
{
    const struct bn_benefit *b = w->r->ben[bi];
    struct check ck[BN_MAX_CONDS];
    uint8_t st = w->st0[bi][k];
    int64_t amt = w->amt0[bi][k];

    trace_checks(w, b, person, ck);
    cl_buf_append_str(o, "{\"household_id\":");
    json_bytes(o, cl_pop_household_id(w->pop, h));
    cl_buf_append_str(o, ",\"person_id\":");
    if (b->unit == BN_UNIT_HOUSEHOLD)
        cl_buf_append_str(o, "null");
    else
        json_bytes(o, cl_pop_person_id(w->pop, person));
    cl_buf_append_str(o, ",\"benefit\":");
    json_cstr(o, b->id);
    cl_buf_printf(o, ",\"status\":\"%s\",\"amount\":", cl_benefits_status_name(st));
    if (st == CL_BENEFITS_ELIGIBLE && b->period != CL_BENEFITS_PERIOD_NONE)
        cl_buf_printf(o, "{\"%s\":%lld}", cl_benefits_period_name(b->period), (long long)amt);
    else
        cl_buf_append_str(o, "null");
    if (st == CL_BENEFITS_ELIGIBLE && reads_fact(&b->amount, "education_amount"))
        put_students(w, o);
    if (b->nkinds > 0) {
        const char *kind = NULL;

        w->c->person = person;
        w->c->ben = b;
        for (uint32_t i = 0; i < b->nkinds && st == CL_BENEFITS_ELIGIBLE && kind == NULL; i++) {
            struct bn_val v;

            w->c->let_done = 0;
            v = bn_run(w->c, &b->kinds[i].code, NULL, NULL);
            if (v.st == BN_KNOWN && v.v)
                kind = b->kinds[i].name;
        }
        cl_buf_append_str(o, ",\"kind\":");
        if (kind != NULL)
            json_cstr(o, kind);
        else
            cl_buf_append_str(o, "null");
    }
    cl_buf_append_str(o, ",\"checks\":[");
    for (uint32_t i = 0; i < b->nconds; i++) {
        const struct check *c = &ck[i];

        if (i > 0)
            cl_buf_append_byte(o, ',');
        cl_buf_append_str(o, "{\"condition\":");
        json_cstr(o, c->cd->name);
        cl_buf_printf(o, ",\"outcome\":\"%s\"", outcome_name(&c->v));
        if (c->cd->top_cmp) {
            cl_buf_append_str(o, ",\"value\":");
            put_value(o, c->cd, &c->lhs, true);
            cl_buf_printf(
                o, ",\"op\":\"%s\",\"threshold\":", op_name(c->cd->code.ins[c->cd->code.n - 1].op));
            put_value(o, c->cd, &c->rhs, true);
        }
        cl_buf_append_str(o, ",\"source\":[");
        put_sources(o, w->c, c, true);
        cl_buf_append_str(o, "],\"reads\":[");
        for (int s = 0, f = 1; s < BN_SCOPE_COUNT; s++)
            if (c->cd->scopes & (1u << s)) {
                if (!f)
                    cl_buf_append_byte(o, ',');
                json_cstr(o, bn_scope_names[s]);
                f = 0;
            }
        cl_buf_append_byte(o, ']');
        if (c->v.st != BN_KNOWN) {
            cl_buf_append_str(o, ",\"missing\":");
            put_missing(o, c->v.miss);
        }
        if (w->flags & CL_BENEFITS_EXPLAIN) {
            cl_buf_append_str(o, ",\"ko\":");
            json_cstr(o, c->cd->ko);
            cl_buf_append_str(o, ",\"en\":");
            json_cstr(o, c->cd->en);
        }
        cl_buf_append_byte(o, '}');
    }
    cl_buf_append_str(o, "],\"missing\":");
    put_missing(o, st == CL_BENEFITS_NOT_ELIGIBLE ? 0 : w->miss0[bi][k]);
    cl_buf_append_str(o, ",\"next_change\":");
    if (w->next[bi][k] > 0)
        json_date(o, w->next[bi][k]);
    else
        cl_buf_append_str(o, "null");
    cl_buf_append_str(o, ",\"at\":");
    json_date(o, w->at);
    if (w->flags & CL_BENEFITS_EXPLAIN) {
        struct cl_buf s;

        cl_buf_init(&s);
        cl_buf_append_str(o, ",\"explanation\":{\"ko\":");
        sentence(&s, b, st, amt, w->miss0[bi][k], ck, true);
        json_str(o, (const char *)s.ptr, s.len);
        cl_buf_reset(&s);
        cl_buf_append_str(o, ",\"en\":");
        sentence(&s, b, st, amt, w->miss0[bi][k], ck, false);
        json_str(o, (const char *)s.ptr, s.len);
        cl_buf_append_byte(o, '}');
        cl_buf_fini(&s);
    }
    cl_buf_append_str(o, "}\n");
}

cl_err
cl_benefits_writer_household(struct cl_benefits_writer *w, size_t h, struct cl_buf *out,
                             size_t *lines, struct cl_error *err)
{
    const struct cl_benefits_rules *r = w->r;
    struct bn_ctx *c = w->c;
    cl_err rc;
    uint32_t n;

    if (h >= w->pop->nh)
        return cl_fail(err, CL_ERR_USAGE, "household", "no such household");
    rc = eval_with_forecast(w, (uint32_t)h, err);
    if (rc != CL_OK)
        return rc;
    n = c->count < BN_MAX_MEMBERS ? c->count : BN_MAX_MEMBERS;
    for (uint32_t bi = 0; bi < r->nben; bi++) {
        const struct bn_benefit *b = r->ben[bi];
        uint32_t ns = b->unit == BN_UNIT_PERSON ? n : 1;

        for (uint32_t k = 0; k < ns; k++) {
            uint32_t person = b->unit == BN_UNIT_PERSON ? c->first + k : c->head;

            if (w->st0[bi][k] == CL_BENEFITS_NOT_ELIGIBLE && !(w->flags & CL_BENEFITS_ALL))
                continue;
            write_line(w, (uint32_t)h, bi, k, person, out);
            if (lines != NULL)
                (*lines)++;
        }
    }
    return cl_buf_check(out, "results", err);
}

cl_err
cl_benefits_explain_person(const struct cl_benefits_rules *r, const struct cl_pop *pop, int32_t at,
                           size_t person, struct cl_buf *o, struct cl_error *err)
{
    struct cl_benefits_writer *w = NULL;
    struct bn_ctx *c;
    uint32_t h, n;
    char ds[11];
    cl_err rc;

    if (person >= pop->np)
        return cl_fail(err, CL_ERR_USAGE, "person", "no such person");
    rc = cl_benefits_writer_new(r, pop, at, CL_BENEFITS_ALL | CL_BENEFITS_EXPLAIN, &w, err);
    if (rc != CL_OK)
        return rc;
    c = w->c;
    h = (uint32_t)pop->p_hh[person];
    rc = eval_with_forecast(w, h, err);
    if (rc != CL_OK)
        goto out;
    n = c->count < BN_MAX_MEMBERS ? c->count : BN_MAX_MEMBERS;
    cl_date_format(at, ds);
    {
        struct cl_bytes pid = cl_pop_person_id(pop, person), hid = cl_pop_household_id(pop, h);
        cl_buf_printf(o, "Person %.*s, household %.*s (%u members), on %s\n", (int)pid.len,
                      (const char *)pid.ptr, (int)hid.len, (const char *)hid.ptr, n, ds);
        cl_buf_printf(o, "  age %d, %s\n\n", bn_age(pop->p_birth[person], at),
                      cl_pop_relation_names[pop->p_relation[person]]);
    }
    for (uint32_t bi = 0; bi < r->nben; bi++) {
        const struct bn_benefit *b = r->ben[bi];
        uint32_t k, subject;
        struct check ck[BN_MAX_CONDS];

        if (b->unit == BN_UNIT_PERSON) {
            k = (uint32_t)person - c->first;
            subject = (uint32_t)person;
        } else if (b->unit == BN_UNIT_HEAD && (uint32_t)person != c->head) {
            continue;
        } else {
            k = 0;
            subject = c->head;
        }
        if (k >= BN_MAX_MEMBERS)
            continue;
        trace_checks(w, b, subject, ck);
        cl_buf_printf(o, "%s / %s [%s]%s: %s", b->name_ko, b->name_en, b->id,
                      b->unit == BN_UNIT_HOUSEHOLD ? " (household)" : "",
                      cl_benefits_status_name(w->st0[bi][k]));
        if (w->st0[bi][k] == CL_BENEFITS_ELIGIBLE && b->period != CL_BENEFITS_PERIOD_NONE) {
            cl_buf_append_str(o, ", ");
            put_won(o, w->amt0[bi][k]);
            cl_buf_printf(o, " won %s", cl_benefits_period_name(b->period));
        }
        if (w->next[bi][k] > 0) {
            cl_date_format(w->next[bi][k], ds);
            cl_buf_printf(o, ", changes on %s", ds);
        }
        cl_buf_append_str(o, "\n");
        for (uint32_t i = 0; i < b->nconds; i++) {
            const struct check *x = &ck[i];
            cl_buf_printf(o, "    %-24s %-22s", x->cd->name, outcome_name(&x->v));
            if (x->cd->top_cmp) {
                cl_buf_append_str(o, " ");
                put_value(o, x->cd, &x->lhs, false);
                cl_buf_printf(o, " %s ", op_name(x->cd->code.ins[x->cd->code.n - 1].op));
                put_value(o, x->cd, &x->rhs, false);
            }
            put_sources(o, c, x, false);
            cl_buf_printf(o, "\n        %s / %s\n", x->cd->ko, x->cd->en);
        }
        cl_buf_append_str(o, "    ko: ");
        sentence(o, b, w->st0[bi][k], w->amt0[bi][k], w->miss0[bi][k], ck, true);
        cl_buf_append_str(o, "\n    en: ");
        sentence(o, b, w->st0[bi][k], w->amt0[bi][k], w->miss0[bi][k], ck, false);
        cl_buf_append_str(o, "\n\n");
    }
    rc = cl_buf_check(o, "explanation", err);
out:
    cl_benefits_writer_free(w);
    return rc;
}
