/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * entry.h - DAX mapping entries: what a DAX file's i_pages holds.
 *
 * A DAX file has no page cache.  Its mapping instead holds one value per
 * mapped index (or per PMD-aligned run of 512 indices) that records which
 * pmem frame backs it and how (R42):
 *
 *	value = pfn << DAX_SHIFT | flags
 *	DAX_LOCKED	0x1	a fault (or truncate) owns the entry; others wait
 *	DAX_PMD		0x2	the entry covers indices [index & ~511, + 512)
 *	DAX_ZERO_PAGE	0x4	a hole mapped read-only: the zero page (PTE) or
 *				the huge zero folio (PMD)
 *	DAX_EMPTY	0x8	a placeholder created by grab_mapping_entry(),
 *				pfn 0, before the fault knows what to map
 *
 * (a PTE ZERO entry of a RAM page other than the zero page is V18's
 * 2016 hole page: dax_is_hole_page_entry())
 *
 * plus the DIRTY and TOWRITE tags (the page cache's PAGECACHE_TAG_DIRTY and
 * PAGECACHE_TAG_TOWRITE) used by writeback and MAP_SYNC, and nrpages, the
 * number of indices covered (512 for a PMD entry, 1 otherwise, whatever its
 * kind).  Callers never touch the bits: they use the predicates below,
 * named as in fs/dax.c.
 *
 * A locked entry is waited for on a wait queue chosen by the key (mapping,
 * index), where a PMD entry's key uses its 512-aligned index, so a PTE
 * fault inside a locked PMD entry waits on the PMD's queue (R42).
 *
 * This layer knows entries, not page tables: unmapping user mappings of
 * indices (R43 step 2, R44 step 2) and (dis)associating folios with the
 * mapping (R62, R65) are calls through struct dax_mapping_ops, made at
 * exactly the points where fs/dax.c makes them; the fault path supplies
 * them.  Every lock and wait goes through src/sync/.
 */
#ifndef FL_DAX_ENTRY_H
#define FL_DAX_ENTRY_H

#include <stdbool.h>
#include <stdio.h>

#include "mm/mm.h"		/* vm_fault_t, VM_FAULT_* */
#include "phys/phys.h"
#include "sync/locks.h"

#define DAX_SHIFT	4
#define DAX_LOCKED	(1ul << 0)
#define DAX_PMD		(1ul << 1)
#define DAX_ZERO_PAGE	(1ul << 2)
#define DAX_EMPTY	(1ul << 3)

#define PG_PMD_COLOUR	(HPAGE_PMD_NR - 1)
#define PG_PMD_NR	HPAGE_PMD_NR
#define PMD_ORDER	HPAGE_PMD_ORDER

/* Tags (MODEL: the page cache's xarray marks, kept per entry). */
#define DAX_TAG_DIRTY	(1u << 0)
#define DAX_TAG_TOWRITE	(1u << 1)

/* dax_insert_entry() @how: what the fault is (R44). */
#define DAX_INSERT_WRITE	(1u << 0)	/* a write fault with the write iomap flag */
#define DAX_INSERT_SYNC		(1u << 1)	/* a synchronous (MAP_SYNC) fault, R56 */
#define DAX_INSERT_SHARED	(1u << 2)	/* the extent is shared (IOMAP_F_SHARED) */

/* ------------------------------------------------------------ predicates */

static inline unsigned long dax_make_entry(unsigned long pfn, unsigned long flags)
{
	return pfn << DAX_SHIFT | flags;
}

static inline unsigned long dax_to_pfn(unsigned long entry)
{
	return entry >> DAX_SHIFT;
}

static inline bool dax_is_locked(unsigned long entry)
{
	return entry & DAX_LOCKED;
}

static inline unsigned int dax_entry_order(unsigned long entry)
{
	return (entry & DAX_PMD) ? PMD_ORDER : 0;
}

static inline bool dax_is_pmd_entry(unsigned long entry)
{
	return entry & DAX_PMD;
}

static inline bool dax_is_pte_entry(unsigned long entry)
{
	return !(entry & DAX_PMD);
}

static inline bool dax_is_zero_entry(unsigned long entry)
{
	return entry & DAX_ZERO_PAGE;
}

static inline bool dax_is_empty_entry(unsigned long entry)
{
	return entry & DAX_EMPTY;
}

