// SPDX-License-Identifier: GPL-2.0-only
/*
 * check.c - the whole-model consistency check (SPEC.md section 6).
 *
 * One pass over every page table of every live mm recomputes what the
 * counters must say: each page's PTE mapcount, each folio's entire mapcount
 * (PMD and PUD leaves),
 * each mm's RSS counters and nr_ptes (installed PTE tables plus deposits,
 * R41).  A second pass over the memmap compares: every page's mapcount is
 * what the tables map (R39: the zero pages are never counted), every folio's
 * refcount covers its mappings, the large mapcount is the sum of the rest.
 * page_table_check's sharing rules come along: an anonymous page is never
 * writable in two places, the zero pages are never writable, and with
 * V1/V3 on every zero-page entry is special (invariant 2).  Anything the
 * model itself reported (fl_report_bug(): "Bad rss-counter state", "Bad
 * page map", ...) is a failure too.
 *
 * The first broken invariant is printed with the kernel's words where it
 * has some, then a dump of the state involved, and the run stops with
 * exit status 3.  The scratch arrays are sized by RAM and reused, so a
 * check costs two linear passes and no allocation after the first.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "check/check.h"
#include "dax/entry.h"
#include "dax/folio.h"
#include "fs/daxfs.h"

struct check_state {
	FILE *out;
	int32_t *ptemap;	/* per pfn: PTE mappings seen */
	int32_t *pmdmap;	/* per head pfn: PMD mappings seen */
	int32_t *writers;	/* per pfn: writable anon mappings seen */
	long rss[NR_MM_COUNTERS];
	long tables, deposits;
	bool failed;
	bool report_all;	/* the final check lists every leak, not the first */
};

static int32_t *scratch[3];
static unsigned long scratch_pages;
static char broken[128];	/* the invariant the last failed check named first */

const char *fl_check_broken(void)
{
	return broken;
}

static void fail(struct check_state *st, const char *invariant, const char *fmt, ...)
	FL_PRINTF(3, 4);

static void fail(struct check_state *st, const char *invariant, const char *fmt, ...)
{
	va_list ap;

	if (st->failed && !st->report_all)
		return;
	if (!st->failed)
		snprintf(broken, sizeof(broken), "%s", invariant);
	st->failed = true;
	fprintf(st->out, "faultline: invariant broken: %s\n  ", invariant);
	va_start(ap, fmt);
	vfprintf(st->out, fmt, ap);
	va_end(ap);
	fputc('\n', st->out);
}

static void dump_page(FILE *out, unsigned long pfn)
{
	struct page *p = pfn_to_page(pfn);
	struct folio *f = page_folio(p);

	fprintf(out, "  page pfn=0x%lx flags=0x%lx mapcount=%d refcount(folio)=%d "
		"folio=0x%lx order=%u entire=%d large=%d anon=%d excl=%d\n",
		pfn, p->flags, atomic_read(&p->_mapcount) + 1, folio_ref_count(f),
		folio_pfn(f), folio_order(f), folio_entire_mapcount(f),
		folio_test_large(f) ? folio_large_mapcount(f) : 0, folio_test_anon(f),
		PageAnonExclusive(p));
}

static void dump_mm(FILE *out, struct mm_struct *mm)
{
	fprintf(out, "  mm%d: nr_ptes=%ld nr_pmds=%ld anon=%ld file=%ld shmem=%ld vmas=%d\n",
		mm->id, mm_nr_ptes(mm), atomic_long_read(&mm->pgt.nr_pmds),
		get_mm_counter(mm, MM_ANONPAGES), get_mm_counter(mm, MM_FILEPAGES),
		get_mm_counter(mm, MM_SHMEMPAGES), mm->nr_vmas);
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = mm->vmas[i];

		fprintf(out, "    vma %012llx-%012llx flags=0x%lx pgoff=0x%lx%s\n",
			(unsigned long long)v->vm_start, (unsigned long long)v->vm_end,
			v->vm_flags, v->vm_pgoff, v->anon_vma ? " anon_vma" : "");
	}
}

/*
 * A devmap PTE lives only in a one_based FS-DAX mapping of pmem (V5).  With
 * special bits (V1 on): a special PTE lives only in a PFN or mixed map
 * (R4.4, else "Bad page map"), and a PFN map's only non-special PTEs are
 * the anon folios a write fault CoW'ed into it (R2b, R2c).
 */
