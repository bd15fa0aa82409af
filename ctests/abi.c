/* SPDX-License-Identifier: MIT */
/*
 * ABI fingerprint of the nanomsg public headers.
 *
 * Prints compile-time facts only (macro values and their C types, struct
 * sizes and field offsets, control-message arithmetic) as "NAME VALUE"
 * lines, so it can be built against upstream's headers and against ours and
 * the two outputs diffed (see scripts/abi-compare).  No library function is
 * ever called.  Function signatures are checked at compile time in a static
 * function that is never called: assigning each API function to a pointer of
 * the exact upstream type makes any mismatch a compile error under -Werror.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdalign.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>
#include <nanomsg/inproc.h>
#include <nanomsg/ipc.h>
#include <nanomsg/tcp.h>
#include <nanomsg/ws.h>

#define TYPE_NAME(x) _Generic((x),                                  \
    signed char: "schar", unsigned char: "uchar", char: "char",     \
    short: "short", unsigned short: "ushort",                       \
    int: "int", unsigned int: "uint",                               \
    long: "long", unsigned long: "ulong",                           \
    long long: "llong", unsigned long long: "ullong",               \
    default: "other")

/* Integer-valued expression: value and C type. */
#define SHOW(name, expr) \
    printf("%s %lld %s\n", name, (long long) (expr), TYPE_NAME(expr))
/* Size/offset style fact. */
#define FACT(name, expr) printf("%s %zu\n", name, (size_t) (expr))

