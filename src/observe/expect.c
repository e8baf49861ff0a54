// SPDX-License-Identifier: GPL-2.0-only
/*
 * expect.c - evaluating `expect` and `expect-counter` on a snapshot.
 *
 * An `expect` is checked page by page (pages=N means N independent 4 KiB
 * pages, not a claim about how the printer would group them) and field by
 * field, and the first field that differs on the first page that differs
 * is what the message names; the number of other failing pages follows, so
 * a 512-page assertion that is wrong everywhere prints one line, not 512.
 *
 * Which fields can be checked depends on the producer.  The kernel cannot
 * show write, dirty or refcount at all, so SCENARIOS.md makes an `expect`
 * that uses any of them a skip on the kernel, not a failure.  excl and
 * mapcount come from pagemap and kpagecount, which the oracle may fail to
 * read (not root): a record without them skips just that field on the
 * kernel.  The model always knows what it has; a model record missing an
 * asserted field (refcount of a raw pfn) is a failure, because the
 * assertion then talks about something that does not exist.
 */
#include <stdio.h>
#include <string.h>

#include "observe/expect.h"

#define PAGE 4096ull

static bool is_kernel(const struct fl_obs_snapshot *s)
{
	return s->producer && !strcmp(s->producer, "kernel");
}

/* 0 when @want is not asserted or matches; else 1 with @why filled. */
static int check_field(const char *name, bool has, long got, long want, bool lenient,
		       char *why, size_t len)
{
	if (want < 0)
		return 0;
	if (!has) {
		if (lenient)
			return 0;
		snprintf(why, len, "%s not known, expected %s=%ld", name, name, want);
		return 1;
	}
	if (got == want)
		return 0;
	snprintf(why, len, "%s=%ld, expected %ld", name, got, want);
	return 1;
}

static int check_fields(const struct fl_obs_page *pg, const struct fl_expect_page *e,
			bool lenient, char *why, size_t len)
{
	return check_field("excl", pg->has & FL_OBS_EXCL, pg->excl, e->excl, lenient, why, len) ||
	       check_field("mapcount", pg->has & FL_OBS_MAPCOUNT, pg->mapcount, e->mapcount,
			   lenient, why, len) ||
	       check_field("write", pg->has & FL_OBS_WRITE, pg->write, e->write, lenient, why, len) ||
	       check_field("dirty", pg->has & FL_OBS_DIRTY, pg->dirty, e->dirty, lenient, why, len) ||
	       check_field("refcount", pg->has & FL_OBS_REFCOUNT, pg->refcount, e->refcount,
			   lenient, why, len);
}

static int check_same(const struct fl_obs_page *pg, const struct fl_obs_snapshot *same,
		      uint64_t same_va, char *why, size_t len)
{
	const struct fl_obs_page *other = fl_obs_find(same, same_va);
	char where[160];

	if (other && other->pfn == pg->pfn)
		return 0;
	fl_obs_format_addr(same, same_va, where, sizeof(where));
	if (!other)
		snprintf(why, len, "not the same page as %s (nothing mapped there)", where);
	else
		snprintf(why, len, "not the same page as %s (%s there)", where,
			 fl_kind_name((enum fl_kind)other->kind));
	return 1;
}

/* 0 if the page at @va meets @e, else 1 with the reason in @why. */
static int check_page(const struct fl_obs_snapshot *s, uint64_t va,
		      const struct fl_obs_snapshot *same, uint64_t same_va,
		      const struct fl_expect_page *e, char *why, size_t len)
{
	const struct fl_obs_page *pg = fl_obs_find(s, va);

	if (e->kind == FL_KIND_NONE) {
		if (!pg)
			return 0;
		snprintf(why, len, "kind %s, expected none", fl_kind_name((enum fl_kind)pg->kind));
		return 1;
	}
	if (!pg) {
		snprintf(why, len, "kind none, expected %s", fl_kind_name(e->kind));
		return 1;
	}
	if (pg->kind != e->kind) {
		snprintf(why, len, "kind %s, expected %s", fl_kind_name((enum fl_kind)pg->kind),
			 fl_kind_name(e->kind));
		return 1;
	}
	if (e->level >= 0 && pg->level != e->level) {
		snprintf(why, len, "level %s, expected %s", fl_level_name((enum fl_level)pg->level),
			 fl_level_name((enum fl_level)e->level));
		return 1;
	}
	if (check_fields(pg, e, is_kernel(s), why, len))
		return 1;
	return same ? check_same(pg, same, same_va, why, len) : 0;
}

enum fl_expect_status fl_expect_pages(const struct fl_obs_snapshot *s, uint64_t va,
				      const struct fl_obs_snapshot *same, uint64_t same_va,
				      const struct fl_expect_page *e, char *msg, size_t len)
{
	long pages = e->pages > 0 ? e->pages : 1, bad = 0;
	uint64_t first_bad = 0;
	char why[256] = "", where[160];

	if (is_kernel(s) && (e->write >= 0 || e->dirty >= 0 || e->refcount >= 0))
		return FL_EXPECT_SKIP;
	for (long i = 0; i < pages; i++) {
		char w[256];
		uint64_t off = (uint64_t)i * PAGE;

		if (!check_page(s, va + off, same, same_va + off, e, w, sizeof(w)))
			continue;
		if (!bad++) {
			first_bad = va + off;
			memcpy(why, w, sizeof(why));
		}
	}
	if (!bad)
		return FL_EXPECT_PASS;
	fl_obs_format_addr(s, first_bad, where, sizeof(where));
	if (bad > 1)
		snprintf(msg, len, "expect failed at %s (and %ld more of %ld pages): %s",
			 where, bad - 1, pages, why);
	else
		snprintf(msg, len, "expect failed at %s: %s", where, why);
	return FL_EXPECT_FAIL;
}

/* "p0:m,n" for messages and the counters line. */
static void format_maps(const struct fl_obs_snapshot *s, const char (*names)[64], int nnames,
			char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "%s:", s->proc);

	for (int i = 0; i < (nnames ? nnames : s->nmaps) && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "",
					 nnames ? names[i] : s->maps[i].name);
}

enum fl_expect_status fl_expect_counters(const struct fl_obs_snapshot *s,
					 const char (*names)[64], int nnames,
					 const struct fl_expect_counter *e, int ne,
					 char *msg, size_t len)
{
	struct fl_counters sum;
	char where[256];
	size_t used;
	int bad = 0;

	fl_obs_sum_counters(s, names, nnames, &sum);
	format_maps(s, names, nnames, where, sizeof(where));
	used = (size_t)snprintf(msg, len, "expect-counter failed for %s:", where);
	for (int i = 0; i < ne; i++) {
		uint64_t got;

		if ((unsigned)e[i].counter >= FL_NR_COUNTERS)
			continue;
		got = sum.kib[e[i].counter];
		if (got == e[i].kib)
			continue;
		if (used < len)
			used += (size_t)snprintf(msg + used, len - used, "%s %s=%llu, expected %llu",
						 bad ? ";" : "", fl_counter_name(e[i].counter),
						 (unsigned long long)got,
						 (unsigned long long)e[i].kib);
		bad++;
	}
	return bad ? FL_EXPECT_FAIL : FL_EXPECT_PASS;
}
