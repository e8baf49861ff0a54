// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_file.c - the file fault path of SPEC 2e (R75 to R82), test by test:
 * T64 and T67 to T74, on page-cache files (src/fs/pagecache.c) mapped with
 * filemap_vm_ops, driven through the software MMU.
 *
 * The scenario tests (tests/scenarios/kf_s4*, kf_s5, kf_s6, kf_s8,
 * file_fa_*, spec_T66_*) show what the real kernel agrees with; these show
 * what only the model can: references, nr_ptes, young bits, the V16
 * variants, and races staged by a ->fault that plays "the other thread"
 * before finish_fault() runs.  Each test ends with the leak check of
 * machine_down(), so every reference the fault path takes must be dropped
 * or owned by a mapping.
 */
#include <errno.h>
#include <signal.h>

#include "../core/core_test.h"
#include "fs/pagecache.h"

#define P	PAGE_SIZE
#define X	((uint64_t)0x7e0000000000ull)	/* 1 GiB aligned */

static struct fl_file *file;

static int file_down(void **state)
{
	test_mmput_leftovers();
	fl_file_put(file);
	file = NULL;
	return machine_down(state);
}

/* A file of @pages pages, all cached in order-0 folios (readahead). */
static struct fl_file *cached_file(unsigned long pages)
{
	file = fl_file_create(FL_FILE_PAGECACHE, pages * P);
	assert_non_null(file);
	page_cache_ra(file, 0, pages);
	return file;
}

static void map_file(struct mm_struct *mm, uint64_t addr, uint64_t len, int flags,
		     const struct vm_operations_struct *ops, unsigned long pgoff)
{
	assert_int_equal(do_mmap(mm, addr, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, ops,
				 file, pgoff, NULL), (int64_t)addr);
}

static void rd(struct mm_struct *mm, uint64_t addr)
{
	struct fl_access_result res;
	uint8_t b;

	assert_int_equal(fl_access(mm, addr, false, &b, 1, &res), 0);
	assert_int_equal(res.signo, 0);
}

static void wr(struct mm_struct *mm, uint64_t addr)
{
	struct fl_access_result res;
	uint8_t b = 0x5a;

	assert_int_equal(fl_access(mm, addr, true, &b, 1, &res), 0);
	assert_int_equal(res.signo, 0);
}

static struct fl_leaf leaf_at(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf;

	mmap_read_lock(mm);
	fl_walk(mm, addr, &leaf);
	mmap_read_unlock(mm);
	return leaf;
}

static struct folio *cached(unsigned long index)
{
	return file->cache[index];
}

/* T64: the window 16..31, each page ref+1 and map+1, one table, V17 on: only 21 young. */
static void test_t64_basic(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	fl_cfg.old_prefault_pte = true;
	cached_file(64);
	map_file(mm, X, 64 * P, MAP_SHARED, &filemap_vm_ops, 0);
	rd(mm, X + 21 * P);
	for (unsigned long i = 0; i < 64; i++) {
		struct fl_leaf l = leaf_at(mm, X + i * P);
		bool in = i >= 16 && i < 32;

		assert_int_equal(l.level, in ? 1 : 0);
		assert_int_equal(folio_ref_count(cached(i)), in ? 2 : 1);
		assert_int_equal(folio_mapcount(cached(i)), in ? 1 : 0);
		if (in)
			assert_int_equal(pte_young(__pte(l.entry)), i == 21);
	}
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 16);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(mm->min_flt, 1);
	assert_invariants(mm);
	fl_cfg.old_prefault_pte = false;
}

