/* nn_term: threads blocked in nn_recv and nn_send are woken with EBADF;
   afterwards nn_socket fails with ETERM (also after a second nn_term), and
   every call on the old sockets, nn_close included, fails with EBADF, as
   upstream 1.1.5 does. Library functions that need no socket keep working. */
#include "testutil.h"
#include <nanomsg/pair.h>

static int s_recv, s_send;
static int recv_rc, recv_err, send_rc, send_err;

static void *recv_thread(void *arg)
{
    char buf[16];
    (void) arg;
    recv_rc = nn_recv(s_recv, buf, sizeof buf, 0);
    recv_err = nn_errno();
    return NULL;
}

static void *send_thread(void *arg)
{
    (void) arg;
    /*  A PAIR socket without a peer blocks in send. */
    send_rc = nn_send(s_send, "hello", 5, 0);
    send_err = nn_errno();
    return NULL;
}

int main(void)
{
    int peer, v, i;
    size_t sz;
    char buf[16];
    test_thread t1, t2;
    int64_t start;
    void *msg;

    alarm(10);

    s_recv = test_socket(AF_SP, NN_PAIR);
    peer = test_socket(AF_SP, NN_PAIR);
    test_bind(s_recv, "inproc://term");
    test_connect(peer, "inproc://term");
    /*  The connection works before termination. */
    test_send(peer, "ping");
    test_recv(s_recv, "ping");
    s_send = test_socket(AF_SP, NN_PAIR);

    test_thread_start(&t1, recv_thread, NULL);
    test_thread_start(&t2, send_thread, NULL);
    sleep_ms(200);

    start = now_ms();
    nn_term();
    test_thread_join(&t1);
    test_thread_join(&t2);
    CHECK_NO_HANG(start, 0);

    /*  The blocked calls failed with EBADF. */
    CHECK(recv_rc == -1);
    CHECK(recv_err == EBADF);
    CHECK(send_rc == -1);
    CHECK(send_err == EBADF);

    /*  No new sockets. */
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), ETERM);
    CHECK_ERR(nn_socket(AF_SP_RAW, NN_PAIR), ETERM);

    /*  The old sockets are gone: EBADF for everything. */
    for (i = 0; i < 3; ++i) {
        int s = i == 0 ? s_recv : i == 1 ? peer : s_send;
        v = 1;
        sz = sizeof v;
        CHECK_ERR(nn_send(s, "a", 1, 0), EBADF);
        CHECK_ERR(nn_send(s, "a", 1, NN_DONTWAIT), EBADF);
        CHECK_ERR(nn_recv(s, buf, sizeof buf, 0), EBADF);
        CHECK_ERR(nn_recv(s, buf, sizeof buf, NN_DONTWAIT), EBADF);
        CHECK_ERR(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, &sz), EBADF);
        CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, sizeof v),
            EBADF);
        CHECK_ERR(nn_bind(s, "inproc://term2"), EBADF);
        CHECK_ERR(nn_connect(s, "inproc://term2"), EBADF);
        CHECK_ERR(nn_shutdown(s, 1), EBADF);
        errno = 0;
        CHECK(nn_get_statistic(s, NN_STAT_MESSAGES_SENT) == (uint64_t) -1);
        CHECK(nn_errno() == EBADF);
        /*  nn_close does not crash; the socket is already closed. */
        CHECK_ERR(nn_close(s), EBADF);
        CHECK_ERR(nn_close(s), EBADF);
    }
    CHECK_ERR(nn_close(-1), EBADF);
    CHECK_ERR(nn_close(5), EBADF);

    /*  A second nn_term is harmless, and the library stays terminated. */
    nn_term();
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), ETERM);

    /*  Socket-independent functions still work. */
    CHECK(strcmp(nn_strerror(ETERM), "Nanomsg library was terminated") == 0);
    CHECK(nn_symbol(0, &v) != NULL);
    msg = nn_allocmsg(10, 0);
    CHECK(msg != NULL);
    CHECK(nn_freemsg(msg) == 0);
    return 0;
}
