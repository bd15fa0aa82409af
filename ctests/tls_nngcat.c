/* ours-only: tls+tcp:// and wss:// against nng (nngcat from nng-utils),
   both ways: nngcat listens (REP, its certificate) and our REQ dials
   (verifying it by CA and the name localhost: nng's TLS library does not
   match IP addresses in certificates, so everyone dials localhost); our
   REP listens and nngcat's REQ dials (--cacert), over tls+tcp with
   NN_TLS_AUTH_MODE_REQUIRED on our side and nngcat presenting a client
   certificate (--cert, --key). SKIP (77) without nngcat or openssl.
   Ports: 24690-24699 (this file's block). */
#include "testutil.h"
#include "tlscerts.h"
#include <nanomsg/reqrep.h>
#include <signal.h>
#include <sys/wait.h>

#define PORT_BASE 24690
#define PORT_COUNT 10

/* The nngcat running now, killed when a failed check exits the test (it
   would keep CTest waiting on the output it shares). */
static pid_t running;

static void kill_running(void)
{
    if (running > 0)
        kill(running, SIGKILL);
}

/* Starts nngcat with args (NULL-terminated), its output into `out`. */
static pid_t nngcat(const char *out, const char *const *args)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        FILE *f = freopen(out, "w", stdout);
        char *argv[32];
        int i = 0;
        if (f == NULL)
            _exit(126);
        argv[i++] = "nngcat";
        while (*args != NULL && i < 31)
            argv[i++] = (char *) *args++;
        argv[i] = NULL;
        execvp("nngcat", argv);
        _exit(127);
    }
    running = pid;
    return pid;
}

static void stop(pid_t pid)
{
    int st;
    kill(pid, SIGTERM);
    CHECK(waitpid(pid, &st, 0) == pid);
    running = 0;
}

/* Waits (bounded) for nngcat to exit; its status. */
static int finish(pid_t pid)
{
    int64_t deadline = now_ms() + TEST_MUST_MS;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        CHECK(r >= 0);
        if (r == pid) {
            running = 0;
            return st;
        }
        if (now_ms() > deadline) {
            stop(pid);
            CHECK(!"nngcat did not finish");
        }
        sleep_ms(10);
    }
}

static int file_has(const char *path, const char *text)
{
    char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;
    CHECK(f != NULL);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

/* nngcat's REP listens on listen_url; our REQ dials dial_url. */
static void they_listen(const char *listen_url, const char *dial_url)
{
    char out[512], crt[512], key[512];
    const char *args[16];
    int i = 0, s;
    pid_t pid;
    tls_path(out, sizeof out, "listen.out");
    tls_path(crt, sizeof crt, "server.crt");
    tls_path(key, sizeof key, "server.key");
    args[i++] = "--rep0";
    args[i++] = "--listen";
    args[i++] = listen_url;
    args[i++] = "--cert";
    args[i++] = crt;
    args[i++] = "--key";
    args[i++] = key;
    args[i++] = "--data";
    args[i++] = "pong";
    args[i++] = NULL;
    pid = nngcat(out, args);
    s = test_socket_timeo(AF_SP, NN_REQ, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 20);
    tls_set_file(s, NN_TLS_CA_FILE, "ca.pem");
    /* Until nngcat listens, connections are refused and retried. */
    test_connect(s, dial_url);
    test_send(s, "ping");
    test_recv(s, "pong");
    test_close(s);
    /* (nngcat's REP may have exited after its one reply.) */
    stop(pid);
}

/* Our REP listens on listen_url; nngcat's REQ dials dial_url. */
static void we_listen(const char *listen_url, const char *dial_url,
    int client_cert)
{
    char out[512], ca[512], crt[512], key[512], buf[64];
    const char *args[20];
    int i = 0, s, st;
    pid_t pid;
    s = test_socket_timeo(AF_SP, NN_REP, TEST_MUST_MS, TEST_MUST_MS);
    tls_set_file(s, NN_TLS_CERT_KEY_FILE, "server.pem");
    tls_set_file(s, NN_TLS_CA_FILE, "ca.pem");
    if (client_cert)
        test_setopt_int(s, NN_TLS, NN_TLS_AUTH_MODE,
            NN_TLS_AUTH_MODE_REQUIRED);
    /* Both families: nng's WebSocket dialer may take localhost for ::1. */
    test_setopt_int(s, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    test_bind(s, listen_url);
    tls_path(out, sizeof out, "dial.out");
    tls_path(ca, sizeof ca, "ca.pem");
    tls_path(crt, sizeof crt, "client.crt");
    tls_path(key, sizeof key, "client.key");
    args[i++] = "--req0";
    args[i++] = "--dial";
    args[i++] = dial_url;
    args[i++] = "--cacert";
    args[i++] = ca;
    if (client_cert) {
        args[i++] = "--cert";
        args[i++] = crt;
        args[i++] = "--key";
        args[i++] = key;
    }
    args[i++] = "--data";
    args[i++] = "ping";
    args[i++] = "--ascii";
    args[i++] = "--recv-timeout";
    args[i++] = "5";
    args[i++] = NULL;
    pid = nngcat(out, args);
    CHECK(nn_recv(s, buf, sizeof buf, 0) == 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
    test_send(s, "pong");
    st = finish(pid);
    CHECK(WIFEXITED(st));
    if (!file_has(out, "pong")) {
        fprintf(stderr, "nngcat (%s) did not print the reply\n", dial_url);
        CHECK(0);
    }
    test_close(s);
}

int main(void)
{
    char l[128], d[128];
    int rc;
    if (system("command -v nngcat >/dev/null 2>&1") != 0) {
        fprintf(stderr, "no nngcat: skipped\n");
        return 77;
    }
    rc = tls_certs_make();
    if (rc != 0)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    atexit(kill_running);

    test_addr(l, sizeof l, "tls+tcp://127.0.0.1:%d", TEST_PORT(0));
    test_addr(d, sizeof d, "tls+tcp://localhost:%d", TEST_PORT(0));
    they_listen(l, d);
    /* (nng's WebSocket listener and dialer agree on localhost only when
       both are given that name.) */
    test_addr(l, sizeof l, "wss://localhost:%d/nng", TEST_PORT(1));
    test_addr(d, sizeof d, "wss://localhost:%d/nng", TEST_PORT(1));
    they_listen(l, d);

    test_addr(l, sizeof l, "tls+tcp://127.0.0.1:%d", TEST_PORT(2));
    test_addr(d, sizeof d, "tls+tcp://localhost:%d", TEST_PORT(2));
    we_listen(l, d, 0);
    test_addr(l, sizeof l, "tls+tcp://127.0.0.1:%d", TEST_PORT(3));
    test_addr(d, sizeof d, "tls+tcp://localhost:%d", TEST_PORT(3));
    we_listen(l, d, 1);
    test_addr(l, sizeof l, "wss://*:%d/ours", TEST_PORT(4));
    test_addr(d, sizeof d, "wss://localhost:%d/ours", TEST_PORT(4));
    we_listen(l, d, 0);

    tls_certs_remove();
    return 0;
}
