// SPDX-License-Identifier: GPL-2.0-only
/*
 * sema.c - the static pass over a parsed scenario: does every name exist
 * where it is used, and does every offset fall inside its mapping?
 *
 * The pass walks the commands in the order the runner will execute them
 * and keeps the same name environment the runner keeps, without any
 * addresses: the processes (p0 from the start; fork adds one and copies the
 * parent's mapping names; exit kills one for good), the mappings of each
 * process with their lengths, the files, and the pins currently held.  A
 * parallel block is walked thread by thread, which is also the order of the
 * runner's sequential fallback.
 *
 * What is an error here is what cannot mean anything: an unknown name, a
 * duplicate one, an offset past the end of the mapping the scenario itself
 * created, an unaligned length where the kernel would refuse the call.
 * What the kernel answers with a signal is NOT an error: a mapping name
 * stays valid after munmap, and touching it is the legal way to write
 * "this must SIGSEGV".  Catching the rest before the first step means a
 * typo never costs a half-run scenario, and the oracle never leaves a
 * half-built set of files and mappings behind.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/lexer.h"
#include "scenario/parser.h"

#define PAGE 4096ull

struct sem_map {
	char name[SCN_NAME_MAX];
	uint64_t len;
	bool unmapped;		/* munmapped as a whole: the name may be mapped again */
};

struct sem_proc {
	char name[SCN_NAME_MAX];
	bool alive;
	struct sem_map *maps;
	int nmaps;
};

struct sem_pin {
	char name[SCN_NAME_MAX];
	bool held;
};

/* An entry `poke ... swap=` put in place and no `poke ... none` cleared yet. */
struct sem_poke {
	int proc;
	char map[SCN_NAME_MAX];
	uint64_t off;
	int level;
	struct scn_loc loc;
};

#define MAX_POKES 8

struct sema {
	const struct scn *scn;
	FILE *err;
	struct sem_proc *procs;
	int nprocs, cur;
	char (*files)[SCN_NAME_MAX];
	int nfiles;
	struct sem_pin *pins;
	int npins;
	struct sem_poke pokes[MAX_POKES];
	int npokes;
};

static int serr(struct sema *s, struct scn_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int serr(struct sema *s, struct scn_loc loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return scn_error(s->err, s->scn->path, loc, "%s", msg);
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* ---- the environment -------------------------------------------------- */

static int find_proc(const struct sema *s, const char *name)
{
	for (int i = 0; i < s->nprocs; i++)
		if (!strcmp(s->procs[i].name, name))
			return i;
	return -1;
}

static int add_proc(struct sema *s, const char *name)
{
	struct sem_proc *v = realloc(s->procs, (size_t)(s->nprocs + 1) * sizeof(*v));

	if (!v)
		return -1;
	s->procs = v;
	memset(&v[s->nprocs], 0, sizeof(*v));
	snprintf(v[s->nprocs].name, SCN_NAME_MAX, "%s", name);
	v[s->nprocs].alive = true;
	return s->nprocs++;
}

static struct sem_map *find_map(struct sem_proc *pr, const char *name)
{
	for (int i = 0; i < pr->nmaps; i++)
		if (!strcmp(pr->maps[i].name, name))
			return &pr->maps[i];
	return NULL;
}

static struct sem_map *add_map(struct sem_proc *pr, const char *name)
{
	struct sem_map *v = realloc(pr->maps, (size_t)(pr->nmaps + 1) * sizeof(*v));

	if (!v)
		return NULL;
	pr->maps = v;
	memset(&v[pr->nmaps], 0, sizeof(*v));
	snprintf(v[pr->nmaps].name, SCN_NAME_MAX, "%s", name);
	return &v[pr->nmaps++];
}

static int find_file(const struct sema *s, const char *name)
{
	for (int i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i], name))
			return i;
	return -1;
}

static struct sem_pin *find_pin(struct sema *s, const char *name)
{
	for (int i = 0; i < s->npins; i++)
		if (!strcmp(s->pins[i].name, name))
			return &s->pins[i];
	return NULL;
}

/* The process a command without PROC: acts on; NULL after an error. */
static struct sem_proc *current(struct sema *s, const struct scn_cmd *c)
{
	struct sem_proc *pr = &s->procs[s->cur];

