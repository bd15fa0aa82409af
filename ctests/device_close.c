/* ours-only */
/* Closing one of a running device's sockets from another thread. Upstream
   nanomsg 1.1.5's nn_close returns 0 but nn_device never notices: it keeps
   running (even when traffic arrives on the other socket) until nn_term.
   Requirement here: nn_device returns -1 with EBADF promptly (within the
   hang bound test_hang_ms(0): a device that never notices fails it) after
   either of its sockets, or the only socket of a loopback device, is
   closed; the remaining socket stays usable and can be closed normally. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/bus.h>

struct dev {
    int s1, s2;
    volatile int done;
    int rc, err;
    test_thread t;
};

static void *dev_main(void *arg)
{
    struct dev *d = arg;
    d->rc = nn_device(d->s1, d->s2);
    d->err = nn_errno();
    d->done = 1;
    return NULL;
}

static void wait_done(struct dev *d)
{
    int64_t t0 = now_ms();
    while (!d->done && now_ms() - t0 < test_hang_ms(0))
        sleep_ms(5);
    CHECK(d->done);
    test_thread_join(&d->t);
    CHECK(d->rc == -1);
    CHECK(d->err == EBADF);
}

int main(void)
{
    struct dev d;
    alarm(10);

    /* Close the first socket of an idle PAIR device. */
    memset(&d, 0, sizeof d);
    d.s1 = test_socket(AF_SP_RAW, NN_PAIR);
    d.s2 = test_socket(AF_SP_RAW, NN_PAIR);
    test_bind(d.s1, "inproc://devclose-a1");
    test_bind(d.s2, "inproc://devclose-b1");
    test_thread_start(&d.t, dev_main, &d);
    sleep_ms(50);
    test_close(d.s1);
    wait_done(&d);
    test_close(d.s2);

    /* Close the second socket of a REQ/REP device that has carried
       traffic; the front socket is still usable afterwards. */
    memset(&d, 0, sizeof d);
    d.s1 = test_socket(AF_SP_RAW, NN_REP);
    d.s2 = test_socket(AF_SP_RAW, NN_REQ);
    test_bind(d.s1, "inproc://devclose-a2");
    test_bind(d.s2, "inproc://devclose-b2");
    test_thread_start(&d.t, dev_main, &d);
    int req = test_socket(AF_SP, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(req, "inproc://devclose-a2");
    test_connect(rep, "inproc://devclose-b2");
    test_send(req, "q");
    test_recv(rep, "q");
    test_send(rep, "a");
    test_recv(req, "a");
    test_close(d.s2);
    wait_done(&d);
    CHECK(test_getopt_int(d.s1, NN_SOL_SOCKET, NN_PROTOCOL) == NN_REP);
    test_close(d.s1);
    test_close(req);
    test_close(rep);

    /* Loopback device. */
    memset(&d, 0, sizeof d);
    d.s1 = test_socket(AF_SP_RAW, NN_BUS);
    d.s2 = -1;
    test_bind(d.s1, "inproc://devclose-bus");
    test_thread_start(&d.t, dev_main, &d);
    sleep_ms(50);
    test_close(d.s1);
    wait_done(&d);

    /* New devices can still be started afterwards. */
    memset(&d, 0, sizeof d);
    d.s1 = test_socket(AF_SP_RAW, NN_PAIR);
    d.s2 = test_socket(AF_SP_RAW, NN_PAIR);
    test_bind(d.s1, "inproc://devclose-a1");
    test_bind(d.s2, "inproc://devclose-b1");
    test_thread_start(&d.t, dev_main, &d);
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(a, "inproc://devclose-a1");
    test_connect(b, "inproc://devclose-b1");
    test_send(a, "still");
    test_recv(b, "still");
    test_close(d.s2);
    wait_done(&d);
    test_close(d.s1);
    test_close(a);
    test_close(b);
    return 0;
}
