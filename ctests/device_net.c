/* nn_device over the network transports, alone and chained, mixing
   transports (what upstream's device4 .. device7 stand for; device.c does
   inproc). Every device runs in its own thread until nn_term:
   - reqrep: REQ --tcp--> [raw REP | raw REQ] --tcp--> REP; round trips,
     and two REQ clients interleaved each get their own replies;
   - chain: REQ --ipc--> [raw REP | raw REQ] --tcp--> [raw REP (connecting)
     | raw REQ] --ws--> REP; round trips through both devices;
   - pair: PAIR --tcp--> [raw PAIR | raw PAIR] <--ipc-- PAIR; messages
     both ways;
   - bus: a loopback device on a raw BUS bound on tcp (nn_device(s, -1))
     with three BUS nodes connected: each node's message reaches the two
     others exactly once and never comes back to the sender;
   - pubsub: PUB <--ipc-- [raw SUB subscribed to everything | raw PUB]
     <--tcp-- two SUBs subscribed to "news": they get "news..." messages
     and never the others;
   - survey: SURVEYOR --tcp--> [raw RESPONDENT | raw SURVEYOR] <--ipc--
     two RESPONDENTs: both get the survey and both answers come back;
   - pipeline: PUSH --ws--> [raw PULL | raw PUSH] --tcp--> PULL: 200
     messages arrive in order.
   Finally nn_term makes every nn_device return -1 with EBADF.
   Validated against upstream nanomsg 1.1.5.
   Ports: 24080-24099 (this file's block; uses 24080-24089); ipc paths
   /tmp/nn-device-net-<pid>-<n>.ipc. */
#include "testutil.h"
#include <nanomsg/reqrep.h>
#include <nanomsg/pair.h>
#include <nanomsg/bus.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/survey.h>
#include <nanomsg/pipeline.h>

#define PORT_BASE 24080
#define PORT_COUNT 20
#define MAX_DEVICES 8

static char *tcp(int n)
{
    static char bufs[16][64];
    static int next;
    char *b = bufs[next++ % 16];
    test_addr(b, 64, "tcp://127.0.0.1:%d", TEST_PORT(n));
    return b;
}

static char *ws(int n)
{
    static char bufs[16][64];
    static int next;
    char *b = bufs[next++ % 16];
    test_addr(b, 64, "ws://127.0.0.1:%d", TEST_PORT(n));
    return b;
}

static char *ipc(int n)
{
    static char bufs[16][128];
    static int next;
    char *b = bufs[next++ % 16];
    test_addr(b, 128, "ipc:///tmp/nn-device-net-%d-%d.ipc", (int) getpid(), n);
    return b;
}

/* ---- device threads ------------------------------------------------------ */

struct device {
    const char *name;
    int s1, s2;
    int rc, err;
    test_thread t;
};

static struct device devices[MAX_DEVICES];
static int ndevices;

static void *device_fn(void *arg)
{
    struct device *d = arg;
    d->rc = nn_device(d->s1, d->s2);
    d->err = nn_errno();
    return NULL;
}

static void start_device(const char *name, int s1, int s2)
{
    struct device *d;
    CHECK(ndevices < MAX_DEVICES);
    d = &devices[ndevices++];
    d->name = name;
    d->s1 = s1;
    d->s2 = s2;
    d->rc = 12345;
    test_thread_start(&d->t, device_fn, d);
}

/* Waits up to TEST_MUST_MS until socket s has n current connections. */
static void wait_conns(int s, uint64_t n, const char *what)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_get_statistic(s, NN_STAT_CURRENT_CONNECTIONS) != n) {
        if (now_ms() >= deadline) {
            fprintf(stderr, "%s: %llu connections, expected %llu\n", what,
                (unsigned long long) nn_get_statistic(s,
                NN_STAT_CURRENT_CONNECTIONS), (unsigned long long) n);
            exit(1);
        }
        sleep_ms(5);
    }
}

static void roundtrip(int req, int rep, const char *q, const char *a)
{
    test_send(req, q);
    test_recv(rep, q);
    test_send(rep, a);
    test_recv(req, a);
}

/* ---- cases --------------------------------------------------------------- */

static void test_reqrep(void)
{
    int front = test_socket_timeo(AF_SP_RAW, NN_REP, TEST_MUST_MS,
        TEST_MUST_MS);
    int back = test_socket_timeo(AF_SP_RAW, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(front, tcp(0));
    test_bind(back, tcp(1));
    start_device("reqrep", front, back);

    int req = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);

    int req2 = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    int rep = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    test_connect(req, tcp(0));
    test_connect(req2, tcp(0));
    test_connect(rep, tcp(1));
    for (int i = 0; i < 10; i++) {
        char q[32], a[32];
        snprintf(q, sizeof q, "question-%d", i);
        snprintf(a, sizeof a, "answer-%d", i);
        roundtrip(req, rep, q, a);
    }
    /* Two clients interleaved: each reply is routed back to its asker. */
    test_send(req, "from-1");
    test_recv(rep, "from-1");
    test_send(req2, "from-2");
    /* Answer the first while the second waits in the device. */
    test_send(rep, "to-1");
    test_recv(rep, "from-2");
    test_send(rep, "to-2");
    test_recv(req2, "to-2");
    test_recv(req, "to-1");
}

