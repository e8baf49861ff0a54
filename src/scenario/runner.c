// SPDX-License-Identifier: GPL-2.0-only
/*
 * runner.c - executing a parsed scenario on a backend (backend.h).
 *
 * The runner is the part of faultline that knows what a scenario means and
 * nothing about how memory works.  It keeps the scenario's names -- the
 * processes (p0 is 0, each fork takes the next number), each process's
 * mappings with the range the backend's mmap returned (fork copies the
 * table, since a child sees its parent's mappings at the same addresses),
 * the files, the pins -- turns every MAP+OFFSET into an address, calls the
 * backend, and judges what comes back: signals, fault counts, bytes read,
 * snapshots for `show` and `expect`.  The model and the kernel oracle run
 * through this same code, so `check` can diff what it prints.
 *
 * Failed expectations are counted and reported as "FILE:LINE: ..." and the
 * run goes on, so one run shows every wrong expectation.  What makes going
 * on pointless stops the run: a scenario the backend cannot execute (exit
 * 2), a broken model invariant (3), or a truncate that would wait forever
 * for a pin (1, as SCENARIOS.md says).
 *
 * That last one is decided here, for both backends, because on the real
 * kernel the wait is real: truncate and punch on a DAX file wait for every
 * pinned page of the file.  When a pin is taken the runner looks at what it
 * pinned; if it holds DAX pages of a file, a later truncate or punch of that
 * file blocks until the pin is released.
 *
 * `parallel` blocks run on the sequential fallback until the explorer
 * exists: each thread's commands in thread order, thread after thread.  A
 * thread that would block on a pin steps aside and the next thread runs;
 * when another thread unpins, the blocked one resumes.  If every unfinished
 * thread is blocked, the scenario would hang: that is reported as above.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "observe/expect.h"
#include "scenario/lexer.h"
#include "scenario/runner.h"

#define PAGE 4096ull

struct rmap {
	char name[SCN_NAME_MAX];
	uint64_t start, len;
	int file;		/* index into files, -1 */
	bool mapped;		/* false once munmapped as a whole */
};

struct rproc {
	char name[SCN_NAME_MAX];
	bool alive;
	struct rmap *maps;
	int nmaps;
};

struct rfile {
	char name[SCN_NAME_MAX];
	enum scn_fs fs;
};

struct rpin {
	char name[SCN_NAME_MAX];
	bool held;
	int dax_file;		/* the file whose DAX pages it holds, -1 */
};

struct runner {
	const struct scn *scn;
	struct fl_backend *b;
	const struct fl_run_opts *o;
	struct rproc *procs;
	int nprocs, cur;
	struct rfile *files;
	int nfiles;
	struct rpin *pins;
	int npins;
	int failed, skipped;
	const struct scn_cmd *expect_stop;	/* expect-stop before this command */
};

/* Internal: the stop expect-stop announced came; the run ends successfully. */
#define RUN_STOPPED_AS_EXPECTED 100

/* ---- reporting ---------------------------------------------------------- */

static int rerr(struct runner *r, struct scn_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void rfail(struct runner *r, const struct scn_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A scenario error found while running: FILE:LINE:COL, exit status 2. */
static int rerr(struct runner *r, struct scn_loc loc, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	scn_error(r->o->err, r->scn->path, loc, "%s", msg);
	return FL_RUN_BAD;
}

/* A failed expectation: FILE:LINE, counted, the run goes on. */
static void rfail(struct runner *r, const struct scn_cmd *c, const char *fmt, ...)
{
	va_list ap;

	r->failed++;
	if (!r->o->err)
		return;
	fprintf(r->o->err, "%s:%d: ", r->scn->path, c->loc.line);
	va_start(ap, fmt);
	vfprintf(r->o->err, fmt, ap);
	va_end(ap);
	fputc('\n', r->o->err);
}

static void clear_err(struct fl_backend *b)
{
	b->err[0] = '\0';
	b->err_loc = (struct scn_loc){ 0, 0 };
}

/* What a backend's return code means for the run: 0 to go on, or a status. */
static int backend_rc(struct runner *r, const struct scn_cmd *c, int rc)
{
	struct fl_backend *b = r->b;

	switch (rc) {
	case FL_OK:
		return 0;
	case FL_EINVARIANT:
		return FL_RUN_INVARIANT;
	case FL_ESKIP:
		fprintf(r->o->out, "skipped: %s\n", b->err[0] ? b->err : "(no reason given)");
		return FL_RUN_SKIPPED;
	default:
		return rerr(r, b->err_loc.line ? b->err_loc : c->loc, "%s",
			    b->err[0] ? b->err : "the backend failed");
	}
}

static int unsupported(struct runner *r, const struct scn_cmd *c)
{
	return rerr(r, c->loc, "%s is not supported by the %s backend", scn_op_name(c->op),
		    r->b->ops->name ? r->b->ops->name : "current");
}

/* ---- names and addresses ------------------------------------------------- */

static int find_proc(const struct runner *r, const char *name)
{
	for (int i = 0; i < r->nprocs; i++)
		if (!strcmp(r->procs[i].name, name))
			return i;
	return -1;
}

static struct rmap *find_map(struct rproc *pr, const char *name)
{
	for (int i = 0; i < pr->nmaps; i++)
		if (!strcmp(pr->maps[i].name, name))
			return &pr->maps[i];
	return NULL;
}

static int find_file(const struct runner *r, const char *name)
{
	for (int i = 0; i < r->nfiles; i++)
		if (!strcmp(r->files[i].name, name))
			return i;
	return -1;
}

static struct rpin *find_held_pin(struct runner *r, const char *name)
{
	for (int i = r->npins - 1; i >= 0; i--)
		if (r->pins[i].held && !strcmp(r->pins[i].name, name))
			return &r->pins[i];
	return NULL;
}

/* "p0:m+0x2000": mapped maps first, so a reused address names its new owner. */
static void fmt_addr(const struct runner *r, int proc, uint64_t va, char *buf, size_t len)
{
	const struct rproc *pr;

	if (proc < 0 || proc >= r->nprocs) {
		snprintf(buf, len, "?:0x%llx", (unsigned long long)va);
		return;
	}
	pr = &r->procs[proc];
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < pr->nmaps; i++) {
			const struct rmap *m = &pr->maps[i];

			if (m->mapped == !pass && va >= m->start && va - m->start < m->len) {
				snprintf(buf, len, "%s:%s+0x%llx", pr->name, m->name,
					 (unsigned long long)(va - m->start));
				return;
			}
		}
	}
	snprintf(buf, len, "%s:0x%llx", pr->name, (unsigned long long)va);
}

