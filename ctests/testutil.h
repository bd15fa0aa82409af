/* Small helpers shared by the C tests. Every check aborts the test with the
   file, line, the failed expression and the current nn_errno, so a failing
   test always says why. Each test program returns 0 when everything held. */
#ifndef NN_TESTUTIL_H
#define NN_TESTUTIL_H

#include <nanomsg/nn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: CHECK failed: %s (errno %d: %s)\n",      \
                __FILE__, __LINE__, #cond, nn_errno(),                       \
                nn_strerror(nn_errno()));                                    \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

/* The call must fail with -1 and exactly this errno. */
#define CHECK_ERR(call, err)                                                 \
    do {                                                                     \
        long rc_ = (long) (call);                                            \
        int e_ = nn_errno();                                                 \
        if (rc_ != -1 || e_ != (err)) {                                      \
            fprintf(stderr, "%s:%d: %s returned %ld errno %d (%s), "         \
                "expected -1 errno %d (%s)\n", __FILE__, __LINE__, #call,    \
                rc_, e_, nn_strerror(e_), (int) (err), nn_strerror(err));    \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

static inline int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static inline int test_socket(int domain, int protocol)
{
    int s = nn_socket(domain, protocol);
    CHECK(s >= 0);
    return s;
}

static inline void test_close(int s)
{
    int rc = nn_close(s);
    CHECK(rc == 0);
}

static inline int test_bind(int s, const char *addr)
{
    int eid = nn_bind(s, addr);
    CHECK(eid >= 0);
    return eid;
}

static inline int test_connect(int s, const char *addr)
{
    int eid = nn_connect(s, addr);
    CHECK(eid >= 0);
    return eid;
}

static inline void test_send(int s, const char *text)
{
    size_t len = strlen(text);
    int rc = nn_send(s, text, len, 0);
    CHECK(rc == (int) len);
}

static inline void test_recv(int s, const char *text)
{
    char buf[256];
    size_t len = strlen(text);
    int rc = nn_recv(s, buf, sizeof buf, 0);
    CHECK(rc == (int) len);
    CHECK(memcmp(buf, text, len) == 0);
}

static inline void test_setopt_int(int s, int level, int opt, int value)
{
    int rc = nn_setsockopt(s, level, opt, &value, sizeof value);
    CHECK(rc == 0);
}

static inline int test_getopt_int(int s, int level, int opt)
{
    int value = -12345;
    size_t sz = sizeof value;
    int rc = nn_getsockopt(s, level, opt, &value, &sz);
    CHECK(rc == 0);
    CHECK(sz == sizeof value);
    return value;
}

/* A thread that runs fn(arg); join with test_thread_join. */
typedef struct { pthread_t id; } test_thread;

static inline void test_thread_start(test_thread *t, void *(*fn)(void *), void *arg)
{
    int rc = pthread_create(&t->id, NULL, fn, arg);
    CHECK(rc == 0);
}

static inline void test_thread_join(test_thread *t)
{
    int rc = pthread_join(t->id, NULL);
    CHECK(rc == 0);
}

#endif
