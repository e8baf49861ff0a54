// SPDX-License-Identifier: GPL-2.0-only
/*
 * model_call.c - the model side of `call` and `poke` (docs/contract-notes.md,
 * "Kernel calls, forged entries and expected stops").
 *
 * SPEC 4a and 4b test vm_normal_page() and the insert paths from states
 * that no sequence of system calls reaches (T3, T7, T8, T12 to T17, T20,
 * T21, T24 to T26, T29, T32), and some DAX tests need the fault past
 * __handle_mm_fault()'s own checks (T37) or a fault whose OOM is returned
 * rather than handled (T39, T58).  A call runs the real model function
 * under the locks its kernel callers hold (mmap_lock for read, the
 * function's own page-table locks) and compares its result with ret=.
 *
 * Entries given by value are built the way the kernel builds them and only
 * classified.  A poked entry is a non-present, swap-like encoding whose pfn
 * bits are the frame's: the one thing faultline otherwise never has.  The
 * static pass (sema.c) lets only calls meet it, so no walker but the ones
 * under test (and the checker, which passes over non-present entries, as
 * Linux's walkers do) ever reads it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mm/mm.h"
#include "scenario/model_call.h"

_Static_assert(SCN_VMF_OOM == VM_FAULT_OOM && SCN_VMF_SIGBUS == VM_FAULT_SIGBUS &&
	       SCN_VMF_MAJOR == VM_FAULT_MAJOR && SCN_VMF_SIGSEGV == VM_FAULT_SIGSEGV &&
	       SCN_VMF_NOPAGE == VM_FAULT_NOPAGE && SCN_VMF_LOCKED == VM_FAULT_LOCKED &&
	       SCN_VMF_RETRY == VM_FAULT_RETRY && SCN_VMF_FALLBACK == VM_FAULT_FALLBACK &&
	       SCN_VMF_DONE_COW == VM_FAULT_DONE_COW && SCN_VMF_NEEDDSYNC == VM_FAULT_NEEDDSYNC &&
	       SCN_VMF_COMPLETED == VM_FAULT_COMPLETED, "ret= spells Linux's VM_FAULT_* bits");

/* A frame made ready for one call, and what must be given back after it. */
struct frame {
	unsigned long pfn;
	struct folio *held;	/* `new`: the caller's reference */
	bool hz;		/* hz+N: a huge zero folio reference */
};

struct call_ctx {
	struct mm_struct *const *procs;
	struct mm_struct *mm;
	const struct scn_cmd *c;
	const struct fl_call_addrs *a;
	char *err;
	size_t errlen;
};

static int cerr(struct call_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int cerr(struct call_ctx *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, x->errlen, fmt, ap);
	va_end(ap);
	return FL_EFAIL;
}

/* "pfn 0x12 (ram+18)": how a frame is named back to the scenario's author. */
static void describe_pfn(unsigned long pfn, char *buf, size_t len)
{
	if (is_zero_pfn(pfn))
		snprintf(buf, len, "the zero page (pfn 0x%lx)", pfn);
	else if (machine.huge_zero_folio && pfn - machine.huge_zero_pfn < 1024)
		snprintf(buf, len, "hz+%lu (pfn 0x%lx)", pfn - machine.huge_zero_pfn, pfn);
	else if (machine.huge_zero_folio && machine.huge_zero_pfn - pfn <= 16)
		snprintf(buf, len, "hz-%lu (pfn 0x%lx)", machine.huge_zero_pfn - pfn, pfn);
	else if (pfn < machine.ram_pages)
		snprintf(buf, len, "ram+0x%lx", pfn);
	else if (machine.pmem_pages && pfn - machine.pmem_base_pfn < machine.pmem_pages)
		snprintf(buf, len, "pmem+0x%lx", pfn - machine.pmem_base_pfn);
	else if (pfn >= machine.io_base_pfn)
		snprintf(buf, len, "io+0x%lx", pfn - machine.io_base_pfn);
	else
		snprintf(buf, len, "pfn 0x%lx", pfn);
}

