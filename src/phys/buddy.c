// SPDX-License-Identifier: GPL-2.0-only
/*
 * buddy.c - the buddy allocator over simulated RAM.
 *
 * Linux's algorithm without its refinements: one zone, no migrate types, no
 * per-CPU lists, no watermarks.  A free block of order n starts at a frame
 * aligned to 2^n, carries PG_buddy and its order in page->private, and sits
 * on free_area[n].  Allocation takes the smallest order that has a block and
 * splits the rest back ("expand"); freeing merges with the buddy while the
 * buddy is free and of the same order.  A PUD-sized block (above
 * MAX_PAGE_ORDER) is carved out of consecutive free max-order blocks.
 *
 * Each free list is LIFO: a freed block that does not merge is the next one
 * of its order handed out, so a frame freed and allocated again is still
 * in the CPU caches, as Linux's per-CPU lists arrange.  PG_buddy is set and
 * cleared with plain stores (__SetPageBuddy()): only the zone lock's
 * holder writes the flags of a free frame.
 *
 * MODEL: no per-CPU page lists and no LRU batches, so a just-allocated folio
 * holds exactly the references the fault path gave it.  Linux's LRU batches
 * add a transient reference that can turn a CoW reuse into a copy
 * (KERNEL-FACTS, "Copy-vs-reuse"); the oracle pins itself to one CPU so the
 * kernel drains them and behaves like this model.
 */
#include <string.h>

#include "phys/phys.h"

static void list_add_free(struct page *p, unsigned int order)
{
	struct free_area *area = &machine.free_area[order];

	p->lru.prev = NULL;
	p->lru.next = area->head;
	if (area->head)
		area->head->lru.prev = p;
	area->head = p;
	area->nr_free++;
	p->private = order;
	__or_ulong(&p->flags, 1ul << PG_buddy);	/* zone lock held: __SetPageBuddy() */
}

static void list_del_free(struct page *p, unsigned int order)
{
	struct free_area *area = &machine.free_area[order];

	if (p->lru.prev)
		p->lru.prev->lru.next = p->lru.next;
	else
		area->head = p->lru.next;
	if (p->lru.next)
		p->lru.next->lru.prev = p->lru.prev;
	p->lru.next = p->lru.prev = NULL;
	area->nr_free--;
	p->private = 0;
	__andnot_ulong(&p->flags, 1ul << PG_buddy);
}

static bool page_is_buddy(unsigned long pfn, unsigned int order)
{
	struct page *b;

	if (pfn >= machine.ram_pages)
		return false;
	b = pfn_to_page(pfn);
	return test_page_flag(b, PG_buddy) && b->private == order;
}

/* Zone lock held. */
static void __free_one_page(unsigned long pfn, unsigned int order)
{
	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy = pfn ^ (1ul << order);

		if (!page_is_buddy(buddy, order))
			break;
		list_del_free(pfn_to_page(buddy), order);
		pfn &= ~(1ul << order);
		order++;
	}
	list_add_free(pfn_to_page(pfn), order);
}

/* Zone lock held: split a block of @high down to @low, freeing the upper halves. */
static void expand(unsigned long pfn, unsigned int low, unsigned int high)
{
	while (high > low) {
		high--;
		list_add_free(pfn_to_page(pfn + (1ul << high)), high);
	}
}

static void prep_new_page(struct page *page, unsigned int order, unsigned int gfp)
{
	unsigned long nr = 1ul << order;

	for (unsigned long i = 0; i < nr; i++) {
		struct page *p = page + i;

		p->flags = 0;
		p->lru.next = p->lru.prev = NULL;
		p->mapping = NULL;
		p->index = 0;
		p->private = 0;
		atomic_set(&p->_mapcount, -1);
		atomic_set(&p->_refcount, 0);
		p->pgmap = NULL;
	}
	atomic_set(&page->_refcount, 1);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, nr << PAGE_SHIFT);
}

static bool should_fail_alloc(unsigned int gfp)
{
	atomic_t *inj = (gfp & __GFP_PGTABLE) ? &machine.inject_pgtable : &machine.inject_folio;

	return atomic_dec_if_positive(inj) >= 0;
}

