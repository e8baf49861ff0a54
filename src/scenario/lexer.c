// SPDX-License-Identifier: GPL-2.0-only
/*
 * lexer.c - cutting a scenario line into tokens (SCENARIOS.md, "Lexical rules").
 *
 * The rules are few: blanks (space, tab) separate tokens, '#' starts a
 * comment that runs to the end of the line, and every other byte must be
 * printable ASCII.  Anything else -- a NUL, a stray carriage return, an
 * escape sequence, UTF-8 outside a comment -- is an error at its own column,
 * because a scenario is a contract shared with the kernel oracle and silently
 * skipping a byte could make two readers disagree about what a line says.
 * Inside a comment anything goes: people write prose there.
 *
 * The caller hands over the line with its length, so embedded NULs and
 * lines of any length are handled without reading past the end.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lexer.h"

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_token_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '#';
}

static int push_tok(struct scn_toks *t, const char *s, int len, int col)
{
	if (t->n == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		struct scn_tok *v = realloc(t->v, (size_t)cap * sizeof(*v));

		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].s = s;
	t->v[t->n].len = len;
	t->v[t->n].col = col;
	t->n++;
	return 0;
}

static int bad_char(FILE *err, const char *path, int lineno, size_t i, unsigned char c)
{
	struct scn_loc loc = { lineno, (int)i + 1 };

	if (c == 0)
		return scn_error(err, path, loc, "NUL byte in scenario text");
	if (c == '\r')
		return scn_error(err, path, loc, "carriage return in the middle of a line");
	return scn_error(err, path, loc, "unexpected character 0x%02x", c);
}

int scn_tokenize(const char *path, int lineno, const char *line, size_t len,
		 struct scn_toks *out, FILE *err)
{
	size_t i = 0;

	out->n = 0;
	/* Columns are ints; the readers limit the input far below this. */
	if (len > (size_t)INT_MAX / 2)
		return scn_error(err, path, (struct scn_loc){ lineno, 1 }, "line too long");
	while (i < len) {
		unsigned char c = (unsigned char)line[i];
		size_t start;

		if (is_blank(c)) {
			i++;
			continue;
		}
		if (c == '#')
			break;
		if (!is_token_char(c))
			return bad_char(err, path, lineno, i, c);
		start = i;
		while (i < len && is_token_char((unsigned char)line[i]))
			i++;
		if (i < len && !is_blank((unsigned char)line[i]) && line[i] != '#')
			return bad_char(err, path, lineno, i, (unsigned char)line[i]);
		if (push_tok(out, line + start, (int)(i - start), (int)start + 1))
			return scn_error(err, path, (struct scn_loc){ lineno, (int)start + 1 },
					 "out of memory");
	}
	return 0;
}

void scn_toks_free(struct scn_toks *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

int scn_tok_is(const struct scn_tok *t, const char *word)
{
	size_t n = strlen(word);

	return (size_t)t->len == n && !memcmp(t->s, word, n);
}

const char *scn_quote(const char *s, int len, char buf[48])
{
	if (len > 40)
		snprintf(buf, 48, "%.40s...", s);
	else
		snprintf(buf, 48, "%.*s", len, s);
	return buf;
}

int scn_error(FILE *err, const char *path, struct scn_loc loc, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	if (loc.line > 0)
		fprintf(err, "%s:%d:%d: error: ", path, loc.line, loc.col > 0 ? loc.col : 1);
	else
		fprintf(err, "%s: error: ", path);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	return -1;
}
