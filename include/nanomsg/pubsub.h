/* SPDX-License-Identifier: MIT */
/* PUB/SUB scalability protocol: topic-based distribution. */
#ifndef PUBSUB_H_INCLUDED
#define PUBSUB_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_PUBSUB 2

/* Socket types: the publisher and the subscriber. */
#define NN_PUB (NN_PROTO_PUBSUB * 16 + 0)
#define NN_SUB (NN_PROTO_PUBSUB * 16 + 1)

/* SUB options (level NN_SUB): add or remove a topic prefix. */
#define NN_SUB_SUBSCRIBE 1
#define NN_SUB_UNSUBSCRIBE 2

#ifdef __cplusplus
}
#endif

#endif /* PUBSUB_H_INCLUDED */
