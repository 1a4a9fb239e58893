#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msecd handshakes against OpenSSL 3's s_client and s_server, DTLS 1.2,
# in both roles, for the oneM2M suites and an AES-GCM one; the application
# data then flows through the kernel record layer.
#
#   netns of the test                         peer netns
#   m2msecd + hs_session.py (m2msec socket)       openssl s_client / s_server
#   10.98.0.1  <---- DTLS 1.2 handshake ---->  10.98.0.2  (m2msecd's channel)
#              <---- records (kernel) ------>
#
# Each case: a line from the peer reaches the application, a line from the
# application reaches the peer, and the kernel's association shows the
# version, the cipher, records counted both ways, no authentication
# failure and the peer's authenticated identity.
#
# This wolfSSL build sends no renegotiation_info, which OpenSSL 3 clients
# require: s_client runs with -legacy_server_connect.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/hs_lib.sh"

CASES=(
	"psk PSK-AES128-CCM8 AES-128-CCM-8"
	"ecdsa ECDHE-ECDSA-AES128-CCM8 AES-128-CCM-8"
	"ecdsa ECDHE-ECDSA-AES128-GCM-SHA256 AES-128-GCM"
)
hs_init $((2 * ${#CASES[@]}))
cat >"$tmp/conf" <<CONF
ca $P/ca.pem
handshake-timeout 15
[certificate]
cert $P/srv-chain.pem
key $P/srv.key
[psk]
identity $PSK_ID
key-file $tmp/psk
CONF
# Generous timeouts (cases may run at once on two emulated CPUs), the
# daemon's below the kernel's.
"$CTL" config set hs-timeout-ms 20000 >/dev/null
hsd_start "$tmp/conf"
port=4430

# The m2msec application is the server, s_client the peer.
server_case() {
	local auth=$1 suite=$2 cipher=$3 d=$tmp/server-$2 peer_auth peer_id
	local desc="openssl s_client DTLS 1.2 $suite ($auth) -> m2msec server: m2msecd handshake, data both ways through the kernel, peer identity"
	if [ "$auth" = psk ]; then
		peer_auth=(-psk_identity "$PSK_ID" -psk "$PSK")
		peer_id="psk:$PSK_ID"
	else
		peer_auth=(-servername localhost -CAfile "$P/ca.pem" -verify_return_error
			   -cert "$P/cli.pem" -key "$P/cli.key" -cert_chain "$P/int.pem")
		peer_id="x509:/CN=m2m-ae-x509;san=m2m-ae-x509"
	fi
	desc+=" $peer_id"
	app_start "$d" server "$M_ADDR" "$port"
	wait_text "$d/app" listening "$T_STEP"
	mkfifo "$d/peer.in"
	peer_bg "$d/peer" timeout 60 openssl s_client -dtls1_2 \
		-connect "$M_ADDR:$port" -cipher "$suite" -legacy_server_connect \
		-quiet "${peer_auth[@]}" <>"$d/peer.in"
	# Sent as soon as the handshake is done: the kernel must have the
	# association by then, or hold the record until it has.
	echo "peer-to-kernel-$suite" >"$d/peer.in"
	why=""
	if ! wait_text "$d/app" "data=peer-to-kernel-$suite" "$T_STEP"; then
		why="the peer's line did not reach the application"
	else
		app_say "$d" "kernel-to-peer-$suite"
		wait_text "$d/peer" "kernel-to-peer-$suite" "$T_STEP" ||
			why="the application's line did not reach the peer"
	fi
	[ -z "$why" ] && assoc_ok "$d" 1.2 "$cipher" "$peer_id"
	result $? "$desc" "$d/app" "$d/peer" "$tmp/hsd.log"
	app_say "$d" '!quit'
}

# The m2msec application is the client (server name localhost), s_server
# the peer.
client_case() {
	local auth=$1 suite=$2 cipher=$3 d=$tmp/client-$2 peer_auth peer_id
	local desc="m2msec client -> openssl s_server DTLS 1.2 $suite ($auth): connect() returns after the m2msecd handshake, data both ways through the kernel, peer identity"
	if [ "$auth" = psk ]; then
		peer_auth=(-nocert -psk_identity "$PSK_ID" -psk "$PSK")
		peer_id="psk:$PSK_ID"
	else
		peer_auth=(-cert "$P/srv.pem" -key "$P/srv.key" -cert_chain "$P/int.pem")
		peer_id="x509:/CN=localhost;san=localhost"
	fi
	desc+=" $peer_id"
	mkdir -p "$d"
	mkfifo "$d/peer.in"
	peer_bg "$d/peer" timeout 60 openssl s_server -dtls1_2 \
		-accept "$P_ADDR:$port" -cipher "$suite" -quiet \
		"${peer_auth[@]}" <>"$d/peer.in"
	peer_bound "$port" "$T_STEP"
	app_start "$d" client "$P_ADDR" "$port" localhost
	why=""
	if ! wait_text "$d/app" connect "$T_STEP" || ! grep -qx connected "$d/app"; then
		why="connect() did not succeed"
	else
		app_say "$d" "kernel-to-peer-$suite"
		if ! wait_text "$d/peer" "kernel-to-peer-$suite" "$T_STEP"; then
			why="the application's line did not reach the peer"
		else
			echo "peer-to-kernel-$suite" >"$d/peer.in"
			wait_text "$d/app" "data=peer-to-kernel-$suite" "$T_STEP" ||
				why="the peer's line did not reach the application"
		fi
	fi
	[ -z "$why" ] && assoc_ok "$d" 1.2 "$cipher" "$peer_id"
	result $? "$desc" "$d/app" "$d/peer" "$tmp/hsd.log"
	app_say "$d" '!quit'
}

# Each case has its own port and files (M2MSEC_HS_PARALLEL=1: all at once).
for c in "${CASES[@]}"; do
	port=$((port + 1))
	# shellcheck disable=SC2086
	par_start server_case $c
	port=$((port + 1))
	# shellcheck disable=SC2086
	par_start client_case $c
done
par_wait
hsd_stop
finish
