/* ours-only */
/* A second PAIR connecting to a bound PAIR that already has a peer.
   Upstream nanomsg 1.1.5 segfaults here (in nn_ctx_leave) as soon as the
   rejected peer sends a message or is closed, so this cannot be validated
   against upstream. Requirements: no crash, the rejected peer's messages
   never reach the bound side while the first peer is connected, its sends
   either "succeed" into the void or fail with EAGAIN / ETIMEDOUT, and the
   established pair keeps working. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

static void send_maybe(int s, const char *m, int flags, int allowed_err)
{
    int rc = nn_send(s, m, strlen(m), flags);
    if (rc < 0)
        CHECK(nn_errno() == allowed_err);
    else
        CHECK(rc == (int) strlen(m));
}

int main(void)
{
    char buf[16];
    alarm(20);
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    int c = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://pair-reject");
    test_connect(b, "inproc://pair-reject");
    test_connect(c, "inproc://pair-reject");
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(c, NN_SOL_SOCKET, NN_SNDTIMEO, 100);

    test_send(b, "first");
    test_recv(a, "first");

    /* The rejected peer sends. */
    send_maybe(c, "C1", NN_DONTWAIT, EAGAIN);
    int64_t t0 = now_ms();
    send_maybe(c, "C2", 0, ETIMEDOUT);
    /* Within its 100 ms SNDTIMEO: the bound only catches a send that
       hangs. */
    CHECK_NO_HANG(t0, 100);
    for (int i = 0; i < 20; i++)
        send_maybe(c, "C3", NN_DONTWAIT, EAGAIN);

    /* None of it arrives at a; only b's messages do. */
    CHECK_ERR(nn_recv(a, buf, sizeof buf, 0), ETIMEDOUT);
    test_send(b, "second");
    test_recv(a, "second");
    CHECK_ERR(nn_recv(a, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* a's messages go to b only. */
    test_send(a, "to-b");
    test_recv(b, "to-b");
    CHECK_ERR(nn_recv(c, buf, sizeof buf, 0), ETIMEDOUT);

    /* Closing the rejected peer is clean and does not disturb the pair. */
    test_close(c);
    test_send(a, "still");
    test_recv(b, "still");
    test_send(b, "here");
    test_recv(a, "here");

    /* Another rejected peer, then the accepted one leaves. */
    int d = test_socket(AF_SP, NN_PAIR);
    test_connect(d, "inproc://pair-reject");
    test_setopt_int(d, NN_SOL_SOCKET, NN_SNDTIMEO, 50);
    send_maybe(d, "D", 0, ETIMEDOUT);
    CHECK_ERR(nn_recv(a, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    test_close(b);
    test_close(d);

    /* a accepts a fresh peer afterwards. */
    int e = test_socket(AF_SP, NN_PAIR);
    test_connect(e, "inproc://pair-reject");
    test_setopt_int(e, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_send(e, "fresh");
    test_recv(a, "fresh");
    test_close(e);
    test_close(a);
    return 0;
}
