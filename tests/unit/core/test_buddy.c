// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_buddy.c - the buddy allocator of src/phys/buddy.c.
 *
 * Every frame the model uses (folios, page tables, the zero pages) comes
 * from here, and the leak checks of SPEC.md section 6 (invariants 5 and 10:
 * "every frame is free again") are only as good as its accounting.  The
 * tests state the buddy algorithm's contract in terms of free_area[] and
 * nr_free_pages:
 *
 *  - split: a request is served from the smallest order that has a block;
 *    a larger block is split, the lowest part is returned and the upper
 *    halves go back one per order (Linux's expand());
 *  - merge: a freed block merges with its buddy (pfn ^ (1 << order)) while
 *    that buddy is free and of the same order, and never with a neighbour
 *    that is not its buddy;
 *  - every block is aligned to its order, __GFP_ZERO really zeroes (and
 *    without it the old bytes are still there: the control), exhaustion
 *    returns NULL without losing a page, fragmentation refuses large orders
 *    although pages are free;
 *  - fault injection: inject_folio and inject_pgtable each fail exactly the
 *    number of allocations of their kind they are set to.
 *
 * The machine has 64 MiB = 16384 frames = 16 blocks of MAX_PAGE_ORDER (10).
 * phys_init() takes the shared zero page out of the allocator, which splits
 * one max-order block, so a fresh machine looks like this:
 *
 *   order:     0  1  2  3  4  5  6  7  8  9  10
 *   nr_free:   1  1  1  1  1  1  1  1  1  1  15      nr_free_pages = 16383
 *
 * A randomized run of 100000 operations (seed printed, $FL_TEST_SEED to
 * replay, $FL_TEST_LONG=1 for a soak run) checks the partition of RAM into
 * free blocks, live blocks and the zero page every 1000 operations.
 */
#include <string.h>

#include "core_test.h"

#define NR_ORDERS (MAX_PAGE_ORDER + 1)

static unsigned long initial_free;
static unsigned long initial_area[NR_ORDERS];

static int buddy_setup(void **state)
{
	if (machine_up(state))
		return -1;
	initial_free = nr_free_pages();
	for (int o = 0; o < NR_ORDERS; o++)
		initial_area[o] = machine.free_area[o].nr_free;
	return 0;
}

static void assert_area(const unsigned long want[NR_ORDERS])
{
	for (int o = 0; o < NR_ORDERS; o++)
		if (machine.free_area[o].nr_free != want[o])
			fail_msg("free_area[%d].nr_free = %lu, want %lu", o,
				 machine.free_area[o].nr_free, want[o]);
}

/*
 * Walk every free list: the links are consistent, every block is marked
 * PG_buddy with its order in page->private, aligned to its order; the list
 * lengths are nr_free and the pages add up to nr_free_pages.
 */
static void assert_free_lists_consistent(void)
{
	unsigned long pages = 0;

	for (int o = 0; o < NR_ORDERS; o++) {
		unsigned long n = 0;
		struct page *prev = NULL;

		for (struct page *p = machine.free_area[o].head; p; p = p->lru.next) {
			unsigned long pfn = page_to_pfn(p);

			if (p->lru.prev != prev)
				fail_msg("free_area[%d]: pfn %#lx has a bad prev link", o, pfn);
			if (!test_page_flag(p, PG_buddy) || p->private != (unsigned long)o)
				fail_msg("free_area[%d]: pfn %#lx not marked a free block of its order",
					 o, pfn);
			if (pfn & ((1ul << o) - 1))
				fail_msg("free_area[%d]: pfn %#lx is not aligned", o, pfn);
			prev = p;
			n++;
			pages += 1ul << o;
		}
		if (n != machine.free_area[o].nr_free)
			fail_msg("free_area[%d]: %lu blocks on the list, nr_free %lu", o, n,
				 machine.free_area[o].nr_free);
	}
	assert_int_equal(pages, nr_free_pages());
}

/* ------------------------------------------------------------------ */

static void test_fresh_machine(void **state)
{
	const unsigned long want[NR_ORDERS] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 15 };
	struct page *zero = pfn_to_page(machine.zero_pfn);

	(void)state;
	assert_int_equal(machine.ram_pages, TEST_RAM_PAGES);
	assert_int_equal(nr_free_pages(), TEST_RAM_PAGES - 1);	/* the zero page */
	assert_area(want);
	assert_free_lists_consistent();
	assert_true(test_page_flag(zero, PG_zero));
	assert_true(test_page_flag(zero, PG_reserved));
	assert_false(test_page_flag(zero, PG_buddy));
	assert_int_equal(atomic_read(&zero->_refcount), 1);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (((uint8_t *)pfn_to_virt(machine.zero_pfn))[i])
			fail_msg("zero page byte %zu is not 0", i);
}