	if (!pr->alive) {
		serr(s, c->loc, "the current process %s has exited", pr->name);
		return NULL;
	}
	return pr;
}

static struct sem_proc *live_proc(struct sema *s, const char *name, struct scn_loc loc)
{
	int i = find_proc(s, name);

	if (i < 0) {
		serr(s, loc, "unknown process '%s'", name);
		return NULL;
	}
	if (!s->procs[i].alive) {
		serr(s, loc, "process %s has exited", name);
		return NULL;
	}
	return &s->procs[i];
}

static struct sem_map *need_map(struct sema *s, struct sem_proc *pr, const char *name,
				struct scn_loc loc)
{
	struct sem_map *m = find_map(pr, name);

	if (!m)
		serr(s, loc, "unknown mapping '%s' in process %s", name, pr->name);
	return m;
}

static int need_file(struct sema *s, const char *name, struct scn_loc loc)
{
	if (find_file(s, name) >= 0)
		return 0;
	return serr(s, loc, "unknown file '%s'", name);
}

/* ---- ranges ----------------------------------------------------------- */

/* [off, off+len) inside @m; @len_loc is blamed when only the end is out. */
static int check_range(struct sema *s, const struct sem_map *m, uint64_t off, uint64_t len,
		       struct scn_loc off_loc, struct scn_loc len_loc)
{
	if (off >= m->len)
		return serr(s, off_loc, "offset 0x%llx outside mapping %s (length 0x%llx)",
			    ull(off), m->name, ull(m->len));
	if (len > m->len - off)
		return serr(s, len_loc, "range 0x%llx+0x%llx reaches beyond mapping %s "
			    "(length 0x%llx)", ull(off), ull(len), m->name, ull(m->len));
	return 0;
}

/* The mapping an ADDR names, in its process or the current one. */
static struct sem_map *resolve_addr(struct sema *s, const struct scn_cmd *c,
				    const struct scn_addr *a)
{
	struct sem_proc *pr = a->proc[0] ? live_proc(s, a->proc, a->loc) : current(s, c);

	return pr ? need_map(s, pr, a->map, a->loc) : NULL;
}

/* An ADDR with @len bytes after it. */
static int check_addr(struct sema *s, const struct scn_cmd *c, const struct scn_addr *a,
		      uint64_t len, struct scn_loc len_loc)
{
	struct sem_map *m = resolve_addr(s, c, a);

	return m ? check_range(s, m, a->off, len, a->loc, len_loc) : -1;
}

/* An ADDR and, with pages=N, the N-1 pages after it. */
static int check_pages(struct sema *s, const struct scn_cmd *c, const struct scn_addr *a)
{
	struct sem_map *m = resolve_addr(s, c, a);
	uint64_t pages = c->pages > 0 ? (uint64_t)c->pages : 1;

	if (!m || check_range(s, m, a->off, 1, a->loc, a->loc))
		return -1;
	if (pages - 1 > (m->len - 1 - a->off) / PAGE)
		return serr(s, a->loc, "pages=%llu from offset 0x%llx reaches beyond mapping %s "
			    "(length 0x%llx)", ull(pages), ull(a->off), m->name, ull(m->len));
	return 0;
}

static int check_aligned(struct sema *s, const char *what, uint64_t v, struct scn_loc loc)
{
	if (v % PAGE == 0)
		return 0;
	return serr(s, loc, "%s 0x%llx is not a multiple of 4K", what, ull(v));
}

static int check_length(struct sema *s, const char *what, uint64_t v, struct scn_loc loc)
{
	if (!v)
		return serr(s, loc, "%s must not be 0", what);
	return check_aligned(s, what, v, loc);
}

/* ---- commands --------------------------------------------------------- */

static int sema_files(struct sema *s, const struct scn_cmd *c)
{
	char (*v)[SCN_NAME_MAX];

	if (c->op == SCN_REFLINK)
		return need_file(s, c->name, c->name_loc) || need_file(s, c->name2, c->name2_loc);
	if (c->op != SCN_FILE)
		return need_file(s, c->name, c->name_loc);
	if (find_file(s, c->name) >= 0)
		return serr(s, c->name_loc, "file '%s' already exists", c->name);
	v = realloc(s->files, (size_t)(s->nfiles + 1) * sizeof(*v));
	if (!v)
		return serr(s, c->loc, "out of memory");
	s->files = v;
	memcpy(v[s->nfiles++], c->name, SCN_NAME_MAX);
	return 0;
}

