// SPDX-License-Identifier: GPL-2.0-only
/*
 * vm.c - `--vm`: the oracle on Debian's Linux 6.1 inside QEMU.
 *
 * The machine faultline runs on may have no DAX filesystem, and its
 * kernel is newer than the one the FS-DAX seeds were found on.  With --vm
 * the scenarios run in a guest instead: scripts/vm/run.sh fetches Debian's
 * linux-image-amd64 (unpacked into a cache, never installed), builds a
 * small initramfs around a statically linked faultline, boots it under
 * QEMU with emulated pmem, and the guest's /init makes and mounts a DAX
 * filesystem and runs `faultline oracle --vm-guest` on each scenario.  Its
 * output comes back over the second serial port, framed per scenario:
 *
 *   @@fl-begin PATH      the oracle starts (stray notes follow)
 *   @@fl-out             what it printed (the observation lines)
 *   @@fl-err             its messages
 *   @@fl-end STATUS [SKIP REASON]
 *
 * and "@@fl-done" once everything ran.  This file drives the script and
 * turns that stream back into the fl_oracle_result each scenario would
 * have had from fl_oracle_run() on that kernel, so `oracle` and `check`
 * print and judge it exactly like a local run.  One boot serves every
 * scenario of a command: a TCG boot costs seconds, a scenario less.
 *
 * The guest kernel predates the seeds' fs-dax patches; check compares it
 * with the model under FL_VM_PERSONALITY, and a scenario that pins a key
 * of that preset to another value asks a question this kernel cannot
 * answer, so it is skipped rather than run (fl_vm_personality_conflict).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline/config.h"
#include "fl_build_config.h"
#include "oracle/vm.h"

#define VM_DEFAULT_CACHE "/var/tmp/faultline-vm"

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

/* A fresh run directory under the cache; names sort by time. */
static int make_workdir(char *dir, size_t len, char *why, size_t wlen)
{
	const char *cache = env_or("FAULTLINE_VM_CACHE", VM_DEFAULT_CACHE);
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	snprintf(dir, len, "%s", cache);
	mkdir(dir, 0755);
	snprintf(dir, len, "%s/runs", cache);
	mkdir(dir, 0755);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
	snprintf(dir, len, "%s/runs/%s.XXXXXX", cache, stamp);
	if (mkdtemp(dir))
		return 0;
	snprintf(why, wlen, "cannot create a run directory under %s/runs: %s", cache,
		 strerror(errno));
	return FL_EFAIL;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* The last non-empty line of run.sh's stderr, as a reason. */
static void last_line(const char *dir, char *why, size_t len)
{
	char path[600];
	char *text, *end, *start;

	snprintf(path, sizeof(path), "%s/run.err", dir);
	text = slurp(path, NULL);
	if (!text || !*text) {
		free(text);
		return;
	}
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = strrchr(text, '\n');
	snprintf(why, len, "%s", start ? start + 1 : text);
	free(text);
}

static void spawn_child(char **argv, const char *dir)
{
	char path[600];
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd >= 0)
		dup2(fd, STDOUT_FILENO);
	snprintf(path, sizeof(path), "%s/run.err", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		dup2(fd, STDERR_FILENO);
	execv(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(3);
}

/* run.sh's exit status: 0, or 2/3/4 as documented there. */
static int spawn_script(char *const *files, int n, const struct fl_vm_opts *o,
			const struct fl_run_opts *ro, const char *dir)
{
	char script[512], tmo[16], opts[64];
	char **argv = calloc((size_t)n + 16, sizeof(*argv));
	int argc = 0, status;
	pid_t pid;

	if (!argv)
		return 2;
	snprintf(script, sizeof(script), "%s/run.sh", env_or("FAULTLINE_VM_SCRIPTS", FL_VM_SCRIPTS));
	snprintf(tmo, sizeof(tmo), "%d", o->timeout > 0 ? o->timeout : 300 + 30 * n);
	snprintf(opts, sizeof(opts), "%s%s%s", ro->trace ? "--trace" : "",
		 ro->trace && ro->comparable ? "," : "", ro->comparable ? "--comparable" : "");
	argv[argc++] = script;
	argv[argc++] = "--fs";
	argv[argc++] = (char *)(o->fs ? o->fs : "ext4");
	if (o->nfit)
		argv[argc++] = "--nfit";
	argv[argc++] = "--timeout";
	argv[argc++] = tmo;
	argv[argc++] = "--workdir";
	argv[argc++] = (char *)dir;
	if (opts[0]) {
		argv[argc++] = "--oracle-opts";
		argv[argc++] = opts;
	}
	argv[argc++] = "--";
	for (int i = 0; i < n; i++)
		argv[argc++] = files[i];
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		spawn_child(argv, dir);
	free(argv);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/* One scenario's result being read back from guest.out. */
struct vm_parse {
	struct fl_vm_run *run;
	char *const *files;	/* the host's names of the scenarios */
	char gpath[512];	/* the guest's name of the current one */
	int cur;		/* scenario being read, -1 between scenarios */
	FILE *out, *err;
	FILE *sink;		/* out, err or NULL */
};

static int scn_open(struct vm_parse *p)
{
	struct fl_oracle_result *r;

	if (++p->cur >= p->run->n)
		return -1;
	r = &p->run->res[p->cur];
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	p->out = open_memstream(&r->out, &r->out_len);
	p->err = open_memstream(&r->err, &r->err_len);
	if (!p->out || !p->err)
		return -1;
	p->sink = p->err;	/* the notes before @@fl-out are messages */
	return 0;
}

/* The guest's file name in messages -> the name the user gave. */
static void rename_file(char **text, size_t *len, const char *from, const char *to)
{
	size_t flen = strlen(from), tlen = strlen(to), n = 0;
	char *out, *hit, *src = *text;

	if (!src || !flen || !strstr(src, from))
		return;
	out = malloc(*len / flen * (tlen + 1) + *len + 1);
	if (!out)
		return;
	while ((hit = strstr(src, from))) {
		memcpy(out + n, src, (size_t)(hit - src));
		n += (size_t)(hit - src);
		memcpy(out + n, to, tlen);
		n += tlen;
		src = hit + flen;
	}
	strcpy(out + n, src);
	free(*text);
	*text = out;
	*len = strlen(out);
}

static void scn_close(struct vm_parse *p, const char *end)
{
	struct fl_oracle_result *r = &p->run->res[p->cur];
	int st = FL_RUN_BAD, off = 0;

	if (end && sscanf(end, "%d %n", &st, &off) >= 1 && st == FL_RUN_SKIPPED)
		snprintf(r->skip, sizeof(r->skip), "%s", end + off);
	r->status = end ? st : FL_RUN_BAD;
	if (!end)
		fprintf(p->err, "the guest's oracle stopped before the end of this scenario "
			"(see %s/boot.log)\n", p->run->dir);
	fclose(p->out);
	fclose(p->err);
	p->out = p->err = p->sink = NULL;
	rename_file(&r->err, &r->err_len, p->gpath, p->files[p->cur]);
}

static int parse_line(struct vm_parse *p, char *line)
{
	if (!strncmp(line, "@@fl-kernel ", 12)) {
		snprintf(p->run->kernel, sizeof(p->run->kernel), "%s", line + 12);
	} else if (!strncmp(line, "@@fl-begin ", 11)) {
		if (p->out)
			scn_close(p, NULL);
		snprintf(p->gpath, sizeof(p->gpath), "%s", line + 11);
		return scn_open(p);
	} else if (p->out && !strcmp(line, "@@fl-out")) {
		p->sink = p->out;
	} else if (p->out && !strcmp(line, "@@fl-err")) {
		p->sink = p->err;
	} else if (p->out && !strncmp(line, "@@fl-end ", 9)) {
		scn_close(p, line + 9);
	} else if (p->sink) {
		fprintf(p->sink, "%s\n", line);
	}
	return 0;
}

/* guest.out -> run->res; scenarios the guest never finished are errors. */
static int parse_guest(struct fl_vm_run *run, char *const *files, char *why, size_t len)
{
	struct vm_parse p = { .run = run, .files = files, .cur = -1 };
	char path[600], *text, *line, *next;
	size_t n;

	snprintf(path, sizeof(path), "%s/guest.out", run->dir);
	text = slurp(path, &n);
	if (!text) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		return FL_EFAIL;
	}
	for (size_t i = 0, j = 0; i <= n; i++)	/* the tty may have added CRs */
		if (text[i] != '\r')
			text[j++] = text[i];
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (parse_line(&p, line))
			break;
	}
	if (p.out)
		scn_close(&p, NULL);
	free(text);
	for (int i = p.cur + 1; i < run->n; i++) {
		struct fl_oracle_result *r = &run->res[i];

		r->status = FL_RUN_BAD;
		r->out = strdup("");
		r->err = malloc(700);
		if (!r->out || !r->err)
			return FL_EFAIL;
		r->err_len = (size_t)snprintf(r->err, 700, "the guest never ran this scenario "
					      "(see %s/boot.log)\n", run->dir);
	}
	return 0;
}

int fl_vm_run(char *const *files, int n, const struct fl_vm_opts *o,
	      const struct fl_run_opts *ro, struct fl_vm_run *run, char *why, size_t len)
{
	struct timespec t0, t1;
	int st;

	memset(run, 0, sizeof(*run));
	run->res = calloc((size_t)n + 1, sizeof(*run->res));
	if (!run->res) {
		snprintf(why, len, "out of memory");
		return FL_EFAIL;
	}
	run->n = n;
	if ((st = make_workdir(run->dir, sizeof(run->dir), why, len)))
		return st;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = spawn_script(files, n, o, ro, run->dir);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run->secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (st) {
		snprintf(why, len, "the guest run failed (status %d); see %s", st, run->dir);
		last_line(run->dir, why, len);
		return st == 3 ? FL_ESKIP : FL_EFAIL;
	}
	return parse_guest(run, files, why, len);
}

void fl_vm_run_free(struct fl_vm_run *run)
{
	for (int i = 0; run->res && i < run->n; i++)
		fl_oracle_result_free(&run->res[i]);
	free(run->res);
	run->res = NULL;
	run->n = 0;
}

/* What the scenario and the --set options leave KEY at, or NULL if untouched. */
static const char *set_value(const struct scn *scn, const char *const *sets, int nsets,
			     const char *key, char *buf, size_t len)
{
	const char *v = NULL;
	size_t klen = strlen(key);

	for (int i = 0; i < scn->ncmds; i++)
		for (int j = 0; scn->cmds[i].op == SCN_CONFIG && j < scn->cmds[i].nkvs; j++)
			if (!strcmp(scn->cmds[i].kvs[j].key, key))
				v = scn->cmds[i].kvs[j].value;
	for (int i = 0; i < nsets; i++)
		if (!strncmp(sets[i], key, klen) && sets[i][klen] == '=')
			v = sets[i] + klen + 1;
	if (!v)
		return NULL;
	snprintf(buf, len, "%s", v);
	return buf;
}

struct conflict {
	const struct scn *scn;
	const char *const *sets;
	int nsets;
	const char *preset;
	char *why;
	size_t len;
};

static int conflict_one(const char *key, const char *value, void *arg)
{
	struct conflict *c = arg;
	char val[128];
	const char *v = set_value(c->scn, c->sets, c->nsets, key, val, sizeof(val));

	if (!v || fl_config_same_value(key, v, value))
		return 0;
	snprintf(c->why, c->len, "sets %s=%s; %s has %s=%s", key, v, c->preset, key, value);
	return 1;
}

int fl_vm_personality_conflict(const struct scn *scn, const char *const *sets, int nsets,
			       const char *preset, char *why, size_t len)
{
	struct conflict c = { scn, sets, nsets, preset, why, len };

	return fl_config_preset_each(preset, conflict_one, &c);
}

int fl_vm_parse_opt(struct fl_vm_opts *o, const char *cmd, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	char *end;
	long v;

	if (!strcmp(arg, "--vm-nfit")) {
		o->nfit = true;
		return 1;
	}
	if (strcmp(arg, "--vm-fs") && strcmp(arg, "--vm-timeout"))
		return 0;
	if (++*i >= argc) {
		fprintf(stderr, "faultline %s: %s needs an argument\n", cmd, arg);
		return -1;
	}
	if (!strcmp(arg, "--vm-fs")) {
		o->fs = argv[*i];
		if (strcmp(o->fs, "ext4") && strcmp(o->fs, "xfs")) {
			fprintf(stderr, "faultline %s: --vm-fs ext4 or xfs, not '%s'\n", cmd, o->fs);
			return -1;
		}
		return 1;
	}
	v = strtol(argv[*i], &end, 10);
	if (*end || v <= 0 || v > 86400) {
		fprintf(stderr, "faultline %s: --vm-timeout needs seconds, not '%s'\n", cmd, argv[*i]);
		return -1;
	}
	o->timeout = (int)v;
	return 1;
}
