// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent_main.c - an agent's life: start, serve requests, fork, exit.
 *
 * Start: pin to the scenario's CPU (anonymous folios sitting in another
 * CPU's LRU batch would turn a CoW reuse into a copy), apply the THP
 * prctl the scenario's `config thp=` needs, install the fault handlers,
 * reserve the arena, re-dirty and warm up, then say hello with the pid and
 * the arena's address.
 *
 * The arena is one MAP_SHARED PROT_NONE mapping of an empty memfd, aligned
 * to 1 GiB.  Scenario mappings replace parts of it (MAP_FIXED), and what
 * remains between them are the guard gaps: being a shared file mapping,
 * the arena never merges with an anonymous or another file's VMA, so every
 * scenario mapping keeps VMAs of its own and its smaps lines stay its own.
 * A free gap of at least 64 MiB is left above it, so that any mapping the
 * kernel places by itself (an io_uring ring) goes there and not into a
 * hole a scenario munmap left in the arena.
 *
 * Fork: the request carries the child's new socket.  Both processes
 * re-dirty and warm up before answering; the parent replies with the
 * child's pid and the child sends its own hello on its new socket.
 *
 * EOF on the socket means the driver is gone: the agent exits, so nothing
 * outlives a crashed faultline for long.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "oracle/agent.h"

#define ARENA_ALIGN	(1ull << 30)
#define ARENA_TOP_GAP	(64ull << 20)

struct fl_agent_self fl_agent_self;

static struct fl_agent_req req;
static struct fl_agent_rep rep;
static union {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
} cmsg;

