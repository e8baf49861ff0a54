// SPDX-License-Identifier: GPL-2.0-only
/*
 * model_backend.c - the scenario driver's view of faultline's model.
 *
 * Each scenario process is an mm_struct; the machine (RAM, memmap, buddy
 * allocator) is brought up with the scenario's config in prepare() and torn
 * down in finish(), after every mm has exited and the final leak check has
 * run.  Accesses go through the software MMU one page at a time, so every
 * fault is the model's own; a step's fault count is the difference of the
 * task's min_flt + maj_flt, as getrusage() gives it on Linux.
 *
 * Placement: the model places mappings itself, as the oracle does, so that
 * both sides see the same geometry: every mapping starts at a multiple of
 * its align= and at least of 2 MiB, with a 2 MiB gap after it, so no two
 * scenario mappings merge into one VMA or share a page table.
 *
 * What the model cannot run yet is refused in prepare(), before the first
 * step, with the scenario position of the first such command.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bug.h"
#include "check/check.h"
#include "dax/entry.h"
#include "fs/daxfs.h"
#include "fs/pagecache.h"
#include "fs/pmem.h"
#include "mm/mm.h"
#include "scenario/backend.h"
#include "scenario/model_call.h"

#define MAX_PROCS 256

void fl_model_observe(struct mm_struct *mm, const char *name, uint64_t start, uint64_t len,
		      bool comparable, struct fl_obs_snapshot *s);

#define MAX_PINS 256
#define MAX_FILES 64

struct model {
	struct mm_struct *procs[MAX_PROCS];
	struct fl_gup *pins[MAX_PINS];
	struct fl_file *files[MAX_FILES];	/* the scenario's reference on each */
	struct daxfs_file *dax[MAX_FILES];	/* fs=dax files, the same way */
	struct daxfs *daxfs;			/* mounted when the scenario has DAX files */
	uint64_t cursor;
	bool machine_up;
};

static struct fl_backend *explain_backend;

static struct model *M(struct fl_backend *b)
{
	return b->priv;
}

static int fail_errno(struct fl_backend *b, const char *what, int err)
{
	snprintf(b->err, sizeof(b->err), "%s: %s", what, strerror(err));
	return FL_EFAIL;
}

static int proc_index(struct model *m, struct mm_struct *mm)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (m->procs[i] == mm)
			return i;
	return -1;
}

static const char *vm_fault_name(vm_fault_t ret)
{
	if (ret & VM_FAULT_OOM)
		return "OOM";
	if (ret & VM_FAULT_SIGBUS)
		return "SIGBUS";
	if (ret & VM_FAULT_SIGSEGV)
		return "SIGSEGV";
	if (ret & VM_FAULT_FALLBACK)
		return "FALLBACK";
	if (ret & VM_FAULT_RETRY)
		return "RETRY";
	if (ret & VM_FAULT_NOPAGE)
		return "NOPAGE";
	if (ret & VM_FAULT_DONE_COW)
		return "DONE_COW";
	if (ret & VM_FAULT_NEEDDSYNC)
		return "NEEDDSYNC";
	return "0";
}

/* --explain: "fault p0:m+0x201000 read pmd anon -> NOPAGE mapped=huge-zero" */
static void explain_event(const struct fl_fault_event *ev)
{
	static const char *const levels[] = { "pte", "pmd", "pud" };
	struct fl_backend *b = explain_backend;
	char where[160];
	int proc;

	if (!b || !b->explain)
		return;
	proc = proc_index(M(b), ev->mm);
	if (b->addr_fmt)
		b->addr_fmt(b->addr_ctx, proc, ev->address, where, sizeof(where));
	else
		snprintf(where, sizeof(where), "p%d:0x%llx", proc, (unsigned long long)ev->address);
	fprintf(b->out, "fault %s %s %s %s -> %s", where, ev->write ? "write" : "read",
		levels[ev->level], ev->handler, ev->skipped ? "SKIPPED" : vm_fault_name(ev->ret));
	if (ev->mapped)
		fprintf(b->out, " mapped=%s", ev->mapped);
	if (ev->reason != FL_REASON_NONE)
		fprintf(b->out, " reason=%s", fl_reasons[ev->reason].code);
	fputc('\n', b->out);
}

/* The first command the model cannot run yet, or NULL. */
static const char *unsupported(const struct scn_cmd *c, const struct scn_loc **loc)
{
	*loc = &c->loc;
	switch (c->op) {
	case SCN_MREMAP:
		return "mremap";
	case SCN_PARALLEL:
		return "parallel blocks";
	case SCN_MMAP:
		if ((c->source == SCN_SRC_PFN || c->source == SCN_SRC_MIXED) &&
		    c->pfn_space == SCN_PFN_PMEM)
			return "pfn and mixed maps of pmem (DAX)";
		return NULL;
	default:
		return NULL;
	}
}