static void addr_fmt_cb(void *ctx, int proc, uint64_t va, char *buf, size_t len)
{
	fmt_addr(ctx, proc, va, buf, len);
}

/* ADDR -> process index, map and virtual address.  sema made it resolvable. */
static int resolve(struct runner *r, const struct scn_addr *a, int *proc, struct rmap **m,
		   uint64_t *va)
{
	*proc = a->proc[0] ? find_proc(r, a->proc) : r->cur;
	if (*proc < 0)
		return rerr(r, a->loc, "unknown process '%s'", a->proc);
	*m = find_map(&r->procs[*proc], a->map);
	if (!*m)
		return rerr(r, a->loc, "unknown mapping '%s'", a->map);
	*va = (*m)->start + a->off;
	return 0;
}

static struct rmap *cur_map(struct runner *r, const struct scn_cmd *c)
{
	struct rmap *m = find_map(&r->procs[r->cur], c->name);

	if (!m)
		rerr(r, c->name_loc, "unknown mapping '%s'", c->name);
	return m;
}

/* ---- tables ------------------------------------------------------------- */

/* A new process; with @parent >= 0 it starts with a copy of its map table. */
static int add_proc(struct runner *r, const char *name, int parent)
{
	struct rproc *v = realloc(r->procs, (size_t)(r->nprocs + 1) * sizeof(*v)), *pr;

	if (!v)
		return -1;
	r->procs = v;
	pr = &v[r->nprocs];
	memset(pr, 0, sizeof(*pr));
	snprintf(pr->name, sizeof(pr->name), "%s", name);
	pr->alive = true;
	if (parent >= 0 && v[parent].nmaps) {
		pr->maps = malloc((size_t)v[parent].nmaps * sizeof(*pr->maps));
		if (!pr->maps)
			return -1;
		memcpy(pr->maps, v[parent].maps, (size_t)v[parent].nmaps * sizeof(*pr->maps));
		pr->nmaps = v[parent].nmaps;
	}
	return r->nprocs++;
}

static struct rmap *add_map(struct rproc *pr, const char *name)
{
	struct rmap *m = find_map(pr, name), *v;

	if (m)
		return m;	/* mapped again after a full munmap */
	v = realloc(pr->maps, (size_t)(pr->nmaps + 1) * sizeof(*v));
	if (!v)
		return NULL;
	pr->maps = v;
	m = &v[pr->nmaps++];
	memset(m, 0, sizeof(*m));
	memcpy(m->name, name, strnlen(name, sizeof(m->name) - 1));
	return m;
}

static void free_tables(struct runner *r)
{
	for (int i = 0; i < r->nprocs; i++)
		free(r->procs[i].maps);
	free(r->procs);
	free(r->files);
	free(r->pins);
}

/* ---- steps: signals, faults, bytes, trace -------------------------------- */

static const char *sig_name(int signo, char *buf, size_t len)
{
	if (signo == SIGSEGV)
		return "SIGSEGV";
	if (signo == SIGBUS)
		return "SIGBUS";
	snprintf(buf, len, "signal %d", signo);
	return buf;
}

static const char *code_name(int signo, int code, char *buf, size_t len)
{
	if (signo == SIGSEGV && code == SEGV_MAPERR)
		return "SEGV_MAPERR";
	if (signo == SIGSEGV && code == SEGV_ACCERR)
		return "SEGV_ACCERR";
	if (signo == SIGBUS && code == BUS_ADRERR)
		return "BUS_ADRERR";
	if (signo == SIGBUS && code == BUS_ADRALN)
		return "BUS_ADRALN";
	if (signo == SIGBUS && code == BUS_OBJERR)
		return "BUS_OBJERR";
	snprintf(buf, len, "%d", code);
	return buf;
}

