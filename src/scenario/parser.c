// SPDX-License-Identifier: GPL-2.0-only
/*
 * parser.c - turning the lines of a *.scn file into struct scn (ast.h).
 *
 * The language (shared/SCENARIOS.md) is line oriented: a command word, its
 * positional operands, then options written as key=value or as bare flags.
 * Each command is described by one row of cmd_table[]: the word, a function
 * that takes its positional operands, and the list of options it accepts.
 * The option loop is shared, so "unknown option", "duplicate option" and
 * "missing required option" read the same for every command.
 *
 * Values are checked here, where their column is known: sizes (4K, 2M+4K,
 * 0x1000), plain numbers, bytes (0..255), names ([A-Za-z_][A-Za-z0-9_]*,
 * at most 63 characters), addresses ([PROC:]MAP[+OFFSET]), signals, kinds
 * and levels.  config lines are applied to scn->config as they are read,
 * through fl_config_set(), so the config table in src/base/config.c stays
 * the only place that knows the keys.  Names are only checked for shape
 * here; whether they exist is the business of the static pass in sema.c,
 * which runs once the whole file has been read.
 *
 * Errors stop at the first one, with the line and the column of the token
 * at fault.  Option errors point at the start of the option (the key), a
 * missing operand or option points at the command word.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lexer.h"
#include "scenario/parser.h"
#include "scenario/parser_int.h"

/* Far above any sensible scenario, far below where an int column overflows. */
#define SCN_MAX_INPUT (256u << 20)

int scnp_perr(struct parser *p, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return scn_error(p->err, p->path, (struct scn_loc){ p->line, col }, "%s", msg);
}

struct scn_loc scnp_at(const struct parser *p, const struct scn_tok *t)
{
	return (struct scn_loc){ p->line, t->col };
}

/* ---- values ---------------------------------------------------------- */

int scnp_parse_name(struct parser *p, int col, const char *s, int len,
		      char out[SCN_NAME_MAX], const char *what)
{
	char q[48];

	if (len <= 0)
		return scnp_perr(p, col, "missing %s", what);
	if (len >= SCN_NAME_MAX)
		return scnp_perr(p, col, "%s too long ('%s' has %d characters, at most %d allowed)",
			    what, scn_quote(s, len, q), len, SCN_NAME_MAX - 1);
	for (int i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(isalpha(ch) || ch == '_' || (i && isdigit(ch))))
			return scnp_perr(p, col, "bad %s '%s' (names are [A-Za-z_][A-Za-z0-9_]*)",
				    what, scn_quote(s, len, q));
	}
	memcpy(out, s, (size_t)len);
	out[len] = '\0';
	return 0;
}

/* One term of a size: decimal or 0x hex digits, then an optional K/M/G. */
static int size_term_end(const char *s, int len, int i)
{
	int digits = 0;

	if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		for (i += 2; i < len && isxdigit((unsigned char)s[i]); i++)
			digits++;
	} else {
		for (; i < len && isdigit((unsigned char)s[i]); i++)
			digits++;
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'K' || s[i] == 'M' || s[i] == 'G'))
		i++;
	return i;
}

static bool size_syntax_ok(const char *s, int len)
{
	int i = 0;

	for (;;) {
		i = size_term_end(s, len, i);
		if (i < 0)
			return false;
		if (i == len)
			return true;
		if (s[i] != '+')
			return false;
		i++;
	}
}

int scnp_parse_size(struct parser *p, int col, const char *s, int len, uint64_t *out)
{
	char buf[128], q[48];

	if (!size_syntax_ok(s, len))
		return scnp_perr(p, col, "bad size '%s' (expected e.g. 4096, 0x1000, 4K, 2M+4K)",
			    scn_quote(s, len, q));
	if (len >= (int)sizeof(buf))
		return scnp_perr(p, col, "size '%s' too long", scn_quote(s, len, q));
	memcpy(buf, s, (size_t)len);
	buf[len] = '\0';
	if (fl_parse_size(buf, out))
		return scnp_perr(p, col, "size '%s' overflows 64 bits", scn_quote(s, len, q));
	return 0;
}

/* A plain number: decimal or 0x hex, no suffix, at most @max. */
int scnp_parse_number(struct parser *p, int col, const char *s, int len,
			uint64_t max, uint64_t *out)
{
	int base = 10, i = 0;
	uint64_t v = 0;
	char q[48];

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= len)
		return scnp_perr(p, col, "bad number '%s'", scn_quote(s, len, q));
	for (; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		uint64_t d;

		if (isdigit(ch))
			d = (uint64_t)(ch - '0');
		else if (base == 16 && isxdigit(ch))
			d = (uint64_t)(tolower(ch) - 'a' + 10);
		else
			return scnp_perr(p, col, "bad number '%s'", scn_quote(s, len, q));
		if (v > (max - d) / (uint64_t)base)
			return scnp_perr(p, col, "number '%s' out of range (at most %llu)",
				    scn_quote(s, len, q), (unsigned long long)max);
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return 0;
}

static int parse_long(struct parser *p, int col, const char *s, int len, long *out)
{
	uint64_t v;

	if (scnp_parse_number(p, col, s, len, (uint64_t)LONG_MAX, &v))
		return -1;
	*out = (long)v;
	return 0;
}

static int parse_byte(struct parser *p, int col, const char *s, int len, int *out)
{
	uint64_t v;

	if (scnp_parse_number(p, col, s, len, UINT64_MAX, &v))
		return -1;
	if (v > 255) {
		char q[48];

		return scnp_perr(p, col, "byte value '%s' out of range (0..255)", scn_quote(s, len, q));
	}
	*out = (int)v;
	return 0;
}

/* pte, pmd or pud. */
int scnp_parse_level(struct parser *p, const struct scn_tok *t, const char *v, int vlen,
		     int *level)
{
	char q[48];

	if (scnp_word_is(v, vlen, "pte"))
		*level = FL_LEVEL_PTE;
	else if (scnp_word_is(v, vlen, "pmd"))
		*level = FL_LEVEL_PMD;
	else if (scnp_word_is(v, vlen, "pud"))
		*level = FL_LEVEL_PUD;
	else
		return scnp_perr(p, t->col, "bad level '%s' (expected pte, pmd or pud)",
				 scn_quote(v, vlen, q));
	return 0;
}

