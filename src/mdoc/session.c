/*
 * session.c - ISO/IEC 18013-5 §9.1.1 session encryption: SessionTranscript, SKReader/SKDevice,
 * SessionEstablishment and SessionData with AES-256-GCM and per-direction message counters.
 */
#include <inttypes.h>
#include <string.h>

#include "cardless/alloc.h"
#include "cardless/cose.h"
#include "cardless/limits.h"
#include "cardless/mdoc_session.h"
#include "mdoc/session_int.h"

#include "base/banned.h"

#define SK_LEN 32

struct cl_mdoc_session {
    enum cl_mdoc_session_role role;
    uint8_t sk_reader[SK_LEN]; /* SECRET: encrypts reader -> mdoc */
    uint8_t sk_device[SK_LEN]; /* SECRET: encrypts mdoc -> reader */
    uint32_t send_ctr;         /* counter of the last message sent (0: none yet) */
    uint32_t recv_ctr;         /* counter of the last message received */
    struct cl_key *own;
    struct cl_key *peer;
    struct cl_buf transcript;  /* SessionTranscriptBytes */
    struct cl_buf ereader_key; /* reader: the COSE_Key sent as EReaderKeyBytes */
    bool closed;
};

static struct cl_cbor_limits
msg_limits(void)
{
    struct cl_cbor_limits l = cl_cbor_limits_default();

    l.max_bytes = CL_MDOC_SESSION_MSG_MAX;
    l.max_depth = 4;
    l.max_items = 16;
    l.flags |= CL_CBOR_REJECT_INDEFINITE;
    return l;
}

/* §9.1.1.5: IV = identifier (8 bytes: 0 for the reader, 1 for the mdoc) || counter (4 bytes BE) */
static void
make_iv(enum cl_mdoc_session_role sender, uint32_t ctr, uint8_t iv[CL_GCM_IV_LEN])
{
    memset(iv, 0, CL_GCM_IV_LEN);
    iv[7] = sender == CL_MDOC_SESSION_HOLDER ? 1 : 0;
    iv[8] = (uint8_t)(ctr >> 24);
    iv[9] = (uint8_t)(ctr >> 16);
    iv[10] = (uint8_t)(ctr >> 8);
    iv[11] = (uint8_t)ctr;
}

cl_err
cl_mdoc_session_transcript(struct cl_bytes engagement, struct cl_bytes ereader_key,
                           struct cl_bytes handover, struct cl_buf *out, struct cl_error *err)
{
    struct cl_buf st;
    cl_err rc;

    if (engagement.len == 0 || ereader_key.len == 0)
        return cl_fail(err, CL_ERR_USAGE, "SessionTranscript",
                       "engagement and EReaderKey bytes are required");
    /* §9.1.5.1: SessionTranscript = [DeviceEngagementBytes, EReaderKeyBytes, Handover] */
    cl_buf_init(&st);
    cl_cbor_put_array(&st, 3);
    cl_cbor_put_tag(&st, CL_CBOR_TAG_EMBEDDED);
    cl_cbor_put_bytes(&st, engagement);
    cl_cbor_put_tag(&st, CL_CBOR_TAG_EMBEDDED);
    cl_cbor_put_bytes(&st, ereader_key);
    if (handover.len == 0)
        cl_cbor_put_null(&st); /* QR handover */
    else
        cl_cbor_put_raw(&st, handover);
    rc = cl_buf_check(&st, "SessionTranscript", err);
    if (rc == CL_OK) {
        cl_cbor_put_tag(out, CL_CBOR_TAG_EMBEDDED);
        cl_cbor_put_bytes(out, cl_buf_bytes(&st));
        rc = cl_buf_check(out, "SessionTranscriptBytes", err);
    }
    cl_buf_fini(&st);
    return rc;
}

