/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * faultline/config.h - every behaviour variant of SPEC.md section 3, at run time.
 *
 * One struct fl_config describes a model instance: the seeds' OLD and NEW
 * behaviours (V1 to V23) plus the THP, RAM and pmem settings of
 * SCENARIOS.md.  Nothing is an #ifdef, so a reviewer can run one scenario
 * under both sides of a patch in one process.  Defaults are SPEC.md's (*)
 * values, which model Linux 6.18.
 */
#ifndef FAULTLINE_CONFIG_H
#define FAULTLINE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fl_thp_mode { FL_THP_NEVER, FL_THP_MADVISE, FL_THP_ALWAYS };
enum fl_dax_pmd_hole { FL_DAX_PMD_HOLE_LEGACY, FL_DAX_PMD_HOLE_S002V1, FL_DAX_PMD_HOLE_FOLIO_PMD };
enum fl_fsdax_refcount { FL_FSDAX_ONE_BASED, FL_FSDAX_ZERO_BASED, FL_FSDAX_ZERO_BASED_ENTRY_REF };
enum fl_cow_pfnmap_detect { FL_COW_PFNMAP_LINEAR, FL_COW_PFNMAP_ANON_LOOKUP };
enum fl_memmap_plausibility { FL_MEMMAP_REPORT_NULL, FL_MEMMAP_WARN_RETURN };
enum fl_dax_vma_zap_mode { FL_DAX_ZAP_SPECIAL_HUGE, FL_DAX_ZAP_NORMAL_FOLIO };
enum fl_dax_shared_accounting { FL_DAX_SHARED_ALIAS_ANON, FL_DAX_SHARED_DROPPED, FL_DAX_SHARED_DISTINCT_BIT };
enum fl_dax_insert_fail_cleanup { FL_DAX_INSERT_FAIL_DELETE_ENTRY, FL_DAX_INSERT_FAIL_KEEP_ENTRY };
enum fl_normal_page_impl { FL_NORMAL_PAGE_OLD, FL_NORMAL_PAGE_NEW };
enum fl_fault_around_impl { FL_FAULT_AROUND_ALLOC_SET_PTE, FL_FAULT_AROUND_MAP_SET_PTE, FL_FAULT_AROUND_MAP_SET_PTE_FIXED };
enum fl_dax_pte_hole_model { FL_DAX_PTE_HOLE_PAGE, FL_DAX_PTE_HOLE_ZERO_PFN };
enum fl_dax_gfp_policy { FL_DAX_GFP_PROPAGATE, FL_DAX_GFP_LEGACY_ADD_FS_IO };
enum fl_finish_fault_shared_ret { FL_FINISH_FAULT_INIT_ZERO, FL_FINISH_FAULT_UNINIT };
enum fl_zap_dax_huge_zero_deposit { FL_ZAP_DAX_HZ_IF_ARCH, FL_ZAP_DAX_HZ_ALWAYS };

/* Enumerated fields are ints so that one table can describe them all. */
struct fl_config {
	bool pte_special;		/* V1 */
	bool pgtable_deposit;		/* V2 */
	bool huge_zero_pmd_special;	/* V3 */
	int dax_pmd_hole;		/* V4: enum fl_dax_pmd_hole */
	int fsdax_refcount;		/* V5: enum fl_fsdax_refcount */
	bool find_normal_page;		/* V6 */
	int cow_pfnmap_detect;		/* V7: enum fl_cow_pfnmap_detect */
	int memmap_plausibility;	/* V8: enum fl_memmap_plausibility */
	bool insert_present_check;	/* V9 */
	bool huge_zero_in_folio_pmd;	/* V10 */
	int dax_vma_zap_mode;		/* V11: enum fl_dax_vma_zap_mode */
	int dax_shared_accounting;	/* V12: enum fl_dax_shared_accounting */
	bool layout_busy_skip_unmapped;	/* V13 */
	int dax_insert_fail_cleanup;	/* V14: enum fl_dax_insert_fail_cleanup */
	int normal_page_impl;		/* V15: enum fl_normal_page_impl */
	int fault_around_impl;		/* V16: enum fl_fault_around_impl */
	bool old_prefault_pte;		/* V17 */
	int dax_pte_hole_model;		/* V18: enum fl_dax_pte_hole_model */
	uint64_t fault_around_bytes;	/* V19 */
	bool fs_dax_pmd;		/* V20 */
	int dax_gfp_policy;		/* V21: enum fl_dax_gfp_policy */
	int finish_fault_shared_ret;	/* V22: enum fl_finish_fault_shared_ret */
	int zap_dax_huge_zero_deposit;	/* V23: enum fl_zap_dax_huge_zero_deposit */
	/*
	 * SPEC R63 (S002 v1): the final put of an FS-DAX folio clears its
	 * mapping.  Off (6.18): only the entry's removal does.  No V number.
	 */
	bool fsdax_free_clears_mapping;

	int thp;			/* enum fl_thp_mode */
	bool thp_zero_page;
	uint64_t dax_fs_align;
	uint64_t ram;
	uint64_t pmem;
};

/* SPEC.md's defaults: Linux 6.18 with the seeds' patches applied. */
void fl_config_default(struct fl_config *cfg);

/*
 * Set KEY to VALUE (SCENARIOS.md spelling).  Returns 0, or -1 with a message
 * in @err.  Values that are sizes accept the scenario syntax (4K, 2M+4K).
 */
int fl_config_set(struct fl_config *cfg, const char *key, const char *value,
		  char *err, size_t errlen);

/* Print every key and its current value, one "key=value" a line. */
void fl_config_print(const struct fl_config *cfg, void *stdio_file);

/* Keys that differ from the defaults, as "k=v k=v" (for headers and diffs). */
void fl_config_describe(const struct fl_config *cfg, char *buf, size_t len);

/*
 * A kernel personality: the variant values under which the model behaves
 * like a given real kernel, e.g. "linux-6.1" (the guest of `check --vm`).
 * Each pair is applied with fl_config_set().  Returns 0, or -1 with a
 * message in @err for an unknown name.  fl_config_preset_keys() gives the
 * pairs as "k=v k=v" for headers.
 */
int fl_config_preset(struct fl_config *cfg, const char *name, char *err, size_t errlen);
const char *fl_config_preset_keys(const char *name);

/*
 * Call @fn for each KEY=VALUE pair of preset @name, in order, and stop at
 * the first non-zero return, which is returned; 0 when every call gave 0
 * or @name is unknown.
 */
int fl_config_preset_each(const char *name,
			  int (*fn)(const char *key, const char *value, void *arg), void *arg);

/*
 * Do @a and @b mean the same value of KEY (2M and 0x200000, say)?  A value
 * that does not parse is compared as it is spelt.
 */
bool fl_config_same_value(const char *key, const char *a, const char *b);

/* Parse a scenario size: decimal or 0x hex, K/M/G suffix, '+' sums. */
int fl_parse_size(const char *s, uint64_t *out);

#endif /* FAULTLINE_CONFIG_H */
