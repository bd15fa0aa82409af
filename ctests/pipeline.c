/* The PUSH/PULL (pipeline) protocol: round-robin load balancing over
   several PULLs, fair queueing on a PULL fed by several PUSHes, NN_SNDPRIO
   and NN_RCVPRIO, no message lost when one PULL stops reading, raw
   PUSH/PULL, and the errors for the undefined directions.  Validated
   against upstream nanomsg 1.1.5. */
#include "testutil.h"
#include <nanomsg/pipeline.h>

#define MSGSZ 100

/* Receive one message that must be there now (or within 1 s). */
static int recv_seq(int s)
{
    char buf[MSGSZ + 1];
    int rc = nn_recv(s, buf, MSGSZ, 0);
    CHECK(rc > 0 && rc <= MSGSZ);
    buf[rc] = 0;
    return atoi(buf);
}

static void send_seq(int s, int n, int len)
{
    char m[MSGSZ];
    memset(m, '.', sizeof m);
    snprintf(m, sizeof m, "%d", n);
    m[strlen(m)] = '.';
    CHECK(len <= MSGSZ);
    int rc = nn_send(s, m, len, 0);
    CHECK(rc == len);
}

/* Make sure push has a pipe to every one of pulls (send until each has
   received something), then empty them all. */
static void sync_pulls(int push, int *pulls, int n)
{
    char buf[MSGSZ];
    int got[8] = { 0 };
    int all = 0;
    CHECK(n <= 8);
    for (int i = 0; i < 500 && !all; i++) {
        CHECK(nn_send(push, "sync", 4, 0) == 4);
        sleep_ms(1);
        all = 1;
        for (int j = 0; j < n; j++) {
            while (nn_recv(pulls[j], buf, sizeof buf, NN_DONTWAIT) >= 0)
                got[j] = 1;
            all = all && got[j];
        }
    }
    CHECK(all);
    sleep_ms(10);
    for (int j = 0; j < n; j++)
        test_drain(pulls[j], 0);
}

static void test_errors(void)
{
    char buf[16];
    int fd;
    size_t sz;
    int push = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    CHECK(test_getopt_int(push, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PUSH);
    CHECK(test_getopt_int(pull, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PULL);

    CHECK_ERR(nn_send(pull, "x", 1, 0), ENOTSUP);
    CHECK_ERR(nn_send(pull, "x", 1, NN_DONTWAIT), ENOTSUP);
    CHECK_ERR(nn_recv(push, buf, sizeof buf, 0), ENOTSUP);
    CHECK_ERR(nn_recv(push, buf, sizeof buf, NN_DONTWAIT), ENOTSUP);
    sz = sizeof fd;
    CHECK_ERR(nn_getsockopt(pull, NN_SOL_SOCKET, NN_SNDFD, &fd, &sz), ENOPROTOOPT);
    sz = sizeof fd;
    CHECK_ERR(nn_getsockopt(push, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz), ENOPROTOOPT);
    /* No protocol-level options. */
    sz = sizeof fd;
    CHECK_ERR(nn_getsockopt(push, NN_PUSH, 1, &fd, &sz), ENOPROTOOPT);
    fd = 1;
    CHECK_ERR(nn_setsockopt(pull, NN_PULL, 1, &fd, sizeof fd), ENOPROTOOPT);

    /* A PUSH with no peer cannot send: it blocks (here: times out). */
    CHECK_ERR(nn_send(push, "x", 1, NN_DONTWAIT), EAGAIN);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 50);
    int64_t t0 = now_ms();
    CHECK_ERR(nn_send(push, "x", 1, 0), ETIMEDOUT);
    CHECK(now_ms() - t0 >= 40);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    CHECK_ERR(nn_recv(pull, buf, sizeof buf, 0), ETIMEDOUT);

    /* Priorities are 1..16; the defaults are 8. */
    CHECK(test_getopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO) == 8);
    CHECK(test_getopt_int(pull, NN_SOL_SOCKET, NN_RCVPRIO) == 8);
    int v = 0;
    CHECK_ERR(nn_setsockopt(push, NN_SOL_SOCKET, NN_SNDPRIO, &v, sizeof v), EINVAL);
    CHECK_ERR(nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVPRIO, &v, sizeof v), EINVAL);
    v = 17;
    CHECK_ERR(nn_setsockopt(push, NN_SOL_SOCKET, NN_SNDPRIO, &v, sizeof v), EINVAL);
    CHECK_ERR(nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVPRIO, &v, sizeof v), EINVAL);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 16);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 1);
    CHECK(test_getopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO) == 1);

    /* Once connected, a message goes through (the PUSH-PULL pair works in
       both binding arrangements). */
    test_bind(pull, "inproc://pipeline-err");
    test_connect(push, "inproc://pipeline-err");
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_send(push, "hello");
    test_recv(pull, "hello");
    CHECK(nn_send(push, "", 0, 0) == 0);
    CHECK(nn_recv(pull, buf, sizeof buf, 0) == 0);
    test_close(push);
    test_close(pull);
}

