/* SPDX-License-Identifier: MIT */
/* TLS transports: tls+tcp://host:port (nng's TLS over TCP, TLS 1.2 or
   1.3) and wss://host:port/path (WebSocket over TLS).  Not in upstream
   nanomsg; wire-compatible with nng.  Addresses as for tcp:// and ws://.
   nn_bind needs NN_TLS_CERT_KEY_FILE; a dialer that verifies the server
   (the default) needs NN_TLS_CA_FILE.  Options that cannot work fail
   nn_bind/nn_connect with EINVAL, or ENOENT/EACCES for a file that
   cannot be read (the reason is printed under NN_PRINT_ERRORS).  A
   connection whose handshake or verification fails ends; a dialer
   retries with back-off. */
#ifndef TLS_H_INCLUDED
#define TLS_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Transport identifier, also the option level of the options below.
   They apply to endpoints created after they are set. */
#define NN_TLS -5

/* char* (length given, no NUL needed): PEM file of the certificate
   authorities that verify the peer. */
#define NN_TLS_CA_FILE 1
/* char*: PEM file holding our certificate chain and its private key. */
#define NN_TLS_CERT_KEY_FILE 2
/* int: whether the peer must present a valid certificate, one of the
   NN_TLS_AUTH_MODE_* values.  Until set it reads -1: a dialer then
   requires and verifies the server's certificate, a listener asks for
   no client certificate. */
#define NN_TLS_AUTH_MODE 3
/* char*: the name checked on the server's certificate and sent as SNI
   (default: the host of the URL). */
#define NN_TLS_SERVER_NAME 4

/* Values of NN_TLS_AUTH_MODE. */
#define NN_TLS_AUTH_MODE_NONE 0     /* no certificate asked for or checked */
#define NN_TLS_AUTH_MODE_OPTIONAL 1 /* verified when the peer presents one */
#define NN_TLS_AUTH_MODE_REQUIRED 2 /* the peer must present a valid one */

#ifdef __cplusplus
}
#endif

#endif /* TLS_H_INCLUDED */
