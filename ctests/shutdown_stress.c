/* Endpoints and sockets coming and going under many threads, over inproc,
   ipc and tcp (what upstream calls inproc_shutdown, ipc_shutdown and
   tcp_shutdown). Parts, each over ipc and tcp:
   - churn: a PUB is bound and publishes all the time from its own thread;
     rounds of 30 threads each create a SUB, subscribe, connect and close
     it again; every other thread first waits for one published message
     (it must come within TEST_MUST_MS). Every call must succeed;
   - rebind: the same churn while the main thread shuts the PUB's bind
     endpoint down and binds the address again, 10 times over;
   - recv: a PUSH is bound and the main thread sends (NN_DONTWAIT) while
     rounds of 30 threads each create a PULL, connect, must receive one
     message within TEST_MUST_MS, and close;
   - shared: 8 threads share one PUSH and each, 25 times, connects it to a
     bound PULL, sends (NN_DONTWAIT, EAGAIN allowed) and shuts that
     endpoint down again, while the main thread drains the PULL; every
     nn_connect and nn_shutdown succeeds, and afterwards the PUSH has no
     peer left (a non-blocking send ends up failing with EAGAIN);
   after each part the bound socket still serves a fresh peer.
   Over inproc only the churn runs, and without publishing while the SUBs
   come and go: upstream 1.1.5 crashes on the rest over inproc (see
   part_runs below). shutdown_stress_ours.c (ours-only) includes this file
   and runs every part over inproc.
   Validated against upstream nanomsg 1.1.5 (20 runs of each part).
   Ports: 24000-24019 (this file's block; uses 24000-24003); ipc paths
   /tmp/nn-shutdown-stress-<pid>-<n>.ipc. */
#include "testutil.h"
#include <stdatomic.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/pipeline.h>

#define PORT_BASE 24000
#define PORT_COUNT 20
#define THREADS 30
#define ROUNDS 5

/* ---- a publisher thread ------------------------------------------------ */

struct publisher {
    int s;
    atomic_int stop;
    atomic_long sent;
};

static void *publish_fn(void *arg)
{
    struct publisher *p = arg;
    while (!atomic_load(&p->stop)) {
        int rc = nn_send(p->s, "tick", 4, NN_DONTWAIT);
        CHECK(rc == 4);
        atomic_fetch_add(&p->sent, 1);
        sleep_ms(1);
    }
    return NULL;
}

/* ---- SUB churn --------------------------------------------------------- */

struct sub_arg {
    const char *addr;
    int wait_for_message;
};

