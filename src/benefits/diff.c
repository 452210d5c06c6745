/*
 * diff.c - transitions between two result sets (newly eligible, no longer eligible, amount
 * changed, unknown resolved, upcoming change within N days) with notices in Korean and
 * English; transitions already notified (keys in the notified-state text) are not repeated.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "benefits/benefits_int.h"
#include "cardless/alloc.h"
#include "cardless/time.h"

#include "base/banned.h"

#define DIFF_LINE_MAX ((size_t)1 << 20)

struct rec {
    char *key; /* household|person|benefit */
    char *hh, *person, *benefit;
    int status;      /* enum cl_benefits_status */
    char period[16]; /* "" when null */
    long long amount;
    int32_t next, at; /* 0 when null */
};

struct recs {
    struct rec *v;
    size_t n, cap;
};

static void
recs_fini(struct recs *r)
{
    for (size_t i = 0; i < r->n; i++) {
        cl_free(r->v[i].key);
    }
    cl_free(r->v);
    memset(r, 0, sizeof *r);
}

static int
status_of(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(cl_benefits_status_name((unsigned)i), s) == 0)
            return i;
    return -1;
}

static int32_t
date_of(json_t *v)
{
    int32_t d = 0;
    const char *s = json_string_value(v);

    if (s == NULL || cl_date_parse(cl_bytes_str(s), &d, NULL) != CL_OK)
        return 0;
    return d;
}

static cl_err
parse_lines(struct cl_bytes text, const char *name, struct recs *out, struct cl_error *err)
{
    size_t line = 0;
    const uint8_t *p = text.ptr, *end = text.ptr + text.len;

    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *le = nl != NULL ? nl : end;
        json_t *j, *a;
        json_error_t je;
        struct rec r;
        const char *hh, *ben, *st, *person;
        char where[64];
        size_t klen;

        line++;
        memset(&r, 0, sizeof r);
        snprintf(where, sizeof where, "%s:%zu", name, line);
        if (le == p) {
            p = le + 1;
            continue;
        }
        if ((size_t)(le - p) > DIFF_LINE_MAX)
            return cl_fail(err, CL_ERR_TOO_LARGE, where, "result line too long");
        j = json_loadb((const char *)p, (size_t)(le - p), 0, &je);
        p = le + 1;
        if (j == NULL || !json_is_object(j)) {
            json_decref(j);
            return cl_fail(err, CL_ERR_INPUT, where, "not a JSON object");
        }
        hh = json_string_value(json_object_get(j, "household_id"));
        ben = json_string_value(json_object_get(j, "benefit"));
        st = json_string_value(json_object_get(j, "status"));
        person = json_string_value(json_object_get(j, "person_id"));
        if (hh == NULL || ben == NULL || st == NULL || (r.status = status_of(st)) < 0) {
            json_decref(j);
            return cl_fail(err, CL_ERR_INPUT, where,
                           "household_id, benefit or status missing or invalid");
        }
        a = json_object_get(j, "amount");
        if (json_is_object(a) && json_object_size(a) == 1) {
            const char *k;
            json_t *v;
            json_object_foreach(a, k, v)
            {
                snprintf(r.period, sizeof r.period, "%s", k);
                r.amount = json_integer_value(v);
            }
        }
        r.next = date_of(json_object_get(j, "next_change"));
        r.at = date_of(json_object_get(j, "at"));
        klen = strlen(hh) + strlen(ben) + (person ? strlen(person) : 0) + 4;
        /* key, then the three parts, in one allocation */
        r.key = cl_malloc(klen * 2 + 8);
        if (r.key == NULL) {
            json_decref(j);
            return cl_fail(err, CL_ERR_NOMEM, "diff", "out of memory");
        }
        snprintf(r.key, klen, "%s|%s|%s", hh, person ? person : "", ben);
        r.hh = r.key + klen;
        snprintf(r.hh, klen + 8, "%s", hh);
        r.person = r.hh + strlen(hh) + 1;
        snprintf(r.person, klen, "%s", person ? person : "");
        r.benefit = r.person + strlen(r.person) + 1;
        snprintf(r.benefit, klen, "%s", ben);
        json_decref(j);
        if (out->n == out->cap) {
            size_t nc = out->cap ? out->cap * 2 : 256;
            struct rec *nv = cl_realloc(out->v, nc * sizeof *nv);
            if (nv == NULL) {
                cl_free(r.key);
                return cl_fail(err, CL_ERR_NOMEM, "diff", "out of memory");
            }
            out->v = nv;
            out->cap = nc;
        }
        out->v[out->n++] = r;
    }
    return CL_OK;
}

