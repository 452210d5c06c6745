/*
 * eval.c - the evaluator: parameters resolved once per date, the bytecode machine with
 * three-valued logic (welfare-2026.md §2, 6.3), one household at a time with its aggregates
 * memoized, the whole population per pass split over threads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "benefits/benefits_int.h"
#include "cardless/alloc.h"
#include "cardless/time.h"

#include "base/banned.h"

#define S ((int64_t)BN_SCALE)

const char *
cl_benefits_status_name(unsigned status)
{
    switch (status) {
    case CL_BENEFITS_ELIGIBLE:
        return "eligible";
    case CL_BENEFITS_NOT_ELIGIBLE:
        return "not_eligible";
    case CL_BENEFITS_UNKNOWN_MISSING_DATA:
        return "unknown_missing_data";
    case CL_BENEFITS_UNKNOWN_NEEDS_CONSENT:
        return "unknown_needs_consent";
    }
    return "unknown";
}

const char *
cl_benefits_period_name(unsigned period)
{
    switch (period) {
    case CL_BENEFITS_PERIOD_MONTHLY:
        return "monthly";
    case CL_BENEFITS_PERIOD_ANNUAL:
        return "annual";
    case CL_BENEFITS_PERIOD_LUMP_SUM:
        return "lump_sum";
    }
    return NULL;
}

/* ---- parameters ---- */

cl_err
bn_params_resolve(const struct cl_benefits_rules *r, int32_t at, struct bn_params *out,
                  struct cl_error *err)
{
    memset(out, 0, sizeof *out);
    out->at = at;
    out->n = r->nslots;
    out->val = cl_calloc(r->nslots + 1, sizeof *out->val);
    out->row = cl_calloc(r->nslots + 1, sizeof *out->row);
    out->tab = cl_calloc(r->nslots + 1, sizeof *out->tab);
    if (out->val == NULL || out->row == NULL || out->tab == NULL) {
        bn_params_fini(out);
        return cl_fail(err, CL_ERR_NOMEM, "parameters", "out of memory");
    }
    for (uint32_t i = 0; i < r->ntab; i++) {
        const struct bn_table *t = r->tab[i];

        for (uint32_t k = 0; k < t->nkeys; k++)
            out->tab[t->slot + k] = t;
        for (size_t j = 0; j < t->nrows; j++) {
            const struct bn_row *row = &t->rows[j];
            uint32_t slot = t->slot + (uint32_t)row->key;

            if (row->from <= at && at <= row->to) {
                out->val[slot] = row->value;
                out->row[slot] = row;
            }
        }
    }
    return CL_OK;
}

void
bn_params_fini(struct bn_params *p)
{
    cl_free(p->val);
    cl_free(p->row);
    cl_free((void *)p->tab);
    memset(p, 0, sizeof *p);
}

/* ---- the machine ---- */

static inline void
merge(struct bn_val *o, const struct bn_val *a, const struct bn_val *b)
{
    o->st = a->st > b->st ? a->st : b->st;
    o->miss = (uint16_t)((a->st ? a->miss : 0) | (b->st ? b->miss : 0));
    o->v = 0;
}

static inline int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t
sat128(bn_wide v)
{
    const int64_t m = (int64_t)1 << 60;
    return v > m ? m : v < -m ? -m : (int64_t)v;
}

