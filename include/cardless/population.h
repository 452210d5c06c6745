/*
 * cardless/population.h - the columnar population store of the welfare engine: households and
 * persons of the feed of specs/welfare-2026.md §1 as one array per fact (structure of
 * arrays), the streaming feed parser that fills it record by record, and the deterministic
 * synthetic population generator.
 *
 * Layout: persons of household h are contiguous, [hh_first[h], hh_first[h + 1]); indexes are
 * int32_t (at most CL_POP_MAX_PERSONS), -1 means none / null. Dates are int32_t days since
 * 1970-01-01 (cardless/time.h). Money is integer won in int32_t columns: a value >= 0 is the
 * amount itself; a negative value -(k + 1) points at wide[k], an int64_t, for the rare amount
 * above INT32_MAX (read any money column through cl_pop_money()). Every amount is exact.
 * Absent groups (income_monthly, income_annual_2025, assets = null) have their CL_POP_P_HAS_*
 * flag clear and zeros in their columns.
 * Identifiers are views into the feed text (household and person ids; names and other
 * informational fields stay in the text: cl_pop_household_text() gives a household's record).
 * Memory: a cl_pop owns its columns (cl_pop_init / cl_pop_fini); the text is borrowed unless
 * the store loaded or generated it itself. Read the fields, never write them.
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL. A bad
 * household record is not a failure of the load: it is reported, skipped and counted.
 */
#ifndef CARDLESS_POPULATION_H
#define CARDLESS_POPULATION_H

#include <stdio.h>

#include "cardless/bytes.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

#define CL_POP_SCHEMA "cardless-welfare-citizens/1"
#define CL_POP_MAX_PERSONS ((size_t)INT32_MAX - 1)

/* Enumerations of the feed (welfare-2026.md §1), stored as uint8_t; values are stable. */
/* region.nblss_tier -> NBLSS property tables (§4.1) */
enum cl_pop_nblss_tier {
    CL_POP_NBLSS_SEOUL,
    CL_POP_NBLSS_GYEONGGI,
    CL_POP_NBLSS_METRO, /* 광역시·세종·창원 */
    CL_POP_NBLSS_OTHER,
    CL_POP_NBLSS_COUNT
};
/* region.pension_tier -> 기초연금/장애인연금 기본재산액 (§4.2) */
enum cl_pop_pension_tier {
    CL_POP_PENSION_LARGE_CITY,
    CL_POP_PENSION_SMALL_CITY,
    CL_POP_PENSION_RURAL,
    CL_POP_PENSION_COUNT
};
/* region.child_allowance_area -> 아동수당 supplement (§4.3) */
enum cl_pop_ca_area {
    CL_POP_CA_CAPITAL,
    CL_POP_CA_NON_CAPITAL,
    CL_POP_CA_DECLINE_PREFERRED,
    CL_POP_CA_DECLINE_SPECIAL,
    CL_POP_CA_COUNT
};
/* housing.tenure */
enum cl_pop_tenure {
    CL_POP_TENURE_OWN,
    CL_POP_TENURE_JEONSE,
    CL_POP_TENURE_MONTHLY_RENT,
    CL_POP_TENURE_FREE,
    CL_POP_TENURE_COUNT
};
/* household kind */
enum cl_pop_kind {
    CL_POP_KIND_GENERAL,
    CL_POP_KIND_YOUTH_INDEPENDENT,
    CL_POP_KIND_ORIGIN,
    CL_POP_KIND_GRANDPARENT_GRANDCHILD,
    CL_POP_KIND_COUNT
};
/* person relation to the head */
enum cl_pop_relation {
    CL_POP_REL_HEAD,
    CL_POP_REL_SPOUSE,
    CL_POP_REL_CHILD,
    CL_POP_REL_PARENT,
    CL_POP_REL_GRANDCHILD,
    CL_POP_REL_COUNT
};
enum cl_pop_sex { CL_POP_SEX_M, CL_POP_SEX_F, CL_POP_SEX_COUNT }; /* "M" | "F" */
enum cl_pop_school {                                              /* school (null = none) */
                     CL_POP_SCHOOL_NONE,
                     CL_POP_SCHOOL_ELEMENTARY,
                     CL_POP_SCHOOL_MIDDLE,
                     CL_POP_SCHOOL_HIGH,
                     CL_POP_SCHOOL_UNIVERSITY,
                     CL_POP_SCHOOL_COUNT
};

