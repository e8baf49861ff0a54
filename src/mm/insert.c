// SPDX-License-Identifier: GPL-2.0-only
/*
 * insert.c - how drivers put entries into page tables at fault time: the
 * vmf_insert_*() family and the insert_pfn(), insert_page(), insert_pmd()
 * and insert_pud() helpers under them (SPEC.md R25 to R41).
 *
 * Two kinds of thing get inserted.  A raw pfn (insert_pfn, the pfn side of
 * insert_pmd/insert_pud) becomes a *special* entry: no refcount, no
 * mapcount, no RSS (R27, R35).  A page (insert_page, the folio side) is
 * refcounted, file-rmapped and counted, except the zero folios, which are
 * never (R30, R35, R39, V10).
 *
 * "Something is already there" is never an error (R25): every helper
 * answers NOPAGE, after upgrading the entry when the caller asked for
 * mkwrite and the entry is present and maps the same pfn.  V9 (R83) says
 * whether presence is checked before the pfn is read; with V9 off a
 * non-present entry is "upgraded" the way the old code did.  The only
 * exception is insert_page() with mkwrite over a different pfn: -EFAULT,
 * which vmf_insert_page_mkwrite() turns into SIGBUS (R29, R32, Q9).
 * insert_page() keeps Linux's errno codes; the pfn paths return fault codes.
 *
 * PMD inserts preallocate a table to deposit when the architecture needs
 * one (V2), before taking the lock, and free it again when nothing was
 * inserted (R33, R34): the allocation counters prove no leak (T28).
 *
 * MODEL: cache modes (pfnmap_setup_cachemode), pfn_modify_allowed() and the
 * PAT tracking are not modelled; they never change the answer here.
 */
#include <errno.h>

#include "base/bug.h"
#include "mm/mm.h"

static bool entry_has_same_pfn(uint64_t entry, unsigned long pfn, uint64_t mask)
{
	return ((entry & mask) >> PAGE_SHIFT) == pfn;
}

/* Q8: a non-present entry met by an insert is counted, never touched (V9 on). */
static bool skip_nonpresent(bool present)
{
	if (present)
		return false;
	count_vm_event(NONPRESENT_AT_INSERT);
	return fl_cfg.insert_present_check;
}

/* insert_pfn(): R26, R27.  Returns a fault code. */
static vm_fault_t insert_pfn(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
			     pgprot_t prot, bool mkwrite, bool devmap)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *pte, entry;

	/* R26: an anon folio in a CoW PFN map is refused (V7 anon_lookup, V1 off). */
	if ((vma->vm_flags & VM_PFNMAP) && fl_cfg.cow_pfnmap_detect == FL_COW_PFNMAP_ANON_LOOKUP &&
	    vm_pfnmap_normal_page_pfn(vma, pfn))
		return VM_FAULT_SIGBUS;
	pte = get_locked_pte(mm, addr, &ptl);
	if (!pte)
		return VM_FAULT_OOM;	/* as Linux: also when a huge entry maps @addr */
	entry = ptep_get(pte);
	if (!pte_none(entry)) {
		if (mkwrite && !skip_nonpresent(pte_present(entry))) {
			if (pte_pfn(entry) != pfn) {
				if (!is_zero_pfn(pte_pfn(entry)))
					count_vm_event(VM_WARN);
				goto out;
			}
			entry = pte_mkdirty(pte_mkyoung(entry));
			if (vma->vm_flags & VM_WRITE)
				entry = pte_mkwrite(entry);
			set_pte(pte, entry);	/* ptep_set_access_flags() */
		}
		goto out;
	}
	entry = pfn_pte(pfn, prot);
	if (devmap)
		entry = pte_mkdevmap(entry);
	else if (fl_cfg.pte_special)
		entry = pte_mkspecial(entry);
	if (mkwrite) {
		entry = pte_mkdirty(pte_mkyoung(entry));
		if (vma->vm_flags & VM_WRITE)
			entry = pte_mkwrite(entry);
	}
	set_pte(pte, entry);
out:
	pte_unmap_unlock(pte, ptl);
	return VM_FAULT_NOPAGE;
}

