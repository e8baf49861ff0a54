// SPDX-License-Identifier: GPL-2.0-only
/*
 * huge_memory.c - anonymous transparent huge pages at PMD level.
 *
 * The fault side: do_huge_pmd_anonymous_page() maps the huge zero folio
 * through a special PMD on a read (R40: with a deposited table and nr_ptes
 * + 1) and a fresh 2 MiB folio on a write; a write to a huge zero PMD
 * allocates a THP in its place without splitting (do_huge_zero_wp_pmd(),
 * KERNEL-FACTS s2); a write to a shared THP splits the PMD and lets the PTE
 * level copy one page.
 *
 * The teardown side: zap_huge_pmd() and __split_huge_pmd(), with the
 * deposit balance of R41 (anonymous huge PMDs always deposit, so they
 * always withdraw), the dirty bit moving from the PMD to the folio at
 * split (KERNEL-FACTS s2), and fork's copy_huge_pmd().
 *
 * The huge zero folio's per-mm reference (R39, Q12): taken once per mm by
 * mm_get_huge_zero_folio() and dropped only at mm teardown.
 */
#include "base/bug.h"
#include "mm/mm.h"

bool is_huge_zero_pmd(pmd_t pmd)
{
	return pmd_present(pmd) && is_huge_zero_pfn(pmd_pfn(pmd));
}

struct folio *mm_get_huge_zero_folio(struct mm_struct *mm)
{
	if (mm->flags & (1ul << MMF_HUGE_ZERO_FOLIO))
		return machine.huge_zero_folio;
	if (!get_huge_zero_folio())
		return NULL;
	mm->flags |= 1ul << MMF_HUGE_ZERO_FOLIO;
	return machine.huge_zero_folio;
}

void mm_put_huge_zero_folio(struct mm_struct *mm)
{
	if (mm->flags & (1ul << MMF_HUGE_ZERO_FOLIO)) {
		mm->flags &= ~(1ul << MMF_HUGE_ZERO_FOLIO);
		put_huge_zero_folio();
	}
}

/* THP policy for a VMA: sysfs "enabled" and the VMA's madvise flags. */
bool thp_vma_allowable_pmd(struct vm_area_struct *vma, enum fl_reason *why)
{
	*why = FL_REASON_THP_OFF;
	if (vma->vm_flags & VM_NOHUGEPAGE)
		return false;
	/*
	 * Linux exempts DAX from the sysfs policy but not drivers' PFN and
	 * mixed maps (__thp_vma_allowable_orders()); DAX VMAs carry neither flag.
	 */
	if (!vma_is_anonymous(vma) && !(vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)))
		return vma->vm_ops->huge_fault != NULL;	/* DAX decides itself */
	if (fl_cfg.thp == FL_THP_NEVER)
		return false;
	if (fl_cfg.thp == FL_THP_MADVISE && !(vma->vm_flags & VM_HUGEPAGE))
		return false;
	*why = FL_REASON_NONE;
	return vma_is_anonymous(vma) || vma->vm_ops->huge_fault != NULL;
}

