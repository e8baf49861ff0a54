// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_dax_sync.c - the second half of a MAP_SYNC write fault (R56) when
 * something goes wrong between the NEEDDSYNC return and the insert: SPEC
 * T52 variants (a) and (b).  Variant (c), the PMD entry found by an order-0
 * insert, is in test_entry.c; the good path is spec_T52_map_sync.scn.
 *
 * The gap is reached through dax_set_sync_fault_hook(), which runs once per
 * fault after step 1 (the entry is inserted clean and unlocked, nothing is
 * mapped) and before the fsync of dax_finish_sync_fault():
 *
 *   step 1 (NEEDDSYNC) --> hook --> fsync --> dax_insert_pfn_mkwrite()
 *                           |        (a) fails: SIGBUS, nothing mapped
 *                           (b) deletes the entry: the re-lookup finds
 *                               nothing, NOPAGE, nothing mapped
 *
 * The hook acts on the first fault only, so a retried fault shows that the
 * failure left nothing behind that stops a later fault from mapping.  Every
 * case runs at PTE level and at PMD level (order 9, one 2 MiB extent), on a
 * file with no blocks, so the write allocates (IOMAP_F_NEW | IOMAP_F_DIRTY).
 */
#include <signal.h>

#include "dax_test.h"

#include "dax/folio.h"

#define MAP_AT	0x40000000ull
#define ADDR	(MAP_AT + 3 * PAGE_SIZE)	/* file index 3 */

enum hook_act { HOOK_PASS, HOOK_FAIL_FSYNC, HOOK_DELETE_ENTRY, HOOK_TRUNCATE };

/* What the hook saw after step 1, and what it does. */
static struct {
	enum hook_act act;
	int calls;
	struct daxfs_file *f;
	unsigned long entry;
	unsigned int tags;
	int level;
} hk;

static int sync_hook(struct vm_fault *vmf)
{
	struct dax_mapping *m = dax_file_mapping(hk.f);
	struct fl_leaf leaf;

	if (hk.calls++)
		return 0;
	hk.entry = dax_load_entry(m, vmf->pgoff);
	hk.tags = dax_entry_tags(m, vmf->pgoff);
	fl_walk(vmf->vma->vm_mm, vmf->address, &leaf);
	hk.level = leaf.level;
	switch (hk.act) {
	case HOOK_FAIL_FSYNC:
		return -EIO;
	case HOOK_DELETE_ENTRY:
		assert_int_equal(dax_delete_mapping_entry(m, vmf->pgoff), 1);
		break;
	case HOOK_TRUNCATE:
		assert_int_equal(dax_file_truncate(hk.f, 0), 0);
		break;
	case HOOK_PASS:
		break;
	}
	return 0;
}

/* A MAP_SYNC mapping of an empty 2 MiB DAX file at MAP_AT, the hook armed with @act. */
static struct daxfs_file *sync_setup(struct mm_struct **mm, bool pmd, enum hook_act act)
{
	struct vm_area_struct *vma;
	struct fl_config cfg;
	struct daxfs_file *f;

