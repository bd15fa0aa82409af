/* NN_STAT_CURRENT_SND_PRIORITY on PUSH (cut from stats.c until PUSH/PULL
   exist). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>

#define STAT(s, st) nn_get_statistic((s), (st))

static void wait_stat(int s, int st, uint64_t value)
{
    for (int i = 0; i < 200 && STAT(s, st) != value; i++)
        sleep_ms(10);
    CHECK(STAT(s, st) == value);
}

int main(void)
{
    int push, pull1, pull2;
    alarm(20);
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
    CHECK(STAT(push, NN_STAT_MESSAGES_SENT) == 1);
    CHECK(STAT(push, NN_STAT_BYTES_SENT) == 5);
    CHECK(STAT(pull1, NN_STAT_MESSAGES_RECEIVED) == 1);
    CHECK(STAT(pull1, NN_STAT_BYTES_RECEIVED) == 5);
    test_close(pull1);
    test_close(push);
    return 0;
}
