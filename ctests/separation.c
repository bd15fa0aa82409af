/* Incompatible protocols never exchange messages over inproc, in either
   binding arrangement, while the six compatible pairs (PAIR-PAIR,
   PUSH-PULL, PUB-SUB, REQ-REP, SURVEYOR-RESPONDENT, BUS-BUS) work.  Every
   ordered (bound, connecting) combination of the ten protocols is tried.
   For an incompatible combination: a PAIR or PUSH cannot send (DONTWAIT
   gives EAGAIN, a blocking send times out), PUB, BUS, REQ and SURVEYOR
   accept the message (they do not wait for a peer) but nothing arrives,
   and every receiver reports EAGAIN.  A bound socket that was offered an
   incompatible peer still works with a compatible one afterwards.
   Validated against upstream nanomsg 1.1.5. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>

#define NPROTO 10

static const int proto[NPROTO] = {
    NN_PAIR, NN_PUB, NN_SUB, NN_REQ, NN_REP,
    NN_PUSH, NN_PULL, NN_SURVEYOR, NN_RESPONDENT, NN_BUS
};

static const char *const pname[NPROTO] = {
    "pair", "pub", "sub", "req", "rep",
    "push", "pull", "surveyor", "respondent", "bus"
};

static int peer_of(int p)
{
    switch (p) {
    case NN_PAIR: return NN_PAIR;
    case NN_PUB: return NN_SUB;
    case NN_SUB: return NN_PUB;
    case NN_REQ: return NN_REP;
    case NN_REP: return NN_REQ;
    case NN_PUSH: return NN_PULL;
    case NN_PULL: return NN_PUSH;
    case NN_SURVEYOR: return NN_RESPONDENT;
    case NN_RESPONDENT: return NN_SURVEYOR;
    case NN_BUS: return NN_BUS;
    }
    CHECK(0);
    return -1;
}

/* Can this protocol send without having received something first? */
static int initiates(int p)
{
    return p == NN_PAIR || p == NN_PUB || p == NN_REQ || p == NN_PUSH ||
        p == NN_SURVEYOR || p == NN_BUS;
}

/* Does a send wait for a peer (as opposed to dropping or queueing)? */
static int blocks(int p)
{
    return p == NN_PAIR || p == NN_PUSH;
}

static int can_recv(int p)
{
    return p != NN_PUB && p != NN_PUSH;
}

