// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_bench.c - `faultline bench`: how fast the model takes faults, next to
 * the kernel of this machine taking the same faults.
 *
 *   faultline bench [--json] [--reps N] [--scale F] [--workload NAME]...
 *                   [--no-check | --check] [--model-only] [--dir DIR]
 *
 * This file parses the command line, pins the process to one CPU, runs the
 * chosen workloads through src/bench/ and prints a table or a JSON array.
 * The measuring itself, and why it is done the way it is, is in src/bench/.
 * Performance is measured here and only here: no test times anything.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "cli.h"

#define MAX_SCALE 16.0

struct bench_args {
	struct bench_opts opts;
	bool json;
	const struct bench_workload *chosen[32];
	int nchosen;
};

static void bench_usage(FILE *f)
{
	fputs("usage: faultline bench [--json] [--reps N] [--scale F] [--workload NAME]...\n"
	      "                       [--no-check | --check] [--model-only] [--dir DIR]\n"
	      "Runs each workload in the model and, in the same run, on this machine's kernel\n"
	      "with the same access pattern, pinned to one CPU; one untimed warm-up\n"
	      "repetition per side, then N timed ones, each on a fresh mapping.  Prints ns per\n"
	      "fault (median and min..max) for both, kernel/model and the model's faults per\n"
	      "second, then the targets (kernel/model >= 5x on anon-read-zero and anon-write,\n"
	      ">= 1M 4 KiB faults/s).\n"
	      "  --json           print a JSON array, one object per workload: workload,\n"
	      "                   model_ns_per_fault, kernel_ns_per_fault, ratio, faults,\n"
	      "                   model_ns_min/max, kernel_ns_min/max, model_faults_per_sec,\n"
	      "                   kernel_faults, reps, bytes, stride; null numbers and a\n"
	      "                   kernel_error string when the kernel side could not run\n"
	      "  --reps N         timed repetitions per side (default 5, 1..1000)\n"
	      "  --scale F        multiply every workload's size by F (default 1, up to 16)\n"
	      "  --workload NAME  run only NAME; may be repeated (default: all of them)\n"
	      "  --no-check       no invariant check after each repetition (the default);\n"
	      "                   the leak check after the last one always runs\n"
	      "  --check          run the full invariant check after each repetition\n"
	      "  --model-only     skip the kernel side (e.g. under perf record)\n"
	      "  --dir DIR        where the kernel side of file-fault-around puts its file\n"
	      "                   (unlinked at once); a disk filesystem, not tmpfs\n"
	      "                   (default " BENCH_DEFAULT_DIR ")\n"
	      "Workloads:\n", f);
	for (int i = 0; i < bench_nr_workloads; i++)
		fprintf(f, "  %-20s %s\n", bench_workloads[i].name, bench_workloads[i].what);
	fputs("anon-write-hot is an extra data point, not a replacement for anon-write: the\n"
	      "same write faults, but each 2 MiB batch is given back (MADV_DONTNEED, untimed)\n"
	      "before the next, so both sides zero frames that are still in the CPU caches;\n"
	      "it separates the fault path's own cost from the memory bandwidth that clearing\n"
	      "cold frames takes.  The anon-write target is measured on anon-write only.\n"
	      "Exit status: 0 measured (a kernel side that cannot run is reported, not fatal),\n"
	      "1 the model could not run (host memory), 2 bad arguments, 3 a model invariant\n"
	      "broke.\n", f);
}

static int bad(const char *fmt, const char *arg)
{
	fputs("faultline bench: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (try 'faultline bench --help')\n", stderr);
	return 2;
}

static int add_workload(struct bench_args *a, const char *name)
{
	const struct bench_workload *w = bench_find_workload(name);

	if (!w)
		return bad("unknown workload '%s'", name);
	for (int i = 0; i < a->nchosen; i++)
		if (a->chosen[i] == w)
			return 0;
	a->chosen[a->nchosen++] = w;
	return 0;
}

