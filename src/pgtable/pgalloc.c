// SPDX-License-Identifier: GPL-2.0-only
/*
 * pgalloc.c - allocating, installing, depositing and freeing page tables.
 *
 * The install paths follow Linux's __pte_alloc()/__pmd_alloc(): allocate a
 * zeroed table without locks, take the lock of the level above, and install
 * it only if the entry is still empty, else free it.  That is the shape the
 * concurrent faults of later issues need, and it is why a racing loser
 * shows up as tables_allocated == tables_freed + installed.
 *
 * MODEL: page-table pages are freed at once, not after an RCU grace period;
 * nothing walks tables locklessly until GUP-fast exists, and that change
 * will route the frees through call_rcu in src/sync/.
 */
#include "pgtable/pgalloc.h"

static struct page *alloc_table(struct mm_pgtables *pgt, int level)
{
	struct page *page = alloc_pages(__GFP_ZERO | __GFP_PGTABLE, 0);

	if (!page)
		return NULL;
	set_page_flag(page, PG_table);
	page->pt_mm = pgt;
	page->pt_level = level;
	page->pt_deposits = 0;
	page->pmd_huge_pte = NULL;
	spin_lock_init(&page->ptl);
	atomic_long_inc(&machine.tables_allocated);
	return page;
}

static void free_table(struct page *page)
{
	clear_page_flag(page, PG_table);
	page->pt_mm = NULL;
	page->pmd_huge_pte = NULL;
	atomic_long_inc(&machine.tables_freed);
	__free_pages(page, 0);
}

int pgtables_init(struct mm_pgtables *pgt)
{
	struct page *page;

	atomic_long_set(&pgt->nr_ptes, 0);
	atomic_long_set(&pgt->nr_pmds, 0);
	atomic_long_set(&pgt->nr_puds, 0);
	spin_lock_init(&pgt->page_table_lock);
	page = alloc_table(pgt, 4);
	if (!page)
		return -1;
	pgt->pgd = page_address(page);
	return 0;
}

void pgtables_free_pgd(struct mm_pgtables *pgt)
{
	if (pgt->pgd)
		free_table(virt_to_page(pgt->pgd));
	pgt->pgd = NULL;
}

struct page *pte_alloc_one(struct mm_pgtables *pgt)
{
	return alloc_table(pgt, 1);
}

void pte_free(struct mm_pgtables *pgt, struct page *table)
{
	(void)pgt;
	free_table(table);
}

int __pud_alloc(struct mm_pgtables *pgt, pgd_t *pgd)
{
	struct page *new = alloc_table(pgt, 3);

	if (!new)
		return -1;
	spin_lock(&pgt->page_table_lock);
	if (pgd_none(pgdp_get(pgd))) {
		atomic_long_inc(&pgt->nr_puds);
		set_pgd(pgd, __pgd(((uint64_t)page_to_pfn(new) << PAGE_SHIFT) | _PAGE_TABLE));
		new = NULL;
	}
	spin_unlock(&pgt->page_table_lock);
	if (new)
		free_table(new);
	return 0;
}

int __pmd_alloc(struct mm_pgtables *pgt, pud_t *pud)
{
	struct page *new = alloc_table(pgt, 2);

	if (!new)
		return -1;
	spin_lock(&pgt->page_table_lock);
	if (pud_none(pudp_get(pud))) {
		atomic_long_inc(&pgt->nr_pmds);
		set_pud(pud, __pud(((uint64_t)page_to_pfn(new) << PAGE_SHIFT) | _PAGE_TABLE));
		new = NULL;
	}
	spin_unlock(&pgt->page_table_lock);
	if (new)
		free_table(new);
	return 0;
}

int __pte_alloc(struct mm_pgtables *pgt, pmd_t *pmd)
{
	struct page *new = pte_alloc_one(pgt);
	spinlock_t *ptl;

	if (!new)
		return -1;
	ptl = pmd_lock(pmd);
	if (pmd_none(pmdp_get(pmd))) {
		atomic_long_inc(&pgt->nr_ptes);
		pmd_populate(pmd, new);
		new = NULL;
	}
	spin_unlock(ptl);
	if (new)
		pte_free(pgt, new);
	return 0;
}

pte_t *pte_offset_map_lock(pmd_t *pmd, uint64_t addr, spinlock_t **ptlp)
{
	pmd_t val = pmdp_get(pmd);
	spinlock_t *ptl;

	/* none, a leaf, or a non-present (swap-like) entry: no table below */
	if (pmd_none(val) || !pmd_present(val) || pmd_leaf(val))
		return NULL;
	ptl = &pfn_to_page(pmd_pfn(val))->ptl;
	spin_lock(ptl);
	if (!pmd_same(pmdp_get(pmd), val)) {
		spin_unlock(ptl);
		return NULL;
	}
	*ptlp = ptl;
	return pte_offset_kernel(pmd, addr);
}

/* Deposits hang off the PMD table's descriptor; PMD lock held. */
void pgtable_trans_huge_deposit(struct mm_pgtables *pgt, pmd_t *pmd, struct page *table)
{
	struct page *pmd_table = virt_to_page(pmd);

	(void)pgt;
	table->lru.next = pmd_table->pmd_huge_pte;
	pmd_table->pmd_huge_pte = table;
	pmd_table->pt_deposits++;
}

struct page *pgtable_trans_huge_withdraw(struct mm_pgtables *pgt, pmd_t *pmd)
{
	struct page *pmd_table = virt_to_page(pmd);
	struct page *table = pmd_table->pmd_huge_pte;

	(void)pgt;
	if (!table)
		return NULL;
	pmd_table->pmd_huge_pte = table->lru.next;
	pmd_table->pt_deposits--;
	table->lru.next = NULL;
	return table;
}

void zap_deposited_table(struct mm_pgtables *pgt, pmd_t *pmd)
{
	struct page *table = pgtable_trans_huge_withdraw(pgt, pmd);

	/* An empty deposit here is the V23 "always" underflow: the checker sees it. */
	atomic_long_dec(&pgt->nr_ptes);
	if (table)
		pte_free(pgt, table);
}

void free_pte_table(struct mm_pgtables *pgt, pmd_t *pmd)
{
	struct page *table = pmd_pgtable_page(pmd);

	set_pmd(pmd, __pmd(0));
	atomic_long_dec(&pgt->nr_ptes);
	free_table(table);
}

void free_pmd_table(struct mm_pgtables *pgt, pud_t *pud)
{
	struct page *table = pfn_to_page(pud_pfn(pudp_get(pud)));

	set_pud(pud, __pud(0));
	atomic_long_dec(&pgt->nr_pmds);
	free_table(table);
}

void free_pud_table(struct mm_pgtables *pgt, pgd_t *pgd)
{
	struct page *table = pfn_to_page(pgd_pfn(pgdp_get(pgd)));

	set_pgd(pgd, __pgd(0));
	atomic_long_dec(&pgt->nr_puds);
	free_table(table);
}
