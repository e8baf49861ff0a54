// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent_ops.c - the address-space requests an agent carries out on itself:
 * mmap, munmap, mprotect, madvise, msync, mremap.
 *
 * The driver chooses every address (place.c) inside the arena this agent
 * reserved, so mmap here is always MAP_FIXED over arena pages and never
 * over anything else of the agent's.  Each call sits inside a measured
 * window: `mmap ... populate` and `madvise ... populate-*` fault pages in
 * through GUP, and Linux counts those faults in the caller's rusage.
 *
 * `hugepage`/`nohugepage` are madvise()d right after the mmap call, inside
 * the same window.  With `populate` that is after MAP_POPULATE has done its
 * work, exactly as a program doing the same two calls would see it.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oracle/agent.h"

void fl_agent_fail(struct fl_agent_rep *rp, const char *what, int err)
{
	size_t n = strlen(what);

	if (n >= sizeof(rp->what))
		n = sizeof(rp->what) - 1;
	memcpy(rp->what, what, n);
	rp->what[n] = '\0';
	rp->err = err;
}

static bool in_arena(uint64_t va, uint64_t len)
{
	const struct fl_agent_self *s = &fl_agent_self;

	return va >= s->arena_lo + FL_AGENT_RESERVED && len <= s->arena_hi - va;
}

void fl_agent_mmap(const struct fl_agent_req *rq, int fd, struct fl_agent_rep *rp)
{
	struct rusage r0;
	void *p;
	int err = 0;

	if (!in_arena(rq->va, rq->len) && rq->va != FL_AGENT_SCRATCH(fl_agent_self.arena_lo)) {
		fl_agent_fail(rp, "mmap outside the arena", EINVAL);
		return;
	}
	fl_agent_window_open(&r0);
	p = mmap((void *)(uintptr_t)rq->va, rq->len, rq->prot, rq->mflags | MAP_FIXED,
		 fd, (off_t)rq->file_off);
	if (p == MAP_FAILED)
		err = errno;
	else if ((rq->madv & AG_MMAP_HUGEPAGE) && madvise(p, rq->len, MADV_HUGEPAGE))
		err = errno;
	else if ((rq->madv & AG_MMAP_NOHUGEPAGE) && madvise(p, rq->len, MADV_NOHUGEPAGE))
		err = errno;
	fl_agent_window_close(&r0, rp);
	if (err)
		fl_agent_fail(rp, p == MAP_FAILED ? "mmap" : "madvise", err);
	rp->va = (uintptr_t)p;
}

/* `dio-read`: pread(2) from an O_DIRECT descriptor into our own memory. */
void fl_agent_dio_read(const struct fl_agent_req *rq, int fd, struct fl_agent_rep *rp)
{
	struct rusage r0;
	ssize_t n;
	int err = 0;

	if (!in_arena(rq->va, rq->len)) {
		fl_agent_fail(rp, "dio-read outside the arena", EINVAL);
		return;
	}
	fl_agent_window_open(&r0);
	n = pread(fd, (void *)(uintptr_t)rq->va, rq->len, (off_t)rq->file_off);
	if (n < 0)
		err = errno;
	fl_agent_window_close(&r0, rp);
	if (err)
		fl_agent_fail(rp, "pread(O_DIRECT)", err);
	rp->len = n < 0 ? 0 : (uint64_t)n;
}

void fl_agent_munmap(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	if (munmap((void *)(uintptr_t)rq->va, rq->len))
		fl_agent_fail(rp, "munmap", errno);
}

void fl_agent_mprotect(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	struct rusage r0;
	int err = 0;

	fl_agent_window_open(&r0);
	if (mprotect((void *)(uintptr_t)rq->va, rq->len, rq->prot))
		err = errno;
	fl_agent_window_close(&r0, rp);
	if (err)
		fl_agent_fail(rp, "mprotect", err);
}

void fl_agent_madvise(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	struct rusage r0;
	int err = 0;

	fl_agent_window_open(&r0);
	if (madvise((void *)(uintptr_t)rq->va, rq->len, rq->madv))
		err = errno;
	fl_agent_window_close(&r0, rp);
	if (err)
		fl_agent_fail(rp, "madvise", err);
}

void fl_agent_msync(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	if (msync((void *)(uintptr_t)rq->va, rq->len, MS_SYNC))
		fl_agent_fail(rp, "msync", errno);
}

void fl_agent_mremap(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	int flags = MREMAP_MAYMOVE | (rq->new_va ? MREMAP_FIXED : 0);
	struct rusage r0;
	void *p;
	int err = 0;

	if (rq->new_va && !in_arena(rq->new_va, rq->new_len)) {
		fl_agent_fail(rp, "mremap outside the arena", EINVAL);
		return;
	}
	fl_agent_window_open(&r0);
	p = mremap((void *)(uintptr_t)rq->va, rq->len, rq->new_len, flags,
		   (void *)(uintptr_t)rq->new_va);
	if (p == MAP_FAILED)
		err = errno;
	fl_agent_window_close(&r0, rp);
	if (err)
		fl_agent_fail(rp, "mremap", err);
	rp->va = (uintptr_t)p;
}