/* The zero folio may appear only where it can never be written (R31). */
static bool vm_mixed_zeropage_allowed(struct vm_area_struct *vma)
{
	if (is_cow_mapping(vma->vm_flags))
		return true;
	if (!(vma->vm_flags & (VM_WRITE | VM_MAYWRITE)))
		return true;
	/* FS-DAX maps hole reads with the zero page; pfn_mkwrite replaces it (R47, R53) */
	return (vma_is_dax(vma) || (vma->vm_flags & VM_IO)) && vma->vm_ops &&
	       vma->vm_ops->pfn_mkwrite;
}

/* validate_page_before_insert(): R31. */
static int validate_page_before_insert(struct vm_area_struct *vma, struct page *page)
{
	struct folio *folio = page_folio(page);

	if (!folio_ref_count(folio))
		return -EINVAL;
	if (is_zero_pfn(page_to_pfn(page)))
		return vm_mixed_zeropage_allowed(vma) ? 0 : -EINVAL;
	if (folio_test_anon(folio) || test_page_flag(page, PG_table) ||
	    test_page_flag(page, PG_buddy))
		return -EINVAL;
	return 0;
}

/* insert_page_into_pte_locked(): R29, R30.  Caller holds the PTE lock. */
static int insert_page_into_pte_locked(struct vm_area_struct *vma, pte_t *pte, uint64_t addr,
				       struct page *page, pgprot_t prot, bool mkwrite)
{
	struct folio *folio = page_folio(page);
	pte_t entry = ptep_get(pte);

	(void)addr;
	if (!pte_none(entry)) {
		if (!mkwrite || skip_nonpresent(pte_present(entry)))
			return -EBUSY;
		if (pte_pfn(entry) != page_to_pfn(page)) {
			if (!is_zero_pfn(pte_pfn(entry)))
				count_vm_event(VM_WARN);
			return -EFAULT;
		}
		/* Q17: upstream sets young and writable here, not dirty. */
		entry = pte_mkyoung(entry);
		if (vma->vm_flags & VM_WRITE)
			entry = pte_mkwrite(entry);
		set_pte(pte, entry);
		return 0;
	}
	entry = pfn_pte(page_to_pfn(page), prot);
	if (is_zero_pfn(page_to_pfn(page))) {
		if (fl_cfg.pte_special)
			entry = pte_mkspecial(entry);
	} else {
		folio_get(folio);
		inc_mm_counter(vma->vm_mm, mm_counter_file(folio));
		folio_add_file_rmap_pte(folio, page);
	}
	if (mkwrite) {
		entry = pte_mkdirty(pte_mkyoung(entry));
		if (vma->vm_flags & VM_WRITE)
			entry = pte_mkwrite(entry);
	}
	set_pte(pte, entry);
	return 0;
}

/* insert_page(): 0 or -ENOMEM, -EBUSY, -EFAULT, -EINVAL (Q9). */
int insert_page(struct vm_area_struct *vma, uint64_t addr, struct page *page, pgprot_t prot,
		bool mkwrite)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *pte;
	int ret = validate_page_before_insert(vma, page);

	if (ret)
		return ret;
	pte = get_locked_pte(mm, addr, &ptl);
	if (!pte)
		return -ENOMEM;
	ret = insert_page_into_pte_locked(vma, pte, addr, page, prot, mkwrite);
	pte_unmap_unlock(pte, ptl);
	return ret;
}

/* R32: the error mapping of vmf_insert_page_mkwrite(). */
vm_fault_t vmf_insert_page_mkwrite(struct vm_fault *vmf, struct page *page, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t addr = vmf->address;
	int err;

	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	err = insert_page(vma, addr, page, vma->vm_page_prot, write);
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	if (err < 0 && err != -EBUSY)
		return VM_FAULT_SIGBUS;
	return VM_FAULT_NOPAGE;
}

/*
 * Linux 6.18 still aborts on a raw pfn inserted into a CoW PFN map, at
 * every level: only the linear rule of remap_pfn_range() can tell its
 * pfns from CoW'ed pages (R6).  S004/p11 (V7 anon_lookup) lifted the
 * abort and refuses anonymous pfns instead (R26).
 */
static bool cow_pfnmap_insert_refused(struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_PFNMAP) && is_cow_mapping(vma->vm_flags) &&
	       fl_cfg.cow_pfnmap_detect != FL_COW_PFNMAP_ANON_LOOKUP;
}

