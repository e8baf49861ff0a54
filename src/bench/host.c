// SPDX-License-Identifier: GPL-2.0-only
/*
 * host.c - what bench needs from the machine it runs on.
 *
 * CPU pinning: both sides run on the CPU the bench started on, so neither
 * pays for migrations and the kernel's per-CPU page lists stay warm, as the
 * oracle pins itself for the same reason.  The old mask is restored at the
 * end.
 *
 * THP availability: the kernel side of a THP workload only means something
 * if transparent_hugepage/enabled is "always" or "madvise" (bench always
 * advises), and, for huge zero reads, use_zero_page is 1.  Otherwise the
 * kernel numbers are reported as null with the reason.
 *
 * Prefaulting: the model's RAM is a MAP_NORESERVE host mapping; making it
 * resident before timing keeps host page faults out of the model's numbers.
 * MADV_POPULATE_WRITE (Linux 5.14) does it without changing a byte; older
 * kernels get a read-and-write-back of one byte per page.  The range is
 * first advised MADV_HUGEPAGE (best effort), so that where the host has
 * THP the model's frames and memmap sit on 2 MiB host pages, as the
 * kernel's frames sit in its direct map of huge pages: otherwise every
 * new frame the model clears would also cost a host TLB miss that the
 * kernel's clear_page() does not pay.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench/bench.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define THP_SYSFS "/sys/kernel/mm/transparent_hugepage/"

static cpu_set_t saved_cpus;
static bool pinned;

int bench_pin_cpu(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -1;
	if (sched_getaffinity(0, sizeof(saved_cpus), &saved_cpus))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return -1;
	pinned = true;
	return cpu;
}

void bench_unpin_cpu(void)
{
	if (pinned && sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus))
		fprintf(stderr, "faultline bench: cannot restore the CPU mask: %s\n",
			strerror(errno));
	pinned = false;
}

/* First line of a sysfs file into @buf; false if it cannot be read. */
static bool read_sysfs(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok;
}

const char *bench_kernel_unavailable(const struct bench_workload *w)
{
	char buf[128];

	if (!w->thp)
		return NULL;
	if (!read_sysfs(THP_SYSFS "enabled", buf, sizeof(buf)))
		return "no transparent huge pages here (" THP_SYSFS "enabled unreadable)";
	if (strstr(buf, "[never]"))
		return "transparent huge pages are off (" THP_SYSFS "enabled is [never])";
	if (!w->huge_zero)
		return NULL;
	if (!read_sysfs(THP_SYSFS "use_zero_page", buf, sizeof(buf)))
		return "no huge zero page here (" THP_SYSFS "use_zero_page unreadable)";
	if (buf[0] != '1')
		return "the huge zero page is off (" THP_SYSFS "use_zero_page is 0)";
	return NULL;
}

int bench_prefault(void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)p + (uintptr_t)page - 1) & ~(uintptr_t)(page - 1);

	if (start < (uintptr_t)p + len)
		(void)madvise((void *)start, (uintptr_t)p + len - start, MADV_HUGEPAGE);

	if (!madvise(p, len, MADV_POPULATE_WRITE))
		return 0;
	if (errno != EINVAL)
		return -1;
	for (size_t off = 0; off < len; off += (size_t)page) {
		volatile unsigned char *b = (volatile unsigned char *)p + off;

		*b = *b;
	}
	return 0;
}
