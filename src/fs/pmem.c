// SPDX-License-Identifier: GPL-2.0-only
/*
 * pmem.c - the persistent-memory device (see pmem.h).
 *
 * What drivers/nvdimm/pmem.c and devm_memremap_pages() do for a real NVDIMM
 * namespace, reduced to what the model needs: map the media (here a host
 * file, MAP_SHARED, so stores persist in it), give each frame a page
 * descriptor that points at a FS_DAX dev_pagemap (memmap_init_zone_device),
 * and translate device offsets to kernel addresses and pfns for the DAX
 * filesystem and the fault path (dax_direct_access).
 *
 * MODEL: the memmap is a plain host array, like the RAM memmap of
 * src/phys/memmap.c: it is part of the machine, not a model object, and
 * pmem_exit() frees it.  No badblocks, no poison, no label area.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/pmem.h"

static struct dev_pagemap pmem_dev_pagemap;
static int pmem_fd = -1;
static atomic_t inject_count;
static long inject_err;

/* A temporary file in $TMPDIR (or /tmp), unlinked at once. */
static int open_temporary(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof(path), "%s/faultline-pmem-XXXXXX", dir) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* memmap_init_zone_device(): every page idle, pointing at the pgmap. */
static void pmem_memmap_init(void)
{
	int ref = fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED ? 1 : 0;	/* R61, R63 */

	for (unsigned long i = 0; i < machine.pmem_pages; i++) {
		struct page *p = &machine.pmem_memmap[i];

		atomic_set(&p->_mapcount, -1);
		atomic_set(&p->_refcount, ref);
		p->pgmap = &pmem_dev_pagemap;
	}
}

static int pmem_setup(int fd)
{
	uint64_t size = (uint64_t)machine.pmem_pages << PAGE_SHIFT;
	struct stat st;
	void *virt;

	if (fstat(fd, &st) || ((uint64_t)st.st_size < size && ftruncate(fd, (off_t)size)))
		return -1;
	virt = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (virt == MAP_FAILED)
		return -1;
	machine.pmem_memmap = calloc(machine.pmem_pages, sizeof(struct page));
	if (!machine.pmem_memmap) {
		munmap(virt, size);
		errno = ENOMEM;
		return -1;
	}
	machine.pmem = virt;
	pmem_dev_pagemap = (struct dev_pagemap){
		.type = MEMORY_DEVICE_FS_DAX,
		.start_pfn = machine.pmem_base_pfn,
		.nr_pages = machine.pmem_pages,
	};
	pmem_memmap_init();
	pmem_fd = fd;
	return 0;
}

static int pmem_init_fd(int fd)
{
	int err;

	if (fd < 0)
		return -1;
	if (pmem_setup(fd) == 0)
		return 0;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

int pmem_init(void)
{
	if (!machine.pmem_pages || machine.pmem) {
		errno = machine.pmem ? EBUSY : EINVAL;
		return -1;
	}
	return pmem_init_fd(open_temporary());
}

int pmem_init_path(const char *path)
{
	if (!machine.pmem_pages || machine.pmem) {
		errno = machine.pmem ? EBUSY : EINVAL;
		return -1;
	}
	return pmem_init_fd(open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600));
}

void pmem_exit(void)
{
	if (!machine.pmem)
		return;
	munmap(machine.pmem, (size_t)machine.pmem_pages << PAGE_SHIFT);
	free(machine.pmem_memmap);
	close(pmem_fd);
	pmem_fd = -1;
	atomic_set(&inject_count, 0);
	machine.pmem = NULL;
	machine.pmem_memmap = NULL;
	memset(&pmem_dev_pagemap, 0, sizeof(pmem_dev_pagemap));
}

struct dev_pagemap *pmem_pgmap(void)
{
	return machine.pmem ? &pmem_dev_pagemap : NULL;
}

int pmem_host_fd(void)
{
	return pmem_fd;
}

int pmem_flush(void)
{
	if (!machine.pmem)
		return 0;
	return msync(machine.pmem, (size_t)machine.pmem_pages << PAGE_SHIFT, MS_SYNC);
}

void pmem_inject_direct_access(long err, int count)
{
	inject_err = err;
	atomic_set(&inject_count, count);
}

long pmem_dax_direct_access(unsigned long pgoff, long nr_pages, void **kaddr, unsigned long *pfn)
{
	if (atomic_read(&inject_count) > 0) {
		atomic_dec(&inject_count);
		return inject_err;
	}
	if (!machine.pmem || pgoff >= machine.pmem_pages)
		return -ERANGE;
	if (kaddr)
		*kaddr = machine.pmem + ((uint64_t)pgoff << PAGE_SHIFT);
	if (pfn)
		*pfn = machine.pmem_base_pfn + pgoff;
	if ((unsigned long)nr_pages > machine.pmem_pages - pgoff)
		nr_pages = (long)(machine.pmem_pages - pgoff);
	return nr_pages;
}
