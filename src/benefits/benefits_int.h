/*
 * benefits_int.h - what the benefits module's files share: tokens, the compiled program
 * (bytecode per condition and amount), parameter tables, built-in facts and the evaluator
 * context. Exact arithmetic: every number is an int64 scaled by BN_SCALE.
 */
#ifndef CL_BENEFITS_INT_H
#define CL_BENEFITS_INT_H

#include "cardless/arena.h"
#include "cardless/benefits.h"

/*
 * Numbers are int64 multiples of 1/BN_SCALE won. 30000 = lcm(10, 10000, 300): the guide's
 * 70 % earned income, 1.04/4.17/6.26 % monthly property conversion and 4 %/12 are exact
 * (welfare-2026.md 4.1, 4.2). The compiler proves every expression's denominator divides it.
 */
#define BN_SCALE 30000

/* products and sums of scaled money are taken wide, then saturated (GCC/Clang) */
__extension__ typedef __int128 bn_wide;

#define BN_MAX_STACK 32
#define BN_MAX_CONDS 16
#define BN_MAX_PARAMS 128
#define BN_MAX_BENEFITS 32
#define BN_MAX_LETS 32
#define BN_MAX_CODE 512

/* value states of the three-valued logic (welfare-2026.md 2; 6.3: consent outranks data) */
enum { BN_KNOWN = 0, BN_MISSING = 1, BN_CONSENT = 2 };

/* what is missing, for "missing": [...] */
enum {
    BN_MISS_CONSENT = 1u << 0,
    BN_MISS_INCOME = 1u << 1,
    BN_MISS_ANNUAL = 1u << 2,
    BN_MISS_ASSETS = 1u << 3,
    BN_MISS_BIRTH_ORDER = 1u << 4,
    BN_MISS_PARENTS = 1u << 5,
    BN_MISS_DEPOSIT = 1u << 6, /* housing.deposit absent or null */
    BN_MISS_RENT = 1u << 7,    /* housing.monthly_rent absent or null */
    BN_MISS_COUNT = 8
};
extern const char *const bn_miss_names[BN_MISS_COUNT];

struct bn_val {
    int64_t v;  /* number (scaled), bool 0/1, date (days), enum code, benefit index */
    uint8_t st; /* BN_KNOWN, BN_MISSING, BN_CONSENT */
    uint16_t miss;
};

enum bn_type { BT_NUM = 1, BT_BOOL, BT_DATE, BT_ENUM, BT_BENEFIT };

/* data scopes a condition declares it reads (consent and explanation) */
enum {
    BN_SCOPE_REGISTRY = 1u << 0,
    BN_SCOPE_DISABILITY = 1u << 1,
    BN_SCOPE_HEALTH = 1u << 2,
    BN_SCOPE_EDUCATION = 1u << 3,
    BN_SCOPE_HOUSING = 1u << 4,
    BN_SCOPE_FINANCIAL = 1u << 5,
    BN_SCOPE_TAX = 1u << 6,
    BN_SCOPE_COUNT = 7
};
extern const char *const bn_scope_names[BN_SCOPE_COUNT];

/* enum domains: the string values a fact may take */
enum bn_domain {
    BD_NONE = 0,
    BD_TENURE,
    BD_KIND,
    BD_RELATION,
    BD_SCHOOL,
    BD_NBLSS_TIER,
    BD_PENSION_TIER,
    BD_CA_AREA,
    BD_EITC_TYPE,
    BD_COUNT
};
struct bn_domain_def {
    const char *name;
    const char *const *values;
    unsigned count;
};
extern const struct bn_domain_def bn_domains[BD_COUNT];
int bn_domain_find(enum bn_domain d, const char *s, size_t n); /* code or -1 */

struct bn_ctx;
typedef void (*bn_fact_fn)(struct bn_ctx *c, const struct bn_val *args, struct bn_val *out);