static bool has_dax_files(const struct scn *scn)
{
	for (int i = 0; i < scn->ncmds; i++)
		if (scn->cmds[i].op == SCN_FILE && scn->cmds[i].fs == SCN_FS_DAX)
			return true;
	return false;
}

/* pmem (config pmem=) and the DAX filesystem over it (dax_fs_align=). */
static int dax_bring_up(struct fl_backend *b)
{
	struct model *m = M(b);

	if (pmem_init())
		return fail_errno(b, "cannot bring up pmem", errno);
	m->daxfs = daxfs_mount();
	if (!m->daxfs)
		return fail_errno(b, "cannot mount the DAX filesystem", errno);
	dax_set_mms(m->procs, MAX_PROCS);
	return FL_OK;
}

static int check_dax(struct model *m, bool final);

/* Unmount and take pmem down; the filesystem's own leak check first. */
static int dax_tear_down(struct model *m)
{
	int ret = FL_OK;

	if (m->daxfs) {
		if (check_dax(m, true) || daxfs_check_final(m->daxfs, stderr))
			ret = FL_EINVARIANT;
		daxfs_unmount(m->daxfs);
		m->daxfs = NULL;
	}
	dax_set_mms(NULL, 0);
	pmem_exit();
	return ret;
}

static int model_prepare(struct fl_backend *b, const struct scn *scn)
{
	struct model *m = M(b);

	for (int i = 0; i < scn->ncmds; i++) {
		const struct scn_loc *loc;
		const char *what = unsupported(&scn->cmds[i], &loc);

		if (what) {
			snprintf(b->err, sizeof(b->err), "%s: not supported yet", what);
			b->err_loc = *loc;
			return FL_EUNSUPPORTED;
		}
	}
	fl_bug_reset();
	/* Injections and poked entries armed by an earlier scenario end with it. */
	dax_entry_inject(0);
	pmem_inject_direct_access(0, 0);
	fl_model_call_reset();
	if (phys_init(&scn->config))
		return fail_errno(b, "cannot reserve simulated RAM", errno);
	m->machine_up = true;
	m->cursor = 0x7f0000000000ull;
	m->procs[0] = mm_alloc();
	if (!m->procs[0])
		return fail_errno(b, "mm_alloc", ENOMEM);
	if (has_dax_files(scn) && dax_bring_up(b))
		return FL_EFAIL;
	explain_backend = b;
	fl_fault_explain = b->explain ? explain_event : NULL;
	return FL_OK;
}

static int model_fork(struct fl_backend *b, int parent, int child)
{
	struct model *m = M(b);

	if (child >= MAX_PROCS)
		return fail_errno(b, "fork", EAGAIN);
	m->procs[child] = dup_mm(m->procs[parent]);
	return m->procs[child] ? FL_OK : fail_errno(b, "fork", ENOMEM);
}

static int model_exit(struct fl_backend *b, int proc)
{
	struct model *m = M(b);

	mmput(m->procs[proc]);
	m->procs[proc] = NULL;
	return FL_OK;
}

static long faults_of(struct mm_struct *mm)
{
	return mm->min_flt + mm->maj_flt;
}

static uint64_t place(struct model *m, const struct scn_cmd *c)
{
	uint64_t align = c->align > PMD_SIZE ? c->align : PMD_SIZE;
	uint64_t start;

	start = (m->cursor - c->size - c->at) & ~(align - 1);
	m->cursor = start - PMD_SIZE;
	return start + c->at;	/* at=X: X past the aligned start */
}

/*
 * What every mmap step does after the mapping exists: the madvise flags,
 * MAP_POPULATE (its faults count in the step, as on Linux), the result.
 */
static int mmap_finish(struct fl_backend *b, struct mm_struct *mm, const struct scn_cmd *c,
		       uint64_t addr, long faults_before, uint64_t *start, struct fl_step_result *r)
{
	if (c->hugepage && do_madvise(mm, addr, c->size, MADV_HUGEPAGE))
		return fail_errno(b, "madvise(MADV_HUGEPAGE)", EINVAL);
	if (c->nohugepage && do_madvise(mm, addr, c->size, MADV_NOHUGEPAGE))
		return fail_errno(b, "madvise(MADV_NOHUGEPAGE)", EINVAL);
	if (c->populate)
		mm_populate(mm, addr, c->size);
	*start = addr;
	r->faults = faults_of(mm) - faults_before;
	return FL_OK;
}

/*
 * pfn=BASE / mixed=BASE: a driver's mmap (src/mm/pfnmap.c).  `hugepage` is
 * madvise(MADV_HUGEPAGE) as for any mapping; it is what lets the mixed
 * driver's huge_fault map PMDs under thp=madvise.
 */
