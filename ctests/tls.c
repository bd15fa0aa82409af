/* ours-only: tls+tcp:// (nng's TLS over TCP) and wss:// (WebSocket over
   TLS), with certificates made at test time (tlscerts.h; SKIP without the
   openssl CLI). Every protocol pair (PAIR, REQ/REP, PUSH/PULL, PUB/SUB,
   SURVEYOR/RESPONDENT, BUS) over both, each side binding in turn; large
   messages and a burst of small ones both ways; messages sent just
   before nn_close all arrive; IPv6, an interface name
   and `local;remote`; wss paths on one port; the errors nn_bind and
   nn_connect give for TLS options that cannot work (EINVAL, ENOENT) and
   for ws:// and wss:// on one port (EADDRINUSE).
   Ports: 24640-24669 (this file's block; the large-message runs
   reuse the first two ports, closed by then, and the close runs share
   the last). */
#include "testutil.h"
#include "tlscerts.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>
#include <nanomsg/tcp.h>

#define PORT_BASE 24640
#define PORT_COUNT 30

static int next_port;

static int sock(int proto)
{
    int s = test_socket_timeo(AF_SP, proto, TEST_MUST_MS, TEST_MUST_MS);
    tls_both(s);
    return s;
}

/* One pair over `url`: binder binds, dialer connects, messages pass the
   way the protocols allow. */
