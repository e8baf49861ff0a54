/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * page.h - struct page, struct folio and their helpers.
 *
 * A page descriptor is 64 bytes, laid out the way Linux lays out its own:
 * flags, a 16-byte word pair that is either the buddy free-list link or a
 * tail page's compound_head, three words that are mapping/index/private for
 * a head page and the large-folio counters for page[1] of a large folio,
 * then _mapcount and _refcount, and the pgmap of device pages.  A folio is
 * its head page; its order lives in page[1], as Linux keeps it.
 *
 * Mapcounts follow Linux 6.18: _mapcount is -1 based per page (PTE
 * mappings), _entire_mapcount is -1 based per large folio (PMD/PUD
 * mappings), _large_mapcount counts every mapping of a large folio.  What
 * /proc/kpagecount reports for a page is folio_precise_page_mapcount().
 *
 * Implements the folio state of SPEC.md 0.3 and section 6 (ref, map, emap,
 * pin, order, anon flag, mapping, index, pgmap type).
 */
#ifndef FL_PHYS_PAGE_H
#define FL_PHYS_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync/atomic.h"
#include "sync/locks.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1ul << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))
#define HPAGE_PMD_ORDER	9
#define HPAGE_PMD_NR	(1ul << HPAGE_PMD_ORDER)
#define HPAGE_PUD_ORDER	18
#define MAX_PAGE_ORDER	10

/* Page flags: the subset of Linux's PG_* the model uses. */
enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_head,
	PG_reserved,
	PG_private,
	PG_swapbacked,
	PG_buddy,		/* free in the buddy allocator (Linux: a page type) */
	PG_table,		/* a page-table page (Linux: a page type) */
	PG_anon_exclusive,	/* PageAnonExclusive (Linux: PG_mappedtodisk alias) */
	PG_large_rmappable,
	PG_mappedtodisk,
	PG_zero,		/* the shared zero page or the huge zero folio */
	PG_partially_mapped,	/* on the deferred split queue (THP_DEFERRED_SPLIT_PAGE) */
	__NR_PAGEFLAGS
};

struct dev_pagemap;

struct page {
	unsigned long flags;
	union {
		struct {			/* buddy free list, deposited tables */
			struct page *next;
			struct page *prev;
		} lru;
		struct {			/* tail pages */
			unsigned long compound_head;	/* head | 1 */
			unsigned long _tail2;
		};
		struct {			/* PMD table pages: deposited PTE tables */
			struct page *pmd_huge_pte;
			unsigned long _pt2;
		};
	};
	union {
		struct {			/* head pages */
			void *mapping;
			unsigned long index;
			unsigned long private;	/* buddy: order of a free block */
		};
		struct {			/* page[1] of a large folio */
			atomic_t _entire_mapcount;
			atomic_t _large_mapcount;
			atomic_t _pincount;
			unsigned int _folio_order;
			unsigned long _folio_pad[1];
		};
		struct {			/* page-table pages */
			void *pt_mm;
			spinlock_t ptl;		/* split PTE lock / PMD lock */
			int pt_level;
			unsigned long pt_deposits;	/* PMD tables: tables deposited */
		};
	};
	atomic_t _mapcount;
	atomic_t _refcount;
	struct dev_pagemap *pgmap;
};

_Static_assert(sizeof(struct page) <= 64, "struct page must stay within 64 bytes");

/* A folio is its head page; the type keeps heads and arbitrary pages apart. */
struct folio {
	struct page page;
};

#define PAGE_MAPPING_ANON	0x1ul

static inline bool test_page_flag(const struct page *p, enum pageflags f)
{
	return read_once_ulong(&p->flags) & (1ul << f);
}

static inline void set_page_flag(struct page *p, enum pageflags f)
{
	fetch_or_ulong(&p->flags, 1ul << f);
}

static inline void clear_page_flag(struct page *p, enum pageflags f)
{
	fetch_andnot_ulong(&p->flags, 1ul << f);
}