/* The command as written, without comment and surrounding blanks. */
static void print_trace(struct runner *r, const struct scn_cmd *c, const struct fl_step_result *res)
{
	const char *s = c->text ? c->text : "", *hash = strchr(s, '#');
	size_t len = hash ? (size_t)(hash - s) : strlen(s);
	char b1[32], b2[32];

	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	fprintf(r->o->out, "step %d: %.*s -> faults=", c->loc.line, (int)len, s);
	if (res->faults < 0)
		fputc('?', r->o->out);
	else
		fprintf(r->o->out, "%ld", res->faults);
	if (res->signo)
		fprintf(r->o->out, " signal=%s/%s", sig_name(res->signo, b1, sizeof(b1)),
			code_name(res->signo, res->si_code, b2, sizeof(b2)));
	fputc('\n', r->o->out);
}

static void check_signal(struct runner *r, const struct scn_cmd *c, int proc,
			 const struct fl_step_result *res)
{
	char b1[32], b2[32], b3[32], where[192];

	if (res->signo == c->signal)
		return;
	if (!res->signo) {
		rfail(r, c, "expected %s, got none", sig_name(c->signal, b1, sizeof(b1)));
		return;
	}
	fmt_addr(r, proc, res->fault_va, where, sizeof(where));
	if (!c->signal)
		rfail(r, c, "unexpected %s (%s) at %s", sig_name(res->signo, b1, sizeof(b1)),
		      code_name(res->signo, res->si_code, b2, sizeof(b2)), where);
	else
		rfail(r, c, "expected %s, got %s (%s) at %s", sig_name(c->signal, b3, sizeof(b3)),
		      sig_name(res->signo, b1, sizeof(b1)),
		      code_name(res->signo, res->si_code, b2, sizeof(b2)), where);
}

/* After an access, pin or populate step: everything the step asserted. */
static void check_step(struct runner *r, const struct scn_cmd *c, int proc,
		       const struct fl_step_result *res, bool traced)
{
	char where[192];

	if (traced && r->o->trace)
		print_trace(r, c, res);
	check_signal(r, c, proc, res);
	if (c->faults >= 0 && res->faults >= 0 && res->faults != c->faults)
		rfail(r, c, "expected faults=%ld, got faults=%ld", c->faults, res->faults);
	if (c->op == SCN_READ && c->expect_byte >= 0 && res->bad_byte >= 0) {
		fmt_addr(r, proc, res->bad_va, where, sizeof(where));
		rfail(r, c, "read expect=0x%02x failed at %s: found 0x%02x", c->expect_byte,
		      where, res->bad_byte);
	}
}

static void init_result(struct fl_step_result *res)
{
	memset(res, 0, sizeof(*res));
	res->faults = -1;
	res->majflt = -1;
	res->bad_byte = -1;
}

/* ---- snapshots ------------------------------------------------------------ */

/* The maps a show / expect-counter looks at: named ones, or every mapped one. */
static struct fl_map_ref *select_maps(struct runner *r, int proc, const struct scn_cmd *c,
				      int *n)
{
	struct rproc *pr = &r->procs[proc];
	struct fl_map_ref *refs = calloc((size_t)(pr->nmaps + c->nnames + 1), sizeof(*refs));

	*n = 0;
	if (!refs)
		return NULL;
	for (int i = 0; i < (c->nnames ? c->nnames : pr->nmaps); i++) {
		struct rmap *m = c->nnames ? find_map(pr, c->names[i]) : &pr->maps[i];

		if (!m || (!c->nnames && !m->mapped))
			continue;
		refs[*n].name = m->name;
		refs[*n].start = m->start;
		/* A map gone as a whole shows nothing, whatever reuses its range. */
		refs[*n].len = m->mapped ? m->len : 0;
		(*n)++;
	}
	return refs;
}

static int take_snapshot(struct runner *r, const struct scn_cmd *c, int proc,
			 const struct fl_map_ref *refs, int n, struct fl_obs_snapshot *s)
{
	struct fl_backend *b = r->b;
	int rc;

	fl_obs_snapshot_init(s, r->procs[proc].name, b->ops->name);
	if (!b->ops->snapshot)
		return unsupported(r, c);
	for (int i = 0; i < n; i++)
		if (!fl_obs_add_map(s, refs[i].name, refs[i].start, refs[i].len))
			return rerr(r, c->loc, "out of memory");
	clear_err(b);
	rc = b->ops->snapshot(b, proc, refs, n, s);
	fl_obs_sort(s);
	return backend_rc(r, c, rc);
}

/* Names of @refs as the printer and the evaluator take them. */
static char (*ref_names(const struct fl_map_ref *refs, int n))[64]
{
	char (*names)[64] = calloc((size_t)(n ? n : 1), sizeof(*names));

	for (int i = 0; names && i < n; i++)
		snprintf(names[i], sizeof(names[i]), "%s", refs[i].name);
	return names;
}

