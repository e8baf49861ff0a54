// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_observe.c - the observation printer and the expect evaluator.
 *
 * Snapshots are built by hand, page by page, the way a producer fills
 * them, and the printed lines are compared with the exact text of
 * SCENARIOS.md: labels in order of first appearance, runs collapsed only
 * when the pages can be read back from the first label, the zero page and
 * the huge zero folio, the counters line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "observe/expect.h"
#include "observe/obs.h"

#define PAGE 4096ull
#define M_START 0x7f0000000000ull
#define N_START 0x7f0040000000ull

static struct fl_obs_page *add(struct fl_obs_snapshot *s, uint64_t va, uint64_t pfn,
			       enum fl_kind kind, enum fl_level level)
{
	struct fl_obs_page *pg = fl_obs_add_page(s);

	assert_non_null(pg);
	pg->va = va;
	pg->pfn = pfn;
	pg->kind = (uint8_t)kind;
	pg->level = (uint8_t)level;
	pg->has = FL_OBS_EXCL | FL_OBS_MAPCOUNT;
	pg->excl = 1;
	pg->mapcount = 1;
	return pg;
}

static void model_fields(struct fl_obs_page *pg, int write, int dirty, int refcount)
{
	pg->has |= FL_OBS_MODEL;
	pg->write = (uint8_t)write;
	pg->dirty = (uint8_t)dirty;
	pg->young = 1;
	pg->special = 0;
	pg->refcount = refcount;
}

/* Print @s into a string the caller frees. */
static char *print(const struct fl_obs_snapshot *s, const char (*names)[64], int n, bool model)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	fl_obs_print(f, s, names, n, model);
	fclose(f);
	return text;
}

static void assert_text(char *got, const char *want)
{
	if (strcmp(got, want))
		fail_msg("printed:\n%s\nexpected:\n%s", got, want);
	free(got);
}

/*
 * m: [THP 512 pages P0..P511][one 4K page][3 x zero][2 pages of huge zero]
 *    [P0 again][a written page]
 */
static void build_m(struct fl_obs_snapshot *s)
{
	struct fl_obs_map *m = fl_obs_add_map(s, "m", M_START, 4u << 20);

	assert_non_null(m);
	m->counters.kib[FL_CNT_RSS] = 2056;
	m->counters.kib[FL_CNT_PSS] = 2056;
	m->counters.kib[FL_CNT_ANON_HUGE] = 2048;
	/* Added out of order, as a producer may: the driver sorts. */
	for (int i = 511; i >= 0; i--)
		add(s, M_START + (uint64_t)i * PAGE, 1000 + (uint64_t)i, FL_KIND_ANON, FL_LEVEL_PMD);
	add(s, M_START + 0x200000, 5000, FL_KIND_ANON, FL_LEVEL_PTE);
	for (int i = 0; i < 3; i++) {
		struct fl_obs_page *pg = add(s, M_START + 0x201000 + (uint64_t)i * PAGE, 7,
					     FL_KIND_ZERO, FL_LEVEL_PTE);

		pg->excl = 0;
		pg->mapcount = 0;
	}
	for (int i = 0; i < 2; i++) {
		struct fl_obs_page *pg = add(s, M_START + 0x204000 + (uint64_t)i * PAGE,
					     9000 + (uint64_t)i, FL_KIND_HUGE_ZERO, FL_LEVEL_PTE);

		pg->hz_index = 5 + (uint32_t)i;
		pg->excl = 0;
		pg->mapcount = 0;
	}
	add(s, M_START + 0x206000, 1000, FL_KIND_ANON, FL_LEVEL_PTE)->mapcount = 2;
	add(s, M_START + 0x207000, 5001, FL_KIND_ANON, FL_LEVEL_PTE);
	fl_obs_sort(s);
}

static const char m_lines[] =
	"obs p0:m+0x0 anon level=pmd pages=512 pfn=P0 excl=1 mapcount=1\n"
	"obs p0:m+0x200000 anon level=pte pfn=P512 excl=1 mapcount=1\n"
	"obs p0:m+0x201000 zero level=pte pages=3 pfn=Z excl=0 mapcount=0\n"
	"obs p0:m+0x204000 huge-zero level=pte pages=2 pfn=HZ+5 excl=0 mapcount=0\n"
	"obs p0:m+0x206000 anon level=pte pfn=P0 excl=1 mapcount=2\n"
	"obs p0:m+0x207000 anon level=pte pfn=P513 excl=1 mapcount=1\n";

