// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_folio.c - folios, their counters, the rmap helpers and the huge zero
 * folio (src/phys/page.h, folio.c, zero.c, src/mm/rmap.c).
 *
 * Half of SPEC.md's observable state is per folio: ref, per-page map, emap,
 * pin, order, anon (section 0.3 and section 6).  These tests pin down what
 * each counter is right after allocation and after each rmap operation
 * the fault paths perform, independently of those paths:
 *
 *  - a new folio holds one reference and no mapping; mapcounts are stored
 *    -1 based (Linux 6.18) and read 0; every tail page of a large folio
 *    points at its head; the last put frees it and it is accounted;
 *  - freeing a folio that is still mapped is "Bad page state": reported
 *    and leaked, never handed back to the allocator;
 *  - PTE and PMD mappings through the rmap helpers, seen through
 *    folio_precise_page_mapcount() (what /proc/kpagecount reports): a PMD
 *    mapping counts once for every page, fork's dup clears AnonExclusive
 *    unless the page may be pinned (KERNEL-FACTS s9c), and an anonymous
 *    THP that becomes partially mapped is queued for deferred split once
 *    (THP_DEFERRED_SPLIT_PAGE, KERNEL-FACTS s2);
 *  - the huge zero folio (R39, Q12): allocated once on first use, one
 *    reference for the shrinker plus one per mm that took it, an mm drops
 *    its reference once however often it asks, and the shrinker frees the
 *    folio only when nothing but its own reference is left.
 */
#include <string.h>

#include "core_test.h"

/* ------------------------------------------------------------------ */
/* struct page                                                         */
/* ------------------------------------------------------------------ */

#define END_OF(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * The descriptor is at most 64 bytes, and the overlays are Linux's: a tail
 * page's compound_head is the first word of the buddy link (bit 0 tells
 * them apart), and the large-folio counters of page[1] and the table
 * fields of a page-table page live in the mapping/index/private words,
 * never over _mapcount or _refcount, which every page keeps.
 */
static void test_struct_page_layout(void **state)
{
	(void)state;
	assert_true(sizeof(struct page) <= 64);
	assert_int_equal(sizeof(struct folio), sizeof(struct page));
	assert_int_equal(offsetof(struct page, compound_head), offsetof(struct page, lru.next));
	assert_true(offsetof(struct page, _entire_mapcount) >= offsetof(struct page, mapping));
	assert_true(END_OF(struct page, _folio_order) <= offsetof(struct page, _mapcount));
	assert_true(END_OF(struct page, _pincount) <= offsetof(struct page, _mapcount));
	assert_true(END_OF(struct page, pt_deposits) <= offsetof(struct page, _mapcount));
	assert_true(offsetof(struct page, _entire_mapcount) >= END_OF(struct page, _tail2));
	assert_true(END_OF(struct page, pgmap) <= 64);
}

/* ------------------------------------------------------------------ */
/* Allocation and freeing                                              */
/* ------------------------------------------------------------------ */

static void test_folio_order0(void **state)
{
	unsigned long free0 = nr_free_pages();
	struct folio *f = folio_alloc(0, 0);

	(void)state;
	assert_non_null(f);
	assert_false(folio_test_large(f));
	assert_int_equal(folio_order(f), 0);
	assert_int_equal(folio_nr_pages(f), 1);
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(atomic_read(&f->page._mapcount), -1);	/* stored -1 based */
	assert_int_equal(folio_mapcount(f), 0);
	assert_int_equal(folio_entire_mapcount(f), 0);
	assert_int_equal(folio_precise_page_mapcount(f, &f->page), 0);
	assert_false(folio_mapped(f));
	assert_false(folio_test_anon(f));
	assert_false(folio_maybe_dma_pinned(f));
	assert_ptr_equal(page_folio(&f->page), f);
	assert_int_equal(nr_free_pages(), free0 - 1);
	assert_int_equal(atomic_long_read(&machine.folios_allocated), 1);

	folio_put(f);
	assert_int_equal(nr_free_pages(), free0);
	assert_int_equal(atomic_long_read(&machine.folios_freed), 1);
	assert_int_equal(atomic_read(&f->page._refcount), 0);
}

