/* Many TCP connections into one socket: a PULL bound on tcp loopback and
   1000 PUSH sockets connected to it, each sending one distinct message;
   the PULL receives every one of the 1000 messages exactly once, has 1000
   current connections at once (NN_STAT_CURRENT_CONNECTIONS), and sees
   them all go when the senders close; then everything is closed.
   Upstream nanomsg 1.1.5 allows at most 512 sockets per process (it
   ignores NN_MAX_SOCKETS), so the PUSH sockets live in 4 child processes
   of 250 sockets each, forked before any nanomsg call. The children stay
   up until the parent has everything, so nothing is lost to an early
   close. RLIMIT_NOFILE is raised first; if the hard limit is too low the
   test is skipped (exit code 77).
   Ports: 21120-21139 (this file's block; uses 21120). */
#include "testutil.h"
#include <nanomsg/pipeline.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#define ADDR "tcp://127.0.0.1:21120"
#define CHILDREN 4
#define PER_CHILD 250
#define TOTAL (CHILDREN * PER_CHILD)
#define NEED_FDS 3000
#define WANT_FDS 8192

static void child(int id, int done_fd)
{
    static int socks[PER_CHILD];
    char m[32];

    alarm(40);
    for (int i = 0; i < PER_CHILD; i++) {
        socks[i] = test_socket(AF_SP, NN_PUSH);
        test_setopt_int(socks[i], NN_SOL_SOCKET, NN_SNDTIMEO, 20000);
        test_setopt_int(socks[i], NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
        test_connect(socks[i], ADDR);
    }
    for (int i = 0; i < PER_CHILD; i++) {
        snprintf(m, sizeof m, "msg-%d-%d", id, i);
        test_send(socks[i], m);
    }
    /* Wait until the parent has received everything (or gave up): the
       pipe's write end is closed then. */
    char c;
    while (read(done_fd, &c, 1) > 0)
        ;
    for (int i = 0; i < PER_CHILD; i++)
        test_close(socks[i]);
    _exit(0);
}

int main(void)
{
    struct rlimit rl;
    int fds[2];
    pid_t pids[CHILDREN];
    static unsigned char seen[TOTAL];

    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < NEED_FDS) {
        fprintf(stderr, "many_conns: RLIMIT_NOFILE hard limit %llu < %d, "
            "skipping\n", (unsigned long long) rl.rlim_max, NEED_FDS);
        return 77;
    }
    /* Room to spare: 8192 where the hard limit allows it. */
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < WANT_FDS) {
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < WANT_FDS
            ? rl.rlim_max : WANT_FDS;
        CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
    }

    /* Children first: no nanomsg state may exist across fork. */
    CHECK(pipe(fds) == 0);
    for (int k = 0; k < CHILDREN; k++) {
        pids[k] = fork();
        CHECK(pids[k] >= 0);
        if (pids[k] == 0) {
            close(fds[1]);
            child(k, fds[0]);
        }
    }
    close(fds[0]);
    alarm(40);

    int pull = test_socket(AF_SP, NN_PULL);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 10000);
    test_bind(pull, ADDR);

    int64_t t0 = now_ms();
    for (int n = 0; n < TOTAL; n++) {
        char buf[64];
        int id, i;
        int rc = nn_recv(pull, buf, sizeof buf - 1, 0);
        if (rc < 0) {
            fprintf(stderr, "many_conns: only %d of %d messages arrived "
                "(errno %d: %s)\n", n, TOTAL, nn_errno(),
                nn_strerror(nn_errno()));
            for (int k = 0; k < CHILDREN; k++)
                kill(pids[k], SIGKILL);
            return 1;
        }
        buf[rc] = 0;
        CHECK(sscanf(buf, "msg-%d-%d", &id, &i) == 2);
        CHECK(id >= 0 && id < CHILDREN && i >= 0 && i < PER_CHILD);
        CHECK(!seen[id * PER_CHILD + i]);
        seen[id * PER_CHILD + i] = 1;
    }
    int64_t took = now_ms() - t0;

    /* Nothing extra. */
    char buf[64];
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    CHECK_ERR(nn_recv(pull, buf, sizeof buf, 0), ETIMEDOUT);

    /* All the connections are there at once. */
    int64_t deadline = now_ms() + TEST_MUST_MS;
    uint64_t cur;
    while ((cur = nn_get_statistic(pull, NN_STAT_CURRENT_CONNECTIONS))
        != TOTAL) {
        if (now_ms() > deadline) {
            fprintf(stderr, "many_conns: %llu current connections, "
                "expected %d\n", (unsigned long long) cur, TOTAL);
            return 1;
        }
        sleep_ms(10);
    }

    /* Let the children close their sockets while we are still up, then
       close ours. */
    close(fds[1]);
    for (int k = 0; k < CHILDREN; k++) {
        int status;
        CHECK(waitpid(pids[k], &status, 0) == pids[k]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "many_conns: child %d failed (status 0x%x)\n",
                k, status);
            return 1;
        }
    }
    /* Every connection goes away with its child. */
    deadline = now_ms() + TEST_MUST_MS;
    while ((cur = nn_get_statistic(pull, NN_STAT_CURRENT_CONNECTIONS))
        != 0) {
        if (now_ms() > deadline) {
            fprintf(stderr, "many_conns: %llu connections left after the "
                "children exited\n", (unsigned long long) cur);
            return 1;
        }
        sleep_ms(10);
    }
    test_close(pull);
    fprintf(stderr, "many_conns: %d messages over %d connections in "
        "%lld ms\n", TOTAL, TOTAL, (long long) took);
    return 0;
}
