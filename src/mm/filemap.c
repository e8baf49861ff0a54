// SPDX-License-Identifier: GPL-2.0-only
/*
 * filemap.c - the file side of the fault path: do_fault() and what it calls,
 * and the vm_operations of regular files that are not DAX (SPEC 2e, R75 to
 * R82; KERNEL-FACTS s4, s5, s6, s8).
 *
 * A missing PTE in a VMA with vm_ops goes to do_read_fault(),
 * do_cow_fault() or do_shared_fault(), as in Linux 6.18's mm/memory.c:
 *
 *  - reads first fault around (do_fault_around(), R80: a window of
 *    fault_around_bytes aligned on the virtual address, clipped to the VMA
 *    and the PTE table; ->map_pages() maps the cached, uptodate, unlocked
 *    pages of it up to EOF, large folios whole where they fit); if that
 *    mapped the faulting page the fault is done, else ->fault() gets the
 *    page (a cold ext4 page: readahead, RETRY, one major fault) and
 *    finish_fault() maps it;
 *  - writes to private mappings copy the file page into a new anonymous
 *    page (do_cow_fault(), R78 with cow_page, KERNEL-FACTS s6);
 *  - writes to shared mappings tell the filesystem (page_mkwrite), map the
 *    page writable and dirty it (do_shared_fault()); writes never fault
 *    around.  Shared ext4 mappings are write-notified: their PTEs start
 *    read-only (vma_wants_writenotify()) and the first write goes through
 *    do_wp_page()'s wp_page_shared() (src/mm/wp.c).
 *
 * finish_fault() tries do_set_pmd() first and allocates the PTE table only
 * after it knows no PMD mapping applies (R75, R78, R79); map_pages never
 * allocates, it installs the table do_fault_around() preallocated (R76,
 * R82, Q11).  A PTE found occupied is NOPAGE and the caller's reference is
 * dropped (R76, R78, Q10), except under the S003 draft, V16=map_set_pte,
 * which returns 0 and leaks it on purpose (T69, T71).  Prefaulted entries
 * are old under V17.  V22 (an uninitialised return for shared VMAs) is not
 * reproduced: MODEL, the model always returns a defined value.
 */
#include <limits.h>
#include <string.h>

#include "base/bug.h"
#include "fs/pagecache.h"
#include "mm/mm.h"

/*
 * set_pte_range(): map @folio's @page at @addr through @ptep (PTE lock
 * held).  Prefaulted neighbours are never written, and are old when the
 * architecture asks for it (V17).
 */
static void set_pte_range(struct vm_fault *vmf, struct folio *folio, struct page *page,
			  uint64_t addr, pte_t *ptep, bool prefault)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = !prefault && (vmf->flags & FAULT_FLAG_WRITE);
	pte_t entry = pfn_pte(page_to_pfn(page), vma->vm_page_prot);

	if (prefault && fl_cfg.old_prefault_pte)
		entry = pte_mkold(entry);
	else
		entry = pte_mkyoung(entry);
	if (write) {
		entry = pte_mkdirty(entry);
		if (vma->vm_flags & VM_WRITE)
			entry = pte_mkwrite(entry);
	}
	if (write && !(vma->vm_flags & VM_SHARED))
		folio_add_new_anon_rmap(folio, vma, addr, true);
	else
		folio_add_file_rmap_pte(folio, page);
	set_pte(ptep, entry);
}

/*
 * What finish_fault() and map_pages report for a PTE that someone else
 * filled first (R76, R78, Q10): NOPAGE, so the caller drops its page
 * reference; the S003 draft (V16=map_set_pte) returned 0 and leaked it.
 */
static vm_fault_t occupied_ret(void)
{
	return fl_cfg.fault_around_impl == FL_FAULT_AROUND_MAP_SET_PTE ? 0 : VM_FAULT_NOPAGE;
}

/*
 * How many pages finish_fault() maps: the whole folio when it is large, the
 * fault is not a CoW, and the folio lies inside the VMA and the PTE table
 * (Linux 6.18 maps whole page-cache folios this way; measured: a write
 * fault on a 1 MiB ext4 folio maps 256 PTEs).  *addr and *page move to the
 * folio's first page.
 */
static bool folio_beyond_eof(struct vm_area_struct *vma, struct folio *folio);

