// SPDX-License-Identifier: GPL-2.0-only
/*
 * pins.c - `pin` and `unpin`, driver side.
 *
 * A pin is held by the agent of the process that took it (agent_pin.c
 * says how); the driver remembers which process that is, since `unpin`
 * names only the pin.  A pin whose process has exited was released by
 * the exit, so unpinning it does nothing, as on Linux where the pipe or
 * the ring went away with the process.
 */
#include <string.h>

#include "oracle/oracle_int.h"

int fl_oracle_pin(struct fl_backend *b, int proc, int pin, uint64_t va, uint64_t len,
		  bool write, bool longterm, bool dma, struct fl_step_result *r)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_oracle_agent *a = fl_oracle_agent(o, proc);
	struct fl_agent_req rq = {
		.op = AG_PIN, .va = va, .len = len, .pin = pin, .write = write,
		.longterm = longterm, .expect_byte = -1,
	};
	struct fl_agent_rep rp;

	if (pin < 0 || pin >= FL_AGENT_MAX_PINS)
		return fl_oracle_fail(o, FL_EUNSUPPORTED, "more than %d pins", FL_AGENT_MAX_PINS);
	/* Without longterm the pin is a vmsplice: a read GUP only. */
	if (dma || (write && !longterm))
		return fl_oracle_fail(o, FL_ESKIP, "a short-term write pin cannot be held "
				      "from userspace");
	if (!a)
		return fl_oracle_fail(o, FL_EFAIL, "pin: p%d is not running", proc);
	if (fl_agent_request(a, &rq, -1, &rp, b->err, sizeof(b->err)) < 0)
		return FL_EFAIL;
	if (rp.err)
		return FL_EFAIL;	/* b->err says which call failed */
	if (r) {
		memset(r, 0, sizeof(*r));
		r->faults = rp.minflt + rp.majflt;
		r->majflt = rp.majflt;
		r->bad_byte = -1;
	}
	o->pins[pin].proc = proc;
	return FL_OK;
}

int fl_oracle_unpin(struct fl_backend *b, int pin)
{
	struct fl_oracle *o = fl_oracle_of(b);
	struct fl_agent_req rq = { .op = AG_UNPIN, .pin = pin, .expect_byte = -1 };
	struct fl_oracle_agent *a;
	struct fl_agent_rep rp;

	if (pin < 0 || pin >= FL_AGENT_MAX_PINS)
		return fl_oracle_fail(o, FL_EFAIL, "unpin: bad pin %d", pin);
	a = fl_oracle_agent(o, o->pins[pin].proc);
	o->pins[pin].proc = -1;
	if (!a)
		return FL_OK;
	if (fl_agent_request(a, &rq, -1, &rp, b->err, sizeof(b->err)))
		return FL_EFAIL;
	return FL_OK;
}
