/* ours-only: hostile peers that make upstream nanomsg 1.1.5 abort the whole
   process, so this test is expected to fail against upstream. Each case is
   a function; `hostile_ours NAME` runs only that case.

   A REP socket is bound on tcp://127.0.0.1:23100, an ipc path and
   ws://127.0.0.1:23101; a server thread answers requests and nn REQ
   clients on each transport must be answered after every case.

   - ipctype:   over ipc, a valid SP header then a message whose type byte
                is not 1 (0x00, 0x02, 0x07, 0xff): the server closes the
                connection and the process lives. (Upstream: assertion
                "sipc->inhdr [0] == NN_SIPC_MSG_NORMAL", sipc.c:336.)
   - unlimited: with NN_RCVMAXSIZE -1 on the REP, a message announcing
                2^62 bytes and one announcing 2^64-1 bytes, over tcp, ipc
                and ws (a 64-bit WebSocket frame length): the server drops
                the connection (it cannot hold such a message) and the
                process lives. (Upstream: "Out of memory" abort allocating
                the message, nn_chunkref_init.)

   Ports: 23100-23119 (this file's block); ipc path
   /tmp/nn-hostile-ours.ipc. */
#include "testutil.h"
#include "rawsock.h"
#include <nanomsg/reqrep.h>

#define TCP_PORT 23100
#define WS_PORT 23101
#define TCP_ADDR "tcp://127.0.0.1:23100"
#define WS_ADDR "ws://127.0.0.1:23101"

static char ipc_path[108];
static char ipc_addr[128];
static volatile int stop_server;
static int rep;
static int req_tcp, req_ipc, req_ws, seq;

static void *server_main(void *arg)
{
    (void) arg;
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

static int make_req(const char *addr)
{
    int s = test_socket(AF_SP, NN_REQ);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_connect(s, addr);
    return s;
}

static void ask(int req, const char *tag, const char *after)
{
    char m[64], want[80], buf[128];
    snprintf(m, sizeof m, "%s-%d", tag, ++seq);
    snprintf(want, sizeof want, "re:%s", m);
    CHECK(nn_send(req, m, strlen(m), 0) == (int) strlen(m));
    int n = nn_recv(req, buf, sizeof buf, 0);
    if (n != (int) strlen(want) || memcmp(buf, want, strlen(want)) != 0) {
        fprintf(stderr, "%s not served after: %s\n", tag, after);
        CHECK(!"good client not served");
    }
}

static void check_served(const char *after)
{
    ask(req_tcp, "tcp", after);
    ask(req_ipc, "ipc", after);
    ask(req_ws, "ws", after);
}

static void expect_closed(int fd, const char *what)
{
    if (!rs_wait_closed(fd, TEST_MUST_MS)) {
        fprintf(stderr, "%s: connection not closed\n", what);
        CHECK(!"server kept a hostile connection");
    }
}

static void case_ipctype(void)
{
    static const unsigned char types[] = { 0x00, 0x02, 0x07, 0xff };
    for (size_t t = 0; t < sizeof types; t++) {
        unsigned char buf[64];
        char what[64];
        int fd = rs_unix_connect(ipc_path);
        rs_sp_header(buf, NN_REQ);
        buf[8] = types[t];
        rs_put64(buf + 9, 8);
        test_putl(buf + 17, 0x80000001u);
        memcpy(buf + 21, "type", 4);
        (void) rs_send_all(fd, buf, 25);
        snprintf(what, sizeof what, "ipc message type 0x%02x", types[t]);
        expect_closed(fd, what);
        close(fd);
        check_served(what);
    }
}

static void huge_sp(int ipc, uint64_t len, const char *what)
{
    unsigned char buf[64];
    size_t o = 8;
    int fd = ipc ? rs_unix_connect(ipc_path) : rs_tcp_connect(TCP_PORT);
    rs_sp_header(buf, NN_REQ);
    if (ipc)
        buf[o++] = 1;
    rs_put64(buf + o, len);
    o += 8;
    memset(buf + o, 0x80, 16);
    o += 16;
    (void) rs_send_all(fd, buf, o);
    expect_closed(fd, what);
    close(fd);
    check_served(what);
}

static void huge_ws(uint64_t len, const char *what)
{
    unsigned char f[32];
    int fd = rs_ws_client(WS_PORT, "/", "rep.sp.nanomsg.org");
    f[0] = 0x82;
    f[1] = 0x80 | 127;
    rs_put64(f + 2, len);
    memset(f + 10, 0, 4);
    memset(f + 14, 0x80, 16);
    (void) rs_send_all(fd, f, 30);
    expect_closed(fd, what);
    close(fd);
    check_served(what);
}

static void case_unlimited(void)
{
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    huge_sp(0, (uint64_t) 1 << 62, "tcp 2^62, no size limit");
    huge_sp(0, ~(uint64_t) 0, "tcp 2^64-1, no size limit");
    huge_sp(1, (uint64_t) 1 << 62, "ipc 2^62, no size limit");
    huge_sp(1, ~(uint64_t) 0, "ipc 2^64-1, no size limit");
    /* A WebSocket length must have the top bit clear; 2^62 is legal. */
    huge_ws((uint64_t) 1 << 62, "ws 2^62, no size limit");
    huge_ws(~(uint64_t) 0, "ws 2^64-1, no size limit");
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVMAXSIZE, 1024 * 1024);
}

static const struct {
    const char *name;
    void (*fn)(void);
} cases[] = {
    { "ipctype", case_ipctype },
    { "unlimited", case_unlimited },
};

int main(int argc, char **argv)
{
    alarm(30);
    signal(SIGPIPE, SIG_IGN);
    snprintf(ipc_path, sizeof ipc_path, "/tmp/nn-hostile-ours-%d.ipc", (int) getpid());
    snprintf(ipc_addr, sizeof ipc_addr, "ipc://%s", ipc_path);
    unlink(ipc_path);

    rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_bind(rep, TCP_ADDR);
    test_bind(rep, ipc_addr);
    test_bind(rep, WS_ADDR);
    test_thread server;
    test_thread_start(&server, server_main, NULL);
    req_tcp = make_req(TCP_ADDR);
    req_ipc = make_req(ipc_addr);
    req_ws = make_req(WS_ADDR);
    check_served("start");

    int ran = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        cases[i].fn();
        ran++;
    }
    CHECK(ran > 0);

    check_served("everything");
    test_close(req_tcp);
    test_close(req_ipc);
    test_close(req_ws);
    stop_server = 1;
    test_thread_join(&server);
    test_close(rep);
    unlink(ipc_path);
    return 0;
}
