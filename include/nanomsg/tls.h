/* SPDX-License-Identifier: MIT */
/* TLS transports: tls+tcp://host:port (nng's TLS over TCP) and
   wss://host:port/path (WebSocket over TLS).  Not in upstream nanomsg.
   Work in progress (issue 12): the options below are stored and read
   back, but the transports are not there yet: nn_bind and nn_connect
   fail with EPROTONOSUPPORT for those URLs. */
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