#define SIZE_OF(T) do {                                           \
        FACT("sizeof(" #T ")", sizeof(T));                        \
        FACT("alignof(" #T ")", alignof(T));                      \
    } while (0)
#define FIELD(T, f) do {                                          \
        FACT("offsetof(" #T "," #f ")", offsetof(T, f));          \
        FACT("sizeof(" #T "." #f ")", sizeof(((T *) 0)->f));      \
    } while (0)

static void constants(void)
{
#ifdef NN_VERSION_CURRENT
#if (NN_VERSION_CURRENT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_VERSION_CURRENT", NN_VERSION_CURRENT);
#else
    puts("NN_VERSION_CURRENT undefined");
#endif
#ifdef NN_VERSION_REVISION
#if (NN_VERSION_REVISION) || 1 /* must be usable in #if */
#endif
    SHOW("NN_VERSION_REVISION", NN_VERSION_REVISION);
#else
    puts("NN_VERSION_REVISION undefined");
#endif
#ifdef NN_VERSION_AGE
#if (NN_VERSION_AGE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_VERSION_AGE", NN_VERSION_AGE);
#else
    puts("NN_VERSION_AGE undefined");
#endif
#ifdef NN_HAUSNUMERO
#if (NN_HAUSNUMERO) || 1 /* must be usable in #if */
#endif
    SHOW("NN_HAUSNUMERO", NN_HAUSNUMERO);
#else
    puts("NN_HAUSNUMERO undefined");
#endif
#ifdef ENOTSUP
#if (ENOTSUP) || 1 /* must be usable in #if */
#endif
    SHOW("ENOTSUP", ENOTSUP);
#else
    puts("ENOTSUP undefined");
#endif
#ifdef EPROTONOSUPPORT
#if (EPROTONOSUPPORT) || 1 /* must be usable in #if */
#endif
    SHOW("EPROTONOSUPPORT", EPROTONOSUPPORT);
#else
    puts("EPROTONOSUPPORT undefined");
#endif
#ifdef ENOBUFS
#if (ENOBUFS) || 1 /* must be usable in #if */
#endif
    SHOW("ENOBUFS", ENOBUFS);
#else
    puts("ENOBUFS undefined");
#endif
#ifdef ENETDOWN
#if (ENETDOWN) || 1 /* must be usable in #if */
#endif
    SHOW("ENETDOWN", ENETDOWN);
#else
    puts("ENETDOWN undefined");
#endif
#ifdef EADDRINUSE
#if (EADDRINUSE) || 1 /* must be usable in #if */
#endif
    SHOW("EADDRINUSE", EADDRINUSE);
#else
    puts("EADDRINUSE undefined");
#endif
#ifdef EADDRNOTAVAIL
#if (EADDRNOTAVAIL) || 1 /* must be usable in #if */
#endif
    SHOW("EADDRNOTAVAIL", EADDRNOTAVAIL);
#else
    puts("EADDRNOTAVAIL undefined");
#endif
#ifdef ECONNREFUSED
#if (ECONNREFUSED) || 1 /* must be usable in #if */
#endif
    SHOW("ECONNREFUSED", ECONNREFUSED);
#else
    puts("ECONNREFUSED undefined");
#endif
#ifdef EINPROGRESS
#if (EINPROGRESS) || 1 /* must be usable in #if */
#endif
    SHOW("EINPROGRESS", EINPROGRESS);
#else
    puts("EINPROGRESS undefined");
#endif
#ifdef ENOTSOCK
#if (ENOTSOCK) || 1 /* must be usable in #if */
#endif
    SHOW("ENOTSOCK", ENOTSOCK);
#else
    puts("ENOTSOCK undefined");
#endif
#ifdef EAFNOSUPPORT
#if (EAFNOSUPPORT) || 1 /* must be usable in #if */
#endif
    SHOW("EAFNOSUPPORT", EAFNOSUPPORT);
#else
    puts("EAFNOSUPPORT undefined");
#endif
#ifdef EPROTO
#if (EPROTO) || 1 /* must be usable in #if */
#endif
    SHOW("EPROTO", EPROTO);
#else
    puts("EPROTO undefined");
#endif
#ifdef EAGAIN
#if (EAGAIN) || 1 /* must be usable in #if */
#endif
    SHOW("EAGAIN", EAGAIN);
#else
    puts("EAGAIN undefined");
#endif
#ifdef EBADF
#if (EBADF) || 1 /* must be usable in #if */
#endif
    SHOW("EBADF", EBADF);
#else
    puts("EBADF undefined");
#endif
#ifdef EINVAL
#if (EINVAL) || 1 /* must be usable in #if */
#endif
    SHOW("EINVAL", EINVAL);
#else
    puts("EINVAL undefined");
#endif
#ifdef EMFILE
#if (EMFILE) || 1 /* must be usable in #if */
#endif
    SHOW("EMFILE", EMFILE);
#else
    puts("EMFILE undefined");
#endif
#ifdef EFAULT
#if (EFAULT) || 1 /* must be usable in #if */
#endif
    SHOW("EFAULT", EFAULT);
#else
    puts("EFAULT undefined");
#endif
#ifdef EACCES
#if (EACCES) || 1 /* must be usable in #if */
#endif
    SHOW("EACCES", EACCES);
#else
    puts("EACCES undefined");
#endif
#ifdef EACCESS
#if (EACCESS) || 1 /* must be usable in #if */
#endif
    SHOW("EACCESS", EACCESS);
#else
    puts("EACCESS undefined");
#endif
#ifdef ENETRESET
#if (ENETRESET) || 1 /* must be usable in #if */
#endif
    SHOW("ENETRESET", ENETRESET);
#else
    puts("ENETRESET undefined");
#endif
#ifdef ENETUNREACH
#if (ENETUNREACH) || 1 /* must be usable in #if */
#endif
    SHOW("ENETUNREACH", ENETUNREACH);
#else
    puts("ENETUNREACH undefined");
#endif
#ifdef EHOSTUNREACH
#if (EHOSTUNREACH) || 1 /* must be usable in #if */
#endif
    SHOW("EHOSTUNREACH", EHOSTUNREACH);
#else
    puts("EHOSTUNREACH undefined");
#endif
#ifdef ENOTCONN
#if (ENOTCONN) || 1 /* must be usable in #if */
#endif
    SHOW("ENOTCONN", ENOTCONN);
#else
    puts("ENOTCONN undefined");
#endif
#ifdef EMSGSIZE
#if (EMSGSIZE) || 1 /* must be usable in #if */
#endif
    SHOW("EMSGSIZE", EMSGSIZE);
#else
    puts("EMSGSIZE undefined");
#endif
#ifdef ETIMEDOUT
#if (ETIMEDOUT) || 1 /* must be usable in #if */
#endif
    SHOW("ETIMEDOUT", ETIMEDOUT);
#else
    puts("ETIMEDOUT undefined");
#endif
#ifdef ECONNABORTED
#if (ECONNABORTED) || 1 /* must be usable in #if */
#endif
    SHOW("ECONNABORTED", ECONNABORTED);
#else
    puts("ECONNABORTED undefined");
#endif
#ifdef ECONNRESET
#if (ECONNRESET) || 1 /* must be usable in #if */
#endif
    SHOW("ECONNRESET", ECONNRESET);
#else
    puts("ECONNRESET undefined");
#endif
#ifdef ENOPROTOOPT
#if (ENOPROTOOPT) || 1 /* must be usable in #if */
#endif
    SHOW("ENOPROTOOPT", ENOPROTOOPT);
#else
    puts("ENOPROTOOPT undefined");
#endif
#ifdef EISCONN
#if (EISCONN) || 1 /* must be usable in #if */
#endif
    SHOW("EISCONN", EISCONN);
#else
    puts("EISCONN undefined");
#endif
#ifdef ESOCKTNOSUPPORT
#if (ESOCKTNOSUPPORT) || 1 /* must be usable in #if */
#endif
    SHOW("ESOCKTNOSUPPORT", ESOCKTNOSUPPORT);
#else
    puts("ESOCKTNOSUPPORT undefined");
#endif
#ifdef ETERM
#if (ETERM) || 1 /* must be usable in #if */
#endif
    SHOW("ETERM", ETERM);
#else
    puts("ETERM undefined");
#endif
#ifdef EFSM
#if (EFSM) || 1 /* must be usable in #if */
#endif
    SHOW("EFSM", EFSM);
#else
    puts("EFSM undefined");
#endif
#ifdef NN_NS_NAMESPACE
#if (NN_NS_NAMESPACE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_NAMESPACE", NN_NS_NAMESPACE);
#else
    puts("NN_NS_NAMESPACE undefined");
#endif
#ifdef NN_NS_VERSION
#if (NN_NS_VERSION) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_VERSION", NN_NS_VERSION);
#else
    puts("NN_NS_VERSION undefined");
#endif
#ifdef NN_NS_DOMAIN
#if (NN_NS_DOMAIN) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_DOMAIN", NN_NS_DOMAIN);
#else
    puts("NN_NS_DOMAIN undefined");
#endif
#ifdef NN_NS_TRANSPORT
#if (NN_NS_TRANSPORT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_TRANSPORT", NN_NS_TRANSPORT);
#else
    puts("NN_NS_TRANSPORT undefined");
#endif
#ifdef NN_NS_PROTOCOL
#if (NN_NS_PROTOCOL) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_PROTOCOL", NN_NS_PROTOCOL);
#else
    puts("NN_NS_PROTOCOL undefined");
#endif
#ifdef NN_NS_OPTION_LEVEL
#if (NN_NS_OPTION_LEVEL) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_OPTION_LEVEL", NN_NS_OPTION_LEVEL);
#else
    puts("NN_NS_OPTION_LEVEL undefined");
#endif
#ifdef NN_NS_SOCKET_OPTION
#if (NN_NS_SOCKET_OPTION) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_SOCKET_OPTION", NN_NS_SOCKET_OPTION);
#else
    puts("NN_NS_SOCKET_OPTION undefined");
#endif
#ifdef NN_NS_TRANSPORT_OPTION
#if (NN_NS_TRANSPORT_OPTION) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_TRANSPORT_OPTION", NN_NS_TRANSPORT_OPTION);
#else
    puts("NN_NS_TRANSPORT_OPTION undefined");
#endif
#ifdef NN_NS_OPTION_TYPE
#if (NN_NS_OPTION_TYPE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_OPTION_TYPE", NN_NS_OPTION_TYPE);
#else
    puts("NN_NS_OPTION_TYPE undefined");
#endif
#ifdef NN_NS_OPTION_UNIT
#if (NN_NS_OPTION_UNIT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_OPTION_UNIT", NN_NS_OPTION_UNIT);
#else
    puts("NN_NS_OPTION_UNIT undefined");
#endif
#ifdef NN_NS_FLAG
#if (NN_NS_FLAG) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_FLAG", NN_NS_FLAG);
#else
    puts("NN_NS_FLAG undefined");
#endif
#ifdef NN_NS_ERROR
#if (NN_NS_ERROR) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_ERROR", NN_NS_ERROR);
#else
    puts("NN_NS_ERROR undefined");
#endif
#ifdef NN_NS_LIMIT
#if (NN_NS_LIMIT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_LIMIT", NN_NS_LIMIT);
#else
    puts("NN_NS_LIMIT undefined");
#endif
#ifdef NN_NS_EVENT
#if (NN_NS_EVENT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_EVENT", NN_NS_EVENT);
#else
    puts("NN_NS_EVENT undefined");
#endif
#ifdef NN_NS_STATISTIC
#if (NN_NS_STATISTIC) || 1 /* must be usable in #if */
#endif
    SHOW("NN_NS_STATISTIC", NN_NS_STATISTIC);
#else
    puts("NN_NS_STATISTIC undefined");
#endif
#ifdef NN_TYPE_NONE
#if (NN_TYPE_NONE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_TYPE_NONE", NN_TYPE_NONE);
#else
    puts("NN_TYPE_NONE undefined");
#endif
#ifdef NN_TYPE_INT
#if (NN_TYPE_INT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_TYPE_INT", NN_TYPE_INT);
#else
    puts("NN_TYPE_INT undefined");
#endif
#ifdef NN_TYPE_STR
#if (NN_TYPE_STR) || 1 /* must be usable in #if */
#endif
    SHOW("NN_TYPE_STR", NN_TYPE_STR);
#else
    puts("NN_TYPE_STR undefined");
#endif
#ifdef NN_UNIT_NONE
#if (NN_UNIT_NONE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_UNIT_NONE", NN_UNIT_NONE);
#else
    puts("NN_UNIT_NONE undefined");
#endif
#ifdef NN_UNIT_BYTES
#if (NN_UNIT_BYTES) || 1 /* must be usable in #if */
#endif
    SHOW("NN_UNIT_BYTES", NN_UNIT_BYTES);
#else
    puts("NN_UNIT_BYTES undefined");
#endif
#ifdef NN_UNIT_MILLISECONDS
#if (NN_UNIT_MILLISECONDS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_UNIT_MILLISECONDS", NN_UNIT_MILLISECONDS);
#else
    puts("NN_UNIT_MILLISECONDS undefined");
#endif
#ifdef NN_UNIT_PRIORITY
#if (NN_UNIT_PRIORITY) || 1 /* must be usable in #if */
#endif
    SHOW("NN_UNIT_PRIORITY", NN_UNIT_PRIORITY);
#else
    puts("NN_UNIT_PRIORITY undefined");
#endif
#ifdef NN_UNIT_BOOLEAN
#if (NN_UNIT_BOOLEAN) || 1 /* must be usable in #if */
#endif
    SHOW("NN_UNIT_BOOLEAN", NN_UNIT_BOOLEAN);
#else
    puts("NN_UNIT_BOOLEAN undefined");
#endif
#ifdef NN_UNIT_MESSAGES
#if (NN_UNIT_MESSAGES) || 1 /* must be usable in #if */
#endif
    SHOW("NN_UNIT_MESSAGES", NN_UNIT_MESSAGES);
#else
    puts("NN_UNIT_MESSAGES undefined");
#endif
#ifdef NN_UNIT_COUNTER
#if (NN_UNIT_COUNTER) || 1 /* must be usable in #if */
#endif
    SHOW("NN_UNIT_COUNTER", NN_UNIT_COUNTER);
#else
    puts("NN_UNIT_COUNTER undefined");
#endif
#ifdef NN_MSG
    SHOW("NN_MSG", NN_MSG);
    printf("NN_MSG_is_SIZE_MAX %d\n", NN_MSG == SIZE_MAX);
#else
    puts("NN_MSG undefined");
#endif
#ifdef AF_SP
#if (AF_SP) || 1 /* must be usable in #if */
#endif
    SHOW("AF_SP", AF_SP);
#else
    puts("AF_SP undefined");
#endif
#ifdef AF_SP_RAW
#if (AF_SP_RAW) || 1 /* must be usable in #if */
#endif
    SHOW("AF_SP_RAW", AF_SP_RAW);
#else
    puts("AF_SP_RAW undefined");
#endif
#ifdef NN_SOCKADDR_MAX
#if (NN_SOCKADDR_MAX) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SOCKADDR_MAX", NN_SOCKADDR_MAX);
#else
    puts("NN_SOCKADDR_MAX undefined");
#endif
#ifdef NN_SOL_SOCKET
#if (NN_SOL_SOCKET) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SOL_SOCKET", NN_SOL_SOCKET);
#else
    puts("NN_SOL_SOCKET undefined");
#endif
#ifdef NN_LINGER
#if (NN_LINGER) || 1 /* must be usable in #if */
#endif
    SHOW("NN_LINGER", NN_LINGER);
#else
    puts("NN_LINGER undefined");
#endif
#ifdef NN_SNDBUF
#if (NN_SNDBUF) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SNDBUF", NN_SNDBUF);
#else
    puts("NN_SNDBUF undefined");
#endif
#ifdef NN_RCVBUF
#if (NN_RCVBUF) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RCVBUF", NN_RCVBUF);
#else
    puts("NN_RCVBUF undefined");
#endif
#ifdef NN_SNDTIMEO
#if (NN_SNDTIMEO) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SNDTIMEO", NN_SNDTIMEO);
#else
    puts("NN_SNDTIMEO undefined");
#endif
#ifdef NN_RCVTIMEO
#if (NN_RCVTIMEO) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RCVTIMEO", NN_RCVTIMEO);
#else
    puts("NN_RCVTIMEO undefined");
#endif
#ifdef NN_RECONNECT_IVL
#if (NN_RECONNECT_IVL) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RECONNECT_IVL", NN_RECONNECT_IVL);
#else
    puts("NN_RECONNECT_IVL undefined");
#endif
#ifdef NN_RECONNECT_IVL_MAX
#if (NN_RECONNECT_IVL_MAX) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RECONNECT_IVL_MAX", NN_RECONNECT_IVL_MAX);
#else
    puts("NN_RECONNECT_IVL_MAX undefined");
#endif
#ifdef NN_SNDPRIO
#if (NN_SNDPRIO) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SNDPRIO", NN_SNDPRIO);
#else
    puts("NN_SNDPRIO undefined");
#endif
#ifdef NN_RCVPRIO
#if (NN_RCVPRIO) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RCVPRIO", NN_RCVPRIO);
#else
    puts("NN_RCVPRIO undefined");
#endif
#ifdef NN_SNDFD
#if (NN_SNDFD) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SNDFD", NN_SNDFD);
#else
    puts("NN_SNDFD undefined");
#endif
#ifdef NN_RCVFD
#if (NN_RCVFD) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RCVFD", NN_RCVFD);
#else
    puts("NN_RCVFD undefined");
#endif
#ifdef NN_DOMAIN
#if (NN_DOMAIN) || 1 /* must be usable in #if */
#endif
    SHOW("NN_DOMAIN", NN_DOMAIN);
#else
    puts("NN_DOMAIN undefined");
#endif
#ifdef NN_PROTOCOL
#if (NN_PROTOCOL) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PROTOCOL", NN_PROTOCOL);
#else
    puts("NN_PROTOCOL undefined");
#endif
#ifdef NN_IPV4ONLY
#if (NN_IPV4ONLY) || 1 /* must be usable in #if */
#endif
    SHOW("NN_IPV4ONLY", NN_IPV4ONLY);
#else
    puts("NN_IPV4ONLY undefined");
#endif
#ifdef NN_SOCKET_NAME
#if (NN_SOCKET_NAME) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SOCKET_NAME", NN_SOCKET_NAME);
#else
    puts("NN_SOCKET_NAME undefined");
#endif
#ifdef NN_RCVMAXSIZE
#if (NN_RCVMAXSIZE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RCVMAXSIZE", NN_RCVMAXSIZE);
#else
    puts("NN_RCVMAXSIZE undefined");
#endif
#ifdef NN_MAXTTL
#if (NN_MAXTTL) || 1 /* must be usable in #if */
#endif
    SHOW("NN_MAXTTL", NN_MAXTTL);
#else
    puts("NN_MAXTTL undefined");
#endif
#ifdef NN_DONTWAIT
#if (NN_DONTWAIT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_DONTWAIT", NN_DONTWAIT);
#else
    puts("NN_DONTWAIT undefined");
#endif
#ifdef PROTO_SP
#if (PROTO_SP) || 1 /* must be usable in #if */
#endif
    SHOW("PROTO_SP", PROTO_SP);
#else
    puts("PROTO_SP undefined");
#endif
#ifdef SP_HDR
#if (SP_HDR) || 1 /* must be usable in #if */
#endif
    SHOW("SP_HDR", SP_HDR);
#else
    puts("SP_HDR undefined");
#endif
#ifdef NN_POLLIN
#if (NN_POLLIN) || 1 /* must be usable in #if */
#endif
    SHOW("NN_POLLIN", NN_POLLIN);
#else
    puts("NN_POLLIN undefined");
#endif
#ifdef NN_POLLOUT
#if (NN_POLLOUT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_POLLOUT", NN_POLLOUT);
#else
    puts("NN_POLLOUT undefined");
#endif
#ifdef NN_STAT_ESTABLISHED_CONNECTIONS
#if (NN_STAT_ESTABLISHED_CONNECTIONS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_ESTABLISHED_CONNECTIONS", NN_STAT_ESTABLISHED_CONNECTIONS);
#else
    puts("NN_STAT_ESTABLISHED_CONNECTIONS undefined");
#endif
#ifdef NN_STAT_ACCEPTED_CONNECTIONS
#if (NN_STAT_ACCEPTED_CONNECTIONS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_ACCEPTED_CONNECTIONS", NN_STAT_ACCEPTED_CONNECTIONS);
#else
    puts("NN_STAT_ACCEPTED_CONNECTIONS undefined");
#endif
#ifdef NN_STAT_DROPPED_CONNECTIONS
#if (NN_STAT_DROPPED_CONNECTIONS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_DROPPED_CONNECTIONS", NN_STAT_DROPPED_CONNECTIONS);
#else
    puts("NN_STAT_DROPPED_CONNECTIONS undefined");
#endif
#ifdef NN_STAT_BROKEN_CONNECTIONS
#if (NN_STAT_BROKEN_CONNECTIONS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_BROKEN_CONNECTIONS", NN_STAT_BROKEN_CONNECTIONS);
#else
    puts("NN_STAT_BROKEN_CONNECTIONS undefined");
#endif
#ifdef NN_STAT_CONNECT_ERRORS
#if (NN_STAT_CONNECT_ERRORS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_CONNECT_ERRORS", NN_STAT_CONNECT_ERRORS);
#else
    puts("NN_STAT_CONNECT_ERRORS undefined");
#endif
#ifdef NN_STAT_BIND_ERRORS
#if (NN_STAT_BIND_ERRORS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_BIND_ERRORS", NN_STAT_BIND_ERRORS);
#else
    puts("NN_STAT_BIND_ERRORS undefined");
#endif
#ifdef NN_STAT_ACCEPT_ERRORS
#if (NN_STAT_ACCEPT_ERRORS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_ACCEPT_ERRORS", NN_STAT_ACCEPT_ERRORS);
#else
    puts("NN_STAT_ACCEPT_ERRORS undefined");
#endif
#ifdef NN_STAT_CURRENT_CONNECTIONS
#if (NN_STAT_CURRENT_CONNECTIONS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_CURRENT_CONNECTIONS", NN_STAT_CURRENT_CONNECTIONS);
#else
    puts("NN_STAT_CURRENT_CONNECTIONS undefined");
#endif
#ifdef NN_STAT_INPROGRESS_CONNECTIONS
#if (NN_STAT_INPROGRESS_CONNECTIONS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_INPROGRESS_CONNECTIONS", NN_STAT_INPROGRESS_CONNECTIONS);
#else
    puts("NN_STAT_INPROGRESS_CONNECTIONS undefined");
#endif
#ifdef NN_STAT_CURRENT_EP_ERRORS
#if (NN_STAT_CURRENT_EP_ERRORS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_CURRENT_EP_ERRORS", NN_STAT_CURRENT_EP_ERRORS);
#else
    puts("NN_STAT_CURRENT_EP_ERRORS undefined");
#endif
#ifdef NN_STAT_MESSAGES_SENT
#if (NN_STAT_MESSAGES_SENT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_MESSAGES_SENT", NN_STAT_MESSAGES_SENT);
#else
    puts("NN_STAT_MESSAGES_SENT undefined");
#endif
#ifdef NN_STAT_MESSAGES_RECEIVED
#if (NN_STAT_MESSAGES_RECEIVED) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_MESSAGES_RECEIVED", NN_STAT_MESSAGES_RECEIVED);
#else
    puts("NN_STAT_MESSAGES_RECEIVED undefined");
#endif
#ifdef NN_STAT_BYTES_SENT
#if (NN_STAT_BYTES_SENT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_BYTES_SENT", NN_STAT_BYTES_SENT);
#else
    puts("NN_STAT_BYTES_SENT undefined");
#endif
#ifdef NN_STAT_BYTES_RECEIVED
#if (NN_STAT_BYTES_RECEIVED) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_BYTES_RECEIVED", NN_STAT_BYTES_RECEIVED);
#else
    puts("NN_STAT_BYTES_RECEIVED undefined");
#endif
#ifdef NN_STAT_CURRENT_SND_PRIORITY
#if (NN_STAT_CURRENT_SND_PRIORITY) || 1 /* must be usable in #if */
#endif
    SHOW("NN_STAT_CURRENT_SND_PRIORITY", NN_STAT_CURRENT_SND_PRIORITY);
#else
    puts("NN_STAT_CURRENT_SND_PRIORITY undefined");
#endif
#ifdef NN_PROTO_PAIR
#if (NN_PROTO_PAIR) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PROTO_PAIR", NN_PROTO_PAIR);
#else
    puts("NN_PROTO_PAIR undefined");
#endif
#ifdef NN_PAIR
#if (NN_PAIR) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PAIR", NN_PAIR);
#else
    puts("NN_PAIR undefined");
#endif
#ifdef NN_PROTO_REQREP
#if (NN_PROTO_REQREP) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PROTO_REQREP", NN_PROTO_REQREP);
#else
    puts("NN_PROTO_REQREP undefined");
#endif
#ifdef NN_REQ
#if (NN_REQ) || 1 /* must be usable in #if */
#endif
    SHOW("NN_REQ", NN_REQ);
#else
    puts("NN_REQ undefined");
#endif
#ifdef NN_REP
#if (NN_REP) || 1 /* must be usable in #if */
#endif
    SHOW("NN_REP", NN_REP);
#else
    puts("NN_REP undefined");
#endif
#ifdef NN_REQ_RESEND_IVL
#if (NN_REQ_RESEND_IVL) || 1 /* must be usable in #if */
#endif
    SHOW("NN_REQ_RESEND_IVL", NN_REQ_RESEND_IVL);
#else
    puts("NN_REQ_RESEND_IVL undefined");
#endif
#ifdef NN_PROTO_PUBSUB
#if (NN_PROTO_PUBSUB) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PROTO_PUBSUB", NN_PROTO_PUBSUB);
#else
    puts("NN_PROTO_PUBSUB undefined");
#endif
#ifdef NN_PUB
#if (NN_PUB) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PUB", NN_PUB);
#else
    puts("NN_PUB undefined");
#endif
#ifdef NN_SUB
#if (NN_SUB) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SUB", NN_SUB);
#else
    puts("NN_SUB undefined");
#endif
#ifdef NN_SUB_SUBSCRIBE
#if (NN_SUB_SUBSCRIBE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SUB_SUBSCRIBE", NN_SUB_SUBSCRIBE);
#else
    puts("NN_SUB_SUBSCRIBE undefined");
#endif
#ifdef NN_SUB_UNSUBSCRIBE
#if (NN_SUB_UNSUBSCRIBE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SUB_UNSUBSCRIBE", NN_SUB_UNSUBSCRIBE);
#else
    puts("NN_SUB_UNSUBSCRIBE undefined");
#endif
#ifdef NN_PROTO_PIPELINE
#if (NN_PROTO_PIPELINE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PROTO_PIPELINE", NN_PROTO_PIPELINE);
#else
    puts("NN_PROTO_PIPELINE undefined");
#endif
#ifdef NN_PUSH
#if (NN_PUSH) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PUSH", NN_PUSH);
#else
    puts("NN_PUSH undefined");
#endif
#ifdef NN_PULL
#if (NN_PULL) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PULL", NN_PULL);
#else
    puts("NN_PULL undefined");
#endif
#ifdef NN_PROTO_SURVEY
#if (NN_PROTO_SURVEY) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PROTO_SURVEY", NN_PROTO_SURVEY);
#else
    puts("NN_PROTO_SURVEY undefined");
#endif
#ifdef NN_SURVEYOR
#if (NN_SURVEYOR) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SURVEYOR", NN_SURVEYOR);
#else
    puts("NN_SURVEYOR undefined");
#endif
#ifdef NN_RESPONDENT
#if (NN_RESPONDENT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_RESPONDENT", NN_RESPONDENT);
#else
    puts("NN_RESPONDENT undefined");
#endif
#ifdef NN_SURVEYOR_DEADLINE
#if (NN_SURVEYOR_DEADLINE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_SURVEYOR_DEADLINE", NN_SURVEYOR_DEADLINE);
#else
    puts("NN_SURVEYOR_DEADLINE undefined");
#endif
#ifdef NN_PROTO_BUS
#if (NN_PROTO_BUS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_PROTO_BUS", NN_PROTO_BUS);
#else
    puts("NN_PROTO_BUS undefined");
#endif
#ifdef NN_BUS
#if (NN_BUS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_BUS", NN_BUS);
#else
    puts("NN_BUS undefined");
#endif
#ifdef NN_INPROC
#if (NN_INPROC) || 1 /* must be usable in #if */
#endif
    SHOW("NN_INPROC", NN_INPROC);
#else
    puts("NN_INPROC undefined");
#endif
#ifdef NN_IPC
#if (NN_IPC) || 1 /* must be usable in #if */
#endif
    SHOW("NN_IPC", NN_IPC);
#else
    puts("NN_IPC undefined");
#endif
#ifdef NN_IPC_SEC_ATTR
#if (NN_IPC_SEC_ATTR) || 1 /* must be usable in #if */
#endif
    SHOW("NN_IPC_SEC_ATTR", NN_IPC_SEC_ATTR);
#else
    puts("NN_IPC_SEC_ATTR undefined");
#endif
#ifdef NN_IPC_OUTBUFSZ
#if (NN_IPC_OUTBUFSZ) || 1 /* must be usable in #if */
#endif
    SHOW("NN_IPC_OUTBUFSZ", NN_IPC_OUTBUFSZ);
#else
    puts("NN_IPC_OUTBUFSZ undefined");
#endif
#ifdef NN_IPC_INBUFSZ
#if (NN_IPC_INBUFSZ) || 1 /* must be usable in #if */
#endif
    SHOW("NN_IPC_INBUFSZ", NN_IPC_INBUFSZ);
#else
    puts("NN_IPC_INBUFSZ undefined");
#endif
#ifdef NN_TCP
#if (NN_TCP) || 1 /* must be usable in #if */
#endif
    SHOW("NN_TCP", NN_TCP);
#else
    puts("NN_TCP undefined");
#endif
#ifdef NN_TCP_NODELAY
#if (NN_TCP_NODELAY) || 1 /* must be usable in #if */
#endif
    SHOW("NN_TCP_NODELAY", NN_TCP_NODELAY);
#else
    puts("NN_TCP_NODELAY undefined");
#endif
#ifdef NN_WS
#if (NN_WS) || 1 /* must be usable in #if */
#endif
    SHOW("NN_WS", NN_WS);
#else
    puts("NN_WS undefined");
#endif
#ifdef NN_WS_MSG_TYPE
#if (NN_WS_MSG_TYPE) || 1 /* must be usable in #if */
#endif
    SHOW("NN_WS_MSG_TYPE", NN_WS_MSG_TYPE);
#else
    puts("NN_WS_MSG_TYPE undefined");
#endif
#ifdef NN_WS_MSG_TYPE_TEXT
#if (NN_WS_MSG_TYPE_TEXT) || 1 /* must be usable in #if */
#endif
    SHOW("NN_WS_MSG_TYPE_TEXT", NN_WS_MSG_TYPE_TEXT);
#else
    puts("NN_WS_MSG_TYPE_TEXT undefined");
#endif
#ifdef NN_WS_MSG_TYPE_BINARY
#if (NN_WS_MSG_TYPE_BINARY) || 1 /* must be usable in #if */
#endif
    SHOW("NN_WS_MSG_TYPE_BINARY", NN_WS_MSG_TYPE_BINARY);
#else
    puts("NN_WS_MSG_TYPE_BINARY undefined");
#endif
    /* Only defined when the system lacks EISCONN; presence must agree. */
#ifdef NN_EISCONN_DEFINED
    puts("NN_EISCONN_DEFINED defined");
#else
    puts("NN_EISCONN_DEFINED undefined");
#endif
}

static void function_like_macros(void)
{
    static const size_t lens[] = { 0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 100, 1000 };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        printf("NN_CMSG_ALIGN_(%zu) %zu %s\n", n, (size_t) NN_CMSG_ALIGN_(n),
            TYPE_NAME(NN_CMSG_ALIGN_(n)));
        printf("NN_CMSG_SPACE(%zu) %zu %s\n", n, (size_t) NN_CMSG_SPACE(n),
            TYPE_NAME(NN_CMSG_SPACE(n)));
        printf("NN_CMSG_LEN(%zu) %zu %s\n", n, (size_t) NN_CMSG_LEN(n),
            TYPE_NAME(NN_CMSG_LEN(n)));
    }
    /* Where the payload of a control message starts. */
    union { struct nn_cmsghdr h; unsigned char b[64]; } u;
    FACT("NN_CMSG_DATA-offset",
        (size_t) (NN_CMSG_DATA(&u.h) - (unsigned char *) &u));
#if defined(NN_CMSG_FIRSTHDR) && defined(NN_CMSG_NXTHDR)
    puts("NN_CMSG_FIRSTHDR/NXTHDR defined");
#else
    puts("NN_CMSG_FIRSTHDR/NXTHDR missing");
#endif
}

static void layouts(void)
{
    SIZE_OF(struct nn_iovec);
    FIELD(struct nn_iovec, iov_base);
    FIELD(struct nn_iovec, iov_len);

    SIZE_OF(struct nn_msghdr);
    FIELD(struct nn_msghdr, msg_iov);
    FIELD(struct nn_msghdr, msg_iovlen);
    FIELD(struct nn_msghdr, msg_control);
    FIELD(struct nn_msghdr, msg_controllen);

    SIZE_OF(struct nn_cmsghdr);
    FIELD(struct nn_cmsghdr, cmsg_len);
    FIELD(struct nn_cmsghdr, cmsg_level);
    FIELD(struct nn_cmsghdr, cmsg_type);

    SIZE_OF(struct nn_pollfd);
    FIELD(struct nn_pollfd, fd);
    FIELD(struct nn_pollfd, events);
    FIELD(struct nn_pollfd, revents);

    SIZE_OF(struct nn_symbol_properties);
    FIELD(struct nn_symbol_properties, value);
    FIELD(struct nn_symbol_properties, name);
    FIELD(struct nn_symbol_properties, ns);
    FIELD(struct nn_symbol_properties, type);
    FIELD(struct nn_symbol_properties, unit);

    SIZE_OF(nn_req_handle);
    SIZE_OF(union nn_req_handle);
    FIELD(nn_req_handle, i);
    FIELD(nn_req_handle, ptr);
}

/*
 * Never called, and static, so the compiler drops it and no library symbol
 * is referenced at link time.  Its only job is to fail compilation (under
 * -Werror) when a declaration differs from upstream's.
 */
__attribute__((unused)) static void signatures(void)
{
    int (*p_errno)(void) = nn_errno;
    const char *(*p_strerror)(int) = nn_strerror;
    const char *(*p_symbol)(int, int *) = nn_symbol;
    int (*p_symbol_info)(int, struct nn_symbol_properties *, int) = nn_symbol_info;
    void (*p_term)(void) = nn_term;
    void *(*p_allocmsg)(size_t, int) = nn_allocmsg;
    void *(*p_reallocmsg)(void *, size_t) = nn_reallocmsg;
    int (*p_freemsg)(void *) = nn_freemsg;
    struct nn_cmsghdr *(*p_cmsg_nxthdr)(const struct nn_msghdr *,
        const struct nn_cmsghdr *) = nn_cmsg_nxthdr_;
    int (*p_socket)(int, int) = nn_socket;
    int (*p_close)(int) = nn_close;
    int (*p_setsockopt)(int, int, int, const void *, size_t) = nn_setsockopt;
    int (*p_getsockopt)(int, int, int, void *, size_t *) = nn_getsockopt;
    int (*p_bind)(int, const char *) = nn_bind;
    int (*p_connect)(int, const char *) = nn_connect;
    int (*p_shutdown)(int, int) = nn_shutdown;
    int (*p_send)(int, const void *, size_t, int) = nn_send;
    int (*p_recv)(int, void *, size_t, int) = nn_recv;
    int (*p_sendmsg)(int, const struct nn_msghdr *, int) = nn_sendmsg;
    int (*p_recvmsg)(int, struct nn_msghdr *, int) = nn_recvmsg;
    int (*p_poll)(struct nn_pollfd *, int, int) = nn_poll;
    int (*p_device)(int, int) = nn_device;
    uint64_t (*p_get_statistic)(int, int) = nn_get_statistic;

    (void) p_errno; (void) p_strerror; (void) p_symbol; (void) p_symbol_info;
    (void) p_term; (void) p_allocmsg; (void) p_reallocmsg; (void) p_freemsg;
    (void) p_cmsg_nxthdr; (void) p_socket; (void) p_close;
    (void) p_setsockopt; (void) p_getsockopt; (void) p_bind; (void) p_connect;
    (void) p_shutdown; (void) p_send; (void) p_recv; (void) p_sendmsg;
    (void) p_recvmsg; (void) p_poll; (void) p_device; (void) p_get_statistic;

    /* Field types, checked through pointer compatibility. */
    struct nn_iovec iov = { 0 };
    void **f_iov_base = &iov.iov_base;
    size_t *f_iov_len = &iov.iov_len;
    struct nn_msghdr mh = { 0 };
    struct nn_iovec **f_msg_iov = &mh.msg_iov;
    int *f_msg_iovlen = &mh.msg_iovlen;
    void **f_msg_control = &mh.msg_control;
    size_t *f_msg_controllen = &mh.msg_controllen;
    struct nn_cmsghdr ch = { 0 };
    size_t *f_cmsg_len = &ch.cmsg_len;
    int *f_cmsg_level = &ch.cmsg_level;
    int *f_cmsg_type = &ch.cmsg_type;
    struct nn_pollfd pfd = { 0 };
    int *f_fd = &pfd.fd;
    short *f_events = &pfd.events;
    short *f_revents = &pfd.revents;
    struct nn_symbol_properties sp = { 0 };
    int *f_value = &sp.value;
    const char **f_name = &sp.name;
    int *f_ns = &sp.ns;
    int *f_type = &sp.type;
    int *f_unit = &sp.unit;
    nn_req_handle rh = { 0 };
    int *f_rh_i = &rh.i;
    void **f_rh_ptr = &rh.ptr;

    (void) f_iov_base; (void) f_iov_len; (void) f_msg_iov; (void) f_msg_iovlen;
    (void) f_msg_control; (void) f_msg_controllen; (void) f_cmsg_len;
    (void) f_cmsg_level; (void) f_cmsg_type; (void) f_fd; (void) f_events;
    (void) f_revents; (void) f_value; (void) f_name; (void) f_ns; (void) f_type;
    (void) f_unit; (void) f_rh_i; (void) f_rh_ptr;

    /* The iteration macros must accept these argument types and yield a header pointer. */
    struct nn_cmsghdr *c1 = NN_CMSG_FIRSTHDR(&mh);
    struct nn_cmsghdr *c2 = NN_CMSG_NXTHDR(&mh, c1);
    unsigned char *d = NN_CMSG_DATA(c2);
    (void) d;
}

int main(void)
{
    constants();
    function_like_macros();
    layouts();
    return 0;
}