/* T67: not uptodate, locked, absent and beyond-EOF pages are skipped, refs unchanged. */
static void test_t67_gaps(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	file = fl_file_create(FL_FILE_PAGECACHE, 20 * P);
	assert_non_null(file);
	page_cache_ra(file, 0, 19);		/* 19 absent */
	clear_page_flag(&cached(17)->page, PG_uptodate);
	set_page_flag(&cached(18)->page, PG_locked);
	map_file(mm, X, 64 * P, MAP_SHARED, &filemap_vm_ops, 0);
	rd(mm, X + 16 * P);
	for (unsigned long i = 16; i < 32; i++)
		assert_int_equal(leaf_at(mm, X + i * P).level, i == 16 ? 1 : 0);
	assert_int_equal(folio_ref_count(cached(17)), 1);
	assert_int_equal(folio_ref_count(cached(18)), 1);
	assert_int_equal(folio_ref_count(cached(16)), 2);
	set_page_flag(&cached(17)->page, PG_uptodate);
	clear_page_flag(&cached(18)->page, PG_locked);
	assert_invariants(mm);
}

/* T68: a PMD-sized folio at the window start is mapped by do_set_pmd(). */
static void t68(bool colour_ok, bool deposit)
{
	long tables = atomic_long_read(&machine.tables_allocated) -
		      atomic_long_read(&machine.tables_freed);
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf l;

	fl_cfg.pgtable_deposit = deposit;
	file = fl_file_create(FL_FILE_PAGECACHE, 0);
	assert_non_null(file);
	assert_int_equal(fl_file_write_call(file, 0, 4u << 20, 0x41), 0);
	assert_int_equal(folio_order(cached(0)), HPAGE_PMD_ORDER);
	map_file(mm, X, 2u << 20, MAP_SHARED, &filemap_vm_ops, colour_ok ? 0 : 1);
	rd(mm, X + 5 * P);
	l = leaf_at(mm, X + 5 * P);
	if (colour_ok) {
		assert_int_equal(l.level, 2);
		assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 512);
		assert_int_equal(folio_ref_count(cached(0)), 2);	/* cache + PMD */
		/* No PTE table installed; an unused prealloc_pte was freed. */
		assert_int_equal(mm_nr_ptes(mm), deposit ? 1 : 0);
	} else {
		/* Control: colour mismatch, FALLBACK, PTEs map the subpages 1..16. */
		assert_int_equal(l.level, 1);
		assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 16);
		assert_int_equal(mm_nr_ptes(mm), 1);
	}
	assert_invariants(mm);
	test_mmput(mm);
	assert_int_equal(atomic_long_read(&machine.tables_allocated) -
			 atomic_long_read(&machine.tables_freed), tables);
	fl_cfg.pgtable_deposit = false;
}

static void test_t68_pmd(void **state)
{
	(void)state;
	t68(true, false);
}

static void test_t68_pmd_deposit(void **state)
{
	(void)state;
	t68(true, true);
}

static void test_t68_colour_mismatch(void **state)
{
	(void)state;
	t68(false, false);
}

/* A write to the read-only file PMD: zapped, then re-mapped writable (write-notify). */
static void test_pmd_write_notify(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf l;

	(void)state;
	file = fl_file_create(FL_FILE_PAGECACHE, 0);
	assert_non_null(file);
	assert_int_equal(fl_file_write_call(file, 0, 2u << 20, 0x41), 0);
	fl_file_fsync(file);
	map_file(mm, X, 2u << 20, MAP_SHARED, &filemap_vm_ops, 0);
	rd(mm, X);
	assert_false(pmd_write(__pmd(leaf_at(mm, X).entry)));
	wr(mm, X + 7 * P);
	l = leaf_at(mm, X + 7 * P);
	assert_int_equal(l.level, 2);
	assert_true(pmd_write(__pmd(l.entry)));
	assert_true(folio_test_dirty(cached(0)));
	assert_int_equal(mm->min_flt, 2);
	assert_invariants(mm);
}

