// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - the table of variant switches (SPEC.md section 3, V1 to V23)
 * and the scenario settings of SCENARIOS.md.
 *
 * One row per key: its name as a scenario spells it, where it lives in
 * struct fl_config, and its values.  Adding a variant is adding a row; the
 * parser, `faultline --help` and check's headers all read this table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/config.h"

enum cfg_type { CFG_BOOL, CFG_ENUM, CFG_SIZE };

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t offset;
	const char *const *values;	/* CFG_ENUM: index = stored value */
	const char *variant;		/* "V4", or NULL for settings */
};

#define OFF(f) offsetof(struct fl_config, f)
#define VALUES(...) (const char *const[]){ __VA_ARGS__, NULL }

static const struct cfg_key cfg_keys[] = {
	{ "pte_special", CFG_BOOL, OFF(pte_special), NULL, "V1" },
	{ "pgtable_deposit", CFG_BOOL, OFF(pgtable_deposit), NULL, "V2" },
	{ "huge_zero_pmd_special", CFG_BOOL, OFF(huge_zero_pmd_special), NULL, "V3" },
	{ "dax_pmd_hole", CFG_ENUM, OFF(dax_pmd_hole),
	  VALUES("legacy", "s002v1", "folio_pmd"), "V4" },
	{ "fsdax_refcount", CFG_ENUM, OFF(fsdax_refcount),
	  VALUES("one_based", "zero_based", "zero_based_entry_ref"), "V5" },
	{ "find_normal_page", CFG_BOOL, OFF(find_normal_page), NULL, "V6" },
	{ "cow_pfnmap_detect", CFG_ENUM, OFF(cow_pfnmap_detect),
	  VALUES("linear", "anon_lookup"), "V7" },
	{ "memmap_plausibility", CFG_ENUM, OFF(memmap_plausibility),
	  VALUES("report_null", "warn_return"), "V8" },
	{ "insert_present_check", CFG_BOOL, OFF(insert_present_check), NULL, "V9" },
	{ "huge_zero_in_folio_pmd", CFG_BOOL, OFF(huge_zero_in_folio_pmd), NULL, "V10" },
	{ "dax_vma_zap_mode", CFG_ENUM, OFF(dax_vma_zap_mode),
	  VALUES("special_huge", "normal_folio"), "V11" },
	{ "dax_shared_accounting", CFG_ENUM, OFF(dax_shared_accounting),
	  VALUES("alias_anon", "dropped", "distinct_bit"), "V12" },
	{ "layout_busy_skip_unmapped", CFG_BOOL, OFF(layout_busy_skip_unmapped), NULL, "V13" },
	{ "dax_insert_fail_cleanup", CFG_ENUM, OFF(dax_insert_fail_cleanup),
	  VALUES("delete_entry", "keep_entry"), "V14" },
	{ "normal_page_impl", CFG_ENUM, OFF(normal_page_impl), VALUES("old", "new"), "V15" },
	{ "fault_around_impl", CFG_ENUM, OFF(fault_around_impl),
	  VALUES("alloc_set_pte", "map_set_pte", "map_set_pte_fixed"), "V16" },
	{ "old_prefault_pte", CFG_BOOL, OFF(old_prefault_pte), NULL, "V17" },
	{ "dax_pte_hole_model", CFG_ENUM, OFF(dax_pte_hole_model),
	  VALUES("hole_page", "zero_pfn"), "V18" },
	{ "fault_around_bytes", CFG_SIZE, OFF(fault_around_bytes), NULL, "V19" },
	{ "fs_dax_pmd", CFG_BOOL, OFF(fs_dax_pmd), NULL, "V20" },
	{ "dax_gfp_policy", CFG_ENUM, OFF(dax_gfp_policy),
	  VALUES("propagate", "legacy_add_fs_io"), "V21" },
	{ "finish_fault_shared_ret", CFG_ENUM, OFF(finish_fault_shared_ret),
	  VALUES("init_zero", "uninit"), "V22" },
	{ "zap_dax_huge_zero_deposit", CFG_ENUM, OFF(zap_dax_huge_zero_deposit),
	  VALUES("if_arch", "always"), "V23" },
	/* not a SPEC variant: SPEC R63 (S002 v1) against Linux 6.18 (off) */
	{ "fsdax_free_clears_mapping", CFG_BOOL, OFF(fsdax_free_clears_mapping), NULL, NULL },
	{ "thp", CFG_ENUM, OFF(thp), VALUES("never", "madvise", "always"), NULL },
	{ "thp_zero_page", CFG_BOOL, OFF(thp_zero_page), NULL, NULL },
	{ "dax_fs_align", CFG_SIZE, OFF(dax_fs_align), NULL, NULL },
	{ "ram", CFG_SIZE, OFF(ram), NULL, NULL },
	{ "pmem", CFG_SIZE, OFF(pmem), NULL, NULL },
};

