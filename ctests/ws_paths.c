/* ours-only: WebSocket binds with a path, several paths sharing one TCP
   port. Upstream nanomsg 1.1.5 rejects a bind URI with a path (EINVAL) and
   serves every path of a bound port, so this test is expected to fail
   against upstream.

   - REP sockets bound to ws://127.0.0.1:P/a and ws://127.0.0.1:P/b, and a
     PAIR bound to ws://127.0.0.1:P/pair: clients connecting to each path
     reach that socket and no other (each REP answers with its own name),
     and the protocol check is per path;
   - a bind without a path is the default path "/" and coexists with them;
     a deeper path /a/deeper is distinct from /a;
   - binding a path that is already bound: EADDRINUSE; a tcp bind on the
     port: EADDRINUSE;
   - a raw client asking for an unbound path gets an HTTP error status or a
     closed connection, never a 101;
   - closing the socket bound to /a: /a is refused, /b still works, and /a
     can be bound again by another socket;
   - when every ws socket on the port is gone the port is free again;
   - a URL whose path or host holds a space or a control character (which
     would end the request line or a header and let the URL write headers
     of its own) is EINVAL at nn_connect and nn_bind.

   Ports: 23060-23079 (this file's block). */
#define _GNU_SOURCE
#include "testutil.h"
#include "rawsock.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>

#define PORT 23060
#define BASE "ws://127.0.0.1:23060"

static void timeouts(int s)
{
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
}

static int rep_at(const char *addr)
{
    int s = test_socket(AF_SP, NN_REP);
    timeouts(s);
    test_bind(s, addr);
    return s;
}

static int req_to(const char *addr)
{
    int s = test_socket(AF_SP, NN_REQ);
    timeouts(s);
    test_connect(s, addr);
    return s;
}

/* One request from c; exactly the REP `server` must see it and answer with
   its name; the others must see nothing. */
