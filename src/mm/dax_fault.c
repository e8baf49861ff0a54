// SPDX-License-Identifier: GPL-2.0-only
/*
 * dax_fault.c - page faults on files that live in persistent memory (FS-DAX).
 *
 * A DAX file has no page cache: a fault asks the filesystem what lies at
 * the offset (daxfs_iomap_begin()), records it in the file's DAX mapping
 * entry (src/dax/entry.c) and maps the pmem frame itself, or, for a read
 * of a hole, the zero page (PTE) or the huge zero folio (PMD).  This is
 * fs/dax.c's fault half plus the bits of xfs_file.c that call it:
 *
 *  - dax_iomap_fault() -> dax_iomap_pte_fault() (R46) or
 *    dax_iomap_pmd_fault() (R49, every fallback with an --explain reason);
 *  - dax_fault_iter() (R48): CoW (R54), hole loads (R47, R50 in the three
 *    V4 variants, R51), direct access, dax_insert_entry() (R44, which
 *    unmaps zero mappings before a block replaces them: R52, R53), the
 *    MAP_SYNC return (R56) and the insert with a temporary folio reference;
 *  - the filesystem's ->fault / ->huge_fault / ->pfn_mkwrite, which finish a
 *    synchronous fault with fsync + dax_insert_pfn_mkwrite() (R56);
 *  - unmap_mapping_pages() and dax_entry_mkclean() for the entry layer.
 *
 * Layering (ARCHITECTURE.md puts "dax_iomap_fault" in src/dax/): the fault
 * paths install page-table entries with mm's insert helpers, and mm must not
 * be called from below, so this file lives in src/mm/ and calls down into
 * src/dax/ (entries, folios) and src/fs/ (iomap, pmem).  src/dax/ reaches
 * page tables only through struct dax_mapping_ops, filled in here.
 *
 * MODEL: Linux finds a file's mappings through i_mmap; faultline has no
 * such tree, so the backend registers every mm (dax_set_mms()) and each is
 * searched for VMAs of the file.  The data copy of a write to a reflinked
 * block is done by daxfs_iomap_begin() (it unshares the block), not by
 * dax_iomap_copy_around().  Under V5=one_based (OLD, Linux 6.1) faults map
 * pmem with devmap entries that take nothing: see dax_insert_folio().
 *
 * What is left out: the PUD order (fs/dax.c has none either), the races
 * themselves (T36, T50, T51 are the explorer's), gfp masks beyond the
 * record of R57/V21 (the model's allocators take no gfp) and iomap error
 * injection.  V18's 2016 hole pages are modelled (dax_load_hole_page()).
 */
#include <errno.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "dax/entry.h"
#include "dax/folio.h"
#include "fs/daxfs.h"
#include "fs/pmem.h"
#include "mm/mm.h"

static struct mm_struct *const *dax_mms;
static int dax_nmms;

void dax_set_mms(struct mm_struct *const *mms, int nmms)
{
	dax_mms = mms;
	dax_nmms = nmms;
}

static struct daxfs_file *vma_dax_file(struct vm_area_struct *vma)
{
	return vma->vm_file;
}

static struct dax_mapping *file_mapping(struct daxfs_file *f)
{
	return f->i_mapping;
}

/* ------------------------------------------------ unmapping (entry ops) */

/*
 * A huge PMD met while zapping [addr, end): like zap_pmd_range(), a range
 * that covers the whole PMD zaps it (zap_huge_pmd(), no split counted, T48);
 * a range that cuts it splits it, which for a file VMA zaps it too (R59).
 * Returns where the walk goes on.
 */
static uint64_t dax_zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr,
				 uint64_t end)
{
	uint64_t next = (addr & PMD_MASK) + PMD_SIZE;

	if (next > end || next == 0)
		next = end;
	if (next - addr == PMD_SIZE) {
		spinlock_t *ptl = pmd_lock(pmd);

		zap_huge_pmd(vma, pmd, addr);
		spin_unlock(ptl);
	} else {
		__split_huge_pmd(vma, pmd, addr);
	}
	return (addr & PMD_MASK) + PMD_SIZE;
}

/*
 * Zap the user mappings of file pages in [addr, end) of @vma, as
 * unmap_mapping_pages() does: a private mapping's anonymous CoW copies stay
 * unless @even_cows (truncate); the zero page and pmem pages go.  A huge PMD
 * goes whole, zapped or split (dax_zap_huge_pmd()).
 */
static void dax_zap_range(struct vm_area_struct *vma, uint64_t addr, uint64_t end, bool even_cows)
{
	while (addr < end) {
		struct fl_leaf leaf;
		struct page *page;
		spinlock_t *ptl;
		pte_t *ptep, pte;

		fl_walk(vma->vm_mm, addr, &leaf);
		if (leaf.level == 2) {
			addr = dax_zap_huge_pmd(vma, (pmd_t *)leaf.entryp, addr, end);
			continue;
		}
		if (leaf.level != 1) {
			addr += PAGE_SIZE;
			continue;
		}
		ptep = (pte_t *)leaf.entryp;
		ptl = &virt_to_page(ptep)->ptl;
		spin_lock(ptl);
		pte = ptep_get(ptep);
		page = pte_present(pte) ? vm_normal_page(vma, addr, pte) : NULL;
		if (!pte_present(pte) ||
		    (!even_cows && page && folio_test_anon(page_folio(page)))) {
			spin_unlock(ptl);
			addr += PAGE_SIZE;
			continue;
		}
		ptep_get_and_clear(ptep);
		if (page) {
			struct folio *folio = page_folio(page);

			dec_mm_counter(vma->vm_mm, mm_counter(folio));
			folio_remove_rmap_pte(folio, page, vma);
			spin_unlock(ptl);
			folio_put(folio);
		} else {
			spin_unlock(ptl);
		}
		addr += PAGE_SIZE;
	}
}

