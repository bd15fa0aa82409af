/* nn_get_statistic: exact message and byte counters for inproc PAIR
   traffic (including zero-length, NN_MSG zero-copy and truncated receives),
   counters are per socket and per direction, unknown statistics give
   (uint64_t)-1 with EINVAL, bad sockets (uint64_t)-1 with EBADF, and
   NN_STAT_CURRENT_SND_PRIORITY as upstream maintains it (only for
   load-balancing senders such as PUSH; 0 for PAIR). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>

#define STAT(s, st) nn_get_statistic((s), (st))

static void check_counts(int s, uint64_t msent, uint64_t mrecv,
    uint64_t bsent, uint64_t brecv)
{
    uint64_t a = STAT(s, NN_STAT_MESSAGES_SENT);
    uint64_t b = STAT(s, NN_STAT_MESSAGES_RECEIVED);
    uint64_t c = STAT(s, NN_STAT_BYTES_SENT);
    uint64_t d = STAT(s, NN_STAT_BYTES_RECEIVED);
    if (a != msent || b != mrecv || c != bsent || d != brecv) {
        fprintf(stderr, "socket %d: sent %llu/%llu bytes, received "
            "%llu/%llu bytes; expected %llu/%llu, %llu/%llu\n", s,
            (unsigned long long) a, (unsigned long long) c,
            (unsigned long long) b, (unsigned long long) d,
            (unsigned long long) msent, (unsigned long long) bsent,
            (unsigned long long) mrecv, (unsigned long long) brecv);
        exit(1);
    }
}

/*  Wait (bounded) until the statistic has the given value. */
static void wait_stat(int s, int st, uint64_t value)
{
    int i;
    for (i = 0; i < 200; ++i) {
        if (STAT(s, st) == value)
            return;
        sleep_ms(10);
    }
    fprintf(stderr, "statistic %d of socket %d is %llu, expected %llu\n",
        st, s, (unsigned long long) STAT(s, st), (unsigned long long) value);
    exit(1);
}

