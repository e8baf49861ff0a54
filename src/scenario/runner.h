/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runner.h - executing a parsed scenario on a backend.
 */
#ifndef FL_SCENARIO_RUNNER_H
#define FL_SCENARIO_RUNNER_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario/ast.h"
#include "scenario/backend.h"

/* What a run counted, for callers that summarise several files. */
struct fl_run_stats {
	int failed;		/* expectations (and steps) that failed */
	int skipped;		/* expectations the backend could not check */
};

struct fl_run_opts {
	FILE *out;		/* observation lines, explanations, step trace */
	FILE *err;		/* FILE:LINE:COL messages */
	bool explain;		/* model: one line per fault */
	bool trace;		/* print a "step" line with faults and signal per step */
	bool comparable;	/* only fields both model and kernel know (check) */
	bool no_check;		/* model: no invariant checks after each step */
	struct fl_run_stats *stats;	/* optional: filled when the run ends */
};

/*
 * Exit statuses of SCENARIOS.md: 0 every expectation held, 1 one failed,
 * 2 the scenario is wrong or not supported, 3 the model broke an invariant.
 * FL_RUN_SKIPPED: the backend cannot run it here (the oracle's "skipped:").
 */
enum { FL_RUN_OK = 0, FL_RUN_FAILED = 1, FL_RUN_BAD = 2, FL_RUN_INVARIANT = 3, FL_RUN_SKIPPED = 4 };

int fl_run_scenario(const struct scn *scn, struct fl_backend *b, const struct fl_run_opts *o);

#endif /* FL_SCENARIO_RUNNER_H */
