// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vm.c - `--vm` without QEMU (issue 7): the skip and error paths, the
 * reading back of the guest's framed output, and the linux-6.1 personality
 * check.
 *
 * The guest itself is exercised by `make check-vm`; here a stand-in
 * run.sh (FAULTLINE_VM_SCRIPTS) plays the guest, so what vm.c does with
 * each thing the script can say is pinned down exactly: a missing QEMU is
 * a skip with the install hint, a timeout an error naming the boot log,
 * CRs from the serial line vanish, notes before the output are messages,
 * a scenario the guest never finished is an error, and the guest's file
 * names become the user's.  The command line is checked too: with no QEMU
 * `check --vm` prints the personality header and skips every scenario.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oracle/vm.h"
#include "scenario/parser.h"

static const char *faultline_exe;
static char tmp[] = "/tmp/fl-test-vm.XXXXXX";

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* A stand-in run.sh: writes @guest to guest.out, @err to stderr, exits @st. */
static void fake_script(const char *guest, const char *err, int st)
{
	char path[256], text[4096];

	snprintf(path, sizeof(path), "%s/guest.txt", tmp);
	write_file(path, guest, 0644);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\n"
		 "while [ $# -gt 0 ]; do [ \"$1\" = --workdir ] && wd=$2; shift; done\n"
		 "cp %s/guest.txt \"$wd/guest.out\"\n"
		 "printf '%%s' '%s' >&2\n"
		 "exit %d\n", tmp, err, st);
	snprintf(path, sizeof(path), "%s/run.sh", tmp);
	write_file(path, text, 0755);
	setenv("FAULTLINE_VM_SCRIPTS", tmp, 1);
}

static int run_two(struct fl_vm_run *run, char *why, size_t len)
{
	static char a[] = "tests/a.scn", b[] = "tests/b.scn";
	char *files[] = { a, b };
	struct fl_vm_opts o = { 0 };
	struct fl_run_opts ro = { .trace = true, .comparable = true };

	why[0] = '\0';
	return fl_vm_run(files, 2, &o, &ro, run, why, len);
}

static void test_parse_guest(void **state)
{
	struct fl_vm_run run;
	char why[1024];

	(void)state;
	fake_script("@@fl-kernel 6.1.0-56-amd64 ext4\r\n"
		    "@@fl-begin /scn/0/a.scn\r\n"
		    "a note\r\n"
		    "@@fl-out\r\n"
		    "step 3: read m -> faults=1\r\n"
		    "\r\n"
		    "obs p0:m+0x0 dax level=pmd pages=512 pfn=P0\r\n"
		    "@@fl-err\r\n"
		    "/scn/0/a.scn:3: expected faults=2, got faults=1\r\n"
		    "@@fl-end 1 \r\n"
		    "@@fl-begin /scn/1/b.scn\r\n"
		    "@@fl-out\r\n"
		    "step 4: wr",
		    "", 0);
	assert_int_equal(run_two(&run, why, sizeof(why)), 0);
	assert_string_equal(run.kernel, "6.1.0-56-amd64 ext4");
	assert_int_equal(run.res[0].status, FL_RUN_FAILED);
	assert_string_equal(run.res[0].out,
			    "step 3: read m -> faults=1\n\nobs p0:m+0x0 dax level=pmd pages=512 pfn=P0\n");
	assert_string_equal(run.res[0].err,
			    "a note\ntests/a.scn:3: expected faults=2, got faults=1\n");
	assert_int_equal(run.res[1].status, FL_RUN_BAD);
	assert_string_equal(run.res[1].out, "step 4: wr\n");
	assert_non_null(strstr(run.res[1].err, "stopped before the end of this scenario"));
	assert_non_null(strstr(run.res[1].err, run.dir));
	fl_vm_run_free(&run);
}

static void test_skip_and_never_ran(void **state)
{
	struct fl_vm_run run;
	char why[1024];

	(void)state;
	fake_script("@@fl-begin /scn/0/a.scn\n@@fl-out\nskipped: no DAX filesystem\n"
		    "@@fl-err\n@@fl-end 4 no DAX filesystem\n", "", 0);
	assert_int_equal(run_two(&run, why, sizeof(why)), 0);
	assert_int_equal(run.res[0].status, FL_RUN_SKIPPED);
	assert_string_equal(run.res[0].skip, "no DAX filesystem");
	assert_string_equal(run.res[0].out, "skipped: no DAX filesystem\n");
	assert_int_equal(run.res[1].status, FL_RUN_BAD);
	assert_non_null(strstr(run.res[1].err, "the guest never ran this scenario"));
	fl_vm_run_free(&run);
}

