/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agent.h - the inside of an agent: one scenario process on the real kernel.
 *
 * An agent is forked from the driver (p0) or from another agent (`fork`).
 * It reserves an arena of address space where the driver places scenario
 * mappings, then serves requests (proto.h) one at a time.  Everything an
 * agent does between the two getrusage() calls of a step must cost no page
 * fault of its own, so the agent keeps its state in static, prefaulted
 * memory, and after every fork it re-dirties its own private memory and
 * runs every request handler once on scratch memory ("warm-up"): fork
 * write-protects the anonymous pages and does not copy the page tables of
 * file mappings (its text), and either would add faults to the next step.
 *
 * Only async-signal-safe calls are used: the driver may have threads
 * (liburcu) when it forks, and the agent never calls malloc or stdio.
 */
#ifndef FL_ORACLE_AGENT_H
#define FL_ORACLE_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>

#include "oracle/proto.h"

/* The first 2 MiB of the arena belong to the agent: a PROT_NONE page that
 * warm-up faults on, then scratch pages.  Scenario mappings come after. */
#define FL_AGENT_RESERVED	(2ull << 20)
#define FL_AGENT_FAULT_PAGE(lo)	(lo)
#define FL_AGENT_SCRATCH(lo)	((lo) + 4096)

struct fl_agent_self {
	int sock;
	uint64_t arena_lo, arena_hi;
	struct fl_agent_setup setup;
};

extern struct fl_agent_self fl_agent_self;

/* Never returns: serves requests on @sock until AG_EXIT or EOF, then _exit. */
_Noreturn void fl_agent_main(int sock, const struct fl_agent_setup *setup);

/* agent_access.c: signals, the measured window, accesses. */
int fl_agent_signals_init(void);
void fl_agent_window_open(struct rusage *r0);
void fl_agent_window_close(const struct rusage *r0, struct fl_agent_rep *rp);
void fl_agent_access(const struct fl_agent_req *rq, struct fl_agent_rep *rp);

/* agent_ops.c: address-space requests. */
void fl_agent_mmap(const struct fl_agent_req *rq, int fd, struct fl_agent_rep *rp);
void fl_agent_dio_read(const struct fl_agent_req *rq, int fd, struct fl_agent_rep *rp);
void fl_agent_munmap(const struct fl_agent_req *rq, struct fl_agent_rep *rp);
void fl_agent_mprotect(const struct fl_agent_req *rq, struct fl_agent_rep *rp);
void fl_agent_madvise(const struct fl_agent_req *rq, struct fl_agent_rep *rp);
void fl_agent_msync(const struct fl_agent_req *rq, struct fl_agent_rep *rp);
void fl_agent_mremap(const struct fl_agent_req *rq, struct fl_agent_rep *rp);
void fl_agent_fail(struct fl_agent_rep *rp, const char *what, int err);

/* agent_pin.c: pins held by this process. */
int fl_agent_pins_init(void);
void fl_agent_pin(const struct fl_agent_req *rq, struct fl_agent_rep *rp);
void fl_agent_unpin(const struct fl_agent_req *rq, struct fl_agent_rep *rp);
void fl_agent_pins_forget(void);	/* child after fork: the parent's, not ours */
void fl_agent_pins_release(void);	/* before exit */

/* agent_redirty.c: read-modify-write every present private page of our own. */
int fl_agent_redirty(uint64_t skip_lo, uint64_t skip_hi);

/* agent_warmup.c: run every handler once so that no step pays for it. */
int fl_agent_warmup(void);

#endif /* FL_ORACLE_AGENT_H */
