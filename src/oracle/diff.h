/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * diff.h - a small line diff for `faultline check`.
 */
#ifndef FL_ORACLE_DIFF_H
#define FL_ORACLE_DIFF_H

#include <stdio.h>

#define FL_DIFF_CONTEXT 3

/*
 * Compare two texts line by line.  Returns 0 if they are equal, 1 if they
 * differ (after printing a unified diff with "--- @a_name" / "+++ @b_name"
 * headers and FL_DIFF_CONTEXT lines of context to @out, if @out is not
 * NULL), -1 if out of memory.
 */
int fl_diff(FILE *out, const char *a_name, const char *a, const char *b_name, const char *b);

#endif /* FL_ORACLE_DIFF_H */
