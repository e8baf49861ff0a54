// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_check.c - `faultline check`: the model against the kernel.
 *
 *   faultline check [--dir DIR] [--dax-dir DIR] [--set KEY=VALUE]... FILE...
 *
 * Each scenario runs twice with step tracing on and only the fields both
 * producers know (--trace --comparable): on the real kernel first (while
 * this process is still small, since every agent is forked from it), then
 * in the model.  What each printed is captured and compared line by line:
 * the observation lines, the counters, and one "step" line per access with
 * its fault count and signal.  Equal output prints "FILE: agree"; a
 * scenario the kernel cannot run here prints "FILE: skipped: REASON"; any
 * difference prints "FILE: differ" and a unified diff from the model
 * ("--- model") to the kernel ("+++ kernel").
 *
 * With --vm the kernel side is Debian's Linux 6.1 in a QEMU guest with a
 * DAX filesystem on emulated pmem (src/oracle/vm.c): one boot runs every
 * scenario, then the model runs each of them under the linux-6.1 kernel
 * personality (fl_config_preset), which a header line names.  A scenario
 * that sets a key of that personality to another value asks something 6.1
 * cannot answer and is skipped ("sets KEY=VAL; linux-6.1 has KEY=VAL2").
 * QEMU or the kernel package missing skips every scenario; a guest that
 * fails or times out is an error (exit 2) naming its boot log.
 *
 * A failed expectation in either run is reported under the file's line
 * but is not a difference by itself: the diff is the verdict.  The last
 * line counts the verdicts; the exit status is 1 if anything differs, 2
 * for a bad scenario or a run that could not finish, 3 if the model broke
 * an invariant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "faultline/config.h"
#include "oracle/diff.h"
#include "oracle/oracle.h"
#include "oracle/vm.h"
#include "scenario/parser.h"

struct check_args {
	struct fl_oracle_opts oo;
	bool vm;
	struct fl_vm_opts vo;
	const char **sets;
	int nsets;
	char **files;
	int nfiles;
};

struct tally {
	int agree, differ, skipped, worst;
};

static void check_usage(FILE *f)
{
	fputs("usage: faultline check [--dir DIR] [--dax-dir DIR] [--set KEY=VALUE]...\n"
	      "                       [--vm [--vm-fs ext4|xfs] [--vm-nfit] [--vm-timeout SECS]]\n"
	      "                       FILE...\n"
	      "  --dir DIR        directory for fs=pagecache files on the kernel side\n"
	      "  --dax-dir DIR    a directory on a -o dax filesystem, for fs=dax files\n"
	      "  --set KEY=VALUE  override a config key in both runs\n"
	      "  --vm             the kernel side is Debian's Linux 6.1 in a QEMU guest with\n"
	      "                   a DAX filesystem on emulated pmem (one boot for all files);\n"
	      "                   the model runs under the linux-6.1 personality\n"
	      "  --vm-fs FS       the guest's DAX filesystem: ext4 (default) or xfs\n"
	      "  --vm-nfit        emulate an NFIT nvdimm instead of memmap= legacy pmem\n"
	      "  --vm-timeout S   give up on the guest after S seconds\n"
	      "                   (default 300 + 30 per scenario)\n"
	      "Prints 'FILE: agree', 'FILE: skipped: REASON' or 'FILE: differ' and a unified\n"
	      "diff (--- model, +++ kernel), then 'N agree, N differ, N skipped'.\n", f);
}

static int set_one(struct fl_config *cfg, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[128], msg[256];

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		fprintf(stderr, "faultline check: --set needs KEY=VALUE, not '%s'\n", kv);
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	if (fl_config_set(cfg, key, eq + 1, msg, sizeof(msg))) {
		fprintf(stderr, "faultline check: --set %s: %s\n", kv, msg);
		return -1;
	}
	return 0;
}

/* 0, 1 for --help, 2 after a usage error. */
static int parse_args(struct check_args *a, int argc, char **argv)
{
	struct fl_config cfg;
	int r;

	fl_config_default(&cfg);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			check_usage(stdout);
			return 1;
		} else if (!strcmp(arg, "--dir") || !strcmp(arg, "--dax-dir") || !strcmp(arg, "--set")) {
			if (++i >= argc) {
				fprintf(stderr, "faultline check: %s needs an argument\n", arg);
				return 2;
			}
			if (!strcmp(arg, "--dir"))
				a->oo.dir = argv[i];
			else if (!strcmp(arg, "--dax-dir"))
				a->oo.dax_dir = argv[i];
			else if (set_one(&cfg, argv[i]))
				return 2;
			else
				a->sets[a->nsets++] = argv[i];
		} else if (!strcmp(arg, "--vm")) {
			a->vm = true;
		} else if ((r = fl_vm_parse_opt(&a->vo, "check", argc, argv, &i))) {
			if (r < 0)
				return 2;
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "faultline check: unknown option '%s'\n", arg);
			check_usage(stderr);
			return 2;
		} else {
			a->files[a->nfiles++] = argv[i];
		}
	}
	if ((a->oo.dir && fl_oracle_check_dir("check", "--dir", a->oo.dir)) ||
	    (a->oo.dax_dir && fl_oracle_check_dir("check", "--dax-dir", a->oo.dax_dir)))
		return 2;
	return 0;
}

