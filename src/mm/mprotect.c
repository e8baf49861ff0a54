// SPDX-License-Identifier: GPL-2.0-only
/*
 * mprotect.c - changing the protection of a range: do_mprotect().
 *
 * The VMAs are split at the edges, each gets its new flags and page
 * protection, its entries are rewritten with pte_modify() (a PROT_NONE PTE
 * keeps its frame and stays "present" to pagemap, KERNEL-FACTS s7), and the
 * VMAs merge again where they can.  Making a private range writable upgrades
 * exclusive anonymous PTEs to writable straight away
 * (can_change_pte_writable()), which is why a write after mprotect(RW) costs
 * no fault (KERNEL-FACTS s7).  A PUD leaf (a driver's pfn PUD) is changed
 * in place when the range covers it and cleared when the range cuts it
 * (change_huge_pud(), __split_huge_pud()); PUDs never get the write upgrade.
 */
#include <errno.h>

#include "mm/mm.h"

int split_vmas_at(struct mm_struct *mm, uint64_t start, uint64_t end);

static bool can_change_pte_writable(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	struct page *page;

	if (pte_protnone(pte))
		return false;
	if (!(vma->vm_flags & VM_SHARED)) {
		page = vm_normal_page(vma, addr, pte);
		return page && folio_test_anon(page_folio(page)) && PageAnonExclusive(page);
	}
	return pte_dirty(pte);
}

/*
 * mprotect_folio_pte_batch(): how many PTEs from @pte (at most @max) map
 * consecutive pages of the same large folio with the same write bit.  Dirty
 * and young may differ: the batch merges them (modify_prot_start_ptes()).
 */
static int mprotect_folio_pte_batch(struct vm_area_struct *vma, uint64_t addr, pte_t *pte,
				    int max, pte_t *merged)
{
	pte_t first = ptep_get(pte);
	struct page *page = vm_normal_page(vma, addr, first);
	struct folio *folio = page ? page_folio(page) : NULL;
	int nr = 1;

	*merged = first;
	if (!folio || !folio_test_large(folio))
		return 1;
	for (; nr < max; nr++) {
		pte_t next = ptep_get(pte + nr);
		unsigned long pfn = pte_pfn(first) + (unsigned long)nr;

		if (!pte_present(next) || pte_pfn(next) != pfn ||
		    pte_write(next) != pte_write(first) || pfn - folio_pfn(folio) >= folio_nr_pages(folio))
			break;
		merged->pte |= next.pte & (_PAGE_DIRTY | _PAGE_ACCESSED);
	}
	return nr;
}

/*
 * Rewrite @nr PTEs from @pte with @ptent's protection and merged bits.  The
 * write upgrade is decided once for a shared batch, on the merged entry (so
 * one dirty page makes its clean neighbours writable: Linux 6.17+
 * set_write_prot_commit_flush_ptes()), and per page for private anonymous
 * memory, where only AnonExclusive pages may become writable.
 */
static void commit_ptes(struct vm_area_struct *vma, uint64_t addr, pte_t *pte, int nr,
			pte_t ptent, bool try_writable)
{
	bool upgrade = try_writable && !pte_write(ptent);
	bool shared_write = upgrade && (vma->vm_flags & VM_SHARED) &&
			    can_change_pte_writable(vma, addr, ptent);

	for (int i = 0; i < nr; i++) {
		pte_t e = __pte((ptent.pte & ~PTE_PFN_MASK) |
				((uint64_t)(pte_pfn(ptent) + (unsigned long)i) << PAGE_SHIFT));

		if (shared_write ||
		    (upgrade && !(vma->vm_flags & VM_SHARED) &&
		     can_change_pte_writable(vma, addr + ((uint64_t)i << PAGE_SHIFT), e)))
			e = pte_mkwrite(e);
		set_pte(pte + i, e);
	}
}

static void change_pte_range(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr,
			     uint64_t end, bool try_writable)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(pmd, addr, &ptl);
	pte_t *first = pte;
	int nr;

	if (!pte)
		return;
	for (; addr < end; addr += (uint64_t)nr << PAGE_SHIFT, pte += nr) {
		int max = (int)((end - addr) >> PAGE_SHIFT);
		pte_t merged;

		nr = 1;
		if (!pte_present(ptep_get(pte)))
			continue;
		nr = mprotect_folio_pte_batch(vma, addr, pte, max, &merged);
		commit_ptes(vma, addr, pte, nr, pte_modify(merged, vma->vm_page_prot), try_writable);
	}
	pte_unmap_unlock(first, ptl);
}

