/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mm.h - address spaces, VMAs, the fault descriptor and the mm entry points.
 *
 * struct mm_struct is a process's address space (faultline has one thread
 * per process, so the task's fault counters live here too); struct
 * vm_area_struct is a VMA with Linux's flags and vm_pgoff; struct vm_fault
 * is the descriptor every fault handler receives.  The names and meanings
 * are Linux 6.18's, so `grep` from the kernel lands here.
 *
 * Locking, as in Linux: mmap_lock (rwsem) for the VMA tree, held for read
 * across a fault and for write by mmap/munmap/mprotect/madvise(split);
 * page-table locks from src/pgtable/.  Functions state their preconditions
 * at the top and check them with mmap_assert_locked() and friends.
 */
#ifndef FL_MM_MM_H
#define FL_MM_MM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/explain.h"
#include "pgtable/pgalloc.h"
#include "phys/phys.h"
#include "sync/locks.h"

/* vm_flags (Linux's values where it matters for smaps VmFlags). */
#define VM_NONE		0x00000000ul
#define VM_READ		0x00000001ul
#define VM_WRITE	0x00000002ul
#define VM_EXEC		0x00000004ul
#define VM_SHARED	0x00000008ul
#define VM_MAYREAD	0x00000010ul
#define VM_MAYWRITE	0x00000020ul
#define VM_MAYEXEC	0x00000040ul
#define VM_MAYSHARE	0x00000080ul
#define VM_PFNMAP	0x00000400ul
#define VM_IO		0x00004000ul
#define VM_DONTCOPY	0x00020000ul
#define VM_DONTEXPAND	0x00040000ul
#define VM_ACCOUNT	0x00100000ul
#define VM_HUGEPAGE	0x20000000ul
#define VM_NOHUGEPAGE	0x40000000ul
#define VM_MIXEDMAP	0x10000000ul
#define VM_SYNC		0x00800000ul
#define VM_DONTDUMP	0x04000000ul

#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)

static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

/* RSS counters (mm->rss_stat). */
enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

/* mm->flags */
#define MMF_HUGE_ZERO_FOLIO	0
#define MMF_HAS_PINNED		1
#define MMF_UNSTABLE		2	/* OOM-reaped: private mappings may have lost pages */

struct anon_vma {
	atomic_t refcount;
};

struct vm_area_struct;
struct vm_fault;

/* What a VMA is backed by; NULL vm_ops = anonymous memory. */
struct vm_operations_struct {
	const char *name;
	void (*open)(struct vm_area_struct *vma);	/* a VMA copy now shares vm_file */
	void (*close)(struct vm_area_struct *vma);	/* a VMA using vm_file goes away */
	unsigned int (*fault)(struct vm_fault *vmf);
	unsigned int (*huge_fault)(struct vm_fault *vmf, unsigned int order);
	unsigned int (*map_pages)(struct vm_fault *vmf, unsigned long start_pgoff,
				  unsigned long end_pgoff);
	unsigned int (*page_mkwrite)(struct vm_fault *vmf);
	unsigned int (*pfn_mkwrite)(struct vm_fault *vmf);
	struct page *(*find_normal_page)(struct vm_area_struct *vma, uint64_t addr);
};

struct mm_struct;

struct vm_area_struct {
	uint64_t vm_start;
	uint64_t vm_end;
	struct mm_struct *vm_mm;
	unsigned long vm_flags;
	pgprot_t vm_page_prot;
	unsigned long vm_pgoff;
	struct anon_vma *anon_vma;
	bool anon_vma_forked;		/* its anon_vma chain reaches a parent's */
	const struct vm_operations_struct *vm_ops;
	void *vm_file;			/* opaque: owned by src/fs/ */
	void *vm_private_data;
	const char *name;		/* smaps-style name, e.g. "zero" for /dev/zero */
};

struct mm_struct {
	struct mm_pgtables pgt;
	struct rw_semaphore mmap_lock;

	/* The VMA tree. MODEL: a sorted array with binary search, not a maple tree. */
	struct vm_area_struct **vmas;
	int nr_vmas, cap_vmas;

