// SPDX-License-Identifier: GPL-2.0-only
/*
 * rmap.c - the mapcount side of reverse mapping.
 *
 * What Linux 6.18's mm/rmap.c does to a folio's counters when a mapping is
 * added, duplicated at fork or removed: per-page _mapcount for PTEs, the
 * entire mapcount for PMD mappings, the large mapcount for both, the
 * AnonExclusive bit, and the deferred-split event when an anonymous THP
 * becomes partially mapped (KERNEL-FACTS s2: thp_deferred_split_page + 1 on
 * MADV_DONTNEED of one page of a split THP).
 *
 * MODEL: no rmap trees for anonymous memory (nothing walks them: no reclaim,
 * no migration); folio->mapping only carries the anon marker and the
 * anon_vma, as in Linux.
 */
#include "mm/mm.h"

int mm_counter_file(struct folio *folio)
{
	return folio_test_swapbacked(folio) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

int mm_counter(struct folio *folio)
{
	return folio_test_anon(folio) ? MM_ANONPAGES : mm_counter_file(folio);
}

static void folio_large_mapcount_add(struct folio *folio, int n)
{
	atomic_add(n, &folio_page(folio, 1)->_large_mapcount);
}

void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma, uint64_t addr,
			     bool exclusive)
{
	folio->page.mapping = (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON);
	folio->page.index = linear_page_index(vma, addr);
	if (!folio_test_large(folio)) {
		atomic_set(&folio->page._mapcount, 0);
	} else {
		/* A new large anonymous folio is mapped by one PMD. */
		atomic_set(&folio_page(folio, 1)->_entire_mapcount, 0);
		atomic_set(&folio_page(folio, 1)->_large_mapcount, 0);
	}
	/*
	 * __folio_set_swapbacked(): nobody else can see a new folio yet, so
	 * both flags go in with one plain store, no locked instruction.
	 */
	__or_ulong(&folio->page.flags,
		   (1ul << PG_swapbacked) | (exclusive ? 1ul << PG_anon_exclusive : 0));
}

void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page, int nr, bool exclusive)
{
	for (int i = 0; i < nr; i++) {
		atomic_inc(&page[i]._mapcount);
		if (exclusive)
			SetPageAnonExclusive(&page[i]);
	}
	if (folio_test_large(folio))
		folio_large_mapcount_add(folio, nr);
}

static int folio_nr_pages_mapped(struct folio *folio)
{
	unsigned long nr = folio_nr_pages(folio);
	int mapped = 0;

	for (unsigned long i = 0; i < nr; i++)
		mapped += atomic_read(&folio_page(folio, i)->_mapcount) >= 0;
	return mapped;
}

/* An anonymous large folio with some pages unmapped and some mapped. */
static void maybe_deferred_split(struct folio *folio)
{
	int mapped;

	if (!folio_test_anon(folio) || test_page_flag(&folio->page, PG_partially_mapped))
		return;
	if (folio_entire_mapcount(folio))
		return;
	mapped = folio_nr_pages_mapped(folio);
	if (mapped && (unsigned long)mapped < folio_nr_pages(folio)) {
		set_page_flag(&folio->page, PG_partially_mapped);
		count_vm_event(THP_DEFERRED_SPLIT_PAGE);
	}
}

void folio_remove_rmap_pte(struct folio *folio, struct page *page, struct vm_area_struct *vma)
{
	(void)vma;
	atomic_dec(&page->_mapcount);
	if (!folio_test_large(folio))
		return;
	folio_large_mapcount_add(folio, -1);
	maybe_deferred_split(folio);
}

void folio_remove_rmap_pmd(struct folio *folio, struct vm_area_struct *vma)
{
	(void)vma;
	atomic_dec(&folio_page(folio, 1)->_entire_mapcount);
	folio_large_mapcount_add(folio, -1);
	maybe_deferred_split(folio);
}

void folio_add_file_rmap_pte(struct folio *folio, struct page *page)
{
	atomic_inc(&page->_mapcount);
	if (folio_test_large(folio))
		folio_large_mapcount_add(folio, 1);
}

void folio_add_file_rmap_pmd(struct folio *folio)
{
	atomic_inc(&folio_page(folio, 1)->_entire_mapcount);
	folio_large_mapcount_add(folio, 1);
}

/*
 * Fork: share the mapping with the child, unless the page may be pinned
 * while exclusive, in which case the child must get a copy now (KERNEL-FACTS
 * s9c) and -EBUSY tells copy_present_pte() so.
 */
int folio_try_dup_anon_rmap_pte(struct folio *folio, struct page *page)
{
	if (PageAnonExclusive(page) && folio_maybe_dma_pinned(folio))
		return -1;
	ClearPageAnonExclusive(page);
	atomic_inc(&page->_mapcount);
	if (folio_test_large(folio))
		folio_large_mapcount_add(folio, 1);
	return 0;
}

int folio_try_dup_anon_rmap_pmd(struct folio *folio)
{
	if (PageAnonExclusive(&folio->page)) {
		if (folio_maybe_dma_pinned(folio))
			return -1;
		ClearPageAnonExclusive(&folio->page);
	}
	atomic_inc(&folio_page(folio, 1)->_entire_mapcount);
	folio_large_mapcount_add(folio, 1);
	return 0;
}

void folio_dup_file_rmap_pte(struct folio *folio, struct page *page)
{
	folio_add_file_rmap_pte(folio, page);
}

void folio_dup_file_rmap_pmd(struct folio *folio)
{
	folio_add_file_rmap_pmd(folio);
}

void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma)
{
	folio->page.mapping = (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON);
}

/*
 * mm_find_pmd(): the PMD entry covering @addr, or NULL when the upper levels
 * are missing or a PUD leaf maps the address.  The entry may be none, a
 * table or a huge leaf: the caller decides.
 */
pmd_t *mm_find_pmd(struct mm_struct *mm, uint64_t addr)
{
	pgd_t *pgd = pgd_offset(&mm->pgt, addr);
	pud_t *pud;

	if (!pgd_present(pgdp_get(pgd)))
		return NULL;
	pud = pud_offset(pgd, addr);
	if (!pud_present(pudp_get(pud)) || pud_leaf(pudp_get(pud)))
		return NULL;
	return pmd_offset(pud, addr);
}
