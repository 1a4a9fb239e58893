#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msecctl monitor: handshake requests, usage-limit notifications and the
# life of associations (up, key update, down, failed handshake) are printed
# as they happen, as text and as JSON lines.
#
#   m2msecctl -j monitor --count 1  <-- HS_REQUEST --  connect() of a DTLS
#                                                     socket, no daemon
set -u
. "$(dirname "$0")/lib.sh"

plan 6

out=$(mktemp)
"$CTL" -j monitor --count 1 --timeout 60 >"$out" 2>&1 &
mon=$!
sleep 1
# A client connect() with nobody to answer: the kernel multicasts a
# handshake request, then fails the connect() after the (shortened) timeout.
python3 - "$REPO/selftests" <<'PY'
import errno, sys
sys.path.insert(0, sys.argv[1])
from m2msec import (Genl, nla_u32, CMD_SET_CONFIG, A_CFG_HS_TIMEOUT_MS,
                    dtls_socket, sock_connect)
g = Genl()
g.request(CMD_SET_CONFIG, nla_u32(A_CFG_HS_TIMEOUT_MS, 1000))
try:
    sock_connect(dtls_socket(), ("127.0.0.1", 5999))
except OSError as e:
    assert e.errno == errno.ETIMEDOUT, e
finally:
    g.request(CMD_SET_CONFIG, nla_u32(A_CFG_HS_TIMEOUT_MS, 10000))
PY
wait "$mon"
rc=$?
check "monitor: -j monitor --count 1 exits 0 after one event" test "$rc" = 0
check "monitor: a client connect() shows as a JSON handshake-request line with role client and peer 127.0.0.1:5999" \
	bash -c 'python3 -c "import json,sys; e=json.loads(open(sys.argv[1]).read().splitlines()[-1]); assert e[\"event\"]==\"handshake-request\" and e[\"role\"]==\"client\" and e[\"peer\"]==\"127.0.0.1:5999\", e" "$1"' _ "$out"
check "stats: m2msecctl -j stats shows the handshake counters; the timed-out client request counts in hs_created and hs_timeout, hs_pending is back to 0" \
	bash -c '"$1" -j stats | python3 -c "import json,sys; s=json.load(sys.stdin); assert s[\"hs_created\"] >= 1 and s[\"hs_timeout\"] >= 1 and s[\"hs_pending\"] == 0 and \"hs_hello_dropped\" in s and \"hs_claimed\" in s, s"' _ "$CTL"
check "monitor: --timeout ends a monitor that saw nothing, with status 0" \
	bash -c '"$1" monitor --timeout 1 >/dev/null' _ "$CTL"

# Association life: static association up, TX key update, ASSOC_DEL, a
# second association whose socket is closed, and a client handshake that
# times out without a daemon.
"$CTL" -j monitor --count 7 --timeout 120 >"$out" 2>&1 &
mon=$!
sleep 1
python3 - "$REPO/selftests" <<'PY'
import errno, sys
sys.path.insert(0, sys.argv[1])
from m2msec import (Genl, Assoc, Keys, DTLS13, nla_u32, CMD_SET_CONFIG,
                    A_CFG_HS_TIMEOUT_MS, dtls_socket, sock_connect)
g = Genl()
k = lambda: Keys("AES-128-GCM", DTLS13)
s1 = dtls_socket(("127.0.0.1", 0))
a = Assoc(g, s1, ("127.0.0.1", 6001), "AES-128-GCM", DTLS13, k(), k())
a.update(tx=k(), epoch=4)
a.delete()
s2 = dtls_socket(("127.0.0.1", 0))
Assoc(g, s2, ("127.0.0.1", 6002), "AES-128-GCM", DTLS13, k(), k())
s2.close()
g.request(CMD_SET_CONFIG, nla_u32(A_CFG_HS_TIMEOUT_MS, 500))
try:
    sock_connect(dtls_socket(), ("127.0.0.1", 6003))
except OSError as e:
    assert e.errno == errno.ETIMEDOUT, e
finally:
    g.request(CMD_SET_CONFIG, nla_u32(A_CFG_HS_TIMEOUT_MS, 10000))
PY
wait "$mon"
rc=$?
check "monitor: assoc-up, key-update, assoc-down and handshake-failed events end a --count 7 monitor with status 0" test "$rc" = 0
check "monitor: events read as up (DTLS 1.3 AES-128-GCM) -> key-update tx epoch 4 -> down deleted -> up -> down socket-closed -> handshake-request -> handshake-failed ETIMEDOUT" \
	python3 - "$out" <<'PY'
import errno, json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
names = [e["event"] for e in ev]
assert names == ["assoc-up", "key-update", "assoc-down", "assoc-up",
                 "assoc-down", "handshake-request", "handshake-failed"], names
up, ku, down, up2, down2, req, fail = ev
assert up["version"] == "DTLS 1.3" and up["cipher"] == "AES-128-GCM", up
assert up["peer"] == "127.0.0.1:6001" and up["assoc"] == ku["assoc"] == down["assoc"], ev
assert ku["dir"] == "tx" and ku["epoch"] == 4, ku
assert down["reason"] == "deleted", down
assert up2["peer"] == "127.0.0.1:6002" and down2["reason"] == "socket-closed", (up2, down2)
assert fail["peer"] == "127.0.0.1:6003" and fail["role"] == "client", fail
assert fail["status"] == -errno.ETIMEDOUT and fail["id"] == req["id"], fail
PY
rm -f "$out"
finish
