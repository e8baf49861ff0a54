// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent_ctl.c - starting, asking, forking and ending agents (the driver side).
 *
 * p0 is forked from the driver; the child closes every descriptor but its
 * socket (moved to fd 3) and becomes an agent (agent_main.c).  Later agents
 * are forked by agents: the driver makes a new socket pair, hands one end
 * to the parent agent along with the AG_FORK request, and keeps the other.
 *
 * Reaping: an agent's parent is the driver (p0) or another agent, which
 * ignores SIGCHLD so the kernel reaps for it.  An agent whose parent died
 * is reparented to the driver, which the backend makes a child subreaper
 * for the scenario's duration; waitid(P_PIDFD) then reaps it here.  Either
 * way, what the driver waits for is the pidfd turning readable.
 *
 * A signal that asks faultline to stop (run.c sets fl_agent_interrupted)
 * ends any wait for an answer, so that cleanup runs at once; the waits of
 * cleanup itself are not interruptible.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oracle/agent.h"
#include "oracle/agent_ctl.h"

volatile sig_atomic_t fl_agent_interrupted;

/* 1 readable, 0 timeout, -EINTR when @interruptible and a stop was asked. */
static int wait_readable(int fd, int timeout_ms, bool interruptible)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	if (interruptible && fl_agent_interrupted)
		return -EINTR;
	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR && !(interruptible && fl_agent_interrupted));
	return n < 0 ? -errno : n;
}

/* Why the agent's socket closed, as far as the driver can tell. */
static void describe_death(struct fl_oracle_agent *a, char *err, size_t errlen)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	wait_readable(a->pidfd, 1000, false);
	if (!waitid(P_PIDFD, (id_t)a->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid) {
		if (si.si_code == CLD_EXITED)
			snprintf(err, errlen, "agent of p%d (pid %d) exited with status %d",
				 a->proc, a->pid, si.si_status);
		else
			snprintf(err, errlen, "agent of p%d (pid %d) was killed by signal %d (%s)",
				 a->proc, a->pid, si.si_status, strsignal(si.si_status));
		return;
	}
	snprintf(err, errlen, "agent of p%d (pid %d) died", a->proc, a->pid);
}

static int recv_rep(struct fl_oracle_agent *a, struct fl_agent_rep *rp, char *err, size_t errlen)
{
	int n = wait_readable(a->sock, FL_AGENT_TIMEOUT_S * 1000, true);
	ssize_t got;

	if (n < 0) {
		snprintf(err, errlen, "waiting for the agent of p%d: %s", a->proc,
			 n == -EINTR ? "interrupted" : strerror(-n));
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "agent of p%d (pid %d) did not answer within %d s",
			 a->proc, a->pid, FL_AGENT_TIMEOUT_S);
		return -1;
	}
	do
		got = recv(a->sock, rp, sizeof(*rp), 0);
	while (got < 0 && errno == EINTR);
	/* A peer that dies with our request unread resets the connection. */
	if (got == 0 || (got < 0 && errno == ECONNRESET)) {
		describe_death(a, err, errlen);
		return -1;
	}
	if (got != (ssize_t)sizeof(*rp)) {
		snprintf(err, errlen, "agent of p%d: bad reply (%s)", a->proc,
			 got < 0 ? strerror(errno) : "short");
		return -1;
	}
	if (rp->err) {
		snprintf(err, errlen, "%s: %s", rp->what, strerror(rp->err));
		return 1;
	}
	return 0;
}

