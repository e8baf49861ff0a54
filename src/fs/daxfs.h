/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * daxfs.h - the DAX filesystem: files whose blocks are pmem frames.
 *
 * One filesystem per machine, over the whole pmem device, in 4 KiB blocks:
 * block b is pmem frame machine.pmem_base_pfn + b.  Block 0 is the
 * superblock, so the first data block is not naturally aligned to anything
 * and alignment is always the allocator's doing (dax_fs_align).
 *
 * A file is a size, a block map (file block -> pmem block, or a hole) in
 * which each mapped block is written or unwritten (preallocated, reads as
 * zeroes), and a "metadata dirty" flag that fsync clears.  Blocks carry a
 * share count: reflink makes two files point at the same blocks, and the
 * first write through either side copies the block (CoW).
 *
 * The fault path asks the filesystem through daxfs_iomap_begin() what lies
 * at a file offset: HOLE, UNWRITTEN or MAPPED, with IOMAP_F_NEW (blocks just
 * allocated), IOMAP_F_SHARED (reflinked, or a share just broken) and
 * IOMAP_F_DIRTY (a write whose metadata is not yet durable: MAP_SYNC must
 * fsync first, R56), for the run of blocks in the same state.
 *
 * Rules the tests hold the filesystem to:
 *  - a block is zeroed before any file can see it, so no file ever shows
 *    another file's old data (nor its own, after punch or truncate);
 *  - new extents start at a physical block with the same colour modulo
 *    dax_fs_align as their file block whenever free space allows, so a
 *    2 MiB-aligned file range gets a 2 MiB-aligned pmem range (PMD faults)
 *    and dax_fs_align=4K shows why a mapping ends up with 4 KiB pages;
 *  - deleting every file frees every block (daxfs_check_final()).
 *
 * Implements the DAXF fixture of SPEC.md section 4 and the filesystem side
 * of R48 (iomap types and flags), R56 (F_DIRTY), R61/R69 (blocks are freed
 * only by truncate/punch/delete) and SCENARIOS.md's file commands.
 */
#ifndef FL_FS_DAXFS_H
#define FL_FS_DAXFS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sync/locks.h"

#define DAXFS_BLOCK_SIZE	4096ul
#define DAXFS_BLOCK_SHIFT	12

/* iomap types and flags, as include/linux/iomap.h numbers them. */
#define IOMAP_HOLE		0
#define IOMAP_DELALLOC		1
#define IOMAP_MAPPED		2
#define IOMAP_UNWRITTEN		3

#define IOMAP_F_NEW		0x01
#define IOMAP_F_DIRTY		0x02
#define IOMAP_F_SHARED		0x04

/* iomap_begin() request flags. */
#define IOMAP_WRITE		(1u << 0)
#define IOMAP_ZERO		(1u << 1)
#define IOMAP_REPORT		(1u << 2)
#define IOMAP_FAULT		(1u << 3)
#define IOMAP_DAX		(1u << 8)

#define IOMAP_NULL_ADDR		UINT64_MAX

/*
 * An answer: the bytes [offset, offset + length) of the file are of @type;
 * for MAPPED and UNWRITTEN @addr is the byte offset on the pmem device of
 * @offset (page offset addr >> PAGE_SHIFT for pmem_dax_direct_access()).
 */
struct iomap {
	uint64_t addr;
	uint64_t offset;
	uint64_t length;
	uint16_t type;
	uint16_t flags;
};

/* One block of a file's map. */
struct daxfs_bmap {
	uint32_t pblk;		/* pmem block; meaningless for a hole */
	uint8_t state;		/* enum daxfs_block_state */
};

enum daxfs_block_state { DAXFS_HOLE, DAXFS_WRITTEN, DAXFS_UNWRITTEN };

struct daxfs;

struct daxfs_file {
	struct daxfs *fs;
	atomic_t refcount;
	struct mutex lock;		/* i_rwsem: size, map and meta_dirty */
	char name[32];
	uint64_t size;			/* i_size */
	unsigned long nr_map;		/* capacity of map[] (file blocks) */
	struct daxfs_bmap *map;		/* grows with the highest block ever mapped */
	bool meta_dirty;		/* allocation or size change not yet fsynced */
	void *i_mapping;		/* MODEL: the DAX entry tree, owned by src/dax/ */
};

