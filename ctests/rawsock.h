/* Raw-socket helpers for the transport tests in this directory (ws_raw.c,
   ws_bad_upgrade.c, ws_paths.c, hostile.c, hostile_ours.c): plain BSD
   sockets that play the peer's part by hand, so the tests can check the
   bytes on the wire and send malformed ones (and, in linger.c, be a peer
   that never reads).

   - rs_tcp_connect / rs_unix_connect / rs_tcp_listen: loopback sockets with
     SO_RCVTIMEO and SO_SNDTIMEO set, so no read or write can hang.
   - rs_send_all / rs_recv_n / rs_wait_closed / rs_read_http: deadline-bound
     I/O built on poll().
   - SP framing: rs_sp_header builds the 8-byte SP protocol header
     (0x00 'S' 'P' 0x00, 16-bit big-endian protocol id, two zero bytes).
   - WebSocket: a small SHA-1 (FIPS 180-4) and base64 to compute
     Sec-WebSocket-Accept, a request builder, and a frame writer/reader
     (RFC 6455 section 5.2).

   Written for these tests; moves together with them into ctests/. */
#ifndef NN_RAWSOCK_H
#define NN_RAWSOCK_H

#include "testutil.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

/* ---- sockets ------------------------------------------------------------ */

static inline void rs_set_timeouts(int fd, int ms)
{
    struct timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
}

/* Connects to 127.0.0.1:port, retrying for up to TEST_MUST_MS while the
   port is not listening yet. Returns the fd (timeouts TEST_MUST_MS) or
   aborts the test. */
static inline int rs_tcp_connect(int port)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        struct sockaddr_in sa;
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(fd >= 0);
        rs_set_timeouts(fd, TEST_MUST_MS);
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t) port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0)
            return fd;
        close(fd);
        if (now_ms() > deadline) {
            fprintf(stderr, "rs_tcp_connect(%d): %s\n", port, strerror(errno));
            CHECK(!"raw TCP connect failed");
        }
        sleep_ms(20);
    }
}

static inline int rs_unix_connect(const char *path)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        struct sockaddr_un sa;
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK(fd >= 0);
        rs_set_timeouts(fd, TEST_MUST_MS);
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        CHECK(strlen(path) < sizeof sa.sun_path);
        strcpy(sa.sun_path, path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0)
            return fd;
        close(fd);
        if (now_ms() > deadline) {
            fprintf(stderr, "rs_unix_connect(%s): %s\n", path, strerror(errno));
            CHECK(!"raw AF_UNIX connect failed");
        }
        sleep_ms(20);
    }
}

/* A listening TCP socket on 127.0.0.1:port (SO_REUSEADDR). */
static inline int rs_tcp_listen(int port)
{
    struct sockaddr_in sa;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t) port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0);
    CHECK(listen(fd, 16) == 0);
    return fd;
}

/* Accepts one connection within timeout_ms; -1 when none came. */
static inline int rs_accept(int lfd, int timeout_ms)
{
    struct pollfd p = { lfd, POLLIN, 0 };
    if (poll(&p, 1, timeout_ms) != 1)
        return -1;
    int fd = accept(lfd, NULL, NULL);
    if (fd >= 0)
        rs_set_timeouts(fd, TEST_MUST_MS);
    return fd;
}

