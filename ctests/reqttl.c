/* NN_MAXTTL with REQ/REP through devices (raw REP | raw REQ). Upstream
   1.1.5 checks the TTL where a request is received by a REP-side socket
   (cooked or raw REP): the request carries a backtrace of one 4-byte entry
   per hop (the pipe ids added by each device's raw REP, then the request
   id), and it is silently dropped when the backtrace has more entries than
   the receiving socket's NN_MAXTTL. So across one device the final REP sees
   2 entries (dropped with MAXTTL 1, passes with 2), while the device's own
   raw REP sees only 1 and never drops it; NN_MAXTTL on the raw REQ side
   plays no part. With the default of 8, 7 devices pass and 8 do not.
   Ends with nn_term, which stops the devices. */
#include "testutil.h"
#include <nanomsg/reqrep.h>

#define MAXDEV 24
static int dev_rep[MAXDEV], dev_req[MAXDEV];
static int dev_rc[MAXDEV], dev_err[MAXDEV];
static test_thread dev_thread[MAXDEV];
static int ndev;

static void *device_main(void *arg)
{
    long i = (long) arg;
    dev_rc[i] = nn_device(dev_rep[i], dev_req[i]);
    dev_err[i] = nn_errno();
    return NULL;
}

/* A chain of len devices named "inproc://reqttl-<id>-in<j>" (front, raw
   REP) and "...-out<j>" (back, raw REQ); device j's raw REP connects to
   device j-1's back. Returns the index of the first device. */
static int chain(const char *id, int len)
{
    char addr[64];
    int first = ndev;
    for (int j = 0; j < len; j++) {
        long i = ndev++;
        CHECK(i < MAXDEV);
        dev_rep[i] = test_socket(AF_SP_RAW, NN_REP);
        dev_req[i] = test_socket(AF_SP_RAW, NN_REQ);
        snprintf(addr, sizeof addr, "inproc://reqttl-%s-in%d", id, j);
        test_bind(dev_rep[i], addr);
        snprintf(addr, sizeof addr, "inproc://reqttl-%s-out%d", id, j);
        test_bind(dev_req[i], addr);
        if (j > 0) {
            snprintf(addr, sizeof addr, "inproc://reqttl-%s-out%d", id, j - 1);
            test_connect(dev_rep[i], addr);
        }
        test_thread_start(&dev_thread[i], device_main, (void *) i);
    }
    return first;
}

static void ends(const char *id, int len, int *req, int *rep)
{
    char addr[64];
    *req = test_socket(AF_SP, NN_REQ);
    *rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(*req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(*rep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    snprintf(addr, sizeof addr, "inproc://reqttl-%s-in0", id);
    test_connect(*req, addr);
    snprintf(addr, sizeof addr, "inproc://reqttl-%s-out%d", id, len - 1);
    test_connect(*rep, addr);
}

static void set_ttl(int s, int ttl)
{
    test_setopt_int(s, NN_SOL_SOCKET, NN_MAXTTL, ttl);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_MAXTTL) == ttl);
}

static void pass(int req, int rep, const char *msg)
{
    test_send(req, msg);
    test_recv(rep, msg);
    test_send(rep, "reply");
    test_recv(req, "reply");
}

/* The request never reaches the REP (dropped by dropper: rep itself or a
   device's raw REP in front of feeder), and so REQ gets no reply. */
static void dropped(int req, int rep, int dropper, int feeder,
    const char *msg)
{
    char buf[32];
    struct test_drop_snap sn = test_drop_snap(dropper, feeder);
    test_send(req, msg);
    test_proven_dropped(sn, dropper, feeder, dropper == rep);
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(req, buf, sizeof buf, 0), ETIMEDOUT);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
}

