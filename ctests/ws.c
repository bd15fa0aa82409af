/* The WebSocket transport through the nn API (both ends nanomsg sockets):
   PAIR both ways, REQ/REP with several clients, the other protocols
   (pipeline, pub/sub, survey, bus) mapped over ws, the NN_WS_MSG_TYPE option
   at level NN_WS (default binary, text settable, anything else EINVAL) and
   text frames arriving at a binary peer and back, a 1.5 MiB message (with
   NN_RCVMAXSIZE -1), connect before bind, wildcard binds (host "*"), a connect
   whose URI ends in "/" (the default path), EADDRINUSE on a port already
   bound, malformed addresses (a bind without a port is EINVAL; a connect
   without one goes to port 80), and the client reconnecting when the bound
   side is replaced.

   Paths on bind (ws://host:port/path) are not used here: upstream 1.1.5
   rejects them with EINVAL and serves every path on a bound port; the
   path-routing cases are in ws_paths.c.

   Ports: 23000-23019 (this file's block). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>
#include <nanomsg/ws.h>
#include <nanomsg/tcp.h>

#define P(n) "ws://127.0.0.1:" #n

static void timeouts(int s, int ms)
{
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, ms);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, ms);
}

static void test_pair(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    timeouts(a, TEST_MUST_MS);
    timeouts(b, TEST_MUST_MS);
    test_bind(a, P(23000));
    test_connect(b, P(23000));
    for (int i = 0; i < 10; i++) {
        char m[32];
        snprintf(m, sizeof m, "b2a-%d", i);
        test_send(b, m);
        test_recv(a, m);
        snprintf(m, sizeof m, "a2b-%d", i);
        test_send(a, m);
        test_recv(b, m);
    }
    /* Both directions in flight at once. */
    test_send(a, "x");
    test_send(b, "y");
    test_recv(a, "y");
    test_recv(b, "x");

    /* Every byte value, and the empty message. */
    unsigned char all[256], got[300];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char) i;
    CHECK(nn_send(b, all, sizeof all, 0) == 256);
    CHECK(nn_recv(a, got, sizeof got, 0) == 256);
    CHECK(memcmp(all, got, 256) == 0);
    CHECK(nn_send(a, "", 0, 0) == 0);
    CHECK(nn_recv(b, got, sizeof got, 0) == 0);
    /* Message sizes around the 7-bit and 16-bit WebSocket length forms. */
    size_t sizes[] = { 125, 126, 127, 65535, 65536, 65537 };
    unsigned char *big = malloc(70000), *back = malloc(70000);
    CHECK(big && back);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (size_t i = 0; i < sizes[k]; i++)
            big[i] = (unsigned char) (i * 7 + k);
        CHECK(nn_send(a, big, sizes[k], 0) == (int) sizes[k]);
        CHECK(nn_recv(b, back, 70000, 0) == (int) sizes[k]);
        CHECK(memcmp(big, back, sizes[k]) == 0);
        CHECK(nn_send(b, big, sizes[k], 0) == (int) sizes[k]);
        CHECK(nn_recv(a, back, 70000, 0) == (int) sizes[k]);
        CHECK(memcmp(big, back, sizes[k]) == 0);
    }
    free(big);
    free(back);
    test_close(b);
    test_close(a);
}

static void test_reqrep(void)
{
    int rep = test_socket(AF_SP, NN_REP);
    int c1 = test_socket(AF_SP, NN_REQ);
    int c2 = test_socket(AF_SP, NN_REQ);
    timeouts(rep, TEST_MUST_MS);
    timeouts(c1, TEST_MUST_MS);
    timeouts(c2, TEST_MUST_MS);
    test_bind(rep, P(23001));
    test_connect(c1, P(23001));
    test_connect(c2, P(23001));
    for (int i = 0; i < 10; i++) {
        int c = (i & 1) ? c2 : c1;
        char m[32], r[80], buf[64];
        snprintf(m, sizeof m, "req-%d", i);
        test_send(c, m);
        int n = nn_recv(rep, buf, sizeof buf - 1, 0);
        CHECK(n == (int) strlen(m));
        buf[n] = 0;
        CHECK(strcmp(buf, m) == 0);
        snprintf(r, sizeof r, "rep-%s", buf);
        test_send(rep, r);
        test_recv(c, r);
    }
    test_close(c1);
    test_close(c2);
    test_close(rep);
}

