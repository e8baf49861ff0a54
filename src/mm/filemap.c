// SPDX-License-Identifier: GPL-2.0-only
/*
 * filemap.c - the file side of the fault path: do_fault() and what it calls.
 *
 * A missing PTE in a VMA with vm_ops goes to do_read_fault(),
 * do_cow_fault() or do_shared_fault(), as in Linux 6.18's mm/memory.c:
 *
 *  - reads first fault around (do_fault_around(): a window of
 *    fault_around_bytes aligned on the virtual address, clipped to the VMA
 *    and the PTE table, whose cached pages ->map_pages() maps in one go;
 *    if that mapped the faulting page the fault is done), then ask ->fault()
 *    for the page and finish_fault() maps it;
 *  - writes to private mappings copy the file page into a new anonymous
 *    page (do_cow_fault(), KERNEL-FACTS s6);
 *  - writes to shared mappings map the page itself and dirty it (writes
 *    never fault around).
 *
 * finish_fault() allocates the PTE table only after it knows no PMD mapping
 * applies, and re-checks the PTE under the lock (R75, R78).  Issue-6 work
 * (page-cache files, PMD-sized folios, the V16/V17 variants) builds on this.
 */
#include <string.h>

#include "mm/mm.h"

/*
 * set_pte_range(): map @folio's @page at @addr through @ptep (PTE lock
 * held).  Prefaulted neighbours are never written, and are old when the
 * architecture asks for it (V17).
 */
static void set_pte_range(struct vm_fault *vmf, struct folio *folio, struct page *page,
			  uint64_t addr, pte_t *ptep)
{
	struct vm_area_struct *vma = vmf->vma;
	bool prefault = addr != vmf->address;
	bool write = !prefault && (vmf->flags & FAULT_FLAG_WRITE);
	pte_t entry = pfn_pte(page_to_pfn(page), vma->vm_page_prot);

	if (prefault && fl_cfg.old_prefault_pte)
		entry = pte_mkold(entry);
	else
		entry = pte_mkyoung(entry);
	if (write) {
		entry = pte_mkdirty(entry);
		if (vma->vm_flags & VM_WRITE)
			entry = pte_mkwrite(entry);
	}
	if (write && !(vma->vm_flags & VM_SHARED))
		folio_add_new_anon_rmap(folio, vma, addr, true);
	else
		folio_add_file_rmap_pte(folio, page);
	set_pte(ptep, entry);
}

/*
 * Map vmf->page (or the CoW copy).  The caller's folio reference becomes the
 * mapping's.  Returns 0, VM_FAULT_NOPAGE if the PTE changed under us (the
 * caller then drops its reference), or VM_FAULT_OOM.
 */
static vm_fault_t finish_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool is_cow = (vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED);
	struct page *page = is_cow ? vmf->cow_page : vmf->page;
	struct folio *folio = page_folio(page);

	if (pmd_none(pmdp_get(vmf->pmd))) {
		/* MODEL: no PMD-sized page-cache folios yet, so do_set_pmd() never applies. */
		if (vmf->prealloc_pte) {
			spinlock_t *ptl = pmd_lock(vmf->pmd);

			if (pmd_none(pmdp_get(vmf->pmd))) {
				mm_inc_nr_ptes(vma->vm_mm);
				pmd_populate(vmf->pmd, vmf->prealloc_pte);
				vmf->prealloc_pte = NULL;
			}
			spin_unlock(ptl);
		} else if (pte_alloc(vma->vm_mm, vmf->pmd)) {
			return VM_FAULT_OOM;
		}
	}
	vmf->pte = pte_offset_map_lock(vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return VM_FAULT_NOPAGE;
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return VM_FAULT_NOPAGE;
	}
	set_pte_range(vmf, folio, page, vmf->address, vmf->pte);
	add_mm_counter(vma->vm_mm, is_cow ? MM_ANONPAGES : mm_counter_file(folio), 1);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* Free a prealloc_pte that nobody installed. */
static void release_prealloc(struct vm_fault *vmf)
{
	if (vmf->prealloc_pte) {
		pte_free(&vmf->vma->vm_mm->pgt, vmf->prealloc_pte);
		vmf->prealloc_pte = NULL;
	}
}

