/* SPDX-License-Identifier: MIT */
/* TCP transport (addresses of the form tcp://host:port). */
#ifndef TCP_H_INCLUDED
#define TCP_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Transport identifier, also the option level of the options below. */
#define NN_TCP -3

/* Option at level NN_TCP: boolean, disables Nagle's algorithm when nonzero. */
#define NN_TCP_NODELAY 1

#ifdef __cplusplus
}
#endif

#endif /* TCP_H_INCLUDED */
