// SPDX-License-Identifier: GPL-2.0-only
/*
 * anon.c - the anonymous page fault: do_anonymous_page().
 *
 * A read maps the shared zero page through a special PTE (R39; V1 decides
 * whether the special bit is set) and allocates nothing, not even an
 * anon_vma: that is why fork() of a VMA that was only read copies nothing
 * (vma_needs_copy()).  A write allocates a zeroed order-0 folio, maps it
 * writable and dirty, and marks it AnonExclusive (KERNEL-FACTS s1: OWNER_2,
 * not PG_dirty: the dirty bit lives in the PTE).
 *
 * MODEL: anonymous mTHP sizes below PMD are off, as in Linux's default
 * sysfs settings, so alloc_anon_folio() is always order 0.
 */
#include "mm/mm.h"

vm_fault_t vmf_anon_prepare(struct vm_fault *vmf)
{
	return anon_vma_prepare(vmf->vma) ? VM_FAULT_OOM : 0;
}

struct folio *vma_alloc_zeroed_movable_folio(struct vm_area_struct *vma, uint64_t addr)
{
	(void)vma;
	(void)addr;
	return folio_alloc(__GFP_ZERO, 0);
}

static vm_fault_t do_anonymous_zero(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry = pfn_pte(my_zero_pfn(vmf->address), vma->vm_page_prot);

	if (fl_cfg.pte_special)
		entry = pte_mkspecial(entry);
	vmf->pte = pte_offset_map_lock(vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return 0;
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		fault_explain(vmf, 0, "anon", 0, false, FL_REASON_RACE, NULL);
		return 0;
	}
	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	fault_explain(vmf, 0, "anon", 0, false, FL_REASON_NONE, "zero");
	return 0;
}

/*
 * Preconditions: mmap_lock held for read; the PTE for vmf->address is none;
 * the VMA is anonymous and private.
 */
vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	pte_t entry;
	vm_fault_t ret;

	if (vma->vm_flags & VM_SHARED)
		return VM_FAULT_SIGBUS;
	if (pte_alloc(vma->vm_mm, vmf->pmd)) {
		fault_explain(vmf, 0, "anon", VM_FAULT_OOM, false, FL_REASON_ALLOC_FAILED, NULL);
		return VM_FAULT_OOM;
	}
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_anonymous_zero(vmf);

	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	folio = vma_alloc_zeroed_movable_folio(vma, vmf->address);
	if (!folio) {
		fault_explain(vmf, 0, "anon", VM_FAULT_OOM, false, FL_REASON_ALLOC_FAILED, NULL);
		return VM_FAULT_OOM;
	}
	/* __folio_mark_uptodate(): non-atomic, the folio is not mapped yet. */
	__or_ulong(&folio->page.flags, 1ul << PG_uptodate);
	entry = pte_mkyoung(pfn_pte(folio_pfn(folio), vma->vm_page_prot));
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));

	vmf->pte = pte_offset_map_lock(vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		goto release;
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		fault_explain(vmf, 0, "anon", 0, false, FL_REASON_RACE, NULL);
		goto release;
	}
	inc_mm_counter(vma->vm_mm, MM_ANONPAGES);
	folio_add_new_anon_rmap(folio, vma, vmf->address, true);
	set_pte(vmf->pte, entry);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	fault_explain(vmf, 0, "anon", 0, false, FL_REASON_NONE, "anon");
	return 0;
release:
	folio_put(folio);
	return 0;
}
