// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_entry.c - DAX mapping entries (src/dax/entry.c): the encoding (R42),
 * grab_mapping_entry() with its PMD/PTE conflicts and downgrades (R43),
 * dax_insert_entry() (R44), tags, deletion (R69 step 4), the MAP_SYNC
 * re-lookup (R56), locking and waking, invariant 6 (SPEC.md section 6),
 * and the show-entries listing.
 *
 * Pictures show a PMD range of 512 indices; each test names its base b:
 *
 *   index:  b                                        b+511
 *           [ PMD entry: one slot at b, covers 512 ]
 *           [ or PTE entries: one slot per index   ]   (never both: invariant 6)
 *
 * The mapping's ops record every unmap_mapping_pages() and every
 * (dis)association, so the tests can assert where fs/dax.c makes them.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "dax_test.h"

/* ------------------------------------------------------ recording ops */

static struct { unsigned long start, nr; } unmaps[16];
static int nr_unmaps, nr_assoc, nr_assoc_shared, nr_disassoc;
static unsigned long last_disassoc;

static void rec_unmap(struct dax_mapping *m, unsigned long start, unsigned long nr)
{
	(void)m;
	if (nr_unmaps < 16) {
		unmaps[nr_unmaps].start = start;
		unmaps[nr_unmaps].nr = nr;
	}
	nr_unmaps++;
}

static void rec_assoc(struct dax_mapping *m, unsigned long entry, unsigned long index, bool shared)
{
	(void)m; (void)entry; (void)index;
	nr_assoc++;
	nr_assoc_shared += shared;
}

static void rec_disassoc(struct dax_mapping *m, unsigned long entry, bool trunc)
{
	(void)m; (void)trunc;
	nr_disassoc++;
	last_disassoc = entry;
}

static unsigned long mkcleaned[8];
static int nr_mkclean;

static void rec_mkclean(struct dax_mapping *m, unsigned long index, unsigned long entry)
{
	assert_true(dax_is_locked(dax_load_entry(m, index)));	/* under the entry lock */
	assert_false(dax_is_locked(entry));
	if (nr_mkclean < 8)
		mkcleaned[nr_mkclean] = index;
	nr_mkclean++;
}

static const struct dax_mapping_ops rec_ops = {
	.unmap_mapping_pages = rec_unmap,
	.associate_entry = rec_assoc,
	.disassociate_entry = rec_disassoc,
	.mkclean_entry = rec_mkclean,
};

static struct dax_mapping map;

static int entry_up(void **state)
{
	nr_unmaps = nr_assoc = nr_assoc_shared = nr_disassoc = nr_mkclean = 0;
	dax_mapping_init(&map, "daxf", NULL, &rec_ops);
	return dax_machine_up(state);
}

static int entry_down(void **state)
{
	int rc = dax_check_mapping(&map, stderr);

	dax_mapping_destroy(&map);
	return dax_machine_down(state) | rc;
}

/* A pmem pfn, 512-aligned for n % 512 == 0. */
static unsigned long P(unsigned long n)
{
	return machine.pmem_base_pfn + 512 + n;
}

static void assert_unmap(int i, unsigned long start, unsigned long nr)
{
	assert_true(i < nr_unmaps && i < 16);
	assert_int_equal(unmaps[i].start, start);
	assert_int_equal(unmaps[i].nr, nr);
}

/* grab + insert + unlock: a finished fault's entry. */
static unsigned long fault_in(unsigned long index, unsigned int order, unsigned long pfn,
			      unsigned long flags, unsigned int how)
{
	unsigned long e;

	assert_int_equal(grab_mapping_entry(&map, index, order, &e), 0);
	e = dax_insert_entry(&map, index, e, pfn, flags, how);
	dax_unlock_entry(&map, index, e);
	return e;
}

/* ------------------------------------------------------------- R42 */

