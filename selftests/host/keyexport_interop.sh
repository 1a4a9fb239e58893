#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Key export against unmodified peers, checked without any TLS library.
#
#   peer (openssl s_client/s_server,        dtls-keyexport (OpenSSL/wolfSSL)
#         wolfSSL example client/server)    127.0.0.1:P
#        |  1. DTLS handshake  ---------------->|  2. writes KEYFILE, exits
#        |  3. application data --------------->|     (--capture: raw datagrams)
#        |                                      |
#        |  4. record made by dtls_records.py <-|  from 127.0.0.1:P with the
#        |     with KEYFILE's TX keys           |  TX keys at tx-seq
#
# For each case: the export succeeds; the peer's application data
# decrypts with the RX keys at or above rx-seq (dtls_records.py decrypt);
# the peer accepts and prints a record protected with the TX keys at tx-seq
# (dtls_records.py send).  That is exactly what m2msec will do with the
# file, so keys, IVs, nonces, record number protection, CIDs and sequence
# numbers are all proven.  Loopback only; every process is killed by PID.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. "$REPO/selftests/interop_lib.sh"
REC="python3 $HERE/dtls_records.py"
N_TESTS=21

echo "KTAP version 1"
echo "1..$N_TESTS"
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); failed=1; echo "not ok $n $*"; }
skip_rest() {
	while [ "$n" -lt "$N_TESTS" ]; do n=$((n + 1)); echo "ok $n key export # SKIP $*"; done
	exit 4
}

[ -x "$KX" ] || skip_rest "dtls-keyexport not built (needs the wolfSSL build: scripts/build-wolfssl.sh)"
python3 -c "import cryptography" 2>/dev/null || skip_rest "python3-cryptography missing (scripts/deps.sh)"
command -v openssl >/dev/null || skip_rest "openssl missing"

ix_init

# run_case NAME EXPECT_FROM_PEER REPLY PEER_OUT
# Common checks once the exporter ($kx_pid) and the peer ($peer_pid) run.
check_case() {
	local name=$1 expect=$2 reply=$3 peer_out=$4 dir=$5 rc
	wait_for "$kx_pid" 15
	rc=$?
	grep '^dtls-keyexport: [a-z]* DTLS' "$dir/kx.err" | sed 's/^/# /'
	if [ $rc -eq 0 ] && [ -s "$dir/key" ]; then
		ok "$name: handshake with the unmodified peer, key file written"
	else
		notok "$name: handshake with the unmodified peer, key file written (status $rc)"
		show "$dir/kx.err" "$peer_out"
		notok "$name: the peer's application data decrypts with the exported RX keys at or above rx-seq"
		notok "$name: the peer accepts a record protected with the exported TX keys at tx-seq"
		return
	fi
	if $REC decrypt "$dir/key" "$dir/cap" --expect "$expect" >"$dir/dec" 2>&1; then
		show "$dir/dec"
		ok "$name: the peer's application data decrypts with the exported RX keys at or above rx-seq"
	else
		show "$dir/dec" "$dir/key"
		notok "$name: the peer's application data decrypts with the exported RX keys at or above rx-seq"
	fi
	$REC send "$dir/key" "$reply" >"$dir/send" 2>&1
	if wait_text "$peer_out" "$reply" 5; then
		show "$dir/send"
		ok "$name: the peer accepts a record protected with the exported TX keys at tx-seq"
	else
		show "$dir/send" "$peer_out"
		notok "$name: the peer accepts a record protected with the exported TX keys at tx-seq"
	fi
}

# Exporter as server, with a capture of one datagram.
start_kx_server() {
	local dir=$1 port=$2
	shift 2
	bg "$dir/kx.err" "$KX" --role server --local "127.0.0.1:$port" \
		--out "$dir/key" --capture 1 --capture-file "$dir/cap" \
		--timeout 10 -v "$@"
	kx_pid=$pid
}

# --- OpenSSL DTLS 1.2 PSK-AES128-CCM8 (oneM2M mandatory suite) -------------
case_openssl_psk_ccm8() {
	local d=$tmp/ossl-psk port
	mkdir -p "$d"
	port=$(free_port)
	start_kx_server "$d" "$port" --lib openssl --version 1.2 \
		--psk-identity m2m-ae-1 --psk 00112233445566778899aabbccddeeff \
		--cipher PSK-AES128-CCM8
	sleep 0.3
	mkfifo "$d/in"
	bg "$d/peer" openssl s_client -dtls1_2 -connect "127.0.0.1:$port" \
		-psk_identity m2m-ae-1 -psk 00112233445566778899aabbccddeeff \
		-cipher PSK-AES128-CCM8 -quiet <>"$d/in"
	# s_client exits on stdin EOF: read-write open of the FIFO never sees one.
	sh -c 'sleep 1; echo hello-from-openssl-client' >"$d/in" &
	pids+=("$!")
	check_case "openssl DTLS 1.2 PSK-AES128-CCM8, exporter as server" \
		hello-from-openssl-client reply-with-exported-tx-keys "$d/peer" "$d"
}

