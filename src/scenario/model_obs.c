// SPDX-License-Identifier: GPL-2.0-only
/*
 * model_obs.c - what the model shows for `show` and `expect`: the same
 * facts the oracle reads from /proc, computed the way the kernel computes
 * them.
 *
 * Per present page: the kind (zero, huge-zero, anon, file; in PFN and mixed
 * maps `pfn` for what vm_normal_page() calls special and `page` for a
 * driver's refcounted page; dax comes with its subsystem), the level of the leaf, pagemap's exclusive bit
 * and /proc/kpagecount's mapcount, as fs/proc/task_mmu.c and page.c derive
 * them in Linux 6.18: a PTE's page is what vm_normal_page() returns (so the
 * zero page is never exclusive); under a PMD every subpage is judged by the
 * PMD's first page (KERNEL-FACTS-style ground truth: oracle_thp_fork.scn);
 * the mapcount is folio_precise_page_mapcount() of the page itself.  Model-only fields add the entry's
 * write, dirty, young and special bits and the folio refcount.
 *
 * Counters are smaps's, computed per VMA as smaps_account() does (Rss and
 * Pss from normal pages only, Pss divided by the per-page mapcount unless
 * the folio's refcount is 1, dirty from the entry or the folio), truncated
 * to KiB per VMA and summed, exactly as a reader of smaps would sum them.
 *
 * Linux 6.1's FS-DAX (V5 one_based) maps pmem with devmap entries, which
 * vm_normal_page*() does not return and which hold no mapcount: such pages
 * read as excl=0 mapcount=0 (pagemap's exclusive bit needs a mapcount of 1,
 * kpagecount has no online page for pmem), PTE-mapped ones add nothing to
 * Rss, and a devmap PMD adds 4 KiB (smaps_pmd_page()).  These fall out of
 * the devmap bit, which no default configuration sets.
 */
#include <string.h>

#include "mm/mm.h"
#include "phys/memremap.h"
#include "observe/obs.h"

struct smaps_acc {
	uint64_t rss, pss, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t anonymous, anon_thp, file_thp;
};

static void smaps_account(struct smaps_acc *a, struct page *page, bool compound, bool dirty)
{
	struct folio *folio = page_folio(page);
	unsigned long nr = compound ? folio_nr_pages(folio) : 1;
	uint64_t size = nr << PAGE_SHIFT;
	bool fdirty = dirty || folio_test_dirty(folio);

	if (folio_test_anon(folio))
		a->anonymous += size;
	a->rss += size;
	if (folio_ref_count(folio) == 1) {
		a->pss += size << FL_PSS_SHIFT;
		if (fdirty)
			a->private_dirty += size;
		else
			a->private_clean += size;
		return;
	}
	for (unsigned long i = 0; i < nr; i++) {
		int mapcount = folio_precise_page_mapcount(folio, page + i);
		uint64_t pss = PAGE_SIZE << FL_PSS_SHIFT;
		bool exclusive = mapcount < 2;

		if (mapcount >= 2)
			pss /= (uint64_t)mapcount;
		a->pss += pss;
		if (fdirty)
			*(exclusive ? &a->private_dirty : &a->shared_dirty) += PAGE_SIZE;
		else
			*(exclusive ? &a->private_clean : &a->shared_clean) += PAGE_SIZE;
	}
}

/*
 * The page smaps_pmd_entry() accounts for a PMD.  MODEL (Linux 6.1, V5
 * one_based): 6.1 looked the page up with follow_trans_huge_pmd(), which
 * returns a devmap PMD's pmem page although vm_normal_page_pmd() does not;
 * that page is order 0, so smaps_account() adds 4 KiB, not 2 MiB, to Rss
 * for each devmap PMD, and FilePmdMapped stays 0 (zone-device pages are
 * passed over).  Only one_based DAX faults make devmap PMDs.
 */
