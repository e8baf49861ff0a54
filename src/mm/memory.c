// SPDX-License-Identifier: GPL-2.0-only
/*
 * memory.c - the fault core: handle_mm_fault() down through the PUD, PMD
 * and PTE levels to the handler that fills the entry.
 *
 * The shape is Linux 6.18's __handle_mm_fault(): allocate the upper tables,
 * try a huge mapping at PUD level, then at PMD level, and fall back to the
 * PTE level when the huge handler answers VM_FAULT_FALLBACK; at the PTE
 * level, a missing entry goes to do_anonymous_page() or do_fault(), a
 * present read-only entry under a write goes to do_wp_page().
 *
 * Every level that was tried or skipped is reported to --explain with the
 * reason, which is how faultline answers "why did I get 4K pages?".  Fault
 * accounting follows mm_account_fault(): a fault that ends in an error is
 * counted in pgfault but not in the task's min_flt/maj_flt (KERNEL-FACTS
 * s8: a SIGBUS costs 0 minflt).
 */
#include "base/bug.h"
#include "mm/mm.h"

void (*fl_fault_explain)(const struct fl_fault_event *ev);

void fault_explain(struct vm_fault *vmf, int level, const char *handler, vm_fault_t ret,
		   bool skipped, enum fl_reason reason, const char *mapped)
{
	struct fl_fault_event ev;

	if (!fl_fault_explain)
		return;
	ev.mm = vmf->vma->vm_mm;
	ev.address = vmf->real_address;
	ev.write = vmf->flags & FAULT_FLAG_WRITE;
	ev.level = level;
	ev.handler = handler;
	ev.ret = ret;
	ev.skipped = skipped;
	ev.reason = reason;
	ev.mapped = mapped;
	fl_fault_explain(&ev);
}

int pte_alloc(struct mm_struct *mm, pmd_t *pmd)
{
	return pmd_none(pmdp_get(pmd)) && __pte_alloc(&mm->pgt, pmd);
}

/*
 * get_locked_pte(): the PTE for @addr with its lock held, allocating the
 * tables on the way; NULL when out of memory or when a huge entry maps the
 * address (the caller's insert then fails, as in Linux).
 */
pte_t *get_locked_pte(struct mm_struct *mm, uint64_t addr, spinlock_t **ptl)
{
	pgd_t *pgd = pgd_offset(&mm->pgt, addr);
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(pgdp_get(pgd)) && __pud_alloc(&mm->pgt, pgd))
		return NULL;
	pud = pud_offset(pgd, addr);
	if (pud_none(pudp_get(pud)) && __pmd_alloc(&mm->pgt, pud))
		return NULL;
	if (pud_leaf(pudp_get(pud)))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pte_alloc(mm, pmd))
		return NULL;
	return pte_offset_map_lock(pmd, addr, ptl);
}

static vm_fault_t do_pte_missing(struct vm_fault *vmf)
{
	if (vma_is_anonymous(vmf->vma))
		return do_anonymous_page(vmf);
	return do_fault(vmf);
}

/*
 * The PTE level.  Preconditions: mmap_lock held for read; vmf->pmd is a
 * table or none (never a leaf: the levels above handled those).
 */
vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	pte_t entry;

	vmf->pte = NULL;
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		if (pmd_leaf(pmdp_get(vmf->pmd)) || !pmd_present(pmdp_get(vmf->pmd)))
			return 0;	/* a huge or non-present PMD appeared under us: retry */
		vmf->pte = pte_offset_kernel(vmf->pmd, vmf->address);
		vmf->orig_pte = ptep_get(vmf->pte);
		vmf->flags |= FAULT_FLAG_ORIG_PTE_VALID;
		if (pte_none(vmf->orig_pte))
			vmf->pte = NULL;
	}
	if (!vmf->pte)
		return do_pte_missing(vmf);
	/*
	 * MODEL: no swap, migration or NUMA-hinting entries exist; a
	 * non-present PTE is a poked swap-like one, whose swap type no swap
	 * device knows: do_swap_page() would fail, SIGBUS.
	 */
	if (!pte_present(vmf->orig_pte))
		return VM_FAULT_SIGBUS;

	vmf->pte = pte_offset_map_lock(vmf->pmd, vmf->address, &vmf->ptl);
	if (!vmf->pte)
		return 0;
	entry = vmf->orig_pte;
	if (!pte_same(ptep_get(vmf->pte), entry))
		goto unlock;
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return do_wp_page(vmf);	/* drops the PTE lock */
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pte_mkdirty(entry);
	}
	entry = pte_mkyoung(entry);
	set_pte(vmf->pte, entry);	/* ptep_set_access_flags() */