/*
 * Take the one free block of each order 0..9 (none of these allocations
 * may split anything), leaving only the 15 max-order blocks.
 */
static void drain_small_orders(struct page *held[MAX_PAGE_ORDER])
{
	const unsigned long want[NR_ORDERS] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15 };

	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++) {
		held[o] = alloc_pages(0, o);
		assert_non_null(held[o]);
		assert_int_equal(machine.free_area[o].nr_free, 0);
		assert_int_equal(machine.free_area[MAX_PAGE_ORDER].nr_free, 15);
	}
	assert_area(want);
	assert_int_equal(nr_free_pages(), 15ul << MAX_PAGE_ORDER);
}

static void undrain_small_orders(struct page *held[MAX_PAGE_ORDER])
{
	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++)
		__free_pages(held[o], o);
	assert_area(initial_area);
	assert_int_equal(nr_free_pages(), initial_free);
}

/*
 * Split.  Only max-order blocks are free:
 *
 *   order:     0  1  2 ... 9  10
 *   nr_free:   0  0  0 ... 0  15
 *
 * An order-0 request splits one max-order block at B: B is returned, and
 * B+1 (order 0), B+2 (order 1), B+4 (order 2) ... B+512 (order 9) go back.
 *
 *   nr_free:   1  1  1 ... 1  14        nr_free_pages: exactly 1 less
 */
static void test_split(void **state)
{
	struct page *held[MAX_PAGE_ORDER];
	const unsigned long split[NR_ORDERS] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 14 };
	const unsigned long whole[NR_ORDERS] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15 };
	unsigned long before, base;
	struct page *page;

	(void)state;
	drain_small_orders(held);
	before = nr_free_pages();

	page = alloc_pages(0, 0);
	assert_non_null(page);
	base = page_to_pfn(page);
	assert_int_equal(nr_free_pages(), before - 1);
	assert_area(split);
	assert_int_equal(base & ((1ul << MAX_PAGE_ORDER) - 1), 0);	/* the lowest page */
	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++)
		assert_int_equal(page_to_pfn(machine.free_area[o].head), base + (1ul << o));
	assert_free_lists_consistent();
	assert_false(test_page_flag(page, PG_buddy));
	assert_int_equal(atomic_read(&page->_refcount), 1);
	assert_int_equal(atomic_read(&page->_mapcount), -1);

	/* Freeing it merges all the way back up: one max-order block again. */
	__free_pages(page, 0);
	assert_int_equal(nr_free_pages(), before);
	assert_area(whole);
	assert_free_lists_consistent();

	undrain_small_orders(held);
}

/*
 * Merge.  After the split above, A = B and then C = B+1 are allocated:
 *
 *   B: [A][C][ o1 ][   o2   ] ...          free_area[0] = 0
 *
 * Freeing C cannot merge (its buddy A is in use): free_area[0] = 1.
 * Freeing A merges A+C into order 1, then with B+2 (order 1) into order 2,
 * ... up to order 10: all of orders 0..9 are empty again.
 */
