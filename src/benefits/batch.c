/*
 * batch.c - the whole-population pass evaluated in batches (vectorized interpretation): a
 * chunk of whole households (at most BB persons) at a time, each benefit's conditions run op
 * by op over the chunk's subjects through a selection vector of the subjects not yet known to
 * fail (welfare-2026.md §2: a known failure decides, so later conditions need not look at
 * them), three-valued values as a value column and a state column per stack slot. Household
 * facts are computed once per chunk and shared by every benefit; ages, month indexes and
 * birth years come from a per-pass table indexed by birth date. The scalar machine (eval.c)
 * stays the reference: a chunk that reads a parameter with no row for the date, or holds a
 * household of more than BN_MAX_MEMBERS members, is evaluated again by it, so statuses,
 * amounts and errors are exactly the scalar ones (tests/unit/benefits/test_batch.c).
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "benefits/benefits_int.h"
#include "cardless/alloc.h"
#include "cardless/time.h"

#include "base/banned.h"

#define S ((int64_t)BN_SCALE)
#define BB 2048        /* persons per chunk (and so subjects per batch) */
#define VSTACK 64      /* value stack slots: expression depth plus nested lets */
#define MAX_FACTS 64   /* builtins memoized per household */
#define AGE_SPAN 60000 /* days of birth dates covered by the per-pass table (~164 years) */

/* The lane loops compiled twice, for AVX2 (4 x 64-bit lanes: compares, min/max, blends) and
   for the baseline, chosen once at load time by the CPU (gcc function multi-versioning). Integer
   code only: both clones compute the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define LANES __attribute__((target_clones("avx2", "default")))
#else
#define LANES
#endif

/* how a builtin is loaded into a column */
enum {
    K_GENERIC = 0, /* a call per subject */
    K_HH,          /* a call per household (the value does not depend on the person), memoized */
    K_BIRTH_DATE,
    K_AT,
    K_RELATION,
    K_DISABLED,
    K_BIRTH_ORDER,
    K_HAS_SPOUSE,
    K_OCC_PENSION,
    K_TENURE,
    K_DEPOSIT,
    K_RENT,
    K_KIND,
    K_CA_AREA,
    K_SINGLE_PARENT,
    K_ALL_KOREAN,
    K_ELIGIBLE,
    K_SPOUSE_ELIGIBLE,
    K_MEDIAN,
    K_ENERGY_TRAIT,
    K_HAS_STUDENT,
    K_EITC_TYPE,
    K_EITC_EB,
    K_EITC_TOTAL,
    K_EITC_PROPERTY,
    K_NBLSS_RI,
    K_PENSION_RI,
    K_MEMBERS, /* chunk_members: the per-household sums of the members' columns */
};

static const struct {
    const char *name;
    uint8_t kernel;
} kernels[] = {
    {"birth_date", K_BIRTH_DATE},
    {"at", K_AT},
    {"relation", K_RELATION},
    {"registered_disability", K_DISABLED},
    {"birth_order", K_BIRTH_ORDER},
    {"has_spouse", K_HAS_SPOUSE},
    {"occupational_pension_in_unit", K_OCC_PENSION},
    {"tenure", K_TENURE},
    {"deposit", K_DEPOSIT},
    {"monthly_rent", K_RENT},
    {"household_kind", K_KIND},
    {"child_allowance_area", K_CA_AREA},
    {"single_parent", K_SINGLE_PARENT},
    {"all_korean", K_ALL_KOREAN},
    {"eligible", K_ELIGIBLE},
    {"spouse_eligible", K_SPOUSE_ELIGIBLE},
    {"median", K_MEDIAN},
    {"energy_trait", K_ENERGY_TRAIT},
    {"has_student", K_HAS_STUDENT},
    {"eitc_type", K_EITC_TYPE},
    {"eitc_earned_business", K_EITC_EB},
    {"eitc_total_income", K_EITC_TOTAL},
    {"eitc_property", K_EITC_PROPERTY},
    /* household facts read through their scalar function once per household and chunk */
    {"nblss_income_eval", K_HH},
    {"nblss_ri", K_NBLSS_RI},
    {"pension_ri", K_PENSION_RI},
    {"education_amount", K_HH},
    {"owns_home", K_HH},
    {"youth_income_eval", K_HH},
    {"youth_net_assets", K_HH},
    {"origin_size", K_HH},
    {"origin_income_eval", K_HH},
    {"origin_net_assets", K_HH},
};

static uint8_t
kernel_of(size_t f)
{
    for (size_t i = 0; i < CL_ARRAY_LEN(kernels); i++)
        if (strcmp(kernels[i].name, bn_builtins[f].name) == 0)
            return kernels[i].kernel;
    return K_GENERIC;
}

/* ---- the per-pass table: age, month index and birth year by birth date ---- */

struct bn_agetab {
    int32_t lo; /* first birth date covered */
    int16_t age[AGE_SPAN], mi[AGE_SPAN], by[AGE_SPAN];
};

static void
age_of(int32_t birth, int32_t at, int16_t *age, int16_t *mi, int16_t *by)
{
    int32_t ay, y;
    unsigned am, ad, bm, bd;

    /* the formula of bn_ctx_household (eval.c), to the cast */
    cl_civil_from_days(at, &ay, &am, &ad);
    cl_civil_from_days(birth, &y, &bm, &bd);
    *mi = (int16_t)((ay * 12 + (int32_t)am) - (y * 12 + (int32_t)bm));
    *by = (int16_t)y;
    if (bm == 2 && bd == 29 && !((ay % 4 == 0 && ay % 100 != 0) || ay % 400 == 0)) {
        bm = 3; /* born 29 Feb: 1 Mar in a non-leap year (6.13) */
        bd = 1;
    }
    *age = (int16_t)(ay - y - ((am < bm || (am == bm && ad < bd)) ? 1 : 0));
}

struct bn_agetab *
bn_agetab_new(int32_t at)
{
    struct bn_agetab *t = cl_malloc(sizeof *t);
    int32_t ay, y;
    unsigned am, ad, m, d;
    bool leap_at;

    if (t == NULL)
        return NULL;
    t->lo = at - (AGE_SPAN - 400);
    /* the formula of age_of, walking the birth dates month by month (one conversion, not
       60000): leap year, month index and birth year once per month, the age per day */
    cl_civil_from_days(at, &ay, &am, &ad);
    cl_civil_from_days(t->lo, &y, &m, &d);
    leap_at = (ay % 4 == 0 && ay % 100 != 0) || ay % 400 == 0;
    for (int32_t i = 0; i < AGE_SPAN;) {
        static const uint8_t mdays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        unsigned last = mdays[m] + (m == 2 && leap ? 1u : 0u);
        int16_t mi = (int16_t)((ay * 12 + (int32_t)am) - (y * 12 + (int32_t)m));
        int16_t by = (int16_t)y, base = (int16_t)(ay - y);

        for (; d <= last && i < AGE_SPAN; d++, i++) {
            unsigned bm = m, bd = d;

            if (bm == 2 && bd == 29 && !leap_at) {
                bm = 3; /* born 29 Feb: 1 Mar in a non-leap year (6.13) */
                bd = 1;
            }
            t->mi[i] = mi;
            t->by[i] = by;
            t->age[i] = (int16_t)(base - ((am < bm || (am == bm && ad < bd)) ? 1 : 0));
        }
        d = 1;
        if (m < 12) {
            m++;
        } else {
            y++;
            m = 1;
        }
    }
    return t;
}

static inline void
agetab_get(const struct bn_agetab *t, int32_t birth, int32_t at, int16_t *age, int16_t *mi,
           int16_t *by)
{
    int32_t d = t != NULL ? birth - t->lo : -1;

    if (d >= 0 && d < AGE_SPAN) {
        *age = t->age[d];
        *mi = t->mi[d];
        *by = t->by[d];
    } else {
        age_of(birth, at, age, mi, by);
    }
}

void
bn_agetab_get(const struct bn_agetab *t, int32_t birth, int32_t at, int16_t *age, int16_t *mi,
              int16_t *by)
{
    agetab_get(t, birth, at, age, mi, by);
}

void
bn_agetab_free(struct bn_agetab *t)
{
    cl_free(t);
}

/* ---- the batch machine ---- */

static inline uint8_t
max8(uint8_t a, uint8_t b)
{
    return a > b ? a : b;
}

/* c ? a : b with masks: written as a ternary whose one side is the old value, gcc makes it a
   conditional store, a branch on data (states, has_spouse) that mispredicts */
static inline int64_t
pick64(bool c, int64_t a, int64_t b)
{
    const int64_t m = -(int64_t)c;

    return (a & m) | (b & ~m);
}

