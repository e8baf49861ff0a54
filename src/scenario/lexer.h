/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lexer.h - the private interface of the scenario front end.
 *
 * A scenario is read one line at a time: the lexer cuts a line into blank-
 * separated tokens, drops the comment, and rejects any byte that cannot
 * appear in the language (control characters, NUL, anything outside
 * printable ASCII) with the exact column, so that the parser after it only
 * ever sees printable tokens of known length.  Tokens point into the line;
 * nothing here allocates except the token array, which is reused.
 *
 * The error printer lives here too because the lexer, the parser and the
 * static pass (sema.c) all report in the one format of SCENARIOS.md:
 * "FILE:LINE:COL: error: MESSAGE".
 */
#ifndef FL_SCENARIO_LEXER_H
#define FL_SCENARIO_LEXER_H

#include <stddef.h>
#include <stdio.h>

#include "scenario/ast.h"

struct scn_tok {
	const char *s;		/* into the line, not NUL-terminated */
	int len;
	int col;		/* 1-based */
};

struct scn_toks {
	struct scn_tok *v;
	int n, cap;
};

/*
 * Cut @line (@len bytes, may contain anything) into tokens.  Returns 0, or
 * -1 after printing an error for the first byte that is not allowed.
 */
int scn_tokenize(const char *path, int lineno, const char *line, size_t len,
		 struct scn_toks *out, FILE *err);
void scn_toks_free(struct scn_toks *t);

/* Does token @t spell exactly @word? */
int scn_tok_is(const struct scn_tok *t, const char *word);

/*
 * Render @s (@len bytes) for a message: at most 40 characters, "..." after
 * a cut.  @buf must hold 48 bytes.
 */
const char *scn_quote(const char *s, int len, char buf[48]);

/* Print "PATH:LINE:COL: error: MESSAGE\n" to @err; returns -1 for chaining. */
int scn_error(FILE *err, const char *path, struct scn_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* FL_SCENARIO_LEXER_H */
