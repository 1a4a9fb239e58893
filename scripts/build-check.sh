#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build m2msec.ko with W=1 against the pinned Debian 6.12 and 6.1 kernel
# headers (from scripts/deps.sh) and fail on any compiler warning.  Prints
# one TAP line per kernel.  Builds happen in a scratch copy of the sources
# so the tree's own m2msec.ko (the VM's) is left alone.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${M2MSEC_CACHE:-/var/cache/m2msec}

if [ "${1:-}" = --help ]; then
	sed -n '3,8p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
[ -r "$CACHE/kernel.env" ] || { echo "missing $CACHE/kernel.env: run scripts/deps.sh" >&2; exit 1; }
# shellcheck disable=SC1091
. "$CACHE/kernel.env"

n=0
failed=0
for kver in "$KVER" "$KVER61"; do
	n=$((n + 1))
	kdir=/usr/src/linux-headers-$kver
	work=$(mktemp -d)
	cp -r "$REPO/Kbuild" "$REPO/kmod" "$REPO/include" "$work/"
	if make -C "$kdir" M="$work" W=1 modules >"$work/build.log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$work/build.log" >/dev/null; then
		echo "ok $n build: m2msec.ko builds for $kver with W=1 and no warnings"
	else
		grep -E 'warning:|error:' "$work/build.log" | sed 's/^/# /' | head -40
		tail -5 "$work/build.log" | sed 's/^/# /'
		echo "not ok $n build: m2msec.ko builds for $kver with W=1 and no warnings"
		failed=$((failed + 1))
	fi
	rm -rf "$work"
done
[ "$failed" -eq 0 ]
