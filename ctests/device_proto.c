/* nn_device with the one-way protocols (PUSH/PULL, PUB/SUB), as upstream
   nanomsg 1.1.5 behaves: two sockets that cannot form a device because
   neither can receive (PUSH+PUSH, PUB+PUB) or neither can send (PULL+PULL,
   SUB+SUB) give EINVAL, as do sockets of different protocols; a loopback
   device on a socket that cannot receive (raw PUSH, raw PUB) fails at once
   with ENOTSUP (the error of the recv it tries); a raw PULL -> raw PUSH
   device forwards PUSH traffic in either argument order; nn_term stops it
   with EBADF (last step). */
#include "testutil.h"
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/pair.h>

static void check_einval(int p1, int p2)
{
    int a = test_socket(AF_SP_RAW, p1);
    int b = test_socket(AF_SP_RAW, p2);
    CHECK_ERR(nn_device(a, b), EINVAL);
    CHECK_ERR(nn_device(b, a), EINVAL);
    test_close(a);
    test_close(b);
}

struct dev {
    int s1, s2;
    int rc, err;
    test_thread t;
};

static void *dev_main(void *arg)
{
    struct dev *d = arg;
    d->rc = nn_device(d->s1, d->s2);
    d->err = nn_errno();
    return NULL;
}

static struct dev d1, d2;

static void check_pipeline(struct dev *d, int order, const char *in,
    const char *out)
{
    char buf[32];
    int pull = test_socket(AF_SP_RAW, NN_PULL);
    int push = test_socket(AF_SP_RAW, NN_PUSH);
    test_bind(pull, in);
    test_bind(push, out);
    d->s1 = order ? push : pull;
    d->s2 = order ? pull : push;
    test_thread_start(&d->t, dev_main, d);

    int src = test_socket(AF_SP, NN_PUSH);
    int dst = test_socket(AF_SP, NN_PULL);
    test_setopt_int(dst, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(src, in);
    test_connect(dst, out);
    for (int i = 0; i < 10; i++) {
        char m[16];
        snprintf(m, sizeof m, "job-%d", i);
        test_send(src, m);
    }
    for (int i = 0; i < 10; i++) {
        char m[16];
        snprintf(m, sizeof m, "job-%d", i);
        test_recv(dst, m);
    }
    test_setopt_int(dst, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    CHECK_ERR(nn_recv(dst, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(src);
    test_close(dst);
}

int main(void)
{
    int s;
    alarm(10);

    check_einval(NN_PUSH, NN_PUSH);
    check_einval(NN_PULL, NN_PULL);
    check_einval(NN_PUB, NN_PUB);
    check_einval(NN_SUB, NN_SUB);
    check_einval(NN_PUB, NN_PUSH);
    check_einval(NN_PULL, NN_SUB);
    check_einval(NN_PAIR, NN_PULL);

    /* Loopback on a socket that cannot receive. */
    s = test_socket(AF_SP_RAW, NN_PUSH);
    CHECK_ERR(nn_device(s, -1), ENOTSUP);
    CHECK_ERR(nn_device(-1, s), ENOTSUP);
    test_close(s);
    s = test_socket(AF_SP_RAW, NN_PUB);
    CHECK_ERR(nn_device(s, -1), ENOTSUP);
    test_close(s);
    /* Cooked: EINVAL as always. */
    s = test_socket(AF_SP, NN_PULL);
    CHECK_ERR(nn_device(s, -1), EINVAL);
    test_close(s);

    check_pipeline(&d1, 0, "inproc://devproto-in1", "inproc://devproto-out1");
    check_pipeline(&d2, 1, "inproc://devproto-in2", "inproc://devproto-out2");

    nn_term();
    test_thread_join(&d1.t);
    test_thread_join(&d2.t);
    CHECK(d1.rc == -1 && d1.err == EBADF);
    CHECK(d2.rc == -1 && d2.err == EBADF);
    return 0;
}
