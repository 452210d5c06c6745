/* maker.h - test-only SD-JWT maker: builds a presentation from raw parts so that a test can
 * break exactly one thing (t_cose style). Included by the sdjwt unit tests only. */
#ifndef CARDLESS_TEST_SDJWT_MAKER_H
#define CARDLESS_TEST_SDJWT_MAKER_H

#include <stdio.h>
#include <string.h>

#include "cardless/codec.h"
#include "cardless/crypto.h"
#include "cardless/jose.h"
#include "cardless/sdjwt.h"

#define MK_NOW INT64_C(1800000000)

struct mk {
    const char *header;      /* issuer JWT header JSON; NULL: {"alg":"ES256","typ":"dc+sd-jwt"} */
    const char *payload;     /* payload JSON; "@N" is replaced by the digest of disc[N] */
    const char *disc[8];     /* disclosure JSON texts, base64url-encoded by the maker */
    const char *raw_disc[8]; /* or already-encoded strings (sent as given) */
    bool break_sig;          /* flip a bit of the issuer signature */
    bool none;               /* alg none, empty signature */
    /* KB-JWT */
    bool kb;
    const char *kb_header;  /* NULL: {"alg":"ES256","typ":"kb+jwt"} */
    const char *kb_aud;     /* NULL: "https://verifier.example" */
    const char *kb_nonce;   /* NULL: "n-0S6_WzA2Mj" */
    int64_t kb_iat_delta;   /* added to MK_NOW */
    const char *kb_sd_hash; /* NULL: the right one */
    bool kb_other_key;      /* sign with a key that is not cnf.jwk */
    const char *kb_payload; /* replaces the KB-JWT claims; "$SDH" stands for the right sd_hash
                               and "$IAT" for MK_NOW (each at most once) */
};

struct mk_keys {
    struct cl_key *issuer, *holder, *other;
    char *holder_jwk; /* public JWK JSON of holder */
};

