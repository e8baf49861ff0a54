// SPDX-License-Identifier: GPL-2.0-only
/*
 * memmap.c - bringing the simulated machine up and down.
 *
 * phys_init() reserves RAM as one MAP_NORESERVE host mapping, allocates the
 * memmap (one 64-byte struct page per frame), hands every frame to the buddy
 * allocator and takes the shared zero page out of it, the way Linux's zero
 * page is a reserved frame that nothing ever frees.  The huge zero folio is
 * not allocated here: Linux allocates it on first use (zero.c).  The device
 * range (io+N of PFN maps) gets bytes too, a second MAP_NORESERVE mapping,
 * but no memmap: pfn_valid() stays false there, as for real MMIO.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "phys/phys.h"

struct fl_machine machine;

void buddy_init_free(unsigned long first_pfn, unsigned long end_pfn);

int phys_init(const struct fl_config *cfg)
{
	struct page *zero;

	memset(&machine, 0, sizeof(machine));
	machine.cfg = *cfg;
	machine.ram_pages = cfg->ram >> PAGE_SHIFT;
	machine.pmem_base_pfn = machine.ram_pages;
	machine.pmem_pages = cfg->pmem >> PAGE_SHIFT;
	machine.io_base_pfn = machine.pmem_base_pfn + machine.pmem_pages;
	machine.io_pages = (1ul << 30) >> PAGE_SHIFT;
	spin_lock_init(&machine.zone_lock);

	machine.ram = mmap(NULL, cfg->ram, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (machine.ram == MAP_FAILED) {
		machine.ram = NULL;
		return -1;
	}
	machine.memmap = calloc(machine.ram_pages, sizeof(struct page));
	if (!machine.memmap) {
		munmap(machine.ram, cfg->ram);
		machine.ram = NULL;
		errno = ENOMEM;
		return -1;
	}
	/*
	 * The device range of PFN maps (io+N): bytes without descriptors, as
	 * MMIO or a frame buffer is.  MAP_NORESERVE, so 1 GiB costs what is
	 * touched.
	 */
	machine.io = mmap(NULL, machine.io_pages << PAGE_SHIFT, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (machine.io == MAP_FAILED) {
		machine.io = NULL;
		phys_exit();
		return -1;
	}
	for (unsigned long i = 0; i < machine.ram_pages; i++)
		atomic_set(&machine.memmap[i]._mapcount, -1);
	buddy_init_free(0, machine.ram_pages);

	zero = alloc_pages(__GFP_ZERO, 0);
	set_page_flag(zero, PG_reserved);
	set_page_flag(zero, PG_zero);
	machine.zero_pfn = page_to_pfn(zero);
	return 0;
}

void phys_exit(void)
{
	if (machine.ram)
		munmap(machine.ram, machine.cfg.ram);
	if (machine.io)
		munmap(machine.io, machine.io_pages << PAGE_SHIFT);
	free(machine.memmap);
	machine.io = NULL;
	machine.ram = NULL;
	machine.memmap = NULL;
}
