/* SPDX-License-Identifier: MIT */
/* In-process transport (addresses of the form inproc://name). */
#ifndef INPROC_H_INCLUDED
#define INPROC_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Transport identifier, also usable as an option level. */
#define NN_INPROC -1

#ifdef __cplusplus
}
#endif

#endif /* INPROC_H_INCLUDED */
