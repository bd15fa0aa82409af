/* ours-only: WebSocket cases where upstream nanomsg 1.1.5 misbehaves
   (crashes, or accepts what it has refused), so this test is expected to
   fail against upstream. Each case is a function; `ws_bad_upgrade NAME`
   runs only that case (handy to see which one upstream trips on).

   Server side, an nn PAIR bound on ws and raw TCP clients:
   - refused:   requests with Sec-WebSocket-Version 8, a protocol the PAIR
                does not speak (rep.sp.nanomsg.org), an unknown protocol
                ("chat"), no Upgrade header, no Connection header. Each gets
                an HTTP error status (>= 400) or a closed connection, a frame
                the client sends afterwards never comes out of nn_recv, and
                a good client is served meanwhile. (Upstream answers 400 and
                then attaches the connection as a pipe anyway: the "refused"
                client's frames are delivered and it takes the PAIR's slot.)
   - method:    POST and an HTTP/1.0 GET get an error status or a close.
                (Upstream: assertion failure, ws_handshake.c:1340.)
   - longhead:  a 100 KB request head, alongside other pending handshakes,
                gets an error status or a close. (Upstream: sometimes "Out of
                memory" abort at ws_handshake.c:1345.)
   - trailing:  an invalid head (no key / no protocol) followed at once by
                frame bytes gets an error status or a close. (Upstream:
                assertion "strlen (pos) == 0", ws_handshake.c:992.)
   - paths:     a socket bound to ws://127.0.0.1:P/a: GET /a upgrades, GET /b
                gets an error status or a close. (Upstream cannot bind a
                path: EINVAL.)
   - ping:      a ping is answered with a pong carrying the same payload and
                is not delivered as a message; an unsolicited pong is not
                delivered either; a ping between the frames of a fragmented
                message is answered and the message arrives whole. (Upstream
                delivers ping and pong payloads as messages and never
                pongs.)
   Client side, an nn PAIR connecting to a raw listener:
   - wrongproto: a 101 whose Sec-WebSocket-Protocol is not the one asked
                for (rep.sp.nanomsg.org instead of pair.sp.nanomsg.org)
                makes the client drop the connection. (Upstream accepts it.)
   - clientping: a ping from the server is answered with a masked pong and
                not delivered. (Upstream delivers it.)
   Both ends nn:
   - oversize:  a message one byte over the receiver's NN_RCVMAXSIZE is not
                delivered, and the connecting side comes back: small
                messages flow again within 5 s. (Upstream's ws client never
                reconnects after the receiver fails the connection.)
   In every case the process stays alive and the socket keeps serving.

   Ports: 23040-23059 (this file's block). */
#define _GNU_SOURCE
#include "testutil.h"
#include "rawsock.h"
#include <nanomsg/pair.h>
#include <nanomsg/ws.h>

#define PORT_REFUSED 23040
#define PORT_METHOD 23041
#define PORT_LONG 23042
#define PORT_TRAIL 23043
#define PORT_PATHS 23044
#define PORT_PING 23045
#define PORT_CLI 23046
#define PORT_CLI2 23047
#define PORT_OVERSIZE 23048

static int bound_pair(const char *addr)
{
    int s = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_bind(s, addr);
    return s;
}

/* A raw client upgraded at path that the PAIR s has taken as its peer
   (retries while an earlier peer's pipe is going away; TEST_MUST_MS at
   most). The first message nn_recv returns must be this client's. A
   client is given up only once the server has closed its connection (it
   was refused): one that is merely slow to be served stays, so no
   message from a given-up client can turn up later. */
static int pair_peer(int s, int port, const char *path)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    for (;;) {
        char buf[32];
        int fd = rs_ws_client(port, path, "pair.sp.nanomsg.org");
        CHECK(rs_ws_send_frame(fd, 2, 1, 1, "hello?", 6) == 0);
        for (;;) {
            int n = nn_recv(s, buf, sizeof buf, 0);
            if (n >= 0) {
                if (n != 6 || memcmp(buf, "hello?", 6) != 0)
                    fprintf(stderr, "unexpected message [%.*s]\n", n, buf);
                CHECK(n == 6 && memcmp(buf, "hello?", 6) == 0);
                test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
                return fd;
            }
            CHECK(nn_errno() == ETIMEDOUT);
            CHECK(now_ms() < deadline);
            if (rs_wait_closed(fd, 10))
                break; /* refused */
        }
        close(fd);
        sleep_ms(50);
    }
}

