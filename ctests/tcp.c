/* The TCP transport (nn_tcp(7)) as upstream nanomsg 1.1.5 behaves:
   - address forms that work: tcp://127.0.0.1:port, the wildcard bind
     (tcp:// + "*" + :port) and tcp://0.0.0.0:port, brackets around an
     IPv4 literal (tcp://[127.0.0.1]:port), connect by hostname
     (tcp://localhost:port), connect through a local address
     (tcp://127.0.0.1;127.0.0.1:port and tcp://127.0.0.1;localhost:port),
     a port with leading zeros (still decimal);
   - interface *names* are not supported by 1.1.5: binding tcp://lo:port
     and connecting tcp://lo;127.0.0.1:port both fail with ENODEV;
   - IPv6 tcp://[::1]:port with NN_IPV4ONLY=0 (skipped when the host has no
     ::1); with the default NN_IPV4ONLY=1 an IPv6 literal fails (bind
     ENODEV, connect EINVAL) and an IPv4-only wildcard bind never hears from
     an IPv6 connector;
   - malformed addresses and their exact errnos (see test_malformed);
   - EADDRINUSE on a second bind of a bound port, the port is free again
     after the owner closes;
   - NN_TCP_NODELAY at level NN_TCP: default 0, set/read back, EINVAL for
     bad values and sizes, ENOPROTOOPT for unknown NN_TCP options;
   - messages both ways, connect before bind, an 8 MiB message both ways
     with NN_RCVMAXSIZE -1.
   Ports: 21000-21019 (this file's block). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/tcp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define PORT_BASE 21000
#define PORT_COUNT 20

static void both_ways(int a, int b, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        char m[32];
        snprintf(m, sizeof m, "a-to-b-%d", i);
        test_send(a, m);
        test_recv(b, m);
        snprintf(m, sizeof m, "b-to-a-%d", i);
        test_send(b, m);
        test_recv(a, m);
    }
}

/* A PAIR bound on baddr and a PAIR connected to caddr exchange messages. */
static void pair_flow(const char *baddr, const char *caddr)
{
    int a = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int b = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(a, baddr);
    test_connect(b, caddr);
    both_ways(a, b, 5);
    test_close(b);
    test_close(a);
}

static void test_ipv4_forms(void)
{
    char b[64], c[64];

    /* Plain numeric address on both sides. */
    test_addr(b, sizeof b, "tcp://127.0.0.1:%d", TEST_PORT(0));
    pair_flow(b, b);

    /* Wildcard bind; connectors by IPv4 literal and by hostname. */
    int pull = test_socket_timeo(AF_SP, NN_PULL, TEST_MUST_MS, TEST_MUST_MS);
    int p1 = test_socket_timeo(AF_SP, NN_PUSH, 1000, TEST_MUST_MS);
    int p2 = test_socket_timeo(AF_SP, NN_PUSH, 1000, TEST_MUST_MS);
    test_addr(b, sizeof b, "tcp://*:%d", TEST_PORT(1));
    test_bind(pull, b);
    test_addr(c, sizeof c, "tcp://127.0.0.1:%d", TEST_PORT(1));
    test_connect(p1, c);
    test_addr(c, sizeof c, "tcp://localhost:%d", TEST_PORT(1));
    test_connect(p2, c);
    test_send(p1, "via-literal");
    test_recv(pull, "via-literal");
    test_send(p2, "via-hostname");
    test_recv(pull, "via-hostname");
    test_close(p1);
    test_close(p2);
    test_close(pull);

    /* 0.0.0.0 is the wildcard spelled numerically. */
    test_addr(b, sizeof b, "tcp://0.0.0.0:%d", TEST_PORT(2));
    test_addr(c, sizeof c, "tcp://127.0.0.1:%d", TEST_PORT(2));
    pair_flow(b, c);

    /* An IPv4 literal may be placed within square brackets. */
    test_addr(b, sizeof b, "tcp://[127.0.0.1]:%d", TEST_PORT(3));
    pair_flow(b, b);

    /* Connect through an explicit local address. */
    test_addr(b, sizeof b, "tcp://127.0.0.1:%d", TEST_PORT(4));
    test_addr(c, sizeof c, "tcp://127.0.0.1;127.0.0.1:%d", TEST_PORT(4));
    pair_flow(b, c);
    /* ... and a hostname as the remote part. */
    test_addr(b, sizeof b, "tcp://127.0.0.1:%d", TEST_PORT(5));
    test_addr(c, sizeof c, "tcp://127.0.0.1;localhost:%d", TEST_PORT(5));
    pair_flow(b, c);

    /* The port is decimal even with leading zeros. */
    test_addr(b, sizeof b, "tcp://127.0.0.1:0%d", TEST_PORT(6));
    test_addr(c, sizeof c, "tcp://127.0.0.1:%d", TEST_PORT(6));
    pair_flow(b, c);
    test_addr(b, sizeof b, "tcp://127.0.0.1:%d", TEST_PORT(7));
    test_addr(c, sizeof c, "tcp://127.0.0.1:000%d", TEST_PORT(7));
    pair_flow(b, c);
}

