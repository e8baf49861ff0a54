// SPDX-License-Identifier: GPL-2.0-only
/*
 * prepare.c - everything before a scenario's first step on the real kernel.
 *
 * In order: can this machine observe at all (root, /proc files); can the
 * oracle express this scenario (no injection, no driver mappings, a DAX
 * directory for DAX files); does the scenario's config match what the
 * kernel does or can be made to do for our processes; then the fresh file
 * directories (so a bad --dir fails before anything runs), the /proc
 * descriptors, and p0.
 *
 * The driver pins itself to the CPU it will give the agents: file writes
 * it does put page-cache folios into its CPU's LRU batch, and a folio in
 * another CPU's batch holds a reference that turns a CoW reuse into a
 * copy.  It also becomes a child subreaper, so that an agent whose parent
 * agent exited is reparented to it and can be reaped.  Both are undone by
 * cleanup.  Last, the khugepaged collapse counter is read; finish() reads
 * it again to tell whether the run was disturbed.
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "oracle/agent.h"
#include "oracle/oracle_int.h"

/* The first CPU the driver may run on; the driver moves there. */
static int pin_driver(struct fl_oracle *o)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(o->saved_cpus), &o->saved_cpus))
		return fl_oracle_fail(o, FL_EFAIL, "sched_getaffinity: %s", strerror(errno));
	o->cpus_saved = true;
	for (o->cpu = 0; o->cpu < CPU_SETSIZE; o->cpu++)
		if (CPU_ISSET(o->cpu, &o->saved_cpus))
			break;
	if (o->cpu == CPU_SETSIZE)
		return fl_oracle_fail(o, FL_EFAIL, "no CPU to run on");
	CPU_ZERO(&one);
	CPU_SET(o->cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return fl_oracle_fail(o, FL_EFAIL, "sched_setaffinity: %s", strerror(errno));
	return FL_OK;
}

static int become_subreaper(struct fl_oracle *o)
{
	if (prctl(PR_GET_CHILD_SUBREAPER, &o->saved_subreaper, 0UL, 0UL, 0UL) ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL))
		return fl_oracle_fail(o, FL_EFAIL, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	o->subreaper_set = true;
	return FL_OK;
}

static int open_proc(struct fl_oracle *o)
{
	o->kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	o->kpc_fd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	o->zero_fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	if (o->kpf_fd < 0 || o->kpc_fd < 0)
		return fl_oracle_fail(o, FL_ESKIP, "cannot read /proc/kpageflags or "
				      "/proc/kpagecount: %s", strerror(errno));
	if (o->zero_fd < 0)
		return fl_oracle_fail(o, FL_EFAIL, "/dev/zero: %s", strerror(errno));
	return FL_OK;
}

/* Make each filesystem's directory now, so that a bad one stops us early. */
static int prepare_dirs(struct fl_oracle *o, const struct scn *scn)
{
	for (int i = 0; i < scn->ncmds; i++) {
		int ret;

		if (scn->cmds[i].op != SCN_FILE)
			continue;
		ret = fl_files_prepare_dir(&o->files, scn->cmds[i].fs, o->b.err, sizeof(o->b.err));
		if (ret)
			return ret;
	}
	return FL_OK;
}

static int start_p0(struct fl_oracle *o)
{
	struct fl_agent_setup setup = {
		.cpu = o->cpu,
		.thp_disable = o->env.thp_disable,
		.thp_disable_flags = o->env.thp_disable_flags,
		.want_uring = o->env.uses_longterm,
		.arena_len = FL_ORACLE_ARENA_LEN,
	};
	uint64_t lo, hi;

	if (!o->agents) {
		o->agents = calloc(1, sizeof(*o->agents));
		if (!o->agents)
			return fl_oracle_fail(o, FL_EFAIL, "out of memory");
		o->nagents = 1;
	}
	if (fl_agent_spawn(&o->agents[0], 0, &setup, &lo, &hi, o->b.err, sizeof(o->b.err)))
		return FL_EFAIL;
	fl_place_init(&o->place, lo, hi, FL_AGENT_RESERVED);
	return FL_OK;
}

#if defined(__SANITIZE_ADDRESS__)
#define FL_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FL_UNDER_ASAN 1
#endif
#endif

/*
 * An AddressSanitizer build cannot observe the kernel: the agents inherit
 * ASan's fixed shadow mappings and interceptors, whose own page faults
 * would be counted as the scenario's (and they crash the agent's deliberate
 * faults).  Such a build says so instead of giving a wrong answer.
 */
static int check_build(struct fl_backend *b)
{
#ifdef FL_UNDER_ASAN
	snprintf(b->err, sizeof(b->err),
		 "this faultline is built with AddressSanitizer, which perturbs the faults the "
		 "oracle measures; use a normal build");
	return FL_ESKIP;
#else
	(void)b;
	return FL_OK;
#endif
}

int fl_oracle_prepare(struct fl_backend *b, const struct scn *scn)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_oracle_opts oo = { .dir = o->dir, .dax_dir = o->dax_dir };
	int ret;

	if ((ret = check_build(b)) || (ret = fl_env_check_machine(b->err, sizeof(b->err))) ||
	    (ret = fl_env_check_scenario(scn, &oo, &o->env, b->err, sizeof(b->err))) ||
	    (ret = fl_env_apply_config(&o->env, &scn->config, b->err, sizeof(b->err))) ||
	    (ret = prepare_dirs(o, scn)) || (ret = open_proc(o)) ||
	    (ret = pin_driver(o)) || (ret = become_subreaper(o)))
		goto fail;
	o->collapse_before = fl_env_vmstat("thp_collapse_alloc");
	if ((ret = start_p0(o)))
		goto fail;
	o->prepared = true;
	return FL_OK;
fail:
	fl_oracle_cleanup(o);
	return ret;
}