static unsigned long finish_fault_nr(struct vm_fault *vmf, struct folio *folio, bool is_cow,
				     uint64_t *addr, struct page **page)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long nr = folio_nr_pages(folio);
	unsigned long idx = (unsigned long)(*page - &folio->page);
	unsigned long vma_off = vmf->pgoff - vma->vm_pgoff;
	unsigned long pte_off = pte_index(vmf->address);

	if (is_cow || nr == 1)
		return 1;
	/*
	 * Never past EOF (6.18, "do not map pages beyond i_size"): a truncate
	 * split the folio at the boundary in Linux, so only the part below
	 * i_size is one folio there.  MODEL: faultline keeps the folio whole
	 * and maps just that part (shmem may map across i_size).
	 */
	if (folio_beyond_eof(vma, folio) && vma->vm_ops != &tmpfs_file_vm_ops) {
		unsigned long eof = fl_file_nr_pages((struct fl_file *)vma->vm_file);

		nr = eof > folio->page.index ? eof - folio->page.index : 1;
		if (idx >= nr)
			return 1;
	}
	if (vma_off < idx || vma_off + (nr - idx) > ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) ||
	    pte_off < idx || pte_off + (nr - idx) > PTRS_PER_TABLE)
		return 1;
	*addr = vmf->address - ((uint64_t)idx << PAGE_SHIFT);
	*page = &folio->page;
	return nr;
}

static bool pte_range_none(pte_t *pte, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++)
		if (!pte_none(ptep_get(pte + i)))
			return false;
	return true;
}

/* A page-cache folio kept whole across a truncation (MODEL, pagecache.c) must not be PMD-mapped. */
static bool folio_beyond_eof(struct vm_area_struct *vma, struct folio *folio)
{
	if (vma->vm_ops != &filemap_vm_ops && vma->vm_ops != &tmpfs_file_vm_ops)
		return false;
	return folio->page.index + folio_nr_pages(folio) >
	       fl_file_nr_pages((struct fl_file *)vma->vm_file);
}

/*
 * do_set_pmd() (R79): map a PMD-sized page-cache folio with one huge PMD.
 * FALLBACK when the folio is not order 9, when THP is off for the VMA, when
 * the VMA cannot hold the aligned 2 MiB or its file offset has another PMD
 * colour, and when the PMD is no longer none.  With V2 (pgtable_deposit)
 * vmf->prealloc_pte is deposited under the PMD, allocated here if missing.
 * The caller's folio reference becomes the PMD's.
 */
vm_fault_t do_set_pmd(struct vm_fault *vmf, struct folio *folio)
{
	struct vm_area_struct *vma = vmf->vma;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	uint64_t haddr = vmf->address & PMD_MASK;
	spinlock_t *ptl;
	pmd_t entry;

	if (folio_order(folio) != HPAGE_PMD_ORDER || (vma->vm_flags & VM_NOHUGEPAGE) ||
	    folio_beyond_eof(vma, folio) ||
	    !thp_vma_suitable_order(vma, haddr, HPAGE_PMD_ORDER) ||
	    linear_page_index(vma, haddr) != folio->page.index)
		return VM_FAULT_FALLBACK;
	if (fl_cfg.pgtable_deposit && !vmf->prealloc_pte) {
		vmf->prealloc_pte = pte_alloc_one(&vma->vm_mm->pgt);
		if (!vmf->prealloc_pte)
			return VM_FAULT_OOM;
	}
	ptl = pmd_lock(vmf->pmd);
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		spin_unlock(ptl);
		return VM_FAULT_FALLBACK;
	}
	entry = pmd_mkhuge(pfn_pmd(folio_pfn(folio), vma->vm_page_prot));
	if (write) {
		entry = pmd_mkdirty(entry);
		if (vma->vm_flags & VM_WRITE)
			entry = pmd_mkwrite(entry);
	}
	add_mm_counter(vma->vm_mm, mm_counter_file(folio), HPAGE_PMD_NR);
	folio_add_file_rmap_pmd(folio);
	if (fl_cfg.pgtable_deposit) {
		pgtable_trans_huge_deposit(&vma->vm_mm->pgt, vmf->pmd, vmf->prealloc_pte);
		mm_inc_nr_ptes(vma->vm_mm);
		vmf->prealloc_pte = NULL;
	}
	set_pmd(vmf->pmd, entry);
	spin_unlock(ptl);
	fault_explain(vmf, 1, "file", 0, false, FL_REASON_NONE, "file");
	return 0;
}

