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
#include "pairs_common.h"

static void *socks[2 * MAXPAIRS];

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
    int n = pairs_setup(argc, argv, "zmq_pairs");
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
    double el = pairs_span(n);
    for (int i = 0; i < 2 * n; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    long total = (long) n * (count - 1);
    printf("transport: %s\n", argv[1]);
    printf("zmq_pairs: %d\n", n);
    printf("round trips per pair: %d\n", count - 1);
    printf("aggregate: %.0f msg/s (round trips)\n", total / el);
    return 0;
}
