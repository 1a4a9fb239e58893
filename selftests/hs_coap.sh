#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# CoAP over DTLS between libcoap's unmodified example programs and CoAP
# applications on m2msec sockets (selftests/coap_app.py), loopback:
#
#   coap-client-{openssl,gnutls}  --- DTLS 1.2 handshake --->  m2msec socket, listen()
#        GET coaps://.../path      <-- kernel <-> m2msecd -->   coap_app.py server
#        2.05 "m2msec-coap /path"  <-- records: kernel ------   (peer id per association)
#
#   coap-server-{openssl,gnutls}  <--- DTLS 1.2 handshake ---  m2msec socket, connect()
#        resource "/"              <-- GET, 2.05 ----------->   coap_app.py client
#
# Each case proves: the handshake ran in m2msecd (hs_completed moved), the
# CoAP request and its response went through the kernel record layer
# (the association's rx/tx counters, no authentication failure), and the
# application got the peer's authenticated identity for its association.
#
# libcoap 4.3.1 (Debian 12) speaks DTLS 1.2 only.  What it needs here:
# - coap-client-openssl: OpenSSL 3 refuses servers without the
#   renegotiation_info extension, which the wolfSSL build m2msecd uses does
#   not send; an OpenSSL configuration file (OPENSSL_CONF) allows it
#   (UnsafeLegacyServerConnect, the -legacy_server_connect of s_client).
# - m2msecd as a client offers DTLS 1.2 and 1.3 (its default) and falls
#   back to DTLS 1.2, and offers only the suites its credentials can
#   complete (no PSK suites without a [psk]: coap-server-gnutls would pick
#   one and fail); the client cases keep the default versions and suites.
# - The OpenSSL variants send only their leaf certificate (no
#   intermediates), so the certificate cases use the GnuTLS variants, which
#   send the chain: m2msecd trusts the root only.
# $tmp and $pid come from interop_lib.sh; its bg passes stdin on.
# shellcheck disable=SC2154,SC2217
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
HSD=$REPO/user/m2msecd/m2msecd
APP="python3 $HERE/coap_app.py"
N=6

plan $N
skip_all() { local i; for ((i = 1; i <= N; i++)); do skip "libcoap interop $i" "$1"; done; finish; }
[ -x "$HSD" ] || skip_all "m2msecd not built"
for p in coap-client-openssl coap-client-gnutls coap-server-openssl coap-server-gnutls; do
	command -v $p >/dev/null || skip_all "$p missing (libcoap3-bin, scripts/deps.sh)"
done
ip link set lo up
mod_load

. "$HERE/interop_lib.sh"
ix_init
stat_of() { python3 -c "import sys; sys.path.insert(0, '$HERE'); from m2msec import Genl, global_stats; print(global_stats(Genl())['$1'])"; }

# The PSK: libcoap takes the key as text, m2msecd as hex.
PSK_ID=coap-ae-1
PSK_TEXT=m2msec-coap-psk1
printf '%s' "$PSK_TEXT" | od -An -tx1 | tr -d ' \n' >"$tmp/psk"
chmod 600 "$tmp/psk"

# A fresh PKI; the CoAP client's certificate gets a name of its own, so
# that the server side can tell the peer's identity from its own.
make_pki "$tmp/pki" || { show "$tmp/pki/pki.log"; skip_all "cannot make the test PKI"; }
P=$tmp/pki
(
	cd "$P" && umask 077 &&
	openssl ecparam -name prime256v1 -genkey -noout -out ae.key &&
	openssl req -new -key ae.key -subj /CN=coap-ae-2 -out ae.csr &&
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:coap-ae-2\n' >ae.ext &&
	openssl x509 -req -in ae.csr -CA int.pem -CAkey int.key -CAcreateserial \
		-days 2 -extfile ae.ext -out ae.pem && cat ae.pem int.pem >ae-chain.pem
) >>"$P/pki.log" 2>&1 || { show "$P/pki.log"; skip_all "cannot make the client certificate"; }

cat >"$tmp/osslcnf" <<'CNF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = UnsafeLegacyServerConnect
CNF

# m2msecd as a CSE would run it: the PSK, the server certificate chain,
# clients' certificates requested.
cat >"$tmp/conf" <<CONF
versions 1.2 1.3
ca $P/ca.pem
handshake-timeout 8
[psk]
identity $PSK_ID
key-file $tmp/psk
[certificate]
cert $P/srv-chain.pem
key $P/srv.key
ca $P/ca.pem
client-certificate request
CONF
chmod 600 "$tmp/conf"
# hsd_start N CONF: (re)start m2msecd with CONF, log in $tmp/hsd-N.log
hsd=
hsd_start() {
	[ -n "$hsd" ] && { kill "$hsd"; wait "$hsd" 2>/dev/null; }
	chmod 600 "$2"
	bg "$tmp/hsd-$1.log" "$HSD" -f -v -c "$2"
	hsd=$pid
	wait_text "$tmp/hsd-$1.log" "ready:" 20
}
hsd_start 1 "$tmp/conf"

# The kernel's view of the association: DTLS 1.2, cipher $1, records both
# ways, no authentication failure, no replay.
assoc_re() { echo "^association [0-9]+ DTLS 1\.2 $1 counters: rx_records [1-9][0-9]* tx_records [1-9][0-9]* auth_fail 0 replay 0\$"; }

