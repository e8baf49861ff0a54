// SPDX-License-Identifier: GPL-2.0-only
/*
 * fork.c - dup_mm() and copy_page_range().
 *
 * The child gets a copy of every VMA.  Page tables are copied only where
 * Linux copies them (vma_needs_copy()): VMAs with an anon_vma, and PFN/mixed
 * maps; shared mappings and VMAs that were only read (no anon_vma yet) are
 * left for the child to fault in (KERNEL-FACTS s10c).  Copied anonymous
 * pages become shared and read-only in both processes, losing AnonExclusive
 * (KERNEL-FACTS s3); zero-page PTEs are copied as they are; a page that may
 * be pinned is copied for the child at once (s9c); copied PTEs are old in
 * the child.  A driver's PUD leaf is copied as one entry (copy_huge_pud()).
 */
#include <errno.h>
#include <string.h>

#include "mm/mm.h"

static bool vma_needs_copy(struct vm_area_struct *src)
{
	return (src->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) || src->anon_vma;
}

/* A possibly pinned exclusive page: the child gets its own copy now. */
static int copy_present_page(struct vm_area_struct *dst_vma, pte_t *dst_pte, uint64_t addr,
			     struct page *page)
{
	struct folio *new = folio_alloc(0, 0);
	pte_t pte;

	if (!new)
		return -ENOMEM;
	memcpy(page_address(&new->page), page_address(page), PAGE_SIZE);
	__folio_mark_uptodate(new);
	folio_add_new_anon_rmap(new, dst_vma, addr, true);
	inc_mm_counter(dst_vma->vm_mm, MM_ANONPAGES);
	pte = pte_mkdirty(pfn_pte(folio_pfn(new), dst_vma->vm_page_prot));
	if (dst_vma->vm_flags & VM_WRITE)
		pte = pte_mkwrite(pte);
	set_pte(dst_pte, pte);
	return 0;
}

static int copy_present_pte(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			    pte_t *dst_pte, pte_t *src_pte, uint64_t addr)
{
	pte_t pte = ptep_get(src_pte);
	struct page *page = vm_normal_page(src_vma, addr, pte);
	struct folio *folio = page ? page_folio(page) : NULL;

	if (folio && folio_test_anon(folio)) {
		folio_get(folio);
		if (folio_try_dup_anon_rmap_pte(folio, page)) {
			folio_put(folio);
			return copy_present_page(dst_vma, dst_pte, addr, page);
		}
		inc_mm_counter(dst_vma->vm_mm, MM_ANONPAGES);
	} else if (folio) {
		folio_get(folio);
		folio_dup_file_rmap_pte(folio, page);
		inc_mm_counter(dst_vma->vm_mm, mm_counter_file(folio));
	}
	if (is_cow_mapping(src_vma->vm_flags) && pte_write(pte)) {
		ptep_set_wrprotect(src_pte);
		pte = pte_wrprotect(pte);
	}
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	set_pte(dst_pte, pte_mkold(pte));
	return 0;
}

static int copy_pte_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			  pmd_t *dst_pmd, pmd_t *src_pmd, uint64_t addr, uint64_t end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	pte_t *src_pte, *dst_pte;

	if (pte_alloc(dst_mm, dst_pmd))
		return -ENOMEM;
	src_pte = pte_offset_kernel(src_pmd, addr);
	dst_pte = pte_offset_kernel(dst_pmd, addr);
	for (; addr < end; addr += PAGE_SIZE, src_pte++, dst_pte++) {
		int err;

		if (pte_none(ptep_get(src_pte)))
			continue;
		err = copy_present_pte(dst_vma, src_vma, dst_pte, src_pte, addr);
		if (err)
			return err;
	}
	return 0;
}

