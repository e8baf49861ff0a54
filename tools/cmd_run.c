// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_run.c - `faultline run`: scenarios in the model.
 *
 *   faultline run [--explain] [--trace] [--comparable] [--no-check]
 *                 [--set KEY=VALUE]... [--list-config] FILE...
 *
 * Each file is parsed (a bad one is reported and counts as status 2, the
 * others still run), the --set overrides are applied on top of the file's
 * own config lines (the command line wins, so one scenario can be run under
 * both sides of a variant without editing it), and the scenario runs on a
 * fresh model backend.  With several files, one summary line per file goes
 * to stderr; the exit status is the worst one (3 > 2 > 1 > 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "faultline/config.h"
#include "scenario/backend.h"
#include "scenario/parser.h"
#include "scenario/runner.h"

struct run_args {
	bool explain, trace, comparable, no_check, list_config;
	const char **sets;	/* "KEY=VALUE", as given */
	int nsets;
	char **files;
	int nfiles;
};

static void run_usage(FILE *f)
{
	fputs("usage: faultline run [--explain] [--trace] [--comparable] [--no-check]\n"
	      "                     [--set KEY=VALUE]... [--list-config] FILE...\n"
	      "  --explain        one line per fault: level tried, handler, result, reason\n"
	      "  --trace          one 'step' line per access, pin and populate step\n"
	      "                   (fault count and signal)\n"
	      "  --comparable     print only the observation fields the kernel knows too\n"
	      "  --no-check       skip the model's invariant checks after every step\n"
	      "  --set KEY=VALUE  override a config key; wins over the scenario's config lines\n"
	      "  --list-config    print every config key with its default and values\n", f);
}

/* Split "KEY=VALUE" and apply it to @cfg; the message is printed on failure. */
static int apply_set(struct fl_config *cfg, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[128], msg[256];

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		fprintf(stderr, "faultline run: --set needs KEY=VALUE, not '%s'\n", kv);
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	if (fl_config_set(cfg, key, eq + 1, msg, sizeof(msg))) {
		fprintf(stderr, "faultline run: --set %s: %s\n", kv, msg);
		return -1;
	}
	return 0;
}

static int parse_flag(struct run_args *a, const char *arg)
{
	if (!strcmp(arg, "--explain"))
		a->explain = true;
	else if (!strcmp(arg, "--trace"))
		a->trace = true;
	else if (!strcmp(arg, "--comparable"))
		a->comparable = true;
	else if (!strcmp(arg, "--no-check"))
		a->no_check = true;
	else if (!strcmp(arg, "--list-config"))
		a->list_config = true;
	else
		return -1;
	return 0;
}

/* 0, 1 for --help, or 2 after printing a usage error. */
static int parse_args(struct run_args *a, int argc, char **argv)
{
	bool options = true;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options && !strcmp(arg, "--")) {
			options = false;
		} else if (options && (!strcmp(arg, "--help") || !strcmp(arg, "-h"))) {
			run_usage(stdout);
			return 1;
		} else if (options && !strcmp(arg, "--set")) {
			if (++i >= argc) {
				fputs("faultline run: --set needs KEY=VALUE\n", stderr);
				return 2;
			}
			a->sets[a->nsets++] = argv[i];
		} else if (options && !strncmp(arg, "--set=", 6)) {
			a->sets[a->nsets++] = arg + 6;
		} else if (options && arg[0] == '-' && arg[1]) {
			if (parse_flag(a, arg)) {
				fprintf(stderr, "faultline run: unknown option '%s'\n", arg);
				run_usage(stderr);
				return 2;
			}
		} else {
			a->files[a->nfiles++] = argv[i];
		}
	}
	return 0;
}

static const char *summary(int st, const struct fl_run_stats *stats, char *buf, size_t len)
{
	switch (st) {
	case FL_RUN_OK:
		return "ok";
	case FL_RUN_FAILED:
		snprintf(buf, len, "FAILED (%d expectation%s)", stats->failed,
			 stats->failed == 1 ? "" : "s");
		return buf;
	case FL_RUN_INVARIANT:
		return "INVARIANT BROKEN";
	case FL_RUN_SKIPPED:
		return "skipped";
	default:
		return "error";
	}
}

static int run_file(const struct run_args *a, const char *path, struct fl_run_stats *stats)
{
	struct fl_run_opts opts = {
		.out = stdout, .err = stderr, .explain = a->explain, .trace = a->trace,
		.comparable = a->comparable, .no_check = a->no_check, .stats = stats,
	};
	struct scn *scn = scn_parse_file(path, stderr);
	struct fl_backend *b;
	int st;

	if (!scn)
		return FL_RUN_BAD;
	for (int i = 0; i < a->nsets; i++) {
		if (apply_set(&scn->config, a->sets[i])) {
			scn_free(scn);
			return FL_RUN_BAD;
		}
	}
	b = fl_model_backend_create();
	if (!b) {
		fprintf(stderr, "faultline run: %s: the model backend is not available in this build\n",
			path);
		scn_free(scn);
		return FL_RUN_BAD;
	}
	b->explain = a->explain;
	b->out = stdout;
	b->check_each_step = !a->no_check;
	st = fl_run_scenario(scn, b, &opts);
	if (b->ops->destroy)
		b->ops->destroy(b);
	scn_free(scn);
	return st;
}

/* 3 > 2 > 1 > 0; a skipped scenario counts as neither passed nor failed. */
static int worse(int a, int b)
{
	if (b == FL_RUN_SKIPPED)
		b = FL_RUN_OK;
	return b > a ? b : a;
}

static int run_all(const struct run_args *a)
{
	int worst = FL_RUN_OK;

	for (int i = 0; i < a->nfiles; i++) {
		struct fl_run_stats stats = { 0, 0 };
		int st = run_file(a, a->files[i], &stats);
		char buf[64];

		worst = worse(worst, st);
		if (a->nfiles > 1) {
			fflush(stdout);
			fprintf(stderr, "%s: %s\n", a->files[i], summary(st, &stats, buf, sizeof(buf)));
		}
	}
	return worst;
}

int fl_cmd_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct fl_config cfg;
	int st;

	a.sets = calloc((size_t)argc + 1, sizeof(*a.sets));
	a.files = calloc((size_t)argc + 1, sizeof(*a.files));
	if (!a.sets || !a.files) {
		fputs("faultline run: out of memory\n", stderr);
		st = 2;
		goto out;
	}
	st = parse_args(&a, argc, argv);
	if (st) {
		st = st == 1 ? 0 : 2;
		goto out;
	}
	fl_config_default(&cfg);
	if (a.list_config) {
		puts("config keys (KEY DEFAULT (VALUES) [VARIANT]):");
		fl_config_print(&cfg, stdout);
		goto out;
	}
	/* Check every --set once, before any file runs. */
	for (int i = 0; i < a.nsets; i++) {
		if (apply_set(&cfg, a.sets[i])) {
			st = 2;
			goto out;
		}
	}
	if (!a.nfiles) {
		fputs("faultline run: no scenario file given\n", stderr);
		run_usage(stderr);
		st = 2;
		goto out;
	}
	st = run_all(&a);
out:
	free(a.sets);
	free(a.files);
	return st;
}
