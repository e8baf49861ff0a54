/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pgalloc.h - page-table pages: allocation, accounting, locks, deposits, walk.
 *
 * struct mm_pgtables is the part of an mm_struct this layer owns: the PGD
 * and the counters Linux keeps for tables (nr_ptes counts PTE tables and
 * deposited tables, R41; nr_pmds and nr_puds the upper ones).  Every table
 * is a zeroed RAM frame flagged PG_table whose descriptor carries its split
 * lock: the PTE table's lock is Linux's split PTE lock, the PMD table's lock
 * is the split PMD lock, and PUD entries are protected by page_table_lock.
 *
 * Deposits (R41): a PTE table stashed with a huge PMD hangs off the PMD
 * table's descriptor (pmd_huge_pte), linked through lru.next, as Linux's
 * generic pgtable_trans_huge_deposit() does.
 */
#ifndef FL_PGTABLE_PGALLOC_H
#define FL_PGTABLE_PGALLOC_H

#include "pgtable/pgtable.h"
#include "phys/phys.h"
#include "sync/locks.h"

struct mm_pgtables {
	pgd_t *pgd;
	atomic_long_t nr_ptes;		/* PTE tables installed + deposited */
	atomic_long_t nr_pmds;
	atomic_long_t nr_puds;
	spinlock_t page_table_lock;	/* PUD level, and the PGD */
};

int pgtables_init(struct mm_pgtables *pgt);
/* Frees the PGD; every lower table must be gone already. */
void pgtables_free_pgd(struct mm_pgtables *pgt);

/* Walk, without allocating.  Pointers are into simulated RAM. */
static inline pgd_t *pgd_offset(struct mm_pgtables *pgt, uint64_t addr)
{
	return pgt->pgd + pgd_index(addr);
}

static inline pud_t *pud_offset(pgd_t *pgd, uint64_t addr)
{
	return (pud_t *)pfn_to_virt(pgd_pfn(pgdp_get(pgd))) + pud_index(addr);
}

static inline pmd_t *pmd_offset(pud_t *pud, uint64_t addr)
{
	return (pmd_t *)pfn_to_virt(pud_pfn(pudp_get(pud))) + pmd_index(addr);
}

static inline pte_t *pte_offset_kernel(pmd_t *pmd, uint64_t addr)
{
	return (pte_t *)pfn_to_virt(pmd_pfn(pmdp_get(pmd))) + pte_index(addr);
}

static inline struct page *pmd_pgtable_page(pmd_t *pmd)
{
	return pfn_to_page(pmd_pfn(pmdp_get(pmd)));
}

/* Allocate the next level below an empty entry; 0, or -1 when out of memory. */
int __pud_alloc(struct mm_pgtables *pgt, pgd_t *pgd);
int __pmd_alloc(struct mm_pgtables *pgt, pud_t *pud);
int __pte_alloc(struct mm_pgtables *pgt, pmd_t *pmd);

/* A PTE table not yet installed: for deposits and prealloc_pte. */
struct page *pte_alloc_one(struct mm_pgtables *pgt);
void pte_free(struct mm_pgtables *pgt, struct page *table);

/* Locks: split PMD lock and split PTE lock live in the table's descriptor. */
static inline spinlock_t *pmd_lockptr(pmd_t *pmd)
{
	return &virt_to_page(pmd)->ptl;
}

static inline spinlock_t *pmd_lock(pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lockptr(pmd);

	spin_lock(ptl);
	return ptl;
}

static inline spinlock_t *pud_lock(struct mm_pgtables *pgt)
{
	spin_lock(&pgt->page_table_lock);
	return &pgt->page_table_lock;
}

/*
 * Map and lock the PTE for @addr under @pmd.  NULL when the PMD is none or a
 * leaf (also if it changed under us), as Linux's pte_offset_map_lock().
 */
pte_t *pte_offset_map_lock(pmd_t *pmd, uint64_t addr, spinlock_t **ptlp);

static inline void pte_unmap_unlock(pte_t *pte, spinlock_t *ptl)
{
	(void)pte;
	spin_unlock(ptl);
}

/* Install a PTE table (caller holds the PMD lock). */
static inline void pmd_populate(pmd_t *pmd, struct page *table)
{
	set_pmd(pmd, __pmd(((uint64_t)page_to_pfn(table) << PAGE_SHIFT) | _PAGE_TABLE));
}

void pgtable_trans_huge_deposit(struct mm_pgtables *pgt, pmd_t *pmd, struct page *table);
struct page *pgtable_trans_huge_withdraw(struct mm_pgtables *pgt, pmd_t *pmd);
/* Drop the deposit of a zapped huge PMD: withdraw, free, nr_ptes - 1. */
void zap_deposited_table(struct mm_pgtables *pgt, pmd_t *pmd);

/* Tear-down helpers for free_pgtables(): clear the entry and free the table. */
void free_pte_table(struct mm_pgtables *pgt, pmd_t *pmd);
void free_pmd_table(struct mm_pgtables *pgt, pud_t *pud);
void free_pud_table(struct mm_pgtables *pgt, pgd_t *pgd);

#endif /* FL_PGTABLE_PGALLOC_H */
