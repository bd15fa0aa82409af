/* Shared by the nng programs of scripts/bench (nng_lat.c, nng_thr.c):
   errors, the clock, and PAIR (v0, the protocol nanomsg's PAIR speaks)
   sockets that listen or dial, over TLS when the URL is tls+tcp:// or
   wss://. The TLS files are those of the nanomsg programs
   (perf/tls_opts.h), in $NN_BENCH_TLS_DIR: server.pem (the listener's
   certificate and key) and ca.pem (the CA that verifies it), since the
   programs keep the nanomsg ones' command line. Each program sets `prog`
   to its name first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nng/nng.h>
#include <nng/protocol/pair0/pair.h>
#include <nng/supplemental/util/platform.h>

static const char *prog;

static inline void fail(const char *what, int rv)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, nng_strerror(rv));
    exit(1);
}

static inline double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int is_tls(const char *url)
{
    return strncmp(url, "tls+", 4) == 0 || strncmp(url, "wss://", 6) == 0;
}

/* $NN_BENCH_TLS_DIR/name, or exit. */
static inline const char *tls_file(const char *name)
{
    static char path[2][512];
    static int next;
    const char *dir = getenv("NN_BENCH_TLS_DIR");
    if (dir == NULL || *dir == '\0') {
        fprintf(stderr, "%s: a TLS URL needs NN_BENCH_TLS_DIR\n", prog);
        exit(2);
    }
    char *p = path[next++ % 2];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

/* A PAIR v0 socket that listens on (`listen`) or dials `url`. */
static inline nng_socket pair_at(const char *url, int listen)
{
    nng_socket s;
    int rv;
    if ((rv = nng_pair0_open(&s)) != 0)
        fail("nng_pair0_open", rv);
    /* nng queues no message by default: every send would wait for the
       one before it to be written. Give it queues like the others have. */
    if ((rv = nng_socket_set_int(s, NNG_OPT_SENDBUF, 1024)) != 0 ||
        (rv = nng_socket_set_int(s, NNG_OPT_RECVBUF, 1024)) != 0)
        fail("NNG_OPT_SENDBUF/RECVBUF", rv);
    if (listen) {
        nng_listener l;
        if ((rv = nng_listener_create(&l, s, url)) != 0)
            fail("nng_listener_create", rv);
        if (is_tls(url) && (rv = nng_listener_set_string(l, NNG_OPT_TLS_CERT_KEY_FILE,
                                                         tls_file("server.pem"))) != 0)
            fail("NNG_OPT_TLS_CERT_KEY_FILE", rv);
        if ((rv = nng_listener_start(l, 0)) != 0)
            fail("nng_listener_start", rv);
    } else {
        nng_dialer d;
        if ((rv = nng_dialer_create(&d, s, url)) != 0)
            fail("nng_dialer_create", rv);
        /* nng's TLS library matches no IP address in a certificate: the
           server is checked as localhost (the name its certificate has). */
        if (is_tls(url) &&
            ((rv = nng_dialer_set_string(d, NNG_OPT_TLS_CA_FILE, tls_file("ca.pem"))) != 0 ||
             (rv = nng_dialer_set_string(d, NNG_OPT_TLS_SERVER_NAME, "localhost")) != 0))
            fail("NNG_OPT_TLS_CA_FILE/SERVER_NAME", rv);
        /* Retry until the listener is up, as nanomsg's connect does. */
        for (int i = 0; (rv = nng_dialer_start(d, 0)) == NNG_ECONNREFUSED && i < 500; i++)
            nng_msleep(10);
        if (rv != 0)
            fail("nng_dialer_start", rv);
    }
    return s;
}

/* Receives one message of exactly `size` bytes into `buf`. */
static inline void recv_exact(nng_socket s, char *buf, size_t size)
{
    size_t n = size;
    int rv = nng_recv(s, buf, &n, 0);
    if (rv != 0)
        fail("nng_recv", rv);
    if (n != size) {
        fprintf(stderr, "%s: got a %zu-byte message, expected %zu\n", prog, n, size);
        exit(1);
    }
}

/* The command line both programs share, `<prog> local|remote <address>
   <message-size> <count>`: exits with usage on anything else; the socket
   (listening for local), the size, the count and a buffer of `size` bytes
   (at least one) filled with 111. */
struct nng_run {
    int local, count;
    size_t size;
    nng_socket s;
    char *buf;
};

static inline struct nng_run nng_setup(int argc, char *argv[], const char *name, const char *what)
{
    prog = name;
    const char *role = argc > 1 ? argv[1] : "";
    if (argc != 5 || (strcmp(role, "local") != 0 && strcmp(role, "remote") != 0)) {
        printf("usage: %s local|remote <address> <message-size> <%s>\n", name, what);
        exit(1);
    }
    struct nng_run r;
    r.size = (size_t) atoi(argv[3]);
    r.count = atoi(argv[4]);
    r.local = strcmp(role, "local") == 0;
    r.s = pair_at(argv[2], r.local);
    r.buf = malloc(r.size ? r.size : 1);
    if (r.buf == NULL)
        fail("malloc", NNG_ENOMEM);
    memset(r.buf, 111, r.size);
    return r;
}
