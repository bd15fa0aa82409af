/* ours-only: peers that come, send and vanish must leave nothing behind.

   Every case counts the process's open descriptors before, lets peers do
   their worst, and then waits (for a condition, bounded) until the count is
   back where it started. A connection the library forgot to end keeps its
   descriptor, so a leaked connection shows here.

   - send_only: a bound PUB or PUSH (which never receive) over tcp and ipc.
     Peers complete the SP handshake, send one message (or a large burst) and
     disconnect. Incoming data on a send-only socket must neither stop the
     connection from noticing that the peer is gone nor be buffered.
     (Upstream 1.1.5 keeps such connections: its PUB stops reading after the
     first message and never sees the FIN.)
   - pair_race: a bound PAIR served by an echo loop (nn_poll + nn_recv
     NN_MSG + nn_send) is hit by 30 rounds of 10 raw peers that connect, send
     one message and close at once. The first becomes the pair's peer, the
     others are refused; a refused peer whose message arrived before the
     refusal used to be kept forever.
   - ws_memory: 1500 WebSocket peers upgrade to a bound PUB and leave, twice;
     the second round must leave the heap (glibc's mallinfo2) where the
     first left it.
   - teardown: as upstream's ipc_shutdown test, 100 threads each connect a
     SUB to a bound PUB and close it at once; then 10 threads at a time each
     dial a bound PUSH ten times from one PULL, receive ten messages and
     close while the PUSH keeps sending; then everything is closed. Connections that were
     still in their handshake when their socket closed used to be kept
     forever (with their descriptors and queued messages).

   Ports 24400-24409 (24400, 24401, 24404, 24405, 24409); ipc files in the working directory. */
#include "rawsock.h"
#include <dirent.h>
#include <malloc.h>
#include <sched.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    CHECK(d != NULL);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* Waits up to 10 s for the descriptor count to fall to `base`. */
static void expect_fds_back(int base, const char *what)
{
    int64_t deadline = now_ms() + 10000;
    int n;
    while ((n = count_fds()) > base && now_ms() < deadline)
        sleep_ms(10);
    if (n > base) {
        fprintf(stderr, "%s: %d descriptors still open (started with %d)\n",
            what, n, base);
        exit(1);
    }
}

static void put_msg(unsigned char *buf, size_t *len, int ipc, const void *body,
    size_t blen)
{
    size_t at = 0;
    if (ipc)
        buf[at++] = 1;
    rs_put64(buf + at, blen);
    memcpy(buf + at + 8, body, blen);
    *len = at + 8 + blen;
}

static int peer_connect(int ipc, int port, const char *path)
{
    return ipc ? rs_unix_connect(path) : rs_tcp_connect(port);
}

/* A peer of protocol `proto` that completes the handshake, sends `count`
   messages of `size` bytes and disconnects (`rst`: with a reset). */
static void vanish(int ipc, int port, const char *path, int proto, int count,
    size_t size, int rst)
{
    unsigned char hdr[8], got[8];
    static unsigned char frame[9 + 8192];
    static unsigned char body[8192];
    size_t flen;
    int fd = peer_connect(ipc, port, path);
    rs_sp_header(hdr, proto);
    CHECK(rs_send_all(fd, hdr, 8) == 0);
    CHECK(rs_recv_n(fd, got, 8, TEST_MUST_MS, NULL) == 8);
    memset(body, 'x', size);
    put_msg(frame, &flen, ipc, body, size);
    for (int i = 0; i < count; i++)
        if (rs_send_all(fd, frame, flen) != 0)
            break;
    if (rst)
        rs_abort_close(fd);
    else
        close(fd);
}

