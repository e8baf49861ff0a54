/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vm.h - scenarios on Debian's Linux 6.1 in a QEMU guest (`--vm`).
 *
 * fl_vm_run() boots the guest once (scripts/vm/run.sh), runs every given
 * scenario there with faultline's own oracle on an emulated-pmem DAX
 * filesystem, and hands back one fl_oracle_result per scenario, exactly
 * as fl_oracle_run() would have on that kernel.  The guest kernel predates
 * the seeds' fs-dax patches, so the model side of a comparison runs under
 * the FL_VM_PERSONALITY preset (fl_config_preset()).
 */
#ifndef FL_ORACLE_VM_H
#define FL_ORACLE_VM_H

#include <stdbool.h>
#include <stddef.h>

#include "oracle/oracle.h"
#include "scenario/ast.h"
#include "scenario/runner.h"

/* The model variants that match the guest's kernel. */
#define FL_VM_PERSONALITY "linux-6.1"

struct fl_vm_opts {
	const char *fs;		/* "ext4" (default) or "xfs" */
	bool nfit;		/* NFIT nvdimm + fsdax namespace, not memmap= */
	int timeout;		/* seconds for the whole boot; 0: 300 + 30 per scenario */
};

struct fl_vm_run {
	int n;
	struct fl_oracle_result *res;	/* one per scenario, in order */
	char kernel[128];		/* the guest's `uname -r` and filesystem */
	char dir[512];			/* boot.log and guest.out are kept here */
	double secs;			/* wall time of the whole run */
};

/*
 * Run @files in one guest with @ro's --trace/--comparable.  0 with
 * run->res filled; FL_ESKIP when QEMU, the kernel package or a host tool
 * is missing (@why is the skip reason); FL_EFAIL when the guest failed or
 * timed out (@why says so and names the boot log).
 */
int fl_vm_run(char *const *files, int n, const struct fl_vm_opts *o,
	      const struct fl_run_opts *ro, struct fl_vm_run *run, char *why, size_t len);
void fl_vm_run_free(struct fl_vm_run *run);

/*
 * Does @scn (or one of the @nsets --set KEY=VALUE) set a key of @preset to
 * another value than the preset has?  1 with "sets KEY=VAL; PRESET has
 * KEY=VAL2" in @why, else 0.
 */
int fl_vm_personality_conflict(const struct scn *scn, const char *const *sets, int nsets,
			       const char *preset, char *why, size_t len);

/* Parse "--vm-fs", "--vm-nfit", "--vm-timeout": 1 if @argv[*i] was one (and consumed), -1 on error, 0 otherwise. */
int fl_vm_parse_opt(struct fl_vm_opts *o, const char *cmd, int argc, char **argv, int *i);

#endif /* FL_ORACLE_VM_H */