static int arena_reserve(uint64_t len)
{
	uint64_t total = len + ARENA_ALIGN + ARENA_TOP_GAP, base, lo;
	int fd = memfd_create("faultline-arena", MFD_CLOEXEC);
	void *p;

	if (fd < 0)
		return -errno;
	p = mmap(NULL, total, PROT_NONE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -errno;
	base = (uintptr_t)p;
	lo = (base + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if ((lo > base && munmap(p, lo - base)) ||
	    munmap((void *)(uintptr_t)(lo + len), base + total - lo - len))
		return -errno;
	fl_agent_self.arena_lo = lo;
	fl_agent_self.arena_hi = lo + len;
	return 0;
}

static int send_rep(void)
{
	ssize_t n = send(fl_agent_self.sock, &rep, sizeof(rep), MSG_NOSIGNAL);

	return n == (ssize_t)sizeof(rep) ? 0 : -1;
}

/* 1: a request (with *fd >= 0 if one came along), 0: EOF, -1: error. */
static int recv_req(int *fd)
{
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cmsg.buf, .msg_controllen = sizeof(cmsg.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(fl_agent_self.sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n == 0 ? 0 : -1;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n == (ssize_t)sizeof(req) ? 1 : -1;
}

/* Make this process's own memory and code ready for the next measured step. */
static int settle(void)
{
	int ret = fl_agent_redirty(fl_agent_self.arena_lo, fl_agent_self.arena_hi);

	if (ret)
		return ret;
	return fl_agent_warmup();
}

static void hello(int err, const char *what)
{
	memset(&rep, 0, sizeof(rep));
	rep.op = AG_HELLO;
	rep.pid = getpid();
	rep.va = fl_agent_self.arena_lo;
	rep.len = fl_agent_self.arena_hi - fl_agent_self.arena_lo;
	if (err)
		fl_agent_fail(&rep, what, err);
	send_rep();
}

/* Returns 0 in the parent and 1 in the child (which already said hello). */
static int do_fork(int newsock)
{
	pid_t pid = fork();
	int ret;

	if (pid < 0) {
		fl_agent_fail(&rep, "fork", errno);
		close(newsock);
		return 0;
	}
	if (pid == 0) {
		dup2(newsock, fl_agent_self.sock);
		close(newsock);
		fl_agent_pins_forget();
		ret = fl_agent_pins_init();
		if (!ret)
			ret = settle();
		hello(-ret, "agent setup after fork");
		if (ret)
			_exit(1);
		return 1;
	}
	close(newsock);
	ret = settle();
	if (ret)
		fl_agent_fail(&rep, "agent setup after fork", -ret);
	rep.pid = pid;
	return 0;
}

/* Carry out one request; the reply is in rep. */
static void dispatch(int fd)
{
	switch (req.op) {
	case AG_MMAP: fl_agent_mmap(&req, fd, &rep); break;
	case AG_MUNMAP: fl_agent_munmap(&req, &rep); break;
	case AG_MPROTECT: fl_agent_mprotect(&req, &rep); break;
	case AG_MADVISE: fl_agent_madvise(&req, &rep); break;
	case AG_MSYNC: fl_agent_msync(&req, &rep); break;
	case AG_MREMAP: fl_agent_mremap(&req, &rep); break;
	case AG_ACCESS: fl_agent_access(&req, &rep); break;
	case AG_PIN: fl_agent_pin(&req, &rep); break;
	case AG_UNPIN: fl_agent_unpin(&req, &rep); break;
	case AG_DIO_READ: fl_agent_dio_read(&req, fd, &rep); break;
	default: fl_agent_fail(&rep, "unknown request", EINVAL); break;
	}
}

static void serve(void)
{
	for (;;) {
		int fd, n = recv_req(&fd);

		if (n <= 0)
			_exit(n == 0 ? 0 : 1);
		memset(&rep, 0, sizeof(rep));
		rep.op = req.op;
		rep.bad_byte = -1;
		if (req.op == AG_EXIT) {
			fl_agent_pins_release();
			_exit(0);
		}
		if (req.op == AG_FORK) {
			if (fd < 0)
				fl_agent_fail(&rep, "fork without a socket", EINVAL);
			else if (do_fork(fd))
				continue;	/* the child: its hello is sent */
		} else {
			dispatch(fd);
			if (fd >= 0)
				close(fd);
		}
		if (send_rep())
			_exit(1);
	}
}

/* Record which step of start() failed; returns @err. */
static int failed(const char **what, const char *step, int err)
{
	*what = step;
	return err;
}

static int start(const struct fl_agent_setup *setup, const char **what)
{
	struct sigaction sa;
	int ret;

	fl_agent_self.setup = *setup;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	/* SIGCHLD ignored: the kernel reaps forked agents by itself. */
	if (sigaction(SIGPIPE, &sa, NULL) || sigaction(SIGCHLD, &sa, NULL))
		return failed(what, "sigaction", -errno);
	/* Not the driver's stop handlers: a ^C to the group ends agents too. */
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return failed(what, "sigaction", -errno);
	if (setup->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(setup->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return failed(what, "sched_setaffinity", -errno);
	}
	if (setup->thp_disable >= 0 &&
	    prctl(PR_SET_THP_DISABLE, (unsigned long)setup->thp_disable,
		  (unsigned long)setup->thp_disable_flags, 0UL, 0UL))
		return failed(what, "prctl(PR_SET_THP_DISABLE)", -errno);
	if ((ret = fl_agent_signals_init()))
		return failed(what, "signal setup", ret);
	if ((ret = arena_reserve(setup->arena_len)))
		return failed(what, "arena reservation", ret);
	if ((ret = fl_agent_pins_init()))
		return failed(what, "io_uring setup", ret);
	if ((ret = settle()))
		return failed(what, "warm-up", ret);
	return 0;
}

_Noreturn void fl_agent_main(int sock, const struct fl_agent_setup *setup)
{
	const char *what = "";
	int ret;

	fl_agent_self.sock = sock;
	prctl(PR_SET_NAME, "faultline-agent", 0UL, 0UL, 0UL);
	ret = start(setup, &what);
	hello(-ret, what);
	if (ret)
		_exit(1);
	serve();
	_exit(0);
}
