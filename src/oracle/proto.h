/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * proto.h - the command protocol between the oracle's driver and its agents.
 *
 * Every scenario process is a real process (an "agent") that waits on one
 * end of a SOCK_SEQPACKET socket pair for fixed-size requests and answers
 * each with one fixed-size reply.  Message boundaries come from the socket
 * type, so there is no framing code; file descriptors (a file to map, the
 * socket of a child about to be forked) travel as SCM_RIGHTS along with the
 * request that needs them.
 *
 * The structs are plain and fixed-size on purpose: the agent must not
 * allocate or take page faults of its own while it serves a request, and a
 * reply it writes into a prefaulted static buffer costs nothing.  Both
 * sides are the same binary, so there is no versioning.
 */
#ifndef FL_ORACLE_PROTO_H
#define FL_ORACLE_PROTO_H

#include <stdint.h>

enum fl_agent_op {
	AG_HELLO,	/* reply only: the agent is ready (sent unasked) */
	AG_MMAP,	/* va, len, prot, mflags, file_off; fd with it unless anon */
	AG_MUNMAP,	/* va, len */
	AG_MPROTECT,	/* va, len, prot */
	AG_MADVISE,	/* va, len, advice (MADV_*) */
	AG_MSYNC,	/* va, len */
	AG_MREMAP,	/* va, len -> new_len (at new_va with MREMAP_FIXED if not 0) */
	AG_ACCESS,	/* va, len, write, byte, expect_byte */
	AG_PIN,		/* va, len, pin slot, write, longterm */
	AG_UNPIN,	/* pin slot */
	AG_FORK,	/* the child's socket travels with it */
	AG_EXIT,	/* no reply: the agent releases its pins and _exits */
	AG_DIO_READ,	/* va, len, file_off; the O_DIRECT fd with it -> len read */
};

/* Pin slots the driver may use; one more is the agent's own, for warm-up. */
#define FL_AGENT_MAX_PINS 63
#define FL_AGENT_WARM_PIN FL_AGENT_MAX_PINS

/* Sent after mmap: madvise(MADV_HUGEPAGE / MADV_NOHUGEPAGE) at once. */
enum { AG_MMAP_HUGEPAGE = 1, AG_MMAP_NOHUGEPAGE = 2 };

struct fl_agent_req {
	uint32_t op;		/* enum fl_agent_op */
	int32_t prot;		/* PROT_* (mmap, mprotect) */
	int32_t mflags;		/* MAP_* without MAP_FIXED (mmap) */
	int32_t madv;		/* AG_MMAP_* (mmap) or MADV_* (madvise) */
	uint64_t va, len;
	uint64_t file_off;
	uint64_t new_va, new_len;	/* mremap */
	int32_t write;		/* access, pin */
	int32_t byte;		/* access: value to store */
	int32_t expect_byte;	/* access: -1, or the value every byte must have */
	int32_t pin;		/* pin, unpin: the agent's pin slot */
	int32_t longterm;	/* pin */
	int32_t has_fd;		/* an fd travels with this request */
};

/* Setup an agent receives once, in its first request-less moment. */
struct fl_agent_setup {
	int cpu;		/* the CPU every agent runs on (-1: leave as is) */
	int thp_disable;	/* prctl(PR_SET_THP_DISABLE) argument, -1: none */
	int thp_disable_flags;	/* its flags (PR_THP_DISABLE_EXCEPT_ADVISED) */
	int want_uring;		/* the scenario holds longterm pins */
	uint64_t arena_len;	/* bytes of address space to reserve */
};

struct fl_agent_rep {
	uint32_t op;		/* the request's op, AG_HELLO for the hello */
	int32_t err;		/* 0, or the errno of the failing call */
	char what[48];		/* which call failed ("mmap", "vmsplice", ...) */
	int32_t signo, si_code;
	uint64_t fault_va;
	int64_t minflt, majflt;	/* rusage deltas of the step */
	uint64_t bad_va;	/* access with expect_byte: first mismatch */
	int32_t bad_byte;	/* -1 if every byte matched */
	int32_t pid;		/* hello: own pid; fork: the child's pid */
	uint64_t va;		/* hello: the arena's start */
	uint64_t len;		/* hello: the arena's length */
};

#endif /* FL_ORACLE_PROTO_H */
