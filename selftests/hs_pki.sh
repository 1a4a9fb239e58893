#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A fresh ECDSA P-256 PKI for the handshake tests, valid for two days (the
# certificates some libraries ship expire): root CA, intermediate CA, and
# server and client leaves for CN=localhost (SAN IP:127.0.0.1, DNS:localhost)
# signed by the intermediate.
#
# Usage: selftests/hs_pki.sh DIR
#   DIR/ca.pem, int.pem, srv.pem srv.key srv-chain.pem, cli.pem cli.key
#   cli-chain.pem (keys mode 0600)
set -eu
d=$1
mkdir -p "$d"
cd "$d"
umask 077
ec() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
ec ca.key; ec int.key; ec srv.key; ec cli.key
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >leaf.ext
openssl req -new -x509 -key ca.key -subj /CN=m2msec-test-root -days 2 \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign -out ca.pem
openssl req -new -key int.key -subj /CN=m2msec-test-int -out int.csr
openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-days 2 -extfile ca.ext -out int.pem 2>/dev/null
for l in srv cli; do
	openssl req -new -key $l.key -subj /CN=localhost -out $l.csr
	openssl x509 -req -in $l.csr -CA int.pem -CAkey int.key \
		-CAcreateserial -days 2 -extfile leaf.ext -out $l.pem 2>/dev/null
	cat $l.pem int.pem >$l-chain.pem
done
chmod 644 ./*.pem
