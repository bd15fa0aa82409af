/* NN_RCVMAXSIZE over tcp and ipc, as upstream nanomsg 1.1.5 behaves:
   - the option: default 1048576, -1 and 0 accepted, below -1 or a wrong
     size is EINVAL;
   - a PULL with NN_RCVMAXSIZE 10 and two PUSH connectors: an 11-byte
     message on one connection is never delivered (that connection is
     dropped), a 10-byte message on the other connection is; after the
     drop the offending PUSH reconnects and its small messages get through
     again;
   - 0 lets only empty messages through;
   - -1 means unlimited (a 3 MiB message arrives), while the default limit
     passes exactly 1 MiB and drops 1 MiB + 1;
   - the limit belongs to the receiving socket (the sender's own limit
     does not matter), and lowering it applies to connections that are
     already established: a message sent after nn_setsockopt returned is
     dropped (upstream checks each message's header when it arrives). 100
     rounds per transport, each a fresh connection, because the reactor
     may be in the middle of reading that connection when the limit
     changes.
   A message that must NOT arrive is shown by waiting for its connection
   to be dropped (NN_STAT_BROKEN_CONNECTIONS of the receiver) and then
   finding nothing to receive: a condition, not a time, so a slow machine
   can neither fail nor pass these checks by accident.
   Ports: 21060-21079 (this file's block). */
#include "testutil.h"
#include <nanomsg/pipeline.h>
#include <nanomsg/pair.h>

#define PORT_BASE 21060
#define PORT_COUNT 20

static int ipc_seq;

/* Waits (up to TEST_MUST_MS) until `s` has dropped `n` connections in all, and
   checks all along and after it that nothing is there to receive: what
   the dropped connection carried was not delivered. */
static void wait_dropped_nothing_received(int s, uint64_t n)
{
    char buf[16];
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        int dropped = nn_get_statistic(s, NN_STAT_BROKEN_CONNECTIONS) >= n;
        int rc = nn_recv(s, buf, sizeof buf, NN_DONTWAIT);
        if (rc >= 0)
            fprintf(stderr, "a %d-byte message arrived that had to be "
                "dropped\n", rc);
        CHECK(rc == -1 && nn_errno() == EAGAIN);
        if (dropped)
            return;
        CHECK(now_ms() < deadline);
        sleep_ms(1);
    }
}

static void test_option(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    int v;
    char c = 1;
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE) == 1048576);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE) == -1);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, 0);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE) == 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, 10);
    v = -2;
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &v, sizeof v),
        EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &c, 1), EINVAL);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE) == 10);
    test_close(s);
}

static void test_limit(int use_ipc)
{
    char a[128], buf[64];
    char m[64];
    memset(m, 'm', sizeof m);

    int pull = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int big = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int small = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, 10);
    test_addr_on(a, sizeof a, use_ipc ? "ipc" : "tcp", "rcvmax", ipc_seq++,
        TEST_PORT(0));
    test_bind(pull, a);
    test_connect(big, a);
    test_connect(small, a);

    /* Both connections work with messages within the limit. */
    test_send(big, "big-ok");
    test_recv(pull, "big-ok");
    test_send(small, "small-ok");
    test_recv(pull, "small-ok");

    /* One byte over the limit on one connection, exactly the limit on the
       other: only the latter arrives. */
    CHECK(nn_send(big, m, 11, 0) == 11);
    wait_dropped_nothing_received(pull, 1);
    CHECK(nn_send(small, "0123456789", 10, 0) == 10);
    CHECK(nn_recv(pull, buf, sizeof buf, 0) == 10);
    CHECK(memcmp(buf, "0123456789", 10) == 0);

    /* The small connection was not affected. */
    test_send(small, "still-here");
    test_recv(pull, "still-here");

    /* The big sender's connection was dropped; it reconnects, and its
       messages within the limit flow again. (A message sent while the old
       connection is still being torn down may be lost, so retry.) */
    int64_t deadline = now_ms() + TEST_MUST_MS;
    int got = 0;
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    while (!got) {
        CHECK(now_ms() < deadline);
        test_send(big, "back");
        int rc = nn_recv(pull, buf, sizeof buf, 0);
        if (rc < 0) {
            CHECK(nn_errno() == ETIMEDOUT);
            continue;
        }
        CHECK(rc == 4 && memcmp(buf, "back", 4) == 0);
        got = 1;
    }
    test_close(big);
    test_close(small);
    test_close(pull);
}