unsigned long scn_space_pfn(enum scn_pfn_space space, uint64_t n)
{
	switch (space) {
	case SCN_PFN_RAM: return (unsigned long)n;
	case SCN_PFN_IO: return machine.io_base_pfn + (unsigned long)n;
	case SCN_PFN_PMEM: return machine.pmem_base_pfn + (unsigned long)n;
	default: return (unsigned long)n;
	}
}

/* @ADDR: the 4 KiB frame process @proc maps at @va. */
static int frame_at(struct call_ctx *x, int proc, uint64_t va, unsigned long *pfn)
{
	struct mm_struct *mm = proc >= 0 ? x->procs[proc] : NULL;
	struct fl_leaf leaf;

	if (!mm)
		return cerr(x, "@ADDR names a process that has exited");
	fl_walk(mm, va, &leaf);
	if (!leaf.level || (leaf.level == 1 && !pte_present(__pte(leaf.entry))))
		return cerr(x, "nothing is mapped at 0x%llx for @ADDR", (unsigned long long)va);
	*pfn = leaf.pfn;
	return 0;
}

/* An entry that is only classified (entry=) may name any frame, memory or not (T17). */
static bool classified_only(const struct call_ctx *x, const struct scn_frame *f)
{
	return x->c->op == SCN_CALL && x->c->call->fn <= SCN_FN_VM_NORMAL_PAGE_PUD &&
	       f == &x->c->call->arg;
}

static int get_frame(struct call_ctx *x, const struct scn_frame *f, int proc, uint64_t va,
		     struct frame *out)
{
	struct folio *folio;

	memset(out, 0, sizeof(*out));
	switch (f->kind) {
	case SCN_FR_ZERO:
		out->pfn = machine.zero_pfn;
		return 0;
	case SCN_FR_HZ:
		if (!get_huge_zero_folio())
			return cerr(x, "the huge zero folio cannot be allocated");
		out->hz = true;
		out->pfn = f->below ? machine.huge_zero_pfn - (unsigned long)f->n :
				      machine.huge_zero_pfn + (unsigned long)f->n;
		if (pfn_has_bytes(out->pfn) || classified_only(x, f))
			return 0;
		put_huge_zero_folio();
		out->hz = false;
		return cerr(x, "hz%c%llu is not simulated memory", f->below ? '-' : '+',
			    (unsigned long long)f->n);
	case SCN_FR_AT:
		return frame_at(x, proc, va, &out->pfn);
	case SCN_FR_NEW:
	case SCN_FR_FREED:
		if (f->n > MAX_PAGE_ORDER && f->n != HPAGE_PUD_ORDER)
			return cerr(x, "no folios of order %llu: orders 0 to %d, and %d (a PUD)",
				    (unsigned long long)f->n, MAX_PAGE_ORDER, HPAGE_PUD_ORDER);
		/*
		 * MODEL: a PUD folio is not cleared: 1 GiB of stores per call
		 * would cost seconds, and no call reads its bytes.
		 */
		folio = folio_alloc((f->n > MAX_PAGE_ORDER ? 0 : __GFP_ZERO) |
				    (f->n ? __GFP_COMP : 0), (unsigned int)f->n);
		if (!folio)
			return cerr(x, "no memory for a folio of order %llu%s",
				    (unsigned long long)f->n, f->n == HPAGE_PUD_ORDER ?
				    " (a PUD folio needs a free, 1 GiB-aligned GiB of RAM: ram=2G)" : "");
		__folio_mark_uptodate(folio);
		out->pfn = folio_pfn(folio);
		if (f->kind == SCN_FR_FREED)
			folio_put(folio);
		else
			out->held = folio;
		return 0;
	default:
		out->pfn = scn_space_pfn(f->space, f->n);
		if (classified_only(x, f))
			return 0;
		if (!pfn_has_bytes(out->pfn))
			return cerr(x, "frame 0x%lx is not simulated memory", out->pfn);
		return 0;
	}
}