/* [PROC:]MAP[+OFFSET] */
int scnp_parse_addr(struct parser *p, const struct scn_tok *t, const char *s, int len,
		      struct scn_addr *a)
{
	const char *colon = memchr(s, ':', (size_t)len);
	const char *plus;
	int maplen;

	memset(a, 0, sizeof(*a));
	a->loc = scnp_at(p, t);
	if (colon) {
		if (scnp_parse_name(p, t->col, s, (int)(colon - s), a->proc, "process name"))
			return -1;
		len -= (int)(colon - s) + 1;
		s = colon + 1;
	}
	plus = memchr(s, '+', (size_t)len);
	maplen = plus ? (int)(plus - s) : len;
	if (scnp_parse_name(p, t->col, s, maplen, a->map, "mapping name"))
		return -1;
	if (!plus)
		return 0;
	if (plus + 1 == s + len)
		return scnp_perr(p, t->col, "missing offset after '+'");
	return scnp_parse_size(p, t->col, plus + 1, len - maplen - 1, &a->off);
}

static int parse_bit(struct parser *p, int col, const char *v, int vlen, int *out)
{
	char q[48];

	if (vlen == 1 && (v[0] == '0' || v[0] == '1')) {
		*out = v[0] - '0';
		return 0;
	}
	return scnp_perr(p, col, "bad value '%s' (expected 0 or 1)", scn_quote(v, vlen, q));
}

int scnp_word_is(const char *v, int vlen, const char *word)
{
	struct scn_tok t = { v, vlen, 0 };

	return scn_tok_is(&t, word);
}

/* ---- lists owned by a command --------------------------------------- */

static int push_name(struct scn_cmd *c, const char *name, struct scn_loc loc)
{
	char (*names)[SCN_NAME_MAX] = realloc(c->names, (size_t)(c->nnames + 1) * sizeof(*names));
	struct scn_loc *locs;

	if (!names)
		return -1;
	c->names = names;
	locs = realloc(c->names_loc, (size_t)(c->nnames + 1) * sizeof(*locs));
	if (!locs)
		return -1;
	c->names_loc = locs;
	memcpy(c->names[c->nnames], name, SCN_NAME_MAX);
	c->names_loc[c->nnames] = loc;
	c->nnames++;
	return 0;
}

static struct scn_kv *push_kv(struct scn_cmd *c)
{
	struct scn_kv *kvs = realloc(c->kvs, (size_t)(c->nkvs + 1) * sizeof(*kvs));

	if (!kvs)
		return NULL;
	c->kvs = kvs;
	memset(&kvs[c->nkvs], 0, sizeof(*kvs));
	return &kvs[c->nkvs++];
}

/* ---- options ---------------------------------------------------------- */

enum opt_id {
	O_SIZE, O_FS, O_OFF, O_LEN, O_BYTE, O_FILE_OFF, O_ALIGN, O_AT,
	O_HUGEPAGE, O_NOHUGEPAGE, O_SYNC, O_POPULATE, O_FAULTS,
	O_EXPECT_BYTE, O_SIGNAL, O_PIN_WRITE, O_LONGTERM, O_DMA, O_PROT, O_ADVICE,
	O_LEVEL, O_PAGES, O_SAME, O_WRITE, O_DIRTY, O_EXCL, O_MAPCOUNT, O_REFCOUNT,
	O_COUNT,
};

struct opt {
	const char *key;
	enum opt_id id;
	bool flag;		/* a bare word, not key=value */
	bool required;		/* for a group: one member is required */
	int group;		/* 0, or members exclude each other */
	int value;		/* O_PROT, O_ADVICE: the enum value */
};

static int opt_size_like(struct parser *p, struct scn_cmd *c, const struct opt *o,
			 const struct scn_tok *t, const char *v, int vlen)
{
	uint64_t x;

	if (scnp_parse_size(p, t->col, v, vlen, &x))
		return -1;
	switch (o->id) {
	case O_SIZE:
		c->size = x;
		break;
	case O_OFF:
		c->off = x;
		c->has_off = true;
		c->off_loc = scnp_at(p, t);
		break;
	case O_LEN:
		c->len = x;
		c->has_len = true;
		c->len_loc = scnp_at(p, t);
		break;
	case O_FILE_OFF:
		if (c->has_off)
			return scnp_perr(p, t->col, "duplicate option 'off'");
		c->file_off = x;
		c->has_off = true;
		c->off_loc = scnp_at(p, t);
		break;
	case O_AT:
		/* at=X: the start is X past the 2 MiB-aligned placement (an unaligned VMA). */
		if (x & 4095 || x >= (2u << 20))
			return scnp_perr(p, t->col, "at= must be a multiple of 4K below 2M");
		c->at = x;
		break;
	default: /* O_ALIGN */
		if (x < 4096 || (x & (x - 1)))
			return scnp_perr(p, t->col, "align= must be a power of two of at least 4K");
		c->align = x;
		break;
	}
	return 0;
}

static int opt_number(struct parser *p, struct scn_cmd *c, const struct opt *o,
		      const struct scn_tok *t, const char *v, int vlen)
{
	switch (o->id) {
	case O_BYTE:
		return parse_byte(p, t->col, v, vlen, &c->byte);
	case O_EXPECT_BYTE:
		return parse_byte(p, t->col, v, vlen, &c->expect_byte);
	case O_FAULTS:
		c->faults_loc = scnp_at(p, t);
		return parse_long(p, t->col, v, vlen, &c->faults);
	case O_COUNT:
		return parse_long(p, t->col, v, vlen, &c->count);
	case O_MAPCOUNT:
		return parse_long(p, t->col, v, vlen, &c->mapcount);
	case O_REFCOUNT:
		return parse_long(p, t->col, v, vlen, &c->refcount);
	case O_PAGES:
		if (parse_long(p, t->col, v, vlen, &c->pages))
			return -1;
		if (c->pages < 1)
			return scnp_perr(p, t->col, "pages= must be at least 1");
		return 0;
	case O_WRITE:
		return parse_bit(p, t->col, v, vlen, &c->write);
	case O_DIRTY:
		return parse_bit(p, t->col, v, vlen, &c->dirty);
	default: /* O_EXCL */
		return parse_bit(p, t->col, v, vlen, &c->excl);
	}
}

