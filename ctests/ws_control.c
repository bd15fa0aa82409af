/* WebSocket control frames when the peer does not read (ours-only).

   A raw client with a small receive buffer sends many pings with 125-byte
   payloads and reads nothing until the server's socket buffer is full,
   then reads everything. Every frame must parse: each pong is whole and
   carries one ping's payload intact, pongs come in ping order, the pong
   for the last ping is there (RFC 6455 5.5.3 lets a server answer only
   the latest of the pings it has not answered yet, so a peer that pings
   without reading cannot make it queue without bound), and the data
   message sent afterwards follows them intact. Before the fix a pong the
   socket took only part of was cut (the rest dropped, corrupting the
   stream) and a pong it did not take at all was lost.

   The same with data stuck in the output first (large messages the client
   does not read): pongs go between whole data frames, never into one.

   Ports: 24500-24519 (this file's block; uses 24500-24501). */
#define _GNU_SOURCE
#include "testutil.h"
#include "rawsock.h"
#include <nanomsg/pair.h>
#include <nanomsg/ws.h>

#define PORT_PING 24500
#define PORT_DATA 24501
#define PLEN 125

/* A raw WebSocket client whose receive buffer is small, so the server's
   output fills after a few dozen KB. */
static int small_client(int port)
{
    char key[32], want[32], head[2048], v[256];
    int closed;
    int64_t deadline = now_ms() + TEST_MUST_MS;
    int fd;
    for (;;) {
        struct sockaddr_in sa;
        int rcv = 4096;
        fd = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(fd >= 0);
        CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv) == 0);
        rs_set_timeouts(fd, 10000);
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t) port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0)
            break;
        close(fd);
        CHECK(now_ms() < deadline);
        sleep_ms(20);
    }
    rs_ws_key(key);
    rs_ws_accept(key, want);
    CHECK(rs_ws_send_upgrade(fd, "/", "pair.sp.nanomsg.org", key) == 0);
    rs_read_http(fd, head, sizeof head, TEST_MUST_MS, &closed);
    CHECK(rs_http_status(head) == 101);
    CHECK(rs_http_header(head, "Sec-WebSocket-Accept", v, sizeof v));
    CHECK(strcmp(v, want) == 0);
    return fd;
}

static void ping_payload(unsigned char *p, uint32_t i)
{
    test_putl(p, i);
    for (int j = 4; j < PLEN; j++)
        p[j] = (unsigned char) (i * 31u + (uint32_t) j);
}

/* Sends pings first .. first + n - 1 (masked, 125-byte payloads) in one
   write. */
static void send_pings(int fd, uint32_t first, uint32_t n)
{
    size_t fl = 2 + 4 + PLEN;
    unsigned char *buf = malloc(fl * n);
    CHECK(buf != NULL);
    for (uint32_t k = 0; k < n; k++) {
        unsigned char *f = buf + fl * k, p[PLEN];
        uint32_t i = first + k;
        unsigned char mk[4] = { (unsigned char) (i | 1), 0x5a,
            (unsigned char) (i >> 8), 0xc3 };
        f[0] = 0x89;
        f[1] = 0x80 | PLEN;
        memcpy(f + 2, mk, 4);
        ping_payload(p, i);
        for (int j = 0; j < PLEN; j++)
            f[6 + j] = p[j] ^ mk[j & 3];
    }
    CHECK(rs_send_all(fd, buf, fl * n) == 0);
    free(buf);
}

struct seen {
    uint32_t pongs;     /* pongs read */
    int64_t last;       /* index of the last pong, -1 before the first */
    uint32_t data;      /* data frames read */
};

/* Reads one frame: a pong (checked and counted) or a binary frame
   (returned in buf, its length as the result; -1 for a pong). */
static long read_frame(int fd, struct seen *st, unsigned char *buf, size_t cap)
{
    int op, fin, masked;
    long n = rs_ws_recv_frame(fd, &op, &fin, &masked, buf, cap, 10000);
    if (n < 0)
        fprintf(stderr, "no frame after %u pongs, %u data frames\n",
            st->pongs, st->data);
    CHECK(n >= 0);
    CHECK(fin == 1 && masked == 0);
    if (op == 2) {
        st->data++;
        return n;
    }
    if (op != 10)
        fprintf(stderr, "frame with opcode %d after %u pongs\n", op, st->pongs);
    CHECK(op == 10);
    CHECK(n == PLEN);
    uint32_t i = test_getl(buf);
    unsigned char want[PLEN];
    ping_payload(want, i);
    if (memcmp(buf, want, PLEN) != 0 || (int64_t) i <= st->last)
        fprintf(stderr, "pong %u (after %lld) is not a ping's payload in "
            "order\n", i, (long long) st->last);
    CHECK(memcmp(buf, want, PLEN) == 0);
    CHECK((int64_t) i > st->last);
    st->last = i;
    st->pongs++;
    return -1;
}

