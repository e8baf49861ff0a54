// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_dax_folio.c - FS-DAX pages and their file (src/dax/folio.c):
 * association (R62 OLD, R65 NEW), folio (re)initialisation across orders
 * (T59, R65, R67; under SPEC R63's final put, fsdax_free_clears_mapping=on,
 * and as 6.18 has it, where the entry's removal unassociates the folio and
 * undoes its order), reflink share counts under the three V12 variants (T60,
 * R66), Dan's entry reference (V5=zero_based_entry_ref, R72) and
 * dax_busy_page() (R61, R68), and dax_layout_busy_page_range() (R69,
 * R70, V13: T56, T57).
 *
 * pmem frames R .. R+511 (R 512-aligned) serve as the block of the tests:
 *
 *   PMD entry at b:   [ R (head, order 9) | R+1 ... R+511 (tails) ]
 *   PTE entry at b+5:  R .. R+4, R+6 .. R+511 independent;  R+5 order 0
 */
#include "dax_test.h"

#include "dax/folio.h"

static struct dax_mapping ma, mb;

static unsigned long R(void)
{
	return machine.pmem_base_pfn + 1024;
}

static int up_cfg(int fsdax_refcount, int shared_accounting, bool clears_mapping)
{
	struct fl_config cfg;

	dax_test_config(&cfg);
	cfg.fsdax_refcount = fsdax_refcount;
	cfg.dax_shared_accounting = shared_accounting;
	cfg.fsdax_free_clears_mapping = clears_mapping;
	dax_mapping_init(&ma, "a", NULL, NULL);
	dax_mapping_init(&mb, "b", NULL, NULL);
	return dax_machine_up_with(&cfg);
}

static int up_with(int fsdax_refcount, int shared_accounting)
{
	return up_cfg(fsdax_refcount, shared_accounting, false);
}

static int up(void **state)
{
	(void)state;
	return up_with(FL_FSDAX_ZERO_BASED, FL_DAX_SHARED_DISTINCT_BIT);
}

/* SPEC R63 (S002 v1): the final put clears the folio's mapping. */
static int up_r63(void **state)
{
	(void)state;
	return up_cfg(FL_FSDAX_ZERO_BASED, FL_DAX_SHARED_DISTINCT_BIT, true);
}

static int down(void **state)
{
	dax_mapping_destroy(&ma);
	dax_mapping_destroy(&mb);
	return dax_machine_down(state);
}

/* Map and unmap once: R64's references, ending in the free path (R63). */
static void map_and_unmap(struct folio *f)
{
	folio_get(f);
	folio_put(f);
}

/*
 * T59 under SPEC R63 (fsdax_free_clears_mapping=on): an order-9 folio,
 * freed with its entry still there, then one of its pages as an order-0
 * folio: R65 dismantles the old compound at the re-creation.
 */
static void test_reinit_across_orders(void **state)
{
	unsigned long pmd = dax_make_entry(R(), DAX_PMD), pte = dax_make_entry(R() + 5, 0);
	struct folio *f;

	(void)state;
	dax_associate_new_entry(&ma, pmd, 0x2c0);
	f = page_folio(pfn_to_page(R() + 5));
	assert_ptr_equal(f, page_folio(pfn_to_page(R())));
	assert_int_equal(folio_order(f), 9);
	assert_ptr_equal(f->page.mapping, &ma);
	assert_int_equal(f->page.index, 0x200);		/* the entry's base index */
	assert_int_equal(folio_ref_count(f), 0);
	assert_int_equal(folio_entire_mapcount(f), 0);
	map_and_unmap(f);					/* truncate: ref 0, mapping cleared */
	assert_null(f->page.mapping);

	dax_associate_new_entry(&ma, pte, 0x205);
	for (unsigned long i = 0; i < 512; i++) {
		struct page *p = pfn_to_page(R() + i);

		assert_false(PageTail(p));
		assert_false(test_page_flag(p, PG_head));
		assert_ptr_equal(p->pgmap, pmem_pgmap());
		assert_int_equal(atomic_read(&p->_mapcount), -1);
		if (i != 5)
			assert_null(p->mapping);
	}
	f = page_folio(pfn_to_page(R() + 5));
	assert_ptr_equal(&f->page, pfn_to_page(R() + 5));
	assert_int_equal(folio_order(f), 0);
	assert_ptr_equal(f->page.mapping, &ma);
	assert_int_equal(f->page.index, 0x205);
	assert_int_equal(vm_event(VM_WARN), 0);

	/* control: a stray reference on the old folio is warned about */
	map_and_unmap(f);
	dax_associate_new_entry(&ma, pmd, 0x200);
	f = page_folio(pfn_to_page(R()));
	map_and_unmap(f);
	folio_get(f);
	dax_associate_new_entry(&ma, pte, 0x205);
	assert_int_equal(vm_event(VM_WARN), 1);
	/* the stray reference now sits on R, an order-0 folio of its own */
	assert_int_equal(folio_ref_count(page_folio(pfn_to_page(R()))), 1);
	folio_put(page_folio(pfn_to_page(R())));
	map_and_unmap(page_folio(pfn_to_page(R() + 5)));
}