/* R28: what a driver may insert where; a violation is Linux's BUG_ON. */
static bool pfn_insert_flags_ok(struct vm_area_struct *vma, unsigned long pfn)
{
	unsigned long f = vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP);

	if (!f || f == (VM_PFNMAP | VM_MIXEDMAP) || ((f & VM_MIXEDMAP) && pfn_valid(pfn))) {
		fl_report_bug("vmf_insert_pfn", "vm_flags 0x%lx cannot take raw pfn 0x%lx",
			      vma->vm_flags, pfn);
		return false;
	}
	if (cow_pfnmap_insert_refused(vma)) {
		fl_report_bug("vmf_insert_pfn", "CoW PFN map (V7 linear)");
		return false;
	}
	return true;
}

vm_fault_t vmf_insert_pfn_prot(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
			       pgprot_t prot)
{
	if (!pfn_insert_flags_ok(vma, pfn))
		return VM_FAULT_SIGBUS;
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	return insert_pfn(vma, addr, pfn, prot, false, false);
}

vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn)
{
	return vmf_insert_pfn_prot(vma, addr, pfn, vma->vm_page_prot);
}

/*
 * vm_mixed_ok(): the zero page only where it can never be written, and
 * never by a mkwrite insert (R31); otherwise only a VM_MIXEDMAP VMA takes
 * pfns here, as vm_normal_page() would make sense of nothing else.
 */
static bool vm_mixed_ok(struct vm_area_struct *vma, unsigned long pfn, bool mkwrite)
{
	if (is_zero_pfn(pfn) && (mkwrite || !vm_mixed_zeropage_allowed(vma)))
		return false;
	return (vma->vm_flags & VM_MIXEDMAP) || is_zero_pfn(pfn);
}

/*
 * __vm_insert_mixed(): with special bits every pfn goes in raw (even RAM
 * pfns, which stay unrefcounted); without them a pfn with a struct page
 * must be refcounted, so it goes through insert_page() (R2d, R5).
 */
static vm_fault_t __vm_insert_mixed(struct vm_area_struct *vma, uint64_t addr,
				    unsigned long pfn, bool mkwrite)
{
	int err;

	if (!vm_mixed_ok(vma, pfn, mkwrite))
		return VM_FAULT_SIGBUS;
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	if (fl_cfg.pte_special || !pfn_valid(pfn))
		return insert_pfn(vma, addr, pfn, vma->vm_page_prot, mkwrite, false);
	err = insert_page(vma, addr, pfn_to_page(pfn), vma->vm_page_prot, mkwrite);
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	if (err < 0 && err != -EBUSY)
		return VM_FAULT_SIGBUS;
	return VM_FAULT_NOPAGE;
}

vm_fault_t vmf_insert_mixed(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn)
{
	return __vm_insert_mixed(vma, addr, pfn, false);
}

vm_fault_t vmf_insert_mixed_mkwrite(struct vm_area_struct *vma, uint64_t addr,
				    unsigned long pfn)
{
	return __vm_insert_mixed(vma, addr, pfn, true);
}

/*
 * Linux 6.1's vmf_insert_mixed{,_mkwrite}() given a PFN_DEV|PFN_MAP pfn_t:
 * how FS-DAX mapped pmem before the seeds' patches (V5 one_based).  The
 * entry is a devmap PTE, and nothing is taken: no reference, no mapcount,
 * no RSS.  6.1's vm_mixed_ok() let devmap pfns into any VMA, so a DAX VMA
 * needs no VM_MIXEDMAP.
 */
vm_fault_t vmf_insert_mixed_devmap(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
				   bool mkwrite)
{
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	return insert_pfn(vma, addr, pfn, vma->vm_page_prot, mkwrite, true);
}

/* A folio or a raw pfn: what insert_pmd()/insert_pud() map (S004/p04). */
struct folio_or_pfn {
	struct folio *folio;
	unsigned long pfn;
	bool devmap;	/* Linux 6.1's PFN_DEV|PFN_MAP pfn (V5 one_based DAX) */
};

static bool fop_is_huge_zero(struct folio_or_pfn fop)
{
	return fop.folio && is_huge_zero_folio(fop.folio);
}

