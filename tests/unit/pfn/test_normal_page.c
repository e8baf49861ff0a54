// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_normal_page.c - the vm_normal_page*() matrix of SPEC.md 2a.
 *
 * Every combination of {pte_special on, off} x {PFNMAP, MIXEDMAP, CoW
 * PFNMAP, anon, file} x {zero page, huge zero folio, anon folio, RAM pfn,
 * pfn without memmap}, at the PTE and the PMD level, against an expected
 * answer written down per cell with its R-number (expected()).  The entry
 * is built the way the kernel would have installed it: with V1 on, the zero
 * folios and raw pfns of PFN/mixed maps carry the special bit and nothing
 * else does.  Then single tests for the variants: T3, T9, T12, T13, T14,
 * T15, T16, T17.
 */
#include <string.h>

#include "core_test.h"

enum vkind { V_PFNMAP, V_MIXED, V_COW_PFNMAP, V_ANON, V_FILE, NR_VKIND };
enum pkind { P_ZERO, P_HZERO, P_ANON, P_RAM, P_IO, NR_PKIND };
enum answer { A_NULL, A_PAGE, A_NULL_BADMAP };

static const char *const vnames[] = { "pfnmap", "mixed", "cow-pfnmap", "anon", "file" };
static const char *const pnames[] = { "zero", "huge-zero", "anon", "ram", "io" };

static struct folio *anon_folio, *ram_folio, *anon_thp, *ram_thp;
static struct anon_vma test_anon_vma;
static struct mm_struct fake_mm;
static const struct vm_operations_struct file_ops = { .name = "file" };

#define VA	0x40000000ull		/* PMD aligned */

static int setup(void **state)
{
	if (machine_up(state))
		return -1;
	if (!get_huge_zero_folio())
		return -1;
	anon_folio = folio_alloc(0, 0);
	ram_folio = folio_alloc(0, 0);
	anon_thp = folio_alloc(__GFP_COMP, HPAGE_PMD_ORDER);
	ram_thp = folio_alloc(__GFP_COMP, HPAGE_PMD_ORDER);
	if (!anon_folio || !ram_folio || !anon_thp || !ram_thp)
		return -1;
	anon_folio->page.mapping = (void *)((uintptr_t)&test_anon_vma | PAGE_MAPPING_ANON);
	anon_thp->page.mapping = (void *)((uintptr_t)&test_anon_vma | PAGE_MAPPING_ANON);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	anon_folio->page.mapping = NULL;
	anon_thp->page.mapping = NULL;
	folio_put(anon_folio);
	folio_put(ram_folio);
	folio_put(anon_thp);
	folio_put(ram_thp);
	put_huge_zero_folio();
	shrink_huge_zero_folio();
	phys_exit();
	return 0;
}

static unsigned long pfn_of(enum pkind p, bool pmd)
{
	switch (p) {
	case P_ZERO: return machine.zero_pfn;
	case P_HZERO: return machine.huge_zero_pfn;
	case P_ANON: return folio_pfn(pmd ? anon_thp : anon_folio);
	case P_RAM: return folio_pfn(pmd ? ram_thp : ram_folio);
	default: return machine.io_base_pfn + (pmd ? HPAGE_PMD_NR : 7);
	}
}

/*
 * The VMA for @v.  Raw pfns sit at their linear position (vm_pgoff + index
 * == pfn, as remap_pfn_range() puts them), so that the V7 linear rule sees
 * an original pfn; CoW'ed anon folios are anywhere.
 */
static void make_vma(struct vm_area_struct *vma, enum vkind v, unsigned long linear_pfn)
{
	memset(vma, 0, sizeof(*vma));
	vma->vm_mm = &fake_mm;
	vma->vm_start = VA;
	vma->vm_end = VA + PMD_SIZE;
	vma->vm_flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;
	vma->anon_vma = &test_anon_vma;
	vma->vm_pgoff = linear_pfn;
	if (v != V_COW_PFNMAP && v != V_ANON)
		vma->vm_flags |= VM_SHARED | VM_MAYSHARE;
	if (v == V_PFNMAP || v == V_COW_PFNMAP)
		vma->vm_flags |= VM_PFNMAP | VM_IO;
	if (v == V_MIXED)
		vma->vm_flags |= VM_MIXEDMAP;
	if (v != V_ANON)
		vma->vm_ops = &file_ops;
}

static bool installed_special(enum vkind v, enum pkind p)
{
	if (p == P_ZERO || p == P_HZERO)
		return true;			/* R2a, R13 */
	if (p == P_ANON)
		return false;			/* CoW'ed or anon fault: never special */
	return v == V_PFNMAP || v == V_COW_PFNMAP || v == V_MIXED;	/* insert_pfn, remap */
}

