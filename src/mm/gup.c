// SPDX-License-Identifier: GPL-2.0-only
/*
 * gup.c - faulting a range in the way get_user_pages() does.
 *
 * The walk looks each page up (follow_page_mask()); a page that is missing,
 * or read-only under a write request, is faulted in with handle_mm_fault()
 * and looked up again.  GUP faults count in the task's min_flt like any
 * other fault (KERNEL-FACTS s9a).  MAP_POPULATE of a private writable
 * mapping asks for write access, so it allocates anonymous pages rather
 * than mapping the zero page, as Linux's populate_vma_page_range() does.
 *
 * Grabbing pages: FOLL_GET takes one reference per page (what vmsplice
 * does: KERNEL-FACTS s9b, where the extra reference turns a CoW reuse into a
 * copy); FOLL_PIN adds GUP_PIN_COUNTING_BIAS to a small folio's refcount,
 * or one reference and one pincount to a large folio, so that
 * folio_maybe_dma_pinned() sees it and fork copies the page for the child
 * (s9c).  The zero pages are never grabbed, as in Linux.  GUP-fast
 * (gup_fast.c) runs first and leaves this path what it refuses.
 * MODEL: no FOLL_LONGTERM migration (there is no ZONE_MOVABLE or CMA).
 */
#include <errno.h>

#include "base/alloc.h"
#include "mm/mm.h"
#include "phys/memremap.h"
#include "sync/rcu.h"

/* follow_page_mask(): is the page there with the access we need? */
static bool gup_can_follow(struct mm_struct *mm, uint64_t addr, bool write)
{
	struct fl_leaf leaf;

	fl_walk(mm, addr, &leaf);
	if (!leaf.level)
		return false;
	if (!(leaf.entry & (_PAGE_PRESENT)))
		return false;	/* PROT_NONE entries are not followed */
	return !write || (leaf.entry & _PAGE_RW);
}

/* Precondition: mmap_lock held; [start, end) inside @vma. Returns 0 or -errno. */
long populate_vma_page_range(struct vm_area_struct *vma, uint64_t start, uint64_t end, bool write)
{
	if (!(vma->vm_flags & (VM_READ | VM_WRITE)))
		return -EFAULT;
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EFAULT;
	for (uint64_t addr = start; addr < end; addr += PAGE_SIZE) {
		int tries = 0;

		while (!gup_can_follow(vma->vm_mm, addr, write)) {
			vm_fault_t ret = handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0);

			if (ret & VM_FAULT_OOM)
				return -ENOMEM;
			if (ret & VM_FAULT_ERROR)
				return -EFAULT;
			if (++tries > 4)
				return -EFAULT;
		}
	}
	return 0;
}

/* MAP_POPULATE: errors are ignored, as Linux's mm_populate() does. */
int mm_populate(struct mm_struct *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;

	mmap_read_lock(mm);
	for (uint64_t addr = start; addr < end;) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		uint64_t e;

		if (!vma || vma->vm_start >= end)
			break;
		if (vma->vm_start > addr)
			addr = vma->vm_start;
		e = vma->vm_end < end ? vma->vm_end : end;
		if (!(vma->vm_flags & (VM_IO | VM_PFNMAP)))
			populate_vma_page_range(vma, addr, e,
				(vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE);
		addr = e;
	}
	mmap_read_unlock(mm);
	return 0;
}

static void gup_grab(struct folio *folio, bool pin)
{
	if (!pin) {
		folio_get(folio);
	} else if (folio_test_large(folio)) {
		folio_get(folio);
		atomic_inc(&folio_page(folio, 1)->_pincount);
	} else {
		folio_ref_add(folio, GUP_PIN_COUNTING_BIAS);
	}
}

static void gup_release(struct folio *folio, bool pin)
{
	if (!pin) {
		folio_put(folio);
	} else if (folio_test_large(folio)) {
		atomic_dec(&folio_page(folio, 1)->_pincount);
		folio_put(folio);
	} else {
		folio_put_refs(folio, GUP_PIN_COUNTING_BIAS);
	}
}

/* check_vma_flags(): may this VMA be GUPed with @flags at all? */
static int check_vma_flags(struct vm_area_struct *vma, unsigned int flags)
{
	/* raw pfn maps have no pages to hand out */
	if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EFAULT;
	/* FS-DAX blocks cannot stay pinned while the filesystem moves them */
	if ((flags & FOLL_LONGTERM) && vma_is_dax(vma))
		return -EOPNOTSUPP;
	/*
	 * writable_file_mapping_allowed(): a long-term write pin must not keep
	 * a page the filesystem tracks for writeback (shmem needs no tracking).
	 */
	if ((flags & (FOLL_LONGTERM | FOLL_WRITE)) == (FOLL_LONGTERM | FOLL_WRITE) &&
	    (vma->vm_flags & VM_SHARED) && vma->vm_ops && vma->vm_ops->page_mkwrite)
		return -EFAULT;
	return 0;
}

