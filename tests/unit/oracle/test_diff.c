// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_diff.c - the line diff of `faultline check`.
 *
 * Each case gives two texts and the exact unified diff expected, so the
 * hunk headers (1-based starts, zero-length ranges, merged contexts) are
 * pinned down, not just "something was printed".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oracle/diff.h"

/* Run fl_diff into a string; returns its result, *text is malloc'd. */
static int diff_str(const char *a, const char *b, char **text)
{
	size_t len;
	FILE *f = open_memstream(text, &len);
	int ret;

	assert_non_null(f);
	ret = fl_diff(f, "model", a, "kernel", b);
	fclose(f);
	return ret;
}

static void expect_diff(const char *a, const char *b, const char *want)
{
	char *text;
	int ret = diff_str(a, b, &text);

	assert_int_equal(ret, want[0] ? 1 : 0);
	assert_string_equal(text, want);
	free(text);
}

static void test_equal(void **state)
{
	(void)state;
	expect_diff("a\nb\nc\n", "a\nb\nc\n", "");
	expect_diff("", "", "");
	/* A missing final newline is not a difference in content. */
	expect_diff("a\nb", "a\nb\n", "");
}

static void test_one_changed(void **state)
{
	(void)state;
	expect_diff("a\nb\nc\n", "a\nB\nc\n",
		    "--- model\n+++ kernel\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
}

static void test_insert_at_start_and_delete_at_end(void **state)
{
	(void)state;
	expect_diff("b\nc\n", "a\nb\nc\n", "--- model\n+++ kernel\n@@ -1,2 +1,3 @@\n+a\n b\n c\n");
	expect_diff("a\nb\nc\n", "a\nb\n", "--- model\n+++ kernel\n@@ -1,3 +1,2 @@\n a\n b\n-c\n");
}

static void test_from_empty(void **state)
{
	(void)state;
	expect_diff("", "x\ny\n", "--- model\n+++ kernel\n@@ -0,0 +1,2 @@\n+x\n+y\n");
	expect_diff("x\n", "", "--- model\n+++ kernel\n@@ -1,1 +0,0 @@\n-x\n");
}

/* Changes 10 lines apart: two hunks, each with 3 lines of context. */
static void test_two_hunks(void **state)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
	const char *b = "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\nY\n12\n";

	(void)state;
	expect_diff(a, b, "--- model\n+++ kernel\n"
		    "@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
		    "@@ -8,5 +8,5 @@\n 8\n 9\n 10\n-11\n+Y\n 12\n");
}

/* Changes 4 lines apart share their context: one hunk. */
static void test_merged_hunk(void **state)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n";
	const char *b = "1\nX\n3\n4\n5\nY\n7\n";

	(void)state;
	expect_diff(a, b, "--- model\n+++ kernel\n"
		    "@@ -1,7 +1,7 @@\n 1\n-2\n+X\n 3\n 4\n 5\n-6\n+Y\n 7\n");
}

static void test_no_output_stream(void **state)
{
	(void)state;
	assert_int_equal(fl_diff(NULL, "a", "x\n", "b", "y\n"), 1);
	assert_int_equal(fl_diff(NULL, "a", "x\n", "b", "x\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_one_changed),
		cmocka_unit_test(test_insert_at_start_and_delete_at_end),
		cmocka_unit_test(test_from_empty),
		cmocka_unit_test(test_two_hunks),
		cmocka_unit_test(test_merged_hunk),
		cmocka_unit_test(test_no_output_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
