// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_remap_walk.c - remap_pfn_range() under both V7 values (T7, T8;
 * R21, R22, R26, R37), folio_walk_start() at the PUD level (T15, R16),
 * the huge insert paths' argument and occupancy rules (T26, T29, T30,
 * T32; R33-R38, Q18), and what becomes of a PUD leaf afterwards (R38):
 * fork's copy, mprotect's change, split and zap.
 */
#include <errno.h>
#include <string.h>

#include "core_test.h"

#define X	0x40000000ull		/* 1 GiB aligned */
#define A	0x80000000ull

static const struct vm_operations_struct drv_ops = { .name = "drv" };

static struct vm_area_struct *map_drv(struct mm_struct *mm, uint64_t addr, uint64_t len,
				      int flags)
{
	int64_t a = do_mmap(mm, addr, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, &drv_ops,
			    NULL, 0, NULL);

	assert_int_equal(a, (int64_t)addr);
	return vma_lookup(mm, addr);
}

static struct fl_leaf leaf_at(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf;

	fl_walk(mm, addr, &leaf);
	return leaf;
}

/* An anon folio of @mm: write one page of a private anon mapping at @addr. */
static unsigned long anon_pfn(struct mm_struct *mm, uint64_t addr, uint64_t len)
{
	struct fl_access_result res;
	uint8_t b = 1;

	assert_int_equal(do_mmap(mm, addr, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 (int64_t)addr);
	if (len >= PMD_SIZE)
		assert_int_equal(do_madvise(mm, addr, len, MADV_HUGEPAGE), 0);
	assert_int_equal(fl_access(mm, addr, true, &b, 1, &res), 0);
	return leaf_at(mm, addr).pfn;
}

/* T7 (R21, R22): a CoW PFN map of 8 pages, remap of pages 2..5 only. */
static void test_t7_partial_remap(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = map_drv(mm, X, 8 * PAGE_SIZE, MAP_PRIVATE);
	unsigned long io = machine.io_base_pfn;

	(void)state;
	machine.cfg.pte_special = false;
	assert_int_equal(remap_pfn_range(vma, X + 2 * PAGE_SIZE, io, 4 * PAGE_SIZE,
					 vma->vm_page_prot), -EINVAL);
	for (int i = 0; i < 8; i++)
		assert_int_equal(leaf_at(mm, X + i * PAGE_SIZE).level, 0);
	machine.cfg.cow_pfnmap_detect = FL_COW_PFNMAP_ANON_LOOKUP;
	assert_int_equal(remap_pfn_range(vma, X + 2 * PAGE_SIZE, io, 4 * PAGE_SIZE,
					 vma->vm_page_prot), 0);
	assert_int_equal(vma->vm_pgoff, 0);			/* untouched */
	assert_true(vma->vm_flags & VM_PFNMAP);
	for (int i = 2; i < 6; i++) {
		struct fl_leaf l = leaf_at(mm, X + i * PAGE_SIZE);

		assert_int_equal(l.pfn, io + i - 2);
		assert_null(vm_normal_page(vma, X + i * PAGE_SIZE, __pte(l.entry)));
	}
	assert_invariants(mm);
	test_mmput(mm);
	machine.cfg.cow_pfnmap_detect = FL_COW_PFNMAP_LINEAR;
	/* V7 linear, whole VMA: vm_pgoff becomes the first pfn (T6 step 1) */
	mm = test_mm_alloc();
	vma = map_drv(mm, X, 8 * PAGE_SIZE, MAP_PRIVATE);
	assert_int_equal(remap_pfn_range(vma, X, io + 8, 8 * PAGE_SIZE, vma->vm_page_prot), 0);
	assert_int_equal(vma->vm_pgoff, io + 8);
	test_mmput(mm);
	machine.cfg.pte_special = true;
}

/* T8 (R22, R26, R37): anon pfns refused in a CoW PFN map (V1 off, anon_lookup). */
static void test_t8_anon_pfn_sanity(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	unsigned long a = anon_pfn(mm, A, PAGE_SIZE), thp = anon_pfn(mm, A + PMD_SIZE, PMD_SIZE);
	struct vm_area_struct *vma = map_drv(mm, X, PMD_SIZE, MAP_PRIVATE);
	struct vm_fault vmf = { .vma = vma, .address = X };
	pgd_t *pgd = pgd_offset(&mm->pgt, X);

	(void)state;
	assert_true(leaf_at(mm, A + PMD_SIZE).level == 2);
	vma->vm_flags |= VM_PFNMAP | VM_IO;
	vmf.pud = pud_offset(pgd, X);
	assert_int_equal(__pmd_alloc(&mm->pgt, vmf.pud), 0);
	vmf.pmd = pmd_offset(vmf.pud, X);
	for (int special = 0; special < 2; special++) {
		machine.cfg.pte_special = special;
		machine.cfg.cow_pfnmap_detect = FL_COW_PFNMAP_ANON_LOOKUP;
		if (!special) {
			assert_int_equal(remap_pfn_range(vma, X, a, PAGE_SIZE, vma->vm_page_prot),
					 -EINVAL);
			assert_int_equal(vmf_insert_pfn(vma, X, a), VM_FAULT_SIGBUS);
			assert_int_equal(vmf_insert_pfn_pmd(&vmf, thp, false), VM_FAULT_SIGBUS);
			assert_int_equal(leaf_at(mm, X).level, 0);
			continue;
		}
		/* V1 on: the check is a stub, all three succeed */
		assert_int_equal(remap_pfn_range(vma, X, a, PAGE_SIZE, vma->vm_page_prot), 0);
		assert_int_equal(vmf_insert_pfn(vma, X + PAGE_SIZE, a), VM_FAULT_NOPAGE);
		assert_int_equal(leaf_at(mm, X + PAGE_SIZE).pfn, a);
	}
	assert_invariants(mm);
	test_mmput(mm);
	machine.cfg.cow_pfnmap_detect = FL_COW_PFNMAP_LINEAR;
	machine.cfg.pte_special = true;
}

/* T15 (R16): folio_walk_start at PUD level, V15 new and old. */
static void test_t15_folio_walk_pud(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = map_drv(mm, X, PUD_SIZE, MAP_SHARED);
	struct folio *thp = folio_alloc(__GFP_COMP, HPAGE_PMD_ORDER);
	pgd_t *pgd = pgd_offset(&mm->pgt, X);
	pud_t *pud;
	struct folio_walk fw;

	(void)state;
	assert_int_equal(__pud_alloc(&mm->pgt, pgd), 0);
	pud = pud_offset(pgd, X);
	vma->vm_flags |= VM_PFNMAP | VM_IO;
	/* none */
	assert_null(folio_walk_start(&fw, vma, X, 0));
	/* special leaf in a PFN map: not found in both */
	set_pud(pud, pud_mkspecial(pud_mkhuge(pfn_pud(machine.io_base_pfn, PAGE_SHARED))));
	assert_null(folio_walk_start(&fw, vma, X, 0));
	machine.cfg.normal_page_impl = FL_NORMAL_PAGE_OLD;
	assert_null(folio_walk_start(&fw, vma, X, 0));
	/* non-special leaf, V1 off, non-CoW PFN map of RAM: new not found, old found */
	machine.cfg.pte_special = false;
	set_pud(pud, pud_mkhuge(pfn_pud(folio_pfn(thp), PAGE_SHARED)));
	assert_non_null(folio_walk_start(&fw, vma, X, 0));
	assert_int_equal(fw.level, FW_LEVEL_PUD);
	machine.cfg.normal_page_impl = FL_NORMAL_PAGE_NEW;
	assert_null(folio_walk_start(&fw, vma, X, 0));
	/* a non-present (migration-encoded) PUD leaf: not found */
	set_pud(pud, __pud(((uint64_t)folio_pfn(thp) << PAGE_SHIFT) | _PAGE_PSE));
	assert_null(folio_walk_start(&fw, vma, X, 0));
	machine.cfg.pte_special = true;
	set_pud(pud, __pud(0));
	/* a table: descend to the PMD level (T15's second PUD; R17 with FW_ZEROPAGE) */
	assert_int_equal(__pmd_alloc(&mm->pgt, pud), 0);
	set_pmd(pmd_offset(pud, X), pmd_mkhuge(pfn_pmd(folio_pfn(thp), PAGE_SHARED)));
	vma->vm_flags &= ~(VM_PFNMAP | VM_IO);
	assert_ptr_equal(folio_walk_start(&fw, vma, X + PAGE_SIZE, 0), thp);
	assert_int_equal(fw.level, FW_LEVEL_PMD);
	assert_ptr_equal(fw.page, folio_page(thp, 1));
	set_pmd(pmd_offset(pud, X), __pmd(0));
	test_mmput(mm);
	folio_put(thp);
}

/* Write-notify PTEs (as with pfn_mkwrite) and the tables down to X's PMD in @vmf. */
static void pmd_tables_at_x(struct mm_struct *mm, struct vm_fault *vmf)
{
	pgd_t *pgd = pgd_offset(&mm->pgt, X);

	vmf->vma->vm_page_prot = PAGE_READONLY;
	assert_int_equal(__pud_alloc(&mm->pgt, pgd), 0);
	vmf->pud = pud_offset(pgd, X);
	assert_int_equal(__pmd_alloc(&mm->pgt, vmf->pud), 0);
	vmf->pmd = pmd_offset(vmf->pud, X);
}

/* T26, T29, T30 (R33-R36, Q18, V10): vmf_insert_folio_pmd. */
static void test_folio_pmd(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = map_drv(mm, X + PMD_SIZE / 2, 4 * PMD_SIZE, MAP_SHARED);
	struct folio *f = folio_alloc(__GFP_COMP, HPAGE_PMD_ORDER), *small = folio_alloc(0, 0);
	struct vm_fault vmf = { .vma = vma, .address = X + PMD_SIZE / 2 };
	long warn = vm_event(VM_WARN);

	(void)state;
	pmd_tables_at_x(mm, &vmf);
	/* T26 (i): the PMD starts below vm_start: SIGBUS, nothing allocated */
	assert_int_equal(vmf_insert_folio_pmd(&vmf, f, false), VM_FAULT_SIGBUS);
	assert_int_equal(vm_event(VM_WARN), warn);
	/* T26 (ii)/(iii): order 0: warn +1, SIGBUS (order checked first, Q18) */
	assert_int_equal(vmf_insert_folio_pmd(&vmf, small, false), VM_FAULT_SIGBUS);
	assert_int_equal(vm_event(VM_WARN), warn + 1);
	/* T27: into an empty PMD inside the VMA, write */
	vmf.address = X + PMD_SIZE;
	vmf.pmd = pmd_offset(vmf.pud, vmf.address);
	assert_int_equal(vmf_insert_folio_pmd(&vmf, f, false), VM_FAULT_NOPAGE);
	assert_int_equal(folio_ref_count(f), 2);
	assert_int_equal(folio_entire_mapcount(f), 1);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), HPAGE_PMD_NR);
	assert_false(pmd_write(pmdp_get(vmf.pmd)));
	/* T29 (i): same folio, write: W, D, Y */
	assert_int_equal(vmf_insert_folio_pmd(&vmf, f, true), VM_FAULT_NOPAGE);
	assert_true(pmd_write(pmdp_get(vmf.pmd)) && pmd_dirty(pmdp_get(vmf.pmd)));
	assert_int_equal(folio_ref_count(f), 2);
	/* T30 (V10 on, V3 on): the huge zero folio, never counted, special */
	assert_true(get_huge_zero_folio());
	vmf.address = X + 2 * PMD_SIZE;
	vmf.pmd = pmd_offset(vmf.pud, vmf.address);
	assert_int_equal(vmf_insert_folio_pmd(&vmf, machine.huge_zero_folio, false),
			 VM_FAULT_NOPAGE);
	assert_true(pmd_special(pmdp_get(vmf.pmd)));
	assert_null(vm_normal_page_pmd(vma, vmf.address, pmdp_get(vmf.pmd)));
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), HPAGE_PMD_NR);
	/* T29 (ii): over the huge zero PMD with another folio, write: no warning */
	assert_int_equal(vmf_insert_folio_pmd(&vmf, f, true), VM_FAULT_NOPAGE);
	assert_int_equal(vm_event(VM_WARN), warn + 1);
	assert_true(is_huge_zero_pmd(pmdp_get(vmf.pmd)));
	set_pmd(vmf.pmd, __pmd(0));
	put_huge_zero_folio();
	assert_invariants(mm);
	test_mmput(mm);
	assert_int_equal(folio_ref_count(f), 1);
	folio_put(f);
	folio_put(small);
	shrink_huge_zero_folio();
}

