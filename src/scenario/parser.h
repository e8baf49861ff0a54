/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parser.h - reading a *.scn file into a struct scn (see ast.h).
 *
 * Parsing is complete before anything runs: syntax, then a static pass that
 * resolves every process, mapping, file and pin name and checks offsets
 * against the mapping's length, so a bad scenario stops with
 * "FILE:LINE:COL: error: MESSAGE" (exit 2) before its first step.
 */
#ifndef FL_SCENARIO_PARSER_H
#define FL_SCENARIO_PARSER_H

#include <stdio.h>

#include "scenario/ast.h"

/* NULL on error, after printing "FILE:LINE:COL: error: ..." lines to @err. */
struct scn *scn_parse_file(const char *path, FILE *err);
struct scn *scn_parse_string(const char *path, const char *text, FILE *err);
void scn_free(struct scn *scn);

/*
 * The static pass (sema.c) on a syntactically valid @scn: names, offsets,
 * alignment.  0, or -1 after printing the first error to @err.  The parse
 * functions above already call it; it is declared for tests.
 */
int scn_sema(const struct scn *scn, FILE *err);

#endif /* FL_SCENARIO_PARSER_H */
