#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every m2msec test: host tests (kernel builds for both supported kernels,
# unit tests of code shared with the module, tool behaviour without the
# module), then the kselftest-style tests inside the VM.  Prints one TAP line
# per test case and a closing "N passed, N failed, N skipped" line; exits
# non-zero on any failure.  Expects a built tree (make vm-build); `make
# check` does all of it.
#
# Usage: scripts/check.sh [--host-only] [--vm-only] [VM-TEST...]
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
# The tests use the distribution's tools and Python with the packages
# scripts/deps.sh installs, not whatever interpreter a user put first.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
. selftests/tap.sh

host=1
vm=1
while [ $# -gt 0 ]; do
	case $1 in
	--host-only) vm=0 ;;
	--vm-only) host=0 ;;
	--help | -h) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
	shift
done

ctl_without_module() {
	local out
	"$REPO/user/m2msecctl" --help | grep -q '^Usage: m2msecctl' || return 1
	"$REPO/user/m2msecctl" frobnicate 2>/dev/null; [ $? -eq 2 ] || return 1
	if [ ! -d /sys/module/m2msec ]; then
		out=$("$REPO/user/m2msecctl" info 2>&1); [ $? -eq 1 ] || return 1
		grep -q "module is not loaded" <<<"$out" || return 1
	fi
	echo "ok 1 m2msecctl: --help prints usage, an unknown command exits 2, info without the module exits 1 and says to load it"
}

echo "TAP version 13"
if [ "$host" = 1 ]; then
	tap_run build-check scripts/build-check.sh
	tap_run key_payload_test selftests/host/key_payload_test
	tap_run keyfile_test selftests/host/keyfile_test
	tap_run keyexport_interop selftests/host/keyexport_interop.sh
	tap_run m2msecd_udp selftests/host/m2msecd_udp_test.sh
	tap_run m2msec-nc selftests/host/m2msec_nc_test.sh
	tap_run esprim_parse_test selftests/host/esprim_parse_test
	tap_run replay_test selftests/host/replay_test
	tap_run scratch_test selftests/host/scratch_test
	tap_run record12_test selftests/host/record12_test
	tap_run record13_test selftests/host/record13_test
	tap_run hkdf13_test selftests/host/hkdf13_test
	tap_run codec_crosscheck python3 selftests/host/codec_crosscheck.py
	tap_run m2msecctl ctl_without_module
fi

if [ "$vm" = 1 ]; then
	log=$REPO/.vm/check-console.log
	vm_out=$(mktemp)
	scripts/vm-run.sh --timeout 1800 --log "$log" --module "$REPO/m2msec.ko" \
		-- selftests/run.sh "$@" >"$vm_out" 2>&1
	rc=$?
	tap_run vm cat "$vm_out"
	rm -f "$vm_out"
	case $rc in
	0 | 1) tap_line ok "vm: the guest kernel log shows no oops, BUG, WARNING, lockdep, refcount or hung-task report" ;;
	125) tap_line "not ok" "vm: the guest kernel log shows no oops, BUG, WARNING, lockdep, refcount or hung-task report (see $log)" ;;
	*) tap_line "not ok" "vm: the guest ran to completion (vm-run status $rc, see $log)" ;;
	esac
fi
tap_summary
