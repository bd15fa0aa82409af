/* The REQ/REP protocol (nn_reqrep(7)), as upstream nanomsg 1.1.5 behaves:
   basics in both bind orders, the EFSM state errors, a new request
   cancelling the old one, REP abandoning a request, load balancing and
   NN_SNDPRIO, NN_REQ_RESEND_IVL and resending (timer and lost peer),
   option levels, raw sockets and their SP headers, and a REQ -> device ->
   REP chain (which calls nn_term, so it runs last). */
#include "testutil.h"
#include <nanomsg/reqrep.h>
#include <nanomsg/pair.h>

static void roundtrip(int req, int rep, const char *q, const char *a)
{
    test_send(req, q);
    test_recv(rep, q);
    test_send(rep, a);
    test_recv(req, a);
}

static void test_basic(void)
{
    char buf[16];
    int req, rep;

    /* REP binds, REQ connects. */
    req = test_socket(AF_SP, NN_REQ);
    rep = test_socket(AF_SP, NN_REP);
    CHECK(test_getopt_int(req, NN_SOL_SOCKET, NN_PROTOCOL) == NN_REQ);
    CHECK(test_getopt_int(rep, NN_SOL_SOCKET, NN_PROTOCOL) == NN_REP);
    CHECK(NN_REQ == 48 && NN_REP == 49);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(rep, "inproc://reqrep-basic1");
    test_connect(req, "inproc://reqrep-basic1");
    for (int i = 0; i < 10; i++) {
        char q[16], a[16];
        snprintf(q, sizeof q, "req-%d", i);
        snprintf(a, sizeof a, "rep-%d", i);
        roundtrip(req, rep, q, a);
    }
    /* Zero-length request and reply. */
    CHECK(nn_send(req, "", 0, 0) == 0);
    CHECK(nn_recv(rep, buf, sizeof buf, 0) == 0);
    CHECK(nn_send(rep, "", 0, 0) == 0);
    CHECK(nn_recv(req, buf, sizeof buf, 0) == 0);
    test_close(req);
    test_close(rep);

    /* REQ binds, REP connects. */
    req = test_socket(AF_SP, NN_REQ);
    rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(req, "inproc://reqrep-basic2");
    test_connect(rep, "inproc://reqrep-basic2");
    for (int i = 0; i < 10; i++)
        roundtrip(req, rep, "ping", "pong");
    test_close(req);
    test_close(rep);

    /* A request sent before any REP exists is delivered once one
       connects. */
    req = test_socket(AF_SP, NN_REQ);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(req, "inproc://reqrep-basic3");
    test_send(req, "early");
    rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_connect(rep, "inproc://reqrep-basic3");
    test_recv(rep, "early");
    test_send(rep, "late");
    test_recv(req, "late");
    test_close(req);
    test_close(rep);
}

static void test_efsm(void)
{
    char buf[16];
    int req = test_socket(AF_SP, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);

    /* No request sent / received yet: not even a peer is needed. */
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), EFSM);
    CHECK_ERR(nn_recv(req, buf, sizeof buf, NN_DONTWAIT), EFSM);
    CHECK_ERR(nn_send(rep, "x", 1, 0), EFSM);
    CHECK_ERR(nn_send(rep, "x", 1, NN_DONTWAIT), EFSM);

    test_bind(rep, "inproc://reqrep-efsm");
    test_connect(req, "inproc://reqrep-efsm");
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), EFSM);
    CHECK_ERR(nn_send(rep, "x", 1, 0), EFSM);

    roundtrip(req, rep, "q", "a");
    /* After the reply the state is idle again on both sides. */
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), EFSM);
    CHECK_ERR(nn_send(rep, "x", 1, 0), EFSM);

    /* REQ with a request in flight and no reply yet: a plain timeout. */
    test_send(req, "q2");
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(req, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    /* REP with no request waiting: timeout / EAGAIN, not EFSM. */
    test_recv(rep, "q2");
    test_send(rep, "a2");
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_recv(req, "a2");
    /* One reply only. */
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), EFSM);
    /* A REP only replies once per request. */
    CHECK_ERR(nn_send(rep, "again", 5, 0), EFSM);
    test_close(req);
    test_close(rep);
}

