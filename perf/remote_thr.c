/* remote_thr <connect-to> <message-size> <message-count>: the sending half of
   the throughput test. A PAIR socket connects to local_thr, sends an empty
   start message and then message-count messages of message-size bytes. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include "tls_opts.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what)
{
    fprintf(stderr, "remote_thr: %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

int main(int argc, char *argv[])
{
    const char *addr;
    size_t size;
    int count, s, opt;
    char *buf, ack[16];

    if (argc != 4) {
        printf("usage: remote_thr <connect-to> <message-size> <message-count>\n");
        return 1;
    }
    addr = argv[1];
    size = (size_t) atoi(argv[2]);
    count = atoi(argv[3]);
    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        fprintf(stderr, "remote_thr: out of memory\n");
        return 1;
    }
    memset(buf, 111, size);

    s = nn_socket(AF_SP, NN_PAIR);
    if (s < 0)
        fail("nn_socket");
    opt = -1;
    if (nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &opt, sizeof opt) < 0)
        fail("NN_RCVMAXSIZE");
    if (bench_tls(s, addr, 0) < 0)
        fail("NN_TLS");
    if (nn_connect(s, addr) < 0)
        fail("nn_connect");

    if (nn_send(s, "", 0, 0) != 0)
        fail("nn_send (start message)");
    for (int i = 0; i < count; i++)
        if (nn_send(s, buf, size, 0) != (int) size)
            fail("nn_send");

    /* Closing now could drop messages still queued for sending (upstream
       nanomsg implements no NN_LINGER), so wait for local_thr's 1-byte
       acknowledgement that it has received them all, then answer it so that
       local_thr may close in turn (see the end of local_thr.c). */
    if (nn_recv(s, ack, sizeof ack, 0) < 0)
        fail("nn_recv (acknowledgement)");
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