static int driver_mmap(struct fl_backend *b, struct mm_struct *mm, const struct scn_cmd *c,
		       int prot, int flags, uint64_t *start, struct fl_step_result *r)
{
	unsigned long pfn = scn_space_pfn(c->pfn_space, c->pfn_base);
	long before = faults_of(mm);
	int64_t addr;

	/* MODEL: frames the machine has no bytes for (pmem before DAX, none) are refused. */
	if (!pfn_has_bytes(pfn) || !pfn_has_bytes(pfn + ((c->size - 1) >> PAGE_SHIFT)) ||
	    pfn_valid(pfn) != pfn_valid(pfn + ((c->size - 1) >> PAGE_SHIFT)))
		return fail_errno(b, "mmap of frames without simulated memory", EINVAL);
	addr = fl_driver_mmap(mm, place(M(b), c), c->size, prot, flags,
			      c->source == SCN_SRC_PFN, pfn);

	if (addr < 0)
		return fail_errno(b, "mmap", (int)-addr);
	return mmap_finish(b, mm, c, (uint64_t)addr, before, start, r);
}

/*
 * mmap of a DAX file: xfs_file_mmap() sets VM_HUGEPAGE for a DAX inode (its
 * PMD faults need no madvise); `sync` is MAP_SYNC, VM_SYNC on the VMA.
 */
static int dax_mmap(struct fl_backend *b, struct mm_struct *mm, const struct scn_cmd *c,
		    int prot, int flags, struct daxfs_file *f, uint64_t *start,
		    struct fl_step_result *r)
{
	long before = faults_of(mm);
	struct vm_area_struct *vma;
	int64_t addr;

	addr = do_mmap(mm, place(M(b), c), c->size, prot, flags, &dax_file_vm_ops, f,
		       c->file_off >> PAGE_SHIFT, NULL);
	if (addr < 0)
		return fail_errno(b, "mmap", (int)-addr);
	if (c->sync && !c->shared) {
		do_munmap(mm, (uint64_t)addr, c->size);
		return fail_errno(b, "mmap(MAP_SYNC)", EINVAL);
	}
	mmap_write_lock(mm);
	vma = vma_lookup(mm, (uint64_t)addr);
	if (vma)
		vma->vm_flags |= VM_HUGEPAGE | (c->sync ? VM_SYNC : 0);
	mmap_write_unlock(mm);
	return mmap_finish(b, mm, c, (uint64_t)addr, before, start, r);
}

static int model_mmap(struct fl_backend *b, int proc, const struct scn_cmd *c, int file,
		      uint64_t *start, struct fl_step_result *r)
{
	struct model *m = M(b);
	struct mm_struct *mm = m->procs[proc];
	int prot = c->prot == SCN_PROT_RW ? PROT_READ | PROT_WRITE :
		   c->prot == SCN_PROT_RO ? PROT_READ : PROT_NONE;
	int flags = MAP_FIXED | (c->shared ? MAP_SHARED : MAP_PRIVATE);
	const char *name = c->source == SCN_SRC_ZERO ? "zero" : NULL;
	long before = faults_of(mm);
	const struct vm_operations_struct *ops = NULL;
	struct fl_file *f = NULL;
	int64_t addr;

	if (c->source == SCN_SRC_PFN || c->source == SCN_SRC_MIXED)
		return driver_mmap(b, mm, c, prot, flags, start, r);
	if (c->source == SCN_SRC_FILE && file >= 0 && file < MAX_FILES && m->dax[file])
		return dax_mmap(b, mm, c, prot, flags, m->dax[file], start, r);
	if (c->sync)
		return fail_errno(b, "mmap(MAP_SYNC)", EOPNOTSUPP);	/* not a DAX file */
	if (c->source == SCN_SRC_FILE) {
		if (file < 0 || file >= MAX_FILES || !m->files[file])
			return fail_errno(b, "mmap", EBADF);
		f = m->files[file];
		ops = f->kind == FL_FILE_TMPFS ? &tmpfs_file_vm_ops : &filemap_vm_ops;
	}
	addr = do_mmap(mm, place(m, c), c->size, prot, flags, ops, f,
		       c->source != SCN_SRC_ANON ? c->file_off >> PAGE_SHIFT : 0, name);
	if (addr < 0)
		return fail_errno(b, "mmap", (int)-addr);
	return mmap_finish(b, mm, c, (uint64_t)addr, before, start, r);
}

