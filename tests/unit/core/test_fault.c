// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_fault.c - the anonymous fault path, driven the way a program drives
 * it: loads and stores through the software MMU, fl_access() (src/mm/mmu.c),
 * which walks the tables, faults on a miss and retries.
 *
 * Each test follows one of the measured scenarios of KERNEL-FACTS.md step
 * by step and asserts, after every step, what the real kernel showed there
 * plus the state the model exposes beyond it (refcounts, nr_ptes, deposits,
 * SPEC.md section 6): which entry maps the page (fl_walk()), its bits, the
 * folio's counters, the mm's RSS counters and fault counters, the vmstat
 * events, and that fl_check_invariants() finds nothing wrong.  Tests end
 * with mmput(), shrink_huge_zero_folio() and fl_check_final().
 *
 *  - reads of untouched anonymous memory map the shared zero page with a
 *    special PTE (V1 on) or a plain one (V1 off), writes allocate an
 *    exclusive folio (s1);
 *  - SIGSEGV: SEGV_MAPERR outside any VMA, SEGV_ACCERR for an access the
 *    VMA does not allow, neither counted as a fault; mprotect/DONTNEED/
 *    munmap as in s7;
 *  - THP (s2, R39, R40): a read maps the huge zero folio with a special
 *    PMD and a deposited table counted in nr_ptes, a write replaces it with
 *    a THP without splitting, DONTNEED of one page splits the PMD;
 *  - fork (s3, s9c): shared pages are copied by whoever writes first while
 *    the other still maps them, and reused by the last one left (also a
 *    THP, also one that spans two VMAs); pinned pages are copied at fork;
 *    a fork that runs out of memory leaves the parent as it was;
 *  - MAP_POPULATE and MADV_POPULATE_*: faults through GUP, counted;
 *  - fault injection: a failed folio or table allocation makes fl_access()
 *    return -ENOMEM and leaves nothing behind; a failed THP allocation
 *    falls back to small pages.
 *
 * Tests marked "Regression" guard a place where the model once differed
 * from Linux.
 */
#include <errno.h>
#include <signal.h>

#include "core_test.h"

#define P	PAGE_SIZE
#define X	((uint64_t)0x7e0000000000ull)	/* 1 GiB aligned */
#define RW	(PROT_READ | PROT_WRITE)

static int fault_setup_no_pte_special(void **state)
{
	struct fl_config cfg;

	(void)state;
	test_config(&cfg);
	cfg.pte_special = false;		/* V1 off */
	return machine_up_with(&cfg);
}

static int fault_setup_no_huge_zero_special(void **state)
{
	struct fl_config cfg;

	(void)state;
	test_config(&cfg);
	cfg.huge_zero_pmd_special = false;	/* V3 off */
	return machine_up_with(&cfg);
}

static void map_anon(struct mm_struct *mm, uint64_t addr, uint64_t len, int prot)
{
	assert_int_equal(do_mmap(mm, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 NULL, NULL, 0, NULL), (int64_t)addr);
}

static uint8_t rd(struct mm_struct *mm, uint64_t addr)
{
	struct fl_access_result res;
	uint8_t b = 0xee;

	assert_int_equal(fl_access(mm, addr, false, &b, 1, &res), 0);
	if (res.signo)
		fail_msg("read at %#llx: signal %d code %d", (unsigned long long)addr,
			 res.signo, res.si_code);
	return b;
}

static void wr(struct mm_struct *mm, uint64_t addr, uint8_t v)
{
	struct fl_access_result res;

	assert_int_equal(fl_access(mm, addr, true, &v, 1, &res), 0);
	if (res.signo)
		fail_msg("write at %#llx: signal %d code %d", (unsigned long long)addr,
			 res.signo, res.si_code);
}

/* An access that must raise SIGSEGV with @code at @addr. */
static void segv(struct mm_struct *mm, uint64_t addr, bool write, int code)
{
	struct fl_access_result res;
	uint8_t b = 0;

	assert_int_equal(fl_access(mm, addr, write, &b, 1, &res), 0);
	assert_int_equal(res.signo, SIGSEGV);
	assert_int_equal(res.si_code, code);
	assert_int_equal(res.addr, addr);
}

static struct fl_leaf leaf_at(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf;

	mmap_read_lock(mm);
	fl_walk(mm, addr, &leaf);
	mmap_read_unlock(mm);
	return leaf;
}

static struct folio *folio_at(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf = leaf_at(mm, addr);

	assert_int_not_equal(leaf.level, 0);
	return page_folio(pfn_to_page(leaf.pfn));
}

static long live_tables(void)
{
	return atomic_long_read(&machine.tables_allocated) - atomic_long_read(&machine.tables_freed);
}

/* Everything gone: the mms, the huge zero folio, every frame and table. */
static void assert_all_freed(void)
{
	shrink_huge_zero_folio();
	assert_null(machine.huge_zero_folio);
	assert_int_equal(fl_check_final(stderr), 0);
}

/* ------------------------------------------------------------------ */
/* s1: zero page on read, anonymous folio on write                     */
/* ------------------------------------------------------------------ */

/*
 * 16 untouched pages.  A read maps the shared zero page: a special,
 * read-only PTE; no folio, no anon_vma, no RSS (R39: the zero page is
 * never refcounted or mapcounted).  Reading again costs nothing.
 */
