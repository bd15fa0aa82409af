/* fanout_common.h: what fanout.c and zmq_fanout.c share: the arguments,
   the subscribers' counters, and the PUB's three phases (hello until
   every SUB joined, the data paced by the slowest SUB, end until every SUB
   got it). See fanout.c for what is measured. */
#ifndef FANOUT_COMMON_H
#define FANOUT_COMMON_H

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIZE 64
#define WINDOW 256
#define MAXSUBS 400
#define MAXTHREADS 32

static int nsubs, nthreads;
static long count;
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

/* Parse <bind-address> <subscribers> <message-count> [threads]. */
static void fanout_args(int argc, char **argv, const char *name)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s <bind-address> <subscribers> <message-count> [threads]\n", name);
        exit(2);
    }
    nsubs = atoi(argv[2]);
    count = atol(argv[3]);
    nthreads = argc > 4 ? atoi(argv[4]) : 4;
    if (nsubs < 1 || nsubs > MAXSUBS || count < 1 || nthreads < 1 || nthreads > MAXTHREADS)
        exit(2);
    if (nthreads > nsubs)
        nthreads = nsubs;
}

/* Subscriber i received the n-byte buf: count it. Returns 1 for its end
   (the reader stops polling it). */
static int fanout_take(const char *name, int i, const char *buf, int n)
{
    if (n != SIZE) {
        fprintf(stderr, "%s: a %d-byte message\n", name, n);
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
        return 1;
    }
    return 0;
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

/* The PUB's three phases; send_msg sends one SIZE-byte message (0 on
   failure), fail_send reports a failed one. Returns the seconds from the
   last join to the last end. */
static double fanout_drive(const char *name, int (*send_msg)(const char *msg),
                           void (*fail_send)(const char *what))
{
    char msg[SIZE];
    struct timespec ms = {0, 1000000}, tick = {0, 50000};
    double deadline = now() + 20;
    memset(msg, 'h', SIZE);
    while (joined < nsubs) {
        if (now() > deadline) {
            fprintf(stderr, "%s: only %d of %d subscribers joined\n", name, (int) joined, nsubs);
            exit(1);
        }
        if (!send_msg(msg))
            fail_send("hello");
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
        if (!send_msg(msg))
            fail_send("data");
    }
    memset(msg, 'e', SIZE);
    deadline = now() + 20;
    while (finished < nsubs) {
        if (now() > deadline) {
            fprintf(stderr, "%s: only %d of %d subscribers got the end\n", name, (int) finished, nsubs);
            exit(1);
        }
        if (!send_msg(msg))
            fail_send("end");
        nanosleep(&ms, NULL);
    }
    return now() - t0;
}

static void fanout_report(double el)
{
    long total = 0;
    for (int i = 0; i < nsubs; i++)
        total += got[i];
    printf("subscribers: %d\n", nsubs);
    printf("message size: %d [B]\n", SIZE);
    printf("delivered: %ld of %ld (lost %ld)\n", total, (long) nsubs * count,
           (long) nsubs * count - total);
    printf("throughput: %.0f msg/s (delivered, all subscribers)\n", total / el);
}

#endif
