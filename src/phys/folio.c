// SPDX-License-Identifier: GPL-2.0-only
/*
 * folio.c - folios as compound pages: allocation, the large-folio fields of
 * page[1], and the final put that returns a folio to the buddy allocator.
 *
 * A large folio's tail pages point at the head through compound_head (bit 0
 * set); page[1] holds the order and the entire, large and pin counts, all
 * -1 based like Linux's.  Freeing checks what Linux's free_pages_prepare()
 * checks: a folio freed while still mapped is "Bad page state", reported
 * through the machine's event counter so the checker can stop the run.
 */
#include <stdio.h>

#include "phys/memremap.h"
#include "phys/phys.h"

static void prep_compound_page(struct page *head, unsigned int order)
{
	unsigned long nr = 1ul << order;

	set_page_flag(head, PG_head);
	for (unsigned long i = 1; i < nr; i++)
		head[i].compound_head = (unsigned long)head | 1;
	head[1]._folio_order = order;
	atomic_set(&head[1]._entire_mapcount, -1);
	atomic_set(&head[1]._large_mapcount, -1);
	atomic_set(&head[1]._pincount, 0);
}

struct folio *folio_alloc(unsigned int gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	if (!page)
		return NULL;
	if (order)
		prep_compound_page(page, order);
	atomic_long_inc(&machine.folios_allocated);
	return (struct folio *)page;
}

static void free_folio(struct folio *folio)
{
	unsigned int order = folio_order(folio);

	if (folio_mapped(folio) || test_page_flag(&folio->page, PG_zero)) {
		fprintf(stderr, "faultline: BUG: Bad page state: pfn 0x%lx freed while %s\n",
			folio_pfn(folio), folio_mapped(folio) ? "mapped" : "a zero page");
		count_vm_event(BAD_PAGE_MAP);
		return;	/* leak it: the checker reports the leak too */
	}
	if (is_zone_device_page(&folio->page)) {
		free_zone_device_folio(folio);	/* device memory: not the buddy's */
		return;
	}
	atomic_long_inc(&machine.folios_freed);
	__free_pages(&folio->page, order);
}

void folio_put_refs(struct folio *folio, int refs)
{
	int left = atomic_sub_return(refs, &folio->page._refcount);

	if (!left)
		free_folio(folio);
	else if (left == 1 && is_zone_device_page(&folio->page))
		zone_device_folio_idle(folio);
}

void folio_put(struct folio *folio)
{
	folio_put_refs(folio, 1);
}
