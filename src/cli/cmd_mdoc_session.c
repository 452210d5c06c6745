/*
 * cmd_mdoc_session.c - `cardless mdoc serve-holder|read`: the two ends of an ISO/IEC 18013-5
 * proximity session (§9.1.1) over the loopback TCP transport. The holder shows its engagement
 * as an "mdoc:" URI and answers one encrypted DeviceRequest; the reader sends the request,
 * verifies the decrypted DeviceResponse against the session transcript and ends the session.
 */
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "cardless/codec.h"
#include "cardless/jose.h"
#include "cardless/limits.h"
#include "cardless/mdoc.h"
#include "cardless/mdoc_session.h"
#include "cardless/time.h"
#include "cardless/x509.h"
#include "cli/cli.h"
#include "cli/cmds.h"

#include "base/banned.h"

#define SESSION_MAX_REQUESTS 8  /* requests answered in one session before the holder ends it */
#define SESSION_MAX_SESSIONS 64 /* sessions one serve-holder run answers without --once */

/* ---- shared ---- */

/* An element value as JSON: full-dates "YYYY-MM-DD", byte strings base64url (issue #3). */
static json_t *
value_json(struct cl_arena *a, const struct cl_cbor *v, unsigned depth)
{
    json_t *j;
    int64_t i;

    if (depth > CL_LIMIT_CBOR_DEPTH)
        return json_null();
    switch (v->type) {
    case CL_CBOR_UINT:
    case CL_CBOR_NEGINT:
        if (cl_cbor_get_int(v, &i))
            return json_integer(i);
        return json_real(v->type == CL_CBOR_UINT ? (double)v->v.u : -1.0 - (double)v->v.u);
    case CL_CBOR_TEXT:
        return json_stringn((const char *)v->v.str.ptr, v->v.str.len);
    case CL_CBOR_BYTES: {
        const char *s = cl_b64url_encode_arena(a, v->v.str);
        return s != NULL ? json_string(s) : NULL;
    }
    case CL_CBOR_ARRAY:
        j = json_array();
        for (size_t k = 0; j != NULL && k < v->v.array.n; k++)
            json_array_append_new(j, value_json(a, &v->v.array.item[k], depth + 1));
        return j;
    case CL_CBOR_MAP:
        j = json_object();
        for (size_t k = 0; j != NULL && k < v->v.map.n; k++) {
            const struct cl_cbor *key = &v->v.map.pair[k].key;
            char num[24];
            const char *name = num;

            if (key->type == CL_CBOR_TEXT)
                name = cl_arena_strndup(a, key->v.str);
            else if (cl_cbor_get_int(key, &i))
                snprintf(num, sizeof num, "%lld", (long long)i);
            else
                continue;
            if (name != NULL)
                json_object_set_new(j, name, value_json(a, &v->v.map.pair[k].value, depth + 1));
        }
        return j;
    case CL_CBOR_TAG: {
        int32_t days;
        int64_t secs;
        char buf[21];

        if ((v->v.tag.num == CL_CBOR_TAG_FULLDATE || v->v.tag.num == CL_CBOR_TAG_DAYS) &&
            cl_cbor_get_fulldate(v, &days, NULL) == CL_OK) {
            cl_date_format(days, buf);
            return json_string(buf);
        }
        if ((v->v.tag.num == CL_CBOR_TAG_TDATE || v->v.tag.num == CL_CBOR_TAG_EPOCH) &&
            cl_cbor_get_tdate(v, &secs, NULL) == CL_OK) {
            cl_rfc3339_format(secs, buf);
            return json_string(buf);
        }
        return value_json(a, v->v.tag.item, depth + 1);
    }
    case CL_CBOR_SIMPLE:
        if (v->v.u == CL_CBOR_TRUE || v->v.u == CL_CBOR_FALSE)
            return json_boolean(v->v.u == CL_CBOR_TRUE);
        return json_null();
    case CL_CBOR_FLOAT:
        return json_real(v->v.f);
    default:
        return json_null();
    }
}