/* The model's run, captured like the kernel's. */
static int run_model(const struct scn *scn, const struct fl_run_opts *ro,
		     struct fl_oracle_result *res)
{
	struct fl_run_opts opts = *ro;
	struct fl_backend *b = fl_model_backend_create();
	FILE *out, *err;

	memset(res, 0, sizeof(*res));
	out = open_memstream(&res->out, &res->out_len);
	err = open_memstream(&res->err, &res->err_len);
	if (!out || !err || !b) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		if (b)
			b->ops->destroy(b);
		fl_oracle_result_free(res);
		res->err = strdup(b ? "out of memory\n"
				    : "the model backend is not available in this build\n");
		res->err_len = res->err ? strlen(res->err) : 0;
		return res->status = FL_RUN_BAD;
	}
	b->out = out;
	b->check_each_step = true;
	opts.out = out;
	opts.err = err;
	res->status = fl_run_scenario(scn, b, &opts);
	b->ops->destroy(b);
	fclose(out);
	fclose(err);
	return res->status;
}

/* Every line of @text, indented and labelled, to stdout. */
static void report(const char *who, const char *text)
{
	while (text && *text) {
		const char *nl = strchr(text, '\n');
		int n = nl ? (int)(nl - text) : (int)strlen(text);

		printf("  %s: %.*s\n", who, n, text);
		text += n + (nl ? 1 : 0);
	}
}

static int worse(int a, int b)
{
	return b > a ? b : a;
}

/* Both runs done: judge and print. Returns the file's exit status. */
static int judge(const char *path, struct fl_oracle_result *m, struct fl_oracle_result *k,
		 struct tally *t)
{
	int d;

	if (m->status == FL_RUN_BAD || m->status == FL_RUN_INVARIANT || k->status == FL_RUN_BAD) {
		printf("%s: error\n", path);
		report("model", m->err);
		report("kernel", k->err);
		return m->status == FL_RUN_INVARIANT ? FL_RUN_INVARIANT : FL_RUN_BAD;
	}
	d = fl_diff(NULL, "model", m->out, "kernel", k->out);
	if (d < 0) {
		printf("%s: error\n  out of memory\n", path);
		return FL_RUN_BAD;
	}
	printf("%s: %s\n", path, d ? "differ" : "agree");
	if (d) {
		fflush(stdout);
		fl_diff(stdout, "model", m->out, "kernel", k->out);
		t->differ++;
	} else {
		t->agree++;
	}
	if (m->status == FL_RUN_FAILED)
		report("model", m->err);
	if (k->status == FL_RUN_FAILED)
		report("kernel", k->err);
	return d ? FL_RUN_FAILED : FL_RUN_OK;
}

#define CHECK_RUN_OPTS { .trace = true, .comparable = true }

/* The kernel's side is in @k: run the model, judge, print. */
static int check_against(const char *path, const struct scn *scn, struct fl_oracle_result *k,
			 struct tally *t)
{
	struct fl_run_opts ro = CHECK_RUN_OPTS;
	struct fl_oracle_result m = { 0 };
	int st;

	if (k->status == FL_RUN_SKIPPED) {
		printf("%s: skipped: %s\n", path, k->skip[0] ? k->skip : "(no reason given)");
		t->skipped++;
		return FL_RUN_OK;
	}
	run_model(scn, &ro, &m);
	st = judge(path, &m, k, t);
	fl_oracle_result_free(&m);
	return st;
}

static int check_file(const struct check_args *a, const char *path, struct tally *t)
{
	struct fl_run_opts ro = CHECK_RUN_OPTS;
	struct fl_oracle_result k;
	struct scn *scn = scn_parse_file(path, stderr);
	int st;

	if (!scn) {
		printf("%s: error: bad scenario\n", path);
		return FL_RUN_BAD;
	}
	for (int i = 0; i < a->nsets; i++)
		set_one(&scn->config, a->sets[i]);	/* checked in parse_args */
	fl_oracle_run(scn, &a->oo, &ro, &k);
	st = check_against(path, scn, &k, t);
	fl_oracle_result_free(&k);
	scn_free(scn);
	return st;
}

/* --vm, per file: parsed, skipped for the personality, or sent to the guest. */
struct vm_file {
	struct scn *scn;
	char skip[256];
	int res;		/* index in the guest's results, -1: not sent */
};

