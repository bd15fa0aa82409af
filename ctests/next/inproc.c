/* The inproc transport: bind/connect order, EADDRINUSE, reconnection to a
   re-bound name, nn_shutdown of endpoints, several connects to one bind,
   and address validation errors. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/inproc.h>

static void test_bind_then_connect(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    int e1 = test_bind(a, "inproc://order1");
    int e2 = test_connect(b, "inproc://order1");
    CHECK(e1 >= 0 && e2 >= 0);
    test_send(a, "ab");
    test_recv(b, "ab");
    test_send(b, "ba");
    test_recv(a, "ba");
    test_close(a);
    test_close(b);
}

static void test_connect_then_bind(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_connect(b, "inproc://order2");
    /* Not bound yet: nowhere to send. */
    CHECK_ERR(nn_send(b, "x", 1, NN_DONTWAIT), EAGAIN);
    test_bind(a, "inproc://order2");
    /* Connection is established by the bind itself. */
    int rc = nn_send(b, "late", 4, NN_DONTWAIT);
    CHECK(rc == 4);
    char buf[8];
    rc = nn_recv(a, buf, sizeof buf, NN_DONTWAIT);
    CHECK(rc == 4);
    CHECK(memcmp(buf, "late", 4) == 0);
    test_send(a, "back");
    test_recv(b, "back");
    test_close(a);
    test_close(b);
}

static void test_addr_in_use(void)
{
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    int e = test_bind(a, "inproc://inuse");
    CHECK_ERR(nn_bind(b, "inproc://inuse"), EADDRINUSE);
    CHECK_ERR(nn_bind(a, "inproc://inuse"), EADDRINUSE);
    /* A different protocol cannot take the name either. */
    int p = test_socket(AF_SP, NN_PULL);
    CHECK_ERR(nn_bind(p, "inproc://inuse"), EADDRINUSE);
    test_close(p);
    /* Connecting several times to the same name is fine. */
    test_connect(b, "inproc://inuse");
    /* Names are case-sensitive and exact. */
    int e2 = test_bind(b, "inproc://INUSE");
    int e3 = test_bind(b, "inproc://inuse/");
    CHECK(e2 != e3);
    /* After shutdown the name is free again. */
    CHECK(nn_shutdown(a, e) == 0);
    int c = test_socket(AF_SP, NN_PAIR);
    int e4 = test_bind(c, "inproc://inuse");
    CHECK(e4 >= 0);
    CHECK_ERR(nn_bind(a, "inproc://inuse"), EADDRINUSE);
    test_close(c);
    /* After close too. */
    test_bind(a, "inproc://inuse");
    test_close(a);
    test_close(b);
}

