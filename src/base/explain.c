// SPDX-License-Identifier: GPL-2.0-only
/*
 * explain.c - the reason codes of --explain and what each one means.
 */
#include "base/explain.h"

const struct fl_reason_desc fl_reasons[FL_NR_REASONS] = {
	[FL_REASON_NONE] = { "none", "no fallback" },
	[FL_REASON_THP_OFF] = { "thp-off",
		"huge pages are off for this VMA (thp=never, thp=madvise without MADV_HUGEPAGE, or MADV_NOHUGEPAGE)" },
	[FL_REASON_VMA_RANGE] = { "vma-range",
		"the VMA is too small or unaligned: the aligned huge range around the address is not inside it" },
	[FL_REASON_PGOFF_UNALIGNED] = { "pgoff-unaligned",
		"the file offset and the virtual address disagree modulo the huge page size" },
	[FL_REASON_BEYOND_EOF] = { "beyond-eof", "the huge range reaches past the end of the file" },
	[FL_REASON_EXTENT_SMALL] = { "extent-small", "the file's extent is shorter than the huge page" },
	[FL_REASON_EXTENT_UNALIGNED] = { "extent-unaligned",
		"the file's extent is not physically aligned to the huge page size (see dax_fs_align)" },
	[FL_REASON_TABLE_PRESENT] = { "table-present",
		"a page table of the lower level is already installed there" },
	[FL_REASON_WRITE_PRIVATE] = { "write-private",
		"a write to a private mapping: the copy is made at PTE level" },
	[FL_REASON_RACE] = { "race", "another fault or thread changed the entry first" },
	[FL_REASON_ALLOC_FAILED] = { "alloc-failed", "the huge folio or a page table could not be allocated" },
	[FL_REASON_PMD_DISABLED] = { "pmd-disabled", "huge DAX faults are switched off (fs_dax_pmd=off)" },
	[FL_REASON_SYNC] = { "sync", "MAP_SYNC: the metadata must be made durable first" },
	[FL_REASON_PTE_ENTRIES] = { "pte-entries",
				    "the file's DAX entries in this range are PTE-sized" },
};
