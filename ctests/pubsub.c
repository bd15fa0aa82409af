/* The PUB/SUB protocol: NN_SUB_SUBSCRIBE / NN_SUB_UNSUBSCRIBE at level
   NN_SUB, prefix matching, reference-counted subscriptions, binary topics,
   fan-out to several subscribers, a slow subscriber never stalling the
   publisher, raw PUB/SUB, and the errors for operations the protocol does
   not define.  Validated against upstream nanomsg 1.1.5. */
#include "testutil.h"
#include <nanomsg/pubsub.h>

#define SYNC_TOPIC "\xff" "sync"

static void subscribe(int s, const void *topic, size_t len)
{
    int rc = nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, topic, len);
    CHECK(rc == 0);
}

static void unsubscribe(int s, const void *topic, size_t len)
{
    int rc = nn_setsockopt(s, NN_SUB, NN_SUB_UNSUBSCRIBE, topic, len);
    CHECK(rc == 0);
}

static void send_bin(int s, const void *data, size_t len)
{
    int rc = nn_send(s, data, len, 0);
    CHECK(rc == (int) len);
}

static void recv_bin(int s, const void *data, size_t len)
{
    char buf[256];
    int rc = nn_recv(s, buf, sizeof buf, 0);
    CHECK(rc == (int) len);
    CHECK(memcmp(buf, data, len) == 0);
}

/* Discard the sync messages queued on sub (without this they would be
   delivered once sub subscribes to a topic matching them, e.g. ""). */
static void drain_sync(int sub)
{
    char buf[256];
    subscribe(sub, SYNC_TOPIC, 5);
    for (;;) {
        int rc = nn_recv(sub, buf, sizeof buf, NN_DONTWAIT);
        if (rc < 0) {
            CHECK(nn_errno() == EAGAIN);
            break;
        }
        CHECK(rc == 5 && memcmp(buf, SYNC_TOPIC, 5) == 0);
    }
    unsubscribe(sub, SYNC_TOPIC, 5);
}

/* Wait until the pipe pub -> sub is attached (a PUB silently drops messages
   while it has no peer): subscribe to a private topic, publish on it until
   one arrives, unsubscribe and discard any sync messages left over.  The
   subscriber's own subscriptions and RCVTIMEO are left as they were.  When
   several SUBs are synced against one PUB, the sync messages also reach
   the others: call drain_sync on each once they are all synced. */
static void sync_sub(int pub, int sub)
{
    char buf[256];
    int old = test_getopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO);
    int ok = 0;
    subscribe(sub, SYNC_TOPIC, 5);
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 10);
    for (int i = 0; i < 300 && !ok; i++) {
        send_bin(pub, SYNC_TOPIC, 5);
        ok = nn_recv(sub, buf, sizeof buf, 0) == 5;
    }
    CHECK(ok);
    unsubscribe(sub, SYNC_TOPIC, 5);
    drain_sync(sub);
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, old);
}

static void pair_up(const char *addr, int *pub, int *sub)
{
    *pub = test_socket(AF_SP, NN_PUB);
    *sub = test_socket(AF_SP, NN_SUB);
    test_bind(*pub, addr);
    test_connect(*sub, addr);
    test_setopt_int(*sub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    sync_sub(*pub, *sub);
}

static void test_no_subscription(void)
{
    int pub, sub;
    pair_up("inproc://pubsub-nosub", &pub, &sub);
    CHECK(test_getopt_int(pub, NN_SOL_SOCKET, NN_PROTOCOL) == NN_PUB);
    CHECK(test_getopt_int(sub, NN_SOL_SOCKET, NN_PROTOCOL) == NN_SUB);
    for (int i = 0; i < 10; i++)
        test_send(pub, "anything");
    send_bin(pub, "", 0);
    test_recv_none(sub, 50);
    test_close(sub);
    test_close(pub);
}

static void test_empty_prefix(void)
{
    int pub, sub;
    pair_up("inproc://pubsub-empty", &pub, &sub);
    subscribe(sub, "", 0);
    test_send(pub, "abc");
    test_send(pub, "x");
    send_bin(pub, "\0\1", 2);
    send_bin(pub, "", 0);
    test_recv(sub, "abc");
    test_recv(sub, "x");
    recv_bin(sub, "\0\1", 2);
    recv_bin(sub, "", 0);
    test_recv_none(sub, 50);
    /* A NULL option value with length 0 is the empty topic too. */
    test_close(sub);
    sub = test_socket(AF_SP, NN_SUB);
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_connect(sub, "inproc://pubsub-empty");
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, NULL, 0) == 0);
    sync_sub(pub, sub);
    test_send(pub, "null-topic");
    test_recv(sub, "null-topic");
    test_close(sub);
    test_close(pub);
}

