/* raw_lat: the latency limit for scripts/bench, with no messaging library.
     raw_lat local <bind-to> <message-size> <roundtrip-count>   (echoes)
     raw_lat remote <connect-to> <message-size> <roundtrip-count> (times)
     raw_lat inproc <message-size> <roundtrip-count>
   local/remote: one tcp (TCP_NODELAY) or unix stream connection; the remote
   side writes a message of message-size bytes with one write() and reads
   the echo back with blocking read()s, roundtrip-count times. inproc: two
   threads pass a message-size buffer back and forth through shared memory,
   each copying it in and out, handing over with an atomic turn word and a
   futex (raw_common.h's wait_change; a waiter checks RAW_SPIN times first,
   default 0: on the busy 2-core development machine spinning only made it
   slower). Prints the one-way latency, half the average round trip, in
   remote_lat's format. */
#include "raw_common.h"
#include <pthread.h>

static size_t size;
static int count;

static void report(double elapsed)
{
    printf("message size: %d [B]\n", (int) size);
    printf("roundtrip count: %d\n", count);
    printf("average latency: %.3f [us]\n", elapsed / ((double) count * 2));
    fflush(stdout);
}

/* inproc: turn is 0 when the main thread may write, 1 when the echo thread
   may. */
static _Alignas(64) atomic_int turn;
static struct waitq main_q, echo_q;
static char *shared;

static void *inproc_echo(void *arg)
{
    char *buf = malloc(size);
    (void) arg;
    if (buf == NULL)
        die("malloc");
    for (int i = 0; i < count; i++) {
        wait_change(&turn, 0, &echo_q);
        memcpy(buf, shared, size);
        memcpy(shared, buf, size);
        publish(&turn, 0, &main_q);
    }
    free(buf);
    return NULL;
}

int main(int argc, char *argv[])
{
    const char *role = argc > 1 ? argv[1] : "";
    char *buf;
    double start;

    prog = "raw_lat";
    if (!((argc == 5 && (strcmp(role, "local") == 0 || strcmp(role, "remote") == 0)) ||
          (argc == 4 && strcmp(role, "inproc") == 0))) {
        printf("usage: raw_lat local|remote <address> <message-size> <roundtrip-count>\n"
               "       raw_lat inproc <message-size> <roundtrip-count>\n");
        return 1;
    }
    size = (size_t) atoi(argv[argc - 2]);
    count = atoi(argv[argc - 1]);
    if (size == 0 || count <= 0) {
        fprintf(stderr, "raw_lat: message size and count must be positive\n");
        return 1;
    }
    buf = malloc(size);
    if (buf == NULL)
        die("malloc");
    memset(buf, 111, size);
    init_spins();

    if (strcmp(role, "inproc") == 0) {
        pthread_t t;
        shared = malloc(size);
        if (shared == NULL)
            die("malloc");
        if (pthread_create(&t, NULL, inproc_echo, NULL) != 0)
            die("pthread_create");
        start = now_us();
        for (int i = 0; i < count; i++) {
            memcpy(shared, buf, size);
            publish(&turn, 1, &echo_q);
            wait_change(&turn, 1, &main_q);
            memcpy(buf, shared, size);
        }
        report(now_us() - start);
        pthread_join(t, NULL);
    } else if (strcmp(role, "local") == 0) {
        int fd = accept_one(argv[2]);
        for (int i = 0; i < count; i++) {
            read_all(fd, buf, size);
            write_all(fd, buf, size);
        }
        close(fd);
    } else {
        int fd = connect_to(argv[2]);
        start = now_us();
        for (int i = 0; i < count; i++) {
            write_all(fd, buf, size);
            read_all(fd, buf, size);
        }
        report(now_us() - start);
        close(fd);
    }
    free(buf);
    return 0;
}