/* Money groups: column indexes into cl_pop.income_monthly / income_annual / assets. */
/* income_monthly, KRW per month */
enum cl_pop_im {
    CL_POP_IM_EARNED,
    CL_POP_IM_BUSINESS,
    CL_POP_IM_PUBLIC_PENSION,
    CL_POP_IM_PRIVATE_PENSION,
    CL_POP_IM_PROPERTY_INCOME,
    CL_POP_IM_OTHER,
    CL_POP_IM_COUNT
};
/* income_annual_2025, KRW for calendar 2025 */
enum cl_pop_ia { CL_POP_IA_EARNED, CL_POP_IA_BUSINESS, CL_POP_IA_OTHER_TAXABLE, CL_POP_IA_COUNT };
/* assets, KRW */
enum cl_pop_as {
    CL_POP_AS_HOUSING,
    CL_POP_AS_GENERAL,
    CL_POP_AS_FINANCIAL,
    CL_POP_AS_VEHICLE,
    CL_POP_AS_DEBT,
    CL_POP_AS_COUNT
};

/* Person flags (cl_pop.p_flags). */
enum cl_pop_person_flag {
    CL_POP_P_DISABLED = 1 << 0,     /* disability.registered */
    CL_POP_P_SEVERE = 1 << 1,       /* disability.severe (장애의 정도가 심한 장애인) */
    CL_POP_P_PREGNANT = 1 << 2,     /* pregnant */
    CL_POP_P_RARE_DISEASE = 1 << 3, /* rare_disease */
    CL_POP_P_DAYCARE = 1 << 4,      /* daycare */
    CL_POP_P_OCC_PENSION = 1 << 5,  /* occupational_pension */
    CL_POP_P_CONSENT = 1 << 6,      /* consent.financial */
    CL_POP_P_KR = 1 << 7,           /* nationality == "KR" */
    CL_POP_P_HAS_INCOME_MONTHLY = 1 << 8, /* income_monthly is not null */
    CL_POP_P_HAS_INCOME_ANNUAL = 1 << 9,  /* income_annual_2025 is not null */
    CL_POP_P_HAS_ASSETS = 1 << 10,        /* assets is not null */
};

/* Household flags (cl_pop.hh_flags). */
enum cl_pop_household_flag {
    CL_POP_H_SINGLE_PARENT = 1 << 0, /* single_parent */
    CL_POP_H_PARENTS_GIVEN = 1 << 1, /* parents_household_id was a string: hh_parents is -1
                                        when that household is not (validly) in the feed */
    CL_POP_H_HAS_DEPOSIT = 1 << 2,   /* housing.deposit present and not null */
    CL_POP_H_HAS_RENT = 1 << 3,      /* housing.monthly_rent present and not null */
};

struct cl_pop {
    /* households, nh of them */
    size_t nh;
    int32_t *hh_first;        /* nh + 1 entries: members of h are [hh_first[h], hh_first[h + 1]) */
    int32_t *hh_head;         /* person index of the member with relation "head" (exactly one) */
    int32_t *hh_parents;      /* parents_household_id as a household index, -1 = null/not known */
    int32_t *hh_deposit;      /* housing.deposit, money (cl_pop_money), 0 when absent */
    int32_t *hh_rent;         /* housing.monthly_rent, money, 0 when absent */
    uint8_t *hh_nblss_tier;   /* enum cl_pop_nblss_tier */
    uint8_t *hh_pension_tier; /* enum cl_pop_pension_tier */
    uint8_t *hh_ca_area;      /* enum cl_pop_ca_area */
    uint8_t *hh_tenure;       /* enum cl_pop_tenure */
    uint8_t *hh_kind;         /* enum cl_pop_kind */
    uint8_t *hh_flags;        /* enum cl_pop_household_flag */