/* `file NAME size=S fs=pagecache|tmpfs` (DAX files are refused in prepare()). */
static int model_file_create(struct fl_backend *b, int file, const struct scn_cmd *c)
{
	struct model *m = M(b);

	if (file < 0 || file >= MAX_FILES)
		return fail_errno(b, "file", EMFILE);
	fl_file_put(m->files[file]);
	m->files[file] = NULL;
	dax_file_put(m->dax[file]);
	m->dax[file] = NULL;
	if (c->fs == SCN_FS_DAX) {
		m->dax[file] = dax_file_create(m->daxfs, c->name, c->size);
		return m->dax[file] ? FL_OK : fail_errno(b, "file", ENOMEM);
	}
	m->files[file] = fl_file_create(c->fs == SCN_FS_TMPFS ? FL_FILE_TMPFS : FL_FILE_PAGECACHE,
					c->size);
	return m->files[file] ? FL_OK : fail_errno(b, "file", ENOMEM);
}

/*
 * write(2) into a hole that a mapping shows as the zero page: the new block
 * must replace it (dax_iomap_iter() invalidates the range when it
 * allocates), so zero entries in the range are unmapped and deleted.
 */
static void dax_invalidate_zero_entries(struct daxfs_file *f, uint64_t off, uint64_t len)
{
	struct dax_mapping *xm = dax_file_mapping(f);
	unsigned long i = (unsigned long)(off >> PAGE_SHIFT);
	unsigned long last = (unsigned long)((off + len - 1) >> PAGE_SHIFT);

	while (len && i <= last) {
		unsigned long e = dax_load_entry(xm, i);
		unsigned long span = e ? dax_entry_span(e) : 1;

		i &= ~(span - 1);
		if (e && dax_is_zero_entry(e)) {
			xm->ops->unmap_mapping_pages(xm, i, span);
			dax_invalidate_mapping_entry_sync(xm, i);
		}
		i += span;
	}
}

/* File operations on a DAX file (SCENARIOS.md; R68-R70 for truncate and punch). */
static int dax_file_op(struct fl_backend *b, int file, int file2, const struct scn_cmd *c)
{
	struct model *m = M(b);
	struct daxfs_file *f = m->dax[file];
	int err = 0;

	switch (c->op) {
	case SCN_PWRITE:
		err = daxfs_pwrite_fill(f, c->byte >= 0 ? c->byte : 0xAB, c->len, c->off);
		if (!err)
			dax_invalidate_zero_entries(f, c->off, c->len);
		break;
	case SCN_TRUNCATE:
		err = dax_file_truncate(f, c->size);
		break;
	case SCN_PUNCH:
		err = dax_file_punch(f, c->off, c->len);
		break;
	case SCN_FSYNC:
		err = dax_file_fsync(f);
		break;
	case SCN_DROP_CACHE:
		break;		/* a DAX file has no page cache */
	case SCN_REFLINK:
		if (file2 < 0 || file2 >= MAX_FILES || !m->dax[file2])
			return fail_errno(b, "reflink", EXDEV);
		err = dax_file_reflink(f, m->dax[file2]);
		break;
	default:
		snprintf(b->err, sizeof(b->err), "not a file operation");
		return FL_EUNSUPPORTED;
	}
	return err ? fail_errno(b, scn_op_name(c->op), -err) : FL_OK;
}

static int model_file_op(struct fl_backend *b, int file, int file2, const struct scn_cmd *c)
{
	struct model *m = M(b);
	struct fl_file *f = file >= 0 && file < MAX_FILES ? m->files[file] : NULL;

	(void)file2;
	if (!f && file >= 0 && file < MAX_FILES && m->dax[file])
		return dax_file_op(b, file, file2, c);
	if (!f)
		return fail_errno(b, "file operation", EBADF);
	switch (c->op) {
	case SCN_PWRITE:
		if (fl_file_pwrite(f, c->off, c->len, c->byte >= 0 ? c->byte : 0xAB))
			return fail_errno(b, "pwrite", ENOMEM);
		return FL_OK;
	case SCN_TRUNCATE:
		if (fl_truncate(m->procs, MAX_PROCS, f, c->size))
			return fail_errno(b, "ftruncate", ENOMEM);
		return FL_OK;
	case SCN_PUNCH:
		fl_punch(m->procs, MAX_PROCS, f, c->off, c->len);
		return FL_OK;
	case SCN_FSYNC:
		fl_writeback(m->procs, MAX_PROCS, f);
		return FL_OK;
	case SCN_DROP_CACHE:
		fl_file_drop_cache(f);
		return FL_OK;
	default:
		snprintf(b->err, sizeof(b->err), "not a file operation");
		return FL_EUNSUPPORTED;
	}
}

static void put_files(struct model *m)
{
	for (int i = 0; i < MAX_FILES; i++) {
		fl_file_put(m->files[i]);
		m->files[i] = NULL;
		dax_file_put(m->dax[i]);
		m->dax[i] = NULL;
	}
}

