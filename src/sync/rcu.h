/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rcu.h - RCU, as the kernel uses it, from liburcu's memory-barrier flavour.
 *
 * GUP-fast walks page tables under rcu_read_lock() and page-table pages are
 * freed only after a grace period; liburcu gives the same guarantees in
 * userspace.  The urcu-memb flavour needs no signals and no quiescent-state
 * calls, only registration of each thread that reads.  This header is the
 * only place in the tree that includes liburcu.
 */
#ifndef FL_SYNC_RCU_H
#define FL_SYNC_RCU_H

#include <urcu/urcu-memb.h>

static inline void rcu_read_lock(void) { urcu_memb_read_lock(); }
static inline void rcu_read_unlock(void) { urcu_memb_read_unlock(); }
static inline void synchronize_rcu(void) { urcu_memb_synchronize_rcu(); }

/* Every thread that enters a read-side section registers first. */
void fl_rcu_thread_online(void);
void fl_rcu_thread_offline(void);

#endif /* FL_SYNC_RCU_H */
