/* NN_STAT_MESSAGES_SENT/RECEIVED and NN_STAT_BYTES_SENT/RECEIVED on
   PUB/SUB and PUSH/PULL.  A PUB counts one message per nn_send, however
   many subscribers get it (and also when it has none and the message is
   dropped).  A SUB counts only the messages it delivers to the user:
   messages filtered out by its subscriptions are not counted.  PUSH counts
   at send time, PULL at receive time; failed operations count nothing.
   Validated against upstream nanomsg 1.1.5. */
#include "testutil.h"
#include <nanomsg/pubsub.h>
#include <nanomsg/pipeline.h>

#define STAT(s, st) nn_get_statistic((s), (st))

struct counts {
    uint64_t msent, mrecv, bsent, brecv;
};

static struct counts snap(int s)
{
    struct counts c;
    c.msent = STAT(s, NN_STAT_MESSAGES_SENT);
    c.mrecv = STAT(s, NN_STAT_MESSAGES_RECEIVED);
    c.bsent = STAT(s, NN_STAT_BYTES_SENT);
    c.brecv = STAT(s, NN_STAT_BYTES_RECEIVED);
    return c;
}

/* The counters moved by exactly these amounts since 'base'. */
#define CHECK_DELTA(s, base, dms, dmr, dbs, dbr)                           \
    do {                                                                   \
        struct counts now_ = snap(s);                                      \
        CHECK(now_.msent - (base).msent == (uint64_t) (dms));              \
        CHECK(now_.mrecv - (base).mrecv == (uint64_t) (dmr));              \
        CHECK(now_.bsent - (base).bsent == (uint64_t) (dbs));              \
        CHECK(now_.brecv - (base).brecv == (uint64_t) (dbr));              \
    } while (0)

static void wait_stat(int s, int st, uint64_t value)
{
    for (int i = 0; i < 200 && STAT(s, st) != value; i++)
        sleep_ms(10);
    CHECK(STAT(s, st) == value);
}

/* Wait until pub reaches sub, using a private topic. */
static void sync_sub(int pub, int sub)
{
    char buf[16];
    int ok = 0;
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "\xffs", 2) == 0);
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 10);
    for (int i = 0; i < 300 && !ok; i++) {
        CHECK(nn_send(pub, "\xffs", 2, 0) == 2);
        ok = nn_recv(sub, buf, sizeof buf, 0) == 2;
    }
    CHECK(ok);
    while (nn_recv(sub, buf, sizeof buf, NN_DONTWAIT) >= 0)
        ;
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "\xffs", 2) == 0);
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
}

