/* SPDX-License-Identifier: MIT */
/* Inter-process transport over local sockets (addresses of the form ipc://path). */
#ifndef IPC_H_INCLUDED
#define IPC_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Transport identifier, also the option level of the options below. */
#define NN_IPC -2

/* Options at level NN_IPC. */
#define NN_IPC_SEC_ATTR 1   /* security attributes (Windows only) */
#define NN_IPC_OUTBUFSZ 2   /* outbound buffer size (Windows only) */
#define NN_IPC_INBUFSZ 3    /* inbound buffer size (Windows only) */

#ifdef __cplusplus
}
#endif

#endif /* IPC_H_INCLUDED */
