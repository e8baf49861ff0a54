// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagemap.c - pagemap, kpageflags, kpagecount and PAGEMAP_SCAN readers.
 *
 * Thin and exact: every read is a pread at the offset the kernel defines
 * (page index * 8, pfn * 8) and a short read is an error, never a zero.
 * PAGEMAP_SCAN (Linux 6.7) is asked for present pages and returns runs of
 * pages with the same categories; only PAGE_IS_HUGE matters here.  Debian
 * 12's <linux/fs.h> predates the ioctl, so the ABI is spelled out below
 * when the header lacks it (it is a stable uapi).
 */
#include <errno.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "oracle/pagemap.h"

#ifndef PAGEMAP_SCAN
#include <linux/types.h>
#define PAGE_IS_PRESENT	(1 << 3)
#define PAGE_IS_HUGE	(1 << 6)

struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif

int fl_pagemap_read(int pm_fd, uint64_t va, size_t n, uint64_t *out)
{
	size_t want = n * sizeof(uint64_t), done = 0;

	while (done < want) {
		ssize_t got = pread(pm_fd, (char *)out + done, want - done,
				    (off_t)(va / 4096 * 8 + done));

		if (got < 0)
			return -errno;
		if (got == 0)
			return -EIO;
		done += (size_t)got;
	}
	return 0;
}

int fl_kpage_read(int fd, uint64_t pfn, uint64_t *val)
{
	ssize_t got = pread(fd, val, sizeof(*val), (off_t)(pfn * 8));

	if (got < 0)
		return -errno;
	return got == sizeof(*val) ? 0 : -ENOENT;
}

int fl_pagemap_scan_huge(int pm_fd, uint64_t va, size_t n, bool *huge)
{
	struct page_region regs[64];
	uint64_t end = va + n * 4096, at = va;

	memset(huge, 0, n * sizeof(*huge));
	while (at < end) {
		struct pm_scan_arg arg = {
			.size = sizeof(arg),
			.start = at,
			.end = end,
			.vec = (uintptr_t)regs,
			.vec_len = sizeof(regs) / sizeof(regs[0]),
			.category_mask = PAGE_IS_PRESENT,
			.return_mask = PAGE_IS_PRESENT | PAGE_IS_HUGE,
		};
		long nr = ioctl(pm_fd, PAGEMAP_SCAN, &arg);

		if (nr < 0)
			return -errno;
		for (long i = 0; i < nr; i++) {
			if (!(regs[i].categories & PAGE_IS_HUGE))
				continue;
			for (uint64_t a = regs[i].start; a < regs[i].end; a += 4096)
				if (a >= va && a < end)
					huge[(a - va) / 4096] = true;
		}
		if (arg.walk_end <= at)
			return -EIO;
		at = arg.walk_end;
	}
	return 0;
}
