/* ours-only */
/* NN_MAX_SOCKETS: our library (unlike upstream 1.1.5, which always uses
   512) sizes its socket table from the NN_MAX_SOCKETS environment
   variable, read at the first nanomsg call. With NN_MAX_SOCKETS=1000,
   exactly 1000 sockets can be open; the next nn_socket fails with EMFILE.
   This test is expected to FAIL against upstream. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <sys/resource.h>

#define LIMIT 1000

int main(void)
{
    static int socks[LIMIT + 1];
    int i;
    struct rlimit rl;

    /*  Before the first nanomsg call. */
    CHECK(setenv("NN_MAX_SOCKETS", "1000", 1) == 0);
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
        CHECK(socks[i] == i);
    }
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), EMFILE);
    CHECK_ERR(nn_socket(AF_SP_RAW, NN_PAIR), EMFILE);

    /*  Handles up to 999 are valid, 1000 is not. */
    CHECK(test_getopt_int(socks[LIMIT - 1], NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);
    CHECK_ERR(nn_close(LIMIT), EBADF);

    test_close(socks[500]);
    socks[500] = test_socket(AF_SP, NN_PAIR);
    CHECK(socks[500] == 500);
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), EMFILE);

    for (i = 0; i < LIMIT; ++i)
        test_close(socks[i]);

    /*  Again, the full 1000. */
    for (i = 0; i < LIMIT; ++i)
        socks[i] = test_socket(AF_SP, NN_PAIR);
    CHECK_ERR(nn_socket(AF_SP, NN_PAIR), EMFILE);
    for (i = 0; i < LIMIT; ++i)
        test_close(socks[i]);
    return 0;
}
