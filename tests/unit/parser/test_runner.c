// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_runner.c - the scenario driver against a mock backend.
 *
 * The mock does nothing but answer: mmap hands out fixed addresses (the
 * first mapping at 0x10000000, the next at 0x20000000, ...), accesses and
 * pins return preset fault counts and signals in order, snapshots report a
 * preset list of pages, and every call is written to a log.  That is enough
 * to check what belongs to the runner alone: exit statuses 0/1/2/3 and
 * "skipped", the failure messages, the trace lines `check` diffs, address
 * resolution across fork, and the pin wait in sequential and parallel code.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/parser.h"
#include "scenario/runner.h"

struct mock_page {
	uint64_t va, pfn;
	enum fl_kind kind;
};

struct mock {
	struct fl_backend b;
	char log[8192];
	size_t loglen;
	int prepare_rc;
	struct scn_loc prepare_loc;
	const char *prepare_msg;
	int mmap_rc;
	struct fl_step_result results[16];
	int nresults, next_result;
	int invariant_at, steps, finish_rc;
	struct mock_page pages[16];
	int npages;
	int nmaps;
};

static struct mock *M(struct fl_backend *b)
{
	return (struct mock *)b;
}

static void mlog(struct mock *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mlog(struct mock *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m->loglen += (size_t)vsnprintf(m->log + m->loglen, sizeof(m->log) - m->loglen, fmt, ap);
	va_end(ap);
	assert_true(m->loglen < sizeof(m->log));
}

static int mock_prepare(struct fl_backend *b, const struct scn *scn)
{
	(void)scn;
	if (M(b)->prepare_rc) {
		snprintf(b->err, sizeof(b->err), "%s", M(b)->prepare_msg);
		b->err_loc = M(b)->prepare_loc;
	}
	return M(b)->prepare_rc;
}

static int mock_file_create(struct fl_backend *b, int file, const struct scn_cmd *c)
{
	mlog(M(b), "file %d %s\n", file, c->name);
	return FL_OK;
}

static int mock_file_op(struct fl_backend *b, int file, int file2, const struct scn_cmd *c)
{
	mlog(M(b), "%s %d %d\n", scn_op_name(c->op), file, file2);
	return FL_OK;
}

static int mock_fork(struct fl_backend *b, int parent, int child)
{
	mlog(M(b), "fork %d %d\n", parent, child);
	return FL_OK;
}

static int mock_exit(struct fl_backend *b, int proc)
{
	mlog(M(b), "exit %d\n", proc);
	return FL_OK;
}

static int mock_mmap(struct fl_backend *b, int proc, const struct scn_cmd *c, int file,
		     uint64_t *start, struct fl_step_result *r)
{
	if (M(b)->mmap_rc) {
		snprintf(b->err, sizeof(b->err), "mmap failed: ENOMEM");
		return M(b)->mmap_rc;
	}
	*start = 0x10000000ull * (uint64_t)++M(b)->nmaps;
	r->faults = c->populate ? 2 : 0;
	mlog(M(b), "mmap %d %s file=%d 0x%llx\n", proc, c->name, file, (unsigned long long)*start);
	return FL_OK;
}

static int mock_munmap(struct fl_backend *b, int proc, uint64_t start, uint64_t len)
{
	mlog(M(b), "munmap %d 0x%llx 0x%llx\n", proc, (unsigned long long)start,
	     (unsigned long long)len);
	return FL_OK;
}

static int mock_madvise(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
			enum scn_advice advice, struct fl_step_result *r)
{
	(void)proc;
	r->faults = (long)(len / 4096);
	mlog(M(b), "madvise 0x%llx %d\n", (unsigned long long)start, advice);
	return FL_OK;
}

static void next_result(struct mock *m, struct fl_step_result *r)
{
	if (m->next_result < m->nresults) {
		*r = m->results[m->next_result++];
		return;
	}
	r->faults = 1;
}

static int mock_access(struct fl_backend *b, int proc, uint64_t va, uint64_t len, bool write,
		       int byte, int expect_byte, struct fl_step_result *r)
{
	char where[128];

	b->addr_fmt(b->addr_ctx, proc, va, where, sizeof(where));
	mlog(M(b), "%s %s len=%llu byte=%d expect=%d\n", write ? "write" : "read", where,
	     (unsigned long long)len, byte, expect_byte);
	next_result(M(b), r);
	return FL_OK;
}

static int mock_pin(struct fl_backend *b, int proc, int pin, uint64_t va, uint64_t len,
		    bool write, bool longterm, bool dma, struct fl_step_result *r)
{
	(void)len;
	(void)write;
	(void)longterm;
	(void)dma;
	mlog(M(b), "pin %d proc=%d 0x%llx\n", pin, proc, (unsigned long long)va);
	next_result(M(b), r);
	return FL_OK;
}

static int mock_unpin(struct fl_backend *b, int pin)
{
	mlog(M(b), "unpin %d\n", pin);
	return FL_OK;
}

static int mock_snapshot(struct fl_backend *b, int proc, const struct fl_map_ref *maps,
			 int nmaps, struct fl_obs_snapshot *s)
{
	(void)proc;
	for (int i = 0; i < nmaps; i++) {
		struct fl_obs_map *om = fl_obs_add_map(s, maps[i].name, maps[i].start, maps[i].len);

		for (int k = 0; k < M(b)->npages; k++) {
			const struct mock_page *mp = &M(b)->pages[k];
			struct fl_obs_page *pg;

			if (mp->va < maps[i].start || mp->va - maps[i].start >= maps[i].len)
				continue;
			pg = fl_obs_add_page(s);
			pg->va = mp->va;
			pg->pfn = mp->pfn;
			pg->kind = (uint8_t)mp->kind;
			pg->has = FL_OBS_EXCL | FL_OBS_MAPCOUNT | FL_OBS_REFCOUNT;
			pg->excl = 1;
			pg->mapcount = 1;
			pg->refcount = 2;
			om->counters.kib[FL_CNT_RSS] += 4;
		}
	}
	return FL_OK;
}

static int mock_stat(struct fl_backend *b, int proc, const char *name, uint64_t *val)
{
	(void)b;
	(void)proc;
	if (!strcmp(name, "faults")) {
		*val = 7;
		return FL_OK;
	}
	return strcmp(name, "skipme") ? FL_EUNSUPPORTED : FL_ESKIP;
}

static int mock_after_step(struct fl_backend *b, const struct scn_cmd *c)
{
	(void)c;
	if (++M(b)->steps == M(b)->invariant_at) {
		snprintf(b->err, sizeof(b->err), "invariant");
		return FL_EINVARIANT;
	}
	return FL_OK;
}

static int mock_finish(struct fl_backend *b)
{
	mlog(M(b), "finish\n");
	return M(b)->finish_rc;
}

static const struct fl_backend_ops mock_ops = {
	.name = "mock",
	.prepare = mock_prepare,
	.file_create = mock_file_create,
	.file_op = mock_file_op,
	.fork = mock_fork,
	.exit = mock_exit,
	.mmap = mock_mmap,
	.munmap = mock_munmap,
	.madvise = mock_madvise,
	.access = mock_access,
	.pin = mock_pin,
	.unpin = mock_unpin,
	.snapshot = mock_snapshot,
	.stat = mock_stat,
	.after_step = mock_after_step,
	.finish = mock_finish,
};

static void mock_init(struct mock *m)
{
	memset(m, 0, sizeof(*m));
	m->b.ops = &mock_ops;
}

struct outcome {
	int status;
	char *out, *err;
	struct fl_run_stats stats;
};

static void run_opts(struct mock *m, const char *text, bool comparable, struct outcome *o)
{
	size_t olen = 0, elen = 0;
	FILE *out = open_memstream(&o->out, &olen), *err = open_memstream(&o->err, &elen);
	struct fl_run_opts opts = { .out = out, .err = err, .trace = true, .stats = &o->stats,
				    .comparable = comparable };
	struct scn *scn = scn_parse_string("t.scn", text, err);

	if (!scn) {
		fclose(out);
		fclose(err);
		fail_msg("parse: %s", o->err);
	}
	o->status = fl_run_scenario(scn, &m->b, &opts);
	fclose(out);
	fclose(err);
	assert_null(m->b.addr_fmt);	/* cleared: the runner's tables are gone */
	scn_free(scn);
}

static void run(struct mock *m, const char *text, struct outcome *o)
{
	run_opts(m, text, false, o);
}

static void outcome_free(struct outcome *o)
{
	free(o->out);
	free(o->err);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay);
}

