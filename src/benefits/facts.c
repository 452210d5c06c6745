/*
 * facts.c - the library of derived facts every rule shares (docs/rules.md, "Built-in
 * facts"): ages with the 29 February rule, month index, NBLSS and pension recognized income,
 * net assets, the 근로장려금 household type. Each returns a three-valued value: consent is
 * checked before data (welfare-2026.md §2, 6.1-6.3). Numbers are scaled by BN_SCALE.
 */
#include <string.h>

#include "benefits/benefits_int.h"
#include "cardless/time.h"

#include "base/banned.h"

#define S ((int64_t)BN_SCALE)
#define SAT_MAX ((int64_t)1 << 60) /* sums past this saturate: far above every threshold */

static int64_t
sat(bn_wide v)
{
    if (v > SAT_MAX)
        return SAT_MAX;
    if (v < -SAT_MAX)
        return -SAT_MAX;
    return (int64_t)v;
}

static bool
is_leap(int32_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Completed years on `at`; born 29 Feb: the year of age starts on 1 Mar in non-leap years. */
int32_t
bn_age(int32_t birth, int32_t at)
{
    int32_t by, ay;
    unsigned bm, bd, am, ad;

    cl_civil_from_days(birth, &by, &bm, &bd);
    cl_civil_from_days(at, &ay, &am, &ad);
    if (bm == 2 && bd == 29 && !is_leap(ay)) {
        bm = 3;
        bd = 1;
    }
    return ay - by - ((am < bm || (am == bm && ad < bd)) ? 1 : 0);
}

/* The date n years after d; 29 Feb goes to 1 Mar in a non-leap year (6.13). */
int32_t
bn_add_years(int32_t d, int32_t n)
{
    int32_t y;
    unsigned m, day;

    cl_civil_from_days(d, &y, &m, &day);
    y += n;
    if (m == 2 && day == 29 && !is_leap(y)) {
        m = 3;
        day = 1;
    }
    return cl_days_from_civil(y, m, day);
}

/* welfare-2026.md §3: (eval_year*12 + eval_month) - (birth_year*12 + birth_month) */
int32_t
bn_month_index(int32_t birth, int32_t at)
{
    int32_t by, ay;
    unsigned bm, bd, am, ad;

    cl_civil_from_days(birth, &by, &bm, &bd);
    cl_civil_from_days(at, &ay, &am, &ad);
    return (ay * 12 + (int32_t)am) - (by * 12 + (int32_t)bm);
}

/* ---- parameters read by built-ins, by table name ---- */

/* parameter tables the built-in facts read, by name (docs/rules.md) */
const char *const bn_role_names[BN_ROLE_COUNT] = {
    "education.amount",
    "eitc.dependent_child_age_below",
    "eitc.dependent_parent_age",
    "eitc.two_earner_min",
    "energy_voucher.elderly_age",
    "energy_voucher.infant_age_below",
    "median_income",
    "nblss.basic_property_deduction",
    "nblss.earned_rate",
    "nblss.financial_deduction",
    "nblss.housing_cap",
    "nblss.rate_financial",
    "nblss.rate_general",
    "nblss.rate_housing",
    "nblss.rate_vehicle",
    "pension.basic_property_deduction",
    "pension.earned_deduction",
    "pension.earned_rate",
    "pension.financial_deduction",
    "pension.property_rate",
};

static int64_t
par(struct bn_ctx *c, enum bn_role role, int64_t key)
{
    int ti = c->r->role_tab[role];
    const struct bn_table *t;
    uint32_t slot;

    if (ti < 0) {
        c->param_hole = true;
        c->hole_table = bn_role_names[role];
        return 0;
    }
    t = c->r->tab[ti];
    if (t->keyname != NULL && key > t->maxkey && t->keydomain == BD_NONE)
        key = t->maxkey; /* integer keys: the last row holds for larger keys */
    if (key < 0 || (uint64_t)key >= t->nkeys) {
        c->param_hole = true;
        c->hole_table = t->name;
        return 0;
    }
    slot = t->slot + (uint32_t)key;
    if (c->par->row[slot] == NULL) {
        c->param_hole = true;
        c->hole_table = t->name;
        return 0;
    }
    if (c->trace && c->nread < CL_ARRAY_LEN(c->read))
        c->read[c->nread++] = slot;
    return c->par->val[slot];
}

/* the same read for the batch machine's kernels (batch.c): a hole sets c->param_hole */
int64_t
bn_par(struct bn_ctx *c, enum bn_role role, int64_t key)
{
    return par(c, role, key);
}

/* whole won of a parameter (a money amount) */
static int64_t
par_won(struct bn_ctx *c, enum bn_role role, int64_t key)
{
    return par(c, role, key) / S;
}

static int64_t
money(const struct cl_pop *p, const int32_t *col, uint32_t i)
{
    return cl_pop_money(p, col[i]);
}

static struct bn_val
known(int64_t v)
{
    struct bn_val r = {v, BN_KNOWN, 0};
    return r;
}

static struct bn_val
num(int64_t won)
{
    return known(sat((bn_wide)won * S));
}

/*
 * Consent and data of a set of persons: CONSENT when a person who must consent has not
 * (even if data are present), else MISSING when a group the formula reads is null.
 */
struct need {
    uint16_t groups;         /* CL_POP_P_HAS_* the formula reads */
    int32_t consent_min_age; /* < 0: nobody's consent needed */
};

static void
check_person(struct bn_ctx *c, uint32_t i, bool consent_needed, uint16_t groups, struct bn_val *st)
{
    uint16_t f = c->pop->p_flags[i];

    if (consent_needed && !(f & CL_POP_P_CONSENT)) {
        st->st = BN_CONSENT;
        st->miss |= BN_MISS_CONSENT;
    }
    if ((groups & CL_POP_P_HAS_INCOME_MONTHLY) && !(f & CL_POP_P_HAS_INCOME_MONTHLY)) {
        if (st->st < BN_MISSING)
            st->st = BN_MISSING;
        st->miss |= BN_MISS_INCOME;
    }
    if ((groups & CL_POP_P_HAS_INCOME_ANNUAL) && !(f & CL_POP_P_HAS_INCOME_ANNUAL)) {
        if (st->st < BN_MISSING)
            st->st = BN_MISSING;
        st->miss |= BN_MISS_ANNUAL;
    }
    if ((groups & CL_POP_P_HAS_ASSETS) && !(f & CL_POP_P_HAS_ASSETS)) {
        if (st->st < BN_MISSING)
            st->st = BN_MISSING;
        st->miss |= BN_MISS_ASSETS;
    }
}

/* every member of household h; consent of members aged min_age or over */
static void
check_household(struct bn_ctx *c, uint32_t h, int32_t min_age, uint16_t groups, struct bn_val *st)
{
    const struct cl_pop *p = c->pop;

    for (int32_t i = p->hh_first[h]; i < p->hh_first[h + 1]; i++)
        check_person(c, (uint32_t)i, bn_member_age(c, (uint32_t)i) >= min_age, groups, st);
}

/* ---- person facts ---- */

static void
f_age(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = num(bn_member_age(c, c->person));
}

static void
f_month_index(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    uint32_t k = c->person - c->first;

    *o = num(k < BN_MAX_MEMBERS ? c->month_index[k]
                                : bn_month_index(c->pop->p_birth[c->person], c->at));
}

static void
f_birth_date(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->pop->p_birth[c->person]);
}

