/* A receiver blocked on a socket whose only pipe is an ipc or tcp
   connection reads that connection on its own thread (one wake-up per
   message instead of two); reading goes back to the I/O thread when the
   socket is polled, gets a second pipe, or stops receiving. Whoever
   reads, nothing may be lost, reordered or left hanging:
   - stream: 3000 messages of sizes from 0 bytes to 300 KB (some larger
     than the 64 KiB read buffer, so reads end inside them) sent by a
     thread as fast as it can, taken by blocking receives, whole and in
     order;
   - poll: after blocking receives, nn_poll sees the next message;
   - rcvfd: after blocking receives, RCVFD polled with poll(2) sees the
     next message, and once it is readable an NN_DONTWAIT receive gets it
     (the fd used to be raised a moment before the message could be
     taken);
   - dontwait: after a blocking receive, NN_DONTWAIT receives find the
     rest of a burst (which may still be in the kernel);
   - second peer: a REP that answers with blocking receives gets a second
     REQ while it waits; both are answered, many times over;
   - close: nn_close from another thread ends a receive blocked on the
     connection with EBADF, promptly;
   - two receivers: two threads receiving from one socket (one reads the
     connection, the other sleeps on the socket) take every message once;
   - timeout: a receive that timed out while reading the connection
     leaves nothing behind; the next message arrives whole.
   Ports: 24540-24559 (tcp uses offsets 0-7); ipc paths
   /tmp/nn-direct_recv-<pid>-<n>.ipc. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <poll.h>
#include <stdatomic.h>

#define PORT_BASE 24540
#define PORT_COUNT 20
#define COUNT 3000

static const char *transport;

static void addr_of(char *buf, size_t cap, int n)
{
    test_addr_on(buf, cap, transport, "direct_recv", n, TEST_PORT(n));
}

/* A bound a and a connected b that have exchanged a message both ways
   (so a's blocking receives read the connection themselves from now). */
static void make_pair(int *a, int *b, int n)
{
    char addr[128];
    addr_of(addr, sizeof addr, n);
    *a = test_socket(AF_SP, NN_PAIR);
    *b = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(*a, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_setopt_int(*a, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_join_pair(*a, *b, addr);
}

static size_t size_of(int i)
{
    static const size_t sizes[] = {0, 1, 64, 300, 5000, 65535, 70000, 8,
        300000, 100, 131072, 7};
    return sizes[i % (sizeof sizes / sizeof sizes[0])];
}

static unsigned char byte_of(int i, size_t k)
{
    return (unsigned char) (i * 31 + k * 7);
}

static void *stream_sender(void *arg)
{
    int s = *(int *) arg;
    for (int i = 0; i < COUNT; i++) {
        size_t n = size_of(i);
        void *m = nn_allocmsg(n, 0);
        CHECK(m != NULL);
        for (size_t k = 0; k < n; k++)
            ((unsigned char *) m)[k] = byte_of(i, k);
        CHECK(nn_send(s, &m, NN_MSG, 0) == (int) n);
    }
    return NULL;
}

static void test_stream(void)
{
    int a, b;
    make_pair(&a, &b, 0);
    test_thread t;
    test_thread_start(&t, stream_sender, &b);
    for (int i = 0; i < COUNT; i++) {
        void *m;
        int n = nn_recv(a, &m, NN_MSG, 0);
        CHECK(n == (int) size_of(i));
        for (size_t k = 0; k < (size_t) n; k++)
            CHECK(((unsigned char *) m)[k] == byte_of(i, k));
        nn_freemsg(m);
    }
    test_thread_join(&t);
    test_close(b);
    test_close(a);
}

/* make_pair, then blocking round trips from b to a. */
static void make_busy_pair(int *a, int *b, int n)
{
    make_pair(a, b, n);
    for (int i = 0; i < 20; i++) {
        test_send(*b, "blocking");
        test_recv(*a, "blocking");
    }
}

static void test_poll(void)
{
    int a, b;
    make_busy_pair(&a, &b, 1);
    test_send(b, "polled");
    struct nn_pollfd pfd = {a, NN_POLLIN, 0};
    CHECK(nn_poll(&pfd, 1, TEST_MUST_MS) == 1);
    CHECK(pfd.revents & NN_POLLIN);
    char buf[16];
    CHECK(nn_recv(a, buf, sizeof buf, NN_DONTWAIT) == 6);
    CHECK(memcmp(buf, "polled", 6) == 0);
    test_close(b);
    test_close(a);
}

static void test_rcvfd(void)
{
    int a, b;
    make_busy_pair(&a, &b, 2);
    int fd = -1;
    size_t sz = sizeof fd;
    CHECK(nn_getsockopt(a, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz) == 0);
    test_send(b, "by fd");
    struct pollfd p = {fd, POLLIN, 0};
    CHECK(poll(&p, 1, TEST_MUST_MS) == 1);
    char buf[16];
    /* Level-triggered: readable means a receive succeeds now. */
    CHECK(nn_recv(a, buf, sizeof buf, NN_DONTWAIT) == 5);
    CHECK(memcmp(buf, "by fd", 5) == 0);
    test_close(b);
    test_close(a);
}

static void test_dontwait(void)
{
    int a, b;
    make_pair(&a, &b, 3);
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 10; i++)
            test_send(b, i == 0 ? "first" : "rest");
        test_recv(a, "first");
        int64_t t0 = now_ms();
        for (int got = 1; got < 10;) {
            char buf[16];
            int n = nn_recv(a, buf, sizeof buf, NN_DONTWAIT);
            if (n < 0) {
                CHECK(nn_errno() == EAGAIN);
                CHECK(now_ms() - t0 < TEST_MUST_MS);
                sleep_ms(1);
                continue;
            }
            CHECK(n == 4 && memcmp(buf, "rest", 4) == 0);
            got++;
        }
    }
    test_close(b);
    test_close(a);
}

