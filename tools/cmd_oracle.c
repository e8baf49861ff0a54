// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_oracle.c - `faultline oracle`: scenarios on the kernel of this machine.
 *
 *   faultline oracle [--dir DIR] [--dax-dir DIR] [--trace] [--verbose] FILE...
 *
 * Each file is parsed and run through the same runner as `faultline run`,
 * on the real-kernel backend (src/oracle/): every scenario process is a
 * real process, every access a real load or store, every observation read
 * from /proc.  Output and exit statuses are those of `run`; a scenario the
 * machine cannot run (not root, no DAX filesystem, a config this kernel
 * cannot honour, khugepaged interfering with every try) prints
 * "skipped: REASON" and counts as neither passed nor failed.
 *
 * --dir and --dax-dir are checked before anything runs: a directory the
 * oracle cannot write to is a command-line error, not a skip.
 *
 * --vm runs the scenarios in a QEMU guest with Debian's Linux 6.1 and a
 * DAX filesystem on emulated pmem instead (src/oracle/vm.c), one boot for
 * all of them; the guest's own faultline is this command with --vm-guest,
 * which frames each scenario's output for the host to split.  A scenario
 * that sets a key of the linux-6.1 personality to another value is skipped
 * there: that kernel cannot do what it asks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "oracle/oracle.h"
#include "oracle/vm.h"
#include "scenario/parser.h"

struct oracle_args {
	struct fl_oracle_opts oo;
	bool trace, comparable;
	bool vm, vm_guest;
	struct fl_vm_opts vo;
	char **files;
	int nfiles;
};

static void oracle_usage(FILE *f)
{
	fputs("usage: faultline oracle [--dir DIR] [--dax-dir DIR] [--trace] [--comparable]\n"
	      "                        [--verbose] [--vm [--vm-fs ext4|xfs] [--vm-nfit]\n"
	      "                        [--vm-timeout SECS]] FILE...\n"
	      "  --dir DIR      make fs=pagecache files in a fresh directory under DIR\n"
	      "                 (default /var/tmp); fs=tmpfs files go under /dev/shm\n"
	      "  --dax-dir DIR  a directory on a filesystem mounted with -o dax, for fs=dax\n"
	      "                 files; without it such scenarios are skipped\n"
	      "  --trace        one 'step' line per access, pin and populate step\n"
	      "  --comparable   only the observation fields the model knows too\n"
	      "  --verbose      more notes on stderr\n"
	      "  --vm           run them in a QEMU guest: Debian's Linux 6.1 with a DAX\n"
	      "                 filesystem on emulated pmem (one boot for all files)\n"
	      "  --vm-fs FS     the guest's DAX filesystem: ext4 (default) or xfs\n"
	      "  --vm-nfit      emulate an NFIT nvdimm instead of memmap= legacy pmem\n"
	      "  --vm-timeout S give up on the guest after S seconds\n"
	      "                 (default 300 + 30 per scenario)\n"
	      "Needs root (pagemap page frame numbers, /proc/kpageflags, /proc/kpagecount);\n"
	      "otherwise every scenario is skipped.\n", f);
}

/* 0, 1 for --help, 2 after a usage error. */
static int parse_args(struct oracle_args *a, int argc, char **argv)
{
	bool options = true;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options && !strcmp(arg, "--")) {
			options = false;
		} else if (options && (!strcmp(arg, "--help") || !strcmp(arg, "-h"))) {
			oracle_usage(stdout);
			return 1;
		} else if (options && (!strcmp(arg, "--dir") || !strcmp(arg, "--dax-dir"))) {
			if (++i >= argc) {
				fprintf(stderr, "faultline oracle: %s needs a directory\n", arg);
				return 2;
			}
			if (!strcmp(arg, "--dir"))
				a->oo.dir = argv[i];
			else
				a->oo.dax_dir = argv[i];
		} else if (options && !strcmp(arg, "--trace")) {
			a->trace = true;
		} else if (options && !strcmp(arg, "--comparable")) {
			a->comparable = true;
		} else if (options && !strcmp(arg, "--vm")) {
			a->vm = true;
		} else if (options && !strcmp(arg, "--vm-guest")) {
			a->vm_guest = true;
		} else if (options && (r = fl_vm_parse_opt(&a->vo, "oracle", argc, argv, &i))) {
			if (r < 0)
				return 2;
		} else if (options && !strcmp(arg, "--verbose")) {
			a->oo.verbose = true;
		} else if (options && arg[0] == '-' && arg[1]) {
			fprintf(stderr, "faultline oracle: unknown option '%s'\n", arg);
			oracle_usage(stderr);
			return 2;
		} else {
			a->files[a->nfiles++] = argv[i];
		}
	}
	if ((a->oo.dir && fl_oracle_check_dir("oracle", "--dir", a->oo.dir)) ||
	    (a->oo.dax_dir && fl_oracle_check_dir("oracle", "--dax-dir", a->oo.dax_dir)))
		return 2;
	return 0;
}

/* One scenario's result, as a local run prints it. */
static void print_result(const struct oracle_args *a, const char *path,
			 const struct fl_oracle_result *res)
{
	if (res->out)
		fwrite(res->out, 1, res->out_len, stdout);
	fflush(stdout);
	if (res->err)
		fwrite(res->err, 1, res->err_len, stderr);
	if (a->oo.verbose && res->tries > 1)
		fprintf(stderr, "%s: %d runs (khugepaged collapsed a THP during a run)\n", path,
			res->tries);
}