	dax_test_config(&cfg);
	cfg.fs_dax_pmd = pmd;
	f = dax_test_setup(&cfg, mm, PMD_SIZE);
	assert_int_equal(do_mmap(*mm, MAP_AT, PMD_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT);
	mmap_write_lock(*mm);
	vma = vma_lookup(*mm, MAP_AT);
	assert_non_null(vma);
	vma->vm_flags |= VM_HUGEPAGE | VM_SYNC;	/* as mmap(MAP_SYNC) of a DAX file */
	mmap_write_unlock(*mm);
	memset(&hk, 0, sizeof(hk));
	hk.act = act;
	hk.f = f;
	dax_set_sync_fault_hook(sync_hook);
	return f;
}

static void sync_teardown(struct daxfs_file *f)
{
	dax_set_sync_fault_hook(NULL);
	hk.f = NULL;
	dax_test_teardown(f);
}

/* cmocka teardown: what a test that failed half-way left up goes down here. */
static int sync_cleanup(void **state)
{
	(void)state;
	if (hk.f)
		sync_teardown(hk.f);
	return 0;
}

/* One write fault at @addr, as the MMU takes it: handle_mm_fault()'s verdict. */
static vm_fault_t write_fault(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma;
	vm_fault_t ret;

	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	assert_non_null(vma);
	ret = handle_mm_fault(vma, addr, FAULT_FLAG_USER | FAULT_FLAG_WRITE);
	mmap_read_unlock(mm);
	return ret;
}

/* T52 step 1, as the hook saw it: a clean, unlocked entry of P, nothing mapped. */
static void assert_step1(bool pmd)
{
	assert_int_equal(hk.calls, 1);
	assert_int_equal(hk.level, 0);
	assert_int_not_equal(hk.entry, 0);
	assert_true(dax_is_real_entry(hk.entry));
	assert_false(dax_is_locked(hk.entry));
	assert_int_equal(dax_entry_size(hk.entry), pmd ? PMD_SIZE : PAGE_SIZE);
	assert_int_equal(hk.tags, 0);
}

static struct folio *entry_folio(unsigned long entry)
{
	return page_folio(pfn_to_page(dax_to_pfn(entry)));
}

/* Nothing of the file is mapped: no leaf, no mapcount, no RSS, P idle (V5 zero_based). */
static void assert_nothing_mapped(struct mm_struct *mm, struct folio *folio)
{
	struct fl_leaf leaf;

	fl_walk(mm, ADDR, &leaf);
	assert_int_equal(leaf.level, 0);
	fl_walk(mm, MAP_AT, &leaf);
	assert_int_equal(leaf.level, 0);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 0);
	assert_int_equal(folio_mapcount(folio), 0);
	assert_int_equal(folio_ref_count(folio), 0);
}

/* T52 step 2: P mapped writable and dirty at the fault's level, the entry DIRTY. */
static void assert_mapped(struct mm_struct *mm, bool pmd)
{
	struct dax_mapping *m = dax_file_mapping(hk.f);
	unsigned long entry = dax_load_entry(m, 3);
	struct fl_leaf leaf;

	assert_int_not_equal(entry, 0);
	assert_true(dax_is_real_entry(entry));
	assert_false(dax_is_locked(entry));
	assert_int_equal(dax_entry_tags(m, 3), DAX_TAG_DIRTY);
	fl_walk(mm, ADDR, &leaf);
	if (pmd) {
		assert_int_equal(leaf.level, 2);
		assert_true(pmd_write(__pmd(leaf.entry)) && pmd_dirty(__pmd(leaf.entry)));
		assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 512);
	} else {
		assert_int_equal(leaf.level, 1);
		assert_true(pte_write(__pte(leaf.entry)) && pte_dirty(__pte(leaf.entry)));
		assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 1);
	}
	assert_int_equal(leaf.pfn, dax_to_pfn(entry) + (pmd ? 3 : 0));
	assert_int_equal(folio_ref_count(entry_folio(entry)), 1);
	assert_int_equal(folio_mapcount(entry_folio(entry)), 1);
}

/* A write fault whose second half fails: @ret, after step 1, and nothing mapped. */
static void fault_maps_nothing(struct mm_struct *mm, bool pmd, vm_fault_t ret)
{
	assert_int_equal(write_fault(mm, ADDR), ret);
	assert_step1(pmd);
	assert_nothing_mapped(mm, entry_folio(hk.entry));
}

/*
 * The user's retry of the store maps, through the sync path again (@calls
 * 2) if the fsync never ran, else through the normal one: the metadata is
 * durable, so no IOMAP_F_DIRTY.
 */