unlock:
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

static vm_fault_t create_huge_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma_is_anonymous(vma))
		return do_huge_pmd_anonymous_page(vmf);
	if (vma->vm_ops->huge_fault)
		return vma->vm_ops->huge_fault(vmf, HPAGE_PMD_ORDER);
	return VM_FAULT_FALLBACK;
}

static vm_fault_t wp_huge_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma_is_anonymous(vma))
		return do_huge_pmd_wp_page(vmf);
	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		if (vma->vm_ops->huge_fault) {
			vm_fault_t ret = vma->vm_ops->huge_fault(vmf, HPAGE_PMD_ORDER);

			if (!(ret & VM_FAULT_FALLBACK))
				return ret;
		}
	}
	/* COW or write-notify: handled at PTE level after splitting the PMD. */
	__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/* --explain: who would handle a PMD fault in @vma. */
static const char *pmd_handler_name(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return "pfn";
	return vma_is_anonymous(vma) ? "anon" : vma_is_dax(vma) ? "dax" : "file";
}

/* The PMD level of __handle_mm_fault(); *done tells whether it finished. */
static vm_fault_t handle_pmd_level(struct vm_fault *vmf, bool *done)
{
	struct vm_area_struct *vma = vmf->vma;
	enum fl_reason why = FL_REASON_NONE;
	pmd_t orig = pmdp_get(vmf->pmd);
	vm_fault_t ret;

	*done = false;
	if (pmd_none(orig)) {
		if (!thp_vma_allowable_pmd(vma, &why)) {
			fault_explain(vmf, 1, pmd_handler_name(vma), 0, true, why, NULL);
			return 0;
		}
		ret = create_huge_pmd(vmf);
		*done = !(ret & VM_FAULT_FALLBACK);
		return ret;
	}
	/*
	 * MODEL: a non-present PMD is a poked swap-like entry (no migration
	 * exists); Linux's is_swap_pmd() path waits for the migration and
	 * returns 0, and so does this, with nothing to wait for.
	 */
	if (!pmd_present(orig)) {
		*done = true;
		return 0;
	}
	if (!pmd_leaf(orig)) {
		if (thp_vma_allowable_pmd(vma, &why) &&
		    thp_vma_suitable_order(vma, vmf->address, HPAGE_PMD_ORDER))
			fault_explain(vmf, 1, pmd_handler_name(vma), 0, true,
				      FL_REASON_TABLE_PRESENT, NULL);
		return 0;
	}
	vmf->orig_pmd = orig;
	if ((vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !pmd_write(orig)) {
		ret = wp_huge_pmd(vmf);
		*done = !(ret & VM_FAULT_FALLBACK);
		return ret;
	}
	huge_pmd_set_accessed(vmf);
	*done = true;
	return 0;
}

/* create_huge_pud(): nothing anonymous is PUD-mapped; drivers and DAX may be. */
static vm_fault_t create_huge_pud(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma_is_anonymous(vma) || !vma->vm_ops->huge_fault)
		return VM_FAULT_FALLBACK;
	return vma->vm_ops->huge_fault(vmf, HPAGE_PUD_ORDER);
}

/*
 * wp_huge_pud(): a shared mapping asks the driver again; CoW and
 * write-notify are not handled at PUD level, so the leaf is split (for
 * everything PUD-mapped that means cleared) and the fault goes on below.
 */