/*
 * T59 as 6.18 has it: the final put leaves the folio associated, since its
 * entry still names it; a new entry over its pages warns (R67: the folio is
 * still somebody's).  The truncate's dax_folio_put() unassociates it and
 * undoes the order at once, so the next entry of another order is formed
 * from independent idle pages without a warning.
 */
static void test_reinit_after_entry_removal(void **state)
{
	unsigned long pmd = dax_make_entry(R(), DAX_PMD), pte = dax_make_entry(R() + 5, 0);
	struct folio *f;

	(void)state;
	dax_mapping_ops_associate(&ma, pmd, 0x2c0, false);
	f = page_folio(pfn_to_page(R()));
	map_and_unmap(f);					/* unmap: ref 0, entry stays */
	assert_int_equal(folio_ref_count(f), 0);
	assert_ptr_equal(f->page.mapping, &ma);
	assert_int_equal(f->page.index, 0x200);
	assert_int_equal(folio_order(f), 9);
	assert_ptr_equal(page_folio(pfn_to_page(R() + 5)), f);

	dax_mapping_ops_disassociate(&ma, pmd, true);		/* truncate */
	for (unsigned long i = 0; i < 512; i++) {
		struct page *p = pfn_to_page(R() + i);

		assert_false(PageTail(p));
		assert_false(test_page_flag(p, PG_head));
		assert_ptr_equal(p->pgmap, pmem_pgmap());
		assert_null(p->mapping);
	}
	assert_int_equal(f->page.index, 0);
	dax_mapping_ops_associate(&ma, pte, 0x205, false);
	f = page_folio(pfn_to_page(R() + 5));
	assert_int_equal(folio_order(f), 0);
	assert_ptr_equal(f->page.mapping, &ma);
	assert_int_equal(f->page.index, 0x205);
	assert_int_equal(vm_event(VM_WARN), 0);

	/* control: idle but still associated (its entry was never deleted) */
	map_and_unmap(f);
	assert_ptr_equal(f->page.mapping, &ma);
	dax_mapping_ops_associate(&mb, pte, 0x205, false);
	assert_int_equal(vm_event(VM_WARN), 1);
	dax_mapping_ops_disassociate(&mb, pte, true);
	assert_null(f->page.mapping);
}

/* T60: a reflinked block mapped through A (regular) then B (shared). */
static void test_shared_accounting(void **state)
{
	static const int modes[] = {
		FL_DAX_SHARED_DISTINCT_BIT, FL_DAX_SHARED_ALIAS_ANON, FL_DAX_SHARED_DROPPED,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		unsigned long s;
		struct folio *f;

		assert_int_equal(up_with(FL_FSDAX_ZERO_BASED, modes[i]), 0);
		s = dax_make_entry(R() + 7, 0);
		f = page_folio(pfn_to_page(R() + 7));
		dax_mapping_ops_associate(&ma, s, 7, false);
		assert_ptr_equal(f->page.mapping, &ma);
		dax_mapping_ops_associate(&mb, s, 7, true);
		switch (modes[i]) {
		case FL_DAX_SHARED_DISTINCT_BIT:
			assert_int_equal((uintptr_t)f->page.mapping, PAGE_MAPPING_DAX_SHARED);
			assert_int_equal(f->page.index, 2);	/* share */
			assert_false(folio_test_anon(f));
			assert_true(folio_test_dax_shared(f));
			break;
		case FL_DAX_SHARED_ALIAS_ANON:
			assert_int_equal((uintptr_t)f->page.mapping, 0x1);
			assert_int_equal(f->page.index, 2);
			assert_true(folio_test_anon(f));	/* R66's hazard, reproduced */
			break;
		default:
			assert_ptr_equal(f->page.mapping, &ma);	/* B: no association */
			assert_false(folio_test_anon(f));
		}
		/* delete B's entry, then A's */
		dax_mapping_ops_disassociate(&mb, s, true);
		if (modes[i] != FL_DAX_SHARED_DROPPED) {
			assert_int_equal(f->page.index, 1);
			assert_true(folio_test_dax_shared(f));
		} else {
			map_and_unmap(f);			/* B never associated: A's still */
			assert_ptr_equal(f->page.mapping, &ma);
		}
		dax_mapping_ops_disassociate(&ma, s, true);
		assert_null(f->page.mapping);
		assert_int_equal(f->page.index, 0);
		assert_int_equal(vm_event(VM_WARN), 0);
		assert_int_equal(down(NULL), 0);
	}
}