static void test_round_robin(void)
{
    int push = test_socket(AF_SP, NN_PUSH);
    int pulls[3];
    test_bind(push, "inproc://pipeline-rr");
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    for (int i = 0; i < 3; i++) {
        pulls[i] = test_socket(AF_SP, NN_PULL);
        test_setopt_int(pulls[i], NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
        test_connect(pulls[i], "inproc://pipeline-rr");
    }
    sync_pulls(push, pulls, 3);

    for (int i = 0; i < 30; i++)
        send_seq(push, i, 10);
    /* Each PULL gets exactly a third, and strict rotation means its
       messages are exactly three apart. */
    int seen[30] = { 0 };
    for (int j = 0; j < 3; j++) {
        int prev = recv_seq(pulls[j]);
        seen[prev]++;
        for (int k = 1; k < 10; k++) {
            int n = recv_seq(pulls[j]);
            CHECK(n == prev + 3);
            seen[n]++;
            prev = n;
        }
        test_recv_none(pulls[j], 0);
    }
    for (int i = 0; i < 30; i++)
        CHECK(seen[i] == 1);

    /* A PULL that goes away is simply dropped from the rotation. */
    test_close(pulls[1]);
    for (int i = 0; i < 20; i++)
        send_seq(push, i, 10);
    int c0 = 0, c2 = 0;
    char buf[MSGSZ];
    while (nn_recv(pulls[0], buf, sizeof buf, NN_DONTWAIT) >= 0)
        c0++;
    while (nn_recv(pulls[2], buf, sizeof buf, NN_DONTWAIT) >= 0)
        c2++;
    CHECK(c0 == 10 && c2 == 10);

    test_close(pulls[0]);
    test_close(pulls[2]);
    test_close(push);
}

static void test_fair_queue(void)
{
    int pull = test_socket(AF_SP, NN_PULL);
    int pushes[3];
    test_bind(pull, "inproc://pipeline-fq");
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    for (int i = 0; i < 3; i++) {
        pushes[i] = test_socket(AF_SP, NN_PUSH);
        test_setopt_int(pushes[i], NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
        test_connect(pushes[i], "inproc://pipeline-fq");
    }
    /* All three have messages queued before the PULL reads. */
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 5; k++)
            send_seq(pushes[i], i * 100 + k, 10);
    sleep_ms(50);
    int next[3] = { 0, 0, 0 };
    for (int round = 0; round < 5; round++) {
        /* Each round of three takes one message from every PUSH. */
        int inround[3] = { 0, 0, 0 };
        for (int k = 0; k < 3; k++) {
            int n = recv_seq(pull);
            int src = n / 100;
            CHECK(src >= 0 && src < 3);
            CHECK(n % 100 == next[src]);
            next[src]++;
            inround[src]++;
        }
        CHECK(inround[0] == 1 && inround[1] == 1 && inround[2] == 1);
    }
    test_recv_none(pull, 0);

    /* A blocked receive wakes up for whichever PUSH sends. */
    send_seq(pushes[2], 7, 10);
    CHECK(recv_seq(pull) == 7);
    for (int i = 0; i < 3; i++)
        test_close(pushes[i]);
    test_close(pull);
}

static void test_sndprio(void)
{
    char buf[MSGSZ];
    int push = test_socket(AF_SP, NN_PUSH);
    int best = test_socket(AF_SP, NN_PULL);
    int other = test_socket(AF_SP, NN_PULL);
    test_bind(best, "inproc://pipeline-sndprio-1");
    test_bind(other, "inproc://pipeline-sndprio-2");
    test_setopt_int(best, NN_SOL_SOCKET, NN_RCVBUF, 10 * MSGSZ);
    test_setopt_int(best, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(other, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    /* The priority is taken when the endpoint is created. */
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 2);
    test_connect(push, "inproc://pipeline-sndprio-2");
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 1);
    test_connect(push, "inproc://pipeline-sndprio-1");
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 16);
    sleep_ms(20);

    /* While the better PULL can take messages, it gets all of them. */
    for (int i = 0; i < 5; i++)
        send_seq(push, i, 10);
    for (int i = 0; i < 5; i++)
        CHECK(recv_seq(best) == i);
    test_recv_none(best, 0);
    test_recv_none(other, 0);

    /* When its queue is full, the next priority takes the overflow, and
       nothing is lost. */
    for (int i = 0; i < 40; i++)
        send_seq(push, i, MSGSZ);
    int nb = 0, no = 0, expect_b = 0, expect_o = -1;
    while (nn_recv(best, buf, sizeof buf, NN_DONTWAIT) == MSGSZ) {
        CHECK(atoi(buf) == expect_b);
        expect_b++;
        nb++;
    }
    while (nn_recv(other, buf, sizeof buf, NN_DONTWAIT) == MSGSZ) {
        CHECK(atoi(buf) > expect_o);
        expect_o = atoi(buf);
        no++;
    }
    CHECK(nb >= 1 && nb < 40);
    CHECK(no == 40 - nb);
    CHECK(expect_o == 39);

    /* Room again on the better one: it is preferred again. */
    send_seq(push, 77, 10);
    CHECK(recv_seq(best) == 77);
    test_recv_none(other, 0);

    /* The better one goes away: everything to the next. */
    test_close(best);
    for (int i = 0; i < 5; i++)
        send_seq(push, i, 10);
    for (int i = 0; i < 5; i++)
        CHECK(recv_seq(other) == i);
    test_close(other);
    test_close(push);
}

