/* The SURVEYOR/RESPONDENT protocol (nn_survey(7)) as upstream nanomsg 1.1.5
   behaves: a survey reaches every respondent, answers are collected until
   NN_SURVEYOR_DEADLINE, then recv fails once with ETIMEDOUT and with EFSM
   after that; the EFSM state errors; a new survey discarding late answers
   to the old one; NN_SURVEYOR_DEADLINE option handling; raw sockets and
   their SP headers. */
#include "testutil.h"
#include <setjmp.h>
#include <nanomsg/survey.h>

#define DEADLINE 100

/* Deadlines on a busy machine. An answer must reach the surveyor before
   its survey's deadline, and a stall of the machine between the survey and
   the answer that is longer than the deadline ends the survey first, as it
   should. So the sub-tests that need answers run under run(): the deadline
   they use, dl, starts at DEADLINE; every survey's send time is taken
   before nn_send (survey_send); when a receive that expects an answer gets
   ETIMEDOUT instead (answer), the time since that survey was sent must be
   at least dl (otherwise the deadline fired early: a failure), and then
   the sub-test's sockets are closed and it starts over with dl tripled, at
   most TRIES times. Every try checks the same; only a slow machine needs
   more than one. */
#define TRIES 4
static jmp_buf retry_env;
static int dl = DEADLINE;
static int socks[32], nsocks;
static int64_t sent_at[4096];

/* A socket that run() closes when the sub-test starts over. */
static int tracked_socket(int domain, int protocol)
{
    int s = test_socket(domain, protocol);
    CHECK(nsocks < (int) (sizeof socks / sizeof socks[0]));
    CHECK(s < (int) (sizeof sent_at / sizeof sent_at[0]));
    socks[nsocks++] = s;
    return s;
}

static void run(void (*fn)(void))
{
    volatile int tries = 0;
    dl = DEADLINE;
    nsocks = 0;
    if (setjmp(retry_env) != 0) {
        /* Some of these may be closed already: errors do not matter. */
        for (int i = 0; i < nsocks; i++)
            nn_close(socks[i]);
        nsocks = 0;
        CHECK(++tries < TRIES);
        dl *= 3;
    }
    fn();
}

static void survey_send(int sv, const char *q)
{
    sent_at[sv] = now_ms();
    test_send(sv, q);
}

/* The survey on sv ended (ETIMEDOUT) where an answer was expected. */
static void ended_early(int sv)
{
    int64_t el = now_ms() - sent_at[sv];
    if (el < dl) {
        fprintf(stderr, "survey ended %lld ms after it was sent, before "
            "its deadline of %d ms\n", (long long) el, dl);
        exit(1);
    }
    fprintf(stderr, "slow machine: the deadline (%d ms) ended a survey "
        "before its answer came (%lld ms); starting over\n", dl,
        (long long) el);
    longjmp(retry_env, 1);
}

/* Receives an answer on surveyor sv into buf; returns its length. */
static int answer_any(int sv, char *buf, size_t cap)
{
    int rc = nn_recv(sv, buf, cap, 0);
    if (rc < 0 && nn_errno() == ETIMEDOUT)
        ended_early(sv);
    CHECK(rc >= 0);
    return rc;
}

/* Receives exactly this answer on surveyor sv. */
static void answer(int sv, const char *text)
{
    char buf[256];
    int rc = answer_any(sv, buf, sizeof buf);
    CHECK(rc == (int) strlen(text));
    CHECK(memcmp(buf, text, rc) == 0);
}

/* Nothing more: the deadline ends the survey with ETIMEDOUT, no earlier
   than dl after the send and without hanging. */
static void survey_ends(int sv)
{
    char buf[32];
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK(now_ms() - sent_at[sv] >= dl);
    CHECK_NO_HANG(sent_at[sv], dl);
}

