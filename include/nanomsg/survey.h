/* SPDX-License-Identifier: MIT */
/* SURVEYOR/RESPONDENT scalability protocol: ask many, collect answers. */
#ifndef SURVEY_H_INCLUDED
#define SURVEY_H_INCLUDED

#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NN_PROTO_SURVEY 6

/* Socket types.  The numbers 16+0 and 16+1 belonged to an older,
   wire-incompatible revision of this protocol and are not used. */
#define NN_SURVEYOR (NN_PROTO_SURVEY * 16 + 2)
#define NN_RESPONDENT (NN_PROTO_SURVEY * 16 + 3)

/* SURVEYOR option (level NN_SURVEYOR): how long, in milliseconds, replies to a survey are accepted. */
#define NN_SURVEYOR_DEADLINE 1

#ifdef __cplusplus
}
#endif

#endif /* SURVEY_H_INCLUDED */
