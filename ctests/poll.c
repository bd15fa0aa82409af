/* nn_poll on PAIR sockets: NN_POLLIN / NN_POLLOUT readiness, timeouts,
   wake-up from another thread, several sockets in one call. Arguments as
   upstream 1.1.5 takes them: entries asking for nothing are ignored (even
   with a bad handle), a direction the protocol lacks is ENOPROTOOPT, and
   more descriptors than RLIMIT_NOFILE (one per direction asked) is EINVAL,
   ready or not. Closing a polled socket: close_wake.c. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/inproc.h>
#include <sys/resource.h>

/* More entries than the descriptor limit allows: EINVAL, as poll(2) says
   (upstream 1.1.5 gives one descriptor per direction asked to poll(2)). */
static void check_limit(int s)
{
    struct rlimit rl;
    struct nn_pollfd *pfd;
    int i, lim = 512, rc;

    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    rl.rlim_cur = lim;
    CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    pfd = calloc(100000, sizeof *pfd);
    CHECK(pfd != NULL);
    for (i = 0; i < 100000; ++i) {
        pfd[i].fd = s;
        pfd[i].events = NN_POLLOUT;
    }
    /*  s is writable: up to the limit every entry is ready ... */
    rc = nn_poll(pfd, lim, 0);
    CHECK(rc == lim);
    /*  ... one more is EINVAL, and far more too. */
    CHECK_ERR(nn_poll(pfd, lim + 1, 0), EINVAL);
    CHECK_ERR(nn_poll(pfd, 100000, 0), EINVAL);
    CHECK_ERR(nn_poll(pfd, 100000, 100), EINVAL);
    /*  Both directions count twice. */
    for (i = 0; i < 100000; ++i)
        pfd[i].events = NN_POLLIN | NN_POLLOUT;
    rc = nn_poll(pfd, lim / 2, 0);
    CHECK(rc == lim / 2);
    CHECK_ERR(nn_poll(pfd, lim / 2 + 1, 0), EINVAL);
    /*  Entries that ask for nothing do not count. */
    for (i = 0; i < 100000; ++i)
        pfd[i].events = 0;
    pfd[0].events = NN_POLLOUT;
    rc = nn_poll(pfd, 100000, 0);
    CHECK(rc == 1);
    /*  A bad handle is found first. */
    for (i = 0; i < 100000; ++i)
        pfd[i].events = NN_POLLIN;
    pfd[99999].fd = 4242;
    CHECK_ERR(nn_poll(pfd, 100000, 0), EBADF);
    free(pfd);
}

static int poll1(int s, short events, int timeout, short *revents)
{
    struct nn_pollfd pfd;
    pfd.fd = s;
    pfd.events = events;
    pfd.revents = 0;
    int rc = nn_poll(&pfd, 1, timeout);
    *revents = pfd.revents;
    return rc;
}

/* nn_poll with timeout 0 returns at once: well under 50 ms. A stall of
   the machine in the middle of the call can make one call slow, so the
   best of 3 counts (a library that waits does so every time). */
static void check_at_once(int s, short events)
{
    short rev;
    int fast = 0;
    for (int i = 0; i < 3 && !fast; i++) {
        int64_t t0 = now_ms();
        CHECK(poll1(s, events, 0, &rev) == 0);
        fast = now_ms() - t0 < 50;
    }
    CHECK(fast);
}

struct sender_arg { int s; int delay_ms; };

static void *delayed_sender(void *p)
{
    struct sender_arg *arg = p;
    sleep_ms(arg->delay_ms);
    int rc = nn_send(arg->s, "wake", 4, 0);
    CHECK(rc == 4);
    return NULL;
}

