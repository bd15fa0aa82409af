/* NN_PRINT_ERRORS (nn_env(7)): errors no call can return, such as a
   background connect failing, are printed to stderr when the variable is
   set to a non-empty value, and nothing is printed otherwise. The test
   runs itself as a child with and without the variable, the child
   connecting to a port nobody listens on, and reads the child's stderr.
   An error is printed once, not at every retry, until it was cleared (a
   connection was made) and comes again (nn_env(7)): the child's dialer
   is refused several times, then connects to a listener that the child
   binds and closes, then is refused several times again, then is reset
   twice by a peer right after the handshake.
   Ports: 22920-22939 (uses 22920, bound only for a moment). */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"
#include "rawsock.h"

#define PORT 22920
#define ADDR "tcp://127.0.0.1:22920"

/* Wait until statistic `stat` of `s` reaches `n`. */
static void wait_stat(int s, int stat, uint64_t n)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_get_statistic(s, stat) < n) {
        CHECK(now_ms() < deadline);
        sleep_ms(5);
    }
}

static int child(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_connect(s, ADDR);
    /* Until several attempts have failed: the first one's report is
       written by then (the reports come from one thread, in order). A
       fixed sleep could end before the first attempt on a slow machine. */
    wait_stat(s, NN_STAT_CONNECT_ERRORS, 4);
    /* Clear the error: a connection is made... */
    int l = test_socket(AF_SP, NN_PAIR);
    test_bind(l, ADDR);
    wait_stat(s, NN_STAT_ESTABLISHED_CONNECTIONS, 1);
    /* ...and broken, and the retries are refused again. */
    uint64_t refused = nn_get_statistic(s, NN_STAT_CONNECT_ERRORS);
    test_close(l);
    wait_stat(s, NN_STAT_CONNECT_ERRORS, refused + 4);
    /* The same error twice, cleared in between: a peer of our own that
       completes the handshake and then resets the connection, twice. */
    int lfd = rs_tcp_listen(PORT);
    for (int i = 0; i < 3; i++) {
        int fd = rs_accept(lfd, TEST_MUST_MS);
        CHECK(fd >= 0);
        unsigned char h[8], got[8];
        rs_sp_header(h, NN_PAIR);
        CHECK(rs_send_all(fd, h, sizeof h) == 0);
        CHECK(rs_recv_n(fd, got, sizeof got, TEST_MUST_MS, NULL) == sizeof got);
        wait_stat(s, NN_STAT_ESTABLISHED_CONNECTIONS, 2 + (uint64_t) i);
        /* The third stays: the dialer was back, so it had reported the
           second reset. */
        if (i < 2)
            rs_abort_close(fd);
    }
    test_close(s);
    close(lfd);
    return 0;
}

/* Run ourselves as the child; return what it wrote to stderr. */
static char *run_child(const char *print_errors)
{
    static char out[8192];
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        if (print_errors)
            setenv("NN_PRINT_ERRORS", print_errors, 1);
        else
            unsetenv("NN_PRINT_ERRORS");
        execl("/proc/self/exe", "print_errors", "child", (char *) NULL);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while (n < sizeof out - 1 && (r = read(p[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t) r;
    out[n] = 0;
    close(p[0]);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return out;
}

/* How many times `what` occurs in `s`. */
static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

int main(int argc, char *argv[])
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    char *out = run_child("1");
    /* Upstream's format: nanomsg: socket.0[127.0.0.1:22920]: Error: ...
       Refused before the connection and after it: printed once each. */
    if (count(out, "Connection refused") != 2 || !strstr(out, "[127.0.0.1:22920]")) {
        fprintf(stderr, "expected two reports of the refused connects, got:\n%s\n", out);
        return 1;
    }
    /* A reset after each of the three connections: the same error, but
       cleared by the connection before it. */
    if (count(out, "Connection reset by peer") != 3 || count(out, "\n") != 5) {
        fprintf(stderr, "expected three reports of a reset, got:\n%s\n", out);
        return 1;
    }
    out = run_child(NULL);
    if (out[0] != 0) {
        fprintf(stderr, "expected silence without NN_PRINT_ERRORS, got:\n%s\n", out);
        return 1;
    }
    out = run_child("");
    CHECK(out[0] == 0);
    return 0;
}