static void good_client(int s, int port, const char *path)
{
    int op, fin, masked;
    char buf[64];
    int fd = pair_peer(s, port, path);
    test_send(s, "still serving");
    CHECK(rs_ws_recv_frame(fd, &op, &fin, &masked, buf, sizeof buf,
        TEST_MUST_MS) == 13);
    CHECK(op == 2 && fin == 1 && masked == 0);
    CHECK(memcmp(buf, "still serving", 13) == 0);
    close(fd);
}

/* Waits for an error status (>= 400) or a close on fd; fails on a 101 or
   on nothing within timeout_ms. */
static void expect_refused(int fd, const char *what, int timeout_ms)
{
    char head[4096];
    int closed;
    rs_read_http(fd, head, sizeof head, timeout_ms, &closed);
    int st = rs_http_status(head);
    /* An error status, or a close without any success status. */
    if (st >= 400 || (closed && st < 0 && strncmp(head, "HTTP/1.1 1", 10) != 0))
        return;
    fprintf(stderr, "'%s': not refused: status %d closed %d [%.80s]\n", what,
        st, closed, head);
    CHECK(!"bad request not refused");
}

static void send_str(int fd, const char *s)
{
    (void) rs_send_all(fd, s, strlen(s));
}

#define HDRS(ver, proto) \
    "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
    "Sec-WebSocket-Version: " ver "\r\n" \
    "Sec-WebSocket-Protocol: " proto "\r\n"

static void case_refused(void)
{
    static const char *names[] = { "version 8", "incompatible protocol",
        "unknown protocol", "no Upgrade header", "no Connection header" };
    static const char *reqs[] = {
        "GET / HTTP/1.1\r\n" HDRS("8", "pair.sp.nanomsg.org") "\r\n",
        "GET / HTTP/1.1\r\n" HDRS("13", "rep.sp.nanomsg.org") "\r\n",
        "GET / HTTP/1.1\r\n" HDRS("13", "chat") "\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n",
    };
    int s = bound_pair("ws://127.0.0.1:23040");
    int fds[5];
    for (int i = 0; i < 5; i++) {
        fds[i] = rs_tcp_connect(PORT_REFUSED);
        send_str(fds[i], reqs[i]);
        expect_refused(fds[i], names[i], TEST_MUST_MS);
        /* Whatever the refused client sends now must go nowhere. */
        (void) rs_ws_send_frame(fds[i], 2, 1, 1, "sneaky!", 7);
    }
    /* With all of them still open, a good client gets the PAIR. */
    good_client(s, PORT_REFUSED, "/");
    char buf[16];
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    CHECK_ERR(nn_recv(s, buf, sizeof buf, 0), ETIMEDOUT);
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    good_client(s, PORT_REFUSED, "/");
    test_close(s);
}

static void case_method(void)
{
    int s = bound_pair("ws://127.0.0.1:23041");
    int fd = rs_tcp_connect(PORT_METHOD);
    send_str(fd, "POST / HTTP/1.1\r\n" HDRS("13", "pair.sp.nanomsg.org")
        "Content-Length: 0\r\n\r\n");
    expect_refused(fd, "POST", TEST_MUST_MS);
    close(fd);
    good_client(s, PORT_METHOD, "/");

    fd = rs_tcp_connect(PORT_METHOD);
    send_str(fd, "GET / HTTP/1.0\r\n" HDRS("13", "pair.sp.nanomsg.org") "\r\n");
    expect_refused(fd, "HTTP/1.0", TEST_MUST_MS);
    close(fd);
    good_client(s, PORT_METHOD, "/");

    fd = rs_tcp_connect(PORT_METHOD);
    send_str(fd, "BREW /pot HTTP/1.1\r\n\r\n");
    expect_refused(fd, "BREW", TEST_MUST_MS);
    close(fd);
    good_client(s, PORT_METHOD, "/");
    test_close(s);
}