static void test_interface_names(void)
{
    /* Names that are no local interface give ENODEV (nanomsg 1.1.5 knows
       no interface names at all; binding to one that exists, "lo", is
       checked by tcp_iface.c, which only our library passes). */
    char a[64];
    int s = test_socket(AF_SP, NN_PAIR);
    test_addr(a, sizeof a, "tcp://nosuchif0:%d", TEST_PORT(8));
    CHECK_ERR(nn_bind(s, a), ENODEV);
    test_addr(a, sizeof a, "tcp://nosuchif0;127.0.0.1:%d", TEST_PORT(8));
    CHECK_ERR(nn_connect(s, a), ENODEV);
    test_addr(a, sizeof a, "tcp://localhost:%d", TEST_PORT(8));
    CHECK_ERR(nn_bind(s, a), ENODEV);
    test_addr(a, sizeof a, "tcp://localhost;127.0.0.1:%d", TEST_PORT(8));
    CHECK_ERR(nn_connect(s, a), ENODEV);
    /* The failed calls left no endpoint behind: the port is still free. */
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(8));
    test_bind(s, a);
    test_close(s);
}

static int have_ipv6_loopback(void)
{
    struct sockaddr_in6 sa;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    int ok;
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    sa.sin6_port = 0;
    ok = bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

static void test_ipv6(void)
{
    char b[64], c[64], buf[16];

    /* With the default NN_IPV4ONLY=1 an IPv6 literal is refused. */
    int s = test_socket(AF_SP, NN_PAIR);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_IPV4ONLY) == 1);
    test_addr(b, sizeof b, "tcp://[::1]:%d", TEST_PORT(9));
    CHECK_ERR(nn_bind(s, b), ENODEV);
    CHECK_ERR(nn_connect(s, b), EINVAL);
    test_close(s);

    if (!have_ipv6_loopback()) {
        fprintf(stderr, "tcp: no IPv6 loopback (::1) on this host, "
            "skipping the IPv6 traffic cases\n");
        return;
    }

    /* NN_IPV4ONLY=0 on both ends: [::1] works. */
    int a = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int d = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(a, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    test_setopt_int(d, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    CHECK(test_getopt_int(a, NN_SOL_SOCKET, NN_IPV4ONLY) == 0);
    test_bind(a, b);
    test_connect(d, b);
    both_ways(a, d, 3);
    test_close(d);
    test_close(a);

    /* Unbracketed IPv6 literal, local address given on connect. */
    a = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    d = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(a, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    test_setopt_int(d, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    test_addr(b, sizeof b, "tcp://::1:%d", TEST_PORT(10));
    test_addr(c, sizeof c, "tcp://[::1];[::1]:%d", TEST_PORT(10));
    test_bind(a, b);
    test_connect(d, c);
    both_ways(a, d, 3);
    test_close(d);
    test_close(a);

    /* A wildcard bind with NN_IPV4ONLY=0 serves IPv6 and IPv4 peers. (The
       IPv4 connector keeps the default NN_IPV4ONLY=1: upstream aborts when
       a NN_IPV4ONLY=0 socket connects to an IPv4 literal.) */
    int pull = test_socket_timeo(AF_SP, NN_PULL, TEST_MUST_MS, TEST_MUST_MS);
    int p6 = test_socket_timeo(AF_SP, NN_PUSH, 1000, TEST_MUST_MS);
    int p4 = test_socket_timeo(AF_SP, NN_PUSH, 1000, TEST_MUST_MS);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    test_setopt_int(p6, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    test_addr(b, sizeof b, "tcp://*:%d", TEST_PORT(11));
    test_bind(pull, b);
    test_addr(c, sizeof c, "tcp://[::1]:%d", TEST_PORT(11));
    test_connect(p6, c);
    test_addr(c, sizeof c, "tcp://127.0.0.1:%d", TEST_PORT(11));
    test_connect(p4, c);
    test_send(p6, "from-v6");
    test_recv(pull, "from-v6");
    test_send(p4, "from-v4");
    test_recv(pull, "from-v4");
    test_close(p4);
    test_close(p6);
    test_close(pull);

    /* A wildcard bind with the default NN_IPV4ONLY=1 listens on IPv4 only:
       an IPv6 connector never gets through. */
    pull = test_socket_timeo(AF_SP, NN_PULL, 300, TEST_MUST_MS);
    p6 = test_socket_timeo(AF_SP, NN_PUSH, 1000, TEST_MUST_MS);
    test_setopt_int(p6, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    test_addr(b, sizeof b, "tcp://*:%d", TEST_PORT(12));
    test_bind(pull, b);
    test_addr(c, sizeof c, "tcp://[::1]:%d", TEST_PORT(12));
    test_connect(p6, c);
    CHECK_ERR(nn_send(p6, "lost", 4, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(pull, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(p6);
    test_close(pull);
}

/* Both nn_bind and nn_connect fail on addr with these errnos. */
static void bad_addr(int s, const char *addr, int bind_err, int connect_err)
{
    int rc = nn_bind(s, addr);
    int e = nn_errno();
    if (rc != -1 || e != bind_err) {
        fprintf(stderr, "nn_bind(\"%s\") returned %d errno %d (%s), "
            "expected -1 errno %d (%s)\n", addr, rc, e, nn_strerror(e),
            bind_err, nn_strerror(bind_err));
        exit(1);
    }
    rc = nn_connect(s, addr);
    e = nn_errno();
    if (rc != -1 || e != connect_err) {
        fprintf(stderr, "nn_connect(\"%s\") returned %d errno %d (%s), "
            "expected -1 errno %d (%s)\n", addr, rc, e, nn_strerror(e),
            connect_err, nn_strerror(connect_err));
        exit(1);
    }
}

static void test_malformed(void)
{
    char a[300];
    int s = test_socket(AF_SP, NN_PAIR);

    /* Port problems: EINVAL for both bind and connect. */
    bad_addr(s, "tcp://127.0.0.1", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:0", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:65536", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:99999", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:abc", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:21a", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:-1", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1:+5", EINVAL, EINVAL);
    bad_addr(s, "tcp://127.0.0.1: 5", EINVAL, EINVAL);
    bad_addr(s, "tcp://*:-1", EINVAL, EINVAL);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%dx", TEST_PORT(13));
    bad_addr(s, a, EINVAL, EINVAL);
    bad_addr(s, "tcp://", EINVAL, EINVAL);

    /* Host problems: the bind side cannot resolve the local address
       (ENODEV), the connect side rejects the remote name (EINVAL). */
    test_addr(a, sizeof a, "tcp://:%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);
    test_addr(a, sizeof a, "tcp://[]:%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);
    test_addr(a, sizeof a, "tcp://bad host:%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);
    test_addr(a, sizeof a, "tcp://-bad:%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);
    test_addr(a, sizeof a, "tcp://a_b:%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);
    test_addr(a, sizeof a, "tcp://a..b:%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);
    test_addr(a, sizeof a, "tcp://[::1:%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);
    /* A DNS label longer than 63 characters. */
    strcpy(a, "tcp://");
    memset(a + 6, 'h', 70);
    test_addr(a + 76, sizeof a - 76, ":%d", TEST_PORT(13));
    bad_addr(s, a, ENODEV, EINVAL);

    /* The wildcard is for binding only. */
    test_addr(a, sizeof a, "tcp://*:%d", TEST_PORT(13));
    CHECK_ERR(nn_connect(s, a), EINVAL);

    /* Local-address part on connect: empty local part is ENODEV, empty
       remote part or a doubled separator is EINVAL. */
    test_addr(a, sizeof a, "tcp://;127.0.0.1:%d", TEST_PORT(13));
    CHECK_ERR(nn_connect(s, a), ENODEV);
    test_addr(a, sizeof a, "tcp://127.0.0.1;:%d", TEST_PORT(13));
    CHECK_ERR(nn_connect(s, a), EINVAL);
    test_addr(a, sizeof a, "tcp://127.0.0.1;;127.0.0.1:%d", TEST_PORT(13));
    CHECK_ERR(nn_connect(s, a), EINVAL);
    /* ... and on bind any ';' makes the local address unresolvable. */
    test_addr(a, sizeof a, "tcp://127.0.0.1;127.0.0.1:%d", TEST_PORT(13));
    CHECK_ERR(nn_bind(s, a), ENODEV);

    /* Binding an address that is not local. */
    test_addr(a, sizeof a, "tcp://203.0.113.77:%d", TEST_PORT(13));
    {
        FILE *f = fopen("/proc/sys/net/ipv4/ip_nonlocal_bind", "r");
        int nonlocal = 0;
        if (f) {
            if (fscanf(f, "%d", &nonlocal) != 1)
                nonlocal = 0;
            fclose(f);
        }
        if (nonlocal)
            fprintf(stderr, "tcp: ip_nonlocal_bind is on, skipping the "
                "EADDRNOTAVAIL case\n");
        else
            CHECK_ERR(nn_bind(s, a), EADDRNOTAVAIL);
    }

    /* Addresses of NN_SOCKADDR_MAX (128) characters or more:
       ENAMETOOLONG, for both bind and connect. The 127-character one is
       judged on its contents instead. */
    strcpy(a, "tcp://");
    memset(a + 6, 'h', 127 - 6 - 6);
    test_addr(a + 127 - 6, 7, ":%d", TEST_PORT(13));
    CHECK(strlen(a) == 127);
    bad_addr(s, a, ENODEV, EINVAL);
    strcpy(a, "tcp://");
    memset(a + 6, 'h', 128 - 6 - 6);
    test_addr(a + 128 - 6, 7, ":%d", TEST_PORT(13));
    CHECK(strlen(a) == NN_SOCKADDR_MAX);
    bad_addr(s, a, ENAMETOOLONG, ENAMETOOLONG);
    strcpy(a, "tcp://127.0.0.1:");
    memset(a + 16, '1', 200);
    a[216] = 0;
    bad_addr(s, a, ENAMETOOLONG, ENAMETOOLONG);

    /* Scheme problems. */
    test_addr(a, sizeof a, "tcp:/127.0.0.1:%d", TEST_PORT(13));
    bad_addr(s, a, EINVAL, EINVAL);
    test_addr(a, sizeof a, "tcp:127.0.0.1:%d", TEST_PORT(13));
    bad_addr(s, a, EINVAL, EINVAL);
    test_addr(a, sizeof a, "127.0.0.1:%d", TEST_PORT(13));
    bad_addr(s, a, EINVAL, EINVAL);
    test_addr(a, sizeof a, "TCP://127.0.0.1:%d", TEST_PORT(13));
    bad_addr(s, a, EPROTONOSUPPORT, EPROTONOSUPPORT);

    /* None of the failures created an endpoint: the port is free. */
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(13));
    test_bind(s, a);
    test_close(s);

    /* A connect to a name that does not resolve succeeds at once (the
       name is resolved in the background). */
    s = test_socket(AF_SP, NN_PAIR);
    test_addr(a, sizeof a, "tcp://no-such-host.invalid:%d", TEST_PORT(13));
    CHECK(nn_connect(s, a) >= 0);
    test_close(s);
}

static void test_addrinuse(void)
{
    char a[64], w[64];
    int s1 = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int s2 = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int s3 = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(14));
    test_addr(w, sizeof w, "tcp://*:%d", TEST_PORT(14));
    test_bind(s1, a);
    CHECK_ERR(nn_bind(s2, a), EADDRINUSE);
    CHECK_ERR(nn_bind(s2, w), EADDRINUSE);
    /* The owner itself cannot bind it twice either. */
    CHECK_ERR(nn_bind(s1, a), EADDRINUSE);
    /* The first binding is unharmed. */
    test_connect(s3, a);
    both_ways(s1, s3, 2);
    /* Once the owner is closed the port (with a connection just torn
       down on it) can be bound again right away. */
    test_close(s1);
    test_bind(s2, a);
    both_ways(s2, s3, 2);
    test_close(s3);
    test_close(s2);
}

static void test_nodelay(void)
{
    char a[64];
    int s = test_socket(AF_SP, NN_PAIR);
    int v;
    size_t sz;
    char small = 1;
    long long big = 1;

    CHECK(NN_TCP == -3 && NN_TCP_NODELAY == 1);
    CHECK(test_getopt_int(s, NN_TCP, NN_TCP_NODELAY) == 0);
    test_setopt_int(s, NN_TCP, NN_TCP_NODELAY, 1);
    CHECK(test_getopt_int(s, NN_TCP, NN_TCP_NODELAY) == 1);
    v = 2;
    CHECK_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &v, sizeof v), EINVAL);
    v = -1;
    CHECK_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &v, sizeof v), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &small, 1), EINVAL);
    CHECK_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &big, sizeof big),
        EINVAL);
    /* Failed sets left the value alone. */
    CHECK(test_getopt_int(s, NN_TCP, NN_TCP_NODELAY) == 1);
    test_setopt_int(s, NN_TCP, NN_TCP_NODELAY, 0);
    CHECK(test_getopt_int(s, NN_TCP, NN_TCP_NODELAY) == 0);

    /* Reading into a short buffer truncates and reports the full size. */
    test_setopt_int(s, NN_TCP, NN_TCP_NODELAY, 1);
    v = -1;
    sz = 2;
    CHECK(nn_getsockopt(s, NN_TCP, NN_TCP_NODELAY, &v, &sz) == 0);
    CHECK(sz == sizeof(int));

    /* Unknown option at the NN_TCP level. */
    v = 1;
    CHECK_ERR(nn_setsockopt(s, NN_TCP, 99, &v, sizeof v), ENOPROTOOPT);
    sz = sizeof v;
    CHECK_ERR(nn_getsockopt(s, NN_TCP, 99, &v, &sz), ENOPROTOOPT);

    /* With NN_TCP_NODELAY on both ends traffic flows as usual. */
    int t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(t, NN_TCP, NN_TCP_NODELAY, 1);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(15));
    test_bind(s, a);
    test_connect(t, a);
    both_ways(s, t, 20);
    test_close(t);
    test_close(s);
}

static void test_connect_first(void)
{
    char a[64];
    int c = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int b = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(16));
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_connect(c, a);
    /* Nobody listens yet: nothing can be sent. */
    CHECK_ERR(nn_send(c, "x", 1, NN_DONTWAIT), EAGAIN);
    sleep_ms(200);
    test_bind(b, a);
    test_send(c, "connected-first");
    test_recv(b, "connected-first");
    test_send(b, "bound-later");
    test_recv(c, "bound-later");
    test_close(b);
    test_close(c);
}

static void test_large(void)
{
    const size_t len = 8u << 20;
    char a[64];
    unsigned char *msg = malloc(len);
    void *got = NULL;
    CHECK(msg != NULL);
    for (size_t i = 0; i < len; i++)
        msg[i] = (unsigned char) ((i * 2654435761u) >> 13);

    int s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_setopt_int(t, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_setopt_int(t, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_addr(a, sizeof a, "tcp://127.0.0.1:%d", TEST_PORT(17));
    test_bind(s, a);
    test_connect(t, a);

    CHECK(nn_send(t, msg, len, 0) == (int) len);
    CHECK(nn_recv(s, &got, NN_MSG, 0) == (int) len);
    CHECK(memcmp(got, msg, len) == 0);
    /* Send it back (zero-copy) and check again. */
    CHECK(nn_send(s, &got, NN_MSG, 0) == (int) len);
    got = NULL;
    CHECK(nn_recv(t, &got, NN_MSG, 0) == (int) len);
    CHECK(memcmp(got, msg, len) == 0);
    CHECK(nn_freemsg(got) == 0);

    /* Small messages still flow after the big ones. */
    both_ways(s, t, 2);
    test_close(t);
    test_close(s);
    free(msg);
}

int main(void)
{
    alarm(30);
    test_ipv4_forms();
    test_interface_names();
    test_ipv6();
    test_malformed();
    test_addrinuse();
    test_nodelay();
    test_connect_first();
    test_large();
    return 0;
}
