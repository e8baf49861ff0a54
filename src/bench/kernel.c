// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel.c - the kernel side of a bench workload: the same access pattern
 * on a real mapping of this process.
 *
 * The mapping is private anonymous memory at a 2 MiB-aligned address, the
 * way the model's is placed: reserve the size plus 2 MiB PROT_NONE, map the
 * aligned middle with MAP_FIXED and give the unaligned ends back, so that
 * THP can apply from the first byte.  MAP_NORESERVE keeps the huge zero
 * workload's tens of GiB of address space (it allocates no memory) clear
 * of overcommit accounting; it changes nothing on the fault path.  Then the
 * workload's advice: MADV_HUGEPAGE for THP workloads, MADV_NOHUGEPAGE for
 * the others, so that a "thp=always" machine still takes 4 KiB faults.
 *
 * The timed loop touches one byte per stride through volatile pointers (a
 * load for read workloads, a store for the others) between two
 * CLOCK_MONOTONIC reads; getrusage() around it counts the faults the
 * kernel actually took (minflt + majflt), which is how a THP fallback to
 * 4 KiB pages would show.  A batched workload (anon-write-hot) times each
 * batch on its own and gives it back with MADV_DONTNEED, untimed, before
 * the next, so that the next batch's faults reuse its frames from the
 * per-CPU free lists while they are still in the CPU caches.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "bench/bench.h"

#define HUGE_ALIGN (2ul << 20)

static void *map_fail(char *err, size_t len, const char *what, int e)
{
	snprintf(err, len, "%s: %s", what, strerror(e));
	return NULL;
}

/* Give back [p, p+n) of the reservation; n may be 0. */
static int trim(uint8_t *p, size_t n)
{
	return n ? munmap(p, n) : 0;
}

void *bench_kernel_map_aligned(uint64_t bytes, int prot, int flags, int fd, int advice,
			       char *err, size_t len)
{
	size_t span = bytes + HUGE_ALIGN;
	uint8_t *res, *p;

	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return map_fail(err, len, "mmap (reservation)", errno);
	p = (uint8_t *)(((uintptr_t)res + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1));
	if (mmap(p, bytes, prot, flags | MAP_FIXED, fd, 0) == MAP_FAILED) {
		int e = errno;

		munmap(res, span);
		return map_fail(err, len, "mmap (MAP_FIXED)", e);
	}
	if (trim(res, (size_t)(p - res)) || trim(p + bytes, (size_t)(res + span - (p + bytes)))) {
		int e = errno;

		munmap(res, span);
		return map_fail(err, len, "munmap (reservation ends)", e);
	}
	if (madvise(p, bytes, advice)) {
		int e = errno;

		munmap(p, bytes);
		return map_fail(err, len, advice == MADV_HUGEPAGE ? "madvise(MADV_HUGEPAGE)" :
			       "madvise(MADV_NOHUGEPAGE)", e);
	}
	return p;
}

void *bench_kernel_map(const struct bench_workload *w, uint64_t bytes, char *err, size_t len)
{
	return bench_kernel_map_aligned(bytes, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
					w->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE, err, len);
}

int bench_kernel_unmap(void *p, uint64_t bytes, char *err, size_t len)
{
	if (!munmap(p, bytes))
		return 0;
	snprintf(err, len, "munmap: %s", strerror(errno));
	return -1;
}

static long faults_of(const struct rusage *ru)
{
	return ru->ru_minflt + ru->ru_majflt;
}

/* Keeps the loads of read workloads from being optimised away. */
static volatile uint8_t sink;

/* One byte per stride of [from, to): stores, or loads summed into *sum. */
static void access_range(const struct bench_workload *w, volatile uint8_t *base, uint64_t from,
			 uint64_t to, uint8_t *sum)
{
	if (w->write) {
		for (uint64_t off = from; off < to; off += w->stride)
			base[off] = 0x5a;
	} else {
		for (uint64_t off = from; off < to; off += w->stride)
			*sum += base[off];
	}
}

/* The timed accesses, in one go or batch by batch with MADV_DONTNEED between. */
static int timed_access(const struct bench_workload *w, volatile uint8_t *base, uint64_t bytes,
			uint8_t *sum, uint64_t *ns)
{
	uint64_t chunk = w->batch ? w->batch : bytes;

	*ns = 0;
	for (uint64_t off = 0; off < bytes; off += chunk) {
		uint64_t n = bytes - off < chunk ? bytes - off : chunk;
		uint64_t t0 = bench_now_ns(), t1;

		access_range(w, base, off, off + n, sum);
		t1 = bench_now_ns();
		*ns += t1 - t0;
		if (w->batch && madvise((void *)(base + off), n, MADV_DONTNEED))
			return -1;
	}
	return 0;
}

int bench_kernel_touch(const struct bench_workload *w, void *p, uint64_t bytes,
		       struct bench_sample *s, char *err, size_t len)
{
	struct rusage r0, r1;
	uint8_t sum = 0;
	uint64_t ns;
	int ret;

	/*
	 * In a fork child nothing is mapped yet but what fork copied: take the
	 * faults that are not the workload's before the first count.  Writing
	 * both buffers CoWs their stack page (else getrusage() copying out
	 * would fault after its snapshot), and one clock read faults in the
	 * vDSO text and resolves its PLT slot.
	 */
	memset(&r0, 0, sizeof(r0));
	memset(&r1, 0, sizeof(r1));
	(void)bench_now_ns();
	if (getrusage(RUSAGE_SELF, &r0)) {
		snprintf(err, len, "getrusage: %s", strerror(errno));
		return -1;
	}
	ret = timed_access(w, p, bytes, &sum, &ns);
	if (ret) {
		snprintf(err, len, "madvise(MADV_DONTNEED): %s", strerror(errno));
		return -1;
	}
	if (getrusage(RUSAGE_SELF, &r1)) {
		snprintf(err, len, "getrusage: %s", strerror(errno));
		return -1;
	}
	/* After the count: in a fork child this store is a CoW fault of its own. */
	if (!w->write)
		sink = sum;
	s->ns = ns;
	s->faults = faults_of(&r1) - faults_of(&r0);
	return 0;
}

int bench_kernel_rep(const struct bench_workload *w, uint64_t bytes, struct bench_sample *s,
		     char *err, size_t len)
{
	char unmap_err[96];
	void *p;
	int ret;

	if (w->fork)
		return bench_kernel_fork_rep(w, bytes, s, err, len);
	if (w->file)
		return bench_kernel_file_rep(w, bytes, s, err, len);
	p = bench_kernel_map(w, bytes, err, len);
	if (!p)
		return -1;
	ret = bench_kernel_touch(w, p, bytes, s, err, len);
	/* The first error wins: a failed touch is the interesting one. */
	if (bench_kernel_unmap(p, bytes, unmap_err, sizeof(unmap_err)) && !ret) {
		snprintf(err, len, "%s", unmap_err);
		ret = -1;
	}
	return ret;
}

int bench_kernel_setup(const struct bench_workload *w, uint64_t bytes, const char *dir,
		       char *err, size_t len)
{
	return w->file ? bench_kernel_file_setup(bytes, dir, err, len) : 0;
}

void bench_kernel_teardown(void)
{
	bench_kernel_file_teardown();
}
