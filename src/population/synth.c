/*
 * synth.c - a deterministic synthetic Korean population in the feed of welfare-2026.md §1:
 * integer-only randomness (splitmix64, fixed-point exp) so that one seed gives the same bytes
 * on every machine. Distributions and their sources: docs/population.md.
 */
#include <stdio.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/time.h"
#include "population/pop_int.h"

#include "base/banned.h"

/* ---- randomness without floating point ---- */

struct rng {
    uint64_t s;
};

static uint64_t
next64(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u); /* splitmix64 (Steele, Lea, Flood 2014) */

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is below 2^-32 for our n). */
static uint32_t
below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((next64(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability per_mille / 1000. */
static bool
chance(struct rng *r, unsigned per_mille)
{
    return below(r, 1000) < per_mille;
}

static int
range(struct rng *r, int lo, int hi) /* inclusive */
{
    return lo + (int)below(r, (uint32_t)(hi - lo + 1));
}

/* Index drawn from weights (any scale). */
static unsigned
pick(struct rng *r, const uint16_t *w, unsigned n)
{
    uint32_t total = 0, x;

    for (unsigned k = 0; k < n; k++)
        total += w[k];
    x = below(r, total);
    for (unsigned k = 0; k < n; k++) {
        if (x < w[k])
            return k;
        x -= w[k];
    }
    return n - 1;
}

/* e^(x/1000) in Q20, x clamped to [-8000, 8000]: e^n from a table times a Taylor series. */
static int64_t
exp_q20(int64_t x)
{
    static const int64_t e_n[17] = {352,      956,       2599,      7065,       19205,     52206,
                                    141909,   385750,    1048576,   2850325,    7747987,   21061212,
                                    57250310, 155622477, 423025751, 1149903211, 3125761002};
    int64_t n, f, term = (int64_t)1 << 20, sum = term;

    if (x < -8000)
        x = -8000;
    if (x > 8000)
        x = 8000;
    n = x >= 0 ? x / 1000 : -((-x + 999) / 1000);
    f = x - n * 1000;
    for (int k = 1; k < 14; k++) {
        term = term * f / (1000 * k);
        sum += term;
    }
    return sum * e_n[n + 8] >> 20;
}

/* A log-normal amount: median * e^(sigma * z), z ~ N(0,1) by the sum of four uniforms
 * (Irwin-Hall, bounded at 3.46 sigma); sigma in thousandths; rounded to 1,000 won. */
static int64_t
lognormal(struct rng *r, int64_t median, int64_t sigma_milli)
{
    int64_t s = 0, z, v;

    for (int k = 0; k < 4; k++)
        s += (int64_t)below(r, 65536);
    z = (s - 131072) * 1732 / 65536; /* thousandths of a standard deviation */
    v = median * exp_q20(sigma_milli * z / 1000) >> 20;
    return (v + 500) / 1000 * 1000;
}

/* ---- the population ---- */

struct sperson {
    int age;
    uint8_t sex, rel, school, bo;
    bool kr, consent, disabled, severe, pregnant, rare, occ, has_spouse;
    const char *nat;
    int spouse; /* member position */
    bool has_im, has_ia, has_as;
    int64_t im[CL_POP_IM_COUNT], ia[CL_POP_IA_COUNT], as[CL_POP_AS_COUNT];
    int32_t birth;
    unsigned name[3];
};

struct shh {
    uint8_t nblss, pension, ca, tenure, kind;
    bool single_parent, has_parents;
    size_t parents; /* household number of the parents */
    unsigned sido, sigungu;
    int64_t deposit, rent;
    unsigned n;
    struct sperson m[8];
};

struct synth {
    struct rng r;
    int32_t eval;
    int32_t eval_year;
    unsigned eval_month, eval_day;
    size_t next_person;
    bool origin_next; /* the next household is the parents' household of this one */
};

static const char *const sido_names[] = {
    "서울특별시", "경기도",         "인천광역시",     "부산광역시", "대구광역시",     "광주광역시",
    "대전광역시", "울산광역시",     "세종특별자치시", "경상남도",   "강원특별자치도", "충청북도",
    "충청남도",   "전북특별자치도", "전라남도",       "경상북도",   "제주특별자치도"};
static const char *const sigungu_names[] = {"중구",   "동구",   "서구",   "남구",   "북구",
                                            "수원시", "청주시", "천안시", "전주시", "포항시",
                                            "양평군", "홍천군", "해남군", "의성군", "고성군"};
static const char *const surnames[] = {"김", "이", "박", "최", "정", "강", "조", "윤",
                                       "장", "임", "한", "오", "서", "신", "권", "황"};
static const uint16_t surname_w[] = {215, 147, 84, 47, 44, 24, 21, 20,
                                     20,  17,  15, 15, 15, 14, 14, 12};
static const char *const syllables[] = {"민", "서", "지", "현", "준", "수", "영", "은", "하",
                                        "윤", "도", "진", "우", "예", "연", "주", "성", "원",
                                        "채", "재", "유", "희", "경", "혜", "동", "상", "미"};
static const char *const foreign[] = {"CN", "VN", "PH", "JP", "US", "TH", "UZ", "KH"};

/* 1-person household heads by age band (통계청 2023 1인가구: 20s..70+). */
static const uint16_t single_age_w[] = {19, 16, 12, 14, 18, 21};

static int
age_in_band(struct rng *r, unsigned band)
{
    /* bands: 0 = 19-29, 1 = 30s, 2 = 40s, 3 = 50s, 4 = 60s, 5 = 70-94 */
    return band == 0   ? range(r, 19, 29)
           : band == 5 ? range(r, 70, 94)
                       : range(r, 10 * ((int)band + 2), 10 * ((int)band + 2) + 9);
}

static void
person_init(struct synth *S, struct sperson *p, int age, uint8_t rel, uint8_t sex)
{
    struct rng *r = &S->r;

    memset(p, 0, sizeof *p);
    p->age = age < 0 ? 0 : age;
    p->rel = rel;
    p->sex = sex;
    p->kr = true;
    p->nat = "KR";
    p->spouse = -1;
    p->birth = cl_days_from_civil(S->eval_year - p->age, S->eval_month, S->eval_day) -
               (int32_t)below(r, 365);
    p->name[0] = pick(r, surname_w, CL_ARRAY_LEN(surname_w));
    p->name[1] = below(r, CL_ARRAY_LEN(syllables));
    p->name[2] = below(r, CL_ARRAY_LEN(syllables));
}

static void
marry(struct shh *h, unsigned a, unsigned b)
{
    h->m[a].spouse = (int)b;
    h->m[b].spouse = (int)a;
    h->m[a].has_spouse = h->m[b].has_spouse = true;
}

static unsigned
add(struct synth *S, struct shh *h, int age, uint8_t rel, uint8_t sex)
{
    person_init(S, &h->m[h->n], age, rel, sex);
    return h->n++;
}

/* A couple: head of the given age and a spouse of about the same age (2 % foreign). */
static void
couple(struct synth *S, struct shh *h, int age)
{
    uint8_t sex = chance(&S->r, 800) ? CL_POP_SEX_M : CL_POP_SEX_F;
    unsigned a = add(S, h, age, CL_POP_REL_HEAD, sex);
    int sage = age + (sex == CL_POP_SEX_M ? -range(&S->r, 0, 5) : range(&S->r, 0, 5));
    unsigned b = add(S, h, sage < 19 ? 19 : sage, CL_POP_REL_SPOUSE, (uint8_t)(1 - sex));

    marry(h, a, b);
    if (chance(&S->r, 20)) {
        h->m[b].kr = false;
        h->m[b].nat = foreign[below(&S->r, CL_ARRAY_LEN(foreign))];
    }
}

/* k children of a mother aged mage: first born at 27-37, 2-4 years apart. */
static void
children(struct synth *S, struct shh *h, int mage, unsigned k, uint8_t rel)
{
    int age = mage - range(&S->r, 27, 37);

    if (age < 0)
        age = (int)below(&S->r, 3);
    for (unsigned j = 0; j < k; j++) {
        unsigned c = add(S, h, age, rel, (uint8_t)below(&S->r, 2));

        h->m[c].bo = (uint8_t)(j + 1);
        age -= range(&S->r, 2, 4);
        if (age < 0)
            break;
    }
}

static int
mother_age(const struct shh *h)
{
    for (unsigned j = 0; j < h->n; j++)
        if (h->m[j].sex == CL_POP_SEX_F && h->m[j].rel <= CL_POP_REL_SPOUSE)
            return h->m[j].age;
    return h->m[0].age;
}

static void
composition(struct synth *S, struct shh *h, bool origin)
{
    static const uint16_t size_w[] = {360, 290, 190, 130, 25, 5}; /* 통계청 2024 가구원수 */
    struct rng *r = &S->r;
    unsigned size, v;

    h->kind = CL_POP_KIND_GENERAL;
    if (origin) { /* a youth's parents: a couple of 48-65, maybe another child at home */
        h->kind = CL_POP_KIND_ORIGIN;
        couple(S, h, range(r, 48, 65));
        if (chance(r, 400))
            children(S, h, mother_age(h) - 8, 1, CL_POP_REL_CHILD);
        return;
    }
    size = pick(r, size_w, CL_ARRAY_LEN(size_w)) + 1;
    v = below(r, 100);
    switch (size) {
    case 1: {
        unsigned band = pick(r, single_age_w, CL_ARRAY_LEN(single_age_w));
        unsigned a = add(S, h, age_in_band(r, band), CL_POP_REL_HEAD, (uint8_t)below(r, 2));

        if (h->m[a].age <= 34 && chance(r, 450))
            h->kind = CL_POP_KIND_YOUTH_INDEPENDENT;
        if (h->m[a].age < 50 && chance(r, 30)) {
            h->m[a].kr = false;
            h->m[a].nat = foreign[below(r, CL_ARRAY_LEN(foreign))];
        }
        break;
    }
    case 2:
        if (v < 55) {
            static const uint16_t w[] = {5, 5, 17, 35, 28, 10};
            unsigned band = pick(r, w, CL_ARRAY_LEN(w));

            couple(S, h, band == 0 ? range(r, 26, 39) : age_in_band(r, band));
        } else if (v < 67) {
            add(S, h, range(r, 30, 55), CL_POP_REL_HEAD,
                chance(r, 750) ? CL_POP_SEX_F : CL_POP_SEX_M);
            h->single_parent = true;
            children(S, h, h->m[0].age, 1, CL_POP_REL_CHILD);
        } else if (v < 97) {
            add(S, h, range(r, 60, 88), CL_POP_REL_HEAD, (uint8_t)below(r, 2));
            children(S, h, h->m[0].age - 2, 1, CL_POP_REL_CHILD);
        } else {
            h->kind = CL_POP_KIND_GRANDPARENT_GRANDCHILD;
            add(S, h, range(r, 60, 80), CL_POP_REL_HEAD, CL_POP_SEX_F);
            add(S, h, range(r, 4, 17), CL_POP_REL_GRANDCHILD, (uint8_t)below(r, 2));
            h->m[1].bo = 1;
        }
        break;
    case 3:
        if (v < 72) {
            couple(S, h, range(r, 36, 66));
            children(S, h, mother_age(h), 1, CL_POP_REL_CHILD);
        } else if (v < 82) {
            add(S, h, range(r, 32, 55), CL_POP_REL_HEAD,
                chance(r, 750) ? CL_POP_SEX_F : CL_POP_SEX_M);
            h->single_parent = true;
            children(S, h, h->m[0].age, 2, CL_POP_REL_CHILD);
        } else if (v < 96) {
            couple(S, h, range(r, 45, 62));
            add(S, h, h->m[0].age + range(r, 25, 32), CL_POP_REL_PARENT, CL_POP_SEX_F);
        } else {
            h->kind = CL_POP_KIND_GRANDPARENT_GRANDCHILD;
            couple(S, h, range(r, 60, 80));
            add(S, h, range(r, 4, 17), CL_POP_REL_GRANDCHILD, (uint8_t)below(r, 2));
            h->m[2].bo = 1;
        }
        break;
    default:
        couple(S, h, range(r, 38, 62));
        if (size == 4 && v < 85) {
            children(S, h, mother_age(h), 2, CL_POP_REL_CHILD);
        } else if (size == 4) {
            children(S, h, mother_age(h), 1, CL_POP_REL_CHILD);
            add(S, h, h->m[0].age + range(r, 25, 32), CL_POP_REL_PARENT, CL_POP_SEX_F);
        } else if (size == 5 && v < 50) {
            children(S, h, mother_age(h), 3, CL_POP_REL_CHILD);
        } else {
            children(S, h, mother_age(h), 2, CL_POP_REL_CHILD);
            add(S, h, h->m[0].age + range(r, 25, 32), CL_POP_REL_PARENT, CL_POP_SEX_F);
            if (size == 6)
                add(S, h, h->m[0].age + range(r, 27, 34), CL_POP_REL_PARENT, CL_POP_SEX_M);
        }
    }
}

static void
region(struct synth *S, struct shh *h)
{
    static const uint16_t tier_w[] = {18, 27, 25, 30}; /* 주민등록인구 2024 shares */
    static const uint16_t ca_w[] = {0, 65, 20, 15};
    struct rng *r = &S->r;

    h->nblss = (uint8_t)pick(r, tier_w, CL_ARRAY_LEN(tier_w));
    switch (h->nblss) {
    case CL_POP_NBLSS_SEOUL:
        h->sido = 0;
        h->sigungu = below(r, 5);
        h->pension = CL_POP_PENSION_LARGE_CITY;
        h->ca = CL_POP_CA_CAPITAL;
        break;
    case CL_POP_NBLSS_GYEONGGI:
        h->sido = chance(r, 800) ? 1 : 2;
        h->pension = h->sido == 2     ? CL_POP_PENSION_LARGE_CITY
                     : chance(r, 900) ? CL_POP_PENSION_SMALL_CITY
                                      : CL_POP_PENSION_RURAL;
        h->sigungu = h->pension == CL_POP_PENSION_SMALL_CITY ? 5 + below(r, 5)
                     : h->pension == CL_POP_PENSION_RURAL    ? 10 + below(r, 5)
                                                             : below(r, 5);
        h->ca = CL_POP_CA_CAPITAL;
        break;
    case CL_POP_NBLSS_METRO:
        h->sido = 3 + below(r, 7);
        h->pension = h->sido >= 8 ? CL_POP_PENSION_SMALL_CITY : CL_POP_PENSION_LARGE_CITY;
        h->sigungu = h->pension == CL_POP_PENSION_SMALL_CITY ? 5 + below(r, 5) : below(r, 5);
        h->ca = (uint8_t)pick(r, ca_w, CL_ARRAY_LEN(ca_w));
        break;
    default:
        h->sido = 9 + below(r, 8);
        h->pension = chance(r, 600) ? CL_POP_PENSION_SMALL_CITY : CL_POP_PENSION_RURAL;
        h->sigungu = h->pension == CL_POP_PENSION_SMALL_CITY ? 5 + below(r, 5) : 10 + below(r, 5);
        h->ca = (uint8_t)pick(r, ca_w, CL_ARRAY_LEN(ca_w));
    }
}

/* Monthly incomes, 2025 annual incomes and the person's flags. */
static void
person_facts(struct synth *S, struct sperson *p, int eval_year)
{
    static const int emp[] = {450, 700, 750, 750, 750, 750, 700, 600, 450, 300, 150};
    struct rng *r = &S->r;
    int a = p->age, by = eval_year - a;
    int64_t median;

    /* school, by birth year: elementary in the March after the 6th birthday's year */
    if (eval_year - by >= 7 && eval_year - by <= 12)
        p->school = CL_POP_SCHOOL_ELEMENTARY;
    else if (eval_year - by >= 13 && eval_year - by <= 15)
        p->school = CL_POP_SCHOOL_MIDDLE;
    else if (eval_year - by >= 16 && eval_year - by <= 18)
        p->school = CL_POP_SCHOOL_HIGH;
    else if (a >= 19 && a <= 22 && p->rel == CL_POP_REL_CHILD && chance(r, 700))
        p->school = CL_POP_SCHOOL_UNIVERSITY;
    if (chance(r, a < 20 ? 15 : a < 50 ? 30 : a < 65 ? 60 : 120)) {
        p->disabled = true;
        p->severe = chance(r, 380);
    }
    p->rare = chance(r, 8);
    p->pregnant = p->sex == CL_POP_SEX_F && a >= 25 && a <= 40 && chance(r, 20);
    p->consent = a >= 19 && chance(r, 700);
    p->has_im = !chance(r, 20);
    p->has_ia = !chance(r, 40);
    p->has_as = !chance(r, 20);
    if (a >= 19 && p->school != CL_POP_SCHOOL_UNIVERSITY) {
        int band = a < 25   ? 0
                   : a < 30 ? 1
                   : a < 55 ? 2 + (a - 30) / 10
                   : a < 60 ? 5
                            : 6 + (a - 60) / 5;

        if (band > 10)
            band = 10;
        if (chance(r, (unsigned)emp[band])) {
            median = a < 30   ? 2600000
                     : a < 40 ? 3300000
                     : a < 50 ? 3800000
                     : a < 60 ? 3600000
                              : 2000000;
            if (chance(r, 800))
                p->im[CL_POP_IM_EARNED] = lognormal(r, median, 550);
            else
                p->im[CL_POP_IM_BUSINESS] = lognormal(r, 2500000, 900);
        }
        if (a >= 65 && chance(r, 550))
            p->im[CL_POP_IM_PUBLIC_PENSION] = lognormal(r, 600000, 500);
        if (a >= 65 && chance(r, 40)) {
            p->occ = true;
            p->im[CL_POP_IM_PUBLIC_PENSION] = lognormal(r, 2800000, 300);
        }
        if (a >= 55 && chance(r, 50))
            p->im[CL_POP_IM_PRIVATE_PENSION] = lognormal(r, 500000, 700);
        if (a >= 40 && chance(r, 80))
            p->im[CL_POP_IM_PROPERTY_INCOME] = lognormal(r, 400000, 1000);
        if (chance(r, 50))
            p->im[CL_POP_IM_OTHER] = lognormal(r, 200000, 800);
    }
    /* 2025 income: this year's work at 85-110 %, some who stopped worked last year */
    p->ia[CL_POP_IA_EARNED] = p->im[CL_POP_IM_EARNED] * 12 * range(r, 85, 110) / 100;
    p->ia[CL_POP_IA_BUSINESS] = p->im[CL_POP_IM_BUSINESS] * 12 * range(r, 70, 120) / 100;
    p->ia[CL_POP_IA_OTHER_TAXABLE] =
        (p->im[CL_POP_IM_PROPERTY_INCOME] + p->im[CL_POP_IM_OTHER]) * 12;
    if (a >= 19 && a < 70 && p->ia[CL_POP_IA_EARNED] == 0 && chance(r, 100))
        p->ia[CL_POP_IA_EARNED] = lognormal(r, 9000000, 800);
    if (a >= 19) {
        median = a < 30 ? 8000000 : a < 40 ? 20000000 : a < 50 ? 30000000 : 42000000;
        if (!chance(r, 100))
            p->as[CL_POP_AS_FINANCIAL] = lognormal(r, median, 1200);
    }
}

/* Tenure, deposit and rent, and the head's housing, land, vehicle and debt. */
static void
housing(struct synth *S, struct shh *h)
{
    static const uint16_t tenure_w[] = {574, 155, 227, 44}; /* 국토부 주거실태조사 2023 */
    static const int64_t own[] = {650000000, 420000000, 300000000, 160000000};
    static const int64_t jeonse[] = {320000000, 230000000, 160000000, 100000000};
    static const int64_t rent[] = {550000, 450000, 400000, 350000};
    struct rng *r = &S->r;
    struct sperson *head = &h->m[0];
    int64_t debt = 0;

    h->tenure = (uint8_t)pick(r, tenure_w, CL_ARRAY_LEN(tenure_w));
    if (h->kind == CL_POP_KIND_YOUTH_INDEPENDENT)
        h->tenure = chance(r, 750) ? CL_POP_TENURE_MONTHLY_RENT : CL_POP_TENURE_JEONSE;
    switch (h->tenure) {
    case CL_POP_TENURE_OWN:
        head->as[CL_POP_AS_HOUSING] = lognormal(r, own[h->nblss], 600);
        if (chance(r, 400))
            debt = lognormal(r, 120000000, 900);
        break;
    case CL_POP_TENURE_JEONSE:
        h->deposit = lognormal(
            r, jeonse[h->nblss] / (h->kind == CL_POP_KIND_YOUTH_INDEPENDENT ? 2 : 1), 500);
        head->as[CL_POP_AS_HOUSING] = h->deposit;
        if (chance(r, 300))
            debt = lognormal(r, 100000000, 600);
        break;
    case CL_POP_TENURE_MONTHLY_RENT:
        h->deposit = lognormal(r, 10000000, 800);
        if (h->deposit > 100000000)
            h->deposit = 100000000;
        h->rent = lognormal(r, rent[h->nblss], 350);
        head->as[CL_POP_AS_HOUSING] = h->deposit;
        if (chance(r, 200))
            debt = lognormal(r, 15000000, 900);
        break;
    default:
        break;
    }
    if (head->age >= 40 && chance(r, 150))
        head->as[CL_POP_AS_GENERAL] = lognormal(r, 80000000, 1200);
    if (chance(r, 550))
        head->as[CL_POP_AS_VEHICLE] = lognormal(r, 12000000, 600);
    head->as[CL_POP_AS_DEBT] = debt;
}

static void
household(struct synth *S, struct shh *h, size_t index, size_t count)
{
    bool origin = S->origin_next;

    memset(h, 0, sizeof *h);
    S->origin_next = false;
    composition(S, h, origin);
    if (h->kind == CL_POP_KIND_YOUTH_INDEPENDENT && chance(&S->r, 800) && index + 1 < count) {
        h->has_parents = true;
        h->parents = index + 1;
        S->origin_next = true;
    }
    region(S, h);
    for (unsigned j = 0; j < h->n; j++)
        person_facts(S, &h->m[j], S->eval_year);
    housing(S, h);
}

/* ---- writing ---- */

static void
w_str(struct cl_buf *b, const char *s)
{
    cl_buf_append_str(b, s);
}

static void
w_int(struct cl_buf *b, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    do {
        tmp[sizeof tmp - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        tmp[sizeof tmp - 1 - n++] = '-';
    cl_buf_append(b, tmp + sizeof tmp - n, n);
}

static void
w_id(struct cl_buf *b, char prefix, size_t n)
{
    char tmp[24];

    snprintf(tmp, sizeof tmp, "\"%c%09zu\"", prefix, n);
    w_str(b, tmp);
}

static void
w_date(struct cl_buf *b, int32_t d)
{
    char tmp[11];

    cl_date_format(d, tmp);
    cl_buf_append_byte(b, '"');
    cl_buf_append(b, tmp, 10);
    cl_buf_append_byte(b, '"');
}

static void
w_bool(struct cl_buf *b, const char *key, bool v)
{
    w_str(b, key);
    w_str(b, v ? "true" : "false");
}

static void
w_group(struct cl_buf *b, const char *key, bool present, const char *const *names, const int64_t *v,
        unsigned n)
{
    w_str(b, key);
    if (!present) {
        w_str(b, "null");
        return;
    }
    for (unsigned k = 0; k < n; k++) {
        cl_buf_append_str(b, k == 0 ? "{\"" : ",\"");
        w_str(b, names[k]);
        w_str(b, "\":");
        w_int(b, v[k]);
    }
    cl_buf_append_byte(b, '}');
}

static void
write_household(struct synth *S, struct cl_buf *b, const struct shh *h, size_t index)
{
    size_t p0 = S->next_person;

    w_str(b, "{\"id\":");
    w_id(b, 'H', index + 1);
    w_str(b, ",\"region\":{\"sido\":\"");
    w_str(b, sido_names[h->sido]);
    w_str(b, "\",\"sigungu\":\"");
    w_str(b, sigungu_names[h->sigungu]);
    w_str(b, "\",\"nblss_tier\":\"");
    w_str(b, cl_pop_nblss_tier_names[h->nblss]);
    w_str(b, "\",\"pension_tier\":\"");
    w_str(b, cl_pop_pension_tier_names[h->pension]);
    w_str(b, "\",\"child_allowance_area\":\"");
    w_str(b, cl_pop_ca_area_names[h->ca]);
    w_str(b, "\"},\"housing\":{\"tenure\":\"");
    w_str(b, cl_pop_tenure_names[h->tenure]);
    w_str(b, "\",\"deposit\":");
    w_int(b, h->deposit);
    w_str(b, ",\"monthly_rent\":");
    w_int(b, h->rent);
    w_str(b, "},\"kind\":\"");
    w_str(b, cl_pop_kind_names[h->kind]);
    w_str(b, "\"");
    w_bool(b, ",\"single_parent\":", h->single_parent);
    w_str(b, ",\"parents_household_id\":");
    if (h->has_parents)
        w_id(b, 'H', h->parents + 1);
    else
        w_str(b, "null");
    w_str(b, ",\"note\":\"synthetic\",\"members\":[");
    for (unsigned j = 0; j < h->n; j++) {
        const struct sperson *p = &h->m[j];

        w_str(b, j == 0 ? "{\"id\":" : ",{\"id\":");
        w_id(b, 'P', p0 + j + 1);
        w_str(b, ",\"name\":\"");
        w_str(b, surnames[p->name[0]]);
        w_str(b, syllables[p->name[1]]);
        w_str(b, syllables[p->name[2]]);
        w_str(b, "\",\"birth_date\":");
        w_date(b, p->birth);
        w_str(b, ",\"sex\":\"");
        w_str(b, cl_pop_sex_names[p->sex]);
        w_str(b, "\",\"relation\":\"");
        w_str(b, cl_pop_relation_names[p->rel]);
        w_str(b, "\",\"spouse_id\":");
        if (p->has_spouse)
            w_id(b, 'P', p0 + (size_t)p->spouse + 1);
        else
            w_str(b, "null");
        w_str(b, ",\"nationality\":\"");
        w_str(b, p->nat);
        w_str(b, "\"");
        w_bool(b, ",\"disability\":{\"registered\":", p->disabled);
        w_bool(b, ",\"severe\":", p->severe);
        w_bool(b, "},\"pregnant\":", p->pregnant);
        w_bool(b, ",\"rare_disease\":", p->rare);
        w_bool(b, ",\"daycare\":", false);
        w_str(b, ",\"school\":");
        if (p->school != CL_POP_SCHOOL_NONE) {
            cl_buf_append_byte(b, '"');
            w_str(b, cl_pop_school_names[p->school]);
            cl_buf_append_byte(b, '"');
        } else {
            w_str(b, "null");
        }
        w_str(b, ",\"birth_order\":");
        if (p->bo != 0)
            w_int(b, p->bo);
        else
            w_str(b, "null");
        w_bool(b, ",\"occupational_pension\":", p->occ);
        w_bool(b, ",\"consent\":{\"financial\":", p->consent);
        w_str(b, "}");
        w_group(b, ",\"income_monthly\":", p->has_im, cl_pop_im_names, p->im, CL_POP_IM_COUNT);
        w_group(b, ",\"income_annual_2025\":", p->has_ia, cl_pop_ia_names, p->ia, CL_POP_IA_COUNT);
        w_group(b, ",\"assets\":", p->has_as, cl_pop_as_names, p->as, CL_POP_AS_COUNT);
        cl_buf_append_byte(b, '}');
    }
    w_str(b, "]}");
    S->next_person += h->n;
}

static cl_err
start(struct synth *S, const struct cl_pop_synth_opts *o, struct cl_error *err)
{
    memset(S, 0, sizeof *S);
    if (o == NULL || o->households > CL_POP_MAX_PERSONS / 8)
        return cl_fail(err, CL_ERR_USAGE, "households", "too many households");
    S->eval = o->evaluation_date != 0 ? o->evaluation_date : cl_days_from_civil(2026, 3, 1);
    cl_civil_from_days(S->eval, &S->eval_year, &S->eval_month, &S->eval_day);
    S->r.s = o->seed;
    return CL_OK;
}

static void
header(struct synth *S, struct cl_buf *b, bool document)
{
    w_str(b, "{\"schema\":\"" CL_POP_SCHEMA "\",\"evaluation_date\":");
    w_date(b, S->eval);
    w_str(b, document ? ",\"households\":[\n" : "}\n");
}

/* Generate into b, calling flush after each household when given. */
static cl_err
generate(const struct cl_pop_synth_opts *o, struct cl_buf *b,
         int (*flush)(void *ctx, struct cl_buf *b), void *ctx, struct cl_error *err)
{
    struct synth S;
    struct shh h;
    cl_err rc;

    if ((rc = start(&S, o, err)) != CL_OK)
        return rc;
    header(&S, b, o->json_document);
    for (size_t k = 0; k < o->households; k++) {
        household(&S, &h, k, o->households);
        if (o->json_document && k > 0)
            w_str(b, ",\n");
        write_household(&S, b, &h, k);
        if (!o->json_document)
            cl_buf_append_byte(b, '\n');
        if (flush != NULL && b->len >= (1 << 16) && flush(ctx, b) != 0)
            return cl_fail(err, CL_ERR_IO, "output", "cannot write the synthetic feed");
    }
    if (o->json_document)
        w_str(b, "\n]}\n");
    if ((rc = cl_buf_check(b, "synthetic feed", err)) != CL_OK)
        return rc;
    if (flush != NULL && flush(ctx, b) != 0)
        return cl_fail(err, CL_ERR_IO, "output", "cannot write the synthetic feed");
    return CL_OK;
}

static int
flush_file(void *ctx, struct cl_buf *b)
{
    FILE *f = ctx;

    if (b->err != CL_OK || fwrite(b->ptr, 1, b->len, f) != b->len)
        return -1;
    cl_buf_reset(b);
    return 0;
}

cl_err
cl_pop_synth_write(FILE *out, const struct cl_pop_synth_opts *opts, struct cl_error *err)
{
    struct cl_buf b;
    cl_err rc;

    if (out == NULL)
        return cl_fail(err, CL_ERR_USAGE, "output", "no output file");
    cl_buf_init(&b);
    rc = generate(opts, &b, flush_file, out, err);
    if (rc == CL_OK && fflush(out) != 0)
        rc = cl_fail(err, CL_ERR_IO, "output", "cannot write the synthetic feed");
    cl_buf_fini(&b);
    return rc;
}

cl_err
cl_pop_synth(struct cl_pop *pop, const struct cl_pop_synth_opts *opts, struct cl_error *err)
{
    struct cl_buf b;
    uint8_t *text;
    size_t len;
    cl_err rc;

    cl_buf_init_ex(&b, SIZE_MAX / 2, false);
    if ((rc = generate(opts, &b, NULL, NULL, err)) != CL_OK) {
        cl_buf_fini(&b);
        return rc;
    }
    text = cl_buf_take(&b, &len);
    if (text == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "synthetic feed", "out of memory");
    rc = cl_pop_load(pop, cl_bytes_of(text, len), NULL, NULL, NULL, NULL, err);
    if (rc != CL_OK) {
        cl_free(text);
        return rc;
    }
    pop->priv->owned = text;
    return CL_OK;
}
