/* Blocking nn_send / nn_recv across threads (what upstream calls block),
   over inproc, ipc, tcp and ws, with the default infinite NN_RCVTIMEO and
   NN_SNDTIMEO (alarm() keeps a hang from lasting):
   - recv: a PAIR blocks in nn_recv until another thread sends, 300 ms
     later, and then gets that message (and the same again for a second
     message); it neither returns early nor fails;
   - reqrep: a REQ blocks in nn_recv until a REP thread answers 300 ms
     after taking the request;
   - send: a PAIR whose peer does not read fills the pipe (NN_DONTWAIT
     sends until EAGAIN, and again until a 200 ms pause brings no room);
     the next blocking nn_send waits until a reader thread starts reading
     300 ms later, then succeeds; every message arrives once, in order.
     Over a network transport a slow machine can still make room after
     the pause: then the blocking send completes before the reader starts
     and the case is tried again with a longer pause (up to 5 times).
   Validated against upstream nanomsg 1.1.5.
   Ports: 24060-24079 (this file's block; the send case uses offsets 2-6
   and 12-16); ipc paths
   /tmp/nn-blocking-<pid>-<n>.ipc. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>

#define PORT_BASE 24060
#define PORT_COUNT 20
/* ws uses the second half of the block. */
#define WS_OFFSET (strcmp(transport, "ws") == 0 ? 10 : 0)
#define DELAY 300

static const char *transport;

