/* Memory per tcp connection: N connections (argument 1, default 1000)
   from M PUSH sockets (argument 2, default 10) into one bound PULL, both
   ends in this process (each connection counts twice: one descriptor on
   each side, as upstream's figure does). One message goes over every
   connection, so every pipe is live, and the PULL must receive all N.
   Prints the resident set size before connecting, with all connections up
   and after everything is closed, and the growth per connection. Without
   argument 5 it measures and asserts nothing about memory: exit 0 means
   every message arrived.

   Runs against any libnanomsg.so.5 (built without an rpath it is the one
   LD_LIBRARY_PATH names). Upstream nanomsg allows 512 sockets per
   process, hence few PUSH sockets with many endpoints each.
   Port: 24520 (block 24520-24539, see ctests/README.md); argument 3, when
   given, is the tcp address to use instead (scripts/bench passes a fresh
   one every run). The descriptor limit is raised as far as needed (the
   hard limit too when the process may); 77 (skip) when it cannot be.
   Argument 4, "2", puts the PUSH sockets in a child process (forked
   before any nanomsg call) for when one process may not hold both ends
   (10,000 connections need 20,000 descriptors); the figures printed are
   then the sums of both processes' resident sets. The child connects
   only once both have measured "before".
   Argument 5, when given, makes it a test of how much memory comes back
   once everything is closed: the growth still resident after closing may
   be at most that many percent of the growth with the connections up. It
   polls the resident set (every 10 ms) until it is there, for up to
   argument 6 seconds (default 30), and exits 3 when it never gets there
   (printing the figures all the same). The library may give memory back
   after nn_close returns (connections linger on its I/O thread), so a
   single look right after closing would not tell. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>

#define DEFAULT_ADDR "tcp://127.0.0.1:24520"

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

/* Wait (bounded) until the sockets s[0..k) count `want` current
   connections together. */
static void wait_conns(const int *s, long k, long want)
{
    double deadline = now() + 60;
    long cur;
    for (;;) {
        cur = 0;
        for (long i = 0; i < k; i++)
            cur += (long)nn_get_statistic(s[i], NN_STAT_CURRENT_CONNECTIONS);
        if (cur == want)
            break;
        if (now() > deadline) {
            fprintf(stderr, "conn_mem: %ld connections, want %ld\n", cur, want);
            exit(1);
        }
        usleep(1000);
    }
}

static void put(int fd, long v)
{
    if (write(fd, &v, sizeof v) != sizeof v) {
        perror("conn_mem: write");
        exit(1);
    }
}

static long get(int fd)
{
    long v;
    if (read(fd, &v, sizeof v) != sizeof v) {
        fprintf(stderr, "conn_mem: the other process is gone\n");
        exit(1);
    }
    return v;
}

/* The connecting side: m PUSH sockets, n connections, one message over
   each. With to/from >= 0 it runs in the child: it reports its resident
   set before connecting, with the connections up (when the parent says
   everything arrived) and after closing, and closes when told. */
static int *push;
static void push_open(long m)
{
    push = calloc((size_t)m, sizeof *push);
    for (long i = 0; i < m; i++) {
        push[i] = nn_socket(AF_SP, NN_PUSH);
        if (push[i] < 0)
            die("nn_socket");
    }
}

static void push_connect_send(long n, long m, const char *addr)
{
    /* Connection c belongs to push[c % m]. One socket's connections at a
       time, each batch up before the next: thousands of connects at once
       overflow the listen backlog, and the retransmitted SYNs slow
       upstream down to the point of failing. */
    for (long i = 0; i < m; i++) {
        long mine = 0;
        for (long c = i; c < n; c += m, mine++)
            if (nn_connect(push[i], addr) < 0)
                die("nn_connect");
        wait_conns(&push[i], 1, mine);
    }
    /* Round-robin: one message per pipe of each PUSH socket. */
    for (long c = 0; c < n; c++) {
        char msg[32];
        int len = snprintf(msg, sizeof msg, "m%ld", c);
        if (nn_send(push[c % m], msg, (size_t)len, 0) != len)
            die("nn_send");
    }
}

