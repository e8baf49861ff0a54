/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * smaps.h - smaps counters of a range of a process (driver side).
 */
#ifndef FL_ORACLE_SMAPS_H
#define FL_ORACLE_SMAPS_H

#include <stddef.h>
#include <stdint.h>

#include "observe/obs.h"

/* Sum the counters of every VMA of @pid inside [start, end), in KiB. */
int fl_smaps_sum(int pid, uint64_t start, uint64_t end, struct fl_counters *c,
		 char *err, size_t errlen);

#endif /* FL_ORACLE_SMAPS_H */
