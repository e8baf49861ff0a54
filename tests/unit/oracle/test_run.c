// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_run.c - whole scenarios through fl_oracle_run(): the runner, the
 * real-kernel backend and the output it prints.
 *
 * Covers what only shows end to end: the exact observation lines of a
 * small scenario, every skip reason a user can meet (and that a skipped
 * scenario runs nothing), that a failed expectation is reported with its
 * line and still cleans up, and that file scenarios leave no directory
 * behind.  Skipped without root, except where the reason itself is what
 * is tested.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oracle/oracle.h"
#include "oracle_test.h"
#include "scenario/parser.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	become_subreaper();
	snprintf(dir, sizeof(dir), "/var/tmp/fl-test-run.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

/* Fails the group if a test left a file or a process behind. */
static int teardown(void **state)
{
	(void)state;
	if (rmdir(dir)) {
		fprintf(stderr, "%s is not empty\n", dir);
		return -1;
	}
	return no_children_left() ? 0 : -1;
}

static int run(const char *text, struct fl_oracle_result *res)
{
	struct fl_oracle_opts oo = { .dir = dir };
	struct fl_run_opts ro = { .trace = true, .comparable = true };
	struct scn *scn = scn_parse_string("t.scn", text, stderr);
	int st;

	assert_non_null(scn);
	st = fl_oracle_run(scn, &oo, &ro, res);
	scn_free(scn);
	return st;
}

static void expect_skip(const char *text, const char *reason)
{
	struct fl_oracle_result res;

	assert_int_equal(run(text, &res), FL_RUN_SKIPPED);
	assert_string_equal(res.skip, reason);
	assert_non_null(strstr(res.out, "skipped: "));
	assert_null(strstr(res.out, "step "));	/* nothing ran */
	fl_oracle_result_free(&res);
}

static void test_output(void **state)
{
	struct fl_oracle_result res;

	(void)state;
	SKIP_UNLESS_ORACLE();
	assert_int_equal(run("mmap m 16K anon private rw\n"
			     "read m+0 faults=1\n"
			     "write m+0x2000 faults=1\n"
			     "show m\n", &res), FL_RUN_OK);
	assert_string_equal(res.out,
		"step 2: read m+0 faults=1 -> faults=1\n"
		"step 3: write m+0x2000 faults=1 -> faults=1\n"
		"obs p0:m+0x0 zero level=pte pfn=Z excl=0 mapcount=0\n"
		"obs p0:m+0x2000 anon level=pte pfn=P0 excl=1 mapcount=1\n"
		"counters p0:m Rss=4 Pss=4 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 "
		"Private_Dirty=4 Anonymous=4 AnonHugePages=0 FilePmdMapped=0\n");
	/*
	 * thp_collapse_alloc is system-wide: a collapse elsewhere (another test's
	 * THP, running in parallel) may cost a retry, never a wrong answer.
	 */
	assert_in_range(res.tries, 1, FL_ORACLE_TRIES);
	fl_oracle_result_free(&res);
}

static int use_zero_page(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/use_zero_page", "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void test_skips(void **state)
{
	(void)state;
	SKIP_UNLESS_ORACLE();
	expect_skip("mmap m 4K anon private rw\ninject folio\nwrite m+0\n",
		    "fault injection is model only");
	expect_skip("mmap m 4K anon private rw\ncall handle_mm_fault m+0 ret=0\n",
		    "kernel calls, poked entries and expected stops are model only");
	expect_skip("mmap m 4K anon private rw\nexpect-stop Bad\nwrite m+0\n",
		    "kernel calls, poked entries and expected stops are model only");
	expect_skip("mmap m 4K pfn=ram+0 shared rw\nread m+0\n",
		    "driver mappings cannot be made from userspace");
	expect_skip("file f size=2M\nmmap m 2M file=f shared rw\n",
		    "no DAX filesystem (use --dax-dir)");
	expect_skip("config pte_special=off\nmmap m 4K anon private rw\n",
		    "config pte_special=off: this kernel cannot");
	expect_skip("config dax_pmd_hole=legacy\nmmap m 4K anon private rw\n",
		    "config dax_pmd_hole=legacy: this kernel cannot");
	if (use_zero_page() == 1)
		expect_skip("config thp_zero_page=off\nmmap m 4K anon private rw\n",
			    "config thp_zero_page=off: use_zero_page is 1 on this kernel");
	expect_skip("mmap m 8K anon private rw\npin p m+0 len=4K write\n",
		    "a short-term write pin cannot be held from userspace");
}

/*
 * thp= is honoured per process whatever sysfs says (unless it says never):
 * never -> the huge-page read maps the 4 KiB zero page; madvise -> the
 * huge zero folio; always -> the huge zero folio without `hugepage`.
 */
static void test_thp_modes(void **state)
{
	struct fl_oracle_result res;

	(void)state;
	SKIP_UNLESS_ORACLE();
	assert_int_equal(run("config thp=never\n"
			     "mmap m 2M anon private rw align=2M hugepage\n"
			     "read m+0 faults=1\n"
			     "expect m+0 zero level=pte\n"
			     "expect m+0x1000 none\n", &res), FL_RUN_OK);
	fl_oracle_result_free(&res);
	/* ... and the default (madvise) is not: the huge zero folio. */
	assert_int_equal(run("mmap m 2M anon private rw align=2M hugepage\n"
			     "read m+0 faults=1\n"
			     "expect m+0 huge-zero level=pmd pages=512\n", &res), FL_RUN_OK);
	fl_oracle_result_free(&res);
	assert_int_equal(run("config thp=always\n"
			     "mmap m 2M anon private rw align=2M\n"
			     "mmap n 2M anon private rw align=2M nohugepage\n"
			     "read m+0 faults=1\n"
			     "read n+0 faults=1\n"
			     "expect m+0 huge-zero level=pmd pages=512\n"
			     "expect n+0 zero level=pte\n", &res), FL_RUN_OK);
	fl_oracle_result_free(&res);
}

static void test_failed_expectation(void **state)
{
	struct fl_oracle_result res;

	(void)state;
	SKIP_UNLESS_ORACLE();
	assert_int_equal(run("file f size=64K fs=pagecache\n"
			     "pwrite f off=0 len=64K\n"
			     "mmap m 64K file=f shared rw\n"
			     "fork c\n"
			     "read m+0 faults=2\n"
			     "expect m+0 anon\n"
			     "read m+0x10 signal=SIGSEGV\n", &res), FL_RUN_FAILED);
	assert_non_null(strstr(res.err, "t.scn:5: expected faults=2, got faults=1"));
	assert_non_null(strstr(res.err, "t.scn:6: expect failed at p0:m+0x0: kind file, "
			       "expected anon"));
	assert_non_null(strstr(res.err, "t.scn:7: expected SIGSEGV, got none"));
	fl_oracle_result_free(&res);
}

/* A faultline-oracle.* directory left in /dev/shm. */
static bool shm_leftover(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "faultline-oracle.", 17))
			found = true;
	closedir(d);
	return found;
}

static void test_tmpfs_file(void **state)
{
	struct fl_oracle_result res;

	(void)state;
	SKIP_UNLESS_ORACLE();
	assert_int_equal(run("file f size=1M fs=tmpfs\n"
			     "pwrite f off=0 len=1M byte=0x41\n"
			     "mmap m 1M file=f shared rw\n"
			     "read m+0x64000 expect=0x41 faults=1\n"
			     "expect m+0x60000 file level=pte pages=16 excl=1 mapcount=1\n"
			     "expect m+0x5f000 none\n"
			     "write m+0x64000 faults=0\n", &res), FL_RUN_OK);
	fl_oracle_result_free(&res);
	assert_false(shm_leftover());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_thp_modes),
		cmocka_unit_test(test_failed_expectation),
		cmocka_unit_test(test_tmpfs_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