/*
 * T29 (iii) and (iv) (R34, R83, Q8, V9): the write upgrade of an occupied
 * PMD leaves it alone unless it is present and maps the same folio.
 * (iii) another folio G: unchanged, warn +1, no reference moves;
 * (iv) a non-present, migration-encoded PMD whose pfn bits are F: V9 on
 * leaves it bitwise identical (and counts it), V9 off rewrites it, the
 * failure R83 exists to prevent.
 */
static void test_t29_occupied_pmd(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = map_drv(mm, X, 2 * PMD_SIZE, MAP_SHARED);
	struct folio *f = folio_alloc(__GFP_COMP, HPAGE_PMD_ORDER);
	struct folio *g = folio_alloc(__GFP_COMP, HPAGE_PMD_ORDER);
	struct vm_fault vmf = { .vma = vma, .address = X };
	long warn = vm_event(VM_WARN), nonpresent = vm_event(NONPRESENT_AT_INSERT);
	pmd_t before, migr;

	(void)state;
	assert_non_null(f);
	assert_non_null(g);
	pmd_tables_at_x(mm, &vmf);
	/* (iii) */
	assert_int_equal(vmf_insert_folio_pmd(&vmf, g, false), VM_FAULT_NOPAGE);
	before = pmdp_get(vmf.pmd);
	assert_int_equal(vmf_insert_folio_pmd(&vmf, f, true), VM_FAULT_NOPAGE);
	assert_int_equal(pmdp_get(vmf.pmd).pmd, before.pmd);
	assert_int_equal(vm_event(VM_WARN), warn + 1);
	assert_int_equal(folio_ref_count(f), 1);
	assert_int_equal(folio_ref_count(g), 2);
	assert_int_equal(folio_entire_mapcount(f), 0);
	assert_invariants(mm);
	/* (iv), V9 on */
	vmf.address = X + PMD_SIZE;
	vmf.pmd = pmd_offset(vmf.pud, vmf.address);
	migr = __pmd((uint64_t)folio_pfn(f) << PAGE_SHIFT);	/* pfn bits only: not present */
	assert_false(pmd_present(migr));
	set_pmd(vmf.pmd, migr);
	assert_int_equal(vmf_insert_folio_pmd(&vmf, f, true), VM_FAULT_NOPAGE);
	assert_int_equal(pmdp_get(vmf.pmd).pmd, migr.pmd);
	assert_int_equal(vm_event(NONPRESENT_AT_INSERT), nonpresent + 1);
	assert_int_equal(vm_event(VM_WARN), warn + 1);
	assert_int_equal(folio_ref_count(f), 1);
	/* (iv), V9 off: the old code "upgrades" the non-present entry */
	machine.cfg.insert_present_check = false;
	assert_int_equal(vmf_insert_folio_pmd(&vmf, f, true), VM_FAULT_NOPAGE);
	machine.cfg.insert_present_check = true;
	assert_true(pmdp_get(vmf.pmd).pmd != migr.pmd);
	set_pmd(vmf.pmd, __pmd(0));	/* never a real entry: nothing to zap */
	test_mmput(mm);
	assert_int_equal(folio_ref_count(g), 1);
	folio_put(f);
	folio_put(g);
}