static void test_prefix(void)
{
    int pub, sub;
    pair_up("inproc://pubsub-prefix", &pub, &sub);
    subscribe(sub, "ab", 2);
    /* Messages are delivered whole, topic included, in order. */
    test_send(pub, "a");
    test_send(pub, "abc");
    test_send(pub, "b");
    test_send(pub, "ab");
    test_send(pub, "ba");
    test_send(pub, "aab");
    test_send(pub, "Abc");
    send_bin(pub, "", 0);
    test_send(pub, "ab-last");
    test_recv(sub, "abc");
    test_recv(sub, "ab");
    test_recv(sub, "ab-last");
    test_recv_none(sub, 50);
    test_close(sub);
    test_close(pub);
}

static void test_several_subscriptions(void)
{
    int pub, sub;
    pair_up("inproc://pubsub-several", &pub, &sub);
    subscribe(sub, "foo", 3);
    subscribe(sub, "bar", 3);
    subscribe(sub, "a", 1);
    subscribe(sub, "ab", 2);
    test_send(pub, "foo|1");
    test_send(pub, "baz|2");
    test_send(pub, "bar|3");
    test_send(pub, "fo|4");
    /* Matches both "a" and "ab": delivered exactly once. */
    test_send(pub, "abc|5");
    test_send(pub, "a|6");
    test_recv(sub, "foo|1");
    test_recv(sub, "bar|3");
    test_recv(sub, "abc|5");
    test_recv(sub, "a|6");
    test_recv_none(sub, 50);

    /* A topic that is a prefix of another: drop the longer one, the
       shorter still matches everything it did. */
    unsubscribe(sub, "ab", 2);
    test_send(pub, "abd");
    test_recv(sub, "abd");
    unsubscribe(sub, "a", 1);
    test_send(pub, "abd");
    test_send(pub, "foo|7");
    test_recv(sub, "foo|7");
    test_recv_none(sub, 50);
    test_close(sub);
    test_close(pub);
}

static void test_unsubscribe(void)
{
    int pub, sub;
    pair_up("inproc://pubsub-unsub", &pub, &sub);
    subscribe(sub, "t", 1);
    test_send(pub, "t1");
    test_recv(sub, "t1");
    unsubscribe(sub, "t", 1);
    test_send(pub, "t2");
    test_recv_none(sub, 50);

    /* Unsubscribing from the empty topic on a SUB that has no
       subscriptions fails with EINVAL (upstream crashes for a non-empty
       topic in that state; see pubsub_unsub_empty.c). */
    CHECK_ERR(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "", 0), EINVAL);

    /* Unsubscribing from a topic that was never subscribed does not
       disturb the existing subscriptions (upstream returns 0 or EINVAL
       depending on the shape of its trie). */
    subscribe(sub, "abc", 3);
    subscribe(sub, "abd", 3);
    int rc = nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "ab", 2);
    CHECK(rc == 0 || (rc == -1 && nn_errno() == EINVAL));
    rc = nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "abx", 3);
    CHECK(rc == 0 || (rc == -1 && nn_errno() == EINVAL));
    rc = nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "abcd", 4);
    CHECK(rc == 0 || (rc == -1 && nn_errno() == EINVAL));
    rc = nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "q", 1);
    CHECK(rc == 0 || (rc == -1 && nn_errno() == EINVAL));
    test_send(pub, "abc");
    test_send(pub, "abd");
    test_send(pub, "abx");
    test_recv(sub, "abc");
    test_recv(sub, "abd");
    test_recv_none(sub, 50);

    /* Filtering happens when the message is received, not when it
       arrives: messages queued while unsubscribed are delivered after a
       matching subscription is made, and queued messages whose topic is
       unsubscribed before they are received are dropped. */
    test_send(pub, "late-1");
    subscribe(sub, "late", 4);
    test_recv(sub, "late-1");
    test_send(pub, "late-2");
    test_send(pub, "abc-2");
    unsubscribe(sub, "late", 4);
    test_recv(sub, "abc-2");
    test_recv_none(sub, 50);
    test_close(sub);
    test_close(pub);
}