struct bn_builtin {
    const char *name;
    uint8_t arity;
    uint8_t argt[3]; /* argument types */
    uint8_t type;    /* result type */
    uint8_t domain;  /* for BT_ENUM results */
    uint16_t denom;  /* static denominator of a BT_NUM result */
    uint16_t scopes; /* scopes read */
    const char *doc; /* one line for docs/rules.md */
    bn_fact_fn fn;
};
extern const struct bn_builtin bn_builtins[];
/* facts the machine computes inline, without a call (the hot person facts); 0: a call */
enum {
    BN_IF_NONE,
    BN_IF_AGE,
    BN_IF_MONTH_INDEX,
    BN_IF_BIRTH_YEAR,
    BN_IF_IS_KOREAN,
    BN_IF_IS_HEAD,
    BN_IF_HOUSEHOLD_SIZE,
    BN_IF_SEVERE
};
int bn_inline_fact(const char *name);
extern const size_t bn_nbuiltins;

/* ---- parameter tables ---- */
struct bn_row {
    int32_t from, to; /* inclusive days */
    int64_t key;      /* int key, or enum code of a symbol key */
    int64_t value;    /* scaled */
    uint32_t line;
};
struct bn_table {
    const char *name; /* "median_income", "basic_pension.threshold_single" */
    const char *title;
    const char *source;
    const char *file;
    uint32_t line;
    const char *keyname; /* NULL for a scalar */
    uint8_t keydomain;   /* BD_NONE: integer keys */
    uint32_t denom;      /* lcm of the rows' denominators */
    struct bn_row *rows;
    size_t nrows, caprows;
    uint32_t slot;  /* first slot in the resolved vector */
    uint32_t nkeys; /* keyed: slots = distinct keys (int keys 0..maxkey) */
    int64_t maxkey;
};

/* parameter tables read by built-in facts (facts.c), resolved once by name */
enum bn_role {
    PR_EDUCATION_AMOUNT,
    PR_EITC_DEPENDENT_CHILD_AGE_BELOW,
    PR_EITC_DEPENDENT_PARENT_AGE,
    PR_EITC_TWO_EARNER_MIN,
    PR_ENERGY_VOUCHER_ELDERLY_AGE,
    PR_ENERGY_VOUCHER_INFANT_AGE_BELOW,
    PR_MEDIAN_INCOME,
    PR_NBLSS_BASIC_PROPERTY_DEDUCTION,
    PR_NBLSS_EARNED_RATE,
    PR_NBLSS_FINANCIAL_DEDUCTION,
    PR_NBLSS_HOUSING_CAP,
    PR_NBLSS_RATE_FINANCIAL,
    PR_NBLSS_RATE_GENERAL,
    PR_NBLSS_RATE_HOUSING,
    PR_NBLSS_RATE_VEHICLE,
    PR_PENSION_BASIC_PROPERTY_DEDUCTION,
    PR_PENSION_EARNED_DEDUCTION,
    PR_PENSION_EARNED_RATE,
    PR_PENSION_FINANCIAL_DEDUCTION,
    PR_PENSION_PROPERTY_RATE,
    BN_ROLE_COUNT
};
extern const char *const bn_role_names[BN_ROLE_COUNT];

/* ---- code ---- */
enum bn_op {
    OP_CONST,  /* k */
    OP_FACT,   /* a = builtin index */
    OP_PARAM,  /* a = table index: scalar */
    OP_PARAMK, /* a = table index: pop key */
    OP_LET,    /* a = let slot */
    OP_ADD,
    OP_SUB,
    OP_MUL,  /* both scaled: a*b/SCALE */
    OP_DIVK, /* divide by integer k (exact: checked by the compiler's denominators) */
    OP_NEG,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_EQ,
    OP_NE,
    OP_AND,
    OP_OR,
    OP_NOT,
    OP_IF,
    OP_MIN,
    OP_MAX,
    OP_ROUND, /* round half up to the won */
    OP_FLOOR, /* floor to the won */
    OP_ANDJ,  /* top known false: jump k instructions ahead (past the matching OP_AND) */
    OP_ORJ,   /* top known true: jump k instructions ahead (past the matching OP_OR) */
};
struct bn_ins {
    uint8_t op;
    uint16_t a;
    int64_t k;
};
struct bn_code {
    struct bn_ins *ins;
    uint32_t n;
};