static void test_send_only(int ipc, int proto, int peer_proto, int port,
    const char *addr, const char *path)
{
    int s = test_socket(AF_SP, proto);
    test_bind(s, addr);
    int base = count_fds();
    for (int i = 0; i < 100; i++)
        vanish(ipc, port, path, peer_proto, 1, 5, i % 2);
    expect_fds_back(base, "send-only, one message each");
    /* More than NN_RCVBUF (128 KiB) from one peer: must not be kept. */
    for (int i = 0; i < 5; i++)
        vanish(ipc, port, path, peer_proto, 40, 8192, 0);
    expect_fds_back(base, "send-only, 320 KiB each");
    test_close(s);
}

/* ---- pair_race ---------------------------------------------------------- */

static volatile int echo_stop;

static void *echo_loop(void *arg)
{
    int s = *(int *) arg;
    while (!echo_stop) {
        struct nn_pollfd pfd = { s, NN_POLLIN, 0 };
        int rc = nn_poll(&pfd, 1, 50);
        CHECK(rc >= 0);
        if (rc == 0)
            continue;
        void *m = NULL;
        int n = nn_recv(s, &m, NN_MSG, NN_DONTWAIT);
        if (n < 0) {
            CHECK(nn_errno() == EAGAIN);
            continue;
        }
        if (nn_send(s, &m, NN_MSG, NN_DONTWAIT) < 0)
            nn_freemsg(m);
    }
    return NULL;
}

static void test_pair_race(void)
{
    const int port = 24404;
    int s = test_socket(AF_SP, NN_PAIR);
    test_bind(s, "tcp://127.0.0.1:24404");
    /* nn_poll uses the socket's RCVFD, made on first use: count it in. */
    (void) test_getopt_int(s, NN_SOL_SOCKET, NN_RCVFD);
    int base = count_fds();
    echo_stop = 0;
    test_thread t;
    test_thread_start(&t, echo_loop, &s);
    for (int round = 0; round < 30; round++) {
        int fds[10];
        unsigned char hdr[8], frame[16];
        size_t flen;
        rs_sp_header(hdr, NN_PAIR);
        put_msg(frame, &flen, 0, "ping", 4);
        for (int i = 0; i < 10; i++) {
            fds[i] = rs_tcp_connect(port);
            rs_send_all(fds[i], hdr, 8);
            rs_send_all(fds[i], frame, flen);
        }
        for (int i = 0; i < 10; i++)
            close(fds[i]);
    }
    expect_fds_back(base, "pair_race");
    /* The socket still works: a good peer gets its echo. When c's first
       connection comes in, the bound PAIR may not have let go of a
       vanished raw peer yet: that connection is refused and what c sent
       into it is lost (nn_pair(7) promises no delivery then), so c offers
       again until the echo comes. Pings of raw peers still queued in the
       bound PAIR when c became its peer are echoed to c: skipped. */
    int c = test_socket(AF_SP, NN_PAIR);
    test_connect(c, "tcp://127.0.0.1:24404");
    test_setopt_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
    test_setopt_int(c, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    int64_t until = now_ms() + TEST_MUST_MS;
    for (;;) {
        char buf[16];
        int rc;
        test_send(c, "good");
        while ((rc = nn_recv(c, buf, sizeof buf, 0)) == 4 &&
            memcmp(buf, "ping", 4) == 0)
            ;
        if (rc == 4 && memcmp(buf, "good", 4) == 0)
            break;
        CHECK(rc < 0 && nn_errno() == ETIMEDOUT);
        if (now_ms() > until) {
            fprintf(stderr, "pair_race: no echo within %d ms\n",
                TEST_MUST_MS);
            exit(1);
        }
    }
    test_close(c);
    echo_stop = 1;
    test_thread_join(&t);
    test_close(s);
}

/* ---- ws_memory ---------------------------------------------------------- */

static size_t heap_in_use(void)
{
    malloc_trim(0);
    return mallinfo2().uordblks;
}

/* WebSocket peers that upgrade and leave: the port's listener kept a note
   of every connection it ever accepted (about 1 KB each), since the end of
   a ws connection is told to the path's endpoint, not to the port. */
static void test_ws_memory(void)
{
    int s = test_socket(AF_SP, NN_PUB);
    test_bind(s, "ws://127.0.0.1:24405");
    int base = count_fds();
    size_t before = 0;
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 1500; i++)
            close(rs_ws_client(24405, "/", "pub.sp.nanomsg.org"));
        expect_fds_back(base, "ws_memory");
        if (round == 0)
            before = heap_in_use();
    }
    long grew = (long) heap_in_use() - (long) before;
    if (grew > 256 * 1024) {
        fprintf(stderr, "ws_memory: 1500 ws peers left %ld bytes behind\n",
            grew);
        exit(1);
    }
    test_close(s);
}