static void test_basic(void)
{
    enum { N = 3 };
    char buf[32];
    int seen[N] = { 0 };
    int sv = tracked_socket(AF_SP, NN_SURVEYOR);
    int rs[N];
    CHECK(NN_SURVEYOR == 98 && NN_RESPONDENT == 99);
    CHECK(test_getopt_int(sv, NN_SOL_SOCKET, NN_PROTOCOL) == NN_SURVEYOR);
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
    test_bind(sv, "inproc://survey-basic");
    for (int i = 0; i < N; i++) {
        rs[i] = tracked_socket(AF_SP, NN_RESPONDENT);
        CHECK(test_getopt_int(rs[i], NN_SOL_SOCKET, NN_PROTOCOL) ==
            NN_RESPONDENT);
        test_setopt_int(rs[i], NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
        test_connect(rs[i], "inproc://survey-basic");
    }
    sleep_ms(50);

    for (int round = 0; round < 2; round++) {
        survey_send(sv, "what?");
        for (int i = 0; i < N; i++) {
            char a[8];
            test_recv(rs[i], "what?");
            snprintf(a, sizeof a, "ans%d", i);
            test_send(rs[i], a);
            /* One answer per survey. */
            CHECK_ERR(nn_send(rs[i], "more", 4, 0), EFSM);
        }
        memset(seen, 0, sizeof seen);
        for (int i = 0; i < N; i++) {
            int rc = answer_any(sv, buf, sizeof buf);
            CHECK(rc == 4);
            CHECK(memcmp(buf, "ans", 3) == 0);
            CHECK(buf[3] >= '0' && buf[3] < '0' + N);
            seen[buf[3] - '0']++;
        }
        for (int i = 0; i < N; i++)
            CHECK(seen[i] == 1);
        /* Nothing more: the deadline ends the survey with ETIMEDOUT
           (about dl ms counted from the send; RCVTIMEO is infinite), then
           the surveyor is idle: EFSM. */
        survey_ends(sv);
        CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
        CHECK_ERR(nn_recv(sv, buf, sizeof buf, NN_DONTWAIT), EFSM);
    }

    /* An answer arriving after the deadline is dropped. */
    survey_send(sv, "slow?");
    for (int i = 0; i < N; i++)
        test_recv(rs[i], "slow?");
    test_send(rs[0], "quick");
    answer(sv, "quick");
    /* The sleep starts after the send: the deadline has passed. */
    sleep_ms(dl + 50);
    test_send(rs[1], "too-late");
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);

    /* The respondents still pending on "slow?" can be reused; the next
       survey's answers all arrive. */
    survey_send(sv, "next?");
    for (int i = 0; i < N; i++) {
        test_recv(rs[i], "next?");
        test_send(rs[i], "ok");
    }
    for (int i = 0; i < N; i++)
        answer(sv, "ok");

    for (int i = 0; i < N; i++)
        test_close(rs[i]);
    test_close(sv);
}

/* One try of the q3 case of test_deadline_timing with deadline d3.
   Returns 0 when the machine stalled past the deadline at a step that
   expected the survey still running (the deadline may have ended it, as
   it should): the caller tries again with a longer deadline. */
static int q3_try(int sv, int rs, int d3)
{
    char buf[32];
    int rc, e;
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, d3);
    test_setopt_int(sv, NN_SOL_SOCKET, NN_RCVTIMEO, -1);
    int64_t t0 = now_ms();
    test_send(sv, "q3");
    rc = nn_recv(sv, buf, sizeof buf, NN_DONTWAIT);
    e = nn_errno();
    if (rc != -1 || e != EAGAIN)
        goto late;
    test_setopt_int(sv, NN_SOL_SOCKET, NN_RCVTIMEO, 30);
    for (int i = 0; i < 2; i++) {
        rc = nn_recv(sv, buf, sizeof buf, 0);
        e = nn_errno();
        if (rc != -1 || e != ETIMEDOUT)
            goto late;
    }
    test_setopt_int(sv, NN_SOL_SOCKET, NN_RCVTIMEO, -1);
    test_recv(rs, "q3");
    /* Past d3 the two timeouts may have been the deadline. */
    if (now_ms() - t0 >= d3)
        goto late;
    /* Still in the survey: an answer is accepted. */
    test_send(rs, "a3");
    rc = nn_recv(sv, buf, sizeof buf, 0);
    e = nn_errno();
    if (rc < 0)
        goto late;
    CHECK(rc == 2 && memcmp(buf, "a3", 2) == 0);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK(now_ms() - t0 >= d3 - 20);
    CHECK_NO_HANG(t0, d3);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    return 1;