static void
f_birth_year(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    uint32_t k = c->person - c->first;
    int32_t y;
    unsigned m, d;

    (void)a;
    if (k < BN_MAX_MEMBERS) {
        *o = num(c->birth_year[k]);
        return;
    }
    cl_civil_from_days(c->pop->p_birth[c->person], &y, &m, &d);
    *o = num(y);
}

static void
f_at(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->at);
}

static void
f_add_years(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)c;
    *o = known(bn_add_years((int32_t)a[0].v, (int32_t)(a[1].v / S)));
}

static void
f_is_korean(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known((c->pop->p_flags[c->person] & CL_POP_P_KR) != 0);
}

static void
f_is_head(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->pop->p_relation[c->person] == CL_POP_REL_HEAD);
}

static void
f_relation(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->pop->p_relation[c->person]);
}

static void
f_severe(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known((c->pop->p_flags[c->person] & CL_POP_P_SEVERE) != 0);
}

static void
f_disabled(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known((c->pop->p_flags[c->person] & CL_POP_P_DISABLED) != 0);
}

static void
f_birth_order(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    uint8_t n = c->pop->p_birth_order[c->person];

    (void)a;
    *o = num(n);
    if (n == 0) { /* null: 6.7 */
        o->st = BN_MISSING;
        o->miss = BN_MISS_BIRTH_ORDER;
    }
}

static void
f_has_spouse(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->pop->p_spouse[c->person] >= 0);
}

/* 기초연금: no 공무원/사학/군인/별정우체국 pension in the unit (applicant + spouse) */
static void
f_occ_pension_in_unit(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    int32_t sp = p->p_spouse[c->person];

    (void)a;
    *o = known((p->p_flags[c->person] & CL_POP_P_OCC_PENSION) ||
               (sp >= 0 && (p->p_flags[sp] & CL_POP_P_OCC_PENSION)));
}

/*
 * 4.2 and 6.9: the 소득인정액 of unit (applicant, spouse or -1), both known: money() and
 * saturating sums. Shared with the batch machine's exact path (pension_wide in batch.c).
 */
