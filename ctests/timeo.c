/* NN_RCVTIMEO / NN_SNDTIMEO / NN_DONTWAIT on PAIR sockets over inproc:
   timeouts give ETIMEDOUT after about the configured time, 0 gives
   ETIMEDOUT at once (not EAGAIN), NN_DONTWAIT gives EAGAIN at once, and a
   message arriving before the deadline is delivered. Matches upstream. */
#include "testutil.h"
#include <nanomsg/pair.h>

static int64_t timed_recv(int s, int flags, int *rc, int *err)
{
    char buf[64];
    int64_t start = now_ms();
    *rc = nn_recv(s, buf, sizeof buf, flags);
    *err = nn_errno();
    return now_ms() - start;
}

static int64_t timed_send(int s, const void *buf, size_t len, int flags,
    int *rc, int *err)
{
    int64_t start = now_ms();
    *rc = nn_send(s, buf, len, flags);
    *err = nn_errno();
    return now_ms() - start;
}

/*  The call returns at once (well under 50 ms) with -1 and errno err. A
    stall of the machine during one call can make it slow: the best of 3
    counts (a library that waits does so every time). */
static void recv_at_once(int s, int flags, int err)
{
    int rc, e, fast = 0;
    for (int i = 0; i < 3 && !fast; i++) {
        int64_t t = timed_recv(s, flags, &rc, &e);
        CHECK(rc == -1 && e == err);
        fast = t < 50;
    }
    CHECK(fast);
}

static void send_at_once(int s, const void *buf, size_t len, int flags,
    int err)
{
    int rc, e, fast = 0;
    for (int i = 0; i < 3 && !fast; i++) {
        int64_t t = timed_send(s, buf, len, flags, &rc, &e);
        CHECK(rc == -1 && e == err);
        fast = t < 50;
    }
    CHECK(fast);
}

/*  Timeouts are measured from before the call, so only a library that
    returns early fails the lower bounds; the upper bounds only catch a
    call that ignores its timeout (test_hang_ms). */

static int delayed_sock;
static void *delayed_sender(void *arg)
{
    (void) arg;
    sleep_ms(150);
    test_send(delayed_sock, "late");
    return NULL;
}

static int drain_sock;
static void *delayed_reader(void *arg)
{
    char buf[2000];
    int rc;
    (void) arg;
    sleep_ms(150);
    rc = nn_recv(drain_sock, buf, sizeof buf, 0);
    CHECK(rc == 1000);
    return NULL;
}

int main(void)
{
    int s, a, b, rc, err, n;
    int64_t t;
    char big[1000];
    test_thread th;

    alarm(20);
    memset(big, 'q', sizeof big);

    /*  Receive timeout on a peerless socket. */
    s = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    t = timed_recv(s, 0, &rc, &err);
    CHECK(rc == -1 && err == ETIMEDOUT);
    CHECK(t >= 80 && t < test_hang_ms(100));

    /*  NN_DONTWAIT: EAGAIN immediately, whatever the timeout. */
    recv_at_once(s, NN_DONTWAIT, EAGAIN);
    /*  Unknown flag bits are ignored: flags 2 still waits for the
        timeout; flags -1 includes NN_DONTWAIT. */
    t = timed_recv(s, 2, &rc, &err);
    CHECK(rc == -1 && err == ETIMEDOUT);
    CHECK(t >= 80 && t < test_hang_ms(100));
    recv_at_once(s, -1, EAGAIN);

    /*  Timeout 0: ETIMEDOUT (not EAGAIN), immediately. */
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 0);
    recv_at_once(s, 0, ETIMEDOUT);

    /*  Send on a PAIR socket without a peer blocks: SNDTIMEO applies. */
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    t = timed_send(s, "abc", 3, 0, &rc, &err);
    CHECK(rc == -1 && err == ETIMEDOUT);
    CHECK(t >= 80 && t < test_hang_ms(100));
    send_at_once(s, "abc", 3, NN_DONTWAIT, EAGAIN);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 0);
    send_at_once(s, "abc", 3, 0, ETIMEDOUT);
    /*  A longer timeout is honoured too. */
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 300);
    t = timed_send(s, "abc", 3, 0, &rc, &err);
    CHECK(rc == -1 && err == ETIMEDOUT);
    CHECK(t >= 270 && t < test_hang_ms(300));
    test_close(s);

    /*  A message arriving before the deadline is received (the sender
        sleeps 150 ms, from after start; the timeout is far longer than a
        stall of the machine). */
    a = test_socket(AF_SP, NN_PAIR);
    b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://timeo");
    test_connect(b, "inproc://timeo");
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    delayed_sock = b;
    {
        char buf[16];
        int64_t start = now_ms();
        test_thread_start(&th, delayed_sender, NULL);
        rc = nn_recv(a, buf, sizeof buf, 0);
        t = now_ms() - start;
        CHECK(rc == 4 && memcmp(buf, "late", 4) == 0);
        CHECK(t >= 100);
        CHECK_NO_HANG(start, 150);
    }
    test_thread_join(&th);
    /*  Infinite (negative) timeout: also waits for the message. */
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, -2);
    test_thread_start(&th, delayed_sender, NULL);
    test_recv(a, "late");
    test_thread_join(&th);
    /*  With data queued, a zero timeout still receives. */
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 0);
    test_send(b, "now");
    sleep_ms(20);
    test_recv(a, "now");
    t = timed_recv(a, 0, &rc, &err);
    CHECK(rc == -1 && err == ETIMEDOUT);
    test_close(b);
    test_close(a);

    /*  Send timeout when the peer's queue is full. */
    a = test_socket(AF_SP, NN_PAIR);
    b = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(a, NN_SOL_SOCKET, NN_SNDBUF, 1000);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVBUF, 1000);
    test_bind(b, "inproc://timeo_full");
    test_connect(a, "inproc://timeo_full");
    for (n = 0; n < 1000; ++n) {
        rc = nn_send(a, big, sizeof big, NN_DONTWAIT);
        if (rc < 0)
            break;
        CHECK(rc == (int) sizeof big);
    }
    CHECK(n >= 1 && n < 1000);
    CHECK(nn_errno() == EAGAIN);
    test_setopt_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    t = timed_send(a, big, sizeof big, 0, &rc, &err);
    CHECK(rc == -1 && err == ETIMEDOUT);
    CHECK(t >= 80 && t < test_hang_ms(100));
    send_at_once(a, "x", 1, NN_DONTWAIT, EAGAIN);
    /*  Once the peer reads, a blocked send with a long timeout completes
        (the reader sleeps 150 ms, from after start). */
    test_setopt_int(a, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    drain_sock = b;
    {
        int64_t start = now_ms();
        test_thread_start(&th, delayed_reader, NULL);
        rc = nn_send(a, big, sizeof big, 0);
        CHECK(rc == (int) sizeof big);
        CHECK(now_ms() - start >= 100);
        CHECK_NO_HANG(start, 150);
    }
    test_thread_join(&th);
    test_close(a);
    test_close(b);
    return 0;
}
