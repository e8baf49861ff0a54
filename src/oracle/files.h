/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * files.h - the scenario's files, on real filesystems (driver side).
 */
#ifndef FL_ORACLE_FILES_H
#define FL_ORACLE_FILES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "scenario/ast.h"

struct fl_oracle_file {
	char path[PATH_MAX];
	int fd;			/* -1 if not created */
	enum scn_fs fs;
};

struct fl_oracle_files {
	const char *base[3];		/* per enum scn_fs: where to make the directory */
	char dir[3][PATH_MAX];		/* per enum scn_fs: our fresh directory, or "" */
	struct fl_oracle_file *v;
	int n;
};

/* @dir, @dax_dir: the user's --dir / --dax-dir, or NULL for the defaults. */
void fl_files_init(struct fl_oracle_files *f, const char *dir, const char *dax_dir);

/* Make the fresh directory for @fs now (to fail early); FL_OK/FL_ESKIP/FL_EFAIL. */
int fl_files_prepare_dir(struct fl_oracle_files *f, enum scn_fs fs, char *err, size_t len);

int fl_files_create(struct fl_oracle_files *f, int idx, const struct scn_cmd *c,
		    char *err, size_t len);
/* pwrite, truncate, punch, fsync, drop-cache, reflink (@idx2 = DST). */
int fl_files_op(struct fl_oracle_files *f, int idx, int idx2, const struct scn_cmd *c,
		char *err, size_t len);
int fl_files_fd(const struct fl_oracle_files *f, int idx);
bool fl_files_is_dax(const struct fl_oracle_files *f, int idx);

/* Close and unlink every file, remove the directories. Never fails. */
void fl_files_cleanup(struct fl_oracle_files *f);

#endif /* FL_ORACLE_FILES_H */
