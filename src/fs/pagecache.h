/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pagecache.h - regular files that are not DAX: `file NAME fs=pagecache`
 * (a disk filesystem such as ext4) and `file NAME fs=tmpfs`.
 *
 * A file is an inode size, a page cache (index -> folio, the cache holding
 * one reference on each folio) and, for fs=pagecache, a backing store of
 * one block per page (NULL is a hole) that the cache is filled from and
 * written back to.  A tmpfs file has no backing store: its folios are the
 * data, swap-backed and always dirty once written (KERNEL-FACTS s5).
 *
 * This layer knows folios and bytes, never page tables: truncating the
 * mappings of a file is src/mm/truncate.c's job, which calls down here to
 * drop the cache once the PTEs are gone.
 */
#ifndef FL_FS_PAGECACHE_H
#define FL_FS_PAGECACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "phys/phys.h"

enum fl_file_kind { FL_FILE_PAGECACHE, FL_FILE_TMPFS };

struct fl_file {
	atomic_t refcount;		/* the scenario's + one per VMA */
	enum fl_file_kind kind;
	uint64_t size;			/* i_size */
	unsigned long nr_slots;		/* capacity of cache[] and disk[] */
	struct folio **cache;		/* index -> folio; NULL = not cached */
	uint8_t **disk;			/* fs=pagecache: index -> block; NULL = hole */
	spinlock_t lock;
};

struct fl_file *fl_file_create(enum fl_file_kind kind, uint64_t size);
void fl_file_get(struct fl_file *f);
void fl_file_put(struct fl_file *f);

static inline unsigned long fl_file_nr_pages(const struct fl_file *f)
{
	return (unsigned long)((f->size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* filemap_get_folio(): the cached folio at @index with a reference, or NULL. */
struct folio *filemap_get_folio(struct fl_file *f, unsigned long index);
/*
 * Read @index into the cache if it is not there (a hole reads as zeroes)
 * and return it with a reference; NULL when out of memory.  *major is set
 * when I/O was needed (the folio was not cached).
 */
struct folio *filemap_read_folio(struct fl_file *f, unsigned long index, bool *major);
/* page_cache_sync_readahead(): read [start, end) into the cache, clipped to EOF. */
void page_cache_ra(struct fl_file *f, unsigned long start, unsigned long end);
/* Readahead in folios of @order where they fit (VM_HUGEPAGE: PMD order). */
void page_cache_ra_order(struct fl_file *f, unsigned long start, unsigned long end,
			 unsigned int order);

/*
 * One write(2) call of @len bytes at @pos: the folios it creates are as
 * large as the call allows (up to PMD size).  fl_file_pwrite() is the
 * scenario's `pwrite`, issued as calls of at most 1 MiB like the oracle's.
 */
int fl_file_write_call(struct fl_file *f, uint64_t pos, uint64_t len, int byte);
/* write(2), fsync(2), posix_fadvise(DONTNEED) and the fs half of truncate/punch. */
int fl_file_pwrite(struct fl_file *f, uint64_t off, uint64_t len, int byte);
void fl_file_fsync(struct fl_file *f);
void fl_file_drop_cache(struct fl_file *f);
/*
 * truncate_inode_pages_range() and the block freeing: drop the cache and
 * the blocks of the pages wholly inside [lstart, lend) and zero the parts of
 * the partial pages at either end.  The caller has unmapped the range.
 */
void fl_file_remove_range(struct fl_file *f, uint64_t lstart, uint64_t lend);
/* i_size_write(), growing the slot arrays; -1 when out of memory. */
int fl_file_set_size(struct fl_file *f, uint64_t size);

#endif /* FL_FS_PAGECACHE_H */
