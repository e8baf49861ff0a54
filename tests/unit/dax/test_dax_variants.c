// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_dax_variants.c - the FS-DAX variants of SPEC.md section 3 that
 * only old kernels or drafts had: V18 hole_page and V21 legacy_add_fs_io
 * (2016), V23 always.
 *
 * SPEC T33/T34 under V18=hole_page (R45, R47): a PTE read of a hole
 * allocates a zeroed page that the DAX mapping holds (one reference) and
 * maps as a normal file page (a second reference, mapcount 1, RSS); a
 * second process's read maps the same page.  A write to the hole unmaps it
 * everywhere, the tree's reference goes with the replaced entry and the
 * page is freed; truncating a hole page frees it the same way.
 * SPEC T54 (R57, V21): a DAX PMD fault whose caller cleared __GFP_FS
 * allocates tree nodes without FS (and without HIGHMEM) under propagate;
 * the 2016 v4 (legacy_add_fs_io) put FS and IO back, which the model
 * flags with a warning.
 * SPEC T63 (R41, V23): zapping a DAX huge zero PMD with V2=off withdraws
 * nothing under if_arch; under always it withdraws from an empty deposit,
 * and the checker reports the nr_ptes underflow (exit 3 in a scenario).
 */
#include "dax_test.h"

#include "check/check.h"

#define MAP_AT	0x40000000ull
#define MAP_AT2	0x80000000ull

static void access_ok(struct mm_struct *mm, uint64_t addr, bool write, uint8_t *byte)
{
	struct fl_access_result res;

	assert_int_equal(fl_access(mm, addr, write, byte, 1, &res), 0);
	assert_int_equal(res.signo, 0);
}

static struct folio *mapped_folio(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf;

	fl_walk(mm, addr, &leaf);
	assert_int_equal(leaf.level, 1);
	assert_true(pte_present(__pte(leaf.entry)));
	return page_folio(pfn_to_page(leaf.pfn));
}

