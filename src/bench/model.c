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
 * and the memmap (host.c, on 2 MiB host pages where it can), and run.c
 * adds an untimed warm-up repetition for the caches.
 *
 * A repetition is what the scenario backend does, without the scenario:
 * mm_alloc, do_mmap(MAP_FIXED) at a 2 MiB-aligned address, do_madvise with
 * the workload's THP advice, then fl_access once per stride; fork-cow first
 * writes every page, dup_mm()s, and times the child's writes; a batched
 * workload (anon-write-hot) zaps each batch with MADV_DONTNEED, untimed,
 * before the next.  Only the accesses are timed.
 *
 * file-fault-around maps an fs=pagecache file that setup created, wrote,
 * wrote back, dropped from the cache and read in again by readahead, so
 * that every page is cached in an order-0 folio (as the kernel side
 * arranges with its file; see kernel_file.c); the file lives until
 * teardown, and each repetition maps it afresh.  After the timed reads an
 * untimed pass over every page must take no fault: each fault mapped its
 * whole window.  Faults are the mm's min_flt + maj_flt delta, as
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
#include "fs/pagecache.h"
#include "mm/mm.h"

/* Where the mapping goes: 2 MiB aligned, far from anything else. */
#define BENCH_MODEL_ADDR 0x7e0000000000ull

/* The file of file-fault-around, from setup to teardown. */
static struct fl_file *bench_file;

/* Frames one repetition can hold at its peak, as bytes, plus slack. */
static uint64_t model_ram(const struct bench_workload *w, uint64_t bytes)
{
	uint64_t data = w->write || w->file ? bytes : 0;
	uint64_t tables = (bytes / PMD_SIZE + bytes / PUD_SIZE + 8) * PAGE_SIZE;
	uint64_t mms = w->fork ? 2 : 1;
	uint64_t ram = mms * (data + tables) + data / 64 + HPAGE_PMD_SIZE + (16ull << 20);

	return (ram + (4ull << 20) - 1) & ~((4ull << 20) - 1);
}

/*
 * The file, all cached in order-0 folios: written (large folios, as
 * write(2) makes them), written back, dropped, then read in again by
 * readahead, which makes order-0 folios, as on the kernel side.
 */
static int model_file_setup(uint64_t bytes)
{
	unsigned long nr = (unsigned long)(bytes >> PAGE_SHIFT);

	bench_file = fl_file_create(FL_FILE_PAGECACHE, bytes);
	if (!bench_file)
		return -1;
	if (fl_file_pwrite(bench_file, 0, bytes, 0x41))
		return -1;
	fl_file_fsync(bench_file);
	fl_file_drop_cache(bench_file);
	page_cache_ra(bench_file, 0, nr);
	for (unsigned long i = 0; i < nr; i++)
		if (!bench_file->cache[i] || folio_test_large(bench_file->cache[i]))
			return -1;
	return 0;
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
	if (bench_prefault(machine.ram, cfg.ram) ||
	    bench_prefault(machine.memmap, machine.ram_pages * sizeof(struct page))) {
		snprintf(err, len, "cannot prefault %llu MiB of simulated RAM: %s",
			 (unsigned long long)(cfg.ram >> 20), strerror(errno));
		phys_exit();
		return BENCH_EMODEL;
	}
	if (w->file && model_file_setup(bytes)) {
		snprintf(err, len, "cannot create the %llu MiB model file in order-0 folios",
			 (unsigned long long)(bytes >> 20));
		fl_file_put(bench_file);
		bench_file = NULL;
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
	if (w->file)
		addr = do_mmap(mms[0], BENCH_MODEL_ADDR, bytes, PROT_READ, MAP_PRIVATE | MAP_FIXED,
			       &filemap_vm_ops, bench_file, 0, NULL);
	else
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

/*
 * The timed accesses: all in one go, or batch by batch with an untimed
 * MADV_DONTNEED (zap_page_range_single()) of each batch after it.
 */
static int timed_touch(const struct bench_workload *w, struct mm_struct *mm, uint64_t bytes,
		       uint64_t *ns, char *err, size_t len)
{
	uint64_t chunk = w->batch ? w->batch : bytes;

	*ns = 0;
	for (uint64_t off = 0; off < bytes; off += chunk) {
		uint64_t n = bytes - off < chunk ? bytes - off : chunk, t0, t1;
		int ret;

		t0 = bench_now_ns();
		ret = touch(mm, BENCH_MODEL_ADDR + off, n, w->stride, w->write, err, len);
		t1 = bench_now_ns();
		if (ret)
			return ret;
		*ns += t1 - t0;
		if (w->batch && do_madvise(mm, BENCH_MODEL_ADDR + off, n, MADV_DONTNEED))
			return model_fail(err, len, "do_madvise(MADV_DONTNEED) failed");
	}
	return BENCH_OK;
}

/* file-fault-around: after the timed reads, every page must be mapped already. */
static int check_fault_around(struct mm_struct *mm, uint64_t bytes, char *err, size_t len)
{
	long f0 = faults_of(mm);
	int ret = touch(mm, BENCH_MODEL_ADDR, bytes, PAGE_SIZE, false, err, len);

	if (ret || faults_of(mm) == f0)
		return ret;
	snprintf(err, len, "fault-around left pages unmapped: %ld more faults reading every page",
		 faults_of(mm) - f0);
	return BENCH_EINVARIANT;
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
	long f0;
	int ret;

	ret = model_prepare(w, bytes, mms, err, len);
	if (ret)
		goto out;
	mm = w->fork ? mms[1] : mms[0];
	f0 = faults_of(mm);
	ret = timed_touch(w, mm, bytes, &s->ns, err, len);
	if (ret)
		goto out;
	s->faults = faults_of(mm) - f0;
	if (w->file)
		ret = check_fault_around(mm, bytes, err, len);
	if (!ret)
		ret = model_check(mms, check, err, len);
out:
	mmput(mms[1]);
	mmput(mms[0]);
	return ret;
}

int bench_model_teardown(char *err, size_t len)
{
	int ret = BENCH_OK;

	fl_file_put(bench_file);
	bench_file = NULL;
	shrink_huge_zero_folio();
	if (fl_check_final(stderr)) {
		snprintf(err, len, "model leak check failed after teardown (see above)");
		ret = BENCH_EINVARIANT;
	}
	phys_exit();
	return ret;
}