static void test_encoding(void **state)
{
	unsigned long pmd = dax_make_entry(0x1234, DAX_PMD);

	(void)state;
	assert_int_equal(pmd, 0x12342);
	assert_int_equal(dax_to_pfn(pmd | DAX_LOCKED), 0x1234);
	assert_true(dax_is_pmd_entry(pmd) && !dax_is_pte_entry(pmd));
	assert_int_equal(dax_entry_order(pmd), 9);
	assert_int_equal(dax_entry_size(pmd), 2ul << 20);
	assert_int_equal(dax_entry_span(pmd), 512);
	assert_int_equal(dax_entry_size(dax_make_entry(7, 0)), 4096);
	assert_int_equal(dax_entry_span(dax_make_entry(7, 0)), 1);
	/* ZERO and EMPTY entries map no pmem, whatever their span */
	assert_int_equal(dax_entry_size(pmd | DAX_ZERO_PAGE), 0);
	assert_int_equal(dax_entry_size(DAX_EMPTY | DAX_PMD), 0);
	assert_int_equal(dax_entry_span(DAX_EMPTY | DAX_PMD), 512);
	assert_true(dax_is_zero_entry(DAX_ZERO_PAGE) && !dax_is_real_entry(DAX_ZERO_PAGE));
	assert_true(dax_is_empty_entry(DAX_EMPTY) && !dax_is_real_entry(DAX_EMPTY));
	assert_true(dax_is_real_entry(pmd) && !dax_is_locked(pmd) && dax_is_locked(pmd | DAX_LOCKED));
	assert_int_equal(DAX_LOCKED | DAX_PMD | DAX_ZERO_PAGE | DAX_EMPTY, 0xf);
}

/* ------------------------------------------------------------- R43 */

/* New entries: EMPTY, pfn 0, locked, of the fault's size; nrpages +1 / +512. */
static void test_grab_new(void **state)
{
	unsigned long e;

	(void)state;
	assert_int_equal(grab_mapping_entry(&map, 5, 0, &e), 0);
	assert_int_equal(e, DAX_EMPTY);
	assert_int_equal(dax_load_entry(&map, 5), DAX_EMPTY | DAX_LOCKED);
	assert_int_equal(map.nrpages, 1);
	dax_unlock_entry(&map, 5, e);
	assert_int_equal(dax_load_entry(&map, 5), DAX_EMPTY);

	/* a PMD request at any index of the range: one slot at the aligned index */
	assert_int_equal(grab_mapping_entry(&map, 0x2c5, 9, &e), 0);
	assert_int_equal(e, DAX_EMPTY | DAX_PMD);
	assert_int_equal(map.nrpages, 513);
	assert_int_equal(map.nr_slots, 2);
	assert_int_equal(map.slots[1].index, 0x200);
	assert_int_equal(dax_load_entry(&map, 0x3ff), DAX_EMPTY | DAX_PMD | DAX_LOCKED);
	assert_int_equal(dax_load_entry(&map, 0x400), 0);
	dax_unlock_entry(&map, 0x2c5, e);

	/* grabbing again finds the same entry, nothing new */
	assert_int_equal(grab_mapping_entry(&map, 0x3ff, 9, &e), 0);
	assert_int_equal(e, DAX_EMPTY | DAX_PMD);
	assert_int_equal(map.nrpages, 513);
	dax_unlock_entry(&map, 0x3ff, e);
	assert_int_equal(nr_unmaps, 0);
}

/*
 * A PMD request over a PTE entry falls back, even a locked one (the
 * order is checked before the lock, so the fault does not wait):
 *
 *   b=0x400   b+3                       b+511   b+512
 *   [  .  .  .  PTE  .  .  .  .  .  .  .  ]      PTE (next range: no conflict)
 */
static void test_pmd_conflict(void **state)
{
	unsigned long e, locked;

	(void)state;
	fault_in(0x403, 0, P(3), 0, 0);
	assert_int_equal(grab_mapping_entry(&map, 0x400, 9, &e), VM_FAULT_FALLBACK);
	assert_int_equal(grab_mapping_entry(&map, 0x5ff, 9, &e), VM_FAULT_FALLBACK);
	assert_int_equal(map.nrpages, 1);

	assert_int_equal(grab_mapping_entry(&map, 0x6ff, 0, &locked), 0);	/* stays locked */
	assert_int_equal(grab_mapping_entry(&map, 0x600, 9, &e), VM_FAULT_FALLBACK);
	/* the next range has no PTE entry: a PMD entry is fine there */
	assert_int_equal(grab_mapping_entry(&map, 0x800, 9, &e), 0);
	dax_unlock_entry(&map, 0x800, e);
	dax_unlock_entry(&map, 0x6ff, locked);
	assert_int_equal(map.nrpages, 1 + 1 + 512);
	assert_int_equal(nr_unmaps, 0);
}

/*
 * R43 downgrade of a PMD ZERO entry by a PTE fault at b+7:
 *
 *   before: [ PMD ZERO at b=0x400, span 512 ]         nrpages 512
 *   after:  [ . . . . . . . PTE EMPTY(locked) . . . ] nrpages 1
 *
 * the whole PMD range is unmapped first (the huge zero PMD of every
 * process), the entry is disassociated and deleted.
 */
