// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bench.c - `faultline bench` without the timing.
 *
 * One tiny repetition of every workload, per-repetition invariant checks on,
 * kernel side included.  Nothing here looks at a time (performance is
 * bench's business, not the tests'); what is checked is what must hold on
 * any machine:
 *
 *   - the model takes exactly one fault per access: N pages written = N
 *     faults (also in 2 MiB batches with MADV_DONTNEED between them), N
 *     huge zero reads = N faults, the child's N CoW writes after fork = N
 *     faults, N reads 64 KiB apart in a cached file = N faults, each of
 *     which faulted its 16 pages around (bench itself fails the run when
 *     reading every page afterwards takes a fault, on either side);
 *   - the JSON has the issue's shape: one object per workload with the
 *     fixed keys, numbers where a side ran, null and a kernel_error string
 *     where it did not;
 *   - spreads are ordered (min <= median <= max) and the ratio is the
 *     quotient of the medians;
 *   - sizes round to whole strides;
 *   - a kernel side that cannot run (THP off, an unusable --dir) is
 *     reported with its reason, and the model side still stands.
 *
 * The kernel side needs no privileges; where THP is off it must say so.
 * The file workload's kernel side puts an unlinked file in /var/tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "bench/bench.h"
#include "pgtable/pgtable.h"

/* Small enough for a unit test, big enough for a few faults each. */
#define TINY_SCALE 0.002

static const char *const issue_names[] = {
	"anon-read-zero", "anon-write", "anon-read-huge-zero", "anon-write-thp", "fork-cow",
	"file-fault-around", "anon-write-hot",
};

static struct bench_opts tiny_opts(void)
{
	return (struct bench_opts){ .reps = 1, .scale = TINY_SCALE, .check = true, .kernel = true,
				    .dir = BENCH_DEFAULT_DIR };
}

static void test_names_and_sizes(void **state)
{
	const struct bench_workload *w;

	(void)state;
	assert_int_equal(bench_nr_workloads, sizeof(issue_names) / sizeof(issue_names[0]));
	for (size_t i = 0; i < sizeof(issue_names) / sizeof(issue_names[0]); i++)
		assert_non_null(bench_find_workload(issue_names[i]));
	assert_null(bench_find_workload("no-such-workload"));
	w = bench_find_workload("file-fault-around");
	assert_true(w->file && !w->write);
	assert_int_equal(w->stride, 16 * PAGE_SIZE);	/* one fault_around_bytes window */
	w = bench_find_workload("anon-write-hot");
	assert_true(w->write && !w->thp);
	assert_int_equal(w->batch, 512 * PAGE_SIZE);
	assert_int_equal(w->base_bytes, bench_find_workload("anon-write")->base_bytes);

	w = bench_find_workload("anon-write-thp");
	assert_int_equal(bench_bytes(w, 1e-9), PMD_SIZE);	/* at least one stride */
	assert_int_equal(bench_bytes(w, 1.0) % PMD_SIZE, 0);
	w = bench_find_workload("anon-write");
	assert_int_equal(bench_bytes(w, 0.5), w->base_bytes / 2);
}

/* Exactly one model fault per access, in every repetition. */
static void check_model_counts(const struct bench_result *r)
{
	assert_true(r->model.ok);
	assert_true(r->accesses > 0);
	assert_int_equal(r->model.faults, r->accesses);
	assert_int_equal(r->model.faults_min, r->accesses);
	assert_int_equal(r->model.faults_max, r->accesses);
	assert_true(r->model.ns_min <= r->model.ns_median);
	assert_true(r->model.ns_median <= r->model.ns_max);
	assert_true(r->model_faults_per_sec > 0);
}

static void check_kernel_side(const struct bench_result *r)
{
	if (!r->kernel.ok) {
		/* Allowed (THP off here), but never silently. */
		assert_true(strlen(r->kernel.error) > 0);
		assert_true(r->ratio < 0);
		return;
	}
	assert_true(r->kernel.faults > 0);
	assert_true(r->kernel.ns_min <= r->kernel.ns_median);
	assert_true(r->kernel.ns_median <= r->kernel.ns_max);
	assert_true(r->ratio > 0);
}

static void test_every_workload_counts_exactly(void **state)
{
	struct bench_opts o = tiny_opts();

	(void)state;
	for (size_t i = 0; i < sizeof(issue_names) / sizeof(issue_names[0]); i++) {
		struct bench_result r;

		assert_int_equal(bench_run(bench_find_workload(issue_names[i]), &o, &r), BENCH_OK);
		check_model_counts(&r);
		check_kernel_side(&r);
	}
}

