/* nn_sendmsg / nn_recvmsg scatter-gather: gathering several iovecs into one
   message, scattering a message over several iovecs (with truncation), the
   NN_MSG iovec forms and their argument checks, msg_control NULL/0. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

static int a, b;

static void set_iov(struct nn_iovec *iov, void *base, size_t len)
{
    iov->iov_base = base;
    iov->iov_len = len;
}

static void test_gather(void)
{
    struct nn_msghdr hdr;
    struct nn_iovec iov[3];
    char buf[32];
    int rc;

    memset(&hdr, 0, sizeof hdr);
    set_iov(&iov[0], "abc", 3);
    set_iov(&iov[1], "defgh", 5);
    set_iov(&iov[2], "ij", 2);
    hdr.msg_iov = iov;
    hdr.msg_iovlen = 3;
    rc = nn_sendmsg(a, &hdr, 0);
    CHECK(rc == 10);
    rc = nn_recv(b, buf, sizeof buf, 0);
    CHECK(rc == 10);
    CHECK(memcmp(buf, "abcdefghij", 10) == 0);

    /* Zero-length iovecs (even with a NULL base) contribute nothing. */
    set_iov(&iov[0], NULL, 0);
    set_iov(&iov[1], "xy", 2);
    set_iov(&iov[2], "z", 0);
    rc = nn_sendmsg(a, &hdr, 0);
    CHECK(rc == 2);
    rc = nn_recv(b, buf, sizeof buf, 0);
    CHECK(rc == 2);
    CHECK(memcmp(buf, "xy", 2) == 0);

    /* msg_iovlen 0 sends an empty message. */
    hdr.msg_iovlen = 0;
    rc = nn_sendmsg(a, &hdr, 0);
    CHECK(rc == 0);
    rc = nn_recv(b, buf, sizeof buf, 0);
    CHECK(rc == 0);

    /* A NULL base with a non-zero length is EFAULT, nothing is sent. */
    set_iov(&iov[0], NULL, 3);
    hdr.msg_iovlen = 1;
    CHECK_ERR(nn_sendmsg(a, &hdr, 0), EFAULT);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* Negative msg_iovlen is EMSGSIZE, NULL header is EINVAL. */
    set_iov(&iov[0], "abc", 3);
    hdr.msg_iovlen = -1;
    CHECK_ERR(nn_sendmsg(a, &hdr, 0), EMSGSIZE);
    CHECK_ERR(nn_sendmsg(a, NULL, 0), EINVAL);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* DONTWAIT with nowhere to send. */
    int lonely = test_socket(AF_SP, NN_PAIR);
    hdr.msg_iovlen = 1;
    CHECK_ERR(nn_sendmsg(lonely, &hdr, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_sendmsg(-1, &hdr, NN_DONTWAIT), EBADF);
    test_close(lonely);
}

static void test_scatter(void)
{
    struct nn_msghdr hdr;
    struct nn_iovec iov[3];
    char b0[4], b1[4], b2[10];
    int rc;

    /* Fill exactly the first two buffers, the rest goes to the third. */
    test_send(a, "abcdefghij");
    memset(b0, '#', sizeof b0);
    memset(b1, '#', sizeof b1);
    memset(b2, '#', sizeof b2);
    memset(&hdr, 0, sizeof hdr);
    set_iov(&iov[0], b0, 4);
    set_iov(&iov[1], b1, 4);
    set_iov(&iov[2], b2, 10);
    hdr.msg_iov = iov;
    hdr.msg_iovlen = 3;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 10);
    CHECK(memcmp(b0, "abcd", 4) == 0);
    CHECK(memcmp(b1, "efgh", 4) == 0);
    CHECK(memcmp(b2, "ij########", 10) == 0);

    /* Message shorter than the first buffer. */
    test_send(a, "xy");
    memset(b0, '#', sizeof b0);
    memset(b1, '#', sizeof b1);
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 2);
    CHECK(memcmp(b0, "xy##", 4) == 0);
    CHECK(memcmp(b1, "####", 4) == 0);

    /* Truncation across iovecs: the total capacity is 5, the return value
       is still the full message length and the excess is dropped. */
    test_send(a, "0123456789");
    memset(b0, '#', sizeof b0);
    memset(b1, '#', sizeof b1);
    set_iov(&iov[0], b0, 3);
    set_iov(&iov[1], b1, 2);
    hdr.msg_iovlen = 2;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 10);
    CHECK(memcmp(b0, "012#", 4) == 0);
    CHECK(memcmp(b1, "34##", 4) == 0);
    CHECK_ERR(nn_recv(b, b2, sizeof b2, NN_DONTWAIT), EAGAIN);

    /* A zero-length iovec in the middle is skipped. */
    test_send(a, "abcdef");
    memset(b0, '#', sizeof b0);
    memset(b1, '#', sizeof b1);
    set_iov(&iov[0], b0, 2);
    set_iov(&iov[1], b2, 0);
    set_iov(&iov[2], b1, 4);
    hdr.msg_iovlen = 3;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 6);
    CHECK(memcmp(b0, "ab##", 4) == 0);
    CHECK(memcmp(b1, "cdef", 4) == 0);

    /* msg_iovlen 0: the message is consumed, its size returned. */
    test_send(a, "gone");
    hdr.msg_iovlen = 0;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 4);
    CHECK_ERR(nn_recv(b, b2, sizeof b2, NN_DONTWAIT), EAGAIN);

    /* Argument errors. */
    CHECK_ERR(nn_recvmsg(b, NULL, 0), EINVAL);
    hdr.msg_iovlen = -1;
    CHECK_ERR(nn_recvmsg(b, &hdr, NN_DONTWAIT), EMSGSIZE);
    hdr.msg_iovlen = 1;
    CHECK_ERR(nn_recvmsg(b, &hdr, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recvmsg(-1, &hdr, NN_DONTWAIT), EBADF);
}

