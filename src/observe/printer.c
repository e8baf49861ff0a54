// SPDX-License-Identifier: GPL-2.0-only
/*
 * printer.c - the observation lines of SCENARIOS.md, for the model and the
 * kernel alike.
 *
 * One line per run of pages:
 *
 *   obs PROC:MAP+0xOFF KIND level=L [pages=N] pfn=LABEL [excl=E] [mapcount=M]
 *       [write=W dirty=D young=Y special=S refcount=R]      (model fields)
 *
 * then one "counters" line with the smaps counters summed over the maps.
 *
 * Labels replace physical frame numbers, which differ between the model and
 * the kernel and between two runs: `Z` is the zero page, `HZ+I` page I of
 * the huge zero folio, and every other distinct frame gets P0, P1, ... in
 * order of first appearance over the whole `show` (maps in the order
 * given, pages in address order).  Every distinct frame consumes a number,
 * also inside a run, so after a 512-page run labelled P0 the next new frame
 * is P512 and two pages carry the same label exactly when they are the same
 * frame.
 *
 * Runs: a page joins the run before it when it is the next virtual page of
 * the same map, every printed field but the address and the label is
 * equal, and its label is the run's next one, so that the run's pages can
 * be read back as LABEL, LABEL+1, ...:
 *   - P<n>: the frame is the previous frame + 1 and the label the previous
 *     label + 1 (for frames seen for the first time, that is "each page is
 *     a first appearance"; frames seen before also qualify when their
 *     labels are consecutive, as when two maps share the same file pages);
 *   - HZ+I: the next page of the huge zero folio (I + 1);
 *   - Z: clarification of the contract: the zero page repeated collapses
 *     too (pages=N pfn=Z means N pages that all map the zero page), since
 *     nothing else could be meant by a run of one frame.
 * A run stays inside one folio, or inside one PMD mapping (same_pmd()).
 */
#include <stdlib.h>
#include <string.h>

#include "observe/expect.h"
#include "observe/obs.h"

#define PAGE 4096ull

/* pfn -> label number, open addressing; big enough for a 1 GiB mapping. */
struct labels {
	uint64_t *keys;
	uint32_t *vals;
	uint8_t *used;
	size_t cap, n;
	uint32_t next;
};

static size_t hash_pfn(uint64_t pfn, size_t cap)
{
	pfn ^= pfn >> 33;
	pfn *= 0xff51afd7ed558ccdull;
	pfn ^= pfn >> 33;
	return (size_t)pfn & (cap - 1);
}

static int labels_grow(struct labels *l)
{
	struct labels nl = { .cap = l->cap ? l->cap * 2 : 1024, .n = l->n, .next = l->next };

	nl.keys = malloc(nl.cap * sizeof(*nl.keys));
	nl.vals = malloc(nl.cap * sizeof(*nl.vals));
	nl.used = calloc(nl.cap, 1);
	if (!nl.keys || !nl.vals || !nl.used) {
		free(nl.keys);
		free(nl.vals);
		free(nl.used);
		return -1;
	}
	for (size_t i = 0; i < l->cap; i++) {
		size_t h;

		if (!l->used[i])
			continue;
		for (h = hash_pfn(l->keys[i], nl.cap); nl.used[h]; h = (h + 1) & (nl.cap - 1))
			;
		nl.used[h] = 1;
		nl.keys[h] = l->keys[i];
		nl.vals[h] = l->vals[i];
	}
	free(l->keys);
	free(l->vals);
	free(l->used);
	*l = nl;
	return 0;
}

/* The label number of @pfn, giving it the next one on first sight; -1: no memory. */
static long label_of(struct labels *l, uint64_t pfn)
{
	size_t h;

	if (2 * (l->n + 1) > l->cap && labels_grow(l))
		return -1;
	for (h = hash_pfn(pfn, l->cap); l->used[h]; h = (h + 1) & (l->cap - 1))
		if (l->keys[h] == pfn)
			return l->vals[h];
	l->used[h] = 1;
	l->keys[h] = pfn;
	l->vals[h] = l->next++;
	l->n++;
	return l->vals[h];
}

