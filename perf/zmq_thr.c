/* zmq_thr: the throughput test of local_thr/remote_thr/inproc_thr, over
   libzmq's public API, for comparison with nanomsg (scripts/bench).
     zmq_thr local <bind-to> <message-size> <message-count>    (receives, times)
     zmq_thr remote <connect-to> <message-size> <message-count> (sends)
     zmq_thr inproc <message-size> <message-count>
   PAIR sockets, like the nanomsg programs, default high-water marks. An empty
   start message starts the clock; the receiver prints the throughput in the
   same format as local_thr, then sends a 1-byte acknowledgement; the sender
   closes only once it has it, so no close can cut the stream short. inproc uses one context shared by two
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

static void sender(void *s)
{
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        fail("malloc");
    memset(buf, 111, size);
    if (zmq_send(s, "", 0, 0) != 0)
        fail("zmq_send (start message)");
    for (int i = 0; i < count; i++)
        if (zmq_send(s, buf, size, 0) != (int) size)
            fail("zmq_send");
    if (zmq_recv(s, buf, size, 0) < 0)
        fail("zmq_recv (acknowledgement)");
    free(buf);
}

static void receiver(void *s)
{
    char *buf = malloc(size ? size : 1);
    double start, elapsed;
    unsigned long thr;
    if (buf == NULL)
        fail("malloc");
    if (zmq_recv(s, buf, size, 0) < 0)
        fail("zmq_recv (start message)");
    start = now_us();
    for (int i = 0; i < count; i++) {
        int n = zmq_recv(s, buf, size, 0);
        if (n < 0)
            fail("zmq_recv");
        if (n != (int) size) {
            fprintf(stderr, "zmq_thr: got a %d-byte message, expected %d\n", n, (int) size);
            exit(1);
        }
    }
    elapsed = now_us() - start;
    if (elapsed <= 0)
        elapsed = 1;
    thr = (unsigned long) ((double) count / elapsed * 1e6);
    printf("message size: %d [B]\n", (int) size);
    printf("message count: %d\n", count);
    printf("throughput: %lu [msg/s]\n", thr);
    printf("throughput: %.3f [Mb/s]\n", (double) thr * size * 8 / 1e6);
    fflush(stdout);
    if (zmq_send(s, "A", 1, 0) != 1)
        fail("zmq_send (acknowledgement)");
    free(buf);
}

static void *inproc_sender(void *arg)
{
    void *s = pair_socket(ctx, 0);
    (void) arg;
    if (zmq_connect(s, "inproc://zmq_thr") < 0)
        fail("zmq_connect");
    sender(s);
    zmq_close(s);
    return NULL;
}

int main(int argc, char *argv[])
{
    prog = "zmq_thr";
    const char *role = argc > 1 ? argv[1] : "";
    void *s;

    if (!((argc == 5 && (strcmp(role, "local") == 0 || strcmp(role, "remote") == 0)) ||
          (argc == 4 && strcmp(role, "inproc") == 0))) {
        printf("usage: zmq_thr local|remote <address> <message-size> <message-count>\n"
               "       zmq_thr inproc <message-size> <message-count>\n");
        return 1;
    }
    size = (size_t) atoi(argv[argc - 2]);
    count = atoi(argv[argc - 1]);
    ctx = zmq_ctx_new();
    if (ctx == NULL)
        fail("zmq_ctx_new");
    if (strcmp(role, "inproc") == 0) {
        pthread_t t;
        s = pair_socket(ctx, 2000);
        if (zmq_bind(s, "inproc://zmq_thr") < 0)
            fail("zmq_bind");
        if (pthread_create(&t, NULL, inproc_sender, NULL) != 0)
            fail("pthread_create");
        receiver(s);
        pthread_join(t, NULL);
    } else if (strcmp(role, "local") == 0) {
        s = pair_socket(ctx, 2000);
        if (zmq_bind(s, argv[2]) < 0)
            fail("zmq_bind");
        receiver(s);
    } else {
        s = pair_socket(ctx, 0);
        if (zmq_connect(s, argv[2]) < 0)
            fail("zmq_connect");
        sender(s);
    }
    zmq_close(s);
    zmq_ctx_term(ctx);
    return 0;
}
