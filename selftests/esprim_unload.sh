#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module unload with live ESPrim sessions:
#
#   python (sessions, learned session, queued results) --- m2msec.ko
#
# the open socket pins the module; once the process exits every session,
# key reference and queued result is released, the module unloads cleanly
# (the VM runner fails the run on any leak report or warning) and loads
# again.
set -u
. "$(dirname "$0")/lib.sh"

plan 4

exec 9< <(/usr/bin/python3 - <<'PY'
import os, sys, time
sys.path.insert(0, os.environ["REPO"] + "/selftests")
from esprim import *
serial = add_key("kid-unload", os.urandom(32), b"C-U")
tx, rx = Sock(), Sock()
for i in range(20):
    recv, orig = Rand(RECEIVER, "r%d" % i), Rand(ORIGINATOR, "o%d" % i)
    tx.rand_add(recv); tx.rand_add(orig); rx.rand_add(recv)
    tx.session_add(i + 1, serial, A256GCM, recv.id, orig.id, F_ORO)
rx.key_add(serial)
for i in range(20):
    rx.unprotect(tx.protect(b"x" * 100, i + 1)["data"])
    tx.send(b"queued, never read", session=i + 1)
print("ready", flush=True)
time.sleep(60)
PY
)
pid=$!
read -r -t 60 line <&9
check "esprim unload: a process sets up 40 sessions (20 learned) and leaves 20 results unread" test "$line" = ready
check "esprim unload: rmmod is refused while its ESPrim sockets are open" bash -c '! rmmod m2msec 2>/dev/null'
kill "$pid"
exec 9<&-
released() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(m2msec_sockets)" = 0 ] && rmmod m2msec && return 0
		sleep 0.2
	done
	return 1
}
check "esprim unload: after the process exits the module unloads" released
check "esprim unload: the module loads again" mod_load
finish
