// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmem.c - the page cache of shared memory files (see shmem.h).
 *
 * MODEL: no swap, no huge pages (shmem_enabled=never, Linux's default), no
 * xarray: the cache is a flat array sized by the file, which is what a
 * scenario's mapping needs.  A folio allocated by a fault is uptodate and
 * clean (KERNEL-FACTS s10b: MMAP,SWAPBACKED,UPTODATE, not DIRTY); the fault
 * that writes it marks it dirty.
 */
#include <stdlib.h>

#include "base/alloc.h"
#include "fs/shmem.h"

struct shmem_file *shmem_file_create(uint64_t size)
{
	struct shmem_file *f = fl_zalloc(FL_ALLOC_FILE, sizeof(*f));

	if (!f)
		return NULL;
	f->nr_pages = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	f->cache = fl_zalloc(FL_ALLOC_FILE, f->nr_pages * sizeof(*f->cache) + 1);
	if (!f->cache) {
		fl_free(FL_ALLOC_FILE, f);
		return NULL;
	}
	atomic_set(&f->refcount, 1);
	spin_lock_init(&f->lock);
	return f;
}

void shmem_file_get(struct shmem_file *f)
{
	atomic_inc(&f->refcount);
}

/* Last reference gone: truncate the whole cache (shmem_evict_inode()). */
void shmem_file_put(struct shmem_file *f)
{
	if (!atomic_dec_and_test(&f->refcount))
		return;
	for (unsigned long i = 0; i < f->nr_pages; i++) {
		if (!f->cache[i])
			continue;
		f->cache[i]->page.mapping = NULL;
		folio_put(f->cache[i]);
	}
	fl_free(FL_ALLOC_FILE, f->cache);
	fl_free(FL_ALLOC_FILE, f);
}

struct folio *shmem_lookup(struct shmem_file *f, unsigned long index)
{
	struct folio *folio = NULL;

	if (index >= f->nr_pages)
		return NULL;
	spin_lock(&f->lock);
	folio = f->cache[index];
	if (folio)
		folio_get(folio);
	spin_unlock(&f->lock);
	return folio;
}

struct folio *shmem_get_folio(struct shmem_file *f, unsigned long index, int *sigbus)
{
	struct folio *folio, *new;

	*sigbus = index >= f->nr_pages;
	if (*sigbus)
		return NULL;
	folio = shmem_lookup(f, index);
	if (folio)
		return folio;
	new = folio_alloc(__GFP_ZERO, 0);
	if (!new)
		return NULL;
	set_page_flag(&new->page, PG_swapbacked);
	set_page_flag(&new->page, PG_uptodate);
	new->page.mapping = f;
	new->page.index = index;
	spin_lock(&f->lock);
	folio = f->cache[index];
	if (!folio) {
		f->cache[index] = new;	/* the cache's reference */
		folio = new;
		new = NULL;
	}
	folio_get(folio);		/* the caller's */
	spin_unlock(&f->lock);
	if (new)
		folio_put(new);
	return folio;
}
