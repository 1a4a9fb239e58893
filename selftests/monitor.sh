#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msecctl monitor: handshake requests and usage-limit notifications are
# printed as they happen, as text and as JSON lines.
#
#   m2msecctl -j monitor --count 1  <-- HS_REQUEST --  connect() of a DTLS
#                                                     socket, no daemon
set -u
. "$(dirname "$0")/lib.sh"

plan 3

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
check "monitor: --timeout ends a monitor that saw nothing, with status 0" \
	bash -c '"$1" monitor --timeout 1 >/dev/null' _ "$CTL"
rm -f "$out"
finish
