/* A second PAIR connecting to a bound PAIR that already has its peer, over
   tcp, ipc and ws (what upstream calls bug777; pair.c covers inproc, where
   upstream 1.1.5 crashes as soon as the rejected connector sends or
   closes, see pair_reject.c). nn_pair(7): a PAIR talks to exactly one
   peer, and nn_send blocks while no peer is available. Upstream closes
   the extra connection right after the handshake and the connector keeps
   retrying, so:
   - the first pair works both ways while the second connector waits; the
     second connector receives nothing;
   - a message the second connector offers while it is not the peer never
     reaches the bound PAIR, neither then nor after it became the peer;
   - when the first peer closes, the second connector becomes the peer
     (within 5 s; what it sends while its connection is still being
     refused may be lost, so it offers again) and messages flow both ways;
   - a third connector, arriving while the second is the peer, has no
     peer: its non-blocking nn_send fails with EAGAIN (at least 7 of 10
     tries: upstream's connector holds a short-lived pipe after each
     reconnect, until the peer closes it, and a send can slip in there and
     be lost);
   - statistics: the bound PAIR's CURRENT_CONNECTIONS stays 1 and the
     waiting connector's is 0 (again 7 of 10 samples);
   - a stall of the machine stretches those short-lived pipes: the 10
     samples are taken again (up to 3 rounds) until one round has 7 right;
     a connector that really has a peer fails every round;
   - closing everything afterwards is clean.
   Validated against upstream nanomsg 1.1.5.
   Ports: 24120-24139 (this file's block; uses 24120-24121); ipc path
   /tmp/nn-pair-excl-<pid>.ipc. */
#include "testutil.h"
#include <nanomsg/pair.h>

#define PORT_BASE 24120
#define PORT_COUNT 20

static const char *transport;

static void wait_current(int s, uint64_t n, const char *who)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_get_statistic(s, NN_STAT_CURRENT_CONNECTIONS) != n) {
        if (now_ms() >= deadline) {
            fprintf(stderr, "%s: %s has %llu current connections, "
                "expected %llu\n", transport, who, (unsigned long long)
                nn_get_statistic(s, NN_STAT_CURRENT_CONNECTIONS),
                (unsigned long long) n);
            exit(1);
        }
        sleep_ms(5);
    }
}

/* Receives on s and requires exactly text (with a clear message when a
   different message arrives). */
static void expect_msg(int s, const char *text, const char *who)
{
    char buf[64];
    int rc = nn_recv(s, buf, sizeof buf - 1, 0);
    if (rc < 0) {
        fprintf(stderr, "%s: %s: nn_recv failed (%s), expected \"%s\"\n",
            transport, who, nn_strerror(nn_errno()), text);
        exit(1);
    }
    buf[rc] = 0;
    if (strcmp(buf, text) != 0) {
        fprintf(stderr, "%s: %s received \"%s\", expected \"%s\"\n",
            transport, who, buf, text);
        exit(1);
    }
}