static void check_pfnmap_pte(struct check_state *st, struct vm_area_struct *vma, uint64_t addr,
			     pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);
	bool driver = vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP);

	/*
	 * Linux 6.1's devmap PTEs are special outside driver maps, but only
	 * one_based FS-DAX faults make them, and only for pmem.
	 */
	if (pte_devmap(pte) && !(vma_is_dax(vma) && pfn_is_pmem(pfn) &&
				 fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED))
		fail(st, "devmap PTE outside a one_based FS-DAX mapping (V5)",
		     "PTE %016llx at 0x%llx in vm_flags 0x%lx", (unsigned long long)pte.pte,
		     (unsigned long long)addr, vma->vm_flags);
	if (!fl_cfg.pte_special)
		return;
	if (pte_special(pte) && !pte_devmap(pte) && !driver && !is_huge_zero_pfn(pfn) &&
	    !fl_cfg.find_normal_page)
		fail(st, "special PTE outside a PFN or mixed map (R4)",
		     "PTE %016llx at 0x%llx in vm_flags 0x%lx", (unsigned long long)pte.pte,
		     (unsigned long long)addr, vma->vm_flags);
	if (!pte_special(pte) && (vma->vm_flags & VM_PFNMAP) &&
	    (!pfn_valid(pfn) || !folio_test_anon(page_folio(pfn_to_page(pfn)))))
		fail(st, "raw pfn without the special bit in a PFN map (R2b)",
		     "PTE %016llx at 0x%llx", (unsigned long long)pte.pte, (unsigned long long)addr);
}

static void check_pte(struct check_state *st, struct vm_area_struct *vma, uint64_t addr,
		      pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);
	struct page *page;
	struct folio *folio;

	if (!pte_present(pte))
		return;		/* a poked swap-like entry maps nothing */
	if (is_zero_pfn(pfn)) {
		if (pte_write(pte))
			fail(st, "page_table_check: zero page mapped writable",
			     "PTE at 0x%llx maps the zero page writable", (unsigned long long)addr);
		if (fl_cfg.pte_special && !pte_special(pte))
			fail(st, "zero page PTE not special (invariant 2)",
			     "PTE at 0x%llx maps the zero page without the special bit",
			     (unsigned long long)addr);
		return;
	}
	check_pfnmap_pte(st, vma, addr, pte);
	page = vm_normal_page(vma, addr, pte);
	if (!page)
		return;
	folio = page_folio(page);
	st->ptemap[pfn]++;
	st->rss[mm_counter(folio)]++;
	if (folio_test_anon(folio) && pte_write(pte) && ++st->writers[pfn] > 1)
		fail(st, "page_table_check: anon page writable in two mappings",
		     "pfn 0x%lx is mapped writable again at 0x%llx", pfn, (unsigned long long)addr);
}

static void check_pmd_leaf(struct check_state *st, struct vm_area_struct *vma, uint64_t addr,
			   pmd_t pmd)
{
	unsigned long pfn = pmd_pfn(pmd);
	struct folio *folio;

	if (vma_is_anonymous(vma) || fl_cfg.pgtable_deposit)
		st->deposits++;
	/* split_huge_pmd_range() exists so that no huge PMD hangs over a VMA edge. */
	if ((addr & PMD_MASK) < vma->vm_start || (addr & PMD_MASK) + PMD_SIZE > vma->vm_end)
		fail(st, "huge PMD across a VMA boundary",
		     "PMD at 0x%llx is not inside its VMA [0x%llx, 0x%llx)",
		     (unsigned long long)addr, (unsigned long long)vma->vm_start,
		     (unsigned long long)vma->vm_end);
	if (is_huge_zero_pfn(pfn)) {
		if (pmd_write(pmd))
			fail(st, "page_table_check: huge zero folio mapped writable",
			     "PMD at 0x%llx maps the huge zero folio writable", (unsigned long long)addr);
		if (fl_cfg.huge_zero_pmd_special && !pmd_special(pmd))
			fail(st, "huge zero PMD not special (invariant 2, R13)",
			     "PMD at 0x%llx maps the huge zero folio without the special bit",
			     (unsigned long long)addr);
		return;
	}
	if (!vm_normal_page_pmd(vma, addr, pmd))
		return;
	folio = page_folio(pfn_to_page(pfn));
	st->pmdmap[folio_pfn(folio)]++;
	st->rss[mm_counter(folio)] += (long)folio_nr_pages(folio);
	/* Every subpage is writable through the PMD, whatever maps it elsewhere. */
	for (unsigned long i = 0; folio_test_anon(folio) && pmd_write(pmd) &&
				  i < folio_nr_pages(folio); i++)
		if (++st->writers[folio_pfn(folio) + i] > 1) {
			fail(st, "page_table_check: anon page writable in two mappings",
			     "page %lu of THP 0x%lx is mapped writable again at 0x%llx", i,
			     folio_pfn(folio), (unsigned long long)addr);
			break;
		}
}

