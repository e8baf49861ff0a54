// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vma.c - address spaces: the VMA tree, mmap, munmap, mprotect,
 * madvise(MADV_HUGEPAGE), and the page tables munmap gives back
 * (src/mm/vma.c, mmap.c, mprotect.c, madvise.c, zap.c).
 *
 * Scenarios observe VMAs through smaps: how many there are, where they
 * start and end, their flags.  So these tests state, in the manner of the
 * kernel's tools/testing/vma, the exact layout after every step, with a
 * picture of it:
 *
 *  - do_mmap(): top-down placement below mmap_base, 2 MiB alignment of
 *    anonymous mappings whose length is a multiple of 2 MiB, MAP_FIXED
 *    (never at or beyond TASK_SIZE), the flags and page protections a
 *    mapping starts with, and the merge of compatible neighbours;
 *  - find_vma() is "the first VMA ending above addr", vma_lookup() "the
 *    VMA containing addr";
 *  - split_vma() below and above, with vm_pgoff following the split;
 *  - mprotect() of the middle of a VMA makes three, mprotect() back merges
 *    them into one (KERNEL-FACTS s7), PROT_NONE keeps the frames, a THP
 *    changes in place unless the range cuts it;
 *  - MADV_HUGEPAGE on part of a VMA splits it, and the parts merge again
 *    when their flags agree;
 *  - ranges with holes: mprotect() and madvise() act on the mapped parts
 *    (up to the hole, for mprotect) and then report -ENOMEM;
 *  - munmap() of a middle part, of part of a THP, and the page tables: a
 *    table is freed exactly when no VMA covers any of the range it maps;
 *  - merge compatibility (mm/vma.c): a neighbour without an anon_vma is
 *    compatible with any, two different anon_vmas never merge, a first
 *    write reuses an adjacent compatible VMA's anon_vma, when a VMA could
 *    merge with either neighbour but the two neighbours could not merge
 *    with each other Linux merges it with the one on the left, VM_ACCOUNT
 *    counts, and file VMAs need the same file and a continuing offset.
 *
 * Steps that change page tables end with fl_check_invariants(), and every
 * test with the leak check of core_test.h.  Tests marked "Regression"
 * guard a place where the model once differed from Linux.
 */
#include <errno.h>

#include "core_test.h"

#define P	PAGE_SIZE
#define X	((uint64_t)0x7e0000000000ull)	/* 1 GiB aligned, far below mmap_base */
#define RW	(PROT_READ | PROT_WRITE)

static const struct vm_operations_struct file_ops = { .name = "test-file" };
static int file_a, file_b;			/* two "files": only their identity matters */

static uint64_t map_anon(struct mm_struct *mm, uint64_t addr, uint64_t len, int prot)
{
	int64_t r = do_mmap(mm, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			    NULL, NULL, 0, NULL);

	assert_int_equal(r, (int64_t)addr);
	return addr;
}

static void map_file(struct mm_struct *mm, uint64_t addr, uint64_t len, void *file,
		     unsigned long pgoff, const char *name)
{
	int64_t r = do_mmap(mm, addr, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, &file_ops,
			    file, pgoff, name);

	assert_int_equal(r, (int64_t)addr);
}

static void touch(struct mm_struct *mm, uint64_t addr, bool write)
{
	struct fl_access_result res;
	uint8_t b = 0x77;

	assert_int_equal(fl_access(mm, addr, write, &b, 1, &res), 0);
	assert_int_equal(res.signo, 0);
}

#define ANY_PGOFF (~0ul)

struct range {
	uint64_t start, end;
	unsigned long pgoff;
};

/* The tree is exactly @want, in address order. */
#define assert_layout(mm, want, n) assert_layout_at(mm, want, n, __LINE__)

static void assert_layout_at(struct mm_struct *mm, const struct range *want, int n, int line)
{
	if (mm->nr_vmas != n)
		fail_msg("line %d: %d VMAs, want %d (first at %#llx)", line, mm->nr_vmas, n,
			 mm->nr_vmas ? (unsigned long long)mm->vmas[0]->vm_start : 0ull);
	for (int i = 0; i < n; i++) {
		struct vm_area_struct *v = mm->vmas[i];

		if (v->vm_start != want[i].start || v->vm_end != want[i].end)
			fail_msg("line %d: VMA %d is [%#llx, %#llx), want [%#llx, %#llx)", line, i,
				 (unsigned long long)v->vm_start, (unsigned long long)v->vm_end,
				 (unsigned long long)want[i].start, (unsigned long long)want[i].end);
		if (want[i].pgoff != ANY_PGOFF && v->vm_pgoff != want[i].pgoff)
			fail_msg("line %d: VMA %d has pgoff %#lx, want %#lx", line, i, v->vm_pgoff,
				 want[i].pgoff);
		if (vma_index(mm, v) != i)
			fail_msg("line %d: VMA %d is not found at its own index", line, i);
	}
}

static void walk(struct mm_struct *mm, uint64_t addr, struct fl_leaf *leaf)
{
	mmap_read_lock(mm);
	fl_walk(mm, addr, leaf);
	mmap_read_unlock(mm);
}

static pte_t pte_at(struct mm_struct *mm, uint64_t addr)
{
	struct fl_leaf leaf;

	walk(mm, addr, &leaf);
	if (leaf.level != 1)
		fail_msg("no PTE maps %#llx (level %d)", (unsigned long long)addr, leaf.level);
	return __pte(leaf.entry);
}

/* ------------------------------------------------------------------ */
/* do_mmap                                                             */
/* ------------------------------------------------------------------ */

/*
 * Placement is top-down below mmap_base:
 *
 *        [ c: 8P RW ][ b: 8P R ][ a: 16P RW ] mmap_base
 *
 * a and b differ in flags and stay apart; c is RW like a but not adjacent
 * to it.  A fourth RW mapping lands right below c and merges with it.
 */
