// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmu.c - the software MMU: what the CPU does on a load or a store.
 *
 * fl_walk() follows the four levels the way the hardware walker does and
 * stops at the first non-present entry or at a leaf (PSE at PMD or PUD
 * level).  fl_access() checks the access against every level's bits (present,
 * user, writable), sets the accessed bit, and the dirty bit on a store, in
 * the leaf with a compare-and-exchange as the CPU does, then moves the
 * bytes.  A miss becomes do_user_addr_fault(): find the VMA, refuse what the
 * VMA does not allow (SIGSEGV with SEGV_MAPERR or SEGV_ACCERR, counted as no
 * fault), call handle_mm_fault() and retry.
 *
 * MODEL: no TLB.  Every access walks the tables, so there is never a stale
 * translation to flush; the cost is a few loads per access.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "base/bug.h"
#include "mm/mm.h"

void fl_walk(struct mm_struct *mm, uint64_t addr, struct fl_leaf *leaf)
{
	pgd_t *pgd = pgd_offset(&mm->pgt, addr);
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;
	uint64_t e;

	leaf->level = 0;
	if (!pgd_present(pgdp_get(pgd)))
		return;
	pud = pud_offset(pgd, addr);
	e = pudp_get(pud).pud;
	if (pud_leaf(__pud(e))) {
		*leaf = (struct fl_leaf){ 3, e, &pud->pud,
			pud_pfn(__pud(e)) + ((addr & ~PUD_MASK) >> PAGE_SHIFT) };
		return;
	}
	if (!(e & _PAGE_PRESENT))
		return;
	pmd = pmd_offset(pud, addr);
	e = pmdp_get(pmd).pmd;
	if (pmd_leaf(__pmd(e))) {
		*leaf = (struct fl_leaf){ 2, e, &pmd->pmd,
			pmd_pfn(__pmd(e)) + ((addr & ~PMD_MASK) >> PAGE_SHIFT) };
		return;
	}
	if (!(e & _PAGE_PRESENT))
		return;
	pte = pte_offset_kernel(pmd, addr);
	e = ptep_get(pte).pte;
	if (pte_none(__pte(e)))
		return;
	*leaf = (struct fl_leaf){ 1, e, &pte->pte, pte_pfn(__pte(e)) };
}

/* The hardware's view: present and user everywhere, writable for stores. */
static bool hw_translate(struct mm_struct *mm, uint64_t addr, bool write, unsigned long *pfn)
{
	uint64_t need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
	uint64_t set = _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
	struct fl_leaf leaf;
	uint64_t old;

	fl_walk(mm, addr, &leaf);
	if (!leaf.level || (leaf.entry & need) != need)
		return false;
	old = leaf.entry;
	while ((old & set) != set) {
		if (try_cmpxchg_u64(leaf.entryp, &old, old | set))
			break;
		if ((old & need) != need)
			return false;	/* changed under us: fault */
	}
	*pfn = leaf.pfn;
	return true;
}

/* x86's access_error(): does the VMA allow this access at all? */
static bool access_error(struct vm_area_struct *vma, bool write)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	return !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC));
}

static int do_user_addr_fault(struct mm_struct *mm, uint64_t addr, bool write,
			      struct fl_access_result *res)
{
	struct vm_area_struct *vma;
	vm_fault_t ret;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr || access_error(vma, write)) {
		res->signo = SIGSEGV;
		res->si_code = (!vma || vma->vm_start > addr) ? SEGV_MAPERR : SEGV_ACCERR;
		res->addr = addr;
		mmap_read_unlock(mm);
		return 0;
	}
	ret = handle_mm_fault(vma, addr, FAULT_FLAG_USER | (write ? FAULT_FLAG_WRITE : 0));
	mmap_read_unlock(mm);
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON)) {
		res->signo = SIGBUS;
		res->si_code = BUS_ADRERR;
		res->addr = addr;
	} else if (ret & VM_FAULT_SIGSEGV) {
		res->signo = SIGSEGV;
		res->si_code = SEGV_MAPERR;
		res->addr = addr;
	}
	return 0;
}

int fl_access(struct mm_struct *mm, uint64_t addr, bool write, uint8_t *buf, size_t len,
	      struct fl_access_result *res)
{
	unsigned long pfn;

	res->signo = 0;
	if ((addr & ~PAGE_MASK) + len > PAGE_SIZE || addr >= TASK_SIZE)
		return -EINVAL;
	for (int tries = 0; tries < 16; tries++) {
		int err;

		if (hw_translate(mm, addr, write, &pfn)) {
			uint8_t *p;

			if (!pfn_has_bytes(pfn)) {
				/* MODEL: pmem frames arrive with DAX; device frames have bytes. */
				fl_report_bug("MMU", "access at 0x%llx reached pfn 0x%lx without memory",
					      (unsigned long long)addr, pfn);
				return -EFAULT;
			}
			p = (uint8_t *)pfn_to_virt(pfn) + (addr & ~PAGE_MASK);
			if (write)
				memcpy(p, buf, len);
			else
				memcpy(buf, p, len);
			return 0;
		}
		err = do_user_addr_fault(mm, addr, write, res);
		if (err || res->signo)
			return err;
	}
	fl_report_bug("fault livelock", "access at 0x%llx (%s) still faults after 16 faults",
		      (unsigned long long)addr, write ? "write" : "read");
	return -EFAULT;
}
