// SPDX-License-Identifier: GPL-2.0-only
/*
 * report_text.c - bench results as a table, then the targets.
 *
 * One row per workload: faults per repetition, the model's and the
 * kernel's median ns per fault with their spread (min..max over the
 * repetitions), the ratio kernel/model and the model's faults per second.
 * Below the table, one note per thing a reader must know to trust a row (a
 * kernel side that did not run and why, a kernel that took a different
 * number of faults than the model, e.g. after a THP fallback), then the
 * issue's targets with the measured value and "met" or "MISSED":
 * kernel/model >= 5 on anon-read-zero and anon-write, and >= 1M faults per
 * second for every 4 KiB workload that ran, except anon-write-hot: its
 * frames are cache-hot by construction, an extra data point that must not
 * stand in for anon-write (file-fault-around's faults map 64 KiB each).
 */
#include <string.h>

#include "bench/bench.h"
#include "pgtable/pgtable.h"

#define TARGET_RATIO 5.0
#define TARGET_FAULTS_PER_SEC 1e6

static void cell(char *buf, size_t len, const struct bench_side *s)
{
	if (!s->ok)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f (%.1f..%.1f)", s->ns_median, s->ns_min, s->ns_max);
}

/* Faults per second, in M or K so that THP's few thousand still show. */
static void rate(char *buf, size_t len, const struct bench_side *s, double per_sec)
{
	if (!s->ok)
		snprintf(buf, len, "n/a");
	else if (per_sec >= 1e6)
		snprintf(buf, len, "%.2fM", per_sec / 1e6);
	else
		snprintf(buf, len, "%.2fK", per_sec / 1e3);
}

static void row(FILE *out, const struct bench_result *r)
{
	char model[64], kernel[64], ratio[32], fps[32];

	cell(model, sizeof(model), &r->model);
	cell(kernel, sizeof(kernel), &r->kernel);
	snprintf(ratio, sizeof(ratio), r->ratio > 0 ? "%.2fx" : "n/a", r->ratio);
	rate(fps, sizeof(fps), &r->model, r->model_faults_per_sec);
	fprintf(out, "%-20s %10ld  %-30s %-30s %12s %14s\n", r->w->name,
		r->model.ok ? r->model.faults : r->accesses, model, kernel, ratio, fps);
}

static void notes(FILE *out, const struct bench_result *r, int n)
{
	for (int i = 0; i < n; i++) {
		const struct bench_result *x = &r[i];

		if (!x->model.ok)
			fprintf(out, "  %s: model: %s\n", x->w->name, x->model.error);
		if (!x->kernel.ok)
			fprintf(out, "  %s: kernel: %s\n", x->w->name, x->kernel.error);
		else if (x->model.ok && x->kernel.faults_min == x->kernel.faults_max &&
			 x->kernel.faults_min != x->model.faults)
			fprintf(out, "  %s: the kernel took %ld faults per repetition, the model %ld\n",
				x->w->name, x->kernel.faults_min, x->model.faults);
		else if (x->model.ok && x->kernel.faults_min != x->kernel.faults_max)
			fprintf(out, "  %s: the kernel took %ld..%ld faults per repetition, "
				"the model %ld\n", x->w->name, x->kernel.faults_min,
				x->kernel.faults_max, x->model.faults);
	}
}

static void targets(FILE *out, const struct bench_result *r, int n)
{
	fprintf(out, "\ntargets:\n");
	for (int i = 0; i < n; i++) {
		const struct bench_result *x = &r[i];

		if (strcmp(x->w->name, "anon-read-zero") && strcmp(x->w->name, "anon-write"))
			continue;
		if (x->ratio > 0)
			fprintf(out, "  %-16s kernel/model %6.2fx  (>= %.0fx)  %s\n", x->w->name,
				x->ratio, TARGET_RATIO, x->ratio >= TARGET_RATIO ? "met" : "MISSED");
		else
			fprintf(out, "  %-16s kernel/model n/a  (>= %.0fx)  unknown\n", x->w->name,
				TARGET_RATIO);
	}
	for (int i = 0; i < n; i++) {
		const struct bench_result *x = &r[i];

		if (x->w->stride != PAGE_SIZE || x->w->batch || !x->model.ok)
			continue;
		fprintf(out, "  %-16s model %6.2fM 4 KiB faults/s on one thread  (>= 1M)  %s\n",
			x->w->name, x->model_faults_per_sec / 1e6,
			x->model_faults_per_sec >= TARGET_FAULTS_PER_SEC ? "met" : "MISSED");
	}
}

void bench_print_table(FILE *out, const struct bench_result *r, int n,
		       const struct bench_opts *o, int cpu)
{
	char where[32];

	if (cpu >= 0)
		snprintf(where, sizeof(where), "pinned to CPU %d", cpu);
	else
		snprintf(where, sizeof(where), "not pinned");
	fprintf(out, "faultline bench: %d repetitions per side after 1 untimed warm-up, "
		"scale %g, %s\n", o->reps, o->scale, where);
	fprintf(out, "model: RAM prefaulted, per-repetition invariant checks %s, final leak "
		"check on; times are the accesses only\n(not the MADV_DONTNEED between "
		"anon-write-hot's batches), ns per fault\n\n", o->check ? "on" : "off");
	fprintf(out, "%-20s %10s  %-30s %-30s %12s %14s\n", "workload", "faults/rep",
		"model ns (min..max)", "kernel ns (min..max)", "kernel/model", "model faults/s");
	for (int i = 0; i < n; i++)
		row(out, &r[i]);
	notes(out, r, n);
	targets(out, r, n);
}
