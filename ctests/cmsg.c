/* Control messages: the NN_CMSG_* macros (NN_CMSG_FIRSTHDR / NXTHDR call
   nn_cmsg_nxthdr_ in the library), the SP_HDR property delivered by
   nn_recvmsg on cooked and raw PAIR sockets, the msg_control = NN_MSG form,
   and sending an SP header with nn_sendmsg. */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/inproc.h>

#define ALIGNSZ(n) (((n) + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1))

static void test_macros(void)
{
    /* Pure header arithmetic. */
    CHECK(NN_CMSG_SPACE(0) == ALIGNSZ(sizeof(struct nn_cmsghdr)));
    CHECK(NN_CMSG_SPACE(1) == ALIGNSZ(sizeof(struct nn_cmsghdr)) + sizeof(size_t));
    CHECK(NN_CMSG_SPACE(sizeof(size_t)) == NN_CMSG_SPACE(0) + sizeof(size_t));
    CHECK(NN_CMSG_LEN(0) == ALIGNSZ(sizeof(struct nn_cmsghdr)));
    CHECK(NN_CMSG_LEN(3) == NN_CMSG_LEN(0) + 3);
    CHECK(NN_CMSG_SPACE(3) >= NN_CMSG_LEN(3));

    /* Hand-built buffer with three properties of data sizes 3, 0, 8. */
    size_t buf_words[32];
    unsigned char *buf = (unsigned char *) buf_words;
    memset(buf_words, 0, sizeof buf_words);
    struct nn_cmsghdr *c1 = (struct nn_cmsghdr *) buf;
    c1->cmsg_len = NN_CMSG_LEN(3);
    c1->cmsg_level = 7;
    c1->cmsg_type = 70;
    memcpy(NN_CMSG_DATA(c1), "xyz", 3);
    struct nn_cmsghdr *c2 = (struct nn_cmsghdr *) (buf + NN_CMSG_SPACE(3));
    c2->cmsg_len = NN_CMSG_LEN(0);
    c2->cmsg_level = 8;
    c2->cmsg_type = 80;
    struct nn_cmsghdr *c3 =
        (struct nn_cmsghdr *) (buf + NN_CMSG_SPACE(3) + NN_CMSG_SPACE(0));
    c3->cmsg_len = NN_CMSG_LEN(8);
    c3->cmsg_level = 9;
    c3->cmsg_type = 90;
    memcpy(NN_CMSG_DATA(c3), "12345678", 8);
    size_t total = NN_CMSG_SPACE(3) + NN_CMSG_SPACE(0) + NN_CMSG_SPACE(8);

    CHECK(NN_CMSG_DATA(c1) == buf + NN_CMSG_LEN(0));

    struct nn_msghdr hdr;
    memset(&hdr, 0, sizeof hdr);
    hdr.msg_control = buf;
    hdr.msg_controllen = total;

    struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(&hdr);
    CHECK(c == c1);
    CHECK(c->cmsg_level == 7 && c->cmsg_type == 70);
    CHECK(memcmp(NN_CMSG_DATA(c), "xyz", 3) == 0);
    c = NN_CMSG_NXTHDR(&hdr, c);
    CHECK(c == c2);
    CHECK(c->cmsg_level == 8 && c->cmsg_type == 80);
    c = NN_CMSG_NXTHDR(&hdr, c);
    CHECK(c == c3);
    CHECK(c->cmsg_level == 9 && c->cmsg_type == 90);
    CHECK(memcmp(NN_CMSG_DATA(c), "12345678", 8) == 0);
    c = NN_CMSG_NXTHDR(&hdr, c);
    CHECK(c == NULL);

    /* Counting loop as in the man page. */
    int n = 0;
    for (c = NN_CMSG_FIRSTHDR(&hdr); c; c = NN_CMSG_NXTHDR(&hdr, c))
        n++;
    CHECK(n == 3);

    /* One byte short: the last property no longer fits. */
    hdr.msg_controllen = total - 1;
    c = NN_CMSG_NXTHDR(&hdr, c2);
    CHECK(c == NULL);
    hdr.msg_controllen = total;

    /* Buffer too small for even one header. */
    hdr.msg_controllen = NN_CMSG_SPACE(0) - 1;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == NULL);
    hdr.msg_controllen = 0;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == NULL);

    /* Exactly one zero-payload header fits. */
    hdr.msg_control = c2;
    hdr.msg_controllen = NN_CMSG_SPACE(0);
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == c2);
    CHECK(NN_CMSG_NXTHDR(&hdr, c2) == NULL);

    /* First header claims more than the buffer holds. */
    hdr.msg_control = c1;
    hdr.msg_controllen = NN_CMSG_SPACE(3) - 1;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == NULL);

    /* No msghdr / no control buffer. */
    CHECK(NN_CMSG_FIRSTHDR(NULL) == NULL);
    hdr.msg_control = NULL;
    hdr.msg_controllen = 0;
    CHECK(NN_CMSG_FIRSTHDR(&hdr) == NULL);

    /* msg_controllen == NN_MSG: msg_control points at a pointer to a chunk
       and the chunk's size bounds the iteration. */
    void *chunk = nn_allocmsg(total, 0);
    CHECK(chunk != NULL);
    memcpy(chunk, buf, total);
    hdr.msg_control = &chunk;
    hdr.msg_controllen = NN_MSG;
    n = 0;
    for (c = NN_CMSG_FIRSTHDR(&hdr); c; c = NN_CMSG_NXTHDR(&hdr, c)) {
        CHECK((unsigned char *) c >= (unsigned char *) chunk);
        CHECK((unsigned char *) c < (unsigned char *) chunk + total);
        n++;
    }
    CHECK(n == 3);
    CHECK(((struct nn_cmsghdr *) NN_CMSG_FIRSTHDR(&hdr)) == chunk);
    CHECK(nn_freemsg(chunk) == 0);
}

