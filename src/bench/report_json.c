// SPDX-License-Identifier: GPL-2.0-only
/*
 * report_json.c - bench results as a JSON array, one object per workload.
 *
 * The keys the issue fixes come first: workload, model_ns_per_fault,
 * kernel_ns_per_fault, ratio (kernel over model, medians) and faults (the
 * model's faults per repetition).  Then the spread (model_ns_min/max,
 * kernel_ns_min/max), model_faults_per_sec, reps, the kernel's own fault
 * count per repetition (kernel_faults, from getrusage) and the mapping
 * size.  A kernel side that could not run has null numbers and a
 * kernel_error string saying why; nothing is ever left out silently.
 */
#include "bench/bench.h"

/*
 * A number to 0.01, or null when the side did not produce one.  Rounded so
 * that the printer (JSON_REAL_PRECISION(12) in the caller) shows 95.12, not
 * 95.120000000000005.  Every value here is positive.
 */
static json_t *num(bool ok, double v)
{
	return ok ? json_real((double)(long long)(v * 100 + 0.5) / 100) : json_null();
}

static json_t *count(bool ok, long v)
{
	return ok ? json_integer(v) : json_null();
}

static json_t *result_json(const struct bench_result *r)
{
	const struct bench_side *m = &r->model, *k = &r->kernel;
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "workload", json_string(r->w->name));
	json_object_set_new(o, "model_ns_per_fault", num(m->ok, m->ns_median));
	json_object_set_new(o, "kernel_ns_per_fault", num(k->ok, k->ns_median));
	json_object_set_new(o, "ratio", num(m->ok && k->ok, r->ratio));
	json_object_set_new(o, "faults", count(m->ok, m->faults));
	json_object_set_new(o, "model_ns_min", num(m->ok, m->ns_min));
	json_object_set_new(o, "model_ns_max", num(m->ok, m->ns_max));
	json_object_set_new(o, "kernel_ns_min", num(k->ok, k->ns_min));
	json_object_set_new(o, "kernel_ns_max", num(k->ok, k->ns_max));
	json_object_set_new(o, "model_faults_per_sec", num(m->ok, r->model_faults_per_sec));
	json_object_set_new(o, "kernel_faults", count(k->ok, k->faults));
	json_object_set_new(o, "reps", json_integer(r->reps));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "stride", json_integer((json_int_t)r->w->stride));
	if (!m->ok)
		json_object_set_new(o, "model_error", json_string(m->error));
	if (!k->ok)
		json_object_set_new(o, "kernel_error", json_string(k->error));
	return o;
}

json_t *bench_results_json(const struct bench_result *r, int n)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	for (int i = 0; i < n; i++) {
		json_t *o = result_json(&r[i]);

		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