static void put_frame(struct frame *f)
{
	if (f->held)
		folio_put(f->held);
	if (f->hz)
		put_huge_zero_folio();
	memset(f, 0, sizeof(*f));
}

/*
 * The table slots down to @level for vmf->pud / vmf->pmd, allocated as
 * __handle_mm_fault() allocates them before it calls a handler.
 */
static int walk_alloc(struct call_ctx *x, uint64_t va, int level, pud_t **pudp, pmd_t **pmdp)
{
	struct mm_pgtables *pgt = &x->mm->pgt;
	pgd_t *pgd = pgd_offset(pgt, va);
	pud_t *pud;

	if (pgd_none(pgdp_get(pgd)) && __pud_alloc(pgt, pgd))
		return cerr(x, "no memory for the tables above 0x%llx", (unsigned long long)va);
	pud = pud_offset(pgd, va);
	*pudp = pud;
	if (level == FL_LEVEL_PUD)
		return 0;
	if (pud_leaf(pudp_get(pud)) || (!pud_none(pudp_get(pud)) && !pud_present(pudp_get(pud))))
		return cerr(x, "a PUD entry, not a table, covers 0x%llx", (unsigned long long)va);
	if (pud_none(pudp_get(pud)) && __pmd_alloc(pgt, pud))
		return cerr(x, "no memory for the tables above 0x%llx", (unsigned long long)va);
	*pmdp = pmd_offset(pud, va);
	if (level == FL_LEVEL_PMD)
		return 0;
	if (pmd_leaf(pmdp_get(*pmdp)) || (!pmd_none(pmdp_get(*pmdp)) &&
					  !pmd_present(pmdp_get(*pmdp))))
		return cerr(x, "a PMD entry, not a table, covers 0x%llx", (unsigned long long)va);
	if (pmd_none(pmdp_get(*pmdp)) && __pte_alloc(pgt, *pmdp))
		return cerr(x, "no memory for the tables above 0x%llx", (unsigned long long)va);
	return 0;
}

static struct page *hook_page;

static struct page *call_hook(struct vm_area_struct *vma, uint64_t addr)
{
	(void)vma;
	(void)addr;
	return hook_page;
}

/* vm_normal_page*() on an entry built from entry= and its flags (never installed). */
static struct page *classify(struct call_ctx *x, struct vm_area_struct *vma, unsigned long pfn)
{
	const struct scn_call *call = x->c->call;
	uint64_t va = x->a->va;
	pgprot_t prot = call->write ? PAGE_SHARED : PAGE_READONLY;

	if (call->fn == SCN_FN_VM_NORMAL_PAGE) {
		pte_t e = pfn_pte(pfn, prot);

		e = call->special ? pte_mkspecial(e) : e;
		return vm_normal_page(vma, va, call->devmap ? pte_mkdevmap(e) : e);
	}
	if (call->fn == SCN_FN_VM_NORMAL_PAGE_PMD) {
		pmd_t e = pmd_mkhuge(pfn_pmd(pfn, prot));

		e = call->special ? pmd_mkspecial(e) : e;
		return vm_normal_page_pmd(vma, va, call->devmap ? pmd_mkdevmap(e) : e);
	}
	pud_t e = pud_mkhuge(pfn_pud(pfn, prot));

	return vm_normal_page_pud(vma, va, call->special ? pud_mkspecial(e) : e);
}

/* A huge entry's pfn bits below its size are flag bits: refuse to lose them. */
static int check_entry_alignment(struct call_ctx *x, unsigned long pfn)
{
	enum scn_fn fn = x->c->call->fn;
	unsigned long nr = fn == SCN_FN_VM_NORMAL_PAGE_PMD ? HPAGE_PMD_NR :
			   fn == SCN_FN_VM_NORMAL_PAGE_PUD ? 1ul << (PUD_SHIFT - PAGE_SHIFT) : 1;

	if (!(pfn & (nr - 1)))
		return 0;
	return cerr(x, "%s: entry= frame 0x%lx is not aligned to the entry's %lu pages",
		    scn_fn_name(fn), pfn, nr);
}