static void test_downgrade_zero(void **state)
{
	unsigned long e;

	(void)state;
	fault_in(0x400, 9, P(0), DAX_PMD | DAX_ZERO_PAGE, 0);
	assert_int_equal(map.nrpages, 512);
	nr_disassoc = 0;

	assert_int_equal(grab_mapping_entry(&map, 0x407, 0, &e), 0);
	assert_int_equal(e, DAX_EMPTY);
	assert_int_equal(nr_unmaps, 1);
	assert_unmap(0, 0x400, 512);
	assert_int_equal(nr_disassoc, 1);
	assert_int_equal(last_disassoc & ~DAX_LOCKED, dax_make_entry(P(0), DAX_PMD | DAX_ZERO_PAGE));
	assert_int_equal(map.nrpages, 1);
	assert_int_equal(dax_load_entry(&map, 0x400), 0);
	assert_int_equal(dax_load_entry(&map, 0x407), DAX_EMPTY | DAX_LOCKED);
	assert_int_equal(dax_check_mapping(&map, stderr), 0);
	dax_unlock_entry(&map, 0x407, e);

	/* T41: a later PMD fault in the range now finds a PTE entry and falls back */
	assert_int_equal(grab_mapping_entry(&map, 0x400, 9, &e), VM_FAULT_FALLBACK);
}

/* A PMD EMPTY entry is downgraded too, without an unmap (nothing can map it). */
static void test_downgrade_empty(void **state)
{
	unsigned long e;

	(void)state;
	assert_int_equal(grab_mapping_entry(&map, 0x200, 9, &e), 0);
	dax_unlock_entry(&map, 0x200, e);
	assert_int_equal(grab_mapping_entry(&map, 0x3ff, 0, &e), 0);
	assert_int_equal(e, DAX_EMPTY);
	assert_int_equal(nr_unmaps, 0);
	assert_int_equal(map.nrpages, 1);
	assert_int_equal(map.slots[0].index, 0x3ff);
	dax_unlock_entry(&map, 0x3ff, e);
}

/*
 * A PTE fault inside a *real* PMD entry keeps it: it gets the PMD entry,
 * and its write dirties the whole PMD entry (R43, R44 "otherwise").
 */
static void test_pte_in_real_pmd(void **state)
{
	unsigned long e, pmd = dax_make_entry(P(0), DAX_PMD);

	(void)state;
	fault_in(0x200, 9, P(0), DAX_PMD, 0);
	assert_int_equal(grab_mapping_entry(&map, 0x209, 0, &e), 0);
	assert_int_equal(e, pmd);
	assert_int_equal(dax_load_entry(&map, 0x200), pmd | DAX_LOCKED);
	e = dax_insert_entry(&map, 0x209, e, P(9), 0, DAX_INSERT_WRITE);
	assert_int_equal(e, pmd);			/* tree unchanged */
	assert_int_equal(dax_entry_tags(&map, 0x200), DAX_TAG_DIRTY);
	dax_unlock_entry(&map, 0x209, e);
	assert_int_equal(map.nrpages, 512);
	assert_int_equal(nr_unmaps, 0);
}

/* ------------------------------------------------------------- R44 */