static void test_cancel(void)
{
    /* A new request cancels the old one: the reply to request 1, sent after
       REQ sent request 2, is dropped and only reply 2 arrives. */
    char buf[16];
    int req = test_socket(AF_SP, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(rep, "inproc://reqrep-cancel");
    test_connect(req, "inproc://reqrep-cancel");

    test_send(req, "req1");
    test_recv(rep, "req1");
    test_send(req, "req2");
    /* Make sure request 2 is queued at the REP before reply 1 goes out
       (inproc delivery is immediate, but be sure). */
    sleep_ms(20);
    test_send(rep, "rep1");
    test_recv(rep, "req2");
    test_send(rep, "rep2");
    test_recv(req, "rep2");
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), EFSM);

    /* Same with the stale reply arriving while REQ is blocked: REQ
       keeps waiting for the current one. */
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_send(req, "req3");
    test_recv(rep, "req3");
    test_send(req, "req4");
    test_send(rep, "rep3");
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), ETIMEDOUT);
    test_recv(rep, "req4");
    test_send(rep, "rep4");
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_recv(req, "rep4");

    /* Several requests in a row: only the last one matters. (The pauses
       let each request reach the REP; a request cancelled before the pipe
       was writable again may never be sent at all.) */
    test_send(req, "a");
    sleep_ms(20);
    test_send(req, "b");
    sleep_ms(20);
    test_send(req, "c");
    test_recv(rep, "a");
    test_send(rep, "ra");
    test_recv(rep, "b");
    test_send(rep, "rb");
    test_recv(rep, "c");
    test_send(rep, "rc");
    test_recv(req, "rc");
    test_close(req);
    test_close(rep);
}