static void test_rebind(void)
{
    int x = test_socket(AF_SP, NN_PAIR);
    int y = test_socket(AF_SP, NN_PAIR);
    test_bind(x, "inproc://rebind");
    test_connect(y, "inproc://rebind");
    test_send(y, "one");
    test_recv(x, "one");

    /* The bound socket goes away: the connected side has no peer. */
    test_close(x);
    test_setopt_int(y, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    CHECK_ERR(nn_send(y, "lost", 4, 0), ETIMEDOUT);
    CHECK_ERR(nn_send(y, "lost", 4, NN_DONTWAIT), EAGAIN);

    /* A new socket binds the same name; the existing connect endpoint
       attaches to it without any action from the user. */
    int x2 = test_socket(AF_SP, NN_PAIR);
    test_bind(x2, "inproc://rebind");
    test_setopt_int(y, NN_SOL_SOCKET, NN_SNDTIMEO, 2000);
    test_setopt_int(x2, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    test_setopt_int(y, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    test_send(y, "two");
    test_recv(x2, "two");
    test_send(x2, "three");
    test_recv(y, "three");

    /* Same via nn_shutdown of the bind endpoint rather than close. */
    int x3 = test_socket(AF_SP, NN_PAIR);
    test_close(x2);
    int be = test_bind(x3, "inproc://rebind");
    test_send(y, "four");
    test_recv(x3, "four");
    CHECK(nn_shutdown(x3, be) == 0);
    CHECK_ERR(nn_send(y, "lost", 4, NN_DONTWAIT), EAGAIN);
    test_bind(x3, "inproc://rebind");
    test_setopt_int(x3, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    test_send(y, "five");
    test_recv(x3, "five");
    test_close(x3);
    test_close(y);
}

static void test_shutdown(void)
{
    char buf[16];
    int s1 = test_socket(AF_SP, NN_PAIR);
    int s2 = test_socket(AF_SP, NN_PAIR);
    test_bind(s1, "inproc://shut");
    int ce = test_connect(s2, "inproc://shut");
    test_send(s2, "a");
    test_recv(s1, "a");

    /* Shut down the connect endpoint: nothing more is delivered. A message
       that was still queued towards s1 is dropped with the pipe. */
    test_send(s2, "queued");
    CHECK(nn_shutdown(s2, ce) == 0);
    test_setopt_int(s1, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(s2, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    test_setopt_int(s2, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(s1, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_send(s2, "b", 1, 0), ETIMEDOUT);
    CHECK_ERR(nn_send(s2, "b", 1, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_send(s1, "c", 1, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(s1, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* The same endpoint id cannot be shut down twice. */
    CHECK_ERR(nn_shutdown(s2, ce), EINVAL);
    /* Bad endpoint ids. */
    CHECK_ERR(nn_shutdown(s2, 12345), EINVAL);
    CHECK_ERR(nn_shutdown(s2, -1), EINVAL);
    /* Bad socket. */
    CHECK_ERR(nn_shutdown(4242, 0), EBADF);
    CHECK_ERR(nn_shutdown(-1, 0), EBADF);

    /* Connecting again restores delivery; endpoint ids are distinct. */
    int ce2 = test_connect(s2, "inproc://shut");
    CHECK(ce2 != ce);
    test_setopt_int(s2, NN_SOL_SOCKET, NN_SNDTIMEO, 2000);
    test_setopt_int(s1, NN_SOL_SOCKET, NN_RCVTIMEO, 2000);
    test_send(s2, "again");
    test_recv(s1, "again");

    /* An endpoint id of one socket is not valid on another. */
    int s3 = test_socket(AF_SP, NN_PAIR);
    CHECK_ERR(nn_shutdown(s3, ce2), EINVAL);
    test_close(s3);

    test_close(s1);
    test_close(s2);
}

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

static void test_bad_addresses(void)
{
    int s = test_socket(AF_SP, NN_PAIR);
    char addr[300];

    /* Unknown transport. */
    CHECK_ERR(nn_bind(s, "foo://x"), EPROTONOSUPPORT);
    CHECK_ERR(nn_connect(s, "foo://x"), EPROTONOSUPPORT);
    CHECK_ERR(nn_bind(s, "://x"), EPROTONOSUPPORT);
    CHECK_ERR(nn_connect(s, "INPROC://x"), EPROTONOSUPPORT);

    /* Missing "://" separator. */
    CHECK_ERR(nn_bind(s, "inproc:x"), EINVAL);
    CHECK_ERR(nn_connect(s, "inproc:x"), EINVAL);
    CHECK_ERR(nn_bind(s, "inproc:/x"), EINVAL);
    CHECK_ERR(nn_bind(s, "inproc"), EINVAL);
    CHECK_ERR(nn_bind(s, ""), EINVAL);
    CHECK_ERR(nn_connect(s, ""), EINVAL);
    CHECK_ERR(nn_bind(s, NULL), EINVAL);
    CHECK_ERR(nn_connect(s, NULL), EINVAL);

    /* Length limit: strlen must be < NN_SOCKADDR_MAX (128). */
    strcpy(addr, "inproc://");
    memset(addr + 9, 'a', NN_SOCKADDR_MAX - 1 - 9);
    addr[NN_SOCKADDR_MAX - 1] = 0;
    CHECK(strlen(addr) == 127);
    int e = test_bind(s, addr);
    CHECK(nn_shutdown(s, e) == 0);
    e = test_connect(s, addr);
    CHECK(nn_shutdown(s, e) == 0);
    memset(addr + 9, 'a', NN_SOCKADDR_MAX - 9);
    addr[NN_SOCKADDR_MAX] = 0;
    CHECK(strlen(addr) == 128);
    CHECK_ERR(nn_bind(s, addr), ENAMETOOLONG);
    CHECK_ERR(nn_connect(s, addr), ENAMETOOLONG);
    /* The length is checked before the transport name. */
    strcpy(addr, "foo://");
    memset(addr + 6, 'a', 200);
    addr[206] = 0;
    CHECK_ERR(nn_connect(s, addr), ENAMETOOLONG);

    /* Empty inproc name is a valid name. */
    e = test_bind(s, "inproc://");
    CHECK(nn_shutdown(s, e) == 0);

    /* Bad socket. */
    CHECK_ERR(nn_bind(4242, "inproc://x"), EBADF);
    CHECK_ERR(nn_connect(4242, "inproc://x"), EBADF);

    /* The socket is still usable after all these errors. */
    int t = test_socket(AF_SP, NN_PAIR);
    test_bind(s, "inproc://bad-after");
    test_connect(t, "inproc://bad-after");
    test_send(s, "ok");
    test_recv(t, "ok");
    test_close(t);
    test_close(s);
}

int main(void)
{
    alarm(20);
    test_bind_then_connect();
    test_connect_then_bind();
    test_addr_in_use();
    test_rebind();
    test_shutdown();
    test_many_connects();
    test_bad_addresses();
    return 0;
}
