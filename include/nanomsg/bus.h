/* SPDX-License-Identifier: MIT */
/* BUS scalability protocol: many-to-many broadcast. */
#ifndef BUS_H_INCLUDED
#define BUS_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_BUS 7

/* Socket type for a BUS node. */
#define NN_BUS (NN_PROTO_BUS * 16 + 0)

#ifdef __cplusplus
}
#endif

#endif /* BUS_H_INCLUDED */
