/* inproc_thr <message-size> <message-count>: throughput of PAIR sockets over
   inproc, one thread sending and one receiving. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t size;
static int count;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void *sender(void *arg)
{
    char *buf = malloc(size ? size : 1);
    int s = nn_socket(AF_SP, NN_PAIR);
    (void) arg;
    memset(buf, 111, size);
    if (s < 0 || nn_connect(s, "inproc://inproc_thr") < 0)
        exit(1);
    /* An empty message first: the receiver starts its clock on it. */
    if (nn_send(s, "", 0, 0) != 0)
        exit(1);
    for (int i = 0; i < count; i++)
        if (nn_send(s, buf, size, 0) != (int) size)
            exit(1);
    /* Closing drops what is still queued (no linger, as upstream), so wait
       for the receiver's acknowledgement first. */
    if (nn_recv(s, buf, size, 0) < 0)
        exit(1);
    nn_close(s);
    free(buf);
    return NULL;
}

int main(int argc, char *argv[])
{
    pthread_t t;
    char *buf;
    int s;
    double start, elapsed;
    unsigned long thr;

    if (argc != 3) {
        printf("usage: inproc_thr <message-size> <message-count>\n");
        return 1;
    }
    size = (size_t) atoi(argv[1]);
    count = atoi(argv[2]);
    buf = malloc(size ? size : 1);

    s = nn_socket(AF_SP, NN_PAIR);
    if (s < 0 || nn_bind(s, "inproc://inproc_thr") < 0) {
        fprintf(stderr, "inproc_thr: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    pthread_create(&t, NULL, sender, NULL);
    if (nn_recv(s, buf, size, 0) != 0)
        return 1;
    start = now_us();
    for (int i = 0; i < count; i++) {
        if (nn_recv(s, buf, size, 0) != (int) size) {
            fprintf(stderr, "inproc_thr: %s\n", nn_strerror(nn_errno()));
            return 1;
        }
    }
    elapsed = now_us() - start;
    if (nn_send(s, "", 0, 0) != 0)
        return 1;
    pthread_join(t, NULL);
    if (elapsed <= 0)
        elapsed = 1;
    thr = (unsigned long) ((double) count / elapsed * 1e6);
    printf("message size: %d [B]\n", (int) size);
    printf("message count: %d\n", count);
    printf("throughput: %lu [msg/s]\n", thr);
    printf("throughput: %.3f [Mb/s]\n", (double) thr * size * 8 / 1e6);
    nn_close(s);
    free(buf);
    return 0;
}