/*
 * V18=hole_page (R45, 2016): a PTE hole read put a zeroed page-cache page
 * in the tree.  MODEL: it is kept as a PTE ZERO entry whose pfn is that
 * RAM page rather than the zero page; the tree holds one reference on it,
 * dropped when the entry leaves the tree.
 */
static inline bool dax_is_hole_page_entry(unsigned long entry)
{
	return dax_is_zero_entry(entry) && dax_is_pte_entry(entry) &&
	       !dax_is_empty_entry(entry) && !is_zero_pfn(dax_to_pfn(entry));
}

/* A real entry: it maps pmem (neither a hole nor a placeholder). */
static inline bool dax_is_real_entry(unsigned long entry)
{
	return !(entry & (DAX_ZERO_PAGE | DAX_EMPTY));
}

/* R42: bytes of pmem the entry maps: 0 for ZERO and EMPTY entries. */
static inline unsigned long dax_entry_size(unsigned long entry)
{
	if (dax_is_zero_entry(entry) || dax_is_empty_entry(entry))
		return 0;
	return PAGE_SIZE << dax_entry_order(entry);
}

/* R42: indices covered, what nrpages counts (kind does not matter). */
static inline unsigned long dax_entry_span(unsigned long entry)
{
	return 1ul << dax_entry_order(entry);
}

/* ------------------------------------------------------------ the store */

struct dax_mapping;

struct dax_mapping_ops {
	/* unmap_mapping_pages(mapping, start, nr, false) in every process; nr 0: to EOF */
	void (*unmap_mapping_pages)(struct dax_mapping *m, unsigned long start, unsigned long nr);
	/* dax_associate_entry() / dax_associate_new_entry() (R62, R65) */
	void (*associate_entry)(struct dax_mapping *m, unsigned long entry, unsigned long index,
				bool shared);
	/* dax_disassociate_entry() (R62, OLD) */
	void (*disassociate_entry)(struct dax_mapping *m, unsigned long entry, bool trunc);
	/* mapping_mapped(): does any VMA map the file (R70, V13)? */
	bool (*mapping_mapped)(struct dax_mapping *m);
	/* dax_entry_mkclean(): write-protect and clean every PTE/PMD of the entry */
	void (*mkclean_entry)(struct dax_mapping *m, unsigned long index, unsigned long entry);
};

struct dax_slot {
	unsigned long index;	/* a PMD entry sits at its 512-aligned index */
	unsigned long entry;
	unsigned int tags;
};

struct dax_mapping {
	spinlock_t i_pages_lock;	/* xa_lock of mapping->i_pages */
	struct dax_slot *slots;		/* sorted by index */
	unsigned long nr_slots, cap;
	unsigned long nrpages;
	bool inode_dirty;		/* I_DIRTY_PAGES: set by a dirtying insert (R44) */
	char name[32];			/* the scenario's file name, for show-entries */
	void *host;			/* the file (struct daxfs_file) */
	const struct dax_mapping_ops *ops;
	atomic_t unmap_calls;		/* diagnostics: unmap_mapping_pages calls made */
	unsigned int node_gfp;		/* diagnostics: gfp of the last tree-node allocation (R57) */
};

void dax_mapping_init(struct dax_mapping *m, const char *name, void *host,
		      const struct dax_mapping_ops *ops);
/* Free the store; every entry is dropped without callbacks (the file is gone). */
void dax_mapping_destroy(struct dax_mapping *m);

/* `inject entry`: the next @n entry allocations fail (grab returns OOM). */
void dax_entry_inject(int n);

/* The entry covering @index (0: none), as it is now, locked or not. */
unsigned long dax_load_entry(struct dax_mapping *m, unsigned long index);
unsigned int dax_entry_tags(struct dax_mapping *m, unsigned long index);
void dax_entry_set_tag(struct dax_mapping *m, unsigned long index, unsigned int tag);
void dax_entry_clear_tag(struct dax_mapping *m, unsigned long index, unsigned int tag);

/*
 * R43: the entry for @index, locked, for a fault of @order (0 or PMD_ORDER);
 * 0 with *entry set (its unlocked value), or VM_FAULT_FALLBACK (a PMD request
 * over PTE entries), VM_FAULT_OOM (no memory for a new entry).  Sleeps while
 * the entry is locked by someone else.
 */
vm_fault_t grab_mapping_entry(struct dax_mapping *m, unsigned long index, unsigned int order,
			      unsigned long *entry);
