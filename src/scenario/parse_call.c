// SPDX-License-Identifier: GPL-2.0-only
/*
 * parse_call.c - the model-only commands that state what no system call
 * reaches: `call FUNC ADDR ... ret=R`, `poke ADDR LEVEL swap=FRAME|none`
 * and `expect-stop TEXT...` (docs/contract-notes.md, "Kernel calls").
 *
 * SPEC 4a and 4b test vm_normal_page() and the insert paths against forged
 * states (a special PTE in a plain VMA, a swap-like entry under an insert,
 * a folio of refcount 0), and some variants reproduce a defect that only
 * the checker can name (V7 anon_lookup, V10 off, V13 on).  These commands
 * let a scenario say so; the oracle skips any scenario that uses them.
 *
 * Which arguments a FUNC takes and what its ret= may say follow from its
 * class (fn_class[]), so every function is checked the same way and the
 * error names what the function would have accepted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/parser_int.h"

enum {
	A_ENTRY = 1 << 0, A_PFN = 1 << 1, A_PAGE = 1 << 2, A_FOLIO = 1 << 3, A_HOOK = 1 << 4,
	A_VMA = 1 << 5, A_LEN = 1 << 6, A_LEVEL = 1 << 7, A_SPECIAL = 1 << 8,
	A_DEVMAP = 1 << 9, A_WRITE = 1 << 10,
};

enum ret_class { R_POINTER, R_VMFAULT, R_ERRNO };

static const struct {
	unsigned int allowed, required;
	enum ret_class ret;
} fn_class[SCN_NR_FNS] = {
	[SCN_FN_VM_NORMAL_PAGE] = { A_ENTRY | A_SPECIAL | A_DEVMAP | A_WRITE | A_HOOK, A_ENTRY,
				    R_POINTER },
	[SCN_FN_VM_NORMAL_PAGE_PMD] = { A_ENTRY | A_SPECIAL | A_DEVMAP | A_WRITE | A_HOOK,
					A_ENTRY, R_POINTER },
	[SCN_FN_VM_NORMAL_PAGE_PUD] = { A_ENTRY | A_SPECIAL | A_DEVMAP | A_WRITE | A_HOOK,
					A_ENTRY, R_POINTER },
	[SCN_FN_FOLIO_WALK_START] = { A_LEVEL, 0, R_POINTER },
	[SCN_FN_INSERT_PFN] = { A_PFN | A_VMA, A_PFN, R_VMFAULT },
	[SCN_FN_INSERT_MIXED] = { A_PFN | A_VMA, A_PFN, R_VMFAULT },
	[SCN_FN_INSERT_MIXED_MKWRITE] = { A_PFN | A_VMA, A_PFN, R_VMFAULT },
	[SCN_FN_INSERT_PFN_PMD] = { A_PFN | A_VMA | A_WRITE, A_PFN, R_VMFAULT },
	[SCN_FN_INSERT_PFN_PUD] = { A_PFN | A_VMA | A_WRITE, A_PFN, R_VMFAULT },
	[SCN_FN_INSERT_PAGE_MKWRITE] = { A_PAGE | A_VMA | A_WRITE, A_PAGE, R_VMFAULT },
	[SCN_FN_INSERT_FOLIO_PMD] = { A_FOLIO | A_VMA | A_WRITE, A_FOLIO, R_VMFAULT },
	[SCN_FN_INSERT_FOLIO_PUD] = { A_FOLIO | A_VMA | A_WRITE, A_FOLIO, R_VMFAULT },
	[SCN_FN_REMAP_PFN_RANGE] = { A_PFN | A_LEN | A_VMA, A_PFN | A_LEN, R_ERRNO },
	[SCN_FN_HANDLE_MM_FAULT] = { A_WRITE, 0, R_VMFAULT },
	[SCN_FN_HUGE_FAULT] = { A_WRITE | A_LEVEL, A_LEVEL, R_VMFAULT },
	[SCN_FN_HANDLE_PTE_FAULT] = { A_WRITE, 0, R_VMFAULT },
	[SCN_FN_DO_FAULT] = { A_WRITE, 0, R_VMFAULT },
};

static const struct { const char *key; unsigned int bit; bool flag; } keys[] = {
	{ "entry", A_ENTRY, false }, { "pfn", A_PFN, false }, { "page", A_PAGE, false },
	{ "folio", A_FOLIO, false }, { "hook", A_HOOK, false }, { "vma", A_VMA, false },
	{ "len", A_LEN, false }, { "level", A_LEVEL, false }, { "special", A_SPECIAL, true },
	{ "devmap", A_DEVMAP, true }, { "write", A_WRITE, true },
};

static const struct { const char *name; int err; } errnos[] = {
	{ "EINVAL", EINVAL }, { "EBUSY", EBUSY }, { "ENOMEM", ENOMEM }, { "EFAULT", EFAULT },
	{ "EPERM", EPERM }, { "EAGAIN", EAGAIN }, { "EEXIST", EEXIST },
};

/* FRAME: zero, hz[+N|-N], @ADDR, new[:ORDER], freed, or a pfn=BASE. */
static int parse_frame(struct parser *p, const struct scn_tok *t, const char *v, int vlen,
		       struct scn_frame *f)
{
	memset(f, 0, sizeof(*f));
	f->loc = scnp_at(p, t);
	if (!vlen)
		return scnp_perr(p, t->col, "missing frame");
	if (scnp_word_is(v, vlen, "zero")) {
		f->kind = SCN_FR_ZERO;
		return 0;
	}
	if (scnp_word_is(v, vlen, "freed")) {
		f->kind = SCN_FR_FREED;
		return 0;
	}
	if (vlen >= 2 && !memcmp(v, "hz", 2) && (vlen == 2 || v[2] == '+' || v[2] == '-')) {
		f->kind = SCN_FR_HZ;
		f->below = vlen > 2 && v[2] == '-';
		return vlen == 2 ? 0 : scnp_parse_number(p, t->col, v + 3, vlen - 3, 1u << 20,
							 &f->n);
	}
	if (vlen >= 3 && !memcmp(v, "new", 3) && (vlen == 3 || v[3] == ':')) {
		f->kind = SCN_FR_NEW;
		return vlen == 3 ? 0 : scnp_parse_number(p, t->col, v + 4, vlen - 4, 18, &f->n);
	}
	if (v[0] == '@') {
		f->kind = SCN_FR_AT;
		return scnp_parse_addr(p, t, v + 1, vlen - 1, &f->at);
	}
	f->kind = SCN_FR_PFN;
	return scnp_parse_pfn(p, t, v, vlen, &f->space, &f->n);
}

