/* NN_SNDFD / NN_RCVFD: level-triggered file descriptors usable with
   poll(2), select(2) and epoll. The descriptors belong to the library and
   are never closed here. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/epoll.h>

static int get_fd(int s, int opt)
{
    int fd = -1;
    size_t sz = sizeof fd;
    int rc = nn_getsockopt(s, NN_SOL_SOCKET, opt, &fd, &sz);
    CHECK(rc == 0);
    CHECK(sz == sizeof(int));
    CHECK(fd >= 0);
    return fd;
}

static int readable(int fd, int timeout)
{
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    int rc = poll(&p, 1, timeout);
    CHECK(rc >= 0);
    if (rc == 1)
        CHECK(p.revents & POLLIN);
    return rc == 1;
}

static int sel_readable(int fd)
{
    fd_set set;
    struct timeval tv = { 0, 0 };
    FD_ZERO(&set);
    FD_SET(fd, &set);
    int rc = select(fd + 1, &set, NULL, NULL, &tv);
    CHECK(rc >= 0);
    return rc == 1 && FD_ISSET(fd, &set);
}

struct sender_arg { int s; };

static void *delayed_sender(void *p)
{
    struct sender_arg *arg = p;
    sleep_ms(100);
    int rc = nn_send(arg->s, "wake", 4, 0);
    CHECK(rc == 4);
    return NULL;
}

int main(void)
{
    alarm(20);
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);

    int arfd = get_fd(a, NN_RCVFD);
    int asfd = get_fd(a, NN_SNDFD);
    CHECK(arfd != asfd);
    /* The same descriptor is returned every time. */
    CHECK(get_fd(a, NN_RCVFD) == arfd);
    CHECK(get_fd(a, NN_SNDFD) == asfd);
    /* They are real, open file descriptors. */
    CHECK(fcntl(arfd, F_GETFD) >= 0);
    CHECK(fcntl(asfd, F_GETFD) >= 0);

    /* Options are read-only. */
    int v = 0;
    CHECK_ERR(nn_setsockopt(a, NN_SOL_SOCKET, NN_RCVFD, &v, sizeof v), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(a, NN_SOL_SOCKET, NN_SNDFD, &v, sizeof v), ENOPROTOOPT);

    /* Unconnected: neither readable nor writable. */
    CHECK(!readable(arfd, 0));
    CHECK(!readable(asfd, 0));

    test_bind(a, "inproc://fds");
    test_connect(b, "inproc://fds");
    int brfd = get_fd(b, NN_RCVFD);
    int bsfd = get_fd(b, NN_SNDFD);
    CHECK(brfd != arfd && bsfd != asfd && brfd != bsfd);

    /* Connected: SNDFD signals that a message can be sent. */
    CHECK(readable(asfd, TEST_MUST_MS));
    CHECK(readable(bsfd, TEST_MUST_MS));
    CHECK(!readable(arfd, 0));
    CHECK(!readable(brfd, 0));

    /* RCVFD readable while a message waits, level-triggered. */
    test_send(b, "m1");
    CHECK(readable(arfd, TEST_MUST_MS));
    CHECK(readable(arfd, 0));
    CHECK(sel_readable(arfd));
    test_recv(a, "m1");
    CHECK(!readable(arfd, 0));
    CHECK(!sel_readable(arfd));

    /* Two queued, one received: still readable; both received: not. */
    test_send(b, "m2");
    test_send(b, "m3");
    CHECK(readable(arfd, TEST_MUST_MS));
    test_recv(a, "m2");
    CHECK(readable(arfd, 0));
    CHECK(sel_readable(arfd));
    test_recv(a, "m3");
    CHECK(!readable(arfd, 0));

    /* DONTWAIT receive succeeds whenever RCVFD says readable. */
    test_send(b, "m4");
    CHECK(readable(arfd, TEST_MUST_MS));
    char buf[16];
    CHECK(nn_recv(a, buf, sizeof buf, NN_DONTWAIT) == 2);
    CHECK(memcmp(buf, "m4", 2) == 0);
    CHECK(!readable(arfd, 0));

    /* SNDFD stays readable after sends that don't fill the queue. */
    test_send(a, "x");
    CHECK(readable(asfd, 0));
    CHECK(sel_readable(asfd));
    test_recv(b, "x");

    /* SNDFD clears while the send queue is full and comes back. */
    char big[1000];
    memset(big, 0, sizeof big);
    int n = 0;
    while (nn_send(a, big, sizeof big, NN_DONTWAIT) >= 0) {
        n++;
        CHECK(n < 100000);
    }
    CHECK(nn_errno() == EAGAIN);
    CHECK(!readable(asfd, 0));
    CHECK(!sel_readable(asfd));
    CHECK(readable(brfd, 0));
    CHECK(nn_recv(b, big, sizeof big, 0) == (int) sizeof big);
    CHECK(readable(asfd, TEST_MUST_MS));
    while (--n > 0)
        CHECK(nn_recv(b, big, sizeof big, 0) == (int) sizeof big);
    CHECK(!readable(brfd, 0));
    CHECK(readable(asfd, 0));

    /* A blocked poll(2) on RCVFD is woken by another thread's send. */
    struct sender_arg arg = { b };
    test_thread th;
    /* t0 before the sender starts its 100 ms sleep; the poll's own
       timeout is the hang bound. */
    int64_t t0 = now_ms();
    test_thread_start(&th, delayed_sender, &arg);
    CHECK(readable(arfd, (int) test_hang_ms(100)));
    int64_t el = now_ms() - t0;
    CHECK(el >= 50);
    CHECK_NO_HANG(t0, 100);
    test_thread_join(&th);
    test_recv(a, "wake");
    CHECK(!readable(arfd, 0));

    /* epoll: level-triggered readiness of RCVFD. */
    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    struct epoll_event ev, out[4];
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.fd = arfd;
    CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, arfd, &ev) == 0);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    test_send(b, "ep");
    CHECK(epoll_wait(ep, out, 4, TEST_MUST_MS) == 1);
    CHECK(out[0].data.fd == arfd);
    CHECK(out[0].events & EPOLLIN);
    /* Level-triggered: reported again until received. */
    CHECK(epoll_wait(ep, out, 4, 0) == 1);
    test_recv(a, "ep");
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, arfd, &ev) == 0);
    close(ep);

    /* Once the peer is gone, nothing can be sent. */
    test_close(b);
    sleep_ms(20);
    CHECK(!readable(asfd, 50));

    /* RCVFD / SNDFD also exist on raw sockets. */
    int r = test_socket(AF_SP_RAW, NN_PAIR);
    int rr = get_fd(r, NN_RCVFD);
    int rs = get_fd(r, NN_SNDFD);
    CHECK(rr != rs);
    CHECK(!readable(rr, 0));
    test_close(r);

    /* Getting the fds of a bad socket fails. */
    int fd;
    size_t sz = sizeof fd;
    CHECK_ERR(nn_getsockopt(4242, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz), EBADF);

    test_close(a);
    return 0;
}
