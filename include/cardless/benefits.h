/*
 * cardless/benefits.h - proactive welfare eligibility: benefit rules as data (docs/rules.md),
 * compiled once into bytecode evaluated over the columnar population store (population.h),
 * three-valued results (specs/welfare-2026.md §2), explanations, forecasts and diffs.
 *
 * Rules: a directory of *.rule files (one benefit each) and *.param files (effective-dated
 * parameter tables). Numbers are exact: int64 multiples of 1/30000 won, no floating point.
 * Memory: a cl_benefits_rules owns everything it parsed (cl_benefits_rules_free). Results of
 * a pass are caller-sized arrays (cl_benefits_results_init / _fini).
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL; rule
 * and parameter errors name "file:line:column".
 */
#ifndef CARDLESS_BENEFITS_H
#define CARDLESS_BENEFITS_H

#include "cardless/bytes.h"
#include "cardless/defs.h"
#include "cardless/error.h"
#include "cardless/population.h"
CL_BEGIN_DECLS

/* statuses (welfare-2026.md §2); values are stable and stored as uint8_t */
enum cl_benefits_status {
    CL_BENEFITS_NOT_ELIGIBLE = 0,
    CL_BENEFITS_ELIGIBLE = 1,
    CL_BENEFITS_UNKNOWN_MISSING_DATA = 2,
    CL_BENEFITS_UNKNOWN_NEEDS_CONSENT = 3,
};
/* the period an amount is paid for */
enum cl_benefits_period {
    CL_BENEFITS_PERIOD_NONE = 0, /* in kind or not stated: amount is null */
    CL_BENEFITS_PERIOD_MONTHLY,
    CL_BENEFITS_PERIOD_ANNUAL,
    CL_BENEFITS_PERIOD_LUMP_SUM,
};
enum cl_benefits_unit {
    CL_BENEFITS_UNIT_PERSON = 1,
    CL_BENEFITS_UNIT_HOUSEHOLD = 2,
    CL_BENEFITS_UNIT_HEAD = 3, /* the household head (근로장려금) */
};

/** "eligible", "not_eligible", "unknown_missing_data", "unknown_needs_consent". */
CL_API const char *cl_benefits_status_name(unsigned status);
/** "monthly", "annual", "lump_sum" or NULL. */
CL_API const char *cl_benefits_period_name(unsigned period);

struct cl_benefits_rules;

/** Metadata of one benefit, as its rule file states it. */
struct cl_benefits_info {
    const char *id, *name_ko, *name_en, *agency, *legal_basis, *source, *apply, *file;
    unsigned unit;   /* enum cl_benefits_unit */
    unsigned period; /* enum cl_benefits_period */
};

/**
 * Parse and check every *.rule and *.param file under dir (not recursive), resolve names,
 * check the parameter tables (a gap or overlap between effective dates is an error naming
 * the row) and compile each benefit. Errors name "file:line:column".
 */
CL_API CL_NODISCARD cl_err cl_benefits_rules_load(const char *dir, struct cl_benefits_rules **out,
                                                  struct cl_error *err);
/** An empty rule set, to add texts to (tests, fuzzing). */
CL_API CL_NODISCARD cl_err cl_benefits_rules_new(struct cl_benefits_rules **out,
                                                 struct cl_error *err);
/** Add one file's text: kind by name (".rule" or ".param"); name appears in errors. */
CL_API CL_NODISCARD cl_err cl_benefits_rules_add(struct cl_benefits_rules *r, const char *name,
                                                 struct cl_bytes text, struct cl_error *err);
/** Check tables, link references and order benefits; after this the set can evaluate. */
CL_API CL_NODISCARD cl_err cl_benefits_rules_finish(struct cl_benefits_rules *r,
                                                    struct cl_error *err);
CL_API void cl_benefits_rules_free(struct cl_benefits_rules *r);

CL_API size_t cl_benefits_count(const struct cl_benefits_rules *r);
CL_API void cl_benefits_info(const struct cl_benefits_rules *r, size_t i,
                             struct cl_benefits_info *out);
/** Index of a benefit id, or -1. */
CL_API int cl_benefits_find(const struct cl_benefits_rules *r, const char *id);
/** Number of parameter tables and rows, for `benefits check`. */
CL_API void cl_benefits_stats(const struct cl_benefits_rules *r, size_t *tables, size_t *rows);

