// SPDX-License-Identifier: GPL-2.0-only
/*
 * env.c - what the machine offers and what a scenario needs from it.
 *
 * Machine: the oracle needs root (CAP_SYS_ADMIN is what makes pagemap show
 * page frame numbers) and /proc/kpageflags, /proc/kpagecount and pagemap.
 * Without them it would report every page as absent, so it skips instead.
 *
 * Scenario: fault injection, driver (pfn=/mixed=) mappings, DAX entries
 * and short-term write pins have no userspace equivalent; DAX files need a
 * DAX filesystem the user names with --dax-dir.  A scenario using any of
 * them, anywhere (parallel bodies included), is skipped as a whole before
 * anything runs.
 *
 * Config (sysfs.c applies the THP and fault-around settings): every SPEC.md
 * variant key is what Linux 6.18 does at its default and impossible
 * otherwise; `ram` and `pmem` only size the model and mean nothing here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fl_build_config.h"
#include "oracle/env.h"
#include "oracle/pagemap.h"

/* Does pagemap show this process's page frame numbers? */
static bool pfns_visible(void)
{
	static volatile char probe[4096] __attribute__((aligned(4096)));
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return false;
	probe[0] = 1;
	ret = fl_pagemap_read(fd, (uintptr_t)probe, 1, &e);
	close(fd);
	return !ret && (e & PM_PRESENT) && (e & PM_PFN_MASK);
}

int fl_env_check_machine(char *reason, size_t len)
{
	static const char *const files[] = {
		"/proc/kpageflags", "/proc/kpagecount", "/proc/self/pagemap",
	};

	if (geteuid() != 0) {
		snprintf(reason, len, "not root");
		return FL_ESKIP;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			snprintf(reason, len, "cannot read %s: %s", files[i], strerror(errno));
			return FL_ESKIP;
		}
		close(fd);
	}
	if (!pfns_visible()) {
		snprintf(reason, len, "pagemap hides page frame numbers (needs CAP_SYS_ADMIN)");
		return FL_ESKIP;
	}
	return 0;
}

/* NULL if the oracle can run @c, else why not. */
static const char *cmd_unsupported(const struct scn_cmd *c, const struct fl_oracle_opts *o,
				   struct fl_oracle_env *env)
{
	switch (c->op) {
	case SCN_INJECT:
		return "fault injection is model only";
	case SCN_CALL: case SCN_POKE: case SCN_EXPECT_STOP:
		return "kernel calls, poked entries and expected stops are model only";
	case SCN_MMAP:
		if (c->source == SCN_SRC_PFN || c->source == SCN_SRC_MIXED)
			return "driver mappings cannot be made from userspace";
		return NULL;
	case SCN_FILE:
		if (c->fs == SCN_FS_DAX) {
			env->uses_dax = true;
			if (!o || !o->dax_dir)
				return "no DAX filesystem (use --dax-dir)";
		}
		return NULL;
	case SCN_PIN:
		if (c->pin_dma)
			return "a short-term FOLL_PIN (dma) cannot be held from userspace";
		if (c->pin_longterm) {
			env->uses_longterm = true;
			if (!FL_HAVE_LIBURING)
				return "longterm pins need io_uring (faultline was built without liburing)";
		} else if (c->pin_write) {
			return "a short-term write pin cannot be held from userspace";
		}
		return NULL;
	default:
		return NULL;
	}
}

static const char *cmds_unsupported(const struct scn_cmd *cmds, int n,
				    const struct fl_oracle_opts *o, struct fl_oracle_env *env)
{
	for (int i = 0; i < n; i++) {
		const char *why = cmd_unsupported(&cmds[i], o, env);

		/* The runner runs parallel blocks one thread after another. */
		for (int t = 0; !why && cmds[i].op == SCN_PARALLEL && t < cmds[i].nthreads; t++)
			why = cmds_unsupported(cmds[i].threads[t].cmds, cmds[i].threads[t].ncmds,
					       o, env);
		if (why)
			return why;
	}
	return NULL;
}

int fl_env_check_scenario(const struct scn *scn, const struct fl_oracle_opts *o,
			  struct fl_oracle_env *env, char *reason, size_t len)
{
	const char *why = cmds_unsupported(scn->cmds, scn->ncmds, o, env);

	if (!why)
		return 0;
	snprintf(reason, len, "%s", why);
	return FL_ESKIP;
}

long long fl_env_vmstat(const char *name)
{
	char line[128];
	size_t n = strlen(name);
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ' && sscanf(line + n, "%lld", &v) == 1)
			break;
	fclose(f);
	return v;
}