static inline uint8_t
pick8(bool c, uint8_t a, uint8_t b)
{
    const uint8_t m = (uint8_t)-(int)c;

    return (uint8_t)((a & m) | (b & ~m));
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

/*
 * A condition that reads only facts known for every subject (ages, flags, enum codes, chunk
 * household columns), constants and scalar parameters, combined by comparisons, and, or, not,
 * runs as a byte-mask program over every subject of the chunk at once: each comparison
 * "fact OP threshold" becomes lo <= raw <= hi (raw: the fact's column before scaling, the
 * range derived exactly from the scaled threshold), each subject's outcome a byte 0/1. No
 * unknowns can arise, so the three-valued result is the two-valued one (welfare-2026.md §2).
 */
#define PMAX 16  /* ops of a predicate program */
#define LCACHE 8 /* leaves kept per chunk for the conditions that share them */
enum { P_LEAF, P_AND, P_OR, P_NOT };
enum { /* leaf columns: the load_fact kernels that are always known */
       L_AGE,
       L_MI,
       L_BY,
       L_KR,
       L_HEAD,
       L_SEVERE,
       L_HSIZE,
       L_BIRTH,
       L_RELATION,
       L_DISABLED,
       L_HAS_SPOUSE,
       L_TENURE,
       L_KIND,
       L_CA_AREA,
       L_SINGLE_PARENT,
       L_ALL_KOREAN,
       L_HAS_STUDENT,
       L_TRAIT,
       L_NONE
};
struct pred_op {
    uint8_t op;     /* P_* */
    uint8_t src;    /* P_LEAF: L_* */
    uint8_t neg;    /* P_LEAF: outcome negated (!=) */
    int32_t lo, hi; /* P_LEAF: the outcome is lo <= raw <= hi (empty when lo > hi) */
    uint8_t slot;   /* P_LEAF: 1 + its row in the chunk's leaf cache when other conditions
                       test the same leaf on the same unit; 0: not cached */
};
struct pred {
    uint8_t n; /* 0: not a predicate program (vrun) */
    struct pred_op op[PMAX];
};

struct bn_batch {
    struct bn_ctx *c;
    const struct cl_benefits_rules *r;
    const struct cl_pop *pop;
    const struct bn_params *par;
    const struct bn_agetab *ages;
    struct cl_benefits_results *res;
    uint8_t kern[MAX_FACTS];
    bool hole; /* a parameter with no row (or key) was read: the chunk goes to the scalar machine */
    /* the chunk: households [h0, h1), persons [p0, p1) */
    uint32_t h0, h1, p0, p1;
    uint32_t ctx_h; /* household the context is set to, or UINT32_MAX */
    int16_t age[BB], mi[BB], by[BB];
    uint16_t hof[BB]; /* household (chunk-local) of each person */
    uint8_t hsz[BB];  /* members of each household of the chunk (at most BN_MAX_MEMBERS) */
    /* chunk columns of households: every member Korean, an 에너지바우처 trait, a student */
    uint32_t cdone; /* bit per kernel: computed for this chunk */
    uint8_t allkr[BB], trait[BB], student[BB];
    uint8_t lt[BB]; /* pred_leaf: a leaf's test on the rows it reads, before the subjects' gather */
    int64_t nri[BB]; /* NBLSS 소득인정액 (4.1) and its state */
    uint8_t nri_st[BB];
    /* 근로장려금 facts of each household's head (4.6): earned + business, total income,
       property with their states; the household type */
    int64_t eb[BB], etot[BB], eprop[BB], etype[BB];
    uint8_t est[BB], eprop_st[BB];
    /* kept by the same loop for the type: earned + business of the head and of the spouse
       (raw int32 sums), a spouse, a wide amount among those four */
    int64_t eh[BB], es[BB];
    uint8_t ehas[BB], ewide[BB];
    /* per household of the chunk, over its members (chunk_members): flags ANDed, a member of
       19 or over without financial consent, assets by kind, earned and other monthly income,
       and every amount ORed (negative: a wide amount somewhere) */
    uint16_t mand[BB];
    uint8_t madult_nc[BB], mstu[BB]; /* mstu: a member in elementary, middle or high school */
    int64_t mH[BB], mG[BB], mF[BB], mV[BB], mD[BB], mE[BB], mO[BB];
    int32_t mlo[BB];
    /* median(n) for n < 128, once per pass (no hole: a hole sends the chunk to the scalar) */
    int64_t med[128];
    uint8_t medok[128];
    /* household facts memoized per chunk */
    uint8_t hdone[MAX_FACTS][BB];
    int64_t hv[MAX_FACTS][BB];
    uint8_t hs[MAX_FACTS][BB];
    /* the current benefit: subjects are persons or households */
    bool hunit;
    uint32_t bi;
    uint32_t let_done;
    int64_t letv[BN_MAX_LETS][BB];
    uint8_t lets[BN_MAX_LETS][BB];
    /* value stack: per slot a value and a state per lane */
    int64_t sv[VSTACK][BB];
    uint8_t ss[VSTACK][BB];
    uint8_t sk[VSTACK], ak[VSTACK];
    int64_t sc[VSTACK];
    /* per subject: worst state over the conditions; the selection vector */
    uint8_t worst[BB];
    uint16_t sel[BB], sel2[BB];
    /* conditions over known facts only, compiled to byte-mask programs (pred_compile) */
    struct pred pred[BN_MAX_BENEFITS][BN_MAX_CONDS];
    uint8_t pspan[BN_MAX_BENEFITS][BN_MAX_CONDS]; /* conditions pred[bi][i] stands for (pred_merge) */
    uint8_t pb[PMAX][BB];   /* the byte stack: 0/1 per subject */
    uint8_t lc[LCACHE][BB]; /* the chunk's leaves tested by more than one condition */
    uint32_t lvalid;        /* the rows of lc computed for this chunk */
    /* mask_select: for each 8-bit mask, the positions of its set bits, in order */
    _Alignas(16) uint16_t selpos[256][8];
    uint16_t iota[BB]; /* 0, 1, .. BB - 1: the selection of every subject */
};

/* set the scalar context to chunk-local household hl (ages from the chunk's columns) */
static void
ctx_household(struct bn_batch *t, uint32_t hl)
{
    struct bn_ctx *c = t->c;
    uint32_t h = t->h0 + hl, k0;

    if (t->ctx_h == h)
        return;
    t->ctx_h = h;
    c->hh = h;
    c->first = (uint32_t)t->pop->hh_first[h];
    c->count = (uint32_t)(t->pop->hh_first[h + 1] - t->pop->hh_first[h]);
    c->head = (uint32_t)t->pop->hh_head[h];
    c->memo = 0;
    k0 = c->first - t->p0;
    c->age = &t->age[k0];
    c->month_index = &t->mi[k0];
    c->birth_year = &t->by[k0];
}

/* subject s of the current benefit: its person and chunk-local household */
static inline uint32_t
subj_person(const struct bn_batch *t, uint32_t s)
{
    return t->hunit ? (uint32_t)t->pop->hh_head[t->h0 + s] : t->p0 + s;
}

static inline uint32_t
subj_hh(const struct bn_batch *t, uint32_t s)
{
    return t->hunit ? s : t->hof[s];
}

static void
hole(struct bn_batch *t)
{
    t->hole = true;
}

/* call builtin f's scalar function for one subject */
static void
call_fact(struct bn_batch *t, uint32_t f, uint32_t s, int64_t *v, uint8_t *st)
{
    struct bn_val out = {0, BN_KNOWN, 0};

    ctx_household(t, subj_hh(t, s));
    t->c->person = subj_person(t, s);
    bn_builtins[f].fn(t->c, &out, &out);
    *v = out.v;
    *st = out.st;
}

static inline int64_t
num(int64_t won)
{
    /* below 2^40 won the product stays under 2^55, far from the 2^60 saturation */
    if (won > -((int64_t)1 << 40) && won < ((int64_t)1 << 40))
        return won * S;
    return sat128((bn_wide)won * S);
}

static inline int64_t
money(const struct cl_pop *p, const int32_t *col, uint32_t i)
{
    return cl_pop_money(p, col[i]);
}

static void chunk_members(struct bn_batch *t);

/* the chunk's household columns, once per chunk and kernel (f_all_korean, f_energy_trait,
   f_has_student in facts.c) */
LANES static void
chunk_households(struct bn_batch *t, uint8_t kernel)
{
    const struct cl_pop *p = t->pop;
    uint32_t nh = t->h1 - t->h0, np = t->p1 - t->p0;

    if (t->cdone & (1u << kernel))
        return;
    t->cdone |= 1u << kernel;
    if (kernel == K_ALL_KOREAN) { /* from the members' flags ANDed */
        chunk_members(t);
        for (uint32_t hl = 0; hl < nh; hl++)
            t->allkr[hl] = (t->mand[hl] & CL_POP_P_KR) != 0;
    } else if (kernel == K_HAS_STUDENT) {
        chunk_members(t);
        memcpy(t->student, t->mstu, nh);
    } else { /* K_ENERGY_TRAIT (4.5) */
        int64_t old = bn_par(t->c, PR_ENERGY_VOUCHER_ELDERLY_AGE, 0) / S;
        int64_t young = bn_par(t->c, PR_ENERGY_VOUCHER_INFANT_AGE_BELOW, 0) / S;

        /* each person's part in lanes (| rather than ||: no branch), counted so that a
           household's count is a difference of two prefixes, then ORed with the household's */
        const int16_t *restrict age = t->age;
        const uint16_t *restrict pf = p->p_flags + t->p0;
        const uint8_t *restrict hf = p->hh_flags + t->h0, *restrict kind = p->hh_kind + t->h0;
        const int32_t *restrict first = p->hh_first + t->h0;
        const uint16_t any = CL_POP_P_DISABLED | CL_POP_P_PREGNANT | CL_POP_P_RARE_DISEASE;
        uint8_t pt[BB];
        uint16_t cnt[BB + 1];

        /* ages are int16: bounds clamped to the int16 range plus one compare the same */
        int32_t o16 = (int32_t)(old < -32768 ? -32768 : old > 32768 ? 32768 : old);
        int32_t y16 = (int32_t)(young < -32768 ? -32768 : young > 32768 ? 32768 : young);

        for (uint32_t k = 0; k < np; k++)
            pt[k] = (uint8_t)((age[k] >= o16) | (age[k] < y16) | ((pf[k] & any) != 0));
        cnt[0] = 0;
        for (uint32_t k = 0; k < np; k++)
            cnt[k + 1] = (uint16_t)(cnt[k] + pt[k]);
        for (uint32_t hl = 0; hl < nh; hl++)
            t->trait[hl] = (uint8_t)(((hf[hl] & CL_POP_H_SINGLE_PARENT) != 0) |
                                     (kind[hl] == CL_POP_KIND_GRANDPARENT_GRANDCHILD) |
                                     (cnt[first[hl + 1] - t->p0] != cnt[first[hl] - t->p0]));
    }
}

/* the members' columns summed per household of the chunk */
LANES static void
chunk_members(struct bn_batch *t)
{
    const struct cl_pop *p = t->pop;
    uint32_t nh = t->h1 - t->h0, np = t->p1 - t->p0, p0 = t->p0;
    const uint16_t *restrict pf = p->p_flags + p0;
    const uint8_t *restrict sc = p->p_school + p0;
    const int32_t *restrict a5 = p->assets[CL_POP_AS_HOUSING] + p0,
                            *restrict a6 = p->assets[CL_POP_AS_GENERAL] + p0;
    const int32_t *restrict a7 = p->assets[CL_POP_AS_FINANCIAL] + p0,
                            *restrict a8 = p->assets[CL_POP_AS_VEHICLE] + p0;
    const int32_t *restrict a9 = p->assets[CL_POP_AS_DEBT] + p0;
    const int32_t *restrict ie = p->income_monthly[CL_POP_IM_EARNED] + p0;
    const int32_t *restrict ib = p->income_monthly[CL_POP_IM_BUSINESS] + p0;
    const int32_t *restrict iu = p->income_monthly[CL_POP_IM_PUBLIC_PENSION] + p0;
    const int32_t *restrict iv = p->income_monthly[CL_POP_IM_PRIVATE_PENSION] + p0;
    const int32_t *restrict ip = p->income_monthly[CL_POP_IM_PROPERTY_INCOME] + p0;
    const int32_t *restrict io = p->income_monthly[CL_POP_IM_OTHER] + p0;
    const int16_t *restrict age = t->age;
    const int32_t *restrict first = p->hh_first + t->h0; /* households have members */
    int32_t plo[BB];
    int64_t pot[BB];
    uint8_t pbits[BB];
    uint16_t rest[BB]; /* the persons who are not their household's first member */
    uint32_t nr = 0;

    if (t->cdone & (1u << K_MEMBERS))
        return;
    t->cdone |= 1u << K_MEMBERS;
    /* first what each person adds, in lanes over the persons (no household index) */
    for (uint32_t k = 0; k < np; k++) {
        plo[k] =
            a5[k] | a6[k] | a7[k] | a8[k] | a9[k] | ie[k] | ib[k] | iu[k] | iv[k] | ip[k] | io[k];
        pot[k] = (int64_t)ib[k] + iu[k] + iv[k] + ip[k] + io[k];
        /* & rather than &&: no branch in the lanes */
        pbits[k] =
            (uint8_t)(((age[k] >= 19) & ((pf[k] & CL_POP_P_CONSENT) == 0)) |
                      (((sc[k] >= CL_POP_SCHOOL_ELEMENTARY) & (sc[k] <= CL_POP_SCHOOL_HIGH)) << 1));
    }
    /* each household's first member sets its columns (no clearing, no read-modify-write),
       then the other members, listed without a branch, add theirs */
    for (uint32_t hl = 0; hl < nh; hl++) {
        uint32_t k = (uint32_t)first[hl] - p0;

        t->mand[hl] = pf[k];
        t->madult_nc[hl] = pbits[k] & 1;
        t->mstu[hl] = pbits[k] >> 1;
        t->mlo[hl] = plo[k];
        t->mH[hl] = a5[k];
        t->mG[hl] = a6[k];
        t->mF[hl] = a7[k];
        t->mV[hl] = a8[k];
        t->mD[hl] = a9[k];
        t->mE[hl] = ie[k];
        t->mO[hl] = pot[k];
    }
    for (uint32_t k = 1; k < np; k++) {
        rest[nr] = (uint16_t)k;
        nr += t->hof[k] == t->hof[k - 1];
    }
    for (uint32_t r = 0; r < nr; r++) {
        uint32_t k = rest[r], hl = t->hof[k];

        t->mand[hl] &= pf[k];
        t->madult_nc[hl] |= pbits[k] & 1;
        t->mstu[hl] |= pbits[k] >> 1;
        t->mlo[hl] |= plo[k];
        t->mH[hl] += a5[k];
        t->mG[hl] += a6[k];
        t->mF[hl] += a7[k];
        t->mV[hl] += a8[k];
        t->mD[hl] += a9[k];
        t->mE[hl] += ie[k];
        t->mO[hl] += pot[k];
    }
}

/* one household's NBLSS 소득인정액 with a wide amount or parameters of unusual size: the sums
   step by step and the formula in 128 bits, saturating (f_nblss_ri in facts.c) */
static int64_t
nblss_wide(const struct bn_batch *t, uint32_t hl, const int64_t *par, int64_t cap, int64_t base)
{
    const struct cl_pop *p = t->pop;
    uint32_t h = t->h0 + hl, a = (uint32_t)p->hh_first[h], e = (uint32_t)p->hh_first[h + 1];
    int64_t earned_rate = par[0], fin_ded = par[1];
    int64_t H = 0, G = 0, F = 0, V = 0, D = 0, pool, H1, G1, F1, H2, G2, F2, x;
    bn_wide v, inc = 0;

    if (t->mlo[hl] >= 0 && earned_rate >= 0 && earned_rate < ((int64_t)1 << 20)) {
        /* int32 amounts (no wide ones), at most 64 members and a rate below 2^20: no sum
           reaches 2^60, so plain int64 sums are the saturated ones */
        H = t->mH[hl];
        G = t->mG[hl];
        F = t->mF[hl];
        V = t->mV[hl];
        D = t->mD[hl];
        inc = t->mE[hl] * earned_rate + t->mO[hl] * S;
    } else {
        for (uint32_t i = a; i < e; i++) {
            H = sat128((bn_wide)H + money(p, p->assets[CL_POP_AS_HOUSING], i));
            G = sat128((bn_wide)G + money(p, p->assets[CL_POP_AS_GENERAL], i));
            F = sat128((bn_wide)F + money(p, p->assets[CL_POP_AS_FINANCIAL], i));
            V = sat128((bn_wide)V + money(p, p->assets[CL_POP_AS_VEHICLE], i));
            D = sat128((bn_wide)D + money(p, p->assets[CL_POP_AS_DEBT], i));
            inc += (bn_wide)money(p, p->income_monthly[CL_POP_IM_EARNED], i) * earned_rate;
            for (int g = CL_POP_IM_BUSINESS; g < CL_POP_IM_COUNT; g++)
                inc += (bn_wide)money(p, p->income_monthly[g], i) * S;
        }
    }
    H1 = H < cap ? H : cap;
    G1 = G + (H > cap ? H - cap : 0);
    x = F - fin_ded;
    F1 = x > 0 ? x : 0;
    pool = base + D; /* deducted in the order H1 -> G1 -> F1 */
    H2 = H1 > pool ? H1 - pool : 0;
    pool -= H1 < pool ? H1 : pool;
    G2 = G1 > pool ? G1 - pool : 0;
    pool -= G1 < pool ? G1 : pool;
    F2 = F1 > pool ? F1 - pool : 0;
    v = (bn_wide)H2 * par[2] + (bn_wide)G2 * par[3] + (bn_wide)F2 * par[4] + (bn_wide)V * par[5];
    v += sat128(inc);
    return sat128(v);
}

/* NBLSS 소득인정액 of every household of the chunk (welfare-2026.md 4.1; f_nblss_ri and
   income_eval in facts.c, step for step). Consent and data are close to random per household,
   so the state and the value are computed for every household and the value masked; with
   int32 amounts (mlo >= 0) and parameters of usual size the formula runs in int64 without a
   branch, anything else goes to nblss_wide. */
LANES static void
chunk_nblss(struct bn_batch *t)
{
    const struct cl_pop *p = t->pop;
    uint32_t nh = t->h1 - t->h0, nw = 0;
    const uint8_t *restrict tier = p->hh_nblss_tier + t->h0;
    const uint16_t need = CL_POP_P_HAS_INCOME_MONTHLY | CL_POP_P_HAS_ASSETS;
    const int64_t lim20 = (int64_t)1 << 20, lim40 = (int64_t)1 << 40;
    int64_t par[6]; /* earned rate, financial deduction (won), housing, general, financial and
                       vehicle rates */
    bool usual;
    /* the tier's cap and deduction, read once per tier and chunk (the same value each read),
       and whether both are of usual size */
    int64_t tcap[32] = {0}, tbase[32] = {0}, fcap[32] = {0}, fbase[32] = {0};
    uint8_t got_tier[32] = {0}, tusual[32] = {0};
    int64_t fr[6]; /* par as the int64 formula takes it: 0 when of unusual size */
    uint32_t got = 0;
    uint16_t wide[BB]; /* known households for nblss_wide */
    int64_t hcap[BB], hbase[BB]; /* each household's tier cap and deduction (fcap, fbase) */

    if (t->cdone & (1u << K_NBLSS_RI))
        return;
    t->cdone |= 1u << K_NBLSS_RI;
    par[0] = bn_par(t->c, PR_NBLSS_EARNED_RATE, 0);
    par[1] = bn_par(t->c, PR_NBLSS_FINANCIAL_DEDUCTION, 0) / S;
    par[2] = bn_par(t->c, PR_NBLSS_RATE_HOUSING, 0);
    par[3] = bn_par(t->c, PR_NBLSS_RATE_GENERAL, 0);
    par[4] = bn_par(t->c, PR_NBLSS_RATE_FINANCIAL, 0);
    par[5] = bn_par(t->c, PR_NBLSS_RATE_VEHICLE, 0);
    /* rates in [0, 2^20), deductions and caps in [0, 2^40), member sums of int32 amounts below
       2^37: every term below stays under 2^62, non-negative, so int64 is exact */
    usual = par[1] >= 0 && par[1] < lim40;
    for (int k = 0; k < 6; k++)
        usual = usual && (k == 1 || (par[k] >= 0 && par[k] < lim20));
    for (int k = 0; k < 6; k++)
        fr[k] = usual ? par[k] : 0;
    chunk_members(t);
    /* the state: consent of members 19 and over, then the data; a known household's tier
       parameters are read as the scalar machine reads them (only for a known household) */
    for (uint32_t hl = 0; hl < nh; hl++) {
        uint8_t nc = t->madult_nc[hl] != 0, miss = (t->mand[hl] & need) != need;
        uint8_t st = (uint8_t)(nc << 1 | (miss & !nc)), tr = tier[hl];

        t->nri_st[hl] = st;
        if ((st == BN_KNOWN) & (!(got & (1u << (tr & 31))) | (got_tier[tr & 31] != tr))) {
            tcap[tr & 31] = bn_par(t->c, PR_NBLSS_HOUSING_CAP, tr) / S;
            tbase[tr & 31] = bn_par(t->c, PR_NBLSS_BASIC_PROPERTY_DEDUCTION, tr) / S;
            tusual[tr & 31] = tcap[tr & 31] >= 0 && tcap[tr & 31] < lim40 &&
                              tbase[tr & 31] >= 0 && tbase[tr & 31] < lim40;
            fcap[tr & 31] = tusual[tr & 31] ? tcap[tr & 31] : 0;
            fbase[tr & 31] = tusual[tr & 31] ? tbase[tr & 31] : 0;
            got_tier[tr & 31] = tr;
            got |= 1u << (tr & 31);
        }
        hcap[hl] = fcap[tr & 31];
        hbase[hl] = fbase[tr & 31];
        wide[nw] = (uint16_t)hl;
        nw += (st == BN_KNOWN) & ((t->mlo[hl] < 0) | !usual | !tusual[tr & 31]);
    }
    /* the int64 formula in lanes over the households */
    for (uint32_t hl = 0; hl < nh; hl++) {
        int64_t H = t->mH[hl], G = t->mG[hl], F = t->mF[hl], V = t->mV[hl], D = t->mD[hl];
        int64_t cap = hcap[hl], pool = hbase[hl] + D, H1, G1, F1, H2, G2, F2, x, v;
        int64_t known = t->nri_st[hl] == BN_KNOWN;

        H1 = H < cap ? H : cap;
        G1 = G + (H > cap ? H - cap : 0);
        x = F - fr[1];
        F1 = x > 0 ? x : 0;
        H2 = H1 > pool ? H1 - pool : 0; /* deducted in the order H1 -> G1 -> F1 */
        pool -= H1 < pool ? H1 : pool;
        G2 = G1 > pool ? G1 - pool : 0;
        pool -= G1 < pool ? G1 : pool;
        F2 = F1 > pool ? F1 - pool : 0;
        v = H2 * fr[2] + G2 * fr[3] + F2 * fr[4] + V * fr[5] + t->mE[hl] * fr[0] + t->mO[hl] * S;
        v = v > ((int64_t)1 << 60) ? (int64_t)1 << 60 : v;
        t->nri[hl] = v & -known;
    }
    for (uint32_t w = 0; w < nw; w++) {
        uint32_t hl = wide[w], ti = tier[hl] & 31u;

        t->nri[hl] = nblss_wide(t, hl, par, tcap[ti], tbase[ti]);
    }
}

/* one person's 기초연금/장애인연금 소득인정액 when an amount is wide or a parameter of unusual
   size: the scalar machine's exact formula (the state is known) */
static int64_t
pension_wide(const struct cl_pop *p, uint32_t person, const int64_t *par, int64_t base)
{
    const int32_t unit[2] = {(int32_t)person, p->p_spouse[person]};

    return bn_pension_ri_known(p, unit, par[0], par[1], base, par[2], par[3]);
}

/* 기초연금/장애인연금 소득인정액 of the person and the spouse (welfare-2026.md 4.2, 6.9;
   f_pension_ri in facts.c, step for step). Consent and data of the two are close to random,
   so both persons' states and sums are computed for every subject (an absent spouse reads
   the person again, masked out) and the value masked; a wide amount, or a deduction or rate of
   unusual size, sends the subject to pension_wide. */
LANES static void
load_pension(struct bn_batch *t, const uint16_t *sel, uint32_t n, int64_t *v, uint8_t *st)
{
    const struct cl_pop *p = t->pop;
    const uint16_t need = CL_POP_P_HAS_INCOME_MONTHLY | CL_POP_P_HAS_ASSETS;
    const int32_t *restrict spouse = p->p_spouse;
    const uint16_t *restrict pf = p->p_flags;
    const int32_t *restrict xe = p->income_monthly[CL_POP_IM_EARNED];
    const int32_t *restrict x1 = p->income_monthly[CL_POP_IM_BUSINESS];
    const int32_t *restrict x2 = p->income_monthly[CL_POP_IM_PUBLIC_PENSION];
    const int32_t *restrict x3 = p->income_monthly[CL_POP_IM_PRIVATE_PENSION];
    const int32_t *restrict x4 = p->income_monthly[CL_POP_IM_PROPERTY_INCOME];
    const int32_t *restrict x5 = p->income_monthly[CL_POP_IM_OTHER];
    const int32_t *restrict a5 = p->assets[CL_POP_AS_HOUSING];
    const int32_t *restrict a6 = p->assets[CL_POP_AS_GENERAL];
    const int32_t *restrict a7 = p->assets[CL_POP_AS_FINANCIAL];
    const int32_t *restrict a8 = p->assets[CL_POP_AS_VEHICLE];
    const int32_t *restrict a9 = p->assets[CL_POP_AS_DEBT];
    int64_t par[4]; /* earned deduction (won), earned rate (70 %, scaled), financial deduction
                       (won), property rate (4 % a year, scaled) */
    /* a deduction and a rate of sane size: the int64 sums below cannot overflow */
    bool fast;
    int64_t ded, rate;
    int64_t tbase[32]; /* the tier's deduction, read once per tier (the same value each read) */
    uint8_t got_tier[32];
    uint32_t got = 0, nw = 0;
    uint16_t wide[BB]; /* lanes for pension_wide */
    int64_t wbase[BB];

    par[0] = bn_par(t->c, PR_PENSION_EARNED_DEDUCTION, 0) / S;
    par[1] = bn_par(t->c, PR_PENSION_EARNED_RATE, 0);
    par[2] = bn_par(t->c, PR_PENSION_FINANCIAL_DEDUCTION, 0) / S;
    par[3] = bn_par(t->c, PR_PENSION_PROPERTY_RATE, 0);
    fast = par[1] >= 0 && par[1] < ((int64_t)1 << 20) && par[0] >= 0 && par[0] < ((int64_t)1 << 40);
    ded = fast ? par[0] : 0;
    rate = fast ? par[1] : 0;
    chunk_members(t); /* mlo: a wide amount in the household */
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = subj_person(t, sel[j]), h = t->h0 + subj_hh(t, sel[j]);
        int32_t sp = spouse[i];
        uint32_t has = sp >= 0, k = (uint32_t)pick64(has, sp, i); /* a mask: gcc branched */
        int64_t hm = -(int64_t)has;
        uint8_t tier = p->hh_pension_tier[h];
        uint16_t f = pf[i], g = pf[k];
        uint8_t s1 = (uint8_t)(!(f & CL_POP_P_CONSENT) << 1 | ((f & need) != need));
        uint8_t s2 = (uint8_t)((!(g & CL_POP_P_CONSENT) << 1 | ((g & need) != need)) & -has);
        uint8_t s = max8(s1 >= 2 ? 2 : s1, s2 >= 2 ? 2 : s2);
        int64_t base, e1 = xe[i] - ded, e2 = xe[k] - ded, hgv, fin, debt, prop;
        int64_t inc;

        if (!(got & (1u << (tier & 31))) || got_tier[tier & 31] != tier) {
            tbase[tier & 31] = bn_par(t->c, PR_PENSION_BASIC_PROPERTY_DEDUCTION, tier) / S;
            got_tier[tier & 31] = tier;
            got |= 1u << (tier & 31);
        }
        base = tbase[tier & 31];
        /* int32 amounts of at most two persons: int64 sums never saturate */
        inc = (e1 > 0 ? e1 : 0) * rate + ((int64_t)x1[i] + x2[i] + x3[i] + x4[i] + x5[i]) * S +
              (((e2 > 0 ? e2 : 0) * rate + ((int64_t)x1[k] + x2[k] + x3[k] + x4[k] + x5[k]) * S) &
               hm);
        hgv = (int64_t)a5[i] + a6[i] + a8[i] + (((int64_t)a5[k] + a6[k] + a8[k]) & hm) - base;
        fin = (int64_t)a7[i] + (a7[k] & hm) - par[2];
        debt = (int64_t)a9[i] + (a9[k] & hm);
        prop = (hgv > 0 ? hgv : 0) + (fin > 0 ? fin : 0) - debt;
        prop = prop > 0 ? prop : 0;
        st[j] = s;
        v[j] = sat128(inc + (bn_wide)prop * (par[3] / 12)) & -(int64_t)(s == BN_KNOWN);
        wide[nw] = (uint16_t)j;
        wbase[nw] = base;
        nw += (s == BN_KNOWN) & (!fast | (t->mlo[h - t->h0] < 0)); /* the spouse is a member */
    }
    for (uint32_t w = 0; w < nw; w++)
        v[wide[w]] = pension_wide(p, subj_person(t, sel[wide[w]]), par, wbase[w]);
}

