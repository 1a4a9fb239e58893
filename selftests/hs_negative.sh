#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Handshakes that must fail, and the daemon going away.
#
#   netns of the test                         peer netns
#   m2msecd + hs_session.py (m2msec socket)       openssl s_server / s_client,
#   10.98.0.1  <---- DTLS 1.2 handshake ---->  10.98.0.2  a silent UDP peer
#
# A rejected peer: connect() fails with the documented errno, the peer
# reports the alert m2msecd sent, no association exists on the socket
# afterwards, and the kernel counted the failure (hs_failed).  The daemon:
# absent, connect() times out (ETIMEDOUT, short hs-timeout-ms); killed
# while it holds a handshake, connect() fails at once (ECONNABORTED), an
# association made before keeps working and a restarted daemon completes a
# new handshake; a connect() that started before any daemon ran completes
# once one starts (it takes the kernel's pending requests, HS_GET); the
# daemon runs as a dedicated user with CAP_NET_ADMIN alone.  The
# restarted daemon runs as under systemd's Type=notify:
# READY=1 reaches $NOTIFY_SOCKET once it has joined the handshake group,
# STOPPING=1 when it is stopped.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/hs_lib.sh"

hs_init 12
# Short timeouts, the daemon's below the kernel's (m2msecd(8)): a third of
# a step (M2MSEC_HS_STEP, longer on the debug kernel), so that the
# killed-daemon case kills the daemon while it still holds the handshake.
# Settings of this test's own network namespace.
hs_secs=$((T_STEP / 3))
"$CTL" config set hs-timeout-ms $(((hs_secs + 2) * 1000)) >/dev/null
cat >"$tmp/conf" <<CONF
ca $P/ca.pem
handshake-timeout $hs_secs
[psk]
identity $PSK_ID
key-file $tmp/psk
CONF
hsd_start "$tmp/conf"
port=4500

# A leaf certificate for localhost, signed by the intermediate, that
# expired yesterday (valid from two days ago to one day ago).
make_expired() {
	(
		cd "$P" || exit 1
		printf '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial.txt\ndefault_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n' >exp.cnf
		: >index.txt
		echo 1000 >serial.txt
		openssl ca -batch -config exp.cnf -cert int.pem -keyfile int.key \
			-in srv.csr -out exp.pem -notext -extfile srv.ext \
			-startdate "$(date -u -d '-2 days' +%Y%m%d%H%M%SZ)" \
			-enddate "$(date -u -d '-1 days' +%Y%m%d%H%M%SZ)" &&
		openssl x509 -in exp.pem -noout -checkend 0 | grep -q "will expire"
	) >"$P/exp.log" 2>&1
}

# An openssl s_server DTLS 1.2 PSK peer for PSK_ID on PORT, alive SECS,
# reading its input from DIR/peer.in.
psk_peer() {
	local d=$1 port=$2 secs=$3
	mkdir -p "$d"
	mkfifo "$d/peer.in"
	peer_bg "$d/peer" timeout "$secs" openssl s_server -dtls1_2 \
		-accept "$P_ADDR:$port" -cipher PSK-AES128-CCM8 -quiet -nocert \
		-psk_identity "$PSK_ID" -psk "$PSK" <>"$d/peer.in"
	peer_bound "$port" "$T_STEP"
}

# A line each way between the application of DIR and its peer, through
# the kernel: TAG to the peer, peer-TAG back.  Sets $why on failure.
exchange() {
	local d=$1 tag=$2
	app_say "$d" "$tag"
	if ! wait_text "$d/peer" "$tag" "$T_STEP"; then
		why="the application's line did not reach the peer"
	else
		echo "peer-$tag" >"$d/peer.in"
		wait_text "$d/app" "data=peer-$tag" "$T_STEP" ||
			why="the peer's line did not reach the application"
	fi
}

# The application of DIR connected, then exchange TAG.  Sets $why.
connected_exchange() {
	if ! wait_text "$1/app" connect "$T_STEP" || ! grep -qx connected "$1/app"; then
		why="connect() did not succeed"
	else
		exchange "$1" "$2"
	fi
}

