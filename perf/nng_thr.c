/* nng_thr: the throughput test of local_thr/remote_thr, over libnng's
   public API, for comparison with nanomsg (scripts/bench), mainly over TLS.
     nng_thr local <bind-to> <message-size> <message-count>    (receives, times)
     nng_thr remote <connect-to> <message-size> <message-count> (sends)
   PAIR v0 sockets; TLS files from the environment (nng_common.h). An empty
   start message starts the clock; the receiver prints the throughput in
   the same format as local_thr, then sends a 1-byte acknowledgement; the
   sender closes only once it has it, so no close cuts the stream short. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "nng_common.h"

int main(int argc, char *argv[])
{
    prog = "nng_thr";
    const char *role = argc > 1 ? argv[1] : "";
    if (argc != 5 || (strcmp(role, "local") != 0 && strcmp(role, "remote") != 0)) {
        printf("usage: nng_thr local|remote <address> <message-size> <message-count>\n");
        return 1;
    }
    size_t size = (size_t) atoi(argv[3]);
    int count = atoi(argv[4]);
    int local = strcmp(role, "local") == 0, rv;
    nng_socket s = pair_at(argv[2], local);
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        fail("malloc", NNG_ENOMEM);
    memset(buf, 111, size);
    if (!local) {
        if ((rv = nng_send(s, "", 0, 0)) != 0)
            fail("nng_send (start message)", rv);
        for (int i = 0; i < count; i++)
            if ((rv = nng_send(s, buf, size, 0)) != 0)
                fail("nng_send", rv);
        size_t n = size;
        if ((rv = nng_recv(s, buf, &n, 0)) != 0)
            fail("nng_recv (acknowledgement)", rv);
    } else {
        size_t n = size;
        if ((rv = nng_recv(s, buf, &n, 0)) != 0)
            fail("nng_recv (start message)", rv);
        double start = now_us();
        for (int i = 0; i < count; i++)
            recv_exact(s, buf, size);
        double elapsed = now_us() - start;
        if (elapsed <= 0)
            elapsed = 1;
        unsigned long thr = (unsigned long) ((double) count / elapsed * 1e6);
        printf("message size: %d [B]\n", (int) size);
        printf("message count: %d\n", count);
        printf("throughput: %lu [msg/s]\n", thr);
        printf("throughput: %.3f [Mb/s]\n", (double) thr * size * 8 / 1e6);
        fflush(stdout);
        if ((rv = nng_send(s, "A", 1, 0)) != 0)
            fail("nng_send (acknowledgement)", rv);
        nng_msleep(100);
    }
    free(buf);
    nng_close(s);
    return 0;
}