/*
 * change_pud_range()'s leaf case: a PUD leaf wholly inside [addr, end) gets
 * the new protection in place; one the range cuts is split (cleared, for a
 * driver's pfn PUD) and refaults.  Returns where the caller goes on from.
 */
static uint64_t change_pud_leaf(struct vm_area_struct *vma, uint64_t addr, uint64_t end)
{
	pgd_t *pgd = pgd_offset(&vma->vm_mm->pgt, addr);
	uint64_t next = (addr + PUD_SIZE) & PUD_MASK;
	pud_t *pud;

	if (!pgd_present(pgdp_get(pgd)))
		return addr;
	pud = pud_offset(pgd, addr);
	if (!pud_leaf(pudp_get(pud)))
		return addr;
	if (next > end)
		next = end;
	if (next - addr != PUD_SIZE || !change_huge_pud(vma, pud, addr, vma->vm_page_prot))
		__split_huge_pud(vma, pud, addr);
	return next;
}

static void change_protection(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	/* vma_wants_manual_pte_write_upgrade() */
	bool try_writable = (vma->vm_flags & VM_SHARED) ? vma_wants_writenotify(vma) :
			    (vma->vm_flags & VM_WRITE) != 0;

	for (uint64_t addr = start; addr < end;) {
		uint64_t next = (addr + PMD_SIZE) & PMD_MASK;
		uint64_t after_pud = change_pud_leaf(vma, addr, end);
		pmd_t *pmd;

		if (after_pud != addr) {
			addr = after_pud;
			continue;
		}
		pmd = mm_find_pmd(vma->vm_mm, addr);
		if (next > end)
			next = end;
		if (pmd && pmd_leaf(pmdp_get(pmd))) {
			if (next - addr == PMD_SIZE &&
			    change_huge_pmd(vma, pmd, addr, vma->vm_page_prot, try_writable)) {
				addr = next;
				continue;
			}
			__split_huge_pmd(vma, pmd, addr);
		}
		if (pmd && !pmd_none(pmdp_get(pmd)))
			change_pte_range(vma, pmd, addr, next, try_writable);
		addr = next;
	}
}

/*
 * mprotect_fixup(): give [start, end) of @vma the flags @newflags, splitting
 * it at the edges and merging it with its neighbours afterwards.  VM_ACCOUNT
 * follows Linux: making private memory writable charges it; making it
 * read-only gives the charge back only if nothing was ever written.
 */
static int mprotect_fixup(struct vm_area_struct *vma, uint64_t start, uint64_t end,
			  unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long oldflags = vma->vm_flags;

	if (newflags & VM_WRITE) {
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED)))
			newflags |= VM_ACCOUNT;
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(vma) && !vma->anon_vma) {
		newflags &= ~VM_ACCOUNT;
	}
	if (split_vmas_at(mm, start, end))
		return -ENOMEM;
	vma = find_vma(mm, start);
	vma->vm_flags = newflags;
	vma_set_page_prot(vma);
	change_protection(vma, vma->vm_start, vma->vm_end);
	vma_merge_neighbours(vma);
	return 0;
}

/*
 * do_mprotect_pkey(): VMA by VMA from @start; a hole stops the walk with
 * -ENOMEM, and what was changed before it stays changed, as in Linux.
 * Precondition: mmap_lock not held.
 */
int do_mprotect(struct mm_struct *mm, uint64_t start, uint64_t len, int prot)
{
	uint64_t end = start + ((len + PAGE_SIZE - 1) & PAGE_MASK), nstart = start;
	unsigned long bits = ((prot & PROT_READ) ? VM_READ : 0) | ((prot & PROT_WRITE) ? VM_WRITE : 0);
	int err = 0;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (end <= start)
		return end == start ? 0 : -ENOMEM;
	mmap_write_lock(mm);
	while (nstart < end) {
		struct vm_area_struct *vma = find_vma(mm, nstart);
		unsigned long newflags;
		uint64_t tmp;

		if (!vma || vma->vm_start > nstart) {
			err = -ENOMEM;
			break;
		}
		newflags = (vma->vm_flags & ~(VM_READ | VM_WRITE)) | bits;
		if ((newflags & VM_WRITE) && !(newflags & VM_MAYWRITE)) {
			err = -EACCES;
			break;
		}
		tmp = vma->vm_end < end ? vma->vm_end : end;
		err = mprotect_fixup(vma, nstart, tmp, newflags);
		if (err)
			break;
		nstart = tmp;
	}
	/* The VMA below the range may merge with what changed, too. */
	if (start) {
		struct vm_area_struct *below = find_vma(mm, start - 1);

		if (below && below->vm_start < start)
			vma_merge_neighbours(below);
	}
	mmap_write_unlock(mm);
	return err;
}
