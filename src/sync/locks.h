/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * locks.h - spinlock_t, struct mutex, struct rw_semaphore and wait queues.
 *
 * The kernel's lock types under the kernel's names, built on C11 atomics and
 * pthreads.  Nothing outside src/sync/ touches pthreads, so every place the
 * model can block or be preempted is one of these calls: that is what lets
 * the explorer later replace them with a deterministic scheduler.
 *
 * spinlock_t is four bytes so that a page-table page's split PTE lock fits
 * in its page descriptor, as in Linux without ALLOC_SPLIT_PTLOCKS.  Each
 * lock records whether it is held so that functions can state their
 * preconditions with lockdep_assert_held() and a debug build checks them.
 */
#ifndef FL_SYNC_LOCKS_H
#define FL_SYNC_LOCKS_H

#include <pthread.h>
#include <stdbool.h>

#include "sync/atomic.h"

typedef struct { _Atomic int locked; } spinlock_t;

#define __SPIN_LOCK_UNLOCKED { 0 }

static inline void spin_lock_init(spinlock_t *l)
{
	atomic_store_explicit(&l->locked, 0, memory_order_relaxed);
}

static inline bool spin_trylock(spinlock_t *l)
{
	int expect = 0;

	return atomic_compare_exchange_strong_explicit(&l->locked, &expect, 1,
			memory_order_acquire, memory_order_relaxed);
}

void spin_lock_slowpath(spinlock_t *l);

static inline void spin_lock(spinlock_t *l)
{
	if (!spin_trylock(l))
		spin_lock_slowpath(l);
}

static inline void spin_unlock(spinlock_t *l)
{
	atomic_store_explicit(&l->locked, 0, memory_order_release);
}

static inline bool spin_is_locked(const spinlock_t *l)
{
	return atomic_load_explicit((_Atomic int *)&l->locked, memory_order_relaxed);
}

struct mutex {
	pthread_mutex_t m;
	_Atomic int held;
};

void mutex_init(struct mutex *lock);
void mutex_destroy(struct mutex *lock);
void mutex_lock(struct mutex *lock);
bool mutex_trylock(struct mutex *lock);
void mutex_unlock(struct mutex *lock);

static inline bool mutex_is_locked(const struct mutex *lock)
{
	return atomic_load_explicit((_Atomic int *)&lock->held, memory_order_relaxed);
}

/*
 * rw_semaphore: count > 0 is the number of readers, -1 is a writer, 0 free.
 * The count is the lock itself, so that the uncontended down_read() and
 * up_read() of every fault are one atomic instruction each (a pthread
 * rwlock plus a separate count took four); a waiter spins and yields as
 * the spinlock's slow path does.  Readers do not wait for a waiting
 * writer (no fairness), as pthread's default rwlock did not either.
 */
struct rw_semaphore {
	_Atomic int count;
};

void init_rwsem(struct rw_semaphore *sem);
void rwsem_destroy(struct rw_semaphore *sem);
void down_read_slowpath(struct rw_semaphore *sem);
void down_write_slowpath(struct rw_semaphore *sem);

static inline bool down_read_trylock(struct rw_semaphore *sem)
{
	int c = atomic_load_explicit(&sem->count, memory_order_relaxed);

	while (c >= 0)
		if (atomic_compare_exchange_weak_explicit(&sem->count, &c, c + 1,
							  memory_order_acquire,
							  memory_order_relaxed))
			return true;
	return false;
}

static inline void down_read(struct rw_semaphore *sem)
{
	if (!down_read_trylock(sem))
		down_read_slowpath(sem);
}

static inline void up_read(struct rw_semaphore *sem)
{
	atomic_fetch_sub_explicit(&sem->count, 1, memory_order_release);
}

static inline bool down_write_trylock(struct rw_semaphore *sem)
{
	int expect = 0;

	return atomic_compare_exchange_strong_explicit(&sem->count, &expect, -1,
						       memory_order_acquire, memory_order_relaxed);
}

static inline void down_write(struct rw_semaphore *sem)
{
	if (!down_write_trylock(sem))
		down_write_slowpath(sem);
}

static inline void up_write(struct rw_semaphore *sem)
{
	atomic_store_explicit(&sem->count, 0, memory_order_release);
}

static inline bool rwsem_is_locked(const struct rw_semaphore *sem)
{
	return atomic_load_explicit((_Atomic int *)&sem->count, memory_order_relaxed) != 0;
}

static inline bool rwsem_is_write_locked(const struct rw_semaphore *sem)
{
	return atomic_load_explicit((_Atomic int *)&sem->count, memory_order_relaxed) < 0;
}

/* Wait queues: a sleeper re-checks its condition under the queue's lock. */
struct wait_queue_head {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	_Atomic int waiters;
};

void init_waitqueue_head(struct wait_queue_head *wq);
void waitqueue_destroy(struct wait_queue_head *wq);
void wake_up_all(struct wait_queue_head *wq);
void wq_lock(struct wait_queue_head *wq);
void wq_unlock(struct wait_queue_head *wq);
void wq_sleep(struct wait_queue_head *wq);

#define wait_event(wq, condition)			\
	do {						\
		wq_lock(wq);				\
		while (!(condition))			\
			wq_sleep(wq);			\
		wq_unlock(wq);				\
	} while (0)

/* Precondition checks: cheap, so always on. */
void fl_lock_assert_failed(const char *what, const char *file, int line);

#define lockdep_assert_held(l)						\
	do {								\
		if (!spin_is_locked(l))					\
			fl_lock_assert_failed(#l, __FILE__, __LINE__);	\
	} while (0)

#define mmap_assert_locked(mm)						\
	do {								\
		if (!rwsem_is_locked(&(mm)->mmap_lock))			\
			fl_lock_assert_failed("mmap_lock", __FILE__, __LINE__); \
	} while (0)

#define mmap_assert_write_locked(mm)					\
	do {								\
		if (!rwsem_is_write_locked(&(mm)->mmap_lock))		\
			fl_lock_assert_failed("mmap_lock (write)", __FILE__, __LINE__); \
	} while (0)

#endif /* FL_SYNC_LOCKS_H */
