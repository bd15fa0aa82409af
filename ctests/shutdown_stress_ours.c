/* ours-only */
/* shutdown_stress.c's parts over inproc, all of them and with the PUB
   publishing while its SUBs come and go: SUB churn, the PUB's bind
   endpoint shut down and re-created under churn, PULLs that receive one
   message and close while the PUSH sends, and 8 threads connecting and
   shutting down endpoints of one shared PUSH while it sends. Upstream
   nanomsg 1.1.5 crashes here (the assertion "!nn_fsm_event_active
   (&sinproc->event_sent)" at sinproc.c:303, or a segfault in nn_fsm_feed
   called by nn_ctx_leave from nn_send) in about half the runs of churn,
   rebind and shared, so this test is expected to fail against upstream.
   Uses no TCP ports. */
#define SHUTDOWN_STRESS_OURS 1
#include "shutdown_stress.c"