late:
    /* Only the survey's end can come instead, and only after its
       deadline. */
    CHECK(rc == -1 && (e == ETIMEDOUT || e == EFSM));
    CHECK(now_ms() - t0 >= d3 - 20);
    fprintf(stderr, "slow machine: the %d ms deadline passed during the "
        "q3 case; trying again\n", d3);
    test_setopt_int(sv, NN_SOL_SOCKET, NN_RCVTIMEO, -1);
    while (nn_recv(sv, buf, sizeof buf, 0) < 0 && nn_errno() == ETIMEDOUT)
        ;
    CHECK(nn_errno() == EFSM);
    nn_recv(rs, buf, sizeof buf, NN_DONTWAIT); /* q3, if still queued */
    return 0;
}

static void test_deadline_timing(void)
{
    char buf[32];
    int sv = test_socket(AF_SP, NN_SURVEYOR);
    int rs = test_socket(AF_SP, NN_RESPONDENT);
    int64_t t0, el;
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, DEADLINE);
    test_setopt_int(rs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(sv, "inproc://survey-timing");
    test_connect(rs, "inproc://survey-timing");
    sleep_ms(50);

    /* With no respondent answering, recv blocks until the deadline (the
       default RCVTIMEO is infinite). t0 is taken before the send that
       starts the deadline. */
    t0 = now_ms();
    test_send(sv, "q1");
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK(now_ms() - t0 >= DEADLINE - 20);
    CHECK_NO_HANG(t0, DEADLINE);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    test_recv(rs, "q1");

    /* The deadline passes with nobody in recv: the next recv reports
       ETIMEDOUT at once, well within a deadline (a recv that waited for
       anything would take DEADLINE or more), then EFSM. A stall of the
       machine during the measured recv can make it slow: the best of 3
       tries counts (a library that waits does so every time). */
    int fast = 0;
    for (int i = 0; i < 3 && !fast; i++) {
        test_send(sv, "q2");
        sleep_ms(DEADLINE + 100);
        t0 = now_ms();
        CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
        fast = now_ms() - t0 < DEADLINE;
        CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
        test_recv(rs, "q2");
    }
    CHECK(fast);

    /* During the survey: NN_DONTWAIT gives EAGAIN, a shorter RCVTIMEO
       gives ETIMEDOUT without ending the survey; the deadline still
       does. */
    int d3 = 300;
    for (int tries = 0; !q3_try(sv, rs, d3); tries++, d3 *= 3)
        CHECK(tries + 1 < TRIES);

    /* A changed deadline applies to the next survey: it ends after about
       60 ms, not the d3 of the previous one. Best of 3 for the upper bound,
       as above. */
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 60);
    fast = 0;
    for (int i = 0; i < 3 && !fast; i++) {
        t0 = now_ms();
        test_send(sv, "q4");
        CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
        el = now_ms() - t0;
        CHECK(el >= 60 - 20);
        fast = el < d3 - 50;
        test_recv(rs, "q4");
    }
    CHECK(fast);

    /* A surveyor with no respondents at all: send succeeds, recv times out
       at the deadline. */
    int lonely = test_socket(AF_SP, NN_SURVEYOR);
    test_setopt_int(lonely, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 50);
    test_send(lonely, "anyone?");
    CHECK_ERR(nn_recv(lonely, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(lonely, buf, sizeof buf, 0), EFSM);
    test_close(lonely);

    test_close(sv);
    test_close(rs);
}

