/* Shared by the ZeroMQ programs of scripts/bench (zmq_lat.c, zmq_thr.c,
   zmq_fanout.c, zmq_pairs.c): errors, the clock and PAIR sockets. Each
   program sets `prog` to its name first. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static const char *prog;

static inline void fail(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, zmq_strerror(zmq_errno()));
    exit(1);
}

static inline double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* A PAIR socket whose close waits at most `linger` ms for its output (a
   peer that vanished must not keep zmq_ctx_term waiting for ever). */
static inline void *pair_socket(void *ctx, int linger)
{
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    if (s == NULL)
        fail("zmq_socket");
    if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger) < 0)
        fail("ZMQ_LINGER");
    return s;
}
