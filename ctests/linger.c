/* ours-only: NN_LINGER is implemented (upstream ignores it and reads 0):
   what nn_send accepted reaches a reachable peer after nn_close and also
   when the process exits without closing, for up to NN_LINGER ms
   (default 1000); the wait ends as soon as the queues are flushed.
   - default 1000, set values read back (-1: no limit);
   - the seed's pipeline producer (PUSH binds ipc, sends one message,
     exits at once without closing) never loses its message: 20 runs;
   - 2000 messages sent in a burst (corked) then exit: all arrive, both
     with and without nn_close;
   - a process with nothing pending exits at once despite the linger;
   - a process whose peer reads nothing exits after about NN_LINGER. The
     peer is a plain TCP socket that does the SP handshake and never
     reads, with a small receive buffer: a nanomsg PULL would still read
     up to 64 KiB whenever its I/O thread gets the CPU, which can flush the
     sender's whole queue after the sender saw it full (and so made that
     exit immediate on a loaded machine);
   - inproc: a message sent just before the sender closes is received.
   Ports: 22940-22959 (tcp, uses 22940). */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"
#include "rawsock.h"

static char path[64];

static void set_path(int n)
{
    snprintf(path, sizeof path, "ipc:///tmp/nn-linger-%d-%d.ipc", (int) getpid(), n);
}

static int pull_on(const char *addr)
{
    int s = test_socket(AF_SP, NN_PULL);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 10);
    test_connect(s, addr);
    return s;
}

/* The producer runs as a fresh process (this program re-executed): a
   forked copy of a process that already uses the library has no I/O
   thread, as with upstream. It binds a PUSH, sends `count` messages,
   closes or not, and exits. */
static int producer_main(const char *addr, int count, int do_close, int linger)
{
    int s = test_socket(AF_SP, NN_PUSH);
    if (linger != 1000)
        test_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, linger);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_bind(s, addr);
    char m[32];
    for (int i = 0; i < count; i++) {
        snprintf(m, sizeof m, "msg-%d", i);
        if (nn_send(s, m, strlen(m), 0) < 0)
            return 2;
    }
    if (do_close)
        nn_close(s);
    exit(0); /* runs the library's destructor, like a script ending */
}

static pid_t producer(const char *addr, int count, int do_close, int linger)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char c[16], d[16], l[16];
        snprintf(c, sizeof c, "%d", count);
        snprintf(d, sizeof d, "%d", do_close);
        snprintf(l, sizeof l, "%d", linger);
        execl("/proc/self/exe", "linger", "producer", addr, c, d, l, (char *) NULL);
        _exit(127);
    }
    return pid;
}

static void reap(pid_t pid)
{
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_options(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_LINGER) == 1000);
    test_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, 0);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_LINGER) == 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, -1);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_LINGER) == -1);
    test_close(s);
}

static void test_seed_producer(void)
{
    char buf[32];
    for (int run = 0; run < 20; run++) {
        set_path(run);
        int pull = pull_on(path);
        pid_t pid = producer(path, 1, 0, 1000);
        CHECK(nn_recv(pull, buf, sizeof buf, 0) == 5);
        CHECK(memcmp(buf, "msg-0", 5) == 0);
        reap(pid);
        test_close(pull);
    }
}

static void test_burst(int do_close)
{
    char buf[32], want[32];
    set_path(100 + do_close);
    int pull = pull_on(path);
    pid_t pid = producer(path, 2000, do_close, 1000);
    for (int i = 0; i < 2000; i++) {
        int n = nn_recv(pull, buf, sizeof buf, 0);
        snprintf(want, sizeof want, "msg-%d", i);
        CHECK(n == (int) strlen(want) && memcmp(buf, want, n) == 0);
    }
    reap(pid);
    test_close(pull);
}

