/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * shmem.h - shared memory files: the backing of MAP_SHARED|MAP_ANONYMOUS
 * and of MAP_SHARED mappings of /dev/zero (shmem_zero_setup()).
 *
 * A shmem file is a page cache and nothing else: an array from page index
 * to folio, filled on first access with a zeroed, uptodate, swap-backed
 * folio.  The page cache holds one reference on each folio; the file is
 * freed, and its folios with it, when the last VMA using it goes away.
 *
 * This layer knows folios and nothing about page tables: the fault side
 * (src/mm/filemap.c) looks folios up here and maps them.
 */
#ifndef FL_FS_SHMEM_H
#define FL_FS_SHMEM_H

#include <stdint.h>

#include "phys/phys.h"

struct shmem_file {
	atomic_t refcount;
	unsigned long nr_pages;
	struct folio **cache;		/* index -> folio, NULL = hole */
	spinlock_t lock;
};

struct shmem_file *shmem_file_create(uint64_t size);
void shmem_file_get(struct shmem_file *f);
void shmem_file_put(struct shmem_file *f);

/* The cached folio at @index, with a reference for the caller, or NULL. */
struct folio *shmem_lookup(struct shmem_file *f, unsigned long index);
/*
 * The folio at @index, allocated (zeroed, not dirty) if it was a hole, with
 * a reference for the caller.  NULL past EOF (*sigbus set) or out of memory.
 */
struct folio *shmem_get_folio(struct shmem_file *f, unsigned long index, int *sigbus);

#endif /* FL_FS_SHMEM_H */