int64_t
bn_pension_ri_known(const struct cl_pop *p, const int32_t unit[2], int64_t ded,
                    int64_t earned_rate, int64_t base, int64_t fin_ded, int64_t conv)
{
    bn_wide inc = 0;
    int64_t hgv = 0, fin = 0, debt = 0, prop;

    for (int k = 0; k < 2; k++) {
        uint32_t i;

        if (unit[k] < 0)
            continue;
        i = (uint32_t)unit[k];
        {
            int64_t e = money(p, p->income_monthly[CL_POP_IM_EARNED], i) - ded;
            inc += (bn_wide)(e > 0 ? e : 0) * earned_rate;
        }
        for (int g = CL_POP_IM_BUSINESS; g < CL_POP_IM_COUNT; g++)
            inc += (bn_wide)money(p, p->income_monthly[g], i) * S;
        hgv = sat((bn_wide)hgv + money(p, p->assets[CL_POP_AS_HOUSING], i) +
                  money(p, p->assets[CL_POP_AS_GENERAL], i) +
                  money(p, p->assets[CL_POP_AS_VEHICLE], i));
        fin = sat((bn_wide)fin + money(p, p->assets[CL_POP_AS_FINANCIAL], i));
        debt = sat((bn_wide)debt + money(p, p->assets[CL_POP_AS_DEBT], i));
    }
    hgv -= base;
    fin -= fin_ded;
    prop = (hgv > 0 ? hgv : 0) + (fin > 0 ? fin : 0) - debt;
    if (prop < 0)
        prop = 0;
    /* property * rate / 12: rate scaled by 30000 is a multiple of 12 for whole-ish percents;
       the loader refuses other rates (see checks in eval.c) */
    inc += (bn_wide)prop * (conv / 12);
    return sat(inc);
}

/* welfare-2026.md 4.2 and 6.9: unit = applicant + spouse */
static void
f_pension_ri(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    int32_t unit[2] = {(int32_t)c->person, p->p_spouse[c->person]};
    struct bn_val st = known(0);
    int64_t ded = par_won(c, PR_PENSION_EARNED_DEDUCTION, 0);
    int64_t earned_rate = par(c, PR_PENSION_EARNED_RATE, 0); /* 70 %, scaled */
    int64_t base = par_won(c, PR_PENSION_BASIC_PROPERTY_DEDUCTION, p->hh_pension_tier[c->hh]);
    int64_t fin_ded = par_won(c, PR_PENSION_FINANCIAL_DEDUCTION, 0);
    int64_t conv = par(c, PR_PENSION_PROPERTY_RATE, 0); /* 4 % a year, scaled */

    (void)a;
    for (int k = 0; k < 2; k++) /* both checked: each adds what it lacks to the missing */
        if (unit[k] >= 0)
            check_person(c, (uint32_t)unit[k], true,
                         CL_POP_P_HAS_INCOME_MONTHLY | CL_POP_P_HAS_ASSETS, &st);
    if (st.st != BN_KNOWN) {
        *o = st;
        return;
    }
    *o = known(bn_pension_ri_known(p, unit, ded, earned_rate, base, fin_ded, conv));
}

/* ---- household facts ---- */

static void
f_household_size(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = num(c->count);
}

static void
f_all_korean(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    bool all = true;

    (void)a;
    for (uint32_t i = c->first; i < c->first + c->count; i++)
        all = all && (c->pop->p_flags[i] & CL_POP_P_KR);
    *o = known(all);
}

/* Σ over household h of 0.7·earned + the other monthly incomes (4.1), scaled */
static int64_t
income_eval(struct bn_ctx *c, uint32_t h)
{
    const struct cl_pop *p = c->pop;
    int64_t rate = par(c, PR_NBLSS_EARNED_RATE, 0);
    bn_wide inc = 0;

    for (int32_t i = p->hh_first[h]; i < p->hh_first[h + 1]; i++) {
        inc += (bn_wide)money(p, p->income_monthly[CL_POP_IM_EARNED], (uint32_t)i) * rate;
        for (int g = CL_POP_IM_BUSINESS; g < CL_POP_IM_COUNT; g++)
            inc += (bn_wide)money(p, p->income_monthly[g], (uint32_t)i) * S;
    }
    return sat(inc);
}

/* Σ over household h of housing + general + financial + vehicle - debt, won */
static int64_t
net_assets(const struct cl_pop *p, uint32_t h)
{
    bn_wide v = 0;

    for (int32_t i = p->hh_first[h]; i < p->hh_first[h + 1]; i++)
        for (int g = 0; g < CL_POP_AS_COUNT; g++)
            v += (g == CL_POP_AS_DEBT ? -1 : 1) * (bn_wide)money(p, p->assets[g], (uint32_t)i);
    return sat(v);
}