static void test_rep_abandon(void)
{
    /* REP may receive a new request without answering the previous one;
       the old one is forgotten and the reply goes to the new one. */
    char buf[16];
    int req1 = test_socket(AF_SP, NN_REQ);
    int req2 = test_socket(AF_SP, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req1, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    test_setopt_int(req2, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(rep, "inproc://reqrep-abandon");
    test_connect(req1, "inproc://reqrep-abandon");
    test_connect(req2, "inproc://reqrep-abandon");

    test_send(req1, "from1");
    test_recv(rep, "from1");
    test_send(req2, "from2");
    test_recv(rep, "from2");
    test_send(rep, "to2");
    test_recv(req2, "to2");

    /* Any recv call on REP forgets the pending request, even one that
       returns nothing (EAGAIN / ETIMEDOUT). */
    test_send(req2, "from2b");
    test_recv(rep, "from2b");
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_send(rep, "late", 4, 0), EFSM);
    test_send(req2, "from2c");
    test_recv(rep, "from2c");
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_send(rep, "late", 4, 0), EFSM);
    /* req2 still waits for an answer to "from2c"; a new request gets one. */
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_send(req2, "from2d");
    test_recv(rep, "from2d");
    test_send(rep, "to2d");
    test_recv(req2, "to2d");
    /* req1 never gets an answer, and REP has nothing pending now. */
    CHECK_ERR(nn_recv(req1, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_send(rep, "to1", 3, 0), EFSM);
    test_close(req1);
    test_close(req2);
    test_close(rep);
}

static void test_load_balance(void)
{
    /* One REQ connected to three REPs: requests are spread round-robin. */
    enum { N = 3, ROUNDS = 4 };
    int req = test_socket(AF_SP, NN_REQ);
    int reps[N];
    int count[N] = { 0 };
    int order[N * ROUNDS];
    char buf[32];
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    for (int i = 0; i < N; i++) {
        char addr[64];
        snprintf(addr, sizeof addr, "inproc://reqrep-lb-%d", i);
        reps[i] = test_socket(AF_SP, NN_REP);
        test_bind(reps[i], addr);
        test_connect(req, addr);
    }
    for (int k = 0; k < N * ROUNDS; k++) {
        char q[16];
        int len;
        snprintf(q, sizeof q, "lb-%d", k);
        test_send(req, q);
        int who = test_recv_any(reps, N, buf, sizeof buf, &len, 1000);
        CHECK(who >= 0);
        CHECK(len == (int) strlen(q) && strcmp(buf, q) == 0);
        count[who]++;
        order[k] = who;
        test_send(reps[who], "ok");
        test_recv(req, "ok");
    }
    /* Everybody got an equal share, in a fixed cyclic order. */
    for (int i = 0; i < N; i++)
        CHECK(count[i] == ROUNDS);
    for (int k = N; k < N * ROUNDS; k++)
        CHECK(order[k] == order[k - N]);
    for (int i = 0; i < N; i++)
        test_close(reps[i]);
    test_close(req);
}

static void test_priority(void)
{
    /* NN_SNDPRIO as it is when nn_connect is called applies to that
       endpoint; the lower number wins while it is connected. */
    char buf[32];
    int len;
    int req = test_socket(AF_SP, NN_REQ);
    int reps[2];
    reps[0] = test_socket(AF_SP, NN_REP); /* low priority (8) */
    reps[1] = test_socket(AF_SP, NN_REP); /* high priority (2) */
    test_bind(reps[0], "inproc://reqrep-prio-lo");
    test_bind(reps[1], "inproc://reqrep-prio-hi");
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(req, NN_SOL_SOCKET, NN_SNDPRIO, 8);
    test_connect(req, "inproc://reqrep-prio-lo");
    test_setopt_int(req, NN_SOL_SOCKET, NN_SNDPRIO, 2);
    test_connect(req, "inproc://reqrep-prio-hi");
    /* Later changes do not affect existing endpoints. */
    test_setopt_int(req, NN_SOL_SOCKET, NN_SNDPRIO, 16);
    for (int k = 0; k < 6; k++) {
        test_send(req, "prio");
        int who = test_recv_any(reps, 2, buf, sizeof buf, &len, 1000);
        CHECK(who == 1);
        CHECK(strcmp(buf, "prio") == 0);
        test_send(reps[1], "hi");
        test_recv(req, "hi");
    }
    /* Without the high-priority peer the other one is used. */
    test_close(reps[1]);
    sleep_ms(50);
    for (int k = 0; k < 3; k++) {
        test_send(req, "prio2");
        int who = test_recv_any(reps, 1, buf, sizeof buf, &len, 1000);
        CHECK(who == 0);
        CHECK(strcmp(buf, "prio2") == 0);
        test_send(reps[0], "lo");
        test_recv(req, "lo");
    }
    test_close(reps[0]);
    test_close(req);
}

static void test_options(void)
{
    int req = test_socket(AF_SP, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    int rreq = test_socket(AF_SP_RAW, NN_REQ);
    int v;
    size_t sz;

    CHECK(NN_REQ_RESEND_IVL == 1);
    CHECK(test_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL) == 60000);
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 250);
    CHECK(test_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL) == 250);
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 60000);
    CHECK(test_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL) == 60000);
    /* Wrong size. */
    v = 100;
    CHECK_ERR(nn_setsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &v, 2), EINVAL);
    CHECK(test_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL) == 60000);
    /* Unknown option at the NN_REQ level. */
    CHECK_ERR(nn_setsockopt(req, NN_REQ, 99, &v, sizeof v), ENOPROTOOPT);
    sz = sizeof v;
    CHECK_ERR(nn_getsockopt(req, NN_REQ, 99, &v, &sz), ENOPROTOOPT);

    /* REP (and raw REQ, which has no resend machinery) know no NN_REQ
       options. */
    v = 100;
    CHECK_ERR(nn_setsockopt(rep, NN_REQ, NN_REQ_RESEND_IVL, &v, sizeof v),
        ENOPROTOOPT);
    sz = sizeof v;
    CHECK_ERR(nn_getsockopt(rep, NN_REQ, NN_REQ_RESEND_IVL, &v, &sz),
        ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(rreq, NN_REQ, NN_REQ_RESEND_IVL, &v, sizeof v),
        ENOPROTOOPT);
    sz = sizeof v;
    CHECK_ERR(nn_getsockopt(rreq, NN_REQ, NN_REQ_RESEND_IVL, &v, &sz),
        ENOPROTOOPT);
    /* NN_REP as a level is not special either. */
    CHECK_ERR(nn_setsockopt(rep, NN_REP, NN_REQ_RESEND_IVL, &v, sizeof v),
        ENOPROTOOPT);

    /* NN_MAXTTL: default 8, range 1..255. */
    CHECK(test_getopt_int(req, NN_SOL_SOCKET, NN_MAXTTL) == 8);
    CHECK(test_getopt_int(rep, NN_SOL_SOCKET, NN_MAXTTL) == 8);
    v = 0;
    CHECK_ERR(nn_setsockopt(rep, NN_SOL_SOCKET, NN_MAXTTL, &v, sizeof v),
        EINVAL);
    v = -1;
    CHECK_ERR(nn_setsockopt(rep, NN_SOL_SOCKET, NN_MAXTTL, &v, sizeof v),
        EINVAL);
    v = 256;
    CHECK_ERR(nn_setsockopt(rep, NN_SOL_SOCKET, NN_MAXTTL, &v, sizeof v),
        EINVAL);
    v = 8;
    CHECK_ERR(nn_setsockopt(rep, NN_SOL_SOCKET, NN_MAXTTL, &v, 1), EINVAL);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_MAXTTL, 255);
    CHECK(test_getopt_int(rep, NN_SOL_SOCKET, NN_MAXTTL) == 255);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_MAXTTL, 1);
    CHECK(test_getopt_int(rep, NN_SOL_SOCKET, NN_MAXTTL) == 1);

    test_close(req);
    test_close(rep);
    test_close(rreq);
}

