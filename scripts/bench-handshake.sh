#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Handshake benchmark: DTLS handshakes per second and the time from the
# start of connect() to the first byte received, client and server in two
# network namespaces joined by veth, in one VM run, for DTLS 1.2 and 1.3
# with PSK and with ECDSA P-256 certificates (mutual authentication, chains
# of leaf and intermediate verified against the root):
#   (a) m2msec: an m2msec DTLS socket connect()s (m2msecd in the client
#       namespace runs the handshake), sends one byte and waits for its
#       echo from a listen()ing m2msec socket (m2msecd in the server
#       namespace runs the server side), then closes
#   (b) wolfSSL in the application over plain UDP, same suites, same
#       credentials, same one-byte echo (the library m2msecd runs)
# Each point: N sequential connections (one client), and N connections
# shared by K concurrent clients; and, with one client, the mixed pairs
# (m2msec client with the wolfSSL server and the other way round), which
# tell the cost of each side.  Every (a)/(b) pair runs ROUNDS times,
# interleaved; the table shows medians over the rounds and the ratio
# m2msec / wolfSSL (median of the per-round ratios).  After each case the
# kernel's handshake counters of both namespaces are checked: every
# request completed, none pending.
# Prints a table and writes it with the run's details into
# Documentation/benchmarks.md (not with --no-doc).  Expects a built tree
# (make vm-build, with the wolfSSL build of scripts/deps.sh).
#
# Usage: scripts/bench-handshake.sh [--no-doc] [--rounds R] [--count N]
#                                   [--concurrency K]
#        (defaults: 3 rounds, 20 connections, 4 concurrent clients;
#        --concurrency 1 runs only the sequential points)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

BENCH=user/tools/hs-bench/hs-bench
HSD=user/m2msecd/m2msecd
# version:auth:suite, in table order.  wolfSSL 5.7.2 cannot send DTLS 1.3
# application data with TLS_AES_128_CCM_8_SHA256 (BUILD_MSG_ERROR), so the
# DTLS 1.3 cases use AES-128-GCM; DTLS 1.2 uses the oneM2M mandatory suites.
CASES="1.2:psk:PSK-AES128-CCM-8
1.2:ecdsa:ECDHE-ECDSA-AES128-CCM-8
1.3:psk:TLS13-AES128-GCM-SHA256
1.3:ecdsa:TLS13-AES128-GCM-SHA256"
PSK_ID=bench-ae-1
PSK_HEX=00112233445566778899aabbccddeeff

# ------------------------------------------------------------------ guest
# Client namespace hc (10.79.0.1), server namespace hs (10.79.0.2).  The
# programs are started with "ip netns exec" directly (it execs them), so
# that $! is their PID.
C="ip netns exec hc"
S="ip netns exec hs"
# M2MSEC_HSB_DEBUG=1: m2msecd logs every handshake; the logs are printed.
HSD_V=
[ "${M2MSEC_HSB_DEBUG:-0}" = 1 ] && HSD_V=-v

