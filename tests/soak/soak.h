/* Shared by the soak's server (server.c) and good clients (good.c): the
   listeners the server binds and the addresses both sides use.

   One nn socket per (role, transport). Transports: tcp on
   127.0.0.1:(base + role index), ws on ws://127.0.0.1:(base + 20 + role
   index), ipc on DIR/<role>.ipc and tls+tcp on 127.0.0.1:(base + 40 +
   role index), with the certificates soak.py makes in DIR (the server
   presents DIR/server.pem, good clients trust DIR/ca.pem: soak_tls). The port block 28000-28099 is the
   soak's (ctests/README.md lists every block).

   Roles (what the server's socket does):
     pair        PAIR, echoes; a good PAIR client holds its one peer slot,
                 so attackers meet the "second peer" refusal here
     pair2       PAIR, echoes; no good client: attackers are its peers
     rep         REP, echoes every request
     respondent  RESPONDENT, echoes every survey
     bus         BUS, echoes every message (to every peer)
     sub         SUB subscribed to everything, counts
     pull        PULL, counts
     pub         PUB, publishes every 20 ms
     push        PUSH, sends every 20 ms
     surveyor    SURVEYOR, surveys every 500 ms (deadline 500 ms)
     req         REQ, a request 50 ms after each reply (resend every
                 250 ms, given up after 1 s) */
#ifndef SOAK_H
#define SOAK_H

#include <nanomsg/nn.h>
#include <nanomsg/bus.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>
#include <nanomsg/tls.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct soak_role {
    const char *name;
    int proto; /* the server's socket */
    int peer;  /* what a client connects with */
    int good;  /* 1: good.c runs a client on it */
};

static const struct soak_role soak_roles[] = {
    { "pair", NN_PAIR, NN_PAIR, 1 },
    { "pair2", NN_PAIR, NN_PAIR, 0 },
    { "rep", NN_REP, NN_REQ, 1 },
    { "respondent", NN_RESPONDENT, NN_SURVEYOR, 1 },
    { "bus", NN_BUS, NN_BUS, 1 },
    { "sub", NN_SUB, NN_PUB, 1 },
    { "pull", NN_PULL, NN_PUSH, 1 },
    { "pub", NN_PUB, NN_SUB, 1 },
    { "push", NN_PUSH, NN_PULL, 1 },
    { "surveyor", NN_SURVEYOR, NN_RESPONDENT, 1 },
    { "req", NN_REQ, NN_REP, 1 },
};
#define SOAK_NROLES ((int) (sizeof soak_roles / sizeof soak_roles[0]))

static const char *const soak_transports[] = { "tcp", "ipc", "ws", "tls" };
#define SOAK_NTR 4
#define SOAK_TR_TLS 3

/* The TLS option of a server (its certificate) or a good client (the CA)
   on socket s, from DIR; nonzero when it could not be set. */
static inline int soak_tls(int s, const char *dir, int server)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, server ? "server.pem" : "ca.pem");
    return nn_setsockopt(s, NN_TLS,
        server ? NN_TLS_CERT_KEY_FILE : NN_TLS_CA_FILE, p, strlen(p));
}

/* The address of role r on transport t into out (size n). */
static inline void soak_addr(char *out, size_t n, int base, const char *dir,
    int r, int t)
{
    switch (t) {
    case 0:
        snprintf(out, n, "tcp://127.0.0.1:%d", base + r);
        break;
    case 1:
        snprintf(out, n, "ipc://%s/%s.ipc", dir, soak_roles[r].name);
        break;
    case 2:
        snprintf(out, n, "ws://127.0.0.1:%d", base + 20 + r);
        break;
    default:
        snprintf(out, n, "tls+tcp://127.0.0.1:%d", base + 40 + r);
        break;
    }
}

static inline int64_t soak_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void soak_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Answers seen by one side of one (role, transport): how many, and the
   longest silence between two of them (or between the last one and the
   end of the run). Updated by one thread, read after it has stopped. */
struct soak_tally {
    long answers;
    int64_t first, last, maxgap;
    int64_t maxgap_at; /* CLOCK_MONOTONIC ms when the longest silence began */
};

static inline void soak_tally_hit(struct soak_tally *t)
{
    int64_t now = soak_now_ms();
    if (t->answers == 0) {
        t->first = now;
    } else if (now - t->last > t->maxgap) {
        t->maxgap = now - t->last;
        t->maxgap_at = t->last;
    }
    t->last = now;
    t->answers++;
}

/* Closes the tally at the end of the run: the silence since the last
   answer counts as a gap too. */
static inline void soak_tally_end(struct soak_tally *t, int64_t end)
{
    if (t->answers > 0 && end - t->last > t->maxgap) {
        t->maxgap = end - t->last;
        t->maxgap_at = t->last;
    }
}

#define SOAK_GOOD_TAG "GOOD "

#endif