static void test_insert_entry(void **state)
{
	unsigned long e;

	(void)state;
	/* EMPTY -> real, read fault: no unmap, no tag, inode clean, associated */
	e = fault_in(1, 0, P(1), 0, 0);
	assert_int_equal(e, dax_make_entry(P(1), 0));
	assert_int_equal(nr_unmaps, 0);
	assert_int_equal(dax_entry_tags(&map, 1), 0);
	assert_false(map.inode_dirty);
	assert_int_equal(nr_assoc, 1);
	assert_int_equal(nr_assoc_shared, 0);

	/* ZERO -> real, write: unmap that one index everywhere, DIRTY, inode dirty */
	fault_in(2, 0, machine.zero_pfn, DAX_ZERO_PAGE, 0);
	assert_int_equal(nr_unmaps, 0);			/* zero over empty: nothing to unmap */
	e = fault_in(2, 0, P(2), 0, DAX_INSERT_WRITE);
	assert_int_equal(dax_to_pfn(e), P(2));
	assert_int_equal(nr_unmaps, 1);
	assert_unmap(0, 2, 1);
	assert_int_equal(dax_entry_tags(&map, 2), DAX_TAG_DIRTY);
	assert_true(map.inode_dirty);

	/* MAP_SYNC write (R56): inserted, but neither tagged nor inode-dirtying */
	map.inode_dirty = false;
	fault_in(3, 0, P(3), 0, DAX_INSERT_WRITE | DAX_INSERT_SYNC);
	assert_int_equal(dax_entry_tags(&map, 3), 0);
	assert_false(map.inode_dirty);

	/* a real entry and an unshared insert of another pfn: tree unchanged */
	e = fault_in(1, 0, P(100), 0, 0);
	assert_int_equal(dax_to_pfn(e), P(1));
	assert_int_equal(dax_to_pfn(dax_load_entry(&map, 1)), P(1));

	/* shared extent, write (T61): unmap even a real entry, replace, DIRTY|TOWRITE */
	nr_unmaps = 0;
	e = fault_in(1, 0, P(200), 0, DAX_INSERT_WRITE | DAX_INSERT_SHARED);
	assert_int_equal(dax_to_pfn(e), P(200));
	assert_unmap(0, 1, 1);
	assert_int_equal(dax_entry_tags(&map, 1), DAX_TAG_DIRTY | DAX_TAG_TOWRITE);
	assert_int_equal(nr_assoc_shared, 1);

	/* PMD ZERO -> real PMD (T40): unmap the whole range, one slot, same span */
	nr_unmaps = 0;
	fault_in(0x205, 9, P(512), DAX_PMD | DAX_ZERO_PAGE, 0);
	e = fault_in(0x205, 9, P(512), DAX_PMD, DAX_INSERT_WRITE);
	assert_unmap(0, 0x200, 512);
	assert_int_equal(e, dax_make_entry(P(512), DAX_PMD));
	assert_int_equal(map.nrpages, 3 + 512);
	assert_int_equal(dax_entry_tags(&map, 0x3ff), DAX_TAG_DIRTY);
}

/*
 * A write to a shared extent from a PTE fault inside a real PMD entry
 * (MODEL, see replace_slot()): the PMD range is unmapped, the PMD slot
 * gives way to a PTE slot, nrpages follows, invariant 6 holds.
 */
static void test_shared_pte_over_pmd(void **state)
{
	unsigned long e;

	(void)state;
	fault_in(0x200, 9, P(512), DAX_PMD, 0);
	assert_int_equal(grab_mapping_entry(&map, 0x209, 0, &e), 0);
	assert_true(dax_is_pmd_entry(e));
	e = dax_insert_entry(&map, 0x209, e, P(9), 0, DAX_INSERT_WRITE | DAX_INSERT_SHARED);
	assert_int_equal(e, dax_make_entry(P(9), 0));
	assert_unmap(0, 0x200, 512);
	assert_int_equal(map.nrpages, 1);
	assert_int_equal(map.nr_slots, 1);
	assert_int_equal(dax_load_entry(&map, 0x209), e | DAX_LOCKED);
	assert_int_equal(dax_entry_tags(&map, 0x209), DAX_TAG_DIRTY | DAX_TAG_TOWRITE);
	assert_int_equal(dax_check_mapping(&map, stderr), 0);
	dax_unlock_entry(&map, 0x209, e);
}

/*
 * fsync: DIRTY entries in range are written back once (their mappings
 * write-protected through the ops, T53's "after writeback cleaned it"),
 * then are clean; entries outside the range keep their tags.
 *
 *   index: 1 (dirty)  2 (clean)  0x200-0x3ff PMD (dirty) | 0x400 (dirty, outside)
 */
static void test_writeback(void **state)
{
	(void)state;
	fault_in(1, 0, P(1), 0, DAX_INSERT_WRITE);
	fault_in(2, 0, P(2), 0, 0);
	fault_in(0x200, 9, P(512), DAX_PMD, DAX_INSERT_WRITE | DAX_INSERT_SHARED);
	fault_in(0x400, 0, P(4), 0, DAX_INSERT_WRITE);
	assert_int_equal(dax_writeback_mapping_range(&map, 0, 0x3ff), 2);
	assert_int_equal(nr_mkclean, 2);
	assert_int_equal(mkcleaned[0], 1);
	assert_int_equal(mkcleaned[1], 0x200);
	assert_int_equal(dax_entry_tags(&map, 1), 0);
	assert_int_equal(dax_entry_tags(&map, 0x3ff), 0);
	assert_int_equal(dax_entry_tags(&map, 0x400), DAX_TAG_DIRTY);
	assert_false(dax_is_locked(dax_load_entry(&map, 0x200)));
	assert_int_equal(dax_writeback_mapping_range(&map, 0, 0x3ff), 0);	/* clean now */
	/* a range that starts inside the PMD entry writes it back too */
	fault_in(0x200, 9, P(512), DAX_PMD, DAX_INSERT_WRITE);
	assert_int_equal(dax_writeback_mapping_range(&map, 0x300, 0x300), 1);
	assert_int_equal(mkcleaned[2], 0x300);
	assert_int_equal(dax_writeback_mapping_range(&map, 0, ~0ul), 1);	/* 0x400 */
	assert_int_equal(nr_mkclean, 4);
}

