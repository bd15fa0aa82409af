/* nn_get_statistic connection counters over tcp (and a little ipc), as
   upstream nanomsg 1.1.5 maintains them. Counters change in the
   background, so every expectation is polled with a deadline.
   - a fresh socket: every counter is 0;
   - a connected PAIR: the binding side counts ACCEPTED_CONNECTIONS 1, the
     connecting side ESTABLISHED_CONNECTIONS 1, both CURRENT_CONNECTIONS 1;
     no errors, INPROGRESS_CONNECTIONS 0 once connected;
   - MESSAGES_SENT/RECEIVED and BYTES_SENT/RECEIVED count bodies exactly;
   - the peer closing: BROKEN_CONNECTIONS 1 and CURRENT_CONNECTIONS 0 on
     the survivor, DROPPED_CONNECTIONS stays 0;
   - nn_shutdown of a bind (or connect) endpoint with a live connection:
     DROPPED_CONNECTIONS 1 on the side that shut down, BROKEN 1 on the
     peer;
   - connecting to a port nobody listens on: CONNECT_ERRORS keeps rising,
     CURRENT_EP_ERRORS is the number of endpoints currently failing (1, or
     2 with two such endpoints) and drops back to 0 once a listener
     appears and the connection is established;
   - a handshake between incompatible protocols (PUSH bound, PUB
     connecting): the TCP connection is counted as accepted/established and
     then broken, but CURRENT_CONNECTIONS never becomes 1;
   - a message above the receiver's NN_RCVMAXSIZE: the receiver counts a
     BROKEN connection (not DROPPED), the sender counts the message as
     sent;
   - a bind failing synchronously (EADDRINUSE) is reported through errno
     and does not touch BIND_ERRORS;
   - ipc connections are counted the same way.
   Ports: 21100-21119 (this file's block). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

#define PORT_BASE 21100
#define PORT_COUNT 20

static uint64_t st(int s, int stat)
{
    return nn_get_statistic(s, stat);
}

/* Waits up to TEST_MUST_MS for statistic `stat` of s to satisfy op (one
   of "==", ">=") against v. */
#define WAIT_STAT(s, stat, op, v) wait_stat_(__LINE__, (s), (stat), #stat, \
    (op), (uint64_t) (v))

static void wait_stat_(int line, int s, int stat, const char *name,
    const char *op, uint64_t v)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        uint64_t cur = st(s, stat);
        int ok = op[0] == '=' ? cur == v : cur >= v;
        if (ok)
            return;
        if (now_ms() >= deadline) {
            fprintf(stderr, "%s:%d: socket %d: %s is %llu, expected %s "
                "%llu\n", __FILE__, line, s, name, (unsigned long long) cur,
                op, (unsigned long long) v);
            exit(1);
        }
        sleep_ms(5);
    }
}

