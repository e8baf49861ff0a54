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

#endif /* FL_CHECK_CHECK_H */
