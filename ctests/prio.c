/* NN_SNDPRIO / NN_RCVPRIO in the style of upstream's tests/prio.c: a PUSH
   with two PULLs at different priorities sends only to the better one, and
   to the other once it is closed; a PULL with two PUSHes at different
   priorities takes from the better one first; a closed PULL is removed
   from the PUSH's list at once.  Plus: equal priorities share round-robin,
   priorities of bound endpoints, and the priority is the option's value at
   the time the endpoint is created.  Validated against upstream nanomsg
   1.1.5. */
#include "testutil.h"
#include <nanomsg/pipeline.h>

#define ADDR_A "inproc://prio-a"
#define ADDR_B "inproc://prio-b"
#define ADDR_C "inproc://prio-c"

static void test_sndprio(void)
{
    int pull1 = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    int pull2 = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    int push1 = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    test_bind(pull1, ADDR_A);
    test_bind(pull2, ADDR_B);
    test_setopt_int(push1, NN_SOL_SOCKET, NN_SNDPRIO, 1);
    test_connect(push1, ADDR_A);
    test_setopt_int(push1, NN_SOL_SOCKET, NN_SNDPRIO, 2);
    test_connect(push1, ADDR_B);

    test_send(push1, "ABC");
    test_send(push1, "DEF");
    test_recv(pull1, "ABC");
    test_recv(pull1, "DEF");
    for (int i = 0; i < 10; i++)
        test_send(push1, "best");
    for (int i = 0; i < 10; i++)
        test_recv(pull1, "best");
    test_recv_none(pull1, 0);
    test_recv_none(pull2, 0);

    /* The better one goes: the other takes everything. */
    test_close(pull1);
    test_send(push1, "GHI");
    test_recv(pull2, "GHI");
    for (int i = 0; i < 5; i++)
        test_send(push1, "next");
    for (int i = 0; i < 5; i++)
        test_recv(pull2, "next");

    /* A PULL binds the better address again: the PUSH's connecting
       endpoint (still priority 1, although the option is now 2) attaches
       to it and it takes over again. */
    pull1 = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    test_bind(pull1, ADDR_A);
    sleep_ms(50);
    test_send(push1, "back");
    test_recv(pull1, "back");
    test_recv_none(pull2, 0);

    test_close(pull1);
    test_close(push1);
    test_close(pull2);
}

static void test_rcvprio(void)
{
    int push1 = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    int push2 = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    int pull1 = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    test_bind(push1, ADDR_A);
    test_bind(push2, ADDR_B);
    test_setopt_int(pull1, NN_SOL_SOCKET, NN_RCVPRIO, 2);
    test_connect(pull1, ADDR_A);
    test_setopt_int(pull1, NN_SOL_SOCKET, NN_RCVPRIO, 1);
    test_connect(pull1, ADDR_B);

    test_send(push1, "ABC");
    test_send(push2, "DEF");
    sleep_ms(50);
    test_recv(pull1, "DEF");
    test_recv(pull1, "ABC");
    test_recv_none(pull1, 0);

    test_close(pull1);
    test_close(push2);
    test_close(push1);
}

static void test_remove_pipe(void)
{
    int push1 = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    int pull1 = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    test_bind(push1, ADDR_A);
    test_connect(pull1, ADDR_A);

    test_send(push1, "ABC");
    test_recv(pull1, "ABC");
    test_close(pull1);

    CHECK_ERR(nn_send(push1, "ABC", 3, NN_DONTWAIT), EAGAIN);

    pull1 = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    test_connect(pull1, ADDR_A);
    test_send(push1, "ABC");
    test_recv(pull1, "ABC");
    test_close(pull1);
    test_close(push1);
}

static void test_equal_priorities(void)
{
    /* Two PULLs at priority 3 share the load round-robin; the one at
       priority 4 gets nothing while either of them is there. */
    int push = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    int p[3];
    for (int i = 0; i < 3; i++)
        p[i] = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    test_bind(p[0], ADDR_A);
    test_bind(p[1], ADDR_B);
    test_bind(p[2], ADDR_C);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 4);
    test_connect(push, ADDR_C);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 3);
    test_connect(push, ADDR_A);
    test_connect(push, ADDR_B);
    for (int i = 0; i < 10; i++)
        test_send(push, "rr");
    for (int i = 0; i < 5; i++) {
        test_recv(p[0], "rr");
        test_recv(p[1], "rr");
    }
    test_recv_none(p[0], 0);
    test_recv_none(p[1], 0);
    test_recv_none(p[2], 0);
    test_close(p[0]);
    for (int i = 0; i < 3; i++)
        test_send(push, "one");
    for (int i = 0; i < 3; i++)
        test_recv(p[1], "one");
    test_recv_none(p[2], 0);
    test_close(p[1]);
    test_send(push, "last");
    test_recv(p[2], "last");
    test_close(p[2]);
    test_close(push);
}

static void test_bound_endpoints(void)
{
    /* The priority belongs to the endpoint: a bound PUSH endpoint gives
       its priority to every pipe accepted through it. */
    int push = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    int worse = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    int better = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 9);
    test_bind(push, ADDR_A);
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 5);
    test_bind(push, ADDR_B);
    /* Changing the option later affects neither endpoint. */
    test_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 16);
    test_connect(worse, ADDR_A);
    test_connect(better, ADDR_B);
    sleep_ms(20);
    for (int i = 0; i < 6; i++)
        test_send(push, "to-better");
    for (int i = 0; i < 6; i++)
        test_recv(better, "to-better");
    test_recv_none(worse, 0);
    test_close(better);
    test_send(push, "to-worse");
    test_recv(worse, "to-worse");
    test_close(worse);
    test_close(push);

    /* Same on the receiving side: bound PULL endpoints with different
       RCVPRIO. */
    int pull = test_socket_timeo(AF_SP, NN_PULL, 1000, 1000);
    int pa = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    int pb = test_socket_timeo(AF_SP, NN_PUSH, 1000, 1000);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVPRIO, 7);
    test_bind(pull, ADDR_A);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVPRIO, 6);
    test_bind(pull, ADDR_B);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVPRIO, 1);
    test_connect(pa, ADDR_A);
    test_connect(pb, ADDR_B);
    for (int i = 0; i < 3; i++)
        test_send(pa, "A");
    for (int i = 0; i < 3; i++)
        test_send(pb, "B");
    sleep_ms(50);
    for (int i = 0; i < 3; i++)
        test_recv(pull, "B");
    for (int i = 0; i < 3; i++)
        test_recv(pull, "A");
    test_recv_none(pull, 0);
    test_close(pa);
    test_close(pb);
    test_close(pull);
}

int main(void)
{
    alarm(20);
    test_sndprio();
    test_rcvprio();
    test_remove_pipe();
    test_equal_priorities();
    test_bound_endpoints();
    return 0;
}
