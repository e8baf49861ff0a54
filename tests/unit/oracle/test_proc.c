// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_proc.c - the /proc readers of the oracle, on this test's own memory.
 *
 * smaps sums (per VMA, only VMAs inside the range), pagemap presence,
 * PAGEMAP_SCAN's PMD bit, and, with root, kpageflags and kpagecount of a
 * page the test just wrote.  The expected values follow from what the
 * test did to its own address space, so a parser that picks the wrong
 * line or the wrong bit fails here first.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "oracle/pagemap.h"
#include "oracle/smaps.h"
#include "oracle_test.h"

#define M (1ull << 20)

static char *map(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* @len bytes between PROT_NONE guard pages, so no neighbour merges with it. */
static char *map_guarded(size_t len)
{
	char *p = mmap(NULL, len + 2 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(mprotect(p + 4096, len, PROT_READ | PROT_WRITE), 0);
	return p + 4096;
}

static void test_smaps_sums_vmas_inside(void **state)
{
	struct fl_counters c;
	char err[256], *p = map_guarded(16 * 4096);
	uint64_t a = (uintptr_t)p;

	(void)state;
	memset(p, 1, 3 * 4096);			/* pages 0..2 */
	p[10 * 4096] = 1;			/* page 10 */
	assert_int_equal(mprotect(p + 4096, 4096, PROT_READ), 0);	/* three VMAs */
	assert_int_equal(fl_smaps_sum(getpid(), a, a + 16 * 4096, &c, err, sizeof(err)), 0);
	assert_int_equal(c.kib[FL_CNT_RSS], 16);
	assert_int_equal(c.kib[FL_CNT_ANONYMOUS], 16);
	assert_int_equal(c.kib[FL_CNT_PRIVATE_DIRTY], 16);
	assert_int_equal(c.kib[FL_CNT_SHARED_DIRTY], 0);
	/* Only VMAs entirely inside: [p, p+3 pages) holds pages 0 and 1, not
	 * the VMA of pages 2..15 that starts inside it. */
	assert_int_equal(fl_smaps_sum(getpid(), a, a + 3 * 4096, &c, err, sizeof(err)), 0);
	assert_int_equal(c.kib[FL_CNT_RSS], 8);
	assert_int_equal(fl_smaps_sum(getpid(), a + 4096, a + 2 * 4096, &c, err, sizeof(err)), 0);
	assert_int_equal(c.kib[FL_CNT_RSS], 4);
	assert_int_equal(fl_smaps_sum(-1, a, a + 4096, &c, err, sizeof(err)), -1);
	munmap(p - 4096, 18 * 4096);
}

static void test_pagemap_presence(void **state)
{
	char *p = map(4 * 4096);
	uint64_t e[4];
	int fd = open("/proc/self/pagemap", O_RDONLY);

	(void)state;
	assert_true(fd >= 0);
	p[4096] = 1;
	(void)*(volatile char *)(p + 3 * 4096);	/* the zero page */
	assert_int_equal(fl_pagemap_read(fd, (uintptr_t)p, 4, e), 0);
	assert_false(e[0] & PM_PRESENT);
	assert_true(e[1] & PM_PRESENT);
	assert_true(e[1] & PM_EXCLUSIVE);
	assert_false(e[1] & PM_FILE);
	assert_false(e[2] & PM_PRESENT);
	assert_true(e[3] & PM_PRESENT);
	assert_false(e[3] & PM_EXCLUSIVE);
	close(fd);
	munmap(p, 4 * 4096);
}

static void test_scan_huge(void **state)
{
	char *p = map(4 * M), *a = (char *)(((uintptr_t)p + 2 * M - 1) & ~(2 * M - 1));
	int fd = open("/proc/self/pagemap", O_RDONLY), ret;
	static bool huge[512];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(madvise(a, 2 * M, MADV_HUGEPAGE), 0);
	a[0] = 1;
	ret = fl_pagemap_scan_huge(fd, (uintptr_t)a, 512, huge);
	if (ret == -ENOTTY || ret == -EINVAL) {
		close(fd);
		munmap(p, 4 * M);
		skip();		/* no PAGEMAP_SCAN (Linux < 6.7) */
	}
	assert_int_equal(ret, 0);
	if (!huge[0]) {
		close(fd);
		munmap(p, 4 * M);
		skip();		/* THP off or no huge page to be had */
	}
	for (int i = 0; i < 512; i++)
		assert_true(huge[i]);
	assert_int_equal(madvise(a + 4096, 4096, MADV_DONTNEED), 0);	/* split the PMD */
	assert_int_equal(fl_pagemap_scan_huge(fd, (uintptr_t)a, 512, huge), 0);
	for (int i = 0; i < 512; i++)
		assert_false(huge[i]);
	close(fd);
	munmap(p, 4 * M);
}

static void test_kpageflags(void **state)
{
	char *p = map(2 * 4096);
	uint64_t e, flags, count;
	int pm, kpf, kpc;

	(void)state;
	SKIP_UNLESS_ORACLE();
	pm = open("/proc/self/pagemap", O_RDONLY);
	kpf = open("/proc/kpageflags", O_RDONLY);
	kpc = open("/proc/kpagecount", O_RDONLY);
	assert_true(pm >= 0 && kpf >= 0 && kpc >= 0);
	p[0] = 1;
	assert_int_equal(fl_pagemap_read(pm, (uintptr_t)p, 1, &e), 0);
	assert_int_equal(fl_kpage_read(kpf, e & PM_PFN_MASK, &flags), 0);
	assert_int_equal(fl_kpage_read(kpc, e & PM_PFN_MASK, &count), 0);
	assert_true(KPF_BIT(flags, KPF_ANON));
	assert_false(KPF_BIT(flags, KPF_ZERO_PAGE));
	assert_int_equal(count, 1);
	(void)*(volatile char *)(p + 4096);
	assert_int_equal(fl_pagemap_read(pm, (uintptr_t)p + 4096, 1, &e), 0);
	assert_int_equal(fl_kpage_read(kpf, e & PM_PFN_MASK, &flags), 0);
	assert_int_equal(fl_kpage_read(kpc, e & PM_PFN_MASK, &count), 0);
	assert_true(KPF_BIT(flags, KPF_ZERO_PAGE));
	assert_int_equal(count, 0);
	assert_int_equal(fl_kpage_read(kpf, 1ull << 54, &flags), -ENOENT);
	close(pm);
	close(kpf);
	close(kpc);
	munmap(p, 2 * 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smaps_sums_vmas_inside),
		cmocka_unit_test(test_pagemap_presence),
		cmocka_unit_test(test_scan_huge),
		cmocka_unit_test(test_kpageflags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
