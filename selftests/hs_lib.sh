# SPDX-License-Identifier: GPL-2.0
# The set-up shared by the handshake tests (hs_openssl.sh, hs_gnutls.sh,
# hs_wolfssl.sh, hs_negative.sh): two network namespaces joined by a veth
# pair, m2msecd and the application (hs_session.py) on one side, the unmodified
# peer program on the other.
#
#   netns of the test (unshare -n)            netns $PNS (ip netns)
#   m2msecd  <- HS_REQUEST / channel fd
#   hs_session.py on an m2msec socket
#   10.98.0.1  ------------- veth -------------  10.98.0.2
#                                                openssl, gnutls, wolfSSL
#
# Source it first thing (it re-executes the test in a new network
# namespace), after setting HERE.  Then:
#
#   hs_init N              plan N cases; module, namespaces, PKI in $P,
#                          $PSK_ID/$PSK in $tmp/psk; skips all when m2msecd
#                          is not built
#   inpeer CMD...          CMD in the peer's namespace
#   peer_bg OUT CMD...     bg, in the peer's namespace
#   peer_bound PORT SECS   wait until the peer bound UDP PORT
#   hsd_start CONF         start m2msecd -f -v -c CONF ($hsd, log $tmp/hsd.log)
#   hsd_stop               SIGTERM, wait
#   stat_of NAME           a global counter (hs_failed, hs_completed, ...)
#   stat_moved NAME FILE   the application's counter NAME grew between its
#                          start and its last report
#   par_start CMD... / par_wait   run a case; with M2MSEC_HS_PARALLEL=1
#                          all cases at once, TAP lines in order
#   app_start DIR ROLE ADDR PORT [NAME]   hs_session.py, output DIR/app,
#                          stdin the FIFO DIR/app.in ($app)
#   app_say DIR LINE       a line to the application
#   app_report DIR         its associations (report lines in DIR/report)
#   assoc_ok DIR VERSION CIPHER PEER_ID [TX_CID RX_CID_LEN]
#                          exactly one association with these, rx and tx
#                          records counted, no authentication failure;
#                          else false with the reason in $why
#   result OK DESC DIAG_FILES...   ok/not_ok with diagnostics and $why
set -u
if [ -z "${M2MSEC_HS_NETNS:-}" ]; then
	M2MSEC_HS_NETNS=1 exec unshare -n -- "$0" "$@"
fi
export REPO=${REPO:-$(dirname "$HERE")}
. "$HERE/lib.sh"
. "$HERE/interop_lib.sh"
HSD=$REPO/user/m2msecd/m2msecd
M_ADDR=10.98.0.1
P_ADDR=10.98.0.2
PNS=m2hs-peer-$$
PSK_ID=m2m-ae-1
PSK=00112233445566778899aabbccddeeff
T_STEP=${M2MSEC_HS_STEP:-30}	# one step: a handshake, a datagram's way

inpeer() { ip netns exec "$PNS" "$@"; }
peer_bg() {
	local o=$1
	shift
	bg "$o" ip netns exec "$PNS" "$@"
}

peer_bound() {
	local port=$1 end=$((SECONDS + $2 + 1))
	while ((SECONDS < end)); do
		inpeer awk -v port=":$(printf '%04X' "$port")" \
			'substr($2, length($2) - 4) == port { f = 1 } END { exit !f }' \
			/proc/net/udp /proc/net/udp6 && return 0
		sleep 0.2
	done
	return 1
}

hs_cleanup() {
	ix_cleanup
	ip netns del "$PNS" 2>/dev/null
}

hs_init() {
	local n=$1 i
	plan "$n"
	if [ ! -x "$HSD" ]; then
		for ((i = 0; i < n; i++)); do skip "handshake case $i" "m2msecd not built"; done
		finish
	fi
	mod_load
	ix_init
	trap hs_cleanup EXIT
	ip link set lo up
	ip netns add "$PNS"
	inpeer ip link set lo up
	ip link add m2hs0 type veth peer name m2hs1 netns "$PNS"
	ip addr add "$M_ADDR/24" dev m2hs0
	ip link set m2hs0 up
	inpeer ip addr add "$P_ADDR/24" dev m2hs1
	inpeer ip link set m2hs1 up
	P=$tmp/pki
	make_pki "$P" || show "$P/pki.log"
	echo "$PSK" >"$tmp/psk"
	chmod 600 "$tmp/psk"
}

hsd_start() {
	bg "$tmp/hsd.log" "$HSD" -f -v -c "$1" </dev/null
	hsd=$pid
	wait_text "$tmp/hsd.log" "ready:" "$T_STEP" || show "$tmp/hsd.log"
}

hsd_stop() {
	kill "$hsd" 2>/dev/null
	wait "$hsd" 2>/dev/null
}

# Did counter NAME of the "stats" lines in FILE grow from the first line
# (the application's start) to the last (its last report)?
stat_moved() {
	awk -v k="$1" '/^stats / { for (i = 2; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == k) { if (!n++) first = kv[2]; last = kv[2] } } }
		END { exit !(n >= 2 && last > first) }' "$2"
}