/* The verified documents in the shape of `cardless mdoc verify --json`. */
static json_t *
verified_json(struct cl_arena *a, const struct cl_mdoc_verified *docs, size_t n, json_t **status,
              bool claims_too)
{
    json_t *arr = json_array();

    for (size_t d = 0; arr != NULL && d < n; d++) {
        const struct cl_mdoc_verified *v = &docs[d];
        json_t *claims = json_object(), *doc;
        char s[21], f[21], u[21];

        for (size_t c = 0; claims != NULL && c < v->n_claims; c++) {
            const char *ns = cl_arena_strndup(a, v->claims[c].ns);
            const char *el = cl_arena_strndup(a, v->claims[c].element_id);
            json_t *o;

            if (ns == NULL || el == NULL)
                continue;
            o = json_object_get(claims, ns);
            if (o == NULL) {
                o = json_object();
                json_object_set_new(claims, ns, o);
            }
            json_object_set_new(o, el, value_json(a, v->claims[c].value, 0));
        }
        cl_rfc3339_format(v->signed_at, s);
        cl_rfc3339_format(v->valid_from, f);
        cl_rfc3339_format(v->valid_until, u);
        doc = json_pack("{s:s%,s:{s:s,s:s},s:{s:s,s:s,s:s},s:o}", "docType",
                        (const char *)v->doctype.ptr, v->doctype.len, "issuer", "subject",
                        v->issuer_subject != NULL ? v->issuer_subject : "", "country",
                        v->issuer_country, "validity", "signed", s, "validFrom", f, "validUntil", u,
                        "claims", claims != NULL ? claims : json_object());
        if (doc != NULL && !claims_too) /* not valid: no claims are returned as verified */
            json_object_del(doc, "claims");
        if (doc != NULL && status[d] != NULL)
            json_object_set(doc, "status", status[d]);
        json_array_append_new(arr, doc);
    }
    return arr;
}

static void
log_line(const char *who, const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s %s\n", who, what, arg);
}

/* ---- the holder ---- */

#define QR_QUIET 4 /* ISO/IEC 18004 §6.3.8: a quiet zone 4 modules wide on every side */

/* Whether module (x, y) of the code with its quiet zone is light; rows past the end are dark. */
static bool
qr_light(const QRcode *q, int x, int y)
{
    int w = q->width, qx = x - QR_QUIET, qy = y - QR_QUIET;

    if (y >= w + 2 * QR_QUIET)
        return false;
    if (qx < 0 || qy < 0 || qx >= w || qy >= w)
        return true;
    return (q->data[(size_t)qy * (size_t)w + (size_t)qx] & 1) == 0; /* bit 0: dark module */
}

/*
 * The engagement URI as a QR code in terminal text (ISO/IEC 18013-5 §8.2.2.3: the device
 * engagement travels as the mdoc: URI in a QR code): byte mode, error correction M, two
 * module rows per line of text. A terminal draws text light on a dark background, so the
 * characters paint the light modules and the quiet zone (as `qrencode -t UTF8` does): upper
 * half block for a light module above a dark one, lower half block for the reverse, full
 * block for two light ones, a space for two dark ones.
 */
static cl_err
print_qr(FILE *f, struct cl_arena *a, struct cl_bytes uri, struct cl_error *err)
{
    static const char *const cell[4] = {" ", "\xe2\x96\x84", "\xe2\x96\x80", "\xe2\x96\x88"};
    const char *text = cl_arena_strndup(a, uri);
    QRcode *q;
    int size;

    if (text == NULL)
        return cl_fail(err, CL_ERR_NOMEM, "qr", "out of memory");
    q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (q == NULL)
        return cl_fail(err, CL_ERR_TOO_LARGE, "qr",
                       "the engagement URI (%zu bytes) does not fit in a QR code", uri.len);
    size = q->width + 2 * QR_QUIET;
    for (int y = 0; y < size; y += 2) {
        for (int x = 0; x < size; x++)
            fputs(cell[(qr_light(q, x, y) ? 2 : 0) | (qr_light(q, x, y + 1) ? 1 : 0)], f);
        fputc('\n', f);
    }
    QRcode_free(q);
    return CL_OK;
}

struct holder {
    const char *cmd;
    struct cl_bytes doctype;
    struct cl_mdoc_issuer_signed cred;
    struct cl_key *device_key;
    bool ask;
    bool mac;
    int timeout_ms;
};

/* Ask on the terminal whether to disclose; anything but y/yes declines. */
static bool
consent(const struct holder *h, const struct cl_mdoc_sel *sel, size_t n)
{
    char line[16];
    FILE *tty;
    bool yes;

    if (!h->ask)
        return true;
    fprintf(stderr, "serve-holder: a reader asks for:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "  %.*s/%.*s\n", (int)sel[i].ns.len, (const char *)sel[i].ns.ptr,
                (int)sel[i].element_id.len, (const char *)sel[i].element_id.ptr);
    fprintf(stderr, "serve-holder: disclose? [y/N] ");
    tty = fopen("/dev/tty", "r");
    yes = fgets(line, sizeof line, tty != NULL ? tty : stdin) != NULL &&
          (strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0);
    if (tty != NULL)
        fclose(tty);
    return yes;
}