/* R34: the PMD is already populated: upgrade it or leave it. */
static void insert_pmd_occupied(struct vm_area_struct *vma, pmd_t *pmd, unsigned long pfn,
				bool write)
{
	pmd_t entry = pmdp_get(pmd);

	if (!write || (pmd_present(entry) && !pmd_leaf(entry)))
		return;		/* not asked to upgrade, or a PTE table */
	if (skip_nonpresent(pmd_present(entry)))
		return;
	if (pmd_pfn(entry) != pfn) {
		if (!is_huge_zero_pmd(entry))
			count_vm_event(VM_WARN);
		return;
	}
	entry = pmd_mkdirty(pmd_mkyoung(entry));
	if (vma->vm_flags & VM_WRITE)
		entry = pmd_mkwrite(entry);
	set_pmd(pmd, entry);
}

/* insert_pmd(): R33-R35, V2, V3, V10.  @addr is PMD aligned. */
static vm_fault_t insert_pmd(struct vm_area_struct *vma, uint64_t addr, pmd_t *pmd,
			     struct folio_or_pfn fop, pgprot_t prot, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn = fop.folio ? folio_pfn(fop.folio) : fop.pfn;
	struct page *pgtable = NULL;
	spinlock_t *ptl;
	pmd_t entry;

	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	if (fl_cfg.pgtable_deposit) {
		pgtable = pte_alloc_one(&mm->pgt);
		if (!pgtable)
			return VM_FAULT_OOM;
	}
	ptl = pmd_lock(pmd);
	if (!pmd_none(pmdp_get(pmd))) {
		insert_pmd_occupied(vma, pmd, pfn, write);
		goto out;
	}
	entry = pmd_mkhuge(pfn_pmd(pfn, prot));
	if (fop_is_huge_zero(fop) && fl_cfg.huge_zero_in_folio_pmd) {
		if (fl_cfg.huge_zero_pmd_special)
			entry = pmd_mkspecial(entry);
	} else if (fop.folio) {
		folio_get(fop.folio);
		folio_add_file_rmap_pmd(fop.folio);
		add_mm_counter(mm, mm_counter_file(fop.folio), HPAGE_PMD_NR);
	} else if (fop.devmap) {
		entry = pmd_mkdevmap(entry);	/* 6.1 x86: devmap, not special */
	} else if (fl_cfg.pte_special) {
		entry = pmd_mkspecial(entry);
	}
	if (write) {
		entry = pmd_mkdirty(pmd_mkyoung(entry));
		if (vma->vm_flags & VM_WRITE)
			entry = pmd_mkwrite(entry);
	}
	if (pgtable) {
		pgtable_trans_huge_deposit(&mm->pgt, pmd, pgtable);
		mm_inc_nr_ptes(mm);
		pgtable = NULL;
	}
	set_pmd(pmd, entry);
out:
	spin_unlock(ptl);
	if (pgtable)
		pte_free(&mm->pgt, pgtable);	/* R34: nothing was deposited */
	return VM_FAULT_NOPAGE;
}

/* R36, Q18: the order is checked before the range (NEW). */
vm_fault_t vmf_insert_folio_pmd(struct vm_fault *vmf, struct folio *folio, bool write)
{
	struct vm_area_struct *vma = vmf->vma;

	if (folio_order(folio) != HPAGE_PMD_ORDER) {
		count_vm_event(VM_WARN);
		return VM_FAULT_SIGBUS;
	}
	return insert_pmd(vma, vmf->address & PMD_MASK, vmf->pmd,
			  (struct folio_or_pfn){ .folio = folio }, vma->vm_page_prot, write);
}

/* R37. */
vm_fault_t vmf_insert_pfn_pmd(struct vm_fault *vmf, unsigned long pfn, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long f = vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP);

	if (!f || f == (VM_PFNMAP | VM_MIXEDMAP)) {
		fl_report_bug("vmf_insert_pfn_pmd", "vm_flags 0x%lx", vma->vm_flags);
		return VM_FAULT_SIGBUS;
	}
	if (cow_pfnmap_insert_refused(vma)) {
		fl_report_bug("vmf_insert_pfn_pmd", "CoW PFN map (V7 linear)");
		return VM_FAULT_SIGBUS;
	}
	if ((f & VM_PFNMAP) && is_cow_mapping(vma->vm_flags) && vm_pfnmap_normal_page_pfn(vma, pfn))
		return VM_FAULT_SIGBUS;		/* R26, T8 (V7 anon_lookup) */
	return insert_pmd(vma, vmf->address & PMD_MASK, vmf->pmd,
			  (struct folio_or_pfn){ .pfn = pfn }, vma->vm_page_prot, write);
}