/* T30 with V10 off (R35): the pre-p06 state counts the huge zero folio like any folio. */
static void test_t30_huge_zero_v10_off(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = map_drv(mm, X, PMD_SIZE, MAP_SHARED);
	struct vm_fault vmf = { .vma = vma, .address = X };
	pgd_t *pgd = pgd_offset(&mm->pgt, X);
	struct folio *hz;
	int ref;

	(void)state;
	assert_true(get_huge_zero_folio());
	hz = machine.huge_zero_folio;
	ref = folio_ref_count(hz);
	assert_int_equal(__pud_alloc(&mm->pgt, pgd), 0);
	vmf.pud = pud_offset(pgd, X);
	assert_int_equal(__pmd_alloc(&mm->pgt, vmf.pud), 0);
	vmf.pmd = pmd_offset(vmf.pud, X);
	machine.cfg.huge_zero_in_folio_pmd = false;
	assert_int_equal(vmf_insert_folio_pmd(&vmf, hz, false), VM_FAULT_NOPAGE);
	machine.cfg.huge_zero_in_folio_pmd = true;
	assert_int_equal(folio_ref_count(hz), ref + 1);
	assert_int_equal(folio_entire_mapcount(hz), 1);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), HPAGE_PMD_NR);
	assert_false(pmd_special(pmdp_get(vmf.pmd)));
	/* undo by hand: zap_huge_pmd() rightly treats the huge zero PMD as uncounted */
	set_pmd(vmf.pmd, __pmd(0));
	folio_remove_rmap_pmd(hz, vma);
	add_mm_counter(mm, MM_FILEPAGES, -HPAGE_PMD_NR);
	folio_ref_add(hz, -1);
	put_huge_zero_folio();
	test_mmput(mm);
	shrink_huge_zero_folio();
}

