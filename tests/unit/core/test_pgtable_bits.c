// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pgtable_bits.c - the entry helpers of src/pgtable/pgtable.h.
 *
 * Everything above the page tables reads and writes entries only through
 * these helpers, so a wrong bit here is wrong everywhere: a pte_mkdirty()
 * that also set the accessed bit, or a pte_modify() that dropped the
 * special bit, would silently change what vm_normal_page() returns
 * (SPEC.md R1-R16) or what smaps counts.  The helpers are pure functions of
 * a 64-bit value, so the tests are exhaustive where that is cheap: every
 * modifier is applied to every combination of the boolean bits (present,
 * RW, user, PWT, PCD, accessed, dirty, global/protnone, special, devmap,
 * NX) and must change exactly its own bit; pfn <-> entry conversions are
 * checked over the boundary pfns and a few thousand random ones.
 *
 * The cases that are easy to get wrong get a test of their own:
 *  - PROT_NONE: the entry keeps its pfn and stays pte_present() (pagemap
 *    shows P) while the hardware present bit is clear, so the MMU faults
 *    (KERNEL-FACTS s7);
 *  - pte_modify()/pmd_modify(): the frame and the A/D/special/devmap state
 *    survive an mprotect, the protection bits are replaced;
 *  - PMD and PUD leaves: the pfn mask drops the low bits that are not part
 *    of a 2 MiB / 1 GiB frame (PAT lives there on huge entries), while a
 *    table pointer keeps the full PTE_PFN_MASK;
 *  - special at PMD/PUD level means something only on a leaf.
 *
 * Not tested here: table allocation and walks (test_vma.c, test_fault.c).
 */
#include "core_test.h"

#include "pgtable/pgtable.h"

/* The boolean bits of an entry, in the order the combination loops use. */
static const uint64_t flag_bits[] = {
	_PAGE_PRESENT, _PAGE_RW, _PAGE_USER, 1ull << 3 /* PWT */, 1ull << 4 /* PCD */,
	_PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL /* = PROTNONE */, _PAGE_SPECIAL,
	_PAGE_DEVMAP, _PAGE_NX,
};
#define NR_FLAG_BITS (sizeof(flag_bits) / sizeof(flag_bits[0]))

/* Combination @combo of flag_bits[] (bit i of @combo selects flag_bits[i]). */
static uint64_t flags_of(unsigned int combo)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < NR_FLAG_BITS; i++)
		if (combo & (1u << i))
			v |= flag_bits[i];
	return v;
}

/* pfns worth trying: 0, small, around the 2M/1G alignments, the 52-bit top. */
static const unsigned long edge_pfns[] = {
	0, 1, 2, 0x1ff, 0x200, 0x201, 0x3ffff, 0x40000, 0x40001, 0xfffff, 0x100000,
	0x123456789ul, (1ul << 40) - 512, (1ul << 40) - 1,
};
#define NR_EDGE_PFNS (sizeof(edge_pfns) / sizeof(edge_pfns[0]))

/* ------------------------------------------------------------------ */
/* pfn <-> entry                                                       */
/* ------------------------------------------------------------------ */

static void check_pte_round_trip(unsigned long pfn, pgprot_t prot)
{
	pte_t pte = pfn_pte(pfn, prot);

	if (pte_pfn(pte) != pfn)
		fail_msg("pte_pfn(pfn_pte(%#lx, %#llx)) = %#lx", pfn,
			 (unsigned long long)prot.pgprot, pte_pfn(pte));
	/* The frame lands in the pfn field and nowhere else. */
	if ((pte.pte & ~PTE_PFN_MASK) != prot.pgprot)
		fail_msg("pfn_pte(%#lx) disturbed the flags: %#llx", pfn,
			 (unsigned long long)pte.pte);
	if ((pte.pte & PTE_PFN_MASK) != (uint64_t)pfn << PAGE_SHIFT)
		fail_msg("pfn_pte(%#lx) pfn field %#llx", pfn,
			 (unsigned long long)(pte.pte & PTE_PFN_MASK));
}

