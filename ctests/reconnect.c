/* Reconnection over TCP (and IPC), as upstream nanomsg 1.1.5 behaves:
   - NN_RECONNECT_IVL (default 100) and NN_RECONNECT_IVL_MAX (default 0)
     are readable and settable; negative values and wrong sizes are EINVAL
     and leave the value unchanged; 0 is accepted for both;
   - REQ connected to a REP over tcp: the REP takes the request and is
     closed without answering, a new REP binds the same address, and the
     REQ's pending request reaches the new REP (NN_REQ_RESEND_IVL small)
     and its answer reaches the REQ; then normal round trips continue;
   - the same with a long NN_REQ_RESEND_IVL and a gap before the new REP
     appears: the request is resent as soon as the new connection is up
     (upstream resends on a lost peer, not only on the timer); also over
     ipc;
   - the resend timer alone: a REP that ignores a request gets it again;
   - a PAIR connector finds a restarted peer on the same address;
   - NN_RECONNECT_IVL is honoured: with 1500 ms, a peer that binds 100 ms
     after the first failed attempt is not reached within 700 ms, but is
     reached later;
   - NN_RECONNECT_IVL_MAX makes the interval back off: over 2 s a socket
     with IVL 100 / MAX 0 makes many more failed attempts
     (NN_STAT_CONNECT_ERRORS) than one with IVL 100 / MAX 4000.
   Ports: 21040-21059 (this file's block). */
#include "testutil.h"
#include <nanomsg/reqrep.h>
#include <nanomsg/pair.h>

#define PORT_BASE 21040

static void tcp_addr(char *buf, size_t cap, int off)
{
    int n = snprintf(buf, cap, "tcp://127.0.0.1:%d", PORT_BASE + off);
    CHECK(n > 0 && (size_t) n < cap);
}

static int mk(int proto, int rcvtimeo)
{
    int s = test_socket(AF_SP, proto);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, rcvtimeo);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 3000);
    return s;
}

static void test_options(void)
{
    int s = test_socket(AF_SP, NN_REQ);
    int v;
    char c = 1;

    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL) == 100);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 0);

    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 250);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL) == 250);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 0);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL) == 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 30);
    v = -1;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, &v,
        sizeof v), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, &c, 1),
        EINVAL);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL) == 30);

    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 5000);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 5000);
    /* A maximum below the interval is accepted as is. */
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 10);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 10);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 0);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 700);
    v = -1;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, &v,
        sizeof v), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, &c, 1),
        EINVAL);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 700);

    /* Options are per socket. */
    int t = test_socket(AF_SP, NN_REQ);
    CHECK(test_getopt_int(t, NN_SOL_SOCKET, NN_RECONNECT_IVL) == 100);
    CHECK(test_getopt_int(t, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 0);
    test_close(t);
    test_close(s);
}

/* REQ connected to addr; the first REP takes a request and dies without
   answering; after gap_ms a new REP binds addr and must get the request
   and be able to answer it. */
static void req_survives_rep_restart(const char *addr, int resend_ivl,
    int gap_ms)
{
    int req = mk(NN_REQ, 4000);
    int rep = mk(NN_REP, 3000);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, resend_ivl);
    CHECK(test_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL) == resend_ivl);
    test_bind(rep, addr);
    test_connect(req, addr);

    /* One normal round trip first. */
    test_send(req, "warmup");
    test_recv(rep, "warmup");
    test_send(rep, "warm");
    test_recv(req, "warm");

    test_send(req, "pending-request");
    test_recv(rep, "pending-request");
    test_close(rep);

    if (gap_ms > 0)
        sleep_ms(gap_ms);
    int rep2 = mk(NN_REP, 3000);
    test_bind(rep2, addr);
    int64_t t0 = now_ms();
    test_recv(rep2, "pending-request");
    if (resend_ivl >= 10000)
        /* Not the timer: the lost peer triggered the resend. */
        CHECK(now_ms() - t0 < 3000);
    test_send(rep2, "answer-from-new-rep");
    test_recv(req, "answer-from-new-rep");

    for (int i = 0; i < 3; i++) {
        test_send(req, "again");
        test_recv(rep2, "again");
        test_send(rep2, "ok");
        test_recv(req, "ok");
    }
    test_close(req);
    test_close(rep2);
}

