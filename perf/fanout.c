/* fanout <bind-address> <subscribers> <message-count> [threads]: one PUB
   (bound at <bind-address>, tcp) to <subscribers> SUBs in this process,
   each subscribed to everything and connected over its own connection,
   read by [threads] (default 4) threads with nn_poll. 64-byte messages.
   Measured: messages DELIVERED per second, summed over the subscribers.

   Slow joiners: the PUB sends "hello" messages (every millisecond) until
   every SUB has received one, then the clock starts. PUB drops a message
   for a subscriber whose queue is full, so the sender is paced by the
   subscribers (they share this process): it never gets more than WINDOW
   messages ahead of the slowest one; the run measures the delivery rate
   of the library, not how much it drops (a stall of 100 ms, a dropped
   message, reopens the window). After <message-count> data
   messages it sends "end" messages (every millisecond) until every SUB
   has received one; the clock stops when the last SUB got its end.
   Prints the delivered count (of subscribers x count; lost messages, if
   any, are printed, not hidden) and the rate. Exit 0 means every SUB got
   its end (the run terminated), even if some data was dropped. */
#define _POSIX_C_SOURCE 200809L
#include <nanomsg/nn.h>
#include <nanomsg/pubsub.h>
#include <pthread.h>

#include "fanout_common.h"

static int subs[MAXSUBS];
static int pub;

static void fail(const char *what)
{
    fprintf(stderr, "fanout: %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

static void *reader(void *arg)
{
    int t = (int) (long) arg;
    struct nn_pollfd pfd[MAXSUBS];
    int idx[MAXSUBS], k = 0;
    for (int i = t; i < nsubs; i += nthreads) {
        pfd[k].fd = subs[i];
        pfd[k].events = NN_POLLIN;
        idx[k++] = i;
    }
    int left = k;
    char buf[SIZE];
    while (left > 0) {
        if (nn_poll(pfd, k, 1000) < 0)
            fail("nn_poll");
        for (int j = 0; j < k; j++) {
            if (!(pfd[j].revents & NN_POLLIN))
                continue;
            int n;
            while ((n = nn_recv(subs[idx[j]], buf, SIZE, NN_DONTWAIT)) >= 0) {
                if (fanout_take("fanout", idx[j], buf, n)) {
                    pfd[j].events = 0;
                    left--;
                    break;
                }
            }
        }
    }
    return NULL;
}

static int send_msg(const char *msg)
{
    return nn_send(pub, msg, SIZE, 0) == SIZE;
}

static void fail_send(const char *what)
{
    fprintf(stderr, "fanout: nn_send %s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

int main(int argc, char **argv)
{
    fanout_args(argc, argv, "fanout");
    pub = nn_socket(AF_SP, NN_PUB);
    if (pub < 0)
        fail("nn_socket");
    if (nn_bind(pub, argv[1]) < 0)
        fail("nn_bind");
    for (int i = 0; i < nsubs; i++) {
        subs[i] = nn_socket(AF_SP, NN_SUB);
        if (subs[i] < 0)
            fail("nn_socket");
        if (nn_setsockopt(subs[i], NN_SUB, NN_SUB_SUBSCRIBE, "", 0) < 0)
            fail("NN_SUB_SUBSCRIBE");
        if (nn_connect(subs[i], argv[1]) < 0)
            fail("nn_connect");
    }
    pthread_t th[MAXTHREADS];
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&th[t], NULL, reader, (void *) (long) t)) {
            fprintf(stderr, "fanout: pthread_create failed\n");
            return 1;
        }
    double el = fanout_drive("fanout", send_msg, fail_send);
    for (int t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
    fanout_report(el);
    for (int i = 0; i < nsubs; i++)
        nn_close(subs[i]);
    nn_close(pub);
    return 0;
}