static void push_close(long m)
{
    for (long i = 0; i < m; i++)
        if (nn_close(push[i]) < 0)
            die("nn_close");
    free(push);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long m = argc > 2 ? atol(argv[2]) : 10;
    const char *addr = argc > 3 ? argv[3] : DEFAULT_ADDR;
    long procs = argc > 4 ? atol(argv[4]) : 1;
    long keep = argc > 5 ? atol(argv[5]) : -1;
    long wait_s = argc > 6 ? atol(argv[6]) : 30;
    if (n < 1 || n > 1000000 || m < 1 || m > n || m > 400 || strncmp(addr, "tcp://", 6) != 0 ||
        procs < 1 || procs > 2 || (argc > 5 && (keep < 0 || keep > 100)) || wait_s < 0 ||
        wait_s > 3600) {
        fprintf(stderr, "usage: conn_mem [connections [sockets<=400 [tcp://address [1|2 "
                        "[keep%% [seconds]]]]]]\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rlim_t need = (rlim_t)((procs == 2 ? 1 : 2) * n + 2 * m + 64);
    if (rl.rlim_cur < need) {
        struct rlimit want = {need, rl.rlim_max < need ? need : rl.rlim_max};
        /* Raising the hard limit needs CAP_SYS_RESOURCE; else go as far as
           the hard limit allows. */
        if (setrlimit(RLIMIT_NOFILE, &want) < 0) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        getrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < need) {
            fprintf(stderr, "conn_mem: RLIMIT_NOFILE %lu < %lu\n",
                    (unsigned long)rl.rlim_cur, (unsigned long)need);
            return 77;
        }
    }

    int down[2] = {-1, -1}, up[2] = {-1, -1};
    pid_t child = -1;
    if (procs == 2) {
        fflush(stdout);
        if (pipe(down) < 0 || pipe(up) < 0) {
            perror("conn_mem: pipe");
            return 1;
        }
        child = fork();
        if (child < 0) {
            perror("conn_mem: fork");
            return 1;
        }
        if (child == 0) {
            close(down[1]);
            close(up[0]);
            push_open(m);
            put(up[1], rss_bytes());
            get(down[0]); /* connect now: the parent has measured */
            push_connect_send(n, m, addr);
            get(down[0]); /* everything arrived */
            put(up[1], rss_bytes());
            get(down[0]); /* close now */
            push_close(m);
            while (get(down[0]) == 3) /* how much now? */
                put(up[1], rss_bytes());
            _exit(0);
        }
        close(down[0]);
        close(up[1]);
    }

    int pull = nn_socket(AF_SP, NN_PULL);
    if (pull < 0)
        die("nn_socket");
    int big = 64 * 1024 * 1024;
    if (nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVBUF, &big, sizeof big) < 0)
        die("NN_RCVBUF");
    if (nn_bind(pull, addr) < 0)
        die("nn_bind");
    if (procs == 1)
        push_open(m);
    long before = rss_bytes();
    if (procs == 2) {
        before += get(up[0]);
        put(down[1], 1);
    } else {
        push_connect_send(n, m, addr);
    }
    wait_conns(&pull, 1, n);

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
    if (procs == 2) {
        put(down[1], 1);
        live += get(up[0]);
    }
    printf("connections: %ld (from %ld sockets, %ld process%s)\n", n, m, procs,
           procs == 2 ? "es" : "");
    printf("rss before: %ld KiB, with connections: %ld KiB\n", before / 1024, live / 1024);
    printf("bytes per connection: %ld\n", (live - before) / n);

    if (procs == 2)
        put(down[1], 2);
    else
        push_close(m);
    wait_conns(&pull, 1, 0);
    if (nn_close(pull) < 0)
        die("nn_close");
    /* Resident growth allowed to stay: keep% of the growth while up. */
    long allowed = keep < 0 ? 0 : (live - before) / 100 * keep;
    double deadline = now() + (double)wait_s;
    long after;
    for (;;) {
        after = rss_bytes();
        if (procs == 2) {
            put(down[1], 3);
            after += get(up[0]);
        }
        if (keep < 0 || after - before <= allowed || now() > deadline)
            break;
        usleep(10000);
    }
    if (procs == 2) {
        int st;
        put(down[1], 4); /* done */
        if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "conn_mem: the connecting process failed\n");
            return 1;
        }
    }
    printf("rss after close: %ld KiB (%.1f%% of before)\n", after / 1024, 100.0 * after / before);
    free(seen);
    if (keep >= 0) {
        printf("growth still resident: %.1f%% (at most %ld%%)\n",
               100.0 * (after - before) / (live - before), keep);
        if (after - before > allowed) {
            fprintf(stderr, "conn_mem: %ld KiB of the %ld KiB the connections took stay "
                            "resident after closing (%lds), more than %ld%%\n",
                    (after - before) / 1024, (live - before) / 1024, wait_s, keep);
            return 3;
        }
    }
    return 0;
}