static void run(void)
{
    char addr[128], buf[64];
    int rc;
    test_addr_on(addr, sizeof addr, transport, "pair-excl", 0,
        TEST_PORT(strcmp(transport, "ws") == 0));
    int sb = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        50);
    int sc1 = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    int sc2 = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    test_bind(sb, addr);
    test_connect(sc1, addr);
    wait_current(sb, 1, "bound PAIR");
    wait_current(sc1, 1, "first connector");
    test_connect(sc2, addr);
    sleep_ms(300);

    /* The first pair works; the second connector gets nothing. */
    test_send(sb, "HELLO");
    expect_msg(sc1, "HELLO", "first connector");
    test_send(sc1, "THERE");
    expect_msg(sb, "THERE", "bound PAIR");
    test_setopt_int(sc2, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    CHECK_ERR(nn_recv(sc2, buf, sizeof buf, 0), ETIMEDOUT);

    /* What the second connector offers now never arrives. */
    uint64_t broken = nn_get_statistic(sc2, NN_STAT_BROKEN_CONNECTIONS);
    rc = nn_send(sc2, "STALE", 5, NN_DONTWAIT);
    CHECK(rc == 5 || (rc == -1 && nn_errno() == EAGAIN));
    test_setopt_int(sb, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
    rc = nn_recv(sb, buf, sizeof buf, 0);
    if (rc >= 0) {
        fprintf(stderr, "%s: the bound PAIR received %d bytes from the "
            "connector that is not its peer\n", transport, rc);
        exit(1);
    }
    CHECK(nn_errno() == ETIMEDOUT);
    /* The connection STALE went into must have been refused before the
       first peer leaves (otherwise, on a stalled machine, the bound PAIR
       could still be about to take it, legitimately, once the first peer
       is gone): wait until the second connector has seen a connection
       end since the send. */
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (nn_get_statistic(sc2, NN_STAT_BROKEN_CONNECTIONS) == broken) {
        CHECK(now_ms() < deadline);
        sleep_ms(5);
    }

    /* The first peer leaves; the second takes its place. Until the bound
       PAIR has taken the second connector's next connection, a send can
       go into a connection that the bound PAIR is refusing (nn_pair(7)
       promises no delivery then), so it is offered again until it
       arrives, within 5 s. */
    test_close(sc1);
    test_setopt_int(sb, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    int64_t until = now_ms() + TEST_MUST_MS;
    int offers = 0;
    for (;;) {
        test_send(sc2, "FRESH");
        offers++;
        rc = nn_recv(sb, buf, sizeof buf - 1, 0);
        if (rc >= 0)
            break;
        CHECK(nn_errno() == ETIMEDOUT);
        if (now_ms() > until) {
            fprintf(stderr, "%s: the second connector did not become the "
                "bound PAIR's peer within %d ms\n", transport, TEST_MUST_MS);
            exit(1);
        }
    }
    buf[rc] = 0;
    CHECK(strcmp(buf, "FRESH") == 0);
    test_setopt_int(sb, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_send(sb, "WELCOME");
    expect_msg(sc2, "WELCOME", "second connector");
    /* An earlier offer that was only slow may still come; nothing else. */
    while (--offers > 0 && (rc = nn_recv(sb, buf, sizeof buf - 1,
        NN_DONTWAIT)) >= 0) {
        buf[rc] = 0;
        CHECK(strcmp(buf, "FRESH") == 0);
    }
    CHECK_ERR(nn_recv(sb, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* A third connector has no peer. Upstream's connector briefly holds
       a pipe between each reconnect and the peer closing it, so a send
       can slip into that window now and then: the checks sample 10 times,
       30 ms apart, and require the expected answer at least 7 times. */
    int sc3 = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS,
        TEST_MUST_MS, 50);
    test_connect(sc3, addr);
    sleep_ms(300);
    int eagain = 0, sb_one = 0, sc3_none = 0;
    for (int round = 0; round < 3; round++) {
        eagain = sb_one = sc3_none = 0;
        for (int i = 0; i < 10; i++) {
            rc = nn_send(sc3, "NOPE", 4, NN_DONTWAIT);
            if (rc == -1 && nn_errno() == EAGAIN)
                eagain++;
            else
                CHECK(rc == 4);
            sb_one += nn_get_statistic(sb, NN_STAT_CURRENT_CONNECTIONS) == 1;
            sc3_none += nn_get_statistic(sc3, NN_STAT_CURRENT_CONNECTIONS)
                == 0;
            sleep_ms(30);
        }
        if (eagain >= 7 && sb_one >= 7 && sc3_none >= 7)
            break;
    }
    if (eagain < 7) {
        fprintf(stderr, "%s: a connector whose peer is taken: %d of 10 "
            "non-blocking sends failed with EAGAIN, expected at least 7\n",
            transport, eagain);
        exit(1);
    }
    /* Connection statistics. */
    if (sb_one < 7 || sc3_none < 7) {
        fprintf(stderr, "%s: NN_STAT_CURRENT_CONNECTIONS was 1 on the bound "
            "PAIR in %d of 10 samples and 0 on the waiting connector in %d "
            "of 10, expected at least 7 each\n", transport, sb_one,
            sc3_none);
        exit(1);
    }
    CHECK(nn_get_statistic(sc2, NN_STAT_CURRENT_CONNECTIONS) == 1);

    /* The established pair still works; everything closes cleanly. */
    test_send(sc2, "STILL");
    expect_msg(sb, "STILL", "bound PAIR");
    test_close(sc3);
    test_close(sc2);
    test_close(sb);
}

int main(int argc, char **argv)
{
    static const char *trs[] = { "tcp", "ipc", "ws" };
    alarm(30);
    for (int i = 0; i < 3; i++) {
        if (argc > 1 && strcmp(argv[1], trs[i]) != 0)
            continue;
        transport = trs[i];
        run();
    }
    return 0;
}
