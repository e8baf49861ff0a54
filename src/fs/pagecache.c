// SPDX-License-Identifier: GPL-2.0-only
/*
 * pagecache.c - the page cache and backing store of regular files that are
 * not DAX (fs=pagecache, fs=tmpfs; see pagecache.h).
 *
 * What it models (SPEC 2e, KERNEL-FACTS s4, s5, s8):
 *  - a cache miss is I/O: filemap_read_folio() fills a new folio from the
 *    file's block, or with zeroes for a hole, and reports it as major;
 *  - readahead (page_cache_ra()) reads a whole window in one go, which is
 *    why a cold fault on a 1 MiB ext4 file leaves all of it cached (s4);
 *  - write(2) goes through the cache and dirties it; fsync writes dirty
 *    folios back and cleans them; posix_fadvise(DONTNEED) drops clean,
 *    unmapped folios (tmpfs keeps everything: its cache is the data);
 *  - truncate and punch drop the cache and the blocks of whole pages and
 *    zero the partial pages, which become dirty (s8).
 *
 * Folio sizes are the kernel's (measured on 6.18, see
 * docs/contract-notes.md): write(2) creates folios as large as each
 * PMD-bounded chunk of the call allows (a 1 MiB pwrite gives one order-8
 * folio; KERNEL-FACTS s4 predates ext4's large folios), readahead for an
 * mmap fault creates order-0 folios, or PMD-sized ones in a VM_HUGEPAGE
 * VMA (page_cache_ra_order()), tmpfs only order-0 (huge=never).
 * Every slot a large folio covers points at it; the cache holds one
 * reference per folio.
 *
 * MODEL: a flat array per file instead of an xarray; no PG_readahead marks (with
 * an 8 MiB read_ahead_kb the async mark of a scenario-sized file lies past
 * EOF, so it never stops fault-around); no writeback state, so fsync is
 * instantaneous (src/mm/truncate.c cleans the mappings first).
 */
#include <string.h>

#include "base/alloc.h"
#include "fs/pagecache.h"

static int grow_slots(struct fl_file *f, unsigned long nr)
{
	void *cache, *disk;

	if (nr <= f->nr_slots)
		return 0;
	cache = fl_realloc(FL_ALLOC_FILE, f->cache, f->nr_slots * sizeof(*f->cache) + 1,
			   nr * sizeof(*f->cache) + 1);
	if (!cache)
		return -1;
	f->cache = cache;
	disk = fl_realloc(FL_ALLOC_FILE, f->disk, f->nr_slots * sizeof(*f->disk) + 1,
			  nr * sizeof(*f->disk) + 1);
	if (!disk)
		return -1;
	f->disk = disk;
	memset(f->cache + f->nr_slots, 0, (nr - f->nr_slots) * sizeof(*f->cache));
	memset(f->disk + f->nr_slots, 0, (nr - f->nr_slots) * sizeof(*f->disk));
	f->nr_slots = nr;
	return 0;
}

struct fl_file *fl_file_create(enum fl_file_kind kind, uint64_t size)
{
	struct fl_file *f = fl_zalloc(FL_ALLOC_FILE, sizeof(*f));

	if (!f)
		return NULL;
	f->kind = kind;
	f->cache = fl_zalloc(FL_ALLOC_FILE, 1);
	f->disk = fl_zalloc(FL_ALLOC_FILE, 1);
	atomic_set(&f->refcount, 1);
	spin_lock_init(&f->lock);
	if (!f->cache || !f->disk || fl_file_set_size(f, size)) {
		fl_file_put(f);
		return NULL;
	}
	return f;
}

void fl_file_get(struct fl_file *f)
{
	atomic_inc(&f->refcount);
}

/* Take the folio holding @index out of the cache (all its slots). */
static void delete_from_page_cache(struct fl_file *f, unsigned long index)
{
	struct folio *folio = f->cache[index];
	unsigned long first, end;

	if (!folio)
		return;
	first = folio->page.index;
	end = first + folio_nr_pages(folio);
	for (unsigned long i = first; i < end && i < f->nr_slots; i++)
		f->cache[i] = NULL;
	folio->page.mapping = NULL;
	folio_put(folio);		/* the cache's reference */
}

