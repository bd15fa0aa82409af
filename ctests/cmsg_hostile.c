/* Control buffers with hostile cmsg_len values (ours-only: upstream 1.1.5
   returns a first header claiming SIZE_MAX bytes, gives the same header
   again from NN_CMSG_NXTHDR, so a walk never ends, and hangs in
   nn_sendmsg; so did we).

   - NN_CMSG_FIRSTHDR on a buffer whose first header claims SIZE_MAX bytes
     gives NULL (it does not fit), and a walk with NN_CMSG_NXTHDR over
     headers whose lengths wrap around the address space (SIZE_MAX,
     SIZE_MAX - 3, -16) ends, never giving the same header twice;
   - nn_sendmsg with such a control buffer does not hang: the malformed
     control data is ignored and the message goes out without a header.

   Found by fuzzing the control-message parser (fuzz/fuzz_targets/cmsg.rs).
   Uses no ports. */
#include "testutil.h"
#include <nanomsg/pair.h>

/* Walks the buffer; fails if a header repeats or lies outside it. */
static int walk(struct nn_msghdr *h)
{
    unsigned char *lo = h->msg_control;
    unsigned char *prev = NULL;
    int n = 0;
    for (struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(h); c;
         c = NN_CMSG_NXTHDR(h, c)) {
        unsigned char *p = (unsigned char *) c;
        CHECK(p >= lo && p + NN_CMSG_SPACE(0) <= lo + h->msg_controllen);
        CHECK(prev == NULL || p > prev);
        prev = p;
        CHECK(++n < 100);
    }
    return n;
}

int main(void)
{
    alarm(10);
    size_t words[16];
    unsigned char *buf = (unsigned char *) words;
    struct nn_msghdr h;
    memset(&h, 0, sizeof h);
    h.msg_control = buf;
    h.msg_controllen = sizeof words;

    size_t bad[] = { SIZE_MAX, SIZE_MAX - 3, SIZE_MAX - 7, (size_t) 0 - 16,
        SIZE_MAX / 2 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* As the first header: does not fit. */
        memset(words, 0, sizeof words);
        ((struct nn_cmsghdr *) buf)->cmsg_len = bad[i];
        CHECK(NN_CMSG_FIRSTHDR(&h) == NULL);
        CHECK(walk(&h) == 0);

        /* As the second, after a good one: the walk stops at the first. */
        ((struct nn_cmsghdr *) buf)->cmsg_len = NN_CMSG_LEN(0);
        ((struct nn_cmsghdr *) (buf + NN_CMSG_SPACE(0)))->cmsg_len = bad[i];
        CHECK(NN_CMSG_FIRSTHDR(&h) == (struct nn_cmsghdr *) buf);
        CHECK(walk(&h) == 1);
        /* A cursor that itself claims a wrapping length ends the walk. */
        CHECK(NN_CMSG_NXTHDR(&h, buf + NN_CMSG_SPACE(0)) == NULL);
    }

    /* nn_sendmsg over such a buffer returns, and the body arrives. */
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://cmsg-hostile");
    test_connect(b, "inproc://cmsg-hostile");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(words, 0, sizeof words);
        ((struct nn_cmsghdr *) buf)->cmsg_len = NN_CMSG_LEN(0);
        ((struct nn_cmsghdr *) (buf + NN_CMSG_SPACE(0)))->cmsg_len = bad[i];
        struct nn_iovec iov = { "hi", 2 };
        h.msg_iov = &iov;
        h.msg_iovlen = 1;
        CHECK(nn_sendmsg(b, &h, 0) == 2);
        test_recv(a, "hi");
    }
    test_close(a);
    test_close(b);
    return 0;
}
