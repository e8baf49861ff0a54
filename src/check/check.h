/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check.h - the model's invariants (SPEC.md section 6), checked after every
 * scenario step and once more when everything has been torn down.
 */
#ifndef FL_CHECK_CHECK_H
#define FL_CHECK_CHECK_H

#include <stdio.h>

#include "mm/mm.h"

/*
 * Check every invariant over the live address spaces @mms (NULL entries
 * are skipped).  Returns 0, or -1 after printing the broken invariant's name,
 * what broke and a dump of the state involved to @out.
 */
int fl_check_invariants(struct mm_struct *const *mms, int nmms, FILE *out);

/*
 * After every process has exited and the huge zero folio was shrunk: every
 * frame, table and model object is free again.  0, or -1 with a report.
 */
int fl_check_final(FILE *out);

/* The name of the invariant the last failed check (or model report) named first. */
const char *fl_check_broken(void);

/*
 * FS-DAX (SPEC.md section 6, invariants 6-8 and 10): the entries of the DAX
 * files @maps, and every block of @fs against its page's refcount; @final
 * once every mapping is gone.  0, or -1 with a report.
 */
struct dax_mapping;
struct daxfs;
int fl_check_dax(struct dax_mapping *const *maps, int nmaps, struct daxfs *fs, bool final,
		 FILE *out);

#endif /* FL_CHECK_CHECK_H */