/* A bound a and a connected b that have exchanged a message both ways. */
static void make_pair(int *a, int *b, int n, int rcvmax)
{
    char addr[128];
    test_addr_on(addr, sizeof addr, transport, "blocking", n,
        TEST_PORT(n + WS_OFFSET));
    *a = test_socket(AF_SP, NN_PAIR);
    *b = test_socket(AF_SP, NN_PAIR);
    if (rcvmax) {
        test_setopt_int(*a, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
        test_setopt_int(*b, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    }
    test_join_pair(*a, *b, addr);
    /* Both timeouts are at their default: infinite. */
    CHECK(test_getopt_int(*a, NN_SOL_SOCKET, NN_RCVTIMEO) == -1);
    CHECK(test_getopt_int(*a, NN_SOL_SOCKET, NN_SNDTIMEO) == -1);
}

/* ---- recv --------------------------------------------------------------- */

static void *late_sender(void *arg)
{
    int s = *(int *) arg;
    sleep_ms(DELAY);
    test_send(s, "ABC");
    sleep_ms(DELAY);
    test_send(s, "DEF");
    return NULL;
}

static void test_block_recv(void)
{
    int a, b;
    test_thread t;
    make_pair(&a, &b, 0, 0);
    /* t0 before the sender starts: its sleeps begin after t0, so "ABC"
       goes out at least DELAY and "DEF" at least 2 * DELAY after it, and a
       stall anywhere only makes the receives later. */
    int64_t t0 = now_ms();
    test_thread_start(&t, late_sender, &b);
    test_recv(a, "ABC");
    int64_t t1 = now_ms();
    test_recv(a, "DEF");
    int64_t t2 = now_ms();
    test_thread_join(&t);
    if (t1 - t0 < DELAY || t2 - t0 < 2 * DELAY) {
        fprintf(stderr, "%s: blocking nn_recv returned after %lld and "
            "%lld ms, expected at least %d and %d\n", transport,
            (long long) (t1 - t0), (long long) (t2 - t0), DELAY, 2 * DELAY);
        exit(1);
    }
    test_close(a);
    test_close(b);
}

/* ---- reqrep ------------------------------------------------------------- */

static void *late_replier(void *arg)
{
    int rep = *(int *) arg;
    test_recv(rep, "question");
    sleep_ms(DELAY);
    test_send(rep, "answer");
    return NULL;
}

static void test_block_reqrep(void)
{
    char addr[128];
    test_thread t;
    test_addr_on(addr, sizeof addr, transport, "blocking", 1,
        TEST_PORT(1 + WS_OFFSET));
    int rep = test_socket(AF_SP, NN_REP);
    int req = test_socket(AF_SP, NN_REQ);
    test_bind(rep, addr);
    test_connect(req, addr);
    test_thread_start(&t, late_replier, &rep);
    int64_t t0 = now_ms();
    test_send(req, "question");
    test_recv(req, "answer");
    int64_t t1 = now_ms();
    test_thread_join(&t);
    if (t1 - t0 < DELAY - 50) {
        fprintf(stderr, "%s: REQ got its reply after %lld ms, expected "
            "about %d\n", transport, (long long) (t1 - t0), DELAY);
        exit(1);
    }
    test_close(req);
    test_close(rep);
}

/* ---- send --------------------------------------------------------------- */

struct reader {
    int s;
    size_t len;
    uint32_t expect;  /* messages to read */
    int64_t started;  /* read by the main thread only after the join */
};

static void *late_reader(void *arg)
{
    struct reader *r = arg;
    unsigned char *buf = malloc(r->len);
    CHECK(buf != NULL);
    sleep_ms(DELAY);
    r->started = now_ms();
    for (uint32_t i = 0; i < r->expect; i++) {
        int rc = nn_recv(r->s, buf, r->len, 0);
        CHECK(rc == (int) r->len);
        CHECK(test_getl(buf) == i);
        CHECK(buf[r->len - 1] == (unsigned char) i);
    }
    free(buf);
    return NULL;
}

/* One try with the pipe filled until a pause of pause_ms brings no more
   room. Returns 1 when the blocking send waited for the reader, 0 when it
   completed before the reader started: then the pipe was not full yet
   (over a network transport the I/O thread can still be moving data into
   the kernel after the pause when the machine is slow), and the caller
   tries again with a longer pause. Every message arrives once, in order,
   either way. */
static int block_send_once(int attempt, int pause_ms)
{
    int a, b, rc;
    int net = strcmp(transport, "inproc") != 0;
    size_t len = net ? 256 * 1024 : 1000;
    unsigned char *msg = calloc(len, 1);
    uint32_t n = 0;
    struct reader r;
    test_thread t;

    CHECK(msg != NULL);
    make_pair(&a, &b, 2 + attempt, 1);
    if (!net) {
        /* inproc queues by the receiver's NN_RCVBUF (and the sender's
           NN_SNDBUF): keep them small. */
        test_setopt_int(a, NN_SOL_SOCKET, NN_RCVBUF, 4000);
        test_setopt_int(b, NN_SOL_SOCKET, NN_SNDBUF, 4000);
    }
    /* Fill until a pause brings no more room. */
    for (;;) {
        int progressed = 0;
        for (;;) {
            test_putl(msg, n);
            msg[len - 1] = (unsigned char) n;
            rc = nn_send(b, msg, len, NN_DONTWAIT);
            if (rc < 0) {
                CHECK(nn_errno() == EAGAIN);
                break;
            }
            CHECK(rc == (int) len);
            n++;
            progressed = 1;
            CHECK(n < 2000);
        }
        if (!progressed && n > 0)
            break;
        sleep_ms(pause_ms);
    }
    r.s = a;
    r.len = len;
    r.expect = n + 1;
    r.started = 0;
    /* t0 before the reader starts: it reads no earlier than DELAY after
       t0. */
    int64_t t0 = now_ms();
    test_thread_start(&t, late_reader, &r);
    test_putl(msg, n);
    msg[len - 1] = (unsigned char) n;
    rc = nn_send(b, msg, len, 0);
    int64_t t1 = now_ms();
    CHECK(rc == (int) len);
    test_thread_join(&t);
    char buf[8];
    CHECK_ERR(nn_recv(a, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    free(msg);
    test_close(a);
    test_close(b);
    if (t1 < r.started) {
        fprintf(stderr, "%s: blocking nn_send returned after %lld ms, "
            "before the reader started (%u messages queued, pause %d ms)\n",
            transport, (long long) (t1 - t0), n, pause_ms);
        return 0;
    }
    CHECK(t1 - t0 >= DELAY);
    return 1;
}

static void test_block_send(void)
{
    /* inproc has no I/O thread: EAGAIN means full, no retry there. */
    int tries = strcmp(transport, "inproc") == 0 ? 1 : 5;
    for (int attempt = 0, pause = 200; attempt < tries; attempt++,
        pause *= 2)
        if (block_send_once(attempt, pause))
            return;
    fprintf(stderr, "%s: the blocking nn_send never waited for the reader\n",
        transport);
    exit(1);
}

int main(int argc, char **argv)
{
    static const char *trs[] = { "inproc", "ipc", "tcp", "ws" };
    alarm(55);
    for (int i = 0; i < 4; i++) {
        if (argc > 1 && strcmp(argv[1], trs[i]) != 0)
            continue;
        transport = trs[i];
        int64_t t0 = now_ms();
        test_block_recv();
        test_block_reqrep();
        test_block_send();
        if (getenv("TEST_TIMING"))
            fprintf(stderr, "%s: %lld ms\n", transport,
                (long long) (now_ms() - t0));
    }
    return 0;
}
