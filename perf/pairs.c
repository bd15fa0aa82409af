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
#include "pairs_span.h"

#define SIZE 64
#define MAXPAIRS 64

static int count;
static char addr[MAXPAIRS][256];
static pthread_barrier_t start;
static int socks[2 * MAXPAIRS];
/* Each REQ thread's clock: taken by the thread itself after the barrier,
   not by main, which may not run again until the pairs are done. */
static double began[MAXPAIRS], ended[MAXPAIRS];

static void fail(const char *what)
{
    fprintf(stderr, "pairs: %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
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
    if (argc < 4) {
        fprintf(stderr, "usage: pairs <inproc|ipc|tcp> <pairs> <roundtrip-count> [address-prefix]\n");
        return 2;
    }
    const char *tr = argv[1];
    int n = atoi(argv[2]);
    count = atoi(argv[3]);
    if (n < 1 || n > MAXPAIRS || count < 2 ||
        (strcmp(tr, "inproc") && strcmp(tr, "ipc") && strcmp(tr, "tcp"))) {
        fprintf(stderr, "pairs: bad arguments (1 <= pairs <= %d, count >= 2)\n", MAXPAIRS);
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
            fprintf(stderr, "pairs: address too long\n");
            return 2;
        }
    }
    pthread_barrier_init(&start, NULL, (unsigned) n + 1);
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
    double el = pairs_span(began, ended, n);
    for (int i = 0; i < 2 * n; i++)
        nn_close(socks[i]);
    long total = (long) n * (count - 1);
    printf("transport: %s\n", tr);
    printf("pairs: %d\n", n);
    printf("round trips per pair: %d\n", count - 1);
    printf("aggregate: %.0f msg/s (round trips)\n", total / el);
    return 0;
}