static void test_run_ok(void **state)
{
	struct mock m;
	struct outcome o;

	(void)state;
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 100, FL_KIND_ANON };
	m.pages[m.npages++] = (struct mock_page){ 0x10001000, 101, FL_KIND_ANON };
	run(&m, "mmap m 16K anon private rw\n"
		"read m faults=1   # the first touch\n"
		"write m+4K len=4K byte=0x22 faults=1\n"
		"show\n"
		"expect m anon pages=2 refcount=2\n"
		"expect m+8K none\n"
		"expect-counter m Rss=8\n"
		"expect-stat faults=7 skipme=1\n"
		"fork c\n"
		"\tread c:m+4K faults=1 \n"
		"mmap n 4K anon private rw populate faults=2\n"
		"madvise m off=0 len=8K populate-read faults=2\n", &o);
	assert_string_equal(o.err, "");
	assert_int_equal(o.status, FL_RUN_OK);
	assert_string_equal(o.out,
		"step 2: read m faults=1 -> faults=1\n"
		"step 3: write m+4K len=4K byte=0x22 faults=1 -> faults=1\n"
		"obs p0:m+0x0 anon level=pte pages=2 pfn=P0 excl=1 mapcount=1 refcount=2\n"
		"counters p0:m Rss=8 Pss=0 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 "
		"Private_Dirty=0 Anonymous=0 AnonHugePages=0 FilePmdMapped=0\n"
		"step 10: read c:m+4K faults=1 -> faults=1\n"
		"step 11: mmap n 4K anon private rw populate faults=2 -> faults=2\n"
		"step 12: madvise m off=0 len=8K populate-read faults=2 -> faults=2\n");
	assert_string_equal(m.log,
		"mmap 0 m file=-1 0x10000000\n"
		"read p0:m+0x0 len=1 byte=0 expect=-1\n"
		"write p0:m+0x1000 len=4096 byte=34 expect=-1\n"
		"fork 0 1\n"
		"read c:m+0x1000 len=1 byte=0 expect=-1\n"
		"mmap 0 n file=-1 0x20000000\n"
		"madvise 0x10000000 3\n"
		"finish\n");
	assert_int_equal(o.stats.failed, 0);
	assert_int_equal(o.stats.skipped, 1);
	assert_int_equal(m.steps, 12);
	outcome_free(&o);
}