/* Whether the credential holds the element (the response lists the others in errors). */
static bool
held(const struct cl_mdoc_issuer_signed *cred, const struct cl_mdoc_sel *sel)
{
    for (size_t i = 0; i < cred->n_ns; i++) {
        if (!cl_bytes_eq(cred->ns[i].name, sel->ns))
            continue;
        for (size_t k = 0; k < cred->ns[i].n; k++)
            if (cl_bytes_eq(cred->ns[i].items[k].element_id, sel->element_id))
                return true;
    }
    return false;
}

/* DeviceRequest -> DeviceResponse for the credential's docType (or an empty one, status 10). */
static cl_err
respond(const struct holder *h, struct cl_mdoc_session *s, struct cl_bytes request,
        struct cl_buf *out, uint64_t *status, struct cl_error *err)
{
    struct cl_arena a;
    struct cl_mdoc_request req;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_present_params p;
    struct cl_mdoc_sel *sel = NULL;
    size_t n = 0;
    cl_err rc;

    cl_arena_init(&a, 0, 0, 0);
    *status = CL_MDOC_STATUS_GENERAL_ERROR;
    rc = cl_mdoc_request_parse(&a, request, NULL, &req, err);
    if (rc != CL_OK) /* §8.3.2.1.2.3: 11 not CBOR, 12 not a valid DeviceRequest */
        *status = rc == CL_ERR_TRUNCATED || rc == CL_ERR_ENCODING ? CL_MDOC_STATUS_CBOR_DECODING
                                                                  : CL_MDOC_STATUS_CBOR_VALIDATION;
    if (rc == CL_OK)
        rc = cl_mdoc_transcript_read(&a, cl_mdoc_session_transcript_bytes(s), &t, err);
    if (rc != CL_OK)
        goto out;
    for (size_t d = 0; d < req.n_docs; d++) {
        const struct cl_mdoc_doc_request *dr = &req.docs[d];

        if (!cl_bytes_eq(dr->doctype, h->doctype))
            continue;
        sel = cl_arena_calloc(&a, dr->n_elems + 1, sizeof *sel);
        if (sel == NULL) {
            rc = cl_fail(err, CL_ERR_NOMEM, "request", "out of memory");
            goto out;
        }
        for (size_t i = 0; i < dr->n_elems; i++) {
            sel[n].ns = dr->elems[i].ns;
            sel[n].element_id = dr->elems[i].element_id;
            n++;
        }
        break;
    }
    if (sel == NULL) {
        rc = cl_fail(err, CL_ERR_NOT_FOUND, "request",
                     "no document of the credential's docType "
                     "is requested");
        goto out;
    }
    if (!consent(h, sel, n)) {
        rc = cl_fail(err, CL_ERR_POLICY, "consent", "the holder declined to disclose");
        goto out;
    }
    memset(&p, 0, sizeof p);
    p.doctype = h->doctype;
    p.cred = &h->cred;
    p.sel = sel;
    p.n_sel = n;
    p.device_key = h->device_key;
    p.transcript = &t;
    p.reader_pub = h->mac ? cl_mdoc_session_peer_key(s) : NULL;
    rc = cl_mdoc_present(&a, &p, out, err);
    if (rc == CL_OK)
        for (size_t i = 0; i < n; i++) {
            char name[256];

            snprintf(name, sizeof name, "%.*s/%.*s", (int)sel[i].ns.len,
                     (const char *)sel[i].ns.ptr, (int)sel[i].element_id.len,
                     (const char *)sel[i].element_id.ptr);
            log_line("serve-holder", held(&h->cred, &sel[i]) ? "disclosed" : "not held:", name);
        }
out:
    cl_arena_fini(&a);
    return rc;
}