/* T32 (R38): PUD inserts of raw pfns (no PUD-order folios in 64 MiB). */
static void test_t32_pud(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = map_drv(mm, X, PUD_SIZE, MAP_SHARED);
	struct folio *small = folio_alloc(0, 0);
	struct vm_fault vmf = { .vma = vma, .address = X };
	pgd_t *pgd = pgd_offset(&mm->pgt, X);
	unsigned long io = 1ul << (PUD_SHIFT - PAGE_SHIFT);	/* 1 GiB aligned, device range */
	long warn = vm_event(VM_WARN);
	pud_t e;

	(void)state;
	assert_true(pfn_is_io(io));
	vma->vm_flags |= VM_MIXEDMAP;
	vma->vm_page_prot = PAGE_READONLY;	/* write-notify, as with pfn_mkwrite */
	assert_int_equal(__pud_alloc(&mm->pgt, pgd), 0);
	vmf.pud = pud_offset(pgd, X);
	assert_int_equal(vmf_insert_folio_pud(&vmf, small, false), VM_FAULT_SIGBUS);	/* (ii) */
	assert_int_equal(vm_event(VM_WARN), warn + 1);		/* WARN_ON_ONCE(order) */
	vmf.address = X + PUD_SIZE;
	assert_int_equal(vmf_insert_pfn_pud(&vmf, io, false), VM_FAULT_SIGBUS);	/* (iii) */
	vmf.address = X;
	assert_int_equal(vmf_insert_pfn_pud(&vmf, io, false), VM_FAULT_NOPAGE);
	e = pudp_get(vmf.pud);
	assert_true(pud_special(e) && !pud_write(e));
	assert_int_equal(mm_nr_ptes(mm), 0);					/* no deposit */
	assert_int_equal(vmf_insert_pfn_pud(&vmf, io, true), VM_FAULT_NOPAGE);	/* (iv) */
	e = pudp_get(vmf.pud);
	assert_true(pud_write(e) && pud_dirty(e) && pud_young(e));
	assert_int_equal(vmf_insert_pfn_pud(&vmf, io + (PUD_SIZE >> PAGE_SHIFT), true),
			 VM_FAULT_NOPAGE);					/* (v) */
	assert_int_equal(vm_event(VM_WARN), warn + 2);
	assert_int_equal(pud_pfn(pudp_get(vmf.pud)), io);
	/* (vi) non-present: untouched with V9 on */
	set_pud(vmf.pud, __pud(((uint64_t)io << PAGE_SHIFT) | _PAGE_PSE));
	assert_int_equal(vmf_insert_pfn_pud(&vmf, io, true), VM_FAULT_NOPAGE);
	assert_int_equal(pudp_get(vmf.pud).pud, ((uint64_t)io << PAGE_SHIFT) | _PAGE_PSE);
	/* munmap zaps even a non-present leaf; free_pgtables() would report one left */
	test_mmput(mm);
	assert_int_equal(fl_bug_count(), 0);
	folio_put(small);
}