/* §9.1.5.2: SK = HKDF-SHA-256(ECDH Z_AB, salt SHA-256(SessionTranscriptBytes), info, 32) */
static cl_err
derive(struct cl_mdoc_session *s, struct cl_bytes transcript, struct cl_error *err)
{
    uint8_t z[CL_EC_COORD_MAX], salt[32];
    size_t zlen = 0;
    cl_err rc;

    rc = cl_ecdh(s->own, s->peer, z, &zlen, err);
    if (rc == CL_OK)
        rc = cl_hash(CL_HASH_SHA256, transcript, salt, err);
    if (rc == CL_OK)
        rc = cl_hkdf(CL_HASH_SHA256, cl_bytes_of(salt, sizeof salt), cl_bytes_of(z, zlen),
                     cl_bytes_str("SKReader"), s->sk_reader, SK_LEN, err);
    if (rc == CL_OK)
        rc = cl_hkdf(CL_HASH_SHA256, cl_bytes_of(salt, sizeof salt), cl_bytes_of(z, zlen),
                     cl_bytes_str("SKDevice"), s->sk_device, SK_LEN, err);
    cl_wipe(z, sizeof z);
    return rc;
}

cl_err
cl_mdoc_session_new(enum cl_mdoc_session_role role, const struct cl_key *own,
                    const struct cl_key *peer, struct cl_bytes transcript,
                    struct cl_mdoc_session **out, struct cl_error *err)
{
    struct cl_mdoc_session *s;
    cl_err rc;

    *out = NULL;
    if (role != CL_MDOC_SESSION_READER && role != CL_MDOC_SESSION_HOLDER)
        return cl_fail(err, CL_ERR_USAGE, "role", "role is neither reader nor holder");
    if (own == NULL || peer == NULL || !cl_key_has_private(own))
        return cl_fail(err, CL_ERR_USAGE, "key", "a private own key and a peer key are required");
    if (cl_key_curve(own) != CL_CURVE_P256 || cl_key_curve(peer) != CL_CURVE_P256)
        return cl_fail(err, CL_ERR_UNSUPPORTED, "key", "session keys are not both on P-256");
    if (transcript.len == 0 || transcript.len > CL_LIMIT_CBOR_BYTES)
        return cl_fail(err, CL_ERR_USAGE, "SessionTranscript",
                       "SessionTranscriptBytes are empty or too large");
    s = cl_calloc(1, sizeof *s);
    if (s == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "session", "out of memory");
    s->role = role;
    cl_buf_init(&s->transcript);
    cl_buf_init(&s->ereader_key);
    s->own = cl_key_ref((struct cl_key *)own);
    s->peer = cl_key_ref((struct cl_key *)peer);
    cl_buf_append_bytes(&s->transcript, transcript);
    rc = cl_buf_check(&s->transcript, "SessionTranscript", err);
    if (rc == CL_OK && role == CL_MDOC_SESSION_READER)
        rc = cl_cose_key_encode(own, cl_bytes_of(NULL, 0), false, &s->ereader_key, err);
    if (rc == CL_OK)
        rc = derive(s, transcript, err);
    if (rc != CL_OK) {
        cl_mdoc_session_free(s);
        return rc;
    }
    *out = s;
    return CL_OK;
}

cl_err
cl_mdoc_session_reader_new(struct cl_bytes engagement, struct cl_bytes handover,
                           const struct cl_key *ereader, struct cl_mdoc_session **out,
                           struct cl_error *err)
{
    struct cl_mdoc_engagement e;
    struct cl_arena a;
    struct cl_key *edevice = NULL, *mine = NULL;
    struct cl_buf key, st;
    cl_err rc;

    *out = NULL;
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&key);
    cl_buf_init(&st);
    rc = cl_mdoc_engagement_parse(&a, engagement, NULL, &e, err);
    if (rc == CL_OK)
        rc = cl_cose_key_decode(e.edevice_key, &edevice, err);
    if (rc == CL_OK && ereader == NULL) {
        rc = cl_key_generate(CL_CURVE_P256, &mine, err);
        ereader = mine;
    }
    if (rc == CL_OK)
        rc = cl_cose_key_encode(ereader, cl_bytes_of(NULL, 0), false, &key, err);
    if (rc == CL_OK)
        rc = cl_mdoc_session_transcript(e.raw, cl_buf_bytes(&key), handover, &st, err);
    if (rc == CL_OK)
        rc = cl_mdoc_session_new(CL_MDOC_SESSION_READER, ereader, edevice, cl_buf_bytes(&st), out,
                                 err);
    cl_buf_fini(&st);
    cl_buf_fini(&key);
    cl_key_free(edevice);
    cl_key_free(mine);
    cl_arena_fini(&a);
    return rc;
}