/* Parse every file and pick those the guest runs; returns how many. */
static int vm_prepare(const struct check_args *a, struct vm_file *vf, char **send)
{
	char msg[256];
	int n = 0;

	for (int i = 0; i < a->nfiles; i++) {
		vf[i].res = -1;
		if (!(vf[i].scn = scn_parse_file(a->files[i], stderr)))
			continue;
		if (fl_vm_personality_conflict(vf[i].scn, a->sets, a->nsets, FL_VM_PERSONALITY,
					       vf[i].skip, sizeof(vf[i].skip)))
			continue;
		if (fl_config_preset(&vf[i].scn->config, FL_VM_PERSONALITY, msg, sizeof(msg))) {
			snprintf(vf[i].skip, sizeof(vf[i].skip), "%s", msg);
			continue;
		}
		for (int s = 0; s < a->nsets; s++)
			set_one(&vf[i].scn->config, a->sets[s]);
		vf[i].res = n;
		send[n++] = a->files[i];
	}
	return n;
}

/* The verdict of file @i after the guest ran (@st: fl_vm_run's result). */
static int vm_judge(const struct check_args *a, struct vm_file *f, int i, int st,
		    const char *msg, struct fl_vm_run *run, struct tally *t)
{
	const char *path = a->files[i];

	if (!f->scn) {
		printf("%s: error: bad scenario\n", path);
		return FL_RUN_BAD;
	}
	if (f->res < 0 || st == FL_ESKIP) {
		printf("%s: skipped: %s\n", path, f->res < 0 ? f->skip : msg);
		t->skipped++;
		return FL_RUN_OK;
	}
	return check_against(path, f->scn, &run->res[f->res], t);
}

/* -1 if the guest failed (after a message), else the worst file status. */
static int check_vm(const struct check_args *a, struct tally *t)
{
	struct fl_run_opts ro = CHECK_RUN_OPTS;
	struct vm_file *vf = calloc((size_t)a->nfiles, sizeof(*vf));
	char **send = calloc((size_t)a->nfiles + 1, sizeof(*send));
	struct fl_vm_run run = { 0 };
	char msg[1024];
	int n, st = FL_OK;

	if (!vf || !send) {
		fputs("faultline check: out of memory\n", stderr);
		free(vf);
		free(send);
		return FL_RUN_BAD;
	}
	printf("kernel personality: %s (%s)\n", FL_VM_PERSONALITY,
	       fl_config_preset_keys(FL_VM_PERSONALITY));
	fflush(stdout);
	n = vm_prepare(a, vf, send);
	if (n)
		st = fl_vm_run(send, n, &a->vo, &ro, &run, msg, sizeof(msg));
	if (st == FL_EFAIL) {
		fprintf(stderr, "faultline check: --vm: %s\n", msg);
		st = -1;
	} else {
		if (n && st == FL_OK)
			printf("guest: Linux %s, %.1f s; logs in %s\n", run.kernel, run.secs, run.dir);
		if (n && st == FL_OK && strncmp(run.kernel, "6.1.", 4))
			printf("note: the guest is not Linux 6.1; %s may not fit it\n",
			       FL_VM_PERSONALITY);
		for (int i = 0; i < a->nfiles; i++)
			t->worst = worse(t->worst, vm_judge(a, &vf[i], i, st, msg, &run, t));
	}
	for (int i = 0; i < a->nfiles; i++)
		scn_free(vf[i].scn);
	fl_vm_run_free(&run);
	free(vf);
	free(send);
	return st < 0 ? -1 : t->worst;
}

int fl_cmd_check(int argc, char **argv)
{
	struct check_args a = { 0 };
	struct tally t = { 0 };
	int st;

	a.sets = calloc((size_t)argc + 1, sizeof(*a.sets));
	a.files = calloc((size_t)argc + 1, sizeof(*a.files));
	if (!a.sets || !a.files) {
		fputs("faultline check: out of memory\n", stderr);
		st = 2;
		goto out;
	}
	st = parse_args(&a, argc, argv);
	if (st || !a.nfiles) {
		if (!st) {
			fputs("faultline check: no scenario file given\n", stderr);
			check_usage(stderr);
		}
		st = st == 1 ? 0 : 2;
		goto out;
	}
	if (a.vm && check_vm(&a, &t) < 0) {
		st = FL_RUN_BAD;	/* the guest failed: no verdicts to count */
		goto out;
	}
	for (int i = 0; !a.vm && i < a.nfiles; i++)
		t.worst = worse(t.worst, check_file(&a, a.files[i], &t));
	printf("%d agree, %d differ, %d skipped\n", t.agree, t.differ, t.skipped);
	st = t.worst;
out:
	free(a.sets);
	free(a.files);
	return st;
}