static void test_merge_with_buddy(void **state)
{
	struct page *held[MAX_PAGE_ORDER];
	const unsigned long two_used[NR_ORDERS] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 14 };
	const unsigned long c_freed[NR_ORDERS] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 14 };
	const unsigned long whole[NR_ORDERS] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15 };
	struct page *a, *c;

	(void)state;
	drain_small_orders(held);
	a = alloc_pages(0, 0);
	c = alloc_pages(0, 0);
	assert_non_null(a);
	assert_non_null(c);
	assert_int_equal(page_to_pfn(c), page_to_pfn(a) ^ 1);	/* buddies */
	assert_area(two_used);

	__free_pages(c, 0);
	assert_area(c_freed);
	assert_true(test_page_flag(c, PG_buddy));

	__free_pages(a, 0);
	assert_area(whole);
	assert_false(test_page_flag(c, PG_buddy));	/* absorbed into the big block */
	assert_true(test_page_flag(a, PG_buddy));
	assert_int_equal(a->private, MAX_PAGE_ORDER);
	assert_free_lists_consistent();

	undrain_small_orders(held);
}

/*
 * Neighbours that are not buddies never merge.  With B..B+3 allocated:
 *
 *   [B][B+1][B+2][B+3]     free B+1 and B+2: adjacent, but B+1's buddy is B
 *                          and B+2's is B+3, so they stay two order-0 blocks.
 */
static void test_no_merge_with_non_buddy(void **state)
{
	struct page *held[MAX_PAGE_ORDER];
	struct page *p[4];
	unsigned long area0;

	(void)state;
	drain_small_orders(held);
	for (int i = 0; i < 4; i++) {
		p[i] = alloc_pages(0, 0);
		assert_non_null(p[i]);
	}
	for (int i = 1; i < 4; i++)
		assert_int_equal(page_to_pfn(p[i]), page_to_pfn(p[0]) + (unsigned long)i);
	area0 = machine.free_area[0].nr_free;
	assert_int_equal(machine.free_area[1].nr_free, 0);

	__free_pages(p[1], 0);
	__free_pages(p[2], 0);
	assert_int_equal(machine.free_area[0].nr_free, area0 + 2);
	assert_int_equal(machine.free_area[1].nr_free, 0);

	/* Their buddies come back: each pair merges, and then everything. */
	__free_pages(p[0], 0);
	__free_pages(p[3], 0);
	assert_int_equal(machine.free_area[0].nr_free, 0);
	assert_int_equal(machine.free_area[MAX_PAGE_ORDER].nr_free, 15);
	assert_free_lists_consistent();
	undrain_small_orders(held);
}

/* Every block is aligned to its order and comes out as a fresh page run. */
static void test_alignment_and_fresh_state(void **state)
{
	struct page *blocks[NR_ORDERS][3];

	(void)state;
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++) {
		for (int i = 0; i < 3; i++) {
			struct page *p = alloc_pages(0, o);
			unsigned long pfn;

			assert_non_null(p);
			blocks[o][i] = p;
			pfn = page_to_pfn(p);
			if (pfn & ((1ul << o) - 1))
				fail_msg("order-%u block at pfn %#lx is not aligned", o, pfn);
			for (unsigned long k = 0; k < (1ul << o); k++) {
				assert_false(test_page_flag(p + k, PG_buddy));
				assert_int_equal(atomic_read(&p[k]._mapcount), -1);
				assert_int_equal(atomic_read(&p[k]._refcount), k ? 0 : 1);
			}
		}
	}
	assert_free_lists_consistent();
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++)
		for (int i = 0; i < 3; i++)
			__free_pages(blocks[o][i], o);
	assert_area(initial_area);
	assert_int_equal(nr_free_pages(), initial_free);
}

static bool all_bytes(const void *p, size_t len, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != v)
			return false;
	return true;
}

/*
 * __GFP_ZERO.  A block is filled with garbage and freed; the allocator is
 * LIFO, so the next request of that order gets the same block back.
 * Without __GFP_ZERO the garbage is still there (so this test can tell);
 * with it, every byte is 0.
 */