static inline void
mk_keys_init(struct cl_arena *a, struct mk_keys *k)
{
    struct cl_error err = {0};
    struct cl_buf b;

    if (cl_key_generate(CL_CURVE_P256, &k->issuer, &err) != CL_OK ||
        cl_key_defer(a, k->issuer, &err) != CL_OK ||
        cl_key_generate(CL_CURVE_P256, &k->holder, &err) != CL_OK ||
        cl_key_defer(a, k->holder, &err) != CL_OK ||
        cl_key_generate(CL_CURVE_P256, &k->other, &err) != CL_OK ||
        cl_key_defer(a, k->other, &err) != CL_OK)
        fail_msg("keys: %s", err.msg);
    cl_buf_init(&b);
    if (cl_jwk_write(k->holder, false, &b, &err) != CL_OK)
        fail_msg("jwk: %s", err.msg);
    k->holder_jwk = cl_arena_strndup(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
}

static inline char *
mk_b64(struct cl_arena *a, const char *s)
{
    return cl_b64url_encode_arena(a, cl_bytes_str(s));
}

static inline char *
mk_digest(struct cl_arena *a, const char *enc)
{
    uint8_t h[32];

    if (cl_hash(CL_HASH_SHA256, cl_bytes_str(enc), h, NULL) != CL_OK)
        fail_msg("hash");
    return cl_b64url_encode_arena(a, cl_bytes_of(h, 32));
}

/* Replace "@N" by the digest of disclosure N, and "$HOLDER" by the holder's JWK. */
static inline char *
mk_subst(struct cl_arena *a, const char *tmpl, char **digests, const char *holder_jwk)
{
    struct cl_buf b;
    char *s;

    cl_buf_init(&b);
    for (const char *p = tmpl; *p != '\0'; p++) {
        if (*p == '@' && p[1] >= '0' && p[1] <= '7') {
            cl_buf_append_str(&b, digests[p[1] - '0']);
            p++;
        } else if (strncmp(p, "$HOLDER", 7) == 0) {
            cl_buf_append_str(&b, holder_jwk);
            p += 6;
        } else {
            cl_buf_append_byte(&b, (uint8_t)*p);
        }
    }
    s = cl_arena_strndup(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return s;
}

static inline char *
mk_jws(struct cl_arena *a, const struct cl_key *key, const char *header, const char *payload,
       bool break_sig, bool none)
{
    struct cl_error err = {0};
    struct cl_bytes jws;
    char *s;

    if (none)
        return cl_arena_printf(a, "%s.%s.", mk_b64(a, "{\"alg\":\"none\",\"typ\":\"dc+sd-jwt\"}"),
                               mk_b64(a, payload));
    if (cl_jws_sign_raw(a, key, cl_bytes_str(header), cl_bytes_str(payload), &jws, &err) != CL_OK)
        fail_msg("sign: %s: %s", err.where, err.msg);
    s = cl_arena_strndup(a, jws);
    if (break_sig) {
        char *last = s + strlen(s) - 2;

        *last = *last == 'A' ? 'B' : 'A';
    }
    return s;
}

static inline struct cl_bytes
mk_make(struct cl_arena *a, const struct mk_keys *k, const struct mk *m)
{
    char *enc[8] = {0}, *dig[8] = {0};
    struct cl_buf b;
    char *payload, *jwt, *out;

    for (int i = 0; i < 8; i++) {
        if (m->disc[i] != NULL)
            enc[i] = mk_b64(a, mk_subst(a, m->disc[i], dig, k->holder_jwk));
        else if (m->raw_disc[i] != NULL)
            enc[i] = cl_arena_strdup(a, m->raw_disc[i]);
        else
            continue;
        dig[i] = mk_digest(a, enc[i]);
    }
    payload = mk_subst(a, m->payload, dig, k->holder_jwk);
    jwt = mk_jws(a, k->issuer,
                 m->header != NULL ? m->header : "{\"alg\":\"ES256\",\"typ\":\"dc+sd-jwt\"}",
                 payload, m->break_sig, m->none);
    cl_buf_init(&b);
    cl_buf_append_str(&b, jwt);
    cl_buf_append_byte(&b, '~');
    for (int i = 0; i < 8; i++)
        if (enc[i] != NULL) {
            cl_buf_append_str(&b, enc[i]);
            cl_buf_append_byte(&b, '~');
        }
    if (m->kb) {
        uint8_t h[32];
        char *sdh, *kbp;

        if (cl_hash(CL_HASH_SHA256, cl_buf_bytes(&b), h, NULL) != CL_OK)
            fail_msg("hash");
        sdh = m->kb_sd_hash != NULL ? (char *)m->kb_sd_hash
                                    : cl_b64url_encode_arena(a, cl_bytes_of(h, 32));
        kbp =
            cl_arena_printf(a, "{\"iat\":%lld,\"aud\":\"%s\",\"nonce\":\"%s\",\"sd_hash\":\"%s\"}",
                            (long long)(MK_NOW + m->kb_iat_delta),
                            m->kb_aud != NULL ? m->kb_aud : "https://verifier.example",
                            m->kb_nonce != NULL ? m->kb_nonce : "n-0S6_WzA2Mj", sdh);
        if (m->kb_payload != NULL) {
            const char *at = strstr(m->kb_payload, "$SDH");

            kbp = at == NULL ? (char *)m->kb_payload
                             : cl_arena_printf(a, "%.*s%s%s", (int)(at - m->kb_payload),
                                               m->kb_payload, sdh, at + 4);
            at = strstr(kbp, "$IAT");
            if (at != NULL)
                kbp = cl_arena_printf(a, "%.*s%lld%s", (int)(at - kbp), kbp, (long long)MK_NOW,
                                      at + 4);
        }
        cl_buf_append_str(
            &b,
            mk_jws(a, m->kb_other_key ? k->other : k->holder,
                   m->kb_header != NULL ? m->kb_header : "{\"alg\":\"ES256\",\"typ\":\"kb+jwt\"}",
                   kbp, false, false));
    }
    out = cl_arena_strndup(a, cl_buf_bytes(&b));
    cl_buf_fini(&b);
    return cl_bytes_str(out);
}

static inline struct cl_sdjwt_verify_opts
mk_verify_opts(const struct mk_keys *k)
{
    struct cl_sdjwt_verify_opts o;

    memset(&o, 0, sizeof o);
    o.issuer_key = k->issuer;
    o.vc = true;
    o.require_kb = true;
    o.aud = "https://verifier.example";
    o.nonce = "n-0S6_WzA2Mj";
    o.now = MK_NOW;
    return o;
}

#endif /* CARDLESS_TEST_SDJWT_MAKER_H */