/* Encrypt pt with the own key and the next own counter; appends ciphertext||tag. */
static cl_err
seal_data(struct cl_mdoc_session *s, struct cl_bytes pt, struct cl_buf *ct, struct cl_error *err)
{
    uint8_t iv[CL_GCM_IV_LEN];
    const uint8_t *key = s->role == CL_MDOC_SESSION_READER ? s->sk_reader : s->sk_device;

    if (s->closed)
        return cl_fail(err, CL_ERR_USAGE, "session", "session is closed");
    if (s->send_ctr == UINT32_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, "session", "message counter would wrap");
    make_iv(s->role, s->send_ctr + 1, iv);
    if (cl_aes256gcm_seal(key, iv, cl_bytes_of(NULL, 0), pt, ct, err) != CL_OK)
        return err != NULL ? err->code : CL_ERR_CRYPTO;
    s->send_ctr++;
    return CL_OK;
}

/* Decrypt with the peer's key and the peer's next counter; the plaintext must be one CBOR item. */
static cl_err
open_data(struct cl_mdoc_session *s, struct cl_bytes ct, struct cl_buf *pt, struct cl_error *err)
{
    enum cl_mdoc_session_role peer =
        s->role == CL_MDOC_SESSION_READER ? CL_MDOC_SESSION_HOLDER : CL_MDOC_SESSION_READER;
    const uint8_t *key = peer == CL_MDOC_SESSION_READER ? s->sk_reader : s->sk_device;
    uint8_t iv[CL_GCM_IV_LEN];
    struct cl_arena a;
    const struct cl_cbor *item;
    size_t start = pt->len;
    cl_err rc;

    if (s->recv_ctr == UINT32_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, "SessionData.data", "message counter would wrap");
    make_iv(peer, s->recv_ctr + 1, iv);
    rc = cl_aes256gcm_open(key, iv, cl_bytes_of(NULL, 0), ct, pt, NULL);
    if (rc == CL_ERR_SIGNATURE)
        return cl_fail(err, CL_ERR_SIGNATURE, "data",
                       "message %" PRIu32 " does not decrypt: tampered, replayed or out of order",
                       s->recv_ctr + 1);
    if (rc != CL_OK)
        return cl_fail(err, rc, "data", "message %" PRIu32 " cannot be decrypted", s->recv_ctr + 1);
    s->recv_ctr++;
    cl_arena_init(&a, 0, 0, 0);
    rc = cl_cbor_decode(&a, cl_bytes_of(pt->ptr + start, pt->len - start), NULL, &item, err);
    cl_arena_fini(&a);
    if (rc != CL_OK) {
        cl_error_nest(err, "decrypted data");
        cl_wipe(pt->ptr + start, pt->len - start);
        pt->len = start; /* nothing is appended on failure */
    }
    return rc;
}

cl_err
cl_mdoc_session_establish(struct cl_mdoc_session *s, struct cl_bytes device_request,
                          struct cl_buf *out, struct cl_error *err)
{
    struct cl_buf ct;
    cl_err rc;

    if (s->role != CL_MDOC_SESSION_READER || s->send_ctr != 0)
        return cl_fail(err, CL_ERR_USAGE, "session",
                       "only a reader's first message is a SessionEstablishment");
    cl_buf_init(&ct);
    rc = seal_data(s, device_request, &ct, err);
    if (rc == CL_OK) {
        /* §9.1.1.4: members in the order of the CDDL, as Annex D writes them */
        cl_cbor_put_map(out, 2);
        cl_cbor_put_cstr(out, "eReaderKey");
        cl_cbor_put_tag(out, CL_CBOR_TAG_EMBEDDED);
        cl_cbor_put_bytes(out, cl_buf_bytes(&s->ereader_key));
        cl_cbor_put_cstr(out, "data");
        cl_cbor_put_bytes(out, cl_buf_bytes(&ct));
        rc = cl_buf_check(out, "SessionEstablishment", err);
    }
    cl_buf_fini(&ct);
    return rc;
}