/* Whether every max-order block of [pfn, pfn + nr) is on the free lists. */
static bool range_free(unsigned long pfn, unsigned long nr)
{
	for (unsigned long p = pfn; p < pfn + nr; p += 1ul << MAX_PAGE_ORDER) {
		struct page *page = pfn_to_page(p);

		if (!test_page_flag(page, PG_buddy) || page->private != MAX_PAGE_ORDER)
			return false;
	}
	return true;
}

/*
 * A gigantic block (a PUD's worth, 1 GiB, above MAX_PAGE_ORDER) is not on
 * any free list: Linux takes one with alloc_contig_range() (hugetlb's
 * gigantic pages, CMA).  MODEL: the first naturally aligned range of RAM
 * whose max-order blocks are all free, taken off the lists whole; no
 * migration makes room.  Caller holds the zone lock.
 */
static struct page *alloc_contig_pages(unsigned int order)
{
	unsigned long nr = 1ul << order;

	for (unsigned long pfn = 0; pfn + nr <= machine.ram_pages; pfn += nr) {
		if (!range_free(pfn, nr))
			continue;
		for (unsigned long p = pfn; p < pfn + nr; p += 1ul << MAX_PAGE_ORDER)
			list_del_free(pfn_to_page(p), MAX_PAGE_ORDER);
		machine.nr_free_pages -= nr;
		return pfn_to_page(pfn);
	}
	return NULL;
}

struct page *alloc_pages(unsigned int gfp, unsigned int order)
{
	unsigned int cur;
	struct page *page = NULL;

	if ((order > MAX_PAGE_ORDER && order != HPAGE_PUD_ORDER) || should_fail_alloc(gfp))
		return NULL;
	spin_lock(&machine.zone_lock);
	if (order > MAX_PAGE_ORDER) {
		page = alloc_contig_pages(order);
		spin_unlock(&machine.zone_lock);
		if (page)
			prep_new_page(page, order, gfp);
		return page;
	}
	for (cur = order; cur <= MAX_PAGE_ORDER; cur++) {
		page = machine.free_area[cur].head;
		if (page)
			break;
	}
	if (page) {
		list_del_free(page, cur);
		expand(page_to_pfn(page), order, cur);
		machine.nr_free_pages -= 1ul << order;
	}
	spin_unlock(&machine.zone_lock);
	if (page)
		prep_new_page(page, order, gfp);
	return page;
}

void __free_pages(struct page *page, unsigned int order)
{
	unsigned long nr = 1ul << order;

	for (unsigned long i = 0; i < nr; i++) {
		page[i].flags = 0;
		page[i].compound_head = 0;
		page[i]._tail2 = 0;
		page[i].mapping = NULL;
		page[i].index = 0;
		page[i].private = 0;
		atomic_set(&page[i]._mapcount, -1);
		atomic_set(&page[i]._refcount, 0);
	}
	spin_lock(&machine.zone_lock);
	/* a gigantic block goes back as the max-order blocks it was taken as */
	for (unsigned long i = 0; i < nr; i += 1ul << MAX_PAGE_ORDER)
		__free_one_page(page_to_pfn(page) + i, order < MAX_PAGE_ORDER ? order :
						       MAX_PAGE_ORDER);
	machine.nr_free_pages += nr;
	spin_unlock(&machine.zone_lock);
}

unsigned long nr_free_pages(void)
{
	unsigned long n;

	spin_lock(&machine.zone_lock);
	n = machine.nr_free_pages;
	spin_unlock(&machine.zone_lock);
	return n;
}

/* Hand all of RAM to the allocator in the largest aligned blocks that fit. */
void buddy_init_free(unsigned long first_pfn, unsigned long end_pfn)
{
	unsigned long pfn = first_pfn;

	spin_lock(&machine.zone_lock);
	while (pfn < end_pfn) {
		unsigned int order = MAX_PAGE_ORDER;

		while (order && ((pfn & ((1ul << order) - 1)) || pfn + (1ul << order) > end_pfn))
			order--;
		list_add_free(pfn_to_page(pfn), order);
		machine.nr_free_pages += 1ul << order;
		pfn += 1ul << order;
	}
	spin_unlock(&machine.zone_lock);
}