/* Receives one message on s, expecting body `body`, with a control buffer of
   ctllen bytes, and checks that it holds exactly one SP_HDR property with an
   empty SP header (PAIR has no header). */
static void recv_expect_sphdr(int s, const char *body)
{
    struct nn_msghdr hdr;
    struct nn_iovec iov;
    char buf[64];
    size_t ctl_words[32];
    unsigned char *ctl = (unsigned char *) ctl_words;
    size_t blen = strlen(body);

    memset(&hdr, 0, sizeof hdr);
    memset(ctl, 0xAA, sizeof ctl_words);
    iov.iov_base = buf;
    iov.iov_len = sizeof buf;
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = ctl;
    hdr.msg_controllen = sizeof ctl_words;
    int rc = nn_recvmsg(s, &hdr, 0);
    CHECK(rc == (int) blen);
    CHECK(memcmp(buf, body, blen) == 0);
    /* msg_controllen is not updated. */
    CHECK(hdr.msg_controllen == sizeof ctl_words);

    struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(&hdr);
    CHECK(c != NULL);
    CHECK((unsigned char *) c == ctl);
    CHECK(c->cmsg_level == PROTO_SP);
    CHECK(c->cmsg_type == SP_HDR);
    /* The SP_HDR payload is a size_t header length followed by the header
       bytes; cmsg_len is NN_CMSG_SPACE of that. */
    CHECK(c->cmsg_len == NN_CMSG_SPACE(sizeof(size_t)));
    size_t splen;
    memcpy(&splen, NN_CMSG_DATA(c), sizeof splen);
    CHECK(splen == 0);
    /* Nothing is written past the property. */
    CHECK(ctl[NN_CMSG_SPACE(sizeof(size_t))] == 0xAA);
    /* It is the only property (the buffer beyond is 0xAA garbage, which
       NXTHDR must reject as too long). */
    hdr.msg_controllen = NN_CMSG_SPACE(sizeof(size_t));
    CHECK(NN_CMSG_NXTHDR(&hdr, c) == NULL);
}

