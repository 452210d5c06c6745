/*
 * cardless/mdoc_session.h - ISO/IEC 18013-5 proximity sessions (§8.2.1 device engagement,
 * §9.1.1 session encryption): the QR `mdoc:` engagement, ephemeral P-256 ECDH, SessionTranscript,
 * SKReader/SKDevice from HKDF, AES-256-GCM with the standard's IVs and per-direction counters,
 * SessionEstablishment and SessionData with status codes. Transport-independent: a session is
 * fed received messages and returns messages to send; DeviceRequest and DeviceResponse pass
 * through as opaque bytes (well-formed CBOR). A loopback TCP transport is at the end.
 *
 * Received bytes: the SessionTranscript embeds the DeviceEngagement and the COSE_Key of the
 * reader exactly as received (#6.24 of those bytes), never a re-encoding.
 *
 * Memory: a session is a heap object (cl_mdoc_session_free); engagement parsing takes an arena
 * first and returns views into the input and the arena.
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL. After any
 * failure of open/accept a session is closed: send the status cl_mdoc_session_error_status()
 * names (cl_mdoc_session_status_msg) and end the connection (§9.1.1.5).
 * Secrets: session keys live in the session and are wiped by cl_mdoc_session_free().
 */
#ifndef CARDLESS_MDOC_SESSION_H
#define CARDLESS_MDOC_SESSION_H

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/cbor.h"
#include "cardless/crypto.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

/* SessionData status codes (ISO/IEC 18013-5 §9.1.1.4, table 20) */
#define CL_MDOC_SESSION_STATUS_DECRYPT 10 /* session encryption error */
#define CL_MDOC_SESSION_STATUS_CBOR 11    /* CBOR decoding error */
#define CL_MDOC_SESSION_STATUS_END 20     /* session termination */

/* Cipher suite 1 (§9.1.5.2): ECDH, HKDF-SHA-256, AES-256-GCM */
#define CL_MDOC_CIPHER_SUITE_1 1

/* DeviceRetrievalMethod types (§8.2.1.1): 1 NFC, 2 BLE, 3 Wi-Fi Aware; -10 is TCP as the
 * Android/Multipaz identity-credential library writes it ([-10, 1, {0: host, 1: port}]),
 * outside the standard's (positive) range so it cannot clash with a later assignment. */
#define CL_MDOC_RETRIEVAL_NFC 1
#define CL_MDOC_RETRIEVAL_BLE 2
#define CL_MDOC_RETRIEVAL_WIFI 3
#define CL_MDOC_RETRIEVAL_TCP (-10)

#define CL_MDOC_ENGAGEMENT_MAX 4096               /* largest DeviceEngagement accepted */
#define CL_MDOC_SESSION_MSG_MAX ((size_t)8 << 20) /* largest SessionEstablishment/SessionData */
#define CL_MDOC_HOST_MAX 64                       /* longest host in a TCP retrieval method */

/** A parsed DeviceEngagement: read the fields, never write them. */
struct cl_mdoc_engagement {
    struct cl_bytes raw;                 /* DeviceEngagement bytes as received */
    struct cl_bytes version;             /* "1.0" (or "1.x") */
    struct cl_bytes edevice_key;         /* EDeviceKey: the COSE_Key bytes inside the #6.24 */
    size_t n_methods;                    /* DeviceRetrievalMethods entries (0 when absent) */
    bool has_tcp;                        /* a TCP retrieval method (CL_MDOC_RETRIEVAL_TCP) */
    char tcp_host[CL_MDOC_HOST_MAX + 1]; /* its host, NUL-terminated */
    uint16_t tcp_port;                   /* its port */
};

