// SPDX-License-Identifier: GPL-2.0-only
/*
 * folio.c - FS-DAX pages and their file (see folio.h): R62, R65, R66, R67
 * (the re-creation checks), R61/R68's dax_busy_page().
 *
 * Everything here runs under the entry lock of the entry whose pages it
 * touches (grab_mapping_entry() returned it locked), which is what keeps
 * two faults from (re)forming the same folio at once.
 */
#include "dax/folio.h"

static void dax_warn(void)
{
	count_vm_event(VM_WARN);
}

void *dax_shared_marker(void)
{
	switch (fl_cfg.dax_shared_accounting) {
	case FL_DAX_SHARED_ALIAS_ANON:
		return (void *)PAGE_MAPPING_ANON;	/* OLD: the hazard of R66 */
	case FL_DAX_SHARED_DISTINCT_BIT:
		return (void *)PAGE_MAPPING_DAX_SHARED;
	default:
		return NULL;				/* dropped: no share accounting */
	}
}

bool folio_test_dax_shared(const struct folio *folio)
{
	void *marker = dax_shared_marker();

	return marker && folio->page.mapping == marker;
}

/* R62: the second user of a regularly associated page leaves share == 2. */
static void dax_page_share_get(struct page *page)
{
	void *marker = dax_shared_marker();

	if (page->mapping != marker) {
		page->index = page->mapping ? 1 : 0;	/* page->share */
		page->mapping = marker;
	}
	page->index++;
}

static unsigned long dax_page_share_put(struct page *page)
{
	return --page->index;
}

void dax_associate_entry(struct dax_mapping *m, unsigned long entry, unsigned long index,
			 bool shared)
{
	unsigned long nr = dax_entry_size(entry) >> PAGE_SHIFT, pfn = dax_to_pfn(entry);
	unsigned long base = index & ~(dax_entry_span(entry) - 1);

	for (unsigned long i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);

		if (shared) {
			if (dax_shared_marker())
				dax_page_share_get(page);
			continue;
		}
		if (page->mapping)
			dax_warn();
		page->mapping = m;
		page->index = base + i;
	}
}

void dax_disassociate_entry(struct dax_mapping *m, unsigned long entry, bool trunc)
{
	unsigned long nr = dax_entry_size(entry) >> PAGE_SHIFT, pfn = dax_to_pfn(entry);
	void *marker = dax_shared_marker();

	for (unsigned long i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);

		if (trunc && folio_ref_count(page_folio(page)) > fsdax_idle_refcount())
			dax_warn();			/* truncating a busy page */
		if (marker && page->mapping == marker) {
			if (dax_page_share_put(page) > 0)
				continue;
		} else if (page->mapping && page->mapping != m) {
			dax_warn();
		}
		page->mapping = NULL;
		page->index = 0;
	}
}

/* Undo a compound of @order at @head: every page on its own, pgmap kept. */
static void dax_folio_dismantle(struct page *head, unsigned int order)
{
	struct dev_pagemap *pgmap = head->pgmap;

	for (unsigned long i = 0; i < (1ul << order); i++) {
		struct page *p = head + i;

		clear_page_flag(p, PG_head);
		p->compound_head = 0;
		p->_tail2 = 0;
		p->mapping = NULL;	/* also page[1]'s large-folio counters (a union) */
		p->index = 0;
		p->private = 0;
		p->_folio_pad[0] = 0;
		p->pgmap = pgmap;
		atomic_set(&p->_mapcount, -1);
	}
}

/*
 * R67: the pages that are about to form the new folio are idle and belong
 * to nobody: the old folio holding @page, and every other head in range.
 */
static bool dax_folio_busy(struct folio *old, struct page *page, unsigned int order)
{
	if (folio_ref_count(old) || old->page.mapping)
		return true;
	for (unsigned long i = 0; i < (1ul << order); i++) {
		struct page *p = page + i;

		if (p != &old->page && !PageTail(p) && (p->mapping || atomic_read(&p->_refcount)))
			return true;
	}
	return false;
}

struct folio *dax_folio_init(struct page *page, unsigned int order)
{
	struct folio *old = page_folio(page);
	unsigned int old_order = folio_order(old);

	if (dax_folio_busy(old, page, order))
		dax_warn();		/* "nothing else should have a reference" */
	if (old_order != order || &old->page != page)
		dax_folio_dismantle(&old->page, old_order);
	if (order) {
		dax_folio_dismantle(page, order);
		set_page_flag(page, PG_head);
		for (unsigned long i = 1; i < (1ul << order); i++)
			page[i].compound_head = (unsigned long)page | 1;
		page[1]._folio_order = order;
		atomic_set(&page[1]._entire_mapcount, -1);
		atomic_set(&page[1]._large_mapcount, -1);
		atomic_set(&page[1]._pincount, 0);
	}
	return (struct folio *)page;
}