/* Closes with an RST instead of a FIN. */
static inline void rs_abort_close(int fd)
{
    struct linger lg = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* ---- I/O ---------------------------------------------------------------- */

/* 0 when all len bytes were written, -1 when the peer went away. */
static inline int rs_send_all(int fd, const void *buf, size_t len)
{
    const char *p = (const char *) buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* Reads exactly n bytes unless the deadline passes or the peer closes.
   Returns the number of bytes read; *closed (may be NULL) is set to 1 when
   the peer closed or reset the connection. */
static inline size_t rs_recv_n(int fd, void *buf, size_t n, int timeout_ms,
    int *closed)
{
    char *p = (char *) buf;
    size_t got = 0;
    int64_t deadline = now_ms() + timeout_ms;
    if (closed)
        *closed = 0;
    while (got < n) {
        int left = (int) (deadline - now_ms());
        struct pollfd pf = { fd, POLLIN, 0 };
        if (left <= 0 || poll(&pf, 1, left) != 1)
            break;
        ssize_t r = recv(fd, p + got, n - got, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0) {
            if (closed)
                *closed = 1;
            break;
        }
        got += (size_t) r;
    }
    return got;
}

/* Discards whatever arrives until the peer closes (1) or timeout_ms passes
   (0). */
static inline int rs_wait_closed(int fd, int timeout_ms)
{
    char junk[4096];
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int left = (int) (deadline - now_ms());
        struct pollfd pf = { fd, POLLIN, 0 };
        if (left <= 0 || poll(&pf, 1, left) != 1)
            return 0;
        ssize_t r = recv(fd, junk, sizeof junk, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return 1;
    }
}

/* Reads an HTTP head: until "\r\n\r\n", EOF or the deadline, one byte at a
   time so that nothing after the blank line (frames) is consumed. Returns
   the number of bytes in buf (NUL-terminated). *closed is set when the peer
   closed or reset the connection. */
static inline size_t rs_read_http(int fd, char *buf, size_t cap, int timeout_ms,
    int *closed)
{
    size_t got = 0;
    int64_t deadline = now_ms() + timeout_ms;
    *closed = 0;
    buf[0] = 0;
    while (got + 1 < cap) {
        int left = (int) (deadline - now_ms());
        struct pollfd pf = { fd, POLLIN, 0 };
        if (left <= 0 || poll(&pf, 1, left) != 1)
            break;
        ssize_t r = recv(fd, buf + got, 1, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0) {
            *closed = 1;
            break;
        }
        got++;
        buf[got] = 0;
        if (got >= 4 && memcmp(buf + got - 4, "\r\n\r\n", 4) == 0)
            break;
    }
    return got;
}

/* Accepts a connection on the listening lfd and reads an HTTP head from
   it into buf. A client may give up a handshake that a stalled machine
   made too slow (the library's handshake timeout) and connect again: a
   connection closed before its head was complete is dropped and the next
   one taken, until timeout_ms. Returns the fd, or -1. */
static inline int rs_accept_http(int lfd, char *buf, size_t cap,
    int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int left = (int) (deadline - now_ms()), closed;
        if (left <= 0)
            return -1;
        int fd = rs_accept(lfd, left);
        if (fd < 0)
            return -1;
        left = (int) (deadline - now_ms());
        rs_read_http(fd, buf, cap, left > 0 ? left : 1, &closed);
        if (strstr(buf, "\r\n\r\n") != NULL || !closed)
            return fd;
        close(fd);
    }
}

/* The status code of an HTTP response head ("HTTP/1.1 101 ..."), or -1 when
   buf does not start with a complete status line. */
static inline int rs_http_status(const char *buf)
{
    if (strncmp(buf, "HTTP/1.1 ", 9) != 0 && strncmp(buf, "HTTP/1.0 ", 9) != 0)
        return -1;
    if (strchr(buf, '\n') == NULL)
        return -1;
    const char *p = buf + 9;
    if (p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
        p[2] > '9')
        return -1;
    return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* The value of header `name` (case-insensitive) in an HTTP head, copied to
   out (trimmed); 1 when found. */
static inline int rs_http_header(const char *head, const char *name, char *out,
    size_t outcap)
{
    size_t nlen = strlen(name);
    const char *line = strchr(head, '\n');
    while (line) {
        line++;
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t n = 0;
            while (v[n] && v[n] != '\r' && v[n] != '\n')
                n++;
            while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            if (n >= outcap)
                n = outcap - 1;
            memcpy(out, v, n);
            out[n] = 0;
            return 1;
        }
        line = strchr(line, '\n');
    }
    return 0;
}

/* ---- SP ----------------------------------------------------------------- */

static inline void rs_sp_header(unsigned char *h, int proto)
{
    h[0] = 0x00;
    h[1] = 'S';
    h[2] = 'P';
    h[3] = 0x00;
    h[4] = (unsigned char) (proto >> 8);
    h[5] = (unsigned char) proto;
    h[6] = 0;
    h[7] = 0;
}

static inline void rs_put64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char) v;
        v >>= 8;
    }
}

static inline uint64_t rs_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* ---- SHA-1 and base64 ---------------------------------------------------- */