static void test_rcvprio(void)
{
    int pa = test_socket(AF_SP, NN_PUSH);
    int pb = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    test_bind(pa, "inproc://pipeline-rcvprio-a");
    test_bind(pb, "inproc://pipeline-rcvprio-b");
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVPRIO, 2);
    test_connect(pull, "inproc://pipeline-rcvprio-a");
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVPRIO, 1);
    test_connect(pull, "inproc://pipeline-rcvprio-b");

    /* Both have messages queued: all of the better-priority PUSH's
       messages come first, in order, then the other's. */
    for (int i = 0; i < 4; i++)
        send_seq(pa, 100 + i, 10);
    for (int i = 0; i < 4; i++)
        send_seq(pb, 200 + i, 10);
    sleep_ms(50);
    for (int i = 0; i < 4; i++)
        CHECK(recv_seq(pull) == 200 + i);
    for (int i = 0; i < 4; i++)
        CHECK(recv_seq(pull) == 100 + i);
    test_recv_none(pull, 0);

    /* Interleaved sends: still the better priority first. */
    for (int i = 0; i < 3; i++) {
        send_seq(pa, 100 + i, 10);
        send_seq(pb, 200 + i, 10);
    }
    sleep_ms(50);
    for (int i = 0; i < 3; i++)
        CHECK(recv_seq(pull) == 200 + i);
    for (int i = 0; i < 3; i++)
        CHECK(recv_seq(pull) == 100 + i);
    test_recv_none(pull, 0);

    /* Only the worse one has messages: they are delivered. */
    send_seq(pa, 5, 10);
    CHECK(recv_seq(pull) == 5);
    test_close(pull);
    test_close(pa);
    test_close(pb);
}

struct reader {
    int pull;
    int count;
    int done;
    int ok;
    unsigned char *seen;
};

static void *reader_fn(void *arg)
{
    struct reader *r = arg;
    int last = -1;
    r->ok = 1;
    for (;;) {
        char buf[MSGSZ + 1];
        int rc = nn_recv(r->pull, buf, MSGSZ, 0);
        if (rc < 0) {
            if (nn_errno() != ETIMEDOUT)
                r->ok = 0;
            if (__atomic_load_n(&r->done, __ATOMIC_SEQ_CST))
                break;
            continue;
        }
        buf[rc] = 0;
        int n = atoi(buf);
        if (rc != MSGSZ || n <= last)
            r->ok = 0;
        last = n;
        r->seen[n]++;
        r->count++;
    }
    return NULL;
}

