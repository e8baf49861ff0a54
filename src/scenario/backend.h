/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * backend.h - what executes a scenario: the model, or the real kernel.
 *
 * The scenario driver (runner.c) owns everything the language means by
 * itself: process and mapping names, addresses as MAP+OFFSET, expectations,
 * observation printing, exit statuses.  A backend only does things and
 * reports facts: map this, touch that, fork, and "what maps these ranges".
 * The model backend (src/scenario/model_backend.c) drives src/mm; the
 * oracle backend (src/oracle/) drives mmap(2) and /proc.  `check` runs one
 * scenario through both and diffs what the driver printed.
 *
 * Processes and files are small integers chosen by the driver (p0 is 0, the
 * next fork gets the next number); mappings are the [start, start+len)
 * ranges the backend's mmap returned.
 *
 * Every op returns FL_OK, or FL_EUNSUPPORTED / FL_EFAIL with a message in
 * b->err.  FL_EUNSUPPORTED means "this backend cannot do that" (the model:
 * "not supported yet", exit 2; the oracle: "skipped: ...").  FL_EINVARIANT
 * means the model found itself inconsistent (exit 3, dump already printed).
 */
#ifndef FL_SCENARIO_BACKEND_H
#define FL_SCENARIO_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "observe/obs.h"
#include "scenario/ast.h"

enum { FL_OK = 0, FL_EUNSUPPORTED = 1, FL_EFAIL = 2, FL_EINVARIANT = 3, FL_ESKIP = 4 };

/* What one access, pin, populate or mmap step did. */
struct fl_step_result {
	int signo;		/* 0, SIGSEGV or SIGBUS */
	int si_code;		/* SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR, ... */
	uint64_t fault_va;	/* si_addr when signo != 0 */
	long faults;		/* minor + major faults of the process in the step; -1 unknown */
	long majflt;		/* major faults alone; -1 unknown */
	uint64_t bad_va;	/* read expect=B: first address that differed */
	int bad_byte;		/* ... and the byte found there; -1 if all matched */
};

/* A mapping as the driver knows it, handed to snapshot(). */
struct fl_map_ref {
	const char *name;
	uint64_t start, len;
};

/* A call or poke (model only) with every address resolved by the driver. */
struct fl_call_addrs {
	uint64_t va;			/* ADDR */
	uint64_t vma_va;		/* vma=MAP: MAP's start; else ADDR */
	uint64_t arg_va, hook_va, ret_va;	/* the @ADDR frames, 0 if not @ADDR */
	int arg_proc, hook_proc, ret_proc;
};

struct fl_backend;

/* Lets a backend print "p0:m+0x2000" for an address (used by --explain). */
typedef void (*fl_addr_fmt_fn)(void *ctx, int proc, uint64_t va, char *buf, size_t len);

struct fl_backend_ops {
	const char *name;	/* "model" or "kernel" */

	/* Called once before the first command. FL_ESKIP: cannot run it here. */
	int (*prepare)(struct fl_backend *b, const struct scn *scn);

	int (*file_create)(struct fl_backend *b, int file, const struct scn_cmd *c);
	int (*file_op)(struct fl_backend *b, int file, int file2, const struct scn_cmd *c);

	int (*fork)(struct fl_backend *b, int parent, int child);
	int (*exit)(struct fl_backend *b, int proc);

	/* file: index of c->file, or -1. Returns the start in *start. */
	int (*mmap)(struct fl_backend *b, int proc, const struct scn_cmd *c, int file,
		    uint64_t *start, struct fl_step_result *r);
	int (*munmap)(struct fl_backend *b, int proc, uint64_t start, uint64_t len);
	int (*mprotect)(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
			enum scn_prot prot, struct fl_step_result *r);
	int (*madvise)(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
		       enum scn_advice advice, struct fl_step_result *r);
	int (*msync)(struct fl_backend *b, int proc, uint64_t start, uint64_t len);