/*
 * An order-9 folio (a THP's shape):
 *
 *   page[0]   head: PG_head, _refcount 1
 *   page[1]   order 9, _entire_mapcount -1, _large_mapcount -1, _pincount 0
 *   page[k]   compound_head = head | 1, _refcount 0, _mapcount -1
 */
static void test_folio_order9(void **state)
{
	unsigned long free0 = nr_free_pages();
	struct folio *f = folio_alloc(__GFP_ZERO | __GFP_COMP, HPAGE_PMD_ORDER);

	(void)state;
	assert_non_null(f);
	assert_int_equal(folio_pfn(f) & (HPAGE_PMD_NR - 1), 0);
	assert_true(folio_test_large(f));
	assert_int_equal(folio_order(f), HPAGE_PMD_ORDER);
	assert_int_equal(folio_nr_pages(f), HPAGE_PMD_NR);
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(folio_mapcount(f), 0);
	assert_int_equal(folio_entire_mapcount(f), 0);
	assert_int_equal(folio_large_mapcount(f), 0);
	assert_int_equal(atomic_read(&folio_page(f, 1)->_entire_mapcount), -1);
	assert_int_equal(atomic_read(&folio_page(f, 1)->_large_mapcount), -1);
	assert_int_equal(atomic_read(&folio_page(f, 1)->_pincount), 0);
	assert_false(folio_maybe_dma_pinned(f));
	assert_false(PageTail(&f->page));
	for (unsigned long i = 1; i < HPAGE_PMD_NR; i++) {
		struct page *p = folio_page(f, i);

		if (!PageTail(p) || compound_head(p) != &f->page || page_folio(p) != f)
			fail_msg("tail page %lu does not point at its head", i);
		if (atomic_read(&p->_refcount) != 0 || atomic_read(&p->_mapcount) != -1)
			fail_msg("tail page %lu: refcount %d mapcount %d", i,
				 atomic_read(&p->_refcount), atomic_read(&p->_mapcount));
		if (folio_precise_page_mapcount(f, p) != 0)
			fail_msg("tail page %lu has a precise mapcount", i);
	}
	for (size_t i = 0; i < HPAGE_PMD_SIZE; i++)
		if (((uint8_t *)page_address(&f->page))[i])
			fail_msg("byte %zu of a __GFP_ZERO folio is not 0", i);
	assert_int_equal(nr_free_pages(), free0 - HPAGE_PMD_NR);

	folio_put(f);
	assert_int_equal(nr_free_pages(), free0);
	assert_int_equal(atomic_long_read(&machine.folios_freed), 1);
	/* Back in the allocator, nothing is a tail page any more. */
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		if (PageTail(folio_page(f, i)))
			fail_msg("page %lu still a tail page after free", i);
}

static void test_folio_refs(void **state)
{
	unsigned long free0 = nr_free_pages();
	struct folio *f = folio_alloc(0, 2);

	(void)state;
	assert_non_null(f);
	folio_get(f);
	folio_ref_add(f, 2);
	assert_int_equal(folio_ref_count(f), 4);
	folio_put_refs(f, 3);
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(atomic_long_read(&machine.folios_freed), 0);	/* still ours */
	assert_int_equal(nr_free_pages(), free0 - 4);
	folio_put(f);
	assert_int_equal(atomic_long_read(&machine.folios_freed), 1);
	assert_int_equal(nr_free_pages(), free0);
}

/*
 * Bad page state: the last reference of a folio that is still mapped goes
 * away.  Linux reports it and does not free the page; neither may the
 * model, or a live PTE would point into the free lists.
 */
