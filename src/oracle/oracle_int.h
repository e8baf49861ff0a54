/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oracle_int.h - the real-kernel backend's state, shared by its files.
 *
 * One struct fl_oracle per scenario run.  It owns the agents (one per
 * scenario process), the scenario's files, the placement cursor, the
 * /proc/kpageflags and /proc/kpagecount descriptors, and everything it
 * changed on the machine (the driver's CPU affinity, its child-subreaper
 * flag, a debugfs value), so that cleanup can undo all of it from any
 * state: after an error, a signal in a step, or a failed expectation.
 */
#ifndef FL_ORACLE_ORACLE_INT_H
#define FL_ORACLE_ORACLE_INT_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "oracle/agent_ctl.h"
#include "oracle/env.h"
#include "oracle/files.h"
#include "oracle/oracle.h"
#include "oracle/place.h"
#include "scenario/backend.h"

/* Address space each agent reserves for scenario mappings. */
#define FL_ORACLE_ARENA_LEN (64ull << 30)

/* A scenario mapping as the backend made it (shared by forked children). */
struct fl_oracle_map {
	uint64_t start, len;
	bool dax;		/* a DAX file: present non-anon pages are `dax` */
};

struct fl_oracle_pin {
	int proc;		/* holder, -1 when free */
};

struct fl_oracle {
	struct fl_backend b;
	char *dir, *dax_dir;
	bool verbose;

	struct fl_oracle_env env;
	struct fl_oracle_files files;
	struct fl_place place;

	struct fl_oracle_agent *agents;	/* indexed by the scenario's process number */
	int nagents;
	struct fl_oracle_pin pins[FL_AGENT_MAX_PINS];
	struct fl_oracle_map *maps;
	int nmaps;

	int kpf_fd, kpc_fd, zero_fd;
	uint64_t hz_head;		/* head pfn of the huge zero folio, once seen */
	bool hz_known, scan_missing_noted;
	uint64_t last_pfn, last_head;	/* folio of the last page classified */
	bool last_head_valid;

	long long collapse_before;
	bool void_run, prepared, cleaned;

	int cpu;
	cpu_set_t saved_cpus;
	bool cpus_saved;
	int saved_subreaper;
	bool subreaper_set;
};

static inline struct fl_oracle *fl_oracle_of(struct fl_backend *b)
{
	return b->priv;
}

/* backend.c */
int fl_oracle_fail(struct fl_oracle *o, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct fl_oracle_agent *fl_oracle_agent(struct fl_oracle *o, int proc);
void fl_oracle_cleanup(struct fl_oracle *o);

/* prepare.c */
int fl_oracle_prepare(struct fl_backend *b, const struct scn *scn);

/* mm_ops.c: mmap, munmap, mprotect, madvise, msync, access, pin, unpin. */
extern const struct fl_backend_ops fl_oracle_ops;
int fl_oracle_mmap(struct fl_backend *b, int proc, const struct scn_cmd *c, int file,
		   uint64_t *start, struct fl_step_result *r);
int fl_oracle_munmap(struct fl_backend *b, int proc, uint64_t start, uint64_t len);
int fl_oracle_mprotect(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
		       enum scn_prot prot, struct fl_step_result *r);
int fl_oracle_madvise(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
		      enum scn_advice advice, struct fl_step_result *r);
int fl_oracle_msync(struct fl_backend *b, int proc, uint64_t start, uint64_t len);
int fl_oracle_mremap(struct fl_backend *b, int proc, uint64_t start, uint64_t old_len,
		     uint64_t new_len, uint64_t *new_start, struct fl_step_result *r);
int fl_oracle_access(struct fl_backend *b, int proc, uint64_t va, uint64_t len, bool write,
		     int byte, int expect_byte, struct fl_step_result *r);

/* pins.c */
int fl_oracle_dio_read(struct fl_backend *b, int proc, int file, uint64_t off, uint64_t va,
		       uint64_t len, struct fl_step_result *r);
int fl_oracle_pin(struct fl_backend *b, int proc, int pin, uint64_t va, uint64_t len,
		  bool write, bool longterm, bool dma, struct fl_step_result *r);
int fl_oracle_unpin(struct fl_backend *b, int pin);

/* snapshot.c */
int fl_oracle_snapshot(struct fl_backend *b, int proc, const struct fl_map_ref *maps,
		       int nmaps, struct fl_obs_snapshot *s);

#endif /* FL_ORACLE_ORACLE_INT_H */
