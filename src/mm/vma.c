// SPDX-License-Identifier: GPL-2.0-only
/*
 * vma.c - the VMA tree of an mm, VMA split and merge, page protections.
 *
 * MODEL: Linux keeps VMAs in a maple tree; here they are a sorted array of
 * pointers with binary search.  find_vma() has the same contract (the first
 * VMA whose end is above the address), and scenario address spaces hold a
 * handful of VMAs, so the difference is invisible except in speed.
 *
 * Split and merge follow mm/vma.c's rules that scenarios can observe
 * (KERNEL-FACTS s7: mprotect splits a VMA in three and mprotect back merges
 * them): two adjacent VMAs merge when their flags, backing, file offset
 * and anon_vma are compatible.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "mm/mm.h"

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = fl_zalloc(FL_ALLOC_VMA, sizeof(*vma));

	if (vma)
		vma->vm_mm = mm;
	return vma;
}

struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = fl_zalloc(FL_ALLOC_VMA, sizeof(*vma));

	if (!vma)
		return NULL;
	*vma = *orig;
	if (vma->anon_vma)
		atomic_inc(&vma->anon_vma->refcount);
	if (vma->vm_ops && vma->vm_ops->open)
		vma->vm_ops->open(vma);
	return vma;
}

void put_anon_vma(struct anon_vma *av)
{
	if (av && atomic_dec_and_test(&av->refcount))
		fl_free(FL_ALLOC_ANON_VMA, av);
}

void vm_area_free(struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(vma);
	put_anon_vma(vma->anon_vma);
	fl_free(FL_ALLOC_VMA, vma);
}

/*
 * anon_vma_compatible(): @a lies directly below @b and they differ at most in
 * their access flags, so they could merge once the flags agree again.
 */
static bool anon_vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file && a->vm_ops == b->vm_ops &&
	       !((a->vm_flags ^ b->vm_flags) & ~VM_ACCESS_FLAGS) &&
	       b->vm_pgoff == a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT);
}

/* A neighbour's anon_vma we may share: not one inherited across fork. */
static struct anon_vma *reusable_anon_vma(const struct vm_area_struct *old,
					  const struct vm_area_struct *a,
					  const struct vm_area_struct *b)
{
	if (old->anon_vma && !old->anon_vma_forked && anon_vma_compatible(a, b))
		return old->anon_vma;
	return NULL;
}

/* find_mergeable_anon_vma(): the next VMA first, then the previous one. */
static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	int i = vma_index(mm, vma);
	struct anon_vma *av = NULL;

	if (i < 0)
		return NULL;
	if (i + 1 < mm->nr_vmas)
		av = reusable_anon_vma(mm->vmas[i + 1], vma, mm->vmas[i + 1]);
	if (!av && i > 0)
		av = reusable_anon_vma(mm->vmas[i - 1], mm->vmas[i - 1], vma);
	return av;
}

/*
 * MODEL: faultline does no reverse mapping of anonymous memory, so an
 * anon_vma is only an identity with a refcount: what matters is whether a
 * VMA has one (fork copies its page tables, vma_needs_copy()) and whether two
 * VMAs share one (they may merge).
 */
int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct anon_vma *av;

	if (vma->anon_vma)
		return 0;
	av = find_mergeable_anon_vma(vma);
	if (av) {
		atomic_inc(&av->refcount);
		vma->anon_vma = av;
		return 0;
	}
	av = fl_zalloc(FL_ALLOC_ANON_VMA, sizeof(*av));
	if (!av)
		return -ENOMEM;
	atomic_set(&av->refcount, 1);
	vma->anon_vma = av;
	return 0;
}

