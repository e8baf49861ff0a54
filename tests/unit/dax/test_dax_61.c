// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_dax_61.c - FS-DAX as Linux 6.1 did it: devmap entries (V5
 * one_based with V11 special_huge, the linux-6.1 personality).
 *
 * SPEC T55/R61 and R48 step 8 OLD: a one_based fault maps pmem with a
 * devmap entry (a PTE with devmap and special set, a PMD with devmap only,
 * as 6.1 on x86 made them) that takes no reference, no mapcount and no RSS;
 * vm_normal_page*() returns NULL for it; GUP reaches the page through the
 * devmap path and takes the only extra reference.
 * SPEC T62 (R59, V11=special_huge): munmap of such a PMD gives nothing back
 * and the page stays idle at refcount 1.
 */
#include "dax_test.h"

#define MAP_AT	0x40000000ull

static struct fl_config config_61(void)
{
	struct fl_config cfg;
	char err[128];

	dax_test_config(&cfg);
	assert_int_equal(fl_config_preset(&cfg, "linux-6.1", err, sizeof(err)), 0);
	return cfg;
}

/* @f, a written 4 MiB file, mapped shared at MAP_AT in a new mm. */
static struct daxfs_file *map_data(const struct fl_config *cfg, struct mm_struct **mm)
{
	struct daxfs_file *f = dax_test_setup(cfg, mm, 4ull << 20);

	assert_int_equal(daxfs_pwrite_fill(f, 0x61, 4ull << 20, 0), 0);
	assert_int_equal(do_mmap(*mm, MAP_AT, 4ull << 20, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_FIXED, &dax_file_vm_ops, f, 0, NULL), MAP_AT);
	return f;
}

static struct folio *leaf_folio(const struct fl_leaf *leaf)
{
	return page_folio(pfn_to_page(leaf->pfn));
}

static void touch(struct mm_struct *mm, uint64_t addr, bool write)
{
	struct fl_access_result res;
	uint8_t byte = 0x7e;

	assert_int_equal(fl_access(mm, addr, write, &byte, 1, &res), 0);
	assert_int_equal(res.signo, 0);
}

static void test_devmap_pte(void **state)
{
	struct fl_config cfg = config_61();
	struct mm_struct *mm;
	struct daxfs_file *f;
	struct vm_area_struct *vma;
	struct fl_leaf leaf;
	struct fl_gup *g;
	int err;

	(void)state;
	cfg.fs_dax_pmd = false;
	f = map_data(&cfg, &mm);
	touch(mm, MAP_AT + PAGE_SIZE, true);
	fl_walk(mm, MAP_AT + PAGE_SIZE, &leaf);
	assert_int_equal(leaf.level, 1);
	assert_true(pte_devmap(__pte(leaf.entry)) && pte_special(__pte(leaf.entry)));
	assert_true(pte_write(__pte(leaf.entry)) && pte_dirty(__pte(leaf.entry)));
	vma = vma_lookup(mm, MAP_AT);
	assert_null(vm_normal_page(vma, MAP_AT + PAGE_SIZE, __pte(leaf.entry)));
	assert_int_equal(folio_ref_count(leaf_folio(&leaf)), 1);	/* idle: nothing taken */
	assert_int_equal(folio_mapcount(leaf_folio(&leaf)), 0);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 0);
	assert_invariants(mm);

	g = fl_gup(mm, MAP_AT + PAGE_SIZE, PAGE_SIZE, false, false, &err);
	assert_non_null(g);
	assert_int_equal(folio_ref_count(leaf_folio(&leaf)), 2);	/* the devmap GUP path */
	fl_gup_release(g);
	assert_int_equal(folio_ref_count(leaf_folio(&leaf)), 1);

	/* check_vma_flags(): no FOLL_LONGTERM on FS-DAX, in 6.1 as in 6.18 */
	assert_null(fl_gup(mm, MAP_AT + PAGE_SIZE, PAGE_SIZE, true, true, &err));
	assert_int_equal(err, -EOPNOTSUPP);
	g = fl_gup_flags(mm, MAP_AT + PAGE_SIZE, PAGE_SIZE, FOLL_PIN | FOLL_WRITE, &err);
	assert_non_null(g);		/* a short-term pin (a DMA in flight) is fine */
	assert_int_equal(folio_ref_count(leaf_folio(&leaf)), 1 + GUP_PIN_COUNTING_BIAS);
	fl_gup_release(g);
	assert_int_equal(folio_ref_count(leaf_folio(&leaf)), 1);
	dax_test_teardown(f);
}

static void test_devmap_pmd_zap(void **state)
{
	struct fl_config cfg = config_61();
	struct mm_struct *mm;
	struct daxfs_file *f = map_data(&cfg, &mm);
	struct vm_area_struct *vma = vma_lookup(mm, MAP_AT);
	struct fl_leaf leaf;
	struct folio *folio;

	(void)state;
	touch(mm, MAP_AT + 5 * PAGE_SIZE, false);
	fl_walk(mm, MAP_AT, &leaf);
	assert_int_equal(leaf.level, 2);
	assert_true(pmd_devmap(__pmd(leaf.entry)));
	assert_false(pmd_special(__pmd(leaf.entry)));
	assert_null(vm_normal_page_pmd(vma, MAP_AT, __pmd(leaf.entry)));
	folio = leaf_folio(&leaf);
	assert_int_equal(folio_order(folio), 0);	/* 6.1's pmem pages stay order 0 */
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(folio_mapcount(folio), 0);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 0);
	assert_invariants(mm);

	/* T62, V11=special_huge: the zap gives nothing back */
	assert_int_equal(do_munmap(mm, MAP_AT, PMD_SIZE), 0);
	fl_walk(mm, MAP_AT, &leaf);
	assert_int_equal(leaf.level, 0);
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 0);
	assert_int_equal(mm_nr_ptes(mm), 0);
	assert_invariants(mm);
	dax_test_teardown(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devmap_pte),
		cmocka_unit_test(test_devmap_pmd_zap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