static void test_pfn_pte_round_trip(void **state)
{
	const pgprot_t prots[] = { __pgprot(0), PAGE_NONE, PAGE_READONLY, PAGE_SHARED,
				   __pgprot(_PAGE_NX | _PAGE_DEVMAP | _PAGE_SPECIAL) };
	uint64_t seed = 0x7e57b175ull;

	(void)state;
	for (size_t p = 0; p < sizeof(prots) / sizeof(prots[0]); p++) {
		for (size_t i = 0; i < NR_EDGE_PFNS; i++)
			check_pte_round_trip(edge_pfns[i], prots[p]);
		for (int i = 0; i < 4096; i++)
			check_pte_round_trip((unsigned long)rng_below(&seed, 1ull << 40), prots[p]);
	}
	/* An all-zero entry is none; the entry for pfn 0 with any protection is not. */
	assert_true(pte_none(__pte(0)));
	assert_false(pte_none(pfn_pte(0, PAGE_READONLY)));
	assert_false(pte_none(pfn_pte(0, PAGE_NONE)));
}

static void test_pfn_pmd_pud_round_trip(void **state)
{
	uint64_t seed = 0x9d0ull;

	(void)state;
	for (int i = 0; i < 4096; i++) {
		unsigned long pfn = (unsigned long)rng_below(&seed, 1ull << 40);
		unsigned long pmd_pfn_aligned = pfn & ~(HPAGE_PMD_NR - 1);
		unsigned long pud_pfn_aligned = pfn & ~((1ul << HPAGE_PUD_ORDER) - 1);
		pmd_t huge = pmd_mkhuge(pfn_pmd(pmd_pfn_aligned, PAGE_READONLY));
		pmd_t table = __pmd(((uint64_t)pfn << PAGE_SHIFT) | _PAGE_TABLE);
		pud_t pud_huge = pud_mkhuge(pfn_pud(pud_pfn_aligned, PAGE_READONLY));
		pud_t pud_table = __pud(((uint64_t)pfn << PAGE_SHIFT) | _PAGE_TABLE);

		assert_int_equal(pmd_pfn(huge), pmd_pfn_aligned);
		assert_int_equal(pud_pfn(pud_huge), pud_pfn_aligned);
		/* A table pointer can be any frame: all of PTE_PFN_MASK counts. */
		assert_int_equal(pmd_pfn(table), pfn);
		assert_int_equal(pud_pfn(pud_table), pfn);
		assert_int_equal(pgd_pfn(__pgd(((uint64_t)pfn << PAGE_SHIFT) | _PAGE_TABLE)), pfn);
	}
}

/*
 * A leaf's pfn field is 2 MiB (1 GiB) aligned: bits 12..20 (12..29) of a
 * huge entry are not frame bits (bit 12 is PAT on x86), so pmd_pfn() and
 * pud_pfn() mask them off with PMD_PFN_MASK / PUD_PFN_MASK.
 */
static void test_huge_pfn_masks(void **state)
{
	const uint64_t pat_large = 1ull << 12;
	pmd_t leaf = pmd_mkhuge(pfn_pmd(0x400, PAGE_SHARED));
	pud_t pleaf = pud_mkhuge(pfn_pud(0x80000, PAGE_SHARED));

	(void)state;
	assert_int_equal(pmd_pfn(__pmd(leaf.pmd | pat_large)), 0x400);
	assert_int_equal(pmd_pfn(__pmd(leaf.pmd | (0x1ffull << PAGE_SHIFT))), 0x400);
	assert_int_equal(pud_pfn(__pud(pleaf.pud | pat_large)), 0x80000);
	assert_int_equal(pud_pfn(__pud(pleaf.pud | (0x3ffffull << PAGE_SHIFT))), 0x80000);
	/* The same bits in a table pointer are frame bits. */
	assert_int_equal(pmd_pfn(__pmd((0x401ull << PAGE_SHIFT) | _PAGE_TABLE)), 0x401);
	/* The masks themselves: 52-bit physical addresses, frame-size aligned. */
	assert_int_equal(PTE_PFN_MASK, 0x000ffffffffff000ull);
	assert_int_equal(PMD_PFN_MASK & ~PTE_PFN_MASK, 0);
	assert_int_equal(PMD_PFN_MASK & (PMD_SIZE - 1), 0);
	assert_int_equal(PMD_PFN_MASK | (PMD_SIZE - 1), PTE_PFN_MASK | (PMD_SIZE - 1));
	assert_int_equal(PUD_PFN_MASK & (PUD_SIZE - 1), 0);
	assert_int_equal(PUD_PFN_MASK | (PUD_SIZE - 1), PTE_PFN_MASK | (PUD_SIZE - 1));
}