static struct page *smaps_pmd_page(struct vm_area_struct *vma, uint64_t haddr, pmd_t pmd)
{
	if (pmd_devmap(pmd))
		return pfn_to_page(pmd_pfn(pmd));
	return vm_normal_page_pmd(vma, haddr, pmd);
}

static void smaps_vma(struct vm_area_struct *vma, struct fl_counters *c)
{
	struct smaps_acc a;
	struct mm_struct *mm = vma->vm_mm;

	memset(&a, 0, sizeof(a));
	for (uint64_t addr = vma->vm_start; addr < vma->vm_end;) {
		struct fl_leaf leaf;
		struct page *page;

		fl_walk(mm, addr, &leaf);
		if (leaf.level == 2) {
			page = smaps_pmd_page(vma, addr & PMD_MASK, __pmd(leaf.entry));
			if (page) {
				if (folio_test_anon(page_folio(page)))
					a.anon_thp += PMD_SIZE;
				else if (!is_zone_device_page(page))
					a.file_thp += PMD_SIZE;
				/*
				 * 6.18 smaps_pmd_entry() passes over zone-device
				 * folios: a PMD-mapped FS-DAX file shows in Rss but
				 * not in FilePmdMapped (docs/contract-notes.md).
				 */
				smaps_account(&a, page, true, pmd_dirty(__pmd(leaf.entry)));
			}
			addr = (addr & PMD_MASK) + PMD_SIZE;
			continue;
		}
		if (leaf.level == 1 && pte_present(__pte(leaf.entry))) {
			page = vm_normal_page(vma, addr, __pte(leaf.entry));
			if (page)
				smaps_account(&a, page, false, pte_dirty(__pte(leaf.entry)));
		}
		addr += PAGE_SIZE;
	}
	c->kib[FL_CNT_RSS] += a.rss >> 10;
	c->kib[FL_CNT_PSS] += a.pss >> (FL_PSS_SHIFT + 10);
	c->kib[FL_CNT_SHARED_CLEAN] += a.shared_clean >> 10;
	c->kib[FL_CNT_SHARED_DIRTY] += a.shared_dirty >> 10;
	c->kib[FL_CNT_PRIVATE_CLEAN] += a.private_clean >> 10;
	c->kib[FL_CNT_PRIVATE_DIRTY] += a.private_dirty >> 10;
	c->kib[FL_CNT_ANONYMOUS] += a.anonymous >> 10;
	c->kib[FL_CNT_ANON_HUGE] += a.anon_thp >> 10;
	c->kib[FL_CNT_FILE_PMD_MAPPED] += a.file_thp >> 10;
}

/*
 * The kind of the page at @va: the zero folios by pfn; in PFN and mixed
 * maps, what vm_normal_page() says (a raw pfn, a CoW'ed anon page or a
 * refcounted driver page); elsewhere the folio's own type.
 */
static enum fl_kind page_kind(struct vm_area_struct *vma, uint64_t va,
			      const struct fl_leaf *leaf)
{
	unsigned long pfn = leaf->pfn;
	struct page *page;
	struct folio *folio;

	if (is_zero_pfn(pfn))
		return FL_KIND_ZERO;
	if (is_huge_zero_pfn(pfn))
		return FL_KIND_HUGE_ZERO;
	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) {
		if (leaf->level == 1)
			page = vm_normal_page(vma, va, __pte(leaf->entry));
		else if (leaf->level == 2)
			page = vm_normal_page_pmd(vma, va & PMD_MASK, __pmd(leaf->entry));
		else
			page = vm_normal_page_pud(vma, va & PUD_MASK, __pud(leaf->entry));
		if (!page || vm_normal_page_is_invalid(page))
			return FL_KIND_PFN;
		return folio_test_anon(page_folio(page)) ? FL_KIND_ANON : FL_KIND_PAGE;
	}
	if (!pfn_valid(pfn))
		return FL_KIND_PFN;
	folio = page_folio(pfn_to_page(pfn));
	if (folio_is_fsdax(folio))
		return FL_KIND_DAX;	/* pmem of a DAX file (a CoW copy is anon RAM) */
	return folio_test_anon(folio) ? FL_KIND_ANON : FL_KIND_FILE;
}