static void test_free_mapped_folio_is_bad_page_state(void **state)
{
	unsigned long free0 = nr_free_pages();
	struct folio *f = folio_alloc(0, 0);

	(void)state;
	assert_non_null(f);
	atomic_set(&f->page._mapcount, 0);		/* one PTE maps it */
	folio_put(f);
	assert_int_equal(vm_event(BAD_PAGE_MAP), 1);
	assert_int_equal(atomic_long_read(&machine.folios_freed), 0);
	assert_int_equal(nr_free_pages(), free0 - 1);
	assert_false(test_page_flag(&f->page, PG_buddy));

	/* Unmap it and give the reference back: now it is freed. */
	atomic_set(&f->page._mapcount, -1);
	atomic_set(&f->page._refcount, 1);
	folio_put(f);
	assert_int_equal(nr_free_pages(), free0);
	assert_int_equal(atomic_long_read(&machine.folios_freed), 1);
}

/* ------------------------------------------------------------------ */
/* rmap                                                                */
/* ------------------------------------------------------------------ */

#define AREA ((uint64_t)0x7e0000000000ull)

/* An mm with one anonymous VMA at AREA (4 MiB) that has an anon_vma. */
static struct vm_area_struct *anon_area(struct mm_struct **mmp)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma;

	assert_non_null(mm);
	assert_int_equal(do_mmap(mm, AREA, 2 * PMD_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 (int64_t)AREA);
	vma = vma_lookup(mm, AREA);
	assert_non_null(vma);
	mmap_write_lock(mm);
	assert_int_equal(anon_vma_prepare(vma), 0);
	mmap_write_unlock(mm);
	*mmp = mm;
	return vma;
}

/*
 * A small anonymous folio: mapped by its first PTE, shared by two forks,
 * unmapped three times.  The rmap helpers never touch the refcount: that
 * is the caller's reference per mapping.
 *
 *   new rmap   map 1  AnonExclusive      (do_anonymous_page)
 *   dup        map 2  exclusive cleared  (fork)
 *   dup        map 3
 *   remove x3  map 0
 */
static void test_rmap_small_anon(void **state)
{
	struct mm_struct *mm;
	struct vm_area_struct *vma = anon_area(&mm);
	struct folio *f = folio_alloc(__GFP_ZERO, 0);
	uint64_t addr = AREA + 5 * PAGE_SIZE;

	(void)state;
	assert_non_null(f);
	folio_add_new_anon_rmap(f, vma, addr, true);
	assert_true(folio_test_anon(f));
	assert_ptr_equal(f->page.mapping, (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON));
	assert_int_equal(f->page.index, linear_page_index(vma, addr));
	assert_int_equal(f->page.index, addr >> PAGE_SHIFT);	/* anon pgoff */
	assert_true(folio_test_swapbacked(f));
	assert_int_equal(folio_mapcount(f), 1);
	assert_int_equal(folio_precise_page_mapcount(f, &f->page), 1);
	assert_true(PageAnonExclusive(&f->page));
	assert_int_equal(folio_ref_count(f), 1);

	assert_int_equal(folio_try_dup_anon_rmap_pte(f, &f->page), 0);
	assert_int_equal(folio_mapcount(f), 2);
	assert_false(PageAnonExclusive(&f->page));
	assert_int_equal(folio_try_dup_anon_rmap_pte(f, &f->page), 0);
	assert_int_equal(folio_precise_page_mapcount(f, &f->page), 3);
	assert_int_equal(folio_ref_count(f), 1);

	for (int i = 3; i > 0; i--) {
		assert_int_equal(folio_mapcount(f), i);
		folio_remove_rmap_pte(f, &f->page, vma);
	}
	assert_false(folio_mapped(f));
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 0);
	folio_put(f);
	test_mmput(mm);
}

/*
 * Fork of a page that may be pinned while exclusive must not share it
 * (KERNEL-FACTS s9c): the dup fails and changes nothing, so fork copies.
 * A small folio counts pins in its refcount (GUP_PIN_COUNTING_BIAS).
 */
