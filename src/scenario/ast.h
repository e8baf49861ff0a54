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
#include <stddef.h>
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
	SCN_CALL,		/* extension: call FUNC ADDR ... ret=R (model only) */
	SCN_POKE,		/* extension: poke ADDR LEVEL swap=FRAME|none (model only) */
	SCN_EXPECT_STOP,	/* extension: expect-stop TEXT... (model only) */
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
/*
 * inject KIND: the first four make allocations fail; the others make the
 * DAX fault path meet what SPEC T44, T52 (a) and T54 need (contract-notes).
 */
enum scn_inject {
	SCN_INJ_PGTABLE, SCN_INJ_FOLIO, SCN_INJ_ENTRY, SCN_INJ_BLOCK,
	SCN_INJ_ACCESS_EIO, SCN_INJ_ACCESS_ENOMEM, SCN_INJ_IOMAP_HOLE, SCN_INJ_IOMAP_SHORT,
	SCN_INJ_FSYNC, SCN_INJ_NOFS
};

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

/*
 * The kernel functions `call` can name (docs/contract-notes.md, "Kernel
 * calls").  Each belongs to one class, which decides its arguments and
 * what ret= may say.
 */
enum scn_fn {
	SCN_FN_VM_NORMAL_PAGE, SCN_FN_VM_NORMAL_PAGE_PMD, SCN_FN_VM_NORMAL_PAGE_PUD,
	SCN_FN_FOLIO_WALK_START,
	SCN_FN_INSERT_PFN, SCN_FN_INSERT_MIXED, SCN_FN_INSERT_MIXED_MKWRITE,
	SCN_FN_INSERT_PFN_PMD, SCN_FN_INSERT_PFN_PUD,
	SCN_FN_INSERT_PAGE_MKWRITE, SCN_FN_INSERT_FOLIO_PMD, SCN_FN_INSERT_FOLIO_PUD,
	SCN_FN_REMAP_PFN_RANGE,
	SCN_FN_HANDLE_MM_FAULT, SCN_FN_HUGE_FAULT, SCN_FN_HANDLE_PTE_FAULT, SCN_FN_DO_FAULT,
	SCN_NR_FNS
};

/* A page frame as a call names it (FRAME in the contract notes). */
enum scn_frame_kind {
	SCN_FR_UNSET,
	SCN_FR_PFN,		/* space + n, as mmap's pfn=BASE */
	SCN_FR_ZERO,		/* the shared zero page */
	SCN_FR_HZ,		/* n pages after (below: before) the huge zero folio's first */
	SCN_FR_AT,		/* @ADDR: what the current process maps there */
	SCN_FR_NEW,		/* a fresh folio of order n, one caller reference */
	SCN_FR_FREED,		/* a folio allocated and freed again: refcount 0 */
};

struct scn_frame {
	enum scn_frame_kind kind;
	enum scn_pfn_space space;
	uint64_t n;
	bool below;		/* hz-N */
	struct scn_addr at;
	struct scn_loc loc;
};

/* What ret= says: a pointer result, a VM_FAULT bit set or an errno. */
enum scn_ret_kind { SCN_RET_NULL, SCN_RET_INVALID, SCN_RET_FRAME, SCN_RET_CODE };

/* VM_FAULT_* as ret= spells them; the values are Linux's (checked in model_call.c). */
#define SCN_VMF_OOM		0x000001u
#define SCN_VMF_SIGBUS		0x000002u
#define SCN_VMF_MAJOR		0x000004u
#define SCN_VMF_SIGSEGV		0x000040u
#define SCN_VMF_NOPAGE		0x000100u
#define SCN_VMF_LOCKED		0x000200u
#define SCN_VMF_RETRY		0x000400u
#define SCN_VMF_FALLBACK	0x000800u
#define SCN_VMF_DONE_COW	0x001000u
#define SCN_VMF_NEEDDSYNC	0x002000u
#define SCN_VMF_COMPLETED	0x004000u

/* call, poke and expect-stop: allocated by the parser, owned by the command. */
struct scn_call {
	enum scn_fn fn;
	struct scn_frame arg;		/* entry=, pfn=, page=, folio=, poke's swap= */
	struct scn_frame hook;		/* hook= (V6) */
	bool special, devmap, write;	/* entry bits; write for inserts and faults */
	bool has_vma;
	char vma[SCN_NAME_MAX];		/* vma=MAP */
	struct scn_loc vma_loc;
	int level;			/* poke, huge_fault, folio_walk_start's check; -1 */
	uint64_t len;			/* remap_pfn_range len= */
	bool poke_none;			/* poke ADDR LEVEL none */
	bool poke_changed;		/* ... none changed: the calls must have changed it */
	enum scn_ret_kind ret;
	struct scn_frame ret_frame;
	long ret_code;			/* SCN_VMF_* bits, or -errno for remap */
	struct scn_loc ret_loc;
	char text[160];			/* expect-stop: the invariant's words */
};

/* The word of each FUNC, and a VM_FAULT bit set spelt as --explain does. */
const char *scn_fn_name(enum scn_fn fn);
enum scn_fn scn_fn_lookup(const char *s, size_t len);	/* SCN_NR_FNS if unknown */
int scn_vm_fault_format(unsigned int bits, char *buf, size_t len);
long scn_vm_fault_parse(const char *s, size_t len);	/* -1 if a name is unknown */

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

	/* call, poke, expect-stop */
	struct scn_call *call;

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
