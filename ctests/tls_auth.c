/* ours-only: who a TLS endpoint talks to, and what a hostile peer costs.
   - A server certificate from a CA the dialer does not trust: no message
     passes either way, the dialer keeps retrying (its broken-connection
     count grows) and nothing leaks (the process's descriptors come back
     to what they were once both sockets are closed). The same for a
     dialer trusting only the other CA.
   - NN_TLS_AUTH_MODE_REQUIRED on a listener: a client without a
     certificate gets nothing through; one with a certificate of the CA
     is served.
   - Garbage, an SP header in the clear, a truncated ClientHello, and a
     stalled handshake sent to a TLS listener (tls+tcp and wss) each end
     only that connection; a good client is served throughout.
   Certificates: tlscerts.h (SKIP without the openssl CLI).
   Ports: 24670-24689 (this file's block). */
#include "testutil.h"
#include "rawsock.h"
#include "tlscerts.h"
#include <nanomsg/pair.h>

#define PORT_BASE 24670
#define PORT_COUNT 20

static int listener(const char *url, const char *cert, int mode)
{
    int s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    tls_set_file(s, NN_TLS_CERT_KEY_FILE, cert);
    tls_set_file(s, NN_TLS_CA_FILE, "ca.pem");
    if (mode >= 0)
        test_setopt_int(s, NN_TLS, NN_TLS_AUTH_MODE, mode);
    test_bind(s, url);
    return s;
}

static int dialer(const char *url, const char *ca, const char *cert)
{
    int s = test_socket_timeo_ivl(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS,
        20);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 20);
    tls_set_file(s, NN_TLS_CA_FILE, ca);
    tls_set_file(s, NN_TLS_CERT_KEY_FILE, cert);
    test_connect(s, url);
    return s;
}

/* A message each way between a listener and a dialer that work. */
static void served(int l, int d, const char *text)
{
    test_send(d, text);
    test_recv(l, text);
    test_send(l, text);
    test_recv(d, text);
}

/* For ms milliseconds the dialer (and, with l_sends, the listener, which
   has no other peer then) tries to send and nothing arrives on either
   side. */
static void nothing_passes(int l, int d, int ms, int l_sends)
{
    int64_t end = now_ms() + ms;
    while (now_ms() < end) {
        if (nn_send(d, "x", 1, NN_DONTWAIT) < 0)
            CHECK(nn_errno() == EAGAIN);
        if (l_sends && nn_send(l, "y", 1, NN_DONTWAIT) < 0)
            CHECK(nn_errno() == EAGAIN);
        test_recv_none(l, 0);
        test_recv_none(d, 0);
        sleep_ms(10);
    }
}

static uint64_t stat_of(int s, int stat)
{
    return nn_get_statistic(s, stat);
}

/* Waits (bounded) for the process's descriptors to come back to `want`. */
static void fds_back_to(int want)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (tls_count_fds() > want) {
        if (now_ms() > deadline) {
            fprintf(stderr, "descriptors: %d, were %d\n", tls_count_fds(),
                want);
            CHECK(!"descriptors leaked");
        }
        sleep_ms(10);
    }
}

static void wrong_ca(const char *url, const char *dial_url,
    const char *server_cert, const char *dialer_ca)
{
    int before = tls_count_fds();
    int l = listener(url, server_cert, -1);
    int d = dialer(dial_url, dialer_ca, "");
    uint64_t b0;
    nothing_passes(l, d, 300, 1);
    b0 = stat_of(d, NN_STAT_BROKEN_CONNECTIONS);
    CHECK(b0 >= 1);
    nothing_passes(l, d, 500, 1);
    /* Still trying (every 20 ms): more failed sessions. */
    CHECK(stat_of(d, NN_STAT_BROKEN_CONNECTIONS) >= b0 + 3);
    /* (A wss port counts a connection for a path once it asks for one.) */
    if (strncmp(url, "wss:", 4) != 0)
        CHECK(stat_of(l, NN_STAT_ACCEPTED_CONNECTIONS) >= 4);
    test_close(d);
    test_close(l);
    fds_back_to(before);
}

