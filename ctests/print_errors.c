/* NN_PRINT_ERRORS (nn_env(7)): errors no call can return, such as a
   background connect failing, are printed to stderr when the variable is
   set to a non-empty value, and nothing is printed otherwise. The test
   runs itself as a child with and without the variable, the child
   connecting to a port nobody listens on, and reads the child's stderr.
   Ports: 22920-22939 (uses 22920, never bound). */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "testutil.h"

#define ADDR "tcp://127.0.0.1:22920"

static int child(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_connect(s, ADDR);
    /* Until a second attempt has failed: the first one's report is
       written by then (the reports come from one thread, in order). A
       fixed sleep could end before the first attempt on a slow machine. */
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_get_statistic(s, NN_STAT_CONNECT_ERRORS) < 2) {
        CHECK(now_ms() < deadline);
        sleep_ms(5);
    }
    test_close(s);
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

int main(int argc, char *argv[])
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    char *out = run_child("1");
    /* Upstream's format: nanomsg: socket.0[127.0.0.1:22920]: Error: ... */
    if (!strstr(out, "Connection refused") || !strstr(out, "[127.0.0.1:22920]")) {
        fprintf(stderr, "expected a report of the refused connect, got:\n%s\n", out);
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