static void test_resend_timer(void)
{
    /* With a short resend interval, a REP that got the request but never
       answered receives the same request again. */
    enum { IVL = 100 };
    char buf[16];
    int req = test_socket(AF_SP, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, IVL);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(rep, "inproc://reqrep-resend");
    test_connect(req, "inproc://reqrep-resend");

    /* t0 before the send that starts the timer: the second copy comes no
       earlier than IVL after it (20 ms for timer rounding); the upper
       bound only catches a timer that never fires. */
    int64_t t0 = now_ms();
    test_send(req, "again");
    test_recv(rep, "again");
    test_recv(rep, "again");
    CHECK(now_ms() - t0 >= IVL - 20);
    CHECK_NO_HANG(t0, IVL);
    test_recv(rep, "again");
    /* Answering the (latest copy of the) request works. */
    test_send(rep, "answer");
    test_recv(req, "answer");
    CHECK_ERR(nn_recv(req, buf, sizeof buf, NN_DONTWAIT), EFSM);
    /* Once answered, nothing more is resent. Until its nn_recv took the
       reply the REQ resent every IVL, so on a slow machine more copies
       than the 3 received may be queued: at most 1 + (time waited) / IVL
       in all (+ 20 ms for timer rounding). After those, silence for 3
       intervals: a REQ that keeps resending exceeds the count or never
       falls silent. */
    int64_t waited = now_ms() - t0;
    int allowed = 1 + (int) ((waited + 20) / IVL), copies = 3;
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 3 * IVL);
    int rc;
    while ((rc = nn_recv(rep, buf, sizeof buf, 0)) >= 0) {
        CHECK(rc == 5 && memcmp(buf, "again", 5) == 0);
        copies++;
        if (copies > allowed) {
            fprintf(stderr, "%d copies of a request answered after %lld "
                "ms (at most %d with a %d ms interval)\n", copies,
                (long long) waited, allowed, IVL);
            exit(1);
        }
    }
    CHECK(nn_errno() == ETIMEDOUT);

    test_close(rep);

    /* The default interval is long: no resend within 300 ms. A raw REP is
       used because a cooked REP forgets its pending request as soon as it
       calls recv again (even one that times out). */
    unsigned char hdr[64];
    size_t hl;
    int rrep = test_socket(AF_SP_RAW, NN_REP);
    test_setopt_int(rrep, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
    test_bind(rrep, "inproc://reqrep-resend-raw");
    test_connect(req, "inproc://reqrep-resend-raw");
    sleep_ms(20);
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 60000);
    test_send(req, "once");
    CHECK(test_recv_hdr(rrep, buf, sizeof buf, hdr, sizeof hdr, &hl) == 4);
    CHECK(memcmp(buf, "once", 4) == 0);
    CHECK_ERR(nn_recv(rrep, buf, sizeof buf, 0), ETIMEDOUT);
    test_send_hdr(rrep, "done", 4, hdr, hl);
    test_recv(req, "done");
    test_close(req);
    test_close(rrep);
}