static void *sub_fn(void *arg)
{
    struct sub_arg *a = arg;
    char buf[16];
    int s = nn_socket(AF_SP, NN_SUB);
    CHECK(s >= 0);
    CHECK(nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    CHECK(nn_connect(s, a->addr) >= 0);
    if (a->wait_for_message) {
        int rc = nn_recv(s, buf, sizeof buf, 0);
        CHECK(rc == 4);
        CHECK(memcmp(buf, "tick", 4) == 0);
    }
    CHECK(nn_close(s) == 0);
    return NULL;
}

static void run_sub_round(const char *addr, int wait_mod)
{
    test_thread t[THREADS];
    struct sub_arg a[THREADS];
    for (int i = 0; i < THREADS; i++) {
        a[i].addr = addr;
        a[i].wait_for_message = wait_mod ? (i % 2 == 0) : 0;
        test_thread_start(&t[i], sub_fn, &a[i]);
    }
    for (int i = 0; i < THREADS; i++)
        test_thread_join(&t[i]);
}

/* A fresh SUB gets a published message within TEST_MUST_MS. */
static void check_pub_alive(const char *addr)
{
    struct sub_arg a = { addr, 1 };
    sub_fn(&a);
}

/* Upstream 1.1.5's inproc transport aborts ("!nn_fsm_event_active
   (&sinproc->event_sent)", sinproc.c:303) or segfaults when a SUB closes
   while the PUB is sending to it, so over inproc nothing is published
   while the SUBs come and go: the publisher starts only for the final
   check. */
static int publish_during_churn(const char *tr)
{
#ifdef SHUTDOWN_STRESS_OURS
    (void) tr;
    return 1;
#else
    return strcmp(tr, "inproc") != 0;
#endif
}

/* The other inproc parts crash upstream too (segfaults in nn_fsm_feed via
   nn_ctx_leave from nn_send, and the sinproc.c:303 assertion, in roughly
   half the runs of rebind and shared and one in seven of recv), so only
   the SUB churn runs over inproc here; shutdown_stress_ours.c runs every
   part over inproc, for our library only. */
static int part_runs(const char *tr, const char *part)
{
#ifdef SHUTDOWN_STRESS_OURS
    (void) part;
    return strcmp(tr, "inproc") == 0;
#else
    return strcmp(tr, "inproc") != 0 || strcmp(part, "churn") == 0;
#endif
}

static void test_churn(const char *tr)
{
    char addr[128];
    struct publisher p;
    test_thread pt;
    int busy = publish_during_churn(tr);

    test_addr_on(addr, sizeof addr, tr, "shutdown-stress", 0, TEST_PORT(0));
    p.s = test_socket(AF_SP, NN_PUB);
    atomic_init(&p.stop, 0);
    atomic_init(&p.sent, 0);
    test_bind(p.s, addr);
    if (busy)
        test_thread_start(&pt, publish_fn, &p);
    for (int r = 0; r < ROUNDS; r++)
        run_sub_round(addr, busy);
    if (!busy)
        test_thread_start(&pt, publish_fn, &p);
    check_pub_alive(addr);
    atomic_store(&p.stop, 1);
    test_thread_join(&pt);
    CHECK(atomic_load(&p.sent) > 0);
    test_close(p.s);
}

/* ---- churn while the bind endpoint is shut down and re-created --------- */

struct churner {
    const char *addr;
    atomic_int stop;
};

static void *churn_fn(void *arg)
{
    struct churner *c = arg;
    while (!atomic_load(&c->stop))
        run_sub_round(c->addr, 0);
    return NULL;
}

static void test_rebind(const char *tr)
{
    char addr[128];
    struct publisher p;
    struct churner c;
    test_thread pt, ct;
    int eid;

    test_addr_on(addr, sizeof addr, tr, "shutdown-stress", 1, TEST_PORT(1));
    p.s = test_socket(AF_SP, NN_PUB);
    atomic_init(&p.stop, 0);
    atomic_init(&p.sent, 0);
    eid = test_bind(p.s, addr);
    c.addr = addr;
    atomic_init(&c.stop, 0);
    if (publish_during_churn(tr))
        test_thread_start(&pt, publish_fn, &p);
    test_thread_start(&ct, churn_fn, &c);
    for (int i = 0; i < 10; i++) {
        sleep_ms(30);
        CHECK(nn_shutdown(p.s, eid) == 0);
        sleep_ms(10);
        eid = test_bind(p.s, addr);
    }
    atomic_store(&c.stop, 1);
    test_thread_join(&ct);
    if (!publish_during_churn(tr))
        test_thread_start(&pt, publish_fn, &p);
    check_pub_alive(addr);
    atomic_store(&p.stop, 1);
    test_thread_join(&pt);
    test_close(p.s);
}

/* ---- PULLs that receive one message and close -------------------------- */

static atomic_int active_pulls;

static void *pull_fn(void *arg)
{
    const char *addr = arg;
    char buf[16];
    int s = nn_socket(AF_SP, NN_PULL);
    CHECK(s >= 0);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    CHECK(nn_connect(s, addr) >= 0);
    int rc = nn_recv(s, buf, sizeof buf, 0);
    CHECK(rc == 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK(nn_close(s) == 0);
    atomic_fetch_sub(&active_pulls, 1);
    return NULL;
}

static void test_recv_then_close(const char *tr)
{
    char addr[128];
    int push;

    test_addr_on(addr, sizeof addr, tr, "shutdown-stress", 2, TEST_PORT(2));
    push = test_socket(AF_SP, NN_PUSH);
    test_bind(push, addr);
    for (int r = 0; r < ROUNDS; r++) {
        test_thread t[THREADS];
        atomic_store(&active_pulls, THREADS);
        for (int i = 0; i < THREADS; i++)
            test_thread_start(&t[i], pull_fn, addr);
        int64_t deadline = now_ms() + TEST_MUST_MS;
        while (atomic_load(&active_pulls) > 0) {
            int rc = nn_send(push, "hello", 5, NN_DONTWAIT);
            CHECK(rc == 5 || (rc == -1 && nn_errno() == EAGAIN));
            sleep_ms(1);
            CHECK(now_ms() < deadline);
        }
        for (int i = 0; i < THREADS; i++)
            test_thread_join(&t[i]);
    }
    /* The PUSH still serves a new PULL. */
    {
        char buf[16];
        int pull = test_socket(AF_SP, NN_PULL);
        test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
        test_connect(pull, addr);
        int64_t deadline = now_ms() + TEST_MUST_MS;
        for (;;) {
            int rc = nn_send(push, "hello", 5, NN_DONTWAIT);
            CHECK(rc == 5 || (rc == -1 && nn_errno() == EAGAIN));
            rc = nn_recv(pull, buf, sizeof buf, 0);
            if (rc == 5)
                break;
            CHECK(rc == -1 && nn_errno() == ETIMEDOUT);
            CHECK(now_ms() < deadline);
        }
        test_close(pull);
    }
    test_close(push);
}

/* ---- one shared socket, endpoints created and shut down by 8 threads ---- */

#define SHARED_THREADS 8
#define SHARED_LOOPS 25

struct shared {
    int s;
    const char *addr;
};

static void *shared_fn(void *arg)
{
    struct shared *sh = arg;
    for (int i = 0; i < SHARED_LOOPS; i++) {
        int eid = nn_connect(sh->s, sh->addr);
        CHECK(eid >= 0);
        int rc = nn_send(sh->s, "x", 1, NN_DONTWAIT);
        CHECK(rc == 1 || (rc == -1 && nn_errno() == EAGAIN));
        if (i % 3 == 0)
            sleep_ms(2);
        CHECK(nn_shutdown(sh->s, eid) == 0);
    }
    return NULL;
}

static void test_shared_endpoints(const char *tr)
{
    char addr[128], buf[16];
    struct shared sh;
    test_thread t[SHARED_THREADS];
    int pull, rc;
    int64_t deadline;

    test_addr_on(addr, sizeof addr, tr, "shutdown-stress", 3, TEST_PORT(3));
    pull = test_socket(AF_SP, NN_PULL);
    test_bind(pull, addr);
    sh.s = test_socket(AF_SP, NN_PUSH);
    sh.addr = addr;
    for (int i = 0; i < SHARED_THREADS; i++)
        test_thread_start(&t[i], shared_fn, &sh);
    /* Drain while they run; whatever arrives is one of their "x". */
    for (int i = 0; i < 200; i++) {
        rc = nn_recv(pull, buf, sizeof buf, NN_DONTWAIT);
        CHECK(rc == 1 || (rc == -1 && nn_errno() == EAGAIN));
        if (rc == 1)
            CHECK(buf[0] == 'x');
        sleep_ms(1);
    }
    for (int i = 0; i < SHARED_THREADS; i++)
        test_thread_join(&t[i]);
    /* Every endpoint is gone: the PUSH ends up with no peer. */
    deadline = now_ms() + TEST_MUST_MS;
    for (;;) {
        rc = nn_send(sh.s, "y", 1, NN_DONTWAIT);
        if (rc == -1) {
            CHECK(nn_errno() == EAGAIN);
            break;
        }
        CHECK(rc == 1);
        CHECK(now_ms() < deadline);
        sleep_ms(10);
    }
    /* Drain what the dying connections delivered. */
    for (;;) {
        rc = nn_recv(pull, buf, sizeof buf, NN_DONTWAIT);
        if (rc == -1) {
            CHECK(nn_errno() == EAGAIN);
            break;
        }
        CHECK(rc == 1);
    }
    /* A new endpoint on the same socket works. */
    test_connect(sh.s, addr);
    test_setopt_int(sh.s, NN_SOL_SOCKET, NN_SNDTIMEO, TEST_MUST_MS);
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_send(sh.s, "again");
    for (;;) {
        rc = nn_recv(pull, buf, sizeof buf, 0);
        CHECK(rc == 1 || rc == 5);
        if (rc == 5) {
            CHECK(memcmp(buf, "again", 5) == 0);
            break;
        }
    }
    test_close(sh.s);
    test_close(pull);
}

/* `shutdown_stress [TRANSPORT [PART]]` runs one transport (inproc, ipc,
   tcp) and optionally one part (churn, rebind, recv, shared); naming a
   part runs it even where it is skipped by default. */
int main(int argc, char **argv)
{
    static const char *trs[] = { "inproc", "ipc", "tcp" };
    static const struct {
        const char *name;
        void (*fn)(const char *);
    } parts[] = {
        { "churn", test_churn }, { "rebind", test_rebind },
        { "recv", test_recv_then_close }, { "shared", test_shared_endpoints },
    };
    alarm(60);
    for (int i = 0; i < 3; i++) {
        if (argc > 1 && strcmp(argv[1], trs[i]) != 0)
            continue;
        for (int j = 0; j < 4; j++) {
            if (argc > 2 && strcmp(argv[2], parts[j].name) != 0)
                continue;
            if (argc <= 2 && !part_runs(trs[i], parts[j].name))
                continue;
            int64_t t0 = now_ms();
            parts[j].fn(trs[i]);
            if (getenv("TEST_TIMING"))
                fprintf(stderr, "%s %s: %lld ms\n", trs[i], parts[j].name,
                    (long long) (now_ms() - t0));
        }
    }
    return 0;
}
