// SPDX-License-Identifier: GPL-2.0-only
/*
 * rcu.c - per-thread RCU registration.
 *
 * A thread must be registered with liburcu before its first read-side
 * critical section; these two calls keep the count so that nested users
 * (the runner, then a helper that also reads) are harmless.
 */
#include "sync/rcu.h"

static _Thread_local int rcu_online;

void fl_rcu_thread_online(void)
{
	if (rcu_online++ == 0)
		urcu_memb_register_thread();
}

void fl_rcu_thread_offline(void)
{
	if (--rcu_online == 0)
		urcu_memb_unregister_thread();
}
