/* pairs <inproc|ipc|tcp> <pairs> <roundtrip-count> [address-prefix]:
   concurrency. <pairs> independent REQ/REP pairs in this process, each
   pair two threads (the REP binds, the REQ connects), all started
   together; each REQ does <roundtrip-count> 64-byte round trips. Prints
   the aggregate round trips per second of all pairs (the goal: it does not
   fall as pairs are added). Pair i uses <address-prefix>i, by default
   inproc://pairs-i, ipc:///tmp/pairs-<pid>-i.ipc or tcp://127.0.0.1:(31400+i). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pairs_common.h"

static int socks[2 * MAXPAIRS];

static void fail(const char *what)
{
    fprintf(stderr, "pairs: %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

static void *rep(void *arg)
{
    int s = (int) (long) arg;
    char buf[SIZE];
    for (int i = 0; i < count; i++) {
        if (nn_recv(s, buf, SIZE, 0) != SIZE)
            fail("rep nn_recv");
        if (nn_send(s, buf, SIZE, 0) != SIZE)
            fail("rep nn_send");
    }
    return NULL;
}

static void *req(void *arg)
{
    int i = (int) (long) arg, s = socks[2 * i + 1];
    char buf[SIZE];
    memset(buf, 'r', SIZE);
    /* One round trip before the start, so every connection is up. */
    if (nn_send(s, buf, SIZE, 0) != SIZE || nn_recv(s, buf, SIZE, 0) != SIZE)
        fail("req warm-up");
    pthread_barrier_wait(&start);
    began[i] = now();
    for (int k = 1; k < count; k++) {
        if (nn_send(s, buf, SIZE, 0) != SIZE)
            fail("req nn_send");
        if (nn_recv(s, buf, SIZE, 0) != SIZE)
            fail("req nn_recv");
    }
    ended[i] = now();
    return NULL;
}

int main(int argc, char **argv)
{
    int n = pairs_setup(argc, argv, "pairs");
    pthread_t t[2 * MAXPAIRS];
    for (int i = 0; i < n; i++) {
        int a = nn_socket(AF_SP, NN_REP), b = nn_socket(AF_SP, NN_REQ);
        if (a < 0 || b < 0)
            fail("nn_socket");
        if (nn_bind(a, addr[i]) < 0)
            fail("nn_bind");
        if (nn_connect(b, addr[i]) < 0)
            fail("nn_connect");
        socks[2 * i] = a;
        socks[2 * i + 1] = b;
        if (pthread_create(&t[2 * i], NULL, rep, (void *) (long) a) ||
            pthread_create(&t[2 * i + 1], NULL, req, (void *) (long) i)) {
            fprintf(stderr, "pairs: pthread_create failed\n");
            return 1;
        }
    }
    pthread_barrier_wait(&start);
    for (int i = 0; i < 2 * n; i++)
        pthread_join(t[i], NULL);
    double el = pairs_span(n);
    for (int i = 0; i < 2 * n; i++)
        nn_close(socks[i]);
    long total = (long) n * (count - 1);
    printf("transport: %s\n", argv[1]);
    printf("pairs: %d\n", n);
    printf("round trips per pair: %d\n", count - 1);
    printf("aggregate: %.0f msg/s (round trips)\n", total / el);
    return 0;
}
