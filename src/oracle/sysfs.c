// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs.c - a scenario's `config` line against the running kernel.
 *
 * The oracle never changes /sys/kernel/mm: THP settings are honoured per
 * process instead.
 *
 *   thp=   sysfs madvise  sysfs always                 sysfs never
 *   never  prctl disable  prctl disable                as is
 *   madvise as is         prctl disable-except-advised skip
 *   always MADV_HUGEPAGE  as is                        skip
 *          on every anonymous mapping
 *
 * PR_SET_THP_DISABLE is inherited across fork, as the scenario's setting
 * must be.  "Disable except advised" (PR_THP_DISABLE_EXCEPT_ADVISED) needs
 * Linux 6.18; where it is missing the scenario is skipped.  The
 * MADV_HUGEPAGE emulation of `always` shows in VmFlags, which faultline
 * does not compare.
 *
 * The variant keys must be what the kernel does: the defaults (Linux
 * 6.18), or on Linux 6.1 the defaults or the linux-6.1 personality.
 *
 * thp_zero_page must match use_zero_page.  fault_around_bytes other than
 * the kernel's value needs a writable debugfs; the old value is written
 * back when the scenario ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oracle/env.h"

#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define THP_ZERO	"/sys/kernel/mm/transparent_hugepage/use_zero_page"
#define FAULT_AROUND	"/sys/kernel/debug/fault_around_bytes"

#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif

static const char *const thp_names[] = { "never", "madvise", "always" };

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* "always [madvise] never" -> FL_THP_MADVISE; -1 if unreadable. */
static int thp_sysfs_mode(void)
{
	char buf[128];

	if (read_file(THP_ENABLED, buf, sizeof(buf)))
		return -1;
	for (int i = 0; i < 3; i++) {
		char want[16];

		snprintf(want, sizeof(want), "[%s]", thp_names[i]);
		if (strstr(buf, want))
			return i;
	}
	return -1;
}

/* Does this kernel know PR_THP_DISABLE_EXCEPT_ADVISED?  Asked in a child. */
static bool except_advised_supported(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(prctl(PR_SET_THP_DISABLE, 1UL, (unsigned long)PR_THP_DISABLE_EXCEPT_ADVISED,
			    0UL, 0UL) ? 1 : 0);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int apply_thp(struct fl_oracle_env *env, int want, char *reason, size_t len)
{
	int have = env->thp_sysfs = thp_sysfs_mode();

	env->thp_disable = -1;
	if (have < 0) {
		snprintf(reason, len, "cannot read %s", THP_ENABLED);
		return FL_ESKIP;
	}
	if (want == have)
		return 0;
	if (want == FL_THP_NEVER) {
		env->thp_disable = 1;
		return 0;
	}
	if (have == FL_THP_NEVER) {
		snprintf(reason, len, "config thp=%s: THP is 'never' on this kernel", thp_names[want]);
		return FL_ESKIP;
	}
	if (want == FL_THP_ALWAYS) {
		env->hugepage_all_anon = true;
		return 0;
	}
	if (!except_advised_supported()) {
		snprintf(reason, len, "config thp=madvise: THP is 'always' on this kernel and it "
			 "lacks PR_THP_DISABLE_EXCEPT_ADVISED");
		return FL_ESKIP;
	}
	env->thp_disable = 1;
	env->thp_disable_flags = PR_THP_DISABLE_EXCEPT_ADVISED;
	return 0;
}

static int apply_fault_around(struct fl_oracle_env *env, uint64_t want, char *reason, size_t len)
{
	char buf[64];
	uint64_t have = 65536;
	int fd, n;

	if (!read_file(FAULT_AROUND, buf, sizeof(buf)))
		sscanf(buf, "%" SCNu64, &have);
	if (want == have)
		return 0;
	fd = open(FAULT_AROUND, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(reason, len, "config fault_around_bytes=%" PRIu64 ": this kernel cannot "
			 "(%s: %s)", want, FAULT_AROUND, strerror(errno));
		return FL_ESKIP;
	}
	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", want);
	if (write(fd, buf, (size_t)n) != n) {
		snprintf(reason, len, "writing %s: %s", FAULT_AROUND, strerror(errno));
		close(fd);
		return FL_EFAIL;
	}
	close(fd);
	env->fa_changed = true;
	env->fa_saved = have;
	return 0;
}

/*
 * The model personality of the running kernel (fl_config_preset), or NULL
 * for one that behaves like the defaults.  Linux 6.1 predates the seeds'
 * fs-dax patches; it is the guest of `--vm`.
 */
static const char *kernel_personality(void)
{
	struct utsname u;

	if (uname(&u) || strncmp(u.release, "6.1.", 4))
		return NULL;
	return "linux-6.1";
}

struct pair {
	const char *key, *value;
};

static int pair_matches(const char *key, const char *value, void *arg)
{
	const struct pair *p = arg;

	return !strcmp(key, p->key) && fl_config_same_value(key, value, p->value);
}

/* Is KEY=VALUE one of @preset's pairs (by meaning, not spelling)? */
static bool in_personality(const char *preset, const char *key, const char *value)
{
	struct pair p = { key, value };

	return preset && fl_config_preset_each(preset, pair_matches, &p);
}

/* Room for every key of fl_config at a non-default value, as "k=v k=v". */
#define CFG_DESC_LEN 2048

/* Drop from @desc ("k=v k=v", CFG_DESC_LEN bytes) the pairs the kernel's personality has. */
static void drop_personality(char *desc)
{
	const char *kp = kernel_personality();
	char buf[CFG_DESC_LEN], *save = NULL, *tok, *eq;
	size_t used = 0;

	if (!kp || !strcmp(desc, "defaults"))
		return;
	snprintf(buf, sizeof(buf), "%s", desc);
	desc[0] = '\0';
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		if (eq) {
			*eq = '\0';
			if (in_personality(kp, tok, eq + 1))
				continue;
			*eq = '=';
		}
		used += (size_t)snprintf(desc + used, CFG_DESC_LEN - used, "%s%s", used ? " " : "",
					 tok);
	}
	if (!used)
		snprintf(desc, CFG_DESC_LEN, "defaults");
}

