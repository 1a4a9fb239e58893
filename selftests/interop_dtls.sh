#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel record layer against unmodified DTLS peers.
#
#   peer program                          dtls-keyexport, then m2msec-nc
#   (openssl s_client/s_server,           127.0.0.1:P
#    gnutls-cli/gnutls-serv,
#    wolfSSL example server)
#        |  1. DTLS handshake  ------------->|  dtls-keyexport (OpenSSL or
#        |                                   |  wolfSSL) writes KEYFILE, exits
#        |                                   |  m2msec-nc -k KEYFILE binds P:
#        |                                   |  the kernel has the session
#        |  2. application data  ----------->|  on m2msec-nc's stdout
#        |  3. <------------  application data  a line from m2msec-nc's stdin
#
# For each case: data the peer sends after the kernel took over arrives on
# m2msec-nc's stdout; a line written to m2msec-nc's stdin is printed (or
# echoed, or answered) by the peer; the association's counters (netlink
# dump) show received and sent records and no authentication failure.
# Peers send only once m2msec-nc has installed its association: their stdin
# is a FIFO written then; wolfSSL's example server speaks only after the
# kernel side did.  Records the kernel leaves to a handshake daemon (DTLS
# 1.3 ACKs, NewSessionTickets) go to its control queue, by design.
#
# Runs in a network namespace of its own (loopback only); every process is
# started under a timeout and killed by PID at the end.
#
# Environment: M2MSEC_IX_ONLY=REGEX runs only the cases whose CASES line
# matches (the others are skipped); M2MSEC_IX_TRACE=1 traces the shell with
# timestamps.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export REPO=${REPO:-$(dirname "$HERE")}
if [ -z "${M2MSEC_IX_NETNS:-}" ]; then
	M2MSEC_IX_NETNS=1 exec unshare -n -- "$0" "$@"
fi
ip link set lo up
[ -n "${M2MSEC_IX_TRACE:-}" ] && { PS4='+ $SECONDS '; set -x; }
. "$HERE/lib.sh"
. "$HERE/interop_lib.sh"
NC=$REPO/user/m2msec-nc
STATS="python3 $HERE/assoc_stats.py"
PSK_ID=m2m-ae-1
PSK=00112233445566778899aabbccddeeff
T_PEER=90	# lifetime of a peer program, seconds
T_WAIT=15	# one step (handshake, takeover, one datagram's way), seconds

# --- the cases ---------------------------------------------------------------
# One line each: the function running it and its arguments.
CASES=()
for role in server client; do
	CASES+=(
		"ossl $role psk PSK-AES128-CCM8 AES-128-CCM-8"
		"ossl $role ecdsa ECDHE-ECDSA-AES128-CCM8 AES-128-CCM-8"
		"ossl $role ecdsa ECDHE-ECDSA-AES128-GCM-SHA256 AES-128-GCM"
		"ossl $role ecdsa ECDHE-ECDSA-AES256-GCM-SHA384 AES-256-GCM"
		"ossl $role ecdsa ECDHE-ECDSA-CHACHA20-POLY1305 CHACHA20-POLY1305"
		"ossl $role psk PSK-AES128-CCM AES-128-CCM"
	)
done
CASES+=(
	"gnutls cli psk AES-128-CCM-8 PSK-AES128-CCM8 AES-128-CCM-8"
	"gnutls cli psk AES-128-CCM PSK-AES128-CCM AES-128-CCM"
	"gnutls cli ecdsa CHACHA20-POLY1305 ECDHE-ECDSA-CHACHA20-POLY1305 CHACHA20-POLY1305"
	"gnutls serv psk AES-128-GCM PSK-AES128-GCM-SHA256 AES-128-GCM"
	"gnutls serv ecdsa AES-256-GCM ECDHE-ECDSA-AES256-GCM-SHA384 AES-256-GCM"
	"wolf13 TLS13-AES128-GCM-SHA256 AES-128-GCM"
	"wolf13 TLS13-AES256-GCM-SHA384 AES-256-GCM"
	"wolf13 TLS13-CHACHA20-POLY1305-SHA256 CHACHA20-POLY1305"
	"wolf13 TLS13-AES128-CCM-SHA256 AES-128-CCM"
	"wolf13 TLS13-AES128-CCM-8-SHA256 AES-128-CCM-8"
	"wolf13 TLS13-AES128-GCM-SHA256 AES-128-GCM cid"
	"wolf12 PSK-AES128-CCM-8 AES-128-CCM-8"
)
LINES=3		# TAP lines per case

