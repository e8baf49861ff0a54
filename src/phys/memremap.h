/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memremap.h - struct dev_pagemap: device memory that has page descriptors.
 *
 * Linux describes ZONE_DEVICE memory (pmem, device-private memory, P2P
 * BARs) with a dev_pagemap whose type says how its pages are refcounted and
 * freed; every page of the range points back at it through page->pgmap.
 * faultline has one such range, the pmem device of src/fs/pmem.c, of type
 * MEMORY_DEVICE_FS_DAX.  RAM pages have pgmap == NULL, and the io range of
 * PFN maps has no descriptors at all.
 *
 * The refcount a FS-DAX page starts with is V5's business (R61: 1 means
 * idle; R63: 0 means free), so it is set by the device's memmap init.
 */
#ifndef FL_PHYS_MEMREMAP_H
#define FL_PHYS_MEMREMAP_H

#include <stdbool.h>

#include "phys/page.h"

enum memory_type {
	MEMORY_DEVICE_PRIVATE = 1,
	MEMORY_DEVICE_COHERENT,
	MEMORY_DEVICE_FS_DAX,
	MEMORY_DEVICE_GENERIC,
	MEMORY_DEVICE_PCI_P2PDMA,
};

struct dev_pagemap {
	enum memory_type type;
	unsigned long start_pfn;	/* MODEL: Linux keeps ranges[]; one range here */
	unsigned long nr_pages;
};

static inline bool is_zone_device_page(const struct page *page)
{
	return page->pgmap != NULL;
}

static inline bool is_fsdax_page(const struct page *page)
{
	return page->pgmap && page->pgmap->type == MEMORY_DEVICE_FS_DAX;
}

static inline bool folio_is_fsdax(const struct folio *folio)
{
	return is_fsdax_page(&folio->page);
}

/* The refcount of an idle FS-DAX page: 0 (V5 zero_based, R63) or 1 (R61, R72). */
int fsdax_idle_refcount(void);
/* The final put (refcount 0) of a device folio: never the buddy allocator (R63). */
void free_zone_device_folio(struct folio *folio);
/* A put left one reference: OLD FS-DAX pages are idle now (R61's 2 -> 1 wakeup). */
void zone_device_folio_idle(struct folio *folio);
/*
 * R61/R68: sleep until @page's folio is idle.  @cb, if any, is called with
 * sleeping=true before each sleep and false after it (the filesystem drops
 * and retakes its locks, as xfs_wait_dax_page() does).
 */
void dax_wait_page_idle(struct page *page, void (*cb)(void *ctx, bool sleeping), void *ctx);

/*
 * GUP's devmap path of Linux 6.1 (follow_devmap_pmd(), follow_page_pte()):
 * the page of a devmap entry's @pfn, found through get_dev_pagemap(), or
 * NULL when no device range covers it.  Only V5=one_based DAX maps devmap.
 */
struct page *devmap_gup_page(unsigned long pfn);

#endif /* FL_PHYS_MEMREMAP_H */