/* 근로장려금 (4.6, 6.10, f_eitc_* in facts.c): consent of head and spouse, then their 2025
   income; assets of every member */
static inline uint8_t
eitc_state(const struct cl_pop *p, uint32_t i, int32_t sp)
{
    uint16_t f = p->p_flags[i], g = sp >= 0 ? p->p_flags[sp] : (uint16_t)~0u;

    if (!(f & g & CL_POP_P_CONSENT))
        return BN_CONSENT;
    return (f & g & CL_POP_P_HAS_INCOME_ANNUAL) ? BN_KNOWN : BN_MISSING;
}

static inline int64_t
eitc_eb(const struct cl_pop *p, uint32_t i)
{
    return money(p, p->income_annual[CL_POP_IA_EARNED], i) +
           money(p, p->income_annual[CL_POP_IA_BUSINESS], i);
}

/* the 근로장려금 facts of every household head of the chunk, once per chunk: earned + business,
   total income and property in one loop (no parameters), the type in another (it reads
   parameters, so only when a rule asks for it); the formulas of load_eitc below */
LANES static void
chunk_eitc(struct bn_batch *t, uint8_t kernel)
{
    const struct cl_pop *p = t->pop;
    uint32_t nh = t->h1 - t->h0, nw = 0;
    const int32_t *restrict head = p->hh_head + t->h0;
    const int32_t *restrict spouse = p->p_spouse;
    const uint16_t *restrict pf = p->p_flags;
    const int32_t *restrict ea = p->income_annual[CL_POP_IA_EARNED];
    const int32_t *restrict eb = p->income_annual[CL_POP_IA_BUSINESS];
    const int32_t *restrict eo = p->income_annual[CL_POP_IA_OTHER_TAXABLE];
    uint16_t wide[BB]; /* households with a wide amount that a known value reads */

    if (kernel == K_EITC_TYPE) {
        int64_t min, child, parent;

        if (t->cdone & (1u << K_EITC_TYPE))
            return;
        t->cdone |= 1u << K_EITC_TYPE;
        min = bn_par(t->c, PR_EITC_TWO_EARNER_MIN, 0) / S;
        child = bn_par(t->c, PR_EITC_DEPENDENT_CHILD_AGE_BELOW, 0) / S;
        parent = bn_par(t->c, PR_EITC_DEPENDENT_PARENT_AGE, 0) / S;
        {
            /* a dependant (a child, or a parent old enough) among the members: each person's
               test in lanes (ages are int16, so the bounds are clamped to int16 range plus
               one), then counted so that a household's count is a difference of two prefixes */
            int32_t c16 = (int32_t)(child < -32768 ? -32768 : child > 32768 ? 32768 : child);
            int32_t p16 = (int32_t)(parent < -32768 ? -32768 : parent > 32768 ? 32768 : parent);
            const int16_t *restrict age = t->age;
            const uint8_t *restrict rel = p->p_relation + t->p0;
            const int32_t *restrict first = p->hh_first + t->h0;
            uint32_t np = t->p1 - t->p0, p0 = t->p0;
            uint8_t dep[BB];
            uint16_t cnt[BB + 1];

            for (uint32_t k = 0; k < np; k++)
                dep[k] = (uint8_t)((age[k] < c16) |
                                   ((rel[k] == CL_POP_REL_PARENT) & (age[k] >= p16)));
            cnt[0] = 0;
            for (uint32_t k = 0; k < np; k++)
                cnt[k + 1] = (uint16_t)(cnt[k] + dep[k]);
            /* the state and both types for every household, selected with masks, from what
               the loop below kept of the head and the spouse */
            chunk_eitc(t, K_EITC_EB);
            for (uint32_t hl = 0; hl < nh; hl++) {
                uint32_t known = t->est[hl] == BN_KNOWN, has = t->ehas[hl];
                uint32_t two = (t->eh[hl] >= min) & (t->es[hl] >= min);
                uint32_t any = cnt[first[hl + 1] - p0] != cnt[first[hl] - p0];

                t->etype[hl] = (int64_t)(-known & ((-has & (1 + two)) | (~has & any)));
                wide[nw] = (uint16_t)hl;
                nw += known & has & t->ewide[hl];
            }
            for (uint32_t w = 0; w < nw; w++) { /* a wide amount: through money() */
                uint32_t hl = wide[w], i = (uint32_t)head[hl], sp = (uint32_t)spouse[i];

                t->etype[hl] = eitc_eb(p, i) >= min && eitc_eb(p, sp) >= min ? 2 : 1;
            }
        }
        return;
    }
    if (t->cdone & (1u << K_EITC_EB))
        return;
    t->cdone |= 1u << K_EITC_EB;
    chunk_members(t);
    /* Consent and data of head and spouse are close to random, so every household gets both
       states and all three values, selected with masks (an absent spouse reads the head again,
       masked out). Amounts are taken raw: a negative one (a wide amount) sends the household
       to the exact step-by-step loop below. */
    for (uint32_t hl = 0; hl < nh; hl++) {
        uint32_t i = (uint32_t)head[hl];
        int32_t sp = spouse[i];
        uint32_t has = sp >= 0, j = (uint32_t)pick64(has, sp, i); /* a mask: gcc branched */
        int64_t hm = -(int64_t)has;
        uint16_t fg = (uint16_t)(pf[i] & (pf[j] | (uint16_t)(has - 1)));
        uint8_t nc = !(fg & CL_POP_P_CONSENT), na = !(fg & CL_POP_P_HAS_INCOME_ANNUAL);
        uint8_t nas = !(t->mand[hl] & CL_POP_P_HAS_ASSETS);
        uint8_t s = (uint8_t)(nc << 1 | (na & !nc)), ps = (uint8_t)(nc << 1 | (nas & !nc));
        int64_t e1 = (int64_t)ea[i] + eb[i], e2 = ((int64_t)ea[j] + eb[j]) & hm;
        int64_t x = e1 + eo[i] + ((e2 + eo[j]) & hm);
        int64_t km = -(int64_t)(s == BN_KNOWN), pm = -(int64_t)(ps == BN_KNOWN);

        /* six int32 amounts, and four sums of at most 64 members' int32 amounts, stay below
           2^40: num() is the plain product */
        t->eh[hl] = e1;
        t->es[hl] = (int64_t)ea[j] + eb[j];
        t->ehas[hl] = (uint8_t)has;
        t->ewide[hl] = (ea[i] | eb[i] | ea[j] | eb[j]) < 0;
        t->est[hl] = s;
        t->eb[hl] = ((e1 + e2) * S) & km;
        t->etot[hl] = (x * S) & km;
        t->eprop_st[hl] = ps;
        t->eprop[hl] = ((t->mH[hl] + t->mG[hl] + t->mF[hl] + t->mV[hl]) * S) & pm;
        wide[nw] = (uint16_t)hl;
        nw += ((s == BN_KNOWN) & ((ea[i] | eb[i] | eo[i] | ea[j] | eb[j] | eo[j]) < 0)) |
              ((ps == BN_KNOWN) & (t->mlo[hl] < 0));
    }
    for (uint32_t w = 0; w < nw; w++) { /* a wide amount: money() and saturation, as facts.c */
        uint32_t hl = wide[w], h = t->h0 + hl, i = (uint32_t)head[hl];
        int32_t sp = spouse[i];

        if (t->est[hl] == BN_KNOWN) {
            int64_t e1 = eitc_eb(p, i), e2 = sp >= 0 ? eitc_eb(p, (uint32_t)sp) : 0;
            int64_t x = e1 + money(p, eo, i);

            if (sp >= 0)
                x += e2 + money(p, eo, (uint32_t)sp);
            t->eb[hl] = num(e1 + e2);
            t->etot[hl] = num(x);
        }
        if (t->eprop_st[hl] == BN_KNOWN && t->mlo[hl] < 0) {
            bn_wide sum = 0;

            for (int32_t m = p->hh_first[h]; m < p->hh_first[h + 1]; m++)
                for (int g2 = 0; g2 < CL_POP_AS_DEBT; g2++)
                    sum += money(p, p->assets[g2], (uint32_t)m);
            t->eprop[hl] = num(sat128(sum));
        }
    }
}