struct bn_val
bn_run(struct bn_ctx *c, const struct bn_code *code, struct bn_val *lhs, struct bn_val *rhs)
{
    struct bn_val st[BN_MAX_STACK + 1];
    int sp = 0;

    for (uint32_t pc = 0; pc < code->n; pc++) {
        const struct bn_ins *in = &code->ins[pc];
        struct bn_val *a, *b;

        switch (in->op) {
        case OP_CONST:
            st[sp].v = in->k;
            st[sp].st = BN_KNOWN;
            st[sp].miss = 0;
            sp++;
            break;
        case OP_FACT: {
            const struct bn_builtin *f = &bn_builtins[in->a];
            struct bn_val out;
            uint32_t k = c->person - c->first;

            if (in->k != BN_IF_NONE && k < BN_MAX_MEMBERS) { /* hot person facts, inline */
                int64_t v = 0;

                switch (in->k) {
                case BN_IF_AGE:
                    v = (int64_t)c->age[k] * S;
                    break;
                case BN_IF_MONTH_INDEX:
                    v = (int64_t)c->month_index[k] * S;
                    break;
                case BN_IF_BIRTH_YEAR:
                    v = (int64_t)c->birth_year[k] * S;
                    break;
                case BN_IF_IS_KOREAN:
                    v = (c->pop->p_flags[c->person] & CL_POP_P_KR) != 0;
                    break;
                case BN_IF_IS_HEAD:
                    v = c->pop->p_relation[c->person] == CL_POP_REL_HEAD;
                    break;
                case BN_IF_HOUSEHOLD_SIZE:
                    v = (int64_t)c->count * S;
                    break;
                case BN_IF_SEVERE:
                    v = (c->pop->p_flags[c->person] & CL_POP_P_SEVERE) != 0;
                    break;
                }
                st[sp].v = v;
                st[sp].st = BN_KNOWN;
                st[sp].miss = 0;
                sp++;
                break;
            }

            sp -= f->arity;
            out = st[sp];
            for (unsigned i = 1; i < f->arity; i++)
                if (st[sp + i].st != BN_KNOWN)
                    merge(&out, &out, &st[sp + i]);
            if (f->arity == 0 || out.st == BN_KNOWN) /* unknown arguments: unknown result */
                f->fn(c, &st[sp], &out);
            st[sp++] = out;
            break;
        }
        case OP_PARAM:
        case OP_PARAMK: {
            const struct bn_table *t = c->r->tab[in->a];
            int64_t key = 0;
            uint32_t slot;

            if (in->op == OP_PARAMK) {
                a = &st[--sp];
                if (a->st != BN_KNOWN) {
                    sp++;
                    break;
                }
                key = t->keydomain != BD_NONE ? a->v : a->v / S;
                if (t->keydomain == BD_NONE && key > t->maxkey)
                    key = t->maxkey; /* integer keys: the last row holds for larger keys */
            }
            st[sp].st = BN_KNOWN;
            st[sp].miss = 0;
            st[sp].v = 0;
            if (key < 0 || (uint64_t)key >= t->nkeys ||
                c->par->row[slot = t->slot + (uint32_t)key] == NULL) {
                c->param_hole = true;
                c->hole_table = t->name;
            } else {
                st[sp].v = c->par->val[slot];
                if (c->trace && c->nread < CL_ARRAY_LEN(c->read))
                    c->read[c->nread++] = slot;
            }
            sp++;
            break;
        }
        case OP_ANDJ:
        case OP_ORJ:
            a = &st[sp - 1];
            if (a->st == BN_KNOWN && a->v == (in->op == OP_ORJ))
                pc += (uint32_t)in->k; /* the loop's pc++ steps past the OP_AND / OP_OR */
            break;
        case OP_LET:
            if (!(c->let_done & (1u << in->a))) {
                c->lets[in->a] = bn_run(c, &c->ben->lets[in->a].code, NULL, NULL);
                c->let_done |= 1u << in->a;
            }
            st[sp++] = c->lets[in->a];
            break;
        case OP_NEG:
        case OP_NOT:
        case OP_ROUND:
        case OP_FLOOR:
        case OP_DIVK:
            a = &st[sp - 1];
            if (a->st != BN_KNOWN)
                break;
            if (in->op == OP_NEG)
                a->v = -a->v;
            else if (in->op == OP_NOT)
                a->v = !a->v;
            else if (in->op == OP_ROUND) /* round half up to the won */
                a->v = floor_div(a->v + S / 2, S) * S;
            else if (in->op == OP_FLOOR)
                a->v = floor_div(a->v, S) * S;
            else
                a->v = a->v / in->k; /* exact: the compiler checked the denominator */
            break;
        case OP_AND:
        case OP_OR: {
            bool is_and = in->op == OP_AND;
            b = &st[--sp];
            a = &st[sp - 1];
            /* a known false (and) / known true (or) decides, whatever else is unknown */
            if ((a->st == BN_KNOWN && a->v == !is_and) || (b->st == BN_KNOWN && b->v == !is_and)) {
                a->st = BN_KNOWN;
                a->miss = 0;
                a->v = !is_and;
            } else if (a->st == BN_KNOWN && b->st == BN_KNOWN) {
                a->v = is_and;
            } else {
                merge(a, a, b);
            }
            break;
        }
        case OP_IF: {
            struct bn_val *cnd = &st[sp - 3];
            a = &st[sp - 2];
            b = &st[sp - 1];
            sp -= 2;
            if (cnd->st != BN_KNOWN)
                break; /* unknown stays */
            *cnd = cnd->v ? *a : *b;
            break;
        }
        default: { /* binary arithmetic and comparisons */
            int64_t x, y, r = 0;

            b = &st[--sp];
            a = &st[sp - 1];
            if (pc + 1 == code->n && lhs != NULL) {
                *lhs = *a;
                *rhs = *b;
            }
            if (a->st != BN_KNOWN || b->st != BN_KNOWN) {
                merge(a, a, b);
                break;
            }
            x = a->v;
            y = b->v;
            switch (in->op) {
            case OP_ADD:
                r = sat128((bn_wide)x + y);
                break;
            case OP_SUB:
                r = sat128((bn_wide)x - y);
                break;
            case OP_MUL: {
                int64_t prod; /* 64 bits when it fits: a 128-bit division is a library call */

                r = __builtin_mul_overflow(x, y, &prod) ? sat128((bn_wide)x * y / S) : prod / S;
                break;
            }
            case OP_LT:
                r = x < y;
                break;
            case OP_LE:
                r = x <= y;
                break;
            case OP_GT:
                r = x > y;
                break;
            case OP_GE:
                r = x >= y;
                break;
            case OP_EQ:
                r = x == y;
                break;
            case OP_NE:
                r = x != y;
                break;
            case OP_MIN:
                r = x < y ? x : y;
                break;
            case OP_MAX:
                r = x > y ? x : y;
                break;
            }
            a->v = r;
            break;
        }
        }
    }
    return sp > 0 ? st[sp - 1] : st[0];
}