struct rep_arg {
    int s;
    int answers;
};

static void *answering(void *arg)
{
    struct rep_arg *r = arg;
    for (int i = 0; i < r->answers; i++) {
        void *m;
        int n = nn_recv(r->s, &m, NN_MSG, 0);
        CHECK(n > 0);
        CHECK(nn_send(r->s, &m, NN_MSG, 0) == n);
    }
    return NULL;
}

static void ask(int req, const char *text)
{
    test_send(req, text);
    test_recv(req, text);
}

static void test_second_peer(void)
{
    char addr[128];
    addr_of(addr, sizeof addr, 4);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(rep, addr);
    int one = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_connect(one, addr);
    struct rep_arg r = {rep, 10 + 2 * 200};
    test_thread t;
    test_thread_start(&t, answering, &r);
    for (int i = 0; i < 10; i++)
        ask(one, "one alone");
    /* The REP waits in nn_recv, reading one's connection itself. */
    int two = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_connect(two, addr);
    for (int i = 0; i < 200; i++) {
        ask(two, "two");
        ask(one, "one");
    }
    test_thread_join(&t);
    test_close(two);
    test_close(one);
    test_close(rep);
}

static atomic_int closing_done;

static void *blocked_receiver(void *arg)
{
    int s = *(int *) arg;
    char buf[16];
    test_recv(s, "go");
    int64_t t0 = now_ms();
    /* Blocks (reading the connection) until main closes the socket. */
    CHECK_ERR(nn_recv(s, buf, sizeof buf, 0), EBADF);
    CHECK(now_ms() - t0 < TEST_MUST_MS);
    atomic_store(&closing_done, 1);
    return NULL;
}

static void test_close_wakes(void)
{
    int a, b;
    make_pair(&a, &b, 5);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, -1);
    test_thread t;
    test_thread_start(&t, blocked_receiver, &a);
    test_send(b, "go");
    /* Whether the receiver is asleep yet or not, it must end with EBADF. */
    sleep_ms(50);
    CHECK(nn_close(a) == 0);
    test_thread_join(&t);
    CHECK(atomic_load(&closing_done) == 1);
    test_close(b);
}

#define SHARED 2000

static atomic_int got_total;

static void *sharing_receiver(void *arg)
{
    int s = *(int *) arg;
    char buf[16];
    for (;;) {
        int n = nn_recv(s, buf, sizeof buf, 0);
        if (n < 0) {
            /* The socket's receive timeout after the last message. */
            CHECK(nn_errno() == ETIMEDOUT);
            return NULL;
        }
        CHECK(n == 5 && memcmp(buf, "share", 5) == 0);
        atomic_fetch_add(&got_total, 1);
    }
}

/* Two threads receive from one socket: one reads the connection, the
   other sleeps on the socket and is woken by what the first one reads.
   Every message is taken once. */
static void test_two_receivers(void)
{
    int a, b;
    make_pair(&a, &b, 6);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    atomic_store(&got_total, 0);
    test_thread t1, t2;
    test_thread_start(&t1, sharing_receiver, &a);
    test_thread_start(&t2, sharing_receiver, &a);
    for (int i = 0; i < SHARED; i++)
        test_send(b, "share");
    test_thread_join(&t1);
    test_thread_join(&t2);
    CHECK(atomic_load(&got_total) == SHARED);
    test_close(b);
    test_close(a);
}

/* A receive that times out while reading the connection itself leaves
   nothing behind: the next message is received whole. */
static void test_timeout_then_message(void)
{
    int a, b;
    make_pair(&a, &b, 7);
    test_recv_none(a, 50);
    test_send(b, "after");
    test_recv(a, "after");
    test_close(b);
    test_close(a);
}

int main(void)
{
    static const char *transports[] = {"ipc", "tcp"};
    alarm(120);
    for (int i = 0; i < 2; i++) {
        transport = transports[i];
        test_stream();
        test_poll();
        test_rcvfd();
        test_dontwait();
        test_second_peer();
        test_close_wakes();
        test_two_receivers();
        test_timeout_then_message();
    }
    return 0;
}