/* The PMD is none: install vmf->prealloc_pte, or allocate a table (R75, R78). */
static int finish_fault_table(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;

	spinlock_t *ptl;

	if (!vmf->prealloc_pte)
		return pte_alloc(mm, vmf->pmd);
	ptl = pmd_lock(vmf->pmd);
	if (pmd_none(pmdp_get(vmf->pmd))) {
		mm_inc_nr_ptes(mm);
		pmd_populate(vmf->pmd, vmf->prealloc_pte);
		vmf->prealloc_pte = NULL;
	}
	spin_unlock(ptl);
	return 0;
}

/*
 * finish_fault() (R78): map vmf->page, or the CoW copy.  The PTE table is
 * allocated only here, once no PMD mapping applies (R75: a PMD-sized folio
 * goes to do_set_pmd() first, R79).  The PTE is re-checked under its lock.  The caller's folio reference becomes the mapping's (plus one
 * per extra page of a whole-folio mapping).  Returns 0, VM_FAULT_NOPAGE if
 * the PTE changed under us or the PMD turned huge (the caller then drops
 * its reference), or VM_FAULT_OOM.
 */
vm_fault_t finish_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool is_cow = (vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED);
	struct page *page = is_cow ? vmf->cow_page : vmf->page;
	struct folio *folio = page_folio(page);
	uint64_t addr = vmf->address;
	unsigned long nr;

	/*
	 * check_stable_address_space() (R78 step 2, T72): an OOM-reaped mm
	 * may have lost a private mapping's CoW pages; shared VMAs skip it.
	 */
	if (!(vma->vm_flags & VM_SHARED) && (vma->vm_mm->flags & (1ul << MMF_UNSTABLE)))
		return VM_FAULT_SIGBUS;
	if (pmd_none(pmdp_get(vmf->pmd))) {
		/* R75: a PMD mapping first; the PTE table only once none applies. */
		if (!is_cow && folio_test_large(folio)) {
			vm_fault_t ret = do_set_pmd(vmf, folio);

			if (ret != VM_FAULT_FALLBACK)
				return ret;
		}
		if (finish_fault_table(vmf))
			return VM_FAULT_OOM;
	}
	if (pmd_leaf(pmdp_get(vmf->pmd)))
		return occupied_ret();	/* R78/T70: a huge PMD came first; retry */
	nr = finish_fault_nr(vmf, folio, is_cow, &addr, &page);
fallback:
	vmf->pte = pte_offset_map_lock(vmf->pmd, addr, &vmf->ptl);
	if (!vmf->pte)
		return VM_FAULT_NOPAGE;
	if (nr > 1 && !pte_range_none(vmf->pte, nr)) {
		/* Some of the folio is mapped already: map the faulting page alone. */
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		page = vmf->page;
		addr = vmf->address;
		nr = 1;
		goto fallback;
	}
	if (!pte_none(ptep_get(vmf->pte))) {
		pte_unmap_unlock(vmf->pte, vmf->ptl);
		return occupied_ret();
	}
	for (unsigned long i = 0; i < nr; i++)
		set_pte_range(vmf, folio, page + i, addr + (i << PAGE_SHIFT), vmf->pte + i, false);
	if (nr > 1)
		folio_ref_add(folio, (int)nr - 1);
	add_mm_counter(vma->vm_mm, is_cow ? MM_ANONPAGES : mm_counter_file(folio), (long)nr);
	pte_unmap_unlock(vmf->pte, vmf->ptl);
	return 0;
}

/* Free a prealloc_pte that nobody installed. */
static void release_prealloc(struct vm_fault *vmf)
{
	if (vmf->prealloc_pte) {
		pte_free(&vmf->vma->vm_mm->pgt, vmf->prealloc_pte);
		vmf->prealloc_pte = NULL;
	}
}

static vm_fault_t do_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long nr_pages = (unsigned long)(fl_cfg.fault_around_bytes >> PAGE_SHIFT);
	unsigned long pte_off = pte_index(vmf->address);
	unsigned long vma_off = vmf->pgoff - vma->vm_pgoff;
	unsigned long vma_pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	unsigned long from = pte_off & ~(nr_pages - 1), to;

	if (from < pte_off - (pte_off < vma_off ? pte_off : vma_off))
		from = pte_off - (pte_off < vma_off ? pte_off : vma_off);
	to = from + nr_pages;
	if (to > PTRS_PER_TABLE)
		to = PTRS_PER_TABLE;
	if (to > pte_off + vma_pages - vma_off)
		to = pte_off + vma_pages - vma_off;
	to--;
	if (pmd_none(pmdp_get(vmf->pmd))) {
		vmf->prealloc_pte = pte_alloc_one(&vma->vm_mm->pgt);
		if (!vmf->prealloc_pte)
			return VM_FAULT_OOM;
	}
	return vma->vm_ops->map_pages(vmf, vmf->pgoff + from - pte_off, vmf->pgoff + to - pte_off);
}

