/* ours-only: the options of level NN_TLS (<nanomsg/tls.h>, not in upstream
   nanomsg): strings given with their length (one terminating NUL dropped, a
   NUL inside or more than 4096 bytes EINVAL, empty unsets), NN_TLS_AUTH_MODE
   an int 0..2 that reads -1 until set; read back with nn_getsockopt as
   NN_SOCKET_NAME is (copied up to the caller's length, NUL too when there is
   room, full length reported); unknown options and levels ENOPROTOOPT.
   The endpoints read them when they are made: a missing CA file is ENOENT
   at nn_connect, a listener without a certificate EINVAL at nn_bind.
   Ports: none (nothing is bound or connected). */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/tcp.h>
#include <nanomsg/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define STR_MAX 4096

static const int strs[] = { NN_TLS_CA_FILE, NN_TLS_CERT_KEY_FILE,
    NN_TLS_SERVER_NAME };

/* Reads string option `opt` into buf (cap bytes); returns the reported
   length. */
static size_t get_str(int s, int opt, char *buf, size_t cap)
{
    size_t sz = cap;
    CHECK(nn_getsockopt(s, NN_TLS, opt, buf, &sz) == 0);
    return sz;
}

static void expect_str(int s, int opt, const char *want)
{
    char buf[STR_MAX + 16];
    size_t n = strlen(want);
    memset(buf, 'Z', sizeof buf);
    CHECK(get_str(s, opt, buf, sizeof buf) == n);
    CHECK(memcmp(buf, want, n) == 0);
    CHECK(buf[n] == '\0');
}

static void strings(int s, int other)
{
    char buf[STR_MAX + 16];
    char big[STR_MAX + 2];
    size_t sz;
    int i;

    for (i = 0; i < (int) (sizeof strs / sizeof strs[0]); ++i) {
        int opt = strs[i];
        /* Unset: empty. */
        expect_str(s, opt, "");
        /* Without a NUL, length given. */
        CHECK(nn_setsockopt(s, NN_TLS, opt, "certs/ca.pem", 12) == 0);
        expect_str(s, opt, "certs/ca.pem");
        /* Only the given length counts. */
        CHECK(nn_setsockopt(s, NN_TLS, opt, "certs/ca.pem", 5) == 0);
        expect_str(s, opt, "certs");
        /* With the terminating NUL (sizeof a literal): the same. */
        CHECK(nn_setsockopt(s, NN_TLS, opt, "ab.pem", sizeof "ab.pem") == 0);
        expect_str(s, opt, "ab.pem");
        /* A short buffer gets the start, no NUL; the full length is
           reported; the rest of the buffer is untouched. */
        memset(buf, 'Z', sizeof buf);
        CHECK(get_str(s, opt, buf, 3) == 6);
        CHECK(memcmp(buf, "ab.Z", 4) == 0);
        /* Exactly the string's length: no room for the NUL. */
        memset(buf, 'Z', sizeof buf);
        CHECK(get_str(s, opt, buf, 6) == 6);
        CHECK(memcmp(buf, "ab.pemZ", 7) == 0);
        /* A NUL inside, or two at the end: EINVAL, the value stays. */
        CHECK_ERR(nn_setsockopt(s, NN_TLS, opt, "a\0b", 3), EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_TLS, opt, "ab\0\0", 4), EINVAL);
        CHECK_ERR(nn_setsockopt(s, NN_TLS, opt, "\0x", 2), EINVAL);
        expect_str(s, opt, "ab.pem");
        /* The longest string is taken and read back whole; one byte more
           is EINVAL. */
        memset(big, 'p', sizeof big);
        CHECK(nn_setsockopt(s, NN_TLS, opt, big, STR_MAX) == 0);
        memset(buf, 'Z', sizeof buf);
        CHECK(get_str(s, opt, buf, sizeof buf) == STR_MAX);
        CHECK(buf[0] == 'p' && buf[STR_MAX - 1] == 'p' && buf[STR_MAX] == 0);
        CHECK_ERR(nn_setsockopt(s, NN_TLS, opt, big, STR_MAX + 1), EINVAL);
        big[STR_MAX] = '\0';
        CHECK(nn_setsockopt(s, NN_TLS, opt, big, STR_MAX + 1) == 0);
        CHECK(get_str(s, opt, buf, sizeof buf) == STR_MAX);
        big[STR_MAX + 1] = '\0';
        CHECK_ERR(nn_setsockopt(s, NN_TLS, opt, big, STR_MAX + 2), EINVAL);
        /* Empty unsets: no bytes, or a lone NUL. */
        CHECK(nn_setsockopt(s, NN_TLS, opt, "", 0) == 0);
        expect_str(s, opt, "");
        CHECK(nn_setsockopt(s, NN_TLS, opt, "x", 1) == 0);
        CHECK(nn_setsockopt(s, NN_TLS, opt, NULL, 0) == 0);
        expect_str(s, opt, "");
        CHECK(nn_setsockopt(s, NN_TLS, opt, "x", 1) == 0);
        CHECK(nn_setsockopt(s, NN_TLS, opt, "", 1) == 0);
        expect_str(s, opt, "");
        /* NULL with a length: EFAULT; NULL buffer to read into: EFAULT. */
        CHECK_ERR(nn_setsockopt(s, NN_TLS, opt, NULL, 4), EFAULT);
        sz = 8;
        CHECK_ERR(nn_getsockopt(s, NN_TLS, opt, NULL, &sz), EFAULT);
        CHECK_ERR(nn_getsockopt(s, NN_TLS, opt, buf, NULL), EFAULT);
    }

    /* Each option keeps its own value, per socket. */
    CHECK(nn_setsockopt(s, NN_TLS, NN_TLS_CA_FILE, "ca", 2) == 0);
    CHECK(nn_setsockopt(s, NN_TLS, NN_TLS_CERT_KEY_FILE, "ck", 2) == 0);
    CHECK(nn_setsockopt(s, NN_TLS, NN_TLS_SERVER_NAME, "localhost", 9) == 0);
    expect_str(s, NN_TLS_CA_FILE, "ca");
    expect_str(s, NN_TLS_CERT_KEY_FILE, "ck");
    expect_str(s, NN_TLS_SERVER_NAME, "localhost");
    expect_str(other, NN_TLS_CA_FILE, "");
    expect_str(other, NN_TLS_SERVER_NAME, "");
}