static void test_stuck_pull(void)
{
    enum { N = 2000 };
    static unsigned char seen[N];
    int push = test_socket(AF_SP, NN_PUSH);
    int stuck = test_socket(AF_SP, NN_PULL);
    int reading = test_socket(AF_SP, NN_PULL);
    int pulls[2] = { stuck, reading };
    test_bind(push, "inproc://pipeline-stuck");
    test_setopt_int(stuck, NN_SOL_SOCKET, NN_RCVBUF, 10 * MSGSZ);
    test_setopt_int(reading, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    /* The sends wait for the reader thread whenever both PULLs are full:
       a stalled reader must not make them time out. */
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_connect(stuck, "inproc://pipeline-stuck");
    test_connect(reading, "inproc://pipeline-stuck");
    sync_pulls(push, pulls, 2);

    memset(seen, 0, sizeof seen);
    struct reader r = { reading, 0, 0, 1, seen };
    test_thread t;
    test_thread_start(&t, reader_fn, &r);
    for (int i = 0; i < N; i++)
        send_seq(push, i, MSGSZ);
    __atomic_store_n(&r.done, 1, __ATOMIC_SEQ_CST);
    test_thread_join(&t);
    CHECK(r.ok);

    /* What the reader did not get sits, in order, in the stuck PULL. */
    char buf[MSGSZ + 1];
    int ns = 0, last = -1, rc;
    while ((rc = nn_recv(stuck, buf, MSGSZ, NN_DONTWAIT)) >= 0) {
        CHECK(rc == MSGSZ);
        buf[rc] = 0;
        int n = atoi(buf);
        CHECK(n > last && n < N);
        last = n;
        seen[n]++;
        ns++;
    }
    CHECK(nn_errno() == EAGAIN);
    CHECK(ns >= 1);
    CHECK(ns < N / 4);
    CHECK(r.count + ns == N);
    for (int i = 0; i < N; i++)
        CHECK(seen[i] == 1);

    /* With its only usable peer full, a PUSH blocks: the send times out,
       DONTWAIT says EAGAIN; reading from the PULL makes room again. */
    test_close(reading);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 50);
    int sent = 0;
    for (;;) {
        char m[MSGSZ];
        memset(m, 'x', sizeof m);
        rc = nn_send(push, m, MSGSZ, 0);
        if (rc < 0) {
            CHECK(nn_errno() == ETIMEDOUT);
            break;
        }
        CHECK(rc == MSGSZ);
        sent++;
        CHECK(sent < 1000);
    }
    CHECK(sent >= 1);
    CHECK_ERR(nn_send(push, "y", 1, NN_DONTWAIT), EAGAIN);
    CHECK(nn_recv(stuck, buf, MSGSZ, 0) == MSGSZ);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    test_send(push, "room");
    for (int i = 1; i < sent; i++)
        CHECK(nn_recv(stuck, buf, MSGSZ, NN_DONTWAIT) == MSGSZ);
    test_recv(stuck, "room");
    test_recv_none(stuck, 0);

    test_close(stuck);
    test_close(push);
}

static void test_raw(void)
{
    char buf[16];
    int rpush = test_socket(AF_SP_RAW, NN_PUSH);
    int rpull = test_socket(AF_SP_RAW, NN_PULL);
    int push = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    CHECK(test_getopt_int(rpush, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    CHECK(test_getopt_int(rpull, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PULL);
    test_setopt_int(rpull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rpush, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);

    CHECK_ERR(nn_recv(rpush, buf, sizeof buf, 0), ENOTSUP);
    CHECK_ERR(nn_send(rpull, "x", 1, 0), ENOTSUP);

    test_bind(rpull, "inproc://pipeline-raw1");
    test_connect(push, "inproc://pipeline-raw1");
    test_send(push, "to-raw");
    test_recv(rpull, "to-raw");

    test_bind(pull, "inproc://pipeline-raw2");
    test_connect(rpush, "inproc://pipeline-raw2");
    test_send(rpush, "from-raw");
    test_recv(pull, "from-raw");

    test_close(rpush);
    test_close(rpull);
    test_close(push);
    test_close(pull);
}

int main(void)
{
    alarm(20);
    test_errors();
    test_round_robin();
    test_fair_queue();
    test_sndprio();
    test_rcvprio();
    test_stuck_pull();
    test_raw();
    return 0;
}
