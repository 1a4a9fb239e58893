#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Spoofed first flights against a listening m2msec socket (loopback):
#
#   hs_flood.py (raw socket,              hs_app.py on an m2msec socket,
#   sources 127.64.0.0/10)  -- ClientHello -->  listener's hello queue
#                                                  |  m2msecd: stateless
#   openssl s_client (real) <-- DTLS -->          v  cookie exchange, claim
#
# Without a daemon the hello queue stays at its bound and nothing else is
# kept; with m2msecd every spoofed hello is answered without per-peer
# state (no request is created), the daemon's memory stays flat, and a
# real client afterwards completes its handshake through the cookie
# exchange.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
HSD=$REPO/user/m2msecd/m2msecd
APP="python3 $HERE/hs_app.py"
FLOOD="python3 $HERE/hs_flood.py"
PORT=4451

plan 3
[ -x "$HSD" ] || { for i in 1 2 3; do skip "flood test $i" "m2msecd not built"; done; finish; }
ip link set lo up
mod_load

. "$HERE/interop_lib.sh"
ix_init
stats() { $FLOOD stat "$@" | tr '\n' ' '; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

$FLOOD config hello_max=64
echo 00112233445566778899aabbccddeeff >"$tmp/psk"; chmod 600 "$tmp/psk"
cat >"$tmp/conf" <<CONF
handshake-timeout 20
[psk]
identity m2m-ae-1
key-file $tmp/psk
CONF
chmod 600 "$tmp/conf"

bg "$tmp/app" $APP server 127.0.0.1 $PORT hello-after-flood reply-after-flood
wait_text "$tmp/app" listening 30

# 1. No daemon: the hello queue holds its bound, the rest is dropped.
read -r c0 p0 q0 d0 r0 h0 <<<"$(stats hs_created hs_pending hs_hello_queued hs_hello_dropped hs_ratelimited hs_hello_pending)"
$FLOOD send 127.0.0.1 $PORT 1000 >"$tmp/f1" 2>&1
sleep 1
read -r c1 p1 q1 d1 r1 h1 <<<"$(stats hs_created hs_pending hs_hello_queued hs_hello_dropped hs_ratelimited hs_hello_pending)"
diag "no daemon: created $((c1 - c0)) pending $p1 queued $((q1 - q0)) dropped $((d1 - d0)) rate-limited $((r1 - r0)) in queue $((h1 - h0))"
if [ $((c1 - c0)) -eq 0 ] && [ "$p1" -eq "$p0" ] && [ $((h1 - h0)) -eq 64 ] &&
   [ $((q1 - q0)) -eq 64 ] && [ $((q1 - q0 + d1 - d0 + r1 - r0)) -eq 1000 ]; then
	ok "no daemon: 1000 spoofed ClientHellos from 1000 addresses create no handshake request; the listener's hello queue holds its bound (64), the other 936 are counted as drops"
else
	show "$tmp/f1"; not_ok "no daemon: 1000 spoofed ClientHellos from 1000 addresses create no handshake request; the listener's hello queue holds its bound (64), the other 936 are counted as drops"
fi

# 2. m2msecd running: stateless answers, no request, flat memory.
bg "$tmp/hsd.log" "$HSD" -f -v -c "$tmp/conf"
hsd=$pid
wait_text "$tmp/hsd.log" "ready:" 30
# The listener is announced again by the next first flight.
$FLOOD send 127.0.0.1 $PORT 1 >/dev/null
wait_text "$tmp/hsd.log" "listener" 30
rss0=$(rss_kb "$hsd")
read -r c0 q0 d0 r0 <<<"$(stats hs_created hs_hello_queued hs_hello_dropped hs_ratelimited)"
$FLOOD send 127.0.0.1 $PORT 3000 >"$tmp/f2" 2>&1
end=$((SECONDS + 120))
while ((SECONDS < end)) && [ "$(stats hs_hello_pending)" != "$h0 " ]; do sleep 0.5; done
read -r c1 p1 q1 d1 r1 h1 <<<"$(stats hs_created hs_pending hs_hello_queued hs_hello_dropped hs_ratelimited hs_hello_pending)"
rss1=$(rss_kb "$hsd")
diag "m2msecd: created $((c1 - c0)) pending $p1 queued $((q1 - q0)) dropped $((d1 - d0)) rate-limited $((r1 - r0)) in queue $((h1 - h0)); m2msecd RSS $rss0 -> $rss1 kB"
if [ $((c1 - c0)) -eq 0 ] && [ "$p1" -eq "$p0" ] && [ "$h1" -eq "$h0" ] &&
   [ $((q1 - q0 + d1 - d0 + r1 - r0)) -eq 3000 ] && [ $((q1 - q0)) -gt 0 ] &&
   [ $((rss1 - rss0)) -lt 16384 ]; then
	ok "m2msecd running: 3000 spoofed ClientHellos are answered from the hello queue without a handshake request (none created, queue drained), m2msecd's memory grows by less than 16 MiB"
else
	show "$tmp/f2" "$tmp/hsd.log"; not_ok "m2msecd running: 3000 spoofed ClientHellos are answered from the hello queue without a handshake request (none created, queue drained), m2msecd's memory grows by less than 16 MiB"
fi

# 3. A real client completes its handshake through the cookie exchange.
read -r c0 cl0 q0 <<<"$(stats hs_created hs_claimed hs_hello_queued)"
mkfifo "$tmp/in"
bg "$tmp/peer" timeout 60 openssl s_client -dtls1_2 -connect 127.0.0.1:$PORT \
	-psk_identity m2m-ae-1 -psk 00112233445566778899aabbccddeeff \
	-cipher PSK-AES128-CCM8 -legacy_server_connect -quiet <>"$tmp/in"
sh -c 'sleep 8; echo hello-after-flood' >"$tmp/in" &
pids+=("$!")
if wait_text "$tmp/peer" reply-after-flood 60 && grep -q "peer id psk:m2m-ae-1" "$tmp/app"; then
	read -r c1 cl1 q1 <<<"$(stats hs_created hs_claimed hs_hello_queued)"
	diag "real client: created $((c1 - c0)) claimed $((cl1 - cl0)) hellos $((q1 - q0))"
	if [ $((c1 - c0)) -eq 1 ] && [ $((cl1 - cl0)) -eq 1 ] && [ $((q1 - q0)) -ge 2 ]; then
		show "$tmp/app"; ok "after the floods openssl s_client DTLS 1.2 PSK-AES128-CCM8 completes its handshake: both ClientHellos through the listener (cookie), one claimed request, data both ways through the kernel"
	else
		not_ok "after the floods openssl s_client DTLS 1.2 PSK-AES128-CCM8 completes its handshake: both ClientHellos through the listener (cookie), one claimed request, data both ways through the kernel"
	fi
else
	show "$tmp/app" "$tmp/peer" "$tmp/hsd.log"; not_ok "after the floods openssl s_client DTLS 1.2 PSK-AES128-CCM8 completes its handshake: both ClientHellos through the listener (cookie), one claimed request, data both ways through the kernel"
fi
kill "$hsd" 2>/dev/null; wait "$hsd" 2>/dev/null
finish
