#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# fetch-kernel.sh - Debian's linux-image-amd64 kernel for `faultline --vm`,
# unpacked into the cache, never installed on the host.
#
#   scripts/vm/fetch-kernel.sh        prints the kernel directory
#
# The version is whatever linux-image-amd64 depends on (apt-cache), so the
# guest follows Debian's point releases without an edit here.  The .deb is
# fetched with `apt-get download` (or taken from $FAULTLINE_VM_DEBS or the
# cache if it is already there) and unpacked with dpkg-deb -x into
# $CACHE/kernel-VERSION; /boot and /lib/modules of the host are untouched.
# Exit status 3 with a one-line reason on stderr when the package cannot be
# had (no apt metadata, no network): the caller turns that into a skip.
set -eu

CACHE=${FAULTLINE_VM_CACHE:-/var/tmp/faultline-vm}
fail() { echo "$*" >&2; exit 3; }

command -v apt-cache >/dev/null 2>&1 || fail "apt-cache not found: cannot resolve linux-image-amd64"
kpkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1
}
pkg=$(kpkg)
# a fresh CI container has no package lists yet
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ] && [ "${CI:-}" = true ]; then
	apt-get update -qq >&2 || true
	pkg=$(kpkg)
fi
[ -n "$pkg" ] || fail "linux-image-amd64 is unknown to apt-cache (run apt-get update)"
kver=${pkg#linux-image-}
kdir=$CACHE/kernel-$kver
if [ -f "$kdir/.done" ]; then
	echo "$kdir"
	exit 0
fi

mkdir -p "$CACHE/debs"
deb=""
for d in "$CACHE/debs" ${FAULTLINE_VM_DEBS:-}; do
	for f in "$d"/"${pkg}"_*_amd64.deb; do
		[ -f "$f" ] && deb=$f
	done
done
if [ -z "$deb" ]; then
	( cd "$CACHE/debs" && apt-get download -q "$pkg" >&2 ) ||
		fail "apt-get download $pkg failed (no network or no apt sources?)"
	for f in "$CACHE/debs"/"${pkg}"_*_amd64.deb; do
		[ -f "$f" ] && deb=$f
	done
fi
[ -n "$deb" ] || fail "no .deb for $pkg in $CACHE/debs"

rm -rf "$kdir.tmp"
mkdir -p "$kdir.tmp"
dpkg-deb -x "$deb" "$kdir.tmp"
[ -f "$kdir.tmp/boot/vmlinuz-$kver" ] || fail "$deb holds no boot/vmlinuz-$kver"
rm -rf "$kdir"
mv "$kdir.tmp" "$kdir"
echo "$kver" > "$kdir/.done"
echo "$kdir"