/* ------------------------------------------------------------------ */
/* Bit modifiers: each changes exactly its bit, for every combination  */
/* ------------------------------------------------------------------ */

struct pte_op {
	const char *name;
	pte_t (*fn)(pte_t);
	uint64_t bit;
	bool sets;
	bool (*test)(pte_t);
};

static const struct pte_op pte_ops[] = {
	{ "pte_mkwrite",   pte_mkwrite,   _PAGE_RW,       true,  pte_write },
	{ "pte_wrprotect", pte_wrprotect, _PAGE_RW,       false, pte_write },
	{ "pte_mkdirty",   pte_mkdirty,   _PAGE_DIRTY,    true,  pte_dirty },
	{ "pte_mkclean",   pte_mkclean,   _PAGE_DIRTY,    false, pte_dirty },
	{ "pte_mkyoung",   pte_mkyoung,   _PAGE_ACCESSED, true,  pte_young },
	{ "pte_mkold",     pte_mkold,     _PAGE_ACCESSED, false, pte_young },
	{ "pte_mkspecial", pte_mkspecial, _PAGE_SPECIAL,  true,  pte_special },
};

static void test_pte_modifiers_exact(void **state)
{
	(void)state;
	for (size_t o = 0; o < sizeof(pte_ops) / sizeof(pte_ops[0]); o++) {
		const struct pte_op *op = &pte_ops[o];

		for (size_t p = 0; p < NR_EDGE_PFNS; p++) {
			for (unsigned int c = 0; c < (1u << NR_FLAG_BITS); c++) {
				uint64_t v = ((uint64_t)edge_pfns[p] << PAGE_SHIFT) | flags_of(c);
				uint64_t want = op->sets ? v | op->bit : v & ~op->bit;
				pte_t r = op->fn(__pte(v));

				if (r.pte != want)
					fail_msg("%s(%#llx) = %#llx, want %#llx", op->name,
						 (unsigned long long)v, (unsigned long long)r.pte,
						 (unsigned long long)want);
				if (op->test(r) != op->sets)
					fail_msg("%s(%#llx): predicate says %d", op->name,
						 (unsigned long long)v, op->test(r));
			}
		}
	}
}

/* The predicates read exactly one bit each, whatever else is set. */
static void test_pte_predicates(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < (1u << NR_FLAG_BITS); c++) {
		uint64_t f = flags_of(c);
		pte_t pte = __pte((0x1234ull << PAGE_SHIFT) | f);

		assert_int_equal(pte_write(pte), !!(f & _PAGE_RW));
		assert_int_equal(pte_dirty(pte), !!(f & _PAGE_DIRTY));
		assert_int_equal(pte_young(pte), !!(f & _PAGE_ACCESSED));
		assert_int_equal(pte_special(pte), !!(f & _PAGE_SPECIAL));
		assert_int_equal(pte_devmap(pte), !!(f & _PAGE_DEVMAP));
		assert_int_equal(pte_present(pte), !!(f & (_PAGE_PRESENT | _PAGE_PROTNONE)));
		assert_int_equal(pte_protnone(pte),
				 (f & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE);
		assert_int_equal(pte_pfn(pte), 0x1234);
		assert_false(pte_none(pte));
		assert_true(pte_same(pte, __pte(pte.pte)));
		assert_false(pte_same(pte, __pte(pte.pte ^ _PAGE_DIRTY)));
	}
}

struct pmd_op {
	const char *name;
	pmd_t (*fn)(pmd_t);
	uint64_t bit;
	bool sets;
};

