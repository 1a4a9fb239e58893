#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DTLS 1.3 key updates after an m2msecd handshake, against wolfSSL's
# unmodified example programs (loopback):
#
#   wolfSSL example            m2msec socket (hs_keyupdate_app.py)
#        <--- handshake --->   kernel <-> m2msecd
#   KeyUpdate (-I) -------->   control channel -> m2msecd: RX epoch 4, ACK,
#                   <-------   our KeyUpdate (update requested) -> TX epoch 4
#                   <------>   data in epoch 4 both ways, through the kernel
#   close_notify ---------->   m2msecd deletes the association
#
#   m2msecctl assoc rekey ID   m2msecd: KeyUpdate, ACKed -> TX epoch 4
#   m2msecctl assoc del ID     close_notify, association and state gone
#
#   DTLS 1.2 (openssl s_client): rekey refused (no KeyUpdate in 1.2),
#   the client's close_notify deletes the association
#
#   policy (configuration reloaded with SIGHUP), m2msec client -> wolfSSL:
#   rekey-after-seconds 10     m2msecd's KeyUpdate on its own -> TX epoch 4+
#   rekey-after-records 16     after 16 records sent in epoch 3 -> TX epoch 4
#
#   m2msec client with a certificate -> wolfSSL server requiring one
#   (mutual authentication): m2msecctl assoc rekey -> TX epoch 4; our
#   KeyUpdate's message_seq counts our Certificate and CertificateVerify
#
# Each case reads the association's epochs and counters from
# `m2msecctl -j assoc show`.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
HSD=$REPO/user/m2msecd/m2msecd
APP="python3 $HERE/hs_keyupdate_app.py"
N=14

plan $N
. "$HERE/interop_lib.sh"
if [ ! -x "$HSD" ] || ! wolf_built; then
	for i in $(seq $N); do skip "key update test $i" "m2msecd or the wolfSSL examples not built"; done
	finish
