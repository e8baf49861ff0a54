/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * obs.h - what a `show` or an `expect` looks at, for the model and the oracle.
 *
 * Both producers (the model, by walking its page tables; the oracle, by
 * reading /proc/PID/pagemap, kpageflags, kpagecount and smaps) fill the same
 * struct fl_obs_snapshot: one record per present page of the scenario's
 * mappings in one process, plus smaps-style counters per mapping.  One
 * printer (printer.c) turns a snapshot into the observation lines of
 * SCENARIOS.md and one evaluator (expect.c) checks `expect` and
 * `expect-counter` against it, so the model and the kernel cannot drift
 * apart in formatting or in the meaning of a field.
 *
 * pfn is the producer's real physical frame number; it is only ever used
 * for identity (labels, same=), never printed.
 */
#ifndef FL_OBSERVE_OBS_H
#define FL_OBSERVE_OBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum fl_kind {
	FL_KIND_NONE, FL_KIND_ZERO, FL_KIND_HUGE_ZERO, FL_KIND_ANON,
	FL_KIND_FILE, FL_KIND_DAX, FL_KIND_PFN, FL_KIND_PAGE,
	FL_NR_KINDS
};

enum fl_level { FL_LEVEL_PTE, FL_LEVEL_PMD, FL_LEVEL_PUD };

/* Which optional fields a record carries (model-only ones are FL_OBS_MODEL). */
enum {
	FL_OBS_EXCL = 1u << 0,
	FL_OBS_MAPCOUNT = 1u << 1,
	FL_OBS_WRITE = 1u << 2,		/* model only */
	FL_OBS_DIRTY = 1u << 3,		/* model only */
	FL_OBS_YOUNG = 1u << 4,		/* model only */
	FL_OBS_SPECIAL = 1u << 5,	/* model only */
	FL_OBS_REFCOUNT = 1u << 6,	/* model only */
	FL_OBS_FOLIO = 1u << 7,		/* folio_pfn is known */
};
#define FL_OBS_MODEL (FL_OBS_WRITE | FL_OBS_DIRTY | FL_OBS_YOUNG | FL_OBS_SPECIAL | FL_OBS_REFCOUNT)

struct fl_obs_page {
	uint64_t va;		/* virtual address of the 4 KiB page */
	uint64_t pfn;		/* physical identity (never printed) */
	uint8_t kind;		/* enum fl_kind; never FL_KIND_NONE in a snapshot */
	uint8_t level;		/* enum fl_level */
	uint8_t has;		/* FL_OBS_* */
	uint8_t excl, write, dirty, young, special;
	uint32_t hz_index;	/* FL_KIND_HUGE_ZERO: page index inside the folio */
	uint64_t folio_pfn;	/* identity of the folio holding the page (FL_OBS_FOLIO) */
	int32_t mapcount;
	int32_t refcount;
};

/* smaps counters, in bytes; pss in bytes << FL_PSS_SHIFT as the kernel keeps it. */
#define FL_PSS_SHIFT 12
enum fl_counter {
	FL_CNT_RSS, FL_CNT_PSS, FL_CNT_SHARED_CLEAN, FL_CNT_SHARED_DIRTY,
	FL_CNT_PRIVATE_CLEAN, FL_CNT_PRIVATE_DIRTY, FL_CNT_ANONYMOUS,
	FL_CNT_ANON_HUGE, FL_CNT_FILE_PMD_MAPPED,
	FL_NR_COUNTERS
};

/* Counter values in KiB, as smaps prints them (per VMA, then summed). */
struct fl_counters {
	uint64_t kib[FL_NR_COUNTERS];
};

/* smaps spelling of each counter: "Rss", "Pss", ..., "FilePmdMapped". */
const char *fl_counter_name(enum fl_counter c);
/* FL_NR_COUNTERS if @name is not a counter. */
enum fl_counter fl_counter_lookup(const char *name);

struct fl_obs_map {
	char name[64];
	uint64_t start, len;		/* the range the scenario mapped */
	struct fl_counters counters;	/* over the VMAs inside [start, start+len) */
};

struct fl_obs_snapshot {
	char proc[64];
	const char *producer;		/* "model" or "kernel" */
	struct fl_obs_map *maps;	/* in mmap order */
	int nmaps;
	struct fl_obs_page *pages;	/* sorted by va */
	size_t npages, cap;
};

void fl_obs_snapshot_init(struct fl_obs_snapshot *s, const char *proc, const char *producer);
void fl_obs_snapshot_free(struct fl_obs_snapshot *s);
struct fl_obs_map *fl_obs_add_map(struct fl_obs_snapshot *s, const char *name,
				  uint64_t start, uint64_t len);
struct fl_obs_page *fl_obs_add_page(struct fl_obs_snapshot *s);
void fl_obs_sort(struct fl_obs_snapshot *s);
const struct fl_obs_page *fl_obs_find(const struct fl_obs_snapshot *s, uint64_t va);

const char *fl_kind_name(enum fl_kind k);
/* FL_NR_KINDS if @name is not a kind. */
enum fl_kind fl_kind_lookup(const char *name);
const char *fl_level_name(enum fl_level l);

/*
 * Print the observation lines of SCENARIOS.md for the maps named in
 * @names (all of them when @nnames is 0): one "obs" line per run of pages,
 * then one "counters" line.  @model_fields adds write=, dirty=, young=,
 * special= and refcount= where the records carry them; `check` prints with
 * it off so that only what both sides know is compared.
 */
void fl_obs_print(FILE *out, const struct fl_obs_snapshot *s,
		  const char (*names)[64], int nnames, bool model_fields);

#endif /* FL_OBSERVE_OBS_H */
