#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run m2msec's kselftest-style tests inside the test VM (module loaded) and
# print one TAP line per test case, numbered across all programs.
#
# Usage: selftests/run.sh [TEST...]    (default: every test below)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export REPO=${REPO:-$(dirname "$HERE")}
. "$HERE/tap.sh"

TESTS=(
	socket_create
	key_add
	genl_info.sh
	config.sh
	dtls_records.py
	dtls_netns.py
	interop_dtls.sh
	handshake_kernel.py
	hs_interop.sh
	hs_coap.sh
	hs_flood.sh
	hs_openssl.sh
	hs_gnutls.sh
	hs_wolfssl.sh
	hs_negative.sh
	hs_keyupdate.sh
	hs_loss.sh
	assoc_ctrl.py
	lifetime_races.py
	bounds.py
	stress.sh
	fault_inject.py
	monitor.sh
	load_unload.sh
	esprim_jwcrypto.py
	esprim_cjose
	esprim_errors.py
	esprim_keys.py
	esprim_forged.py
	esprim_race.py
	esprim_compat32
	esprim_ctl.sh
	esprim_unload.sh
)
[ $# -gt 0 ] && TESTS=("$@")

echo "TAP version 13"
for t in "${TESTS[@]}"; do
	# M2MSEC_TIMEOUT_SCALE (integer, default 1): the debug kernel runs
	# several times slower, scripts/check.sh raises it there.
	start=$SECONDS
	tap_run "$t" timeout $((900 * ${M2MSEC_TIMEOUT_SCALE:-1})) "$HERE/$t"
	echo "# $t: $((SECONDS - start)) s, $(awk '/^MemAvailable/ { printf "%d MiB available", $2 / 1024 }' /proc/meminfo)"
done
tap_summary