static int mock_show_entries(struct fl_backend *b, int file, FILE *out)
{
	(void)b;
	fprintf(out, "entries of file %d\n", file);
	return FL_OK;
}

/*
 * show-entries: a backend without DAX entries (the kernel) skips the
 * command, not the scenario; a comparable run (check) leaves it out even
 * where the backend has them, so both sides print the same.
 */
static void test_run_show_entries(void **state)
{
	struct fl_backend_ops ops = mock_ops;
	struct mock m;
	struct outcome o;

	(void)state;
	mock_init(&m);
	run(&m, "file f\nshow-entries f\n", &o);
	assert_int_equal(o.status, FL_RUN_OK);
	assert_string_equal(o.out, "");
	assert_int_equal(o.stats.skipped, 1);
	outcome_free(&o);

	ops.show_entries = mock_show_entries;
	mock_init(&m);
	m.b.ops = &ops;
	run(&m, "file f\nshow-entries f\n", &o);
	assert_int_equal(o.status, FL_RUN_OK);
	assert_string_equal(o.out, "entries of file 0\n");
	outcome_free(&o);

	mock_init(&m);
	m.b.ops = &ops;
	run_opts(&m, "file f\nshow-entries f\n", true, &o);
	assert_int_equal(o.status, FL_RUN_OK);
	assert_string_equal(o.out, "");
	assert_int_equal(o.stats.skipped, 1);
	outcome_free(&o);
}

