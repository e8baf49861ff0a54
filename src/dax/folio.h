/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * folio.h - FS-DAX pages as folios: association with a file, (re)forming
 * folios for entries, reflink share counts, busy pages.
 *
 * A DAX entry names pmem frames; their page descriptors say which file and
 * index they belong to, so that the file rmap and memory-failure can find
 * their mappings.  Who sets that, and how, is what S002 changed:
 *  - OLD (V5=one_based, R62): dax_associate_entry() sets mapping/index of
 *    every page of an entry that replaces a ZERO/EMPTY one;
 *    dax_disassociate_entry() clears them when the entry goes; a reflinked
 *    page gets the DAX_SHARED marker as mapping and a share count instead;
 *  - NEW (zero_based, R65): dax_associate_new_entry() (re)forms a folio of
 *    the entry's order from idle pages and sets the folio's mapping/index,
 *    which stay until the entry goes (6.18's dax_folio_put(): mapping
 *    cleared, order undone) or, under fsdax_free_clears_mapping=on (SPEC
 *    R63), until the final put;
 *    a shared (reflinked) entry, under V12=distinct_bit, is 6.18's: its
 *    block's first user forms the folio like an unshared one (so shared
 *    extents map by PMD), later users make it shared and count themselves
 *    in the folio's share; under alias_anon shared pages are counted one
 *    by one as in R62, under dropped not associated at all (R66).
 * The marker is 0x1 under V12=alias_anon, which is PAGE_MAPPING_ANON: the
 * hazard R66 describes (a shared DAX folio tests as anonymous), and 0x4
 * under distinct_bit.
 *
 * MODEL: Linux keeps page->share in a union with page->index; so does this
 * model (a page whose mapping is the marker keeps its share count in index).
 *
 * The WARN_ON_ONCE()s of fs/dax.c count VM_WARN (SPEC's `warn`).
 *
 * dax_mapping_ops_associate() and dax_mapping_ops_disassociate() are the
 * association callbacks of struct dax_mapping_ops for the configured V5/V12.
 */
#ifndef FL_DAX_FOLIO_H
#define FL_DAX_FOLIO_H

#include "dax/entry.h"
#include "phys/memremap.h"

#define PAGE_MAPPING_DAX_SHARED	0x4ul	/* R66, Dan's distinct bit */

/* The DAX_SHARED marker of V12 (NULL under dropped). */
void *dax_shared_marker(void);
bool folio_test_dax_shared(const struct folio *folio);

/* R65: make the pages of @page's entry one idle folio of @order at @page. */
struct folio *dax_folio_init(struct page *page, unsigned int order);

/* R62 (OLD). */
void dax_associate_entry(struct dax_mapping *m, unsigned long entry, unsigned long index,
			 bool shared);
void dax_disassociate_entry(struct dax_mapping *m, unsigned long entry, bool trunc);
/* R65 (NEW): dax_create_folio in Dan's naming. */
void dax_associate_new_entry(struct dax_mapping *m, unsigned long entry, unsigned long index);

/* The ops callbacks for the configured variants (R62, R65, R66). */
void dax_mapping_ops_associate(struct dax_mapping *m, unsigned long entry, unsigned long index,
			       bool shared);
void dax_mapping_ops_disassociate(struct dax_mapping *m, unsigned long entry, bool trunc);

/* R61/R68: the first page of @entry whose refcount is above idle, or NULL. */
struct page *dax_busy_page(unsigned long entry);

#endif /* FL_DAX_FOLIO_H */
