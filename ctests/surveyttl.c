/* NN_MAXTTL with SURVEYOR/RESPONDENT through devices (raw RESPONDENT |
   raw SURVEYOR). As with REQ/REP (see reqttl.c), upstream 1.1.5 checks the
   TTL where a survey is received by a respondent-side socket (cooked or raw
   RESPONDENT): the survey carries a backtrace of one 4-byte entry per hop
   (the pipe ids added by each device's raw RESPONDENT, then the survey id)
   and is silently dropped when that has more entries than the receiving
   socket's NN_MAXTTL. Across one device the final RESPONDENT sees 2 entries
   (dropped with MAXTTL 1, passes with 2); the device's own raw RESPONDENT
   sees 1 and never drops; NN_MAXTTL on the surveyor side plays no part.
   With the default of 8, 7 devices pass and 8 do not. Ends with nn_term,
   which stops the devices. */
#include "testutil.h"
#include <nanomsg/survey.h>

#define MAXDEV 24
#define DEADLINE 100
static int dev_resp[MAXDEV], dev_surv[MAXDEV];
static int dev_rc[MAXDEV], dev_err[MAXDEV];
static test_thread dev_thread[MAXDEV];
static int ndev;

static void *device_main(void *arg)
{
    long i = (long) arg;
    dev_rc[i] = nn_device(dev_resp[i], dev_surv[i]);
    dev_err[i] = nn_errno();
    return NULL;
}

/* A chain of len devices named "inproc://survttl-<id>-in<j>" (front, raw
   RESPONDENT) and "...-out<j>" (back, raw SURVEYOR); device j's raw
   RESPONDENT connects to device j-1's back. Returns the index of the first
   device. */
static int chain(const char *id, int len)
{
    char addr[64];
    int first = ndev;
    for (int j = 0; j < len; j++) {
        long i = ndev++;
        CHECK(i < MAXDEV);
        dev_resp[i] = test_socket(AF_SP_RAW, NN_RESPONDENT);
        dev_surv[i] = test_socket(AF_SP_RAW, NN_SURVEYOR);
        snprintf(addr, sizeof addr, "inproc://survttl-%s-in%d", id, j);
        test_bind(dev_resp[i], addr);
        snprintf(addr, sizeof addr, "inproc://survttl-%s-out%d", id, j);
        test_bind(dev_surv[i], addr);
        if (j > 0) {
            snprintf(addr, sizeof addr, "inproc://survttl-%s-out%d", id,
                j - 1);
            test_connect(dev_resp[i], addr);
        }
        test_thread_start(&dev_thread[i], device_main, (void *) i);
    }
    return first;
}

