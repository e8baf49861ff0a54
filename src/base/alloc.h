/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * alloc.h - accounted allocation of the model's own objects.
 *
 * Every host allocation that models a kernel object (an mm, a VMA, an
 * anon_vma, later DAX entries and files) goes through these calls with its
 * type, so that after every scenario src/check/ can prove that tearing
 * everything down left nothing behind: the count of live objects of each
 * type must be back to zero.  Frames and page tables are accounted by the
 * buddy allocator instead.
 */
#ifndef FL_BASE_ALLOC_H
#define FL_BASE_ALLOC_H

#include <stddef.h>

enum fl_alloc_type {
	FL_ALLOC_MM,
	FL_ALLOC_VMA,
	FL_ALLOC_VMA_TREE,
	FL_ALLOC_ANON_VMA,
	FL_ALLOC_FILE,
	FL_ALLOC_DAXFS,		/* the DAX filesystem: superblock, block share counts */
	FL_ALLOC_DAX_FILE,	/* a DAX file (inode) */
	FL_ALLOC_DAX_EXTENT,	/* a DAX file's block map (its extents) */
	FL_ALLOC_DAX_ENTRY,	/* a file's DAX mapping entries (the i_pages tree) */
	FL_ALLOC_OTHER,
	FL_NR_ALLOC_TYPES
};

void *fl_zalloc(enum fl_alloc_type type, size_t size);
void *fl_realloc(enum fl_alloc_type type, void *p, size_t old_size, size_t new_size);
void fl_free(enum fl_alloc_type type, void *p);

/* Live objects of @type (allocations minus frees, realloc counts once). */
long fl_alloc_live(enum fl_alloc_type type);
const char *fl_alloc_name(enum fl_alloc_type type);

#endif /* FL_BASE_ALLOC_H */