/* T69: an occupied PTE during map_pages; the reference balance per V16. */
static void t69(int impl, int expect_ref)
{
	struct mm_struct *mm = test_mm_alloc();

	fl_cfg.fault_around_impl = impl;
	cached_file(64);
	map_file(mm, X, 64 * P, MAP_SHARED, &filemap_vm_ops, 0);
	fl_cfg.fault_around_bytes = P;		/* map page 24 alone first */
	rd(mm, X + 24 * P);
	fl_cfg.fault_around_bytes = 65536;
	assert_int_equal(folio_ref_count(cached(24)), 2);	/* cache + mapping */
	rd(mm, X + 21 * P);
	assert_int_equal(folio_ref_count(cached(24)), expect_ref);
	assert_int_equal(folio_ref_count(cached(23)), 2);
	if (expect_ref > 2)
		folio_put(cached(24));		/* undo the draft's leak for teardown */
	fl_cfg.fault_around_impl = FL_FAULT_AROUND_MAP_SET_PTE_FIXED;
	assert_invariants(mm);
}

static void test_t69_fixed(void **state)
{
	(void)state;
	t69(FL_FAULT_AROUND_MAP_SET_PTE_FIXED, 2);
}

static void test_t69_alloc_set_pte(void **state)
{
	(void)state;
	t69(FL_FAULT_AROUND_ALLOC_SET_PTE, 2);
}

static void test_t69_draft_leaks(void **state)
{
	(void)state;
	t69(FL_FAULT_AROUND_MAP_SET_PTE, 3);	/* the S003 draft: ref +1, a defect */
}

/* ---- races staged inside ->fault: "another thread" acts before finish_fault() ---- */

static enum { RACE_PTE, RACE_HUGE, RACE_HUGE_THEN_ZAP } race;

/* The other thread maps the faulting page itself (T71). */
static void race_map_pte(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);
	spinlock_t *ptl;
	pte_t *pte;

	assert_int_equal(pte_alloc(vmf->vma->vm_mm, vmf->pmd), 0);
	pte = pte_offset_map_lock(vmf->pmd, vmf->address, &ptl);
	folio_get(folio);
	folio_add_file_rmap_pte(folio, vmf->page);
	inc_mm_counter(vmf->vma->vm_mm, MM_FILEPAGES);
	set_pte(pte, pfn_pte(page_to_pfn(vmf->page), vmf->vma->vm_page_prot));
	pte_unmap_unlock(pte, ptl);
}

static vm_fault_t racing_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = filemap_vm_ops.fault(vmf);
	struct folio *folio;

	if (ret)
		return ret;
	folio = page_folio(vmf->page);
	if (race == RACE_PTE) {
		race_map_pte(vmf);
		return 0;
	}
	/* Thread A maps the PMD-sized folio with a huge PMD (T70)... */
	folio_get(folio);
	assert_int_equal(do_set_pmd(vmf, folio), 0);
	if (race == RACE_HUGE_THEN_ZAP) {
		/* ...and thread B's MADV_DONTNEED makes the PMD none again (T74). */
		spinlock_t *ptl = pmd_lock(vmf->pmd);

		assert_true(zap_huge_pmd(vmf->vma, vmf->pmd, vmf->address));
		spin_unlock(ptl);
	}
	return 0;
}

static struct vm_operations_struct racing_ops;

static void race_setup(struct mm_struct *mm, bool pmd_folio)
{
	racing_ops = filemap_vm_ops;
	racing_ops.fault = racing_fault;
	racing_ops.map_pages = NULL;		/* straight to ->fault */
	file = fl_file_create(FL_FILE_PAGECACHE, 0);
	assert_non_null(file);
	if (pmd_folio)
		assert_int_equal(fl_file_write_call(file, 0, 2u << 20, 0x41), 0);
	else
		assert_int_equal(fl_file_pwrite(file, 0, 64 * P, 0x41), 0);
	map_file(mm, X, 2u << 20, MAP_SHARED, &racing_ops, 0);
}

