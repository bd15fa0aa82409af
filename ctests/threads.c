/* Threads: a ping-pong between two threads each owning a PAIR socket, and
   several threads sending concurrently on one shared PAIR socket (nanomsg
   sockets are thread-safe). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

#define PINGPONG 50000  /* round trips: 100k messages in total */
/* Every round trip is two thread wake-ups: on a loaded machine 50000 of
   them can take longer than the test may run (a handoff can wait for the
   scheduler for milliseconds). After PINGPONG_MIN round trips the main
   thread stops once PINGPONG_BUDGET_MS have passed: a slow machine can
   only make the test do fewer round trips, never fail it. */
#define PINGPONG_MIN 5000
#define PINGPONG_BUDGET_MS 5000
#define PP_STOP 0xFFFFFFFFu

struct pp_arg { int s; };

static void *ponger(void *p)
{
    struct pp_arg *arg = p;
    uint32_t expect = 0;
    for (;;) {
        uint32_t v;
        int rc = nn_recv(arg->s, &v, sizeof v, 0);
        CHECK(rc == (int) sizeof v);
        if (v == PP_STOP)
            break;
        CHECK(v == expect);
        expect++;
        v = v * 2 + 1;
        rc = nn_send(arg->s, &v, sizeof v, 0);
        CHECK(rc == (int) sizeof v);
    }
    return NULL;
}