static void test_more_reps_same_counts(void **state)
{
	struct bench_opts o = tiny_opts();
	struct bench_result r;

	(void)state;
	o.reps = 3;
	o.kernel = false;
	assert_int_equal(bench_run(bench_find_workload("fork-cow"), &o, &r), BENCH_OK);
	check_model_counts(&r);
	assert_int_equal(r.reps, 3);
	assert_false(r.kernel.ok);
	assert_string_equal(r.kernel.error, "not run (model only)");
}

/* A --dir that cannot hold the file: the kernel side says why, the model's stands. */
static void test_bad_dir_is_reported(void **state)
{
	struct bench_opts o = tiny_opts();
	struct bench_result r;

	(void)state;
	o.dir = "/nonexistent/faultline-bench";
	assert_int_equal(bench_run(bench_find_workload("file-fault-around"), &o, &r), BENCH_OK);
	check_model_counts(&r);
	assert_false(r.kernel.ok);
	assert_non_null(strstr(r.kernel.error, "No such file or directory"));
	assert_true(r.ratio < 0);
}

/* Batches: more than one 2 MiB batch, and a last one that is partial. */
static void test_batches_count_exactly(void **state)
{
	struct bench_opts o = tiny_opts();
	struct bench_result r;

	(void)state;
	o.reps = 2;
	o.scale = (2.5 * (double)PMD_SIZE) / (double)bench_find_workload("anon-write-hot")->base_bytes;
	assert_int_equal(bench_run(bench_find_workload("anon-write-hot"), &o, &r), BENCH_OK);
	assert_int_equal(r.accesses, 1280);
	check_model_counts(&r);
	check_kernel_side(&r);
}

static void check_number(json_t *o, const char *key, bool present)
{
	json_t *v = json_object_get(o, key);

	assert_non_null(v);
	if (present)
		assert_true(json_is_real(v));
	else
		assert_true(json_is_null(v));
}

static void check_object(json_t *o, const struct bench_result *r)
{
	static const char *const model_keys[] = {
		"model_ns_per_fault", "model_ns_min", "model_ns_max", "model_faults_per_sec",
	};
	static const char *const kernel_keys[] = {
		"kernel_ns_per_fault", "kernel_ns_min", "kernel_ns_max", "ratio",
	};

	assert_true(json_is_object(o));
	assert_string_equal(json_string_value(json_object_get(o, "workload")), r->w->name);
	assert_int_equal(json_integer_value(json_object_get(o, "faults")), r->accesses);
	assert_int_equal(json_integer_value(json_object_get(o, "reps")), r->reps);
	for (size_t i = 0; i < sizeof(model_keys) / sizeof(model_keys[0]); i++)
		check_number(o, model_keys[i], true);
	for (size_t i = 0; i < sizeof(kernel_keys) / sizeof(kernel_keys[0]); i++)
		check_number(o, kernel_keys[i], r->kernel.ok);
	if (r->kernel.ok) {
		assert_null(json_object_get(o, "kernel_error"));
		assert_true(json_is_integer(json_object_get(o, "kernel_faults")));
	} else {
		assert_true(json_is_string(json_object_get(o, "kernel_error")));
		assert_true(json_is_null(json_object_get(o, "kernel_faults")));
	}
}

static void test_json_shape(void **state)
{
	const size_t n = sizeof(issue_names) / sizeof(issue_names[0]);
	struct bench_opts o = tiny_opts();
	struct bench_result r[sizeof(issue_names) / sizeof(issue_names[0])];
	json_t *arr;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		/* The model-only run of the last one shows the null shape too. */
		o.kernel = i + 1 < n;
		assert_int_equal(bench_run(bench_find_workload(issue_names[i]), &o, &r[i]),
				 BENCH_OK);
	}
	arr = bench_results_json(r, (int)n);
	assert_non_null(arr);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), n);
	for (size_t i = 0; i < n; i++)
		check_object(json_array_get(arr, i), &r[i]);
	json_decref(arr);
}

static void test_summary(void **state)
{
	const struct bench_sample s[] = {
		{ .ns = 3000, .faults = 10 }, { .ns = 1000, .faults = 10 },
		{ .ns = 2000, .faults = 10 }, { .ns = 4000, .faults = 20 },
	};
	struct bench_side side;

	(void)state;
	bench_summarise(s, 4, &side);
	assert_true(side.ok);
	/* per fault: 300, 100, 200, 200 -> sorted 100 200 200 300 */
	assert_true(side.ns_min == 100.0 && side.ns_max == 300.0 && side.ns_median == 200.0);
	assert_int_equal(side.faults_min, 10);
	assert_int_equal(side.faults_max, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_sizes),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_every_workload_counts_exactly),
		cmocka_unit_test(test_more_reps_same_counts),
		cmocka_unit_test(test_bad_dir_is_reported),
		cmocka_unit_test(test_batches_count_exactly),
		cmocka_unit_test(test_json_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
