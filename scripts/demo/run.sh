#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The m2msec demo proper: runs inside the test VM with the module loaded
# (scripts/demo.sh starts it).  Two hosts, an AE and a CSE, in two network
# namespaces; CoAP over kernel DTLS between them, a throughput figure, and
# an ESPrim-protected request and response through a transit CSE.  Exits
# non-zero as soon as a step fails.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO"
export PATH="$REPO/user:$PATH"
export DEMO_WORK=/tmp/m2msec-demo
N_RECORDS=${DEMO_RECORDS:-5000}

STEP=start
trap 'echo; echo "demo: FAILED in step: $STEP"' ERR
cleanup() { ip netns del ae 2>/dev/null || true; ip netns del cse 2>/dev/null || true; }
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
key_elided() { sed -E 's/^((tx|rx)-(key|iv|sn-key)) (.{6}).*/\1 \4... (secret)/' "$1" | sed 's/^/    /'; }

T0=$(date +%s.%N)
section "m2msec: oneM2M transport security in the Linux kernel"
say "Kernel $(uname -r), module m2msec $(cat /sys/module/m2msec/version 2>/dev/null || echo loaded) on socket family $(cat /sys/module/m2msec/parameters/family). Everything below runs in this VM; the commands are shown as they run."

section "1. Topology: an AE and a CSE in two network namespaces"
cleanup
rm -rf "$DEMO_WORK" && mkdir -p "$DEMO_WORK" && chmod 700 "$DEMO_WORK"
run ip netns add ae
run ip netns add cse
run ip link add ae0 netns ae type veth peer name cse0 netns cse
run ip -n ae addr add 10.77.0.2/24 dev ae0
run ip -n ae addr add fd77::2/64 dev ae0 nodad
run ip -n cse addr add 10.77.0.1/24 dev cse0
run ip -n cse addr add fd77::1/64 dev cse0 nodad
for ns in ae cse; do
	ip -n $ns link set lo up
	ip -n $ns link set ${ns}0 up
done
cat <<'DIAGRAM'

   netns "ae"                                      netns "cse"
  +----------------------------+                  +----------------------------+
  | AE "Clamp01" (a lamp)      |                  | CSE "/in-cse" (the server) |
  | m2msec-nc, ESPrim socket   |      veth        | m2msec-nc, ESPrim socket   |
  | ae0 10.77.0.2  fd77::2     +------------------+ cse0 10.77.0.1  fd77::1    |
  +----------------------------+  UDP 5684 (CoAP  +----------------------------+
                                  over DTLS)
DIAGRAM

section "2. CoAP over DTLS, record layer in the kernel"
say "No handshake daemon yet: each association is keyed statically from a pair of freshly generated key files, the same state a DTLS handshake would leave behind. One pair per association:"
run scripts/demo/keygen.py 1.2 AES-128-CCM-8 10.77.0.2:5684 10.77.0.1:5684 "$DEMO_WORK/v4"
run scripts/demo/keygen.py 1.3 AES-128-GCM '[fd77::2]:5684' '[fd77::1]:5684' "$DEMO_WORK/v6"
run scripts/demo/keygen.py 1.2 AES-128-CCM-8 10.77.0.2:5685 10.77.0.1:5685 "$DEMO_WORK/wire"
say "The AE's file for the IPv4 association (the CSE's is its mirror image):"
key_elided "$DEMO_WORK/v4-ae.key"
echo
scripts/demo/dtls.py "$DEMO_WORK"

section "3. Throughput: $N_RECORDS records of 256 bytes, AE -> CSE"
say "A demo figure measured right here under QEMU's software emulation (TCG), both ends sharing two virtual CPUs: not a benchmark. Fresh keys for each run."
say "UDP has no flow control: records arriving faster than the receiving application reads them are dropped at its socket (counted as rx_queue_drop). As on any UDP server expecting bursts, the CSE host gets larger socket buffers (this VM is thrown away afterwards):"
run sysctl -w net.core.rmem_max=8388608 net.core.rmem_default=8388608
run scripts/demo/keygen.py 1.2 AES-128-CCM-8 10.77.0.2:6000 10.77.0.1:6000 "$DEMO_WORK/tp12"
scripts/demo/throughput.py "$DEMO_WORK/tp12" "$N_RECORDS" 256 "DTLS 1.2 AES-128-CCM-8"
run scripts/demo/keygen.py 1.3 AES-128-GCM '[fd77::2]:6001' '[fd77::1]:6001' "$DEMO_WORK/tp13"
scripts/demo/throughput.py "$DEMO_WORK/tp13" "$N_RECORDS" 256 "DTLS 1.3 AES-128-GCM  "

section "4. ESPrim: end-to-end protection of a primitive through a transit CSE"
say "oneM2M End-to-End Security of Primitives (TS-0003 8.4): the AE's request and the CSE's response travel as ESPrim Objects (JWE) inside Notify primitives, so a CSE in between can route them but neither read nor change them. Each end has its own m2msec ESPrim socket; the JWE work and the session keys stay in the kernel. The transit CSE is played by the demo process, which relays what the two send:"
cat <<'DIAGRAM'

  AE Clamp01 (netns ae)       transit CSE                  CSE /in-cse (netns cse)
  ESPrim socket   protect --> Notify {"m2m:seci":      --> unprotect  ESPrim socket
                unprotect <-- {"sit":5,"epo":"JWE"}}   <-- protect

DIAGRAM
scripts/demo/esprim_demo.py

section "5. The module"
run m2msecctl info
ELAPSED=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
echo
say "Demo complete: CoAP over kernel DTLS 1.2 (AES-128-CCM-8, IPv4) and DTLS 1.3 (AES-128-GCM, IPv6) between two namespaces, encrypted on the wire, and an ESPrim request/response opaque to the transit CSE; ${ELAPSED} s in the VM."
