// SPDX-License-Identifier: GPL-2.0-only
/*
 * files.c - `file`, `pwrite`, `truncate`, `punch`, `fsync`, `drop-cache`
 * and `reflink` on real files.
 *
 * Each filesystem kind gets a fresh directory made with mkdtemp() the first
 * time the scenario needs it: under --dir (default /var/tmp) for
 * fs=pagecache, under /dev/shm for fs=tmpfs, under --dax-dir for fs=dax.
 * The directory is checked for being what the scenario asks for (a DAX
 * file must show STATX_ATTR_DAX, tmpfs must be tmpfs, a page-cache file
 * must not be), and removed with everything in it at the end, whatever
 * happened.  The driver does the file operations itself; agents only get
 * a descriptor when they map a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "oracle/files.h"
#include "scenario/backend.h"

void fl_files_init(struct fl_oracle_files *f, const char *dir, const char *dax_dir)
{
	memset(f, 0, sizeof(*f));
	f->base[SCN_FS_PAGECACHE] = dir ? dir : "/var/tmp";
	f->base[SCN_FS_TMPFS] = "/dev/shm";
	f->base[SCN_FS_DAX] = dax_dir;
}

static int skip(char *err, size_t len, const char *what, const char *dir)
{
	snprintf(err, len, "%s %s", dir, what);
	return FL_ESKIP;
}

/* Does a new file in @dir show STATX_ATTR_DAX?  @base names it to the user. */
static int check_dax(const char *base, const char *dir, char *err, size_t len)
{
	char probe[PATH_MAX + 16];
	struct statx stx;
	int fd, ret = 0;

	snprintf(probe, sizeof(probe), "%s/.probe", dir);
	fd = open(probe, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, len, "%s: %s", probe, strerror(errno));
		return FL_EFAIL;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) ||
	    !(stx.stx_attributes & STATX_ATTR_DAX))
		ret = skip(err, len, "is not on a DAX filesystem (mount it with -o dax)", base);
	close(fd);
	unlink(probe);
	return ret;
}

/* Is @dir (made in @base) what @fs promises?  0, FL_ESKIP or FL_EFAIL. */
static int check_kind(const char *base, const char *dir, enum scn_fs fs, char *err, size_t len)
{
	struct statfs sfs;

	if (statfs(dir, &sfs)) {
		snprintf(err, len, "%s: %s", dir, strerror(errno));
		return FL_EFAIL;
	}
	if (fs == SCN_FS_TMPFS && sfs.f_type != TMPFS_MAGIC)
		return skip(err, len, "is not tmpfs", base);
	if (fs == SCN_FS_PAGECACHE && sfs.f_type == TMPFS_MAGIC)
		return skip(err, len, "is tmpfs, not a disk filesystem (use --dir)", base);
	if (fs == SCN_FS_DAX)
		return check_dax(base, dir, err, len);
	return 0;
}

int fl_files_prepare_dir(struct fl_oracle_files *f, enum scn_fs fs, char *err, size_t len)
{
	char *d = f->dir[fs];
	int ret;

	if (d[0])
		return 0;
	if (!f->base[fs]) {
		snprintf(err, len, "no DAX filesystem (use --dax-dir)");
		return FL_ESKIP;
	}
	if ((size_t)snprintf(d, PATH_MAX, "%s/faultline-oracle.XXXXXX", f->base[fs]) >= PATH_MAX ||
	    !mkdtemp(d)) {
		snprintf(err, len, "cannot create a directory in %s: %s", f->base[fs],
			 strerror(errno));
		d[0] = '\0';
		return FL_EFAIL;
	}
	ret = check_kind(f->base[fs], d, fs, err, len);
	if (ret) {
		rmdir(d);
		d[0] = '\0';
	}
	return ret;
}

static struct fl_oracle_file *slot(struct fl_oracle_files *f, int idx)
{
	if (idx >= f->n) {
		struct fl_oracle_file *v = realloc(f->v, (size_t)(idx + 1) * sizeof(*v));

		if (!v)
			return NULL;
		for (int i = f->n; i <= idx; i++) {
			v[i].fd = -1;
			v[i].path[0] = '\0';
		}
		f->v = v;
		f->n = idx + 1;
	}
	return &f->v[idx];
}

int fl_files_create(struct fl_oracle_files *f, int idx, const struct scn_cmd *c,
		    char *err, size_t len)
{
	struct fl_oracle_file *file;
	int ret = fl_files_prepare_dir(f, c->fs, err, len);

	if (ret)
		return ret;
	if (idx < 0 || !(file = slot(f, idx))) {
		snprintf(err, len, "file %s: out of memory", c->name);
		return FL_EFAIL;
	}
	file->fs = c->fs;
	snprintf(file->path, sizeof(file->path), "%s/%s", f->dir[c->fs], c->name);
	file->fd = open(file->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (file->fd < 0) {
		snprintf(err, len, "%s: %s", file->path, strerror(errno));
		file->path[0] = '\0';
		return FL_EFAIL;
	}
	if (ftruncate(file->fd, (off_t)c->size)) {
		snprintf(err, len, "ftruncate %s: %s", file->path, strerror(errno));
		return FL_EFAIL;
	}
	return 0;
}

int fl_files_fd(const struct fl_oracle_files *f, int idx)
{
	return idx >= 0 && idx < f->n ? f->v[idx].fd : -1;
}

bool fl_files_is_dax(const struct fl_oracle_files *f, int idx)
{
	return idx >= 0 && idx < f->n && f->v[idx].fs == SCN_FS_DAX;
}

void fl_files_cleanup(struct fl_oracle_files *f)
{
	for (int i = 0; i < f->n; i++) {
		if (f->v[i].fd >= 0)
			close(f->v[i].fd);
		if (f->v[i].path[0] && unlink(f->v[i].path) && errno != ENOENT)
			fprintf(stderr, "faultline oracle: cannot remove %s: %s\n", f->v[i].path,
				strerror(errno));
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
	for (int fs = 0; fs < 3; fs++) {
		if (f->dir[fs][0] && rmdir(f->dir[fs]))
			fprintf(stderr, "faultline oracle: cannot remove %s: %s\n", f->dir[fs],
				strerror(errno));
		f->dir[fs][0] = '\0';
	}
}
