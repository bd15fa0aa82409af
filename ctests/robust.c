/* ours-only */
/* Calls on which upstream nanomsg 1.1.5 crashes (segfault) but which our
   library must handle gracefully, with the errno the man pages document:
   - nn_freemsg(NULL)                     -> -1 EFAULT (nn_freemsg(3))
   - nn_send(s, NULL, NN_MSG, 0)          -> -1 EFAULT (nn_sendmsg(3))
   - nn_recv(s, NULL, 5, 0) with a message waiting      -> -1 EFAULT
   - nn_recv(s, NULL, NN_MSG, 0) with a message waiting -> -1 EFAULT
   - closing a PAIR socket that is connected to itself over inproc. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

int main(void)
{
    alarm(20);

    CHECK_ERR(nn_freemsg(NULL), EFAULT);

    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://robust");
    test_connect(b, "inproc://robust");

    CHECK_ERR(nn_send(a, NULL, NN_MSG, 0), EFAULT);
    CHECK_ERR(nn_send(a, NULL, NN_MSG, NN_DONTWAIT), EFAULT);

    test_send(a, "hello");
    CHECK_ERR(nn_recv(b, NULL, 5, 0), EFAULT);
    test_send(a, "hello");
    CHECK_ERR(nn_recv(b, NULL, NN_MSG, 0), EFAULT);

    /* Whatever happened to those messages, the sockets still work. */
    char buf[16];
    while (nn_recv(b, buf, sizeof buf, NN_DONTWAIT) >= 0)
        ;
    CHECK(nn_errno() == EAGAIN);
    test_send(a, "ok");
    test_recv(b, "ok");
    test_close(a);
    test_close(b);

    /* A socket bound and connected to the same inproc name. */
    int s = test_socket(AF_SP, NN_PAIR);
    test_bind(s, "inproc://robust-self");
    test_connect(s, "inproc://robust-self");
    sleep_ms(20);
    test_close(s);

    /* The name is free again afterwards. */
    s = test_socket(AF_SP, NN_PAIR);
    test_bind(s, "inproc://robust-self");
    test_close(s);
    return 0;
}
