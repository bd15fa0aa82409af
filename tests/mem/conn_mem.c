/* Memory per tcp connection: N connections (argument 1, default 1000)
   from M PUSH sockets (argument 2, default 10) into one bound PULL, both
   ends in this process (each connection counts twice: one descriptor on
   each side, as upstream's figure does). One message goes over every
   connection, so every pipe is live, and the PULL must receive all N.
   Prints the resident set size before connecting, with all connections up
   and after everything is closed, and the growth per connection. It
   measures, it asserts nothing about memory: exit 0 means every message
   arrived.

   Runs against any libnanomsg.so.5 (built without an rpath it is the one
   LD_LIBRARY_PATH names). Upstream nanomsg allows 512 sockets per
   process, hence few PUSH sockets with many endpoints each.
   Port: 24520 (block 24520-24539, see ctests/README.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>

#define ADDR "tcp://127.0.0.1:24520"

static long rss_bytes(void)
{
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &res) != 2) {
        perror("statm");
        exit(1);
    }
    fclose(f);
    return res * sysconf(_SC_PAGESIZE);
}

static void die(const char *what)
{
    fprintf(stderr, "conn_mem: %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait (bounded) until the PULL counts `want` current connections. */
static void wait_conns(int pull, long want)
{
    double deadline = now() + 30;
    long cur;
    while ((cur = (long)nn_get_statistic(pull, NN_STAT_CURRENT_CONNECTIONS)) != want) {
        if (now() > deadline) {
            fprintf(stderr, "conn_mem: %ld connections, want %ld\n", cur, want);
            exit(1);
        }
        usleep(1000);
    }
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long m = argc > 2 ? atol(argv[2]) : 10;
    if (n < 1 || m < 1 || m > n || m > 400) {
        fprintf(stderr, "usage: conn_mem [connections [sockets<=400]]\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rlim_t need = (rlim_t)(2 * n + 2 * m + 64);
    if (rl.rlim_cur < need) {
        rl.rlim_cur = need <= rl.rlim_max ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < need) {
            fprintf(stderr, "conn_mem: RLIMIT_NOFILE %lu < %lu\n",
                    (unsigned long)rl.rlim_cur, (unsigned long)need);
            return 77;
        }
    }

    int pull = nn_socket(AF_SP, NN_PULL);
    if (pull < 0)
        die("nn_socket");
    int big = 64 * 1024 * 1024;
    if (nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVBUF, &big, sizeof big) < 0)
        die("NN_RCVBUF");
    if (nn_bind(pull, ADDR) < 0)
        die("nn_bind");
    int *push = calloc((size_t)m, sizeof *push);
    for (long i = 0; i < m; i++) {
        push[i] = nn_socket(AF_SP, NN_PUSH);
        if (push[i] < 0)
            die("nn_socket");
    }
    long before = rss_bytes();

    for (long c = 0; c < n; c++)
        if (nn_connect(push[c % m], ADDR) < 0)
            die("nn_connect");
    wait_conns(pull, n);
    /* Round-robin: one message per pipe of each PUSH socket. */
    for (long c = 0; c < n; c++) {
        char msg[32];
        int len = snprintf(msg, sizeof msg, "m%ld", c);
        if (nn_send(push[c % m], msg, (size_t)len, 0) != len)
            die("nn_send");
    }
    int tmo = 10000;
    nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof tmo);
    char *seen = calloc((size_t)n, 1);
    for (long got = 0; got < n; got++) {
        char buf[32];
        int r = nn_recv(pull, buf, sizeof buf - 1, 0);
        if (r < 0)
            die("nn_recv");
        buf[r] = 0;
        long c = buf[0] == 'm' ? atol(buf + 1) : -1;
        if (c < 0 || c >= n || seen[c]) {
            fprintf(stderr, "conn_mem: unexpected message \"%s\"\n", buf);
            return 1;
        }
        seen[c] = 1;
    }
    long live = rss_bytes();
    printf("connections: %ld (from %ld sockets)\n", n, m);
    printf("rss before: %ld KiB, with connections: %ld KiB\n", before / 1024, live / 1024);
    printf("bytes per connection: %ld\n", (live - before) / n);

    for (long i = 0; i < m; i++)
        if (nn_close(push[i]) < 0)
            die("nn_close");
    wait_conns(pull, 0);
    if (nn_close(pull) < 0)
        die("nn_close");
    printf("rss after close: %ld KiB\n", rss_bytes() / 1024);
    free(seen);
    free(push);
    return 0;
}