bool thp_vma_suitable_order(struct vm_area_struct *vma, uint64_t addr, int order)
{
	uint64_t size = PAGE_SIZE << order;
	uint64_t haddr = addr & ~(size - 1);

	if (((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff) & ((1ul << order) - 1))
		return false;
	return haddr >= vma->vm_start && haddr + size <= vma->vm_end;
}

/* PMD lock held, PMD none. */
static void set_huge_zero_folio(struct page *pgtable, struct mm_struct *mm,
				struct vm_area_struct *vma, pmd_t *pmd, struct folio *zero)
{
	pmd_t entry = pmd_mkhuge(pfn_pmd(folio_pfn(zero), vma->vm_page_prot));

	if (fl_cfg.huge_zero_pmd_special)
		entry = pmd_mkspecial(entry);
	pgtable_trans_huge_deposit(&mm->pgt, pmd, pgtable);
	set_pmd(pmd, entry);
	mm_inc_nr_ptes(mm);
}

static vm_fault_t do_huge_pmd_zero(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *pgtable = pte_alloc_one(&mm->pgt);
	struct folio *zero;
	spinlock_t *ptl;

	if (!pgtable) {
		fault_explain(vmf, 1, "anon", VM_FAULT_OOM, false, FL_REASON_ALLOC_FAILED, NULL);
		return VM_FAULT_OOM;
	}
	zero = mm_get_huge_zero_folio(mm);
	if (!zero) {
		pte_free(&mm->pgt, pgtable);
		count_vm_event(THP_FAULT_FALLBACK);
		fault_explain(vmf, 1, "anon", VM_FAULT_FALLBACK, false, FL_REASON_ALLOC_FAILED, NULL);
		return VM_FAULT_FALLBACK;
	}
	ptl = pmd_lock(vmf->pmd);
	if (pmd_none(pmdp_get(vmf->pmd))) {
		set_huge_zero_folio(pgtable, mm, vma, vmf->pmd, zero);
		spin_unlock(ptl);
		fault_explain(vmf, 1, "anon", 0, false, FL_REASON_NONE, "huge-zero");
	} else {
		spin_unlock(ptl);
		pte_free(&mm->pgt, pgtable);
		fault_explain(vmf, 1, "anon", 0, false, FL_REASON_RACE, NULL);
	}
	return 0;
}

static struct folio *vma_alloc_anon_folio_pmd(void)
{
	struct folio *folio = folio_alloc(__GFP_ZERO | __GFP_COMP, HPAGE_PMD_ORDER);

	if (!folio) {
		count_vm_event(THP_FAULT_FALLBACK);
		return NULL;
	}
	set_page_flag(&folio->page, PG_large_rmappable);
	__folio_mark_uptodate(folio);
	count_vm_event(THP_FAULT_ALLOC);
	return folio;
}

/* PMD lock held: install a new anonymous THP (map_anon_folio_pmd()). */
static void map_anon_folio_pmd(struct folio *folio, pmd_t *pmd, struct vm_area_struct *vma,
			       uint64_t haddr)
{
	pmd_t entry = pmd_mkhuge(pfn_pmd(folio_pfn(folio), vma->vm_page_prot));

	entry = pmd_mkdirty(entry);
	if (vma->vm_flags & VM_WRITE)
		entry = pmd_mkwrite(entry);
	folio_add_new_anon_rmap(folio, vma, haddr, true);
	set_pmd(pmd, entry);
	add_mm_counter(vma->vm_mm, MM_ANONPAGES, HPAGE_PMD_NR);
}

static vm_fault_t __do_huge_pmd_anonymous_page(struct vm_fault *vmf, struct folio *folio)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *pgtable = pte_alloc_one(&mm->pgt);
	spinlock_t *ptl;

	if (!pgtable) {
		folio_put(folio);
		fault_explain(vmf, 1, "anon", VM_FAULT_OOM, false, FL_REASON_ALLOC_FAILED, NULL);
		return VM_FAULT_OOM;
	}
	ptl = pmd_lock(vmf->pmd);
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		spin_unlock(ptl);
		pte_free(&mm->pgt, pgtable);
		folio_put(folio);
		fault_explain(vmf, 1, "anon", 0, false, FL_REASON_RACE, NULL);
		return 0;
	}
	map_anon_folio_pmd(folio, vmf->pmd, vma, vmf->address & HPAGE_PMD_MASK);
	pgtable_trans_huge_deposit(&mm->pgt, vmf->pmd, pgtable);
	mm_inc_nr_ptes(mm);
	spin_unlock(ptl);
	fault_explain(vmf, 1, "anon", 0, false, FL_REASON_NONE, "anon");
	return 0;
}

/* Precondition: mmap_lock held for read, the PMD is none, THP allowed. */
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	vm_fault_t ret;

	if (!thp_vma_suitable_order(vma, vmf->address, HPAGE_PMD_ORDER)) {
		fault_explain(vmf, 1, "anon", VM_FAULT_FALLBACK, false, FL_REASON_VMA_RANGE, NULL);
		return VM_FAULT_FALLBACK;
	}
	ret = vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	if (!(vmf->flags & FAULT_FLAG_WRITE) && fl_cfg.thp_zero_page)
		return do_huge_pmd_zero(vmf);
	folio = vma_alloc_anon_folio_pmd();
	if (!folio) {
		fault_explain(vmf, 1, "anon", VM_FAULT_FALLBACK, false, FL_REASON_ALLOC_FAILED, NULL);
		return VM_FAULT_FALLBACK;
	}
	return __do_huge_pmd_anonymous_page(vmf, folio);
}

