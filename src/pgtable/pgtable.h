/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pgtable.h - x86-64 page-table entries and their helpers, under Linux's names.
 *
 * Four levels (PGD -> PUD -> PMD -> PTE; p4d folded, as with 4-level
 * paging), 512 eight-byte entries per 4 KiB table, the table itself a frame
 * of simulated RAM.  The bits are the hardware's: present, writable, user,
 * accessed, dirty, PSE (a leaf at PMD or PUD level), NX, with Linux's
 * software bits on top: SPECIAL in SOFTW1 (bit 9, V1/V3), DEVMAP in SOFTW4
 * (bit 58, the OLD fs-dax marking) and PROTNONE aliasing GLOBAL on a
 * non-present entry, which is how PROT_NONE pages stay "present" to
 * pte_present() and pagemap while the MMU refuses them (KERNEL-FACTS s7).
 *
 * The helpers are pure functions of the entry value, like the kernel's; what
 * touches memory is in pgalloc.c (tables) and walk.c (lookup).
 */
#ifndef FL_PGTABLE_PGTABLE_H
#define FL_PGTABLE_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "phys/page.h"
#include "sync/atomic.h"

#define _PAGE_BIT_PRESENT	0
#define _PAGE_BIT_RW		1
#define _PAGE_BIT_USER		2
#define _PAGE_BIT_PWT		3
#define _PAGE_BIT_PCD		4
#define _PAGE_BIT_ACCESSED	5
#define _PAGE_BIT_DIRTY		6
#define _PAGE_BIT_PSE		7
#define _PAGE_BIT_GLOBAL	8
#define _PAGE_BIT_SPECIAL	9	/* SOFTW1 */
#define _PAGE_BIT_DEVMAP	58	/* SOFTW4 */
#define _PAGE_BIT_NX		63

#define _PAGE_PRESENT	(1ull << _PAGE_BIT_PRESENT)
#define _PAGE_RW	(1ull << _PAGE_BIT_RW)
#define _PAGE_USER	(1ull << _PAGE_BIT_USER)
#define _PAGE_ACCESSED	(1ull << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY	(1ull << _PAGE_BIT_DIRTY)
#define _PAGE_PSE	(1ull << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL	(1ull << _PAGE_BIT_GLOBAL)
#define _PAGE_PROTNONE	_PAGE_GLOBAL
#define _PAGE_SPECIAL	(1ull << _PAGE_BIT_SPECIAL)
#define _PAGE_DEVMAP	(1ull << _PAGE_BIT_DEVMAP)
#define _PAGE_NX	(1ull << _PAGE_BIT_NX)

#define PTE_PFN_MASK	0x000ffffffffff000ull
#define PMD_PFN_MASK	0x000fffffffe00000ull
#define PUD_PFN_MASK	0x000fffffc0000000ull

/* Bits pte_modify() keeps: the frame and the state the hardware and mm track. */
#define _PAGE_CHG_MASK	(PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL | \
			 _PAGE_DEVMAP | (1ull << 3) | (1ull << 4))
#define _HPAGE_CHG_MASK	(_PAGE_CHG_MASK | _PAGE_PSE)

/* A table pointer: what Linux's _PAGE_TABLE is. */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)

#define PTRS_PER_TABLE	512
#define PMD_SHIFT	21
#define PUD_SHIFT	30
#define PGDIR_SHIFT	39
#define PMD_SIZE	(1ull << PMD_SHIFT)
#define PUD_SIZE	(1ull << PUD_SHIFT)
#define PGDIR_SIZE	(1ull << PGDIR_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))
#define PUD_MASK	(~(PUD_SIZE - 1))
#define PGDIR_MASK	(~(PGDIR_SIZE - 1))
#define HPAGE_PMD_SIZE	PMD_SIZE
#define HPAGE_PMD_MASK	PMD_MASK
#define TASK_SIZE	(1ull << 47)

typedef struct { uint64_t pte; } pte_t;
typedef struct { uint64_t pmd; } pmd_t;
typedef struct { uint64_t pud; } pud_t;
typedef struct { uint64_t pgd; } pgd_t;
typedef struct { uint64_t pgprot; } pgprot_t;

#define __pte(v) ((pte_t){ (v) })
#define __pmd(v) ((pmd_t){ (v) })
#define __pud(v) ((pud_t){ (v) })
#define __pgd(v) ((pgd_t){ (v) })
#define __pgprot(v) ((pgprot_t){ (v) })

static inline unsigned long pte_index(uint64_t a) { return (a >> PAGE_SHIFT) & 511; }
static inline unsigned long pmd_index(uint64_t a) { return (a >> PMD_SHIFT) & 511; }
static inline unsigned long pud_index(uint64_t a) { return (a >> PUD_SHIFT) & 511; }
static inline unsigned long pgd_index(uint64_t a) { return (a >> PGDIR_SHIFT) & 511; }