static int bound_pair(int port)
{
    char addr[64];
    int s = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 10000);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 10000);
    snprintf(addr, sizeof addr, "ws://127.0.0.1:%d", port);
    test_bind(s, addr);
    return s;
}

/* Enough pings that their pongs (127 bytes each) would overflow twice the
   most a socket's send buffer may grow to (tcp_wmem's maximum; 4 MiB by
   default: 66 000 pings, 8.7 MB). */
static uint32_t pings_to_fill(void)
{
    long lo, mid, hi = 4L << 20;
    FILE *f = fopen("/proc/sys/net/ipv4/tcp_wmem", "r");
    if (f) {
        if (fscanf(f, "%ld %ld %ld", &lo, &mid, &hi) != 3)
            hi = 4L << 20;
        fclose(f);
    }
    return (uint32_t) (2 * hi / 127 + 1000);
}

/* Many pings, nothing read until all of them were handled. */
static void test_pings_unread(void)
{
    const uint32_t n = pings_to_fill();
    int s = bound_pair(PORT_PING);
    int fd = small_client(PORT_PING);
    unsigned char buf[256];
    CHECK(rs_ws_send_frame(fd, 2, 1, 1, "hello", 5) == 0);
    test_recv(s, "hello");

    send_pings(fd, 0, n);
    /* Frames are handled in order: once "end" is out of nn_recv, every
       ping before it was answered or queued. */
    CHECK(rs_ws_send_frame(fd, 2, 1, 1, "end", 3) == 0);
    test_recv(s, "end");
    test_send(s, "reply");

    struct seen st = { 0, -1, 0 };
    long len;
    while ((len = read_frame(fd, &st, buf, sizeof buf)) < 0)
        ;
    CHECK(len == 5 && memcmp(buf, "reply", 5) == 0);
    if (st.last != (int64_t) n - 1)
        fprintf(stderr, "last pong %lld, last ping %u\n", (long long) st.last,
            n - 1);
    CHECK(st.last == (int64_t) n - 1);
    /* The premise: the output did fill, so some pongs were folded into
       later ones. */
    if (st.pongs >= n)
        fprintf(stderr, "all %u pongs came back: the server's output never "
            "filled, so this test checked nothing\n", n);
    CHECK(st.pongs < n);

    /* The connection still works both ways. */
    CHECK(rs_ws_send_frame(fd, 2, 1, 1, "more", 4) == 0);
    test_recv(s, "more");
    test_send(s, "again");
    CHECK(read_frame(fd, &st, buf, sizeof buf) == 5);
    CHECK(memcmp(buf, "again", 5) == 0);
    close(fd);
    test_close(s);
}

/* Large messages stuck in the output, then pings. */
static void test_pings_behind_data(void)
{
    const size_t msz = 100000;
    const uint32_t n = 3000;
    int s = bound_pair(PORT_DATA);
    int fd = small_client(PORT_DATA);
    unsigned char *msg = malloc(msz), *buf = malloc(msz + 16);
    CHECK(msg != NULL && buf != NULL);
    CHECK(rs_ws_send_frame(fd, 2, 1, 1, "hello", 5) == 0);
    test_recv(s, "hello");

    /* Send until the output is full. */
    uint32_t sent = 0;
    for (;;) {
        for (size_t j = 0; j < msz; j++)
            msg[j] = (unsigned char) (j * 7 + sent);
        test_putl(msg, sent);
        int rc = nn_send(s, msg, msz, NN_DONTWAIT);
        if (rc < 0) {
            CHECK(nn_errno() == EAGAIN);
            break;
        }
        CHECK(rc == (int) msz);
        CHECK(++sent < 1000);
    }
    CHECK(sent >= 1);

    send_pings(fd, 0, n);
    CHECK(rs_ws_send_frame(fd, 2, 1, 1, "end", 3) == 0);
    test_recv(s, "end");

    /* Every data frame whole and in order, pongs only between them, the
       last ping answered. */
    struct seen st = { 0, -1, 0 };
    while (st.data < sent || st.last != (int64_t) n - 1) {
        long len = read_frame(fd, &st, buf, msz + 16);
        if (len < 0)
            continue;
        uint32_t k = st.data - 1;
        CHECK(len == (long) msz);
        CHECK(test_getl(buf) == k);
        for (size_t j = 4; j < msz; j++)
            CHECK(buf[j] == (unsigned char) (j * 7 + k));
    }
    CHECK(st.data == sent);
    test_send(s, "after");
    while (read_frame(fd, &st, buf, msz + 16) < 0)
        ;
    CHECK(memcmp(buf, "after", 5) == 0);
    free(msg);
    free(buf);
    close(fd);
    test_close(s);
}

int main(void)
{
    alarm(60);
    signal(SIGPIPE, SIG_IGN);
    test_pings_unread();
    test_pings_behind_data();
    return 0;
}