/*
 * R66 as 6.18 has it (V12=distinct_bit): a shared PMD entry's first user
 * forms the order-9 folio; later users share it, an entry of another order
 * warns; the last one out leaves the folio unassociated.
 */
static void test_shared_pmd_folio(void **state)
{
	unsigned long pmd = dax_make_entry(R(), DAX_PMD), pte = dax_make_entry(R() + 5, 0);
	struct folio *f = page_folio(pfn_to_page(R()));

	(void)state;
	dax_mapping_ops_associate(&ma, pmd, 0x2c0, true);
	f = page_folio(pfn_to_page(R()));
	assert_int_equal(folio_order(f), 9);
	assert_ptr_equal(f->page.mapping, &ma);
	assert_int_equal(f->page.index, 0x200);
	dax_mapping_ops_associate(&mb, pmd, 0x400, true);
	assert_ptr_equal(page_folio(pfn_to_page(R() + 5)), f);		/* not re-formed */
	assert_int_equal((uintptr_t)f->page.mapping, PAGE_MAPPING_DAX_SHARED);
	assert_int_equal(f->page.index, 2);
	assert_int_equal(vm_event(VM_WARN), 0);
	dax_mapping_ops_associate(&ma, pte, 0x5, true);			/* order 0 on order 9 */
	assert_int_equal(vm_event(VM_WARN), 1);
	assert_int_equal(f->page.index, 3);
	dax_mapping_ops_disassociate(&ma, pte, false);
	dax_mapping_ops_disassociate(&mb, pmd, true);
	assert_int_equal(f->page.index, 1);
	assert_true(folio_test_dax_shared(f));
	dax_mapping_ops_disassociate(&ma, pmd, true);
	assert_null(f->page.mapping);
	assert_int_equal(f->page.index, 0);
	dax_mapping_ops_associate(&mb, pmd, 0x400, true);		/* first user again */
	assert_ptr_equal(f->page.mapping, &mb);
	assert_int_equal(vm_event(VM_WARN), 1);
}

/*
 * The first user's folio went idle while its entry stays: a second file's
 * user still shares it, as in 6.18 where only dax_folio_put() clears an
 * FS-DAX folio's mapping.  Under SPEC R63 (fsdax_free_clears_mapping=on)
 * the final put cleared the mapping and the owner record stands in for it;
 * the outcome must be the same.
 */
static void shared_after_final_put(bool clears_mapping)
{
	unsigned long s;
	struct folio *f;

	assert_int_equal(up_cfg(FL_FSDAX_ZERO_BASED, FL_DAX_SHARED_DISTINCT_BIT, clears_mapping), 0);
	s = dax_make_entry(R() + 7, 0);
	f = page_folio(pfn_to_page(R() + 7));
	dax_mapping_ops_associate(&ma, s, 7, true);
	assert_ptr_equal(f->page.mapping, &ma);
	map_and_unmap(f);
	if (clears_mapping)
		assert_null(f->page.mapping);
	else
		assert_ptr_equal(f->page.mapping, &ma);
	dax_mapping_ops_associate(&mb, s, 7, true);
	assert_int_equal((uintptr_t)f->page.mapping, PAGE_MAPPING_DAX_SHARED);
	assert_int_equal(f->page.index, 2);
	dax_mapping_ops_disassociate(&ma, s, true);
	dax_mapping_ops_disassociate(&mb, s, true);
	assert_null(f->page.mapping);
	/* both entries gone: the block is nobody's, its next user forms it anew */
	dax_mapping_ops_associate(&mb, s, 7, true);
	assert_ptr_equal(f->page.mapping, &mb);
	dax_mapping_ops_disassociate(&mb, s, true);
	map_and_unmap(f);
	dax_mapping_ops_associate(&ma, s, 7, true);
	assert_ptr_equal(f->page.mapping, &ma);
	assert_int_equal(vm_event(VM_WARN), 0);
	dax_mapping_ops_disassociate(&ma, s, true);
	assert_int_equal(down(NULL), 0);
}

