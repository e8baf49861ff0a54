// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_place.c - where the oracle puts scenario mappings.
 *
 * The guarantees the rest of the oracle relies on: every start honours
 * align= (and is 2 MiB aligned without it), mappings never overlap and
 * always keep a guard between them, the agent's reserved head of the arena
 * is never handed out, and an arena that is full says so instead of
 * wrapping around.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "oracle/place.h"

#define G (1ull << 30)
#define M (1ull << 20)

static void test_alignment_and_guard(void **state)
{
	struct fl_place p;
	uint64_t a, b, c, d;

	(void)state;
	fl_place_init(&p, 4 * G, 8 * G, 2 * M);
	assert_int_equal(fl_place_next(&p, 4096, 0, &a), 0);
	assert_true(a >= 4 * G + 2 * M);
	assert_int_equal(a % FL_PLACE_DEFAULT_ALIGN, 0);
	assert_int_equal(fl_place_next(&p, 3 * 4096, 0, &b), 0);
	assert_true(b >= a + 4096 + FL_PLACE_GUARD);
	assert_int_equal(fl_place_next(&p, 4 * M, 2 * M, &c), 0);
	assert_int_equal(c % (2 * M), 0);
	assert_true(c >= b + 3 * 4096 + FL_PLACE_GUARD);
	assert_int_equal(fl_place_next(&p, G, G, &d), 0);
	assert_int_equal(d % G, 0);
	assert_true(d >= c + 4 * M + FL_PLACE_GUARD);
}

static void test_same_layout_every_time(void **state)
{
	struct fl_place p1, p2;
	uint64_t a1, a2;

	(void)state;
	fl_place_init(&p1, 4 * G, 8 * G, 2 * M);
	fl_place_init(&p2, 4 * G, 8 * G, 2 * M);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(fl_place_next(&p1, (uint64_t)(i + 1) * 4096, 0, &a1), 0);
		assert_int_equal(fl_place_next(&p2, (uint64_t)(i + 1) * 4096, 0, &a2), 0);
		assert_int_equal(a1, a2);
	}
}

static void test_unaligned_length_rounds_up(void **state)
{
	struct fl_place p;
	uint64_t a, b;

	(void)state;
	fl_place_init(&p, 4 * G, 8 * G, 2 * M);
	assert_int_equal(fl_place_next(&p, 100, 0, &a), 0);
	assert_int_equal(fl_place_next(&p, 100, 0, &b), 0);
	assert_true(b >= a + 4096 + FL_PLACE_GUARD);
}

static void test_full_and_bad(void **state)
{
	struct fl_place p;
	uint64_t a;

	(void)state;
	fl_place_init(&p, 4 * G, 4 * G + 16 * M, 2 * M);
	assert_int_equal(fl_place_next(&p, 8 * M, 0, &a), 0);
	assert_int_equal(fl_place_next(&p, 8 * M, 0, &a), -1);
	assert_int_equal(fl_place_next(&p, 4096, 3 * 4096, &a), -1);	/* not a power of 2 */
	assert_int_equal(fl_place_next(&p, 0, 0, &a), -1);
	assert_int_equal(fl_place_next(&p, 4096, 0, &a), 0);		/* still usable */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_guard),
		cmocka_unit_test(test_same_layout_every_time),
		cmocka_unit_test(test_unaligned_length_rounds_up),
		cmocka_unit_test(test_full_and_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
