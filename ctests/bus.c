/* The BUS protocol: a message goes to every directly connected peer and
   never back to its sender; a three-node full mesh; a star, where a leaf's
   message reaches only the center (no forwarding); raw BUS, which forwards
   a message to every peer except the one it came from when the received
   SP header is passed back to nn_sendmsg.  Validated against upstream
   nanomsg 1.1.5. */
#include "testutil.h"
#include <nanomsg/bus.h>

/* Wait until a message from a reaches b (BUS drops messages while it has
   no pipe).  The sync messages also reach a's other peers: drain every
   socket involved once all links are synced. */
static void sync_link(int a, int b)
{
    char buf[64];
    int ok = 0;
    int old = test_getopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 10);
    for (int i = 0; i < 300 && !ok; i++) {
        CHECK(nn_send(a, "sync", 4, 0) == 4);
        ok = nn_recv(b, buf, sizeof buf, 0) == 4;
    }
    CHECK(ok);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, old);
}

static void drain_all(int *s, int n)
{
    sleep_ms(20);
    for (int i = 0; i < n; i++)
        test_drain(s[i], 0);
}

static int bus_socket(int domain)
{
    int s = test_socket(domain, NN_BUS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    return s;
}

static void test_basics(void)
{
    int fd;
    size_t sz;
    int a = bus_socket(AF_SP);
    int b = bus_socket(AF_SP);
    CHECK(test_getopt_int(a, NN_SOL_SOCKET, NN_PROTOCOL) == NN_BUS);
    CHECK(test_getopt_int(a, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP);
    /* BUS can send and receive. */
    sz = sizeof fd;
    CHECK(nn_getsockopt(a, NN_SOL_SOCKET, NN_SNDFD, &fd, &sz) == 0);
    sz = sizeof fd;
    CHECK(nn_getsockopt(a, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz) == 0);
    /* No protocol-level options. */
    sz = sizeof fd;
    CHECK_ERR(nn_getsockopt(a, NN_BUS, 1, &fd, &sz), ENOPROTOOPT);

    /* With no peers a message is accepted and dropped, never blocking. */
    CHECK(nn_send(a, "void", 4, 0) == 4);
    CHECK(nn_send(a, "void", 4, NN_DONTWAIT) == 4);
    test_recv_none(a, 50);

    test_bind(a, "inproc://bus-basic");
    test_connect(b, "inproc://bus-basic");
    int s2[2] = { a, b };
    sync_link(a, b);
    sync_link(b, a);
    drain_all(s2, 2);
    for (int i = 0; i < 5; i++) {
        test_send(a, "a->b");
        test_send(b, "b->a");
        test_recv(b, "a->b");
        test_recv(a, "b->a");
    }
    /* Nothing ever comes back to the sender. */
    test_recv_none(a, 50);
    test_recv_none(b, 50);
    test_close(a);
    test_close(b);
}

static void test_mesh(void)
{
    int n[3];
    for (int i = 0; i < 3; i++)
        n[i] = bus_socket(AF_SP);
    test_bind(n[0], "inproc://bus-mesh-0");
    test_bind(n[1], "inproc://bus-mesh-1");
    test_bind(n[2], "inproc://bus-mesh-2");
    test_connect(n[0], "inproc://bus-mesh-1");
    test_connect(n[0], "inproc://bus-mesh-2");
    test_connect(n[1], "inproc://bus-mesh-2");
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (i != j)
                sync_link(n[i], n[j]);
    drain_all(n, 3);

    for (int i = 0; i < 3; i++) {
        char m[16];
        snprintf(m, sizeof m, "from-%d", i);
        test_send(n[i], m);
        for (int j = 0; j < 3; j++)
            if (j != i)
                test_recv(n[j], m);
        for (int j = 0; j < 3; j++)
            test_recv_none(n[j], 50);
    }

    /* Everyone sends at once; everyone gets the other two, each once. */
    for (int i = 0; i < 3; i++) {
        char m[16];
        snprintf(m, sizeof m, "all-%d", i);
        test_send(n[i], m);
    }
    for (int j = 0; j < 3; j++) {
        int got[3] = { 0, 0, 0 };
        for (int k = 0; k < 2; k++) {
            char buf[16];
            int rc = nn_recv(n[j], buf, sizeof buf, 0);
            CHECK(rc == 5 && memcmp(buf, "all-", 4) == 0);
            CHECK(buf[4] >= '0' && buf[4] <= '2');
            got[buf[4] - '0']++;
        }
        for (int i = 0; i < 3; i++)
            CHECK(got[i] == (i == j ? 0 : 1));
        test_recv_none(n[j], 50);
    }
    for (int i = 0; i < 3; i++)
        test_close(n[i]);
}

static void test_star(void)
{
    int center = bus_socket(AF_SP);
    int leaf[3];
    test_bind(center, "inproc://bus-star");
    for (int i = 0; i < 3; i++) {
        leaf[i] = bus_socket(AF_SP);
        test_connect(leaf[i], "inproc://bus-star");
        sync_link(leaf[i], center);
        sync_link(center, leaf[i]);
    }
    int all[4] = { center, leaf[0], leaf[1], leaf[2] };
    drain_all(all, 4);

    /* A leaf reaches the center only: BUS does not forward. */
    test_send(leaf[0], "leaf0");
    test_recv(center, "leaf0");
    test_recv_none(leaf[1], 50);
    test_recv_none(leaf[2], 50);
    test_recv_none(leaf[0], 50);
    test_recv_none(center, 50);

    /* The center reaches every leaf. */
    test_send(center, "center");
    for (int i = 0; i < 3; i++)
        test_recv(leaf[i], "center");
    test_recv_none(center, 50);

    /* Several leaves: the center fair-queues them, each once. */
    test_send(leaf[1], "leaf1");
    test_send(leaf[2], "leaf2");
    int got1 = 0, got2 = 0;
    for (int k = 0; k < 2; k++) {
        char buf[16];
        int rc = nn_recv(center, buf, sizeof buf, 0);
        CHECK(rc == 5);
        got1 += memcmp(buf, "leaf1", 5) == 0;
        got2 += memcmp(buf, "leaf2", 5) == 0;
    }
    CHECK(got1 == 1 && got2 == 1);
    test_recv_none(center, 50);
    for (int i = 0; i < 3; i++)
        test_recv_none(leaf[i], 50);

    /* A leaf that goes away just stops getting messages. */
    test_close(leaf[2]);
    test_send(center, "after");
    test_recv(leaf[0], "after");
    test_recv(leaf[1], "after");

    for (int i = 0; i < 2; i++)
        test_close(leaf[i]);
    test_close(center);
}

static void test_raw(void)
{
    char buf[16];
    int center = bus_socket(AF_SP_RAW);
    int leaf[3];
    CHECK(test_getopt_int(center, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    CHECK(test_getopt_int(center, NN_SOL_SOCKET, NN_PROTOCOL) == NN_BUS);
    test_bind(center, "inproc://bus-raw");
    for (int i = 0; i < 3; i++) {
        leaf[i] = bus_socket(AF_SP);
        test_connect(leaf[i], "inproc://bus-raw");
        sync_link(leaf[i], center);
        sync_link(center, leaf[i]);
    }
    int all[4] = { center, leaf[0], leaf[1], leaf[2] };
    drain_all(all, 4);

    /* A raw BUS does not forward by itself either. */
    test_send(leaf[0], "plain");
    test_recv(center, "plain");
    test_recv_none(leaf[1], 50);

    /* A plain send (no SP header) goes to every peer. */
    test_send(center, "to-all");
    for (int i = 0; i < 3; i++)
        test_recv(leaf[i], "to-all");

    /* Receiving with nn_recvmsg yields the SP header naming the pipe the
       message came in on; sending the message back out with that header
       reaches every peer except that one (the raw BUS device). */
    test_send(leaf[1], "fwd");
    void *body = NULL;
    void *control = NULL;
    struct nn_iovec iov = { &body, NN_MSG };
    struct nn_msghdr hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = &control;
    hdr.msg_controllen = NN_MSG;
    int rc = nn_recvmsg(center, &hdr, 0);
    CHECK(rc == 3);
    CHECK(memcmp(body, "fwd", 3) == 0);
    CHECK(control != NULL);
    struct nn_cmsghdr *cmsg = NN_CMSG_FIRSTHDR(&hdr);
    CHECK(cmsg != NULL);
    CHECK(cmsg->cmsg_level == PROTO_SP);
    CHECK(cmsg->cmsg_type == SP_HDR);
    CHECK(cmsg->cmsg_len > NN_CMSG_LEN(0));
    rc = nn_sendmsg(center, &hdr, 0);
    CHECK(rc == 3);
    test_recv(leaf[0], "fwd");
    test_recv(leaf[2], "fwd");
    test_recv_none(leaf[1], 50);
    test_recv_none(center, 50);

    /* Raw BUS to raw BUS works too. */
    int r2 = bus_socket(AF_SP_RAW);
    test_connect(r2, "inproc://bus-raw");
    sync_link(r2, center);
    sync_link(center, r2);
    int all5[5] = { center, leaf[0], leaf[1], leaf[2], r2 };
    drain_all(all5, 5);
    test_send(r2, "raw2raw");
    test_recv(center, "raw2raw");
    CHECK_ERR(nn_recv(r2, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    test_close(r2);
    for (int i = 0; i < 3; i++)
        test_close(leaf[i]);
    test_close(center);
}

int main(void)
{
    alarm(20);
    test_basics();
    test_mesh();
    test_star();
    test_raw();
    return 0;
}