static vm_fault_t wp_huge_pud(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (!vma_is_anonymous(vma) && (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) &&
	    vma->vm_ops->huge_fault) {
		vm_fault_t ret = vma->vm_ops->huge_fault(vmf, HPAGE_PUD_ORDER);

		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	}
	__split_huge_pud(vma, vmf->pud, vmf->address);
	return VM_FAULT_FALLBACK;
}

/*
 * The PUD level of __handle_mm_fault(): only vm_ops->huge_fault providers
 * (drivers' PFN and mixed maps) map PUDs; anonymous THP has no PUD size.
 * *done tells whether the fault finished here.
 */
static vm_fault_t handle_pud_level(struct vm_fault *vmf, bool *done)
{
	struct vm_area_struct *vma = vmf->vma;
	enum fl_reason why = FL_REASON_NONE;
	pud_t orig = pudp_get(vmf->pud);
	vm_fault_t ret = 0;

	*done = false;
	if (pud_none(orig)) {
		/* MODEL: the core checks the PUD's fit; Linux leaves it to the handler. */
		if (vma_is_anonymous(vma) || !thp_vma_allowable_pmd(vma, &why) ||
		    !thp_vma_suitable_order(vma, vmf->address, HPAGE_PUD_ORDER))
			return 0;
		ret = create_huge_pud(vmf);
		*done = !(ret & VM_FAULT_FALLBACK);
		return ret;
	}
	if (!pud_leaf(orig))
		return 0;
	if ((vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !pud_write(orig)) {
		ret = wp_huge_pud(vmf);
		*done = !(ret & VM_FAULT_FALLBACK);
		return ret;
	}
	huge_pud_set_accessed(vmf, orig);
	*done = true;
	return 0;
}

static vm_fault_t __handle_mm_fault(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	pgd_t *pgd = pgd_offset(&mm->pgt, vmf->address);
	pud_t *pud;
	vm_fault_t ret;
	bool done;

	if (pgd_none(pgdp_get(pgd)) && __pud_alloc(&mm->pgt, pgd))
		return VM_FAULT_OOM;
	pud = pud_offset(pgd, vmf->address);
	vmf->pud = pud;
	ret = handle_pud_level(vmf, &done);
	if (done)
		return ret;
	if (pud_none(pudp_get(pud)) && __pmd_alloc(&mm->pgt, pud))
		return VM_FAULT_OOM;
	if (pud_leaf(pudp_get(pud)))
		return 0;	/* a PUD leaf appeared under us: retry */
	vmf->pmd = pmd_offset(pud, vmf->address);
	ret = handle_pmd_level(vmf, &done);
	if (done)
		return ret;
	return handle_pte_fault(vmf);
}

/*
 * Preconditions: mmap_lock held for read (or write); @vma contains @address
 * and allows the access (the caller checked access_error()).
 */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, uint64_t address, unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_fault vmf = {
		.vma = vma,
		.address = address & PAGE_MASK,
		.real_address = address,
		.flags = flags,
		.pgoff = linear_page_index(vma, address),
	};
	vm_fault_t ret;

	mmap_assert_locked(mm);
	ret = __handle_mm_fault(&vmf);
	if (ret & VM_FAULT_RETRY) {
		/*
		 * MODEL: the arch fault handler's retry after ->fault dropped
		 * the mmap lock for I/O (filemap_fault() readahead), done here
		 * with the lock kept: nothing else runs in between.
		 */
		vmf = (struct vm_fault){ .vma = vma, .address = address & PAGE_MASK,
					 .real_address = address, .flags = flags | FAULT_FLAG_TRIED,
					 .pgoff = linear_page_index(vma, address) };
		ret = __handle_mm_fault(&vmf);
		ret |= VM_FAULT_MAJOR;	/* mm_account_fault(): FAULT_FLAG_TRIED is major */
	}

	/* mm_account_fault() */
	if (ret & VM_FAULT_RETRY)
		return ret;
	count_vm_event(PGFAULT);
	if (ret & VM_FAULT_ERROR)
		return ret;
	if (ret & VM_FAULT_MAJOR) {
		mm->maj_flt++;
		count_vm_event(PGMAJFAULT);
	} else {
		mm->min_flt++;
	}
	return ret;
}
