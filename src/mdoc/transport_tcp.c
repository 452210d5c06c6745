/*
 * transport_tcp.c - a loopback TCP transport for proximity sessions in tests and the demo:
 * frames of a 4-byte big-endian length and the message, a size limit, and a deadline on every
 * call so that neither end can hang. Only 127.0.0.0/8 is used.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cardless/mdoc_session.h"

#include "base/banned.h"

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes. */
static cl_err
wait_fd(int fd, short events, int64_t deadline, const char *what, struct cl_error *err)
{
    for (;;) {
        struct pollfd p = {fd, events, 0};
        int64_t left = deadline - now_ms();
        int n;

        if (left <= 0)
            return cl_fail(err, CL_ERR_IO, what, "timed out");
        n = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (n > 0)
            return CL_OK;
        if (n < 0 && errno != EINTR)
            return cl_fail(err, CL_ERR_IO, what, "poll failed: %s", strerror(errno));
    }
}

static cl_err
set_nonblock(int fd, struct cl_error *err)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return cl_fail(err, CL_ERR_IO, "socket", "cannot make the socket non-blocking");
    return CL_OK;
}

cl_err
cl_mdoc_tcp_listen(uint16_t port, int *fd, uint16_t *bound, struct cl_error *err)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int s, one = 1;

    *fd = -1;
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return cl_fail(err, CL_ERR_IO, "listen", "cannot open a socket: %s", strerror(errno));
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s, 1) != 0 ||
        getsockname(s, (struct sockaddr *)&sa, &len) != 0 || set_nonblock(s, NULL) != CL_OK) {
        cl_err rc = cl_fail(err, CL_ERR_IO, "listen", "cannot listen on 127.0.0.1:%u: %s",
                            (unsigned)port, strerror(errno));
        close(s);
        return rc;
    }
    *bound = ntohs(sa.sin_port);
    *fd = s;
    return CL_OK;
}

cl_err
cl_mdoc_tcp_accept(int lfd, int timeout_ms, int *fd, struct cl_error *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    cl_err rc;

    *fd = -1;
    for (int tries = 0; tries < 1000; tries++) { /* bounded: EINTR and spurious wake-ups */
        int s;

        rc = wait_fd(lfd, POLLIN, deadline, "accept", err);
        if (rc != CL_OK)
            return rc;
        s = accept(lfd, NULL, NULL);
        if (s >= 0) {
            rc = set_nonblock(s, err);
            if (rc != CL_OK) {
                close(s);
                return rc;
            }
            *fd = s;
            return CL_OK;
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
            return cl_fail(err, CL_ERR_IO, "accept", "accept failed: %s", strerror(errno));
    }
    return cl_fail(err, CL_ERR_IO, "accept", "no connection arrived");
}

cl_err
cl_mdoc_tcp_connect(const char *host, uint16_t port, int timeout_ms, int *fd, struct cl_error *err)
{
    struct sockaddr_in sa;
    int64_t deadline = now_ms() + timeout_ms;
    socklen_t len = sizeof(int);
    int s, so = 0;
    cl_err rc;

    *fd = -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (host == NULL || inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
        (ntohl(sa.sin_addr.s_addr) >> 24) != 127 || port == 0)
        return cl_fail(err, CL_ERR_USAGE, "connect",
                       "host is not a loopback IPv4 address (127.x.y.z) or port is 0");
    s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return cl_fail(err, CL_ERR_IO, "connect", "cannot open a socket: %s", strerror(errno));
    rc = set_nonblock(s, err);
    if (rc == CL_OK && connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (errno != EINPROGRESS)
            rc = cl_fail(err, CL_ERR_IO, "connect", "cannot connect to %s:%u: %s", host,
                         (unsigned)port, strerror(errno));
        else if ((rc = wait_fd(s, POLLOUT, deadline, "connect", err)) == CL_OK &&
                 (getsockopt(s, SOL_SOCKET, SO_ERROR, &so, &len) != 0 || so != 0))
            rc = cl_fail(err, CL_ERR_IO, "connect", "cannot connect to %s:%u: %s", host,
                         (unsigned)port, strerror(so));
    }
    if (rc != CL_OK) {
        close(s);
        return rc;
    }
    *fd = s;
    return CL_OK;
}

static cl_err
send_all(int fd, const uint8_t *p, size_t n, int64_t deadline, struct cl_error *err)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        cl_err rc;

        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return cl_fail(err, CL_ERR_IO, "send", "send failed: %s", strerror(errno));
        rc = wait_fd(fd, POLLOUT, deadline, "send", err);
        if (rc != CL_OK)
            return rc;
    }
    return CL_OK;
}

static cl_err
recv_all(int fd, uint8_t *p, size_t n, int64_t deadline, struct cl_error *err)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        cl_err rc;

        if (r > 0) {
            p += r;
            n -= (size_t)r;
            continue;
        }
        if (r == 0)
            return cl_fail(err, CL_ERR_IO, "recv", "connection closed");
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return cl_fail(err, CL_ERR_IO, "recv", "recv failed: %s", strerror(errno));
        rc = wait_fd(fd, POLLIN, deadline, "recv", err);
        if (rc != CL_OK)
            return rc;
    }
    return CL_OK;
}

cl_err
cl_mdoc_tcp_send(int fd, struct cl_bytes msg, int timeout_ms, struct cl_error *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t hdr[4];
    cl_err rc;

    if (msg.len > UINT32_MAX)
        return cl_fail(err, CL_ERR_TOO_LARGE, "send", "message is too large for a frame");
    hdr[0] = (uint8_t)(msg.len >> 24);
    hdr[1] = (uint8_t)(msg.len >> 16);
    hdr[2] = (uint8_t)(msg.len >> 8);
    hdr[3] = (uint8_t)msg.len;
    rc = send_all(fd, hdr, sizeof hdr, deadline, err);
    if (rc == CL_OK)
        rc = send_all(fd, msg.ptr, msg.len, deadline, err);
    return rc;
}

cl_err
cl_mdoc_tcp_recv(int fd, size_t max, int timeout_ms, struct cl_buf *out, struct cl_error *err)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint8_t hdr[4], *p;
    size_t n;
    cl_err rc;

    rc = recv_all(fd, hdr, sizeof hdr, deadline, err);
    if (rc != CL_OK)
        return rc;
    n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
    if (n > max)
        return cl_fail(err, CL_ERR_TOO_LARGE, "recv", "frame of %zu bytes is over the limit %zu", n,
                       max);
    p = cl_buf_extend(out, n);
    if (p == NULL)
        return cl_buf_check(out, "frame", err);
    rc = recv_all(fd, p, n, deadline, err);
    if (rc != CL_OK)
        out->len -= n;
    return rc;
}

void
cl_mdoc_tcp_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
