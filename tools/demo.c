/* A short demonstration: two PAIR sockets talking over inproc, one in a
   second thread, with a zero-copy message in the middle. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void *peer(void *arg)
{
    int s = nn_socket(AF_SP, NN_PAIR);
    char buf[64];
    (void) arg;
    nn_connect(s, "inproc://demo");
    for (int i = 0; i < 3; i++) {
        int n = nn_recv(s, buf, sizeof buf, 0);
        if (n < 0)
            break;
        printf("  peer got \"%.*s\", echoing it back\n", n, buf);
        nn_send(s, buf, (size_t) n, 0);
    }
    nn_close(s);
    return NULL;
}

int main(void)
{
    const char *words[] = { "hello", "from", "rust" };
    pthread_t t;
    char buf[64];
    int s = nn_socket(AF_SP, NN_PAIR);
    if (s < 0 || nn_bind(s, "inproc://demo") < 0) {
        fprintf(stderr, "demo: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    pthread_create(&t, NULL, peer, NULL);
    for (int i = 0; i < 3; i++) {
        if (i == 2) {
            /* Zero-copy: the buffer itself travels to the peer. */
            void *m = nn_allocmsg(strlen(words[i]), 0);
            memcpy(m, words[i], strlen(words[i]));
            nn_send(s, &m, NN_MSG, 0);
        } else {
            nn_send(s, words[i], strlen(words[i]), 0);
        }
        int n = nn_recv(s, buf, sizeof buf, 0);
        printf("main got \"%.*s\" back\n", n, buf);
    }
    pthread_join(t, NULL);
    nn_close(s);
    printf("demo: OK\n");
    return 0;
}