static void test_read_maps_zero_page_special(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct page *zero = pfn_to_page(machine.zero_pfn);
	struct vm_area_struct *vma;
	struct fl_leaf leaf;

	(void)state;
	map_anon(mm, X, 16 * P, RW);
	vma = vma_lookup(mm, X);

	assert_int_equal(rd(mm, X + 100), 0);
	assert_int_equal(mm->min_flt, 1);
	assert_int_equal(vm_event(PGFAULT), 1);
	leaf = leaf_at(mm, X);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, machine.zero_pfn);
	assert_true(pte_special(__pte(leaf.entry)));
	assert_false(pte_write(__pte(leaf.entry)));
	assert_true(pte_young(__pte(leaf.entry)));	/* the MMU set A on the retry */
	assert_null(vm_normal_page(vma, X, __pte(leaf.entry)));
	assert_null(vma->anon_vma);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(atomic_long_read(&machine.folios_allocated), 0);
	assert_int_equal(atomic_read(&zero->_refcount), 1);
	assert_int_equal(atomic_read(&zero->_mapcount), -1);
	assert_invariants(mm);

	assert_int_equal(rd(mm, X + 200), 0);
	assert_int_equal(mm->min_flt, 1);

	for (int i = 1; i < 16; i++)
		assert_int_equal(rd(mm, X + (uint64_t)i * P), 0);
	assert_int_equal(mm->min_flt, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(leaf_at(mm, X + (uint64_t)i * P).pfn, machine.zero_pfn);
	assert_int_equal(atomic_read(&zero->_mapcount), -1);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/* V1 off (no pte_special): the same zero-page PTE without the special bit. */
static void test_read_maps_zero_page_not_special(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;

	(void)state;
	assert_false(fl_cfg.pte_special);
	map_anon(mm, X, 16 * P, RW);
	assert_int_equal(rd(mm, X), 0);
	leaf = leaf_at(mm, X);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, machine.zero_pfn);
	assert_false(pte_special(__pte(leaf.entry)));
	assert_false(pte_write(__pte(leaf.entry)));
	/* vm_normal_page() still refuses it: by pfn, not by bit. */
	assert_null(vm_normal_page(vma_lookup(mm, X), X, __pte(leaf.entry)));
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_invariants(mm);

	/* And a write still copies it into an anonymous folio. */
	wr(mm, X, 1);
	leaf = leaf_at(mm, X);
	assert_int_not_equal(leaf.pfn, machine.zero_pfn);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/*
 * A write to an untouched page allocates a zeroed order-0 folio, maps it
 * writable, dirty and young, and marks it AnonExclusive.  The folio itself
 * is not PG_dirty: the dirty bit lives in the PTE (KERNEL-FACTS s1).
 */
static void test_write_allocates_anon_page(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;
	struct folio *f;
	pte_t pte;

	(void)state;
	map_anon(mm, X, 16 * P, RW);
	wr(mm, X + 5 * P + 100, 0x5a);
	assert_int_equal(mm->min_flt, 1);
	leaf = leaf_at(mm, X + 5 * P);
	pte = __pte(leaf.entry);
	assert_int_equal(leaf.level, 1);
	assert_int_not_equal(leaf.pfn, machine.zero_pfn);
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	assert_true(pte_young(pte));
	assert_false(pte_special(pte));

	f = folio_at(mm, X + 5 * P);
	assert_false(folio_test_large(f));
	assert_true(folio_test_anon(f));
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(folio_mapcount(f), 1);
	assert_true(PageAnonExclusive(&f->page));
	assert_false(folio_test_dirty(f));
	assert_int_equal(f->page.index, (X + 5 * P) >> PAGE_SHIFT);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_non_null(vma_lookup(mm, X)->anon_vma);

	/* The bytes: ours at offset 100, zero everywhere else. */
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(((uint8_t *)page_address(&f->page))[i], i == 100 ? 0x5a : 0);
	assert_int_equal(rd(mm, X + 5 * P + 100), 0x5a);
	assert_int_equal(mm->min_flt, 1);		/* already mapped */
	assert_invariants(mm);

	/* Another page: another fault, another folio. */
	wr(mm, X + 6 * P, 1);
	assert_int_equal(mm->min_flt, 2);
	assert_ptr_not_equal(folio_at(mm, X + 6 * P), f);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 2);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/* A write to a page that maps the zero page: one fault, a zeroed copy. */
static void test_write_after_read_replaces_zero_page(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;

	(void)state;
	map_anon(mm, X, 4 * P, RW);
	assert_int_equal(rd(mm, X + P), 0);
	wr(mm, X + P + 8, 0x11);
	assert_int_equal(mm->min_flt, 2);
	leaf = leaf_at(mm, X + P);
	assert_int_not_equal(leaf.pfn, machine.zero_pfn);
	assert_true(pte_write(__pte(leaf.entry)));
	assert_true(PageAnonExclusive(pfn_to_page(leaf.pfn)));
	assert_int_equal(folio_mapcount(folio_at(mm, X + P)), 1);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_int_equal(rd(mm, X + P), 0);
	assert_int_equal(rd(mm, X + P + 8), 0x11);
	/* The zero page itself is untouched. */
	assert_int_equal(((uint8_t *)pfn_to_virt(machine.zero_pfn))[8], 0);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/* ------------------------------------------------------------------ */
/* SIGSEGV                                                             */
/* ------------------------------------------------------------------ */

/*
 *   [X-P: nothing] [X, X+4P) RW [X+4P, X+8P) R [X+8P, X+12P) NONE [X+12P: nothing]
 *
 * Outside any VMA: SEGV_MAPERR.  A write to the R part, any access to the
 * NONE part: SEGV_ACCERR.  None of them is a fault (min_flt and pgfault
 * stay), and none maps anything.
 */
static void test_sigsegv(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_access_result res;
	uint8_t buf[2] = { 0 };

	(void)state;
	map_anon(mm, X, 4 * P, RW);
	map_anon(mm, X + 4 * P, 4 * P, PROT_READ);
	map_anon(mm, X + 8 * P, 4 * P, PROT_NONE);

	segv(mm, X - 1, false, SEGV_MAPERR);
	segv(mm, X - P, true, SEGV_MAPERR);
	segv(mm, X + 12 * P, false, SEGV_MAPERR);
	segv(mm, 0x1000, false, SEGV_MAPERR);
	segv(mm, X + 4 * P + 7, true, SEGV_ACCERR);
	segv(mm, X + 8 * P, false, SEGV_ACCERR);
	segv(mm, X + 8 * P, true, SEGV_ACCERR);
	assert_int_equal(mm->min_flt, 0);
	assert_int_equal(mm->maj_flt, 0);
	assert_int_equal(vm_event(PGFAULT), 0);
	assert_int_equal(leaf_at(mm, X + 4 * P).level, 0);
	assert_int_equal(leaf_at(mm, X + 8 * P).level, 0);
	assert_int_equal(mm_nr_ptes(mm), 0);

	/* A read of the R part works (zero page); a write after it still does not. */
	assert_int_equal(rd(mm, X + 4 * P), 0);
	assert_int_equal(mm->min_flt, 1);
	segv(mm, X + 4 * P, true, SEGV_ACCERR);
	assert_int_equal(mm->min_flt, 1);
	assert_int_equal(leaf_at(mm, X + 4 * P).pfn, machine.zero_pfn);
	assert_invariants(mm);

	/* Not an access the MMU can make at all: across a page, or above TASK_SIZE. */
	assert_int_equal(fl_access(mm, X + P - 1, false, buf, 2, &res), -EINVAL);
	assert_int_equal(fl_access(mm, TASK_SIZE, false, buf, 1, &res), -EINVAL);
	test_mmput(mm);
	assert_all_freed();
}

/*
 * KERNEL-FACTS s7, 16 pages all written:
 *   1. DONTNEED p4..7          PTEs cleared, RSS -4, no fault, table kept
 *   2. read p4, write p5       zero page, new folio (1 fault each)
 *   3. mprotect R p8..11       3 VMAs; write p8: SEGV_ACCERR, 0 faults; read p9: 0 faults
 *   4. mprotect NONE p12..15   3 VMAs (RW|R|NONE); read p12: SEGV_ACCERR; PTEs stay present
 *   5. mprotect RW p8..15      1 VMA; writes to p8 and p12 cost 0 faults, p4 (zero) 1
 *   6. munmap p14..15          read p14: SEGV_MAPERR
 *   7. DONTNEED everything     RSS 0
 */
static void test_s7_mprotect_dontneed_munmap(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	unsigned long pfn12;
	long flt;

	(void)state;
	map_anon(mm, X, 16 * P, RW);
	for (int i = 0; i < 16; i++)
		wr(mm, X + (uint64_t)i * P, (uint8_t)(0x40 + i));
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 16);
	flt = mm->min_flt;

	/* 1 */
	assert_int_equal(do_madvise(mm, X + 4 * P, 4 * P, MADV_DONTNEED), 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 12);
	for (int i = 4; i < 8; i++)
		assert_int_equal(leaf_at(mm, X + (uint64_t)i * P).level, 0);
	assert_int_equal(mm->min_flt, flt);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_invariants(mm);

	/* 2 */
	assert_int_equal(rd(mm, X + 4 * P), 0);
	assert_int_equal(leaf_at(mm, X + 4 * P).pfn, machine.zero_pfn);
	wr(mm, X + 5 * P, 0x55);
	assert_int_equal(mm->min_flt, flt + 2);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 13);
	assert_invariants(mm);
	flt = mm->min_flt;

	/* 3 */
	assert_int_equal(do_mprotect(mm, X + 8 * P, 4 * P, PROT_READ), 0);
	assert_int_equal(mm->nr_vmas, 3);
	segv(mm, X + 8 * P, true, SEGV_ACCERR);
	assert_int_equal(rd(mm, X + 9 * P), 0x49);
	assert_int_equal(mm->min_flt, flt);
	assert_invariants(mm);

	/* 4 */
	pfn12 = leaf_at(mm, X + 12 * P).pfn;
	assert_int_equal(do_mprotect(mm, X + 12 * P, 4 * P, PROT_NONE), 0);
	assert_int_equal(mm->nr_vmas, 3);		/* RW | R | NONE */
	segv(mm, X + 12 * P, false, SEGV_ACCERR);
	assert_true(pte_present(__pte(leaf_at(mm, X + 12 * P).entry)));
	assert_true(pte_protnone(__pte(leaf_at(mm, X + 12 * P).entry)));
	assert_int_equal(leaf_at(mm, X + 12 * P).pfn, pfn12);
	assert_int_equal(mm->min_flt, flt);
	assert_invariants(mm);

	/* 5 */
	assert_int_equal(do_mprotect(mm, X + 8 * P, 8 * P, RW), 0);
	assert_int_equal(mm->nr_vmas, 1);
	wr(mm, X + 8 * P, 0x88);
	wr(mm, X + 12 * P, 0xcc);
	assert_int_equal(mm->min_flt, flt);		/* no fault: already writable */
	assert_int_equal(leaf_at(mm, X + 12 * P).pfn, pfn12);
	wr(mm, X + 4 * P, 0x44);
	assert_int_equal(mm->min_flt, flt + 1);
	assert_int_not_equal(leaf_at(mm, X + 4 * P).pfn, machine.zero_pfn);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 14);
	assert_invariants(mm);

	/* 6 */
	assert_int_equal(do_munmap(mm, X + 14 * P, 2 * P), 0);
	segv(mm, X + 14 * P, false, SEGV_MAPERR);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 12);
	assert_invariants(mm);

	/* 7 */
	assert_int_equal(do_madvise(mm, X, 14 * P, MADV_DONTNEED), 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_int_equal(atomic_long_read(&machine.folios_allocated),
			 atomic_long_read(&machine.folios_freed));
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/* ------------------------------------------------------------------ */
/* THP: s2, R39, R40                                                   */
/* ------------------------------------------------------------------ */

/*
 * KERNEL-FACTS s2: 4 MiB anonymous, 2 MiB aligned, MADV_HUGEPAGE.
 *
 *   step                   PMD 0 (p0..511)         PMD 1 (p512..1023)
 *   1 read p0              huge zero, special       -
 *   2 read p1              (no fault)               -
 *   3 write p3             THP A, no split          -
 *   4 write p600           THP A                    THP B
 *   5 DONTNEED p10         PTEs -> A, p10 none      THP B
 *   6 read p10             p10 -> 4K zero page      THP B
 *   7 DONTNEED p512..1023  PTEs -> A                none (zapped whole)
 *   8 read p700            PTEs -> A                huge zero
 */
static void test_thp_s2(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct folio *hz, *a, *b;
	struct fl_leaf leaf;
	pmd_t pmd;

	(void)state;
	map_anon(mm, X, 2 * PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X, 2 * PMD_SIZE, MADV_HUGEPAGE), 0);

	/* 1: huge zero folio, special PMD, deposited table counted in nr_ptes (R40). */
	assert_int_equal(rd(mm, X), 0);
	assert_int_equal(mm->min_flt, 1);
	hz = machine.huge_zero_folio;
	assert_non_null(hz);
	leaf = leaf_at(mm, X);
	pmd = __pmd(leaf.entry);
	assert_int_equal(leaf.level, 2);
	assert_int_equal(pmd_pfn(pmd), folio_pfn(hz));
	assert_true(pmd_special(pmd));
	assert_false(pmd_write(pmd));
	assert_null(vm_normal_page_pmd(vma_lookup(mm, X), X, pmd));
	assert_int_equal(mm_nr_ptes(mm), 1);		/* the deposit, no PTE table */
	assert_int_equal(virt_to_page(leaf.entryp)->pt_deposits, 1);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 1);
	assert_int_equal(vm_event(THP_FAULT_ALLOC), 0);
	assert_true(mm->flags & (1ul << MMF_HUGE_ZERO_FOLIO));
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);	/* shrinker + mm */
	/* R39: mapping it touches neither its refcount nor its mapcounts, nor RSS. */
	assert_int_equal(folio_ref_count(hz), 1);
	assert_int_equal(folio_entire_mapcount(hz), 0);
	assert_int_equal(folio_large_mapcount(hz), 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_invariants(mm);

	/* 2 */
	assert_int_equal(rd(mm, X + P), 0);
	assert_int_equal(mm->min_flt, 1);
	assert_int_equal(leaf_at(mm, X + P).pfn, folio_pfn(hz) + 1);

	/* 3: a THP replaces the huge zero PMD; no split, the deposit stays. */
	wr(mm, X + 3 * P, 0x33);
	assert_int_equal(mm->min_flt, 2);
	assert_int_equal(vm_event(THP_FAULT_ALLOC), 1);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 0);
	leaf = leaf_at(mm, X + 3 * P);
	pmd = __pmd(leaf.entry);
	assert_int_equal(leaf.level, 2);
	assert_true(pmd_write(pmd));
	assert_true(pmd_dirty(pmd));
	assert_false(pmd_special(pmd));
	a = folio_at(mm, X);
	assert_false(is_huge_zero_folio(a));
	assert_int_equal(leaf.pfn, folio_pfn(a) + 3);
	assert_int_equal(folio_order(a), HPAGE_PMD_ORDER);
	assert_true(folio_test_anon(a));
	assert_int_equal(folio_ref_count(a), 1);
	assert_int_equal(folio_entire_mapcount(a), 1);
	assert_true(PageAnonExclusive(&a->page));
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), HPAGE_PMD_NR);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);	/* kept until exit */
	assert_int_equal(rd(mm, X + 3 * P), 0x33);
	assert_int_equal(rd(mm, X), 0);
	assert_invariants(mm);

	/* 4: the second PMD gets its own THP directly. */
	wr(mm, X + 600 * P, 0x60);
	assert_int_equal(vm_event(THP_FAULT_ALLOC), 2);
	b = folio_at(mm, X + 600 * P);
	assert_ptr_not_equal(a, b);
	assert_int_equal(leaf_at(mm, X + 600 * P).level, 2);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 2 * HPAGE_PMD_NR);
	assert_int_equal(mm_nr_ptes(mm), 2);
	assert_invariants(mm);

	/* 5: DONTNEED of one page splits the PMD; A becomes partially mapped. */
	assert_int_equal(do_madvise(mm, X + 10 * P, P, MADV_DONTNEED), 0);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(leaf_at(mm, X + 10 * P).level, 0);
	leaf = leaf_at(mm, X + 11 * P);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, folio_pfn(a) + 11);
	assert_true(pte_dirty(__pte(leaf.entry)));
	assert_true(folio_test_dirty(a));		/* the dirty bit moved to the folio */
	assert_int_equal(folio_entire_mapcount(a), 0);
	assert_int_equal(folio_precise_page_mapcount(a, folio_page(a, 11)), 1);
	assert_int_equal(folio_precise_page_mapcount(a, folio_page(a, 10)), 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 2 * HPAGE_PMD_NR - 1);
	assert_int_equal(mm_nr_ptes(mm), 2);		/* the deposit became the PTE table */
	assert_int_equal(rd(mm, X + 3 * P), 0x33);
	assert_invariants(mm);

	/* 6: PTE level now: the 4 KiB zero page. */
	assert_int_equal(rd(mm, X + 10 * P), 0);
	leaf = leaf_at(mm, X + 10 * P);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, machine.zero_pfn);
	assert_invariants(mm);

	/* 7: a whole PMD goes without a split. */
	assert_int_equal(do_madvise(mm, X + PMD_SIZE, PMD_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_int_equal(leaf_at(mm, X + 600 * P).level, 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), HPAGE_PMD_NR - 1);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_invariants(mm);

	/* 8: and a read maps the huge zero folio again; it already exists. */
	assert_int_equal(rd(mm, X + 700 * P), 0);
	leaf = leaf_at(mm, X + 700 * P);
	assert_int_equal(leaf.level, 2);
	assert_int_equal(leaf.pfn, folio_pfn(hz) + 700 - 512);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 1);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	assert_int_equal(mm_nr_ptes(mm), 2);
	assert_invariants(mm);

	test_mmput(mm);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 1);	/* the shrinker's */
	assert_all_freed();
}

