// SPDX-License-Identifier: GPL-2.0-only
/*
 * gup_fast.c - GUP-fast: get_user_pages without mmap_lock (stretch goal of
 * issue 4; SPEC.md R18, R74's context).
 *
 * Linux walks the page tables under rcu_read_lock() with interrupts off,
 * takes a speculative reference on each folio, then re-reads the entry and
 * backs out if it changed; page-table pages are freed only after a grace
 * period (or an IPI), so the walk never reads a freed table.  Whatever it
 * cannot do it leaves to the slow path (fl_gup() in gup.c), which faults
 * the rest in under mmap_lock.  gup_fast() refuses:
 *
 *  - anything without special bits (V1 off): Linux builds GUP-fast only
 *    with ARCH_HAS_PTE_SPECIAL, because only the special bit tells it,
 *    without the VMA, that an entry has no refcounted page behind it;
 *  - special entries at every level: the zero folios, raw pfns of PFN and
 *    mixed maps, DAX's old devmap entries (R2, R18: the slow path decides
 *    what GUP gets for them);
 *  - non-present, PROT_NONE and, for a write, read-only entries (a write
 *    fault must break CoW first);
 *  - a FOLL_PIN of an anon page that is not exclusive (the slow path's
 *    unshare fault makes it so; gup_must_unshare()).
 *
 * It returns how many pages from @start it grabbed, in order; a short
 * count means "do the rest the slow way".
 * MODEL: page tables are not yet freed through RCU (src/pgtable/pgalloc.c),
 * so the read-side section documents the rule rather than enforcing it;
 * scenarios run one thread at a time.  FOLL_LONGTERM's file-backed check
 * is not needed: faultline's pins of file pages come with page-cache files.
 */
#include "mm/mm.h"
#include "sync/rcu.h"

/* try_grab_folio_fast(): the same references the slow path takes. */
static void gup_fast_grab(struct folio *folio, unsigned long refs, bool pin)
{
	if (!pin) {
		folio_ref_add(folio, (int)refs);
	} else if (folio_test_large(folio)) {
		folio_ref_add(folio, (int)refs);
		atomic_add((int)refs, &folio_page(folio, 1)->_pincount);
	} else {
		folio_ref_add(folio, (int)(refs * GUP_PIN_COUNTING_BIAS));
	}
}

static void gup_fast_undo(struct folio *folio, unsigned long refs, bool pin)
{
	if (!pin) {
		folio_ref_add(folio, -(int)refs);
	} else if (folio_test_large(folio)) {
		atomic_add(-(int)refs, &folio_page(folio, 1)->_pincount);
		folio_ref_add(folio, -(int)refs);
	} else {
		folio_ref_add(folio, -(int)(refs * GUP_PIN_COUNTING_BIAS));
	}
}

/* What every level refuses, from the entry's bits alone. */
static bool gup_fast_entry_ok(uint64_t entry, bool special, bool write)
{
	uint64_t need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);

	return !special && (entry & need) == need;
}

/*
 * One leaf: grab @nr pages of the folio at @pfn, then check that *@entryp
 * still holds @entry.  Returns false (nothing held) to stop the walk.
 */
static bool gup_fast_leaf(uint64_t *entryp, uint64_t entry, unsigned long pfn, unsigned long nr,
			  bool pin, struct folio **folios)
{
	struct page *page;
	struct folio *folio;

	if (!pfn_valid(pfn))
		return false;	/* no struct page: never without the special bit, but be safe */
	page = pfn_to_page(pfn);
	folio = page_folio(page);
	if (folio_ref_count(folio) <= 0)
		return false;
	if (pin && folio_test_anon(folio) && !PageAnonExclusive(page))
		return false;	/* gup_must_unshare(): the slow path unshares */
	gup_fast_grab(folio, nr, pin);
	if (read_once_u64(entryp) != entry) {
		gup_fast_undo(folio, nr, pin);
		return false;
	}
	for (unsigned long i = 0; i < nr; i++)
		folios[i] = folio;
	return true;
}

/* The pages left in this PMD/PUD after @addr, capped at @left. */
static unsigned long span(uint64_t addr, uint64_t size, unsigned long left)
{
	unsigned long n = (unsigned long)((((addr & ~(size - 1)) + size) - addr) >> PAGE_SHIFT);

	return n < left ? n : left;
}

/* Preconditions: none held; the caller is a registered RCU reader. */
long gup_fast(struct mm_struct *mm, uint64_t start, unsigned long nr_pages, bool write, bool pin,
	      struct folio **folios)
{
	uint64_t addr = start & PAGE_MASK;
	long done = 0;

	if (!fl_cfg.pte_special)
		return 0;
	rcu_read_lock();
	while ((unsigned long)done < nr_pages) {
		pgd_t pgd = pgdp_get(pgd_offset(&mm->pgt, addr));
		unsigned long left = nr_pages - (unsigned long)done, n;
		pud_t *pudp;
		pmd_t *pmdp;
		pte_t *ptep;
		uint64_t e;

		if (!pgd_present(pgd))
			break;
		pudp = pud_offset(pgd_offset(&mm->pgt, addr), addr);
		e = pudp_get(pudp).pud;
		if (pud_leaf(__pud(e))) {
			n = span(addr, PUD_SIZE, left);
			if (!gup_fast_entry_ok(e, pud_special(__pud(e)), write) ||
			    !gup_fast_leaf(&pudp->pud, e, pud_pfn(__pud(e)) +
					   ((addr & ~PUD_MASK) >> PAGE_SHIFT), n, pin, folios + done))
				break;
		} else {
			if (!(e & _PAGE_PRESENT))
				break;
			pmdp = pmd_offset(pudp, addr);
			e = pmdp_get(pmdp).pmd;
			if (pmd_leaf(__pmd(e))) {
				n = span(addr, PMD_SIZE, left);
				if (!gup_fast_entry_ok(e, pmd_special(__pmd(e)), write) ||
				    !gup_fast_leaf(&pmdp->pmd, e, pmd_pfn(__pmd(e)) +
						   ((addr & ~PMD_MASK) >> PAGE_SHIFT), n, pin,
						   folios + done))
					break;
			} else {
				if (!(e & _PAGE_PRESENT))
					break;
				ptep = pte_offset_kernel(pmdp, addr);
				e = ptep_get(ptep).pte;
				n = 1;
				if (!gup_fast_entry_ok(e, pte_special(__pte(e)), write) ||
				    !gup_fast_leaf(&ptep->pte, e, pte_pfn(__pte(e)), 1, pin,
						   folios + done))
					break;
			}
		}
		done += (long)n;
		addr += (uint64_t)n << PAGE_SHIFT;
	}
	rcu_read_unlock();
	return done;
}