static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long nr_pages = (unsigned long)(fl_cfg.fault_around_bytes >> PAGE_SHIFT);
	unsigned long pte_off = pte_index(vmf->address);
	unsigned long vma_off = vmf->pgoff - vma->vm_pgoff;
	unsigned long vma_pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	unsigned long from = pte_off & ~(nr_pages - 1), to;

	if (from < pte_off - (pte_off < vma_off ? pte_off : vma_off))
		from = pte_off - (pte_off < vma_off ? pte_off : vma_off);
	to = from + nr_pages;
	if (to > PTRS_PER_TABLE)
		to = PTRS_PER_TABLE;
	if (to > pte_off + vma_pages - vma_off)
		to = pte_off + vma_pages - vma_off;
	to--;
	if (pmd_none(pmdp_get(vmf->pmd))) {
		vmf->prealloc_pte = pte_alloc_one(&vma->vm_mm->pgt);
		if (!vmf->prealloc_pte)
			return VM_FAULT_OOM;
	}
	return vma->vm_ops->map_pages(vmf, vmf->pgoff + from - pte_off, vmf->pgoff + to - pte_off);
}

static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = vmf->vma->vm_ops->fault(vmf);

	if (!(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) && !vmf->page)
		return VM_FAULT_SIGBUS;
	return ret;
}

static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;

	if (vmf->vma->vm_ops->map_pages && fl_cfg.fault_around_bytes > PAGE_SIZE) {
		ret = do_fault_around(vmf);
		if (ret) {
			release_prealloc(vmf);
			fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE,
				      ret & VM_FAULT_NOPAGE ? "file" : NULL);
			return ret;
		}
	}
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		release_prealloc(vmf);
		return ret;
	}
	ret |= finish_fault(vmf);
	release_prealloc(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		folio_put(page_folio(vmf->page));
	fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE, ret ? NULL : "file");
	return ret;
}

static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *copy;
	vm_fault_t ret;

	if (vmf_anon_prepare(vmf))
		return VM_FAULT_OOM;
	copy = folio_alloc(0, 0);
	if (!copy)
		return VM_FAULT_OOM;
	vmf->cow_page = &copy->page;
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		folio_put(copy);
		return ret;
	}
	memcpy(page_address(&copy->page), page_address(vmf->page), PAGE_SIZE);
	__folio_mark_uptodate(copy);
	ret |= finish_fault(vmf);
	folio_put(page_folio(vmf->page));
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		folio_put(copy);
	fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE, ret ? NULL : "anon");
	(void)vma;
	return ret;
}

static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	struct folio *folio;
	vm_fault_t ret = __do_fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	folio = page_folio(vmf->page);
	ret |= finish_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		folio_put(folio);
		return ret;
	}
	folio_set_dirty(folio);		/* fault_dirty_shared_page() */
	fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE, "file");
	return ret;
}

vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (!vma->vm_ops->fault) {
		fault_explain(vmf, 0, "file", VM_FAULT_SIGBUS, false, FL_REASON_NONE, NULL);
		return VM_FAULT_SIGBUS;
	}
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/*
 * filemap_map_pages() for a page cache reached through @lookup: map every
 * cached page in [start, end] whose PTE is none.  Returns VM_FAULT_NOPAGE
 * when the faulting page itself got mapped.
 */
vm_fault_t filemap_map_pages_with(struct vm_fault *vmf, unsigned long start, unsigned long end,
				  struct folio *(*lookup)(struct vm_area_struct *, unsigned long))
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t addr = vma->vm_start + ((start - vma->vm_pgoff) << PAGE_SHIFT);
	vm_fault_t ret = 0;
	long rss = 0;
	int type = -1;

	for (unsigned long idx = start; idx <= end; idx++, addr += PAGE_SIZE) {
		struct folio *folio = lookup(vma, idx);
		spinlock_t *ptl;
		pte_t *pte;

		if (!folio)
			continue;
		/* The table is installed only once there is something to map. */
		if (pmd_none(pmdp_get(vmf->pmd)) && vmf->prealloc_pte) {
			ptl = pmd_lock(vmf->pmd);
			if (pmd_none(pmdp_get(vmf->pmd))) {
				mm_inc_nr_ptes(vma->vm_mm);
				pmd_populate(vmf->pmd, vmf->prealloc_pte);
				vmf->prealloc_pte = NULL;
			}
			spin_unlock(ptl);
		}
		pte = pte_offset_map_lock(vmf->pmd, addr, &ptl);
		if (!pte || !pte_none(ptep_get(pte)) || !folio_test_uptodate(folio)) {
			if (pte)
				pte_unmap_unlock(pte, ptl);
			folio_put(folio);
			continue;
		}
		if (addr == vmf->address)
			ret = VM_FAULT_NOPAGE;
		set_pte_range(vmf, folio, &folio->page, addr, pte);
		type = mm_counter_file(folio);
		rss++;
		pte_unmap_unlock(pte, ptl);	/* the lookup's reference is the mapping's now */
	}
	if (type >= 0)
		add_mm_counter(vma->vm_mm, type, rss);
	return ret;
}
