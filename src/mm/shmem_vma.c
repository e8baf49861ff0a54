// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmem_vma.c - VMAs backed by shared memory files (src/fs/shmem.c).
 *
 * MAP_SHARED|MAP_ANONYMOUS and MAP_SHARED of /dev/zero get a shmem file of
 * the mapping's size (shmem_zero_setup()).  A read fault allocates a page
 * in the file (no zero page: KERNEL-FACTS s10b), fault-around maps the
 * neighbours that are already cached, and since shmem needs no write-notify
 * the PTEs of a writable shared mapping are writable from the start (s5: a
 * write after a read costs no fault).  Each VMA holds a reference on the
 * file; fork copies the VMA but not its PTEs (s10c).
 */
#include <limits.h>

#include "fs/shmem.h"
#include "mm/mm.h"

static struct shmem_file *vma_shmem(struct vm_area_struct *vma)
{
	return vma->vm_file;
}

static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	int sigbus;
	struct folio *folio = shmem_get_folio(vma_shmem(vmf->vma), vmf->pgoff, &sigbus);

	if (!folio)
		return sigbus ? VM_FAULT_SIGBUS : VM_FAULT_OOM;
	vmf->page = &folio->page;
	return 0;
}

static struct folio *shmem_lookup_vma(struct vm_area_struct *vma, unsigned long index)
{
	return shmem_lookup(vma_shmem(vma), index);
}

static vm_fault_t shmem_map_pages(struct vm_fault *vmf, unsigned long start, unsigned long end)
{
	return filemap_map_pages_with(vmf, start, end, shmem_lookup_vma, ULONG_MAX);
}

static void shmem_vma_open(struct vm_area_struct *vma)
{
	shmem_file_get(vma_shmem(vma));
}

static void shmem_vma_close(struct vm_area_struct *vma)
{
	shmem_file_put(vma_shmem(vma));
}

const struct vm_operations_struct shmem_vm_ops = {
	.name = "shmem",
	.open = shmem_vma_open,
	.close = shmem_vma_close,
	.fault = shmem_fault,
	.map_pages = shmem_map_pages,
};

int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct shmem_file *file = shmem_file_create(vma->vm_end - vma->vm_start);

	if (!file)
		return -1;
	vma->vm_file = file;
	vma->vm_pgoff = 0;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}