# --- OpenSSL DTLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256, fresh PKI -------------
case_openssl_ecdsa_gcm() {
	local d=$tmp/ossl-ecdsa port p=$tmp/pki
	mkdir -p "$d"
	port=$(free_port)
	mkfifo "$d/in"
	bg "$d/peer" openssl s_server -dtls1_2 -accept "127.0.0.1:$port" \
		-cert "$p/srv.pem" -key "$p/srv.key" -cert_chain "$p/int.pem" \
		-cipher ECDHE-ECDSA-AES128-GCM-SHA256 -quiet <>"$d/in"
	sh -c 'sleep 2; echo hello-from-openssl-server' >"$d/in" &
	pids+=("$!")
	sleep 0.5
	bg "$d/kx.err" "$KX" --lib openssl --version 1.2 --role client \
		--peer "127.0.0.1:$port" --ca "$p/ca.pem" \
		--cipher ECDHE-ECDSA-AES128-GCM-SHA256 --out "$d/key" \
		--capture 1 --capture-file "$d/cap" --timeout 10 -v
	kx_pid=$pid
	check_case "openssl DTLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256 (verified P-256 chain), exporter as client" \
		hello-from-openssl-server reply-with-exported-tx-keys "$d/peer" "$d"
}

wolf_client() {
	local out=$1
	shift
	wolf_bg "$out" client "$@"
}
# --- wolfSSL DTLS 1.3 TLS13-AES128-GCM-SHA256 PSK ---------------------------
case_wolf13_psk() {
	local d=$tmp/wolf13 port
	mkdir -p "$d"
	port=$(free_port)
	start_kx_server "$d" "$port" --lib wolfssl --version 1.3 \
		--psk-identity Client_identitySHA256 --psk $WOLF_PSK13 \
		--cipher TLS13-AES128-GCM-SHA256
	sleep 0.3
	wolf_client "$d/peer" -u -v 4 -s -h 127.0.0.1 -p "$port" \
		-l TLS13-AES128-GCM-SHA256
	check_case "wolfSSL DTLS 1.3 TLS13-AES128-GCM-SHA256 PSK, exporter as server" \
		"hello wolfssl!" reply-with-exported-tx-keys "$d/peer" "$d"
}

# --- wolfSSL DTLS 1.3 with Connection IDs in both directions ---------------
case_wolf13_cid() {
	local d=$tmp/wolf13cid port
	mkdir -p "$d"
	port=$(free_port)
	start_kx_server "$d" "$port" --lib wolfssl --version 1.3 \
		--psk-identity Client_identitySHA256 --psk $WOLF_PSK13 \
		--cipher TLS13-AES128-GCM-SHA256 --cid 0a0b0c0d0e
	sleep 0.3
	# The example client takes its CID as text: "ab" is 0x61 0x62.
	wolf_client "$d/peer" -u -v 4 -s -h 127.0.0.1 -p "$port" \
		-l TLS13-AES128-GCM-SHA256 --cid ab
	check_case "wolfSSL DTLS 1.3 with CIDs (ours 0a0b0c0d0e, peer's 6162), exporter as server" \
		"hello wolfssl!" reply-with-exported-tx-keys "$d/peer" "$d"
	if grep -qx 'tx-cid 6162' "$d/key" && grep -qx 'rx-cid 0a0b0c0d0e' "$d/key"; then
		ok "wolfSSL DTLS 1.3 with CIDs: the key file has tx-cid 6162 (the peer's) and rx-cid 0a0b0c0d0e (ours)"
	else
		notok "wolfSSL DTLS 1.3 with CIDs: the key file has tx-cid 6162 (the peer's) and rx-cid 0a0b0c0d0e (ours)"
	fi
}

