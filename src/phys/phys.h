/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * phys.h - simulated physical memory: RAM frames with real bytes, the memmap
 * that describes them, the buddy allocator, the zero page and the huge zero
 * folio.
 *
 * The physical address space is SCENARIOS.md's: RAM from frame 0, then pmem,
 * then a 1 GiB device range with no page descriptors.  RAM is one host
 * mapping reserved with MAP_NORESERVE, so a 64 GiB machine costs only the
 * frames the scenario touches.  Page tables live in RAM frames too, which
 * is what makes them real x86-64 tables.
 */
#ifndef FL_PHYS_PHYS_H
#define FL_PHYS_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/config.h"
#include "phys/page.h"

/* Global VM events (/proc/vmstat names), for expect-stat and the checker. */
enum vm_event {
	PGFAULT, PGMAJFAULT,
	THP_FAULT_ALLOC, THP_FAULT_FALLBACK, THP_SPLIT_PMD, THP_SPLIT_PUD, THP_DEFERRED_SPLIT_PAGE,
	THP_ZERO_PAGE_ALLOC, THP_ZERO_PAGE_ALLOC_FAILED, COW_COPY, COW_REUSE, BAD_PAGE_MAP, BAD_RSS_COUNTER,
	/* issue 4: VM_WARN_ON*() that fired (R10, R27, R29, R34, V8) and Q8's counter */
	VM_WARN, NONPRESENT_AT_INSERT,
	/* issue 4, MODEL: pages grabbed by GUP-fast and by the slow path (no vmstat names) */
	GUP_FAST, GUP_SLOW,
	NR_VM_EVENTS
};

struct free_area {
	struct page *head;	/* doubly linked through page->lru */
	unsigned long nr_free;
};

struct fl_machine {
	struct fl_config cfg;

	uint8_t *ram;			/* host mapping of simulated RAM */
	unsigned long ram_pages;
	struct page *memmap;		/* one descriptor per RAM frame */
	unsigned long pmem_base_pfn;	/* first pmem frame */
	unsigned long pmem_pages;
	uint8_t *pmem;			/* host mapping of pmem (src/fs/pmem.c), NULL when absent */
	struct page *pmem_memmap;	/* descriptors of the pmem frames (ZONE_DEVICE, FS_DAX) */
	atomic_long_t fsdax_wakeups;	/* idle wakeups of FS-DAX pages (R61, R63: "wakeups") */
	unsigned long io_base_pfn;	/* first device frame (no memmap) */
	unsigned long io_pages;
	uint8_t *io;			/* host mapping of the device range (MAP_NORESERVE) */

	spinlock_t zone_lock;
	struct free_area free_area[MAX_PAGE_ORDER + 1];
	unsigned long nr_free_pages;

	unsigned long zero_pfn;
	struct folio *huge_zero_folio;
	unsigned long huge_zero_pfn;
	atomic_t huge_zero_refcount;

	/* allocation accounting, checked after every scenario */
	atomic_long_t folios_allocated;
	atomic_long_t folios_freed;
	atomic_long_t tables_allocated;
	atomic_long_t tables_freed;

	/* fault injection (the scenario's `inject`) */
	atomic_t inject_pgtable;
	atomic_t inject_folio;

	atomic_long_t events[NR_VM_EVENTS];
};

extern struct fl_machine machine;
#define fl_cfg (machine.cfg)

/* Create the machine for @cfg; -1 with errno if the host refused memory. */
int phys_init(const struct fl_config *cfg);
void phys_exit(void);

static inline void count_vm_event(enum vm_event e)
{
	atomic_long_inc(&machine.events[e]);
}

static inline void count_vm_events(enum vm_event e, long delta)
{
	atomic_long_add(delta, &machine.events[e]);
}

static inline long vm_event(enum vm_event e)
{
	return atomic_long_read(&machine.events[e]);
}

