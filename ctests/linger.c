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
   - a process whose peer reads nothing exits after about NN_LINGER;
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

static char path[64];

static void set_path(int n)
{
    snprintf(path, sizeof path, "ipc:///tmp/nn-linger-%d-%d.ipc", (int) getpid(), n);
}

static int pull_on(const char *addr)
{
    int s = test_socket(AF_SP, NN_PULL);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
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
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
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
    pid_t pid = producer(path, 1, 0, 5000);
    CHECK(nn_recv(pull, buf, sizeof buf, 0) == 5);
    reap(pid);
    /* Linger 5 s, but nothing was pending at exit. */
    CHECK(now_ms() - t0 < 2000);
    test_close(pull);
}

static void test_gives_up_after_linger(void)
{
    /* The peer connects but reads nothing: with small buffers the sender's
       queue stays full, and its exit waits about NN_LINGER. */
    const char *addr = "tcp://127.0.0.1:22940";
    int pull = test_socket(AF_SP, NN_PULL);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVBUF, 1024);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RECONNECT_IVL, 10);
    test_connect(pull, addr);
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
    char c;
    CHECK(read(go[0], &c, 1) == 1);
    int64_t t0 = now_ms();
    reap(pid);
    int64_t waited = now_ms() - t0;
    if (waited < 200 || waited > 2000) {
        fprintf(stderr, "exit took %lld ms, expected about 300\n", (long long) waited);
        exit(1);
    }
    close(go[0]);
    test_close(pull);
}

/* Fill the connection until nothing more fits, tell the parent through
   `fd`, and exit: the exit waits about NN_LINGER (300 ms) for a peer that
   reads nothing. */
static int flood_main(const char *addr, int fd)
{
    int s = test_socket(AF_SP, NN_PUSH);
    test_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, 300);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDBUF, 65536);
    test_bind(s, addr);
    static char big[16384];
    int sent = 0;
    int64_t end = now_ms() + 3000;
    while (now_ms() < end) {
        if (nn_send(s, big, sizeof big, NN_DONTWAIT) < 0) {
            if (sent > 0)
                break;
            sleep_ms(5);
        } else {
            sent++;
        }
    }
    if (sent == 0)
        return 3;
    (void) !write(fd, "x", 1);
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