static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = vmf->vma->vm_ops->fault(vmf);

	if (!(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) && !vmf->page)
		return VM_FAULT_SIGBUS;
	return ret;
}

static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret;

	if (vmf->vma->vm_ops->map_pages && fl_cfg.fault_around_bytes > PAGE_SIZE) {
		ret = do_fault_around(vmf);
		if (ret) {
			release_prealloc(vmf);
			fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE,
				      ret & VM_FAULT_NOPAGE ? "file" : NULL);
			return ret;
		}
	}
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		release_prealloc(vmf);
		/* A driver's ->fault that inserted by itself has explained itself. */
		if ((ret & VM_FAULT_NOPAGE) && (vmf->vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)))
			return ret;
		/* RETRY: the I/O was started, the retried fault maps (s4 cold read). */
		fault_explain(vmf, 0, "file", ret, false,
			      ret & VM_FAULT_SIGBUS ? FL_REASON_BEYOND_EOF : FL_REASON_NONE, NULL);
		return ret;
	}
	ret |= finish_fault(vmf);
	release_prealloc(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		folio_put(page_folio(vmf->page));
	fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE, ret ? NULL : "file");
	return ret;
}

static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *copy;
	vm_fault_t ret;

	if (vmf_anon_prepare(vmf))
		return VM_FAULT_OOM;
	copy = folio_alloc(0, 0);
	if (!copy)
		return VM_FAULT_OOM;
	vmf->cow_page = &copy->page;
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		folio_put(copy);
		return ret;
	}
	memcpy(page_address(&copy->page), page_address(vmf->page), PAGE_SIZE);
	__folio_mark_uptodate(copy);
	ret |= finish_fault(vmf);
	folio_put(page_folio(vmf->page));
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		folio_put(copy);
	fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE, ret ? NULL : "anon");
	(void)vma;
	return ret;
}

/*
 * do_page_mkwrite(): tell the filesystem a page is about to be written
 * (ext4 reserves blocks and dirties it).  Fails with SIGBUS when the page
 * was truncated meanwhile.
 */
vm_fault_t do_page_mkwrite(struct vm_fault *vmf, struct folio *folio)
{
	unsigned int old_flags = vmf->flags;
	vm_fault_t ret;

	vmf->flags = FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE;
	ret = vmf->vma->vm_ops->page_mkwrite(vmf);
	vmf->flags = old_flags;
	if (!ret && folio->page.mapping != vmf->vma->vm_file)
		ret = VM_FAULT_NOPAGE;	/* truncated under us: retry */
	return ret;
}

static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	struct folio *folio;
	vm_fault_t ret = __do_fault(vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	folio = page_folio(vmf->page);
	if (vmf->vma->vm_ops->page_mkwrite) {
		vm_fault_t tmp = do_page_mkwrite(vmf, folio);

		if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
			folio_put(folio);
			return tmp;
		}
	}
	ret |= finish_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		folio_put(folio);
		return ret;
	}
	folio_set_dirty(folio);		/* fault_dirty_shared_page() */
	fault_explain(vmf, 0, "file", ret, false, FL_REASON_NONE, "file");
	return ret;
}

vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma_is_dax(vma))
		return do_dax_fault(vmf);	/* ->fault maps by itself; explains itself */
	if (!vma->vm_ops->fault) {
		fault_explain(vmf, 0, "file", VM_FAULT_SIGBUS, false, FL_REASON_NONE, NULL);
		return VM_FAULT_SIGBUS;
	}
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* Install vmf->prealloc_pte if the PMD is still none (filemap_map_pmd()). */
static bool map_pages_table(struct vm_fault *vmf)
{
	spinlock_t *ptl;

	if (!pmd_none(pmdp_get(vmf->pmd)))
		return true;
	if (!vmf->prealloc_pte) {
		/* R82/Q11/T73: map_pages runs atomic and never allocates. */
		fl_report_bug("map_pages without prealloc_pte (R82, Q11)",
			      "PMD none at 0x%llx and no preallocated PTE table",
			      (unsigned long long)vmf->address);
		return false;
	}
	ptl = pmd_lock(vmf->pmd);
	if (pmd_none(pmdp_get(vmf->pmd))) {
		mm_inc_nr_ptes(vmf->vma->vm_mm);
		pmd_populate(vmf->pmd, vmf->prealloc_pte);
		vmf->prealloc_pte = NULL;
	}
	spin_unlock(ptl);
	return true;
}

