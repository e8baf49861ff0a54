// SPDX-License-Identifier: GPL-2.0-only
/*
 * snapshot.c - what maps each page of a scenario mapping, read from /proc.
 *
 * For every page of every requested mapping: pagemap says present or not,
 * exclusive or not, and which frame; kpageflags says what the frame is;
 * kpagecount gives its mapcount; PAGEMAP_SCAN's PAGE_IS_HUGE says whether
 * a PMD maps it.  The kind follows from the flags:
 *
 *   ZERO_PAGE and THP  -> huge-zero (index = frame - head of the folio)
 *   ZERO_PAGE          -> zero
 *   ANON               -> anon
 *   NOPAGE (no struct page) in a DAX mapping -> dax, elsewhere -> pfn
 *   anything else      -> file in a file or shared mapping (dax on DAX)
 *
 * pfn is an identity, never printed.  folio_pfn is the frame of the page's
 * folio head, so that the printer joins consecutive frames into one run
 * only inside one folio: on the real kernel two separately allocated
 * order-0 folios are consecutive or not at the allocator's whim
 * (KERNEL-FACTS: absolute pfns are not reliable).  Only excl, mapcount and
 * the folio are filled
 * besides kind and level: the write,
 * dirty and young bits and the refcount are not visible from userspace.
 * A present page whose frame reads as 0 (pagemap hiding pfns) is left out
 * with a note on stderr rather than reported wrongly.  PFNMAP VMAs read as
 * not present, as the kernel's pagemap walker skips them.
 *
 * Before Linux 6.7 (the 6.1 guest of --vm) there is no PAGEMAP_SCAN, and
 * the level is inferred (level_without_scan): the huge zero folio is only
 * ever mapped by a PMD; a DAX PMD is the only DAX entry that pagemap
 * marks as a file page (the walker takes pmd_page() of a PMD, while a DAX
 * PTE is special and vm_normal_page() gives it no page); a THP page is
 * taken as PMD-mapped when its mapping has PMD-mapped THP bytes in smaps
 * and the page sits at its own offset in a 2 MiB-aligned folio.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oracle/oracle_int.h"
#include "oracle/pagemap.h"
#include "oracle/smaps.h"

#define CHUNK 512

static const struct fl_oracle_map *find_map(const struct fl_oracle *o, uint64_t start)
{
	for (int i = 0; i < o->nmaps; i++)
		if (o->maps[i].start == start)
			return &o->maps[i];
	return NULL;
}

/* The huge zero folio's head frame: walk back over its tail pages once. */
static int hz_index(struct fl_oracle *o, uint64_t pfn, uint32_t *idx)
{
	uint64_t p = pfn, f;

	if (o->hz_known && pfn >= o->hz_head && pfn < o->hz_head + 512) {
		*idx = (uint32_t)(pfn - o->hz_head);
		return 0;
	}
	for (int i = 0; i < 512; i++, p--) {
		if (fl_kpage_read(o->kpf_fd, p, &f))
			return -EIO;
		if (KPF_BIT(f, KPF_COMPOUND_HEAD)) {
			if (p & 511)
				fprintf(stderr, "faultline oracle: note: the huge zero folio's head "
					"%#" PRIx64 " is not 2 MiB aligned\n", p);
			o->hz_head = p;
			o->hz_known = true;
			*idx = (uint32_t)(pfn - p);
			return 0;
		}
		if (!KPF_BIT(f, KPF_COMPOUND_TAIL) || !p)
			break;
	}
	return -EIO;
}

/* The head frame of @pfn's folio (itself unless it is a tail page). */
static int folio_head(struct fl_oracle *o, uint64_t pfn, uint64_t kpf, uint64_t *head)
{
	uint64_t p = pfn, f = kpf;

	if (!KPF_BIT(kpf, KPF_COMPOUND_TAIL)) {
		*head = pfn;
		return 0;
	}
	if (o->last_head_valid && pfn == o->last_pfn + 1 && pfn > o->last_head) {
		*head = o->last_head;
		return 0;
	}
	for (int i = 0; i < 1 << 18 && KPF_BIT(f, KPF_COMPOUND_TAIL) && p; i++)
		if (fl_kpage_read(o->kpf_fd, --p, &f))
			return -EIO;
	if (!KPF_BIT(f, KPF_COMPOUND_HEAD))
		return -EIO;
	*head = p;
	return 0;
}