fi
ip link set lo up
mod_load
ix_init
wolf() { WOLF_TIMEOUT=90 wolf_bg "$@"; }
stat_of() { "$CTL" -j stats | python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
# The namespace's counters include earlier tests' deliberate failures:
# claims compare with the value at the start.
auth_fail0=$(stat_of auth_fail)

# Print "ID TX_EPOCH RX_EPOCH AUTH_FAIL PEER SOCKET" of the association with the peer
# on port $port (set by each case), or nothing.
assoc() {
	"$CTL" -j assoc show 2>/dev/null | python3 -c '
import json, sys
for a in json.load(sys.stdin):
    if ":" + sys.argv[1] in (a.get("peer", "")[-5:], a.get("local", "")[-5:]):
        print(a["id"], a["tx"]["epoch"], a["rx"]["epoch"],
              a["stats"]["auth_fail"], a["peer"], a["socket"])' "$port"
}
# Wait up to SECS for the association to reach "TX RX" epochs.
wait_epochs() {
	local want=$1 end=$((SECONDS + $2 + 1)) a
	while ((SECONDS < end)); do
		a=$(assoc)
		[ -n "$a" ] && [ "$(echo "$a" | cut -d' ' -f2,3)" = "$want" ] && return 0
		sleep 0.3
	done
	return 1
}
# Wait up to SECS for the association to send in epoch $1 or later.
wait_tx_from() {
	local end=$((SECONDS + $2 + 1)) a
	while ((SECONDS < end)); do
		a=$(assoc)
		[ -n "$a" ] && (($(echo "$a" | cut -d' ' -f2) >= $1)) && return 0
		sleep 0.3
	done
	return 1
}
# Reload the configuration with the global settings on standard input
# added (and the sections in file $2); wait for the daemon's ${1}th
# successful reload.
reload_with() {
	local n=$1 end=$((SECONDS + 31))
	{ cat; cat "$tmp/conf.base" "${2:-/dev/null}"; } >"$tmp/conf"
	kill -HUP "$hsd"
	while ((SECONDS < end)); do
		(($(grep -c "reload: .* loaded;" "$tmp/hsd.log") >= n)) && return 0
		sleep 0.3
	done
	return 1
}
wait_no_assoc() {
	local end=$((SECONDS + $1 + 1))
	while ((SECONDS < end)); do
		[ -z "$(assoc)" ] && return 0
		sleep 0.3
	done
	return 1
}

make_pki "$tmp/pki"
P=$tmp/pki
cat >"$tmp/conf" <<CONF
ca $P/ca.pem
handshake-timeout 8
[psk]
identity m2m-ae-1
key 00112233445566778899aabbccddeeff
[psk]
identity Client_identitySHA256
key $WOLF_PSK13
CONF
chmod 600 "$tmp/conf"
cp "$tmp/conf" "$tmp/conf.base"
bg "$tmp/hsd.log" "$HSD" -f -vv -c "$tmp/conf"
hsd=$pid
sleep 1

# 1-3. wolfSSL client with -I (KeyUpdate right after the handshake,
# update requested) -> m2msec server, DTLS 1.3 PSK, AES-128-GCM.
d=$tmp/c1; mkdir -p "$d"; port=4441
bg "$d/app" $APP server 127.0.0.1 4441 60 4
wait_text "$d/app" listening 30
wolf "$d/peer" client -u -v 4 -s -I -h 127.0.0.1 -p 4441 -l TLS13-AES128-GCM-SHA256
peer=$pid
# The client's records after its KeyUpdate can only decrypt in epoch 4
# once m2msecd installed it and the client got the ACK.
if wait_text "$d/app" "recv epoch 4" 60 &&
   grep -q "peer key update, receiving in epoch 4, update requested" "$tmp/hsd.log"; then
	ok "wolfSSL client DTLS 1.3 PSK KeyUpdate (-I) -> m2msec server: m2msecd installs RX epoch 4 and ACKs, the client's next record decrypts in epoch 4 in the kernel"
else
	show "$d/app" "$d/peer" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "wolfSSL client DTLS 1.3 PSK KeyUpdate (-I) -> m2msec server: m2msecd installs RX epoch 4 and ACKs, the client's next record decrypts in epoch 4 in the kernel"
fi
# The update the client requested: m2msecd's KeyUpdate, ACKed by the
# client, then ASSOC_SET of TX epoch 4 (logged only once the kernel took it).
if wait_text "$tmp/hsd.log" "sending in epoch 4" 30 &&
   [ "$(stat_of auth_fail)" = "$auth_fail0" ]; then
	ok "wolfSSL client DTLS 1.3 requested update: m2msecd's KeyUpdate is ACKed and TX epoch 4 installed, no authentication failures"
else
	show "$tmp/hsd.log"; "$CTL" stats 2>&1 | show
	not_ok "wolfSSL client DTLS 1.3 requested update: m2msecd's KeyUpdate is ACKed and TX epoch 4 installed, no authentication failures"
fi
wait_for "$peer" 60 >/dev/null
if wait_no_assoc 30 && grep -q "deleted: close_notify from the peer" "$tmp/hsd.log"; then
	ok "wolfSSL client DTLS 1.3 close_notify: m2msecd deletes the association"
else
	show "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "wolfSSL client DTLS 1.3 close_notify: m2msecd deletes the association"
fi

# 4-6. m2msec client -> wolfSSL echo server, DTLS 1.3 certificates;
# `m2msecctl assoc rekey` makes m2msecd send a KeyUpdate.
d=$tmp/c2; mkdir -p "$d"; mkfifo "$d/in"; port=4442
wolf "$d/peer" server -u -v 4 -p 4442 -c "$P/srv-chain.pem" -k "$P/srv.key" -d -e
sleep 1
bg "$d/app" $APP client 127.0.0.1 4442 90 <>"$d/in"
echo ping-before-rekey 1<>"$d/in"
wait_text "$d/app" "recv epoch 3" 60
id=$(assoc | cut -d' ' -f1)
"$CTL" assoc rekey "${id:-0}" >"$d/rekey" 2>&1
if wait_epochs "4 3" 40; then
	ok "m2msecctl assoc rekey, DTLS 1.3 m2msec client -> wolfSSL server: m2msecd's KeyUpdate is ACKed, TX epoch 4"
else
	show "$d/rekey" "$d/app" "$d/peer" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "m2msecctl assoc rekey, DTLS 1.3 m2msec client -> wolfSSL server: m2msecd's KeyUpdate is ACKed, TX epoch 4"
fi
echo ping-after-rekey 1<>"$d/in"
if wait_text "$d/app" "ping-after-rekey" 40 && grep -q "recv epoch 3.*ping-after-rekey" "$d/app" &&
   a=$(assoc) && [ "$(echo "$a" | cut -d' ' -f2,4)" = "4 0" ]; then
	ok "DTLS 1.3 after m2msec's KeyUpdate: the wolfSSL server decrypts our epoch 4 records and echoes them, no authentication failures"
else
	show "$d/app" "$d/peer"; "$CTL" assoc show 2>&1 | show
	not_ok "DTLS 1.3 after m2msec's KeyUpdate: the wolfSSL server decrypts our epoch 4 records and echoes them, no authentication failures"
fi
# m2msecctl assoc del: close_notify to the peer, the association and
# m2msecd's state for it go.
"$CTL" assoc del "${id:-0}" >"$d/del" 2>&1
st=$?
if [ $st = 0 ] && wait_no_assoc 30 &&
   wait_text "$tmp/hsd.log" "with 127.0.0.1:4442: closed" 30; then
	ok "m2msecctl assoc del of the DTLS 1.3 association: exit 0, the association is gone, m2msecd drops its state (channel at end of file)"
else
	show "$d/del" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "m2msecctl assoc del of the DTLS 1.3 association: exit 0, the association is gone, m2msecd drops its state (channel at end of file)"
fi

# 7-8. openssl s_client -> m2msec server, DTLS 1.2 PSK-AES128-CCM8.
d=$tmp/c3; mkdir -p "$d"; mkfifo "$d/in"; port=4443
bg "$d/app" $APP server 127.0.0.1 4443 90
wait_text "$d/app" listening 30
bg "$d/peer" timeout 90 openssl s_client -dtls1_2 -connect 127.0.0.1:4443 \
	-psk_identity m2m-ae-1 -psk 00112233445566778899aabbccddeeff \
	-cipher PSK-AES128-CCM8 -legacy_server_connect <>"$d/in"
peer=$pid
sleep 1
echo hello-dtls12 1<>"$d/in"
wait_text "$d/app" "recv epoch 1" 60
id=$(assoc | cut -d' ' -f1)
cpeer=$(assoc | cut -d' ' -f5)
# Another socket may have an association with the same id: name the socket.
"$CTL" assoc rekey "${id:-0}" --socket "$(assoc | cut -d' ' -f6)" >"$d/rekey" 2>&1
st=$?
if [ -n "$id" ] && [ $st = 1 ] && grep -q "DTLS 1.2 has no key update" "$d/rekey" &&
   [ "$(assoc | cut -d' ' -f2,3)" = "1 1" ]; then
	ok "m2msecctl assoc rekey of a DTLS 1.2 association (openssl s_client): refused (EOPNOTSUPP, exit 1, the message says why), epochs unchanged"
else
	show "$d/rekey" "$d/app" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "m2msecctl assoc rekey of a DTLS 1.2 association (openssl s_client): refused (EOPNOTSUPP, exit 1, the message says why), epochs unchanged"
fi
# s_client sends close_notify when it ends (Q on its input; without -quiet,
# which would make it ignore Q).
echo Q 1<>"$d/in"
if wait_no_assoc 40 &&
   grep -q "with ${cpeer:-none} deleted: close_notify from the peer" "$tmp/hsd.log"; then
	ok "openssl s_client DTLS 1.2 close_notify: m2msecd deletes the association"
else
	show "$d/peer" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "openssl s_client DTLS 1.2 close_notify: m2msecd deletes the association"
fi

# 9-10. Key update by age: rekey-after-seconds, no m2msecctl.
d=$tmp/c4; mkdir -p "$d"; mkfifo "$d/in"; port=4444
echo "rekey-after-seconds 10" | reload_with 1
wolf "$d/peer" server -u -v 4 -p 4444 -c "$P/srv-chain.pem" -k "$P/srv.key" -d -e
sleep 1
bg "$d/app" $APP client 127.0.0.1 4444 120 <>"$d/in"
echo ping-before-age 1<>"$d/in"
wait_text "$d/app" "recv epoch 3" 60
if wait_tx_from 4 60 &&
   grep -q "with 127.0.0.1:4444: key update (rekey-after-seconds reached)" "$tmp/hsd.log"; then
	ok "rekey-after-seconds 10, DTLS 1.3 m2msec client -> wolfSSL server: m2msecd starts a KeyUpdate on its own, the server ACKs it, TX epoch 4"
else
	show "$d/app" "$d/peer" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "rekey-after-seconds 10, DTLS 1.3 m2msec client -> wolfSSL server: m2msecd starts a KeyUpdate on its own, the server ACKs it, TX epoch 4"
fi
echo ping-after-age 1<>"$d/in"
if wait_text "$d/app" "ping-after-age" 40 && grep -q "recv epoch 3.*ping-after-age" "$d/app" &&
   a=$(assoc) && (($(echo "$a" | cut -d' ' -f2) >= 4)) && [ "$(echo "$a" | cut -d' ' -f4)" = 0 ]; then
	ok "DTLS 1.3 after the key update by age: the wolfSSL server decrypts our records of epoch 4 or later and echoes them, no authentication failures"
else
	show "$d/app" "$d/peer"; "$CTL" assoc show 2>&1 | show
	not_ok "DTLS 1.3 after the key update by age: the wolfSSL server decrypts our records of epoch 4 or later and echoes them, no authentication failures"
fi
"$CTL" assoc del "$(assoc | cut -d' ' -f1)" >/dev/null 2>&1
wait_no_assoc 30

# 11-12. Key update by records sent: rekey-after-records.
d=$tmp/c5; mkdir -p "$d"; mkfifo "$d/in"; port=4445
echo "rekey-after-records 16" | reload_with 2
wolf "$d/peer" server -u -v 4 -p 4445 -c "$P/srv-chain.pem" -k "$P/srv.key" -d -e
sleep 1
bg "$d/app" $APP client 127.0.0.1 4445 150 <>"$d/in"
echo rec-0 1<>"$d/in"
wait_text "$d/app" "recv epoch 3" 60
# One line at a time: the application sends each line it reads.
for i in $(seq 1 17); do
	echo "rec-$i" 1<>"$d/in"
	wait_text "$d/app" "sent: rec-$i" 20
done
if wait_epochs "4 3" 40 &&
   grep -q "with 127.0.0.1:4445: key update (rekey-after-records reached)" "$tmp/hsd.log"; then
	ok "rekey-after-records 16, DTLS 1.3 m2msec client -> wolfSSL server: once 16 records were sent in epoch 3 m2msecd's KeyUpdate is ACKed, TX epoch 4"
else
	show "$d/app" "$d/peer" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "rekey-after-records 16, DTLS 1.3 m2msec client -> wolfSSL server: once 16 records were sent in epoch 3 m2msecd's KeyUpdate is ACKed, TX epoch 4"
fi
echo ping-after-records 1<>"$d/in"
if wait_text "$d/app" "ping-after-records" 40 && grep -q "recv epoch 3.*ping-after-records" "$d/app" &&
   a=$(assoc) && [ "$(echo "$a" | cut -d' ' -f2,4)" = "4 0" ]; then
	ok "DTLS 1.3 after the key update by records sent: the wolfSSL server decrypts our epoch 4 records and echoes them, no authentication failures"
else
	show "$d/app" "$d/peer"; "$CTL" assoc show 2>&1 | show
	not_ok "DTLS 1.3 after the key update by records sent: the wolfSSL server decrypts our epoch 4 records and echoes them, no authentication failures"
fi
"$CTL" assoc del "$(assoc | cut -d' ' -f1)" >/dev/null 2>&1
wait_no_assoc 30

# 13-14. Mutual certificate authentication: the wolfSSL server (no -d)
# requires and verifies our certificate chain; m2msecd's KeyUpdate must
# carry the message_seq after our Certificate, CertificateVerify and
# Finished, or the server takes it for an old message and ignores it: it
# still ACKs the record, so only case 14 (our epoch 4 records decrypt
# at the server) shows that the update took place.
d=$tmp/c6; mkdir -p "$d"; mkfifo "$d/in"; port=4446
printf '[certificate]\ncert %s\nkey %s\n' "$P/cli-chain.pem" "$P/cli.key" >"$d/cert"
reload_with 3 "$d/cert" </dev/null
wolf "$d/peer" server -u -v 4 -p 4446 -c "$P/srv-chain.pem" -k "$P/srv.key" -A "$P/ca.pem" -e
sleep 1
bg "$d/app" $APP client 127.0.0.1 4446 90 <>"$d/in"
echo ping-mutual 1<>"$d/in"
wait_text "$d/app" "recv epoch 3" 60
id=$(assoc | cut -d' ' -f1)
"$CTL" assoc rekey "${id:-0}" >"$d/rekey" 2>&1
if [ -n "$id" ] && wait_epochs "4 3" 40; then
	ok "m2msecctl assoc rekey, DTLS 1.3 m2msec client with a certificate -> wolfSSL server requiring client certificates: the server ACKs m2msecd's KeyUpdate, TX epoch 4"
else
	show "$d/rekey" "$d/app" "$d/peer" "$tmp/hsd.log"; "$CTL" assoc show 2>&1 | show
	not_ok "m2msecctl assoc rekey, DTLS 1.3 m2msec client with a certificate -> wolfSSL server requiring client certificates: the server ACKs m2msecd's KeyUpdate, TX epoch 4"
fi
echo ping-mutual-after-rekey 1<>"$d/in"
if wait_text "$d/app" "ping-mutual-after-rekey" 40 && grep -q "recv epoch 3.*ping-mutual-after-rekey" "$d/app" &&
   a=$(assoc) && [ "$(echo "$a" | cut -d' ' -f2,4)" = "4 0" ]; then
	ok "DTLS 1.3 mutual certificate authentication after m2msec's KeyUpdate: the wolfSSL server decrypts our epoch 4 records and echoes them, no authentication failures"
else
	show "$d/app" "$d/peer"; "$CTL" assoc show 2>&1 | show
	not_ok "DTLS 1.3 mutual certificate authentication after m2msec's KeyUpdate: the wolfSSL server decrypts our epoch 4 records and echoes them, no authentication failures"
fi
"$CTL" assoc del "${id:-0}" >/dev/null 2>&1
finish