static void test_recv_control(int a, int b)
{
    struct nn_msghdr hdr;
    struct nn_iovec iov;
    char buf[64];
    unsigned char ctl[64];
    int rc;

    test_send(a, "cooked");
    recv_expect_sphdr(b, "cooked");
    test_send(b, "back");
    recv_expect_sphdr(a, "back");

    /* A control buffer smaller than the SP_HDR property is left untouched
       and the message is still received. */
    for (size_t cl = 1; cl < NN_CMSG_SPACE(sizeof(size_t)); cl += 5) {
        test_send(a, "small");
        memset(&hdr, 0, sizeof hdr);
        memset(ctl, 0xAA, sizeof ctl);
        iov.iov_base = buf;
        iov.iov_len = sizeof buf;
        hdr.msg_iov = &iov;
        hdr.msg_iovlen = 1;
        hdr.msg_control = ctl;
        hdr.msg_controllen = cl;
        rc = nn_recvmsg(b, &hdr, 0);
        CHECK(rc == 5);
        CHECK(memcmp(buf, "small", 5) == 0);
        for (size_t i = 0; i < sizeof ctl; i++)
            CHECK(ctl[i] == 0xAA);
    }

    /* msg_control = NN_MSG form: the library allocates the control
       buffer, FIRSTHDR/NXTHDR work on it, nn_freemsg frees it. */
    test_send(a, "ctlmsg");
    void *cp = NULL;
    memset(&hdr, 0, sizeof hdr);
    iov.iov_base = buf;
    iov.iov_len = sizeof buf;
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = &cp;
    hdr.msg_controllen = NN_MSG;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 6);
    CHECK(memcmp(buf, "ctlmsg", 6) == 0);
    CHECK(cp != NULL);
    CHECK(hdr.msg_controllen == NN_MSG);
    struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(&hdr);
    CHECK(c == cp);
    CHECK(c->cmsg_level == PROTO_SP);
    CHECK(c->cmsg_type == SP_HDR);
    CHECK(c->cmsg_len == NN_CMSG_SPACE(sizeof(size_t)));
    size_t splen;
    memcpy(&splen, NN_CMSG_DATA(c), sizeof splen);
    CHECK(splen == 0);
    CHECK(NN_CMSG_NXTHDR(&hdr, c) == NULL);
    CHECK(nn_freemsg(cp) == 0);

    /* Both NN_MSG forms at once. */
    test_send(a, "both");
    void *body = NULL;
    cp = NULL;
    memset(&hdr, 0, sizeof hdr);
    iov.iov_base = &body;
    iov.iov_len = NN_MSG;
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = &cp;
    hdr.msg_controllen = NN_MSG;
    rc = nn_recvmsg(b, &hdr, 0);
    CHECK(rc == 4);
    CHECK(body != NULL && cp != NULL);
    CHECK(memcmp(body, "both", 4) == 0);
    c = NN_CMSG_FIRSTHDR(&hdr);
    CHECK(c != NULL && c->cmsg_type == SP_HDR);
    CHECK(nn_freemsg(body) == 0);
    CHECK(nn_freemsg(cp) == 0);
}

static void build_sphdr(unsigned char *ctl, const char *sp, size_t splen)
{
    struct nn_cmsghdr *c = (struct nn_cmsghdr *) ctl;
    c->cmsg_len = NN_CMSG_LEN(sizeof(size_t) + splen);
    c->cmsg_level = PROTO_SP;
    c->cmsg_type = SP_HDR;
    memcpy(NN_CMSG_DATA(c), &splen, sizeof splen);
    memcpy(NN_CMSG_DATA(c) + sizeof(size_t), sp, splen);
}

static void send_with_ctl(int s, const char *body, void *ctl, size_t ctllen)
{
    struct nn_msghdr hdr;
    struct nn_iovec iov;
    memset(&hdr, 0, sizeof hdr);
    iov.iov_base = (void *) body;
    iov.iov_len = strlen(body);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = ctl;
    hdr.msg_controllen = ctllen;
    int rc = nn_sendmsg(s, &hdr, 0);
    CHECK(rc == (int) strlen(body));
}