int main(void)
{
    int req, rep, f;
    char buf[32];
    alarm(20);

    /* Direct (no device): the REP sees one entry, MAXTTL 1 is enough. */
    req = test_socket(AF_SP, NN_REQ);
    rep = test_socket(AF_SP, NN_REP);
    test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(rep, "inproc://reqttl-direct");
    test_connect(req, "inproc://reqttl-direct");
    set_ttl(rep, 1);
    set_ttl(req, 1);
    pass(req, rep, "direct");
    test_close(req);
    test_close(rep);

    /* One device. */
    f = chain("one", 1);
    ends("one", 1, &req, &rep);
    CHECK(test_getopt_int(rep, NN_SOL_SOCKET, NN_MAXTTL) == 8);
    pass(req, rep, "default");
    /* MAXTTL 1 on the device sockets does not stop a one-device request:
       the device's raw REP sees a single entry. */
    set_ttl(dev_rep[f], 1);
    set_ttl(dev_req[f], 1);
    pass(req, rep, "dev-ttl-1");
    /* ... but on the final REP it does (2 entries > 1). */
    set_ttl(rep, 1);
    dropped(req, rep, rep, dev_req[f], "DROPTHIS");
    /* Gone for good, not just delayed (it left the queue). */
    set_ttl(rep, 8);
    CHECK_ERR(nn_recv(rep, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    set_ttl(rep, 2);
    pass(req, rep, "DONTDROP");
    /* MAXTTL on the REQ end does not matter. */
    set_ttl(req, 1);
    pass(req, rep, "req-ttl-1");
    set_ttl(req, 8);
    /* Several drops in a row, then traffic flows again. */
    set_ttl(rep, 1);
    dropped(req, rep, rep, dev_req[f], "drop-a");
    dropped(req, rep, rep, dev_req[f], "drop-b");
    set_ttl(rep, 8);
    pass(req, rep, "flows");
    test_close(req);
    test_close(rep);

    /* A raw REP end behaves the same. */
    {
        unsigned char hdr[64];
        size_t hl;
        int rrep = test_socket(AF_SP_RAW, NN_REP);
        req = test_socket(AF_SP, NN_REQ);
        test_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        test_setopt_int(rrep, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        f = chain("raw", 1);
        test_connect(req, "inproc://reqttl-raw-in0");
        test_connect(rrep, "inproc://reqttl-raw-out0");
        set_ttl(rrep, 1);
        struct test_drop_snap sn = test_drop_snap(rrep, dev_req[f]);
        test_send(req, "raw-drop");
        test_proven_dropped(sn, rrep, dev_req[f], 1);
        set_ttl(rrep, 2);
        test_send(req, "raw-pass");
        CHECK(test_recv_hdr(rrep, buf, sizeof buf, hdr, sizeof hdr, &hl) == 8);
        CHECK(memcmp(buf, "raw-pass", 8) == 0);
        CHECK(hl == 12);
        test_send_hdr(rrep, "raw-reply", 9, hdr, hl);
        test_recv(req, "raw-reply");
        test_close(req);
        test_close(rrep);
    }

    /* Two devices: the second device's raw REP sees 2 entries, the final
       REP 3. */
    f = chain("two", 2);
    ends("two", 2, &req, &rep);
    pass(req, rep, "two-default");
    set_ttl(dev_rep[f + 1], 1);
    dropped(req, rep, dev_rep[f + 1], dev_req[f], "two-dev1-ttl1");
    set_ttl(dev_rep[f + 1], 2);
    pass(req, rep, "two-dev1-ttl2");
    /* The first device's sockets and the back sockets do not matter. */
    set_ttl(dev_rep[f], 1);
    set_ttl(dev_req[f], 1);
    set_ttl(dev_req[f + 1], 1);
    pass(req, rep, "two-others-ttl1");
    set_ttl(rep, 2);
    dropped(req, rep, rep, dev_req[f + 1], "two-rep-ttl2");
    set_ttl(rep, 3);
    pass(req, rep, "two-rep-ttl3");
    test_close(req);
    test_close(rep);

    /* Default MAXTTL 8: seven devices (8 entries) pass, eight do not. */
    chain("seven", 7);
    ends("seven", 7, &req, &rep);
    pass(req, rep, "seven");
    test_close(req);
    test_close(rep);
    f = chain("eight", 8);
    ends("eight", 8, &req, &rep);
    dropped(req, rep, rep, dev_req[f + 7], "eight");
    set_ttl(rep, 9);
    pass(req, rep, "eight-ttl9");
    test_close(req);
    test_close(rep);

    /* nn_term stops all the devices; last step. */
    nn_term();
    for (int i = 0; i < ndev; i++) {
        test_thread_join(&dev_thread[i]);
        CHECK(dev_rc[i] == -1);
        CHECK(dev_err[i] == EBADF);
    }
    return 0;
}
