/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ast.h - a parsed scenario (shared/SCENARIOS.md, contract v1).
 *
 * The parser turns a *.scn file into an array of struct scn_cmd, one per
 * command line, each carrying the file position of every part a later error
 * may have to point at.  The model runner (src/scenario/runner.c) and the
 * oracle (src/oracle/) both execute this array; neither re-reads the text.
 *
 * The struct is flat on purpose: a command uses the fields its op needs and
 * leaves the rest at their "unset" values (0, false, -1 where noted), which
 * keeps the consumers free of casts and the parser free of allocations per
 * option.
 */
#ifndef FL_SCENARIO_AST_H
#define FL_SCENARIO_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "faultline/config.h"
#include "observe/obs.h"

#define SCN_NAME_MAX 64

struct scn_loc {
	int line;	/* 1-based */
	int col;	/* 1-based, of the token's first character */
};

enum scn_op {
	SCN_CONFIG,
	SCN_FILE, SCN_PWRITE, SCN_TRUNCATE, SCN_PUNCH, SCN_FSYNC, SCN_DROP_CACHE, SCN_REFLINK,
	SCN_FORK, SCN_AS, SCN_EXIT,
	SCN_MMAP, SCN_MUNMAP, SCN_MPROTECT, SCN_MADVISE, SCN_MSYNC, SCN_MREMAP,
	SCN_READ, SCN_WRITE, SCN_PIN, SCN_UNPIN,
	SCN_SHOW, SCN_EXPECT, SCN_EXPECT_COUNTER, SCN_EXPECT_STAT,
	SCN_INJECT,
	SCN_PARALLEL,		/* threads[] hold the bodies */
	SCN_SHOW_ENTRIES,	/* extension: show-entries FILE (DAX) */
	SCN_DIO_READ,		/* extension: dio-read FILE ADDR [off=O] len=L */
	SCN_NR_OPS
};

enum scn_fs { SCN_FS_DAX, SCN_FS_PAGECACHE, SCN_FS_TMPFS };
enum scn_source { SCN_SRC_ANON, SCN_SRC_FILE, SCN_SRC_ZERO, SCN_SRC_PFN, SCN_SRC_MIXED };
enum scn_pfn_space { SCN_PFN_RAM, SCN_PFN_IO, SCN_PFN_PMEM, SCN_PFN_ABS };
enum scn_prot { SCN_PROT_RO, SCN_PROT_RW, SCN_PROT_NONE };
enum scn_advice {
	SCN_ADV_DONTNEED, SCN_ADV_HUGEPAGE, SCN_ADV_NOHUGEPAGE,
	SCN_ADV_POPULATE_READ, SCN_ADV_POPULATE_WRITE
};
enum scn_inject { SCN_INJ_PGTABLE, SCN_INJ_FOLIO, SCN_INJ_ENTRY, SCN_INJ_BLOCK };

/* An address: [PROC:]MAP[+OFFSET]. */
struct scn_addr {
	char proc[SCN_NAME_MAX];	/* "" = the current process */
	char map[SCN_NAME_MAX];
	uint64_t off;
	struct scn_loc loc;		/* of the address token */
};

/* key=value pairs of config, expect-counter and expect-stat. */
struct scn_kv {
	char key[SCN_NAME_MAX];
	char value[SCN_NAME_MAX];	/* as written */
	uint64_t num;			/* parsed size/number (counters, stats) */
	struct scn_loc loc;
};

struct scn_thread;

struct scn_cmd {
	enum scn_op op;
	struct scn_loc loc;		/* of the command word */
	const char *text;		/* the source line, without newline */

	/* NAME, MAP, FILE, PROC or pin name; second name for reflink DST. */
	char name[SCN_NAME_MAX];
	struct scn_loc name_loc;
	char name2[SCN_NAME_MAX];
	struct scn_loc name2_loc;

	/* file / pwrite / truncate / punch / munmap / mprotect / madvise / msync */
	enum scn_fs fs;
	uint64_t size;			/* file size=, truncate size=, mmap LEN, mremap NEWLEN */
	uint64_t off, len;
	bool has_off, has_len;
	struct scn_loc off_loc, len_loc;

	/* mmap */
	enum scn_source source;
	char file[SCN_NAME_MAX];	/* file=FILE */
	struct scn_loc file_loc;
	uint64_t file_off;		/* file=FILE off=O */
	enum scn_pfn_space pfn_space;	/* pfn=BASE / mixed=BASE */
	uint64_t pfn_base;
	bool shared;
	enum scn_prot prot;		/* mmap, mprotect */
	uint64_t align;			/* 0 = none */
	uint64_t at;			/* at=X: start = the aligned base + X (0 = none) */
	bool hugepage, nohugepage, sync, populate;

	enum scn_advice advice;		/* madvise */

	/* accesses and pins */
	struct scn_addr addr;		/* read/write/pin/expect ADDR */
	int byte;			/* write byte=, pwrite byte= (-1 = default) */
	int expect_byte;		/* read expect=B (-1 = none) */
	int signal;			/* 0, SIGBUS or SIGSEGV */
	long faults;			/* faults=N, -1 = not asserted */
	struct scn_loc faults_loc;
	bool pin_write, pin_longterm, pin_dma;

	/* show: names[nnames] (none = all); expect-counter may name maps too */
	char (*names)[SCN_NAME_MAX];
	struct scn_loc *names_loc;
	int nnames;

	/* expect */
	enum fl_kind kind;
	int level;			/* enum fl_level, -1 = any */
	long pages;			/* -1 = 1 page, no run asserted */
	bool has_same;
	struct scn_addr same;
	int write, dirty, excl;		/* -1 = not asserted */
	long mapcount, refcount;	/* -1 = not asserted */

	/* config, expect-counter, expect-stat */
	struct scn_kv *kvs;
	int nkvs;

	/* inject */
	enum scn_inject inject;
	long count;

	/* parallel */
	struct scn_thread *threads;
	int nthreads;
};

struct scn_thread {
	char name[SCN_NAME_MAX];
	struct scn_loc loc;
	struct scn_cmd *cmds;
	int ncmds;
};

struct scn {
	char *path;			/* as given on the command line */
	struct fl_config config;	/* defaults + the scenario's config lines */
	bool has_config;		/* any config line at all */
	struct scn_cmd *cmds;
	int ncmds;
	char **lines;			/* source lines, for messages */
	int nlines;
};

/* The word a command is written as ("expect-counter"). */
const char *scn_op_name(enum scn_op op);

/* Set every field of @c to its "unset" value (see the comments above). */
void scn_cmd_init(struct scn_cmd *c);
/* Free what @c owns (names, kvs, thread bodies); @c itself is not freed. */
void scn_cmd_release(struct scn_cmd *c);

#endif /* FL_SCENARIO_AST_H */
