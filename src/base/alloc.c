// SPDX-License-Identifier: GPL-2.0-only
/*
 * alloc.c - counters behind the accounted allocator of alloc.h.
 *
 * The counters are src/sync/ atomics, so several threads may allocate.
 */
#include <stdlib.h>

#include "base/alloc.h"
#include "sync/atomic.h"

static atomic_long_t live[FL_NR_ALLOC_TYPES];

static const char *const names[FL_NR_ALLOC_TYPES] = {
	[FL_ALLOC_MM] = "mm_struct",
	[FL_ALLOC_VMA] = "vm_area_struct",
	[FL_ALLOC_VMA_TREE] = "vma tree",
	[FL_ALLOC_ANON_VMA] = "anon_vma",
	[FL_ALLOC_FILE] = "file",
	[FL_ALLOC_DAXFS] = "daxfs",
	[FL_ALLOC_DAX_FILE] = "dax file",
	[FL_ALLOC_DAX_EXTENT] = "dax file block map",
	[FL_ALLOC_DAX_ENTRY] = "dax entry tree",
	[FL_ALLOC_OTHER] = "other",
};

void *fl_zalloc(enum fl_alloc_type type, size_t size)
{
	void *p = calloc(1, size);

	if (p)
		atomic_long_inc(&live[type]);
	return p;
}

void *fl_realloc(enum fl_alloc_type type, void *p, size_t old_size, size_t new_size)
{
	void *n = realloc(p, new_size);

	(void)old_size;
	if (n && !p)
		atomic_long_inc(&live[type]);
	return n;
}

void fl_free(enum fl_alloc_type type, void *p)
{
	if (!p)
		return;
	atomic_long_dec(&live[type]);
	free(p);
}

long fl_alloc_live(enum fl_alloc_type type)
{
	return atomic_long_read(&live[type]);
}

const char *fl_alloc_name(enum fl_alloc_type type)
{
	return names[type];
}
