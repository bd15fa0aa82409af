/* ours-only: tcp endpoints named by a local interface, as the issue asks
   (upstream nanomsg 1.1.5 answers ENODEV for every interface name):
   - bind to tcp://lo:port and receive from a connector;
   - connect through the loopback interface (tcp://lo;127.0.0.1:port) and
     through a local address (tcp://127.0.0.1;127.0.0.1:port);
   - a name that is no interface is still ENODEV.
   Ports: 22900-22919. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <stdio.h>
#include "testutil.h"

#define PORT_BASE 22900

static void flow(const char *baddr, const char *caddr)
{
    int b = test_socket(AF_SP, NN_PAIR);
    int c = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(c, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_bind(b, baddr);
    test_connect(c, caddr);
    test_send(c, "through lo");
    test_recv(b, "through lo");
    test_send(b, "and back");
    test_recv(c, "and back");
    test_close(c);
    test_close(b);
}

int main(void)
{
    char b[64], c[64];
    snprintf(b, sizeof b, "tcp://lo:%d", PORT_BASE);
    snprintf(c, sizeof c, "tcp://127.0.0.1:%d", PORT_BASE);
    flow(b, c);
    snprintf(b, sizeof b, "tcp://127.0.0.1:%d", PORT_BASE + 1);
    snprintf(c, sizeof c, "tcp://lo;127.0.0.1:%d", PORT_BASE + 1);
    flow(b, c);
    snprintf(b, sizeof b, "tcp://*:%d", PORT_BASE + 2);
    snprintf(c, sizeof c, "tcp://127.0.0.1;127.0.0.1:%d", PORT_BASE + 2);
    flow(b, c);
    int s = test_socket(AF_SP, NN_PAIR);
    snprintf(b, sizeof b, "tcp://nosuchif0:%d", PORT_BASE + 3);
    CHECK_ERR(nn_bind(s, b), ENODEV);
    snprintf(c, sizeof c, "tcp://nosuchif0;127.0.0.1:%d", PORT_BASE + 3);
    CHECK_ERR(nn_connect(s, c), ENODEV);
    test_close(s);
    return 0;
}