static void test_efsm(void)
{
    char buf[32];
    int sv = tracked_socket(AF_SP, NN_SURVEYOR);
    int rs = tracked_socket(AF_SP, NN_RESPONDENT);
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
    test_setopt_int(rs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);

    /* Before any survey. */
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, NN_DONTWAIT), EFSM);
    CHECK_ERR(nn_send(rs, "x", 1, 0), EFSM);
    CHECK_ERR(nn_send(rs, "x", 1, NN_DONTWAIT), EFSM);

    test_bind(sv, "inproc://survey-efsm");
    test_connect(rs, "inproc://survey-efsm");
    sleep_ms(50);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    CHECK_ERR(nn_send(rs, "x", 1, 0), EFSM);

    /* Any recv on the respondent, even one that returns EAGAIN, forgets
       the survey it holds. */
    survey_send(sv, "s1");
    test_recv(rs, "s1");
    CHECK_ERR(nn_recv(rs, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_send(rs, "x", 1, 0), EFSM);
    survey_ends(sv);

    /* A respondent receiving the next survey without answering the
       previous one answers the new one. */
    test_send(sv, "s2");
    survey_send(sv, "s3");
    test_recv(rs, "s2");
    test_recv(rs, "s3");
    test_send(rs, "a3");
    answer(sv, "a3");
    CHECK_ERR(nn_send(rs, "x", 1, 0), EFSM);
    survey_ends(sv);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);

    test_close(sv);
    test_close(rs);
}

static void test_new_survey(void)
{
    /* A respondent answering survey 1 after survey 2 was sent: the
       surveyor only receives the answers to survey 2. */
    char buf[32];
    int sv = tracked_socket(AF_SP, NN_SURVEYOR);
    int r1 = tracked_socket(AF_SP, NN_RESPONDENT);
    int r2 = tracked_socket(AF_SP, NN_RESPONDENT);
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
    test_setopt_int(r1, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(r2, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(sv, "inproc://survey-new");
    test_connect(r1, "inproc://survey-new");
    test_connect(r2, "inproc://survey-new");
    sleep_ms(50);

    survey_send(sv, "survey1");
    test_recv(r1, "survey1");
    test_recv(r2, "survey1");
    survey_send(sv, "survey2");
    sleep_ms(50);
    test_send(r1, "late1");
    test_send(r2, "late2");
    test_recv(r1, "survey2");
    test_recv(r2, "survey2");
    test_send(r1, "answer1");
    test_send(r2, "answer2");
    int got1 = 0, got2 = 0;
    for (int i = 0; i < 2; i++) {
        int rc = answer_any(sv, buf, sizeof buf);
        CHECK(rc == 7);
        if (memcmp(buf, "answer1", 7) == 0)
            got1++;
        else if (memcmp(buf, "answer2", 7) == 0)
            got2++;
        else
            CHECK(!"unexpected answer");
    }
    CHECK(got1 == 1 && got2 == 1);
    survey_ends(sv);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);

    /* A new survey while the old one's answers are still queued unread:
       those are discarded too. */
    survey_send(sv, "survey3");
    test_recv(r1, "survey3");
    test_send(r1, "answer3");
    sleep_ms(50);
    survey_send(sv, "survey4");
    test_recv(r1, "survey4");
    test_recv(r2, "survey3");
    test_recv(r2, "survey4");
    test_send(r2, "answer4");
    answer(sv, "answer4");
    survey_ends(sv);

    test_close(sv);
    test_close(r1);
    test_close(r2);
}

static void test_two_surveyors(void)
{
    /* One respondent connected to two surveyors answers each one. */
    int sv1 = tracked_socket(AF_SP, NN_SURVEYOR);
    int sv2 = tracked_socket(AF_SP, NN_SURVEYOR);
    int rs = tracked_socket(AF_SP, NN_RESPONDENT);
    test_setopt_int(sv1, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
    test_setopt_int(sv2, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
    test_setopt_int(rs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(sv1, "inproc://survey-two-1");
    test_bind(sv2, "inproc://survey-two-2");
    test_connect(rs, "inproc://survey-two-1");
    test_connect(rs, "inproc://survey-two-2");
    sleep_ms(50);
    survey_send(sv1, "from1");
    test_recv(rs, "from1");
    test_send(rs, "to1");
    survey_send(sv2, "from2");
    test_recv(rs, "from2");
    test_send(rs, "to2");
    answer(sv1, "to1");
    answer(sv2, "to2");
    survey_ends(sv1);
    survey_ends(sv2);
    test_close(sv1);
    test_close(sv2);
    test_close(rs);
}

static void test_options(void)
{
    int sv = test_socket(AF_SP, NN_SURVEYOR);
    int rs = test_socket(AF_SP, NN_RESPONDENT);
    int rsv = test_socket(AF_SP_RAW, NN_SURVEYOR);
    int rrs = test_socket(AF_SP_RAW, NN_RESPONDENT);
    int v;
    size_t sz;

    CHECK(NN_SURVEYOR_DEADLINE == 1);
    CHECK(test_getopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE) == 1000);
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 250);
    CHECK(test_getopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE) == 250);
    v = 100;
    CHECK_ERR(nn_setsockopt(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &v, 2),
        EINVAL);
    CHECK(test_getopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE) == 250);
    CHECK_ERR(nn_setsockopt(sv, NN_SURVEYOR, 99, &v, sizeof v), ENOPROTOOPT);
    sz = sizeof v;
    CHECK_ERR(nn_getsockopt(sv, NN_SURVEYOR, 99, &v, &sz), ENOPROTOOPT);
    /* The option lives at level NN_SURVEYOR only. */
    CHECK_ERR(nn_setsockopt(sv, NN_RESPONDENT, NN_SURVEYOR_DEADLINE, &v,
        sizeof v), ENOPROTOOPT);
    /* Only the cooked surveyor has it. */
    int others[3] = { rs, rsv, rrs };
    for (int i = 0; i < 3; i++) {
        v = 100;
        CHECK_ERR(nn_setsockopt(others[i], NN_SURVEYOR, NN_SURVEYOR_DEADLINE,
            &v, sizeof v), ENOPROTOOPT);
        sz = sizeof v;
        CHECK_ERR(nn_getsockopt(others[i], NN_SURVEYOR, NN_SURVEYOR_DEADLINE,
            &v, &sz), ENOPROTOOPT);
    }
    test_close(sv);
    test_close(rs);
    test_close(rsv);
    test_close(rrs);
}