static void test_rmap_dup_refused_when_pinned(void **state)
{
	struct mm_struct *mm;
	struct vm_area_struct *vma = anon_area(&mm);
	struct folio *f = folio_alloc(__GFP_ZERO, 0);

	(void)state;
	assert_non_null(f);
	folio_add_new_anon_rmap(f, vma, AREA, true);
	folio_ref_add(f, GUP_PIN_COUNTING_BIAS);		/* one FOLL_PIN */
	assert_true(folio_maybe_dma_pinned(f));
	assert_int_not_equal(folio_try_dup_anon_rmap_pte(f, &f->page), 0);
	assert_int_equal(folio_mapcount(f), 1);
	assert_true(PageAnonExclusive(&f->page));

	/* Not exclusive (already shared once): pinned or not, the dup is fine. */
	ClearPageAnonExclusive(&f->page);
	assert_int_equal(folio_try_dup_anon_rmap_pte(f, &f->page), 0);
	assert_int_equal(folio_mapcount(f), 2);

	folio_remove_rmap_pte(f, &f->page, vma);
	folio_remove_rmap_pte(f, &f->page, vma);
	folio_put_refs(f, GUP_PIN_COUNTING_BIAS + 1);
	test_mmput(mm);
}

/*
 * An anonymous THP, PMD-mapped and then split the way __split_huge_pmd()
 * does (PTEs added first, PMD removed after), then zapped page by page:
 *
 *   step              entire  per-page (precise)  large  deferred split
 *   new, PMD          1       0 (1)               1      0
 *   + 512 PTEs        1       1 (2)               513    0
 *   - PMD             0       1 (1)               512    0   fully mapped
 *   - PTE p10         0       p10: 0 (0)          511    1   partially mapped
 *   - PTE p11         0       p11: 0 (0)          510    1   counted once
 *   - every other PTE 0       0                   0      1
 */
static void test_rmap_thp_split_and_deferred_split(void **state)
{
	struct mm_struct *mm;
	struct vm_area_struct *vma = anon_area(&mm);
	struct folio *f = folio_alloc(__GFP_ZERO | __GFP_COMP, HPAGE_PMD_ORDER);
	struct page *head;

	(void)state;
	assert_non_null(f);
	head = &f->page;
	folio_add_new_anon_rmap(f, vma, AREA, true);
	assert_int_equal(folio_entire_mapcount(f), 1);
	assert_int_equal(folio_large_mapcount(f), 1);
	assert_int_equal(folio_mapcount(f), 1);
	assert_true(PageAnonExclusive(head));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		assert_int_equal(atomic_read(&head[i]._mapcount), -1);
		assert_int_equal(folio_precise_page_mapcount(f, &head[i]), 1);
	}

	folio_add_anon_rmap_ptes(f, head, HPAGE_PMD_NR, true);
	assert_int_equal(folio_large_mapcount(f), HPAGE_PMD_NR + 1);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		assert_int_equal(folio_precise_page_mapcount(f, &head[i]), 2);
		assert_true(PageAnonExclusive(&head[i]));
	}
	folio_remove_rmap_pmd(f, vma);
	assert_int_equal(folio_entire_mapcount(f), 0);
	assert_int_equal(folio_large_mapcount(f), HPAGE_PMD_NR);
	assert_int_equal(folio_precise_page_mapcount(f, &head[300]), 1);
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 0);
	assert_false(test_page_flag(head, PG_partially_mapped));

	folio_remove_rmap_pte(f, &head[10], vma);
	assert_int_equal(folio_precise_page_mapcount(f, &head[10]), 0);
	assert_int_equal(folio_precise_page_mapcount(f, &head[9]), 1);
	assert_int_equal(folio_large_mapcount(f), HPAGE_PMD_NR - 1);
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 1);
	assert_true(test_page_flag(head, PG_partially_mapped));

	folio_remove_rmap_pte(f, &head[11], vma);
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 1);

	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		if (i != 10 && i != 11)
			folio_remove_rmap_pte(f, &head[i], vma);
	assert_int_equal(folio_large_mapcount(f), 0);
	assert_false(folio_mapped(f));
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(folio_ref_count(f), 1);
	folio_put(f);
	test_mmput(mm);
}

