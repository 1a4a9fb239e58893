# SPDX-License-Identifier: GPL-2.0
# Merge the TAP/KTAP output of several test programs into one stream with
# one line per test case, numbered across programs.  Used by the VM runner
# (selftests/run.sh) and the host runner (scripts/check.sh).
#
#   tap_run NAME CMD...   run CMD, re-emit its cases; a CMD that exits with
#                         a status other than 0 or 4 (kselftest skip) and
#                         reported no failing case counts as one failure
#   tap_line STATUS DESC  add one case ("ok" / "not ok")
#   tap_summary           print the plan and "N passed, N failed, N skipped";
#                         returns non-zero when anything failed

TAP_N=0
TAP_PASS=0
TAP_FAIL=0
TAP_SKIP=0

tap_line() {
	local status=$1 desc=$2
	TAP_N=$((TAP_N + 1))
	case $status in
	ok)
		case $desc in
		*"# SKIP"*) TAP_SKIP=$((TAP_SKIP + 1)) ;;
		*) TAP_PASS=$((TAP_PASS + 1)) ;;
		esac
		;;
	*) TAP_FAIL=$((TAP_FAIL + 1)) ;;
	esac
	echo "$status $TAP_N $desc"
}

tap_run() {
	local name=$1 out rc line status rest prog_failed=0 reported=0
	shift
	out=$(mktemp)
	echo "# running $name"
	"$@" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]* | "not ok "[0-9]*)
			status=${line%% [0-9]*}
			rest=${line#"$status "}
			rest=${rest#* }
			[ "$status" = ok ] || prog_failed=$((prog_failed + 1))
			reported=$((reported + 1))
			tap_line "$status" "$rest"
			;;
		"KTAP version"* | "TAP version"* | 1..* | [0-9]*" passed, "[0-9]*" failed"*) ;;
		"# "*) echo "$line" ;;
		*) echo "# $name: $line" ;;
		esac
	done <"$out"
	rm -f "$out"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$prog_failed" -eq 0 ]; then
		tap_line "not ok" "$name: exited with status $rc after $reported passing cases"
	fi
	return 0
}

tap_summary() {
	echo "1..$TAP_N"
	echo "$TAP_PASS passed, $TAP_FAIL failed, $TAP_SKIP skipped"
	[ "$TAP_FAIL" -eq 0 ] && [ "$TAP_N" -gt 0 ]
}