/* A write to the huge zero PMD: a new THP replaces it, the deposit stays. */
static vm_fault_t do_huge_zero_wp_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t haddr = vmf->address & HPAGE_PMD_MASK;
	struct folio *folio = vma_alloc_anon_folio_pmd();
	spinlock_t *ptl;

	if (!folio)
		return VM_FAULT_FALLBACK;
	ptl = pmd_lock(vmf->pmd);
	if (!pmd_same(pmdp_get(vmf->pmd), vmf->orig_pmd)) {
		spin_unlock(ptl);
		folio_put(folio);
		fault_explain(vmf, 1, "wp", 0, false, FL_REASON_RACE, NULL);
		return 0;
	}
	pmdp_huge_get_and_clear(vmf->pmd);
	map_anon_folio_pmd(folio, vmf->pmd, vma, haddr);
	spin_unlock(ptl);
	fault_explain(vmf, 1, "wp", 0, false, FL_REASON_NONE, "anon");
	return 0;
}

vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	struct page *page;
	spinlock_t *ptl;
	pmd_t entry;

	if (is_huge_zero_pmd(vmf->orig_pmd)) {
		vm_fault_t ret = do_huge_zero_wp_pmd(vmf);

		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
		goto fallback;
	}
	ptl = pmd_lock(vmf->pmd);
	if (!pmd_same(pmdp_get(vmf->pmd), vmf->orig_pmd)) {
		spin_unlock(ptl);
		return 0;
	}
	page = pfn_to_page(pmd_pfn(vmf->orig_pmd));
	folio = page_folio(page);
	if (!PageAnonExclusive(page)) {
		/* Reuse only if our mapping holds the sole reference. */
		if (folio_ref_count(folio) != 1) {
			spin_unlock(ptl);
			goto fallback;
		}
		folio_move_anon_rmap(folio, vma);
		SetPageAnonExclusive(page);
	}
	entry = pmd_mkdirty(pmd_mkyoung(vmf->orig_pmd));
	if (vma->vm_flags & VM_WRITE)
		entry = pmd_mkwrite(entry);
	set_pmd(vmf->pmd, entry);
	spin_unlock(ptl);
	count_vm_event(COW_REUSE);
	fault_explain(vmf, 1, "wp", 0, false, FL_REASON_NONE, "anon");
	return 0;
fallback:
	fault_explain(vmf, 1, "wp", VM_FAULT_FALLBACK, false, FL_REASON_WRITE_PRIVATE, NULL);
	__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

void huge_pmd_set_accessed(struct vm_fault *vmf)
{
	spinlock_t *ptl = pmd_lock(vmf->pmd);
	pmd_t entry = pmdp_get(vmf->pmd);

	if (pmd_same(entry, vmf->orig_pmd)) {
		entry = pmd_mkyoung(entry);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pmd_mkdirty(entry);
		set_pmd(vmf->pmd, entry);
	}
	spin_unlock(ptl);
}

/* Deposits of anonymous huge PMDs always exist; file/DAX ones only with V2. */
static bool pmd_has_deposit(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) || fl_cfg.pgtable_deposit;
}

/* Caller holds the PMD lock.  Returns true if a huge PMD was zapped. */
bool zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t orig = pmdp_huge_get_and_clear(pmd);
	struct folio *folio;

	if (!pmd_leaf(orig)) {
		set_pmd(pmd, orig);
		return false;
	}
	/*
	 * R41, V23 (Q16): a DAX VMA's huge zero PMD has a deposit only when
	 * the architecture needs one; "always" withdraws anyway, from an empty
	 * deposit under V2=off, an underflow the checker reports (T63).
	 */
	if (pmd_has_deposit(vma) ||
	    (fl_cfg.zap_dax_huge_zero_deposit == FL_ZAP_DAX_HZ_ALWAYS && vma_is_dax(vma) &&
	     is_huge_zero_pmd(orig)))
		zap_deposited_table(&mm->pgt, pmd);
	if (is_huge_zero_pmd(orig))
		return true;
	/*
	 * R59 OLD, V11 special_huge (Linux 6.1): a DAX VMA was "special huge",
	 * whose PMD mapping took nothing (V5 one_based), so its zap or split
	 * gives nothing back (T62).
	 */
	if (fl_cfg.dax_vma_zap_mode == FL_DAX_ZAP_SPECIAL_HUGE && vma_is_dax(vma))
		return true;
	folio = vm_normal_folio_pmd(vma, addr & PMD_MASK, orig);
	if (!folio)
		return true;	/* a raw pfn (PFN/mixed map): nothing was taken */
	folio_remove_rmap_pmd(folio, vma);
	add_mm_counter(mm, mm_counter(folio), -(long)HPAGE_PMD_NR);
	if (!folio_test_anon(folio) && pmd_dirty(orig))
		folio_set_dirty(folio);
	folio_put(folio);
	return true;
}

