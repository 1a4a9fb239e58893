#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msecctl esprim: keys through the keyring, counters and the session dump
# of a network namespace.
#
#   ns esp1: python (session 5, 1 learned) --- m2msecctl esprim ...
set -u
. "$(dirname "$0")/lib.sh"

plan 8
ip netns add esp1 && ip -n esp1 link set lo up
n1() { ip netns exec esp1 "$@"; }
J() { n1 "$CTL" -j esprim "$@"; }

keys() {
	local out
	out=$(keyctl session - sh -c "echo 000102030405060708090a0b0c0d0e0f | $CTL esprim key add kid-ctl - C-CTL --keyring session >/dev/null && $CTL -j esprim key list") || return 1
	! grep -q 000102 <<<"$out" || return 1
	test "$(json_get '[(k["kid"], k["key_len"], k["identity_len"]) for k in d]' <<<"$out")" = "[('kid-ctl', 16, 5)]"
}
check "esprim ctl: key add puts a key read from standard input in the keyring and key list shows kid and lengths, never key bytes" keys

# Key material: from a file or stdin only; the file checked on its
# descriptor.  Every refusal exits 1 with a message and adds no key.
key_sources() {
	local d f out
	d=$(mktemp -d) || return 1
	f=$d/k.hex
	# shellcheck disable=SC2016
	out=$(keyctl session - sh -c '
		ctl=$1 f=$2
		printf "%s\n" 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f >"$f"
		chmod 600 "$f"
		$ctl esprim key add kid-file "$f" C-F --keyring session >/dev/null || echo "file refused"
		chmod 620 "$f"
		$ctl esprim key add kid-gw "$f" C-F --keyring session 2>&1 | grep -q "group or others" || echo "group-writable file taken"
		chmod 600 "$f"
		printf "%s\nextra\n" 000102030405060708090a0b0c0d0e0f >"$f"
		$ctl esprim key add kid-junk "$f" C-F --keyring session 2>&1 | grep -q "nothing else" || echo "trailing junk taken"
		$ctl esprim key add kid-dir "${f%/*}" C-F --keyring session 2>&1 | grep -q "not a regular file" || echo "directory taken"
		$ctl esprim key add kid-arg 000102030405060708090a0b0c0d0e0f C-F --keyring session 2>&1 | grep -q "never taken from the command line" || echo "key on the command line taken"
		$ctl -j esprim key list' _ "$CTL" "$f") || { rm -rf "$d"; return 1; }
	rm -rf "$d"
	if grep -q "refused\|taken" <<<"$out"; then
		diag "$(grep "refused\|taken" <<<"$out")"
		return 1
	fi
	test "$(json_get '[(k["kid"], k["key_len"]) for k in d if k["kid"] in ("kid-file", "kid-gw", "kid-junk", "kid-dir", "kid-arg")]' <<<"$out")" = "[('kid-file', 32)]"
}
check "esprim ctl: key add reads a key file of mode 0600; refuses a group-writable file, trailing junk, a directory and key material on the command line" key_sources

before=$(J stats | json_get 'd["bad_request"]')
init_before=$("$CTL" -j esprim stats | json_get 'd["bad_request"]')
exec 9< <(n1 /usr/bin/python3 - <<'PY'
import os, sys, time
sys.path.insert(0, os.environ["REPO"] + "/selftests")
from esprim import *
serial = add_key("kid-ctl2", os.urandom(32), b"C-CTL")
tx, rx = Sock(), Sock()
recv, orig = Rand(RECEIVER, "r-ctl"), Rand(ORIGINATOR, "o-ctl")
tx.rand_add(recv); tx.rand_add(orig); rx.rand_add(recv); rx.key_add(serial)
tx.session_add(5, serial, A192GCM, "r-ctl", "o-ctl", F_ORO)
rx.unprotect(tx.protect(b"hello", 5)["data"])
for i in range(3):
    rx.unprotect(b"not an object")
print("ready", flush=True)
time.sleep(30)
PY
)
pid=$!
read -r -t 60 line <&9
after=$(J stats | json_get 'd["bad_request"]')
check "esprim ctl: three malformed objects raise the namespace's bad_request counter by 3" test "$((after - before))" = 3
check "esprim ctl: the counters of another namespace are untouched" \
	test "$("$CTL" -j esprim stats | json_get 'd["bad_request"]')" = "$init_before"
sessions=$(J session list)
check "esprim ctl: session list -j shows the originator's session 5 (A192GCM, kid, ori, rri)" \
	bash -c "json_get() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {\"d\": d}))' \"\$1\"; }; \
	test \"\$(json_get '[ (s[\"id\"], s[\"enc\"], s[\"kid\"], s[\"ori\"], s[\"rri\"]) for s in d if not s[\"learned\"] ]' <<<'$sessions')\" = \"[(5, 'A192GCM', 'kid-ctl2', 'o-ctl', 'r-ctl')]\""
check "esprim ctl: session list shows the receiver's learned session with the bound identity and one object verified" \
	bash -c "python3 -c 'import json,sys; d=json.load(sys.stdin); s=[x for x in d if x[\"learned\"]]; sys.exit(not (len(s)==1 and s[0][\"identity\"]==\"C-CTL\" and s[0][\"unprotected\"]==1))' <<<'$sessions'"
check "esprim ctl: session list in text form names the session" bash -c "n1() { ip netns exec esp1 \"\$@\"; }; n1 $CTL esprim session list | grep -q 'id 5 kid kid-ctl2'"
kill "$pid"
exec 9<&-
check "esprim ctl: session list without CAP_NET_ADMIN is refused" \
	bash -c "out=\$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all $CTL esprim session list 2>&1); [ \$? -eq 1 ] && grep -q 'permission denied' <<<\"\$out\""
ip netns del esp1
finish
