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
 * file-fault-around is listed so that its name is reserved and --help is
 * truthful; it needs page-cache files in the model (src/fs/), which bench
 * cannot drive yet.
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
	{ .name = "anon-read-huge-zero",
	  .what = "read one byte per 2 MiB after MADV_HUGEPAGE: huge zero PMDs",
	  .thp = true, .huge_zero = true, .stride = PMD_SIZE, .base_bytes = 80 * GiB },
	{ .name = "anon-write-thp",
	  .what = "write one byte per 2 MiB after MADV_HUGEPAGE: a zeroed THP each",
	  .write = true, .thp = true, .stride = PMD_SIZE, .base_bytes = 512 * MiB },
	{ .name = "fork-cow",
	  .what = "write every 4 KiB page, fork, time the child's copy-on-write writes",
	  .write = true, .fork = true, .stride = PAGE_SIZE, .base_bytes = 96 * MiB },
	{ .name = "file-fault-around", .what = "read a page-cache file: fault-around",
	  .stride = PAGE_SIZE, .base_bytes = 64 * MiB,
	  .unavailable = "the model has no page-cache files (src/fs/)" },
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
