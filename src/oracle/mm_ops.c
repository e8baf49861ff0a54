// SPDX-License-Identifier: GPL-2.0-only
/*
 * mm_ops.c - mapping and touching memory, one agent request per step.
 *
 * The driver translates the scenario's words into mmap(2) flags and
 * madvise(2) advice here, picks the address (place.c), and copies the
 * agent's measurements into the step result: faults = minflt + majflt of
 * the agent over the step's window, the signal if one came, and the first
 * byte that differed for `read ... expect=B`.
 *
 * mremap that grows moves the mapping (MREMAP_FIXED) to a fresh placed
 * range aligned like the old start, since the arena around it leaves no
 * room to grow in place; shrinking stays in place.
 *
 * With `config thp=always` on a kernel whose sysfs says madvise, every
 * anonymous mapping (anon, or /dev/zero private) that does not say
 * `nohugepage` is madvised MADV_HUGEPAGE: for anonymous faults that is
 * what "always" means.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oracle/oracle_int.h"

static int call(struct fl_oracle *o, int proc, const struct fl_agent_req *rq, int fd,
		struct fl_agent_rep *rp)
{
	struct fl_oracle_agent *a = fl_oracle_agent(o, proc);

	if (!a)
		return fl_oracle_fail(o, FL_EFAIL, "p%d is not running", proc);
	memset(rp, 0, sizeof(*rp));
	return fl_agent_request(a, rq, fd, rp, o->b.err, sizeof(o->b.err)) ? FL_EFAIL : FL_OK;
}

static void step_result(const struct fl_agent_rep *rp, struct fl_step_result *r)
{
	if (!r)
		return;
	r->signo = rp->signo;
	r->si_code = rp->si_code;
	r->fault_va = rp->signo ? rp->fault_va : 0;
	r->faults = rp->minflt + rp->majflt;
	r->majflt = rp->majflt;
	r->bad_va = rp->bad_va;
	r->bad_byte = rp->bad_byte;
}

static int prot_of(enum scn_prot p)
{
	return p == SCN_PROT_RW ? PROT_READ | PROT_WRITE : p == SCN_PROT_RO ? PROT_READ : PROT_NONE;
}

static int remember(struct fl_oracle *o, uint64_t start, uint64_t len, bool dax)
{
	struct fl_oracle_map *v = realloc(o->maps, (size_t)(o->nmaps + 1) * sizeof(*v));

	if (!v)
		return -1;
	v[o->nmaps++] = (struct fl_oracle_map){ .start = start, .len = len, .dax = dax };
	o->maps = v;
	return 0;
}

/* MAP_* flags and the descriptor that goes with them (-1 for anon). */
static int map_flags(struct fl_oracle *o, const struct scn_cmd *c, int file, int *fd)
{
	int flags = c->shared ? MAP_SHARED : MAP_PRIVATE;

	*fd = -1;
	if (c->sync)
		flags = MAP_SHARED_VALIDATE | MAP_SYNC;
	if (c->populate)
		flags |= MAP_POPULATE;
	if (c->source == SCN_SRC_ANON)
		flags |= MAP_ANONYMOUS;
	else if (c->source == SCN_SRC_ZERO)
		*fd = o->zero_fd;
	else
		*fd = fl_files_fd(&o->files, file);
	return flags;
}

static int madv_flags(const struct fl_oracle *o, const struct scn_cmd *c, int file)
{
	bool anon = c->source == SCN_SRC_ANON || (c->source == SCN_SRC_ZERO && !c->shared);
	bool dax = c->source == SCN_SRC_FILE && fl_files_is_dax(&o->files, file);

	if (c->nohugepage || (dax && o->env.dax_nohugepage))
		return AG_MMAP_NOHUGEPAGE;
	if (c->hugepage || (o->env.hugepage_all_anon && anon))
		return AG_MMAP_HUGEPAGE;
	return 0;
}

