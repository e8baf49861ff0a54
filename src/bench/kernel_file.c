// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_file.c - file-fault-around on the kernel: read faults on a private
 * read-only mapping of a disk file whose pages are all in the page cache.
 *
 * The file is made once per workload run, in --dir (default /var/tmp,
 * which must be on a disk filesystem such as ext4, not tmpfs): created with
 * O_TMPFILE (or mkstemp and unlinked at once), so that nothing is left
 * behind whatever happens; filled with a non-zero pattern by write(2) and
 * written back with fdatasync.  write(2) fills the cache with large folios
 * on Linux 6.18's ext4, and fault-around maps a large folio whole, beyond
 * its 16-page window (docs/contract-notes.md), so the cache is then dropped
 * (POSIX_FADV_DONTNEED) and read in again page by page: a temporary
 * mapping with MADV_RANDOM (no readahead) and MADV_POPULATE_READ, so that
 * every page is read into an order-0 folio of its own, as the model's
 * readahead makes them.  (Measured here: POSIX_FADV_WILLNEED and the
 * readahead of faults or read(2) ramp up to large folios, and then a
 * 64 KiB-strided read of a 64 MiB file takes some 450 faults, not 1024.)
 * mincore() on the first repetition's mapping must find every page
 * resident.
 *
 * A repetition maps the file afresh (2 MiB aligned, MADV_NOHUGEPAGE,
 * PROT_READ, MAP_PRIVATE) and reads one byte per 64 KiB: each read is one
 * minor fault, and fault-around maps the 16 pages of its window.  The
 * timed loop is bench_kernel_touch(), so faults are counted by getrusage()
 * exactly as for the other workloads (a page that was not cached would
 * show as a major fault, a large folio as fewer faults).  An untimed pass
 * reading every page afterwards must take no fault at all: that is what
 * shows each fault mapped its whole window.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/bench.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

#define WRITE_CHUNK (1ul << 20)

static int bench_fd = -1;
static bool residency_checked;

static int fail(char *err, size_t len, const char *what, int e)
{
	snprintf(err, len, "%s: %s", what, strerror(e));
	return -1;
}

/* A file nobody else can see: O_TMPFILE, else a name unlinked at once. */
static int open_unlinked(const char *dir, char *err, size_t len)
{
	char path[4096];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR, 0600);
	if (fd >= 0)
		return fd;
	if (snprintf(path, sizeof(path), "%s/faultline-bench-XXXXXX", dir) >= (int)sizeof(path))
		return fail(err, len, "--dir", ENAMETOOLONG);
	fd = mkstemp(path);
	if (fd < 0)
		return fail(err, len, "cannot create a file in --dir", errno);
	unlink(path);
	return fd;
}

static int fill(int fd, uint64_t bytes, char *err, size_t len)
{
	char *buf = malloc(WRITE_CHUNK);

	if (!buf)
		return fail(err, len, "malloc", ENOMEM);
	for (uint64_t off = 0; off < bytes;) {
		size_t n = bytes - off < WRITE_CHUNK ? (size_t)(bytes - off) : WRITE_CHUNK;
		ssize_t done;

		for (size_t i = 0; i < n; i += 4096)
			memset(buf + i, 0x41 + (int)(((off + i) >> 12) % 26), n - i < 4096 ? n - i : 4096);
		done = pwrite(fd, buf, n, (off_t)off);
		if (done <= 0) {
			free(buf);
			return fail(err, len, "write", done < 0 ? errno : ENOSPC);
		}
		off += (uint64_t)done;
	}
	free(buf);
	return 0;
}

/* Read every page into an order-0 folio: no readahead (MADV_RANDOM), one fault each. */
static int populate_random(int fd, uint64_t bytes)
{
	uint8_t *p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	int e = 0;

	if (p == MAP_FAILED)
		return errno;
	if (madvise(p, bytes, MADV_RANDOM)) {
		e = errno;
	} else if (madvise(p, bytes, MADV_POPULATE_READ)) {
		volatile uint8_t *b = p;
		uint8_t sum = 0;

		if (errno != EINVAL)
			e = errno;
		for (uint64_t off = 0; !e && off < bytes; off += 4096)
			sum += b[off];	/* before 5.14: fault each page in */
		(void)sum;
	}
	munmap(p, bytes);
	return e;
}