	atomic_long_t rss_stat[NR_MM_COUNTERS];
	unsigned long flags;		/* MMF_* */
	uint64_t mmap_base;		/* top-down placement starts below this */

	/* The one task of this process: its fault counters (getrusage). */
	long min_flt, maj_flt;
	int id;
};

/* VM_FAULT_* (vm_fault_t is an unsigned int bit set). */
typedef unsigned int vm_fault_t;
#define VM_FAULT_OOM		0x000001
#define VM_FAULT_SIGBUS		0x000002
#define VM_FAULT_MAJOR		0x000004
#define VM_FAULT_HWPOISON	0x000010
#define VM_FAULT_SIGSEGV	0x000040
#define VM_FAULT_NOPAGE		0x000100
#define VM_FAULT_LOCKED		0x000200
#define VM_FAULT_RETRY		0x000400
#define VM_FAULT_FALLBACK	0x000800
#define VM_FAULT_DONE_COW	0x001000
#define VM_FAULT_NEEDDSYNC	0x002000
#define VM_FAULT_COMPLETED	0x004000
#define VM_FAULT_ERROR		(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON)

/* FAULT_FLAG_* */
#define FAULT_FLAG_WRITE	0x01u
#define FAULT_FLAG_MKWRITE	0x02u
#define FAULT_FLAG_ALLOW_RETRY	0x04u
#define FAULT_FLAG_TRIED	0x20u
#define FAULT_FLAG_USER		0x40u
#define FAULT_FLAG_REMOTE	0x80u
#define FAULT_FLAG_UNSHARE	0x400u
#define FAULT_FLAG_ORIG_PTE_VALID 0x800u

struct vm_fault {
	struct vm_area_struct *vma;
	unsigned int flags;
	unsigned long pgoff;
	uint64_t address;		/* faulting address, page aligned */
	uint64_t real_address;
	pmd_t *pmd;
	pud_t *pud;
	pte_t orig_pte;
	pmd_t orig_pmd;
	struct page *cow_page;
	struct page *page;
	pte_t *pte;
	spinlock_t *ptl;
	struct page *prealloc_pte;
	/* --explain: the level being tried and what it reported */
	enum fl_reason reason;
};

/* --explain: one event per level tried (set by the model backend). */
struct fl_fault_event {
	struct mm_struct *mm;
	uint64_t address;
	bool write;
	int level;			/* 0 pte, 1 pmd, 2 pud */
	const char *handler;		/* "anon", "file", "dax", "pfn", "wp" */
	vm_fault_t ret;
	bool skipped;			/* the level was not tried */
	enum fl_reason reason;
	const char *mapped;		/* kind that got mapped, or NULL */
};
extern void (*fl_fault_explain)(const struct fl_fault_event *ev);
void fault_explain(struct vm_fault *vmf, int level, const char *handler, vm_fault_t ret,
		   bool skipped, enum fl_reason reason, const char *mapped);

/* ---- mm lifecycle (mm.c) ---- */
struct mm_struct *mm_alloc(void);
void mmput(struct mm_struct *mm);		/* exit_mmap + free */
struct mm_struct *dup_mm(struct mm_struct *oldmm);	/* fork.c */

static inline void mmap_read_lock(struct mm_struct *mm) { down_read(&mm->mmap_lock); }
static inline void mmap_read_unlock(struct mm_struct *mm) { up_read(&mm->mmap_lock); }
static inline void mmap_write_lock(struct mm_struct *mm) { down_write(&mm->mmap_lock); }
static inline void mmap_write_unlock(struct mm_struct *mm) { up_write(&mm->mmap_lock); }

static inline long get_mm_counter(struct mm_struct *mm, int member)
{
	return atomic_long_read(&mm->rss_stat[member]);
}
static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	atomic_long_add(value, &mm->rss_stat[member]);
}
static inline void inc_mm_counter(struct mm_struct *mm, int member) { add_mm_counter(mm, member, 1); }
static inline void dec_mm_counter(struct mm_struct *mm, int member) { add_mm_counter(mm, member, -1); }

int mm_counter_file(struct folio *folio);
int mm_counter(struct folio *folio);