int fl_oracle_mmap(struct fl_backend *b, int proc, const struct scn_cmd *c, int file,
		   uint64_t *start, struct fl_step_result *r)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_agent_req rq = { .op = AG_MMAP, .expect_byte = -1 };
	struct fl_agent_rep rp;
	int fd, ret;

	if (c->source == SCN_SRC_PFN || c->source == SCN_SRC_MIXED)
		return fl_oracle_fail(o, FL_ESKIP, "driver mappings cannot be made from userspace");
	/* at=X: the mapping starts X past an aligned start (contract-notes, Placement). */
	if (fl_place_next(&o->place, c->size + c->at, c->align, &rq.va))
		return fl_oracle_fail(o, FL_EFAIL, "mmap %s: no room for %#llx bytes aligned to %#llx",
				      c->name, (unsigned long long)c->size,
				      (unsigned long long)c->align);
	rq.va += c->at;
	rq.len = c->size;
	rq.prot = prot_of(c->prot);
	rq.mflags = map_flags(o, c, file, &fd);
	rq.madv = madv_flags(o, c, file);
	rq.file_off = c->source == SCN_SRC_FILE ? c->file_off : 0;
	rq.has_fd = fd >= 0;
	if (c->source == SCN_SRC_FILE && fd < 0)
		return fl_oracle_fail(o, FL_EFAIL, "mmap %s: file %s was not created", c->name, c->file);
	if ((ret = call(o, proc, &rq, fd, &rp)))
		return ret;
	step_result(&rp, r);
	if (rp.err)
		return fl_oracle_fail(o, FL_EFAIL, "mmap %s: %s: %s", c->name, rp.what, strerror(rp.err));
	if (remember(o, rq.va, rq.len, c->source == SCN_SRC_FILE && fl_files_is_dax(&o->files, file)))
		return fl_oracle_fail(o, FL_EFAIL, "out of memory");
	*start = rq.va;
	return FL_OK;
}

/* Requests on a range that report only success, or a step result. */
static int range_op(struct fl_backend *b, int proc, struct fl_agent_req *rq,
		    struct fl_step_result *r, const char *what)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_agent_rep rp;
	int ret = call(o, proc, rq, -1, &rp);

	if (ret)
		return ret;
	step_result(&rp, r);
	if (rp.err)
		return fl_oracle_fail(o, FL_EFAIL, "%s: %s", what, strerror(rp.err));
	return FL_OK;
}

int fl_oracle_munmap(struct fl_backend *b, int proc, uint64_t start, uint64_t len)
{
	struct fl_agent_req rq = { .op = AG_MUNMAP, .va = start, .len = len, .expect_byte = -1 };

	return range_op(b, proc, &rq, NULL, "munmap");
}

int fl_oracle_mprotect(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
		       enum scn_prot prot, struct fl_step_result *r)
{
	struct fl_agent_req rq = { .op = AG_MPROTECT, .va = start, .len = len,
				   .prot = prot_of(prot), .expect_byte = -1 };

	return range_op(b, proc, &rq, r, "mprotect");
}

int fl_oracle_madvise(struct fl_backend *b, int proc, uint64_t start, uint64_t len,
		      enum scn_advice advice, struct fl_step_result *r)
{
	static const int madv[] = {
		[SCN_ADV_DONTNEED] = MADV_DONTNEED,
		[SCN_ADV_HUGEPAGE] = MADV_HUGEPAGE,
		[SCN_ADV_NOHUGEPAGE] = MADV_NOHUGEPAGE,
		[SCN_ADV_POPULATE_READ] = MADV_POPULATE_READ,
		[SCN_ADV_POPULATE_WRITE] = MADV_POPULATE_WRITE,
	};
	struct fl_agent_req rq = { .op = AG_MADVISE, .va = start, .len = len, .expect_byte = -1 };

