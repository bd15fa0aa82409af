/* Many threads over ipc (what upstream calls ipc_stress), and the same over
   tcp:
   - reqrep: a server thread answers on a bound REP; 10 client threads each
     open 10 REQ sessions in a row (socket, connect, 20 round trips,
     close): every reply is the answer to that very request;
   - fan-in: 10 threads each connect a PUSH and send 2000 numbered
     messages of varying size (4 bytes to 4 KiB); the main thread's bound
     PULL receives all 20000 exactly once, each sender's in order, with
     intact bodies; the senders close only after everything arrived;
   - churn: while the fan-in runs again, 10 more threads keep connecting
     PUSH sockets that send one message (NN_DONTWAIT) and close at once,
     pausing 1 ms between sockets (upstream manages some 17000 such
     sockets a second over ipc); messages from those may be lost (nanomsg
     has no linger), but the numbered streams must still arrive complete
     and in order.
   Validated against upstream nanomsg 1.1.5.
   Ports: 24040-24059 (this file's block; uses 24040-24042); ipc paths
   /tmp/nn-net-stress-<pid>-<n>.ipc. */
#include "testutil.h"
#include <stdatomic.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/reqrep.h>

#define PORT_BASE 24040
#define PORT_COUNT 20
#define CLIENTS 10
#define SESSIONS 10
#define TRIPS 20
#define SENDERS 10
#define PER_SENDER 2000

static const char *transport;

/* ---- reqrep -------------------------------------------------------------- */

struct server {
    int s;
    atomic_int stop;
    long served;
};

static void *server_fn(void *arg)
{
    struct server *sv = arg;
    char buf[128], reply[160];
    while (!atomic_load(&sv->stop)) {
        int rc = nn_recv(sv->s, buf, sizeof buf - 1, 0);
        if (rc < 0) {
            CHECK(nn_errno() == ETIMEDOUT);
            continue;
        }
        buf[rc] = 0;
        int n = snprintf(reply, sizeof reply, "re:%s", buf);
        rc = nn_send(sv->s, reply, (size_t) n, 0);
        CHECK(rc == n);
        sv->served++;
    }
    return NULL;
}

struct client {
    const char *addr;
    int id;
};