/* The pointer-returning functions: the page found, its walk level in *level. */
static int run_pointer(struct call_ctx *x, struct vm_area_struct *vma, struct frame *arg,
		       struct frame *hook, struct page **page, int *level)
{
	const struct scn_call *call = x->c->call;
	struct vm_operations_struct ops;
	const struct vm_operations_struct *saved = vma->vm_ops;
	struct folio_walk fw;

	*level = -1;
	if (call->fn == SCN_FN_FOLIO_WALK_START) {
		*page = folio_walk_start(&fw, vma, x->a->va, 0) ? fw.page : NULL;
		*level = *page ? (int)fw.level : -1;	/* FW_LEVEL_* follow FL_LEVEL_* */
		return 0;
	}
	if (check_entry_alignment(x, arg->pfn))
		return -1;
	if (call->hook.kind != SCN_FR_UNSET) {
		if (!vma->vm_ops)
			return cerr(x, "hook= needs a file or driver mapping (one with vm_ops)");
		if (!pfn_valid(hook->pfn))
			return cerr(x, "hook= must name a frame with a page descriptor");
		ops = *vma->vm_ops;
		ops.find_normal_page = call_hook;
		hook_page = pfn_to_page(hook->pfn);
		vma->vm_ops = &ops;
	}
	*page = classify(x, vma, arg->pfn);
	vma->vm_ops = saved;
	return 0;
}

static void check_pointer(struct call_ctx *x, struct page *page, int level,
			  const struct frame *want, char *why, size_t len)
{
	const struct scn_call *call = x->c->call;
	static const char *const levels[] = { "pte", "pmd", "pud" };
	bool invalid = page && vm_normal_page_is_invalid(page);
	char got[64], exp[64];
	bool ok;

	if (!page)
		snprintf(got, sizeof(got), "NULL");
	else if (invalid)
		snprintf(got, sizeof(got), "a descriptor flagged invalid");
	else
		describe_pfn(page_to_pfn(page), got, sizeof(got));
	switch (call->ret) {
	case SCN_RET_NULL:
		ok = !page;
		snprintf(exp, sizeof(exp), "NULL");
		break;
	case SCN_RET_INVALID:
		ok = invalid;
		snprintf(exp, sizeof(exp), "a descriptor flagged invalid");
		break;
	default:
		ok = page && !invalid && page_to_pfn(page) == want->pfn;
		describe_pfn(want->pfn, exp, sizeof(exp));
		break;
	}
	if (ok && call->level >= 0 && level != call->level) {
		snprintf(why, len, "%s found the page at level %s, expected %s",
			 scn_fn_name(call->fn), level >= 0 ? levels[level] : "none",
			 levels[call->level]);
		return;
	}
	if (!ok)
		snprintf(why, len, "%s returned %s, expected %s", scn_fn_name(call->fn), got, exp);
}

/* The vm_fault of a handler or a vmf_insert_*() at the call's address. */
static int make_vmf(struct call_ctx *x, struct vm_area_struct *vma, int level,
		    struct vm_fault *vmf)
{
	const struct scn_call *call = x->c->call;
	uint64_t va = x->a->va;

	memset(vmf, 0, sizeof(*vmf));
	vmf->vma = vma;
	vmf->address = va & PAGE_MASK;
	vmf->real_address = va;
	vmf->flags = FAULT_FLAG_USER | (call->write ? FAULT_FLAG_WRITE : 0);
	vmf->pgoff = linear_page_index(vma, va);
	/* insert_page() finds its PTE itself, after its range check (T24 v). */
	if (call->fn == SCN_FN_INSERT_PAGE_MKWRITE)
		return 0;
	if (walk_alloc(x, va, level, &vmf->pud, &vmf->pmd))
		return -1;
	if (level == FL_LEVEL_PMD)
		vmf->orig_pmd = pmdp_get(vmf->pmd);
	return 0;
}