/*
 * Fork of a PMD-mapped THP: the dup adds an entire mapping (every page's
 * precise mapcount is 2) and clears AnonExclusive, which for a PMD-mapped
 * THP lives on the head page.  Unmapping both PMDs leaves no page mapped,
 * which is not "partially mapped": no deferred split.
 */
static void test_rmap_thp_dup_pmd(void **state)
{
	struct mm_struct *mm;
	struct vm_area_struct *vma = anon_area(&mm);
	struct folio *f = folio_alloc(__GFP_ZERO | __GFP_COMP, HPAGE_PMD_ORDER);

	(void)state;
	assert_non_null(f);
	folio_add_new_anon_rmap(f, vma, AREA, true);
	assert_int_equal(folio_try_dup_anon_rmap_pmd(f), 0);
	assert_int_equal(folio_entire_mapcount(f), 2);
	assert_int_equal(folio_large_mapcount(f), 2);
	assert_int_equal(folio_mapcount(f), 2);
	assert_false(PageAnonExclusive(&f->page));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		assert_int_equal(folio_precise_page_mapcount(f, folio_page(f, i)), 2);

	folio_remove_rmap_pmd(f, vma);
	assert_int_equal(folio_entire_mapcount(f), 1);
	folio_remove_rmap_pmd(f, vma);
	assert_int_equal(folio_entire_mapcount(f), 0);
	assert_false(folio_mapped(f));
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 0);
	folio_put(f);
	test_mmput(mm);
}

/* A large folio counts pins in page[1]._pincount; an exclusive pinned THP is not shared. */
static void test_rmap_thp_dup_refused_when_pinned(void **state)
{
	struct mm_struct *mm;
	struct vm_area_struct *vma = anon_area(&mm);
	struct folio *f = folio_alloc(__GFP_ZERO | __GFP_COMP, HPAGE_PMD_ORDER);

	(void)state;
	assert_non_null(f);
	folio_add_new_anon_rmap(f, vma, AREA, true);
	atomic_inc(&folio_page(f, 1)->_pincount);
	assert_true(folio_maybe_dma_pinned(f));
	assert_int_not_equal(folio_try_dup_anon_rmap_pmd(f), 0);
	assert_int_equal(folio_entire_mapcount(f), 1);
	assert_true(PageAnonExclusive(&f->page));

	atomic_dec(&folio_page(f, 1)->_pincount);
	folio_remove_rmap_pmd(f, vma);
	folio_put(f);
	test_mmput(mm);
}

/* File folios use the same counters; partial mapping of one is not queued. */
static void test_rmap_file_large_folio(void **state)
{
	struct folio *f = folio_alloc(__GFP_ZERO | __GFP_COMP, HPAGE_PMD_ORDER);
	struct page *head;

	(void)state;
	assert_non_null(f);
	head = &f->page;
	folio_add_file_rmap_pmd(f);
	folio_dup_file_rmap_pmd(f);
	assert_int_equal(folio_entire_mapcount(f), 2);
	folio_add_file_rmap_pte(f, &head[7]);
	folio_dup_file_rmap_pte(f, &head[7]);
	assert_int_equal(folio_precise_page_mapcount(f, &head[7]), 4);
	assert_int_equal(folio_precise_page_mapcount(f, &head[8]), 2);
	assert_int_equal(folio_large_mapcount(f), 4);

	folio_remove_rmap_pmd(f, NULL);
	folio_remove_rmap_pmd(f, NULL);
	folio_remove_rmap_pte(f, &head[7], NULL);
	assert_int_equal(folio_precise_page_mapcount(f, &head[7]), 1);
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 0);	/* not anonymous */
	folio_remove_rmap_pte(f, &head[7], NULL);
	assert_false(folio_mapped(f));
	folio_put(f);
}

/* ------------------------------------------------------------------ */
/* The huge zero folio (R39, Q12)                                       */
/* ------------------------------------------------------------------ */

