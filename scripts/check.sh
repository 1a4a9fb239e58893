#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every m2msec test: host tests (kernel builds for both supported kernels,
# unit tests of code shared with the module, tool behaviour without the
# module), then the kselftest-style tests inside the VM: the whole suite on
# the debug kernel (KASAN, UBSAN, KFENCE, lockdep, kmemleak, ...), and a
# subset plus the demo on the stock Debian kernel (slub_debug=FZPU).  Prints
# one TAP line per test case and a closing "N passed, N failed, N skipped"
# line; exits non-zero on any failure.  Expects a built tree (make vm-build
# vm-build-debug); `make check` does all of it.
#
# Usage: scripts/check.sh [--host-only] [--vm-only] [--kernel debug|stock|both] [VM-TEST...]
#   VM-TEST...  run only these tests (on each chosen kernel; no demo)
#   M2MSEC_DEBUG_TIMEOUT  hard timeout of the debug kernel's run (seconds)
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
# The tests use the distribution's tools and Python with the packages
# scripts/deps.sh installs, not whatever interpreter a user put first.
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"
. selftests/tap.sh

host=1
vm=1
kernels=both
while [ $# -gt 0 ]; do
	case $1 in
	--host-only) vm=0 ;;
	--vm-only) host=0 ;;
	--kernel)
		kernels=${2:-}
		case $kernels in debug | stock | both) ;; *) echo "check.sh: --kernel debug|stock|both" >&2; exit 2 ;; esac
		shift
		;;
	--help | -h) sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# Every program prints the one version of kmod/version.h.
versions_agree() {
	local v p out
	v=$(sed -n 's/^#define M2MSEC_VERSION "\(.*\)"$/\1/p' "$REPO/kmod/version.h")
	[ -n "$v" ] || return 1
	for p in user/m2msecctl user/m2msec-nc user/m2msecd/m2msecd; do
		out=$("$REPO/$p" --version) || return 1
		[ "$out" = "${p##*/} $v" ] || { echo "# $p --version: '$out'"; return 1; }
	done
	echo "ok 1 --version: m2msecctl, m2msec-nc and m2msecd print the version of kmod/version.h ($v)"
}

echo "TAP version 13"
if [ "$host" = 1 ]; then
	tap_run build-check scripts/build-check.sh
	tap_run key_payload_test selftests/host/key_payload_test
	tap_run keyfile_test selftests/host/keyfile_test
	tap_run keyexport_interop selftests/host/keyexport_interop.sh
	tap_run m2msecd_udp selftests/host/m2msecd_udp_test.sh
	tap_run m2msecd_service selftests/host/m2msecd_service_test.sh
	tap_run notify_test selftests/host/notify_test
	tap_run secmem_test selftests/host/secmem_test
	tap_run m2msec-nc selftests/host/m2msec_nc_test.sh
	tap_run esprim_parse_test selftests/host/esprim_parse_test
	tap_run replay_test selftests/host/replay_test
	tap_run scratch_test selftests/host/scratch_test
	tap_run record12_test selftests/host/record12_test
	tap_run record13_test selftests/host/record13_test
	tap_run hkdf13_test selftests/host/hkdf13_test
	tap_run kx_crypto_test selftests/host/kx_crypto_test
	tap_run codec_crosscheck python3 selftests/host/codec_crosscheck.py
	tap_run deps_choice selftests/host/deps_choice_test.sh
	tap_run m2msecctl ctl_without_module
	tap_run versions versions_agree
	tap_run install selftests/host/install_test.sh
	tap_run dkms selftests/host/dkms_test.sh
fi

# vm_start OUT KIND TIMEOUT LOG MODULE CMD...: one VM run in the background,
# its output and status going to OUT and OUT.rc.
vm_start() {
	local out=$1 kind=$2 timeout=$3 log=$4 module=$5
	shift 5
	(
		scripts/vm-run.sh "--$kind" --timeout "$timeout" --log "$log" --module "$module" \
			-- "$@" >"$out" 2>&1
		echo $? >"$out.rc"
	) &
}

# vm_report OUT KIND LABEL LOG: the TAP lines of a finished run (descriptions
# prefixed with "LABEL: "), then verdict lines for the guest kernel log and
# kmemleak.
vm_report() {
	local out=$1 kind=$2 label=$3 log=$4 rc leakline
	rc=$(cat "$out.rc" 2>/dev/null || echo 126)
	sed -E "s/^(ok|not ok) ([0-9]+) /\1 \2 $label: /" "$out" >"$out.tap"
	tap_run "$label" cat "$out.tap"
	leakline=$(grep -a 'kmemleak: [0-9]* unreferenced object(s), [0-9]* from m2msec' "$out" | tail -n 1)
	rm -f "$out" "$out.tap" "$out.rc"
	case $rc in
	0 | 1 | 121) tap_line ok "$label: the guest kernel log shows no oops, BUG, WARNING, lockdep, RCU, KASAN, UBSAN, KFENCE, list, ODEBUG, slub, refcount or hung-task report" ;;
	125) tap_line "not ok" "$label: the guest kernel log shows no oops, BUG, WARNING, lockdep, RCU, KASAN, UBSAN, KFENCE, list, ODEBUG, slub, refcount or hung-task report (see $log)" ;;
	*) tap_line "not ok" "$label: the guest ran to completion (vm-run status $rc, see $log)" ;;
	esac
	if [ "$kind" = debug ]; then
		case $leakline in
		*", 0 from m2msec"*) tap_line ok "$label: kmemleak finds no unreferenced object allocated by m2msec" ;;
		"") tap_line "not ok" "$label: kmemleak finds no unreferenced object allocated by m2msec (no kmemleak verdict; vm-run status $rc)" ;;
		*) tap_line "not ok" "$label: kmemleak finds no unreferenced object allocated by m2msec (${leakline#*kmemleak: }; see $log.kmemleak)" ;;
		esac
	fi
}

