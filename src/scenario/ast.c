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
#include <stdio.h>
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
	[SCN_CALL] = "call",
	[SCN_POKE] = "poke",
	[SCN_EXPECT_STOP] = "expect-stop",
};

static const char *const fn_names[SCN_NR_FNS] = {
	[SCN_FN_VM_NORMAL_PAGE] = "vm_normal_page",
	[SCN_FN_VM_NORMAL_PAGE_PMD] = "vm_normal_page_pmd",
	[SCN_FN_VM_NORMAL_PAGE_PUD] = "vm_normal_page_pud",
	[SCN_FN_FOLIO_WALK_START] = "folio_walk_start",
	[SCN_FN_INSERT_PFN] = "vmf_insert_pfn",
	[SCN_FN_INSERT_MIXED] = "vmf_insert_mixed",
	[SCN_FN_INSERT_MIXED_MKWRITE] = "vmf_insert_mixed_mkwrite",
	[SCN_FN_INSERT_PFN_PMD] = "vmf_insert_pfn_pmd",
	[SCN_FN_INSERT_PFN_PUD] = "vmf_insert_pfn_pud",
	[SCN_FN_INSERT_PAGE_MKWRITE] = "vmf_insert_page_mkwrite",
	[SCN_FN_INSERT_FOLIO_PMD] = "vmf_insert_folio_pmd",
	[SCN_FN_INSERT_FOLIO_PUD] = "vmf_insert_folio_pud",
	[SCN_FN_REMAP_PFN_RANGE] = "remap_pfn_range",
	[SCN_FN_HANDLE_MM_FAULT] = "handle_mm_fault",
	[SCN_FN_HUGE_FAULT] = "huge_fault",
	[SCN_FN_HANDLE_PTE_FAULT] = "handle_pte_fault",
	[SCN_FN_DO_FAULT] = "do_fault",
};

const char *scn_fn_name(enum scn_fn fn)
{
	if ((unsigned)fn >= SCN_NR_FNS)
		return "?";
	return fn_names[fn];
}

enum scn_fn scn_fn_lookup(const char *s, size_t len)
{
	for (int fn = 0; fn < SCN_NR_FNS; fn++)
		if (strlen(fn_names[fn]) == len && !memcmp(fn_names[fn], s, len))
			return (enum scn_fn)fn;
	return SCN_NR_FNS;
}

/* Most telling first, as --explain names a result; MAJOR last. */
static const struct { const char *name; unsigned int bit; } vmf_names[] = {
	{ "OOM", SCN_VMF_OOM }, { "SIGBUS", SCN_VMF_SIGBUS }, { "SIGSEGV", SCN_VMF_SIGSEGV },
	{ "FALLBACK", SCN_VMF_FALLBACK }, { "RETRY", SCN_VMF_RETRY },
	{ "NOPAGE", SCN_VMF_NOPAGE }, { "LOCKED", SCN_VMF_LOCKED },
	{ "DONE_COW", SCN_VMF_DONE_COW }, { "NEEDDSYNC", SCN_VMF_NEEDDSYNC },
	{ "COMPLETED", SCN_VMF_COMPLETED }, { "MAJOR", SCN_VMF_MAJOR },
};

int scn_vm_fault_format(unsigned int bits, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(vmf_names) / sizeof(vmf_names[0]); i++) {
		if (!(bits & vmf_names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? "|" : "", vmf_names[i].name);
		bits &= ~vmf_names[i].bit;
	}
	if (bits)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s0x%x",
					 used ? "|" : "", bits);
	if (!used)
		snprintf(buf, len, "0");
	return 0;
}

/* The bit set named by "NOPAGE|MAJOR" (or "0"); -1 for an unknown name. */
long scn_vm_fault_parse(const char *s, size_t len)
{
	long bits = 0;

	if (len == 1 && s[0] == '0')
		return 0;
	while (len) {
		const char *bar = memchr(s, '|', len);
		size_t w = bar ? (size_t)(bar - s) : len;
		size_t i;

		for (i = 0; i < sizeof(vmf_names) / sizeof(vmf_names[0]); i++)
			if (strlen(vmf_names[i].name) == w && !memcmp(vmf_names[i].name, s, w))
				break;
		if (!w || i == sizeof(vmf_names) / sizeof(vmf_names[0]))
			return -1;
		bits |= vmf_names[i].bit;
		if (!bar)
			break;
		len -= w + 1;
		s = bar + 1;
		if (!len)
			return -1;
	}
	return bits;
}

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
	free(c->call);
	c->call = NULL;
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