#define NR_KEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

void fl_config_default(struct fl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pte_special = true;
	cfg->pgtable_deposit = false;
	cfg->huge_zero_pmd_special = true;
	cfg->dax_pmd_hole = FL_DAX_PMD_HOLE_FOLIO_PMD;
	cfg->fsdax_refcount = FL_FSDAX_ZERO_BASED;
	cfg->find_normal_page = false;
	cfg->cow_pfnmap_detect = FL_COW_PFNMAP_LINEAR;
	cfg->memmap_plausibility = FL_MEMMAP_REPORT_NULL;
	cfg->insert_present_check = true;
	cfg->huge_zero_in_folio_pmd = true;
	cfg->dax_vma_zap_mode = FL_DAX_ZAP_NORMAL_FOLIO;
	cfg->dax_shared_accounting = FL_DAX_SHARED_DISTINCT_BIT;
	cfg->layout_busy_skip_unmapped = false;
	/* Linux 6.15+ dax_fault_iter() leaves the entry; SPEC's fix is delete_entry. */
	cfg->dax_insert_fail_cleanup = FL_DAX_INSERT_FAIL_KEEP_ENTRY;
	cfg->normal_page_impl = FL_NORMAL_PAGE_NEW;
	cfg->fault_around_impl = FL_FAULT_AROUND_MAP_SET_PTE_FIXED;
	cfg->old_prefault_pte = false;
	cfg->dax_pte_hole_model = FL_DAX_PTE_HOLE_ZERO_PFN;
	cfg->fault_around_bytes = 65536;
	cfg->fs_dax_pmd = true;
	cfg->dax_gfp_policy = FL_DAX_GFP_PROPAGATE;
	cfg->finish_fault_shared_ret = FL_FINISH_FAULT_INIT_ZERO;
	cfg->zap_dax_huge_zero_deposit = FL_ZAP_DAX_HZ_IF_ARCH;
	cfg->thp = FL_THP_MADVISE;
	cfg->thp_zero_page = true;
	cfg->dax_fs_align = 2u << 20;
	cfg->ram = 1u << 30;
	cfg->pmem = 1u << 30;
}

static int parse_one_size(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0, mul = 1;
	int base = 10;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!(base == 16 ? ((*p >= '0' && *p <= '9') || ((*p | 32) >= 'a' && (*p | 32) <= 'f'))
			 : (*p >= '0' && *p <= '9')))
		return -1;
	for (;; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && (*p | 32) >= 'a' && (*p | 32) <= 'f')
			d = (*p | 32) - 'a' + 10;
		else
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	switch (*p) {
	case 'K': mul = 1ull << 10; p++; break;
	case 'M': mul = 1ull << 20; p++; break;
	case 'G': mul = 1ull << 30; p++; break;
	default: break;
	}
	if (v && mul > UINT64_MAX / v)
		return -1;
	*out = v * mul;
	*end = p;
	return 0;
}

int fl_parse_size(const char *s, uint64_t *out)
{
	uint64_t total = 0;

	for (;;) {
		uint64_t v;
		const char *end;

		if (parse_one_size(s, &end, &v))
			return -1;
		if (total > UINT64_MAX - v)
			return -1;
		total += v;
		if (*end == '\0')
			break;
		if (*end != '+')
			return -1;
		s = end + 1;
	}
	*out = total;
	return 0;
}

static const struct cfg_key *find_key(const char *key)
{
	for (size_t i = 0; i < NR_KEYS; i++)
		if (!strcmp(cfg_keys[i].name, key))
			return &cfg_keys[i];
	return NULL;
}

