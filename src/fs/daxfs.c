// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxfs.c - the DAX filesystem (see daxfs.h): block allocator, block maps,
 * read/write/truncate/punch/fallocate/reflink, and ->iomap_begin.
 *
 * Organisation:
 *  - the allocator: one share count per pmem block (0 = free), a first-fit
 *    search that first looks for space of the right colour modulo
 *    dax_fs_align (the block of file block fb goes where pblk % align ==
 *    fb % align), starting from the block after the file's previous block
 *    so that appending writes stay contiguous, as XFS's allocation goal does;
 *  - daxfs_prepare_write(): the one place that makes blocks writable
 *    (allocate a hole, convert unwritten, copy a shared block), used by
 *    write(2), truncate/punch tail zeroing and iomap_begin(IOMAP_WRITE);
 *  - the file operations, then iomap.
 *
 * MODEL: a file's extents are kept as a flat block map rather than an
 * extent tree; iomap_begin() coalesces runs of blocks in the same state that
 * are physically contiguous, so its answers are those of an extent tree.
 * MODEL: the host file behind pmem is the media and needs no flushing, so
 * fsync only makes metadata durable (clears the flag MAP_SYNC looks at).
 * MODEL: no journal and no delayed allocation; every allocation is
 * immediate and zeroes its blocks (XFS_BMAPI_ZERO, what XFS does for DAX).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "fs/daxfs.h"
#include "fs/pmem.h"

struct daxfs {
	spinlock_t lock;		/* the free-space "btree": share[] and used */
	unsigned long nr_blocks;
	unsigned long used;		/* blocks with share > 0, superblock excluded */
	uint32_t *share;		/* per pmem block: file blocks pointing at it */
	unsigned long align;		/* dax_fs_align in blocks */
	atomic_t nr_files;
	atomic_t inject_block;
	atomic_t inject_iomap;
	int inject_iomap_err;
	/* `inject iomap_hole|iomap_short|fsync|nofs` (scenarios, T44, T52, T54) */
	atomic_t inject_iomap_hole, inject_iomap_short, inject_fsync, inject_nofs;
};

#define DAXFS_MAGIC "faultline daxfs superblock\n"

static inline uint8_t *block_virt(unsigned long pblk)
{
	return machine.pmem + ((uint64_t)pblk << DAXFS_BLOCK_SHIFT);
}

static inline unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

/* ---------------------------------------------------------------- mount */

struct daxfs *daxfs_mount(void)
{
	struct daxfs *fs;

