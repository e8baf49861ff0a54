// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfnmap.c - driver mappings: remap_pfn_range() and the two model drivers
 * behind the scenario's `mmap ... pfn=BASE` and `mmap ... mixed=BASE`.
 *
 * pfn=BASE is /dev/mem's mmap: vm_pgoff is the first frame, and the whole
 * range is mapped at mmap time by remap_pfn_range(), which makes the VMA
 * VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP and installs special PTEs that
 * no one refcounts (R2b, R21).  On a CoW (private, writable) mapping V7
 * decides: linear (the default, Linux 6.18) wants the whole VMA and
 * rewrites vm_pgoff to the first pfn, which is what lets vm_normal_page()
 * tell an original pfn from a CoW'ed anonymous page without special bits
 * (R6, R21); anon_lookup (S004/p11 RFC) allows a partial range and refuses
 * a pfn that is an anonymous folio (R22).  A failed remap zaps what it
 * installed, as Linux 6.18's remap_pfn_range() does.
 *
 * mixed=BASE is a driver with a fault handler: VM_MIXEDMAP, and every
 * fault inserts the frame vm_pgoff + index.  Device frames (io+N, no
 * memmap) go in raw through vmf_insert_mixed[_mkwrite]() (R2d).  For RAM
 * the driver hands out its own pages through vmf_insert_page_mkwrite(), so
 * they are refcounted and mapcounted (kind `page`).
 * MODEL: a driver owns the RAM it maps, so `mixed=ram+N` gets pages the
 * driver allocates on first touch (one reference held by the driver until
 * the last VMA using it closes); N only names the device offset.  Mapping
 * arbitrary RAM frames would hand out frames the page allocator owns.
 *
 * The mixed driver also has a huge_fault handler, as vfio-pci's has: it
 * maps a whole PUD (1 GiB) or PMD (2 MiB) of device frames with
 * vmf_insert_pfn_pud() / vmf_insert_pfn_pmd() when the range and alignment
 * allow (R37, R38), which is how scenarios reach insert_pud()'s and
 * insert_pmd()'s pfn sides.  Linux asks it only where the THP policy allows
 * (thp_vma_allowable_pmd(): sysfs, and VM_HUGEPAGE in madvise mode), so a
 * scenario selects huge inserts with `hugepage` (or `config thp=always`);
 * a PUD also needs `align=1G`, a 1 GiB-aligned device frame and 1 GiB of
 * device behind the VMA.  pfn= maps never get huge entries: Linux's
 * remap_pfn_range() installs PTEs only.
 */
#include <errno.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "mm/mm.h"

/* The mixed driver's device: its RAM pages, shared by every VMA using it. */
struct mixed_dev {
	atomic_t refs;			/* one per VMA */
	unsigned long base;		/* the pfn of offset 0 (vm_pgoff at mmap) */
	unsigned long nr;
	struct folio *pages[];		/* RAM bases only, allocated on first touch */
};

static void mixed_open(struct vm_area_struct *vma)
{
	atomic_inc(&((struct mixed_dev *)vma->vm_private_data)->refs);
}

static void mixed_close(struct vm_area_struct *vma)
{
	struct mixed_dev *dev = vma->vm_private_data;

	if (!atomic_dec_and_test(&dev->refs))
		return;
	for (unsigned long i = 0; i < dev->nr; i++)
		if (dev->pages[i])
			folio_put(dev->pages[i]);
	fl_free(FL_ALLOC_OTHER, dev);
}

/* The driver's page for RAM offset @i: allocated once, kept until close. */
static struct page *mixed_dev_page(struct mixed_dev *dev, unsigned long i)
{
	if (!dev->pages[i]) {
		struct folio *folio = folio_alloc(__GFP_ZERO, 0);

		if (!folio)
			return NULL;
		__folio_mark_uptodate(folio);
		folio->page.index = i;
		dev->pages[i] = folio;
	}
	return &dev->pages[i]->page;
}

static vm_fault_t mixed_fault(struct vm_fault *vmf)
{
	struct mixed_dev *dev = vmf->vma->vm_private_data;
	/* A private mapping gets the driver's entry read-only; CoW copies it. */
	bool write = (vmf->flags & FAULT_FLAG_WRITE) && (vmf->vma->vm_flags & VM_SHARED);
	unsigned long pfn = vmf->pgoff;
	vm_fault_t ret;

	if (pfn - dev->base >= dev->nr) {
		ret = VM_FAULT_SIGBUS;
	} else if (pfn_valid(dev->base)) {
		struct page *page = mixed_dev_page(dev, pfn - dev->base);

		ret = page ? vmf_insert_page_mkwrite(vmf, page, write) : VM_FAULT_OOM;
	} else {
		ret = write ? vmf_insert_mixed_mkwrite(vmf->vma, vmf->address, pfn) :
			      vmf_insert_mixed(vmf->vma, vmf->address, pfn);
	}
	fault_explain(vmf, 0, "pfn", ret, false, FL_REASON_NONE,
		      ret == VM_FAULT_NOPAGE ? (pfn_valid(dev->base) ? "page" : "pfn") : NULL);
	return ret;
}

/*
 * The huge driver: a PUD or PMD of device frames when the whole range of
 * that size fits the VMA, starts on a frame aligned to its size and lies
 * inside the device.
 */
