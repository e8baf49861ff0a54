// SPDX-License-Identifier: GPL-2.0-only
/*
 * ast.c - small helpers around the parsed scenario of ast.h.
 *
 * The command structure is flat and mostly fixed-size; the only things a
 * command owns on the heap are its list of names (show, expect-counter),
 * its key=value pairs (config, expect-counter, expect-stat) and, for a
 * parallel block, the threads with their own commands.  Keeping the
 * "unset" values and the freeing in one place means the parser can build a
 * command field by field and throw it away half-built on an error.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario/ast.h"
#include "scenario/parser.h"

static const char *const op_names[SCN_NR_OPS] = {
	[SCN_CONFIG] = "config",
	[SCN_FILE] = "file",
	[SCN_PWRITE] = "pwrite",
	[SCN_TRUNCATE] = "truncate",
	[SCN_PUNCH] = "punch",
	[SCN_FSYNC] = "fsync",
	[SCN_DROP_CACHE] = "drop-cache",
	[SCN_REFLINK] = "reflink",
	[SCN_FORK] = "fork",
	[SCN_AS] = "as",
	[SCN_EXIT] = "exit",
	[SCN_MMAP] = "mmap",
	[SCN_MUNMAP] = "munmap",
	[SCN_MPROTECT] = "mprotect",
	[SCN_MADVISE] = "madvise",
	[SCN_MSYNC] = "msync",
	[SCN_MREMAP] = "mremap",
	[SCN_READ] = "read",
	[SCN_WRITE] = "write",
	[SCN_PIN] = "pin",
	[SCN_UNPIN] = "unpin",
	[SCN_DIO_READ] = "dio-read",
	[SCN_SHOW] = "show",
	[SCN_EXPECT] = "expect",
	[SCN_EXPECT_COUNTER] = "expect-counter",
	[SCN_EXPECT_STAT] = "expect-stat",
	[SCN_INJECT] = "inject",
	[SCN_PARALLEL] = "parallel",
	[SCN_SHOW_ENTRIES] = "show-entries",
};

const char *scn_op_name(enum scn_op op)
{
	if ((unsigned)op >= SCN_NR_OPS || !op_names[op])
		return "?";
	return op_names[op];
}

void scn_cmd_init(struct scn_cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->fs = SCN_FS_DAX;
	c->source = SCN_SRC_ANON;
	c->pfn_space = SCN_PFN_ABS;
	c->prot = SCN_PROT_RW;
	c->byte = -1;
	c->expect_byte = -1;
	c->faults = -1;
	c->kind = FL_KIND_NONE;
	c->level = -1;
	c->pages = -1;
	c->write = c->dirty = c->excl = -1;
	c->mapcount = c->refcount = -1;
	c->count = 1;
}

void scn_cmd_release(struct scn_cmd *c)
{
	free(c->names);
	free(c->names_loc);
	free(c->kvs);
	for (int t = 0; t < c->nthreads; t++) {
		for (int i = 0; i < c->threads[t].ncmds; i++)
			scn_cmd_release(&c->threads[t].cmds[i]);
		free(c->threads[t].cmds);
	}
	free(c->threads);
	c->names = NULL;
	c->names_loc = NULL;
	c->kvs = NULL;
	c->threads = NULL;
	c->nnames = c->nkvs = c->nthreads = 0;
}

void scn_free(struct scn *scn)
{
	if (!scn)
		return;
	for (int i = 0; i < scn->ncmds; i++)
		scn_cmd_release(&scn->cmds[i]);
	free(scn->cmds);
	for (int i = 0; i < scn->nlines; i++)
		free(scn->lines[i]);
	free(scn->lines);
	free(scn->path);
	free(scn);
}
