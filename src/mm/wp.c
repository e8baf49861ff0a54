// SPDX-License-Identifier: GPL-2.0-only
/*
 * wp.c - write-protect faults: do_wp_page(), reuse or copy.
 *
 * A write to a present, read-only PTE.  In a private mapping the page is
 * reused when it is an anonymous page this process owns exclusively
 * (PageAnonExclusive, or the refcount proves no one else can see it) and
 * copied otherwise: the zero page, a page shared after fork, a page with an
 * extra reference (KERNEL-FACTS s3, s9b).  Shared mappings go to the file's
 * write-notify path (wp_page_shared(), KERNEL-FACTS s4).
 *
 * Precondition for every function here: the PTE lock is held on entry and
 * released on return (Linux's convention for do_wp_page()).
 */
#include <string.h>

#include "mm/mm.h"
#include "phys/memremap.h"

/*
 * wp_page_reuse(): make the faulting PTE young, dirty and (with VM_WRITE)
 * writable in place, and drop the PTE lock.  @mapped is what --explain
 * reports: the exclusive anon page, a shared file page, a raw pfn.
 */
static void wp_page_reuse(struct vm_fault *vmf, const char *mapped)
{
	pte_t entry = pte_mkyoung(vmf->orig_pte);

	entry = pte_mkdirty(entry);
	if (vmf->vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(entry);
	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	fault_explain(vmf, 0, "wp", 0, false, FL_REASON_NONE, mapped);
}

/*
 * How many of @folio's mappings live in @vma's page tables: its PMD if one
 * maps the folio, plus every PTE that maps one of its pages.  The folio's
 * pages sit at the addresses its index gives (anonymous memory never moves
 * here: MODEL, no mremap).
 */
static long folio_mappings_in_vma(struct folio *folio, struct vm_area_struct *vma)
{
	unsigned long nr = folio_nr_pages(folio), head = folio_pfn(folio);
	uint64_t base = vma->vm_start + ((folio->page.index - vma->vm_pgoff) << PAGE_SHIFT);
	long n = 0;

	for (unsigned long i = 0; i < nr; i++) {
		uint64_t addr = base + (i << PAGE_SHIFT);
		struct fl_leaf leaf;

		if (addr < vma->vm_start || addr >= vma->vm_end)
			continue;
		fl_walk(vma->vm_mm, addr, &leaf);
		if (leaf.level == 2 && leaf.pfn - i == head) {
			n++;
			i = nr;		/* one PMD maps the whole folio */
		} else if (leaf.level == 1 && pte_present(__pte(leaf.entry)) && leaf.pfn == head + i) {
			n++;
		}
	}
	return n;
}

/* Every VMA that can map the folio: those sharing the faulting VMA's anon_vma. */
static long folio_mappings_in_mm(struct folio *folio, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	long n = 0;

	for (int i = 0; i < mm->nr_vmas; i++)
		if (mm->vmas[i]->anon_vma == vma->anon_vma)
			n += folio_mappings_in_vma(folio, mm->vmas[i]);
	return n;
}

/*
 * A large folio whose pages are mapped by PTEs: reusable when every
 * reference is a mapping and every mapping is in this mm
 * (__wp_can_reuse_large_anon_folio()).
 * MODEL: Linux knows the owning mms from folio->_mm_ids; faultline counts
 * this mm's own mappings of the folio and compares.
 */
static bool wp_can_reuse_large_anon_folio(struct folio *folio, struct vm_area_struct *vma)
{
	if (folio_large_mapcount(folio) <= 1)
		return false;
	if (folio_large_mapcount(folio) != folio_ref_count(folio))
		return false;
	return folio_mappings_in_mm(folio, vma) == folio_large_mapcount(folio);
}

static bool wp_can_reuse_anon_folio(struct folio *folio, struct vm_area_struct *vma)
{
	if (folio_test_large(folio))
		return wp_can_reuse_large_anon_folio(folio, vma);
	/* MODEL: no LRU batches or swap cache hold references here. */
	if (folio_ref_count(folio) != 1)
		return false;
	folio_move_anon_rmap(folio, vma);
	return true;
}

static vm_fault_t wp_page_copy(struct vm_fault *vmf, struct folio *old_folio)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct folio *new_folio;
	pte_t entry;

	if (vmf_anon_prepare(vmf))
		goto oom;
	if (is_zero_pfn(pte_pfn(vmf->orig_pte))) {
		new_folio = vma_alloc_zeroed_movable_folio(vma, vmf->address);
	} else {
		/* No struct page (a raw pfn of a PFN map): copy the frame's bytes. */
		void *src = vmf->page ? page_address(vmf->page) : pfn_to_virt(pte_pfn(vmf->orig_pte));

		new_folio = folio_alloc(0, 0);
		if (new_folio)
			memcpy(page_address(&new_folio->page), src, PAGE_SIZE);
	}
	if (!new_folio)
		goto oom;
	__folio_mark_uptodate(new_folio);

	vmf->pte = pte_offset_map_lock(vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte || !pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		if (vmf->pte)
			pte_unmap_unlock(vmf->pte, vmf->ptl);
		folio_put(new_folio);
		if (old_folio)
			folio_put(old_folio);
		fault_explain(vmf, 0, "wp", 0, false, FL_REASON_RACE, NULL);
		return 0;
	}
	if (old_folio && !folio_test_anon(old_folio)) {
		dec_mm_counter(mm, mm_counter_file(old_folio));
		inc_mm_counter(mm, MM_ANONPAGES);
	} else if (!old_folio) {
		inc_mm_counter(mm, MM_ANONPAGES);
	}
	entry = pte_mkyoung(pfn_pte(folio_pfn(new_folio), vma->vm_page_prot));
	entry = pte_mkdirty(entry);
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(entry);
	ptep_get_and_clear(vmf->pte);	/* ptep_clear_flush() */
	folio_add_new_anon_rmap(new_folio, vma, vmf->address, true);
	set_pte(vmf->pte, entry);
	if (old_folio)
		folio_remove_rmap_pte(old_folio, vmf->page, vma);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	count_vm_event(COW_COPY);
	fault_explain(vmf, 0, "wp", 0, false, FL_REASON_NONE, "anon");
	if (old_folio) {
		folio_put(old_folio);	/* the mapping's reference */
		folio_put(old_folio);	/* ours, from do_wp_page() */
	}
	return 0;
oom:
	if (old_folio)
		folio_put(old_folio);
	fault_explain(vmf, 0, "wp", VM_FAULT_OOM, false, FL_REASON_ALLOC_FAILED, NULL);
	return VM_FAULT_OOM;
}