	if ((unsigned)advice >= sizeof(madv) / sizeof(madv[0]))
		return fl_oracle_fail(fl_oracle_of(b), FL_EFAIL, "madvise: bad advice %d", advice);
	rq.madv = madv[advice];
	return range_op(b, proc, &rq, r, "madvise");
}

int fl_oracle_msync(struct fl_backend *b, int proc, uint64_t start, uint64_t len)
{
	struct fl_agent_req rq = { .op = AG_MSYNC, .va = start, .len = len, .expect_byte = -1 };

	return range_op(b, proc, &rq, NULL, "msync");
}

int fl_oracle_access(struct fl_backend *b, int proc, uint64_t va, uint64_t len, bool write,
		     int byte, int expect_byte, struct fl_step_result *r)
{
	struct fl_agent_req rq = {
		.op = AG_ACCESS, .va = va, .len = len ? len : 1, .write = write,
		.byte = byte >= 0 ? byte : 0xCD, .expect_byte = write ? -1 : expect_byte,
	};

	return range_op(b, proc, &rq, r, write ? "write" : "read");
}

/*
 * `dio-read`: the driver opens the file again with O_DIRECT (the flag
 * belongs to the open file, not the inode) and hands the agent that fd.
 */
int fl_oracle_dio_read(struct fl_backend *b, int proc, int file, uint64_t off, uint64_t va,
		       uint64_t len, struct fl_step_result *r)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_agent_req rq = { .op = AG_DIO_READ, .va = va, .len = len, .file_off = off,
				   .expect_byte = -1, .has_fd = 1 };
	struct fl_agent_rep rp;
	int fd, ret;

	if (file < 0 || file >= o->files.n || o->files.v[file].fd < 0)
		return fl_oracle_fail(o, FL_EFAIL, "dio-read: file was not created");
	if (o->files.v[file].fs != SCN_FS_PAGECACHE)
		return fl_oracle_fail(o, FL_EFAIL, "dio-read needs a fs=pagecache file");
	fd = open(o->files.v[file].path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return fl_oracle_fail(o, FL_EFAIL, "dio-read: open %s with O_DIRECT: %s",
				      o->files.v[file].path, strerror(errno));
	ret = call(o, proc, &rq, fd, &rp);
	close(fd);
	if (ret)
		return ret;
	step_result(&rp, r);
	if (rp.err)
		return fl_oracle_fail(o, FL_EFAIL, "dio-read: %s: %s", rp.what, strerror(rp.err));
	return FL_OK;
}

/* The alignment of @va, as a power of two between 4K and 1G. */
static uint64_t align_of(uint64_t va)
{
	uint64_t a = 4096;

	while (a < (1ull << 30) && !(va & (a * 2 - 1)))
		a *= 2;
	return a;
}

int fl_oracle_mremap(struct fl_backend *b, int proc, uint64_t start, uint64_t old_len,
		     uint64_t new_len, uint64_t *new_start, struct fl_step_result *r)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_agent_req rq = { .op = AG_MREMAP, .va = start, .len = old_len,
				   .new_len = new_len, .expect_byte = -1 };
	struct fl_agent_rep rp;
	bool dax = false;
	int ret;

	for (int i = 0; i < o->nmaps; i++)
		if (o->maps[i].start == start)
			dax = o->maps[i].dax;
	if (new_len > old_len && fl_place_next(&o->place, new_len, align_of(start), &rq.new_va))
		return fl_oracle_fail(o, FL_EFAIL, "mremap: no room for %#llx bytes",
				      (unsigned long long)new_len);
	if ((ret = call(o, proc, &rq, -1, &rp)))
		return ret;
	step_result(&rp, r);
	if (rp.err)
		return fl_oracle_fail(o, FL_EFAIL, "mremap: %s", strerror(rp.err));
	if (rp.va != start && remember(o, rp.va, new_len, dax))
		return fl_oracle_fail(o, FL_EFAIL, "out of memory");
	*new_start = rp.va;
	return FL_OK;
}
