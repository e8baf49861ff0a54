// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_huge_zero_range.c - SPEC.md T11: which pfns are the huge zero folio.
 *
 * is_huge_zero_pfn() is a range test over the 512 frames of the folio
 * (R13, R39), and it must answer false for every frame while no huge zero
 * folio exists: before the first one is allocated, after the shrinker freed
 * it, and with THP off, where none is ever allocated.  The model keeps
 * huge_zero_pfn at 0 then, so a test that only looked at the pfn would call
 * frames 0..511 huge zero; Linux uses ~0 as its sentinel for the same
 * reason.  is_huge_zero_pmd() looks at present PMDs only: a non-present
 * (migration-encoded) PMD whose bits spell HZ0 is not the huge zero PMD.
 * Each test gets a machine of its own, so "before" really is before.
 */
#include "core_test.h"

#define VA	0x40000000ull		/* PMD aligned */

static unsigned long all_frames(void)
{
	return machine.io_base_pfn + machine.io_pages;
}

static void assert_no_huge_zero_pfn(void)
{
	for (unsigned long pfn = 0; pfn < all_frames(); pfn++)
		if (is_huge_zero_pfn(pfn))
			fail_msg("pfn 0x%lx tests as huge zero with no huge zero folio", pfn);
}

/* T11: the range, before allocation and after the shrinker. */
static void test_t11_range(void **state)
{
	unsigned long hz0;

	(void)state;
	assert_null(machine.huge_zero_folio);
	assert_no_huge_zero_pfn();
	assert_true(get_huge_zero_folio());
	hz0 = machine.huge_zero_pfn;
	assert_true(is_huge_zero_pfn(hz0));
	assert_true(is_huge_zero_pfn(hz0 + HPAGE_PMD_NR - 1));
	assert_false(is_huge_zero_pfn(hz0 - 1));
	assert_false(is_huge_zero_pfn(hz0 + HPAGE_PMD_NR));
	assert_false(is_huge_zero_pfn(machine.zero_pfn));
	/* the PMD view: present leaf yes, the same bits non-present no */
	assert_true(is_huge_zero_pmd(pmd_mkhuge(pfn_pmd(hz0, PAGE_READONLY))));
	assert_false(is_huge_zero_pmd(__pmd((uint64_t)hz0 << PAGE_SHIFT)));
	assert_false(is_huge_zero_pmd(__pmd(((uint64_t)hz0 << PAGE_SHIFT) | _PAGE_RW)));
	put_huge_zero_folio();
	shrink_huge_zero_folio();
	assert_null(machine.huge_zero_folio);
	assert_false(is_huge_zero_pfn(hz0));
	assert_no_huge_zero_pfn();
}

/* T11 with THP off: a read fault that would map HZ maps the zero page instead. */
static void test_t11_thp_off(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_access_result res;
	struct fl_leaf leaf;
	uint8_t b;

	(void)state;
	machine.cfg.thp = FL_THP_NEVER;
	assert_int_equal(do_mmap(mm, VA, 2 * PMD_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 (int64_t)VA);
	assert_int_equal(do_madvise(mm, VA, 2 * PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(fl_access(mm, VA, false, &b, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	fl_walk(mm, VA, &leaf);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, machine.zero_pfn);
	assert_null(machine.huge_zero_folio);
	assert_no_huge_zero_pfn();
	assert_false(is_huge_zero_pmd(pmd_mkhuge(pfn_pmd(0, PAGE_READONLY))));
	/* the same fault with THP on does map it, so the test above can tell */
	machine.cfg.thp = FL_THP_MADVISE;
	assert_int_equal(fl_access(mm, VA + PMD_SIZE, false, &b, 1, &res), 0);
	fl_walk(mm, VA + PMD_SIZE, &leaf);
	assert_int_equal(leaf.level, 2);
	assert_true(is_huge_zero_pfn(leaf.pfn));
	assert_invariants(mm);
	test_mmput(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_t11_range, machine_up, machine_down),
		cmocka_unit_test_setup_teardown(test_t11_thp_off, machine_up, machine_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
