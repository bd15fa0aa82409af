/* ours-only: Linux abstract-namespace sockets, spelled as nng spells them
   (abstract://name); upstream nanomsg 1.1.5 has no such transport.
   - bind and connect in either order, messages both ways;
   - no file appears in the file system for the name;
   - a second bind of the same name is EADDRINUSE; after the first socket
     is closed the name is free again;
   - a name too long for sun_path is ENAMETOOLONG, an empty one EINVAL. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

int main(void)
{
    char a[128], path[128];
    snprintf(a, sizeof a, "abstract://nn-test-abstract-%d", (int) getpid());

    /* Bind first. */
    int b = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        20);
    int c = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        20);
    test_bind(b, a);
    test_connect(c, a);
    test_send(c, "to binder");
    test_recv(b, "to binder");
    test_send(b, "to connector");
    test_recv(c, "to connector");

    /* Nothing in the file system (relative to the working directory or /). */
    snprintf(path, sizeof path, "nn-test-abstract-%d", (int) getpid());
    CHECK(access(path, F_OK) != 0);
    snprintf(path, sizeof path, "/nn-test-abstract-%d", (int) getpid());
    CHECK(access(path, F_OK) != 0);

    /* The name is taken while b is bound. */
    int d = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        20);
    CHECK_ERR(nn_bind(d, a), EADDRINUSE);
    test_close(c);
    test_close(b);

    /* Connect first; the name is free again once b is gone. */
    c = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS, 20);
    test_connect(c, a);
    test_bind(d, a);
    test_send(c, "late binder");
    test_recv(d, "late binder");
    test_close(c);
    test_close(d);

    /* sun_path holds 107 bytes after the leading NUL byte. */
    char longname[160];
    memset(longname, 'x', sizeof longname);
    memcpy(longname, "abstract://", 11);
    longname[11 + 110] = 0;
    int e = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        20);
    CHECK_ERR(nn_bind(e, longname), ENAMETOOLONG);
    /* An empty name is no name (Linux would make one up). */
    CHECK_ERR(nn_bind(e, "abstract://"), EINVAL);
    CHECK_ERR(nn_connect(e, "abstract://"), EINVAL);
    test_close(e);
    return 0;
}
