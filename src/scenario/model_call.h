/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * model_call.h - the model's `call` and `poke` (see model_call.c).
 */
#ifndef FL_SCENARIO_MODEL_CALL_H
#define FL_SCENARIO_MODEL_CALL_H

#include <stddef.h>

#include "scenario/backend.h"

struct mm_struct;

/*
 * Run c->call (a call or a poke) in process @proc of @procs.  FL_OK with
 * @why empty (the result was ret=), FL_OK with @why saying how it differed,
 * or FL_EFAIL with the reason in @err (the call could not be made).
 */
int fl_model_call(struct mm_struct *const *procs, int proc, const struct scn_cmd *c,
		  const struct fl_call_addrs *a, char *why, size_t len, char *err, size_t errlen);

/* The frame number of BASE (ram+N, io+N, pmem+N, N) on this machine. */
unsigned long scn_space_pfn(enum scn_pfn_space space, uint64_t n);

/* Forget the entries earlier scenarios poked. */
void fl_model_call_reset(void);
/* Clear the entries a stopped run left poked, before teardown. */
void fl_model_call_unpoke_all(void);

#endif /* FL_SCENARIO_MODEL_CALL_H */
