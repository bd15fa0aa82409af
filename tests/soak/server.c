/* The soak's server: one bound nn socket per (role, transport) (see
   soak.h), each served by its own thread, on the library it was linked
   with (scripts/soak builds it with an rpath to the library under test).

   Usage: server PORT_BASE IPC_DIR

   Prints on stdout (line-buffered):
     listen ROLE TRANSPORT ADDRESS PROTO PEER_PROTO     (one per socket)
     ready PID                                            (all bound)
     firstgood ROLE TRANSPORT      (sub, pull, surveyor, req: the first
                                    answer from a good client arrived)
     trimmed N ms                  (after each SIGUSR1: malloc_trim(0) ran)
   and after SIGTERM, once every thread has stopped and every socket is
   closed:
     tally ROLE TRANSPORT handled=N good=N maxgap_ms=N maxgap_at=MS
     closed
   "good" counts what came from good clients (tagged SOAK_GOOD_TAG): the
   messages a good PUB/PUSH sends to sub/pull, the responses and replies a
   good RESPONDENT/REP returns to surveyor/req. maxgap_ms is the longest
   silence between two of them, or since the last one; maxgap_at is when
   it began (CLOCK_MONOTONIC ms).

   Exit status: 0, or 1 when a bind or socket option failed. A crash or a
   hang in nn_close is the caller's to notice. */
#include "soak.h"
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

struct srv {
    int role, tr;
    int s;
    char addr[256];
    long handled;
    struct soak_tally good;
    pthread_t th;
};

static volatile int stopping;
static struct srv srvs[SOAK_NROLES * SOAK_NTR];

static void die(const char *what, const struct srv *v)
{
    fprintf(stderr, "server: %s failed on %s %s: %s\n", what,
        soak_roles[v->role].name, soak_transports[v->tr],
        nn_strerror(nn_errno()));
    exit(1);
}

static void setopt(struct srv *v, int level, int opt, int val)
{
    if (nn_setsockopt(v->s, level, opt, &val, sizeof val) != 0)
        die("nn_setsockopt", v);
}

static int is_good(const char *buf, int n)
{
    int k = (int) strlen(SOAK_GOOD_TAG);
    return n >= k && memcmp(buf, SOAK_GOOD_TAG, (size_t) k) == 0;
}

static void good_hit(struct srv *v)
{
    if (v->good.answers == 0)
        printf("firstgood %s %s\n", soak_roles[v->role].name,
            soak_transports[v->tr]);
    soak_tally_hit(&v->good);
}

/* pair, pair2, rep, respondent, bus: send back what came. A peer that does
   not read costs at most the send timeout per message; the message is then
   dropped. */
static void serve_echo(struct srv *v)
{
    while (!stopping) {
        char *msg = NULL;
        int n = nn_recv(v->s, &msg, NN_MSG, 0);
        if (n < 0)
            continue; /* ETIMEDOUT (100 ms), or EFSM/EAGAIN races */
        v->handled++;
        if (nn_send(v->s, &msg, NN_MSG, 0) < 0)
            nn_freemsg(msg);
    }
}

/* sub, pull: count. */
static void serve_count(struct srv *v)
{
    char buf[4096];
    while (!stopping) {
        int n = nn_recv(v->s, buf, sizeof buf, 0);
        if (n < 0)
            continue;
        v->handled++;
        if (is_good(buf, n))
            good_hit(v);
    }
}

/* pub, push: send every 20 ms. */
static void serve_send(struct srv *v)
{
    long seq = 0;
    while (!stopping) {
        char buf[64];
        int k = snprintf(buf, sizeof buf, "srv %s %ld",
            soak_roles[v->role].name, seq++);
        if (nn_send(v->s, buf, (size_t) k, NN_DONTWAIT) == k)
            v->handled++;
        soak_sleep_ms(20);
    }
}

/* surveyor: a survey every 500 ms, collect the responses until its
   deadline. req: a request every 50 ms, wait up to 1 s for its reply. */
