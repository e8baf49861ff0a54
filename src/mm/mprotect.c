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
 * no fault (KERNEL-FACTS s7).
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

static void change_pte_range(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr,
			     uint64_t end, bool try_writable)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(pmd, addr, &ptl);

	if (!pte)
		return;
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		pte_t old = ptep_get(pte), ptent;

		if (!pte_present(old))
			continue;
		ptent = pte_modify(old, vma->vm_page_prot);
		if (try_writable && !pte_write(ptent) && can_change_pte_writable(vma, addr, ptent))
			ptent = pte_mkwrite(ptent);
		set_pte(pte, ptent);
	}
	pte_unmap_unlock(pte, ptl);
}

static pmd_t *lookup_pmd(struct mm_struct *mm, uint64_t addr)
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

static void change_protection(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	/* vma_wants_manual_pte_write_upgrade(): private and now writable */
	bool try_writable = !(vma->vm_flags & VM_SHARED) && (vma->vm_flags & VM_WRITE);

	for (uint64_t addr = start; addr < end;) {
		uint64_t next = (addr + PMD_SIZE) & PMD_MASK;
		pmd_t *pmd = lookup_pmd(vma->vm_mm, addr);

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