/* ---- households ---- */

void
bn_ctx_household(struct bn_ctx *c, uint32_t h)
{
    c->hh = h;
    c->first = (uint32_t)c->pop->hh_first[h];
    c->count = (uint32_t)(c->pop->hh_first[h + 1] - c->pop->hh_first[h]);
    c->head = (uint32_t)c->pop->hh_head[h];
    c->memo = 0;
    c->hole_mask = 0;
    c->age = c->age_buf;
    c->month_index = c->month_index_buf;
    c->birth_year = c->birth_year_buf;
    {
        int32_t ay, by;
        unsigned am, ad, bm, bd;

        cl_civil_from_days(c->at, &ay, &am, &ad);
        for (uint32_t k = 0; k < c->count && k < BN_MAX_MEMBERS; k++) {
            cl_civil_from_days(c->pop->p_birth[c->first + k], &by, &bm, &bd);
            c->month_index_buf[k] = (int16_t)((ay * 12 + (int32_t)am) - (by * 12 + (int32_t)bm));
            c->birth_year_buf[k] = (int16_t)by;
            if (bm == 2 && bd == 29 && !((ay % 4 == 0 && ay % 100 != 0) || ay % 400 == 0)) {
                bm = 3; /* born 29 Feb: 1 Mar in a non-leap year (6.13) */
                bd = 1;
            }
            c->age_buf[k] = (int16_t)(ay - by - ((am < bm || (am == bm && ad < bd)) ? 1 : 0));
        }
    }
}