/* show, expect-counter: a snapshot of the current process's selected maps. */
static int snapshot_selected(struct runner *r, const struct scn_cmd *c,
			     struct fl_obs_snapshot *s, char (**names)[64], int *n)
{
	struct fl_map_ref *refs = select_maps(r, r->cur, c, n);
	int st;

	*names = refs ? ref_names(refs, *n) : NULL;
	if (!refs || !*names) {
		free(refs);
		free(*names);
		*names = NULL;
		fl_obs_snapshot_init(s, "", "");
		return rerr(r, c->loc, "out of memory");
	}
	st = take_snapshot(r, c, r->cur, refs, *n, s);
	free(refs);
	return st;
}

static int exec_show(struct runner *r, const struct scn_cmd *c)
{
	struct fl_obs_snapshot s;
	char (*names)[64];
	int n, st = snapshot_selected(r, c, &s, &names, &n);

	if (!st)
		fl_obs_print(r->o->out, &s, (const char (*)[64])names, n, !r->o->comparable);
	fl_obs_snapshot_free(&s);
	free(names);
	return st;
}

static int exec_expect_counter(struct runner *r, const struct scn_cmd *c)
{
	struct fl_expect_counter *e = calloc((size_t)c->nkvs + 1, sizeof(*e));
	struct fl_obs_snapshot s;
	char (*names)[64] = NULL, msg[1024];
	int n = 0, st;

	if (!e)
		return rerr(r, c->loc, "out of memory");
	st = snapshot_selected(r, c, &s, &names, &n);
	for (int i = 0; i < c->nkvs; i++) {
		e[i].counter = fl_counter_lookup(c->kvs[i].key);
		e[i].kib = c->kvs[i].num;
	}
	if (!st && fl_expect_counters(&s, (const char (*)[64])names, n, e, c->nkvs, msg,
				      sizeof(msg)) == FL_EXPECT_FAIL)
		rfail(r, c, "%s", msg);
	fl_obs_snapshot_free(&s);
	free(names);
	free(e);
	return st;
}

/* ---- expect --------------------------------------------------------------- */

static void expect_from_cmd(const struct scn_cmd *c, struct fl_expect_page *e)
{
	e->kind = c->kind;
	e->level = c->level;
	e->pages = c->pages > 0 ? c->pages : 1;
	e->write = c->write;
	e->dirty = c->dirty;
	e->excl = c->excl;
	e->mapcount = c->mapcount;
	e->refcount = c->refcount;
}

static void count_expect(struct runner *r, const struct scn_cmd *c, enum fl_expect_status st,
			 const char *msg)
{
	if (st == FL_EXPECT_FAIL)
		rfail(r, c, "%s", msg);
	else if (st == FL_EXPECT_SKIP)
		r->skipped++;
}

static int exec_expect(struct runner *r, const struct scn_cmd *c)
{
	struct fl_map_ref refs[2];
	struct fl_obs_snapshot s, s2;
	struct fl_expect_page e;
	int proc, proc2 = -1, nrefs = 1, st;
	struct rmap *m, *m2 = NULL;
	uint64_t va, va2 = 0;
	char msg[1024];

	if (resolve(r, &c->addr, &proc, &m, &va) ||
	    (c->has_same && resolve(r, &c->same, &proc2, &m2, &va2)))
		return FL_RUN_BAD;
	refs[0] = (struct fl_map_ref){ m->name, m->start, m->mapped ? m->len : 0 };
	if (m2 && proc2 == proc && m2 != m)
		refs[nrefs++] = (struct fl_map_ref){ m2->name, m2->start, m2->mapped ? m2->len : 0 };
	fl_obs_snapshot_init(&s2, "", "");
	st = take_snapshot(r, c, proc, refs, nrefs, &s);
	if (!st && m2 && proc2 != proc) {
		refs[0] = (struct fl_map_ref){ m2->name, m2->start, m2->mapped ? m2->len : 0 };
		st = take_snapshot(r, c, proc2, refs, 1, &s2);
	}
	if (!st) {
		expect_from_cmd(c, &e);
		count_expect(r, c, fl_expect_pages(&s, va, m2 ? (proc2 == proc ? &s : &s2) : NULL,
						   va2, &e, msg, sizeof(msg)), msg);
	}
	fl_obs_snapshot_free(&s);
	fl_obs_snapshot_free(&s2);
	return st;
}

static int exec_expect_stat(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;

	for (int i = 0; i < c->nkvs; i++) {
		const struct scn_kv *kv = &c->kvs[i];
		uint64_t val = 0;
		int rc;

		if (!b->ops->stat) {
			r->skipped++;
			continue;
		}
		clear_err(b);
		rc = b->ops->stat(b, r->cur, kv->key, &val);
		if (rc == FL_ESKIP) {
			r->skipped++;
			continue;
		}
		if (rc == FL_EUNSUPPORTED)
			return rerr(r, kv->loc, "unknown stat %s", kv->key);
		if (rc != FL_OK)
			return backend_rc(r, c, rc);
		if (val != kv->num)
			rfail(r, c, "expect-stat failed: %s=%llu, expected %llu", kv->key,
			      (unsigned long long)val, (unsigned long long)kv->num);
	}
	return 0;
}

