#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The m2msec demo: boot the test VM with the freshly built module and show
# what it offers.  Expects a built tree (make vm-build); `make demo` does
# all of it.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

if [ "${1:-}" = --help ]; then
	sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi

exec scripts/vm-run.sh --timeout 600 --log "$REPO/.vm/demo-console.log" \
	--module "$REPO/m2msec.ko" -- sh -c '
		echo "== m2msec loaded: socket family $(cat /sys/module/m2msec/parameters/family)"
		echo "== m2msecctl info"
		user/m2msecctl info
		echo "== m2msecctl -j config show"
		user/m2msecctl -j config show
	'
