#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DTLS benchmark: one-way records per second and CPU time per record for
# 64, 256 and 1200-byte payloads (AES-128-GCM), sender and receiver in two
# network namespaces joined by veth, in one VM run:
#   (a) m2msec, the record layer in the kernel (DTLS 1.2 and 1.3; one
#       record per sendmsg()/recvmsg(), and 32 per sendmmsg()/recvmmsg())
#   (b) wolfSSL DTLS 1.2 and 1.3 in userspace (wolfSSL_write/_read)
#   (c) OpenSSL DTLS 1.2 in userspace (SSL_write/SSL_read)
#   (d) DTLS 1.2 records built with OpenSSL EVP in the application, 32 per
#       sendmmsg()/recvmmsg(), and with UDP GSO/GRO
#   (e) WireGuard (UDP through wg interfaces), and plain UDP for reference
# Every point runs ROUNDS times (the rounds interleaved); the table shows
# the median rate and every round's, ratios are medians of the ratios
# within each round.
# Prints a table and the ratios, and writes them with the run's details
# into Documentation/benchmarks.md (not with --no-doc).  Expects a built
# tree (make vm-build, with the wolfSSL build of scripts/deps.sh) and
# wireguard-tools.
#
# Usage: scripts/bench-dtls.sh [--no-doc] [--rounds N] [SECONDS-PER-POINT]
#        (defaults: 3 rounds, 2 seconds)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

BENCH=user/tools/dtls-bench/dtls-bench
SIZES="64 256 1200"
# path:version:label, in table order; the first is the reference (b).
POINTS="wolfssl:1.2:(b) wolfSSL DTLS 1.2
wolfssl:1.3:(b) wolfSSL DTLS 1.3
kernel:1.2:(a) m2msec kernel DTLS 1.2
kernel:1.3:(a) m2msec kernel DTLS 1.3
kernel-mmsg:1.2:(a) m2msec kernel DTLS 1.2, 32/sendmmsg
kernel-gso:1.2:(a) m2msec kernel DTLS 1.2, M2MSEC_CMSG_SEGMENT
kernel-gso:1.3:(a) m2msec kernel DTLS 1.3, M2MSEC_CMSG_SEGMENT
openssl:1.2:(c) OpenSSL DTLS 1.2
user-mmsg:1.2:(d) EVP records, 32/sendmmsg
user-gso:1.2:(d) EVP records, UDP GSO/GRO
wg:-:(e) WireGuard, UDP per packet
udp:-:plain UDP, no crypto"
# M2MSEC_BENCH_ONLY=REGEX: only the points whose line matches (a quick
# look during development; the table's ratios need the full set).
if [ -n "${M2MSEC_BENCH_ONLY:-}" ]; then
	POINTS=$(grep -E -- "$M2MSEC_BENCH_ONLY" <<<"$POINTS")
fi

# ------------------------------------------------------------------ guest
# Runs inside the VM: namespaces, veth, WireGuard, then every point.
guest() {
	local secs=$1 rounds=$2 tmp=/tmp/bench-dtls size path ver label out
	umask 077
	mkdir -p $tmp
	# What a real machine autoloads for its CPU: AES-NI, CLMUL GHASH.
	modprobe aesni_intel 2>/dev/null || true
	modprobe ghash_clmulni_intel 2>/dev/null || true
	modprobe veth
	modprobe wireguard

	ip netns add bt
	ip netns add br
	ip link add vt netns bt type veth peer name vr netns br
	ip -n bt addr add 10.77.0.1/24 dev vt
	ip -n br addr add 10.77.0.2/24 dev vr
	for ns in bt br; do ip -n $ns link set lo up; done
	ip -n bt link set vt up
	ip -n br link set vr up

	wg genkey >$tmp/kt
	wg genkey >$tmp/kr
	ip -n bt link add wgt type wireguard
	ip -n br link add wgr type wireguard
	ip netns exec bt wg set wgt private-key $tmp/kt listen-port 51820 \
		peer "$(wg pubkey <$tmp/kr)" allowed-ips 10.78.0.2/32 \
		endpoint 10.77.0.2:51820
	ip netns exec br wg set wgr private-key $tmp/kr listen-port 51820 \
		peer "$(wg pubkey <$tmp/kt)" allowed-ips 10.78.0.1/32 \
		endpoint 10.77.0.1:51820
	ip -n bt addr add 10.78.0.1/24 dev wgt
	ip -n br addr add 10.78.0.2/24 dev wgr
	ip -n bt link set wgt up
	ip -n br link set wgr up

	echo "guest: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	if grep -q kvm-clock /sys/devices/system/clocksource/clocksource0/available_clocksource 2>/dev/null; then
		echo "accelerator: KVM"
	else
		echo "accelerator: TCG (M2MSEC_TCG_THREAD=${M2MSEC_TCG_THREAD:-single})"
	fi
	echo "kernel gcm(aes) for m2msec: $(user/m2msecctl info | sed -n 's/.*AES-128-GCM .*driver //p')"
	echo "OpenSSL: $(openssl version | cut -d' ' -f1-2); wolfSSL: $(cat "${M2MSEC_CACHE:-/var/cache/m2msec}/wolfssl/version" 2>/dev/null || echo '?')"

	local n=0 total round
	total=$(( rounds * $(echo "$POINTS" | wc -l) * $(echo $SIZES | wc -w) ))
	for round in $(seq "$rounds"); do
	for size in $SIZES; do
		while IFS=: read -r path ver label; do
			n=$((n + 1))
			local args=(--size "$size" --secs "$secs" --tx-ns bt --rx-ns br)
			case $path in
			wg) args+=(--path udp --tx-addr 10.78.0.1 --rx-addr 10.78.0.2) ;;
			udp) args+=(--path udp --tx-addr 10.77.0.1 --rx-addr 10.77.0.2) ;;
			*) args+=(--path "$path" --version "$ver" --tx-addr 10.77.0.1 --rx-addr 10.77.0.2) ;;
			esac
			if out=$(timeout 90 $BENCH "${args[@]}" </dev/null 2>$tmp/err); then
				:
			else
				out="failed"
				sed 's/^/    /' $tmp/err >&2
			fi
			echo "point $n/$total: size=$size label=$label $out" >&2
			echo "RESULT size=$size label=$label|$out"
		done <<<"$POINTS"
	done
	done
}

