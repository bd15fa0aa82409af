/* raw_thr: the throughput limit for scripts/bench, with no messaging
   library.
     raw_thr local <bind-to> <message-size> <message-count>    (reads, times)
     raw_thr remote <connect-to> <message-size> <message-count> (writes)
     raw_thr inproc <message-size> <message-count>
   local/remote: one tcp (TCP_NODELAY) or unix stream connection; the remote
   side writes a 1-byte start marker, then message-count messages of
   message-size bytes with plain write()s of RAW_BATCH bytes (default 65536;
   whole messages, at least one per write(); RAW_BATCH=1 writes each message
   on its own, a limit that any library that batches beats); the local side
   reads the marker, starts the clock and reads (256 KiB at a time) until
   it has count*size bytes. inproc: a single-producer single-consumer ring
   of 1024 message-size slots between two threads, the producer copying
   each message in and the consumer copying it out; either side that must
   wait sleeps on a futex (raw_common.h's wait_change, after RAW_SPIN
   checks, default 0). Prints the throughput in local_thr's format. */
#include "raw_common.h"
#include <pthread.h>

static size_t size;
static int count;

static void report(double elapsed)
{
    unsigned long thr;
    if (elapsed <= 0)
        elapsed = 1;
    thr = (unsigned long) ((double) count / elapsed * 1e6);
    printf("message size: %d [B]\n", (int) size);
    printf("message count: %d\n", count);
    printf("throughput: %lu [msg/s]\n", thr);
    printf("throughput: %.3f [Mb/s]\n", (double) thr * size * 8 / 1e6);
    fflush(stdout);
}

#define SLOTS 1024
static char *ring;
/* Counts of messages produced and consumed; each side sleeps on the other's
   counter. */
static _Alignas(64) atomic_int head;
static _Alignas(64) atomic_int tail;
static struct waitq consumer_q, producer_q;

static void *producer(void *arg)
{
    char *msg = malloc(size);
    (void) arg;
    if (msg == NULL)
        die("malloc");
    memset(msg, 111, size);
    for (int i = 0; i < count; i++) {
        int t;
        while (i - (t = atomic_load_explicit(&tail, memory_order_acquire)) >= SLOTS)
            wait_change(&tail, t, &producer_q);
        memcpy(ring + (size_t) (i % SLOTS) * size, msg, size);
        publish(&head, i + 1, &consumer_q);
    }
    free(msg);
    return NULL;
}

int main(int argc, char *argv[])
{
    const char *role = argc > 1 ? argv[1] : "";
    double start;

    prog = "raw_thr";
    if (!((argc == 5 && (strcmp(role, "local") == 0 || strcmp(role, "remote") == 0)) ||
          (argc == 4 && strcmp(role, "inproc") == 0))) {
        printf("usage: raw_thr local|remote <address> <message-size> <message-count>\n"
               "       raw_thr inproc <message-size> <message-count>\n");
        return 1;
    }
    size = (size_t) atoi(argv[argc - 2]);
    count = atoi(argv[argc - 1]);
    if (size == 0 || count <= 0) {
        fprintf(stderr, "raw_thr: message size and count must be positive\n");
        return 1;
    }
    init_spins();

    if (strcmp(role, "inproc") == 0) {
        pthread_t t;
        char *msg = malloc(size);
        ring = malloc(SLOTS * size);
        if (msg == NULL || ring == NULL)
            die("malloc");
        start = now_us();
        if (pthread_create(&t, NULL, producer, NULL) != 0)
            die("pthread_create");
        for (int i = 0; i < count; i++) {
            int h;
            while ((h = atomic_load_explicit(&head, memory_order_acquire)) <= i)
                wait_change(&head, h, &consumer_q);
            memcpy(msg, ring + (size_t) (i % SLOTS) * size, size);
            publish(&tail, i + 1, &producer_q);
        }
        report(now_us() - start);
        pthread_join(t, NULL);
        free(msg);
        free(ring);
    } else if (strcmp(role, "local") == 0) {
        size_t want = size * (size_t) count, bufsz = 256 * 1024;
        char *buf = malloc(bufsz);
        int fd = accept_one(argv[2]);
        if (buf == NULL)
            die("malloc");
        read_all(fd, buf, 1);
        start = now_us();
        while (want > 0) {
            ssize_t r = read(fd, buf, want < bufsz ? want : bufsz);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                die("read");
            }
            if (r == 0) {
                fprintf(stderr, "raw_thr: peer closed early\n");
                return 1;
            }
            want -= (size_t) r;
        }
        report(now_us() - start);
        close(fd);
        free(buf);
    } else {
        const char *b = getenv("RAW_BATCH");
        long batch_bytes = b != NULL && *b ? atol(b) : 65536;
        int per = batch_bytes > (long) size ? (int) (batch_bytes / (long) size) : 1;
        char *msg = malloc(size * (size_t) per);
        int fd = connect_to(argv[2]);
        if (msg == NULL)
            die("malloc");
        memset(msg, 111, size * (size_t) per);
        write_all(fd, "S", 1);
        for (int i = 0; i < count; i += per) {
            int n = count - i < per ? count - i : per;
            write_all(fd, msg, size * (size_t) n);
        }
        close(fd);
        free(msg);
    }
    return 0;
}