static void retry_maps(struct mm_struct *mm, bool pmd, int calls)
{
	struct fl_access_result res;
	uint8_t byte = 0x52;

	assert_int_equal(fl_access(mm, ADDR, true, &byte, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	assert_int_equal(hk.calls, calls);
	assert_mapped(mm, pmd);
}

/* Control: the hook passes, so this is T52 steps 1 and 2 through the hook. */
static void sync_pass(bool pmd)
{
	struct mm_struct *mm;
	struct daxfs_file *f = sync_setup(&mm, pmd, HOOK_PASS);

	assert_int_equal(write_fault(mm, ADDR), VM_FAULT_NOPAGE);
	assert_step1(pmd);
	assert_mapped(mm, pmd);
	assert_int_equal(dax_load_entry(dax_file_mapping(f), 3), hk.entry);
	sync_teardown(f);
}

/* T52 (a): the fsync fails: SIGBUS, nothing mapped, the entry stays clean. */
static void sync_fsync_fails(bool pmd)
{
	struct mm_struct *mm;
	struct daxfs_file *f = sync_setup(&mm, pmd, HOOK_FAIL_FSYNC);
	struct dax_mapping *m = dax_file_mapping(f);

	fault_maps_nothing(mm, pmd, VM_FAULT_SIGBUS);
	assert_int_equal(dax_load_entry(m, 3), hk.entry);
	assert_int_equal(dax_entry_tags(m, 3), 0);
	retry_maps(mm, pmd, 2);
	sync_teardown(f);
}

/* T52 (b): the entry is deleted before the insert: NOPAGE, nothing mapped. */
static void sync_entry_deleted(bool pmd)
{
	struct mm_struct *mm;
	struct daxfs_file *f = sync_setup(&mm, pmd, HOOK_DELETE_ENTRY);
	struct dax_mapping *m = dax_file_mapping(f);

	fault_maps_nothing(mm, pmd, VM_FAULT_NOPAGE);
	assert_int_equal(dax_load_entry(m, 3), 0);
	assert_int_equal(m->nrpages, 0);
	retry_maps(mm, pmd, 1);
	sync_teardown(f);
}

/*
 * T52 (b) by a whole truncate to 0: the block goes back to the filesystem
 * too, so a stale insert would map a free block.  The retry is past EOF.
 */
static void sync_truncated(bool pmd)
{
	struct fl_access_result res;
	struct mm_struct *mm;
	struct daxfs_file *f = sync_setup(&mm, pmd, HOOK_TRUNCATE);
	struct dax_mapping *m = dax_file_mapping(f);
	uint8_t byte = 0x52;

	fault_maps_nothing(mm, pmd, VM_FAULT_NOPAGE);
	assert_int_equal(m->nrpages, 0);
	assert_int_equal(daxfs_size(f), 0);
	assert_int_equal(fl_access(mm, ADDR, true, &byte, 1, &res), 0);
	assert_int_equal(res.signo, SIGBUS);
	sync_teardown(f);
}

/* The cases; each runs at PTE level, then at PMD level. */
struct sync_case {
	void (*run)(bool pmd);
};

static const struct sync_case case_pass = { sync_pass };
static const struct sync_case case_fsync_fails = { sync_fsync_fails };
static const struct sync_case case_entry_deleted = { sync_entry_deleted };
static const struct sync_case case_truncated = { sync_truncated };

static void test_sync_case(void **state)
{
	const struct sync_case *c = *state;

	c->run(false);
	c->run(true);
}

#define SYNC_TEST(name) \
	{ #name, test_sync_case, NULL, sync_cleanup, (void *)&case_##name }

int main(void)
{
	const struct CMUnitTest tests[] = {
		SYNC_TEST(pass),		/* control: T52 steps 1 and 2 */
		SYNC_TEST(fsync_fails),		/* T52 (a) */
		SYNC_TEST(entry_deleted),	/* T52 (b) */
		SYNC_TEST(truncated),		/* T52 (b) by truncate */
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
