/* The WebSocket transport on the wire, checked with hand-written raw TCP
   peers (RFC 6455 + the SP WebSocket mapping).

   Server side (an nn PAIR bound on ws, a raw client):
   - a correct upgrade gets "HTTP/1.1 101" with the right
     Sec-WebSocket-Accept (SHA-1 + base64 computed here) and the protocol
     "pair.sp.nanomsg.org" echoed (matched case-insensitively);
   - masked binary frames from the client come out of nn_recv (7-bit,
     16-bit and 64-bit lengths, empty, text frames, a message fragmented
     into a first frame and continuations); nn_send produces one unmasked
     final binary frame per message (text frames, opcode 1, when
     NN_WS_MSG_TYPE is NN_WS_MSG_TYPE_TEXT);
   - a first frame sent in the same write as the upgrade request (before
     the 101) is delivered;
   - a close frame is answered with a close frame and the connection ends;
   - frame-level protocol errors end the connection: an unmasked client
     frame, a reserved opcode, RSV bits set, a control frame longer than
     125 bytes, a continuation with nothing to continue, a text frame that
     is not UTF-8, a frame longer than NN_RCVMAXSIZE (2^62 bytes announced);
   - bad upgrade requests (a garbage line, 3000 bytes of binary garbage, no
     Sec-WebSocket-Key, no Sec-WebSocket-Protocol, half a request then
     silence, nothing at all) each get an HTTP error status (>= 400) or a
     closed connection within TEST_MUST_MS, never a 101; a WebSocket frame sent
     right after the garbage never comes out of nn_recv; the bound socket
     serves a good raw client while they are pending and afterwards.

   Client side (nn sockets connecting to a raw listener):
   - a REQ connecting to ws://127.0.0.1:port/some/path?q=1 sends
     "GET /some/path?q=1 HTTP/1.1" with Host, Upgrade: websocket,
     Connection: Upgrade, Sec-WebSocket-Version: 13, a 16-byte base64
     Sec-WebSocket-Key and Sec-WebSocket-Protocol: rep.sp.nanomsg.org (the
     peer's protocol); its frames are masked binary frames carrying the
     4-byte request id and the body; the reply comes back from an unmasked
     server frame;
   - a PAIR connecting without a path asks for "/" and pair.sp.nanomsg.org;
   - the client drops a connection whose 101 has a wrong
     Sec-WebSocket-Accept, that answers 400, or whose server sends a masked
     frame, and delivers nothing from it.

   Upstream nanomsg 1.1.5 passes all of this. Where upstream misbehaves the
   case is in ws_bad_upgrade.c instead (requests it answers with a 400 but
   then serves anyway, POST, HTTP/1.0, a 100 KB head, a wrong path,
   ping/pong, a 101 naming another protocol).

   Ports: 23020-23039 (this file's block). */
#define _GNU_SOURCE
#include "testutil.h"
#include "rawsock.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/ws.h>

#define PORT_SRV 23020
#define PORT_TEXT 23021
#define PORT_BAD 23022
#define PORT_CLI 23023
#define PORT_CLI2 23024
#define PORT_CLI3 23025
#define PORT_PIPE 23026
#define PORT_FERR 23027

static int bound_pair(int port, int text)
{
    char addr[64];
    int s = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, 1024 * 1024);
    if (text)
        test_setopt_int(s, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_TEXT);
    snprintf(addr, sizeof addr, "ws://127.0.0.1:%d", port);
    test_bind(s, addr);
    return s;
}

/* A raw client upgraded on `port` that the PAIR s has taken as its peer:
   PAIR talks to one peer at a time and a previous client's pipe may still
   be going away, so retry until a frame sent by the client comes out of
   nn_recv (at most TEST_MUST_MS). A client is given up only once the
   server has closed its connection (it was refused): one that is merely
   slow to be served stays, so no message from a given-up client can turn
   up later. */