static const struct pmd_op pmd_ops[] = {
	{ "pmd_mkhuge",    pmd_mkhuge,    _PAGE_PSE,      true },
	{ "pmd_mkwrite",   pmd_mkwrite,   _PAGE_RW,       true },
	{ "pmd_wrprotect", pmd_wrprotect, _PAGE_RW,       false },
	{ "pmd_mkdirty",   pmd_mkdirty,   _PAGE_DIRTY,    true },
	{ "pmd_mkclean",   pmd_mkclean,   _PAGE_DIRTY,    false },
	{ "pmd_mkyoung",   pmd_mkyoung,   _PAGE_ACCESSED, true },
	{ "pmd_mkold",     pmd_mkold,     _PAGE_ACCESSED, false },
	{ "pmd_mkspecial", pmd_mkspecial, _PAGE_SPECIAL,  true },
};

struct pud_op {
	const char *name;
	pud_t (*fn)(pud_t);
	uint64_t bit;
};

static const struct pud_op pud_ops[] = {
	{ "pud_mkhuge",    pud_mkhuge,    _PAGE_PSE },
	{ "pud_mkwrite",   pud_mkwrite,   _PAGE_RW },
	{ "pud_mkyoung",   pud_mkyoung,   _PAGE_ACCESSED },
	{ "pud_mkdirty",   pud_mkdirty,   _PAGE_DIRTY },
	{ "pud_mkspecial", pud_mkspecial, _PAGE_SPECIAL },
};

static void test_pmd_pud_modifiers_exact(void **state)
{
	(void)state;
	/* The combinations include PSE: leaves and table pointers alike. */
	for (unsigned int c = 0; c < (2u << NR_FLAG_BITS); c++) {
		uint64_t f = flags_of(c) | ((c >> NR_FLAG_BITS) ? _PAGE_PSE : 0);
		uint64_t v = (0x5600ull << PAGE_SHIFT) | f;

		for (size_t o = 0; o < sizeof(pmd_ops) / sizeof(pmd_ops[0]); o++) {
			const struct pmd_op *op = &pmd_ops[o];
			uint64_t want = op->sets ? v | op->bit : v & ~op->bit;
			pmd_t r = op->fn(__pmd(v));

			if (r.pmd != want)
				fail_msg("%s(%#llx) = %#llx, want %#llx", op->name,
					 (unsigned long long)v, (unsigned long long)r.pmd,
					 (unsigned long long)want);
		}
		for (size_t o = 0; o < sizeof(pud_ops) / sizeof(pud_ops[0]); o++) {
			const struct pud_op *op = &pud_ops[o];
			pud_t r = op->fn(__pud(v));

			if (r.pud != (v | op->bit))
				fail_msg("%s(%#llx) = %#llx", op->name, (unsigned long long)v,
					 (unsigned long long)r.pud);
		}
	}
}

/* PMD and PUD predicates, including what only a leaf can be. */
static void test_pmd_pud_predicates(void **state)
{
	(void)state;
	for (unsigned int c = 0; c < (2u << NR_FLAG_BITS); c++) {
		bool leaf = c >> NR_FLAG_BITS;
		uint64_t f = flags_of(c) | (leaf ? _PAGE_PSE : 0);
		pmd_t pmd = __pmd((0x5600ull << PAGE_SHIFT) | f);
		pud_t pud = __pud((0x80000ull << PAGE_SHIFT) | f);

		assert_int_equal(pmd_leaf(pmd), leaf);
		assert_int_equal(pmd_trans_huge(pmd), leaf);
		assert_int_equal(pmd_write(pmd), !!(f & _PAGE_RW));
		assert_int_equal(pmd_dirty(pmd), !!(f & _PAGE_DIRTY));
		assert_int_equal(pmd_young(pmd), !!(f & _PAGE_ACCESSED));
		/* special is a leaf property: a table pointer is never special. */
		assert_int_equal(pmd_special(pmd), leaf && (f & _PAGE_SPECIAL));
		/*
		 * x86: a PMD is present when PRESENT, PROTNONE or PSE is set
		 * (PSE alone: a huge PMD under pmdp_invalidate()).
		 */
		assert_int_equal(pmd_present(pmd),
				 !!(f & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE)));
		assert_int_equal(pmd_protnone(pmd),
				 leaf && (f & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE);
		assert_int_equal(pmd_pfn(pmd), 0x5600);
		assert_false(pmd_none(pmd));

		assert_int_equal(pud_leaf(pud), leaf);
		assert_int_equal(pud_trans_huge(pud), leaf);
		assert_int_equal(pud_present(pud), !!(f & _PAGE_PRESENT));
		assert_int_equal(pud_write(pud), !!(f & _PAGE_RW));
		assert_int_equal(pud_dirty(pud), !!(f & _PAGE_DIRTY));
		assert_int_equal(pud_young(pud), !!(f & _PAGE_ACCESSED));
		assert_int_equal(pud_special(pud), leaf && (f & _PAGE_SPECIAL));
		assert_int_equal(pud_pfn(pud), 0x80000);
	}
	assert_true(pmd_none(__pmd(0)));
	assert_false(pmd_present(__pmd(0)));
	assert_true(pud_none(__pud(0)));
	assert_true(pgd_none(__pgd(0)));
	assert_false(pgd_present(__pgd(0)));
	assert_true(pgd_present(__pgd(_PAGE_TABLE)));
	assert_true(pmd_same(__pmd(_PAGE_TABLE), __pmd(_PAGE_TABLE)));
	assert_false(pmd_same(__pmd(_PAGE_TABLE), __pmd(_PAGE_TABLE | _PAGE_PSE)));
}

