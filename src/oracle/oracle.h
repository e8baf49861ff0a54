/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oracle.h - running a scenario on the real kernel (for tools/).
 *
 * fl_oracle_backend_create() (declared in scenario/backend.h) gives a
 * backend that fl_run_scenario() drives like the model.  What the runner
 * cannot know is whether khugepaged collapsed a THP somewhere during the
 * run, which can change what a step observes; fl_oracle_run() runs a
 * scenario until a run was undisturbed (at most FL_ORACLE_TRIES times) and
 * hands back that run's output, or a skip reason.
 */
#ifndef FL_ORACLE_ORACLE_H
#define FL_ORACLE_ORACLE_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario/ast.h"
#include "scenario/backend.h"
#include "scenario/runner.h"

#define FL_ORACLE_TRIES 3

/* True if thp_collapse_alloc moved between prepare and finish. */
bool fl_oracle_backend_void(const struct fl_backend *b);

/* The reason the last prepare or step gave for skipping, or "". */
const char *fl_oracle_skip_reason(const struct fl_backend *b);

struct fl_oracle_result {
	int status;		/* FL_RUN_* of the run that counted */
	char *out, *err;	/* its output and messages (malloc'd, NUL-terminated) */
	size_t out_len, err_len;
	char skip[512];		/* FL_RUN_SKIPPED: why */
	int tries;		/* runs it took */
};

/*
 * Run @scn on the kernel with @ro's flags (ro->out and ro->err are
 * ignored: the output is captured in @res).  Returns res->status; on an
 * internal failure (out of memory, no backend) FL_RUN_BAD with a message
 * in res->err.
 */
int fl_oracle_run(const struct scn *scn, const struct fl_oracle_opts *oo,
		  const struct fl_run_opts *ro, struct fl_oracle_result *res);
void fl_oracle_result_free(struct fl_oracle_result *res);

/* --dir / --dax-dir must name a writable directory: 0, or -1 after a message. */
int fl_oracle_check_dir(const char *cmd, const char *opt, const char *dir);

#endif /* FL_ORACLE_ORACLE_H */