static void recv_raw_body(int s, const char *exp, size_t explen)
{
    char buf[64];
    int rc = nn_recv(s, buf, sizeof buf, 0);
    CHECK(rc == (int) explen);
    CHECK(memcmp(buf, exp, explen) == 0);
}

/* Sending an SP_HDR property: PAIR carries the header in front of the body,
   so over inproc the receiving PAIR sees header bytes + body as the message
   (and an empty SP_HDR property). */
static void test_send_control(int a, int b)
{
    size_t ctl_words[32];
    unsigned char *ctl = (unsigned char *) ctl_words;

    memset(ctl_words, 0, sizeof ctl_words);
    build_sphdr(ctl, "\x80\x00\x00\x01", 4);
    send_with_ctl(a, "hh", ctl, NN_CMSG_SPACE(sizeof(size_t) + 4));
    recv_raw_body(b, "\x80\x00\x00\x01hh", 6);

    /* SP_HDR as the second property is found too. */
    memset(ctl_words, 0, sizeof ctl_words);
    struct nn_cmsghdr *o = (struct nn_cmsghdr *) ctl;
    o->cmsg_len = NN_CMSG_LEN(4);
    o->cmsg_level = 9;
    o->cmsg_type = 9;
    memcpy(NN_CMSG_DATA(o), "junk", 4);
    build_sphdr(ctl + NN_CMSG_SPACE(4), "\x80\x00\x00\x02", 4);
    send_with_ctl(a, "ij", ctl,
        NN_CMSG_SPACE(4) + NN_CMSG_SPACE(sizeof(size_t) + 4));
    recv_raw_body(b, "\x80\x00\x00\x02ij", 6);

    /* A property that is not SP_HDR is not delivered anywhere. */
    send_with_ctl(a, "kl", ctl, NN_CMSG_SPACE(4));
    recv_raw_body(b, "kl", 2);
    test_send(a, "after");
    recv_expect_sphdr(b, "after");

    /* An SP_HDR whose declared length exceeds the property is ignored. */
    memset(ctl_words, 0, sizeof ctl_words);
    build_sphdr(ctl, "\x80\x00\x00\x03", 4);
    size_t bogus = 100;
    memcpy(NN_CMSG_DATA((struct nn_cmsghdr *) ctl), &bogus, sizeof bogus);
    send_with_ctl(a, "mn", ctl, NN_CMSG_SPACE(sizeof(size_t) + 4));
    recv_raw_body(b, "mn", 2);

    /* Control buffer passed as an NN_MSG chunk: ownership passes. */
    void *chunk = nn_allocmsg(NN_CMSG_SPACE(sizeof(size_t) + 4), 0);
    CHECK(chunk != NULL);
    memset(chunk, 0, NN_CMSG_SPACE(sizeof(size_t) + 4));
    build_sphdr(chunk, "\x80\x00\x00\x04", 4);
    send_with_ctl(a, "op", &chunk, NN_MSG);
    recv_raw_body(b, "\x80\x00\x00\x04op", 6);
}

int main(void)
{
    alarm(20);
    test_macros();

    /* Cooked pair. */
    int a = test_socket(AF_SP, NN_PAIR);
    int b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://cmsg-cooked");
    test_connect(b, "inproc://cmsg-cooked");
    test_recv_control(a, b);
    test_send_control(a, b);
    test_close(a);
    test_close(b);

    /* Raw pair. */
    a = test_socket(AF_SP_RAW, NN_PAIR);
    b = test_socket(AF_SP_RAW, NN_PAIR);
    test_bind(a, "inproc://cmsg-raw");
    test_connect(b, "inproc://cmsg-raw");
    test_recv_control(a, b);
    test_send_control(a, b);
    test_close(a);
    test_close(b);

    /* Raw sender, cooked receiver and the other way round. */
    a = test_socket(AF_SP_RAW, NN_PAIR);
    b = test_socket(AF_SP, NN_PAIR);
    test_bind(a, "inproc://cmsg-mixed");
    test_connect(b, "inproc://cmsg-mixed");
    test_recv_control(a, b);
    test_send_control(a, b);
    test_send_control(b, a);
    test_close(a);
    test_close(b);
    return 0;
}