/* ------------------------------------------------- deletion, R56, OOM */

static void test_delete(void **state)
{
	(void)state;
	fault_in(1, 0, P(1), 0, DAX_INSERT_WRITE);		/* dirty */
	fault_in(2, 0, P(2), 0, 0);				/* clean */
	fault_in(0x200, 9, P(512), DAX_PMD, 0);
	assert_int_equal(map.nrpages, 514);

	assert_int_equal(dax_invalidate_mapping_entry_sync(&map, 1), 0);	/* dirty: kept */
	assert_int_equal(dax_invalidate_mapping_entry_sync(&map, 2), 1);
	assert_int_equal(dax_delete_mapping_entry(&map, 1), 1);		/* truncate: even dirty */
	assert_int_equal(dax_delete_mapping_entry(&map, 1), 0);
	assert_int_equal(map.nrpages, 512);
	/* any index of a PMD entry deletes it */
	assert_int_equal(dax_delete_mapping_entry(&map, 0x3f0), 1);
	assert_int_equal(map.nrpages, 0);
	assert_int_equal(map.nr_slots, 0);

	/* truncate_inode_pages_range: a PMD entry that starts before @start goes too */
	fault_in(0x200, 9, P(512), DAX_PMD, 0);
	fault_in(0x400, 0, P(0), 0, 0);
	fault_in(0x401, 0, P(1), 0, 0);
	fault_in(0x500, 0, P(2), 0, 0);
	assert_int_equal(dax_delete_mapping_range(&map, 0x300, 0x401), 3);
	assert_int_equal(map.nrpages, 1);
	assert_int_equal(map.slots[0].index, 0x500);
}

static void test_mkwrite_relookup(void **state)
{
	unsigned long e;

	(void)state;
	assert_int_equal(dax_lock_entry_for_mkwrite(&map, 7, 0, &e), VM_FAULT_NOPAGE);	/* gone */
	fault_in(0x200, 9, P(512), DAX_PMD, DAX_INSERT_WRITE | DAX_INSERT_SYNC);
	/* T52 (c): an order-0 insert that finds a PMD entry maps nothing */
	assert_int_equal(dax_lock_entry_for_mkwrite(&map, 0x201, 0, &e), VM_FAULT_NOPAGE);
	assert_int_equal(dax_entry_tags(&map, 0x200), 0);
	assert_int_equal(dax_lock_entry_for_mkwrite(&map, 0x201, 9, &e), 0);
	assert_int_equal(dax_entry_tags(&map, 0x200), DAX_TAG_DIRTY);
	assert_true(dax_is_locked(dax_load_entry(&map, 0x200)));
	dax_unlock_entry(&map, 0x201, e);
	fault_in(7, 0, P(7), 0, DAX_INSERT_WRITE | DAX_INSERT_SYNC);
	assert_int_equal(dax_lock_entry_for_mkwrite(&map, 7, 0, &e), 0);
	assert_int_equal(dax_entry_tags(&map, 7), DAX_TAG_DIRTY);
	dax_unlock_entry(&map, 7, e);
}

static void test_inject_oom(void **state)
{
	unsigned long e;

	(void)state;
	fault_in(1, 0, P(1), 0, 0);
	dax_entry_inject(1);
	assert_int_equal(grab_mapping_entry(&map, 2, 0, &e), VM_FAULT_OOM);
	assert_int_equal(map.nrpages, 1);
	assert_int_equal(grab_mapping_entry(&map, 1, 0, &e), 0);	/* existing: no allocation */
	dax_unlock_entry(&map, 1, e);
	assert_int_equal(grab_mapping_entry(&map, 2, 0, &e), 0);
	dax_unlock_entry(&map, 2, e);
	assert_int_equal(map.nrpages, 2);
}

/* ------------------------------------------------- locking and waking */