/* The part of @vma that maps file pages [start, start + nr); false if none. */
static bool vma_file_range(struct vm_area_struct *vma, unsigned long start, unsigned long nr,
			   uint64_t *from, uint64_t *to)
{
	unsigned long vfirst = vma->vm_pgoff;
	unsigned long vlast = vfirst + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT);
	/* nr 0 means "to EOF"; so does a count that runs past the index space */
	unsigned long last = nr && start + nr > start ? start + nr : ~0ul;

	if (last <= vfirst || start >= vlast)
		return false;
	*from = vma->vm_start + ((start > vfirst ? start - vfirst : 0) << PAGE_SHIFT);
	*to = vma->vm_start + (((last < vlast ? last : vlast) - vfirst) << PAGE_SHIFT);
	return true;
}

static void unmap_dax_range(struct dax_mapping *m, unsigned long start, unsigned long nr,
			    bool even_cows)
{
	for (int i = 0; i < dax_nmms; i++) {
		struct mm_struct *mm = dax_mms[i];

		if (!mm)
			continue;
		/* MODEL: Linux holds i_mmap_rwsem here, not mmap_lock; VMAs are stable */
		for (int v = 0; v < mm->nr_vmas; v++) {
			struct vm_area_struct *vma = mm->vmas[v];
			uint64_t from, to;

			if (vma_is_dax(vma) && vma->vm_file == m->host &&
			    vma_file_range(vma, start, nr, &from, &to))
				dax_zap_range(vma, from, to, even_cows);
		}
	}
}

static void dax_unmap_mapping_pages(struct dax_mapping *m, unsigned long start, unsigned long nr)
{
	unmap_dax_range(m, start, nr, false);
}

static bool dax_mapping_mapped(struct dax_mapping *m)
{
	for (int i = 0; i < dax_nmms; i++) {
		struct mm_struct *mm = dax_mms[i];

		for (int v = 0; mm && v < mm->nr_vmas; v++)
			if (vma_is_dax(mm->vmas[v]) && mm->vmas[v]->vm_file == m->host)
				return true;
	}
	return false;
}

/* Write-protect and clean one mapping of a DAX entry (dax_entry_mkclean()). */
static void mkclean_vma(struct vm_area_struct *vma, uint64_t from, uint64_t to)
{
	for (uint64_t addr = from; addr < to; addr += PAGE_SIZE) {
		struct fl_leaf leaf;
		spinlock_t *ptl;

		fl_walk(vma->vm_mm, addr, &leaf);
		if (leaf.level == 2) {
			pmd_t *pmdp = (pmd_t *)leaf.entryp;

			ptl = pmd_lock(pmdp);
			if (pmd_leaf(pmdp_get(pmdp)) && !is_huge_zero_pmd(pmdp_get(pmdp)))
				set_pmd(pmdp, pmd_mkclean(pmd_wrprotect(pmdp_get(pmdp))));
			spin_unlock(ptl);
			addr = (addr & PMD_MASK) + PMD_SIZE - PAGE_SIZE;
		} else if (leaf.level == 1) {
			pte_t *ptep = (pte_t *)leaf.entryp;
			pte_t pte;
			struct page *page;

			ptl = &virt_to_page(ptep)->ptl;
			spin_lock(ptl);
			pte = ptep_get(ptep);
			page = pte_present(pte) ? vm_normal_page(vma, addr, pte) : NULL;
			/* pmem: a normal DAX page, or an OLD devmap entry (no page) */
			if (pte_present(pte) && !is_zero_pfn(pte_pfn(pte)) &&
			    !(page && folio_test_anon(page_folio(page))))
				set_pte(ptep, pte_mkclean(pte_wrprotect(pte)));
			spin_unlock(ptl);
		}
	}
}

static void dax_mkclean_entry(struct dax_mapping *m, unsigned long index, unsigned long entry)
{
	unsigned long start = index & ~(dax_entry_span(entry) - 1);

	for (int i = 0; i < dax_nmms; i++) {
		struct mm_struct *mm = dax_mms[i];

		for (int v = 0; mm && v < mm->nr_vmas; v++) {
			struct vm_area_struct *vma = mm->vmas[v];
			uint64_t from, to;

			if (vma_is_dax(vma) && (vma->vm_flags & VM_SHARED) &&
			    vma->vm_file == m->host &&
			    vma_file_range(vma, start, dax_entry_span(entry), &from, &to))
				mkclean_vma(vma, from, to);
		}
	}
}

static const struct dax_mapping_ops dax_fault_mapping_ops = {
	.unmap_mapping_pages = dax_unmap_mapping_pages,
	.associate_entry = dax_mapping_ops_associate,
	.disassociate_entry = dax_mapping_ops_disassociate,
	.mapping_mapped = dax_mapping_mapped,
	.mkclean_entry = dax_mkclean_entry,
};

/* ------------------------------------------------------------ files */

struct daxfs_file *dax_file_create(struct daxfs *fs, const char *name, uint64_t size)
{
	struct daxfs_file *f = daxfs_create(fs, name, size);
	struct dax_mapping *m;

