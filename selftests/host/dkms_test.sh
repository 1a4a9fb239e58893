#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS on the host: `make dkms-source` into a DESTDIR, then dkms add, build
# and install with private trees (nothing under /var/lib/dkms, /usr/src or
# /lib/modules changes) for the pinned 6.12 headers and the 6.1 headers.
# The 6.12 module DKMS installed is left at .vm/dkms/m2msec.ko for
# scripts/check.sh, which loads it in the stock VM.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. /var/cache/m2msec/kernel.env 2>/dev/null || true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$REPO/selftests/lib.sh"
plan 4
# result STATUS DESC: one case, passing when STATUS is 0.
result() { if [ "$1" -eq 0 ]; then ok "dkms: $2"; else not_ok "dkms: $2"; fi; }

ver=$(sed -n 's/^#define M2MSEC_VERSION "\(.*\)"$/\1/p' "$REPO/kmod/version.h")
if ! command -v dkms >/dev/null; then
	for i in 1 2 3 4; do result 1 "dkms is installed (scripts/deps.sh installs it)"; done
	finish
fi
rm -f "$REPO/.vm/dkms/m2msec.ko"
make -C "$REPO" --no-print-directory -s dkms-source DESTDIR="$tmp/dest" >"$tmp/src.log" 2>&1
rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/src.log"
trees=(--sourcetree "$tmp/dest/usr/src" --dkmstree "$tmp/dkms" --installtree "$tmp/inst")
mkdir -p "$tmp/dkms" "$tmp/inst"
if [ $rc -eq 0 ]; then
	dkms add -m m2msec -v "$ver" "${trees[@]}" >"$tmp/add.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/add.log"
fi
result $rc "make dkms-source and dkms add m2msec/$ver"

# build KVER LABEL: dkms build for the headers of KVER.
build() {
	local kver=$1 kdir=/usr/src/linux-headers-$1 log=$tmp/build-$1.log rc
	if [ ! -d "$kdir" ]; then
		echo "# $kdir missing (scripts/deps.sh installs it)"
		return 1
	fi
	dkms build -m m2msec -v "$ver" -k "$kver" --kernelsourcedir "$kdir" "${trees[@]}" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		tail -n 15 "$log" | sed 's/^/# /'
		cat "$tmp/dkms/m2msec/$ver/build/make.log" 2>/dev/null | grep -E 'error|warning' | head -n 10 | sed 's/^/# /'
	fi
	return $rc
}
build "${KVER61:-none}"
result $? "dkms build for the 6.1 headers (${KVER61:-none})"
build "${KVER:-none}"
result $? "dkms build for the 6.12 headers (${KVER:-none})"

mkdir -p "$tmp/inst/${KVER:-none}"
dkms install -m m2msec -v "$ver" -k "${KVER:-none}" --no-depmod "${trees[@]}" >"$tmp/inst.log" 2>&1
rc=$?
ko=$(find "$tmp/inst/${KVER:-none}" -name 'm2msec.ko*' 2>/dev/null | head -n 1)
if [ $rc -eq 0 ] && [ -n "$ko" ]; then
	mkdir -p "$REPO/.vm/dkms"
	case $ko in
	*.xz) xz -dc "$ko" >"$REPO/.vm/dkms/m2msec.ko" ;;
	*.zst) zstd -qdc "$ko" >"$REPO/.vm/dkms/m2msec.ko" ;;
	*.gz) gzip -dc "$ko" >"$REPO/.vm/dkms/m2msec.ko" ;;
	*) cp "$ko" "$REPO/.vm/dkms/m2msec.ko" ;;
	esac
	modinfo -F version "$REPO/.vm/dkms/m2msec.ko" | grep -qx "$ver" || rc=1
else
	[ $rc -ne 0 ] || rc=1
	sed 's/^/# /' "$tmp/inst.log" | tail -n 15
fi
result $rc "dkms install for ${KVER:-none} puts m2msec.ko (version $ver) under updates/dkms"
finish
