// SPDX-License-Identifier: GPL-2.0-only
/*
 * entry.c - the DAX mapping entries of a file (see entry.h): the store,
 * locking and waiting, grab_mapping_entry(), dax_insert_entry(), deletion,
 * layout breaking, writeback, invariant 6 and the show-entries printer.
 *
 * The store is a sorted array of slots under the mapping's i_pages lock
 * (Linux: an xarray whose PMD entries are multi-index entries).  Lookup of
 * index i finds the slot at i, or a PMD slot at i & ~511; a PMD request's
 * conflict check looks for any slot in the 512-index range.
 *
 * Waiting follows fs/dax.c: a sleeper takes its wait queue's lock before it
 * drops the i_pages lock, and a waker changes the entry under the i_pages
 * lock and then wakes the queue, so no wakeup is lost between the check and
 * the sleep.  The queues are one global hashed table keyed by (mapping,
 * index), a PMD entry's key using its aligned index (R42).
 * MODEL: every wakeup wakes all sleepers of the queue (Linux wakes one
 * exclusive waiter for an unlock and all for a deletion); each sleeper
 * re-checks its own entry, so only the amount of waking differs.
 *
 * Implements R42, R43, R44 (steps 1-4), R56 step 2's lookup, R69 steps 2
 * and 4, R70 (V13), and invariant 6 of SPEC.md section 6.
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "dax/entry.h"
#include "dax/folio.h"

#define DAX_WAIT_TABLE_BITS	6
#define DAX_WAIT_TABLE_ENTRIES	(1u << DAX_WAIT_TABLE_BITS)

static struct wait_queue_head wait_table[DAX_WAIT_TABLE_ENTRIES];
static spinlock_t wait_table_lock = __SPIN_LOCK_UNLOCKED;
static bool wait_table_ready;
static atomic_t inject_entry;

/* get_unlocked_entry()'s answers besides a slot position. */
#define NO_ENTRY	(-1l)
#define CONFLICT	(-2l)

void dax_entry_inject(int n)
{
	atomic_set(&inject_entry, n);
}

void dax_mapping_init(struct dax_mapping *m, const char *name, void *host,
		      const struct dax_mapping_ops *ops)
{
	memset(m, 0, sizeof(*m));
	spin_lock_init(&m->i_pages_lock);
	snprintf(m->name, sizeof(m->name), "%s", name ? name : "");
	m->host = host;
	m->ops = ops;
	spin_lock(&wait_table_lock);
	if (!wait_table_ready) {
		for (unsigned int i = 0; i < DAX_WAIT_TABLE_ENTRIES; i++)
			init_waitqueue_head(&wait_table[i]);
		wait_table_ready = true;
	}
	spin_unlock(&wait_table_lock);
}

void dax_mapping_destroy(struct dax_mapping *m)
{
	fl_free(FL_ALLOC_DAX_ENTRY, m->slots);
	m->slots = NULL;
	m->nr_slots = m->cap = 0;
	m->nrpages = 0;
}

/* ---------------------------------------------------------------- slots */