int32_t
bn_member_age(const struct bn_ctx *c, uint32_t i)
{
    return i - c->first < c->count && i - c->first < BN_MAX_MEMBERS
               ? c->age[i - c->first]
               : bn_age(c->pop->p_birth[i], c->at);
}

/*
 * Status of benefit b for one subject: conditions in order; a known failure decides at once
 * (not_eligible regardless of unknowns), else consent outranks missing data (6.3).
 */
uint8_t
bn_eval_subject(struct bn_ctx *c, const struct bn_benefit *b, uint32_t person, uint16_t *miss)
{
    uint8_t worst = BN_KNOWN;
    uint16_t m = 0;

    c->person = person;
    c->ben = b;
    c->let_done = 0;
    for (uint32_t i = 0; i < b->nconds; i++) {
        struct bn_val v = bn_run(c, &b->conds[i].code, NULL, NULL);

        if (v.st == BN_KNOWN) {
            if (!v.v) {
                *miss = 0;
                return CL_BENEFITS_NOT_ELIGIBLE;
            }
        } else {
            if (v.st > worst)
                worst = v.st;
            m |= v.miss;
        }
    }
    *miss = m;
    return worst == BN_KNOWN     ? CL_BENEFITS_ELIGIBLE
           : worst == BN_CONSENT ? CL_BENEFITS_UNKNOWN_NEEDS_CONSENT
                                 : CL_BENEFITS_UNKNOWN_MISSING_DATA;
}

int64_t
bn_eval_amount(struct bn_ctx *c, const struct bn_benefit *b, uint32_t person)
{
    struct bn_val v;

    if (b->amount.n == 0)
        return 0;
    c->person = person;
    c->ben = b;
    c->let_done = 0;
    v = bn_run(c, &b->amount, NULL, NULL);
    return v.st == BN_KNOWN ? v.v / S : 0;
}

/* Every benefit for household h, dependencies first; statuses and amounts land in c->st/amt. */
void
bn_eval_household_all(struct bn_ctx *c, uint32_t h, bool full)
{
    const struct cl_benefits_rules *r = c->r;

    (void)full;
    bn_ctx_household(c, h);
    for (uint32_t o = 0; o < r->nben; o++) {
        uint32_t bi = r->order[o];
        const struct bn_benefit *b = r->ben[bi];

        bool saved = c->param_hole;

        c->param_hole = false;
        if (b->unit == BN_UNIT_PERSON) {
            uint32_t n = c->count < BN_MAX_MEMBERS ? c->count : BN_MAX_MEMBERS;

            for (uint32_t k = 0; k < n; k++)
                c->st[bi][k] = bn_eval_subject(c, b, c->first + k, &c->miss[bi][k]);
            for (uint32_t k = 0; k < n; k++)
                c->amt[bi][k] =
                    c->st[bi][k] == CL_BENEFITS_ELIGIBLE ? bn_eval_amount(c, b, c->first + k) : 0;
        } else {
            c->st[bi][0] = bn_eval_subject(c, b, c->head, &c->miss[bi][0]);
            c->amt[bi][0] =
                c->st[bi][0] == CL_BENEFITS_ELIGIBLE ? bn_eval_amount(c, b, c->head) : 0;
        }
        if (c->param_hole || (b->deps & c->hole_mask))
            c->hole_mask |= 1u << bi;
        c->param_hole = c->param_hole || saved;
    }
}

static int32_t
clamp32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static void
store(const struct bn_ctx *c, uint32_t h, struct cl_benefits_results *res)
{
    const struct cl_benefits_rules *r = c->r;

    for (uint32_t bi = 0; bi < r->nben; bi++) {
        if (r->ben[bi]->unit == BN_UNIT_PERSON) {
            for (uint32_t k = 0; k < c->count && k < BN_MAX_MEMBERS; k++) {
                res->status[bi][c->first + k] = c->st[bi][k];
                if (res->amount[bi] != NULL)
                    res->amount[bi][c->first + k] = clamp32(c->amt[bi][k]);
            }
        } else {
            res->status[bi][h] = c->st[bi][0];
            if (res->amount[bi] != NULL)
                res->amount[bi][h] = clamp32(c->amt[bi][0]);
        }
    }
}

