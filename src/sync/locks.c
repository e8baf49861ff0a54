// SPDX-License-Identifier: GPL-2.0-only
/*
 * locks.c - the out-of-line halves of the lock types in locks.h.
 *
 * The spinlock's slow path spins with a pause and yields now and then, so a
 * lock holder that was preempted on a two-core machine gets to run; the
 * rw_semaphore's slow paths wait the same way.  The mutex is a pthread
 * mutex plus the flag the lockdep-style assertions read.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "sync/locks.h"

void spin_lock_slowpath(spinlock_t *l)
{
	unsigned int spins = 0;

	for (;;) {
		while (spin_is_locked(l)) {
			if (++spins % 1024 == 0)
				sched_yield();
			else
				cpu_relax();
		}
		if (spin_trylock(l))
			return;
	}
}

void mutex_init(struct mutex *lock)
{
	pthread_mutex_init(&lock->m, NULL);
	atomic_store(&lock->held, 0);
}

void mutex_destroy(struct mutex *lock)
{
	pthread_mutex_destroy(&lock->m);
}

void mutex_lock(struct mutex *lock)
{
	pthread_mutex_lock(&lock->m);
	atomic_store(&lock->held, 1);
}

bool mutex_trylock(struct mutex *lock)
{
	if (pthread_mutex_trylock(&lock->m))
		return false;
	atomic_store(&lock->held, 1);
	return true;
}

void mutex_unlock(struct mutex *lock)
{
	atomic_store(&lock->held, 0);
	pthread_mutex_unlock(&lock->m);
}

void init_rwsem(struct rw_semaphore *sem)
{
	atomic_store_explicit(&sem->count, 0, memory_order_relaxed);
}

void rwsem_destroy(struct rw_semaphore *sem)
{
	(void)sem;
}

/* Spin while @sem is held the way that excludes us, yielding now and then. */
static void rwsem_wait(struct rw_semaphore *sem, bool writer)
{
	unsigned int spins = 0;

	for (;;) {
		int c = atomic_load_explicit(&sem->count, memory_order_relaxed);

		if (writer ? c == 0 : c >= 0)
			return;
		if (++spins % 1024 == 0)
			sched_yield();
		else
			cpu_relax();
	}
}

void down_read_slowpath(struct rw_semaphore *sem)
{
	do {
		rwsem_wait(sem, false);
	} while (!down_read_trylock(sem));
}

void down_write_slowpath(struct rw_semaphore *sem)
{
	do {
		rwsem_wait(sem, true);
	} while (!down_write_trylock(sem));
}

void init_waitqueue_head(struct wait_queue_head *wq)
{
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	atomic_store(&wq->waiters, 0);
}

void waitqueue_destroy(struct wait_queue_head *wq)
{
	pthread_cond_destroy(&wq->cond);
	pthread_mutex_destroy(&wq->lock);
}

void wq_lock(struct wait_queue_head *wq)
{
	pthread_mutex_lock(&wq->lock);
}

void wq_unlock(struct wait_queue_head *wq)
{
	pthread_mutex_unlock(&wq->lock);
}

void wq_sleep(struct wait_queue_head *wq)
{
	atomic_fetch_add(&wq->waiters, 1);
	pthread_cond_wait(&wq->cond, &wq->lock);
	atomic_fetch_sub(&wq->waiters, 1);
}

void wake_up_all(struct wait_queue_head *wq)
{
	pthread_mutex_lock(&wq->lock);
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
}

void fl_lock_assert_failed(const char *what, const char *file, int line)
{
	fprintf(stderr, "faultline: %s:%d: lock precondition failed: %s not held\n",
		file, line, what);
	abort();
}
