/* The soak's good clients: one connected nn socket per (role, transport)
   the server marks good (soak.h), each on its own thread, on the library it
   was linked with. They must keep getting answers while attackers hammer
   the same listeners.

   Usage: good PORT_BASE IPC_DIR

   Per server role, the client and what counts as an answer:
     pair, bus    PAIR/BUS sends "GOOD ..." every 20 ms; its own echo back
     rep          REQ; the reply to its request
     respondent   SURVEYOR (deadline 1 s); its survey echoed back
     pub, push    SUB (everything) / PULL; a message from the server
     surveyor     RESPONDENT; a survey (answered "GOOD ...")
     req          REP; a request (answered "GOOD ...")
     sub, pull    PUB / PUSH send "GOOD ..." every 20 ms; the server
                  counts them (nothing to count here)

   Prints on stdout (line-buffered): "first ROLE TRANSPORT" at the first
   answer of each client; after SIGTERM "tally ROLE TRANSPORT answers=N
   maxgap_ms=N maxgap_at=MS" (maxgap: the longest silence between answers
   or since the last one; maxgap_at: when it began, CLOCK_MONOTONIC ms) or
   "sent ROLE TRANSPORT n=N" for the two senders, then "done". */
#include "soak.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

struct cli {
    int role, tr;
    int s;
    char addr[256];
    char tag[64];
    long sent;
    struct soak_tally t;
    pthread_t th;
};

static volatile int stopping;
static struct cli clis[SOAK_NROLES * SOAK_NTR];

static void die(const char *what, const struct cli *c)
{
    fprintf(stderr, "good: %s failed on %s %s: %s\n", what,
        soak_roles[c->role].name, soak_transports[c->tr],
        nn_strerror(nn_errno()));
    exit(1);
}

static void setopt(struct cli *c, int level, int opt, int val)
{
    if (nn_setsockopt(c->s, level, opt, &val, sizeof val) != 0)
        die("nn_setsockopt", c);
}

static void hit(struct cli *c)
{
    if (c->t.answers == 0)
        printf("first %s %s\n", soak_roles[c->role].name,
            soak_transports[c->tr]);
    soak_tally_hit(&c->t);
}

/* Sends a tagged message and waits up to 1 s for exactly it to come back
   (pair, bus: the server echoes; rep: the reply; respondent: the survey's
   response). Others (a bus echo of an attacker's message, a stale reply)
   are skipped. */
static void ping(struct cli *c)
{
    long seq = 0;
    while (!stopping) {
        char out[128], in[4096];
        int k = snprintf(out, sizeof out, "%s%ld", c->tag, seq++);
        if (nn_send(c->s, out, (size_t) k, 0) != k) {
            soak_sleep_ms(20);
            continue;
        }
        c->sent++;
        int64_t deadline = soak_now_ms() + 1000;
        while (!stopping && soak_now_ms() < deadline) {
            int n = nn_recv(c->s, in, sizeof in, 0);
            if (n < 0) {
                if (nn_errno() == EFSM)
                    break; /* the survey's deadline passed */
                continue;
            }
            if (n == k && memcmp(in, out, (size_t) k) == 0) {
                hit(c);
                break;
            }
        }
        soak_sleep_ms(20);
    }
}

/* pub, push: count what the server sends. */
static void listen_(struct cli *c)
{
    char in[4096];
    while (!stopping) {
        int n = nn_recv(c->s, in, sizeof in, 0);
        if (n >= 4 && memcmp(in, "srv ", 4) == 0)
            hit(c);
    }
}

/* surveyor, req: answer what the server asks. */
static void answer(struct cli *c)
{
    char in[4096];
    long seq = 0;
    while (!stopping) {
        int n = nn_recv(c->s, in, sizeof in, 0);
        if (n < 4 || memcmp(in, "srv ", 4) != 0)
            continue;
        hit(c);
        char out[128];
        int k = snprintf(out, sizeof out, "%s%ld", c->tag, seq++);
        if (nn_send(c->s, out, (size_t) k, 0) == k)
            c->sent++;
    }
}

/* sub, pull: send tagged messages; the server counts them. */
static void feed(struct cli *c)
{
    long seq = 0;
    while (!stopping) {
        char out[128];
        int k = snprintf(out, sizeof out, "%s%ld", c->tag, seq++);
        if (nn_send(c->s, out, (size_t) k, 0) == k)
            c->sent++;
        soak_sleep_ms(20);
    }
}

static int is_feeder(const struct cli *c)
{
    int p = soak_roles[c->role].proto;
    return p == NN_SUB || p == NN_PULL;
}

static void *run(void *arg)
{
    struct cli *c = arg;
    switch (soak_roles[c->role].proto) {
    case NN_PUB:
    case NN_PUSH:
        listen_(c);
        break;
    case NN_SURVEYOR:
    case NN_REQ:
        answer(c);
        break;
    case NN_SUB:
    case NN_PULL:
        feed(c);
        break;
    default:
        ping(c);
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

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    int n = 0;
    for (int r = 0; r < SOAK_NROLES; r++) {
        if (!soak_roles[r].good)
            continue;
        for (int t = 0; t < SOAK_NTR; t++) {
            struct cli *c = &clis[n++];
            c->role = r;
            c->tr = t;
            soak_addr(c->addr, sizeof c->addr, base, argv[2], r, t);
            snprintf(c->tag, sizeof c->tag, "%s%s %s ", SOAK_GOOD_TAG,
                soak_roles[r].name, soak_transports[t]);
            c->s = nn_socket(AF_SP, soak_roles[r].peer);
            if (c->s < 0)
                die("nn_socket", c);
            setopt(c, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
            setopt(c, NN_SOL_SOCKET, NN_SNDTIMEO, 200);
            /* Reconnect quickly if a connection is ever lost. */
            setopt(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
            setopt(c, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 200);
            if (soak_roles[r].peer == NN_SUB
                && nn_setsockopt(c->s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) != 0)
                die("NN_SUB_SUBSCRIBE", c);
            if (soak_roles[r].peer == NN_SURVEYOR)
                setopt(c, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 1000);
            if (soak_roles[r].peer == NN_REQ)
                setopt(c, NN_REQ, NN_REQ_RESEND_IVL, 500);
            if (t == SOAK_TR_TLS && soak_tls(c->s, argv[2], 0) != 0)
                die("NN_TLS_CA_FILE", c);
            if (nn_connect(c->s, c->addr) < 0)
                die("nn_connect", c);
        }
    }
    for (int i = 0; i < n; i++)
        if (pthread_create(&clis[i].th, NULL, run, &clis[i]) != 0) {
            fprintf(stderr, "good: pthread_create failed\n");
            return 1;
        }

    int sig = 0;
    sigwait(&sigs, &sig);
    stopping = 1;
    int64_t end = soak_now_ms();
    for (int i = 0; i < n; i++)
        pthread_join(clis[i].th, NULL);
    for (int i = 0; i < n; i++) {
        struct cli *c = &clis[i];
        if (is_feeder(c)) {
            printf("sent %s %s n=%ld\n", soak_roles[c->role].name,
                soak_transports[c->tr], c->sent);
        } else {
            soak_tally_end(&c->t, end);
            printf("tally %s %s answers=%ld maxgap_ms=%lld maxgap_at=%lld\n",
                soak_roles[c->role].name, soak_transports[c->tr],
                c->t.answers, (long long) c->t.maxgap,
                (long long) c->t.maxgap_at);
        }
        nn_close(c->s);
    }
    printf("done\n");
    return 0;
}