int main(void)
{
    static const int all_stats[] = {
        NN_STAT_ESTABLISHED_CONNECTIONS, NN_STAT_ACCEPTED_CONNECTIONS,
        NN_STAT_DROPPED_CONNECTIONS, NN_STAT_BROKEN_CONNECTIONS,
        NN_STAT_CONNECT_ERRORS, NN_STAT_BIND_ERRORS, NN_STAT_ACCEPT_ERRORS,
        NN_STAT_CURRENT_CONNECTIONS, NN_STAT_INPROGRESS_CONNECTIONS,
        NN_STAT_CURRENT_EP_ERRORS, NN_STAT_MESSAGES_SENT,
        NN_STAT_MESSAGES_RECEIVED, NN_STAT_BYTES_SENT,
        NN_STAT_BYTES_RECEIVED, NN_STAT_CURRENT_SND_PRIORITY
    };
    static const int bad_stats[] = {
        0, -1, 1, 100, 108, 200, 204, 300, 305, 400, 402, 999, 100000
    };
    int a, b, c, push, pull1, pull2, rc, i;
    uint64_t bytes = 0;
    char buf[256];
    void *msg;

    alarm(10);
    memset(buf, 'b', sizeof buf);

    a = test_socket(AF_SP, NN_PAIR);
    b = test_socket(AF_SP, NN_PAIR);

    /*  A fresh socket has every statistic at 0. */
    for (i = 0; i < (int) (sizeof all_stats / sizeof all_stats[0]); ++i) {
        CHECK(STAT(a, all_stats[i]) == 0);
        CHECK(STAT(b, all_stats[i]) == 0);
    }

    /*  Unknown statistics: (uint64_t)-1 with EINVAL. */
    for (i = 0; i < (int) (sizeof bad_stats / sizeof bad_stats[0]); ++i) {
        errno = 0;
        CHECK(STAT(a, bad_stats[i]) == (uint64_t) -1);
        CHECK(nn_errno() == EINVAL);
    }

    /*  Bad sockets: (uint64_t)-1 with EBADF (checked before the
        statistic). */
    errno = 0;
    CHECK(STAT(-1, NN_STAT_MESSAGES_SENT) == (uint64_t) -1);
    CHECK(nn_errno() == EBADF);
    errno = 0;
    CHECK(STAT(300, NN_STAT_MESSAGES_SENT) == (uint64_t) -1);
    CHECK(nn_errno() == EBADF);
    errno = 0;
    CHECK(STAT(100000, 999) == (uint64_t) -1);
    CHECK(nn_errno() == EBADF);
    c = test_socket(AF_SP, NN_PAIR);
    test_close(c);
    errno = 0;
    CHECK(STAT(c, NN_STAT_BYTES_SENT) == (uint64_t) -1);
    CHECK(nn_errno() == EBADF);

    test_bind(a, "inproc://stats");
    test_connect(b, "inproc://stats");
    check_counts(a, 0, 0, 0, 0);
    check_counts(b, 0, 0, 0, 0);

    /*  Messages of known sizes from a to b. */
    for (i = 0; i < 10; ++i) {
        rc = nn_send(a, buf, (size_t) i * 10, 0);
        CHECK(rc == i * 10);
        bytes += (uint64_t) i * 10;
    }
    /*  Counted at send time on the sender; nothing on the receiver yet. */
    check_counts(a, 10, 0, bytes, 0);
    check_counts(b, 0, 0, 0, 0);
    CHECK(bytes == 450);

    /*  Received one by one. */
    for (i = 0; i < 10; ++i) {
        rc = nn_recv(b, buf, sizeof buf, 0);
        CHECK(rc == i * 10);
        check_counts(b, 0, (uint64_t) i + 1, 0,
            (uint64_t) (i * (i + 1) / 2) * 10);
    }
    check_counts(a, 10, 0, 450, 0);
    check_counts(b, 0, 10, 0, 450);

    /*  A truncated receive counts the full message size. */
    test_send(b, "0123456789abcdefghij");
    rc = nn_recv(a, buf, 5, 0);
    CHECK(rc == 20);
    check_counts(a, 10, 1, 450, 20);
    check_counts(b, 1, 10, 20, 450);

    /*  Zero-copy messages. */
    msg = nn_allocmsg(33, 0);
    CHECK(msg != NULL);
    memset(msg, 'm', 33);
    rc = nn_send(b, &msg, NN_MSG, 0);
    CHECK(rc == 33);
    check_counts(b, 2, 10, 53, 450);
    msg = NULL;
    rc = nn_recv(a, &msg, NN_MSG, 0);
    CHECK(rc == 33);
    CHECK(nn_freemsg(msg) == 0);
    check_counts(a, 10, 2, 450, 53);

    /*  Failed operations count nothing. */
    CHECK_ERR(nn_recv(a, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    check_counts(a, 10, 2, 450, 53);

    /*  A large message. */
    {
        static char large[100000];
        rc = nn_send(a, large, sizeof large, 0);
        CHECK(rc == (int) sizeof large);
        rc = nn_recv(b, large, sizeof large, 0);
        CHECK(rc == (int) sizeof large);
        check_counts(a, 11, 2, 100450, 53);
        check_counts(b, 2, 11, 53, 100450);
    }

    /*  Connection-level statistics are not message statistics: asking for
        one counter does not disturb the others. */
    wait_stat(a, NN_STAT_CURRENT_CONNECTIONS, 1);
    wait_stat(b, NN_STAT_CURRENT_CONNECTIONS, 1);
    check_counts(a, 11, 2, 100450, 53);

    /*  NN_STAT_CURRENT_SND_PRIORITY is not maintained for PAIR sockets. */
    test_setopt_int(a, NN_SOL_SOCKET, NN_SNDPRIO, 3);
    CHECK(STAT(a, NN_STAT_CURRENT_SND_PRIORITY) == 0);

    test_close(a);
    test_close(b);
    errno = 0;
    CHECK(STAT(a, NN_STAT_MESSAGES_SENT) == (uint64_t) -1);
    CHECK(nn_errno() == EBADF);

    /*  PUSH: the priority of the best pipe currently attached; the pipe's
        priority is NN_SNDPRIO as it was when its endpoint was created. */
    push = test_socket(AF_SP, NN_PUSH);
    pull1 = test_socket(AF_SP, NN_PULL);
    pull2 = test_socket(AF_SP, NN_PULL);
    test_bind(pull1, "inproc://stats_prio1");
    test_bind(pull2, "inproc://stats_prio2");
    CHECK(STAT(push, NN_STAT_CURRENT_SND_PRIORITY) == 0);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 5);
    /*  No pipes yet: still 0. */
    CHECK(STAT(push, NN_STAT_CURRENT_SND_PRIORITY) == 0);
    test_connect(push, "inproc://stats_prio1");
    wait_stat(push, NN_STAT_CURRENT_SND_PRIORITY, 5);
    /*  Changing the option does not change existing pipes. */
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 2);
    CHECK(STAT(push, NN_STAT_CURRENT_SND_PRIORITY) == 5);
    /*  A better (numerically lower) pipe takes over ... */
    test_connect(push, "inproc://stats_prio2");
    wait_stat(push, NN_STAT_CURRENT_SND_PRIORITY, 2);
    /*  ... and when it goes away the remaining one is current again. */
    test_close(pull2);
    wait_stat(push, NN_STAT_CURRENT_SND_PRIORITY, 5);
    /*  Messages go to the remaining pipe and are counted. */
    test_send(push, "hello");
    test_recv(pull1, "hello");
    check_counts(push, 1, 0, 5, 0);
    check_counts(pull1, 0, 1, 0, 5);
    test_close(pull1);
    test_close(push);
    return 0;
}