LANES static void
load_eitc(struct bn_batch *t, uint8_t kernel, const uint16_t *sel, uint32_t n, int64_t *v,
          uint8_t *st)
{
    const struct cl_pop *p = t->pop;
    int64_t min = 0, child = 0, parent = 0;

    if (t->hunit) { /* subjects are households, the facts their heads': the chunk columns */
        const int64_t *col;
        const uint8_t *cst;

        chunk_eitc(t, kernel);
        col = kernel == K_EITC_TYPE    ? t->etype
              : kernel == K_EITC_EB    ? t->eb
              : kernel == K_EITC_TOTAL ? t->etot
                                       : t->eprop;
        cst = kernel == K_EITC_PROPERTY ? t->eprop_st : t->est;
        if (n == t->h1 - t->h0) { /* every household: sel is the identity */
            memcpy(v, col, n * sizeof *v);
            memcpy(st, cst, n);
            return;
        }
        for (uint32_t j = 0; j < n; j++) {
            v[j] = col[sel[j]];
            st[j] = cst[sel[j]];
        }
        return;
    }

    if (kernel == K_EITC_TYPE) { /* read before the state, as f_eitc_type does */
        min = bn_par(t->c, PR_EITC_TWO_EARNER_MIN, 0) / S;
        child = bn_par(t->c, PR_EITC_DEPENDENT_CHILD_AGE_BELOW, 0) / S;
        parent = bn_par(t->c, PR_EITC_DEPENDENT_PARENT_AGE, 0) / S;
    }
    for (uint32_t j = 0; j < n; j++) {
        uint32_t i = subj_person(t, sel[j]), h = t->h0 + subj_hh(t, sel[j]);
        int32_t sp = p->p_spouse[i];

        v[j] = 0;
        if (kernel == K_EITC_PROPERTY) {
            uint16_t f = p->p_flags[i], g = sp >= 0 ? p->p_flags[sp] : (uint16_t)0xffff,
                     all = 0xffff;
            bn_wide sum = 0;

            for (int32_t m = p->hh_first[h]; m < p->hh_first[h + 1]; m++)
                all &= p->p_flags[m];
            st[j] = !(f & g & CL_POP_P_CONSENT)    ? BN_CONSENT
                    : !(all & CL_POP_P_HAS_ASSETS) ? BN_MISSING
                                                   : BN_KNOWN;
            if (st[j] != BN_KNOWN)
                continue;
            for (int32_t m = p->hh_first[h]; m < p->hh_first[h + 1]; m++)
                for (int g2 = 0; g2 < CL_POP_AS_DEBT; g2++)
                    sum += money(p, p->assets[g2], (uint32_t)m);
            v[j] = num(sat128(sum));
            continue;
        }
        st[j] = eitc_state(p, i, sp);
        if (st[j] != BN_KNOWN)
            continue;
        if (kernel == K_EITC_EB) {
            v[j] = num(eitc_eb(p, i) + (sp >= 0 ? eitc_eb(p, (uint32_t)sp) : 0));
        } else if (kernel == K_EITC_TOTAL) {
            int64_t x = eitc_eb(p, i) + money(p, p->income_annual[CL_POP_IA_OTHER_TAXABLE], i);

            if (sp >= 0)
                x += eitc_eb(p, (uint32_t)sp) +
                     money(p, p->income_annual[CL_POP_IA_OTHER_TAXABLE], (uint32_t)sp);
            v[j] = num(x);
        } else if (sp >= 0) { /* K_EITC_TYPE */
            v[j] = eitc_eb(p, i) >= min && eitc_eb(p, (uint32_t)sp) >= min ? 2 : 1;
        } else {
            for (int32_t m = p->hh_first[h]; m < p->hh_first[h + 1]; m++) {
                int32_t age = t->age[(uint32_t)m - t->p0];

                if (age < child || (p->p_relation[m] == CL_POP_REL_PARENT && age >= parent)) {
                    v[j] = 1;
                    break;
                }
            }
        }
    }
}

/* load builtin in->a for the lanes of sel; true: every lane known (st left unwritten) */
LANES static bool
load_fact(struct bn_batch *t, const struct bn_ins *in, const uint16_t *sel, uint32_t n, int64_t *v,
          uint8_t *st)
{
    const struct cl_pop *p = t->pop;
    uint32_t f = in->a;

    switch (in->k) { /* the inline person facts (OP_FACT k, eval.c) */
    case BN_IF_AGE:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = (int64_t)t->age[subj_person(t, sel[j]) - t->p0] * S;
        return true;
    case BN_IF_MONTH_INDEX:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = (int64_t)t->mi[subj_person(t, sel[j]) - t->p0] * S;
        return true;
    case BN_IF_BIRTH_YEAR:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = (int64_t)t->by[subj_person(t, sel[j]) - t->p0] * S;
        return true;
    case BN_IF_IS_KOREAN:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = (p->p_flags[subj_person(t, sel[j])] & CL_POP_P_KR) != 0;
        return true;
    case BN_IF_IS_HEAD:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = p->p_relation[subj_person(t, sel[j])] == CL_POP_REL_HEAD;
        return true;
    case BN_IF_HOUSEHOLD_SIZE:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = (int64_t)t->hsz[subj_hh(t, sel[j])] * S;
        return true;
    case BN_IF_SEVERE:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = (p->p_flags[subj_person(t, sel[j])] & CL_POP_P_SEVERE) != 0;
        return true;
    default:
        break;
    }
    switch (t->kern[f]) {
    case K_BIRTH_DATE:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = p->p_birth[subj_person(t, sel[j])];
        return true;
    case K_AT:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = t->c->at;
        return true;
    case K_RELATION:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = p->p_relation[subj_person(t, sel[j])];
        return true;
    case K_DISABLED:
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++)
            v[j] = (p->p_flags[subj_person(t, sel[j])] & CL_POP_P_DISABLED) != 0;
        return true;
    case K_BIRTH_ORDER:
        for (uint32_t j = 0; j < n; j++) {
            uint8_t o = p->p_birth_order[subj_person(t, sel[j])];
            v[j] = (int64_t)o * S;
            st[j] = o == 0 ? BN_MISSING : BN_KNOWN; /* null: 6.7 */
        }
        return false;
    case K_HAS_SPOUSE:
        for (uint32_t j = 0; j < n; j++)
            v[j] = p->p_spouse[subj_person(t, sel[j])] >= 0;
        return true;
    case K_OCC_PENSION:
        for (uint32_t j = 0; j < n; j++) {
            uint32_t i = subj_person(t, sel[j]);
            int32_t sp = p->p_spouse[i];
            /* without a spouse the person's own flags again: no branch on the data */
            uint16_t g = p->p_flags[(uint32_t)pick64(sp >= 0, sp, i)];

            v[j] = ((p->p_flags[i] | g) & CL_POP_P_OCC_PENSION) != 0;
        }
        return true;
    case K_TENURE:
        for (uint32_t j = 0; j < n; j++)
            v[j] = p->hh_tenure[t->h0 + subj_hh(t, sel[j])];
        return true;
    case K_DEPOSIT: /* absent or null: missing (facts.c f_deposit) */
        for (uint32_t j = 0; j < n; j++) {
            uint32_t h = t->h0 + subj_hh(t, sel[j]);
            v[j] = num(cl_pop_money(p, p->hh_deposit[h]));
            st[j] = (p->hh_flags[h] & CL_POP_H_HAS_DEPOSIT) ? BN_KNOWN : BN_MISSING;
        }
        return false;
    case K_RENT:
        for (uint32_t j = 0; j < n; j++) {
            uint32_t h = t->h0 + subj_hh(t, sel[j]);
            v[j] = num(cl_pop_money(p, p->hh_rent[h]));
            st[j] = (p->hh_flags[h] & CL_POP_H_HAS_RENT) ? BN_KNOWN : BN_MISSING;
        }
        return false;
    case K_KIND:
        for (uint32_t j = 0; j < n; j++)
            v[j] = p->hh_kind[t->h0 + subj_hh(t, sel[j])];
        return true;
    case K_CA_AREA:
        for (uint32_t j = 0; j < n; j++)
            v[j] = p->hh_ca_area[t->h0 + subj_hh(t, sel[j])];
        return true;
    case K_SINGLE_PARENT:
        for (uint32_t j = 0; j < n; j++)
            v[j] = (p->hh_flags[t->h0 + subj_hh(t, sel[j])] & CL_POP_H_SINGLE_PARENT) != 0;
        return true;
    case K_ALL_KOREAN:
        chunk_households(t, K_ALL_KOREAN);
        for (uint32_t j = 0; j < n; j++)
            v[j] = t->allkr[subj_hh(t, sel[j])];
        return true;
    case K_PENSION_RI:
        load_pension(t, sel, n, v, st);
        return false;
    case K_NBLSS_RI:
        chunk_nblss(t);
        if (t->hunit && n == t->h1 - t->h0) { /* every household: sel is the identity */
            memcpy(v, t->nri, n * sizeof *v);
            memcpy(st, t->nri_st, n);
            return false;
        }
        for (uint32_t j = 0; j < n; j++) {
            v[j] = t->nri[subj_hh(t, sel[j])];
            st[j] = t->nri_st[subj_hh(t, sel[j])];
        }
        return false;
    case K_HAS_STUDENT:
        chunk_households(t, K_HAS_STUDENT);
        for (uint32_t j = 0; j < n; j++)
            v[j] = t->student[subj_hh(t, sel[j])];
        return true;
    case K_ENERGY_TRAIT:
        chunk_households(t, K_ENERGY_TRAIT);
        for (uint32_t j = 0; j < n; j++)
            v[j] = t->trait[subj_hh(t, sel[j])];
        return true;
    case K_EITC_TYPE:
    case K_EITC_EB:
    case K_EITC_TOTAL:
    case K_EITC_PROPERTY:
        load_eitc(t, t->kern[f], sel, n, v, st);
        return false;
    case K_HH:
        for (uint32_t j = 0; j < n; j++) {
            uint32_t hl = subj_hh(t, sel[j]);

            if (!t->hdone[f][hl]) {
                struct bn_val out = {0, BN_KNOWN, 0};

                ctx_household(t, hl);
                t->c->person = t->c->head;
                bn_builtins[f].fn(t->c, &out, &out);
                t->hv[f][hl] = out.v;
                t->hs[f][hl] = out.st;
                t->hdone[f][hl] = 1;
            }
            v[j] = t->hv[f][hl];
            st[j] = t->hs[f][hl];
        }
        return false;
    default:
        for (uint32_t j = 0; j < n; j++)
            call_fact(t, f, sel[j], &v[j], &st[j]);
        return false;
    }
}