# s_server with PEER_ARGS; the application connects with server NAME.
# Checks: connect() fails with ERRNO, the peer shows ALERT, nothing
# installed, hs_failed moved.
reject_case() {
	local name=$1 errname=$2 alert=$3 desc=$4 d peer_pid
	shift 4
	port=$((port + 1))
	d=$tmp/neg-$port
	mkdir -p "$d"
	mkfifo "$d/peer.in"
	peer_bg "$d/peer" timeout 60 openssl s_server -dtls1_2 \
		-accept "$P_ADDR:$port" -cipher ECDHE-ECDSA-AES128-CCM8 -quiet \
		"$@" <>"$d/peer.in"
	peer_pid=$pid
	peer_bound "$port" "$T_STEP"
	app_start "$d" client "$P_ADDR" "$port" "$name"
	why=""
	if ! wait_text "$d/app" "report end" "$T_STEP"; then
		why="connect() did not fail"
	elif ! grep -qx "connect: $errname" "$d/app"; then
		why="connect() did not fail with $errname"
	elif ! grep -qx "associations 0" "$d/app"; then
		why="an association is installed"
	elif ! wait_text "$d/peer" "$alert" "$T_STEP"; then
		why="the peer did not report '$alert'"
	elif ! stat_moved hs_failed "$d/app"; then
		why="hs_failed did not move"
	fi
	[ -z "$why" ]
	result $? "$desc" "$d/app" "$d/peer" "$tmp/hsd.log"
	kill "$peer_pid" 2>/dev/null
}

# 1. wrong PSK, m2msec server: DTLS drops the records that do not verify
# (RFC 6347 4.1.2.7), so m2msecd tells a wrong key from silence by the
# protected epoch of the client's Finished.
port=$((port + 1))
d=$tmp/neg-psk
app_start "$d" server "$M_ADDR" "$port"
wait_text "$d/app" listening "$T_STEP"
mkfifo "$d/peer.in"
peer_bg "$d/peer" timeout 60 openssl s_client -dtls1_2 \
	-connect "$M_ADDR:$port" -cipher PSK-AES128-CCM8 -legacy_server_connect \
	-psk_identity "$PSK_ID" -psk ffeeddccbbaa99887766554433221100 \
	-quiet <>"$d/peer.in"
echo "never-delivered" >"$d/peer.in"
why=""
if ! wait_text "$tmp/hsd.log" "failed (Key was rejected by service)" "$T_STEP"; then
	why="m2msecd did not fail the handshake with EKEYREJECTED"
else
	app_report "$d"
	if ! stat_moved hs_failed "$d/app"; then
		why="hs_failed did not move"
	elif ! grep -qx "associations 0" "$d/report"; then
		why="an association is installed"
	elif grep -q "^recv" "$d/app"; then
		why="the application received data"
	fi
fi
[ -z "$why" ]
result $? "wrong PSK: openssl s_client DTLS 1.2 PSK-AES128-CCM8 -> m2msec server: m2msecd fails the handshake with EKEYREJECTED, no association, nothing delivered, hs_failed counted" \
	"$d/app" "$d/peer" "$tmp/hsd.log"
app_say "$d" '!quit'

# 2-5. the server's certificate is refused by the m2msec client.
make_pki "$tmp/other"
reject_case localhost EKEYREJECTED "alert unknown ca" \
	"untrusted certificate: m2msec client -> openssl s_server DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 with a chain from another root: connect() fails with EKEYREJECTED, the peer gets unknown_ca, no association, hs_failed counted" \
	-cert "$tmp/other/srv.pem" -key "$tmp/other/srv.key" -cert_chain "$tmp/other/int.pem"
if make_expired; then
	reject_case localhost EKEYREJECTED "alert certificate expired" \
		"expired certificate: m2msec client -> openssl s_server DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 with a leaf that expired yesterday: connect() fails with EKEYREJECTED, the peer gets certificate_expired, no association, hs_failed counted" \
		-cert "$P/exp.pem" -key "$P/srv.key" -cert_chain "$P/int.pem"
else
	show "$P/exp.log"
	not_ok "expired certificate: the test certificate could not be made"
fi
# After the expired case, whose peer sent the intermediate: m2msecd must not
# keep intermediates from earlier handshakes as trusted.
reject_case localhost EKEYREJECTED "alert unknown ca" \
	"missing intermediate: m2msec client (trusting the root only) -> openssl s_server DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 sending its leaf alone: connect() fails with EKEYREJECTED, the peer gets unknown_ca, no association, hs_failed counted" \
	-cert "$P/srv.pem" -key "$P/srv.key"
reject_case other.example EKEYREJECTED "alert bad certificate" \
	"server name mismatch: m2msec client with server name other.example -> openssl s_server DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 with a certificate for localhost: connect() fails with EKEYREJECTED, the peer gets bad_certificate, no association, hs_failed counted" \
	-cert "$P/srv.pem" -key "$P/srv.key" -cert_chain "$P/int.pem"

