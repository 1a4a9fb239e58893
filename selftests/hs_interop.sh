#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Handshakes by m2msecd for applications on m2msec sockets, against
# unmodified peers, application data through the kernel (loopback):
#
#   peer (openssl, wolfSSL examples)     hs_app.py on an m2msec socket
#        <---- DTLS handshake ---->      kernel <-> m2msecd (upcall)
#        <---- records ----------->      kernel record layer
#
# Then the failures: wrong PSK and untrusted certificate fail on both
# sides with nothing installed and counters moved; without a daemon
# connect() fails with ETIMEDOUT.  Last, a server's certificate chosen by
# the ClientHello's server_name.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
HSD=$REPO/user/m2msecd/m2msecd
APP="python3 $HERE/hs_app.py"

plan 8
[ -x "$HSD" ] || { for i in 1 2 3 4 5 6 7 8; do skip "handshake test $i" "m2msecd not built"; done; finish; }
ip link set lo up
mod_load

. "$HERE/interop_lib.sh"
ix_init
stat_of() { python3 -c "import sys; sys.path.insert(0, '$HERE'); from m2msec import Genl, global_stats; print(global_stats(Genl())['$1'])"; }
# The wolfSSL examples may run for a minute: handshakes are slow here.
wolf() { WOLF_TIMEOUT=60 wolf_bg "$@"; }

make_pki "$tmp/pki"
P=$tmp/pki
echo 00112233445566778899aabbccddeeff >"$tmp/psk"; chmod 600 "$tmp/psk"
cat >"$tmp/conf" <<CONF
ca $P/ca.pem
handshake-timeout 6
[psk]
identity m2m-ae-1
key-file $tmp/psk
[psk]
identity Client_identitySHA256
key 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
CONF
chmod 600 "$tmp/conf"
bg "$tmp/hsd.log" "$HSD" -f -v -c "$tmp/conf"
hsd=$pid
sleep 1

# 1. openssl s_client -> m2msec server, DTLS 1.2 PSK-AES128-CCM8
d=$tmp/c1; mkdir -p "$d"
bg "$d/app" $APP server 127.0.0.1 4431 hello-from-openssl reply-from-kernel
wait_text "$d/app" listening 30
mkfifo "$d/in"
bg "$d/peer" timeout 60 openssl s_client -dtls1_2 -connect 127.0.0.1:4431 \
	-psk_identity m2m-ae-1 -psk 00112233445566778899aabbccddeeff \
	-cipher PSK-AES128-CCM8 -legacy_server_connect -quiet <>"$d/in"
sh -c 'sleep 8; echo hello-from-openssl' >"$d/in" &
pids+=("$!")
if wait_text "$d/peer" reply-from-kernel 40 && grep -q "peer id psk:m2m-ae-1" "$d/app"; then
	show "$d/app"; ok "openssl s_client DTLS 1.2 PSK-AES128-CCM8 -> m2msec server: m2msecd handshake, data both ways through the kernel, peer id psk:m2m-ae-1"
else
	show "$d/app" "$d/peer" "$tmp/hsd.log"; not_ok "openssl s_client DTLS 1.2 PSK-AES128-CCM8 -> m2msec server: m2msecd handshake, data both ways through the kernel, peer id psk:m2m-ae-1"
fi

# 2. m2msec client -> openssl s_server, DTLS 1.2 ECDHE-ECDSA-AES128-CCM8
d=$tmp/c2; mkdir -p "$d"; mkfifo "$d/in"
bg "$d/peer" timeout 60 openssl s_server -dtls1_2 -accept 127.0.0.1:4432 \
	-cert "$P/srv.pem" -key "$P/srv.key" -cert_chain "$P/int.pem" \
	-cipher ECDHE-ECDSA-AES128-CCM8 -quiet <>"$d/in"
sleep 1
bg "$d/app" $APP client 127.0.0.1 4432 hello-from-kernel localhost
if wait_text "$d/peer" hello-from-kernel 40 && grep -q "peer id x509:/CN=localhost" "$d/app"; then
	show "$d/app"; ok "m2msec client -> openssl s_server DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 (fresh P-256 chain, SNI localhost): connect() returns after the handshake, data through the kernel"
else
	show "$d/app" "$d/peer" "$tmp/hsd.log"; "$CTL" stats 2>&1 | show; "$CTL" assoc show 2>&1 | show
	not_ok "m2msec client -> openssl s_server DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 (fresh P-256 chain, SNI localhost): connect() returns after the handshake, data through the kernel"
fi


# 3. wolfSSL example client -> m2msec server, DTLS 1.3 PSK
d=$tmp/c3; mkdir -p "$d"
bg "$d/app" $APP server 127.0.0.1 4433 "hello wolfssl" reply-from-kernel
wait_text "$d/app" listening 30
wolf "$d/peer" client -u -v 4 -s -h 127.0.0.1 -p 4433 -l TLS13-AES128-GCM-SHA256
if wait_text "$d/peer" reply-from-kernel 40; then
	show "$d/app"; ok "wolfSSL client DTLS 1.3 PSK -> m2msec server: m2msecd handshake, data both ways through the kernel"
else
	show "$d/app" "$d/peer" "$tmp/hsd.log"; not_ok "wolfSSL client DTLS 1.3 PSK -> m2msec server: m2msecd handshake, data both ways through the kernel"
