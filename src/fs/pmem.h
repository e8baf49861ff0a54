/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pmem.h - the simulated persistent-memory device under the DAX filesystem.
 *
 * The device is `config pmem=` bytes long.  Its bytes are a host file mapped
 * MAP_SHARED, so what a DAX mapping stores lands in a real file: by default
 * a temporary file, unlinked at once (it vanishes with the process), or, by
 * pmem_init_path(), a named file that is kept for inspection.
 *
 * Its frames follow RAM in the physical address space (machine.pmem_base_pfn
 * .. + pmem_pages) and have page descriptors of their own, a memmap under a
 * struct dev_pagemap of type MEMORY_DEVICE_FS_DAX, as drivers/nvdimm/pmem.c
 * gets from devm_memremap_pages(): pfn_valid(), pfn_to_page(), page_to_pfn()
 * and pfn_to_virt() work for them once the device is up.  Their refcount
 * starts at 1 under V5=one_based (R61) and at 0 otherwise (R63).
 *
 * pmem pages are not RAM: the buddy allocator never sees them, so the leak
 * checks of src/check/ are unaffected; the DAX filesystem accounts its blocks.
 *
 * Bring-up order: phys_init(), pmem_init(), ..., pmem_exit(), phys_exit().
 */
#ifndef FL_FS_PMEM_H
#define FL_FS_PMEM_H

#include <stdint.h>

#include "phys/memremap.h"
#include "phys/phys.h"

/* Bring up machine.pmem_pages of pmem over an unlinked temporary file; -1 with errno. */
int pmem_init(void);
/* The same over @path, created if needed, grown to the device size, kept afterwards. */
int pmem_init_path(const char *path);
void pmem_exit(void);

/* The device's pgmap (type FS_DAX), or NULL when no device is up. */
struct dev_pagemap *pmem_pgmap(void);
/* The host file descriptor behind the bytes (for tests that read the file). */
int pmem_host_fd(void);
/* msync(): what a CPU cache flush plus fence is to real pmem. */
int pmem_flush(void);

/*
 * dax_direct_access(): @nr_pages pages at page offset @pgoff of the device.
 * Returns how many of them are available (fewer at the end of the device),
 * or -ERANGE past it; *kaddr and *pfn (either may be NULL) describe the first.
 */
long pmem_dax_direct_access(unsigned long pgoff, long nr_pages, void **kaddr, unsigned long *pfn);
/* The next @count direct accesses fail with @err (-EIO, -ENOMEM: T44). */
void pmem_inject_direct_access(long err, int count);

#endif /* FL_FS_PMEM_H */
