/* Multi-threaded stress: for about three seconds, four threads send on one
   shared PUSH socket while two threads receive on one shared PULL socket,
   and at the same time two PAIR sockets are each shared by two sending
   threads and one receiving thread.  Messages vary in size and are sent
   and received both by copy and zero-copy (NN_MSG).  At the end every
   message is accounted for: each sender's sequence numbers arrive exactly
   once, none is invented, and - since each stream goes through a single
   pipe - every receiving thread sees each sender's messages in increasing
   order.  Timeouts (SNDTIMEO/RCVTIMEO) and a final drain keep it from
   hanging.  Validated against upstream nanomsg 1.1.5. */
#include "testutil.h"
#include <nanomsg/pipeline.h>
#include <nanomsg/pair.h>

#define DURATION_MS 3000
#define NSENDERS 8          /* 0-3 on PUSH, 4-5 on PAIR a, 6-7 on PAIR b */
#define NRECEIVERS 4        /* 0-1 on PULL, 2 on PAIR a, 3 on PAIR b */
#define MAXSEQ (1u << 22)
#define HDR 8
#define MAXSZ 300

static unsigned char seen[NSENDERS][MAXSEQ / 8];
static int64_t deadline;
static int stop_receivers;

struct sender {
    int id;
    int sock;
    uint32_t sent;      /* number of messages sent: seqs 0 .. sent-1 */
    uint32_t timeouts;
};

struct receiver {
    int id;
    int sock;
    int lo, hi;         /* the sender ids it may hear from */
    uint32_t count[NSENDERS];
    int64_t last[NSENDERS];
};

static size_t msg_size(uint32_t seq)
{
    return HDR + (seq * 7919u) % (MAXSZ - HDR);
}

static void fill(unsigned char *p, int id, uint32_t seq, size_t sz)
{
    p[0] = (unsigned char) id;
    p[1] = 0xa5;
    p[2] = (unsigned char) (sz >> 8);
    p[3] = (unsigned char) sz;
    memcpy(p + 4, &seq, 4);
    for (size_t i = HDR; i < sz; i++)
        p[i] = (unsigned char) (seq + i * 31 + (unsigned) id);
}

static void *sender_fn(void *arg)
{
    struct sender *s = arg;
    unsigned char buf[MAXSZ];
    /* Until the deadline, and past it (for up to TEST_MUST_MS more) until
       this sender has made the progress checked at the end: a thread that
       a stall of the machine kept from running until the deadline still
       gets its chance, one that cannot send still fails. */
    while (s->sent < MAXSEQ && (now_ms() < deadline ||
        (s->sent <= 100 && now_ms() < deadline + TEST_MUST_MS))) {
        uint32_t seq = s->sent;
        size_t sz = msg_size(seq);
        int rc;
        if (seq % 3 == 0) {
            /* Zero-copy: the library owns the buffer once sent. */
            void *m = nn_allocmsg(sz, 0);
            CHECK(m != NULL);
            fill(m, s->id, seq, sz);
            rc = nn_send(s->sock, &m, NN_MSG, 0);
            if (rc < 0)
                nn_freemsg(m);
        } else {
            fill(buf, s->id, seq, sz);
            rc = nn_send(s->sock, buf, sz, 0);
        }
        if (rc < 0) {
            /* Only a timeout is acceptable; the message was not sent and
               is retried with the same sequence number. */
            CHECK(nn_errno() == ETIMEDOUT);
            s->timeouts++;
            continue;
        }
        CHECK(rc == (int) sz);
        s->sent++;
    }
    return NULL;
}

static void check_msg(struct receiver *r, const unsigned char *p, int rc)
{
    CHECK(rc >= HDR && rc <= MAXSZ);
    int id = p[0];
    uint32_t seq;
    memcpy(&seq, p + 4, 4);
    CHECK(p[1] == 0xa5);
    CHECK(id >= r->lo && id <= r->hi);
    CHECK((size_t) rc == (size_t) ((p[2] << 8) | p[3]));
    CHECK((size_t) rc == msg_size(seq));
    for (int i = HDR; i < rc; i++)
        CHECK(p[i] == (unsigned char) (seq + (unsigned) i * 31 + (unsigned) id));
    CHECK(seq < MAXSEQ);
    /* One pipe per stream: this thread sees each sender in order. */
    CHECK((int64_t) seq > r->last[id]);
    r->last[id] = seq;
    unsigned char bit = (unsigned char) (1u << (seq % 8));
    unsigned char old = __atomic_fetch_or(&seen[id][seq / 8], bit,
        __ATOMIC_SEQ_CST);
    CHECK((old & bit) == 0);    /* never delivered twice */
    r->count[id]++;
}