# --- the kernel side ------------------------------------------------------------
# After the handshake: m2msec-nc takes over the exporter's address with the
# key file, then both directions and the counters are checked.
#
# takeover NAME DIR MODE CIPHER
#   NAME   "<peer> DTLS <version> <suite>, <role>" for the TAP lines
#   DIR    case directory: key (the key file), kx.err (exporter), peer.out,
#          peer.in (FIFO of the peer's stdin, MODE send)
#   MODE   send: the peer sends from peer.in and prints what it receives;
#          echo: the peer echoes (gnutls-serv --echo);
#          answer: the peer prints "Client message: ..." and answers with
#          "I hear you fa shizzle!" (wolfSSL's example server)
#   CIPHER the cipher the key file must name
# $kx_pid: the exporter, $peer_pid: the peer.
takeover() {
	local name=$1 d=$2 mode=$3 cipher=$4 rc why="" p2k k2p peer nc_pid st
	local l_p2k="$name: peer -> kernel: the peer's data after the takeover arrives on m2msec-nc's stdout"
	local l_k2p="$name: kernel -> peer: a line written to m2msec-nc's stdin is printed by the peer"
	local l_st="$name: kernel counters: rx and tx records counted, no authentication failure"

	case $mode in
	echo)
		l_k2p="$name: kernel -> peer: the peer decrypts a line written to m2msec-nc's stdin and echoes it"
		l_p2k="$name: peer -> kernel: the peer's echo arrives on m2msec-nc's stdout"
		;;
	answer)
		l_p2k="$name: peer -> kernel: the peer's answer arrives on m2msec-nc's stdout"
		;;
	esac
	wait_for "$kx_pid" "$T_WAIT"
	rc=$?
	grep '^dtls-keyexport: [a-z]* DTLS' "$d/kx.err" | sed 's/^/# /'
	if [ $rc -ne 0 ] || [ ! -s "$d/key" ]; then
		why="the handshake with the peer failed (dtls-keyexport status $rc)"
	elif ! grep -qx "cipher $cipher" "$d/key"; then
		why="the key file does not name $cipher"
	elif [ -n "${want_cids:-}" ] && ! grep -qx "tx-cid ${want_cids% *}" "$d/key"; then
		why="the key file has no tx-cid ${want_cids% *}"
	elif [ -n "${want_cids:-}" ] && ! grep -qx "rx-cid ${want_cids#* }" "$d/key"; then
		why="the key file has no rx-cid ${want_cids#* }"
	fi
	if [ -n "$why" ]; then
		show "$d/kx.err" "$d/peer.out"
		not_ok "$l_p2k ($why)"
		not_ok "$l_k2p ($why)"
		not_ok "$l_st ($why)"
		return
	fi
	peer=$(sed -n 's/^peer //p' "$d/key")

	mkfifo "$d/nc.in"
	timeout "$T_PEER" "$NC" -v -k "$d/key" <>"$d/nc.in" >"$d/nc.out" 2>"$d/nc.err" &
	nc_pid=$!
	pids+=("$nc_pid")
	if ! wait_text "$d/nc.err" "installed from" "$T_WAIT"; then
		why="m2msec-nc did not install the association"
		show "$d/nc.err"
		not_ok "$l_p2k ($why)"
		not_ok "$l_k2p ($why)"
		not_ok "$l_st ($why)"
		kill "$nc_pid" "$peer_pid" 2>/dev/null
		return
	fi

	# Short: wolfSSL's example server prints at most 31 bytes it read.
	p2k="peer-to-kernel-$case_no"
	k2p="kernel-to-peer-$case_no"
	case $mode in
	send)
		echo "$p2k" >"$d/peer.in"
		if wait_text "$d/nc.out" "$p2k" "$T_WAIT"; then ok "$l_p2k"
		else show "$d/nc.out" "$d/nc.err" "$d/peer.out"; not_ok "$l_p2k"; fi
		echo "$k2p" >"$d/nc.in"
		if wait_text "$d/peer.out" "$k2p" "$T_WAIT"; then ok "$l_k2p"
		else show "$d/peer.out"; not_ok "$l_k2p"; fi
		;;
	echo)
		echo "$k2p" >"$d/nc.in"
		if wait_text "$d/nc.out" "$k2p" "$T_WAIT"; then
			ok "$l_k2p"
			ok "$l_p2k"
		else
			show "$d/nc.out" "$d/nc.err" "$d/peer.out"
			not_ok "$l_k2p"
			not_ok "$l_p2k"
		fi
		;;
	answer)
		echo "$k2p" >"$d/nc.in"
		if wait_text "$d/peer.out" "Client message: $k2p" "$T_WAIT"; then ok "$l_k2p"
		else show "$d/peer.out"; not_ok "$l_k2p"; fi
		if wait_text "$d/nc.out" "I hear you fa shizzle" "$T_WAIT"; then ok "$l_p2k"
		else show "$d/nc.out" "$d/nc.err" "$d/peer.out"; not_ok "$l_p2k"; fi
		;;
	esac

	$STATS "$peer" >"$d/stats" 2>&1
	st=$(awk '$1 ~ /^(rx_records|tx_records|auth_fail|ctrl_queued|replay|hdr_err)$/ { printf "%s %s ", $1, $2 }' "$d/stats")
	diag "${name}: $st"
	if awk '{ v[$1] = $2 } END { exit !(v["rx_records"] >= 1 && v["tx_records"] >= 1 && v["auth_fail"] == 0 && ("auth_fail" in v)) }' "$d/stats"; then
		ok "$l_st"
	else
		show "$d/stats" "$d/nc.err"
		not_ok "$l_st"
	fi
	kill "$nc_pid" "$peer_pid" 2>/dev/null
	wait "$nc_pid" "$peer_pid" 2>/dev/null
}

