/* Several PUSH sockets to one PULL over inproc, and one socket connected
   to two names (cut from inproc.c until PUSH/PULL exist). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>

static void test_many_connects(void)
{
    /* PULL binds, several PUSH sockets connect: all deliver. */
    enum { N = 5 };
    int pull = test_socket(AF_SP, NN_PULL);
    int push[N];
    test_bind(pull, "inproc://many");
    for (int i = 0; i < N; i++) {
        push[i] = test_socket(AF_SP, NN_PUSH);
        test_connect(push[i], "inproc://many");
    }
    int seen[N] = { 0 };
    for (int i = 0; i < N; i++) {
        char m[8];
        snprintf(m, sizeof m, "p%d", i);
        test_send(push[i], m);
    }
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    for (int i = 0; i < N; i++) {
        char buf[8];
        int rc = nn_recv(pull, buf, sizeof buf, 0);
        CHECK(rc == 2);
        CHECK(buf[0] == 'p' && buf[1] >= '0' && buf[1] < '0' + N);
        seen[buf[1] - '0']++;
    }
    for (int i = 0; i < N; i++)
        CHECK(seen[i] == 1);
    for (int i = 0; i < N; i++)
        test_close(push[i]);
    test_close(pull);

    /* One socket connecting to the same name several times and to several
       names (PUSH over two endpoints). */
    int p1 = test_socket(AF_SP, NN_PULL);
    int p2 = test_socket(AF_SP, NN_PULL);
    int ps = test_socket(AF_SP, NN_PUSH);
    test_bind(p1, "inproc://many-a");
    test_bind(p2, "inproc://many-b");
    int ea = test_connect(ps, "inproc://many-a");
    int eb = test_connect(ps, "inproc://many-b");
    CHECK(ea != eb);
    test_send(ps, "1");
    test_send(ps, "2");
    /* Round-robin: each PULL got one. */
    char buf[4];
    test_setopt_int(p1, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(p2, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    CHECK(nn_recv(p1, buf, sizeof buf, 0) == 1);
    CHECK(nn_recv(p2, buf, sizeof buf, 0) == 1);
    test_close(ps);
    test_close(p1);
    test_close(p2);
}

int main(void)
{
    alarm(20);
    test_many_connects();
    return 0;
}