static int sema_procs(struct sema *s, const struct scn_cmd *c)
{
	struct sem_proc *pr;
	int child;

	if (c->op != SCN_FORK) {
		pr = live_proc(s, c->name, c->name_loc);
		if (!pr)
			return -1;
		if (c->op == SCN_AS)
			s->cur = (int)(pr - s->procs);
		else
			pr->alive = false;
		return 0;
	}
	if (!current(s, c))
		return -1;
	if (find_proc(s, c->name) >= 0)
		return serr(s, c->name_loc, "process '%s' already exists", c->name);
	child = add_proc(s, c->name);
	if (child < 0)
		return serr(s, c->loc, "out of memory");
	pr = &s->procs[s->cur];
	if (pr->nmaps) {
		s->procs[child].maps = malloc((size_t)pr->nmaps * sizeof(*pr->maps));
		if (!s->procs[child].maps)
			return serr(s, c->loc, "out of memory");
		memcpy(s->procs[child].maps, pr->maps, (size_t)pr->nmaps * sizeof(*pr->maps));
		s->procs[child].nmaps = pr->nmaps;
	}
	return 0;
}

static int sema_mmap(struct sema *s, const struct scn_cmd *c)
{
	struct sem_proc *pr = current(s, c);
	struct sem_map *m;

	if (!pr || check_length(s, "mapping length", c->size, c->len_loc))
		return -1;
	if (c->source == SCN_SRC_FILE && need_file(s, c->file, c->file_loc))
		return -1;
	if (c->has_off && check_aligned(s, "file offset", c->file_off, c->off_loc))
		return -1;
	m = find_map(pr, c->name);
	if (m && !m->unmapped)
		return serr(s, c->name_loc, "mapping '%s' already exists in process %s",
			    c->name, pr->name);
	if (!m && !(m = add_map(pr, c->name)))
		return serr(s, c->loc, "out of memory");
	m->len = c->size;
	m->unmapped = false;
	return 0;
}

/* munmap, mprotect, madvise, msync: MAP [off= len=] in the current process. */
static int sema_range_op(struct sema *s, const struct scn_cmd *c)
{
	struct sem_proc *pr = current(s, c);
	struct sem_map *m;

	if (!pr || !(m = need_map(s, pr, c->name, c->name_loc)))
		return -1;
	if (!c->has_off) {
		if (c->op == SCN_MUNMAP)
			m->unmapped = true;
		return 0;
	}
	if (check_aligned(s, "off=", c->off, c->off_loc))
		return -1;
	if (c->op == SCN_MUNMAP && !c->len)
		return serr(s, c->len_loc, "len= must not be 0");
	if (c->op != SCN_MSYNC && check_aligned(s, "len=", c->len, c->len_loc))
		return -1;
	if (check_range(s, m, c->off, c->len, c->off_loc, c->len_loc))
		return -1;
	if (c->op == SCN_MUNMAP && c->off == 0 && c->len == m->len)
		m->unmapped = true;
	return 0;
}

static int sema_mremap(struct sema *s, const struct scn_cmd *c)
{
	struct sem_proc *pr = current(s, c);
	struct sem_map *m;

	if (!pr || !(m = need_map(s, pr, c->name, c->name_loc)))
		return -1;
	if (check_length(s, "new length", c->size, c->len_loc))
		return -1;
	m->len = c->size;
	return 0;
}

static int sema_access(struct sema *s, const struct scn_cmd *c)
{
	uint64_t len = c->has_len ? c->len : 1;
	struct sem_pin *pin;

	if (c->has_len && !c->len)
		return serr(s, c->len_loc, "len= must not be 0");
	if (check_addr(s, c, &c->addr, len, c->has_len ? c->len_loc : c->addr.loc))
		return -1;
	if (c->op != SCN_PIN)
		return 0;
	pin = find_pin(s, c->name);
	if (pin && pin->held)
		return serr(s, c->name_loc, "pin '%s' is already held", c->name);
	if (!pin) {
		struct sem_pin *v = realloc(s->pins, (size_t)(s->npins + 1) * sizeof(*v));

		if (!v)
			return serr(s, c->loc, "out of memory");
		s->pins = v;
		pin = &v[s->npins++];
		memcpy(pin->name, c->name, SCN_NAME_MAX);
	}
	pin->held = true;
	return 0;
}