	if (!f)
		return NULL;
	m = fl_zalloc(FL_ALLOC_DAX_ENTRY, sizeof(*m));
	if (!m) {
		daxfs_file_put(f);
		return NULL;
	}
	dax_mapping_init(m, name, f, &dax_fault_mapping_ops);
	f->i_mapping = m;
	return f;
}

/*
 * Drop a reference; the last one evicts the inode: its entries go first
 * (truncate_inode_pages_final()), then the filesystem frees its blocks.
 * MODEL: refcount read then put is safe only because evictions are
 * sequential (the scenario's reference goes last, after every VMA).
 */
void dax_file_put(struct daxfs_file *f)
{
	struct dax_mapping *m;

	if (!f)
		return;
	m = file_mapping(f);
	if (atomic_read(&f->refcount) == 1 && m) {
		dax_delete_mapping_range(m, 0, ~0ul);
		dax_mapping_destroy(m);
		fl_free(FL_ALLOC_DAX_ENTRY, m);
		f->i_mapping = NULL;
	}
	daxfs_file_put(f);
}

struct dax_mapping *dax_file_mapping(struct daxfs_file *f)
{
	return file_mapping(f);
}

/* ------------------------------------------------------------ helpers */

static vm_fault_t dax_fault_return(int err)
{
	if (err == 0)
		return VM_FAULT_NOPAGE;
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

static void dax_explain(struct vm_fault *vmf, bool pmd, vm_fault_t ret, enum fl_reason why,
			const char *mapped)
{
	fault_explain(vmf, pmd ? 1 : 0, "dax", ret, false, why, mapped);
}

/* R48 step 4: the pmem frame of @pos, for @size bytes, aligned to @size. */
static int dax_iomap_direct_access(const struct iomap *iomap, uint64_t pos, uint64_t size,
				   unsigned long *pfnp)
{
	unsigned long pgoff = (unsigned long)((iomap->addr + (pos - iomap->offset)) >> PAGE_SHIFT);
	long nr = (long)(size >> PAGE_SHIFT);
	long got = pmem_dax_direct_access(pgoff, nr, NULL, pfnp);

	if (got < 0)
		return (int)got;
	if (got < nr || (*pfnp & (unsigned long)(nr - 1)))
		return -EINVAL;
	return 0;
}

/*
 * Map a pmem page or PMD folio.  R48 step 8 (NEW, S002 v1 and final form):
 * a temporary folio reference is held around the insert, so an idle folio
 * at refcount 0 (V5 zero_based) is never mapped from refcount 0.
 */
static vm_fault_t dax_insert_folio(struct vm_fault *vmf, unsigned long pfn, bool pmd, bool write)
{
	struct folio *folio = page_folio(pfn_to_page(pfn));
	vm_fault_t ret;

	/*
	 * R48 step 8 OLD, R61 (V5=one_based, Linux 6.1): pmem goes in as a
	 * devmap pfn (vmf_insert_pfn_pmd() / vmf_insert_mixed{,_mkwrite}()
	 * with PFN_DEV|PFN_MAP), taking no reference, no mapcount and no RSS;
	 * the pages stay order 0 and idle at refcount 1.
	 */
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED)
		return pmd ? vmf_insert_pfn_pmd_devmap(vmf, pfn, write) :
			     vmf_insert_mixed_devmap(vmf->vma, vmf->address, pfn, write);

	folio_get(folio);
	if (pmd)
		ret = vmf_insert_folio_pmd(vmf, folio, write);
	else
		ret = vmf_insert_page_mkwrite(vmf, pfn_to_page(pfn), write);
	folio_put(folio);
	return ret;
}

/* ------------------------------------------------------------ hole loads */

/*
 * R45, R47 V18=hole_page (2016): a PTE hole read allocates a zeroed page
 * that the tree keeps as a page-cache page (its reference) and maps it as
 * a normal file page (the mapping's reference, mapcount and RSS); another
 * fault on the same hole finds it there.  Filling the hole unmaps it and
 * the tree's reference goes with the entry (src/dax/entry.c).
 */
static vm_fault_t dax_load_hole_page(struct vm_fault *vmf, unsigned long *entry)
{
	struct dax_mapping *m = file_mapping(vma_dax_file(vmf->vma));
	struct folio *folio;
	vm_fault_t ret;

	if (dax_is_hole_page_entry(*entry)) {
		folio = page_folio(pfn_to_page(dax_to_pfn(*entry)));
	} else {
		folio = folio_alloc(__GFP_ZERO, 0);
		if (!folio) {
			dax_explain(vmf, false, VM_FAULT_OOM, FL_REASON_ALLOC_FAILED, NULL);
			return VM_FAULT_OOM;
		}
		__folio_mark_uptodate(folio);
		*entry = dax_insert_entry(m, vmf->pgoff, *entry, folio_pfn(folio), DAX_ZERO_PAGE, 0);
	}
	ret = vmf_insert_page_mkwrite(vmf, &folio->page, false);
	dax_explain(vmf, false, ret, FL_REASON_NONE, ret == VM_FAULT_NOPAGE ? "file" : NULL);
	return ret;
}