fi

# 4. m2msec client -> wolfSSL example server, DTLS 1.3 certificates
d=$tmp/c4; mkdir -p "$d"
wolf "$d/peer" server -u -v 4 -p 4434 -c "$P/srv-chain.pem" -k "$P/srv.key" -d
sleep 1
bg "$d/app" $APP client 127.0.0.1 4434 hello-wolfssl-from-kernel
if wait_text "$d/peer" hello-wolfssl-from-kernel 40; then
	show "$d/app"; ok "m2msec client -> wolfSSL server DTLS 1.3 certificates: connect() returns after the handshake, data through the kernel"
else
	show "$d/app" "$d/peer" "$tmp/hsd.log"; not_ok "m2msec client -> wolfSSL server DTLS 1.3 certificates: connect() returns after the handshake, data through the kernel"
fi

# 5. wrong PSK: the server fails (EKEYREJECTED), nothing installed
d=$tmp/c5; mkdir -p "$d"
failed0=$(stat_of hs_failed)
bg "$d/app" $APP server 127.0.0.1 4435 never never
wait_text "$d/app" listening 30
bg "$d/peer" sh -c "sleep 20 | timeout 20 openssl s_client -dtls1_2 -connect 127.0.0.1:4435 -psk_identity m2m-ae-1 -psk ffeeddccbbaa99887766554433221100 -cipher PSK-AES128-CCM8 -legacy_server_connect -quiet"
if wait_text "$tmp/hsd.log" "failed (Key was rejected by service)" 45 &&
   [ "$(stat_of hs_failed)" -gt "$failed0" ] &&
   ! "$CTL" assoc show 2>/dev/null | grep -q 4435; then
	ok "wrong PSK: m2msecd fails the handshake with EKEYREJECTED, nothing installed, hs_failed counted"
else
	show "$tmp/hsd.log"; not_ok "wrong PSK: m2msecd fails the handshake with EKEYREJECTED, nothing installed, hs_failed counted"
fi

# 6. untrusted certificate: connect() fails with EKEYREJECTED
d=$tmp/c6; mkdir -p "$d"; mkfifo "$d/in"
make_pki "$d/other"
bg "$d/peer" timeout 60 openssl s_server -dtls1_2 -accept 127.0.0.1:4436 \
	-cert "$d/other/srv.pem" -key "$d/other/srv.key" -cert_chain "$d/other/int.pem" \
	-cipher ECDHE-ECDSA-AES128-CCM8 -quiet <>"$d/in"
sleep 1
$APP connect-errno 127.0.0.1 4436 >"$d/app" 2>&1
if grep -qx EKEYREJECTED "$d/app"; then
	ok "untrusted certificate: connect() fails with EKEYREJECTED"
else
	show "$d/app" "$tmp/hsd.log"; not_ok "untrusted certificate: connect() fails with EKEYREJECTED"
fi

# 7. no daemon: connect() fails with ETIMEDOUT
kill "$hsd"; wait "$hsd" 2>/dev/null
$APP connect-errno 127.0.0.1 4437 >"$tmp/c7" 2>&1
if grep -qx ETIMEDOUT "$tmp/c7"; then
	ok "no daemon: connect() fails with ETIMEDOUT after the kernel's handshake timeout"
else
	show "$tmp/c7"; not_ok "no daemon: connect() fails with ETIMEDOUT after the kernel's handshake timeout"
fi

# 8. The ClientHello's server_name picks the server's certificate: the
# listener answers first flights statelessly with the context it names.
d=$tmp/c8; mkdir -p "$d"; mkfifo "$d/in"
make_pki "$d/named"
cat >"$d/conf" <<CONF
ca $d/named/ca.pem
handshake-timeout 6
[certificate]
server-name named.example
cert $d/named/srv-chain.pem
key $d/named/srv.key
[certificate]
cert $P/srv-chain.pem
key $P/srv.key
CONF
chmod 600 "$d/conf"
bg "$d/hsd.log" "$HSD" -f -v -c "$d/conf"
hsd=$pid
wait_text "$d/hsd.log" "ready:" 30
bg "$d/app" $APP server 127.0.0.1 4438 hello-by-name reply-by-name
wait_text "$d/app" listening 30
bg "$d/peer" timeout 60 openssl s_client -dtls1_2 -connect 127.0.0.1:4438 \
	-servername named.example -CAfile "$d/named/ca.pem" -verify_return_error \
	-cert "$d/named/cli.pem" -key "$d/named/cli.key" -cert_chain "$d/named/int.pem" \
	-cipher ECDHE-ECDSA-AES128-CCM8 -legacy_server_connect -quiet <>"$d/in"
sh -c 'sleep 8; echo hello-by-name' >"$d/in" &
pids+=("$!")
if wait_text "$d/peer" reply-by-name 40; then
	show "$d/app"; ok "SNI: openssl s_client DTLS 1.2 asking for named.example gets that [certificate] (verified against its own root only; client certificate) through the listener's stateless cookie exchange, data both ways"
else
	show "$d/app" "$d/peer" "$d/hsd.log"; not_ok "SNI: openssl s_client DTLS 1.2 asking for named.example gets that [certificate] (verified against its own root only; client certificate) through the listener's stateless cookie exchange, data both ways"
fi
kill "$hsd"; wait "$hsd" 2>/dev/null
finish