static void test_pubsub(void)
{
    char buf[64];
    int pub = test_socket(AF_SP, NN_PUB);
    struct counts p0 = snap(pub);
    CHECK(p0.msent == 0 && p0.mrecv == 0 && p0.bsent == 0 && p0.brecv == 0);

    /* No subscribers at all: the dropped message is still counted. */
    test_send(pub, "nobody");
    CHECK_DELTA(pub, p0, 1, 0, 6, 0);

    int sub[3];
    test_bind(pub, "inproc://stats-pubsub");
    for (int i = 0; i < 3; i++) {
        sub[i] = test_socket(AF_SP, NN_SUB);
        test_connect(sub[i], "inproc://stats-pubsub");
        sync_sub(pub, sub[i]);
    }
    /* Drain sync messages everywhere (they are filtered at receive time,
       so they must go before a catch-all subscription is made). */
    for (int i = 0; i < 3; i++) {
        CHECK(nn_setsockopt(sub[i], NN_SUB, NN_SUB_SUBSCRIBE, "\xffs", 2) == 0);
        while (nn_recv(sub[i], buf, sizeof buf, NN_DONTWAIT) >= 0)
            ;
        CHECK(nn_setsockopt(sub[i], NN_SUB, NN_SUB_UNSUBSCRIBE, "\xffs", 2) == 0);
    }
    CHECK(nn_setsockopt(sub[0], NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    CHECK(nn_setsockopt(sub[1], NN_SUB, NN_SUB_SUBSCRIBE, "a", 1) == 0);
    /* sub[2] subscribes to nothing. */

    struct counts pb = snap(pub);
    struct counts s0 = snap(sub[0]), s1 = snap(sub[1]), s2 = snap(sub[2]);
    CHECK(s0.msent == 0 && s0.bsent == 0);

    /* Two messages fanned out to three subscribers: counted once each on
       the PUB. */
    test_send(pub, "abc");
    test_send(pub, "xyz12");
    CHECK_DELTA(pub, pb, 2, 0, 8, 0);

    /* Nothing counted on a SUB until the user receives. */
    CHECK_DELTA(sub[0], s0, 0, 0, 0, 0);
    test_recv(sub[0], "abc");
    CHECK_DELTA(sub[0], s0, 0, 1, 0, 3);
    test_recv(sub[0], "xyz12");
    CHECK_DELTA(sub[0], s0, 0, 2, 0, 8);

    /* The filtered-out message is not counted. */
    test_recv(sub[1], "abc");
    CHECK_ERR(nn_recv(sub[1], buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_DELTA(sub[1], s1, 0, 1, 0, 3);
    CHECK_ERR(nn_recv(sub[2], buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_DELTA(sub[2], s2, 0, 0, 0, 0);

    /* Failed operations count nothing. */
    CHECK_ERR(nn_send(sub[0], "x", 1, 0), ENOTSUP);
    CHECK_ERR(nn_recv(pub, buf, sizeof buf, 0), ENOTSUP);
    CHECK_DELTA(pub, pb, 2, 0, 8, 0);
    CHECK_DELTA(sub[0], s0, 0, 2, 0, 8);

    /* Connection statistics over inproc: the PUB has one pipe per
       subscriber; each SUB, which connected to an already bound address,
       counts one established connection.  Upstream's inproc counts
       nothing on the bound side in that order (no ACCEPTED, no
       ESTABLISHED); see test_connect_first for the other order. */
    wait_stat(pub, NN_STAT_CURRENT_CONNECTIONS, 3);
    CHECK(STAT(pub, NN_STAT_ACCEPTED_CONNECTIONS) == 0);
    CHECK(STAT(pub, NN_STAT_ESTABLISHED_CONNECTIONS) == 0);
    for (int i = 0; i < 3; i++) {
        wait_stat(sub[i], NN_STAT_CURRENT_CONNECTIONS, 1);
        CHECK(STAT(sub[i], NN_STAT_ESTABLISHED_CONNECTIONS) == 1);
        CHECK(STAT(sub[i], NN_STAT_ACCEPTED_CONNECTIONS) == 0);
    }

    for (int i = 0; i < 3; i++)
        test_close(sub[i]);
    test_close(pub);
}

static void test_pipeline(void)
{
    char buf[64];
    int push = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    struct counts a0 = snap(push), b0 = snap(pull);

    /* A PUSH without peers fails and counts nothing. */
    CHECK_ERR(nn_send(push, "x", 1, NN_DONTWAIT), EAGAIN);
    CHECK_DELTA(push, a0, 0, 0, 0, 0);

    test_bind(pull, "inproc://stats-pipeline");
    test_connect(push, "inproc://stats-pipeline");
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_send(push, "hello");
    test_send(push, "hi");
    CHECK(nn_send(push, "", 0, 0) == 0);
    /* Counted on PUSH at send time, on PULL only when received. */
    CHECK_DELTA(push, a0, 3, 0, 7, 0);
    CHECK_DELTA(pull, b0, 0, 0, 0, 0);
    test_recv(pull, "hello");
    CHECK_DELTA(pull, b0, 0, 1, 0, 5);
    test_recv(pull, "hi");
    CHECK(nn_recv(pull, buf, sizeof buf, 0) == 0);
    CHECK_DELTA(pull, b0, 0, 3, 0, 7);

    /* Zero-copy and truncated receives: full sizes are counted. */
    void *m = nn_allocmsg(40, 0);
    CHECK(m != NULL);
    memset(m, 'z', 40);
    CHECK(nn_send(push, &m, NN_MSG, 0) == 40);
    CHECK(nn_recv(pull, buf, 10, 0) == 40);
    CHECK_DELTA(push, a0, 4, 0, 47, 0);
    CHECK_DELTA(pull, b0, 0, 4, 0, 47);

    /* Failed operations count nothing. */
    CHECK_ERR(nn_recv(pull, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_send(pull, "x", 1, 0), ENOTSUP);
    CHECK_ERR(nn_recv(push, buf, sizeof buf, 0), ENOTSUP);
    CHECK_DELTA(push, a0, 4, 0, 47, 0);
    CHECK_DELTA(pull, b0, 0, 4, 0, 47);

    test_close(push);
    test_close(pull);

    /* Two PULLs: each counts only what it received; the PUSH counts all. */

    push = test_socket(AF_SP, NN_PUSH);
    int pl[2];
    test_bind(push, "inproc://stats-pipeline-2");
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    for (int i = 0; i < 2; i++) {
        pl[i] = test_socket(AF_SP, NN_PULL);
        test_connect(pl[i], "inproc://stats-pipeline-2");
    }
    wait_stat(push, NN_STAT_CURRENT_CONNECTIONS, 2);
    struct counts c0 = snap(push), d0 = snap(pl[0]), d1 = snap(pl[1]);
    for (int i = 0; i < 10; i++)
        test_send(push, "0123456789");
    CHECK_DELTA(push, c0, 10, 0, 100, 0);
    int n0 = 0, n1 = 0;
    while (nn_recv(pl[0], buf, sizeof buf, NN_DONTWAIT) == 10)
        n0++;
    while (nn_recv(pl[1], buf, sizeof buf, NN_DONTWAIT) == 10)
        n1++;
    CHECK(n0 + n1 == 10 && n0 == 5);
    CHECK_DELTA(pl[0], d0, 0, n0, 0, 10 * n0);
    CHECK_DELTA(pl[1], d1, 0, n1, 0, 10 * n1);
    test_close(pl[0]);
    test_close(pl[1]);
    test_close(push);
}

/* inproc connect before bind: when the bind arrives, the bound side
   counts an accepted connection and the connecting side an established
   one.  When the peer goes away, the current count drops but nothing is
   counted as dropped or broken. */
static void test_connect_first(void)
{
    int push = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_connect(pull, "inproc://stats-connect-first");
    CHECK(STAT(pull, NN_STAT_CURRENT_CONNECTIONS) == 0);
    CHECK(STAT(pull, NN_STAT_ESTABLISHED_CONNECTIONS) == 0);
    test_bind(push, "inproc://stats-connect-first");
    test_send(push, "x");
    test_recv(pull, "x");
    wait_stat(push, NN_STAT_CURRENT_CONNECTIONS, 1);
    wait_stat(pull, NN_STAT_CURRENT_CONNECTIONS, 1);
    CHECK(STAT(push, NN_STAT_ACCEPTED_CONNECTIONS) == 1);
    CHECK(STAT(push, NN_STAT_ESTABLISHED_CONNECTIONS) == 0);
    CHECK(STAT(pull, NN_STAT_ESTABLISHED_CONNECTIONS) == 1);
    CHECK(STAT(pull, NN_STAT_ACCEPTED_CONNECTIONS) == 0);
    test_close(push);
    wait_stat(pull, NN_STAT_CURRENT_CONNECTIONS, 0);
    CHECK(STAT(pull, NN_STAT_ESTABLISHED_CONNECTIONS) == 1);
    CHECK(STAT(pull, NN_STAT_DROPPED_CONNECTIONS) == 0);
    CHECK(STAT(pull, NN_STAT_BROKEN_CONNECTIONS) == 0);
    test_close(pull);
}

int main(void)
{
    alarm(20);
    test_pubsub();
    test_pipeline();
    test_connect_first();
    return 0;
}
