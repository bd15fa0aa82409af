/* The IPC transport (nn_ipc(7)) on POSIX, as upstream nanomsg 1.1.5
   behaves:
   - ipc:///tmp/... absolute paths and relative paths (ipc://name, relative
     to the working directory), messages both ways, several connectors;
   - the socket file exists while bound and is removed when the binding
     socket closes;
   - connect before bind;
   - a path of exactly 107 bytes (the most sun_path holds) works; an
     address of NN_SOCKADDR_MAX (128) characters or more fails with
     ENAMETOOLONG on bind and on connect;
   - bind in a nonexistent directory fails with ENOENT, while connect to
     such a path succeeds and gets through once the directory exists and
     someone binds there;
   - a stale socket file (left by a socket that was closed without
     unlinking it) is replaced by nn_bind, and the new binding works;
   - a live socket (another nanomsg socket, or a plain listening AF_UNIX
     socket) makes nn_bind fail with EADDRINUSE, and the live socket's file
     is left in place;
   - an 8 MiB message both ways with NN_RCVMAXSIZE -1.
   All files live under /tmp with this process's pid in the name.
   Ports: 21020-21039 (this file's block; it uses no TCP ports). */
#include "testutil.h"
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/ipc.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static char path_[256];
static char addr_[300];

/* Sets path_ to /tmp/nn-ipc-<pid>-<tag>.ipc and addr_ to its ipc:// URL;
   removes any leftover file there. */
static const char *fresh_ipc_addr(const char *tag)
{
    test_addr(path_, sizeof path_, "/tmp/nn-ipc-%d-%s.ipc", (int) getpid(),
        tag);
    test_addr(addr_, sizeof addr_, "ipc://%s", path_);
    unlink(path_);
    return addr_;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int is_socket_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void both_ways(int a, int b, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        char m[32];
        snprintf(m, sizeof m, "a-to-b-%d", i);
        test_send(a, m);
        test_recv(b, m);
        snprintf(m, sizeof m, "b-to-a-%d", i);
        test_send(b, m);
        test_recv(a, m);
    }
}

static void test_basic(void)
{
    const char *a = fresh_ipc_addr("basic");
    int s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(s, a);
    CHECK(is_socket_file(path_));
    test_connect(t, a);
    both_ways(s, t, 10);
    /* Zero-length message. */
    char buf[4];
    CHECK(nn_send(t, "", 0, 0) == 0);
    CHECK(nn_recv(s, buf, sizeof buf, 0) == 0);
    test_close(t);
    /* The binding socket still owns the file; closing it removes it. */
    CHECK(is_socket_file(path_));
    test_close(s);
    CHECK(!exists(path_));

    /* Several connectors to one bound PULL. */
    a = fresh_ipc_addr("fanin");
    int pull = test_socket_timeo(AF_SP, NN_PULL, TEST_MUST_MS, TEST_MUST_MS);
    int push[3];
    test_bind(pull, a);
    for (int i = 0; i < 3; i++) {
        push[i] = test_socket_timeo(AF_SP, NN_PUSH, TEST_MUST_MS, TEST_MUST_MS);
        test_connect(push[i], a);
    }
    for (int i = 0; i < 3; i++) {
        char m[16];
        snprintf(m, sizeof m, "pusher-%d", i);
        test_send(push[i], m);
        test_recv(pull, m);
    }
    for (int i = 0; i < 3; i++)
        test_close(push[i]);
    test_close(pull);
}

static void test_relative(void)
{
    char rel[64], cwd[512];
    int n = snprintf(rel, sizeof rel, "ipc://nn-ipc-%d-rel.ipc",
        (int) getpid());
    CHECK(n > 0 && (size_t) n < sizeof rel);
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK(chdir("/tmp") == 0);
    unlink(rel + 6);
    int s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(s, rel);
    /* The file is relative to the working directory. */
    CHECK(is_socket_file(rel + 6));
    test_connect(t, rel);
    both_ways(s, t, 3);
    test_close(t);
    test_close(s);
    CHECK(!exists(rel + 6));
    CHECK(chdir(cwd) == 0);
}

static void test_connect_first(void)
{
    const char *a = fresh_ipc_addr("connfirst");
    int c = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int b = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    test_connect(c, a);
    CHECK_ERR(nn_send(c, "x", 1, NN_DONTWAIT), EAGAIN);
    sleep_ms(200);
    test_bind(b, a);
    test_send(c, "connected-first");
    test_recv(b, "connected-first");
    test_send(b, "bound-later");
    test_recv(c, "bound-later");
    test_close(b);
    test_close(c);
}

static void test_long_paths(void)
{
    char a[400], p[300];
    int s, t;

    /* A path of 107 bytes fills sun_path (108 with the NUL): fine. */
    int n = snprintf(p, sizeof p, "/tmp/nn-ipc-%d-max-", (int) getpid());
    CHECK(n > 0 && n < 100);
    memset(p + n, 'p', 107 - n);
    p[107] = 0;
    CHECK(strlen(p) == 107);
    unlink(p);
    snprintf(a, sizeof a, "ipc://%s", p);
    s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(s, a);
    CHECK(is_socket_file(p));
    test_connect(t, a);
    both_ways(s, t, 2);
    test_close(t);
    test_close(s);
    CHECK(!exists(p));

    /* A whole address of NN_SOCKADDR_MAX characters or more is refused
       up front with ENAMETOOLONG. (Upstream aborts on an assertion for
       paths of 108..121 bytes, whose address is still shorter than 128;
       that range is not tested.) */
    s = test_socket(AF_SP, NN_PAIR);
    for (size_t len = NN_SOCKADDR_MAX; len <= 300; len += 86) {
        n = snprintf(a, sizeof a, "ipc:///tmp/nn-ipc-%d-", (int) getpid());
        memset(a + n, 'q', len - n);
        a[len] = 0;
        CHECK(strlen(a) == len);
        CHECK_ERR(nn_bind(s, a), ENAMETOOLONG);
        CHECK_ERR(nn_connect(s, a), ENAMETOOLONG);
        CHECK(!exists(a + 6));
    }
    test_close(s);
}