/* ------------------------------------------------------------------ */
/* PROT_NONE (KERNEL-FACTS s7)                                         */
/* ------------------------------------------------------------------ */

/*
 *   raw entry bits            pte_present  pte_protnone  MMU may use it
 *   0                         no           no            no
 *   PRESENT                   yes          no            yes
 *   PROTNONE (= GLOBAL)       yes          yes           no
 *   PRESENT | GLOBAL          yes          no            yes
 */
static void test_pte_present_vs_protnone(void **state)
{
	static const struct {
		uint64_t bits;
		bool present, protnone;
	} cases[] = {
		{ 0,                              false, false },
		{ _PAGE_PRESENT,                  true,  false },
		{ _PAGE_PROTNONE,                 true,  true },
		{ _PAGE_PRESENT | _PAGE_GLOBAL,   true,  false },
		{ _PAGE_PROTNONE | _PAGE_ACCESSED | _PAGE_DIRTY, true, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pte_t pte = __pte((0x42ull << PAGE_SHIFT) | cases[i].bits);

		assert_int_equal(pte_present(pte), cases[i].present);
		assert_int_equal(pte_protnone(pte), cases[i].protnone);
	}
}

/*
 * mprotect(PROT_NONE) of a mapped, written anonymous page, then back:
 *
 *   before:  pfn 0x1234  P W U A D NX          (writable, dirty)
 *   NONE:    pfn 0x1234  PROTNONE A D          present to pagemap, not to the MMU
 *   RW back: pfn 0x1234  P U A D NX            read-only until a fault or the
 *                                              mprotect write upgrade
 */
static void test_prot_none_keeps_frame(void **state)
{
	pte_t pte = pte_mkdirty(pte_mkwrite(pfn_pte(0x1234, PAGE_SHARED)));
	pte_t none = pte_modify(pte, PAGE_NONE);
	pte_t back = pte_modify(none, PAGE_COPY);

	(void)state;
	assert_true(pte_present(none));
	assert_true(pte_protnone(none));
	assert_false(none.pte & _PAGE_PRESENT);		/* the MMU faults on it */
	assert_false(none.pte & _PAGE_USER);
	assert_false(pte_write(none));
	assert_int_equal(pte_pfn(none), 0x1234);
	assert_true(pte_dirty(none));
	assert_true(pte_young(none));

	assert_true(pte_present(back));
	assert_false(pte_protnone(back));
	assert_true(back.pte & _PAGE_PRESENT);
	assert_true(back.pte & _PAGE_USER);
	assert_false(pte_write(back));
	assert_int_equal(pte_pfn(back), 0x1234);
	assert_true(pte_dirty(back));

	/* A PROT_NONE entry built directly (never mapped before) is the same kind. */
	assert_true(pte_protnone(pfn_pte(7, PAGE_NONE)));
	assert_true(pte_present(pfn_pte(7, PAGE_NONE)));
	/* The protections themselves: NONE has neither P nor U. */
	assert_int_equal(PAGE_NONE.pgprot & (_PAGE_PRESENT | _PAGE_USER | _PAGE_RW), 0);
	assert_int_equal(PAGE_READONLY.pgprot & _PAGE_RW, 0);
	assert_true(PAGE_SHARED.pgprot & _PAGE_RW);
}

/* ------------------------------------------------------------------ */
/* pte_modify / pmd_modify                                             */
/* ------------------------------------------------------------------ */

/*
 * pte_modify(entry, prot) is what mprotect does to every entry: the frame
 * and the state mm tracks (accessed, dirty, special, devmap, cache bits)
 * survive; the protection (present/protnone, RW, user, NX, global) is the
 * new one.  Checked for every combination of old bits and every target.
 */
static void test_pte_modify(void **state)
{
	const uint64_t keep = _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL | _PAGE_DEVMAP |
			      (1ull << 3) | (1ull << 4);
	const pgprot_t targets[] = { PAGE_NONE, PAGE_READONLY, PAGE_SHARED, PAGE_COPY,
				     __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER) };

	(void)state;
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		uint64_t prot = targets[t].pgprot;

		for (size_t p = 0; p < NR_EDGE_PFNS; p++) {
			for (unsigned int c = 0; c < (1u << NR_FLAG_BITS); c++) {
				uint64_t old = ((uint64_t)edge_pfns[p] << PAGE_SHIFT) | flags_of(c);
				pte_t r = pte_modify(__pte(old), targets[t]);

				if (pte_pfn(r) != edge_pfns[p] ||
				    (r.pte & keep) != (old & keep) ||
				    (r.pte & ~keep & ~PTE_PFN_MASK) != (prot & ~keep))
					fail_msg("pte_modify(%#llx, %#llx) = %#llx",
						 (unsigned long long)old, (unsigned long long)prot,
						 (unsigned long long)r.pte);
				assert_int_equal(pte_write(r), !!(prot & _PAGE_RW));
				assert_int_equal(pte_protnone(r),
					(prot & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE);
			}
		}
	}
}

