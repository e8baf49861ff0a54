// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_gup_fast.c - GUP-fast refuses what only the slow path may decide:
 * special entries (the zero folios and raw pfns, R2, R18), read-only
 * entries for a write, shared anon pages for a pin, and everything when
 * there are no special bits (V1 off).  What it does grab carries exactly
 * the references the slow path takes.  Then fl_gup(), which runs GUP-fast
 * first and the slow path for the rest, as get_user_pages_fast() and
 * pin_user_pages_fast() do: the GUP_FAST and GUP_SLOW events say which
 * path took which page, including gup_fast_folio_allowed()'s refusals
 * (Linux 6.18: a writable long-term pin of a file folio other than shmem,
 * and a small folio without a mapping, which might be secretmem).
 */
#include <errno.h>

#include "core_test.h"
#include "fs/pagecache.h"
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

/* Four private anon pages at X: two written, the zero page, one untouched. */
static void map_two_anon_one_zero(struct mm_struct *mm)
{
	assert_int_equal(do_mmap(mm, X, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 (int64_t)X);
	access1(mm, X, true);
	access1(mm, X + PAGE_SIZE, true);
	access1(mm, X + 2 * PAGE_SIZE, false);		/* the zero page */
}

/* Stops at the zero page (special); refs +1 per page grabbed. */
static void test_stops_at_special(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct folio *folios[4];
	long n;

	(void)state;
	map_two_anon_one_zero(mm);
	n = gup_fast(mm, X, 4, FOLL_GET, folios);
	assert_int_equal(n, 2);
	assert_int_equal(folio_ref_count(folios[0]), 2);
	put_all(folios, n, false);
	/* pin of exclusive anon pages: the pin bias */
	n = gup_fast(mm, X, 2, FOLL_WRITE | FOLL_PIN | FOLL_LONGTERM, folios);
	assert_int_equal(n, 2);
	assert_int_equal(folio_ref_count(folios[1]), 1 + GUP_PIN_COUNTING_BIAS);
	put_all(folios, n, true);
	/* V1 off: GUP-fast does not exist, everything goes the slow way */
	machine.cfg.pte_special = false;
	assert_int_equal(gup_fast(mm, X, 2, FOLL_GET, folios), 0);
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
	assert_int_equal(gup_fast(mm, X, 1, FOLL_WRITE | FOLL_GET, folios), 0);
	assert_int_equal(gup_fast(mm, X, 1, FOLL_PIN | FOLL_LONGTERM, folios), 0);
	assert_int_equal(gup_fast(mm, X, 1, FOLL_GET, folios), 1);
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
	n = gup_fast(mm, X + PAGE_SIZE, HPAGE_PMD_NR, FOLL_GET, folios);
	assert_int_equal(n, HPAGE_PMD_NR - 1);		/* up to the end of the PMD */
	assert_int_equal(folio_ref_count(folios[0]), HPAGE_PMD_NR);
	put_all(folios, n, false);
	assert_int_equal(fl_driver_mmap(mm, X + 2 * PMD_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_FIXED, false, machine.io_base_pfn),
			 (int64_t)(X + 2 * PMD_SIZE));
	access1(mm, X + 2 * PMD_SIZE, false);
	assert_int_equal(gup_fast(mm, X + 2 * PMD_SIZE, 1, FOLL_GET, folios), 0);
	assert_invariants(mm);
	test_mmput(mm);
}

/* What each GUP path took during @g's creation. */
struct paths {
	long fast, slow, faults;
};

static struct paths paths_now(struct mm_struct *mm)
{
	return (struct paths){ vm_event(GUP_FAST), vm_event(GUP_SLOW), mm->min_flt + mm->maj_flt };
}

static void assert_paths(struct mm_struct *mm, struct paths before, long fast, long slow,
			 long faults)
{
	struct paths now = paths_now(mm);

	assert_int_equal(now.fast - before.fast, fast);
	assert_int_equal(now.slow - before.slow, slow);
	assert_int_equal(now.faults - before.faults, faults);
}

/*
 * Anonymous memory: present pages go the fast way, the missing tail the
 * slow way (one fault each); the zero page is refused by GUP-fast and then
 * not grabbed at all; a pin of a page shared with a child goes slow
 * (gup_must_unshare()), where the unshare fault makes it exclusive.
 */
static void test_fl_gup_paths_anon(void **state)
{
	struct mm_struct *mm = test_mm_alloc(), *child;
	struct paths p;
	struct fl_gup *g;
	int err;

	(void)state;
	map_two_anon_one_zero(mm);
	p = paths_now(mm);
	g = fl_gup(mm, X, 4 * PAGE_SIZE, false, false, &err);
	assert_non_null(g);
	/* 2 fast; the zero page skipped; the missing page faulted in, as the zero page */
	assert_int_equal(g->nr, 2);
	assert_paths(mm, p, 2, 0, 1);
	assert_int_equal(folio_ref_count(g->folios[0]), 2);
	fl_gup_release(g);
	/* a write pin: 2 fast; the zero pages are read-only: 2 slow, one CoW fault each */
	p = paths_now(mm);
	g = fl_gup(mm, X, 4 * PAGE_SIZE, true, true, &err);
	assert_non_null(g);
	assert_paths(mm, p, 2, 2, 2);
	fl_gup_release(g);
	/* all present, writable and exclusive now: nothing leaves the fast path */
	p = paths_now(mm);
	g = fl_gup(mm, X, 4 * PAGE_SIZE, true, true, &err);
	assert_non_null(g);
	assert_paths(mm, p, 4, 0, 0);
	assert_int_equal(folio_ref_count(g->folios[3]), 1 + GUP_PIN_COUNTING_BIAS);
	fl_gup_release(g);
	/* shared with a child: the fast path refuses, the slow path unshares */
	child = test_dup_mm(mm);
	p = paths_now(mm);
	g = fl_gup(mm, X, PAGE_SIZE, true, true, &err);
	assert_non_null(g);
	assert_paths(mm, p, 0, 1, 1);
	assert_true(PageAnonExclusive(&g->folios[0]->page));
	fl_gup_release(g);
	assert_invariants(mm, child);
	test_mmput(child);
	test_mmput(mm);
}

/* A shared file mapping of @kind, every page cached, each page read once. */
static struct fl_file *mapped_file(struct mm_struct *mm, enum fl_file_kind kind, int pages)
{
	struct fl_file *f = fl_file_create(kind, (uint64_t)pages * PAGE_SIZE);
	const struct vm_operations_struct *ops = kind == FL_FILE_TMPFS ? &tmpfs_file_vm_ops :
						 &filemap_vm_ops;

	assert_non_null(f);
	assert_int_equal(do_mmap(mm, X, (uint64_t)pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, ops, f, 0, NULL), (int64_t)X);
	for (int i = 0; i < pages; i++)
		access1(mm, X + (uint64_t)i * PAGE_SIZE, true);
	return f;
}

/*
 * gup_fast_folio_allowed() on page-cache folios: a reference (FOLL_GET)
 * is harmless and goes fast; a writable long-term pin of an ext4-like file
 * is refused by the fast path and then by the slow one
 * (writable_file_mapping_allowed(): -EFAULT); of a tmpfs file (shmem) it
 * goes fast.
 */
static void test_fl_gup_paths_file(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_file *f = mapped_file(mm, FL_FILE_PAGECACHE, 2);
	struct paths p = paths_now(mm);
	struct fl_gup *g;
	int err;

	(void)state;
	g = fl_gup(mm, X, 2 * PAGE_SIZE, true, false, &err);
	assert_non_null(g);
	assert_paths(mm, p, 2, 0, 0);
	fl_gup_release(g);
	p = paths_now(mm);
	assert_null(fl_gup(mm, X, 2 * PAGE_SIZE, true, true, &err));
	assert_int_equal(err, -EFAULT);
	assert_paths(mm, p, 0, 0, 0);
	test_mmput(mm);
	fl_file_put(f);

	mm = test_mm_alloc();
	f = mapped_file(mm, FL_FILE_TMPFS, 2);
	p = paths_now(mm);
	g = fl_gup(mm, X, 2 * PAGE_SIZE, true, true, &err);
	assert_non_null(g);
	assert_paths(mm, p, 2, 0, 0);
	assert_true(folio_maybe_dma_pinned(g->folios[0]));
	fl_gup_release(g);
	assert_invariants(mm);
	test_mmput(mm);
	fl_file_put(f);
}

/*
 * A small folio with no mapping (a driver's page in a mixed map, inserted
 * with vmf_insert_page_mkwrite()) might be secretmem as far as GUP-fast can
 * tell: it goes slow, which knows the VMA and grabs it.  The mixed map's
 * raw device pfns (special) go slow too, and the slow path refuses them.
 */
static void test_fl_gup_paths_mixed(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct paths p;
	struct fl_gup *g;
	int err;

	(void)state;
	assert_int_equal(fl_driver_mmap(mm, X, PAGE_SIZE, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_FIXED, false, 16),
			 (int64_t)X);
	access1(mm, X, false);
	p = paths_now(mm);
	g = fl_gup(mm, X, PAGE_SIZE, false, false, &err);
	assert_non_null(g);
	assert_null(g->folios[0]->page.mapping);
	assert_paths(mm, p, 0, 1, 0);
	fl_gup_release(g);
	assert_int_equal(fl_driver_mmap(mm, X + PMD_SIZE, PAGE_SIZE, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_FIXED, false, machine.io_base_pfn),
			 (int64_t)(X + PMD_SIZE));
	access1(mm, X + PMD_SIZE, false);
	p = paths_now(mm);
	assert_null(fl_gup(mm, X + PMD_SIZE, PAGE_SIZE, false, false, &err));
	assert_int_equal(err, -EFAULT);
	assert_paths(mm, p, 0, 0, 0);
	assert_invariants(mm);
	test_mmput(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stops_at_special),
		cmocka_unit_test(test_refuses_cow_and_shared),
		cmocka_unit_test(test_thp_and_pfnmap),
		cmocka_unit_test(test_fl_gup_paths_anon),
		cmocka_unit_test(test_fl_gup_paths_file),
		cmocka_unit_test(test_fl_gup_paths_mixed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
