#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A lost final flight after the handshake: m2msecd's last flight of a DTLS
# 1.2 server handshake (ChangeCipherSpec + Finished) is dropped once on the
# m2msec side's veth (tc u32, first payload byte 0x14).  The peer,
# openssl s_client, retransmits its own flight; the kernel already has the
# association, so the records reach m2msecd on the association's control
# channel and m2msecd sends its kept flight again, verbatim.  The peer then
# completes and data flows both ways through the kernel.
#
#   m2msecd + hs_session.py (m2msec socket)  --m2hs0-- X --  openssl s_client
#   10.98.0.1                                (CCS dropped once)   10.98.0.2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/hs_lib.sh"

hs_init 1
cat >"$tmp/conf" <<CONF
handshake-timeout 15
versions 1.2
[psk]
identity $PSK_ID
key-file $tmp/psk
CONF
"$CTL" config set hs-timeout-ms 20000 >/dev/null
hsd_start "$tmp/conf"
port=4480
suite=PSK-AES128-CCM8
desc="lost final flight: m2msecd's DTLS 1.2 server CCS+Finished dropped once, openssl s_client retransmits, m2msecd sends its kept flight again from the control channel, the handshake completes and data flows both ways through the kernel"

# Drop server datagrams that start with a ChangeCipherSpec record.
drop_ccs() {
	tc qdisc add dev m2hs0 clsact &&
		tc filter add dev m2hs0 egress protocol ip prio 1 u32 \
			match u8 0x14 0xff at 28 action drop
}

d=$tmp/loss
why=""
if ! drop_ccs; then
	why="cannot install the tc filter"
fi
app_start "$d" server "$M_ADDR" "$port"
wait_text "$d/app" listening "$T_STEP"
mkfifo "$d/peer.in"
peer_bg "$d/peer" timeout 60 openssl s_client -dtls1_2 \
	-connect "$M_ADDR:$port" -cipher "$suite" -legacy_server_connect \
	-quiet -psk_identity "$PSK_ID" -psk "$PSK" <>"$d/peer.in"
# The server side is done (its flight went out and was dropped): let the
# next one through.
if [ -z "$why" ] && ! wait_text "$tmp/hsd.log" "done in" "$T_STEP"; then
	why="m2msecd did not finish its side of the handshake"
fi
tc filter del dev m2hs0 egress 2>/dev/null
tc qdisc del dev m2hs0 clsact 2>/dev/null
echo "peer-to-kernel-loss" 1<>"$d/peer.in"
if [ -z "$why" ] && ! wait_text "$d/app" "data=peer-to-kernel-loss" "$T_STEP"; then
	why="the peer's line did not reach the application (its handshake did not complete)"
elif [ -z "$why" ]; then
	app_say "$d" "kernel-to-peer-loss"
	if ! wait_text "$d/peer" "kernel-to-peer-loss" "$T_STEP"; then
		why="the application's line did not reach the peer"
	elif ! grep -q "our last handshake flight sent again" "$tmp/hsd.log"; then
		why="m2msecd did not log that it sent its flight again"
	fi
fi
[ -z "$why" ] && assoc_ok "$d" 1.2 AES-128-CCM-8 "psk:$PSK_ID"
result $? "$desc" "$d/app" "$d/peer" "$tmp/hsd.log"
app_say "$d" '!quit'
hsd_stop
finish