#define EXPECT_STAT(s, stat, v) do {                                         \
        uint64_t cur_ = st((s), (stat));                                     \
        if (cur_ != (uint64_t) (v)) {                                        \
            fprintf(stderr, "%s:%d: socket %d: %s is %llu, expected %llu\n", \
                __FILE__, __LINE__, (s), #stat, (unsigned long long) cur_,   \
                (unsigned long long) (v));                                   \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

static const int all_stats[] = {
    NN_STAT_ESTABLISHED_CONNECTIONS, NN_STAT_ACCEPTED_CONNECTIONS,
    NN_STAT_DROPPED_CONNECTIONS, NN_STAT_BROKEN_CONNECTIONS,
    NN_STAT_CONNECT_ERRORS, NN_STAT_BIND_ERRORS, NN_STAT_ACCEPT_ERRORS,
    NN_STAT_CURRENT_CONNECTIONS, NN_STAT_INPROGRESS_CONNECTIONS,
    NN_STAT_CURRENT_EP_ERRORS, NN_STAT_MESSAGES_SENT,
    NN_STAT_MESSAGES_RECEIVED, NN_STAT_BYTES_SENT, NN_STAT_BYTES_RECEIVED
};

/* A socket with must-arrive timeouts whose statistics all start at 0. */
static int stats_socket(int proto)
{
    int s = test_socket_timeo(AF_SP, proto, TEST_MUST_MS, TEST_MUST_MS);
    for (size_t i = 0; i < sizeof all_stats / sizeof all_stats[0]; i++)
        CHECK(st(s, all_stats[i]) == 0);
    return s;
}

/* Binding socket a and connecting socket b on addr; waits until both see
   the connection. */
static void connect_pair(int a, int b, const char *addr, int *beid,
    int *ceid)
{
    int e1 = test_bind(a, addr);
    int e2 = test_connect(b, addr);
    if (beid)
        *beid = e1;
    if (ceid)
        *ceid = e2;
    WAIT_STAT(a, NN_STAT_ACCEPTED_CONNECTIONS, "==", 1);
    WAIT_STAT(a, NN_STAT_CURRENT_CONNECTIONS, "==", 1);
    WAIT_STAT(b, NN_STAT_ESTABLISHED_CONNECTIONS, "==", 1);
    WAIT_STAT(b, NN_STAT_CURRENT_CONNECTIONS, "==", 1);
}

static void test_connection_and_traffic(int use_ipc)
{
    char a[128], buf[16];
    int s = stats_socket(NN_PAIR);
    int c = stats_socket(NN_PAIR);
    if (use_ipc) {
        snprintf(a, sizeof a, "ipc:///tmp/nn-stats-net-%d.ipc",
            (int) getpid());
        unlink(a + 6);
    } else
        test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(0));
    connect_pair(s, c, a, NULL, NULL);
    WAIT_STAT(c, NN_STAT_INPROGRESS_CONNECTIONS, "==", 0);
    EXPECT_STAT(s, NN_STAT_ESTABLISHED_CONNECTIONS, 0);
    EXPECT_STAT(c, NN_STAT_ACCEPTED_CONNECTIONS, 0);
    EXPECT_STAT(s, NN_STAT_INPROGRESS_CONNECTIONS, 0);
    for (int i = 0; i < 2; i++) {
        int x = i ? c : s;
        EXPECT_STAT(x, NN_STAT_DROPPED_CONNECTIONS, 0);
        EXPECT_STAT(x, NN_STAT_BROKEN_CONNECTIONS, 0);
        EXPECT_STAT(x, NN_STAT_CONNECT_ERRORS, 0);
        EXPECT_STAT(x, NN_STAT_BIND_ERRORS, 0);
        EXPECT_STAT(x, NN_STAT_ACCEPT_ERRORS, 0);
        EXPECT_STAT(x, NN_STAT_CURRENT_EP_ERRORS, 0);
        EXPECT_STAT(x, NN_STAT_MESSAGES_SENT, 0);
        EXPECT_STAT(x, NN_STAT_MESSAGES_RECEIVED, 0);
    }

    /* Traffic: 5 bytes one way, 3 + 0 bytes the other. */
    test_send(c, "hello");
    test_recv(s, "hello");
    test_send(s, "abc");
    test_recv(c, "abc");
    CHECK(nn_send(s, "", 0, 0) == 0);
    CHECK(nn_recv(c, buf, sizeof buf, 0) == 0);
    WAIT_STAT(c, NN_STAT_MESSAGES_RECEIVED, "==", 2);
    EXPECT_STAT(c, NN_STAT_MESSAGES_SENT, 1);
    EXPECT_STAT(c, NN_STAT_BYTES_SENT, 5);
    EXPECT_STAT(c, NN_STAT_BYTES_RECEIVED, 3);
    WAIT_STAT(s, NN_STAT_MESSAGES_RECEIVED, "==", 1);
    EXPECT_STAT(s, NN_STAT_MESSAGES_SENT, 2);
    EXPECT_STAT(s, NN_STAT_BYTES_SENT, 3);
    EXPECT_STAT(s, NN_STAT_BYTES_RECEIVED, 5);

    /* The connecting peer goes away: broken, not dropped, on s. */
    test_close(c);
    WAIT_STAT(s, NN_STAT_BROKEN_CONNECTIONS, "==", 1);
    WAIT_STAT(s, NN_STAT_CURRENT_CONNECTIONS, "==", 0);
    EXPECT_STAT(s, NN_STAT_DROPPED_CONNECTIONS, 0);
    EXPECT_STAT(s, NN_STAT_ACCEPTED_CONNECTIONS, 1);
    EXPECT_STAT(s, NN_STAT_ACCEPT_ERRORS, 0);
    /* Message counters are not affected. */
    EXPECT_STAT(s, NN_STAT_MESSAGES_SENT, 2);
    EXPECT_STAT(s, NN_STAT_MESSAGES_RECEIVED, 1);
    test_close(s);
}