/* A message map whose keys are all text and among the allowed ones. */
static cl_err
check_keys(const struct cl_cbor *m, const char *what, const char *k1, const char *k2,
           struct cl_error *err)
{
    if (m->type != CL_CBOR_MAP)
        return cl_fail(err, CL_ERR_INPUT, what, "%s is not a map", what);
    for (size_t i = 0; i < m->v.map.n; i++) {
        const struct cl_cbor *k = &m->v.map.pair[i].key;

        if (!cl_cbor_is_text(k, k1) && !cl_cbor_is_text(k, k2))
            return cl_fail(err, CL_ERR_INPUT, what, "%s has an unknown member (entry %zu)", what,
                           i);
    }
    return CL_OK;
}

cl_err
cl_mdoc_session_accept(struct cl_bytes engagement, struct cl_bytes handover,
                       const struct cl_key *edevice, struct cl_bytes establishment,
                       struct cl_mdoc_session **out, struct cl_buf *request, struct cl_error *err)
{
    struct cl_cbor_limits lim = msg_limits();
    struct cl_arena a;
    const struct cl_cbor *root, *ek, *inner, *data;
    struct cl_key *ereader = NULL;
    struct cl_buf st;
    cl_err rc;

    *out = NULL;
    cl_arena_init(&a, 0, 0, 0);
    cl_buf_init(&st);
    rc = cl_cbor_decode(&a, establishment, &lim, &root, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "SessionEstablishment");
        goto out;
    }
    rc = check_keys(root, "SessionEstablishment", "eReaderKey", "data", err);
    if (rc != CL_OK)
        goto out;
    ek = cl_cbor_map_get_text(root, "eReaderKey");
    data = cl_cbor_map_get_text(root, "data");
    if (ek == NULL || data == NULL) {
        rc = cl_fail(err, CL_ERR_MISSING, "SessionEstablishment", "SessionEstablishment lacks %s",
                     ek == NULL ? "eReaderKey" : "data");
        goto out;
    }
    inner = cl_cbor_untag(ek, CL_CBOR_TAG_EMBEDDED);
    if (inner == NULL || inner->type != CL_CBOR_BYTES) {
        rc = cl_fail(err, CL_ERR_INPUT, "SessionEstablishment.eReaderKey",
                     "eReaderKey is not #6.24(bstr)");
        goto out;
    }
    if (data->type != CL_CBOR_BYTES) {
        rc = cl_fail(err, CL_ERR_INPUT, "SessionEstablishment.data", "data is not a bstr");
        goto out;
    }
    rc = cl_cose_key_decode(inner->v.str, &ereader, err);
    if (rc == CL_OK && cl_key_has_private(ereader))
        rc = cl_fail(err, CL_ERR_INPUT, "", "EReaderKey carries a private key");
    if (rc != CL_OK) {
        cl_error_nest(err, "SessionEstablishment.eReaderKey");
        goto out;
    }
    /* EReaderKeyBytes exactly as received go into the transcript */
    rc = cl_mdoc_session_transcript(engagement, inner->v.str, handover, &st, err);
    if (rc == CL_OK)
        rc = cl_mdoc_session_new(CL_MDOC_SESSION_HOLDER, edevice, ereader, cl_buf_bytes(&st), out,
                                 err);
    if (rc == CL_OK) {
        rc = open_data(*out, data->v.str, request, err);
        if (rc != CL_OK) {
            cl_error_nest(err, "SessionEstablishment");
            (*out)->closed = true;
        }
    }
out:
    cl_key_free(ereader);
    cl_buf_fini(&st);
    cl_arena_fini(&a);
    return rc;
}

cl_err
cl_mdoc_session_seal(struct cl_mdoc_session *s, struct cl_bytes pt, bool terminate,
                     struct cl_buf *out, struct cl_error *err)
{
    struct cl_buf ct;
    cl_err rc;

    cl_buf_init(&ct);
    rc = seal_data(s, pt, &ct, err);
    if (rc == CL_OK) {
        cl_cbor_put_map(out, terminate ? 2 : 1);
        cl_cbor_put_cstr(out, "data");
        cl_cbor_put_bytes(out, cl_buf_bytes(&ct));
        if (terminate) {
            cl_cbor_put_cstr(out, "status");
            cl_cbor_put_uint(out, CL_MDOC_SESSION_STATUS_END);
            s->closed = true;
        }
        rc = cl_buf_check(out, "SessionData", err);
    }
    cl_buf_fini(&ct);
    return rc;
}

