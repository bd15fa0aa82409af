/*
    A nanomsg program as a user of the installed library writes it, built by
    scripts/clients-test twice: through pkg-config and through a CMake
    project using find_package(nanomsg CONFIG).

    hello server URL       REP: answers every request MSG with "re: MSG"
    hello client URL MSG   REQ: sends MSG, prints the reply, exits

    Both first print "loaded PATH": the libnanomsg this process mapped.
*/
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

static void die(const char *what)
{
    fprintf(stderr, "hello: %s: %s (errno %d)\n", what, nn_strerror(nn_errno()), nn_errno());
    exit(1);
}

static void print_loaded(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096], real[PATH_MAX];
    if (!f) {
        perror("/proc/self/maps");
        exit(1);
    }
    while (fgets(line, sizeof line, f)) {
        char *path = strchr(line, '/');
        if (path && strstr(path, "libnanomsg")) {
            path[strcspn(path, "\n")] = 0;
            printf("loaded %s\n", realpath(path, real) ? real : path);
            fclose(f);
            return;
        }
    }
    printf("loaded nothing named libnanomsg\n");
    fclose(f);
}

int main(int argc, char **argv)
{
    int server = argc == 3 && strcmp(argv[1], "server") == 0;
    int client = argc == 4 && strcmp(argv[1], "client") == 0;
    int timeout = 10000;
    char *msg = NULL;
    int s, n;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!server && !client) {
        fprintf(stderr, "usage: hello server URL | hello client URL MSG\n");
        return 2;
    }
    print_loaded();
    s = nn_socket(AF_SP, server ? NN_REP : NN_REQ);
    if (s < 0)
        die("nn_socket");
    if (server) {
        if (nn_bind(s, argv[2]) < 0)
            die("nn_bind");
        for (;;) {
            char reply[256];
            n = nn_recv(s, &msg, NN_MSG, 0);
            if (n < 0)
                die("nn_recv");
            printf("server got %.*s\n", n, msg);
            n = snprintf(reply, sizeof reply, "re: %.*s", n, msg);
            nn_freemsg(msg);
            if (nn_send(s, reply, (size_t)n, 0) < 0)
                die("nn_send");
        }
    }
    if (nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout, sizeof timeout) < 0 ||
        nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout, sizeof timeout) < 0)
        die("nn_setsockopt");
    if (nn_connect(s, argv[2]) < 0)
        die("nn_connect");
    if (nn_send(s, argv[3], strlen(argv[3]), 0) < 0)
        die("nn_send");
    n = nn_recv(s, &msg, NN_MSG, 0);
    if (n < 0)
        die("nn_recv");
    printf("client got %.*s\n", n, msg);
    nn_freemsg(msg);
    return nn_close(s) == 0 ? 0 : 1;
}
