/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pagemap.h - reading what maps a page, from /proc (driver side).
 *
 * /proc/PID/pagemap gives one 64-bit entry per virtual page; kpageflags and
 * kpagecount give per-frame flags and the mapcount.  PAGEMAP_SCAN on the
 * same pagemap file is the only interface that says whether a page is
 * mapped by a PMD (PAGE_IS_HUGE).  Bit numbers are the kernel's
 * (Documentation/admin-guide/mm/pagemap.rst).
 */
#ifndef FL_ORACLE_PAGEMAP_H
#define FL_ORACLE_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_PFN_MASK	((1ull << 55) - 1)
#define PM_EXCLUSIVE	(1ull << 56)
#define PM_FILE		(1ull << 61)
#define PM_SWAP		(1ull << 62)
#define PM_PRESENT	(1ull << 63)

#define KPF_ANON	12
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_NOPAGE	20
#define KPF_THP		22
#define KPF_ZERO_PAGE	24
#define KPF_BIT(f, b)	(((f) >> (b)) & 1)

/* Raw pagemap entries of @n pages from @va. 0 or -errno. */
int fl_pagemap_read(int pm_fd, uint64_t va, size_t n, uint64_t *out);

/* One frame's kpageflags or kpagecount. 0, -ENOENT past the end, or -errno. */
int fl_kpage_read(int fd, uint64_t pfn, uint64_t *val);

/*
 * Mark in @huge[i] whether page i of [va, va + n pages) is present and
 * mapped by a PMD.  -ENOTTY (or -EINVAL) when the kernel has no
 * PAGEMAP_SCAN; the caller then reports every page at PTE level.
 */
int fl_pagemap_scan_huge(int pm_fd, uint64_t va, size_t n, bool *huge);

#endif /* FL_ORACLE_PAGEMAP_H */