/* The expected answer of each cell, with the rule that gives it. */
static enum answer expected(bool special_on, enum vkind v, enum pkind p)
{
	if (p == P_ZERO || p == P_HZERO)
		return A_NULL;				/* R2a; R4.3 (on), R8 (off) */
	if (special_on) {
		if (installed_special(v, p))
			return A_NULL;			/* R4.2 */
		if (p == P_IO)
			return A_NULL_BADMAP;		/* R9, V8 report_null */
		return A_PAGE;				/* R3 */
	}
	switch (v) {
	case V_PFNMAP:
		return A_NULL;				/* R2b, R6, T5 */
	case V_COW_PFNMAP:
		return p == P_ANON ? A_PAGE : A_NULL;	/* R6 linear: CoW'ed vs original, T6 */
	case V_MIXED:
		return p == P_IO ? A_NULL : A_PAGE;	/* R5, T4 */
	default:
		return p == P_IO ? A_NULL_BADMAP : A_PAGE;	/* R2e, R9 */
	}
}

static void check_cell(bool special_on, enum vkind v, enum pkind p, bool pmd)
{
	unsigned long pfn = pfn_of(p, pmd);
	bool special = special_on && installed_special(v, p);
	enum answer want = expected(special_on, v, p);
	long bad = vm_event(BAD_PAGE_MAP);
	struct vm_area_struct vma;
	struct page *page;

	machine.cfg.pte_special = special_on;
	make_vma(&vma, v, p == P_ANON ? pfn + 1 : pfn);
	if (pmd) {
		pmd_t e = pmd_mkhuge(pfn_pmd(pfn, PAGE_READONLY));

		page = vm_normal_page_pmd(&vma, VA, special ? pmd_mkspecial(e) : e);
	} else {
		pte_t e = pfn_pte(pfn, PAGE_READONLY);

		page = vm_normal_page(&vma, VA, special ? pte_mkspecial(e) : e);
	}
	if ((want == A_PAGE) != (page != NULL) ||
	    (vm_event(BAD_PAGE_MAP) - bad) != (want == A_NULL_BADMAP)) {
		fail_msg("%s special=%d vma=%s page=%s: got %s, badmap +%ld, want %d",
			 pmd ? "pmd" : "pte", special_on, vnames[v], pnames[p],
			 page ? "page" : "NULL", vm_event(BAD_PAGE_MAP) - bad, want);
	}
	if (page)
		assert_int_equal(page_to_pfn(page), pfn);
	machine.cfg.pte_special = true;
}

/* R1-R9: the whole matrix at the PTE level. */
static void test_matrix_pte(void **state)
{
	(void)state;
	for (int s = 0; s < 2; s++)
		for (int v = 0; v < NR_VKIND; v++)
			for (int p = 0; p < NR_PKIND; p++)
				check_cell(s, v, p, false);
}

/* R11-R13: the same matrix at the PMD level (V15 new: one helper, R12). */
static void test_matrix_pmd(void **state)
{
	(void)state;
	for (int s = 0; s < 2; s++)
		for (int v = 0; v < NR_VKIND; v++)
			for (int p = 0; p < NR_PKIND; p++)
				check_cell(s, v, p, true);
}

/* T3 (R4.4): a special PTE to a non-zero pfn in a plain VMA is a bad map. */
static void test_t3_special_in_plain_vma(void **state)
{
	struct vm_area_struct vma;
	long bad = vm_event(BAD_PAGE_MAP);

	(void)state;
	make_vma(&vma, V_FILE, 0);
	assert_null(vm_normal_page(&vma, VA, pte_mkspecial(pfn_pte(folio_pfn(ram_folio),
								     PAGE_READONLY))));
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad + 1);
}

/* T12 (R8): V1 off, a plain VMA, a PTE into the huge zero folio. */
static void test_t12_huge_zero_at_pte(void **state)
{
	struct vm_area_struct vma;
	pte_t e = pfn_pte(machine.huge_zero_pfn + 5, PAGE_READONLY);

	(void)state;
	make_vma(&vma, V_FILE, 0);
	machine.cfg.pte_special = false;
	assert_null(vm_normal_page(&vma, VA, e));
	machine.cfg.normal_page_impl = FL_NORMAL_PAGE_OLD;
	assert_ptr_equal(vm_normal_page(&vma, VA, e), pfn_to_page(machine.huge_zero_pfn + 5));
	machine.cfg.normal_page_impl = FL_NORMAL_PAGE_NEW;
	machine.cfg.pte_special = true;
}

/*
 * T13 (R11): a special PMD to a non-zero pfn in a plain VMA.  V15 old: NULL
 * silently.  V15 new (Linux 6.18): NULL and a Bad page map report (SPEC
 * says a debug warning; 6.18's shared helper reports, see the report).
 */
static void test_t13_special_pmd_plain_vma(void **state)
{
	struct vm_area_struct vma;
	pmd_t e = pmd_mkspecial(pmd_mkhuge(pfn_pmd(folio_pfn(ram_thp), PAGE_READONLY)));
	long bad = vm_event(BAD_PAGE_MAP);

	(void)state;
	make_vma(&vma, V_FILE, 0);
	assert_null(vm_normal_page_pmd(&vma, VA, e));
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad + 1);
	machine.cfg.normal_page_impl = FL_NORMAL_PAGE_OLD;
	assert_null(vm_normal_page_pmd(&vma, VA, e));
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad + 1);
	machine.cfg.normal_page_impl = FL_NORMAL_PAGE_NEW;
}