static int parse_ret(struct parser *p, const struct scn_tok *t, const char *v, int vlen,
		     struct scn_call *call)
{
	enum ret_class rc = fn_class[call->fn].ret;
	char q[48];

	call->ret_loc = scnp_at(p, t);
	if (rc == R_POINTER) {
		if (scnp_word_is(v, vlen, "null")) {
			call->ret = SCN_RET_NULL;
			return 0;
		}
		if (scnp_word_is(v, vlen, "invalid")) {
			call->ret = SCN_RET_INVALID;
			return 0;
		}
		call->ret = SCN_RET_FRAME;
		return parse_frame(p, t, v, vlen, &call->ret_frame);
	}
	call->ret = SCN_RET_CODE;
	if (rc == R_VMFAULT) {
		call->ret_code = scn_vm_fault_parse(v, (size_t)vlen);
		if (call->ret_code < 0)
			return scnp_perr(p, t->col, "bad fault result '%s' (expected VM_FAULT "
					 "names joined by |, e.g. NOPAGE, SIGBUS, OOM, FALLBACK, "
					 "NOPAGE|MAJOR, or 0)", scn_quote(v, vlen, q));
		return 0;
	}
	if (scnp_word_is(v, vlen, "0")) {
		call->ret_code = 0;
		return 0;
	}
	for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++) {
		if (scnp_word_is(v, vlen, errnos[k].name)) {
			call->ret_code = -errnos[k].err;
			return 0;
		}
	}
	return scnp_perr(p, t->col, "bad result '%s' (expected 0 or an errno name such as "
			 "EINVAL)", scn_quote(v, vlen, q));
}

/* One ARG=VALUE or FLAG of a call; @seen collects the A_* bits. */
static int parse_arg(struct parser *p, struct scn_call *call, const struct scn_tok *t,
		     unsigned int *seen)
{
	const char *eq = memchr(t->s, '=', (size_t)t->len);
	int klen = eq ? (int)(eq - t->s) : t->len, vlen = eq ? t->len - klen - 1 : 0;
	const char *v = eq ? eq + 1 : NULL;
	unsigned int bit = 0;
	bool flag = false;
	char q[48];

	if (eq && scnp_word_is(t->s, klen, "ret")) {
		if (*seen & (1u << 31))
			return scnp_perr(p, t->col, "duplicate option 'ret'");
		*seen |= 1u << 31;
		return parse_ret(p, t, v, vlen, call);
	}
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (scnp_word_is(t->s, klen, keys[k].key))
			bit = keys[k].bit, flag = keys[k].flag;
	if (!bit || !(fn_class[call->fn].allowed & bit))
		return scnp_perr(p, t->col, "%s takes no argument '%s'", scn_fn_name(call->fn),
				 scn_quote(t->s, klen, q));
	if (flag != !eq)
		return scnp_perr(p, t->col, flag ? "'%.*s' takes no value" : "'%.*s' needs a value",
				 klen, t->s);
	if (*seen & bit)
		return scnp_perr(p, t->col, "duplicate option '%.*s'", klen, t->s);
	*seen |= bit;
	switch (bit) {
	case A_ENTRY: case A_PFN: case A_PAGE: case A_FOLIO:
		return parse_frame(p, t, v, vlen, &call->arg);
	case A_HOOK:
		return parse_frame(p, t, v, vlen, &call->hook);
	case A_VMA:
		call->has_vma = true;
		call->vma_loc = scnp_at(p, t);
		return scnp_parse_name(p, t->col, v, vlen, call->vma, "mapping name");
	case A_LEN:
		return scnp_parse_size(p, t->col, v, vlen, &call->len);
	case A_LEVEL:
		return scnp_parse_level(p, t, v, vlen, &call->level);
	case A_SPECIAL:
		call->special = true;
		return 0;
	case A_DEVMAP:
		call->devmap = true;
		return 0;
	default:
		call->write = true;
		return 0;
	}
}

