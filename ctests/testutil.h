/* Small helpers shared by the C tests. Every check aborts the test with the
   file, line, the failed expression and the current nn_errno, so a failing
   test always says why. Each test program returns 0 when everything held. */
#ifndef NN_TESTUTIL_H
#define NN_TESTUTIL_H

#include <nanomsg/nn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d: %s)\n",      \
                __FILE__, __LINE__, #cond, nn_errno(),                       \
                nn_strerror(nn_errno()));                                    \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

/* The call must fail with -1 and exactly this errno. */
#define CHECK_ERR(call, err)                                                 \
    do {                                                                     \
        long rc_ = (long) (call);                                            \
        int e_ = nn_errno();                                                 \
        if (rc_ != -1 || e_ != (err)) {                                      \
            fprintf(stderr, "%s:%d: %s returned %ld errno %d (%s), "         \
                "expected -1 errno %d (%s)\n", __FILE__, __LINE__, #call,    \
                rc_, e_, nn_strerror(e_), (int) (err), nn_strerror(err));    \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

static inline int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* ---- Timing on a busy machine ------------------------------------------
   The suite must pass while the machine stalls for a second or more at a
   time (other test programs, other builds). So:
   - a lower bound ("the timeout did not fire early") is measured from a
     time taken BEFORE the call or action that starts the library's timer:
     a stall can only make the elapsed time longer;
   - an upper bound that only guards against a hang or an ignored timeout
     is test_hang_ms(expected): expected + 3 s or 10 times expected,
     whichever is larger (a call that never returns still fails it);
   - a receive that must deliver uses a timeout of TEST_MUST_MS: it only
     costs time when something is broken;
   - a protocol timer the test relies on NOT firing (REQ resend, survey
     deadline) is either far longer than any stall or the test accepts
     what it legitimately does when it fires. */
#define TEST_MUST_MS 10000

static inline int64_t test_hang_ms(int64_t expected)
{
    return expected * 10 > expected + 3000 ? expected * 10 : expected + 3000;
}

/* The elapsed time since t0 stayed below the hang bound for an operation
   expected to take about expected_ms. */
#define CHECK_NO_HANG(t0, expected_ms)                                       \
    do {                                                                     \
        int64_t el_ = now_ms() - (t0);                                       \
        if (el_ >= test_hang_ms(expected_ms)) {                              \
            fprintf(stderr, "%s:%d: took %lld ms, expected about %lld "      \
                "(hang bound %lld)\n", __FILE__, __LINE__, (long long) el_,  \
                (long long) (expected_ms),                                   \
                (long long) test_hang_ms(expected_ms));                      \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

static inline int test_socket(int domain, int protocol)
{
    int s = nn_socket(domain, protocol);
    CHECK(s >= 0);
    return s;
}

static inline void test_close(int s)
{
    int rc = nn_close(s);
    CHECK(rc == 0);
}

static inline int test_bind(int s, const char *addr)
{
    int eid = nn_bind(s, addr);
    CHECK(eid >= 0);
    return eid;
}

static inline int test_connect(int s, const char *addr)
{
    int eid = nn_connect(s, addr);
    CHECK(eid >= 0);
    return eid;
}

static inline void test_send(int s, const char *text)
{
    size_t len = strlen(text);
    int rc = nn_send(s, text, len, 0);
    CHECK(rc == (int) len);
}

static inline void test_recv(int s, const char *text)
{
    char buf[256];
    size_t len = strlen(text);
    int rc = nn_recv(s, buf, sizeof buf, 0);
    CHECK(rc == (int) len);
    CHECK(memcmp(buf, text, len) == 0);
}

/* Bind a to addr, connect b to it and pass a message each way (b, whose
   sends may wait for the connection, first): both have the pipe when
   this returns. */
static inline void test_join_pair(int a, int b, const char *addr)
{
    test_bind(a, addr);
    test_connect(b, addr);
    test_send(b, "warm");
    test_recv(a, "warm");
    test_send(a, "up");
    test_recv(b, "up");
}

/* Send msg from `from` (without waiting, again and again) until `to`
   receives it: a link whose connection may still be coming up (or whose
   subscription may still be on its way) carries messages from then on.
   Other messages `to` receives meanwhile are skipped. */
static inline void test_await_link(int from, int to, const char *msg)
{
    char buf[64];
    size_t len = strlen(msg);
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        CHECK(now_ms() < deadline);
        if (nn_send(from, msg, len, NN_DONTWAIT) < 0)
            CHECK(nn_errno() == EAGAIN);
        int64_t t = now_ms() + 30;
        while (now_ms() < t) {
            int rc = nn_recv(to, buf, sizeof buf, NN_DONTWAIT);
            if (rc == (int) len && memcmp(buf, msg, len) == 0)
                return;
            if (rc < 0) {
                CHECK(nn_errno() == EAGAIN);
                sleep_ms(2);
            }
        }
    }
}

static inline void test_setopt_int(int s, int level, int opt, int value)
{
    int rc = nn_setsockopt(s, level, opt, &value, sizeof value);
    CHECK(rc == 0);
}

static inline int test_getopt_int(int s, int level, int opt)
{
    int value = -12345;
    size_t sz = sizeof value;
    int rc = nn_getsockopt(s, level, opt, &value, &sz);
    CHECK(rc == 0);
    CHECK(sz == sizeof value);
    return value;
}

/* ---- Sockets with timeouts ---------------------------------------------
   A socket whose blocking calls give up: nn_recv after rcvtimeo ms, nn_send
   after sndtimeo ms (-1: never). TEST_MUST_MS for a call that must succeed
   only costs time when something is broken. */
static inline int test_socket_timeo(int domain, int protocol, int rcvtimeo,
    int sndtimeo)
{
    int s = test_socket(domain, protocol);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, rcvtimeo);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, sndtimeo);
    return s;
}

/* test_socket_timeo that also reconnects after reconnect_ivl ms instead of
   the default 100 ms (tests that restart or refuse a network peer). */
static inline int test_socket_timeo_ivl(int domain, int protocol,
    int rcvtimeo, int sndtimeo, int reconnect_ivl)
{
    int s = test_socket_timeo(domain, protocol, rcvtimeo, sndtimeo);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, reconnect_ivl);
    return s;
}

