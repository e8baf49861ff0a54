/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bug.h - the model's own "this cannot happen" reports.
 *
 * Where Linux would print "BUG: Bad rss-counter state" or "Bad page map"
 * and carry on, the model records the report here under the invariant's
 * name, in the kernel's words.  src/check/ looks at the record after every
 * step and stops the run with exit status 3 and a dump if anything was
 * reported: a broken invariant is a bug in faultline (or, under a variant
 * that reproduces a seed's defect, the defect made visible).
 */
#ifndef FL_BASE_BUG_H
#define FL_BASE_BUG_H

#include <stdio.h>

#if defined(__GNUC__)
#define FL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FL_PRINTF(a, b)
#endif

void fl_report_bug(const char *invariant, const char *fmt, ...) FL_PRINTF(2, 3);
/* Reports since the last reset; the first one's invariant and message. */
int fl_bug_count(void);
const char *fl_bug_first_invariant(void);
const char *fl_bug_first_message(void);
void fl_bug_reset(void);
void fl_bug_print_all(FILE *out);

#endif /* FL_BASE_BUG_H */