enum { MEMO_NBLSS_STATE = 0, MEMO_NBLSS_INC, MEMO_NBLSS_RI };

static struct bn_val
nblss_state(struct bn_ctx *c)
{
    if (!(c->memo & (1u << MEMO_NBLSS_STATE))) {
        struct bn_val st = known(0);
        check_household(c, c->hh, 19, CL_POP_P_HAS_INCOME_MONTHLY | CL_POP_P_HAS_ASSETS, &st);
        c->agg[MEMO_NBLSS_STATE] = st;
        c->memo |= 1u << MEMO_NBLSS_STATE;
    }
    return c->agg[MEMO_NBLSS_STATE];
}

static void
f_nblss_income_eval(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    struct bn_val st = nblss_state(c);

    (void)a;
    if (st.st != BN_KNOWN) {
        *o = st;
        return;
    }
    if (!(c->memo & (1u << MEMO_NBLSS_INC)) || c->trace) {
        c->agg[MEMO_NBLSS_INC] = known(income_eval(c, c->hh));
        c->memo |= 1u << MEMO_NBLSS_INC;
    }
    *o = c->agg[MEMO_NBLSS_INC];
}

/* welfare-2026.md 4.1: income_eval + property conversion, scaled */
static void
f_nblss_ri(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    struct bn_val st = nblss_state(c);
    int64_t H = 0, G = 0, F = 0, V = 0, D = 0, cap, base, pool, H1, G1, F1, H2, G2, F2, x;
    bn_wide v;

    (void)a;
    if (st.st != BN_KNOWN) {
        *o = st;
        return;
    }
    if ((c->memo & (1u << MEMO_NBLSS_RI)) && !c->trace) {
        *o = c->agg[MEMO_NBLSS_RI];
        return;
    }
    for (uint32_t i = c->first; i < c->first + c->count; i++) {
        H = sat((bn_wide)H + money(p, p->assets[CL_POP_AS_HOUSING], i));
        G = sat((bn_wide)G + money(p, p->assets[CL_POP_AS_GENERAL], i));
        F = sat((bn_wide)F + money(p, p->assets[CL_POP_AS_FINANCIAL], i));
        V = sat((bn_wide)V + money(p, p->assets[CL_POP_AS_VEHICLE], i));
        D = sat((bn_wide)D + money(p, p->assets[CL_POP_AS_DEBT], i));
    }
    cap = par_won(c, PR_NBLSS_HOUSING_CAP, p->hh_nblss_tier[c->hh]);
    base = par_won(c, PR_NBLSS_BASIC_PROPERTY_DEDUCTION, p->hh_nblss_tier[c->hh]);
    H1 = H < cap ? H : cap;
    G1 = G + (H > cap ? H - cap : 0);
    x = F - par_won(c, PR_NBLSS_FINANCIAL_DEDUCTION, 0);
    F1 = x > 0 ? x : 0;
    pool = base + D; /* deducted in the order H1 -> G1 -> F1 */
    H2 = H1 > pool ? H1 - pool : 0;
    pool -= H1 < pool ? H1 : pool;
    G2 = G1 > pool ? G1 - pool : 0;
    pool -= G1 < pool ? G1 : pool;
    F2 = F1 > pool ? F1 - pool : 0;
    v = (bn_wide)H2 * par(c, PR_NBLSS_RATE_HOUSING, 0) +
        (bn_wide)G2 * par(c, PR_NBLSS_RATE_GENERAL, 0) +
        (bn_wide)F2 * par(c, PR_NBLSS_RATE_FINANCIAL, 0) +
        (bn_wide)V * par(c, PR_NBLSS_RATE_VEHICLE, 0);
    v += income_eval(c, c->hh);
    c->agg[MEMO_NBLSS_RI] = known(sat(v));
    c->memo |= 1u << MEMO_NBLSS_RI;
    *o = c->agg[MEMO_NBLSS_RI];
}

/* median(n): 기준 중위소득; above the largest size add the last step per member (§5) */
static void
f_median(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    int64_t n = a[0].v / S;
    int ti = c->r->role_tab[PR_MEDIAN_INCOME];
    int64_t k;

    if (ti < 0 || n < 1) {
        c->param_hole = true;
        c->hole_table = "median_income";
        *o = known(0);
        return;
    }
    k = c->r->tab[ti]->maxkey;
    if (n <= k) {
        *o = known(par(c, PR_MEDIAN_INCOME, n));
    } else {
        int64_t top = par(c, PR_MEDIAN_INCOME, k), prev = par(c, PR_MEDIAN_INCOME, k - 1);
        *o = known(sat((bn_wide)top + (bn_wide)(n - k) * (top - prev)));
    }
}