/* The first slot whose index is >= @index.  i_pages lock held. */
static unsigned long slot_lower_bound(struct dax_mapping *m, unsigned long index)
{
	unsigned long lo = 0, hi = m->nr_slots;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (m->slots[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static long slot_find(struct dax_mapping *m, unsigned long index)
{
	unsigned long pos = slot_lower_bound(m, index);

	return pos < m->nr_slots && m->slots[pos].index == index ? (long)pos : NO_ENTRY;
}

/* The slot whose entry covers @index: its own, or a PMD entry's. */
static long slot_covering(struct dax_mapping *m, unsigned long index)
{
	long pos = slot_find(m, index);

	if (pos >= 0)
		return pos;
	pos = slot_find(m, index & ~(unsigned long)PG_PMD_COLOUR);
	if (pos >= 0 && dax_is_pmd_entry(m->slots[pos].entry))
		return pos;
	return NO_ENTRY;
}

/* xas_find_conflict(): the first entry in the range an @order entry at @index would cover. */
static long find_conflict(struct dax_mapping *m, unsigned long index, unsigned int order)
{
	unsigned long base, pos;

	if (!order)
		return slot_covering(m, index);
	base = index & ~(unsigned long)PG_PMD_COLOUR;
	pos = slot_lower_bound(m, base);
	if (pos < m->nr_slots && m->slots[pos].index < base + PG_PMD_NR)
		return (long)pos;
	return NO_ENTRY;
}

/* Insert a slot (index not present).  Position, or -ENOMEM.  i_pages lock held. */
static long slot_insert(struct dax_mapping *m, unsigned long index, unsigned long entry)
{
	unsigned long pos = slot_lower_bound(m, index);

	if (atomic_dec_if_positive(&inject_entry) >= 0)
		return -ENOMEM;
	if (m->nr_slots == m->cap) {
		unsigned long cap = m->cap ? m->cap * 2 : 8;
		struct dax_slot *s = fl_realloc(FL_ALLOC_DAX_ENTRY, m->slots,
						m->cap * sizeof(*s), cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		m->slots = s;
		m->cap = cap;
	}
	memmove(&m->slots[pos + 1], &m->slots[pos], (m->nr_slots - pos) * sizeof(*m->slots));
	m->slots[pos] = (struct dax_slot){ .index = index, .entry = entry };
	m->nr_slots++;
	return (long)pos;
}

static void slot_erase(struct dax_mapping *m, long pos)
{
	memmove(&m->slots[pos], &m->slots[pos + 1],
		(m->nr_slots - (unsigned long)pos - 1) * sizeof(*m->slots));
	m->nr_slots--;
}

/* ------------------------------------------------------ waiting, waking */

/* dax_entry_waitqueue(): the queue of key (mapping, index; a PMD's aligned index). */
static struct wait_queue_head *dax_entry_waitqueue(struct dax_mapping *m, unsigned long index,
						   unsigned long entry)
{
	uint64_t key;

	if (dax_is_pmd_entry(entry))
		index &= ~(unsigned long)PG_PMD_COLOUR;
	key = ((uintptr_t)m ^ index) * 0x9e3779b97f4a7c15ull;
	return &wait_table[key >> (64 - DAX_WAIT_TABLE_BITS)];
}

/*
 * Always through the queue's lock: a sleeper holds it from before it drops
 * the i_pages lock until it sleeps, and only counts itself in ->waiters
 * once asleep, so skipping the wake when ->waiters is 0 could lose it.
 */
static void dax_wake_entry(struct dax_mapping *m, unsigned long index, unsigned long entry)
{
	wake_up_all(dax_entry_waitqueue(m, index, entry));
}

/*
 * get_next_unlocked_entry(): the entry an @order fault at @index would use,
 * waiting while it is locked.  Its slot position, NO_ENTRY, or CONFLICT
 * (a smaller entry where a PMD entry was asked for: checked before the
 * lock, so a PMD fault never waits on a PTE entry).  i_pages lock held;
 * dropped and retaken while sleeping.
 */
static long get_unlocked_entry(struct dax_mapping *m, unsigned long index, unsigned int order,
			       unsigned long *entry)
{
	for (;;) {
		long pos = find_conflict(m, index, order);
		struct wait_queue_head *wq;
		unsigned long e;

		if (pos < 0)
			return NO_ENTRY;
		e = m->slots[pos].entry;
		if (dax_entry_order(e) < order)
			return CONFLICT;
		if (!dax_is_locked(e)) {
			*entry = e;
			return pos;
		}
		wq = dax_entry_waitqueue(m, index, e);
		wq_lock(wq);
		spin_unlock(&m->i_pages_lock);
		wq_sleep(wq);
		wq_unlock(wq);
		spin_lock(&m->i_pages_lock);
	}
}

static void unmap_mapping_pages(struct dax_mapping *m, unsigned long start, unsigned long nr)
{
	atomic_inc(&m->unmap_calls);
	if (m->ops && m->ops->unmap_mapping_pages)
		m->ops->unmap_mapping_pages(m, start, nr);
}

/*
 * Where fs/dax.c calls dax_disassociate_entry() / dax_associate_entry():
 * through the ops, so the variant (R62, R65, R66; src/dax/folio.c's
 * dax_mapping_ops_*) is the owner's choice.
 */
static void entry_disassociate(struct dax_mapping *m, unsigned long entry, bool trunc)
{
	if (m->ops && m->ops->disassociate_entry)
		m->ops->disassociate_entry(m, entry, trunc);
}

static void entry_associate(struct dax_mapping *m, unsigned long entry, unsigned long index,
			    bool shared)
{
	if (m->ops && m->ops->associate_entry)
		m->ops->associate_entry(m, entry, index, shared);
}

/*
 * R45 (V18=hole_page): the tree's reference on a hole page goes with its
 * entry ("delete it from the page cache, put the cache's reference").
 * Called after the i_pages lock is dropped; user mappings hold their own.
 */
static void dax_put_hole_page(unsigned long entry)
{
	if (dax_is_hole_page_entry(entry))
		folio_put(page_folio(pfn_to_page(dax_to_pfn(entry))));
}

void dax_unlock_entry(struct dax_mapping *m, unsigned long index, unsigned long entry)
{
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = slot_covering(m, index);
	if (pos < 0 || !dax_is_locked(m->slots[pos].entry))
		fl_report_bug("DAX entries", "%s: unlock of index 0x%lx, which is %s",
			      m->name, index, pos < 0 ? "not there" : "not locked");
	else
		m->slots[pos].entry = entry & ~DAX_LOCKED;
	dax_wake_entry(m, index, entry);
	spin_unlock(&m->i_pages_lock);
}

/* ------------------------------------------------------------ lookups */

unsigned long dax_load_entry(struct dax_mapping *m, unsigned long index)
{
	unsigned long e = 0;
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = slot_covering(m, index);
	if (pos >= 0)
		e = m->slots[pos].entry;
	spin_unlock(&m->i_pages_lock);
	return e;
}

unsigned int dax_entry_tags(struct dax_mapping *m, unsigned long index)
{
	unsigned int t = 0;
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = slot_covering(m, index);
	if (pos >= 0)
		t = m->slots[pos].tags;
	spin_unlock(&m->i_pages_lock);
	return t;
}

void dax_entry_set_tag(struct dax_mapping *m, unsigned long index, unsigned int tag)
{
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = slot_covering(m, index);
	if (pos >= 0)
		m->slots[pos].tags |= tag;
	spin_unlock(&m->i_pages_lock);
}

void dax_entry_clear_tag(struct dax_mapping *m, unsigned long index, unsigned int tag)
{
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = slot_covering(m, index);
	if (pos >= 0)
		m->slots[pos].tags &= ~tag;
	spin_unlock(&m->i_pages_lock);
}

/* ------------------------------------------------- grab_mapping_entry */

/*
 * R43 downgrade: a PTE fault found a PMD ZERO or EMPTY entry at slot @pos.
 * Lock it, unmap the PMD range if user mappings of the huge zero folio may
 * exist, delete it, wake every waiter and give back its 512 indices.
 * i_pages lock held (dropped around the unmap).
 */
static void dax_downgrade_pmd_entry(struct dax_mapping *m, unsigned long index, long pos,
				    unsigned long entry)
{
	unsigned long base = index & ~(unsigned long)PG_PMD_COLOUR;

	m->slots[pos].entry = entry | DAX_LOCKED;
	if (dax_is_zero_entry(entry)) {
		spin_unlock(&m->i_pages_lock);
		unmap_mapping_pages(m, base, PG_PMD_NR);
		spin_lock(&m->i_pages_lock);
		pos = slot_find(m, base);	/* ours: it is locked, nobody removed it */
	}
	entry_disassociate(m, entry, false);
	slot_erase(m, pos);		/* undo the PMD join */
	dax_wake_entry(m, index, entry);
	m->nrpages -= PG_PMD_NR;
}

vm_fault_t grab_mapping_entry(struct dax_mapping *m, unsigned long index, unsigned int order,
			      unsigned long *entryp)
{
	return grab_mapping_entry_gfp(m, index, order, GFP_HIGHUSER_MOVABLE, entryp);
}

vm_fault_t grab_mapping_entry_gfp(struct dax_mapping *m, unsigned long index, unsigned int order,
				  unsigned int gfp, unsigned long *entryp)
{
	unsigned long entry = 0, key;
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = get_unlocked_entry(m, index, order, &entry);
	if (pos == CONFLICT) {
		spin_unlock(&m->i_pages_lock);
		return VM_FAULT_FALLBACK;
	}
	if (pos >= 0 && order == 0 && dax_is_pmd_entry(entry) &&
	    (dax_is_zero_entry(entry) || dax_is_empty_entry(entry))) {
		dax_downgrade_pmd_entry(m, index, pos, entry);
		pos = NO_ENTRY;
	}
	if (pos >= 0) {
		m->slots[pos].entry = entry | DAX_LOCKED;
	} else {
		/* no path upgrades PTE entries to a PMD: a new entry is of the fault's order */
		entry = dax_make_entry(0, DAX_EMPTY | (order ? DAX_PMD : 0));
		key = order ? index & ~(unsigned long)PG_PMD_COLOUR : index;
		m->node_gfp = gfp & ~__GFP_HIGHMEM;	/* xas_nomem()'s mask (R57) */
		if (slot_insert(m, key, entry | DAX_LOCKED) < 0) {
			spin_unlock(&m->i_pages_lock);
			return VM_FAULT_OOM;
		}
		m->nrpages += 1ul << order;
	}
	spin_unlock(&m->i_pages_lock);
	*entryp = entry;
	return 0;
}

/* ---------------------------------------------------- dax_insert_entry */

/*
 * Replace the locked entry at slot @pos by @new_entry (locked).  When the
 * sizes differ (MODEL: a shared-extent PTE insert over a real PMD entry,
 * where the xarray would split the multi-index entry), the old slot goes and
 * a new one of the new size comes, so invariant 6 holds.  i_pages lock held.
 */
static void replace_slot(struct dax_mapping *m, long pos, unsigned long index,
			 unsigned long old, unsigned long new_entry)
{
	unsigned int tags = m->slots[pos].tags;
	unsigned long key;

	if (dax_entry_order(old) == dax_entry_order(new_entry)) {
		m->slots[pos].entry = new_entry | DAX_LOCKED;
		return;
	}
	slot_erase(m, pos);
	m->nrpages -= dax_entry_span(old);
	key = dax_is_pmd_entry(new_entry) ? index & ~(unsigned long)PG_PMD_COLOUR : index;
	pos = slot_insert(m, key, new_entry | DAX_LOCKED);
	if (pos < 0) {
		/* the erase made room: only injection can fail here */
		fl_report_bug("DAX entries", "%s: lost entry 0x%lx at 0x%lx", m->name, new_entry, index);
		return;
	}
	m->slots[pos].tags = tags;
	m->nrpages += dax_entry_span(new_entry);
}

unsigned long dax_insert_entry(struct dax_mapping *m, unsigned long index, unsigned long entry,
			       unsigned long pfn, unsigned long flags, unsigned int how)
{
	bool write = how & DAX_INSERT_WRITE, shared = how & DAX_INSERT_SHARED;
	bool dirty = write && !(how & DAX_INSERT_SYNC);
	unsigned long new_entry = dax_make_entry(pfn, flags), old = 0;
	long pos;

	/* step 2: a shared extent, or a hole being filled: unmap it everywhere */
	if (shared || (dax_is_zero_entry(entry) && !(flags & DAX_ZERO_PAGE))) {
		if (dax_is_pmd_entry(entry))
			unmap_mapping_pages(m, index & ~(unsigned long)PG_PMD_COLOUR, PG_PMD_NR);
		else
			unmap_mapping_pages(m, index, 1);
	}
	spin_lock(&m->i_pages_lock);
	if (dirty)
		m->inode_dirty = true;	/* step 1: __mark_inode_dirty(I_DIRTY_PAGES) */
	pos = slot_covering(m, index);
	if (pos < 0 || m->slots[pos].entry != (entry | DAX_LOCKED)) {
		fl_report_bug("DAX entries", "%s: insert at 0x%lx without holding entry 0x%lx",
			      m->name, index, entry);
		spin_unlock(&m->i_pages_lock);
		return entry;
	}
	/* step 3: replace a hole, a placeholder or a shared extent's entry */
	if (shared || dax_is_zero_entry(entry) || dax_is_empty_entry(entry)) {
		entry_disassociate(m, entry, false);
		entry_associate(m, new_entry, index, shared);
		replace_slot(m, pos, index, entry, new_entry);
		old = entry;
		entry = new_entry;
		pos = slot_covering(m, index);
	}
	/* step 4 */
	if (pos >= 0 && dirty)
		m->slots[pos].tags |= DAX_TAG_DIRTY;
	if (pos >= 0 && write && shared)
		m->slots[pos].tags |= DAX_TAG_TOWRITE;
	spin_unlock(&m->i_pages_lock);
	dax_put_hole_page(old);
	return entry;
}

vm_fault_t dax_lock_entry_for_mkwrite(struct dax_mapping *m, unsigned long index,
				      unsigned int order, unsigned long *entryp)
{
	unsigned long entry = 0;
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = get_unlocked_entry(m, index, order, &entry);
	if (pos < 0 || (order == 0 && !dax_is_pte_entry(entry))) {
		if (pos >= 0)
			dax_wake_entry(m, index, entry);	/* put_unlocked_entry() */
		spin_unlock(&m->i_pages_lock);
		return VM_FAULT_NOPAGE;
	}
	m->slots[pos].tags |= DAX_TAG_DIRTY;
	m->slots[pos].entry = entry | DAX_LOCKED;
	spin_unlock(&m->i_pages_lock);
	*entryp = entry;
	return 0;
}

/* ------------------------------------------------------------ deletion */

/* __dax_invalidate_entry(): @trunc deletes dirty entries too. */
static int __dax_invalidate_entry(struct dax_mapping *m, unsigned long index, bool trunc)
{
	unsigned long entry = 0;
	int ret = 0;
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = get_unlocked_entry(m, index, 0, &entry);
	if (pos < 0)
		goto out;
	if (!trunc && (m->slots[pos].tags & (DAX_TAG_DIRTY | DAX_TAG_TOWRITE)))
		goto out;
	entry_disassociate(m, entry, trunc);
	slot_erase(m, pos);
	m->nrpages -= dax_entry_span(entry);
	ret = 1;
out:
	if (pos >= 0)
		dax_wake_entry(m, index, entry);
	spin_unlock(&m->i_pages_lock);
	if (ret)
		dax_put_hole_page(entry);
	return ret;
}

int dax_delete_mapping_entry(struct dax_mapping *m, unsigned long index)
{
	return __dax_invalidate_entry(m, index, true);
}

int dax_invalidate_mapping_entry_sync(struct dax_mapping *m, unsigned long index)
{
	return __dax_invalidate_entry(m, index, false);
}

unsigned long dax_delete_mapping_range(struct dax_mapping *m, unsigned long start,
				       unsigned long end)
{
	unsigned long deleted = 0, index = start;

	for (;;) {
		unsigned long pos, next;
		bool found;

		spin_lock(&m->i_pages_lock);
		pos = slot_lower_bound(m, index & ~(unsigned long)PG_PMD_COLOUR);
		while (pos < m->nr_slots && m->slots[pos].index < index &&
		       !(dax_is_pmd_entry(m->slots[pos].entry) &&
			 m->slots[pos].index + PG_PMD_NR > index))
			pos++;
		found = pos < m->nr_slots;
		next = found ? m->slots[pos].index : 0;
		spin_unlock(&m->i_pages_lock);
		if (!found || next > end)
			return deleted;
		if (next < index)
			next = index;	/* a PMD entry starting before @start */
		deleted += (unsigned long)dax_delete_mapping_entry(m, next);
		index = next + 1;
	}
}

/* ---------------------------------------------------- layout breaking */

/* The first slot at or after @index whose entry covers an index >= @index. */
static long slot_next(struct dax_mapping *m, unsigned long index)
{
	unsigned long pos = slot_lower_bound(m, index & ~(unsigned long)PG_PMD_COLOUR);

	while (pos < m->nr_slots && m->slots[pos].index + dax_entry_span(m->slots[pos].entry) <= index)
		pos++;
	return pos < m->nr_slots ? (long)pos : NO_ENTRY;
}

static bool mapping_mapped(struct dax_mapping *m)
{
	return m->ops && m->ops->mapping_mapped && m->ops->mapping_mapped(m);
}

struct page *dax_layout_busy_page_range(struct dax_mapping *m, unsigned long start,
					unsigned long end)
{
	unsigned long index = start;
	struct page *page = NULL;

	if (fl_cfg.layout_busy_skip_unmapped && !mapping_mapped(m))
		return NULL;		/* V13=on: the bug R70 fixes */
	unmap_mapping_pages(m, start, end - start + 1);	/* [0, ~0ul]: nr wraps to 0, "all" */
	spin_lock(&m->i_pages_lock);
	while (!page) {
		unsigned long entry = 0, at;
		long pos = slot_next(m, index);

		if (pos < 0 || m->slots[pos].index > end)
			break;
		at = m->slots[pos].index > index ? m->slots[pos].index : index;
		pos = get_unlocked_entry(m, at, 0, &entry);	/* wait while locked */
		if (pos >= 0) {
			page = dax_busy_page(entry);
			dax_wake_entry(m, at, entry);		/* put_unlocked_entry() */
			index = m->slots[pos].index + dax_entry_span(entry);
		} else {
			index = at + 1;				/* deleted while we slept */
		}
	}
	spin_unlock(&m->i_pages_lock);
	return page;
}

/* ------------------------------------------------------------ writeback */

/* tag_pages_for_writeback(): DIRTY entries in range become TOWRITE too. */
static void dax_tag_towrite(struct dax_mapping *m, unsigned long start, unsigned long end)
{
	spin_lock(&m->i_pages_lock);
	for (long pos = slot_next(m, start); pos >= 0 && (unsigned long)pos < m->nr_slots &&
	     m->slots[pos].index <= end; pos++) {
		if (m->slots[pos].tags & DAX_TAG_DIRTY)
			m->slots[pos].tags |= DAX_TAG_TOWRITE;
	}
	spin_unlock(&m->i_pages_lock);
}

/*
 * dax_writeback_one() for the next TOWRITE entry at or after *index: 1 if
 * written back, 0 if it went away or was written back by someone else while
 * we waited for it, -1 when no TOWRITE entry is left in range.  MODEL: the pmem behind the
 * entry is a host file mapping that needs no cache flush.
 */
static int dax_writeback_next(struct dax_mapping *m, unsigned long *index, unsigned long end)
{
	unsigned long entry = 0, at;
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = slot_next(m, *index);
	while (pos >= 0 && (unsigned long)pos < m->nr_slots && m->slots[pos].index <= end &&
	       !(m->slots[pos].tags & DAX_TAG_TOWRITE))
		pos++;
	if (pos < 0 || (unsigned long)pos >= m->nr_slots || m->slots[pos].index > end) {
		spin_unlock(&m->i_pages_lock);
		return -1;
	}
	at = m->slots[pos].index > *index ? m->slots[pos].index : *index;
	pos = get_unlocked_entry(m, at, 0, &entry);
	if (pos < 0 || !(m->slots[pos].tags & DAX_TAG_TOWRITE)) {
		if (pos >= 0)
			dax_wake_entry(m, at, entry);
		spin_unlock(&m->i_pages_lock);
		*index = at + 1;	/* written back (or deleted) while we waited */
		return 0;
	}
	m->slots[pos].tags &= ~DAX_TAG_TOWRITE;
	m->slots[pos].entry = entry | DAX_LOCKED;
	*index = m->slots[pos].index + dax_entry_span(entry);
	spin_unlock(&m->i_pages_lock);

	if (m->ops && m->ops->mkclean_entry)
		m->ops->mkclean_entry(m, at, entry);
	spin_lock(&m->i_pages_lock);
	pos = slot_covering(m, at);
	m->slots[pos].tags &= ~DAX_TAG_DIRTY;
	spin_unlock(&m->i_pages_lock);
	dax_unlock_entry(m, at, entry);
	return 1;
}

unsigned long dax_writeback_mapping_range(struct dax_mapping *m, unsigned long start,
					  unsigned long end)
{
	unsigned long index = start, n = 0;
	int ret;

	dax_tag_towrite(m, start, end);
	while ((ret = dax_writeback_next(m, &index, end)) >= 0)
		n += (unsigned long)ret;
	return n;
}

/* ------------------------------------------------------ invariant 6 */

static int check_slot(struct dax_mapping *m, unsigned long i, FILE *out)
{
	const struct dax_slot *s = &m->slots[i];
	int bad = 0;

	if (i && m->slots[i - 1].index >= s->index) {
		fprintf(out, "  %s: slot 0x%lx not after slot 0x%lx\n", m->name, s->index,
			m->slots[i - 1].index);
		bad++;
	}
	if (dax_is_pmd_entry(s->entry) && (s->index & PG_PMD_COLOUR)) {
		fprintf(out, "  %s: PMD entry at unaligned index 0x%lx\n", m->name, s->index);
		bad++;
	}
	if (dax_is_pmd_entry(s->entry) && i + 1 < m->nr_slots &&
	    m->slots[i + 1].index < s->index + PG_PMD_NR) {
		fprintf(out, "  %s: %s entry at 0x%lx inside the PMD entry at 0x%lx-0x%lx\n",
			m->name, dax_is_pmd_entry(m->slots[i + 1].entry) ? "PMD" : "PTE",
			m->slots[i + 1].index, s->index, s->index + PG_PMD_COLOUR);
		bad++;
	}
	if (dax_is_empty_entry(s->entry) && dax_to_pfn(s->entry)) {
		fprintf(out, "  %s: EMPTY entry at 0x%lx with pfn 0x%lx\n", m->name, s->index,
			dax_to_pfn(s->entry));
		bad++;
	}
	return bad;
}

int dax_check_mapping(struct dax_mapping *m, FILE *out)
{
	unsigned long span = 0;
	int bad = 0;

	spin_lock(&m->i_pages_lock);
	for (unsigned long i = 0; i < m->nr_slots; i++) {
		bad += check_slot(m, i, out);
		span += dax_entry_span(m->slots[i].entry);
	}
	if (span != m->nrpages) {
		fprintf(out, "  %s: nrpages %lu, but the entries cover %lu indices\n",
			m->name, m->nrpages, span);
		bad++;
	}
	spin_unlock(&m->i_pages_lock);
	if (bad)
		fprintf(out, "faultline: invariant broken: DAX entries (6): %d violation%s in %s\n",
			bad, bad == 1 ? "" : "s", m->name);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------- show-entries */

/*
 * The listing's own labeller: Z and HZ+I as observation lines say them, and
 * P<n> numbered in order of first appearance, a PMD entry's 512 frames
 * taking 512 numbers, so the next new frame after a PMD at P0 is P512.
 */
struct entry_labels {
	unsigned long n, next;
	struct { unsigned long pfn, nr, label; } run[];
};

static void own_label(void *ctx, unsigned long pfn, unsigned long nr, char *buf, size_t len)
{
	struct entry_labels *l = ctx;

	if (is_zero_pfn(pfn)) {
		snprintf(buf, len, "Z");
		return;
	}
	if (is_huge_zero_pfn(pfn)) {
		snprintf(buf, len, "HZ+%lu", pfn - machine.huge_zero_pfn);
		return;
	}
	for (unsigned long i = 0; i < l->n; i++) {
		if (pfn - l->run[i].pfn < l->run[i].nr) {
			snprintf(buf, len, "P%lu", l->run[i].label + (pfn - l->run[i].pfn));
			return;
		}
	}
	l->run[l->n].pfn = pfn;
	l->run[l->n].nr = nr;
	l->run[l->n].label = l->next;
	l->n++;
	snprintf(buf, len, "P%lu", l->next);
	l->next += nr;
}

static void print_slot(struct dax_mapping *m, const struct dax_slot *s, FILE *out,
		       dax_label_fn label, void *ctx)
{
	unsigned long e = s->entry, pfn = dax_to_pfn(e);
	bool pmd = dax_is_pmd_entry(e);
	char buf[48];

	fprintf(out, "entry %s:0x%lx", m->name, s->index);
	if (pmd)
		fprintf(out, "-0x%lx", s->index + PG_PMD_COLOUR);
	fprintf(out, " %s", pmd ? "pmd" : "pte");
	if (dax_is_empty_entry(e)) {
		fprintf(out, " empty");
		if (pfn)
			fprintf(out, " pfn=0x%lx", pfn);	/* invariant 6 flags it too */
	} else if (dax_is_zero_entry(e)) {
		fprintf(out, " zero");
		/* the expected zero pfn goes without saying; anything else is shown */
		if (pmd ? !(is_huge_zero_pfn(pfn) && pfn == machine.huge_zero_pfn) : !is_zero_pfn(pfn)) {
			label(ctx, pfn, pmd ? PG_PMD_NR : 1, buf, sizeof(buf));
			fprintf(out, " pfn=%s", buf);
		}
	} else {
		label(ctx, pfn, pmd ? PG_PMD_NR : 1, buf, sizeof(buf));
		fprintf(out, " pfn=%s", buf);
	}
	if (s->tags & DAX_TAG_DIRTY)
		fprintf(out, " dirty");
	if (s->tags & DAX_TAG_TOWRITE)
		fprintf(out, " towrite");
	if (dax_is_locked(e))
		fprintf(out, " locked");
	fputc('\n', out);
}

int dax_show_entries(struct dax_mapping *m, FILE *out, dax_label_fn label, void *ctx)
{
	struct entry_labels *own = NULL;

	spin_lock(&m->i_pages_lock);
	if (!label) {
		own = fl_zalloc(FL_ALLOC_OTHER, sizeof(*own) + (m->nr_slots + 1) * sizeof(own->run[0]));
		if (!own) {
			spin_unlock(&m->i_pages_lock);
			return -ENOMEM;
		}
		label = own_label;
		ctx = own;
	}
	for (unsigned long i = 0; i < m->nr_slots; i++)
		print_slot(m, &m->slots[i], out, label, ctx);
	fprintf(out, "entries %s count=%lu nrpages=%lu\n", m->name, m->nr_slots, m->nrpages);
	spin_unlock(&m->i_pages_lock);
	fl_free(FL_ALLOC_OTHER, own);
	return 0;
}

int dax_debug_store_entry(struct dax_mapping *m, unsigned long index, unsigned long entry)
{
	long pos;

	spin_lock(&m->i_pages_lock);
	pos = slot_find(m, index);
	if (pos >= 0)
		m->slots[pos].entry = entry;
	else
		pos = slot_insert(m, index, entry);
	spin_unlock(&m->i_pages_lock);
	return pos < 0 ? (int)pos : 0;
}

int dax_entry_waiters(struct dax_mapping *m, unsigned long index)
{
	unsigned long e = dax_load_entry(m, index);

	return atomic_load(&dax_entry_waitqueue(m, index, e)->waiters);
}
