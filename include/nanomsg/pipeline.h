/* SPDX-License-Identifier: MIT */
/* PUSH/PULL scalability protocol: one-way load-balanced pipeline. */
#ifndef PIPELINE_H_INCLUDED
#define PIPELINE_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_PIPELINE 5

/* Socket types: the sending and the receiving end. */
#define NN_PUSH (NN_PROTO_PIPELINE * 16 + 0)
#define NN_PULL (NN_PROTO_PIPELINE * 16 + 1)

#ifdef __cplusplus
}
#endif

#endif /* PIPELINE_H_INCLUDED */