static void test_bound_peer_closes(void)
{
    char a[64];
    int s = stats_socket(NN_PAIR);
    int c = stats_socket(NN_PAIR);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 5000);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(1));
    connect_pair(s, c, a, NULL, NULL);
    test_close(s);
    WAIT_STAT(c, NN_STAT_BROKEN_CONNECTIONS, "==", 1);
    WAIT_STAT(c, NN_STAT_CURRENT_CONNECTIONS, "==", 0);
    EXPECT_STAT(c, NN_STAT_DROPPED_CONNECTIONS, 0);
    EXPECT_STAT(c, NN_STAT_ESTABLISHED_CONNECTIONS, 1);
    test_close(c);
}

static void test_shutdown_drops(void)
{
    char a[64];
    int beid, ceid;

    /* Shutting down the bind endpoint. */
    int s = stats_socket(NN_PAIR);
    int c = stats_socket(NN_PAIR);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 5000);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(2));
    connect_pair(s, c, a, &beid, NULL);
    CHECK(nn_shutdown(s, beid) == 0);
    WAIT_STAT(s, NN_STAT_DROPPED_CONNECTIONS, "==", 1);
    WAIT_STAT(s, NN_STAT_CURRENT_CONNECTIONS, "==", 0);
    EXPECT_STAT(s, NN_STAT_BROKEN_CONNECTIONS, 0);
    WAIT_STAT(c, NN_STAT_BROKEN_CONNECTIONS, "==", 1);
    WAIT_STAT(c, NN_STAT_CURRENT_CONNECTIONS, "==", 0);
    EXPECT_STAT(c, NN_STAT_DROPPED_CONNECTIONS, 0);
    test_close(c);
    test_close(s);

    /* Shutting down the connect endpoint. */
    s = stats_socket(NN_PAIR);
    c = stats_socket(NN_PAIR);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(3));
    connect_pair(s, c, a, NULL, &ceid);
    CHECK(nn_shutdown(c, ceid) == 0);
    WAIT_STAT(c, NN_STAT_DROPPED_CONNECTIONS, "==", 1);
    WAIT_STAT(c, NN_STAT_CURRENT_CONNECTIONS, "==", 0);
    EXPECT_STAT(c, NN_STAT_BROKEN_CONNECTIONS, 0);
    WAIT_STAT(s, NN_STAT_BROKEN_CONNECTIONS, "==", 1);
    WAIT_STAT(s, NN_STAT_CURRENT_CONNECTIONS, "==", 0);
    EXPECT_STAT(s, NN_STAT_DROPPED_CONNECTIONS, 0);
    test_close(c);
    test_close(s);
}

static void test_connect_errors(void)
{
    char a[64], b[64];
    int c = stats_socket(NN_PAIR);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(4));
    test_connect(c, a);
    WAIT_STAT(c, NN_STAT_CONNECT_ERRORS, ">=", 3);
    WAIT_STAT(c, NN_STAT_CURRENT_EP_ERRORS, "==", 1);
    EXPECT_STAT(c, NN_STAT_ESTABLISHED_CONNECTIONS, 0);
    EXPECT_STAT(c, NN_STAT_CURRENT_CONNECTIONS, 0);
    EXPECT_STAT(c, NN_STAT_INPROGRESS_CONNECTIONS, 0);
    EXPECT_STAT(c, NN_STAT_BROKEN_CONNECTIONS, 0);

    /* Two failing endpoints. */
    int d = stats_socket(NN_PAIR);
    test_setopt_int(d, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_addr(b, sizeof b, "tcp://127.0.0.1:%d", TEST_PORT(5));
    test_connect(d, a);
    test_connect(d, b);
    WAIT_STAT(d, NN_STAT_CURRENT_EP_ERRORS, "==", 2);
    WAIT_STAT(d, NN_STAT_CONNECT_ERRORS, ">=", 4);
    test_close(d);

    /* A listener appears: c connects and is no longer in error. */
    int s = stats_socket(NN_PAIR);
    test_bind(s, a);
    WAIT_STAT(c, NN_STAT_ESTABLISHED_CONNECTIONS, "==", 1);
    WAIT_STAT(c, NN_STAT_CURRENT_CONNECTIONS, "==", 1);
    WAIT_STAT(c, NN_STAT_CURRENT_EP_ERRORS, "==", 0);
    WAIT_STAT(s, NN_STAT_ACCEPTED_CONNECTIONS, "==", 1);
    uint64_t errs = st(c, NN_STAT_CONNECT_ERRORS);
    sleep_ms(200);
    /* Connected: no more errors. */
    EXPECT_STAT(c, NN_STAT_CONNECT_ERRORS, errs);
    EXPECT_STAT(s, NN_STAT_CONNECT_ERRORS, 0);
    test_close(c);
    test_close(s);

    /* The same over ipc. */
    char ipc[128];
    snprintf(ipc, sizeof ipc, "ipc:///tmp/nn-stats-net-%d-none.ipc",
        (int) getpid());
    unlink(ipc + 6);
    c = stats_socket(NN_PAIR);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_connect(c, ipc);
    WAIT_STAT(c, NN_STAT_CONNECT_ERRORS, ">=", 2);
    WAIT_STAT(c, NN_STAT_CURRENT_EP_ERRORS, "==", 1);
    test_close(c);
}