# A case directory with a FIFO for the peer's stdin.
new_case() {
	d=$tmp/$1
	mkdir -p "$d"
	mkfifo "$d/peer.in"
	port=$(free_port)
}

# Exporter as client of the peer at $port / as server on $port.
kx_client() {
	bg "$d/kx.err" "$KX" --role client --peer "127.0.0.1:$port" \
		--out "$d/key" --timeout "$T_WAIT" -v "$@"
	kx_pid=$pid
}
kx_server() {
	bg "$d/kx.err" "$KX" --role server --local "127.0.0.1:$port" \
		--out "$d/key" --timeout "$T_WAIT" -v "$@"
	kx_pid=$pid
	wait_bound "$port" "$T_WAIT"
}

# --- OpenSSL s_server / s_client, DTLS 1.2 ------------------------------------
# ossl ROLE AUTH SUITE CIPHER: ROLE is the peer's (s_server or s_client).
ossl() {
	local role=$1 auth=$2 suite=$3 cipher=$4 peer_auth kx_auth
	new_case "ossl-$role-$suite"
	if [ "$auth" = psk ]; then
		peer_auth=(-psk_identity "$PSK_ID" -psk "$PSK")
		kx_auth=(--psk-identity "$PSK_ID" --psk "$PSK")
		[ "$role" = server ] && peer_auth+=(-nocert)
	elif [ "$role" = server ]; then
		peer_auth=(-cert "$pki/srv.pem" -key "$pki/srv.key" -cert_chain "$pki/int.pem")
		kx_auth=(--ca "$pki/ca.pem")
	else
		peer_auth=(-CAfile "$pki/ca.pem" -verify_return_error)
		kx_auth=(--cert "$pki/srv-chain.pem" --key "$pki/srv.key")
	fi
	if [ "$role" = server ]; then
		# s_server exits on stdin EOF: the FIFO, open read-write, has none.
		bg "$d/peer.out" timeout "$T_PEER" openssl s_server -dtls1_2 \
			-accept "127.0.0.1:$port" -cipher "$suite" -quiet \
			"${peer_auth[@]}" <>"$d/peer.in"
		peer_pid=$pid
		wait_bound "$port" "$T_WAIT"
		kx_client --lib openssl --version 1.2 --cipher "$suite" "${kx_auth[@]}"
	else
		kx_server --lib openssl --version 1.2 --cipher "$suite" "${kx_auth[@]}"
		bg "$d/peer.out" timeout "$T_PEER" openssl s_client -dtls1_2 \
			-connect "127.0.0.1:$port" -cipher "$suite" -quiet \
			"${peer_auth[@]}" <>"$d/peer.in"
		peer_pid=$pid
	fi
	takeover "openssl s_$role DTLS 1.2 $suite" "$d" send "$cipher"
}

