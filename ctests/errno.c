/* nn_strerror texts (nanomsg-specific ETERM/EFSM, standard errnos as the C
   library's strerror gives them) and nn_errno after failing calls, including
   that nn_errno is per thread. */
#include "testutil.h"
#include <nanomsg/pair.h>

static void check_same_as_strerror(int err)
{
    char expected[256];
    const char *got;
    snprintf(expected, sizeof expected, "%s", strerror(err));
    got = nn_strerror(err);
    if (got == NULL || strcmp(got, expected) != 0) {
        fprintf(stderr, "nn_strerror(%d) = '%s', strerror gives '%s'\n",
            err, got ? got : "(null)", expected);
        exit(1);
    }
}

static int thread_errno;

static void *thread_fn(void *arg)
{
    int rc;
    (void) arg;
    /*  Fails with EAFNOSUPPORT in this thread only. */
    rc = nn_socket(12345, NN_PAIR);
    CHECK(rc == -1);
    thread_errno = nn_errno();
    return NULL;
}

int main(void)
{
    static const int std_errs[] = {
        0, EPERM, ENOENT, EINTR, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT,
        EINVAL, EMFILE, ENAMETOOLONG, ENODEV, ENOTSUP, EPROTONOSUPPORT,
        ENOBUFS, ENETDOWN, EADDRINUSE, EADDRNOTAVAIL, ECONNREFUSED,
        EINPROGRESS, ENOTSOCK, EAFNOSUPPORT, EPROTO, ENETRESET,
        ENETUNREACH, EHOSTUNREACH, ENOTCONN, EMSGSIZE, ETIMEDOUT,
        ECONNABORTED, ECONNRESET, ENOPROTOOPT, EISCONN, ESOCKTNOSUPPORT,
    };
    unsigned i;
    int s, rc;
    test_thread t;

    /*  nanomsg's own error numbers. */
    CHECK(ETERM == NN_HAUSNUMERO + 53);
    CHECK(EFSM == NN_HAUSNUMERO + 54);
    CHECK(strcmp(nn_strerror(ETERM), "Nanomsg library was terminated") == 0);
    CHECK(strcmp(nn_strerror(EFSM),
        "Operation cannot be performed in this state") == 0);

    /*  Standard errnos: the same text as strerror. */
    for (i = 0; i < sizeof std_errs / sizeof std_errs[0]; ++i)
        check_same_as_strerror(std_errs[i]);
    CHECK(strcmp(nn_strerror(EINVAL), "Invalid argument") == 0);
    CHECK(strcmp(nn_strerror(EBADF), "Bad file descriptor") == 0);
    CHECK(strcmp(nn_strerror(ETIMEDOUT), "Connection timed out") == 0);
    CHECK(strcmp(nn_strerror(EMFILE), "Too many open files") == 0);
    CHECK(strcmp(nn_strerror(0), "Success") == 0);

    /*  Unknown numbers, including unused ones in nanomsg's own range, are
        passed to strerror too ("Unknown error N" on glibc). */
    check_same_as_strerror(99999);
    check_same_as_strerror(-1);
    check_same_as_strerror(NN_HAUSNUMERO);
    check_same_as_strerror(NN_HAUSNUMERO + 1);
    check_same_as_strerror(NN_HAUSNUMERO + 52);
    check_same_as_strerror(NN_HAUSNUMERO + 55);
    check_same_as_strerror(NN_HAUSNUMERO + 100);
    CHECK(strcmp(nn_strerror(99999), "Unknown error 99999") == 0);

    /*  nn_errno after failing calls. */
    errno = 0;
    CHECK(nn_socket(12345, NN_PAIR) == -1);
    CHECK(nn_errno() == EAFNOSUPPORT);
    CHECK(errno == EAFNOSUPPORT);
    CHECK(nn_socket(AF_SP, 12345) == -1);
    CHECK(nn_errno() == EINVAL);
    CHECK(nn_close(4000) == -1);
    CHECK(nn_errno() == EBADF);

    s = test_socket(AF_SP, NN_PAIR);
    {
        int v = 1;
        CHECK(nn_setsockopt(s, NN_SOL_SOCKET, 9999, &v, sizeof v) == -1);
        CHECK(nn_errno() == ENOPROTOOPT);
        v = 0;
        CHECK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDPRIO, &v, sizeof v) == -1);
        CHECK(nn_errno() == EINVAL);
    }
    {
        char buf[16];
        CHECK(nn_recv(s, buf, sizeof buf, NN_DONTWAIT) == -1);
        CHECK(nn_errno() == EAGAIN);
    }
    /*  nn_errno reflects errno: the value stays until something changes
        it, and it is whatever the caller stored. */
    errno = EFSM;
    CHECK(nn_errno() == EFSM);
    errno = ETERM;
    CHECK(nn_errno() == ETERM);

    /*  Per thread: a failure in another thread leaves ours alone. */
    errno = 0;
    CHECK(nn_recv(s, NULL, 0, NN_DONTWAIT) == -1);
    CHECK(nn_errno() == EAGAIN);
    test_thread_start(&t, thread_fn, NULL);
    test_thread_join(&t);
    CHECK(thread_errno == EAFNOSUPPORT);
    CHECK(nn_errno() == EAGAIN);

    rc = nn_close(s);
    CHECK(rc == 0);
    CHECK(nn_close(s) == -1);
    CHECK(nn_errno() == EBADF);
    CHECK(strcmp(nn_strerror(nn_errno()), strerror(EBADF)) == 0);
    return 0;
}