# 6-8. the daemon killed while it holds a handshake.
# An association made before, with s_server (PSK) on port $kept.
port=$((port + 1))
kept=$port
dk=$tmp/kept
# It must outlive the killed-daemon case (up to four steps).
psk_peer "$dk" "$kept" $((5 * T_STEP))
app_start "$dk" client "$P_ADDR" "$kept"
kept_app=$app
wait_text "$dk/app" connect "$T_STEP"
app_say "$dk" before-kill
wait_text "$dk/peer" before-kill "$T_STEP" || diag "the association before the kill does not work"

# A peer that reads the ClientHello and never answers.
port=$((port + 1))
d=$tmp/killed
mkdir -p "$d"
peer_bg "$d/peer" timeout 60 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
print("bound", flush=True)
data, a = s.recvfrom(65536)
print("got %d bytes from %s:%d" % (len(data), a[0], a[1]), flush=True)
time.sleep(60)' "$P_ADDR" "$port"
wait_text "$d/peer" bound "$T_STEP"
app_start "$d" client "$P_ADDR" "$port"
why=""
if ! wait_text "$d/peer" "got " "$T_STEP" ||
   ! wait_text "$tmp/hsd.log" "client with $P_ADDR:$port" "$T_STEP"; then
	why="m2msecd did not start the handshake"
else
	kill -KILL "$hsd"
	wait "$hsd" 2>/dev/null
	if ! wait_text "$d/app" "report end" "$T_STEP"; then
		why="connect() did not return"
	elif ! grep -qx "connect: ECONNABORTED" "$d/app"; then
		why="connect() did not fail with ECONNABORTED"
	elif ! grep -qx "associations 0" "$d/app"; then
		why="an association is installed"
	elif ! stat_moved hs_failed "$d/app"; then
		why="hs_failed did not move"
	fi
fi
[ -z "$why" ]
result $? "daemon killed (SIGKILL) during a DTLS 1.2 handshake it accepted: connect() fails with ECONNABORTED (the channel closed, before hs-timeout-ms), no association, hs_failed counted" \
	"$d/app" "$d/peer" "$tmp/hsd.log"

# The association made before the kill still carries data both ways.
why=""
exchange "$dk" after-kill
[ -z "$why" ] && assoc_ok "$dk" 1.2 AES-128-CCM-8 "psk:$PSK_ID"
result $? "daemon killed: the association made before (openssl s_server DTLS 1.2 PSK-AES128-CCM8) keeps carrying data both ways through the kernel" \
	"$dk/app" "$dk/peer"
app_say "$dk" '!quit'

# A restarted daemon completes a new handshake.  Its readiness goes to an
# abstract notify socket of this network namespace, read by a receiver
# that writes one line per datagram.
mv "$tmp/hsd.log" "$tmp/hsd-killed.log"
nsock=@m2msec-hs-negative-$$
bg "$tmp/notify.log" python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
print("bound", flush=True)
while True:
    print(s.recv(4096).decode().replace("\n", "|"), flush=True)
' "$nsock"
wait_text "$tmp/notify.log" bound "$T_STEP"
NOTIFY_SOCKET=$nsock hsd_start "$tmp/conf"
port=$((port + 1))
d=$tmp/restarted
psk_peer "$d" "$port" 60
app_start "$d" client "$P_ADDR" "$port"
why=""
connected_exchange "$d" after-restart
[ -z "$why" ] && assoc_ok "$d" 1.2 AES-128-CCM-8 "psk:$PSK_ID"
result $? "daemon restarted after SIGKILL: a new DTLS 1.2 PSK-AES128-CCM8 handshake with openssl s_server completes, data both ways through the kernel" \
	"$d/app" "$d/peer" "$tmp/hsd.log"
app_say "$d" '!quit'

# 9. no daemon: nobody accepts, the kernel's timeout fails connect().
hsd_stop
why=""
if ! grep -q '^READY=1|STATUS=taking handshake requests' "$tmp/notify.log"; then
	why="no READY=1 with its STATUS"
elif ! wait_text "$tmp/notify.log" STOPPING=1 "$T_STEP"; then
	why="no STOPPING=1"
elif [ "$(grep -vx bound "$tmp/notify.log" | cut -d'|' -f1 | tr '\n' ' ')" != "READY=1 STOPPING=1 " ]; then
	why="other messages than READY=1, STOPPING=1"
fi
[ -z "$why" ]
result $? "notify: the restarted daemon sends READY=1 to \$NOTIFY_SOCKET once it joined the handshake group, STOPPING=1 on SIGTERM" \
	"$tmp/notify.log" "$tmp/hsd.log"