static void free_block(struct fl_file *f, unsigned long index)
{
	if (f->disk[index]) {
		fl_free(FL_ALLOC_FILE, f->disk[index]);
		f->disk[index] = NULL;
	}
}

/* The last reference: evict the inode, cache and blocks. */
void fl_file_put(struct fl_file *f)
{
	if (!f || !atomic_dec_and_test(&f->refcount))
		return;
	for (unsigned long i = 0; i < f->nr_slots; i++) {
		delete_from_page_cache(f, i);
		free_block(f, i);
	}
	fl_free(FL_ALLOC_FILE, f->cache);
	fl_free(FL_ALLOC_FILE, f->disk);
	fl_free(FL_ALLOC_FILE, f);
}

int fl_file_set_size(struct fl_file *f, uint64_t size)
{
	unsigned long nr = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);

	if (grow_slots(f, nr))
		return -1;
	f->size = size;
	return 0;
}

struct folio *filemap_get_folio(struct fl_file *f, unsigned long index)
{
	struct folio *folio = NULL;

	spin_lock(&f->lock);
	if (index < f->nr_slots && f->cache[index]) {
		folio = f->cache[index];
		folio_get(folio);
	}
	spin_unlock(&f->lock);
	return folio;
}

/* A new uptodate folio of @order with the contents of @index on: its blocks, or zeroes. */
static struct folio *read_blocks(struct fl_file *f, unsigned long index, unsigned int order)
{
	struct folio *folio = folio_alloc(__GFP_ZERO | (order ? __GFP_COMP : 0), order);

	if (!folio)
		return NULL;
	if (f->kind == FL_FILE_TMPFS)
		set_page_flag(&folio->page, PG_swapbacked);
	for (unsigned long i = 0; i < (1ul << order); i++) {
		if (f->kind == FL_FILE_TMPFS || !f->disk[index + i])
			continue;
		memcpy(page_address(folio_page(folio, i)), f->disk[index + i], PAGE_SIZE);
		set_page_flag(&folio->page, PG_mappedtodisk);
	}
	__folio_mark_uptodate(folio);
	folio->page.mapping = f;
	folio->page.index = index;
	return folio;
}

static struct folio *read_block(struct fl_file *f, unsigned long index)
{
	return read_blocks(f, index, 0);
}

/*
 * __filemap_get_folio(FGP_CREAT) with fgf_set_order(@len): a folio as large
 * as the write (at most PMD order), shrunk to the alignment of @index and
 * until it fits among the folios already cached (filemap_add_folio()
 * failing with -EEXIST).  The caller holds no reference; the cache's is
 * the only one.  This is where ext4 on 6.18 gets its large folios.
 */
static struct folio *filemap_create_folio(struct fl_file *f, unsigned long index, uint64_t len)
{
	int order = 0;

	while (order < HPAGE_PMD_ORDER && (2ull << order) * PAGE_SIZE <= len)
		order++;
	if (f->kind == FL_FILE_TMPFS)
		order = 0;		/* MODEL: tmpfs huge=never, as /dev/shm is mounted */
	while (order && (index & ((1ul << order) - 1)))
		order--;
	for (; order >= 0; order--) {
		unsigned long nr = 1ul << order, i;
		struct folio *folio;

		if (index + nr > f->nr_slots)
			continue;
		for (i = 0; i < nr && !f->cache[index + i]; i++)
			;
		if (i < nr)
			continue;
		folio = read_blocks(f, index, (unsigned int)order);
		if (!folio)
			return NULL;
		for (i = 0; i < nr; i++)
			f->cache[index + i] = folio;
		return folio;
	}
	return NULL;
}

struct folio *filemap_read_folio(struct fl_file *f, unsigned long index, bool *major)
{
	struct folio *folio = filemap_get_folio(f, index), *new;