/*
 * A PUD leaf (issue 4): a driver's raw pfn, special with V1 and counted
 * nowhere, or a PUD-order folio counted like a PMD folio (one entire
 * mapping, its pages in the RSS).  Never a deposit (R38), never across a
 * VMA edge (zap and mprotect clear a cut PUD leaf).
 */
static void check_pud_leaf(struct check_state *st, struct mm_struct *mm, uint64_t addr, pud_t pud)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct page *page;
	struct folio *folio;

	if (!vma) {
		fail(st, "huge PUD outside any VMA", "mm%d: PUD %016llx at 0x%llx", mm->id,
		     (unsigned long long)pud.pud, (unsigned long long)addr);
		return;
	}
	if (addr < vma->vm_start || addr + PUD_SIZE > vma->vm_end)
		fail(st, "huge PUD across a VMA boundary",
		     "PUD at 0x%llx is not inside its VMA [0x%llx, 0x%llx)",
		     (unsigned long long)addr, (unsigned long long)vma->vm_start,
		     (unsigned long long)vma->vm_end);
	if (fl_cfg.pte_special && pud_special(pud) && !(vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)))
		fail(st, "special PUD outside a PFN or mixed map (R15)",
		     "PUD %016llx at 0x%llx in vm_flags 0x%lx", (unsigned long long)pud.pud,
		     (unsigned long long)addr, vma->vm_flags);
	if (!pud_present(pud))
		return;
	page = vm_normal_page_pud(vma, addr, pud);
	if (!page || vm_normal_page_is_invalid(page))
		return;
	folio = page_folio(page);
	st->pmdmap[folio_pfn(folio)]++;
	st->rss[mm_counter(folio)] += (long)folio_nr_pages(folio);
}

static void walk_pte_table(struct check_state *st, struct mm_struct *mm, pmd_t *pmd, uint64_t base)
{
	pte_t *ptes = pte_offset_kernel(pmd, base);

	st->tables++;
	for (int i = 0; i < PTRS_PER_TABLE; i++) {
		uint64_t addr = base + ((uint64_t)i << PAGE_SHIFT);
		pte_t pte = ptep_get(&ptes[i]);
		struct vm_area_struct *vma;

		if (pte_none(pte))
			continue;
		vma = vma_lookup(mm, addr);
		if (!vma) {
			fail(st, "PTE outside any VMA", "mm%d: PTE %016llx at 0x%llx", mm->id,
			     (unsigned long long)pte.pte, (unsigned long long)addr);
			continue;
		}
		check_pte(st, vma, addr, pte);
	}
}

static void walk_pmd_table(struct check_state *st, struct mm_struct *mm, pud_t *pud, uint64_t base)
{
	pmd_t *pmds = pmd_offset(pud, base);
	struct page *table = virt_to_page(pmds);
	long leaves_with_deposit = st->deposits;

	for (int i = 0; i < PTRS_PER_TABLE; i++) {
		uint64_t addr = base + ((uint64_t)i << PMD_SHIFT);
		pmd_t pmd = pmdp_get(&pmds[i]);
		struct vm_area_struct *vma;

		/* A non-present entry (a poked swap-like one) maps nothing. */
		if (pmd_none(pmd) || !pmd_present(pmd))
			continue;
		if (!pmd_leaf(pmd)) {
			walk_pte_table(st, mm, &pmds[i], addr);
			continue;
		}
		vma = vma_lookup(mm, addr);
		if (!vma) {
			fail(st, "huge PMD outside any VMA", "mm%d: PMD %016llx at 0x%llx", mm->id,
			     (unsigned long long)pmd.pmd, (unsigned long long)addr);
			continue;
		}
		check_pmd_leaf(st, vma, addr, pmd);
	}
	leaves_with_deposit = st->deposits - leaves_with_deposit;
	if ((long)table->pt_deposits != leaves_with_deposit)
		fail(st, "deposit balance (R41)",
		     "mm%d: PMD table at 0x%llx holds %lu deposited tables for %ld huge PMDs",
		     mm->id, (unsigned long long)base, table->pt_deposits, leaves_with_deposit);
}