static void test_req_resend(void)
{
    char a[64], ipc[128];

    tcp_addr(a, sizeof a, 0);
    req_survives_rep_restart(a, 200, 0);
    tcp_addr(a, sizeof a, 1);
    req_survives_rep_restart(a, 200, 300);
    tcp_addr(a, sizeof a, 2);
    req_survives_rep_restart(a, 60000, 300);
    tcp_addr(a, sizeof a, 3);
    req_survives_rep_restart(a, 60000, 0);

    snprintf(ipc, sizeof ipc, "ipc:///tmp/nn-reconnect-%d.ipc",
        (int) getpid());
    unlink(ipc + 6);
    req_survives_rep_restart(ipc, 60000, 100);
    unlink(ipc + 6);
}

static void test_resend_timer(void)
{
    char a[64];
    char buf[32];
    int req = mk(NN_REQ, 3000);
    int rep = mk(NN_REP, 3000);
    tcp_addr(a, sizeof a, 4);
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 300);
    test_bind(rep, a);
    test_connect(req, a);
    test_send(req, "ignored-once");
    test_recv(rep, "ignored-once");
    /* The REP does not answer; the same request comes again. */
    int64_t t0 = now_ms();
    test_recv(rep, "ignored-once");
    CHECK(now_ms() - t0 >= 150);
    test_send(rep, "finally");
    test_recv(req, "finally");
    /* And nothing more arrives at the REP afterwards. */
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(req);
    test_close(rep);
}

static void test_pair_restart(void)
{
    char a[64];
    tcp_addr(a, sizeof a, 5);
    int c = mk(NN_PAIR, 3000);
    int b = mk(NN_PAIR, 3000);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_bind(b, a);
    test_connect(c, a);
    test_send(c, "to-first");
    test_recv(b, "to-first");
    test_close(b);
    sleep_ms(150);
    b = mk(NN_PAIR, 3000);
    test_bind(b, a);
    /* PAIR has no resend: wait until the connector is back, then talk. */
    int64_t deadline = now_ms() + 3000;
    while (nn_send(c, "to-second", 9, NN_DONTWAIT) < 0) {
        CHECK(nn_errno() == EAGAIN);
        CHECK(now_ms() < deadline);
        sleep_ms(10);
    }
    test_recv(b, "to-second");
    test_send(b, "from-second");
    test_recv(c, "from-second");
    test_close(c);
    test_close(b);
}

static void test_reconnect_ivl(void)
{
    char a[64];
    char buf[16];
    int c = mk(NN_PAIR, 3000);
    int b = mk(NN_PAIR, 100);
    tcp_addr(a, sizeof a, 6);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 1500);
    int64_t t0 = now_ms();
    test_connect(c, a);
    sleep_ms(100);
    test_bind(b, a);
    /* The next attempt is due about 1500 ms after the first. */
    while (now_ms() - t0 < 700) {
        CHECK_ERR(nn_send(c, "early", 5, NN_DONTWAIT), EAGAIN);
        CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
        sleep_ms(20);
    }
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 4000);
    test_send(c, "eventually");
    test_recv(b, "eventually");
    CHECK(now_ms() - t0 >= 700);
    test_close(c);
    test_close(b);
}

static void test_backoff(void)
{
    char a[64];
    int fast = test_socket(AF_SP, NN_PAIR);
    int slow = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(fast, NN_SOL_SOCKET, NN_RECONNECT_IVL, 100);
    test_setopt_int(slow, NN_SOL_SOCKET, NN_RECONNECT_IVL, 100);
    test_setopt_int(slow, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 4000);
    /* Nobody listens on these ports. */
    tcp_addr(a, sizeof a, 7);
    test_connect(fast, a);
    tcp_addr(a, sizeof a, 8);
    test_connect(slow, a);
    sleep_ms(2000);
    uint64_t f = nn_get_statistic(fast, NN_STAT_CONNECT_ERRORS);
    uint64_t s = nn_get_statistic(slow, NN_STAT_CONNECT_ERRORS);
    /* About 20 attempts against about 5 (100, 200, 400, 800 ms ...). */
    if (f < 12 || s < 2 || s > 8) {
        fprintf(stderr, "connect errors in 2 s: fixed interval %llu "
            "(expected >= 12), backing off %llu (expected 2..8)\n",
            (unsigned long long) f, (unsigned long long) s);
        exit(1);
    }
    test_close(fast);
    test_close(slow);
}

int main(void)
{
    alarm(30);
    test_options();
    test_req_resend();
    test_resend_timer();
    test_pair_restart();
    test_reconnect_ivl();
    test_backoff();
    return 0;
}
