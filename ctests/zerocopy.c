/* Zero-copy message passing: chunks from nn_allocmsg sent with NN_MSG, and
   NN_MSG-received buffers that can be reallocated, resent and freed. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

static int a, b;

static void test_chunk_roundtrip(void)
{
    size_t sizes[] = { 0, 1, 7, 4096, 1024 * 1024 };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t sz = sizes[k];
        unsigned char *m = nn_allocmsg(sz, 0);
        CHECK(m != NULL);
        for (size_t i = 0; i < sz; i++)
            m[i] = (unsigned char) (i ^ (i >> 8) ^ k);
        int rc = nn_send(a, &m, NN_MSG, 0);
        CHECK(rc == (int) sz);

        unsigned char *r = NULL;
        rc = nn_recv(b, &r, NN_MSG, 0);
        CHECK(rc == (int) sz);
        CHECK(r != NULL);
        for (size_t i = 0; i < sz; i++)
            CHECK(r[i] == (unsigned char) (i ^ (i >> 8) ^ k));
        CHECK(nn_freemsg(r) == 0);
    }
}

static void test_received_realloc(void)
{
    test_send(a, "hello");
    char *r = NULL;
    int rc = nn_recv(b, &r, NN_MSG, 0);
    CHECK(rc == 5);

    /* Grow the received buffer, append, and send it back zero-copy. */
    r = nn_reallocmsg(r, 11);
    CHECK(r != NULL);
    CHECK(memcmp(r, "hello", 5) == 0);
    memcpy(r + 5, " world", 6);
    rc = nn_send(b, &r, NN_MSG, 0);
    CHECK(rc == 11);
    test_recv(a, "hello world");

    /* Shrink a received buffer. */
    test_send(a, "truncate-me");
    r = NULL;
    rc = nn_recv(b, &r, NN_MSG, 0);
    CHECK(rc == 11);
    r = nn_reallocmsg(r, 8);
    CHECK(r != NULL);
    CHECK(memcmp(r, "truncate", 8) == 0);
    rc = nn_send(b, &r, NN_MSG, 0);
    CHECK(rc == 8);
    test_recv(a, "truncate");

    /* Received big buffer grown further, then freed. */
    size_t big = 512 * 1024;
    unsigned char *m = nn_allocmsg(big, 0);
    CHECK(m != NULL);
    memset(m, 0x3c, big);
    rc = nn_send(a, &m, NN_MSG, 0);
    CHECK(rc == (int) big);
    unsigned char *q = NULL;
    rc = nn_recv(b, &q, NN_MSG, 0);
    CHECK(rc == (int) big);
    q = nn_reallocmsg(q, 2 * big);
    CHECK(q != NULL);
    for (size_t i = 0; i < big; i++)
        CHECK(q[i] == 0x3c);
    memset(q + big, 0x4d, big);
    CHECK(nn_freemsg(q) == 0);
}

static void test_same_chunk_twice(void)
{
    /* A message sent zero-copy through two hops arrives intact. */
    int c = test_socket(AF_SP, NN_PAIR);
    int d = test_socket(AF_SP, NN_PAIR);
    test_bind(c, "inproc://zerocopy-hop");
    test_connect(d, "inproc://zerocopy-hop");
    unsigned char *m = nn_allocmsg(1000, 0);
    CHECK(m != NULL);
    for (int i = 0; i < 1000; i++)
        m[i] = (unsigned char) (i * 13);
    CHECK(nn_send(a, &m, NN_MSG, 0) == 1000);
    void *r = NULL;
    CHECK(nn_recv(b, &r, NN_MSG, 0) == 1000);
    CHECK(nn_send(c, &r, NN_MSG, 0) == 1000);
    unsigned char *f = NULL;
    CHECK(nn_recv(d, &f, NN_MSG, 0) == 1000);
    for (int i = 0; i < 1000; i++)
        CHECK(f[i] == (unsigned char) (i * 13));
    CHECK(nn_freemsg(f) == 0);
    test_close(c);
    test_close(d);
}

static void test_many_chunks(void)
{
    /* 100k alloc/send/recv/free cycles must not crash or lose data. */
    for (int i = 0; i < 100000; i++) {
        int *m = nn_allocmsg(sizeof(int), 0);
        CHECK(m != NULL);
        *m = i;
        CHECK(nn_send(a, &m, NN_MSG, 0) == (int) sizeof(int));
        int *r = NULL;
        CHECK(nn_recv(b, &r, NN_MSG, 0) == (int) sizeof(int));
        CHECK(*r == i);
        CHECK(nn_freemsg(r) == 0);
    }
}

int main(void)
{
    alarm(20);
    a = test_socket(AF_SP, NN_PAIR);
    b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://zerocopy");
    test_connect(b, "inproc://zerocopy");

    test_chunk_roundtrip();
    test_received_realloc();
    test_same_chunk_twice();
    test_many_chunks();

    test_close(a);
    test_close(b);
    return 0;
}
