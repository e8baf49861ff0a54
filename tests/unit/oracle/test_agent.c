// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_agent.c - agents, driven directly through agent_ctl.h.
 *
 * These need no root: they check what an agent measures and how it lives
 * and dies, not what /proc says about frames.  Fault counts are exact
 * here because they are the whole point of the agent: a fresh anonymous
 * page costs one fault, a present one none, a CoW after fork one, and the
 * agent's own bookkeeping (re-dirtying after fork, warm-up) must add
 * nothing.  Signals come back with their code and address.  Every test
 * ends with no process left behind.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "oracle/agent.h"
#include "oracle/agent_ctl.h"
#include "oracle_test.h"

#define M (1ull << 20)

struct fixture {
	struct fl_oracle_agent p0;
	uint64_t lo, hi;
	char err[512];
};

static struct fixture fx;

static int setup(void **state)
{
	struct fl_agent_setup s = { .cpu = 0, .thp_disable = -1, .arena_len = 1ull << 30 };

	(void)state;
	become_subreaper();
	memset(&fx, 0, sizeof(fx));
	if (fl_agent_spawn(&fx.p0, 0, &s, &fx.lo, &fx.hi, fx.err, sizeof(fx.err))) {
		fprintf(stderr, "spawn: %s\n", fx.err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fl_agent_kill(&fx.p0);
	return no_children_left() ? 0 : -1;
}

static int req(struct fl_oracle_agent *a, struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	return fl_agent_request(a, rq, -1, rp, fx.err, sizeof(fx.err));
}

static uint64_t map_anon(struct fl_oracle_agent *a, uint64_t off, uint64_t len)
{
	struct fl_agent_req rq = {
		.op = AG_MMAP, .va = fx.lo + off, .len = len, .prot = PROT_READ | PROT_WRITE,
		.mflags = MAP_PRIVATE | MAP_ANONYMOUS, .expect_byte = -1,
	};
	struct fl_agent_rep rp;

	assert_int_equal(req(a, &rq, &rp), 0);
	assert_int_equal(rp.va, fx.lo + off);
	return rp.va;
}

static long touch(struct fl_oracle_agent *a, uint64_t va, uint64_t len, int write,
		  struct fl_agent_rep *rp)
{
	struct fl_agent_req rq = { .op = AG_ACCESS, .va = va, .len = len, .write = write,
				   .byte = 0x77, .expect_byte = -1 };

	assert_int_equal(req(a, &rq, rp), 0);
	return rp->minflt + rp->majflt;
}

static void test_hello(void **state)
{
	(void)state;
	assert_true(fx.p0.alive);
	assert_true(fx.p0.pid > 0);
	assert_int_equal(fx.lo % (1ull << 30), 0);
	assert_int_equal(fx.hi - fx.lo, 1ull << 30);
}

static void test_fault_counts(void **state)
{
	struct fl_agent_rep rp;
	uint64_t va = map_anon(&fx.p0, 4 * M, 16 * 4096);

	(void)state;
	assert_int_equal(touch(&fx.p0, va, 4 * 4096, 0, &rp), 4);	/* zero page, one each */
	assert_int_equal(touch(&fx.p0, va, 4 * 4096, 0, &rp), 0);
	assert_int_equal(touch(&fx.p0, va, 4 * 4096, 1, &rp), 4);	/* CoW from the zero page */
	assert_int_equal(touch(&fx.p0, va, 16 * 4096, 1, &rp), 12);
	assert_int_equal(touch(&fx.p0, va, 16 * 4096, 1, &rp), 0);
	assert_int_equal(rp.signo, 0);
}

static void test_expect_byte(void **state)
{
	struct fl_agent_req rq = { .op = AG_ACCESS, .len = 8192, .expect_byte = 0x77 };
	struct fl_agent_rep rp;
	uint64_t va = map_anon(&fx.p0, 4 * M, 8192);

	(void)state;
	touch(&fx.p0, va, 4096, 1, &rp);	/* page 0 = 0x77, page 1 stays 0 */
	rq.va = va;
	assert_int_equal(req(&fx.p0, &rq, &rp), 0);
	assert_int_equal(rp.bad_byte, 0);
	assert_int_equal(rp.bad_va, va + 4096);
	rq.len = 4096;
	assert_int_equal(req(&fx.p0, &rq, &rp), 0);
	assert_int_equal(rp.bad_byte, -1);
}

static void test_signals(void **state)
{
	struct fl_agent_req rq = { .op = AG_MPROTECT, .len = 4096, .prot = PROT_READ,
				   .expect_byte = -1 };
	struct fl_agent_rep rp;
	uint64_t va = map_anon(&fx.p0, 4 * M, 8192);

	(void)state;
	touch(&fx.p0, va, 8192, 1, &rp);
	rq.va = va + 4096;
	assert_int_equal(req(&fx.p0, &rq, &rp), 0);
	/* Stops at the first signal: page 0 written, page 1 faults. */
	assert_int_equal(touch(&fx.p0, va, 8192, 1, &rp), 0);
	assert_int_equal(rp.signo, SIGSEGV);
	assert_int_equal(rp.si_code, SEGV_ACCERR);
	assert_int_equal(rp.fault_va, va + 4096);
	/* A munmapped range is a hole: SEGV_MAPERR. */
	rq.op = AG_MUNMAP;
	rq.va = va;
	rq.len = 8192;
	assert_int_equal(req(&fx.p0, &rq, &rp), 0);
	touch(&fx.p0, va + 100, 1, 0, &rp);
	assert_int_equal(rp.signo, SIGSEGV);
	assert_int_equal(rp.si_code, SEGV_MAPERR);
	assert_int_equal(rp.fault_va, va + 100);
	/* The agent survives its signals. */
	map_anon(&fx.p0, 8 * M, 4096);
	assert_int_equal(touch(&fx.p0, fx.lo + 8 * M, 1, 1, &rp), 1);
}

static void test_mmap_outside_arena_refused(void **state)
{
	struct fl_agent_req rq = {
		.op = AG_MMAP, .va = fx.hi, .len = 4096, .prot = PROT_READ,
		.mflags = MAP_PRIVATE | MAP_ANONYMOUS, .expect_byte = -1,
	};
	struct fl_agent_rep rp;

	(void)state;
	assert_int_equal(req(&fx.p0, &rq, &rp), 1);
	assert_int_equal(rp.err, EINVAL);
	rq.va = fx.lo;	/* the agent's own head */
	assert_int_equal(req(&fx.p0, &rq, &rp), 1);
}

/* After fork, steps cost exactly the scenario's faults in both processes. */
static void test_fork_is_clean(void **state)
{
	struct fl_oracle_agent child;
	struct fl_agent_rep rp;
	uint64_t va = map_anon(&fx.p0, 4 * M, 4 * 4096);

	(void)state;
	touch(&fx.p0, va, 4 * 4096, 1, &rp);
	assert_int_equal(fl_agent_fork(&fx.p0, &child, 1, fx.err, sizeof(fx.err)), 0);
	assert_true(child.pid != fx.p0.pid);
	assert_int_equal(touch(&child, va, 4 * 4096, 0, &rp), 0);
	assert_int_equal(touch(&fx.p0, va, 4 * 4096, 0, &rp), 0);
	assert_int_equal(touch(&child, va, 1, 1, &rp), 1);	/* CoW copy */
	assert_int_equal(touch(&fx.p0, va, 1, 1, &rp), 1);	/* reuse */
	assert_int_equal(touch(&fx.p0, va, 1, 1, &rp), 0);
	assert_int_equal(fl_agent_exit(&child, fx.err, sizeof(fx.err)), 0);
	assert_false(child.alive);
	/* The shared page is the parent's alone now, but still write-protected. */
	assert_int_equal(touch(&fx.p0, va + 4096, 1, 1, &rp), 1);
}

/* A grandchild whose parent exits first is reparented and still reaped. */
static void test_orphan_reaped(void **state)
{
	struct fl_oracle_agent c1, c2;
	struct fl_agent_rep rp;

	(void)state;
	assert_int_equal(fl_agent_fork(&fx.p0, &c1, 1, fx.err, sizeof(fx.err)), 0);
	assert_int_equal(fl_agent_fork(&c1, &c2, 2, fx.err, sizeof(fx.err)), 0);
	assert_int_equal(fl_agent_exit(&c1, fx.err, sizeof(fx.err)), 0);
	map_anon(&c2, 4 * M, 4096);
	assert_int_equal(touch(&c2, fx.lo + 4 * M, 1, 1, &rp), 1);
	assert_int_equal(fl_agent_exit(&c2, fx.err, sizeof(fx.err)), 0);
	assert_int_equal(kill(c2.pid, 0), -1);
	assert_int_equal(errno, ESRCH);
}

static void test_death_reported(void **state)
{
	struct fl_agent_rep rp;
	struct fl_agent_req rq = { .op = AG_ACCESS, .va = fx.lo + 4 * M, .len = 1,
				   .expect_byte = -1 };

	(void)state;
	kill(fx.p0.pid, SIGKILL);
	assert_int_equal(req(&fx.p0, &rq, &rp), -1);
	assert_non_null(strstr(fx.err, "killed by signal 9"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expect_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmap_outside_arena_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_is_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_reaped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_death_reported, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