/*
 * The same with the gfp mask of the fault (R57): a new entry's tree-node
 * allocation uses @gfp without __GFP_HIGHMEM and records it in node_gfp.
 * grab_mapping_entry() passes the mapping's own mask, GFP_HIGHUSER_MOVABLE.
 */
vm_fault_t grab_mapping_entry_gfp(struct dax_mapping *m, unsigned long index, unsigned int order,
				  unsigned int gfp, unsigned long *entry);
/* Unlock the entry at @index, storing @entry (unlocked), and wake its waiters. */
void dax_unlock_entry(struct dax_mapping *m, unsigned long index, unsigned long entry);
/*
 * R44: put a real or zero entry (pfn, flags) in place of the locked @entry
 * at @index; returns the entry now in the tree, still locked.
 */
unsigned long dax_insert_entry(struct dax_mapping *m, unsigned long index, unsigned long entry,
			       unsigned long pfn, unsigned long flags, unsigned int how);
/*
 * R56 step 2, first half of dax_insert_pfn_mkwrite(): wait for the entry of
 * @order at @index, tag it DIRTY and lock it; VM_FAULT_NOPAGE if it is gone,
 * conflicting, or a PMD entry for an order-0 request.
 */
vm_fault_t dax_lock_entry_for_mkwrite(struct dax_mapping *m, unsigned long index,
				      unsigned int order, unsigned long *entry);
/* Truncate (R69 step 4): delete the entry at @index even if dirty; 1 if one was deleted. */
int dax_delete_mapping_entry(struct dax_mapping *m, unsigned long index);
/* Invalidation: delete it only if clean; 1 if one was deleted. */
int dax_invalidate_mapping_entry_sync(struct dax_mapping *m, unsigned long index);
/* truncate_inode_pages_range() for DAX: delete every entry in [start, end]. */
unsigned long dax_delete_mapping_range(struct dax_mapping *m, unsigned long start,
				       unsigned long end);

/*
 * R69 step 2, R70: unmap every user mapping of indices [start, end], then
 * return the first page of an entry in the range that is busy (refcount
 * above idle: a GUP pin, DMA), waiting for locked entries; NULL if none.
 * Under V13=on (OLD) it returns NULL at once when the file is not mapped,
 * which misses pages pinned through a mapping that is already gone.
 */
struct page *dax_layout_busy_page_range(struct dax_mapping *m, unsigned long start,
					unsigned long end);

/*
 * fsync/msync of a DAX file (dax_writeback_mapping_range()): tag every
 * DIRTY entry in [start, end] TOWRITE, then write each back: wait for its
 * lock, write-protect and clean its user mappings (ops->mkclean_entry, so
 * the next store faults and re-dirties it, T53), flush, and clear both
 * tags.  Returns the number of entries written back.
 */
unsigned long dax_writeback_mapping_range(struct dax_mapping *m, unsigned long start,
					  unsigned long end);

/*
 * SPEC.md section 6, invariant 6 (R42, R43): slots sorted, PMD entries
 * aligned, no entry inside a PMD entry's range, EMPTY entries with pfn 0,
 * nrpages the sum of the spans.  0, or -1 with every violation on @out.
 */
int dax_check_mapping(struct dax_mapping *m, FILE *out);

/*
 * `show-entries FILE`: one line per entry, then a summary, e.g.
 *	entry daxf:0x0-0x1ff pmd zero
 *	entry daxf:0x200 pte pfn=P0 dirty
 *	entry daxf:0x201 pte empty locked
 *	entries daxf count=3 nrpages=514
 * @label names a pfn run the way observation lines do (Z, HZ+I, P<n>); NULL
 * numbers P<n> afresh for this listing (see docs/contract-notes.md).
 */
typedef void (*dax_label_fn)(void *ctx, unsigned long pfn, unsigned long nr_pages,
			     char *buf, size_t len);
int dax_show_entries(struct dax_mapping *m, FILE *out, dax_label_fn label, void *ctx);

/* Sleepers on the wait queue of the entry covering @index (tests: "B is waiting"). */
int dax_entry_waiters(struct dax_mapping *m, unsigned long index);

/* Tests only: store @entry at @index with no checks, to break invariant 6 on purpose. */
int dax_debug_store_entry(struct dax_mapping *m, unsigned long index, unsigned long entry);

#endif /* FL_DAX_ENTRY_H */