static uint64_t pgoff_address(struct vm_area_struct *vma, unsigned long pgoff)
{
	return vma->vm_start + ((uint64_t)(pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

/*
 * can_map_large in Linux 6.18's filemap_map_pages(): may @folio be mapped
 * beyond the window (whole, or by a PMD)?  Not when it reaches the last
 * page of the file, so that no PTE ever maps past i_size (shmem excepted:
 * the caller passes @file_pages = ULONG_MAX).
 */
static bool can_map_large(struct folio *folio, unsigned long file_pages)
{
	return file_pages == ULONG_MAX ||
	       folio->page.index + folio_nr_pages(folio) + 1 <= file_pages;
}

/*
 * Which pages of @folio fault-around maps when it met the folio at @idx:
 * the whole folio if it may map large and lies inside the VMA and one PTE
 * table (filemap_map_folio_range(): "map the large folio fully where
 * possible"), else its pages in [idx, end].
 */
static void map_pages_span(struct vm_fault *vmf, struct folio *folio, unsigned long idx,
			   unsigned long end, unsigned long file_pages, unsigned long *first,
			   unsigned long *last)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long fstart = folio->page.index, fend = fstart + folio_nr_pages(folio) - 1;
	uint64_t a0, a1;

	*first = idx > fstart ? idx : fstart;
	*last = end < fend ? end : fend;
	if (fstart < vma->vm_pgoff || !can_map_large(folio, file_pages))
		return;
	a0 = pgoff_address(vma, fstart);
	a1 = a0 + folio_nr_pages(folio) * PAGE_SIZE;
	if (a1 > vma->vm_end || (a0 & PMD_MASK) != ((a1 - 1) & PMD_MASK))
		return;
	*first = fstart;
	*last = fend;
}

/* Map @folio's pages [first, last] whose PTEs are none; returns how many. */
static long map_folio_range(struct vm_fault *vmf, struct folio *folio, unsigned long first,
			    unsigned long last, vm_fault_t *ret)
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t addr = pgoff_address(vma, first);
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(vmf->pmd, addr, &ptl);
	long mapped = 0;

	if (!pte)
		return 0;
	for (unsigned long i = first; i <= last; i++, pte++, addr += PAGE_SIZE) {
		if (!pte_none(ptep_get(pte))) {
			/* T69: the draft (V16=map_set_pte) takes a reference it never drops. */
			if (!occupied_ret())
				folio_get(folio);
			continue;
		}
		if (addr == vmf->address)
			*ret = VM_FAULT_NOPAGE;
		set_pte_range(vmf, folio, folio_page(folio, i - folio->page.index), addr, pte,
			      addr != vmf->address);
		mapped++;
	}
	pte_unmap_unlock(pte - 1, ptl);
	return mapped;
}

/*
 * The first mappable folio of the window decides the PMD (filemap_map_pmd()):
 * a PMD-sized folio is mapped by do_set_pmd(), else the preallocated table
 * goes in.  Measured on 6.18: when that first folio may not map large (it
 * reaches EOF), neither happens, and with no table fault-around maps
 * nothing at all (the fault then goes to ->fault and finish_fault()).
 * Returns VM_FAULT_NOPAGE if a PMD now maps the folio, -1 to stop, 0 to go on.
 */
static int map_pages_first(struct vm_fault *vmf, struct folio *folio, unsigned long file_pages)
{
	if (!can_map_large(folio, file_pages))
		return pmd_none(pmdp_get(vmf->pmd)) ? -1 : 0;
	if (pmd_none(pmdp_get(vmf->pmd)) && folio_test_large(folio) && !do_set_pmd(vmf, folio))
		return VM_FAULT_NOPAGE;	/* the reference went to the PMD (R76 step 1, T68) */
	/* The table is installed once there is something to map (R75). */
	return map_pages_table(vmf) ? 0 : -1;
}

/*
 * filemap_map_pages() for a page cache reached through @lookup: map the
 * cached pages of [start, end] whose PTEs are none (R80); @file_pages is
 * i_size in pages (ULONG_MAX for shmem, which may map large across it).
 * Skipped, with the speculative reference dropped (T67): folios not
 * uptodate or locked.  Returns VM_FAULT_NOPAGE when the faulting page
 * itself got mapped.
 */
vm_fault_t filemap_map_pages_with(struct vm_fault *vmf, unsigned long start, unsigned long end,
				  struct folio *(*lookup)(struct vm_area_struct *, unsigned long),
				  unsigned long file_pages)
{
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret = 0;
	unsigned long idx = start;
	bool first_seen = false;
	long rss = 0;
	int type = -1;

	/*
	 * Never past EOF: Linux cuts the window at the last page of the file
	 * before mapping anything, so a read beyond it still faults and gets
	 * SIGBUS even when a large folio straddles i_size.
	 */
	if (file_pages != ULONG_MAX && file_pages && end > file_pages - 1)
		end = file_pages - 1;
	if (file_pages == 0)
		return 0;
	while (idx <= end) {
		struct folio *folio = lookup(vma, idx);
		unsigned long first, last, at = idx;
		long mapped;
		int r;

		if (!folio) {
			idx++;
			continue;
		}
		idx = (folio->page.index + folio_nr_pages(folio) > end) ?
		      end + 1 : folio->page.index + folio_nr_pages(folio);
		if (!folio_test_uptodate(folio) || test_page_flag(&folio->page, PG_locked)) {
			folio_put(folio);
			continue;
		}
		if (!first_seen) {
			first_seen = true;
			r = map_pages_first(vmf, folio, file_pages);
			if (r) {
				if (r < 0)
					folio_put(folio);
				ret = r < 0 ? 0 : (vm_fault_t)r;
				break;
			}
		}
		map_pages_span(vmf, folio, at, end, file_pages, &first, &last);
		mapped = map_folio_range(vmf, folio, first, last, &ret);
		if (mapped)
			folio_ref_add(folio, (int)mapped - 1);
		else
			folio_put(folio);
		type = mm_counter_file(folio);
		rss += mapped;
	}
	if (type >= 0)
		add_mm_counter(vma->vm_mm, type, rss);
	return ret;
}

/* ---- regular files that are not DAX: fs=pagecache and fs=tmpfs ---- */

/*
 * MODEL: the readahead window of a cold mmap fault
 * (do_sync_mmap_readahead(): ra_pages centred on the fault), with
 * read_ahead_kb = 8 MiB as on the machine KERNEL-FACTS was measured on.
 */
#define FILEMAP_RA_PAGES	2048ul

static struct fl_file *vma_file(struct vm_area_struct *vma)
{
	return vma->vm_file;
}

/*
 * do_sync_mmap_readahead(): ra_pages around the fault in order-0 folios,
 * or, in a VM_HUGEPAGE VMA, two PMD-sized folios from the aligned index
 * (measured on 6.18: a cold read of an ext4 file under MADV_HUGEPAGE is
 * mapped by a PMD, FilePmdMapped).  MODEL: no PG_readahead mark on the
 * second folio (it changes only whether a later fault is counted major).
 */
static void do_sync_mmap_readahead(struct vm_fault *vmf, struct fl_file *f)
{
	unsigned long start;

	/* As in Linux, the THP sysfs mode does not matter here, only VM_HUGEPAGE. */
	if (vmf->vma->vm_flags & VM_HUGEPAGE) {
		start = vmf->pgoff & ~(HPAGE_PMD_NR - 1);
		page_cache_ra_order(f, start, start + 2 * HPAGE_PMD_NR, HPAGE_PMD_ORDER);
		return;
	}
	start = vmf->pgoff > FILEMAP_RA_PAGES / 2 ? vmf->pgoff - FILEMAP_RA_PAGES / 2 : 0;
	page_cache_ra(f, start, start + FILEMAP_RA_PAGES);
}

/*
 * filemap_fault(): the page at vmf->pgoff, read in if needed.  Beyond EOF
 * is SIGBUS (s8).  A page-cache miss on a disk file starts readahead and
 * answers RETRY|MAJOR: Linux drops the mmap lock for the I/O and the
 * retried fault, counted as one major fault, faults around the now cached
 * pages (s4 cold read: majflt 1, minflt 0, 16 pages mapped).  tmpfs
 * allocates a hole in place (shmem_fault()).
 */
static vm_fault_t filemap_fault(struct vm_fault *vmf)
{
	struct fl_file *f = vma_file(vmf->vma);
	struct folio *folio;
	bool major;

	if (vmf->pgoff >= fl_file_nr_pages(f))
		return VM_FAULT_SIGBUS;
	folio = filemap_get_folio(f, vmf->pgoff);
	if (!folio && f->kind == FL_FILE_PAGECACHE && !(vmf->flags & FAULT_FLAG_TRIED)) {
		do_sync_mmap_readahead(vmf, f);
		return VM_FAULT_MAJOR | VM_FAULT_RETRY;
	}
	if (!folio) {
		folio = filemap_read_folio(f, vmf->pgoff, &major);
		if (!folio)
			return VM_FAULT_OOM;
	}
	if (vmf->pgoff >= fl_file_nr_pages(f)) {
		folio_put(folio);
		return VM_FAULT_SIGBUS;
	}
	vmf->page = folio_page(folio, vmf->pgoff - folio->page.index);
	return 0;
}

/* The cached folio at @index for fault-around: none past EOF (R80). */
static struct folio *filemap_lookup_vma(struct vm_area_struct *vma, unsigned long index)
{
	struct fl_file *f = vma_file(vma);

	if (index >= fl_file_nr_pages(f))
		return NULL;
	return filemap_get_folio(f, index);
}

static vm_fault_t filemap_map_pages(struct vm_fault *vmf, unsigned long start, unsigned long end)
{
	struct fl_file *f = vma_file(vmf->vma);

	/* shmem_mapping(): tmpfs may map large across i_size. */
	return filemap_map_pages_with(vmf, start, end, filemap_lookup_vma,
				      f->kind == FL_FILE_TMPFS ? ULONG_MAX : fl_file_nr_pages(f));
}

/*
 * filemap_page_mkwrite() / ext4_page_mkwrite(): the page is about to be
 * written through a shared mapping: dirty it, or SIGBUS if truncation took
 * it past EOF.
 */
static vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf)
{
	struct fl_file *f = vma_file(vmf->vma);
	struct folio *folio = page_folio(vmf->page);

	if (folio->page.mapping != f || folio->page.index >= fl_file_nr_pages(f))
		return VM_FAULT_NOPAGE;
	folio_set_dirty(folio);
	return 0;
}