/* One session on an accepted connection: establishment, request/response, termination. */
static cl_err
serve_session(const struct holder *h, int fd, struct cl_bytes engagement,
              const struct cl_key *edevice, struct cl_error *err)
{
    struct cl_mdoc_session *s = NULL;
    struct cl_buf in, pt, resp, out;
    cl_err rc;

    cl_buf_init(&in);
    cl_buf_init(&pt);
    cl_buf_init(&resp);
    cl_buf_init(&out);
    rc = cl_mdoc_tcp_recv(fd, CL_MDOC_SESSION_MSG_MAX, h->timeout_ms, &in, err);
    if (rc != CL_OK)
        goto out;
    rc = cl_mdoc_session_accept(engagement, cl_bytes_of(NULL, 0), edevice, cl_buf_bytes(&in), &s,
                                &pt, err);
    for (int round = 0; rc == CL_OK && round < SESSION_MAX_REQUESTS; round++) {
        int64_t status = -1;
        uint64_t resp_status = CL_MDOC_STATUS_GENERAL_ERROR;
        struct cl_error perr = {0};

        cl_buf_reset(&resp);
        cl_buf_reset(&out);
        if (respond(h, s, cl_buf_bytes(&pt), &resp, &resp_status, &perr) != CL_OK) {
            /* not a session failure: answer with a DeviceResponse without documents */
            char msg[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

            log_line("serve-holder", "not answered:", cl_error_str(&perr, msg, sizeof msg));
            cl_buf_reset(&resp);
            cl_cbor_put_map(&resp, 2);
            cl_cbor_put_cstr(&resp, "version");
            cl_cbor_put_cstr(&resp, "1.0");
            cl_cbor_put_cstr(&resp, "status");
            cl_cbor_put_uint(&resp, resp_status);
        }
        rc = cl_buf_check(&resp, "DeviceResponse", err);
        if (rc == CL_OK)
            rc = cl_mdoc_session_seal(s, cl_buf_bytes(&resp), round + 1 == SESSION_MAX_REQUESTS,
                                      &out, err);
        if (rc == CL_OK)
            rc = cl_mdoc_tcp_send(fd, cl_buf_bytes(&out), h->timeout_ms, err);
        if (rc != CL_OK || cl_mdoc_session_is_closed(s))
            break;
        cl_buf_reset(&in);
        cl_buf_reset(&pt);
        rc = cl_mdoc_tcp_recv(fd, CL_MDOC_SESSION_MSG_MAX, h->timeout_ms, &in, err);
        if (rc == CL_OK)
            rc = cl_mdoc_session_open(s, cl_buf_bytes(&in), &pt, &status, err);
        if (rc == CL_OK && status >= 0) {
            fprintf(stderr, "serve-holder: the reader ended the session (status %lld)\n",
                    (long long)status);
            break;
        }
        if (rc == CL_OK && pt.len == 0)
            rc = cl_fail(err, CL_ERR_INPUT, "SessionData", "SessionData carries no request");
    }
    if (rc != CL_OK && err != NULL && err->code != CL_ERR_IO) {
        /* §9.1.1.5: tell the reader why, then end the session */
        cl_buf_reset(&out);
        cl_mdoc_session_status_msg(&out, cl_mdoc_session_error_status(rc));
        if (cl_buf_check(&out, "SessionData", NULL) == CL_OK)
            (void)!cl_mdoc_tcp_send(fd, cl_buf_bytes(&out), h->timeout_ms, NULL);
    }
out:
    cl_mdoc_session_free(s);
    cl_buf_fini(&in);
    cl_buf_fini(&pt);
    cl_buf_fini(&resp);
    cl_buf_fini(&out);
    return rc;
}

int
cli_mdoc_serve_holder(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"credential", "CRED.cbor", "the credential (cardless mdoc issue --out)", true},
        {"device-key", "KEY.pem", "the holder's device private key", true},
        {"port", "N", "TCP port on 127.0.0.1 (0, the default, picks a free one)", false},
        {"qr-out", "FILE", "also write the engagement URI (with the port inside) to FILE", false},
        {"consent", "auto|ask", "disclose what is asked (auto, default) or ask on the terminal",
         false},
        {"once", NULL, "end after one session (otherwise serve until --timeout passes idle)",
         false},
        {"mac", NULL, "authenticate with deviceMac (EReaderKey) instead of deviceSignature", false},
        {"timeout", "SECONDS", "wait at most this long for each step (default 60)", false},
        {"no-qr", NULL, "print only the mdoc: URI line, not the QR code above it", false},
        {"json", NULL, "errors as JSON", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct holder h;
    struct cl_arena a;
    struct cl_error err = {0};
    struct cl_bytes cred;
    struct cl_key *edevice = NULL;
    struct cl_buf eng, uri;
    const char *consent_opt, *qr_out;
    uint64_t port = 0, timeout = 60;
    int lfd = -1, rc;
    uint16_t bound = 0;
    bool json, once;

    rc = cli_parse(argc, argv,
                   "Usage: cardless mdoc serve-holder --credential CRED.cbor --device-key KEY.pem\n"
                   "       [--port N] [--qr-out FILE] [--consent auto|ask] [--once] [--mac]\n"
                   "       [--no-qr]\n"
                   "Show the device engagement as a QR code in terminal text, then the mdoc: URI\n"
                   "line it encodes (ISO/IEC 18013-5 §8.2.2.3), and\n"
                   "answer encrypted DeviceRequests over 127.0.0.1 (§9.1.1). The engagement\n"
                   "carries the port as a TCP retrieval method [-10, 1, {0: host, 1: port}].",
                   opts, n, NULL, NULL);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    once = cli_flag(opts, n, "once");
    consent_opt = cli_get(opts, n, "consent");
    qr_out = cli_get(opts, n, "qr-out");
    if (consent_opt != NULL && strcmp(consent_opt, "auto") != 0 && strcmp(consent_opt, "ask") != 0)
        return cli_usage_error(argv[0], "--consent is auto or ask");
    if (!cli_get_u64(opts, n, "port", 0, 65535, &port) ||
        !cli_get_u64(opts, n, "timeout", 1, 3600, &timeout))
        return CLI_USAGE;
    memset(&h, 0, sizeof h);
    h.cmd = argv[0];
    h.ask = consent_opt != NULL && strcmp(consent_opt, "ask") == 0;
    h.mac = cli_flag(opts, n, "mac");
    h.timeout_ms = (int)timeout * 1000;
    cl_arena_init(&a, 0, 0, CL_ARENA_SECRET);
    cl_buf_init(&eng);
    cl_buf_init(&uri);
    if (cli_read_file(&a, cli_get(opts, n, "credential"), &cred, &err) != CL_OK ||
        cl_mdoc_credential_parse(&a, cred, NULL, &h.doctype, &h.cred, &err) != CL_OK ||
        cli_load_key(&a, cli_get(opts, n, "device-key"), true, &h.device_key, &err) != CL_OK ||
        cl_mdoc_tcp_listen((uint16_t)port, &lfd, &bound, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    rc = CLI_OK;
    for (int k = 0; k < (once ? 1 : SESSION_MAX_SESSIONS); k++) {
        int fd = -1;

        /* a fresh ephemeral key and engagement for every session (§9.1.5.2) */
        cl_key_free(edevice);
        edevice = NULL;
        cl_buf_reset(&eng);
        cl_buf_reset(&uri);
        if (cl_key_generate(CL_CURVE_P256, &edevice, &err) != CL_OK ||
            cl_mdoc_engagement_build(edevice, "127.0.0.1", bound, &eng, &err) != CL_OK) {
            rc = cli_fail(argv[0], &err, json);
            break;
        }
        cl_mdoc_engagement_to_uri(&uri, cl_buf_bytes(&eng));
        cl_buf_append_byte(&uri, '\n');
        if (cl_buf_check(&uri, "engagement URI", &err) != CL_OK ||
            (qr_out != NULL && cl_file_write(qr_out, cl_buf_bytes(&uri), 0644, &err) != CL_OK)) {
            rc = cli_fail(argv[0], &err, json);
            break;
        }
        if (!cli_flag(opts, n, "no-qr") &&
            print_qr(stdout, &a, cl_bytes_of(uri.ptr, uri.len - 1), &err) != CL_OK) {
            rc = cli_fail(argv[0], &err, json);
            break;
        }
        fwrite(uri.ptr, 1, uri.len, stdout);
        fflush(stdout);
        fprintf(stderr, "serve-holder: waiting on 127.0.0.1:%u\n", (unsigned)bound);
        if (cl_mdoc_tcp_accept(lfd, h.timeout_ms, &fd, &err) != CL_OK) {
            rc = k > 0 && !once ? CLI_OK : cli_fail(argv[0], &err, json);
            break;
        }
        if (serve_session(&h, fd, cl_buf_bytes(&eng), edevice, &err) != CL_OK) {
            rc = cli_fail(argv[0], &err, json);
            cl_error_clear(&err);
        } else {
            fprintf(stderr, "serve-holder: session done\n");
            rc = CLI_OK;
        }
        cl_mdoc_tcp_close(fd);
    }
done:
    cl_mdoc_tcp_close(lfd);
    cl_key_free(edevice);
    cl_buf_fini(&eng);
    cl_buf_fini(&uri);
    cl_arena_fini(&a);
    return rc;
}

/* ---- the reader ---- */

/* The engagement URI from --engagement or --engagement-file (first line, trimmed). */
static cl_err
engagement_uri(struct cl_arena *a, struct cli_opt *opts, size_t n, struct cl_bytes *out,
               struct cl_error *err)
{
    const char *v = cli_get(opts, n, "engagement");
    struct cl_bytes b;
    size_t len = 0;

    if (v != NULL) {
        *out = cl_bytes_str(v);
        return CL_OK;
    }
    v = cli_get(opts, n, "engagement-file");
    if (v == NULL)
        return cl_fail(err, CL_ERR_USAGE, "engagement",
                       "--engagement or --engagement-file is "
                       "required");
    if (cli_read_file(a, v, &b, err) != CL_OK)
        return err != NULL ? err->code : CL_ERR_IO;
    while (len < b.len && b.ptr[len] != '\n' && b.ptr[len] != '\r')
        len++;
    while (len > 0 && (b.ptr[len - 1] == ' ' || b.ptr[len - 1] == '\t'))
        len--;
    *out = cl_bytes_of(b.ptr, len);
    return CL_OK;
}

static void
print_text(const struct cl_mdoc_verified *docs, size_t nd, const struct cl_mdoc_sel *sel,
           size_t nsel, json_t **status, struct cl_arena *a)
{
    for (size_t d = 0; d < nd; d++) {
        printf("valid: %.*s from %s\n", (int)docs[d].doctype.len, (const char *)docs[d].doctype.ptr,
               docs[d].issuer_subject != NULL ? docs[d].issuer_subject : "?");
        if (status[d] != NULL) {
            json_t *nm = json_object_get(status[d], "name");

            printf("  status: %s (list %s, index %lld)\n",
                   nm != NULL ? json_string_value(nm) : "not checked",
                   json_string_value(json_object_get(status[d], "uri")),
                   (long long)json_integer_value(json_object_get(status[d], "idx")));
        }
        for (size_t c = 0; c < docs[d].n_claims; c++) {
            json_t *v = value_json(a, docs[d].claims[c].value, 0);
            char *s = v != NULL ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

            printf("  %.*s/%.*s = %s\n", (int)docs[d].claims[c].ns.len,
                   (const char *)docs[d].claims[c].ns.ptr, (int)docs[d].claims[c].element_id.len,
                   (const char *)docs[d].claims[c].element_id.ptr, s != NULL ? s : "?");
            free(s);
            json_decref(v);
        }
        for (size_t i = 0; i < nsel; i++) { /* asked for, not returned (errors in the response) */
            bool got = false;

            for (size_t c = 0; !got && c < docs[d].n_claims; c++)
                got = cl_bytes_eq(docs[d].claims[c].ns, sel[i].ns) &&
                      cl_bytes_eq(docs[d].claims[c].element_id, sel[i].element_id);
            if (!got)
                printf("  %.*s/%.*s not returned\n", (int)sel[i].ns.len,
                       (const char *)sel[i].ns.ptr, (int)sel[i].element_id.len,
                       (const char *)sel[i].element_id.ptr);
        }
    }
}

int
cli_mdoc_read(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"engagement", "URI", "the holder's engagement, \"mdoc:...\" as its QR code reads", false},
        {"engagement-file", "FILE", "read the engagement URI from FILE (serve-holder --qr-out)",
         false},
        {"doctype", "DT", "the document type to request", true},
        {"elements", "NS/ELEMENT[,...]", "the elements to request", true},
        {"trust", "IACA.pem", "a trusted IACA root (repeatable)", true, true},
        {"at", "RFC3339", "verify at this time instead of now", false},
        {"status-list", "LIST.jwt|LIST.cwt",
         "check each document's MSO status against this list (repeatable, one per uri)", false,
         true},
        {"status-key", "PUB", "the status lists' signer key (default: x5c/x5chain to --trust)",
         false},
        {"leeway", "SECONDS", "clock skew allowed for the status lists' iat/exp (default 0)",
         false},
        {"json", NULL, "print the verification result as JSON", false},
        {"host", "127.0.0.1", "override the engagement's host (loopback only)", false},
        {"port", "N", "override the engagement's port", false},
        {"retain", NULL, "set intentToRetain on the requested elements", false},
        {"timeout", "SECONDS", "wait at most this long for each step (default 30)", false},
    };
    const size_t n = CL_ARRAY_LEN(opts);
    struct cl_arena a;
    struct cl_error err = {0}, verr = {0};
    struct cl_mdoc_engagement en;
    struct cl_mdoc_session *s = NULL;
    struct cl_mdoc_transcript t;
    struct cl_mdoc_verify_opts vo;
    struct cl_mdoc_verified *docs = NULL;
    struct cl_mdoc_sel *sel = NULL;
    struct cli_mdoc_status *st = NULL;
    json_t **doc_status = NULL;
    struct cl_x509_list anchors;
    struct cl_bytes uri, eng;
    struct cl_buf req, msg, in, resp;
    struct cli_opt *trust;
    const char *host, *at;
    uint64_t port = 0, timeout = 30, leeway = 0;
    size_t nsel = 0, nd = 0;
    int64_t now, status = -1;
    int fd = -1, rc;
    bool json;
    cl_err vrc;

    rc = cli_parse(
        argc, argv,
        "Usage: cardless mdoc read (--engagement \"mdoc:...\" | --engagement-file FILE)\n"
        "       --doctype DT --elements NS/ELEMENT[,...] --trust IACA.pem [--at RFC3339]\n"
        "       [--json] [--host 127.0.0.1 --port N]\n"
        "       [--status-list LIST.jwt|LIST.cwt [--status-list ...] [--status-key PUB]\n"
        "        [--leeway SECONDS]]\n"
        "Request elements from a holder over an encrypted session (ISO/IEC 18013-5\n"
        "§9.1.1), verify the response against the session transcript and end the\n"
        "session (status 20). Exit 0 when valid, 1 when not.",
        opts, n, NULL, NULL);
    if (rc != CLI_OK)
        return rc < 0 ? CLI_OK : rc;
    json = cli_flag(opts, n, "json");
    if (!cli_get_u64(opts, n, "port", 1, 65535, &port) ||
        !cli_get_u64(opts, n, "timeout", 1, 3600, &timeout) ||
        !cli_get_u64(opts, n, "leeway", 0, CL_JWT_LEEWAY_MAX, &leeway))
        return CLI_USAGE;
    cl_arena_init(&a, 0, 0, 0);
    cl_x509_list_init(&anchors);
    cl_buf_init(&req);
    cl_buf_init(&msg);
    cl_buf_init(&in);
    cl_buf_init(&resp);
    now = cl_now();
    at = cli_get(opts, n, "at");
    if (at != NULL && cl_rfc3339_parse(cl_bytes_str(at), &now, NULL, &err) != CL_OK) {
        cl_error_nest(&err, "--at");
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (cli_mdoc_split_elements(&a, cli_get(opts, n, "elements"), &sel, &nsel, NULL) != CL_OK) {
        rc = cli_usage_error(argv[0], "--elements is NS/ELEMENT[,NS/ELEMENT...]");
        goto done;
    }
    trust = cli_opt(opts, n, "trust");
    for (size_t i = 0; i < trust->nvalues; i++) {
        struct cl_bytes pem;

        if (cli_read_file(&a, trust->values[i], &pem, &err) != CL_OK ||
            cl_x509_list_read(pem, 64, &anchors, &err) != CL_OK) {
            rc = cli_fail(argv[0], &err, json);
            goto done;
        }
    }
    if (cli_mdoc_status_load(
            &a, cli_opt(opts, n, "status-list")->values, cli_opt(opts, n, "status-list")->nvalues,
            cli_get(opts, n, "status-key"), &anchors, (int64_t)leeway, &st, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (engagement_uri(&a, opts, n, &uri, &err) != CL_OK ||
        cl_mdoc_engagement_from_uri(&a, uri, &eng, &err) != CL_OK ||
        cl_mdoc_engagement_parse(&a, eng, NULL, &en, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    host = cli_get(opts, n, "host");
    if (host == NULL)
        host = en.has_tcp ? en.tcp_host : "127.0.0.1";
    if (port == 0 && en.has_tcp)
        port = en.tcp_port;
    if (port == 0) {
        rc = cli_usage_error(argv[0], "the engagement names no TCP port: give --port");
        goto done;
    }
    /* engagement -> session keys -> encrypted request -> response -> termination */
    if (cl_mdoc_session_reader_new(eng, cl_bytes_of(NULL, 0), NULL, &s, &err) != CL_OK ||
        cl_mdoc_request_make(cli_get(opts, n, "doctype"), sel, nsel, cli_flag(opts, n, "retain"),
                             &req, &err) != CL_OK ||
        cl_mdoc_session_establish(s, cl_buf_bytes(&req), &msg, &err) != CL_OK ||
        cl_mdoc_tcp_connect(host, (uint16_t)port, (int)timeout * 1000, &fd, &err) != CL_OK ||
        cl_mdoc_tcp_send(fd, cl_buf_bytes(&msg), (int)timeout * 1000, &err) != CL_OK ||
        cl_mdoc_tcp_recv(fd, CL_MDOC_SESSION_MSG_MAX, (int)timeout * 1000, &in, &err) != CL_OK) {
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (cl_mdoc_session_open(s, cl_buf_bytes(&in), &resp, &status, &err) != CL_OK) {
        cl_buf_reset(&msg);
        cl_mdoc_session_status_msg(&msg, cl_mdoc_session_error_status(err.code));
        if (cl_buf_check(&msg, "SessionData", NULL) == CL_OK)
            (void)!cl_mdoc_tcp_send(fd, cl_buf_bytes(&msg), (int)timeout * 1000, NULL);
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (resp.len == 0) {
        cl_fail(&err, CL_ERR_POLICY, "SessionData", "the holder ended the session with status %lld",
                (long long)status);
        rc = cli_fail(argv[0], &err, json);
        goto done;
    }
    if (status < 0) { /* §9.1.1.4: the reader ends the session with status 20 */
        cl_buf_reset(&msg);
        cl_mdoc_session_status_msg(&msg, CL_MDOC_SESSION_STATUS_END);
        if (cl_buf_check(&msg, "SessionData", &err) != CL_OK ||
            cl_mdoc_tcp_send(fd, cl_buf_bytes(&msg), (int)timeout * 1000, &err) != CL_OK) {
            rc = cli_fail(argv[0], &err, json);
            goto done;
        }
    }
    /* verify against this session's transcript; EReaderKey checks a device MAC */
    memset(&vo, 0, sizeof vo);
    vrc = cl_mdoc_transcript_read(&a, cl_mdoc_session_transcript_bytes(s), &t, &verr);
    vo.anchors = &anchors;
    vo.at = now;
    vo.transcript = &t;
    vo.reader_key = cl_mdoc_session_own_key(s);
    if (vrc == CL_OK)
        vrc = cl_mdoc_verify(&a, cl_buf_bytes(&resp), &vo, &docs, &nd, &verr);
    if (vrc == CL_OK) {
        doc_status = cl_arena_calloc(&a, nd + 1, sizeof *doc_status);
        vrc = doc_status == NULL ? cl_fail(&verr, CL_ERR_NOMEM, "status", "out of memory")
                                 : cli_mdoc_status_check(&a, st, docs, nd, now, doc_status, &verr);
    }
    if (json) {
        json_t *errs = json_array();
        char m[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

        if (vrc != CL_OK)
            json_array_append_new(errs, json_pack("{s:s,s:s}", "code", cl_err_name(vrc), "message",
                                                  cl_error_str(&verr, m, sizeof m)));
        cli_print_json(json_pack("{s:b,s:o,s:o}", "valid", vrc == CL_OK, "documents",
                                 doc_status != NULL
                                     ? verified_json(&a, docs, nd, doc_status, vrc == CL_OK)
                                     : json_array(),
                                 "errors", errs));
    } else if (vrc == CL_OK) {
        print_text(docs, nd, sel, nsel, doc_status, &a);
    }
    for (size_t d = 0; doc_status != NULL && d < nd; d++)
        json_decref(doc_status[d]);
    if (vrc != CL_OK) {
        char m[CL_ERROR_WHERE_MAX + CL_ERROR_MSG_MAX + 4];

        fprintf(stderr, "cardless: %s: invalid: %s\n", argv[0], cl_error_str(&verr, m, sizeof m));
        rc = cl_err_exit_code(vrc);
    } else {
        rc = CLI_OK;
    }
done:
    cl_mdoc_tcp_close(fd);
    cl_mdoc_session_free(s);
    cl_x509_list_fini(&anchors);
    cl_buf_fini(&req);
    cl_buf_fini(&msg);
    cl_buf_fini(&in);
    cl_buf_fini(&resp);
    cl_arena_fini(&a);
    return rc;
}
