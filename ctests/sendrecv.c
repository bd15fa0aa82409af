/* nn_send / nn_recv over inproc PAIR: blocking and NN_DONTWAIT, empty and
   large messages, truncation, NN_MSG zero-copy buffers, ordering and queue
   back-pressure. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

#define ADDR "inproc://sendrecv"

static void test_dontwait_unconnected(void)
{
    char buf[16];
    int s = test_socket(AF_SP, NN_PAIR);

    /* No peer at all: nothing to receive and nowhere to send. */
    CHECK_ERR(nn_recv(s, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_send(s, "x", 1, NN_DONTWAIT), EAGAIN);

    /* Bound but nobody connected: still nowhere to send. */
    test_bind(s, "inproc://sendrecv-lonely");
    CHECK_ERR(nn_send(s, "x", 1, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(s, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* Timeouts rather than DONTWAIT give ETIMEDOUT after the time (t0 is
       taken before the calls), and the upper bound only catches a hang. */
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 50);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    int64_t t0 = now_ms();
    CHECK_ERR(nn_send(s, "x", 1, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(s, buf, sizeof buf, 0), ETIMEDOUT);
    int64_t el = now_ms() - t0;
    CHECK(el >= 90);
    CHECK_NO_HANG(t0, 100);
    test_close(s);
}

static void test_basic(int a, int b)
{
    char buf[64];
    int rc;

    /* Blocking send, blocking receive, both directions. */
    test_send(a, "ABC");
    test_recv(b, "ABC");
    test_send(b, "DEFG");
    test_recv(a, "DEFG");

    /* DONTWAIT on an empty queue. */
    CHECK_ERR(nn_recv(a, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* DONTWAIT send succeeds when the peer has room; DONTWAIT recv then
       finds the message. */
    rc = nn_send(a, "hello", 5, NN_DONTWAIT);
    CHECK(rc == 5);
    memset(buf, 0, sizeof buf);
    rc = nn_recv(b, buf, sizeof buf, NN_DONTWAIT);
    CHECK(rc == 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
}

static void test_zero_length(int a, int b)
{
    char buf[16];
    int rc;

    rc = nn_send(a, "", 0, 0);
    CHECK(rc == 0);
    buf[0] = 'Z';
    rc = nn_recv(b, buf, sizeof buf, 0);
    CHECK(rc == 0);
    CHECK(buf[0] == 'Z');

    /* A NULL buffer is fine when the length is 0 ... */
    rc = nn_send(a, NULL, 0, 0);
    CHECK(rc == 0);
    rc = nn_recv(b, NULL, 0, 0);
    CHECK(rc == 0);
    /* ... but not when the length is non-zero. */
    CHECK_ERR(nn_send(a, NULL, 5, 0), EFAULT);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* Zero-length message received as NN_MSG. */
    rc = nn_send(a, "", 0, 0);
    CHECK(rc == 0);
    void *p = NULL;
    rc = nn_recv(b, &p, NN_MSG, 0);
    CHECK(rc == 0);
    CHECK(p != NULL);
    CHECK(nn_freemsg(p) == 0);
}

static void test_big(int a, int b)
{
    size_t sz = 1024 * 1024;
    unsigned char *out = malloc(sz);
    unsigned char *in = malloc(sz + 16);
    CHECK(out && in);
    for (size_t i = 0; i < sz; i++)
        out[i] = (unsigned char) (i * 7 + (i >> 9));
    int rc = nn_send(a, out, sz, 0);
    CHECK(rc == (int) sz);
    memset(in, 0, sz + 16);
    rc = nn_recv(b, in, sz + 16, 0);
    CHECK(rc == (int) sz);
    CHECK(memcmp(in, out, sz) == 0);

    /* Same again, received zero-copy. */
    rc = nn_send(b, out, sz, 0);
    CHECK(rc == (int) sz);
    void *p = NULL;
    rc = nn_recv(a, &p, NN_MSG, 0);
    CHECK(rc == (int) sz);
    CHECK(p != NULL);
    CHECK(memcmp(p, out, sz) == 0);
    CHECK(nn_freemsg(p) == 0);
    free(out);
    free(in);
}

static void test_truncation(int a, int b)
{
    char buf[8];
    int rc;

    /* The return value is the full message size; only len bytes are
       copied and the rest of the message is discarded. */
    test_send(a, "hello world");
    memset(buf, '#', sizeof buf);
    rc = nn_recv(b, buf, 4, 0);
    CHECK(rc == 11);
    CHECK(memcmp(buf, "hell", 4) == 0);
    CHECK(buf[4] == '#');
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* A zero-length buffer consumes the message and reports its size. */
    test_send(a, "hello world");
    memset(buf, '#', sizeof buf);
    rc = nn_recv(b, buf, 0, 0);
    CHECK(rc == 11);
    CHECK(buf[0] == '#');
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* Exact fit. */
    test_send(a, "12345678");
    rc = nn_recv(b, buf, 8, 0);
    CHECK(rc == 8);
    CHECK(memcmp(buf, "12345678", 8) == 0);
}

static void test_nn_msg(int a, int b)
{
    void *p = NULL;
    int rc;

    /* Receive into a library-allocated buffer. */
    test_send(a, "zero-copy");
    rc = nn_recv(b, &p, NN_MSG, 0);
    CHECK(rc == 9);
    CHECK(p != NULL);
    CHECK(memcmp(p, "zero-copy", 9) == 0);
    CHECK(nn_freemsg(p) == 0);

    /* NN_MSG receive with DONTWAIT on an empty queue leaves p alone. */
    p = (void *) &rc;
    CHECK_ERR(nn_recv(b, &p, NN_MSG, NN_DONTWAIT), EAGAIN);
    CHECK(p == (void *) &rc);

    /* Send an nn_allocmsg buffer: ownership passes to the library. */
    void *m = nn_allocmsg(6, 0);
    CHECK(m != NULL);
    memcpy(m, "owned!", 6);
    rc = nn_send(a, &m, NN_MSG, 0);
    CHECK(rc == 6);
    char buf[16];
    rc = nn_recv(b, buf, sizeof buf, 0);
    CHECK(rc == 6);
    CHECK(memcmp(buf, "owned!", 6) == 0);

    /* A received NN_MSG buffer can be sent on again with NN_MSG. */
    test_send(a, "forward");
    p = NULL;
    rc = nn_recv(b, &p, NN_MSG, 0);
    CHECK(rc == 7);
    rc = nn_send(b, &p, NN_MSG, 0);
    CHECK(rc == 7);
    test_recv(a, "forward");

    /* Zero-length allocmsg sent with NN_MSG. */
    m = nn_allocmsg(0, 0);
    CHECK(m != NULL);
    rc = nn_send(a, &m, NN_MSG, 0);
    CHECK(rc == 0);
    rc = nn_recv(b, buf, sizeof buf, 0);
    CHECK(rc == 0);

    /* NN_MSG send of a NULL message pointer is EFAULT. */
    m = NULL;
    CHECK_ERR(nn_send(a, &m, NN_MSG, 0), EFAULT);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* Failed NN_MSG DONTWAIT send keeps ownership with the caller. */
    int lonely = test_socket(AF_SP, NN_PAIR);
    m = nn_allocmsg(3, 0);
    CHECK(m != NULL);
    memcpy(m, "mine", 3);
    CHECK_ERR(nn_send(lonely, &m, NN_MSG, NN_DONTWAIT), EAGAIN);
    CHECK(memcmp(m, "min", 3) == 0);
    CHECK(nn_freemsg(m) == 0);
    test_close(lonely);
}

static void test_ordering(int a, int b)
{
    char buf[32];
    int i, rc;
    for (i = 0; i < 1000; i++) {
        int n = snprintf(buf, sizeof buf, "msg-%d", i);
        rc = nn_send(a, buf, n, 0);
        CHECK(rc == n);
        /* Drain periodically so a small queue never blocks us. */
        if (i % 50 == 49) {
            for (int j = i - 49; j <= i; j++) {
                char exp[32], got[32];
                int en = snprintf(exp, sizeof exp, "msg-%d", j);
                rc = nn_recv(b, got, sizeof got, 0);
                CHECK(rc == en);
                CHECK(memcmp(got, exp, en) == 0);
            }
        }
    }
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
}

static void test_queue_full(int a, int b)
{
    /* Non-empty messages eventually fill the pipe's buffers; DONTWAIT then
       reports EAGAIN. Everything sent is then received, in order. */
    char msg[1000];
    int sent = 0, rc;
    for (;;) {
        memset(msg, 0, sizeof msg);
        memcpy(msg, &sent, sizeof sent);
        rc = nn_send(a, msg, sizeof msg, NN_DONTWAIT);
        if (rc < 0)
            break;
        CHECK(rc == (int) sizeof msg);
        sent++;
        CHECK(sent < 100000);
    }
    CHECK(nn_errno() == EAGAIN);
    CHECK(sent >= 1);

    /* Still full. */
    CHECK_ERR(nn_send(a, msg, sizeof msg, NN_DONTWAIT), EAGAIN);

    /* A blocking send with a timeout times out while full. */
    test_setopt_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, 50);
    CHECK_ERR(nn_send(a, msg, sizeof msg, 0), ETIMEDOUT);
    test_setopt_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, -1);

    for (int i = 0; i < sent; i++) {
        char in[1100];
        int v;
        rc = nn_recv(b, in, sizeof in, NN_DONTWAIT);
        CHECK(rc == (int) sizeof msg);
        memcpy(&v, in, sizeof v);
        CHECK(v == i);
    }
    CHECK_ERR(nn_recv(b, msg, sizeof msg, NN_DONTWAIT), EAGAIN);

    /* Room again. */
    rc = nn_send(a, "again", 5, NN_DONTWAIT);
    CHECK(rc == 5);
    test_recv(b, "again");
}

static void test_bad_socket(void)
{
    char buf[4];
    CHECK_ERR(nn_send(-1, "x", 1, 0), EBADF);
    CHECK_ERR(nn_recv(-1, buf, sizeof buf, 0), EBADF);
    CHECK_ERR(nn_send(4242, "x", 1, 0), EBADF);
    CHECK_ERR(nn_recv(4242, buf, sizeof buf, 0), EBADF);
    int s = test_socket(AF_SP, NN_PAIR);
    test_close(s);
    CHECK_ERR(nn_send(s, "x", 1, NN_DONTWAIT), EBADF);
    CHECK_ERR(nn_recv(s, buf, sizeof buf, NN_DONTWAIT), EBADF);
}

int main(void)
{
    alarm(20);
    test_dontwait_unconnected();

    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, ADDR);
    test_connect(b, ADDR);

    test_basic(a, b);
    test_zero_length(a, b);
    test_big(a, b);
    test_truncation(a, b);
    test_nn_msg(a, b);
    test_ordering(a, b);
    test_queue_full(a, b);
    test_queue_full(b, a);

    test_close(a);
    test_close(b);
    test_bad_socket();
    return 0;
}