static void test_print_runs(void **state)
{
	struct fl_obs_snapshot s;
	char want[2048];

	(void)state;
	fl_obs_snapshot_init(&s, "p0", "model");
	build_m(&s);
	snprintf(want, sizeof(want), "%scounters p0:m Rss=2056 Pss=2056 Shared_Clean=0 "
		 "Shared_Dirty=0 Private_Clean=0 Private_Dirty=0 Anonymous=0 "
		 "AnonHugePages=2048 FilePmdMapped=0\n", m_lines);
	assert_text(print(&s, NULL, 0, false), want);
	/* No model fields in the records: model_fields changes nothing. */
	assert_text(print(&s, NULL, 0, true), want);
	fl_obs_snapshot_free(&s);
}

/* Labels run across maps; a second map sharing the pages reuses them. */
static void test_print_two_maps(void **state)
{
	static const char names_nm[2][64] = { "n", "m" };
	static const char names_n[1][64] = { "n" };
	struct fl_obs_snapshot s;
	struct fl_obs_map *n;

	(void)state;
	fl_obs_snapshot_init(&s, "child", "kernel");
	build_m(&s);
	n = fl_obs_add_map(&s, "n", N_START, 16 * PAGE);
	n->counters.kib[FL_CNT_RSS] = 16;
	n->counters.kib[FL_CNT_SHARED_CLEAN] = 16;
	for (int i = 0; i < 4; i++)
		add(&s, N_START + (uint64_t)i * PAGE, 1004 + (uint64_t)i, FL_KIND_FILE, FL_LEVEL_PTE);
	add(&s, N_START + 4 * PAGE, 1003, FL_KIND_FILE, FL_LEVEL_PTE);
	/* pfn +1 but the label is new: breaks the run of shared labels. */
	add(&s, N_START + 5 * PAGE, 1004, FL_KIND_FILE, FL_LEVEL_PTE);
	fl_obs_sort(&s);
	assert_text(print(&s, names_nm, 2, false),
		    "obs child:n+0x0 file level=pte pages=4 pfn=P0 excl=1 mapcount=1\n"
		    "obs child:n+0x4000 file level=pte pfn=P4 excl=1 mapcount=1\n"
		    "obs child:n+0x5000 file level=pte pfn=P0 excl=1 mapcount=1\n"
		    "obs child:m+0x0 anon level=pmd pages=3 pfn=P5 excl=1 mapcount=1\n"
		    "obs child:m+0x3000 anon level=pmd pfn=P4 excl=1 mapcount=1\n"
		    "obs child:m+0x4000 anon level=pmd pages=4 pfn=P0 excl=1 mapcount=1\n"
		    "obs child:m+0x8000 anon level=pmd pages=504 pfn=P8 excl=1 mapcount=1\n"
		    "obs child:m+0x200000 anon level=pte pfn=P512 excl=1 mapcount=1\n"
		    "obs child:m+0x201000 zero level=pte pages=3 pfn=Z excl=0 mapcount=0\n"
		    "obs child:m+0x204000 huge-zero level=pte pages=2 pfn=HZ+5 excl=0 mapcount=0\n"
		    "obs child:m+0x206000 anon level=pte pfn=P5 excl=1 mapcount=2\n"
		    "obs child:m+0x207000 anon level=pte pfn=P513 excl=1 mapcount=1\n"
		    "counters child:n,m Rss=2072 Pss=2056 Shared_Clean=16 Shared_Dirty=0 "
		    "Private_Clean=0 Private_Dirty=0 Anonymous=0 AnonHugePages=2048 "
		    "FilePmdMapped=0\n");
	assert_text(print(&s, names_n, 1, false),
		    "obs child:n+0x0 file level=pte pages=4 pfn=P0 excl=1 mapcount=1\n"
		    "obs child:n+0x4000 file level=pte pfn=P4 excl=1 mapcount=1\n"
		    "obs child:n+0x5000 file level=pte pfn=P0 excl=1 mapcount=1\n"
		    "counters child:n Rss=16 Pss=0 Shared_Clean=16 Shared_Dirty=0 "
		    "Private_Clean=0 Private_Dirty=0 Anonymous=0 AnonHugePages=0 "
		    "FilePmdMapped=0\n");
	fl_obs_snapshot_free(&s);
}