static void test_run_failures(void **state)
{
	struct mock m;
	struct outcome o;

	(void)state;
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 100, FL_KIND_ANON };
	m.results[1] = (struct fl_step_result){ .faults = 0, .bad_byte = -1 };
	m.results[2] = (struct fl_step_result){ .signo = SIGSEGV, .si_code = SEGV_ACCERR,
		.fault_va = 0x10001000, .faults = 0, .bad_byte = -1 };
	m.results[3] = (struct fl_step_result){ .signo = SIGSEGV, .si_code = SEGV_MAPERR,
		.fault_va = 0x10003000, .faults = -1, .bad_byte = -1 };
	m.results[4] = (struct fl_step_result){ .faults = 0, .bad_va = 0x10000010, .bad_byte = 0 };
	m.results[0] = (struct fl_step_result){ .faults = 1, .bad_byte = -1 };
	m.nresults = 5;
	run(&m, "mmap m 16K anon private rw\n"
		"read m faults=2\n"
		"write m+8K signal=SIGSEGV\n"
		"read m+4K\n"
		"read m+12K signal=SIGBUS faults=3\n"
		"read m len=16 expect=0xab\n"
		"expect m zero\n"
		"expect m+4K anon\n"
		"expect-counter Rss=8\n"
		"expect-stat faults=8\n"
		"read m faults=1\n", &o);
	assert_int_equal(o.status, FL_RUN_FAILED);
	assert_int_equal(o.stats.failed, 9);
	assert_string_equal(o.err,
		"t.scn:2: expected faults=2, got faults=1\n"
		"t.scn:3: expected SIGSEGV, got none\n"
		"t.scn:4: unexpected SIGSEGV (SEGV_ACCERR) at p0:m+0x1000\n"
		"t.scn:5: expected SIGBUS, got SIGSEGV (SEGV_MAPERR) at p0:m+0x3000\n"
		"t.scn:6: read expect=0xab failed at p0:m+0x10: found 0x00\n"
		"t.scn:7: expect failed at p0:m+0x0: kind anon, expected zero\n"
		"t.scn:8: expect failed at p0:m+0x1000: kind none, expected anon\n"
		"t.scn:9: expect-counter failed for p0:m: Rss=4, expected 8\n"
		"t.scn:10: expect-stat failed: faults=7, expected 8\n");
	assert_contains(o.out, "step 4: read m+4K -> faults=0 signal=SIGSEGV/SEGV_ACCERR\n");
	assert_contains(o.out, "step 5: read m+12K signal=SIGBUS faults=3 -> faults=? "
			"signal=SIGSEGV/SEGV_MAPERR\n");
	assert_contains(o.out, "step 11: read m faults=1 -> faults=1\n");
	assert_contains(m.log, "finish\n");
	outcome_free(&o);
}