static inline uint32_t rs_rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static inline void rs_sha1_block(uint32_t st[5], const unsigned char *blk)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = ((uint32_t) blk[4 * i] << 24) | ((uint32_t) blk[4 * i + 1] << 16) |
            ((uint32_t) blk[4 * i + 2] << 8) | (uint32_t) blk[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rs_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        uint32_t t = rs_rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rs_rol(b, 30);
        b = a;
        a = t;
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
    st[4] += e;
}

/* out: 20 bytes. */
static inline void rs_sha1(const void *data, size_t len, unsigned char *out)
{
    const unsigned char *p = (const unsigned char *) data;
    uint32_t st[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u,
        0xC3D2E1F0u };
    unsigned char tail[128];
    size_t full = len / 64 * 64;
    for (size_t i = 0; i < full; i += 64)
        rs_sha1_block(st, p + i);
    size_t rest = len - full;
    memset(tail, 0, sizeof tail);
    memcpy(tail, p + full, rest);
    tail[rest] = 0x80;
    size_t tlen = rest + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t) len * 8;
    rs_put64(tail + tlen - 8, bits);
    rs_sha1_block(st, tail);
    if (tlen == 128)
        rs_sha1_block(st, tail + 64);
    for (int i = 0; i < 5; i++)
        test_putl(out + 4 * i, st[i]);
}

/* NUL-terminated base64 of len bytes; out needs 4*ceil(len/3)+1 bytes. */
static inline void rs_base64(const unsigned char *in, size_t len, char *out)
{
    static const char tbl[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t) in[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t) in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? tbl[v & 63] : '=';
    }
    out[o] = 0;
}

/* The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 4.2.2):
   base64(SHA-1(key + GUID)). out needs 29 bytes. */
static inline void rs_ws_accept(const char *key, char *out)
{
    char buf[256];
    unsigned char dig[20];
    snprintf(buf, sizeof buf, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    rs_sha1(buf, strlen(buf), dig);
    rs_base64(dig, 20, out);
}

/* Checks SHA-1 and the accept computation against known answers (FIPS
   180 "abc" example and the RFC 6455 section 1.3 example). */
static inline void rs_selftest(void)
{
    unsigned char d[20];
    char b[64];
    static const unsigned char abc[20] = { 0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06,
        0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0,
        0xd8, 0x9d };
    rs_sha1("abc", 3, d);
    CHECK(memcmp(d, abc, 20) == 0);
    /* 56 bytes: padding spills into a second block. */
    static const unsigned char two[20] = { 0x84, 0x98, 0x3e, 0x44, 0x1c, 0x3b,
        0xd2, 0x6e, 0xba, 0xae, 0x4a, 0xa1, 0xf9, 0x51, 0x29, 0xe5, 0xe5, 0x46,
        0x70, 0xf1 };
    rs_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
    CHECK(memcmp(d, two, 20) == 0);
    rs_ws_accept("dGhlIHNhbXBsZSBub25jZQ==", b);
    CHECK(strcmp(b, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0);
}

/* ---- WebSocket ------------------------------------------------------------ */

/* A fresh random-looking 16-byte key, base64 (25 bytes incl. NUL). */
static inline void rs_ws_key(char *out)
{
    static unsigned int seq;
    unsigned char raw[16];
    unsigned int x = (unsigned int) now_ms() * 2654435761u + (++seq) * 40503u +
        (unsigned int) getpid();
    for (int i = 0; i < 16; i++) {
        x = x * 1103515245u + 12345u;
        raw[i] = (unsigned char) (x >> 16);
    }
    rs_base64(raw, 16, out);
}

/* Sends a client upgrade request for path with the given
   Sec-WebSocket-Protocol (NULL: header omitted) and key. */
static inline int rs_ws_send_upgrade(int fd, const char *path,
    const char *proto, const char *key)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
        "GET %s HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: %s\r\n"
        "Sec-WebSocket-Version: 13\r\n",
        path, key);
    if (proto)
        n += snprintf(req + n, sizeof req - (size_t) n,
            "Sec-WebSocket-Protocol: %s\r\n", proto);
    n += snprintf(req + n, sizeof req - (size_t) n, "\r\n");
    return rs_send_all(fd, req, (size_t) n);
}

/* Connects to port, upgrades to path with proto and checks for a 101 with
   the right accept value and the same protocol echoed. Returns the fd. */