static void test_mmap_placement_and_flags(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	const uint64_t base = 0x7f0000000000ull;
	struct vm_area_struct *v;
	int64_t a, b, c, d, h;

	(void)state;
	assert_non_null(mm);
	assert_int_equal(mm->mmap_base, base);
	a = do_mmap(mm, 0, 16 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, NULL, NULL, 0, NULL);
	assert_int_equal(a, (int64_t)(base - 16 * P));
	v = vma_lookup(mm, (uint64_t)a);
	assert_non_null(v);
	assert_true(vma_is_anonymous(v));
	assert_int_equal(v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED | VM_MAYSHARE),
			 VM_READ | VM_WRITE);
	assert_int_equal(v->vm_flags & (VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC),
			 VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC);
	assert_false(v->vm_flags & (VM_HUGEPAGE | VM_NOHUGEPAGE | VM_PFNMAP | VM_MIXEDMAP));
	assert_int_equal(v->vm_page_prot.pgprot, PAGE_COPY.pgprot);	/* CoW: RW comes by fault */
	assert_int_equal(v->vm_pgoff, (uint64_t)a >> PAGE_SHIFT);	/* anon: pgoff = addr */
	assert_null(v->anon_vma);					/* no fault yet */

	b = do_mmap(mm, 0, 8 * P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, NULL, NULL, 0, NULL);
	assert_int_equal(b, a - (int64_t)(8 * P));
	assert_int_equal(vma_lookup(mm, (uint64_t)b)->vm_page_prot.pgprot, PAGE_READONLY.pgprot);
	c = do_mmap(mm, 0, 8 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, NULL, NULL, 0, NULL);
	assert_int_equal(c, b - (int64_t)(8 * P));
	assert_int_equal(mm->nr_vmas, 3);

	d = do_mmap(mm, 0, 4 * P, RW, MAP_PRIVATE | MAP_ANONYMOUS, NULL, NULL, 0, NULL);
	assert_int_equal(d, c - (int64_t)(4 * P));
	{
		const struct range want[] = {
			{ (uint64_t)d, (uint64_t)b, (uint64_t)d >> PAGE_SHIFT },
			{ (uint64_t)b, (uint64_t)a, (uint64_t)b >> PAGE_SHIFT },
			{ (uint64_t)a, base, (uint64_t)a >> PAGE_SHIFT },
		};

		assert_layout(mm, want, 3);
	}

	/* A multiple of 2 MiB is 2 MiB aligned (thp_get_unmapped_area()). */
	h = do_mmap(mm, 0, 2 * PMD_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS, NULL, NULL, 0, NULL);
	assert_true(h > 0);
	assert_int_equal((uint64_t)h & (PMD_SIZE - 1), 0);
	assert_true((uint64_t)h + 2 * PMD_SIZE <= (uint64_t)d);

	/* Shared anonymous and PROT_NONE mappings start with their own protections. */
	v = vma_lookup(mm, (uint64_t)do_mmap(mm, 0, 4 * P, RW, MAP_SHARED | MAP_ANONYMOUS,
					     NULL, NULL, 0, NULL));
	assert_non_null(v);
	assert_true(v->vm_flags & VM_SHARED);
	assert_true(v->vm_flags & VM_MAYSHARE);
	assert_int_equal(v->vm_page_prot.pgprot, PAGE_SHARED.pgprot);
	assert_int_equal(v->vm_pgoff, 0);
	v = vma_lookup(mm, (uint64_t)do_mmap(mm, 0, 4 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
					     NULL, NULL, 0, NULL));
	assert_non_null(v);
	assert_false(v->vm_flags & VM_ACCESS_FLAGS);
	assert_int_equal(v->vm_page_prot.pgprot, PAGE_NONE.pgprot);
	assert_invariants(mm);
	test_mmput(mm);
}

static void test_mmap_fixed_and_errors(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 16 * P, RW);
	/*
	 * MODEL: MAP_FIXED over an existing mapping is refused with -EEXIST
	 * (Linux would unmap what is there first); the tree is untouched.
	 */
	assert_int_equal(do_mmap(mm, X + 8 * P, 16 * P, RW,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 -EEXIST);
	assert_int_equal(do_mmap(mm, X - 4 * P, 8 * P, RW,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL),
			 -EEXIST);
	assert_int_equal(do_mmap(mm, X + 1, P, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 NULL, NULL, 0, NULL), -EINVAL);
	assert_int_equal(do_mmap(mm, X + 32 * P, P + 1, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 NULL, NULL, 0, NULL), -EINVAL);
	assert_int_equal(do_mmap(mm, X + 32 * P, 0, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 NULL, NULL, 0, NULL), -EINVAL);
	{
		const struct range want[] = { { X, X + 16 * P, X >> PAGE_SHIFT } };

		assert_layout(mm, want, 1);
	}
	/* Adjacent on both sides, with a gap filled last: one VMA. */
	map_anon(mm, X + 24 * P, 8 * P, RW);
	map_anon(mm, X + 16 * P, 8 * P, RW);
	{
		const struct range want[] = { { X, X + 32 * P, X >> PAGE_SHIFT } };

		assert_layout(mm, want, 1);
	}
	test_mmput(mm);
}

/*
 * Nothing may be mapped at or above TASK_SIZE (the user half of the
 * address space): Linux's __get_unmapped_area() answers -ENOMEM for a
 * length above TASK_SIZE and for a MAP_FIXED range that ends above it,
 * including one whose end wraps around.
 *
 * Regression (src/mm/mmap.c, do_mmap()): the MAP_FIXED range was once not
 * checked against TASK_SIZE, inserting VMAs beyond it (and, when addr + len
 * wrapped, a VMA whose end was below its start).
 */
static void test_mmap_beyond_task_size(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	const int fixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	(void)state;
	assert_int_equal(do_mmap(mm, 0, TASK_SIZE + PMD_SIZE, RW, MAP_PRIVATE | MAP_ANONYMOUS,
				 NULL, NULL, 0, NULL), -ENOMEM);
	assert_int_equal(do_mmap(mm, TASK_SIZE - P, 2 * P, RW, fixed, NULL, NULL, 0, NULL),
			 -ENOMEM);
	assert_int_equal(do_mmap(mm, TASK_SIZE, P, RW, fixed, NULL, NULL, 0, NULL), -ENOMEM);
	assert_int_equal(do_mmap(mm, (uint64_t)0 - P, 2 * P, RW, fixed, NULL, NULL, 0, NULL),
			 -ENOMEM);
	assert_int_equal(mm->nr_vmas, 0);
	/* The last page below TASK_SIZE is fine. */
	assert_int_equal(do_mmap(mm, TASK_SIZE - P, P, RW, fixed, NULL, NULL, 0, NULL),
			 (int64_t)(TASK_SIZE - P));
	test_mmput(mm);
}

