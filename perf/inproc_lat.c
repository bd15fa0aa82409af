/* inproc_lat <message-size> <roundtrip-count>: one-way latency of PAIR
   sockets over inproc, measured as half the average round trip. */
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

static void *echo(void *arg)
{
    char *buf = malloc(size ? size : 1);
    int s = nn_socket(AF_SP, NN_PAIR);
    (void) arg;
    if (s < 0 || nn_connect(s, "inproc://inproc_lat") < 0)
        exit(1);
    for (int i = 0; i < count; i++) {
        int n = nn_recv(s, buf, size, 0);
        if (n != (int) size || nn_send(s, buf, size, 0) != (int) size)
            exit(1);
    }
    /* Closing drops what is still queued (no linger, as upstream), which
       could be the last echo: wait until the main thread says it has it. */
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

    if (argc != 3) {
        printf("usage: inproc_lat <message-size> <roundtrip-count>\n");
        return 1;
    }
    size = (size_t) atoi(argv[1]);
    count = atoi(argv[2]);
    buf = malloc(size ? size : 1);
    memset(buf, 111, size);

    s = nn_socket(AF_SP, NN_PAIR);
    if (s < 0 || nn_bind(s, "inproc://inproc_lat") < 0) {
        fprintf(stderr, "inproc_lat: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    pthread_create(&t, NULL, echo, NULL);
    start = now_us();
    for (int i = 0; i < count; i++) {
        if (nn_send(s, buf, size, 0) != (int) size || nn_recv(s, buf, size, 0) != (int) size) {
            fprintf(stderr, "inproc_lat: %s\n", nn_strerror(nn_errno()));
            return 1;
        }
    }
    elapsed = now_us() - start;
    if (nn_send(s, "", 0, 0) != 0) {
        fprintf(stderr, "inproc_lat: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    pthread_join(t, NULL);

    printf("message size: %d [B]\n", (int) size);
    printf("roundtrip count: %d\n", count);
    printf("average latency: %.3f [us]\n", elapsed / (count * 2));
    nn_close(s);
    free(buf);
    return 0;
}