static void ends(const char *id, int len, int *sv, int *rs)
{
    char addr[64];
    *sv = test_socket(AF_SP, NN_SURVEYOR);
    *rs = test_socket(AF_SP, NN_RESPONDENT);
    test_setopt_int(*rs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    snprintf(addr, sizeof addr, "inproc://survttl-%s-in0", id);
    test_connect(*sv, addr);
    snprintf(addr, sizeof addr, "inproc://survttl-%s-out%d", id, len - 1);
    test_connect(*rs, addr);
    /* The survey is broadcast only to pipes that exist when it is sent. */
    sleep_ms(50);
}

static void set_ttl(int s, int ttl)
{
    test_setopt_int(s, NN_SOL_SOCKET, NN_MAXTTL, ttl);
    CHECK(test_getopt_int(s, NN_SOL_SOCKET, NN_MAXTTL) == ttl);
}

/* The surveyor's deadline. The answer has to cross every device twice
   before it; when a stall of the machine makes it later than that, the
   survey ends first, as it should: pass() checks that the deadline really
   had passed and tries again with it 3 times longer. */
static int dl = DEADLINE;

/* The survey reaches the respondent and the answer comes back. */
static void pass(int sv, int rs, const char *msg)
{
    char buf[32];
    for (int tries = 0;; tries++) {
        CHECK(tries < 4);
        test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
        int64_t t0 = now_ms();
        test_send(sv, msg);
        test_recv(rs, msg);
        test_send(rs, "answer");
        int rc = nn_recv(sv, buf, sizeof buf, 0);
        if (rc < 0 && nn_errno() == ETIMEDOUT) {
            CHECK(now_ms() - t0 >= dl);
            fprintf(stderr, "%s: slow machine, the %d ms deadline ended the "
                "survey before its answer; trying again\n", msg, dl);
            dl *= 3;
            continue;
        }
        CHECK(rc == 6 && memcmp(buf, "answer", 6) == 0);
        CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
        return;
    }
}

/* The survey never reaches the respondent: dropped by dropper (rs itself
   or a device's raw RESPONDENT in front of feeder), nothing to answer, the
   surveyor's deadline passes empty. */
static void dropped(int sv, int rs, int dropper, int feeder, const char *msg)
{
    char buf[32];
    struct test_drop_snap sn = test_drop_snap(dropper, feeder);
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
    test_send(sv, msg);
    test_proven_dropped(sn, dropper, feeder, dropper == rs);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    CHECK_ERR(nn_recv(rs, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
}

int main(void)
{
    int sv, rs, f;
    char buf[32];
    alarm(40);

    /* Direct (no device): the respondent sees one entry, MAXTTL 1 is
       enough. */
    sv = test_socket(AF_SP, NN_SURVEYOR);
    rs = test_socket(AF_SP, NN_RESPONDENT);
    test_setopt_int(rs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(rs, "inproc://survttl-direct");
    test_connect(sv, "inproc://survttl-direct");
    sleep_ms(50);
    set_ttl(rs, 1);
    set_ttl(sv, 1);
    pass(sv, rs, "direct");
    test_close(sv);
    test_close(rs);

    /* One device. */
    f = chain("one", 1);
    ends("one", 1, &sv, &rs);
    CHECK(test_getopt_int(rs, NN_SOL_SOCKET, NN_MAXTTL) == 8);
    pass(sv, rs, "default");
    /* MAXTTL 1 on the device sockets does not stop a one-device survey:
       the device's raw RESPONDENT sees a single entry. */
    set_ttl(dev_resp[f], 1);
    set_ttl(dev_surv[f], 1);
    pass(sv, rs, "dev-ttl-1");
    /* ... but on the final RESPONDENT it does (2 entries > 1). */
    set_ttl(rs, 1);
    dropped(sv, rs, rs, dev_surv[f], "DROPTHIS");
    /* Gone for good, not just delayed (it left the queue). */
    set_ttl(rs, 8);
    CHECK_ERR(nn_recv(rs, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    set_ttl(rs, 2);
    pass(sv, rs, "DONTDROP");
    /* MAXTTL on the surveyor end does not matter. */
    set_ttl(sv, 1);
    pass(sv, rs, "sv-ttl-1");
    set_ttl(sv, 8);
    test_close(sv);
    test_close(rs);

    /* A raw RESPONDENT end behaves the same; behind one device its header
       is 12 bytes: its own pipe id, the device's pipe id, the survey id. */
    {
        unsigned char hdr[64];
        size_t hl;
        int rrs = test_socket(AF_SP_RAW, NN_RESPONDENT);
        f = chain("raw", 1);
        sv = test_socket(AF_SP, NN_SURVEYOR);
        /* The test never waits for this deadline: only the answer has to
           come before it. */
        test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, TEST_MUST_MS);
        test_setopt_int(rrs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        test_connect(sv, "inproc://survttl-raw-in0");
        test_connect(rrs, "inproc://survttl-raw-out0");
        sleep_ms(50);
        set_ttl(rrs, 1);
        struct test_drop_snap sn = test_drop_snap(rrs, dev_surv[f]);
        test_send(sv, "raw-drop");
        test_proven_dropped(sn, rrs, dev_surv[f], 1);
        set_ttl(rrs, 2);
        test_send(sv, "raw-pass");
        CHECK(test_recv_hdr(rrs, buf, sizeof buf, hdr, sizeof hdr, &hl) == 8);
        CHECK(memcmp(buf, "raw-pass", 8) == 0);
        CHECK(hl == 12);
        CHECK((test_getl(hdr) & 0x80000000u) == 0);
        CHECK((test_getl(hdr + 4) & 0x80000000u) == 0);
        CHECK((test_getl(hdr + 8) & 0x80000000u) != 0);
        test_send_hdr(rrs, "raw-answer", 10, hdr, hl);
        test_recv(sv, "raw-answer");
        test_close(sv);
        test_close(rrs);
    }

    /* Two devices: the second device's raw RESPONDENT sees 2 entries, the
       final RESPONDENT 3. */
    f = chain("two", 2);
    ends("two", 2, &sv, &rs);
    pass(sv, rs, "two-default");
    set_ttl(dev_resp[f + 1], 1);
    dropped(sv, rs, dev_resp[f + 1], dev_surv[f], "two-dev1-ttl1");
    set_ttl(dev_resp[f + 1], 2);
    pass(sv, rs, "two-dev1-ttl2");
    set_ttl(dev_resp[f], 1);
    set_ttl(dev_surv[f], 1);
    set_ttl(dev_surv[f + 1], 1);
    pass(sv, rs, "two-others-ttl1");
    set_ttl(rs, 2);
    dropped(sv, rs, rs, dev_surv[f + 1], "two-rs-ttl2");
    set_ttl(rs, 3);
    pass(sv, rs, "two-rs-ttl3");
    test_close(sv);
    test_close(rs);

    /* Default MAXTTL 8: seven devices (8 entries) pass, eight do not. */
    chain("seven", 7);
    ends("seven", 7, &sv, &rs);
    pass(sv, rs, "seven");
    test_close(sv);
    test_close(rs);
    f = chain("eight", 8);
    ends("eight", 8, &sv, &rs);
    dropped(sv, rs, rs, dev_surv[f + 7], "eight");
    set_ttl(rs, 9);
    pass(sv, rs, "eight-ttl9");
    test_close(sv);
    test_close(rs);

    /* nn_term stops all the devices; last step. */
    nn_term();
    for (int i = 0; i < ndev; i++) {
        test_thread_join(&dev_thread[i]);
        CHECK(dev_rc[i] == -1);
        CHECK(dev_err[i] == EBADF);
    }
    return 0;
}
