/* zmq_fanout: perf/fanout.c over libzmq's public API, for comparison
   (scripts/bench): the same arguments, method and output; PUB/SUB with
   ZMQ_SUBSCRIBE "", zmq_poll, one context (one I/O thread, the default).
   What follows is fanout.c's description.

   fanout <bind-address> <subscribers> <message-count> [threads]: one PUB
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
#include <pthread.h>
#include <zmq.h>

#include "zmq_common.h"
#include "fanout_common.h"

static void *subs[MAXSUBS];
static void *pub;

static void *reader(void *arg)
{
    int t = (int) (long) arg;
    zmq_pollitem_t pfd[MAXSUBS];
    int idx[MAXSUBS], k = 0;
    for (int i = t; i < nsubs; i += nthreads) {
        pfd[k].socket = subs[i];
        pfd[k].fd = 0;
        pfd[k].events = ZMQ_POLLIN;
        idx[k++] = i;
    }
    int left = k;
    char buf[SIZE];
    while (left > 0) {
        if (zmq_poll(pfd, k, 1000) < 0)
            fail("zmq_poll");
        for (int j = 0; j < k; j++) {
            if (!(pfd[j].revents & ZMQ_POLLIN))
                continue;
            int n;
            while ((n = zmq_recv(subs[idx[j]], buf, SIZE, ZMQ_DONTWAIT)) >= 0) {
                if (fanout_take("zmq_fanout", idx[j], buf, n)) {
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
    return zmq_send(pub, msg, SIZE, 0) == SIZE;
}

static void fail_send(const char *what)
{
    fprintf(stderr, "zmq_fanout: zmq_send %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

int main(int argc, char **argv)
{
    prog = "zmq_fanout";
    fanout_args(argc, argv, prog);
    int zero = 0;
    void *ctx = zmq_ctx_new();
    pub = zmq_socket(ctx, ZMQ_PUB);
    if (pub == NULL)
        fail("zmq_socket");
    zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind(pub, argv[1]) < 0)
        fail("zmq_bind");
    for (int i = 0; i < nsubs; i++) {
        subs[i] = zmq_socket(ctx, ZMQ_SUB);
        if (subs[i] == NULL)
            fail("zmq_socket");
        zmq_setsockopt(subs[i], ZMQ_LINGER, &zero, sizeof zero);
        if (zmq_setsockopt(subs[i], ZMQ_SUBSCRIBE, "", 0) < 0)
            fail("ZMQ_SUBSCRIBE");
        if (zmq_connect(subs[i], argv[1]) < 0)
            fail("zmq_connect");
    }
    pthread_t th[MAXTHREADS];
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&th[t], NULL, reader, (void *) (long) t)) {
            fprintf(stderr, "zmq_fanout: pthread_create failed\n");
            return 1;
        }
    double el = fanout_drive(prog, send_msg, fail_send);
    for (int t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
    fanout_report(el);
    for (int i = 0; i < nsubs; i++)
        zmq_close(subs[i]);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return 0;
}