# --- wolfSSL DTLS 1.3 client against wolfSSL's example server, certificates --
# The server reads first, so the record checker sends first here and then
# checks everything the server sends back (its ACK, NewSessionTicket and
# the reply) against the RX keys.
case_wolf13_client_certs() {
	local d=$tmp/wolf13cli port p=$tmp/pki
	mkdir -p "$d"
	port=$(free_port)
	wolf_bg "$d/peer" server -u -v 4 \
		-p "$port" -c "$p/srv-chain.pem" -k "$p/srv.key" -d \
		-l TLS13-AES128-GCM-SHA256
	sleep 0.5
	bg "$d/kx.err" "$KX" --lib wolfssl --version 1.3 --role client \
		--peer "127.0.0.1:$port" --ca "$p/ca.pem" --out "$d/key" \
		--timeout 10 -v
	wait_for "$pid" 15
	rc=$?
	grep '^dtls-keyexport: [a-z]* DTLS' "$d/kx.err" | sed 's/^/# /'
	if [ $rc -eq 0 ] && [ -s "$d/key" ]; then
		ok "wolfSSL DTLS 1.3 certificates (verified P-256 chain), exporter as client: key file written"
	else
		show "$d/kx.err" "$d/peer"
		notok "wolfSSL DTLS 1.3 certificates (verified P-256 chain), exporter as client: key file written (status $rc)"
	fi
	if $REC send "$d/key" hello-from-exported-tx-keys --recv 4 --timeout 3 \
		--expect "I hear you" >"$d/send" 2>&1; then
		show "$d/send"
		ok "wolfSSL DTLS 1.3 client: the server accepts a TX record at tx-seq and its answer decrypts with the RX keys at or above rx-seq"
	else
		show "$d/send" "$d/peer"
		notok "wolfSSL DTLS 1.3 client: the server accepts a TX record at tx-seq and its answer decrypts with the RX keys at or above rx-seq"
	fi
}

# --- wolfSSL DTLS 1.2 PSK-AES128-CCM-8 ---------------------------------------
case_wolf12_psk_ccm8() {
	local d=$tmp/wolf12 port
	mkdir -p "$d"
	port=$(free_port)
	# wolfSSL's example TLS 1.2 PSK: identity Client_identity, key 1a2b3c4d.
	start_kx_server "$d" "$port" --lib wolfssl --version 1.2 \
		--psk-identity Client_identity --psk 1a2b3c4d \
		--cipher PSK-AES128-CCM-8
	sleep 0.3
	wolf_client "$d/peer" -u -v 3 -s -h 127.0.0.1 -p "$port" \
		-l PSK-AES128-CCM-8
	check_case "wolfSSL DTLS 1.2 PSK-AES128-CCM-8, exporter as server" \
		"hello wolfssl!" reply-with-exported-tx-keys "$d/peer" "$d"
}

# --- option handling ----------------------------------------------------------
case_usage() {
	local out
	"$KX" --help | grep -q '^Usage: dtls-keyexport' &&
		ok "dtls-keyexport --help prints the usage" ||
		notok "dtls-keyexport --help prints the usage"
	out=$("$KX" --lib openssl --version 1.3 --role client \
		--peer 127.0.0.1:9 --psk-identity a --psk 00 --out "$tmp/x" 2>&1)
	[ $? -eq 1 ] && grep -q "no DTLS 1.3; use --lib wolfssl" <<<"$out" &&
		ok "dtls-keyexport: OpenSSL with DTLS 1.3 fails and points to wolfssl" ||
		notok "dtls-keyexport: OpenSSL with DTLS 1.3 fails and points to wolfssl"
	"$KX" --lib gnutls --version 1.2 --role client --peer 127.0.0.1:9 \
		--out "$tmp/x" >/dev/null 2>&1
	[ $? -eq 2 ] && ok "dtls-keyexport: an unknown --lib is a usage error (status 2)" ||
		notok "dtls-keyexport: an unknown --lib is a usage error (status 2)"
}

case_usage
if make_pki "$tmp/pki"; then
	pki=1
else
	pki=0
	show "$tmp/pki/pki.log"
fi
case_openssl_psk_ccm8
if [ $pki = 1 ]; then
	case_openssl_ecdsa_gcm
else
	for i in 1 2 3; do notok "openssl ECDSA case: test PKI could not be generated"; done
fi
if wolf_built; then
	case_wolf13_psk
	case_wolf13_cid
	if [ $pki = 1 ]; then
		case_wolf13_client_certs
	else
		notok "wolfSSL client case: test PKI could not be generated"
		notok "wolfSSL client case: test PKI could not be generated"
	fi
	case_wolf12_psk_ccm8
else
	while [ "$n" -lt "$N_TESTS" ]; do n=$((n + 1)); echo "ok $n wolfSSL key export # SKIP wolfSSL examples not built"; done
fi
[ "$n" -eq "$N_TESTS" ] || { echo "# ran $n of $N_TESTS planned cases"; failed=1; }
exit $failed