static void test_nn_msg_iov(void)
{
    struct nn_msghdr hdr;
    struct nn_iovec iov[2];
    char buf[16];
    void *m, *r;
    int rc;

    /* Send form: the allocmsg buffer is handed over. */
    m = nn_allocmsg(4, 0);
    CHECK(m != NULL);
    memcpy(m, "wxyz", 4);
    memset(&hdr, 0, sizeof hdr);
    set_iov(&iov[0], &m, NN_MSG);
    hdr.msg_iov = iov;
    hdr.msg_iovlen = 1;
    rc = nn_sendmsg(a, &hdr, 0);
    CHECK(rc == 4);

    /* Receive form: the library allocates the buffer. */
    r = NULL;
    memset(&hdr, 0, sizeof hdr);
    set_iov(&iov[0], &r, NN_MSG);
    hdr.msg_iov = iov;
    hdr.msg_iovlen = 1;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 4);
    CHECK(r != NULL);
    CHECK(memcmp(r, "wxyz", 4) == 0);
    CHECK(nn_freemsg(r) == 0);

    /* NN_MSG send form with a NULL chunk pointer is EFAULT. */
    m = NULL;
    set_iov(&iov[0], &m, NN_MSG);
    hdr.msg_iovlen = 1;
    CHECK_ERR(nn_sendmsg(a, &hdr, 0), EFAULT);

    /* NN_MSG combined with more than one iovec, in either position, is
       EINVAL on send; nothing is sent and the caller keeps the buffer. */
    m = nn_allocmsg(4, 0);
    CHECK(m != NULL);
    memcpy(m, "keep", 4);
    set_iov(&iov[0], &m, NN_MSG);
    set_iov(&iov[1], "ab", 2);
    hdr.msg_iovlen = 2;
    CHECK_ERR(nn_sendmsg(a, &hdr, 0), EINVAL);
    set_iov(&iov[0], "ab", 2);
    set_iov(&iov[1], &m, NN_MSG);
    CHECK_ERR(nn_sendmsg(a, &hdr, 0), EINVAL);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK(memcmp(m, "keep", 4) == 0);

    /* ... and the buffer can still be sent properly afterwards. */
    set_iov(&iov[0], &m, NN_MSG);
    hdr.msg_iovlen = 1;
    rc = nn_sendmsg(a, &hdr, 0);
    CHECK(rc == 4);
    test_recv(b, "keep");

    /* Receive side: NN_MSG with msg_iovlen 2 is EINVAL and the message is
       consumed (dropped). */
    test_send(a, "dropped");
    r = NULL;
    set_iov(&iov[0], &r, NN_MSG);
    set_iov(&iov[1], buf, sizeof buf);
    hdr.msg_iovlen = 2;
    CHECK_ERR(nn_recvmsg(b, &hdr, 0), EINVAL);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* NN_MSG as the second iovec, reached while copying: EINVAL, dropped. */
    test_send(a, "dropped2");
    set_iov(&iov[0], buf, 3);
    set_iov(&iov[1], &r, NN_MSG);
    CHECK_ERR(nn_recvmsg(b, &hdr, 0), EINVAL);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
}

static void test_no_control(void)
{
    struct nn_msghdr hdr;
    struct nn_iovec iov;
    char buf[16];
    char ctl[64];
    int rc;

    /* msg_control NULL with a non-zero length is just ignored on send. */
    memset(&hdr, 0, sizeof hdr);
    set_iov(&iov, "plain", 5);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = NULL;
    hdr.msg_controllen = 0;
    rc = nn_sendmsg(a, &hdr, 0);
    CHECK(rc == 5);
    hdr.msg_controllen = 123;
    rc = nn_sendmsg(a, &hdr, 0);
    CHECK(rc == 5);

    /* NULL control on receive. */
    memset(&hdr, 0, sizeof hdr);
    set_iov(&iov, buf, sizeof buf);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 5);
    CHECK(memcmp(buf, "plain", 5) == 0);
    CHECK(hdr.msg_control == NULL);

    /* Non-NULL control buffer of length 0: nothing is written to it. */
    memset(ctl, 0xAA, sizeof ctl);
    hdr.msg_control = ctl;
    hdr.msg_controllen = 0;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 5);
    for (size_t i = 0; i < sizeof ctl; i++)
        CHECK((unsigned char) ctl[i] == 0xAA);
    CHECK(hdr.msg_controllen == 0);
}

int main(void)
{
    alarm(20);
    a = test_socket(AF_SP, NN_PAIR);
    b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://iovec");
    test_connect(b, "inproc://iovec");

    test_gather();
    test_scatter();
    test_nn_msg_iov();
    test_no_control();

    test_close(a);
    test_close(b);
    return 0;
}