static int gup_one(struct mm_struct *mm, uint64_t addr, unsigned int flags, struct fl_gup *g)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	bool write = flags & FOLL_WRITE;
	struct fl_leaf leaf;
	struct folio *folio;
	struct page *page;
	long err;

	err = check_vma_flags(vma, flags);
	if (err)
		return (int)err;
	err = populate_vma_page_range(vma, addr, addr + PAGE_SIZE, write);
	if (err)
		return (int)err;
	fl_walk(mm, addr, &leaf);
	if (is_zero_pfn(leaf.pfn) || is_huge_zero_pfn(leaf.pfn))
		return 0;	/* never refcounted: nothing to hold */
	/* follow_page_mask(): only what vm_normal_page*() calls a page. */
	page = leaf.level == 1 ? vm_normal_page(vma, addr, __pte(leaf.entry)) :
	       leaf.level == 2 ? vm_normal_page_pmd(vma, addr, __pmd(leaf.entry)) :
	       vm_normal_page_pud(vma, addr & PUD_MASK, __pud(leaf.entry));
	if (page && leaf.level == 2)
		page += (addr & ~PMD_MASK) >> PAGE_SHIFT;
	else if (page && leaf.level == 3)
		page += (addr & ~PUD_MASK) >> PAGE_SHIFT;
	if (!page && (leaf.entry & _PAGE_DEVMAP))
		page = devmap_gup_page(leaf.pfn);	/* Linux 6.1's devmap path (V5 one_based) */
	if (!page)
		return -EFAULT;	/* a raw pfn of a mixed map (follow_pfn_pte()) */
	folio = page_folio(page);
	gup_grab(folio, g->pin);
	g->folios[g->nr++] = folio;
	return 0;
}

/*
 * get_user_pages_fast()/pin_user_pages_fast() over [start, start+len):
 * GUP-fast grabs what it can from the front of the range without
 * mmap_lock; the slow path faults in what is missing (counted as faults,
 * as Linux counts GUP faults) and takes a reference or a pin on every
 * remaining page.  Returns NULL with *err set on failure, having released
 * whatever it had taken.
 */
struct fl_gup *fl_gup_flags(struct mm_struct *mm, uint64_t start, uint64_t len,
			    unsigned int flags, int *err)
{
	bool pin = flags & FOLL_PIN;
	unsigned long nr = (unsigned long)((len + PAGE_SIZE - 1) >> PAGE_SHIFT);
	struct fl_gup *g = fl_zalloc(FL_ALLOC_OTHER, sizeof(*g));

	*err = -ENOMEM;
	if (!g)
		return NULL;
	g->folios = fl_zalloc(FL_ALLOC_OTHER, (nr + 1) * sizeof(*g->folios));
	if (!g->folios) {
		fl_free(FL_ALLOC_OTHER, g);
		return NULL;
	}
	g->pin = pin;
	if (pin)
		mm->flags |= 1ul << MMF_HAS_PINNED;
	/* gup_fast_fallback(): the lockless walk first, the slow path for the rest */
	fl_rcu_thread_online();
	g->nr = gup_fast(mm, start, nr, flags, g->folios);
	fl_rcu_thread_offline();
	*err = 0;
	if ((unsigned long)g->nr == nr)
		return g;
	mmap_read_lock(mm);
	for (unsigned long i = (unsigned long)g->nr; i < nr; i++) {
		long before = g->nr;

		*err = gup_one(mm, (start & PAGE_MASK) + (i << PAGE_SHIFT), flags, g);
		if (*err)
			break;
		count_vm_events(GUP_SLOW, g->nr - before);
	}
	mmap_read_unlock(mm);
	if (*err) {
		fl_gup_release(g);
		return NULL;
	}
	return g;
}

struct fl_gup *fl_gup(struct mm_struct *mm, uint64_t start, uint64_t len, bool write, bool pin,
		      int *err)
{
	unsigned int flags = (write ? FOLL_WRITE : 0) | (pin ? FOLL_PIN | FOLL_LONGTERM : FOLL_GET);

	return fl_gup_flags(mm, start, len, flags, err);
}

void fl_gup_release(struct fl_gup *g)
{
	if (!g)
		return;
	for (long i = 0; i < g->nr; i++)
		gup_release(g->folios[i], g->pin);
	fl_free(FL_ALLOC_OTHER, g->folios);
	fl_free(FL_ALLOC_OTHER, g);
}