/*
 * dio-read: O_DIRECT wants the file offset, the length and the buffer
 * aligned to the logical block size; 512 bytes is what every filesystem
 * the oracle uses accepts.
 */
static int sema_dio(struct sema *s, const struct scn_cmd *c)
{
	if (need_file(s, c->name, c->name_loc))
		return -1;
	if (!c->len)
		return serr(s, c->len_loc, "len= must not be 0");
	if (c->off % 512 || c->len % 512 || c->addr.off % 512)
		return serr(s, c->has_off && c->off % 512 ? c->off_loc :
			       c->len % 512 ? c->len_loc : c->addr.loc,
			    "dio-read needs off=, len= and the buffer address aligned to 512 bytes");
	return check_addr(s, c, &c->addr, c->len, c->len_loc);
}

static int sema_unpin(struct sema *s, const struct scn_cmd *c)
{
	struct sem_pin *pin = find_pin(s, c->name);

	if (!pin)
		return serr(s, c->name_loc, "unknown pin '%s'", c->name);
	if (!pin->held)
		return serr(s, c->name_loc, "pin '%s' is not held", c->name);
	pin->held = false;
	return 0;
}

/* show and expect-counter: MAP... of the current process. */
static int sema_names(struct sema *s, const struct scn_cmd *c)
{
	struct sem_proc *pr = current(s, c);

	if (!pr)
		return -1;
	for (int i = 0; i < c->nnames; i++)
		if (!need_map(s, pr, c->names[i], c->names_loc[i]))
			return -1;
	return 0;
}

static int sema_expect(struct sema *s, const struct scn_cmd *c)
{
	if (check_pages(s, c, &c->addr))
		return -1;
	return c->has_same ? check_pages(s, c, &c->same) : 0;
}

/* FRAME @ADDR must name a page of a live mapping. */
static int check_frame(struct sema *s, const struct scn_cmd *c, const struct scn_frame *f)
{
	if (f->kind != SCN_FR_AT)
		return 0;
	return check_addr(s, c, &f->at, 1, f->at.loc);
}

/*
 * call: with vma=MAP the address may lie outside MAP's VMA (that is what
 * T24 (v) and T26 (i) test), so only its mapping name must exist.
 */
static int sema_call(struct sema *s, const struct scn_cmd *c)
{
	const struct scn_call *call = c->call;

	if (call->has_vma) {
		if (!need_map(s, current(s, c), call->vma, call->vma_loc) ||
		    !resolve_addr(s, c, &c->addr))
			return -1;
	} else if (check_addr(s, c, &c->addr, 1, c->addr.loc)) {
		return -1;
	}
	if (check_frame(s, c, &call->arg) || check_frame(s, c, &call->hook))
		return -1;
	return call->ret == SCN_RET_FRAME ? check_frame(s, c, &call->ret_frame) : 0;
}

static struct sem_poke *find_poke(struct sema *s, int proc, const struct scn_addr *a, int level)
{
	for (int i = 0; i < s->npokes; i++)
		if (s->pokes[i].proc == proc && !strcmp(s->pokes[i].map, a->map) &&
		    s->pokes[i].off == a->off && s->pokes[i].level == level)
			return &s->pokes[i];
	return NULL;
}

