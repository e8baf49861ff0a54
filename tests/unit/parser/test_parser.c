// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_parser.c - the scenario front end: lexer, parser and static pass.
 *
 * Three kinds of test.  A table of malformed scenarios, each with the exact
 * LINE:COL the error must point at and a piece of the message: this is the
 * user interface of the parser, so it is pinned down case by case.  Well-
 * formed scenarios using every command, with the AST fields checked.  And a
 * mutation loop: a valid scenario damaged at random 2000 times (the seed
 * is printed; FL_FUZZ_SEED=N repeats a run) must never crash the parser,
 * which the sanitizer build turns into a memory-safety check.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scenario/parser.h"

/* Parse @text; return the scenario and leave the error text in *msg. */
static struct scn *parse(const char *text, char **msg)
{
	size_t len = 0;
	FILE *f = open_memstream(msg, &len);
	struct scn *scn;

	assert_non_null(f);
	scn = scn_parse_string("t.scn", text, f);
	fclose(f);
	return scn;
}

struct bad_case {
	const char *text;
	int line, col;
	const char *msg;
};

#define M8 "mmap m 8K anon private rw\n"

static const struct bad_case bad_cases[] = {
	/* lexical */
	{ M8 "read m\x01", 2, 7, "unexpected character 0x01" },
	{ "\xc3\xa9t\xc3\xa9", 1, 1, "unexpected character 0xc3" },
	{ "read\rm", 1, 5, "carriage return" },
	{ "read m\x1b[0m", 1, 7, "unexpected character 0x1b" },
	{ M8 "read m+9K\r\n", 2, 6, "outside mapping m" },
	/* commands and operands */
	{ "bogus x", 1, 1, "unknown command 'bogus'" },
	{ "   mmap", 1, 4, "missing mapping name for mmap" },
	{ "mmap m", 1, 1, "missing length for mmap" },
	{ "mmap m 4K", 1, 1, "missing source" },
	{ "mmap m 4K anon", 1, 1, "missing sharing" },
	{ "mmap m 4K anon private", 1, 1, "missing protection" },
	{ "mmap m 4K anon privat rw", 1, 16, "bad sharing 'privat'" },
	{ "mmap m 4K anon private rx", 1, 24, "bad protection 'rx'" },
	{ "mmap m 4K anno private rw", 1, 11, "bad mapping source 'anno'" },
	{ "mmap m 4Q anon private rw", 1, 8, "bad size '4Q'" },
	{ "mmap m 0x anon private rw", 1, 8, "bad size '0x'" },
	{ "mmap m 2M+ anon private rw", 1, 8, "bad size" },
	{ "mmap m 0 anon private rw", 1, 8, "mapping length must not be 0" },
	{ "mmap m 5K anon private rw", 1, 8, "mapping length 0x1400 is not a multiple of 4K" },
	{ "mmap m 18446744073709551616 anon private rw", 1, 8, "overflows 64 bits" },
	{ "mmap m 17179869184G anon private rw", 1, 8, "overflows 64 bits" },
	{ "mmap m 4K anon private rw align=3K", 1, 27, "power of two" },
	{ "mmap m 4K anon private rw off=0", 1, 27, "off= needs a file=FILE source" },
	{ "mmap m 4K anon private rw hugepage nohugepage", 1, 1, "exclude each other" },
	{ "mmap m 4K anon private rw populate=1", 1, 27, "'populate' takes no value" },
	{ "mmap m 4K anon private rw align", 1, 27, "'align' needs a value" },
	{ "mmap m 4K anon private rw align=", 1, 27, "missing value after 'align='" },
	{ "mmap m 4K anon private rw sync sync", 1, 32, "duplicate option 'sync'" },
	{ "mmap m 4K anon private rw foo", 1, 27, "unknown option 'foo' for mmap" },
	{ "mmap m 4K file=f shared rw", 1, 11, "unknown file 'f'" },
	{ "file f\nmmap m 4K file=f off=1K shared rw", 2, 18, "file offset 0x400 is not a multiple of 4K" },
	{ "file f\nmmap m 4K file=f off=0 shared rw off=0", 2, 34, "duplicate option 'off'" },
	{ "mmap m 4K pfn=ram+x shared rw", 1, 11, "bad number 'x'" },
	{ "mmap m 4K pfn= shared rw", 1, 11, "missing frame number" },
	{ "mmap 1m 4K anon private rw", 1, 6, "bad mapping name '1m'" },
	{ "mmap aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 4K anon private rw",
	  1, 6, "too long" },
	{ M8 "mmap m 4K anon private rw", 2, 6, "mapping 'm' already exists in process p0" },
	/* config */
	{ "config", 1, 1, "missing KEY=VALUE" },
	{ "config thp", 1, 8, "expected KEY=VALUE" },
	{ "config thp=never thp=always", 1, 18, "duplicate key 'thp'" },
	{ "config bogus=1", 1, 8, "unknown config key 'bogus'" },
	{ "config thp=sometimes", 1, 8, "bad value 'sometimes' for thp" },
	{ "config fault_around_bytes=3K", 1, 8, "power of two" },
	{ "file f\nconfig thp=never", 2, 1, "config after the first non-config command" },
	{ "file f\n# comment\n\nconfig ram=64M", 4, 1, "config after" },
	/* accesses */
	{ "read", 1, 1, "missing address for read" },
	{ M8 "read m+", 2, 6, "missing offset after '+'" },
	{ M8 "read m+8K", 2, 6, "offset 0x2000 outside mapping m (length 0x2000)" },
	{ M8 "read m+2M+8K", 2, 6, "offset 0x202000 outside mapping m" },
	{ M8 "read m+4K len=8K", 2, 11, "reaches beyond mapping m" },
	{ M8 "read m len=0", 2, 8, "len= must not be 0" },
	{ M8 "read m expect=300", 2, 8, "byte value '300' out of range (0..255)" },
	{ M8 "write m byte=-1", 2, 9, "bad number '-1'" },
	{ M8 "write m byte=0x100", 2, 9, "out of range" },
	{ M8 "read m signal=SIGKILL", 2, 8, "bad signal 'SIGKILL'" },
	{ M8 "read m faults=x", 2, 8, "bad number 'x'" },
	{ M8 "read m faults=99999999999999999999", 2, 8, "out of range" },
	{ M8 "read m len=4K len=4K", 2, 15, "duplicate option 'len'" },
	{ M8 "read m foo=1", 2, 8, "unknown option 'foo=1' for read" },
	{ M8 "read m byte=1", 2, 8, "unknown option 'byte=1' for read" },
	{ "read x", 1, 6, "unknown mapping 'x' in process p0" },
	{ "read q:m", 1, 6, "unknown process 'q'" },
	{ "read :m", 1, 6, "missing process name" },
	{ "read m-4K", 1, 6, "bad mapping name" },
	/* processes */
	{ "fork p0", 1, 6, "process 'p0' already exists" },
	{ "fork", 1, 1, "missing process name for fork" },
	{ "as nobody", 1, 4, "unknown process 'nobody'" },
	{ "fork c\nexit c\nas c", 3, 4, "process c has exited" },
	{ M8 "fork c\nexit c\nread c:m", 4, 6, "process c has exited" },
	{ "exit p0\nmmap m 4K anon private rw", 2, 1, "the current process p0 has exited" },
	{ "fork c\nas c\nmmap n 4K anon private rw\nas p0\nread n", 5, 6, "unknown mapping 'n'" },
	/* ranges */
	{ M8 "munmap m off=1K len=4K", 2, 10, "off= 0x400 is not a multiple of 4K" },
	{ M8 "munmap m off=0 len=6K", 2, 16, "len= 0x1800 is not a multiple of 4K" },
	{ M8 "munmap m off=4K len=8K", 2, 17, "reaches beyond mapping m" },
	{ M8 "munmap m off=0", 2, 10, "needs both off= and len=" },
	{ M8 "munmap m off=0 len=0", 2, 16, "len= must not be 0" },
	{ M8 "mprotect m off=0 len=4K", 2, 1, "mprotect needs one of ro|rw|none" },
	{ M8 "mprotect m off=0 len=4K ro rw", 2, 28, "conflicts" },
	{ M8 "madvise m off=0 len=4K", 2, 1, "madvise needs one of dontneed|" },
	{ M8 "madvise m len=4K dontneed", 2, 1, "missing required option 'off=' for madvise" },
	{ M8 "madvise m off=0 len=4K willneed", 2, 24, "unknown option 'willneed'" },
	{ M8 "msync n", 2, 7, "unknown mapping 'n'" },
	{ "mremap m 8K", 1, 8, "unknown mapping 'm'" },
	{ M8 "mremap m 0", 2, 10, "new length must not be 0" },
	/* pins */
	{ M8 "pin P m", 2, 1, "missing required option 'len=' for pin" },
	{ M8 "pin P m len=4K\npin P m len=4K", 3, 5, "pin 'P' is already held" },
	{ "unpin P", 1, 7, "unknown pin 'P'" },
	{ M8 "pin P m len=4K\nunpin P\nunpin P", 4, 7, "pin 'P' is not held" },
	{ M8 "pin P m len=4K write=1", 2, 16, "'write' takes no value" },
	/* expectations */
	{ M8 "expect m", 2, 1, "missing kind for expect" },
	{ M8 "expect m ANON", 2, 10, "bad kind 'ANON'" },
	{ M8 "expect m anon level=pgd", 2, 15, "bad level 'pgd'" },
	{ M8 "expect m anon pages=0", 2, 15, "pages= must be at least 1" },
	{ M8 "expect m anon pages=3", 2, 8, "pages=3 from offset 0x0 reaches beyond mapping m" },
	{ M8 "expect m anon write=2", 2, 15, "expected 0 or 1" },
	{ M8 "expect m anon same=n", 2, 15, "unknown mapping 'n'" },
	{ M8 "expect-counter m", 2, 1, "missing COUNTER=VALUE" },
	{ M8 "expect-counter Bogus=1", 2, 16, "unknown counter 'Bogus'" },
	{ M8 "expect-counter Rss=1 m", 2, 22, "expected KEY=VALUE" },
	{ M8 "expect-counter Rss=1M", 2, 16, "bad number '1M'" },
	{ "expect-counter n Rss=0", 1, 16, "unknown mapping 'n'" },
	{ "expect-stat", 1, 1, "missing NAME=VALUE" },
	{ "expect-stat 9x=1", 1, 13, "bad key '9x'" },
	{ M8 "show m m", 2, 8, "mapping 'm' named twice" },
	{ "show n", 1, 6, "unknown mapping 'n'" },
	/* parallel */
	{ "parallel x", 1, 10, "unexpected 'x' after parallel" },
	{ "parallel\nend", 2, 1, "parallel block without threads" },
	{ M8 "parallel\nread m\nend", 3, 1, "only 'thread NAME: COMMAND' and 'end' inside parallel" },
	{ M8 "parallel\nthread A read m\nend", 3, 8, "expected ':'" },
	{ "parallel\nthread A:\nend", 2, 1, "thread A has no command" },
	{ "parallel\nthread\nend", 2, 1, "missing thread name" },
	{ "parallel\nthread A: show\nend", 2, 11, "'show' cannot be a thread's command" },
	{ "parallel\nthread A: config thp=never\nend", 2, 11, "cannot be a thread's command" },
	{ "parallel\nthread A: parallel\nend", 2, 11, "unknown command 'parallel'" },
	{ "parallel\nthread 1A: read m\nend", 2, 8, "bad thread name '1A'" },
	{ M8 "parallel\nthread A: read m+8K\nend", 3, 16, "outside mapping m" },
	{ M8 "parallel\nthread A: read m\n", 2, 1, "parallel without end" },
	{ "thread A: read m", 1, 1, "thread outside a parallel block" },
	{ "end", 1, 1, "end without parallel" },
	{ "parallel\nthread A: read m\nend now", 3, 5, "unexpected 'now' after end" },
	/* files, inject */
	{ "file f\nfile f", 2, 6, "file 'f' already exists" },
	{ "file f fs=ext4", 1, 8, "bad filesystem 'ext4'" },
	{ "pwrite f off=0 len=1", 1, 8, "unknown file 'f'" },
	{ "file f\npwrite f off=0", 2, 1, "missing required option 'len=' for pwrite" },
	{ "file f\ntruncate f", 2, 1, "missing required option 'size='" },
	{ "file f\nreflink f g", 2, 11, "unknown file 'g'" },
	{ "show-entries nofile", 1, 14, "unknown file 'nofile'" },
	{ M8 "pin a m len=4K longterm dma", 2, 1, "longterm and dma exclude each other" },
	{ M8 "dio-read g m len=4K", 2, 10, "unknown file 'g'" },
	{ M8 "file f\ndio-read f m", 3, 1, "missing required option 'len=' for dio-read" },
	{ M8 "file f\ndio-read f m off=100 len=4K", 3, 14, "aligned to 512 bytes" },
	{ M8 "file f\ndio-read f m+0x10 len=4K", 3, 12, "aligned to 512 bytes" },
	{ M8 "file f\ndio-read f m len=12K", 3, 14, "reaches beyond mapping m" },
	{ M8 "file f\ndio-read f", 3, 1, "missing address for dio-read" },
	{ "inject frob", 1, 8, "bad injection kind 'frob'" },
	{ "inject folio count=x", 1, 14, "bad number 'x'" },
	{ "inject", 1, 1, "missing injection kind" },
	{ "inject iomap", 1, 8, "bad injection kind 'iomap'" },
	{ "inject nofs count=y", 1, 13, "bad number 'y'" },
	/* model-only extensions: call, poke, expect-stop */
	{ M8 "call frob m ret=null", 2, 6, "unknown kernel function 'frob'" },
	{ M8 "call vm_normal_page m ret=null", 2, 1, "vm_normal_page needs entry=" },
	{ M8 "call vm_normal_page m entry=ram+1", 2, 1, "call needs ret=" },
	{ M8 "call vm_normal_page m entry=ram+1 pfn=3 ret=null", 2, 35,
	  "vm_normal_page takes no argument 'pfn'" },
	{ M8 "call vm_normal_page m entry=ram+1 special=1 ret=null", 2, 35,
	  "'special' takes no value" },
	{ M8 "call vmf_insert_pfn m pfn=io+1 ret=NOPAGE|BOGUS", 2, 32, "bad fault result" },
	{ M8 "call remap_pfn_range m pfn=io+1 len=4K ret=ENOPE", 2, 40, "bad result 'ENOPE'" },
	{ M8 "call vm_normal_page m entry=@q+0 ret=null", 2, 23, "unknown mapping 'q'" },
	{ M8 "call vmf_insert_pfn m+8K pfn=io+1 ret=NOPAGE", 2, 21, "outside mapping m" },
	{ M8 "call huge_fault m level=pte ret=0", 2, 1, "huge_fault takes level=pmd or level=pud" },
	{ M8 "poke m pte", 2, 1, "poke needs swap=FRAME or none" },
	{ M8 "poke m pte swap=zero", 2, 12, "swap= takes a frame number" },
	{ M8 "poke m pte none", 2, 1, "clears only an entry an earlier poke" },
	{ M8 "poke m pte swap=ram+1\nread m", 3, 1, "read while the entry poked at line 2" },
	{ M8 "poke m pte swap=ram+1\nexpect-stat vm_warn=0", 2, 1, "is never cleared" },
	{ M8 "expect-stop", 2, 1, "expect-stop needs the words" },
	{ M8 "expect-stop Bad\nread m\nread m", 2, 1, "followed by exactly one command" },
};