static int huge_fault_level(const struct scn_call *call)
{
	switch (call->fn) {
	case SCN_FN_INSERT_PFN_PUD: case SCN_FN_INSERT_FOLIO_PUD:
		return FL_LEVEL_PUD;
	case SCN_FN_HUGE_FAULT:
		return call->level;
	default:
		return FL_LEVEL_PMD;
	}
}

/* The functions that return a vm_fault_t, or remap's errno (as a negative int). */
static int run_code(struct call_ctx *x, struct vm_area_struct *vma, struct frame *arg,
		    long *ret)
{
	const struct scn_call *call = x->c->call;
	uint64_t va = x->a->va;
	struct page *page = pfn_valid(arg->pfn) ? pfn_to_page(arg->pfn) : NULL;
	struct vm_fault vmf;
	int level = huge_fault_level(call);

	switch (call->fn) {
	case SCN_FN_INSERT_PFN:
		*ret = vmf_insert_pfn(vma, va, arg->pfn);
		return 0;
	case SCN_FN_INSERT_MIXED:
		*ret = vmf_insert_mixed(vma, va, arg->pfn);
		return 0;
	case SCN_FN_INSERT_MIXED_MKWRITE:
		*ret = vmf_insert_mixed_mkwrite(vma, va, arg->pfn);
		return 0;
	case SCN_FN_REMAP_PFN_RANGE:
		*ret = remap_pfn_range(vma, va, arg->pfn, call->len, vma->vm_page_prot);
		return 0;
	case SCN_FN_HANDLE_MM_FAULT:
		*ret = handle_mm_fault(vma, va, FAULT_FLAG_USER |
				       (call->write ? FAULT_FLAG_WRITE : 0));
		return 0;
	default:
		break;
	}
	if ((call->fn == SCN_FN_INSERT_PAGE_MKWRITE || call->fn == SCN_FN_INSERT_FOLIO_PMD ||
	     call->fn == SCN_FN_INSERT_FOLIO_PUD) && !page)
		return cerr(x, "%s needs a frame with a page descriptor",
			    scn_fn_name(call->fn));
	if (call->fn == SCN_FN_DO_FAULT && !vma->vm_ops)
		return cerr(x, "do_fault: the VMA at 0x%llx is anonymous", (unsigned long long)va);
	if (call->fn == SCN_FN_HUGE_FAULT && (!vma->vm_ops || !vma->vm_ops->huge_fault))
		return cerr(x, "the VMA at 0x%llx has no huge_fault handler",
			    (unsigned long long)va);
	if (make_vmf(x, vma, level, &vmf))
		return -1;
	switch (call->fn) {
	case SCN_FN_INSERT_PFN_PMD:
		*ret = vmf_insert_pfn_pmd(&vmf, arg->pfn, call->write);
		break;
	case SCN_FN_INSERT_PFN_PUD:
		*ret = vmf_insert_pfn_pud(&vmf, arg->pfn, call->write);
		break;
	case SCN_FN_INSERT_PAGE_MKWRITE:
		*ret = vmf_insert_page_mkwrite(&vmf, page, call->write);
		break;
	case SCN_FN_INSERT_FOLIO_PMD:
		*ret = vmf_insert_folio_pmd(&vmf, page_folio(page), call->write);
		break;
	case SCN_FN_INSERT_FOLIO_PUD:
		*ret = vmf_insert_folio_pud(&vmf, page_folio(page), call->write);
		break;
	case SCN_FN_HANDLE_PTE_FAULT:
		*ret = handle_pte_fault(&vmf);
		break;
	case SCN_FN_DO_FAULT:
		/* past handle_pte_fault()'s pte_none() check, whatever is there now */
		*ret = do_fault(&vmf);
		break;
	default:	/* SCN_FN_HUGE_FAULT */
		*ret = vma->vm_ops->huge_fault(&vmf, level == FL_LEVEL_PUD ? HPAGE_PUD_ORDER :
						  HPAGE_PMD_ORDER);
		break;
	}
	return 0;
}

