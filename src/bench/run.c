// SPDX-License-Identifier: GPL-2.0-only
/*
 * run.c - one workload, both sides: warm-up, repetitions, summary.
 *
 * The model side runs to completion (machine up, prefault, one untimed
 * warm-up repetition, --reps timed ones, final leak check, machine down)
 * before the kernel side starts.  Interleaving the two would spread slow
 * drift of the host evenly, but it would keep the model's prefaulted RAM
 * mapped while fork-cow forks, and the kernel would then copy its page
 * tables and make every later model access a host copy-on-write fault.
 *
 * The kernel side has its own untimed warm-up repetition: it brings the
 * page allocator's per-CPU lists, the huge zero page and the code paths
 * into the state a steady stream of faults sees.  Its setup (the cached
 * file of file-fault-around) comes before the warm-up and is undone after
 * the last repetition, whatever happened.  A kernel side that cannot
 * run (THP off) or fails is reported, never fatal: the model numbers stand
 * on their own.
 */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"

/* Every repetition must have counted faults, or per-fault costs are void. */
static bool counted_faults(const struct bench_sample *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i].faults <= 0)
			return false;
	return true;
}

static int run_model(const struct bench_workload *w, const struct bench_opts *o,
		     struct bench_result *r, struct bench_sample *s)
{
	char *err = r->model.error, later[sizeof(r->model.error)];
	size_t len = sizeof(r->model.error);
	struct bench_sample warm;
	int ret, tret;

	ret = bench_model_setup(w, r->bytes, err, len);
	if (ret)
		return ret;
	ret = bench_model_rep(w, r->bytes, o->check, &warm, err, len);
	for (int i = 0; !ret && i < o->reps; i++)
		ret = bench_model_rep(w, r->bytes, o->check, &s[i], err, len);
	/* The final check runs even after a failure; the first error is kept. */
	tret = bench_model_teardown(ret ? later : err, len);
	if (ret || tret)
		return ret ? ret : tret;
	if (!counted_faults(s, o->reps)) {
		snprintf(err, len, "the model counted no faults");
		return BENCH_EINVARIANT;
	}
	bench_summarise(s, o->reps, &r->model);
	return BENCH_OK;
}

static void run_kernel(const struct bench_workload *w, const struct bench_opts *o,
		       struct bench_result *r, struct bench_sample *s)
{
	char *err = r->kernel.error;
	size_t len = sizeof(r->kernel.error);
	const char *why = bench_kernel_unavailable(w);
	struct bench_sample warm;
	int ret;

	if (why) {
		snprintf(err, len, "%s", why);
		return;
	}
	if (bench_kernel_setup(w, r->bytes, o->dir ? o->dir : BENCH_DEFAULT_DIR, err, len))
		return;
	ret = bench_kernel_rep(w, r->bytes, &warm, err, len);
	for (int i = 0; !ret && i < o->reps; i++)
		ret = bench_kernel_rep(w, r->bytes, &s[i], err, len);
	bench_kernel_teardown();
	if (ret)
		return;
	if (!counted_faults(s, o->reps)) {
		snprintf(err, len, "the kernel counted no faults (getrusage)");
		return;
	}
	bench_summarise(s, o->reps, &r->kernel);
}

int bench_run(const struct bench_workload *w, const struct bench_opts *o,
	      struct bench_result *r)
{
	struct bench_sample s[BENCH_MAX_REPS];
	int ret;

	memset(r, 0, sizeof(*r));
	r->w = w;
	r->bytes = bench_bytes(w, o->scale);
	r->accesses = (long)(r->bytes / w->stride);
	r->reps = o->reps;
	r->ratio = -1;
	ret = run_model(w, o, r, s);
	if (ret)
		return ret;
	r->model_faults_per_sec = 1e9 / r->model.ns_median;
	if (o->kernel)
		run_kernel(w, o, r, s);
	else
		snprintf(r->kernel.error, sizeof(r->kernel.error), "not run (model only)");
	if (r->kernel.ok)
		r->ratio = r->kernel.ns_median / r->model.ns_median;
	return BENCH_OK;
}