static int set_enum(const struct cfg_key *k, int *field, const char *value,
		    char *err, size_t errlen)
{
	size_t n = 0, used;

	for (int i = 0; k->values[i]; i++) {
		if (!strcmp(k->values[i], value)) {
			*field = i;
			return 0;
		}
	}
	used = (size_t)snprintf(err, errlen, "bad value '%s' for %s (expected", value, k->name);
	for (int i = 0; k->values[i] && used < errlen; i++, n++)
		used += (size_t)snprintf(err + used, errlen - used, "%s%s",
					 i ? "|" : " ", k->values[i]);
	if (used < errlen)
		snprintf(err + used, errlen - used, ")");
	return -1;
}

static int check_size(const struct cfg_key *k, uint64_t v, char *err, size_t errlen)
{
	bool pow2 = v && !(v & (v - 1));

	if (!strcmp(k->name, "fault_around_bytes") && (!pow2 || v < 4096 || v > (2u << 20))) {
		snprintf(err, errlen, "fault_around_bytes must be a power of two from 4K to 2M");
		return -1;
	}
	if (!strcmp(k->name, "dax_fs_align") && v != 4096 && v != (2u << 20) && v != (1u << 30)) {
		snprintf(err, errlen, "dax_fs_align must be 4K, 2M or 1G");
		return -1;
	}
	if ((!strcmp(k->name, "ram") || !strcmp(k->name, "pmem")) &&
	    (v % (2u << 20) || v < (16u << 20) || v > (64ull << 30))) {
		snprintf(err, errlen, "%s must be a multiple of 2M from 16M to 64G", k->name);
		return -1;
	}
	return 0;
}

int fl_config_set(struct fl_config *cfg, const char *key, const char *value,
		  char *err, size_t errlen)
{
	const struct cfg_key *k = find_key(key);
	char *base = (char *)cfg;
	uint64_t v;

	if (!k) {
		snprintf(err, errlen, "unknown config key '%s'", key);
		return -1;
	}
	switch (k->type) {
	case CFG_BOOL:
		if (!strcmp(value, "on"))
			*(bool *)(base + k->offset) = true;
		else if (!strcmp(value, "off"))
			*(bool *)(base + k->offset) = false;
		else {
			snprintf(err, errlen, "bad value '%s' for %s (expected on|off)", value, key);
			return -1;
		}
		return 0;
	case CFG_ENUM:
		return set_enum(k, (int *)(base + k->offset), value, err, errlen);
	case CFG_SIZE:
		if (fl_parse_size(value, &v)) {
			snprintf(err, errlen, "bad size '%s' for %s", value, key);
			return -1;
		}
		if (check_size(k, v, err, errlen))
			return -1;
		*(uint64_t *)(base + k->offset) = v;
		return 0;
	}
	return -1;
}

static void format_value(const struct fl_config *cfg, const struct cfg_key *k,
			 char *buf, size_t len)
{
	const char *base = (const char *)cfg;
	uint64_t v;

	switch (k->type) {
	case CFG_BOOL:
		snprintf(buf, len, "%s", *(const bool *)(base + k->offset) ? "on" : "off");
		break;
	case CFG_ENUM:
		snprintf(buf, len, "%s", k->values[*(const int *)(base + k->offset)]);
		break;
	case CFG_SIZE:
		v = *(const uint64_t *)(base + k->offset);
		if (v % (1u << 30) == 0)
			snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
		else if (v % (1u << 20) == 0)
			snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
		else if (v % 1024 == 0)
			snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
		else
			snprintf(buf, len, "%llu", (unsigned long long)v);
		break;
	}
}

void fl_config_print(const struct fl_config *cfg, void *stdio_file)
{
	FILE *f = stdio_file;
	char val[64];

	for (size_t i = 0; i < NR_KEYS; i++) {
		format_value(cfg, &cfg_keys[i], val, sizeof(val));
		fprintf(f, "  %-26s %-12s", cfg_keys[i].name, val);
		if (cfg_keys[i].type == CFG_ENUM) {
			for (int j = 0; cfg_keys[i].values[j]; j++)
				fprintf(f, "%s%s", j ? "|" : " (", cfg_keys[i].values[j]);
			fputc(')', f);
		} else if (cfg_keys[i].type == CFG_BOOL) {
			fputs(" (on|off)", f);
		} else {
			fputs(" (size)", f);
		}
		if (cfg_keys[i].variant)
			fprintf(f, " [%s]", cfg_keys[i].variant);
		fputc('\n', f);
	}
}

