// SPDX-License-Identifier: GPL-2.0-only
/*
 * smaps.c - the counters of a scenario mapping, from /proc/PID/smaps.
 *
 * A scenario mapping can be several VMAs (mprotect splits one), and a VMA
 * never spans two scenario mappings (the arena keeps them apart), so the
 * counters of a mapping are the sums over every VMA that lies entirely
 * inside [start, start + len).  Values stay in KiB as smaps prints them,
 * including Pss, which the kernel rounds down per VMA: the model has to
 * round the same way to agree.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "oracle/smaps.h"

/* "Name:   123 kB" -> counter index and value; -1 if not one of ours. */
static int field(const char *line, uint64_t *kib)
{
	const char *colon = strchr(line, ':');

	if (!colon)
		return -1;
	char name[32];
	enum fl_counter c;

	if ((size_t)(colon - line) >= sizeof(name))
		return -1;
	memcpy(name, line, (size_t)(colon - line));
	name[colon - line] = '\0';
	c = fl_counter_lookup(name);	/* the contract's spellings, from src/observe/ */
	if (c == FL_NR_COUNTERS)
		return -1;
	return sscanf(colon + 1, "%" SCNu64, kib) == 1 ? (int)c : -1;
}

int fl_smaps_sum(int pid, uint64_t start, uint64_t end, struct fl_counters *c,
		 char *err, size_t errlen)
{
	char path[64], line[512];
	bool inside = false;
	FILE *f;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		uint64_t lo, hi, kib;
		int i;

		/* Only a VMA header parses as "hex-hex"; field names stop at a non-hex letter. */
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " ", &lo, &hi) == 2) {
			inside = lo >= start && hi <= end;
			continue;
		}
		if (inside && (i = field(line, &kib)) >= 0)
			c->kib[i] += kib;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}