# coap_to_m2msec CASE PORT DESC EXPECT_PEER CIPHER COAP-CLIENT-ARGS...
# coap_app.py serves one GET on 127.0.0.1:PORT; the libcoap client GETs
# /m2msec/PORT and must print the answer.
coap_to_m2msec() {
	local d=$tmp/$1 port=$2 desc=$3 peer=$4 cipher=$5 done0 path=/m2msec/$2
	shift 5
	mkdir -p "$d"
	done0=$(stat_of hs_completed)
	bg "$d/app" $APP server 127.0.0.1 "$port" 1 m2msec-coap </dev/null
	wait_text "$d/app" listening 30
	timeout 60 "$@" -B 40 -m get "coaps://127.0.0.1:$port$path" </dev/null >"$d/peer" 2>&1
	wait_for "$pid" 30
	if grep -qx "m2msec-coap $path" "$d/peer" &&
	   grep -q "request CoAP CON GET .* $path.* peer id $peer\$" "$d/app" &&
	   grep -Eq "$(assoc_re "$cipher")" "$d/app" &&
	   [ "$(stat_of hs_completed)" -gt "$done0" ]; then
		show "$d/app"; ok "$desc"
	else
		show "$d/app" "$d/peer" "$tmp"/hsd-*.log; not_ok "$desc"
	fi
}

# m2msec_to_coap CASE PORT DESC EXPECT_PEER CIPHER SERVER_NAME COAP-SERVER-ARGS...
# coap-server listens for DTLS on 127.0.0.1:PORT+1; coap_app.py connects
# and GETs "/", whose content names libcoap.
m2msec_to_coap() {
	local d=$tmp/$1 port=$2 desc=$3 peer=$4 cipher=$5 name=$6 done0
	shift 6
	mkdir -p "$d"
	done0=$(stat_of hs_completed)
	bg "$d/peer" timeout 90 "$@" -A 127.0.0.1 -p "$port" </dev/null
	wait_bound $((port + 1)) 20
	timeout 60 $APP client 127.0.0.1 $((port + 1)) / $name </dev/null >"$d/app" 2>&1
	if grep -q "^response CoAP ACK 2.05 Content .*" "$d/app" &&
	   grep -q "^  payload .*libcoap" "$d/app" &&
	   grep -q "^connected to 127.0.0.1:$((port + 1)), peer id $peer\$" "$d/app" &&
	   grep -Eq "$(assoc_re "$cipher")" "$d/app" &&
	   [ "$(stat_of hs_completed)" -gt "$done0" ]; then
		show "$d/app"; ok "$desc"
	else
		show "$d/app" "$d/peer" "$tmp"/hsd-*.log; not_ok "$desc"
	fi
}

# 1-3: libcoap clients -> CoAP server on an m2msec socket (listen())
OPENSSL_CONF=$tmp/osslcnf coap_to_m2msec c1 5684 \
	"coap-client-openssl DTLS 1.2 PSK-AES128-CCM8 GET -> CoAP server on a listening m2msec socket: m2msecd handshake, 2.05 response through the kernel, peer id psk:$PSK_ID" \
	"psk:$PSK_ID" AES-128-CCM-8 coap-client-openssl -u "$PSK_ID" -k "$PSK_TEXT"
coap_to_m2msec c2 5685 \
	"coap-client-gnutls DTLS 1.2 PSK-AES128-CCM8 GET -> CoAP server on a listening m2msec socket: m2msecd handshake, 2.05 response through the kernel, peer id psk:$PSK_ID" \
	"psk:$PSK_ID" AES-128-CCM-8 coap-client-gnutls -u "$PSK_ID" -k "$PSK_TEXT"
coap_to_m2msec c3 5686 \
	"coap-client-gnutls DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 (fresh P-256 chain, client certificate) GET -> CoAP server on a listening m2msec socket: 2.05 through the kernel, peer id x509:/CN=coap-ae-2" \
	"x509:/CN=coap-ae-2;san=coap-ae-2" AES-128-CCM-8 coap-client-gnutls -c "$P/ae-chain.pem" -j "$P/ae.key" -C "$P/ca.pem"

# 4-5: CoAP client on an m2msec socket (connect()) -> libcoap servers, PSK;
# m2msecd as an AE with a PSK would run it, offering DTLS 1.2 and 1.3
cat >"$tmp/conf-psk" <<CONF
handshake-timeout 8
[psk]
identity $PSK_ID
key-file $tmp/psk
CONF
hsd_start 2 "$tmp/conf-psk"
m2msec_to_coap c4 5690 \
	"CoAP client on a connecting m2msec socket -> coap-server-openssl DTLS 1.2 PSK-AES128-CCM8: connect() returns after the m2msecd handshake, GET / answered 2.05 with libcoap's content through the kernel" \
	"psk:$PSK_ID" AES-128-CCM-8 "" coap-server-openssl -k "$PSK_TEXT"
m2msec_to_coap c5 5692 \
	"CoAP client on a connecting m2msec socket -> coap-server-gnutls DTLS 1.2 PSK-AES128-CCM8: connect() returns after the m2msecd handshake, GET / answered 2.05 with libcoap's content through the kernel" \
	"psk:$PSK_ID" AES-128-CCM-8 "" coap-server-gnutls -k "$PSK_TEXT"

# 6: certificates; m2msecd as an AE with a certificate and no PSK,
# default versions and suites (it offers no PSK suite)
cat >"$tmp/conf-cert" <<CONF
ca $P/ca.pem
handshake-timeout 8
[certificate]
cert $P/ae-chain.pem
key $P/ae.key
CONF
hsd_start 3 "$tmp/conf-cert"
m2msec_to_coap c6 5694 \
	"CoAP client on a connecting m2msec socket (SNI localhost) -> coap-server-gnutls DTLS 1.2 ECDHE-ECDSA-AES128-CCM8 (fresh P-256 chain, mutual): GET / answered 2.05 through the kernel, peer id x509:/CN=localhost" \
	"x509:/CN=localhost;san=localhost" AES-128-CCM-8 localhost \
	coap-server-gnutls -c "$P/srv-chain.pem" -j "$P/srv.key" -C "$P/ca.pem"
finish