static void test_huge_zero_allocated_once(void **state)
{
	unsigned long free0 = nr_free_pages();
	struct folio *hz;
	unsigned long pfn;

	(void)state;
	assert_null(machine.huge_zero_folio);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 0);

	assert_true(get_huge_zero_folio());
	hz = machine.huge_zero_folio;
	assert_non_null(hz);
	pfn = folio_pfn(hz);
	assert_int_equal(machine.huge_zero_pfn, pfn);
	assert_int_equal(pfn & (HPAGE_PMD_NR - 1), 0);
	assert_int_equal(folio_order(hz), HPAGE_PMD_ORDER);
	assert_true(test_page_flag(&hz->page, PG_zero));
	assert_true(is_huge_zero_folio(hz));
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 1);
	/* One reference for the shrinker, one for the caller. */
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	assert_int_equal(nr_free_pages(), free0 - HPAGE_PMD_NR);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		assert_true(is_huge_zero_pfn(pfn + i));
	assert_false(is_huge_zero_pfn(pfn + HPAGE_PMD_NR));
	assert_false(is_huge_zero_pfn(pfn - 1));
	assert_false(is_huge_zero_pfn(machine.zero_pfn));
	for (size_t i = 0; i < HPAGE_PMD_SIZE; i++)
		if (((uint8_t *)page_address(&hz->page))[i])
			fail_msg("huge zero folio byte %zu is not 0", i);

	/* The second user gets the same folio; nothing is allocated. */
	assert_true(get_huge_zero_folio());
	assert_ptr_equal(machine.huge_zero_folio, hz);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 1);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 3);

	/* The shrinker leaves it alone while users remain. */
	put_huge_zero_folio();
	shrink_huge_zero_folio();
	assert_ptr_equal(machine.huge_zero_folio, hz);
	put_huge_zero_folio();
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 1);

	/* Only the shrinker's reference is left: now it goes. */
	shrink_huge_zero_folio();
	assert_null(machine.huge_zero_folio);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 0);
	assert_false(is_huge_zero_pfn(pfn));
	assert_int_equal(nr_free_pages(), free0);
	assert_int_equal(atomic_long_read(&machine.folios_freed), 1);
	shrink_huge_zero_folio();			/* nothing left to do */
	assert_int_equal(nr_free_pages(), free0);

	/* The next user allocates it again. */
	assert_true(get_huge_zero_folio());
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 2);
	put_huge_zero_folio();
	assert_int_equal(vm_event(BAD_PAGE_MAP), 0);
}

/*
 * The per-mm reference (R39, Q12):
 *
 *   step                      refcount   folio
 *   mm1 get                   2          allocated (THP_ZERO_PAGE_ALLOC 1)
 *   mm1 get again             2          one reference per mm
 *   mm2 get                   3
 *   mm1 put, mm1 put again    2          dropped once only
 *   shrink                    2          kept: mm2 uses it
 *   mm2 put                   1
 *   shrink                    0          freed
 */
static void test_huge_zero_per_mm_reference(void **state)
{
	struct mm_struct *mm1 = test_mm_alloc(), *mm2 = test_mm_alloc();
	const unsigned long mmf = 1ul << MMF_HUGE_ZERO_FOLIO;
	unsigned long free0 = nr_free_pages();
	struct folio *hz;

	(void)state;
	assert_non_null(mm1);
	assert_non_null(mm2);
	hz = mm_get_huge_zero_folio(mm1);
	assert_non_null(hz);
	assert_ptr_equal(hz, machine.huge_zero_folio);
	assert_true(mm1->flags & mmf);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	assert_ptr_equal(mm_get_huge_zero_folio(mm1), hz);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	assert_ptr_equal(mm_get_huge_zero_folio(mm2), hz);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 3);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 1);
	/* The folio's own refcount and mapcounts are never touched (R39). */
	assert_int_equal(folio_ref_count(hz), 1);
	assert_int_equal(folio_mapcount(hz), 0);
	assert_invariants(mm1, mm2);

	mm_put_huge_zero_folio(mm1);
	assert_false(mm1->flags & mmf);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	mm_put_huge_zero_folio(mm1);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	assert_invariants(mm1, mm2);

	shrink_huge_zero_folio();
	assert_ptr_equal(machine.huge_zero_folio, hz);

	mm_put_huge_zero_folio(mm2);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 1);
	assert_invariants(mm1, mm2);
	shrink_huge_zero_folio();
	assert_null(machine.huge_zero_folio);
	assert_int_equal(nr_free_pages(), free0);

	/* Teardown of mms that already dropped their reference drops nothing. */
	test_mmput(mm1);
	test_mmput(mm2);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 0);
	assert_int_equal(vm_event(BAD_PAGE_MAP), 0);
}

