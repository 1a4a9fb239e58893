#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msecd handshakes against GnuTLS's gnutls-cli and gnutls-serv, DTLS 1.2,
# in both roles, with certificates and with a PSK; the application data
# then flows through the kernel record layer.
#
#   netns of the test                         peer netns
#   m2msecd + hs_session.py (m2msec socket)       gnutls-cli / gnutls-serv --echo
#   10.98.0.1  <---- DTLS 1.2 handshake ---->  10.98.0.2  (m2msecd's channel)
#              <---- records (kernel) ------>
#
# Each case: a line crosses in each direction (gnutls-serv echoes what it
# decrypted), and the kernel's association shows the version, the cipher,
# records counted both ways, no authentication failure and the peer's
# authenticated identity.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/hs_lib.sh"

# AUTH GNUTLS-CIPHER CIPHER (the kernel's name)
CASES=(
	"ecdsa AES-256-GCM AES-256-GCM"
	"psk AES-128-CCM-8 AES-128-CCM-8"
)
hs_init $((2 * ${#CASES[@]}))
if ! command -v gnutls-cli >/dev/null; then
	for c in "${CASES[@]}"; do
		skip "gnutls-cli $c" "gnutls-bin missing (scripts/deps.sh)"
		skip "gnutls-serv $c" "gnutls-bin missing (scripts/deps.sh)"
	done
	finish
fi
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
echo "$PSK_ID:$PSK" >"$tmp/gnutls-psk"
port=4700

prio() {
	local kx=ECDHE-ECDSA
	[ "$1" = psk ] && kx=PSK
	echo "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+$2:-KX-ALL:+$kx"
}

# gnutls-cli against the m2msec server; with certificates it presents the
# client certificate and checks the server's for localhost.
server_case() {
	local auth=$1 gc=$2 cipher=$3 d=$tmp/server-$1 peer_auth peer_id desc
	if [ "$auth" = psk ]; then
		peer_auth=(--pskusername "$PSK_ID" --pskkey "$PSK")
		peer_id="psk:$PSK_ID"
	else
		peer_auth=(--x509cafile "$P/ca.pem" --verify-hostname localhost
			   --sni-hostname localhost --x509certfile "$P/cli-chain.pem"
			   --x509keyfile "$P/cli.key")
		peer_id="x509:/CN=m2m-ae-x509;san=m2m-ae-x509"
	fi
	desc="gnutls-cli DTLS 1.2 $auth $gc -> m2msec server: m2msecd handshake, data both ways through the kernel, peer identity $peer_id"
	app_start "$d" server "$M_ADDR" "$port"
	wait_text "$d/app" listening "$T_STEP"
	mkfifo "$d/peer.in"
	peer_bg "$d/peer" timeout 60 gnutls-cli -u -p "$port" \
		--priority "$(prio "$auth" "$gc")" "${peer_auth[@]}" \
		"$M_ADDR" <>"$d/peer.in"
	echo "peer-to-kernel-$auth" >"$d/peer.in"
	why=""
	if ! wait_text "$d/app" "data=peer-to-kernel-$auth" "$T_STEP"; then
		why="the peer's line did not reach the application"
	else
		app_say "$d" "kernel-to-peer-$auth"
		wait_text "$d/peer" "kernel-to-peer-$auth" "$T_STEP" ||
			why="the application's line did not reach the peer"
	fi
	[ -z "$why" ] && assoc_ok "$d" 1.2 "$cipher" "$peer_id"
	result $? "$desc" "$d/app" "$d/peer" "$tmp/hsd.log"
	app_say "$d" '!quit'
}

# The m2msec client (server name localhost) against gnutls-serv --echo.
client_case() {
	local auth=$1 gc=$2 cipher=$3 d=$tmp/client-$1 peer_auth peer_id desc
	if [ "$auth" = psk ]; then
		peer_auth=(--pskpasswd "$tmp/gnutls-psk")
		peer_id="psk:$PSK_ID"
	else
		peer_auth=(--x509certfile "$P/srv-chain.pem" --x509keyfile "$P/srv.key")
		peer_id="x509:/CN=localhost;san=localhost"
	fi
	desc="m2msec client -> gnutls-serv DTLS 1.2 $auth $gc: connect() returns after the m2msecd handshake, the peer echoes a line through the kernel both ways, peer identity $peer_id"
	mkdir -p "$d"
	mkfifo "$d/peer.in"
	peer_bg "$d/peer" timeout 60 gnutls-serv -u --echo -p "$port" \
		--priority "$(prio "$auth" "$gc")" "${peer_auth[@]}" <>"$d/peer.in"
	peer_bound "$port" "$T_STEP"
	app_start "$d" client "$P_ADDR" "$port" localhost
	why=""
	if ! wait_text "$d/app" connect "$T_STEP" || ! grep -qx connected "$d/app"; then
		why="connect() did not succeed"
	else
		app_say "$d" "kernel-to-peer-$auth"
		wait_text "$d/app" "data=kernel-to-peer-$auth" "$T_STEP" ||
			why="the line the peer echoes did not come back"
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