static void test_bind_error(void)
{
    char a[64];
    int s = stats_socket(NN_PAIR);
    int t = stats_socket(NN_PAIR);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(6));
    test_bind(s, a);
    CHECK_ERR(nn_bind(t, a), EADDRINUSE);
    sleep_ms(100);
    EXPECT_STAT(t, NN_STAT_BIND_ERRORS, 0);
    EXPECT_STAT(s, NN_STAT_BIND_ERRORS, 0);
    EXPECT_STAT(t, NN_STAT_CURRENT_EP_ERRORS, 0);
    test_close(t);
    test_close(s);
}

static void test_incompatible(void)
{
    char a[64];
    int push = stats_socket(NN_PUSH);
    int pub = stats_socket(NN_PUB);
    test_setopt_int(pub, NN_SOL_SOCKET, NN_RECONNECT_IVL, 100);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(7));
    test_bind(push, a);
    test_connect(pub, a);
    WAIT_STAT(push, NN_STAT_ACCEPTED_CONNECTIONS, ">=", 1);
    WAIT_STAT(push, NN_STAT_BROKEN_CONNECTIONS, ">=", 1);
    WAIT_STAT(pub, NN_STAT_ESTABLISHED_CONNECTIONS, ">=", 1);
    WAIT_STAT(pub, NN_STAT_BROKEN_CONNECTIONS, ">=", 1);
    int64_t end = now_ms() + 300;
    while (now_ms() < end) {
        EXPECT_STAT(push, NN_STAT_CURRENT_CONNECTIONS, 0);
        EXPECT_STAT(pub, NN_STAT_CURRENT_CONNECTIONS, 0);
        sleep_ms(5);
    }
    EXPECT_STAT(push, NN_STAT_DROPPED_CONNECTIONS, 0);
    EXPECT_STAT(pub, NN_STAT_DROPPED_CONNECTIONS, 0);
    test_close(pub);
    test_close(push);
}

static void test_oversize(void)
{
    char a[64], m[16];
    int pull = stats_socket(NN_PULL);
    int push = stats_socket(NN_PUSH);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, 10);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(8));
    connect_pair(pull, push, a, NULL, NULL);
    memset(m, 'x', sizeof m);
    CHECK(nn_send(push, m, 16, 0) == 16);
    WAIT_STAT(pull, NN_STAT_BROKEN_CONNECTIONS, "==", 1);
    /* (The sender reconnects at once, so CURRENT_CONNECTIONS may already
       be back to 1 here.) */
    EXPECT_STAT(pull, NN_STAT_DROPPED_CONNECTIONS, 0);
    EXPECT_STAT(pull, NN_STAT_MESSAGES_RECEIVED, 0);
    EXPECT_STAT(pull, NN_STAT_BYTES_RECEIVED, 0);
    EXPECT_STAT(push, NN_STAT_MESSAGES_SENT, 1);
    EXPECT_STAT(push, NN_STAT_BYTES_SENT, 16);
    WAIT_STAT(push, NN_STAT_BROKEN_CONNECTIONS, "==", 1);
    test_close(push);
    test_close(pull);
}

int main(void)
{
    alarm(30);
    test_connection_and_traffic(0);
    test_connection_and_traffic(1);
    test_bound_peer_closes();
    test_shutdown_drops();
    test_connect_errors();
    test_bind_error();
    test_incompatible();
    test_oversize();
    return 0;
}
