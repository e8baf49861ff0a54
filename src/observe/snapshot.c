// SPDX-License-Identifier: GPL-2.0-only
/*
 * snapshot.c - building and searching a struct fl_obs_snapshot (obs.h), and
 * the spellings of kinds, levels and counters.
 *
 * A snapshot is what one `show` or `expect` looks at: the mappings the
 * scenario asked about (name, range, smaps counters) and one record per
 * present 4 KiB page.  The driver adds the mappings it asks for before the
 * producer runs; the producer (model or kernel) then adds pages in any order
 * and fills the counters, and the driver sorts.  fl_obs_add_map() returns
 * the mapping already there when the same name and start are added again,
 * so a producer may add the mappings itself without caring whether the
 * driver did.
 *
 * The name tables are the contract spellings of SCENARIOS.md; the parser,
 * the printer and the evaluator all read them from here.
 */
#include <stdlib.h>
#include <string.h>

#include "observe/expect.h"
#include "observe/obs.h"

static const char *const kind_names[FL_NR_KINDS] = {
	[FL_KIND_NONE] = "none",
	[FL_KIND_ZERO] = "zero",
	[FL_KIND_HUGE_ZERO] = "huge-zero",
	[FL_KIND_ANON] = "anon",
	[FL_KIND_FILE] = "file",
	[FL_KIND_DAX] = "dax",
	[FL_KIND_PFN] = "pfn",
	[FL_KIND_PAGE] = "page",
};

static const char *const level_names[] = {
	[FL_LEVEL_PTE] = "pte",
	[FL_LEVEL_PMD] = "pmd",
	[FL_LEVEL_PUD] = "pud",
};

static const char *const counter_names[FL_NR_COUNTERS] = {
	[FL_CNT_RSS] = "Rss",
	[FL_CNT_PSS] = "Pss",
	[FL_CNT_SHARED_CLEAN] = "Shared_Clean",
	[FL_CNT_SHARED_DIRTY] = "Shared_Dirty",
	[FL_CNT_PRIVATE_CLEAN] = "Private_Clean",
	[FL_CNT_PRIVATE_DIRTY] = "Private_Dirty",
	[FL_CNT_ANONYMOUS] = "Anonymous",
	[FL_CNT_ANON_HUGE] = "AnonHugePages",
	[FL_CNT_FILE_PMD_MAPPED] = "FilePmdMapped",
};

const char *fl_kind_name(enum fl_kind k)
{
	return (unsigned)k < FL_NR_KINDS ? kind_names[k] : "?";
}

enum fl_kind fl_kind_lookup(const char *name)
{
	for (int k = 0; k < FL_NR_KINDS; k++)
		if (!strcmp(kind_names[k], name))
			return (enum fl_kind)k;
	return FL_NR_KINDS;
}

const char *fl_level_name(enum fl_level l)
{
	return (unsigned)l <= FL_LEVEL_PUD ? level_names[l] : "?";
}

const char *fl_counter_name(enum fl_counter c)
{
	return (unsigned)c < FL_NR_COUNTERS ? counter_names[c] : "?";
}

enum fl_counter fl_counter_lookup(const char *name)
{
	for (int c = 0; c < FL_NR_COUNTERS; c++)
		if (!strcmp(counter_names[c], name))
			return (enum fl_counter)c;
	return FL_NR_COUNTERS;
}

void fl_obs_snapshot_init(struct fl_obs_snapshot *s, const char *proc, const char *producer)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->proc, sizeof(s->proc), "%s", proc ? proc : "");
	s->producer = producer;
}

void fl_obs_snapshot_free(struct fl_obs_snapshot *s)
{
	free(s->maps);
	free(s->pages);
	s->maps = NULL;
	s->pages = NULL;
	s->nmaps = 0;
	s->npages = s->cap = 0;
}

struct fl_obs_map *fl_obs_add_map(struct fl_obs_snapshot *s, const char *name,
				  uint64_t start, uint64_t len)
{
	struct fl_obs_map *v, *m;

	for (int i = 0; i < s->nmaps; i++) {
		m = &s->maps[i];
		if (m->start == start && !strncmp(m->name, name, sizeof(m->name) - 1)) {
			m->len = len;
			return m;
		}
	}
	v = realloc(s->maps, (size_t)(s->nmaps + 1) * sizeof(*v));
	if (!v)
		return NULL;
	s->maps = v;
	m = &v[s->nmaps++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->start = start;
	m->len = len;
	return m;
}

struct fl_obs_page *fl_obs_add_page(struct fl_obs_snapshot *s)
{
	struct fl_obs_page *pg;

	if (s->npages == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct fl_obs_page *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return NULL;
		v = realloc(s->pages, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->pages = v;
		s->cap = cap;
	}
	pg = &s->pages[s->npages++];
	memset(pg, 0, sizeof(*pg));
	return pg;
}

static int cmp_va(const void *a, const void *b)
{
	const struct fl_obs_page *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

void fl_obs_sort(struct fl_obs_snapshot *s)
{
	if (s->npages > 1)
		qsort(s->pages, s->npages, sizeof(*s->pages), cmp_va);
}

size_t fl_obs_lower_bound(const struct fl_obs_snapshot *s, uint64_t va)
{
	size_t lo = 0, hi = s->npages;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->pages[mid].va < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct fl_obs_page *fl_obs_find(const struct fl_obs_snapshot *s, uint64_t va)
{
	size_t i = fl_obs_lower_bound(s, va);

	return i < s->npages && s->pages[i].va == va ? &s->pages[i] : NULL;
}

const struct fl_obs_map *fl_obs_find_map(const struct fl_obs_snapshot *s, const char *name)
{
	for (int i = 0; i < s->nmaps; i++)
		if (!strcmp(s->maps[i].name, name))
			return &s->maps[i];
	return NULL;
}

void fl_obs_sum_counters(const struct fl_obs_snapshot *s, const char (*names)[64], int nnames,
			 struct fl_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (int i = 0; i < (nnames ? nnames : s->nmaps); i++) {
		const struct fl_obs_map *m = nnames ? fl_obs_find_map(s, names[i]) : &s->maps[i];

		for (int c = 0; m && c < FL_NR_COUNTERS; c++)
			sum->kib[c] += m->counters.kib[c];
	}
}

void fl_obs_format_addr(const struct fl_obs_snapshot *s, uint64_t va, char *buf, size_t len)
{
	for (int i = 0; i < s->nmaps; i++) {
		const struct fl_obs_map *m = &s->maps[i];

		if (va >= m->start && va - m->start < m->len) {
			snprintf(buf, len, "%s:%s+0x%llx", s->proc, m->name,
				 (unsigned long long)(va - m->start));
			return;
		}
	}
	snprintf(buf, len, "%s:0x%llx", s->proc, (unsigned long long)va);
}