static void labels_free(struct labels *l)
{
	free(l->keys);
	free(l->vals);
	free(l->used);
}

/* A run being accumulated: its first page, its length, its last page. */
struct run {
	const struct fl_obs_map *map;
	const struct fl_obs_page *first, *last;
	long first_label, last_label;	/* -1 for Z and HZ */
	size_t pages;
};

static unsigned printed_mask(bool model_fields)
{
	return FL_OBS_EXCL | FL_OBS_MAPCOUNT | (model_fields ? FL_OBS_MODEL : 0u);
}

static bool same_fields(const struct fl_obs_page *a, const struct fl_obs_page *b, unsigned mask)
{
	unsigned has = a->has & mask;

	if (a->kind != b->kind || a->level != b->level || has != (b->has & mask))
		return false;
	return (!(has & FL_OBS_EXCL) || a->excl == b->excl) &&
	       (!(has & FL_OBS_MAPCOUNT) || a->mapcount == b->mapcount) &&
	       (!(has & FL_OBS_WRITE) || a->write == b->write) &&
	       (!(has & FL_OBS_DIRTY) || a->dirty == b->dirty) &&
	       (!(has & FL_OBS_YOUNG) || a->young == b->young) &&
	       (!(has & FL_OBS_SPECIAL) || a->special == b->special) &&
	       (!(has & FL_OBS_REFCOUNT) || a->refcount == b->refcount);
}

/*
 * A run never crosses folios: whether two separately allocated pages have
 * consecutive frames is the allocator's whim (KERNEL-FACTS: absolute pfns
 * are not reliable), so joining them would make the output, and `check`,
 * depend on it.  Producers that cannot tell the folio fall back to frames.
 */
static bool same_folio(const struct fl_obs_page *a, const struct fl_obs_page *b)
{
	if (!(a->has & FL_OBS_FOLIO) || !(b->has & FL_OBS_FOLIO))
		return true;
	return a->folio_pfn == b->folio_pfn;
}

/*
 * One PMD maps 512 consecutive frames by construction, so its pages form
 * one run even when each frame is a folio of its own: Linux 6.1's devmap
 * PMDs of FS-DAX (V5 one_based), whose pmem pages are order 0.  Callers
 * have checked that both pages are at level pmd.
 */
static bool same_pmd(const struct fl_obs_page *a, const struct fl_obs_page *b)
{
	return a->level == FL_LEVEL_PMD && (a->va >> 21) == (b->va >> 21);
}

static bool extends_run(const struct run *r, const struct fl_obs_page *pg, long label,
			unsigned mask)
{
	const struct fl_obs_page *last = r->last;

	if (!r->pages || pg->va != last->va + PAGE || !same_fields(last, pg, mask))
		return false;
	switch (pg->kind) {
	case FL_KIND_ZERO:
		return pg->pfn == last->pfn;
	case FL_KIND_HUGE_ZERO:
		return pg->hz_index == last->hz_index + 1 && pg->pfn == last->pfn + 1;
	default:
		return pg->pfn == last->pfn + 1 && label == r->last_label + 1 &&
		       (same_folio(last, pg) || same_pmd(last, pg));
	}
}