static void exchange(int pa, int pb, const char *scheme, int a_binds)
{
    char url[128];
    int port = TEST_PORT(next_port++);
    int a = sock(pa), b = sock(pb);
    if (strcmp(scheme, "wss") == 0)
        test_addr(url, sizeof url, "wss://127.0.0.1:%d/p", port);
    else
        test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", port);
    if (pb == NN_SUB)
        CHECK(nn_setsockopt(b, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    test_bind(a_binds ? a : b, url);
    test_connect(a_binds ? b : a, url);
    switch (pa) {
    case NN_PAIR:
    case NN_BUS:
        test_await_link(a, b, "a to b");
        test_await_link(b, a, "b to a");
        test_send(a, "again");
        test_recv(b, "again");
        break;
    case NN_REQ:
        test_send(a, "question");
        test_recv(b, "question");
        test_send(b, "answer");
        test_recv(a, "answer");
        break;
    case NN_PUSH:
        test_send(a, "pushed");
        test_recv(b, "pushed");
        break;
    case NN_PUB:
        test_await_link(a, b, "news");
        test_send(a, "more news");
        test_recv(b, "more news");
        break;
    case NN_SURVEYOR:
        test_await_link(a, b, "early survey");
        test_drain(b, 50);
        test_send(a, "survey");
        test_recv(b, "survey");
        test_send(b, "vote");
        test_recv(a, "vote");
        break;
    default:
        CHECK(0);
    }
    test_close(a);
    test_close(b);
}

static void protocols(const char *scheme)
{
    static const int pairs[][2] = { { NN_PAIR, NN_PAIR }, { NN_REQ, NN_REP },
        { NN_PUSH, NN_PULL }, { NN_PUB, NN_SUB },
        { NN_SURVEYOR, NN_RESPONDENT }, { NN_BUS, NN_BUS } };
    size_t i;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; ++i) {
        exchange(pairs[i][0], pairs[i][1], scheme, 1);
        exchange(pairs[i][0], pairs[i][1], scheme, 0);
    }
}

/* Large messages (straight into their own bodies) and a burst of small
   ones (corked), both ways at once, in order. */
static void *large_side(void *arg)
{
    int s = *(int *) arg;
    size_t big = 900 * 1000;
    char *buf = malloc(big);
    int i;
    CHECK(buf != NULL);
    for (i = 0; i < 6; ++i) {
        memset(buf, 'a' + i, big);
        CHECK(nn_send(s, buf, big - i, 0) == (int) (big - i));
    }
    for (i = 0; i < 3000; ++i) {
        char m[32];
        int n = snprintf(m, sizeof m, "small %d", i);
        CHECK(nn_send(s, m, (size_t) n, 0) == n);
    }
    free(buf);
    return NULL;
}

static void check_large(int s)
{
    size_t big = 900 * 1000;
    char *buf = malloc(big + 1);
    int i;
    CHECK(buf != NULL);
    for (i = 0; i < 6; ++i) {
        CHECK(nn_recv(s, buf, big + 1, 0) == (int) (big - i));
        CHECK(buf[0] == 'a' + i && buf[big - i - 1] == 'a' + i);
        CHECK(buf[big / 2] == 'a' + i);
    }
    for (i = 0; i < 3000; ++i) {
        char m[32];
        int n = snprintf(m, sizeof m, "small %d", i);
        CHECK(nn_recv(s, buf, big, 0) == n);
        CHECK(memcmp(buf, m, (size_t) n) == 0);
    }
    free(buf);
}

static void large(const char *url)
{
    int a = sock(NN_PAIR), b = sock(NN_PAIR);
    test_thread ta, tb;
    test_bind(a, url);
    test_connect(b, url);
    test_thread_start(&ta, large_side, &a);
    test_thread_start(&tb, large_side, &b);
    check_large(b);
    check_large(a);
    test_thread_join(&ta);
    test_thread_join(&tb);
    test_close(a);
    test_close(b);
}

/* What a sender queued before nn_close still goes out (linger), and what
   arrived before its close_notify is delivered before the pipe goes. */
static void close_after_send(const char *url)
{
    int pull = sock(NN_PULL), push = sock(NN_PUSH), i;
    char buf[64];
    test_bind(pull, url);
    test_connect(push, url);
    test_send(push, "first");
    test_recv(pull, "first");
    for (i = 0; i < 500; ++i) {
        char m[32];
        int n = snprintf(m, sizeof m, "message %d", i);
        CHECK(nn_send(push, m, (size_t) n, 0) == n);
    }
    test_close(push);
    for (i = 0; i < 500; ++i) {
        char m[32];
        int n = snprintf(m, sizeof m, "message %d", i);
        CHECK(nn_recv(pull, buf, sizeof buf, 0) == n);
        CHECK(memcmp(buf, m, (size_t) n) == 0);
    }
    test_recv_none(pull, 50);
    test_close(pull);
}

static void pair_on(const char *bind_url, const char *connect_url, int v6)
{
    int a = sock(NN_PAIR), b = sock(NN_PAIR);
    if (v6) {
        test_setopt_int(a, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
        test_setopt_int(b, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    }
    test_bind(a, bind_url);
    test_connect(b, connect_url);
    test_send(b, "hello");
    test_recv(a, "hello");
    test_send(a, "back");
    test_recv(b, "back");
    test_close(a);
    test_close(b);
}

static void addresses(void)
{
    char b[128], c[128];
    int port = TEST_PORT(next_port++);
    /* An interface name, and a dialer bound to a local address that
       names its server by DNS name. */
    test_addr(b, sizeof b, "tls+tcp://lo:%d", port);
    test_addr(c, sizeof c, "tls+tcp://127.0.0.1;localhost:%d", port);
    pair_on(b, c, 0);
    /* wss with the default path and a named one on one port. */
    port = TEST_PORT(next_port++);
    test_addr(b, sizeof b, "wss://127.0.0.1:%d", port);
    test_addr(c, sizeof c, "wss://localhost:%d/", port);
    pair_on(b, c, 0);
    /* IPv6, when the loopback has it. */
    port = TEST_PORT(next_port);
    {
        int s = test_socket(AF_SP, NN_PAIR);
        test_setopt_int(s, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
        tls_both(s);
        test_addr(b, sizeof b, "tls+tcp://[::1]:%d", port);
        int eid = nn_bind(s, b);
        test_close(s);
        if (eid < 0) {
            fprintf(stderr, "no IPv6 loopback: IPv6 part skipped\n");
            return;
        }
    }
    port = TEST_PORT(next_port++);
    test_addr(b, sizeof b, "tls+tcp://[::1]:%d", port);
    pair_on(b, b, 1);
    port = TEST_PORT(next_port++);
    test_addr(b, sizeof b, "wss://[::1]:%d/six", port);
    pair_on(b, b, 1);
}

static void errors(void)
{
    char url[128], p[512];
    int port = TEST_PORT(next_port++);
    int s = test_socket(AF_SP, NN_PAIR);
    /* A listener needs a certificate; a dialer that verifies needs CAs. */
    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", port);
    CHECK_ERR(nn_bind(s, url), EINVAL);
    CHECK_ERR(nn_connect(s, url), EINVAL);
    test_addr(url, sizeof url, "wss://127.0.0.1:%d/x", port);
    CHECK_ERR(nn_bind(s, url), EINVAL);
    CHECK_ERR(nn_connect(s, url), EINVAL);
    /* Files that are not there. */
    tls_set_file(s, NN_TLS_CA_FILE, "nothing-here.pem");
    tls_set_file(s, NN_TLS_CERT_KEY_FILE, "nothing-either.pem");
    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", port);
    CHECK_ERR(nn_connect(s, url), ENOENT);
    CHECK_ERR(nn_bind(s, url), ENOENT);
    /* A certificate without its key; the CA file is no key file. */
    tls_set_file(s, NN_TLS_CERT_KEY_FILE, "server.crt");
    CHECK_ERR(nn_bind(s, url), EINVAL);
    tls_set_file(s, NN_TLS_CERT_KEY_FILE, "server.pem");
    /* ws:// and wss:// do not share a port. */
    test_addr(url, sizeof url, "wss://127.0.0.1:%d/a", port);
    test_bind(s, url);
    test_addr(url, sizeof url, "ws://127.0.0.1:%d/b", port);
    CHECK_ERR(nn_bind(s, url), EADDRINUSE);
    /* A bad server name. */
    CHECK(nn_setsockopt(s, NN_TLS, NN_TLS_SERVER_NAME, "bad name!", 9) == 0);
    tls_set_file(s, NN_TLS_CA_FILE, "ca.pem");
    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", port);
    CHECK_ERR(nn_connect(s, url), EINVAL);
    (void) p;
    test_close(s);
}

int main(void)
{
    int rc = tls_certs_make();
    if (rc != 0)
        return rc;
    errors();
    protocols("tls+tcp");
    protocols("wss");
    addresses();
    {
        char url[128];
        test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", TEST_PORT(0));
        large(url);
        test_addr(url, sizeof url, "wss://127.0.0.1:%d/big", TEST_PORT(1));
        large(url);
        test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", TEST_PORT(29));
        close_after_send(url);
        test_addr(url, sizeof url, "wss://127.0.0.1:%d/c", TEST_PORT(29));
        close_after_send(url);
    }
    tls_certs_remove();
    return 0;
}
