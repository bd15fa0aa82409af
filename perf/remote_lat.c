/* remote_lat <connect-to> <message-size> <roundtrip-count>: the timing half
   of the latency test. A PAIR socket connects to local_lat, sends a message
   and waits for its echo, roundtrip-count times, and prints the one-way
   latency: half the average round trip. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include "tls_opts.h"
#include <nanomsg/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void fail(const char *what)
{
    fprintf(stderr, "remote_lat: %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char *argv[])
{
    const char *addr;
    size_t size;
    int count, s, opt;
    char *buf;
    double start, elapsed;

    if (argc != 4) {
        printf("usage: remote_lat <connect-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    addr = argv[1];
    size = (size_t) atoi(argv[2]);
    count = atoi(argv[3]);
    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        fprintf(stderr, "remote_lat: out of memory\n");
        return 1;
    }
    memset(buf, 111, size);

    s = nn_socket(AF_SP, NN_PAIR);
    if (s < 0)
        fail("nn_socket");
    opt = -1;
    if (nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &opt, sizeof opt) < 0)
        fail("NN_RCVMAXSIZE");
    if (strncmp(addr, "tcp://", 6) == 0) {
        opt = 1;
        if (nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &opt, sizeof opt) < 0)
            fail("NN_TCP_NODELAY");
    }
    if (bench_tls(s, addr, 0) < 0)
        fail("NN_TLS");
    if (nn_connect(s, addr) < 0)
        fail("nn_connect");

    start = now_us();
    for (int i = 0; i < count; i++) {
        int n;
        if (nn_send(s, buf, size, 0) != (int) size)
            fail("nn_send");
        n = nn_recv(s, buf, size, 0);
        if (n < 0)
            fail("nn_recv");
        if (n != (int) size) {
            fprintf(stderr, "remote_lat: got a %d-byte message, expected %d\n", n, (int) size);
            return 1;
        }
    }
    elapsed = now_us() - start;

    printf("message size: %d [B]\n", (int) size);
    printf("roundtrip count: %d\n", count);
    printf("average latency: %.3f [us]\n", elapsed / ((double) count * 2));
    fflush(stdout);

    /* Tell local_lat it may close now (see the end of local_lat.c). */
    opt = 1000;
    if (nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &opt, sizeof opt) < 0)
        fail("NN_SNDTIMEO");
    if (nn_send(s, "", 0, 0) != 0)
        fail("nn_send (done message)");

    if (nn_close(s) < 0)
        fail("nn_close");
    free(buf);
    return 0;
}