cl_err
cl_benefits_results_init(struct cl_benefits_results *res, const struct cl_benefits_rules *r,
                         const struct cl_pop *pop, struct cl_error *err)
{
    memset(res, 0, sizeof *res);
    res->nben = r->nben;
    res->nsub = cl_calloc(r->nben, sizeof *res->nsub);
    res->status = cl_calloc(r->nben, sizeof *res->status);
    res->amount = cl_calloc(r->nben, sizeof *res->amount);
    if (res->nsub == NULL || res->status == NULL || res->amount == NULL)
        goto nomem;
    for (uint32_t bi = 0; bi < r->nben; bi++) {
        size_t n = r->ben[bi]->unit == BN_UNIT_PERSON ? pop->np : pop->nh;

        res->nsub[bi] = n;
        res->status[bi] = cl_calloc(n + 1, 1);
        if (r->ben[bi]->period != CL_BENEFITS_PERIOD_NONE) /* in kind: no amounts kept */
            res->amount[bi] = cl_calloc(n + 1, sizeof(int32_t));
        if (res->status[bi] == NULL ||
            (r->ben[bi]->period != CL_BENEFITS_PERIOD_NONE && res->amount[bi] == NULL))
            goto nomem;
    }
    return CL_OK;
nomem:
    cl_benefits_results_fini(res);
    return cl_fail(err, CL_ERR_NOMEM, "results", "out of memory");
}

void
cl_benefits_results_fini(struct cl_benefits_results *res)
{
    for (size_t i = 0; i < res->nben; i++) {
        if (res->status != NULL)
            cl_free(res->status[i]);
        if (res->amount != NULL)
            cl_free(res->amount[i]);
    }
    cl_free(res->status);
    cl_free(res->amount);
    cl_free(res->nsub);
    memset(res, 0, sizeof *res);
}

struct job {
    const struct cl_benefits_rules *r;
    const struct cl_pop *pop;
    const struct bn_params *par;
    bool batch;                   /* false: the scalar machine only */
    const struct bn_agetab *ages; /* NULL: ages computed per person */
    struct cl_benefits_results *res;
    struct bn_ctx *c;
    size_t from, to;
    bool hole;
    const char *hole_table;
    bool nomem;
};

/* households [h0, h1) on the scalar machine (the reference) */
static void
run_scalar(void *arg, size_t h0, size_t h1)
{
    struct job *j = arg;

    for (size_t h = h0; h < h1; h++) {
        bn_eval_household_all(j->c, (uint32_t)h, false);
        store(j->c, (uint32_t)h, j->res);
    }
}

static void *
run_job(void *arg)
{
    struct job *j = arg;
    struct bn_ctx *c = cl_calloc(1, sizeof *c);

    if (c == NULL) {
        j->nomem = true;
        return NULL;
    }
    c->r = j->r;
    c->pop = j->pop;
    c->par = j->par;
    c->at = j->par->at;
    j->c = c;
    if (j->batch) {
        struct bn_batch *t = bn_batch_new(j->r, j->pop, j->par, j->ages, c, j->res);

        if (t == NULL) {
            cl_free(c);
            j->nomem = true;
            return NULL;
        }
        bn_batch_run(t, j->from, j->to, run_scalar, j);
        bn_batch_free(t);
    } else {
        run_scalar(j, j->from, j->to);
    }
    j->hole = c->param_hole;
    j->hole_table = c->hole_table;
    cl_free(c);
    return NULL;
}

