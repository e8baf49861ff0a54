/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parser_int.h - what the command parsers outside parser.c share with it.
 *
 * parser.c reads lines and the commands of SCENARIOS.md; the model-only
 * extensions that take more than options (call, poke, expect-stop) are
 * parsed in parse_call.c with the same value parsers, so an address, a
 * size or a frame number is spelt and reported the same everywhere.
 * Every function returns 0, or -1 after printing "FILE:LINE:COL: error:".
 */
#ifndef FL_SCENARIO_PARSER_INT_H
#define FL_SCENARIO_PARSER_INT_H

#include <stdbool.h>

#include "scenario/ast.h"
#include "scenario/lexer.h"

struct parser {
	const char *path;
	FILE *err;
	struct scn *scn;
	int line;
	struct scn_toks toks;
	bool seen_non_config;
	int par;		/* index of the open parallel block in scn->cmds, or -1 */
};

int scnp_perr(struct parser *p, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct scn_loc scnp_at(const struct parser *p, const struct scn_tok *t);
int scnp_parse_name(struct parser *p, int col, const char *s, int len, char out[SCN_NAME_MAX],
		    const char *what);
int scnp_parse_size(struct parser *p, int col, const char *s, int len, uint64_t *out);
int scnp_parse_number(struct parser *p, int col, const char *s, int len, uint64_t max,
		      uint64_t *out);
int scnp_parse_addr(struct parser *p, const struct scn_tok *t, const char *s, int len,
		    struct scn_addr *a);
int scnp_word_is(const char *v, int vlen, const char *word);
int scnp_parse_level(struct parser *p, const struct scn_tok *t, const char *v, int vlen,
		     int *level);
/* ram+N, io+N, pmem+N or a plain number, as mmap's pfn=BASE. */
int scnp_parse_pfn(struct parser *p, const struct scn_tok *t, const char *v, int vlen,
		   enum scn_pfn_space *space, uint64_t *n);

/* parse_call.c: the positional operands and options of the extensions. */
int scnp_ops_call(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i);
int scnp_ops_poke(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i);
int scnp_ops_expect_stop(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n,
			 int *i);

#endif /* FL_SCENARIO_PARSER_INT_H */