struct bn_cond {
    const char *name;
    const char *ko, *en;
    uint16_t scopes;
    uint32_t line, col;
    struct bn_code code;
    uint8_t top_cmp;              /* the root is a comparison: value/threshold are its operands */
    uint8_t cmp_type, cmp_domain; /* their type */
};

struct bn_let {
    const char *name;
    uint8_t type, domain;
    uint32_t denom;
    uint16_t scopes; /* data scopes its expression reads */
    struct bn_code code;
};

enum bn_unit { BN_UNIT_PERSON = 1, BN_UNIT_HOUSEHOLD, BN_UNIT_HEAD };

struct bn_benefit {
    const char *id, *name_ko, *name_en, *agency, *legal, *source, *apply, *file;
    uint8_t unit;
    uint8_t period; /* enum cl_benefits_period */
    struct bn_let lets[BN_MAX_LETS];
    uint32_t nlets;
    struct bn_cond conds[BN_MAX_CONDS];
    uint32_t nconds;
    struct bn_code amount; /* n == 0: no amount */
    struct {
        const char *name; /* "rent_support": the first kind whose condition holds */
        struct bn_code code;
    } kinds[8];
    uint32_t nkinds;
    uint16_t amount_scopes;
    uint32_t deps; /* bitmask of benefits read through eligible() */
    uint32_t index;
};

struct cl_benefits_rules {
    struct cl_arena arena;
    struct bn_benefit *ben[BN_MAX_BENEFITS];
    uint32_t nben;
    uint32_t order[BN_MAX_BENEFITS]; /* evaluation order: dependencies first */
    struct bn_table *tab[BN_MAX_PARAMS];
    uint32_t ntab;
    uint32_t nslots;
    int32_t median_table;            /* index of median_income, or -1 */
    int32_t role_tab[BN_ROLE_COUNT]; /* table index per enum bn_role, or -1 */
    bool finished;
};

/* lexer/parser entry points (rules.c) */
cl_err bn_parse_rule(struct cl_benefits_rules *r, const char *file, struct cl_bytes text,
                     struct cl_error *err);
cl_err bn_parse_params(struct cl_benefits_rules *r, const char *file, struct cl_bytes text,
                       struct cl_error *err);
int bn_table_find(const struct cl_benefits_rules *r, const char *name);

/* resolved parameters for one date: value and source row per slot */
struct bn_params {
    int32_t at;
    int64_t *val;
    const struct bn_row **row; /* NULL: no row covers the date */
    const struct bn_table **tab;
    uint32_t n;
};

#define BN_MAX_MEMBERS 64

/* evaluation context: one per thread */
struct bn_ctx {
    const struct cl_benefits_rules *r;
    const struct cl_pop *pop;
    const struct bn_params *par;
    int32_t at;
    uint32_t hh;     /* current household */
    uint32_t person; /* current subject person (household benefits: the head) */
    uint32_t first, count;
    uint32_t head;
    /* household aggregates: computed once per household and pass (memo bits) */
    uint32_t memo;
    struct bn_val agg[16];
    /* per member of the current household, computed once per household and date: the
       buffers below (bn_ctx_household) or the batch machine's chunk columns (batch.c) */
    const int16_t *age, *month_index, *birth_year;
    int16_t age_buf[BN_MAX_MEMBERS];
    int16_t month_index_buf[BN_MAX_MEMBERS];
    int16_t birth_year_buf[BN_MAX_MEMBERS];
    /* statuses of the household's subjects, per benefit, for eligible() */
    uint8_t st[BN_MAX_BENEFITS][BN_MAX_MEMBERS];
    uint16_t miss[BN_MAX_BENEFITS][BN_MAX_MEMBERS];
    int64_t amt[BN_MAX_BENEFITS][BN_MAX_MEMBERS];
    struct bn_val lets[BN_MAX_LETS];
    uint32_t let_done;            /* bit per let: computed for the current subject */
    const struct bn_benefit *ben; /* the benefit being evaluated (its lets) */
    /* explanation: params read while evaluating the current expression */
    bool trace;
    uint32_t nread;
    uint32_t read[16];
    bool param_hole; /* a parameter with no row for the date was read */
    const char *hole_table;
    uint32_t hole_mask; /* benefits that read a parameter with no row (this household) */
};