/* The page's frame and its folio's head frame (see above). */
static int identity(struct fl_oracle *o, uint64_t pfn, uint64_t kpf, struct fl_obs_page *pg)
{
	uint64_t head;
	int ret = folio_head(o, pfn, kpf, &head);

	if (ret)
		return ret;
	o->last_pfn = pfn;
	o->last_head = head;
	o->last_head_valid = true;
	pg->pfn = pfn;
	pg->folio_pfn = head;
	return 0;
}

/*
 * kpageflags and kpagecount end at the last frame of RAM; device memory
 * above it (an NFIT pmem namespace in the --vm guest) reads as end of
 * file.  In a DAX mapping such a frame is pmem without a page the files
 * can describe: @dflt (NOPAGE, mapcount 0), what they say for legacy pmem.
 */
static int kpage_or_device(int fd, uint64_t pfn, bool dax, uint64_t *val, uint64_t dflt)
{
	int ret = fl_kpage_read(fd, pfn, val);

	if (ret == -ENOENT && dax) {
		*val = dflt;
		return 0;
	}
	return ret;
}

static int classify(struct fl_oracle *o, uint64_t e, bool dax, struct fl_obs_page *pg,
		    uint64_t *kpfp)
{
	uint64_t pfn = e & PM_PFN_MASK, kpf, cnt;
	int ret;

	if ((ret = kpage_or_device(o->kpf_fd, pfn, dax, &kpf, 1ull << KPF_NOPAGE)) ||
	    (ret = kpage_or_device(o->kpc_fd, pfn, dax, &cnt, 0)) ||
	    (ret = identity(o, pfn, kpf, pg)))
		return ret;
	*kpfp = kpf;
	pg->has = FL_OBS_EXCL | FL_OBS_MAPCOUNT | FL_OBS_FOLIO;
	pg->excl = !!(e & PM_EXCLUSIVE);
	pg->mapcount = (int32_t)cnt;
	if (KPF_BIT(kpf, KPF_ZERO_PAGE) && KPF_BIT(kpf, KPF_THP)) {
		pg->kind = FL_KIND_HUGE_ZERO;
		return hz_index(o, pfn, &pg->hz_index);
	}
	if (KPF_BIT(kpf, KPF_ZERO_PAGE))
		pg->kind = FL_KIND_ZERO;
	else if (KPF_BIT(kpf, KPF_ANON))
		pg->kind = FL_KIND_ANON;
	else if (KPF_BIT(kpf, KPF_NOPAGE))
		pg->kind = dax ? FL_KIND_DAX : FL_KIND_PFN;
	else
		pg->kind = dax ? FL_KIND_DAX : FL_KIND_FILE;
	return 0;
}

/* PMD or PTE for each page; false if the kernel cannot say (no ioctl). */
static bool levels(struct fl_oracle *o, int pm, uint64_t va, size_t n, bool *huge)
{
	int ret = fl_pagemap_scan_huge(pm, va, n, huge);

	if (ret && !o->scan_missing_noted) {
		fprintf(stderr, "faultline oracle: note: no PAGEMAP_SCAN (%s); levels are "
			"inferred from pagemap, kpageflags and smaps\n", strerror(-ret));
		o->scan_missing_noted = true;
	}
	if (ret)
		memset(huge, 0, n * sizeof(*huge));
	return !ret;
}