static void test_gfp_zero(void **state)
{
	static const unsigned int orders[] = { 0, 3, MAX_PAGE_ORDER };

	(void)state;
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		unsigned int o = orders[i];
		size_t len = PAGE_SIZE << o;
		struct page *p = alloc_pages(0, o), *q;
		unsigned long pfn;

		assert_non_null(p);
		pfn = page_to_pfn(p);
		memset(page_address(p), 0xa5, len);
		__free_pages(p, o);

		q = alloc_pages(0, o);
		assert_int_equal(page_to_pfn(q), pfn);
		assert_true(all_bytes(page_address(q), len, 0xa5));	/* the control */
		__free_pages(q, o);

		q = alloc_pages(__GFP_ZERO, o);
		assert_int_equal(page_to_pfn(q), pfn);
		assert_true(all_bytes(page_address(q), len, 0));
		__free_pages(q, o);
	}
	assert_area(initial_area);
}

/*
 * Exhaustion: order-0 allocations succeed exactly nr_free_pages times, then
 * every order fails; freeing everything restores the fresh layout.
 */
static void test_exhaustion(void **state)
{
	struct page **pages = calloc(TEST_RAM_PAGES, sizeof(*pages));
	unsigned long n = 0;

	(void)state;
	assert_non_null(pages);
	while ((pages[n] = alloc_pages(0, 0)) != NULL) {
		n++;
		assert_true(n <= TEST_RAM_PAGES);
	}
	assert_int_equal(n, initial_free);
	assert_int_equal(nr_free_pages(), 0);
	for (unsigned int o = 0; o <= MAX_PAGE_ORDER; o++) {
		assert_null(alloc_pages(0, o));
		assert_null(alloc_pages(__GFP_ZERO, o));
		assert_int_equal(machine.free_area[o].nr_free, 0);
	}
	assert_null(folio_alloc(0, 0));
	assert_int_equal(atomic_long_read(&machine.folios_allocated), 0);

	for (unsigned long i = 0; i < n; i++)
		__free_pages(pages[i], 0);
	assert_int_equal(nr_free_pages(), initial_free);
	assert_area(initial_area);
	assert_free_lists_consistent();
	free(pages);
}

/*
 * Fragmentation: with every other frame in use, half of RAM is free but
 * not one order-1 block exists, so an order-1 request fails.
 */
static void test_fragmentation(void **state)
{
	struct page **pages = calloc(TEST_RAM_PAGES, sizeof(*pages));
	unsigned long n = 0, freed = 0;

	(void)state;
	assert_non_null(pages);
	while ((pages[n] = alloc_pages(0, 0)) != NULL)
		n++;
	for (unsigned long i = 0; i < n; i++) {
		if (page_to_pfn(pages[i]) & 1) {
			__free_pages(pages[i], 0);
			pages[i] = NULL;
			freed++;
		}
	}
	assert_int_equal(nr_free_pages(), freed);
	assert_int_equal(machine.free_area[0].nr_free, freed);
	for (unsigned int o = 1; o <= MAX_PAGE_ORDER; o++) {
		assert_int_equal(machine.free_area[o].nr_free, 0);
		assert_null(alloc_pages(0, o));
	}
	assert_int_equal(nr_free_pages(), freed);
	for (unsigned long i = 0; i < n; i++)
		if (pages[i])
			__free_pages(pages[i], 0);
	assert_area(initial_area);
	assert_int_equal(nr_free_pages(), initial_free);
	free(pages);
}

/*
 * Bad orders and fault injection: an order above MAX_PAGE_ORDER fails
 * without touching anything; inject_folio = N fails the next N non-table
 * allocations, inject_pgtable = N the next N __GFP_PGTABLE ones, and
 * neither switch touches the other kind.
 */
/*
 * A PUD-order (1 GiB) block, the one order above MAX_PAGE_ORDER: carved out
 * of 256 free max-order blocks of an aligned GiB, given back as them.  On
 * 2 GiB of RAM only the lower GiB is wholly free (the allocator hands out
 * the top first), so a second one fails without disturbing anything.
 */