static struct scn_call *new_call(struct parser *p, struct scn_cmd *c)
{
	c->call = calloc(1, sizeof(*c->call));
	if (!c->call) {
		scnp_perr(p, c->loc.col, "out of memory");
		return NULL;
	}
	c->call->level = -1;
	return c->call;
}

int scnp_ops_call(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	struct scn_call *call = new_call(p, c);
	unsigned int seen = 0, missing;
	char q[48];

	if (!call)
		return -1;
	if (*i >= n)
		return scnp_perr(p, c->loc.col, "missing function name for call");
	call->fn = scn_fn_lookup(t[*i].s, (size_t)t[*i].len);
	if (call->fn == SCN_NR_FNS)
		return scnp_perr(p, t[*i].col, "unknown kernel function '%s' (see "
				 "docs/contract-notes.md, \"Kernel calls\")",
				 scn_quote(t[*i].s, t[*i].len, q));
	c->name_loc = scnp_at(p, &t[*i]);
	if (++*i >= n)
		return scnp_perr(p, c->loc.col, "missing address for call");
	if (scnp_parse_addr(p, &t[*i], t[*i].s, t[*i].len, &c->addr))
		return -1;
	for (++*i; *i < n; ++*i)
		if (parse_arg(p, call, &t[*i], &seen))
			return -1;
	missing = fn_class[call->fn].required & ~seen;
	for (size_t k = 0; missing && k < sizeof(keys) / sizeof(keys[0]); k++)
		if (missing & keys[k].bit)
			return scnp_perr(p, c->loc.col, "%s needs %s=", scn_fn_name(call->fn),
					 keys[k].key);
	if (!(seen & (1u << 31)))
		return scnp_perr(p, c->loc.col, "call needs ret= (what %s must return)",
				 scn_fn_name(call->fn));
	if (call->fn == SCN_FN_HUGE_FAULT && call->level == FL_LEVEL_PTE)
		return scnp_perr(p, c->loc.col, "huge_fault takes level=pmd or level=pud");
	return 0;
}

int scnp_ops_poke(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n, int *i)
{
	struct scn_call *call = new_call(p, c);
	char q[48];

	if (!call)
		return -1;
	if (*i >= n)
		return scnp_perr(p, c->loc.col, "missing address for poke");
	if (scnp_parse_addr(p, &t[*i], t[*i].s, t[*i].len, &c->addr))
		return -1;
	if (++*i >= n)
		return scnp_perr(p, c->loc.col, "missing level (pte, pmd or pud) for poke");
	if (scnp_parse_level(p, &t[*i], t[*i].s, t[*i].len, &call->level))
		return -1;
	if (++*i >= n)
		return scnp_perr(p, c->loc.col, "poke needs swap=FRAME or none");
	if (scn_tok_is(&t[*i], "none")) {
		call->poke_none = true;
		if (*i + 1 < n && scn_tok_is(&t[*i + 1], "changed")) {
			call->poke_changed = true;
			++*i;
		}
	} else if (t[*i].len > 5 && !memcmp(t[*i].s, "swap=", 5)) {
		if (parse_frame(p, &t[*i], t[*i].s + 5, t[*i].len - 5, &call->arg))
			return -1;
		if (call->arg.kind != SCN_FR_PFN && call->arg.kind != SCN_FR_AT)
			return scnp_perr(p, t[*i].col, "swap= takes a frame number (ram+N, io+N, "
					 "pmem+N, a number) or @ADDR");
	} else {
		return scnp_perr(p, t[*i].col, "bad poke entry '%s' (expected swap=FRAME or none)",
				 scn_quote(t[*i].s, t[*i].len, q));
	}
	++*i;
	return 0;
}

int scnp_ops_expect_stop(struct parser *p, struct scn_cmd *c, const struct scn_tok *t, int n,
			 int *i)
{
	struct scn_call *call = new_call(p, c);
	size_t used = 0;

	if (!call)
		return -1;
	if (*i >= n)
		return scnp_perr(p, c->loc.col, "expect-stop needs the words of the invariant");
	for (; *i < n; ++*i) {
		if (used + (size_t)t[*i].len + 2 > sizeof(call->text))
			return scnp_perr(p, t[*i].col, "expect-stop text too long (at most %zu "
					 "characters)", sizeof(call->text) - 1);
		if (used)
			call->text[used++] = ' ';
		memcpy(call->text + used, t[*i].s, (size_t)t[*i].len);
		used += (size_t)t[*i].len;
	}
	call->text[used] = '\0';
	return 0;
}
