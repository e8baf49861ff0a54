/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * oracle_test.h - what the oracle's unit tests share: skipping cleanly when
 * the machine cannot observe (not root, /proc files missing), and checking
 * that a test left no process behind.
 *
 * The leak check works by making the test process a child subreaper: any
 * agent that outlived its parent is reparented to the test, so after a
 * backend is destroyed, "no child left" (waitpid ECHILD) proves that every
 * agent is gone, whoever forked it.
 */
#ifndef FL_TESTS_ORACLE_TEST_H
#define FL_TESTS_ORACLE_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Machine requirements of the real-kernel tests; call from each test. */
static inline bool oracle_machine_ok(void)
{
	static const char *const files[] = { "/proc/kpageflags", "/proc/kpagecount" };

	if (geteuid() != 0)
		return false;
	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(files[i], O_RDONLY);

		if (fd < 0)
			return false;
		close(fd);
	}
	return true;
}

#define SKIP_UNLESS_ORACLE()			\
	do {					\
		if (!oracle_machine_ok())	\
			skip();			\
	} while (0)

static inline void become_subreaper(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL);
}

/* True when the test process has no child, live or zombie, left. */
static inline bool no_children_left(void)
{
	/* Let reparenting of an orphan finish before looking. */
	for (int i = 0; i < 50; i++) {
		pid_t p = waitpid(-1, NULL, WNOHANG);

		if (p < 0 && errno == ECHILD)
			return true;
		if (p > 0)
			return false;	/* a zombie nobody reaped: a leak */
		usleep(20000);
	}
	return false;
}

#endif /* FL_TESTS_ORACLE_TEST_H */