static inline void mm_inc_nr_ptes(struct mm_struct *mm) { atomic_long_inc(&mm->pgt.nr_ptes); }
static inline void mm_dec_nr_ptes(struct mm_struct *mm) { atomic_long_dec(&mm->pgt.nr_ptes); }
static inline long mm_nr_ptes(struct mm_struct *mm) { return atomic_long_read(&mm->pgt.nr_ptes); }

/* ---- VMA tree (vma.c) ---- */
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);
struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr);
int vma_insert(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_remove(struct mm_struct *mm, struct vm_area_struct *vma);
int vma_index(struct mm_struct *mm, struct vm_area_struct *vma);
/* Split @vma at @addr; the new VMA is the part below (@new_below) or above. */
int split_vma(struct vm_area_struct *vma, uint64_t addr, bool new_below);
/* Merge @vma with its neighbours where Linux would; returns the survivor. */
struct vm_area_struct *vma_merge_neighbours(struct vm_area_struct *vma);
pgprot_t vm_get_page_prot(unsigned long vm_flags);
void vma_set_page_prot(struct vm_area_struct *vma);
int anon_vma_prepare(struct vm_area_struct *vma);
void put_anon_vma(struct anon_vma *av);

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

static inline unsigned long linear_page_index(const struct vm_area_struct *vma, uint64_t addr)
{
	return ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/* ---- mmap.c ---- */
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_POPULATE	0x8000
#define MAP_NORESERVE	0x4000

#define PROT_NONE	0x0
#define PROT_READ	0x1
#define PROT_WRITE	0x2

uint64_t get_unmapped_area(struct mm_struct *mm, uint64_t len, uint64_t align);
/* Returns the address, or a negative errno cast to uint64_t. */
int64_t do_mmap(struct mm_struct *mm, uint64_t addr, uint64_t len, int prot, int flags,
		const struct vm_operations_struct *ops, void *file, unsigned long pgoff,
		const char *name);
int do_munmap(struct mm_struct *mm, uint64_t start, uint64_t len);
int do_mprotect(struct mm_struct *mm, uint64_t start, uint64_t len, int prot);

/* ---- madvise.c ---- */
#define MADV_DONTNEED		4
#define MADV_HUGEPAGE		14
#define MADV_NOHUGEPAGE		15
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
int do_madvise(struct mm_struct *mm, uint64_t start, uint64_t len, int advice);

/* ---- gup.c ---- */
long populate_vma_page_range(struct vm_area_struct *vma, uint64_t start, uint64_t end,
			     bool write);
int mm_populate(struct mm_struct *mm, uint64_t start, uint64_t len);

/* The gup_flags faultline models (Linux's values). */
#define FOLL_WRITE	0x01u
#define FOLL_GET	0x04u
#define FOLL_LONGTERM	0x100u
#define FOLL_PIN	0x40000u

/* Pages held by get_user_pages() (FOLL_GET) or pin_user_pages() (FOLL_PIN). */
struct fl_gup {
	bool pin;
	long nr;
	struct folio **folios;
};
struct fl_gup *fl_gup_flags(struct mm_struct *mm, uint64_t start, uint64_t len,
			    unsigned int gup_flags, int *err);
/* fl_gup_flags() with FOLL_GET, or with @pin FOLL_PIN | FOLL_LONGTERM. */
struct fl_gup *fl_gup(struct mm_struct *mm, uint64_t start, uint64_t len, bool write, bool pin,
		      int *err);
void fl_gup_release(struct fl_gup *g);

/* ---- memory.c: the fault core ---- */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, uint64_t address, unsigned int flags);
struct page *vm_normal_page(struct vm_area_struct *vma, uint64_t addr, pte_t pte);
struct page *vm_normal_page_pmd(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd);
struct folio *vm_normal_folio(struct vm_area_struct *vma, uint64_t addr, pte_t pte);
int pte_alloc(struct mm_struct *mm, pmd_t *pmd);
pte_t *get_locked_pte(struct mm_struct *mm, uint64_t addr, spinlock_t **ptl);
vm_fault_t do_anonymous_page(struct vm_fault *vmf);
vm_fault_t do_fault(struct vm_fault *vmf);
/* memory.c: the PTE level of __handle_mm_fault() (vmf->pmd set, not a leaf). */
vm_fault_t handle_pte_fault(struct vm_fault *vmf);
vm_fault_t filemap_map_pages_with(struct vm_fault *vmf, unsigned long start, unsigned long end,
				  struct folio *(*lookup)(struct vm_area_struct *, unsigned long),
				  unsigned long file_pages);

/* ---- filemap.c: shared anonymous memory and /dev/zero shared ---- */
/* Turn a new shared anonymous VMA into a tmpfs-backed one (shmem_zero_setup()). */
int shmem_zero_setup(struct vm_area_struct *vma);
vm_fault_t do_wp_page(struct vm_fault *vmf);
vm_fault_t vmf_anon_prepare(struct vm_fault *vmf);
struct folio *vma_alloc_zeroed_movable_folio(struct vm_area_struct *vma, uint64_t addr);

/* ---- filemap.c, truncate.c: regular files that are not DAX (issue 6) ---- */
struct fl_file;
extern const struct vm_operations_struct filemap_vm_ops;	/* fs=pagecache */
extern const struct vm_operations_struct tmpfs_file_vm_ops;	/* fs=tmpfs */
bool vma_wants_writenotify(struct vm_area_struct *vma);
vm_fault_t do_page_mkwrite(struct vm_fault *vmf, struct folio *folio);
vm_fault_t do_set_pmd(struct vm_fault *vmf, struct folio *folio);
/*
 * unmap_mapping_range() over every mm in @mms (MODEL: no i_mmap tree),
 * then the file side: truncate_setsize() + truncate_pagecache(), and the
 * hole punch.  Preconditions: no mmap_lock held.
 */
int fl_truncate(struct mm_struct *const *mms, int nmms, struct fl_file *f, uint64_t size);
void fl_punch(struct mm_struct *const *mms, int nmms, struct fl_file *f, uint64_t off,
	      uint64_t len);
/* fsync/msync: write back, then clean and write-protect the shared mappings. */
void fl_writeback(struct mm_struct *const *mms, int nmms, struct fl_file *f);

/* ---- direct_io.c: an O_DIRECT read into user memory (`dio-read`) ---- */
long fl_dio_read(struct mm_struct *mm, struct fl_file *f, uint64_t pos, uint64_t va,
		 uint64_t len);

/* ---- rmap.c ---- */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma, uint64_t addr,
			     bool exclusive);
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page, int nr, bool exclusive);
void folio_remove_rmap_pte(struct folio *folio, struct page *page, struct vm_area_struct *vma);
void folio_remove_rmap_pmd(struct folio *folio, struct vm_area_struct *vma);
void folio_add_file_rmap_pte(struct folio *folio, struct page *page);
void folio_add_file_rmap_pmd(struct folio *folio);
int folio_try_dup_anon_rmap_pte(struct folio *folio, struct page *page);
int folio_try_dup_anon_rmap_pmd(struct folio *folio);
void folio_dup_file_rmap_pte(struct folio *folio, struct page *page);
void folio_dup_file_rmap_pmd(struct folio *folio);
void folio_move_anon_rmap(struct folio *folio, struct vm_area_struct *vma);
pmd_t *mm_find_pmd(struct mm_struct *mm, uint64_t addr);