int main(void)
{
    short rev;
    int rc;
    int64_t t0, el;

    alarm(20);
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);

    /* Unconnected: nothing ready; timeout 0 returns at once. */
    check_at_once(a, NN_POLLIN | NN_POLLOUT);

    test_bind(a, "inproc://poll");
    test_connect(b, "inproc://poll");

    /* Connected: writable, not readable. */
    rc = poll1(a, NN_POLLIN | NN_POLLOUT, 0, &rev);
    CHECK(rc == 1);
    CHECK(rev == NN_POLLOUT);
    rc = poll1(b, NN_POLLOUT, 0, &rev);
    CHECK(rc == 1);
    CHECK(rev == NN_POLLOUT);

    /* POLLIN only, nothing to read: timeout 0 returns 0 at once ... */
    check_at_once(a, NN_POLLIN);

    /* ... and timeout 100 returns 0 after about 100 ms (no earlier; the
       upper bound only catches a hang). */
    t0 = now_ms();
    rc = poll1(a, NN_POLLIN, 100, &rev);
    el = now_ms() - t0;
    CHECK(rc == 0);
    CHECK(el >= 90);
    CHECK_NO_HANG(t0, 100);

    /* After the peer sends, POLLIN is set (and POLLOUT still). */
    test_send(b, "x");
    rc = poll1(a, NN_POLLIN, TEST_MUST_MS, &rev);
    CHECK(rc == 1);
    CHECK(rev == NN_POLLIN);
    rc = poll1(a, NN_POLLIN | NN_POLLOUT, 0, &rev);
    CHECK(rc == 1);
    CHECK(rev == (NN_POLLIN | NN_POLLOUT));
    /* Only the requested events are reported. */
    rc = poll1(a, NN_POLLOUT, 0, &rev);
    CHECK(rc == 1);
    CHECK(rev == NN_POLLOUT);
    /* Level-triggered: still readable when polled again. */
    rc = poll1(a, NN_POLLIN, 0, &rev);
    CHECK(rc == 1 && rev == NN_POLLIN);

    /* After receiving, POLLIN clears. */
    test_recv(a, "x");
    rc = poll1(a, NN_POLLIN, 0, &rev);
    CHECK(rc == 0);

    /* Two messages queued, one received: still readable. */
    test_send(b, "1");
    test_send(b, "2");
    rc = poll1(a, NN_POLLIN, TEST_MUST_MS, &rev);
    CHECK(rc == 1 && rev == NN_POLLIN);
    test_recv(a, "1");
    rc = poll1(a, NN_POLLIN, 0, &rev);
    CHECK(rc == 1 && rev == NN_POLLIN);
    test_recv(a, "2");
    rc = poll1(a, NN_POLLIN, 0, &rev);
    CHECK(rc == 0);

    /* A second thread sending wakes up a blocked nn_poll. t0 before the
       sender starts its 100 ms sleep; the poll's own timeout is the hang
       bound. */
    struct sender_arg arg = { b, 100 };
    test_thread th;
    t0 = now_ms();
    test_thread_start(&th, delayed_sender, &arg);
    rc = poll1(a, NN_POLLIN, (int) test_hang_ms(100), &rev);
    el = now_ms() - t0;
    CHECK(rc == 1);
    CHECK(rev == NN_POLLIN);
    CHECK(el >= 50);
    CHECK_NO_HANG(t0, 100);
    test_thread_join(&th);
    test_recv(a, "wake");

    /* Infinite timeout (-1) also wakes. */
    arg.delay_ms = 50;
    test_thread_start(&th, delayed_sender, &arg);
    rc = poll1(a, NN_POLLIN, -1, &rev);
    CHECK(rc == 1 && rev == NN_POLLIN);
    test_thread_join(&th);
    test_recv(a, "wake");

    /* Multiple sockets in one call. */
    int c = test_socket(AF_SP, NN_PAIR);
    int d = test_socket(AF_SP, NN_PAIR);
    test_bind(c, "inproc://poll2");
    test_connect(d, "inproc://poll2");
    int lonely = test_socket(AF_SP, NN_PAIR);

    struct nn_pollfd pfd[5];
    memset(pfd, 0, sizeof pfd);
    pfd[0].fd = a; pfd[0].events = NN_POLLIN;
    pfd[1].fd = b; pfd[1].events = NN_POLLIN;
    pfd[2].fd = c; pfd[2].events = NN_POLLIN;
    pfd[3].fd = d; pfd[3].events = NN_POLLIN;
    pfd[4].fd = lonely; pfd[4].events = NN_POLLIN | NN_POLLOUT;
    rc = nn_poll(pfd, 5, 0);
    CHECK(rc == 0);

    test_send(a, "to-b");
    test_send(d, "to-c");
    rc = nn_poll(pfd, 5, TEST_MUST_MS);
    CHECK(rc == 2);
    CHECK(pfd[0].revents == 0);
    CHECK(pfd[1].revents == NN_POLLIN);
    CHECK(pfd[2].revents == NN_POLLIN);
    CHECK(pfd[3].revents == 0);
    CHECK(pfd[4].revents == 0);

    /* Mixed interest: rc counts sockets, not events. */
    pfd[0].events = NN_POLLIN | NN_POLLOUT;
    pfd[1].events = NN_POLLIN | NN_POLLOUT;
    rc = nn_poll(pfd, 5, 0);
    CHECK(rc == 3);
    CHECK(pfd[0].revents == NN_POLLOUT);
    CHECK(pfd[1].revents == (NN_POLLIN | NN_POLLOUT));
    CHECK(pfd[2].revents == NN_POLLIN);
    CHECK(pfd[3].revents == 0);
    CHECK(pfd[4].revents == 0);

    test_recv(b, "to-b");
    test_recv(c, "to-c");
    pfd[0].events = NN_POLLIN;
    pfd[1].events = NN_POLLIN;
    rc = nn_poll(pfd, 5, 0);
    CHECK(rc == 0);

    /* Same socket twice in the array. */
    test_send(a, "dup");
    pfd[0].fd = b; pfd[0].events = NN_POLLIN;
    pfd[1].fd = b; pfd[1].events = NN_POLLOUT;
    rc = nn_poll(pfd, 2, TEST_MUST_MS);
    CHECK(rc == 2);
    CHECK(pfd[0].revents == NN_POLLIN);
    CHECK(pfd[1].revents == NN_POLLOUT);
    test_recv(b, "dup");

    /* A full send queue clears POLLOUT; draining one message sets it. */
    char big[1000];
    memset(big, 0, sizeof big);
    int n = 0;
    while (nn_send(d, big, sizeof big, NN_DONTWAIT) >= 0) {
        n++;
        CHECK(n < 100000);
    }
    CHECK(nn_errno() == EAGAIN);
    rc = poll1(d, NN_POLLOUT, 0, &rev);
    CHECK(rc == 0);
    CHECK(nn_recv(c, big, sizeof big, 0) == (int) sizeof big);
    rc = poll1(d, NN_POLLOUT, TEST_MUST_MS, &rev);
    CHECK(rc == 1 && rev == NN_POLLOUT);

    /* Zero sockets with a timeout just sleeps. */
    t0 = now_ms();
    rc = nn_poll(pfd, 0, 50);
    el = now_ms() - t0;
    CHECK(rc == 0);
    CHECK(el >= 40);
    CHECK_NO_HANG(t0, 50);

    /* Invalid socket. */
    pfd[0].fd = 4242;
    pfd[0].events = NN_POLLIN;
    CHECK_ERR(nn_poll(pfd, 1, 0), EBADF);
    /* ... is not looked at when the entry asks for nothing. */
    pfd[0].events = 0;
    pfd[1].fd = d; pfd[1].events = NN_POLLOUT;
    rc = nn_poll(pfd, 2, 0);
    CHECK(rc == 1);
    CHECK(pfd[0].revents == 0 && pfd[1].revents == NN_POLLOUT);

    /* A direction the protocol does not have. */
    int push = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    rc = poll1(push, NN_POLLOUT, 0, &rev);
    CHECK(rc == 0);
    CHECK_ERR(poll1(push, NN_POLLIN, 0, &rev), ENOPROTOOPT);
    CHECK_ERR(poll1(pull, NN_POLLOUT, 100, &rev), ENOPROTOOPT);
    CHECK_ERR(poll1(pull, NN_POLLIN | NN_POLLOUT, 0, &rev), ENOPROTOOPT);
    /* With a bad handle too, the first entry's error is the one, as upstream's. */
    {
        struct nn_pollfd two[2] = { { push, NN_POLLIN, 0 }, { 12345, NN_POLLIN, 0 } };
        CHECK_ERR(nn_poll(two, 2, 0), ENOPROTOOPT);
        two[0].fd = 12345;
        two[1].fd = push;
        CHECK_ERR(nn_poll(two, 2, 0), EBADF);
    }
    test_close(push);
    test_close(pull);

    check_limit(d);

    /* A closed peer: no longer writable. */
    test_close(a);
    rc = poll1(b, NN_POLLOUT, 50, &rev);
    CHECK(rc == 0);

    test_close(b);
    test_close(c);
    test_close(d);
    test_close(lonely);
    return 0;
}
