// SPDX-License-Identifier: GPL-2.0-only
/*
 * gup_fast.c - GUP-fast: get_user_pages without mmap_lock (issue 4; SPEC.md
 * R18, R74's context; KERNEL-FACTS s9a-s9c for what pins do).
 *
 * Linux walks the page tables under rcu_read_lock() with interrupts off,
 * takes a speculative reference on each folio, then re-reads the entry and
 * backs out if it changed; page-table pages are freed only after a grace
 * period (or an IPI), so the walk never reads a freed table.  Whatever it
 * cannot do it leaves to the slow path (fl_gup() in gup.c calls this first,
 * as get_user_pages_fast() and pin_user_pages_fast() do), which faults the
 * rest in under mmap_lock.  gup_fast() refuses:
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
 *    unshare fault makes it so; gup_must_unshare());
 *  - a FOLL_LONGTERM pin of a folio that may not be pinned long-term (FS-DAX:
 *    folio_is_longterm_pinnable()), and whatever gup_fast_folio_allowed()
 *    refuses: without the VMA it cannot tell a secretmem or a dirty-tracked
 *    file folio from a harmless one, so it lets through only what it can
 *    prove harmless (below).
 *
 * It returns how many pages from @start it grabbed, in order; a short
 * count means "do the rest the slow way".  The GUP_FAST and GUP_SLOW vm
 * events count the pages each path took (MODEL: no /proc/vmstat names).
 * @flags: FOLL_GET or FOLL_PIN, with FOLL_WRITE and FOLL_LONGTERM as asked.
 * MODEL: page tables are not yet freed through RCU (src/pgtable/pgalloc.c),
 * so the read-side section documents the rule rather than enforcing it;
 * scenarios run one thread at a time.  Linux 6.1 (V5 one_based) grabbed
 * devmap entries here for short-term GUP; faultline sends them to the slow
 * path, which takes the same references.
 */
#include "fs/pagecache.h"
#include "mm/mm.h"
#include "sync/rcu.h"

/* folio_is_longterm_pinnable(): no ZONE_MOVABLE or CMA here; FS-DAX never. */
static bool folio_is_longterm_pinnable(struct folio *folio)
{
	return !pfn_is_pmem(folio_pfn(folio));
}

/*
 * gup_fast_folio_allowed() (Linux 6.18): may GUP-fast hand out @folio,
 * which it holds a reference on?  Only a writable long-term pin of a file
 * folio other than shmem is a problem (the filesystem cannot track the
 * writes: writable_file_mapping_allowed() refuses it in the slow path), and
 * a small folio might be secretmem, which has no direct map.  Both need the
 * folio's mapping: none (truncated, or a driver's page) sends the walk to
 * the slow path; anonymous is fine; shmem is fine.  MODEL: there is no
 * secretmem, so a small folio with a file mapping passes that test.
 */
static bool gup_fast_folio_allowed(struct folio *folio, unsigned int flags)
{
	const unsigned int bad = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
	bool reject_file_backed = (flags & bad) == bad;
	bool check_secretmem = !folio_test_large(folio);
	uintptr_t mapping = (uintptr_t)folio->page.mapping;

	if (!reject_file_backed && !check_secretmem)
		return true;
	if (!mapping)
		return false;
	if (mapping & PAGE_MAPPING_ANON)
		return true;
	/* pmem folios belong to a DAX file: never shmem */
	if (pfn_is_pmem(folio_pfn(folio)))
		return !reject_file_backed;
	return !reject_file_backed || ((struct fl_file *)mapping)->kind == FL_FILE_TMPFS;
}

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
			  unsigned int flags, struct folio **folios)
{
	bool pin = flags & FOLL_PIN;
	struct page *page;
	struct folio *folio;

	if (!pfn_valid(pfn))
		return false;	/* no struct page: never without the special bit, but be safe */
	page = pfn_to_page(pfn);
	folio = page_folio(page);
	if (folio_ref_count(folio) <= 0)
		return false;
	/* try_grab_folio_fast(): a long-term pin must be allowed to stay */
	if ((flags & FOLL_LONGTERM) && !folio_is_longterm_pinnable(folio))
		return false;
	gup_fast_grab(folio, nr, pin);
	if (read_once_u64(entryp) != entry || !gup_fast_folio_allowed(folio, flags) ||
	    (pin && !(entry & _PAGE_RW) && folio_test_anon(folio) && !PageAnonExclusive(page))) {
		/* changed under us, not provably harmless, or must be unshared first */
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
long gup_fast(struct mm_struct *mm, uint64_t start, unsigned long nr_pages,
	      unsigned int flags, struct folio **folios)
{
	bool write = flags & FOLL_WRITE;
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
					   ((addr & ~PUD_MASK) >> PAGE_SHIFT), n, flags, folios + done))
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
						   ((addr & ~PMD_MASK) >> PAGE_SHIFT), n, flags,
						   folios + done))
					break;
			} else {
				if (!(e & _PAGE_PRESENT))
					break;
				ptep = pte_offset_kernel(pmdp, addr);
				e = ptep_get(ptep).pte;
				n = 1;
				if (!gup_fast_entry_ok(e, pte_special(__pte(e)), write) ||
				    !gup_fast_leaf(&ptep->pte, e, pte_pfn(__pte(e)), 1, flags,
						   folios + done))
					break;
			}
		}
		done += (long)n;
		addr += (uint64_t)n << PAGE_SHIFT;
	}
	rcu_read_unlock();
	count_vm_events(GUP_FAST, done);
	return done;
}