	/*
	 * Touch one byte of every page in [va, va+len) (every byte for write),
	 * in order, stopping at the first signal.  write: store @byte.  read
	 * with @expect_byte >= 0: compare every byte of the range.
	 */
	int (*access)(struct fl_backend *b, int proc, uint64_t va, uint64_t len, bool write,
		      int byte, int expect_byte, struct fl_step_result *r);

	/* longterm: FOLL_PIN|FOLL_LONGTERM; dma: a short-term FOLL_PIN; else FOLL_GET. */
	int (*pin)(struct fl_backend *b, int proc, int pin, uint64_t va, uint64_t len,
		   bool write, bool longterm, bool dma, struct fl_step_result *r);
	int (*unpin)(struct fl_backend *b, int pin);
	int (*inject)(struct fl_backend *b, const struct scn_cmd *c);

	/*
	 * Fill @s (already initialised) for the given mappings of @proc.  The
	 * driver has already added one fl_obs_map per entry of @maps, in order;
	 * fl_obs_add_map() with the same name and start returns that entry, so
	 * the backend may add them again to fill their counters.
	 */
	int (*snapshot)(struct fl_backend *b, int proc, const struct fl_map_ref *maps,
			int nmaps, struct fl_obs_snapshot *s);

	/* expect-stat NAME: FL_EUNSUPPORTED for a name the backend does not know. */
	int (*stat)(struct fl_backend *b, int proc, const char *name, uint64_t *val);

	/* After every step: the model checks its invariants here. */
	int (*after_step)(struct fl_backend *b, const struct scn_cmd *c);

	/* End of scenario: exit every process, free everything, final checks. */
	int (*finish)(struct fl_backend *b);
	void (*destroy)(struct fl_backend *b);

	/*
	 * Optional (NULL: the runner reports the command as not supported).
	 * mremap: MREMAP_MAYMOVE of [start, start+old_len) to @new_len; the
	 * new start in *new_start.  show_entries: print the DAX mapping
	 * entries of @file to @out (the extension `show-entries FILE`).
	 */
	int (*mremap)(struct fl_backend *b, int proc, uint64_t start, uint64_t old_len,
		      uint64_t new_len, uint64_t *new_start, struct fl_step_result *r);
	int (*show_entries)(struct fl_backend *b, int file, FILE *out);
	/*
	 * dio_read: pread(2) of [off, off+len) of @file, opened O_DIRECT, into
	 * @proc's memory at @va (the extension `dio-read`): GUP faults the
	 * buffer in and they count as the step's faults.
	 */
	int (*dio_read)(struct fl_backend *b, int proc, int file, uint64_t off, uint64_t va,
			uint64_t len, struct fl_step_result *r);
	/*
	 * call: the extensions `call` and `poke` (model only), c->call in
	 * @proc.  A result other than ret= is not an error: it is described in
	 * @why (empty when it matched) and the driver fails the expectation.
	 */
	int (*call)(struct fl_backend *b, int proc, const struct scn_cmd *c,
		    const struct fl_call_addrs *a, char *why, size_t len);
};

struct fl_backend {
	const struct fl_backend_ops *ops;
	char err[512];
	struct scn_loc err_loc;		/* where in the scenario err applies, if known */
	FILE *out;			/* where --explain lines go */
	bool explain;
	bool check_each_step;		/* model: run src/check after every step */
	bool comparable;		/* only what the kernel shows too (PFN maps: nothing) */
	fl_addr_fmt_fn addr_fmt;
	void *addr_ctx;
	void *priv;
};

struct fl_backend *fl_model_backend_create(void);
/* Options for the real-kernel backend; NULLs mean defaults. */
struct fl_oracle_opts {
	const char *dir;		/* files on a disk filesystem (default /var/tmp) */
	const char *dax_dir;		/* a directory on a -o dax filesystem, or NULL */
	bool verbose;
};
struct fl_backend *fl_oracle_backend_create(const struct fl_oracle_opts *opts);

#endif /* FL_SCENARIO_BACKEND_H */