	if (!machine.pmem || machine.pmem_pages < 2) {
		errno = ENODEV;
		return NULL;
	}
	fs = fl_zalloc(FL_ALLOC_DAXFS, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->nr_blocks = machine.pmem_pages;
	fs->share = fl_zalloc(FL_ALLOC_DAXFS, fs->nr_blocks * sizeof(*fs->share));
	if (!fs->share) {
		fl_free(FL_ALLOC_DAXFS, fs);
		return NULL;
	}
	spin_lock_init(&fs->lock);
	fs->align = (unsigned long)(machine.cfg.dax_fs_align >> DAXFS_BLOCK_SHIFT);
	if (!fs->align)
		fs->align = 1;
	fs->share[0] = 1;	/* the superblock, never freed */
	memset(block_virt(0), 0, DAXFS_BLOCK_SIZE);
	memcpy(block_virt(0), DAXFS_MAGIC, sizeof(DAXFS_MAGIC) - 1);
	return fs;
}

void daxfs_unmount(struct daxfs *fs)
{
	if (!fs)
		return;
	fl_free(FL_ALLOC_DAXFS, fs->share);
	fl_free(FL_ALLOC_DAXFS, fs);
}

unsigned long daxfs_blocks_used(struct daxfs *fs)
{
	unsigned long n;

	spin_lock(&fs->lock);
	n = fs->used;
	spin_unlock(&fs->lock);
	return n;
}

unsigned long daxfs_nr_blocks(struct daxfs *fs)
{
	return fs->nr_blocks;
}

unsigned int daxfs_block_share(struct daxfs *fs, unsigned long pblk)
{
	unsigned int n;

	if (pblk >= fs->nr_blocks)
		return 0;
	spin_lock(&fs->lock);
	n = fs->share[pblk];
	spin_unlock(&fs->lock);
	return n;
}

void daxfs_inject_block(struct daxfs *fs, int n)
{
	atomic_set(&fs->inject_block, n);
}

void daxfs_inject_iomap_error(struct daxfs *fs, int err, int n)
{
	fs->inject_iomap_err = err;
	atomic_set(&fs->inject_iomap, n);
}

void daxfs_inject_iomap_hole(struct daxfs *fs, int n)
{
	atomic_set(&fs->inject_iomap_hole, n);
}

void daxfs_inject_iomap_short(struct daxfs *fs, int n)
{
	atomic_set(&fs->inject_iomap_short, n);
}

void daxfs_inject_fsync(struct daxfs *fs, int n)
{
	atomic_set(&fs->inject_fsync, n);
}

void daxfs_inject_nofs(struct daxfs *fs, int n)
{
	atomic_set(&fs->inject_nofs, n);
}

/* Takes one injected count from @v: true if one was armed. */
static bool take_injection(atomic_t *v)
{
	return atomic_dec_if_positive(v) >= 0;
}

bool daxfs_fault_nofs(struct daxfs_file *f)
{
	return take_injection(&f->fs->inject_nofs);
}

int daxfs_check_final(struct daxfs *fs, FILE *out)
{
	int shown = 0, bad = 0;

	spin_lock(&fs->lock);
	if (fs->used) {
		fprintf(out, "faultline: leak: dax blocks: %lu blocks still allocated after teardown\n",
			fs->used);
		for (unsigned long b = 1; b < fs->nr_blocks && shown < 8; b++) {
			if (fs->share[b]) {
				fprintf(out, "  block %lu (pmem+%lu) share %u\n", b, b, fs->share[b]);
				shown++;
			}
		}
		bad = 1;
	}
	spin_unlock(&fs->lock);
	if (atomic_read(&fs->nr_files)) {
		fprintf(out, "faultline: leak: dax files: %d files still alive after teardown\n",
			atomic_read(&fs->nr_files));
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------ allocator */

/* Free blocks from @p on, at most @want.  fs->lock held. */
static unsigned long free_run(struct daxfs *fs, unsigned long p, unsigned long want)
{
	unsigned long n = 0;

	while (n < want && p + n < fs->nr_blocks && !fs->share[p + n])
		n++;
	return n;
}

/*
 * Where to put @want blocks for file block @fblk: the goal if it is free and
 * of the right colour, else the first space of the right colour that holds
 * min(want, align) blocks, else the first free space at all.  Returns the
 * length found (0: the device is full), the start in *start.  fs->lock held.
 */
static unsigned long find_space(struct daxfs *fs, unsigned long fblk, unsigned long want,
				unsigned long goal, unsigned long *start)
{
	unsigned long a = fs->align, need = min_ul(want, a), n;

	if (goal && goal < fs->nr_blocks && goal % a == fblk % a && (n = free_run(fs, goal, want))) {
		*start = goal;
		return n;
	}
	if (a > 1) {
		for (unsigned long p = fblk % a; p < fs->nr_blocks; p += a) {
			n = free_run(fs, p, want);
			if (n >= need) {
				*start = p;
				return n;
			}
		}
	}
	for (unsigned long p = 1; p < fs->nr_blocks; p++) {
		if (!fs->share[p]) {
			*start = p;
			return free_run(fs, p, want);
		}
	}
	return 0;
}

/*
 * Allocate up to @want zeroed blocks for file block @fblk; the first in
 * *start.  Returns how many (>= 1), or -ENOSPC.  The blocks are zeroed
 * before they are returned: nobody can see a previous owner's bytes.
 */
static long daxfs_alloc_blocks(struct daxfs *fs, unsigned long fblk, unsigned long want,
			       unsigned long goal, unsigned long *start)
{
	unsigned long n;

	if (atomic_read(&fs->inject_block) > 0) {
		atomic_dec(&fs->inject_block);
		return -ENOSPC;
	}
	spin_lock(&fs->lock);
	n = find_space(fs, fblk, want, goal, start);
	for (unsigned long i = 0; i < n; i++)
		fs->share[*start + i] = 1;
	fs->used += n;
	spin_unlock(&fs->lock);
	if (!n)
		return -ENOSPC;
	memset(block_virt(*start), 0, n << DAXFS_BLOCK_SHIFT);
	return (long)n;
}

/* One file block stops pointing at @pblk; the block is free when nobody does. */
static void daxfs_put_block(struct daxfs *fs, unsigned long pblk)
{
	spin_lock(&fs->lock);
	if (fs->share[pblk] && !--fs->share[pblk])
		fs->used--;
	spin_unlock(&fs->lock);
}

static void daxfs_get_block(struct daxfs *fs, unsigned long pblk)
{
	spin_lock(&fs->lock);
	fs->share[pblk]++;
	spin_unlock(&fs->lock);
}

/* ------------------------------------------------------------ block map */

static struct daxfs_bmap bmap_at(const struct daxfs_file *f, unsigned long fb)
{
	if (fb >= f->nr_map)
		return (struct daxfs_bmap){ .state = DAXFS_HOLE };
	return f->map[fb];
}

/* Make map[] cover file blocks [0, @n).  f->lock held. */
static int map_grow(struct daxfs_file *f, unsigned long n)
{
	unsigned long cap = f->nr_map ? f->nr_map : 16;
	struct daxfs_bmap *m;

	if (n <= f->nr_map)
		return 0;
	while (cap < n)
		cap *= 2;
	m = fl_realloc(FL_ALLOC_DAX_EXTENT, f->map, f->nr_map * sizeof(*m), cap * sizeof(*m));
	if (!m)
		return -ENOMEM;
	memset(m + f->nr_map, 0, (cap - f->nr_map) * sizeof(*m));
	f->map = m;
	f->nr_map = cap;
	return 0;
}

static bool block_shared(struct daxfs_file *f, struct daxfs_bmap b)
{
	return b.state != DAXFS_HOLE && daxfs_block_share(f->fs, b.pblk) > 1;
}

/* Drop file block @fb's block, leaving a hole.  f->lock held. */
static void unmap_block(struct daxfs_file *f, unsigned long fb)
{
	if (fb >= f->nr_map || f->map[fb].state == DAXFS_HOLE)
		return;
	daxfs_put_block(f->fs, f->map[fb].pblk);
	f->map[fb] = (struct daxfs_bmap){ .state = DAXFS_HOLE };
}

/*
 * The run at @fb, at most @nb blocks, that one iomap answer can describe:
 * holes with holes; mapped blocks with the following blocks of the same
 * state and sharedness that are physically contiguous.
 */
static unsigned long run_length(struct daxfs_file *f, unsigned long fb, unsigned long nb)
{
	struct daxfs_bmap first = bmap_at(f, fb), b;
	bool shared = block_shared(f, first);
	unsigned long n = 1;

	for (; n < nb; n++) {
		b = bmap_at(f, fb + n);
		if (b.state != first.state)
			break;
		if (b.state == DAXFS_HOLE)
			continue;
		if (b.pblk != first.pblk + n || block_shared(f, b) != shared)
			break;
	}
	return n;
}

/* -------------------------------------------------- making blocks writable */

/* Fill the holes of [fb, fb + n): n counts holes from fb.  Returns blocks done. */
static long fill_holes(struct daxfs_file *f, unsigned long fb, unsigned long n, uint8_t state)
{
	struct daxfs_bmap prev = fb ? bmap_at(f, fb - 1) : (struct daxfs_bmap){ 0 };
	unsigned long goal = prev.state != DAXFS_HOLE ? prev.pblk + 1 : 0, start;
	long got = daxfs_alloc_blocks(f->fs, fb, n, goal, &start);

	if (got < 0)
		return got;
	for (long i = 0; i < got; i++)
		f->map[fb + i] = (struct daxfs_bmap){ .pblk = (uint32_t)(start + i), .state = state };
	f->meta_dirty = true;
	return got;
}

/* Copy the shared run [fb, fb + n) to new blocks (CoW).  Returns blocks done. */
static long unshare_blocks(struct daxfs_file *f, unsigned long fb, unsigned long n)
{
	unsigned long start;
	long got = daxfs_alloc_blocks(f->fs, fb, n, 0, &start);

	if (got < 0)
		return got;
	for (long i = 0; i < got; i++) {
		struct daxfs_bmap old = f->map[fb + i];

		if (old.state == DAXFS_WRITTEN)
			memcpy(block_virt(start + i), block_virt(old.pblk), DAXFS_BLOCK_SIZE);
		f->map[fb + i] = (struct daxfs_bmap){ .pblk = (uint32_t)(start + i),
						      .state = DAXFS_WRITTEN };
		daxfs_put_block(f->fs, old.pblk);
	}
	f->meta_dirty = true;
	return got;
}

/*
 * Make the blocks from @fb on writable, at most @nb of them, as one run
 * that is physically contiguous afterwards.  Returns the number of blocks
 * of that run (>= 1) or -errno; *flags gets IOMAP_F_NEW and IOMAP_F_SHARED
 * as iomap reports them, *src the first old block of a broken share.
 * f->lock held.
 */
static long daxfs_prepare_write(struct daxfs_file *f, unsigned long fb, unsigned long nb,
				unsigned int *flags, struct daxfs_bmap *src)
{
	unsigned long n;
	struct daxfs_bmap b;

	if (map_grow(f, fb + nb))
		return -ENOMEM;
	n = run_length(f, fb, nb);
	b = f->map[fb];
	*flags = 0;
	*src = b;
	if (b.state == DAXFS_HOLE) {
		*flags = IOMAP_F_NEW;
		return fill_holes(f, fb, n, DAXFS_WRITTEN);
	}
	if (block_shared(f, b)) {
		*flags = IOMAP_F_NEW | IOMAP_F_SHARED;
		return unshare_blocks(f, fb, n);
	}
	if (b.state == DAXFS_UNWRITTEN) {
		/* zeroed when allocated: converting is a metadata change only */
		for (unsigned long i = 0; i < n; i++)
			f->map[fb + i].state = DAXFS_WRITTEN;
		f->meta_dirty = true;
		*flags = IOMAP_F_NEW;
	}
	return (long)n;
}

/* Zero bytes [from, to) of file block @fb if it holds data, unsharing it first. */
static int zero_block_range(struct daxfs_file *f, unsigned long fb, unsigned from, unsigned to)
{
	struct daxfs_bmap b = bmap_at(f, fb), src;
	unsigned int flags;
	long n;

	if (b.state != DAXFS_WRITTEN || from >= to)
		return 0;	/* holes and unwritten blocks already read as zeroes */
	n = daxfs_prepare_write(f, fb, 1, &flags, &src);
	if (n < 0)
		return (int)n;
	memset(block_virt(f->map[fb].pblk) + from, 0, to - from);
	return 0;
}

/* ------------------------------------------------------------ the files */

struct daxfs_file *daxfs_create(struct daxfs *fs, const char *name, uint64_t size)
{
	struct daxfs_file *f = fl_zalloc(FL_ALLOC_DAX_FILE, sizeof(*f));

	if (!f)
		return NULL;
	f->fs = fs;
	atomic_set(&f->refcount, 1);
	mutex_init(&f->lock);
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "");
	f->size = size;
	atomic_inc(&fs->nr_files);
	return f;
}

void daxfs_file_get(struct daxfs_file *f)
{
	atomic_inc(&f->refcount);
}

void daxfs_file_put(struct daxfs_file *f)
{
	struct daxfs *fs = f->fs;

	if (!atomic_dec_and_test(&f->refcount))
		return;
	for (unsigned long fb = 0; fb < f->nr_map; fb++)
		unmap_block(f, fb);
	fl_free(FL_ALLOC_DAX_EXTENT, f->map);
	mutex_destroy(&f->lock);
	fl_free(FL_ALLOC_DAX_FILE, f);
	atomic_dec(&fs->nr_files);
}

/* Copy @len bytes at @off into the file: @buf, or @byte when @buf is NULL. */
static int daxfs_write_locked(struct daxfs_file *f, const uint8_t *buf, int byte,
			      uint64_t len, uint64_t off)
{
	uint64_t pos = off, end = off + len;

	if (!len)
		return 0;	/* write(2) of nothing changes nothing, not even i_size */
	while (pos < end) {
		unsigned long fb = (unsigned long)(pos >> DAXFS_BLOCK_SHIFT);
		unsigned long nb = (unsigned long)((end - 1) >> DAXFS_BLOCK_SHIFT) - fb + 1;
		struct daxfs_bmap src;
		unsigned int flags;
		long n = daxfs_prepare_write(f, fb, nb, &flags, &src);
		uint64_t run_end;
		uint8_t *dst;

		if (n < 0)
			return (int)n;
		run_end = ((uint64_t)(fb + (unsigned long)n)) << DAXFS_BLOCK_SHIFT;
		if (run_end > end)
			run_end = end;
		/* the run is physically contiguous: one copy */
		dst = block_virt(f->map[fb].pblk) + (pos & (DAXFS_BLOCK_SIZE - 1));
		if (buf)
			memcpy(dst, buf + (pos - off), run_end - pos);
		else
			memset(dst, byte, run_end - pos);
		pos = run_end;
	}
	if (end > f->size) {
		f->size = end;
		f->meta_dirty = true;
	}
	return 0;
}

int daxfs_pwrite(struct daxfs_file *f, const void *buf, uint64_t len, uint64_t off)
{
	int ret;

	mutex_lock(&f->lock);
	ret = daxfs_write_locked(f, buf, 0, len, off);
	mutex_unlock(&f->lock);
	return ret;
}

int daxfs_pwrite_fill(struct daxfs_file *f, int byte, uint64_t len, uint64_t off)
{
	int ret;

	mutex_lock(&f->lock);
	ret = daxfs_write_locked(f, NULL, byte, len, off);
	mutex_unlock(&f->lock);
	return ret;
}

ssize_t daxfs_pread(struct daxfs_file *f, void *buf, uint64_t len, uint64_t off)
{
	uint8_t *out = buf;
	uint64_t pos, end;

	mutex_lock(&f->lock);
	end = off + len > f->size ? f->size : off + len;
	for (pos = off; pos < end;) {
		struct daxfs_bmap b = bmap_at(f, (unsigned long)(pos >> DAXFS_BLOCK_SHIFT));
		uint64_t in = pos & (DAXFS_BLOCK_SIZE - 1);
		uint64_t n = DAXFS_BLOCK_SIZE - in;

		if (n > end - pos)
			n = end - pos;
		if (b.state == DAXFS_WRITTEN)
			memcpy(out + (pos - off), block_virt(b.pblk) + in, n);
		else
			memset(out + (pos - off), 0, n);
		pos += n;
	}
	mutex_unlock(&f->lock);
	return off < end ? (ssize_t)(end - off) : 0;
}

/* Zero the file from byte @from to the end of its block (EOF tail). f->lock held. */
static int zero_eof_tail(struct daxfs_file *f, uint64_t from)
{
	unsigned in = (unsigned)(from & (DAXFS_BLOCK_SIZE - 1));

	if (!in)
		return 0;
	return zero_block_range(f, (unsigned long)(from >> DAXFS_BLOCK_SHIFT), in, DAXFS_BLOCK_SIZE);
}

int daxfs_truncate(struct daxfs_file *f, uint64_t size)
{
	int ret = 0;

	mutex_lock(&f->lock);
	if (size < f->size) {
		unsigned long first = (unsigned long)((size + DAXFS_BLOCK_SIZE - 1) >> DAXFS_BLOCK_SHIFT);

		ret = zero_eof_tail(f, size);
		for (unsigned long fb = first; !ret && fb < f->nr_map; fb++)
			unmap_block(f, fb);
	} else if (size > f->size) {
		/* the old EOF block may have been written past EOF through a mapping */
		ret = zero_eof_tail(f, f->size);
	}
	if (!ret && size != f->size) {
		f->size = size;
		f->meta_dirty = true;
	}
	mutex_unlock(&f->lock);
	return ret;
}

int daxfs_punch(struct daxfs_file *f, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;
	unsigned long fb = (unsigned long)(off >> DAXFS_BLOCK_SHIFT);
	unsigned long last = (unsigned long)((end - 1) >> DAXFS_BLOCK_SHIFT);
	unsigned head = (unsigned)(off & (DAXFS_BLOCK_SIZE - 1));
	unsigned tail = (unsigned)(end & (DAXFS_BLOCK_SIZE - 1));
	int ret = 0;

	if (!len)
		return 0;
	mutex_lock(&f->lock);
	if (fb == last && (head || tail)) {
		ret = zero_block_range(f, fb, head, tail ? tail : DAXFS_BLOCK_SIZE);
		goto out;
	}
	if (head) {
		ret = zero_block_range(f, fb, head, DAXFS_BLOCK_SIZE);
		fb++;
	}
	if (!ret && tail) {
		ret = zero_block_range(f, last, 0, tail);
		last--;
	}
	for (; !ret && fb <= last && fb < f->nr_map; fb++)
		unmap_block(f, fb);
out:
	f->meta_dirty = true;
	mutex_unlock(&f->lock);
	return ret;
}

int daxfs_fallocate(struct daxfs_file *f, uint64_t off, uint64_t len)
{
	unsigned long fb = (unsigned long)(off >> DAXFS_BLOCK_SHIFT);
	unsigned long end = (unsigned long)((off + len + DAXFS_BLOCK_SIZE - 1) >> DAXFS_BLOCK_SHIFT);
	long n = 0;

	mutex_lock(&f->lock);
	if (map_grow(f, end))
		n = -ENOMEM;
	for (; n >= 0 && fb < end; fb += (unsigned long)n) {
		n = (long)run_length(f, fb, end - fb);
		if (f->map[fb].state == DAXFS_HOLE)
			n = fill_holes(f, fb, (unsigned long)n, DAXFS_UNWRITTEN);
	}
	if (n >= 0 && off + len > f->size) {
		f->size = off + len;
		f->meta_dirty = true;
	}
	mutex_unlock(&f->lock);
	return n < 0 ? (int)n : 0;
}

int daxfs_fsync(struct daxfs_file *f)
{
	if (take_injection(&f->fs->inject_fsync))
		return -EIO;	/* nothing made durable: F_DIRTY stays */
	mutex_lock(&f->lock);
	f->meta_dirty = false;
	mutex_unlock(&f->lock);
	return 0;
}

int daxfs_reflink(struct daxfs_file *src, struct daxfs_file *dst)
{
	bool src_first = (uintptr_t)src < (uintptr_t)dst;	/* lock order: by address */
	struct daxfs_file *a = src_first ? src : dst, *b = src_first ? dst : src;
	unsigned long nb;
	int ret = 0;

	if (src == dst || src->fs != dst->fs)
		return -EINVAL;
	mutex_lock(&a->lock);
	mutex_lock(&b->lock);
	/*
	 * FICLONE is a clone of the source's whole range [0, EOF) to offset
	 * 0: the destination's blocks in that range are replaced (the EOF
	 * block whole), the ones beyond it stay, and its size only grows
	 * (generic_remap_checks(), xfs_reflink_update_dest()).
	 */
	nb = (unsigned long)((src->size + DAXFS_BLOCK_SIZE - 1) >> DAXFS_BLOCK_SHIFT);
	if (map_grow(dst, nb)) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned long fb = 0; fb < nb; fb++) {
		struct daxfs_bmap bm = bmap_at(src, fb);

		unmap_block(dst, fb);
		dst->map[fb] = bm;
		if (bm.state != DAXFS_HOLE)
			daxfs_get_block(src->fs, bm.pblk);
	}
	if (src->size > dst->size)
		dst->size = src->size;
	dst->meta_dirty = true;
out:
	mutex_unlock(&b->lock);
	mutex_unlock(&a->lock);
	return ret;
}

/* ---------------------------------------------------------------- iomap */

static void iomap_fill(struct iomap *iomap, struct daxfs_bmap b, unsigned long fb,
		       unsigned long n, uint16_t flags)
{
	static const uint16_t type[] = {
		[DAXFS_HOLE] = IOMAP_HOLE,
		[DAXFS_WRITTEN] = IOMAP_MAPPED,
		[DAXFS_UNWRITTEN] = IOMAP_UNWRITTEN,
	};

	iomap->type = type[b.state];
	iomap->addr = b.state == DAXFS_HOLE ? IOMAP_NULL_ADDR
					    : (uint64_t)b.pblk << DAXFS_BLOCK_SHIFT;
	iomap->offset = (uint64_t)fb << DAXFS_BLOCK_SHIFT;
	iomap->length = (uint64_t)n << DAXFS_BLOCK_SHIFT;
	iomap->flags = flags;
}

int daxfs_iomap_begin(struct daxfs_file *f, uint64_t pos, uint64_t length, unsigned int flags,
		      struct iomap *iomap, struct iomap *srcmap)
{
	unsigned long fb = (unsigned long)(pos >> DAXFS_BLOCK_SHIFT);
	unsigned long nb;
	struct daxfs_bmap src;
	unsigned int fl = 0;
	long n;

