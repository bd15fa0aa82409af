/* nn_close from one thread while another thread is blocked in the same
   socket, over tcp, ipc and ws (what upstream calls async_shutdown and
   ws_async_shutdown; close_blocked.c does the same over inproc). Each
   case, on each transport:
   - nopeer: a bound PULL with nobody connected, and a PULL connected to
     an address nobody listens on: a thread loops in nn_recv (NN_MSG);
   - traffic: a bound PULL fed by a PUSH that a sender thread keeps
     sending on; a thread loops in nn_recv (NN_MSG) and is receiving when
     the PULL is closed; afterwards a new PULL bound to the same address
     gets the sender's messages (the PUSH reconnects);
   - send: a PUSH whose peer never reads (a bound PULL with NN_RCVMAXSIZE
     -1): a thread sends 256 KiB messages in a loop until the pipe and the
     kernel buffers are full and nn_send blocks;
   - req: a REQ whose request was taken by a REP that never answers: a
     thread waits in nn_recv for the reply; the REP then serves a new REQ.
   The blocked thread must still be blocked just before the close (it has
   not returned), and once the socket is closed its call returns -1 with
   EBADF within 2 s; the handle is invalid afterwards (EBADF).
   Validated against upstream nanomsg 1.1.5.
   Ports: 24020-24039 (this file's block); ipc paths
   /tmp/nn-async-close-<pid>-<n>.ipc. */
#include "testutil.h"
#include <stdatomic.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/reqrep.h>

#define PORT_BASE 24020
#define PORT_COUNT 20
/* ws uses the second half of the block. */
#define WS_OFFSET (strcmp(transport, "ws") == 0 ? 10 : 0)

static const char *transport;

/* ---- the blocked thread ------------------------------------------------ */

enum { LOOP_RECV, LOOP_SEND };

struct looper {
    int s;
    int mode;
    size_t len;            /* message size for LOOP_SEND */
    atomic_long count;     /* successful calls */
    atomic_int done;
    int rc;
    int err;
    int64_t returned_at;
};

static void *loop_fn(void *arg)
{
    struct looper *l = arg;
    char *payload = NULL;
    if (l->mode == LOOP_SEND) {
        payload = malloc(l->len);
        CHECK(payload != NULL);
        memset(payload, 'p', l->len);
    }
    for (;;) {
        int rc;
        if (l->mode == LOOP_RECV) {
            void *m = NULL;
            rc = nn_recv(l->s, &m, NN_MSG, 0);
            if (rc >= 0)
                CHECK(nn_freemsg(m) == 0);
        } else {
            rc = nn_send(l->s, payload, l->len, 0);
            if (rc >= 0)
                CHECK(rc == (int) l->len);
        }
        if (rc < 0) {
            l->err = nn_errno();
            l->rc = rc;
            break;
        }
        atomic_fetch_add(&l->count, 1);
    }
    l->returned_at = now_ms();
    free(payload);
    atomic_store(&l->done, 1);
    return NULL;
}

static void looper_init(struct looper *l, int s, int mode, size_t len)
{
    l->s = s;
    l->mode = mode;
    l->len = len;
    atomic_init(&l->count, 0);
    atomic_init(&l->done, 0);
    l->rc = 12345;
    l->err = 0;
    l->returned_at = 0;
}

/* Closes l->s while the looper thread is (still) inside the library and
   checks that it comes back with EBADF promptly. */
static void close_under(struct looper *l, test_thread *t)
{
    char buf[8];
    CHECK(atomic_load(&l->done) == 0);
    int64_t closed_at = now_ms();
    test_close(l->s);
    test_thread_join(t);
    CHECK(atomic_load(&l->done) == 1);
    CHECK(l->rc == -1);
    if (l->err != EBADF) {
        fprintf(stderr, "%s: blocked call returned errno %d (%s), "
            "expected EBADF\n", transport, l->err, nn_strerror(l->err));
        exit(1);
    }
    CHECK(l->returned_at - closed_at < test_hang_ms(0));
    CHECK_ERR(nn_recv(l->s, buf, sizeof buf, NN_DONTWAIT), EBADF);
    CHECK_ERR(nn_close(l->s), EBADF);
}

/* ---- a sender thread on a PUSH ------------------------------------------ */

struct sender {
    int s;
    atomic_int stop;
};

static void *sender_fn(void *arg)
{
    struct sender *sd = arg;
    while (!atomic_load(&sd->stop)) {
        int rc = nn_send(sd->s, "data", 4, 0);
        CHECK(rc == 4 || (rc == -1 && nn_errno() == ETIMEDOUT));
        sleep_ms(1);
    }
    return NULL;
}

/* ---- cases --------------------------------------------------------------- */

static void case_nopeer(void)
{
    char addr[128];
    struct looper l;
    test_thread t;

    /* A bound PULL, nobody connected. */
    test_addr_on(addr, sizeof addr, transport, "async-close", 0,
        TEST_PORT(0 + WS_OFFSET));
    int s = test_socket(AF_SP, NN_PULL);
    test_bind(s, addr);
    looper_init(&l, s, LOOP_RECV, 0);
    test_thread_start(&t, loop_fn, &l);
    sleep_ms(200);
    CHECK(atomic_load(&l.count) == 0);
    close_under(&l, &t);

    /* A PULL connecting to an address nobody listens on. */
    test_addr_on(addr, sizeof addr, transport, "async-close", 1,
        TEST_PORT(1 + WS_OFFSET));
    s = test_socket(AF_SP, NN_PULL);
    test_connect(s, addr);
    looper_init(&l, s, LOOP_RECV, 0);
    test_thread_start(&t, loop_fn, &l);
    sleep_ms(200);
    CHECK(atomic_load(&l.count) == 0);
    close_under(&l, &t);
}