if [ "${1:-}" = --guest ]; then
	guest "$2" "$3"
	exit 0
fi

# ------------------------------------------------------------------- host
write_doc=1
rounds=3
args="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--help | -h) sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--no-doc) write_doc=0 ;;
	--rounds) rounds=${2:?--rounds needs a number}; shift ;;
	-*) echo "bench-dtls.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
secs=${1:-2}
[[ $secs =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "bench-dtls.sh: SECONDS must be a number" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { echo "bench-dtls.sh: --rounds must be 1..99" >&2; exit 2; }
for f in m2msec.ko $BENCH user/m2msecctl; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "bench-dtls.sh: $f missing: run make vm-build (dtls-bench needs the wolfSSL build of scripts/deps.sh)" >&2; exit 1; }
done
command -v wg >/dev/null || { echo "bench-dtls.sh: wg missing: run scripts/deps.sh (wireguard-tools)" >&2; exit 1; }

# The guest needs parallel virtual CPUs: sender and receiver run at once.
export M2MSEC_TCG_THREAD=${M2MSEC_TCG_THREAD:-multi}
mkdir -p .vm
raw=.vm/bench-dtls.out
cmd="scripts/bench-dtls.sh${args:+ $args}"
date=$(date -u '+%Y-%m-%d %H:%M UTC')
host_cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
host_load=$(cut -d' ' -f1-3 /proc/loadavg)

set +e
scripts/vm-run.sh --timeout 900 --log "$REPO/.vm/bench-dtls-console.log" \
	--module "$REPO/m2msec.ko" -- scripts/bench-dtls.sh --guest "$secs" "$rounds" |
	tee "$raw" | grep --line-buffered -v '^RESULT '
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
	echo "bench-dtls.sh: the VM run failed (status $status; console log .vm/bench-dtls-console.log)" >&2
	exit 1
fi

# Markdown table plus ratios from the RESULT lines.
table=$(awk -F'|' '
	function val(s, k,   a, i, n) {
		n = split(s, a, " ")
		for (i = 1; i <= n; i++)
			if (index(a[i], k "=") == 1)
				return substr(a[i], length(k) + 2)
		return ""
	}
	# Median of v[1..n] (sorted in place); mid[] gets the index it had.
	function median(v, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	# Median over the rounds of rate(a) / rate(b), both of the same round.
	function ratio(size, a, b,   r, n, v) {
		n = 0
		for (r = 1; r <= rounds; r++)
			if (rate[size, b, r] > 0 && (size SUBSEP a SUBSEP r) in rate)
				v[++n] = rate[size, a, r] / rate[size, b, r]
		return n ? sprintf("%.2f", median(v, n)) : "-"
	}
	/^RESULT / {
		split($1, h, " ")
		size = substr(h[2], 6)
		label = substr($1, index($1, "label=") + 6)
		key = size SUBSEP label
		if (!(key in cnt)) {
			n++; S[n] = size; L[n] = label
		}
		r = ++cnt[key]
		if (r > rounds)
			rounds = r
		res[key, r] = $2
		rate[key, r] = ($2 == "failed") ? 0 : val($2, "records_per_s") + 0
		all[key] = all[key] (r > 1 ? " " : "") (rate[key, r] ? rate[key, r] : "failed")
	}
	END {
		print "| path | payload B | records/s (median) | all rounds | loss % | CPU µs/record: sender | receiver | machine | busy % | x (b) 1.2 |"
		print "|---|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= n; i++) {
			key = S[i] SUBSEP L[i]
			m = 0
			for (r = 1; r <= cnt[key]; r++)
				if (rate[key, r] > 0)
					v[++m] = rate[key, r]
			if (!m) {
				printf "| %s | %s | failed | %s | | | | | | |\n", L[i], S[i], all[key]
				continue
			}
			med = median(v, m)
			# CPU figures of the round closest to the median rate
			best = 0
			for (r = 1; r <= cnt[key]; r++)
				if (rate[key, r] > 0 && (!best || (rate[key, r] - med)^2 < (rate[key, best] - med)^2))
					best = r
			b = res[key, best]
			printf "| %s | %s | %d | %s | %.1f | %.1f | %.1f | %.1f | %d | %s |\n",
				L[i], S[i], med, all[key], val(b, "loss_pct"),
				val(b, "tx_cpu_us"), val(b, "rx_cpu_us"),
				val(b, "cpu_us"), val(b, "busy_pct"),
				ratio(S[i], L[i], "(b) wolfSSL DTLS 1.2")
		}
		print ""
		print "Ratios of records/s, median over the rounds of the ratio within each round:"
		print ""
		print "| payload B | m2msec 1.2 / wolfSSL 1.2 | m2msec 1.3 / wolfSSL 1.3 | m2msec 1.2 batched / wolfSSL 1.2 | m2msec 1.2 / OpenSSL | m2msec 1.2 batched / (d) mmsg | m2msec 1.2 batched / (d) GSO | m2msec 1.2 / WireGuard | m2msec 1.2 batched / WireGuard | m2msec 1.2 segments / wolfSSL 1.2 | m2msec 1.3 segments / wolfSSL 1.3 | m2msec 1.2 segments / (d) GSO |"
		print "|---|---|---|---|---|---|---|---|---|---|---|---|"
		k12 = "(a) m2msec kernel DTLS 1.2"
		kb = "(a) m2msec kernel DTLS 1.2, 32/sendmmsg"
		kg = "(a) m2msec kernel DTLS 1.2, M2MSEC_CMSG_SEGMENT"
		kg13 = "(a) m2msec kernel DTLS 1.3, M2MSEC_CMSG_SEGMENT"
		wg = "(e) WireGuard, UDP per packet"
		split("64 256 1200", sz, " ")
		for (j = 1; j <= 3; j++) {
			s = sz[j]
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s,
				ratio(s, k12, "(b) wolfSSL DTLS 1.2"),
				ratio(s, "(a) m2msec kernel DTLS 1.3", "(b) wolfSSL DTLS 1.3"),
				ratio(s, kb, "(b) wolfSSL DTLS 1.2"),
				ratio(s, k12, "(c) OpenSSL DTLS 1.2"),
				ratio(s, kb, "(d) EVP records, 32/sendmmsg"),
				ratio(s, kb, "(d) EVP records, UDP GSO/GRO"),
				ratio(s, k12, wg), ratio(s, kb, wg),
				ratio(s, kg, "(b) wolfSSL DTLS 1.2"),
				ratio(s, kg13, "(b) wolfSSL DTLS 1.3"),
				ratio(s, kg, "(d) EVP records, UDP GSO/GRO")
		}
	}' "$raw")
details=$(grep -E '^(guest:|accelerator:|kernel gcm|OpenSSL:)' "$raw" | sed 's/^/- /')

echo
echo "$table"

[ "$write_doc" = 1 ] || exit 0
doc=Documentation/benchmarks.md
block=$(cat <<EOF
<!-- bench-dtls: begin (written by scripts/bench-dtls.sh) -->
Command: \`$cmd\` ($secs s per point), $date.
Host: $host_cpu, load average before the run: $host_load.
$details

$table
<!-- bench-dtls: end -->
EOF
)
if grep -q '^<!-- bench-dtls: begin' "$doc" 2>/dev/null; then
	BLOCK=$block awk '
		/^<!-- bench-dtls: begin/ { print ENVIRON["BLOCK"]; skip = 1; next }
		/^<!-- bench-dtls: end/ { skip = 0; next }
		!skip' "$doc" >"$doc.tmp"
	mv "$doc.tmp" "$doc"
else
	printf '\n%s\n' "$block" >>"$doc"
fi
echo "bench-dtls.sh: results written to $doc"