/* Mount over the pmem device (pmem_init() first); NULL with errno. */
struct daxfs *daxfs_mount(void);
void daxfs_unmount(struct daxfs *fs);

/* Blocks in use besides the superblock; 0 once every file is gone. */
unsigned long daxfs_blocks_used(struct daxfs *fs);
unsigned long daxfs_nr_blocks(struct daxfs *fs);
/* How many file blocks point at pmem block @pblk (0: free). */
unsigned int daxfs_block_share(struct daxfs *fs, unsigned long pblk);
/* The leak check: every block free and no file alive; -1 and a report on @out if not. */
int daxfs_check_final(struct daxfs *fs, FILE *out);
/* `inject block`: the next @n block allocations fail with -ENOSPC. */
void daxfs_inject_block(struct daxfs *fs, int n);
/* The next @n iomap_begin() calls fail with @err (T43 x: "iomap returns an error"). */
void daxfs_inject_iomap_error(struct daxfs *fs, int err, int n);
/* `inject iomap_hole`: the next @n write iomaps answer HOLE and allocate nothing. */
void daxfs_inject_iomap_hole(struct daxfs *fs, int n);
/* `inject iomap_short`: the next @n iomaps are 512 bytes long from the position asked. */
void daxfs_inject_iomap_short(struct daxfs *fs, int n);
/* `inject fsync`: the next @n fsyncs fail with -EIO and make nothing durable. */
void daxfs_inject_fsync(struct daxfs *fs, int n);
/* `inject nofs`: the next @n DAX PMD faults come with a caller gfp without __GFP_FS. */
void daxfs_inject_nofs(struct daxfs *fs, int n);
/* Whether this PMD fault of @f is one of them (takes one). */
bool daxfs_fault_nofs(struct daxfs_file *f);

struct daxfs_file *daxfs_create(struct daxfs *fs, const char *name, uint64_t size);
void daxfs_file_get(struct daxfs_file *f);
/* Last reference: evict the inode, freeing its blocks. */
void daxfs_file_put(struct daxfs_file *f);

/* write(2): allocate (zeroed) blocks, break shares, extend i_size. 0 or -errno. */
int daxfs_pwrite(struct daxfs_file *f, const void *buf, uint64_t len, uint64_t off);
int daxfs_pwrite_fill(struct daxfs_file *f, int byte, uint64_t len, uint64_t off);
/* read(2): holes and unwritten blocks read as zeroes; short at EOF. */
ssize_t daxfs_pread(struct daxfs_file *f, void *buf, uint64_t len, uint64_t off);
/* ftruncate(2): shrinking frees whole blocks past EOF and zeroes the tail. */
int daxfs_truncate(struct daxfs_file *f, uint64_t size);
/* FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE. */
int daxfs_punch(struct daxfs_file *f, uint64_t off, uint64_t len);
/* fallocate(mode 0): unwritten extents over the holes of the range, extending i_size. */
int daxfs_fallocate(struct daxfs_file *f, uint64_t off, uint64_t len);
int daxfs_fsync(struct daxfs_file *f);
/* FICLONE: @dst's old blocks are dropped and it shares all of @src's. */
int daxfs_reflink(struct daxfs_file *src, struct daxfs_file *dst);

static inline uint64_t daxfs_size(struct daxfs_file *f)
{
	return f->size;
}

/*
 * ->iomap_begin(): describe (and, for IOMAP_WRITE, allocate or unshare) the
 * file at @pos, for at most @length bytes.  A write makes the blocks
 * writable: holes and unwritten blocks become zeroed written blocks
 * (IOMAP_F_NEW); shared blocks are copied to new ones (IOMAP_F_NEW |
 * IOMAP_F_SHARED, the old extent in *srcmap).  0 or -errno (-ENOSPC).
 */
int daxfs_iomap_begin(struct daxfs_file *f, uint64_t pos, uint64_t length, unsigned int flags,
		      struct iomap *iomap, struct iomap *srcmap);
int daxfs_iomap_end(struct daxfs_file *f, uint64_t pos, uint64_t length, uint64_t written,
		    unsigned int flags, struct iomap *iomap);

#endif /* FL_FS_DAXFS_H */