# --- GnuTLS gnutls-cli / gnutls-serv, DTLS 1.2; OpenSSL does the handshake ---
# gnutls ROLE AUTH GNUTLS-CIPHER OPENSSL-SUITE CIPHER
gnutls() {
	local role=$1 auth=$2 gcipher=$3 suite=$4 cipher=$5 prio peer_auth kx_auth
	new_case "gnutls-$role-$suite"
	prio="NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+$gcipher:-KX-ALL"
	if [ "$auth" = psk ]; then
		prio+=":+PSK"
		kx_auth=(--psk-identity "$PSK_ID" --psk "$PSK")
		if [ "$role" = serv ]; then
			echo "$PSK_ID:$PSK" >"$d/psk.txt"
			peer_auth=(--pskpasswd "$d/psk.txt")
		else
			peer_auth=(--pskusername "$PSK_ID" --pskkey "$PSK")
		fi
	else
		prio+=":+ECDHE-ECDSA"
		if [ "$role" = serv ]; then
			peer_auth=(--x509certfile "$pki/srv-chain.pem" --x509keyfile "$pki/srv.key")
			kx_auth=(--ca "$pki/ca.pem")
		else
			peer_auth=(--x509cafile "$pki/ca.pem")
			kx_auth=(--cert "$pki/srv-chain.pem" --key "$pki/srv.key")
		fi
	fi
	if [ "$role" = serv ]; then
		bg "$d/peer.out" timeout "$T_PEER" gnutls-serv --udp --echo -q \
			-p "$port" --priority "$prio" "${peer_auth[@]}" <>"$d/peer.in"
		peer_pid=$pid
		wait_bound "$port" "$T_WAIT"
		kx_client --lib openssl --version 1.2 --cipher "$suite" "${kx_auth[@]}"
		takeover "gnutls-serv DTLS 1.2 $gcipher ($auth)" "$d" echo "$cipher"
	else
		kx_server --lib openssl --version 1.2 --cipher "$suite" "${kx_auth[@]}"
		bg "$d/peer.out" timeout "$T_PEER" gnutls-cli --udp -p "$port" \
			--priority "$prio" "${peer_auth[@]}" 127.0.0.1 <>"$d/peer.in"
		peer_pid=$pid
		takeover "gnutls-cli DTLS 1.2 $gcipher ($auth)" "$d" send "$cipher"
	fi
}

