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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "oracle/oracle.h"
#include "scenario/parser.h"

struct oracle_args {
	struct fl_oracle_opts oo;
	bool trace;
	char **files;
	int nfiles;
};

static void oracle_usage(FILE *f)
{
	fputs("usage: faultline oracle [--dir DIR] [--dax-dir DIR] [--trace] [--verbose] FILE...\n"
	      "  --dir DIR      make fs=pagecache files in a fresh directory under DIR\n"
	      "                 (default /var/tmp); fs=tmpfs files go under /dev/shm\n"
	      "  --dax-dir DIR  a directory on a filesystem mounted with -o dax, for fs=dax\n"
	      "                 files; without it such scenarios are skipped\n"
	      "  --trace        one 'step' line per access, pin and populate step\n"
	      "  --verbose      more notes on stderr\n"
	      "Needs root (pagemap page frame numbers, /proc/kpageflags, /proc/kpagecount);\n"
	      "otherwise every scenario is skipped.\n", f);
}

/* 0, 1 for --help, 2 after a usage error. */
static int parse_args(struct oracle_args *a, int argc, char **argv)
{
	bool options = true;

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

static int run_file(const struct oracle_args *a, const char *path)
{
	struct fl_run_opts ro = { .trace = a->trace };
	struct fl_oracle_result res;
	struct scn *scn = scn_parse_file(path, stderr);
	int st;

	if (!scn)
		return FL_RUN_BAD;
	st = fl_oracle_run(scn, &a->oo, &ro, &res);
	if (res.out)
		fwrite(res.out, 1, res.out_len, stdout);
	fflush(stdout);
	if (res.err)
		fwrite(res.err, 1, res.err_len, stderr);
	if (a->oo.verbose && res.tries > 1)
		fprintf(stderr, "%s: %d runs (khugepaged collapsed a THP during a run)\n", path,
			res.tries);
	fl_oracle_result_free(&res);
	scn_free(scn);
	return st;
}

static const char *verdict(int st)
{
	static const char *const v[] = { "ok", "FAILED", "error", "INVARIANT BROKEN", "skipped" };

	return st >= 0 && st <= FL_RUN_SKIPPED ? v[st] : "error";
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
	for (int i = 0; i < a.nfiles; i++) {
		st = run_file(&a, a.files[i]);
		if (a.nfiles > 1)
			fprintf(stderr, "%s: %s\n", a.files[i], verdict(st));
		if (st != FL_RUN_SKIPPED && st > worst)
			worst = st;
	}
	free(a.files);
	return worst;
}
