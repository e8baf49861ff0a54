// SPDX-License-Identifier: GPL-2.0-only
/*
 * backend.c - the real kernel as a faultline backend: the ops table,
 * processes, files, and the end of a run.
 *
 * Each op turns into one request to the right agent (mm_ops.c, pins.c),
 * one system call on a file (files.c), or a look at /proc (snapshot.c).
 * This file holds what ties them together: creation from the command
 * line's options, fork and exit of scenario processes, and cleanup.
 *
 * Cleanup is one idempotent function called from finish() and destroy():
 * it kills and reaps every agent, removes every file and directory, and
 * puts back what prepare changed on the driver (CPU affinity, subreaper)
 * and on the machine (fault_around_bytes).  So a run that stops anywhere
 * leaves nothing behind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "oracle/oracle_int.h"

int fl_oracle_fail(struct fl_oracle *o, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->b.err, sizeof(o->b.err), fmt, ap);
	va_end(ap);
	return code;
}

struct fl_oracle_agent *fl_oracle_agent(struct fl_oracle *o, int proc)
{
	if (proc < 0 || proc >= o->nagents || !o->agents[proc].alive)
		return NULL;
	return &o->agents[proc];
}

static int grow_agents(struct fl_oracle *o, int proc)
{
	struct fl_oracle_agent *v;

	if (proc < o->nagents)
		return 0;
	v = realloc(o->agents, (size_t)(proc + 1) * sizeof(*v));
	if (!v)
		return -1;
	for (int i = o->nagents; i <= proc; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].sock = v[i].pidfd = -1;
	}
	o->agents = v;
	o->nagents = proc + 1;
	return 0;
}

static int o_fork(struct fl_backend *b, int parent, int child)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_oracle_agent *pa;

	if (grow_agents(o, child))
		return fl_oracle_fail(o, FL_EFAIL, "fork: out of memory");
	pa = fl_oracle_agent(o, parent);
	if (!pa || o->agents[child].alive)
		return fl_oracle_fail(o, FL_EFAIL, "fork: bad process numbers %d -> %d", parent, child);
	if (fl_agent_fork(pa, &o->agents[child], child, b->err, sizeof(b->err)))
		return FL_EFAIL;
	return FL_OK;
}

static int o_exit(struct fl_backend *b, int proc)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_oracle_agent *a = fl_oracle_agent(o, proc);

	if (!a)
		return fl_oracle_fail(o, FL_EFAIL, "exit: p%d is not running", proc);
	for (int i = 0; i < FL_AGENT_MAX_PINS; i++)
		if (o->pins[i].proc == proc)
			o->pins[i].proc = -1;	/* the agent releases them as it exits */
	return fl_agent_exit(a, b->err, sizeof(b->err)) ? FL_EFAIL : FL_OK;
}

static bool any_pin(const struct fl_oracle *o)
{
	for (int i = 0; i < FL_AGENT_MAX_PINS; i++)
		if (o->pins[i].proc >= 0)
			return true;
	return false;
}

static int o_file_create(struct fl_backend *b, int file, const struct scn_cmd *c)
{
	struct fl_oracle *o = fl_oracle_of(b);

	return fl_files_create(&o->files, file, c, b->err, sizeof(b->err));
}

static int o_file_op(struct fl_backend *b, int file, int file2, const struct scn_cmd *c)
{
	struct fl_oracle *o = fl_oracle_of(b);

	/* Linux would block in dax_layout_busy_page until the pin goes away. */
	if ((c->op == SCN_TRUNCATE || c->op == SCN_PUNCH) && fl_files_is_dax(&o->files, file) &&
	    any_pin(o))
		return fl_oracle_fail(o, FL_EFAIL, "%s of a DAX file with pages pinned would "
				      "wait forever", c->op == SCN_TRUNCATE ? "truncate" : "punch");
	return fl_files_op(&o->files, file, file2, c, b->err, sizeof(b->err));
}

static int o_inject(struct fl_backend *b, const struct scn_cmd *c)
{
	(void)c;
	return fl_oracle_fail(fl_oracle_of(b), FL_ESKIP, "fault injection is model only");
}

