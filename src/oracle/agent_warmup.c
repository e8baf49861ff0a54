// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent_warmup.c - run every measured code path once before a step does.
 *
 * A forked child does not inherit the page tables of file mappings: the
 * first time it executes a page of faultline's or libc's text, or takes
 * its first signal (frame on the alternate stack, sigreturn trampoline,
 * siglongjmp), it faults.  Those faults would land inside a step's window
 * and be counted as the scenario's.  So after every start and every fork
 * the agent drives each request handler through scratch memory in the
 * agent-owned head of the arena: mmap (with populate and madvise), reads
 * with and without an expected byte, writes, a SIGSEGV on the PROT_NONE
 * fault page, mprotect, madvise, msync and a pin and unpin.  Twice, so
 * that the second round is known to see everything already present.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "oracle/agent.h"

static struct fl_agent_rep scratch_rep;

static int ok(void)
{
	return scratch_rep.err ? -scratch_rep.err : 0;
}

static void req_init(struct fl_agent_req *rq, uint32_t op, uint64_t va, uint64_t len)
{
	memset(rq, 0, sizeof(*rq));
	memset(&scratch_rep, 0, sizeof(scratch_rep));
	rq->op = op;
	rq->va = va;
	rq->len = len;
	rq->expect_byte = -1;
}

static int warm_accesses(uint64_t va, uint64_t fault_va)
{
	struct fl_agent_req rq;

	req_init(&rq, AG_ACCESS, va, 8192);
	rq.write = 1;
	rq.byte = 0x5a;
	fl_agent_access(&rq, &scratch_rep);
	req_init(&rq, AG_ACCESS, va, 8192);
	fl_agent_access(&rq, &scratch_rep);
	rq.expect_byte = 0x5a;
	fl_agent_access(&rq, &scratch_rep);
	rq.expect_byte = 0x00;
	fl_agent_access(&rq, &scratch_rep);
	if (scratch_rep.bad_byte != 0x5a)
		return -EIO;
	req_init(&rq, AG_ACCESS, fault_va, 1);
	fl_agent_access(&rq, &scratch_rep);
	if (scratch_rep.signo != SIGSEGV)
		return -EIO;
	rq.write = 1;
	fl_agent_access(&rq, &scratch_rep);
	return scratch_rep.signo == SIGSEGV ? 0 : -EIO;
}

static int warm_address_space(uint64_t va)
{
	struct fl_agent_req rq;
	int ret;

	req_init(&rq, AG_MPROTECT, va, 8192);
	rq.prot = PROT_READ;
	fl_agent_mprotect(&rq, &scratch_rep);
	if ((ret = ok()))
		return ret;
	rq.prot = PROT_READ | PROT_WRITE;
	fl_agent_mprotect(&rq, &scratch_rep);
	req_init(&rq, AG_MADVISE, va, 8192);
	rq.madv = MADV_DONTNEED;
	fl_agent_madvise(&rq, &scratch_rep);
	rq.madv = MADV_POPULATE_WRITE;
	fl_agent_madvise(&rq, &scratch_rep);
	if ((ret = ok()))
		return ret;
	req_init(&rq, AG_MSYNC, va, 8192);
	fl_agent_msync(&rq, &scratch_rep);
	return ok();
}

static int warm_pins(uint64_t va)
{
	struct fl_agent_req rq;
	int ret;

	for (int longterm = 0; longterm <= (fl_agent_self.setup.want_uring ? 1 : 0); longterm++) {
		req_init(&rq, AG_PIN, va, 8192);
		rq.pin = FL_AGENT_WARM_PIN;
		rq.longterm = longterm;
		rq.write = longterm;
		fl_agent_pin(&rq, &scratch_rep);
		if ((ret = ok()))
			return ret;
		req_init(&rq, AG_UNPIN, 0, 0);
		rq.pin = FL_AGENT_WARM_PIN;
		fl_agent_unpin(&rq, &scratch_rep);
		if ((ret = ok()))
			return ret;
	}
	return 0;
}

static int warm_round(void)
{
	uint64_t lo = fl_agent_self.arena_lo, va = FL_AGENT_SCRATCH(lo);
	struct fl_agent_req rq;
	int ret;

	req_init(&rq, AG_MMAP, va, 8192);
	rq.prot = PROT_READ | PROT_WRITE;
	rq.mflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
	rq.madv = AG_MMAP_NOHUGEPAGE;
	fl_agent_mmap(&rq, -1, &scratch_rep);
	if ((ret = ok()))
		return ret;
	if ((ret = warm_accesses(va, FL_AGENT_FAULT_PAGE(lo))) ||
	    (ret = warm_address_space(va)) || (ret = warm_pins(va)))
		return ret;
	/* Leave the scratch pages mapped but inaccessible, like the arena. */
	req_init(&rq, AG_MMAP, va, 8192);
	rq.prot = PROT_NONE;
	rq.mflags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	fl_agent_mmap(&rq, -1, &scratch_rep);
	return ok();
}

int fl_agent_warmup(void)
{
	int ret = warm_round();

	return ret ? ret : warm_round();
}