static void test_pingpong(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://threads-pp");
    test_connect(b, "inproc://threads-pp");
    struct pp_arg arg = { b };
    test_thread th;
    test_thread_start(&th, ponger, &arg);
    int64_t t0 = now_ms();
    for (uint32_t i = 0; i < PINGPONG; i++) {
        if (i >= PINGPONG_MIN && now_ms() - t0 > PINGPONG_BUDGET_MS)
            break;
        int rc = nn_send(a, &i, sizeof i, 0);
        CHECK(rc == (int) sizeof i);
        uint32_t v;
        rc = nn_recv(a, &v, sizeof v, 0);
        CHECK(rc == (int) sizeof v);
        CHECK(v == i * 2 + 1);
    }
    uint32_t stop = PP_STOP;
    CHECK(nn_send(a, &stop, sizeof stop, 0) == (int) sizeof stop);
    test_thread_join(&th);
    char buf[8];
    CHECK_ERR(nn_recv(a, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    test_close(a);
    test_close(b);
}

/* One-way stream: a sender thread and the main thread receiving, checking
   order; the sender gets blocked by back-pressure along the way. */
#define STREAM 50000

static void *streamer(void *p)
{
    struct pp_arg *arg = p;
    for (uint32_t i = 0; i < STREAM; i++) {
        int rc = nn_send(arg->s, &i, sizeof i, 0);
        CHECK(rc == (int) sizeof i);
    }
    return NULL;
}

static void test_stream(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://threads-stream");
    test_connect(b, "inproc://threads-stream");
    /* A small buffer so the sender really blocks. */
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVBUF, 1024);
    test_setopt_int(b, NN_SOL_SOCKET, NN_SNDBUF, 1024);
    struct pp_arg arg = { b };
    test_thread th;
    test_thread_start(&th, streamer, &arg);
    for (uint32_t i = 0; i < STREAM; i++) {
        uint32_t v;
        int rc = nn_recv(a, &v, sizeof v, 0);
        CHECK(rc == (int) sizeof v);
        CHECK(v == i);
    }
    test_thread_join(&th);
    test_close(a);
    test_close(b);
}

/* Several threads share one sending socket. */
#define NSENDERS 4
#define PER_SENDER 10000

struct shared_arg { int s; uint32_t id; };

static void *shared_sender(void *p)
{
    struct shared_arg *arg = p;
    for (uint32_t i = 0; i < PER_SENDER; i++) {
        uint32_t m[2] = { arg->id, i };
        int rc = nn_send(arg->s, m, sizeof m, 0);
        CHECK(rc == (int) sizeof m);
    }
    return NULL;
}

static void test_shared_socket(void)
{
    int tx = test_socket(AF_SP, NN_PAIR);
    int rx = test_socket(AF_SP, NN_PAIR);
    test_bind(rx, "inproc://threads-shared");
    test_connect(tx, "inproc://threads-shared");
    test_setopt_int(rx, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);

    struct shared_arg args[NSENDERS];
    test_thread th[NSENDERS];
    for (int t = 0; t < NSENDERS; t++) {
        args[t].s = tx;
        args[t].id = (uint32_t) t;
        test_thread_start(&th[t], shared_sender, &args[t]);
    }
    uint32_t next[NSENDERS] = { 0 };
    for (int n = 0; n < NSENDERS * PER_SENDER; n++) {
        uint32_t m[2];
        int rc = nn_recv(rx, m, sizeof m, 0);
        CHECK(rc == (int) sizeof m);
        CHECK(m[0] < NSENDERS);
        /* Per-sender order is preserved. */
        CHECK(m[1] == next[m[0]]);
        next[m[0]]++;
    }
    for (int t = 0; t < NSENDERS; t++) {
        test_thread_join(&th[t]);
        CHECK(next[t] == PER_SENDER);
    }
    char buf[16];
    CHECK_ERR(nn_recv(rx, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    test_close(tx);
    test_close(rx);
}

/* Several threads receive from one shared socket; every message is
   received exactly once. */
#define NRECEIVERS 4
#define SHARED_RX_TOTAL 40000

struct rx_arg { int s; unsigned char *seen; int count; };

static void *shared_receiver(void *p)
{
    struct rx_arg *arg = p;
    for (;;) {
        uint32_t v;
        int rc = nn_recv(arg->s, &v, sizeof v, 0);
        CHECK(rc == (int) sizeof v);
        if (v == 0xFFFFFFFFu)
            break;
        CHECK(v < SHARED_RX_TOTAL);
        /* Each slot is only ever written by the one thread that got v. */
        CHECK(arg->seen[v] == 0);
        arg->seen[v] = 1;
        arg->count++;
    }
    return NULL;
}

static void test_shared_receiver(void)
{
    int tx = test_socket(AF_SP, NN_PAIR);
    int rx = test_socket(AF_SP, NN_PAIR);
    test_bind(rx, "inproc://threads-shared-rx");
    test_connect(tx, "inproc://threads-shared-rx");
    unsigned char *seen = calloc(SHARED_RX_TOTAL, 1);
    CHECK(seen != NULL);
    struct rx_arg args[NRECEIVERS];
    test_thread th[NRECEIVERS];
    for (int t = 0; t < NRECEIVERS; t++) {
        args[t].s = rx;
        args[t].seen = seen;
        args[t].count = 0;
        test_thread_start(&th[t], shared_receiver, &args[t]);
    }
    for (uint32_t i = 0; i < SHARED_RX_TOTAL; i++) {
        int rc = nn_send(tx, &i, sizeof i, 0);
        CHECK(rc == (int) sizeof i);
    }
    for (int t = 0; t < NRECEIVERS; t++) {
        uint32_t stop = 0xFFFFFFFFu;
        int rc = nn_send(tx, &stop, sizeof stop, 0);
        CHECK(rc == (int) sizeof stop);
    }
    int total = 0;
    for (int t = 0; t < NRECEIVERS; t++) {
        test_thread_join(&th[t]);
        total += args[t].count;
    }
    CHECK(total == SHARED_RX_TOTAL);
    for (int i = 0; i < SHARED_RX_TOTAL; i++)
        CHECK(seen[i] == 1);
    free(seen);
    test_close(tx);
    test_close(rx);
}

int main(void)
{
    alarm(30);
    int64_t t0 = now_ms();
    test_pingpong();
    int64_t t1 = now_ms();
    test_stream();
    int64_t t2 = now_ms();
    test_shared_socket();
    int64_t t3 = now_ms();
    test_shared_receiver();
    int64_t t4 = now_ms();
    if (getenv("THREADS_TIMING"))
        fprintf(stderr, "pingpong %lld ms, stream %lld ms, shared tx %lld ms, "
            "shared rx %lld ms\n", (long long) (t1 - t0),
            (long long) (t2 - t1), (long long) (t3 - t2),
            (long long) (t4 - t3));
    return 0;
}
