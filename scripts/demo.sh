#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The m2msec demo: boot the test VM with the freshly built module and run
# scripts/demo/run.sh in it: a CSE, an AE and a sensor in three network
# namespaces, DTLS 1.3 and 1.2 handshakes by m2msecd, CoAP through the
# kernel, the associations, a throughput figure, and an ESPrim
# request/response through a transit CSE (Documentation/demo.md).
# Expects a built tree (make vm-build); `make demo` does all of it.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

if [ "${1:-}" = --help ]; then
	sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi

exec scripts/vm-run.sh --timeout 300 --log "$REPO/.vm/demo-console.log" \
	--module "$REPO/m2msec.ko" -- scripts/demo/run.sh
