/* nn_shutdown(3) on tcp and ipc endpoints, as upstream nanomsg 1.1.5
   behaves:
   - shutting down a bind endpoint: nothing sent by the connected peer
     arrives any more, the same address can be bound at once by another
     socket or again by the same socket (a new endpoint), and the peer's
     messages then flow again; for ipc the socket file disappears with the
     endpoint;
   - shutting down one of two bind endpoints leaves the other working;
   - shutting down a connect endpoint: a PUSH connected to two PULLs sends
     everything to the remaining one; after the last connect endpoint is
     gone, a non-blocking send fails with EAGAIN and nothing arrives;
   - a bad endpoint id (never returned, negative, another socket's,
     already shut down) is EINVAL; a bad or closed socket is EBADF.
   Ports: 21080-21099 (this file's block). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <sys/stat.h>

#define PORT_BASE 21080
#define PORT_COUNT 20

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* For ms milliseconds the sender keeps trying to send (non-blocking) and
   the receiver must not get anything. */
static void nothing_flows(int sender, int receiver, int ms)
{
    char buf[32];
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        if (sender >= 0 && nn_send(sender, "lost", 4, NN_DONTWAIT) < 0)
            CHECK(nn_errno() == EAGAIN);
        CHECK_ERR(nn_recv(receiver, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
        sleep_ms(10);
    }
}

/* Keeps sending msg (non-blocking) until the receiver gets it. */
static void flows_again(int sender, int receiver, const char *msg)
{
    char buf[32];
    size_t len = strlen(msg);
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        CHECK(now_ms() < deadline);
        if (nn_send(sender, msg, len, NN_DONTWAIT) < 0) {
            CHECK(nn_errno() == EAGAIN);
            sleep_ms(10);
            continue;
        }
        int rc = nn_recv(receiver, buf, sizeof buf, NN_DONTWAIT);
        int64_t t = now_ms() + 200;
        while (rc < 0 && nn_errno() == EAGAIN && now_ms() < t) {
            sleep_ms(5);
            rc = nn_recv(receiver, buf, sizeof buf, NN_DONTWAIT);
        }
        if (rc >= 0) {
            CHECK(rc == (int) len && memcmp(buf, msg, len) == 0);
            return;
        }
        CHECK(nn_errno() == EAGAIN);
    }
}

static void test_bind_shutdown(int use_ipc)
{
    char a[128];
    int s = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int c = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        50);
    test_addr_on(a, sizeof a, use_ipc ? "ipc" : "tcp", "shutdown", 0,
        TEST_PORT(0));
    int eid = test_bind(s, a);
    test_connect(c, a);
    test_send(c, "before");
    test_recv(s, "before");
    test_send(s, "reply");
    test_recv(c, "reply");

    CHECK(nn_shutdown(s, eid) == 0);
    if (use_ipc) {
        /* The file goes with the endpoint (the teardown finishes in the
           background, so give it a moment). */
        int64_t deadline = now_ms() + TEST_MUST_MS;
        while (exists(a + 6)) {
            CHECK(now_ms() < deadline);
            sleep_ms(5);
        }
    }
    nothing_flows(c, s, 300);
    /* The endpoint is gone for good. */
    CHECK_ERR(nn_shutdown(s, eid), EINVAL);

    /* The address is free: another socket can take it ... */
    int other = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    test_bind(other, a);
    test_close(other);
    /* ... and so can the same socket, with a new endpoint. */
    int eid2 = test_bind(s, a);
    CHECK(eid2 >= 0);
    flows_again(c, s, "after-rebind");
    test_send(s, "reply2");
    test_recv(c, "reply2");
    CHECK(nn_shutdown(s, eid2) == 0);
    test_close(c);
    test_close(s);
}

static void test_one_of_two_binds(int use_ipc)
{
    char a1[128], a2[128];
    int pull = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int p1 = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int p2 = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS, TEST_MUST_MS,
        50);
    test_addr_on(a1, sizeof a1, use_ipc ? "ipc" : "tcp", "shutdown", 1,
        TEST_PORT(1));
    test_addr_on(a2, sizeof a2, use_ipc ? "ipc" : "tcp", "shutdown", 2,
        TEST_PORT(2));
    int e1 = test_bind(pull, a1);
    int e2 = test_bind(pull, a2);
    CHECK(e1 != e2);
    test_connect(p1, a1);
    test_connect(p2, a2);
    test_send(p1, "one");
    test_recv(pull, "one");
    test_send(p2, "two");
    test_recv(pull, "two");

    CHECK(nn_shutdown(pull, e1) == 0);
    nothing_flows(p1, pull, 300);
    /* The other endpoint carries on. */
    for (int i = 0; i < 5; i++) {
        test_send(p2, "two-still");
        test_recv(pull, "two-still");
    }
    CHECK(nn_shutdown(pull, e2) == 0);
    test_close(p1);
    test_close(p2);
    test_close(pull);
}