static void test_refcount(void)
{
    int pub, sub;
    pair_up("inproc://pubsub-refcount", &pub, &sub);
    subscribe(sub, "rc", 2);
    subscribe(sub, "rc", 2);
    subscribe(sub, "rc", 2);
    unsubscribe(sub, "rc", 2);
    test_send(pub, "rc1");
    test_recv(sub, "rc1");
    unsubscribe(sub, "rc", 2);
    test_send(pub, "rc2");
    test_recv(sub, "rc2");
    unsubscribe(sub, "rc", 2);
    test_send(pub, "rc3");
    test_recv_none(sub, 50);

    /* The same for the empty topic. */
    subscribe(sub, "", 0);
    subscribe(sub, "", 0);
    unsubscribe(sub, "", 0);
    test_send(pub, "e1");
    test_recv(sub, "e1");
    unsubscribe(sub, "", 0);
    test_send(pub, "e2");
    test_recv_none(sub, 50);
    /* Now nothing is subscribed: the empty topic cannot be removed. */
    CHECK_ERR(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "", 0), EINVAL);
    test_close(sub);
    test_close(pub);
}

static void test_binary_topics(void)
{
    int pub, sub;
    pair_up("inproc://pubsub-binary", &pub, &sub);
    subscribe(sub, "a\0b", 3);
    subscribe(sub, "\0", 1);
    send_bin(pub, "a\0bc", 4);
    send_bin(pub, "a\0c", 3);
    send_bin(pub, "a", 1);
    send_bin(pub, "a\0", 2);
    send_bin(pub, "ab", 2);
    send_bin(pub, "\0\0\0", 3);
    send_bin(pub, "\1\0", 2);
    send_bin(pub, "a\0b", 3);
    recv_bin(sub, "a\0bc", 4);
    recv_bin(sub, "\0\0\0", 3);
    recv_bin(sub, "a\0b", 3);
    test_recv_none(sub, 50);
    /* Every byte value works in a topic. */
    unsigned char topic[256];
    for (int i = 0; i < 256; i++)
        topic[i] = (unsigned char) (255 - i);
    subscribe(sub, topic, 200);
    send_bin(pub, topic, 250);
    recv_bin(sub, topic, 250);
    send_bin(pub, topic, 199);
    test_recv_none(sub, 50);
    test_close(sub);
    test_close(pub);
}

