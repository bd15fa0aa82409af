/* nn_symbol and nn_symbol_info: iteration, end-of-table behaviour, agreement
   between the two functions, and the values/namespaces/types/units of
   well-known symbols, all as upstream nanomsg 1.1.5 reports them.
   Ours adds the 8 constants of <nanomsg/tls.h> after upstream's 121
   entries (every upstream entry keeps its index); the test finds out
   which library it runs on by looking NN_TLS up, and checks those 8 on
   ours only. */
#include "testutil.h"
#include <stddef.h>
#include <nanomsg/pair.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>
#include <nanomsg/inproc.h>
#include <nanomsg/ipc.h>
#include <nanomsg/tcp.h>
#include <nanomsg/ws.h>

#define MAX_SYMBOLS 1000

struct expect {
    const char *name;
    int value;
    int ns;
    int type;
    int unit;
};

/* A selection of symbols with everything upstream reports for them. */
static const struct expect known[] = {
    { "NN_NS_NAMESPACE", 0, 0, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_NS_VERSION", NN_NS_VERSION, NN_NS_NAMESPACE, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_NS_SOCKET_OPTION", NN_NS_SOCKET_OPTION, NN_NS_NAMESPACE, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_NS_STATISTIC", NN_NS_STATISTIC, NN_NS_NAMESPACE, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_TYPE_NONE", 0, NN_NS_OPTION_TYPE, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_TYPE_INT", 1, NN_NS_OPTION_TYPE, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_TYPE_STR", 2, NN_NS_OPTION_TYPE, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_UNIT_BYTES", 1, NN_NS_OPTION_UNIT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_UNIT_MESSAGES", 5, NN_NS_OPTION_UNIT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_UNIT_COUNTER", 6, NN_NS_OPTION_UNIT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_VERSION_CURRENT", 5, NN_NS_VERSION, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_VERSION_REVISION", 1, NN_NS_VERSION, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_VERSION_AGE", 0, NN_NS_VERSION, NN_TYPE_NONE, NN_UNIT_NONE },
    { "AF_SP", 1, NN_NS_DOMAIN, NN_TYPE_NONE, NN_UNIT_NONE },
    { "AF_SP_RAW", 2, NN_NS_DOMAIN, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_INPROC", NN_INPROC, NN_NS_TRANSPORT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_IPC", NN_IPC, NN_NS_TRANSPORT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_TCP", NN_TCP, NN_NS_TRANSPORT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_WS", NN_WS, NN_NS_TRANSPORT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_PAIR", 16, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_PUB", NN_PUB, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_SUB", NN_SUB, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_REQ", NN_REQ, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_REP", NN_REP, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_PUSH", NN_PUSH, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_PULL", NN_PULL, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_SURVEYOR", NN_SURVEYOR, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_RESPONDENT", NN_RESPONDENT, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_BUS", NN_BUS, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_SOCKADDR_MAX", 128, NN_NS_LIMIT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_SOL_SOCKET", 0, NN_NS_OPTION_LEVEL, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_LINGER", NN_LINGER, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS },
    { "NN_SNDBUF", NN_SNDBUF, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BYTES },
    { "NN_RCVBUF", NN_RCVBUF, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BYTES },
    { "NN_RCVMAXSIZE", NN_RCVMAXSIZE, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BYTES },
    { "NN_SNDTIMEO", NN_SNDTIMEO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS },
    { "NN_RCVTIMEO", NN_RCVTIMEO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS },
    { "NN_RECONNECT_IVL", NN_RECONNECT_IVL, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS },
    { "NN_RECONNECT_IVL_MAX", NN_RECONNECT_IVL_MAX, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS },
    { "NN_SNDPRIO", NN_SNDPRIO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_PRIORITY },
    { "NN_RCVPRIO", NN_RCVPRIO, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_PRIORITY },
    { "NN_SNDFD", NN_SNDFD, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_RCVFD", NN_RCVFD, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_DOMAIN", NN_DOMAIN, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_PROTOCOL", NN_PROTOCOL, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_IPV4ONLY", NN_IPV4ONLY, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_BOOLEAN },
    { "NN_SOCKET_NAME", NN_SOCKET_NAME, NN_NS_SOCKET_OPTION, NN_TYPE_STR, NN_UNIT_NONE },
    { "NN_MAXTTL", NN_MAXTTL, NN_NS_SOCKET_OPTION, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_SUB_SUBSCRIBE", NN_SUB_SUBSCRIBE, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE },
    { "NN_SUB_UNSUBSCRIBE", NN_SUB_UNSUBSCRIBE, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE },
    { "NN_REQ_RESEND_IVL", NN_REQ_RESEND_IVL, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS },
    { "NN_SURVEYOR_DEADLINE", NN_SURVEYOR_DEADLINE, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_MILLISECONDS },
    { "NN_TCP_NODELAY", NN_TCP_NODELAY, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_BOOLEAN },
    { "NN_WS_MSG_TYPE", NN_WS_MSG_TYPE, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_DONTWAIT", 1, NN_NS_FLAG, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_WS_MSG_TYPE_TEXT", 1, NN_NS_FLAG, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_WS_MSG_TYPE_BINARY", 2, NN_NS_FLAG, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_POLLIN", NN_POLLIN, NN_NS_EVENT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_POLLOUT", NN_POLLOUT, NN_NS_EVENT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EADDRINUSE", EADDRINUSE, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EAGAIN", EAGAIN, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EBADF", EBADF, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EFAULT", EFAULT, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EINTR", EINTR, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EINVAL", EINVAL, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EMFILE", EMFILE, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ENAMETOOLONG", ENAMETOOLONG, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ENODEV", ENODEV, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ENOMEM", ENOMEM, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ENOPROTOOPT", ENOPROTOOPT, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ENOTSUP", ENOTSUP, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ETIMEDOUT", ETIMEDOUT, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ETERM", ETERM, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "EFSM", EFSM, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "ENOTCONN", ENOTCONN, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_STAT_ESTABLISHED_CONNECTIONS", 101, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER },
    { "NN_STAT_ACCEPT_ERRORS", 107, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_COUNTER },
    { "NN_STAT_MESSAGES_SENT", 301, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_MESSAGES },
    { "NN_STAT_MESSAGES_RECEIVED", 302, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_MESSAGES },
    { "NN_STAT_BYTES_SENT", 303, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_BYTES },
    { "NN_STAT_BYTES_RECEIVED", 304, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_BYTES },
    { "NN_STAT_CURRENT_CONNECTIONS", 201, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_STAT_INPROGRESS_CONNECTIONS", 202, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_STAT_CURRENT_EP_ERRORS", 203, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_STAT_CURRENT_SND_PRIORITY", 401, NN_NS_STATISTIC, NN_TYPE_INT, NN_UNIT_PRIORITY },
};

/* Ours only, after upstream's table, in this order (values from tls.h,
   written out so that the test still builds with upstream's headers). */
static const struct expect tls[] = {
    { "NN_TLS", -5, NN_NS_TRANSPORT, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_TLS_CA_FILE", 1, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE },
    { "NN_TLS_CERT_KEY_FILE", 2, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE },
    { "NN_TLS_AUTH_MODE", 3, NN_NS_TRANSPORT_OPTION, NN_TYPE_INT, NN_UNIT_NONE },
    { "NN_TLS_SERVER_NAME", 4, NN_NS_TRANSPORT_OPTION, NN_TYPE_STR, NN_UNIT_NONE },
    { "NN_TLS_AUTH_MODE_NONE", 0, NN_NS_FLAG, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_TLS_AUTH_MODE_OPTIONAL", 1, NN_NS_FLAG, NN_TYPE_NONE, NN_UNIT_NONE },
    { "NN_TLS_AUTH_MODE_REQUIRED", 2, NN_NS_FLAG, NN_TYPE_NONE, NN_UNIT_NONE },
};
#define NTLS ((int) (sizeof tls / sizeof tls[0]))

static int find_symbol(const char *name, int *value)
{
    int i;
    const char *n;
    for (i = 0; (n = nn_symbol(i, value)) != NULL; ++i) {
        CHECK(i < MAX_SYMBOLS);
        if (strcmp(n, name) == 0)
            return i;
    }
    return -1;
}

int main(void)
{
    int i, j, count, value, rc, ours;
    const char *name;
    struct nn_symbol_properties sym;
    const char *names[MAX_SYMBOLS];
    int values[MAX_SYMBOLS];

    /*  nn_symbol: iterate until NULL; every entry has a non-empty name. */
    for (i = 0; ; ++i) {
        CHECK(i < MAX_SYMBOLS);
        value = -12345;
        errno = 0;
        name = nn_symbol(i, &value);
        if (name == NULL)
            break;
        CHECK(strlen(name) > 0);
        CHECK(value != -12345);
        names[i] = name;
        values[i] = value;
    }
    count = i;
    /*  The end of the table is signalled by NULL with errno EINVAL. */
    CHECK(nn_errno() == EINVAL);
    /*  Upstream 1.1.5 exports exactly 121 symbols; ours 8 more. */
    ours = find_symbol("NN_TLS", &value) >= 0;
    CHECK(count == 121 + (ours ? NTLS : 0));

    /*  Names are unique and stable across calls; past the end stays NULL. */
    for (i = 0; i < count; ++i) {
        for (j = i + 1; j < count; ++j)
            CHECK(strcmp(names[i], names[j]) != 0);
        value = -1;
        name = nn_symbol(i, &value);
        CHECK(name != NULL && strcmp(name, names[i]) == 0);
        CHECK(value == values[i]);
        /*  The value pointer may be NULL. */
        name = nn_symbol(i, NULL);
        CHECK(name != NULL && strcmp(name, names[i]) == 0);
    }
    errno = 0;
    CHECK(nn_symbol(count, &value) == NULL);
    CHECK(nn_errno() == EINVAL);
    errno = 0;
    CHECK(nn_symbol(count + 1000, &value) == NULL);
    CHECK(nn_errno() == EINVAL);

    /*  Negative index: NULL with EINVAL. */
    errno = 0;
    CHECK(nn_symbol(-1, &value) == NULL);
    CHECK(nn_errno() == EINVAL);
    errno = 0;
    CHECK(nn_symbol(-1000000, &value) == NULL);
    CHECK(nn_errno() == EINVAL);

    /*  Well-known names and values. */
    CHECK(find_symbol("AF_SP", &value) >= 0 && value == 1);
    CHECK(find_symbol("AF_SP_RAW", &value) >= 0 && value == 2);
    CHECK(find_symbol("NN_PAIR", &value) >= 0 && value == 16);
    CHECK(find_symbol("NN_SOL_SOCKET", &value) >= 0 && value == 0);
    CHECK(find_symbol("NN_DONTWAIT", &value) >= 0 && value == 1);
    CHECK(find_symbol("ETERM", &value) >= 0 && value == ETERM);
    CHECK(value == NN_HAUSNUMERO + 53);
    CHECK(find_symbol("EFSM", &value) >= 0 && value == EFSM);
    CHECK(value == NN_HAUSNUMERO + 54);
    CHECK(find_symbol("EINVAL", &value) >= 0 && value == EINVAL);
    CHECK(find_symbol("NN_SNDBUF", &value) >= 0 && value == 2);
    CHECK(find_symbol("NN_MAXTTL", &value) >= 0 && value == 17);
    CHECK(find_symbol("NN_STAT_BYTES_RECEIVED", &value) >= 0 && value == 304);
    /*  NN_MSG is deliberately not exported. */
    CHECK(find_symbol("NN_MSG", &value) == -1);
    CHECK(find_symbol("NN_NOT_A_SYMBOL", &value) == -1);
    /*  Upstream's table starts with the namespaces, in order. */
    CHECK(strcmp(names[0], "NN_NS_NAMESPACE") == 0 && values[0] == 0);
    CHECK(strcmp(names[14], "NN_NS_STATISTIC") == 0 && values[14] == 14);

    /*  nn_symbol_info over every entry agrees with nn_symbol. */
    for (i = 0; i < count; ++i) {
        memset(&sym, 0xa5, sizeof sym);
        rc = nn_symbol_info(i, &sym, (int) sizeof sym);
        CHECK(rc == (int) sizeof sym);
        CHECK(sym.name != NULL);
        CHECK(strcmp(sym.name, names[i]) == 0);
        CHECK(sym.value == values[i]);
        CHECK(sym.ns >= NN_NS_NAMESPACE && sym.ns <= NN_NS_STATISTIC);
        CHECK(sym.type >= NN_TYPE_NONE && sym.type <= NN_TYPE_STR);
        CHECK(sym.unit >= NN_UNIT_NONE && sym.unit <= NN_UNIT_COUNTER);
        /*  Namespace symbols live in namespace 0 and their value is the
            namespace id; everything else has a non-zero namespace. */
        if (strncmp(sym.name, "NN_NS_", 6) == 0)
            CHECK(sym.ns == NN_NS_NAMESPACE);
        else
            CHECK(sym.ns != NN_NS_NAMESPACE);
        /*  Only options and statistics have a type. */
        if (sym.ns != NN_NS_SOCKET_OPTION && sym.ns != NN_NS_TRANSPORT_OPTION &&
              sym.ns != NN_NS_STATISTIC) {
            CHECK(sym.type == NN_TYPE_NONE);
            CHECK(sym.unit == NN_UNIT_NONE);
        }
        else
            CHECK(sym.type != NN_TYPE_NONE);
    }

    /*  Out of range: 0 (both ends), buffer untouched. */
    memset(&sym, 0xa5, sizeof sym);
    CHECK(nn_symbol_info(count, &sym, (int) sizeof sym) == 0);
    CHECK(nn_symbol_info(count + 1000, &sym, (int) sizeof sym) == 0);
    CHECK(nn_symbol_info(-1, &sym, (int) sizeof sym) == 0);
    CHECK(nn_symbol_info(-1000000, &sym, (int) sizeof sym) == 0);
    CHECK(sym.value == (int) 0xa5a5a5a5);

    /*  Every known entry has the expected value, namespace, type, unit. */
    for (j = 0; j < (int) (sizeof known / sizeof known[0]); ++j) {
        i = find_symbol(known[j].name, &value);
        if (i < 0) {
            fprintf(stderr, "symbol %s not found\n", known[j].name);
            exit(1);
        }
        rc = nn_symbol_info(i, &sym, (int) sizeof sym);
        CHECK(rc == (int) sizeof sym);
        if (strcmp(sym.name, known[j].name) != 0 ||
              sym.value != known[j].value || sym.ns != known[j].ns ||
              sym.type != known[j].type || sym.unit != known[j].unit) {
            fprintf(stderr, "%s: got value %d ns %d type %d unit %d, "
                "expected %d %d %d %d\n", known[j].name, sym.value, sym.ns,
                sym.type, sym.unit, known[j].value, known[j].ns,
                known[j].type, known[j].unit);
            exit(1);
        }
    }

    /*  Ours: the TLS entries follow upstream's, in tls.h's order. */
    for (j = 0; ours && j < NTLS; ++j) {
        rc = nn_symbol_info(121 + j, &sym, (int) sizeof sym);
        CHECK(rc == (int) sizeof sym);
        if (strcmp(sym.name, tls[j].name) != 0 || sym.value != tls[j].value ||
              sym.ns != tls[j].ns || sym.type != tls[j].type ||
              sym.unit != tls[j].unit) {
            fprintf(stderr, "entry %d: got %s value %d ns %d type %d unit "
                "%d, expected %s\n", 121 + j, sym.name, sym.value, sym.ns,
                sym.type, sym.unit, tls[j].name);
            exit(1);
        }
    }

    /*  Namespace counts as upstream has them (ours: plus NN_TLS, its four
        options and three mode values). */
    {
        int per_ns[NN_NS_STATISTIC + 1];
        memset(per_ns, 0, sizeof per_ns);
        for (i = 0; i < count; ++i) {
            rc = nn_symbol_info(i, &sym, (int) sizeof sym);
            CHECK(rc == (int) sizeof sym);
            per_ns[sym.ns]++;
        }
        CHECK(per_ns[NN_NS_NAMESPACE] == 15);
        CHECK(per_ns[NN_NS_VERSION] == 3);
        CHECK(per_ns[NN_NS_DOMAIN] == 2);
        CHECK(per_ns[NN_NS_TRANSPORT] == 4 + (ours ? 1 : 0));
        CHECK(per_ns[NN_NS_PROTOCOL] == 10);
        CHECK(per_ns[NN_NS_OPTION_LEVEL] == 1);
        CHECK(per_ns[NN_NS_SOCKET_OPTION] == 17);
        CHECK(per_ns[NN_NS_TRANSPORT_OPTION] == 6 + (ours ? 4 : 0));
        CHECK(per_ns[NN_NS_OPTION_TYPE] == 3);
        CHECK(per_ns[NN_NS_OPTION_UNIT] == 7);
        CHECK(per_ns[NN_NS_FLAG] == 3 + (ours ? 3 : 0));
        CHECK(per_ns[NN_NS_ERROR] == 32);
        CHECK(per_ns[NN_NS_LIMIT] == 1);
        CHECK(per_ns[NN_NS_EVENT] == 2);
        CHECK(per_ns[NN_NS_STATISTIC] == 15);
    }

    /*  Short buffers: upstream copies only buflen bytes and returns buflen.
        With buflen 4 only the value is written. */
    i = find_symbol("NN_SNDBUF", &value);
    CHECK(i >= 0);
    memset(&sym, 0xa5, sizeof sym);
    rc = nn_symbol_info(i, &sym, (int) sizeof (int));
    CHECK(rc == (int) sizeof (int));
    CHECK(sym.value == NN_SNDBUF);
    {
        const char *untouched;
        memset(&untouched, 0xa5, sizeof untouched);
        CHECK(memcmp(&sym.name, &untouched, sizeof untouched) == 0);
    }
    CHECK(sym.ns == (int) 0xa5a5a5a5);
    CHECK(sym.unit == (int) 0xa5a5a5a5);

    /*  Up to (and including) the name pointer. */
    memset(&sym, 0xa5, sizeof sym);
    rc = nn_symbol_info(i, &sym,
        (int) (offsetof (struct nn_symbol_properties, name) + sizeof (char *)));
    CHECK(rc == (int) (offsetof (struct nn_symbol_properties, name) +
        sizeof (char *)));
    CHECK(sym.value == NN_SNDBUF);
    CHECK(strcmp(sym.name, "NN_SNDBUF") == 0);
    CHECK(sym.ns == (int) 0xa5a5a5a5);

    /*  Stop in the middle of the struct (before unit). */
    memset(&sym, 0xa5, sizeof sym);
    rc = nn_symbol_info(i, &sym,
        (int) offsetof (struct nn_symbol_properties, unit));
    CHECK(rc == (int) offsetof (struct nn_symbol_properties, unit));
    CHECK(sym.ns == NN_NS_SOCKET_OPTION);
    CHECK(sym.type == NN_TYPE_INT);
    CHECK(sym.unit == (int) 0xa5a5a5a5);

    /*  buflen 0: nothing written, returns 0. */
    memset(&sym, 0xa5, sizeof sym);
    CHECK(nn_symbol_info(i, &sym, 0) == 0);
    CHECK(sym.value == (int) 0xa5a5a5a5);

    /*  A larger buffer than the struct: only the struct is written and
        its size returned (forward compatibility). */
    {
        unsigned char big[sizeof sym + 64];
        memset(big, 0x5a, sizeof big);
        rc = nn_symbol_info(i, (struct nn_symbol_properties *) big,
            (int) sizeof big);
        CHECK(rc == (int) sizeof sym);
        for (j = (int) sizeof sym; j < (int) sizeof big; ++j)
            CHECK(big[j] == 0x5a);
        memcpy(&sym, big, sizeof sym);
        CHECK(sym.value == NN_SNDBUF);
        CHECK(sym.unit == NN_UNIT_BYTES);
    }

    return 0;
}