/* ---- Ports and addresses -------------------------------------------------
   Every test that listens on tcp or ws owns a block of ports (its first
   comment and ctests/README.md name it): PORT_BASE, PORT_COUNT ports.
   TEST_PORT(n) is port n of the block and fails the test if n falls
   outside it, so a test never strays into another test's ports. */
static inline int test_port(int base, int count, int n)
{
    if (n < 0 || n >= count) {
        fprintf(stderr, "port %d of a block of %d (from %d): outside the "
            "block\n", n, count, base);
        exit(1);
    }
    return base + n;
}
#define TEST_PORT(n) test_port(PORT_BASE, PORT_COUNT, (n))

/* printf into buf (cap bytes); fails the test if the result does not fit. */
__attribute__((format(printf, 3, 4)))
static inline void test_addr(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap_;
    va_start(ap_, fmt);
    int n_ = vsnprintf(buf, cap, fmt, ap_);
    va_end(ap_);
    CHECK(n_ > 0 && (size_t) n_ < cap);
}

/* Endpoint n of a test (named by tag) on transport "inproc", "ipc", "tcp"
   or "ws":
     inproc://<tag>-<n>
     ipc:///tmp/nn-<tag>-<pid>-<n>.ipc  (any leftover file there removed)
     <transport>://127.0.0.1:<port>     (tcp, ws: n is not used) */
static inline void test_addr_on(char *buf, size_t cap, const char *transport,
    const char *tag, int n, int port)
{
    if (strcmp(transport, "inproc") == 0)
        test_addr(buf, cap, "inproc://%s-%d", tag, n);
    else if (strcmp(transport, "ipc") == 0) {
        test_addr(buf, cap, "ipc:///tmp/nn-%s-%d-%d.ipc", tag, (int) getpid(),
            n);
        unlink(buf + strlen("ipc://"));
    } else
        test_addr(buf, cap, "%s://127.0.0.1:%d", transport, port);
}

/* ---- Receiving nothing, throwing away ------------------------------------ */

/* Nothing (more) is to be received on s. wait_ms > 0: a receive with that
   timeout times out (ETIMEDOUT), then one with NN_DONTWAIT finds nothing;
   s's NN_RCVTIMEO is restored. wait_ms == 0: only the NN_DONTWAIT receive
   (nothing is queued right now). */
static inline void test_recv_none(int s, int wait_ms)
{
    char buf_[256];
    if (wait_ms > 0) {
        int old_ = test_getopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO);
        test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, wait_ms);
        CHECK_ERR(nn_recv(s, buf_, sizeof buf_, 0), ETIMEDOUT);
        CHECK_ERR(nn_recv(s, buf_, sizeof buf_, NN_DONTWAIT), EAGAIN);
        test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, old_);
    } else
        CHECK_ERR(nn_recv(s, buf_, sizeof buf_, NN_DONTWAIT), EAGAIN);
}

