// SPDX-License-Identifier: GPL-2.0-only
/*
 * kernel_fork.c - fork-cow on the kernel: populate, fork, and time the
 * child's copy-on-write writes inside the child.
 *
 * The parent writes every page (untimed), so that after fork each page is
 * an anonymous page mapped read-only in both processes; the child then
 * writes one byte per page, and each write is a wp fault that copies
 * (do_wp_page -> wp_page_copy), as in the model.  The child measures its
 * own loop with the same code as every other workload (clock and
 * getrusage(RUSAGE_SELF), whose counters start at zero in a new child),
 * sends the numbers back over a pipe in one write (atomic under
 * PIPE_BUF), and leaves with _exit() so that no stdio buffer or atexit
 * handler of the parent runs twice.  The parent does nothing while the
 * child runs but wait for it on the same pinned CPU, and always reaps it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench.h"

struct child_report {
	uint64_t ns;
	long faults;
	int failed;
	char error[128];
};

static void populate(uint8_t *p, uint64_t bytes, uint64_t stride)
{
	volatile uint8_t *b = p;

	for (uint64_t off = 0; off < bytes; off += stride)
		b[off] = 0xa5;
}

static _Noreturn void child_main(const struct bench_workload *w, void *p, uint64_t bytes,
				 int fd)
{
	struct child_report rep;
	struct bench_sample s;
	ssize_t n;

	memset(&rep, 0, sizeof(rep));
	if (bench_kernel_touch(w, p, bytes, &s, rep.error, sizeof(rep.error))) {
		rep.failed = 1;
	} else {
		rep.ns = s.ns;
		rep.faults = s.faults;
	}
	do {
		n = write(fd, &rep, sizeof(rep));
	} while (n < 0 && errno == EINTR);
	_exit(n == (ssize_t)sizeof(rep) && !rep.failed ? 0 : 1);
}

/* Read the child's report and reap it; 0, or -1 with the reason. */
static int collect(pid_t pid, int fd, struct child_report *rep, char *err, size_t len)
{
	ssize_t n;
	int status, ret = 0;

	do {
		n = read(fd, rep, sizeof(*rep));
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*rep)) {
		snprintf(err, len, "reading the child's report: %s",
			 n < 0 ? strerror(errno) : "short read");
		ret = -1;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, len, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
	if (!ret && rep->failed) {
		snprintf(err, len, "child: %s", rep->error);
		ret = -1;
	} else if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		snprintf(err, len, "child ended abnormally (status 0x%x)", status);
		ret = -1;
	}
	return ret;
}

/* Fork with a pipe; the child never returns. */
static int fork_and_measure(const struct bench_workload *w, void *p, uint64_t bytes,
			    struct bench_sample *s, char *err, size_t len)
{
	struct child_report rep;
	int fds[2];
	pid_t pid;

	if (pipe(fds)) {
		snprintf(err, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);	/* nothing buffered may be inherited */
	pid = fork();
	if (pid < 0) {
		snprintf(err, len, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		close(fds[0]);
		child_main(w, p, bytes, fds[1]);
	}
	close(fds[1]);
	if (collect(pid, fds[0], &rep, err, len)) {
		close(fds[0]);
		return -1;
	}
	close(fds[0]);
	s->ns = rep.ns;
	s->faults = rep.faults;
	return 0;
}

int bench_kernel_fork_rep(const struct bench_workload *w, uint64_t bytes,
			  struct bench_sample *s, char *err, size_t len)
{
	char unmap_err[96];
	void *p = bench_kernel_map(w, bytes, err, len);
	int ret;

	if (!p)
		return -1;
	populate(p, bytes, w->stride);
	ret = fork_and_measure(w, p, bytes, s, err, len);
	if (bench_kernel_unmap(p, bytes, unmap_err, sizeof(unmap_err)) && !ret) {
		snprintf(err, len, "%s", unmap_err);
		ret = -1;
	}
	return ret;
}