/*
 * finish_mkwrite_fault(): after ->page_mkwrite or ->pfn_mkwrite ran with
 * the PTE lock dropped, take it again and make sure the PTE is still the one
 * that faulted.  False (lock not held) when it changed: a racing fault won.
 */
static bool finish_mkwrite_fault(struct vm_fault *vmf)
{
	vmf->pte = pte_offset_map_lock(vmf->pmd, vmf->address, &vmf->ptl);
	if (vmf->pte && pte_same(ptep_get(vmf->pte), vmf->orig_pte))
		return true;
	if (vmf->pte)
		pte_unmap_unlock(vmf->pte, vmf->ptl);
	fault_explain(vmf, 0, "wp", 0, false, FL_REASON_RACE, NULL);
	return false;
}

/*
 * wp_page_shared(): a write to a read-only PTE of a shared file mapping,
 * read-only because of write-notify (vma_wants_writenotify()).  Tell the
 * filesystem (page_mkwrite, with the PTE lock dropped: it may sleep),
 * re-check that the PTE did not change meanwhile (finish_mkwrite_fault()),
 * then make the PTE writable and dirty in place and dirty the folio
 * (fault_dirty_shared_page()).  KERNEL-FACTS s4: one fault, the folio
 * becomes DIRTY, smaps moves the page to Private_Dirty.
 */
static vm_fault_t wp_page_shared(struct vm_fault *vmf, struct folio *folio)
{
	struct vm_area_struct *vma = vmf->vma;

	folio_get(folio);
	if (vma->vm_ops && vma->vm_ops->page_mkwrite) {
		vm_fault_t tmp;

		pte_unmap_unlock(vmf->pte, vmf->ptl);
		tmp = do_page_mkwrite(vmf, folio);
		if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
			folio_put(folio);
			fault_explain(vmf, 0, "wp", tmp, false, FL_REASON_NONE, NULL);
			return tmp;
		}
		if (!finish_mkwrite_fault(vmf)) {
			folio_put(folio);
			return 0;
		}
	}
	wp_page_reuse(vmf, "file");
	folio_set_dirty(folio);		/* fault_dirty_shared_page() */
	folio_put(folio);
	return 0;
}

/*
 * wp_pfn_shared(): a write to a read-only raw pfn of a shared PFN or mixed
 * map.  A driver with pfn_mkwrite is asked first (and may refuse); without
 * one the entry is simply made writable in place, no copy (there is no
 * page to copy from or to account).
 */
static vm_fault_t wp_pfn_shared(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma->vm_ops && vma->vm_ops->pfn_mkwrite) {
		vm_fault_t ret;

		pte_unmap_unlock(vmf->pte, vmf->ptl);
		vmf->flags |= FAULT_FLAG_MKWRITE;
		ret = vma->vm_ops->pfn_mkwrite(vmf);
		if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
			if (!vma_is_dax(vma))	/* DAX's ->pfn_mkwrite explained itself */
				fault_explain(vmf, 0, "wp", ret, false, FL_REASON_NONE, NULL);
			return ret;
		}
		if (!finish_mkwrite_fault(vmf))
			return 0;
	}
	wp_page_reuse(vmf, "pfn");
	return 0;
}

vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio = NULL;

	vmf->page = vm_normal_page(vma, vmf->address, vmf->orig_pte);
	if (vmf->page)
		folio = page_folio(vmf->page);
	/*
	 * R55: FS-DAX pages of a shared mapping go through ->pfn_mkwrite; so do
	 * V18's 2016 hole pages, whose ->page_mkwrite was the same DAX write fault.
	 */
	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) && folio &&
	    (folio_is_fsdax(folio) || vma_is_dax(vma))) {
		vmf->page = NULL;
		folio = NULL;
	}

	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) && folio)
		return wp_page_shared(vmf, folio);
	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		return wp_pfn_shared(vmf);
	if (folio && folio_test_anon(folio) &&
	    (PageAnonExclusive(vmf->page) || wp_can_reuse_anon_folio(folio, vma))) {
		if (!PageAnonExclusive(vmf->page))
			SetPageAnonExclusive(vmf->page);
		count_vm_event(COW_REUSE);
		wp_page_reuse(vmf, "anon");
		return 0;
	}
	if (folio)
		folio_get(folio);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return wp_page_copy(vmf, folio);
}