static void route(int c, int server, const char *name, const int *others,
    int nothers)
{
    char buf[64], want[64];
    test_send(c, "who?");
    test_recv(server, "who?");
    for (int i = 0; i < nothers; i++)
        CHECK_ERR(nn_recv(others[i], buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    snprintf(want, sizeof want, "I am %s", name);
    test_send(server, want);
    test_recv(c, want);
}

/* A raw upgrade to path on PORT must not be accepted. */
static void refused(const char *path)
{
    char key[32], head[2048];
    int closed;
    int fd = rs_tcp_connect(PORT);
    rs_ws_key(key);
    CHECK(rs_ws_send_upgrade(fd, path, "rep.sp.nanomsg.org", key) == 0);
    rs_read_http(fd, head, sizeof head, TEST_MUST_MS, &closed);
    int st = rs_http_status(head);
    if (!(st >= 400 || (closed && st < 0))) {
        fprintf(stderr, "path %s: status %d closed %d [%.80s]\n", path, st,
            closed, head);
        CHECK(!"unbound path not refused");
    }
    close(fd);
}

int main(void)
{
    alarm(30);
    signal(SIGPIPE, SIG_IGN);

    int sa = rep_at(BASE "/a");
    int sb = rep_at(BASE "/b");
    int sroot = rep_at(BASE);
    int sdeep = rep_at(BASE "/a/deeper");
    int spair = test_socket(AF_SP, NN_PAIR);
    timeouts(spair);
    test_bind(spair, BASE "/pair");

    int ca = req_to(BASE "/a");
    int cb = req_to(BASE "/b");
    int croot = req_to(BASE "/");
    int cdeep = req_to(BASE "/a/deeper");
    int cpair = test_socket(AF_SP, NN_PAIR);
    timeouts(cpair);
    test_connect(cpair, BASE "/pair");

    for (int round = 0; round < 3; round++) {
        int o1[] = { sb, sroot, sdeep };
        route(ca, sa, "a", o1, 3);
        int o2[] = { sa, sroot, sdeep };
        route(cb, sb, "b", o2, 3);
        int o3[] = { sa, sb, sdeep };
        route(croot, sroot, "root", o3, 3);
        int o4[] = { sa, sb, sroot };
        route(cdeep, sdeep, "deep", o4, 3);
    }
    test_send(cpair, "pair path");
    test_recv(spair, "pair path");
    test_send(spair, "pair back");
    test_recv(cpair, "pair back");

    /* Protocol checks are per path: a REQ's upgrade to the PAIR's path is
       refused, to a REP's path accepted. */
    {
        char key[32], head[2048];
        int closed;
        int fd = rs_tcp_connect(PORT);
        rs_ws_key(key);
        CHECK(rs_ws_send_upgrade(fd, "/pair", "rep.sp.nanomsg.org", key) == 0);
        rs_read_http(fd, head, sizeof head, TEST_MUST_MS, &closed);
        CHECK(rs_http_status(head) >= 400 || (closed && rs_http_status(head) < 0));
        close(fd);
        fd = rs_ws_client(PORT, "/b", "rep.sp.nanomsg.org");
        close(fd);
    }

    /* Taken: the same path again, and the port for tcp. */
    int other = test_socket(AF_SP, NN_REP);
    CHECK_ERR(nn_bind(other, BASE "/a"), EADDRINUSE);
    CHECK_ERR(nn_bind(other, BASE "/b"), EADDRINUSE);
    CHECK_ERR(nn_bind(other, "tcp://127.0.0.1:23060"), EADDRINUSE);

    /* URLs that would write the request's headers themselves. */
    CHECK_ERR(nn_connect(other, BASE "/x HTTP/1.1\r\nX-Evil: 1"), EINVAL);
    CHECK_ERR(nn_connect(other, BASE "/a\nb"), EINVAL);
    CHECK_ERR(nn_connect(other, "ws://127.0.0.1\r\n:23060/a"), EINVAL);
    CHECK_ERR(nn_bind(other, BASE "/a b"), EINVAL);
    CHECK_ERR(nn_bind(other, BASE "/\x7f"), EINVAL);

    /* Unbound paths. */
    refused("/c");
    refused("/ab");
    refused("/b/deeper");

    /* /a goes away; /b stays; /a can be taken again. */
    test_close(ca);
    test_close(sa);
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        char key[32], head[2048];
        int closed;
        int fd = rs_tcp_connect(PORT);
        rs_ws_key(key);
        CHECK(rs_ws_send_upgrade(fd, "/a", "rep.sp.nanomsg.org", key) == 0);
        rs_read_http(fd, head, sizeof head, TEST_MUST_MS, &closed);
        close(fd);
        if (rs_http_status(head) != 101)
            break;
        CHECK(now_ms() < deadline);
        sleep_ms(50);
    }
    {
        int o[] = { sroot, sdeep };
        route(cb, sb, "b", o, 2);
    }
    while (nn_bind(other, BASE "/a") < 0) {
        CHECK(nn_errno() == EADDRINUSE);
        CHECK(now_ms() < deadline);
        sleep_ms(20);
    }
    timeouts(other);
    ca = req_to(BASE "/a");
    {
        int o[] = { sb, sroot, sdeep };
        route(ca, other, "a again", o, 3);
    }

    /* Everything on the port closed: the port is free. */
    test_close(ca);
    test_close(cb);
    test_close(croot);
    test_close(cdeep);
    test_close(cpair);
    test_close(other);
    test_close(sb);
    test_close(sroot);
    test_close(sdeep);
    test_close(spair);
    int t = test_socket(AF_SP, NN_PAIR);
    deadline = now_ms() + TEST_MUST_MS;
    while (nn_bind(t, "tcp://127.0.0.1:23060") < 0) {
        CHECK(nn_errno() == EADDRINUSE);
        CHECK(now_ms() < deadline);
        sleep_ms(20);
    }
    test_close(t);
    return 0;
}
