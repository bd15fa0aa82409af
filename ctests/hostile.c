/* Hostile peers on tcp and ipc. A REP socket is bound on
   tcp://127.0.0.1:23080 and on an ipc path; a server thread answers every
   request. Two nn REQ clients (one per transport) run in a background
   thread and must get every answer while raw clients (plain TCP and
   AF_UNIX sockets) misbehave; after each case a fresh request is checked
   too, and a raw client speaking SP correctly must be served.

   SP over TCP: 8-byte header 00 'S' 'P' 00, protocol (16-bit BE), 00 00;
   then each message is a 64-bit BE length and the bytes. The ipc transport
   uses the same header and puts a message-type byte (1) before the length.
   For REQ/REP the message starts with the 4-byte request id (top bit set).

   Cases, each on both transports:
   - a correct raw REQ client: gets the REP header (protocol 49) and its
     reply with the same request id;
   - garbage bytes (64, and 100 KB): the server closes the connection;
   - a bad magic, an incompatible protocol (PUB to REP, REP to REP) and an
     unknown protocol id: the server closes the connection;
   - a valid header then a 2^62-byte length (default NN_RCVMAXSIZE), and
     then a length one above NN_RCVMAXSIZE: the server closes the
     connection;
   - requests REP cannot route (no request id, ids without the top bit):
     no reply comes back;
   - 20 clients that send half a header and go silent with the fd open;
   - 20 clients that send a header and half a message, then disconnect;
   - 300 connect-then-close at once, 100 connect-then-RST, 100
     header-then-close.
   After all of it the process is alive and both REQ clients are answered.

   Upstream 1.1.5 passes. Cases that crash upstream (ipc message types
   other than 1, huge lengths with NN_RCVMAXSIZE -1) are in hostile_ours.c.

   Ports: 23080-23099 (this file's block); ipc path /tmp/nn-hostile.ipc. */
#include "testutil.h"
#include "rawsock.h"
#include <nanomsg/reqrep.h>
#include <nanomsg/pubsub.h>

#define TCP_PORT 23080
#define TCP_ADDR "tcp://127.0.0.1:23080"

static char ipc_path[108];
static char ipc_addr[128];
static volatile int stop_server;
static volatile int stop_clients;
static volatile int client_failures;
static volatile int client_answers;

/* ---- the REP server --------------------------------------------------- */

static void *server_main(void *arg)
{
    int rep = *(int *) arg;
    while (!stop_server) {
        char buf[256], out[300];
        int n = nn_recv(rep, buf, sizeof buf - 1, 0);
        if (n < 0) {
            CHECK(nn_errno() == ETIMEDOUT);
            continue;
        }
        buf[n] = 0;
        int k = snprintf(out, sizeof out, "re:%s", buf);
        CHECK(nn_send(rep, out, (size_t) k, 0) == k);
    }
    return NULL;
}

/* ---- nn REQ clients ------------------------------------------------------ */

static int make_req(const char *addr)
{
    int s = test_socket(AF_SP, NN_REQ);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_connect(s, addr);
    return s;
}

static int ask(int req, const char *tag, int seq)
{
    char m[64], want[80], buf[128];
    snprintf(m, sizeof m, "%s-%d", tag, seq);
    snprintf(want, sizeof want, "re:%s", m);
    if (nn_send(req, m, strlen(m), 0) != (int) strlen(m))
        return 0;
    int n = nn_recv(req, buf, sizeof buf, 0);
    return n == (int) strlen(want) && memcmp(buf, want, (size_t) n) == 0;
}

static void *clients_main(void *arg)
{
    (void) arg;
    int t = make_req(TCP_ADDR);
    int i = make_req(ipc_addr);
    for (int seq = 0; !stop_clients; seq++) {
        if (!ask(t, "bg-tcp", seq) || !ask(i, "bg-ipc", seq)) {
            fprintf(stderr, "background request %d not answered\n", seq);
            client_failures++;
        } else {
            client_answers++;
        }
        sleep_ms(10);
    }
    test_close(t);
    test_close(i);
    return NULL;
}

static int fg_tcp, fg_ipc, fg_seq;

static void check_served(const char *after)
{
    fg_seq++;
    if (!ask(fg_tcp, "fg-tcp", fg_seq) || !ask(fg_ipc, "fg-ipc", fg_seq)) {
        fprintf(stderr, "not served after: %s\n", after);
        CHECK(!"good client not served");
    }
}

/* ---- raw clients ------------------------------------------------------- */

