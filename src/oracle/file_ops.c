// SPDX-License-Identifier: GPL-2.0-only
/*
 * file_ops.c - what a scenario does to a file besides mapping it.
 *
 * Each command is the system call SCENARIOS.md names, on the driver's
 * descriptor: pwrite(2) of a byte pattern, ftruncate(2), fallocate(2)
 * PUNCH_HOLE|KEEP_SIZE, fsync(2), posix_fadvise(DONTNEED) and the FICLONE
 * ioctl.  A filesystem that cannot clone is a skip, not an error: the
 * scenario is fine, this machine is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "oracle/files.h"
#include "scenario/backend.h"

#define PWRITE_CHUNK (1u << 20)

static int do_pwrite(int fd, const struct scn_cmd *c, char *err, size_t len)
{
	size_t chunk = c->len < PWRITE_CHUNK ? (size_t)c->len : PWRITE_CHUNK;
	uint64_t done = 0;
	char *buf;

	if (!c->len)
		return 0;
	buf = malloc(chunk);
	if (!buf) {
		snprintf(err, len, "pwrite: out of memory");
		return FL_EFAIL;
	}
	memset(buf, c->byte >= 0 ? c->byte : 0xAB, chunk);
	while (done < c->len) {
		size_t n = c->len - done < chunk ? (size_t)(c->len - done) : chunk;
		ssize_t w = pwrite(fd, buf, n, (off_t)(c->off + done));

		if (w <= 0) {
			snprintf(err, len, "pwrite: %s", w < 0 ? strerror(errno) : "short write");
			free(buf);
			return FL_EFAIL;
		}
		done += (uint64_t)w;
	}
	free(buf);
	return 0;
}

static int do_reflink(int src, int dst, char *err, size_t len)
{
	if (!ioctl(dst, FICLONE, src))
		return 0;
	snprintf(err, len, "reflink: %s", strerror(errno));
	if (errno == EOPNOTSUPP || errno == EXDEV || errno == EINVAL || errno == ENOTTY)
		return FL_ESKIP;
	return FL_EFAIL;
}

static int sys_fail(const char *what, char *err, size_t len)
{
	snprintf(err, len, "%s: %s", what, strerror(errno));
	return FL_EFAIL;
}

int fl_files_op(struct fl_oracle_files *f, int idx, int idx2, const struct scn_cmd *c,
		char *err, size_t len)
{
	int fd = fl_files_fd(f, idx), ret;

	if (fd < 0) {
		snprintf(err, len, "file %s was not created", c->name);
		return FL_EFAIL;
	}
	switch (c->op) {
	case SCN_PWRITE:
		return do_pwrite(fd, c, err, len);
	case SCN_TRUNCATE:
		return ftruncate(fd, (off_t)c->size) ? sys_fail("ftruncate", err, len) : 0;
	case SCN_PUNCH:
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)c->off,
			      (off_t)c->len))
			return sys_fail("fallocate(PUNCH_HOLE)", err, len);
		return 0;
	case SCN_FSYNC:
		return fsync(fd) ? sys_fail("fsync", err, len) : 0;
	case SCN_DROP_CACHE:
		ret = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (ret) {
			errno = ret;
			return sys_fail("posix_fadvise(DONTNEED)", err, len);
		}
		return 0;
	case SCN_REFLINK:
		if (fl_files_fd(f, idx2) < 0) {
			snprintf(err, len, "file %s was not created", c->name2);
			return FL_EFAIL;
		}
		return do_reflink(fd, fl_files_fd(f, idx2), err, len);
	default:
		snprintf(err, len, "line %d is not a file operation", c->loc.line);
		return FL_EFAIL;
	}
}