/* Waits until messages from `from` reach `to` (the connection may still be
   forming, and PUB/SURVEYOR/BUS drop messages while there is no peer):
   sends numbered probes until one arrives, then drains any late copies so
   the tests that follow see only their own messages (recv_past_probes
   skips those a slow machine delivers after the drain). At most
   TEST_MUST_MS. */
static void wait_link(int from, int to)
{
    char buf[64];
    int64_t deadline = now_ms() + TEST_MUST_MS;
    test_setopt_int(to, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    for (int k = 0;; k++) {
        char m[32];
        snprintf(m, sizeof m, "probe:%d", k);
        test_send(from, m);
        int n = nn_recv(to, buf, sizeof buf, 0);
        if (n >= 0) {
            CHECK(n >= 6 && memcmp(buf, "probe:", 6) == 0);
            break;
        }
        CHECK(nn_errno() == ETIMEDOUT);
        CHECK(now_ms() < deadline);
    }
    test_setopt_int(to, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
    for (;;) {
        int n = nn_recv(to, buf, sizeof buf, 0);
        if (n < 0) {
            CHECK(nn_errno() == ETIMEDOUT);
            break;
        }
        CHECK(n >= 6 && memcmp(buf, "probe:", 6) == 0);
    }
    test_setopt_int(to, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
}

/* Receives want on s, skipping late probes: they travel ahead of it on
   the same connection, so they can only come first. */
static void recv_past_probes(int s, const char *want)
{
    char buf[64];
    size_t len = strlen(want);
    for (;;) {
        int n = nn_recv(s, buf, sizeof buf - 1, 0);
        CHECK(n >= 0);
        buf[n] = 0;
        if (n == (int) len && memcmp(buf, want, len) == 0)
            return;
        if (n < 6 || memcmp(buf, "probe:", 6) != 0) {
            fprintf(stderr, "received \"%s\", expected \"%s\"\n", buf,
                want);
            exit(1);
        }
    }
}

static void test_other_protocols(void)
{
    /* PUSH (connected) -> PULL (bound). */
    int push = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    timeouts(push, TEST_MUST_MS);
    timeouts(pull, TEST_MUST_MS);
    test_bind(pull, P(23002));
    test_connect(push, P(23002));
    for (int i = 0; i < 5; i++)
        test_send(push, "work");
    for (int i = 0; i < 5; i++)
        test_recv(pull, "work");
    test_close(push);
    test_close(pull);

    /* PUB (bound) -> SUB (connected) with a topic filter. */
    int pub = test_socket(AF_SP, NN_PUB);
    int sub = test_socket(AF_SP, NN_SUB);
    timeouts(pub, TEST_MUST_MS);
    timeouts(sub, TEST_MUST_MS);
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "t.", 2) == 0);
    test_bind(pub, P(23003));
    test_connect(sub, P(23003));
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "probe:", 6) == 0);
    wait_link(pub, sub);
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "probe:", 6) == 0);
    test_send(pub, "t.first");
    recv_past_probes(sub, "t.first");
    test_send(pub, "other");
    test_send(pub, "t.second");
    test_recv(sub, "t.second");
    test_close(sub);
    test_close(pub);

    /* SURVEYOR (bound) <-> RESPONDENT (connected). */
    int sv = test_socket(AF_SP, NN_SURVEYOR);
    int rs = test_socket(AF_SP, NN_RESPONDENT);
    timeouts(sv, TEST_MUST_MS);
    timeouts(rs, TEST_MUST_MS);
    /* The answer must come before the deadline: far longer than a stall
       (the test never waits for it). */
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, TEST_MUST_MS);
    test_bind(sv, P(23004));
    test_connect(rs, P(23004));
    wait_link(sv, rs);
    test_send(sv, "survey");
    recv_past_probes(rs, "survey");
    test_send(rs, "answer");
    test_recv(sv, "answer");
    test_close(rs);
    test_close(sv);

    /* BUS: three nodes, one bound, two connected. */
    int b0 = test_socket(AF_SP, NN_BUS);
    int b1 = test_socket(AF_SP, NN_BUS);
    int b2 = test_socket(AF_SP, NN_BUS);
    timeouts(b0, TEST_MUST_MS);
    timeouts(b1, TEST_MUST_MS);
    timeouts(b2, TEST_MUST_MS);
    test_bind(b0, P(23005));
    test_connect(b1, P(23005));
    test_connect(b2, P(23005));
    wait_link(b1, b0);
    wait_link(b2, b0);
    test_send(b1, "from-b1");
    recv_past_probes(b0, "from-b1");
    test_send(b0, "to-all");
    test_recv(b1, "to-all");
    test_recv(b2, "to-all");
    test_close(b2);
    test_close(b1);
    test_close(b0);
}

