// SPDX-License-Identifier: GPL-2.0-only
/*
 * place.c - choosing the address of every scenario mapping.
 *
 * The driver, not the kernel, picks addresses, so that a scenario places
 * its mappings the same way on every run and in every process: a bump
 * allocator over the arena (1 GiB aligned, reserved by p0 and inherited by
 * every forked agent), one guard of FL_PLACE_GUARD after each mapping, and
 * each start rounded up to the mapping's align= (at least 2 MiB).  The 2
 * MiB guard also keeps two mappings from ever sharing a page table.
 * Addresses are never reused, even after munmap: an access to an unmapped
 * range must keep failing with SEGV_MAPERR.
 */
#include "oracle/place.h"

void fl_place_init(struct fl_place *p, uint64_t lo, uint64_t hi, uint64_t reserved)
{
	p->lo = lo;
	p->hi = hi;
	p->cursor = lo + reserved;
}

int fl_place_next(struct fl_place *p, uint64_t len, uint64_t align, uint64_t *start)
{
	uint64_t s;

	if (align & (align - 1) || !len)
		return -1;
	if (align < FL_PLACE_DEFAULT_ALIGN)
		align = FL_PLACE_DEFAULT_ALIGN;
	len = (len + 4095) & ~4095ull;	/* mmap rounds up the same way */
	s = p->cursor + FL_PLACE_GUARD;
	s = (s + align - 1) & ~(align - 1);
	if (s < p->cursor || s > p->hi || len > p->hi - s)
		return -1;
	p->cursor = s + len;
	*start = s;
	return 0;
}