/*
 * Linux 6.1's vmf_insert_pfn_pmd() given a devmap pfn_t (V5 one_based
 * FS-DAX): 6.1 let devmap pfns into a VMA that is neither PFNMAP nor
 * MIXEDMAP, and took nothing for them.
 */
vm_fault_t vmf_insert_pfn_pmd_devmap(struct vm_fault *vmf, unsigned long pfn, bool write)
{
	struct vm_area_struct *vma = vmf->vma;

	return insert_pmd(vma, vmf->address & PMD_MASK, vmf->pmd,
			  (struct folio_or_pfn){ .pfn = pfn, .devmap = true }, vma->vm_page_prot, write);
}

/* insert_pud(): R38.  No deposit at PUD level; no PUD zero folio. */
static vm_fault_t insert_pud(struct vm_area_struct *vma, uint64_t addr, pud_t *pud,
			     struct folio_or_pfn fop, pgprot_t prot, bool write)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn = fop.folio ? folio_pfn(fop.folio) : fop.pfn;
	spinlock_t *ptl;
	pud_t entry;

	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	ptl = pud_lock(&mm->pgt);
	entry = pudp_get(pud);
	if (!pud_none(entry)) {
		if (write && !(pud_present(entry) && !pud_leaf(entry)) &&
		    !skip_nonpresent(pud_present(entry))) {
			if (!entry_has_same_pfn(entry.pud, pfn, PUD_PFN_MASK)) {
				count_vm_event(VM_WARN);
			} else {
				entry = pud_mkdirty(pud_mkyoung(entry));
				if (vma->vm_flags & VM_WRITE)
					entry = pud_mkwrite(entry);
				set_pud(pud, entry);
			}
		}
		goto out;
	}
	entry = pud_mkhuge(pfn_pud(pfn, prot));
	if (fop.folio) {
		folio_get(fop.folio);
		folio_add_file_rmap_pmd(fop.folio);	/* MODEL: one entire mapping, as at PMD */
		add_mm_counter(mm, mm_counter_file(fop.folio), (long)folio_nr_pages(fop.folio));
	} else if (fl_cfg.pte_special) {
		entry = pud_mkspecial(entry);
	}
	if (write) {
		entry = pud_mkdirty(pud_mkyoung(entry));
		if (vma->vm_flags & VM_WRITE)
			entry = pud_mkwrite(entry);
	}
	set_pud(pud, entry);
out:
	spin_unlock(ptl);
	return VM_FAULT_NOPAGE;
}

vm_fault_t vmf_insert_folio_pud(struct vm_fault *vmf, struct folio *folio, bool write)
{
	struct vm_area_struct *vma = vmf->vma;

	if (folio_order(folio) != PUD_SHIFT - PAGE_SHIFT) {
		count_vm_event(VM_WARN);
		return VM_FAULT_SIGBUS;
	}
	return insert_pud(vma, vmf->address & PUD_MASK, vmf->pud,
			  (struct folio_or_pfn){ .folio = folio }, vma->vm_page_prot, write);
}

vm_fault_t vmf_insert_pfn_pud(struct vm_fault *vmf, unsigned long pfn, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long f = vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP);

	if (!f || f == (VM_PFNMAP | VM_MIXEDMAP)) {
		fl_report_bug("vmf_insert_pfn_pud", "vm_flags 0x%lx", vma->vm_flags);
		return VM_FAULT_SIGBUS;
	}
	if (cow_pfnmap_insert_refused(vma)) {
		fl_report_bug("vmf_insert_pfn_pud", "CoW PFN map (V7 linear)");
		return VM_FAULT_SIGBUS;
	}
	if ((f & VM_PFNMAP) && is_cow_mapping(vma->vm_flags) && vm_pfnmap_normal_page_pfn(vma, pfn))
		return VM_FAULT_SIGBUS;		/* R26 (V7 anon_lookup) */
	return insert_pud(vma, vmf->address & PUD_MASK, vmf->pud,
			  (struct folio_or_pfn){ .pfn = pfn }, vma->vm_page_prot, write);
}