/* R47: a read of a hole maps the zero page (V18: zero_pfn, modern). */
static vm_fault_t dax_load_hole(struct vm_fault *vmf, unsigned long *entry)
{
	struct dax_mapping *m = file_mapping(vma_dax_file(vmf->vma));
	unsigned long pfn = my_zero_pfn(vmf->address);
	vm_fault_t ret;

	if (fl_cfg.dax_pte_hole_model == FL_DAX_PTE_HOLE_PAGE)
		return dax_load_hole_page(vmf, entry);

	*entry = dax_insert_entry(m, vmf->pgoff, *entry, pfn, DAX_ZERO_PAGE, 0);
	ret = vmf_insert_page_mkwrite(vmf, pfn_to_page(pfn), false);
	dax_explain(vmf, false, ret, FL_REASON_NONE, ret == VM_FAULT_NOPAGE ? "zero" : NULL);
	return ret;
}

/* R50 OLD and S002 v1: the huge zero PMD installed by hand (not special). */
static vm_fault_t dax_pmd_load_hole_legacy(struct vm_fault *vmf, struct folio *zf, bool v1)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *pgtable = NULL;
	spinlock_t *ptl;

	if (fl_cfg.pgtable_deposit) {
		pgtable = pte_alloc_one(&mm->pgt);
		if (!pgtable)
			return VM_FAULT_OOM;	/* OLD: after the entry went in */
	}
	ptl = pmd_lock(vmf->pmd);
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		spin_unlock(ptl);
		if (v1)
			mm_put_huge_zero_folio(mm);	/* Q12: drops the mm's reference */
		if (pgtable)
			pte_free(&mm->pgt, pgtable);
		return VM_FAULT_FALLBACK;	/* R51 OLD */
	}
	if (pgtable) {
		pgtable_trans_huge_deposit(&mm->pgt, vmf->pmd, pgtable);
		if (!v1)
			mm_inc_nr_ptes(mm);	/* Q13: S002 v1 forgot this */
	}
	set_pmd(vmf->pmd, pmd_mkhuge(pfn_pmd(folio_pfn(zf), vma->vm_page_prot)));
	spin_unlock(ptl);
	return VM_FAULT_NOPAGE;
}

/* R50 (V4: legacy, s002v1, folio_pmd) and R51. */
static vm_fault_t dax_pmd_load_hole(struct vm_fault *vmf, unsigned long *entry)
{
	struct dax_mapping *m = file_mapping(vma_dax_file(vmf->vma));
	struct mm_struct *mm = vmf->vma->vm_mm;
	unsigned long index = vmf->pgoff & ~(unsigned long)PG_PMD_COLOUR;
	struct folio *zf;
	vm_fault_t ret;

	if (fl_cfg.dax_pmd_hole == FL_DAX_PMD_HOLE_S002V1 && fl_cfg.pgtable_deposit) {
		/* S002 v1 allocates the deposit first; reuse the legacy path's check */
		struct page *probe = pte_alloc_one(&mm->pgt);

		if (!probe)
			return VM_FAULT_OOM;	/* before the entry changes */
		pte_free(&mm->pgt, probe);
	}
	zf = mm_get_huge_zero_folio(mm);
	if (!zf) {
		dax_explain(vmf, true, VM_FAULT_FALLBACK, FL_REASON_ALLOC_FAILED, NULL);
		return VM_FAULT_FALLBACK;
	}
	*entry = dax_insert_entry(m, index, *entry, folio_pfn(zf), DAX_PMD | DAX_ZERO_PAGE, 0);
	if (fl_cfg.dax_pmd_hole == FL_DAX_PMD_HOLE_FOLIO_PMD)
		ret = vmf_insert_folio_pmd(vmf, zf, false);
	else
		ret = dax_pmd_load_hole_legacy(vmf, zf,
					       fl_cfg.dax_pmd_hole == FL_DAX_PMD_HOLE_S002V1);
	/* NOPAGE also when something else already held the PMD (T37): say what maps. */
	dax_explain(vmf, true, ret, ret & VM_FAULT_FALLBACK ? FL_REASON_RACE : FL_REASON_NONE,
		    ret == VM_FAULT_NOPAGE && is_huge_zero_pmd(pmdp_get(vmf->pmd)) ?
		    "huge-zero" : NULL);
	return ret;
}

/* ------------------------------------------------------------ CoW (R54) */

static vm_fault_t finish_dax_cow(struct vm_fault *vmf)
{
	vm_fault_t ret = finish_fault(vmf);

	dax_explain(vmf, false, ret ? ret : VM_FAULT_DONE_COW, FL_REASON_NONE, ret ? NULL : "anon");
	return ret ? ret : VM_FAULT_DONE_COW;
}

static vm_fault_t dax_fault_cow_page(struct vm_fault *vmf, const struct iomap *iomap)
{
	void *dst = page_address(vmf->cow_page);
	uint64_t pos = (uint64_t)vmf->pgoff << PAGE_SHIFT;
	void *src;
	long got;

	switch (iomap->type) {
	case IOMAP_HOLE:
	case IOMAP_UNWRITTEN:
		memset(dst, 0, PAGE_SIZE);
		break;
	case IOMAP_MAPPED:
		got = pmem_dax_direct_access((unsigned long)((iomap->addr + pos - iomap->offset) >>
							     PAGE_SHIFT), 1, &src, NULL);
		if (got < 1)
			return dax_fault_return(got < 0 ? (int)got : -EIO);
		memcpy(dst, src, PAGE_SIZE);
		break;
	default:
		count_vm_event(VM_WARN);
		return VM_FAULT_SIGBUS;
	}
	__folio_mark_uptodate(page_folio(vmf->cow_page));
	return finish_dax_cow(vmf);
}

