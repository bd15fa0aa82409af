/* nng_lat: the latency test of local_lat/remote_lat, over libnng's public
   API, for comparison with nanomsg (scripts/bench), mainly over TLS.
     nng_lat local <bind-to> <message-size> <roundtrip-count>   (echoes)
     nng_lat remote <connect-to> <message-size> <roundtrip-count> (times)
   PAIR v0 sockets; TLS files from the environment (nng_common.h).
   remote prints the one-way latency, half the average round trip, in the
   same format as remote_lat. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "nng_common.h"

int main(int argc, char *argv[])
{
    struct nng_run r = nng_setup(argc, argv, "nng_lat", "roundtrip-count");
    size_t size = r.size;
    int count = r.count, local = r.local;
    nng_socket s = r.s;
    char *buf = r.buf;
    double start = now_us();
    for (int i = 0; i < count; i++) {
        int rv;
        if (local)
            recv_exact(s, buf, size);
        if ((rv = nng_send(s, buf, size, 0)) != 0)
            fail("nng_send", rv);
        if (!local)
            recv_exact(s, buf, size);
    }
    double elapsed = now_us() - start;
    if (!local) {
        printf("message size: %d [B]\n", (int) size);
        printf("roundtrip count: %d\n", count);
        printf("average latency: %.3f [us]\n", elapsed / ((double) count * 2));
    } else {
        /* Let the last echo leave before the socket goes. */
        nng_msleep(100);
    }
    fflush(stdout);
    free(buf);
    nng_close(s);
    return 0;
}