static int o_stat(struct fl_backend *b, int proc, const char *name, uint64_t *val)
{
	(void)proc; (void)val;
	return fl_oracle_fail(fl_oracle_of(b), FL_ESKIP, "expect-stat %s: model statistics "
			      "are model only", name);
}

static int o_after_step(struct fl_backend *b, const struct scn_cmd *c)
{
	(void)b; (void)c;
	return FL_OK;
}

void fl_oracle_cleanup(struct fl_oracle *o)
{
	if (o->cleaned)
		return;
	o->cleaned = true;
	if (o->prepared)
		o->void_run = fl_env_vmstat("thp_collapse_alloc") != o->collapse_before;
	/* Children before parents: each is then reaped by a living parent or by us. */
	for (int i = o->nagents - 1; i >= 0; i--)
		if (o->agents[i].alive || o->agents[i].pidfd >= 0)
			fl_agent_kill(&o->agents[i]);
	fl_files_cleanup(&o->files);
	if (o->zero_fd >= 0)
		close(o->zero_fd);
	if (o->kpf_fd >= 0)
		close(o->kpf_fd);
	if (o->kpc_fd >= 0)
		close(o->kpc_fd);
	o->zero_fd = o->kpf_fd = o->kpc_fd = -1;
	if (o->cpus_saved)
		sched_setaffinity(0, sizeof(o->saved_cpus), &o->saved_cpus);
	if (o->subreaper_set)
		prctl(PR_SET_CHILD_SUBREAPER, (unsigned long)o->saved_subreaper, 0UL, 0UL, 0UL);
	o->cpus_saved = o->subreaper_set = false;
	fl_env_restore(&o->env);
}

static int o_finish(struct fl_backend *b)
{
	fl_oracle_cleanup(fl_oracle_of(b));
	return FL_OK;
}

static void o_destroy(struct fl_backend *b)
{
	struct fl_oracle *o;

	if (!b)
		return;
	o = fl_oracle_of(b);
	fl_oracle_cleanup(o);
	free(o->agents);
	free(o->maps);
	free(o->dir);
	free(o->dax_dir);
	free(o);
}

const struct fl_backend_ops fl_oracle_ops = {
	.name = "kernel",
	.prepare = fl_oracle_prepare,
	.file_create = o_file_create,
	.file_op = o_file_op,
	.fork = o_fork,
	.exit = o_exit,
	.mmap = fl_oracle_mmap,
	.munmap = fl_oracle_munmap,
	.mprotect = fl_oracle_mprotect,
	.madvise = fl_oracle_madvise,
	.msync = fl_oracle_msync,
	.access = fl_oracle_access,
	.pin = fl_oracle_pin,
	.unpin = fl_oracle_unpin,
	.dio_read = fl_oracle_dio_read,
	.inject = o_inject,
	.snapshot = fl_oracle_snapshot,
	.stat = o_stat,
	.after_step = o_after_step,
	.finish = o_finish,
	.destroy = o_destroy,
	.mremap = fl_oracle_mremap,
};

struct fl_backend *fl_oracle_backend_create(const struct fl_oracle_opts *opts)
{
	struct fl_oracle *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->b.ops = &fl_oracle_ops;
	o->b.priv = o;
	o->kpf_fd = o->kpc_fd = o->zero_fd = -1;
	o->collapse_before = -1;
	for (int i = 0; i < FL_AGENT_MAX_PINS; i++)
		o->pins[i].proc = -1;
	if (opts) {
		o->verbose = opts->verbose;
		if ((opts->dir && !(o->dir = strdup(opts->dir))) ||
		    (opts->dax_dir && !(o->dax_dir = strdup(opts->dax_dir)))) {
			o_destroy(&o->b);
			return NULL;
		}
	}
	fl_files_init(&o->files, o->dir, o->dax_dir);
	return &o->b;
}

bool fl_oracle_backend_void(const struct fl_backend *b)
{
	return b && b->ops == &fl_oracle_ops && ((const struct fl_oracle *)b->priv)->void_run;
}

const char *fl_oracle_skip_reason(const struct fl_backend *b)
{
	return b ? b->err : "";
}