/* ------------------------------------------------------------ the iteration */

struct dax_iter {
	struct iomap iomap, srcmap;
	bool write, sync;
	unsigned long pfn;	/* R56: handed back with NEEDDSYNC */
};

static bool dax_fault_is_synchronous(const struct dax_iter *it, struct vm_area_struct *vma)
{
	return it->write && (vma->vm_flags & VM_SYNC) && (it->iomap.flags & IOMAP_F_DIRTY);
}

/* R48. */
static vm_fault_t dax_fault_iter(struct vm_fault *vmf, struct dax_iter *it, unsigned long *entry,
				 bool pmd)
{
	struct dax_mapping *m = file_mapping(vma_dax_file(vmf->vma));
	uint64_t size = pmd ? PMD_SIZE : PAGE_SIZE;
	uint64_t pos = (uint64_t)(pmd ? vmf->pgoff & ~(unsigned long)PG_PMD_COLOUR : vmf->pgoff)
		       << PAGE_SHIFT;
	bool shared = it->iomap.flags & IOMAP_F_SHARED;
	unsigned int how = 0;
	vm_fault_t ret;
	int err;

	if (!pmd && vmf->cow_page)
		return dax_fault_cow_page(vmf, &it->iomap);
	if (!it->write && (it->iomap.type == IOMAP_HOLE || it->iomap.type == IOMAP_UNWRITTEN))
		return pmd ? dax_pmd_load_hole(vmf, entry) : dax_load_hole(vmf, entry);
	if (it->iomap.type != IOMAP_MAPPED && !shared) {
		count_vm_event(VM_WARN);
		ret = pmd ? VM_FAULT_FALLBACK : VM_FAULT_SIGBUS;
		dax_explain(vmf, pmd, ret, FL_REASON_NONE, NULL);
		return ret;
	}
	err = dax_iomap_direct_access(&it->iomap, pos, size, &it->pfn);
	if (err) {
		ret = pmd ? VM_FAULT_FALLBACK : dax_fault_return(err);
		dax_explain(vmf, pmd, ret, err == -EINVAL ? FL_REASON_EXTENT_UNALIGNED :
			    FL_REASON_NONE, NULL);
		return ret;
	}
	it->sync = dax_fault_is_synchronous(it, vmf->vma);
	how = (it->write ? DAX_INSERT_WRITE : 0) | (it->sync ? DAX_INSERT_SYNC : 0) |
	      (shared ? DAX_INSERT_SHARED : 0);
	*entry = dax_insert_entry(m, vmf->pgoff, *entry, it->pfn, pmd ? DAX_PMD : 0, how);
	if (it->sync) {
		dax_explain(vmf, pmd, VM_FAULT_NEEDDSYNC, FL_REASON_SYNC, NULL);
		return VM_FAULT_NEEDDSYNC;	/* R56: no page-table entry yet */
	}
	ret = dax_insert_folio(vmf, it->pfn, pmd, it->write);
	dax_explain(vmf, pmd, ret, FL_REASON_NONE, ret == VM_FAULT_NOPAGE ? "dax" : NULL);
	return ret;
}

/*
 * Unlock the fault's entry.  V14 (R64, Q6): when mapping a real block
 * failed, the entry points at a folio that the temporary put just freed.
 * Linux 6.18 leaves it there (keep_entry, the default: the next fault
 * re-initialises the folio, R65); the fix the seeds agreed on
 * (delete_entry) deletes it.  MODEL: the deletion follows the unlock
 * instead of happening under the entry lock; nothing runs in between in a
 * sequential model.
 */
static void dax_unlock_fault_entry(struct dax_mapping *m, unsigned long index,
				   unsigned long entry, vm_fault_t ret)
{
	dax_unlock_entry(m, index, entry);
	if ((ret & VM_FAULT_ERROR) && dax_entry_size(entry) &&
	    fl_cfg.dax_insert_fail_cleanup == FL_DAX_INSERT_FAIL_DELETE_ENTRY)
		dax_delete_mapping_entry(m, index);
}

/* R46. */
static vm_fault_t dax_iomap_pte_fault(struct vm_fault *vmf, struct dax_iter *it)
{
	struct daxfs_file *f = vma_dax_file(vmf->vma);
	struct dax_mapping *m = file_mapping(f);
	uint64_t pos = (uint64_t)vmf->pgoff << PAGE_SHIFT;
	unsigned long entry;
	vm_fault_t ret;
	int err;

	if (pos >= daxfs_size(f)) {
		dax_explain(vmf, false, VM_FAULT_SIGBUS, FL_REASON_BEYOND_EOF, NULL);
		return VM_FAULT_SIGBUS;
	}
	it->write = (vmf->flags & FAULT_FLAG_WRITE) && !vmf->cow_page;
	ret = grab_mapping_entry(m, vmf->pgoff, 0, &entry);
	if (ret) {
		dax_explain(vmf, false, ret, FL_REASON_ALLOC_FAILED, NULL);
		return ret;
	}
	if (pmd_leaf(pmdp_get(vmf->pmd))) {
		dax_unlock_entry(m, vmf->pgoff, entry);
		dax_explain(vmf, false, VM_FAULT_NOPAGE, FL_REASON_RACE, NULL);
		return VM_FAULT_NOPAGE;	/* a racing PMD fault won */
	}
	err = daxfs_iomap_begin(f, pos, PAGE_SIZE, IOMAP_FAULT | IOMAP_DAX |
				(it->write ? IOMAP_WRITE : 0), &it->iomap, &it->srcmap);
	if (!err && it->iomap.offset + it->iomap.length < pos + PAGE_SIZE) {
		count_vm_event(VM_WARN);	/* WARN_ON_ONCE(): fs corruption? (T44 v) */
		daxfs_iomap_end(f, pos, PAGE_SIZE, 0, 0, &it->iomap);
		err = -EIO;
	}
	if (err) {
		ret = dax_fault_return(err);
		dax_explain(vmf, false, ret, FL_REASON_NONE, NULL);
	} else {
		ret = dax_fault_iter(vmf, it, &entry, false);
		if ((it->iomap.flags & IOMAP_F_NEW) && !(ret & VM_FAULT_SIGBUS))
			ret |= VM_FAULT_MAJOR;
		daxfs_iomap_end(f, pos, PAGE_SIZE, PAGE_SIZE, 0, &it->iomap);
	}
	dax_unlock_fault_entry(m, vmf->pgoff, entry, ret);
	return ret;
}

