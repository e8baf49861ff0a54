// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm_normal_page.c - which page-table entries map "normal" pages.
 *
 * The rule (SPEC.md R1 to R16): an entry maps a normal page when the page is
 * refcounted and mapcounted through that mapping.  The shared zero page and
 * the huge zero folio never are; raw PFNs in VM_PFNMAP never are; in
 * VM_MIXEDMAP a pfn is normal when it has a struct page.  The cases:
 *
 *  - pte_special on (V1, the default, x86): the special bit decides.  A
 *    non-special entry is normal in any VMA.  A special entry is NULL; it is
 *    only legal in PFNMAP/MIXEDMAP VMAs or for the zero page, anything else
 *    is a "Bad page map" (print_bad_pte()).
 *  - pte_special off: the VMA decides.  MIXEDMAP: normal iff pfn_valid()
 *    and not the zero page.  PFNMAP: the linear rule, where an entry whose
 *    pfn is vm_pgoff + index is an original raw pfn and anything else in a
 *    CoW mapping is a CoW'ed anonymous page (V7: linear).
 *  - A pfn beyond the memmap is reported and NULL (V8 report_null).
 *
 * The PMD version has the same shape and also refuses the huge zero folio
 * (R10, R13).  Issue-4 work extends this with the remaining variants.
 */
#include "base/bug.h"
#include "mm/mm.h"

static struct page *print_bad_pte(struct vm_area_struct *vma, uint64_t addr, uint64_t entry)
{
	count_vm_event(BAD_PAGE_MAP);
	fl_report_bug("Bad page map",
		      "BUG: Bad page map in process mm%d  pte:%016llx at 0x%llx (vm_flags 0x%lx)",
		      vma->vm_mm->id, (unsigned long long)entry, (unsigned long long)addr,
		      vma->vm_flags);
	return NULL;
}

struct page *vm_normal_page(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (fl_cfg.pte_special) {
		if (!pte_special(pte))
			goto check_pfn;
		if (fl_cfg.find_normal_page && vma->vm_ops && vma->vm_ops->find_normal_page)
			return vma->vm_ops->find_normal_page(vma, addr);
		if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
			return NULL;
		if (is_zero_pfn(pfn))
			return NULL;
		return print_bad_pte(vma, addr, pte.pte);
	}
	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) {
		if (vma->vm_flags & VM_MIXEDMAP) {
			if (!pfn_valid(pfn) || is_zero_pfn(pfn))
				return NULL;
			goto out;
		}
		if (pfn == vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT))
			return NULL;
		if (!is_cow_mapping(vma->vm_flags))
			return NULL;
	}
	if (is_zero_pfn(pfn))
		return NULL;
check_pfn:
	if (!pfn_valid(pfn))
		return print_bad_pte(vma, addr, pte.pte);
out:
	return pfn_to_page(pfn);
}

struct folio *vm_normal_folio(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	struct page *page = vm_normal_page(vma, addr, pte);

	return page ? page_folio(page) : NULL;
}

struct page *vm_normal_page_pmd(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd)
{
	unsigned long pfn = pmd_pfn(pmd);

	if (fl_cfg.pte_special && pmd_special(pmd))
		return NULL;
	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) {
		if (vma->vm_flags & VM_MIXEDMAP) {
			if (!pfn_valid(pfn))
				return NULL;
			goto out;
		}
		if (pfn == vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT))
			return NULL;
		if (!is_cow_mapping(vma->vm_flags))
			return NULL;
	}
	if (is_huge_zero_pfn(pfn))
		return NULL;
	if (!pfn_valid(pfn))
		return print_bad_pte(vma, addr, pmd.pmd);
out:
	return pfn_to_page(pfn);
}
