/*
 * cardless/time.h - calendar dates and instants without the C library's time zone state.
 * A date is int32_t days since 1970-01-01 (proleptic Gregorian); an instant is int64_t
 * seconds since the epoch, UTC. Parsers are strict: RFC 3339 date-time ("T" or "t", "Z" or a
 * numeric offset, optional fraction which is truncated) and full-date "YYYY-MM-DD".
 */
#ifndef CARDLESS_TIME_H
#define CARDLESS_TIME_H

#include "cardless/bytes.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

/** Days since 1970-01-01 of a civil date; month 1..12, day 1..31 (not checked here). */
CL_API int32_t cl_days_from_civil(int32_t year, unsigned month, unsigned day);
/** The civil date of a day number. */
CL_API void cl_civil_from_days(int32_t days, int32_t *year, unsigned *month, unsigned *day);
/** Whether year/month/day names a real day (leap years included). */
CL_API bool cl_civil_valid(int32_t year, unsigned month, unsigned day);

/** Parse "YYYY-MM-DD" (years 0000-9999) into days. CL_ERR_INPUT naming the part. */
CL_API CL_NODISCARD cl_err cl_date_parse(struct cl_bytes s, int32_t *days, struct cl_error *err);
/** Write "YYYY-MM-DD" and a NUL into out[11]. */
CL_API void cl_date_format(int32_t days, char out[11]);

/**
 * Parse an RFC 3339 date-time into seconds since the epoch (UTC). Leap second 60 is accepted
 * and counted as 59. Fractions are accepted and dropped; *nanos gets them when not NULL.
 */
CL_API CL_NODISCARD cl_err cl_rfc3339_parse(struct cl_bytes s, int64_t *secs, int32_t *nanos,
                                            struct cl_error *err);
/** Write "YYYY-MM-DDTHH:MM:SSZ" and a NUL into out[21]; years outside 0..9999 are clamped. */
CL_API void cl_rfc3339_format(int64_t secs, char out[21]);

/** The current time in seconds since the epoch. */
CL_API int64_t cl_now(void);

CL_END_DECLS
#endif /* CARDLESS_TIME_H */