static int copy_pmd_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma,
			  pud_t *dst_pud, pud_t *src_pud, uint64_t addr, uint64_t end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	pmd_t *src_pmd, *dst_pmd;

	if (pud_none(pudp_get(dst_pud)) && __pmd_alloc(&dst_mm->pgt, dst_pud))
		return -ENOMEM;
	src_pmd = pmd_offset(src_pud, addr);
	dst_pmd = pmd_offset(dst_pud, addr);
	for (; addr < end; src_pmd++, dst_pmd++) {
		uint64_t next = (addr + PMD_SIZE) & PMD_MASK;
		pmd_t val = pmdp_get(src_pmd);
		int err;

		if (next > end)
			next = end;
		if (pmd_leaf(val)) {
			err = copy_huge_pmd(dst_mm, src_vma->vm_mm, dst_pmd, src_pmd, addr,
					    dst_vma, src_vma);
			if (err == -ENOMEM)
				return err;
			if (!err) {
				addr = next;
				continue;
			}
			val = pmdp_get(src_pmd);	/* split: copy the PTEs */
		}
		if (!pmd_none(val)) {
			err = copy_pte_range(dst_vma, src_vma, dst_pmd, src_pmd, addr, next);
			if (err)
				return err;
		}
		addr = next;
	}
	return 0;
}

/* Preconditions: both mms' mmap_locks held for write. */
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	uint64_t addr = src_vma->vm_start, end = src_vma->vm_end;

	if (!vma_needs_copy(src_vma))
		return 0;
	while (addr < end) {
		uint64_t next = (addr + PUD_SIZE) & PUD_MASK;
		pgd_t *src_pgd = pgd_offset(&src_mm->pgt, addr);
		pgd_t *dst_pgd = pgd_offset(&dst_mm->pgt, addr);
		pud_t *src_pud;
		int err;

		if (next > end)
			next = end;
		if (!pgd_present(pgdp_get(src_pgd))) {
			addr = next;
			continue;
		}
		if (pgd_none(pgdp_get(dst_pgd)) && __pud_alloc(&dst_mm->pgt, dst_pgd))
			return -ENOMEM;
		src_pud = pud_offset(src_pgd, addr);
		if (pud_leaf(pudp_get(src_pud))) {
			/* copy_pud_range(): a PUD leaf is copied whole or not at all. */
			err = copy_huge_pud(dst_mm, src_mm, pud_offset(dst_pgd, addr), src_pud, addr,
					    src_vma);
			if (!err) {
				addr = next;
				continue;
			}
		}
		if (pud_present(pudp_get(src_pud)) && !pud_leaf(pudp_get(src_pud))) {
			err = copy_pmd_range(dst_vma, src_vma, pud_offset(dst_pgd, addr), src_pud,
					     addr, next);
			if (err)
				return err;
		}
		addr = next;
	}
	return 0;
}

struct mm_struct *dup_mm(struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc();
	int err = 0;

	if (!mm)
		return NULL;
	mmap_write_lock(oldmm);
	mmap_write_lock(mm);
	mm->mmap_base = oldmm->mmap_base;
	for (int i = 0; i < oldmm->nr_vmas && !err; i++) {
		struct vm_area_struct *mpnt = oldmm->vmas[i], *tmp;

		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		tmp = vm_area_dup(mpnt);
		if (!tmp) {
			err = -ENOMEM;
			break;
		}
		/* anon_vma_fork(): MODEL: the child's VMA gets an anon_vma of its own. */
		if (mpnt->anon_vma) {
			put_anon_vma(tmp->anon_vma);
			tmp->anon_vma = NULL;
			if (anon_vma_prepare(tmp))
				err = -ENOMEM;
			tmp->anon_vma_forked = true;
		}
		tmp->vm_mm = mm;
		if (!err && vma_insert(mm, tmp))
			err = -ENOMEM;
		if (err) {
			vm_area_free(tmp);
			break;
		}
		err = copy_page_range(tmp, mpnt);
	}
	mmap_write_unlock(mm);
	mmap_write_unlock(oldmm);
	if (err) {
		mmput(mm);
		return NULL;
	}
	return mm;
}