/* Order-0 folios in the cache for every page: write back, drop, read page by page. */
static int recache(int fd, uint64_t bytes, char *err, size_t len)
{
	int e = fdatasync(fd) ? errno : 0;

	if (!e)
		e = posix_fadvise(fd, 0, (off_t)bytes, POSIX_FADV_DONTNEED);
	if (!e)
		e = populate_random(fd, bytes);
	return e ? fail(err, len, "caching the file (fdatasync, fadvise, MADV_POPULATE_READ)", e)
		 : 0;
}

int bench_kernel_file_setup(uint64_t bytes, const char *dir, char *err, size_t len)
{
	int fd = open_unlinked(dir, err, len);

	if (fd < 0)
		return -1;
	if (fill(fd, bytes, err, len) || recache(fd, bytes, err, len)) {
		close(fd);
		return -1;
	}
	bench_fd = fd;
	residency_checked = false;
	return 0;
}

void bench_kernel_file_teardown(void)
{
	if (bench_fd >= 0)
		close(bench_fd);
	bench_fd = -1;
}

/* Every page of the mapping resident (in the page cache); checked once. */
static int check_resident(void *p, uint64_t bytes, char *err, size_t len)
{
	size_t n = (size_t)(bytes >> 12);
	unsigned char *vec = malloc(n);
	size_t missing = 0;

	if (!vec)
		return fail(err, len, "malloc", ENOMEM);
	if (mincore(p, bytes, vec)) {
		free(vec);
		return fail(err, len, "mincore", errno);
	}
	for (size_t i = 0; i < n; i++)
		missing += !(vec[i] & 1);
	free(vec);
	if (!missing)
		return 0;
	snprintf(err, len, "%zu of %zu pages of the file are not cached", missing, n);
	return -1;
}

/* After the timed reads: reading every page must take no fault. */
static int check_fault_around(const uint8_t *p, uint64_t bytes, char *err, size_t len)
{
	volatile const uint8_t *b = p;
	struct rusage r0, r1;
	uint8_t sum = 0;
	long extra;

	if (getrusage(RUSAGE_SELF, &r0))
		return fail(err, len, "getrusage", errno);
	for (uint64_t off = 0; off < bytes; off += 4096)
		sum += b[off];
	if (getrusage(RUSAGE_SELF, &r1))
		return fail(err, len, "getrusage", errno);
	extra = (r1.ru_minflt + r1.ru_majflt) - (r0.ru_minflt + r0.ru_majflt);
	if (!extra)
		return 0;
	snprintf(err, len, "fault-around left pages unmapped: %ld more faults reading every "
		 "page (sum %u)", extra, sum);
	return -1;
}

int bench_kernel_file_rep(const struct bench_workload *w, uint64_t bytes,
			  struct bench_sample *s, char *err, size_t len)
{
	char unmap_err[96];
	void *p;
	int ret = 0;

	if (bench_fd < 0)
		return fail(err, len, "no file", EBADF);
	p = bench_kernel_map_aligned(bytes, PROT_READ, MAP_PRIVATE, bench_fd, MADV_NOHUGEPAGE,
				     err, len);
	if (!p)
		return -1;
	if (!residency_checked) {
		ret = check_resident(p, bytes, err, len);
		residency_checked = !ret;
	}
	if (!ret)
		ret = bench_kernel_touch(w, p, bytes, s, err, len);
	if (!ret)
		ret = check_fault_around(p, bytes, err, len);
	if (bench_kernel_unmap(p, bytes, unmap_err, sizeof(unmap_err)) && !ret) {
		snprintf(err, len, "%s", unmap_err);
		ret = -1;
	}
	return ret;
}
