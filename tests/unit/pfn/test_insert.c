// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_insert.c - the insert paths of SPEC.md 2b on a real address space:
 * insert_pfn through vmf_insert_pfn()/vmf_insert_mixed_mkwrite() (T18-T21,
 * R25-R28), insert_page through vmf_insert_page_mkwrite() (T22-T25, R29-R32),
 * and the pfn side of insert_pmd (T31(i), R33-R35) with V2's deposit.
 */
#include <errno.h>

#include "core_test.h"

#define X	0x40000000ull

static struct vm_area_struct *mixed_vma(struct mm_struct *mm)
{
	int64_t a = fl_driver_mmap(mm, X, 2 * PMD_SIZE, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, false, machine.io_base_pfn);

	assert_int_equal(a, (int64_t)X);
	return vma_lookup(mm, X);
}

static uint64_t *fl_walk_entryp(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf;

	fl_walk(mm, addr, &leaf);
	return leaf.entryp;
}

static pte_t pte_at(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf;

	fl_walk(mm, addr, &leaf);
	return leaf.level == 1 ? __pte(leaf.entry) : __pte(0);
}

/* T18, T19, T20 (R27): insert_pfn into none, upgrade, different pfn. */
static void test_insert_pfn(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = mixed_vma(mm);
	unsigned long p = machine.io_base_pfn + 1, q = machine.io_base_pfn + 2;
	long warn = vm_event(VM_WARN);
	pte_t e;

	(void)state;
	assert_int_equal(vmf_insert_mixed(vma, X, p), VM_FAULT_NOPAGE);
	e = pte_at(mm, X);
	assert_int_equal(pte_pfn(e), p);
	assert_true(pte_special(e));
	assert_false(pte_dirty(e));
	/* T19: mkwrite of the same pfn: D, Y and W (VM_WRITE) */
	assert_int_equal(vmf_insert_mixed_mkwrite(vma, X, p), VM_FAULT_NOPAGE);
	e = pte_at(mm, X);
	assert_true(pte_dirty(e) && pte_young(e) && pte_write(e));
	/* T20 (ii): a different pfn: unchanged, warn +1 */
	assert_int_equal(vmf_insert_mixed_mkwrite(vma, X, q), VM_FAULT_NOPAGE);
	assert_int_equal(pte_pfn(pte_at(mm, X)), p);
	assert_int_equal(vm_event(VM_WARN), warn + 1);
	/* R28: outside the VMA is SIGBUS */
	assert_int_equal(vmf_insert_mixed(vma, X + 4 * PMD_SIZE, p), VM_FAULT_SIGBUS);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 0);
	assert_invariants(mm);
	test_mmput(mm);
}

/* T21 (R27, R29, R83, V9): mkwrite over a non-present entry. */
static void test_insert_nonpresent(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = mixed_vma(mm);
	unsigned long p = machine.io_base_pfn + 1;
	struct fl_leaf leaf;
	uint64_t garbage = (uint64_t)p << PAGE_SHIFT;	/* pfn bits only, not present */

	(void)state;
	assert_int_equal(vmf_insert_mixed(vma, X, p), VM_FAULT_NOPAGE);
	fl_walk(mm, X, &leaf);
	write_once_u64(leaf.entryp, garbage);
	assert_int_equal(vmf_insert_mixed_mkwrite(vma, X, p), VM_FAULT_NOPAGE);
	assert_int_equal(read_once_u64(leaf.entryp), garbage);	/* V9 on: untouched */
	machine.cfg.insert_present_check = false;
	assert_int_equal(vmf_insert_mixed_mkwrite(vma, X, p), VM_FAULT_NOPAGE);
	assert_true(read_once_u64(leaf.entryp) != garbage);	/* V9 off: "upgraded" */
	machine.cfg.insert_present_check = true;
	write_once_u64(leaf.entryp, 0);
	test_mmput(mm);
}

/* T22, T24, T25 (R29-R32): insert_page. */
static void test_insert_page(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = mixed_vma(mm);
	struct folio *f = folio_alloc(0, 0), *g = folio_alloc(0, 0);
	struct vm_fault vmf = { .vma = vma, .address = X };
	pte_t e;

	(void)state;
	/* T22: into none, write: F{W,D,Y}, ref 2, map 1, file +1 */
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &f->page, true), VM_FAULT_NOPAGE);
	e = pte_at(mm, X);
	assert_false(pte_special(e));
	assert_true(pte_write(e) && pte_dirty(e) && pte_young(e));
	assert_int_equal(folio_ref_count(f), 2);
	assert_int_equal(folio_mapcount(f), 1);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 1);
	/* T24 (i): occupied, write=false: -EBUSY, NOPAGE, nothing changes */
	assert_int_equal(insert_page(vma, X, &f->page, vma->vm_page_prot, false), -EBUSY);
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &f->page, false), VM_FAULT_NOPAGE);
	assert_int_equal(folio_ref_count(f), 2);
	/* T24 (iv): a different page with write: -EFAULT, SIGBUS */
	assert_int_equal(insert_page(vma, X, &g->page, vma->vm_page_prot, true), -EFAULT);
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &g->page, true), VM_FAULT_SIGBUS);
	/* T24 (v): outside the VMA */
	vmf.address = X + 4 * PMD_SIZE;
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &g->page, true), VM_FAULT_SIGBUS);
	/* T25 (R31): a folio with refcount 0 is -EINVAL, SIGBUS */
	vmf.address = X + PAGE_SIZE;
	folio_ref_add(g, -1);
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &g->page, true), VM_FAULT_SIGBUS);
	folio_ref_add(g, 1);
	assert_int_equal(pte_at(mm, X + PAGE_SIZE).pte, 0);
	assert_invariants(mm);
	test_mmput(mm);
	assert_int_equal(folio_ref_count(f), 1);
	folio_put(f);
	folio_put(g);
}