/* A pmem frame: after RAM, present once src/fs/pmem.c brought the device up. */
static inline bool pfn_is_pmem(unsigned long pfn)
{
	return machine.pmem_memmap && pfn - machine.pmem_base_pfn < machine.pmem_pages;
}

/* RAM and pmem frames have descriptors; the io range has none. */
static inline bool pfn_valid(unsigned long pfn)
{
	return pfn < machine.ram_pages || pfn_is_pmem(pfn);
}

static inline struct page *pfn_to_page(unsigned long pfn)
{
	if (pfn_is_pmem(pfn))
		return &machine.pmem_memmap[pfn - machine.pmem_base_pfn];
	return &machine.memmap[pfn];
}

static inline unsigned long page_to_pfn(const struct page *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)machine.pmem_memmap;

	if (machine.pmem_memmap && off < machine.pmem_pages * sizeof(struct page))
		return machine.pmem_base_pfn + off / sizeof(struct page);
	return (unsigned long)(p - machine.memmap);
}

static inline unsigned long folio_pfn(const struct folio *f)
{
	return page_to_pfn(&f->page);
}

/* Device frames (io+N): real bytes, but no memmap, so pfn_valid() is false. */
static inline bool pfn_is_io(unsigned long pfn)
{
	return pfn - machine.io_base_pfn < machine.io_pages;
}

/* Frames the software MMU can load from and store to: RAM and device memory. */
static inline bool pfn_has_bytes(unsigned long pfn)
{
	return pfn_valid(pfn) || (machine.io && pfn_is_io(pfn));
}

/* The bytes of a RAM or device frame. */
static inline void *pfn_to_virt(unsigned long pfn)
{
	if (pfn_is_io(pfn))
		return machine.io + ((pfn - machine.io_base_pfn) << PAGE_SHIFT);
	if (pfn_is_pmem(pfn))
		return machine.pmem + ((pfn - machine.pmem_base_pfn) << PAGE_SHIFT);
	return machine.ram + (pfn << PAGE_SHIFT);
}

static inline void *page_address(const struct page *p)
{
	return pfn_to_virt(page_to_pfn(p));
}

/* The descriptor of the RAM frame that holds @addr (page tables, data). */
static inline struct page *virt_to_page(const void *addr)
{
	return pfn_to_page((unsigned long)((const uint8_t *)addr - machine.ram) >> PAGE_SHIFT);
}

/* Buddy allocator (buddy.c). */
#define __GFP_ZERO	0x1u
#define __GFP_COMP	0x2u
#define __GFP_PGTABLE	0x4u	/* for fault injection: a page-table page */
/* Reclaim context bits (R57, V21); the allocators ignore them, DAX records them. */
#define __GFP_HIGHMEM	0x8u
#define __GFP_IO	0x10u
#define __GFP_FS	0x20u
#define GFP_HIGHUSER_MOVABLE	(__GFP_IO | __GFP_FS | __GFP_HIGHMEM)

struct page *alloc_pages(unsigned int gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
struct folio *folio_alloc(unsigned int gfp, unsigned int order);
unsigned long nr_free_pages(void);

/* Zero page and huge zero folio (zero.c). R39, Q12. */
static inline unsigned long my_zero_pfn(uint64_t addr)
{
	(void)addr;	/* MODEL: x86 has one zero page, no colouring */
	return machine.zero_pfn;
}

static inline bool is_zero_pfn(unsigned long pfn)
{
	return pfn == machine.zero_pfn;
}

static inline bool is_huge_zero_pfn(unsigned long pfn)
{
	return machine.huge_zero_folio &&
	       pfn - machine.huge_zero_pfn < HPAGE_PMD_NR;
}

static inline bool is_huge_zero_folio(const struct folio *f)
{
	return f == machine.huge_zero_folio;
}

bool get_huge_zero_folio(void);
void put_huge_zero_folio(void);
/* The shrinker: frees the folio once only the global reference is left. */
void shrink_huge_zero_folio(void);

#endif /* FL_PHYS_PHYS_H */