/* msync(MS_SYNC): write back the files mapped shared in the range. */
static int model_msync(struct fl_backend *b, int proc, uint64_t start, uint64_t len)
{
	struct model *m = M(b);
	struct mm_struct *mm = m->procs[proc];
	struct fl_file *files[MAX_FILES];
	struct daxfs_file *dax[MAX_FILES];
	int n = 0, nd = 0;

	mmap_read_lock(mm);
	for (int i = 0; i < mm->nr_vmas && n < MAX_FILES; i++) {
		struct vm_area_struct *vma = mm->vmas[i];

		if (vma->vm_end > start && vma->vm_start < start + len &&
		    (vma->vm_flags & VM_SHARED) &&
		    (vma->vm_ops == &filemap_vm_ops || vma->vm_ops == &tmpfs_file_vm_ops))
			files[n++] = vma->vm_file;
		else if (vma->vm_end > start && vma->vm_start < start + len &&
			 (vma->vm_flags & VM_SHARED) && vma_is_dax(vma) && nd < MAX_FILES)
			dax[nd++] = vma->vm_file;
	}
	mmap_read_unlock(mm);
	for (int i = 0; i < n; i++)
		fl_writeback(m->procs, MAX_PROCS, files[i]);
	for (int i = 0; i < nd; i++)
		dax_writeback_mapping_range(dax_file_mapping(dax[i]), 0, ~0ul);
	return FL_OK;
}

static int model_munmap(struct fl_backend *b, int proc, uint64_t start, uint64_t len)
{
	int err = do_munmap(M(b)->procs[proc], start, len);

	return err ? fail_errno(b, "munmap", -err) : FL_OK;
}

static int model_mprotect(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
			  enum scn_prot prot, struct fl_step_result *r)
{
	int p = prot == SCN_PROT_RW ? PROT_READ | PROT_WRITE : prot == SCN_PROT_RO ? PROT_READ : 0;
	int err = do_mprotect(M(b)->procs[proc], start, len, p);

	(void)r;
	return err ? fail_errno(b, "mprotect", -err) : FL_OK;
}

static int model_madvise(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
			 enum scn_advice advice, struct fl_step_result *r)
{
	static const int adv[] = {
		[SCN_ADV_DONTNEED] = MADV_DONTNEED, [SCN_ADV_HUGEPAGE] = MADV_HUGEPAGE,
		[SCN_ADV_NOHUGEPAGE] = MADV_NOHUGEPAGE,
		[SCN_ADV_POPULATE_READ] = MADV_POPULATE_READ,
		[SCN_ADV_POPULATE_WRITE] = MADV_POPULATE_WRITE,
	};
	struct mm_struct *mm = M(b)->procs[proc];
	long before = faults_of(mm);
	int err = do_madvise(mm, start, len, adv[advice]);

	r->faults = faults_of(mm) - before;
	return err ? fail_errno(b, "madvise", -err) : FL_OK;
}

/*
 * An operation found the model broken (a report such as "MMU" or "fault
 * livelock"): print it as the after-step check would, and name the
 * invariant in b->err for expect-stop.
 */
static int model_broken(struct fl_backend *b, int err)
{
	if (!fl_bug_count()) {
		snprintf(b->err, sizeof(b->err), "model error %d without a report", err);
		return FL_EINVARIANT;
	}
	fl_check_invariants(M(b)->procs, MAX_PROCS, stderr);
	snprintf(b->err, sizeof(b->err), "%s", fl_check_broken());
	return FL_EINVARIANT;
}

static int model_access(struct fl_backend *b, int proc, uint64_t va, uint64_t len, bool write,
			int byte, int expect_byte, struct fl_step_result *r)
{
	struct mm_struct *mm = M(b)->procs[proc];
	long before = faults_of(mm), majbefore = mm->maj_flt;
	uint8_t buf[PAGE_SIZE];
	uint64_t end = va + (len ? len : 1);

	r->bad_byte = -1;
	if (write)
		memset(buf, byte, sizeof(buf));
	while (va < end) {
		uint64_t next = (va & PAGE_MASK) + PAGE_SIZE;
		size_t n = write ? (size_t)((next < end ? next : end) - va) : 1;
		struct fl_access_result res;
		int err = fl_access(mm, va, write, buf, n, &res);

		if (err == -ENOMEM)
			return fail_errno(b, "out of memory (Linux would run the OOM killer)", ENOMEM);
		if (err)
			return model_broken(b, err);
		if (res.signo) {
			r->signo = res.signo;
			r->si_code = res.si_code;
			r->fault_va = res.addr;
			break;
		}
		if (!write && expect_byte >= 0 && buf[0] != expect_byte && r->bad_byte < 0) {
			r->bad_byte = buf[0];
			r->bad_va = va;
		}
		va = next;
	}
	r->faults = faults_of(mm) - before;
	r->majflt = mm->maj_flt - majbefore;
	return FL_OK;
}

