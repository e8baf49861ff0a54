// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_dax_fault.c - FS-DAX fault paths that scenarios cannot reach.
 *
 * SPEC T58 (R64, V14): a fault on a fresh block whose page-table insert
 * fails (the PTE table cannot be allocated) returns OOM (a scenario states
 * it with `call handle_mm_fault ... ret=OOM`).  The temporary reference of
 * the insert protocol goes 0 -> 1 -> 0 and frees the folio; V14=keep_entry
 * (S002 v1, and Linux 6.15+: the default) leaves the real entry behind,
 * pointing at the freed folio, and V14=delete_entry (the fix the seeds
 * agreed on) deletes it.  The kept entry's folio keeps its
 * mapping as in 6.18 (the entry still names it), or loses it under
 * fsdax_free_clears_mapping=on (SPEC R63 and T58's "mapping NULL").  Either
 * way a later fault maps the block again without a warning.
 *
 * SPEC T44 (ii), (iii) (R48 step 4): direct access failing with -EIO gives
 * SIGBUS and with -ENOMEM OOM at PTE level; T43 (x) (R49 step 5): an iomap
 * error makes the PMD fault fall back, and the PTE retry maps.
 */
#include <signal.h>

#include "dax_test.h"

#include "dax/folio.h"

#define MAP_AT	0x40000000ull

static void insert_failure(int cleanup, bool clears_mapping)
{
	struct fl_config cfg;
	struct fl_access_result res;
	struct mm_struct *mm;
	struct daxfs_file *f;
	struct dax_mapping *m;
	unsigned long entry, warns;
	uint8_t byte = 0;

	dax_test_config(&cfg);
	cfg.fs_dax_pmd = false;
	cfg.dax_insert_fail_cleanup = cleanup;
	cfg.fsdax_free_clears_mapping = clears_mapping;
	assert_int_equal(dax_machine_up_with(&cfg), 0);
	mm = test_mm_alloc();
	dax_set_mms(test_mms, MAX_TEST_MMS);
	f = dax_file_create(test_fs, "f", 4ull << 20);
	assert_non_null(f);
	m = dax_file_mapping(f);
	assert_int_equal(daxfs_pwrite_fill(f, 0x58, PAGE_SIZE, 0), 0);
	assert_int_equal(do_mmap(mm, MAP_AT, 4ull << 20, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT);

	/* a hole in the second PMD: the upper tables exist afterwards */
	assert_int_equal(fl_access(mm, MAP_AT + PMD_SIZE, false, &byte, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	warns = vm_event(VM_WARN);

	atomic_set(&machine.inject_pgtable, 1);
	assert_int_equal(fl_access(mm, MAP_AT, false, &byte, 1, &res), -ENOMEM);
	entry = dax_load_entry(m, 0);
	if (cleanup == FL_DAX_INSERT_FAIL_KEEP_ENTRY) {
		struct folio *folio;

		assert_true(entry && dax_entry_size(entry) == PAGE_SIZE);
		folio = page_folio(pfn_to_page(dax_to_pfn(entry)));
		assert_int_equal(folio_ref_count(folio), 0);	/* freed under the entry */
		if (clears_mapping)
			assert_null(folio->page.mapping);
		else
			assert_ptr_equal(folio->page.mapping, m);	/* 6.18 */
		assert_int_equal(m->nrpages, 2);
	} else {
		assert_int_equal(entry, 0);
		assert_int_equal(m->nrpages, 1);		/* the hole's zero entry */
	}

	/* a later fault maps the block, re-initialised without a warning */
	assert_int_equal(fl_access(mm, MAP_AT, false, &byte, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	assert_int_equal(byte, 0x58);
	entry = dax_load_entry(m, 0);
	assert_int_equal(folio_ref_count(page_folio(pfn_to_page(dax_to_pfn(entry)))), 1);
	assert_int_equal(vm_event(VM_WARN), warns);

	test_mmput(mm);
	dax_file_put(f);
	dax_set_mms(NULL, 0);
	assert_int_equal(dax_machine_down(NULL), 0);
}

static void test_insert_failure_delete_entry(void **state)
{
	(void)state;
	insert_failure(FL_DAX_INSERT_FAIL_DELETE_ENTRY, false);
}

static void test_insert_failure_keep_entry(void **state)
{
	(void)state;
	insert_failure(FL_DAX_INSERT_FAIL_KEEP_ENTRY, false);
}

static void test_insert_failure_keep_entry_r63(void **state)
{
	(void)state;
	insert_failure(FL_DAX_INSERT_FAIL_KEEP_ENTRY, true);
}

/* A machine with @f (one written 2 MiB extent) mapped shared at MAP_AT in @mm. */
static struct daxfs_file *map_written_file(struct mm_struct **mm, bool pmd)
{
	struct fl_config cfg;
	struct daxfs_file *f;

	dax_test_config(&cfg);
	cfg.fs_dax_pmd = pmd;
	assert_int_equal(dax_machine_up_with(&cfg), 0);
	*mm = test_mm_alloc();
	dax_set_mms(test_mms, MAX_TEST_MMS);
	f = dax_file_create(test_fs, "f", PMD_SIZE);
	assert_non_null(f);
	assert_int_equal(daxfs_pwrite_fill(f, 0x44, PMD_SIZE, 0), 0);
	assert_int_equal(do_mmap(*mm, MAP_AT, PMD_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT);
	return f;
}

static void unmap_file(struct mm_struct *mm, struct daxfs_file *f)
{
	test_mmput(mm);
	dax_file_put(f);
	dax_set_mms(NULL, 0);
	assert_int_equal(dax_machine_down(NULL), 0);
}

static void test_direct_access_errors(void **state)
{
	struct fl_access_result res;
	struct mm_struct *mm;
	struct daxfs_file *f = map_written_file(&mm, false);
	uint8_t byte = 0;

	(void)state;
	pmem_inject_direct_access(-EIO, 1);
	assert_int_equal(fl_access(mm, MAP_AT, false, &byte, 1, &res), 0);
	assert_int_equal(res.signo, SIGBUS);
	pmem_inject_direct_access(-ENOMEM, 1);
	assert_int_equal(fl_access(mm, MAP_AT, false, &byte, 1, &res), -ENOMEM);
	assert_int_equal(fl_access(mm, MAP_AT, false, &byte, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	assert_int_equal(byte, 0x44);
	unmap_file(mm, f);
}

static void test_pmd_iomap_error(void **state)
{
	struct fl_access_result res;
	struct mm_struct *mm;
	struct daxfs_file *f = map_written_file(&mm, true);
	unsigned long fallbacks = vm_event(THP_FAULT_FALLBACK);
	struct fl_leaf leaf;
	uint8_t byte = 0;

	(void)state;
	daxfs_inject_iomap_error(test_fs, -EIO, 1);
	assert_int_equal(fl_access(mm, MAP_AT, false, &byte, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	assert_int_equal(byte, 0x44);
	assert_int_equal(vm_event(THP_FAULT_FALLBACK), fallbacks + 1);
	fl_walk(mm, MAP_AT, &leaf);
	assert_int_equal(leaf.level, 1);		/* a PTE, not a PMD */
	unmap_file(mm, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_access_errors),
		cmocka_unit_test(test_pmd_iomap_error),
		cmocka_unit_test(test_insert_failure_delete_entry),
		cmocka_unit_test(test_insert_failure_keep_entry),
		cmocka_unit_test(test_insert_failure_keep_entry_r63),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