/* The level of a present page without PAGEMAP_SCAN (see the top). */
static int level_without_scan(uint64_t e, uint64_t kpf, const struct fl_obs_page *pg,
			      bool thp_pmd)
{
	uint64_t off = pg->pfn - pg->folio_pfn;

	if (pg->kind == FL_KIND_HUGE_ZERO)
		return FL_LEVEL_PMD;
	if (pg->kind == FL_KIND_DAX || pg->kind == FL_KIND_PFN)
		return e & PM_FILE ? FL_LEVEL_PMD : FL_LEVEL_PTE;
	if (thp_pmd && KPF_BIT(kpf, KPF_THP) && !(pg->folio_pfn & 511) && off < 512 &&
	    ((pg->va >> 12) & 511) == off)
		return FL_LEVEL_PMD;
	return FL_LEVEL_PTE;
}

static int walk_chunk(struct fl_oracle *o, int pm, uint64_t va, size_t n,
		      const struct fl_obs_map *sm, bool dax, struct fl_obs_snapshot *s)
{
	uint64_t ents[CHUNK], kpf;
	bool huge[CHUNK], scan;
	bool thp_pmd = sm->counters.kib[FL_CNT_ANON_HUGE] || sm->counters.kib[FL_CNT_FILE_PMD_MAPPED];
	int ret = fl_pagemap_read(pm, va, n, ents);

	if (ret)
		return fl_oracle_fail(o, FL_EFAIL, "pagemap: %s", strerror(-ret));
	scan = levels(o, pm, va, n, huge);
	for (size_t i = 0; i < n; i++) {
		struct fl_obs_page pg, *slot;

		if (!(ents[i] & PM_PRESENT))
			continue;
		if (!(ents[i] & PM_PFN_MASK)) {
			fprintf(stderr, "faultline oracle: note: page %#" PRIx64 " is present but "
				"its frame is unreadable; left out\n", va + i * 4096);
			continue;
		}
		memset(&pg, 0, sizeof(pg));
		pg.va = va + i * 4096;
		pg.level = huge[i] ? FL_LEVEL_PMD : FL_LEVEL_PTE;
		if (classify(o, ents[i], dax, &pg, &kpf))
			return fl_oracle_fail(o, FL_EFAIL, "kpageflags/kpagecount of page %#" PRIx64
					      " unreadable", pg.va);
		if (!scan)
			pg.level = level_without_scan(ents[i], kpf, &pg, thp_pmd);
		if (!(slot = fl_obs_add_page(s)))
			return fl_oracle_fail(o, FL_EFAIL, "out of memory");
		*slot = pg;
	}
	return FL_OK;
}

static int one_map(struct fl_oracle *o, int pid, int pm, const struct fl_map_ref *m,
		   struct fl_obs_snapshot *s)
{
	const struct fl_oracle_map *om = find_map(o, m->start);
	struct fl_obs_map *sm = fl_obs_add_map(s, m->name, m->start, m->len);
	uint64_t end = m->start + ((m->len + 4095) & ~4095ull);
	int ret;

	if (!sm)
		return fl_oracle_fail(o, FL_EFAIL, "out of memory");
	if (fl_smaps_sum(pid, m->start, end, &sm->counters, o->b.err, sizeof(o->b.err)))
		return FL_EFAIL;
	for (uint64_t va = m->start; va < end; va += CHUNK * 4096ull) {
		size_t n = (end - va) / 4096 < CHUNK ? (size_t)((end - va) / 4096) : CHUNK;

		if ((ret = walk_chunk(o, pm, va, n, sm, om && om->dax, s)))
			return ret;
	}
	return FL_OK;
}

int fl_oracle_snapshot(struct fl_backend *b, int proc, const struct fl_map_ref *maps,
		       int nmaps, struct fl_obs_snapshot *s)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_oracle_agent *a = fl_oracle_agent(o, proc);
	char path[64];
	int pm, ret = FL_OK;

	if (!a)
		return fl_oracle_fail(o, FL_EFAIL, "show: p%d is not running", proc);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)a->pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		return fl_oracle_fail(o, FL_EFAIL, "%s: %s", path, strerror(errno));
	for (int i = 0; i < nmaps && !ret; i++)
		ret = one_map(o, (int)a->pid, pm, &maps[i], s);
	close(pm);
	if (!ret)
		fl_obs_sort(s);
	return ret;
}
