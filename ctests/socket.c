/* nn_socket / nn_close: creation in both domains, bad domain/protocol,
   NN_DOMAIN/NN_PROTOCOL, EBADF after close and on double close, and
   upstream's handle numbering (lowest fresh handle first, most recently
   freed handle reused first, numbering restarting at 0 once every socket
   is closed). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>

static void check_ebadf_everywhere(int s)
{
    int v = 1;
    size_t sz = sizeof v;
    char buf[8];
    CHECK_ERR(nn_close(s), EBADF);
    CHECK_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, sizeof v), EBADF);
    CHECK_ERR(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, &sz), EBADF);
    CHECK_ERR(nn_bind(s, "inproc://socket-test-x"), EBADF);
    CHECK_ERR(nn_connect(s, "inproc://socket-test-x"), EBADF);
    CHECK_ERR(nn_shutdown(s, 1), EBADF);
    CHECK_ERR(nn_send(s, "abc", 3, NN_DONTWAIT), EBADF);
    CHECK_ERR(nn_send(s, "abc", 3, 0), EBADF);
    CHECK_ERR(nn_recv(s, buf, sizeof buf, NN_DONTWAIT), EBADF);
    CHECK_ERR(nn_recv(s, buf, sizeof buf, 0), EBADF);
    errno = 0;
    CHECK(nn_get_statistic(s, NN_STAT_MESSAGES_SENT) == (uint64_t) -1);
    CHECK(nn_errno() == EBADF);
}

int main(void)
{
    int s, s1, s2, raw, i;
    int h[6];
    static const int protocols[] = {
        NN_PAIR, NN_PUB, NN_SUB, NN_REQ, NN_REP, NN_PUSH, NN_PULL,
        NN_SURVEYOR, NN_RESPONDENT, NN_BUS
    };

    alarm(10);

    /*  The first socket of the process is 0, then 1. */
    s = test_socket(AF_SP, NN_PAIR);
    CHECK(s == 0);
    raw = test_socket(AF_SP_RAW, NN_PAIR);
    CHECK(raw == 1);

    /*  NN_DOMAIN / NN_PROTOCOL reflect the creation arguments. */
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);
    CHECK(test_getopt_int(raw, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    CHECK(test_getopt_int(raw, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);

    /*  Bad domain: EAFNOSUPPORT (checked before the protocol). */
    CHECK_ERR(nn_socket(0, NN_PAIR), EAFNOSUPPORT);
    CHECK_ERR(nn_socket(3, NN_PAIR), EAFNOSUPPORT);
    CHECK_ERR(nn_socket(-1, NN_PAIR), EAFNOSUPPORT);
    CHECK_ERR(nn_socket(12345, NN_PAIR), EAFNOSUPPORT);
    CHECK_ERR(nn_socket(3, 17), EAFNOSUPPORT);
    /*  Unknown protocol: EINVAL. */
    CHECK_ERR(nn_socket(AF_SP, 0), EINVAL);
    CHECK_ERR(nn_socket(AF_SP, 17), EINVAL);
    CHECK_ERR(nn_socket(AF_SP, -1), EINVAL);
    CHECK_ERR(nn_socket(AF_SP_RAW, 12345), EINVAL);
    /*  Failed creations consume no handle. */
    s1 = test_socket(AF_SP, NN_PAIR);
    CHECK(s1 == 2);
    test_close(s1);

    /*  Every protocol can be created in both domains and reports itself. */
    for (i = 0; i < (int) (sizeof protocols / sizeof protocols[0]); ++i) {
        s1 = test_socket(AF_SP, protocols[i]);
        CHECK(test_getopt_int(s1, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);
        CHECK(test_getopt_int(s1, NN_SOL_SOCKET, NN_PROTOCOL) == protocols[i]);
        s2 = test_socket(AF_SP_RAW, protocols[i]);
        CHECK(s2 != s1);
        CHECK(test_getopt_int(s2, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
        CHECK(test_getopt_int(s2, NN_SOL_SOCKET, NN_PROTOCOL) == protocols[i]);
        test_close(s2);
        test_close(s1);
    }

    /*  Close, then everything on the handle is EBADF; double close too. */
    s1 = test_socket(AF_SP, NN_PAIR);
    test_close(s1);
    check_ebadf_everywhere(s1);
    CHECK_ERR(nn_close(s1), EBADF);

    /*  Never-opened and out-of-range handles. */
    check_ebadf_everywhere(-1);
    check_ebadf_everywhere(100);
    check_ebadf_everywhere(511);
    check_ebadf_everywhere(512);
    check_ebadf_everywhere(100000);

    /*  Handle numbering while sockets 0 and 1 stay open: fresh handles
        are handed out in increasing order ... */
    for (i = 0; i < 6; ++i) {
        h[i] = test_socket(AF_SP, NN_PAIR);
    }
    /*  (2 and 3 were used and freed above, 2 last, so they come back in
        order too.) */
    for (i = 0; i < 6; ++i)
        CHECK(h[i] == 2 + i);
    for (i = 0; i < 6; ++i)
        test_close(h[i]);

    /*  ... and freed handles are reused most recently freed first. */
    for (i = 0; i < 6; ++i)
        h[i] = test_socket(AF_SP, NN_PAIR);
    for (i = 0; i < 6; ++i)
        CHECK(h[i] == 7 - i);
    test_close(h[1]);
    test_close(h[3]);
    test_close(h[2]);
    s1 = test_socket(AF_SP, NN_PAIR);
    CHECK(s1 == h[2]);
    s2 = test_socket(AF_SP, NN_PAIR);
    CHECK(s2 == h[3]);
    i = test_socket(AF_SP, NN_PAIR);
    CHECK(i == h[1]);
    /*  A reused handle is a fresh socket with default options. */
    CHECK(test_getopt_int(s1, NN_SOL_SOCKET, NN_SNDBUF) == 131072);
    test_close(i);
    test_close(s2);
    test_close(s1);
    test_close(h[0]);
    test_close(h[4]);
    test_close(h[5]);

    /*  The old handle of a closed socket does not reach a new socket
        that got a different number. */
    s1 = test_socket(AF_SP, NN_PAIR);
    test_close(s1);
    s2 = test_socket(AF_SP_RAW, NN_PAIR);
    CHECK(s2 == s1);
    CHECK(test_getopt_int(s2, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    test_close(s2);

    /*  Once every socket is closed, numbering restarts at 0. */
    test_close(raw);
    test_close(s);
    check_ebadf_everywhere(s);
    check_ebadf_everywhere(raw);
    s = test_socket(AF_SP, NN_PAIR);
    CHECK(s == 0);
    s1 = test_socket(AF_SP, NN_PAIR);
    CHECK(s1 == 1);
    s2 = test_socket(AF_SP, NN_PAIR);
    CHECK(s2 == 2);
    test_close(s1);
    test_close(s2);
    test_close(s);
    return 0;
}