static void print_run(FILE *out, const char *proc, const struct run *r, bool model_fields)
{
	const struct fl_obs_page *pg = r->first;
	unsigned has = pg->has & printed_mask(model_fields);

	fprintf(out, "obs %s:%s+0x%llx %s level=%s", proc, r->map->name,
		(unsigned long long)(pg->va - r->map->start), fl_kind_name((enum fl_kind)pg->kind),
		fl_level_name((enum fl_level)pg->level));
	if (r->pages > 1)
		fprintf(out, " pages=%zu", r->pages);
	if (pg->kind == FL_KIND_ZERO)
		fputs(" pfn=Z", out);
	else if (pg->kind == FL_KIND_HUGE_ZERO)
		fprintf(out, " pfn=HZ+%u", (unsigned)pg->hz_index);
	else
		fprintf(out, " pfn=P%ld", r->first_label);
	if (has & FL_OBS_EXCL)
		fprintf(out, " excl=%u", (unsigned)pg->excl);
	if (has & FL_OBS_MAPCOUNT)
		fprintf(out, " mapcount=%d", (int)pg->mapcount);
	if (has & FL_OBS_WRITE)
		fprintf(out, " write=%u", (unsigned)pg->write);
	if (has & FL_OBS_DIRTY)
		fprintf(out, " dirty=%u", (unsigned)pg->dirty);
	if (has & FL_OBS_YOUNG)
		fprintf(out, " young=%u", (unsigned)pg->young);
	if (has & FL_OBS_SPECIAL)
		fprintf(out, " special=%u", (unsigned)pg->special);
	if (has & FL_OBS_REFCOUNT)
		fprintf(out, " refcount=%d", (int)pg->refcount);
	fputc('\n', out);
}

/* The obs lines of one map; -1 when the label table ran out of memory. */
static int print_map(FILE *out, const struct fl_obs_snapshot *s, const struct fl_obs_map *m,
		     struct labels *l, bool model_fields)
{
	unsigned mask = printed_mask(model_fields);
	struct run r = { .map = m };

	for (size_t i = fl_obs_lower_bound(s, m->start);
	     i < s->npages && s->pages[i].va - m->start < m->len; i++) {
		const struct fl_obs_page *pg = &s->pages[i];
		long label = -1;

		if (pg->kind != FL_KIND_ZERO && pg->kind != FL_KIND_HUGE_ZERO) {
			label = label_of(l, pg->pfn);
			if (label < 0)
				return -1;
		}
		if (extends_run(&r, pg, label, mask)) {
			r.pages++;
		} else {
			if (r.pages)
				print_run(out, s->proc, &r, model_fields);
			r.first = pg;
			r.first_label = label;
			r.pages = 1;
		}
		r.last = pg;
		r.last_label = label;
	}
	if (r.pages)
		print_run(out, s->proc, &r, model_fields);
	return 0;
}

static void print_counters(FILE *out, const struct fl_obs_snapshot *s,
			   const struct fl_obs_map **maps, int n)
{
	struct fl_counters sum = { { 0 } };

	fprintf(out, "counters %s:", s->proc);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s%s", i ? "," : "", maps[i]->name);
		for (int c = 0; c < FL_NR_COUNTERS; c++)
			sum.kib[c] += maps[i]->counters.kib[c];
	}
	for (int c = 0; c < FL_NR_COUNTERS; c++)
		fprintf(out, " %s=%llu", fl_counter_name((enum fl_counter)c),
			(unsigned long long)sum.kib[c]);
	fputc('\n', out);
}

void fl_obs_print(FILE *out, const struct fl_obs_snapshot *s,
		  const char (*names)[64], int nnames, bool model_fields)
{
	int total = nnames ? nnames : s->nmaps, n = 0;
	const struct fl_obs_map **maps = calloc((size_t)(total ? total : 1), sizeof(*maps));
	struct labels l = { 0 };

	if (!maps) {
		fputs("obs error: out of memory\n", out);
		return;
	}
	/* Names the snapshot does not hold have nothing to print. */
	for (int i = 0; i < total; i++) {
		const struct fl_obs_map *m = nnames ? fl_obs_find_map(s, names[i]) : &s->maps[i];

		if (m)
			maps[n++] = m;
	}
	for (int i = 0; i < n; i++) {
		if (print_map(out, s, maps[i], &l, model_fields)) {
			fputs("obs error: out of memory\n", out);
			break;
		}
	}
	print_counters(out, s, maps, n);
	labels_free(&l);
	free(maps);
}