static int make(int p)
{
    int s = test_socket(AF_SP, p);
    if (p == NN_SUB)
        CHECK(nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    /* A survey must outlive any stall of the machine: once its deadline
       passes, even an NN_DONTWAIT receive reports ETIMEDOUT (not the
       EAGAIN checked for), and a late answer is lost. Nothing here waits
       for it to pass. */
    if (p == NN_SURVEYOR)
        test_setopt_int(s, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    return s;
}

static void try_send(int s, int p)
{
    if (!initiates(p))
        return;
    if (blocks(p)) {
        CHECK_ERR(nn_send(s, "bad", 3, NN_DONTWAIT), EAGAIN);
    } else {
        CHECK(nn_send(s, "bad", 3, NN_DONTWAIT) == 3);
    }
}

static void expect_nothing(int s, int p)
{
    char buf[16];
    if (can_recv(p))
        CHECK_ERR(nn_recv(s, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
}

/* Exchange messages over a compatible pair (a, b); works whichever side
   is bound.  Protocols that drop messages while unconnected are retried
   until the link is up. */
static void exchange(int a, int pa, int b, int pb)
{
    char buf[16];
    int ok = 0;
    switch (pa) {
    case NN_PAIR:
        test_send(a, "p1");
        test_recv(b, "p1");
        test_send(b, "p2");
        test_recv(a, "p2");
        break;
    case NN_PUSH:
        test_send(a, "push");
        test_recv(b, "push");
        break;
    case NN_REQ:
        test_send(a, "req");
        test_recv(b, "req");
        test_send(b, "rep");
        test_recv(a, "rep");
        break;
    case NN_PUB:
    case NN_BUS:
        test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 10);
        for (int i = 0; i < 300 && !ok; i++) {
            test_send(a, "bcast");
            ok = nn_recv(b, buf, sizeof buf, 0) == 5;
        }
        CHECK(ok);
        CHECK(memcmp(buf, "bcast", 5) == 0);
        test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
        if (pa == NN_BUS) {
            sleep_ms(10);
            while (nn_recv(b, buf, sizeof buf, NN_DONTWAIT) >= 0)
                ;
            test_send(b, "back");
            test_recv(a, "back");
        }
        break;
    case NN_SURVEYOR:
        test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 10);
        for (int i = 0; i < 300 && !ok; i++) {
            test_send(a, "survey");
            ok = nn_recv(b, buf, sizeof buf, 0) == 6;
        }
        CHECK(ok);
        test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
        test_send(b, "answer");
        test_recv(a, "answer");
        break;
    default:
        exchange(b, pb, a, pa);
        return;
    }
}

int main(void)
{
    int bound[NPROTO][NPROTO];
    int conn[NPROTO][NPROTO];
    alarm(20);

    /* Every ordered combination, bound side i, connecting side j. */
    for (int i = 0; i < NPROTO; i++) {
        for (int j = 0; j < NPROTO; j++) {
            char addr[64];
            snprintf(addr, sizeof addr, "inproc://separation-%s-%s",
                pname[i], pname[j]);
            bound[i][j] = make(proto[i]);
            conn[i][j] = make(proto[j]);
            test_bind(bound[i][j], addr);
            test_connect(conn[i][j], addr);
        }
    }

    /* Compatible combinations work. */
    for (int i = 0; i < NPROTO; i++)
        for (int j = 0; j < NPROTO; j++)
            if (peer_of(proto[i]) == proto[j])
                exchange(bound[i][j], proto[i], conn[i][j], proto[j]);

    /* Incompatible: whatever is sent, nothing arrives. */
    for (int i = 0; i < NPROTO; i++) {
        for (int j = 0; j < NPROTO; j++) {
            if (peer_of(proto[i]) == proto[j])
                continue;
            try_send(bound[i][j], proto[i]);
            try_send(conn[i][j], proto[j]);
        }
    }
    sleep_ms(100);
    for (int i = 0; i < NPROTO; i++) {
        for (int j = 0; j < NPROTO; j++) {
            if (peer_of(proto[i]) == proto[j])
                continue;
            expect_nothing(bound[i][j], proto[i]);
            expect_nothing(conn[i][j], proto[j]);
        }
    }

    /* Blocking sends time out (PAIR and PUSH facing the wrong peer). */
    {
        static const int cases[][2] = {
            { 0, 6 },   /* PAIR bound, PULL connects: PAIR sends */
            { 5, 0 },   /* PUSH bound, PAIR connects: PUSH sends */
            { 5, 5 },   /* PUSH vs PUSH */
            { 0, 9 },   /* PAIR vs BUS */
            { 2, 5 },   /* SUB bound, PUSH connects: PUSH sends */
            { 4, 0 },   /* REP bound, PAIR connects: PAIR sends */
        };
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            int i = cases[k][0], j = cases[k][1];
            int s = blocks(proto[i]) ? bound[i][j] : conn[i][j];
            test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 50);
            int64_t t0 = now_ms();
            CHECK_ERR(nn_send(s, "bad", 3, 0), ETIMEDOUT);
            CHECK(now_ms() - t0 >= 40);
        }
    }

    /* REQ talking to REQ, REP to REP, SURVEYOR to REQ, BUS to PAIR: a
       blocking receive times out rather than getting the other's
       message. */
    {
        static const int cases[][2] = {
            { 3, 3 }, { 4, 4 }, { 7, 3 }, { 9, 0 }, { 1, 6 }, { 6, 0 },
        };
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            char buf[16];
            int i = cases[k][0], j = cases[k][1];
            int b = bound[i][j], c = conn[i][j];
            if (initiates(proto[i]) && !blocks(proto[i]))
                CHECK(nn_send(b, "bad2", 4, 0) == 4);
            if (initiates(proto[j]) && !blocks(proto[j]))
                CHECK(nn_send(c, "bad2", 4, 0) == 4);
            if (can_recv(proto[i])) {
                test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 30);
                CHECK_ERR(nn_recv(b, buf, sizeof buf, 0), ETIMEDOUT);
            }
            if (can_recv(proto[j])) {
                test_setopt_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, 30);
                CHECK_ERR(nn_recv(c, buf, sizeof buf, 0), ETIMEDOUT);
            }
        }
    }

    /* A bound socket that has an incompatible peer still accepts a
       compatible one, and that one works. */
    for (int i = 0; i < NPROTO; i++) {
        /* Use the combination with the connecting side (i + 1) % N, which
           is incompatible except where it happens to be the peer. */
        int j = (i + 1) % NPROTO;
        if (peer_of(proto[i]) == proto[j])
            j = (i + 2) % NPROTO;
        CHECK(peer_of(proto[i]) != proto[j]);
        char addr[64];
        snprintf(addr, sizeof addr, "inproc://separation-%s-%s",
            pname[i], pname[j]);
        int s = make(peer_of(proto[i]));
        test_connect(s, addr);
        test_setopt_int(bound[i][j], NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
        test_setopt_int(bound[i][j], NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
        /* Drain what was queued for the bound socket (nothing should be),
           then talk. */
        expect_nothing(bound[i][j], proto[i]);
        if (proto[i] == NN_REQ) {
            /* The request the REQ sent while it had no usable peer is still
               outstanding: it goes out as soon as the REP arrives, and its
               reply is delivered. */
            test_recv(s, "bad");
            test_send(s, "re-bad");
            test_recv(bound[i][j], "re-bad");
        }
        exchange(bound[i][j], proto[i], s, peer_of(proto[i]));
        test_close(s);
    }

    for (int i = 0; i < NPROTO; i++) {
        for (int j = 0; j < NPROTO; j++) {
            test_close(bound[i][j]);
            test_close(conn[i][j]);
        }
    }
    return 0;
}
