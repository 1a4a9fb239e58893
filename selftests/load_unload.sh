#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module lifetime: 100 load/unload cycles with sockets created and closed in
# between (in the initial namespace and in a second one), an open socket pins
# the module, and closed sockets leave nothing behind.
set -u
. "$(dirname "$0")/lib.sh"

SOCK=$(dirname "$0")/socket_create
CYCLES=${CYCLES:-100}

plan 5

ip netns add lu2 && ip -n lu2 link set lo up

cycles() {
	local i
	for ((i = 0; i < CYCLES; i++)); do
		mod_reload || { echo "cycle $i: reload failed"; return 1; }
		"$SOCK" --churn 20 || { echo "cycle $i: sockets failed"; return 1; }
		ip netns exec lu2 "$SOCK" --churn 5 || { echo "cycle $i: netns sockets failed"; return 1; }
		[ "$(m2msec_sockets)" = 0 ] || { echo "cycle $i: sockets left: $(m2msec_sockets)"; return 1; }
	done
}
check "lifetime: $CYCLES unload/load cycles with sockets in two namespaces in between succeed" cycles

check "lifetime: after the cycles no m2msec socket is in use and the module refcount is 0" \
	test "$(m2msec_sockets) $(cat /sys/module/m2msec/refcnt)" = "0 0"

pinned() {
	local rc
	exec 9< <(python3 -c '
import socket, sys, time
s = socket.socket(int(open("/sys/module/m2msec/parameters/family").read()), socket.SOCK_DGRAM, 0)
print("open", flush=True)
time.sleep(30)')
	read -r -t 20 line <&9 || return 1
	[ "$line" = open ] || return 1
	[ "$(m2msec_sockets)" = 1 ] || { echo "sockets in use: $(m2msec_sockets)"; return 1; }
	rmmod m2msec 2>/dev/null && { echo "rmmod succeeded with an open socket"; return 1; }
	rc=0
	pkill -f 'time.sleep\(30\)' || rc=1
	exec 9<&-
	return $rc
}
check "lifetime: an open socket pins the module (rmmod refused while it is open)" pinned

released() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(m2msec_sockets)" = 0 ] && rmmod m2msec && return 0
		sleep 0.2
	done
	return 1
}
check "lifetime: once that socket is closed the module unloads" released

check "lifetime: the module loads again afterwards" mod_load

ip netns del lu2
finish