static void walk_mm(struct check_state *st, struct mm_struct *mm)
{
	for (int g = 0; g < PTRS_PER_TABLE; g++) {
		pgd_t *pgd = mm->pgt.pgd + g;

		if (!pgd_present(pgdp_get(pgd)))
			continue;
		for (int u = 0; u < PTRS_PER_TABLE; u++) {
			uint64_t addr = ((uint64_t)g << PGDIR_SHIFT) | ((uint64_t)u << PUD_SHIFT);
			pud_t *pud = pud_offset(pgd, addr);

			if (pud_leaf(pudp_get(pud)))
				check_pud_leaf(st, mm, addr, pudp_get(pud));
			else if (pud_present(pudp_get(pud)))
				walk_pmd_table(st, mm, pud, addr);
		}
	}
}

static void check_mm_counters(struct check_state *st, struct mm_struct *mm)
{
	static const char *const names[NR_MM_COUNTERS] = {
		"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES" };

	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (st->rss[i] != get_mm_counter(mm, i))
			fail(st, "Bad rss-counter state",
			     "mm%d type:%s counter %ld but the page tables map %ld", mm->id,
			     names[i], get_mm_counter(mm, i), st->rss[i]);
	if (st->tables + st->deposits != mm_nr_ptes(mm) || mm_nr_ptes(mm) < 0)
		fail(st, "nr_ptes (R41)", "mm%d: nr_ptes %ld but %ld PTE tables + %ld deposits",
		     mm->id, mm_nr_ptes(mm), st->tables, st->deposits);
}

/* Compare one folio's counters with what the walk found. */
static void check_folio(struct check_state *st, struct folio *folio)
{
	unsigned long head = folio_pfn(folio), nr = folio_nr_pages(folio);
	long ptes = 0;

	for (unsigned long i = 0; i < nr; i++) {
		int have = atomic_read(&folio_page(folio, i)->_mapcount) + 1;

		if (have != st->ptemap[head + i]) {
			fail(st, "Bad page map (mapcount)",
			     "pfn 0x%lx has mapcount %d but %d PTEs map it", head + i, have,
			     st->ptemap[head + i]);
			dump_page(st->out, head + i);
		}
		ptes += st->ptemap[head + i];
	}
	if (folio_test_large(folio) && folio_entire_mapcount(folio) != st->pmdmap[head]) {
		fail(st, "Bad page map (entire mapcount)",
		     "folio 0x%lx has entire mapcount %d but %d PMDs map it", head,
		     folio_entire_mapcount(folio), st->pmdmap[head]);
		dump_page(st->out, head);
	}
	if (folio_test_large(folio) && folio_large_mapcount(folio) != ptes + st->pmdmap[head]) {
		fail(st, "Bad page map (large mapcount)",
		     "folio 0x%lx has large mapcount %d, mappings %ld", head,
		     folio_large_mapcount(folio), ptes + st->pmdmap[head]);
		dump_page(st->out, head);
	}
	if (folio_ref_count(folio) < ptes + st->pmdmap[head]) {
		fail(st, "refcount below mappings (invariant 1)",
		     "folio 0x%lx has refcount %d for %ld mappings", head,
		     folio_ref_count(folio), ptes + st->pmdmap[head]);
		dump_page(st->out, head);
	}
}

static void check_memmap(struct check_state *st)
{
	unsigned long pfn = 0;

	while (pfn < machine.ram_pages) {
		struct page *p = pfn_to_page(pfn);
		struct folio *f;

		if (test_page_flag(p, PG_buddy)) {
			pfn += 1ul << p->private;
			continue;
		}
		if (is_zero_pfn(pfn) && atomic_read(&p->_mapcount) != -1)
			fail(st, "zero page mapcounted (R39)", "the zero page has mapcount %d",
			     atomic_read(&p->_mapcount) + 1);
		if (test_page_flag(p, PG_table) || is_zero_pfn(pfn)) {
			pfn++;
			continue;
		}
		f = page_folio(p);
		if (is_huge_zero_folio(f)) {
			for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
				if (atomic_read(&folio_page(f, i)->_mapcount) != -1)
					fail(st, "huge zero folio mapcounted (R39)",
					     "page %lu of the huge zero folio has a mapcount", i);
		} else if (&f->page == p) {
			/* Not free, so allocated: even (especially) at refcount 0. */
			check_folio(st, f);
		}
		pfn += (&f->page == p) ? folio_nr_pages(f) : 1;
	}
}