/* T54: the caller's gfp mask for the next DAX PMD faults (0: the generic one). */
static unsigned int dax_caller_gfp;

void dax_set_fault_gfp(unsigned int gfp)
{
	dax_caller_gfp = gfp;
}

/*
 * R57, V21 (T54): the gfp mask of a DAX PMD fault's allocations.  The
 * caller's is the generic fault's (__get_fault_gfp_mask(): the mapping's
 * mask, which has FS and IO) unless a test hands one whose filesystem
 * cleared __GFP_FS while it holds its fault lock (Q20), or a scenario's
 * `inject nofs` makes this fault such a one.  propagate keeps
 * it; the 2016 v4 recomputed the generic mask, putting FS and IO back
 * under a lock that reclaim may need: a defect, counted as a warning.
 * MODEL: the allocators take no gfp; the tree-node record is what sees it.
 */
static unsigned int dax_pmd_fault_gfp(struct vm_fault *vmf)
{
	unsigned int caller = dax_caller_gfp ? dax_caller_gfp : GFP_HIGHUSER_MOVABLE;

	if (daxfs_fault_nofs(vma_dax_file(vmf->vma)))
		caller = GFP_HIGHUSER_MOVABLE & ~__GFP_FS;

	if (fl_cfg.dax_gfp_policy == FL_DAX_GFP_LEGACY_ADD_FS_IO) {
		if (!(caller & __GFP_FS))
			count_vm_event(VM_WARN);
		return GFP_HIGHUSER_MOVABLE | __GFP_FS | __GFP_IO;
	}
	return caller;
}

/* R49 step 2: why a PMD fault cannot be tried here, or FL_REASON_NONE. */
static enum fl_reason dax_pmd_unsuitable(struct vm_fault *vmf, unsigned long max_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t haddr = vmf->address & PMD_MASK;
	unsigned long index = vmf->pgoff & ~(unsigned long)PG_PMD_COLOUR;

	if (((vmf->address >> PAGE_SHIFT) & PG_PMD_COLOUR) != (vmf->pgoff & PG_PMD_COLOUR))
		return FL_REASON_PGOFF_UNALIGNED;
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		return FL_REASON_WRITE_PRIVATE;
	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end)
		return FL_REASON_VMA_RANGE;
	if ((index | PG_PMD_COLOUR) >= max_pgoff)
		return FL_REASON_BEYOND_EOF;
	return FL_REASON_NONE;
}

/* R49 steps 3-6: with the PMD entry locked. */
static vm_fault_t dax_pmd_fault_locked(struct vm_fault *vmf, struct dax_iter *it,
				       unsigned long *entry)
{
	struct daxfs_file *f = vma_dax_file(vmf->vma);
	uint64_t pos = (uint64_t)(vmf->pgoff & ~(unsigned long)PG_PMD_COLOUR) << PAGE_SHIFT;
	vm_fault_t ret;

	if (!pmd_none(pmdp_get(vmf->pmd)) && !pmd_leaf(pmdp_get(vmf->pmd))) {
		dax_explain(vmf, true, 0, FL_REASON_TABLE_PRESENT, NULL);
		return 0;
	}
	if (daxfs_iomap_begin(f, pos, PMD_SIZE, IOMAP_FAULT | IOMAP_DAX |
			      (it->write ? IOMAP_WRITE : 0), &it->iomap, &it->srcmap)) {
		dax_explain(vmf, true, VM_FAULT_FALLBACK, FL_REASON_NONE, NULL);
		return VM_FAULT_FALLBACK;	/* S001: an iomap error falls back */
	}
	if (it->iomap.offset + it->iomap.length < pos + PMD_SIZE) {
		ret = VM_FAULT_FALLBACK;
		dax_explain(vmf, true, ret, FL_REASON_EXTENT_SMALL, NULL);
	} else {
		ret = dax_fault_iter(vmf, it, entry, true);
	}
	daxfs_iomap_end(f, pos, PMD_SIZE, PMD_SIZE, 0, &it->iomap);
	return ret;
}