/* T71: finish_fault() finds the PTE occupied: NOPAGE, and G's net ref is 0 (V16 fixed). */
static void test_t71_occupied(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	long before;

	(void)state;
	race = RACE_PTE;
	race_setup(mm, false);
	before = folio_ref_count(cached(3));
	rd(mm, X + 3 * P);
	assert_int_equal(folio_ref_count(cached(3)), before + 1);	/* the other thread's map */
	assert_int_equal(folio_mapcount(cached(3)), 1);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 1);
	assert_invariants(mm);
}

/* T71 under the S003 draft: finish_fault() returns 0 on the occupied PTE and G leaks. */
static void test_t71_draft_leaks(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	long before;

	(void)state;
	fl_cfg.fault_around_impl = FL_FAULT_AROUND_MAP_SET_PTE;
	race = RACE_PTE;
	race_setup(mm, false);
	before = folio_ref_count(cached(3));
	rd(mm, X + 3 * P);
	assert_int_equal(folio_ref_count(cached(3)), before + 2);	/* map + leak */
	folio_put(cached(3));
	fl_cfg.fault_around_impl = FL_FAULT_AROUND_MAP_SET_PTE_FIXED;
	assert_invariants(mm);
}

/* T70: a huge PMD appeared before finish_fault(): no PTE written, refs balanced. */
static void test_t70_huge_appeared(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	race = RACE_HUGE;
	race_setup(mm, true);
	rd(mm, X + 3 * P);
	assert_int_equal(leaf_at(mm, X + 3 * P).level, 2);
	assert_int_equal(folio_ref_count(cached(0)), 2);		/* cache + PMD */
	assert_int_equal(mm_nr_ptes(mm), 0);
	assert_invariants(mm);
}

/* T70 under the S003 draft (V16=map_set_pte): ret 0, the caller keeps its reference. */
static void test_t70_draft_leaks(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	fl_cfg.fault_around_impl = FL_FAULT_AROUND_MAP_SET_PTE;
	race = RACE_HUGE;
	race_setup(mm, true);
	rd(mm, X + 3 * P);
	assert_int_equal(folio_ref_count(cached(0)), 3);		/* +1: the leak */
	folio_put(cached(0));
	fl_cfg.fault_around_impl = FL_FAULT_AROUND_MAP_SET_PTE_FIXED;
	assert_invariants(mm);
}

/* T74: the PMD went huge, then none (DONTNEED): finish_fault() maps it again, no leak. */
static void test_t74_huge_then_none(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	race = RACE_HUGE_THEN_ZAP;
	race_setup(mm, true);
	rd(mm, X + 3 * P);
	assert_int_equal(leaf_at(mm, X + 3 * P).level, 2);
	assert_int_equal(folio_ref_count(cached(0)), 2);
	assert_invariants(mm);
}

/* T72: a write fault on a private file VMA maps the CoW copy: anon rmap, W+D, anon +1. */
static void test_t72_cow(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf l;
	struct folio *copy;

	(void)state;
	cached_file(64);
	map_file(mm, X, 64 * P, MAP_PRIVATE, &filemap_vm_ops, 0);
	wr(mm, X + 9 * P);
	l = leaf_at(mm, X + 9 * P);
	assert_int_equal(l.level, 1);
	assert_true(pte_write(__pte(l.entry)) && pte_dirty(__pte(l.entry)));
	copy = page_folio(pfn_to_page(l.pfn));
	assert_true(folio_test_anon(copy));
	assert_true(PageAnonExclusive(&copy->page));
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 0);
	assert_int_equal(folio_ref_count(cached(9)), 1);	/* the file page is untouched */
	assert_int_equal(leaf_at(mm, X + 8 * P).level, 0);	/* no fault-around on writes */
	assert_invariants(mm);
}

