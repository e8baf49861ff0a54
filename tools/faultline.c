// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultline.c - the `faultline` command: dispatch to a subcommand.
 *
 * Every subcommand lives in a file of its own (cmd_*.c) and takes the
 * arguments after its name.  This file only picks one, and answers --help
 * and --version.  The help text is meant to be the whole reference a user
 * needs at the terminal: every subcommand, every option, the exit statuses
 * and the reason codes of --explain, the latter printed from fl_reasons[]
 * so that they cannot go stale.
 */
#include <stdio.h>
#include <string.h>

#include "base/explain.h"
#include "cli.h"
#include "fl_build_config.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "run", fl_cmd_run },
	{ "oracle", fl_cmd_oracle },
	{ "check", fl_cmd_check },
	{ "bench", fl_cmd_bench },
};

static void usage(FILE *f)
{
	fputs("usage: faultline COMMAND [OPTIONS] FILE...\n"
	      "       faultline --help | --version\n"
	      "\n"
	      "faultline is the Linux page-fault path (DAX, PFN maps, page cache, anonymous\n"
	      "memory) rebuilt in userspace.  Scenarios (*.scn, see SCENARIOS.md) drive it.\n"
	      "\n"
	      "Commands:\n"
	      "  run FILE...     run scenarios in the model\n"
	      "  oracle FILE...  run scenarios on the kernel of this machine\n"
	      "  check FILE...   run scenarios in both and diff what both can observe\n"
	      "  bench           ns per fault in the model and in this kernel, side by side\n"
	      "  COMMAND --help  the options of one command\n"
	      "\n"
	      "Options of run:\n"
	      "  --explain        print one line per fault: address, access, level tried,\n"
	      "                   handler, VM_FAULT result, then mapped=KIND or reason=CODE\n"
	      "  --trace          print a 'step LINE: COMMAND -> faults=N [signal=SIG/CODE]'\n"
	      "                   line for every access, pin and populate step\n"
	      "  --comparable     print only the observation fields the kernel knows too\n"
	      "                   (no write=, dirty=, young=, special=, refcount=)\n"
	      "  --no-check       do not check the model's invariants after every step\n"
	      "  --set KEY=VALUE  set a config key, over the scenario's config lines;\n"
	      "                   may be repeated\n"
	      "  --list-config    print every config key, its default and its values;\n"
	      "                   see 'faultline run --list-config'\n"
	      "\n"
	      "Options of oracle (needs root; otherwise every scenario is skipped):\n"
	      "  --dir DIR        fs=pagecache files go in a fresh directory under DIR\n"
	      "                   (default /var/tmp); fs=tmpfs files go under /dev/shm\n"
	      "  --dax-dir DIR    a directory on a filesystem mounted with -o dax, for fs=dax\n"
	      "                   files; without it such scenarios are skipped\n"
	      "  --trace, --comparable  as for run\n"
	      "  --verbose        more notes on stderr\n"
	      "  --vm             run in a QEMU guest: Debian's Linux 6.1, DAX on emulated\n"
	      "                   pmem, one boot for all files (needs qemu-system-x86)\n"
	      "  --vm-fs ext4|xfs, --vm-nfit, --vm-timeout SECS   the guest's filesystem,\n"
	      "                   NFIT nvdimm instead of memmap= pmem, time limit\n"
	      "\n"
	      "Options of check (prints FILE: agree | differ + a unified diff | skipped):\n"
	      "  --dir DIR, --dax-dir DIR   as for oracle\n"
	      "  --set KEY=VALUE            as for run, in both runs\n"
	      "  --vm and its options       as for oracle; the model runs under the\n"
	      "                             linux-6.1 personality\n"
	      "\n"
	      "Exit status:\n"
	      "  0  every expectation held\n"
	      "  1  an expectation failed, or check found a difference\n"
	      "  2  the scenario or the command line is wrong (or not supported)\n"
	      "  3  faultline found its own state inconsistent (a model invariant broke)\n"
	      "\n"
	      "Results in --explain lines: a VM_FAULT code (NOPAGE, FALLBACK, SIGBUS, OOM,\n"
	      "...), 0 when the handler returned 0 (handled), or SKIPPED when the level\n"
	      "was not tried at all; mapped=KIND says what got mapped.\n"
	      "\n"
	      "Reason codes of --explain (why a fault fell back to a smaller level):\n", f);
	for (int i = 0; i < FL_NR_REASONS; i++)
		if (i != FL_REASON_NONE)
			fprintf(f, "  %-18s %s\n", fl_reasons[i].code, fl_reasons[i].text);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("faultline %s\n", FL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "faultline: unknown command '%s' (try 'faultline --help')\n", argv[1]);
	return 2;
}