static void split_huge_zero_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t haddr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *table = pgtable_trans_huge_withdraw(&mm->pgt, pmd);
	pte_t *ptes = page_address(table);

	pmdp_huge_get_and_clear(pmd);
	for (int i = 0; i < PTRS_PER_TABLE; i++) {
		pte_t e = pfn_pte(my_zero_pfn(haddr + ((uint64_t)i << PAGE_SHIFT)), vma->vm_page_prot);

		set_pte(&ptes[i], fl_cfg.pte_special ? pte_mkspecial(e) : e);
	}
	pmd_populate(pmd, table);
}

/* PMD lock held; @pmd is a present anonymous THP leaf (not the huge zero folio). */
static void split_anon_pmd(struct vm_area_struct *vma, pmd_t *pmd, pmd_t old)
{
	struct mm_struct *mm = vma->vm_mm;
	struct page *table = pgtable_trans_huge_withdraw(&mm->pgt, pmd);
	struct page *page = pfn_to_page(pmd_pfn(old));
	struct folio *folio = page_folio(page);
	bool excl = PageAnonExclusive(page);
	pte_t *ptes = page_address(table);

	if (pmd_dirty(old))
		folio_set_dirty(folio);
	/* One reference per PTE mapping from now on. */
	folio_ref_add(folio, HPAGE_PMD_NR - 1);
	folio_add_anon_rmap_ptes(folio, page, HPAGE_PMD_NR, excl);
	for (int i = 0; i < PTRS_PER_TABLE; i++) {
		pte_t e = pfn_pte(page_to_pfn(page + i), vma->vm_page_prot);

		if (pmd_write(old))
			e = pte_mkwrite(e);
		e = pmd_young(old) ? pte_mkyoung(e) : pte_mkold(e);
		if (pmd_dirty(old))
			e = pte_mkdirty(e);
		set_pte(&ptes[i], e);
	}
	folio_remove_rmap_pmd(folio, vma);
	pmd_populate(pmd, table);
}

/*
 * Split the huge PMD mapping @address.  Anonymous: remap it with PTEs from
 * the deposited table.  File/DAX: just zap it; later faults refill at PTE
 * level (Glossary, split_huge_pmd).  Precondition: mmap_lock held.
 */
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t address)
{
	spinlock_t *ptl = pmd_lock(pmd);
	pmd_t old = pmdp_get(pmd);

	if (pmd_leaf(old)) {
		count_vm_event(THP_SPLIT_PMD);
		if (!vma_is_anonymous(vma))
			zap_huge_pmd(vma, pmd, address);
		else if (is_huge_zero_pmd(old))
			split_huge_zero_pmd(vma, pmd, address & HPAGE_PMD_MASK);
		else
			split_anon_pmd(vma, pmd, old);
	}
	spin_unlock(ptl);
}

/* Split huge PMDs that straddle @start or @end (vma_adjust_trans_huge()). */
void split_huge_pmd_range(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	uint64_t edges[2] = { start, end };

	for (int i = 0; i < 2; i++) {
		pmd_t *pmd;

		if (!(edges[i] & ~HPAGE_PMD_MASK))
			continue;
		pmd = mm_find_pmd(vma->vm_mm, edges[i]);
		if (pmd && pmd_leaf(pmdp_get(pmd)))
			__split_huge_pmd(vma, pmd, edges[i]);
	}
}

/* Returns 0, -EAGAIN (split the source, copy PTEs instead) or -ENOMEM. */
int copy_huge_pmd(struct mm_struct *dst_mm, struct mm_struct *src_mm, pmd_t *dst_pmd,
		  pmd_t *src_pmd, uint64_t addr, struct vm_area_struct *dst_vma,
		  struct vm_area_struct *src_vma)
{
	struct page *pgtable = NULL;
	pmd_t pmd = pmdp_get(src_pmd);
	struct folio *folio;