static int raw_connect(int ipc)
{
    return ipc ? rs_unix_connect(ipc_path) : rs_tcp_connect(TCP_PORT);
}

/* Frames body as one SP message for the transport into out; returns the
   length. */
static size_t frame_msg(int ipc, unsigned char *out, const void *body,
    size_t len)
{
    size_t o = 0;
    if (ipc)
        out[o++] = 1;
    rs_put64(out + o, len);
    o += 8;
    memcpy(out + o, body, len);
    return o + len;
}

static void expect_closed(int fd, const char *what, int ipc)
{
    if (!rs_wait_closed(fd, TEST_MUST_MS)) {
        fprintf(stderr, "%s (%s): connection not closed\n", what,
            ipc ? "ipc" : "tcp");
        CHECK(!"server kept a hostile connection");
    }
}

static void case_good_raw(int ipc)
{
    unsigned char h[8], want[8], msg[64], in[64];
    int closed;
    int fd = raw_connect(ipc);
    rs_sp_header(h, NN_REQ);
    CHECK(rs_send_all(fd, h, 8) == 0);
    CHECK(rs_recv_n(fd, in, 8, TEST_MUST_MS, &closed) == 8);
    rs_sp_header(want, NN_REP);
    CHECK(memcmp(in, want, 8) == 0);
    for (uint32_t id = 1; id <= 3; id++) {
        unsigned char body[16];
        test_putl(body, 0x80000000u | (id * 77));
        memcpy(body + 4, "rawreq", 6);
        size_t n = frame_msg(ipc, msg, body, 10);
        CHECK(rs_send_all(fd, msg, n) == 0);
        size_t pre = ipc ? 9 : 8;
        CHECK(rs_recv_n(fd, in, pre, TEST_MUST_MS, &closed) == pre);
        if (ipc)
            CHECK(in[0] == 1);
        uint64_t len = rs_get64(in + pre - 8);
        CHECK(len == 4 + 9);
        CHECK(rs_recv_n(fd, in, 13, TEST_MUST_MS, &closed) == 13);
        CHECK(test_getl(in) == (0x80000000u | (id * 77)));
        CHECK(memcmp(in + 4, "re:rawreq", 9) == 0);
    }
    close(fd);
}

static void case_garbage(int ipc)
{
    unsigned char g[64];
    for (int i = 0; i < 64; i++)
        g[i] = (unsigned char) (0xa5 ^ (i * 29));
    int fd = raw_connect(ipc);
    (void) rs_send_all(fd, g, sizeof g);
    expect_closed(fd, "64 garbage bytes", ipc);
    close(fd);
    check_served("garbage");

    static unsigned char big[100 * 1024];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char) ((i * 2654435761u) >> 13);
    big[0] = 'G';
    fd = raw_connect(ipc);
    (void) rs_send_all(fd, big, sizeof big);
    expect_closed(fd, "100 KB garbage", ipc);
    close(fd);
    check_served("100 KB garbage");
}

static void bad_header(int ipc, const unsigned char *h, const char *what)
{
    int fd = raw_connect(ipc);
    (void) rs_send_all(fd, h, 8);
    expect_closed(fd, what, ipc);
    close(fd);
    check_served(what);
}

static void case_bad_headers(int ipc)
{
    unsigned char h[8];
    rs_sp_header(h, NN_REQ);
    h[2] = 'Q';
    bad_header(ipc, h, "bad magic");
    rs_sp_header(h, NN_REQ);
    h[0] = 0x01;
    bad_header(ipc, h, "bad first byte");
    rs_sp_header(h, NN_PUB);
    bad_header(ipc, h, "PUB header to REP");
    rs_sp_header(h, NN_REP);
    bad_header(ipc, h, "REP header to REP");
    rs_sp_header(h, 0x1234);
    bad_header(ipc, h, "unknown protocol");
}

static void huge_length(int ipc, uint64_t len, const char *what)
{
    unsigned char buf[64], h[8];
    size_t o = 0;
    int fd = raw_connect(ipc);
    rs_sp_header(h, NN_REQ);
    memcpy(buf, h, 8);
    o = 8;
    if (ipc)
        buf[o++] = 1;
    rs_put64(buf + o, len);
    o += 8;
    memset(buf + o, 0x80, 16);
    o += 16;
    (void) rs_send_all(fd, buf, o);
    expect_closed(fd, what, ipc);
    close(fd);
    check_served(what);
}