/* Throws away what is queued on s and whatever else arrives within ms
   milliseconds (0: only what is queued now); returns how many messages. */
static inline int test_drain(int s, int ms)
{
    char buf_[256];
    int n_ = 0;
    int64_t end_ = now_ms() + ms;
    for (;;) {
        if (nn_recv(s, buf_, sizeof buf_, NN_DONTWAIT) >= 0) {
            n_++;
            continue;
        }
        CHECK(nn_errno() == EAGAIN);
        if (now_ms() >= end_)
            return n_;
        sleep_ms(2);
    }
}

/* A thread that runs fn(arg); join with test_thread_join. */
typedef struct { pthread_t id; } test_thread;

static inline void test_thread_start(test_thread *t, void *(*fn)(void *), void *arg)
{
    int rc = pthread_create(&t->id, NULL, fn, arg);
    CHECK(rc == 0);
}

static inline void test_thread_join(test_thread *t)
{
    int rc = pthread_join(t->id, NULL);
    CHECK(rc == 0);
}


/* ---- SP header helpers (request/reply, survey, devices) ---------------- */

/* The call must fail with exactly this errno: a receive that must not
   deliver anything. */
static inline void test_drop(int s, int err)
{
    char buf_[256];
    CHECK_ERR(nn_recv(s, buf_, sizeof buf_, 0), err);
}

/* Receives one message with nn_recvmsg and returns the body length. The SP
   header delivered in the SP_HDR control property (level PROTO_SP) is copied
   to hdr (at most hdrcap bytes) and its length stored in *hdrlen. Upstream's
   SP_HDR payload is a size_t header length followed by the header bytes, and
   the property's cmsg_len is NN_CMSG_SPACE(sizeof(size_t) + length). The
   property must be present. A failed receive returns -1 (errno in
   nn_errno) from test_try_recv_hdr; test_recv_hdr fails the test. */
static inline int test_try_recv_hdr(int s, void *body, size_t bodycap,
    void *hdr, size_t hdrcap, size_t *hdrlen)
{
    struct nn_msghdr mh_;
    struct nn_iovec iov_;
    size_t ctl_[64];
    struct nn_cmsghdr *c_;
    size_t len_;
    int rc_;

    memset(&mh_, 0, sizeof mh_);
    memset(ctl_, 0, sizeof ctl_);
    iov_.iov_base = body;
    iov_.iov_len = bodycap;
    mh_.msg_iov = &iov_;
    mh_.msg_iovlen = 1;
    mh_.msg_control = ctl_;
    mh_.msg_controllen = sizeof ctl_;
    rc_ = nn_recvmsg(s, &mh_, 0);
    if (rc_ < 0)
        return rc_;
    c_ = NN_CMSG_FIRSTHDR(&mh_);
    while (c_ && !(c_->cmsg_level == PROTO_SP && c_->cmsg_type == SP_HDR))
        c_ = NN_CMSG_NXTHDR(&mh_, c_);
    CHECK(c_ != NULL);
    memcpy(&len_, NN_CMSG_DATA(c_), sizeof len_);
    CHECK(c_->cmsg_len == NN_CMSG_SPACE(sizeof(size_t) + len_));
    CHECK(len_ <= hdrcap);
    memcpy(hdr, NN_CMSG_DATA(c_) + sizeof(size_t), len_);
    *hdrlen = len_;
    return rc_;
}

static inline int test_recv_hdr(int s, void *body, size_t bodycap,
    void *hdr, size_t hdrcap, size_t *hdrlen)
{
    int rc_ = test_try_recv_hdr(s, body, bodycap, hdr, hdrcap, hdrlen);
    CHECK(rc_ >= 0);
    return rc_;
}