static int opt_word(struct parser *p, struct scn_cmd *c, const struct opt *o,
		    const struct scn_tok *t, const char *v, int vlen)
{
	char q[48];

	switch (o->id) {
	case O_FS:
		if (scnp_word_is(v, vlen, "dax"))
			c->fs = SCN_FS_DAX;
		else if (scnp_word_is(v, vlen, "pagecache"))
			c->fs = SCN_FS_PAGECACHE;
		else if (scnp_word_is(v, vlen, "tmpfs"))
			c->fs = SCN_FS_TMPFS;
		else
			return scnp_perr(p, t->col, "bad filesystem '%s' (expected dax, pagecache or tmpfs)",
				    scn_quote(v, vlen, q));
		return 0;
	case O_SIGNAL:
		if (scnp_word_is(v, vlen, "SIGBUS"))
			c->signal = SIGBUS;
		else if (scnp_word_is(v, vlen, "SIGSEGV"))
			c->signal = SIGSEGV;
		else
			return scnp_perr(p, t->col, "bad signal '%s' (expected SIGBUS or SIGSEGV)",
				    scn_quote(v, vlen, q));
		return 0;
	case O_LEVEL:
		return scnp_parse_level(p, t, v, vlen, &c->level);
	default: /* O_SAME */
		c->has_same = true;
		return scnp_parse_addr(p, t, v, vlen, &c->same);
	}
}

static int opt_flag(struct scn_cmd *c, const struct opt *o)
{
	switch (o->id) {
	case O_HUGEPAGE: c->hugepage = true; break;
	case O_NOHUGEPAGE: c->nohugepage = true; break;
	case O_SYNC: c->sync = true; break;
	case O_POPULATE: c->populate = true; break;
	case O_PIN_WRITE: c->pin_write = true; break;
	case O_LONGTERM: c->pin_longterm = true; break;
	case O_DMA: c->pin_dma = true; break;
	case O_PROT: c->prot = (enum scn_prot)o->value; break;
	default: c->advice = (enum scn_advice)o->value; break; /* O_ADVICE */
	}
	return 0;
}

static int apply_opt(struct parser *p, struct scn_cmd *c, const struct opt *o,
		     const struct scn_tok *t, const char *v, int vlen)
{
	switch (o->id) {
	case O_SIZE: case O_OFF: case O_LEN: case O_FILE_OFF: case O_ALIGN: case O_AT:
		return opt_size_like(p, c, o, t, v, vlen);
	case O_FS: case O_SIGNAL: case O_LEVEL: case O_SAME:
		return opt_word(p, c, o, t, v, vlen);
	default:
		break;
	}
	if (o->flag)
		return opt_flag(c, o);
	return opt_number(p, c, o, t, v, vlen);
}

static const struct opt *find_opt(const struct opt *opts, const char *k, int klen, bool flag,
				  const struct opt **other)
{
	*other = NULL;
	for (const struct opt *o = opts; o && o->key; o++) {
		if (!scnp_word_is(k, klen, o->key))
			continue;
		if (o->flag == flag)
			return o;
		*other = o;
	}
	return NULL;
}

static int missing_opts(struct parser *p, const struct scn_cmd *c, const struct opt *opts,
			const bool *seen, unsigned groups_seen)
{
	for (int i = 0; opts && opts[i].key; i++) {
		const struct opt *o = &opts[i];
		char list[256] = "";

		if (!o->required || (o->group ? (groups_seen & (1u << o->group)) : seen[i]))
			continue;
		if (!o->group)
			return scnp_perr(p, c->loc.col, "missing required option '%s=' for %s",
				    o->key, scn_op_name(c->op));
		for (int j = 0; opts[j].key; j++)
			if (opts[j].group == o->group)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 list[0] ? "|" : "", opts[j].key);
		return scnp_perr(p, c->loc.col, "%s needs one of %s", scn_op_name(c->op), list);
	}
	return 0;
}

static int parse_options(struct parser *p, struct scn_cmd *c, const struct opt *opts,
			 const struct scn_tok *t, int n, int i)
{
	bool seen[32] = { false };
	unsigned groups_seen = 0;
	char q[48];

	for (; i < n; i++) {
		const char *eq = memchr(t[i].s, '=', (size_t)t[i].len);
		int klen = eq ? (int)(eq - t[i].s) : t[i].len;
		const struct opt *other, *o = find_opt(opts, t[i].s, klen, !eq, &other);
		int idx, vlen = eq ? t[i].len - klen - 1 : 0;

		if (!o && other && eq)
			return scnp_perr(p, t[i].col, "option '%s' takes no value", other->key);
		if (!o && other)
			return scnp_perr(p, t[i].col, "option '%s' needs a value (%s=...)",
				    other->key, other->key);
		if (!o)
			return scnp_perr(p, t[i].col, "unknown option '%s' for %s",
				    scn_quote(t[i].s, t[i].len, q), scn_op_name(c->op));
		idx = (int)(o - opts);
		if (seen[idx])
			return scnp_perr(p, t[i].col, "duplicate option '%s'", o->key);
		if (o->group && (groups_seen & (1u << o->group)))
			return scnp_perr(p, t[i].col, "option '%s' conflicts with an earlier one", o->key);
		seen[idx] = true;
		if (o->group)
			groups_seen |= 1u << o->group;
		if (eq && !vlen)
			return scnp_perr(p, t[i].col, "missing value after '%s='", o->key);
		if (apply_opt(p, c, o, &t[i], eq ? eq + 1 : NULL, vlen))
			return -1;
	}
	return missing_opts(p, c, opts, seen, groups_seen);
}

static const struct opt file_opts[] = {
	{ .key = "size", .id = O_SIZE }, { .key = "fs", .id = O_FS }, { 0 } };
static const struct opt pwrite_opts[] = {
	{ .key = "off", .id = O_OFF, .required = true },
	{ .key = "len", .id = O_LEN, .required = true },
	{ .key = "byte", .id = O_BYTE }, { 0 } };
static const struct opt truncate_opts[] = {
	{ .key = "size", .id = O_SIZE, .required = true }, { 0 } };
