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
#include "scenario/parser.h"

struct check_args {
	struct fl_oracle_opts oo;
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
	fputs("usage: faultline check [--dir DIR] [--dax-dir DIR] [--set KEY=VALUE]... FILE...\n"
	      "  --dir DIR        directory for fs=pagecache files on the kernel side\n"
	      "  --dax-dir DIR    a directory on a -o dax filesystem, for fs=dax files\n"
	      "  --set KEY=VALUE  override a config key in both runs\n"
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

static int check_file(const struct check_args *a, const char *path, struct tally *t)
{
	struct fl_run_opts ro = { .trace = true, .comparable = true };
	struct fl_oracle_result k, m = { 0 };
	struct scn *scn = scn_parse_file(path, stderr);
	int st;

	if (!scn) {
		printf("%s: error: bad scenario\n", path);
		return FL_RUN_BAD;
	}
	for (int i = 0; i < a->nsets; i++)
		set_one(&scn->config, a->sets[i]);	/* checked in parse_args */
	fl_oracle_run(scn, &a->oo, &ro, &k);
	if (k.status == FL_RUN_SKIPPED) {
		printf("%s: skipped: %s\n", path, k.skip[0] ? k.skip : "(no reason given)");
		t->skipped++;
		st = FL_RUN_OK;
	} else {
		run_model(scn, &ro, &m);
		st = judge(path, &m, &k, t);
	}
	fl_oracle_result_free(&k);
	fl_oracle_result_free(&m);
	scn_free(scn);
	return st;
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
	for (int i = 0; i < a.nfiles; i++)
		t.worst = worse(t.worst, check_file(&a, a.files[i], &t));
	printf("%d agree, %d differ, %d skipped\n", t.agree, t.differ, t.skipped);
	st = t.worst;
out:
	free(a.sets);
	free(a.files);
	return st;
}
