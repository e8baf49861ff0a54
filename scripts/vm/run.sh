#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - boot Debian's kernel under QEMU once and run scenarios in it.
#
#   scripts/vm/run.sh [--fs ext4|xfs] [--nfit] [--timeout SECS]
#                     [--workdir DIR] [--oracle-opts A,B] FILE...
#
# The guest's oracle output lands in DIR/guest.out (from its second serial
# port: per scenario "@@fl-begin N PATH", notes, "@@fl-out", stdout,
# "@@fl-err", stderr, "@@fl-end N STATUS [REASON]"; "@@fl-done" at the
# end), the boot console in DIR/boot.log.  DIR defaults to a fresh
# directory under the cache; the newest runs are kept for diagnosis.
#
# Exit status: 0 the guest ran everything; 3 a prerequisite is missing
# (QEMU, the kernel package, the host tools): one line on stderr, meant as
# a skip reason; 4 the guest timed out; 2 anything else (the guest stopped
# early, a build failed); the last line on stderr says where the log is.
#
# Environment: FAULTLINE_VM_CACHE (default /var/tmp/faultline-vm),
# FAULTLINE_VM_QEMU (default qemu-system-x86_64), FAULTLINE_VM_BINARY (a
# statically linked faultline to use instead of building one),
# FAULTLINE_VM_DEBS (extra directories to look for the kernel .deb in).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
CACHE=${FAULTLINE_VM_CACHE:-/var/tmp/faultline-vm}
QEMU=${FAULTLINE_VM_QEMU:-qemu-system-x86_64}
fs=ext4 nfit=0 timeout=600 wd="" oopts=""

while [ $# -gt 0 ]; do
	case $1 in
	--fs) fs=$2; shift 2 ;;
	--nfit) nfit=1; shift ;;
	--timeout) timeout=$2; shift 2 ;;
	--workdir) wd=$2; shift 2 ;;
	--oracle-opts) oopts=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "run.sh: no scenario file given" >&2; exit 2; }
case $fs in ext4|xfs) ;; *) echo "run.sh: --fs ext4 or xfs, not $fs" >&2; exit 2 ;; esac

missing() { echo "$*" >&2; exit 3; }
case $QEMU in
*/*) [ -x "$QEMU" ] || missing "$QEMU not found (apt-get install qemu-system-x86)" ;;
*) command -v "$QEMU" >/dev/null 2>&1 ||
	missing "$QEMU not found (apt-get install qemu-system-x86)" ;;
esac
if ! busybox --list 2>/dev/null | grep -qx insmod; then
	missing "busybox not found (apt-get install busybox-static)"
fi
command -v mke2fs >/dev/null 2>&1 || missing "mke2fs not found (apt-get install e2fsprogs)"
command -v mkfs.xfs >/dev/null 2>&1 || missing "mkfs.xfs not found (apt-get install xfsprogs)"
command -v cpio >/dev/null 2>&1 || missing "cpio not found (apt-get install cpio)"
if [ $nfit = 1 ]; then
	command -v ndctl >/dev/null 2>&1 || missing "ndctl not found (apt-get install ndctl)"
fi
mkdir -p "$CACHE" || missing "cannot create the cache directory $CACHE"

# one run at a time prepares the cache (kernel, static build, initramfs)
exec 9>"$CACHE/.lock"
command -v flock >/dev/null 2>&1 && flock 9
kdir=$("$here/fetch-kernel.sh") || exit 3
kver=$(cat "$kdir/.done")

# The guest cannot load the host's shared libraries: build faultline
# statically, in a build directory of its own under the cache, one per
# source tree (a meson build directory belongs to the tree it was set up
# from, and two checkouts may share the cache).
fl=${FAULTLINE_VM_BINARY:-}
if [ -z "$fl" ]; then
	b=$CACHE/build-static-$(printf '%s' "$src" | sha256sum | cut -c1-12)
	if [ ! -f "$b/build.ninja" ]; then
		meson setup "$b" "$src" --buildtype=release -Dwerror=false -Dc_link_args=-static \
			-Dprefer_static=true -Ddefault_library=static > "$CACHE/build-static.log" 2>&1 ||
			{ echo "run.sh: static meson setup failed, see $CACHE/build-static.log" >&2; exit 2; }
	fi
	ninja -C "$b" tools/faultline >> "$CACHE/build-static.log" 2>&1 ||
		{ echo "run.sh: static build failed, see $CACHE/build-static.log" >&2; exit 2; }
	fl=$b/tools/faultline
fi

key=$(cat "$fl" "$here/init" "$here/build-initramfs.sh" | sha256sum | cut -c1-16)
base=$CACHE/initramfs-$kver-$key.cpio
if [ ! -f "$base" ]; then
	rm -f "$CACHE"/initramfs-*.cpio
	"$here/build-initramfs.sh" "$kdir" "$fl" "$base" || exit $?
fi

mkdir -p "$CACHE/runs"
[ -n "$wd" ] || wd=$(mktemp -d "$CACHE/runs/$(date +%Y%m%d-%H%M%S).XXXXXX")
# keep the newest 10 runs
ls -1d "$CACHE"/runs/*/ 2>/dev/null | sort | head -n -10 | while read -r old; do
	[ "${old%/}" = "$wd" ] || rm -rf "$old"