/* s2b: the same without MADV_HUGEPAGE (thp=madvise): 4 KiB pages only. */
static void test_thp_needs_madvise(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	assert_int_equal(fl_cfg.thp, FL_THP_MADVISE);
	map_anon(mm, X, 2 * PMD_SIZE, RW);
	assert_int_equal(rd(mm, X), 0);
	assert_int_equal(leaf_at(mm, X).level, 1);
	assert_int_equal(leaf_at(mm, X).pfn, machine.zero_pfn);
	wr(mm, X + 600 * P, 1);
	assert_int_equal(leaf_at(mm, X + 600 * P).level, 1);
	assert_false(folio_test_large(folio_at(mm, X + 600 * P)));
	assert_int_equal(vm_event(THP_FAULT_ALLOC), 0);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 0);
	assert_null(machine.huge_zero_folio);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/*
 * V3 off: the huge zero PMD is not special.  With V1 on and V15 new the
 * special bit alone decides, so vm_normal_page_pmd() returns page(HZ0) and
 * the debug invariant fires (T10, R13: why p08 precedes p10); V15 old
 * refuses it by pfn.
 */
static void test_thp_huge_zero_pmd_not_special(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;

	(void)state;
	map_anon(mm, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(rd(mm, X), 0);
	leaf = leaf_at(mm, X);
	assert_int_equal(leaf.level, 2);
	assert_true(is_huge_zero_pfn(leaf.pfn));
	assert_false(pmd_special(__pmd(leaf.entry)));
	{
		long warn = vm_event(VM_WARN);

		assert_non_null(vm_normal_page_pmd(vma_lookup(mm, X), X, __pmd(leaf.entry)));
		assert_int_equal(vm_event(VM_WARN), warn + 1);
		machine.cfg.normal_page_impl = FL_NORMAL_PAGE_OLD;
		assert_null(vm_normal_page_pmd(vma_lookup(mm, X), X, __pmd(leaf.entry)));
		machine.cfg.normal_page_impl = FL_NORMAL_PAGE_NEW;
	}
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/*
 * mprotect of one page inside a huge zero PMD splits it into 512 PTEs of
 * the 4 KiB zero page (special with V1), using the deposited table: nr_ptes
 * stays 1, and the mm keeps its huge zero reference until it exits.
 */
static void test_thp_huge_zero_split_by_mprotect(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;

	(void)state;
	map_anon(mm, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(rd(mm, X), 0);
	assert_int_equal(leaf_at(mm, X).level, 2);

	assert_int_equal(do_mprotect(mm, X + 7 * P, P, PROT_READ), 0);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_int_equal(mm->nr_vmas, 3);
	for (int i = 0; i < (int)HPAGE_PMD_NR; i++) {
		leaf = leaf_at(mm, X + (uint64_t)i * P);
		if (leaf.level != 1 || leaf.pfn != machine.zero_pfn ||
		    !pte_special(__pte(leaf.entry)) || pte_write(__pte(leaf.entry)))
			fail_msg("p%d after the split: level %d pfn %#lx entry %#llx", i,
				 leaf.level, leaf.pfn, (unsigned long long)leaf.entry);
	}
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_invariants(mm);

	/* A write next to it copies one 4 KiB page, nothing more. */
	wr(mm, X + 8 * P, 8);
	assert_int_equal(leaf_at(mm, X + 8 * P).level, 1);
	assert_int_not_equal(leaf_at(mm, X + 8 * P).pfn, machine.zero_pfn);
	assert_int_equal(vm_event(THP_FAULT_ALLOC), 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_invariants(mm);
	test_mmput(mm);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 1);
	assert_all_freed();
}

/* ------------------------------------------------------------------ */
/* Populate: faults through GUP                                         */
/* ------------------------------------------------------------------ */

/*
 * MAP_POPULATE of a private writable mapping faults it in for write:
 * anonymous pages, not the zero page, and every fault counts in min_flt
 * (KERNEL-FACTS s9a: GUP faults are the task's faults).  MADV_POPULATE_READ
 * maps the zero page, MADV_POPULATE_WRITE then replaces it.
 */
static void test_populate(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	assert_int_equal(do_mmap(mm, X, 8 * P, RW,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE,
				 NULL, NULL, 0, NULL), (int64_t)X);
	assert_int_equal(mm->min_flt, 8);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 8);
	for (int i = 0; i < 8; i++) {
		struct fl_leaf leaf = leaf_at(mm, X + (uint64_t)i * P);

		assert_int_equal(leaf.level, 1);
		assert_int_not_equal(leaf.pfn, machine.zero_pfn);
		assert_true(pte_write(__pte(leaf.entry)));
	}
	assert_invariants(mm);

	map_anon(mm, X + 16 * P, 4 * P, RW);
	assert_int_equal(do_madvise(mm, X + 16 * P, 4 * P, MADV_POPULATE_READ), 0);
	assert_int_equal(mm->min_flt, 12);
	for (int i = 16; i < 20; i++)
		assert_int_equal(leaf_at(mm, X + (uint64_t)i * P).pfn, machine.zero_pfn);
	assert_int_equal(do_madvise(mm, X + 16 * P, 4 * P, MADV_POPULATE_WRITE), 0);
	assert_int_equal(mm->min_flt, 16);
	for (int i = 16; i < 20; i++)
		assert_int_not_equal(leaf_at(mm, X + (uint64_t)i * P).pfn, machine.zero_pfn);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 12);
	/* Populating what is already there costs nothing. */
	assert_int_equal(do_madvise(mm, X, 20 * P, MADV_POPULATE_WRITE), -ENOMEM);	/* hole */
	assert_int_equal(do_madvise(mm, X, 8 * P, MADV_POPULATE_WRITE), 0);
	assert_int_equal(mm->min_flt, 16);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/* ------------------------------------------------------------------ */
/* fork: s3                                                            */
/* ------------------------------------------------------------------ */

/*
 * KERNEL-FACTS s3: 4 pages; p0, p1 written, p2 read (zero page), p3 untouched.
 *
 *   step                 parent p0/p1          child p0/p1/p2/p3
 *   1 fork               f0 f1 shared, RO      f0 f1 zero -
 *   2 child reads p0     -                     0 faults
 *   3 child writes p0    f0 (map 1, not excl)  copy c0 (excl)
 *   4 parent writes p0   f0 reused (excl)      -
 *   5 parent writes p1   copy g1               f1 (map 1)
 *   6 child writes p1, p2; reads p3            f1 reused, new c2, zero
 *   7 child exits
 */
static void test_fork_s3(void **state)
{
	struct mm_struct *parent = test_mm_alloc(), *child;
	struct folio *f0, *f1, *c0;
	struct fl_leaf leaf;
	long pflt;

	(void)state;
	map_anon(parent, X, 4 * P, RW);
	wr(parent, X, 0xa0);
	wr(parent, X + P, 0xa1);
	assert_int_equal(rd(parent, X + 2 * P), 0);
	f0 = folio_at(parent, X);
	f1 = folio_at(parent, X + P);
	pflt = parent->min_flt;

	/* 1 */
	child = test_dup_mm(parent);
	for (int i = 0; i < 2; i++) {
		struct fl_leaf pl = leaf_at(parent, X + (uint64_t)i * P);
		struct fl_leaf cl = leaf_at(child, X + (uint64_t)i * P);
		struct folio *f = i ? f1 : f0;

		assert_int_equal(pl.pfn, cl.pfn);
		assert_false(pte_write(__pte(pl.entry)));
		assert_false(pte_write(__pte(cl.entry)));
		assert_false(pte_young(__pte(cl.entry)));	/* copied old */
		assert_int_equal(folio_mapcount(f), 2);
		assert_int_equal(folio_ref_count(f), 2);
		assert_false(PageAnonExclusive(&f->page));
	}
	leaf = leaf_at(child, X + 2 * P);
	assert_int_equal(leaf.pfn, machine.zero_pfn);
	assert_true(pte_special(__pte(leaf.entry)));
	assert_int_equal(leaf_at(child, X + 3 * P).level, 0);
	assert_int_equal(get_mm_counter(child, MM_ANONPAGES), 2);
	assert_int_equal(child->min_flt, 0);
	assert_invariants(parent, child);

	/* 2 */
	assert_int_equal(rd(child, X), 0xa0);
	assert_int_equal(child->min_flt, 0);

	/* 3 */
	wr(child, X + 1, 0xc0);
	assert_int_equal(child->min_flt, 1);
	c0 = folio_at(child, X);
	assert_ptr_not_equal(c0, f0);
	assert_true(PageAnonExclusive(&c0->page));
	assert_true(pte_write(__pte(leaf_at(child, X).entry)));
	assert_int_equal(rd(child, X), 0xa0);		/* copied */
	assert_int_equal(rd(child, X + 1), 0xc0);
	assert_int_equal(rd(parent, X + 1), 0);		/* the parent does not see it */
	assert_int_equal(folio_mapcount(f0), 1);
	assert_int_equal(folio_ref_count(f0), 1);
	assert_false(PageAnonExclusive(&f0->page));	/* "no AnonExclusive flag yet" */
	assert_invariants(parent, child);

	/* 4: the parent is the only user left: reuse. */
	wr(parent, X + 2, 0xb0);
	assert_int_equal(parent->min_flt, pflt + 1);
	assert_ptr_equal(folio_at(parent, X), f0);
	assert_true(PageAnonExclusive(&f0->page));
	assert_true(pte_write(__pte(leaf_at(parent, X).entry)));
	assert_int_equal(vm_event(COW_REUSE), 1);
	assert_invariants(parent, child);

	/* 5: p1 is still shared: the parent copies. */
	wr(parent, X + P, 0xb1);
	assert_int_equal(parent->min_flt, pflt + 2);
	assert_ptr_not_equal(folio_at(parent, X + P), f1);
	assert_ptr_equal(folio_at(child, X + P), f1);
	assert_int_equal(folio_mapcount(f1), 1);
	assert_int_equal(rd(child, X + P), 0xa1);
	assert_invariants(parent, child);

	/* 6 */
	wr(child, X + P, 0xd1);
	assert_ptr_equal(folio_at(child, X + P), f1);	/* reuse */
	assert_true(PageAnonExclusive(&f1->page));
	wr(child, X + 2 * P, 0xd2);
	assert_int_not_equal(leaf_at(child, X + 2 * P).pfn, machine.zero_pfn);
	assert_int_equal(rd(child, X + 3 * P), 0);
	assert_int_equal(leaf_at(child, X + 3 * P).pfn, machine.zero_pfn);
	assert_int_equal(rd(parent, X + P), 0xb1);
	assert_int_equal(leaf_at(parent, X + 2 * P).pfn, machine.zero_pfn);
	assert_int_equal(get_mm_counter(child, MM_ANONPAGES), 3);
	assert_int_equal(get_mm_counter(parent, MM_ANONPAGES), 2);
	assert_invariants(parent, child);

	/* 7 */
	test_mmput(child);
	assert_invariants(parent);
	assert_int_equal(rd(parent, X), 0xa0);
	test_mmput(parent);
	assert_all_freed();
}

/*
 * fork of a PMD-mapped THP.
 *
 *   1 fork                 parent: PMD -> T (RO)      child: PMD -> T (RO, own deposit)
 *   2 child writes p3      parent: PMD -> T           child: PTEs -> T, p3 -> copy
 *   3 child exits          parent: PMD -> T, the only mapping
 *   4 parent writes p3     parent: PMD -> T reused, writable, still no split
 *
 * Regression (src/mm/wp.c, wp_can_reuse_large_anon_folio(), found by this
 * test): at step 2 the child's PTE-mapped pages of T looked exclusive to
 * the model (refcount == large mapcount, no page mapped twice by PTEs)
 * although the parent still mapped all of T through its PMD.  The child
 * reused the parent's page instead of copying it, and its store became
 * visible to the parent ("isolation" below).  Linux 6.18 refuses the reuse
 * because T is mapped by two mms (FOLIO_MM_IDS_SHARED).
 */
static void test_fork_thp(void **state)
{
	struct mm_struct *parent = test_mm_alloc(), *child;
	struct fl_leaf leaf;
	struct folio *t;

	(void)state;
	map_anon(parent, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(parent, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	wr(parent, X + 3 * P, 0x33);
	t = folio_at(parent, X);
	assert_int_equal(folio_order(t), HPAGE_PMD_ORDER);

	/* 1 */
	child = test_dup_mm(parent);
	leaf = leaf_at(child, X + 3 * P);
	assert_int_equal(leaf.level, 2);
	assert_int_equal(leaf.pfn, folio_pfn(t) + 3);
	assert_false(pmd_write(__pmd(leaf.entry)));
	assert_false(pmd_write(__pmd(leaf_at(parent, X).entry)));
	assert_int_equal(folio_entire_mapcount(t), 2);
	assert_int_equal(folio_ref_count(t), 2);
	assert_false(PageAnonExclusive(&t->page));
	assert_int_equal(mm_nr_ptes(child), 1);		/* its own deposit */
	assert_int_equal(get_mm_counter(child, MM_ANONPAGES), HPAGE_PMD_NR);
	assert_invariants(parent, child);

	/* 2: the child's PMD is split and its p3 copied; the parent keeps its PMD. */
	wr(child, X + 3 * P + 1, 0xc3);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_int_equal(vm_event(THP_FAULT_ALLOC), 1);
	assert_int_equal(leaf_at(parent, X + 3 * P).level, 2);
	assert_int_equal(rd(parent, X + 3 * P + 1), 0);		/* isolation */
	leaf = leaf_at(child, X + 3 * P);
	assert_int_equal(leaf.level, 1);
	assert_true(leaf.pfn - folio_pfn(t) >= HPAGE_PMD_NR);	/* a copy, outside T */
	assert_int_equal(rd(child, X + 3 * P), 0x33);
	leaf = leaf_at(child, X + 4 * P);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, folio_pfn(t) + 4);
	assert_false(pte_write(__pte(leaf.entry)));
	assert_int_equal(folio_entire_mapcount(t), 1);
	assert_int_equal(get_mm_counter(child, MM_ANONPAGES), HPAGE_PMD_NR);
	assert_invariants(parent, child);

	/* 3 */
	test_mmput(child);
	assert_int_equal(folio_ref_count(t), 1);
	assert_int_equal(folio_mapcount(t), 1);
	assert_invariants(parent);

	/* 4: the last user reuses the THP at PMD level. */
	wr(parent, X + 5 * P, 0x55);
	leaf = leaf_at(parent, X + 5 * P);
	assert_int_equal(leaf.level, 2);
	assert_int_equal(leaf.pfn, folio_pfn(t) + 5);
	assert_true(pmd_write(__pmd(leaf.entry)));
	assert_true(PageAnonExclusive(&t->page));
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_invariants(parent);
	test_mmput(parent);
	assert_all_freed();
}

/*
 * Reuse of a PTE-mapped THP that is exclusive again but spans two VMAs.
 *
 *   T PMD-mapped at [X, X+2M), written
 *   mprotect(X, 4P, R):  [X, X+4P) R | [X+4P, X+2M) RW, T mapped by 512 PTEs
 *   fork, child exits:   every page of T mapped once, by the parent only,
 *                        but no page is AnonExclusive any more
 *   parent writes p10:   refcount 512 == large mapcount 512, all mappings in
 *                        this mm: Linux 6.18 reuses T's page (same pfn)
 *
 * Linux knows the folio is exclusive to the mm from folio->_mm_ids, which
 * counts mappings per mm, not per VMA.
 *
 * Regression (src/mm/wp.c, wp_can_reuse_large_anon_folio()): the model
 * once counted only the faulting VMA's mappings, found 508 of 512 and
 * copied (new pfn) where Linux reuses; it now counts over the whole mm.
 */
static void test_reuse_thp_spanning_two_vmas(void **state)
{
	struct mm_struct *parent = test_mm_alloc(), *child;
	struct folio *t;

	(void)state;
	map_anon(parent, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(parent, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	wr(parent, X + 10 * P, 0x10);
	t = folio_at(parent, X);
	assert_int_equal(do_mprotect(parent, X, 4 * P, PROT_READ), 0);
	assert_int_equal(parent->nr_vmas, 2);
	assert_int_equal(leaf_at(parent, X + 10 * P).level, 1);

	child = test_dup_mm(parent);
	test_mmput(child);
	assert_int_equal(folio_ref_count(t), HPAGE_PMD_NR);
	assert_int_equal(folio_large_mapcount(t), HPAGE_PMD_NR);
	assert_false(PageAnonExclusive(folio_page(t, 10)));
	assert_false(pte_write(__pte(leaf_at(parent, X + 10 * P).entry)));

	wr(parent, X + 10 * P + 1, 0x11);
	assert_int_equal(leaf_at(parent, X + 10 * P).pfn, folio_pfn(t) + 10);	/* reused */
	assert_true(PageAnonExclusive(folio_page(t, 10)));
	assert_int_equal(rd(parent, X + 10 * P), 0x10);
	assert_invariants(parent);
	test_mmput(parent);
	assert_all_freed();
}

/*
 * fork of a huge zero PMD: the child gets the same special PMD, a deposit
 * of its own (nr_ptes 1) and its own reference on the huge zero folio
 * (R39, R40); each exit drops one reference.
 */
static void test_fork_huge_zero_pmd(void **state)
{
	struct mm_struct *parent = test_mm_alloc(), *child;
	struct fl_leaf leaf;

	(void)state;
	map_anon(parent, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(parent, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	assert_int_equal(rd(parent, X), 0);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);

	child = test_dup_mm(parent);
	leaf = leaf_at(child, X + 9 * P);
	assert_int_equal(leaf.level, 2);
	assert_int_equal(leaf.pfn, machine.huge_zero_pfn + 9);
	assert_true(pmd_special(__pmd(leaf.entry)));
	assert_int_equal(mm_nr_ptes(child), 1);
	assert_true(child->flags & (1ul << MMF_HUGE_ZERO_FOLIO));
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 3);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 1);
	assert_invariants(parent, child);

	/* A write in the child gets a THP; the parent keeps the huge zero PMD. */
	wr(child, X, 1);
	assert_int_equal(leaf_at(child, X).level, 2);
	assert_false(is_huge_zero_pfn(leaf_at(child, X).pfn));
	assert_true(is_huge_zero_pfn(leaf_at(parent, X).pfn));
	assert_invariants(parent, child);

	test_mmput(child);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	test_mmput(parent);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 1);
	assert_all_freed();
}

/*
 * KERNEL-FACTS s9c: pages that may be pinned (here: refcount raised by
 * GUP_PIN_COUNTING_BIAS, what one FOLL_PIN does to a small folio) are
 * copied for the child at fork; the unpinned written page is shared.
 *
 *   parent: p0..3 written + pinned, p6 written, p7 read
 *   fork:   child p0..3 -> own copies (map 1, exclusive, writable)
 *           parent p0..3 -> unchanged (map 1, exclusive, still writable)
 *           p6 shared (map 2), p7 zero in both
 *   child writes p6: 1 fault (copy); child writes p0: 0 faults
 */
static void test_fork_pinned_s9c(void **state)
{
	struct mm_struct *parent = test_mm_alloc(), *child;
	struct folio *pinned[4];
	long cflt;

	(void)state;
	map_anon(parent, X, 8 * P, RW);
	for (int i = 0; i < 4; i++) {
		wr(parent, X + (uint64_t)i * P, (uint8_t)(0x10 + i));
		pinned[i] = folio_at(parent, X + (uint64_t)i * P);
		folio_ref_add(pinned[i], GUP_PIN_COUNTING_BIAS);
	}
	wr(parent, X + 6 * P, 0x16);
	assert_int_equal(rd(parent, X + 7 * P), 0);

	child = test_dup_mm(parent);
	for (int i = 0; i < 4; i++) {
		uint64_t a = X + (uint64_t)i * P;
		struct folio *c = folio_at(child, a);

		assert_ptr_not_equal(c, pinned[i]);
		assert_int_equal(folio_mapcount(c), 1);
		assert_true(PageAnonExclusive(&c->page));
		assert_true(pte_write(__pte(leaf_at(child, a).entry)));
		assert_int_equal(rd(child, a), 0x10 + i);	/* the copy has the data */
		assert_ptr_equal(folio_at(parent, a), pinned[i]);
		assert_int_equal(folio_mapcount(pinned[i]), 1);
		assert_true(PageAnonExclusive(&pinned[i]->page));
		assert_true(pte_write(__pte(leaf_at(parent, a).entry)));
	}
	assert_int_equal(folio_mapcount(folio_at(parent, X + 6 * P)), 2);
	assert_ptr_equal(folio_at(parent, X + 6 * P), folio_at(child, X + 6 * P));
	assert_int_equal(leaf_at(child, X + 7 * P).pfn, machine.zero_pfn);
	assert_int_equal(get_mm_counter(child, MM_ANONPAGES), 5);
	assert_invariants(parent, child);

	cflt = child->min_flt;
	wr(child, X + 6 * P, 0x66);
	assert_int_equal(child->min_flt, cflt + 1);
	assert_ptr_not_equal(folio_at(child, X + 6 * P), folio_at(parent, X + 6 * P));
	wr(child, X, 0x60);
	assert_int_equal(child->min_flt, cflt + 1);
	assert_int_equal(rd(parent, X), 0x10);
	assert_invariants(parent, child);

	test_mmput(child);
	for (int i = 0; i < 4; i++)
		folio_put_refs(pinned[i], GUP_PIN_COUNTING_BIAS);	/* unpin */
	assert_invariants(parent);
	test_mmput(parent);
	assert_all_freed();
}

/*
 * fork of a pinned THP (s9c at PMD size): the entire mapping cannot be
 * shared, so copy_huge_pmd() splits the parent's PMD and fork copies at
 * PTE level, where every page is exclusive and pinned, hence copied.
 *
 *   parent: PMD -> T, exclusive, _pincount 1
 *   fork:   parent: PTEs -> T, still exclusive and writable (THP_SPLIT_PMD 1)
 *           child:  512 PTEs -> 512 new small folios holding T's data
 */
static void test_fork_pinned_thp(void **state)
{
	struct mm_struct *parent = test_mm_alloc(), *child;
	struct folio *t;
	long folios;

	(void)state;
	map_anon(parent, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(parent, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	wr(parent, X + 5 * P, 0x55);
	t = folio_at(parent, X);
	atomic_inc(&folio_page(t, 1)->_pincount);	/* one FOLL_PIN of a large folio */
	folios = atomic_long_read(&machine.folios_allocated);

	child = test_dup_mm(parent);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_int_equal(atomic_long_read(&machine.folios_allocated), folios + HPAGE_PMD_NR);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		uint64_t a = X + i * P;
		struct fl_leaf pl = leaf_at(parent, a), cl = leaf_at(child, a);

		if (pl.level != 1 || pl.pfn != folio_pfn(t) + i || !pte_write(__pte(pl.entry)) ||
		    !PageAnonExclusive(pfn_to_page(pl.pfn)))
			fail_msg("parent p%lu: level %d pfn %#lx entry %#llx", i, pl.level, pl.pfn,
				 (unsigned long long)pl.entry);
		if (cl.level != 1 || cl.pfn - folio_pfn(t) < HPAGE_PMD_NR ||
		    folio_test_large(page_folio(pfn_to_page(cl.pfn))) ||
		    !PageAnonExclusive(pfn_to_page(cl.pfn)))
			fail_msg("child p%lu: level %d pfn %#lx", i, cl.level, cl.pfn);
	}
	assert_int_equal(rd(child, X + 5 * P), 0x55);
	assert_int_equal(folio_mapcount(t), HPAGE_PMD_NR);	/* the parent's PTEs only */
	assert_int_equal(get_mm_counter(child, MM_ANONPAGES), HPAGE_PMD_NR);
	assert_int_equal(mm_nr_ptes(child), 1);
	assert_invariants(parent, child);

	test_mmput(child);
	atomic_dec(&folio_page(t, 1)->_pincount);
	assert_invariants(parent);
	test_mmput(parent);
	assert_all_freed();
}

/*
 * fork that runs out of memory half-way (the copy of a pinned page cannot
 * be allocated): dup_mm() returns NULL, the half-built child is torn down,
 * and the parent's pages have their old mapcounts back.
 */
static void test_fork_failure_leaves_parent_intact(void **state)
{
	struct mm_struct *parent = test_mm_alloc();
	struct folio *f[4];

	(void)state;
	map_anon(parent, X, 4 * P, RW);
	for (int i = 0; i < 4; i++) {
		wr(parent, X + (uint64_t)i * P, (uint8_t)i);
		f[i] = folio_at(parent, X + (uint64_t)i * P);
	}
	folio_ref_add(f[2], GUP_PIN_COUNTING_BIAS);	/* p2 must be copied at fork */
	atomic_set(&machine.inject_folio, 1);
	assert_null(dup_mm(parent));
	assert_int_equal(atomic_read(&machine.inject_folio), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(folio_mapcount(f[i]), 1);
		assert_int_equal(folio_ref_count(f[i]), i == 2 ? 1 + GUP_PIN_COUNTING_BIAS : 1);
		assert_int_equal(rd(parent, X + (uint64_t)i * P), i);
	}
	assert_invariants(parent);

	/* The parent goes on: a write to a page that was write-protected for the fork. */
	wr(parent, X, 0x99);
	assert_ptr_equal(folio_at(parent, X), f[0]);
	folio_put_refs(f[2], GUP_PIN_COUNTING_BIAS);
	assert_invariants(parent);
	test_mmput(parent);
	assert_all_freed();
}

/* ------------------------------------------------------------------ */
/* Fault injection                                                     */
/* ------------------------------------------------------------------ */

/*
 * inject_folio = 1: the write fault's folio allocation fails.  fl_access()
 * reports -ENOMEM (VM_FAULT_OOM), nothing is mapped, nothing leaks, the
 * fault is counted in pgfault but not in min_flt; the retry succeeds.
 */
static void test_inject_folio_write_fault(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_access_result res;
	uint8_t v = 0x42;
	unsigned long free0;

	(void)state;
	map_anon(mm, X, 16 * P, RW);
	free0 = nr_free_pages();
	atomic_set(&machine.inject_folio, 1);
	assert_int_equal(fl_access(mm, X, true, &v, 1, &res), -ENOMEM);
	assert_int_equal(res.signo, 0);
	assert_int_equal(atomic_read(&machine.inject_folio), 0);
	assert_int_equal(leaf_at(mm, X).level, 0);
	assert_int_equal(atomic_long_read(&machine.folios_allocated), 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_int_equal(mm->min_flt, 0);
	assert_int_equal(vm_event(PGFAULT), 1);
	/* What stays is what a successful fault would have left: three tables. */
	assert_int_equal(live_tables(), 1 + 3);
	assert_int_equal(nr_free_pages(), free0 - 3);
	assert_invariants(mm);

	wr(mm, X, 0x42);
	assert_int_equal(mm->min_flt, 1);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_int_equal(live_tables(), 1 + 3);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/*
 * inject_pgtable = 1 at each level of the walk in turn.  Every failure is
 * -ENOMEM with no table lost: live tables == tables installed.
 *
 *   write X           the PUD table cannot be allocated    (PGD only)
 *   write X           succeeds: PUD, PMD, PTE tables
 *   write X+1G        the PMD table for the next PUD entry fails
 *   write X+2M        the PTE table for the next PMD entry fails
 *   THP write X+4M    the deposit table fails: the THP goes back too
 */
static void test_inject_pgtable_each_level(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_access_result res;
	uint8_t v = 1;

	(void)state;
	map_anon(mm, X, 3 * PMD_SIZE, RW);
	map_anon(mm, X + PUD_SIZE, PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X + 2 * PMD_SIZE, PMD_SIZE, MADV_HUGEPAGE), 0);

	atomic_set(&machine.inject_pgtable, 1);
	assert_int_equal(fl_access(mm, X, true, &v, 1, &res), -ENOMEM);
	assert_int_equal(live_tables(), 1);
	assert_int_equal(atomic_long_read(&mm->pgt.nr_puds), 0);
	assert_invariants(mm);

	wr(mm, X, 1);
	assert_int_equal(live_tables(), 4);

	atomic_set(&machine.inject_pgtable, 1);
	assert_int_equal(fl_access(mm, X + PUD_SIZE, true, &v, 1, &res), -ENOMEM);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(atomic_long_read(&mm->pgt.nr_pmds), 1);
	assert_invariants(mm);

	atomic_set(&machine.inject_pgtable, 1);
	assert_int_equal(fl_access(mm, X + PMD_SIZE, true, &v, 1, &res), -ENOMEM);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_invariants(mm);

	atomic_set(&machine.inject_pgtable, 1);
	assert_int_equal(fl_access(mm, X + 2 * PMD_SIZE, true, &v, 1, &res), -ENOMEM);
	assert_int_equal(live_tables(), 4);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(leaf_at(mm, X + 2 * PMD_SIZE).level, 0);
	assert_int_equal(atomic_long_read(&machine.folios_allocated),
			 atomic_long_read(&machine.folios_freed) + 1);	/* only X's page */
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_invariants(mm);

	/* Without injection everything works. */
	wr(mm, X + PUD_SIZE, 2);
	wr(mm, X + PMD_SIZE, 3);
	wr(mm, X + 2 * PMD_SIZE, 4);
	assert_int_equal(leaf_at(mm, X + 2 * PMD_SIZE).level, 2);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 3 + HPAGE_PMD_NR);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

/*
 * A THP that cannot be allocated is not an error: the fault falls back to
 * the PTE level (THP_FAULT_FALLBACK) and maps a small page.  The same for
 * the huge zero folio on a read: the 4 KiB zero page goes in instead.
 */
static void test_thp_allocation_failure_falls_back(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;

	(void)state;
	map_anon(mm, X, 2 * PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X, 2 * PMD_SIZE, MADV_HUGEPAGE), 0);

	atomic_set(&machine.inject_folio, 1);
	wr(mm, X + 3 * P, 0x33);
	assert_int_equal(vm_event(THP_FAULT_FALLBACK), 1);
	assert_int_equal(vm_event(THP_FAULT_ALLOC), 0);
	leaf = leaf_at(mm, X + 3 * P);
	assert_int_equal(leaf.level, 1);
	assert_false(folio_test_large(folio_at(mm, X + 3 * P)));
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(mm->min_flt, 1);
	assert_invariants(mm);

	atomic_set(&machine.inject_folio, 1);
	assert_int_equal(rd(mm, X + PMD_SIZE), 0);
	assert_int_equal(vm_event(THP_FAULT_FALLBACK), 2);
	assert_null(machine.huge_zero_folio);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 0);
	assert_false(mm->flags & (1ul << MMF_HUGE_ZERO_FOLIO));
	leaf = leaf_at(mm, X + PMD_SIZE);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, machine.zero_pfn);
	assert_int_equal(mm_nr_ptes(mm), 2);		/* no deposit left behind */
	assert_int_equal(live_tables(), 1 + 1 + 1 + 2);
	assert_invariants(mm);
	test_mmput(mm);
	assert_all_freed();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, machine_up, machine_down)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_read_maps_zero_page_special),
		cmocka_unit_test_setup_teardown(test_read_maps_zero_page_not_special,
						fault_setup_no_pte_special, machine_down),
		T(test_write_allocates_anon_page),
		T(test_write_after_read_replaces_zero_page),
		T(test_sigsegv),
		T(test_s7_mprotect_dontneed_munmap),
		T(test_thp_s2),
		T(test_thp_needs_madvise),
		cmocka_unit_test_setup_teardown(test_thp_huge_zero_pmd_not_special,
						fault_setup_no_huge_zero_special, machine_down),
		T(test_thp_huge_zero_split_by_mprotect),
		T(test_populate),
		T(test_fork_s3),
		T(test_fork_thp),
		T(test_reuse_thp_spanning_two_vmas),
		T(test_fork_huge_zero_pmd),
		T(test_fork_pinned_s9c),
		T(test_fork_pinned_thp),
		T(test_fork_failure_leaves_parent_intact),
		T(test_inject_folio_write_fault),
		T(test_inject_pgtable_each_level),
		T(test_thp_allocation_failure_falls_back),
	};

	return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