/* ------------------------------------------------------------------ */
/* find_vma / vma_lookup                                               */
/* ------------------------------------------------------------------ */

/*
 *              A                       B
 *   ....[X, X+4P)....gap....[X+8P, X+12P)....
 */
static void test_find_vma_and_vma_lookup(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *a, *b;

	(void)state;
	assert_non_null(mm);
	assert_null(find_vma(mm, 0));
	assert_null(vma_lookup(mm, X));
	map_anon(mm, X, 4 * P, RW);
	map_anon(mm, X + 8 * P, 4 * P, RW);
	a = mm->vmas[0];
	b = mm->vmas[1];
	assert_int_equal(a->vm_start, X);
	assert_int_equal(b->vm_start, X + 8 * P);

	/* find_vma: the first VMA that ends above addr, even if it starts above. */
	assert_ptr_equal(find_vma(mm, 0), a);
	assert_ptr_equal(find_vma(mm, X - 1), a);
	assert_ptr_equal(find_vma(mm, X), a);
	assert_ptr_equal(find_vma(mm, X + 4 * P - 1), a);
	assert_ptr_equal(find_vma(mm, X + 4 * P), b);		/* in the gap */
	assert_ptr_equal(find_vma(mm, X + 12 * P - 1), b);
	assert_null(find_vma(mm, X + 12 * P));
	assert_null(find_vma(mm, TASK_SIZE - 1));

	/* vma_lookup: only the VMA that contains addr. */
	assert_null(vma_lookup(mm, X - 1));
	assert_ptr_equal(vma_lookup(mm, X), a);
	assert_ptr_equal(vma_lookup(mm, X + 4 * P - 1), a);
	assert_null(vma_lookup(mm, X + 4 * P));
	assert_null(vma_lookup(mm, X + 8 * P - 1));
	assert_ptr_equal(vma_lookup(mm, X + 8 * P), b);
	assert_null(vma_lookup(mm, X + 12 * P));
	test_mmput(mm);
}

/* ------------------------------------------------------------------ */
/* split_vma                                                           */
/* ------------------------------------------------------------------ */

/*
 *   [X .................................... X+16P)  pgoff 100
 * split_vma(X+4P, new below):
 *   [X, X+4P) new, pgoff 100 | [X+4P ............ X+16P) pgoff 104
 * split_vma(X+12P, new above):
 *   [X, X+4P) 100 | [X+4P, X+12P) 104 | [X+12P, X+16P) new, 112
 * vma_merge_neighbours(middle):
 *   [X .................................... X+16P)  pgoff 100
 */
static void test_split_vma(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma, *low, *high;

	(void)state;
	assert_non_null(mm);
	map_file(mm, X, 16 * P, &file_a, 100, NULL);
	vma = mm->vmas[0];

	mmap_write_lock(mm);
	assert_int_equal(split_vma(vma, X + 4 * P, true), 0);
	{
		const struct range want[] = { { X, X + 4 * P, 100 }, { X + 4 * P, X + 16 * P, 104 } };

		assert_layout(mm, want, 2);
	}
	low = mm->vmas[0];
	assert_ptr_equal(mm->vmas[1], vma);		/* the original keeps the upper part */
	assert_ptr_equal(low->vm_ops, &file_ops);
	assert_ptr_equal(low->vm_file, &file_a);
	assert_int_equal(low->vm_flags, vma->vm_flags);

	assert_int_equal(split_vma(vma, X + 12 * P, false), 0);
	{
		const struct range want[] = { { X, X + 4 * P, 100 }, { X + 4 * P, X + 12 * P, 104 },
					      { X + 12 * P, X + 16 * P, 112 } };

		assert_layout(mm, want, 3);
	}
	high = mm->vmas[2];
	assert_ptr_equal(mm->vmas[1], vma);		/* and now the middle */
	assert_int_equal(linear_page_index(high, X + 13 * P), 113);
	assert_int_equal(linear_page_index(vma, X + 5 * P), 105);

	vma = vma_merge_neighbours(vma);
	mmap_write_unlock(mm);
	{
		const struct range want[] = { { X, X + 16 * P, 100 } };

		assert_layout(mm, want, 1);
	}
	assert_ptr_equal(mm->vmas[0], vma);
	test_mmput(mm);
}

/* A split VMA shares its anon_vma with the new part; the merge gives it back. */
static void test_split_vma_shares_anon_vma(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct vm_area_struct *vma;
	struct anon_vma *av;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 8 * P, RW);
	touch(mm, X, true);
	vma = mm->vmas[0];
	av = vma->anon_vma;
	assert_non_null(av);
	assert_int_equal(atomic_read(&av->refcount), 1);

	mmap_write_lock(mm);
	assert_int_equal(split_vma(vma, X + 2 * P, true), 0);
	assert_int_equal(split_vma(vma, X + 6 * P, false), 0);
	assert_int_equal(mm->nr_vmas, 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(mm->vmas[i]->anon_vma, av);
	assert_int_equal(atomic_read(&av->refcount), 3);
	vma_merge_neighbours(vma);
	mmap_write_unlock(mm);
	assert_int_equal(mm->nr_vmas, 1);
	assert_int_equal(atomic_read(&av->refcount), 1);
	assert_invariants(mm);
	test_mmput(mm);
}

/* ------------------------------------------------------------------ */
/* mprotect (KERNEL-FACTS s7)                                          */
/* ------------------------------------------------------------------ */

/*
 * 16 pages, all written.
 *
 *   mprotect(X+8P, 4P, READ):
 *     [X, X+8P) RW | [X+8P, X+12P) R | [X+12P, X+16P) RW
 *   mprotect(X+8P, 4P, READ|WRITE):
 *     [X ......................... X+16P) RW
 */