/* ---- pins ---------------------------------------------------------------- */

/* *file: the file whose DAX pages [va, va+len) of @m hold, or -1. */
static int pinned_dax_file(struct runner *r, const struct scn_cmd *c, int proc,
			   const struct rmap *m, uint64_t va, uint64_t len, int *file)
{
	struct fl_map_ref ref = { m->name, m->start, m->len };
	struct fl_obs_snapshot s;
	int st;

	*file = -1;
	if (m->file < 0 || r->files[m->file].fs != SCN_FS_DAX)
		return 0;
	st = take_snapshot(r, c, proc, &ref, 1, &s);
	for (size_t i = fl_obs_lower_bound(&s, va & ~(PAGE - 1));
	     !st && i < s.npages && s.pages[i].va < va + len; i++)
		if (s.pages[i].kind == FL_KIND_DAX)
			*file = m->file;
	fl_obs_snapshot_free(&s);
	return st;
}

static int exec_pin(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	struct fl_step_result res;
	struct rpin *v;
	struct rmap *m;
	uint64_t va;
	int proc, idx, st;

	if (!b->ops->pin)
		return unsupported(r, c);
	if (resolve(r, &c->addr, &proc, &m, &va))
		return FL_RUN_BAD;
	v = realloc(r->pins, (size_t)(r->npins + 1) * sizeof(*v));
	if (!v)
		return rerr(r, c->loc, "out of memory");
	r->pins = v;
	idx = r->npins++;
	memset(&v[idx], 0, sizeof(v[idx]));
	snprintf(v[idx].name, sizeof(v[idx].name), "%s", c->name);
	v[idx].dax_file = -1;
	init_result(&res);
	clear_err(b);
	st = backend_rc(r, c, b->ops->pin(b, proc, idx, va, c->len, c->pin_write,
					  c->pin_longterm, c->pin_dma, &res));
	if (st)
		return st;
	r->pins[idx].held = true;
	check_step(r, c, proc, &res, true);
	if (res.signo)
		return 0;
	return pinned_dax_file(r, c, proc, m, va, c->len, &r->pins[idx].dax_file);
}

static int exec_dio_read(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	struct fl_step_result res;
	int proc, file, st;
	struct rmap *m;
	uint64_t va;

	if (!b->ops->dio_read)
		return unsupported(r, c);
	file = find_file(r, c->name);
	if (file < 0)
		return rerr(r, c->name_loc, "unknown file '%s'", c->name);
	if (resolve(r, &c->addr, &proc, &m, &va))
		return FL_RUN_BAD;
	init_result(&res);
	clear_err(b);
	st = backend_rc(r, c, b->ops->dio_read(b, proc, file, c->off, va, c->len, &res));
	if (st)
		return st;
	check_step(r, c, proc, &res, true);
	return 0;
}

static int exec_unpin(struct runner *r, const struct scn_cmd *c)
{
	struct rpin *pin = find_held_pin(r, c->name);

	if (!r->b->ops->unpin)
		return unsupported(r, c);
	if (!pin)
		return rerr(r, c->name_loc, "pin '%s' is not held", c->name);
	pin->held = false;
	clear_err(r->b);
	return backend_rc(r, c, r->b->ops->unpin(r->b, (int)(pin - r->pins)));
}

/* The pin a truncate or punch of a DAX file would wait for, or NULL. */
static bool file_mapped(const struct runner *r, int file)
{
	for (int p = 0; p < r->nprocs; p++)
		for (int i = 0; r->procs[p].alive && i < r->procs[p].nmaps; i++)
			if (r->procs[p].maps[i].file == file && r->procs[p].maps[i].mapped)
				return true;
	return false;
}

/* A held pin on @name's DAX pages that a layout break of it would wait for. */
static const struct rpin *pin_on_file(const struct runner *r, const char *name)
{
	int file = find_file(r, name);

	if (file < 0 || r->files[file].fs != SCN_FS_DAX)
		return NULL;
	/* V13 on: dax_layout_busy_page_range() skips a file nothing maps (T57). */
	if (r->scn->config.layout_busy_skip_unmapped && !file_mapped(r, file))
		return NULL;
	for (int i = 0; i < r->npins; i++)
		if (r->pins[i].held && r->pins[i].dax_file == file)
			return &r->pins[i];
	return NULL;
}

/* truncate and punch break the file's layout; reflink breaks both files'. */
static const struct rpin *blocking_pin(const struct runner *r, const struct scn_cmd *c)
{
	const struct rpin *pin;

	if (c->op != SCN_TRUNCATE && c->op != SCN_PUNCH && c->op != SCN_REFLINK)
		return NULL;
	pin = pin_on_file(r, c->name);
	if (!pin && c->op == SCN_REFLINK)
		pin = pin_on_file(r, c->name2);
	return pin;
}

static int wait_forever(struct runner *r, const struct scn_cmd *c, const struct rpin *pin)
{
	rfail(r, c, "would wait forever for pin %s", pin->name);
	return FL_RUN_FAILED;
}

