// SPDX-License-Identifier: GPL-2.0-only
/*
 * truncate.c - what a file operation does to the mappings of a file that
 * is not DAX: ftruncate(2) and hole punching (unmap_mapping_range(),
 * truncate_pagecache(), truncate_setsize()), and writeback (fsync, msync),
 * which write-protects and cleans the PTEs of the folios it writes
 * (folio_mkclean()), so that the next write through a mapping is seen again
 * by page_mkwrite.
 *
 *
 * Shrinking a file first zaps every mapping of the pages wholly beyond the
 * new EOF (even private CoW copies: truncate unmaps "even_cows"), then the
 * file drops those pages from its cache and its blocks, and zeroes the tail
 * of the partial EOF page, which stays cached, mapped and becomes dirty
 * (KERNEL-FACTS s8).  After that a fault beyond EOF is SIGBUS
 * (filemap_fault()), and the EOF page reads 0 past the new size.  Growing
 * a file only moves i_size: the new range reads as a hole.
 *
 * MODEL: Linux finds the mappings through the file's i_mmap interval tree;
 * faultline has none, so the caller passes every mm of the machine and
 * each is searched for VMAs of the file.  Hole punching keeps private CoW
 * copies (even_cows is false there, zap_file_pages()).
 */
#include "fs/pagecache.h"
#include "mm/mm.h"

static bool vma_maps_file(struct vm_area_struct *vma, struct fl_file *f)
{
	return vma->vm_file == f &&
	       (vma->vm_ops == &filemap_vm_ops || vma->vm_ops == &tmpfs_file_vm_ops);
}

/*
 * zap_page_range_single() with even_cows false (hole punching): clear the
 * PTEs of page-cache pages in [addr, end) and leave a private mapping's
 * anonymous CoW copies where they are.  A file PMD is zapped whole.
 */
static void zap_file_pages(struct vm_area_struct *vma, uint64_t addr, uint64_t end)
{
	for (; addr < end; addr += PAGE_SIZE) {
		struct fl_leaf leaf;
		struct folio *folio;
		struct page *page;
		spinlock_t *ptl;
		pte_t *ptep, pte;

		fl_walk(vma->vm_mm, addr, &leaf);
		if (leaf.level == 2)
			__split_huge_pmd(vma, (pmd_t *)leaf.entryp, addr);
		if (leaf.level != 1)
			continue;
		ptep = (pte_t *)leaf.entryp;
		ptl = &virt_to_page(ptep)->ptl;
		spin_lock(ptl);
		pte = ptep_get(ptep);
		page = pte_none(pte) ? NULL : vm_normal_page(vma, addr, pte);
		folio = page ? page_folio(page) : NULL;
		if (!folio || folio_test_anon(folio)) {
			spin_unlock(ptl);
			continue;
		}
		ptep_get_and_clear(ptep);
		if (pte_dirty(pte))
			folio_set_dirty(folio);
		dec_mm_counter(vma->vm_mm, mm_counter(folio));
		folio_remove_rmap_pte(folio, page, vma);
		spin_unlock(ptl);
		folio_put(folio);
	}
}

/* Zap the pages [first, last) of @f in @mm's mappings of it. */
static void unmap_mapping_mm(struct mm_struct *mm, struct fl_file *f, unsigned long first,
			     unsigned long last, bool even_cows)
{
	mmap_read_lock(mm);
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *vma = mm->vmas[i];
		unsigned long vfirst = vma->vm_pgoff;
		unsigned long vlast = vfirst + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT);
		unsigned long lo = first > vfirst ? first : vfirst;
		unsigned long hi = last < vlast ? last : vlast;
		uint64_t addr, len;

		if (!vma_maps_file(vma, f) || lo >= hi)
			continue;
		addr = vma->vm_start + ((uint64_t)(lo - vfirst) << PAGE_SHIFT);
		len = (uint64_t)(hi - lo) << PAGE_SHIFT;
		if (even_cows || (vma->vm_flags & VM_SHARED))
			zap_page_range_single(vma, addr, len);
		else
			zap_file_pages(vma, addr, addr + len);
	}
	mmap_read_unlock(mm);
}

static void unmap_mapping_range(struct mm_struct *const *mms, int nmms, struct fl_file *f,
				unsigned long first, unsigned long last, bool even_cows)
{
	for (int i = 0; i < nmms; i++)
		if (mms[i])
			unmap_mapping_mm(mms[i], f, first, last, even_cows);
}

/*
 * A large folio straddling a truncate or punch boundary at page @index:
 * Linux splits it (try_folio_split_or_unmap()), and splitting a mapped file
 * folio unmaps every PTE of it in every mm, inside the range or not.
 * Private CoW copies are anonymous and stay (even_cows false).
 * MODEL: the folio itself is kept whole in the cache; only its mappings go.
 */
