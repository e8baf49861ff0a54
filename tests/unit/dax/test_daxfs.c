// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_daxfs.c - the DAX filesystem of src/fs/daxfs.c: what its iomap
 * answers (SPEC.md section 4, DAXF: HOLE / UNWRITTEN / MAPPED with F_NEW,
 * F_SHARED, F_DIRTY; R48 relies on the type, R44/R61 on SHARED, R56 on
 * DIRTY), where it puts blocks (dax_fs_align), and that its bytes are never
 * stale.
 *
 * Block 0 of pmem is the superblock, so "first fit" is never aligned by
 * luck:
 *
 *   pmem block:  0    1 .............. 511 | 512 ........... 1023 | ...
 *                sb   4K-aligned extents   | 2M-aligned extents
 *
 * The data tests write patterns, then punch, truncate, re-extend, reflink
 * and CoW, and after each step compare three views that must agree: what
 * the test expects, what pread() returns, and what the host file behind
 * pmem holds at the addresses iomap reports.
 */
#include <stdlib.h>

#include "dax_test.h"

#define K4	4096ull
#define M1	(1ull << 20)
#define M2	(2ull << 20)

static struct daxfs_file *create(const char *name, uint64_t size)
{
	struct daxfs_file *f = daxfs_create(test_fs, name, size);

	assert_non_null(f);
	return f;
}

static struct iomap map_at(struct daxfs_file *f, uint64_t pos, uint64_t len, unsigned int flags)
{
	struct iomap iomap, srcmap;

	assert_int_equal(daxfs_iomap_begin(f, pos, len, flags, &iomap, &srcmap), 0);
	assert_int_equal(daxfs_iomap_end(f, pos, len, len, flags, &iomap), 0);
	return iomap;
}

static void assert_iomap(struct iomap m, int type, uint64_t offset, uint64_t length, int flags)
{
	if (m.type != type || m.offset != offset || m.length != length || m.flags != flags)
		fail_msg("iomap type %d offset %#llx length %#llx flags %#x, want %d %#llx %#llx %#x",
			 m.type, (unsigned long long)m.offset, (unsigned long long)m.length, m.flags,
			 type, (unsigned long long)offset, (unsigned long long)length, flags);
	if ((type == IOMAP_HOLE) != (m.addr == IOMAP_NULL_ADDR))
		fail_msg("iomap addr %#llx for type %d", (unsigned long long)m.addr, type);
}

/*
 * The three views agree on [0, size): pread equals @want (NULL: skip), and
 * the host file holds pread's bytes at every written block's address and
 * zeroes at every unwritten one.
 */
static void assert_views(struct daxfs_file *f, const uint8_t *want)
{
	uint64_t size = daxfs_size(f);
	uint8_t *got = malloc(size + 1), blk[K4];

	assert_non_null(got);
	assert_int_equal(daxfs_pread(f, got, size, 0), (ssize_t)size);
	if (want)
		assert_memory_equal(got, want, size);
	for (uint64_t pos = 0; pos < size; pos += K4) {
		struct iomap m = map_at(f, pos, K4, 0);
		uint64_t n = size - pos < K4 ? size - pos : K4;

		if (m.type == IOMAP_HOLE)
			continue;
		assert_int_equal(pread(pmem_host_fd(), blk, K4, (off_t)m.addr), (ssize_t)K4);
		if (m.type == IOMAP_UNWRITTEN) {
			static const uint8_t zero[K4];

			assert_memory_equal(blk, zero, K4);
		} else {
			assert_memory_equal(blk, got + pos, n);
		}
	}
	free(got);
}

/* ------------------------------------------------------------ alignment */