    /* persons, np of them */
    size_t np;
    int32_t *p_hh;          /* household index */
    int32_t *p_spouse;      /* person index of spouse_id (same household), -1 = none */
    int32_t *p_birth;       /* birth_date, days since 1970-01-01 */
    uint16_t *p_flags;      /* enum cl_pop_person_flag */
    uint8_t *p_sex;         /* enum cl_pop_sex */
    uint8_t *p_relation;    /* enum cl_pop_relation */
    uint8_t *p_school;      /* enum cl_pop_school */
    uint8_t *p_birth_order; /* 1.. = n-th child of the mother, 0 = null; above 255 saturates */
    int32_t *income_monthly[CL_POP_IM_COUNT]; /* money columns, valid when HAS_INCOME_MONTHLY */
    int32_t *income_annual[CL_POP_IA_COUNT];  /* money columns, valid when HAS_INCOME_ANNUAL */
    int32_t *assets[CL_POP_AS_COUNT];         /* money columns, valid when HAS_ASSETS */

    /* amounts above INT32_MAX, pointed at by negative money values */
    int64_t *wide;
    size_t nwide;

    int32_t evaluation_date; /* of the feed header; has_evaluation_date false without one */
    bool has_evaluation_date;

    /* private: text, identifiers and indexes; use the functions below */
    struct cl_pop_priv *priv;
};

/** Read a money column value: the amount in won (exact). */
static inline int64_t
cl_pop_money(const struct cl_pop *pop, int32_t v)
{
    return v >= 0 ? (int64_t)v : pop->wide[-((int64_t)v + 1)];
}

/** Number of members of household h. */
static inline int32_t
cl_pop_hh_size(const struct cl_pop *pop, size_t h)
{
    return pop->hh_first[h + 1] - pop->hh_first[h];
}

/** Names of enum values as in the feed ("seoul", "monthly_rent", ...), index = value. */
CL_API extern const char *const cl_pop_nblss_tier_names[CL_POP_NBLSS_COUNT];
CL_API extern const char *const cl_pop_pension_tier_names[CL_POP_PENSION_COUNT];
CL_API extern const char *const cl_pop_ca_area_names[CL_POP_CA_COUNT];
CL_API extern const char *const cl_pop_tenure_names[CL_POP_TENURE_COUNT];
CL_API extern const char *const cl_pop_kind_names[CL_POP_KIND_COUNT];
CL_API extern const char *const cl_pop_relation_names[CL_POP_REL_COUNT];
CL_API extern const char *const cl_pop_sex_names[CL_POP_SEX_COUNT];
CL_API extern const char *const cl_pop_school_names[CL_POP_SCHOOL_COUNT]; /* [0] = NULL */
CL_API extern const char *const cl_pop_im_names[CL_POP_IM_COUNT];         /* "earned", ... */
CL_API extern const char *const cl_pop_ia_names[CL_POP_IA_COUNT];
CL_API extern const char *const cl_pop_as_names[CL_POP_AS_COUNT];

/** An empty store. */
CL_API void cl_pop_init(struct cl_pop *pop);
/** Release every column, index and owned text; safe twice. */
CL_API void cl_pop_fini(struct cl_pop *pop);

/* ---- loading the feed ---- */

struct cl_pop_limits {
    size_t max_record_bytes; /* largest household object (JSON text) */
    unsigned max_depth;      /* deepest nesting inside a household object */
    unsigned max_members;    /* most members in one household */
    size_t max_id_bytes;     /* longest household/person id (at most 255) */
    size_t max_households;   /* most household records in the feed */
    size_t max_persons;      /* most persons in the store (at most CL_POP_MAX_PERSONS) */
    unsigned threads;        /* JSON Lines loaded in this many parts at once; 0 = one per
                                online CPU for feeds of 32 MiB and more, 1 = in one run */
};

/** Defaults: 1 MiB record, depth 8, 64 members, 64-byte ids, 100 M households/persons,
 * threads 0. */
CL_API void cl_pop_limits_default(struct cl_pop_limits *lim);

/**
 * Called for each skipped household record. index is the record's position (0-based) in
 * the feed; id its id when it was readable ({NULL, 0} otherwise); err->where names the
 * record and the field path, e.g. `households[17] id "H000123": members[2].birth_date`,
 * err->msg the problem ("not a date"). Ids are printed, values never.
 */
typedef void (*cl_pop_report_fn)(void *ctx, size_t index, struct cl_bytes id,
                                 const struct cl_error *err);