static void unmap_straddling_folio(struct mm_struct *const *mms, int nmms, struct fl_file *f,
				   unsigned long index)
{
	struct folio *folio;

	if (index >= f->nr_slots)
		return;
	folio = filemap_get_folio(f, index);
	if (!folio)
		return;
	if (folio_test_large(folio))
		unmap_mapping_range(mms, nmms, f, folio->page.index,
				    folio->page.index + folio_nr_pages(folio), false);
	folio_put(folio);
}

int fl_truncate(struct mm_struct *const *mms, int nmms, struct fl_file *f, uint64_t size)
{
	uint64_t old = f->size;

	if (size >= old)
		return fl_file_set_size(f, size);
	f->size = size;			/* i_size_write(): new faults see the new EOF */
	unmap_mapping_range(mms, nmms, f, (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT),
			    f->nr_slots, true);
	unmap_straddling_folio(mms, nmms, f, (unsigned long)(size >> PAGE_SHIFT));
	fl_file_remove_range(f, size, (uint64_t)f->nr_slots << PAGE_SHIFT);
	return 0;
}

void fl_punch(struct mm_struct *const *mms, int nmms, struct fl_file *f, uint64_t off,
	      uint64_t len)
{
	uint64_t end = off + len > f->size ? f->size : off + len;
	unsigned long first = (unsigned long)((off + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long last = (unsigned long)(end >> PAGE_SHIFT);

	if (off >= end)
		return;
	if (first < last)
		unmap_mapping_range(mms, nmms, f, first, last, false);
	unmap_straddling_folio(mms, nmms, f, (unsigned long)(off >> PAGE_SHIFT));
	if (end > off)
		unmap_straddling_folio(mms, nmms, f, (unsigned long)((end - 1) >> PAGE_SHIFT));
	fl_file_remove_range(f, off, end);
}

/* Move the dirty bits of @mm's PTEs mapping @f into the folios (what writeback's rmap walk sees). */
static void fold_dirty_mm(struct mm_struct *mm, struct fl_file *f)
{
	mmap_read_lock(mm);
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		if (!vma_maps_file(vma, f) || !(vma->vm_flags & VM_SHARED))
			continue;
		for (uint64_t addr = vma->vm_start; addr < vma->vm_end; addr += PAGE_SIZE) {
			struct fl_leaf leaf;

			fl_walk(mm, addr, &leaf);
			if (leaf.level && (leaf.entry & _PAGE_DIRTY))
				folio_set_dirty(page_folio(pfn_to_page(leaf.pfn)));
		}
	}
	mmap_read_unlock(mm);
}

/* page_mkclean_one() for the leaf mapping @addr; returns the next address. */
static uint64_t mkclean_one(struct vm_area_struct *vma, uint64_t addr)
{
	struct fl_leaf leaf;
	spinlock_t *ptl;

	fl_walk(vma->vm_mm, addr, &leaf);
	if (leaf.level != 1 && leaf.level != 2)
		return addr + PAGE_SIZE;
	/* The lock of the table holding the entry: split PTE lock or PMD lock. */
	ptl = &virt_to_page(leaf.entryp)->ptl;
	spin_lock(ptl);
	if (leaf.level == 1) {
		pte_t *ptep = (pte_t *)leaf.entryp, pte = ptep_get(ptep);

		if (pte_present(pte) && (pte_write(pte) || pte_dirty(pte)))
			set_pte(ptep, pte_mkclean(pte_wrprotect(pte)));
	} else {
		pmd_t *pmdp = (pmd_t *)leaf.entryp, pmd = pmdp_get(pmdp);

		if (pmd_leaf(pmd))
			set_pmd(pmdp, pmd_mkclean(pmd_wrprotect(pmd)));
		addr = (addr & PMD_MASK) + PMD_SIZE - PAGE_SIZE;
	}
	spin_unlock(ptl);
	return addr + PAGE_SIZE;
}

/* folio_mkclean() of every page of @f in @mm's shared mappings of it. */
static void mkclean_mm(struct mm_struct *mm, struct fl_file *f)
{
	mmap_read_lock(mm);
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		if (!vma_maps_file(vma, f) || !(vma->vm_flags & VM_SHARED))
			continue;
		for (uint64_t addr = vma->vm_start; addr < vma->vm_end;)
			addr = mkclean_one(vma, addr);
	}
	mmap_read_unlock(mm);
}

/*
 * fsync(2) and msync(MS_SYNC): write the dirty folios back and make their
 * mappings clean and read-only again.  MODEL: the whole file is written
 * back, whatever range msync names; dirty PTE bits are folded into the
 * folios first (a store through a writable PTE dirties only the PTE).
 * tmpfs has no writeback: nothing changes.
 */
void fl_writeback(struct mm_struct *const *mms, int nmms, struct fl_file *f)
{
	if (f->kind == FL_FILE_TMPFS)
		return;
	for (int i = 0; i < nmms; i++)
		if (mms[i])
			fold_dirty_mm(mms[i], f);
	for (int i = 0; i < nmms; i++)
		if (mms[i])
			mkclean_mm(mms[i], f);
	fl_file_fsync(f);
}