/* status of another benefit as a three-valued value (f_eligible, facts.c) */
static inline void
status_val(uint8_t status, int64_t *v, uint8_t *st)
{
    *v = status == CL_BENEFITS_ELIGIBLE;
    *st = status == CL_BENEFITS_UNKNOWN_NEEDS_CONSENT  ? BN_CONSENT
          : status == CL_BENEFITS_UNKNOWN_MISSING_DATA ? BN_MISSING
                                                       : BN_KNOWN;
}

/* a call with arguments: the args on slots base.., the result into slot base */
/* the call for lane j whose arguments are known (f_eligible, f_spouse_eligible, or the
   builtin's own function) */
static void
call_one(struct bn_batch *t, const struct bn_ins *in, uint32_t base, const uint16_t *sel,
         uint32_t j)
{
    const struct bn_builtin *f = &bn_builtins[in->a];
    const struct cl_pop *p = t->pop;
    int64_t *v = t->sv[base];
    uint8_t *st = t->ss[base];

    if (t->kern[in->a] == K_ELIGIBLE) {
        uint32_t b = (uint32_t)v[j], s = sel[j];
        uint32_t g = t->hunit ? t->h0 + s : t->p0 + s;

        status_val(t->res->status[b][g], &v[j], &st[j]);
    } else if (t->kern[in->a] == K_SPOUSE_ELIGIBLE) {
        uint32_t b = (uint32_t)v[j];
        int32_t sp = p->p_spouse[subj_person(t, sel[j])];

        if (sp < 0 || t->r->ben[b]->unit != BN_UNIT_PERSON) {
            v[j] = 0;
            st[j] = BN_KNOWN;
        } else {
            status_val(t->res->status[b][sp], &v[j], &st[j]);
        }
    } else {
        struct bn_val a[3], out;
        int64_t key = v[j] / S;

        for (unsigned i = 0; i < f->arity; i++) {
            a[i].v = t->sv[base + i][j];
            a[i].st = BN_KNOWN;
            a[i].miss = 0;
        }
        out = a[0];
        ctx_household(t, subj_hh(t, sel[j]));
        t->c->person = subj_person(t, sel[j]);
        f->fn(t->c, a, &out);
        v[j] = out.v;
        st[j] = out.st;
        if (t->kern[in->a] == K_MEDIAN && key >= 1 && key < 128 && !t->c->param_hole &&
            out.st == BN_KNOWN) {
            t->med[key] = out.v; /* the same for every household of the pass */
            t->medok[key] = 1;
        }
    }
}

/* a call with arguments: the args on slots base.. (columns and states), the result into slot
   base */
static void
call_args(struct bn_batch *t, const struct bn_ins *in, uint32_t base, const uint16_t *sel,
          uint32_t n)
{
    const struct bn_builtin *f = &bn_builtins[in->a];
    int64_t *v = t->sv[base];
    uint8_t *st = t->ss[base];

    if (t->kern[in->a] == K_ELIGIBLE && f->arity == 1) { /* the status of another benefit */
        uint32_t g0 = t->hunit ? t->h0 : t->p0;

        for (uint32_t j = 0; j < n; j++)
            if (st[j] == BN_KNOWN)
                status_val(t->res->status[(uint32_t)v[j]][g0 + sel[j]], &v[j], &st[j]);
            else
                v[j] = 0; /* unknown argument: unknown result */
        return;
    }
    if (t->kern[in->a] == K_MEDIAN && f->arity == 1) { /* median(n) from the pass's cache */
        for (uint32_t j = 0; j < n; j++) {
            int64_t k = v[j] / S;

            if (st[j] != BN_KNOWN) {
                v[j] = 0; /* unknown argument: unknown result */
            } else if (v[j] >= S && k < 128 && t->medok[k]) {
                v[j] = t->med[k];
            } else {
                call_one(t, in, base, sel, j);
            }
        }
        return;
    }
    for (uint32_t j = 0; j < n; j++) {
        uint8_t w = st[j];

        for (unsigned i = 1; i < f->arity; i++)
            w = max8(w, t->ss[base + i][j]);
        if (w != BN_KNOWN) { /* unknown arguments: unknown result */
            st[j] = w;
            v[j] = 0;
            continue;
        }
        call_one(t, in, base, sel, j);
    }
}

static void vrun(struct bn_batch *t, const struct bn_code *code, uint32_t base, const uint16_t *sel,
                 uint32_t n);

/* ---- predicate programs: conditions over known facts as byte masks ---- */

/* the leaf column of an OP_FACT, and its scale (the fact's value is raw * scale), or L_NONE */
static uint8_t
pred_src(const struct bn_batch *t, const struct bn_ins *in, int64_t *scale)
{
    static const struct {
        uint8_t inl, src;
    } inl[] = {
        {BN_IF_AGE, L_AGE},
        {BN_IF_MONTH_INDEX, L_MI},
        {BN_IF_BIRTH_YEAR, L_BY},
        {BN_IF_IS_KOREAN, L_KR},
        {BN_IF_IS_HEAD, L_HEAD},
        {BN_IF_SEVERE, L_SEVERE},
        {BN_IF_HOUSEHOLD_SIZE, L_HSIZE},
    };
    static const struct {
        uint8_t kernel, src;
    } ker[] = {
        {K_BIRTH_DATE, L_BIRTH},      {K_RELATION, L_RELATION},
        {K_DISABLED, L_DISABLED},     {K_HAS_SPOUSE, L_HAS_SPOUSE},
        {K_TENURE, L_TENURE},         {K_KIND, L_KIND},
        {K_CA_AREA, L_CA_AREA},       {K_SINGLE_PARENT, L_SINGLE_PARENT},
        {K_ALL_KOREAN, L_ALL_KOREAN}, {K_HAS_STUDENT, L_HAS_STUDENT},
        {K_ENERGY_TRAIT, L_TRAIT},
    };

    if (in->k != BN_IF_NONE) {
        for (size_t i = 0; i < CL_ARRAY_LEN(inl); i++)
            if (in->k == inl[i].inl) {
                *scale = inl[i].src == L_AGE || inl[i].src == L_MI || inl[i].src == L_BY ||
                                 inl[i].src == L_HSIZE
                             ? S
                             : 1;
                return inl[i].src;
            }
        return L_NONE;
    }
    if (in->a >= MAX_FACTS || bn_builtins[in->a].arity != 0)
        return L_NONE;
    for (size_t i = 0; i < CL_ARRAY_LEN(ker); i++)
        if (t->kern[in->a] == ker[i].kernel) {
            *scale = 1;
            return ker[i].src;
        }
    return L_NONE;
}

/* raw * scale OP v (OP_LT..OP_NE) as lo <= raw <= hi, negated for OP_NE; exact */
static void
pred_range(uint8_t op, int64_t v, int64_t scale, struct pred_op *o)
{
    int64_t fl = floor_div(v, scale), ce = -floor_div(-v, scale), lo = 1, hi = 0;

    o->neg = 0;
    switch (op) {
    case OP_LT: /* raw * scale < v  <=>  raw < ceil(v / scale) */
        lo = INT64_MIN;
        hi = ce - 1;
        break;
    case OP_LE: /* raw <= floor(v / scale) */
        lo = INT64_MIN;
        hi = fl;
        break;
    case OP_GT: /* raw > floor(v / scale) */
        lo = fl + 1;
        hi = INT64_MAX;
        break;
    case OP_GE: /* raw >= ceil(v / scale) */
        lo = ce;
        hi = INT64_MAX;
        break;
    case OP_EQ:
    case OP_NE: /* equal only when scale divides v */
        if (fl == ce) {
            lo = fl;
            hi = fl;
        }
        o->neg = op == OP_NE;
        break;
    }
    if (lo > hi || lo > INT32_MAX || hi < INT32_MIN) { /* empty */
        o->lo = 1;
        o->hi = 0;
    } else {
        o->lo = lo < INT32_MIN ? INT32_MIN : (int32_t)lo;
        o->hi = hi > INT32_MAX ? INT32_MAX : (int32_t)hi;
    }
}

/* Compile a condition into a predicate program (pr->n = 0: it is not one). Parameters are
   read from the pass's resolved vector; a parameter without a row leaves it to vrun. */
static void
pred_compile(const struct bn_batch *t, const struct bn_code *code, struct pred *pr)
{
    enum { E_SCALAR, E_FACT, E_PROG };
    struct {
        uint8_t kind, src;
        int64_t v; /* E_SCALAR: value; E_FACT: scale */
    } st[PMAX];
    uint32_t sp = 0, n = 0;

    pr->n = 0;
#define EMIT_BOOL(E)                                                                               \
    do {                                                                                           \
        if ((E).kind == E_FACT) { /* a fact read as a boolean: raw != 0 */                         \
            if (n >= PMAX)                                                                         \
                return;                                                                            \
            pr->op[n] = (struct pred_op){P_LEAF, (E).src, 1, 0, 0, 0};                             \
            n++;                                                                                   \
            (E).kind = E_PROG;                                                                     \
        }                                                                                          \
        if ((E).kind != E_PROG)                                                                    \
            return;                                                                                \
    } while (0)
    for (uint32_t pc = 0; pc < code->n; pc++) {
        const struct bn_ins *in = &code->ins[pc];

        switch (in->op) {
        case OP_CONST:
        case OP_PARAM: {
            int64_t v = in->k;

            if (sp >= PMAX)
                return;
            if (in->op == OP_PARAM) {
                const struct bn_table *tb = t->r->tab[in->a];

                if (tb->nkeys == 0 || t->par->row[tb->slot] == NULL)
                    return;
                v = t->par->val[tb->slot];
            }
            st[sp].kind = E_SCALAR;
            st[sp].v = v;
            sp++;
            break;
        }
        case OP_FACT: {
            int64_t scale = 1;
            uint8_t src = pred_src(t, in, &scale);

            if (src == L_NONE || sp >= PMAX)
                return;
            st[sp].kind = E_FACT;
            st[sp].src = src;
            st[sp].v = scale;
            sp++;
            break;
        }
        case OP_LT:
        case OP_LE:
        case OP_GT:
        case OP_GE:
        case OP_EQ:
        case OP_NE: {
            uint8_t op = in->op;
            uint32_t f, c;

            if (sp < 2 || n >= PMAX)
                return;
            if (st[sp - 2].kind == E_FACT && st[sp - 1].kind == E_SCALAR) {
                f = sp - 2;
                c = sp - 1;
            } else if (st[sp - 2].kind == E_SCALAR && st[sp - 1].kind == E_FACT) {
                f = sp - 1; /* v OP fact: fact OP' v */
                c = sp - 2;
                op = op == OP_LT   ? OP_GT
                     : op == OP_LE ? OP_GE
                     : op == OP_GT ? OP_LT
                     : op == OP_GE ? OP_LE
                                   : op;
            } else {
                return;
            }
            pr->op[n].op = P_LEAF;
            pr->op[n].src = st[f].src;
            pred_range(op, st[c].v, st[f].v, &pr->op[n]);
            n++;
            sp--;
            st[sp - 1].kind = E_PROG;
            break;
        }
        case OP_AND:
        case OP_OR:
            if (sp < 2)
                return;
            EMIT_BOOL(st[sp - 2]);
            EMIT_BOOL(st[sp - 1]);
            if (n >= PMAX)
                return;
            pr->op[n++] = (struct pred_op){in->op == OP_AND ? P_AND : P_OR, 0, 0, 0, 0, 0};
            sp--;
            break;
        case OP_NOT:
            if (sp < 1)
                return;
            EMIT_BOOL(st[sp - 1]);
            if (n >= PMAX)
                return;
            pr->op[n++] = (struct pred_op){P_NOT, 0, 0, 0, 0, 0};
            break;
        case OP_ANDJ:
        case OP_ORJ:
            break; /* both sides are computed: no side effects to skip */
        default:
            return;
        }
    }
    if (sp != 1)
        return;
    EMIT_BOOL(st[0]);
#undef EMIT_BOOL
    pr->n = (uint8_t)n;
}