struct cl_pop_summary {
    size_t records; /* household records seen */
    size_t loaded;  /* households loaded */
    size_t skipped; /* household records skipped (each one reported) */
    size_t persons; /* persons loaded */
    bool jsonl;     /* the feed was JSON Lines */
};

/**
 * Load a feed into an empty store: a JSON document {"schema", "evaluation_date",
 * "households": [...]} or JSON Lines (one household object per line, optionally a first
 * header line {"schema", "evaluation_date"}), detected from the text. Each household record
 * is validated alone; a bad one is reported through report (may be NULL), skipped whole and
 * counted, and the rest are loaded. parents_household_id is resolved after the whole feed.
 * Large JSON Lines feeds are read in parts on several threads (lim->threads); the store and
 * the reports (called on the caller's thread, in record order) are the same as in one run.
 * @param text  the feed, borrowed: it must outlive the store (ids are views into it)
 * @param lim   limits, or NULL for cl_pop_limits_default()
 * @param sum   OUT: counts, may be NULL
 * @return CL_OK (even with skipped records), CL_ERR_INPUT / CL_ERR_TOO_LARGE when the feed
 *         as a whole is not readable (not JSON, wrong schema, bad evaluation_date, over
 *         max_households/max_persons), CL_ERR_NOMEM; the store is empty on failure
 */
CL_API CL_NODISCARD cl_err cl_pop_load(struct cl_pop *pop, struct cl_bytes text,
                                       const struct cl_pop_limits *lim, cl_pop_report_fn report,
                                       void *ctx, struct cl_pop_summary *sum, struct cl_error *err);

/** cl_pop_load of a file the store maps (or reads) and owns; "-" reads standard input. */
CL_API CL_NODISCARD cl_err cl_pop_load_file(struct cl_pop *pop, const char *path,
                                            const struct cl_pop_limits *lim,
                                            cl_pop_report_fn report, void *ctx,
                                            struct cl_pop_summary *sum, struct cl_error *err);

/* ---- identifiers and lookups ---- */

/** Household h's id (a view into the text). */
CL_API struct cl_bytes cl_pop_household_id(const struct cl_pop *pop, size_t h);
/** Person i's id. */
CL_API struct cl_bytes cl_pop_person_id(const struct cl_pop *pop, size_t i);
/** Household h's record as received (one JSON object), for names, notes and explanations. */
CL_API struct cl_bytes cl_pop_household_text(const struct cl_pop *pop, size_t h);

/** Index of the household with this id, or -1. */
CL_API int32_t cl_pop_find_household(const struct cl_pop *pop, struct cl_bytes id);
/**
 * Index of the person with this id into *out (-1 and CL_ERR_NOT_FOUND when there is none).
 * The loader checks person ids with an index it then frees, leaving the memory to the
 * evaluation; the first call here builds it again (about 7 bytes per person), hence
 * CL_ERR_NOMEM. Not safe to call from two threads at once on a fresh store.
 */
CL_API CL_NODISCARD cl_err cl_pop_find_person(struct cl_pop *pop, struct cl_bytes id, int32_t *out,
                                              struct cl_error *err);

/** Bytes held by the store beyond the text (columns, ids, indexes, wide amounts). */
CL_API size_t cl_pop_memory(const struct cl_pop *pop);

/* ---- synthetic population ---- */

struct cl_pop_synth_opts {
    size_t households;       /* how many households */
    uint64_t seed;           /* same seed, same bytes on every machine */
    int32_t evaluation_date; /* header's evaluation_date; 0 means 2026-03-01 */
    bool json_document;      /* write the JSON document form instead of JSON Lines */
};

/**
 * Write a synthetic feed (JSON Lines with a header line, or the JSON document form) of
 * realistic Korean households (docs/population.md gives the distributions and sources).
 * @return CL_OK, CL_ERR_IO when writing fails, CL_ERR_USAGE for bad options
 */
CL_API CL_NODISCARD cl_err cl_pop_synth_write(FILE *out, const struct cl_pop_synth_opts *opts,
                                              struct cl_error *err);

/** The same population straight into an empty store (the store owns the generated text). */
CL_API CL_NODISCARD cl_err cl_pop_synth(struct cl_pop *pop, const struct cl_pop_synth_opts *opts,
                                        struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_POPULATION_H */
