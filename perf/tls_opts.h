/* tls+tcp:// in the two-process benchmarks (our library only): a binding
   side presents $NN_BENCH_TLS_DIR/server.pem, a connecting side trusts
   $NN_BENCH_TLS_DIR/ca.pem (scripts/bench makes both). Other addresses:
   nothing to do. Returns what nn_setsockopt returned, or -1 without the
   directory. */
#ifndef PERF_TLS_OPTS_H
#define PERF_TLS_OPTS_H

#include <nanomsg/nn.h>
#include <nanomsg/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bench_tls(int s, const char *addr, int binds)
{
    char p[512];
    const char *dir;
    if (strncmp(addr, "tls+tcp://", 10) != 0)
        return 0;
    dir = getenv("NN_BENCH_TLS_DIR");
    if (dir == NULL)
        return -1;
    snprintf(p, sizeof p, "%s/%s", dir, binds ? "server.pem" : "ca.pem");
    return nn_setsockopt(s, NN_TLS,
        binds ? NN_TLS_CERT_KEY_FILE : NN_TLS_CA_FILE, p, strlen(p));
}

#endif