/* A special PUD of device frames at @X in @vma, as the mixed driver installs it. */
static pud_t *insert_io_pud(struct mm_struct *mm, struct vm_area_struct *vma, bool write)
{
	pgd_t *pgd = pgd_offset(&mm->pgt, X);
	struct vm_fault vmf = { .vma = vma, .address = X };
	unsigned long io = 1ul << (PUD_SHIFT - PAGE_SHIFT);

	if (pgd_none(pgdp_get(pgd)))
		assert_int_equal(__pud_alloc(&mm->pgt, pgd), 0);
	vmf.pud = pud_offset(pgd, X);
	assert_int_equal(vmf_insert_pfn_pud(&vmf, io, write), VM_FAULT_NOPAGE);
	assert_true(pud_leaf(pudp_get(vmf.pud)));
	return vmf.pud;
}

/*
 * The life of a PUD leaf after insert_pud() (R38): copy_huge_pud()
 * write-protects both sides only in a CoW mapping and makes the child's
 * copy old; change_huge_pud() applies a protection in place;
 * __split_huge_pud() clears it (THP_SPLIT_PUD +1); zap_huge_pud() clears a
 * leaf and refuses anything else.  Raw pfns: no counter moves anywhere.
 */
static void test_pud_leaf_lifecycle(void **state)
{
	struct mm_struct *mm = test_mm_alloc(), *child = test_mm_alloc();
	struct vm_area_struct *vma = map_drv(mm, X, PUD_SIZE, MAP_PRIVATE);
	pgd_t *cpgd = pgd_offset(&child->pgt, X);
	long splits = vm_event(THP_SPLIT_PUD);
	pud_t *pud, *cpud, e;

	(void)state;
	vma->vm_flags |= VM_MIXEDMAP;
	pud = insert_io_pud(mm, vma, true);
	assert_true(pud_write(pudp_get(pud)) && pud_young(pudp_get(pud)));
	assert_int_equal(__pud_alloc(&child->pgt, cpgd), 0);
	cpud = pud_offset(cpgd, X);
	/* CoW mapping: both sides lose W, the child's copy is old, same pfn */
	assert_int_equal(copy_huge_pud(child, mm, cpud, pud, X, vma), 0);
	e = pudp_get(cpud);
	assert_false(pud_write(e) || pud_young(e));
	assert_false(pud_write(pudp_get(pud)));
	assert_true(pud_young(pudp_get(pud)));
	assert_int_equal(pud_pfn(e), pud_pfn(pudp_get(pud)));
	assert_true(pud_special(e));
	/* a shared mapping keeps W */
	set_pud(cpud, __pud(0));
	vma->vm_flags |= VM_SHARED | VM_MAYSHARE;
	set_pud(pud, pud_mkwrite(pudp_get(pud)));
	assert_int_equal(copy_huge_pud(child, mm, cpud, pud, X, vma), 0);
	assert_true(pud_write(pudp_get(cpud)) && pud_write(pudp_get(pud)));
	/* change_huge_pud(): PAGE_NONE in place keeps the pfn and the special bit */
	assert_int_equal(change_huge_pud(vma, pud, X, PAGE_NONE), 1);
	e = pudp_get(pud);
	assert_true(pud_leaf(e) && !pud_present(e) && pud_special(e));
	assert_int_equal(pud_pfn(e), 1ul << (PUD_SHIFT - PAGE_SHIFT));
	assert_int_equal(change_huge_pud(vma, pud, X, PAGE_SHARED), 1);
	assert_true(pud_present(pudp_get(pud)) && pud_write(pudp_get(pud)));
	/* split: cleared, counted */
	__split_huge_pud(vma, pud, X + PMD_SIZE);
	assert_true(pud_none(pudp_get(pud)));
	assert_int_equal(vm_event(THP_SPLIT_PUD), splits + 1);
	/* zap: a leaf goes, anything else is refused */
	assert_true(zap_huge_pud(vma, cpud, X));
	assert_true(pud_none(pudp_get(cpud)));
	assert_false(zap_huge_pud(vma, cpud, X));
	assert_int_equal(change_huge_pud(vma, cpud, X, PAGE_SHARED), 0);
	assert_int_equal(copy_huge_pud(child, mm, cpud, pud, X, vma), -11);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(child, MM_FILEPAGES), 0);
	assert_invariants(mm, child);
	test_mmput(child);
	test_mmput(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t7_partial_remap),
		cmocka_unit_test(test_t8_anon_pfn_sanity),
		cmocka_unit_test(test_t15_folio_walk_pud),
		cmocka_unit_test(test_folio_pmd),
		cmocka_unit_test(test_t29_occupied_pmd),
		cmocka_unit_test(test_t30_huge_zero_v10_off),
		cmocka_unit_test(test_t32_pud),
		cmocka_unit_test(test_pud_leaf_lifecycle),
	};

	return cmocka_run_group_tests(tests, machine_up, machine_down);
}