static void case_huge(int ipc)
{
    huge_length(ipc, (uint64_t) 1 << 62, "2^62 length");
    huge_length(ipc, 1024 * 1024 + 1, "NN_RCVMAXSIZE + 1 length");
}

/* Requests that REP has no route back for; no reply may come. */
static void case_unroutable(int ipc)
{
    unsigned char h[8], msg[64], in[64];
    int closed;
    int fd = raw_connect(ipc);
    rs_sp_header(h, NN_REQ);
    CHECK(rs_send_all(fd, h, 8) == 0);
    CHECK(rs_recv_n(fd, in, 8, TEST_MUST_MS, &closed) == 8);
    /* Shorter than a request id. */
    size_t n = frame_msg(ipc, msg, "abc", 3);
    (void) rs_send_all(fd, msg, n);
    /* Ids without the top bit: no end of the backtrace. */
    unsigned char body[8];
    test_putl(body, 1);
    test_putl(body + 4, 2);
    n = frame_msg(ipc, msg, body, 8);
    (void) rs_send_all(fd, msg, n);
    /* Empty message. */
    n = frame_msg(ipc, msg, "", 0);
    (void) rs_send_all(fd, msg, n);
    /* Only a time window can show that nothing comes: a stall can make
       a wrong reply come too late to be seen, never fail a right one. */
    CHECK(rs_recv_n(fd, in, 1, 500, &closed) == 0);
    close(fd);
    check_served("unroutable requests");
}

static void case_half_header(int ipc)
{
    int fds[20];
    for (int i = 0; i < 20; i++) {
        fds[i] = raw_connect(ipc);
        (void) rs_send_all(fds[i], "\0SP\0", 4);
    }
    /* Served while they sit there. */
    check_served("half headers (open)");
    sleep_ms(200);
    check_served("half headers (open, later)");
    for (int i = 0; i < 20; i++)
        close(fds[i]);
    check_served("half headers (closed)");
}

static void case_half_message(int ipc)
{
    for (int i = 0; i < 20; i++) {
        unsigned char buf[600], h[8];
        size_t o = 0;
        int fd = raw_connect(ipc);
        rs_sp_header(h, NN_REQ);
        memcpy(buf, h, 8);
        o = 8;
        if (ipc)
            buf[o++] = 1;
        rs_put64(buf + o, 1000);
        o += 8;
        test_putl(buf + o, 0x80000001u);
        o += 4;
        memset(buf + o, 'h', 300);
        o += 300;
        (void) rs_send_all(fd, buf, o);
        if (i & 1)
            rs_abort_close(fd);
        else
            close(fd);
    }
    check_served("half messages");
}

static void case_churn(int ipc)
{
    for (int i = 0; i < 300; i++)
        close(raw_connect(ipc));
    check_served("300 connect/close");
    for (int i = 0; i < 100; i++)
        rs_abort_close(raw_connect(ipc));
    check_served("100 connect/RST");
    for (int i = 0; i < 100; i++) {
        unsigned char h[8];
        int fd = raw_connect(ipc);
        rs_sp_header(h, NN_REQ);
        (void) rs_send_all(fd, h, 8);
        close(fd);
    }
    check_served("100 header/close");
}

static void run_cases(int ipc)
{
    case_good_raw(ipc);
    case_garbage(ipc);
    case_bad_headers(ipc);
    case_huge(ipc);
    case_unroutable(ipc);
    case_half_header(ipc);
    case_half_message(ipc);
    case_churn(ipc);
    case_good_raw(ipc);
}

int main(void)
{
    alarm(40);
    signal(SIGPIPE, SIG_IGN);
    snprintf(ipc_path, sizeof ipc_path, "/tmp/nn-hostile-%d.ipc", (int) getpid());
    snprintf(ipc_addr, sizeof ipc_addr, "ipc://%s", ipc_path);
    unlink(ipc_path);

    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_bind(rep, TCP_ADDR);
    test_bind(rep, ipc_addr);
    test_thread server, clients;
    test_thread_start(&server, server_main, &rep);

    fg_tcp = make_req(TCP_ADDR);
    fg_ipc = make_req(ipc_addr);
    check_served("start");
    test_thread_start(&clients, clients_main, NULL);

    run_cases(0);
    run_cases(1);

    stop_clients = 1;
    test_thread_join(&clients);
    CHECK(client_failures == 0);
    CHECK(client_answers > 0);
    check_served("everything");
    test_close(fg_tcp);
    test_close(fg_ipc);
    stop_server = 1;
    test_thread_join(&server);
    test_close(rep);
    unlink(ipc_path);
    return 0;
}
