/* jwt.c - JWT claim checks (RFC 7519 §4.1): exp, nbf, iat with leeway, aud, iss. */
#include <stdio.h>
#include <string.h>

#include "cardless/jose.h"
#include "jose/jose_int.h"

#include "base/banned.h"

/* RFC 7519 §2 NumericDate: seconds as a JSON number; we take whole seconds in range only. */
static cl_err
numeric_date(const json_t *v, const char *name, int64_t *out, struct cl_error *err)
{
    *out = 0;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);

        if (i < 0 || i > CL_JWT_TIME_MAX)
            return cl_fail(err, CL_ERR_INPUT, name, "%s is out of range (0 to year 9999)", name);
        *out = (int64_t)i;
        return CL_OK;
    }
    if (json_is_real(v)) {
        double r = json_real_value(v);
        int64_t i;

        if (!(r >= 0.0 && r <= (double)CL_JWT_TIME_MAX))
            return cl_fail(err, CL_ERR_INPUT, name, "%s is out of range (0 to year 9999)", name);
        i = (int64_t)r;
        if ((double)i != r)
            return cl_fail(err, CL_ERR_INPUT, name, "%s is not a whole number of seconds", name);
        *out = i;
        return CL_OK;
    }
    return cl_fail(err, CL_ERR_INPUT, name, "%s is not a number", name);
}

cl_err
cl_jwt_numeric_date(const json_t *claims, const char *name, int64_t *out, bool *present,
                    struct cl_error *err)
{
    const json_t *v = json_object_get(claims, name);

    *out = 0;
    *present = v != NULL;
    if (v == NULL)
        return CL_OK;
    return numeric_date(v, name, out, err);
}

static bool
str_is(const json_t *s, const char *want)
{
    size_t n = strlen(want);

    return json_string_length(s) == n && memcmp(json_string_value(s), want, n) == 0;
}

/* RFC 7519 §4.1.3: a string, or an array of strings, one of which must be ours */
static cl_err
check_aud(const json_t *aud, const char *want, struct cl_error *err)
{
    bool found = false;
    char where[32];

    if (json_is_string(aud)) {
        found = want == NULL || str_is(aud, want);
    } else if (json_is_array(aud)) {
        for (size_t i = 0; i < json_array_size(aud); i++) {
            const json_t *v = json_array_get(aud, i);

            if (!json_is_string(v)) {
                snprintf(where, sizeof where, "aud[%zu]", i);
                return cl_fail(err, CL_ERR_INPUT, where, "audience is not a string");
            }
            if (want != NULL && str_is(v, want))
                found = true;
        }
        if (want == NULL)
            found = true;
    } else {
        return cl_fail(err, CL_ERR_INPUT, "aud", "aud is neither a string nor an array of strings");
    }
    if (!found)
        return cl_fail(err, CL_ERR_POLICY, "aud", "aud does not name the expected audience");
    return CL_OK;
}

cl_err
cl_jwt_check_claims(const json_t *claims, const struct cl_jwt_check *chk, struct cl_error *err)
{
    int64_t exp, nbf, iat, now, lee;
    bool has_exp, has_nbf, has_iat;
    const json_t *aud, *iss;
    cl_err rc;

    if (chk == NULL || chk->now < 0 || chk->now > CL_JWT_TIME_MAX || chk->leeway < 0 ||
        chk->leeway > CL_JWT_LEEWAY_MAX || chk->max_age < 0)
        return cl_fail(err, CL_ERR_USAGE, NULL, "time, leeway or max_age out of range");
    if (!json_is_object(claims))
        return cl_fail(err, CL_ERR_INPUT, "claims", "JWT claims set is not a JSON object");
    now = chk->now;
    lee = chk->leeway;
    if ((rc = cl_jwt_numeric_date(claims, "exp", &exp, &has_exp, err)) != CL_OK ||
        (rc = cl_jwt_numeric_date(claims, "nbf", &nbf, &has_nbf, err)) != CL_OK ||
        (rc = cl_jwt_numeric_date(claims, "iat", &iat, &has_iat, err)) != CL_OK)
        return rc;
    /* all values are within 0..CL_JWT_TIME_MAX (+ a day of leeway): no overflow below */
    if (has_exp && now >= exp + lee) /* §4.1.4: valid only before exp */
        return cl_fail(err, CL_ERR_EXPIRED, "exp", "expired: exp has passed");
    if (!has_exp && chk->require_exp)
        return cl_fail(err, CL_ERR_MISSING, "exp", "no exp claim");
    if (has_nbf && now + lee < nbf) /* §4.1.5: valid from nbf on */
        return cl_fail(err, CL_ERR_EXPIRED, "nbf", "not yet valid: nbf is in the future");
    if (!has_iat && (chk->require_iat || chk->max_age > 0))
        return cl_fail(err, CL_ERR_MISSING, "iat", "no iat claim");
    if (has_iat && iat > now + lee)
        return cl_fail(err, CL_ERR_EXPIRED, "iat", "issued in the future: iat is after now");
    if (has_iat && chk->max_age > 0 && now - iat - lee > chk->max_age)
        return cl_fail(err, CL_ERR_EXPIRED, "iat", "too old: iat is more than max_age ago");
    aud = json_object_get(claims, "aud");
    if (aud != NULL && (rc = check_aud(aud, chk->aud, err)) != CL_OK)
        return rc;
    if (aud == NULL && chk->aud != NULL)
        return cl_fail(err, CL_ERR_POLICY, "aud", "no aud claim, an audience is expected");
    iss = json_object_get(claims, "iss");
    if (iss != NULL && !json_is_string(iss)) /* §4.1.1: StringOrURI */
        return cl_fail(err, CL_ERR_INPUT, "iss", "iss is not a string");
    if (chk->iss != NULL && iss == NULL)
        return cl_fail(err, CL_ERR_POLICY, "iss", "no iss claim, an issuer is expected");
    if (chk->iss != NULL && !str_is(iss, chk->iss))
        return cl_fail(err, CL_ERR_POLICY, "iss", "iss is not the expected issuer");
    return CL_OK;
}