/* Sends body with the given SP header in an SP_HDR control property. */
static inline void test_send_hdr(int s, const void *body, size_t len,
    const void *hdr, size_t hdrlen)
{
    struct nn_msghdr mh_;
    struct nn_iovec iov_;
    size_t ctl_[64];
    struct nn_cmsghdr *c_ = (struct nn_cmsghdr *) ctl_;
    int rc_;

    CHECK(NN_CMSG_SPACE(sizeof(size_t) + hdrlen) <= sizeof ctl_);
    memset(ctl_, 0, sizeof ctl_);
    c_->cmsg_len = NN_CMSG_LEN(sizeof(size_t) + hdrlen);
    c_->cmsg_level = PROTO_SP;
    c_->cmsg_type = SP_HDR;
    memcpy(NN_CMSG_DATA(c_), &hdrlen, sizeof hdrlen);
    memcpy(NN_CMSG_DATA(c_) + sizeof(size_t), hdr, hdrlen);
    memset(&mh_, 0, sizeof mh_);
    iov_.iov_base = (void *) body;
    iov_.iov_len = len;
    mh_.msg_iov = &iov_;
    mh_.msg_iovlen = 1;
    mh_.msg_control = ctl_;
    mh_.msg_controllen = NN_CMSG_SPACE(sizeof(size_t) + hdrlen);
    rc_ = nn_sendmsg(s, &mh_, 0);
    CHECK(rc_ == (int) len);
}

/* Big-endian 32-bit value at p (SP header words are big-endian). */
static inline uint32_t test_getl(const void *p)
{
    const unsigned char *b_ = (const unsigned char *) p;
    return ((uint32_t) b_[0] << 24) | ((uint32_t) b_[1] << 16) |
        ((uint32_t) b_[2] << 8) | (uint32_t) b_[3];
}

static inline void test_putl(void *p, uint32_t v)
{
    unsigned char *b_ = (unsigned char *) p;
    b_[0] = (unsigned char) (v >> 24);
    b_[1] = (unsigned char) (v >> 16);
    b_[2] = (unsigned char) (v >> 8);
    b_[3] = (unsigned char) v;
}

/* Waits up to timeout_ms for a message on any of the n sockets (polled with
   NN_DONTWAIT) and returns the index of the socket that had one, with the
   body in buf (NUL-terminated; bufcap must leave room) and its length in
   *len; -1 when nothing arrived. */
static inline int test_recv_any(const int *socks, int n, char *buf,
    size_t bufcap, int *len, int timeout_ms)
{
    int64_t deadline_ = now_ms() + timeout_ms;
    for (;;) {
        for (int i_ = 0; i_ < n; i_++) {
            int rc_ = nn_recv(socks[i_], buf, bufcap - 1, NN_DONTWAIT);
            if (rc_ >= 0) {
                buf[rc_] = 0;
                if (len)
                    *len = rc_;
                return i_;
            }
            CHECK(nn_errno() == EAGAIN);
        }
        if (now_ms() >= deadline_)
            return -1;
        sleep_ms(1);
    }
}

/* A message that `dropper` must drop (REQ/SURVEYOR TTL, a device hop):
   the counters taken before it is sent; `feeder` is the socket whose sends
   fill dropper's queue. */
struct test_drop_snap {
    uint64_t fed, delivered;
};

static inline struct test_drop_snap test_drop_snap(int dropper, int feeder)
{
    struct test_drop_snap sn;
    sn.fed = nn_get_statistic(feeder, NN_STAT_MESSAGES_SENT);
    sn.delivered = nn_get_statistic(dropper, NN_STAT_MESSAGES_RECEIVED);
    return sn;
}

/* Shows without a time window that the message was dropped by dropper: it
   reached dropper's queue (feeder counted it sent, after queueing it), it
   left the queue (dropper no longer readable: the device thread took it,
   or, for an end socket we own, our NN_DONTWAIT receive did), and dropper
   delivered nothing (its received count, which changes under the same
   lock as its readiness, did not move). */
static inline void test_proven_dropped(struct test_drop_snap sn, int dropper,
    int feeder, int own)
{
    char buf[32];
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_get_statistic(feeder, NN_STAT_MESSAGES_SENT) == sn.fed) {
        CHECK(now_ms() < deadline);
        sleep_ms(1);
    }
    CHECK(nn_get_statistic(feeder, NN_STAT_MESSAGES_SENT) == sn.fed + 1);
    if (own)
        CHECK_ERR(nn_recv(dropper, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    for (;;) {
        struct nn_pollfd pfd = { dropper, NN_POLLIN, 0 };
        int rc = nn_poll(&pfd, 1, 0);
        CHECK(rc >= 0);
        if (rc == 0)
            break;
        CHECK(!own);
        CHECK(now_ms() < deadline);
        sleep_ms(1);
    }
    CHECK(nn_get_statistic(dropper, NN_STAT_MESSAGES_RECEIVED) ==
        sn.delivered);
}

#endif