/**
 * Parse a DeviceEngagement strictly (§8.2.1.1): a map with int keys; 0 version tstr "1.x";
 * 1 Security [cipher suite 1, #6.24(bstr COSE_Key)] with an EC2 P-256 key; 2, when present, a
 * non-empty array of [type int, version uint, options map]; other keys (server retrieval,
 * protocol info, origin infos, capabilities) are not interpreted. lim NULL: small defaults.
 * @return CL_OK, CL_ERR_INPUT (shape, types), CL_ERR_MISSING, CL_ERR_UNSUPPORTED (version,
 *         cipher suite, curve), CL_ERR_TOO_LARGE, CL_ERR_TRUNCATED, CL_ERR_ENCODING, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_mdoc_engagement_parse(struct cl_arena *a, struct cl_bytes in,
                                                    const struct cl_cbor_limits *lim,
                                                    struct cl_mdoc_engagement *out,
                                                    struct cl_error *err);

/**
 * Append a DeviceEngagement {0: "1.0", 1: [1, #6.24(COSE_Key)], 2: [[-10, 1, {0: host,
 * 1: port}]]} for the public half of edevice; host NULL leaves out the retrieval methods.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_engagement_build(const struct cl_key *edevice, const char *host,
                                                    uint16_t port, struct cl_buf *out,
                                                    struct cl_error *err);

/** Append the QR text "mdoc:" + base64url(engagement) (§8.2.2.3). */
CL_API void cl_mdoc_engagement_to_uri(struct cl_buf *out, struct cl_bytes engagement);

/**
 * The DeviceEngagement bytes from an "mdoc:" URI, decoded strictly into the arena.
 * @return CL_OK, CL_ERR_INPUT (no "mdoc:" scheme), CL_ERR_ENCODING, CL_ERR_TOO_LARGE
 */
CL_API CL_NODISCARD cl_err cl_mdoc_engagement_from_uri(struct cl_arena *a, struct cl_bytes uri,
                                                       struct cl_bytes *out, struct cl_error *err);

/**
 * Append SessionTranscriptBytes = #6.24(bstr .cbor [DeviceEngagementBytes, EReaderKeyBytes,
 * Handover]) (§9.1.5.1), where DeviceEngagementBytes = #6.24(engagement) and EReaderKeyBytes =
 * #6.24(ereader_key), both exactly the given bytes. handover is an encoded CBOR item; {NULL,0}
 * means null (the QR handover).
 */
CL_API CL_NODISCARD cl_err cl_mdoc_session_transcript(struct cl_bytes engagement,
                                                      struct cl_bytes ereader_key,
                                                      struct cl_bytes handover, struct cl_buf *out,
                                                      struct cl_error *err);

enum cl_mdoc_session_role {
    CL_MDOC_SESSION_READER = 0, /* mdoc reader: sends with SKReader, identifier 0 */
    CL_MDOC_SESSION_HOLDER = 1, /* mdoc: sends with SKDevice, identifier 1 */
};

struct cl_mdoc_session; /* opaque */

/**
 * A session from its parts: own private ephemeral key, the peer's public ephemeral key and the
 * SessionTranscriptBytes (#6.24-wrapped, as cl_mdoc_session_transcript makes them). Derives
 * SKReader and SKDevice = HKDF-SHA-256(ECDH(own, peer), salt SHA-256(transcript), info
 * "SKReader"/"SKDevice", 32 bytes) (§9.1.5.2). Both counters start at 0 (next message 1).
 */
CL_API CL_NODISCARD cl_err cl_mdoc_session_new(enum cl_mdoc_session_role role,
                                               const struct cl_key *own, const struct cl_key *peer,
                                               struct cl_bytes transcript,
                                               struct cl_mdoc_session **out, struct cl_error *err);

/**
 * The reader's side after engagement: parse the DeviceEngagement, take ereader (a private
 * P-256 key; NULL makes a fresh one), build the transcript with handover ({NULL,0}: null).
 */
CL_API CL_NODISCARD cl_err cl_mdoc_session_reader_new(struct cl_bytes engagement,
                                                      struct cl_bytes handover,
                                                      const struct cl_key *ereader,
                                                      struct cl_mdoc_session **out,
                                                      struct cl_error *err);

