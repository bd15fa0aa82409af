/* nn_sendmsg with the same nn_allocmsg chunk as NN_MSG body and NN_MSG
   control buffer: a successful send would consume (free) the one chunk
   twice, so the call is refused with EINVAL and the chunk stays the
   caller's (freed once, below). Separate chunks still work. inproc only. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

int main(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://sendmsg_one_chunk");
    test_connect(b, "inproc://sendmsg_one_chunk");

    void *p = nn_allocmsg(64, 0);
    CHECK(p != NULL);
    memset(p, 0, 64);
    struct nn_iovec iov = { &p, NN_MSG };
    struct nn_msghdr hdr = { &iov, 1, &p, NN_MSG };
    CHECK_ERR(nn_sendmsg(a, &hdr, 0), EINVAL);
    /* Still live and ours: freed exactly once. */
    CHECK(nn_freemsg(p) == 0);

    /* Two chunks: both consumed by the send. */
    void *body = nn_allocmsg(3, 0);
    void *ctl = nn_allocmsg(NN_CMSG_SPACE(0), 0);
    CHECK(body != NULL && ctl != NULL);
    memcpy(body, "abc", 3);
    memset(ctl, 0, NN_CMSG_SPACE(0));
    iov.iov_base = &body;
    hdr.msg_control = &ctl;
    CHECK(nn_sendmsg(a, &hdr, 0) == 3);
    test_recv(b, "abc");

    test_close(a);
    test_close(b);
    return 0;
}