static void test_chain(void)
{
    int f1 = test_socket_timeo(AF_SP_RAW, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    int b1 = test_socket_timeo(AF_SP_RAW, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    int f2 = test_socket_timeo(AF_SP_RAW, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    int b2 = test_socket_timeo(AF_SP_RAW, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(f1, ipc(0));
    test_bind(b1, tcp(2));
    test_connect(f2, tcp(2));
    test_bind(b2, ws(3));
    start_device("chain-1", f1, b1);
    start_device("chain-2", f2, b2);

    int req = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);

    int rep = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    test_connect(req, ipc(0));
    test_connect(rep, ws(3));
    for (int i = 0; i < 10; i++) {
        char q[32], a[32];
        snprintf(q, sizeof q, "chained-%d", i);
        snprintf(a, sizeof a, "back-%d", i);
        roundtrip(req, rep, q, a);
    }
}

static void test_pair(void)
{
    int d1 = test_socket_timeo(AF_SP_RAW, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int d2 = test_socket_timeo(AF_SP_RAW, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(d1, tcp(4));
    test_bind(d2, ipc(1));
    start_device("pair", d1, d2);

    int x = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);

    int y = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_connect(x, tcp(4));
    test_connect(y, ipc(1));
    for (int i = 0; i < 10; i++) {
        char m[32];
        snprintf(m, sizeof m, "x-to-y-%d", i);
        test_send(x, m);
        test_recv(y, m);
        snprintf(m, sizeof m, "y-to-x-%d", i);
        test_send(y, m);
        test_recv(x, m);
    }
}

static void test_bus(void)
{
    int hub = test_socket_timeo(AF_SP_RAW, NN_BUS, TEST_MUST_MS, TEST_MUST_MS);
    int nodes[3];
    char buf[32];
    test_bind(hub, tcp(5));
    start_device("bus", hub, -1);
    for (int i = 0; i < 3; i++) {
        nodes[i] = test_socket_timeo(AF_SP, NN_BUS, TEST_MUST_MS, TEST_MUST_MS);
        test_setopt_int(nodes[i], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        test_connect(nodes[i], tcp(5));
        wait_conns(nodes[i], 1, "bus node");
    }
    wait_conns(hub, 3, "bus hub");
    for (int i = 0; i < 3; i++) {
        char m[32];
        snprintf(m, sizeof m, "from-node-%d", i);
        test_send(nodes[i], m);
        for (int j = 0; j < 3; j++)
            if (j != i)
                test_recv(nodes[j], m);
    }
    /* Nothing came back to a sender, nothing was duplicated. */
    sleep_ms(100);
    for (int i = 0; i < 3; i++)
        CHECK_ERR(nn_recv(nodes[i], buf, sizeof buf, NN_DONTWAIT), EAGAIN);
}

static void test_pubsub(void)
{
    int pub = test_socket_timeo(AF_SP, NN_PUB, TEST_MUST_MS, TEST_MUST_MS);
    int xsub = test_socket_timeo(AF_SP_RAW, NN_SUB, TEST_MUST_MS, TEST_MUST_MS);
    int xpub = test_socket_timeo(AF_SP_RAW, NN_PUB, TEST_MUST_MS, TEST_MUST_MS);
    int subs[2];
    char buf[32];
    test_bind(pub, ipc(2));
    CHECK(nn_setsockopt(xsub, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    test_connect(xsub, ipc(2));
    test_bind(xpub, tcp(6));
    start_device("pubsub", xsub, xpub);
    for (int i = 0; i < 2; i++) {
        subs[i] = test_socket_timeo(AF_SP, NN_SUB, TEST_MUST_MS, TEST_MUST_MS);
        CHECK(nn_setsockopt(subs[i], NN_SUB, NN_SUB_SUBSCRIBE, "news", 4)
            == 0);
        test_setopt_int(subs[i], NN_SOL_SOCKET, NN_RCVTIMEO, 50);
        test_connect(subs[i], tcp(6));
    }
    /* Publish until both subscribers hear something (the links come up
       in the background and PUB drops messages it cannot deliver). */
    int64_t deadline = now_ms() + TEST_MUST_MS;
    int heard[2] = { 0, 0 };
    while (!heard[0] || !heard[1]) {
        CHECK(now_ms() < deadline);
        test_send(pub, "weather");
        test_send(pub, "news-probe");
        for (int i = 0; i < 2; i++) {
            int rc;
            while ((rc = nn_recv(subs[i], buf, sizeof buf, 0)) >= 0) {
                CHECK(rc == 10 && memcmp(buf, "news-probe", 10) == 0);
                heard[i] = 1;
            }
            CHECK(nn_errno() == ETIMEDOUT);
        }
    }
    /* Now everything published reaches both, filtered. */
    for (int i = 0; i < 10; i++) {
        char m[32];
        snprintf(m, sizeof m, "news-%d", i);
        test_send(pub, "sports");
        test_send(pub, m);
    }
    for (int i = 0; i < 2; i++) {
        int rc;
        test_setopt_int(subs[i], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        /* Skip probes still in flight. */
        do {
            rc = nn_recv(subs[i], buf, sizeof buf - 1, 0);
            CHECK(rc > 0);
            buf[rc] = 0;
        } while (strcmp(buf, "news-probe") == 0);
        for (int j = 0; j < 10; j++) {
            char m[32];
            snprintf(m, sizeof m, "news-%d", j);
            if (j > 0) {
                rc = nn_recv(subs[i], buf, sizeof buf - 1, 0);
                CHECK(rc > 0);
                buf[rc] = 0;
            }
            if (strcmp(buf, m) != 0) {
                fprintf(stderr, "pubsub: subscriber %d got \"%s\", "
                    "expected \"%s\"\n", i, buf, m);
                exit(1);
            }
        }
        sleep_ms(50);
        CHECK_ERR(nn_recv(subs[i], buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    }
}

static void test_survey(void)
{
    int xresp = test_socket_timeo(AF_SP_RAW, NN_RESPONDENT, TEST_MUST_MS,
        TEST_MUST_MS);
    int xsurv = test_socket_timeo(AF_SP_RAW, NN_SURVEYOR, TEST_MUST_MS,
        TEST_MUST_MS);
    int surveyor = test_socket_timeo(AF_SP, NN_SURVEYOR, TEST_MUST_MS,
        TEST_MUST_MS);
    int resp[2];
    char buf[32];
    test_bind(xresp, tcp(7));
    test_bind(xsurv, ipc(3));
    start_device("survey", xresp, xsurv);
    /* The answers must come before the deadline: far longer than a stall
       of the machine (the test never waits for it). */
    test_setopt_int(surveyor, NN_SURVEYOR, NN_SURVEYOR_DEADLINE,
        TEST_MUST_MS);
    test_connect(surveyor, tcp(7));
    for (int i = 0; i < 2; i++) {
        resp[i] = test_socket_timeo(AF_SP, NN_RESPONDENT, TEST_MUST_MS,
            TEST_MUST_MS);
        test_connect(resp[i], ipc(3));
        wait_conns(resp[i], 1, "respondent");
    }
    wait_conns(surveyor, 1, "surveyor");
    wait_conns(xresp, 1, "device's raw respondent");
    wait_conns(xsurv, 2, "device's raw surveyor");
    test_send(surveyor, "what-time");
    test_recv(resp[0], "what-time");
    test_recv(resp[1], "what-time");
    test_send(resp[0], "noon-0");
    test_send(resp[1], "noon-1");
    int got[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        int rc = nn_recv(surveyor, buf, sizeof buf, 0);
        CHECK(rc == 6 && memcmp(buf, "noon-", 5) == 0);
        CHECK(buf[5] == '0' || buf[5] == '1');
        got[buf[5] - '0']++;
    }
    CHECK(got[0] == 1 && got[1] == 1);
}

static void test_pipeline(void)
{
    int xpull = test_socket_timeo(AF_SP_RAW, NN_PULL, TEST_MUST_MS,
        TEST_MUST_MS);
    int xpush = test_socket_timeo(AF_SP_RAW, NN_PUSH, TEST_MUST_MS,
        TEST_MUST_MS);
    char buf[32];
    test_bind(xpull, ws(8));
    test_bind(xpush, tcp(9));
    start_device("pipeline", xpull, xpush);
    int push = test_socket_timeo(AF_SP, NN_PUSH, TEST_MUST_MS, TEST_MUST_MS);
    int pull = test_socket_timeo(AF_SP, NN_PULL, TEST_MUST_MS, TEST_MUST_MS);
    test_connect(push, ws(8));
    test_connect(pull, tcp(9));
    for (int i = 0; i < 200; i++) {
        snprintf(buf, sizeof buf, "item-%d", i);
        test_send(push, buf);
    }
    for (int i = 0; i < 200; i++) {
        char m[32];
        snprintf(m, sizeof m, "item-%d", i);
        test_recv(pull, m);
    }
}

int main(void)
{
    alarm(60);
    int64_t t0 = now_ms();
    test_reqrep();
    test_chain();
    test_pair();
    test_bus();
    test_pubsub();
    test_survey();
    test_pipeline();
    /* Every device is still running. */
    for (int i = 0; i < ndevices; i++)
        CHECK(devices[i].rc == 12345);
    nn_term();
    for (int i = 0; i < ndevices; i++) {
        test_thread_join(&devices[i].t);
        if (devices[i].rc != -1 || devices[i].err != EBADF) {
            fprintf(stderr, "device %s: nn_device returned %d errno %d "
                "after nn_term, expected -1 EBADF\n", devices[i].name,
                devices[i].rc, devices[i].err);
            exit(1);
        }
    }
    if (getenv("TEST_TIMING"))
        fprintf(stderr, "%lld ms\n", (long long) (now_ms() - t0));
    return 0;
}