static void test_bad_inputs(void **state)
{
	size_t n = sizeof(bad_cases) / sizeof(bad_cases[0]);
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct bad_case *bc = &bad_cases[i];
		char *msg = NULL, prefix[64];
		struct scn *scn = parse(bc->text, &msg);

		snprintf(prefix, sizeof(prefix), "t.scn:%d:%d: error: ", bc->line, bc->col);
		if (scn || strncmp(msg, prefix, strlen(prefix)) || !strstr(msg, bc->msg) ||
		    strchr(msg, '\n') != msg + strlen(msg) - 1) {
			print_error("case %zu: %s\n  want: %s...%s\n  got:  %s\n", i, bc->text,
				    prefix, bc->msg, msg);
			failures++;
		}
		scn_free(scn);
		free(msg);
	}
	print_message("%zu malformed scenarios checked\n", n);
	assert_int_equal(failures, 0);
	assert_true(n >= 40);
}

/* Inputs only a file can carry: NUL bytes, binary garbage, huge lines. */
static char *write_temp(const void *buf, size_t len)
{
	char *path = strdup("/tmp/fl-parser-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	return path;
}

static void parse_file_expect(const void *buf, size_t len, const char *want)
{
	char *path = write_temp(buf, len), *msg = NULL;
	size_t mlen = 0;
	FILE *f = open_memstream(&msg, &mlen);
	struct scn *scn = scn_parse_file(path, f);

	fclose(f);
	if (want) {
		assert_null(scn);
		if (!strstr(msg, want))
			fail_msg("want '%s', got '%s'", want, msg);
	} else {
		if (!scn)
			fail_msg("unexpected error: %s", msg);
	}
	scn_free(scn);
	unlink(path);
	free(path);
	free(msg);
}

static void parse_text_file(const char *text, const char *want)
{
	parse_file_expect(text, strlen(text), want);
}

static void test_file_inputs(void **state)
{
	static const char nul[] = "mmap m 4K anon private rw\nread m\0 len=1\n";
	static const char nul_comment[] = "mmap m 4K anon private rw # a\0b\n";
	size_t big = 100000;
	char *buf = malloc(big + 16);
	unsigned seed = 12345;

	(void)state;
	parse_file_expect(nul, sizeof(nul) - 1, ":2:7: error: NUL byte");
	parse_file_expect(nul_comment, sizeof(nul_comment) - 1, NULL);
	parse_text_file("", NULL);
	parse_text_file("mmap m 4K anon private rw\nread m", NULL);	/* no final newline */
	parse_text_file("mmap m 4K anon private rw\r\nread m\r\n", NULL);
	parse_text_file("mmap m 4K anon private rw\r\nread m+4K\r\n", ":2:6: error: offset 0x1000");
	parse_text_file("# caf\xc3\xa9\n\n   \t\n", NULL);
	assert_non_null(buf);
	memcpy(buf, "read ", 5);
	memset(buf + 5, 'a', big);
	parse_file_expect(buf, big + 5, ":1:6: error: mapping name too long");
	buf[0] = '#';
	parse_file_expect(buf, big + 5, NULL);
	for (size_t i = 0; i < big; i++)
		buf[i] = (char)(i % 2 ? ' ' : 'x');
	parse_file_expect(buf, big, ":1:1: error: unknown command 'x'");
	for (size_t i = 0; i < big; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (char)(seed >> 16);
	}
	parse_file_expect(buf, big, "error:");
	free(buf);
	parse_text_file("x", ":1:1: error: unknown command");
	{
		char *msg = NULL;
		size_t mlen = 0;
		FILE *f = open_memstream(&msg, &mlen);

		assert_null(scn_parse_file("/nonexistent/x.scn", f));
		fclose(f);
		assert_non_null(strstr(msg, "/nonexistent/x.scn: error: cannot open"));
		free(msg);
	}
}

static const char *const full_scenario =
	"# every command once\n"
	"config thp=always fault_around_bytes=64K\n"
	"config dax_pmd_hole=legacy\n"
	"\n"
	"file f size=4M fs=dax\n"
	"file g fs=tmpfs\n"
	"file h fs=pagecache\n"
	"pwrite f off=0 len=2M byte=0x11\n"
	"mmap m 4M file=f off=2M shared rw align=2M hugepage sync populate faults=2\n"
	"mmap a 8M anon private ro nohugepage\n"
	"mmap p 8K pfn=ram+5 shared rw\n"
	"mmap q 8K mixed=io+0x10 private none\n"
	"mmap r 8K pfn=pmem shared rw\n"
	"mmap s 8K pfn=0x1234 shared rw\n"
	"mmap z 8K zero private rw\n"
	"read m+2M+8K len=4K expect=0x11 faults=0\n"
	"write a+0x1000 len=8K byte=7 signal=SIGSEGV\n"
	"read a signal=SIGBUS\n"
	"fork child\n"
	"as child\n"
	"read p0:m+4K\n"
	"as p0\n"
	"pin P m+4K len=8K write longterm faults=1\n"
	"unpin P\n"
	"show m a\n"
	"show\n"
	"expect m dax level=pmd pages=512 same=child:m+0 write=1 dirty=0 excl=1 mapcount=1 refcount=2\n"
	"expect a+4K none\n"
	"expect-counter m a Rss=2048 Pss=1024\n"
	"expect-counter AnonHugePages=0\n"
	"expect-stat faults_pmd=1 folios=0x10\n"
	"inject folio count=3\n"
	"inject pgtable\n"
	"parallel\n"
	"thread A: read m+2M\n"
	"thread B : write m+2M+4K\n"
	"thread A:read m\n"
	"end\n"
	"munmap m off=0 len=4K\n"
	"mprotect a off=0 len=8K rw\n"
	"madvise a off=0 len=2M populate-write faults=512\n"
	"madvise a off=0 len=4K dontneed\n"
	"msync m off=4K len=100\n"
	"msync m\n"
	"mremap a 16M\n"
	"truncate f size=0\n"
	"punch f off=0 len=4K\n"
	"fsync f\n"
	"drop-cache h\n"
	"reflink f g\n"
	"show-entries f\n"
	"munmap z\n"
	"read z signal=SIGSEGV\n"
	"mmap z 4K anon private rw\n"
	"exit child";	/* no final newline */

static const struct scn_cmd *cmd_at(const struct scn *scn, int line)
{
	for (int i = 0; i < scn->ncmds; i++)
		if (scn->cmds[i].loc.line == line)
			return &scn->cmds[i];
	fail_msg("no command on line %d", line);
	return NULL;
}

static void check_files_and_maps(const struct scn *scn)
{
	const struct scn_cmd *c = cmd_at(scn, 5);

	assert_int_equal(c->op, SCN_FILE);
	assert_string_equal(c->name, "f");
	assert_int_equal(c->size, 4 << 20);
	assert_int_equal(c->fs, SCN_FS_DAX);
	assert_int_equal(cmd_at(scn, 6)->fs, SCN_FS_TMPFS);
	assert_int_equal(cmd_at(scn, 7)->fs, SCN_FS_PAGECACHE);
	c = cmd_at(scn, 8);
	assert_int_equal(c->op, SCN_PWRITE);
	assert_true(c->has_off && c->has_len);
	assert_int_equal(c->len, 2 << 20);
	assert_int_equal(c->byte, 0x11);
	c = cmd_at(scn, 9);
	assert_int_equal(c->op, SCN_MMAP);
	assert_string_equal(c->name, "m");
	assert_int_equal(c->size, 4 << 20);
	assert_int_equal(c->source, SCN_SRC_FILE);
	assert_string_equal(c->file, "f");
	assert_int_equal(c->file_off, 2 << 20);
	assert_true(c->shared);
	assert_int_equal(c->prot, SCN_PROT_RW);
	assert_int_equal(c->align, 2 << 20);
	assert_true(c->hugepage && c->sync && c->populate && !c->nohugepage);
	assert_int_equal(c->faults, 2);
	assert_int_equal(c->faults_loc.col, 67);
	c = cmd_at(scn, 10);
	assert_int_equal(c->source, SCN_SRC_ANON);
	assert_false(c->shared);
	assert_int_equal(c->prot, SCN_PROT_RO);
	assert_true(c->nohugepage);
	assert_int_equal(c->faults, -1);
	c = cmd_at(scn, 11);
	assert_int_equal(c->source, SCN_SRC_PFN);
	assert_int_equal(c->pfn_space, SCN_PFN_RAM);
	assert_int_equal(c->pfn_base, 5);
	c = cmd_at(scn, 12);
	assert_int_equal(c->source, SCN_SRC_MIXED);
	assert_int_equal(c->pfn_space, SCN_PFN_IO);
	assert_int_equal(c->pfn_base, 0x10);
	assert_int_equal(c->prot, SCN_PROT_NONE);
	assert_int_equal(cmd_at(scn, 13)->pfn_space, SCN_PFN_PMEM);
	assert_int_equal(cmd_at(scn, 14)->pfn_space, SCN_PFN_ABS);
	assert_int_equal(cmd_at(scn, 14)->pfn_base, 0x1234);
	assert_int_equal(cmd_at(scn, 15)->source, SCN_SRC_ZERO);
}

static void check_accesses(const struct scn *scn)
{
	const struct scn_cmd *c = cmd_at(scn, 16);

	assert_int_equal(c->op, SCN_READ);
	assert_string_equal(c->addr.map, "m");
	assert_string_equal(c->addr.proc, "");
	assert_int_equal(c->addr.off, (2 << 20) + 8192);
	assert_int_equal(c->addr.loc.col, 6);
	assert_int_equal(c->len, 4096);
	assert_int_equal(c->expect_byte, 0x11);
	assert_int_equal(c->faults, 0);
	c = cmd_at(scn, 17);
	assert_int_equal(c->op, SCN_WRITE);
	assert_int_equal(c->addr.off, 0x1000);
	assert_int_equal(c->byte, 7);
	assert_int_equal(c->signal, SIGSEGV);
	assert_int_equal(cmd_at(scn, 18)->signal, SIGBUS);
	assert_int_equal(cmd_at(scn, 18)->expect_byte, -1);
	assert_int_equal(cmd_at(scn, 19)->op, SCN_FORK);
	assert_string_equal(cmd_at(scn, 19)->name, "child");
	assert_int_equal(cmd_at(scn, 20)->op, SCN_AS);
	c = cmd_at(scn, 21);
	assert_string_equal(c->addr.proc, "p0");
	assert_int_equal(c->addr.off, 4096);
	c = cmd_at(scn, 23);
	assert_int_equal(c->op, SCN_PIN);
	assert_string_equal(c->name, "P");
	assert_string_equal(c->addr.map, "m");
	assert_int_equal(c->len, 8192);
	assert_true(c->pin_write && c->pin_longterm);
	assert_int_equal(c->faults, 1);
	assert_int_equal(cmd_at(scn, 24)->op, SCN_UNPIN);
}

static void check_observations(const struct scn *scn)
{
	const struct scn_cmd *c = cmd_at(scn, 25);

	assert_int_equal(c->op, SCN_SHOW);
	assert_int_equal(c->nnames, 2);
	assert_string_equal(c->names[1], "a");
	assert_int_equal(c->names_loc[1].col, 8);
	assert_int_equal(cmd_at(scn, 26)->nnames, 0);
	c = cmd_at(scn, 27);
	assert_int_equal(c->op, SCN_EXPECT);
	assert_int_equal(c->kind, FL_KIND_DAX);
	assert_int_equal(c->level, FL_LEVEL_PMD);
	assert_int_equal(c->pages, 512);
	assert_true(c->has_same);
	assert_string_equal(c->same.proc, "child");
	assert_int_equal(c->write, 1);
	assert_int_equal(c->dirty, 0);
	assert_int_equal(c->excl, 1);
	assert_int_equal(c->mapcount, 1);
	assert_int_equal(c->refcount, 2);
	c = cmd_at(scn, 28);
	assert_int_equal(c->kind, FL_KIND_NONE);
	assert_int_equal(c->level, -1);
	assert_int_equal(c->pages, -1);
	assert_int_equal(c->write, -1);
	assert_int_equal(c->mapcount, -1);
	c = cmd_at(scn, 29);
	assert_int_equal(c->op, SCN_EXPECT_COUNTER);
	assert_int_equal(c->nnames, 2);
	assert_int_equal(c->nkvs, 2);
	assert_string_equal(c->kvs[1].key, "Pss");
	assert_int_equal(c->kvs[1].num, 1024);
	assert_int_equal(cmd_at(scn, 30)->nnames, 0);
	c = cmd_at(scn, 31);
	assert_int_equal(c->op, SCN_EXPECT_STAT);
	assert_string_equal(c->kvs[1].key, "folios");
	assert_int_equal(c->kvs[1].num, 16);
	assert_int_equal(c->kvs[1].loc.col, 26);
	c = cmd_at(scn, 32);
	assert_int_equal(c->op, SCN_INJECT);
	assert_int_equal(c->inject, SCN_INJ_FOLIO);
	assert_int_equal(c->count, 3);
	assert_int_equal(cmd_at(scn, 33)->count, 1);
}

static void check_parallel(const struct scn *scn)
{
	const struct scn_cmd *c = cmd_at(scn, 34);

	assert_int_equal(c->op, SCN_PARALLEL);
	assert_int_equal(c->nthreads, 2);
	assert_string_equal(c->threads[0].name, "A");
	assert_int_equal(c->threads[0].ncmds, 2);
	assert_string_equal(c->threads[1].name, "B");
	assert_int_equal(c->threads[1].ncmds, 1);
	assert_int_equal(c->threads[0].cmds[0].op, SCN_READ);
	assert_int_equal(c->threads[0].cmds[0].loc.line, 35);
	assert_int_equal(c->threads[0].cmds[0].loc.col, 11);
	assert_string_equal(c->threads[0].cmds[0].text, "thread A: read m+2M");
	assert_int_equal(c->threads[1].cmds[0].op, SCN_WRITE);
	assert_int_equal(c->threads[1].cmds[0].loc.col, 12);
	assert_int_equal(c->threads[0].cmds[1].loc.line, 37);
	assert_int_equal(c->threads[0].cmds[1].loc.col, 10);
}

static void check_ranges_and_files(const struct scn *scn)
{
	const struct scn_cmd *c = cmd_at(scn, 39);

	assert_int_equal(c->op, SCN_MUNMAP);
	assert_true(c->has_off && c->has_len);
	assert_int_equal(c->len, 4096);
	assert_int_equal(cmd_at(scn, 40)->op, SCN_MPROTECT);
	assert_int_equal(cmd_at(scn, 40)->prot, SCN_PROT_RW);
	c = cmd_at(scn, 41);
	assert_int_equal(c->advice, SCN_ADV_POPULATE_WRITE);
	assert_int_equal(c->faults, 512);
	assert_int_equal(cmd_at(scn, 42)->advice, SCN_ADV_DONTNEED);
	assert_int_equal(cmd_at(scn, 43)->len, 100);
	assert_false(cmd_at(scn, 44)->has_off);
	c = cmd_at(scn, 45);
	assert_int_equal(c->op, SCN_MREMAP);
	assert_int_equal(c->size, 16 << 20);
	assert_int_equal(cmd_at(scn, 46)->op, SCN_TRUNCATE);
	assert_int_equal(cmd_at(scn, 47)->op, SCN_PUNCH);
	assert_int_equal(cmd_at(scn, 48)->op, SCN_FSYNC);
	assert_int_equal(cmd_at(scn, 49)->op, SCN_DROP_CACHE);
	c = cmd_at(scn, 50);
	assert_int_equal(c->op, SCN_REFLINK);
	assert_string_equal(c->name2, "g");
	assert_int_equal(c->name2_loc.col, 11);
	assert_int_equal(cmd_at(scn, 51)->op, SCN_SHOW_ENTRIES);
	assert_int_equal(cmd_at(scn, 55)->op, SCN_EXIT);
}

static void test_full_scenario(void **state)
{
	char *msg = NULL;
	struct scn *scn = parse(full_scenario, &msg);

	(void)state;
	if (!scn)
		fail_msg("parse failed: %s", msg);
	free(msg);
	assert_int_equal(scn->nlines, 55);
	assert_true(scn->has_config);
	assert_int_equal(scn->config.thp, FL_THP_ALWAYS);
	assert_int_equal(scn->config.fault_around_bytes, 65536);
	assert_int_equal(scn->config.dax_pmd_hole, FL_DAX_PMD_HOLE_LEGACY);
	assert_int_equal(cmd_at(scn, 2)->op, SCN_CONFIG);
	assert_int_equal(cmd_at(scn, 2)->nkvs, 2);
	assert_string_equal(cmd_at(scn, 2)->kvs[1].value, "64K");
	check_files_and_maps(scn);
	check_accesses(scn);
	check_observations(scn);
	check_parallel(scn);
	check_ranges_and_files(scn);
	for (int op = 0; op < SCN_NR_OPS; op++)
		assert_string_not_equal(scn_op_name((enum scn_op)op), "?");
	assert_string_equal(scn_op_name(SCN_EXPECT_COUNTER), "expect-counter");
	scn_free(scn);
}

static void test_small_forms(void **state)
{
	static const char *const ok[] = {
		"",
		"\n\n# only comments\n   # indented\n",
		"mmap m 4K anon private rw\nread m#comment right after\n",
		"mmap m 4K anon private rw\r\nread m\r\n",
		"mmap m 8K anon private rw\nmunmap m\nread m signal=SIGSEGV\nmmap m 4K anon private rw\n",
		"mmap m 8K anon private rw\nmunmap m off=0 len=8K\nmmap m 8K anon private rw\n",
		"mmap m 8K anon private rw\nfork c\nas c\nread m\nread p0:m+4K\nexit c\nas p0\n",
		"mmap m 8K anon private rw\nexpect m+4K anon\nexpect m anon pages=2 same=m\n",
		M8 "call vm_normal_page m+4K entry=hz+5 special devmap hook=@m ret=invalid\n",
		M8 "call vmf_insert_folio_pmd m vma=m folio=new:9 write ret=NOPAGE|MAJOR\n",
		M8 "call remap_pfn_range m pfn=io+2 len=8K ret=EINVAL\n",
		M8 "poke m pud swap=7\ncall folio_walk_start m ret=null\npoke m pud none\n",
		M8 "expect-stop Bad rss-counter state\nread m\n",
		M8 "call do_fault m write ret=NOPAGE|MAJOR\ncall handle_pte_fault m+4K ret=0\n",
		M8 "poke m pte swap=@m+4K\npoke m pte none changed\n",
		/* sema: A's read runs before the mmap, so m is unknown there. */
		"parallel\nthread A :read m\nend\nmmap m 4K anon private rw\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *msg = NULL;
		struct scn *scn = parse(ok[i], &msg);

		if (i == sizeof(ok) / sizeof(ok[0]) - 1) {
			assert_null(scn);
			assert_non_null(strstr(msg, "t.scn:2:16: error: unknown mapping 'm'"));
		} else if (!scn) {
			fail_msg("case %zu: %s", i, msg);
		}
		scn_free(scn);
		free(msg);
	}
}

/* ---- mutation loop ---------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

static const char *const dictionary[] = {
	" ", "\n", "\r\n", "#", "=", "+", ":", "0x", "4K", "2M+4K", "m", "p0:", "thread A: ",
	"parallel\n", "end\n", "config thp=never\n", "pages=512", "same=m", "len=", "off=",
	"signal=SIGBUS", "faults=", "mmap n 4K anon private rw\n", "fork c\n", "exit c\n",
	"as c\n", "pin P m len=4K\n", "unpin P\n", "99999999999999999999999", "\t", "\x01",
	"\xff", "file=f", "pfn=ram+", "expect-counter ", "Rss=", "show ", "munmap m\n",
};

static size_t mutate(char *buf, size_t len, size_t cap)
{
	size_t pos = len ? rnd() % len : 0, n;
	const char *w;

	switch (rnd() % 5) {
	case 0: /* overwrite a byte */
		if (len)
			buf[pos] = (char)(rnd() % 4 ? (char)(32 + rnd() % 95) : (char)rnd());
		return len;
	case 1: /* delete a range */
		n = len - pos < 8 ? len - pos : rnd() % 8;
		memmove(buf + pos, buf + pos + n, len - pos - n);
		return len - n;
	case 2: /* duplicate a range */
		n = rnd() % 64;
		if (n > len - pos)
			n = len - pos;
		if (len + n >= cap)
			return len;
		memmove(buf + pos + n, buf + pos, len - pos);
		return len + n;
	case 3: /* insert a word of the language */
		w = dictionary[rnd() % (sizeof(dictionary) / sizeof(dictionary[0]))];
		n = strlen(w);
		if (len + n >= cap)
			return len;
		memmove(buf + pos + n, buf + pos, len - pos);
		memcpy(buf + pos, w, n);
		return len + n;
	default: /* cut the end */
		return pos;
	}
}