static void test_mprotect_middle_splits_and_merges(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	const unsigned long pg = X >> PAGE_SHIFT;
	unsigned long pfn8;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 16 * P, RW);
	for (int i = 0; i < 16; i++)
		touch(mm, X + (uint64_t)i * P, true);
	pfn8 = pte_pfn(pte_at(mm, X + 8 * P));

	assert_int_equal(do_mprotect(mm, X + 8 * P, 4 * P, PROT_READ), 0);
	{
		const struct range want[] = { { X, X + 8 * P, pg }, { X + 8 * P, X + 12 * P, pg + 8 },
					      { X + 12 * P, X + 16 * P, pg + 12 } };

		assert_layout(mm, want, 3);
	}
	assert_false(mm->vmas[1]->vm_flags & VM_WRITE);
	assert_true(mm->vmas[1]->vm_flags & VM_READ);
	assert_true(mm->vmas[0]->vm_flags & VM_WRITE);
	assert_true(mm->vmas[2]->vm_flags & VM_WRITE);
	assert_ptr_equal(mm->vmas[0]->anon_vma, mm->vmas[1]->anon_vma);
	for (int i = 0; i < 16; i++)
		assert_int_equal(pte_write(pte_at(mm, X + (uint64_t)i * P)), i < 8 || i >= 12);
	assert_int_equal(pte_pfn(pte_at(mm, X + 8 * P)), pfn8);
	assert_invariants(mm);

	assert_int_equal(do_mprotect(mm, X + 8 * P, 4 * P, RW), 0);
	{
		const struct range want[] = { { X, X + 16 * P, pg } };

		assert_layout(mm, want, 1);
	}
	/* Exclusive anonymous pages are made writable at once (no fault needed). */
	for (int i = 0; i < 16; i++)
		assert_true(pte_write(pte_at(mm, X + (uint64_t)i * P)));
	assert_int_equal(pte_pfn(pte_at(mm, X + 8 * P)), pfn8);
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * PROT_NONE keeps the frames mapped: present to pagemap, protnone to the
 * MMU (KERNEL-FACTS s7).  The tail of the VMA:
 *
 *   [X, X+12P) RW | [X+12P, X+16P) NONE      then back: [X, X+16P) RW
 */
static void test_mprotect_none_keeps_frames(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	unsigned long pfns[16];

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 16 * P, RW);
	for (int i = 0; i < 16; i++) {
		touch(mm, X + (uint64_t)i * P, true);
		pfns[i] = pte_pfn(pte_at(mm, X + (uint64_t)i * P));
	}
	assert_int_equal(do_mprotect(mm, X + 12 * P, 4 * P, PROT_NONE), 0);
	assert_int_equal(mm->nr_vmas, 2);
	assert_int_equal(mm->vmas[1]->vm_flags & VM_ACCESS_FLAGS, 0);
	for (int i = 12; i < 16; i++) {
		pte_t pte = pte_at(mm, X + (uint64_t)i * P);

		assert_true(pte_present(pte));
		assert_true(pte_protnone(pte));
		assert_int_equal(pte_pfn(pte), pfns[i]);
	}
	assert_false(pte_protnone(pte_at(mm, X + 11 * P)));
	assert_invariants(mm);

	assert_int_equal(do_mprotect(mm, X + 12 * P, 4 * P, RW), 0);
	assert_int_equal(mm->nr_vmas, 1);
	for (int i = 12; i < 16; i++) {
		pte_t pte = pte_at(mm, X + (uint64_t)i * P);

		assert_false(pte_protnone(pte));
		assert_true(pte_write(pte));
		assert_int_equal(pte_pfn(pte), pfns[i]);
	}
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * mprotect of a PMD-mapped THP: the whole PMD changes in place (no split,
 * and back to RW it is writable again at once, being exclusive); a part of
 * it splits the PMD at the VMA edge and changes only the PTEs of the part.
 *
 *   [X ========== THP, RW ========== X+2M)
 *   mprotect R whole:     [X ==== THP, R ==== X+2M)          no split
 *   mprotect RW whole:    [X ==== THP, RW ==== X+2M)         writable PMD
 *   mprotect R X..X+4P:   [X, X+4P) R ptes | [X+4P, X+2M) RW ptes   1 split
 */
static void test_mprotect_thp(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;

	(void)state;
	map_anon(mm, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	touch(mm, X, true);
	walk(mm, X, &leaf);
	assert_int_equal(leaf.level, 2);
	assert_true(pmd_write(__pmd(leaf.entry)));

	assert_int_equal(do_mprotect(mm, X, PMD_SIZE, PROT_READ), 0);
	walk(mm, X, &leaf);
	assert_int_equal(leaf.level, 2);
	assert_false(pmd_write(__pmd(leaf.entry)));
	assert_true(pmd_dirty(__pmd(leaf.entry)));
	assert_int_equal(vm_event(THP_SPLIT_PMD), 0);
	assert_invariants(mm);

	assert_int_equal(do_mprotect(mm, X, PMD_SIZE, RW), 0);
	walk(mm, X, &leaf);
	assert_int_equal(leaf.level, 2);
	assert_true(pmd_write(__pmd(leaf.entry)));
	assert_int_equal(vm_event(THP_SPLIT_PMD), 0);
	assert_invariants(mm);

	assert_int_equal(do_mprotect(mm, X, 4 * P, PROT_READ), 0);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_int_equal(mm->nr_vmas, 2);
	for (int i = 0; i < 8; i++) {
		walk(mm, X + (uint64_t)i * P, &leaf);
		assert_int_equal(leaf.level, 1);
		assert_int_equal(pte_write(__pte(leaf.entry)), i >= 4);
	}
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), HPAGE_PMD_NR);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 0);	/* still fully mapped */
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 *   A [X, X+4P) RW | hole [X+4P, X+8P) | B [X+8P, X+12P) RW
 *
 * A start in the hole, or beyond every VMA: -ENOMEM before anything is
 * touched.  An unaligned start: -EINVAL.
 */
static void test_mprotect_errors(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	map_anon(mm, X, 4 * P, RW);
	map_anon(mm, X + 8 * P, 4 * P, RW);
	assert_int_equal(do_mprotect(mm, X + 4 * P, 8 * P, PROT_READ), -ENOMEM);
	assert_int_equal(do_mprotect(mm, X + 12 * P, P, PROT_READ), -ENOMEM);
	assert_int_equal(do_mprotect(mm, X + 1, P, PROT_READ), -EINVAL);
	assert_int_equal(mm->nr_vmas, 2);
	assert_true(mm->vmas[0]->vm_flags & VM_WRITE);
	assert_true(mm->vmas[1]->vm_flags & VM_WRITE);
	test_mmput(mm);
}