# Wait up to $3 seconds for file $1 to contain $2.
wait_for_text() {
	local end=$((SECONDS + $3))
	while ((SECONDS < end)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# The kernel's handshake counters of namespace $1 (hc or hs), one line.
hs_counters() {
	ip netns exec "$1" python3 -c '
import sys
sys.path.insert(0, "selftests")
from m2msec import Genl, global_stats
s = global_stats(Genl())
print(" ".join("%s=%d" % (k, s[k]) for k in ("hs_created", "hs_accepted",
      "hs_completed", "hs_failed", "hs_timeout", "hs_ratelimited",
      "hs_dropped", "hs_pending", "hs_hello_queued", "hs_hello_dropped",
      "hs_hello_pending") if k in s))'
}

# m2msecd configurations for one case: $1 version, $2 auth, $3 suite.
write_confs() {
	local d=$tmp/conf
	mkdir -p $d
	printf 'versions %s\nciphers %s\nhandshake-timeout 8\n' "$1" "$3" >$d/srv.conf
	if [ "$2" = psk ]; then
		cp $d/srv.conf $d/cli.conf
		printf '[psk]\nidentity %s\nkey-file %s\n' $PSK_ID $tmp/psk >>$d/srv.conf
		printf '[psk]\nidentity %s\nkey-file %s\n' $PSK_ID $tmp/psk >>$d/cli.conf
	else
		# Mutual authentication: each side presents its chain (leaf,
		# intermediate) and verifies the other's against the root.
		printf 'ca %s\n' $tmp/pki/ca.pem >>$d/srv.conf
		cp $d/srv.conf $d/cli.conf
		printf '[certificate]\ncert %s\nkey %s\nclient-certificate require\n' \
			$tmp/pki/srv-chain.pem $tmp/pki/srv.key >>$d/srv.conf
		printf '[certificate]\ncert %s\nkey %s\n' \
			$tmp/pki/cli-chain.pem $tmp/pki/cli.key >>$d/cli.conf
	fi
	chmod 600 $d/*.conf
}

# One client run: $1 label for the RESULT line, the rest hs-bench args.
client_run() {
	local label=$1 out
	shift
	if out=$($C timeout 600 $BENCH client "$@" </dev/null 2>$tmp/cerr); then
		:
	elif [ -z "$out" ]; then
		out="failed"
	fi
	[ -s $tmp/cerr ] && sed 's/^/    /' $tmp/cerr | sort | uniq -c | head -5 >&2
	echo "  $label $out" >&2
	echo "RESULT $label|$out"
}

# Start hs-bench server in the server namespace; its PID in $srv.
server_start() {
	$S $BENCH server "$@" </dev/null >$tmp/srv.out 2>&1 &
	srv=$!
	wait_for_text $tmp/srv.out ready 30 || { cat $tmp/srv.out >&2; return 1; }
}

server_stop() {
	kill -TERM $srv 2>/dev/null || true
	wait $srv 2>/dev/null || true
	echo "    server: $(grep -v '^ready' $tmp/srv.out | tr '\n' ' ')" >&2
}

guest() {
	local rounds=$1 count=$2 conc=$3 ver auth suite round k concs
	local sargs cargs c h hsd_s hsd_c
	tmp=/tmp/bench-hs
	umask 077
	mkdir -p $tmp
	# What a real machine autoloads for its CPU: AES-NI, CLMUL GHASH.
	modprobe aesni_intel 2>/dev/null || true
	modprobe ghash_clmulni_intel 2>/dev/null || true
	modprobe veth

	ip netns add hc
	ip netns add hs
	ip link add vc netns hc type veth peer name vs netns hs
	ip -n hc addr add 10.79.0.1/24 dev vc
	ip -n hs addr add 10.79.0.2/24 dev vs
	for ns in hc hs; do ip -n $ns link set lo up; done
	ip -n hc link set vc up
	ip -n hs link set vs up

	REPO=$PWD
	# shellcheck source=selftests/interop_lib.sh
	. selftests/interop_lib.sh
	make_pki $tmp/pki
	echo $PSK_HEX >$tmp/psk
	chmod 600 $tmp/psk

	echo "guest: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	if grep -q kvm-clock /sys/devices/system/clocksource/clocksource0/available_clocksource 2>/dev/null; then
		echo "accelerator: KVM"
	else
		echo "accelerator: TCG (M2MSEC_TCG_THREAD=${M2MSEC_TCG_THREAD:-single})"
	fi
	echo "wolfSSL: $(cat "${M2MSEC_CACHE:-/var/cache/m2msec}/wolfssl/version" 2>/dev/null || echo '?'); connections per point: $count; concurrent clients: $conc; rounds: $rounds"

	concs=1
	[ "$conc" -gt 1 ] && concs="1 $conc"
	while IFS=: read -r ver auth suite; do
		echo "case: DTLS $ver $auth $suite" >&2
		write_confs "$ver" "$auth" "$suite"
		$S $HSD -f $HSD_V -c $tmp/conf/srv.conf </dev/null >$tmp/hsd-s.log 2>&1 &
		hsd_s=$!
		$C $HSD -f $HSD_V -c $tmp/conf/cli.conf </dev/null >$tmp/hsd-c.log 2>&1 &
		hsd_c=$!
		if ! wait_for_text $tmp/hsd-s.log "ready:" 30 ||
		   ! wait_for_text $tmp/hsd-c.log "ready:" 30; then
			cat $tmp/hsd-s.log $tmp/hsd-c.log >&2
			return 1
		fi
		if [ "$auth" = psk ]; then
			sargs=(--psk-identity "$PSK_ID" --psk "$PSK_HEX")
			cargs=("${sargs[@]}")
		else
			sargs=(--cert "$tmp/pki/srv-chain.pem" --key "$tmp/pki/srv.key"
			       --ca "$tmp/pki/ca.pem")
			cargs=(--cert "$tmp/pki/cli-chain.pem" --key "$tmp/pki/cli.key"
			       --ca "$tmp/pki/ca.pem")
		fi
		for round in $(seq "$rounds"); do
			# m2msec: the listening socket lets one source start
			# handshakes as fast as the benchmark asks.
			server_start --path m2msec --addr 10.79.0.2:5684 --hs-rate 100000 || return 1
			for k in $concs; do
				client_run "case=$ver-$auth path=m2msec conc=$k round=$round" \
					--path m2msec --addr 10.79.0.2:5684 \
					-n "$count" -c "$k"
			done
			# Mixed: a wolfSSL client against the m2msec server.
			client_run "case=$ver-$auth path=wolf-m2msec conc=1 round=$round" \
				--path wolfssl --addr 10.79.0.2:5684 \
				--version "$ver" --suite "$suite" "${cargs[@]}" \
				-n "$count" -c 1
			server_stop
			server_start --path wolfssl --addr 10.79.0.2:5685 \
				--version "$ver" --suite "$suite" "${sargs[@]}" || return 1
			for k in $concs; do
				client_run "case=$ver-$auth path=wolfssl conc=$k round=$round" \
					--path wolfssl --addr 10.79.0.2:5685 \
					--version "$ver" --suite "$suite" "${cargs[@]}" \
					-n "$count" -c "$k"
			done
			# Mixed: an m2msec client against the wolfSSL server.
			client_run "case=$ver-$auth path=m2msec-wolf conc=1 round=$round" \
				--path m2msec --addr 10.79.0.2:5685 -n "$count" -c 1
			server_stop
		done
		kill -TERM $hsd_s $hsd_c 2>/dev/null || true
		wait $hsd_s $hsd_c 2>/dev/null || true
		sleep 0.5
		c=$(hs_counters hc)
		h=$(hs_counters hs)
		echo "COUNTERS case=$ver-$auth client: $c"
		echo "COUNTERS case=$ver-$auth server: $h"
		if [ -n "$HSD_V" ]; then
			sed 's/^/    client m2msecd: /' $tmp/hsd-c.log >&2
			sed 's/^/    server m2msecd: /' $tmp/hsd-s.log >&2
		fi
		grep -haiE 'failed|refused|error' $tmp/hsd-c.log $tmp/hsd-s.log |
			sed 's/^/    m2msecd: /' | sort | uniq -c | head -5 >&2 || true
	done <<<"$CASES"
}

if [ "${1:-}" = --guest ]; then
	guest "$2" "$3" "$4"
	exit 0
fi

# ------------------------------------------------------------------- host
write_doc=1
rounds=3
count=20
conc=4
args="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--help | -h) sed -n '3,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--no-doc) write_doc=0 ;;
	--rounds) rounds=${2:?--rounds needs a number}; shift ;;
	--count) count=${2:?--count needs a number}; shift ;;
	--concurrency) conc=${2:?--concurrency needs a number}; shift ;;
	*) echo "bench-handshake.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "bench-handshake.sh: --rounds must be 1..99" >&2; exit 2; }
[[ $count =~ ^[1-9][0-9]{0,4}$ ]] || { echo "bench-handshake.sh: --count must be 1..99999" >&2; exit 2; }
if ! [[ $conc =~ ^[1-9][0-9]?$ ]] || [ "$conc" -gt 64 ]; then
	echo "bench-handshake.sh: --concurrency must be 1..64" >&2
	exit 2
fi
for f in m2msec.ko $BENCH $HSD; do
	[ -f "$f" ] || { echo "bench-handshake.sh: $f missing: run make vm-build (hs-bench and m2msecd need the wolfSSL build of scripts/deps.sh)" >&2; exit 1; }
done

# Concurrent clients and the two daemons need parallel virtual CPUs.
export M2MSEC_TCG_THREAD=${M2MSEC_TCG_THREAD:-multi}
mkdir -p .vm
raw=.vm/bench-handshake.out
cmd="scripts/bench-handshake.sh${args:+ $args}"
date=$(date -u '+%Y-%m-%d %H:%M UTC')
host_cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
host_load=$(cut -d' ' -f1-3 /proc/loadavg)

set +e
scripts/vm-run.sh --timeout 1800 --log "$REPO/.vm/bench-handshake-console.log" \
	--module "$REPO/m2msec.ko" -- scripts/bench-handshake.sh --guest "$rounds" "$count" "$conc" |
	tee "$raw" | grep --line-buffered -v '^RESULT '
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
	echo "bench-handshake.sh: the VM run failed (status $status; console log .vm/bench-handshake-console.log)" >&2
	exit 1
fi

table=$(awk -F'|' '
	function val(s, k,   a, i, n) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++)
			if (index(a[i], k "=") == 1)
				return substr(a[i], length(k) + 2)
		return ""
	}
	function median(v, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	# Median over the rounds of field k, path p; "-" when none worked.
	function med(pt, p, k,   r, n, v) {
		n = 0
		for (r = 1; r <= R[pt]; r++)
			if ((pt SUBSEP p SUBSEP r) in res && val(res[pt, p, r], "ok") > 0)
				v[++n] = val(res[pt, p, r], k) + 0
		return n ? median(v, n) : "-"
	}
	# Median over the rounds of m2msec / wolfSSL for field k.
	function ratio(pt, k,   r, n, v, a, b) {
		n = 0
		for (r = 1; r <= R[pt]; r++) {
			a = val(res[pt, "m2msec", r], k) + 0
			b = val(res[pt, "wolfssl", r], k) + 0
			if (a > 0 && b > 0)
				v[++n] = a / b
		}
		return n ? sprintf("%.2f", median(v, n)) : "-"
	}
	function fails(pt, p,   r, f, e) {
		f = 0; e = ""
		for (r = 1; r <= R[pt]; r++) {
			if (res[pt, p, r] == "failed") { e = e " run failed"; continue }
			f += val(res[pt, p, r], "failed")
			if (val(res[pt, p, r], "errors") != "none")
				e = e " " val(res[pt, p, r], "errors")
		}
		return f e
	}
	/^RESULT / {
		split($1, h, " ")
		pt = substr(h[2], 6) SUBSEP substr(h[4], 6)
		p = substr(h[3], 6)
		r = substr(h[5], 7) + 0
		if (!(pt in seen)) { seen[pt] = 1; P[++np] = pt }
		if (r > R[pt]) R[pt] = r
		res[pt, p, r] = $2
	}
	END {
		print "| DTLS | credentials | clients | m2msec hs/s | wolfSSL hs/s | hs/s m2msec / wolfSSL | m2msec connect() ms median / p90 | m2msec to first byte ms median / p90 | wolfSSL handshake ms median / p90 | wolfSSL to first byte ms median / p90 | to first byte m2msec / wolfSSL | failures m2msec / wolfSSL |"
		print "|---|---|---|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= np; i++) {
			split(P[i], q, SUBSEP)
			split(q[1], vc, "-")
			printf "| %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %s | %s / %s |\n",
				vc[1], vc[2] == "psk" ? "PSK" : "ECDSA P-256", q[2],
				med(P[i], "m2msec", "hs_per_s"), med(P[i], "wolfssl", "hs_per_s"),
				ratio(P[i], "hs_per_s"),
				med(P[i], "m2msec", "connect_ms_median"), med(P[i], "m2msec", "connect_ms_p90"),
				med(P[i], "m2msec", "ttfb_ms_median"), med(P[i], "m2msec", "ttfb_ms_p90"),
				med(P[i], "wolfssl", "connect_ms_median"), med(P[i], "wolfssl", "connect_ms_p90"),
				med(P[i], "wolfssl", "ttfb_ms_median"), med(P[i], "wolfssl", "ttfb_ms_p90"),
				ratio(P[i], "ttfb_ms_median"),
				fails(P[i], "m2msec"), fails(P[i], "wolfssl")
		}
		print ""
		print "Where the time goes: one client, median time to first byte in ms (median over the rounds), each side m2msec or wolfSSL:"
		print ""
		print "| DTLS | credentials | wolfSSL client, wolfSSL server | m2msec client, wolfSSL server | wolfSSL client, m2msec server | m2msec client, m2msec server | failures mixed |"
		print "|---|---|---|---|---|---|---|"
		for (i = 1; i <= np; i++) {
			split(P[i], q, SUBSEP)
			if (q[2] != 1)
				continue
			split(q[1], vc, "-")
			printf "| %s | %s | %s | %s | %s | %s | %s / %s |\n",
				vc[1], vc[2] == "psk" ? "PSK" : "ECDSA P-256",
				med(P[i], "wolfssl", "ttfb_ms_median"),
				med(P[i], "m2msec-wolf", "ttfb_ms_median"),
				med(P[i], "wolf-m2msec", "ttfb_ms_median"),
				med(P[i], "m2msec", "ttfb_ms_median"),
				fails(P[i], "m2msec-wolf"), fails(P[i], "wolf-m2msec")
		}
	}' "$raw")
counters=$(sed -n 's/^COUNTERS case=\([^ ]*\) \([a-z]*\): /| \1 | \2 | /p' "$raw" | sed 's/$/ |/')
details=$(grep -E '^(guest:|accelerator:|wolfSSL:)' "$raw" | sed 's/^/- /')

echo
echo "$table"
echo
echo "Kernel handshake counters per namespace at the end of each case (cumulative):"
echo "$counters"
pending=$(grep '^COUNTERS' "$raw" | grep -v 'hs_pending=0' || true)
if [ -n "$pending" ]; then
	echo "bench-handshake.sh: handshake requests still pending:" >&2
	echo "$pending" >&2
fi

[ "$write_doc" = 1 ] || exit 0
doc=Documentation/benchmarks.md
block=$(cat <<EOF
<!-- bench-handshake: begin (written by scripts/bench-handshake.sh) -->
Command: \`$cmd\`, $date.
Host: $host_cpu, load average before the run: $host_load.
$details

$table

Kernel handshake counters of each namespace after each case (cumulative
over the run; both paths ran in the same namespaces, only m2msec makes
requests):

| case | namespace | counters |
|---|---|---|
$counters
<!-- bench-handshake: end -->
EOF
)
if grep -q '^<!-- bench-handshake: begin' "$doc" 2>/dev/null; then
	BLOCK=$block awk '
		/^<!-- bench-handshake: begin/ { print ENVIRON["BLOCK"]; skip = 1; next }
		/^<!-- bench-handshake: end/ { skip = 0; next }
		!skip' "$doc" >"$doc.tmp"
	mv "$doc.tmp" "$doc"
else
	printf '\n%s\n' "$block" >>"$doc"
fi
echo "bench-handshake.sh: results written to $doc"
