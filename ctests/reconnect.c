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
   - NN_RECONNECT_IVL is honoured: with 1500 ms, a peer that binds after
     the first failed attempt is not reached within 700 ms of the connect,
     but is reached later;
   - NN_RECONNECT_IVL_MAX makes the interval back off: by the time a socket
     with IVL 100 / MAX 0 has made 12 failed attempts
     (NN_STAT_CONNECT_ERRORS), one with IVL 100 / MAX 4000 has made no
     more than doubling intervals (100, 200, 400 ...) allow in that time.
   Resend intervals shorter than a round trip on a slow machine make the
   REQ send a request again while its reply is on the way: the REP skips
   such copies of earlier requests, and the resend-timer case counts them
   against what the time the REQ waited allows.
   Ports: 21040-21059 (this file's block). */
#include "testutil.h"
#include <nanomsg/reqrep.h>
#include <nanomsg/pair.h>

#define PORT_BASE 21040
#define PORT_COUNT 20

/* Receives want on a REP, skipping copies of the earlier requests in
   stale[0..nstale): with a resend interval shorter than a round trip on a
   slow machine, the REQ legitimately sent them again while their replies
   were on the way. (That a REQ stops resending once it has its reply is
   test_resend_timer's business.) */
static void rep_recv(int rep, const char *want, const char *const *stale,
    int nstale)
{
    char buf[64];
    for (;;) {
        int rc = nn_recv(rep, buf, sizeof buf - 1, 0);
        CHECK(rc >= 0);
        buf[rc] = 0;
        if (strcmp(buf, want) == 0)
            return;
        int known = 0;
        for (int i = 0; i < nstale && !known; i++)
            known = strcmp(buf, stale[i]) == 0;
        if (!known) {
            fprintf(stderr, "REP got \"%s\", expected \"%s\"\n", buf, want);
            exit(1);
        }
    }
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
    const char *sent[8] = { 0 };
    int nsent = 0;
    char again[3][16];
    int req = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    int rep = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, resend_ivl);
    CHECK(test_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL) == resend_ivl);
    test_bind(rep, addr);
    test_connect(req, addr);

    /* One normal round trip first. */
    test_send(req, "warmup");
    rep_recv(rep, "warmup", sent, nsent);
    sent[nsent++] = "warmup";
    test_send(rep, "warm");
    test_recv(req, "warm");

    test_send(req, "pending-request");
    rep_recv(rep, "pending-request", sent, nsent);
    test_close(rep);

    if (gap_ms > 0)
        sleep_ms(gap_ms);
    int rep2 = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    int64_t t0 = now_ms();
    test_bind(rep2, addr);
    rep_recv(rep2, "pending-request", sent, nsent);
    sent[nsent++] = "pending-request";
    if (resend_ivl >= 10000)
        /* Not the timer (60 s): the new connection (reconnect interval
           50 ms) triggered the resend. The bound only has to stay far
           below the timer. */
        CHECK_NO_HANG(t0, 100);
    test_send(rep2, "answer-from-new-rep");
    test_recv(req, "answer-from-new-rep");

    for (int i = 0; i < 3; i++) {
        snprintf(again[i], sizeof again[i], "again-%d", i);
        test_send(req, again[i]);
        rep_recv(rep2, again[i], sent, nsent);
        sent[nsent++] = again[i];
        test_send(rep2, "ok");
        test_recv(req, "ok");
    }
    test_close(req);
    test_close(rep2);
}

static void test_req_resend(void)
{
    char a[64], ipc[128];

    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(0));
    req_survives_rep_restart(a, 200, 0);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(1));
    req_survives_rep_restart(a, 200, 300);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(2));
    req_survives_rep_restart(a, 60000, 300);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(3));
    req_survives_rep_restart(a, 60000, 0);

    snprintf(ipc, sizeof ipc, "ipc:///tmp/nn-reconnect-%d.ipc",
        (int) getpid());
    unlink(ipc + 6);
    req_survives_rep_restart(ipc, 60000, 100);
    unlink(ipc + 6);
}

