// SPDX-License-Identifier: GPL-2.0-only
/*
 * zero.c - the huge zero folio (R39, R40, Q12).
 *
 * As in Linux: allocated on first use, a global reference count whose one
 * base reference belongs to the shrinker, and one more reference per mm
 * that ever mapped it (mm_get_huge_zero_folio, in src/mm/), dropped when
 * that mm is torn down.  Mapping it never touches the folio's own refcount
 * or mapcounts.  The shrinker frees it when only its base reference is left;
 * the scenario runner calls it at the end so that "every frame is free
 * again" holds.
 */
#include "phys/phys.h"

bool get_huge_zero_folio(void)
{
	struct folio *zero;

	for (;;) {
		int old = atomic_read(&machine.huge_zero_refcount);

		if (!old)
			break;
		if (atomic_cmpxchg(&machine.huge_zero_refcount, old, old + 1) == old)
			return true;
	}
	zero = folio_alloc(__GFP_ZERO | __GFP_COMP, HPAGE_PMD_ORDER);
	if (!zero) {
		count_vm_event(THP_ZERO_PAGE_ALLOC_FAILED);
		return false;
	}
	/* MODEL: single-threaded allocation race is resolved by the caller's locks. */
	set_page_flag(&zero->page, PG_zero);
	machine.huge_zero_pfn = folio_pfn(zero);
	machine.huge_zero_folio = zero;
	count_vm_event(THP_ZERO_PAGE_ALLOC);
	/* One reference for the shrinker, one for the caller. */
	atomic_set(&machine.huge_zero_refcount, 2);
	return true;
}

void put_huge_zero_folio(void)
{
	/* The shrinker's reference keeps this from reaching zero (Q12). */
	if (atomic_dec_return(&machine.huge_zero_refcount) < 1)
		count_vm_event(BAD_PAGE_MAP);
}

void shrink_huge_zero_folio(void)
{
	struct folio *zero = machine.huge_zero_folio;

	if (!zero || atomic_cmpxchg(&machine.huge_zero_refcount, 1, 0) != 1)
		return;
	machine.huge_zero_folio = NULL;
	machine.huge_zero_pfn = 0;
	clear_page_flag(&zero->page, PG_zero);
	folio_put(zero);
}