/*
 * mprotect() across a hole changes the VMAs before the hole and then fails
 * (mm/mprotect.c, do_mprotect_pkey(): the loop applies mprotect_fixup() VMA
 * by VMA and stops with -ENOMEM at the first gap):
 *
 *   A [X, X+4P) RW | hole | B [X+8P, X+12P) RW
 *   mprotect(X, 12P, READ) = -ENOMEM:   A is R now, B is still RW
 *
 * Regression (src/mm/mprotect.c, do_mprotect()): the model once checked
 * the whole range first and changed nothing.
 */
static void test_mprotect_over_hole(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	map_anon(mm, X, 4 * P, RW);
	map_anon(mm, X + 8 * P, 4 * P, RW);
	touch(mm, X, true);
	assert_int_equal(do_mprotect(mm, X, 12 * P, PROT_READ), -ENOMEM);
	assert_int_equal(mm->nr_vmas, 2);
	assert_false(mm->vmas[0]->vm_flags & VM_WRITE);
	assert_false(pte_write(pte_at(mm, X)));
	assert_true(mm->vmas[1]->vm_flags & VM_WRITE);
	assert_invariants(mm);
	test_mmput(mm);
}

/* ------------------------------------------------------------------ */
/* madvise(MADV_HUGEPAGE)                                              */
/* ------------------------------------------------------------------ */

/*
 *   [X ............................. X+16P)
 *   MADV_HUGEPAGE X+4P..X+8P:
 *   [X, X+4P) | [X+4P, X+8P) hg | [X+8P, X+16P)
 *   MADV_NOHUGEPAGE X+4P..X+8P:
 *   [X, X+4P) | [X+4P, X+8P) nh | [X+8P, X+16P)
 *   MADV_HUGEPAGE on everything:
 *   [X ............................. X+16P) hg
 */
static void test_madvise_hugepage_on_part(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	const unsigned long pg = X >> PAGE_SHIFT;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 16 * P, RW);
	assert_int_equal(do_madvise(mm, X + 4 * P, 4 * P, MADV_HUGEPAGE), 0);
	{
		const struct range want[] = { { X, X + 4 * P, pg }, { X + 4 * P, X + 8 * P, pg + 4 },
					      { X + 8 * P, X + 16 * P, pg + 8 } };

		assert_layout(mm, want, 3);
	}
	assert_false(mm->vmas[0]->vm_flags & VM_HUGEPAGE);
	assert_true(mm->vmas[1]->vm_flags & VM_HUGEPAGE);
	assert_false(mm->vmas[2]->vm_flags & VM_HUGEPAGE);

	assert_int_equal(do_madvise(mm, X + 4 * P, 4 * P, MADV_NOHUGEPAGE), 0);
	assert_int_equal(mm->nr_vmas, 3);
	assert_false(mm->vmas[1]->vm_flags & VM_HUGEPAGE);
	assert_true(mm->vmas[1]->vm_flags & VM_NOHUGEPAGE);

	assert_int_equal(do_madvise(mm, X, 16 * P, MADV_HUGEPAGE), 0);
	{
		const struct range want[] = { { X, X + 16 * P, pg } };

		assert_layout(mm, want, 1);
	}
	assert_true(mm->vmas[0]->vm_flags & VM_HUGEPAGE);
	assert_false(mm->vmas[0]->vm_flags & VM_NOHUGEPAGE);

	/* Errors: a hole, an unaligned start, an unknown advice. */
	assert_int_equal(do_madvise(mm, X + 8 * P, 16 * P, MADV_HUGEPAGE), -ENOMEM);
	assert_int_equal(do_madvise(mm, X + 1, P, MADV_HUGEPAGE), -EINVAL);
	assert_int_equal(do_madvise(mm, X, P, 12345), -EINVAL);
	assert_int_equal(mm->nr_vmas, 1);
	test_mmput(mm);
}

/*
 * madvise() over a range with a hole: Linux applies the advice to every
 * mapped part and returns -ENOMEM at the end (mm/madvise.c,
 * madvise_walk_vmas(): "If the interval [start,end) covers some unmapped
 * address ranges, just ignore them, but return -ENOMEM at the end").
 *
 *   A [X, X+4P) written | hole [X+4P, X+8P) | B [X+8P, X+12P) written
 *   madvise(X, 12P, MADV_DONTNEED):  -ENOMEM, A and B both zapped (RSS 0)
 *   madvise(X, 12P, MADV_HUGEPAGE):  -ENOMEM, A and B both VM_HUGEPAGE
 *
 * Regression (src/mm/madvise.c, do_madvise()): the model once checked the
 * whole range first and, finding the hole, did nothing at all.
 */
static void test_madvise_over_hole(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	map_anon(mm, X, 4 * P, RW);
	map_anon(mm, X + 8 * P, 4 * P, RW);
	for (int i = 0; i < 12; i++)
		if (i < 4 || i >= 8)
			touch(mm, X + (uint64_t)i * P, true);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 8);

	assert_int_equal(do_madvise(mm, X, 12 * P, MADV_DONTNEED), -ENOMEM);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_invariants(mm);

	assert_int_equal(do_madvise(mm, X, 12 * P, MADV_HUGEPAGE), -ENOMEM);
	assert_int_equal(mm->nr_vmas, 2);
	assert_true(mm->vmas[0]->vm_flags & VM_HUGEPAGE);
	assert_true(mm->vmas[1]->vm_flags & VM_HUGEPAGE);
	test_mmput(mm);
}

/* ------------------------------------------------------------------ */
/* munmap                                                              */
/* ------------------------------------------------------------------ */

/*
 *   [X ............................. X+16P)   all written
 *   munmap(X+4P, 4P):
 *   [X, X+4P) | hole | [X+8P, X+16P)  pgoff + 8
 */
