/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * place.h - where scenario mappings go in the agents' arena.
 */
#ifndef FL_ORACLE_PLACE_H
#define FL_ORACLE_PLACE_H

#include <stdint.h>

/* Unmapped (PROT_NONE arena) space left between two scenario mappings. */
#define FL_PLACE_GUARD		(2ull << 20)
/* Alignment of a mapping without align=: 2 MiB, as Linux itself aligns
 * anonymous mappings whose length is a multiple of 2 MiB. */
#define FL_PLACE_DEFAULT_ALIGN	(2ull << 20)

struct fl_place {
	uint64_t lo, hi;	/* the arena */
	uint64_t cursor;	/* end of the last mapping placed */
};

void fl_place_init(struct fl_place *p, uint64_t lo, uint64_t hi, uint64_t reserved);
/* 0 and *start, or -1 when the arena is full or @align is not a power of two. */
int fl_place_next(struct fl_place *p, uint64_t len, uint64_t align, uint64_t *start);

#endif /* FL_ORACLE_PLACE_H */