void fl_config_describe(const struct fl_config *cfg, char *buf, size_t len)
{
	struct fl_config def;
	char a[64], b[64];
	size_t used = 0;

	fl_config_default(&def);
	buf[0] = '\0';
	for (size_t i = 0; i < NR_KEYS && used < len; i++) {
		format_value(cfg, &cfg_keys[i], a, sizeof(a));
		format_value(&def, &cfg_keys[i], b, sizeof(b));
		if (strcmp(a, b))
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%s",
						 used ? " " : "", cfg_keys[i].name, a);
	}
	if (!used)
		snprintf(buf, len, "defaults");
}

/*
 * Kernel personalities.  linux-6.1 is Debian 12's kernel, which predates
 * the seeds' fs-dax patches and S004: fs-dax pages are devmap entries with
 * no refcount taken by a mapping (V5 one_based, which needs V11
 * special_huge); holes are loaded with the old dax_pmd_load_hole (V4
 * legacy), which installs a huge zero PMD without a special bit (6.1 had
 * no PMD special bit: V3 off), and vm_normal_page*() are the pre-S004 ones
 * (V15 old), whose PTE hook was the unconditional find_special_page (V6
 * on).  insert_pfn()/insert_pfn_pmd() looked at the old entry's pfn
 * without checking that it was present (V9 off); a failed DAX insert left
 * its entry in place (V14 keep_entry); reflinked DAX pages were marked with
 * PAGE_MAPPING_DAX_COW, which is 0x1 (V12 alias_anon); and
 * dax_layout_busy_page_range() returned early for an unmapped mapping (V13
 * on).  V2, V7, V8, V16-V23 are as 6.1 on x86 has them already.
 */
struct cfg_preset {
	const char *name;
	const char *pairs;	/* "k=v k=v", applied left to right */
};

static const struct cfg_preset cfg_presets[] = {
	{ "linux-6.1", "fsdax_refcount=one_based dax_pmd_hole=legacy "
		       "dax_vma_zap_mode=special_huge huge_zero_pmd_special=off "
		       "normal_page_impl=old find_normal_page=on insert_present_check=off "
		       "dax_insert_fail_cleanup=keep_entry dax_shared_accounting=alias_anon "
		       "layout_busy_skip_unmapped=on" },
};

const char *fl_config_preset_keys(const char *name)
{
	for (size_t i = 0; i < sizeof(cfg_presets) / sizeof(cfg_presets[0]); i++)
		if (!strcmp(cfg_presets[i].name, name))
			return cfg_presets[i].pairs;
	return NULL;
}

int fl_config_preset_each(const char *name,
			  int (*fn)(const char *key, const char *value, void *arg), void *arg)
{
	const char *pairs = fl_config_preset_keys(name);
	char buf[512], *save = NULL, *tok, *eq;
	int ret = 0;

	if (!pairs)
		return 0;
	snprintf(buf, sizeof(buf), "%s", pairs);
	for (tok = strtok_r(buf, " ", &save); tok && !ret; tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		ret = fn(tok, eq + 1, arg);
	}
	return ret;
}

struct preset_apply {
	struct fl_config *cfg;
	char *err;
	size_t errlen;
};

static int preset_apply_one(const char *key, const char *value, void *arg)
{
	struct preset_apply *a = arg;

	return fl_config_set(a->cfg, key, value, a->err, a->errlen) ? -1 : 0;
}

int fl_config_preset(struct fl_config *cfg, const char *name, char *err, size_t errlen)
{
	struct preset_apply a = { cfg, err, errlen };

	if (!fl_config_preset_keys(name)) {
		snprintf(err, errlen, "unknown kernel personality '%s'", name);
		return -1;
	}
	return fl_config_preset_each(name, preset_apply_one, &a);
}

bool fl_config_same_value(const char *key, const char *a, const char *b)
{
	struct fl_config ca, cb;
	char da[2048], db[2048], msg[128];

	fl_config_default(&ca);
	fl_config_default(&cb);
	if (fl_config_set(&ca, key, a, msg, sizeof(msg)) || fl_config_set(&cb, key, b, msg, sizeof(msg)))
		return !strcmp(a, b);
	fl_config_describe(&ca, da, sizeof(da));
	fl_config_describe(&cb, db, sizeof(db));
	return !strcmp(da, db);
}
