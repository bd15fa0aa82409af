/* pairs_common.h: what pairs.c and zmq_pairs.c share: the arguments and
   pair addresses, the start barrier, and the clock (each REQ thread takes
   its own times after the barrier: main may not run again until the pairs
   are done). */
#ifndef PAIRS_COMMON_H
#define PAIRS_COMMON_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SIZE 64
#define MAXPAIRS 64

static int count;
static char addr[MAXPAIRS][256];
static pthread_barrier_t start;
static double began[MAXPAIRS], ended[MAXPAIRS];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parse <inproc|ipc|tcp> <pairs> <roundtrip-count> [address-prefix] into
   count and addr[], set up the start barrier; returns the number of pairs
   (exits 2 on bad arguments). */
static int pairs_setup(int argc, char **argv, const char *name)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s <inproc|ipc|tcp> <pairs> <roundtrip-count> [address-prefix]\n", name);
        exit(2);
    }
    const char *tr = argv[1];
    int n = atoi(argv[2]);
    count = atoi(argv[3]);
    if (n < 1 || n > MAXPAIRS || count < 2 ||
        (strcmp(tr, "inproc") && strcmp(tr, "ipc") && strcmp(tr, "tcp"))) {
        fprintf(stderr, "%s: bad arguments (1 <= pairs <= %d, count >= 2)\n", name, MAXPAIRS);
        exit(2);
    }
    if (argc > 4 && (strncmp(argv[4], tr, strlen(tr)) || strncmp(argv[4] + strlen(tr), "://", 3))) {
        fprintf(stderr, "%s: the address prefix is not %s://...\n", argv[0], tr);
        exit(2);
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
            fprintf(stderr, "%s: address too long\n", name);
            exit(2);
        }
    }
    pthread_barrier_init(&start, NULL, (unsigned) n + 1);
    return n;
}

/* From the first pair's start to the last pair's end. */
static double pairs_span(int n)
{
    double t0 = began[0], t1 = ended[0];
    for (int i = 1; i < n; i++) {
        if (began[i] < t0)
            t0 = began[i];
        if (ended[i] > t1)
            t1 = ended[i];
    }
    return t1 - t0;
}

#endif