	if (!length)
		return -EINVAL;
	if (atomic_read(&f->fs->inject_iomap) > 0) {
		atomic_dec(&f->fs->inject_iomap);
		return f->fs->inject_iomap_err;
	}
	nb = (unsigned long)((pos + length - 1) >> DAXFS_BLOCK_SHIFT) - fb + 1;
	srcmap->type = IOMAP_HOLE;
	srcmap->addr = IOMAP_NULL_ADDR;
	srcmap->offset = srcmap->length = 0;
	srcmap->flags = 0;
	/* a broken filesystem: a write answered with a hole, nothing allocated (T44 iv) */
	if ((flags & IOMAP_WRITE) && take_injection(&f->fs->inject_iomap_hole)) {
		iomap->type = IOMAP_HOLE;
		iomap->addr = IOMAP_NULL_ADDR;
		iomap->offset = (uint64_t)fb << DAXFS_BLOCK_SHIFT;
		iomap->length = (uint64_t)nb << DAXFS_BLOCK_SHIFT;
		iomap->flags = 0;
		return 0;
	}
	mutex_lock(&f->lock);
	if (flags & IOMAP_WRITE) {
		n = daxfs_prepare_write(f, fb, nb, &fl, &src);
		if (n < 0) {
			mutex_unlock(&f->lock);
			return (int)n;
		}
		if (fl & IOMAP_F_SHARED)
			iomap_fill(srcmap, src, fb, (unsigned long)n, 0);
		/* XFS: a write whose allocation is not yet durable (R56) */
		if (f->meta_dirty)
			fl |= IOMAP_F_DIRTY;
	} else {
		n = (long)run_length(f, fb, nb);
		if (block_shared(f, bmap_at(f, fb)))
			fl = IOMAP_F_SHARED;
	}
	iomap_fill(iomap, bmap_at(f, fb), fb, (unsigned long)n, (uint16_t)fl);
	mutex_unlock(&f->lock);
	/* a corrupt extent shorter than a page at @pos (T44 v) */
	if (take_injection(&f->fs->inject_iomap_short)) {
		iomap->offset = pos;
		iomap->length = DAXFS_BLOCK_SIZE / 8;
	}
	return 0;
}

int daxfs_iomap_end(struct daxfs_file *f, uint64_t pos, uint64_t length, uint64_t written,
		    unsigned int flags, struct iomap *iomap)
{
	/*
	 * MODEL: blocks are allocated zeroed and the share is broken in
	 * ->iomap_begin, so a short write leaves nothing to clean up (XFS
	 * would end or cancel its CoW here).
	 */
	(void)f; (void)pos; (void)length; (void)written; (void)flags; (void)iomap;
	return 0;
}