static inline bool PageTail(const struct page *p)
{
	return read_once_ulong(&p->compound_head) & 1;
}

static inline struct page *compound_head(struct page *p)
{
	unsigned long h = read_once_ulong(&p->compound_head);

	/* Every other user of this word stores an aligned pointer: bit 0 is 0. */
	if (h & 1)
		return (struct page *)(h - 1);
	return p;
}

static inline struct folio *page_folio(struct page *p)
{
	return (struct folio *)compound_head(p);
}

static inline struct page *folio_page(struct folio *f, unsigned long n)
{
	return &f->page + n;
}

static inline bool folio_test_large(const struct folio *f)
{
	return test_page_flag(&f->page, PG_head);
}

static inline unsigned int folio_order(const struct folio *f)
{
	return folio_test_large(f) ? (&f->page)[1]._folio_order : 0;
}

static inline unsigned long folio_nr_pages(const struct folio *f)
{
	return 1ul << folio_order(f);
}

static inline int folio_ref_count(const struct folio *f)
{
	return atomic_read(&f->page._refcount);
}

static inline void folio_ref_add(struct folio *f, int n)
{
	atomic_add(n, &f->page._refcount);
}

static inline void folio_get(struct folio *f)
{
	atomic_inc(&f->page._refcount);
}

void folio_put(struct folio *f);
void folio_put_refs(struct folio *f, int refs);

static inline bool folio_test_anon(const struct folio *f)
{
	return ((uintptr_t)f->page.mapping & PAGE_MAPPING_ANON) != 0;
}

static inline bool folio_test_dirty(const struct folio *f) { return test_page_flag(&f->page, PG_dirty); }
static inline void folio_set_dirty(struct folio *f) { set_page_flag(&f->page, PG_dirty); }
static inline bool folio_test_swapbacked(const struct folio *f) { return test_page_flag(&f->page, PG_swapbacked); }
static inline bool folio_test_uptodate(const struct folio *f) { return test_page_flag(&f->page, PG_uptodate); }
static inline void __folio_mark_uptodate(struct folio *f) { set_page_flag(&f->page, PG_uptodate); }

static inline bool PageAnonExclusive(const struct page *p) { return test_page_flag(p, PG_anon_exclusive); }
static inline void SetPageAnonExclusive(struct page *p) { set_page_flag(p, PG_anon_exclusive); }
static inline void ClearPageAnonExclusive(struct page *p) { clear_page_flag(p, PG_anon_exclusive); }

/* Mapcounts, as Linux 6.18 with CONFIG_PAGE_MAPCOUNT reports them. */
static inline int folio_entire_mapcount(const struct folio *f)
{
	return folio_test_large(f) ? atomic_read(&(&f->page)[1]._entire_mapcount) + 1 : 0;
}

static inline int folio_large_mapcount(const struct folio *f)
{
	return atomic_read(&(&f->page)[1]._large_mapcount) + 1;
}

static inline int folio_mapcount(const struct folio *f)
{
	if (!folio_test_large(f))
		return atomic_read(&f->page._mapcount) + 1;
	return folio_large_mapcount(f);
}

static inline bool folio_mapped(const struct folio *f)
{
	return folio_mapcount(f) > 0;
}

static inline int folio_precise_page_mapcount(struct folio *f, const struct page *p)
{
	return atomic_read(&p->_mapcount) + 1 + folio_entire_mapcount(f);
}

/* FOLL_PIN: small folios count pins in the refcount with a bias (R: GUP). */
#define GUP_PIN_COUNTING_BIAS 1024

static inline bool folio_maybe_dma_pinned(const struct folio *f)
{
	if (folio_test_large(f))
		return atomic_read(&(&f->page)[1]._pincount) > 0;
	return folio_ref_count(f) >= GUP_PIN_COUNTING_BIAS;
}

#endif /* FL_PHYS_PAGE_H */
