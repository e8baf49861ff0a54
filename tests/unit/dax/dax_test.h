/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dax_test.h - fixtures of the FS-DAX unit tests: a machine with pmem and
 * a mounted DAX filesystem.
 *
 * dax_machine_up() brings up 64 MiB of RAM and TEST_PMEM of pmem over an
 * unlinked temporary file (SPEC.md section 4's DAXF: frames after RAM, a
 * FS_DAX pgmap), then mounts the filesystem.  dax_machine_down() is also
 * a leak test: every block must be free and every file gone
 * (daxfs_check_final()), then core_test.h's machine_down() proves every
 * frame, table and model object free (fl_check_final()).
 */
#ifndef FL_TESTS_DAX_TEST_H
#define FL_TESTS_DAX_TEST_H

#include "../core/core_test.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "dax/entry.h"
#include "fs/daxfs.h"
#include "fs/pmem.h"

#define TEST_PMEM	(64ull << 20)
#define TEST_PMEM_PAGES	(TEST_PMEM >> PAGE_SHIFT)

static struct daxfs *test_fs __attribute__((unused));

static inline void dax_test_config(struct fl_config *cfg)
{
	test_config(cfg);
	cfg->pmem = TEST_PMEM;
}

static inline int dax_machine_up_with(const struct fl_config *cfg)
{
	if (machine_up_with(cfg))
		return -1;
	if (pmem_init()) {
		fprintf(stderr, "pmem_init: %s\n", strerror(errno));
		phys_exit();
		return -1;
	}
	test_fs = daxfs_mount();
	if (!test_fs) {
		pmem_exit();
		phys_exit();
		return -1;
	}
	return 0;
}

static inline int dax_machine_up(void **state)
{
	struct fl_config cfg;

	(void)state;
	dax_test_config(&cfg);
	return dax_machine_up_with(&cfg);
}

static inline int dax_machine_down(void **state)
{
	int rc = 0;

	if (test_fs) {
		rc |= daxfs_check_final(test_fs, stderr);
		daxfs_unmount(test_fs);
		test_fs = NULL;
	}
	pmem_exit();
	rc |= machine_down(state);
	return rc;
}

/*
 * A machine for @cfg with one mm, registered for DAX unmaps, and an empty
 * DAX file of @size; dax_test_teardown() undoes it and checks for leaks.
 */
static inline struct daxfs_file *dax_test_setup(const struct fl_config *cfg,
						struct mm_struct **mm, uint64_t size)
{
	struct daxfs_file *f;

	assert_int_equal(dax_machine_up_with(cfg), 0);
	*mm = test_mm_alloc();
	dax_set_mms(test_mms, MAX_TEST_MMS);
	f = dax_file_create(test_fs, "f", size);
	assert_non_null(f);
	return f;
}

static inline void dax_test_teardown(struct daxfs_file *f)
{
	test_mmput_leftovers();
	dax_file_put(f);
	dax_set_mms(NULL, 0);
	assert_int_equal(dax_machine_down(NULL), 0);
}

#endif /* FL_TESTS_DAX_TEST_H */