struct waiter {
	pthread_t thread;
	unsigned long index, entry;
	unsigned int order;
	vm_fault_t ret;
	atomic_t done;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = grab_mapping_entry(&map, w->index, w->order, &w->entry);
	atomic_set(&w->done, 1);
	return NULL;
}

/* Start a thread that grabs @index and wait until it sleeps on the entry's queue. */
static void start_waiter(struct waiter *w, unsigned long index, unsigned int order)
{
	memset(w, 0, sizeof(*w));
	w->index = index;
	w->order = order;
	assert_int_equal(pthread_create(&w->thread, NULL, waiter_fn, w), 0);
	while (dax_entry_waiters(&map, index) == 0)
		usleep(100);
	usleep(1000);
	assert_int_equal(atomic_read(&w->done), 0);	/* still asleep */
}

static void test_wait_and_wake(void **state)
{
	struct waiter w;
	unsigned long e;

	(void)state;
	/* a PTE entry: B waits until A unlocks, then owns it */
	assert_int_equal(grab_mapping_entry(&map, 9, 0, &e), 0);
	start_waiter(&w, 9, 0);
	dax_unlock_entry(&map, 9, e);
	pthread_join(w.thread, NULL);
	assert_int_equal(w.ret, 0);
	assert_int_equal(w.entry, DAX_EMPTY);
	assert_true(dax_is_locked(dax_load_entry(&map, 9)));
	dax_unlock_entry(&map, 9, w.entry);

	/* R42: a PTE fault at b+7 waits on the locked PMD entry's key (b) */
	assert_int_equal(grab_mapping_entry(&map, 0x200, 9, &e), 0);
	e = dax_insert_entry(&map, 0x200, e, P(512), DAX_PMD, 0);
	start_waiter(&w, 0x207, 0);
	assert_int_equal(dax_entry_waiters(&map, 0x200), 1);	/* the same queue */
	dax_unlock_entry(&map, 0x200, e);
	pthread_join(w.thread, NULL);
	assert_int_equal(w.ret, 0);
	assert_int_equal(w.entry, dax_make_entry(P(512), DAX_PMD));	/* kept, real */
	dax_unlock_entry(&map, 0x207, w.entry);

	/* a waiter on a PMD ZERO entry that wakes up downgrades it (T36 legacy/T41) */
	assert_int_equal(dax_delete_mapping_entry(&map, 0x200), 1);
	assert_int_equal(grab_mapping_entry(&map, 0x200, 9, &e), 0);
	e = dax_insert_entry(&map, 0x200, e, P(512), DAX_PMD | DAX_ZERO_PAGE, 0);
	start_waiter(&w, 0x3ff, 0);
	dax_unlock_entry(&map, 0x200, e);
	pthread_join(w.thread, NULL);
	assert_int_equal(w.ret, 0);
	assert_int_equal(w.entry, DAX_EMPTY);
	assert_int_equal(map.nrpages, 2);			/* index 9 and 0x3ff */
	dax_unlock_entry(&map, 0x3ff, w.entry);

	/* a PMD fault never waits for a locked PTE entry: it falls back at once */
	assert_int_equal(grab_mapping_entry(&map, 0x3ff, 0, &e), 0);
	assert_int_equal(grab_mapping_entry(&map, 0x200, 9, &e), VM_FAULT_FALLBACK);
	dax_unlock_entry(&map, 0x3ff, DAX_EMPTY);
}

/* Truncate waits for a locked entry, then deletes it. */
struct deleter {
	pthread_t thread;
	unsigned long index;
	int ret;
	atomic_t done;
};

static void *deleter_fn(void *arg)
{
	struct deleter *d = arg;

	d->ret = dax_delete_mapping_entry(&map, d->index);
	atomic_set(&d->done, 1);
	return NULL;
}

static void test_delete_waits(void **state)
{
	struct deleter d = { .index = 4 };
	unsigned long e;

	(void)state;
	assert_int_equal(grab_mapping_entry(&map, 4, 0, &e), 0);
	assert_int_equal(pthread_create(&d.thread, NULL, deleter_fn, &d), 0);
	while (dax_entry_waiters(&map, 4) == 0)
		usleep(100);
	assert_int_equal(atomic_read(&d.done), 0);
	assert_int_equal(map.nrpages, 1);
	dax_unlock_entry(&map, 4, e);
	pthread_join(d.thread, NULL);
	assert_int_equal(d.ret, 1);
	assert_int_equal(map.nrpages, 0);
}

/* ---------------------------------------------------- invariant 6 */

static char *check_text(int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	*rc = dax_check_mapping(&map, out);
	fclose(out);
	return text;
}