/* The value of --reps / --scale; 0 or 2 after a message. */
static int parse_value(struct bench_args *a, const char *opt, const char *val)
{
	char *end;

	errno = 0;
	if (!strcmp(opt, "--reps")) {
		long n = strtol(val, &end, 10);

		if (errno || *end || end == val || n < 1 || n > BENCH_MAX_REPS)
			return bad("--reps needs a whole number from 1 to 1000, not '%s'", val);
		a->opts.reps = (int)n;
	} else if (!strcmp(opt, "--scale")) {
		double f = strtod(val, &end);

		if (errno || *end || end == val || !(f > 0) || f > MAX_SCALE)
			return bad("--scale needs a number above 0 and at most 16, not '%s'", val);
		a->opts.scale = f;
	} else if (!strcmp(opt, "--dir")) {
		if (!*val)
			return bad("--dir needs a directory%s", "");
		a->opts.dir = val;
	} else {
		return add_workload(a, val);
	}
	return 0;
}

static bool takes_value(const char *arg)
{
	return !strcmp(arg, "--reps") || !strcmp(arg, "--scale") || !strcmp(arg, "--workload") ||
	       !strcmp(arg, "--dir");
}

static int parse_flag(struct bench_args *a, const char *arg)
{
	if (!strcmp(arg, "--json"))
		a->json = true;
	else if (!strcmp(arg, "--no-check"))
		a->opts.check = false;
	else if (!strcmp(arg, "--check"))
		a->opts.check = true;
	else if (!strcmp(arg, "--model-only"))
		a->opts.kernel = false;
	else
		return bad("unknown option '%s'", arg);
	return 0;
}

/* 0, 1 after --help, or 2 after a usage error. */
static int parse_args(struct bench_args *a, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		char opt[16];
		int st;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			bench_usage(stdout);
			return 1;
		}
		if (eq && (size_t)(eq - arg) < sizeof(opt)) {
			memcpy(opt, arg, (size_t)(eq - arg));
			opt[eq - arg] = '\0';
			if (takes_value(opt)) {
				st = parse_value(a, opt, eq + 1);
				if (st)
					return st;
				continue;
			}
		}
		if (takes_value(arg)) {
			if (++i >= argc)
				return bad("%s needs a value", arg);
			st = parse_value(a, arg, argv[i]);
		} else {
			st = parse_flag(a, arg);
		}
		if (st)
			return st;
	}
	return 0;
}

static void default_workloads(struct bench_args *a)
{
	for (int i = 0; i < bench_nr_workloads; i++)
		a->chosen[a->nchosen++] = &bench_workloads[i];
}

static int print_json(const struct bench_result *r, int n)
{
	json_t *arr = bench_results_json(r, n);
	int err;

	if (!arr) {
		fputs("faultline bench: out of memory for the JSON output\n", stderr);
		return 1;
	}
	err = json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(arr);
	if (err || fputc('\n', stdout) == EOF) {
		fputs("faultline bench: cannot write the JSON output\n", stderr);
		return 1;
	}
	return 0;
}

int fl_cmd_bench(int argc, char **argv)
{
	struct bench_args a = { .opts = { .reps = 5, .scale = 1.0, .check = false,
					  .kernel = true, .dir = BENCH_DEFAULT_DIR } };
	struct bench_result results[32];
	int st, cpu;

	st = parse_args(&a, argc, argv);
	if (st)
		return st == 1 ? 0 : st;
	if (!a.nchosen)
		default_workloads(&a);
	cpu = bench_pin_cpu();
	if (cpu < 0)
		fprintf(stderr, "faultline bench: cannot pin to one CPU (%s); numbers will be noisier\n",
			strerror(errno));
	for (int i = 0; i < a.nchosen; i++) {
		st = bench_run(a.chosen[i], &a.opts, &results[i]);
		if (st) {
			fprintf(stderr, "faultline bench: %s: %s\n", a.chosen[i]->name,
				results[i].model.error);
			bench_unpin_cpu();
			return st;
		}
	}
	bench_unpin_cpu();
	if (a.json)
		return print_json(results, a.nchosen);
	bench_print_table(stdout, results, a.nchosen, &a.opts, cpu);
	return 0;
}