/* ---- files and processes ----------------------------------------------------- */

static int exec_file(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	const struct rpin *pin = blocking_pin(r, c);
	int file, file2 = -1;
	struct rfile *v;

	if (pin)
		return wait_forever(r, c, pin);
	if (c->op != SCN_FILE) {
		file = find_file(r, c->name);
		if (c->op == SCN_REFLINK)
			file2 = find_file(r, c->name2);
		if (file < 0 || (c->op == SCN_REFLINK && file2 < 0))
			return rerr(r, c->name_loc, "unknown file");
		if (!b->ops->file_op)
			return unsupported(r, c);
		clear_err(b);
		return backend_rc(r, c, b->ops->file_op(b, file, file2, c));
	}
	v = realloc(r->files, (size_t)(r->nfiles + 1) * sizeof(*v));
	if (!v)
		return rerr(r, c->loc, "out of memory");
	r->files = v;
	file = r->nfiles++;
	snprintf(v[file].name, sizeof(v[file].name), "%s", c->name);
	v[file].fs = c->fs;
	if (!b->ops->file_create)
		return unsupported(r, c);
	clear_err(b);
	return backend_rc(r, c, b->ops->file_create(b, file, c));
}

static int exec_proc(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	int p = find_proc(r, c->name);

	switch (c->op) {
	case SCN_AS:
		if (p < 0)
			return rerr(r, c->name_loc, "unknown process '%s'", c->name);
		r->cur = p;
		return 0;
	case SCN_EXIT:
		if (p < 0)
			return rerr(r, c->name_loc, "unknown process '%s'", c->name);
		if (!b->ops->exit)
			return unsupported(r, c);
		r->procs[p].alive = false;
		clear_err(b);
		return backend_rc(r, c, b->ops->exit(b, p));
	default: /* SCN_FORK */
		if (!b->ops->fork)
			return unsupported(r, c);
		p = add_proc(r, c->name, r->cur);
		if (p < 0)
			return rerr(r, c->loc, "out of memory");
		clear_err(b);
		return backend_rc(r, c, b->ops->fork(b, r->cur, p));
	}
}

/* ---- mappings ---------------------------------------------------------------- */

static int exec_mmap(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	int file = c->source == SCN_SRC_FILE ? find_file(r, c->file) : -1, st;
	struct fl_step_result res;
	struct rmap *m;
	uint64_t start = 0;

	if (!b->ops->mmap)
		return unsupported(r, c);
	init_result(&res);
	clear_err(b);
	st = backend_rc(r, c, b->ops->mmap(b, r->cur, c, file, &start, &res));
	if (st)
		return st;
	m = add_map(&r->procs[r->cur], c->name);
	if (!m)
		return rerr(r, c->loc, "out of memory");
	m->start = start;
	m->len = c->size;
	m->file = file;
	m->mapped = true;
	if (c->populate || c->faults >= 0)
		check_step(r, c, r->cur, &res, c->populate);
	return 0;
}

static int exec_range(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	struct rmap *m = cur_map(r, c);
	struct fl_step_result res;
	uint64_t start, len;
	int rc;

	if (!m)
		return FL_RUN_BAD;
	start = m->start + (c->has_off ? c->off : 0);
	len = c->has_len ? c->len : m->len;
	init_result(&res);
	clear_err(b);
	if ((c->op == SCN_MUNMAP && !b->ops->munmap) || (c->op == SCN_MPROTECT && !b->ops->mprotect) ||
	    (c->op == SCN_MADVISE && !b->ops->madvise) || (c->op == SCN_MSYNC && !b->ops->msync))
		return unsupported(r, c);
	if (c->op == SCN_MUNMAP) {
		rc = b->ops->munmap(b, r->cur, start, len);
		if (start == m->start && len == m->len)
			m->mapped = false;
	} else if (c->op == SCN_MPROTECT) {
		rc = b->ops->mprotect(b, r->cur, start, len, c->prot, &res);
	} else if (c->op == SCN_MSYNC) {
		rc = b->ops->msync(b, r->cur, start, len);
	} else {
		rc = b->ops->madvise(b, r->cur, start, len, c->advice, &res);
		if (rc == FL_OK && (c->advice == SCN_ADV_POPULATE_READ ||
				    c->advice == SCN_ADV_POPULATE_WRITE || c->faults >= 0))
			check_step(r, c, r->cur, &res, c->advice == SCN_ADV_POPULATE_READ ||
				   c->advice == SCN_ADV_POPULATE_WRITE);
	}
	return backend_rc(r, c, rc);
}

static int exec_mremap(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	struct rmap *m = cur_map(r, c);
	struct fl_step_result res;
	uint64_t start = 0;
	int st;

	if (!m)
		return FL_RUN_BAD;
	if (!b->ops->mremap)
		return unsupported(r, c);
	init_result(&res);
	clear_err(b);
	st = backend_rc(r, c, b->ops->mremap(b, r->cur, m->start, m->len, c->size, &start, &res));
	if (!st) {
		m->start = start;
		m->len = c->size;
	}
	return st;
}