static void test_timeout_is_an_error(void **state)
{
	struct fl_vm_run run;
	char why[1024];

	(void)state;
	fake_script("", "run.sh: the guest timed out after 9 s; boot log: /x/boot.log\n", 4);
	assert_int_equal(run_two(&run, why, sizeof(why)), FL_EFAIL);
	assert_string_equal(why, "run.sh: the guest timed out after 9 s; boot log: /x/boot.log");
	fl_vm_run_free(&run);
}

static void test_no_qemu_is_a_skip(void **state)
{
	struct fl_vm_run run;
	char why[1024];

	(void)state;
	unsetenv("FAULTLINE_VM_SCRIPTS");	/* the real scripts, found where meson baked them */
	setenv("FAULTLINE_VM_QEMU", "/nonexistent/qemu-system-x86_64", 1);
	assert_int_equal(run_two(&run, why, sizeof(why)), FL_ESKIP);
	assert_string_equal(why, "/nonexistent/qemu-system-x86_64 not found "
			    "(apt-get install qemu-system-x86)");
	fl_vm_run_free(&run);
	unsetenv("FAULTLINE_VM_QEMU");
}

static void expect_conflict(const char *text, const char *set, const char *want)
{
	struct scn *scn = scn_parse_string("t.scn", text, stderr);
	const char *sets[] = { set };
	char why[256] = "";

	assert_non_null(scn);
	assert_int_equal(fl_vm_personality_conflict(scn, sets, set ? 1 : 0, "linux-6.1", why,
						    sizeof(why)), want ? 1 : 0);
	if (want)
		assert_string_equal(why, want);
	scn_free(scn);
}

static void test_personality(void **state)
{
	(void)state;
	expect_conflict("file f size=4M\n", NULL, NULL);
	expect_conflict("config fsdax_refcount=one_based\nfile f size=4M\n", NULL, NULL);
	expect_conflict("config fsdax_refcount=zero_based\nfile f size=4M\n", NULL,
			"sets fsdax_refcount=zero_based; linux-6.1 has fsdax_refcount=one_based");
	expect_conflict("config dax_pmd_hole=folio_pmd\nfile f size=4M\n", NULL,
			"sets dax_pmd_hole=folio_pmd; linux-6.1 has dax_pmd_hole=legacy");
	/* --set comes after the scenario's lines, in both directions */
	expect_conflict("config dax_pmd_hole=folio_pmd\nfile f size=4M\n", "dax_pmd_hole=legacy",
			NULL);
	expect_conflict("file f size=4M\n", "dax_pmd_hole=s002v1",
			"sets dax_pmd_hole=s002v1; linux-6.1 has dax_pmd_hole=legacy");
	/* keys outside the preset are the oracle's business, not a conflict */
	expect_conflict("config thp=never\nfile f size=4M\n", NULL, NULL);
}

/* `faultline check --vm` with no QEMU: header, every scenario skipped, exit 0. */
static void test_cli_no_qemu(void **state)
{
	char cmd[2048], buf[4096];
	size_t n;
	FILE *p;
	int st;

	(void)state;
	snprintf(buf, sizeof(buf), "%s/t.scn", tmp);
	write_file(buf, "file f size=4M\nmmap m 4M file=f shared rw\nread m\n", 0644);
	snprintf(buf, sizeof(buf), "%s/u.scn", tmp);
	write_file(buf, "config fsdax_refcount=zero_based\nfile f size=4M\n", 0644);
	unsetenv("FAULTLINE_VM_SCRIPTS");
	snprintf(cmd, sizeof(cmd), "FAULTLINE_VM_QEMU=/nonexistent FAULTLINE_VM_CACHE=%s/cache "
		 "%s check --vm %s/t.scn %s/u.scn 2>&1", tmp, faultline_exe, tmp, tmp);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_non_null(strstr(buf, "kernel personality: linux-6.1 (fsdax_refcount=one_based"));
	assert_non_null(strstr(buf, "/t.scn: skipped: /nonexistent not found "
			       "(apt-get install qemu-system-x86)\n"));
	assert_non_null(strstr(buf, "/u.scn: skipped: sets fsdax_refcount=zero_based; "
			       "linux-6.1 has fsdax_refcount=one_based\n"));
	assert_non_null(strstr(buf, "0 agree, 0 differ, 2 skipped\n"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_guest),
		cmocka_unit_test(test_skip_and_never_ran),
		cmocka_unit_test(test_timeout_is_an_error),
		cmocka_unit_test(test_no_qemu_is_a_skip),
		cmocka_unit_test(test_personality),
		cmocka_unit_test(test_cli_no_qemu),
	};
	char cache[256];
	int ret;

	if (argc < 2 || !mkdtemp(tmp))
		return 1;
	faultline_exe = argv[1];
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	setenv("FAULTLINE_VM_CACHE", cache, 1);
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cache, sizeof(cache), "rm -rf '%s'", tmp);
	if (system(cache))
		ret = ret ? ret : 1;
	return ret;
}