/* a leaf over every subject of the chunk: the range test on the raw column, read in place
   (restrict pointers and locals: byte stores may alias anything, so nothing is read through t) */
LANES static void
pred_leaf(struct bn_batch *t, const struct pred_op *o, uint32_t ns, uint8_t *restrict out)
{
    const struct cl_pop *p = t->pop;
    const uint32_t p0 = t->p0, h0 = t->h0;
    const int32_t *restrict head = p->hh_head + h0;
    const uint16_t *restrict hof = t->hof;
    uint8_t *restrict lt = t->lt;
    const uint32_t nh = t->h1 - t->h0, np = t->p1 - t->p0;
    const uint16_t *restrict pf = p->p_flags + p0;
    const uint8_t *restrict rel = p->p_relation + p0;
    const int16_t *restrict i16 = NULL;
    const int32_t *restrict i32 = NULL;
    const uint8_t *restrict u8 = NULL;
    uint16_t bit = 0;
    const int32_t lo = o->lo;
    const uint32_t span = (uint32_t)o->hi - (uint32_t)o->lo;
    const uint8_t neg = o->neg;
    const bool hunit = t->hunit, house = o->src >= L_HSIZE && o->src != L_BIRTH &&
                                         o->src != L_RELATION && o->src != L_DISABLED &&
                                         o->src != L_HAS_SPOUSE;

    if (o->lo > o->hi) { /* empty range */
        memset(out, neg, ns);
        return;
    }
    /* the same range clamped to the column's type, so that the lanes are as narrow as it (a
       range past the type's ends is empty, constant over the chunk) */
    const int32_t lo16 = lo < INT16_MIN ? INT16_MIN : lo,
                  hi16 = o->hi > INT16_MAX ? INT16_MAX : o->hi;
    const int32_t lo8 = lo < 0 ? 0 : lo, hi8 = o->hi > UINT8_MAX ? UINT8_MAX : o->hi;
    const uint16_t l16 = (uint16_t)lo16, span16 = (uint16_t)(hi16 - lo16);
    const uint8_t l8 = (uint8_t)lo8, span8 = (uint8_t)(hi8 - lo8);
#define TEST(X) ((uint8_t)(((uint32_t)((int32_t)(X)) - (uint32_t)lo <= span) ^ neg))
#define TEST16(X) ((uint8_t)(((uint16_t)((uint16_t)(X)-l16) <= span16) ^ neg))
#define TEST8(X) ((uint8_t)(((uint8_t)((uint8_t)(X)-l8) <= span8) ^ neg))
#define LOOP(EXPR) LOOPT(TEST, EXPR)
#define LOOPT(TEST, EXPR)                                                                          \
    do {                                                                                           \
        if (house ? hunit : !hunit) { /* subject j is row j */                                     \
            for (uint32_t j = 0; j < ns; j++) {                                                    \
                uint32_t k = j;                                                                    \
                out[j] = TEST(EXPR);                                                               \
            }                                                                                      \
        } else if (house) { /* a person's household: each household's test, then the bytes */      \
            for (uint32_t k = 0; k < nh; k++)                                                      \
                lt[k] = TEST(EXPR);                                                                \
            for (uint32_t j = 0; j < ns; j++)                                                      \
                out[j] = lt[hof[j]];                                                               \
        } else { /* a household's head: each person's test in lanes, then the heads' bytes */      \
            for (uint32_t k = 0; k < np; k++)                                                      \
                lt[k] = TEST(EXPR);                                                                \
            for (uint32_t j = 0; j < ns; j++)                                                      \
                out[j] = lt[(uint32_t)head[j] - p0];                                               \
        }                                                                                          \
    } while (0)
    switch (o->src) {
    case L_AGE:
        i16 = t->age;
        break;
    case L_MI:
        i16 = t->mi;
        break;
    case L_BY:
        i16 = t->by;
        break;
    case L_KR:
        bit = CL_POP_P_KR;
        break;
    case L_SEVERE:
        bit = CL_POP_P_SEVERE;
        break;
    case L_DISABLED:
        bit = CL_POP_P_DISABLED;
        break;
    case L_HEAD:
        if (lo8 > hi8)
            memset(out, neg, ns);
        else
            LOOPT(TEST8, rel[k] == CL_POP_REL_HEAD);
        return;
    case L_RELATION:
        u8 = rel;
        break;
    case L_BIRTH:
        i32 = p->p_birth + p0;
        break;
    case L_HAS_SPOUSE: {
        const int32_t *restrict sp = p->p_spouse + p0;

        if (lo8 > hi8)
            memset(out, neg, ns);
        else
            LOOPT(TEST8, sp[k] >= 0);
        return;
    }
    case L_HSIZE:
        u8 = t->hsz;
        break;
    case L_TENURE:
        u8 = p->hh_tenure + h0;
        break;
    case L_KIND:
        u8 = p->hh_kind + h0;
        break;
    case L_CA_AREA:
        u8 = p->hh_ca_area + h0;
        break;
    case L_SINGLE_PARENT: {
        const uint8_t *restrict hf = p->hh_flags + h0;

        if (lo8 > hi8)
            memset(out, neg, ns);
        else
            LOOPT(TEST8, (hf[k] & CL_POP_H_SINGLE_PARENT) != 0);
        return;
    }
    case L_ALL_KOREAN:
        chunk_households(t, K_ALL_KOREAN);
        u8 = t->allkr;
        break;
    case L_HAS_STUDENT:
        chunk_households(t, K_HAS_STUDENT);
        u8 = t->student;
        break;
    default: /* L_TRAIT */
        chunk_households(t, K_ENERGY_TRAIT);
        u8 = t->trait;
        break;
    }
    if (i16 != NULL && (lo16 > hi16))
        memset(out, neg, ns); /* no int16 in the range */
    else if (i16 != NULL)
        LOOPT(TEST16, i16[k]);
    else if (i32 != NULL)
        LOOP(i32[k]);
    else if (lo8 > hi8)
        memset(out, neg, ns); /* no byte (nor 0/1) in the range */
    else if (u8 != NULL)
        LOOPT(TEST8, u8[k]);
    else
        LOOPT(TEST8, (pf[k] & bit) != 0);
#undef LOOPT
#undef LOOP
#undef TEST8
#undef TEST16
#undef TEST
}

/* a leaf and the unit it runs on: the same outcome on every chunk */
static bool
leaf_same(const struct pred_op *a, bool ua, const struct pred_op *b, bool ub)
{
    return ua == ub && a->src == b->src && a->lo == b->lo && a->hi == b->hi && a->neg == b->neg;
}

/* give the leaves that more than one condition tests (on the same unit) a row of the chunk's
   leaf cache, in the order they are first met, while rows are left */
static void
pred_share(struct bn_batch *t)
{
    const struct cl_benefits_rules *r = t->r;
    uint32_t nb = r->nben < BN_MAX_BENEFITS ? r->nben : BN_MAX_BENEFITS, used = 0;

    for (uint32_t bi = 0; bi < nb; bi++) {
        uint32_t nc = r->ben[bi]->nconds < BN_MAX_CONDS ? r->ben[bi]->nconds : BN_MAX_CONDS;
        bool ub = r->ben[bi]->unit != BN_UNIT_PERSON;

        for (uint32_t i = 0; i < nc; i++)
            for (uint32_t q = 0; q < t->pred[bi][i].n; q++) {
                struct pred_op *o = &t->pred[bi][i].op[q];
                uint32_t uses = 0;

                if (o->op != P_LEAF || o->slot != 0)
                    continue;
                for (uint32_t bj = bi; bj < nb; bj++) /* this leaf and those after it */
                    for (uint32_t j = 0; j < BN_MAX_CONDS && j < r->ben[bj]->nconds; j++)
                        for (uint32_t w = 0; w < t->pred[bj][j].n; w++) {
                            const struct pred_op *x = &t->pred[bj][j].op[w];

                            uses += x->op == P_LEAF &&
                                    leaf_same(o, ub, x, r->ben[bj]->unit != BN_UNIT_PERSON);
                        }
                if (uses < 2 || used >= LCACHE)
                    continue;
                used++;
                for (uint32_t bj = bi; bj < nb; bj++)
                    for (uint32_t j = 0; j < BN_MAX_CONDS && j < r->ben[bj]->nconds; j++)
                        for (uint32_t w = 0; w < t->pred[bj][j].n; w++) {
                            struct pred_op *x = &t->pred[bj][j].op[w];

                            if (x->op == P_LEAF &&
                                leaf_same(o, ub, x, r->ben[bj]->unit != BN_UNIT_PERSON))
                                x->slot = (uint8_t)used;
                        }
            }
    }
}

/*
 * Consecutive conditions that are all predicate programs are also run as one: their conjunction
 * is exactly the outcome of the run (no unknowns), so one pass over the chunk and one selection
 * replace a pass and a filter per condition. pred[bi][i] becomes the conjunction of conditions
 * i .. i + pspan[bi][i] - 1; those after i keep their own programs for the selections too small
 * to run a program over every subject (run_benefit then takes them one by one). After pred_share,
 * so that a leaf copied into a conjunction does not count as a second use.
 */
static void
pred_merge(struct bn_batch *t)
{
    const struct cl_benefits_rules *r = t->r;

    for (uint32_t bi = 0; bi < r->nben && bi < BN_MAX_BENEFITS; bi++) {
        uint32_t nc = r->ben[bi]->nconds < BN_MAX_CONDS ? r->ben[bi]->nconds : BN_MAX_CONDS;

        for (uint32_t i = 0; i < nc; i++) {
            struct pred *pr = &t->pred[bi][i];

            t->pspan[bi][i] = 1;
            if (pr->n == 0)
                continue;
            for (uint32_t j = i + 1; j < nc && t->pred[bi][j].n > 0; j++) {
                const struct pred *q = &t->pred[bi][j];

                if (pr->n + q->n + 1 > PMAX)
                    break;
                memcpy(&pr->op[pr->n], q->op, q->n * sizeof *q->op);
                pr->n = (uint8_t)(pr->n + q->n);
                pr->op[pr->n++] = (struct pred_op){P_AND, 0, 0, 0, 0, 0};
                t->pspan[bi][i]++;
            }
        }
    }
}

/* run a predicate program over the ns subjects of the chunk: a byte 0/1 per subject */
LANES static const uint8_t *
pred_run(struct bn_batch *t, const struct pred *pr, uint32_t ns)
{
    uint32_t sp = 0;

    for (uint32_t i = 0; i < pr->n; i++) {
        const struct pred_op *o = &pr->op[i];
        uint8_t *a;
        const uint8_t *b;

        if (o->op == P_LEAF && o->slot != 0) { /* shared with other conditions: once a chunk */
            uint32_t bit = 1u << (o->slot - 1);

            if (!(t->lvalid & bit)) {
                pred_leaf(t, o, ns, t->lc[o->slot - 1]);
                t->lvalid |= bit;
            }
            memcpy(t->pb[sp++], t->lc[o->slot - 1], ns);
        } else if (o->op == P_LEAF) {
            pred_leaf(t, o, ns, t->pb[sp++]);
        } else if (o->op == P_NOT) {
            a = t->pb[sp - 1];
            for (uint32_t j = 0; j < ns; j++)
                a[j] ^= 1;
        } else {
            a = t->pb[sp - 2];
            b = t->pb[sp - 1];
            if (o->op == P_AND)
                for (uint32_t j = 0; j < ns; j++)
                    a[j] &= b[j];
            else
                for (uint32_t j = 0; j < ns; j++)
                    a[j] |= b[j];
            sp--;
        }
    }
    return t->pb[0];
}

/* the indexes of the subjects whose byte is 1, in order, into sel; their count */
static uint32_t
mask_select(const struct bn_batch *t, const uint8_t *r, uint32_t ns, uint16_t *sel)
{
    uint32_t m = 0;

#if defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight subjects a step, without a branch on the bytes: their eight 0/1 bytes gathered into
       one bit each by a multiply (the partial products land on distinct bits), the positions of
       the set bits from a table, stored as eight indexes of which the first popcount stay */
    for (uint32_t j = 0; j < ns; j += 8) {
        uint64_t w;
        uint32_t bits;

        memcpy(&w, r + j, 8); /* rows are BB bytes, a multiple of 8 */
        if (ns - j < 8)
            w &= ((uint64_t)1 << ((ns - j) * 8)) - 1;
        bits = (uint32_t)((w * 0x0102040810204080ull) >> 56);
        _mm_storeu_si128((__m128i *)(void *)(sel + m),
                         _mm_add_epi16(_mm_load_si128((const __m128i *)(const void *)t->selpos[bits]),
                                       _mm_set1_epi16((short)j)));
        m += (uint32_t)__builtin_popcount(bits);
    }
#else
    (void)t;
    for (uint32_t j = 0; j < ns; j++) {
        sel[m] = (uint16_t)j;
        m += r[j];
    }
#endif
    return m;
}