static void test_several_subs(void)
{
    int pub = test_socket(AF_SP, NN_PUB);
    int subs[4];
    test_bind(pub, "inproc://pubsub-fanout");
    for (int i = 0; i < 4; i++) {
        subs[i] = test_socket(AF_SP, NN_SUB);
        test_setopt_int(subs[i], NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
        test_connect(subs[i], "inproc://pubsub-fanout");
        sync_sub(pub, subs[i]);
    }
    for (int i = 0; i < 4; i++)
        drain_sync(subs[i]);
    subscribe(subs[0], "", 0);
    subscribe(subs[1], "x", 1);
    subscribe(subs[2], "xy", 2);
    /* subs[3] has no subscription. */
    test_send(pub, "xyz");
    test_send(pub, "xa");
    test_send(pub, "q");
    test_recv(subs[0], "xyz");
    test_recv(subs[0], "xa");
    test_recv(subs[0], "q");
    test_recv(subs[1], "xyz");
    test_recv(subs[1], "xa");
    test_recv(subs[2], "xyz");
    for (int i = 0; i < 4; i++)
        test_recv_none(subs[i], 50);

    /* A SUB may also bind, with several PUBs connected to it: it
       receives from all of them. */
    int sub = test_socket(AF_SP, NN_SUB);
    int pubs[3];
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_bind(sub, "inproc://pubsub-fanin");
    for (int i = 0; i < 3; i++) {
        pubs[i] = test_socket(AF_SP, NN_PUB);
        test_connect(pubs[i], "inproc://pubsub-fanin");
        sync_sub(pubs[i], sub);
    }
    subscribe(sub, "", 0);
    int seen[3] = { 0, 0, 0 };
    for (int i = 0; i < 3; i++) {
        char m[8];
        snprintf(m, sizeof m, "p%d", i);
        test_send(pubs[i], m);
    }
    for (int i = 0; i < 3; i++) {
        char buf[8];
        int rc = nn_recv(sub, buf, sizeof buf, 0);
        CHECK(rc == 2 && buf[0] == 'p' && buf[1] >= '0' && buf[1] <= '2');
        seen[buf[1] - '0']++;
    }
    CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
    test_recv_none(sub, 50);
    for (int i = 0; i < 3; i++)
        test_close(pubs[i]);
    test_close(sub);
    for (int i = 0; i < 4; i++)
        test_close(subs[i]);
    test_close(pub);
}

static void test_errors(void)
{
    char buf[16];
    int fd;
    size_t sz;
    int pub = test_socket(AF_SP, NN_PUB);
    int sub = test_socket(AF_SP, NN_SUB);

    /* Send on SUB, receive on PUB: not supported. */
    CHECK_ERR(nn_send(sub, "x", 1, 0), ENOTSUP);
    CHECK_ERR(nn_send(sub, "x", 1, NN_DONTWAIT), ENOTSUP);
    CHECK_ERR(nn_recv(pub, buf, sizeof buf, 0), ENOTSUP);
    CHECK_ERR(nn_recv(pub, buf, sizeof buf, NN_DONTWAIT), ENOTSUP);

    /* No SNDFD on SUB, no RCVFD on PUB; the others exist. */
    sz = sizeof fd;
    CHECK_ERR(nn_getsockopt(sub, NN_SOL_SOCKET, NN_SNDFD, &fd, &sz), ENOPROTOOPT);
    sz = sizeof fd;
    CHECK_ERR(nn_getsockopt(pub, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz), ENOPROTOOPT);
    sz = sizeof fd;
    CHECK(nn_getsockopt(sub, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz) == 0);
    sz = sizeof fd;
    CHECK(nn_getsockopt(pub, NN_SOL_SOCKET, NN_SNDFD, &fd, &sz) == 0);

    /* Subscription options exist only on SUB. */
    CHECK_ERR(nn_setsockopt(pub, NN_SUB, NN_SUB_SUBSCRIBE, "a", 1), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(pub, NN_SUB, NN_SUB_UNSUBSCRIBE, "a", 1), ENOPROTOOPT);
    CHECK_ERR(nn_setsockopt(pub, NN_SUB, NN_SUB_SUBSCRIBE, "", 0), ENOPROTOOPT);
    /* ... are write-only ... */
    sz = sizeof buf;
    CHECK_ERR(nn_getsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, buf, &sz), ENOPROTOOPT);
    sz = sizeof buf;
    CHECK_ERR(nn_getsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, buf, &sz), ENOPROTOOPT);
    /* ... and unknown options at level NN_SUB are rejected. */
    CHECK_ERR(nn_setsockopt(sub, NN_SUB, 99, "a", 1), ENOPROTOOPT);
    sz = sizeof buf;
    CHECK_ERR(nn_getsockopt(sub, NN_SUB, 99, buf, &sz), ENOPROTOOPT);

    /* A PUB with no subscribers accepts (and drops) messages. */
    CHECK(nn_send(pub, "drop", 4, 0) == 4);
    CHECK(nn_send(pub, "drop", 4, NN_DONTWAIT) == 4);
    test_close(sub);
    test_close(pub);
}

