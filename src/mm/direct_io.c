// SPDX-License-Identifier: GPL-2.0-only
/*
 * direct_io.c - what an O_DIRECT read(2) of a disk file does to the user
 * buffer it reads into (KERNEL-FACTS s9a; the scenario extension
 * `dio-read`, docs/contract-notes.md).
 *
 * iomap_dio_rw() never copies through the page cache.  For each extent of
 * the file it asks the filesystem about:
 *
 *  - a mapped extent becomes a bio whose pages come from the user buffer
 *    itself: iov_iter_extract_pages() pins them with FOLL_WRITE (the device
 *    writes into them), which faults in what is missing and breaks CoW on
 *    the zero page and on shared anonymous pages.  Those GUP faults count
 *    in the caller's rusage like any other.  When the read completes,
 *    bio_release_pages() marks every page dirty (set_page_dirty_lock(): the
 *    data came from a device, not from a store the MMU saw) and unpins;
 *  - a hole (or unwritten blocks) is zeroed by iov_iter_zero(), an ordinary
 *    copy to user space: normal write faults, and the page is dirty only in
 *    its PTE.
 *
 * A read that starts at or past EOF returns 0 and touches nothing; past EOF
 * inside the request the blocks are holes, so the buffer is zeroed there.
 * MODEL: the filesystem's blocks are 4 KiB pages of the backing store (a
 * NULL block is a hole), and the caller has written the whole file back
 * first, where Linux writes back only the range (kiocb_write_and_wait()).
 */
#include <errno.h>
#include <string.h>

#include "fs/pagecache.h"
#include "mm/mm.h"

/* One chunk inside one file block and one user page, from a mapped block. */
static int dio_copy_block(struct mm_struct *mm, const uint8_t *src, uint64_t va, size_t n)
{
	struct fl_leaf leaf;
	struct fl_gup *g;
	int err;

	g = fl_gup_flags(mm, va, n, FOLL_WRITE | FOLL_PIN, &err);
	if (!g)
		return err;
	fl_walk(mm, va, &leaf);
	if (leaf.level && pfn_has_bytes(leaf.pfn)) {
		memcpy((uint8_t *)pfn_to_virt(leaf.pfn) + (va & ~PAGE_MASK), src, n);
		folio_set_dirty(page_folio(pfn_to_page(leaf.pfn)));
	} else {
		err = -EFAULT;
	}
	fl_gup_release(g);
	return err;
}

/* iov_iter_zero() into user memory: a store, with its faults. */
static int dio_zero_user(struct mm_struct *mm, uint64_t va, size_t n)
{
	static const uint8_t zeroes[PAGE_SIZE];
	struct fl_access_result res;
	int err = fl_access(mm, va, true, (uint8_t *)zeroes, n, &res);

	return err ? err : res.signo ? -EFAULT : 0;
}

/*
 * Read [pos, pos+len) of @f into @mm at @va.  Returns the bytes read (short
 * at EOF) or a negative errno, as pread(2) would.
 */
long fl_dio_read(struct mm_struct *mm, struct fl_file *f, uint64_t pos, uint64_t va,
		 uint64_t len)
{
	uint64_t done = 0, size = f->size;

	if (f->kind != FL_FILE_PAGECACHE)
		return -EINVAL;
	if (pos >= size)
		return 0;
	while (done < len) {
		uint64_t fpos = pos + done, uva = va + done;
		unsigned long index = (unsigned long)(fpos >> PAGE_SHIFT);
		size_t n = PAGE_SIZE - (size_t)(fpos & ~PAGE_MASK);
		const uint8_t *block = index < f->nr_slots ? f->disk[index] : NULL;
		int err;

		if (n > PAGE_SIZE - (uva & ~PAGE_MASK))
			n = PAGE_SIZE - (size_t)(uva & ~PAGE_MASK);
		if (n > len - done)
			n = (size_t)(len - done);
		err = block ? dio_copy_block(mm, block + (fpos & ~PAGE_MASK), uva, n)
			    : dio_zero_user(mm, uva, n);
		if (err)
			return done ? (long)done : err;
		done += n;
	}
	return (long)(pos + len > size ? size - pos : len);
}
