/* The PAIR protocol: both directions, exclusivity (a bound PAIR that already
   has a peer ignores a second one), raw PAIR interoperating with cooked
   PAIR, and no communication with an incompatible protocol. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/inproc.h>

static void test_both_directions(int a, int b)
{
    for (int i = 0; i < 10; i++) {
        char m[16];
        snprintf(m, sizeof m, "a2b-%d", i);
        test_send(a, m);
        test_recv(b, m);
        snprintf(m, sizeof m, "b2a-%d", i);
        test_send(b, m);
        test_recv(a, m);
    }
    /* Both directions in flight at once. */
    test_send(a, "x");
    test_send(b, "y");
    test_recv(a, "y");
    test_recv(b, "x");
}

static void test_basic(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    CHECK(test_getopt_int(a, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);
    CHECK(test_getopt_int(a, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);
    test_bind(a, "inproc://pair");
    test_connect(b, "inproc://pair");
    test_both_directions(a, b);
    test_close(a);
    test_close(b);
}

static void test_exclusive(void)
{
    char buf[16];
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    int c = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://pair-excl");
    test_connect(b, "inproc://pair-excl");
    /* c connects second; a already has its peer. */
    test_connect(c, "inproc://pair-excl");

    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, 100);

    /* Everything a sends goes to b, nothing to c. */
    for (int i = 0; i < 5; i++) {
        test_send(a, "to-b");
        test_recv(b, "to-b");
    }
    CHECK_ERR(nn_recv(c, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(c, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* b still talks to a. */
    test_send(b, "from-b");
    test_recv(a, "from-b");
    CHECK_ERR(nn_recv(a, buf, sizeof buf, 0), ETIMEDOUT);

    /* c is deliberately left open: upstream nanomsg crashes when the
       rejected peer is closed (or sends); see pair_reject.c. */
    test_close(a);
    test_close(b);
}

static void test_new_peer(void)
{
    /* When the peer goes away, a new PAIR can take its place. */
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://pair-new");
    test_connect(b, "inproc://pair-new");
    test_send(b, "old");
    test_recv(a, "old");
    test_close(b);
    int d = test_socket(AF_SP, NN_PAIR);
    test_connect(d, "inproc://pair-new");
    test_setopt_int(d, NN_SOL_SOCKET, NN_SNDTIMEO, 2000);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    test_setopt_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, 2000);
    test_setopt_int(d, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    test_send(d, "new");
    test_recv(a, "new");
    test_send(a, "welcome");
    test_recv(d, "welcome");
    test_close(a);
    test_close(d);
}

static void test_raw(void)
{
    /* Raw bound, cooked connected. */
    int r = test_socket(AF_SP_RAW, NN_PAIR);
    int c = test_socket(AF_SP, NN_PAIR);
    CHECK(test_getopt_int(r, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    CHECK(test_getopt_int(r, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);
    test_bind(r, "inproc://pair-raw");
    test_connect(c, "inproc://pair-raw");
    test_both_directions(r, c);
    test_close(r);
    test_close(c);

    /* Cooked bound, raw connected. */
    c = test_socket(AF_SP, NN_PAIR);
    r = test_socket(AF_SP_RAW, NN_PAIR);
    test_bind(c, "inproc://pair-raw2");
    test_connect(r, "inproc://pair-raw2");
    test_both_directions(c, r);
    test_close(r);
    test_close(c);

    /* Raw to raw. */
    int r1 = test_socket(AF_SP_RAW, NN_PAIR);
    int r2 = test_socket(AF_SP_RAW, NN_PAIR);
    test_bind(r1, "inproc://pair-raw3");
    test_connect(r2, "inproc://pair-raw3");
    test_both_directions(r1, r2);

    /* Raw DONTWAIT semantics are the same as cooked. */
    char buf[8];
    CHECK_ERR(nn_recv(r1, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    void *p = NULL;
    test_send(r2, "rawmsg");
    CHECK(nn_recv(r1, &p, NN_MSG, 0) == 6);
    CHECK(memcmp(p, "rawmsg", 6) == 0);
    CHECK(nn_freemsg(p) == 0);
    test_close(r1);
    test_close(r2);

    /* Raw with no peer. */
    r = test_socket(AF_SP_RAW, NN_PAIR);
    CHECK_ERR(nn_send(r, "x", 1, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(r, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    test_close(r);
}

static void test_incompatible(void)
{
    char buf[8];
    int pr = test_socket(AF_SP, NN_PAIR);
    int pl = test_socket(AF_SP, NN_PULL);
    test_bind(pl, "inproc://pair-pull");
    test_connect(pr, "inproc://pair-pull");
    test_setopt_int(pr, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    test_setopt_int(pr, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(pl, NN_SOL_SOCKET, NN_RCVTIMEO, 100);

    int64_t t0 = now_ms();
    CHECK_ERR(nn_send(pr, "x", 1, 0), ETIMEDOUT);
    CHECK(now_ms() - t0 >= 90);
    CHECK_ERR(nn_send(pr, "x", 1, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(pl, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(pr, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* The PULL socket still works with a compatible peer. */
    int ps = test_socket(AF_SP, NN_PUSH);
    test_connect(ps, "inproc://pair-pull");
    test_send(ps, "push");
    test_recv(pl, "push");

    /* And the PAIR socket can still find a proper partner. */
    int pr2 = test_socket(AF_SP, NN_PAIR);
    test_bind(pr2, "inproc://pair-after");
    test_connect(pr, "inproc://pair-after");
    test_setopt_int(pr, NN_SOL_SOCKET, NN_SNDTIMEO, 2000);
    test_setopt_int(pr2, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    test_send(pr, "found");
    test_recv(pr2, "found");

    /* Incompatible in the other direction: PAIR bound, PUSH connects. */
    int pb = test_socket(AF_SP, NN_PAIR);
    int push2 = test_socket(AF_SP, NN_PUSH);
    test_bind(pb, "inproc://pair-push");
    test_connect(push2, "inproc://pair-push");
    test_setopt_int(push2, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    test_setopt_int(pb, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_send(push2, "x", 1, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(pb, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_send(pb, "x", 1, NN_DONTWAIT), EAGAIN);

    test_close(push2);
    test_close(pb);
    test_close(pr2);
    test_close(ps);
    test_close(pr);
    test_close(pl);
}

int main(void)
{
    alarm(20);
    test_basic();
    test_exclusive();
    test_new_peer();
    test_raw();
    test_incompatible();
    return 0;
}
