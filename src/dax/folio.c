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

/* Only SPEC R63's final put forgets the owner; see dax_folio_owner(). */
static void dax_folio_set_owner(struct folio *folio, void *owner)
{
	if (fl_cfg.fsdax_free_clears_mapping)
		folio->page.private = (unsigned long)owner;
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
	dax_folio_set_owner(folio, m);
	folio->page.index = index & ~(dax_entry_span(entry) - 1);
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ZERO_BASED_ENTRY_REF)
		folio_get(folio);	/* R72, Dan's model: the entry holds a reference */
}

/*
 * Who a folio was last associated with: its mapping, the DAX_SHARED marker,
 * or nothing.  6.18 (fsdax_free_clears_mapping=off) keeps an FS-DAX folio's
 * mapping until dax_folio_put() runs for the last entry naming the block,
 * so the mapping is the answer.  MODEL: SPEC R63 (S002 v1, the key on)
 * clears it at the final put while the entry stays; the head's private
 * word then keeps the owner, so that reflink behaves the same either way.
 */
static void *dax_folio_owner(const struct folio *folio)
{
	if (folio->page.mapping || !fl_cfg.fsdax_free_clears_mapping)
		return folio->page.mapping;
	return (void *)folio->page.private;
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
		dax_folio_set_owner(folio, marker);
		folio->page.index = 1;			/* folio->share */
	}
	if (dax_entry_order(entry) != folio_order(folio))
		dax_warn();
	folio->page.mapping = marker;
	folio->page.index++;
}

/*
 * The end of 6.18's dax_folio_put(), once no entry names the folio: it is
 * nobody's (mapping, share and owner cleared) and, unless something still
 * holds a reference, order 0 again (dax_folio_reset_order()).
 * MODEL: the kernel splits a busy folio too, and warns; the model leaves a
 * referenced compound for dax_folio_init() to undo, since a PMD that still
 * maps it needs its head.
 */
static void dax_folio_unassociate(struct folio *folio)
{
	folio->page.mapping = NULL;
	folio->page.index = 0;
	folio->page.private = 0;
	if (folio_order(folio) && !folio_ref_count(folio))
		dax_folio_dismantle(&folio->page, folio_order(folio));
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
	dax_folio_unassociate(folio);
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
	/* NEW: 6.18's dax_folio_put() */
	folio = page_folio(pfn_to_page(dax_to_pfn(entry)));
	if (dax_share_per_folio() && dax_folio_share_put(folio))
		return;
	if (folio_test_dax_shared(folio)) {
		folio->page.private = 0;
		dax_disassociate_entry(m, entry, trunc);	/* alias_anon: R62's per-page count */
		return;
	}
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ZERO_BASED_ENTRY_REF)
		folio_put(folio);	/* the entry's reference (R72) */
	/*
	 * Unshared: the block is nobody's now.  MODEL: 6.18 does not ask whose
	 * entry it was; here only the owner's does it, since under V12=dropped
	 * a shared entry never associated and the owner's entry may remain.
	 */
	if (dax_folio_owner(folio) == m)
		dax_folio_unassociate(folio);
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