/* ---- zap.c ---- */
void unmap_page_range(struct vm_area_struct *vma, uint64_t addr, uint64_t end);
void zap_page_range_single(struct vm_area_struct *vma, uint64_t addr, uint64_t size);
void free_pgtables(struct mm_struct *mm, uint64_t start, uint64_t end);

/* ---- huge_memory.c ---- */
bool thp_vma_allowable_pmd(struct vm_area_struct *vma, enum fl_reason *why);
bool thp_vma_suitable_order(struct vm_area_struct *vma, uint64_t addr, int order);
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf);
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf);
void huge_pmd_set_accessed(struct vm_fault *vmf);
bool is_huge_zero_pmd(pmd_t pmd);
struct folio *mm_get_huge_zero_folio(struct mm_struct *mm);
void mm_put_huge_zero_folio(struct mm_struct *mm);
/* Caller holds the PMD lock; returns true if a huge PMD was zapped. */
bool zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr);
void __split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t address);
void split_huge_pmd_range(struct vm_area_struct *vma, uint64_t start, uint64_t end);
int copy_huge_pmd(struct mm_struct *dst_mm, struct mm_struct *src_mm, pmd_t *dst_pmd,
		  pmd_t *src_pmd, uint64_t addr, struct vm_area_struct *dst_vma,
		  struct vm_area_struct *src_vma);