stat_of() {
	python3 -c "import sys; sys.path.insert(0, '$HERE'); from m2msec import Genl, global_stats; print(global_stats(Genl())['$1'])"
}

app_start() {
	local d=$1
	shift
	mkdir -p "$d"
	rm -f "$d/app.in"
	mkfifo "$d/app.in"
	bg "$d/app" python3 "$HERE/hs_session.py" "$@" <>"$d/app.in"
	app=$pid
}

# Bounded: once the application has exited, nobody reads its FIFO.
app_say() { timeout 10 sh -c 'echo "$1" >"$2"' sh "$2" "$1/app.in"; }

app_report() {
	local d=$1 n
	n=$(grep -c "^report end" "$d/app" 2>/dev/null)
	app_say "$d" '!report'
	local end=$((SECONDS + T_STEP + 1))
	while ((SECONDS < end)); do
		[ "$(grep -c "^report end" "$d/app")" -gt "$n" ] && break
		sleep 0.1
	done
	# The last report: its association lines and its count.
	awk '/^assoc id=/ { buf = buf $0 "\n" }
	     /^associations / { last = buf $0 "\n"; buf = "" }
	     /^closed after the exchange: / { last = last $0 "\n" }
	     END { printf "%s", last }' "$d/app" >"$d/report"
}

# The value of KEY in the report line of the (only) association.
rv() { sed -n "s/^assoc .*\\b$1=\\([^ ]*\\).*/\\1/p" "$2/report" | head -1; }

assoc_ok() {
	local d=$1 version=$2 cipher=$3 peer_id=$4 tx_cid=${5:-} rx_len=${6:-} v
	app_report "$d"
	why=""
	if ! grep -qx "associations 1" "$d/report" &&
	   ! { grep -qx "closed after the exchange: 1" "$d/report" &&
	       grep -q "deleted: close_notify from the peer" "$tmp/hsd.log"; }; then
		why="not exactly one association: $(grep '^associations' "$d/report")"
	elif [ "$(rv version "$d")" != "$version" ]; then
		why="version $(rv version "$d"), not $version"
	elif [ "$(rv cipher "$d")" != "$cipher" ]; then
		why="cipher $(rv cipher "$d"), not $cipher"
	elif ! [ "$(rv rx_records "$d")" -ge 1 ] || ! [ "$(rv tx_records "$d")" -ge 1 ]; then
		why="records not counted in both directions"
	elif [ "$(rv auth_fail "$d")" != 0 ]; then
		why="authentication failures counted"
	elif [ "$(rv peer_id "$d")" != "$peer_id" ]; then
		why="peer id $(rv peer_id "$d"), not $peer_id"
	elif [ -n "$tx_cid" ] && [ "$(rv tx_cid "$d")" != "$tx_cid" ]; then
		why="tx CID $(rv tx_cid "$d"), not $tx_cid"
	elif [ -n "$rx_len" ]; then
		v=$(rv rx_cid "$d")
		[ "$v" != - ] && [ "${#v}" = $((2 * rx_len)) ] ||
			why="rx CID $v, not $rx_len bytes"
	elif [ "$(rv tx_cid "$d")" != - ] || [ "$(rv rx_cid "$d")" != - ]; then
		why="CIDs present: tx $(rv tx_cid "$d") rx $(rv rx_cid "$d")"
	fi
	[ -z "$why" ] && diag "$(grep '^assoc ' "$d/report")"
	[ -z "$why" ]
}

result() {
	local good=$1 desc=$2
	shift 2
	if [ "$good" = 0 ]; then
		ok "$desc"
	else
		[ -n "${why:-}" ] && diag "failed: $why"
		for f in "$@"; do [ -e "$f" ] && { diag "--- $f"; show "$f"; }; done
		not_ok "$desc"
	fi
	why=""
}

# With M2MSEC_HS_PARALLEL=1, cases that do not depend on each other run at
# once, each in a subshell; par_wait replays their TAP lines in the order
# they were started.  A subshell kills the processes it started when its
# case ends.  By default par_start runs the case at once, in order.
par=()
par_start() {
	local f=$tmp/par-${#par[@]}
	if [ -z "${M2MSEC_HS_PARALLEL:-}" ]; then
		"$@"
		return
	fi
	(
		n0=${#pids[@]}
		"$@"
		for p in "${pids[@]:n0}"; do kill "$p" 2>/dev/null; done
	) >"$f" 2>&1 &
	par+=("$!:$f")
}

par_wait() {
	local e line
	for e in "${par[@]}"; do
		wait "${e%%:*}"
		while IFS= read -r line; do
			case $line in
			"ok "[0-9]*) line=${line#ok }; ok "${line#* }" ;;
			"not ok "[0-9]*) line=${line#not ok }; not_ok "${line#* }" ;;
			*) echo "$line" ;;
			esac
		done <"${e#*:}"
	done
	par=()
}