static void test_hole_page(void **state)
{
	struct fl_config cfg;
	struct mm_struct *a, *b;
	struct daxfs_file *f;
	struct dax_mapping *m;
	struct folio *hole;
	long live;
	uint8_t byte = 0x33;

	(void)state;
	dax_test_config(&cfg);
	cfg.fs_dax_pmd = false;
	cfg.dax_pte_hole_model = FL_DAX_PTE_HOLE_PAGE;
	f = dax_test_setup(&cfg, &a, PMD_SIZE);
	b = test_mm_alloc();
	m = dax_file_mapping(f);
	assert_int_equal(do_mmap(a, MAP_AT, PMD_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT);
	assert_int_equal(do_mmap(b, MAP_AT2, PMD_SIZE, PROT_READ,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT2);
	live = atomic_long_read(&machine.folios_allocated) - atomic_long_read(&machine.folios_freed);

	/* T33: a page-cache page, one reference for the tree, one for the PTE */
	access_ok(a, MAP_AT + 5 * PAGE_SIZE, false, &byte);
	assert_int_equal(byte, 0);
	hole = mapped_folio(a, MAP_AT + 5 * PAGE_SIZE);
	assert_false(is_zero_pfn(folio_pfn(hole)) || folio_is_fsdax(hole) || folio_test_anon(hole));
	assert_true(dax_is_hole_page_entry(dax_load_entry(m, 5)));
	assert_int_equal(dax_to_pfn(dax_load_entry(m, 5)), folio_pfn(hole));
	assert_int_equal(folio_ref_count(hole), 2);
	assert_int_equal(folio_mapcount(hole), 1);
	assert_int_equal(get_mm_counter(a, MM_FILEPAGES), 1);
	access_ok(b, MAP_AT2 + 5 * PAGE_SIZE, false, &byte);
	assert_ptr_equal(mapped_folio(b, MAP_AT2 + 5 * PAGE_SIZE), hole);
	assert_int_equal(folio_ref_count(hole), 3);
	assert_invariants(a, b);

	/* T34: the write fills the hole; the page leaves both mappings and the tree */
	byte = 0x5a;
	access_ok(a, MAP_AT + 5 * PAGE_SIZE, true, &byte);
	assert_true(folio_is_fsdax(mapped_folio(a, MAP_AT + 5 * PAGE_SIZE)));
	assert_true(dax_is_real_entry(dax_load_entry(m, 5)));
	{
		struct fl_leaf leaf;

		fl_walk(b, MAP_AT2 + 5 * PAGE_SIZE, &leaf);
		assert_false(leaf.level == 1 && pte_present(__pte(leaf.entry)));
	}
	assert_int_equal(atomic_long_read(&machine.folios_allocated) -
			 atomic_long_read(&machine.folios_freed), live);
	access_ok(b, MAP_AT2 + 5 * PAGE_SIZE, false, &byte);
	assert_int_equal(byte, 0x5a);

	/* a hole page goes with its entry on truncate */
	access_ok(b, MAP_AT2 + 6 * PAGE_SIZE, false, &byte);
	assert_true(dax_is_hole_page_entry(dax_load_entry(m, 6)));
	assert_int_equal(dax_file_truncate(f, 0), 0);
	assert_int_equal(atomic_long_read(&machine.folios_allocated) -
			 atomic_long_read(&machine.folios_freed), live);
	assert_invariants(a, b);

	dax_test_teardown(f);
}

/*
 * T54: a PMD fault whose caller cleared __GFP_FS; returns the gfp mask
 * its tree-node allocation saw and counts the warnings in *@warns.
 */
static unsigned int pmd_fault_gfp(int v21, long *warns)
{
	struct fl_config cfg;
	struct mm_struct *mm;
	struct daxfs_file *f;
	struct fl_leaf leaf;
	unsigned int gfp;
	uint8_t byte = 0x54;
	long before;

	dax_test_config(&cfg);
	cfg.dax_gfp_policy = v21;
	f = dax_test_setup(&cfg, &mm, PMD_SIZE);
	assert_int_equal(do_mmap(mm, MAP_AT, PMD_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT);
	dax_set_fault_gfp(GFP_HIGHUSER_MOVABLE & ~__GFP_FS);
	before = vm_event(VM_WARN);
	access_ok(mm, MAP_AT, true, &byte);
	*warns = vm_event(VM_WARN) - before;
	dax_set_fault_gfp(0);
	fl_walk(mm, MAP_AT, &leaf);
	assert_int_equal(leaf.level, 2);	/* it was a PMD fault */
	gfp = dax_file_mapping(f)->node_gfp;
	dax_test_teardown(f);
	return gfp;
}

static void test_gfp_propagate(void **state)
{
	long warns;

	(void)state;
	assert_int_equal(pmd_fault_gfp(FL_DAX_GFP_PROPAGATE, &warns), __GFP_IO);
	assert_int_equal(warns, 0);
}

static void test_gfp_legacy(void **state)
{
	long warns;

	(void)state;
	assert_int_equal(pmd_fault_gfp(FL_DAX_GFP_LEGACY_ADD_FS_IO, &warns), __GFP_FS | __GFP_IO);
	assert_int_equal(warns, 1);
}

/* T63: munmap of a DAX huge zero PMD, V2=off; returns the check's verdict. */
static int huge_zero_zap(int v23)
{
	struct fl_config cfg;
	struct mm_struct *mm;
	struct daxfs_file *f;
	struct fl_leaf leaf;
	uint8_t byte = 1;
	int rc;

	dax_test_config(&cfg);
	cfg.pgtable_deposit = false;
	cfg.zap_dax_huge_zero_deposit = v23;
	f = dax_test_setup(&cfg, &mm, 4ull << 20);
	assert_int_equal(do_mmap(mm, MAP_AT, 4ull << 20, PROT_READ,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT);
	access_ok(mm, MAP_AT, false, &byte);
	fl_walk(mm, MAP_AT, &leaf);
	assert_int_equal(leaf.level, 2);
	assert_true(is_huge_zero_pfn(leaf.pfn));
	assert_int_equal(mm_nr_ptes(mm), 0);
	assert_invariants(mm);
	assert_int_equal(do_munmap(mm, MAP_AT, PMD_SIZE), 0);
	{
		struct mm_struct *const mms[] = { mm };

		rc = fl_check_invariants(mms, 1, stderr);
	}
	/* repair what "always" broke, so that teardown checks the rest */
	atomic_long_set(&mm->pgt.nr_ptes, 0);
	dax_test_teardown(f);
	return rc;
}

static void test_huge_zero_zap_if_arch(void **state)
{
	(void)state;
	assert_int_equal(huge_zero_zap(FL_ZAP_DAX_HZ_IF_ARCH), 0);
}

static void test_huge_zero_zap_always(void **state)
{
	(void)state;
	assert_int_equal(huge_zero_zap(FL_ZAP_DAX_HZ_ALWAYS), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hole_page),
		cmocka_unit_test(test_gfp_propagate),
		cmocka_unit_test(test_gfp_legacy),
		cmocka_unit_test(test_huge_zero_zap_if_arch),
		cmocka_unit_test(test_huge_zero_zap_always),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
