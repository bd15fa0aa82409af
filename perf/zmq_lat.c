/* zmq_lat: the latency test of local_lat/remote_lat/inproc_lat, over
   libzmq's public API, for comparison with nanomsg (scripts/bench).
     zmq_lat local <bind-to> <message-size> <roundtrip-count>   (echoes)
     zmq_lat remote <connect-to> <message-size> <roundtrip-count> (times)
     zmq_lat inproc <message-size> <roundtrip-count>
   PAIR sockets, like the nanomsg programs (ZeroMQ sets TCP_NODELAY itself).
   remote and inproc print the one-way latency, half the average round trip,
   in the same format as remote_lat. inproc uses one context shared by two
   threads, as ZeroMQ's inproc transport requires. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "zmq_common.h"

static size_t size;
static int count;
static void *ctx;

static void recv_exact(void *s, char *buf)
{
    int n = zmq_recv(s, buf, size, 0);
    if (n < 0)
        fail("zmq_recv");
    if (n != (int) size) {
        fprintf(stderr, "zmq_lat: got a %d-byte message, expected %d\n", n, (int) size);
        exit(1);
    }
}

static void echo(void *s)
{
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        fail("malloc");
    for (int i = 0; i < count; i++) {
        recv_exact(s, buf);
        if (zmq_send(s, buf, size, 0) != (int) size)
            fail("zmq_send");
    }
    free(buf);
}

static void timed(void *s)
{
    char *buf = malloc(size ? size : 1);
    double start, elapsed;
    if (buf == NULL)
        fail("malloc");
    memset(buf, 111, size);
    start = now_us();
    for (int i = 0; i < count; i++) {
        if (zmq_send(s, buf, size, 0) != (int) size)
            fail("zmq_send");
        recv_exact(s, buf);
    }
    elapsed = now_us() - start;
    printf("message size: %d [B]\n", (int) size);
    printf("roundtrip count: %d\n", count);
    printf("average latency: %.3f [us]\n", elapsed / ((double) count * 2));
    fflush(stdout);
    free(buf);
}

static void *inproc_echo(void *arg)
{
    void *s = pair_socket(ctx, 2000);
    (void) arg;
    if (zmq_connect(s, "inproc://zmq_lat") < 0)
        fail("zmq_connect");
    echo(s);
    zmq_close(s);
    return NULL;
}

int main(int argc, char *argv[])
{
    prog = "zmq_lat";
    const char *role = argc > 1 ? argv[1] : "";
    void *s;

    if (!((argc == 5 && (strcmp(role, "local") == 0 || strcmp(role, "remote") == 0)) ||
          (argc == 4 && strcmp(role, "inproc") == 0))) {
        printf("usage: zmq_lat local|remote <address> <message-size> <roundtrip-count>\n"
               "       zmq_lat inproc <message-size> <roundtrip-count>\n");
        return 1;
    }
    size = (size_t) atoi(argv[argc - 2]);
    count = atoi(argv[argc - 1]);
    ctx = zmq_ctx_new();
    if (ctx == NULL)
        fail("zmq_ctx_new");
    s = pair_socket(ctx, 2000);
    if (strcmp(role, "inproc") == 0) {
        pthread_t t;
        if (zmq_bind(s, "inproc://zmq_lat") < 0)
            fail("zmq_bind");
        if (pthread_create(&t, NULL, inproc_echo, NULL) != 0)
            fail("pthread_create");
        timed(s);
        pthread_join(t, NULL);
    } else if (strcmp(role, "local") == 0) {
        if (zmq_bind(s, argv[2]) < 0)
            fail("zmq_bind");
        echo(s);
    } else {
        if (zmq_connect(s, argv[2]) < 0)
            fail("zmq_connect");
        timed(s);
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}
