// SPDX-License-Identifier: GPL-2.0-only
/*
 * bug.c - the record of broken invariants (see bug.h).
 *
 * Keeps the first few reports verbatim; later ones are only counted, as
 * the kernel rate-limits print_bad_pte().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/bug.h"

#define MAX_KEPT 16

static struct {
	char invariant[96];
	char message[512];
} kept[MAX_KEPT];
static int nr_reports;

void fl_report_bug(const char *invariant, const char *fmt, ...)
{
	va_list ap;

	if (nr_reports < MAX_KEPT) {
		snprintf(kept[nr_reports].invariant, sizeof(kept[0].invariant), "%s", invariant);
		va_start(ap, fmt);
		vsnprintf(kept[nr_reports].message, sizeof(kept[0].message), fmt, ap);
		va_end(ap);
	}
	nr_reports++;
}

int fl_bug_count(void)
{
	return nr_reports;
}

const char *fl_bug_first_invariant(void)
{
	return nr_reports ? kept[0].invariant : "";
}

const char *fl_bug_first_message(void)
{
	return nr_reports ? kept[0].message : "";
}

void fl_bug_reset(void)
{
	nr_reports = 0;
	memset(kept, 0, sizeof(kept));
}

void fl_bug_print_all(FILE *out)
{
	for (int i = 0; i < nr_reports && i < MAX_KEPT; i++)
		fprintf(out, "invariant: %s: %s\n", kept[i].invariant, kept[i].message);
	if (nr_reports > MAX_KEPT)
		fprintf(out, "(%d more reports)\n", nr_reports - MAX_KEPT);
}