static void check_code(const struct scn_call *call, long got, char *why, size_t len)
{
	char g[96], w[96];

	if (got == call->ret_code)
		return;
	if (call->fn == SCN_FN_REMAP_PFN_RANGE) {
		snprintf(why, len, "remap_pfn_range returned %s, expected %s",
			 got ? strerrorname_np((int)-got) : "0",
			 call->ret_code ? strerrorname_np((int)-call->ret_code) : "0");
		return;
	}
	scn_vm_fault_format((unsigned int)got, g, sizeof(g));
	scn_vm_fault_format((unsigned int)call->ret_code, w, sizeof(w));
	snprintf(why, len, "%s returned %s, expected %s", scn_fn_name(call->fn), g, w);
}

static int run_call(struct call_ctx *x, char *why, size_t len)
{
	const struct scn_call *call = x->c->call;
	bool pointer = call->fn <= SCN_FN_FOLIO_WALK_START;
	struct frame arg, hook = { 0 }, want = { 0 };
	/* vma=MAP: MAP's first VMA, even if its first pages were unmapped (T26 i) */
	struct vm_area_struct *vma = call->has_vma ? find_vma(x->mm, x->a->vma_va) :
						     vma_lookup(x->mm, x->a->va);
	struct page *page = NULL;
	int st, level;
	long code = 0;

	if (!vma)
		return cerr(x, "%s: no VMA at 0x%llx", scn_fn_name(call->fn),
			    (unsigned long long)x->a->vma_va);
	if (get_frame(x, &call->arg, x->a->arg_proc, x->a->arg_va, &arg))
		return FL_EFAIL;
	st = get_frame(x, &call->hook, x->a->hook_proc, x->a->hook_va, &hook);
	if (!st && call->ret == SCN_RET_FRAME)
		st = get_frame(x, &call->ret_frame, x->a->ret_proc, x->a->ret_va, &want);
	if (!st)
		st = pointer ? run_pointer(x, vma, &arg, &hook, &page, &level) :
			       run_code(x, vma, &arg, &code);
	if (!st && pointer)
		check_pointer(x, page, level, &want, why, len);
	else if (!st)
		check_code(call, code, why, len);
	put_frame(&want);
	put_frame(&hook);
	put_frame(&arg);
	return st ? FL_EFAIL : FL_OK;
}

/*
 * The slot of the entry at @level for @va, through tables that exist, or
 * NULL.  mm_find_pmd() refuses a PUD leaf or a non-present PUD; a PTE slot
 * needs a PMD that is a table.
 */
static uint64_t *entry_slot(struct mm_struct *mm, uint64_t va, int level)
{
	pgd_t *pgd = pgd_offset(&mm->pgt, va);
	pmd_t *pmd;

	if (level == FL_LEVEL_PUD)
		return pgd_present(pgdp_get(pgd)) ? &pud_offset(pgd, va)->pud : NULL;
	pmd = mm_find_pmd(mm, va);
	if (!pmd || level == FL_LEVEL_PMD)
		return pmd ? &pmd->pmd : NULL;
	if (!pmd_present(pmdp_get(pmd)) || pmd_leaf(pmdp_get(pmd)))
		return NULL;
	return &pte_offset_kernel(pmd, va)->pte;
}

/* A slot holding what poke writes: not empty, and present at no level. */
static bool slot_poked(uint64_t v)
{
	return v && !(v & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE));
}

/* What each poke wrote, so that `poke ... none` can tell whether calls changed it. */
static struct poked {
	struct mm_struct *mm;
	uint64_t va, value;
	int level;
} poked[8];

static struct poked *find_poked(struct mm_struct *mm, uint64_t va, int level)
{
	for (size_t i = 0; i < sizeof(poked) / sizeof(poked[0]); i++)
		if (poked[i].mm == mm && poked[i].va == va && poked[i].level == level)
			return &poked[i];
	return NULL;
}

void fl_model_call_reset(void)
{
	memset(poked, 0, sizeof(poked));
}

