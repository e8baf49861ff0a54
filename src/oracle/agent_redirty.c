// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent_redirty.c - make the agent's own memory writable again after fork.
 *
 * fork() write-protects every anonymous page of both processes.  The
 * agent's next store to its stack, its static state, its TLS or its heap
 * would then take a CoW fault, and getrusage() would add it to whatever
 * scenario step ran first.  So right after fork (and once at start, since
 * p0 itself is forked from the driver) each agent reads /proc/self/maps
 * and, for every private writable VMA outside the scenario arena, loads
 * and stores back one byte of every page that /proc/self/pagemap says is
 * present.  Pages that are not present are left alone: touching them would
 * only populate memory the agent never uses.
 *
 * No malloc and no stdio: this runs in a child of a possibly multithreaded
 * process.  The maps file is read in chunks through a static buffer, one
 * line at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "oracle/agent.h"

#define PM_PRESENT (1ull << 63)

static char maps_buf[16384];
static uint64_t pm_buf[512];

static void rmw_page(uint64_t va)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)va;

	*p = *p;
}

static int redirty_range(int pm, uint64_t lo, uint64_t hi)
{
	while (lo < hi) {
		uint64_t n = (hi - lo) / 4096;
		ssize_t got;

		if (n > 512)
			n = 512;
		got = pread(pm, pm_buf, n * 8, (off_t)(lo / 4096 * 8));
		if (got < 0)
			return -errno;
		if (got == 0)
			return -EIO;
		n = (uint64_t)got / 8;
		for (uint64_t i = 0; i < n; i++)
			if (pm_buf[i] & PM_PRESENT)
				rmw_page(lo + i * 4096);
		lo += n * 4096;
	}
	return 0;
}

static uint64_t parse_hex(const char **s)
{
	uint64_t v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

/* "lo-hi rw-p ..." -> the range if it is private and writable. */
static bool writable_private(const char *line, uint64_t *lo, uint64_t *hi)
{
	const char *s = line;

	*lo = parse_hex(&s);
	if (*s++ != '-')
		return false;
	*hi = parse_hex(&s);
	if (*s++ != ' ')
		return false;
	return s[0] == 'r' && s[1] == 'w' && s[3] == 'p';
}

static int do_line(int pm, const char *line, uint64_t skip_lo, uint64_t skip_hi)
{
	uint64_t lo, hi;

	if (!writable_private(line, &lo, &hi))
		return 0;
	if (lo < skip_hi && hi > skip_lo) {
		int ret = 0;

		if (lo < skip_lo)
			ret = redirty_range(pm, lo, skip_lo);
		if (!ret && hi > skip_hi)
			ret = redirty_range(pm, skip_hi, hi);
		return ret;
	}
	return redirty_range(pm, lo, hi);
}

int fl_agent_redirty(uint64_t skip_lo, uint64_t skip_hi)
{
	int maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t have = 0;
	int ret = 0;

	if (maps < 0 || pm < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t got = read(maps, maps_buf + have, sizeof(maps_buf) - 1 - have);
		char *line = maps_buf, *nl;

		if (got < 0) {
			ret = -errno;
			break;
		}
		have += (size_t)got;
		maps_buf[have] = '\0';
		while (!ret && (nl = strchr(line, '\n'))) {
			*nl = '\0';
			ret = do_line(pm, line, skip_lo, skip_hi);
			line = nl + 1;
		}
		if (ret || got == 0)
			break;
		have -= (size_t)(line - maps_buf);
		memmove(maps_buf, line, have);
		if (have == sizeof(maps_buf) - 1) {
			ret = -E2BIG;
			break;
		}
	}
out:
	if (maps >= 0)
		close(maps);
	if (pm >= 0)
		close(pm);
	return ret;
}