static cl_err
hole_error(const char *table, int32_t at, struct cl_error *err)
{
    char d[11];

    cl_date_format(at, d);
    return cl_fail(err, CL_ERR_INPUT, table ? table : "parameters",
                   "no parameter row is effective on %s", d);
}

cl_err
cl_benefits_eval(const struct cl_benefits_rules *r, const struct cl_pop *pop, int32_t at,
                 unsigned nthreads, struct cl_benefits_results *res, struct cl_error *err)
{
    return bn_eval_pass(r, pop, at, nthreads, BN_PASS_BATCH, res, err);
}

cl_err
bn_eval_pass(const struct cl_benefits_rules *r, const struct cl_pop *pop, int32_t at,
             unsigned nthreads, unsigned mode, struct cl_benefits_results *res,
             struct cl_error *err)
{
    struct bn_params par;
    struct bn_agetab *ages = NULL;
    bool batch;
    struct job jobs[16];
    pthread_t tid[16];
    bool started[16] = {false};
    cl_err rc;

    if (!r->finished || res->nben != r->nben)
        return cl_fail(err, CL_ERR_USAGE, "rules", "rules not finished or results not sized");
    if (nthreads == 0)
        nthreads = 1;
    if (nthreads > 16)
        nthreads = 16;
    if ((size_t)nthreads > pop->nh)
        nthreads = pop->nh > 0 ? (unsigned)pop->nh : 1;
    rc = bn_params_resolve(r, at, &par, err);
    if (rc != CL_OK)
        return rc;
    res->at = at;
    batch = mode != BN_PASS_SCALAR && bn_batch_supported(r);
    /* the age table (60,000 days, ~2M instructions) pays from ~10,000 persons on */
    if (batch && (mode == BN_PASS_BATCH_TABLE || pop->np >= 16384)) {
        ages = bn_agetab_new(at);
        if (ages == NULL) {
            bn_params_fini(&par);
            return cl_fail(err, CL_ERR_NOMEM, "eval", "out of memory");
        }
    }
    for (unsigned t = 0; t < nthreads; t++) {
        memset(&jobs[t], 0, sizeof jobs[t]);
        jobs[t].r = r;
        jobs[t].pop = pop;
        jobs[t].par = &par;
        jobs[t].batch = batch;
        jobs[t].ages = ages;
        jobs[t].res = res;
        jobs[t].from = pop->nh * t / nthreads;
        jobs[t].to = pop->nh * (t + 1) / nthreads;
    }
    for (unsigned t = 1; t < nthreads; t++)
        started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
    run_job(&jobs[0]);
    for (unsigned t = 1; t < nthreads; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run_job(&jobs[t]);
    }
    bn_params_fini(&par);
    bn_agetab_free(ages);
    for (unsigned t = 0; t < nthreads; t++) {
        if (jobs[t].nomem)
            return cl_fail(err, CL_ERR_NOMEM, "eval", "out of memory");
        if (jobs[t].hole)
            return hole_error(jobs[t].hole_table, at, err);
    }
    return CL_OK;
}

cl_err
cl_benefits_eval_household(const struct cl_benefits_rules *r, const struct cl_pop *pop, int32_t at,
                           size_t h, struct cl_benefits_results *res, struct cl_error *err)
{
    struct job j;
    struct bn_params par;
    cl_err rc;

    if (h >= pop->nh)
        return cl_fail(err, CL_ERR_USAGE, "household", "no such household");
    rc = bn_params_resolve(r, at, &par, err);
    if (rc != CL_OK)
        return rc;
    memset(&j, 0, sizeof j);
    j.r = r;
    j.pop = pop;
    j.par = &par;
    j.res = res;
    j.from = h;
    j.to = h + 1;
    run_job(&j);
    bn_params_fini(&par);
    if (j.nomem)
        return cl_fail(err, CL_ERR_NOMEM, "eval", "out of memory");
    if (j.hole)
        return hole_error(j.hole_table, at, err);
    return CL_OK;
}