/*
 * `pin`: a longterm pin is pin_user_pages(FOLL_WRITE|FOLL_LONGTERM), what
 * io_uring buffer registration does (with or without `write`); a plain one
 * is get_user_pages(), what vmsplice does.  That is how the oracle realises
 * them, so both sides agree.  A `dma` pin is a short-term pin_user_pages(),
 * a DMA in flight, which userspace cannot hold (model only).
 */
static int model_pin(struct fl_backend *b, int proc, int pin, uint64_t va, uint64_t len,
		     bool write, bool longterm, bool dma, struct fl_step_result *r)
{
	unsigned int flags = longterm ? FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE :
			     dma ? FOLL_PIN : FOLL_GET;
	struct model *m = M(b);
	struct mm_struct *mm = m->procs[proc];
	long before = faults_of(mm);
	int err;

	if (pin < 0 || pin >= MAX_PINS)
		return fail_errno(b, "pin", EINVAL);
	fl_gup_release(m->pins[pin]);
	m->pins[pin] = fl_gup_flags(mm, va, len, flags | (write ? FOLL_WRITE : 0), &err);
	r->faults = faults_of(mm) - before;
	if (!m->pins[pin])
		return fail_errno(b, longterm || dma ? "pin_user_pages" : "get_user_pages", -err);
	return FL_OK;
}

/*
 * `dio-read`: the dirty page cache is written back first, as O_DIRECT
 * does, then fl_dio_read() pins and fills the buffer (src/mm/direct_io.c).
 */
static int model_dio_read(struct fl_backend *b, int proc, int file, uint64_t off, uint64_t va,
			  uint64_t len, struct fl_step_result *r)
{
	struct model *m = M(b);
	struct mm_struct *mm = m->procs[proc];
	struct fl_file *f = file >= 0 && file < MAX_FILES ? m->files[file] : NULL;
	long before = faults_of(mm), majbefore = mm->maj_flt, ret;

	if (!f || f->kind != FL_FILE_PAGECACHE) {
		snprintf(b->err, sizeof(b->err), "dio-read needs a fs=pagecache file");
		return FL_EUNSUPPORTED;
	}
	fl_writeback(m->procs, MAX_PROCS, f);
	ret = fl_dio_read(mm, f, off, va, len);
	r->faults = faults_of(mm) - before;
	r->majflt = mm->maj_flt - majbefore;
	return ret < 0 ? fail_errno(b, "pread(O_DIRECT)", (int)-ret) : FL_OK;
}

static int model_unpin(struct fl_backend *b, int pin)
{
	struct model *m = M(b);

	if (pin >= 0 && pin < MAX_PINS) {
		fl_gup_release(m->pins[pin]);
		m->pins[pin] = NULL;
	}
	return FL_OK;
}

static int model_inject(struct fl_backend *b, const struct scn_cmd *c)
{
	struct daxfs *fs = M(b)->daxfs;
	int n = c->count > 0 ? (int)c->count : 1;

	switch (c->inject) {
	case SCN_INJ_ENTRY:
		dax_entry_inject(n);
		return FL_OK;
	case SCN_INJ_ACCESS_EIO:
	case SCN_INJ_ACCESS_ENOMEM:
	case SCN_INJ_BLOCK:
	case SCN_INJ_IOMAP_HOLE:
	case SCN_INJ_IOMAP_SHORT:
	case SCN_INJ_FSYNC:
	case SCN_INJ_NOFS:
		if (!fs)
			return fail_errno(b, "inject: no DAX filesystem", ENODEV);
		if (c->inject == SCN_INJ_ACCESS_EIO || c->inject == SCN_INJ_ACCESS_ENOMEM)
			pmem_inject_direct_access(c->inject == SCN_INJ_ACCESS_EIO ? -EIO : -ENOMEM, n);
		else if (c->inject == SCN_INJ_BLOCK)
			daxfs_inject_block(fs, n);
		else if (c->inject == SCN_INJ_IOMAP_HOLE)
			daxfs_inject_iomap_hole(fs, n);
		else if (c->inject == SCN_INJ_IOMAP_SHORT)
			daxfs_inject_iomap_short(fs, n);
		else if (c->inject == SCN_INJ_FSYNC)
			daxfs_inject_fsync(fs, n);
		else
			daxfs_inject_nofs(fs, n);
		return FL_OK;
	default:
		break;
	}
	atomic_add((int)(c->count > 0 ? c->count : 1),
		   c->inject == SCN_INJ_PGTABLE ? &machine.inject_pgtable : &machine.inject_folio);
	return FL_OK;
}