static void test_munmap_middle(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	const unsigned long pg = X >> PAGE_SHIFT;
	struct fl_leaf leaf;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 16 * P, RW);
	for (int i = 0; i < 16; i++)
		touch(mm, X + (uint64_t)i * P, true);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 16);

	assert_int_equal(do_munmap(mm, X + 4 * P, 4 * P), 0);
	{
		const struct range want[] = { { X, X + 4 * P, pg }, { X + 8 * P, X + 16 * P, pg + 8 } };

		assert_layout(mm, want, 2);
	}
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 12);
	for (int i = 4; i < 8; i++) {
		walk(mm, X + (uint64_t)i * P, &leaf);
		assert_int_equal(leaf.level, 0);
		assert_null(vma_lookup(mm, X + (uint64_t)i * P));
	}
	walk(mm, X + 3 * P, &leaf);
	assert_int_equal(leaf.level, 1);
	walk(mm, X + 8 * P, &leaf);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(mm_nr_ptes(mm), 1);		/* still in use on both sides */
	assert_invariants(mm);

	/* Unmapping a hole is fine; bad arguments are not. */
	assert_int_equal(do_munmap(mm, X + 4 * P, 4 * P), 0);
	assert_int_equal(do_munmap(mm, X + 1, P), -EINVAL);
	assert_int_equal(do_munmap(mm, X, 0), -EINVAL);
	assert_int_equal(do_munmap(mm, TASK_SIZE - P, 2 * P), -EINVAL);
	assert_int_equal(mm->nr_vmas, 2);
	test_mmput(mm);
}

/*
 * munmap gives back the page tables no VMA uses any more.
 *
 *   VMA [X, X+4M), written at X (PMD 0) and X+2M+P (PMD 1):
 *       nr_ptes 2, nr_pmds 1, nr_puds 1
 *   munmap [X, X+2M):        PMD 0's table has no VMA over it: nr_ptes 1
 *   munmap [X+2M+P, +P):     the VMA still covers PMD 1:       nr_ptes 1
 *   munmap the rest:         nothing left:  nr_ptes 0, nr_pmds 0, nr_puds 0
 *   mmput:                   tables_allocated == tables_freed
 */
static void test_munmap_frees_page_tables(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	long base_tables;

	(void)state;
	assert_non_null(mm);
	base_tables = atomic_long_read(&machine.tables_allocated) -
		      atomic_long_read(&machine.tables_freed);
	assert_int_equal(base_tables, 1);		/* the PGD */
	map_anon(mm, X, 2 * PMD_SIZE, RW);
	touch(mm, X, true);
	touch(mm, X + PMD_SIZE + P, true);
	assert_int_equal(mm_nr_ptes(mm), 2);
	assert_int_equal(atomic_long_read(&mm->pgt.nr_pmds), 1);
	assert_int_equal(atomic_long_read(&mm->pgt.nr_puds), 1);
	assert_int_equal(atomic_long_read(&machine.tables_allocated) -
			 atomic_long_read(&machine.tables_freed), 1 + 1 + 1 + 2);
	assert_invariants(mm);

	assert_int_equal(do_munmap(mm, X, PMD_SIZE), 0);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 1);
	assert_invariants(mm);

	assert_int_equal(do_munmap(mm, X + PMD_SIZE + P, P), 0);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_invariants(mm);

	assert_int_equal(do_munmap(mm, X + PMD_SIZE, PMD_SIZE), 0);
	assert_int_equal(mm->nr_vmas, 0);
	assert_int_equal(mm_nr_ptes(mm), 0);
	assert_int_equal(atomic_long_read(&mm->pgt.nr_pmds), 0);
	assert_int_equal(atomic_long_read(&mm->pgt.nr_puds), 0);
	assert_int_equal(atomic_long_read(&machine.tables_allocated) -
			 atomic_long_read(&machine.tables_freed), 1);
	assert_invariants(mm);
	test_mmput(mm);
	assert_int_equal(atomic_long_read(&machine.tables_allocated),
			 atomic_long_read(&machine.tables_freed));
}

/*
 * Two VMAs share one PTE table: unmapping one keeps the table (and the
 * other's entries) until the second goes too.
 *
 *   [X, X+8P) RW, written | [X+16P, X+24P) R, read (zero page)
 */
static void test_munmap_keeps_shared_table(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 8 * P, RW);
	map_anon(mm, X + 16 * P, 8 * P, PROT_READ);
	touch(mm, X, true);
	touch(mm, X + 16 * P, false);
	assert_int_equal(mm_nr_ptes(mm), 1);

	assert_int_equal(do_munmap(mm, X, 8 * P), 0);
	assert_int_equal(mm_nr_ptes(mm), 1);
	walk(mm, X + 16 * P, &leaf);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, machine.zero_pfn);
	assert_invariants(mm);

	assert_int_equal(do_munmap(mm, X + 16 * P, 8 * P), 0);
	assert_int_equal(mm_nr_ptes(mm), 0);
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * munmap of one page of a PMD-mapped THP: the edges split the VMA and the
 * huge PMD (THP_SPLIT_PMD), the deposited table becomes the PTE table (so
 * nr_ptes stays 1), the unmapped page makes the THP partially mapped.
 *
 *   [X ========== THP ========== X+2M)
 *   munmap(X+3P, P):
 *   [X, X+3P) ptes | hole | [X+4P, X+2M) ptes      MM_ANONPAGES 511
 */
static void test_munmap_part_of_thp(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct fl_leaf leaf;
	struct folio *thp;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	touch(mm, X, true);
	walk(mm, X, &leaf);
	assert_int_equal(leaf.level, 2);
	thp = page_folio(pfn_to_page(leaf.pfn));
	assert_int_equal(mm_nr_ptes(mm), 1);		/* the deposit */
	assert_int_equal(vm_event(THP_SPLIT_PMD), 0);

	assert_int_equal(do_munmap(mm, X + 3 * P, P), 0);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 1);
	assert_int_equal(vm_event(THP_DEFERRED_SPLIT_PAGE), 1);
	assert_int_equal(mm->nr_vmas, 2);
	assert_int_equal(mm_nr_ptes(mm), 1);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), HPAGE_PMD_NR - 1);
	walk(mm, X + 3 * P, &leaf);
	assert_int_equal(leaf.level, 0);
	walk(mm, X + 4 * P, &leaf);
	assert_int_equal(leaf.level, 1);
	assert_int_equal(leaf.pfn, folio_pfn(thp) + 4);
	assert_int_equal(folio_ref_count(thp), HPAGE_PMD_NR - 1);
	assert_int_equal(folio_entire_mapcount(thp), 0);
	assert_invariants(mm);
	test_mmput(mm);
}