static void case_longhead(void)
{
    static char huge[100 * 1024 + 64];
    int s = bound_pair("ws://127.0.0.1:23042");
    int pending[3];
    /* Other handshakes in progress at the same time. */
    for (int i = 0; i < 3; i++) {
        pending[i] = rs_tcp_connect(PORT_LONG);
        send_str(pending[i], "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }
    strcpy(huge, "GET / HTTP/1.1\r\nX-Filler: ");
    size_t hl = strlen(huge);
    memset(huge + hl, 'a', 100 * 1024);
    strcpy(huge + hl + 100 * 1024, "\r\n\r\n");
    for (int round = 0; round < 3; round++) {
        int fd = rs_tcp_connect(PORT_LONG);
        (void) rs_send_all(fd, huge, strlen(huge));
        expect_refused(fd, "100 KB head", TEST_MUST_MS);
        close(fd);
        good_client(s, PORT_LONG, "/");
    }
    for (int i = 0; i < 3; i++)
        close(pending[i]);
    good_client(s, PORT_LONG, "/");
    test_close(s);
}

static void case_trailing(void)
{
    static const char *heads[] = {
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n",
    };
    int s = bound_pair("ws://127.0.0.1:23043");
    for (int i = 0; i < 2; i++) {
        int fd = rs_tcp_connect(PORT_TRAIL);
        char buf[512];
        size_t n = strlen(heads[i]);
        memcpy(buf, heads[i], n);
        /* A masked frame "sneaky!" in the same write (zero mask). */
        static const unsigned char fr[] = { 0x82, 0x87, 0, 0, 0, 0, 's', 'n',
            'e', 'a', 'k', 'y', '!' };
        memcpy(buf + n, fr, sizeof fr);
        (void) rs_send_all(fd, buf, n + sizeof fr);
        expect_refused(fd, i ? "no protocol + frame" : "no key + frame", TEST_MUST_MS);
        close(fd);
        good_client(s, PORT_TRAIL, "/");
    }
    test_close(s);
}

static void case_paths(void)
{
    int s = bound_pair("ws://127.0.0.1:23044/a");
    good_client(s, PORT_PATHS, "/a");
    int fd = rs_tcp_connect(PORT_PATHS);
    char key[32];
    rs_ws_key(key);
    CHECK(rs_ws_send_upgrade(fd, "/b", "pair.sp.nanomsg.org", key) == 0);
    expect_refused(fd, "wrong path /b", TEST_MUST_MS);
    close(fd);
    fd = rs_tcp_connect(PORT_PATHS);
    CHECK(rs_ws_send_upgrade(fd, "/", "pair.sp.nanomsg.org", key) == 0);
    expect_refused(fd, "wrong path /", TEST_MUST_MS);
    close(fd);
    good_client(s, PORT_PATHS, "/a");
    test_close(s);
}

/* Reads frames until a pong; returns its payload length (payload in buf).
   Any data frame before it fails the test. */
static long read_pong(int fd, unsigned char *buf, size_t cap, int want_masked)
{
    int op = -1, fin = 0, masked = 0;
    long n = rs_ws_recv_frame(fd, &op, &fin, &masked, buf, cap,
        TEST_MUST_MS);
    if (n < 0 || op != 10)
        fprintf(stderr, "expected a pong, got opcode %d len %ld\n", op, n);
    CHECK(n >= 0);
    CHECK(op == 10);
    CHECK(fin == 1);
    CHECK(masked == want_masked);
    return n;
}

static void case_ping(void)
{
    unsigned char buf[256];
    char m[32];
    int s = bound_pair("ws://127.0.0.1:23045");
    int fd = pair_peer(s, PORT_PING, "/");

    CHECK(rs_ws_send_frame(fd, 9, 1, 1, "are you there", 13) == 0);
    CHECK(read_pong(fd, buf, sizeof buf, 0) == 13);
    CHECK(memcmp(buf, "are you there", 13) == 0);
    CHECK(rs_ws_send_frame(fd, 9, 1, 1, "", 0) == 0);
    CHECK(read_pong(fd, buf, sizeof buf, 0) == 0);
    /* An unsolicited pong is ignored. */
    CHECK(rs_ws_send_frame(fd, 10, 1, 1, "unasked", 7) == 0);
    /* A ping between the fragments of one message. */
    CHECK(rs_ws_send_frame(fd, 2, 0, 1, "first-", 6) == 0);
    CHECK(rs_ws_send_frame(fd, 9, 1, 1, "mid", 3) == 0);
    CHECK(rs_ws_send_frame(fd, 0, 1, 1, "second", 6) == 0);
    CHECK(read_pong(fd, buf, sizeof buf, 0) == 3);
    CHECK(memcmp(buf, "mid", 3) == 0);
    /* The only message is the reassembled one: no ping/pong payloads. */
    int n = nn_recv(s, m, sizeof m, 0);
    CHECK(n == 12 && memcmp(m, "first-second", 12) == 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    CHECK_ERR(nn_recv(s, m, sizeof m, 0), ETIMEDOUT);
    close(fd);
    good_client(s, PORT_PING, "/");
    test_close(s);
}

/* Accepts the nn client's connection on l and answers its upgrade with a
   correct accept value and the given protocol. */
static int accept_upgrade(int l, const char *proto)
{
    char head[4096], key[64], acc[64], resp[512];
    int fd = rs_accept_http(l, head, sizeof head, TEST_MUST_MS);
    CHECK(fd >= 0);
    CHECK(rs_http_header(head, "Sec-WebSocket-Key", key, sizeof key));
    rs_ws_accept(key, acc);
    snprintf(resp, sizeof resp,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
        "Sec-WebSocket-Protocol: %s\r\n\r\n", acc, proto);
    CHECK(rs_send_all(fd, resp, strlen(resp)) == 0);
    return fd;
}

static void case_wrongproto(void)
{
    char buf[64];
    int l = rs_tcp_listen(PORT_CLI);
    int p = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
    test_connect(p, "ws://127.0.0.1:23046/");
    int fd = accept_upgrade(l, "rep.sp.nanomsg.org");
    (void) rs_ws_send_frame(fd, 2, 1, 0, "must not arrive", 15);
    if (!rs_wait_closed(fd, TEST_MUST_MS))
        CHECK(!"client kept a connection with the wrong protocol");
    CHECK_ERR(nn_recv(p, buf, sizeof buf, 0), ETIMEDOUT);
    close(fd);
    test_close(p);
    close(l);
}

static void case_clientping(void)
{
    unsigned char buf[64];
    int l = rs_tcp_listen(PORT_CLI2);
    int p = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(p, "ws://127.0.0.1:23047/");
    int fd = accept_upgrade(l, "pair.sp.nanomsg.org");
    CHECK(rs_ws_send_frame(fd, 9, 1, 0, "srv-ping", 8) == 0);
    CHECK(read_pong(fd, buf, sizeof buf, 1) == 8);
    CHECK(memcmp(buf, "srv-ping", 8) == 0);
    CHECK(rs_ws_send_frame(fd, 2, 1, 0, "data", 4) == 0);
    test_recv(p, "data");
    close(fd);
    test_close(p);
    close(l);
}

static void case_oversize(void)
{
    char buf[16];
    void *m = NULL;
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(b, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_bind(a, "ws://127.0.0.1:23048");
    test_connect(b, "ws://127.0.0.1:23048");
    test_send(b, "before");
    test_recv(a, "before");
    size_t n = 1024 * 1024 + 1;
    char *big = calloc(1, n);
    CHECK(big != NULL);
    CHECK(nn_send(b, big, n, 0) == (int) n);
    free(big);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    CHECK_ERR(nn_recv(a, &m, NN_MSG, 0), ETIMEDOUT);
    /* The client reconnects and traffic flows again. */
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    test_setopt_int(b, NN_SOL_SOCKET, NN_SNDTIMEO, 200);
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        if (nn_send(b, "again", 5, 0) == 5 && nn_recv(a, buf, sizeof buf, 0) == 5)
            break;
        if (now_ms() > deadline)
            CHECK(!"ws connection did not come back after an oversized message");
    }
    test_close(b);
    test_close(a);
}

static const struct {
    const char *name;
    void (*fn)(void);
} cases[] = {
    { "refused", case_refused },
    { "method", case_method },
    { "longhead", case_longhead },
    { "trailing", case_trailing },
    { "paths", case_paths },
    { "ping", case_ping },
    { "wrongproto", case_wrongproto },
    { "clientping", case_clientping },
    { "oversize", case_oversize },
};

int main(int argc, char **argv)
{
    alarm(30);
    signal(SIGPIPE, SIG_IGN);
    rs_selftest();
    int ran = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        cases[i].fn();
        ran++;
    }
    CHECK(ran > 0);
    return 0;
}