static inline int rs_ws_client(int port, const char *path, const char *proto)
{
    char key[32], want[32], head[2048], v[256];
    int closed;
    int fd = rs_tcp_connect(port);
    rs_ws_key(key);
    rs_ws_accept(key, want);
    CHECK(rs_ws_send_upgrade(fd, path, proto, key) == 0);
    rs_read_http(fd, head, sizeof head, TEST_MUST_MS, &closed);
    if (rs_http_status(head) != 101)
        fprintf(stderr, "upgrade response: [%s]\n", head);
    CHECK(rs_http_status(head) == 101);
    CHECK(strstr(head, "\r\n\r\n") != NULL);
    CHECK(rs_http_header(head, "Sec-WebSocket-Accept", v, sizeof v));
    CHECK(strcmp(v, want) == 0);
    CHECK(rs_http_header(head, "Upgrade", v, sizeof v));
    CHECK(strcasecmp(v, "websocket") == 0);
    CHECK(rs_http_header(head, "Sec-WebSocket-Protocol", v, sizeof v));
    CHECK(strcasecmp(v, proto) == 0);
    return fd;
}

/* Writes one frame. mask: use a masking key (clients must). */
static inline int rs_ws_send_frame(int fd, int opcode, int fin, int mask,
    const void *payload, size_t len)
{
    unsigned char h[14];
    size_t hl = 0;
    static unsigned int mseq = 0x5a17c3e1u;
    h[hl++] = (unsigned char) ((fin ? 0x80 : 0) | (opcode & 0x0f));
    unsigned char mb = mask ? 0x80 : 0;
    if (len < 126) {
        h[hl++] = (unsigned char) (mb | len);
    } else if (len < 65536) {
        h[hl++] = mb | 126;
        h[hl++] = (unsigned char) (len >> 8);
        h[hl++] = (unsigned char) len;
    } else {
        h[hl++] = mb | 127;
        rs_put64(h + hl, (uint64_t) len);
        hl += 8;
    }
    unsigned char mk[4] = { 0, 0, 0, 0 };
    if (mask) {
        mseq = mseq * 1664525u + 1013904223u;
        test_putl(mk, mseq | 0x01010101u);
        memcpy(h + hl, mk, 4);
        hl += 4;
    }
    unsigned char *buf = (unsigned char *) malloc(hl + len + 1);
    CHECK(buf != NULL);
    memcpy(buf, h, hl);
    for (size_t i = 0; i < len; i++)
        buf[hl + i] = ((const unsigned char *) payload)[i] ^ mk[i & 3];
    int rc = rs_send_all(fd, buf, hl + len);
    free(buf);
    return rc;
}

/* Reads one frame. Returns the payload length (payload unmasked into buf,
   at most cap bytes, longer payloads fail the test), or -1 on timeout/EOF.
   *opcode, *fin and *masked describe the frame. */
static inline long rs_ws_recv_frame(int fd, int *opcode, int *fin, int *masked,
    void *buf, size_t cap, int timeout_ms)
{
    unsigned char h[14];
    int closed;
    if (rs_recv_n(fd, h, 2, timeout_ms, &closed) != 2)
        return -1;
    *fin = (h[0] & 0x80) != 0;
    *opcode = h[0] & 0x0f;
    *masked = (h[1] & 0x80) != 0;
    uint64_t len = h[1] & 0x7f;
    if (len == 126) {
        if (rs_recv_n(fd, h + 2, 2, timeout_ms, &closed) != 2)
            return -1;
        len = ((uint64_t) h[2] << 8) | h[3];
    } else if (len == 127) {
        if (rs_recv_n(fd, h + 2, 8, timeout_ms, &closed) != 8)
            return -1;
        len = rs_get64(h + 2);
    }
    unsigned char mk[4] = { 0, 0, 0, 0 };
    if (*masked && rs_recv_n(fd, mk, 4, timeout_ms, &closed) != 4)
        return -1;
    CHECK(len <= cap);
    if (rs_recv_n(fd, buf, (size_t) len, timeout_ms, &closed) != len)
        return -1;
    for (uint64_t i = 0; i < len; i++)
        ((unsigned char *) buf)[i] ^= mk[i & 3];
    return (long) len;
}

#endif
