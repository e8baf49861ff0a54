// SPDX-License-Identifier: GPL-2.0-only
/*
 * madvise.c - MADV_DONTNEED, MADV_HUGEPAGE/NOHUGEPAGE and MADV_POPULATE_*.
 *
 * DONTNEED zaps the range; it frees only PTE tables whose whole PMD range it
 * emptied (CONFIG_PT_RECLAIM) and keeps the others (KERNEL-FACTS s2, s7): a huge
 * PMD it covers wholly goes away whole, one it cuts is split first.
 * HUGEPAGE/NOHUGEPAGE set the VMA flags (splitting VMAs at the edges as
 * Linux does).  POPULATE_READ/WRITE fault the range in through the GUP
 * path, and those faults count in the task's fault counters.
 */
#include <errno.h>

#include "mm/mm.h"

int split_vmas_at(struct mm_struct *mm, uint64_t start, uint64_t end);

/* MADV_HUGEPAGE/NOHUGEPAGE on [start, end) of one VMA: split, flag, merge. */
static int madvise_hugepage(struct mm_struct *mm, uint64_t start, uint64_t end, int advice)
{
	struct vm_area_struct *vma;

	if (split_vmas_at(mm, start, end))
		return -ENOMEM;
	vma = find_vma(mm, start);
	if (advice == MADV_HUGEPAGE)
		vma->vm_flags = (vma->vm_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
	else
		vma->vm_flags = (vma->vm_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
	vma_merge_neighbours(vma);
	return 0;
}

/*
 * CONFIG_PT_RECLAIM (on in Linux 6.18 here): MADV_DONTNEED frees a PTE table
 * whose whole PMD range it zapped, once every entry is none
 * (zap_pte_range() with reclaim_pt).  Observable: the next fault in a THP
 * range finds the PMD none again and may map a huge page.
 * Precondition: mmap_lock held.
 */
static void reclaim_empty_pte_tables(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct mm_struct *mm = vma->vm_mm;

	for (uint64_t a = (start + PMD_SIZE - 1) & PMD_MASK; a + PMD_SIZE <= end; a += PMD_SIZE) {
		pmd_t *pmd = mm_find_pmd(mm, a);
		spinlock_t *ptl;
		bool empty = true;
		pte_t *ptes;

		if (!pmd || pmd_none(pmdp_get(pmd)) || pmd_leaf(pmdp_get(pmd)))
			continue;
		ptl = pmd_lock(pmd);
		ptes = pte_offset_kernel(pmd, a);
		for (int i = 0; i < PTRS_PER_TABLE && empty; i++)
			empty = pte_none(ptep_get(&ptes[i]));
		if (empty)
			free_pte_table(&mm->pgt, pmd);
		spin_unlock(ptl);
	}
}

static int madvise_one(struct mm_struct *mm, struct vm_area_struct *vma, uint64_t start,
		       uint64_t end, int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
		if (vma->vm_flags & VM_PFNMAP)
			return -EINVAL;
		zap_page_range_single(vma, start, end - start);
		reclaim_empty_pte_tables(vma, start, end);
		return 0;
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
		return madvise_hugepage(mm, start, end, advice);
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		if (vma->vm_flags & (VM_PFNMAP | VM_IO))
			return -EINVAL;
		return (int)populate_vma_page_range(vma, start, end, advice == MADV_POPULATE_WRITE);
	default:
		return -EINVAL;
	}
}

static bool madvise_need_write_lock(int advice)
{
	return advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE;
}

/*
 * madvise_walk_vmas(): apply the advice to every mapped part of the range;
 * an unmapped gap is skipped and reported as -ENOMEM at the end (populate
 * stops at the gap, as madvise_populate() does).
 */
int do_madvise(struct mm_struct *mm, uint64_t start, uint64_t len, int advice)
{
	uint64_t end = start + ((len + PAGE_SIZE - 1) & PAGE_MASK), addr = start;
	bool write = madvise_need_write_lock(advice), unmapped = false;
	int ret = 0;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (advice != MADV_DONTNEED && !write && advice != MADV_POPULATE_READ &&
	    advice != MADV_POPULATE_WRITE)
		return -EINVAL;
	if (write)
		mmap_write_lock(mm);
	else
		mmap_read_lock(mm);
	while (addr < end && !ret) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		uint64_t e;

		if (!vma || vma->vm_start >= end) {
			unmapped = true;
			break;
		}
		if (vma->vm_start > addr) {
			unmapped = true;
			if (advice == MADV_POPULATE_READ || advice == MADV_POPULATE_WRITE)
				break;
			addr = vma->vm_start;
		}
		e = vma->vm_end < end ? vma->vm_end : end;
		ret = madvise_one(mm, vma, addr, e, advice);
		addr = e;
	}
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return ret ? ret : unmapped ? -ENOMEM : 0;
}