/*
 * Results of one pass, compact: per benefit, one status byte and one amount per subject.
 * Subjects of person benefits are person indexes; of household and head benefits household
 * indexes (a head benefit's subject person is pop->hh_head[h]).
 */
struct cl_benefits_results {
    size_t nben;
    size_t *nsub;     /* per benefit: np or nh */
    uint8_t **status; /* per benefit: enum cl_benefits_status per subject */
    int32_t **amount; /* per benefit: won per period (0 when none; saturates at INT32_MAX);
                         NULL for a benefit without an amount (in kind) */
    int32_t at;
};
CL_API CL_NODISCARD cl_err cl_benefits_results_init(struct cl_benefits_results *res,
                                                    const struct cl_benefits_rules *r,
                                                    const struct cl_pop *pop, struct cl_error *err);
CL_API void cl_benefits_results_fini(struct cl_benefits_results *res);

/**
 * Evaluate every benefit for the whole population on date at, households split over
 * nthreads threads (1 = this thread only). Household aggregates are computed once per pass.
 * @return CL_OK; CL_ERR_INPUT when a parameter read has no row for the date
 */
CL_API CL_NODISCARD cl_err cl_benefits_eval(const struct cl_benefits_rules *r,
                                            const struct cl_pop *pop, int32_t at, unsigned nthreads,
                                            struct cl_benefits_results *res, struct cl_error *err);

/** Re-evaluate one household (after a change in its data) into res. */
CL_API CL_NODISCARD cl_err cl_benefits_eval_household(const struct cl_benefits_rules *r,
                                                      const struct cl_pop *pop, int32_t at,
                                                      size_t h, struct cl_benefits_results *res,
                                                      struct cl_error *err);

/*
 * Result lines (the `benefits eval` contract), one JSON object per line: household_id,
 * person_id (null for household benefits), benefit, status, amount ({"monthly": won} /
 * {"annual": ...} / {"lump_sum": ...} or null), checks [...], missing [...], next_change
 * (the next date the result changes by time alone, or null), at. A writer evaluates one
 * household at a time with tracing on and caches parameters per date for forecasts.
 */
enum {
    CL_BENEFITS_ALL = 1,     /* write not_eligible results too */
    CL_BENEFITS_EXPLAIN = 2, /* add "explanation": {"ko", "en"} */
    CL_BENEFITS_NO_FORECAST = 4,
};
struct cl_benefits_writer;
CL_API CL_NODISCARD cl_err cl_benefits_writer_new(const struct cl_benefits_rules *r,
                                                  const struct cl_pop *pop, int32_t at,
                                                  unsigned flags, struct cl_benefits_writer **out,
                                                  struct cl_error *err);
/** Append the lines of household h (every benefit and subject) to out. */
CL_API CL_NODISCARD cl_err cl_benefits_writer_household(struct cl_benefits_writer *w, size_t h,
                                                        struct cl_buf *out, size_t *lines,
                                                        struct cl_error *err);
CL_API void cl_benefits_writer_free(struct cl_benefits_writer *w);

/** The human-readable account for one person and their household (`benefits explain`). */
CL_API CL_NODISCARD cl_err cl_benefits_explain_person(const struct cl_benefits_rules *r,
                                                      const struct cl_pop *pop, int32_t at,
                                                      size_t person, struct cl_buf *out,
                                                      struct cl_error *err);

/*
 * Diff of two result files (JSON Lines as written above): one JSON line per transition
 * (newly_eligible, no_longer_eligible, amount_changed, unknown_resolved, consent_needed,
 * upcoming_change)
 * with notices in Korean and English. notified (may be NULL) holds the keys of transitions
 * already notified, one per line; they are skipped and the new keys appended to it.
 */
struct cl_benefits_diff_opts {
    int upcoming_days;                     /* < 0: no upcoming-change transitions */
    const struct cl_benefits_rules *rules; /* names for notices, may be NULL */
};
CL_API CL_NODISCARD cl_err cl_benefits_diff(struct cl_bytes before, struct cl_bytes after,
                                            const struct cl_benefits_diff_opts *opts,
                                            struct cl_buf *notified, struct cl_buf *out,
                                            size_t *count, struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_BENEFITS_H */