static void test_gigantic(void **state)
{
	struct fl_config cfg;
	unsigned long before, nr = 1ul << HPAGE_PUD_ORDER;
	struct page *p;

	(void)state;
	assert_int_equal(machine_down(NULL), 0);
	test_config(&cfg);
	cfg.ram = 2ull << 30;
	assert_int_equal(machine_up_with(&cfg), 0);
	before = nr_free_pages();
	p = alloc_pages(0, HPAGE_PUD_ORDER);
	assert_non_null(p);
	assert_int_equal(page_to_pfn(p) & (nr - 1), 0);
	assert_int_equal(nr_free_pages(), before - nr);
	for (unsigned long k = 0; k < nr; k += 4099)
		assert_false(test_page_flag(p + k, PG_buddy));
	assert_free_lists_consistent();
	assert_null(alloc_pages(0, HPAGE_PUD_ORDER));
	assert_null(alloc_pages(0, HPAGE_PUD_ORDER - 1));	/* only the PUD order */
	assert_int_equal(nr_free_pages(), before - nr);
	__free_pages(p, HPAGE_PUD_ORDER);
	assert_int_equal(nr_free_pages(), before);
	assert_free_lists_consistent();
}

static void test_bad_order_and_injection(void **state)
{
	struct page *p;

	(void)state;
	assert_null(alloc_pages(0, MAX_PAGE_ORDER + 1));
	assert_null(folio_alloc(0, MAX_PAGE_ORDER + 1));
	assert_int_equal(nr_free_pages(), initial_free);

	atomic_set(&machine.inject_folio, 2);
	p = alloc_pages(__GFP_PGTABLE, 0);		/* a table: not affected */
	assert_non_null(p);
	__free_pages(p, 0);
	assert_int_equal(atomic_read(&machine.inject_folio), 2);
	assert_null(alloc_pages(0, 0));
	assert_null(folio_alloc(__GFP_ZERO, HPAGE_PMD_ORDER));
	assert_int_equal(atomic_read(&machine.inject_folio), 0);
	assert_int_equal(nr_free_pages(), initial_free);
	p = alloc_pages(0, 0);				/* the third one succeeds */
	assert_non_null(p);
	__free_pages(p, 0);

	atomic_set(&machine.inject_pgtable, 1);
	p = alloc_pages(0, 0);
	assert_non_null(p);
	__free_pages(p, 0);
	assert_null(alloc_pages(__GFP_PGTABLE | __GFP_ZERO, 0));
	p = alloc_pages(__GFP_PGTABLE, 0);
	assert_non_null(p);
	__free_pages(p, 0);
	assert_int_equal(atomic_read(&machine.inject_pgtable), 0);
	assert_area(initial_area);
	assert_int_equal(nr_free_pages(), initial_free);
}

/* ------------------------------------------------------------------ */
/* Randomized                                                          */
/* ------------------------------------------------------------------ */

struct block {
	struct page *page;
	unsigned int order;
};

enum { OWN_NONE, OWN_LIVE, OWN_FREE, OWN_ZERO };

/*
 * RAM is partitioned: every frame is in exactly one live block, one free
 * block, or is the zero page.  Live blocks never overlap each other or a
 * free block, and nr_free_pages + live pages == the fresh free count.
 */
static void assert_partition(const struct block *live, unsigned long nr_live,
			     unsigned long live_pages, uint8_t *owner, unsigned long op)
{
	memset(owner, OWN_NONE, TEST_RAM_PAGES);
	owner[machine.zero_pfn] = OWN_ZERO;
	for (unsigned long i = 0; i < nr_live; i++) {
		unsigned long pfn = page_to_pfn(live[i].page);

		for (unsigned long k = 0; k < (1ul << live[i].order); k++) {
			if (owner[pfn + k] != OWN_NONE)
				fail_msg("op %lu: live block %#lx/%u overlaps pfn %#lx (owner %d)",
					 op, pfn, live[i].order, pfn + k, owner[pfn + k]);
			owner[pfn + k] = OWN_LIVE;
		}
	}
	for (int o = 0; o < NR_ORDERS; o++) {
		for (struct page *p = machine.free_area[o].head; p; p = p->lru.next) {
			unsigned long pfn = page_to_pfn(p);

			for (unsigned long k = 0; k < (1ul << o); k++) {
				if (owner[pfn + k] != OWN_NONE)
					fail_msg("op %lu: free block %#lx/%d overlaps pfn %#lx (owner %d)",
						 op, pfn, o, pfn + k, owner[pfn + k]);
				owner[pfn + k] = OWN_FREE;
			}
		}
	}
	for (unsigned long pfn = 0; pfn < TEST_RAM_PAGES; pfn++)
		if (owner[pfn] == OWN_NONE)
			fail_msg("op %lu: pfn %#lx is neither free nor allocated (leaked)", op, pfn);
	if (nr_free_pages() + live_pages != initial_free)
		fail_msg("op %lu: nr_free_pages %lu + live %lu != %lu", op, nr_free_pages(),
			 live_pages, initial_free);
	assert_free_lists_consistent();
}