/* R49. */
static vm_fault_t dax_iomap_pmd_fault(struct vm_fault *vmf, struct dax_iter *it)
{
	struct daxfs_file *f = vma_dax_file(vmf->vma);
	struct dax_mapping *m = file_mapping(f);
	unsigned long index = vmf->pgoff & ~(unsigned long)PG_PMD_COLOUR;
	unsigned long max_pgoff = (unsigned long)((daxfs_size(f) + PAGE_SIZE - 1) >> PAGE_SHIFT);
	enum fl_reason why;
	unsigned long entry;
	vm_fault_t ret;

	it->write = vmf->flags & FAULT_FLAG_WRITE;
	if (index >= max_pgoff) {
		dax_explain(vmf, true, VM_FAULT_SIGBUS, FL_REASON_BEYOND_EOF, NULL);
		return VM_FAULT_SIGBUS;
	}
	why = dax_pmd_unsuitable(vmf, max_pgoff);
	if (why != FL_REASON_NONE) {
		ret = VM_FAULT_FALLBACK;
		dax_explain(vmf, true, ret, why, NULL);
		goto fallback;
	}
	ret = grab_mapping_entry_gfp(m, index, PMD_ORDER, dax_pmd_fault_gfp(vmf), &entry);
	if (ret) {
		dax_explain(vmf, true, ret, ret & VM_FAULT_FALLBACK ? FL_REASON_PTE_ENTRIES :
			    FL_REASON_ALLOC_FAILED, NULL);
		goto fallback;
	}
	ret = dax_pmd_fault_locked(vmf, it, &entry);
	dax_unlock_fault_entry(m, index, entry, ret);
fallback:
	if (ret & VM_FAULT_FALLBACK) {
		/* R49 step 7: the PTE retry must not find a huge PMD */
		if (pmd_leaf(pmdp_get(vmf->pmd)))
			__split_huge_pmd(vmf->vma, vmf->pmd, vmf->address);
		count_vm_event(THP_FAULT_FALLBACK);
	}
	return ret;
}

/* ------------------------------------------------------------ MAP_SYNC (R56) */

static vm_fault_t dax_insert_pfn_mkwrite(struct vm_fault *vmf, unsigned long pfn,
					 unsigned int order)
{
	struct dax_mapping *m = file_mapping(vma_dax_file(vmf->vma));
	unsigned long index = order ? vmf->pgoff & ~(unsigned long)PG_PMD_COLOUR : vmf->pgoff;
	unsigned long entry;
	vm_fault_t ret;

	ret = dax_lock_entry_for_mkwrite(m, index, order, &entry);
	if (ret)
		return ret;
	ret = dax_insert_folio(vmf, pfn, order != 0, true);
	dax_unlock_entry(m, index, entry);
	dax_explain(vmf, order != 0, ret, FL_REASON_NONE, ret == VM_FAULT_NOPAGE ? "dax" : NULL);
	return ret;
}

/*
 * Test hook (unit tests only, NULL otherwise; T52 (a), (b)): runs between
 * the NEEDDSYNC fault, whose entry is unlocked by then, and the fsync.  It
 * may change the file as a racing truncate would; a nonzero return stands
 * for an fsync error, which the model's fsync cannot produce.
 */
static int (*dax_sync_fault_hook)(struct vm_fault *vmf);

void dax_set_sync_fault_hook(int (*hook)(struct vm_fault *vmf))
{
	dax_sync_fault_hook = hook;
}

/* dax_finish_sync_fault(): make the metadata durable, then map writable. */
static vm_fault_t dax_finish_sync_fault(struct vm_fault *vmf, unsigned int order,
					unsigned long pfn)
{
	if (dax_sync_fault_hook && dax_sync_fault_hook(vmf))
		return VM_FAULT_SIGBUS;
	if (daxfs_fsync(vma_dax_file(vmf->vma)))
		return VM_FAULT_SIGBUS;
	return dax_insert_pfn_mkwrite(vmf, pfn, order);
}

/* ------------------------------------------------------------ vm_ops */

static vm_fault_t dax_iomap_fault(struct vm_fault *vmf, unsigned int order)
{
	struct dax_iter it;
	vm_fault_t ret;

	memset(&it, 0, sizeof(it));
	if (order == 0)
		ret = dax_iomap_pte_fault(vmf, &it);
	else if (order == PMD_ORDER)
		ret = dax_iomap_pmd_fault(vmf, &it);
	else
		return VM_FAULT_FALLBACK;	/* no PUD DAX (fs/dax.c has none) */
	if (ret & VM_FAULT_NEEDDSYNC)
		ret = dax_finish_sync_fault(vmf, order, it.pfn);
	return ret;
}

/* xfs_filemap_fault() for a DAX inode. */
static vm_fault_t dax_filemap_fault(struct vm_fault *vmf)
{
	return dax_iomap_fault(vmf, 0);
}

/* xfs_filemap_huge_fault(); V20 off: CONFIG_FS_DAX_PMD is not set. */
static vm_fault_t dax_filemap_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	if (order == PMD_ORDER && !fl_cfg.fs_dax_pmd) {
		dax_explain(vmf, true, VM_FAULT_FALLBACK, FL_REASON_PMD_DISABLED, NULL);
		return VM_FAULT_FALLBACK;
	}
	return dax_iomap_fault(vmf, order);
}

/* xfs_filemap_pfn_mkwrite(): R55, a write to a read-only DAX PTE is a write fault. */
static vm_fault_t dax_filemap_pfn_mkwrite(struct vm_fault *vmf)
{
	unsigned int flags = vmf->flags;
	vm_fault_t ret;

	vmf->flags |= FAULT_FLAG_WRITE;
	ret = dax_iomap_fault(vmf, 0);
	vmf->flags = flags;
	return ret;
}

