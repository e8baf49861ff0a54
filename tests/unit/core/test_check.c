// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_check.c - the invariant checker must catch what it claims to catch.
 *
 * A checker that never fires proves nothing.  Each test here builds a small
 * consistent state (a written anonymous page, a zero-page read, a THP),
 * confirms fl_check_invariants() accepts it, then breaks exactly one thing
 * the way a bug in the fault path would, and asserts that the check fails
 * and names the invariant in the kernel's words where it has some (SPEC.md
 * section 6).  The damage is undone before teardown, so the leak check of
 * core_test.h still runs on a sound machine.  The last tests break the
 * final check: a folio, a page table and an mm's RSS left behind.
 */
#include <string.h>

#include "core_test.h"

#define BASE 0x7e0000000000ull

/* Run the check with its report captured; the report goes to *out (malloced). */
static int check_capture(struct mm_struct *mm, char **out)
{
	struct mm_struct *mms[1] = { mm };
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	int ret;

	assert_non_null(f);
	ret = fl_check_invariants(mms, 1, f);
	fclose(f);
	return ret;
}

static void assert_check_fails(struct mm_struct *mm, const char *invariant)
{
	char *report = NULL;

	assert_int_equal(check_capture(mm, &report), -1);
	if (!strstr(report, invariant))
		fail_msg("report does not name '%s':\n%s", invariant, report);
	free(report);
}

static void assert_check_passes(struct mm_struct *mm)
{
	char *report = NULL;

	if (check_capture(mm, &report))
		fail_msg("unexpected report:\n%s", report);
	free(report);
}

/* One written page at BASE, one zero-page read at BASE + 4K. */
static struct mm_struct *small_state(struct page **page)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_access_result res;
	struct fl_leaf leaf;
	uint8_t b = 0x5a;

	assert_non_null(mm);
	assert_true(do_mmap(mm, BASE, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_FIXED, NULL, NULL, 0, NULL) == (int64_t)BASE);
	assert_int_equal(fl_access(mm, BASE, true, &b, 1, &res), 0);
	assert_int_equal(fl_access(mm, BASE + PAGE_SIZE, false, &b, 1, &res), 0);
	fl_walk(mm, BASE, &leaf);
	*page = pfn_to_page(leaf.pfn);
	assert_check_passes(mm);
	return mm;
}

/* A mapcount that disagrees with the tables: "Bad page map". */
static void test_catches_mapcount(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);

	(void)state;
	atomic_inc(&page->_mapcount);
	assert_check_fails(mm, "Bad page map (mapcount)");
	atomic_dec(&page->_mapcount);
	assert_check_passes(mm);
	test_mmput(mm);
}

/* An RSS counter that disagrees with the tables: "Bad rss-counter state". */
static void test_catches_rss(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);

	(void)state;
	add_mm_counter(mm, MM_ANONPAGES, 1);
	assert_check_fails(mm, "Bad rss-counter state");
	add_mm_counter(mm, MM_ANONPAGES, -1);
	test_mmput(mm);
}

/* nr_ptes that does not count the installed tables (R41). */
static void test_catches_nr_ptes(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);

	(void)state;
	mm_inc_nr_ptes(mm);
	assert_check_fails(mm, "nr_ptes (R41)");
	mm_dec_nr_ptes(mm);
	test_mmput(mm);
}

/* A refcount below the mappings (invariant 1). */
static void test_catches_refcount(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);

	(void)state;
	atomic_dec(&page->_refcount);
	assert_check_fails(mm, "refcount below mappings");
	atomic_inc(&page->_refcount);
	test_mmput(mm);
}

/* The zero page mapped writable, or without the special bit (invariant 2). */
static void test_catches_zero_page_bits(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);
	struct fl_leaf leaf;

	(void)state;
	fl_walk(mm, BASE + PAGE_SIZE, &leaf);
	assert_true(is_zero_pfn(leaf.pfn));
	*leaf.entryp |= _PAGE_RW;
	assert_check_fails(mm, "zero page mapped writable");
	*leaf.entryp &= ~(_PAGE_RW | _PAGE_SPECIAL);
	assert_check_fails(mm, "zero page PTE not special");
	*leaf.entryp |= _PAGE_SPECIAL;
	test_mmput(mm);
}

/* A devmap PTE anywhere but a one_based FS-DAX mapping of pmem (V5). */
static void test_catches_stray_devmap(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);
	struct fl_leaf leaf;

	(void)state;
	fl_walk(mm, BASE, &leaf);
	*leaf.entryp |= _PAGE_DEVMAP;
	assert_check_fails(mm, "devmap PTE outside a one_based FS-DAX mapping (V5)");
	*leaf.entryp &= ~_PAGE_DEVMAP;
	assert_check_passes(mm);
	test_mmput(mm);
}

