/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * core_test.h - fixtures shared by the unit tests of the core.
 *
 * Every test runs on a machine of its own: machine_up() brings up 64 MiB of
 * simulated RAM with SPEC.md's default variants (a test may change the
 * config first), machine_down() tears it down and fails the test if
 * anything was left behind: a frame, a page table, a folio, an mm, a VMA or
 * an anon_vma (fl_check_final(), SPEC.md section 6, invariants 5 and 10),
 * or if the model reported a bug of its own.  So every test is also a leak
 * test, for free.
 *
 * Randomized tests take their seed from test_seed(): a fixed default,
 * printed before the run, replaced by $FL_TEST_SEED when it is set, so a
 * failure found in a soak run (FL_TEST_LONG=1) can be replayed exactly.
 */
#ifndef FL_TESTS_CORE_TEST_H
#define FL_TESTS_CORE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/bug.h"
#include "check/check.h"
#include "faultline/config.h"
#include "mm/mm.h"
#include "phys/phys.h"

#define TEST_RAM	(64ull << 20)
#define TEST_RAM_PAGES	(TEST_RAM >> PAGE_SHIFT)

/* SPEC.md's defaults (Linux 6.18 with the seeds' patches), on 64 MiB of RAM. */
static inline void test_config(struct fl_config *cfg)
{
	fl_config_default(cfg);
	cfg->ram = TEST_RAM;
	cfg->pmem = 0;
}

static inline int machine_up_with(const struct fl_config *cfg)
{
	fl_bug_reset();
	if (phys_init(cfg)) {
		fprintf(stderr, "phys_init failed\n");
		return -1;
	}
	return 0;
}

static inline int machine_up(void **state)
{
	struct fl_config cfg;

	(void)state;
	test_config(&cfg);
	return machine_up_with(&cfg);
}

/*
 * Address spaces of the running test.  A test that fails half-way leaves
 * its mms behind; teardown tears them down, so that one failure does not
 * show up again as a leak in every later test of the file.
 */
#define MAX_TEST_MMS 8
static struct mm_struct *test_mms[MAX_TEST_MMS] __attribute__((unused));

static inline void test_mm_register(struct mm_struct *mm)
{
	for (int i = 0; i < MAX_TEST_MMS; i++) {
		if (!test_mms[i]) {
			test_mms[i] = mm;
			return;
		}
	}
	fail_msg("more than %d live test mms", MAX_TEST_MMS);
}

static inline struct mm_struct *test_mm_alloc(void)
{
	struct mm_struct *mm = mm_alloc();

	assert_non_null(mm);
	test_mm_register(mm);
	return mm;
}

/* fork(): the child's address space. */
static inline struct mm_struct *test_dup_mm(struct mm_struct *parent)
{
	struct mm_struct *mm = dup_mm(parent);

	assert_non_null(mm);
	test_mm_register(mm);
	return mm;
}

/* exit(): tear the address space down. */
static inline void test_mmput(struct mm_struct *mm)
{
	for (int i = 0; i < MAX_TEST_MMS; i++)
		if (test_mms[i] == mm)
			test_mms[i] = NULL;
	mmput(mm);
}

static inline void test_mmput_leftovers(void)
{
	for (int i = 0; i < MAX_TEST_MMS; i++) {
		if (test_mms[i]) {
			mmput(test_mms[i]);
			test_mms[i] = NULL;
		}
	}
}

/*
 * Teardown: drop the huge zero folio if only the shrinker holds it, then
 * prove that everything is free again.  A non-zero return fails the test.
 */
static inline int machine_down(void **state)
{
	int rc;

	(void)state;
	test_mmput_leftovers();
	shrink_huge_zero_folio();
	rc = fl_check_final(stderr);
	if (vm_event(BAD_PAGE_MAP) || vm_event(BAD_RSS_COUNTER)) {
		fprintf(stderr, "teardown: BAD_PAGE_MAP %ld, BAD_RSS_COUNTER %ld\n",
			vm_event(BAD_PAGE_MAP), vm_event(BAD_RSS_COUNTER));
		rc = -1;
	}
	phys_exit();
	return rc;
}

/* Teardown for tests that break an invariant on purpose and clean up after. */
static inline int machine_down_no_events(void **state)
{
	int rc;

	(void)state;
	test_mmput_leftovers();
	shrink_huge_zero_folio();
	rc = fl_check_final(stderr);
	phys_exit();
	return rc;
}

#define assert_invariants(...)							\
	do {									\
		struct mm_struct *const mms__[] = { __VA_ARGS__ };		\
		assert_int_equal(fl_check_invariants(mms__,			\
				(int)(sizeof(mms__) / sizeof(mms__[0])), stderr), 0); \
	} while (0)

/* ---- randomness: splitmix64, seeded from $FL_TEST_SEED or a default ---- */

static inline uint64_t test_seed(const char *test, uint64_t dflt)
{
	const char *env = getenv("FL_TEST_SEED");
	uint64_t seed = dflt;

	if (env && *env)
		seed = strtoull(env, NULL, 0);
	printf("%s: seed %#" PRIx64 " (replay with FL_TEST_SEED=%#" PRIx64 ")\n",
	       test, seed, seed);
	fflush(stdout);
	return seed;
}

/* $FL_TEST_LONG=1: soak mode, @n times the operations. */
static inline unsigned long test_scale(unsigned long n)
{
	const char *env = getenv("FL_TEST_LONG");

	return env && *env && *env != '0' ? n * 20 : n;
}

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

#endif /* FL_TESTS_CORE_TEST_H */
