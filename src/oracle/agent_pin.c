// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent_pin.c - `pin` and `unpin` on the real kernel.
 *
 * Userspace cannot call pin_user_pages(), but two system calls hold page
 * references on its behalf for as long as it likes:
 *
 *  - `longterm`: io_uring registered buffers.  Registration is a
 *    FOLL_WRITE | FOLL_LONGTERM pin, so it also makes fork copy the pinned
 *    anonymous pages (KERNEL-FACTS s9c).  Each agent has one ring with a
 *    sparse table of NR_SLOTS slots; a pin fills one slot, unpin
 *    empties it again.
 *  - otherwise: vmsplice() into a pipe that stays open.  That is a
 *    read-only GUP taking plain references (FOLL_GET), the "extra
 *    reference" that turns a CoW reuse into a copy (KERNEL-FACTS s9b).
 *    There is no way to hold a short-term write pin from userspace, so the
 *    driver skips scenarios that ask for one.
 *
 * Pins belong to the process that took them: a forked child closes its
 * copies of the parent's pipes and ring, so only the parent holds them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fl_build_config.h"
#include "oracle/agent.h"

#if FL_HAVE_LIBURING
#include <liburing.h>
#endif

#define NR_SLOTS (FL_AGENT_MAX_PINS + 1)

struct agent_pin {
	bool used, longterm;
	int pipe[2];
};

static struct agent_pin pins[NR_SLOTS];

#if FL_HAVE_LIBURING
static struct io_uring ring;
static bool ring_ok;

static int ring_init(void)
{
	int ret = io_uring_queue_init(4, &ring, 0);

	if (ret < 0)
		return ret;
	ret = io_uring_register_buffers_sparse(&ring, NR_SLOTS);
	if (ret < 0) {
		io_uring_queue_exit(&ring);
		return ret;
	}
	ring_ok = true;
	return 0;
}

static int ring_set(int slot, uint64_t va, uint64_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)va, .iov_len = len };
	__u64 tag = 0;
	int ret;

	if (!ring_ok)
		return -ENOSYS;
	ret = io_uring_register_buffers_update_tag(&ring, (unsigned)slot, &iov, &tag, 1);
	return ret < 0 ? ret : 0;
}

static void ring_drop(void)
{
	if (ring_ok)
		io_uring_queue_exit(&ring);
	ring_ok = false;
}
#else
static int ring_init(void) { return -ENOSYS; }
static int ring_set(int slot, uint64_t va, uint64_t len)
{
	(void)slot; (void)va; (void)len;
	return -ENOSYS;
}
static void ring_drop(void) {}
#endif

int fl_agent_pins_init(void)
{
	memset(pins, 0, sizeof(pins));
	if (!fl_agent_self.setup.want_uring)
		return 0;
	return ring_init();
}

/* A pipe big enough to hold one buffer per page of the range. */
static int splice_pipe(struct agent_pin *p, uint64_t va, uint64_t len)
{
	uint64_t pages = ((va + len + 4095) / 4096) - va / 4096;

	if (pipe2(p->pipe, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	if (pages > 16 && fcntl(p->pipe[1], F_SETPIPE_SZ, (int)(pages * 4096)) < 0) {
		int err = errno;

		close(p->pipe[0]);
		close(p->pipe[1]);
		return -err;
	}
	return 0;
}

/* Inside the window: nothing but the vmsplice calls. */
static int splice_range(struct agent_pin *p, uint64_t va, uint64_t len)
{
	while (len) {
		struct iovec iov = { .iov_base = (void *)(uintptr_t)va, .iov_len = len };
		ssize_t n = vmsplice(p->pipe[1], &iov, 1, SPLICE_F_NONBLOCK);

		if (n <= 0)
			return n < 0 ? -errno : -EAGAIN;
		va += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

void fl_agent_pin(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	struct agent_pin *p;
	struct rusage r0;
	int ret;

	if (rq->pin < 0 || rq->pin >= NR_SLOTS || pins[rq->pin].used) {
		fl_agent_fail(rp, "pin slot", EINVAL);
		return;
	}
	p = &pins[rq->pin];
	if (!rq->longterm && rq->write) {
		fl_agent_fail(rp, "short-term write pin", EOPNOTSUPP);
		return;
	}
	if (!rq->longterm && (ret = splice_pipe(p, rq->va, rq->len))) {
		fl_agent_fail(rp, "pipe", -ret);
		return;
	}
	fl_agent_window_open(&r0);
	if (rq->longterm)
		ret = ring_set(rq->pin, rq->va, rq->len);
	else
		ret = splice_range(p, rq->va, rq->len);
	fl_agent_window_close(&r0, rp);
	if (ret) {
		if (!rq->longterm) {
			close(p->pipe[0]);
			close(p->pipe[1]);
		}
		fl_agent_fail(rp, rq->longterm ? "io_uring_register_buffers" : "vmsplice", -ret);
		return;
	}
	p->used = true;
	p->longterm = rq->longterm;
}

static int drop_pin(int slot)
{
	struct agent_pin *p = &pins[slot];
	int ret = 0;

	if (!p->used)
		return 0;
	if (p->longterm) {
		ret = ring_set(slot, 0, 0);
	} else {
		close(p->pipe[0]);
		close(p->pipe[1]);
	}
	p->used = false;
	return ret;
}

void fl_agent_unpin(const struct fl_agent_req *rq, struct fl_agent_rep *rp)
{
	int ret;

	if (rq->pin < 0 || rq->pin >= NR_SLOTS) {
		fl_agent_fail(rp, "pin slot", EINVAL);
		return;
	}
	ret = drop_pin(rq->pin);
	if (ret)
		fl_agent_fail(rp, "io_uring buffer update", -ret);
}

void fl_agent_pins_forget(void)
{
	for (int i = 0; i < NR_SLOTS; i++) {
		if (pins[i].used && !pins[i].longterm) {
			close(pins[i].pipe[0]);
			close(pins[i].pipe[1]);
		}
		pins[i].used = false;
	}
	ring_drop();
}

void fl_agent_pins_release(void)
{
	for (int i = 0; i < NR_SLOTS; i++)
		drop_pin(i);
	ring_drop();
}