static void test_run_errors(void **state)
{
	struct mock m;
	struct outcome o;
	struct fl_backend_ops ops = mock_ops;

	(void)state;
	mock_init(&m);
	m.prepare_rc = FL_EUNSUPPORTED;
	m.prepare_msg = "parallel blocks need the explorer";
	m.prepare_loc = (struct scn_loc){ 2, 1 };
	run(&m, "mmap m 4K anon private rw\nparallel\nthread A: read m\nend\n", &o);
	assert_int_equal(o.status, FL_RUN_BAD);
	assert_string_equal(o.err, "t.scn:2:1: error: parallel blocks need the explorer\n");
	assert_string_equal(m.log, "");
	outcome_free(&o);

	mock_init(&m);
	m.prepare_rc = FL_ESKIP;
	m.prepare_msg = "no DAX filesystem";
	run(&m, "mmap m 4K anon private rw\n", &o);
	assert_int_equal(o.status, FL_RUN_SKIPPED);
	assert_string_equal(o.out, "skipped: no DAX filesystem\n");
	outcome_free(&o);

	mock_init(&m);
	m.mmap_rc = FL_EFAIL;
	run(&m, "file f\nmmap m 4K file=f private rw\nread m\n", &o);
	assert_int_equal(o.status, FL_RUN_BAD);
	assert_string_equal(o.err, "t.scn:2:1: error: mmap failed: ENOMEM\n");
	assert_string_equal(m.log, "file 0 f\n");
	outcome_free(&o);

	mock_init(&m);
	run(&m, "mmap m 4K anon private rw\nexpect-stat faults=7 bogus=1\n", &o);
	assert_int_equal(o.status, FL_RUN_BAD);
	assert_string_equal(o.err, "t.scn:2:22: error: unknown stat bogus\n");
	outcome_free(&o);

	mock_init(&m);
	run(&m, "mmap m 4K anon private rw\ninject folio\n", &o);
	assert_int_equal(o.status, FL_RUN_BAD);
	assert_string_equal(o.err, "t.scn:2:1: error: inject is not supported by the mock backend\n");
	outcome_free(&o);

	mock_init(&m);
	ops.munmap = NULL;
	m.b.ops = &ops;
	run(&m, "mmap m 4K anon private rw\nmremap m 8K\n", &o);
	assert_int_equal(o.status, FL_RUN_BAD);
	assert_string_equal(o.err, "t.scn:2:1: error: mremap is not supported by the mock backend\n");
	outcome_free(&o);
}

static void test_run_invariant(void **state)
{
	struct mock m;
	struct outcome o;

	(void)state;
	mock_init(&m);
	m.invariant_at = 2;
	run(&m, "mmap m 4K anon private rw\nread m\nread m+1\n", &o);
	assert_int_equal(o.status, FL_RUN_INVARIANT);
	assert_string_equal(m.log, "mmap 0 m file=-1 0x10000000\nread p0:m+0x0 len=1 byte=0 expect=-1\n");
	outcome_free(&o);

	mock_init(&m);
	m.finish_rc = FL_EINVARIANT;
	run(&m, "mmap m 4K anon private rw\nexpect m anon\n", &o);
	assert_int_equal(o.status, FL_RUN_INVARIANT);	/* worse than the failed expect */
	assert_int_equal(o.stats.failed, 1);
	outcome_free(&o);
}

static const char pinned[] =
	"file f size=2M\n"
	"file g size=2M fs=pagecache\n"
	"mmap m 2M file=f shared rw\n"
	"mmap n 2M file=g shared rw\n"
	"pin P m len=4K\n"
	"pin Q n len=4K\n"
	"truncate g size=0\n";

