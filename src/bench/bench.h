/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - `faultline bench`: the same fault workload in the model and on
 * the kernel of this machine, timed per fault.
 *
 * A workload is an access pattern over one mapping: one byte read or
 * written per 4 KiB page or per 2 MiB of anonymous memory, optionally after
 * MADV_HUGEPAGE, optionally in a child after fork, optionally in batches
 * with an untimed MADV_DONTNEED between them; or one byte read per
 * fault-around window of a cached disk file.  The model side drives the mm API
 * directly (do_mmap, fl_access, dup_mm, mmput) on a machine of its own; the
 * kernel side does the same with mmap and real loads and stores.  Both run
 * pinned to one CPU, one untimed warm-up repetition first, then --reps
 * timed repetitions, each a fresh mapping; only the access loop is timed.
 *
 * Layout: workload.c (the table), model.c (one repetition in the model and
 * the machine around it), kernel.c, kernel_fork.c and kernel_file.c (one
 * repetition on the kernel), host.c (CPU pinning, THP availability, prefaulting), stats.c
 * (median and spread), run.c (warm-up, repetitions, results),
 * report_text.c (the table and the targets) and report_json.c (the --json
 * array).  No test
 * times anything: tests only check shapes and exact fault counts.
 */
#ifndef FL_BENCH_BENCH_H
#define FL_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

struct bench_workload {
	const char *name;		/* the --workload and JSON name */
	const char *what;		/* one line for --help */
	bool write;			/* the timed accesses are stores */
	bool thp;			/* MADV_HUGEPAGE, else MADV_NOHUGEPAGE */
	bool huge_zero;			/* needs the huge zero page (use_zero_page) */
	bool fork;			/* populate, fork, time the child's writes */
	bool file;			/* read a cached disk file (fault-around) */
	uint64_t batch;			/* bytes per batch, MADV_DONTNEED between; 0: one go */
	uint64_t stride;		/* one access per stride: 4 KiB or 2 MiB */
	uint64_t base_bytes;		/* mapping size per repetition at --scale 1 */
};

extern const struct bench_workload bench_workloads[];
extern const int bench_nr_workloads;

const struct bench_workload *bench_find_workload(const char *name);
/* Mapping size for @scale: a whole number of strides, at least one. */
uint64_t bench_bytes(const struct bench_workload *w, double scale);

#define BENCH_MAX_REPS 1000

/* fault_around_bytes, the model's default and Linux's: the file workload's stride. */
#define BENCH_FAULT_AROUND_BYTES (64ull << 10)
/* Where the kernel side's file goes unless --dir says otherwise. */
#define BENCH_DEFAULT_DIR "/var/tmp"

struct bench_opts {
	int reps;			/* timed repetitions, 1..BENCH_MAX_REPS (a warm-up comes first) */
	double scale;			/* multiplies every workload's size */
	bool check;			/* fl_check_invariants after every repetition */
	bool kernel;			/* also run the kernel side */
	const char *dir;		/* kernel file workloads: a disk filesystem's directory */
};

/* One timed repetition on one side. */
struct bench_sample {
	uint64_t ns;			/* the access loop only */
	long faults;			/* min_flt + maj_flt delta (model), minflt (kernel) */
};

/* One side's summary over the repetitions; ns are per fault. */
struct bench_side {
	bool ok;
	char error[192];		/* why !ok */
	double ns_median, ns_min, ns_max;
	long faults;			/* faults of the median repetition */
	long faults_min, faults_max;	/* over the repetitions */
};

struct bench_result {
	const struct bench_workload *w;
	uint64_t bytes;			/* mapping size per repetition */
	long accesses;			/* accesses per repetition */
	int reps;
	struct bench_side model, kernel;
	double ratio;			/* kernel / model median; < 0 if unknown */
	double model_faults_per_sec;
};

/* Status of bench_run(). */
enum { BENCH_OK = 0, BENCH_EMODEL = 1, BENCH_EINVARIANT = 3 };

/*
 * Run @w with @o: model side, then kernel side.  The kernel side failing is
 * not an error (r->kernel says why).  BENCH_EMODEL when the model could not
 * run (host memory), BENCH_EINVARIANT when its invariant checks failed; the
 * reason is in r->model.error and, for invariants, printed to stderr.
 */
int bench_run(const struct bench_workload *w, const struct bench_opts *o,
	      struct bench_result *r);

/* ---- model.c ---- */
/* Bring up a machine sized for @w at @bytes, host RAM prefaulted. */
int bench_model_setup(const struct bench_workload *w, uint64_t bytes, char *err, size_t len);
/* One repetition; BENCH_* status. */
int bench_model_rep(const struct bench_workload *w, uint64_t bytes, bool check,
		    struct bench_sample *s, char *err, size_t len);
/* The checks at the end (fl_check_final), then phys_exit(); BENCH_* status. */
int bench_model_teardown(char *err, size_t len);

/* ---- kernel.c, kernel_fork.c, kernel_file.c ---- */
/* Before the first repetition and after the last (the file); 0, or -1 with @err. */
int bench_kernel_setup(const struct bench_workload *w, uint64_t bytes, const char *dir,
		       char *err, size_t len);
void bench_kernel_teardown(void);
/* One repetition on the kernel; 0, or -1 with the reason in @err. */
int bench_kernel_rep(const struct bench_workload *w, uint64_t bytes, struct bench_sample *s,
		     char *err, size_t len);
int bench_kernel_fork_rep(const struct bench_workload *w, uint64_t bytes,
			  struct bench_sample *s, char *err, size_t len);
int bench_kernel_file_setup(uint64_t bytes, const char *dir, char *err, size_t len);
void bench_kernel_file_teardown(void);
int bench_kernel_file_rep(const struct bench_workload *w, uint64_t bytes,
			  struct bench_sample *s, char *err, size_t len);

/* Shared by kernel.c and kernel_fork.c: a 2 MiB-aligned private anonymous
 * mapping with the workload's THP advice, and the timed access loop. */
void *bench_kernel_map(const struct bench_workload *w, uint64_t bytes, char *err, size_t len);
/* The same for any mapping (file-fault-around maps its file): mmap flags, fd, madvise advice. */
void *bench_kernel_map_aligned(uint64_t bytes, int prot, int flags, int fd, int advice,
			       char *err, size_t len);
int bench_kernel_unmap(void *p, uint64_t bytes, char *err, size_t len);
int bench_kernel_touch(const struct bench_workload *w, void *p, uint64_t bytes,
		       struct bench_sample *s, char *err, size_t len);

/* ---- host.c ---- */
/* Why the kernel cannot run @w here (THP off, no huge zero page), or NULL. */
const char *bench_kernel_unavailable(const struct bench_workload *w);
/* Pin to the current CPU; returns it, or -1 with errno.  Unpin restores. */
int bench_pin_cpu(void);
void bench_unpin_cpu(void);
/* Make [p, p+len) resident in the host (2 MiB pages where it can) without changing its bytes. */
int bench_prefault(void *p, size_t len);

/* ---- stats.c ---- */
void bench_summarise(const struct bench_sample *s, int n, struct bench_side *side);

/* ---- report_text.c, report_json.c ---- */
void bench_print_table(FILE *out, const struct bench_result *r, int n,
		       const struct bench_opts *o, int cpu);
json_t *bench_results_json(const struct bench_result *r, int n);

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif /* FL_BENCH_BENCH_H */