static void filemap_vma_open(struct vm_area_struct *vma)
{
	fl_file_get(vma_file(vma));
}

static void filemap_vma_close(struct vm_area_struct *vma)
{
	fl_file_put(vma_file(vma));
}

/* ext4 and friends: write-notify through page_mkwrite. */
const struct vm_operations_struct filemap_vm_ops = {
	.name = "file",
	.open = filemap_vma_open,
	.close = filemap_vma_close,
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = filemap_page_mkwrite,
};

/* tmpfs files (shmem_vm_ops): no page_mkwrite, so no write-notify (s5). */
const struct vm_operations_struct tmpfs_file_vm_ops = {
	.name = "tmpfs",
	.open = filemap_vma_open,
	.close = filemap_vma_close,
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
};

/*
 * shmem_zero_setup(): MAP_SHARED|MAP_ANONYMOUS and MAP_SHARED of /dev/zero
 * get a tmpfs file of the mapping's size, unlinked (the VMA holds the only
 * reference).  A read fault allocates a page in it (no zero page:
 * KERNEL-FACTS s10b), fault-around maps what is already cached, no
 * write-notify, and fork copies the VMA but not its PTEs (s10c).
 */
int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct fl_file *file = fl_file_create(FL_FILE_TMPFS, vma->vm_end - vma->vm_start);

	if (!file)
		return -1;
	vma->vm_file = file;
	vma->vm_pgoff = 0;
	vma->vm_ops = &tmpfs_file_vm_ops;
	return 0;
}

/*
 * vma_wants_writenotify(): a shared writable mapping whose file wants to
 * hear of the first write to each page gets read-only PTEs, so that write
 * faults into do_wp_page()'s shared path (s4: a write after a read costs
 * one fault on ext4, none on tmpfs).
 */
bool vma_wants_writenotify(struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	return vma->vm_ops && (vma->vm_ops->page_mkwrite || vma->vm_ops->pfn_mkwrite);
}
