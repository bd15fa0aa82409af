/* NN_SOL_SOCKET options (defaults, round trips, ranges, read-only options,
   unknown options/levels, short buffers, NN_SOCKET_NAME) and the transport
   level options NN_TCP_NODELAY (level NN_TCP) and NN_WS_MSG_TYPE (level
   NN_WS), exactly as upstream nanomsg 1.1.5 handles them. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/tcp.h>
#include <nanomsg/ws.h>
#include <nanomsg/inproc.h>
#include <nanomsg/ipc.h>

static int setopt_int(int s, int level, int opt, int value)
{
    return nn_setsockopt(s, level, opt, &value, sizeof value);
}

/*  Setting the option to value must succeed and read back the same. */
static void roundtrip(int s, int level, int opt, int value)
{
    int rc = setopt_int(s, level, opt, value);
    if (rc != 0) {
        fprintf(stderr, "setting option %d/%d to %d failed: errno %d\n",
            level, opt, value, nn_errno());
        exit(1);
    }
    if (test_getopt_int(s, level, opt) != value) {
        fprintf(stderr, "option %d/%d set to %d reads back %d\n",
            level, opt, value, test_getopt_int(s, level, opt));
        exit(1);
    }
}

/*  Setting the option to value must fail with EINVAL and leave the option
    unchanged. */
static void rejected(int s, int level, int opt, int value)
{
    int before = test_getopt_int(s, level, opt);
    int rc = setopt_int(s, level, opt, value);
    if (rc != -1 || nn_errno() != EINVAL) {
        fprintf(stderr, "setting option %d/%d to %d: rc %d errno %d, "
            "expected EINVAL\n", level, opt, value, rc, nn_errno());
        exit(1);
    }
    CHECK(test_getopt_int(s, level, opt) == before);
}

static void check_name(int s, const char *expected)
{
    char buf[128];
    size_t sz = sizeof buf;
    memset(buf, 'X', sizeof buf);
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, &sz) == 0);
    if (sz != strlen(expected) || memcmp(buf, expected, sz) != 0) {
        fprintf(stderr, "socket name is '%.*s' (%zu), expected '%s'\n",
            (int) (sz < sizeof buf ? sz : sizeof buf), buf, sz, expected);
        exit(1);
    }
    /*  There was room, so the name is NUL terminated. */
    CHECK(buf[sz] == 0);
}

static void check_defaults(int s, int domain)
{
    /*  NN_LINGER reads 0 on upstream (not implemented there) and 1000 on
        ours (implemented; linger.c checks it). */
    int linger = test_getopt_int(s, NN_SOL_SOCKET, NN_LINGER);
    CHECK(linger == 0 || linger == 1000);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_SNDBUF) == 131072);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVBUF) == 131072);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO) == -1);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO) == -1);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL) == 100);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX) == 0);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_SNDPRIO) == 8);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVPRIO) == 8);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_DOMAIN) == domain);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_IPV4ONLY) == 1);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE) == 1048576);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_MAXTTL) == 8);
    CHECK(test_getopt_int(s, NN_TCP, NN_TCP_NODELAY) == 0);
    CHECK(test_getopt_int(s, NN_WS, NN_WS_MSG_TYPE) == NN_WS_MSG_TYPE_BINARY);
    {
        /*  Default name: the socket number in decimal. */
        char expected[32];
        snprintf(expected, sizeof expected, "%d", s);
        check_name(s, expected);
    }
}

