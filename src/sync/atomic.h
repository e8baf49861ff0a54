/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * atomic.h - the kernel's atomic_t, atomic_long_t and READ_ONCE family.
 *
 * Every atomic operation in faultline goes through this file, so that a
 * deterministic scheduler can later turn each one into a scheduling point.
 * The names and the semantics are the kernel's: atomic_read/atomic_set are
 * relaxed, the value-returning read-modify-write operations are fully
 * ordered, the void ones relaxed.  Page-table entries are plain 64-bit
 * words in simulated RAM; they are accessed with the *_u64 helpers at the
 * bottom, which is how the software MMU sets the accessed and dirty bits
 * atomically, as the CPU's page walker does.
 */
#ifndef FL_SYNC_ATOMIC_H
#define FL_SYNC_ATOMIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct { _Atomic int counter; } atomic_t;
typedef struct { _Atomic long counter; } atomic_long_t;

#define ATOMIC_INIT(i) { (i) }

static inline int atomic_read(const atomic_t *v)
{
	return atomic_load_explicit((_Atomic int *)&v->counter, memory_order_relaxed);
}

static inline void atomic_set(atomic_t *v, int i)
{
	atomic_store_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_add(int i, atomic_t *v)
{
	atomic_fetch_add_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_sub(int i, atomic_t *v)
{
	atomic_fetch_sub_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_inc(atomic_t *v) { atomic_add(1, v); }
static inline void atomic_dec(atomic_t *v) { atomic_sub(1, v); }

static inline int atomic_add_return(int i, atomic_t *v)
{
	return atomic_fetch_add(&v->counter, i) + i;
}

static inline int atomic_sub_return(int i, atomic_t *v)
{
	return atomic_fetch_sub(&v->counter, i) - i;
}

static inline int atomic_inc_return(atomic_t *v) { return atomic_add_return(1, v); }
static inline int atomic_dec_return(atomic_t *v) { return atomic_sub_return(1, v); }
static inline bool atomic_dec_and_test(atomic_t *v) { return atomic_dec_return(v) == 0; }
static inline bool atomic_inc_and_test(atomic_t *v) { return atomic_inc_return(v) == 0; }
static inline bool atomic_sub_and_test(int i, atomic_t *v) { return atomic_sub_return(i, v) == 0; }
static inline bool atomic_add_negative(int i, atomic_t *v) { return atomic_add_return(i, v) < 0; }

static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{
	atomic_compare_exchange_strong(&v->counter, &old, new);
	return old;
}

/* Decrement unless that would go below 0; the old value minus 1 either way. */
static inline int atomic_dec_if_positive(atomic_t *v)
{
	int old = atomic_read(v);

	while (old > 0 && atomic_cmpxchg(v, old, old - 1) != old)
		old = atomic_read(v);
	return old - 1;
}

static inline long atomic_long_read(const atomic_long_t *v)
{
	return atomic_load_explicit((_Atomic long *)&v->counter, memory_order_relaxed);
}

static inline void atomic_long_set(atomic_long_t *v, long i)
{
	atomic_store_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_long_add(long i, atomic_long_t *v)
{
	atomic_fetch_add_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_long_sub(long i, atomic_long_t *v)
{
	atomic_fetch_sub_explicit(&v->counter, i, memory_order_relaxed);
}

static inline void atomic_long_inc(atomic_long_t *v) { atomic_long_add(1, v); }
static inline void atomic_long_dec(atomic_long_t *v) { atomic_long_sub(1, v); }

static inline long atomic_long_add_return(long i, atomic_long_t *v)
{
	return atomic_fetch_add(&v->counter, i) + i;
}

/* Plain 64-bit words shared between threads: page-table entries. */
static inline uint64_t read_once_u64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void write_once_u64(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint64_t xchg_u64(uint64_t *p, uint64_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

/* Returns true and stores @new if *@p still holds *@old; else updates *@old. */
static inline bool try_cmpxchg_u64(uint64_t *p, uint64_t *old, uint64_t new)
{
	return __atomic_compare_exchange_n(p, old, new, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_RELAXED);
}

static inline uint64_t fetch_or_u64(uint64_t *p, uint64_t bits)
{
	return __atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST);
}

static inline unsigned long fetch_or_ulong(unsigned long *p, unsigned long bits)
{
	return __atomic_fetch_or(p, bits, __ATOMIC_SEQ_CST);
}

static inline unsigned long fetch_andnot_ulong(unsigned long *p, unsigned long bits)
{
	return __atomic_fetch_and(p, ~bits, __ATOMIC_SEQ_CST);
}

/*
 * Linux's __set_bit()/__clear_bit(): a read-modify-write that is not
 * atomic, for a word no other thread can write meanwhile (the flags of a
 * frame that is free under the zone lock, or newly allocated and not yet
 * mapped).  Concurrent readers still see a whole old or new value; no
 * locked instruction is spent.
 */
static inline void __or_ulong(unsigned long *p, unsigned long bits)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) | bits, __ATOMIC_RELAXED);
}

static inline void __andnot_ulong(unsigned long *p, unsigned long bits)
{
	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) & ~bits, __ATOMIC_RELAXED);
}

static inline unsigned long read_once_ulong(const unsigned long *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void smp_mb(void) { atomic_thread_fence(memory_order_seq_cst); }
static inline void cpu_relax(void) { __builtin_ia32_pause(); }

#endif /* FL_SYNC_ATOMIC_H */