static void serve_ask(struct srv *v, int survey)
{
    long seq = 0;
    while (!stopping) {
        char buf[4096];
        int k = snprintf(buf, sizeof buf, "srv %s %ld",
            soak_roles[v->role].name, seq++);
        if (nn_send(v->s, buf, (size_t) k, 0) != k) {
            soak_sleep_ms(20);
            continue;
        }
        v->handled++;
        for (;;) {
            int n = nn_recv(v->s, buf, sizeof buf, 0);
            if (n < 0)
                break; /* survey deadline (ETIMEDOUT/EFSM), or timeout */
            if (is_good(buf, n))
                good_hit(v);
            if (!survey)
                break;
        }
        if (!survey)
            soak_sleep_ms(50);
    }
}

static void *serve(void *arg)
{
    struct srv *v = arg;
    switch (soak_roles[v->role].proto) {
    case NN_SUB:
    case NN_PULL:
        serve_count(v);
        break;
    case NN_PUB:
    case NN_PUSH:
        serve_send(v);
        break;
    case NN_SURVEYOR:
        serve_ask(v, 1);
        break;
    case NN_REQ:
        serve_ask(v, 0);
        break;
    default:
        serve_echo(v);
        break;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s PORT_BASE IPC_DIR\n", argv[0]);
        return 2;
    }
    int base = atoi(argv[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* SIGTERM/SIGINT are taken by sigwait in main only. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int n = 0;
    for (int r = 0; r < SOAK_NROLES; r++) {
        for (int t = 0; t < SOAK_NTR; t++) {
            struct srv *v = &srvs[n++];
            v->role = r;
            v->tr = t;
            soak_addr(v->addr, sizeof v->addr, base, argv[2], r, t);
            v->s = nn_socket(AF_SP, soak_roles[r].proto);
            if (v->s < 0)
                die("nn_socket", v);
            setopt(v, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
            setopt(v, NN_SOL_SOCKET, NN_SNDTIMEO, 100);
            if (soak_roles[r].proto == NN_SUB
                && nn_setsockopt(v->s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) != 0)
                die("NN_SUB_SUBSCRIBE", v);
            /* A good client on a loaded machine may take a few hundred ms
               to answer: a response is counted if it comes within 500 ms
               of the survey, a reply within 1 s of the request. REQ
               resends every 250 ms, each time to the next peer, so a
               request that went to an attacker that never answers also
               reaches the good REP within that second. */
            if (soak_roles[r].proto == NN_SURVEYOR)
                setopt(v, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 500);
            if (soak_roles[r].proto == NN_REQ) {
                setopt(v, NN_REQ, NN_REQ_RESEND_IVL, 250);
                setopt(v, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
            }
            if (t == SOAK_TR_TLS && soak_tls(v->s, argv[2], 1) != 0)
                die("NN_TLS_CERT_KEY_FILE", v);
            if (nn_bind(v->s, v->addr) < 0)
                die("nn_bind", v);
            printf("listen %s %s %s %d %d\n", soak_roles[r].name,
                soak_transports[t], v->addr, soak_roles[r].proto,
                soak_roles[r].peer);
        }
    }
    for (int i = 0; i < n; i++)
        if (pthread_create(&srvs[i].th, NULL, serve, &srvs[i]) != 0) {
            fprintf(stderr, "server: pthread_create failed\n");
            return 1;
        }
    printf("ready %d\n", (int) getpid());

    for (;;) {
        int sig = 0;
        sigwait(&sigs, &sig);
        if (sig != SIGUSR1)
            break;
        /* Give free heap pages back to the kernel, so that VmRSS measures
           what is in use rather than what malloc keeps cached. */
        int64_t t = soak_now_ms();
        malloc_trim(0);
        printf("trimmed %lld ms\n", (long long) (soak_now_ms() - t));
    }
    stopping = 1;
    int64_t end = soak_now_ms();
    for (int i = 0; i < n; i++)
        pthread_join(srvs[i].th, NULL);
    for (int i = 0; i < n; i++) {
        struct srv *v = &srvs[i];
        soak_tally_end(&v->good, end);
        printf("tally %s %s handled=%ld good=%ld maxgap_ms=%lld maxgap_at=%lld\n",
            soak_roles[v->role].name, soak_transports[v->tr], v->handled,
            v->good.answers, (long long) v->good.maxgap,
            (long long) v->good.maxgap_at);
        if (nn_close(v->s) != 0)
            die("nn_close", v);
    }
    printf("closed\n");
    return 0;
}
