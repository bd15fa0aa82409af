/* Shared by raw_lat.c and raw_thr.c: the "limit" programs of scripts/bench,
   plain sockets and threads with no messaging library. Addresses are written
   as for nanomsg: tcp://HOST:PORT (numeric IPv4) or ipc://PATH (a unix
   stream socket). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *prog;

static void die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    exit(1);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Fills *sa from addr; returns its length. */
static socklen_t parse_addr(const char *addr, struct sockaddr_storage *sa)
{
    memset(sa, 0, sizeof *sa);
    if (strncmp(addr, "ipc://", 6) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *) sa;
        if (strlen(addr + 6) >= sizeof un->sun_path) {
            fprintf(stderr, "%s: ipc path too long\n", prog);
            exit(1);
        }
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, addr + 6);
        return sizeof *un;
    }
    if (strncmp(addr, "tcp://", 6) == 0) {
        struct sockaddr_in *in = (struct sockaddr_in *) sa;
        char host[64];
        const char *colon = strrchr(addr + 6, ':');
        size_t hl = colon ? (size_t) (colon - (addr + 6)) : 0;
        if (colon == NULL || hl == 0 || hl >= sizeof host) {
            fprintf(stderr, "%s: bad address %s\n", prog, addr);
            exit(1);
        }
        memcpy(host, addr + 6, hl);
        host[hl] = 0;
        in->sin_family = AF_INET;
        in->sin_port = htons((unsigned short) atoi(colon + 1));
        if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
            fprintf(stderr, "%s: bad address %s\n", prog, addr);
            exit(1);
        }
        return sizeof *in;
    }
    fprintf(stderr, "%s: only tcp:// and ipc:// addresses: %s\n", prog, addr);
    exit(1);
}

static void nodelay(int fd, const struct sockaddr_storage *sa)
{
    int one = 1;
    if (sa->ss_family == AF_INET &&
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        die("TCP_NODELAY");
}

/* Listens on addr and returns the one accepted connection. */
static int accept_one(const char *addr)
{
    struct sockaddr_storage sa;
    socklen_t len = parse_addr(addr, &sa);
    int one = 1, l, fd;
    l = socket(sa.ss_family, SOCK_STREAM, 0);
    if (l < 0)
        die("socket");
    if (sa.ss_family == AF_INET &&
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        die("SO_REUSEADDR");
    if (bind(l, (struct sockaddr *) &sa, len) < 0)
        die("bind");
    if (listen(l, 1) < 0)
        die("listen");
    fd = accept(l, NULL, NULL);
    if (fd < 0)
        die("accept");
    close(l);
    if (sa.ss_family == AF_UNIX)
        unlink(((struct sockaddr_un *) &sa)->sun_path);
    nodelay(fd, &sa);
    return fd;
}

static int connect_to(const char *addr)
{
    struct sockaddr_storage sa;
    socklen_t len = parse_addr(addr, &sa);
    int fd = socket(sa.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *) &sa, len) < 0)
        die("connect");
    nodelay(fd, &sa);
    return fd;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        p += w;
        n -= (size_t) w;
    }
}

static void read_all(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            die("read");
        }
        if (r == 0) {
            fprintf(stderr, "%s: peer closed early\n", prog);
            exit(1);
        }
        p += r;
        n -= (size_t) r;
    }
}

/* Futex helpers for the inproc modes: spin a while, then sleep in the
   kernel. */
#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>

static void futex_wait(atomic_int *f, int val)
{
    syscall(SYS_futex, f, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_int *f)
{
    syscall(SYS_futex, f, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
}

/* How many times a waiter checks before it sleeps; RAW_SPIN overrides. */
static int spins = 0;

static void init_spins(void)
{
    const char *s = getenv("RAW_SPIN");
    if (s != NULL && *s)
        spins = atoi(s);
}

/* One waiting thread's sleep: an event count to sleep on and a flag that
   says the thread may be asleep, so that publish() makes the futex_wake
   system call once per sleep, not once per message. The waiter reads the
   count BEFORE it raises the flag: a waker that clears a flag raised for a
   later sleep than the one its own store ends still bumps the count after
   the waiter read it, so that sleep does not start. */
struct waitq {
    _Alignas(64) atomic_int count;
    atomic_int flag;
};

/* Waits until *f != val. */
static void wait_change(atomic_int *f, int val, struct waitq *q)
{
    for (int i = 0; i < spins; i++) {
        if (atomic_load_explicit(f, memory_order_acquire) != val)
            return;
        __asm__ __volatile__("" ::: "memory");
    }
    for (;;) {
        int key = atomic_load(&q->count);
        atomic_store(&q->flag, 1);
        if (atomic_load(f) != val) /* all seq_cst: pairs with publish() */
            return;
        futex_wait(&q->count, key);
    }
}

/* Sets *f to val and wakes q's thread if it may be asleep. */
static void publish(atomic_int *f, int val, struct waitq *q)
{
    atomic_store(f, val);
    if (atomic_load(&q->flag) && atomic_exchange(&q->flag, 0)) {
        atomic_fetch_add(&q->count, 1);
        futex_wake(&q->count);
    }
}