/*
 * A run that stopped inside a poke window (an expected or unexpected stop,
 * a call that could not be made) leaves its entries: clear them before
 * teardown walks the tables.
 */
void fl_model_call_unpoke_all(void)
{
	for (size_t i = 0; i < sizeof(poked) / sizeof(poked[0]); i++) {
		struct poked *pk = &poked[i];
		uint64_t *slot = pk->mm ? entry_slot(pk->mm, pk->va, pk->level) : NULL;

		if (slot && slot_poked(*slot))
			write_once_u64(slot, 0);
		memset(pk, 0, sizeof(*pk));
	}
}

/* poke ... none: clear the entry, and say if the calls between left it as poked. */
static int unpoke(struct call_ctx *x, uint64_t *slot, char *why, size_t len)
{
	const struct scn_call *call = x->c->call;
	struct poked *pk = find_poked(x->mm, x->a->va, call->level);
	uint64_t now = *slot;

	if (!pk || !slot_poked(now))
		return cerr(x, "poke ... none: no poked entry at 0x%llx (now %016llx)",
			    (unsigned long long)x->a->va, (unsigned long long)now);
	if (call->poke_changed && now == pk->value)
		snprintf(why, len, "the poked entry %016llx was left untouched, expected a change",
			 (unsigned long long)now);
	else if (!call->poke_changed && now != pk->value)
		snprintf(why, len, "the poked entry was changed from %016llx to %016llx (R83)",
			 (unsigned long long)pk->value, (unsigned long long)now);
	write_once_u64(slot, 0);
	memset(pk, 0, sizeof(*pk));
	return FL_OK;
}

/* poke: a swap-like entry (pfn bits, nothing else) in an empty slot, or clear it. */
static int run_poke(struct call_ctx *x, char *why, size_t len)
{
	const struct scn_call *call = x->c->call;
	uint64_t va = x->a->va, *slot;
	unsigned long pfn;
	struct poked *pk;
	struct frame f;
	pud_t *pud = NULL;
	pmd_t *pmd = NULL;

	if (walk_alloc(x, va, call->level, &pud, &pmd))
		return FL_EFAIL;
	slot = entry_slot(x->mm, va, call->level);
	if (call->poke_none)
		return unpoke(x, slot, why, len);
	if (*slot)
		return cerr(x, "poke: the %s slot at 0x%llx is not empty",
			    call->level == FL_LEVEL_PTE ? "PTE" :
			    call->level == FL_LEVEL_PMD ? "PMD" : "PUD", (unsigned long long)va);
	if (get_frame(x, &call->arg, x->a->arg_proc, x->a->arg_va, &f))
		return FL_EFAIL;
	pfn = f.pfn;
	put_frame(&f);
	pk = find_poked(NULL, 0, 0);
	if (!pfn)
		return cerr(x, "poke: swap=0 would be an empty entry");
	if (!pk)
		return cerr(x, "poke: more than 8 poked entries at once");
	*pk = (struct poked){ x->mm, va, (uint64_t)pfn << PAGE_SHIFT, call->level };
	write_once_u64(slot, pk->value);
	return FL_OK;
}

int fl_model_call(struct mm_struct *const *procs, int proc, const struct scn_cmd *c,
		  const struct fl_call_addrs *a, char *why, size_t len, char *err, size_t errlen)
{
	struct call_ctx x = { .procs = procs, .mm = procs[proc], .c = c, .a = a,
			      .err = err, .errlen = errlen };
	bool exclusive = c->op == SCN_POKE || c->call->fn == SCN_FN_REMAP_PFN_RANGE;
	int st;

	why[0] = '\0';
	/* remap_pfn_range() runs in ->mmap, under the write lock; faults under the read lock. */
	if (exclusive)
		mmap_write_lock(x.mm);
	else
		mmap_read_lock(x.mm);
	st = c->op == SCN_POKE ? run_poke(&x, why, len) : run_call(&x, why, len);
	if (exclusive)
		mmap_write_unlock(x.mm);
	else
		mmap_read_unlock(x.mm);
	return st;
}