static void test_raw(void)
{
    char body[64];
    unsigned char hdr[64], h1[64];
    size_t hl, hl1;
    int rc;

    /* Cooked surveyor -> raw respondent: 8-byte header, a 4-byte pipe id
       (top bit clear) and the 4-byte survey id (top bit set); consecutive
       surveys have consecutive ids. Replying with the header reaches the
       surveyor. */
    int sv = tracked_socket(AF_SP, NN_SURVEYOR);
    int rrs = tracked_socket(AF_SP_RAW, NN_RESPONDENT);
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, dl);
    test_setopt_int(rrs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(sv, "inproc://survey-raw1");
    test_connect(rrs, "inproc://survey-raw1");
    sleep_ms(50);
    /* A raw respondent may send at any time; without a header the message
       is silently dropped. */
    CHECK(nn_send(rrs, "nohdr", 5, 0) == 5);
    CHECK_ERR(nn_recv(rrs, body, sizeof body, NN_DONTWAIT), EAGAIN);

    survey_send(sv, "raw-s1");
    rc = test_recv_hdr(rrs, body, sizeof body, h1, sizeof h1, &hl1);
    CHECK(rc == 6 && memcmp(body, "raw-s1", 6) == 0);
    CHECK(hl1 == 8);
    CHECK((test_getl(h1) & 0x80000000u) == 0);
    CHECK((test_getl(h1 + 4) & 0x80000000u) != 0);
    survey_ends(sv);

    survey_send(sv, "raw-s2");
    rc = test_recv_hdr(rrs, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 6 && memcmp(body, "raw-s2", 6) == 0);
    CHECK(hl == 8);
    CHECK(test_getl(hdr) == test_getl(h1));
    CHECK(test_getl(hdr + 4) == ((test_getl(h1 + 4) + 1) | 0x80000000u));
    /* An answer carrying the previous survey's id is dropped; the current
       one arrives. */
    test_send_hdr(rrs, "old", 3, h1, hl1);
    test_send_hdr(rrs, "current", 7, hdr, hl);
    answer(sv, "current");
    /* Several answers to the same survey from a raw respondent are all
       accepted. */
    test_send_hdr(rrs, "again", 5, hdr, hl);
    answer(sv, "again");
    survey_ends(sv);
    /* The cooked surveyor reports an empty SP header. */
    survey_send(sv, "raw-s3");
    rc = test_recv_hdr(rrs, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 6 && hl == 8);
    test_send_hdr(rrs, "hdr?", 4, hdr, hl);
    rc = test_try_recv_hdr(sv, body, sizeof body, h1, sizeof h1, &hl1);
    if (rc < 0 && nn_errno() == ETIMEDOUT)
        ended_early(sv);
    CHECK(rc == 4 && memcmp(body, "hdr?", 4) == 0);
    CHECK(hl1 == 0);
    survey_ends(sv);
    test_close(sv);
    test_close(rrs);

    /* Raw surveyor -> cooked respondent: the raw side supplies the 4-byte
       survey id (in the body or as SP header); answers come back with a
       4-byte header holding that id, whatever the id, and there is no
       state: no EFSM, no deadline. */
    int rsv = tracked_socket(AF_SP_RAW, NN_SURVEYOR);
    int rs = tracked_socket(AF_SP, NN_RESPONDENT);
    test_setopt_int(rsv, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(rs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(rsv, "inproc://survey-raw2");
    test_connect(rs, "inproc://survey-raw2");
    sleep_ms(50);
    CHECK_ERR(nn_recv(rsv, body, sizeof body, NN_DONTWAIT), EAGAIN);
    CHECK(nn_send(rsv, "\x80\x00\x00\x05" "sA", 6, 0) == 6);
    rc = test_recv_hdr(rs, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 2 && memcmp(body, "sA", 2) == 0);
    CHECK(hl == 0);
    test_send(rs, "aA");
    test_send_hdr(rsv, "sB", 2, "\x80\x00\x01\x06", 4);
    test_recv(rs, "sB");
    test_send(rs, "aB");
    rc = test_recv_hdr(rsv, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 2 && memcmp(body, "aA", 2) == 0);
    CHECK(hl == 4 && memcmp(hdr, "\x80\x00\x00\x05", 4) == 0);
    rc = test_recv_hdr(rsv, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 2 && memcmp(body, "aB", 2) == 0);
    CHECK(hl == 4 && memcmp(hdr, "\x80\x00\x01\x06", 4) == 0);
    /* No deadline on the raw surveyor: a plain RCVTIMEO timeout, then
       still no EFSM. */
    test_setopt_int(rsv, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    CHECK_ERR(nn_recv(rsv, body, sizeof body, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(rsv, body, sizeof body, 0), ETIMEDOUT);
    /* A survey without a valid id (top bit clear) is dropped by the
       respondent: the valid survey sent after it on the same pipe is the
       first thing the respondent receives. */
    CHECK(nn_send(rsv, "\x00\x00\x00\x05" "bad", 7, 0) == 7);
    CHECK(nn_send(rsv, "\x80\x00\x00\x07" "good", 8, 0) == 8);
    test_recv(rs, "good");
    test_setopt_int(rs, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    CHECK_ERR(nn_recv(rs, body, sizeof body, 0), ETIMEDOUT);
    test_close(rsv);
    test_close(rs);

    /* Raw to raw. */
    rsv = tracked_socket(AF_SP_RAW, NN_SURVEYOR);
    rrs = tracked_socket(AF_SP_RAW, NN_RESPONDENT);
    test_setopt_int(rsv, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_setopt_int(rrs, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_bind(rrs, "inproc://survey-raw3");
    test_connect(rsv, "inproc://survey-raw3");
    sleep_ms(50);
    test_send_hdr(rsv, "x", 1, "\x81\x02\x03\x04", 4);
    rc = test_recv_hdr(rrs, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 1 && body[0] == 'x');
    CHECK(hl == 8);
    CHECK((test_getl(hdr) & 0x80000000u) == 0);
    CHECK(memcmp(hdr + 4, "\x81\x02\x03\x04", 4) == 0);
    test_send_hdr(rrs, "y", 1, hdr, hl);
    rc = test_recv_hdr(rsv, body, sizeof body, hdr, sizeof hdr, &hl);
    CHECK(rc == 1 && body[0] == 'y');
    CHECK(hl == 4 && memcmp(hdr, "\x81\x02\x03\x04", 4) == 0);
    test_close(rsv);
    test_close(rrs);
}

int main(void)
{
    alarm(40);
    run(test_basic);
    test_deadline_timing();
    run(test_efsm);
    run(test_new_survey);
    run(test_two_surveyors);
    test_options();
    run(test_raw);
    return 0;
}