/* Model fields: printed in order, and a difference in them breaks a run. */
static void test_print_model_fields(void **state)
{
	struct fl_obs_snapshot s;
	struct fl_obs_page *pg;

	(void)state;
	fl_obs_snapshot_init(&s, "p0", "model");
	fl_obs_add_map(&s, "m", M_START, 8 * PAGE);
	for (int i = 0; i < 3; i++)
		model_fields(add(&s, M_START + (uint64_t)i * PAGE, 40 + (uint64_t)i, FL_KIND_DAX,
				 FL_LEVEL_PTE), 1, i == 2, 1);
	pg = add(&s, M_START + 3 * PAGE, 43, FL_KIND_PFN, FL_LEVEL_PTE);
	pg->has = FL_OBS_WRITE | FL_OBS_SPECIAL;	/* a raw pfn: no mapcount, no refcount */
	pg->special = 1;
	fl_obs_sort(&s);
	assert_text(print(&s, NULL, 0, true),
		    "obs p0:m+0x0 dax level=pte pages=2 pfn=P0 excl=1 mapcount=1 write=1 dirty=0 "
		    "young=1 special=0 refcount=1\n"
		    "obs p0:m+0x2000 dax level=pte pfn=P2 excl=1 mapcount=1 write=1 dirty=1 "
		    "young=1 special=0 refcount=1\n"
		    "obs p0:m+0x3000 pfn level=pte pfn=P3 write=0 special=1\n"
		    "counters p0:m Rss=0 Pss=0 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 "
		    "Private_Dirty=0 Anonymous=0 AnonHugePages=0 FilePmdMapped=0\n");
	assert_text(print(&s, NULL, 0, false),
		    "obs p0:m+0x0 dax level=pte pages=3 pfn=P0 excl=1 mapcount=1\n"
		    "obs p0:m+0x3000 pfn level=pte pfn=P3\n"
		    "counters p0:m Rss=0 Pss=0 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 "
		    "Private_Dirty=0 Anonymous=0 AnonHugePages=0 FilePmdMapped=0\n");
	fl_obs_snapshot_free(&s);
}

static void test_print_empty(void **state)
{
	struct fl_obs_snapshot s;

	(void)state;
	fl_obs_snapshot_init(&s, "p0", "model");
	assert_text(print(&s, NULL, 0, true),
		    "counters p0: Rss=0 Pss=0 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 "
		    "Private_Dirty=0 Anonymous=0 AnonHugePages=0 FilePmdMapped=0\n");
	fl_obs_add_map(&s, "m", M_START, 8 * PAGE);
	fl_obs_add_map(&s, "a", N_START, 8 * PAGE)->counters.kib[FL_CNT_PSS] = 3;
	/* Adding the same map again returns it: producers may do so. */
	assert_ptr_equal(fl_obs_add_map(&s, "m", M_START, 8 * PAGE), &s.maps[0]);
	assert_int_equal(s.nmaps, 2);
	add(&s, N_START + 8 * PAGE, 1, FL_KIND_ANON, FL_LEVEL_PTE);	/* outside both */
	assert_text(print(&s, NULL, 0, true),
		    "counters p0:m,a Rss=0 Pss=3 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 "
		    "Private_Dirty=0 Anonymous=0 AnonHugePages=0 FilePmdMapped=0\n");
	fl_obs_snapshot_free(&s);
}

static void test_names(void **state)
{
	(void)state;
	for (int k = 0; k < FL_NR_KINDS; k++)
		assert_int_equal(fl_kind_lookup(fl_kind_name((enum fl_kind)k)), k);
	assert_int_equal(fl_kind_lookup("huge-zero"), FL_KIND_HUGE_ZERO);
	assert_int_equal(fl_kind_lookup("bogus"), FL_NR_KINDS);
	for (int c = 0; c < FL_NR_COUNTERS; c++)
		assert_int_equal(fl_counter_lookup(fl_counter_name((enum fl_counter)c)), c);
	assert_string_equal(fl_counter_name(FL_CNT_FILE_PMD_MAPPED), "FilePmdMapped");
	assert_int_equal(fl_counter_lookup("rss"), FL_NR_COUNTERS);
	assert_string_equal(fl_level_name(FL_LEVEL_PUD), "pud");
}

static struct fl_expect_page want(enum fl_kind kind)
{
	struct fl_expect_page e = {
		.kind = kind, .level = -1, .pages = 1, .write = -1, .dirty = -1, .excl = -1,
		.mapcount = -1, .refcount = -1,
	};

	return e;
}