void dax_associate_new_entry(struct dax_mapping *m, unsigned long entry, unsigned long index)
{
	struct page *page;
	struct folio *folio;

	if (!dax_entry_size(entry))
		return;
	page = pfn_to_page(dax_to_pfn(entry));
	folio = dax_folio_init(page, dax_entry_order(entry));
	folio->page.mapping = m;
	folio->page.private = (unsigned long)m;	/* the owner, past the final put */
	folio->page.index = index & ~(dax_entry_span(entry) - 1);
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ZERO_BASED_ENTRY_REF)
		folio_get(folio);	/* R72, Dan's model: the entry holds a reference */
}

/*
 * Who a folio was last associated with: its mapping, the DAX_SHARED marker,
 * or nothing.  MODEL: R63 as this model has it (S002 v1) clears mapping at
 * the final put; 6.18's free_zone_device_folio() leaves an FS-DAX folio's
 * mapping alone and only dax_folio_put() clears it, when the last entry
 * naming the block goes.  The head's private word keeps that answer here.
 */
static void *dax_folio_owner(const struct folio *folio)
{
	return folio->page.mapping ? folio->page.mapping : (void *)folio->page.private;
}

/*
 * 6.18's dax_associate_entry() for an IOMAP_F_SHARED extent (R66 under
 * V12=distinct_bit, V5=zero_based).  The first user of the block forms
 * its folio exactly as for an unshared one (so a PMD entry gets an order-9
 * folio and maps by PMD); a later user (dax_folio_make_shared()) turns the
 * folio shared with share 1 for the first and counts itself, whatever the
 * entry's order: an order that differs from the folio's only warns.
 * MODEL: 6.18 marks a shared folio with mapping NULL and share != 0; SPEC's
 * distinct_bit keeps Dan's marker bit 0x4 (T60), which tests the same way.
 */
static void dax_associate_shared_folio(struct dax_mapping *m, unsigned long entry,
				       unsigned long index)
{
	struct page *page = pfn_to_page(dax_to_pfn(entry));
	struct folio *folio = page_folio(page);
	void *marker = dax_shared_marker(), *owner = dax_folio_owner(folio);

	if (!owner) {
		dax_associate_new_entry(m, entry, index);
		return;
	}
	if (owner != marker) {
		folio->page.private = (unsigned long)marker;
		folio->page.index = 1;			/* folio->share */
	}
	if (dax_entry_order(entry) != folio_order(folio))
		dax_warn();
	folio->page.mapping = marker;
	folio->page.index++;
}

/*
 * The shared half of 6.18's dax_folio_put(): one user fewer; the last one
 * leaves the folio unassociated.  False if @folio is not shared.
 */
static bool dax_folio_share_put(struct folio *folio)
{
	if (dax_folio_owner(folio) != dax_shared_marker())
		return false;
	if (--folio->page.index)
		return true;
	folio->page.mapping = NULL;
	folio->page.private = 0;
	return true;
}

/* V12=distinct_bit under V5=zero_based: 6.18's folio-wide share count. */
static bool dax_share_per_folio(void)
{
	return fl_cfg.fsdax_refcount == FL_FSDAX_ZERO_BASED &&
	       fl_cfg.dax_shared_accounting == FL_DAX_SHARED_DISTINCT_BIT;
}

void dax_mapping_ops_associate(struct dax_mapping *m, unsigned long entry, unsigned long index,
			       bool shared)
{
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED)
		dax_associate_entry(m, entry, index, shared);
	else if (!shared)
		dax_associate_new_entry(m, entry, index);
	else if (dax_share_per_folio())
		dax_associate_shared_folio(m, entry, index);
	else if (dax_shared_marker())
		dax_associate_entry(m, entry, index, true);	/* R62's per-page count */
}

void dax_mapping_ops_disassociate(struct dax_mapping *m, unsigned long entry, bool trunc)
{
	struct folio *folio;

	if (!dax_entry_size(entry))
		return;
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED) {
		dax_disassociate_entry(m, entry, trunc);
		return;
	}
	/* NEW: the final put clears mapping (R63); only share counts need undoing */
	folio = page_folio(pfn_to_page(dax_to_pfn(entry)));
	if (dax_share_per_folio() && dax_folio_share_put(folio))
		return;
	folio->page.private = 0;	/* unshared: the block is nobody's now */
	if (folio_test_dax_shared(folio)) {
		dax_disassociate_entry(m, entry, trunc);
		return;
	}
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ZERO_BASED_ENTRY_REF)
		folio_put(folio);	/* the entry's reference (R72) */
}

struct page *dax_busy_page(unsigned long entry)
{
	unsigned long nr = dax_entry_size(entry) >> PAGE_SHIFT, pfn = dax_to_pfn(entry);

	for (unsigned long i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);

		if (folio_ref_count(page_folio(page)) > fsdax_idle_refcount())
			return page;
	}
	return NULL;
}