static vm_fault_t mixed_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mixed_dev *dev = vma->vm_private_data;
	bool pud = order == HPAGE_PUD_ORDER;
	uint64_t size = PAGE_SIZE << order;
	uint64_t start = vmf->address & ~(size - 1);
	unsigned long pfn = linear_page_index(vma, start);
	int level = pud ? 2 : 1;
	bool write = (vmf->flags & FAULT_FLAG_WRITE) && (vma->vm_flags & VM_SHARED);
	vm_fault_t ret;

	if ((order != HPAGE_PMD_ORDER && !pud) || start < vma->vm_start ||
	    start + size > vma->vm_end || pfn_valid(dev->base) || (pfn & ((1ul << order) - 1)) ||
	    pfn - dev->base >= dev->nr || pfn - dev->base + (1ul << order) > dev->nr) {
		fault_explain(vmf, level, "pfn", VM_FAULT_FALLBACK, false, FL_REASON_NONE, NULL);
		return VM_FAULT_FALLBACK;
	}
	ret = pud ? vmf_insert_pfn_pud(vmf, pfn, write) : vmf_insert_pfn_pmd(vmf, pfn, write);
	fault_explain(vmf, level, "pfn", ret, false, FL_REASON_NONE,
		      ret == VM_FAULT_NOPAGE ? "pfn" : NULL);
	return ret;
}

const struct vm_operations_struct pfnmap_vm_ops = {
	.name = "pfn",
};

const struct vm_operations_struct mixedmap_vm_ops = {
	.name = "mixed",
	.open = mixed_open,
	.close = mixed_close,
	.fault = mixed_fault,
	.huge_fault = mixed_huge_fault,
};

/* One special PTE of remap_pfn_range().  Preconditions: mmap_lock for write. */
static int remap_pte(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn, pgprot_t prot)
{
	struct mm_struct *mm = vma->vm_mm;
	spinlock_t *ptl;
	pte_t *pte, entry;

	/* R22: the RFC refuses a pfn that is an anonymous folio (V7 anon_lookup). */
	if (fl_cfg.cow_pfnmap_detect == FL_COW_PFNMAP_ANON_LOOKUP &&
	    vm_pfnmap_normal_page_pfn(vma, pfn))
		return -EINVAL;
	pte = get_locked_pte(mm, addr, &ptl);
	if (!pte)
		return -ENOMEM;
	entry = pfn_pte(pfn, prot);
	if (fl_cfg.pte_special)
		entry = pte_mkspecial(entry);
	if (!pte_none(ptep_get(pte)))
		fl_report_bug("remap_pfn_range", "PTE at 0x%llx already populated",
			      (unsigned long long)addr);
	set_pte(pte, entry);
	pte_unmap_unlock(pte, ptl);
	return 0;
}

/* remap_pfn_range(): R21 (V7 linear) or R22 (V7 anon_lookup). */
int remap_pfn_range(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
		    uint64_t size, pgprot_t prot)
{
	uint64_t end = addr + size;
	int err = 0;

	if (addr < vma->vm_start || end > vma->vm_end || (addr | size) & ~PAGE_MASK)
		return -EINVAL;
	if (is_cow_mapping(vma->vm_flags) &&
	    fl_cfg.cow_pfnmap_detect == FL_COW_PFNMAP_LINEAR) {
		if (addr != vma->vm_start || end != vma->vm_end)
			return -EINVAL;
		vma->vm_pgoff = pfn;
	}
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	for (uint64_t a = addr; a < end && !err; a += PAGE_SIZE, pfn++)
		err = remap_pte(vma, a, pfn, prot);
	if (err)
		zap_page_range_single(vma, addr, size);
	return err;
}

/* The driver's ->mmap(): remap now (pfn=) or set the fault handler up (mixed=). */
static int driver_mmap_vma(struct vm_area_struct *vma, bool pfnmap, unsigned long pfn)
{
	struct mixed_dev *dev;
	unsigned long nr = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;

	if (pfnmap) {
		vma->vm_ops = &pfnmap_vm_ops;
		return remap_pfn_range(vma, vma->vm_start, pfn, vma->vm_end - vma->vm_start,
				       vma->vm_page_prot);
	}
	dev = fl_zalloc(FL_ALLOC_OTHER, sizeof(*dev) + nr * sizeof(dev->pages[0]));
	if (!dev)
		return -ENOMEM;
	atomic_set(&dev->refs, 1);
	dev->base = pfn;
	dev->nr = nr;
	vma->vm_private_data = dev;
	vma->vm_ops = &mixedmap_vm_ops;
	vma->vm_flags |= VM_MIXEDMAP;
	return 0;
}

/*
 * mmap(2) of a driver file at offset @pfn << PAGE_SHIFT.  Returns the
 * address or a negative errno.  The VMA is created as a file mapping with
 * no handler, then the driver's mmap fills it in, as call_mmap() does.
 */
int64_t fl_driver_mmap(struct mm_struct *mm, uint64_t addr, uint64_t len, int prot, int flags,
		       bool pfnmap, unsigned long pfn)
{
	static const struct vm_operations_struct placeholder = { .name = "driver" };
	struct vm_area_struct *vma;
	int64_t start = do_mmap(mm, addr, len, prot, flags, &placeholder, NULL, pfn, NULL);
	int err;

	if (start < 0)
		return start;
	mmap_write_lock(mm);
	vma = vma_lookup(mm, (uint64_t)start);
	err = driver_mmap_vma(vma, pfnmap, pfn);
	mmap_write_unlock(mm);
	if (err) {
		do_munmap(mm, (uint64_t)start, len);
		return err;
	}
	return start;
}
