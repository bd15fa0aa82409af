/* Every scalability protocol over tcp and over ipc, as with upstream
   nanomsg 1.1.5: PAIR both ways, REQ/REP round trip, PUB/SUB with a
   subscription (a non-matching topic is filtered), PUSH/PULL, SURVEYOR/
   RESPONDENT survey and vote, BUS with 3 fully meshed nodes (each message
   reaches exactly the two other nodes). Then incompatible pairs, whose
   SP handshake fails: PUSH->SUB, REQ->PULL, PUSH->PAIR, SURVEYOR->REP,
   REQ->RESPONDENT and PAIR->BUS never deliver anything in 300 ms, while a
   compatible sender connected afterwards to the same receiver gets
   through (so the receiver itself works).
   Senders of protocols that drop messages without peers (PUB, SURVEYOR,
   BUS) retry until the link is up, then the receivers are drained.
   Ports: 21140-21159 (this file's block). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>

#define PORT_BASE 21140
#define PORT_COUNT 20

static int next_port;
static int next_ipc;

/* A fresh address on the given transport: the block's next port, or the
   next ipc path. */
static void next_addr(char *buf, size_t cap, int use_ipc)
{
    if (use_ipc)
        test_addr_on(buf, cap, "ipc", "protocols-net", next_ipc++, 0);
    else
        test_addr_on(buf, cap, "tcp", "", 0, TEST_PORT(next_port++));
}

/* Receives want on s, skipping copies of the link-up messages (starting
   with skip) that test_drain() did not get: on a slow machine some are still
   on their way after its window, but they travel on the same connection
   ahead of want. */
static void recv_skipping(int s, const char *want, const char *skip)
{
    char buf[64];
    size_t len = strlen(want);
    for (;;) {
        int rc = nn_recv(s, buf, sizeof buf - 1, 0);
        CHECK(rc >= 0);
        buf[rc] = 0;
        if (rc == (int) len && memcmp(buf, want, len) == 0)
            return;
        if (strncmp(buf, skip, strlen(skip)) != 0) {
            fprintf(stderr, "received \"%s\", expected \"%s\"\n", buf,
                want);
            exit(1);
        }
    }
}

static void test_pair(int use_ipc)
{
    char a[128];
    int x = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int y = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        50);
    next_addr(a, sizeof a, use_ipc);
    test_bind(x, a);
    test_connect(y, a);
    test_send(y, "pair-up");
    test_recv(x, "pair-up");
    test_send(x, "pair-down");
    test_recv(y, "pair-down");
    test_close(y);
    test_close(x);
}

