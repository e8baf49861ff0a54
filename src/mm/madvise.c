// SPDX-License-Identifier: GPL-2.0-only
/*
 * madvise.c - MADV_DONTNEED, MADV_HUGEPAGE/NOHUGEPAGE and MADV_POPULATE_*.
 *
 * DONTNEED zaps the range and keeps the tables (KERNEL-FACTS s2, s7): a huge
 * PMD it covers wholly goes away whole, one it cuts is split first.
 * HUGEPAGE/NOHUGEPAGE set the VMA flags (splitting VMAs at the edges as
 * Linux does).  POPULATE_READ/WRITE fault the range in through the GUP
 * path, and those faults count in the task's fault counters.
 */
#include <errno.h>

#include "mm/mm.h"

int split_vmas_at(struct mm_struct *mm, uint64_t start, uint64_t end);

static int check_mapped(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	for (uint64_t addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!vma || vma->vm_start > addr)
			return -ENOMEM;
		addr = vma->vm_end;
	}
	return 0;
}

static int madvise_dontneed(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	for (uint64_t addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		uint64_t s = addr, e = vma->vm_end < end ? vma->vm_end : end;

		if (vma->vm_flags & VM_PFNMAP)
			return -EINVAL;
		zap_page_range_single(vma, s, e - s);
		addr = vma->vm_end;
	}
	return 0;
}

static int madvise_hugepage(struct mm_struct *mm, uint64_t start, uint64_t end, int advice)
{
	if (split_vmas_at(mm, start, end))
		return -ENOMEM;
	for (uint64_t addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (advice == MADV_HUGEPAGE)
			vma->vm_flags = (vma->vm_flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
		else
			vma->vm_flags = (vma->vm_flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
		addr = vma->vm_end;
	}
	for (uint64_t addr = start; addr < end;) {
		struct vm_area_struct *vma = vma_merge_neighbours(find_vma(mm, addr));

		addr = vma->vm_end;
	}
	return 0;
}

static int madvise_populate(struct mm_struct *mm, uint64_t start, uint64_t end, bool write)
{
	for (uint64_t addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		uint64_t e = vma->vm_end < end ? vma->vm_end : end;
		long ret;

		if (vma->vm_flags & (VM_PFNMAP | VM_IO))
			return -EINVAL;
		ret = populate_vma_page_range(vma, addr, e, write);
		if (ret < 0)
			return (int)ret;
		addr = e;
	}
	return 0;
}

int do_madvise(struct mm_struct *mm, uint64_t start, uint64_t len, int advice)
{
	uint64_t end = start + ((len + PAGE_SIZE - 1) & PAGE_MASK);
	int ret;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE)
		mmap_write_lock(mm);
	else
		mmap_read_lock(mm);
	ret = check_mapped(mm, start, end);
	if (!ret) {
		switch (advice) {
		case MADV_DONTNEED:
			ret = madvise_dontneed(mm, start, end);
			break;
		case MADV_HUGEPAGE:
		case MADV_NOHUGEPAGE:
			ret = madvise_hugepage(mm, start, end, advice);
			break;
		case MADV_POPULATE_READ:
		case MADV_POPULATE_WRITE:
			ret = madvise_populate(mm, start, end, advice == MADV_POPULATE_WRITE);
			break;
		default:
			ret = -EINVAL;
		}
	}
	if (advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return ret;
}
