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
    struct nng_run r = nng_setup(argc, argv, "nng_thr", "message-count");
    size_t size = r.size;
    int count = r.count, local = r.local, rv;
    nng_socket s = r.s;
    char *buf = r.buf;
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