/* ---- teardown ----------------------------------------------------------- */

#define TEARDOWN_ADDR "ipc://peer_vanish_teardown.ipc"

static void *sub_connect_close(void *arg)
{
    (void) arg;
    int s = test_socket(AF_SP, NN_SUB);
    test_connect(s, TEARDOWN_ADDR);
    test_close(s);
    return NULL;
}

static int pull_active;

static void *pull_ten(void *arg)
{
    (void) arg;
    int s = test_socket(AF_SP, NN_PULL);
    for (int i = 0; i < 10; i++)
        test_connect(s, TEARDOWN_ADDR);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 10000);
    for (int i = 0; i < 10; i++)
        test_recv(s, "hello");
    test_close(s);
    __atomic_sub_fetch(&pull_active, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_teardown(void)
{
    /* The I/O thread's descriptors come with the first network endpoint. */
    int warm = test_socket(AF_SP, NN_PUB);
    test_bind(warm, "tcp://127.0.0.1:24409");
    test_close(warm);
    int base = count_fds();
    int pub = test_socket(AF_SP, NN_PUB);
    test_bind(pub, TEARDOWN_ADDR);
    for (int j = 0; j < 10; j++) {
        test_thread th[100];
        for (int i = 0; i < 100; i++)
            test_thread_start(&th[i], sub_connect_close, NULL);
        for (int i = 0; i < 100; i++)
            test_thread_join(&th[i]);
    }
    test_close(pub);

    /* Sending while the receivers shut down: each PULL dials ten times. */
    int push = test_socket(AF_SP, NN_PUSH);
    test_bind(push, TEARDOWN_ADDR);
    for (int j = 0; j < 10; j++) {
        test_thread th[10];
        pull_active = 10;
        for (int i = 0; i < 10; i++)
            test_thread_start(&th[i], pull_ten, NULL);
        while (__atomic_load_n(&pull_active, __ATOMIC_SEQ_CST) > 0) {
            (void) nn_send(push, "hello", 5, NN_DONTWAIT);
            sched_yield();
        }
        for (int i = 0; i < 10; i++)
            test_thread_join(&th[i]);
    }
    test_close(push);
    expect_fds_back(base, "teardown");
}

/* With an argument, runs only the case of that name. */
int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
#define RUN(name) (!only || strcmp(only, name) == 0)
    signal(SIGPIPE, SIG_IGN);
    if (RUN("send_only")) {
        test_send_only(0, NN_PUB, NN_SUB, 24400, "tcp://127.0.0.1:24400", NULL);
        test_send_only(0, NN_PUSH, NN_PULL, 24401, "tcp://127.0.0.1:24401",
            NULL);
        test_send_only(1, NN_PUB, NN_SUB, 0, "ipc://peer_vanish_pub.ipc",
            "peer_vanish_pub.ipc");
        test_send_only(1, NN_PUSH, NN_PULL, 0, "ipc://peer_vanish_push.ipc",
            "peer_vanish_push.ipc");
    }
    if (RUN("pair_race"))
        test_pair_race();
    if (RUN("ws_memory"))
        test_ws_memory();
    if (RUN("teardown"))
        test_teardown();
    return 0;
}