static void test_run_pins(void **state)
{
	struct mock m;
	struct outcome o;
	char text[1024];

	(void)state;
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 100, FL_KIND_DAX };
	m.pages[m.npages++] = (struct mock_page){ 0x20000000, 200, FL_KIND_FILE };
	snprintf(text, sizeof(text), "%struncate f size=0\nread m\n", pinned);
	run(&m, text, &o);
	assert_int_equal(o.status, FL_RUN_FAILED);
	assert_string_equal(o.err, "t.scn:8: would wait forever for pin P\n");
	assert_null(strstr(m.log, "truncate 0"));
	assert_contains(m.log, "truncate 1 -1\n");	/* the page-cache file did not wait */
	outcome_free(&o);

	/* Another thread's unpin ends the wait. */
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 100, FL_KIND_DAX };
	snprintf(text, sizeof(text), "%sparallel\nthread A: punch f off=0 len=4K\n"
		 "thread A: read m\nthread B: unpin P\nthread B: read n\nend\nread m\n", pinned);
	run(&m, text, &o);
	assert_string_equal(o.err, "");
	assert_int_equal(o.status, FL_RUN_OK);
	assert_contains(m.log, "unpin 0\nread p0:n+0x0 len=1 byte=0 expect=-1\npunch 0 -1\n"
			"read p0:m+0x0 len=1 byte=0 expect=-1\nread p0:m+0x0");
	assert_contains(o.out, "step 12: thread B: read n -> faults=1\nstep 10: thread A: read m");
	outcome_free(&o);

	/* Nobody unpins: the block would hang. */
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 100, FL_KIND_DAX };
	snprintf(text, sizeof(text), "%sparallel\nthread A: truncate f size=0\n"
		 "thread B: read m\nend\n", pinned);
	run(&m, text, &o);
	assert_int_equal(o.status, FL_RUN_FAILED);
	assert_string_equal(o.err, "t.scn:9: would wait forever for pin P\n");
	outcome_free(&o);

	/* A reflink breaks both files' layouts: onto a pinned file it waits too. */
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 100, FL_KIND_DAX };
	snprintf(text, sizeof(text), "%sfile h size=2M\nreflink h f\n", pinned);
	run(&m, text, &o);
	assert_int_equal(o.status, FL_RUN_FAILED);
	assert_string_equal(o.err, "t.scn:9: would wait forever for pin P\n");
	outcome_free(&o);

	/* V13 on: a file nothing maps any more is not scanned, so nothing waits (T57). */
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 100, FL_KIND_DAX };
	snprintf(text, sizeof(text), "config layout_busy_skip_unmapped=on\n%smunmap m\n"
		 "truncate f size=0\n", pinned);
	run(&m, text, &o);
	assert_int_equal(o.status, FL_RUN_OK);
	outcome_free(&o);

	/* A pin of the zero page (a hole) holds no DAX page: no wait. */
	mock_init(&m);
	m.pages[m.npages++] = (struct mock_page){ 0x10000000, 7, FL_KIND_ZERO };
	snprintf(text, sizeof(text), "%struncate f size=0\n", pinned);
	run(&m, text, &o);
	assert_int_equal(o.status, FL_RUN_OK);
	outcome_free(&o);
}

static void test_run_maps(void **state)
{
	struct mock m;
	struct outcome o;

	(void)state;
	mock_init(&m);
	run(&m, "mmap m 8K anon private rw\n"
		"munmap m off=4K len=4K\n"
		"read m+4K signal=SIGSEGV\n"
		"munmap m\n"
		"mmap m 4K anon private rw\n"
		"read m\n"
		"as p0\n"
		"fork c\n"
		"exit c\n", &o);
	assert_string_equal(m.log,
		"mmap 0 m file=-1 0x10000000\n"
		"munmap 0 0x10001000 0x1000\n"
		"read p0:m+0x1000 len=1 byte=0 expect=-1\n"
		"munmap 0 0x10000000 0x2000\n"
		"mmap 0 m file=-1 0x20000000\n"
		"read p0:m+0x0 len=1 byte=0 expect=-1\n"
		"fork 0 1\n"
		"exit 1\n"
		"finish\n");
	/* The mock gave no signal: the expected SIGSEGV is missing. */
	assert_int_equal(o.status, FL_RUN_FAILED);
	assert_string_equal(o.err, "t.scn:3: expected SIGSEGV, got none\n");
	outcome_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_ok),
		cmocka_unit_test(test_run_show_entries),
		cmocka_unit_test(test_run_failures),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_run_invariant),
		cmocka_unit_test(test_run_pins),
		cmocka_unit_test(test_run_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