static void test_pmd_modify(void **state)
{
	const uint64_t keep = _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL | _PAGE_DEVMAP |
			      _PAGE_PSE | (1ull << 3) | (1ull << 4);
	const pgprot_t targets[] = { PAGE_NONE, PAGE_READONLY, PAGE_SHARED };

	(void)state;
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		for (unsigned int c = 0; c < (1u << NR_FLAG_BITS); c++) {
			uint64_t old = (0x5600ull << PAGE_SHIFT) | flags_of(c) | _PAGE_PSE;
			pmd_t r = pmd_modify(__pmd(old), targets[t]);

			assert_true(pmd_leaf(r));	/* mprotect never turns a leaf into a table */
			assert_int_equal(pmd_pfn(r), 0x5600);
			assert_int_equal(r.pmd & keep, old & keep);
			assert_int_equal(r.pmd & ~keep & ~PTE_PFN_MASK, targets[t].pgprot & ~keep);
			assert_true(pmd_present(r));
			assert_int_equal(pmd_protnone(r), targets[t].pgprot == PAGE_NONE.pgprot);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Indices and sizes                                                   */
/* ------------------------------------------------------------------ */

static uint64_t compose(unsigned long g, unsigned long u, unsigned long m, unsigned long t,
			unsigned long off)
{
	return ((uint64_t)g << PGDIR_SHIFT) | ((uint64_t)u << PUD_SHIFT) |
	       ((uint64_t)m << PMD_SHIFT) | ((uint64_t)t << PAGE_SHIFT) | off;
}

static void test_index_helpers(void **state)
{
	uint64_t seed = 0x1d5ull;
	uint64_t a = compose(0xfe, 0x1a5, 0x0c3, 0x1ff, 0xabc);

	(void)state;
	assert_int_equal(pgd_index(a), 0xfe);
	assert_int_equal(pud_index(a), 0x1a5);
	assert_int_equal(pmd_index(a), 0x0c3);
	assert_int_equal(pte_index(a), 0x1ff);

	/* Boundaries: the last page of a PMD and the first of the next. */
	assert_int_equal(pte_index(PMD_SIZE - 1), 511);
	assert_int_equal(pmd_index(PMD_SIZE - 1), 0);
	assert_int_equal(pte_index(PMD_SIZE), 0);
	assert_int_equal(pmd_index(PMD_SIZE), 1);
	assert_int_equal(pmd_index(PUD_SIZE), 0);
	assert_int_equal(pud_index(PUD_SIZE), 1);
	assert_int_equal(pud_index(PGDIR_SIZE), 0);
	assert_int_equal(pgd_index(PGDIR_SIZE), 1);
	assert_int_equal(pgd_index(TASK_SIZE - 1), 255);	/* user half of the PGD */

	/* Every user address is its four indices plus the page offset. */
	for (int i = 0; i < 100000; i++) {
		uint64_t x = rng_below(&seed, TASK_SIZE);

		if (compose(pgd_index(x), pud_index(x), pmd_index(x), pte_index(x),
			    x & ~PAGE_MASK) != x)
			fail_msg("indices of %#llx do not recompose", (unsigned long long)x);
	}

	assert_int_equal(PMD_SIZE, HPAGE_PMD_NR * PAGE_SIZE);
	assert_int_equal(PUD_SIZE, (1ull << HPAGE_PUD_ORDER) * PAGE_SIZE);
	assert_int_equal(PGDIR_SIZE, PTRS_PER_TABLE * PUD_SIZE);
	assert_int_equal(PMD_MASK & (PMD_SIZE - 1), 0);
	assert_int_equal(~PMD_MASK, PMD_SIZE - 1);
}

/* ------------------------------------------------------------------ */
/* Entry access                                                        */
/* ------------------------------------------------------------------ */

static void test_entry_access(void **state)
{
	pte_t slot = __pte(0);
	pmd_t pslot = __pmd(0);
	pte_t v = pte_mkdirty(pte_mkwrite(pfn_pte(0x99, PAGE_SHARED)));
	pmd_t h = pmd_mkdirty(pmd_mkwrite(pmd_mkhuge(pfn_pmd(0x400, PAGE_SHARED))));

	(void)state;
	set_pte(&slot, v);
	assert_true(pte_same(ptep_get(&slot), v));

	/* ptep_set_wrprotect clears RW and nothing else (fork, CoW). */
	ptep_set_wrprotect(&slot);
	assert_int_equal(ptep_get(&slot).pte, v.pte & ~_PAGE_RW);
	ptep_set_wrprotect(&slot);			/* idempotent */
	assert_int_equal(ptep_get(&slot).pte, v.pte & ~_PAGE_RW);

	/* get_and_clear returns the old value and leaves none behind. */
	assert_int_equal(ptep_get_and_clear(&slot).pte, v.pte & ~_PAGE_RW);
	assert_true(pte_none(ptep_get(&slot)));

	set_pmd(&pslot, h);
	pmdp_set_wrprotect(&pslot);
	assert_int_equal(pmdp_get(&pslot).pmd, h.pmd & ~_PAGE_RW);
	assert_int_equal(pmdp_huge_get_and_clear(&pslot).pmd, h.pmd & ~_PAGE_RW);
	assert_true(pmd_none(pmdp_get(&pslot)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfn_pte_round_trip),
		cmocka_unit_test(test_pfn_pmd_pud_round_trip),
		cmocka_unit_test(test_huge_pfn_masks),
		cmocka_unit_test(test_pte_modifiers_exact),
		cmocka_unit_test(test_pte_predicates),
		cmocka_unit_test(test_pmd_pud_modifiers_exact),
		cmocka_unit_test(test_pmd_pud_predicates),
		cmocka_unit_test(test_pte_present_vs_protnone),
		cmocka_unit_test(test_prot_none_keeps_frame),
		cmocka_unit_test(test_pte_modify),
		cmocka_unit_test(test_pmd_modify),
		cmocka_unit_test(test_index_helpers),
		cmocka_unit_test(test_entry_access),
	};

	return cmocka_run_group_tests_name("pgtable_bits", tests, NULL, NULL);
}