static void test_shared_after_final_put(void **state)
{
	(void)state;
	shared_after_final_put(false);
}

static void test_shared_after_final_put_r63(void **state)
{
	(void)state;
	shared_after_final_put(true);
}

/* R62 (OLD, one_based): per-page association, and its warnings. */
static void test_old_association(void **state)
{
	unsigned long pmd, pte;
	struct page *p;

	(void)state;
	assert_int_equal(up_with(FL_FSDAX_ONE_BASED, FL_DAX_SHARED_ALIAS_ANON), 0);
	pmd = dax_make_entry(R(), DAX_PMD);
	pte = dax_make_entry(R() + 600, 0);
	dax_mapping_ops_associate(&ma, pmd, 0x3f0, false);
	for (unsigned long i = 0; i < 512; i += 73) {
		p = pfn_to_page(R() + i);
		assert_ptr_equal(p->mapping, &ma);
		assert_int_equal(p->index, 0x200 + i);
		assert_int_equal(atomic_read(&p->_refcount), 1);	/* idle, untouched */
		assert_false(PageTail(p));				/* OLD forms no folios */
	}
	dax_mapping_ops_associate(&ma, pte, 9, false);
	dax_mapping_ops_associate(&mb, pte, 9, false);		/* already associated */
	assert_int_equal(vm_event(VM_WARN), 1);
	p = pfn_to_page(R() + 600);
	assert_ptr_equal(p->mapping, &mb);
	atomic_inc(&p->_refcount);				/* busy: a GUP reference */
	assert_ptr_equal(dax_busy_page(pte), p);
	dax_mapping_ops_disassociate(&ma, pte, true);		/* busy, and B's page */
	assert_int_equal(vm_event(VM_WARN), 3);
	assert_null(p->mapping);
	atomic_dec(&p->_refcount);
	assert_null(dax_busy_page(pte));
	dax_mapping_ops_disassociate(&ma, pmd, true);
	assert_null(pfn_to_page(R() + 511)->mapping);
	assert_int_equal(down(NULL), 0);
}

/* R68: busy means above idle; a pin on any page of a PMD entry makes it busy. */
static void test_busy_page(void **state)
{
	unsigned long pmd = dax_make_entry(R(), DAX_PMD);
	struct folio *f;

	(void)state;
	dax_associate_new_entry(&ma, pmd, 0x200);
	f = page_folio(pfn_to_page(R() + 300));
	assert_null(dax_busy_page(pmd));
	folio_ref_add(f, GUP_PIN_COUNTING_BIAS);
	assert_ptr_equal(dax_busy_page(pmd), pfn_to_page(R()));
	assert_null(dax_busy_page(dax_make_entry(R(), DAX_PMD | DAX_ZERO_PAGE)));	/* maps nothing */
	folio_put_refs(f, GUP_PIN_COUNTING_BIAS);
	assert_null(dax_busy_page(pmd));
	assert_int_equal(atomic_long_read(&machine.fsdax_wakeups), 1);	/* the final put */
	assert_ptr_equal(f->page.mapping, &ma);	/* 6.18: the entry still names it */
	dax_mapping_ops_disassociate(&ma, pmd, true);
	assert_null(f->page.mapping);
}

/* R72 (V5=zero_based_entry_ref): the entry holds a reference; idle is 1. */
static void test_entry_reference(void **state)
{
	unsigned long pte;
	struct folio *f;

	(void)state;
	assert_int_equal(up_with(FL_FSDAX_ZERO_BASED_ENTRY_REF, FL_DAX_SHARED_DISTINCT_BIT), 0);
	pte = dax_make_entry(R() + 3, 0);
	f = page_folio(pfn_to_page(R() + 3));
	dax_mapping_ops_associate(&ma, pte, 3, false);
	assert_int_equal(folio_ref_count(f), 1);
	assert_null(dax_busy_page(pte));
	folio_get(f);				/* mapped: 2, busy */
	assert_ptr_equal(dax_busy_page(pte), &f->page);
	folio_put(f);				/* 2 -> 1: the idle wakeup */
	assert_int_equal(atomic_long_read(&machine.fsdax_wakeups), 1);
	dax_mapping_ops_disassociate(&ma, pte, true);	/* the entry's reference goes */
	assert_int_equal(folio_ref_count(f), 0);	/* block free again: the free path */
	assert_null(f->page.mapping);
	assert_int_equal(atomic_long_read(&machine.fsdax_wakeups), 2);
	assert_int_equal(fl_bug_count(), 0);
	assert_int_equal(down(NULL), 0);
}

/* ------------------------------------------- R69, R70: layout breaking */