/* 64 bits when the product fits: a 128-bit division is a library call (eval.c) */
static inline int64_t
mul_scaled(int64_t x, int64_t y)
{
    int64_t prod;

    return __builtin_mul_overflow(x, y, &prod) ? sat128((bn_wide)x * y / S) : prod / S;
}

/*
 * Stack slots: a scalar (sk: one known value for every lane, sc), or columns sv/ss; ak says
 * every lane is known (ss then need not be read). Scalar and all-known slots run loops without
 * states, which the compiler vectorizes.
 */
static void
mat(struct bn_batch *t, uint32_t i, uint32_t n)
{
    if (t->sk[i]) {
        for (uint32_t j = 0; j < n; j++)
            t->sv[i][j] = t->sc[i];
        t->sk[i] = 0;
        t->ak[i] = 1;
    }
}

static uint8_t *
states(struct bn_batch *t, uint32_t i, uint32_t n)
{
    mat(t, i, n);
    if (t->ak[i])
        memset(t->ss[i], BN_KNOWN, n);
    return t->ss[i];
}

static void
scalar(struct bn_batch *t, uint32_t i, int64_t v)
{
    t->sk[i] = 1;
    t->ak[i] = 1;
    t->sc[i] = v;
}

/* after a fill of ss: whether every lane is known */
static void
settle(struct bn_batch *t, uint32_t i, uint32_t n)
{
    uint8_t any = 0;

    for (uint32_t j = 0; j < n; j++)
        any |= t->ss[i][j];
    t->sk[i] = 0;
    t->ak[i] = any == 0;
}