int32_t bn_age(int32_t birth, int32_t at);
/* age of person i: from the household cache when i is a member of the current household */
int32_t bn_member_age(const struct bn_ctx *c, uint32_t i);
int32_t bn_add_years(int32_t d, int32_t n);
/* 기초연금/장애인연금 소득인정액 of unit (person, spouse or -1), both known (f_pension_ri) */
int64_t bn_pension_ri_known(const struct cl_pop *p, const int32_t unit[2], int64_t ded,
                            int64_t earned_rate, int64_t base, int64_t fin_ded, int64_t conv);
int32_t bn_month_index(int32_t birth, int32_t at);

/* eval.c */
cl_err bn_params_resolve(const struct cl_benefits_rules *r, int32_t at, struct bn_params *out,
                         struct cl_error *err);
void bn_params_fini(struct bn_params *p);
void bn_ctx_household(struct bn_ctx *c, uint32_t h);
/* status of benefit b for the subject at member offset k (after bn_eval_household_all) */
void bn_eval_household_all(struct bn_ctx *c, uint32_t h, bool full);
int64_t bn_eval_amount(struct bn_ctx *c, const struct bn_benefit *b, uint32_t person);
uint8_t bn_eval_subject(struct bn_ctx *c, const struct bn_benefit *b, uint32_t person,
                        uint16_t *miss);

/* a parameter read by role (facts.c); a hole sets c->param_hole */
int64_t bn_par(struct bn_ctx *c, enum bn_role role, int64_t key);

/* batch.c: the whole-population pass in batches (vectorized interpretation) */
struct bn_agetab;
struct bn_batch;
struct bn_agetab *bn_agetab_new(int32_t at);
/* age (29 Feb rule), month index and birth year of a birth date on the table's date (t may
   be NULL: computed) */
void bn_agetab_get(const struct bn_agetab *t, int32_t birth, int32_t at, int16_t *age, int16_t *mi,
                   int16_t *by);
void bn_agetab_free(struct bn_agetab *t);
bool bn_batch_supported(const struct cl_benefits_rules *r);
struct bn_batch *bn_batch_new(const struct cl_benefits_rules *r, const struct cl_pop *pop,
                              const struct bn_params *par, const struct bn_agetab *ages,
                              struct bn_ctx *c, struct cl_benefits_results *res);
void bn_batch_free(struct bn_batch *t);
/* households [from, to); chunks the batch cannot take go to run_scalar(arg, h0, h1) */
void bn_batch_run(struct bn_batch *t, size_t from, size_t to,
                  void (*run_scalar)(void *arg, size_t h0, size_t h1), void *arg);
/* eval.c: the pass, batch (the default) or scalar only (the reference, for tests) */
enum {
    BN_PASS_SCALAR = 0,
    BN_PASS_BATCH = 1,       /* the age table from 16,384 persons on */
    BN_PASS_BATCH_TABLE = 2, /* the age table whatever the size (tests) */
};
cl_err bn_eval_pass(const struct cl_benefits_rules *r, const struct cl_pop *pop, int32_t at,
                    unsigned nthreads, unsigned mode, struct cl_benefits_results *res,
                    struct cl_error *err);

struct bn_val bn_run(struct bn_ctx *c, const struct bn_code *code, struct bn_val *lhs,
                     struct bn_val *rhs);

#endif /* CL_BENEFITS_INT_H */
