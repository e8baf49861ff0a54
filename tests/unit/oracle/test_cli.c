// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cli.c - `faultline oracle` and `faultline check` as a user runs them.
 *
 * The binary's path is argv[1] (meson passes it).  Each case writes a
 * scenario to a temporary file, runs the command, and checks the exit
 * status, the lines a user reads, and that nothing is left behind: the
 * --dir directory must be empty again and no process may survive (this
 * test is a child subreaper, so a leaked agent would be its child).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "oracle_test.h"

static const char *faultline;
static char dir[64], scn_path[96];

static int setup(void **state)
{
	(void)state;
	become_subreaper();
	snprintf(dir, sizeof(dir), "/var/tmp/fl-test-cli.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(scn_path, sizeof(scn_path), "%s.scn", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(scn_path);
	if (rmdir(dir)) {
		fprintf(stderr, "%s is not empty\n", dir);
		return -1;
	}
	return no_children_left() ? 0 : -1;
}

static void write_scn(const char *text)
{
	FILE *f = fopen(scn_path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Run faultline with @args (NULL-terminated); stdout+stderr into @out. */
static int run(char *out, size_t len, const char *const *args)
{
	const char *argv[16] = { faultline };
	int p[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	for (int i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(faultline, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < len && (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_bad_dir(void **state)
{
	char out[4096];

	(void)state;
	write_scn("mmap m 4K anon private rw\n");
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "oracle", "--dir",
		"/nonexistent-fl", scn_path, NULL }), 2);
	assert_non_null(strstr(out, "--dir /nonexistent-fl: No such file or directory"));
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "check", "--dax-dir",
		"/proc/self/status", scn_path, NULL }), 2);
	assert_non_null(strstr(out, "not a directory"));
}

static void test_bad_scenario(void **state)
{
	char out[4096];

	(void)state;
	write_scn("mmap m 4K anon private rw\nfrobnicate m\n");
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "oracle", scn_path, NULL }), 2);
	assert_non_null(strstr(out, ":2:"));
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "check", scn_path, NULL }), 2);
}

/* Files, a fork, a signal and failed expectations: exit 1, nothing left. */
static void test_failure_cleans_up(void **state)
{
	char out[8192];

	(void)state;
	SKIP_UNLESS_ORACLE();
	write_scn("file f size=64K fs=pagecache\n"
		  "pwrite f off=0 len=64K\n"
		  "mmap m 64K file=f shared rw\n"
		  "mmap a 8K anon private rw\n"
		  "write a+0 faults=1\n"
		  "fork c\n"
		  "as c\n"
		  "read m+0x2000 faults=7\n"
		  "munmap a off=4K len=4K\n"
		  "read a+0x1000 signal=SIGBUS\n"
		  "show m\n");
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "oracle", "--dir", dir,
		"--trace", scn_path, NULL }), 1);
	assert_non_null(strstr(out, "expected faults=7, got faults=1"));
	assert_non_null(strstr(out, "expected SIGBUS, got SIGSEGV (SEGV_"));
	assert_non_null(strstr(out, "obs c:m+0x0 file level=pte pages="));
}

static void test_oracle_ok_and_skip(void **state)
{
	char out[8192];

	(void)state;
	SKIP_UNLESS_ORACLE();
	write_scn("mmap m 8K anon private rw\nwrite m+0 faults=1\nexpect m+0 anon excl=1\n");
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "oracle", "--dir", dir,
		scn_path, NULL }), 0);
	write_scn("mmap m 8K anon private rw\ninject folio\nwrite m+0\n");
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "oracle", scn_path, NULL }), 0);
	assert_string_equal(out, "skipped: fault injection is model only\n");
}

static void test_check_skip_and_summary(void **state)
{
	char out[8192], want[256];

	(void)state;
	SKIP_UNLESS_ORACLE();
	write_scn("config fsdax_refcount=one_based\nmmap m 8K anon private rw\n");
	assert_int_equal(run(out, sizeof(out), (const char *[]){ "check", "--dir", dir,
		scn_path, NULL }), 0);
	snprintf(want, sizeof(want), "%s: skipped: config fsdax_refcount=one_based: this "
		 "kernel cannot\n0 agree, 0 differ, 1 skipped\n", scn_path);
	assert_string_equal(out, want);
}

/* A verdict per file and the closing count, whatever the model says. */
static void test_check_verdict(void **state)
{
	char out[16384];
	int st;

	(void)state;
	SKIP_UNLESS_ORACLE();
	write_scn("mmap m 16K anon private rw\nread m+0 faults=1\nwrite m+0x1000 faults=1\nshow m\n");
	st = run(out, sizeof(out), (const char *[]){ "check", "--dir", dir, scn_path, NULL });
	if (strstr(out, ": agree\n")) {
		assert_int_equal(st, 0);
		assert_non_null(strstr(out, "1 agree, 0 differ, 0 skipped\n"));
	} else if (strstr(out, ": differ\n")) {
		assert_int_equal(st, 1);
		assert_non_null(strstr(out, "--- model\n+++ kernel\n@@ "));
		assert_non_null(strstr(out, "0 agree, 1 differ, 0 skipped\n"));
	} else {
		assert_int_equal(st, 2);	/* no model in this build */
		assert_non_null(strstr(out, ": error\n"));
	}
}

/* ^C in the middle of a step: faultline dies of SIGINT, after cleaning up. */
static void test_interrupt(void **state)
{
	const char *argv[] = { faultline, "oracle", "--dir", dir, scn_path, NULL };
	int status;
	pid_t pid;

	(void)state;
	SKIP_UNLESS_ORACLE();
	write_scn("file f size=64K fs=pagecache\n"
		  "mmap f1 64K file=f shared rw\n"
		  "mmap m 16G anon private rw\n"
		  "fork c\n"
		  "read m+0 len=16G\n");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execv(faultline, (char *const *)argv);
		_exit(127);
	}
	usleep(500 * 1000);
	kill(pid, SIGINT);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGINT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_dir),
		cmocka_unit_test(test_bad_scenario),
		cmocka_unit_test(test_failure_cleans_up),
		cmocka_unit_test(test_oracle_ok_and_skip),
		cmocka_unit_test(test_check_skip_and_summary),
		cmocka_unit_test(test_check_verdict),
		cmocka_unit_test(test_interrupt),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-FAULTLINE\n", argv[0]);
		return 2;
	}
	faultline = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