static int model_snapshot(struct fl_backend *b, int proc, const struct fl_map_ref *maps,
			  int nmaps, struct fl_obs_snapshot *s)
{
	struct mm_struct *mm = M(b)->procs[proc];

	for (int i = 0; i < nmaps; i++)
		fl_model_observe(mm, maps[i].name, maps[i].start, maps[i].len, b->comparable, s);
	return FL_OK;
}

/*
 * FS-DAX statistics, summed over every DAX file (model only): dax_entries,
 * dax_nrpages, dax_dirty (entries tagged DIRTY), dax_zero (ZERO entries),
 * dax_blocks (filesystem blocks in use).
 */
static int dax_stat(struct model *m, const char *name, uint64_t *val)
{
	uint64_t entries = 0, nrpages = 0, dirty = 0, zero = 0;

	for (int i = 0; i < MAX_FILES; i++) {
		struct dax_mapping *xm = m->dax[i] ? dax_file_mapping(m->dax[i]) : NULL;

		if (!xm)
			continue;
		spin_lock(&xm->i_pages_lock);
		entries += xm->nr_slots;
		nrpages += xm->nrpages;
		for (unsigned long s = 0; s < xm->nr_slots; s++) {
			dirty += !!(xm->slots[s].tags & DAX_TAG_DIRTY);
			zero += dax_is_zero_entry(xm->slots[s].entry);
		}
		spin_unlock(&xm->i_pages_lock);
	}
	if (!strcmp(name, "dax_entries"))
		*val = entries;
	else if (!strcmp(name, "dax_nrpages"))
		*val = nrpages;
	else if (!strcmp(name, "dax_dirty"))
		*val = dirty;
	else if (!strcmp(name, "dax_zero"))
		*val = zero;
	else if (!strcmp(name, "dax_blocks") && m->daxfs)
		*val = daxfs_blocks_used(m->daxfs);
	else
		return FL_EUNSUPPORTED;
	return FL_OK;
}

static int model_stat(struct fl_backend *b, int proc, const char *name, uint64_t *val)
{
	struct mm_struct *mm = M(b)->procs[proc];
	static const struct { const char *name; enum vm_event ev; } events[] = {
		{ "pgfault", PGFAULT }, { "pgmajfault", PGMAJFAULT },
		{ "thp_fault_alloc", THP_FAULT_ALLOC }, { "thp_fault_fallback", THP_FAULT_FALLBACK },
		{ "thp_split_pmd", THP_SPLIT_PMD },
		{ "thp_deferred_split_page", THP_DEFERRED_SPLIT_PAGE },
		{ "thp_zero_page_alloc", THP_ZERO_PAGE_ALLOC }, { "cow_copy", COW_COPY },
		{ "cow_reuse", COW_REUSE }, { "bad_page_map", BAD_PAGE_MAP },
		{ "vm_warn", VM_WARN }, { "nonpresent_at_insert", NONPRESENT_AT_INSERT },
		{ "thp_split_pud", THP_SPLIT_PUD }, { "gup_fast", GUP_FAST }, { "gup_slow", GUP_SLOW },
	};

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strcmp(name, events[i].name)) {
			*val = (uint64_t)vm_event(events[i].ev);
			return FL_OK;
		}
	if (!strcmp(name, "nr_ptes"))
		*val = (uint64_t)mm_nr_ptes(mm);
	else if (!strcmp(name, "nr_pmds"))
		*val = (uint64_t)atomic_long_read(&mm->pgt.nr_pmds);
	else if (!strcmp(name, "vmas"))
		*val = (uint64_t)mm->nr_vmas;
	else if (!strcmp(name, "rss_anon"))
		*val = (uint64_t)get_mm_counter(mm, MM_ANONPAGES);
	else if (!strcmp(name, "rss_file"))
		*val = (uint64_t)get_mm_counter(mm, MM_FILEPAGES);
	else if (!strcmp(name, "rss_shmem"))
		*val = (uint64_t)get_mm_counter(mm, MM_SHMEMPAGES);
	else if (!strcmp(name, "minflt"))
		*val = (uint64_t)mm->min_flt;
	else if (!strcmp(name, "majflt"))
		*val = (uint64_t)mm->maj_flt;
	else if (!strcmp(name, "hzref"))
		*val = (mm->flags >> MMF_HUGE_ZERO_FOLIO) & 1;
	else if (!strcmp(name, "huge_zero_refcount"))
		*val = (uint64_t)atomic_read(&machine.huge_zero_refcount);
	else if (!strcmp(name, "folios"))
		*val = (uint64_t)(atomic_long_read(&machine.folios_allocated) -
				  atomic_long_read(&machine.folios_freed));
	else if (!strcmp(name, "page_tables"))
		*val = (uint64_t)(atomic_long_read(&machine.tables_allocated) -
				  atomic_long_read(&machine.tables_freed));
	else if (!strcmp(name, "free_pages"))
		*val = nr_free_pages();
	else if (!strncmp(name, "dax_", 4))
		return dax_stat(M(b), name, val);
	else
		return FL_EUNSUPPORTED;
	return FL_OK;
}