int change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd, uint64_t addr, pgprot_t newprot,
		    bool try_writable);
/* PUD leaves (issue 4): only drivers' pfn PUDs and vmf_insert_folio_pud() make them. */
#define HPAGE_PUD_NR	(1ul << HPAGE_PUD_ORDER)
/* These take the PUD lock themselves; zap returns true if a PUD leaf went away. */
bool zap_huge_pud(struct vm_area_struct *vma, pud_t *pud, uint64_t addr);
void __split_huge_pud(struct vm_area_struct *vma, pud_t *pud, uint64_t address);
int copy_huge_pud(struct mm_struct *dst_mm, struct mm_struct *src_mm, pud_t *dst_pud,
		  pud_t *src_pud, uint64_t addr, struct vm_area_struct *vma);
int change_huge_pud(struct vm_area_struct *vma, pud_t *pud, uint64_t addr, pgprot_t newprot);
void huge_pud_set_accessed(struct vm_fault *vmf, pud_t orig_pud);

/* ---- fork.c ---- */
int copy_page_range(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma);

/* ---- mmu.c: the software MMU ---- */
struct fl_access_result {
	int signo;		/* 0, SIGSEGV or SIGBUS */
	int si_code;
	uint64_t addr;
};
/*
 * Load (write == false) or store @len bytes at @addr, within one page, the
 * way the CPU does: walk, check, set accessed/dirty, and on a miss take the
 * fault and retry.  Returns 0 (res->signo says whether a signal came) or a
 * negative errno when the model itself cannot go on (out of memory).
 */
int fl_access(struct mm_struct *mm, uint64_t addr, bool write, uint8_t *buf, size_t len,
	      struct fl_access_result *res);

/* Page-table walk used by the MMU, GUP and observers: the leaf mapping @addr. */
struct fl_leaf {
	int level;		/* 0 none, 1 pte, 2 pmd, 3 pud */
	uint64_t entry;		/* the raw leaf entry */
	uint64_t *entryp;	/* where it lives */
	unsigned long pfn;	/* pfn of the 4 KiB page holding @addr */
};
void fl_walk(struct mm_struct *mm, uint64_t addr, struct fl_leaf *leaf);

/*
 * ---- Issue 4: PFN and mixed maps, vm_normal_page*, insert paths ----
 * (vm_normal_page.c, insert.c, pfnmap.c; SPEC.md 2a and 2b)
 */
enum pgtable_level { PGTABLE_LEVEL_PTE, PGTABLE_LEVEL_PMD, PGTABLE_LEVEL_PUD };

struct page *vm_normal_page_pud(struct vm_area_struct *vma, uint64_t addr, pud_t pud);
struct folio *vm_normal_folio_pmd(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd);
/* R7 (V7 anon_lookup): the anon folio behind a pfn of a CoW PFN map, or NULL. */
struct page *vm_pfnmap_normal_page_pfn(struct vm_area_struct *vma, unsigned long pfn);
/* V8 warn_return hands out a descriptor for a pfn without memmap: this says so. */
bool vm_normal_page_is_invalid(const struct page *page);

#define FW_ZEROPAGE	0x1u
enum { FW_LEVEL_PTE, FW_LEVEL_PMD, FW_LEVEL_PUD };
struct folio_walk {
	struct page *page;
	int level;		/* FW_LEVEL_* */
	uint64_t entry;		/* the raw entry */
};
struct folio *folio_walk_start(struct folio_walk *fw, struct vm_area_struct *vma, uint64_t addr,
			       unsigned int flags);