static void test_connect_shutdown(int use_ipc)
{
    char a1[128], a2[128], buf[32];
    int x1 = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int x2 = test_socket_timeo_ivl(AF_SP, NN_PULL, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int p = test_socket_timeo_ivl(AF_SP, NN_PUSH, TEST_MUST_MS, TEST_MUST_MS,
        50);
    test_addr_on(a1, sizeof a1, use_ipc ? "ipc" : "tcp", "shutdown", 3,
        TEST_PORT(3));
    test_addr_on(a2, sizeof a2, use_ipc ? "ipc" : "tcp", "shutdown", 4,
        TEST_PORT(4));
    test_bind(x1, a1);
    test_bind(x2, a2);
    int e1 = test_connect(p, a1);
    int e2 = test_connect(p, a2);
    CHECK(e1 != e2);

    /* Wait until both connections are up: round robin reaches both. */
    int seen1 = 0, seen2 = 0, sent = 0, got = 0;
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (!(seen1 && seen2)) {
        CHECK(now_ms() < deadline);
        test_send(p, "rr");
        sent++;
        sleep_ms(10);
        while (nn_recv(x1, buf, sizeof buf, NN_DONTWAIT) >= 0)
            seen1 = 1, got++;
        while (nn_recv(x2, buf, sizeof buf, NN_DONTWAIT) >= 0)
            seen2 = 1, got++;
    }
    /* Take every "rr" still on its way (PUSH loses none on live
       connections), so that none can arrive later, however slow the
       machine. */
    while (got < sent) {
        CHECK(now_ms() < deadline);
        int n = 0;
        while (nn_recv(x1, buf, sizeof buf, NN_DONTWAIT) >= 0)
            n++;
        while (nn_recv(x2, buf, sizeof buf, NN_DONTWAIT) >= 0)
            n++;
        got += n;
        if (n == 0)
            sleep_ms(5);
    }
    CHECK(got == sent);

    CHECK(nn_shutdown(p, e1) == 0);
    /* Everything goes to x2 now. */
    for (int i = 0; i < 10; i++) {
        char m[16];
        snprintf(m, sizeof m, "only-x2-%d", i);
        test_send(p, m);
        test_recv(x2, m);
    }
    nothing_flows(-1, x1, 200);

    CHECK(nn_shutdown(p, e2) == 0);
    CHECK_ERR(nn_send(p, "nowhere", 7, NN_DONTWAIT), EAGAIN);
    nothing_flows(-1, x2, 200);
    nothing_flows(-1, x1, 10);
    CHECK_ERR(nn_shutdown(p, e1), EINVAL);
    CHECK_ERR(nn_shutdown(p, e2), EINVAL);
    test_close(p);
    test_close(x1);
    test_close(x2);
}

static void test_bad_ids(void)
{
    char a[128];
    int s = test_socket(AF_SP, NN_PAIR);
    int t = test_socket(AF_SP, NN_PAIR);
    /* s has no endpoints at all. */
    CHECK_ERR(nn_shutdown(s, 0), EINVAL);
    CHECK_ERR(nn_shutdown(s, 1), EINVAL);
    CHECK_ERR(nn_shutdown(s, 12345), EINVAL);
    CHECK_ERR(nn_shutdown(s, -1), EINVAL);
    /* Another socket's endpoint id means nothing to s. */
    test_addr_on(a, sizeof a, "tcp", "shutdown", 5, TEST_PORT(5));
    int e = test_bind(t, a);
    CHECK_ERR(nn_shutdown(s, e), EINVAL);
    /* An endpoint can be shut down once. */
    test_addr_on(a, sizeof a, "tcp", "shutdown", 6, TEST_PORT(6));
    int e_s = test_connect(s, a);
    CHECK(nn_shutdown(s, e_s) == 0);
    CHECK_ERR(nn_shutdown(s, e_s), EINVAL);
    CHECK(nn_shutdown(t, e) == 0);
    /* Bad sockets. */
    CHECK_ERR(nn_shutdown(9999, 0), EBADF);
    CHECK_ERR(nn_shutdown(-1, 0), EBADF);
    test_close(t);
    CHECK_ERR(nn_shutdown(t, e), EBADF);
    test_close(s);
}

int main(void)
{
    alarm(30);
    for (int use_ipc = 0; use_ipc <= 1; use_ipc++) {
        test_bind_shutdown(use_ipc);
        test_one_of_two_binds(use_ipc);
        test_connect_shutdown(use_ipc);
    }
    test_bad_ids();
    return 0;
}