static void test_expect_pages(void **state)
{
	struct fl_obs_snapshot s;
	struct fl_expect_page e = want(FL_KIND_ANON);
	char msg[512];

	(void)state;
	fl_obs_snapshot_init(&s, "p0", "model");
	build_m(&s);
	e.level = FL_LEVEL_PMD;
	e.pages = 512;
	assert_int_equal(fl_expect_pages(&s, M_START, NULL, 0, &e, msg, sizeof(msg)), FL_EXPECT_PASS);
	e.pages = 514;
	assert_int_equal(fl_expect_pages(&s, M_START, NULL, 0, &e, msg, sizeof(msg)), FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x200000 (and 1 more of 514 pages): "
			    "level pte, expected pmd");
	e = want(FL_KIND_ZERO);
	assert_int_equal(fl_expect_pages(&s, M_START + 0x200000, NULL, 0, &e, msg, sizeof(msg)),
			 FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x200000: kind anon, expected zero");
	e = want(FL_KIND_NONE);
	e.pages = 2;
	assert_int_equal(fl_expect_pages(&s, M_START + 0x208000, NULL, 0, &e, msg, sizeof(msg)),
			 FL_EXPECT_PASS);
	e = want(FL_KIND_DAX);
	assert_int_equal(fl_expect_pages(&s, M_START + 0x208000, NULL, 0, &e, msg, sizeof(msg)),
			 FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x208000: kind none, expected dax");
	e = want(FL_KIND_ANON);
	e.mapcount = 1;
	e.excl = 1;
	assert_int_equal(fl_expect_pages(&s, M_START + 0x206000, NULL, 0, &e, msg, sizeof(msg)),
			 FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x206000: mapcount=2, expected 1");
	/* same=: page 0x206000 maps P0, the first page of the THP. */
	e = want(FL_KIND_ANON);
	assert_int_equal(fl_expect_pages(&s, M_START + 0x206000, &s, M_START, &e, msg, sizeof(msg)),
			 FL_EXPECT_PASS);
	assert_int_equal(fl_expect_pages(&s, M_START + 0x206000, &s, M_START + PAGE, &e, msg,
					 sizeof(msg)), FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x206000: not the same page as "
			    "p0:m+0x1000 (anon there)");
	e.pages = 2;
	assert_int_equal(fl_expect_pages(&s, M_START, &s, M_START + 0x206000, &e, msg, sizeof(msg)),
			 FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x1000: not the same page as "
			    "p0:m+0x207000 (anon there)");
	/* The model has no refcount for this record: a failure, not a skip. */
	e = want(FL_KIND_ANON);
	e.refcount = 1;
	assert_int_equal(fl_expect_pages(&s, M_START, NULL, 0, &e, msg, sizeof(msg)), FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x0: refcount not known, expected refcount=1");
	fl_obs_snapshot_free(&s);
}

static void test_expect_kernel(void **state)
{
	struct fl_obs_snapshot s;
	struct fl_expect_page e = want(FL_KIND_FILE);
	struct fl_obs_page *pg;
	char msg[512];

	(void)state;
	fl_obs_snapshot_init(&s, "p0", "kernel");
	fl_obs_add_map(&s, "m", M_START, 4 * PAGE);
	pg = add(&s, M_START, 1, FL_KIND_FILE, FL_LEVEL_PTE);
	pg->has = FL_OBS_EXCL;		/* kpagecount unreadable */
	/* Model-only fields: the whole expect is skipped, even a wrong kind. */
	e.dirty = 1;
	e.kind = FL_KIND_DAX;
	assert_int_equal(fl_expect_pages(&s, M_START, NULL, 0, &e, msg, sizeof(msg)), FL_EXPECT_SKIP);
	/* A field the record lacks is skipped on the kernel; the rest counts. */
	e = want(FL_KIND_FILE);
	e.mapcount = 5;
	assert_int_equal(fl_expect_pages(&s, M_START, NULL, 0, &e, msg, sizeof(msg)), FL_EXPECT_PASS);
	e.excl = 0;
	assert_int_equal(fl_expect_pages(&s, M_START, NULL, 0, &e, msg, sizeof(msg)), FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect failed at p0:m+0x0: excl=1, expected 0");
	fl_obs_snapshot_free(&s);
}

static void test_expect_counters(void **state)
{
	static const char names[1][64] = { "m" };
	struct fl_expect_counter e[2] = { { FL_CNT_RSS, 2056 }, { FL_CNT_ANON_HUGE, 2048 } };
	struct fl_obs_snapshot s;
	char msg[512];

	(void)state;
	fl_obs_snapshot_init(&s, "p0", "model");
	build_m(&s);
	fl_obs_add_map(&s, "n", N_START, PAGE)->counters.kib[FL_CNT_RSS] = 4;
	assert_int_equal(fl_expect_counters(&s, names, 1, e, 2, msg, sizeof(msg)), FL_EXPECT_PASS);
	assert_int_equal(fl_expect_counters(&s, NULL, 0, e, 2, msg, sizeof(msg)), FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect-counter failed for p0:m,n: Rss=2060, expected 2056");
	e[1].kib = 0;
	assert_int_equal(fl_expect_counters(&s, NULL, 0, e, 2, msg, sizeof(msg)), FL_EXPECT_FAIL);
	assert_string_equal(msg, "expect-counter failed for p0:m,n: Rss=2060, expected 2056; "
			    "AnonHugePages=2048, expected 0");
	fl_obs_snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_runs),
		cmocka_unit_test(test_print_two_maps),
		cmocka_unit_test(test_print_model_fields),
		cmocka_unit_test(test_print_empty),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_expect_pages),
		cmocka_unit_test(test_expect_kernel),
		cmocka_unit_test(test_expect_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