static void test_zero_limit(int use_ipc)
{
    char a[128], buf[16];
    int pull = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int push = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, 0);
    test_addr_on(a, sizeof a, use_ipc ? "ipc" : "tcp", "rcvmax", ipc_seq++,
        TEST_PORT(1));
    test_bind(pull, a);
    test_connect(push, a);
    CHECK(nn_send(push, "", 0, 0) == 0);
    CHECK(nn_recv(pull, buf, sizeof buf, 0) == 0);
    CHECK(nn_send(push, "x", 1, 0) == 1);
    wait_dropped_nothing_received(pull, 1);
    test_close(push);
    test_close(pull);
}

/* Sends len bytes from a PUSH to a PULL whose limit is `limit` (or the
   default when limit is -2). With `arrives` they must arrive intact;
   otherwise the connection must be dropped without delivering them. */
static void big(int use_ipc, int off, size_t len, int limit,
    int sender_limit, int arrives)
{
    char a[128];
    unsigned char *msg = malloc(len);
    void *got = NULL;
    CHECK(msg != NULL);
    for (size_t i = 0; i < len; i++)
        msg[i] = (unsigned char) (i * 7 + (i >> 9));
    int pull = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int push = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    if (limit != -2)
        test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, limit);
    test_setopt_int(push, NN_SOL_SOCKET, NN_RCVMAXSIZE, sender_limit);
    test_addr_on(a, sizeof a, use_ipc ? "ipc" : "tcp", "rcvmax", ipc_seq++,
        TEST_PORT(off));
    test_bind(pull, a);
    test_connect(push, a);
    CHECK(nn_send(push, msg, len, 0) == (int) len);
    if (arrives) {
        int rc = nn_recv(pull, &got, NN_MSG, 0);
        CHECK(rc == (int) len);
        CHECK(memcmp(got, msg, len) == 0);
        CHECK(nn_freemsg(got) == 0);
    } else {
        wait_dropped_nothing_received(pull, 1);
    }
    test_close(push);
    test_close(pull);
    free(msg);
}

static void test_big(int use_ipc)
{
    /* Unlimited. */
    big(use_ipc, 2, 3u << 20, -1, 10, 1);
    /* The default is exactly 1 MiB. */
    big(use_ipc, 3, 1u << 20, -2, 10, 1);
    big(use_ipc, 4, (1u << 20) + 1, -2, -1, 0);
    /* An explicit limit above the size. */
    big(use_ipc, 5, 100000, 100000, 0, 1);
    big(use_ipc, 6, 100001, 100000, -1, 0);
}

static void test_lowered_later(int use_ipc)
{
    char a[128];
    for (int round = 0; round < 100; round++) {
        int pull = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS,
            TEST_MUST_MS, 50);
        int push = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS,
            TEST_MUST_MS, 50);
        test_addr_on(a, sizeof a, use_ipc ? "ipc" : "tcp", "rcvmax",
            ipc_seq++, TEST_PORT(7));
        test_bind(pull, a);
        test_connect(push, a);
        test_send(push, "hello");
        test_recv(pull, "hello");
        /* Lower the limit on the established connection: what is sent
           from now on meets it. */
        test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, 3);
        test_send(push, "hello");
        wait_dropped_nothing_received(pull, 1);
        test_close(push);
        test_close(pull);
    }
}

int main(void)
{
    alarm(30);
    test_option();
    for (int use_ipc = 0; use_ipc <= 1; use_ipc++) {
        test_limit(use_ipc);
        test_zero_limit(use_ipc);
        test_big(use_ipc);
        test_lowered_later(use_ipc);
    }
    return 0;
}