/* A PMD-mapped THP unmapped whole: no split, the deposit goes with it. */
static void test_munmap_whole_thp(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, PMD_SIZE, RW);
	assert_int_equal(do_madvise(mm, X, PMD_SIZE, MADV_HUGEPAGE), 0);
	touch(mm, X + 7 * P, true);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), HPAGE_PMD_NR);
	assert_int_equal(do_munmap(mm, X, PMD_SIZE), 0);
	assert_int_equal(vm_event(THP_SPLIT_PMD), 0);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 0);
	assert_int_equal(mm_nr_ptes(mm), 0);
	assert_int_equal(atomic_long_read(&machine.folios_allocated),
			 atomic_long_read(&machine.folios_freed));
	assert_invariants(mm);
	test_mmput(mm);
}

/* ------------------------------------------------------------------ */
/* anon_vma and merge compatibility                                    */
/* ------------------------------------------------------------------ */

/*
 * A neighbour without an anon_vma merges with one that has it, and the
 * merged VMA keeps that anon_vma:
 *
 *   [X, X+4P) RW, written (anon_vma a) | [X+4P, X+8P) R, none
 *   mprotect(X+4P, 4P, RW):   [X, X+8P) anon_vma a
 */
static void test_merge_with_unset_anon_vma(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct anon_vma *a;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 4 * P, RW);
	touch(mm, X, true);
	map_anon(mm, X + 4 * P, 4 * P, PROT_READ);
	assert_int_equal(mm->nr_vmas, 2);
	a = mm->vmas[0]->anon_vma;
	assert_non_null(a);
	assert_null(mm->vmas[1]->anon_vma);

	assert_int_equal(do_mprotect(mm, X + 4 * P, 4 * P, RW), 0);
	assert_int_equal(mm->nr_vmas, 1);
	assert_ptr_equal(mm->vmas[0]->anon_vma, a);
	assert_int_equal(atomic_read(&a->refcount), 1);
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * Two different anon_vmas never merge, even when everything else agrees.
 * B is written while its flags differ from A's in more than the access
 * bits (VM_HUGEPAGE), so A cannot share B's anon_vma (in Linux neither:
 * anon_vma_compatible() ignores only VM_READ/WRITE/EXEC and softdirty):
 *
 *   A [X, X+4P) RW, written: anon_vma a | B [X+4P, X+8P) RW hg, written: anon_vma b
 *   MADV_HUGEPAGE on A: the flags now agree, pgoff continues, but a != b:
 *   still [X, X+4P) a | [X+4P, X+8P) b
 */
