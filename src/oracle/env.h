/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * env.h - can this machine run this scenario, and under which settings.
 *
 * Every "no" is a skip reason a user can act on ("not root", "no DAX
 * filesystem (use --dax-dir)", "config pte_special=off: this kernel
 * cannot"), never a wrong answer.  Settings the oracle can honour are
 * turned into what the agents must do (a THP prctl, MADV_HUGEPAGE on every
 * anonymous mapping) or into a debugfs value that is put back afterwards.
 */
#ifndef FL_ORACLE_ENV_H
#define FL_ORACLE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/config.h"
#include "scenario/ast.h"
#include "scenario/backend.h"

struct fl_oracle_env {
	int thp_sysfs;			/* enum fl_thp_mode the kernel runs with */
	int thp_disable;		/* for the agents' prctl, -1: none */
	int thp_disable_flags;
	bool hugepage_all_anon;		/* thp=always emulated with MADV_HUGEPAGE */
	bool dax_nohugepage;		/* fs_dax_pmd=off emulated with MADV_NOHUGEPAGE */
	bool fa_changed;		/* fault_around_bytes written, restore it */
	uint64_t fa_saved;
	bool uses_dax, uses_longterm;	/* what the scenario needs */
};

/* Root and readable /proc files.  0, or FL_ESKIP with @reason. */
int fl_env_check_machine(char *reason, size_t len);

/* Commands and sources only the model has.  0, or FL_ESKIP with @reason. */
int fl_env_check_scenario(const struct scn *scn, const struct fl_oracle_opts *o,
			  struct fl_oracle_env *env, char *reason, size_t len);

/* The scenario's config against the running kernel.  0, FL_ESKIP or FL_EFAIL. */
int fl_env_apply_config(struct fl_oracle_env *env, const struct fl_config *cfg,
			char *reason, size_t len);

/* Undo whatever fl_env_apply_config changed on the machine. */
void fl_env_restore(struct fl_oracle_env *env);

/* A counter of /proc/vmstat; -1 if absent or unreadable. */
long long fl_env_vmstat(const char *name);

#endif /* FL_ORACLE_ENV_H */