static const struct opt range_req_opts[] = {
	{ .key = "off", .id = O_OFF, .required = true },
	{ .key = "len", .id = O_LEN, .required = true }, { 0 } };
static const struct opt range_opt_opts[] = {
	{ .key = "off", .id = O_OFF }, { .key = "len", .id = O_LEN }, { 0 } };
static const struct opt file_off_opt = { .key = "off", .id = O_FILE_OFF };
static const struct opt mmap_opts[] = {
	{ .key = "align", .id = O_ALIGN }, { .key = "at", .id = O_AT },
	{ .key = "off", .id = O_FILE_OFF },
	{ .key = "hugepage", .id = O_HUGEPAGE, .flag = true },
	{ .key = "nohugepage", .id = O_NOHUGEPAGE, .flag = true },
	{ .key = "sync", .id = O_SYNC, .flag = true },
	{ .key = "populate", .id = O_POPULATE, .flag = true },
	{ .key = "faults", .id = O_FAULTS }, { 0 } };
static const struct opt mprotect_opts[] = {
	{ .key = "off", .id = O_OFF, .required = true },
	{ .key = "len", .id = O_LEN, .required = true },
	{ .key = "ro", .id = O_PROT, .flag = true, .required = true, .group = 1, .value = SCN_PROT_RO },
	{ .key = "rw", .id = O_PROT, .flag = true, .required = true, .group = 1, .value = SCN_PROT_RW },
	{ .key = "none", .id = O_PROT, .flag = true, .required = true, .group = 1,
	  .value = SCN_PROT_NONE }, { 0 } };
static const struct opt madvise_opts[] = {
	{ .key = "off", .id = O_OFF, .required = true },
	{ .key = "len", .id = O_LEN, .required = true },
	{ .key = "dontneed", .id = O_ADVICE, .flag = true, .required = true, .group = 1,
	  .value = SCN_ADV_DONTNEED },
	{ .key = "hugepage", .id = O_ADVICE, .flag = true, .required = true, .group = 1,
	  .value = SCN_ADV_HUGEPAGE },
	{ .key = "nohugepage", .id = O_ADVICE, .flag = true, .required = true, .group = 1,
	  .value = SCN_ADV_NOHUGEPAGE },
	{ .key = "populate-read", .id = O_ADVICE, .flag = true, .required = true, .group = 1,
	  .value = SCN_ADV_POPULATE_READ },
	{ .key = "populate-write", .id = O_ADVICE, .flag = true, .required = true, .group = 1,
	  .value = SCN_ADV_POPULATE_WRITE },
	{ .key = "faults", .id = O_FAULTS }, { 0 } };
static const struct opt read_opts[] = {
	{ .key = "len", .id = O_LEN }, { .key = "expect", .id = O_EXPECT_BYTE },
	{ .key = "signal", .id = O_SIGNAL }, { .key = "faults", .id = O_FAULTS }, { 0 } };
static const struct opt write_opts[] = {
	{ .key = "len", .id = O_LEN }, { .key = "byte", .id = O_BYTE },
	{ .key = "signal", .id = O_SIGNAL }, { .key = "faults", .id = O_FAULTS }, { 0 } };
static const struct opt pin_opts[] = {
	{ .key = "len", .id = O_LEN, .required = true },
	{ .key = "write", .id = O_PIN_WRITE, .flag = true },
	{ .key = "longterm", .id = O_LONGTERM, .flag = true },
	{ .key = "dma", .id = O_DMA, .flag = true },
	{ .key = "faults", .id = O_FAULTS }, { 0 } };
static const struct opt dio_opts[] = {
	{ .key = "off", .id = O_OFF }, { .key = "len", .id = O_LEN, .required = true },
	{ .key = "faults", .id = O_FAULTS }, { 0 } };
static const struct opt expect_opts[] = {
	{ .key = "level", .id = O_LEVEL }, { .key = "pages", .id = O_PAGES },
	{ .key = "same", .id = O_SAME }, { .key = "write", .id = O_WRITE },
	{ .key = "dirty", .id = O_DIRTY }, { .key = "excl", .id = O_EXCL },
	{ .key = "mapcount", .id = O_MAPCOUNT }, { .key = "refcount", .id = O_REFCOUNT }, { 0 } };
static const struct opt inject_opts[] = { { .key = "count", .id = O_COUNT }, { 0 } };

/* ---- positional operands --------------------------------------------- */

typedef int (*operands_fn)(struct parser *p, struct scn_cmd *c,
			   const struct scn_tok *t, int n, int *i);

static int need(struct parser *p, const struct scn_cmd *c, int n, int i, const char *what)
{
	if (i < n)
		return 0;
	return scnp_perr(p, c->loc.col, "missing %s for %s", what, scn_op_name(c->op));
}

/* A name operand into c->name (first) or c->name2 (second). */
static int take_name(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n,
		     int *i, const char *what, bool second)
{
	if (need(p, c, n, *i, what))
		return -1;
	if (scnp_parse_name(p, t[*i].col, t[*i].s, t[*i].len, second ? c->name2 : c->name, what))
		return -1;
	if (second)
		c->name2_loc = scnp_at(p, &t[*i]);
	else
		c->name_loc = scnp_at(p, &t[*i]);
	(*i)++;
	return 0;
}

static int ops_file(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	return take_name(p, c, t, n, i, "file name", false);
}

static int ops_reflink(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	if (take_name(p, c, t, n, i, "source file name", false))
		return -1;
	return take_name(p, c, t, n, i, "destination file name", true);
}

static int ops_proc(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	return take_name(p, c, t, n, i, "process name", false);
}

static int ops_map(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	return take_name(p, c, t, n, i, "mapping name", false);
}

static int ops_mremap(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	if (take_name(p, c, t, n, i, "mapping name", false) || need(p, c, n, *i, "new length"))
		return -1;
	c->len_loc = scnp_at(p, &t[*i]);
	if (scnp_parse_size(p, t[*i].col, t[*i].s, t[*i].len, &c->size))
		return -1;
	(*i)++;
	return 0;
}

