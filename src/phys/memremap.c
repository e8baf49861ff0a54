// SPDX-License-Identifier: GPL-2.0-only
/*
 * memremap.c - the end of a device page's reference: free and idle.
 *
 * A ZONE_DEVICE page never goes back to the buddy allocator: its memory
 * belongs to the device.  What its last put does depends on V5 (SPEC.md
 * 2d):
 *  - NEW (R63, zero_based): refcount 0 means free; the final put runs
 *    free_zone_device_folio(), which, for FS_DAX, wakes whoever waits for
 *    the page to go idle (wake_up_var).  It leaves folio->mapping alone, as
 *    6.18 does: the DAX entry still names the block, and only the entry's
 *    removal (src/dax/folio.c, dax_folio_put()) unassociates it.  SPEC R63
 *    (S002 v1) clears the mapping here; fsdax_free_clears_mapping=on;
 *  - OLD (R61, one_based) and Dan's entry-reference model (R72): refcount
 *    1 means idle, and the put that takes it from 2 to 1 wakes the waiters.
 * Every wakeup is counted in machine.fsdax_wakeups, SPEC's `wakeups`.
 *
 * dax_wait_page_idle() (R61, R68) sleeps until the page is idle, on a
 * hashed table of wait queues keyed by the page, like wait_var_event().
 * MODEL: only FS_DAX ranges exist, so the other types' page_free ops are
 * not modelled; a final put of another type is reported as a bug.
 *
 * devmap_gup_page() is Linux 6.1's GUP path for devmap entries (V5
 * one_based), which vm_normal_page() does not return.
 */
#include "base/bug.h"
#include "phys/memremap.h"
#include "phys/phys.h"

#define PAGE_WAIT_BITS	5

static struct wait_queue_head page_wait_table[1u << PAGE_WAIT_BITS];
static spinlock_t page_wait_lock = __SPIN_LOCK_UNLOCKED;
static bool page_wait_ready;

static struct wait_queue_head *page_var_waitqueue(const struct page *page)
{
	uint64_t key = (uintptr_t)page * 0x9e3779b97f4a7c15ull;

	spin_lock(&page_wait_lock);
	if (!page_wait_ready) {
		for (unsigned int i = 0; i < (1u << PAGE_WAIT_BITS); i++)
			init_waitqueue_head(&page_wait_table[i]);
		page_wait_ready = true;
	}
	spin_unlock(&page_wait_lock);
	return &page_wait_table[key >> (64 - PAGE_WAIT_BITS)];
}

int fsdax_idle_refcount(void)
{
	return fl_cfg.fsdax_refcount == FL_FSDAX_ZERO_BASED ? 0 : 1;
}

/* wake_up_var(page); always through the queue's lock, so no wakeup is lost. */
static void fsdax_page_wake(struct page *page)
{
	atomic_long_inc(&machine.fsdax_wakeups);
	wake_up_all(page_var_waitqueue(page));
}

void free_zone_device_folio(struct folio *folio)
{
	struct dev_pagemap *pgmap = folio->page.pgmap;

	/* 6.18 keeps FS_DAX's and GENERIC's mapping: their users still name them */
	if ((pgmap->type != MEMORY_DEVICE_FS_DAX && pgmap->type != MEMORY_DEVICE_GENERIC) ||
	    fl_cfg.fsdax_free_clears_mapping)
		folio->page.mapping = NULL;	/* fsdax_free_clears_mapping: SPEC R63, S002 v1 */
	if (pgmap->type != MEMORY_DEVICE_FS_DAX) {
		fl_report_bug("device page", "final put of a type %d device page at pfn 0x%lx",
			      pgmap->type, folio_pfn(folio));
		return;
	}
	/* R61: OLD pages never reach 0; R72's pages do once their entry is gone */
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED)
		fl_report_bug("device page", "FS-DAX page at pfn 0x%lx reached refcount 0 "
			      "under fsdax_refcount=one_based", folio_pfn(folio));
	fsdax_page_wake(&folio->page);
}

void zone_device_folio_idle(struct folio *folio)
{
	if (folio_is_fsdax(folio) && fsdax_idle_refcount() == 1)
		fsdax_page_wake(&folio->page);	/* R61: the 2 -> 1 wakeup */
}

void dax_wait_page_idle(struct page *page, void (*cb)(void *ctx, bool sleeping), void *ctx)
{
	struct wait_queue_head *wq = page_var_waitqueue(page);
	struct folio *folio = page_folio(page);

	wq_lock(wq);
	while (folio_ref_count(folio) != fsdax_idle_refcount()) {
		if (cb) {
			/* the filesystem drops its locks while it sleeps: recheck after */
			wq_unlock(wq);
			cb(ctx, true);
			wq_lock(wq);
			if (folio_ref_count(folio) != fsdax_idle_refcount())
				wq_sleep(wq);
			wq_unlock(wq);
			cb(ctx, false);
			wq_lock(wq);
			continue;
		}
		wq_sleep(wq);
	}
	wq_unlock(wq);
}

/* MODEL: get_dev_pagemap()'s reference on the pgmap is not kept; ranges never go away. */
struct page *devmap_gup_page(unsigned long pfn)
{
	struct page *page;

	if (!pfn_valid(pfn))
		return NULL;
	page = pfn_to_page(pfn);
	return is_zone_device_page(page) ? page : NULL;
}
