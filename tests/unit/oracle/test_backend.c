// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_backend.c - the real-kernel backend driven op by op.
 *
 * A small driver of its own (no runner): prepare, map, touch, fork,
 * snapshot, and then look at the records the backend produced.  What it
 * pins down is the translation from /proc to observations: the zero page
 * (zero, not exclusive, mapcount 0), a fresh anonymous page (anon,
 * exclusive, mapcount 1), the huge zero folio at PMD level with its page
 * indices, a PMD-mapped THP, mapcount 2 and the same frame after fork, a
 * file page, and the smaps counters.  Then cleanup: after finish or
 * destroy, from any state, no process and no file is left.
 *
 * Needs root and /proc/kpageflags; without them every test is skipped,
 * except the one checking that prepare itself skips with "not root".
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "oracle/oracle_int.h"
#include "oracle_test.h"
#include "scenario/parser.h"

#define M (1ull << 20)

static struct {
	struct fl_backend *b;
	struct scn *scn;
	char dir[64];
} t;

static int setup(void **state)
{
	struct fl_oracle_opts oo = { .dir = t.dir };

	(void)state;
	if (!oracle_machine_ok())
		return 0;
	become_subreaper();
	snprintf(t.dir, sizeof(t.dir), "/var/tmp/fl-test-backend.XXXXXX");
	if (!mkdtemp(t.dir))
		return -1;
	t.scn = scn_parse_string("t.scn", "mmap m 4K anon private rw\n", stderr);
	t.b = fl_oracle_backend_create(&oo);
	if (!t.scn || !t.b)
		return -1;
	return t.b->ops->prepare(t.b, t.scn) == FL_OK ? 0 : (fprintf(stderr, "%s\n", t.b->err), -1);
}

/* The directory must be empty again: rmdir fails otherwise. */
static int teardown(void **state)
{
	int ok = 1;

	(void)state;
	if (!t.b)
		return 0;
	t.b->ops->destroy(t.b);
	t.b = NULL;
	scn_free(t.scn);
	if (rmdir(t.dir)) {
		fprintf(stderr, "%s not empty after destroy\n", t.dir);
		ok = 0;
	}
	if (!no_children_left()) {
		fprintf(stderr, "an agent outlived destroy\n");
		ok = 0;
	}
	return ok ? 0 : -1;
}

static uint64_t do_mmap(int proc, uint64_t len, uint64_t align, bool hugepage, int file,
			enum scn_source src, bool shared)
{
	struct scn_cmd c;
	struct fl_step_result r;
	uint64_t start = 0;

	memset(&c, 0, sizeof(c));
	c.op = SCN_MMAP;
	snprintf(c.name, sizeof(c.name), "m");
	c.size = len;
	c.align = align;
	c.hugepage = hugepage;
	c.source = src;
	c.shared = shared;
	c.prot = SCN_PROT_RW;
	assert_int_equal(t.b->ops->mmap(t.b, proc, &c, file, &start, &r), FL_OK);
	assert_int_equal(start % (align ? align : 4096), 0);
	return start;
}

static long touch(int proc, uint64_t va, uint64_t len, bool write)
{
	struct fl_step_result r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(t.b->ops->access(t.b, proc, va, len, write, 0xCD, -1, &r), FL_OK);
	assert_int_equal(r.signo, 0);
	return r.faults;
}

static void snap(int proc, uint64_t start, uint64_t len, struct fl_obs_snapshot *s)
{
	struct fl_map_ref ref = { "m", start, len };

	fl_obs_snapshot_init(s, proc ? "c" : "p0", "kernel");
	assert_int_equal(t.b->ops->snapshot(t.b, proc, &ref, 1, s), FL_OK);
	assert_int_equal(s->nmaps, 1);
}

static void test_zero_and_anon(void **state)
{
	struct fl_obs_snapshot s;
	uint64_t m;

	(void)state;
	SKIP_UNLESS_ORACLE();
	m = do_mmap(0, 16 * 4096, 0, false, -1, SCN_SRC_ANON, false);
	assert_int_equal(touch(0, m, 1, false), 1);
	assert_int_equal(touch(0, m + 4096, 1, true), 1);
	assert_int_equal(touch(0, m + 8192, 1, true), 1);
	snap(0, m, 16 * 4096, &s);
	assert_int_equal(s.npages, 3);
	assert_int_equal(s.pages[0].kind, FL_KIND_ZERO);
	assert_int_equal(s.pages[0].level, FL_LEVEL_PTE);
	assert_int_equal(s.pages[0].excl, 0);
	assert_int_equal(s.pages[0].mapcount, 0);
	assert_int_equal(s.pages[1].kind, FL_KIND_ANON);
	assert_int_equal(s.pages[1].excl, 1);
	assert_int_equal(s.pages[1].mapcount, 1);
	assert_int_equal(s.pages[1].has, FL_OBS_EXCL | FL_OBS_MAPCOUNT | FL_OBS_FOLIO);
	/* Two order-0 folios: never consecutive identities (snapshot.c). */
	assert_int_not_equal(s.pages[2].pfn, s.pages[1].pfn + 1);
	assert_int_not_equal(s.pages[2].pfn + 1, s.pages[1].pfn);
	assert_int_not_equal(s.pages[2].folio_pfn, s.pages[1].folio_pfn);
	assert_int_equal(s.maps[0].counters.kib[FL_CNT_RSS], 8);
	assert_int_equal(s.maps[0].counters.kib[FL_CNT_ANONYMOUS], 8);
	assert_int_equal(s.maps[0].counters.kib[FL_CNT_PRIVATE_DIRTY], 8);
	fl_obs_snapshot_free(&s);
}