static int exec_access(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	bool write = c->op == SCN_WRITE;
	struct fl_step_result res;
	struct rmap *m;
	uint64_t va;
	int proc, st;

	if (!b->ops->access)
		return unsupported(r, c);
	if (resolve(r, &c->addr, &proc, &m, &va))
		return FL_RUN_BAD;
	init_result(&res);
	clear_err(b);
	st = backend_rc(r, c, b->ops->access(b, proc, va, c->has_len ? c->len : 1, write,
					     write ? (c->byte >= 0 ? c->byte : 0xCD) : 0,
					     write ? -1 : c->expect_byte, &res));
	if (!st)
		check_step(r, c, proc, &res, true);
	return st;
}

/* ---- driving ------------------------------------------------------------------ */

static int exec_cmd(struct runner *r, const struct scn_cmd *c);

static int exec_parallel(struct runner *r, const struct scn_cmd *c)
{
	int *pos = calloc((size_t)c->nthreads, sizeof(*pos)), st = 0;
	bool done = false;

	if (!pos)
		return rerr(r, c->loc, "out of memory");
	while (!st && !done) {
		const struct scn_cmd *blocked = NULL;
		bool progress = false;

		done = true;
		for (int t = 0; !st && t < c->nthreads; t++) {
			const struct scn_thread *th = &c->threads[t];

			while (!st && pos[t] < th->ncmds) {
				if (blocking_pin(r, &th->cmds[pos[t]]))
					break;
				st = exec_cmd(r, &th->cmds[pos[t]++]);
				progress = true;
			}
			if (pos[t] < th->ncmds) {
				done = false;
				if (!blocked)
					blocked = &th->cmds[pos[t]];
			}
		}
		if (!st && !done && !progress)
			st = wait_forever(r, blocked, blocking_pin(r, blocked));
	}
	free(pos);
	return st;
}

/* The @ADDR of a call's FRAME, resolved in its process. */
static int resolve_frame(struct runner *r, const struct scn_frame *f, int *proc, uint64_t *va)
{
	struct rmap *m;

	if (f->kind != SCN_FR_AT) {
		*proc = -1;
		*va = 0;
		return 0;
	}
	return resolve(r, &f->at, proc, &m, va);
}

/* call and poke (model only): the backend runs it and compares with ret=. */
static int exec_call(struct runner *r, const struct scn_cmd *c)
{
	const struct scn_call *call = c->call;
	struct fl_call_addrs a = { 0 };
	struct fl_backend *b = r->b;
	char why[256] = "";
	struct rmap *m;
	int proc, st;

	if (!b->ops->call)
		return unsupported(r, c);
	if (resolve(r, &c->addr, &proc, &m, &a.va) ||
	    resolve_frame(r, &call->arg, &a.arg_proc, &a.arg_va) ||
	    resolve_frame(r, &call->hook, &a.hook_proc, &a.hook_va))
		return FL_RUN_BAD;
	if (call->ret == SCN_RET_FRAME && resolve_frame(r, &call->ret_frame, &a.ret_proc, &a.ret_va))
		return FL_RUN_BAD;
	a.vma_va = a.va;
	if (call->has_vma) {
		m = find_map(&r->procs[proc], call->vma);
		if (!m)
			return rerr(r, call->vma_loc, "unknown mapping '%s'", call->vma);
		a.vma_va = m->start;
	}
	clear_err(b);
	st = backend_rc(r, c, b->ops->call(b, proc, c, &a, why, sizeof(why)));
	if (!st && why[0])
		rfail(r, c, "%s", why);
	return st;
}

static int exec_misc(struct runner *r, const struct scn_cmd *c)
{
	struct fl_backend *b = r->b;
	int file;

	if (c->op == SCN_INJECT) {
		if (!b->ops->inject)
			return unsupported(r, c);
		clear_err(b);
		return backend_rc(r, c, b->ops->inject(b, c));
	}
	/* SCN_SHOW_ENTRIES */
	file = find_file(r, c->name);
	if (file < 0)
		return rerr(r, c->name_loc, "unknown file '%s'", c->name);
	/*
	 * The DAX mapping entries are the model's alone: the kernel backend
	 * skips the command, and a comparable run (check) leaves it out on
	 * both sides so that the rest of the scenario can still be compared.
	 */
	if (!b->ops->show_entries || r->o->comparable) {
		r->skipped++;
		return 0;
	}
	clear_err(b);
	return backend_rc(r, c, b->ops->show_entries(b, file, r->o->out));
}