static void test_no_delay_when_flushed(void)
{
    char buf[32];
    set_path(200);
    int pull = pull_on(path);
    int64_t t0 = now_ms();
    pid_t pid = producer(path, 1, 0, 30000);
    CHECK(nn_recv(pull, buf, sizeof buf, 0) == 5);
    reap(pid);
    /* Linger 30 s, but nothing was pending at exit: the whole run (a new
       process, a connection, a message) stays far below the linger even on
       a slow machine. */
    CHECK(now_ms() - t0 < TEST_MUST_MS);
    test_close(pull);
}

static void test_gives_up_after_linger(void)
{
    /* The peer connects but reads nothing: the sender's queue stays full,
       and its exit waits about NN_LINGER. The peer's socket buffer is
       small (set on the listener, inherited by the accepted socket before
       the handshake fixes the window), so once the sender's kernel buffer
       has refused a write, the few KiB still in flight can never make room
       for its queue (more than 48 KiB when nn_send says EAGAIN). */
    const char *addr = "tcp://127.0.0.1:22940";
    int lfd = rs_tcp_listen(22940);
    int small = 4096;
    CHECK(setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
    int go[2];
    CHECK(pipe(go) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", go[1]);
        execl("/proc/self/exe", "linger", "flood", addr, fd, (char *) NULL);
        _exit(127);
    }
    close(go[1]);
    int peer = rs_accept(lfd, 10000);
    CHECK(peer >= 0);
    unsigned char hdr[8];
    rs_sp_header(hdr, NN_PULL);
    CHECK(rs_send_all(peer, hdr, sizeof hdr) == 0);
    /* The child's own clock reading just before exit (CLOCK_MONOTONIC is
       the machine's): a parent that gets the CPU late cannot shorten the
       measured wait. */
    int64_t t0;
    CHECK(read(go[0], &t0, sizeof t0) == (ssize_t) sizeof t0);
    reap(pid);
    int64_t waited = now_ms() - t0;
    /* The upper bound only catches an exit that waits for the silent
       peer (for ever). */
    if (waited < 200 || waited > TEST_MUST_MS) {
        fprintf(stderr, "exit took %lld ms, expected about 300\n", (long long) waited);
        exit(1);
    }
    close(go[0]);
    close(peer);
    close(lfd);
}

/* Connect a PUSH to the parent's silent peer, fill the connection until
   nn_send refuses (the kernel's buffers are full and the library queues
   NN_SNDBUF), tell the parent through `fd` when, and exit: the exit waits
   about NN_LINGER (300 ms) for a peer that reads nothing. */
static int flood_main(const char *addr, int fd)
{
    int s = test_socket(AF_SP, NN_PUSH);
    test_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, 300);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDBUF, 65536);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 10000);
    test_connect(s, addr);
    static char big[16384];
    /* The first send waits for the connection. */
    if (nn_send(s, big, sizeof big, 0) != (int) sizeof big)
        return 3;
    int64_t end = now_ms() + 10000;
    while (nn_send(s, big, sizeof big, NN_DONTWAIT) == (int) sizeof big)
        if (now_ms() > end)
            return 4; /* the kernel never refused: no full queue */
    if (nn_errno() != EAGAIN)
        return 5;
    int64_t t0 = now_ms();
    if (write(fd, &t0, sizeof t0) != (ssize_t) sizeof t0)
        return 6;
    exit(0);
}

static void test_inproc_close_keeps_sent(void)
{
    char buf[16];
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://linger");
    test_connect(b, "inproc://linger");
    test_send(b, "last words");
    test_close(b);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_recv(a, "last words");
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(a, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(a);
}

int main(int argc, char *argv[])
{
    if (argc == 6 && strcmp(argv[1], "producer") == 0)
        return producer_main(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (argc == 4 && strcmp(argv[1], "flood") == 0)
        return flood_main(argv[2], atoi(argv[3]));
    alarm(60);
    test_options();
    test_inproc_close_keeps_sent();
    test_seed_producer();
    test_burst(0);
    test_burst(1);
    test_no_delay_when_flushed();
    test_gives_up_after_linger();
    return 0;
}