/* insert.c (R25-R41, Q8, Q9, Q17, Q18) */
int insert_page(struct vm_area_struct *vma, uint64_t addr, struct page *page, pgprot_t prot,
		bool mkwrite);
vm_fault_t vmf_insert_page_mkwrite(struct vm_fault *vmf, struct page *page, bool write);
vm_fault_t vmf_insert_pfn_prot(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
			       pgprot_t prot);
vm_fault_t vmf_insert_pfn(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn);
vm_fault_t vmf_insert_mixed(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn);
vm_fault_t vmf_insert_mixed_mkwrite(struct vm_area_struct *vma, uint64_t addr,
				    unsigned long pfn);
vm_fault_t vmf_insert_folio_pmd(struct vm_fault *vmf, struct folio *folio, bool write);
vm_fault_t vmf_insert_pfn_pmd(struct vm_fault *vmf, unsigned long pfn, bool write);
/* Linux 6.1's devmap inserts, for V5=one_based FS-DAX (insert.c). */
vm_fault_t vmf_insert_mixed_devmap(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
				   bool mkwrite);
vm_fault_t vmf_insert_pfn_pmd_devmap(struct vm_fault *vmf, unsigned long pfn, bool write);
vm_fault_t vmf_insert_folio_pud(struct vm_fault *vmf, struct folio *folio, bool write);
vm_fault_t vmf_insert_pfn_pud(struct vm_fault *vmf, unsigned long pfn, bool write);

/*
 * gup_fast.c: lockless GUP; grabs up to @nr_pages from @start into @folios
 * (one entry per page) and returns how many, in order.  fl_gup() calls it
 * first and does the rest on its slow path.
 */
long gup_fast(struct mm_struct *mm, uint64_t start, unsigned long nr_pages,
	      unsigned int gup_flags, struct folio **folios);

/* pfnmap.c: remap_pfn_range() and the scenario's drivers (pfn=, mixed=) */
int remap_pfn_range(struct vm_area_struct *vma, uint64_t addr, unsigned long pfn,
		    uint64_t size, pgprot_t prot);
/* mmap a driver mapping: @pfnmap (pfn=) or mixed (mixed=), base frame @pfn. */
int64_t fl_driver_mmap(struct mm_struct *mm, uint64_t addr, uint64_t len, int prot, int flags,
		       bool pfnmap, unsigned long pfn);
extern const struct vm_operations_struct pfnmap_vm_ops, mixedmap_vm_ops;

/*
 * ---- Issue 5: FS-DAX faults (dax_fault.c; SPEC.md 2c, 2d) ----
 * mm calls down into src/dax/ (entries) and src/fs/ (iomap, pmem); see there.
 */
struct daxfs;
struct daxfs_file;
struct dax_mapping;
extern const struct vm_operations_struct dax_file_vm_ops;	/* fs=dax */
bool vma_is_dax(const struct vm_area_struct *vma);
vm_fault_t do_dax_fault(struct vm_fault *vmf);
vm_fault_t finish_fault(struct vm_fault *vmf);
/* MODEL: no i_mmap tree; the mms searched for a DAX file's mappings. */
void dax_set_mms(struct mm_struct *const *mms, int nmms);
struct daxfs_file *dax_file_create(struct daxfs *fs, const char *name, uint64_t size);
void dax_file_put(struct daxfs_file *f);
struct dax_mapping *dax_file_mapping(struct daxfs_file *f);
int dax_file_truncate(struct daxfs_file *f, uint64_t size);
/* T54 (R57, V21): the caller's gfp mask for later DAX PMD faults; 0 restores the generic one. */
void dax_set_fault_gfp(unsigned int gfp);
/* Test hook, T52 (a), (b): runs before a MAP_SYNC fault's fsync; nonzero fails the fsync. */
void dax_set_sync_fault_hook(int (*hook)(struct vm_fault *vmf));
int dax_file_punch(struct daxfs_file *f, uint64_t off, uint64_t len);
int dax_file_fsync(struct daxfs_file *f);
int dax_file_reflink(struct daxfs_file *src, struct daxfs_file *dst);

#endif /* FL_MM_MM_H */
