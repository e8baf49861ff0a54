// SPDX-License-Identifier: GPL-2.0-only
/*
 * run.c - one scenario on the real kernel, with the khugepaged retry.
 *
 * khugepaged may collapse a PTE-mapped THP of a scenario process back into
 * a PMD between two steps (KERNEL-FACTS: about 1 run in 10 after a PMD
 * split).  Such a run observed the scheduler, not the fault path.  The
 * backend compares /proc/vmstat's thp_collapse_alloc before and after the
 * run; when it moved, the run's output is thrown away and the scenario
 * runs again on a fresh backend, up to FL_ORACLE_TRIES times, after which
 * it is reported as skipped.  The counter is system-wide, so a THP
 * collapse anywhere on the machine also voids a run: a false alarm costs
 * a retry, never a wrong answer.
 *
 * Each run's output and messages are captured (open_memstream), so that
 * only the run that counts is shown.
 *
 * SIGINT, SIGTERM and SIGHUP during a run stop it cleanly: the handler only
 * sets a flag that ends the driver's wait for its agent, the run fails,
 * the backend kills the agents and removes the files, and then the signal
 * is raised again with its old disposition, so faultline dies of it as the
 * user asked, leaving nothing behind.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oracle/agent_ctl.h"
#include "oracle/oracle.h"

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NR_STOP (sizeof(stop_signals) / sizeof(stop_signals[0]))
static volatile sig_atomic_t stop_signo;

static void on_stop(int signo)
{
	stop_signo = signo;
	fl_agent_interrupted = 1;
}

/* Catch the stop signals the caller does not ignore. */
static void catch_stops(struct sigaction *old)
{
	struct sigaction sa;

	stop_signo = 0;
	fl_agent_interrupted = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: poll() must return */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NR_STOP; i++) {
		sigaction(stop_signals[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
}

/* Put the old handlers back; die of a stop signal that came meanwhile. */
static void release_stops(const struct sigaction *old)
{
	for (size_t i = 0; i < NR_STOP; i++)
		sigaction(stop_signals[i], &old[i], NULL);
	if (stop_signo) {
		fflush(NULL);
		raise(stop_signo);
	}
}

static int capture_open(FILE **f, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	*f = open_memstream(buf, len);
	return *f ? 0 : -1;
}

static void result_reset(struct fl_oracle_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
	res->skip[0] = '\0';
}

/* One run; sets *disturbed when khugepaged collapsed something meanwhile. */
static int run_once(const struct scn *scn, const struct fl_oracle_opts *oo,
		    const struct fl_run_opts *ro, struct fl_oracle_result *res, bool *disturbed)
{
	struct fl_run_opts opts = *ro;
	struct fl_backend *b;
	FILE *out, *err;
	int st;

	*disturbed = false;
	if (capture_open(&out, &res->out, &res->out_len))
		return FL_RUN_BAD;
	if (capture_open(&err, &res->err, &res->err_len)) {
		fclose(out);
		return FL_RUN_BAD;
	}
	b = fl_oracle_backend_create(oo);
	if (!b) {
		fputs("faultline oracle: out of memory\n", err);
		st = FL_RUN_BAD;
	} else {
		b->out = out;
		opts.out = out;
		opts.err = err;
		st = fl_run_scenario(scn, b, &opts);
		*disturbed = fl_oracle_backend_void(b) && st != FL_RUN_SKIPPED;
		if (st == FL_RUN_SKIPPED)
			snprintf(res->skip, sizeof(res->skip), "%s", fl_oracle_skip_reason(b));
		b->ops->destroy(b);
	}
	fclose(out);
	fclose(err);
	return st;
}

int fl_oracle_run(const struct scn *scn, const struct fl_oracle_opts *oo,
		  const struct fl_run_opts *ro, struct fl_oracle_result *res)
{
	struct sigaction old[NR_STOP];
	bool disturbed = true;

	memset(res, 0, sizeof(*res));
	while (disturbed && res->tries < FL_ORACLE_TRIES) {
		result_reset(res);
		res->tries++;
		catch_stops(old);
		res->status = run_once(scn, oo, ro, res, &disturbed);
		release_stops(old);
		if (!res->out || !res->err) {
			result_reset(res);
			res->err = strdup("faultline oracle: out of memory\n");
			res->err_len = res->err ? strlen(res->err) : 0;
			return res->status = FL_RUN_BAD;
		}
	}
	if (disturbed) {
		result_reset(res);
		snprintf(res->skip, sizeof(res->skip),
			 "khugepaged collapsed a THP during every run");
		res->out = malloc(sizeof(res->skip) + 16);
		res->err = strdup("");
		if (res->out)
			res->out_len = (size_t)sprintf(res->out, "skipped: %s\n", res->skip);
		res->status = FL_RUN_SKIPPED;
	}
	return res->status;
}

void fl_oracle_result_free(struct fl_oracle_result *res)
{
	result_reset(res);
}

int fl_oracle_check_dir(const char *cmd, const char *opt, const char *dir)
{
	struct stat st;
	const char *why = NULL;

	if (stat(dir, &st))
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	else if (access(dir, W_OK | X_OK))
		why = strerror(errno);
	if (!why)
		return 0;
	fprintf(stderr, "faultline %s: %s %s: %s\n", cmd, opt, dir, why);
	return -1;
}