/* SPEC.md section 6, invariants 6-8 (and 10 when @final) over the DAX files. */
static int check_dax(struct model *m, bool final)
{
	struct dax_mapping *maps[MAX_FILES];

	if (!m->daxfs)
		return 0;
	for (int i = 0; i < MAX_FILES; i++)
		maps[i] = m->dax[i] ? dax_file_mapping(m->dax[i]) : NULL;
	return fl_check_dax(maps, MAX_FILES, m->daxfs, final, stderr);
}

/* call and poke: model_call.c, in the current process. */
static int model_call(struct fl_backend *b, int proc, const struct scn_cmd *c,
		      const struct fl_call_addrs *a, char *why, size_t len)
{
	if (!M(b)->procs[proc])
		return fail_errno(b, "call in a process that has exited", ESRCH);
	return fl_model_call(M(b)->procs, proc, c, a, why, len, b->err, sizeof(b->err));
}

static int model_after_step(struct fl_backend *b, const struct scn_cmd *c)
{
	struct model *m = M(b);

	(void)c;
	if (!b->check_each_step)
		return fl_bug_count() ? model_broken(b, 0) : FL_OK;
	if (!fl_check_invariants(m->procs, MAX_PROCS, stderr) && !check_dax(m, false))
		return FL_OK;
	/* The invariant's name, for expect-stop. */
	snprintf(b->err, sizeof(b->err), "%s", fl_check_broken());
	return FL_EINVARIANT;
}

static int model_finish(struct fl_backend *b)
{
	struct model *m = M(b);
	int ret = FL_OK;

	if (!m->machine_up)
		return FL_OK;
	if (fl_check_invariants(m->procs, MAX_PROCS, stderr))
		ret = FL_EINVARIANT;
	for (int i = 0; i < MAX_PINS; i++)
		model_unpin(b, i);
	fl_model_call_unpoke_all();
	for (int i = 0; i < MAX_PROCS; i++) {
		mmput(m->procs[i]);
		m->procs[i] = NULL;
	}
	put_files(m);
	shrink_huge_zero_folio();
	if (dax_tear_down(m))
		ret = FL_EINVARIANT;
	if (ret == FL_OK && fl_check_final(stderr))
		ret = FL_EINVARIANT;
	fl_fault_explain = NULL;
	explain_backend = NULL;
	phys_exit();
	m->machine_up = false;
	return ret;
}

static void model_destroy(struct fl_backend *b)
{
	if (!b)
		return;
	if (M(b)->machine_up) {
		for (int i = 0; i < MAX_PINS; i++)
			model_unpin(b, i);
		fl_model_call_unpoke_all();
		for (int i = 0; i < MAX_PROCS; i++)
			mmput(M(b)->procs[i]);
		put_files(M(b));
		dax_tear_down(M(b));
		phys_exit();
	}
	free(b->priv);
	free(b);
}

/* `show-entries FILE`: src/dax's printer (docs/contract-notes.md). */
static int model_show_entries(struct fl_backend *b, int file, FILE *out)
{
	struct model *m = M(b);

	if (file < 0 || file >= MAX_FILES || !m->dax[file])
		return fail_errno(b, "show-entries: not a DAX file", EINVAL);
	dax_show_entries(dax_file_mapping(m->dax[file]), out, NULL, NULL);
	return FL_OK;
}

static const struct fl_backend_ops model_ops = {
	.name = "model",
	.prepare = model_prepare,
	.file_create = model_file_create,
	.file_op = model_file_op,
	.fork = model_fork,
	.exit = model_exit,
	.mmap = model_mmap,
	.munmap = model_munmap,
	.msync = model_msync,
	.mprotect = model_mprotect,
	.madvise = model_madvise,
	.access = model_access,
	.pin = model_pin,
	.unpin = model_unpin,
	.dio_read = model_dio_read,
	.inject = model_inject,
	.snapshot = model_snapshot,
	.show_entries = model_show_entries,
	.stat = model_stat,
	.after_step = model_after_step,
	.call = model_call,
	.finish = model_finish,
	.destroy = model_destroy,
};

struct fl_backend *fl_model_backend_create(void)
{
	struct fl_backend *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->priv = calloc(1, sizeof(struct model));
	if (!b->priv) {
		free(b);
		return NULL;
	}
	b->ops = &model_ops;
	b->out = stdout;
	b->check_each_step = true;
	return b;
}