/* --vm-guest: the whole result on stdout, framed for vm.c on the host. */
static void print_framed(const struct fl_oracle_result *res)
{
	fputs("@@fl-out\n", stdout);
	if (res->out_len) {
		fwrite(res->out, 1, res->out_len, stdout);
		if (res->out[res->out_len - 1] != '\n')
			putchar('\n');
	}
	fputs("@@fl-err\n", stdout);
	if (res->err_len) {
		fwrite(res->err, 1, res->err_len, stdout);
		if (res->err[res->err_len - 1] != '\n')
			putchar('\n');
	}
	printf("@@fl-end %d %s\n", res->status,
	       res->status == FL_RUN_SKIPPED ? res->skip : "");
	fflush(stdout);
}

static int run_file(const struct oracle_args *a, const char *path)
{
	struct fl_run_opts ro = { .trace = a->trace, .comparable = a->comparable };
	struct fl_oracle_result res;
	struct scn *scn;
	int st;

	if (a->vm_guest) {
		printf("@@fl-begin %s\n", path);
		fflush(stdout);
		dup2(STDOUT_FILENO, STDERR_FILENO);	/* stray notes go to the frame too */
	}
	scn = scn_parse_file(path, stderr);
	if (!scn) {
		if (a->vm_guest)
			printf("@@fl-out\n@@fl-err\n@@fl-end %d\n", FL_RUN_BAD);
		return FL_RUN_BAD;
	}
	st = fl_oracle_run(scn, &a->oo, &ro, &res);
	if (a->vm_guest)
		print_framed(&res);
	else
		print_result(a, path, &res);
	fl_oracle_result_free(&res);
	scn_free(scn);
	return st;
}

static const char *verdict(int st)
{
	static const char *const v[] = { "ok", "FAILED", "error", "INVARIANT BROKEN", "skipped" };

	return st >= 0 && st <= FL_RUN_SKIPPED ? v[st] : "error";
}

static int worse(int worst, int st)
{
	return st != FL_RUN_SKIPPED && st > worst ? st : worst;
}

/* A scenario --vm does not send to the guest: unparsable or against 6.1. */
static int vm_precheck(const char *path, char *why, size_t len)
{
	struct scn *scn = scn_parse_file(path, stderr);
	int st = FL_RUN_OK;

	if (!scn)
		return FL_RUN_BAD;
	if (fl_vm_personality_conflict(scn, NULL, 0, FL_VM_PERSONALITY, why, len))
		st = FL_RUN_SKIPPED;
	scn_free(scn);
	return st;
}

/* --vm: every runnable file in one guest, then printed in order. */
static int run_vm(const struct oracle_args *a)
{
	struct fl_run_opts ro = { .trace = a->trace, .comparable = a->comparable };
	struct fl_vm_run run = { 0 };
	char **send = calloc((size_t)a->nfiles + 1, sizeof(*send));
	int *pre = calloc((size_t)a->nfiles + 1, sizeof(*pre));
	char (*why)[256] = calloc((size_t)a->nfiles + 1, sizeof(*why));
	char msg[1024];
	int nsend = 0, worst = FL_RUN_OK, st, k = 0;

	if (!send || !pre || !why) {
		fputs("faultline oracle: out of memory\n", stderr);
		worst = 2;
		goto out;
	}
	for (int i = 0; i < a->nfiles; i++)
		if ((pre[i] = vm_precheck(a->files[i], why[i], sizeof(why[i]))) == FL_RUN_OK)
			send[nsend++] = a->files[i];
	st = nsend ? fl_vm_run(send, nsend, &a->vo, &ro, &run, msg, sizeof(msg)) : FL_OK;
	if (st == FL_EFAIL) {
		fprintf(stderr, "faultline oracle: --vm: %s\n", msg);
		worst = 2;
		goto out;
	}
	if (nsend && st == FL_OK)
		fprintf(stderr, "guest: Linux %s, %.1f s; logs in %s\n", run.kernel, run.secs, run.dir);
	for (int i = 0; i < a->nfiles; i++) {
		int s = pre[i];

		if (s == FL_RUN_OK && st == FL_ESKIP) {
			printf("skipped: %s\n", msg);
			s = FL_RUN_SKIPPED;
		} else if (s == FL_RUN_SKIPPED) {
			printf("skipped: %s\n", why[i]);
		} else if (s == FL_RUN_OK) {
			print_result(a, a->files[i], &run.res[k]);
			s = run.res[k++].status;
		}
		fflush(stdout);
		if (a->nfiles > 1)
			fprintf(stderr, "%s: %s\n", a->files[i], verdict(s));
		worst = worse(worst, s);
	}
out:
	fl_vm_run_free(&run);
	free(send);
	free(pre);
	free(why);
	return worst;
}

int fl_cmd_oracle(int argc, char **argv)
{
	struct oracle_args a = { 0 };
	int st, worst = FL_RUN_OK;

	a.files = calloc((size_t)argc + 1, sizeof(*a.files));
	if (!a.files) {
		fputs("faultline oracle: out of memory\n", stderr);
		return 2;
	}
	st = parse_args(&a, argc, argv);
	if (st || !a.nfiles) {
		if (!st) {
			fputs("faultline oracle: no scenario file given\n", stderr);
			oracle_usage(stderr);
		}
		free(a.files);
		return st == 1 ? 0 : 2;
	}
	if (a.vm) {
		worst = run_vm(&a);
		free(a.files);
		return worst;
	}
	for (int i = 0; i < a.nfiles; i++) {
		st = run_file(&a, a.files[i]);
		if (a.nfiles > 1 && !a.vm_guest)
			fprintf(stderr, "%s: %s\n", a.files[i], verdict(st));
		worst = worse(worst, st);
	}
	free(a.files);
	return worst;
}