/* unary op on the top slot: unknown lanes keep their value */
#define UNOP(EXPR)                                                                                 \
    do {                                                                                           \
        uint32_t i_ = sp - 1;                                                                      \
        int64_t *v_ = t->sv[i_];                                                                   \
        if (t->sk[i_]) {                                                                           \
            int64_t x = t->sc[i_];                                                                 \
            t->sc[i_] = (EXPR);                                                                    \
        } else if (t->ak[i_]) {                                                                    \
            for (uint32_t j = 0; j < n; j++) {                                                     \
                int64_t x = v_[j];                                                                 \
                v_[j] = (EXPR);                                                                    \
            }                                                                                      \
        } else {                                                                                   \
            const uint8_t *s_ = t->ss[i_];                                                         \
            for (uint32_t j = 0; j < n; j++) {                                                     \
                int64_t x = v_[j];                                                                 \
                v_[j] = s_[j] == BN_KNOWN ? (EXPR) : x;                                            \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* binary op on the two top slots: known when both are, else the worse state (value 0) */
#define BINOP(EXPR)                                                                                \
    do {                                                                                           \
        uint32_t a_ = sp - 2, b_ = sp - 1;                                                         \
        int64_t *av_ = t->sv[a_];                                                                  \
        const int64_t *bv_ = t->sv[b_];                                                            \
        sp--;                                                                                      \
        if (t->sk[a_] && t->sk[b_]) {                                                              \
            int64_t x = t->sc[a_], y = t->sc[b_];                                                  \
            t->sc[a_] = (EXPR);                                                                    \
            break;                                                                                 \
        }                                                                                          \
        if (t->sk[b_] && t->ak[a_]) {                                                              \
            const int64_t y = t->sc[b_];                                                           \
            for (uint32_t j = 0; j < n; j++) {                                                     \
                int64_t x = av_[j];                                                                \
                av_[j] = (EXPR);                                                                   \
            }                                                                                      \
            break;                                                                                 \
        }                                                                                          \
        mat(t, a_, n);                                                                             \
        mat(t, b_, n);                                                                             \
        if (t->ak[a_] && t->ak[b_]) {                                                              \
            for (uint32_t j = 0; j < n; j++) {                                                     \
                int64_t x = av_[j], y = bv_[j];                                                    \
                av_[j] = (EXPR);                                                                   \
            }                                                                                      \
            break;                                                                                 \
        }                                                                                          \
        {                                                                                          \
            uint8_t *as_ = states(t, a_, n);                                                       \
            const uint8_t *bs_ = states(t, b_, n);                                                 \
            for (uint32_t j = 0; j < n; j++) {                                                     \
                int64_t x = av_[j], y = bv_[j];                                                    \
                uint8_t w = max8(as_[j], bs_[j]);                                                  \
                int64_t r_ = (EXPR);                                                               \
                av_[j] = pick64(w == BN_KNOWN, r_, 0);                                             \
                as_[j] = w;                                                                        \
            }                                                                                      \
            t->ak[a_] = 0;                                                                         \
        }                                                                                          \
    } while (0)

/*
 * round_half_up(median(household_size) * param.x), the income threshold of 4.1 and 4.7: the
 * five ops FACT household_size, FACT median, PARAM, MUL, ROUND give the same value to every
 * household of a size, so it is computed once per size, from the pass's median cache, with the
 * ops' own formulas. false (nothing decided): not that sequence, or a size not in the cache
 * yet; the ops then run one by one.
 */
static bool
median_rate(struct bn_batch *t, const struct bn_code *code, uint32_t pc, uint32_t sp,
            const uint16_t *sel, uint32_t n)
{
    const struct bn_ins *in = &code->ins[pc];
    const struct bn_table *tb;
    int64_t *v = t->sv[sp], rate, thr[BN_MAX_MEMBERS + 1];
    uint8_t have[BN_MAX_MEMBERS + 1];

    if (pc + 4 >= code->n || sp + 3 >= VSTACK || in[0].k != BN_IF_HOUSEHOLD_SIZE ||
        in[1].op != OP_FACT || in[1].k != BN_IF_NONE || t->kern[in[1].a] != K_MEDIAN ||
        bn_builtins[in[1].a].arity != 1 || in[2].op != OP_PARAM || in[3].op != OP_MUL ||
        in[4].op != OP_ROUND)
        return false;
    tb = t->r->tab[in[2].a];
    if (tb->nkeys == 0 || t->par->row[tb->slot] == NULL)
        return false;
    rate = t->par->val[tb->slot];
    memset(have, 0, sizeof have);
    for (uint32_t j = 0; j < n; j++) { /* chunks hold households of at most 64 members */
        uint32_t size = t->hsz[subj_hh(t, sel[j])];

        if (!have[size]) {
            if (size < 1 || !t->medok[size])
                return false;
            thr[size] = floor_div(mul_scaled(t->med[size], rate) + S / 2, S) * S;
            have[size] = 1;
        }
        v[j] = thr[size];
    }
    t->sk[sp] = 0;
    t->ak[sp] = 1;
    return true;
}

/* Run code over the n subjects of sel; the result lands in slot base as columns. */
LANES static void
vrun(struct bn_batch *t, const struct bn_code *code, uint32_t base, const uint16_t *sel, uint32_t n)
{
    uint32_t sp = base;

    for (uint32_t pc = 0; pc < code->n; pc++) {
        const struct bn_ins *in = &code->ins[pc];

        if (sp + 2 >= VSTACK) { /* deeper than the batch stack: the scalar machine */
            hole(t);
            return;
        }
        switch (in->op) {
        case OP_CONST:
            scalar(t, sp++, in->k);
            break;
        case OP_FACT: {
            const struct bn_builtin *f = &bn_builtins[in->a];

            if (in->k == BN_IF_HOUSEHOLD_SIZE && median_rate(t, code, pc, sp, sel, n)) {
                sp++;
                pc += 4;
            } else if (in->k != BN_IF_NONE || f->arity == 0) {
                if (load_fact(t, in, sel, n, t->sv[sp], t->ss[sp])) {
                    t->sk[sp] = 0;
                    t->ak[sp] = 1;
                } else {
                    settle(t, sp, n);
                }
                sp++;
            } else if (t->kern[in->a] == K_ELIGIBLE && f->arity == 1 && t->sk[sp - 1] &&
                       (uint64_t)t->sc[sp - 1] < t->r->nben) {
                /* eligible(b) of a known benefit b: its status for each subject (f_eligible) */
                static const uint8_t sv_of[256] = {[CL_BENEFITS_ELIGIBLE] = 1};
                static const uint8_t st_of[256] = {[CL_BENEFITS_UNKNOWN_NEEDS_CONSENT] = BN_CONSENT,
                                                   [CL_BENEFITS_UNKNOWN_MISSING_DATA] = BN_MISSING};
                const uint8_t *bst = t->res->status[t->sc[sp - 1]] + (t->hunit ? t->h0 : t->p0);
                int64_t *v = t->sv[sp - 1];
                uint8_t *st = t->ss[sp - 1], any = 0;

                for (uint32_t j = 0; j < n; j++) {
                    uint8_t x = bst[sel[j]];

                    v[j] = sv_of[x];
                    st[j] = st_of[x];
                    any |= st_of[x];
                }
                t->sk[sp - 1] = 0;
                t->ak[sp - 1] = any == 0;
            } else {
                sp -= f->arity;
                for (unsigned i = 0; i < f->arity; i++)
                    states(t, sp + i, n);
                call_args(t, in, sp, sel, n);
                settle(t, sp, n);
                sp++;
            }
            break;
        }
        case OP_PARAM:
        case OP_PARAMK: {
            const struct bn_table *tb = t->r->tab[in->a];
            uint32_t i = sp - 1;
            int64_t *v;
            const uint8_t *st;

            if (in->op == OP_PARAM) {
                if (tb->nkeys == 0 || t->par->row[tb->slot] == NULL) {
                    hole(t);
                    return;
                }
                scalar(t, sp++, t->par->val[tb->slot]);
                break;
            }
            if (tb->nkeys == 0) { /* no keys at all: the scalar machine says why */
                hole(t);
                return;
            }
            mat(t, i, n);
            v = t->sv[i];
            st = t->ak[i] ? NULL : t->ss[i];
            {
                const int64_t *val = t->par->val + tb->slot, maxkey = tb->maxkey;
                const struct bn_row *const *row = t->par->row + tb->slot;
                const uint64_t nkeys = tb->nkeys;
                const bool ints = tb->keydomain == BD_NONE;
                bool bad = false;

                /* without a branch on the keys: a key out of the table or without a row for
                   the date (a hole) is noted and read as the first key meanwhile */
                for (uint32_t j = 0; j < n; j++) {
                    const bool known = st == NULL || st[j] == BN_KNOWN;
                    int64_t key = ints ? v[j] / S : v[j], x;
                    bool out;

                    key = ints && key > maxkey ? maxkey : key; /* the last row holds beyond */
                    out = (uint64_t)key >= nkeys; /* a negative key wraps above */
                    key = out ? 0 : key;
                    bad |= known & (out | (row[key] == NULL));
                    x = val[key]; /* read whatever the state (key is in the table) */
                    v[j] = pick64(known, x, v[j]);
                }
                if (bad) {
                    hole(t);
                    return;
                }
            }
            break;
        }
        case OP_ANDJ:
        case OP_ORJ:
            break; /* no short circuit: both sides are computed, OP_AND / OP_OR decide */
        case OP_LET: {
            uint32_t a = in->a;

            if (!(t->let_done & (1u << a))) {
                /* computed over the current selection; later selections are subsets */
                vrun(t, &t->r->ben[t->bi]->lets[a].code, sp, sel, n);
                if (t->hole)
                    return;
                states(t, sp, n);
                for (uint32_t j = 0; j < n; j++) {
                    t->letv[a][sel[j]] = t->sv[sp][j];
                    t->lets[a][sel[j]] = t->ss[sp][j];
                }
                t->let_done |= 1u << a;
                settle(t, sp, n); /* this selection's values are in the slot already */
                sp++;
                break;
            }
            for (uint32_t j = 0; j < n; j++) {
                t->sv[sp][j] = t->letv[a][sel[j]];
                t->ss[sp][j] = t->lets[a][sel[j]];
            }
            settle(t, sp, n);
            sp++;
            break;
        }
        case OP_NEG:
            UNOP(-x);
            break;
        case OP_NOT:
            UNOP(!x);
            break;
        case OP_ROUND: /* round half up to the won */
            UNOP(floor_div(x + S / 2, S) * S);
            break;
        case OP_FLOOR:
            UNOP(floor_div(x, S) * S);
            break;
        case OP_DIVK: {
            const int64_t k = in->k; /* exact: the compiler checked the denominator */

            UNOP(x / k);
            break;
        }
        case OP_AND:
        case OP_OR: {
            const int64_t dec = in->op == OP_AND ? 0 : 1; /* the value that decides */
            uint32_t a = sp - 2, b = sp - 1;
            int64_t *av = t->sv[a], *bv = t->sv[b];
            uint8_t *as, *bs;

            sp--;
            if (t->sk[a] && t->sk[b]) {
                t->sc[a] = (t->sc[a] == dec || t->sc[b] == dec) ? dec : !dec;
                break;
            }
            mat(t, a, n);
            mat(t, b, n);
            if (t->ak[a] && t->ak[b]) {
                for (uint32_t j = 0; j < n; j++)
                    av[j] = (av[j] == dec || bv[j] == dec) ? dec : !dec;
                break;
            }
            as = states(t, a, n);
            bs = states(t, b, n);
            for (uint32_t j = 0; j < n; j++) {
                /* & and | rather than && and ||: the states are data, no branch on them */
                bool da = (as[j] == BN_KNOWN) & (av[j] == dec);
                bool db = (bs[j] == BN_KNOWN) & (bv[j] == dec);
                uint8_t w = max8(as[j], bs[j]);

                /* a known false (and) / known true (or) decides, whatever else is unknown */
                as[j] = (da | db) ? BN_KNOWN : w;
                av[j] = (da | db) ? dec : (w == BN_KNOWN ? !dec : 0);
            }
            settle(t, a, n);
            break;
        }
        case OP_IF: {
            uint32_t c = sp - 3, a = sp - 2, b = sp - 1;
            int64_t *cv = t->sv[c], *av = t->sv[a], *bv = t->sv[b];
            uint8_t *cs, *as, *bs;

            sp -= 2;
            if (t->sk[c]) { /* one branch for every lane */
                if (!t->sc[c]) {
                    a = b;
                }
                t->sk[c] = t->sk[a];
                t->ak[c] = t->ak[a];
                t->sc[c] = t->sc[a];
                if (!t->sk[a]) {
                    memcpy(cv, t->sv[a], n * sizeof *cv);
                    memcpy(t->ss[c], t->ss[a], n);
                }
                break;
            }
            mat(t, a, n);
            mat(t, b, n);
            if (t->ak[c] && t->ak[a] && t->ak[b]) { /* selects in lanes: the test is data */
                for (uint32_t j = 0; j < n; j++)
                    cv[j] = cv[j] ? av[j] : bv[j];
                t->ak[c] = 1;
                break;
            }
            cs = states(t, c, n);
            as = states(t, a, n);
            bs = states(t, b, n);
            for (uint32_t j = 0; j < n; j++) { /* an unknown test stays; no branch on it */
                const bool k = cs[j] == BN_KNOWN, ta = cv[j] != 0;

                cv[j] = pick64(k, pick64(ta, av[j], bv[j]), cv[j]);
                cs[j] = pick8(k, pick8(ta, as[j], bs[j]), cs[j]);
            }
            settle(t, c, n);
            break;
        }
        case OP_ADD:
            BINOP(sat128((bn_wide)x + y));
            break;
        case OP_SUB:
            BINOP(sat128((bn_wide)x - y));
            break;
        case OP_MUL:
            BINOP(mul_scaled(x, y));
            break;
        case OP_LT:
            BINOP(x < y);
            break;
        case OP_LE:
            BINOP(x <= y);
            break;
        case OP_GT:
            BINOP(x > y);
            break;
        case OP_GE:
            BINOP(x >= y);
            break;
        case OP_EQ:
            BINOP(x == y);
            break;
        case OP_NE:
            BINOP(x != y);
            break;
        case OP_MIN:
            BINOP(x < y ? x : y);
            break;
        case OP_MAX:
            BINOP(x > y ? x : y);
            break;
        default: /* an op this machine does not know: the scalar machine */
            hole(t);
            return;
        }
    }
    if (sp != base + 1) { /* the compiler leaves one value; anything else: the scalar machine */
        hole(t);
        return;
    }
    mat(t, base, n); /* columns; states valid unless ak[base] (states() makes them) */
}

static int32_t
clamp32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* one benefit over the chunk's subjects */
LANES static void
run_benefit(struct bn_batch *t, uint32_t bi)
{
    const struct bn_benefit *b = t->r->ben[bi];
    uint32_t ns, n;
    uint32_t g0;
    bool ident;  /* sel is 0, 1, .. ns - 1 */
    bool filled; /* sel holds it (else only ident says so: the first program writes it anyway) */
    uint8_t *status;
    int32_t *amount;

    t->bi = bi;
    t->hunit = b->unit != BN_UNIT_PERSON;
    t->let_done = 0;
    ns = t->hunit ? t->h1 - t->h0 : t->p1 - t->p0;
    g0 = t->hunit ? t->h0 : t->p0;
    status = t->res->status[bi] + g0;
    amount = t->res->amount[bi] != NULL ? t->res->amount[bi] + g0 : NULL;
    memset(t->worst, BN_KNOWN, ns);
    n = ns;
    ident = true;
    filled = false;
    /* conditions in order over the subjects not yet known to fail */
    for (uint32_t i = 0; i < b->nconds && n > 0; i++) {
        const int64_t *v = t->sv[0];
        const uint8_t *st = t->ss[0];
        const struct pred *pr = &t->pred[bi][i];
        uint32_t m = 0;

        if (pr->n > 0 && (ident || n * 4 >= ns)) { /* known facts: byte masks, every subject */
            const uint8_t *ok = pred_run(t, pr, ns);
            uint16_t *sl = t->sel;

            if (ident) {
                m = mask_select(t, ok, ns, sl);
                ident = m == ns;
                filled = true;
            } else {
#pragma GCC unroll 4
                for (uint32_t j = 0; j < n; j++) {
                    sl[m] = sl[j];
                    m += ok[sl[j]];
                }
            }
            n = m;
            i += t->pspan[bi][i] - 1u; /* the conditions it stands for */
            continue;
        }
        if (!filled) {
            memcpy(t->sel, t->iota, ns * sizeof *t->sel);
            filled = true;
        }
        vrun(t, &b->conds[i].code, 0, t->sel, n);
        if (t->hole)
            return;
        if (t->ak[0]) { /* every lane known: only the failures leave */
            uint16_t *sl = t->sel;

#pragma GCC unroll 4
            for (uint32_t j = 0; j < n; j++) {
                sl[m] = sl[j];
                m += v[j] != 0;
            }
            ident = ident && m == n;
            n = m;
            continue;
        }
#pragma GCC unroll 4
        for (uint32_t j = 0; j < n; j++) {
            uint16_t s = t->sel[j];

            t->worst[s] = max8(t->worst[s], st[j]);
            t->sel[m] = s;
            /* fails when known (state 0) and false (value 0): no branch on the state */
            m += ((uint64_t)v[j] | st[j]) != 0;
        }
        ident = ident && m == n;
        n = m;
    }
    static const uint8_t status_of[3] = {
        [BN_KNOWN] = CL_BENEFITS_ELIGIBLE,
        [BN_MISSING] = CL_BENEFITS_UNKNOWN_MISSING_DATA,
        [BN_CONSENT] = CL_BENEFITS_UNKNOWN_NEEDS_CONSENT,
    };

    if (!filled) /* no condition ran */
        memcpy(t->sel, t->iota, ns * sizeof *t->sel);
    memset(status, CL_BENEFITS_NOT_ELIGIBLE, ns);
    if (amount != NULL)
        memset(amount, 0, ns * sizeof *amount);
    {
        uint32_t m = 0;

        for (uint32_t j = 0; j < n; j++) {
            uint16_t s = t->sel[j];
            uint8_t w = t->worst[s];

            status[s] = status_of[w];
            t->sel2[m] = s;
            m += w == BN_KNOWN;
        }
        n = m;
    }
    if (amount == NULL || b->amount.n == 0 || n == 0)
        return;
    t->let_done = 0;
    vrun(t, &b->amount, 0, t->sel2, n);
    if (t->hole)
        return;
    states(t, 0, n);
    for (uint32_t j = 0; j < n; j++)
        amount[t->sel2[j]] = t->ss[0][j] == BN_KNOWN ? clamp32(t->sv[0][j] / S) : 0;
}

/* each person's chunk-local household and each household's size, in lanes (from the person's
   household index rather than a loop over each household's members: sizes vary, so that loop's
   exit branch mispredicts) */
LANES static void
chunk_index(struct bn_batch *t)
{
    const int32_t *restrict phh = t->pop->p_hh + t->p0, *restrict first = t->pop->hh_first + t->h0;
    uint32_t nh = t->h1 - t->h0, np = t->p1 - t->p0;
    const int32_t h0 = (int32_t)t->h0;

    for (uint32_t k = 0; k < np; k++)
        t->hof[k] = (uint16_t)(phh[k] - h0);
    for (uint32_t hl = 0; hl < nh; hl++)
        t->hsz[hl] = (uint8_t)(first[hl + 1] - first[hl]);
}

/* age, month index and birth year of every person of the chunk (agetab_get for each): when
   every birth date is in the table, the lookups run without a range test per person */
LANES static void
chunk_ages(struct bn_batch *t)
{
    const struct bn_agetab *at = t->ages;
    const int32_t *restrict birth = t->pop->p_birth + t->p0;
    uint32_t np = t->p1 - t->p0, out = 0;
    int16_t *restrict age = t->age, *restrict mi = t->mi, *restrict by = t->by;

    if (at != NULL) { /* unsigned: a date before lo wraps above AGE_SPAN */
        const uint32_t lo = (uint32_t)at->lo;

        for (uint32_t k = 0; k < np; k++)
            out |= (uint32_t)birth[k] - lo >= AGE_SPAN;
        if (out == 0) {
            const int16_t *restrict ta = at->age, *restrict tm = at->mi, *restrict tb = at->by;

            for (uint32_t k = 0; k < np; k++) {
                uint32_t d = (uint32_t)birth[k] - lo;

                age[k] = ta[d];
                mi[k] = tm[d];
                by[k] = tb[d];
            }
            return;
        }
    }
    for (uint32_t k = 0; k < np; k++)
        agetab_get(at, birth[k], t->c->at, &age[k], &mi[k], &by[k]);
}

struct bn_batch *
bn_batch_new(const struct cl_benefits_rules *r, const struct cl_pop *pop,
             const struct bn_params *par, const struct bn_agetab *ages, struct bn_ctx *c,
             struct cl_benefits_results *res)
{
    struct bn_batch *t = cl_calloc(1, sizeof *t);

    if (t == NULL)
        return NULL;
    t->r = r;
    t->pop = pop;
    t->par = par;
    t->ages = ages;
    t->c = c;
    t->res = res;
    for (size_t f = 0; f < bn_nbuiltins && f < MAX_FACTS; f++)
        t->kern[f] = kernel_of(f);
    for (uint32_t bi = 0; bi < r->nben && bi < BN_MAX_BENEFITS; bi++)
        for (uint32_t i = 0; i < r->ben[bi]->nconds && i < BN_MAX_CONDS; i++)
            pred_compile(t, &r->ben[bi]->conds[i].code, &t->pred[bi][i]);
    pred_share(t);
    pred_merge(t);
    for (uint32_t k = 0; k < BB; k++)
        t->iota[k] = (uint16_t)k;
    for (uint32_t bits = 0; bits < 256; bits++)
        for (uint32_t b = 0, k = 0; b < 8; b++)
            if (bits & (1u << b))
                t->selpos[bits][k++] = (uint16_t)b;
    return t;
}

void
bn_batch_free(struct bn_batch *t)
{
    cl_free(t);
}

/* Can the batch machine run these rules? (else the pass is the scalar machine's) */
bool
bn_batch_supported(const struct cl_benefits_rules *r)
{
    if (bn_nbuiltins > MAX_FACTS)
        return false;
    for (uint32_t bi = 0; bi < r->nben; bi++) {
        const struct bn_benefit *b = r->ben[bi];
        const struct bn_code *codes[BN_MAX_CONDS + BN_MAX_LETS + 1];
        uint32_t nc = 0;

        for (uint32_t i = 0; i < b->nconds; i++)
            codes[nc++] = &b->conds[i].code;
        for (uint32_t i = 0; i < b->nlets; i++)
            codes[nc++] = &b->lets[i].code;
        codes[nc++] = &b->amount;
        for (uint32_t i = 0; i < nc; i++)
            for (uint32_t pc = 0; pc < codes[i]->n; pc++) {
                const struct bn_ins *in = &codes[i]->ins[pc];
                uint8_t k;

                if (in->op != OP_FACT)
                    continue;
                k = kernel_of(in->a);
                if (k == K_ELIGIBLE) {
                    /* eligible(x) reads x's status for the same subject: same unit kind */
                    const struct bn_ins *arg = pc > 0 ? &codes[i]->ins[pc - 1] : NULL;

                    if (arg == NULL || arg->op != OP_CONST || (uint64_t)arg->k >= r->nben ||
                        (r->ben[arg->k]->unit == BN_UNIT_PERSON) != (b->unit == BN_UNIT_PERSON))
                        return false;
                }
            }
    }
    return true;
}

/*
 * Households [from, to) in chunks; on return *scalar_from.. lists nothing: chunks the batch
 * machine cannot take are run by the scalar machine through run_scalar.
 */
void
bn_batch_run(struct bn_batch *t, size_t from, size_t to,
             void (*run_scalar)(void *arg, size_t h0, size_t h1), void *arg)
{
    const struct cl_pop *p = t->pop;
    size_t h = from;

    while (h < to) {
        size_t h1 = h, persons = 0;
        bool saved;

        while (h1 < to) {
            size_t sz = (size_t)(p->hh_first[h1 + 1] - p->hh_first[h1]);

            if (sz > BN_MAX_MEMBERS || persons + sz > BB)
                break;
            persons += sz;
            h1++;
        }
        if (h1 == h) { /* one household too large for a chunk: the scalar machine */
            run_scalar(arg, h, h + 1);
            h++;
            continue;
        }
        t->h0 = (uint32_t)h;
        t->h1 = (uint32_t)h1;
        t->p0 = (uint32_t)p->hh_first[h];
        t->p1 = (uint32_t)p->hh_first[h1];
        t->ctx_h = UINT32_MAX;
        t->hole = false;
        saved = t->c->param_hole;
        t->c->param_hole = false;
        chunk_index(t);
        chunk_ages(t);
        t->cdone = 0;
        t->lvalid = 0;
        for (size_t f = 0; f < bn_nbuiltins; f++)
            if (t->kern[f] == K_HH)
                memset(t->hdone[f], 0, h1 - h);
        for (uint32_t o = 0; o < t->r->nben && !t->hole; o++)
            run_benefit(t, t->r->order[o]);
        t->hole = t->hole || t->c->param_hole;
        t->c->param_hole = saved;
        if (t->hole) /* a parameter hole (or a shape the batch does not take): exact fallback */
            run_scalar(arg, h, h1);
        h = h1;
    }
}
