/* Socket table limit: with NN_MAX_SOCKETS unset, exactly 512 sockets can be
   open at once (upstream's fixed limit); the 513th nn_socket fails with
   EMFILE. After closing them all, sockets can be created again. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <sys/resource.h>

#define LIMIT 512

int main(void)
{
    static int socks[LIMIT + 1];
    int i, s;
    struct rlimit rl;

    /*  Before the first nanomsg call: make sure the default applies. */
    unsetenv("NN_MAX_SOCKETS");
    /*  Plenty of file descriptors, so only the socket table limits us. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    alarm(20);

    for (i = 0; i < LIMIT; ++i) {
        socks[i] = nn_socket(AF_SP, NN_PAIR);
        if (socks[i] < 0) {
            fprintf(stderr, "nn_socket #%d failed: errno %d (%s)\n", i,
                nn_errno(), nn_strerror(nn_errno()));
            return 1;
        }
        /*  Handles are 0..511, handed out in order. */
        CHECK(socks[i] == i);
    }
    /*  The table is full. */
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), EMFILE);
    CHECK_ERR(nn_socket(AF_SP_RAW, NN_PAIR), EMFILE);
    /*  Upstream checks the domain first, then the table, then the
        protocol. */
    CHECK_ERR(nn_socket(12345, NN_PAIR), EAFNOSUPPORT);
    CHECK_ERR(nn_socket(AF_SP, 12345), EMFILE);

    /*  All of them work. */
    CHECK(test_getopt_int(socks[0], NN_SOL_SOCKET, NN_PROTOCOL) == NN_PAIR);
    CHECK(test_getopt_int(socks[LIMIT - 1], NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);

    /*  Freeing one slot allows exactly one more socket. */
    test_close(socks[100]);
    socks[100] = test_socket(AF_SP, NN_PAIR);
    CHECK(socks[100] == 100);
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), EMFILE);

    for (i = 0; i < LIMIT; ++i)
        test_close(socks[i]);
    for (i = 0; i < LIMIT; ++i)
        CHECK_ERR(nn_close(socks[i]), EBADF);

    /*  Sockets can be created again, the full 512 of them. */
    for (i = 0; i < LIMIT; ++i)
        socks[i] = test_socket(AF_SP, NN_PAIR);
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), EMFILE);
    for (i = 0; i < LIMIT; ++i)
        test_close(socks[i]);

    s = test_socket(AF_SP, NN_PAIR);
    test_close(s);
    return 0;
}