static void test_resend_timer(void)
{
    enum { IVL = 300 };
    char a[64];
    char buf[32];
    int req = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    int rep = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(4));
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, IVL);
    test_bind(rep, a);
    test_connect(req, a);
    /* t0 before the send that starts the resend timer. */
    int64_t t0 = now_ms();
    test_send(req, "ignored-once");
    test_recv(rep, "ignored-once");
    /* The REP does not answer; the same request comes again, from the
       timer: not before about IVL after the send. */
    test_recv(rep, "ignored-once");
    CHECK(now_ms() - t0 >= IVL / 2);
    test_send(rep, "finally");
    test_recv(req, "finally");
    /* The REQ resends every IVL until its nn_recv takes the reply: at most
       1 + (time waited) / IVL copies in all (20 ms for timer rounding), 2
       on a quiet machine. Copies still on the way may arrive after the
       reply; then nothing more comes: a REQ that keeps resending exceeds
       the count, or never falls silent for 3 intervals. */
    int64_t waited = now_ms() - t0;
    int allowed = 1 + (int) ((waited + 20) / IVL);
    int copies = 2;
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 3 * IVL);
    for (;;) {
        int rc = nn_recv(rep, buf, sizeof buf, 0);
        if (rc < 0)
            break;
        CHECK(rc == 12 && memcmp(buf, "ignored-once", 12) == 0);
        copies++;
        if (copies > allowed) {
            fprintf(stderr, "resend timer: %d copies of a request whose "
                "reply was taken after %lld ms (at most %d allowed with a "
                "%d ms interval)\n", copies, (long long) waited, allowed, IVL);
            exit(1);
        }
    }
    CHECK(nn_errno() == ETIMEDOUT);
    test_close(req);
    test_close(rep);
}

static void test_pair_restart(void)
{
    char a[64];
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(5));
    int c = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int b = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_bind(b, a);
    test_connect(c, a);
    test_send(c, "to-first");
    test_recv(b, "to-first");
    test_close(b);
    sleep_ms(150);
    b = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(b, a);
    /* PAIR has no resend: wait until the connector is back, then talk. */
    int64_t deadline = now_ms() + TEST_MUST_MS;
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
    int c = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int b = test_socket_timeo(AF_SP, NN_PAIR, 100, TEST_MUST_MS);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(6));
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 1500);
    /* t0 before the connect whose first attempt starts the interval. */
    int64_t t0 = now_ms();
    test_connect(c, a);
    /* Bind only once the first attempt has failed (a slow machine may
       make it late: then it would succeed). */
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_get_statistic(c, NN_STAT_CONNECT_ERRORS) < 1) {
        CHECK(now_ms() < deadline);
        sleep_ms(5);
    }
    test_bind(b, a);
    /* The next attempt is due 1500 ms after the first failed, itself
       after t0: nothing connects within 700 ms of t0. */
    while (now_ms() - t0 < 700) {
        CHECK_ERR(nn_send(c, "early", 5, NN_DONTWAIT), EAGAIN);
        CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
        sleep_ms(20);
    }
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
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
    /* Nobody listens on these ports. t0 before either first attempt. */
    int64_t t0 = now_ms();
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(7));
    test_connect(fast, a);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(8));
    test_connect(slow, a);
    /* The fixed interval makes 12 attempts in about 1.2 s (within the hang
       bound: backing off to 4 s it would take over 20 s). */
    uint64_t f, s;
    while ((f = nn_get_statistic(fast, NN_STAT_CONNECT_ERRORS)) < 12) {
        CHECK_NO_HANG(t0, 1200);
        sleep_ms(10);
    }
    s = nn_get_statistic(slow, NN_STAT_CONNECT_ERRORS);
    int64_t el = now_ms() - t0;
    /* Attempt k of the backing-off socket starts no earlier than
       100 + 200 + ... (k terms, each at most 4000 ms) after t0: count the
       attempts that fit in el (+ 50 ms for timer rounding). A stall only
       makes el, and so the allowance, larger. */
    uint64_t smax = 0;
    for (int64_t start = 0, d = 100; start <= el + 50; smax++) {
        start += d;
        d = d * 2 > 4000 ? 4000 : d * 2;
    }
    if (s > smax) {
        fprintf(stderr, "connect errors after %lld ms: fixed interval %llu, "
            "backing off %llu (at most %llu with doubling intervals)\n",
            (long long) el, (unsigned long long) f, (unsigned long long) s,
            (unsigned long long) smax);
        exit(1);
    }
    /* And it does try again. */
    while (nn_get_statistic(slow, NN_STAT_CONNECT_ERRORS) < 2) {
        CHECK_NO_HANG(t0, 1200);
        sleep_ms(10);
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
