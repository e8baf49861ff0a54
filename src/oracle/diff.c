// SPDX-License-Identifier: GPL-2.0-only
/*
 * diff.c - unified diff of two texts, for `faultline check`.
 *
 * The model's and the kernel's outputs are a few hundred lines at most, so
 * the textbook longest-common-subsequence table is fine: lcs[i][j] is the
 * LCS length of the suffixes a[i..] and b[j..], filled backwards; walking
 * it forwards yields the edit script (keep, delete from a, insert from b)
 * in order.  Hunks are runs of edits with FL_DIFF_CONTEXT kept lines on
 * each side, merged when their contexts touch, and printed in the format
 * of `diff -u`, so every reader knows how to read them.
 *
 * Past a million table cells (outputs of thousands of lines) the common
 * prefix and suffix are still kept, and the middle is shown as one
 * replaced block; that loses precision, never correctness.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/diff.h"

#define MAX_CELLS (1u << 20)

struct lines {
	const char **s;
	size_t *len;
	size_t n;
};

static int split(const char *text, struct lines *l)
{
	size_t cap = 16;

	l->n = 0;
	l->s = malloc(cap * sizeof(*l->s));
	l->len = malloc(cap * sizeof(*l->len));
	while (l->s && l->len && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		if (l->n == cap) {
			cap *= 2;
			const char **s = realloc(l->s, cap * sizeof(*s));
			size_t *len = s ? realloc(l->len, cap * sizeof(*len)) : NULL;

			if (s)
				l->s = s;
			if (!len)
				return -1;
			l->len = len;
		}
		l->s[l->n] = text;
		l->len[l->n++] = n;
		text += n + (nl ? 1 : 0);
	}
	return l->s && l->len ? 0 : -1;
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->s[i], b->s[j], a->len[i]);
}

/* Edit script: ' ' keep (a and b advance), '-' a only, '+' b only. */
static char *script(const struct lines *a, const struct lines *b, size_t *nops)
{
	size_t n = a->n, m = b->n, pre = 0, suf = 0, k = 0;
	char *ops = malloc(n + m + 1);
	uint32_t *t;

	if (!ops)
		return NULL;
	while (pre < n && pre < m && same(a, pre, b, pre))
		pre++;
	while (suf < n - pre && suf < m - pre && same(a, n - 1 - suf, b, m - 1 - suf))
		suf++;
	n -= pre + suf;
	m -= pre + suf;
	memset(ops, ' ', pre);
	k = pre;
	t = (n + 1) * (m + 1) <= MAX_CELLS ? calloc((n + 1) * (m + 1), sizeof(*t)) : NULL;
	if (t) {
#define T(i, j) t[(i) * (m + 1) + (j)]
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				T(i, j) = same(a, pre + i, b, pre + j) ? T(i + 1, j + 1) + 1
					: T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
		for (size_t i = 0, j = 0; i < n || j < m;) {
			if (i < n && j < m && same(a, pre + i, b, pre + j))
				ops[k++] = ' ', i++, j++;
			else if (j == m || (i < n && T(i + 1, j) >= T(i, j + 1)))
				ops[k++] = '-', i++;
			else
				ops[k++] = '+', j++;
		}
#undef T
		free(t);
	} else {
		memset(ops + k, '-', n);
		memset(ops + k + n, '+', m);
		k += n + m;
	}
	memset(ops + k, ' ', suf);
	*nops = k + suf;
	return ops;
}

static void print_hunk(FILE *out, const char *ops, size_t from, size_t to,
		       const struct lines *a, const struct lines *b, size_t ai, size_t bi)
{
	size_t an = 0, bn = 0;

	for (size_t k = from; k < to; k++) {
		an += ops[k] != '+';
		bn += ops[k] != '-';
	}
	fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", an ? ai + 1 : ai, an, bn ? bi + 1 : bi, bn);
	for (size_t k = from; k < to; k++) {
		const struct lines *l = ops[k] == '+' ? b : a;
		size_t idx = ops[k] == '+' ? bi++ : ai++;

		if (ops[k] == ' ')
			bi++;
		fprintf(out, "%c%.*s\n", ops[k], (int)l->len[idx], l->s[idx]);
	}
}

static void print_hunks(FILE *out, const char *ops, size_t nops, const struct lines *a,
			const struct lines *b)
{
	size_t k = 0, ai = 0, bi = 0;

	while (k < nops) {
		size_t start, end, last;

		while (k < nops && ops[k] == ' ')
			k++, ai++, bi++;
		if (k == nops)
			return;
		start = k > FL_DIFF_CONTEXT ? k - FL_DIFF_CONTEXT : 0;
		/* Extend while another change starts within two contexts. */
		for (end = last = k; end < nops && end - last <= 2 * FL_DIFF_CONTEXT; end++)
			if (ops[end] != ' ')
				last = end;
		end = last + 1 + FL_DIFF_CONTEXT < nops ? last + 1 + FL_DIFF_CONTEXT : nops;
		print_hunk(out, ops, start, end, a, b, ai - (k - start), bi - (k - start));
		for (; k < end; k++) {
			ai += ops[k] != '+';
			bi += ops[k] != '-';
		}
	}
}

int fl_diff(FILE *out, const char *a_name, const char *a, const char *b_name, const char *b)
{
	struct lines la = { 0 }, lb = { 0 };
	size_t nops = 0;
	char *ops = NULL;
	int ret = -1;

	if (split(a, &la) || split(b, &lb) || !(ops = script(&la, &lb, &nops)))
		goto out;
	ret = memchr(ops, '-', nops) || memchr(ops, '+', nops);
	if (ret && out) {
		fprintf(out, "--- %s\n+++ %s\n", a_name, b_name);
		print_hunks(out, ops, nops, &la, &lb);
	}
out:
	free(ops);
	free(la.s);
	free(la.len);
	free(lb.s);
	free(lb.len);
	return ret;
}
