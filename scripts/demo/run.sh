#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The m2msec demo proper: runs inside the test VM with the module loaded
# (scripts/demo.sh starts it).  An AE, a sensor and a CSE in three network
# namespaces; m2msecd in each one runs the DTLS handshakes (certificates
# from a fresh demo PKI, and a PSK), CoAP goes through the kernel record
# layer, then the associations, a throughput figure, and an
# ESPrim-protected request and response through a transit CSE.  Exits
# non-zero as soon as a step fails.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO"
export PATH="$REPO/user:$REPO/user/m2msecd:$PATH"
export DEMO_WORK=/tmp/m2msec-demo
N_RECORDS=${DEMO_RECORDS:-5000}
W=$DEMO_WORK

STEP=start
trap 'echo; echo "demo: FAILED in step: $STEP"' ERR
DAEMONS=()
cleanup() {
	local p
	for p in "${DAEMONS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for ns in ae cse sensor; do ip netns del $ns 2>/dev/null || true; done
}
trap cleanup EXIT

section() {
	STEP=$1
	printf '\n==== %s ' "$1"
	printf '%*s\n\n' $((70 - ${#1})) '' | tr ' ' '='
}
say() { fmt -w 76 <<<"$*"; }
# Echo a command, then run it with its output indented.
run() {
	printf '  $ %s\n' "$*"
	"$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}
# m2msecd NS: start the handshake daemon of namespace NS with $W/NS.conf,
# logging to $W/NS-m2msecd.log, and wait until it listens for requests.
m2msecd_in() {
	local ns=$1 log=$W/$1-m2msecd.log i
	printf '  $ ip netns exec %s m2msecd -f -v -c %s 2>%s &\n' "$ns" "$W/$ns.conf" "$log"
	ip netns exec "$ns" m2msecd -f -v -c "$W/$ns.conf" </dev/null 2>"$log" &
	DAEMONS+=("$!")
	for ((i = 0; i < 300; i++)); do
		grep -q "ready:" "$log" && break
		kill -0 "$!" 2>/dev/null || { cat "$log"; return 1; }
		sleep 0.1
	done
	grep "ready:" "$log" | sed 's/^m2msecd: notice: /    /; s/, TLS13.*//'
}

command -v m2msecd >/dev/null || {
	echo "demo: user/m2msecd/m2msecd is not built (it needs wolfSSL: scripts/deps.sh, then make)"
	exit 1
}

T0=$(date +%s.%N)
section "m2msec: oneM2M transport security in the Linux kernel"
say "Kernel $(uname -r), module m2msec $(cat /sys/module/m2msec/version 2>/dev/null || echo loaded) on socket family $(cat /sys/module/m2msec/parameters/family). Everything below runs in this VM; the commands are shown as they run."

section "1. Topology: an AE, a sensor and a CSE in three network namespaces"
cleanup
rm -rf "$W" && mkdir -p "$W" && chmod 700 "$W"
for ns in ae cse sensor; do run ip netns add $ns; done
run ip link add ae0 netns ae type veth peer name cse0 netns cse
run ip link add sn0 netns sensor type veth peer name cse1 netns cse
run ip -n ae addr add 10.77.0.2/24 dev ae0
run ip -n cse addr add 10.77.0.1/24 dev cse0
run ip -n cse addr add 10.77.1.1/24 dev cse1
run ip -n sensor addr add 10.77.1.2/24 dev sn0
for dev in ae:ae0 cse:cse0 cse:cse1 sensor:sn0; do
	ip -n "${dev%%:*}" link set lo up
	ip -n "${dev%%:*}" link set "${dev#*:}" up
done
cat <<'DIAGRAM'

   netns "ae"                        netns "cse"                     netns "sensor"
  +------------------------+        +--------------------------+    +----------------------+
  | AE "Clamp01" (a lamp)  |  veth  | CSE "/in-cse"            |veth| sensor "Csensor02"   |
  | ae0 10.77.0.2          +--------+ cse0 10.77.0.1           +----+ sn0 10.77.1.2        |
  | m2msecd: certificate   |        | cse1 10.77.1.1           |    | m2msecd: PSK,        |
  | CN=Clamp01, DTLS 1.3   |        | UDP 5684 (CoAP over DTLS)|    | DTLS 1.2 only        |
  +------------------------+        | m2msecd: certificate     |    +----------------------+
                                    | CN=in-cse.example.net,PSK|
                                    +--------------------------+
DIAGRAM

section "2. Credentials and the handshake daemon, one per namespace"
say "A fresh PKI for this run (ECDSA P-256: a root CA, a device CA, a certificate for the CSE and one for the AE), and a random pre-shared key for the sensor. Private keys and the PSK file are mode 0600: m2msecd refuses secret files that others can read."
run scripts/demo/pki.sh "$W/pki"
for c in cse ae; do
	printf '    %s.pem: %s, issued by %s\n' "$c" \
		"$(openssl x509 -noout -subject -in "$W/pki/$c.pem" | sed 's/^subject=//')" \
		"$(openssl x509 -noout -issuer -in "$W/pki/$c.pem" | sed 's/^issuer=//')"
done
( umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$W/sensor.psk" )
echo "    sensor.psk: 16 random bytes (hex), mode 0600"
cat >"$W/cse.conf" <<CONF
# CSE: its certificate chain, clients' certificates checked against the
# demo root; the sensor's PSK.  DTLS 1.2 and 1.3.
versions 1.2 1.3
ca $W/pki/demo-root.pem
[certificate]
cert $W/pki/cse-chain.pem
key $W/pki/cse.key
ca $W/pki/demo-root.pem
client-certificate request
[psk]
identity Csensor02
key-file $W/sensor.psk
CONF
cat >"$W/ae.conf" <<CONF
# AE: DTLS 1.3, its certificate; the CSE's chain is checked against the
# demo root and against the name the application asks for (SNI).
versions 1.3
ca $W/pki/demo-root.pem
[certificate]
cert $W/pki/ae-chain.pem
key $W/pki/ae.key
CONF
cat >"$W/sensor.conf" <<CONF
# Sensor: DTLS 1.2, PSK only: TLS_PSK_WITH_AES_128_CCM_8 (oneM2M mandatory).
versions 1.2
ciphers PSK-AES128-CCM-8
[psk]
identity Csensor02
key-file $W/sensor.psk
CONF
chmod 600 "$W"/*.conf
for ns in cse ae sensor; do
	echo "  $W/$ns.conf:"
	sed 's/^/    | /' "$W/$ns.conf"
done
echo
say "The daemon joins the kernel's handshake notifications in its namespace; applications never load a certificate or a key."
for ns in cse ae sensor; do m2msecd_in "$ns"; done

section "3. CoAP over DTLS: handshakes by m2msecd, records in the kernel"
say "UDP has no flow control, and step 4 sends bursts: as on any UDP server expecting them, the CSE host gets larger socket buffers first (this VM is thrown away afterwards):"
run sysctl -w net.core.rmem_max=8388608 net.core.rmem_default=8388608
echo
scripts/demo/coap_demo.py "$W" "$N_RECORDS"

section "5. ESPrim: end-to-end protection of a primitive through a transit CSE"
say "oneM2M End-to-End Security of Primitives (TS-0003 8.4): the AE's request and the CSE's response travel as ESPrim Objects (JWE) inside Notify primitives, so a CSE in between can route them but neither read nor change them. Each end has its own m2msec ESPrim socket; the JWE work and the session keys stay in the kernel. The transit CSE is played by the demo process, which relays what the two send:"
cat <<'DIAGRAM'

  AE Clamp01 (netns ae)       transit CSE                  CSE /in-cse (netns cse)
  ESPrim socket   protect --> Notify {"m2m:seci":      --> unprotect  ESPrim socket
                unprotect <-- {"sit":5,"epo":"JWE"}}   <-- protect

DIAGRAM
scripts/demo/esprim_demo.py

section "6. The module"
run m2msecctl info
ELAPSED=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
echo
say "Demo complete: DTLS 1.3 (certificates) and DTLS 1.2 (PSK) handshakes by m2msecd in three namespaces, CoAP requests and responses through the kernel record layer with the peer's identity per association, and an ESPrim request/response opaque to the transit CSE; ${ELAPSED} s in the VM."