static void test_mutations(void **state)
{
	const char *env = getenv("FL_FUZZ_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 20240601;
	size_t cap = 1 << 16, base = strlen(full_scenario);
	char *buf = malloc(cap + 1);
	int parsed = 0, rejected = 0;

	(void)state;
	assert_non_null(buf);
	print_message("mutation seed %llu (FL_FUZZ_SEED=N to repeat)\n", (unsigned long long)seed);
	rng_state = seed;
	for (int iter = 0; iter < 2000; iter++) {
		size_t len = base;
		char *msg = NULL;
		struct scn *scn;

		memcpy(buf, full_scenario, base);
		for (int k = 1 + (int)(rnd() % 8); k > 0; k--)
			len = mutate(buf, len, cap);
		buf[len] = '\0';
		/* Every tenth goes through a file, embedded NULs included. */
		if (iter % 10 == 0) {
			char *path = write_temp(buf, len);
			FILE *f = fopen("/dev/null", "w");

			scn = scn_parse_file(path, f);
			fclose(f);
			unlink(path);
			free(path);
		} else {
			scn = parse(buf, &msg);
		}
		if (scn)
			parsed++;
		else
			rejected++;
		scn_free(scn);
		free(msg);
	}
	print_message("%d parsed, %d rejected\n", parsed, rejected);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_file_inputs),
		cmocka_unit_test(test_full_scenario),
		cmocka_unit_test(test_small_forms),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