	(void)src_mm;
	/*
	 * A raw pfn PMD (PFN/mixed maps) is copied as it is: no folio, no
	 * deposit, not write-protected (a CoW mapping never has a writable one).
	 * MODEL: with V2 on Linux copies it without a deposit that zap would
	 * then withdraw; faultline lets the child refault instead.
	 */
	if (pmd_special(pmd) && !is_huge_zero_pmd(pmd) && !fl_cfg.pgtable_deposit) {
		set_pmd(dst_pmd, pmd_mkold(pmd));
		return 0;
	}
	if (!vma_is_anonymous(dst_vma))
		return 0;	/* file/DAX huge PMDs are refilled by faults in the child */
	pgtable = pte_alloc_one(&dst_mm->pgt);
	if (!pgtable)
		return -12;
	if (is_huge_zero_pmd(pmd)) {
		if (!mm_get_huge_zero_folio(dst_mm)) {
			pte_free(&dst_mm->pgt, pgtable);
			return -11;
		}
		goto set;
	}
	folio = page_folio(pfn_to_page(pmd_pfn(pmd)));
	folio_get(folio);
	if (folio_try_dup_anon_rmap_pmd(folio)) {
		folio_put(folio);
		pte_free(&dst_mm->pgt, pgtable);
		__split_huge_pmd(src_vma, src_pmd, addr);
		return -11;
	}
	add_mm_counter(dst_mm, MM_ANONPAGES, HPAGE_PMD_NR);
set:
	pgtable_trans_huge_deposit(&dst_mm->pgt, dst_pmd, pgtable);
	mm_inc_nr_ptes(dst_mm);
	pmdp_set_wrprotect(src_pmd);
	pmd = pmd_mkold(pmd_wrprotect(pmd));
	set_pmd(dst_pmd, pmd);
	return 0;
}

/* mprotect of a whole huge PMD. Returns 1 if it was handled at PMD level. */
int change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr, pgprot_t newprot,
		    bool try_writable)
{
	spinlock_t *ptl = pmd_lock(pmd);
	pmd_t old = pmdp_get(pmd);
	pmd_t entry;

	(void)addr;
	if (!pmd_leaf(old)) {
		spin_unlock(ptl);
		return 0;
	}
	entry = pmd_modify(old, newprot);
	/* Anonymous first: a raw pfn PMD has no page descriptor to look at. */
	if (try_writable && !pmd_write(entry) && !is_huge_zero_pmd(old) &&
	    vma_is_anonymous(vma) && PageAnonExclusive(pfn_to_page(pmd_pfn(old))))
		entry = pmd_mkwrite(entry);
	set_pmd(pmd, entry);
	spin_unlock(ptl);
	return 1;
}

/*
 * PUD leaves (issue 4).  Nothing anonymous is ever PUD-mapped; a PUD leaf
 * is either a driver's raw pfn (vmf_insert_pfn_pud(), special with V1) or
 * a PUD-order folio from vmf_insert_folio_pud(), counted like a PMD folio
 * (one entire mapping, folio_nr_pages() in the file counter, a reference).
 * There is never a deposit at PUD level (R38).
 */

/* What a PUD leaf holds: its folio, or NULL for a raw pfn (vma_is_special_huge()). */
static struct folio *pud_leaf_folio(struct vm_area_struct *vma, uint64_t addr, pud_t pud)
{
	struct page *page;

	if (!vma_is_dax(vma) && (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)))
		return NULL;
	/* MODEL: a non-present or raw leaf elsewhere holds nothing to drop either. */
	if (!pud_present(pud))
		return NULL;
	page = vm_normal_page_pud(vma, addr & PUD_MASK, pud);
	return page ? page_folio(page) : NULL;
}

/* Drop what a cleared PUD leaf held (zap_huge_pud(), __split_huge_pud_locked()). */
static void pud_leaf_release(struct vm_area_struct *vma, uint64_t addr, pud_t orig)
{
	struct folio *folio = pud_leaf_folio(vma, addr, orig);

	if (!folio)
		return;
	if (pud_dirty(orig))
		folio_set_dirty(folio);
	folio_remove_rmap_pmd(folio, vma);	/* MODEL: the entire mapping, as insert_pud() took */
	add_mm_counter(vma->vm_mm, mm_counter_file(folio), -(long)folio_nr_pages(folio));
	folio_put(folio);
}

