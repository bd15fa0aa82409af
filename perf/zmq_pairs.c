/* zmq_pairs: perf/pairs.c over libzmq's public API, for comparison
   (scripts/bench): the same arguments, method and output; REQ/REP sockets
   of one context (inproc needs it). What follows is pairs.c's description.

   pairs <inproc|ipc|tcp> <pairs> <roundtrip-count> [address-prefix]:
   concurrency. <pairs> independent REQ/REP pairs in this process, each
   pair two threads (the REP binds, the REQ connects), all started
   together; each REQ does <roundtrip-count> 64-byte round trips. Prints
   the aggregate round trips per second of all pairs (the goal: it does not
   fall as pairs are added). Pair i uses <address-prefix>i, by default
   inproc://pairs-i, ipc:///tmp/pairs-<pid>-i.ipc or tcp://127.0.0.1:(31400+i). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "zmq_common.h"
#include "pairs_span.h"

#define SIZE 64
#define MAXPAIRS 64

static int count;
static char addr[MAXPAIRS][256];
static pthread_barrier_t start;
static void *socks[2 * MAXPAIRS];
/* Each REQ thread's clock, as in pairs.c. */
static double began[MAXPAIRS], ended[MAXPAIRS];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *rep(void *arg)
{
    void *s = arg;
    char buf[SIZE];
    for (int i = 0; i < count; i++) {
        if (zmq_recv(s, buf, SIZE, 0) != SIZE)
            fail("rep zmq_recv");
        if (zmq_send(s, buf, SIZE, 0) != SIZE)
            fail("rep zmq_send");
    }
    return NULL;
}

static void *req(void *arg)
{
    int i = (int) (long) arg;
    void *s = socks[2 * i + 1];
    char buf[SIZE];
    memset(buf, 'r', SIZE);
    /* One round trip before the start, so every connection is up. */
    if (zmq_send(s, buf, SIZE, 0) != SIZE || zmq_recv(s, buf, SIZE, 0) != SIZE)
        fail("req warm-up");
    pthread_barrier_wait(&start);
    began[i] = now();
    for (int k = 1; k < count; k++) {
        if (zmq_send(s, buf, SIZE, 0) != SIZE)
            fail("req zmq_send");
        if (zmq_recv(s, buf, SIZE, 0) != SIZE)
            fail("req zmq_recv");
    }
    ended[i] = now();
    return NULL;
}

int main(int argc, char **argv)
{
    prog = "zmq_pairs";
    if (argc < 4) {
        fprintf(stderr, "usage: zmq_pairs <inproc|ipc|tcp> <pairs> <roundtrip-count> [address-prefix]\n");
        return 2;
    }
    const char *tr = argv[1];
    int n = atoi(argv[2]);
    count = atoi(argv[3]);
    if (n < 1 || n > MAXPAIRS || count < 2 ||
        (strcmp(tr, "inproc") && strcmp(tr, "ipc") && strcmp(tr, "tcp"))) {
        fprintf(stderr, "zmq_pairs: bad arguments (1 <= pairs <= %d, count >= 2)\n", MAXPAIRS);
        return 2;
    }
    if (argc > 4 && (strncmp(argv[4], tr, strlen(tr)) || strncmp(argv[4] + strlen(tr), "://", 3))) {
        fprintf(stderr, "%s: the address prefix is not %s://...\n", argv[0], tr);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        int r;
        if (argc > 4)
            r = snprintf(addr[i], sizeof addr[i], "%s%d", argv[4], i);
        else if (!strcmp(tr, "inproc"))
            r = snprintf(addr[i], sizeof addr[i], "inproc://pairs-%d", i);
        else if (!strcmp(tr, "ipc"))
            r = snprintf(addr[i], sizeof addr[i], "ipc:///tmp/pairs-%d-%d.ipc", (int) getpid(), i);
        else
            r = snprintf(addr[i], sizeof addr[i], "tcp://127.0.0.1:%d", 31400 + i);
        if (r < 0 || r >= (int) sizeof addr[i]) {
            fprintf(stderr, "zmq_pairs: address too long\n");
            return 2;
        }
    }
    pthread_barrier_init(&start, NULL, (unsigned) n + 1);
    pthread_t t[2 * MAXPAIRS];
    void *ctx = zmq_ctx_new();
    int zero = 0;
    for (int i = 0; i < n; i++) {
        void *a = zmq_socket(ctx, ZMQ_REP), *b = zmq_socket(ctx, ZMQ_REQ);
        if (a == NULL || b == NULL)
            fail("zmq_socket");
        zmq_setsockopt(a, ZMQ_LINGER, &zero, sizeof zero);
        zmq_setsockopt(b, ZMQ_LINGER, &zero, sizeof zero);
        if (zmq_bind(a, addr[i]) < 0)
            fail("zmq_bind");
        if (zmq_connect(b, addr[i]) < 0)
            fail("zmq_connect");
        socks[2 * i] = a;
        socks[2 * i + 1] = b;
        if (pthread_create(&t[2 * i], NULL, rep, a) ||
            pthread_create(&t[2 * i + 1], NULL, req, (void *) (long) i)) {
            fprintf(stderr, "zmq_pairs: pthread_create failed\n");
            return 1;
        }
    }
    pthread_barrier_wait(&start);
    for (int i = 0; i < 2 * n; i++)
        pthread_join(t[i], NULL);
    double el = pairs_span(began, ended, n);
    for (int i = 0; i < 2 * n; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    long total = (long) n * (count - 1);
    printf("transport: %s\n", tr);
    printf("zmq_pairs: %d\n", n);
    printf("round trips per pair: %d\n", count - 1);
    printf("aggregate: %.0f msg/s (round trips)\n", total / el);
    return 0;
}