static int dispatch(struct runner *r, const struct scn_cmd *c)
{
	switch (c->op) {
	case SCN_CONFIG:
		return 0;	/* applied by the parser */
	case SCN_FILE: case SCN_PWRITE: case SCN_TRUNCATE: case SCN_PUNCH:
	case SCN_FSYNC: case SCN_DROP_CACHE: case SCN_REFLINK:
		return exec_file(r, c);
	case SCN_FORK: case SCN_AS: case SCN_EXIT:
		return exec_proc(r, c);
	case SCN_MMAP:
		return exec_mmap(r, c);
	case SCN_MUNMAP: case SCN_MPROTECT: case SCN_MADVISE: case SCN_MSYNC:
		return exec_range(r, c);
	case SCN_MREMAP:
		return exec_mremap(r, c);
	case SCN_READ: case SCN_WRITE:
		return exec_access(r, c);
	case SCN_PIN:
		return exec_pin(r, c);
	case SCN_UNPIN:
		return exec_unpin(r, c);
	case SCN_DIO_READ:
		return exec_dio_read(r, c);
	case SCN_SHOW:
		return exec_show(r, c);
	case SCN_EXPECT:
		return exec_expect(r, c);
	case SCN_EXPECT_COUNTER:
		return exec_expect_counter(r, c);
	case SCN_EXPECT_STAT:
		return exec_expect_stat(r, c);
	case SCN_PARALLEL:
		return exec_parallel(r, c);
	case SCN_CALL: case SCN_POKE:
		return exec_call(r, c);
	case SCN_EXPECT_STOP:
		r->expect_stop = c;
		return 0;
	default:
		return exec_misc(r, c);
	}
}

/*
 * The command after expect-stop has run with status @st: a stop on an
 * invariant naming the expected words is success and ends the run; no stop
 * at all is a failed expectation.
 */
static int expected_stop(struct runner *r, const struct scn_cmd *stop, int st)
{
	const char *text = stop->call->text, *name = r->b->err;

	if (st == FL_RUN_INVARIANT && strstr(name, text)) {
		fprintf(r->o->out, "stopped as expected: %s\n", name);
		return RUN_STOPPED_AS_EXPECTED;
	}
	if (st == FL_RUN_INVARIANT) {
		fprintf(r->o->err, "%s:%d: expected a stop on an invariant naming '%s', not '%s'\n",
			r->scn->path, stop->loc.line, text, name);
		return st;
	}
	if (!st)
		rfail(r, stop, "expected faultline to stop on an invariant naming '%s', but every "
		      "invariant held", text);
	return st;
}

/* One command, then the backend's after-step check (invariants in the model). */
static int exec_cmd(struct runner *r, const struct scn_cmd *c)
{
	const struct scn_cmd *stop = r->expect_stop;
	struct fl_backend *b = r->b;
	int st;

	/* Taken before the command runs, so a parallel block's steps never see it. */
	r->expect_stop = NULL;
	st = dispatch(r, c);
	if (!st && c->op != SCN_CONFIG && c->op != SCN_PARALLEL && b->ops->after_step) {
		clear_err(b);
		st = backend_rc(r, c, b->ops->after_step(b, c));
	}
	return stop ? expected_stop(r, stop, st) : st;
}

static int run_prepared(struct runner *r)
{
	struct fl_backend *b = r->b;
	int st = 0;

	for (int i = 0; !st && i < r->scn->ncmds; i++)
		st = exec_cmd(r, &r->scn->cmds[i]);
	/* The state is broken on purpose: no final checks (destroy frees it). */
	if (st == RUN_STOPPED_AS_EXPECTED)
		return 0;
	if (st || !b->ops->finish)
		return st;
	clear_err(b);
	switch (b->ops->finish(b)) {
	case FL_OK:
		return 0;
	case FL_EINVARIANT:
		return FL_RUN_INVARIANT;
	default:
		return rerr(r, b->err_loc, "%s", b->err[0] ? b->err : "the backend failed at the end");
	}
}

static int prepare(struct runner *r)
{
	struct fl_backend *b = r->b;
	int rc;

	if (!b->ops->prepare)
		return 0;
	clear_err(b);
	rc = b->ops->prepare(b, r->scn);
	switch (rc) {
	case FL_OK:
		return 0;
	case FL_ESKIP:
		fprintf(r->o->out, "skipped: %s\n", b->err[0] ? b->err : "(no reason given)");
		return FL_RUN_SKIPPED;
	case FL_EINVARIANT:
		return FL_RUN_INVARIANT;
	default:
		return rerr(r, b->err_loc, "%s", b->err[0] ? b->err : "the backend cannot run this");
	}
}

int fl_run_scenario(const struct scn *scn, struct fl_backend *b, const struct fl_run_opts *o)
{
	struct fl_run_opts opts = *o;
	struct runner r = { .scn = scn, .b = b, .o = &opts };
	int st;

	if (!opts.out)
		opts.out = stdout;
	if (!opts.err)
		opts.err = stderr;
	if (add_proc(&r, "p0", -1) < 0) {
		free_tables(&r);
		return rerr(&r, (struct scn_loc){ 0, 0 }, "out of memory");
	}
	b->addr_fmt = addr_fmt_cb;
	b->addr_ctx = &r;
	b->comparable = opts.comparable;
	st = prepare(&r);
	if (!st)
		st = run_prepared(&r);
	b->addr_fmt = NULL;
	b->addr_ctx = NULL;
	if (o->stats) {
		o->stats->failed = r.failed;
		o->stats->skipped = r.skipped;
	}
	free_tables(&r);
	if (st)
		return st;
	return r.failed ? FL_RUN_FAILED : FL_RUN_OK;
}