static void test_resend_peer_gone(void)
{
    /* The REP that got the request goes away without answering; the
       request is resent at once to the other REP (the resend interval is
       the 60 s default, so this is not the timer). */
    char buf[32];
    int len;
    int req = test_socket(AF_SP, NN_REQ);
    int reps[2];
    reps[0] = test_socket(AF_SP, NN_REP);
    reps[1] = test_socket(AF_SP, NN_REP);
    test_bind(reps[0], "inproc://reqrep-gone-a");
    test_bind(reps[1], "inproc://reqrep-gone-b");
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(reps[0], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(reps[1], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(req, "inproc://reqrep-gone-a");
    test_connect(req, "inproc://reqrep-gone-b");

    test_send(req, "orphan");
    int who = test_recv_any(reps, 2, buf, sizeof buf, &len, TEST_MUST_MS);
    CHECK(who >= 0);
    CHECK(strcmp(buf, "orphan") == 0);
    int other = 1 - who;
    /* At once, not by the 60 s timer: the hang bound (3 s) tells. */
    int64_t t0 = now_ms();
    test_close(reps[who]);
    test_recv(reps[other], "orphan");
    CHECK_NO_HANG(t0, 0);
    test_send(reps[other], "adopted");
    test_recv(req, "adopted");
    test_close(reps[other]);

    /* Same when the request is still waiting for a peer: it is sent as soon
       as one appears. */
    test_send(req, "waiting");
    CHECK_ERR(nn_recv(req, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(rep, "inproc://reqrep-gone-a");
    test_recv(rep, "waiting");
    test_send(rep, "found");
    test_recv(req, "found");
    test_close(rep);
    test_close(req);
}

static void test_raw(void)
{
    /* Raw REP: the SP header is the backtrace. Over one hop it is 8 bytes:
       a 4-byte pipe id (top bit clear) then the 4-byte request id (top bit
       set). Replying with the same header routes the reply back. */
    char body[64];
    unsigned char hdr1[64], hdr2[64], hdr[64];
    size_t hl1, hl2, hl;
    int rc;
    int req1 = test_socket(AF_SP, NN_REQ);
    int req2 = test_socket(AF_SP, NN_REQ);
    int rrep = test_socket(AF_SP_RAW, NN_REP);
    CHECK(test_getopt_int(rrep, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    CHECK(test_getopt_int(rrep, NN_SOL_SOCKET, NN_PROTOCOL) == NN_REP);
    test_setopt_int(req1, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(req2, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rrep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(rrep, "inproc://reqrep-raw");
    test_connect(req1, "inproc://reqrep-raw");
    test_connect(req2, "inproc://reqrep-raw");

    /* A raw REP may send at any time without EFSM; with no header the
       message cannot be routed and is silently dropped. */
    CHECK(nn_send(rrep, "nohdr", 5, 0) == 5);

    test_send(req1, "one");
    rc = test_recv_hdr(rrep, body, sizeof body, hdr1, sizeof hdr1, &hl1);
    CHECK(rc == 3 && memcmp(body, "one", 3) == 0);
    CHECK(hl1 == 8);
    CHECK((test_getl(hdr1) & 0x80000000u) == 0);
    CHECK((test_getl(hdr1 + 4) & 0x80000000u) != 0);

    test_send(req2, "two");
    rc = test_recv_hdr(rrep, body, sizeof body, hdr2, sizeof hdr2, &hl2);
    CHECK(rc == 3 && memcmp(body, "two", 3) == 0);
    CHECK(hl2 == 8);
    CHECK((test_getl(hdr2) & 0x80000000u) == 0);
    CHECK((test_getl(hdr2 + 4) & 0x80000000u) != 0);
    /* Different pipes, different ids. */
    CHECK(test_getl(hdr1) != test_getl(hdr2));

    /* The next request on the same REQ: same pipe id, request id + 1
       (still with the top bit set). */
    test_send(req1, "one-b");
    rc = test_recv_hdr(rrep, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 5 && memcmp(body, "one-b", 5) == 0);
    CHECK(hl == 8);
    CHECK(test_getl(hdr) == test_getl(hdr1));
    CHECK(test_getl(hdr + 4) == ((test_getl(hdr1 + 4) + 1) | 0x80000000u));

    /* Replies in reverse order, each reaches its own REQ. */
    test_send_hdr(rrep, "for-two", 7, hdr2, hl2);
    test_recv(req2, "for-two");
    /* The reply carrying request 1's old id is stale for req1 (it has since
       sent "one-b") and is dropped; the one with the new id arrives. */
    test_send_hdr(rrep, "stale", 5, hdr1, hl1);
    test_send_hdr(rrep, "for-one", 7, hdr, hl);
    test_recv(req1, "for-one");

    /* An unknown pipe id: silently dropped, send still succeeds. */
    test_send(req1, "three");
    rc = test_recv_hdr(rrep, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 5 && hl == 8);
    unsigned char bad[8];
    memcpy(bad, hdr, 8);
    test_putl(bad, test_getl(hdr) ^ 0x5a5a5a5u);
    test_send_hdr(rrep, "lost", 4, bad, 8);
    test_setopt_int(req1, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(req1, body, sizeof body, 0), ETIMEDOUT);
    test_send_hdr(rrep, "found", 5, hdr, hl);
    test_recv(req1, "found");

    test_close(req1);
    test_close(req2);
    test_close(rrep);
}

static void test_raw_req(void)
{
    /* Raw REQ with a cooked REP: the raw side supplies the request id
       itself (in front of the body, or as the SP header), may have several
       requests outstanding, and gets each reply with a 4-byte header
       holding the request id. */
    char body[64];
    unsigned char hdr[64];
    size_t hl;
    int rc;
    int rreq = test_socket(AF_SP_RAW, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(rreq, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(rep, "inproc://reqrep-rawreq");
    test_connect(rreq, "inproc://reqrep-rawreq");

    /* A raw REQ may receive without having sent (no EFSM). */
    CHECK_ERR(nn_recv(rreq, body, sizeof body, NN_DONTWAIT), EAGAIN);

    /* Header in the body. */
    CHECK(nn_send(rreq, "\x80\x00\x00\x07" "q7", 6, 0) == 6);
    /* Header in SP_HDR. */
    test_send_hdr(rreq, "q9", 2, "\x80\x00\x00\x09", 4);

    /* The cooked REP sees only the body. */
    test_recv(rep, "q7");
    test_send(rep, "r7");
    test_recv(rep, "q9");
    test_send(rep, "r9");

    rc = test_recv_hdr(rreq, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 2 && memcmp(body, "r7", 2) == 0);
    CHECK(hl == 4 && memcmp(hdr, "\x80\x00\x00\x07", 4) == 0);
    rc = test_recv_hdr(rreq, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 2 && memcmp(body, "r9", 2) == 0);
    CHECK(hl == 4 && memcmp(hdr, "\x80\x00\x00\x09", 4) == 0);

    /* Plain nn_recv on a raw REQ gives the body only. */
    test_send_hdr(rreq, "q10", 3, "\x80\x00\x00\x0a", 4);
    test_recv(rep, "q10");
    test_send(rep, "r10");
    test_recv(rreq, "r10");

    /* Cooked sockets report an empty SP header. */
    test_send_hdr(rreq, "q11", 3, "\x80\x00\x00\x0b", 4);
    rc = test_recv_hdr(rep, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 3 && memcmp(body, "q11", 3) == 0);
    CHECK(hl == 0);
    test_send(rep, "r11");
    test_recv(rreq, "r11");

    /* A request without a valid request id (top bit clear) is dropped by
       the REP. */
    CHECK(nn_send(rreq, "\x00\x00\x00\x05" "bad", 7, 0) == 7);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(rep, body, sizeof body, 0), ETIMEDOUT);

    test_close(rreq);
    test_close(rep);

    /* Raw REQ talking to raw REP: both headers visible. */
    rreq = test_socket(AF_SP_RAW, NN_REQ);
    int rrep = test_socket(AF_SP_RAW, NN_REP);
    test_setopt_int(rreq, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(rrep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(rrep, "inproc://reqrep-rawraw");
    test_connect(rreq, "inproc://reqrep-rawraw");
    test_send_hdr(rreq, "x", 1, "\x81\x02\x03\x04", 4);
    rc = test_recv_hdr(rrep, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 1 && body[0] == 'x');
    CHECK(hl == 8);
    CHECK(memcmp(hdr + 4, "\x81\x02\x03\x04", 4) == 0);
    test_send_hdr(rrep, "y", 1, hdr, hl);
    rc = test_recv_hdr(rreq, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 1 && body[0] == 'y');
    CHECK(hl == 4 && memcmp(hdr, "\x81\x02\x03\x04", 4) == 0);
    test_close(rreq);
    test_close(rrep);
}

/* ---- REQ -> device (raw REP | raw REQ) -> REP ---------------------------- */

static int dev_front, dev_back;
static int dev_rc, dev_err;

static void *device_thread(void *arg)
{
    (void) arg;
    dev_rc = nn_device(dev_front, dev_back);
    dev_err = nn_errno();
    return NULL;
}

static void test_device_chain(void)
{
    test_thread t;
    char body[64];
    unsigned char hdr[64];
    size_t hl;
    int rc;
    dev_front = test_socket(AF_SP_RAW, NN_REP);
    dev_back = test_socket(AF_SP_RAW, NN_REQ);
    test_bind(dev_front, "inproc://reqrep-dev-front");
    test_bind(dev_back, "inproc://reqrep-dev-back");
    CHECK(test_getopt_int(dev_front, NN_SOL_SOCKET, NN_MAXTTL) == 8);
    CHECK(test_getopt_int(dev_back, NN_SOL_SOCKET, NN_MAXTTL) == 8);
    test_thread_start(&t, device_thread, NULL);

    /* Messages cross the device's thread. */
    int req = test_socket(AF_SP, NN_REQ);
    int rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(req, "inproc://reqrep-dev-front");
    test_connect(rep, "inproc://reqrep-dev-back");
    for (int i = 0; i < 5; i++)
        roundtrip(req, rep, "via-device", "back-via-device");
    /* The new-request-cancels-old rule holds across the device. */
    test_send(req, "d1");
    test_recv(rep, "d1");
    test_send(req, "d2");
    test_send(rep, "r1");
    test_recv(rep, "d2");
    test_send(rep, "r2");
    test_recv(req, "r2");
    test_close(rep);

    /* A raw REP behind the device sees the two-hop backtrace: device's pipe
       id, then the original request id. */
    int rrep = test_socket(AF_SP_RAW, NN_REP);
    test_setopt_int(rrep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(rrep, "inproc://reqrep-dev-back");
    test_send(req, "hops");
    rc = test_recv_hdr(rrep, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 4 && memcmp(body, "hops", 4) == 0);
    CHECK(hl == 12);
    CHECK((test_getl(hdr) & 0x80000000u) == 0);
    CHECK((test_getl(hdr + 4) & 0x80000000u) == 0);
    CHECK((test_getl(hdr + 8) & 0x80000000u) != 0);
    test_send_hdr(rrep, "hops-back", 9, hdr, hl);
    test_recv(req, "hops-back");
    test_close(rrep);
    test_close(req);

    /* nn_term stops the device: it returns -1 with EBADF. This must be the
       last thing the test does. */
    nn_term();
    test_thread_join(&t);
    CHECK(dev_rc == -1);
    CHECK(dev_err == EBADF);
}

int main(void)
{
    alarm(20);
    test_basic();
    test_efsm();
    test_cancel();
    test_rep_abandon();
    test_load_balance();
    test_priority();
    test_options();
    test_resend_timer();
    test_resend_peer_gone();
    test_raw();
    test_raw_req();
    test_device_chain();
    return 0;
}
