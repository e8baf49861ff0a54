// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm_normal_page.c - which page-table entries map "normal" pages, at every
 * level, and folio_walk_start() on top of that answer.
 *
 * The rule (SPEC.md R1, R2): an entry maps a normal page when the page is
 * refcounted and mapcounted through that mapping.  The shared zero page and
 * the huge zero folio never are; raw PFNs in VM_PFNMAP never are, except the
 * anonymous folios a write fault CoW'ed into a private PFN map; in
 * VM_MIXEDMAP a pfn is normal when it has a struct page.  In any other VMA
 * every non-zero mapping is normal.  How the rule is decided:
 *
 *  - pte_special on (V1, x86): the special bit decides (R3, R4).  A
 *    non-special entry is normal in any VMA.  A special entry is first
 *    offered to vm_ops->find_normal_page (V6, Xen's gntdev, R20), then it is
 *    NULL in PFNMAP/MIXEDMAP VMAs and for the zero folios, and anything else
 *    is a "Bad page map" (R4.4).
 *  - pte_special off: the VMA decides.  MIXEDMAP: normal iff pfn_valid()
 *    (R5).  PFNMAP: V7 linear, where pfn == vm_pgoff + index is an original
 *    raw pfn and anything else in a CoW mapping was CoW'ed (R6); or V7
 *    anon_lookup, where a pfn is normal iff it is an anonymous folio (R7),
 *    the RFC the /dev/mem hazard (R23, T9) sank.  Then both zero folios are
 *    NULL (R8).
 *  - Last, the memmap plausibility check (R9, V8): report_null reports a
 *    pfn beyond the memmap and returns NULL (Hugh's check, kept upstream);
 *    warn_return counts a warning and returns a descriptor that
 *    vm_normal_page_is_invalid() flags.
 *
 * V15 selects the implementation.  new (the default, Linux 6.18): one helper,
 * __vm_normal_page(), for the PTE, PMD and PUD levels (R12).  Where 6.18
 * and SPEC.md differ, 6.18 wins: a special PMD/PUD outside PFN/mixed maps
 * that is not a zero folio is a "Bad page map" report, not only a debug
 * warning (R11, R15, T13, T14), and the find_normal_page hook is offered
 * special entries at every level (R20 says PTEs only; only Xen's gntdev has
 * it, and it maps PTEs).  old (before
 * S004): the PTE function above without the huge-zero checks (T12), and a
 * PMD function that returns NULL for any special PMD silently (R11), skips
 * the huge-zero check for MIXEDMAP (R12, V15) and drops implausible pfns
 * silently (R9); there was no PUD function, so old's PUD walk uses the raw
 * pud_page() (R16).  Devmap entries (Linux 6.1's FS-DAX, V5 one_based) are
 * never normal, whichever the implementation: 6.1 returned NULL for them.
 *
 * Reports: Linux prints "BUG: Bad page map", taints and goes on.  So does
 * faultline: BAD_PAGE_MAP (expect-stat bad_page_map) counts every report
 * and the kernel's line goes to stderr; the scenario is not stopped,
 * because SPEC's tests (T3, T13, T16, T17) count reports rather than fail.
 */
#include <stdio.h>

#include "mm/mm.h"

/* MODEL: the descriptor V8=warn_return hands out for a pfn with no memmap. */
static struct page invalid_pfn_page;

bool vm_normal_page_is_invalid(const struct page *page)
{
	return page == &invalid_pfn_page;
}

static const char *const level_names[] = { "pte", "pmd", "pud" };

/* print_bad_page_map(): counted and printed, not fatal (see the essay). */
static void print_bad_page_map(struct vm_area_struct *vma, uint64_t addr, uint64_t entry,
			       enum pgtable_level level)
{
	count_vm_event(BAD_PAGE_MAP);
	fprintf(stderr, "BUG: Bad page map in process mm%d %s:%016llx at 0x%llx (vm_flags 0x%lx)\n",
		vma->vm_mm->id, level_names[level], (unsigned long long)entry,
		(unsigned long long)addr, vma->vm_flags);
}

/* VM_WARN_ON_ONCE(): a debug warning, counted (SPEC's `warn`). */
static void vm_warn(void)
{
	count_vm_event(VM_WARN);
}

static bool is_zero_folio_pfn(unsigned long pfn)
{
	return is_zero_pfn(pfn) || is_huge_zero_pfn(pfn);
}

/* R7: V7 anon_lookup, vm_pfnmap_normal_page_pfn() of S004/p11. */
struct page *vm_pfnmap_normal_page_pfn(struct vm_area_struct *vma, unsigned long pfn)
{
	struct folio *folio;

	/* With special bits the RFC made this a stub that never fires. */
	if (fl_cfg.pte_special || !is_cow_mapping(vma->vm_flags) || !pfn_valid(pfn))
		return NULL;
	folio = page_folio(pfn_to_page(pfn));
	if (!folio_test_anon(folio) || folio_ref_count(folio) == 0)
		return NULL;	/* MODEL: no slab; a free frame is not a folio */
	return pfn_to_page(pfn);
}

/* R6: an original raw pfn of a linear (remap_pfn_range()d) PFN map. */
static bool pfnmap_linear_pfn(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn)
{
	return pfn == vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

/* R9, R10: the exit towards "normal", with V8's two answers. */
static struct page *normal_exit(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
				uint64_t entry, enum pgtable_level level)
{
	if (fl_cfg.memmap_plausibility == FL_MEMMAP_REPORT_NULL) {
		if (!pfn_valid(pfn)) {
			print_bad_page_map(vma, addr, entry, level);
			return NULL;
		}
	} else if (!pfn_valid(pfn)) {
		vm_warn();
		return &invalid_pfn_page;
	}
	/*
	 * R10: a normal page is never one of the zero folios (NEW); before
	 * S004 (V15 old) only the small zero page was checked for (T12).
	 */
	if (fl_cfg.normal_page_impl == FL_NORMAL_PAGE_OLD ? is_zero_pfn(pfn) :
							     is_zero_folio_pfn(pfn))
		vm_warn();
	return pfn_to_page(pfn);
}

/*
 * __vm_normal_page(): Linux 6.18's one helper for every level (V15 new).
 * @special is the entry's special bit; with V1 off no entry carries a
 * meaningful one, so it is ignored.
 */
static struct page *__vm_normal_page(struct vm_area_struct *vma, uint64_t addr,
				     unsigned long pfn, bool special, uint64_t entry,
				     enum pgtable_level level)
{
	if (fl_cfg.pte_special) {
		if (!special)
			return normal_exit(vma, addr, pfn, entry, level);
		if (fl_cfg.find_normal_page && vma->vm_ops && vma->vm_ops->find_normal_page)
			return vma->vm_ops->find_normal_page(vma, addr);
		if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
			return NULL;
		if (is_zero_folio_pfn(pfn))
			return NULL;
		print_bad_page_map(vma, addr, entry, level);
		return NULL;
	}
	if (vma->vm_flags & VM_MIXEDMAP) {
		if (!pfn_valid(pfn))
			return NULL;
	} else if (vma->vm_flags & VM_PFNMAP) {
		if (fl_cfg.cow_pfnmap_detect == FL_COW_PFNMAP_ANON_LOOKUP) {
			struct page *page = vm_pfnmap_normal_page_pfn(vma, pfn);

			if (!page)
				return NULL;
			/* T9 (R23): an anon folio of another process, misclassified. */
			if ((struct anon_vma *)((unsigned long)page_folio(page)->page.mapping &
						~PAGE_MAPPING_ANON) != vma->anon_vma)
				vm_warn();
			return page;
		}
		if (pfnmap_linear_pfn(vma, addr, pfn) || !is_cow_mapping(vma->vm_flags))
			return NULL;
	}
	if (is_zero_folio_pfn(pfn))
		return NULL;
	return normal_exit(vma, addr, pfn, entry, level);
}

/* Before S004 (V15 old), PTE level. */
static struct page *vm_normal_page_old(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (fl_cfg.pte_special) {
		if (!pte_special(pte))
			return normal_exit(vma, addr, pfn, pte.pte, PGTABLE_LEVEL_PTE);
		if (fl_cfg.find_normal_page && vma->vm_ops && vma->vm_ops->find_normal_page)
			return vma->vm_ops->find_normal_page(vma, addr);
		if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
			return NULL;
		if (is_zero_pfn(pfn))
			return NULL;
		print_bad_page_map(vma, addr, pte.pte, PGTABLE_LEVEL_PTE);
		return NULL;
	}
	if (vma->vm_flags & VM_MIXEDMAP) {
		if (!pfn_valid(pfn) || is_zero_pfn(pfn))
			return NULL;
		return pfn_to_page(pfn);	/* OLD skipped the memmap check here (R5) */
	}
	if (vma->vm_flags & VM_PFNMAP) {
		if (fl_cfg.cow_pfnmap_detect == FL_COW_PFNMAP_ANON_LOOKUP)
			return vm_pfnmap_normal_page_pfn(vma, pfn);
		if (pfnmap_linear_pfn(vma, addr, pfn) || !is_cow_mapping(vma->vm_flags))
			return NULL;
	}
	if (is_zero_pfn(pfn))		/* only the small zero page (T12) */
		return NULL;
	return normal_exit(vma, addr, pfn, pte.pte, PGTABLE_LEVEL_PTE);
}

/* Before S004 (V15 old), PMD level. */
static struct page *vm_normal_page_pmd_old(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd)
{
	unsigned long pfn = pmd_pfn(pmd);

	if (fl_cfg.pte_special && pmd_special(pmd))
		return NULL;			/* silently (R11) */
	if (vma->vm_flags & VM_MIXEDMAP) {
		if (!pfn_valid(pfn))
			return NULL;
		return pfn_to_page(pfn);	/* no huge-zero check (R12, V15) */
	}
	if (vma->vm_flags & VM_PFNMAP) {
		if (pfnmap_linear_pfn(vma, addr, pfn) || !is_cow_mapping(vma->vm_flags))
			return NULL;
	}
	if (is_huge_zero_pmd(pmd))
		return NULL;
	if (!pfn_valid(pfn))
		return NULL;			/* silently (R9) */
	return pfn_to_page(pfn);
}

/* R1, R3-R10.  Precondition: @pte is present (R24). */
struct page *vm_normal_page(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	/*
	 * Linux 6.1: a devmap PTE (FS-DAX under V5 one_based) is special and
	 * not normal: pmem pages were neither refcounted nor mapcounted by
	 * their mappings.  Only one_based DAX faults make devmap entries.
	 */
	if (pte_devmap(pte))
		return NULL;
	if (fl_cfg.normal_page_impl == FL_NORMAL_PAGE_OLD)
		return vm_normal_page_old(vma, addr, pte);
	return __vm_normal_page(vma, addr, pte_pfn(pte), pte_special(pte), pte.pte,
				PGTABLE_LEVEL_PTE);
}

struct folio *vm_normal_folio(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	struct page *page = vm_normal_page(vma, addr, pte);

	return page && !vm_normal_page_is_invalid(page) ? page_folio(page) : NULL;
}

/* R11-R13.  @addr is the PMD's address.  Precondition: @pmd is present (R24). */
struct page *vm_normal_page_pmd(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd)
{
	if (pmd_devmap(pmd))
		return NULL;	/* Linux 6.1's devmap PMD: not special, still no page */
	if (fl_cfg.normal_page_impl == FL_NORMAL_PAGE_OLD)
		return vm_normal_page_pmd_old(vma, addr, pmd);
	return __vm_normal_page(vma, addr, pmd_pfn(pmd), pmd_special(pmd), pmd.pmd,
				PGTABLE_LEVEL_PMD);
}

struct folio *vm_normal_folio_pmd(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd)
{
	struct page *page = vm_normal_page_pmd(vma, addr, pmd);

	return page && !vm_normal_page_is_invalid(page) ? page_folio(page) : NULL;
}

/*
 * R15.  MODEL: V15 old had no PUD function; faultline answers with the new
 * one for both values, and old's difference shows in folio_walk_start().
 */
struct page *vm_normal_page_pud(struct vm_area_struct *vma, uint64_t addr, pud_t pud)
{
	return __vm_normal_page(vma, addr, pud_pfn(pud), pud_special(pud), pud.pud,
				PGTABLE_LEVEL_PUD);
}

/* folio_walk_start() at PUD level (R16); 1 found, 0 not found, -1 descend. */
static int folio_walk_pud(struct folio_walk *fw, struct vm_area_struct *vma, uint64_t addr,
			  pud_t pud)
{
	struct page *page;

	if (pud_none(pud))
		return 0;
	if (!pud_leaf(pud))
		return pud_present(pud) ? -1 : 0;
	if (!pud_present(pud))
		return 0;		/* a PUD migration entry: no users (R16) */
	if (fl_cfg.normal_page_impl == FL_NORMAL_PAGE_OLD) {
		if (fl_cfg.pte_special && pud_special(pud))
			return 0;
		page = pfn_to_page(pud_pfn(pud));	/* raw pud_page() (T15) */
		if (!pfn_valid(pud_pfn(pud)))
			return 0;
	} else {
		page = vm_normal_page_pud(vma, addr & PUD_MASK, pud);
		if (!page || vm_normal_page_is_invalid(page))
			return 0;
	}
	fw->level = FW_LEVEL_PUD;
	fw->page = page + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
	fw->entry = pud.pud;
	return 1;
}

/* PMD level (R17): FW_ZEROPAGE lets the walker report the huge zero folio. */
static int folio_walk_pmd(struct folio_walk *fw, struct vm_area_struct *vma, uint64_t addr,
			  pmd_t pmd, unsigned int flags)
{
	struct page *page;

	if (pmd_none(pmd) || !pmd_present(pmd))
		return 0;		/* none, or a migration entry: no users (R17) */
	if (!pmd_leaf(pmd))
		return -1;
	page = vm_normal_page_pmd(vma, addr & PMD_MASK, pmd);
	if (!page && (flags & FW_ZEROPAGE) && is_huge_zero_pmd(pmd))
		page = pfn_to_page(pmd_pfn(pmd));
	if (!page || vm_normal_page_is_invalid(page))
		return 0;
	fw->level = FW_LEVEL_PMD;
	fw->page = page + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
	fw->entry = pmd.pmd;
	return 1;
}

static int folio_walk_pte(struct folio_walk *fw, struct vm_area_struct *vma, uint64_t addr,
			  pte_t pte, unsigned int flags)
{
	struct page *page;

	if (!pte_present(pte))
		return 0;
	page = vm_normal_page(vma, addr, pte);
	if (!page && (flags & FW_ZEROPAGE) && is_zero_pfn(pte_pfn(pte)))
		page = pfn_to_page(pte_pfn(pte));
	if (!page || vm_normal_page_is_invalid(page))
		return 0;
	fw->level = FW_LEVEL_PTE;
	fw->page = page;
	fw->entry = pte.pte;
	return 1;
}

/*
 * folio_walk_start(): the folio mapped at @addr, or NULL.  Precondition:
 * mmap_lock held.  MODEL: Linux returns with the page-table lock held
 * until folio_walk_end(); faultline's callers only read, so no lock is
 * kept and there is no folio_walk_end().
 */
struct folio *folio_walk_start(struct folio_walk *fw, struct vm_area_struct *vma, uint64_t addr,
			       unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	pgd_t *pgd = pgd_offset(&mm->pgt, addr);
	pud_t *pud;
	pmd_t *pmd;
	int r;

	fw->page = NULL;
	if (!pgd_present(pgdp_get(pgd)))
		return NULL;
	pud = pud_offset(pgd, addr);
	r = folio_walk_pud(fw, vma, addr, pudp_get(pud));
	if (r >= 0)
		return r ? page_folio(fw->page) : NULL;
	pmd = pmd_offset(pud, addr);
	r = folio_walk_pmd(fw, vma, addr, pmdp_get(pmd), flags);
	if (r >= 0)
		return r ? page_folio(fw->page) : NULL;
	r = folio_walk_pte(fw, vma, addr, ptep_get(pte_offset_kernel(pmd, addr)), flags);
	return r ? page_folio(fw->page) : NULL;
}
