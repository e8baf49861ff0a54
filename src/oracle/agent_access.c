// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent_access.c - the scenario's loads and stores, and what they cost.
 *
 * A step's fault count is the difference of getrusage(RUSAGE_SELF) taken
 * right before and right after the step's own work: the "window".  Between
 * the two calls the agent touches only scenario memory, its prefaulted
 * static state, and a stack that warm-up already made present and writable.
 *
 * A load or store the kernel answers with SIGSEGV or SIGBUS lands in
 * on_fault(), which runs on a prefaulted alternate stack (so the signal
 * frame costs no fault either), records signo, si_code and si_addr, and
 * siglongjmp()s out of the access loop: a step stops at its first signal,
 * as SCENARIOS.md says.  A fault that ends in a signal is not counted by
 * Linux, so the window simply closes after the jump.
 *
 * A SIGSEGV/SIGBUS outside an access is a bug in the agent: the handler
 * restores the default action and returns, so the instruction faults again
 * and the agent dies with the signal, which the driver reports.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "oracle/agent.h"

static sigjmp_buf access_jb;
static volatile sig_atomic_t access_armed;
static volatile int sig_no, sig_code;
static volatile uintptr_t sig_addr;

/* Big enough for an AVX-512 signal frame twice over. */
static uint8_t altstack[64 * 1024] __attribute__((aligned(4096)));

static void on_fault(int signo, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!access_armed) {
		struct sigaction dfl;

		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigaction(signo, &dfl, NULL);
		return;
	}
	sig_no = signo;
	sig_code = si->si_code;
	sig_addr = (uintptr_t)si->si_addr;
	access_armed = 0;
	siglongjmp(access_jb, 1);
}

int fl_agent_signals_init(void)
{
	struct sigaction sa;
	stack_t ss;

	/* Present before the first signal, and re-dirtied after every fork. */
	memset(altstack, 0, sizeof(altstack));
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return -errno;
	return 0;
}

void fl_agent_window_open(struct rusage *r0)
{
	getrusage(RUSAGE_SELF, r0);
}

void fl_agent_window_close(const struct rusage *r0, struct fl_agent_rep *rp)
{
	struct rusage r1;

	getrusage(RUSAGE_SELF, &r1);
	rp->minflt = r1.ru_minflt - r0->ru_minflt;
	rp->majflt = r1.ru_majflt - r0->ru_majflt;
}

/*
 * The loads and stores themselves.  Reads touch one byte per page (the
 * first byte at @va, then each page start), or every byte when a value is
 * expected; writes store every byte.  Volatile so the compiler keeps every
 * access, in order.
 */
/*
 * The scenario's own loads and stores: deliberately faulting, recovered by
 * siglongjmp.  Kept out of sanitizer instrumentation, whose shadow checks
 * would touch shadow memory for the arena and fault on their own.
 */
#if defined(__clang__) || defined(__GNUC__)
__attribute__((no_sanitize_address, no_sanitize("undefined")))
#endif
static void touch(uint64_t va, uint64_t len, const struct fl_agent_req *rq,
		  struct fl_agent_rep *rp)
{
	uint64_t end = va + len, a;

	if (rq->write) {
		for (a = va; a < end; a++)
			*(volatile uint8_t *)(uintptr_t)a = (uint8_t)rq->byte;
		return;
	}
	if (rq->expect_byte >= 0) {
		for (a = va; a < end; a++) {
			uint8_t v = *(volatile uint8_t *)(uintptr_t)a;

			if (v != (uint8_t)rq->expect_byte && rp->bad_byte < 0) {
				rp->bad_va = a;
				rp->bad_byte = v;
			}
		}
		return;
	}
	for (a = va; a < end; a = (a | 4095) + 1)
		(void)*(volatile uint8_t *)(uintptr_t)a;
}

void fl_agent_access(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	struct rusage r0;

	rp->bad_byte = -1;
	rp->signo = 0;
	fl_agent_window_open(&r0);
	if (sigsetjmp(access_jb, 1) == 0) {
		access_armed = 1;
		touch(rq->va, rq->len, rq, rp);
		access_armed = 0;
	} else {
		rp->signo = sig_no;
		rp->si_code = sig_code;
		rp->fault_va = sig_addr;
	}
	fl_agent_window_close(&r0, rp);
}
