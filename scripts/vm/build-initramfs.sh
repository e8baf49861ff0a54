#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-initramfs.sh - the guest's base initramfs for `faultline --vm`.
#
#   scripts/vm/build-initramfs.sh KERNEL_DIR FAULTLINE_BINARY OUT.cpio
#
# An uncompressed newc archive with busybox (static), the kernel modules
# the guest needs with their dependencies (read from each module's
# .modinfo, since the unpacked .deb carries no modules.dep), mke2fs,
# mkfs.xfs and ndctl with the shared libraries ldd names, the statically
# linked faultline, and scripts/vm/init as /init.  Per-run files (the
# scenarios and their list) are a second archive that run.sh appends: the
# kernel unpacks concatenated archives in order.
set -eu

kdir=$1 fl=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
kver=$(cat "$kdir/.done")
mods=$kdir/lib/modules/$kver
# what /init loads, in this order (dependencies are added before each)
WANT="crc32c_generic crc32c-intel libcrc32c jbd2 mbcache ext4 xfs libnvdimm nd_pmem nd_e820 nd_btt nfit dax_pmem brd"

for t in busybox mke2fs mkfs.xfs cpio; do
	command -v $t >/dev/null 2>&1 || { echo "build-initramfs: $t not found" >&2; exit 3; }
done
# the guest has no C library of its own for these two
for b in "$(command -v busybox)" "$fl"; do
	if ldd "$b" >/dev/null 2>&1; then
		echo "build-initramfs: $b is not statically linked (busybox: apt-get install busybox-static)" >&2
		exit 3
	fi
done
root=$(mktemp -d "${TMPDIR:-/tmp}/fl-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/lib/modules" "$root/lib64" "$root/proc" \
	"$root/sys" "$root/dev" "$root/mnt/dax" "$root/tmp" "$root/scn" "$root/etc"

cp "$(command -v busybox)" "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done

# a binary and the libraries it loads, at the same paths as on the host
copy_bin() {
	cp "$1" "$root/sbin/$(basename "$1")"
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^\t\//{print $1}' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		[ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
	done
}
copy_bin "$(command -v mke2fs)"
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$root/etc/"
ln -s mke2fs "$root/sbin/mkfs.ext4"
copy_bin "$(command -v mkfs.xfs)"
if command -v ndctl >/dev/null 2>&1; then
	copy_bin "$(command -v ndctl)"
fi
cp "$fl" "$root/sbin/faultline"

# modules: name -> path once, then a depth-first walk of depends=
find "$mods/kernel" -name '*.ko' > "$root/.all"
modpath() { grep -m1 -E "/$(echo "$1" | sed 's/[-_]/[-_]/g')\.ko\$" "$root/.all" || true; }
moddeps() { tr '\0' '\n' < "$1" | sed -n 's/^depends=//p' | tr ',' ' '; }
: > "$root/etc/modules"
add_mod() {
	local p n d
	p=$(modpath "$1")
	[ -n "$p" ] || return 0
	n=$(basename "$p")
	grep -qx "$n" "$root/etc/modules" && return 0
	for d in $(moddeps "$p"); do
		add_mod "$d"
	done
	grep -qx "$n" "$root/etc/modules" && return 0
	cp "$p" "$root/lib/modules/$n"
	echo "$n" >> "$root/etc/modules"
}
for m in $WANT; do
	add_mod "$m"
done
rm -f "$root/.all"
for m in ext4 xfs nd_pmem nd_e820; do
	grep -qx "$m.ko" "$root/etc/modules" || { echo "build-initramfs: module $m missing in $mods" >&2; exit 3; }
done

cp "$here/init" "$root/init"
chmod +x "$root/init"
( cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet ) > "$out.$$"
mv "$out.$$" "$out"
