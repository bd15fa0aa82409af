/* local_lat <bind-to> <message-size> <roundtrip-count>: the echoing half of
   the latency test. A PAIR socket binds to the address and sends every
   message it receives straight back; remote_lat does the timing. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include "tls_opts.h"
#include <nanomsg/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what)
{
    fprintf(stderr, "local_lat: %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

int main(int argc, char *argv[])
{
    const char *addr;
    size_t size;
    int count, s, opt;
    char *buf;

    if (argc != 4) {
        printf("usage: local_lat <bind-to> <message-size> <roundtrip-count>\n");
        return 1;
    }
    addr = argv[1];
    size = (size_t) atoi(argv[2]);
    count = atoi(argv[3]);
    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        fprintf(stderr, "local_lat: out of memory\n");
        return 1;
    }

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
    if (bench_tls(s, addr, 1) < 0)
        fail("NN_TLS");
    if (nn_bind(s, addr) < 0)
        fail("nn_bind");

    for (int i = 0; i < count; i++) {
        int n = nn_recv(s, buf, size, 0);
        if (n < 0)
            fail("nn_recv");
        if (n != (int) size) {
            fprintf(stderr, "local_lat: got a %d-byte message, expected %d\n", n, (int) size);
            return 1;
        }
        if (nn_send(s, buf, size, 0) != (int) size)
            fail("nn_send");
    }

    /* A close may drop what is still queued (upstream implements no
       NN_LINGER), so the last echo could be lost if we closed right away.
       remote_lat sends one more message once it has every echo; wait for it,
       but only for a while: if that message is itself lost on remote_lat's
       close, the echoes were delivered anyway. */
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