/* pfn=BASE, mixed=BASE (and a call's FRAME): ram+N, io+N, pmem+N or a plain number. */
int scnp_parse_pfn(struct parser *p, const struct scn_tok *t, const char *v, int vlen,
		   enum scn_pfn_space *space, uint64_t *n)
{
	static const struct { const char *word; enum scn_pfn_space space; } spaces[] = {
		{ "ram", SCN_PFN_RAM }, { "io", SCN_PFN_IO }, { "pmem", SCN_PFN_PMEM },
	};
	const char *plus = memchr(v, '+', (size_t)vlen);
	int wlen = plus ? (int)(plus - v) : vlen;

	for (size_t k = 0; k < sizeof(spaces) / sizeof(spaces[0]); k++) {
		if (!scnp_word_is(v, wlen, spaces[k].word))
			continue;
		*space = spaces[k].space;
		*n = 0;
		if (!plus)
			return 0;
		return scnp_parse_number(p, t->col, plus + 1, vlen - wlen - 1, UINT64_MAX >> 12, n);
	}
	*space = SCN_PFN_ABS;
	return scnp_parse_number(p, t->col, v, vlen, UINT64_MAX >> 12, n);
}

static int parse_source(struct parser *p, struct scn_cmd *c, const struct scn_tok *t)
{
	const char *eq = memchr(t->s, '=', (size_t)t->len);
	int klen = eq ? (int)(eq - t->s) : t->len, vlen = eq ? t->len - klen - 1 : 0;
	char q[48];

	if (!eq && scn_tok_is(t, "anon")) {
		c->source = SCN_SRC_ANON;
		return 0;
	}
	if (!eq && scn_tok_is(t, "zero")) {
		c->source = SCN_SRC_ZERO;
		return 0;
	}
	if (eq && scnp_word_is(t->s, klen, "file")) {
		c->source = SCN_SRC_FILE;
		c->file_loc = scnp_at(p, t);
		return scnp_parse_name(p, t->col, eq + 1, vlen, c->file, "file name");
	}
	if (eq && (scnp_word_is(t->s, klen, "pfn") || scnp_word_is(t->s, klen, "mixed"))) {
		c->source = scnp_word_is(t->s, klen, "pfn") ? SCN_SRC_PFN : SCN_SRC_MIXED;
		if (!vlen)
			return scnp_perr(p, t->col, "missing frame number after '%.*s='", klen, t->s);
		return scnp_parse_pfn(p, t, eq + 1, vlen, &c->pfn_space, &c->pfn_base);
	}
	return scnp_perr(p, t->col, "bad mapping source '%s' (expected anon, zero, file=FILE, "
		    "pfn=BASE or mixed=BASE)", scn_quote(t->s, t->len, q));
}

static int ops_mmap(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	char q[48];

	if (take_name(p, c, t, n, i, "mapping name", false) || need(p, c, n, *i, "length"))
		return -1;
	c->len_loc = scnp_at(p, &t[*i]);
	if (scnp_parse_size(p, t[*i].col, t[*i].s, t[*i].len, &c->size))
		return -1;
	if (need(p, c, n, ++*i, "source (anon, zero, file=FILE, pfn=BASE, mixed=BASE)") ||
	    parse_source(p, c, &t[*i]))
		return -1;
	/* SOURCE is "file=FILE [off=O]": the offset may follow the file. */
	if (c->source == SCN_SRC_FILE && *i + 1 < n && t[*i + 1].len > 4 &&
	    !memcmp(t[*i + 1].s, "off=", 4)) {
		++*i;
		if (opt_size_like(p, c, &file_off_opt, &t[*i], t[*i].s + 4, t[*i].len - 4))
			return -1;
	}
	if (need(p, c, n, ++*i, "sharing (shared or private)"))
		return -1;
	if (scn_tok_is(&t[*i], "shared") || scn_tok_is(&t[*i], "private"))
		c->shared = scn_tok_is(&t[*i], "shared");
	else
		return scnp_perr(p, t[*i].col, "bad sharing '%s' (expected shared or private)",
			    scn_quote(t[*i].s, t[*i].len, q));
	if (need(p, c, n, ++*i, "protection (ro, rw or none)"))
		return -1;
	if (scn_tok_is(&t[*i], "ro"))
		c->prot = SCN_PROT_RO;
	else if (scn_tok_is(&t[*i], "rw"))
		c->prot = SCN_PROT_RW;
	else if (scn_tok_is(&t[*i], "none"))
		c->prot = SCN_PROT_NONE;
	else
		return scnp_perr(p, t[*i].col, "bad protection '%s' (expected ro, rw or none)",
			    scn_quote(t[*i].s, t[*i].len, q));
	(*i)++;
	return 0;
}

static int ops_addr(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	if (need(p, c, n, *i, "address"))
		return -1;
	if (scnp_parse_addr(p, &t[*i], t[*i].s, t[*i].len, &c->addr))
		return -1;
	(*i)++;
	return 0;
}

static int ops_pin(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	if (take_name(p, c, t, n, i, "pin name", false))
		return -1;
	return ops_addr(p, c, t, n, i);
}

/* dio-read FILE ADDR: the file, then the buffer it reads into. */
static int ops_dio(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	if (take_name(p, c, t, n, i, "file name", false))
		return -1;
	return ops_addr(p, c, t, n, i);
}

static int ops_unpin(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	return take_name(p, c, t, n, i, "pin name", false);
}

static int ops_expect(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	char kind[SCN_NAME_MAX], q[48];

	if (ops_addr(p, c, t, n, i) || need(p, c, n, *i, "kind"))
		return -1;
	kind[0] = '\0';
	if (t[*i].len < SCN_NAME_MAX) {
		memcpy(kind, t[*i].s, (size_t)t[*i].len);
		kind[t[*i].len] = '\0';
	}
	c->kind = fl_kind_lookup(kind);
	if (c->kind == FL_NR_KINDS)
		return scnp_perr(p, t[*i].col, "bad kind '%s' (expected none, zero, huge-zero, anon, "
			    "file, dax, pfn or page)", scn_quote(t[*i].s, t[*i].len, q));
	(*i)++;
	return 0;
}

