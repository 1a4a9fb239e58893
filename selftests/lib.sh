# SPDX-License-Identifier: GPL-2.0
# KTAP helpers for m2msec's shell tests.  Source it, declare the plan with
# `plan N`, report with `check DESC CMD...` (or ok/not_ok/skip), end with
# `finish`.  Exit codes follow kselftest: 0 pass, 1 fail, 4 skip.

T_N=0
T_PASS=0
T_FAIL=0
T_SKIP=0

REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
M2MSEC_KO=${M2MSEC_KO:-$REPO/m2msec.ko}
CTL=$REPO/user/m2msecctl

plan() { printf 'KTAP version 1\n1..%s\n' "$1"; }
diag() { printf '# %s\n' "$*"; }
ok() { T_N=$((T_N + 1)); T_PASS=$((T_PASS + 1)); echo "ok $T_N $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N $*"; }
skip() { T_N=$((T_N + 1)); T_SKIP=$((T_SKIP + 1)); echo "ok $T_N $1 # SKIP ${2:-}"; }

# check DESC CMD...: one test, passing when CMD succeeds.  CMD's output is
# shown as diagnostics only when it fails.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		not_ok "$desc"
	fi
}

finish() {
	echo "# totals: pass:$T_PASS fail:$T_FAIL skip:$T_SKIP"
	[ "$T_FAIL" -eq 0 ] || exit 1
	[ "$T_PASS" -eq 0 ] && [ "$T_SKIP" -gt 0 ] && exit 4
	exit 0
}

# Module control: every test leaves the module loaded with default
# parameters, as the runner found it.
mod_loaded() { [ -d /sys/module/m2msec ]; }
mod_unload() { ! mod_loaded || rmmod m2msec; }
mod_load() { mod_loaded || insmod "$M2MSEC_KO" "$@"; }
mod_reload() { mod_unload && mod_load "$@"; }
sysfs_family() { cat /sys/module/m2msec/parameters/family; }

# Sockets of the m2msec protocol in use in the current network namespace
# (the "sockets" column of /proc/net/protocols).
m2msec_sockets() { awk '$1 ~ /^M2MSEC/ { s += $3 } END { print s + 0 }' /proc/net/protocols; }

json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {"d": d}))' "$1"; }
