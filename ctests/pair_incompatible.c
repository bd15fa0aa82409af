/* PAIR never talks to an incompatible protocol (cut from pair.c until
   PUSH/PULL exist). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>

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
    test_incompatible();
    return 0;
}
