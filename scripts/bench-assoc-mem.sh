#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel memory per association (issue: associations at scale): slab and
# per-CPU memory per installed DTLS association, both directions, for
# DTLS 1.2/1.3 and each cipher, at the given counts (default 1000 and
# 10000), in one VM run.  Prints a Markdown table; see
# Documentation/benchmarks.md.
#
# Usage: scripts/bench-assoc-mem.sh [COUNT...]      (after make vm-build)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
# The configured maxima (assoc-sock-max 65536) bound one socket.
exec scripts/vm-run.sh --timeout 1800 --mem 2048 --log "$REPO/.vm/bench-assoc-mem-console.log" \
	--module "$REPO/m2msec.ko" -- python3 scripts/assoc-mem.py "$@"
