// SPDX-License-Identifier: GPL-2.0-only
/*
 * workload.c - the table of bench workloads.
 *
 * One row per workload: its name (the JSON key the issue fixes), whether the
 * timed accesses are loads or stores, the THP advice, whether the timed part
 * is a child's copy-on-write after fork, and the mapping size per
 * repetition.  Sizes are chosen so that one repetition takes some 50 ms or
 * more on the slower side (the kernel; measured on a 2-vCPU KVM guest
 * running Linux 6.18) while the model's RAM stays modest: the 4 KiB
 * workloads take tens of thousands of faults, THP writes a few hundred
 * (each clears 2 MiB), huge zero reads tens of thousands (each clears only
 * a deposited page table; their mapping is address space, not memory).
 * --scale multiplies every size.
 *
 * file-fault-around reads one byte per fault_around_bytes (64 KiB, 16
 * pages) of a private read-only mapping of a disk file whose pages are all
 * cached as order-0 folios, so that each access is one read fault which
 * do_fault_around() answers by mapping the 16 pages of its window; its
 * size is the file's, and its faults cost 16 PTEs each.
 *
 * anon-write-hot takes anon-write's faults in batches of 2 MiB (512 pages)
 * with an untimed MADV_DONTNEED of each batch before the next: the frames a
 * batch frees (to the per-CPU lists, LIFO, in the model as in Linux) are
 * the ones the next batch zeroes, so they are in the CPU caches on both
 * sides.  It separates the fault path's own cost from the memory
 * bandwidth that clearing cold frames takes; it is an extra data point
 * and does not replace anon-write, whose definition (and target) stays.
 */
#include <string.h>

#include "bench/bench.h"
#include "pgtable/pgtable.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

const struct bench_workload bench_workloads[] = {
	{ .name = "anon-read-zero", .what = "read one byte per 4 KiB page: zero-page PTEs",
	  .stride = PAGE_SIZE, .base_bytes = 512 * MiB },
	{ .name = "anon-write", .what = "write one byte per 4 KiB page: a zeroed page each",
	  .write = true, .stride = PAGE_SIZE, .base_bytes = 160 * MiB },
	{ .name = "anon-write-hot",
	  .what = "anon-write in 2 MiB batches, MADV_DONTNEED between: hot frames",
	  .write = true, .batch = PMD_SIZE, .stride = PAGE_SIZE, .base_bytes = 160 * MiB },
	{ .name = "anon-read-huge-zero",
	  .what = "read one byte per 2 MiB after MADV_HUGEPAGE: huge zero PMDs",
	  .thp = true, .huge_zero = true, .stride = PMD_SIZE, .base_bytes = 80 * GiB },
	{ .name = "anon-write-thp",
	  .what = "write one byte per 2 MiB after MADV_HUGEPAGE: a zeroed THP each",
	  .write = true, .thp = true, .stride = PMD_SIZE, .base_bytes = 512 * MiB },
	{ .name = "fork-cow",
	  .what = "write every 4 KiB page, fork, time the child's copy-on-write writes",
	  .write = true, .fork = true, .stride = PAGE_SIZE, .base_bytes = 96 * MiB },
	{ .name = "file-fault-around",
	  .what = "read one byte per 64 KiB of a cached disk file: 16 pages each",
	  .file = true, .stride = BENCH_FAULT_AROUND_BYTES, .base_bytes = 256 * MiB },
};

const int bench_nr_workloads = (int)(sizeof(bench_workloads) / sizeof(bench_workloads[0]));

const struct bench_workload *bench_find_workload(const char *name)
{
	for (int i = 0; i < bench_nr_workloads; i++)
		if (!strcmp(bench_workloads[i].name, name))
			return &bench_workloads[i];
	return NULL;
}

uint64_t bench_bytes(const struct bench_workload *w, double scale)
{
	double strides = (double)(w->base_bytes / w->stride) * scale;
	uint64_t n = strides < 1.0 ? 1 : (uint64_t)(strides + 0.5);

	return n * w->stride;
}