int main(void)
{
    int s, s2, raw, rc, v, fd1, fd2;
    size_t sz;
    char buf[256];
    static const int anyint[] = { -1000000, -2, -1, 0, 1, 100, 2147483647 };
    unsigned i;

    s = test_socket(AF_SP, NN_PAIR);
    check_defaults(s, AF_SP);
    raw = test_socket(AF_SP_RAW, NN_PAIR);
    check_defaults(raw, AF_SP_RAW);

    /*  NN_LINGER: accepted for any value (upstream then still reads 0,
        ours reads the value back). */
    for (i = 0; i < sizeof anyint / sizeof anyint[0]; ++i) {
        CHECK(setopt_int(s, NN_SOL_SOCKET, NN_LINGER, anyint[i]) == 0);
        int v = test_getopt_int(s, NN_SOL_SOCKET, NN_LINGER);
        CHECK(v == 0 || v == anyint[i]);
    }

    /*  NN_SNDBUF / NN_RCVBUF: > 0. */
    roundtrip(s, NN_SOL_SOCKET, NN_SNDBUF, 1);
    roundtrip(s, NN_SOL_SOCKET, NN_SNDBUF, 1000);
    roundtrip(s, NN_SOL_SOCKET, NN_SNDBUF, 2147483647);
    rejected(s, NN_SOL_SOCKET, NN_SNDBUF, 0);
    rejected(s, NN_SOL_SOCKET, NN_SNDBUF, -1);
    rejected(s, NN_SOL_SOCKET, NN_SNDBUF, -1000000);
    roundtrip(s, NN_SOL_SOCKET, NN_RCVBUF, 1);
    roundtrip(s, NN_SOL_SOCKET, NN_RCVBUF, 65536);
    roundtrip(s, NN_SOL_SOCKET, NN_RCVBUF, 2147483647);
    rejected(s, NN_SOL_SOCKET, NN_RCVBUF, 0);
    rejected(s, NN_SOL_SOCKET, NN_RCVBUF, -1);

    /*  NN_SNDTIMEO / NN_RCVTIMEO: any value is stored as is. */
    for (i = 0; i < sizeof anyint / sizeof anyint[0]; ++i) {
        roundtrip(s, NN_SOL_SOCKET, NN_SNDTIMEO, anyint[i]);
        roundtrip(s, NN_SOL_SOCKET, NN_RCVTIMEO, anyint[i]);
    }

    /*  NN_RECONNECT_IVL / NN_RECONNECT_IVL_MAX: >= 0. */
    roundtrip(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 0);
    roundtrip(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 1);
    roundtrip(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 2147483647);
    rejected(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, -1);
    rejected(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, -1000000);
    roundtrip(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 0);
    roundtrip(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 5000);
    rejected(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, -1);
    /*  IVL_MAX below IVL is accepted (it is ignored at run time). */
    roundtrip(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 1000);
    roundtrip(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 10);

    /*  NN_SNDPRIO / NN_RCVPRIO: 1..16. */
    for (v = 1; v <= 16; ++v) {
        roundtrip(s, NN_SOL_SOCKET, NN_SNDPRIO, v);
        roundtrip(s, NN_SOL_SOCKET, NN_RCVPRIO, v);
    }
    rejected(s, NN_SOL_SOCKET, NN_SNDPRIO, 0);
    rejected(s, NN_SOL_SOCKET, NN_SNDPRIO, 17);
    rejected(s, NN_SOL_SOCKET, NN_SNDPRIO, -1);
    rejected(s, NN_SOL_SOCKET, NN_SNDPRIO, 256);
    rejected(s, NN_SOL_SOCKET, NN_RCVPRIO, 0);
    rejected(s, NN_SOL_SOCKET, NN_RCVPRIO, 17);
    rejected(s, NN_SOL_SOCKET, NN_RCVPRIO, -1);
    rejected(s, NN_SOL_SOCKET, NN_RCVPRIO, 2147483647);

    /*  NN_IPV4ONLY: 0 or 1. */
    roundtrip(s, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    roundtrip(s, NN_SOL_SOCKET, NN_IPV4ONLY, 1);
    rejected(s, NN_SOL_SOCKET, NN_IPV4ONLY, 2);
    rejected(s, NN_SOL_SOCKET, NN_IPV4ONLY, -1);

    /*  NN_RCVMAXSIZE: >= -1 (-1 = unlimited, 0 allowed). */
    roundtrip(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    roundtrip(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, 0);
    roundtrip(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, 1);
    roundtrip(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, 2147483647);
    rejected(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -2);
    rejected(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1000000);

    /*  NN_MAXTTL: 1..255. */
    roundtrip(s, NN_SOL_SOCKET, NN_MAXTTL, 1);
    roundtrip(s, NN_SOL_SOCKET, NN_MAXTTL, 255);
    roundtrip(s, NN_SOL_SOCKET, NN_MAXTTL, 17);
    rejected(s, NN_SOL_SOCKET, NN_MAXTTL, 0);
    rejected(s, NN_SOL_SOCKET, NN_MAXTTL, 256);
    rejected(s, NN_SOL_SOCKET, NN_MAXTTL, -1);

    /*  Options are per socket: raw still has its defaults. */
    check_defaults(raw, AF_SP_RAW);

    /*  Read-only options cannot be set: ENOPROTOOPT, value unchanged. */
    fd1 = test_getopt_int(s, NN_SOL_SOCKET, NN_SNDFD);
    fd2 = test_getopt_int(s, NN_SOL_SOCKET, NN_RCVFD);
    CHECK(fd1 >= 0);
    CHECK(fd2 >= 0);
    CHECK(fd1 != fd2);
    /*  The same descriptor every time. */
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_SNDFD) == fd1);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_RCVFD) == fd2);
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, NN_SNDFD, 3), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, NN_RCVFD, 3), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, NN_DOMAIN, AF_SP_RAW), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, NN_PROTOCOL, NN_PAIR), ENOPROTOOPT);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_SNDFD) == fd1);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);

    /*  Unknown options and levels: ENOPROTOOPT. */
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, 0, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, 18, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, 9999, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, -1, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, 12345, NN_SNDBUF, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_PAIR, 1, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_INPROC, 1, 1), ENOPROTOOPT);
    /*  -5 is ours (NN_TLS, <nanomsg/tls.h>): the next level is unknown to
        both libraries. */
    CHECK_ERR(setopt_int(s, -6, 1, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_TCP, 2, 1), ENOPROTOOPT);
    CHECK_ERR(setopt_int(s, NN_WS, 2, 1), ENOPROTOOPT);
    v = 77;
    sz = sizeof v;
    CHECK_ERR(nn_getsockopt(s, NN_SOL_SOCKET, 0, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, NN_SOL_SOCKET, 18, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, NN_SOL_SOCKET, 9999, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, NN_SOL_SOCKET, -1, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, 99, 1, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, NN_PAIR, 1, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, NN_INPROC, 1, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, -6, 1, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, NN_TCP, 2, &v, &sz), ENOPROTOOPT);
    CHECK_ERR(nn_getsockopt(s, NN_WS, 2, &v, &sz), ENOPROTOOPT);
    CHECK(v == 77);
    CHECK(sz == sizeof v);

    /*  Wrong optvallen for an integer option: EINVAL. At NN_SOL_SOCKET
        level the length is checked before the option is looked up, so even
        read-only and unknown options give EINVAL; at an unknown level it
        is ENOPROTOOPT. */
    {
        short sv = 5;
        long long lv = 5;
        char cv = 5;
        CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &sv, sizeof sv),
            EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &lv, sizeof lv),
            EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &cv, 1),
            EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &lv, 0), EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDFD, &lv, sizeof lv),
            EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, 9999, &lv, sizeof lv),
            EINVAL);
        CHECK_ERR(nn_setsockopt(s, 12345, 1, &lv, sizeof lv), ENOPROTOOPT);
        CHECK_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &sv, sizeof sv),
            EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_WS, NN_WS_MSG_TYPE, &sv, sizeof sv),
            EINVAL);
        CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_SNDBUF) == 2147483647);
    }

    /*  getsockopt with a short buffer: the value is silently truncated to
        the buffer and optvallen reports the real size. */
    roundtrip(s, NN_SOL_SOCKET, NN_SNDBUF, 0x01020304);
    {
        unsigned char b[8];
        int expect = 0x01020304;
        memset(b, 0xee, sizeof b);
        sz = 2;
        CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, b, &sz) == 0);
        CHECK(sz == sizeof (int));
        CHECK(memcmp(b, &expect, 2) == 0);
        CHECK(b[2] == 0xee && b[3] == 0xee);

        memset(b, 0xee, sizeof b);
        sz = 0;
        CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, b, &sz) == 0);
        CHECK(sz == sizeof (int));
        CHECK(b[0] == 0xee);

        /*  A larger buffer: only sizeof(int) written, optvallen updated. */
        memset(b, 0xee, sizeof b);
        sz = sizeof b;
        CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, b, &sz) == 0);
        CHECK(sz == sizeof (int));
        CHECK(memcmp(b, &expect, sizeof expect) == 0);
        CHECK(b[4] == 0xee && b[7] == 0xee);
    }

    /*  NN_SOCKET_NAME. */
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "hello", 5) == 0);
    check_name(s, "hello");
    /*  Short buffer: truncated, optvallen gives the full length. */
    memset(buf, 'X', sizeof buf);
    sz = 3;
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, &sz) == 0);
    CHECK(sz == 5);
    CHECK(memcmp(buf, "hel", 3) == 0);
    CHECK(buf[3] == 'X');
    /*  Exactly the length: no terminator written. */
    memset(buf, 'X', sizeof buf);
    sz = 5;
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, &sz) == 0);
    CHECK(sz == 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK(buf[5] == 'X');
    /*  Zero-length buffer. */
    memset(buf, 'X', sizeof buf);
    sz = 0;
    CHECK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, &sz) == 0);
    CHECK(sz == 5);
    CHECK(buf[0] == 'X');
    /*  The name is a C string: only what precedes a NUL is kept. */
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "ab\0cd", 5) == 0);
    check_name(s, "ab");
    /*  The given length is honoured (not the NUL in the source). */
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "worldwide", 5) == 0);
    check_name(s, "world");
    /*  Empty name. */
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "", 0) == 0);
    check_name(s, "");
    /*  Up to 63 characters; 64 or more is EINVAL and keeps the old name. */
    memset(buf, 'n', sizeof buf);
    buf[63] = 0;
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, 63) == 0);
    check_name(s, buf);
    memset(buf, 'm', sizeof buf);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, 64), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, 200),
        EINVAL);
    memset(buf, 'n', sizeof buf);
    buf[63] = 0;
    check_name(s, buf);
    CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "x", 1) == 0);
    check_name(s, "x");
    /*  Per socket. */
    {
        char expected[32];
        snprintf(expected, sizeof expected, "%d", raw);
        check_name(raw, expected);
    }

    /*  NN_TCP_NODELAY at level NN_TCP: 0 or 1. */
    roundtrip(s, NN_TCP, NN_TCP_NODELAY, 1);
    roundtrip(s, NN_TCP, NN_TCP_NODELAY, 0);
    rejected(s, NN_TCP, NN_TCP_NODELAY, 2);
    rejected(s, NN_TCP, NN_TCP_NODELAY, -1);
    /*  Not a socket-level option. */
    CHECK_ERR(setopt_int(s, NN_SOL_SOCKET, NN_TCP_NODELAY + 100, 1),
        ENOPROTOOPT);

    /*  NN_WS_MSG_TYPE at level NN_WS: TEXT (1) or BINARY (2). */
    roundtrip(s, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_TEXT);
    roundtrip(s, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_BINARY);
    rejected(s, NN_WS, NN_WS_MSG_TYPE, 0);
    rejected(s, NN_WS, NN_WS_MSG_TYPE, 3);
    rejected(s, NN_WS, NN_WS_MSG_TYPE, -1);

    /*  Transport options are per socket too. */
    roundtrip(s, NN_TCP, NN_TCP_NODELAY, 1);
    roundtrip(s, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_TEXT);
    CHECK(test_getopt_int(raw, NN_TCP, NN_TCP_NODELAY) == 0);
    CHECK(test_getopt_int(raw, NN_WS, NN_WS_MSG_TYPE) == NN_WS_MSG_TYPE_BINARY);

    /*  A fresh socket gets the defaults, not the values of others. */
    s2 = test_socket(AF_SP, NN_PAIR);
    check_defaults(s2, AF_SP);

    /*  Options on a closed socket: EBADF. */
    test_close(s2);
    v = 1;
    sz = sizeof v;
    CHECK_ERR(nn_setsockopt(s2, NN_SOL_SOCKET, NN_SNDBUF, &v, sizeof v), EBADF);
    CHECK_ERR(nn_getsockopt(s2, NN_SOL_SOCKET, NN_SNDBUF, &v, &sz), EBADF);
    /*  Even with otherwise invalid arguments the socket is checked first. */
    CHECK_ERR(nn_setsockopt(s2, 12345, 9999, &v, 1), EBADF);
    CHECK_ERR(nn_getsockopt(s2, 12345, 9999, &v, &sz), EBADF);

    rc = nn_close(s);
    CHECK(rc == 0);
    test_close(raw);
    return 0;
}
