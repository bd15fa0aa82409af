/* REQ/REP over tcp (and ipc) when the peer goes away (what upstream calls
   bug328): connection state as nn_get_statistic reports it, and what each
   side's calls do afterwards.
   - connected: the REP counts ACCEPTED_CONNECTIONS 1, the REQ
     ESTABLISHED_CONNECTIONS 1, both CURRENT_CONNECTIONS 1; a round trip
     works;
   - the REP closes: the REQ counts BROKEN_CONNECTIONS 1 and
     CURRENT_CONNECTIONS 0 (DROPPED_CONNECTIONS stays 0); a new request
     is accepted by nn_send (REQ holds it), nn_recv times out (ETIMEDOUT);
     a new REP bound to the same address is reached (ESTABLISHED 2,
     CURRENT 1 on the REQ), gets that request and its reply reaches the
     REQ;
   - the REQ closes while the REP holds its request: the REP counts
     BROKEN 1 and CURRENT 0; its reply still "succeeds" (nn_send returns
     the length; the reply is dropped), a second nn_send is EFSM (no
     request pending), a non-blocking recv is EAGAIN; a new REQ is served
     and never sees the dropped reply.
   Statistics change in the background, so each expectation is polled
   with a deadline. Validated against upstream nanomsg 1.1.5.
   Ports: 24100-24119 (this file's block; uses 24100-24101); ipc paths
   /tmp/nn-reqrep-gone-<pid>-<n>.ipc. */
#include "testutil.h"
#include <nanomsg/reqrep.h>

#define PORT_BASE 24100
#define PORT_COUNT 20

static const char *transport;

#define WAIT_STAT(s, stat, v) wait_stat_(__LINE__, (s), (stat), #stat,    \
    (uint64_t) (v))

static void wait_stat_(int line, int s, int stat, const char *name,
    uint64_t v)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        uint64_t cur = nn_get_statistic(s, stat);
        if (cur == v)
            return;
        if (now_ms() >= deadline) {
            fprintf(stderr, "%s:%d: %s: socket %d: %s is %llu, expected "
                "%llu\n", __FILE__, line, transport, s, name,
                (unsigned long long) cur, (unsigned long long) v);
            exit(1);
        }
        sleep_ms(5);
    }
}

static void test_rep_closes(void)
{
    char addr[128], buf[16];
    test_addr_on(addr, sizeof addr, transport, "reqrep-gone", 0, TEST_PORT(0));
    int rep = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    int req = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(rep, addr);
    test_connect(req, addr);
    WAIT_STAT(rep, NN_STAT_ACCEPTED_CONNECTIONS, 1);
    WAIT_STAT(rep, NN_STAT_CURRENT_CONNECTIONS, 1);
    WAIT_STAT(req, NN_STAT_ESTABLISHED_CONNECTIONS, 1);
    WAIT_STAT(req, NN_STAT_CURRENT_CONNECTIONS, 1);
    test_send(req, "ping");
    test_recv(rep, "ping");
    test_send(rep, "pong");
    test_recv(req, "pong");

    test_close(rep);
    WAIT_STAT(req, NN_STAT_BROKEN_CONNECTIONS, 1);
    WAIT_STAT(req, NN_STAT_CURRENT_CONNECTIONS, 0);
    CHECK(nn_get_statistic(req, NN_STAT_DROPPED_CONNECTIONS) == 0);

    /* REQ takes a request with no peer and waits for one. */
    test_send(req, "pending");
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), ETIMEDOUT);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);

    /* A new REP on the same address. */
    rep = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(rep, addr);
    WAIT_STAT(req, NN_STAT_ESTABLISHED_CONNECTIONS, 2);
    WAIT_STAT(req, NN_STAT_CURRENT_CONNECTIONS, 1);
    WAIT_STAT(rep, NN_STAT_CURRENT_CONNECTIONS, 1);
    test_recv(rep, "pending");
    test_send(rep, "served");
    test_recv(req, "served");
    test_send(req, "more");
    test_recv(rep, "more");
    test_send(rep, "yes");
    test_recv(req, "yes");
    test_close(req);
    WAIT_STAT(rep, NN_STAT_CURRENT_CONNECTIONS, 0);
    test_close(rep);
}

static void test_req_closes(void)
{
    char addr[128], buf[16];
    test_addr_on(addr, sizeof addr, transport, "reqrep-gone", 1, TEST_PORT(1));
    int rep = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    int req = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(rep, addr);
    test_connect(req, addr);
    WAIT_STAT(rep, NN_STAT_CURRENT_CONNECTIONS, 1);
    test_send(req, "question");
    test_recv(rep, "question");

    test_close(req);
    WAIT_STAT(rep, NN_STAT_BROKEN_CONNECTIONS, 1);
    WAIT_STAT(rep, NN_STAT_CURRENT_CONNECTIONS, 0);
    CHECK(nn_get_statistic(rep, NN_STAT_DROPPED_CONNECTIONS) == 0);

    /* The reply goes nowhere but the call succeeds; then there is no
       request to answer. */
    CHECK(nn_send(rep, "lost", 4, 0) == 4);
    CHECK_ERR(nn_send(rep, "lost", 4, 0), EFSM);
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* A new client is served and sees nothing of the old exchange. */
    req = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_connect(req, addr);
    WAIT_STAT(rep, NN_STAT_ACCEPTED_CONNECTIONS, 2);
    WAIT_STAT(rep, NN_STAT_CURRENT_CONNECTIONS, 1);
    test_send(req, "new");
    test_recv(rep, "new");
    test_send(rep, "fresh");
    test_recv(req, "fresh");
    test_close(req);
    test_close(rep);
}

int main(int argc, char **argv)
{
    static const char *trs[] = { "tcp", "ipc" };
    alarm(30);
    for (int i = 0; i < 2; i++) {
        if (argc > 1 && strcmp(argv[1], trs[i]) != 0)
            continue;
        transport = trs[i];
        test_rep_closes();
        test_req_closes();
    }
    return 0;
}