static void *client_fn(void *arg)
{
    struct client *c = arg;
    char msg[64], expect[80], buf[128];
    for (int s = 0; s < SESSIONS; s++) {
        int req = nn_socket(AF_SP, NN_REQ);
        CHECK(req >= 0);
        test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        test_setopt_int(req, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
        CHECK(nn_connect(req, c->addr) >= 0);
        for (int r = 0; r < TRIPS; r++) {
            int n = snprintf(msg, sizeof msg, "c%d-s%d-r%d", c->id, s, r);
            CHECK(nn_send(req, msg, (size_t) n, 0) == n);
            int m = snprintf(expect, sizeof expect, "re:%s", msg);
            int rc = nn_recv(req, buf, sizeof buf, 0);
            CHECK(rc == m);
            CHECK(memcmp(buf, expect, (size_t) m) == 0);
        }
        CHECK(nn_close(req) == 0);
    }
    return NULL;
}

static void test_reqrep(void)
{
    char addr[128];
    struct server sv;
    struct client cl[CLIENTS];
    test_thread st, ct[CLIENTS];

    test_addr_on(addr, sizeof addr, transport, "net-stress", 0,
        TEST_PORT(0));
    sv.s = test_socket(AF_SP, NN_REP);
    test_setopt_int(sv.s, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    test_setopt_int(sv.s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    atomic_init(&sv.stop, 0);
    sv.served = 0;
    test_bind(sv.s, addr);
    test_thread_start(&st, server_fn, &sv);
    for (int i = 0; i < CLIENTS; i++) {
        cl[i].addr = addr;
        cl[i].id = i;
        test_thread_start(&ct[i], client_fn, &cl[i]);
    }
    for (int i = 0; i < CLIENTS; i++)
        test_thread_join(&ct[i]);
    atomic_store(&sv.stop, 1);
    test_thread_join(&st);
    /* No request was answered twice (no resends at the default 60 s). */
    CHECK(sv.served == CLIENTS * SESSIONS * TRIPS);
    test_close(sv.s);
}

/* ---- fan-in -------------------------------------------------------------- */

static atomic_int all_received;

struct psender {
    const char *addr;
    uint32_t id;
};

static size_t msg_len(uint32_t seq)
{
    return 8 + (seq * 37u) % 4089u; /* 8 .. 4096 bytes */
}

static void fill_body(unsigned char *p, size_t len, uint32_t id, uint32_t seq)
{
    test_putl(p, id);
    test_putl(p + 4, seq);
    for (size_t i = 8; i < len; i++)
        p[i] = (unsigned char) (id * 131u + seq * 7u + i);
}

static void *psender_fn(void *arg)
{
    struct psender *ps = arg;
    static _Thread_local unsigned char body[4096];
    int s = nn_socket(AF_SP, NN_PUSH);
    CHECK(s >= 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    CHECK(nn_connect(s, ps->addr) >= 0);
    for (uint32_t seq = 0; seq < PER_SENDER; seq++) {
        size_t len = msg_len(seq);
        fill_body(body, len, ps->id, seq);
        CHECK(nn_send(s, body, len, 0) == (int) len);
    }
    int64_t deadline = now_ms() + TEST_MUST_MS;
    while (!atomic_load(&all_received)) {
        CHECK(now_ms() < deadline);
        sleep_ms(5);
    }
    CHECK(nn_close(s) == 0);
    return NULL;
}

struct churner {
    const char *addr;
    atomic_int stop;
    atomic_long rounds;
};

static void *churn_fn(void *arg)
{
    struct churner *c = arg;
    while (!atomic_load(&c->stop)) {
        int s = nn_socket(AF_SP, NN_PUSH);
        CHECK(s >= 0);
        CHECK(nn_connect(s, c->addr) >= 0);
        int rc = nn_send(s, "churn", 5, NN_DONTWAIT);
        CHECK(rc == 5 || (rc == -1 && nn_errno() == EAGAIN));
        CHECK(nn_close(s) == 0);
        atomic_fetch_add(&c->rounds, 1);
        sleep_ms(1);
    }
    return NULL;
}

static void test_fanin(int with_churn)
{
    char addr[128];
    static unsigned char buf[8192];
    struct psender ps[SENDERS];
    test_thread pt[SENDERS], cht[SENDERS];
    struct churner ch;
    uint32_t next[SENDERS];
    long churned = 0;

    test_addr_on(addr, sizeof addr, transport, "net-stress", 1 + with_churn,
        TEST_PORT(1 + with_churn));
    int pull = test_socket(AF_SP, NN_PULL);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(pull, addr);
    atomic_store(&all_received, 0);
    ch.addr = addr;
    atomic_init(&ch.stop, 0);
    atomic_init(&ch.rounds, 0);
    if (with_churn)
        for (int i = 0; i < SENDERS; i++)
            test_thread_start(&cht[i], churn_fn, &ch);
    for (int i = 0; i < SENDERS; i++) {
        ps[i].addr = addr;
        ps[i].id = (uint32_t) i;
        next[i] = 0;
        test_thread_start(&pt[i], psender_fn, &ps[i]);
    }
    for (long n = 0; n < (long) SENDERS * PER_SENDER;) {
        int rc = nn_recv(pull, buf, sizeof buf, 0);
        if (rc < 0) {
            fprintf(stderr, "%s: nn_recv failed: %s after %ld numbered "
                "messages (%ld churn sockets so far); per sender:",
                transport, nn_strerror(nn_errno()), n,
                atomic_load(&ch.rounds));
            for (int i = 0; i < SENDERS; i++)
                fprintf(stderr, " %u", next[i]);
            fprintf(stderr, "\n");
            exit(1);
        }
        if (rc == 5 && memcmp(buf, "churn", 5) == 0) {
            CHECK(with_churn);
            churned++;
            continue;
        }
        CHECK(rc >= 8);
        uint32_t id = test_getl(buf), seq = test_getl(buf + 4);
        CHECK(id < SENDERS);
        if (seq != next[id]) {
            fprintf(stderr, "%s: sender %u: got message %u, expected %u\n",
                transport, id, seq, next[id]);
            exit(1);
        }
        CHECK((size_t) rc == msg_len(seq));
        for (int i = 8; i < rc; i++)
            CHECK(buf[i] == (unsigned char) (id * 131u + seq * 7u + i));
        next[id]++;
        n++;
    }
    atomic_store(&all_received, 1);
    for (int i = 0; i < SENDERS; i++) {
        test_thread_join(&pt[i]);
        CHECK(next[i] == PER_SENDER);
    }
    if (with_churn) {
        atomic_store(&ch.stop, 1);
        for (int i = 0; i < SENDERS; i++)
            test_thread_join(&cht[i]);
        CHECK(atomic_load(&ch.rounds) > 0);
        if (getenv("TEST_TIMING"))
            fprintf(stderr, "%s: %ld churn sockets, %ld of their messages "
                "arrived\n", transport, atomic_load(&ch.rounds), churned);
    }
    /* Nothing but churn messages is left. */
    for (;;) {
        int rc = nn_recv(pull, buf, sizeof buf, NN_DONTWAIT);
        if (rc < 0) {
            CHECK(nn_errno() == EAGAIN);
            break;
        }
        CHECK(rc == 5 && memcmp(buf, "churn", 5) == 0);
    }
    test_close(pull);
}

/* `net_stress [TRANSPORT [PART]]` runs one transport (ipc, tcp) and
   optionally one part (reqrep, fanin, churn). */
int main(int argc, char **argv)
{
    static const char *trs[] = { "ipc", "tcp" };
    static const char *parts[] = { "reqrep", "fanin", "churn" };
    alarm(60);
    for (int i = 0; i < 2; i++) {
        if (argc > 1 && strcmp(argv[1], trs[i]) != 0)
            continue;
        transport = trs[i];
        for (int j = 0; j < 3; j++) {
            if (argc > 2 && strcmp(argv[2], parts[j]) != 0)
                continue;
            int64_t t0 = now_ms();
            if (j == 0)
                test_reqrep();
            else
                test_fanin(j == 2);
            if (getenv("TEST_TIMING"))
                fprintf(stderr, "%s %s: %lld ms\n", transport, parts[j],
                    (long long) (now_ms() - t0));
        }
    }
    return 0;
}
