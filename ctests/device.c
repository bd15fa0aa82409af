/* nn_device as upstream nanomsg 1.1.5 behaves: argument checking (EBADF
   for bad sockets, EINVAL for cooked sockets and for sockets of different
   protocol families), a raw PAIR <-> raw PAIR device forwarding both ways,
   a raw REP <-> raw REQ device carrying requests and routing replies back
   (in either argument order), loopback devices nn_device(s, -1) and
   nn_device(-1, s) on a raw BUS socket (messages go to every other bus
   member but not back to the sender), and nn_term stopping every device
   with -1 / EBADF. nn_term is final for the process, so it is the last
   step. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>

static void test_errors(void)
{
    int rp1 = test_socket(AF_SP_RAW, NN_PAIR);
    int rp2 = test_socket(AF_SP_RAW, NN_PAIR);
    int cp = test_socket(AF_SP, NN_PAIR);
    int rreq = test_socket(AF_SP_RAW, NN_REQ);
    int rrep = test_socket(AF_SP_RAW, NN_REP);
    int creq = test_socket(AF_SP, NN_REQ);
    int crep = test_socket(AF_SP, NN_REP);
    int rsv = test_socket(AF_SP_RAW, NN_SURVEYOR);
    int rbus = test_socket(AF_SP_RAW, NN_BUS);
    int cbus = test_socket(AF_SP, NN_BUS);
    int closed = test_socket(AF_SP_RAW, NN_PAIR);
    test_close(closed);

    /* Bad sockets: EBADF, checked before anything else. */
    CHECK_ERR(nn_device(-1, -1), EBADF);
    CHECK_ERR(nn_device(12345, 12345), EBADF);
    CHECK_ERR(nn_device(12345, rp1), EBADF);
    CHECK_ERR(nn_device(rp1, 12345), EBADF);
    CHECK_ERR(nn_device(12345, -1), EBADF);
    CHECK_ERR(nn_device(-1, 12345), EBADF);
    CHECK_ERR(nn_device(closed, rp1), EBADF);
    CHECK_ERR(nn_device(rp1, closed), EBADF);
    CHECK_ERR(nn_device(closed, -1), EBADF);
    CHECK_ERR(nn_device(12345, cp), EBADF);

    /* Not raw: EINVAL. */
    CHECK_ERR(nn_device(cp, rp1), EINVAL);
    CHECK_ERR(nn_device(rp1, cp), EINVAL);
    CHECK_ERR(nn_device(creq, crep), EINVAL);
    CHECK_ERR(nn_device(crep, rreq), EINVAL);
    CHECK_ERR(nn_device(rrep, creq), EINVAL);
    CHECK_ERR(nn_device(cp, -1), EINVAL);
    CHECK_ERR(nn_device(-1, cp), EINVAL);
    CHECK_ERR(nn_device(cbus, -1), EINVAL);

    /* Different protocols: EINVAL. */
    CHECK_ERR(nn_device(rp1, rreq), EINVAL);
    CHECK_ERR(nn_device(rreq, rp1), EINVAL);
    CHECK_ERR(nn_device(rp1, rrep), EINVAL);
    CHECK_ERR(nn_device(rrep, rsv), EINVAL);
    CHECK_ERR(nn_device(rbus, rp2), EINVAL);

    /* All the sockets are still fine afterwards. */
    CHECK(test_getopt_int(rp1, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    test_close(rp1);
    test_close(rp2);
    test_close(cp);
    test_close(rreq);
    test_close(rrep);
    test_close(creq);
    test_close(crep);
    test_close(rsv);
    test_close(rbus);
    test_close(cbus);
}

/* ---- devices running in threads ---------------------------------------- */

struct dev {
    int s1, s2;
    int rc, err;
    test_thread t;
};

static void *dev_main(void *arg)
{
    struct dev *d = arg;
    d->rc = nn_device(d->s1, d->s2);
    d->err = nn_errno();
    return NULL;
}

static void dev_start(struct dev *d, int s1, int s2)
{
    d->s1 = s1;
    d->s2 = s2;
    d->rc = 12345;
    test_thread_start(&d->t, dev_main, d);
}

static struct dev pair_dev, rr_dev, rr_dev_rev, bus_dev, bus_dev_rev;

static void test_pair_device(void)
{
    char buf[32];
    int da = test_socket(AF_SP_RAW, NN_PAIR);
    int db = test_socket(AF_SP_RAW, NN_PAIR);
    test_bind(da, "inproc://device-pair-a");
    test_bind(db, "inproc://device-pair-b");
    dev_start(&pair_dev, da, db);

    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(a, "inproc://device-pair-a");
    test_connect(b, "inproc://device-pair-b");

    test_send(a, "ABC");
    test_recv(b, "ABC");
    test_send(b, "DEF");
    test_recv(a, "DEF");
    /* Order is kept, both directions at once. */
    for (int i = 0; i < 20; i++) {
        char m[16];
        snprintf(m, sizeof m, "a%d", i);
        test_send(a, m);
        snprintf(m, sizeof m, "b%d", i);
        test_send(b, m);
    }
    for (int i = 0; i < 20; i++) {
        char m[16];
        snprintf(m, sizeof m, "b%d", i);
        test_recv(a, m);
        snprintf(m, sizeof m, "a%d", i);
        test_recv(b, m);
    }
    /* Empty and large messages. */
    CHECK(nn_send(a, "", 0, 0) == 0);
    CHECK(nn_recv(b, buf, sizeof buf, 0) == 0);
    {
        enum { BIG = 100000 };
        char *big = malloc(BIG);
        void *got = NULL;
        CHECK(big != NULL);
        for (int i = 0; i < BIG; i++)
            big[i] = (char) (i * 7);
        CHECK(nn_send(b, big, BIG, 0) == BIG);
        CHECK(nn_recv(a, &got, NN_MSG, 0) == BIG);
        CHECK(memcmp(got, big, BIG) == 0);
        CHECK(nn_freemsg(got) == 0);
        free(big);
    }
    /* Nothing extra. */
    test_setopt_int(a, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    test_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    CHECK_ERR(nn_recv(a, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(b, buf, sizeof buf, 0), ETIMEDOUT);
    test_close(a);
    test_close(b);
}

/* Two REQs in front of the device, two REPs behind it: every REQ gets the
   reply to its own request. */
static void check_reqrep_through(const char *front, const char *back)
{
    char buf[64];
    int len;
    int req[2], rep[2];
    int served[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        req[i] = test_socket(AF_SP, NN_REQ);
        rep[i] = test_socket(AF_SP, NN_REP);
        test_setopt_int(req[i], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        test_connect(req[i], front);
        test_connect(rep[i], back);
    }
    for (int round = 0; round < 4; round++) {
        test_send(req[0], "from-0");
        test_send(req[1], "from-1");
        for (int k = 0; k < 2; k++) {
            int who = test_recv_any(rep, 2, buf, sizeof buf, &len,
                TEST_MUST_MS);
            CHECK(who >= 0);
            CHECK(len == 6 && memcmp(buf, "from-", 5) == 0);
            served[who]++;
            char r[16];
            snprintf(r, sizeof r, "to-%c", buf[5]);
            test_send(rep[who], r);
        }
        test_recv(req[0], "to-0");
        test_recv(req[1], "to-1");
    }
    /* The device's raw REQ spreads the requests over both REPs. */
    CHECK(served[0] > 0 && served[1] > 0);
    CHECK(served[0] + served[1] == 8);
    for (int i = 0; i < 2; i++) {
        test_close(req[i]);
        test_close(rep[i]);
    }
}

static void test_reqrep_device(void)
{
    int f = test_socket(AF_SP_RAW, NN_REP);
    int b = test_socket(AF_SP_RAW, NN_REQ);
    test_bind(f, "inproc://device-rr-front");
    test_bind(b, "inproc://device-rr-back");
    dev_start(&rr_dev, f, b);
    check_reqrep_through("inproc://device-rr-front", "inproc://device-rr-back");

    /* The argument order does not matter. */
    f = test_socket(AF_SP_RAW, NN_REP);
    b = test_socket(AF_SP_RAW, NN_REQ);
    test_bind(f, "inproc://device-rr2-front");
    test_bind(b, "inproc://device-rr2-back");
    dev_start(&rr_dev_rev, b, f);
    check_reqrep_through("inproc://device-rr2-front",
        "inproc://device-rr2-back");
}

static void check_bus(const char *addr)
{
    enum { N = 3 };
    char buf[32];
    int e[N];
    for (int i = 0; i < N; i++) {
        e[i] = test_socket(AF_SP, NN_BUS);
        test_setopt_int(e[i], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        test_connect(e[i], addr);
    }
    /* BUS drops messages to pipes that do not exist yet. */
    sleep_ms(100);
    for (int from = 0; from < N; from++) {
        char m[16];
        snprintf(m, sizeof m, "bus-%d", from);
        test_send(e[from], m);
        for (int i = 0; i < N; i++)
            if (i != from)
                test_recv(e[i], m);
        /* Not back to the sender. */
        test_setopt_int(e[from], NN_SOL_SOCKET, NN_RCVTIMEO, 100);
        CHECK_ERR(nn_recv(e[from], buf, sizeof buf, 0), ETIMEDOUT);
        test_setopt_int(e[from], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    }
    for (int i = 0; i < N; i++)
        test_close(e[i]);
}

static void test_loopback(void)
{
    int s = test_socket(AF_SP_RAW, NN_BUS);
    test_bind(s, "inproc://device-bus");
    dev_start(&bus_dev, s, -1);
    check_bus("inproc://device-bus");

    s = test_socket(AF_SP_RAW, NN_BUS);
    test_bind(s, "inproc://device-bus2");
    dev_start(&bus_dev_rev, -1, s);
    check_bus("inproc://device-bus2");
}

int main(void)
{
    alarm(20);
    test_errors();
    test_pair_device();
    test_reqrep_device();
    test_loopback();

    /* All devices are still running... */
    CHECK(pair_dev.rc == 12345);
    CHECK(rr_dev.rc == 12345);
    CHECK(rr_dev_rev.rc == 12345);
    CHECK(bus_dev.rc == 12345);
    CHECK(bus_dev_rev.rc == 12345);
    /* ... until nn_term, which makes each return -1 with EBADF. */
    int64_t t0 = now_ms();
    nn_term();
    struct dev *all[5] = { &pair_dev, &rr_dev, &rr_dev_rev, &bus_dev,
        &bus_dev_rev };
    for (int i = 0; i < 5; i++) {
        test_thread_join(&all[i]->t);
        CHECK(all[i]->rc == -1);
        CHECK(all[i]->err == EBADF);
    }
    CHECK_NO_HANG(t0, 0);
    /* nn_device itself now fails with EBADF too: the sockets are gone. */
    CHECK_ERR(nn_device(pair_dev.s1, pair_dev.s2), EBADF);
    return 0;
}
