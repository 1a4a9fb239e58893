#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Concurrent syscall stress (m2msec_stress, sources in selftests/stress/):
# for M2MSEC_STRESS_SECONDS (default 120) threads and processes (root, uid
# 65534, root of a user namespace, short-lived network namespaces) drive
# random valid-shaped operations over every part of the ABI while hostile
# datagrams hit the sockets.  The program checks each syscall's errno and
# hangs; the VM runner fails the run on any kernel report.  The seed is
# printed on the result line: M2MSEC_STRESS_SEED=0x... reproduces a run.
#
#   M2MSEC_STRESS_SECONDS   duration (default 120)
#   M2MSEC_STRESS_SEED      master seed (default: random, printed)
#   M2MSEC_STRESS_THREADS   threads of the root process (default 4)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

SEC=${M2MSEC_STRESS_SECONDS:-120}
PROG=$HERE/m2msec_stress

plan 3
if [ ! -x "$PROG" ]; then
	not_ok "stress: $PROG is built (make -C selftests)"
	skip "stress: module refcount back to 0 afterwards" "no program"
	skip "stress: module unloads and loads again afterwards" "no program"
	finish
fi
mod_load
# Instantiate every record AEAD once (GET_INFO allocates each).
"$HERE/../user/m2msecctl" info >/dev/null 2>&1

# No progress for 30 s is a hang, scaled like the suite's timeouts: under
# emulation a debug kernel needs seconds of CPU for the modprobe that the
# first use of a crypto algorithm runs, while the stress keeps every CPU busy.
args=(--duration "$SEC" --module "$M2MSEC_KO" --hang $((30 * ${M2MSEC_TIMEOUT_SCALE:-1})))
[ -n "${M2MSEC_STRESS_SEED:-}" ] && args+=(--seed "$M2MSEC_STRESS_SEED")
[ -n "${M2MSEC_STRESS_THREADS:-}" ] && args+=(--threads "$M2MSEC_STRESS_THREADS")

out=$(mktemp)
timeout -k 10 $((SEC + 180)) "$PROG" "${args[@]}" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
if [ $rc -ne 0 ] && [ -w /proc/sysrq-trigger ]; then
	# Every task still blocked, kernel threads and helpers included.
	echo w >/proc/sysrq-trigger
	sleep 1
	dmesg | sed -n '/sysrq: Show Blocked State/,$p' | head -n 300 | sed 's/^/# blocked: /'
fi
seed=$(sed -n 's/^stress: seed=\(0x[0-9a-f]*\).*/\1/p' "$out" | head -n 1)
rm -f "$out"
case $rc in
0) ok "stress: ${SEC} s of concurrent operations, every errno acceptable, no hang (seed=$seed)" ;;
124 | 137) not_ok "stress: ${SEC} s of concurrent operations: timed out (seed=$seed)" ;;
*) not_ok "stress: ${SEC} s of concurrent operations: exit status $rc (seed=$seed; M2MSEC_STRESS_SEED=$seed reproduces)" ;;
esac

# Closed sockets release the module once their namespaces are gone
# (namespace cleanup runs asynchronously).
released() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(cat /sys/module/m2msec/refcnt 2>/dev/null)" = 0 ] && return 0
		sleep 0.2
	done
	echo "refcnt still $(cat /sys/module/m2msec/refcnt 2>/dev/null)"
	return 1
}
check "stress: afterwards nothing holds the module (refcount back to 0)" released
check "stress: afterwards the module unloads and loads again" mod_reload
finish