static int
rec_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rec *)a)->key, ((const struct rec *)b)->key);
}

static const struct rec *
find(const struct recs *rs, const char *key)
{
    struct rec k;

    memset(&k, 0, sizeof k);
    k.key = (char *)key;
    return rs->n ? bsearch(&k, rs->v, rs->n, sizeof *rs->v, rec_cmp) : NULL;
}

static void
names(const struct cl_benefits_diff_opts *o, const char *id, const char **ko, const char **en)
{
    int i = o != NULL && o->rules != NULL ? cl_benefits_find(o->rules, id) : -1;

    *ko = *en = id;
    if (i >= 0) {
        *ko = o->rules->ben[i]->name_ko;
        *en = o->rules->ben[i]->name_en;
    }
}

static void
jstr(struct cl_buf *b, const char *s)
{
    cl_buf_append_byte(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            cl_buf_append_byte(b, '\\');
        if ((unsigned char)*s < 0x20)
            cl_buf_printf(b, "\\u%04x", (unsigned char)*s);
        else
            cl_buf_append_byte(b, (uint8_t)*s);
    }
    cl_buf_append_byte(b, '"');
}

static void
won(char *out, size_t cap, long long v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%lld", v < 0 ? -v : v);
    size_t k = 0;

    if (v < 0 && k + 1 < cap)
        out[k++] = '-';
    for (int i = 0; i < n && k + 2 < cap; i++) {
        out[k++] = tmp[i];
        if ((n - i - 1) % 3 == 0 && i != n - 1)
            out[k++] = ',';
    }
    out[k] = 0;
}

static bool
already(const struct cl_buf *notified, const char *key)
{
    size_t n = strlen(key);
    const uint8_t *p, *end;

    if (notified == NULL || notified->len == 0)
        return false;
    p = notified->ptr;
    end = p + notified->len;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *le = nl ? nl : end;
        if ((size_t)(le - p) == n && memcmp(p, key, n) == 0)
            return true;
        p = le + 1;
    }
    return false;
}

/* One transition line with its notices. */
static void
emit(struct cl_buf *out, struct cl_buf *notified, size_t *count,
     const struct cl_benefits_diff_opts *o, const struct rec *r, const char *kind, const char *from,
     const char *to, const char *detail, const char *ko, const char *en)
{
    char key[600];

    snprintf(key, sizeof key, "%s|%s|%s", r->key, kind, detail);
    if (already(notified, key))
        return;
    if (notified != NULL) {
        cl_buf_append_str(notified, key);
        cl_buf_append_byte(notified, '\n');
    }
    (void)o;
    cl_buf_append_str(out, "{\"household_id\":");
    jstr(out, r->hh);
    cl_buf_append_str(out, ",\"person_id\":");
    if (r->person[0])
        jstr(out, r->person);
    else
        cl_buf_append_str(out, "null");
    cl_buf_append_str(out, ",\"benefit\":");
    jstr(out, r->benefit);
    cl_buf_append_str(out, ",\"transition\":");
    jstr(out, kind);
    cl_buf_append_str(out, ",\"from\":");
    jstr(out, from);
    cl_buf_append_str(out, ",\"to\":");
    jstr(out, to);
    if (r->period[0]) {
        cl_buf_printf(out, ",\"amount\":{\"%s\":%lld}", r->period, r->amount);
    } else {
        cl_buf_append_str(out, ",\"amount\":null");
    }
    if (r->next) {
        char d[11];
        cl_date_format(r->next, d);
        cl_buf_printf(out, ",\"next_change\":\"%s\"", d);
    }
    cl_buf_append_str(out, ",\"notice\":{\"ko\":");
    jstr(out, ko);
    cl_buf_append_str(out, ",\"en\":");
    jstr(out, en);
    cl_buf_append_str(out, "}}\n");
    (*count)++;
}