static bool file_mapped;
static int layout_unmaps;

static void layout_unmap(struct dax_mapping *m, unsigned long start, unsigned long nr)
{
	(void)m; (void)start; (void)nr;
	layout_unmaps++;
	file_mapped = false;	/* the unmap removed the file's last PTEs */
}

static bool layout_mapped(struct dax_mapping *m)
{
	(void)m;
	return file_mapped;
}

static const struct dax_mapping_ops layout_ops = {
	.unmap_mapping_pages = layout_unmap,
	.mapping_mapped = layout_mapped,
};

/* Entries at 5 (R+5) and a PMD at 0x200 (R+512..): one pinned page. */
static struct page *layout_setup(unsigned long pinned_pfn)
{
	unsigned long e;
	struct page *pin = pfn_to_page(pinned_pfn);

	ma.ops = &layout_ops;
	file_mapped = true;
	layout_unmaps = 0;
	assert_int_equal(grab_mapping_entry(&ma, 5, 0, &e), 0);
	dax_unlock_entry(&ma, 5, dax_insert_entry(&ma, 5, e, R() + 5, 0, 0));
	assert_int_equal(grab_mapping_entry(&ma, 0x200, PMD_ORDER, &e), 0);
	dax_unlock_entry(&ma, 0x200, dax_insert_entry(&ma, 0x200, e, R() + 512, DAX_PMD, 0));
	atomic_add(GUP_PIN_COUNTING_BIAS, &pin->_refcount);	/* DMA */
	return pin;
}

/* T56/T57 under V13=off (Dan's fix): the pin is found even once unmapped. */
static void test_layout_busy(void **state)
{
	struct page *pin = layout_setup(R() + 512 + 7);

	(void)state;
	assert_ptr_equal(dax_layout_busy_page_range(&ma, 0, 0x3ff), pin);
	assert_int_equal(layout_unmaps, 1);
	assert_false(file_mapped);
	/* T57: a second pass, nothing mapped any more: still busy */
	assert_ptr_equal(dax_layout_busy_page_range(&ma, 0, 0x3ff), pin);
	/* ranges that miss the pinned entry */
	assert_null(dax_layout_busy_page_range(&ma, 0, 0x1ff));
	assert_null(dax_layout_busy_page_range(&ma, 0x400, 0x7ff));
	/* a range starting inside the PMD entry still covers it */
	assert_ptr_equal(dax_layout_busy_page_range(&ma, 0x3fe, 0x3ff), pin);
	atomic_sub(GUP_PIN_COUNTING_BIAS, &pin->_refcount);	/* end of DMA */
	assert_null(dax_layout_busy_page_range(&ma, 0, 0x3ff));
	/* R69 step 4: then truncate deletes the entries */
	assert_int_equal(dax_delete_mapping_range(&ma, 0, 0x3ff), 2);
	assert_int_equal(ma.nrpages, 0);
}

/* T57 under V13=on (OLD): an unmapped file reports nothing busy, pin or not. */
static void test_layout_busy_skip_unmapped(void **state)
{
	struct fl_config cfg;
	struct page *pin;

	(void)state;
	dax_test_config(&cfg);
	cfg.layout_busy_skip_unmapped = true;
	dax_mapping_init(&ma, "a", NULL, NULL);
	dax_mapping_init(&mb, "b", NULL, NULL);
	assert_int_equal(dax_machine_up_with(&cfg), 0);
	pin = layout_setup(R() + 5);
	assert_ptr_equal(dax_layout_busy_page_range(&ma, 0, 0x3ff), pin);	/* mapped: found */
	assert_null(dax_layout_busy_page_range(&ma, 0, 0x3ff));		/* the bug */
	assert_int_equal(layout_unmaps, 1);
	atomic_sub(GUP_PIN_COUNTING_BIAS, &pin->_refcount);
	assert_int_equal(down(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reinit_across_orders, up_r63, down),
		cmocka_unit_test_setup_teardown(test_reinit_after_entry_removal, up, down),
		cmocka_unit_test(test_shared_accounting),
		cmocka_unit_test_setup_teardown(test_shared_pmd_folio, up, down),
		cmocka_unit_test(test_shared_after_final_put),
		cmocka_unit_test(test_shared_after_final_put_r63),
		cmocka_unit_test(test_old_association),
		cmocka_unit_test_setup_teardown(test_busy_page, up, down),
		cmocka_unit_test(test_entry_reference),
		cmocka_unit_test_setup_teardown(test_layout_busy, up, down),
		cmocka_unit_test(test_layout_busy_skip_unmapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
