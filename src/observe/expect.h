/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * expect.h - checking `expect` and `expect-counter` against a snapshot.
 *
 * The evaluator knows nothing about scenario syntax: the runner hands it
 * plain values (what kind, which level, how many pages) and gets back PASS,
 * FAIL with a one-line reason that names what differed, or SKIP when the
 * producer cannot know what was asserted (the kernel has no write, dirty or
 * refcount bits to show).  It lives next to the printer so that the two
 * cannot disagree on what a field means.
 *
 * Also here: the few snapshot helpers the printer and the evaluator share.
 */
#ifndef FL_OBSERVE_EXPECT_H
#define FL_OBSERVE_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "observe/obs.h"

enum fl_expect_status { FL_EXPECT_PASS, FL_EXPECT_FAIL, FL_EXPECT_SKIP };

/* One `expect`: -1 means "not asserted" for every field but kind. */
struct fl_expect_page {
	enum fl_kind kind;
	int level;			/* enum fl_level or -1 */
	long pages;			/* >= 1 */
	int write, dirty, excl;		/* 0, 1 or -1 */
	long mapcount, refcount;
};

/*
 * Check pages va + i*4K, i < e->pages, of @s.  With @same (possibly @s
 * itself), page i must also be the same physical page as same_va + i*4K
 * of @same.  On FAIL, @msg holds "expect failed at PROC:MAP+0xOFF: ...".
 */
enum fl_expect_status fl_expect_pages(const struct fl_obs_snapshot *s, uint64_t va,
				      const struct fl_obs_snapshot *same, uint64_t same_va,
				      const struct fl_expect_page *e, char *msg, size_t len);

struct fl_expect_counter {
	enum fl_counter counter;
	uint64_t kib;
};

/*
 * Compare the counters summed over the maps @names (all maps of @s when
 * @nnames is 0) with @e.  On FAIL, @msg names every counter that differs.
 */
enum fl_expect_status fl_expect_counters(const struct fl_obs_snapshot *s,
					 const char (*names)[64], int nnames,
					 const struct fl_expect_counter *e, int ne,
					 char *msg, size_t len);

/* Snapshot helpers (snapshot.c). @s must be sorted for the two searches. */
size_t fl_obs_lower_bound(const struct fl_obs_snapshot *s, uint64_t va);
const struct fl_obs_map *fl_obs_find_map(const struct fl_obs_snapshot *s, const char *name);
void fl_obs_sum_counters(const struct fl_obs_snapshot *s, const char (*names)[64], int nnames,
			 struct fl_counters *sum);
/* "p0:m+0x2000", or "p0:0x7f0000002000" when no map of @s contains @va. */
void fl_obs_format_addr(const struct fl_obs_snapshot *s, uint64_t va, char *buf, size_t len);

#endif /* FL_OBSERVE_EXPECT_H */