/* zap_huge_pud(): the whole PUD is in the range.  Takes the PUD lock. */
bool zap_huge_pud(struct vm_area_struct *vma, pud_t *pud, uint64_t addr)
{
	spinlock_t *ptl = pud_lock(&vma->vm_mm->pgt);
	pud_t orig = pudp_get(pud);

	if (!pud_leaf(orig)) {
		spin_unlock(ptl);
		return false;
	}
	orig = pudp_huge_get_and_clear(pud);
	pud_leaf_release(vma, addr, orig);
	spin_unlock(ptl);
	return true;
}

/*
 * __split_huge_pud(): there are no PTE- or PMD-mapped replacements to build
 * (nothing anonymous), so splitting clears the leaf and the next fault
 * refills at a smaller size.  Only DAX folios had anything taken; a driver's
 * raw pfn had nothing.  Precondition: mmap_lock held.
 */
void __split_huge_pud(struct vm_area_struct *vma, pud_t *pud, uint64_t address)
{
	spinlock_t *ptl = pud_lock(&vma->vm_mm->pgt);
	pud_t orig = pudp_get(pud);

	if (pud_leaf(orig)) {
		count_vm_event(THP_SPLIT_PUD);
		orig = pudp_huge_get_and_clear(pud);
		/*
		 * MODEL: Linux drops the folio only for DAX and would leak a
		 * folio PUD in any other VMA (none exists there); faultline
		 * drops whatever the leaf held.
		 */
		pud_leaf_release(vma, address, orig);
	}
	spin_unlock(ptl);
}

/*
 * copy_huge_pud(): Linux 6.18 copies the leaf as it is, write-protecting
 * both sides only in a CoW mapping that had it writable, and makes the
 * child's entry old.  It takes no folio reference or rmap: PUD leaves are
 * copied only for PFN/mixed maps (vma_needs_copy()), where none was taken.
 * MODEL: a folio PUD (possible only in a private DAX VMA with an anon_vma)
 * is not copied: the child refaults it, so no unaccounted mapping appears.
 */
int copy_huge_pud(struct mm_struct *dst_mm, struct mm_struct *src_mm, pud_t *dst_pud,
		  pud_t *src_pud, uint64_t addr, struct vm_area_struct *vma)
{
	spinlock_t *ptl = pud_lock(&src_mm->pgt);
	pud_t pud = pudp_get(src_pud);
	int ret = -11;	/* -EAGAIN */

	(void)dst_mm;
	if (!pud_leaf(pud))
		goto out;
	ret = 0;
	if (pud_leaf_folio(vma, addr, pud))
		goto out;
	if (is_cow_mapping(vma->vm_flags) && pud_write(pud)) {
		pudp_set_wrprotect(src_pud);
		pud = pud_wrprotect(pud);
	}
	set_pud(dst_pud, pud_mkold(pud));
out:
	spin_unlock(ptl);
	return ret;
}

/* mprotect of a whole PUD leaf: the new protection, no write upgrade.  Returns 1. */
int change_huge_pud(struct vm_area_struct *vma, pud_t *pud, uint64_t addr, pgprot_t newprot)
{
	spinlock_t *ptl = pud_lock(&vma->vm_mm->pgt);
	pud_t old = pudp_get(pud);

	(void)addr;
	if (!pud_leaf(old)) {
		spin_unlock(ptl);
		return 0;
	}
	set_pud(pud, pud_modify(old, newprot));
	spin_unlock(ptl);
	return 1;
}

/* huge_pud_set_accessed(): touch_pud() unless the entry changed under us. */
void huge_pud_set_accessed(struct vm_fault *vmf, pud_t orig_pud)
{
	spinlock_t *ptl = pud_lock(&vmf->vma->vm_mm->pgt);
	pud_t entry = pudp_get(vmf->pud);

	if (entry.pud == orig_pud.pud) {
		entry = pud_mkyoung(entry);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pud_mkdirty(entry);
		set_pud(vmf->pud, entry);
	}
	spin_unlock(ptl);
}
