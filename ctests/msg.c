/* Message buffer API: nn_allocmsg / nn_reallocmsg / nn_freemsg. */
#include "testutil.h"

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char) (i * 31 + seed + (i >> 8));
}

static int same(const unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char) (i * 31 + seed + (i >> 8)))
            return 0;
    return 1;
}

static void test_alloc_sizes(void)
{
    void *m;

    m = nn_allocmsg(0, 0);
    CHECK(m != NULL);
    CHECK(nn_freemsg(m) == 0);

    m = nn_allocmsg(1, 0);
    CHECK(m != NULL);
    *(unsigned char *) m = 0x5a;
    CHECK(*(unsigned char *) m == 0x5a);
    CHECK(nn_freemsg(m) == 0);

    size_t big = 1024 * 1024;
    m = nn_allocmsg(big, 0);
    CHECK(m != NULL);
    fill(m, big, 3);
    CHECK(same(m, big, 3));
    CHECK(nn_freemsg(m) == 0);

    /* Distinct allocations do not overlap. */
    unsigned char *x = nn_allocmsg(64, 0), *y = nn_allocmsg(64, 0);
    CHECK(x != NULL && y != NULL);
    CHECK(x + 64 <= y || y + 64 <= x);
    memset(x, 1, 64);
    memset(y, 2, 64);
    for (int i = 0; i < 64; i++)
        CHECK(x[i] == 1 && y[i] == 2);
    CHECK(nn_freemsg(x) == 0);
    CHECK(nn_freemsg(y) == 0);

    /* Buffers are suitably aligned for any scalar type. */
    for (size_t sz = 1; sz < 100; sz += 7) {
        m = nn_allocmsg(sz, 0);
        CHECK(m != NULL);
        CHECK(((uintptr_t) m % sizeof(void *)) == 0);
        CHECK(nn_freemsg(m) == 0);
    }
}

static void test_alloc_errors(void)
{
    /* Only allocation type 0 exists. */
    errno = 0;
    CHECK(nn_allocmsg(5, 1) == NULL);
    CHECK(nn_errno() == EINVAL);
    CHECK(nn_allocmsg(5, -1) == NULL);
    CHECK(nn_errno() == EINVAL);
    CHECK(nn_allocmsg(0, 42) == NULL);
    CHECK(nn_errno() == EINVAL);

    /* Impossible sizes fail with ENOMEM instead of overflowing. */
    CHECK(nn_allocmsg((size_t) -1, 0) == NULL);
    CHECK(nn_errno() == ENOMEM);
    CHECK(nn_allocmsg((size_t) -100, 0) == NULL);
    CHECK(nn_errno() == ENOMEM);
    CHECK(nn_allocmsg((size_t) 1 << 62, 0) == NULL);
    CHECK(nn_errno() == ENOMEM);
}

static void test_realloc(void)
{
    unsigned char *m = nn_allocmsg(100, 0);
    CHECK(m != NULL);
    fill(m, 100, 9);

    /* Growing keeps the old content. */
    unsigned char *g = nn_reallocmsg(m, 100000);
    CHECK(g != NULL);
    CHECK(same(g, 100, 9));
    fill(g, 100000, 11);
    CHECK(same(g, 100000, 11));

    /* Shrinking keeps the prefix. */
    unsigned char *s = nn_reallocmsg(g, 10);
    CHECK(s != NULL);
    CHECK(same(s, 10, 11));

    /* Grow by one byte repeatedly. */
    for (size_t n = 11; n < 600; n++) {
        s = nn_reallocmsg(s, n);
        CHECK(s != NULL);
        CHECK(same(s, n - 1, 11));
        fill(s, n, 11);
    }

    /* To size 0 and back. */
    s = nn_reallocmsg(s, 0);
    CHECK(s != NULL);
    s = nn_reallocmsg(s, 5);
    CHECK(s != NULL);
    memcpy(s, "hello", 5);
    CHECK(memcmp(s, "hello", 5) == 0);

    /* A failing realloc returns NULL with ENOMEM and leaves the original
       message intact and still owned by the caller. */
    CHECK(nn_reallocmsg(s, (size_t) -1) == NULL);
    CHECK(nn_errno() == ENOMEM);
    CHECK(memcmp(s, "hello", 5) == 0);
    CHECK(nn_freemsg(s) == 0);

    /* Realloc of a zero-sized message. */
    m = nn_allocmsg(0, 0);
    CHECK(m != NULL);
    m = nn_reallocmsg(m, 1024 * 1024);
    CHECK(m != NULL);
    fill(m, 1024 * 1024, 1);
    CHECK(same(m, 1024 * 1024, 1));
    CHECK(nn_freemsg(m) == 0);
}

static void test_many(void)
{
    /* 100k allocate/free cycles, plus a batch held at once. */
    for (int i = 0; i < 100000; i++) {
        unsigned char *m = nn_allocmsg((size_t) (i % 257), 0);
        CHECK(m != NULL);
        if (i % 257)
            m[0] = m[(i % 257) - 1] = (unsigned char) i;
        CHECK(nn_freemsg(m) == 0);
    }
    enum { N = 10000 };
    static void *held[N];
    for (int i = 0; i < N; i++) {
        held[i] = nn_allocmsg(sizeof(int), 0);
        CHECK(held[i] != NULL);
        memcpy(held[i], &i, sizeof i);
    }
    for (int i = 0; i < N; i++) {
        int v;
        memcpy(&v, held[i], sizeof v);
        CHECK(v == i);
        CHECK(nn_freemsg(held[i]) == 0);
    }
}

int main(void)
{
    alarm(20);
    test_alloc_sizes();
    test_alloc_errors();
    test_realloc();
    test_many();
    return 0;
}