static void dax_vma_open(struct vm_area_struct *vma)
{
	daxfs_file_get(vma_dax_file(vma));
}

static void dax_vma_close(struct vm_area_struct *vma)
{
	dax_file_put(vma_dax_file(vma));
}

const struct vm_operations_struct dax_file_vm_ops = {
	.name = "dax",
	.open = dax_vma_open,
	.close = dax_vma_close,
	.fault = dax_filemap_fault,
	.huge_fault = dax_filemap_huge_fault,
	.pfn_mkwrite = dax_filemap_pfn_mkwrite,
};

bool vma_is_dax(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &dax_file_vm_ops;
}

/*
 * do_fault() for a DAX VMA: as Linux's do_read_fault/do_cow_fault/
 * do_shared_fault, whose ->fault maps by itself (NOPAGE) or, for a private
 * write, fills the CoW page and maps it (DONE_COW, R54).
 */
vm_fault_t do_dax_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *copy;
	vm_fault_t ret;

	if (!(vmf->flags & FAULT_FLAG_WRITE) || (vma->vm_flags & VM_SHARED))
		return vma->vm_ops->fault(vmf);
	if (vmf_anon_prepare(vmf))
		return VM_FAULT_OOM;
	copy = folio_alloc(0, 0);
	if (!copy)
		return VM_FAULT_OOM;
	vmf->cow_page = &copy->page;
	ret = vma->vm_ops->fault(vmf);
	if (!(ret & VM_FAULT_DONE_COW))
		folio_put(copy);	/* nothing mapped it */
	vmf->cow_page = NULL;
	return ret & ~VM_FAULT_DONE_COW;
}

/*
 * fsync/msync of a DAX file: write back the dirty entries (which cleans and
 * write-protects their mappings), then make the metadata durable.
 */
int dax_file_fsync(struct daxfs_file *f)
{
	dax_writeback_mapping_range(file_mapping(f), 0, ~0ul);
	return daxfs_fsync(f);
}

/*
 * The filesystem's layout break before it changes a DAX file's size or
 * blocks (ext4_break_layouts(), xfs_break_dax_layouts()): wait until no
 * page of the file is busy, which first unmaps every user mapping of the
 * file (R69 step 2, R70).  Both break the layout of the whole file, not
 * only the range that changes: on Linux 6.1 a punch or a truncate leaves
 * none of the file's pmem mapped (check --vm, dax61_T4_*.scn).  The
 * scenario runner stops a sequential run that would wait forever, so here
 * a busy page is a bug.
 */
static void dax_break_layouts(struct dax_mapping *m)
{
	struct page *busy = dax_layout_busy_page_range(m, 0, ~0ul);

	if (busy)
		dax_wait_page_idle(busy, NULL, NULL);
}

/*
 * ftruncate(2) of a DAX file (R68-R70): break the layout, then, when
 * shrinking, unmap what lies past EOF, private CoW copies included
 * (truncate_pagecache() unmaps even_cows), delete the entries and free
 * the blocks.
 */
int dax_file_truncate(struct daxfs_file *f, uint64_t size)
{
	struct dax_mapping *m = file_mapping(f);
	unsigned long first = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);

	dax_break_layouts(m);
	if (size < daxfs_size(f)) {
		unmap_dax_range(m, first, 0, true);
		dax_delete_mapping_range(m, first, ~0ul);
	}
	return daxfs_truncate(f, size);
}

/* FALLOC_FL_PUNCH_HOLE: the same for the whole pages of the hole; CoW copies stay. */
int dax_file_punch(struct daxfs_file *f, uint64_t off, uint64_t len)
{
	struct dax_mapping *m = file_mapping(f);
	unsigned long first = (unsigned long)((off + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long end = (unsigned long)((off + len) >> PAGE_SHIFT);

	dax_break_layouts(m);
	if (end > first) {
		unmap_dax_range(m, first, end - first, false);
		dax_delete_mapping_range(m, first, end - 1);
	}
	return daxfs_punch(f, off, len);
}

/* Break the layout of all of @f: wait out busy pages, unmap, drop the entries. */
static void dax_break_layout_all(struct daxfs_file *f)
{
	struct dax_mapping *m = file_mapping(f);

	dax_break_layouts(m);
	unmap_dax_range(m, 0, 0, false);
	dax_delete_mapping_range(m, 0, ~0ul);
}

/*
 * FICLONE between DAX files, as 6.18's XFS does it: xfs_reflink_remap_prep()
 * takes both MMAPLOCKs through xfs_mmaplock_two_inodes_and_break_dax_layout(),
 * which runs dax_break_layout() over the whole of both files: every mapping
 * is unmapped, busy pages are waited for, and (since 6.15) every entry is
 * deleted, dirty or not.  The writeback of dax_remap_file_range_prep() then
 * finds nothing; here it runs first, which ends in the same state.  Every
 * later fault sees the shared extent through iomap (IOMAP_F_SHARED) and
 * associates it as R66 says.  MODEL: 6.1 kept the entries (only the
 * destination's range was truncated, by xfs_flush_unmap_range()); the
 * linux-6.1 personality does not model that, its guests cannot reflink
 * (ext4; xfs made with reflink=0).
 */
int dax_file_reflink(struct daxfs_file *src, struct daxfs_file *dst)
{
	dax_writeback_mapping_range(file_mapping(src), 0, ~0ul);
	dax_break_layout_all(src);
	dax_break_layout_all(dst);
	return daxfs_reflink(src, dst);
}