/* Index of the first VMA with vm_end > addr (nr_vmas if none). */
static int vma_search(struct mm_struct *mm, uint64_t addr)
{
	int lo = 0, hi = mm->nr_vmas;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (mm->vmas[mid]->vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct vm_area_struct *find_vma(struct mm_struct *mm, uint64_t addr)
{
	int i = vma_search(mm, addr);

	return i < mm->nr_vmas ? mm->vmas[i] : NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, uint64_t addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

int vma_index(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int i = vma_search(mm, vma->vm_start);

	return i < mm->nr_vmas && mm->vmas[i] == vma ? i : -1;
}

int vma_insert(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int i;

	if (mm->nr_vmas == mm->cap_vmas) {
		int cap = mm->cap_vmas ? mm->cap_vmas * 2 : 16;
		struct vm_area_struct **v = fl_realloc(FL_ALLOC_VMA_TREE, mm->vmas,
						       sizeof(*v) * (size_t)mm->cap_vmas,
						       sizeof(*v) * (size_t)cap);

		if (!v)
			return -ENOMEM;
		mm->vmas = v;
		mm->cap_vmas = cap;
	}
	i = vma_search(mm, vma->vm_start);
	memmove(&mm->vmas[i + 1], &mm->vmas[i], sizeof(*mm->vmas) * (size_t)(mm->nr_vmas - i));
	mm->vmas[i] = vma;
	mm->nr_vmas++;
	vma->vm_mm = mm;
	return 0;
}

void vma_remove(struct mm_struct *mm, struct vm_area_struct *vma)
{
	int i = vma_index(mm, vma);

	if (i < 0)
		return;
	memmove(&mm->vmas[i], &mm->vmas[i + 1], sizeof(*mm->vmas) * (size_t)(mm->nr_vmas - i - 1));
	mm->nr_vmas--;
}

/*
 * Split @vma at @addr.  The original keeps one side and a new VMA takes the
 * other, both in the tree.  Precondition: mmap_lock held for write; @addr is
 * page aligned and strictly inside the VMA.  Huge PMDs straddling @addr
 * must already have been split by the caller (vma_adjust_trans_huge()).
 */
int split_vma(struct vm_area_struct *vma, uint64_t addr, bool new_below)
{
	struct vm_area_struct *new = vm_area_dup(vma);

	mmap_assert_write_locked(vma->vm_mm);
	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
		vma->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_start = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma->vm_end = addr;
	}
	if (vma_insert(vma->vm_mm, new)) {
		/* undo: the tree could not grow */
		if (new_below) {
			vma->vm_start = new->vm_start;
			vma->vm_pgoff = new->vm_pgoff;
		} else {
			vma->vm_end = new->vm_end;
		}
		vm_area_free(new);
		return -ENOMEM;
	}
	return 0;
}

static bool can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	if (a->vm_end != b->vm_start || a->vm_flags != b->vm_flags ||
	    a->vm_ops != b->vm_ops || a->vm_file != b->vm_file || a->name != b->name)
		return false;
	if (a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) != b->vm_pgoff)
		return false;
	/*
	 * is_mergeable_anon_vma(): one side without an anon_vma may join the
	 * other, unless that one's anon_vma reaches a parent's (a fork child).
	 */
	if (!a->anon_vma != !b->anon_vma)
		return !(a->anon_vma ? a->anon_vma_forked : b->anon_vma_forked);
	return a->anon_vma == b->anon_vma;
}

/* Absorb @next into @prev, which lies directly below it. */
static void merge_into(struct mm_struct *mm, struct vm_area_struct *prev,
		       struct vm_area_struct *next)
{
	/* Remove first: the tree is searched by address, and prev is about to cover next. */
	vma_remove(mm, next);
	prev->vm_end = next->vm_end;
	if (!prev->anon_vma && next->anon_vma) {
		prev->anon_vma = next->anon_vma;
		prev->anon_vma_forked = next->anon_vma_forked;
		next->anon_vma = NULL;
	}
	vm_area_free(next);
}

struct vm_area_struct *vma_merge_neighbours(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	int i = vma_index(mm, vma);

	mmap_assert_write_locked(mm);
	if (i < 0)
		return vma;
	/* Left first: when both neighbours fit but not each other, Linux keeps prev. */
	if (i > 0 && can_merge(mm->vmas[i - 1], vma)) {
		struct vm_area_struct *prev = mm->vmas[i - 1];

		merge_into(mm, prev, vma);
		vma = prev;
		i--;
	}
	if (i + 1 < mm->nr_vmas && can_merge(vma, mm->vmas[i + 1]))
		merge_into(mm, vma, mm->vmas[i + 1]);
	return vma;
}

pgprot_t vm_get_page_prot(unsigned long vm_flags)
{
	bool shared = vm_flags & VM_SHARED;

	if (!(vm_flags & (VM_READ | VM_WRITE | VM_EXEC)))
		return PAGE_NONE;
	if (vm_flags & VM_WRITE)
		return shared ? PAGE_SHARED : PAGE_COPY;
	return PAGE_READONLY;
}

/*
 * A mapping that wants write-notify gets read-only PTEs even when it is
 * writable, so the first write to each page faults (mmap and mprotect
 * alike, as Linux's vma_set_page_prot() does).
 */
void vma_set_page_prot(struct vm_area_struct *vma)
{
	unsigned long flags = vma->vm_flags;

	if (vma_wants_writenotify(vma))
		flags &= ~VM_SHARED;
	vma->vm_page_prot = vm_get_page_prot(flags);
}
