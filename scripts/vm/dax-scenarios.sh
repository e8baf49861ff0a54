#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# dax-scenarios.sh - the scenarios `make check-vm` runs in the guest, one
# path a line: tests/scenarios/dax_*, dax61_*, xfstests_*, ndctl_*, and
# the spec_T* ones with a file on the DAX filesystem (a `file` line
# without fs=pagecache or fs=tmpfs; dax is the default).
set -eu
cd "$(dirname "$0")/../.."
for f in tests/scenarios/dax_*.scn tests/scenarios/dax61_*.scn tests/scenarios/xfstests_*.scn tests/scenarios/ndctl_*.scn; do
	[ -f "$f" ] && echo "$f"
done
for f in tests/scenarios/spec_T*.scn; do
	[ -f "$f" ] || continue
	if grep -E '^[[:space:]]*file[[:space:]]' "$f" | grep -qvE 'fs=(pagecache|tmpfs)'; then
		echo "$f"
	fi
done