/*
 * One counter per frame that has a page descriptor: RAM, then pmem when it
 * is up (its DAX folios are mapped like any other).  Without pmem no pmem
 * pfn is valid, so the RAM part is all a check can touch.
 */
static int prepare_scratch(void)
{
	unsigned long need = machine.pmem_memmap ? machine.pmem_base_pfn + machine.pmem_pages :
			     machine.ram_pages;

	if (scratch_pages != need) {
		for (int i = 0; i < 3; i++) {
			free(scratch[i]);
			scratch[i] = calloc(need, sizeof(int32_t));
			if (!scratch[i]) {
				scratch_pages = 0;
				return -1;
			}
		}
		scratch_pages = need;
		return 0;
	}
	for (int i = 0; i < 3; i++)
		memset(scratch[i], 0, need * sizeof(int32_t));
	return 0;
}

/*
 * The memmap pass over pmem (issue 5): FS-DAX folios are mapped like any
 * other, so their mapcounts and refcounts are held to invariant 1 too, and
 * a reflinked (DAX-shared) folio never tests as anonymous unless V12 is
 * alias_anon, the variant whose hazard that is (invariant 9, R66).
 */
static void check_pmem_memmap(struct check_state *st)
{
	unsigned long end = machine.pmem_base_pfn + machine.pmem_pages;

	if (!machine.pmem_memmap)
		return;
	for (unsigned long pfn = machine.pmem_base_pfn; pfn < end && !st->failed;) {
		struct folio *f = page_folio(pfn_to_page(pfn));

		if (&f->page != pfn_to_page(pfn)) {
			pfn++;
			continue;
		}
		check_folio(st, f);
		if (folio_test_dax_shared(f) && folio_test_anon(f) &&
		    fl_cfg.dax_shared_accounting != FL_DAX_SHARED_ALIAS_ANON)
			fail(st, "DAX-shared folio tests as anonymous (invariant 9, R66)",
			     "pmem pfn 0x%lx", pfn);
		pfn += folio_nr_pages(f);
	}
}

static void check_huge_zero(struct check_state *st, struct mm_struct *const *mms, int nmms)
{
	int users = 0;

	for (int i = 0; i < nmms; i++)
		if (mms[i] && (mms[i]->flags & (1ul << MMF_HUGE_ZERO_FOLIO)))
			users++;
	if (machine.huge_zero_folio &&
	    atomic_read(&machine.huge_zero_refcount) != 1 + users)
		fail(st, "huge zero folio refcount (R39, Q12)",
		     "huge_zero_refcount %d, but %d mms hold a reference (+1 for the shrinker)",
		     atomic_read(&machine.huge_zero_refcount), users);
	if (!machine.huge_zero_folio && users)
		fail(st, "huge zero folio refcount (R39, Q12)",
		     "%d mms hold a reference to a huge zero folio that is gone", users);
}

int fl_check_invariants(struct mm_struct *const *mms, int nmms, FILE *out)
{
	struct check_state st = { .out = out };

	if (fl_bug_count()) {
		snprintf(broken, sizeof(broken), "%s", fl_bug_first_invariant());
		fprintf(out, "faultline: invariant broken: %s\n", fl_bug_first_invariant());
		fl_bug_print_all(out);
		return -1;
	}
	if (prepare_scratch()) {
		fprintf(out, "faultline: out of memory for the invariant check\n");
		return -1;
	}
	st.ptemap = scratch[0];
	st.pmdmap = scratch[1];
	st.writers = scratch[2];
	for (int i = 0; i < nmms && !st.failed; i++) {
		if (!mms[i])
			continue;
		memset(st.rss, 0, sizeof(st.rss));
		st.tables = st.deposits = 0;
		walk_mm(&st, mms[i]);
		check_mm_counters(&st, mms[i]);
		if (st.failed)
			dump_mm(out, mms[i]);
	}
	if (!st.failed)
		check_memmap(&st);
	if (!st.failed)
		check_pmem_memmap(&st);
	if (!st.failed)
		check_huge_zero(&st, mms, nmms);
	return st.failed ? -1 : 0;
}

