#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msecd handshakes against wolfSSL's example client and server, DTLS 1.3,
# in both roles, without and with Connection IDs; the application data then
# flows through the kernel record layer.
#
#   netns of the test                         peer netns
#   m2msecd + hs_session.py (m2msec socket)       wolfSSL examples/client, server
#   10.98.0.1  <---- DTLS 1.3 handshake ---->  10.98.0.2  (m2msecd's channel)
#              <---- records (kernel) ------>
#
# m2msecd offers a 4-byte Connection ID to every peer; the examples use one
# only with --cid (their CID "ab" is the bytes 61 62).  Each case: the
# example's message reaches the application, the application's reaches the
# example, and the kernel's association shows the version, the cipher, the
# CIDs (or none), records counted both ways, no authentication failure and
# the peer's identity.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/hs_lib.sh"

hs_init 4
if ! wolf_built; then
	for i in 1 2 3 4; do skip "wolfSSL case $i" "wolfSSL examples not built (scripts/build-wolfssl.sh)"; done
	finish
fi
cat >"$tmp/conf" <<CONF
ca $P/ca.pem
handshake-timeout 15
connection-id-length 4
[certificate]
cert $P/srv-chain.pem
key $P/srv.key
[psk]
identity Client_identitySHA256
key $WOLF_PSK13
CONF
chmod 600 "$tmp/conf"
# Generous timeouts (cases may run at once on two emulated CPUs), the
# daemon's below the kernel's.
"$CTL" config set hs-timeout-ms 20000 >/dev/null
hsd_start "$tmp/conf"
port=4600

# wolfSSL's example PROG in the peer's namespace, from its source root.
wolf_peer() {
	local out=$1 prog=$2
	shift 2
	bg "$out" ip netns exec "$PNS" sh -c 'cd "$1" && shift && exec "$@"' sh \
		"$(cat "$WOLF/srcdir")" timeout 60 stdbuf -oL "$WOLF/bin/$prog" "$@"
}

# The example client (PSK) against the m2msec server: it sends
# "hello wolfssl!" and prints the answer.
server_case() {
	local cid=$1 d=$tmp/server-$1 args=() want=() desc
	desc="wolfSSL client DTLS 1.3 TLS13-AES128-GCM-SHA256 (PSK)"
	if [ "$cid" = cid ]; then
		args=(--cid ab)
		want=(6162 4)
		desc+=" with Connection IDs -> m2msec server: the association has the peer's CID 6162 and m2msecd's 4-byte CID,"
	else
		desc+=" without Connection IDs -> m2msec server:"
	fi
	desc+=" data both ways through the kernel, peer identity psk:Client_identitySHA256"
	app_start "$d" server "$M_ADDR" "$port"
	wait_text "$d/app" listening "$T_STEP"
	wolf_peer "$d/peer" client -u -v 4 -s -h "$M_ADDR" -p "$port" \
		-l TLS13-AES128-GCM-SHA256 "${args[@]}"
	why=""
	if ! wait_text "$d/app" "data=hello wolfssl" "$T_STEP"; then
		why="the peer's message did not reach the application"
	else
		app_say "$d" "kernel-to-wolf-$cid"
		wait_text "$d/peer" "kernel-to-wolf-$cid" "$T_STEP" ||
			why="the application's line did not reach the peer"
	fi
	[ -z "$why" ] && assoc_ok "$d" 1.3 AES-128-GCM "psk:Client_identitySHA256" "${want[@]}"
	result $? "$desc" "$d/app" "$d/peer" "$tmp/hsd.log"
	app_say "$d" '!quit'
}

# The m2msec client (server name localhost) against the example server
# (certificates, -b: on every address, not only 127.0.0.1): it prints "Client message: ..." and answers
# "I hear you fa shizzle!".
client_case() {
	local cid=$1 suite=$2 cipher=$3 d=$tmp/client-$1 args=() want=() desc
	desc="m2msec client -> wolfSSL server DTLS 1.3 $suite (P-256 certificates)"
	if [ "$cid" = cid ]; then
		args=(--cid ab)
		want=(6162 4)
		desc+=" with Connection IDs: the association has the peer's CID 6162 and m2msecd's 4-byte CID,"
	else
		desc+=" without Connection IDs:"
	fi
	desc+=" connect() returns after the handshake, data both ways through the kernel, peer identity x509:/CN=localhost;san=localhost"
	mkdir -p "$d"
	wolf_peer "$d/peer" server -u -v 4 -b -p "$port" -c "$P/srv-chain.pem" \
		-k "$P/srv.key" -d -l "$suite" "${args[@]}"
	peer_bound "$port" "$T_STEP"
	app_start "$d" client "$P_ADDR" "$port" localhost
	why=""
	if ! wait_text "$d/app" connect "$T_STEP" || ! grep -qx connected "$d/app"; then
		why="connect() did not succeed"
	else
		app_say "$d" "kernel-to-wolf-$cid"
		if ! wait_text "$d/peer" "Client message: kernel-to-wolf-$cid" "$T_STEP"; then
			why="the application's line did not reach the peer"
		elif ! wait_text "$d/app" "data=I hear you fa shizzle" "$T_STEP"; then
			why="the peer's answer did not reach the application"
		fi
	fi
	[ -z "$why" ] && assoc_ok "$d" 1.3 "$cipher" "x509:/CN=localhost;san=localhost" "${want[@]}"
	result $? "$desc" "$d/app" "$d/peer" "$tmp/hsd.log"
	app_say "$d" '!quit'
}

# Each case has its own port and files (M2MSEC_HS_PARALLEL=1: all at once).
port=$((port + 1)); par_start server_case nocid
port=$((port + 1)); par_start client_case nocid TLS13-AES128-GCM-SHA256 AES-128-GCM
port=$((port + 1)); par_start server_case cid
port=$((port + 1)); par_start client_case cid TLS13-AES128-CCM-8-SHA256 AES-128-CCM-8
par_wait
hsd_stop
finish
