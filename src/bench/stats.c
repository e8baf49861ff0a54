// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - from repetitions to one line of numbers.
 *
 * Each repetition gives a time and a fault count; its cost per fault is the
 * one divided by the other, with the side's own fault count (the model's
 * min_flt delta, the kernel's getrusage delta), so that a THP fallback or a
 * fault-around on one side shows as a different count rather than as a
 * silently different cost.  The summary is the median per-fault cost (robust
 * against one repetition hit by an interrupt or a host hiccup) and the
 * spread as min..max, which is what a reader needs to judge whether two
 * numbers differ.  The fault count reported is the median count, with its
 * own min and max.
 */
#include <stdlib.h>

#include "bench/bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* @v sorted, n >= 1. */
static double median_sorted(const double *v, int n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_summarise(const struct bench_sample *s, int n, struct bench_side *side)
{
	double per[BENCH_MAX_REPS];
	long faults[BENCH_MAX_REPS];

	if (n > BENCH_MAX_REPS)
		n = BENCH_MAX_REPS;
	for (int i = 0; i < n; i++) {
		faults[i] = s[i].faults;
		per[i] = s[i].faults > 0 ? (double)s[i].ns / (double)s[i].faults : (double)s[i].ns;
	}
	qsort(per, (size_t)n, sizeof(per[0]), cmp_double);
	qsort(faults, (size_t)n, sizeof(faults[0]), cmp_long);
	side->ns_median = median_sorted(per, n);
	side->ns_min = per[0];
	side->ns_max = per[n - 1];
	side->faults = faults[n / 2];
	side->faults_min = faults[0];
	side->faults_max = faults[n - 1];
	side->ok = true;
}
