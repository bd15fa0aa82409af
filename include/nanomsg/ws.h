/* SPDX-License-Identifier: MIT */
/* WebSocket transport (addresses of the form ws://host:port/path). */
#ifndef WS_H_INCLUDED
#define WS_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Transport identifier, also the option level of the options below. */
#define NN_WS -4

/* Option at level NN_WS (also usable as a control-message type): the kind
   of frame used for outgoing messages.  Only text and binary frames are
   fully supported. */
#define NN_WS_MSG_TYPE 1

/* Frame opcodes from RFC 6455 section 5.2. */
#define NN_WS_MSG_TYPE_TEXT 0x01
#define NN_WS_MSG_TYPE_BINARY 0x02

#ifdef __cplusplus
}
#endif

#endif /* WS_H_INCLUDED */
