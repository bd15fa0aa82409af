/* ours-only: protocol timers cost nothing while idle and leave nothing
   behind per request.

   - An idle SURVEYOR whose survey was answered (its deadline still ahead,
     then past) uses no CPU: the deadline passing with nobody receiving
     used to be handed back to the I/O thread at once, again and again,
     which spun it at 100% until the next call. The next nn_recv still says
     ETIMEDOUT, then EFSM, as upstream.
   - The same for a REQ that got its reply.
   - Each request sets a resend deadline a minute ahead (NN_REQ_RESEND_IVL)
     and each survey a deadline: 20000 of them must not leave 20000 timer
     entries waiting for that minute (about 32 bytes each). Measured with
     glibc's mallinfo2 after a first round has grown every cache.

   CPU is the process's own (getrusage), so a loaded machine only makes a
   spin look smaller, never an idle process look busy. inproc only. */
#include "testutil.h"
#include <malloc.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>
#include <sys/resource.h>

static long cpu_ms(void)
{
    struct rusage r;
    CHECK(getrusage(RUSAGE_SELF, &r) == 0);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000L
        + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1000L;
}

/* CPU used while the process sleeps for `ms`. */
static long idle_cpu(int ms)
{
    long c0 = cpu_ms();
    sleep_ms(ms);
    return cpu_ms() - c0;
}

static size_t heap_in_use(void)
{
    malloc_trim(0);
    return mallinfo2().uordblks;
}

static void round_trip(int a, int b)
{
    char buf[16];
    CHECK(nn_send(a, "q", 1, 0) == 1);
    CHECK(nn_recv(b, buf, sizeof buf, 0) == 1);
    CHECK(nn_send(b, "a", 1, 0) == 1);
    CHECK(nn_recv(a, buf, sizeof buf, 0) == 1);
}

static void pair_up(int *a, int *b, int pa, int pb, const char *addr)
{
    *a = test_socket(AF_SP, pa);
    *b = test_socket(AF_SP, pb);
    test_bind(*a, addr);
    test_connect(*b, addr);
    test_setopt_int(*a, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    test_setopt_int(*b, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
}

static void test_idle_surveyor(void)
{
    int sv, rs;
    char buf[16];
    pair_up(&sv, &rs, NN_SURVEYOR, NN_RESPONDENT, "inproc://idle-survey");
    test_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 100);
    round_trip(sv, rs);
    /* 100 ms to the deadline, then 900 ms past it. */
    long used = idle_cpu(1000);
    if (used > 150) {
        fprintf(stderr, "an idle surveyor used %ld ms of CPU in 1 s\n", used);
        exit(1);
    }
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), ETIMEDOUT);
    CHECK_ERR(nn_recv(sv, buf, sizeof buf, 0), EFSM);
    test_close(rs);
    test_close(sv);
}

static void test_idle_req(void)
{
    int req, rep;
    pair_up(&req, &rep, NN_REQ, NN_REP, "inproc://idle-req");
    test_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 100);
    round_trip(req, rep);
    long used = idle_cpu(1000);
    if (used > 150) {
        fprintf(stderr, "an idle REQ used %ld ms of CPU in 1 s\n", used);
        exit(1);
    }
    test_close(rep);
    test_close(req);
}

static void test_no_entry_per_request(int pa, int pb, const char *addr,
    const char *what)
{
    int a, b;
    pair_up(&a, &b, pa, pb, addr);
    for (int i = 0; i < 20000; i++)
        round_trip(a, b);
    size_t before = heap_in_use();
    for (int i = 0; i < 20000; i++)
        round_trip(a, b);
    size_t after = heap_in_use();
    long grew = (long) after - (long) before;
    if (grew > 256 * 1024) {
        fprintf(stderr, "%s: 20000 round trips left %ld bytes behind\n",
            what, grew);
        exit(1);
    }
    test_close(b);
    test_close(a);
}

/* With an argument ("idle" or "entries"), runs only those cases. */
int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : "";
    if (!*only || strcmp(only, "idle") == 0) {
        test_idle_surveyor();
        test_idle_req();
    }
    if (!*only || strcmp(only, "entries") == 0) {
        test_no_entry_per_request(NN_REQ, NN_REP, "inproc://idle-req-many",
            "REQ");
        test_no_entry_per_request(NN_SURVEYOR, NN_RESPONDENT,
            "inproc://idle-survey-many", "SURVEYOR");
    }
    return 0;
}