	*major = false;
	if (folio || index >= f->nr_slots)
		return folio;
	new = read_block(f, index);
	if (!new)
		return NULL;
	spin_lock(&f->lock);
	folio = f->cache[index];
	if (!folio) {
		f->cache[index] = new;	/* the cache's reference */
		folio = new;
		new = NULL;
		/* MODEL: tmpfs allocating a hole is no I/O; a disk read is. */
		*major = f->kind == FL_FILE_PAGECACHE;
	}
	folio_get(folio);		/* the caller's */
	spin_unlock(&f->lock);
	if (new)
		folio_put(new);
	return folio;
}

void page_cache_ra(struct fl_file *f, unsigned long start, unsigned long end)
{
	page_cache_ra_order(f, start, end, 0);
}

/*
 * page_cache_ra_order(): folios of @order where the index is aligned for
 * it and the folio ends within the file, smaller ones elsewhere; pages
 * already cached are skipped (and so is the rest of a would-be folio that
 * overlaps one).
 */
void page_cache_ra_order(struct fl_file *f, unsigned long start, unsigned long end,
			 unsigned int order)
{
	unsigned long nr_pages = fl_file_nr_pages(f);

	if (end > nr_pages)
		end = nr_pages;
	spin_lock(&f->lock);
	for (unsigned long i = start; i < end;) {
		unsigned int o = order;
		struct folio *folio;

		if (f->cache[i]) {
			i++;
			continue;
		}
		while (o && ((i & ((1ul << o) - 1)) || i + (1ul << o) > end))
			o--;
		folio = filemap_create_folio(f, i, (uint64_t)PAGE_SIZE << o);
		if (!folio)
			break;		/* readahead is best effort */
		i = folio->page.index + folio_nr_pages(folio);
	}
	spin_unlock(&f->lock);
}

/*
 * One write(2) call: generic_perform_write() in chunks of the largest folio
 * (PMD size), each through a folio of the chunk's size.
 */
int fl_file_write_call(struct fl_file *f, uint64_t pos, uint64_t len, int byte)
{
	uint64_t end = pos + len;

	if (end > f->size && fl_file_set_size(f, end))
		return -1;
	while (pos < end) {
		unsigned long index = (unsigned long)(pos >> PAGE_SHIFT);
		uint64_t bytes = (HPAGE_PMD_NR * PAGE_SIZE) - (pos & ((HPAGE_PMD_NR * PAGE_SIZE) - 1));
		struct folio *folio;
		uint64_t fend;

		if (bytes > end - pos)
			bytes = end - pos;
		spin_lock(&f->lock);
		folio = f->cache[index];
		if (!folio)
			folio = filemap_create_folio(f, index, bytes);
		spin_unlock(&f->lock);
		if (!folio)
			return -1;
		fend = (folio->page.index + folio_nr_pages(folio)) << PAGE_SHIFT;
		if (bytes > fend - pos)
			bytes = fend - pos;
		memset((char *)page_address(&folio->page) +
		       (pos - ((uint64_t)folio->page.index << PAGE_SHIFT)), byte, (size_t)bytes);
		folio_set_dirty(folio);
		pos += bytes;
	}
	return 0;
}

/*
 * `pwrite`: the oracle issues pwrite(2) calls of at most 1 MiB
 * (src/oracle/file_ops.c), and the folio sizes follow the calls, so the
 * model splits the same way.
 */
#define PWRITE_CALL (1ull << 20)

int fl_file_pwrite(struct fl_file *f, uint64_t off, uint64_t len, int byte)
{
	uint64_t end = off + len;

	if (end > f->size && fl_file_set_size(f, end))
		return -1;
	for (; off < end; off += PWRITE_CALL)
		if (fl_file_write_call(f, off, end - off < PWRITE_CALL ? end - off : PWRITE_CALL, byte))
			return -1;
	return 0;
}

/* Write one dirty folio back, page by page, and clean it. */
static void writeback_folio(struct fl_file *f, struct folio *folio)
{
	unsigned long first = folio->page.index;

	for (unsigned long i = 0; i < folio_nr_pages(folio); i++) {
		if (!f->disk[first + i]) {
			f->disk[first + i] = fl_zalloc(FL_ALLOC_FILE, PAGE_SIZE);
			if (!f->disk[first + i])
				return;		/* -ENOSPC in effect: the folio stays dirty */
		}
		memcpy(f->disk[first + i], page_address(folio_page(folio, i)), PAGE_SIZE);
	}
	/* The mappings were cleaned first (fl_writeback(), folio_mkclean()). */
	clear_page_flag(&folio->page, PG_dirty);
	set_page_flag(&folio->page, PG_mappedtodisk);
}