done
mkdir -p "$wd/root/scn"
n=0
for f in "$@"; do
	mkdir -p "$wd/root/scn/$n"
	cp "$f" "$wd/root/scn/$n/$(basename "$f")"
	echo "$n/$(basename "$f")" >> "$wd/root/scn/list"
	n=$((n + 1))
done
echo "$oopts" | tr , ' ' > "$wd/root/scn/opts"
( cd "$wd/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet ) > "$wd/run.cpio"
cat "$base" "$wd/run.cpio" > "$wd/initrd"
rm -rf "$wd/root" "$wd/run.cpio"
exec 9>&-

append="console=ttyS0 panic=-1 fl.fs=$fs fl.nfit=$nfit"
if [ $nfit = 1 ]; then
	machine="-machine pc,nvdimm=on -m 3G,slots=2,maxmem=5G"
	machine="$machine -object memory-backend-ram,id=nvmem,size=1G -device nvdimm,memdev=nvmem,id=nv0"
else
	machine="-machine pc -m 3G"
	append="$append memmap=1G!1G"
fi
# KVM only with hardware virtualisation behind /dev/kvm: on some machines
# the device exists without it and QEMU then hangs instead of falling back.
accel="-accel tcg"
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	accel="-accel kvm -accel tcg"
fi

: > "$wd/guest.out"
start=$(date +%s)
rc=0
# shellcheck disable=SC2086
timeout -k 5 "$timeout" "$QEMU" $accel $machine -cpu max -smp 1 -nodefaults -display none \
	-no-reboot -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$wd/initrd" -append "$append" \
	-serial "file:$wd/boot.log" -serial "file:$wd/guest.out" \
	> "$wd/qemu.log" 2>&1 || rc=$?
echo "$(( $(date +%s) - start )) s in the guest" > "$wd/time"
rm -f "$wd/initrd"
cat "$wd/qemu.log" >> "$wd/boot.log" 2>/dev/null || true
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "run.sh: the guest timed out after $timeout s; boot log: $wd/boot.log" >&2
	exit 4
fi
if grep -q '^@@fl-fatal' "$wd/guest.out"; then
	echo "run.sh: guest: $(sed -n 's/^@@fl-fatal //p' "$wd/guest.out" | tr -d '\r' | head -n 1); boot log: $wd/boot.log" >&2
	exit 2
fi
if [ $rc != 0 ] || ! grep -q '^@@fl-done' "$wd/guest.out"; then
	echo "run.sh: the guest stopped before it finished (qemu status $rc); boot log: $wd/boot.log" >&2
	exit 2
fi
echo "$wd"
