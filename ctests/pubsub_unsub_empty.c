/* ours-only */
/* Unsubscribing on a SUB socket whose subscription set is empty.  Upstream
   nanomsg 1.1.5 dereferences a NULL trie root and segfaults here for any
   non-empty topic (for the empty topic it returns -1/EINVAL, which is what
   its trie code intends for "no such subscription").  Ours must not crash;
   EINVAL is the consistent answer, 0 is tolerated.  The socket stays
   usable afterwards. */
#include "testutil.h"
#include <nanomsg/pubsub.h>

static void unsub_nothing(int sub, const void *topic, size_t len)
{
    int rc = nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, topic, len);
    CHECK(rc == 0 || (rc == -1 && nn_errno() == EINVAL));
}

int main(void)
{
    alarm(10);
    int pub = test_socket(AF_SP, NN_PUB);
    int sub = test_socket(AF_SP, NN_SUB);
    int rsub = test_socket(AF_SP_RAW, NN_SUB);
    test_bind(pub, "inproc://pubsub-unsub-empty");
    test_connect(sub, "inproc://pubsub-unsub-empty");
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);

    /* Never subscribed. */
    unsub_nothing(sub, "abc", 3);
    unsub_nothing(sub, "a", 1);
    unsub_nothing(sub, "\0", 1);
    unsub_nothing(rsub, "abc", 3);
    CHECK_ERR(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "", 0), EINVAL);

    /* Subscribed, then everything removed again. */
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "a", 1) == 0);
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "a", 1) == 0);
    unsub_nothing(sub, "a", 1);
    unsub_nothing(sub, "ab", 2);
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0);
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "", 0) == 0);
    unsub_nothing(sub, "a", 1);

    /* Still a working subscriber. */
    CHECK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "ok", 2) == 0);
    int got = 0;
    test_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 10);
    for (int i = 0; i < 300 && !got; i++) {
        char buf[8];
        test_send(pub, "ok");
        got = nn_recv(sub, buf, sizeof buf, 0) == 2;
    }
    CHECK(got);
    test_close(rsub);
    test_close(sub);
    test_close(pub);
    return 0;
}
