/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * explain.h - why a fault mapped what it mapped (`faultline run --explain`).
 *
 * The fault core reports one event per level it tried: the level, the
 * handler, the VM_FAULT result and either what got mapped or a stable reason
 * code for falling back.  The codes are part of faultline's interface: users
 * grep for them, and `faultline --help` prints this table.
 */
#ifndef FL_BASE_EXPLAIN_H
#define FL_BASE_EXPLAIN_H

#include <stdint.h>

enum fl_reason {
	FL_REASON_NONE,
	FL_REASON_THP_OFF,		/* THP disabled for this VMA (setting or madvise) */
	FL_REASON_VMA_RANGE,		/* the aligned PMD/PUD range is not inside the VMA */
	FL_REASON_PGOFF_UNALIGNED,	/* file offset and address disagree modulo the level */
	FL_REASON_BEYOND_EOF,		/* the range reaches past the end of the file */
	FL_REASON_EXTENT_SMALL,		/* the extent is shorter than the level */
	FL_REASON_EXTENT_UNALIGNED,	/* the extent is not aligned physically for the level */
	FL_REASON_TABLE_PRESENT,	/* a lower-level table is already installed there */
	FL_REASON_WRITE_PRIVATE,	/* write to a private mapping: CoW happens at PTE level */
	FL_REASON_RACE,			/* something else got there first */
	FL_REASON_ALLOC_FAILED,		/* the huge folio or a table could not be allocated */
	FL_REASON_PMD_DISABLED,		/* huge faults switched off for the filesystem (V20) */
	FL_REASON_SYNC,			/* MAP_SYNC needs the metadata durable first */
	FL_REASON_PTE_ENTRIES,		/* DAX: PTE entries of the file lie in the PMD range (R43) */
	FL_NR_REASONS
};

struct fl_reason_desc {
	const char *code;
	const char *text;
};

extern const struct fl_reason_desc fl_reasons[FL_NR_REASONS];

#endif /* FL_BASE_EXPLAIN_H */
