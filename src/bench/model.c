// SPDX-License-Identifier: GPL-2.0-only
/*
 * model.c - the model side of a bench workload.
 *
 * Each workload gets a machine of its own, sized for what one repetition
 * allocates (data frames, page tables, deposits, the huge zero folio, a
 * child's copies after fork) plus slack.  Simulated RAM is a MAP_NORESERVE
 * host mapping, so the first touch of each frame would cost a real host
 * page fault inside the timed loop and the model would be measured against
 * the host kernel's fault path; setup therefore prefaults the whole of RAM
 * (host.c), and run.c adds an untimed warm-up repetition for the caches.
 *
 * A repetition is what the scenario backend does, without the scenario:
 * mm_alloc, do_mmap(MAP_FIXED) at a 2 MiB-aligned address, do_madvise with
 * the workload's THP advice, then fl_access once per stride; fork-cow first
 * writes every page, dup_mm()s, and times the child's writes.  Only the
 * access loop is timed.  Faults are the mm's min_flt + maj_flt delta, as
 * the backend counts them.  The per-step invariant checker runs after each
 * repetition only with --check; the final check (every frame, table and
 * object free again) always runs in teardown.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/bug.h"
#include "bench/bench.h"
#include "check/check.h"
#include "mm/mm.h"

/* Where the mapping goes: 2 MiB aligned, far from anything else. */
#define BENCH_MODEL_ADDR 0x7e0000000000ull

/* Frames one repetition can hold at its peak, as bytes, plus slack. */
static uint64_t model_ram(const struct bench_workload *w, uint64_t bytes)
{
	uint64_t data = w->write ? bytes : 0;
	uint64_t tables = (bytes / PMD_SIZE + bytes / PUD_SIZE + 8) * PAGE_SIZE;
	uint64_t mms = w->fork ? 2 : 1;
	uint64_t ram = mms * (data + tables) + data / 64 + HPAGE_PMD_SIZE + (16ull << 20);

	return (ram + (4ull << 20) - 1) & ~((4ull << 20) - 1);
}

int bench_model_setup(const struct bench_workload *w, uint64_t bytes, char *err, size_t len)
{
	struct fl_config cfg;

	fl_config_default(&cfg);
	cfg.ram = model_ram(w, bytes);
	fl_bug_reset();
	fl_fault_explain = NULL;
	if (phys_init(&cfg)) {
		snprintf(err, len, "cannot reserve %llu MiB of simulated RAM: %s",
			 (unsigned long long)(cfg.ram >> 20), strerror(errno));
		return BENCH_EMODEL;
	}
	if (bench_prefault(machine.ram, cfg.ram)) {
		snprintf(err, len, "cannot prefault %llu MiB of simulated RAM: %s",
			 (unsigned long long)(cfg.ram >> 20), strerror(errno));
		phys_exit();
		return BENCH_EMODEL;
	}
	return BENCH_OK;
}

/* The access loop: one byte per stride, every access must succeed. */
static int touch(struct mm_struct *mm, uint64_t start, uint64_t bytes, uint64_t stride,
		 bool write, char *err, size_t len)
{
	uint8_t byte = 0x5a;

	for (uint64_t addr = start; addr < start + bytes; addr += stride) {
		struct fl_access_result res;
		int ret = fl_access(mm, addr, write, &byte, 1, &res);

		if (ret || res.signo) {
			snprintf(err, len, "model %s at 0x%llx failed: %s",
				 write ? "write" : "read", (unsigned long long)addr,
				 ret ? strerror(-ret) : res.signo == SIGBUS ? "SIGBUS" : "SIGSEGV");
			return ret == -ENOMEM ? BENCH_EMODEL : BENCH_EINVARIANT;
		}
	}
	return BENCH_OK;
}

static int model_fail(char *err, size_t len, const char *what)
{
	snprintf(err, len, "%s", what);
	return BENCH_EMODEL;
}

static long faults_of(struct mm_struct *mm)
{
	return mm->min_flt + mm->maj_flt;
}

/* mm_alloc + do_mmap + do_madvise; the parent of fork-cow is populated. */
static int model_prepare(const struct bench_workload *w, uint64_t bytes,
			 struct mm_struct **mms, char *err, size_t len)
{
	int64_t addr;
	int ret;

	mms[0] = mm_alloc();
	if (!mms[0])
		return model_fail(err, len, "mm_alloc failed");
	addr = do_mmap(mms[0], BENCH_MODEL_ADDR, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, NULL, 0, NULL);
	if (addr < 0)
		return model_fail(err, len, "do_mmap failed");
	if (do_madvise(mms[0], (uint64_t)addr, bytes, w->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		return model_fail(err, len, "do_madvise failed");
	if (!w->fork)
		return BENCH_OK;
	ret = touch(mms[0], BENCH_MODEL_ADDR, bytes, PAGE_SIZE, true, err, len);
	if (ret)
		return ret;
	mms[1] = dup_mm(mms[0]);
	if (!mms[1])
		return model_fail(err, len, "dup_mm failed");
	return BENCH_OK;
}

/* After a repetition: the full invariant check with --check, else only bugs. */
static int model_check(struct mm_struct *const *mms, bool check, char *err, size_t len)
{
	if (!check && !fl_bug_count())
		return BENCH_OK;
	if (!fl_check_invariants(mms, 2, stderr))
		return BENCH_OK;
	snprintf(err, len, "model invariant broken (see above)");
	return BENCH_EINVARIANT;
}

int bench_model_rep(const struct bench_workload *w, uint64_t bytes, bool check,
		    struct bench_sample *s, char *err, size_t len)
{
	struct mm_struct *mms[2] = { NULL, NULL };
	struct mm_struct *mm;
	uint64_t t0, t1;
	long f0;
	int ret;

	ret = model_prepare(w, bytes, mms, err, len);
	if (ret)
		goto out;
	mm = w->fork ? mms[1] : mms[0];
	f0 = faults_of(mm);
	t0 = bench_now_ns();
	ret = touch(mm, BENCH_MODEL_ADDR, bytes, w->stride, w->write, err, len);
	t1 = bench_now_ns();
	if (ret)
		goto out;
	s->ns = t1 - t0;
	s->faults = faults_of(mm) - f0;
	ret = model_check(mms, check, err, len);
out:
	mmput(mms[1]);
	mmput(mms[0]);
	return ret;
}

int bench_model_teardown(char *err, size_t len)
{
	int ret = BENCH_OK;

	shrink_huge_zero_folio();
	if (fl_check_final(stderr)) {
		snprintf(err, len, "model leak check failed after teardown (see above)");
		ret = BENCH_EINVARIANT;
	}
	phys_exit();
	return ret;
}