/*
 * The SPEC.md variants: anything but the default is not this kernel,
 * except the values of its personality (on 6.1, fsdax_refcount=one_based
 * and the rest of the linux-6.1 preset) which are what it does anyway.
 */
static int check_variants(const struct fl_oracle_env *env, const struct fl_config *cfg,
			  char *reason, size_t len)
{
	struct fl_config v = *cfg, def;
	char desc[CFG_DESC_LEN];

	fl_config_default(&def);
	v.thp = def.thp;
	v.thp_zero_page = def.thp_zero_page;
	v.fault_around_bytes = def.fault_around_bytes;
	v.ram = def.ram;
	v.pmem = def.pmem;
	if (!env->uses_dax)
		v.dax_fs_align = def.dax_fs_align;
	/*
	 * V20 fs_dax_pmd=off (no CONFIG_FS_DAX_PMD): MADV_NOHUGEPAGE on every
	 * DAX mapping keeps the kernel's DAX faults at PTE level too, since
	 * VM_NOHUGEPAGE is checked before the DAX PMD path (KERNEL-FACTS T1b).
	 */
	if (env->uses_dax)
		v.fs_dax_pmd = def.fs_dax_pmd;
	fl_config_describe(&v, desc, sizeof(desc));
	drop_personality(desc);
	if (strcmp(desc, "defaults")) {
		snprintf(reason, len, "config %s: this kernel cannot", desc);
		return FL_ESKIP;
	}
	return 0;
}

int fl_env_apply_config(struct fl_oracle_env *env, const struct fl_config *cfg,
			char *reason, size_t len)
{
	char buf[16];
	int ret;

	if ((ret = check_variants(env, cfg, reason, len)))
		return ret;
	env->dax_nohugepage = env->uses_dax && !cfg->fs_dax_pmd;
	if (!read_file(THP_ZERO, buf, sizeof(buf)) && (buf[0] == '1') != cfg->thp_zero_page) {
		snprintf(reason, len, "config thp_zero_page=%s: use_zero_page is %c on this kernel",
			 cfg->thp_zero_page ? "on" : "off", buf[0]);
		return FL_ESKIP;
	}
	if ((ret = apply_thp(env, cfg->thp, reason, len)))
		return ret;
	return apply_fault_around(env, cfg->fault_around_bytes, reason, len);
}

void fl_env_restore(struct fl_oracle_env *env)
{
	char buf[32];
	int fd, n;

	if (!env->fa_changed)
		return;
	env->fa_changed = false;
	fd = open(FAULT_AROUND, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", env->fa_saved);
	if (write(fd, buf, (size_t)n) != n)
		fprintf(stderr, "faultline oracle: could not restore %s to %" PRIu64 "\n",
			FAULT_AROUND, env->fa_saved);
	close(fd);
}