static void test_huge_zero_then_thp(void **state)
{
	struct fl_obs_snapshot s;
	uint64_t m;

	(void)state;
	SKIP_UNLESS_ORACLE();
	m = do_mmap(0, 2 * M, 2 * M, true, -1, SCN_SRC_ANON, false);
	assert_int_equal(touch(0, m + 5 * 4096, 1, false), 1);
	snap(0, m, 2 * M, &s);
	assert_int_equal(s.npages, 512);
	for (size_t i = 0; i < 512; i++) {
		assert_int_equal(s.pages[i].kind, FL_KIND_HUGE_ZERO);
		assert_int_equal(s.pages[i].level, FL_LEVEL_PMD);
		assert_int_equal(s.pages[i].hz_index, i);
		assert_int_equal(s.pages[i].mapcount, 0);
	}
	assert_int_equal(s.maps[0].counters.kib[FL_CNT_RSS], 0);
	fl_obs_snapshot_free(&s);
	assert_int_equal(touch(0, m, 1, true), 1);
	snap(0, m, 2 * M, &s);
	assert_int_equal(s.npages, 512);
	assert_int_equal(s.pages[0].kind, FL_KIND_ANON);
	assert_int_equal(s.pages[0].level, FL_LEVEL_PMD);
	assert_int_equal(s.pages[511].pfn, s.pages[0].pfn + 511);
	assert_int_equal(s.pages[511].folio_pfn, s.pages[0].folio_pfn);
	assert_int_equal(s.pages[0].pfn, s.pages[0].folio_pfn);
	assert_int_equal(s.maps[0].counters.kib[FL_CNT_ANON_HUGE], 2048);
	fl_obs_snapshot_free(&s);
}

static void test_fork_shares(void **state)
{
	struct fl_obs_snapshot s0, s1;
	uint64_t m;

	(void)state;
	SKIP_UNLESS_ORACLE();
	m = do_mmap(0, 4 * 4096, 0, false, -1, SCN_SRC_ANON, false);
	touch(0, m, 4096, true);
	assert_int_equal(t.b->ops->fork(t.b, 0, 1), FL_OK);
	snap(0, m, 4 * 4096, &s0);
	snap(1, m, 4 * 4096, &s1);
	assert_int_equal(s0.npages, 1);
	assert_int_equal(s1.npages, 1);
	assert_int_equal(s0.pages[0].pfn, s1.pages[0].pfn);
	assert_int_equal(s1.pages[0].mapcount, 2);
	assert_int_equal(s1.pages[0].excl, 0);
	assert_int_equal(s1.maps[0].counters.kib[FL_CNT_PSS], 2);
	assert_int_equal(s1.maps[0].counters.kib[FL_CNT_SHARED_DIRTY], 4);
	fl_obs_snapshot_free(&s0);
	fl_obs_snapshot_free(&s1);
	assert_int_equal(touch(1, m, 1, true), 1);
	assert_int_equal(t.b->ops->exit(t.b, 1), FL_OK);
	snap(0, m, 4 * 4096, &s0);
	assert_int_equal(s0.pages[0].mapcount, 1);
	assert_int_equal(s0.pages[0].excl, 1);
	fl_obs_snapshot_free(&s0);
}

static void test_file_page(void **state)
{
	struct scn_cmd c;
	struct fl_obs_snapshot s;
	uint64_t m;

	(void)state;
	SKIP_UNLESS_ORACLE();
	memset(&c, 0, sizeof(c));
	c.op = SCN_FILE;
	c.fs = SCN_FS_PAGECACHE;
	c.size = 64 * 1024;
	snprintf(c.name, sizeof(c.name), "f");
	assert_int_equal(t.b->ops->file_create(t.b, 0, &c), FL_OK);
	c.op = SCN_PWRITE;
	c.off = 0;
	c.len = 64 * 1024;
	c.byte = 0x41;
	assert_int_equal(t.b->ops->file_op(t.b, 0, -1, &c), FL_OK);
	m = do_mmap(0, 64 * 1024, 0, false, 0, SCN_SRC_FILE, true);
	assert_int_equal(touch(0, m + 4096, 1, false), 1);
	snap(0, m, 64 * 1024, &s);
	/* Fault-around: 16 pages, the whole (64 KiB-aligned) file, with one fault. */
	assert_int_equal(s.npages, 16);
	assert_int_equal(s.pages[3].kind, FL_KIND_FILE);
	assert_int_equal(s.pages[3].mapcount, 1);
	assert_int_equal(s.maps[0].counters.kib[FL_CNT_RSS], 64);
	fl_obs_snapshot_free(&s);
}