static void
f_has_student(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    bool any = false;

    (void)a;
    for (uint32_t i = c->first; i < c->first + c->count; i++) {
        uint8_t s = c->pop->p_school[i];
        any = any || (s >= CL_POP_SCHOOL_ELEMENTARY && s <= CL_POP_SCHOOL_HIGH);
    }
    *o = known(any);
}

/* 교육급여: Σ per student of education.amount[school] (6.5) */
static void
f_education_amount(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    int64_t sum = 0;

    (void)a;
    for (uint32_t i = c->first; i < c->first + c->count; i++) {
        uint8_t s = c->pop->p_school[i];
        if (s >= CL_POP_SCHOOL_ELEMENTARY && s <= CL_POP_SCHOOL_HIGH)
            sum += par(c, PR_EDUCATION_AMOUNT, s);
    }
    *o = known(sum);
}

static void
f_tenure(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->pop->hh_tenure[c->hh]);
}

static void
f_household_kind(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->pop->hh_kind[c->hh]);
}

static void
f_child_allowance_area(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known(c->pop->hh_ca_area[c->hh]);
}

static void
f_single_parent(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = known((c->pop->hh_flags[c->hh] & CL_POP_H_SINGLE_PARENT) != 0);
}

/* housing.deposit and housing.monthly_rent: absent or null is missing data, never 0 (2) */
static void
f_deposit(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = num(cl_pop_money(c->pop, c->pop->hh_deposit[c->hh]));
    if (!(c->pop->hh_flags[c->hh] & CL_POP_H_HAS_DEPOSIT)) {
        o->st = BN_MISSING;
        o->miss = BN_MISS_DEPOSIT;
    }
}

static void
f_monthly_rent(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    (void)a;
    *o = num(cl_pop_money(c->pop, c->pop->hh_rent[c->hh]));
    if (!(c->pop->hh_flags[c->hh] & CL_POP_H_HAS_RENT)) {
        o->st = BN_MISSING;
        o->miss = BN_MISS_RENT;
    }
}

/* 에너지바우처 traits (4.5): a member >= 65 or < 7, disability, pregnancy, rare disease,
   single-parent or grandparent-grandchild household */
static void
f_energy_trait(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    bool t = (p->hh_flags[c->hh] & CL_POP_H_SINGLE_PARENT) ||
             p->hh_kind[c->hh] == CL_POP_KIND_GRANDPARENT_GRANDCHILD;
    int64_t old = par_won(c, PR_ENERGY_VOUCHER_ELDERLY_AGE, 0);
    int64_t young = par_won(c, PR_ENERGY_VOUCHER_INFANT_AGE_BELOW, 0);

    (void)a;
    for (uint32_t i = c->first; i < c->first + c->count && !t; i++) {
        int32_t age = bn_member_age(c, i);
        t = age >= old || age < young ||
            (p->p_flags[i] & (CL_POP_P_DISABLED | CL_POP_P_PREGNANT | CL_POP_P_RARE_DISEASE));
    }
    *o = known(t);
}

/* status of another benefit for the same subject (household benefits: the household) */
static struct bn_val
status_val(uint8_t status, uint16_t miss)
{
    struct bn_val v = known(status == CL_BENEFITS_ELIGIBLE);

    if (status == CL_BENEFITS_UNKNOWN_NEEDS_CONSENT)
        v.st = BN_CONSENT;
    else if (status == CL_BENEFITS_UNKNOWN_MISSING_DATA)
        v.st = BN_MISSING;
    if (v.st != BN_KNOWN)
        v.miss = miss;
    return v;
}

static void
f_eligible(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    uint32_t b = (uint32_t)a[0].v;
    uint32_t k = c->r->ben[b]->unit == BN_UNIT_PERSON ? c->person - c->first : 0;

    *o = status_val(c->st[b][k], c->miss[b][k]);
}

static void
f_spouse_eligible(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    uint32_t b = (uint32_t)a[0].v;
    int32_t sp = c->pop->p_spouse[c->person];

    if (sp < 0 || c->r->ben[b]->unit != BN_UNIT_PERSON) {
        *o = known(0);
        return;
    }
    *o = status_val(c->st[b][(uint32_t)sp - c->first], c->miss[b][(uint32_t)sp - c->first]);
}

/* ---- 청년월세 (4.4, 6.4) ---- */

static void
youth_state(struct bn_ctx *c, struct bn_val *st)
{
    check_household(c, c->hh, 19, CL_POP_P_HAS_INCOME_MONTHLY | CL_POP_P_HAS_ASSETS, st);
}

