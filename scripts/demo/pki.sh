#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A fresh PKI for the demo, ECDSA P-256, valid for one day:
#
#   demo-root.pem      root CA "m2msec demo root CA" (the trust anchor)
#   demo-int.pem       intermediate CA "m2msec demo device CA"
#   cse-chain.pem      CSE certificate CN=in-cse.example.net (+ intermediate)
#   ae-chain.pem       AE certificate CN=Clamp01 (+ intermediate)
#   cse.key, ae.key    their private keys (mode 0600)
#
# Usage: pki.sh DIR
set -euo pipefail
d=$1
mkdir -p "$d"
cd "$d"
umask 077
ec() { openssl ecparam -name prime256v1 -genkey -noout -out "$1"; }
sign() {	# sign NAME CA CAKEY EXTENSIONS
	openssl req -new -key "$1.key" -subj "$SUBJ" -out "$1.csr"
	printf '%b' "$4" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2" -CAkey "$3" -CAcreateserial \
		-days 1 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
ec demo-root.key && ec demo-int.key && ec cse.key && ec ae.key
openssl req -new -x509 -key demo-root.key -subj "/CN=m2msec demo root CA" \
	-days 1 -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign -out demo-root.pem
SUBJ="/CN=m2msec demo device CA" sign demo-int demo-root.pem demo-root.key \
	'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n'
SUBJ=/CN=in-cse.example.net sign cse demo-int.pem demo-int.key \
	'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:in-cse.example.net\n'
SUBJ=/CN=Clamp01 sign ae demo-int.pem demo-int.key \
	'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:clamp01.ae.example.net\n'
cat cse.pem demo-int.pem >cse-chain.pem
cat ae.pem demo-int.pem >ae-chain.pem
chmod 644 ./*.pem
rm -f ./*.csr ./*.ext ./*.srl