# --- wolfSSL example server, DTLS 1.3 (certificates) and 1.2 (PSK) ---------
# wolf13 SUITE CIPHER [cid]: the exporter (wolfSSL) is the client.
wolf13() {
	local suite=$1 cipher=$2 cid=${3:-} srv_cid=() kx_cid=() name
	new_case "wolf13-$suite${cid:+-cid}"
	name="wolfSSL server DTLS 1.3 $suite (P-256 certificates)"
	want_cids=""
	if [ -n "$cid" ]; then
		# The example takes its CID as text: "ab" is 0x61 0x62.
		srv_cid=(--cid ab)
		kx_cid=(--cid 0a0b0c0d0e)
		want_cids="6162 0a0b0c0d0e"
		name+=" with Connection IDs (6162 towards the peer, 0a0b0c0d0e towards the kernel)"
	fi
	WOLF_TIMEOUT=$T_PEER wolf_bg "$d/peer.out" server -u -v 4 -p "$port" \
		-c "$pki/srv-chain.pem" -k "$pki/srv.key" -d -l "$suite" \
		"${srv_cid[@]}"
	peer_pid=$pid
	wait_bound "$port" "$T_WAIT"
	kx_client --lib wolfssl --version 1.3 --ca "$pki/ca.pem" \
		--cipher "$suite" "${kx_cid[@]}"
	takeover "$name" "$d" answer "$cipher"
	want_cids=""
}

# wolf12 SUITE CIPHER: the example server's TLS 1.2 PSK (identity
# Client_identity, key 1a2b3c4d).  The exporter uses wolfSSL here: OpenSSL
# refuses a server without secure renegotiation, which this wolfSSL build
# leaves out.
wolf12() {
	local suite=$1 cipher=$2
	new_case "wolf12-$suite"
	WOLF_TIMEOUT=$T_PEER wolf_bg "$d/peer.out" server -u -v 3 -s \
		-p "$port" -l "$suite"
	peer_pid=$pid
	wait_bound "$port" "$T_WAIT"
	kx_client --lib wolfssl --version 1.2 --cipher "$suite" \
		--psk-identity Client_identity --psk 1a2b3c4d
	takeover "wolfSSL server DTLS 1.2 $suite (PSK)" "$d" answer "$cipher"
}

# --- main ----------------------------------------------------------------------
plan $((${#CASES[@]} * LINES))
skip_case() {
	local i
	for ((i = 0; i < LINES; i++)); do skip "interop: $1" "$2"; done
}
ix_init
pki=$tmp/pki
have_pki=1
make_pki "$pki" || { have_pki=0; show "$pki/pki.log"; }
t0=$SECONDS
case_no=0
for c in "${CASES[@]}"; do
	set -- $c
	case_no=$((case_no + 1))
	if [ -n "${M2MSEC_IX_ONLY:-}" ] && ! grep -qE -- "$M2MSEC_IX_ONLY" <<<"$c"; then
		skip_case "$c" "not in M2MSEC_IX_ONLY"
		continue
	fi
	if ! mod_loaded; then
		skip_case "$c" "the m2msec module is not loaded"
	elif [ ! -x "$KX" ]; then
		skip_case "$c" "dtls-keyexport not built (needs the wolfSSL build: scripts/build-wolfssl.sh)"
	elif [ "$1" = gnutls ] && ! command -v gnutls-cli >/dev/null; then
		skip_case "$c" "gnutls-bin missing (scripts/deps.sh)"
	elif [ "${1#wolf}" != "$1" ] && ! wolf_built; then
		skip_case "$c" "wolfSSL examples not built (scripts/build-wolfssl.sh)"
	elif [ "$have_pki" = 0 ] && [[ $c == *ecdsa* || $1 == wolf13 ]]; then
		for ((i = 0; i < LINES; i++)); do not_ok "interop: $c (the test PKI could not be generated)"; done
	else
		ts=$SECONDS
		"$@"
		diag "$c: $((SECONDS - ts)) s"
	fi
done
diag "all cases: $((SECONDS - t0)) s"
finish