static void mutual(const char *url)
{
    int l = listener(url, "server.pem", NN_TLS_AUTH_MODE_REQUIRED);
    int anon = dialer(url, "ca.pem", "");
    int wrong = dialer(url, "ca.pem", "wrong.pem");
    int d;
    nothing_passes(l, anon, 300, 1);
    nothing_passes(l, wrong, 100, 1);
    d = dialer(url, "ca.pem", "client.pem");
    served(l, d, "with a certificate");
    nothing_passes(l, anon, 100, 0);
    test_close(anon);
    test_close(wrong);
    served(l, d, "still");
    test_close(d);
    test_close(l);
}

/* One hostile connection to `port`: it sends `len` bytes of `bytes` (and
   then shuts its writing side when `half_close`), and the listener must
   end it. */
static void ended(int port, const unsigned char *bytes, size_t len, int half_close)
{
    int fd = rs_tcp_connect(port);
    CHECK(rs_send_all(fd, bytes, len) == 0);
    if (half_close)
        CHECK(shutdown(fd, SHUT_WR) == 0);
    CHECK(rs_wait_closed(fd, TEST_MUST_MS) == 1);
    close(fd);
}

/* A TLS listener at `url` (on `port`) ends each hostile connection; a
   good dialer keeps being served. */
static void hostile(const char *url, int port)
{
    unsigned char junk[300];
    unsigned char sp[8];
    /* A ClientHello record announcing 512 bytes, of which 40 come. */
    unsigned char hello[45] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00,
        0x01, 0xfc, 0x03, 0x03 };
    int l = listener(url, "server.pem", -1);
    int d = dialer(url, "ca.pem", "");
    int fd, stalled, i;
    served(l, d, "first");
    for (i = 0; i < (int) sizeof junk; ++i)
        junk[i] = (unsigned char) (i * 37 + 11);

    ended(port, junk, sizeof junk, 0);
    served(l, d, "after garbage");

    rs_sp_header(sp, NN_PAIR);
    ended(port, sp, sizeof sp, 0);
    served(l, d, "after an SP header in the clear");

    ended(port, hello, sizeof hello, 1);
    served(l, d, "after a truncated ClientHello");

    /* Stalled: the handshake limit (5 s) ends it; meanwhile the good
       dialer is served. */
    stalled = rs_tcp_connect(port);
    fd = rs_tcp_connect(port);
    CHECK(rs_send_all(fd, hello, 20) == 0);
    served(l, d, "beside stalled handshakes");
    CHECK(rs_wait_closed(stalled, TEST_MUST_MS) == 1);
    CHECK(rs_wait_closed(fd, TEST_MUST_MS) == 1);
    close(stalled);
    close(fd);
    served(l, d, "after stalled handshakes");
    test_close(d);
    test_close(l);
}

int main(void)
{
    char url[128], url2[128];
    int rc = tls_certs_make(), l, d;
    if (rc != 0)
        return rc;
    signal(SIGPIPE, SIG_IGN);

    /* The reactor and whatever the library keeps for good: up first, so
       that the descriptor counts below see only what connections take. */
    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", TEST_PORT(0));
    l = listener(url, "server.pem", -1);
    d = dialer(url, "ca.pem", "");
    served(l, d, "warm up");
    test_close(d);
    test_close(l);

    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", TEST_PORT(1));
    wrong_ca(url, url, "wrong.pem", "ca.pem");
    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", TEST_PORT(2));
    test_addr(url2, sizeof url2, "tls+tcp://localhost:%d", TEST_PORT(2));
    wrong_ca(url, url2, "server.pem", "other-ca.pem");
    test_addr(url, sizeof url, "wss://127.0.0.1:%d/w", TEST_PORT(3));
    wrong_ca(url, url, "wrong.pem", "ca.pem");

    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", TEST_PORT(4));
    mutual(url);
    test_addr(url, sizeof url, "wss://127.0.0.1:%d/m", TEST_PORT(5));
    mutual(url);

    test_addr(url, sizeof url, "tls+tcp://127.0.0.1:%d", TEST_PORT(6));
    hostile(url, TEST_PORT(6));
    test_addr(url, sizeof url, "wss://127.0.0.1:%d/h", TEST_PORT(7));
    hostile(url, TEST_PORT(7));

    tls_certs_remove();
    return 0;
}