static int ops_inject(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	/* in enum scn_inject's order */
	static const char *const kinds[] = { "pgtable", "folio", "entry", "block",
					     "access_eio", "access_enomem", "iomap_hole",
					     "iomap_short", "fsync", "nofs" };
	char q[48];

	if (need(p, c, n, *i, "injection kind (pgtable, folio, entry, block, ...)"))
		return -1;
	for (int k = 0; k < (int)(sizeof(kinds) / sizeof(kinds[0])); k++) {
		if (scn_tok_is(&t[*i], kinds[k])) {
			c->inject = (enum scn_inject)k;
			(*i)++;
			return 0;
		}
	}
	return scnp_perr(p, t[*i].col, "bad injection kind '%s' (expected pgtable, folio, entry, "
			 "block, access_eio, access_enomem, iomap_hole, iomap_short, fsync or nofs)",
			 scn_quote(t[*i].s, t[*i].len, q));
}

static int add_map_name(struct parser *p, struct scn_cmd *c, const struct scn_tok *t)
{
	char name[SCN_NAME_MAX];

	if (scnp_parse_name(p, t->col, t->s, t->len, name, "mapping name"))
		return -1;
	for (int k = 0; k < c->nnames; k++)
		if (!strcmp(c->names[k], name))
			return scnp_perr(p, t->col, "mapping '%s' named twice", name);
	if (push_name(c, name, scnp_at(p, t)))
		return scnp_perr(p, t->col, "out of memory");
	return 0;
}

static int ops_show(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	for (; *i < n; (*i)++)
		if (add_map_name(p, c, &t[*i]))
			return -1;
	return 0;
}

/* KEY=VALUE into a new kv: key checked as a name when @key_is_name. */
static struct scn_kv *take_kv(struct parser *p, struct scn_cmd *c, const struct scn_tok *t,
			      bool key_is_name)
{
	const char *eq = memchr(t->s, '=', (size_t)t->len);
	int klen = eq ? (int)(eq - t->s) : 0, vlen = eq ? t->len - klen - 1 : 0;
	struct scn_kv *kv;
	char q[48];

	if (!eq || !klen || !vlen) {
		scnp_perr(p, t->col, "expected KEY=VALUE, not '%s'", scn_quote(t->s, t->len, q));
		return NULL;
	}
	for (int k = 0; k < c->nkvs; k++) {
		if (scnp_word_is(t->s, klen, c->kvs[k].key)) {
			scnp_perr(p, t->col, "duplicate key '%.*s'", klen, t->s);
			return NULL;
		}
	}
	if (klen >= SCN_NAME_MAX || vlen >= SCN_NAME_MAX) {
		scnp_perr(p, t->col, "'%s' too long (keys and values have at most %d characters)",
		     scn_quote(t->s, t->len, q), SCN_NAME_MAX - 1);
		return NULL;
	}
	kv = push_kv(c);
	if (!kv) {
		scnp_perr(p, t->col, "out of memory");
		return NULL;
	}
	if (key_is_name && scnp_parse_name(p, t->col, t->s, klen, kv->key, "key"))
		return NULL;
	memcpy(kv->key, t->s, (size_t)klen);
	memcpy(kv->value, eq + 1, (size_t)vlen);
	kv->loc = scnp_at(p, t);
	return kv;
}

static int ops_config(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	if (need(p, c, n, *i, "KEY=VALUE"))
		return -1;
	for (; *i < n; (*i)++) {
		struct scn_kv *kv = take_kv(p, c, &t[*i], false);
		char msg[256];

		if (!kv)
			return -1;
		if (fl_config_set(&p->scn->config, kv->key, kv->value, msg, sizeof(msg)))
			return scnp_perr(p, t[*i].col, "%s", msg);
	}
	p->scn->has_config = true;
	return 0;
}

static int ops_expect_counter(struct parser *p, struct scn_cmd *c, const struct scn_tok *t,
			      int n, int *i)
{
	for (; *i < n && !memchr(t[*i].s, '=', (size_t)t[*i].len); (*i)++)
		if (add_map_name(p, c, &t[*i]))
			return -1;
	if (need(p, c, n, *i, "COUNTER=VALUE"))
		return -1;
	for (; *i < n; (*i)++) {
		struct scn_kv *kv = take_kv(p, c, &t[*i], false);

		if (!kv)
			return -1;
		if (fl_counter_lookup(kv->key) == FL_NR_COUNTERS)
			return scnp_perr(p, t[*i].col, "unknown counter '%s' (expected Rss, Pss, "
				    "Shared_Clean, Shared_Dirty, Private_Clean, Private_Dirty, "
				    "Anonymous, AnonHugePages or FilePmdMapped)", kv->key);
		if (scnp_parse_number(p, t[*i].col, kv->value, (int)strlen(kv->value), UINT64_MAX,
				 &kv->num))
			return -1;
	}
	return 0;
}

static int ops_expect_stat(struct parser *p, struct scn_cmd *c, const struct scn_tok *t,
			   int n, int *i)
{
	if (need(p, c, n, *i, "NAME=VALUE"))
		return -1;
	for (; *i < n; (*i)++) {
		struct scn_kv *kv = take_kv(p, c, &t[*i], true);

		if (!kv || scnp_parse_number(p, t[*i].col, kv->value, (int)strlen(kv->value),
					UINT64_MAX, &kv->num))
			return -1;
	}
	return 0;
}

/* ---- the command table ------------------------------------------------ */

struct cmd_desc {
	const char *word;
	enum scn_op op;
	operands_fn operands;
	const struct opt *opts;
	bool in_thread;		/* allowed as a thread's command */
};