static int send_req(struct fl_oracle_agent *a, const struct fl_agent_req *rq, int fd,
		    char *err, size_t errlen)
{
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } cm;
	struct iovec iov = { .iov_base = (void *)rq, .iov_len = sizeof(*rq) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(a->sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*rq)) {
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			describe_death(a, err, errlen);
		else
			snprintf(err, errlen, "sending to the agent of p%d: %s", a->proc,
				 n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

int fl_agent_request(struct fl_oracle_agent *a, const struct fl_agent_req *rq, int fd,
		     struct fl_agent_rep *rp, char *err, size_t errlen)
{
	if (!a->alive) {
		snprintf(err, errlen, "p%d has exited", a->proc);
		return -1;
	}
	if (send_req(a, rq, fd, err, errlen))
		return -1;
	return recv_rep(a, rp, err, errlen);
}

/* Both: wait for the hello of a new agent and check it. */
static int await_hello(struct fl_oracle_agent *a, struct fl_agent_rep *rp, char *err, size_t errlen)
{
	int ret = recv_rep(a, rp, err, errlen);

	if (ret == 0 && (rp->op != AG_HELLO || rp->pid != a->pid)) {
		snprintf(err, errlen, "agent of p%d: unexpected hello", a->proc);
		ret = -1;
	}
	return ret;
}

static void child_become_agent(int sock, const struct fl_agent_setup *setup)
{
	if (sock != 3) {
		if (dup3(sock, 3, O_CLOEXEC) < 0)
			_exit(127);
		close(sock);
	}
	close_range(4, ~0u, 0);
	fl_agent_main(3, setup);
}

int fl_agent_spawn(struct fl_oracle_agent *a, int proc, const struct fl_agent_setup *setup,
		   uint64_t *arena_lo, uint64_t *arena_hi, char *err, size_t errlen)
{
	struct fl_agent_rep rep;
	int sv[2];
	pid_t pid;

	memset(a, 0, sizeof(*a));
	a->proc = proc;
	a->sock = a->pidfd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		child_become_agent(sv[1], setup);
	}
	close(sv[1]);
	a->pid = pid;
	a->sock = sv[0];
	a->alive = true;
	a->pidfd = pidfd_open(pid, 0);
	if (a->pidfd < 0) {
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		fl_agent_kill(a);
		return -1;
	}
	if (await_hello(a, &rep, err, errlen)) {
		fl_agent_kill(a);
		return -1;
	}
	*arena_lo = rep.va;
	*arena_hi = rep.va + rep.len;
	return 0;
}

int fl_agent_fork(struct fl_oracle_agent *parent, struct fl_oracle_agent *child, int proc,
		  char *err, size_t errlen)
{
	struct fl_agent_req rq = { .op = AG_FORK, .has_fd = 1, .expect_byte = -1 };
	struct fl_agent_rep rep;
	int sv[2], ret;

	memset(child, 0, sizeof(*child));
	child->proc = proc;
	child->sock = child->pidfd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	ret = fl_agent_request(parent, &rq, sv[1], &rep, err, errlen);
	close(sv[1]);
	if (ret) {
		close(sv[0]);
		return -1;
	}
	child->pid = rep.pid;
	child->sock = sv[0];
	child->alive = true;
	child->pidfd = pidfd_open(rep.pid, 0);
	if (child->pidfd < 0) {
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		close(sv[0]);
		child->alive = false;
		return -1;
	}
	if (await_hello(child, &rep, err, errlen)) {
		fl_agent_kill(child);
		return -1;
	}
	return 0;
}

static void reap_and_close(struct fl_oracle_agent *a)
{
	siginfo_t si;

	/* ECHILD: its parent agent is alive and the kernel reaped it. */
	if (a->pidfd >= 0)
		waitid(P_PIDFD, (id_t)a->pidfd, &si, WEXITED | WNOHANG);
	if (a->sock >= 0)
		close(a->sock);
	if (a->pidfd >= 0)
		close(a->pidfd);
	a->sock = a->pidfd = -1;
	a->alive = false;
}

int fl_agent_exit(struct fl_oracle_agent *a, char *err, size_t errlen)
{
	struct fl_agent_req rq = { .op = AG_EXIT, .expect_byte = -1 };

	if (!a->alive) {
		snprintf(err, errlen, "p%d has already exited", a->proc);
		return -1;
	}
	if (send_req(a, &rq, -1, err, errlen)) {
		fl_agent_kill(a);
		return -1;
	}
	if (wait_readable(a->pidfd, FL_AGENT_TIMEOUT_S * 1000, true) <= 0) {
		snprintf(err, errlen, "agent of p%d (pid %d) did not exit", a->proc, a->pid);
		fl_agent_kill(a);
		return -1;
	}
	reap_and_close(a);
	return 0;
}

void fl_agent_kill(struct fl_oracle_agent *a)
{
	if (a->pidfd >= 0 && a->alive) {
		pidfd_send_signal(a->pidfd, SIGKILL, NULL, 0);
		wait_readable(a->pidfd, FL_AGENT_TIMEOUT_S * 1000, false);
	}
	reap_and_close(a);
}