int fl_check_final(FILE *out)
{
	struct check_state st = { .out = out, .report_all = true };
	unsigned long expect_free = machine.ram_pages - 1;	/* the zero page */

	if (fl_bug_count()) {
		snprintf(broken, sizeof(broken), "%s", fl_bug_first_invariant());
		fprintf(out, "faultline: invariant broken: %s\n", fl_bug_first_invariant());
		fl_bug_print_all(out);
		return -1;
	}
	if (machine.huge_zero_folio)
		fail(&st, "leak: huge zero folio", "still allocated with refcount %d after teardown",
		     atomic_read(&machine.huge_zero_refcount));
	if (nr_free_pages() != expect_free)
		fail(&st, "leak: frames", "%lu frames free after teardown, expected %lu",
		     nr_free_pages(), expect_free);
	if (atomic_long_read(&machine.tables_allocated) != atomic_long_read(&machine.tables_freed))
		fail(&st, "leak: page tables", "%ld page tables allocated, %ld freed",
		     atomic_long_read(&machine.tables_allocated),
		     atomic_long_read(&machine.tables_freed));
	if (atomic_long_read(&machine.folios_allocated) != atomic_long_read(&machine.folios_freed))
		fail(&st, "leak: folios", "%ld folios allocated, %ld freed",
		     atomic_long_read(&machine.folios_allocated),
		     atomic_long_read(&machine.folios_freed));
	for (int t = 0; t < FL_NR_ALLOC_TYPES; t++)
		if (fl_alloc_live(t))
			fail(&st, "leak: model objects", "%ld %s objects still allocated",
			     fl_alloc_live(t), fl_alloc_name(t));
	return st.failed ? -1 : 0;
}

/*
 * Invariants 6-8 and 10 for the DAX files @maps of filesystem @fs (SPEC.md
 * section 6): every mapping's entries are well formed (6); a real entry
 * whose folio is in use belongs to its file at its index unless the block
 * is shared (7, V5=zero_based); no free block has a busy page (8, R69);
 * and with @final (everything unmapped), every FS-DAX folio is idle (10).
 */
static void check_dax_entries(struct check_state *st, struct dax_mapping *m)
{
	if (dax_check_mapping(m, st->out))
		fail(st, "DAX entries (invariant 6, R42, R43)", "file %s", m->name);
	if (fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED)
		return;
	for (unsigned long i = 0; i < m->nr_slots && !st->failed; i++) {
		unsigned long e = m->slots[i].entry;
		struct folio *f;

		if (!dax_entry_size(e))
			continue;
		f = page_folio(pfn_to_page(dax_to_pfn(e)));
		if (!folio_ref_count(f) || folio_test_dax_shared(f) || !f->page.mapping)
			continue;	/* idle, shared (R66), or not associated (V12 dropped) */
		if (f->page.mapping != (void *)m || f->page.index != m->slots[i].index)
			fail(st, "DAX folio association (invariant 7, R65)",
			     "file %s index 0x%lx: folio mapping %p index 0x%lx", m->name,
			     m->slots[i].index, (void *)f->page.mapping, f->page.index);
	}
}

int fl_check_dax(struct dax_mapping *const *maps, int nmaps, struct daxfs *fs, bool final,
		 FILE *out)
{
	struct check_state st = { .out = out };
	unsigned long nr = fs ? daxfs_nr_blocks(fs) : 0;
	/* with no entry left, an entry_ref folio has lost the entry's reference too */
	int idle_final = fl_cfg.fsdax_refcount == FL_FSDAX_ONE_BASED ? 1 : 0;

	for (int i = 0; i < nmaps && !st.failed; i++)
		if (maps[i])
			check_dax_entries(&st, maps[i]);
	for (unsigned long b = 1; b < nr && !st.failed; b++) {
		struct page *page = pfn_to_page(machine.pmem_base_pfn + b);
		int ref = folio_ref_count(page_folio(page));

		if (!daxfs_block_share(fs, b) && ref > fsdax_idle_refcount())
			fail(&st, "block freed while busy (invariant 8, R69)",
			     "pmem block %lu is free but its folio has refcount %d", b, ref);
		else if (final && ref != idle_final)
			fail(&st, "FS-DAX folio not idle after teardown (invariant 10)",
			     "pmem block %lu: refcount %d, idle is %d", b, ref, idle_final);
	}
	return st.failed ? -1 : 0;
}