# vm_suite KIND LABEL TIMEOUT LOG MODULE CMD...: one VM run, then its report.
vm_suite() {
	local kind=$1 label=$2 log=$4 out
	out=$(mktemp)
	vm_start "$out" "$kind" "$3" "$4" "$5" "${@:6}"
	wait
	vm_report "$out" "$kind" "$label" "$log"
}

# The whole suite on the debug kernel, in two guests at once: under
# emulation a guest keeps one host CPU busy, and the machine has two.
# The groups are balanced by their measured times on the debug kernel
# (the "# TEST: N s" lines of selftests/run.sh).
DEBUG_GROUP_A=(
	interop_dtls.sh hs_interop.sh hs_coap.sh hs_openssl.sh hs_gnutls.sh
	hs_keyupdate.sh esprim_jwcrypto.py esprim_cjose esprim_errors.py esprim_keys.py
	esprim_forged.py esprim_race.py esprim_compat32 esprim_ctl.sh
	esprim_unload.sh
)
DEBUG_GROUP_B=(
	socket_create key_add genl_info.sh config.sh dtls_records.py
	dtls_netns.py handshake_kernel.py hs_flood.sh hs_wolfssl.sh
	hs_negative.sh hs_loss.sh assoc_ctrl.py
	lifetime_races.py bounds.py stress.sh fault_inject.py monitor.sh
	load_unload.sh
)

# Every test of selftests/run.sh is in exactly one group.
debug_groups_complete() {
	local all
	all=$(sed -n '/^TESTS=(/,/^)/p' selftests/run.sh | sed '1d;$d' | tr -d '\t' | sort)
	[ "$all" = "$(printf '%s\n' "${DEBUG_GROUP_A[@]}" "${DEBUG_GROUP_B[@]}" | sort)" ]
}

if [ "$vm" = 1 ]; then
	# The debug kernel is several times slower than the stock one under
	# emulation; its whole suite gets a timeout to match.
	if [ "$kernels" != stock ]; then
		if kd=$(scripts/build-debug-kernel.sh --dir 2>/dev/null) && [ -f "$REPO/.vm/debug/m2msec.ko" ]; then
			export M2MSEC_TIMEOUT_SCALE=${M2MSEC_TIMEOUT_SCALE:-3} M2MSEC_HS_STEP=${M2MSEC_HS_STEP:-90}
			if [ $# -gt 0 ]; then
				vm_suite debug debug "${M2MSEC_DEBUG_TIMEOUT:-3300}" "$REPO/.vm/check-debug-console.log" \
					"$REPO/.vm/debug/m2msec.ko" selftests/run.sh "$@"
			elif ! debug_groups_complete; then
				tap_line "not ok" "debug: scripts/check.sh's two test groups list every test of selftests/run.sh once"
			else
				outa=$(mktemp)
				outb=$(mktemp)
				vm_start "$outa" debug "${M2MSEC_DEBUG_TIMEOUT:-3300}" "$REPO/.vm/check-debug-a-console.log" \
					"$REPO/.vm/debug/m2msec.ko" selftests/run.sh "${DEBUG_GROUP_A[@]}"
				vm_start "$outb" debug "${M2MSEC_DEBUG_TIMEOUT:-3300}" "$REPO/.vm/check-debug-b-console.log" \
					"$REPO/.vm/debug/m2msec.ko" selftests/run.sh "${DEBUG_GROUP_B[@]}"
				wait
				vm_report "$outa" debug "debug" "$REPO/.vm/check-debug-a-console.log"
				vm_report "$outb" debug "debug" "$REPO/.vm/check-debug-b-console.log"
			fi
			unset M2MSEC_TIMEOUT_SCALE M2MSEC_HS_STEP
		else
			tap_line "not ok" "debug: the debug kernel and its module are built (make vm-build-debug; kernel dir ${kd:-?})"
		fi
	fi
	if [ "$kernels" != debug ]; then
		if [ $# -gt 0 ]; then
			vm_suite stock stock 1800 "$REPO/.vm/check-console.log" "$REPO/m2msec.ko" selftests/run.sh "$@"
		else
			vm_suite stock stock 1200 "$REPO/.vm/check-console.log" "$REPO/m2msec.ko" \
				selftests/run.sh socket_create key_add load_unload.sh dtls_records.py
			# The module DKMS built and installed (selftests/host/dkms_test.sh).
			if [ -f "$REPO/.vm/dkms/m2msec.ko" ]; then
				vm_suite stock stock-dkms 300 "$REPO/.vm/check-dkms-console.log" \
					"$REPO/.vm/dkms/m2msec.ko" selftests/run.sh socket_create
			elif [ "$host" = 0 ]; then
				tap_line ok "stock-dkms: the module DKMS installed loads # SKIP no .vm/dkms/m2msec.ko (selftests/host/dkms_test.sh makes it)"
			fi
			demo_out=$(mktemp)
			scripts/vm-run.sh --stock --timeout 300 --log "$REPO/.vm/check-demo-console.log" \
				--module "$REPO/m2msec.ko" -- scripts/demo/run.sh >"$demo_out" 2>&1
			rc=$?
			sed 's/^/# demo: /' "$demo_out" | tail -n 40
			rm -f "$demo_out"
			case $rc in
			0) tap_line ok "stock: the demo (scripts/demo/run.sh) completes with a clean kernel log" ;;
			*) tap_line "not ok" "stock: the demo (scripts/demo/run.sh) completes with a clean kernel log (vm-run status $rc, see $REPO/.vm/check-demo-console.log)" ;;
			esac
		fi
	fi
fi
tap_summary
