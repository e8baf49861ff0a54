// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm.c - the life of an address space: mm_alloc(), exit_mmap(), check_mm().
 *
 * Teardown is Linux's order: zap every VMA, remove them, free every table,
 * drop the mm's huge zero folio reference (R39, Q12), then check_mm(): an
 * RSS counter or nr_ptes that is not back to zero is reported in the
 * kernel's words ("Bad rss-counter state", "non-zero nr_ptes on freeing
 * mm") and stops the scenario with exit status 3.
 */
#include <stdio.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "mm/mm.h"

static int next_mm_id;

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = fl_zalloc(FL_ALLOC_MM, sizeof(*mm));

	if (!mm)
		return NULL;
	if (pgtables_init(&mm->pgt)) {
		fl_free(FL_ALLOC_MM, mm);
		return NULL;
	}
	init_rwsem(&mm->mmap_lock);
	mm->mmap_base = 0x7f0000000000ull;
	mm->id = next_mm_id++;
	return mm;
}

static const char *const resident_page_types[NR_MM_COUNTERS] = {
	"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES",
};

static void check_mm(struct mm_struct *mm)
{
	for (int i = 0; i < NR_MM_COUNTERS; i++) {
		long x = get_mm_counter(mm, i);

		if (x) {
			count_vm_event(BAD_RSS_COUNTER);
			fl_report_bug("Bad rss-counter state",
				      "BUG: Bad rss-counter state mm%d type:%s val:%ld",
				      mm->id, resident_page_types[i], x);
		}
	}
	if (atomic_long_read(&mm->pgt.nr_ptes))
		fl_report_bug("non-zero nr_ptes on freeing mm",
			      "non-zero nr_ptes on freeing mm%d: %ld", mm->id,
			      atomic_long_read(&mm->pgt.nr_ptes));
	if (atomic_long_read(&mm->pgt.nr_pmds) || atomic_long_read(&mm->pgt.nr_puds))
		fl_report_bug("non-zero nr_pmds on freeing mm",
			      "non-zero nr_pmds/nr_puds on freeing mm%d: %ld/%ld", mm->id,
			      atomic_long_read(&mm->pgt.nr_pmds), atomic_long_read(&mm->pgt.nr_puds));
}

static void exit_mmap(struct mm_struct *mm)
{
	mmap_write_lock(mm);
	for (int i = 0; i < mm->nr_vmas; i++)
		unmap_page_range(mm->vmas[i], mm->vmas[i]->vm_start, mm->vmas[i]->vm_end);
	while (mm->nr_vmas) {
		struct vm_area_struct *vma = mm->vmas[mm->nr_vmas - 1];

		vma_remove(mm, vma);
		vm_area_free(vma);
	}
	free_pgtables(mm, 0, TASK_SIZE);
	mm_put_huge_zero_folio(mm);
	mmap_write_unlock(mm);
}

void mmput(struct mm_struct *mm)
{
	if (!mm)
		return;
	exit_mmap(mm);
	check_mm(mm);
	pgtables_free_pgd(&mm->pgt);
	fl_free(FL_ALLOC_VMA_TREE, mm->vmas);
	rwsem_destroy(&mm->mmap_lock);
	fl_free(FL_ALLOC_MM, mm);
}