/* An anonymous page writable in two places (page_table_check). */
static void test_catches_double_writer(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);
	struct fl_leaf leaf;
	pte_t *second;

	(void)state;
	fl_walk(mm, BASE + 2 * PAGE_SIZE, &leaf);	/* none yet: same PTE table */
	fl_walk(mm, BASE, &leaf);
	second = (pte_t *)leaf.entryp + 2;
	set_pte(second, __pte(leaf.entry));
	atomic_inc(&page->_mapcount);
	atomic_inc(&page->_refcount);
	add_mm_counter(mm, MM_ANONPAGES, 1);
	assert_check_fails(mm, "anon page writable in two mappings");
	set_pte(second, __pte(0));
	atomic_dec(&page->_mapcount);
	atomic_dec(&page->_refcount);
	add_mm_counter(mm, MM_ANONPAGES, -1);
	assert_check_passes(mm);
	test_mmput(mm);
}

/* The zero page never gets a mapcount (R39). */
static void test_catches_zero_page_mapcount(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);
	struct page *zero = pfn_to_page(machine.zero_pfn);

	(void)state;
	atomic_inc(&zero->_mapcount);
	assert_check_fails(mm, "zero page mapcounted (R39)");
	atomic_dec(&zero->_mapcount);
	test_mmput(mm);
}

/* A huge PMD hanging over a VMA edge (what split_huge_pmd_range() prevents). */
static void test_catches_pmd_across_vma(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_access_result res;
	uint8_t b = 1;
	uint64_t base = BASE & PMD_MASK;

	(void)state;
	assert_non_null(mm);
	assert_true(do_mmap(mm, base, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
			    NULL, NULL, 0, NULL) == (int64_t)base);
	assert_int_equal(do_madvise(mm, base, PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(fl_access(mm, base, true, &b, 1, &res), 0);
	assert_check_passes(mm);
	mm->vmas[0]->vm_end -= PAGE_SIZE;	/* shrink the VMA behind the PMD's back */
	assert_check_fails(mm, "huge PMD across a VMA boundary");
	mm->vmas[0]->vm_end += PAGE_SIZE;
	test_mmput(mm);
}

/* A model-reported bug (fl_report_bug) always fails the check. */
static void test_reported_bug_fails(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);

	(void)state;
	fl_report_bug("Bad page map", "injected by the test");
	assert_check_fails(mm, "Bad page map");
	fl_bug_reset();
	test_mmput(mm);
}

/* The final check: a folio nobody freed. */
static void test_final_catches_leaked_folio(void **state)
{
	struct folio *folio = folio_alloc(0, 0);
	char *report = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_non_null(folio);
	f = open_memstream(&report, &len);
	assert_int_equal(fl_check_final(f), -1);
	fclose(f);
	assert_non_null(strstr(report, "leak: frames"));
	assert_non_null(strstr(report, "leak: folios"));
	free(report);
	folio_put(folio);
	assert_int_equal(fl_check_final(stderr), 0);
}

/* The final check: a page table nobody freed. */
static void test_final_catches_leaked_table(void **state)
{
	struct mm_pgtables pgt;
	struct page *table;
	char *report = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	table = pte_alloc_one(&pgt);
	assert_non_null(table);
	f = open_memstream(&report, &len);
	assert_int_equal(fl_check_final(f), -1);
	fclose(f);
	assert_non_null(strstr(report, "leak: page tables"));
	free(report);
	pte_free(&pgt, table);
	assert_int_equal(fl_check_final(stderr), 0);
}

/* check_mm() at teardown: an RSS counter left over is reported. */
static void test_teardown_reports_rss(void **state)
{
	struct page *page;
	struct mm_struct *mm = small_state(&page);

	(void)state;
	add_mm_counter(mm, MM_FILEPAGES, 3);
	test_mmput(mm);
	assert_int_equal(fl_bug_count(), 1);
	assert_non_null(strstr(fl_bug_first_message(), "Bad rss-counter state"));
	assert_non_null(strstr(fl_bug_first_message(), "MM_FILEPAGES"));
	fl_bug_reset();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, machine_up, machine_down)
/* For a test that makes the model count a bad-state event on purpose. */
#define T_EVENTS(fn) cmocka_unit_test_setup_teardown(fn, machine_up, machine_down_no_events)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_catches_mapcount),
		T(test_catches_rss),
		T(test_catches_nr_ptes),
		T(test_catches_refcount),
		T(test_catches_zero_page_bits),
		T(test_catches_stray_devmap),
		T(test_catches_double_writer),
		T(test_catches_zero_page_mapcount),
		T(test_catches_pmd_across_vma),
		T(test_reported_bug_fails),
		T(test_final_catches_leaked_folio),
		T(test_final_catches_leaked_table),
		T_EVENTS(test_teardown_reports_rss),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