/**
 * Reader: append SessionEstablishment {"eReaderKey": EReaderKeyBytes, "data": encrypted
 * DeviceRequest} (§9.1.1.4); uses reader counter 1.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_session_establish(struct cl_mdoc_session *s,
                                                     struct cl_bytes device_request,
                                                     struct cl_buf *out, struct cl_error *err);

/**
 * The holder's side: from the engagement it showed (bytes as sent), its private edevice key,
 * the handover and a received SessionEstablishment, make the session and append the decrypted
 * DeviceRequest to request. On failure *out is the session when one could be made (so that
 * later failures are reported with it) and NULL otherwise; free it either way.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_session_accept(struct cl_bytes engagement,
                                                  struct cl_bytes handover,
                                                  const struct cl_key *edevice,
                                                  struct cl_bytes establishment,
                                                  struct cl_mdoc_session **out,
                                                  struct cl_buf *request, struct cl_error *err);

/**
 * Append SessionData {"data": AES-256-GCM(own key, own identifier || next counter, pt)} and,
 * when terminate, "status": 20. Counters refuse to wrap.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_session_seal(struct cl_mdoc_session *s, struct cl_bytes pt,
                                                bool terminate, struct cl_buf *out,
                                                struct cl_error *err);

/**
 * Open a received SessionData: when "data" is present, decrypt it with the peer's key and
 * the peer's next counter (a replayed, reordered or tampered message fails the GCM tag:
 * CL_ERR_SIGNATURE) and append the plaintext, which must be one well-formed CBOR item, to pt;
 * *status gets "status" or -1 when absent. Status 20 closes the session.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_session_open(struct cl_mdoc_session *s, struct cl_bytes msg,
                                                struct cl_buf *pt, int64_t *status,
                                                struct cl_error *err);

/** Append SessionData {"status": status} (unencrypted; 10, 11 or 20). */
CL_API void cl_mdoc_session_status_msg(struct cl_buf *out, int64_t status);

/** The status to send after a failure with this code: 10 for a failed tag or counter, 11 for
 * malformed CBOR or structure (1xx), 10 otherwise. */
CL_API int cl_mdoc_session_error_status(cl_err code);

/** SessionTranscriptBytes (#6.24-wrapped), as needed for DeviceAuthentication. */
CL_API struct cl_bytes cl_mdoc_session_transcript_bytes(const struct cl_mdoc_session *s);
/** The session's own ephemeral key (the reader's EReaderKey checks a device MAC). */
CL_API const struct cl_key *cl_mdoc_session_own_key(const struct cl_mdoc_session *s);
/** The peer's ephemeral public key (the mdoc MACs its response with EReaderKey). */
CL_API const struct cl_key *cl_mdoc_session_peer_key(const struct cl_mdoc_session *s);
/** Whether the session has ended (termination sent or received, or a failure). */
CL_API bool cl_mdoc_session_is_closed(const struct cl_mdoc_session *s);
/** Wipe the keys and free; NULL does nothing. */
CL_API void cl_mdoc_session_free(struct cl_mdoc_session *s);

/* ---- loopback TCP transport: frames are a 4-byte big-endian length, then the message ---- */

/**
 * Listen on 127.0.0.1:port (0 picks a free port); *bound gets the port. Only the loopback
 * address is used: this transport is for tests and the demo.
 */
CL_API CL_NODISCARD cl_err cl_mdoc_tcp_listen(uint16_t port, int *fd, uint16_t *bound,
                                              struct cl_error *err);
/** Accept one connection within timeout_ms (CL_ERR_IO on timeout). */
CL_API CL_NODISCARD cl_err cl_mdoc_tcp_accept(int lfd, int timeout_ms, int *fd,
                                              struct cl_error *err);
/** Connect to host (a loopback IPv4 address, 127.x.y.z) and port within timeout_ms. */
CL_API CL_NODISCARD cl_err cl_mdoc_tcp_connect(const char *host, uint16_t port, int timeout_ms,
                                               int *fd, struct cl_error *err);
/** Send one frame within timeout_ms. */
CL_API CL_NODISCARD cl_err cl_mdoc_tcp_send(int fd, struct cl_bytes msg, int timeout_ms,
                                            struct cl_error *err);
/** Receive one frame of at most max bytes within timeout_ms and append it to out; a peer that
 * closes before a frame is CL_ERR_IO with "connection closed". */
CL_API CL_NODISCARD cl_err cl_mdoc_tcp_recv(int fd, size_t max, int timeout_ms, struct cl_buf *out,
                                            struct cl_error *err);
/** Close a socket; -1 does nothing. */
CL_API void cl_mdoc_tcp_close(int fd);

CL_END_DECLS
#endif /* CARDLESS_MDOC_SESSION_H */