static int sema_poke(struct sema *s, const struct scn_cmd *c)
{
	int proc = c->addr.proc[0] ? find_proc(s, c->addr.proc) : s->cur;
	const struct scn_call *call = c->call;
	struct sem_poke *pk;

	if (check_addr(s, c, &c->addr, 1, c->addr.loc))
		return -1;
	pk = find_poke(s, proc, &c->addr, call->level);
	if (call->poke_none) {
		if (!pk)
			return serr(s, c->loc, "poke ... none clears only an entry an earlier "
				    "poke ... swap= put there");
		*pk = s->pokes[--s->npokes];
		return 0;
	}
	if (pk)
		return serr(s, c->loc, "an entry poked at line %d is already there", pk->loc.line);
	if (s->npokes == MAX_POKES)
		return serr(s, c->loc, "more than %d poked entries at once", MAX_POKES);
	pk = &s->pokes[s->npokes++];
	pk->proc = proc;
	memcpy(pk->map, c->addr.map, sizeof(pk->map));
	pk->off = c->addr.off;
	pk->level = call->level;
	pk->loc = c->loc;
	return 0;
}

/*
 * faultline has no swap or migration: a poked entry may meet only kernel
 * calls, and must be gone before anything else walks the tables.
 */
static int check_poke_window(struct sema *s, const struct scn_cmd *c)
{
	switch (c->op) {
	case SCN_CALL: case SCN_POKE: case SCN_EXPECT_STAT: case SCN_EXPECT_STOP:
		return 0;
	default:
		if (!s->npokes)
			return 0;
		return serr(s, c->loc, "%s while the entry poked at line %d is in place (only "
			    "call, poke, expect-stat and expect-stop may run until poke ... none "
			    "clears it)", scn_op_name(c->op), s->pokes[0].loc.line);
	}
}

static int sema_cmd(struct sema *s, const struct scn_cmd *c);

static int sema_parallel(struct sema *s, const struct scn_cmd *c)
{
	for (int t = 0; t < c->nthreads; t++)
		for (int i = 0; i < c->threads[t].ncmds; i++)
			if (sema_cmd(s, &c->threads[t].cmds[i]))
				return -1;
	return 0;
}

static int sema_cmd(struct sema *s, const struct scn_cmd *c)
{
	if (check_poke_window(s, c))
		return -1;
	switch (c->op) {
	case SCN_FILE: case SCN_PWRITE: case SCN_TRUNCATE: case SCN_PUNCH:
	case SCN_FSYNC: case SCN_DROP_CACHE: case SCN_REFLINK: case SCN_SHOW_ENTRIES:
		return sema_files(s, c);
	case SCN_FORK: case SCN_AS: case SCN_EXIT:
		return sema_procs(s, c);
	case SCN_MMAP:
		return sema_mmap(s, c);
	case SCN_MUNMAP: case SCN_MPROTECT: case SCN_MADVISE: case SCN_MSYNC:
		return sema_range_op(s, c);
	case SCN_MREMAP:
		return sema_mremap(s, c);
	case SCN_READ: case SCN_WRITE: case SCN_PIN:
		return sema_access(s, c);
	case SCN_UNPIN:
		return sema_unpin(s, c);
	case SCN_DIO_READ:
		return sema_dio(s, c);
	case SCN_SHOW: case SCN_EXPECT_COUNTER:
		return sema_names(s, c);
	case SCN_EXPECT:
		return sema_expect(s, c);
	case SCN_PARALLEL:
		return sema_parallel(s, c);
	case SCN_CALL:
		return sema_call(s, c);
	case SCN_POKE:
		return sema_poke(s, c);
	default:
		return 0;	/* config, expect-stat, inject: nothing to resolve */
	}
}

int scn_sema(const struct scn *scn, FILE *err)
{
	struct sema s = { .scn = scn, .err = err };
	int ret = 0;

	if (add_proc(&s, "p0") < 0)
		ret = scn_error(err, scn->path, (struct scn_loc){ 0, 0 }, "out of memory");
	for (int i = 0; !ret && i < scn->ncmds; i++) {
		ret = sema_cmd(&s, &scn->cmds[i]);
		if (!ret && scn->cmds[i].op == SCN_EXPECT_STOP && i != scn->ncmds - 2)
			ret = serr(&s, scn->cmds[i].loc, "expect-stop must be followed by exactly "
				   "one command, the scenario's last");
	}
	if (!ret && s.npokes)
		ret = serr(&s, s.pokes[0].loc, "the entry poked here is never cleared (poke ... "
			   "none)");
	for (int i = 0; i < s.nprocs; i++)
		free(s.procs[i].maps);
	free(s.procs);
	free(s.files);
	free(s.pins);
	return ret ? -1 : 0;
}
