/* zmq_fanout: perf/fanout.c over libzmq's public API, for comparison
   (scripts/bench): the same arguments, method and output; PUB/SUB with
   ZMQ_SUBSCRIBE "", zmq_poll, one context (one I/O thread, the default).
   What follows is fanout.c's description.

   fanout <bind-address> <subscribers> <message-count> [threads]: one PUB
   (bound at <bind-address>, tcp) to <subscribers> SUBs in this process,
   each subscribed to everything and connected over its own connection,
   read by [threads] (default 4) threads with nn_poll. 64-byte messages.
   Measured: messages DELIVERED per second, summed over the subscribers.

   Slow joiners: the PUB sends "hello" messages (every millisecond) until
   every SUB has received one, then the clock starts. PUB drops a message
   for a subscriber whose queue is full, so the sender is paced by the
   subscribers (they share this process): it never gets more than WINDOW
   messages ahead of the slowest one; the run measures the delivery rate
   of the library, not how much it drops (a stall of 100 ms, a dropped
   message, reopens the window). After <message-count> data
   messages it sends "end" messages (every millisecond) until every SUB
   has received one; the clock stops when the last SUB got its end.
   Prints the delivered count (of subscribers x count; lost messages, if
   any, are printed, not hidden) and the rate. Exit 0 means every SUB got
   its end (the run terminated), even if some data was dropped. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "zmq_common.h"

#define SIZE 64
#define WINDOW 256
#define MAXSUBS 400
#define MAXTHREADS 32

static int nsubs, nthreads;
static long count;
static void *subs[MAXSUBS];
static void *ctx;
static _Atomic long got[MAXSUBS];   /* data messages received */
static _Atomic int hello[MAXSUBS];  /* got a hello */
static _Atomic int ended[MAXSUBS];  /* got an end */
static _Atomic int joined, finished;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *reader(void *arg)
{
    int t = (int) (long) arg;
    zmq_pollitem_t pfd[MAXSUBS];
    int idx[MAXSUBS], k = 0;
    for (int i = t; i < nsubs; i += nthreads) {
        pfd[k].socket = subs[i];
        pfd[k].fd = 0;
        pfd[k].events = ZMQ_POLLIN;
        idx[k++] = i;
    }
    int left = k;
    char buf[SIZE];
    while (left > 0) {
        int r = zmq_poll(pfd, k, 1000);
        if (r < 0)
            fail("zmq_poll");
        for (int j = 0; j < k; j++) {
            if (!(pfd[j].revents & ZMQ_POLLIN))
                continue;
            int i = idx[j];
            int n;
            while ((n = zmq_recv(subs[i], buf, SIZE, ZMQ_DONTWAIT)) >= 0) {
                if (n != SIZE) {
                    fprintf(stderr, "zmq_fanout: a %d-byte message\n", n);
                    exit(1);
                }
                if (buf[0] == 'd' && !ended[i]) {
                    got[i]++;
                } else if (buf[0] == 'h' && !hello[i]) {
                    hello[i] = 1;
                    joined++;
                } else if (buf[0] == 'e' && !ended[i]) {
                    ended[i] = 1;
                    finished++;
                    pfd[j].events = 0;
                    left--;
                    break;
                }
            }
        }
    }
    return NULL;
}

static long slowest(void)
{
    long m = count;
    for (int i = 0; i < nsubs; i++) {
        long g = got[i];
        if (g < m)
            m = g;
    }
    return m;
}

int main(int argc, char **argv)
{
    prog = "zmq_fanout";
    if (argc < 4) {
        fprintf(stderr, "usage: zmq_fanout <bind-address> <subscribers> <message-count> [threads]\n");
        return 2;
    }
    nsubs = atoi(argv[2]);
    count = atol(argv[3]);
    nthreads = argc > 4 ? atoi(argv[4]) : 4;
    if (nsubs < 1 || nsubs > MAXSUBS || count < 1 || nthreads < 1 || nthreads > MAXTHREADS)
        return 2;
    if (nthreads > nsubs)
        nthreads = nsubs;
    int zero = 0;
    ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    if (pub == NULL)
        fail("zmq_socket");
    zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind(pub, argv[1]) < 0)
        fail("zmq_bind");
    for (int i = 0; i < nsubs; i++) {
        subs[i] = zmq_socket(ctx, ZMQ_SUB);
        if (subs[i] == NULL)
            fail("zmq_socket");
        zmq_setsockopt(subs[i], ZMQ_LINGER, &zero, sizeof zero);
        if (zmq_setsockopt(subs[i], ZMQ_SUBSCRIBE, "", 0) < 0)
            fail("ZMQ_SUBSCRIBE");
        if (zmq_connect(subs[i], argv[1]) < 0)
            fail("zmq_connect");
    }
    pthread_t th[MAXTHREADS];
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&th[t], NULL, reader, (void *) (long) t)) {
            fprintf(stderr, "zmq_fanout: pthread_create failed\n");
            return 1;
        }
    char msg[SIZE];
    struct timespec ms = {0, 1000000}, tick = {0, 50000};
    double deadline = now() + 20;
    memset(msg, 'h', SIZE);
    while (joined < nsubs) {
        if (now() > deadline) {
            fprintf(stderr, "zmq_fanout: only %d of %d subscribers joined\n", (int) joined, nsubs);
            return 1;
        }
        if (zmq_send(pub, msg, SIZE, 0) != SIZE)
            fail("zmq_send hello");
        nanosleep(&ms, NULL);
    }
    double t0 = now();
    memset(msg, 'd', SIZE);
    /* low: the slowest subscriber's count, plus slack: a message the PUB
       dropped would hold the window shut for ever, so when the slowest
       makes no progress for 100 ms the window is opened again. */
    long low = 0, slack = 0, seen = -1;
    double stalled = 0;
    for (long i = 0; i < count; i++) {
        while (i - low >= WINDOW) {
            long s = slowest();
            if (s != seen) {
                seen = s;
                stalled = now();
            } else if (now() - stalled > 0.1) {
                slack = i - s;
                stalled = now();
            }
            low = s + slack;
            if (i - low >= WINDOW)
                nanosleep(&tick, NULL);
        }
        if (zmq_send(pub, msg, SIZE, 0) != SIZE)
            fail("zmq_send");
    }
    memset(msg, 'e', SIZE);
    deadline = now() + 20;
    while (finished < nsubs) {
        if (now() > deadline) {
            fprintf(stderr, "zmq_fanout: only %d of %d subscribers got the end\n", (int) finished, nsubs);
            return 1;
        }
        if (zmq_send(pub, msg, SIZE, 0) != SIZE)
            fail("zmq_send end");
        nanosleep(&ms, NULL);
    }
    double el = now() - t0;
    for (int t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
    long total = 0;
    for (int i = 0; i < nsubs; i++)
        total += got[i];
    printf("subscribers: %d\n", nsubs);
    printf("message size: %d [B]\n", SIZE);
    printf("delivered: %ld of %ld (lost %ld)\n", total, (long) nsubs * count,
           (long) nsubs * count - total);
    printf("throughput: %.0f msg/s (delivered, all subscribers)\n", total / el);
    for (int i = 0; i < nsubs; i++)
        zmq_close(subs[i]);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return 0;
}