static void test_random_alloc_free(void **state)
{
	uint64_t seed = test_seed("test_random_alloc_free", 0xb0dd1e5eedull);
	unsigned long nr_ops = test_scale(100000);
	struct block *live = calloc(TEST_RAM_PAGES, sizeof(*live));
	uint8_t *owner = malloc(TEST_RAM_PAGES);
	unsigned long nr_live = 0, live_pages = 0, failures = 0, frees = 0;

	(void)state;
	assert_non_null(live);
	assert_non_null(owner);
	for (unsigned long op = 1; op <= nr_ops; op++) {
		if (!nr_live || rng_below(&seed, 100) < 55) {
			unsigned int order = (unsigned int)rng_below(&seed, NR_ORDERS);
			unsigned int gfp = rng_below(&seed, 16) ? 0 : __GFP_ZERO;
			struct page *p = alloc_pages(gfp, order);

			if (!p) {
				/* Only legitimate when no block of that order or above exists. */
				for (unsigned int o = order; o <= MAX_PAGE_ORDER; o++)
					if (machine.free_area[o].nr_free)
						fail_msg("op %lu: order-%u request failed with "
							 "free_area[%u] = %lu", op, order, o,
							 machine.free_area[o].nr_free);
				failures++;
			} else {
				if (page_to_pfn(p) & ((1ul << order) - 1))
					fail_msg("op %lu: order-%u block at %#lx is unaligned",
						 op, order, page_to_pfn(p));
				/* First and last page: a full scan would dominate the run. */
				if (gfp & __GFP_ZERO &&
				    (!all_bytes(page_address(p), PAGE_SIZE, 0) ||
				     !all_bytes(page_address(p + (1ul << order) - 1), PAGE_SIZE, 0)))
					fail_msg("op %lu: __GFP_ZERO block %#lx is not zero", op,
						 page_to_pfn(p));
				/* Dirty it, so that a later __GFP_ZERO has something to do. */
				memset(page_address(p), 0x5a, PAGE_SIZE);
				live[nr_live++] = (struct block){ p, order };
				live_pages += 1ul << order;
			}
		} else {
			unsigned long i = (unsigned long)rng_below(&seed, nr_live);

			__free_pages(live[i].page, live[i].order);
			live_pages -= 1ul << live[i].order;
			live[i] = live[--nr_live];
			frees++;
		}
		if (op % 1000 == 0)
			assert_partition(live, nr_live, live_pages, owner, op);
	}
	/* The run must have exercised both exhaustion and plenty of frees. */
	assert_true(failures > 0);
	assert_true(frees > nr_ops / 4);

	while (nr_live) {
		nr_live--;
		__free_pages(live[nr_live].page, live[nr_live].order);
	}
	assert_int_equal(nr_free_pages(), initial_free);
	assert_area(initial_area);		/* maximal blocks again */
	assert_partition(live, 0, 0, owner, nr_ops + 1);
	free(live);
	free(owner);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_machine, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_split, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_merge_with_buddy, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_no_merge_with_non_buddy, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_alignment_and_fresh_state, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_gfp_zero, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_exhaustion, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_fragmentation, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_gigantic, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_bad_order_and_injection, buddy_setup, machine_down),
		cmocka_unit_test_setup_teardown(test_random_alloc_free, buddy_setup, machine_down),
	};

	return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