static void test_invariant6(void **state)
{
	char *text;
	int rc;

	(void)state;
	fault_in(0x200, 9, P(512), DAX_PMD, 0);
	fault_in(0x400, 0, P(0), 0, 0);
	text = check_text(&rc);
	assert_int_equal(rc, 0);
	assert_string_equal(text, "");
	free(text);

	/* a PTE entry inside the PMD entry's range, and nrpages now short by one */
	assert_int_equal(dax_debug_store_entry(&map, 0x205, dax_make_entry(P(5), 0)), 0);
	text = check_text(&rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(text, "PTE entry at 0x205 inside the PMD entry at 0x200-0x3ff"));
	assert_non_null(strstr(text, "nrpages 513, but the entries cover 514 indices"));
	assert_non_null(strstr(text, "invariant broken: DAX entries (6): 2 violations in daxf"));
	free(text);
	assert_int_equal(dax_delete_mapping_entry(&map, 0x205), 1);	/* finds the PTE one */
	map.nrpages++;							/* undo the -1 */
	text = check_text(&rc);
	assert_int_equal(rc, 0);
	free(text);

	/* an unaligned PMD entry and an EMPTY entry with a pfn */
	assert_int_equal(dax_debug_store_entry(&map, 0x601, dax_make_entry(0, DAX_PMD | DAX_EMPTY)), 0);
	assert_int_equal(dax_debug_store_entry(&map, 0x900, dax_make_entry(3, DAX_EMPTY)), 0);
	map.nrpages += 513;
	text = check_text(&rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(text, "PMD entry at unaligned index 0x601"));
	assert_non_null(strstr(text, "EMPTY entry at 0x900 with pfn 0x3"));
	free(text);
	dax_mapping_destroy(&map);	/* entry_down checks the mapping again */
}

/* ------------------------------------------------------ show-entries */

static char *show_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_int_equal(dax_show_entries(&map, out, NULL, NULL), 0);
	fclose(out);
	return text;
}

static void test_show_entries(void **state)
{
	unsigned long e;
	char *text;

	(void)state;
	assert_true(get_huge_zero_folio());
	fault_in(0x0, 9, machine.huge_zero_pfn, DAX_PMD | DAX_ZERO_PAGE, 0);
	fault_in(0x200, 0, P(0), 0, DAX_INSERT_WRITE);
	fault_in(0x201, 0, P(1), 0, 0);
	fault_in(0x202, 0, machine.zero_pfn, DAX_ZERO_PAGE, 0);
	fault_in(0x400, 9, P(512), DAX_PMD, DAX_INSERT_WRITE | DAX_INSERT_SHARED);
	fault_in(0x600, 0, P(512 + 5), 0, 0);		/* a frame inside the PMD's run */
	assert_int_equal(grab_mapping_entry(&map, 0x203, 0, &e), 0);
	text = show_text();
	assert_string_equal(text,
		"entry daxf:0x0-0x1ff pmd zero\n"
		"entry daxf:0x200 pte pfn=P0 dirty\n"
		"entry daxf:0x201 pte pfn=P1\n"
		"entry daxf:0x202 pte zero\n"
		"entry daxf:0x203 pte empty locked\n"
		"entry daxf:0x400-0x5ff pmd pfn=P2 dirty towrite\n"
		"entry daxf:0x600 pte pfn=P7\n"
		"entries daxf count=7 nrpages=1029\n");
	free(text);
	dax_unlock_entry(&map, 0x203, e);
	put_huge_zero_folio();
}

/*
 * One thread, random faults of both sizes, fills, writebacks and
 * truncates over two PMD ranges, with R43's rules and invariant 6
 * checked after every step (seeded; FL_TEST_SEED to replay).
 */