static void auth_mode(int s)
{
    int v, m;
    size_t sz;
    char c = 1;
    long long wide = 1;

    /* Unset: -1 (the role's default). */
    v = 77;
    sz = sizeof v;
    CHECK(nn_getsockopt(s, NN_TLS, NN_TLS_AUTH_MODE, &v, &sz) == 0);
    CHECK(sz == sizeof v && v == -1);
    for (m = NN_TLS_AUTH_MODE_NONE; m <= NN_TLS_AUTH_MODE_REQUIRED; ++m) {
        test_setopt_int(s, NN_TLS, NN_TLS_AUTH_MODE, m);
        CHECK(test_getopt_int(s, NN_TLS, NN_TLS_AUTH_MODE) == m);
    }
    CHECK(NN_TLS_AUTH_MODE_NONE == 0 && NN_TLS_AUTH_MODE_OPTIONAL == 1 &&
        NN_TLS_AUTH_MODE_REQUIRED == 2);
    /* Out of range or not an int: EINVAL, the value stays. */
    v = -1;
    CHECK_ERR(nn_setsockopt(s, NN_TLS, NN_TLS_AUTH_MODE, &v, sizeof v), EINVAL);
    v = 3;
    CHECK_ERR(nn_setsockopt(s, NN_TLS, NN_TLS_AUTH_MODE, &v, sizeof v), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_TLS, NN_TLS_AUTH_MODE, &c, sizeof c), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_TLS, NN_TLS_AUTH_MODE, &wide, sizeof wide),
        EINVAL);
    CHECK(test_getopt_int(s, NN_TLS, NN_TLS_AUTH_MODE) ==
        NN_TLS_AUTH_MODE_REQUIRED);
    /* A short buffer: truncated, full size reported. */
    sz = 2;
    CHECK(nn_getsockopt(s, NN_TLS, NN_TLS_AUTH_MODE, &v, &sz) == 0);
    CHECK(sz == sizeof v);
}

int main(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    int other = test_socket(AF_SP, NN_PAIR);
    int v = 1;
    size_t sz;
    char buf[8];

    CHECK(NN_TLS == -5);
    strings(s, other);
    auth_mode(s);
    CHECK(test_getopt_int(other, NN_TLS, NN_TLS_AUTH_MODE) == -1);

    /* Unknown options at level NN_TLS, and a level next to it. */
    CHECK_ERR(nn_setsockopt(s, NN_TLS, 0, &v, sizeof v), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, NN_TLS, 5, &v, sizeof v), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, NN_TLS, 5, "x", 1), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(s, NN_TLS - 1, NN_TLS_CA_FILE, "x", 1),
        ENOPROTOOPT);
    sz = sizeof buf;
    CHECK_ERR(nn_getsockopt(s, NN_TLS, 5, buf, &sz), ENOPROTOOPT);
    sz = sizeof buf;
    CHECK_ERR(nn_getsockopt(s, NN_TLS - 1, NN_TLS_CA_FILE, buf, &sz),
        ENOPROTOOPT);
    /* The TLS options are no options of the other transports' levels. */
    sz = sizeof buf;
    CHECK_ERR(nn_getsockopt(s, NN_TCP, NN_TLS_SERVER_NAME, buf, &sz),
        ENOPROTOOPT);

    /* The endpoints' TLS configuration is made from these options when
       they are created: a CA file that is not there is ENOENT, a
       listener without a certificate EINVAL (nothing is bound or
       connected; see tls.c for the transports themselves). */
    CHECK(nn_setsockopt(s, NN_TLS, NN_TLS_CA_FILE, "/nonexistent/ca.pem",
              19) == 0);
    CHECK(nn_setsockopt(s, NN_TLS, NN_TLS_CERT_KEY_FILE, "", 0) == 0);
    test_setopt_int(s, NN_TLS, NN_TLS_AUTH_MODE, NN_TLS_AUTH_MODE_REQUIRED);
    CHECK_ERR(nn_connect(s, "tls+tcp://127.0.0.1:5555"), ENOENT);
    CHECK_ERR(nn_bind(s, "wss://127.0.0.1:5555/x"), EINVAL);

    test_close(other);
    test_close(s);
    /* A closed socket: EBADF. */
    CHECK_ERR(nn_setsockopt(s, NN_TLS, NN_TLS_CA_FILE, "x", 1), EBADF);
    sz = sizeof buf;
    CHECK_ERR(nn_getsockopt(s, NN_TLS, NN_TLS_CA_FILE, buf, &sz), EBADF);
    return 0;
}