static void
f_owns_home(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    struct bn_val st = known(0);
    int64_t h = 0;

    (void)a;
    if (p->hh_tenure[c->hh] == CL_POP_TENURE_OWN) {
        *o = known(1);
        return;
    }
    check_household(c, c->hh, 19, CL_POP_P_HAS_ASSETS, &st);
    if (st.st != BN_KNOWN) {
        *o = st;
        return;
    }
    for (uint32_t i = c->first; i < c->first + c->count; i++)
        h = sat((bn_wide)h + money(p, p->assets[CL_POP_AS_HOUSING], i));
    /* with no deposit given, no housing assets still decide (0 exceeds no deposit) */
    if (!(p->hh_flags[c->hh] & CL_POP_H_HAS_DEPOSIT) && h > 0) {
        *o = known(0);
        o->st = BN_MISSING;
        o->miss = BN_MISS_DEPOSIT;
        return;
    }
    *o = known(h > cl_pop_money(p, p->hh_deposit[c->hh]));
}

static void
f_youth_income_eval(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    struct bn_val st = known(0);

    (void)a;
    youth_state(c, &st);
    *o = st.st != BN_KNOWN ? st : known(income_eval(c, c->hh));
}

static void
f_youth_net_assets(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    struct bn_val st = known(0);

    (void)a;
    youth_state(c, &st);
    *o = st.st != BN_KNOWN ? st : num(net_assets(c->pop, c->hh));
}

/* the parents' household: MISSING when parents_household_id is null or not in the feed */
static bool
origin_state(struct bn_ctx *c, struct bn_val *st, int32_t *ph)
{
    *ph = c->pop->hh_parents[c->hh];
    youth_state(c, st);
    if (*ph < 0) {
        if (st->st < BN_MISSING)
            st->st = BN_MISSING;
        st->miss |= BN_MISS_PARENTS;
        return false;
    }
    check_household(c, (uint32_t)*ph, 19, CL_POP_P_HAS_INCOME_MONTHLY | CL_POP_P_HAS_ASSETS, st);
    return st->st == BN_KNOWN;
}

static void
f_origin_size(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    int32_t ph = c->pop->hh_parents[c->hh];

    (void)a;
    if (ph < 0) {
        *o = known(0);
        o->st = BN_MISSING;
        o->miss = BN_MISS_PARENTS;
        return;
    }
    *o = num((int64_t)c->count + cl_pop_hh_size(c->pop, (size_t)ph));
}

static void
f_origin_income_eval(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    struct bn_val st = known(0);
    int32_t ph;

    (void)a;
    if (!origin_state(c, &st, &ph)) {
        *o = st;
        return;
    }
    *o = known(sat((bn_wide)income_eval(c, c->hh) + income_eval(c, (uint32_t)ph)));
}

static void
f_origin_net_assets(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    struct bn_val st = known(0);
    int32_t ph;

    (void)a;
    if (!origin_state(c, &st, &ph)) {
        *o = st;
        return;
    }
    *o = num(sat((bn_wide)net_assets(c->pop, c->hh) + net_assets(c->pop, (uint32_t)ph)));
}

/* ---- 근로장려금 (4.6, 6.10): head + spouse; assets of every member ---- */

static int64_t
eb(const struct cl_pop *p, uint32_t i)
{
    return money(p, p->income_annual[CL_POP_IA_EARNED], i) +
           money(p, p->income_annual[CL_POP_IA_BUSINESS], i);
}

static bool
eitc_state(struct bn_ctx *c, struct bn_val *st, int32_t *sp)
{
    *sp = c->pop->p_spouse[c->person];
    check_person(c, c->person, true, CL_POP_P_HAS_INCOME_ANNUAL, st);
    if (*sp >= 0)
        check_person(c, (uint32_t)*sp, true, CL_POP_P_HAS_INCOME_ANNUAL, st);
    return st->st == BN_KNOWN;
}

static void
f_eitc_type(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    struct bn_val st = known(0);
    int32_t sp;
    int64_t min = par_won(c, PR_EITC_TWO_EARNER_MIN, 0);
    int64_t child = par_won(c, PR_EITC_DEPENDENT_CHILD_AGE_BELOW, 0);
    int64_t parent = par_won(c, PR_EITC_DEPENDENT_PARENT_AGE, 0);

    (void)a;
    if (!eitc_state(c, &st, &sp)) {
        *o = st;
        return;
    }
    if (sp >= 0) {
        *o = known(eb(p, c->person) >= min && eb(p, (uint32_t)sp) >= min ? 2 : 1);
        return;
    }
    for (uint32_t i = c->first; i < c->first + c->count; i++) {
        int32_t age = bn_member_age(c, i);
        if (age < child || (p->p_relation[i] == CL_POP_REL_PARENT && age >= parent)) {
            *o = known(1);
            return;
        }
    }
    *o = known(0);
}