static const char *
period_ko(const char *p)
{
    return strcmp(p, "monthly") == 0 ? "월 " : strcmp(p, "annual") == 0 ? "연 " : "";
}

static const char *
period_en(const char *p)
{
    return strcmp(p, "monthly") == 0 ? " a month" : strcmp(p, "annual") == 0 ? " a year" : "";
}

cl_err
cl_benefits_diff(struct cl_bytes before, struct cl_bytes after,
                 const struct cl_benefits_diff_opts *o, struct cl_buf *notified, struct cl_buf *out,
                 size_t *count, struct cl_error *err)
{
    struct recs b, a;
    cl_err rc;
    size_t n = 0;

    memset(&b, 0, sizeof b);
    memset(&a, 0, sizeof a);
    rc = parse_lines(before, "before", &b, err);
    if (rc == CL_OK)
        rc = parse_lines(after, "after", &a, err);
    if (rc != CL_OK)
        goto out;
    if (b.n)
        qsort(b.v, b.n, sizeof *b.v, rec_cmp);
    for (size_t i = 0; i < a.n; i++) {
        const struct rec *r = &a.v[i], *p = find(&b, r->key);
        int from = p ? p->status : CL_BENEFITS_NOT_ELIGIBLE; /* left out = not_eligible */
        const char *fs = cl_benefits_status_name((unsigned)from);
        const char *ts = cl_benefits_status_name((unsigned)r->status);
        const char *nko, *nen;
        char ko[512], en[512], amt[40], det[64];

        names(o, r->benefit, &nko, &nen);
        won(amt, sizeof amt, r->amount);
        snprintf(det, sizeof det, "%s:%lld", ts, r->amount);
        if (r->status == CL_BENEFITS_ELIGIBLE && from != CL_BENEFITS_ELIGIBLE) {
            const char *kind =
                from >= CL_BENEFITS_UNKNOWN_MISSING_DATA ? "unknown_resolved" : "newly_eligible";
            if (r->period[0]) {
                snprintf(ko, sizeof ko, "%s: 새로 받으실 수 있습니다 (%s%s원). 신청하세요.", nko,
                         period_ko(r->period), amt);
                snprintf(en, sizeof en, "You can now receive %s (%s won%s). Apply now.", nen, amt,
                         period_en(r->period));
            } else {
                snprintf(ko, sizeof ko, "%s: 새로 받으실 수 있습니다. 신청하세요.", nko);
                snprintf(en, sizeof en, "You can now receive %s. Apply now.", nen);
            }
            emit(out, notified, &n, o, r, kind, fs, ts, det, ko, en);
        } else if (r->status == CL_BENEFITS_NOT_ELIGIBLE && from == CL_BENEFITS_ELIGIBLE) {
            snprintf(ko, sizeof ko, "%s: 지급 대상에서 제외됩니다.", nko);
            snprintf(en, sizeof en, "You no longer qualify for %s.", nen);
            emit(out, notified, &n, o, r, "no_longer_eligible", fs, ts, det, ko, en);
        } else if (r->status == CL_BENEFITS_NOT_ELIGIBLE &&
                   from >= CL_BENEFITS_UNKNOWN_MISSING_DATA) {
            snprintf(ko, sizeof ko, "%s: 확인 결과 지급 대상이 아닙니다.", nko);
            snprintf(en, sizeof en, "%s: now decided - you do not qualify.", nen);
            emit(out, notified, &n, o, r, "unknown_resolved", fs, ts, det, ko, en);
        } else if (r->status >= CL_BENEFITS_UNKNOWN_MISSING_DATA && from == CL_BENEFITS_ELIGIBLE) {
            snprintf(ko, sizeof ko, "%s: 자격을 다시 확인해야 합니다 (동의 또는 자료 필요).", nko);
            snprintf(en, sizeof en,
                     "%s: your eligibility needs checking again (consent or data needed).", nen);
            emit(out, notified, &n, o, r, "no_longer_eligible", fs, ts, det, ko, en);
        } else if (r->status == CL_BENEFITS_UNKNOWN_NEEDS_CONSENT && from != r->status) {
            snprintf(ko, sizeof ko,
                     "%s: 금융정보 등 제공에 동의하시면 받으실 수 있는지 알려드리겠습니다.", nko);
            snprintf(en, sizeof en,
                     "%s: we don't know yet - share your financial data and we can tell you.", nen);
            emit(out, notified, &n, o, r, "consent_needed", fs, ts, det, ko, en);
        } else if (r->status == CL_BENEFITS_ELIGIBLE && p != NULL &&
                   (p->amount != r->amount || strcmp(p->period, r->period) != 0)) {
            char old[40];
            won(old, sizeof old, p->amount);
            snprintf(ko, sizeof ko, "%s: 금액이 %s원에서 %s%s원으로 바뀝니다.", nko, old,
                     period_ko(r->period), amt);
            snprintf(en, sizeof en, "%s changes from %s won to %s won%s.", nen, old, amt,
                     period_en(r->period));
            emit(out, notified, &n, o, r, "amount_changed", fs, ts, det, ko, en);
        }
        if (o != NULL && o->upcoming_days >= 0 && r->next > 0 && r->at > 0 &&
            r->next - r->at <= o->upcoming_days) {
            char d[11];

            cl_date_format(r->next, d);
            snprintf(det, sizeof det, "%s", d);
            if (r->status == CL_BENEFITS_ELIGIBLE) {
                snprintf(ko, sizeof ko, "%s: %s부터 자격 또는 금액이 바뀝니다. 그 전에 확인하세요.",
                         nko, d);
                snprintf(en, sizeof en,
                         "%s: your entitlement or amount changes on %s - check before then.", nen,
                         d);
            } else {
                snprintf(ko, sizeof ko, "%s: %s부터 받을 수 있게 될 수 있습니다. 미리 확인하세요.",
                         nko, d);
                snprintf(en, sizeof en, "%s: you may qualify from %s - check in advance.", nen, d);
            }
            emit(out, notified, &n, o, r, "upcoming_change", ts, ts, det, ko, en);
        }
    }
    /* results present before and absent after: not_eligible now (left out) */
    if (a.n)
        qsort(a.v, a.n, sizeof *a.v, rec_cmp);
    for (size_t i = 0; i < b.n; i++) {
        const struct rec *r = &b.v[i];
        char ko[512], en[512];
        const char *nko, *nen;

        if (r->status != CL_BENEFITS_ELIGIBLE || find(&a, r->key) != NULL)
            continue;
        names(o, r->benefit, &nko, &nen);
        snprintf(ko, sizeof ko, "%s: 지급 대상에서 제외됩니다.", nko);
        snprintf(en, sizeof en, "You no longer qualify for %s.", nen);
        {
            struct rec x = *r;
            x.period[0] = 0;
            x.next = 0;
            emit(out, notified, &n, o, &x, "no_longer_eligible", "eligible", "not_eligible",
                 "not_eligible:0", ko, en);
        }
    }
    rc = cl_buf_check(out, "diff", err);
    if (rc == CL_OK && notified != NULL)
        rc = cl_buf_check(notified, "notified", err);
out:
    if (count != NULL)
        *count = n;
    recs_fini(&b);
    recs_fini(&a);
    return rc;
}