/* dax_fs_align=A: an extent at file offset O starts at pmem offset = O mod A. */
static void test_align(void **state)
{
	static const struct { uint64_t align, pmem; } cases[] = {
		{ 4096, 64ull << 20 }, { 2ull << 20, 64ull << 20 }, { 1ull << 30, 2ull << 30 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t a = cases[i].align;
		struct daxfs_file *f, *g;
		struct fl_config cfg;
		struct iomap m;

		dax_test_config(&cfg);
		cfg.dax_fs_align = a;
		cfg.pmem = cases[i].pmem;
		assert_int_equal(dax_machine_up_with(&cfg), 0);
		f = create("f", 0);
		g = create("g", 0);
		assert_int_equal(daxfs_pwrite_fill(f, 0xab, M2, 0), 0);
		m = map_at(f, 0, M2, 0);
		assert_iomap(m, IOMAP_MAPPED, 0, M2, 0);	/* one extent */
		if (a == 4096)
			assert_int_equal(m.addr, K4);		/* right after the superblock */
		else
			assert_int_equal(m.addr % a, 0);
		/* a colour-5 block lands on colour 5 */
		assert_int_equal(daxfs_pwrite_fill(g, 1, 1, 5 * K4), 0);
		m = map_at(g, 5 * K4, K4, 0);
		assert_int_equal(m.addr % a, 5 * K4 % a);
		daxfs_file_put(f);
		daxfs_file_put(g);
		assert_int_equal(dax_machine_down(NULL), 0);
	}
}

/* "When the request allows": no aligned space left gives an unaligned extent. */
static void test_align_fallback(void **state)
{
	struct daxfs_file *f, *g;
	struct fl_config cfg;
	struct iomap m;

	(void)state;
	dax_test_config(&cfg);
	cfg.pmem = 4ull << 20;		/* blocks 0..1023: 2M-aligned space only at 512 */
	assert_int_equal(dax_machine_up_with(&cfg), 0);
	f = create("f", 0);
	g = create("g", 0);
	assert_int_equal(daxfs_pwrite_fill(f, 1, M2, 0), 0);
	assert_iomap(map_at(f, 0, M2, 0), IOMAP_MAPPED, 0, M2, 0);
	assert_int_equal(map_at(f, 0, M2, 0).addr, M2);
	assert_int_equal(daxfs_pwrite_fill(g, 2, M1, 0), 0);
	m = map_at(g, 0, M1, 0);
	assert_iomap(m, IOMAP_MAPPED, 0, M1, 0);
	assert_int_equal(m.addr, K4);			/* unaligned: a PMD fault would fall back */
	assert_int_equal(daxfs_blocks_used(test_fs), 512 + 256);
	daxfs_file_put(f);
	daxfs_file_put(g);
	assert_int_equal(dax_machine_down(NULL), 0);
}

/* ---------------------------------------------------------------- iomap */

static void test_iomap_types(void **state)
{
	struct daxfs_file *f = create("daxf", 8 * M1);
	struct iomap m;

	(void)state;
	/*
	 * 0      2M        3M     4M  4M+8K                  8M
	 * | hole | unwritten | hole |data|        hole          |
	 */
	assert_int_equal(daxfs_fallocate(f, M2, M1), 0);
	assert_int_equal(daxfs_pwrite_fill(f, 0x11, 2 * K4, 4 * M1), 0);
	assert_int_equal(daxfs_size(f), 8 * M1);	/* both inside i_size */

	assert_iomap(map_at(f, 0, 8 * M1, 0), IOMAP_HOLE, 0, M2, 0);
	assert_iomap(map_at(f, M2, 8 * M1, 0), IOMAP_UNWRITTEN, M2, M1, 0);
	assert_iomap(map_at(f, M2 + K4, K4, 0), IOMAP_UNWRITTEN, M2 + K4, K4, 0);
	assert_iomap(map_at(f, 3 * M1, 8 * M1, 0), IOMAP_HOLE, 3 * M1, M1, 0);
	assert_iomap(map_at(f, 4 * M1, M1, 0), IOMAP_MAPPED, 4 * M1, 2 * K4, 0);
	assert_iomap(map_at(f, 4 * M1 + 100, 1, 0), IOMAP_MAPPED, 4 * M1, K4, 0);
	assert_iomap(map_at(f, 7 * M1, M2, 0), IOMAP_HOLE, 7 * M1, M2, 0);	/* past EOF too */

	/* R56: a write sees F_DIRTY until fsync makes the allocation durable */
	assert_iomap(map_at(f, 4 * M1, K4, IOMAP_WRITE), IOMAP_MAPPED, 4 * M1, K4, IOMAP_F_DIRTY);
	assert_int_equal(daxfs_fsync(f), 0);
	assert_iomap(map_at(f, 4 * M1, K4, IOMAP_WRITE), IOMAP_MAPPED, 4 * M1, K4, 0);

	/* a write fault into a hole: a new, zeroed, 2M-aligned extent */
	m = map_at(f, 0, M2, IOMAP_WRITE | IOMAP_FAULT | IOMAP_DAX);
	assert_iomap(m, IOMAP_MAPPED, 0, M2, IOMAP_F_NEW | IOMAP_F_DIRTY);
	assert_int_equal(m.addr % M2, 0);
	assert_int_equal(daxfs_fsync(f), 0);
	assert_iomap(map_at(f, 0, M2, 0), IOMAP_MAPPED, 0, M2, 0);

	/* a write into unwritten space converts only what it asks for */
	assert_iomap(map_at(f, M2, K4, IOMAP_WRITE), IOMAP_MAPPED, M2, K4, IOMAP_F_NEW | IOMAP_F_DIRTY);
	assert_iomap(map_at(f, M2 + K4, K4, 0), IOMAP_UNWRITTEN, M2 + K4, K4, 0);

	assert_int_equal(daxfs_iomap_begin(f, 0, 0, 0, &m, &m), -EINVAL);
	assert_views(f, NULL);
	daxfs_file_put(f);
}

/* Reflink: both files see F_SHARED; a write breaks the share (F_NEW|F_SHARED, srcmap). */
static void test_iomap_shared(void **state)
{
	struct daxfs_file *a = create("a", 0), *b = create("b", 0);
	struct iomap m, src, ma;

	(void)state;
	assert_int_equal(daxfs_pwrite_fill(a, 0x5a, 4 * K4, 0), 0);
	assert_int_equal(daxfs_reflink(a, b), 0);
	assert_int_equal(daxfs_size(b), 4 * K4);
	ma = map_at(a, 0, 4 * K4, 0);
	assert_iomap(ma, IOMAP_MAPPED, 0, 4 * K4, IOMAP_F_SHARED);
	m = map_at(b, 0, 4 * K4, 0);
	assert_iomap(m, IOMAP_MAPPED, 0, 4 * K4, IOMAP_F_SHARED);
	assert_int_equal(m.addr, ma.addr);
	assert_int_equal(daxfs_block_share(test_fs, ma.addr >> 12), 2);
	assert_int_equal(daxfs_blocks_used(test_fs), 4);

	/* R44/R48 step 6: the write fault's answer is a new block plus the old one */
	assert_int_equal(daxfs_iomap_begin(b, K4, K4, IOMAP_WRITE, &m, &src), 0);
	assert_iomap(m, IOMAP_MAPPED, K4, K4, IOMAP_F_NEW | IOMAP_F_SHARED | IOMAP_F_DIRTY);
	assert_iomap(src, IOMAP_MAPPED, K4, K4, 0);
	assert_int_equal(src.addr, ma.addr + K4);
	assert_true(m.addr != src.addr);
	assert_int_equal(daxfs_blocks_used(test_fs), 5);

	/* a's view: block 1 is its own again, blocks 0, 2, 3 still shared */
	assert_iomap(map_at(a, 0, 4 * K4, 0), IOMAP_MAPPED, 0, K4, IOMAP_F_SHARED);
	assert_iomap(map_at(a, K4, 4 * K4, 0), IOMAP_MAPPED, K4, K4, 0);
	assert_iomap(map_at(a, 2 * K4, 4 * K4, 0), IOMAP_MAPPED, 2 * K4, 2 * K4, IOMAP_F_SHARED);
	assert_views(a, NULL);
	assert_views(b, NULL);
	daxfs_file_put(a);
	assert_iomap(map_at(b, 0, K4, 0), IOMAP_MAPPED, 0, K4, 0);	/* no longer shared */
	daxfs_file_put(b);
}

/* ----------------------------------------------------------------- data */

/* Write, punch, truncate, re-extend, reflink, CoW: never a stale byte. */
static void test_data_never_stale(void **state)
{
	enum { SZ = 5 * 4096 };
	struct daxfs_file *a = create("a", 0), *b = create("b", 0), *c;
	static uint8_t want[SZ], wb[SZ];
	struct iomap m;

	(void)state;
	/* a = AA x 5 blocks */
	assert_int_equal(daxfs_pwrite_fill(a, 0xaa, SZ, 0), 0);
	memset(want, 0xaa, SZ);
	assert_views(a, want);

	/* punch block 1 whole and bytes [3*4K+100, 3*4K+300) */
	assert_int_equal(daxfs_punch(a, K4, K4), 0);
	assert_int_equal(daxfs_punch(a, 3 * K4 + 100, 200), 0);
	memset(want + K4, 0, K4);
	memset(want + 3 * K4 + 100, 0, 200);
	assert_int_equal(daxfs_size(a), SZ);		/* punch keeps the size */
	assert_iomap(map_at(a, K4, K4, 0), IOMAP_HOLE, K4, K4, 0);
	assert_int_equal(daxfs_blocks_used(test_fs), 4);
	assert_views(a, want);

	/* truncate into block 2, scribble past EOF in pmem (as a mapping could), re-extend */
	assert_int_equal(daxfs_truncate(a, 2 * K4 + 1000), 0);
	assert_int_equal(daxfs_blocks_used(test_fs), 2);	/* blocks 0 and 2 */
	m = map_at(a, 2 * K4, K4, 0);
	assert_int_equal(pwrite(pmem_host_fd(), "stale", 5, (off_t)(m.addr + 2000)), 5);
	assert_int_equal(daxfs_truncate(a, SZ), 0);
	memset(want + 2 * K4 + 1000, 0, SZ - (2 * K4 + 1000));
	assert_iomap(map_at(a, 3 * K4, 2 * K4, 0), IOMAP_HOLE, 3 * K4, 2 * K4, 0);
	assert_views(a, want);

	/* reflink, then write one side: the other is unchanged */
	assert_int_equal(daxfs_reflink(a, b), 0);
	memcpy(wb, want, SZ);
	assert_int_equal(daxfs_pwrite_fill(b, 0xbb, 10, 2 * K4 + 5), 0);
	memset(wb + 2 * K4 + 5, 0xbb, 10);
	assert_views(a, want);
	assert_views(b, wb);
	/* truncating the shared tail of b must not zero a's copy */
	assert_int_equal(daxfs_truncate(b, 100), 0);
	assert_int_equal(daxfs_truncate(b, SZ), 0);
	memset(wb + 100, 0, SZ - 100);
	assert_views(a, want);
	assert_views(b, wb);
	/* punching inside a shared block unshares it first */
	assert_int_equal(daxfs_reflink(a, b), 0);
	assert_int_equal(daxfs_punch(b, 10, 10), 0);
	memcpy(wb, want, SZ);
	memset(wb + 10, 0, 10);
	assert_views(a, want);
	assert_views(b, wb);

	/* a new file on the freed blocks reads zeroes, never a or b's bytes */
	daxfs_file_put(a);
	daxfs_file_put(b);
	assert_int_equal(daxfs_blocks_used(test_fs), 0);
	c = create("c", 0);
	assert_int_equal(daxfs_fallocate(c, 0, 64 * K4), 0);
	assert_int_equal(daxfs_pwrite_fill(c, 0xcc, 1, 64 * K4 - 1), 0);
	memset(wb, 0, SZ);
	assert_views(c, NULL);
	for (uint64_t pos = 0; pos < 64 * K4; pos += SZ) {
		static uint8_t got[SZ];
		uint64_t n = 64 * K4 - pos < SZ ? 64 * K4 - pos - 1 : SZ;

		assert_int_equal(daxfs_pread(c, got, n, pos), (ssize_t)n);
		assert_memory_equal(got, wb, n);
	}
	daxfs_file_put(c);
}

static void test_pread_pwrite_edges(void **state)
{
	struct daxfs_file *f = create("f", 0);
	uint8_t buf[64];

	(void)state;
	assert_int_equal(daxfs_pread(f, buf, 10, 0), 0);		/* empty file */
	assert_int_equal(daxfs_pwrite(f, "hello", 5, K4 - 2), 0);	/* straddles two blocks */
	assert_int_equal(daxfs_size(f), K4 + 3);
	assert_int_equal(daxfs_blocks_used(test_fs), 2);
	assert_int_equal(daxfs_pread(f, buf, 64, K4 - 2), 5);	/* short at EOF */
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(daxfs_pread(f, buf, 64, 2 * K4), 0);	/* past EOF */
	/* the rest of a partly written block is zero */
	assert_int_equal(daxfs_pread(f, buf, 8, K4 - 10), 8);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
	daxfs_file_put(f);
}

/* -------------------------------------------------------- accounting */

static void test_leak_check(void **state)
{
	struct daxfs_file *f = create("leaky", 0);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(daxfs_pwrite_fill(f, 1, 3 * K4, 0), 0);
	assert_int_equal(daxfs_check_final(test_fs, out), -1);
	fclose(out);
	assert_non_null(strstr(text, "3 blocks still allocated"));
	assert_non_null(strstr(text, "1 files still alive"));
	free(text);
	assert_true(fl_alloc_live(FL_ALLOC_DAX_FILE) == 1);
	daxfs_file_put(f);
	assert_int_equal(daxfs_check_final(test_fs, stderr), 0);
	assert_true(fl_alloc_live(FL_ALLOC_DAX_FILE) == 0);
	assert_true(fl_alloc_live(FL_ALLOC_DAX_EXTENT) == 0);
}

static void test_enospc(void **state)
{
	struct daxfs_file *f = create("f", 0), *g = create("g", 0);
	struct iomap m, src;

	(void)state;
	daxfs_inject_iomap_error(test_fs, -EIO, 1);
	assert_int_equal(daxfs_iomap_begin(f, 0, K4, 0, &m, &src), -EIO);
	assert_int_equal(daxfs_iomap_begin(f, 0, K4, 0, &m, &src), 0);
	daxfs_inject_block(test_fs, 1);
	assert_int_equal(daxfs_pwrite_fill(f, 1, K4, 0), -ENOSPC);
	assert_int_equal(daxfs_size(f), 0);
	assert_int_equal(daxfs_iomap_begin(f, 0, K4, IOMAP_WRITE, &m, &src), 0);
	/* fill the device: the superblock is the only block left over */
	assert_int_equal(daxfs_pwrite_fill(g, 2, (TEST_PMEM_PAGES - 2) * K4, 0), 0);
	assert_int_equal(daxfs_blocks_used(test_fs), daxfs_nr_blocks(test_fs) - 1);
	assert_int_equal(daxfs_iomap_begin(f, K4, K4, IOMAP_WRITE, &m, &src), -ENOSPC);
	assert_int_equal(daxfs_fallocate(f, K4, K4), -ENOSPC);
	daxfs_file_put(g);
	assert_int_equal(daxfs_fallocate(f, K4, K4), 0);
	daxfs_file_put(f);
}

/* -------------------------------------------------- randomized against a model */

#define RND_FILES	3
#define RND_MAX		(48 * 4096)

struct ref_file {
	struct daxfs_file *f;
	uint64_t size;
	uint8_t bytes[RND_MAX];
};

static void rnd_check(struct ref_file *r)
{
	assert_int_equal(daxfs_size(r->f), r->size);
	assert_views(r->f, r->bytes);
}

/* One random operation on file @i (reflink also touches another). */
static void rnd_step(struct ref_file *rf, uint64_t *seed)
{
	struct ref_file *r = &rf[rng_below(seed, RND_FILES)];
	uint64_t off = rng_below(seed, RND_MAX), len = 1 + rng_below(seed, RND_MAX - off);
	int byte = (int)rng_below(seed, 255) + 1;

	if (rng_below(seed, 4) == 0)
		len = 1 + rng_below(seed, 3 * 4096);	/* small ones: partial blocks */
	if (off + len > RND_MAX)
		len = RND_MAX - off;
	switch (rng_below(seed, 6)) {
	case 0: case 1:
		assert_int_equal(daxfs_pwrite_fill(r->f, byte, len, off), 0);
		memset(r->bytes + off, byte, len);
		if (off + len > r->size)
			r->size = off + len;
		break;
	case 2:
		assert_int_equal(daxfs_punch(r->f, off, len), 0);
		if (off < r->size)
			memset(r->bytes + off, 0, (off + len > r->size ? r->size : off + len) - off);
		break;
	case 3:
		assert_int_equal(daxfs_truncate(r->f, off), 0);
		if (off < r->size)
			memset(r->bytes + off, 0, r->size - off);
		r->size = off;
		break;
	case 4:
		assert_int_equal(daxfs_fallocate(r->f, off, len), 0);
		if (off + len > r->size)
			r->size = off + len;
		break;
	default: {
		struct ref_file *d = &rf[rng_below(seed, RND_FILES)];

		if (d == r)
			break;
		/*
		 * FICLONE: the source's blocks up to its EOF block replace the
		 * destination's; the rest stays and the size only grows.
		 */
		uint64_t span = (r->size + 4095) & ~4095ull;

		assert_int_equal(daxfs_reflink(r->f, d->f), 0);
		memcpy(d->bytes, r->bytes, span > RND_MAX ? RND_MAX : span);
		if (r->size > d->size)
			d->size = r->size;
	}
	}
}

/*
 * Random pwrite/punch/truncate/fallocate/reflink on three files, every
 * step checked against byte arrays: pread, the host file at iomap's
 * addresses and the model agree, and at the end every block comes back.
 */
static void test_random_against_model(void **state)
{
	static struct ref_file rf[RND_FILES];
	uint64_t seed = test_seed("daxfs random", 0x5eedda7a);
	unsigned long steps = test_scale(600);

	(void)state;
	for (int i = 0; i < RND_FILES; i++) {
		memset(&rf[i], 0, sizeof(rf[i]));
		rf[i].f = create("r", 0);
	}
	for (unsigned long n = 0; n < steps; n++) {
		rnd_step(rf, &seed);
		for (int i = 0; i < RND_FILES; i++)
			rnd_check(&rf[i]);
	}
	for (int i = 0; i < RND_FILES; i++)
		daxfs_file_put(rf[i].f);
	assert_int_equal(daxfs_blocks_used(test_fs), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_align),
		cmocka_unit_test(test_align_fallback),
		cmocka_unit_test_setup_teardown(test_iomap_types, dax_machine_up, dax_machine_down),
		cmocka_unit_test_setup_teardown(test_iomap_shared, dax_machine_up, dax_machine_down),
		cmocka_unit_test_setup_teardown(test_data_never_stale, dax_machine_up, dax_machine_down),
		cmocka_unit_test_setup_teardown(test_pread_pwrite_edges, dax_machine_up, dax_machine_down),
		cmocka_unit_test_setup_teardown(test_leak_check, dax_machine_up, dax_machine_down),
		cmocka_unit_test_setup_teardown(test_enospc, dax_machine_up, dax_machine_down),
		cmocka_unit_test_setup_teardown(test_random_against_model, dax_machine_up, dax_machine_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