static void
f_eitc_earned_business(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    struct bn_val st = known(0);
    int32_t sp;

    (void)a;
    if (!eitc_state(c, &st, &sp)) {
        *o = st;
        return;
    }
    *o = num(eb(c->pop, c->person) + (sp >= 0 ? eb(c->pop, (uint32_t)sp) : 0));
}

static void
f_eitc_total_income(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    struct bn_val st = known(0);
    int32_t sp;
    int64_t t;

    (void)a;
    if (!eitc_state(c, &st, &sp)) {
        *o = st;
        return;
    }
    t = eb(p, c->person) + money(p, p->income_annual[CL_POP_IA_OTHER_TAXABLE], c->person);
    if (sp >= 0)
        t +=
            eb(p, (uint32_t)sp) + money(p, p->income_annual[CL_POP_IA_OTHER_TAXABLE], (uint32_t)sp);
    *o = num(t);
}

/* Σ all members (housing + general + financial + vehicle), debt not deducted */
static void
f_eitc_property(struct bn_ctx *c, const struct bn_val *a, struct bn_val *o)
{
    const struct cl_pop *p = c->pop;
    struct bn_val st = known(0);
    int32_t sp = p->p_spouse[c->person];
    bn_wide v = 0;

    (void)a;
    check_person(c, c->person, true, 0, &st);
    if (sp >= 0)
        check_person(c, (uint32_t)sp, true, 0, &st);
    for (uint32_t i = c->first; i < c->first + c->count; i++)
        check_person(c, i, false, CL_POP_P_HAS_ASSETS, &st);
    if (st.st != BN_KNOWN) {
        *o = st;
        return;
    }
    for (uint32_t i = c->first; i < c->first + c->count; i++)
        for (int g = 0; g < CL_POP_AS_DEBT; g++)
            v += money(p, p->assets[g], i);
    *o = num(sat(v));
}

