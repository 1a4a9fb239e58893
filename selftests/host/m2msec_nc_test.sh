#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msec-nc on the host, without the module: option handling and key file
# errors are reported before any socket is opened, with exit status 2 for
# usage errors and 1 for runtime errors.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
NC=$HERE/../../user/m2msec-nc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "KTAP version 1"
echo "1..11"
n=0
failed=0
check() {
	local desc=$1 want=$2 text=$3 out rc
	shift 3
	out=$("$@" 2>&1 </dev/null)
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want" ] && grep -qF -- "$text" <<<"$out"; then
		echo "ok $n m2msec-nc: $desc"
	else
		echo "not ok $n m2msec-nc: $desc"
		failed=1
		echo "# status $rc (wanted $want), output:"
		sed 's/^/# /' <<<"$out"
	fi
}

cat >"$tmp/good.key" <<KEY
version 1.2
cipher AES-128-CCM-8
peer 127.0.0.1:5684
tx-epoch 1
tx-seq 1
tx-key 000102030405060708090a0b0c0d0e0f
tx-iv 01020304
rx-epoch 1
rx-seq 1
rx-key f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
rx-iv a1b2c3d4
KEY
sed 's/^tx-iv .*/tx-iv 0102/' "$tmp/good.key" >"$tmp/bad.key"

check "--help prints the usage and exits 0" 0 "Usage: m2msec-nc" "$NC" --help
check "an unknown option is a usage error (2)" 2 "Usage: m2msec-nc" "$NC" --frobnicate
check "a missing key file exits 1 and names it" 1 "$tmp/none.key: No such file or directory" "$NC" -k "$tmp/none.key"
check "a broken key file exits 1 with file, line and problem" 1 "bad.key:7: tx-iv has 2 bytes; AES-128-CCM-8 with DTLS 1.2 needs 4" "$NC" -k "$tmp/bad.key"
check "-l without a local address is a usage error" 2 "-l needs a local address" "$NC" -l
check "client mode without a peer is a usage error" 2 "give the peer as ADDR:PORT" "$NC"
check "a peer that is not ADDR:PORT is a usage error" 2 "is not ADDR:PORT" "$NC" localhost:5684
check "a peer other than the key file's is a usage error" 2 "differs from the key file's peer" "$NC" -k "$tmp/good.key" 127.0.0.1:5685
check "-q with a non-number is a usage error" 2 "-q takes seconds" "$NC" -q soon 127.0.0.1:5684
check "-m above 16384 is a usage error" 2 "-m takes a size" "$NC" -m 20000 127.0.0.1:5684
if [ -d /sys/module/m2msec ]; then
	n=$((n + 1))
	echo "ok $n m2msec-nc: a valid key file without the module says to load it # SKIP the module is loaded"
else
	check "a valid key file without the module exits 1 and says to load it" 1 "modprobe m2msec" "$NC" -k "$tmp/good.key"
fi
exit $failed