static const struct cmd_desc cmd_table[] = {
	{ "config", SCN_CONFIG, ops_config, NULL, false },
	{ "file", SCN_FILE, ops_file, file_opts, true },
	{ "pwrite", SCN_PWRITE, ops_file, pwrite_opts, true },
	{ "truncate", SCN_TRUNCATE, ops_file, truncate_opts, true },
	{ "punch", SCN_PUNCH, ops_file, range_req_opts, true },
	{ "fsync", SCN_FSYNC, ops_file, NULL, true },
	{ "drop-cache", SCN_DROP_CACHE, ops_file, NULL, true },
	{ "reflink", SCN_REFLINK, ops_reflink, NULL, true },
	{ "fork", SCN_FORK, ops_proc, NULL, true },
	{ "as", SCN_AS, ops_proc, NULL, false },
	{ "exit", SCN_EXIT, ops_proc, NULL, true },
	{ "mmap", SCN_MMAP, ops_mmap, mmap_opts, true },
	{ "munmap", SCN_MUNMAP, ops_map, range_opt_opts, true },
	{ "mprotect", SCN_MPROTECT, ops_map, mprotect_opts, true },
	{ "madvise", SCN_MADVISE, ops_map, madvise_opts, true },
	{ "msync", SCN_MSYNC, ops_map, range_opt_opts, true },
	{ "mremap", SCN_MREMAP, ops_mremap, NULL, true },
	{ "read", SCN_READ, ops_addr, read_opts, true },
	{ "write", SCN_WRITE, ops_addr, write_opts, true },
	{ "pin", SCN_PIN, ops_pin, pin_opts, true },
	{ "unpin", SCN_UNPIN, ops_unpin, NULL, true },
	{ "show", SCN_SHOW, ops_show, NULL, false },
	{ "expect", SCN_EXPECT, ops_expect, expect_opts, false },
	{ "expect-counter", SCN_EXPECT_COUNTER, ops_expect_counter, NULL, false },
	{ "expect-stat", SCN_EXPECT_STAT, ops_expect_stat, NULL, false },
	{ "inject", SCN_INJECT, ops_inject, inject_opts, true },
	{ "show-entries", SCN_SHOW_ENTRIES, ops_file, NULL, false },
	{ "dio-read", SCN_DIO_READ, ops_dio, dio_opts, true },
	{ "call", SCN_CALL, scnp_ops_call, NULL, false },
	{ "poke", SCN_POKE, scnp_ops_poke, NULL, false },
	{ "expect-stop", SCN_EXPECT_STOP, scnp_ops_expect_stop, NULL, false },
};

static const struct cmd_desc *find_cmd(const struct scn_tok *t)
{
	for (size_t k = 0; k < sizeof(cmd_table) / sizeof(cmd_table[0]); k++)
		if (scn_tok_is(t, cmd_table[k].word))
			return &cmd_table[k];
	return NULL;
}

/* Checks that need more than one option: they belong to no single token. */
static int check_combinations(struct parser *p, const struct scn_cmd *c)
{
	if (c->op == SCN_MMAP && c->has_off && c->source != SCN_SRC_FILE)
		return scnp_perr(p, c->off_loc.col, "off= needs a file=FILE source");
	if (c->op == SCN_MMAP && c->hugepage && c->nohugepage)
		return scnp_perr(p, c->loc.col, "hugepage and nohugepage exclude each other");
	if (c->op == SCN_PIN && c->pin_longterm && c->pin_dma)
		return scnp_perr(p, c->loc.col, "longterm and dma exclude each other");
	if (c->has_off != c->has_len && (c->op == SCN_MUNMAP || c->op == SCN_MSYNC))
		return scnp_perr(p, c->has_off ? c->off_loc.col : c->len_loc.col,
			    "%s needs both off= and len=, or neither", scn_op_name(c->op));
	return 0;
}

/*
 * Parse the command in t[0..n) into @c (initialised here).  On error @c
 * owns nothing.
 */
static int parse_command(struct parser *p, const struct scn_tok *t, int n, bool in_thread,
			 struct scn_cmd *c)
{
	const struct cmd_desc *d = find_cmd(&t[0]);
	int i = 1;
	char q[48];

	scn_cmd_init(c);
	if (!d)
		return scnp_perr(p, t[0].col, "unknown command '%s'", scn_quote(t[0].s, t[0].len, q));
	c->op = d->op;
	c->loc = scnp_at(p, &t[0]);
	c->text = p->scn->lines[p->line - 1];
	if (in_thread && !d->in_thread)
		return scnp_perr(p, t[0].col, "'%s' cannot be a thread's command", d->word);
	if (d->op == SCN_CONFIG && p->seen_non_config)
		return scnp_perr(p, t[0].col, "config after the first non-config command");
	if (d->op != SCN_CONFIG)
		p->seen_non_config = true;
	if (d->operands(p, c, t, n, &i) || parse_options(p, c, d->opts, t, n, i) ||
	    check_combinations(p, c)) {
		scn_cmd_release(c);
		return -1;
	}
	return 0;
}

/* ---- lines, parallel blocks ------------------------------------------ */

static struct scn_cmd *push_cmd(struct scn_cmd **v, int *n)
{
	struct scn_cmd *nv = realloc(*v, (size_t)(*n + 1) * sizeof(*nv));

	if (!nv)
		return NULL;
	*v = nv;
	return &nv[(*n)++];
}

static struct scn_thread *find_thread(struct parser *p, struct scn_cmd *par,
				      const char *name, struct scn_loc loc)
{
	struct scn_thread *v;

	for (int k = 0; k < par->nthreads; k++)
		if (!strcmp(par->threads[k].name, name))
			return &par->threads[k];
	v = realloc(par->threads, (size_t)(par->nthreads + 1) * sizeof(*v));
	if (!v) {
		scnp_perr(p, loc.col, "out of memory");
		return NULL;
	}
	par->threads = v;
	v = &v[par->nthreads++];
	memset(v, 0, sizeof(*v));
	memcpy(v->name, name, SCN_NAME_MAX);
	v->loc = loc;
	return v;
}

/*
 * "thread NAME: COMMAND...".  The colon may stick to the name ("A:"), stand
 * alone (": "), or stick to the command ("A:read"); the token array is
 * rewritten in place so that the command starts at a token of its own.
 */
static int parse_thread(struct parser *p, struct scn_tok *t, int n)
{
	struct scn_cmd *par = &p->scn->cmds[p->par], *c;
	struct scn_thread *th;
	char name[SCN_NAME_MAX];
	const char *colon;
	int k = 1, namelen;
	struct scn_cmd cmd;

	if (n < 2)
		return scnp_perr(p, t[0].col, "missing thread name ('thread NAME: COMMAND')");
	colon = memchr(t[1].s, ':', (size_t)t[1].len);
	if (!colon && n > 2 && t[2].s[0] == ':') {
		k = 2;
		colon = t[2].s;
	}
	if (!colon)
		return scnp_perr(p, t[1].col, "expected ':' after the thread name");
	namelen = k == 1 ? (int)(colon - t[1].s) : t[1].len;
	if (scnp_parse_name(p, t[1].col, t[1].s, namelen, name, "thread name"))
		return -1;
	if (colon + 1 < t[k].s + t[k].len) {
		int skip = (int)(colon + 1 - t[k].s);

		t[k].s += skip;
		t[k].len -= skip;
		t[k].col += skip;
	} else {
		k++;
	}
	if (k >= n)
		return scnp_perr(p, t[0].col, "thread %s has no command", name);
	th = find_thread(p, par, name, scnp_at(p, &t[1]));
	if (!th || parse_command(p, t + k, n - k, true, &cmd))
		return -1;
	c = push_cmd(&th->cmds, &th->ncmds);
	if (!c) {
		scn_cmd_release(&cmd);
		return scnp_perr(p, t[0].col, "out of memory");
	}
	*c = cmd;
	return 0;
}