static void observe_page(struct vm_area_struct *vma, uint64_t va, const struct fl_leaf *leaf,
			 struct fl_obs_page *o)
{
	bool pmd = leaf->level == 2;
	struct page *normal;

	memset(o, 0, sizeof(*o));
	o->va = va;
	o->pfn = leaf->pfn;
	o->kind = (uint8_t)page_kind(vma, va, leaf);
	o->level = pmd ? FL_LEVEL_PMD : leaf->level == 3 ? FL_LEVEL_PUD : FL_LEVEL_PTE;
	if (o->kind == FL_KIND_HUGE_ZERO)
		o->hz_index = (uint32_t)(leaf->pfn - machine.huge_zero_pfn);
	o->write = (leaf->entry & _PAGE_RW) != 0;
	o->dirty = (leaf->entry & _PAGE_DIRTY) != 0;
	o->young = (leaf->entry & _PAGE_ACCESSED) != 0;
	o->special = (leaf->entry & _PAGE_SPECIAL) != 0;
	o->has = FL_OBS_EXCL | FL_OBS_MAPCOUNT | FL_OBS_WRITE | FL_OBS_DIRTY |
		 FL_OBS_YOUNG | FL_OBS_SPECIAL;
	if (!pfn_valid(leaf->pfn))
		return;
	{
		struct page *page = pfn_to_page(leaf->pfn);
		struct folio *folio = page_folio(page);

		o->folio_pfn = folio_pfn(folio);
		o->has |= FL_OBS_FOLIO;
		o->mapcount = folio_precise_page_mapcount(folio, page);
		if (pmd) {
			/*
			 * Linux 6.15+ pagemap_pmd_range() judges every subpage by the
			 * PMD's first page (pmd_page()), not by the subpage itself.
			 */
			struct page *first = pfn_to_page(pmd_pfn(__pmd(leaf->entry)));

			o->excl = folio_precise_page_mapcount(folio, first) == 1;
		} else {
			normal = vm_normal_page(vma, va, __pte(leaf->entry));
			o->excl = normal && o->mapcount == 1;
		}
		o->refcount = folio_ref_count(folio);
		if (!is_zero_pfn(leaf->pfn) && !is_huge_zero_pfn(leaf->pfn))
			o->has |= FL_OBS_REFCOUNT;
	}
}

static bool leaf_present(const struct fl_leaf *leaf)
{
	if (leaf->level == 1)
		return pte_present(__pte(leaf->entry));
	if (leaf->level == 2)
		return pmd_present(__pmd(leaf->entry));
	return leaf->level == 3;
}

/* Fill @s with the pages and counters of [start, start+len) of @mm. */
/*
 * With @comparable, pages of VM_PFNMAP VMAs are left out: Linux's pagemap
 * walker skips PFN maps, so they read as not present (KERNEL-FACTS s11).
 */
void fl_model_observe(struct mm_struct *mm, const char *name, uint64_t start, uint64_t len,
		      bool comparable, struct fl_obs_snapshot *s)
{
	struct fl_obs_map *map = fl_obs_add_map(s, name, start, len);

	for (uint64_t va = start; va < start + len; va += PAGE_SIZE) {
		struct vm_area_struct *vma = vma_lookup(mm, va);
		struct fl_leaf leaf;
		struct fl_obs_page *o;

		if (!vma || (comparable && (vma->vm_flags & VM_PFNMAP)))
			continue;
		fl_walk(mm, va, &leaf);
		if (!leaf.level || !leaf_present(&leaf))
			continue;
		o = fl_obs_add_page(s);
		if (o)
			observe_page(vma, va, &leaf, o);
	}
	for (int i = 0; i < mm->nr_vmas && map; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		if (vma->vm_start >= start && vma->vm_end <= start + len)
			smaps_vma(vma, &map->counters);
	}
}