int
bn_inline_fact(const char *name)
{
    static const char *const names[] = {
        "",          "age",     "month_index",    "birth_year",
        "is_korean", "is_head", "household_size", "severe_disability"};

    for (int i = 1; i < (int)CL_ARRAY_LEN(names); i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return BN_IF_NONE;
}

#define R BN_SCOPE_REGISTRY
#define FIN BN_SCOPE_FINANCIAL
const struct bn_builtin bn_builtins[] = {
    {"age",
     0,
     {0},
     BT_NUM,
     0,
     1,
     R,
     "completed years on the evaluation date (29 Feb: 1 Mar)",
     f_age},
    {"month_index",
     0,
     {0},
     BT_NUM,
     0,
     1,
     R,
     "months since the birth month (birth month = 0)",
     f_month_index},
    {"birth_date", 0, {0}, BT_DATE, 0, 1, R, "date of birth", f_birth_date},
    {"birth_year", 0, {0}, BT_NUM, 0, 1, R, "year of birth", f_birth_year},
    {"at", 0, {0}, BT_DATE, 0, 1, 0, "the evaluation date", f_at},
    {"add_years",
     2,
     {BT_DATE, BT_NUM},
     BT_DATE,
     0,
     1,
     0,
     "date plus n years; 29 Feb becomes 1 Mar in a non-leap year",
     f_add_years},
    {"is_korean", 0, {0}, BT_BOOL, 0, 1, R, "nationality is KR", f_is_korean},
    {"is_head", 0, {0}, BT_BOOL, 0, 1, R, "relation is head", f_is_head},
    {"relation", 0, {0}, BT_ENUM, BD_RELATION, 1, R, "relation to the head", f_relation},
    {"severe_disability",
     0,
     {0},
     BT_BOOL,
     0,
     1,
     BN_SCOPE_DISABILITY,
     "장애의 정도가 심한 장애인",
     f_severe},
    {"registered_disability",
     0,
     {0},
     BT_BOOL,
     0,
     1,
     BN_SCOPE_DISABILITY,
     "registered disability",
     f_disabled},
    {"birth_order",
     0,
     {0},
     BT_NUM,
     0,
     1,
     R,
     "n-th child of the mother; null is missing data",
     f_birth_order},
    {"has_spouse", 0, {0}, BT_BOOL, 0, 1, R, "a spouse in the same household", f_has_spouse},
    {"occupational_pension_in_unit",
     0,
     {0},
     BT_BOOL,
     0,
     1,
     R,
     "the person or the spouse receives an occupational pension",
     f_occ_pension_in_unit},
    {"pension_ri",
     0,
     {0},
     BT_NUM,
     0,
     300,
     FIN,
     "기초연금/장애인연금 소득인정액 of person + spouse (4.2)",
     f_pension_ri},
    {"household_size", 0, {0}, BT_NUM, 0, 1, R, "number of members", f_household_size},
    {"all_korean", 0, {0}, BT_BOOL, 0, 1, R, "every member's nationality is KR", f_all_korean},
    {"nblss_income_eval",
     0,
     {0},
     BT_NUM,
     0,
     10,
     FIN,
     "Σ members 0.7·earned + other incomes (4.1)",
     f_nblss_income_eval},
    {"nblss_ri", 0, {0}, BT_NUM, 0, 10000, FIN, "NBLSS 소득인정액 (4.1)", f_nblss_ri},
    {"median",
     1,
     {BT_NUM},
     BT_NUM,
     0,
     1,
     0,
     "기준 중위소득 for n members (extended past 6)",
     f_median},
    {"has_student",
     0,
     {0},
     BT_BOOL,
     0,
     1,
     BN_SCOPE_EDUCATION,
     "a member in elementary, middle or high school",
     f_has_student},
    {"education_amount",
     0,
     {0},
     BT_NUM,
     0,
     1,
     BN_SCOPE_EDUCATION,
     "Σ per student of education.amount[school]",
     f_education_amount},
    {"tenure", 0, {0}, BT_ENUM, BD_TENURE, 1, BN_SCOPE_HOUSING, "housing.tenure", f_tenure},
    {"deposit", 0, {0}, BT_NUM, 0, 1, BN_SCOPE_HOUSING, "housing.deposit", f_deposit},
    {"monthly_rent",
     0,
     {0},
     BT_NUM,
     0,
     1,
     BN_SCOPE_HOUSING,
     "housing.monthly_rent",
     f_monthly_rent},
    {"household_kind", 0, {0}, BT_ENUM, BD_KIND, 1, R, "household kind", f_household_kind},
    {"child_allowance_area",
     0,
     {0},
     BT_ENUM,
     BD_CA_AREA,
     1,
     R,
     "region.child_allowance_area",
     f_child_allowance_area},
    {"single_parent", 0, {0}, BT_BOOL, 0, 1, R, "single-parent household", f_single_parent},
    {"energy_trait",
     0,
     {0},
     BT_BOOL,
     0,
     1,
     R | BN_SCOPE_DISABILITY | BN_SCOPE_HEALTH,
     "에너지바우처 trait (4.5)",
     f_energy_trait},
    {"eligible",
     1,
     {BT_BENEFIT},
     BT_BOOL,
     0,
     1,
     0,
     "the status of another benefit for the same subject",
     f_eligible},
    {"spouse_eligible",
     1,
     {BT_BENEFIT},
     BT_BOOL,
     0,
     1,
     0,
     "the status of a person benefit for the subject's spouse",
     f_spouse_eligible},
    {"owns_home",
     0,
     {0},
     BT_BOOL,
     0,
     1,
     BN_SCOPE_HOUSING | FIN,
     "tenure own, or members' assets.housing above the deposit (6.4)",
     f_owns_home},
    {"youth_income_eval",
     0,
     {0},
     BT_NUM,
     0,
     10,
     FIN,
     "income_eval of the youth household",
     f_youth_income_eval},
    {"youth_net_assets",
     0,
     {0},
     BT_NUM,
     0,
     1,
     FIN,
     "H+G+F+V-D of the youth household",
     f_youth_net_assets},
    {"origin_size",
     0,
     {0},
     BT_NUM,
     0,
     1,
     R,
     "members of the youth and the parents' household",
     f_origin_size},
    {"origin_income_eval",
     0,
     {0},
     BT_NUM,
     0,
     10,
     FIN,
     "income_eval of the youth and the parents' household",
     f_origin_income_eval},
    {"origin_net_assets",
     0,
     {0},
     BT_NUM,
     0,
     1,
     FIN,
     "net assets of the youth and the parents' household",
     f_origin_net_assets},
    {"eitc_type",
     0,
     {0},
     BT_ENUM,
     BD_EITC_TYPE,
     1,
     BN_SCOPE_TAX | R,
     "single, one_earner or two_earner (4.6)",
     f_eitc_type},
    {"eitc_earned_business",
     0,
     {0},
     BT_NUM,
     0,
     1,
     BN_SCOPE_TAX,
     "Σ head + spouse of 2025 earned + business income",
     f_eitc_earned_business},
    {"eitc_total_income",
     0,
     {0},
     BT_NUM,
     0,
     1,
     BN_SCOPE_TAX,
     "Σ head + spouse of 2025 earned + business + other taxable income",
     f_eitc_total_income},
    {"eitc_property",
     0,
     {0},
     BT_NUM,
     0,
     1,
     FIN,
     "Σ members housing + general + financial + vehicle (debt not deducted)",
     f_eitc_property},
};
const size_t bn_nbuiltins = CL_ARRAY_LEN(bn_builtins);