cl_err
cl_mdoc_session_open(struct cl_mdoc_session *s, struct cl_bytes msg, struct cl_buf *pt,
                     int64_t *status, struct cl_error *err)
{
    struct cl_cbor_limits lim = msg_limits();
    struct cl_arena a;
    const struct cl_cbor *root, *data, *st;
    uint64_t code = 0;
    cl_err rc;

    *status = -1;
    if (s->closed)
        return cl_fail(err, CL_ERR_USAGE, "session", "session is closed");
    cl_arena_init(&a, 0, 0, 0);
    rc = cl_cbor_decode(&a, msg, &lim, &root, err);
    if (rc != CL_OK) {
        cl_error_nest(err, "SessionData");
        goto out;
    }
    rc = check_keys(root, "SessionData", "data", "status", err);
    if (rc != CL_OK)
        goto out;
    data = cl_cbor_map_get_text(root, "data");
    st = cl_cbor_map_get_text(root, "status");
    if (data == NULL && st == NULL) {
        rc = cl_fail(err, CL_ERR_MISSING, "SessionData", "SessionData has neither data nor status");
        goto out;
    }
    if (data != NULL && data->type != CL_CBOR_BYTES) {
        rc = cl_fail(err, CL_ERR_INPUT, "SessionData.data", "data is not a bstr");
        goto out;
    }
    if (st != NULL && (!cl_cbor_get_uint(st, &code) || code > INT32_MAX)) {
        rc = cl_fail(err, CL_ERR_INPUT, "SessionData.status", "status is not a small uint");
        goto out;
    }
    if (data != NULL) {
        rc = open_data(s, data->v.str, pt, err);
        if (rc != CL_OK) {
            cl_error_nest(err, "SessionData");
            goto out;
        }
    }
    if (st != NULL) {
        *status = (int64_t)code;
        s->closed = true; /* 10, 11 and 20 all end the session (§9.1.1.5) */
    }
out:
    if (rc != CL_OK)
        s->closed = true;
    cl_arena_fini(&a);
    return rc;
}

void
cl_mdoc_session_status_msg(struct cl_buf *out, int64_t status)
{
    cl_cbor_put_map(out, 1);
    cl_cbor_put_cstr(out, "status");
    cl_cbor_put_int(out, status);
}

int
cl_mdoc_session_error_status(cl_err code)
{
    if (code == CL_ERR_SIGNATURE)
        return CL_MDOC_SESSION_STATUS_DECRYPT;
    if (code >= 100 && code < 200)
        return CL_MDOC_SESSION_STATUS_CBOR;
    return CL_MDOC_SESSION_STATUS_DECRYPT;
}

struct cl_bytes
cl_mdoc_session_transcript_bytes(const struct cl_mdoc_session *s)
{
    return cl_buf_bytes(&s->transcript);
}

const struct cl_key *
cl_mdoc_session_own_key(const struct cl_mdoc_session *s)
{
    return s->own;
}

const struct cl_key *
cl_mdoc_session_peer_key(const struct cl_mdoc_session *s)
{
    return s->peer;
}

bool
cl_mdoc_session_is_closed(const struct cl_mdoc_session *s)
{
    return s->closed;
}

void
cl_mdoc_session_free(struct cl_mdoc_session *s)
{
    if (s == NULL)
        return;
    cl_wipe(s->sk_reader, sizeof s->sk_reader);
    cl_wipe(s->sk_device, sizeof s->sk_device);
    cl_key_free(s->own);
    cl_key_free(s->peer);
    cl_buf_fini(&s->transcript);
    cl_buf_fini(&s->ereader_key);
    cl_free(s);
}

void
cl_mdoc_session_keys(const struct cl_mdoc_session *s, uint8_t sk_reader[32], uint8_t sk_device[32])
{
    memcpy(sk_reader, s->sk_reader, SK_LEN);
    memcpy(sk_device, s->sk_device, SK_LEN);
}