/* mmput() drops the mm's reference: the shrinker can free the folio after it. */
static void test_huge_zero_dropped_by_mmput(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	assert_non_null(mm);
	assert_non_null(mm_get_huge_zero_folio(mm));
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 2);
	test_mmput(mm);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 1);
	assert_non_null(machine.huge_zero_folio);	/* until the shrinker runs */
	shrink_huge_zero_folio();
	assert_null(machine.huge_zero_folio);
}

/*
 * Q12's defect made visible: a put beyond the references taken would drop
 * the shrinker's own reference.  The model reports it (BAD_PAGE_MAP), which
 * is what the invariant "the refcount never underflows" relies on.
 */
static void test_huge_zero_extra_put_is_reported(void **state)
{
	(void)state;
	assert_true(get_huge_zero_folio());
	put_huge_zero_folio();
	assert_int_equal(vm_event(BAD_PAGE_MAP), 0);
	put_huge_zero_folio();				/* one too many */
	assert_int_equal(vm_event(BAD_PAGE_MAP), 1);

	atomic_set(&machine.huge_zero_refcount, 1);	/* repair, let the shrinker free it */
	shrink_huge_zero_folio();
	assert_null(machine.huge_zero_folio);
}

/* If the allocation fails, nothing is held and the fault falls back. */
static void test_huge_zero_allocation_failure(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	unsigned long free0 = nr_free_pages();

	(void)state;
	assert_non_null(mm);
	atomic_set(&machine.inject_folio, 1);
	assert_null(mm_get_huge_zero_folio(mm));
	assert_false(mm->flags & (1ul << MMF_HUGE_ZERO_FOLIO));
	assert_null(machine.huge_zero_folio);
	assert_int_equal(atomic_read(&machine.huge_zero_refcount), 0);
	assert_int_equal(vm_event(THP_ZERO_PAGE_ALLOC), 0);
	assert_int_equal(nr_free_pages(), free0);
	assert_int_equal(atomic_long_read(&machine.folios_allocated), 0);

	assert_non_null(mm_get_huge_zero_folio(mm));	/* the next try works */
	test_mmput(mm);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, machine_up, machine_down)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_struct_page_layout),
		T(test_folio_order0),
		T(test_folio_order9),
		T(test_folio_refs),
		cmocka_unit_test_setup_teardown(test_free_mapped_folio_is_bad_page_state,
						machine_up, machine_down_no_events),
		T(test_rmap_small_anon),
		T(test_rmap_dup_refused_when_pinned),
		T(test_rmap_thp_split_and_deferred_split),
		T(test_rmap_thp_dup_pmd),
		T(test_rmap_thp_dup_refused_when_pinned),
		T(test_rmap_file_large_folio),
		T(test_huge_zero_allocated_once),
		T(test_huge_zero_per_mm_reference),
		T(test_huge_zero_dropped_by_mmput),
		cmocka_unit_test_setup_teardown(test_huge_zero_extra_put_is_reported,
						machine_up, machine_down_no_events),
		T(test_huge_zero_allocation_failure),
	};

	return cmocka_run_group_tests_name("folio", tests, NULL, NULL);
}
