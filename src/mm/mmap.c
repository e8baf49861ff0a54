// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmap.c - creating and removing VMAs: do_mmap(), do_munmap().
 *
 * Placement is Linux's top-down search below mmap_base, with the one twist
 * Linux 6.18 applies to anonymous memory: a mapping whose length is a
 * multiple of 2 MiB is aligned to 2 MiB (thp_get_unmapped_area()), so that
 * THP can apply to it.  munmap splits the VMAs at the edges (splitting a
 * huge PMD the edge cuts), zaps, removes and frees the tables nothing uses
 * any more.
 */
#include <errno.h>

#include "mm/mm.h"

static bool range_free(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return !vma || vma->vm_start >= end;
}

/* Top-down: the highest free [addr, addr+len) below mmap_base, @align-aligned. */
uint64_t get_unmapped_area(struct mm_struct *mm, uint64_t len, uint64_t align)
{
	uint64_t top = mm->mmap_base;

	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	while (top >= len + align) {
		uint64_t addr = (top - len) & ~(align - 1);
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!vma || vma->vm_start >= addr + len)
			return addr;
		/* Skip below the VMA in the way; find its predecessor's end. */
		top = vma->vm_start;
	}
	return 0;
}

static unsigned long calc_vm_flags(int prot, int flags)
{
	unsigned long vm_flags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (prot & PROT_READ)
		vm_flags |= VM_READ;
	if (prot & PROT_WRITE)
		vm_flags |= VM_WRITE;
	if (flags & MAP_SHARED)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	/* accountable_mapping(): private writable memory is charged, VM_ACCOUNT */
	else if ((prot & PROT_WRITE) && !(flags & MAP_NORESERVE))
		vm_flags |= VM_ACCOUNT;
	return vm_flags;
}

/*
 * Map [addr, addr+len) (MAP_FIXED) or a placed range.  @ops NULL with
 * MAP_PRIVATE is anonymous memory; pgoff is then addr >> PAGE_SHIFT, as
 * Linux sets it.  Precondition: mmap_lock not held (taken here).
 */
int64_t do_mmap(struct mm_struct *mm, uint64_t addr, uint64_t len, int prot, int flags,
		const struct vm_operations_struct *ops, void *file, unsigned long pgoff,
		const char *name)
{
	struct vm_area_struct *vma;

	if (!len || (len & ~PAGE_MASK) || (addr & ~PAGE_MASK))
		return -EINVAL;
	if ((flags & MAP_FIXED) && (len > TASK_SIZE || addr > TASK_SIZE - len))
		return -ENOMEM;
	mmap_write_lock(mm);
	if (!(flags & MAP_FIXED)) {
		uint64_t align = (!ops && !(len % PMD_SIZE)) ? PMD_SIZE : PAGE_SIZE;

		addr = get_unmapped_area(mm, len, align);
		if (!addr) {
			mmap_write_unlock(mm);
			return -ENOMEM;
		}
	} else if (!range_free(mm, addr, addr + len)) {
		mmap_write_unlock(mm);
		/* MODEL: MAP_FIXED over an existing mapping is not needed by scenarios. */
		return -EEXIST;
	}
	vma = vm_area_alloc(mm);
	if (!vma) {
		mmap_write_unlock(mm);
		return -ENOMEM;
	}
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = calc_vm_flags(prot, flags);
	vma->vm_ops = ops;
	vma->vm_file = file;
	vma->name = name;
	vma->vm_pgoff = (!ops && !file && !(flags & MAP_SHARED)) ? addr >> PAGE_SHIFT : pgoff;
	vma_set_page_prot(vma);
	if (file && ops && ops->open)
		ops->open(vma);		/* call_mmap(): the VMA's reference on the file */
	if (!ops && (flags & MAP_SHARED) && shmem_zero_setup(vma)) {
		vm_area_free(vma);
		mmap_write_unlock(mm);
		return -ENOMEM;
	}
	if (vma_insert(mm, vma)) {
		vm_area_free(vma);
		mmap_write_unlock(mm);
		return -ENOMEM;
	}
	vma_merge_neighbours(vma);
	mmap_write_unlock(mm);
	if (flags & MAP_POPULATE)
		mm_populate(mm, addr, len);
	return (int64_t)addr;
}

/* Split VMAs so that none straddles @start or @end; mmap_lock held for write. */
int split_vmas_at(struct mm_struct *mm, uint64_t start, uint64_t end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (vma && vma->vm_start < start && vma->vm_end > start) {
		split_huge_pmd_range(vma, start, start);
		if (split_vma(vma, start, true))
			return -ENOMEM;
	}
	vma = find_vma(mm, end);
	if (vma && vma->vm_start < end && vma->vm_end > end) {
		split_huge_pmd_range(vma, end, end);
		if (split_vma(vma, end, false))
			return -ENOMEM;
	}
	return 0;
}

int do_munmap(struct mm_struct *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + ((len + PAGE_SIZE - 1) & PAGE_MASK);
	struct vm_area_struct *vma;

	if ((start & ~PAGE_MASK) || !len || end > TASK_SIZE)
		return -EINVAL;
	mmap_write_lock(mm);
	if (split_vmas_at(mm, start, end)) {
		mmap_write_unlock(mm);
		return -ENOMEM;
	}
	while ((vma = find_vma(mm, start)) && vma->vm_start < end) {
		unmap_page_range(vma, vma->vm_start, vma->vm_end);
		vma_remove(mm, vma);
		vm_area_free(vma);
	}
	free_pgtables(mm, start, end);
	mmap_write_unlock(mm);
	return 0;
}