static int open_parallel(struct parser *p, const struct scn_tok *t, int n)
{
	struct scn_cmd *c;
	char q[48];

	if (n > 1)
		return scnp_perr(p, t[1].col, "unexpected '%s' after parallel",
			    scn_quote(t[1].s, t[1].len, q));
	c = push_cmd(&p->scn->cmds, &p->scn->ncmds);
	if (!c)
		return scnp_perr(p, t[0].col, "out of memory");
	scn_cmd_init(c);
	c->op = SCN_PARALLEL;
	c->loc = scnp_at(p, &t[0]);
	c->text = p->scn->lines[p->line - 1];
	p->par = p->scn->ncmds - 1;
	p->seen_non_config = true;
	return 0;
}

static int close_parallel(struct parser *p, const struct scn_tok *t, int n)
{
	char q[48];

	if (n > 1)
		return scnp_perr(p, t[1].col, "unexpected '%s' after end", scn_quote(t[1].s, t[1].len, q));
	if (p->scn->cmds[p->par].nthreads == 0)
		return scnp_perr(p, t[0].col, "parallel block without threads");
	p->par = -1;
	return 0;
}

static int parse_line(struct parser *p, const char *line, size_t len)
{
	struct scn_tok *t;
	struct scn_cmd cmd, *c;
	int n;

	if (scn_tokenize(p->path, p->line, line, len, &p->toks, p->err))
		return -1;
	t = p->toks.v;
	n = p->toks.n;
	if (!n)
		return 0;
	if (p->par >= 0) {
		if (scn_tok_is(&t[0], "thread"))
			return parse_thread(p, t, n);
		if (scn_tok_is(&t[0], "end"))
			return close_parallel(p, t, n);
		return scnp_perr(p, t[0].col, "only 'thread NAME: COMMAND' and 'end' inside parallel "
			    "(opened at line %d)", p->scn->cmds[p->par].loc.line);
	}
	if (scn_tok_is(&t[0], "thread"))
		return scnp_perr(p, t[0].col, "thread outside a parallel block");
	if (scn_tok_is(&t[0], "end"))
		return scnp_perr(p, t[0].col, "end without parallel");
	if (scn_tok_is(&t[0], "parallel"))
		return open_parallel(p, t, n);
	if (parse_command(p, t, n, false, &cmd))
		return -1;
	c = push_cmd(&p->scn->cmds, &p->scn->ncmds);
	if (!c) {
		scn_cmd_release(&cmd);
		return scnp_perr(p, t[0].col, "out of memory");
	}
	*c = cmd;
	return 0;
}

static int store_line(struct parser *p, const char *s, size_t len)
{
	char **lines = realloc(p->scn->lines, (size_t)(p->scn->nlines + 1) * sizeof(*lines));
	char *copy;

	if (!lines)
		return -1;
	p->scn->lines = lines;
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	lines[p->scn->nlines++] = copy;
	return 0;
}

static int parse_buffer(struct parser *p, const char *buf, size_t len)
{
	size_t pos = 0;

	if (len > SCN_MAX_INPUT)
		return scn_error(p->err, p->path, (struct scn_loc){ 0, 0 },
				 "scenario larger than %u bytes", SCN_MAX_INPUT);
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, llen = end - pos;

		/* CRLF: the CR belongs to the line ending, not to the line. */
		if (llen && buf[pos + llen - 1] == '\r')
			llen--;
		p->line++;
		if (store_line(p, buf + pos, llen))
			return scnp_perr(p, 1, "out of memory");
		if (parse_line(p, buf + pos, llen))
			return -1;
		pos = end + 1;
	}
	if (p->par >= 0) {
		p->line = p->scn->cmds[p->par].loc.line;
		return scnp_perr(p, p->scn->cmds[p->par].loc.col, "parallel without end");
	}
	return 0;
}

static struct scn *parse_common(const char *path, const char *buf, size_t len, FILE *err)
{
	struct parser p = { .path = path, .err = err, .par = -1 };
	struct scn *scn = calloc(1, sizeof(*scn));

	if (!scn || !(scn->path = strdup(path))) {
		free(scn);
		scn_error(err, path, (struct scn_loc){ 0, 0 }, "out of memory");
		return NULL;
	}
	fl_config_default(&scn->config);
	p.scn = scn;
	if (parse_buffer(&p, buf, len) || scn_sema(scn, err)) {
		scn_toks_free(&p.toks);
		scn_free(scn);
		return NULL;
	}
	scn_toks_free(&p.toks);
	return scn;
}

struct scn *scn_parse_string(const char *path, const char *text, FILE *err)
{
	return parse_common(path, text, strlen(text), err);
}

/* The whole file in memory, NULs included: the lexer rejects them by column. */
static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0 || n > SCN_MAX_INPUT)
			break;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	*len = n;
	return buf;
}

struct scn *scn_parse_file(const char *path, FILE *err)
{
	FILE *f = fopen(path, "rb");
	struct scn *scn;
	size_t len = 0;
	char *buf;
	int ioerr;

	if (!f) {
		scn_error(err, path, (struct scn_loc){ 0, 0 }, "cannot open: %s", strerror(errno));
		return NULL;
	}
	buf = read_all(f, &len);
	ioerr = ferror(f);
	fclose(f);
	if (!buf || ioerr) {
		free(buf);
		scn_error(err, path, (struct scn_loc){ 0, 0 }, "cannot read: %s",
			  buf ? "I/O error" : "out of memory");
		return NULL;
	}
	scn = parse_common(path, buf, len, err);
	free(buf);
	return scn;
}