static void test_random_rules(void **state)
{
	uint64_t seed = test_seed("dax entry random", 0xe17e5ull);
	unsigned long steps = test_scale(20000);

	(void)state;
	for (unsigned long n = 0; n < steps; n++) {
		unsigned long index = rng_below(&seed, 1024), e, before = dax_load_entry(&map, index);
		unsigned int order = rng_below(&seed, 2) ? PMD_ORDER : 0;
		unsigned long flags = order ? DAX_PMD : 0;
		vm_fault_t ret;

		switch (rng_below(&seed, 6)) {
		case 0:
			dax_delete_mapping_entry(&map, index);
			assert_int_equal(dax_load_entry(&map, index), 0);
			break;
		case 1:
			dax_writeback_mapping_range(&map, index, index + rng_below(&seed, 600));
			break;
		default:
			ret = grab_mapping_entry(&map, index, order, &e);
			if (ret) {
				/* R43: only a PMD request over PTE entries falls back */
				assert_int_equal(ret, VM_FAULT_FALLBACK);
				assert_int_equal(order, PMD_ORDER);
				assert_false(before && dax_is_pmd_entry(before));
				break;
			}
			if (order)
				assert_true(dax_is_pmd_entry(e));
			else if (dax_is_pmd_entry(e))	/* only a real PMD entry survives */
				assert_true(dax_is_real_entry(e) && before == e);
			if (rng_below(&seed, 2))
				e = dax_insert_entry(&map, index, e, rng_below(&seed, 2) ? machine.zero_pfn :
						     P(index & ~(unsigned long)PG_PMD_COLOUR),
						     dax_is_pmd_entry(e) ? DAX_PMD : flags,
						     (unsigned int)rng_below(&seed, 8));
			dax_unlock_entry(&map, index, e);
		}
		if (dax_check_mapping(&map, stderr))
			fail_msg("step %lu broke invariant 6", n);
	}
}

/* ------------------------------------------------------------- stress */

#define STRESS_THREADS	4
#define STRESS_RANGE	2048	/* four PMD ranges */

struct stresser {
	pthread_t thread;
	uint64_t seed;
	unsigned long ops;
};

/* One fault's life: grab, maybe fill, unlock; or a truncate of one index. */
static void stress_one(uint64_t *seed)
{
	unsigned long index = rng_below(seed, STRESS_RANGE), e;
	unsigned int order = rng_below(seed, 3) ? 0 : PMD_ORDER;
	unsigned long pmd = order ? DAX_PMD : 0;
	vm_fault_t ret;

	if (rng_below(seed, 5) == 0) {
		dax_delete_mapping_entry(&map, index);
		return;
	}
	ret = grab_mapping_entry(&map, index, order, &e);
	if (ret) {
		assert_int_equal(ret, VM_FAULT_FALLBACK);
		assert_int_equal(order, PMD_ORDER);
		return;
	}
	assert_false(dax_is_locked(e));
	if (rng_below(seed, 4) == 0)
		sched_yield();		/* hold the entry a while: others wait on it */
	switch (rng_below(seed, 3)) {
	case 0:
		e = dax_insert_entry(&map, index, e, machine.zero_pfn, pmd | DAX_ZERO_PAGE, 0);
		break;
	case 1:
		e = dax_insert_entry(&map, index, e, P(index & ~(unsigned long)PG_PMD_COLOUR), pmd,
				     DAX_INSERT_WRITE);
		break;
	default:
		break;
	}
	dax_unlock_entry(&map, index, e);
}

static void *stress_fn(void *arg)
{
	struct stresser *s = arg;

	for (unsigned long n = 0; n < s->ops; n++)
		stress_one(&s->seed);
	return NULL;
}

/*
 * Four threads fault, fill and truncate random indices of four PMD ranges
 * with every mix of PMD and PTE requests: nothing deadlocks, nobody sees a
 * locked entry as its own, and afterwards nothing is locked and invariant
 * 6 holds.
 */
static void test_stress_threads(void **state)
{
	struct stresser st[STRESS_THREADS];
	uint64_t seed = test_seed("dax entry stress", 0xdae17ull);

	(void)state;
	map.ops = NULL;		/* no user mappings to unmap */
	for (int i = 0; i < STRESS_THREADS; i++) {
		st[i].seed = seed + (uint64_t)i * 0x9e3779b97f4a7c15ull;
		st[i].ops = test_scale(20000);
		assert_int_equal(pthread_create(&st[i].thread, NULL, stress_fn, &st[i]), 0);
	}
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(st[i].thread, NULL);
	assert_int_equal(dax_check_mapping(&map, stderr), 0);
	for (unsigned long i = 0; i < map.nr_slots; i++)
		assert_false(dax_is_locked(map.slots[i].entry));
	assert_int_equal(fl_bug_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test_setup_teardown(test_grab_new, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_pmd_conflict, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_downgrade_zero, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_downgrade_empty, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_pte_in_real_pmd, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_insert_entry, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_shared_pte_over_pmd, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_writeback, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_delete, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_mkwrite_relookup, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_inject_oom, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_wait_and_wake, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_delete_waits, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_invariant6, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_show_entries, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_random_rules, entry_up, entry_down),
		cmocka_unit_test_setup_teardown(test_stress_threads, entry_up, entry_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
