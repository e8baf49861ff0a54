/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agent_ctl.h - the driver's side of the agents: start, ask, fork, end.
 *
 * The driver holds one socket and one pidfd per live agent.  Every request
 * is answered within a timeout or the agent is declared lost (a scenario
 * must never hang faultline); a closed socket means the agent died, and the
 * message says how if the driver can tell.  Ending an agent always waits
 * until its memory is torn down (the pidfd turns readable after exit_mm),
 * so the next observation of another process sees the mapcounts drop.
 */
#ifndef FL_ORACLE_AGENT_CTL_H
#define FL_ORACLE_AGENT_CTL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oracle/proto.h"

struct fl_oracle_agent {
	int proc;		/* the scenario's process number */
	pid_t pid;
	int sock;		/* the driver's end, -1 when gone */
	int pidfd;
	bool alive;
};

/* Fork a new agent (p0) from the driver.  Fills the arena range. */
int fl_agent_spawn(struct fl_oracle_agent *a, int proc, const struct fl_agent_setup *setup,
		   uint64_t *arena_lo, uint64_t *arena_hi, char *err, size_t errlen);

/* One request and its reply; @fd (or -1) travels with the request. */
int fl_agent_request(struct fl_oracle_agent *a, const struct fl_agent_req *rq, int fd,
		     struct fl_agent_rep *rp, char *err, size_t errlen);

/* The agent forks; @child becomes the new agent. */
int fl_agent_fork(struct fl_oracle_agent *parent, struct fl_oracle_agent *child, int proc,
		  char *err, size_t errlen);

/* The agent exits and is gone (memory torn down) when this returns 0. */
int fl_agent_exit(struct fl_oracle_agent *a, char *err, size_t errlen);

/* SIGKILL, wait, reap, close: for cleanup, never fails. */
void fl_agent_kill(struct fl_oracle_agent *a);

/* Set from a signal handler: stop waiting for agents, clean up. */
extern volatile sig_atomic_t fl_agent_interrupted;

/* Seconds the driver waits for any answer. */
#define FL_AGENT_TIMEOUT_S 60

#endif /* FL_ORACLE_AGENT_CTL_H */