/* Protections (x86's protection_map, which includes ACCESSED). */
#define PAGE_NONE	__pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_READONLY	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY	PAGE_READONLY

/* ---- PTE ---- */
static inline bool pte_none(pte_t p) { return p.pte == 0; }
static inline bool pte_present(pte_t p) { return p.pte & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_protnone(pte_t p)
{
	return (p.pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE;
}
static inline unsigned long pte_pfn(pte_t p) { return (p.pte & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline bool pte_write(pte_t p) { return p.pte & _PAGE_RW; }
static inline bool pte_dirty(pte_t p) { return p.pte & _PAGE_DIRTY; }
static inline bool pte_young(pte_t p) { return p.pte & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t p) { return p.pte & _PAGE_SPECIAL; }
static inline bool pte_devmap(pte_t p) { return p.pte & _PAGE_DEVMAP; }
static inline bool pte_same(pte_t a, pte_t b) { return a.pte == b.pte; }

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(((uint64_t)pfn << PAGE_SHIFT) | prot.pgprot);
}
static inline pte_t pte_mkwrite(pte_t p) { return __pte(p.pte | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t p) { return __pte(p.pte & ~_PAGE_RW); }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(p.pte | _PAGE_DIRTY); }
static inline pte_t pte_mkclean(pte_t p) { return __pte(p.pte & ~_PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(p.pte | _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t p) { return __pte(p.pte & ~_PAGE_ACCESSED); }
static inline pte_t pte_mkspecial(pte_t p) { return __pte(p.pte | _PAGE_SPECIAL); }
/* Linux 6.1's x86 devmap PTE (V5 one_based DAX): devmap and special both set. */
static inline pte_t pte_mkdevmap(pte_t p) { return __pte(p.pte | _PAGE_SPECIAL | _PAGE_DEVMAP); }
static inline pte_t pte_modify(pte_t p, pgprot_t prot)
{
	return __pte((p.pte & _PAGE_CHG_MASK) | (prot.pgprot & ~_PAGE_CHG_MASK));
}

/* ---- PMD ---- */
static inline bool pmd_none(pmd_t p) { return p.pmd == 0; }
static inline bool pmd_present(pmd_t p) { return p.pmd & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE); }
static inline bool pmd_leaf(pmd_t p) { return (p.pmd & _PAGE_PSE) != 0; }
static inline bool pmd_trans_huge(pmd_t p) { return pmd_leaf(p); }
static inline bool pmd_protnone(pmd_t p)
{
	return pmd_leaf(p) && (p.pmd & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE;
}
static inline unsigned long pmd_pfn(pmd_t p)
{
	return ((pmd_leaf(p) ? p.pmd & PMD_PFN_MASK : p.pmd & PTE_PFN_MASK)) >> PAGE_SHIFT;
}
static inline bool pmd_write(pmd_t p) { return p.pmd & _PAGE_RW; }
static inline bool pmd_dirty(pmd_t p) { return p.pmd & _PAGE_DIRTY; }
static inline bool pmd_young(pmd_t p) { return p.pmd & _PAGE_ACCESSED; }
static inline bool pmd_special(pmd_t p) { return pmd_leaf(p) && (p.pmd & _PAGE_SPECIAL); }
static inline bool pmd_devmap(pmd_t p) { return pmd_leaf(p) && (p.pmd & _PAGE_DEVMAP); }
static inline bool pmd_same(pmd_t a, pmd_t b) { return a.pmd == b.pmd; }

static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd(((uint64_t)pfn << PAGE_SHIFT) | prot.pgprot);
}
static inline pmd_t pmd_mkhuge(pmd_t p) { return __pmd(p.pmd | _PAGE_PSE); }
static inline pmd_t pmd_mkwrite(pmd_t p) { return __pmd(p.pmd | _PAGE_RW); }
static inline pmd_t pmd_wrprotect(pmd_t p) { return __pmd(p.pmd & ~_PAGE_RW); }
static inline pmd_t pmd_mkdirty(pmd_t p) { return __pmd(p.pmd | _PAGE_DIRTY); }
static inline pmd_t pmd_mkclean(pmd_t p) { return __pmd(p.pmd & ~_PAGE_DIRTY); }
static inline pmd_t pmd_mkyoung(pmd_t p) { return __pmd(p.pmd | _PAGE_ACCESSED); }
static inline pmd_t pmd_mkold(pmd_t p) { return __pmd(p.pmd & ~_PAGE_ACCESSED); }
static inline pmd_t pmd_mkspecial(pmd_t p) { return __pmd(p.pmd | _PAGE_SPECIAL); }
/* Linux 6.1's x86 devmap PMD: only the devmap bit, not special. */
static inline pmd_t pmd_mkdevmap(pmd_t p) { return __pmd(p.pmd | _PAGE_DEVMAP); }
static inline pmd_t pmd_modify(pmd_t p, pgprot_t prot)
{
	return __pmd((p.pmd & _HPAGE_CHG_MASK) | (prot.pgprot & ~_HPAGE_CHG_MASK));
}

/* ---- PUD ---- */
static inline bool pud_none(pud_t p) { return p.pud == 0; }
static inline bool pud_present(pud_t p) { return p.pud & _PAGE_PRESENT; }
static inline bool pud_leaf(pud_t p) { return (p.pud & _PAGE_PSE) != 0; }
static inline bool pud_trans_huge(pud_t p) { return pud_leaf(p); }
static inline unsigned long pud_pfn(pud_t p)
{
	return ((pud_leaf(p) ? p.pud & PUD_PFN_MASK : p.pud & PTE_PFN_MASK)) >> PAGE_SHIFT;
}
static inline bool pud_write(pud_t p) { return p.pud & _PAGE_RW; }
static inline bool pud_dirty(pud_t p) { return p.pud & _PAGE_DIRTY; }
static inline bool pud_young(pud_t p) { return p.pud & _PAGE_ACCESSED; }
static inline bool pud_special(pud_t p) { return pud_leaf(p) && (p.pud & _PAGE_SPECIAL); }
static inline pud_t pfn_pud(unsigned long pfn, pgprot_t prot)
{
	return __pud(((uint64_t)pfn << PAGE_SHIFT) | prot.pgprot);
}
static inline pud_t pud_mkhuge(pud_t p) { return __pud(p.pud | _PAGE_PSE); }
static inline pud_t pud_mkwrite(pud_t p) { return __pud(p.pud | _PAGE_RW); }
static inline pud_t pud_mkyoung(pud_t p) { return __pud(p.pud | _PAGE_ACCESSED); }
static inline pud_t pud_mkdirty(pud_t p) { return __pud(p.pud | _PAGE_DIRTY); }
static inline pud_t pud_mkspecial(pud_t p) { return __pud(p.pud | _PAGE_SPECIAL); }
static inline pud_t pud_wrprotect(pud_t p) { return __pud(p.pud & ~_PAGE_RW); }
static inline pud_t pud_mkold(pud_t p) { return __pud(p.pud & ~_PAGE_ACCESSED); }
static inline pud_t pud_modify(pud_t p, pgprot_t prot)
{
	return __pud((p.pud & _HPAGE_CHG_MASK) | (prot.pgprot & ~_HPAGE_CHG_MASK));
}

static inline bool pgd_none(pgd_t p) { return p.pgd == 0; }
static inline bool pgd_present(pgd_t p) { return p.pgd & _PAGE_PRESENT; }
static inline unsigned long pgd_pfn(pgd_t p) { return (p.pgd & PTE_PFN_MASK) >> PAGE_SHIFT; }

/* Entry access: tables are shared with the software MMU, so always atomic words. */
static inline pte_t ptep_get(pte_t *ptep) { return __pte(read_once_u64(&ptep->pte)); }
static inline pmd_t pmdp_get(pmd_t *pmdp) { return __pmd(read_once_u64(&pmdp->pmd)); }
static inline pud_t pudp_get(pud_t *pudp) { return __pud(read_once_u64(&pudp->pud)); }
static inline pgd_t pgdp_get(pgd_t *pgdp) { return __pgd(read_once_u64(&pgdp->pgd)); }

static inline void set_pte(pte_t *ptep, pte_t v) { write_once_u64(&ptep->pte, v.pte); }
static inline void set_pmd(pmd_t *pmdp, pmd_t v) { write_once_u64(&pmdp->pmd, v.pmd); }
static inline void set_pud(pud_t *pudp, pud_t v) { write_once_u64(&pudp->pud, v.pud); }
static inline void set_pgd(pgd_t *pgdp, pgd_t v) { write_once_u64(&pgdp->pgd, v.pgd); }

static inline pte_t ptep_get_and_clear(pte_t *ptep) { return __pte(xchg_u64(&ptep->pte, 0)); }
static inline pmd_t pmdp_huge_get_and_clear(pmd_t *pmdp) { return __pmd(xchg_u64(&pmdp->pmd, 0)); }
static inline pud_t pudp_huge_get_and_clear(pud_t *pudp) { return __pud(xchg_u64(&pudp->pud, 0)); }

static inline void ptep_set_wrprotect(pte_t *ptep)
{
	uint64_t old = read_once_u64(&ptep->pte);

	while (!try_cmpxchg_u64(&ptep->pte, &old, old & ~_PAGE_RW))
		;
}

static inline void pmdp_set_wrprotect(pmd_t *pmdp)
{
	uint64_t old = read_once_u64(&pmdp->pmd);

	while (!try_cmpxchg_u64(&pmdp->pmd, &old, old & ~_PAGE_RW))
		;
}

static inline void pudp_set_wrprotect(pud_t *pudp)
{
	uint64_t old = read_once_u64(&pudp->pud);

	while (!try_cmpxchg_u64(&pudp->pud, &old, old & ~_PAGE_RW))
		;
}

#endif /* FL_PGTABLE_PGTABLE_H */
