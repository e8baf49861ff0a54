/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the subcommands of the faultline command.  Each takes the
 * arguments after its own name (argv[0] is the subcommand) and returns the
 * process exit status.
 */
#ifndef FL_TOOLS_CLI_H
#define FL_TOOLS_CLI_H

int fl_cmd_run(int argc, char **argv);
int fl_cmd_oracle(int argc, char **argv);
int fl_cmd_check(int argc, char **argv);
int fl_cmd_bench(int argc, char **argv);

#endif /* FL_TOOLS_CLI_H */
