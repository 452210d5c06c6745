/*
 * time.c - civil dates and RFC 3339 instants, computed without the C library's time zone
 * state (Howard Hinnant's days_from_civil), so results never depend on TZ or locale.
 */
#include <stdio.h>
#include <time.h>

#include "cardless/time.h"

#include "base/banned.h"

int32_t
cl_days_from_civil(int32_t year, unsigned month, unsigned day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = month > 2 ? (int64_t)month - 3 : (int64_t)month + 9;
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return (int32_t)(era * 146097 + doe - 719468);
}

void
cl_civil_from_days(int32_t days, int32_t *year, unsigned *month, unsigned *day)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;

    *year = (int32_t)(y + (m <= 2));
    *month = (unsigned)m;
    *day = (unsigned)d;
}

static bool
is_leap(int32_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool
cl_civil_valid(int32_t year, unsigned month, unsigned day)
{
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month < 1 || month > 12 || day < 1)
        return false;
    return day <= mdays[month - 1] + (month == 2 && is_leap(year));
}

/* n decimal digits at s[at..at+n), or -1 */
static int
digits(struct cl_bytes s, size_t at, size_t n)
{
    int v = 0;

    if (at > s.len || n > s.len - at)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s.ptr[at + i];

        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

static cl_err
parse_date_part(struct cl_bytes s, int32_t *days, struct cl_error *err)
{
    int y = digits(s, 0, 4), m, d;

    if (y < 0 || s.len < 10 || s.ptr[4] != '-' || s.ptr[7] != '-')
        return cl_fail(err, CL_ERR_INPUT, "date", "not a date of the form YYYY-MM-DD");
    m = digits(s, 5, 2);
    d = digits(s, 8, 2);
    if (m < 1 || m > 12)
        return cl_fail(err, CL_ERR_INPUT, "date.month", "month is not 01-12");
    if (d < 1 || !cl_civil_valid(y, (unsigned)m, (unsigned)d))
        return cl_fail(err, CL_ERR_INPUT, "date.day", "day does not exist in that month");
    *days = cl_days_from_civil(y, (unsigned)m, (unsigned)d);
    return CL_OK;
}

cl_err
cl_date_parse(struct cl_bytes s, int32_t *days, struct cl_error *err)
{
    int32_t v;
    cl_err rc;

    if (s.len != 10)
        return cl_fail(err, CL_ERR_INPUT, "date", "not a date of the form YYYY-MM-DD");
    rc = parse_date_part(s, &v, err);
    if (rc == CL_OK)
        *days = v;
    return rc;
}

void
cl_date_format(int32_t days, char out[11])
{
    int32_t y;
    unsigned m, d;

    cl_civil_from_days(days, &y, &m, &d);
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    snprintf(out, 11, "%04d-%02u-%02u", (int)y, m, d);
}

cl_err
cl_rfc3339_parse(struct cl_bytes s, int64_t *secs, int32_t *nanos, struct cl_error *err)
{
    int32_t days;
    int hh, mm, ss;
    int32_t frac = 0;
    int64_t off = 0;
    size_t i;
    cl_err rc;

    rc = parse_date_part(s, &days, err);
    if (rc != CL_OK)
        return rc;
    if (s.len < 20 || (s.ptr[10] != 'T' && s.ptr[10] != 't') || s.ptr[13] != ':' ||
        s.ptr[16] != ':')
        return cl_fail(err, CL_ERR_INPUT, "date-time",
                       "not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ)");
    hh = digits(s, 11, 2);
    mm = digits(s, 14, 2);
    ss = digits(s, 17, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return cl_fail(err, CL_ERR_INPUT, "date-time.time", "time of day out of range");
    if (ss == 60)
        ss = 59;
    i = 19;
    if (i < s.len && s.ptr[i] == '.') {
        size_t nd = 0;

        i++;
        while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
            if (nd < 9)
                frac = frac * 10 + (s.ptr[i] - '0');
            nd++;
            i++;
        }
        if (nd == 0)
            return cl_fail(err, CL_ERR_INPUT, "date-time.fraction", "no digits after '.'");
        for (; nd < 9; nd++)
            frac *= 10;
    }
    if (i < s.len && (s.ptr[i] == 'Z' || s.ptr[i] == 'z') && i + 1 == s.len) {
        off = 0;
    } else if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-') && s.len - i == 6 &&
               s.ptr[i + 3] == ':') {
        int oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);

        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return cl_fail(err, CL_ERR_INPUT, "date-time.offset", "time offset out of range");
        off = (int64_t)(oh * 3600 + om * 60) * (s.ptr[i] == '-' ? -1 : 1);
    } else {
        return cl_fail(err, CL_ERR_INPUT, "date-time.offset",
                       "missing or malformed time offset (Z or +HH:MM)");
    }
    *secs = (int64_t)days * 86400 + hh * 3600 + mm * 60 + ss - off;
    if (nanos != NULL)
        *nanos = frac;
    return CL_OK;
}

void
cl_rfc3339_format(int64_t secs, char out[21])
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    int32_t y;
    unsigned m, d;

    if (days < -719528) { /* before 0000-01-01 */
        days = -719528;
        rem = 0;
    }
    if (days > 2932896) { /* after 9999-12-31 */
        days = 2932896;
        rem = 86399;
    }
    cl_civil_from_days((int32_t)days, &y, &m, &d);
    snprintf(out, 21, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d, (int)(rem / 3600),
             (int)(rem / 60 % 60), (int)(rem % 60));
}

int64_t
cl_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return (int64_t)time(NULL);
    return (int64_t)ts.tv_sec;
}