static void test_different_anon_vmas_never_merge(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	const unsigned long pg = X >> PAGE_SHIFT;

	(void)state;
	map_anon(mm, X + 4 * P, 4 * P, RW);
	assert_int_equal(do_madvise(mm, X + 4 * P, 4 * P, MADV_HUGEPAGE), 0);
	touch(mm, X + 4 * P, true);
	map_anon(mm, X, 4 * P, RW);
	assert_int_equal(mm->nr_vmas, 2);
	touch(mm, X, true);
	assert_non_null(mm->vmas[0]->anon_vma);
	assert_non_null(mm->vmas[1]->anon_vma);
	assert_ptr_not_equal(mm->vmas[0]->anon_vma, mm->vmas[1]->anon_vma);

	assert_int_equal(do_madvise(mm, X, 4 * P, MADV_HUGEPAGE), 0);
	assert_int_equal(mm->vmas[0]->vm_flags, mm->vmas[1]->vm_flags);
	{
		const struct range want[] = { { X, X + 4 * P, pg }, { X + 4 * P, X + 8 * P, pg + 4 } };

		assert_layout(mm, want, 2);
	}
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * The three-way case of mm/vma.c (can_vma_merge_right()):
 *
 *   A [X, X+4P) RW, anon_vma a1 | C [X+4P, X+8P) R, none | B [X+8P, X+12P) RW, anon_vma a2
 *
 * mprotect(C, RW): C alone could merge with A or with B, but A and B have
 * different anon_vmas and can never merge with each other, so all three
 * cannot become one.  Linux then merges C with the VMA on its left:
 *
 *   [X, X+8P) a1 | [X+8P, X+12P) a2
 *
 * and the two results stay apart although flags and pgoff agree.
 *
 * Regression (src/mm/vma.c, vma_merge_neighbours(), found by this test):
 * the model tried the next VMA first and gave [X, X+4P) a1 | [X+4P, X+12P)
 * a2, a layout smaps would show and Linux never produces.
 */
static void test_merge_prefers_left_when_neighbours_conflict(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct anon_vma *a1, *a2;
	const unsigned long pg = X >> PAGE_SHIFT;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X, 4 * P, RW);
	touch(mm, X, true);
	map_anon(mm, X + 8 * P, 4 * P, RW);
	touch(mm, X + 8 * P, true);
	map_anon(mm, X + 4 * P, 4 * P, PROT_READ);
	assert_int_equal(mm->nr_vmas, 3);
	a1 = mm->vmas[0]->anon_vma;
	a2 = mm->vmas[2]->anon_vma;
	assert_non_null(a1);
	assert_non_null(a2);
	assert_ptr_not_equal(a1, a2);

	assert_int_equal(do_mprotect(mm, X + 4 * P, 4 * P, RW), 0);
	{
		const struct range want[] = { { X, X + 8 * P, pg }, { X + 8 * P, X + 12 * P, pg + 8 } };

		assert_layout(mm, want, 2);
	}
	assert_ptr_equal(mm->vmas[0]->anon_vma, a1);
	assert_ptr_equal(mm->vmas[1]->anon_vma, a2);
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * anon_vma reuse (Linux's find_mergeable_anon_vma(), called from
 * anon_vma_prepare() on the first write fault): a VMA whose neighbour is
 * adjacent, differs from it only in VM_READ/VM_WRITE/VM_EXEC and continues
 * its pgoff takes that neighbour's anon_vma instead of a new one, so that
 * the two can merge later.
 *
 *   B [X+4P, X+8P): mapped RW, written (anon_vma b), then mprotect R
 *   A [X, X+4P):    mapped RW below it, then written: A takes b
 *   mprotect(B, RW): [X, X+8P) anon_vma b            (one VMA, as in Linux)
 *
 * Regression (src/mm/vma.c, anon_vma_prepare(), found by this test): the
 * model always allocated a new anon_vma, so A got its own, the final
 * mprotect could not merge, and smaps showed two VMAs where Linux shows
 * one: an anon_vma is observable through VMA merging, not only fork.
 */
static void test_anon_vma_reused_from_neighbour(void **state)
{
	struct mm_struct *mm = test_mm_alloc();
	struct anon_vma *b;

	(void)state;
	assert_non_null(mm);
	map_anon(mm, X + 4 * P, 4 * P, RW);
	touch(mm, X + 4 * P, true);
	b = mm->vmas[0]->anon_vma;
	assert_non_null(b);
	assert_int_equal(do_mprotect(mm, X + 4 * P, 4 * P, PROT_READ), 0);
	map_anon(mm, X, 4 * P, RW);
	assert_int_equal(mm->nr_vmas, 2);		/* flags differ: no merge */
	touch(mm, X, true);

	assert_int_equal(do_mprotect(mm, X + 4 * P, 4 * P, RW), 0);
	assert_int_equal(mm->nr_vmas, 1);		/* what smaps shows */
	assert_ptr_equal(mm->vmas[0]->anon_vma, b);
	assert_int_equal(get_mm_counter(mm, MM_ANONPAGES), 2);
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * VM_ACCOUNT takes part in merging (mm/mprotect.c, mprotect_fixup()): a
 * private writable mapping is charged (VM_ACCOUNT) and keeps the charge
 * when made read-only once it has an anon_vma; only a never-written one
 * gives it back.  A read-only mapping that never was writable has none.
 *
 *   A [X, X+4P) RW, written | B [X+4P, X+8P) R
 *   mprotect(A, READ):  A = R + VM_ACCOUNT, B = R: flags differ, 2 VMAs
 *   C [X+16P, X+20P) RW, never written | D [X+20P, X+24P) R
 *   mprotect(C, READ):  C drops VM_ACCOUNT: one VMA [X+16P, X+24P)
 *
 * Regression (src/mm/mmap.c calc_vm_flags(), src/mm/mprotect.c
 * mprotect_fixup()): the model once never set VM_ACCOUNT, so A and B merged
 * into one VMA where Linux's smaps shows two.
 */
static void test_vm_account_and_merge(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	map_anon(mm, X, 4 * P, RW);
	touch(mm, X, true);
	map_anon(mm, X + 4 * P, 4 * P, PROT_READ);
	map_anon(mm, X + 16 * P, 4 * P, RW);
	map_anon(mm, X + 20 * P, 4 * P, PROT_READ);
	assert_int_equal(mm->nr_vmas, 4);

	assert_int_equal(do_mprotect(mm, X + 16 * P, 4 * P, PROT_READ), 0);
	assert_int_equal(mm->nr_vmas, 3);
	assert_int_equal(mm->vmas[2]->vm_start, X + 16 * P);
	assert_int_equal(mm->vmas[2]->vm_end, X + 24 * P);

	assert_int_equal(do_mprotect(mm, X, 4 * P, PROT_READ), 0);
	{
		const struct range want[] = {
			{ X, X + 4 * P, ANY_PGOFF }, { X + 4 * P, X + 8 * P, ANY_PGOFF },
			{ X + 16 * P, X + 24 * P, ANY_PGOFF },
		};

		assert_layout(mm, want, 3);
	}
	assert_invariants(mm);
	test_mmput(mm);
}

/*
 * File-backed neighbours merge only when they map the same file with the
 * same ops and name, and the second continues the first's file offset.
 *
 *   [X, X+4P) a@0 | [X+4P, X+8P) a@4        -> one VMA, pgoff 0
 *   [X+8P, X+12P) a@100                     -> apart (offset jumps)
 *   [X+12P, X+16P) b@104                    -> apart (other file)
 *   [X+16P, X+20P) b@108 "named"            -> apart (other name)
 */
static void test_file_vma_merge_rules(void **state)
{
	struct mm_struct *mm = test_mm_alloc();

	(void)state;
	assert_non_null(mm);
	map_file(mm, X, 4 * P, &file_a, 0, NULL);
	map_file(mm, X + 4 * P, 4 * P, &file_a, 4, NULL);
	map_file(mm, X + 8 * P, 4 * P, &file_a, 100, NULL);
	map_file(mm, X + 12 * P, 4 * P, &file_b, 104, NULL);
	map_file(mm, X + 16 * P, 4 * P, &file_b, 108, "named");
	{
		const struct range want[] = {
			{ X, X + 8 * P, 0 }, { X + 8 * P, X + 12 * P, 100 },
			{ X + 12 * P, X + 16 * P, 104 }, { X + 16 * P, X + 20 * P, 108 },
		};

		assert_layout(mm, want, 4);
	}
	assert_false(vma_is_anonymous(mm->vmas[0]));
	test_mmput(mm);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, machine_up, machine_down)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mmap_placement_and_flags),
		T(test_mmap_fixed_and_errors),
		T(test_mmap_beyond_task_size),
		T(test_find_vma_and_vma_lookup),
		T(test_split_vma),
		T(test_split_vma_shares_anon_vma),
		T(test_mprotect_middle_splits_and_merges),
		T(test_mprotect_none_keeps_frames),
		T(test_mprotect_thp),
		T(test_mprotect_errors),
		T(test_mprotect_over_hole),
		T(test_madvise_hugepage_on_part),
		T(test_madvise_over_hole),
		T(test_munmap_middle),
		T(test_munmap_frees_page_tables),
		T(test_munmap_keeps_shared_table),
		T(test_munmap_part_of_thp),
		T(test_munmap_whole_thp),
		T(test_merge_with_unset_anon_vma),
		T(test_different_anon_vmas_never_merge),
		T(test_merge_prefers_left_when_neighbours_conflict),
		T(test_anon_vma_reused_from_neighbour),
		T(test_vm_account_and_merge),
		T(test_file_vma_merge_rules),
	};

	return cmocka_run_group_tests_name("vma", tests, NULL, NULL);
}
