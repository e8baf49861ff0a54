// SPDX-License-Identifier: GPL-2.0-only
/*
 * zap.c - removing mappings: unmap_page_range() and free_pgtables().
 *
 * Zapping clears entries and drops what each entry held: the rmap, the RSS
 * counter and the folio reference of normal pages; nothing for the zero
 * pages and raw pfns.  A huge PMD wholly inside the range is zapped as one
 * (KERNEL-FACTS s2: DONTNEED of a whole PMD does not split it); one that
 * the range cuts is split first.  A PUD leaf (a driver's pfn PUD) likewise,
 * except that splitting it clears it whole, as Linux's __split_huge_pud()
 * does for everything not anonymous.  Tables are left in place, as MADV_DONTNEED
 * leaves them; free_pgtables() frees the ones no VMA covers any more, which
 * is what munmap and exit do after zapping.
 *
 * MODEL: no mmu_gather batching; a folio's reference is dropped as its
 * entry is cleared, since nothing can observe the window in between until
 * concurrent scenarios exist.
 */
#include "base/bug.h"
#include "mm/mm.h"

static void zap_pte_range(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr, uint64_t end)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(pmd, addr, &ptl);

	if (!pte)
		return;
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t ptent = ptep_get(pte);
		struct page *page;
		struct folio *folio;

		if (pte_none(ptent))
			continue;
		/* MODEL: a non-present PTE is a poked swap-like one: it holds nothing. */
		if (!pte_present(ptent)) {
			ptep_get_and_clear(pte);
			continue;
		}
		page = vm_normal_page(vma, addr, ptent);
		ptep_get_and_clear(pte);
		if (!page)
			continue;
		folio = page_folio(page);
		if (!folio_test_anon(folio) && pte_dirty(ptent))
			folio_set_dirty(folio);
		dec_mm_counter(mm, mm_counter(folio));
		folio_remove_rmap_pte(folio, page, vma);
		folio_put(folio);
	}
	pte_unmap_unlock(pte, ptl);
}

static void zap_pmd_range(struct vm_area_struct *vma, pud_t *pud, uint64_t addr, uint64_t end)
{
	pmd_t *pmd = pmd_offset(pud, addr);

	for (; addr < end; pmd++) {
		uint64_t next = (addr + PMD_SIZE) & PMD_MASK;
		pmd_t val;

		if (next > end || next == 0)
			next = end;
		val = pmdp_get(pmd);
		/* MODEL: a non-present PMD is a poked swap-like one: it holds nothing. */
		if (!pmd_none(val) && !pmd_present(val)) {
			set_pmd(pmd, __pmd(0));
			addr = next;
			continue;
		}
		if (pmd_leaf(val)) {
			if (next - addr == PMD_SIZE) {
				spinlock_t *ptl = pmd_lock(pmd);

				zap_huge_pmd(vma, pmd, addr);
				spin_unlock(ptl);
				addr = next;
				continue;
			}
			__split_huge_pmd(vma, pmd, addr);
			val = pmdp_get(pmd);
		}
		if (!pmd_none(val))
			zap_pte_range(vma, pmd, addr, next);
		addr = next;
	}
}

static void zap_pud_range(struct vm_area_struct *vma, pgd_t *pgd, uint64_t addr, uint64_t end)
{
	pud_t *pud = pud_offset(pgd, addr);

	for (; addr < end; pud++) {
		uint64_t next = (addr + PUD_SIZE) & PUD_MASK;

		if (next > end || next == 0)
			next = end;
		if (pud_leaf(pudp_get(pud))) {
			/* A cut PUD leaf is cleared whole; the rest refaults (R38). */
			if (next - addr != PUD_SIZE)
				__split_huge_pud(vma, pud, addr);
			else
				zap_huge_pud(vma, pud, addr);
			addr = next;
			continue;
		}
		if (pud_present(pudp_get(pud)))
			zap_pmd_range(vma, pud, addr, next);
		else if (!pud_none(pudp_get(pud)))
			set_pud(pud, __pud(0));		/* MODEL: a poked swap-like entry */
		addr = next;
	}
}

/* Precondition: mmap_lock held; [addr, end) inside @vma. */
void unmap_page_range(struct vm_area_struct *vma, uint64_t addr, uint64_t end)
{
	struct mm_struct *mm = vma->vm_mm;

	while (addr < end) {
		uint64_t next = (addr + PGDIR_SIZE) & PGDIR_MASK;
		pgd_t *pgd = pgd_offset(&mm->pgt, addr);

		if (next > end || next == 0)
			next = end;
		if (pgd_present(pgdp_get(pgd)))
			zap_pud_range(vma, pgd, addr, next);
		addr = next;
	}
}

void zap_page_range_single(struct vm_area_struct *vma, uint64_t addr, uint64_t size)
{
	unmap_page_range(vma, addr, addr + size);
}

static bool range_has_vma(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end;
}

static void free_pmd_range(struct mm_struct *mm, pud_t *pud, uint64_t addr, uint64_t end)
{
	uint64_t base = addr & PUD_MASK;
	pmd_t *table = pmd_offset(pud, base);

	for (uint64_t a = addr & PMD_MASK; a < end; a += PMD_SIZE) {
		pmd_t *pmd = &table[pmd_index(a)];
		pmd_t val = pmdp_get(pmd);

		if (pmd_none(val) || pmd_leaf(val))
			continue;
		if (!range_has_vma(mm, a, a + PMD_SIZE))
			free_pte_table(&mm->pgt, pmd);
	}
	if (!range_has_vma(mm, base, base + PUD_SIZE))
		free_pmd_table(&mm->pgt, pud);
}

/*
 * Free the page tables under [start, end) that no VMA uses any more: a
 * table is freed when no VMA intersects the range it maps, which is what
 * Linux's floor/ceiling arithmetic in free_pgd_range() amounts to.
 * Precondition: mmap_lock held for write; the range is zapped.
 */
void free_pgtables(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	for (uint64_t g = start & PGDIR_MASK; g < end; g += PGDIR_SIZE) {
		pgd_t *pgd = pgd_offset(&mm->pgt, g);
		uint64_t gend = g + PGDIR_SIZE;

		if (!pgd_present(pgdp_get(pgd)))
			continue;
		for (uint64_t u = (g < start ? start : g) & PUD_MASK; u < end && u < gend; u += PUD_SIZE) {
			pud_t *pud = pud_offset(pgd, u);
			uint64_t uend = u + PUD_SIZE;

			if (pud_leaf(pudp_get(pud)))
				/* pud_clear_bad(): the zap should have taken it */
				fl_report_bug("free_pgtables", "bad pud %016llx at 0x%llx",
					      (unsigned long long)pudp_get(pud).pud,
					      (unsigned long long)u);
			if (!pud_present(pudp_get(pud)) || pud_leaf(pudp_get(pud)))
				continue;
			free_pmd_range(mm, pud, u < start ? start : u, uend < end ? uend : end);
		}
		if (!range_has_vma(mm, g, gend))
			free_pud_table(&mm->pgt, pgd);
	}
}