static void *receiver_fn(void *arg)
{
    struct receiver *r = arg;
    unsigned char buf[MAXSZ + 16];
    uint32_t n = 0;
    for (int i = 0; i < NSENDERS; i++)
        r->last[i] = -1;
    for (;;) {
        int rc;
        if (n % 2 == 0) {
            void *m = NULL;
            rc = nn_recv(r->sock, &m, NN_MSG, 0);
            if (rc >= 0) {
                check_msg(r, m, rc);
                CHECK(nn_freemsg(m) == 0);
            }
        } else {
            rc = nn_recv(r->sock, buf, sizeof buf, 0);
            if (rc >= 0)
                check_msg(r, buf, rc);
        }
        if (rc < 0) {
            CHECK(nn_errno() == ETIMEDOUT);
            /* Stop only once all senders are done and the queue is empty. */
            if (__atomic_load_n(&stop_receivers, __ATOMIC_SEQ_CST))
                break;
            continue;
        }
        n++;
    }
    return NULL;
}

int main(void)
{
    alarm(30);
    int push = test_socket(AF_SP, NN_PUSH);
    int pull = test_socket(AF_SP, NN_PULL);
    int pa = test_socket(AF_SP, NN_PAIR);
    int pb = test_socket(AF_SP, NN_PAIR);
    int all[4] = { push, pull, pa, pb };
    for (int i = 0; i < 4; i++) {
        test_setopt_int(all[i], NN_SOL_SOCKET, NN_SNDTIMEO, 200);
        test_setopt_int(all[i], NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    }
    test_bind(pull, "inproc://stress-pipeline");
    test_connect(push, "inproc://stress-pipeline");
    test_bind(pa, "inproc://stress-pair");
    test_connect(pb, "inproc://stress-pair");

    struct sender snd[NSENDERS];
    struct receiver rcv[NRECEIVERS];
    memset(snd, 0, sizeof snd);
    memset(rcv, 0, sizeof rcv);
    for (int i = 0; i < NSENDERS; i++) {
        snd[i].id = i;
        snd[i].sock = i < 4 ? push : i < 6 ? pa : pb;
    }
    rcv[0] = (struct receiver) { .id = 0, .sock = pull, .lo = 0, .hi = 3 };
    rcv[1] = (struct receiver) { .id = 1, .sock = pull, .lo = 0, .hi = 3 };
    rcv[2] = (struct receiver) { .id = 2, .sock = pa, .lo = 6, .hi = 7 };
    rcv[3] = (struct receiver) { .id = 3, .sock = pb, .lo = 4, .hi = 5 };

    test_thread st[NSENDERS], rt[NRECEIVERS];
    deadline = now_ms() + DURATION_MS;
    for (int i = 0; i < NRECEIVERS; i++)
        test_thread_start(&rt[i], receiver_fn, &rcv[i]);
    for (int i = 0; i < NSENDERS; i++)
        test_thread_start(&st[i], sender_fn, &snd[i]);
    for (int i = 0; i < NSENDERS; i++)
        test_thread_join(&st[i]);
    __atomic_store_n(&stop_receivers, 1, __ATOMIC_SEQ_CST);
    for (int i = 0; i < NRECEIVERS; i++)
        test_thread_join(&rt[i]);

    /* Every sender made progress and every message arrived exactly once
       (uniqueness was checked on arrival; equal counts and all seqs below
       'sent' make the received set exactly 0 .. sent-1). */
    uint64_t total = 0;
    for (int s = 0; s < NSENDERS; s++) {
        uint64_t got = 0;
        for (int r = 0; r < NRECEIVERS; r++)
            got += rcv[r].count[s];
        CHECK(snd[s].sent > 100);
        CHECK(got == snd[s].sent);
        for (uint32_t q = 0; q < snd[s].sent; q++)
            CHECK(seen[s][q / 8] & (1u << (q % 8)));
        total += got;
    }
    /* Both PULL receivers took part. */
    CHECK(rcv[0].count[0] + rcv[0].count[1] + rcv[0].count[2] +
        rcv[0].count[3] > 0);
    CHECK(rcv[1].count[0] + rcv[1].count[1] + rcv[1].count[2] +
        rcv[1].count[3] > 0);

    /* Nothing is left over. */
    char buf[MAXSZ];
    CHECK_ERR(nn_recv(pull, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(pa, buf, sizeof buf, NN_DONTWAIT), EAGAIN);
    CHECK_ERR(nn_recv(pb, buf, sizeof buf, NN_DONTWAIT), EAGAIN);

    /* The sockets still work normally. */
    test_setopt_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(pa, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_send(push, "done");
    test_recv(pull, "done");
    test_send(pb, "done");
    test_recv(pa, "done");

    fprintf(stderr, "stress: %llu messages\n", (unsigned long long) total);
    for (int i = 0; i < 4; i++)
        test_close(all[i]);
    return 0;
}
