// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_gup_fast.c - GUP-fast refuses what only the slow path may decide:
 * special entries (the zero folios and raw pfns, R2, R18), read-only
 * entries for a write, shared anon pages for a pin, and everything when
 * there are no special bits (V1 off).  What it does grab carries exactly
 * the references the slow path takes.
 */
#include "core_test.h"
#include "sync/rcu.h"

#define X	0x40000000ull

static int setup(void **state)
{
	fl_rcu_thread_online();
	return machine_up(state);
}

static int teardown(void **state)
{
	int ret = machine_down(state);

	fl_rcu_thread_offline();
	return ret;
}

static void access1(struct mm_struct *mm, uint64_t addr, bool write)
{
	struct fl_access_result res;
	uint8_t b = 7;

	assert_int_equal(fl_access(mm, addr, write, &b, 1, &res), 0);
	assert_int_equal(res.signo, 0);
}

static void put_all(struct folio **folios, long n, bool pin)
{
	for (long i = 0; i < n; i++) {
		if (pin && !folio_test_large(folios[i]))
			folio_put_refs(folios[i], GUP_PIN_COUNTING_BIAS);
		else
			folio_put(folios[i]);
	}
}

/* Stops at the zero page (special); refs +1 per page grabbed. */
static void test_stops_at_special(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct folio *folios[4];
	long n;

	(void)state;
	assert_int_equal(do_mmap(mm, X, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 (int64_t)X);
	access1(mm, X, true);
	access1(mm, X + PAGE_SIZE, true);
	access1(mm, X + 2 * PAGE_SIZE, false);		/* the zero page */
	n = gup_fast(mm, X, 4, false, false, folios);
	assert_int_equal(n, 2);
	assert_int_equal(folio_ref_count(folios[0]), 2);
	put_all(folios, n, false);
	/* pin of exclusive anon pages: the pin bias */
	n = gup_fast(mm, X, 2, true, true, folios);
	assert_int_equal(n, 2);
	assert_int_equal(folio_ref_count(folios[1]), 1 + GUP_PIN_COUNTING_BIAS);
	put_all(folios, n, true);
	/* V1 off: GUP-fast does not exist, everything goes the slow way */
	machine.cfg.pte_special = false;
	assert_int_equal(gup_fast(mm, X, 2, false, false, folios), 0);
	machine.cfg.pte_special = true;
	assert_invariants(mm);
	test_mmput(mm);
}

/* After fork: read-only for a write, and shared (not exclusive) for a pin. */
static void test_refuses_cow_and_shared(void **state)
{
	struct mm_struct *mm = test_mm_alloc(), *child;
	struct folio *folios[1];

	(void)state;
	assert_int_equal(do_mmap(mm, X, PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 (int64_t)X);
	access1(mm, X, true);
	child = test_dup_mm(mm);
	assert_int_equal(gup_fast(mm, X, 1, true, false, folios), 0);
	assert_int_equal(gup_fast(mm, X, 1, false, true, folios), 0);
	assert_int_equal(gup_fast(mm, X, 1, false, false, folios), 1);
	put_all(folios, 1, false);
	test_mmput(child);
	test_mmput(mm);
}

/* A PMD-mapped THP: one leaf, 512 references; a mixed map's raw pfns: none. */
static void test_thp_and_pfnmap(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	static struct folio *folios[HPAGE_PMD_NR];
	long n;

	(void)state;
	assert_int_equal(do_mmap(mm, X, PMD_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 (int64_t)X);
	assert_int_equal(do_madvise(mm, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	access1(mm, X, true);
	n = gup_fast(mm, X + PAGE_SIZE, HPAGE_PMD_NR, false, false, folios);
	assert_int_equal(n, HPAGE_PMD_NR - 1);		/* up to the end of the PMD */
	assert_int_equal(folio_ref_count(folios[0]), HPAGE_PMD_NR);
	put_all(folios, n, false);
	assert_int_equal(fl_driver_mmap(mm, X + 2 * PMD_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_FIXED, false, machine.io_base_pfn),
			 (int64_t)(X + 2 * PMD_SIZE));
	access1(mm, X + 2 * PMD_SIZE, false);
	assert_int_equal(gup_fast(mm, X + 2 * PMD_SIZE, 1, false, false, folios), 0);
	assert_invariants(mm);
	test_mmput(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stops_at_special),
		cmocka_unit_test(test_refuses_cow_and_shared),
		cmocka_unit_test(test_thp_and_pfnmap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