static void test_msg_type_option(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    CHECK(test_getopt_int(s, NN_WS, NN_WS_MSG_TYPE) == NN_WS_MSG_TYPE_BINARY);
    test_setopt_int(s, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_TEXT);
    CHECK(test_getopt_int(s, NN_WS, NN_WS_MSG_TYPE) == NN_WS_MSG_TYPE_TEXT);
    test_setopt_int(s, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_BINARY);
    CHECK(test_getopt_int(s, NN_WS, NN_WS_MSG_TYPE) == NN_WS_MSG_TYPE_BINARY);

    /* Anything else is not a data frame type. */
    int bad[] = { 0, 3, 8, 9, 10, 0x81, 0x82, -1, 100 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ERR(nn_setsockopt(s, NN_WS, NN_WS_MSG_TYPE, &bad[i],
            sizeof bad[i]), EINVAL);
        CHECK(test_getopt_int(s, NN_WS, NN_WS_MSG_TYPE) ==
            NN_WS_MSG_TYPE_BINARY);
    }
    int v = NN_WS_MSG_TYPE_TEXT;
    CHECK_ERR(nn_setsockopt(s, NN_WS, NN_WS_MSG_TYPE, &v, 2), EINVAL);
    CHECK(test_getopt_int(s, NN_WS, NN_WS_MSG_TYPE) == NN_WS_MSG_TYPE_BINARY);
    /* No such option at this level. */
    CHECK_ERR(nn_setsockopt(s, NN_WS, 99, &v, sizeof v), ENOPROTOOPT);
    test_close(s);

    /* A text sender and a binary sender talk to each other. */
    int t = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    timeouts(t, TEST_MUST_MS);
    timeouts(b, TEST_MUST_MS);
    test_setopt_int(t, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_TEXT);
    test_bind(t, P(23006));
    test_connect(b, P(23006));
    test_send(t, "text h\xc3\xa9llo \xe2\x82\xac");
    test_recv(b, "text h\xc3\xa9llo \xe2\x82\xac");
    test_send(b, "binary back");
    test_recv(t, "binary back");
    test_close(b);
    test_close(t);
}

static void test_large(void)
{
    size_t n = 1536 * 1024 + 3;
    unsigned char *m = malloc(n);
    CHECK(m != NULL);
    for (size_t i = 0; i < n; i++)
        m[i] = (unsigned char) ((i * 131) ^ (i >> 11));
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    timeouts(a, 8000);
    timeouts(b, 8000);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_bind(a, P(23007));
    test_connect(b, P(23007));
    for (int dir = 0; dir < 2; dir++) {
        int from = dir ? a : b, to = dir ? b : a;
        void *p = NULL;
        CHECK(nn_send(from, m, n, 0) == (int) n);
        CHECK(nn_recv(to, &p, NN_MSG, 0) == (int) n);
        CHECK(memcmp(p, m, n) == 0);
        CHECK(nn_freemsg(p) == 0);
    }
    test_send(b, "small after large");
    test_recv(a, "small after large");
    test_close(b);
    test_close(a);
    free(m);
}

static void test_connect_before_bind(void)
{
    int c = test_socket(AF_SP, NN_PAIR);
    int s = test_socket(AF_SP, NN_PAIR);
    timeouts(c, TEST_MUST_MS);
    timeouts(s, TEST_MUST_MS);
    test_connect(c, P(23008));
    sleep_ms(300);
    test_bind(s, P(23008));
    test_send(c, "late bind");
    test_recv(s, "late bind");
    test_send(s, "reply");
    test_recv(c, "reply");
    test_close(c);
    test_close(s);
}