static void test_reqrep(int use_ipc)
{
    char a[128];
    int rep = test_socket_timeo_ivl(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int req = test_socket_timeo_ivl(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS,
        50);
    next_addr(a, sizeof a, use_ipc);
    test_bind(rep, a);
    test_connect(req, a);
    for (int i = 0; i < 3; i++) {
        test_send(req, "question");
        test_recv(rep, "question");
        test_send(rep, "answer");
        test_recv(req, "answer");
    }
    test_close(req);
    test_close(rep);
}

static void test_pubsub(int use_ipc)
{
    char a[128], buf[64];
    int pub = test_socket_timeo_ivl(AF_SP, NN_PUB, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int sub = test_socket_timeo_ivl(AF_SP, NN_SUB, TEST_MUST_MS, TEST_MUST_MS,
        50);
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "news", 4) == 0);
    next_addr(a, sizeof a, use_ipc);
    test_bind(pub, a);
    test_connect(sub, a);
    test_await_link(pub, sub, "news:link");
    test_drain(sub, 100);
    test_send(pub, "sport:ignored");
    test_send(pub, "news:delivered");
    recv_skipping(sub, "news:delivered", "news:link");
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    CHECK_ERR(nn_recv(sub, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(sub);
    test_close(pub);
}

static void test_pipeline(int use_ipc)
{
    char a[128];
    int pull = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int push = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    next_addr(a, sizeof a, use_ipc);
    test_bind(pull, a);
    test_connect(push, a);
    test_send(push, "work-item");
    test_recv(pull, "work-item");
    test_close(push);
    test_close(pull);
}

static void test_survey(int use_ipc)
{
    char a[128], buf[64];
    int sv = test_socket_timeo_ivl(AF_SP, NN_SURVEYOR, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int rs = test_socket_timeo_ivl(AF_SP, NN_RESPONDENT, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    /* The votes must come before the deadline, whatever a stall of the
       machine; the test never waits for it. */
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, TEST_MUST_MS);
    next_addr(a, sizeof a, use_ipc);
    test_bind(sv, a);
    test_connect(rs, a);
    /* Surveys re-sent until the respondent is reachable. */
    test_await_link(sv, rs, "probe");
    /* A fresh survey; the respondent skips stale probes still in flight
       (each receive replaces the survey it would answer). */
    for (int round = 1; round <= 2; round++) {
        char q[16], v[16];
        snprintf(q, sizeof q, "survey-%d", round);
        snprintf(v, sizeof v, "vote-%d", round);
        test_send(sv, q);
        for (;;) {
            int rc = nn_recv(rs, buf, sizeof buf, 0);
            CHECK(rc >= 0);
            if (rc == (int) strlen(q) && memcmp(buf, q, rc) == 0)
                break;
            CHECK(rc == 5 && memcmp(buf, "probe", 5) == 0);
        }
        test_send(rs, v);
        test_recv(sv, v);
    }
    test_setopt_int(sv, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(rs);
    test_close(sv);
}

static void test_bus(int use_ipc)
{
    char a0[128], a1[128], buf[64];
    int n[3];
    for (int i = 0; i < 3; i++)
        n[i] = test_socket_timeo_ivl(AF_SP, NN_BUS, TEST_MUST_MS,
            TEST_MUST_MS, 50);
    next_addr(a0, sizeof a0, use_ipc);
    next_addr(a1, sizeof a1, use_ipc);
    /* Full mesh: 0 <- 1, 0 <- 2, 1 <- 2. */
    test_bind(n[0], a0);
    test_bind(n[1], a1);
    test_connect(n[1], a0);
    test_connect(n[2], a0);
    test_connect(n[2], a1);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (i != j) {
                char m[16];
                snprintf(m, sizeof m, "link-%d-%d", i, j);
                test_await_link(n[i], n[j], m);
            }
    for (int i = 0; i < 3; i++)
        test_drain(n[i], 100);

    /* Each node's message reaches exactly the two others. */
    for (int i = 0; i < 3; i++) {
        char m[16];
        snprintf(m, sizeof m, "from-%d", i);
        test_send(n[i], m);
        for (int j = 0; j < 3; j++)
            if (j != i)
                recv_skipping(n[j], m, "link-");
    }
    for (int i = 0; i < 3; i++)
        CHECK_ERR(nn_recv(n[i], buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    sleep_ms(100);
    for (int i = 0; i < 3; i++)
        CHECK_ERR(nn_recv(n[i], buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    for (int i = 0; i < 3; i++)
        test_close(n[i]);
}

/* `bad` (protocol bad_proto) connects to a bound receiver of protocol
   rcv_proto: for 300 ms it keeps trying to send and nothing arrives. Then
   a `good` sender connects to the same address and gets through. */
static void incompatible(int use_ipc, int bad_proto, int rcv_proto,
    int good_proto)
{
    char a[128], buf[64];
    int rcv = test_socket_timeo_ivl(AF_SP, rcv_proto, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int bad = test_socket_timeo_ivl(AF_SP, bad_proto, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    if (rcv_proto == NN_SUB)
        CHECK(nn_setsockopt(rcv, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    next_addr(a, sizeof a, use_ipc);
    test_bind(rcv, a);
    test_connect(bad, a);
    int64_t end = now_ms() + 300;
    while (now_ms() < end) {
        if (nn_send(bad, "wrong", 5, NN_DONTWAIT) < 0)
            CHECK(nn_errno() == EAGAIN);
        int rc = nn_recv(rcv, buf, sizeof buf, NN_DONTWAIT);
        if (rc >= 0) {
            fprintf(stderr, "protocol %d delivered to protocol %d over "
                "%s\n", bad_proto, rcv_proto, use_ipc ? "ipc" : "tcp");
            exit(1);
        }
        CHECK(nn_errno() == EAGAIN);
        sleep_ms(10);
    }

    /* Control: the receiver works with a compatible peer. */
    int good = test_socket_timeo_ivl(AF_SP, good_proto, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    test_connect(good, a);
    test_await_link(good, rcv, "right");
    test_close(good);
    test_close(bad);
    test_close(rcv);
}

int main(void)
{
    alarm(40);
    for (int use_ipc = 0; use_ipc <= 1; use_ipc++) {
        test_pair(use_ipc);
        test_reqrep(use_ipc);
        test_pubsub(use_ipc);
        test_pipeline(use_ipc);
        test_survey(use_ipc);
        test_bus(use_ipc);
        incompatible(use_ipc, NN_PUSH, NN_SUB, NN_PUB);
        incompatible(use_ipc, NN_REQ, NN_PULL, NN_PUSH);
        incompatible(use_ipc, NN_PUSH, NN_PAIR, NN_PAIR);
        incompatible(use_ipc, NN_SURVEYOR, NN_REP, NN_REQ);
        incompatible(use_ipc, NN_REQ, NN_RESPONDENT, NN_SURVEYOR);
        incompatible(use_ipc, NN_PAIR, NN_BUS, NN_BUS);
    }
    return 0;
}