/* T72: with the mm unstable (OOM-reaped), a private fault is SIGBUS with no PTE; shared is not checked. */
static void test_t72_unstable(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_access_result res;
	uint8_t b = 1;

	(void)state;
	cached_file(64);
	map_file(mm, X, 64 * P, MAP_PRIVATE, &filemap_vm_ops, 0);
	map_file(mm, X + (4u << 20), 64 * P, MAP_SHARED, &filemap_vm_ops, 0);
	mm->flags |= 1ul << MMF_UNSTABLE;
	assert_int_equal(fl_access(mm, X + 9 * P, true, &b, 1, &res), 0);
	assert_int_equal(res.signo, SIGBUS);
	assert_int_equal(leaf_at(mm, X + 9 * P).level, 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	fl_cfg.fault_around_bytes = P;		/* make the read reach finish_fault() */
	assert_int_equal(fl_access(mm, X + (4u << 20) + 9 * P, true, &b, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	fl_cfg.fault_around_bytes = 65536;
	assert_int_equal(folio_ref_count(cached(9)), 2);	/* cache + the shared PTE */
	mm->flags &= ~(1ul << MMF_UNSTABLE);
	assert_invariants(mm);
}

/* T73: map_pages with the PMD none and no prealloc_pte: a contract failure, no NULL table. */
static void test_t73_no_prealloc(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma;
	struct vm_fault vmf = { 0 };
	uint64_t addr = X + (2u << 20) + 3 * P;

	(void)state;
	cached_file(1024);
	map_file(mm, X, 4u << 20, MAP_SHARED, &filemap_vm_ops, 0);
	rd(mm, X);				/* builds the PUD and PMD tables */
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	vmf.vma = vma;
	vmf.address = vmf.real_address = addr;
	vmf.pgoff = linear_page_index(vma, addr);
	vmf.pmd = pmd_offset(pud_offset(pgd_offset(&mm->pgt, addr), addr), addr);
	assert_true(pmd_none(pmdp_get(vmf.pmd)));
	assert_int_equal(filemap_vm_ops.map_pages(&vmf, vmf.pgoff, vmf.pgoff + 4), 0);
	assert_true(pmd_none(pmdp_get(vmf.pmd)));
	mmap_read_unlock(mm);
	assert_int_equal(fl_bug_count(), 1);
	fl_bug_reset();
	assert_invariants(mm);
}

/* Truncate: pages past EOF are unmapped, the EOF page is zeroed past EOF and dirty. */
static void test_truncate(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct mm_struct *mms[] = { mm };
	struct fl_access_result res;
	uint8_t b = 0xee;

	(void)state;
	file = fl_file_create(FL_FILE_PAGECACHE, 0);
	assert_non_null(file);
	for (int i = 0; i < 16; i++)
		assert_int_equal(fl_file_pwrite(file, (uint64_t)i * P, P, 0x41), 0);
	fl_file_fsync(file);
	map_file(mm, X, 32 * P, MAP_SHARED, &filemap_vm_ops, 0);
	rd(mm, X);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 16);
	assert_int_equal(fl_truncate(mms, 1, file, 4 * P + 100), 0);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 5);
	assert_null(cached(5));
	assert_true(folio_test_dirty(cached(4)));
	assert_int_equal(fl_access(mm, X + 4 * P + 200, false, &b, 1, &res), 0);
	assert_int_equal(b, 0);
	assert_int_equal(fl_access(mm, X + 5 * P, false, &b, 1, &res), 0);
	assert_int_equal(res.signo, SIGBUS);
	assert_invariants(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_t64_basic, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t67_gaps, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t68_pmd, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t68_pmd_deposit, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t68_colour_mismatch, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_pmd_write_notify, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t69_fixed, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t69_alloc_set_pte, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t69_draft_leaks, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t70_huge_appeared, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t70_draft_leaks, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t71_occupied, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t71_draft_leaks, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t72_cow, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t72_unstable, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t73_no_prealloc, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_t74_huge_then_none, machine_up, file_down),
		cmocka_unit_test_setup_teardown(test_truncate, machine_up, file_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
