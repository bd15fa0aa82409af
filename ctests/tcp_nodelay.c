/* ours-only: every tcp and ws connection runs without Nagle's algorithm
   (TCP_NODELAY on its descriptor, both the dialed and the accepted end),
   whatever NN_TCP_NODELAY says; the option is still 0 by default and reads
   back what was set (tcp.c checks that). The library coalesces close sends
   itself, and Nagle on top held each batch until the peer acknowledged the
   previous one (upstream keeps Nagle with the default 0).
   The connections' descriptors are found in /proc/self/fd by their ports.
   Ports: 24620-24639. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/tcp.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "testutil.h"

#define PORT_BASE 24620
#define PORT_COUNT 20

static int port_of(const struct sockaddr_storage *a)
{
    return a->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *) a)->sin_port) : -1;
}

/* Count the connected tcp descriptors of this process with `port` at
   either end, by their TCP_NODELAY. */
static void count(int port, int *on, int *off)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    *on = *off = 0;
    if (!d) {
        printf("no /proc/self/fd: skipped\n");
        exit(77);
    }
    while ((e = readdir(d)) != NULL) {
        struct sockaddr_storage me, peer;
        socklen_t ml = sizeof me, pl = sizeof peer, vl;
        int fd = atoi(e->d_name), type = 0, v = -1;
        if (e->d_name[0] == '.' || fd == dirfd(d))
            continue;
        vl = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &vl) != 0 || type != SOCK_STREAM)
            continue;
        if (getsockname(fd, (struct sockaddr *) &me, &ml) != 0
            || getpeername(fd, (struct sockaddr *) &peer, &pl) != 0)
            continue;
        if (port_of(&me) != port && port_of(&peer) != port)
            continue;
        vl = sizeof v;
        CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &vl) == 0);
        if (v)
            (*on)++;
        else
            (*off)++;
    }
    closedir(d);
}

/* A connection from c to b over `transport` (tcp or ws) with
   NN_TCP_NODELAY `opt` on both sockets (-1: left at its default). */
static void check(const char *transport, int n, int opt)
{
    char addr[64];
    int on, off;
    int b = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int c = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    if (opt >= 0) {
        test_setopt_int(b, NN_TCP, NN_TCP_NODELAY, opt);
        test_setopt_int(c, NN_TCP, NN_TCP_NODELAY, opt);
    }
    test_addr(addr, sizeof addr, "%s://127.0.0.1:%d", transport, TEST_PORT(n));
    test_bind(b, addr);
    test_connect(c, addr);
    /* Both ends are connections (and pipes) once a message went each way. */
    test_send(c, "there");
    test_recv(b, "there");
    test_send(b, "back");
    test_recv(c, "back");
    count(TEST_PORT(n), &on, &off);
    if (on != 2 || off != 0)
        fprintf(stderr, "%s, NN_TCP_NODELAY %d: %d with TCP_NODELAY, %d without\n",
                transport, opt, on, off);
    CHECK(on == 2 && off == 0);
    test_close(c);
    test_close(b);
}

int main(void)
{
    check("tcp", 0, -1);
    check("tcp", 1, 0);
    check("tcp", 2, 1);
    check("ws", 3, -1);
    check("ws", 4, 1);
    return 0;
}