static void test_wildcard_and_slash(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    int c = test_socket(AF_SP, NN_PAIR);
    timeouts(s, TEST_MUST_MS);
    timeouts(c, TEST_MUST_MS);
    test_bind(s, "ws://*:23009");
    test_connect(c, "ws://127.0.0.1:23009");
    test_send(c, "via wildcard");
    test_recv(s, "via wildcard");
    test_send(s, "back");
    test_recv(c, "back");
    test_close(c);
    test_close(s);

    /* A bind without a path serves the default path "/": a connect URI
       ending in "/" reaches it. */
    s = test_socket(AF_SP, NN_REP);
    c = test_socket(AF_SP, NN_REQ);
    timeouts(s, TEST_MUST_MS);
    timeouts(c, TEST_MUST_MS);
    test_bind(s, P(23010));
    test_connect(c, P(23010) "/");
    test_send(c, "slash");
    test_recv(s, "slash");
    test_send(s, "ok");
    test_recv(c, "ok");
    test_close(c);
    test_close(s);
}

static void test_addresses(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    int t = test_socket(AF_SP, NN_PAIR);
    int u = test_socket(AF_SP, NN_PAIR);
    int eid = test_bind(s, P(23011));
    /* The port is taken, for ws and for tcp. */
    CHECK_ERR(nn_bind(t, P(23011)), EADDRINUSE);
    CHECK_ERR(nn_bind(t, "tcp://127.0.0.1:23011"), EADDRINUSE);
    /* Shutting the endpoint down frees it. */
    CHECK(nn_shutdown(s, eid) == 0);
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_bind(t, P(23011)) < 0) {
        CHECK(nn_errno() == EADDRINUSE);
        CHECK(now_ms() < deadline);
        sleep_ms(20);
    }

    CHECK_ERR(nn_connect(u, "ws://*:23012"), EINVAL);
    CHECK_ERR(nn_bind(u, "ws://127.0.0.1:99999"), EINVAL);
    CHECK_ERR(nn_bind(u, "ws://127.0.0.1:port"), EINVAL);
    CHECK_ERR(nn_connect(u, "ws://127.0.0.1:"), EINVAL);
    CHECK_ERR(nn_connect(u, "ws://:23012"), EINVAL);
    /* A bind must name its port: no default of 80 there (upstream: EINVAL,
       also before it looks at the host). */
    CHECK_ERR(nn_bind(u, "ws://127.0.0.1"), EINVAL);
    CHECK_ERR(nn_bind(u, "ws://127.0.0.1/"), EINVAL);
    CHECK_ERR(nn_bind(u, "ws://*"), EINVAL);
    CHECK_ERR(nn_bind(u, "ws://localhost"), EINVAL);
    CHECK_ERR(nn_bind(u, "ws://[::1]"), EINVAL);
    /* No port on connect means 80 (nn_ws(7)); nothing listens there, the
       endpoint is just created and removed. */
    eid = nn_connect(u, "ws://127.0.0.1");
    CHECK(eid >= 0);
    CHECK(nn_shutdown(u, eid) == 0);
    test_close(s);
    test_close(t);
    test_close(u);
}

static void test_server_replaced(void)
{
    int c = test_socket(AF_SP, NN_PAIR);
    int s1 = test_socket(AF_SP, NN_PAIR);
    timeouts(c, TEST_MUST_MS);
    timeouts(s1, TEST_MUST_MS);
    test_bind(s1, P(23013));
    test_connect(c, P(23013));
    test_send(c, "one");
    test_recv(s1, "one");
    test_close(s1);

    /* A new server on the same address; the client reconnects by itself. */
    int s2 = test_socket(AF_SP, NN_PAIR);
    timeouts(s2, TEST_MUST_MS);
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_bind(s2, P(23013)) < 0) {
        CHECK(nn_errno() == EADDRINUSE);
        CHECK(now_ms() < deadline);
        sleep_ms(20);
    }
    test_send(s2, "two");
    test_recv(c, "two");
    test_send(c, "three");
    test_recv(s2, "three");
    test_close(s2);
    test_close(c);
}

int main(void)
{
    alarm(30);
    test_pair();
    test_reqrep();
    test_other_protocols();
    test_msg_type_option();
    test_large();
    test_connect_before_bind();
    test_wildcard_and_slash();
    test_addresses();
    test_server_replaced();
    return 0;
}
