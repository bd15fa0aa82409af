/* local_thr <bind-to> <message-size> <message-count>: the receiving half of
   the throughput test. A PAIR socket binds to the address, waits for
   remote_thr's start message, then times the arrival of message-count
   messages and prints the throughput. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include "tls_opts.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void fail(const char *what)
{
    fprintf(stderr, "local_thr: %s: %s\n", what, nn_strerror(nn_errno()));
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
    int count, s, opt, n;
    char *buf;
    double start, elapsed;
    unsigned long thr;

    if (argc != 4) {
        printf("usage: local_thr <bind-to> <message-size> <message-count>\n");
        return 1;
    }
    addr = argv[1];
    size = (size_t) atoi(argv[2]);
    count = atoi(argv[3]);
    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        fprintf(stderr, "local_thr: out of memory\n");
        return 1;
    }

    s = nn_socket(AF_SP, NN_PAIR);
    if (s < 0)
        fail("nn_socket");
    opt = -1;
    if (nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &opt, sizeof opt) < 0)
        fail("NN_RCVMAXSIZE");
    if (bench_tls(s, addr, 1) < 0)
        fail("NN_TLS");
    if (nn_bind(s, addr) < 0)
        fail("nn_bind");

    /* The start message (empty) starts the clock, so connection set-up is
       not measured. */
    if (nn_recv(s, buf, size, 0) < 0)
        fail("nn_recv (start message)");
    start = now_us();
    for (int i = 0; i < count; i++) {
        n = nn_recv(s, buf, size, 0);
        if (n < 0)
            fail("nn_recv");
        if (n != (int) size) {
            fprintf(stderr, "local_thr: got a %d-byte message, expected %d\n", n, (int) size);
            return 1;
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

    /* remote_thr must not close before everything it sent has arrived: a
       close may drop queued messages (upstream implements no NN_LINGER).
       So acknowledge with one byte; remote_thr closes only once it has the
       acknowledgement. Then wait, for a while, for remote_thr's reply to the
       acknowledgement, so that our own close cannot drop the latter. */
    if (nn_send(s, "A", 1, 0) != 1)
        fail("nn_send (acknowledgement)");
    opt = 2000;
    if (nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &opt, sizeof opt) < 0)
        fail("NN_RCVTIMEO");
    if (nn_recv(s, buf, size, 0) < 0 && nn_errno() != ETIMEDOUT)
        fail("nn_recv (done message)");

    if (nn_close(s) < 0)
        fail("nn_close");
    free(buf);
    return 0;
}