/* T14 (R15): vm_normal_page_pud. */
static void test_t14_pud(void **state)
{
	struct vm_area_struct vma;
	pud_t e = pud_mkspecial(pud_mkhuge(pfn_pud(machine.io_base_pfn, PAGE_READONLY)));
	long bad = vm_event(BAD_PAGE_MAP);

	(void)state;
	make_vma(&vma, V_PFNMAP, machine.io_base_pfn);
	assert_null(vm_normal_page_pud(&vma, VA, e));
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad);
	make_vma(&vma, V_FILE, 0);
	assert_null(vm_normal_page_pud(&vma, VA, e));
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad + 1);
	/* a non-special PUD leaf of RAM is normal (the folio case of T14) */
	assert_non_null(vm_normal_page_pud(&vma, VA,
					   pud_mkhuge(pfn_pud(folio_pfn(ram_thp), PAGE_READONLY))));
}

static struct page *hook_page;
static struct page *find_hook(struct vm_area_struct *vma, uint64_t addr)
{
	(void)vma;
	(void)addr;
	return hook_page;
}

/* T16 (R4.1, R20, V6): the find_normal_page hook. */
static void test_t16_find_normal_page(void **state)
{
	static const struct vm_operations_struct hook_ops = {
		.name = "gntdev", .find_normal_page = find_hook,
	};
	struct vm_area_struct vma;
	pte_t e = pte_mkspecial(pfn_pte(machine.io_base_pfn + 3, PAGE_READONLY));
	long bad = vm_event(BAD_PAGE_MAP);

	(void)state;
	hook_page = &ram_folio->page;
	make_vma(&vma, V_PFNMAP, 0);
	vma.vm_ops = &hook_ops;
	machine.cfg.find_normal_page = true;
	assert_ptr_equal(vm_normal_page(&vma, VA, e), hook_page);
	machine.cfg.find_normal_page = false;
	assert_null(vm_normal_page(&vma, VA, e));
	vma.vm_flags &= ~(VM_PFNMAP | VM_IO);
	assert_null(vm_normal_page(&vma, VA, e));
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad + 1);
}

/* T17 (R9, V8): a non-special PTE beyond the memmap. */
static void test_t17_memmap_plausibility(void **state)
{
	struct vm_area_struct vma;
	pte_t e = pfn_pte(machine.io_base_pfn + 9, PAGE_READONLY);
	long bad = vm_event(BAD_PAGE_MAP), warn = vm_event(VM_WARN);
	struct page *page;

	(void)state;
	make_vma(&vma, V_FILE, 0);
	assert_null(vm_normal_page(&vma, VA, e));
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad + 1);
	machine.cfg.memmap_plausibility = FL_MEMMAP_WARN_RETURN;
	page = vm_normal_page(&vma, VA, e);
	assert_non_null(page);
	assert_true(vm_normal_page_is_invalid(page));
	assert_null(vm_normal_folio(&vma, VA, e));
	assert_int_equal(vm_event(VM_WARN), warn + 2);
	machine.cfg.memmap_plausibility = FL_MEMMAP_REPORT_NULL;
	assert_int_equal(vm_event(BAD_PAGE_MAP), bad + 1);
}

/* T9 (R7, R23): the /dev/mem hazard, V1 off. */
static void test_t9_devmem_hazard(void **state)
{
	struct vm_area_struct vma;
	static struct anon_vma other;
	unsigned long pfn = folio_pfn(anon_folio);
	pte_t e = pfn_pte(pfn, PAGE_READONLY);
	long warn = vm_event(VM_WARN);

	(void)state;
	/* R's frame was mapped linearly by remap_pfn_range(), then became anon elsewhere */
	make_vma(&vma, V_COW_PFNMAP, pfn);
	vma.anon_vma = &other;
	machine.cfg.pte_special = false;
	assert_null(vm_normal_page(&vma, VA, e));		/* linear: correct */
	machine.cfg.cow_pfnmap_detect = FL_COW_PFNMAP_ANON_LOOKUP;
	assert_non_null(vm_normal_page(&vma, VA, e));		/* misclassified */
	assert_int_equal(vm_event(VM_WARN), warn + 1);		/* and flagged */
	machine.cfg.cow_pfnmap_detect = FL_COW_PFNMAP_LINEAR;
	machine.cfg.pte_special = true;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_pte),
		cmocka_unit_test(test_matrix_pmd),
		cmocka_unit_test(test_t3_special_in_plain_vma),
		cmocka_unit_test(test_t12_huge_zero_at_pte),
		cmocka_unit_test(test_t13_special_pmd_plain_vma),
		cmocka_unit_test(test_t14_pud),
		cmocka_unit_test(test_t16_find_normal_page),
		cmocka_unit_test(test_t17_memmap_plausibility),
		cmocka_unit_test(test_t9_devmem_hazard),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