static void test_missing_dir(void)
{
    char dir[128], a[200];
    int n = snprintf(dir, sizeof dir, "/tmp/nn-ipc-%d-nodir", (int) getpid());
    CHECK(n > 0 && (size_t) n < sizeof dir);
    rmdir(dir);
    snprintf(a, sizeof a, "ipc://%s/sock", dir);

    int b = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int c = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(c, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    /* Binding into a directory that does not exist: ENOENT. */
    CHECK_ERR(nn_bind(b, a), ENOENT);
    /* Connecting there is accepted (it retries in the background). */
    test_connect(c, a);
    sleep_ms(100);
    CHECK_ERR(nn_send(c, "x", 1, NN_DONTWAIT), EAGAIN);
    /* Once the directory exists the bind works and the connector gets
       through. */
    CHECK(mkdir(dir, 0700) == 0);
    test_bind(b, a);
    test_send(c, "found-it");
    test_recv(b, "found-it");
    test_close(c);
    test_close(b);
    char sock[200];
    snprintf(sock, sizeof sock, "%s/sock", dir);
    unlink(sock);
    CHECK(rmdir(dir) == 0);
}

/* Binds a plain AF_UNIX stream socket at path; returns its fd. */
static int raw_unix_bind(const char *path, int do_listen)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    CHECK(strlen(path) < sizeof sa.sun_path);
    strcpy(sa.sun_path, path);
    CHECK(bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0);
    if (do_listen)
        CHECK(listen(fd, 8) == 0);
    return fd;
}

static void test_stale(void)
{
    const char *a = fresh_ipc_addr("stale");

    /* A socket file nobody listens on any more (as a crashed process
       leaves it). */
    int fd = raw_unix_bind(path_, 1);
    CHECK(close(fd) == 0);
    CHECK(is_socket_file(path_));

    int s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(s, a);
    CHECK(is_socket_file(path_));
    test_connect(t, a);
    both_ways(s, t, 3);
    test_close(t);
    test_close(s);
    CHECK(!exists(path_));

    /* The same with a socket that was bound but never listened. */
    a = fresh_ipc_addr("stale2");
    fd = raw_unix_bind(path_, 0);
    CHECK(close(fd) == 0);
    s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(s, a);
    test_connect(t, a);
    both_ways(s, t, 1);
    test_close(t);
    test_close(s);
}

static void test_addrinuse(void)
{
    const char *a = fresh_ipc_addr("inuse");
    int s1 = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int s2 = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int c = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_bind(s1, a);
    CHECK_ERR(nn_bind(s2, a), EADDRINUSE);
    /* The owner itself cannot bind it twice either. */
    CHECK_ERR(nn_bind(s1, a), EADDRINUSE);
    /* The failed binds did not disturb the owner. */
    CHECK(is_socket_file(path_));
    test_connect(c, a);
    both_ways(s1, c, 2);
    /* When the owner goes away the address is free again. */
    test_close(s1);
    test_bind(s2, a);
    both_ways(s2, c, 2);
    test_close(c);
    test_close(s2);

    /* A live listener that is not a nanomsg socket counts too, and its
       file is left alone. */
    a = fresh_ipc_addr("inuse-raw");
    int fd = raw_unix_bind(path_, 1);
    s1 = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    CHECK_ERR(nn_bind(s1, a), EADDRINUSE);
    CHECK(is_socket_file(path_));
    test_close(s1);
    CHECK(is_socket_file(path_));
    CHECK(close(fd) == 0);
    CHECK(unlink(path_) == 0);
}

static void test_large(void)
{
    const size_t len = 8u << 20;
    unsigned char *msg = malloc(len);
    void *got = NULL;
    CHECK(msg != NULL);
    for (size_t i = 0; i < len; i++)
        msg[i] = (unsigned char) ((i * 2246822519u) >> 11);

    const char *a = fresh_ipc_addr("large");
    int s = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    int t = test_socket_timeo(AF_SP, NN_PAIR, TEST_MUST_MS, TEST_MUST_MS);
    test_setopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_setopt_int(t, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    test_bind(s, a);
    test_connect(t, a);
    CHECK(nn_send(t, msg, len, 0) == (int) len);
    CHECK(nn_recv(s, &got, NN_MSG, 0) == (int) len);
    CHECK(memcmp(got, msg, len) == 0);
    CHECK(nn_send(s, &got, NN_MSG, 0) == (int) len);
    got = NULL;
    CHECK(nn_recv(t, &got, NN_MSG, 0) == (int) len);
    CHECK(memcmp(got, msg, len) == 0);
    CHECK(nn_freemsg(got) == 0);
    both_ways(s, t, 2);
    test_close(t);
    test_close(s);
    free(msg);
}

int main(void)
{
    alarm(30);
    test_basic();
    test_relative();
    test_connect_first();
    test_long_paths();
    test_missing_dir();
    test_stale();
    test_addrinuse();
    test_large();
    return 0;
}