/* T31 (i), R33-R35, V2: a pfn PMD, deposit only with V2 on, released by zap. */
static void test_insert_pfn_pmd(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = mixed_vma(mm);
	struct vm_fault vmf = { .vma = vma, .address = X };
	pgd_t *pgd = pgd_offset(&mm->pgt, X);
	struct fl_leaf leaf;

	(void)state;
	assert_int_equal(__pud_alloc(&mm->pgt, pgd), 0);
	vmf.pud = pud_offset(pgd, X);
	assert_int_equal(__pmd_alloc(&mm->pgt, vmf.pud), 0);
	vmf.pmd = pmd_offset(vmf.pud, X);
	machine.cfg.pgtable_deposit = true;
	assert_int_equal(vmf_insert_pfn_pmd(&vmf, machine.io_base_pfn, false), VM_FAULT_NOPAGE);
	fl_walk(mm, X, &leaf);
	assert_int_equal(leaf.level, 2);
	assert_true(pmd_special(__pmd(leaf.entry)));
	assert_int_equal(mm_nr_ptes(mm), 1);
	/* T28: occupied: NOPAGE, the preallocated table is freed again */
	{
		long tables = atomic_long_read(&machine.tables_allocated) -
			      atomic_long_read(&machine.tables_freed);

		assert_int_equal(vmf_insert_pfn_pmd(&vmf, machine.io_base_pfn + 512, true),
				 VM_FAULT_NOPAGE);
		assert_int_equal(atomic_long_read(&machine.tables_allocated) -
				 atomic_long_read(&machine.tables_freed), tables);
		assert_int_equal(mm_nr_ptes(mm), 1);
	}
	assert_invariants(mm);
	test_mmput(mm);
	machine.cfg.pgtable_deposit = false;
}

/* T20 (i), T23, T24 (ii) (R27, R29, R30, Q17): the zero folio and the upgrade. */
static void test_insert_zero_and_upgrade(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	int64_t a = fl_driver_mmap(mm, X, PMD_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_FIXED, false, machine.io_base_pfn);
	struct vm_area_struct *vma = vma_lookup(mm, X);
	struct page *zero = pfn_to_page(machine.zero_pfn);
	struct folio *f = folio_alloc(0, 0);
	struct vm_fault vmf = { .vma = vma, .address = X };
	int zref = folio_ref_count(page_folio(zero));
	long warn = vm_event(VM_WARN);
	pte_t e;

	(void)state;
	assert_int_equal(a, (int64_t)X);
	/* T23: the zero folio in a CoW mapping: special, read-only, no ref or RSS */
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, zero, false), VM_FAULT_NOPAGE);
	e = pte_at(mm, X);
	assert_true(pte_special(e) && !pte_write(e));
	assert_int_equal(folio_ref_count(page_folio(zero)), zref);
	assert_int_equal(get_mm_counter(mm, MM_FILEPAGES), 0);
	/* T20 (i) / T24 (iii): mkwrite of another pfn over Z: no warning */
	assert_int_equal(vmf_insert_mixed_mkwrite(vma, X, machine.io_base_pfn), VM_FAULT_NOPAGE);
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &f->page, true), VM_FAULT_SIGBUS);
	assert_int_equal(vm_event(VM_WARN), warn);
	assert_int_equal(pte_pfn(pte_at(mm, X)), machine.zero_pfn);
	/* T24 (ii): F mapped read-only, then mkwrite of F: W and Y, not D (Q17) */
	vmf.address = X + PAGE_SIZE;
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &f->page, false), VM_FAULT_NOPAGE);
	e = pte_at(mm, vmf.address);
	assert_false(pte_write(e) || pte_dirty(e));
	set_pte((pte_t *)fl_walk_entryp(mm, vmf.address), pte_mkold(e));
	assert_int_equal(vmf_insert_page_mkwrite(&vmf, &f->page, true), VM_FAULT_NOPAGE);
	e = pte_at(mm, vmf.address);
	assert_true(pte_write(e) && pte_young(e));
	assert_false(pte_dirty(e));
	assert_int_equal(folio_ref_count(f), 2);
	test_mmput(mm);
	folio_put(f);
}

/* wp_pfn_shared(): a store to a read-only raw pfn of a shared map, no copy. */
static void test_wp_pfn_shared(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma = mixed_vma(mm);
	struct fl_access_result res;
	uint8_t b = 0x9c;
	long faults = mm->min_flt;
	pte_t e;

	(void)state;
	vma->vm_page_prot = PAGE_READONLY;	/* as write-notify would make it */
	assert_int_equal(vmf_insert_mixed(vma, X, machine.io_base_pfn + 3), VM_FAULT_NOPAGE);
	assert_int_equal(fl_access(mm, X, true, &b, 1, &res), 0);
	assert_int_equal(res.signo, 0);
	assert_int_equal(mm->min_flt, faults + 1);
	e = pte_at(mm, X);
	assert_true(pte_special(e) && pte_write(e) && pte_dirty(e));
	assert_int_equal(pte_pfn(e), machine.io_base_pfn + 3);
	assert_int_equal(*(uint8_t *)pfn_to_virt(machine.io_base_pfn + 3), 0x9c);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	test_mmput(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_pfn),
		cmocka_unit_test(test_insert_nonpresent),
		cmocka_unit_test(test_insert_page),
		cmocka_unit_test(test_insert_pfn_pmd),
		cmocka_unit_test(test_insert_zero_and_upgrade),
		cmocka_unit_test(test_wp_pfn_shared),
	};

	return cmocka_run_group_tests(tests, machine_up, machine_down);
}