struct reader {
    int sub;
    int count;
    int in_order;
    int last;
    int done;
};

static void *reader_fn(void *arg)
{
    struct reader *r = arg;
    char buf[32];
    r->last = -1;
    r->in_order = 1;
    for (;;) {
        int rc = nn_recv(r->sub, buf, sizeof buf, 0);
        if (rc < 0) {
            CHECK(nn_errno() == ETIMEDOUT);
            break;
        }
        if (rc == 3 && memcmp(buf, "end", 3) == 0)
            break;
        buf[rc < 31 ? rc : 31] = 0;
        int n = atoi(buf);
        if (n <= r->last)
            r->in_order = 0;
        r->last = n;
        r->count++;
    }
    __atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_slow_subscriber(void)
{
    int pub = test_socket(AF_SP, NN_PUB);
    int slow = test_socket(AF_SP, NN_SUB);
    int fast = test_socket(AF_SP, NN_SUB);
    test_bind(pub, "inproc://pubsub-slow");
    test_setopt_int(slow, NN_SOL_SOCKET, NN_RCVBUF, 1024);
    test_setopt_int(slow, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    /* The reader stops at "end" or when nothing comes for this long: a
       stall of the publishing thread must not end it early. */
    test_setopt_int(fast, NN_SOL_SOCKET, NN_RCVTIMEO, TEST_MUST_MS);
    test_connect(slow, "inproc://pubsub-slow");
    test_connect(fast, "inproc://pubsub-slow");
    sync_sub(pub, slow);
    sync_sub(pub, fast);
    drain_sync(slow);
    subscribe(slow, "", 0);
    subscribe(fast, "", 0);

    struct reader r = { fast, 0, 1, -1, 0 };
    test_thread t;
    test_thread_start(&t, reader_fn, &r);

    /* The slow SUB never reads: the PUB neither blocks nor fails. */
    int64_t t0 = now_ms();
    for (int i = 0; i < 100000; i++) {
        char m[16];
        int len = snprintf(m, sizeof m, "%d", i);
        CHECK(nn_send(pub, m, len, NN_DONTWAIT) == len);
    }
    /* Blocking sends do not block either. */
    for (int i = 100000; i < 101000; i++) {
        char m[16];
        int len = snprintf(m, sizeof m, "%d", i);
        CHECK(nn_send(pub, m, len, 0) == len);
    }
    /* (A PUB that waited for the slow SUB would hang here: the bound
       only has to catch that, on a machine that may be slow.) */
    CHECK_NO_HANG(t0, 2000);

    /* The reader got messages, in publication order (some may have been
       dropped while it fell behind); the end marker gets through. */
    int64_t until = now_ms() + TEST_MUST_MS;
    while (!__atomic_load_n(&r.done, __ATOMIC_SEQ_CST) && now_ms() < until) {
        test_send(pub, "end");
        sleep_ms(5);
    }
    test_thread_join(&t);
    CHECK(r.count > 0);
    CHECK(r.in_order);

    /* The slow SUB's queue is full of the oldest messages, which are
       still there to be read, in order. */
    char buf[32];
    int rc = nn_recv(slow, buf, sizeof buf, 0);
    CHECK(rc > 0 && rc < 32);
    buf[rc] = 0;
    int first = atoi(buf);
    rc = nn_recv(slow, buf, sizeof buf, 0);
    CHECK(rc > 0 && rc < 32);
    buf[rc] = 0;
    CHECK(atoi(buf) > first);

    /* And the fast subscriber still gets new messages. */
    test_setopt_int(fast, NN_SOL_SOCKET, NN_RCVTIMEO, 10);
    while (nn_recv(fast, buf, sizeof buf, 0) >= 0)
        ;
    test_setopt_int(fast, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_send(pub, "after");
    test_recv(fast, "after");

    test_close(slow);
    test_close(fast);
    test_close(pub);
}

static void test_raw(void)
{
    char buf[16];
    int rpub = test_socket(AF_SP_RAW, NN_PUB);
    int rsub = test_socket(AF_SP_RAW, NN_SUB);
    int pub = test_socket(AF_SP, NN_PUB);
    int sub = test_socket(AF_SP, NN_SUB);
    CHECK(test_getopt_int(rpub, NN_SOL_SOCKET, NN_DOMAIN) == AF_SP_RAW);
    CHECK(test_getopt_int(rsub, NN_SOL_SOCKET, NN_PROTOCOL) == NN_SUB);
    test_setopt_int(rsub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);

    /* Raw PUB -> cooked SUB. */
    test_bind(rpub, "inproc://pubsub-raw1");
    test_connect(sub, "inproc://pubsub-raw1");
    sync_sub(rpub, sub);
    subscribe(sub, "r", 1);
    test_send(rpub, "raw-pub");
    test_send(rpub, "other");
    test_recv(sub, "raw-pub");
    test_recv_none(sub, 50);

    /* Cooked PUB -> raw SUB: the raw SUB filters by subscription too. */
    test_bind(pub, "inproc://pubsub-raw2");
    test_connect(rsub, "inproc://pubsub-raw2");
    sync_sub(pub, rsub);
    test_send(pub, "nosub");
    test_recv_none(rsub, 50);
    subscribe(rsub, "c", 1);
    test_send(pub, "cooked");
    test_send(pub, "other");
    test_recv(rsub, "cooked");
    test_recv_none(rsub, 50);
    unsubscribe(rsub, "c", 1);
    test_send(pub, "cooked");
    test_recv_none(rsub, 50);

    /* Raw sockets refuse the undefined direction too. */
    CHECK_ERR(nn_recv(rpub, buf, sizeof buf, 0), ENOTSUP);
    CHECK_ERR(nn_send(rsub, "x", 1, 0), ENOTSUP);
    CHECK_ERR(nn_setsockopt(rpub, NN_SUB, NN_SUB_SUBSCRIBE, "", 0), ENOPROTOOPT);

    test_close(rpub);
    test_close(rsub);
    test_close(pub);
    test_close(sub);
}

static void test_incompatible(void)
{
    /* SUB talks only to PUB; PUB only to SUB. */
    int pub = test_socket(AF_SP, NN_PUB);
    int sub = test_socket(AF_SP, NN_SUB);
    int pub2 = test_socket(AF_SP, NN_PUB);
    int sub2 = test_socket(AF_SP, NN_SUB);
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    test_setopt_int(sub2, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    subscribe(sub, "", 0);
    subscribe(sub2, "", 0);
    test_bind(pub, "inproc://pubsub-pp");
    test_connect(pub2, "inproc://pubsub-pp");
    test_bind(sub, "inproc://pubsub-ss");
    test_connect(sub2, "inproc://pubsub-ss");
    sleep_ms(50);
    test_send(pub, "p2p");
    test_send(pub2, "p2p");
    test_recv_none(sub, 50);
    test_recv_none(sub2, 50);
    test_close(pub);
    test_close(pub2);
    test_close(sub);
    test_close(sub2);
}

int main(void)
{
    alarm(60);
    test_errors();
    test_no_subscription();
    test_empty_prefix();
    test_prefix();
    test_several_subscriptions();
    test_unsubscribe();
    test_refcount();
    test_binary_topics();
    test_several_subs();
    test_slow_subscriber();
    test_raw();
    test_incompatible();
    return 0;
}