void fl_file_fsync(struct fl_file *f)
{
	if (f->kind == FL_FILE_TMPFS)
		return;
	for (unsigned long i = 0; i < f->nr_slots; i++) {
		struct folio *folio = f->cache[i];

		if (folio && folio->page.index == i && folio_test_dirty(folio))
			writeback_folio(f, folio);
	}
}

void fl_file_drop_cache(struct fl_file *f)
{
	if (f->kind == FL_FILE_TMPFS)
		return;		/* shmem's cache is the data: DONTNEED does nothing (s5) */
	for (unsigned long i = 0; i < f->nr_slots; i++) {
		struct folio *folio = f->cache[i];

		if (folio && folio->page.index == i && !folio_test_dirty(folio) && !folio_mapped(folio) &&
		    folio_ref_count(folio) == 1)
			delete_from_page_cache(f, i);
	}
}

/* Zero [from, to) of page @index, in the cache and on disk; the folio becomes dirty. */
/*
 * Zero [from, to) of page @index.  @dirty: the bytes stay in the file (a
 * partial EOF or punch page) and must be written back; a whole page dropped
 * from a folio kept whole (remove_page()) is gone, and dirtying the folio
 * for it would dirty its surviving pages, which Linux's split keeps clean.
 */
static void zero_partial(struct fl_file *f, unsigned long index, size_t from, size_t to,
			 bool dirty)
{
	struct folio *folio;

	if (index >= f->nr_slots || from >= to)
		return;
	folio = f->cache[index];
	if (folio) {
		memset((char *)page_address(folio_page(folio, index - folio->page.index)) + from, 0,
		       to - from);
		if (dirty)
			folio_set_dirty(folio);
	}
	if (f->disk[index])
		memset(f->disk[index] + from, 0, to - from);
}

/*
 * Drop page @i, or, when its folio also holds pages outside [first, last),
 * zero it in place: MODEL, Linux splits the large folio
 * (truncate_inode_partial_folio()); faultline keeps it whole, which the
 * EOF checks of the fault path make invisible to mappings.
 */
static void remove_page(struct fl_file *f, unsigned long i, unsigned long first,
			unsigned long last)
{
	struct folio *folio = f->cache[i];

	if (folio && (folio->page.index < first ||
		      folio->page.index + folio_nr_pages(folio) > last)) {
		zero_partial(f, i, 0, PAGE_SIZE, false);
		free_block(f, i);
		return;
	}
	delete_from_page_cache(f, i);
	free_block(f, i);
}

void fl_file_remove_range(struct fl_file *f, uint64_t lstart, uint64_t lend)
{
	uint64_t limit = (uint64_t)f->nr_slots << PAGE_SHIFT;
	unsigned long first = (unsigned long)((lstart + PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long last;

	if (lend > limit)
		lend = limit;
	if (lstart >= lend)
		return;
	last = (unsigned long)(lend >> PAGE_SHIFT);	/* exclusive */
	if (lstart & ~PAGE_MASK) {
		uint64_t pend = (lstart & PAGE_MASK) + PAGE_SIZE;

		zero_partial(f, (unsigned long)(lstart >> PAGE_SHIFT), lstart & ~PAGE_MASK,
			     (size_t)((pend < lend ? pend : lend) - (lstart & PAGE_MASK)), true);
	}
	if ((lend & ~PAGE_MASK) && (lend >> PAGE_SHIFT) >= first)
		zero_partial(f, (unsigned long)(lend >> PAGE_SHIFT), 0, lend & ~PAGE_MASK, true);
	spin_lock(&f->lock);
	for (unsigned long i = first; i < last; i++)
		remove_page(f, i, first, last);
	spin_unlock(&f->lock);
}