/* An agent killed behind the backend's back: a clear error, then full cleanup. */
static void test_dead_agent(void **state)
{
	struct fl_step_result r;
	struct fl_oracle *o;
	uint64_t m;

	(void)state;
	SKIP_UNLESS_ORACLE();
	m = do_mmap(0, 4096, 0, false, -1, SCN_SRC_ANON, false);
	o = fl_oracle_of(t.b);
	kill(o->agents[0].pid, SIGKILL);
	assert_int_equal(t.b->ops->access(t.b, 0, m, 1, false, 0, -1, &r), FL_EFAIL);
	assert_non_null(strstr(t.b->err, "killed by signal 9"));
}

static void test_finish_cleans(void **state)
{
	struct fl_oracle *o;
	pid_t p0;

	(void)state;
	SKIP_UNLESS_ORACLE();
	o = fl_oracle_of(t.b);
	p0 = o->agents[0].pid;
	assert_int_equal(t.b->ops->fork(t.b, 0, 1), FL_OK);
	assert_int_equal(t.b->ops->fork(t.b, 1, 2), FL_OK);
	assert_int_equal(t.b->ops->finish(t.b), FL_OK);
	assert_int_equal(kill(p0, 0), -1);
	assert_int_equal(kill(o->agents[2].pid, 0), -1);
	assert_false(fl_oracle_backend_void(t.b));
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

/*
 * A THP collapse during the run (here MADV_COLLAPSE in this process, which
 * counts thp_collapse_alloc like khugepaged does) makes the run void.
 */
static void test_collapse_voids_run(void **state)
{
	size_t len = 4 * M;
	char *p, *a;

	(void)state;
	SKIP_UNLESS_ORACLE();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	a = (char *)(((uintptr_t)p + 2 * M - 1) & ~(2 * M - 1));
	assert_int_equal(madvise(a, 2 * M, MADV_NOHUGEPAGE), 0);
	memset(a, 1, 2 * M);
	assert_int_equal(madvise(a, 2 * M, MADV_HUGEPAGE), 0);
	if (madvise(a, 2 * M, MADV_COLLAPSE)) {
		munmap(p, len);
		skip();		/* no memory for a THP right now */
	}
	munmap(p, len);
	assert_int_equal(t.b->ops->finish(t.b), FL_OK);
	assert_true(fl_oracle_backend_void(t.b));
}

/*
 * V20 fs_dax_pmd=off on a real kernel: accepted for a scenario with DAX
 * files, whose mappings the oracle then madvises MADV_NOHUGEPAGE (which
 * keeps DAX faults at PTE level; contract-notes, --vm; check --vm shows
 * the faults agree), and still refused where nothing is DAX.
 */
static void test_dax_pmd_off(void **state)
{
	struct fl_oracle_env env;
	struct fl_config cfg;
	char why[256];

	(void)state;
	SKIP_UNLESS_ORACLE();
	fl_config_default(&cfg);
	cfg.fs_dax_pmd = false;
	memset(&env, 0, sizeof(env));
	env.uses_dax = true;
	if (fl_env_apply_config(&env, &cfg, why, sizeof(why)))
		fail_msg("refused: %s", why);
	fl_env_restore(&env);
	assert_true(env.dax_nohugepage);

	memset(&env, 0, sizeof(env));
	assert_int_equal(fl_env_apply_config(&env, &cfg, why, sizeof(why)), FL_ESKIP);
	assert_string_equal(why, "config fs_dax_pmd=off: this kernel cannot");
	assert_false(env.dax_nohugepage);
}

/* prepare as an unprivileged user: a skip that says why. */
static void test_not_root(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		struct fl_backend *b = fl_oracle_backend_create(NULL);
		struct scn *scn = scn_parse_string("t.scn", "mmap m 4K anon private rw\n", stderr);

		assert_int_equal(b->ops->prepare(b, scn), FL_ESKIP);
		assert_string_equal(b->err, "not root");
		b->ops->destroy(b);
		scn_free(scn);
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct fl_backend *b = fl_oracle_backend_create(NULL);
		struct scn *scn = scn_parse_string("t.scn", "mmap m 4K anon private rw\n", stderr);

		if (setuid(65534))
			_exit(3);
		_exit(b->ops->prepare(b, scn) == FL_ESKIP && !strcmp(b->err, "not root") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_zero_and_anon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_zero_then_thp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_shares, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_agent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_cleans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collapse_voids_run, setup, teardown),
		cmocka_unit_test(test_dax_pmd_off),
		cmocka_unit_test(test_not_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