port=$((port + 1))
d=$tmp/nodaemon
app_start "$d" client "$P_ADDR" "$port"
why=""
if ! wait_text "$d/app" "report end" "$T_STEP"; then
	why="connect() did not return"
elif ! grep -qx "connect: ETIMEDOUT" "$d/app"; then
	why="connect() did not fail with ETIMEDOUT"
elif ! grep -qx "associations 0" "$d/app"; then
	why="an association is installed"
elif ! stat_moved hs_timeout "$d/app"; then
	why="hs_timeout did not move"
fi
[ -z "$why" ]
result $? "no daemon: connect() fails with ETIMEDOUT after hs-timeout-ms, no association, hs_timeout counted" "$d/app"

# 10. a daemon that starts while a connect() waits takes its request.
port=$((port + 1))
d=$tmp/late
psk_peer "$d" "$port" 120
mv "$tmp/hsd.log" "$tmp/hsd-restarted.log"
app_start "$d" client "$P_ADDR" "$port"
# The request is announced, to nobody: wait until it is pending.
end=$((SECONDS + T_STEP))
while ((SECONDS < end)) && [ "$(stat_of hs_pending)" != 1 ]; do sleep 0.2; done
why=""
if [ "$(stat_of hs_pending)" != 1 ]; then
	why="no pending handshake request: $(stat_of hs_pending)"
elif grep -q "^connect" "$d/app"; then
	why="connect() returned before a daemon ran: $(grep "^connect" "$d/app")"
else
	hsd_start "$tmp/conf"
	if ! wait_text "$d/app" connect "$hs_secs" || ! grep -qx connected "$d/app"; then
		why="connect() did not succeed"
	elif ! grep -q "1 handshake request made before the daemon started" "$tmp/hsd.log"; then
		why="the daemon did not take the request from the kernel's list"
	else
		exchange "$d" after-late-start
	fi
fi
[ -z "$why" ] && assoc_ok "$d" 1.2 AES-128-CCM-8 "psk:$PSK_ID"
result $? "late daemon: a connect() waiting with no daemon completes once m2msecd starts (it takes the pending request with HS_GET), data both ways through the kernel" \
	"$d/app" "$d/peer" "$tmp/hsd.log"
app_say "$d" '!quit'
hsd_stop

# 11. m2msecd as a dedicated user (as m2msecd.service runs it): uid and
# gid 65534, CAP_NET_ADMIN its only capability, its files owned by root
# and readable by its group.
u=$tmp/user
mkdir -p "$u"
cp "$tmp/psk" "$P/ca.pem" "$u/"
sed -e "s|^ca .*|ca $u/ca.pem|" -e "s|^key-file .*|key-file $u/psk|" "$tmp/conf" >"$u/conf"
chown -R root:65534 "$u"
chmod 0640 "$u/conf" "$u/psk" "$u/ca.pem"
chmod 0750 "$u"
chmod 0711 "$tmp"
mv "$tmp/hsd.log" "$tmp/hsd-late.log"
bg "$tmp/hsd.log" setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
	--bounding-set=-all,+net_admin "$HSD" -f -v -c "$u/conf" </dev/null
hsd=$pid
port=$((port + 1))
d=$tmp/asuser
why=""
if ! wait_text "$tmp/hsd.log" "ready:" "$T_STEP"; then
	why="the daemon did not start"
else
	status=$(cat "/proc/$hsd/status")
	if ! grep -q "^Uid:[[:space:]]*65534" <<<"$status" ||
	   ! grep -q "^CapEff:[[:space:]]*0000000000001000$" <<<"$status"; then
		why="not running as uid 65534 with CAP_NET_ADMIN alone: $(grep -E '^(Uid|CapEff)' <<<"$status" | tr '\n' ' ')"
	fi
fi
if [ -z "$why" ]; then
	psk_peer "$d" "$port" 60
	app_start "$d" client "$P_ADDR" "$port"
	connected_exchange "$d" from-user-daemon
fi
[ -z "$why" ] && assoc_ok "$d" 1.2 AES-128-CCM-8 "psk:$PSK_ID"
result $? "dedicated user: m2msecd as uid 65534 with CAP_NET_ADMIN as its only capability, reading root-owned group-readable files, completes a DTLS 1.2 PSK handshake with openssl s_server; data both ways through the kernel" \
	"$tmp/hsd.log" "$d/app" "$d/peer"
app_say "$d" '!quit'
hsd_stop
finish
