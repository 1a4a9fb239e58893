#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ESPrim benchmark: protect + unprotect round trips per second for 200-byte
# and 2 KiB inner primitives (A128GCM) in one VM run: m2msec with one
# sendmsg()/recvmsg() per object, m2msec with 32 objects per
# sendmmsg()/recvmmsg(), and cjose in userspace.  Prints a table and the
# ratios to cjose.  Expects a built tree (make vm-build).
#
# Usage: scripts/bench-esprim.sh [SECONDS-PER-POINT]   (default 3)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

if [ "${1:-}" = --help ]; then
	sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
secs=${1:-3}

exec scripts/vm-run.sh --timeout 900 --log "$REPO/.vm/bench-esprim-console.log" \
	--module "$REPO/m2msec.ko" -- sh -c '
		secs=$1
		echo "cpu: $(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2)"
		printf "%-6s %-7s %12s %10s\n" size mode ops/s "x cjose"
		for size in 200 2048; do
			c=$(selftests/esprim_bench cjose $size $secs | cut -d" " -f3)
			for mode in single batch cjose; do
				if [ $mode = cjose ]; then
					r=$c
				else
					r=$(selftests/esprim_bench $mode $size $secs | cut -d" " -f3)
				fi
				printf "%-6s %-7s %12s %10s\n" $size $mode $r \
					$(awk -v a=$r -v b=$c "BEGIN { printf \"%.2f\", a / b }")
			done
		done
		echo "kernel gcm(aes) driver: $(grep -A2 "^name *: gcm(aes)\$" /proc/crypto | sed -n "s/^driver *: //p" | head -1)"
	' bench "$secs"