static void case_traffic(void)
{
    char addr[128], buf[16];
    struct looper l;
    struct sender sd;
    test_thread t, st;
    int64_t deadline;

    test_addr_on(addr, sizeof addr, transport, "async-close", 2,
        TEST_PORT(2 + WS_OFFSET));
    int pull = test_socket(AF_SP, NN_PULL);
    test_bind(pull, addr);
    sd.s = test_socket(AF_SP, NN_PUSH);
    test_setopt_int(sd.s, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
    test_setopt_int(sd.s, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    atomic_init(&sd.stop, 0);
    test_connect(sd.s, addr);
    test_thread_start(&st, sender_fn, &sd);

    looper_init(&l, pull, LOOP_RECV, 0);
    test_thread_start(&t, loop_fn, &l);
    deadline = now_ms() + TEST_MUST_MS;
    while (atomic_load(&l.count) < 100) {
        CHECK(now_ms() < deadline);
        sleep_ms(5);
    }
    close_under(&l, &t);

    /* A new PULL on the same address gets the sender's messages. */
    pull = test_socket(AF_SP, NN_PULL);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(pull, addr);
    CHECK(nn_recv(pull, buf, sizeof buf, 0) == 4);
    CHECK(memcmp(buf, "data", 4) == 0);
    atomic_store(&sd.stop, 1);
    test_thread_join(&st);
    test_close(sd.s);
    test_close(pull);
}

static void case_send(void)
{
    char addr[128];
    struct looper l;
    test_thread t;
    int64_t deadline;
    long last;

    test_addr_on(addr, sizeof addr, transport, "async-close", 3,
        TEST_PORT(3 + WS_OFFSET));
    int pull = test_socket(AF_SP, NN_PULL);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_bind(pull, addr);
    int push = test_socket(AF_SP, NN_PUSH);
    test_connect(push, addr);
    /* Wait until the connection is up so the loop fills a real pipe. */
    deadline = now_ms() + 5000;
    while (nn_get_statistic(push, NN_STAT_CURRENT_CONNECTIONS) != 1) {
        CHECK(now_ms() < deadline);
        sleep_ms(5);
    }
    looper_init(&l, push, LOOP_SEND, 256 * 1024);
    test_thread_start(&t, loop_fn, &l);
    /* Wait until the sender has made no progress for 400 ms. */
    deadline = now_ms() + 10000;
    last = -1;
    for (;;) {
        long c = atomic_load(&l.count);
        if (c == last && c > 0)
            break;
        last = c;
        CHECK(atomic_load(&l.done) == 0);
        CHECK(now_ms() < deadline);
        sleep_ms(400);
    }
    close_under(&l, &t);
    test_close(pull);
}

static void case_req(void)
{
    char addr[128], buf[16];
    struct looper l;
    test_thread t;

    test_addr_on(addr, sizeof addr, transport, "async-close", 4,
        TEST_PORT(4 + WS_OFFSET));
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
    test_bind(rep, addr);
    int req = test_socket(AF_SP, NN_REQ);
    test_connect(req, addr);
    test_send(req, "question");
    test_recv(rep, "question");
    /* The REP never answers; a thread waits for the reply. */
    looper_init(&l, req, LOOP_RECV, 0);
    test_thread_start(&t, loop_fn, &l);
    sleep_ms(200);
    CHECK(atomic_load(&l.count) == 0);
    close_under(&l, &t);

    /* The REP serves a new REQ. */
    req = test_socket(AF_SP, NN_REQ);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    test_connect(req, addr);
    test_send(req, "again");
    CHECK(nn_recv(rep, buf, sizeof buf, 0) == 5);
    CHECK(memcmp(buf, "again", 5) == 0);
    test_send(rep, "answer");
    test_recv(req, "answer");
    test_close(req);
    test_close(rep);
}

/* `async_close_net [TRANSPORT [CASE]]` runs one transport (tcp, ipc, ws)
   and optionally one case (nopeer, traffic, send, req). */
int main(int argc, char **argv)
{
    static const char *trs[] = { "tcp", "ipc", "ws" };
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {
        { "nopeer", case_nopeer }, { "traffic", case_traffic },
        { "send", case_send }, { "req", case_req },
    };
    alarm(60);
    for (int i = 0; i < 3; i++) {
        if (argc > 1 && strcmp(argv[1], trs[i]) != 0)
            continue;
        transport = trs[i];
        for (int j = 0; j < 4; j++) {
            if (argc > 2 && strcmp(argv[2], cases[j].name) != 0)
                continue;
            int64_t t0 = now_ms();
            cases[j].fn();
            if (getenv("TEST_TIMING"))
                fprintf(stderr, "%s %s: %lld ms\n", trs[i], cases[j].name,
                    (long long) (now_ms() - t0));
        }
    }
    return 0;
}