static int pair_peer(int s, int port)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    for (;;) {
        char buf[32];
        int fd = rs_ws_client(port, "/", "pair.sp.nanomsg.org");
        CHECK(rs_ws_send_frame(fd, 2, 1, 1, "hello?", 6) == 0);
        for (;;) {
            int n = nn_recv(s, buf, sizeof buf, 0);
            if (n >= 0) {
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

/* Expects one final unmasked frame with this opcode and payload. */
static void expect_frame(int fd, int opcode, const void *data, size_t len)
{
    int op = -1, fin = 0, masked = 0;
    unsigned char *buf = malloc(len + 16);
    CHECK(buf != NULL);
    long n = rs_ws_recv_frame(fd, &op, &fin, &masked, buf, len + 16,
        TEST_MUST_MS);
    CHECK(n == (long) len);
    CHECK(op == opcode);
    CHECK(fin == 1);
    CHECK(masked == 0);
    CHECK(memcmp(buf, data, len) == 0);
    free(buf);
}

/* A full exchange with a good raw client, then the client leaves. */
static void good_client(int s, int port)
{
    int fd = pair_peer(s, port);
    test_send(s, "still serving");
    expect_frame(fd, 2, "still serving", 13);
    close(fd);
}

static void test_good_upgrade_and_frames(void)
{
    int s = bound_pair(PORT_SRV, 0);
    int fd = pair_peer(s, PORT_SRV);
    char buf[128];

    /* Client -> nn. */
    CHECK(rs_ws_send_frame(fd, 2, 1, 1, "hello raw", 9) == 0);
    test_recv(s, "hello raw");
    CHECK(rs_ws_send_frame(fd, 2, 1, 1, "", 0) == 0);
    CHECK(nn_recv(s, buf, sizeof buf, 0) == 0);
    /* A text frame is a message too. */
    CHECK(rs_ws_send_frame(fd, 1, 1, 1, "some text", 9) == 0);
    test_recv(s, "some text");
    /* One message in three frames: binary (not final), continuation,
       final continuation. */
    CHECK(rs_ws_send_frame(fd, 2, 0, 1, "frag", 4) == 0);
    CHECK(rs_ws_send_frame(fd, 0, 0, 1, "ment", 4) == 0);
    CHECK(rs_ws_send_frame(fd, 0, 1, 1, "ed", 2) == 0);
    test_recv(s, "fragmented");
    /* 16-bit and 64-bit payload lengths, both directions. */
    size_t sizes[] = { 125, 126, 300, 65535, 65536, 200000 };
    unsigned char *big = malloc(200000), *back = malloc(200000);
    CHECK(big && back);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (size_t i = 0; i < sizes[k]; i++)
            big[i] = (unsigned char) (i ^ (i >> 8) ^ k);
        CHECK(rs_ws_send_frame(fd, 2, 1, 1, big, sizes[k]) == 0);
        CHECK(nn_recv(s, back, 200000, 0) == (int) sizes[k]);
        CHECK(memcmp(big, back, sizes[k]) == 0);
        CHECK(nn_send(s, big, sizes[k], 0) == (int) sizes[k]);
        expect_frame(fd, 2, big, sizes[k]);
    }
    free(big);
    free(back);

    /* nn -> client: one unmasked final binary frame per message. */
    test_send(s, "from nn");
    expect_frame(fd, 2, "from nn", 7);
    CHECK(nn_send(s, "", 0, 0) == 0);
    expect_frame(fd, 2, "", 0);

    /* A close frame (status 1000) gets a close frame back, then EOF. */
    unsigned char st[2] = { 0x03, 0xe8 };
    int op, fin, masked;
    CHECK(rs_ws_send_frame(fd, 8, 1, 1, st, 2) == 0);
    long n = rs_ws_recv_frame(fd, &op, &fin, &masked, buf, sizeof buf,
        TEST_MUST_MS);
    CHECK(n >= 0);
    CHECK(op == 8);
    CHECK(masked == 0);
    CHECK(rs_wait_closed(fd, TEST_MUST_MS));
    close(fd);

    /* The socket takes the next client. */
    good_client(s, PORT_SRV);
    test_close(s);
}

/* A client that sends its first frame right behind the upgrade request, in
   the same write, before the 101 arrives: the frame is not lost. */
static void test_pipelined_frame(void)
{
    int s = bound_pair(PORT_PIPE, 0);
    char key[32], want[32], head[2048], v[256], req[512];
    unsigned char fr[32];
    int closed;
    rs_ws_key(key);
    rs_ws_accept(key, want);
    int n = snprintf(req, sizeof req,
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n", key);
    /* Masked binary frame "pipelined" with a zero masking key. */
    fr[0] = 0x82;
    fr[1] = 0x80 | 9;
    memset(fr + 2, 0, 4);
    memcpy(fr + 6, "pipelined", 9);
    memcpy(req + n, fr, 15);
    int fd = rs_tcp_connect(PORT_PIPE);
    CHECK(rs_send_all(fd, req, (size_t) n + 15) == 0);
    rs_read_http(fd, head, sizeof head, TEST_MUST_MS, &closed);
    CHECK(rs_http_status(head) == 101);
    CHECK(rs_http_header(head, "Sec-WebSocket-Accept", v, sizeof v));
    CHECK(strcmp(v, want) == 0);
    test_recv(s, "pipelined");
    test_send(s, "got it");
    expect_frame(fd, 2, "got it", 6);
    close(fd);
    test_close(s);
}

static void test_text_sender(void)
{
    int s = bound_pair(PORT_TEXT, 1);
    int fd = pair_peer(s, PORT_TEXT);
    test_send(s, "as text");
    expect_frame(fd, 1, "as text", 7);
    close(fd);
    test_close(s);
}

/* A frame-level protocol error: the server must end the connection (a close
   frame first is allowed), and then serve a good client. */
static void frame_error_case(int s, const char *what, const unsigned char *raw,
    size_t rawlen)
{
    int fd = pair_peer(s, PORT_FERR);
    CHECK(rs_send_all(fd, raw, rawlen) == 0);
    if (!rs_wait_closed(fd, TEST_MUST_MS)) {
        fprintf(stderr, "frame case '%s': connection not closed\n", what);
        CHECK(!"connection kept open after a protocol error");
    }
    close(fd);
    good_client(s, PORT_FERR);
}

static void test_frame_errors(void)
{
    int s = bound_pair(PORT_FERR, 0);
    unsigned char f[64];

    /* Unmasked binary frame from a client. */
    f[0] = 0x82;
    f[1] = 3;
    memcpy(f + 2, "unm", 3);
    frame_error_case(s, "unmasked", f, 5);

    /* Reserved data opcode 3 (masked, key zero). */
    f[0] = 0x83;
    f[1] = 0x80 | 3;
    memset(f + 2, 0, 4);
    memcpy(f + 6, "op3", 3);
    frame_error_case(s, "opcode 3", f, 9);

    /* RSV1 set without an extension. */
    f[0] = 0xc2;
    f[1] = 0x80 | 3;
    memset(f + 2, 0, 4);
    memcpy(f + 6, "rsv", 3);
    frame_error_case(s, "rsv1", f, 9);

    /* A ping with a 200-byte payload (control frames are at most 125). */
    {
        unsigned char big[2 + 2 + 4 + 200];
        big[0] = 0x89;
        big[1] = 0x80 | 126;
        big[2] = 0;
        big[3] = 200;
        memset(big + 4, 0, 4);
        memset(big + 8, 'p', 200);
        frame_error_case(s, "long control frame", big, sizeof big);
    }

    /* A continuation frame with no message started. */
    f[0] = 0x80;
    f[1] = 0x80 | 6;
    memset(f + 2, 0, 4);
    memcpy(f + 6, "orphan", 6);
    frame_error_case(s, "orphan continuation", f, 12);

    /* A text frame that is not UTF-8. */
    f[0] = 0x81;
    f[1] = 0x80 | 2;
    memset(f + 2, 0, 4);
    f[6] = 0xff;
    f[7] = 0xfe;
    frame_error_case(s, "bad utf-8", f, 8);

    /* 2^62 bytes announced, above NN_RCVMAXSIZE (1 MiB). */
    f[0] = 0x82;
    f[1] = 0x80 | 127;
    rs_put64(f + 2, (uint64_t) 1 << 62);
    memset(f + 10, 0, 4);
    memset(f + 14, 'x', 20);
    frame_error_case(s, "huge length", f, 34);

    test_close(s);
}

/* ---- bad upgrade requests ------------------------------------------------ */

struct bad_req {
    const char *name;
    const char *text;   /* request to send; NULL: send nothing */
    size_t len;         /* 0: strlen(text) */
    int sneak;          /* follow it with a masked frame "sneaky!" (only
                           after garbage: upstream asserts when a frame
                           follows an invalid head, see ws_bad_upgrade.c) */
    int fd;
    int done;
};

static void test_bad_upgrades(void)
{
    int s = bound_pair(PORT_BAD, 0);
    static char garbage[3000];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (char) ((i * 151 + 7) ^ (i >> 3));

    struct bad_req reqs[] = {
        { "garbage line", "\x01\x02 this is not http\r\n\r\n", 0, 1, -1, 0 },
        { "binary garbage", garbage, sizeof garbage, 0, -1, 0 },
        { "no key",
          "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n", 0, 0, -1, 0 },
        { "no protocol",
          "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n\r\n", 0, 0, -1, 0 },
        { "half a request", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n", 0, 0,
          -1, 0 },
        { "nothing", NULL, 0, 0, -1, 0 },
    };
    size_t nreq = sizeof reqs / sizeof reqs[0];

    for (size_t i = 0; i < nreq; i++) {
        reqs[i].fd = rs_tcp_connect(PORT_BAD);
        if (reqs[i].text) {
            size_t len = reqs[i].len ? reqs[i].len : strlen(reqs[i].text);
            /* The server may close early. */
            (void) rs_send_all(reqs[i].fd, reqs[i].text, len);
        }
        if (reqs[i].sneak)
            (void) rs_ws_send_frame(reqs[i].fd, 2, 1, 1, "sneaky!", 7);
    }

    /* While they are pending, a good client is served (pair_peer fails on
       any message other than its own, e.g. a "sneaky!"). */
    good_client(s, PORT_BAD);

    /* Each one ends with an error status or a closed connection. */
    int64_t deadline = now_ms() + TEST_MUST_MS;
    size_t left = nreq;
    static char resp[32][128];
    size_t rlen[32] = { 0 };
    CHECK(nreq <= 32);
    while (left > 0 && now_ms() < deadline) {
        struct pollfd pf[32];
        for (size_t i = 0; i < nreq; i++) {
            pf[i].fd = reqs[i].done ? -1 : reqs[i].fd;
            pf[i].events = POLLIN;
            pf[i].revents = 0;
        }
        if (poll(pf, nreq, 100) <= 0)
            continue;
        for (size_t i = 0; i < nreq; i++) {
            if (reqs[i].done || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char c[512];
            ssize_t r = recv(reqs[i].fd, c, sizeof c, 0);
            if (r <= 0) {
                reqs[i].done = 1;
                left--;
                continue;
            }
            /* Collect the start of the response up to the end of the
               status line; that line must be an error status. Whatever
               follows it is ignored. */
            size_t room = sizeof resp[i] - 1 - rlen[i];
            size_t take = (size_t) r < room ? (size_t) r : room;
            memcpy(resp[i] + rlen[i], c, take);
            rlen[i] += take;
            resp[i][rlen[i]] = 0;
            size_t cmp = rlen[i] < 5 ? rlen[i] : 5;
            int st = rs_http_status(resp[i]);
            if (memcmp(resp[i], "HTTP/", cmp) != 0 || (st >= 0 && st < 400) ||
                (st < 0 && rlen[i] == sizeof resp[i] - 1)) {
                fprintf(stderr, "bad upgrade '%s': answered [%.80s]\n",
                    reqs[i].name, resp[i]);
                CHECK(!"bad upgrade not refused");
            }
            if (st >= 400) {
                reqs[i].done = 1;
                left--;
            }
        }
    }
    for (size_t i = 0; i < nreq; i++) {
        if (!reqs[i].done)
            fprintf(stderr, "bad upgrade '%s': no error status and still "
                "open after %d ms\n", reqs[i].name, TEST_MUST_MS);
        CHECK(reqs[i].done);
        close(reqs[i].fd);
    }

    /* Nothing from them reached the socket, and it still serves. */
    char buf[16];
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(s, buf, sizeof buf, 0), ETIMEDOUT);
    good_client(s, PORT_BAD);
    test_close(s);
}

/* ---- client side ------------------------------------------------------- */

/* Reads the client's upgrade request from fd, checks it and answers 101.
   want_path / want_proto: what the request must ask for. */
static int serve_upgrade(int l, const char *want_path, const char *want_proto)
{
    char head[4096], v[256], want[64], line[512];
    int fd = rs_accept_http(l, head, sizeof head, TEST_MUST_MS);
    CHECK(fd >= 0);
    CHECK(strstr(head, "\r\n\r\n") != NULL);
    snprintf(line, sizeof line, "GET %s HTTP/1.1\r\n", want_path);
    if (strncmp(head, line, strlen(line)) != 0)
        fprintf(stderr, "request line: [%.100s]\n", head);
    CHECK(strncmp(head, line, strlen(line)) == 0);
    CHECK(rs_http_header(head, "Host", v, sizeof v));
    CHECK(strstr(v, "127.0.0.1") != NULL);
    CHECK(rs_http_header(head, "Upgrade", v, sizeof v));
    CHECK(strcasecmp(v, "websocket") == 0);
    CHECK(rs_http_header(head, "Connection", v, sizeof v));
    CHECK(strcasestr(v, "upgrade") != NULL);
    CHECK(rs_http_header(head, "Sec-WebSocket-Version", v, sizeof v));
    CHECK(strcmp(v, "13") == 0);
    CHECK(rs_http_header(head, "Sec-WebSocket-Protocol", v, sizeof v));
    CHECK(strcmp(v, want_proto) == 0);
    CHECK(rs_http_header(head, "Sec-WebSocket-Key", v, sizeof v));
    CHECK(strlen(v) == 24 && strcmp(v + 22, "==") == 0);
    rs_ws_accept(v, want);
    char resp[512];
    int n = snprintf(resp, sizeof resp,
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: %s\r\n"
        "Sec-WebSocket-Protocol: %s\r\n\r\n", want, want_proto);
    CHECK(rs_send_all(fd, resp, (size_t) n) == 0);
    return fd;
}

static void test_client_side(void)
{
    int l = rs_tcp_listen(PORT_CLI);
    int req = test_socket(AF_SP, NN_REQ);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(req, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_connect(req, "ws://127.0.0.1:23023/some/path?q=1");
    int fd = serve_upgrade(l, "/some/path?q=1", "rep.sp.nanomsg.org");

    /* The request: one masked, final binary frame: request id + body. */
    test_send(req, "question");
    unsigned char buf[256];
    int op, fin, masked;
    long n = rs_ws_recv_frame(fd, &op, &fin, &masked, buf, sizeof buf,
        TEST_MUST_MS);
    CHECK(n == 4 + 8);
    CHECK(op == 2 && fin == 1 && masked == 1);
    CHECK(buf[0] & 0x80);
    CHECK(memcmp(buf + 4, "question", 8) == 0);
    /* The reply, unmasked, with the same id. */
    memcpy(buf + 4, "answer", 6);
    CHECK(rs_ws_send_frame(fd, 2, 1, 0, buf, 10) == 0);
    test_recv(req, "answer");
    test_close(req);
    close(fd);
    close(l);

    /* No path: "/"; PAIR asks for pair.sp.nanomsg.org. */
    l = rs_tcp_listen(PORT_CLI2);
    int p = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(p, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_connect(p, "ws://127.0.0.1:23024");
    fd = serve_upgrade(l, "/", "pair.sp.nanomsg.org");
    CHECK(rs_ws_send_frame(fd, 2, 1, 0, "to client", 9) == 0);
    test_recv(p, "to client");
    test_send(p, "to server");
    n = rs_ws_recv_frame(fd, &op, &fin, &masked, buf, sizeof buf,
        TEST_MUST_MS);
    CHECK(n == 9 && op == 2 && fin == 1 && masked == 1);
    CHECK(memcmp(buf, "to server", 9) == 0);
    test_close(p);
    close(fd);
    close(l);
}

/* The nn client must drop the connection and deliver nothing. */
static void client_refuses(int mode)
{
    static const char *names[] = { "wrong accept", "status 400",
        "masked server frame" };
    int l = rs_tcp_listen(PORT_CLI3);
    int p = test_socket(AF_SP, NN_PAIR);
    char head[4096], key[64], acc[64], resp[512], buf[64];
    test_setopt_int(p, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
    test_connect(p, "ws://127.0.0.1:23025/");
    int fd = rs_accept_http(l, head, sizeof head, TEST_MUST_MS);
    CHECK(fd >= 0);
    if (!rs_http_header(head, "Sec-WebSocket-Key", key, sizeof key))
        fprintf(stderr, "client case '%s': upgrade request [%s]\n",
            names[mode], head);
    CHECK(rs_http_header(head, "Sec-WebSocket-Key", key, sizeof key));
    rs_ws_accept(key, acc);
    if (mode == 0)
        acc[3] ^= 1;   /* still base64, not the right value */
    if (mode == 1)
        snprintf(resp, sizeof resp, "HTTP/1.1 400 Bad Request\r\n\r\n");
    else
        snprintf(resp, sizeof resp,
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
            "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n\r\n", acc);
    CHECK(rs_send_all(fd, resp, strlen(resp)) == 0);
    (void) rs_ws_send_frame(fd, 2, 1, mode == 2, "must not arrive", 15);
    if (!rs_wait_closed(fd, TEST_MUST_MS)) {
        fprintf(stderr, "client case '%s': connection kept\n", names[mode]);
        CHECK(!"client kept a bad connection");
    }
    CHECK_ERR(nn_recv(p, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(p);
    close(fd);
    close(l);
}

int main(void)
{
    alarm(40);
    signal(SIGPIPE, SIG_IGN);
    rs_selftest();
    test_good_upgrade_and_frames();
    test_pipelined_frame();
    test_text_sender();
    test_frame_errors();
    test_bad_upgrades();
    test_client_side();
    client_refuses(0);
    client_refuses(1);
    client_refuses(2);
    return 0;
}
